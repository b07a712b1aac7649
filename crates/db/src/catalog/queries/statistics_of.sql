SELECT COALESCE(json_agg(json_build_object('schema', n.nspname, 'name', s.stxname)
    ORDER BY s.oid), '[]'::json)::text
  FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE s.stxrelid = to_regclass($1)
