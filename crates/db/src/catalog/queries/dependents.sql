WITH RECURSIVE target AS (SELECT classid, objid, objsubid FROM pg_get_object_address($1, $2, COALESCE($3, (pg_identify_object_as_address('pg_proc'::regclass, to_regproc(array_to_string(ARRAY(SELECT quote_ident(n) FROM unnest($2::text[]) n), '.')), 0)).object_args))),
  parts(classid, objid) AS (
    SELECT classid, objid FROM target
    UNION SELECT d.classid, d.objid FROM pg_depend d JOIN parts p ON d.refclassid = p.classid AND d.refobjid = p.objid
      WHERE d.deptype IN ('a', 'i', 'e')),
  dependents(classid, objid, objsubid) AS (
    SELECT d.classid, d.objid, d.objsubid FROM pg_depend d JOIN parts p ON d.refclassid = p.classid AND d.refobjid = p.objid
      WHERE d.deptype = 'n' AND NOT EXISTS (SELECT 1 FROM parts q WHERE q.classid = d.classid AND q.objid = d.objid)
    UNION SELECT d.classid, d.objid, d.objsubid FROM pg_depend d
      JOIN dependents x ON d.refclassid = x.classid AND d.refobjid = x.objid WHERE d.deptype IN ('n', 'a', 'i'))
  SELECT COALESCE(json_agg(DISTINCT pg_describe_object(classid, objid, objsubid)), '[]'::json)::text FROM dependents
