//! What earlier statements of the same migration created. An object created here cannot have existed
//! before, so statements that only touch it are undone by dropping it, whatever they did.
use crate::quote;
use pg_query::protobuf::RangeVar;
use std::collections::HashSet;

#[derive(Default)]
pub struct Context {
    /// Relations (tables, views, ...) and types created by a reversible statement, keyed as the migration
    /// named them. Types share one namespace with relations (every table has a row type of its name).
    relations: HashSet<String>,
    /// Columns added by a reversible `ADD COLUMN` to a relation that existed before.
    columns: HashSet<(String, String)>,
}

impl Context {
    pub fn created_relation(&self, rv: &RangeVar) -> bool {
        self.created_relation_key(&quote::relation(rv))
    }

    pub fn created_relation_key(&self, key: &str) -> bool {
        self.relations.contains(key)
    }

    pub fn record_relation(&mut self, rv: &RangeVar) {
        self.relations.insert(quote::relation(rv));
    }

    pub fn record_key(&mut self, key: String) {
        self.relations.insert(key);
    }

    /// A created type renamed or moved: its old key no longer denotes it.
    pub fn rename_key(&mut self, old: &str, new: Option<String>) {
        if self.relations.remove(old) {
            self.relations.extend(new);
        }
    }

    /// After a rename or a move, the old name no longer denotes the created object.
    pub fn rename_relation(&mut self, rv: &RangeVar, new_name: Option<&str>) {
        if self.relations.remove(&quote::relation(rv)) {
            if let Some(new_name) = new_name {
                self.relations.insert(quote::sibling(rv, new_name));
            }
        }
        let old = quote::relation(rv);
        let moved: Vec<_> = self.columns.iter().filter(|(r, _)| *r == old).cloned().collect();
        for key in moved {
            self.columns.remove(&key);
            if let Some(new_name) = new_name {
                self.columns.insert((quote::sibling(rv, new_name), key.1));
            }
        }
    }

    pub fn created_column(&self, rv: &RangeVar, column: &str) -> bool {
        self.created_column_key(&quote::relation(rv), column)
    }

    pub fn created_column_key(&self, relation_key: &str, column: &str) -> bool {
        self.columns.contains(&(relation_key.to_owned(), column.to_owned()))
    }

    pub fn record_column(&mut self, rv: &RangeVar, column: &str) {
        self.columns.insert((quote::relation(rv), column.to_owned()));
    }

    pub fn rename_column(&mut self, rv: &RangeVar, old: &str, new: Option<&str>) {
        if self.columns.remove(&(quote::relation(rv), old.to_owned())) {
            if let Some(new) = new {
                self.record_column(rv, new);
            }
        }
    }
}
