//! What differs, in the catalogs pg-rollback reads, between the PostgreSQL versions it supports (14 to 18):
//! decided here, from `server_version_num`, and nowhere else. A query with a version-specific part is built
//! once per [`Generation`] and picked with [`PerGeneration::get`].
use std::sync::LazyLock;

/// The supported versions, grouped by what their catalogs hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Generation {
    /// 14: as 15, and a partition's copy of its parent's trigger is `tgisinternal` (so is that of a constraint
    /// trigger); foreign keys' triggers on partitions have no `tgparentid` (they hang on the copies of the key).
    Pg14,
    /// 15, 16: NOT NULL is only `attnotnull` / `typnotnull`.
    Pg15,
    /// 17: a domain's NOT NULL is also a named row of `pg_constraint` (`contype = 'n'`).
    Pg17,
    /// 18 and later: a table column's NOT NULL too, possibly `NOT VALID`; virtual generated columns.
    Pg18,
}

impl Generation {
    const ALL: [Generation; GENERATIONS] = [Generation::Pg14, Generation::Pg15, Generation::Pg17, Generation::Pg18];

    pub(crate) fn of(server_version_num: i32) -> Generation {
        match server_version_num {
            n if n >= 180000 => Generation::Pg18,
            n if n >= 170000 => Generation::Pg17,
            n if n >= 150000 => Generation::Pg15,
            _ => Generation::Pg14,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The JSON fields `not_null_constraint`, `not_null_validated` and `not_null_comment` of the column `{a}` (a `pg_attribute`).
    pub(crate) fn column_not_null(self, a: &str) -> String {
        match self {
            Generation::Pg18 => format!(
                "'not_null_constraint', (SELECT co.conname FROM pg_constraint co WHERE co.conrelid = {a}.attrelid
                    AND co.contype = 'n' AND co.conkey[1] = {a}.attnum),
                 'not_null_validated', COALESCE((SELECT co.convalidated FROM pg_constraint co
                    WHERE co.conrelid = {a}.attrelid AND co.contype = 'n' AND co.conkey[1] = {a}.attnum), true),
                 'not_null_comment', (SELECT obj_description(co.oid, 'pg_constraint') FROM pg_constraint co
                    WHERE co.conrelid = {a}.attrelid AND co.contype = 'n' AND co.conkey[1] = {a}.attnum)"
            ),
            Generation::Pg14 | Generation::Pg15 | Generation::Pg17 => {
                "'not_null_constraint', NULL::text, 'not_null_validated', true, 'not_null_comment', NULL::text"
                    .to_owned()
            }
        }
    }

    /// The JSON fields `not_null_constraint` and `not_null_comment` of the domain `{t}` (a `pg_type`).
    pub(crate) fn domain_not_null(self, t: &str) -> String {
        match self {
            Generation::Pg17 | Generation::Pg18 => format!(
                "'not_null_constraint', (SELECT co.conname FROM pg_constraint co
                    WHERE co.contypid = {t}.oid AND co.contype = 'n'),
                 'not_null_comment', (SELECT obj_description(co.oid, 'pg_constraint') FROM pg_constraint co
                    WHERE co.contypid = {t}.oid AND co.contype = 'n')"
            ),
            Generation::Pg14 | Generation::Pg15 => {
                "'not_null_constraint', NULL::text, 'not_null_comment', NULL::text".to_owned()
            }
        }
    }

    /// Whether the `pg_trigger` row `{tg}` is a trigger of `CREATE [CONSTRAINT] TRIGGER` or a partition's copy
    /// of one (not a foreign key's or a unique constraint's own trigger).
    pub(crate) fn user_trigger(self, tg: &str) -> String {
        match self {
            // A copy on a partition is internal here, and only copies of such triggers have a parent.
            Generation::Pg14 => format!("(NOT {tg}.tgisinternal OR {tg}.tgparentid <> 0)"),
            Generation::Pg15 | Generation::Pg17 | Generation::Pg18 => format!("NOT {tg}.tgisinternal"),
        }
    }

    /// For a partition `{c}` (a `pg_class`): the triggers of foreign keys on it and its partitions that are not
    /// enabled and that no `tgparentid` links to a parent's trigger, though DETACH drops them and ATTACH
    /// re-creates them enabled (their key is a copy of a parent's). As rows `(oid, relid, name, enabled,
    /// internal, origin, depth, origin_name)` to add with `UNION ALL` to the copies found through `tgparentid`.
    pub(crate) fn unlinked_key_triggers(self, c: &str) -> String {
        match self {
            Generation::Pg14 => format!(
                "UNION ALL SELECT t.oid, t.tgrelid, t.tgname, t.tgenabled, true, 'O'::\"char\", 0, t.tgname FROM pg_trigger t
                   JOIN pg_constraint k ON k.oid = t.tgconstraint
                 WHERE t.tgrelid IN (SELECT relid FROM pg_partition_tree({c}.oid)) AND t.tgisinternal
                   AND t.tgparentid = 0 AND k.contype = 'f' AND k.conparentid <> 0 AND t.tgenabled <> 'O'"
            ),
            Generation::Pg15 | Generation::Pg17 | Generation::Pg18 => String::new(),
        }
    }
}

const GENERATIONS: usize = 4;

/// One query text per [`Generation`], built on first use.
pub(crate) struct PerGeneration(LazyLock<[&'static str; GENERATIONS]>);

impl PerGeneration {
    pub(crate) const fn new(build: fn() -> [&'static str; GENERATIONS]) -> Self {
        PerGeneration(LazyLock::new(build))
    }

    pub(crate) fn get(&self, generation: Generation) -> &'static str {
        self.0[generation.index()]
    }
}

/// Builds `query` for every generation (for [`PerGeneration::new`]).
pub(crate) fn for_each(query: impl Fn(Generation) -> String) -> [&'static str; GENERATIONS] {
    Generation::ALL.map(|g| &*Box::leak(query(g).into_boxed_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_map_to_their_catalog_generation() {
        assert_eq!(Generation::of(140023), Generation::Pg14);
        assert_eq!(Generation::of(150014), Generation::Pg15);
        assert_eq!(Generation::of(160013), Generation::Pg15);
        assert_eq!(Generation::of(170007), Generation::Pg17);
        assert_eq!(Generation::of(180004), Generation::Pg18);
        assert_eq!(Generation::of(190000), Generation::Pg18);
        for g in Generation::ALL {
            assert_eq!(Generation::ALL[g.index()], g);
        }
    }
}
