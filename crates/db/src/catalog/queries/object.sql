SELECT json_build_object('identity', (pg_identify_object(a.classid, a.objid, a.objsubid)).identity,
    'comment', COALESCE(
      (SELECT description FROM pg_description d WHERE d.classoid = a.classid AND d.objoid = a.objid AND d.objsubid = a.objsubid),
      (SELECT description FROM pg_shdescription d WHERE d.classoid = a.classid AND d.objoid = a.objid)))::text
  FROM pg_get_object_address($1, $2, $3) a
