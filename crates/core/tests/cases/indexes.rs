use super::{Case, Expect::*};

pub const CASES: &[Case] = &[
    Case {
        name: "spec: create index",
        setup: "CREATE TABLE wishlist_items (id int, user_id int);",
        migration: "CREATE INDEX idx_test ON wishlist_items(user_id);",
        expect: Safe("DROP INDEX idx_test;\n"),
    },
    Case {
        name: "index lives in its table's schema",
        setup: "CREATE SCHEMA app; CREATE TABLE app.t (x int, y text);",
        migration: "CREATE UNIQUE INDEX i ON app.t (x) INCLUDE (y) WHERE x > 0;",
        expect: Safe("DROP INDEX app.i;\n"),
    },
    Case {
        name: "expression, gin and partial indexes with quoted names",
        setup: "CREATE TABLE \"Users\" (\"Email\" text, tags text[]);",
        migration: "CREATE INDEX \"Users_lower_Email\" ON \"Users\" (lower(\"Email\"));\nCREATE INDEX \"order\" ON \"Users\" USING gin (tags);",
        expect: Safe("DROP INDEX \"order\";\nDROP INDEX \"Users_lower_Email\";\n"),
    },
    Case {
        name: "concurrently: rollback cannot run in a transaction",
        setup: "CREATE TABLE t (x int);",
        migration: "CREATE INDEX CONCURRENTLY t_x ON t (x);",
        expect: Safe("DROP INDEX CONCURRENTLY t_x;\n"),
    },
    Case {
        name: "index on a partitioned table",
        setup: "CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at); CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
        migration: "CREATE INDEX events_at ON events (at);",
        expect: Safe("DROP INDEX events_at;\n"),
    },
    Case {
        name: "unnamed index: PostgreSQL picks the name",
        setup: "CREATE TABLE t (x int);",
        migration: "CREATE INDEX ON t (x);",
        expect: Unsafe { code: "UNNAMED_OBJECT", script: None },
    },
    Case {
        name: "index if not exists depends on state",
        setup: "CREATE TABLE t (x int);",
        migration: "CREATE INDEX IF NOT EXISTS t_x ON t (x);",
        expect: Unsafe { code: "IF_NOT_EXISTS", script: None },
    },
    Case {
        name: "extended statistics",
        setup: "CREATE SCHEMA app; CREATE TABLE app.t (a int, b int);",
        migration: "CREATE STATISTICS app.t_ab (dependencies) ON a, b FROM app.t;",
        expect: Safe("DROP STATISTICS app.t_ab;\n"),
    },
    Case {
        name: "unnamed statistics",
        setup: "CREATE TABLE t (a int, b int);",
        migration: "CREATE STATISTICS ON a, b FROM t;",
        expect: Unsafe { code: "UNNAMED_OBJECT", script: None },
    },
    Case {
        name: "drop index",
        setup: "CREATE TABLE t (x int); CREATE INDEX t_x ON t (x);",
        migration: "DROP INDEX t_x;",
        expect: Unsafe { code: "DROP_OBJECT", script: None },
    },
];
