//! SET search_path: the rollback sets each path back in turn, so names resolve as they did.
use super::{safe, Case};

pub const CASES: &[Case] = &[
    safe(
        "statements after set search_path",
        "CREATE SCHEMA app; CREATE TABLE app.t (id int);",
        "SET search_path TO app;\nCREATE TABLE u (id int);\nALTER TABLE t ADD COLUMN c int;",
        "SELECT pg_catalog.set_config('search_path', 'app', true);\nALTER TABLE t DROP COLUMN c;\nDROP TABLE u;\nSELECT pg_catalog.set_config('search_path', '\"$user\", public', true);\n",
    ),
    safe(
        "two search paths in turn",
        "CREATE SCHEMA a; CREATE SCHEMA b;",
        "SET search_path TO a;\nCREATE TABLE t (id int);\nSET search_path TO b;\nCREATE TABLE t (id int);",
        "SELECT pg_catalog.set_config('search_path', 'b', true);\nDROP TABLE t;\nSELECT pg_catalog.set_config('search_path', 'a', true);\nDROP TABLE t;\nSELECT pg_catalog.set_config('search_path', '\"$user\", public', true);\n",
    ),
    safe(
        "a migration wrapped in BEGIN and COMMIT",
        "CREATE TABLE t (id int);",
        "BEGIN;\nALTER TABLE t ADD COLUMN c int;\nCOMMIT;",
        "ALTER TABLE t DROP COLUMN c;\n",
    ),
];
