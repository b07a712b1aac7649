-- Every catalog object a migration can create, change or drop, with what defines it, as one JSON array of
-- {kind, name, attributes}. Read-only. Run with an empty search_path: every name in a definition then comes
-- out schema-qualified, the same on both sides of a comparison. Objects are named by pg_identify_object;
-- OIDs, dropped-column slots, statistics, sequence values and table rows are never read. Works on
-- PostgreSQL 13 and later (and PGlite).
WITH user_ns AS (
    SELECT oid FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'
),
-- Drizzle's own bookkeeping (its schema, table and sequence) is not the user's schema.
bookkeeping AS (
    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'drizzle' AND c.relname IN ('__drizzle_migrations', '__drizzle_migrations_id_seq')
    UNION ALL
    SELECT oid FROM pg_namespace WHERE nspname = 'drizzle'
),
-- (catalog, object, sub-object) as pg_identify_object takes them; `top` is the object whose extension
-- membership decides (a column's table, a trigger's table); `acl` is null where there are no privileges.
objects (classid, objid, objsubid, top_class, top_oid, attributes, acl) AS (
    SELECT 'pg_namespace'::regclass, n.oid, 0, 'pg_namespace'::regclass, n.oid,
        jsonb_build_object('owner', pg_get_userbyid(n.nspowner)),
        coalesce(n.nspacl, acldefault('n', n.nspowner))
    FROM pg_namespace n JOIN user_ns USING (oid)

    UNION ALL
    SELECT 'pg_class'::regclass, c.oid, 0, 'pg_class'::regclass, c.oid,
        jsonb_build_object(
            'relkind', c.relkind,
            'persistence', c.relpersistence,
            'owner', pg_get_userbyid(c.relowner),
            'options', c.reloptions,
            'tablespace', (SELECT spcname FROM pg_tablespace WHERE oid = c.reltablespace),
            'access method', (SELECT amname FROM pg_am WHERE oid = c.relam),
            'row security', c.relrowsecurity,
            'forced row security', c.relforcerowsecurity,
            'replica identity', c.relreplident,
            'partition key', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
            'partition bound', pg_get_expr(c.relpartbound, c.oid),
            'inherits', (SELECT jsonb_agg(i.inhparent::regclass::text ORDER BY i.inhseqno)
                         FROM pg_inherits i WHERE i.inhrelid = c.oid),
            'definition', CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
            'populated', CASE WHEN c.relkind = 'm' THEN c.relispopulated END,
            'sequence', (SELECT jsonb_build_object('type', format_type(s.seqtypid, NULL), 'start', s.seqstart,
                                    'increment', s.seqincrement, 'min', s.seqmin, 'max', s.seqmax,
                                    'cache', s.seqcache, 'cycle', s.seqcycle)
                         FROM pg_sequence s WHERE s.seqrelid = c.oid),
            'owned by', (SELECT format('%s.%I', d.refobjid::regclass, a.attname)
                                || CASE d.deptype WHEN 'i' THEN ' (identity)' ELSE '' END
                         FROM pg_depend d
                         JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                         WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
                           AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                           AND d.refobjsubid > 0
                         ORDER BY 1 LIMIT 1),
            'foreign server', (SELECT fs.srvname FROM pg_foreign_table ft
                               JOIN pg_foreign_server fs ON fs.oid = ft.ftserver WHERE ft.ftrelid = c.oid),
            'foreign options', (SELECT ft.ftoptions FROM pg_foreign_table ft WHERE ft.ftrelid = c.oid)),
        coalesce(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
    FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')

    UNION ALL
    SELECT 'pg_class'::regclass, a.attrelid, a.attnum::int, 'pg_class'::regclass, a.attrelid,
        jsonb_build_object(
            'position', row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
            'type', format_type(a.atttypid, a.atttypmod),
            'collation', CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END,
            'not null', a.attnotnull,
            'default', pg_get_expr(ad.adbin, ad.adrelid),
            'identity', nullif(a.attidentity::text, ''),
            'generated', nullif(a.attgenerated::text, ''),
            'local', a.attislocal,
            'inherited count', a.attinhcount,
            'statistics target', a.attstattarget,
            'storage', CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END,
            'options', a.attoptions,
            'foreign options', a.attfdwoptions),
        a.attacl
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN user_ns n ON n.oid = c.relnamespace
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')

    UNION ALL
    SELECT 'pg_constraint'::regclass, co.oid, 0,
        CASE WHEN co.conrelid <> 0 THEN 'pg_class'::regclass ELSE 'pg_type'::regclass END,
        CASE WHEN co.conrelid <> 0 THEN co.conrelid ELSE co.contypid END,
        jsonb_build_object(
            'type', co.contype,
            'definition', pg_get_constraintdef(co.oid),
            'deferrable', co.condeferrable,
            'deferred', co.condeferred,
            'validated', co.convalidated,
            'no inherit', co.connoinherit,
            'local', co.conislocal,
            'inherited count', co.coninhcount),
        NULL
    FROM pg_constraint co JOIN user_ns n ON n.oid = co.connamespace

    UNION ALL
    SELECT 'pg_class'::regclass, i.indexrelid, 0, 'pg_class'::regclass, i.indrelid,
        jsonb_build_object(
            'definition', pg_get_indexdef(i.indexrelid),
            'valid', i.indisvalid,
            'clustered', i.indisclustered,
            'replica identity', i.indisreplident,
            'tablespace', (SELECT spcname FROM pg_tablespace WHERE oid = ic.reltablespace),
            'attached to', (SELECT h.inhparent::regclass::text FROM pg_inherits h WHERE h.inhrelid = i.indexrelid),
            'statistics targets', (SELECT jsonb_agg(jsonb_build_array(ia.attnum, ia.attstattarget) ORDER BY ia.attnum)
                                   FROM pg_attribute ia
                                   WHERE ia.attrelid = i.indexrelid AND ia.attstattarget IS NOT NULL
                                     AND ia.attstattarget >= 0)),
        NULL
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN user_ns n ON n.oid = ic.relnamespace

    UNION ALL
    SELECT 'pg_type'::regclass, t.oid, 0, 'pg_type'::regclass, t.oid,
        jsonb_build_object(
            'type', t.typtype,
            'owner', pg_get_userbyid(t.typowner),
            'labels', (SELECT jsonb_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
            'base type', CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
            'not null', CASE WHEN t.typtype = 'd' THEN t.typnotnull END,
            'default', pg_get_expr(t.typdefaultbin, 0),
            'collation', CASE WHEN t.typtype = 'd' THEN t.typcollation::regcollation::text END,
            'range', (SELECT jsonb_build_object(
                                 'subtype', format_type(r.rngsubtype, NULL),
                                 'collation', r.rngcollation::regcollation::text,
                                 'operator class', (SELECT format('%I.%I', opn.nspname, oc.opcname)
                                                    FROM pg_opclass oc JOIN pg_namespace opn ON opn.oid = oc.opcnamespace
                                                    WHERE oc.oid = r.rngsubopc),
                                 'canonical', r.rngcanonical::text,
                                 'subtype diff', r.rngsubdiff::text)
                      FROM pg_range r WHERE r.rngtypid = t.oid),
            'input', CASE WHEN t.typtype = 'b' THEN t.typinput::text END,
            'output', CASE WHEN t.typtype = 'b' THEN t.typoutput::text END),
        coalesce(t.typacl, acldefault('T', t.typowner))
    FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('b', 'c', 'd', 'e', 'r', 'm')
      -- A table's row type comes with the table, an array type with its element type.
      AND NOT (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) <> 'c')
      AND NOT EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)

    UNION ALL
    SELECT 'pg_proc'::regclass, p.oid, 0, 'pg_proc'::regclass, p.oid,
        jsonb_build_object(
            'kind', p.prokind,
            'owner', pg_get_userbyid(p.proowner),
            'definition', CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END,
            'aggregate', (SELECT jsonb_build_object(
                                     'kind', a.aggkind,
                                     'arguments', pg_get_function_arguments(p.oid),
                                     'result', pg_get_function_result(p.oid),
                                     'transition', a.aggtransfn::text,
                                     'final', a.aggfinalfn::text,
                                     'combine', a.aggcombinefn::text,
                                     'state type', format_type(a.aggtranstype, NULL),
                                     'initial', a.agginitval,
                                     'sort operator', a.aggsortop::regoperator::text)
                          FROM pg_aggregate a WHERE a.aggfnoid = p.oid)),
        coalesce(p.proacl, acldefault('f', p.proowner))
    FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace

    UNION ALL
    -- Internal triggers (foreign keys) come with their constraint, clones on partitions with the parent's.
    SELECT 'pg_trigger'::regclass, tg.oid, 0, 'pg_class'::regclass, tg.tgrelid,
        jsonb_build_object('definition', pg_get_triggerdef(tg.oid), 'enabled', tg.tgenabled),
        NULL
    FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN user_ns n ON n.oid = c.relnamespace
    WHERE NOT tg.tgisinternal AND tg.tgparentid = 0

    UNION ALL
    SELECT 'pg_policy'::regclass, po.oid, 0, 'pg_class'::regclass, po.polrelid,
        jsonb_build_object(
            'command', po.polcmd,
            'permissive', po.polpermissive,
            'roles', (SELECT jsonb_agg(role ORDER BY role)
                      FROM (SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r)::text END AS role
                            FROM unnest(po.polroles) r) roles),
            'using', pg_get_expr(po.polqual, po.polrelid),
            'with check', pg_get_expr(po.polwithcheck, po.polrelid)),
        NULL
    FROM pg_policy po JOIN pg_class c ON c.oid = po.polrelid JOIN user_ns n ON n.oid = c.relnamespace

    UNION ALL
    -- A view's _RETURN rule is its definition, compared on the view.
    SELECT 'pg_rewrite'::regclass, ru.oid, 0, 'pg_class'::regclass, ru.ev_class,
        jsonb_build_object('definition', pg_get_ruledef(ru.oid), 'enabled', ru.ev_enabled),
        NULL
    FROM pg_rewrite ru JOIN pg_class c ON c.oid = ru.ev_class JOIN user_ns n ON n.oid = c.relnamespace
    WHERE ru.rulename <> '_RETURN'

    UNION ALL
    SELECT 'pg_extension'::regclass, x.oid, 0, 'pg_extension'::regclass, x.oid,
        jsonb_build_object(
            'version', x.extversion,
            'schema', x.extnamespace::regnamespace::text,
            'owner', pg_get_userbyid(x.extowner),
            'configuration tables', (SELECT jsonb_agg(cfg::regclass::text) FROM unnest(x.extconfig) cfg),
            'configuration conditions', x.extcondition),
        NULL
    FROM pg_extension x

    UNION ALL
    SELECT 'pg_collation'::regclass, co.oid, 0, 'pg_collation'::regclass, co.oid,
        (to_jsonb(co) - 'oid' - 'collname' - 'collnamespace' - 'collowner' - 'collversion')
            || jsonb_build_object('owner', pg_get_userbyid(co.collowner)),
        NULL
    FROM pg_collation co JOIN user_ns n ON n.oid = co.collnamespace

    UNION ALL
    SELECT 'pg_statistic_ext'::regclass, s.oid, 0, 'pg_class'::regclass, s.stxrelid,
        jsonb_build_object(
            'definition', pg_get_statisticsobjdef(s.oid),
            'owner', pg_get_userbyid(s.stxowner),
            'statistics target', s.stxstattarget),
        NULL
    FROM pg_statistic_ext s JOIN user_ns n ON n.oid = s.stxnamespace

    UNION ALL
    SELECT 'pg_default_acl'::regclass, d.oid, 0, 'pg_default_acl'::regclass, d.oid, '{}'::jsonb, d.defaclacl
    FROM pg_default_acl d

    UNION ALL
    SELECT 'pg_cast'::regclass, ca.oid, 0, 'pg_cast'::regclass, ca.oid,
        jsonb_build_object(
            'function', CASE WHEN ca.castfunc <> 0 THEN ca.castfunc::regprocedure::text END,
            'context', ca.castcontext,
            'method', ca.castmethod),
        NULL
    FROM pg_cast ca WHERE ca.oid >= 16384

    UNION ALL
    SELECT 'pg_event_trigger'::regclass, e.oid, 0, 'pg_event_trigger'::regclass, e.oid,
        jsonb_build_object(
            'event', e.evtevent,
            'function', e.evtfoid::regproc::text,
            'enabled', e.evtenabled,
            'tags', e.evttags,
            'owner', pg_get_userbyid(e.evtowner)),
        NULL
    FROM pg_event_trigger e

    UNION ALL
    SELECT 'pg_publication'::regclass, pb.oid, 0, 'pg_publication'::regclass, pb.oid,
        (to_jsonb(pb) - 'oid' - 'pubname' - 'pubowner')
            || jsonb_build_object(
                'owner', pg_get_userbyid(pb.pubowner),
                'tables', (SELECT jsonb_agg(t ORDER BY t)
                           FROM (SELECT pr.prrelid::regclass::text AS t
                                 FROM pg_publication_rel pr WHERE pr.prpubid = pb.oid) tables)),
        NULL
    FROM pg_publication pb

    UNION ALL
    SELECT 'pg_operator'::regclass, op.oid, 0, 'pg_operator'::regclass, op.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(op.oprowner),
            'result', format_type(op.oprresult, NULL),
            'function', op.oprcode::text,
            'commutator', op.oprcom::regoperator::text,
            'negator', op.oprnegate::regoperator::text,
            'restrict', op.oprrest::text,
            'join', op.oprjoin::text,
            'hashes', op.oprcanhash,
            'merges', op.oprcanmerge),
        NULL
    FROM pg_operator op JOIN user_ns n ON n.oid = op.oprnamespace

    UNION ALL
    SELECT 'pg_opfamily'::regclass, f.oid, 0, 'pg_opfamily'::regclass, f.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(f.opfowner),
            'operators', (SELECT jsonb_agg(format('%s %s %s', ao.amopstrategy, ao.amopopr::regoperator, ao.amoppurpose)
                                           ORDER BY ao.amopstrategy, ao.amopopr::regoperator::text)
                          FROM pg_amop ao WHERE ao.amopfamily = f.oid),
            'functions', (SELECT jsonb_agg(format('%s %s', ap.amprocnum, ap.amproc::regprocedure)
                                           ORDER BY ap.amprocnum, ap.amproc::regprocedure::text)
                          FROM pg_amproc ap WHERE ap.amprocfamily = f.oid)),
        NULL
    FROM pg_opfamily f JOIN user_ns n ON n.oid = f.opfnamespace

    UNION ALL
    SELECT 'pg_opclass'::regclass, oc.oid, 0, 'pg_opclass'::regclass, oc.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(oc.opcowner),
            'type', format_type(oc.opcintype, NULL),
            'default', oc.opcdefault,
            'storage', CASE WHEN oc.opckeytype <> 0 THEN format_type(oc.opckeytype, NULL) END),
        NULL
    FROM pg_opclass oc JOIN user_ns n ON n.oid = oc.opcnamespace

    UNION ALL
    SELECT 'pg_ts_config'::regclass, cfg.oid, 0, 'pg_ts_config'::regclass, cfg.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(cfg.cfgowner),
            'parser', (SELECT format('%I.%I', pn.nspname, p.prsname) FROM pg_ts_parser p
                       JOIN pg_namespace pn ON pn.oid = p.prsnamespace WHERE p.oid = cfg.cfgparser),
            'mappings', (SELECT jsonb_agg(format('%s %s %s', m.maptokentype, m.mapseqno, m.mapdict::regdictionary)
                                          ORDER BY m.maptokentype, m.mapseqno)
                         FROM pg_ts_config_map m WHERE m.mapcfg = cfg.oid)),
        NULL
    FROM pg_ts_config cfg JOIN user_ns n ON n.oid = cfg.cfgnamespace

    UNION ALL
    SELECT 'pg_ts_dict'::regclass, dict.oid, 0, 'pg_ts_dict'::regclass, dict.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(dict.dictowner),
            'template', (SELECT format('%I.%I', tn.nspname, t.tmplname) FROM pg_ts_template t
                         JOIN pg_namespace tn ON tn.oid = t.tmplnamespace WHERE t.oid = dict.dicttemplate),
            'options', dict.dictinitoption),
        NULL
    FROM pg_ts_dict dict JOIN user_ns n ON n.oid = dict.dictnamespace

    UNION ALL
    SELECT 'pg_ts_parser'::regclass, p.oid, 0, 'pg_ts_parser'::regclass, p.oid,
        jsonb_build_object('start', p.prsstart::text, 'token', p.prstoken::text, 'end', p.prsend::text,
                           'headline', p.prsheadline::text, 'types', p.prslextype::text),
        NULL
    FROM pg_ts_parser p JOIN user_ns n ON n.oid = p.prsnamespace

    UNION ALL
    SELECT 'pg_ts_template'::regclass, t.oid, 0, 'pg_ts_template'::regclass, t.oid,
        jsonb_build_object('init', t.tmplinit::text, 'lexize', t.tmpllexize::text),
        NULL
    FROM pg_ts_template t JOIN user_ns n ON n.oid = t.tmplnamespace

    UNION ALL
    SELECT 'pg_conversion'::regclass, cv.oid, 0, 'pg_conversion'::regclass, cv.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(cv.conowner),
            'from', pg_encoding_to_char(cv.conforencoding),
            'to', pg_encoding_to_char(cv.contoencoding),
            'function', cv.conproc::text,
            'default', cv.condefault),
        NULL
    FROM pg_conversion cv JOIN user_ns n ON n.oid = cv.connamespace

    UNION ALL
    SELECT 'pg_language'::regclass, l.oid, 0, 'pg_language'::regclass, l.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(l.lanowner),
            'trusted', l.lanpltrusted,
            'handler', l.lanplcallfoid::regproc::text,
            'inline', l.laninline::regproc::text,
            'validator', l.lanvalidator::regproc::text),
        coalesce(l.lanacl, acldefault('l', l.lanowner))
    FROM pg_language l WHERE l.oid >= 16384

    UNION ALL
    SELECT 'pg_foreign_data_wrapper'::regclass, w.oid, 0, 'pg_foreign_data_wrapper'::regclass, w.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(w.fdwowner),
            'handler', w.fdwhandler::regproc::text,
            'validator', w.fdwvalidator::regproc::text,
            'options', w.fdwoptions),
        coalesce(w.fdwacl, acldefault('F', w.fdwowner))
    FROM pg_foreign_data_wrapper w

    UNION ALL
    SELECT 'pg_foreign_server'::regclass, fs.oid, 0, 'pg_foreign_server'::regclass, fs.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(fs.srvowner),
            'wrapper', (SELECT fdwname FROM pg_foreign_data_wrapper WHERE oid = fs.srvfdw),
            'type', fs.srvtype,
            'version', fs.srvversion,
            'options', fs.srvoptions),
        coalesce(fs.srvacl, acldefault('S', fs.srvowner))
    FROM pg_foreign_server fs
)
SELECT coalesce(jsonb_agg(jsonb_build_object(
        'kind', id.type,
        'name', id.identity,
        'attributes', jsonb_strip_nulls(o.attributes || jsonb_build_object(
            'comment', d.description,
            'privileges', (SELECT jsonb_agg(p ORDER BY p)
                           FROM (SELECT format('%s %s%s (granted by %s)',
                                               CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                                                    ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                                               a.privilege_type,
                                               CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END,
                                               quote_ident(pg_get_userbyid(a.grantor))) AS p
                                 FROM aclexplode(o.acl) a) privileges),
            -- pg_dump prints the entries that differ from the default ACL in the ACL's order: a reordered ACL
            -- is a change it shows.
            'privilege_order', (SELECT CASE WHEN count(*) > 1 THEN jsonb_agg(u.item::text ORDER BY u.ord) END
                                FROM unnest(o.acl) WITH ORDINALITY AS u(item, ord)
                                WHERE NOT (u.item = ANY (CASE
                                    WHEN o.objsubid <> 0 THEN '{}'::aclitem[]
                                    WHEN o.classid = 'pg_class'::regclass THEN (SELECT acldefault(CASE WHEN c.relkind = 'S'
                                        THEN 's' ELSE 'r' END::"char", c.relowner) FROM pg_class c WHERE c.oid = o.objid)
                                    WHEN o.classid = 'pg_namespace'::regclass THEN
                                        (SELECT acldefault('n', x.nspowner) FROM pg_namespace x WHERE x.oid = o.objid)
                                    WHEN o.classid = 'pg_type'::regclass THEN
                                        (SELECT acldefault('T', x.typowner) FROM pg_type x WHERE x.oid = o.objid)
                                    WHEN o.classid = 'pg_proc'::regclass THEN
                                        (SELECT acldefault('f', x.proowner) FROM pg_proc x WHERE x.oid = o.objid)
                                    WHEN o.classid = 'pg_language'::regclass THEN
                                        (SELECT acldefault('l', x.lanowner) FROM pg_language x WHERE x.oid = o.objid)
                                    WHEN o.classid = 'pg_foreign_data_wrapper'::regclass THEN
                                        (SELECT acldefault('F', x.fdwowner) FROM pg_foreign_data_wrapper x WHERE x.oid = o.objid)
                                    WHEN o.classid = 'pg_foreign_server'::regclass THEN
                                        (SELECT acldefault('S', x.srvowner) FROM pg_foreign_server x WHERE x.oid = o.objid)
                                    ELSE '{}'::aclitem[] END))))))), '[]')::text
FROM objects o
CROSS JOIN LATERAL pg_identify_object(o.classid, o.objid, o.objsubid) id
LEFT JOIN pg_description d ON d.classoid = o.classid AND d.objoid = o.objid AND d.objsubid = o.objsubid
WHERE NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = o.top_class AND e.objid = o.top_oid AND e.deptype = 'e')
  AND o.top_oid NOT IN (SELECT oid FROM bookkeeping)
