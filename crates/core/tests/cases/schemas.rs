use super::{Case, Expect::*};

pub const CASES: &[Case] = &[
    Case {
        name: "schema and objects in it",
        setup: "",
        migration: "CREATE SCHEMA billing;\nCREATE TABLE billing.invoices (id int);\nCREATE SEQUENCE billing.invoice_no START 1000;",
        expect: Safe("DROP SEQUENCE billing.invoice_no;\nDROP TABLE billing.invoices;\nDROP SCHEMA billing;\n"),
    },
    Case {
        name: "schema authorization names the schema after the role",
        setup: "CREATE ROLE rollback_test_owner;",
        migration: "CREATE SCHEMA AUTHORIZATION rollback_test_owner;",
        expect: Safe("DROP SCHEMA rollback_test_owner;\n"),
    },
    Case {
        name: "schema if not exists",
        setup: "",
        migration: "CREATE SCHEMA IF NOT EXISTS app;",
        expect: Unsafe { code: "IF_NOT_EXISTS", script: None },
    },
    Case {
        name: "extension",
        setup: "",
        migration: "CREATE EXTENSION citext;",
        expect: Safe("DROP EXTENSION citext;\n"),
    },
    Case {
        name: "extension if not exists",
        setup: "",
        migration: "CREATE EXTENSION IF NOT EXISTS citext;",
        expect: Unsafe { code: "IF_NOT_EXISTS", script: None },
    },
];
