//! From the SQL alone, the statements whose rollback needs the database's state stay unsafe: CREATE OR
//! REPLACE VIEW, DROP of several objects or with CASCADE, CREATE EXTENSION ... CASCADE, ALTER DOMAIN ...
//! VALIDATE CONSTRAINT. (`tests/capture_cases/statements_a.rs` proves them with the state captured.)
use super::{Case, Expect::*};

pub const CASES: &[Case] = &[
    Case {
        name: "create or replace view adding a column",
        setup: "CREATE VIEW v AS SELECT 1 AS a;",
        migration: "CREATE OR REPLACE VIEW v AS SELECT 1 AS a, 2 AS b;",
        expect: Unsafe { code: "OR_REPLACE", script: None },
    },
    Case {
        name: "drop several views at once",
        setup: "CREATE VIEW v1 AS SELECT 1 AS a; CREATE VIEW \"V 2\" AS SELECT a FROM v1;",
        migration: "DROP VIEW \"V 2\", v1;",
        expect: Unsafe { code: "DROP_OBJECT", script: None },
    },
    Case {
        name: "drop view cascade that takes a materialized view",
        setup: "CREATE VIEW v AS SELECT 1 AS a; CREATE MATERIALIZED VIEW m AS SELECT a FROM v;",
        migration: "DROP VIEW v CASCADE;",
        expect: Unsafe { code: "DROP_OBJECT", script: None },
    },
    Case {
        name: "create extension cascade",
        setup: "",
        migration: "CREATE EXTENSION earthdistance CASCADE;",
        expect: Unsafe { code: "PREVIOUS_STATE_UNKNOWN", script: None },
    },
    Case {
        name: "validate a domain constraint",
        setup: "CREATE DOMAIN d AS int; ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID;",
        migration: "ALTER DOMAIN d VALIDATE CONSTRAINT pos;",
        expect: Unsafe { code: "NO_INVERSE_OPERATION", script: None },
    },
];
