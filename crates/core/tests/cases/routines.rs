use super::{Case, Expect::*};

pub const CASES: &[Case] = &[
    Case {
        name: "function overloads dropped by exact signature",
        setup: "CREATE FUNCTION total(a int) RETURNS int LANGUAGE sql AS 'SELECT a';",
        migration: "CREATE FUNCTION total(a int, b numeric(10,2) DEFAULT 0, VARIADIC rest text[] DEFAULT '{}') RETURNS numeric LANGUAGE sql AS 'SELECT a + b';",
        expect: Safe("DROP FUNCTION total(pg_catalog.int4, pg_catalog.\"numeric\", VARIADIC text[]);\n"),
    },
    Case {
        name: "function with OUT and TABLE arguments, schema-qualified types",
        setup: "CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('ok');",
        migration: "CREATE FUNCTION app.stats(IN m app.mood, OUT n bigint, OUT avg double precision) LANGUAGE sql AS 'SELECT 1::bigint, 2.0::float8';\nCREATE FUNCTION app.rows_of(m app.mood) RETURNS TABLE (id int, label varchar) LANGUAGE sql AS 'SELECT 1, ''x''::varchar';",
        expect: Safe("DROP FUNCTION app.rows_of(app.mood);\nDROP FUNCTION app.stats(app.mood, OUT pg_catalog.int8, OUT pg_catalog.float8);\n"),
    },
    Case {
        name: "procedure",
        setup: "CREATE TABLE log (msg text);",
        migration: "CREATE PROCEDURE write_log(msg text, INOUT n int) LANGUAGE sql AS $$ INSERT INTO log VALUES (msg); SELECT 1 $$;",
        expect: Safe("DROP PROCEDURE write_log(text, INOUT pg_catalog.int4);\n"),
    },
    Case {
        name: "create or replace function",
        setup: "",
        migration: "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        expect: Unsafe { code: "OR_REPLACE", script: None },
    },
    Case {
        name: "trigger with its function",
        setup: "CREATE TABLE items (id int, updated_at timestamptz);",
        migration: "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;\nCREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();",
        expect: Safe("DROP TRIGGER items_touch ON items;\nDROP FUNCTION touch();\n"),
    },
    Case {
        name: "constraint trigger",
        setup: "CREATE TABLE items (id int); CREATE FUNCTION chk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;",
        migration: "CREATE CONSTRAINT TRIGGER items_chk AFTER INSERT ON items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chk();",
        expect: Safe("DROP TRIGGER items_chk ON items;\n"),
    },
    Case {
        name: "row level security policy",
        setup: "CREATE TABLE items (id int, owner text);",
        migration: "ALTER TABLE items ENABLE ROW LEVEL SECURITY;\nCREATE POLICY \"owner can read\" ON items FOR SELECT USING (owner = current_user);",
        expect: Unsafe {
            code: "PREVIOUS_STATE_UNKNOWN",
            script: Some("DROP POLICY \"owner can read\" ON items;\nALTER TABLE items DISABLE ROW LEVEL SECURITY;\n"),
        },
    },
    Case {
        name: "rule",
        setup: "CREATE TABLE items (id int); CREATE TABLE items_log (id int);",
        migration: "CREATE RULE log_insert AS ON INSERT TO items DO ALSO INSERT INTO items_log VALUES (NEW.id);",
        expect: Safe("DROP RULE log_insert ON items;\n"),
    },
    Case {
        name: "drop function",
        setup: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        migration: "DROP FUNCTION f();",
        expect: Unsafe { code: "DROP_OBJECT", script: None },
    },
];
