//! What `DROP ... CASCADE` takes along, and which extensions are installed (`CREATE EXTENSION ... CASCADE`).

/// The objects dropping the object at `pg_get_object_address($1, $2, $3)` (`$3` NULL: a routine named without
/// its arguments, found by name as the statement finds it) with CASCADE also drops, as PostgreSQL finds
/// them: the object's parts (auto, internal and extension-member dependents) go with it; each normal
/// dependent is taken whole (a view's `_RETURN` rule, its row type and that type's array stand for the view,
/// an extension's member for the extension), and its own dependents follow. Views and materialized views
/// (not temporary ones, gone with the migration's session) are listed with the longest chain of dependencies
/// that leads to them (an order to create them again in); everything else is described.
pub(super) const DROP_CASCADE: &str = "WITH RECURSIVE walk(classid, objid, objsubid, normal, depth, rootclass, rootid) AS (
    SELECT classid, objid, objsubid, false, 0, classid, objid FROM pg_get_object_address($1, $2, COALESCE($3, (pg_identify_object_as_address('pg_proc'::regclass, to_regproc(array_to_string(ARRAY(SELECT quote_ident(n) FROM unnest($2::text[]) n), '.')), 0)).object_args))
  UNION
    SELECT o.classid, o.objid, o.objsubid, d.deptype = 'n', w.depth + CASE WHEN d.deptype = 'n' THEN 1 ELSE 0 END,
           CASE WHEN d.deptype = 'n' THEN o.classid ELSE w.rootclass END,
           CASE WHEN d.deptype = 'n' THEN o.objid ELSE w.rootid END
      FROM walk w
      JOIN pg_depend d ON d.refclassid = w.classid AND d.refobjid = w.objid AND d.deptype IN ('n', 'a', 'i', 'e')
      CROSS JOIN LATERAL (
          SELECT d.classid, d.objid, d.objsubid WHERE d.deptype <> 'n'
        UNION ALL (
          WITH RECURSIVE up(classid, objid, objsubid, n) AS (
              SELECT d.classid, d.objid, d.objsubid, 0
            UNION ALL
              SELECT i.refclassid, i.refobjid, i.refobjsubid, up.n + 1 FROM pg_depend i
                JOIN up ON i.classid = up.classid AND i.objid = up.objid AND i.objsubid = up.objsubid
                WHERE i.deptype IN ('i', 'e') AND up.n < 8)
          SELECT classid, objid, objsubid FROM up WHERE d.deptype = 'n' ORDER BY n DESC LIMIT 1)) o
     -- A part's dependency on another part of the same object is no dependent.
     WHERE w.depth < 64 AND NOT (o.classid = w.rootclass AND o.objid = w.rootid)
       AND NOT EXISTS (SELECT 1 FROM pg_get_object_address($1, $2, COALESCE($3, (pg_identify_object_as_address('pg_proc'::regclass, to_regproc(array_to_string(ARRAY(SELECT quote_ident(n) FROM unnest($2::text[]) n), '.')), 0)).object_args)) t WHERE t.classid = o.classid AND t.objid = o.objid)),
  reached AS (
    SELECT w.classid, w.objid, w.objsubid, max(w.depth) AS depth, c.relkind, c.relpersistence, n.nspname, c.relname
      FROM walk w
      LEFT JOIN pg_class c ON w.classid = 'pg_class'::regclass AND c.oid = w.objid AND w.objsubid = 0
      LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE w.normal GROUP BY w.classid, w.objid, w.objsubid, c.relkind, c.relpersistence, n.nspname, c.relname)
SELECT json_build_object(
    'relations', COALESCE((SELECT json_agg(json_build_object('schema', nspname, 'name', relname, 'depth', depth)
        ORDER BY depth, nspname, relname) FROM reached WHERE relkind IN ('v', 'm') AND relpersistence <> 't'), '[]'::json),
    'others', COALESCE((SELECT json_agg(json_build_object('description', pg_describe_object(classid, objid, objsubid),
        'class', classid::bigint, 'oid', objid::bigint, 'sub', objsubid, 'depth', depth) ORDER BY depth, classid, objid, objsubid)
        FROM reached WHERE relkind IS NULL OR relkind NOT IN ('v', 'm') OR relpersistence = 't'), '[]'::json),
    'target', (SELECT json_build_array(classid::bigint, objid::bigint) FROM pg_get_object_address($1, $2, COALESCE($3, (pg_identify_object_as_address('pg_proc'::regclass, to_regproc(array_to_string(ARRAY(SELECT quote_ident(n) FROM unnest($2::text[]) n), '.')), 0)).object_args))))::text";

pub(super) const EXTENSIONS: &str =
    "SELECT COALESCE(json_agg(extname::text ORDER BY extname), '[]'::json)::text FROM pg_extension";
