-- Every catalog object a migration can create, change or drop, with what defines it, as one JSON array of
-- {kind, name, attributes}. Read-only. Run with an empty search_path: every name in a definition then comes
-- out schema-qualified, the same on both sides of a comparison. Objects are named by pg_identify_object;
-- OIDs, dropped-column slots, statistics, sequence values and table rows are never read. Option lists are
-- compared as sets (PostgreSQL moves a re-set option to the end). 64-bit values come out as text, so a
-- snapshot is plain JSON. Works on PostgreSQL 14 and later (and PGlite); lines between `--@if NNNNNN` and
-- `--@else`/`--@end` are kept only when server_version_num >= NNNNNN (see snapshot.rs).
WITH user_ns AS (
    -- pgrollback_archive (and pgrollback_archive/..., a table a DROP TABLE moved): pg-rollback's archive of
    -- destroyed data, bookkeeping like schema_versions' rows.
    SELECT oid FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'
        AND nspname <> 'pgrollback_archive' AND nspname !~ '^pgrollback_archive/'
),
-- Drizzle's own bookkeeping (its schema, table and sequence) is not the user's schema.
bookkeeping AS (
    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'drizzle' AND c.relname IN ('__drizzle_migrations', '__drizzle_migrations_id_seq')
    UNION ALL
    SELECT oid FROM pg_namespace WHERE nspname = 'drizzle'
),
-- Index storage parameters as pg_get_indexdef and pg_get_constraintdef print them (flatten_reloptions), in
-- stored and in sorted order: definitions are compared with the sorted list.
index_options AS (
    SELECT ic.oid,
        ' WITH (' || string_agg(p.flat, ', ' ORDER BY u.n) || ')' AS stored,
        ' WITH (' || string_agg(p.flat, ', ' ORDER BY p.flat) || ')' AS sorted
    FROM pg_class ic
    CROSS JOIN LATERAL unnest(ic.reloptions) WITH ORDINALITY u(o, n)
    CROSS JOIN LATERAL (SELECT split_part(u.o, '=', 1) || '='
                               || CASE WHEN quote_ident(x.v) = x.v THEN x.v ELSE quote_literal(x.v) END AS flat
                        FROM (SELECT substr(u.o, strpos(u.o, '=') + 1) AS v) x) p
    WHERE ic.relkind IN ('i', 'I') AND ic.reloptions IS NOT NULL
    GROUP BY ic.oid
),
builtin_ns AS (
    SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema')
),
-- Built-in objects: a migration can still change their privileges, compared where they differ from the
-- initial ones (pg_init_privs). (Their comments: one digest per catalog, at the end.)
builtin_acl (classid, objid, objsubid, acl, initial) AS (
    SELECT 'pg_proc'::regclass, p.oid, 0, coalesce(p.proacl, acldefault('f', p.proowner)),
        coalesce(ip.initprivs, acldefault('f', p.proowner))
    FROM pg_proc p LEFT JOIN pg_init_privs ip
        ON ip.classoid = 'pg_proc'::regclass AND ip.objoid = p.oid AND ip.objsubid = 0
    WHERE p.proacl IS NOT NULL AND p.pronamespace IN (SELECT oid FROM builtin_ns)
    UNION ALL
    SELECT 'pg_class'::regclass, c.oid, 0,
        coalesce(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner)),
        -- information_schema has no pg_init_privs rows: initdb grants SELECT to PUBLIC there.
        coalesce(ip.initprivs,
                 acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner)
                 || CASE WHEN c.relnamespace = 'information_schema'::regnamespace
                         THEN ARRAY[makeaclitem(0, c.relowner, 'SELECT', false)] ELSE '{}' END)
    FROM pg_class c LEFT JOIN pg_init_privs ip
        ON ip.classoid = 'pg_class'::regclass AND ip.objoid = c.oid AND ip.objsubid = 0
    WHERE c.relacl IS NOT NULL AND c.relnamespace IN (SELECT oid FROM builtin_ns)
    UNION ALL
    SELECT 'pg_class'::regclass, a.attrelid, a.attnum, a.attacl, ip.initprivs
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_init_privs ip
        ON ip.classoid = 'pg_class'::regclass AND ip.objoid = a.attrelid AND ip.objsubid = a.attnum
    WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND c.relnamespace IN (SELECT oid FROM builtin_ns)
    UNION ALL
    SELECT 'pg_type'::regclass, t.oid, 0, coalesce(t.typacl, acldefault('T', t.typowner)),
        coalesce(ip.initprivs, acldefault('T', t.typowner))
    FROM pg_type t LEFT JOIN pg_init_privs ip
        ON ip.classoid = 'pg_type'::regclass AND ip.objoid = t.oid AND ip.objsubid = 0
    WHERE t.typacl IS NOT NULL AND t.typnamespace IN (SELECT oid FROM builtin_ns)
    UNION ALL
    SELECT 'pg_namespace'::regclass, n.oid, 0, coalesce(n.nspacl, acldefault('n', n.nspowner)),
        coalesce(ip.initprivs,
                 acldefault('n', n.nspowner)
                 || CASE WHEN n.nspname = 'information_schema'
                         THEN ARRAY[makeaclitem(0, n.nspowner, 'USAGE', false)] ELSE '{}' END)
    FROM pg_namespace n LEFT JOIN pg_init_privs ip
        ON ip.classoid = 'pg_namespace'::regclass AND ip.objoid = n.oid AND ip.objsubid = 0
    WHERE n.nspacl IS NOT NULL AND n.oid IN (SELECT oid FROM builtin_ns)
),
-- (catalog, object, sub-object) as pg_identify_object takes them; `top` is the object that decides whether
-- it is Drizzle's bookkeeping (a column's table, a trigger's table); `acl` is null where there are no privileges.
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
            'options', (SELECT jsonb_agg(o ORDER BY o) FROM unnest(c.reloptions) o),
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
            'sequence', (SELECT jsonb_build_object('type', format_type(s.seqtypid, NULL), 'start', s.seqstart::text,
                                    'increment', s.seqincrement::text, 'min', s.seqmin::text,
                                    'max', s.seqmax::text, 'cache', s.seqcache::text, 'cycle', s.seqcycle)
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
            'foreign options', (SELECT jsonb_agg(o ORDER BY o) FROM pg_foreign_table ft, unnest(ft.ftoptions) o
                                WHERE ft.ftrelid = c.oid),
            'toast options', (SELECT jsonb_agg(o ORDER BY o) FROM pg_class tc, unnest(tc.reloptions) o
                              WHERE tc.oid = c.reltoastrelid),
            'of type', CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END),
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
            'compression', nullif(a.attcompression::text, ''),
            'options', (SELECT jsonb_agg(o ORDER BY o) FROM unnest(a.attoptions) o),
            'foreign options', (SELECT jsonb_agg(o ORDER BY o) FROM unnest(a.attfdwoptions) o)),
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
            'definition', replace(pg_get_constraintdef(co.oid), io.stored, io.sorted),
            'deferrable', co.condeferrable,
            'deferred', co.condeferred,
            'validated', co.convalidated,
            'no inherit', co.connoinherit,
            'local', co.conislocal,
            'inherited count', co.coninhcount,
            -- DISABLE TRIGGER ALL also disables the triggers that enforce a key, here and on the copies
            -- below; only those not enabled are listed.
            'internal triggers not enabled', (
                WITH RECURSIVE family AS (
                    SELECT co.oid
                    UNION ALL
                    SELECT cc.oid FROM pg_constraint cc JOIN family f ON cc.conparentid = f.oid
                    WHERE cc.conrelid = co.conrelid)
                SELECT jsonb_agg(DISTINCT format('%s %s %s', tg.tgrelid::regclass, tg.tgfoid::regproc, tg.tgenabled))
                FROM pg_trigger tg JOIN family f ON tg.tgconstraint = f.oid
                WHERE tg.tgisinternal AND tg.tgenabled <> 'O')),
        NULL
    FROM pg_constraint co JOIN user_ns n ON n.oid = co.connamespace
    CROSS JOIN LATERAL (SELECT * FROM index_options io WHERE io.oid = co.conindid
                        UNION ALL SELECT 0, '', '' LIMIT 1) io
    -- A foreign key to a partitioned table gets a copy per partition on the same table, named by attach
    -- order: compared through the key they copy.
    WHERE NOT EXISTS (SELECT 1 FROM pg_constraint pc WHERE pc.oid = co.conparentid AND pc.conrelid = co.conrelid)

    UNION ALL
    SELECT 'pg_class'::regclass, i.indexrelid, 0, 'pg_class'::regclass, i.indrelid,
        jsonb_build_object(
            'definition', replace(pg_get_indexdef(i.indexrelid), io.stored, io.sorted),
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
    CROSS JOIN LATERAL (SELECT * FROM index_options io WHERE io.oid = i.indexrelid
                        UNION ALL SELECT 0, '', '' LIMIT 1) io

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
            -- A base type's every option (functions, length, alignment, storage, category, ...); a shell
            -- type is one not defined yet.
            'base type options', CASE WHEN t.typtype IN ('b', 'p') THEN
                to_jsonb(t) - ARRAY['oid', 'typname', 'typnamespace', 'typowner', 'typrelid', 'typelem', 'typarray',
                                    'typbasetype', 'typcollation', 'typacl', 'typdefaultbin', 'typtype']
                || jsonb_build_object(
                    'element', CASE WHEN t.typelem <> 0 THEN format_type(t.typelem, NULL) END,
                    'collatable', t.typcollation <> 0) END),
        coalesce(t.typacl, acldefault('T', t.typowner))
    FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('b', 'c', 'd', 'e', 'r', 'm', 'p')
      -- A table's row type comes with the table, an array type with its element type.
      AND NOT (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) <> 'c')
      AND NOT EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)

    UNION ALL
    SELECT 'pg_proc'::regclass, p.oid, 0, 'pg_proc'::regclass, p.oid,
        jsonb_build_object(
            'kind', p.prokind,
            'owner', pg_get_userbyid(p.proowner),
            'definition', CASE WHEN p.prokind <> 'a' THEN (
                -- SET clauses in sorted order (PostgreSQL moves a re-set one to the end): the header lines
                -- start with a space, the body starts at the first line after the first that does not.
                WITH lines AS (SELECT l, n FROM unnest(string_to_array(pg_get_functiondef(p.oid), E'\n'))
                                                WITH ORDINALITY u(l, n)),
                     body AS (SELECT coalesce(min(n), 2147483647) AS b FROM lines WHERE n > 1 AND l !~ '^ ')
                SELECT string_agg(l, E'\n' ORDER BY CASE WHEN n > 1 AND n < b AND l LIKE ' SET %' THEN b - 1 ELSE n END,
                                                     CASE WHEN n > 1 AND n < b AND l LIKE ' SET %' THEN l END)
                FROM lines, body) END,
            'aggregate', (SELECT to_jsonb(a) - ARRAY['aggfnoid', 'aggsortop', 'aggtranstype', 'aggmtranstype']
                                 || jsonb_build_object(
                                     'arguments', pg_get_function_arguments(p.oid),
                                     'result', pg_get_function_result(p.oid),
                                     'parallel', p.proparallel,
                                     'state type', format_type(a.aggtranstype, NULL),
                                     'moving state type', CASE WHEN a.aggmtranstype <> 0
                                                               THEN format_type(a.aggmtranstype, NULL) END,
                                     'sort operator', CASE WHEN a.aggsortop <> 0
                                                           THEN a.aggsortop::regoperator::text END)
                          FROM pg_aggregate a WHERE a.aggfnoid = p.oid)),
        coalesce(p.proacl, acldefault('f', p.proowner))
    FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace

    UNION ALL
    -- Internal triggers (foreign keys) come with their constraint, clones on partitions with the parent's
    -- (their enabled state can differ from it: listed when not enabled).
    SELECT 'pg_trigger'::regclass, tg.oid, 0, 'pg_class'::regclass, tg.tgrelid,
        jsonb_build_object(
            'definition', pg_get_triggerdef(tg.oid),
            'enabled', tg.tgenabled,
            'on partitions not enabled', (
                WITH RECURSIVE clones AS (
                    SELECT cl.oid, cl.tgrelid, cl.tgenabled FROM pg_trigger cl WHERE cl.tgparentid = tg.oid
                    UNION ALL
                    SELECT cl.oid, cl.tgrelid, cl.tgenabled FROM pg_trigger cl JOIN clones p ON cl.tgparentid = p.oid)
                SELECT jsonb_agg(format('%s %s', cl.tgrelid::regclass, cl.tgenabled) ORDER BY cl.tgrelid::regclass::text)
                FROM clones cl WHERE cl.tgenabled <> 'O'),
            -- PostgreSQL 14 renames a copy apart from its parent's trigger.
            'on partitions named otherwise', (
                WITH RECURSIVE clones AS (
                    SELECT cl.oid, cl.tgrelid, cl.tgname FROM pg_trigger cl WHERE cl.tgparentid = tg.oid
                    UNION ALL
                    SELECT cl.oid, cl.tgrelid, cl.tgname FROM pg_trigger cl JOIN clones p ON cl.tgparentid = p.oid)
                SELECT jsonb_agg(format('%s %I', cl.tgrelid::regclass, cl.tgname) ORDER BY cl.tgrelid::regclass::text)
                FROM clones cl WHERE cl.tgname <> tg.tgname)),
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
                           FROM (SELECT pr.prrelid::regclass::text
--@if 150000
                                        -- column lists and row filters
                                        || coalesce(' (' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                                                              FROM pg_attribute a
                                                              WHERE a.attrelid = pr.prrelid AND a.attnum = ANY (pr.prattrs))
                                                    || ')', '')
                                        || coalesce(' WHERE ' || pg_get_expr(pr.prqual, pr.prrelid), '')
--@end
                                        AS t
                                 FROM pg_publication_rel pr WHERE pr.prpubid = pb.oid) tables)
--@if 150000
                , 'schemas', (SELECT jsonb_agg(pn.pnnspid::regnamespace::text ORDER BY pn.pnnspid::regnamespace::text)
                              FROM pg_publication_namespace pn WHERE pn.pnpubid = pb.oid)
--@end
                ),
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
    FROM pg_language l

    UNION ALL
    SELECT 'pg_foreign_data_wrapper'::regclass, w.oid, 0, 'pg_foreign_data_wrapper'::regclass, w.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(w.fdwowner),
            'handler', w.fdwhandler::regproc::text,
            'validator', w.fdwvalidator::regproc::text,
            'options', (SELECT jsonb_agg(o ORDER BY o) FROM unnest(w.fdwoptions) o)),
        coalesce(w.fdwacl, acldefault('F', w.fdwowner))
    FROM pg_foreign_data_wrapper w

    UNION ALL
    SELECT 'pg_foreign_server'::regclass, fs.oid, 0, 'pg_foreign_server'::regclass, fs.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(fs.srvowner),
            'wrapper', (SELECT fdwname FROM pg_foreign_data_wrapper WHERE oid = fs.srvfdw),
            'type', fs.srvtype,
            'version', fs.srvversion,
            'options', (SELECT jsonb_agg(o ORDER BY o) FROM unnest(fs.srvoptions) o)),
        coalesce(fs.srvacl, acldefault('S', fs.srvowner))
    FROM pg_foreign_server fs

    UNION ALL
    -- Option values can be secrets (passwords): their names are listed, the values only compared by hash.
    SELECT 'pg_user_mapping'::regclass, um.umid, 0, 'pg_user_mapping'::regclass, um.umid,
        jsonb_build_object(
            'option names', (SELECT jsonb_agg(split_part(o, '=', 1) ORDER BY o) FROM unnest(um.umoptions) o),
            'options hash', (SELECT encode(sha256(convert_to(string_agg(o, E'\n' ORDER BY o), 'UTF8')), 'hex')
                             FROM unnest(um.umoptions) o)),
        NULL
    FROM pg_user_mappings um

    UNION ALL
    SELECT 'pg_largeobject'::regclass, lo.oid, 0, 'pg_largeobject'::regclass, lo.oid,
        jsonb_build_object('owner', pg_get_userbyid(lo.lomowner)),
        coalesce(lo.lomacl, acldefault('L', lo.lomowner))
    FROM pg_largeobject_metadata lo

    UNION ALL
    SELECT 'pg_am'::regclass, am.oid, 0, 'pg_am'::regclass, am.oid,
        jsonb_build_object('type', am.amtype, 'handler', am.amhandler::text),
        NULL
    FROM pg_am am WHERE am.oid >= 16384

    UNION ALL
    SELECT 'pg_transform'::regclass, tr.oid, 0, 'pg_transform'::regclass, tr.oid,
        jsonb_build_object('from sql', nullif(tr.trffromsql::text, '-'), 'to sql', nullif(tr.trftosql::text, '-')),
        NULL
    FROM pg_transform tr WHERE tr.oid >= 16384

    UNION ALL
    SELECT classid, objid, objsubid, classid, objid, '{}'::jsonb, acl
    FROM builtin_acl
    WHERE (SELECT array_agg(x::text ORDER BY x::text) FROM unnest(acl) x)
          IS DISTINCT FROM (SELECT array_agg(x::text ORDER BY x::text) FROM unnest(initial) x)

    UNION ALL
    -- Only the current database, under one name so that snapshots of two databases compare.
    SELECT 'pg_database'::regclass, db.oid, 0, 'pg_database'::regclass, db.oid,
        jsonb_build_object(
            'owner', pg_get_userbyid(db.datdba),
            'comment', shobj_description(db.oid, 'pg_database'),
            'connection limit', db.datconnlimit,
            'allow connections', db.datallowconn,
            'template', db.datistemplate,
            'settings', (SELECT jsonb_agg(o ORDER BY o) FROM pg_db_role_setting s, unnest(s.setconfig) o
                         WHERE s.setdatabase = db.oid AND s.setrole = 0),
            'role settings', (SELECT jsonb_agg(format('%s: %s', quote_ident(pg_get_userbyid(s.setrole)), o)
                                               ORDER BY pg_get_userbyid(s.setrole), o)
                              FROM pg_db_role_setting s, unnest(s.setconfig) o
                              WHERE s.setdatabase = db.oid AND s.setrole <> 0),
            'security labels', (SELECT jsonb_agg(format('%s: %s', l.provider, l.label) ORDER BY l.provider)
                                FROM pg_shseclabel l
                                WHERE l.classoid = 'pg_database'::regclass AND l.objoid = db.oid)),
        coalesce(db.datacl, acldefault('d', db.datdba))
    FROM pg_database db WHERE db.datname = current_database()
)
SELECT coalesce(jsonb_agg(row ORDER BY row->>'kind', row->>'name'), '[]')::text
FROM (
    SELECT jsonb_build_object(
        'kind', id.type,
        'name', CASE WHEN o.classid = 'pg_database'::regclass THEN 'current database' ELSE id.identity END,
        -- What an object's own query says wins (the database's comment and labels are shared).
        'attributes', jsonb_strip_nulls(jsonb_build_object(
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
            'privilege order', (SELECT CASE WHEN count(*) > 1 THEN jsonb_agg(u.item::text ORDER BY u.ord) END
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
                                    ELSE '{}'::aclitem[] END))),
            'security labels', (SELECT jsonb_agg(format('%s: %s', l.provider, l.label) ORDER BY l.provider)
                                FROM pg_seclabel l
                                WHERE l.classoid = o.classid AND l.objoid = o.objid AND l.objsubid = o.objsubid),
            -- Members of an extension are compared like any object (a migration can still change them).
            'extension', CASE WHEN o.objsubid = 0 THEN
                (SELECT x.extname FROM pg_depend e JOIN pg_extension x ON x.oid = e.refobjid
                 WHERE e.classid = o.classid AND e.objid = o.objid AND e.objsubid = 0 AND e.deptype = 'e'
                   AND e.refclassid = 'pg_extension'::regclass) END,
            'depends on extensions', (SELECT jsonb_agg(x.extname ORDER BY x.extname)
                                      FROM pg_depend e JOIN pg_extension x ON x.oid = e.refobjid
                                      WHERE e.classid = o.classid AND e.objid = o.objid
                                        AND e.objsubid = o.objsubid AND e.deptype = 'x'
                                        AND e.refclassid = 'pg_extension'::regclass)) || o.attributes))
        -- pg_identify_object reads the newest catalog: an object another session dropped after this query's
        -- snapshot was taken has no name any more (e.g. a permanent function of a temporary type, dropped when
        -- its session's temporary schema goes): said here, read again by the caller.
        || CASE WHEN id.identity IS NULL OR id.type IS NULL
                THEN jsonb_build_object('dropped while read', format('%s %s %s', o.classid::regclass, o.objid, o.objsubid))
                ELSE '{}' END AS row
    FROM objects o
    CROSS JOIN LATERAL pg_identify_object(o.classid, o.objid, o.objsubid) id
    LEFT JOIN pg_description d ON d.classoid = o.classid AND d.objoid = o.objid AND d.objsubid = o.objsubid
    WHERE o.top_oid NOT IN (SELECT oid FROM bookkeeping)

    UNION ALL
    -- Comments on built-in objects (thousands): one digest per catalog. Languages, extensions and the
    -- public schema are objects of their own above.
    SELECT jsonb_build_object(
        'kind', 'comments on built-in objects',
        'name', d.classoid::regclass::text,
        'attributes', jsonb_build_object(
            'count', count(*),
            'digest', md5(string_agg(format('%s %s %s', d.objoid, d.objsubid, d.description), E'\n'
                                     ORDER BY d.objoid, d.objsubid))))
    FROM pg_description d
    WHERE d.objoid < 16384
      AND d.classoid NOT IN ('pg_language'::regclass, 'pg_extension'::regclass, 'pg_largeobject'::regclass)
      AND NOT (d.classoid = 'pg_namespace'::regclass AND d.objoid IN (SELECT oid FROM user_ns))
    GROUP BY d.classoid
) rows
