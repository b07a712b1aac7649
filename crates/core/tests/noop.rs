//! A safe migration with nothing to undo gets a rollback script that runs: one comment per statement
//! saying why (issue 16). Unsafe migrations keep `None` where the spec says "no rollback script".
use pg_rollback_core::{generate_rollback, noop::is_comment_only};

#[test]
fn nothing_to_undo_from_the_sql_alone_is_a_script_of_comments() {
    let cases = [
        (
            "SET lock_timeout = '5s';",
            "-- SET lock_timeout = '5s' (statement 1, line 1): a session setting, nothing to undo\n",
        ),
        (
            "BEGIN;\nLOCK TABLE t IN ACCESS EXCLUSIVE MODE;\nCOMMIT;",
            "-- BEGIN (statement 1, line 1): transaction control, nothing to undo\n\
             -- LOCK TABLE t IN ACCESS EXCLUSIVE MODE (statement 2, line 2): changes no schema, nothing to undo\n\
             -- COMMIT (statement 3, line 3): transaction control, nothing to undo\n",
        ),
        (
            "CREATE TEMP TABLE s (id int);\n  INSERT INTO s VALUES (1);",
            "-- CREATE TEMP TABLE s (id int) (statement 1, line 1): a temporary relation, gone with the migration's \
             session, nothing to undo\n\
             -- INSERT INTO s VALUES (1) (statement 2, line 2): on a temporary object, gone with the migration's \
             session, nothing to undo\n",
        ),
    ];
    for (sql, expected) in cases {
        let plan = generate_rollback(sql).unwrap();
        assert!(plan.rollback_safe, "{sql}");
        assert_eq!(plan.rollback_script.as_deref(), Some(expected), "{sql}");
        assert!(is_comment_only(expected));
        // The statements themselves have no inverse: only the whole script says why.
        assert!(plan.statements.iter().all(|s| s.reversible && s.inverse.is_none()), "{sql}");
        assert!(plan.warnings.is_empty(), "{sql}");
    }
}

#[test]
fn a_statement_spread_over_lines_is_one_comment_line() {
    let plan = generate_rollback("SET\n  statement_timeout\r\n=\t0;\n-- trailing\n").unwrap();
    assert_eq!(
        plan.rollback_script.as_deref(),
        Some("-- SET statement_timeout = 0 (statement 1, line 1): a session setting, nothing to undo\n")
    );
}

#[test]
fn unsafe_migrations_without_an_inverse_keep_no_script() {
    for sql in [
        "ALTER TABLE wishlist_items DROP COLUMN legacy_field;",
        "ALTER TYPE wishlist_store ADD VALUE 'NewStore';",
        "UPDATE wishlist_items SET notes = '';",
        "SET lock_timeout = '5s';\nDROP TABLE t;",
        "CREATE TABLE IF NOT EXISTS t (id int);",
    ] {
        let plan = generate_rollback(sql).unwrap();
        assert!(!plan.rollback_safe, "{sql}");
        assert_eq!(plan.rollback_script, None, "{sql}");
    }
}

#[test]
fn a_safe_plan_with_real_inverses_gets_no_comments() {
    let plan = generate_rollback("SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN n int;").unwrap();
    assert_eq!(plan.rollback_script.as_deref(), Some("ALTER TABLE t DROP COLUMN n;\n"));
}
