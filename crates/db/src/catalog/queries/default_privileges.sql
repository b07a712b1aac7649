SELECT COALESCE(json_agg(json_build_object('role', pg_get_userbyid(d.defaclrole)::text,
           'schema', COALESCE(n.nspname, ''), 'object_type', d.defaclobjtype,
           'privilege', json_build_object('grantee', CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee)::text END,
               'grantor', pg_get_userbyid(a.grantor)::text, 'privilege', a.privilege_type, 'grantable', a.is_grantable))
           ORDER BY d.oid, a.grantee, a.privilege_type), '[]'::json)::text
         FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a
