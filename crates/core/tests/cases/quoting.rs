//! Hostile names must come back exactly: mixed case, reserved words, embedded quotes, unicode, spaces.
use super::{Case, Expect::*};

pub const CASES: &[Case] = &[
    Case {
        name: "hostile identifiers everywhere",
        setup: "CREATE SCHEMA \"My Schema\"; CREATE TABLE \"My Schema\".\"user\" (\"Id\" int);",
        migration: "ALTER TABLE \"My Schema\".\"user\" ADD COLUMN \"we\"\"ird\" text, ADD COLUMN \"naïve\" int, ADD COLUMN \"select\" int, ADD COLUMN \"a;b\" int;\nCREATE INDEX \"idx \"\"quoted\"\"\" ON \"My Schema\".\"user\" (\"Id\");\nALTER TABLE \"My Schema\".\"user\" RENAME COLUMN \"Id\" TO \"ID\";",
        expect: Safe("ALTER TABLE \"My Schema\".\"user\" RENAME COLUMN \"ID\" TO \"Id\";\nDROP INDEX \"My Schema\".\"idx \"\"quoted\"\"\";\nALTER TABLE \"My Schema\".\"user\" DROP COLUMN \"a;b\", DROP COLUMN \"select\", DROP COLUMN \"naïve\", DROP COLUMN \"we\"\"ird\";\n"),
    },
    Case {
        name: "unquoted names fold to lower case",
        setup: "CREATE TABLE items (id int);",
        migration: "ALTER TABLE ITEMS ADD COLUMN Notes TEXT;",
        expect: Safe("ALTER TABLE items DROP COLUMN notes;\n"),
    },
    Case {
        name: "enum values with quotes and backslashes",
        setup: "CREATE TYPE t AS ENUM ('a');",
        migration: "ALTER TYPE t RENAME VALUE 'a' TO 'it''s a \\ path';",
        expect: Safe("ALTER TYPE t RENAME VALUE E'it''s a \\\\ path' TO 'a';\n"),
    },
];
