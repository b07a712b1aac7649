//! COMMENT ON, GRANT and REVOKE: the previous comment and the exact previous ACL come back.
use super::{safe, Case};

pub const CASES: &[Case] = &[
    safe("comment over an old comment", "CREATE TABLE t (a int); COMMENT ON TABLE t IS 'old';", "COMMENT ON TABLE t IS 'new';", "COMMENT ON TABLE t IS 'old';\n"),
    safe("comment where there was none", "CREATE TABLE t (a int);", "COMMENT ON TABLE t IS 'new';", "COMMENT ON TABLE t IS NULL;\n"),
    safe("comment removed", "CREATE TABLE t (a int); COMMENT ON TABLE t IS 'it''s';", "COMMENT ON TABLE t IS NULL;", "COMMENT ON TABLE t IS 'it''s';\n"),
    safe("same comment again", "CREATE TABLE t (a int); COMMENT ON TABLE t IS 'x';", "COMMENT ON TABLE t IS 'x';", ""),
    safe(
        "comments on a column, index, constraint, function, type and schema",
        "CREATE SCHEMA app; CREATE TABLE app.t (a int CONSTRAINT a_pos CHECK (a > 0)); CREATE INDEX t_a ON app.t (a);
         CREATE FUNCTION app.f(int) RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE TYPE app.e AS ENUM ('x');
         COMMENT ON COLUMN app.t.a IS 'old a';",
        "COMMENT ON COLUMN app.t.a IS 'a';\nCOMMENT ON INDEX app.t_a IS 'i';\nCOMMENT ON CONSTRAINT a_pos ON app.t IS 'c';\nCOMMENT ON FUNCTION app.f(int) IS 'f';\nCOMMENT ON TYPE app.e IS 'e';\nCOMMENT ON SCHEMA app IS 's';",
        "COMMENT ON SCHEMA app IS NULL;\nCOMMENT ON TYPE app.e IS NULL;\nCOMMENT ON FUNCTION app.f(int) IS NULL;\nCOMMENT ON CONSTRAINT a_pos ON app.t IS NULL;\nCOMMENT ON INDEX app.t_a IS NULL;\nCOMMENT ON COLUMN app.t.a IS 'old a';\n",
    ),
    safe("grant on a table", "CREATE TABLE t (a int);", "GRANT SELECT, INSERT ON t TO captured_reader;", "REVOKE INSERT, SELECT ON TABLE public.t FROM captured_reader CASCADE;\n"),
    safe(
        "grant that was already granted",
        "CREATE TABLE t (a int); GRANT SELECT ON t TO captured_reader;",
        "GRANT SELECT ON t TO captured_reader;",
        "",
    ),
    safe(
        "revoke from public and grant with grant option",
        "CREATE TABLE t (a int); GRANT SELECT ON t TO PUBLIC;",
        "REVOKE SELECT ON t FROM PUBLIC;\nGRANT UPDATE ON t TO captured_writer WITH GRANT OPTION;",
        "REVOKE UPDATE ON TABLE public.t FROM captured_writer CASCADE;\nGRANT SELECT ON TABLE public.t TO PUBLIC;\n",
    ),
    safe(
        "revoke the owner's own privileges",
        "CREATE TABLE t (a int);",
        "REVOKE ALL ON t FROM postgres;",
        "GRANT INSERT, SELECT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE public.t TO postgres;\n",
    ),
    safe(
        "column privileges",
        "CREATE TABLE t (a int, b int);",
        "GRANT SELECT (a), UPDATE (a, b) ON t TO captured_reader;",
        "REVOKE SELECT (a), UPDATE (a) ON TABLE public.t FROM captured_reader CASCADE;\nREVOKE UPDATE (b) ON TABLE public.t FROM captured_reader CASCADE;\n",
    ),
    safe(
        "grants on a sequence, function, schema and type",
        "CREATE SCHEMA app; CREATE SEQUENCE app.s; CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE TYPE app.e AS ENUM ('x');",
        "GRANT USAGE ON SEQUENCE app.s TO captured_reader;\nREVOKE EXECUTE ON FUNCTION app.f() FROM PUBLIC;\nGRANT USAGE ON SCHEMA app TO captured_reader;\nREVOKE USAGE ON TYPE app.e FROM PUBLIC;",
        // PUBLIC's entry came first: granting it back alone would append it, so the ACL is granted again in order.
        "REVOKE ALL ON TYPE app.e FROM postgres CASCADE;\nGRANT USAGE ON TYPE app.e TO PUBLIC;\nGRANT USAGE ON TYPE app.e TO postgres;\nREVOKE USAGE ON SCHEMA app FROM captured_reader CASCADE;\nREVOKE ALL ON FUNCTION app.f() FROM postgres CASCADE;\nGRANT EXECUTE ON FUNCTION app.f() TO PUBLIC;\nGRANT EXECUTE ON FUNCTION app.f() TO postgres;\nREVOKE USAGE ON SEQUENCE app.s FROM captured_reader CASCADE;\n",
    ),
];
