//! The name a rollback uses for an object a statement created or renamed. An unqualified name is looked up
//! with `pg_catalog` first and then `search_path`, but PostgreSQL puts a new object in the creation schema
//! (an index, beside its table): when the lookup would find another object (one of `pg_catalog` that the new
//! one shadows, or one in an earlier schema such as `"$user"`), the rollback names it schema-qualified, as
//! the database placed it. Asked right after the statement ran; without an answer the name stays as written.
use crate::ask::facts::Facts;
use crate::ask::state::{At, Lookup, ObjectKind};
use crate::parse::name::ObjectName;

/// The written name, unless looking it up finds another object than the one `placed` (where it is).
fn placed(facts: &Facts, kind: ObjectKind, written: &ObjectName, placed: Lookup) -> ObjectName {
    if written.is_qualified() || !facts.capturing() {
        return written.clone();
    }
    let found = facts.locate(At::After, kind.clone(), written, Lookup::SearchPath);
    let placed = facts.locate(At::After, kind, written, placed);
    match (found, placed) {
        (Some(found), Some(Some(placed))) if found.is_none_or(|f| f.oid != placed.oid) => {
            written.in_schema(&placed.schema)
        }
        _ => written.clone(),
    }
}

/// A relation created by the statement (table, view, sequence, ...).
pub fn relation(facts: &Facts, written: &ObjectName) -> ObjectName {
    placed(facts, ObjectKind::Relation, written, Lookup::Creation)
}

/// An index created on `table` (it lives in the table's schema). The lookup of the written name finds any
/// relation of that name, as `DROP INDEX` would.
pub fn index(facts: &Facts, written: &ObjectName, table: &ObjectName) -> ObjectName {
    if written.is_qualified() || !facts.capturing() {
        return written.clone();
    }
    let found = facts.locate(At::After, ObjectKind::Relation, written, Lookup::SearchPath);
    let placed = facts.locate(At::After, ObjectKind::Index, written, Lookup::Beside(table.clone()));
    match (found, placed) {
        (Some(found), Some(Some(placed))) if found.is_none_or(|f| f.oid != placed.oid) => {
            written.in_schema(&placed.schema)
        }
        _ => written.clone(),
    }
}

pub fn type_(facts: &Facts, written: &ObjectName) -> ObjectName {
    placed(facts, ObjectKind::Type, written, Lookup::Creation)
}

/// A function or procedure; `args` are its input argument types, as written.
pub fn routine(facts: &Facts, written: &ObjectName, args: &[String]) -> ObjectName {
    // `t.c%TYPE` is resolved when the function is created; the lookups take plain type names only.
    if args.iter().any(|a| a.ends_with("%TYPE")) {
        return written.clone();
    }
    placed(facts, ObjectKind::Routine(Some(args.to_vec())), written, Lookup::Creation)
}

/// A relation renamed from `old` (looked up through `search_path`) to `new`, in the same schema.
pub fn renamed(facts: &Facts, old: &ObjectName, new: &ObjectName) -> ObjectName {
    if new.is_qualified() || !facts.capturing() {
        return new.clone();
    }
    let was = facts.locate(At::Before, ObjectKind::Relation, old, Lookup::SearchPath);
    let now = facts.locate(At::After, ObjectKind::Relation, new, Lookup::SearchPath);
    match (was, now) {
        (Some(Some(was)), Some(now)) if now.is_none_or(|now| now.oid != was.oid) => new.in_schema(&was.schema),
        _ => new.clone(),
    }
}
