//! `generate_rollback` must never panic, whatever it is given. When it succeeds, everything it
//! generated must parse; when it fails, the error is a coded input error that says where.
mod cases;

use pg_rollback_core::{generate_rollback, RollbackPlan};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::TestCaseError;

/// Hand-picked pieces that stress the statement splitter, positions and quoting.
const TRICKY: &[&str] = &[
    "SELECT 'it''s; not -- a comment';",
    "SELECT E'back\\\\slash \\' quote;';",
    "SELECT $$ dollar ' \" ; -- quoted $$;",
    "SELECT $tag$ $$ nested ; $tag$;",
    "SELECT $a$ unterminated",
    "SELECT 'unterminated",
    "CREATE TABLE \"Ünïcödé 表\" (\"列 😀\" int);",
    "CREATE TABLE café (naïve int, \"we\"\"ird\" text);",
    "ALTER TABLE \"Ünïcödé 表\" ADD COLUMN \"ß\" text;",
    "SELECT U&\"d\\0061t\\+000061\" FROM t;",
    "/* block /* nested */ comment ; */ SELECT 1;",
    "/* unterminated comment",
    "-- line comment ; with a semicolon\n",
    "--> statement-breakpoint\n",
    "\n--> statement-breakpoint\n",
    "DO $$ BEGIN RAISE NOTICE 'x;y'; END $$;",
    "DO LANGUAGE plpgsql $body$ DECLARE r record; BEGIN NULL; END $body$;",
    "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;",
    "SELECT ((((((((((((((((((((1))))))))))))))))))));",
    "SELECT (((((((((((",
    ")))))",
    "ALTER TABLE wishlist_items ADD COLUMN notes TEXT;",
    "ALTER TABLE wishlist_items DROP COLUMN legacy_field;",
    "ALTER TABLE wishlist_items ADD CONSTRAINT c CHECK (price > 0);",
    "ALTER TYPE wishlist_store ADD VALUE 'Amazon';",
    "CREATE INDEX CONCURRENTLY i ON t(x);",
    "CREATE UNIQUE INDEX IF NOT EXISTS \"i x\" ON public.t USING btree (lower(x)) WHERE x IS NOT NULL;",
    "CREATE TABLE t (id serial PRIMARY KEY, x text DEFAULT 'a;b');",
    "INSERT INTO t VALUES (1, 'x');",
    "UPDATE t SET x = 'y' WHERE id = 1;",
    "BEGIN; COMMIT;",
    "COPY t FROM stdin;\n1\tx\n\\.\n",
    "\\set x 1\n",
    ";;;",
    "",
    " \t\r\n",
    "\u{feff}SELECT 1;",
    "SELECT 1;\u{2028}SELECT 2;",
    "SELECT 1\r\n;\r\n",
];

/// Characters most likely to change how the input splits or parses.
const SPECIAL: &[char] =
    &['\'', '"', '$', '(', ')', ';', '-', '/', '*', '\\', '\n', '\r', '\t', '\0', 'é', '😀', ' ', 'E', 'x'];

const SEPARATORS: &[&str] = &["", " ", "\n", ";", ";\n", "\n--> statement-breakpoint\n", "\r\n", "/* c */", "-- c\n"];

fn fragments() -> Vec<String> {
    let mut all: Vec<String> = TRICKY.iter().map(|s| s.to_string()).collect();
    for (_, family) in cases::all() {
        for case in family {
            all.push(case.migration.to_string());
            all.push(case.setup.to_string());
            if let cases::Expect::Safe(script) = case.expect {
                all.push(script.to_string());
            }
        }
    }
    all
}

fn concatenation() -> impl Strategy<Value = String> {
    prop::collection::vec((select(fragments()), select(SEPARATORS)), 0..8)
        .prop_map(|parts| parts.into_iter().map(|(f, sep)| f + sep).collect())
}

fn char_boundary(s: &str, index: &Index) -> usize {
    let boundaries: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    boundaries[index.index(boundaries.len())]
}

/// Start of one of the characters of a non-empty `s`.
fn char_start(s: &str, index: &Index) -> usize {
    let starts: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
    starts[index.index(starts.len())]
}

fn truncated() -> impl Strategy<Value = String> {
    (concatenation(), any::<Index>()).prop_map(|(s, cut)| s[..char_boundary(&s, &cut)].to_string())
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, char),
    Delete(Index),
    Replace(Index, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let ch = prop_oneof![3 => select(SPECIAL), 1 => any::<char>()];
    prop_oneof![
        (any::<Index>(), ch.clone()).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<Index>().prop_map(Edit::Delete),
        (any::<Index>(), ch).prop_map(|(i, c)| Edit::Replace(i, c)),
    ]
}

fn mutated() -> impl Strategy<Value = String> {
    (concatenation(), prop::collection::vec(edit(), 1..6)).prop_map(|(mut s, edits)| {
        for edit in edits {
            match edit {
                Edit::Insert(i, c) => {
                    let at = char_boundary(&s, &i);
                    s.insert(at, c);
                }
                Edit::Delete(_) | Edit::Replace(..) if s.is_empty() => {}
                Edit::Delete(i) => {
                    let at = char_start(&s, &i);
                    s.remove(at);
                }
                Edit::Replace(i, c) => {
                    let at = char_start(&s, &i);
                    s.remove(at);
                    s.insert(at, c);
                }
            }
        }
        s
    })
}

fn any_input() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[ -~\n\t]{0,60}", concatenation(), truncated(), mutated(),]
}

/// The last `<word> <number>` in `message`.
fn number_after(message: &str, word: &str) -> Option<u64> {
    let needle = format!("{word} ");
    message.rmatch_indices(needle.as_str()).find_map(|(i, _)| {
        let digits: String = message[i + needle.len()..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// Lines a position may name: one more than the line breaks, whichever convention is counted.
fn max_line(sql: &str) -> u64 {
    1 + sql.chars().filter(|&c| c == '\n' || c == '\r').count() as u64
}

fn check_plan(sql: &str, plan: &RollbackPlan) -> Result<(), TestCaseError> {
    for st in &plan.statements {
        prop_assert!(st.line >= 1 && st.column >= 1, "statement {} at line {} column {}", st.index, st.line, st.column);
        prop_assert!(u64::from(st.line) <= max_line(sql), "statement {} line {} is past the input", st.index, st.line);
        if let Some(inverse) = &st.inverse {
            let parsed = pg_query::parse(inverse, 0);
            prop_assert!(
                parsed.is_ok(),
                "inverse of statement {} does not parse: {:?}\n{}",
                st.index,
                parsed.err(),
                inverse
            );
        }
    }
    for w in &plan.warnings {
        prop_assert!(w.line >= 1 && w.column >= 1, "warning {} at line {} column {}", w.code, w.line, w.column);
    }
    if let Some(script) = &plan.rollback_script {
        let parsed = pg_query::parse(script, 0);
        prop_assert!(parsed.is_ok(), "rollbackScript does not parse: {:?}\n{}", parsed.err(), script);
    }
    Ok(())
}

fn check(sql: &str) -> Result<(), TestCaseError> {
    match generate_rollback(sql) {
        Ok(plan) => check_plan(sql, &plan),
        Err(e) => {
            let message = e.to_string();
            prop_assert!(
                matches!(e.code(), "PARSE_ERROR" | "INVALID_INPUT"),
                "unexpected error [{}] {}",
                e.code(),
                message
            );
            let line = number_after(&message, "line");
            let column = number_after(&message, "column");
            prop_assert!(line.is_some() && column.is_some(), "error message names no line and column: {message}");
            let (line, column) = (line.unwrap(), column.unwrap());
            prop_assert!(line >= 1 && column >= 1, "error position must be 1-based: {message}");
            prop_assert!(line <= max_line(sql), "error line {line} is past the input: {message}");
            Ok(())
        }
    }
}

proptest! {
    // No regression files: a failure prints its minimal input, which belongs in a case table.
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_and_output_reparses(sql in any_input()) {
        check(&sql)?;
    }
}

#[test]
fn every_fragment_alone_is_handled() {
    for sql in fragments() {
        if let Err(e) = check(&sql) {
            panic!("{e}\ninput: {sql:?}");
        }
    }
}

#[test]
fn ten_megabyte_migration() {
    let mut sql = String::with_capacity(10 * 1024 * 1024 + 200);
    let mut statements = 0;
    let mut i = 0;
    while sql.len() < 10 * 1024 * 1024 {
        sql.push_str(&format!(
            "ALTER TABLE wishlist_items ADD COLUMN c{i} text;\n--> statement-breakpoint\nCREATE INDEX i{i} ON wishlist_items (c{i});\n"
        ));
        statements += 2;
        i += 1;
    }
    match generate_rollback(&sql) {
        Ok(plan) => assert_eq!(plan.statements.len(), statements, "every statement gets a plan entry"),
        Err(e) => assert!(matches!(e.code(), "PARSE_ERROR" | "INVALID_INPUT"), "[{}] {e}", e.code()),
    }
}

#[test]
fn ten_megabyte_single_statement() {
    let sql = format!("COMMENT ON TABLE t IS '{}';", "x'';".repeat(10 * 1024 * 1024 / 4));
    if let Err(e) = generate_rollback(&sql) {
        assert!(matches!(e.code(), "PARSE_ERROR" | "INVALID_INPUT"), "[{}] {e}", e.code());
    }
}

#[test]
fn hundred_thousand_nested_parentheses() {
    let depth = 100_000;
    let nested = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
    let inputs = [
        format!("SELECT {nested};"),
        format!("ALTER TABLE t ADD COLUMN c int DEFAULT {nested};"),
        format!("ALTER TABLE t ADD CONSTRAINT c CHECK {nested};"),
        format!("SELECT {}", "(".repeat(depth)),
    ];
    for sql in &inputs {
        // Ok or a coded error are both fine; a crash or INTERNAL_ERROR is not.
        if let Err(e) = generate_rollback(sql) {
            assert!(matches!(e.code(), "PARSE_ERROR" | "INVALID_INPUT"), "[{}] {e}", e.code());
        }
    }
}

#[test]
fn nul_byte_is_invalid_input_not_a_crash() {
    let err =
        generate_rollback("ALTER TABLE t ADD COLUMN a int;\nSELECT '\0';").expect_err("NUL cannot reach the parser");
    assert_eq!(err.code(), "INVALID_INPUT", "{err}");
    assert_eq!(
        (number_after(&err.to_string(), "line"), number_after(&err.to_string(), "column")),
        (Some(2), Some(9)),
        "{err}"
    );
}
