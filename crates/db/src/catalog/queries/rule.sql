SELECT json_build_object(
    'name', r.rulename, 'definition', pg_get_ruledef(r.oid), 'enabled', r.ev_enabled,
    'comment', obj_description(r.oid, 'pg_rewrite'))::text
  FROM pg_rewrite r WHERE r.ev_class = $1::oid AND r.rulename = $2
