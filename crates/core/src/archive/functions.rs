//! Whether a volatile user function a data statement calls could write other tables, read from its source. A
//! function in SQL or PL/pgSQL whose statements only read (no `INSERT`, `UPDATE`, `DELETE`, `MERGE`,
//! `SELECT INTO`, dynamic SQL, procedures or transaction control) writes nothing itself; the functions it calls
//! are named for the database layer to look up and judge in turn (`pg_catalog`'s are trusted, as everywhere
//! in the archive). Anything else (other languages, what does not parse) could write.
use std::ffi::{CStr, CString};
use std::os::raw::c_char;

use pg_query::{NodeEnum, NodeRef};
use serde_json::Value;

/// PL/pgSQL statements that cannot write by themselves (their expressions are checked).
const QUIET_STATEMENTS: [&str; 17] = [
    "block",
    "assign",
    "if",
    "case",
    "loop",
    "while",
    "fori",
    "fors",
    "foreach_a",
    "exit",
    "return",
    "return_next",
    "return_query",
    "raise",
    "assert",
    "perform",
    "getdiag",
];

/// `Ok(functions it calls, as written)` when the body of a `language` function writes nothing itself.
/// `definition`: `pg_get_functiondef` (PL/pgSQL is parsed from it); `source`: `prosrc`.
pub fn reads_only(language: &str, definition: &str, source: &str) -> Result<Vec<String>, String> {
    let mut calls = Vec::new();
    match language {
        "sql" => read_only_sql(source, &mut calls)?,
        "plpgsql" => plpgsql(&parse_plpgsql(definition)?, &mut calls)?,
        other => return Err(format!("it is written in {other}, whose effects cannot be read")),
    }
    calls.sort();
    calls.dedup();
    Ok(calls)
}

/// Every statement of `sql` is a plain `SELECT` (or `VALUES`) writing nothing; the functions it calls are added.
fn read_only_sql(sql: &str, calls: &mut Vec<String>) -> Result<(), String> {
    let parsed = pg_query::parse(sql, 0).map_err(|e| format!("its SQL does not parse: {e}"))?;
    for statement in &parsed.protobuf.stmts {
        match statement.stmt.as_ref().and_then(|s| s.node.as_ref()) {
            Some(NodeEnum::SelectStmt(_)) => {}
            _ => return Err(format!("it runs a statement other than SELECT ({})", sql.trim())),
        }
    }
    for (node, ..) in parsed.protobuf.nodes() {
        match node {
            NodeRef::InsertStmt(_) | NodeRef::UpdateStmt(_) | NodeRef::DeleteStmt(_) | NodeRef::MergeStmt(_) => {
                return Err(format!("it writes ({})", sql.trim()))
            }
            NodeRef::SelectStmt(s) if s.into_clause.is_some() => {
                return Err(format!("it creates a table with SELECT INTO ({})", sql.trim()))
            }
            _ => {}
        }
    }
    calls.extend(parsed.functions());
    Ok(())
}

#[repr(C)]
struct PlpgsqlParseResult {
    plpgsql_funcs: *mut c_char,
    error: *mut *mut c_char,
}

extern "C" {
    // libpg_query, linked by pg_query.
    fn pg_query_parse_plpgsql(input: *const c_char) -> PlpgsqlParseResult;
    fn pg_query_free_plpgsql_parse_result(result: PlpgsqlParseResult);
}

/// `pg_query::parse_plpgsql`, with libpg_query's JSON for trigger functions mended: it writes their special
/// variables (`tg_op`, ...) as `{}}`, one brace too many, which valid JSON never has after `,` or `[`.
fn parse_plpgsql(definition: &str) -> Result<Value, String> {
    match pg_query::parse_plpgsql(definition) {
        Ok(parsed) => return Ok(parsed),
        Err(pg_query::Error::InvalidJson(_)) => {}
        Err(e) => return Err(format!("its PL/pgSQL does not parse: {e}")),
    }
    let input = CString::new(definition).map_err(|e| e.to_string())?;
    // SAFETY: `input` outlives the call; the result's strings are read before it is freed, once.
    let raw = unsafe {
        let result = pg_query_parse_plpgsql(input.as_ptr());
        let text = if !result.error.is_null() {
            // The error's first field is its message.
            Err(CStr::from_ptr(*result.error).to_string_lossy().into_owned())
        } else if result.plpgsql_funcs.is_null() {
            Err("no result".to_owned())
        } else {
            Ok(CStr::from_ptr(result.plpgsql_funcs).to_string_lossy().into_owned())
        };
        pg_query_free_plpgsql_parse_result(result);
        text
    };
    let mended =
        raw.map_err(|e| format!("its PL/pgSQL does not parse: {e}"))?.replace(",{}}", ",{}").replace("[{}}", "[{}");
    serde_json::from_str(&mended).map_err(|e| format!("its PL/pgSQL could not be read: {e}"))
}

/// An expression or statement of a PL/pgSQL body (`parseMode` 0: a statement; 3 to 5: `target := expression`;
/// otherwise an expression).
fn expression(query: &str, mode: i64, calls: &mut Vec<String>) -> Result<(), String> {
    match mode {
        0 => read_only_sql(query, calls),
        3..=5 => {
            // PL/pgSQL takes `=` for `:=`.
            let (_, value) = query
                .split_once(":=")
                .or_else(|| query.split_once('='))
                .ok_or_else(|| format!("an assignment without := ({query})"))?;
            read_only_sql(&format!("SELECT {value}"), calls)
        }
        _ => read_only_sql(&format!("SELECT {query}"), calls),
    }
}

fn plpgsql(value: &Value, calls: &mut Vec<String>) -> Result<(), String> {
    match value {
        Value::Array(items) => items.iter().try_for_each(|v| plpgsql(v, calls)),
        Value::Object(fields) => {
            for (key, inner) in fields {
                if let Some(kind) = key.strip_prefix("PLpgSQL_stmt_") {
                    // SELECT ... INTO a variable is an execsql; only reads pass `expression`.
                    if !QUIET_STATEMENTS.contains(&kind) && kind != "execsql" {
                        return Err(format!("its PL/pgSQL runs {kind}, which could write"));
                    }
                }
                if key == "PLpgSQL_expr" {
                    let query = inner["query"].as_str().unwrap_or_default();
                    expression(query, inner["parseMode"].as_i64().unwrap_or(0), calls)?;
                    continue;
                }
                plpgsql(inner, calls)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plpgsql_function(body: &str) -> String {
        format!("CREATE FUNCTION f(prefix text) RETURNS text LANGUAGE plpgsql AS $fn$ {body} $fn$")
    }

    #[test]
    fn functions_that_only_read_name_what_they_call() {
        // Documenso's id generator and Lemmy's changeme generator.
        let body = "DECLARE x int := length(prefix); r record; BEGIN x := x + 1; SELECT count(*) INTO x FROM t; \
                    PERFORM g(1); FOR r IN SELECT * FROM t LOOP x := x + h(r.id); END LOOP; IF x > 0 THEN RAISE \
                    NOTICE 'x %', x; END IF; RETURN prefix || '_' || nanoid(16, 'abc'); END";
        let calls = reads_only("plpgsql", &plpgsql_function(body), body).unwrap();
        assert_eq!(calls, ["count", "g", "h", "length", "nanoid"]);
        let sql = "SELECT 'changeme_' || string_agg(substr('abc', ceil(random() * 3)::integer, 1), '') FROM \
                   generate_series(1, 20)";
        assert_eq!(reads_only("sql", "", sql).unwrap(), ["ceil", "generate_series", "random", "string_agg", "substr"]);
    }

    #[test]
    fn trigger_functions_are_read_too() {
        // libpg_query's JSON for a trigger function needs mending; `NEW.x := ...` is an assignment.
        let definition = "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN IF TG_OP = 'UPDATE' \
                          THEN NEW.updated_at := stamp(now()); END IF; RETURN NEW; END $fn$";
        assert_eq!(reads_only("plpgsql", definition, "").unwrap(), ["now", "stamp"]);
        // crates.io's set_updated_at assigns with `=`.
        let equals = definition.replace("NEW.updated_at := stamp(now())", "NEW.updated_at = CURRENT_TIMESTAMP");
        assert!(reads_only("plpgsql", &equals, "").unwrap().is_empty());
        let writing = definition.replace("NEW.updated_at := stamp(now());", "INSERT INTO log VALUES (1);");
        assert!(reads_only("plpgsql", &writing, "").unwrap_err().contains("other than SELECT"));
    }

    #[test]
    fn functions_that_could_write_say_why() {
        for (language, body, why) in [
            ("plpgsql", "BEGIN INSERT INTO log VALUES (1); RETURN 'x'; END", "other than SELECT"),
            ("plpgsql", "BEGIN EXECUTE 'DELETE FROM t'; RETURN 'x'; END", "dynexecute"),
            ("plpgsql", "BEGIN CALL p(); RETURN 'x'; END", "call"),
            ("plpgsql", "BEGIN RETURN (WITH d AS (DELETE FROM t RETURNING 1) SELECT 'x' FROM d); END", "writes"),
            ("plpgsql", "BEGIN COMMIT; RETURN 'x'; END", "commit"),
            ("sql", "UPDATE t SET a = 1 RETURNING 'x'", "other than SELECT"),
            ("sql", "SELECT 1 INTO new_table", "SELECT INTO"),
            ("sql", "SELECT 1; DELETE FROM t", "other than SELECT"),
            ("c", "", "written in c"),
            ("plpython3u", "", "written in plpython3u"),
        ] {
            let definition = plpgsql_function(body);
            let got = reads_only(language, &definition, body).unwrap_err();
            assert!(got.contains(why), "{body}: {got}");
        }
    }
}
