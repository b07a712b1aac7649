//! OWNER TO, ALTER SEQUENCE, ALTER FUNCTION and ALTER DOMAIN put back what the object had.
use super::{safe, Case};

pub const CASES: &[Case] = &[
    safe(
        "owners of a type, a function and a schema",
        "CREATE SCHEMA app; CREATE TYPE app.e AS ENUM ('x'); CREATE FUNCTION app.f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';",
        "ALTER TYPE app.e OWNER TO captured_owner;\nALTER FUNCTION app.f(int) OWNER TO captured_owner;\nALTER SCHEMA app OWNER TO captured_owner;",
        "ALTER SCHEMA app OWNER TO postgres;\nALTER FUNCTION app.f(a integer) OWNER TO postgres;\nALTER TYPE app.e OWNER TO postgres;\n",
    ),
    safe(
        "owner of a view and a sequence",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; CREATE SEQUENCE s;",
        "ALTER VIEW v OWNER TO captured_owner;\nALTER SEQUENCE s OWNER TO captured_owner;",
        "ALTER SEQUENCE s OWNER TO postgres;\nALTER VIEW v OWNER TO postgres;\n",
    ),
    safe(
        "alter sequence restart and options",
        "CREATE SEQUENCE s START 5; SELECT nextval('s'); SELECT nextval('s');",
        "ALTER SEQUENCE s RESTART WITH 1000 INCREMENT BY 10 MAXVALUE 5000;",
        "ALTER SEQUENCE public.s AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 5 CACHE 1 NO CYCLE OWNED BY NONE;\nSELECT pg_catalog.setval('public.s', 6, true);\n",
    ),
    safe(
        "alter sequence of a sequence never used",
        "CREATE TABLE t (id int); CREATE SEQUENCE s OWNED BY t.id;",
        "ALTER SEQUENCE s OWNED BY NONE;",
        "ALTER SEQUENCE public.s AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE OWNED BY public.t.id;\nSELECT pg_catalog.setval('public.s', 1, false);\n",
    ),
    safe(
        "alter function properties",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "ALTER FUNCTION f() IMMUTABLE SECURITY DEFINER SET search_path = pg_catalog COST 5;",
        "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT 1$function$;\n",
    ),
    safe(
        "alter domain default, not null, and a dropped check",
        "CREATE DOMAIN d AS int DEFAULT 3 CONSTRAINT d_pos CHECK (VALUE > 0);",
        "ALTER DOMAIN d SET DEFAULT 5;\nALTER DOMAIN d SET NOT NULL;\nALTER DOMAIN d DROP CONSTRAINT d_pos;",
        "ALTER DOMAIN d ADD CONSTRAINT d_pos CHECK ((VALUE > 0));\nALTER DOMAIN d DROP NOT NULL;\nALTER DOMAIN d SET DEFAULT 3;\n",
    ),
    safe("alter domain set not null already set", "CREATE DOMAIN d AS int NOT NULL;", "ALTER DOMAIN d SET NOT NULL;", ""),
    safe(
        "unnamed domain check",
        "CREATE DOMAIN d AS int;",
        "ALTER DOMAIN d ADD CHECK (VALUE > 0);",
        "ALTER DOMAIN d DROP CONSTRAINT d_check;\n",
    ),
];
