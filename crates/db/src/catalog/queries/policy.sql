SELECT json_build_object(
    'name', p.polname, 'permissive', p.polpermissive, 'command', p.polcmd,
    'roles', (SELECT json_agg(CASE WHEN r = 0 THEN '' ELSE pg_get_userbyid(r)::text END ORDER BY ord)
              FROM unnest(p.polroles) WITH ORDINALITY AS u(r, ord)),
    'using', pg_get_expr(p.polqual, p.polrelid), 'check', pg_get_expr(p.polwithcheck, p.polrelid),
    'comment', obj_description(p.oid, 'pg_policy'))::text
  FROM pg_policy p WHERE p.polrelid = $1::oid AND p.polname = $2
