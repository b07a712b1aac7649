use super::{Case, Expect::*};

pub const CASES: &[Case] = &[
    Case {
        name: "rename column",
        setup: "CREATE TABLE t (old_name int);",
        migration: "ALTER TABLE t RENAME COLUMN old_name TO new_name;",
        expect: Safe("ALTER TABLE t RENAME COLUMN new_name TO old_name;\n"),
    },
    Case {
        name: "rename table keeps its schema",
        setup: "CREATE SCHEMA app; CREATE TABLE app.items (id int);",
        migration: "ALTER TABLE app.items RENAME TO wishlist_items;",
        expect: Safe("ALTER TABLE app.wishlist_items RENAME TO items;\n"),
    },
    Case {
        name: "rename index, view, materialized view and sequence",
        setup: "CREATE TABLE t (id int); CREATE INDEX t_i ON t (id); CREATE VIEW v AS SELECT id FROM t; CREATE MATERIALIZED VIEW m AS SELECT id FROM t; CREATE SEQUENCE s;",
        migration: "ALTER INDEX t_i RENAME TO t_id_idx;\nALTER VIEW v RENAME TO v2;\nALTER MATERIALIZED VIEW m RENAME TO m2;\nALTER SEQUENCE s RENAME TO s2;",
        expect: Safe("ALTER SEQUENCE s2 RENAME TO s;\nALTER MATERIALIZED VIEW m2 RENAME TO m;\nALTER VIEW v2 RENAME TO v;\nALTER INDEX t_id_idx RENAME TO t_i;\n"),
    },
    Case {
        name: "rename constraint",
        setup: "CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0));",
        migration: "ALTER TABLE t RENAME CONSTRAINT a_pos TO a_positive;",
        expect: Safe("ALTER TABLE t RENAME CONSTRAINT a_positive TO a_pos;\n"),
    },
    Case {
        name: "rename schema",
        setup: "CREATE SCHEMA old_schema;",
        migration: "ALTER SCHEMA old_schema RENAME TO \"New Schema\";",
        expect: Safe("ALTER SCHEMA \"New Schema\" RENAME TO old_schema;\n"),
    },
    Case {
        name: "rename type and domain in a schema",
        setup: "CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('ok'); CREATE DOMAIN app.pos AS int CHECK (VALUE > 0);",
        migration: "ALTER TYPE app.mood RENAME TO feeling;\nALTER DOMAIN app.pos RENAME TO positive;",
        expect: Safe("ALTER DOMAIN app.positive RENAME TO pos;\nALTER TYPE app.feeling RENAME TO mood;\n"),
    },
    Case {
        name: "rename enum value",
        setup: "CREATE TYPE wishlist_store AS ENUM ('Amazon', 'Etsy');",
        migration: "ALTER TYPE wishlist_store RENAME VALUE 'Etsy' TO 'Etsy''s';",
        expect: Safe("ALTER TYPE wishlist_store RENAME VALUE 'Etsy''s' TO 'Etsy';\n"),
    },
    Case {
        name: "rename attribute, trigger, policy and function",
        setup: "CREATE TYPE addr AS (street text); CREATE TABLE t (id int); CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER t_trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg(); CREATE POLICY p ON t USING (true); CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';",
        migration: "ALTER TYPE addr RENAME ATTRIBUTE street TO line1;\nALTER TRIGGER t_trg ON t RENAME TO t_before_insert;\nALTER POLICY p ON t RENAME TO everyone;\nALTER FUNCTION add(int, int) RENAME TO plus;",
        expect: Safe("ALTER FUNCTION plus(pg_catalog.int4, pg_catalog.int4) RENAME TO add;\nALTER POLICY everyone ON t RENAME TO p;\nALTER TRIGGER t_before_insert ON t RENAME TO t_trg;\nALTER TYPE addr RENAME ATTRIBUTE line1 TO street;\n"),
    },
    Case {
        name: "set schema with the original schema named",
        setup: "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.t (id int);",
        migration: "ALTER TABLE a.t SET SCHEMA b;",
        expect: Safe("ALTER TABLE b.t SET SCHEMA a;\n"),
    },
    Case {
        name: "set schema without the original schema",
        setup: "CREATE SCHEMA b; CREATE TABLE t (id int);",
        migration: "ALTER TABLE t SET SCHEMA b;",
        expect: Unsafe { code: "PREVIOUS_STATE_UNKNOWN", script: None },
    },
    Case {
        name: "rename with IF EXISTS",
        setup: "CREATE TABLE t (id int);",
        migration: "ALTER TABLE IF EXISTS t RENAME TO u;",
        expect: Unsafe { code: "IF_EXISTS", script: None },
    },
];
