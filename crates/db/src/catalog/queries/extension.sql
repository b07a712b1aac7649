SELECT json_build_object('name', e.extname, 'schema', n.nspname, 'version', e.extversion,
    'owner', pg_get_userbyid(e.extowner)::text, 'comment', obj_description(e.oid, 'pg_extension'),
    'has_config', e.extconfig IS NOT NULL,
    'members_privileges_changed', EXISTS (SELECT 1 FROM pg_depend d
        LEFT JOIN pg_init_privs ip ON ip.classoid = d.classid AND ip.objoid = d.objid AND ip.objsubid = 0
        WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'
          AND CASE d.classid
                WHEN 'pg_class'::regclass THEN (SELECT relacl FROM pg_class WHERE oid = d.objid)
                WHEN 'pg_proc'::regclass THEN (SELECT proacl FROM pg_proc WHERE oid = d.objid)
                WHEN 'pg_type'::regclass THEN (SELECT typacl FROM pg_type WHERE oid = d.objid)
                WHEN 'pg_namespace'::regclass THEN (SELECT nspacl FROM pg_namespace WHERE oid = d.objid)
              END IS DISTINCT FROM ip.initprivs),
    'owned_by_current_user', e.extowner = (SELECT oid FROM pg_roles WHERE rolname = current_user))::text
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1
