//! Routines named without their argument list (`DROP FUNCTION f CASCADE`, `COMMENT ON FUNCTION f`): the
//! address PostgreSQL takes needs the arguments, so capture finds the routine by name as the statement does.
use super::{safe, unsafe_, Case};

const SETUP: &str = r#"
CREATE SCHEMA "App";
CREATE FUNCTION "App"."One"() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';
CREATE FUNCTION "App".twice(n int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 2 * n';
COMMENT ON FUNCTION "App".twice(int) IS 'old';
CREATE VIEW "App".v AS SELECT "App"."One"() AS one, "App".twice(3) AS six;
CREATE TABLE "App".t (a int DEFAULT "App".twice(2));
"#;

pub const CASES: &[Case] = &[
    safe(
        "COMMENT ON FUNCTION without arguments gets the old comment back",
        SETUP,
        "COMMENT ON FUNCTION \"App\".twice IS 'new';",
        "COMMENT ON FUNCTION \"App\".twice IS 'old';\n",
    ),
    safe(
        "COMMENT ON FUNCTION without arguments found through search_path",
        SETUP,
        "SET search_path = \"App\";\nCOMMENT ON FUNCTION twice IS NULL;",
        "SELECT pg_catalog.set_config('search_path', '\"App\"', true);\nCOMMENT ON FUNCTION twice IS 'old';\nSELECT pg_catalog.set_config('search_path', '\"$user\", public', true);\n",
    ),
    unsafe_(
        "DROP FUNCTION without arguments CASCADE taking a column default is refused by what it takes",
        SETUP,
        "DROP FUNCTION \"App\".twice CASCADE;",
        "DROP_OBJECT",
    ),
    safe(
        "DROP FUNCTION without arguments CASCADE with nothing depending on it",
        "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "DROP FUNCTION g CASCADE;",
        "CREATE OR REPLACE FUNCTION public.g()\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT 1$function$;\nALTER FUNCTION public.g() OWNER TO postgres;\n",
    ),
    safe(
        "DROP FUNCTION without arguments CASCADE re-creates the view it took",
        "CREATE SCHEMA \"App\";\nCREATE FUNCTION \"App\".\"One\"() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';\nCREATE VIEW \"App\".v AS SELECT \"App\".\"One\"() AS one;\nCOMMENT ON VIEW \"App\".v IS 'v';",
        "DROP FUNCTION \"App\".\"One\" CASCADE;",
        "CREATE OR REPLACE FUNCTION \"App\".\"One\"()\n RETURNS integer\n LANGUAGE sql\n IMMUTABLE\nAS $function$SELECT 1$function$;\nALTER FUNCTION \"App\".\"One\"() OWNER TO postgres;\nCREATE VIEW \"App\".v AS SELECT \"App\".\"One\"() AS one;\nALTER VIEW \"App\".v OWNER TO postgres;\nCOMMENT ON VIEW \"App\".v IS 'v';\n",
    ),
];
