SELECT json_build_object('identity', (pg_identify_object(a.classid, a.objid, a.objsubid)).identity,
    'comment', COALESCE(
      (SELECT description FROM pg_description d WHERE d.classoid = a.classid AND d.objoid = a.objid AND d.objsubid = a.objsubid),
      (SELECT description FROM pg_shdescription d WHERE d.classoid = a.classid AND d.objoid = a.objid)))::text
  FROM pg_get_object_address($1, $2, COALESCE($3, (pg_identify_object_as_address('pg_proc'::regclass, to_regproc(array_to_string(ARRAY(SELECT quote_ident(n) FROM unnest($2::text[]) n), '.')), 0)).object_args)) a
