//! Every case table: the exact rollback text and classification, with every generated statement re-parsed.
mod cases;

use cases::Expect;
use pg_rollback_core::{generate_rollback, Code, RollbackPlan};

/// Generates the plan and checks what must hold for any plan: each inverse and the whole script parse
/// back with the real parser, the script is the inverses in reverse order, and safety matches the statements.
fn verified(sql: &str) -> RollbackPlan {
    let plan = generate_rollback(sql).unwrap_or_else(|e| panic!("generate_rollback failed: {e}"));
    let mut expected_script = String::new();
    for statement in plan.statements.iter().rev() {
        if let Some(inverse) = &statement.inverse {
            pg_query::parse(inverse, 0).unwrap_or_else(|e| panic!("inverse does not parse: {inverse}\n{e}"));
            assert!(inverse.ends_with(";\n"), "inverse must end with ';\\n': {inverse:?}");
            expected_script.push_str(inverse);
        }
        assert_eq!(statement.reversible, statement.code.is_none(), "code iff not reversible: {statement:?}");
    }
    assert_eq!(plan.rollback_safe, !plan.statements.is_empty() && plan.statements.iter().all(|s| s.reversible));
    if plan.rollback_safe && expected_script.is_empty() {
        // Nothing to undo: a script that runs and says so, one comment line per statement.
        let script = plan.rollback_script.as_deref().expect("a safe plan has a script");
        assert!(pg_rollback_core::noop::is_comment_only(script), "not only comments: {script:?}");
        assert_eq!(script.lines().count(), plan.statements.len(), "{script:?}");
        assert!(script.lines().all(|l| l.starts_with("-- ") && l.ends_with("nothing to undo")), "{script:?}");
        return plan;
    }
    assert_eq!(plan.rollback_script.as_deref().unwrap_or(""), expected_script);
    if let Some(script) = &plan.rollback_script {
        pg_query::parse(script, 0).unwrap_or_else(|e| panic!("script does not parse: {script}\n{e}"));
    }
    assert_eq!(plan.rollback_safe, !plan.statements.is_empty() && plan.statements.iter().all(|s| s.reversible));
    let blocked = plan.statements.iter().filter(|s| !s.reversible).count();
    let blocking_warnings = plan.warnings.iter().filter(|w| w.code != Code::NonTransactional).count();
    assert_eq!(blocked, blocking_warnings, "one warning per irreversible statement");
    plan
}

#[test]
fn every_case_generates_its_expected_rollback() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (family, cases) in cases::all() {
        for case in cases {
            count += 1;
            let plan = verified(case.migration);
            // "" in a case table: nothing to undo (`verified` checked the script of comments saying so).
            let script = plan.rollback_script.as_deref().filter(|s| !pg_rollback_core::noop::is_comment_only(s));
            let problem = match case.expect {
                Expect::Safe(expected) => {
                    let expected = (!expected.is_empty()).then_some(expected);
                    (!plan.rollback_safe || script != expected).then(|| {
                        format!(
                            "expected safe {expected:?}\n     got safe={} {script:?}\n     {:?}",
                            plan.rollback_safe, plan.warnings
                        )
                    })
                }
                Expect::Unsafe { code, script: expected } => {
                    let first_code =
                        plan.statements.iter().find(|s| !s.reversible).and_then(|s| s.code.map(Code::as_str));
                    (plan.rollback_safe || first_code != Some(code) || script != expected).then(|| {
                        format!(
                            "expected unsafe {code} {expected:?}\n     got safe={} {first_code:?} {script:?}",
                            plan.rollback_safe
                        )
                    })
                }
            };
            if let Some(problem) = problem {
                failures.push(format!("[{family}] {}:\n     {problem}", case.name));
            }
        }
    }
    assert!(count > 80, "the case tables shrank to {count}");
    assert!(failures.is_empty(), "{} of {count} cases failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn spec_messages_are_exact() {
    let plan = verified("ALTER TABLE wishlist_items DROP COLUMN legacy_field;");
    assert_eq!(plan.warnings[0].message, "Cannot auto-generate rollback for DROP COLUMN (data loss)");
    assert_eq!(plan.rollback_script, None);
    let plan = verified("ALTER TYPE wishlist_store ADD VALUE 'Amazon';");
    assert_eq!(plan.warnings[0].message, "Cannot rollback enum value addition (PostgreSQL limitation)");
    let plan = verified("UPDATE wishlist_items SET notes = '';");
    assert_eq!(plan.warnings[0].message, "Cannot auto-generate rollback for data migrations");
    let plan = verified("DROP TABLE wishlist_items;");
    assert_eq!(plan.warnings[0].message, "Cannot auto-generate rollback for DROP TABLE (data loss)");
}

#[test]
fn statements_and_warnings_point_at_the_source() {
    let sql = "-- header\nALTER TABLE t ADD COLUMN a int;\n\n  ALTER TABLE t DROP COLUMN b; CREATE INDEX CONCURRENTLY i ON t (a);";
    let plan = verified(sql);
    let positions: Vec<_> = plan.statements.iter().map(|s| (s.index, s.line, s.column, s.kind.as_str())).collect();
    assert_eq!(positions, [(0, 2, 1, "ALTER TABLE"), (1, 4, 3, "ALTER TABLE"), (2, 4, 32, "CREATE INDEX")]);
    assert_eq!(plan.statements[1].sql, "ALTER TABLE t DROP COLUMN b");
    let drop = plan.warnings.iter().find(|w| w.code == Code::DropColumn).unwrap();
    assert_eq!((drop.statement_index, drop.line, drop.column), (1, 4, 3));
    assert!(!plan.transactional);
    assert!(plan.warnings.iter().any(|w| w.code == Code::NonTransactional && w.statement_index == 2));
}

#[test]
fn empty_and_comment_only_migrations_are_not_safe() {
    for sql in ["", "   \n", "-- nothing\n/* here */", ";;"] {
        let plan = verified(sql);
        assert!(plan.statements.is_empty(), "{sql:?}");
        assert!(!plan.rollback_safe, "{sql:?}");
        assert_eq!(plan.rollback_script, None);
    }
}

#[test]
fn full_plan_snapshots() {
    let migration = "ALTER TABLE wishlist_items ADD COLUMN field1 TEXT;\nCREATE INDEX idx1 ON wishlist_items(field1);\nALTER TABLE wishlist_items DROP COLUMN legacy_field;";
    insta::assert_json_snapshot!("spec_edge_1", verified(migration));
    let drizzle = cases::all()
        .into_iter()
        .flat_map(|(_, cases)| cases.iter())
        .find(|c| c.name == "drizzle: new tables, enum, indexes and guarded foreign keys")
        .unwrap();
    insta::assert_json_snapshot!("drizzle_guarded", verified(drizzle.migration));
}

#[test]
fn large_migrations_keep_statement_order_and_positions() {
    // Big enough for the split, multi-threaded parse path.
    let n = 6000;
    let sql: String = (0..n).map(|i| format!("ALTER TABLE t ADD COLUMN c{i} int;\n")).collect();
    assert!(sql.len() > 128 * 1024);
    let plan = verified(&sql);
    assert_eq!(plan.statements.len(), n);
    for (i, statement) in plan.statements.iter().enumerate() {
        assert_eq!((statement.line, statement.column), (i as u32 + 1, 1));
        assert_eq!(statement.sql, format!("ALTER TABLE t ADD COLUMN c{i} int"));
    }
    let expected: String = (0..n).rev().map(|i| format!("ALTER TABLE t DROP COLUMN c{i};\n")).collect();
    assert_eq!(plan.rollback_script.as_deref(), Some(expected.as_str()));
}

#[test]
fn large_migrations_report_the_exact_error_position() {
    let mut sql: String = (0..5000).map(|i| format!("CREATE TABLE t{i} (id int);\n")).collect();
    sql.push_str("CREATE TABLE broken (id int,);\n");
    let err = generate_rollback(&sql).unwrap_err();
    assert_eq!(err.code(), "PARSE_ERROR");
    assert!(err.to_string().contains("at line 5001, column 29 (statement 5001)"), "{err}");
}
