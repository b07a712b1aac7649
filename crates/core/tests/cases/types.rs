use super::{Case, Expect::*};

pub const CASES: &[Case] = &[
    Case {
        name: "enum, composite and range types",
        setup: "CREATE SCHEMA app;",
        migration: "CREATE TYPE app.wishlist_store AS ENUM ('Amazon', 'Etsy');\nCREATE TYPE address AS (street text, city text);\nCREATE TYPE price_range AS RANGE (subtype = numeric);",
        expect: Safe("DROP TYPE price_range;\nDROP TYPE address;\nDROP TYPE app.wishlist_store;\n"),
    },
    Case {
        name: "domain",
        setup: "",
        migration: "CREATE DOMAIN \"Email\" AS text CHECK (VALUE LIKE '%@%');",
        expect: Safe("DROP DOMAIN \"Email\";\n"),
    },
    Case {
        name: "spec: enum value addition",
        setup: "CREATE TYPE wishlist_store AS ENUM ('Etsy');",
        migration: "ALTER TYPE wishlist_store ADD VALUE 'Amazon';",
        expect: Unsafe { code: "ENUM_ADD_VALUE", script: None },
    },
    Case {
        name: "enum created and extended in the same migration",
        setup: "",
        migration: "CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE t (m mood);\nALTER TYPE mood ADD VALUE 'great';",
        expect: Safe("DROP TABLE t;\nDROP TYPE mood;\n"),
    },
    Case {
        name: "a renamed new type is still known; an older type is not",
        setup: "CREATE TYPE mood AS ENUM ('meh');",
        migration: "CREATE TYPE feeling AS ENUM ('ok');\nALTER TYPE feeling RENAME TO emotion;\nALTER TYPE emotion ADD VALUE 'great';\nALTER TYPE mood ADD VALUE 'fine';",
        expect: Unsafe { code: "ENUM_ADD_VALUE", script: Some("ALTER TYPE emotion RENAME TO feeling;\nDROP TYPE feeling;\n") },
    },
    Case {
        name: "domain constraints and not null",
        setup: "CREATE DOMAIN pos AS int; CREATE DOMAIN code AS text NOT NULL;",
        migration: "ALTER DOMAIN pos ADD CONSTRAINT pos_check CHECK (VALUE > 0);\nALTER DOMAIN pos SET NOT NULL;\nALTER DOMAIN code DROP NOT NULL;",
        expect: Unsafe {
            code: "PREVIOUS_STATE_UNKNOWN",
            script: Some("ALTER DOMAIN code SET NOT NULL;\nALTER DOMAIN pos DROP NOT NULL;\nALTER DOMAIN pos DROP CONSTRAINT pos_check;\n"),
        },
    },
    Case {
        name: "domain default: previous default unknown",
        setup: "CREATE DOMAIN pos AS int;",
        migration: "ALTER DOMAIN pos SET DEFAULT 1;",
        expect: Unsafe { code: "PREVIOUS_STATE_UNKNOWN", script: None },
    },
    Case {
        name: "collation",
        setup: "CREATE SCHEMA app;",
        migration: "CREATE COLLATION app.\"C-sort\" (provider = libc, locale = 'C');",
        expect: Safe("DROP COLLATION app.\"C-sort\";\n"),
    },
    Case {
        name: "drop type",
        setup: "CREATE TYPE mood AS ENUM ('ok');",
        migration: "DROP TYPE mood;",
        expect: Unsafe { code: "DROP_OBJECT", script: None },
    },
];
