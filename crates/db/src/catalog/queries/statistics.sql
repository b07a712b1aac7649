SELECT json_build_object(
    'schema', n.nspname, 'name', s.stxname, 'definition', pg_get_statisticsobjdef(s.oid),
    'target', NULLIF(s.stxstattarget, -1), 'owner', pg_get_userbyid(s.stxowner)::text,
    'comment', obj_description(s.oid, 'pg_statistic_ext'))::text
  FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE s.oid = $1::oid
