use super::{Case, Expect::*};

pub const CASES: &[Case] = &[
    Case {
        name: "view, materialized view and sequence",
        setup: "CREATE TABLE items (id int, price int);",
        migration: "CREATE VIEW cheap_items AS SELECT id FROM items WHERE price < 10;\nCREATE MATERIALIZED VIEW item_totals AS SELECT count(*) AS n FROM items;\nCREATE SEQUENCE order_no INCREMENT 5;",
        expect: Safe("DROP SEQUENCE order_no;\nDROP MATERIALIZED VIEW item_totals;\nDROP VIEW cheap_items;\n"),
    },
    Case {
        name: "recursive view and materialized view with no data",
        setup: "",
        migration: "CREATE RECURSIVE VIEW nums (n) AS VALUES (1) UNION ALL SELECT n + 1 FROM nums WHERE n < 5;\nCREATE MATERIALIZED VIEW later AS SELECT 1 AS one WITH NO DATA;",
        expect: Safe("DROP MATERIALIZED VIEW later;\nDROP VIEW nums;\n"),
    },
    Case {
        name: "create or replace view",
        setup: "",
        migration: "CREATE OR REPLACE VIEW v AS SELECT 1 AS one;",
        expect: Unsafe { code: "OR_REPLACE", script: None },
    },
    Case {
        name: "materialized view if not exists",
        setup: "",
        migration: "CREATE MATERIALIZED VIEW IF NOT EXISTS m AS SELECT 1 AS one;",
        expect: Unsafe { code: "IF_NOT_EXISTS", script: None },
    },
    Case {
        name: "sequence if not exists",
        setup: "",
        migration: "CREATE SEQUENCE IF NOT EXISTS s;",
        expect: Unsafe { code: "IF_NOT_EXISTS", script: None },
    },
];
