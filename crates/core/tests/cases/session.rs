use super::{Case, Expect::*};

pub const CASES: &[Case] = &[
    Case {
        name: "session settings and transaction control leave no schema behind",
        setup: "CREATE TABLE t (id int);",
        migration: "BEGIN;\nSET lock_timeout = '5s';\nSET LOCAL statement_timeout = 0;\nLOCK TABLE t IN ACCESS EXCLUSIVE MODE;\nALTER TABLE t ADD COLUMN n int;\nANALYZE t;\nRESET lock_timeout;\nCOMMIT;",
        expect: Safe("ALTER TABLE t DROP COLUMN n;\n"),
    },
    Case {
        name: "search_path changes name resolution",
        setup: "CREATE SCHEMA app;",
        migration: "SET search_path TO app;\nCREATE TABLE t (id int);",
        expect: Unsafe { code: "SEARCH_PATH", script: Some("DROP TABLE t;\n") },
    },
    Case {
        name: "role changes change who owns what the migration creates",
        setup: "",
        migration: "SET ROLE postgres;\nCREATE TABLE t (id int);",
        expect: Unsafe { code: "SESSION_ROLE", script: Some("DROP TABLE t;\n") },
    },
    Case {
        name: "comments and grants on existing objects",
        setup: "CREATE TABLE t (id int);",
        migration: "COMMENT ON TABLE t IS 'x';\nGRANT SELECT ON t TO PUBLIC;\nCOMMENT ON COLUMN t.id IS 'key';",
        expect: Unsafe { code: "PREVIOUS_STATE_UNKNOWN", script: None },
    },
    Case {
        name: "truncate and copy are data migrations",
        setup: "CREATE TABLE t (id int);",
        migration: "TRUNCATE t;",
        expect: Unsafe { code: "DATA_MIGRATION", script: None },
    },
    Case {
        name: "unsupported statements are reported, not guessed",
        setup: "",
        migration: "CREATE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int);",
        expect: Unsafe { code: "UNSUPPORTED_STATEMENT", script: None },
    },
    Case {
        name: "migrations of pg-rollback's own metadata are rolled back by hand",
        setup: "",
        migration: "CREATE TABLE schema_versions (id serial PRIMARY KEY, version text NOT NULL);\nALTER TABLE schema_versions ADD COLUMN rollback_script text;\nCREATE SCHEMA drizzle;",
        expect: Unsafe { code: "ROLLBACK_METADATA", script: None },
    },
];
