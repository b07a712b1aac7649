//! What earlier statements of the same migration created. An object created here cannot have existed
//! before, so statements that only touch it can be undone by dropping it, whatever they did; but only if
//! they do not make it depend on something created after it, which the rollback drops first.
use crate::parse::name::ObjectName;
use pg_query::protobuf::RangeVar;
use std::collections::{HashMap, HashSet};

#[derive(Default, Clone)]
pub struct Context {
    /// Relations (tables, views, ...) and types created by a reversible statement, keyed as the migration
    /// named them, with the generation right after their creation. Types share one namespace with relations
    /// (every table has a row type of its name).
    relations: HashMap<ObjectName, u32>,
    /// Unqualified names (relations and types) that denote a temporary object created here: gone with the
    /// migration's session.
    temporary: HashSet<String>,
    /// Names that may or may not denote a temporary object (`ON COMMIT DROP` tables, which may be gone).
    maybe_temporary: HashSet<String>,
    /// The migration made temporary objects or named `pg_temp` in `search_path`: unqualified names may
    /// resolve to a temporary schema, so where they resolve is asked (or, from the SQL alone, judged).
    pub temporary_seen: bool,
    /// The `search_path` set last names `pg_temp` (or was set in a way the SQL does not show): unqualified
    /// names may resolve to, or be created in, the temporary schema.
    pub temporary_path: bool,
    /// Columns added by a reversible `ADD COLUMN` to a relation that existed before, with their generation.
    columns: HashMap<(ObjectName, String), u32>,
    /// Named constraints added by a reversible `ADD CONSTRAINT`.
    constraints: HashSet<(ObjectName, String)>,
    /// Number of statements so far that created something the rollback removes.
    generation: u32,
    /// The `search_path` the migration set (as captured after its last `SET search_path`): the rollback
    /// starts with it, so that names resolve as they did when the statements ran.
    pub search_path: Option<String>,
}

impl Context {
    /// A statement created something the rollback will remove (before anything created earlier).
    pub fn advance(&mut self) {
        self.generation += 1;
    }

    pub fn created_relation(&self, rv: &RangeVar) -> bool {
        self.created(&ObjectName::from_range_var(rv))
    }

    pub fn created(&self, name: &ObjectName) -> bool {
        self.relations.contains_key(name)
    }

    /// Created, and nothing the rollback removes was created after it: a statement on it can be undone by its
    /// drop even if that statement made it depend on other objects.
    pub fn latest(&self, name: &ObjectName) -> bool {
        self.relations.get(name) == Some(&self.generation)
    }

    pub fn has_temporary(&self) -> bool {
        !self.temporary.is_empty() || !self.maybe_temporary.is_empty()
    }

    /// Whether a creating statement makes a temporary relation.
    pub fn creates_temporary(rv: &RangeVar) -> bool {
        rv.relpersistence == "t" || crate::invert::temporary::is_temporary_schema(&rv.schemaname)
    }

    pub fn is_temporary(&self, name: &str) -> bool {
        self.temporary.contains(name)
    }

    /// Whether an unqualified name may denote a temporary object without the SQL saying for sure: an
    /// `ON COMMIT DROP` table, or a name PostgreSQL may have derived from a temporary table's (`t_pkey`,
    /// `t_id_seq`).
    pub fn maybe_temporary(&self, name: &str) -> bool {
        self.maybe_temporary.contains(name)
            || self
                .temporary
                .iter()
                .chain(&self.maybe_temporary)
                .any(|t| name.len() > t.len() && name.starts_with(t.as_str()) && name.as_bytes()[t.len()] == b'_')
    }

    /// The temporary names known now (those surely and those maybe temporary).
    pub fn temporary_names(&self) -> impl Iterator<Item = &String> {
        self.temporary.iter().chain(&self.maybe_temporary)
    }

    /// A temporary object created under `name` (unqualified names find those first).
    pub fn record_temporary(&mut self, name: &str) {
        self.temporary_seen = true;
        self.temporary.insert(name.to_owned());
    }

    pub fn record_maybe_temporary(&mut self, name: &str) {
        self.temporary_seen = true;
        self.maybe_temporary.insert(name.to_owned());
    }

    /// A temporary object dropped or renamed away: its name denotes what it shadowed again.
    pub fn forget_temporary(&mut self, name: &str) {
        self.temporary.remove(name);
        self.maybe_temporary.remove(name);
    }

    /// `DISCARD TEMP` / `DISCARD ALL`: every temporary object is gone.
    pub fn discard_temporary(&mut self) {
        self.temporary.clear();
        self.maybe_temporary.clear();
    }

    /// `search_path` changed: unqualified names written before may now denote other objects, so created
    /// objects are no longer recognised by them (statements on them get inverses of their own).
    pub fn search_path_changed(&mut self, names_temporary: bool) {
        self.temporary_path = names_temporary;
        self.temporary_seen |= names_temporary;
        self.relations.retain(|name, _| name.is_qualified());
        self.columns.retain(|(relation, _), _| relation.is_qualified());
        self.constraints.retain(|(relation, _)| relation.is_qualified());
    }

    pub fn record_relation(&mut self, rv: &RangeVar) {
        if Self::creates_temporary(rv) {
            self.record_temporary(&rv.relname);
        } else {
            self.record(ObjectName::from_range_var(rv));
        }
    }

    pub fn record(&mut self, name: ObjectName) {
        // The creating statement advances the generation when it completes.
        self.relations.insert(name, self.generation + 1);
    }

    /// After a rename or a move the old name no longer denotes the created object, and any other tracked
    /// object with that bare name may now be shadowed or replaced: forget those too.
    pub fn rename_relation(&mut self, rv: &RangeVar, new_name: Option<&str>) {
        let old = ObjectName::from_range_var(rv);
        let generation = self.relations.remove(&old);
        self.relations.retain(|key, _| key.name != rv.relname);
        if let (Some(generation), Some(new_name)) = (generation, new_name) {
            self.relations.insert(old.sibling(new_name), generation);
        }
        let moved: Vec<_> = self.columns.keys().filter(|(r, _)| *r == old).cloned().collect();
        for key in moved {
            let generation = self.columns.remove(&key);
            if let (Some(generation), Some(new_name)) = (generation, new_name) {
                self.columns.insert((old.sibling(new_name), key.1), generation);
            }
        }
    }

    /// A created type renamed or moved: its old name no longer denotes it.
    pub fn rename(&mut self, old: &ObjectName, new: Option<ObjectName>) {
        if let Some(generation) = self.relations.remove(old) {
            if let Some(new) = new {
                self.relations.insert(new, generation);
            }
        }
    }

    /// A schema was renamed: names written before may now resolve elsewhere.
    pub fn forget_everything(&mut self) {
        self.relations.clear();
        self.columns.clear();
        self.constraints.clear();
    }

    pub fn created_column(&self, rv: &RangeVar, column: &str) -> bool {
        self.created_column_of(&ObjectName::from_range_var(rv), column)
    }

    pub fn created_column_of(&self, relation: &ObjectName, column: &str) -> bool {
        self.columns.contains_key(&(relation.clone(), column.to_owned()))
    }

    pub fn latest_column(&self, rv: &RangeVar, column: &str) -> bool {
        self.columns.get(&(ObjectName::from_range_var(rv), column.to_owned())) == Some(&self.generation)
    }

    pub fn record_column(&mut self, rv: &RangeVar, column: &str) {
        self.columns.insert((ObjectName::from_range_var(rv), column.to_owned()), self.generation + 1);
    }

    pub fn record_constraint(&mut self, rv: &RangeVar, name: &str) {
        self.constraints.insert((ObjectName::from_range_var(rv), name.to_owned()));
    }

    pub fn created_constraint(&self, rv: &RangeVar, name: &str) -> bool {
        self.constraints.contains(&(ObjectName::from_range_var(rv), name.to_owned()))
    }

    pub fn rename_column(&mut self, rv: &RangeVar, old: &str, new: Option<&str>) {
        let relation = ObjectName::from_range_var(rv);
        if let Some(generation) = self.columns.remove(&(relation.clone(), old.to_owned())) {
            if let Some(new) = new {
                self.columns.insert((relation, new.to_owned()), generation);
            }
        }
    }
}
