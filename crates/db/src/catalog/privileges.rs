//! Privileges of many objects at once: the objects `GRANT/REVOKE ... ON ALL ... IN SCHEMA` reaches, and the
//! default privileges one `ALTER DEFAULT PRIVILEGES` changes.
use std::sync::LazyLock;

use super::queries::{acl_json, leak};

/// `$1`: the schema's OID (resolved by name), `$2`: `tables`, `sequences`, `functions`, `procedures` or
/// `routines`, as `objectsInSchemaToOids` chooses them. Read with an empty `search_path`: argument types
/// come out schema-qualified.
pub(super) static SCHEMA_MEMBERS: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT COALESCE(json_agg(m.member ORDER BY m.oid), '[]'::json)::text FROM (
           SELECT c.oid, json_build_object('oid', c.oid::bigint,
               'target', CASE WHEN c.relkind = 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END
                         || quote_ident(n.nspname) || '.' || quote_ident(c.relname),
               'owner', pg_get_userbyid(c.relowner)::text, 'acl', {relation_acl},
               'columns', COALESCE((SELECT json_agg(json_build_object('name', a.attname, 'acl', {column_acl})
                   ORDER BY a.attnum) FROM pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL), '[]'::json)) AS member
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relnamespace = $1::oid
             AND (($2 = 'tables' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')) OR ($2 = 'sequences' AND c.relkind = 'S'))
           UNION ALL
           SELECT p.oid, json_build_object('oid', p.oid::bigint,
               'target', CASE WHEN p.prokind = 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END
                         || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
                         || '(' || pg_get_function_identity_arguments(p.oid) || ')',
               'owner', pg_get_userbyid(p.proowner)::text, 'acl', {routine_acl}, 'columns', '[]'::json)
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE p.pronamespace = $1::oid
             AND (($2 = 'functions' AND p.prokind <> 'p') OR ($2 = 'procedures' AND p.prokind = 'p') OR $2 = 'routines')
         ) m",
        relation_acl = acl_json(
            "COALESCE(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::\"char\", c.relowner))"
        ),
        column_acl = acl_json("a.attacl"),
        routine_acl = acl_json("COALESCE(p.proacl, acldefault('f', p.proowner))"),
    ))
});

pub(super) const SCHEMA_OID: &str = "SELECT oid::text FROM pg_namespace WHERE nspname = $1";

/// `$1`: the role (NULL: the current user), `$2`: the schema (NULL: every schema), `$3`: `defaclobjtype`.
/// Without an entry, a role's defaults everywhere are the built-in ones, and in a schema there are none
/// (`acldefault` calls sequences `s`; `S` is a foreign server there).
pub(super) static DEFAULT_ACL: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT json_build_object('role', r.rolname, 'acl', {acl})::text
         FROM pg_roles r LEFT JOIN pg_namespace n ON n.nspname = $2
         WHERE r.rolname = COALESCE($1, current_user::text) AND ($2 IS NULL OR n.oid IS NOT NULL)",
        acl = acl_json(
            "COALESCE((SELECT d.defaclacl FROM pg_default_acl d WHERE d.defaclrole = r.oid
                        AND d.defaclnamespace = COALESCE(n.oid, 0) AND d.defaclobjtype = $3::\"char\"),
                      CASE WHEN $2 IS NULL THEN acldefault(CASE $3 WHEN 'S' THEN 's' ELSE $3 END::\"char\", r.oid) END)"
        ),
    ))
});
