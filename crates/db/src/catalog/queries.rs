//! The text of the catalog queries. Fixed queries are `.sql` files in `queries/`; the ones assembled from
//! shared parts (a relation's JSON, ACLs, the lookups of a name) or differing by server version are built
//! once, here.
use std::sync::LazyLock;

use super::version::{for_each, Generation, PerGeneration};

pub(super) static LOCATE_RELATION: LazyLock<[&'static str; 3]> = LazyLock::new(|| locate_relation(""));
pub(super) static LOCATE_INDEX: LazyLock<[&'static str; 3]> =
    LazyLock::new(|| locate_relation(" AND c.relkind IN ('i', 'I')"));

pub(super) fn locate_relation(filter: &str) -> [&'static str; 3] {
    [BY_PATH, IN_SCHEMA, BESIDE].map(|oid| {
        leak(format!(
            "SELECT json_build_object('oid', c.oid::bigint, 'schema', n.nspname)::text FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = {oid}{filter}"
        ))
    })
}

/// How a type name is found: through `search_path` (as the statement finds it), or in its schema.
pub(super) const TYPE_OIDS: [&str; 2] = [
    "to_regtype($1)",
    "(SELECT t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typname = $2 AND n.nspname = COALESCE($1, current_schema()))",
];

/// How a routine is found: by signature, by name alone, by signature in the creation schema, or by name
/// in its schema (only when that name is not overloaded there).
pub(super) const ROUTINE_OIDS: [&str; 4] = [
    "to_regprocedure($1)",
    "to_regproc($1)",
    "to_regprocedure(quote_ident(current_schema()) || '.' || $1)",
    "(SELECT CASE WHEN count(*) = 1 THEN min(p.oid) END FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE p.proname = $2 AND n.nspname = COALESCE($1, current_schema()))",
];

/// The OID alone (`Question::Type`/`Routine` then describe it), or OID and schema (`Question::Locate`).
pub(super) static TYPE_OID: LazyLock<[&'static str; 2]> =
    LazyLock::new(|| TYPE_OIDS.map(|oid| leak(format!("SELECT ({oid})::oid::text"))));
pub(super) static ROUTINE_OID: LazyLock<[&'static str; 4]> =
    LazyLock::new(|| ROUTINE_OIDS.map(|oid| leak(format!("SELECT ({oid})::oid::text"))));

pub(super) static LOCATE_TYPE: LazyLock<[&'static str; 2]> = LazyLock::new(|| {
    TYPE_OIDS.map(|oid| {
        leak(format!(
            "SELECT json_build_object('oid', t.oid::bigint, 'schema', n.nspname)::text FROM pg_type t
             JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = {oid}"
        ))
    })
});

pub(super) static LOCATE_ROUTINE: LazyLock<[&'static str; 4]> = LazyLock::new(|| {
    ROUTINE_OIDS.map(|oid| {
        leak(format!(
            "SELECT json_build_object('oid', p.oid::bigint, 'schema', n.nspname)::text FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = {oid}"
        ))
    })
});

/// Where a relation is, by lookup: through `search_path`; in a schema (or the creation schema); beside another.
pub(super) const BY_PATH: &str = "to_regclass($1)";
pub(super) const IN_SCHEMA: &str = "(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relname = $2 AND n.nspname = COALESCE($1, current_schema()))";
pub(super) const BESIDE: &str = "(SELECT c.oid FROM pg_class c WHERE c.relname = $2
     AND c.relnamespace = (SELECT r.relnamespace FROM pg_class r WHERE r.oid = to_regclass($1)))";

pub(super) fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

pub(super) static OID_ONLY: LazyLock<[&'static str; 3]> =
    LazyLock::new(|| [BY_PATH, IN_SCHEMA, BESIDE].map(|oid| leak(format!("SELECT ({oid})::oid::text"))));

/// Per lookup (as [`OID_ONLY`]), per generation.
pub(super) static RELATION: [PerGeneration; 3] = [
    PerGeneration::new(|| for_each(|generation| relation_select(BY_PATH, generation))),
    PerGeneration::new(|| for_each(|generation| relation_select(IN_SCHEMA, generation))),
    PerGeneration::new(|| for_each(|generation| relation_select(BESIDE, generation))),
];

fn relation_select(oid: &str, generation: Generation) -> String {
    format!(
        "SELECT {}::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = {oid}",
        relation_json("c", "n", generation)
    )
}

/// An ACL as a JSON array of privileges; `acl` is an aclitem[] expression (NULL: no entries).
pub(super) fn acl_json(acl: &str) -> String {
    format!(
        "COALESCE((SELECT json_agg(json_build_object(
            'grantee', CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee)::text END,
            'grantor', pg_get_userbyid(a.grantor)::text, 'privilege', a.privilege_type, 'grantable', a.is_grantable)
            ORDER BY a.ord) FROM aclexplode({acl}) WITH ORDINALITY AS a(grantor, grantee, privilege_type, is_grantable, ord)),
          '[]'::json)"
    )
}

/// `{schema, name}` of a relation by OID expression.
pub(super) fn relation_name_json(oid: &str) -> String {
    format!(
        "(SELECT json_build_object('schema', rn.nspname, 'name', rc.relname) FROM pg_class rc
          JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = {oid})"
    )
}

pub(super) fn relation_json(c: &str, n: &str, generation: Generation) -> String {
    let default = format!("acldefault(CASE WHEN {c}.relkind = 'S' THEN 's' ELSE 'r' END::\"char\", {c}.relowner)");
    format!(
        "json_build_object('oid', {c}.oid::bigint, 'schema', {n}.nspname, 'name', {c}.relname, 'kind', {c}.relkind,
          'persistence', {c}.relpersistence, 'owner', pg_get_userbyid({c}.relowner)::text,
          'acl', {acl}, 'default_acl', {default_acl}, 'comment', obj_description({c}.oid, 'pg_class'),
          'options', COALESCE({c}.reloptions, '{{}}'), 'row_security', {c}.relrowsecurity, 'force_row_security', {c}.relforcerowsecurity,
          'has_children', EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = {c}.oid),
          'is_partition', {c}.relispartition, 'replica_identity', {c}.relreplident,
          'replica_identity_index', (SELECT ic.relname FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
                                     WHERE x.indrelid = {c}.oid AND x.indisreplident),
          'clustered_index', (SELECT ic.relname FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
                              WHERE x.indrelid = {c}.oid AND x.indisclustered),
          'partition_bound', CASE WHEN {c}.relispartition THEN pg_get_expr({c}.relpartbound, {c}.oid) END,
          'partition_of', CASE WHEN {c}.relispartition THEN
             {parent} END,
          'cloned_trigger_states', CASE WHEN {c}.relispartition THEN COALESCE((WITH RECURSIVE cl(oid, relid, name, enabled, internal, origin, depth, origin_name) AS (
               SELECT t.oid, t.tgrelid, t.tgname, t.tgenabled, NOT {user_trigger}, u.tgenabled, 0, u.tgname FROM pg_trigger t
                 JOIN pg_trigger u ON u.oid = t.tgparentid WHERE t.tgrelid = {c}.oid
               {unlinked_key_triggers}
               UNION ALL SELECT t.oid, t.tgrelid, t.tgname, t.tgenabled, NOT {user_trigger}, cl.origin, cl.depth + 1, cl.origin_name
                 FROM pg_trigger t JOIN cl ON t.tgparentid = cl.oid)
             SELECT json_agg(json_build_object('relation', {clone_relation}, 'name', cl.name, 'enabled', cl.enabled,
                                               'internal', cl.internal, 'renamed', cl.name <> cl.origin_name)
                             ORDER BY cl.depth, cl.oid)
             FROM cl WHERE cl.enabled <> cl.origin OR cl.name <> cl.origin_name), '[]'::json) ELSE '[]'::json END,
          'parent_indexes_without_partition', CASE WHEN {c}.relispartition THEN COALESCE((
             SELECT json_agg(pc.relname ORDER BY pc.oid) FROM pg_inherits h JOIN pg_index px ON px.indrelid = h.inhparent
               JOIN pg_class pc ON pc.oid = px.indexrelid
             WHERE h.inhrelid = {c}.oid AND NOT EXISTS (SELECT 1 FROM pg_inherits ih JOIN pg_index cx ON cx.indexrelid = ih.inhrelid
               WHERE ih.inhparent = px.indexrelid AND cx.indrelid = {c}.oid AND cx.indisvalid
                 AND NOT EXISTS (SELECT 1 FROM pg_index ox WHERE ox.indrelid = {c}.oid
                                 AND ox.indexrelid <> cx.indexrelid AND ox.indkey = cx.indkey))), '[]'::json) ELSE '[]'::json END,
          'columns_with_privileges', COALESCE((SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
             WHERE a.attrelid = {c}.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL), '[]'::json),
          'related_acl_roles', COALESCE((SELECT json_agg(DISTINCT pg_get_userbyid(v.r)::text) FROM (
             SELECT x.grantee, x.grantor FROM pg_attribute a, aclexplode(a.attacl) x
               WHERE a.attrelid = {c}.oid AND a.attnum > 0 AND NOT a.attisdropped
             UNION ALL SELECT x.grantee, x.grantor FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid, aclexplode(sc.relacl) x
               WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                 AND d.refobjid = {c}.oid AND d.deptype IN ('a', 'i') AND sc.relkind = 'S'
             ) acl, LATERAL (VALUES (acl.grantee), (acl.grantor)) AS v(r) WHERE v.r <> 0), '[]'::json),
          'owned_sequences', COALESCE((SELECT json_agg(json_build_object('schema', sn.nspname, 'name', sc.relname,
               'persistence', sc.relpersistence) ORDER BY sc.oid)
             FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid JOIN pg_namespace sn ON sn.oid = sc.relnamespace
             WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
               AND d.refobjid = {c}.oid AND d.deptype IN ('a', 'i') AND sc.relkind = 'S'), '[]'::json))",
        acl = acl_json(&format!("COALESCE({c}.relacl, {default})")),
        default_acl = acl_json(&default),
        clone_relation = relation_name_json("cl.relid"),
        user_trigger = generation.user_trigger("t"),
        unlinked_key_triggers = generation.unlinked_key_triggers(c),
        parent = relation_name_json(&format!("(SELECT inhparent FROM pg_inherits WHERE inhrelid = {c}.oid)")),
    )
}

/// A relation and its descendants (inheritance children, partitions), as `tree(relid)`.
pub(super) const TREE: &str = "WITH RECURSIVE tree(relid) AS (
    SELECT $1::oid UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid)";

pub(super) static COLUMN: PerGeneration = PerGeneration::new(|| {
    for_each(|generation| {
        format!(
            "WITH RECURSIVE tree(relid) AS (
           SELECT i.inhrelid FROM pg_inherits i WHERE i.inhparent = $1::oid
           UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid)
         SELECT json_build_object(
           'relation', {relation}, 'type_name', format_type(a.atttypid, a.atttypmod), 'not_null', a.attnotnull,
           {not_null},
           'default', pg_get_expr(d.adbin, d.adrelid), 'identity', a.attidentity, 'generated', a.attgenerated,
           'comment', col_description(a.attrelid, a.attnum), 'acl', {acl},
           'is_local', a.attislocal, 'inherit_count', a.attinhcount,
           'statistics', NULLIF(a.attstattarget, -1), 'storage', a.attstorage, 'compression', a.attcompression,
           'options', COALESCE(a.attoptions, '{{}}'),
           'identity_sequence', (SELECT {sequence} FROM pg_depend sd JOIN pg_class sc ON sc.oid = sd.objid
               WHERE sd.classid = 'pg_class'::regclass AND sd.refclassid = 'pg_class'::regclass
               AND sd.refobjid = a.attrelid AND sd.refobjsubid = a.attnum AND sd.deptype = 'i' AND sc.relkind = 'S'
               LIMIT 1),
           'descendants', COALESCE((SELECT json_agg(json_build_object(
               'relation', {child}, 'not_null', ca.attnotnull, 'is_local', ca.attislocal,
               'statistics', NULLIF(ca.attstattarget, -1), 'storage', ca.attstorage,
               'compression', ca.attcompression, 'options', COALESCE(ca.attoptions, '{{}}'),
               'default', (SELECT pg_get_expr(cd.adbin, cd.adrelid) FROM pg_attrdef cd
                           WHERE cd.adrelid = ca.attrelid AND cd.adnum = ca.attnum),
               'inherit_count', ca.attinhcount) ORDER BY t.relid)
             FROM tree t JOIN pg_attribute ca ON ca.attrelid = t.relid AND ca.attname = a.attname
             AND NOT ca.attisdropped), '[]'::json))::text
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = $1::oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
            relation = relation_name_json("a.attrelid"),
            not_null = generation.column_not_null("a"),
            acl = acl_json("a.attacl"),
            child = relation_name_json("t.relid"),
            sequence = relation_name_json("sc.oid"),
        )
    })
});

pub(super) static CONSTRAINT: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT json_build_object(
           'oid', co.oid::bigint, 'name', co.conname, 'kind', co.contype, 'definition', pg_get_constraintdef(co.oid),
           'validated', co.convalidated, 'comment', obj_description(co.oid, 'pg_constraint'),
           'index', CASE WHEN co.contype IN ('p', 'u', 'x') THEN (SELECT {index} FROM pg_index x
               JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indexrelid = co.conindid) END,
           'is_local', co.conislocal, 'inherit_count', co.coninhcount, 'has_parent', co.conparentid <> 0,
           'children', COALESCE((WITH RECURSIVE d(oid, relid, name) AS (
                 SELECT co.oid, co.conrelid, co.conname
                 UNION SELECT ch.oid, ch.conrelid, ch.conname FROM d JOIN pg_constraint ch ON ch.conparentid = d.oid
                   OR (ch.conname = d.name AND ch.coninhcount > 0
                       AND ch.conrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = d.relid)))
               SELECT json_agg(d.oid::bigint ORDER BY d.oid) FROM d WHERE d.oid <> co.oid), '[]'::json),
           'referenced_by', COALESCE((SELECT json_agg(fk.conname || ' on ' || fk.conrelid::regclass::text ORDER BY fk.oid)
               FROM pg_constraint fk WHERE co.contype IN ('p', 'u') AND fk.contype = 'f'
               AND fk.conindid = co.conindid AND fk.conparentid = 0), '[]'::json))::text
         FROM pg_constraint co WHERE co.conrelid = $1::oid AND co.conname = $2",
        index = index_json("ic"),
    ))
});

pub(super) static CONSTRAINTS: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "{tree} SELECT COALESCE(json_agg(json_build_object('oid', co.oid::bigint, 'relation', {relation}, 'name', co.conname,
           'kind', co.contype, 'inherited', co.conrelid <> to_regclass($1)::oid) ORDER BY co.oid), '[]'::json)::text
         FROM tree JOIN pg_constraint co ON co.conrelid = tree.relid",
        tree = TREE.replace("$1::oid", "to_regclass($1)::oid"),
        relation = relation_name_json("co.conrelid"),
    ))
});

pub(super) fn index_json(ic: &str) -> String {
    format!(
        "json_build_object(
           'oid', {ic}.oid::bigint, 'schema', (SELECT nspname FROM pg_namespace WHERE oid = {ic}.relnamespace),
           'name', {ic}.relname, 'table', {table}, 'definition', pg_get_indexdef({ic}.oid), 'valid', x.indisvalid,
           'constraint', (SELECT conname FROM pg_constraint WHERE conindid = {ic}.oid AND conrelid = x.indrelid
                          AND contype IN ('p', 'u', 'x')),
           'kind', {ic}.relkind, 'has_parent', {ic}.relispartition,
           'partitions', COALESCE((WITH RECURSIVE d(oid) AS (
                 SELECT inh.inhrelid FROM pg_inherits inh WHERE inh.inhparent = {ic}.oid
                 UNION SELECT inh.inhrelid FROM pg_inherits inh JOIN d ON inh.inhparent = d.oid)
               SELECT json_agg(d.oid::bigint ORDER BY d.oid) FROM d), '[]'::json),
           'clustered', x.indisclustered, 'replica_identity', x.indisreplident,
           'comment', obj_description({ic}.oid, 'pg_class'), 'options', COALESCE({ic}.reloptions, '{{}}'),
           'tablespace', (SELECT spcname FROM pg_tablespace WHERE oid = {ic}.reltablespace),
           'statistics', COALESCE((SELECT json_agg(json_build_array(ia.attnum, ia.attstattarget) ORDER BY ia.attnum)
                                   FROM pg_attribute ia WHERE ia.attrelid = {ic}.oid AND ia.attstattarget >= 0), '[]'::json))",
        table = relation_name_json("x.indrelid"),
    )
}

pub(super) static INDEX: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT {}::text FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indexrelid = $1::oid",
        index_json("ic")
    ))
});

pub(super) static INDEXES: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "{tree} SELECT COALESCE(json_agg(json_build_object('oid', ic.oid::bigint, 'schema', n.nspname, 'name', ic.relname,
           'table', {table}, 'inherited', x.indrelid <> to_regclass($1)::oid,
           'constraint', (SELECT conname FROM pg_constraint WHERE conindid = ic.oid AND conrelid = x.indrelid
                          AND contype IN ('p', 'u', 'x'))) ORDER BY ic.oid), '[]'::json)::text
         FROM tree JOIN pg_index x ON x.indrelid = tree.relid JOIN pg_class ic ON ic.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = ic.relnamespace",
        tree = TREE.replace("$1::oid", "to_regclass($1)::oid"),
        table = relation_name_json("x.indrelid"),
    ))
});

/// Per generation: which `pg_trigger` rows are user triggers differs on 14.
pub(super) static TRIGGER: PerGeneration = PerGeneration::new(|| {
    for_each(|generation| {
        include_str!("queries/trigger.sql").trim_end().replace("NOT tg.tgisinternal", &generation.user_trigger("tg"))
    })
});

pub(super) const POLICY: &str = include_str!("queries/policy.sql");

pub(super) const RULE: &str = include_str!("queries/rule.sql");

/// An unqualified statistics name through `search_path` (there is no `to_regstatistics`).
pub(super) const STATISTICS_ON_PATH: &str = include_str!("queries/statistics_on_path.sql");
pub(super) const STATISTICS_IN_SCHEMA: &str = include_str!("queries/statistics_in_schema.sql");

pub(super) const STATISTICS: &str = include_str!("queries/statistics.sql");

pub(super) const STATISTICS_OF: &str = include_str!("queries/statistics_of.sql");

/// `next_value`: the sequence's own `last_value` when `nextval` was not called since a restart, read with
/// `query_to_xml` (dynamic SQL in one query) and a pattern, not `xpath` (which needs libxml).
pub(super) static SEQUENCE: PerGeneration = PerGeneration::new(|| {
    for_each(|generation| {
        format!(
            "SELECT json_build_object(
           'relation', {relation}, 'type_name', format_type(s.seqtypid, NULL), 'start', s.seqstart,
           'increment', s.seqincrement, 'min', s.seqmin, 'max', s.seqmax, 'cache', s.seqcache, 'cycle', s.seqcycle,
           'last_value', pg_sequence_last_value(c.oid),
           'next_value', CASE WHEN pg_sequence_last_value(c.oid) IS NULL THEN substring(
               query_to_xml(format('SELECT last_value FROM %s', c.oid::regclass), false, true, '')::text
               FROM '<last_value>(-?[0-9]+)</last_value>')::bigint END,
           'owned_by', (SELECT json_build_array({owner}, a.attname) FROM pg_depend d
               JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
               AND d.deptype = 'a' AND d.refobjsubid > 0),
           'identity', EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
               AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i'))::text
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE s.seqrelid = $1::oid",
            relation = relation_json("c", "n", generation),
            owner = relation_name_json("d.refobjid"),
        )
    })
});

pub(super) static VIEW: PerGeneration = PerGeneration::new(|| {
    for_each(|generation| {
        format!(
        "SELECT json_build_object(
           'relation', {relation}, 'definition', pg_get_viewdef(c.oid), 'options', COALESCE(c.reloptions, '{{}}'),
           'populated', c.relispopulated,
           'columns', COALESCE((SELECT json_agg(json_build_object('name', a.attname,
               'default', pg_get_expr(d.adbin, d.adrelid), 'comment', col_description(a.attrelid, a.attnum),
               'acl', {column_acl}) ORDER BY a.attnum)
             FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]'::json),
           'indexes', COALESCE((SELECT json_agg({index} ORDER BY ic.oid) FROM pg_index x
             JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = c.oid), '[]'::json),
           'unsupported', ARRAY(
             SELECT 'trigger ' || quote_ident(tgname) FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal
             UNION ALL SELECT 'rule ' || quote_ident(rulename) FROM pg_rewrite
               WHERE ev_class = c.oid AND rulename <> '_RETURN'
             UNION ALL SELECT 'statistics ' || quote_ident(stxname) FROM pg_statistic_ext WHERE stxrelid = c.oid
             UNION ALL SELECT 'statistics target of column ' || quote_ident(attname) FROM pg_attribute
               WHERE attrelid = c.oid AND attstattarget > 0
             UNION ALL SELECT 'security label' FROM pg_seclabel WHERE objoid = c.oid AND classoid = 'pg_class'::regclass))::text
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::oid AND c.relkind IN ('v', 'm')",
        relation = relation_json("c", "n", generation),
        column_acl = acl_json("a.attacl"),
        index = index_json("ic"),
    )
    })
});

/// A collation's qualified name when it differs from the type's default.
pub(super) fn collation_sql(collation: &str, of_type: &str) -> String {
    format!(
        "(SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co
          JOIN pg_namespace cn ON cn.oid = co.collnamespace
          WHERE co.oid = {collation} AND {collation} <> 0
          AND {collation} IS DISTINCT FROM (SELECT typcollation FROM pg_type WHERE oid = {of_type}))"
    )
}

pub(super) static TYPE: PerGeneration = PerGeneration::new(|| {
    for_each(|generation| {
        format!(
        "SELECT json_build_object(
           'oid', t.oid::bigint, 'schema', n.nspname, 'name', t.typname, 'kind', t.typtype,
           'owner', pg_get_userbyid(t.typowner)::text, 'acl', {acl}, 'default_acl', {default_acl}, 'comment', obj_description(t.oid, 'pg_type'),
           'labels', COALESCE((SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
                               WHERE e.enumtypid = t.oid), '[]'::json),
           'attributes', COALESCE((SELECT json_agg(json_build_object('name', a.attname,
               'type_name', format_type(a.atttypid, a.atttypmod), 'collation', {attribute_collation},
               'comment', col_description(t.typrelid, a.attnum)) ORDER BY a.attnum)
             FROM pg_attribute a WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0
             AND NOT a.attisdropped), '[]'::json),
           'domain', CASE WHEN t.typtype = 'd' THEN json_build_object(
               'base', format_type(t.typbasetype, t.typtypmod), 'collation', {domain_collation},
               'default', pg_get_expr(t.typdefaultbin, 0), 'not_null', t.typnotnull, {domain_not_null},
               'constraints', COALESCE((SELECT json_agg(json_build_object('name', co.conname,
                   'definition', pg_get_constraintdef(co.oid), 'comment', obj_description(co.oid, 'pg_constraint'))
                   ORDER BY co.conname) FROM pg_constraint co WHERE co.contypid = t.oid AND co.contype <> 'n'), '[]'::json))
             END,
           'range', (SELECT json_build_object('subtype', format_type(r.rngsubtype, NULL),
               'opclass', (SELECT quote_ident(on_.nspname) || '.' || quote_ident(oc.opcname) FROM pg_opclass oc
                           JOIN pg_namespace on_ ON on_.oid = oc.opcnamespace WHERE oc.oid = r.rngsubopc AND NOT oc.opcdefault),
               'collation', {range_collation},
               'canonical', NULLIF(r.rngcanonical, 0)::regproc::text, 'subtype_diff', NULLIF(r.rngsubdiff, 0)::regproc::text,
               'multirange', (SELECT quote_ident(mn.nspname) || '.' || quote_ident(mt.typname) FROM pg_type mt
                              JOIN pg_namespace mn ON mn.oid = mt.typnamespace WHERE mt.oid = r.rngmultitypid))
             FROM pg_range r WHERE r.rngtypid = t.oid),
           'implicit', t.typtype = 'm' OR EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)
             OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) <> 'c'))::text
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = $1::oid",
        acl = acl_json("COALESCE(t.typacl, acldefault('T', t.typowner))"),
        default_acl = acl_json("acldefault('T', t.typowner)"),
        attribute_collation = collation_sql("a.attcollation", "a.atttypid"),
        domain_collation = collation_sql("t.typcollation", "t.typbasetype"),
        range_collation = collation_sql("r.rngcollation", "r.rngsubtype"),
        domain_not_null = generation.domain_not_null("t"),
    )
    })
});

pub(super) static ROUTINE: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT json_build_object(
           'oid', p.oid::bigint, 'schema', n.nspname, 'name', p.proname, 'kind', p.prokind,
           'identity_arguments', pg_get_function_identity_arguments(p.oid),
           'arguments', pg_get_function_arguments(p.oid),
           'definition', CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END,
           'owner', pg_get_userbyid(p.proowner)::text, 'acl', {acl}, 'default_acl', {default_acl},
           'comment', obj_description(p.oid, 'pg_proc'),
           'extension', (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
               WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_extension'::regclass
               AND d.deptype = 'e'))::text
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = $1::oid",
        acl = acl_json("COALESCE(p.proacl, acldefault('f', p.proowner))"),
        default_acl = acl_json("acldefault('f', p.proowner)"),
    ))
});

pub(super) static SCHEMA: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT json_build_object('name', n.nspname, 'owner', pg_get_userbyid(n.nspowner)::text, 'acl', {acl},
           'default_acl', {default_acl}, 'comment', obj_description(n.oid, 'pg_namespace'))::text FROM pg_namespace n WHERE n.nspname = $1",
        acl = acl_json("COALESCE(n.nspacl, acldefault('n', n.nspowner))"),
        default_acl = acl_json("acldefault('n', n.nspowner)"),
    ))
});

pub(super) const EXTENSION: &str = include_str!("queries/extension.sql");

pub(super) const OBJECT: &str = include_str!("queries/object.sql");

/// What `DROP ... CASCADE` takes along: objects depending (normally) on the object or on its parts (its
/// indexes, row type, array type, extension members, ...), and what depends on those in turn.
pub(super) const DEPENDENTS: &str = include_str!("queries/dependents.sql");

pub(super) const EVENT_TRIGGERS: &str = include_str!("queries/event_triggers.sql");

pub(super) const DEFAULT_PRIVILEGES: &str = include_str!("queries/default_privileges.sql");
