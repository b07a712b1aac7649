//! What earlier statements of the same migration created. An object created here cannot have existed
//! before, so statements that only touch it can be undone by dropping it, whatever they did; but only if
//! they do not make it depend on something created after it, which the rollback drops first.
use crate::quote;
use pg_query::protobuf::RangeVar;
use std::collections::{HashMap, HashSet};

#[derive(Default)]
pub struct Context {
    /// Relations (tables, views, ...) and types created by a reversible statement, keyed as the migration
    /// named them, with the generation right after their creation. Types share one namespace with relations
    /// (every table has a row type of its name).
    relations: HashMap<String, u32>,
    /// Temporary relations: gone with the migration's session.
    temporary: HashSet<String>,
    /// Columns added by a reversible `ADD COLUMN` to a relation that existed before, with their generation.
    columns: HashMap<(String, String), u32>,
    /// Named constraints added by a reversible `ADD CONSTRAINT`.
    constraints: HashSet<(String, String)>,
    /// Number of statements so far that created something the rollback removes.
    generation: u32,
}

impl Context {
    /// A statement created something the rollback will remove (before anything created earlier).
    pub fn advance(&mut self) {
        self.generation += 1;
    }

    pub fn created_relation(&self, rv: &RangeVar) -> bool {
        self.created_relation_key(&quote::relation(rv))
    }

    pub fn created_relation_key(&self, key: &str) -> bool {
        self.relations.contains_key(key)
    }

    /// Created, and nothing the rollback removes was created after it: a statement on it can be undone by its
    /// drop even if that statement made it depend on other objects.
    pub fn latest_relation_key(&self, key: &str) -> bool {
        self.relations.get(key) == Some(&self.generation)
    }

    pub fn has_temporary(&self) -> bool {
        !self.temporary.is_empty()
    }

    /// Whether a creating statement makes a temporary relation.
    pub fn creates_temporary(rv: &RangeVar) -> bool {
        rv.relpersistence == "t" || rv.schemaname == "pg_temp"
    }

    /// Whether a name denotes a temporary relation created here (unqualified names find those first).
    pub fn refers_to_temporary(&self, rv: &RangeVar) -> bool {
        rv.schemaname == "pg_temp" || (rv.schemaname.is_empty() && self.temporary.contains(&quote::ident(&rv.relname)))
    }

    pub fn record_relation(&mut self, rv: &RangeVar) {
        if Self::creates_temporary(rv) {
            self.temporary.insert(quote::ident(&rv.relname));
        } else {
            self.record_key(quote::relation(rv));
        }
    }

    pub fn record_key(&mut self, key: String) {
        // The creating statement advances the generation when it completes.
        self.relations.insert(key, self.generation + 1);
    }

    /// After a rename or a move the old name no longer denotes the created object, and any other tracked
    /// object with that bare name may now be shadowed or replaced: forget those too.
    pub fn rename_relation(&mut self, rv: &RangeVar, new_name: Option<&str>) {
        let old = quote::relation(rv);
        let generation = self.relations.remove(&old);
        let bare = quote::ident(&rv.relname);
        self.relations.retain(|key, _| key.rsplit('.').next() != Some(bare.as_str()));
        if let (Some(generation), Some(new_name)) = (generation, new_name) {
            self.relations.insert(quote::sibling(rv, new_name), generation);
        }
        let moved: Vec<_> = self.columns.keys().filter(|(r, _)| *r == old).cloned().collect();
        for key in moved {
            let generation = self.columns.remove(&key);
            if let (Some(generation), Some(new_name)) = (generation, new_name) {
                self.columns.insert((quote::sibling(rv, new_name), key.1), generation);
            }
        }
    }

    /// A created type renamed or moved: its old key no longer denotes it.
    pub fn rename_key(&mut self, old: &str, new: Option<String>) {
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
        self.created_column_key(&quote::relation(rv), column)
    }

    pub fn created_column_key(&self, relation_key: &str, column: &str) -> bool {
        self.columns.contains_key(&(relation_key.to_owned(), column.to_owned()))
    }

    pub fn latest_column(&self, rv: &RangeVar, column: &str) -> bool {
        self.columns.get(&(quote::relation(rv), column.to_owned())) == Some(&self.generation)
    }

    pub fn record_column(&mut self, rv: &RangeVar, column: &str) {
        self.columns.insert((quote::relation(rv), column.to_owned()), self.generation + 1);
    }

    pub fn record_constraint(&mut self, rv: &RangeVar, name: &str) {
        self.constraints.insert((quote::relation(rv), name.to_owned()));
    }

    pub fn created_constraint(&self, rv: &RangeVar, name: &str) -> bool {
        self.constraints.contains(&(quote::relation(rv), name.to_owned()))
    }

    pub fn rename_column(&mut self, rv: &RangeVar, old: &str, new: Option<&str>) {
        if let Some(generation) = self.columns.remove(&(quote::relation(rv), old.to_owned())) {
            if let Some(new) = new {
                self.columns.insert((quote::relation(rv), new.to_owned()), generation);
            }
        }
    }
}
