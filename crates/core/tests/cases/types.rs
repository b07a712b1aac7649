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
        name: "drop type",
        setup: "CREATE TYPE mood AS ENUM ('ok');",
        migration: "DROP TYPE mood;",
        expect: Unsafe { code: "DROP_OBJECT", script: None },
    },
];
