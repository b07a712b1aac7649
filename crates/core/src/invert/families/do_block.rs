//! DO blocks. drizzle-kit wraps statements as
//! `DO $$ BEGIN <stmt>; EXCEPTION WHEN duplicate_object THEN null; END $$;`: we read the PL/pgSQL body with
//! the real PL/pgSQL parser and invert the plain SQL inside. Anything procedural is a data migration.
use crate::ask::facts::Facts;
use crate::invert::context::Context;
use crate::invert::families::data;
use crate::invert::outcome::{code, Blocker, Outcome};
use crate::invert::{invert, kind};
use pg_query::protobuf::DoStmt;
use pg_query::NodeEnum;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A plain SQL statement found in the body, and whether an exception handler swallows its failure.
struct Embedded {
    sql: String,
    guarded: bool,
}

pub fn do_block(s: &DoStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    let mut body = None;
    let mut language = "plpgsql".to_owned();
    for arg in &s.args {
        let Some(NodeEnum::DefElem(d)) = &arg.node else { continue };
        let value = match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
            Some(NodeEnum::String(v)) => v.sval.clone(),
            _ => continue,
        };
        match d.defname.as_str() {
            "as" => body = Some(value),
            "language" => language = value.to_ascii_lowercase(),
            _ => {}
        }
    }
    let Some(body) = body.filter(|_| language == "plpgsql") else { return data::data_migration() };
    let Some(embedded) = parsed_body(&body) else { return data::data_migration() };

    let mut inverse = Vec::new();
    let mut blocker = None;
    let mut non_transactional = false;
    let last = embedded.len().saturating_sub(1);
    for (i, (node, guarded)) in embedded.iter().enumerate() {
        let saved = ctx.clone();
        let asked = facts.asked_so_far();
        let mut outcome = invert(node, ctx, *guarded, facts);
        let now = facts.asked_so_far();
        // The database answers before and after the whole block: only the first statement's "before" and the
        // last one's "after" are what that statement saw; the others may read state another one changed.
        // Such a statement is inverted from its SQL alone, as without a database.
        let relies_before = now.0 > asked.0 && i > 0;
        let relies_after = now.1 > asked.1 && i < last;
        if relies_before || relies_after {
            *ctx = saved;
            outcome = invert(node, ctx, *guarded, &Facts::sql_only());
            if outcome.blocker.is_some() {
                outcome.blocker = Some(Blocker {
                    code: code::DO_BLOCK_STATE,
                    message: format!(
                        "Cannot auto-generate a safe rollback for this DO block: its statement {} ({}) needs the \
                         state {} it ran, but the database can only be read {} the whole block, which other \
                         statements of the block may have changed",
                        i + 1,
                        kind(node),
                        if relies_before { "from before" } else { "from after" },
                        if relies_before { "before" } else { "after" }
                    ),
                });
            }
        }
        if blocker.is_none() {
            blocker = outcome.blocker;
        }
        non_transactional |= outcome.non_transactional;
        inverse.push(outcome.inverse);
    }
    inverse.reverse();
    Outcome { inverse: inverse.into_iter().flatten().collect(), blocker, non_transactional, ..Default::default() }
}

type Body = Option<Rc<Vec<(NodeEnum, bool)>>>;

thread_local! {
    // A statement is inverted several times while the planner asks the database about it; reading the body
    // with the PL/pgSQL parser once is enough.
    static BODIES: RefCell<HashMap<String, Body>> = RefCell::new(HashMap::new());
}

/// The parsed statements of a body and whether each is guarded; `None` when the body is procedural.
fn parsed_body(body: &str) -> Body {
    if let Some(found) = BODIES.with(|b| b.borrow().get(body).cloned()) {
        return found;
    }
    let parsed = drizzle_guard(body).map(|node| Rc::new(vec![(node, true)])).or_else(|| slow_body(body));
    BODIES.with(|b| {
        let mut bodies = b.borrow_mut();
        if bodies.len() >= 256 {
            bodies.clear();
        }
        bodies.insert(body.to_owned(), parsed.clone());
    });
    parsed
}

/// Node kinds that read the same in PL/pgSQL and in SQL (no INTO, no PL/pgSQL keyword of their own).
fn plain_ddl(node: &NodeEnum) -> bool {
    matches!(
        node,
        NodeEnum::AlterTableStmt(_)
            | NodeEnum::CreateEnumStmt(_)
            | NodeEnum::CreateStmt(_)
            | NodeEnum::IndexStmt(_)
            | NodeEnum::CreateSchemaStmt(_)
            | NodeEnum::CompositeTypeStmt(_)
    )
}

/// drizzle-kit's wrapper exactly, `BEGIN <ddl>; EXCEPTION WHEN duplicate_object THEN null; END`, read without
/// the PL/pgSQL parser (its JSON is most of a DO block's cost): the statement is parsed by the SQL parser.
/// `None` for anything else, which goes through the PL/pgSQL parser; both ways give the same statement.
fn drizzle_guard(body: &str) -> Option<NodeEnum> {
    let trimmed = body.trim();
    let rest = trimmed.get(..5).filter(|b| b.eq_ignore_ascii_case("begin")).map(|_| &trimmed[5..])?;
    if !rest.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let lower = rest.to_ascii_lowercase();
    let at = lower.rfind("exception")?;
    let tail: Vec<&str> = lower[at..].split_ascii_whitespace().collect();
    let tail_ok = matches!(
        tail.as_slice(),
        ["exception", "when", "duplicate_object", "then", "null;", "end"]
            | ["exception", "when", "duplicate_object", "then", "null", ";", "end"]
            | ["exception", "when", "duplicate_object", "then", "null;", "end;"]
            | ["exception", "when", "duplicate_object", "then", "null", ";", "end;"]
    );
    if !tail_ok {
        return None;
    }
    // A `--` comment could swallow the `;`; the SQL parser must see the whole statement and nothing else.
    let statement = rest[..at].trim_end().strip_suffix(';')?.trim();
    if statement.contains("--") {
        return None;
    }
    let mut parsed = crate::parse::wire::parse(statement).ok()?;
    let raw = parsed.stmts.pop().filter(|_| parsed.stmts.is_empty())?;
    // One statement spanning the whole text (not `a;` followed by nothing).
    if raw.stmt_location != 0 || !(raw.stmt_len == 0 || raw.stmt_len as usize == statement.len()) {
        return None;
    }
    raw.stmt?.node.filter(plain_ddl)
}

/// The general way: the PL/pgSQL parser finds the plain SQL statements, which the SQL parser then reads.
fn slow_body(body: &str) -> Body {
    embedded_statements(body).and_then(|embedded| {
        let mut nodes = Vec::new();
        for statement in embedded {
            let parsed = crate::parse::wire::parse(&statement.sql).ok()?;
            nodes.extend(
                parsed
                    .stmts
                    .into_iter()
                    .filter_map(|raw| raw.stmt.and_then(|n| n.node))
                    .map(|n| (n, statement.guarded)),
            );
        }
        Some(Rc::new(nodes))
    })
}

/// The SQL statements of a body made only of blocks and plain SQL, with handlers that do nothing;
/// `None` as soon as there is procedural logic.
fn embedded_statements(body: &str) -> Option<Vec<Embedded>> {
    let tag = (0..).map(|i| format!("$pgrollback{i}$")).find(|t| !body.contains(t.as_str()))?;
    let wrapper = format!("CREATE FUNCTION pg_rollback_do_block() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}");
    let parsed = pg_query::parse_plpgsql(&wrapper).ok()?;
    let function = parsed.as_array()?.first()?.get("PLpgSQL_function")?;
    let declared_variables = function.get("datums").and_then(Value::as_array).map_or(0, |d| {
        d.iter()
            .filter(|datum| {
                !matches!(
                    datum.pointer("/PLpgSQL_var/refname").and_then(Value::as_str),
                    Some("found" | "sqlstate" | "sqlerrm")
                )
            })
            .count()
    });
    if declared_variables > 0 {
        return None;
    }
    // The compiler appends a bare RETURN to the outermost block; any other RETURN is control flow.
    let mut action = function.get("action")?.clone();
    if let Some(body) = action.pointer_mut("/PLpgSQL_stmt_block/body").and_then(Value::as_array_mut) {
        if body.last().is_some_and(|last| last.get("PLpgSQL_stmt_return").is_some_and(|r| r.get("expr").is_none())) {
            body.pop();
        }
    }
    let mut out = Vec::new();
    collect(&action, false, &mut out)?;
    Some(out)
}

fn collect(statement: &Value, guarded: bool, out: &mut Vec<Embedded>) -> Option<()> {
    let (kind, fields) = statement.as_object()?.iter().next()?;
    match kind.as_str() {
        "PLpgSQL_stmt_block" => {
            let handlers = fields.pointer("/exceptions/PLpgSQL_exception_block/exc_list").and_then(Value::as_array);
            let swallows = match handlers {
                None => false,
                // Only handlers that do nothing (`THEN null`): anything else is procedural.
                Some(list) => list.iter().all(|h| {
                    h.pointer("/PLpgSQL_exception/action").and_then(Value::as_array).is_none_or(|a| a.is_empty())
                }),
            };
            if handlers.is_some() && !swallows {
                return None;
            }
            for inner in fields.get("body").and_then(Value::as_array).into_iter().flatten() {
                collect(inner, guarded || swallows, out)?;
            }
            Some(())
        }
        "PLpgSQL_stmt_execsql" => {
            if fields.get("into").and_then(Value::as_bool) == Some(true) {
                return None;
            }
            let sql = fields.pointer("/sqlstmt/PLpgSQL_expr/query")?.as_str()?;
            out.push(Embedded { sql: sql.to_owned(), guarded });
            Some(())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drizzle_wrapper_yields_its_statement_guarded() {
        let body = " BEGIN\n ALTER TABLE \"a\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"u\") REFERENCES \"b\"(\"id\");\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND ";
        let found = embedded_statements(body).unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].guarded);
        assert!(found[0].sql.starts_with("ALTER TABLE \"a\" ADD CONSTRAINT"));
    }

    #[test]
    fn the_drizzle_fast_path_reads_what_the_plpgsql_parser_reads() {
        let same = [
            " BEGIN\n ALTER TABLE \"a\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"u\") REFERENCES \"public\".\"b\"(\"id\") ON DELETE cascade ON UPDATE no action;\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND ",
            "\nbegin CREATE TYPE \"public\".\"s\" AS ENUM('a', 'b;c');\n exception when DUPLICATE_OBJECT then NULL ; end;\n",
            " BEGIN CREATE SCHEMA \"x\"; EXCEPTION WHEN duplicate_object THEN null; END ",
            " BEGIN CREATE INDEX i ON t ((a || ';')); EXCEPTION WHEN duplicate_object THEN null; END ",
        ];
        for body in same {
            let fast = drizzle_guard(body).unwrap_or_else(|| panic!("fast path refused {body:?}"));
            let slow = slow_body(body).unwrap();
            assert_eq!(slow.len(), 1, "{body:?}");
            assert_eq!(slow[0], (fast, true), "{body:?}");
        }
        // Anything else takes the PL/pgSQL parser (whatever it then decides).
        for body in [
            " BEGIN ALTER TABLE a ADD COLUMN c int; -- x;\nEXCEPTION WHEN duplicate_object THEN null; END ",
            " BEGIN ALTER TABLE a ADD COLUMN c int; ALTER TABLE a ADD COLUMN d int; EXCEPTION WHEN duplicate_object THEN null; END ",
            " BEGIN INSERT INTO t VALUES (1); EXCEPTION WHEN duplicate_object THEN null; END ",
            " BEGIN ALTER TABLE a ADD COLUMN c int; EXCEPTION WHEN others THEN null; END ",
            " BEGIN ALTER TABLE a ADD COLUMN c int; EXCEPTION WHEN duplicate_object THEN RAISE NOTICE 'x'; END ",
            " DECLARE n int; BEGIN ALTER TABLE a ADD COLUMN c int; EXCEPTION WHEN duplicate_object THEN null; END ",
            " <<l>> BEGIN ALTER TABLE a ADD COLUMN c int; EXCEPTION WHEN duplicate_object THEN null; END ",
            " BEGIN ALTER TABLE a ADD COLUMN c int EXCEPTION WHEN duplicate_object THEN null; END ",
            " BEGINALTER TABLE a ADD COLUMN c int; EXCEPTION WHEN duplicate_object THEN null; END ",
            " BEGIN ALTER TABLE a ADD COLUMN c int;; EXCEPTION WHEN duplicate_object THEN null; END ",
        ] {
            assert!(drizzle_guard(body).is_none(), "{body:?}");
        }
    }

    #[test]
    fn procedural_bodies_are_not_read_as_schema_changes() {
        assert!(embedded_statements("BEGIN IF true THEN CREATE TABLE t (); END IF; END").is_none());
        assert!(embedded_statements("DECLARE n int; BEGIN CREATE TABLE t (); END").is_none());
        assert!(
            embedded_statements("BEGIN CREATE TABLE t (); EXCEPTION WHEN others THEN RAISE NOTICE 'x'; END").is_none()
        );
        let plain = embedded_statements("BEGIN CREATE TABLE t (); CREATE INDEX i ON t (id); END").unwrap();
        assert_eq!(plain.len(), 2);
        assert!(!plain[0].guarded);
    }
}
