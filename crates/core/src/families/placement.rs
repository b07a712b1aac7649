//! The name a rollback uses for an object a statement created or renamed. An unqualified name is looked up
//! with `pg_catalog` first and then `search_path`, but PostgreSQL puts a new object in the creation schema
//! (an index, beside its table): when the lookup would find another object (one of `pg_catalog` that the new
//! one shadows, or one in an earlier schema such as `"$user"`), the rollback names it schema-qualified, as
//! the database placed it. Asked right after the statement ran; without an answer the name stays as written.
use crate::facts::Facts;
use crate::name::ObjectName;
use crate::state::{At, Lookup};

/// Choose between the written name and the placed one: `found` is what the lookup of the written name
/// finds (OID), `placed` where the object is (OID and schema).
fn choose(written: &ObjectName, found: Option<Option<u32>>, placed: Option<Option<(u32, &str)>>) -> ObjectName {
    match (found, placed) {
        (Some(found), Some(Some((oid, schema)))) if found != Some(oid) => written.in_schema(schema),
        _ => written.clone(),
    }
}

/// A relation created by the statement (table, view, sequence, ...).
pub fn relation(facts: &Facts, written: &ObjectName) -> ObjectName {
    if written.is_qualified() || !facts.capturing() {
        return written.clone();
    }
    let found = facts.relation(At::After, written, Lookup::SearchPath).map(|r| r.map(|r| r.oid));
    let placed = facts.relation(At::After, written, Lookup::Creation).map(|r| r.map(|r| (r.oid, r.schema.as_str())));
    choose(written, found, placed)
}

/// An index created on `table` (it lives in the table's schema).
pub fn index(facts: &Facts, written: &ObjectName, table: &ObjectName) -> ObjectName {
    if written.is_qualified() || !facts.capturing() {
        return written.clone();
    }
    let found = facts.relation(At::After, written, Lookup::SearchPath).map(|r| r.map(|r| r.oid));
    let placed = facts
        .index(At::After, written, Lookup::Beside(table.clone()))
        .map(|i| i.map(|i| (i.oid, i.schema.as_str())));
    choose(written, found, placed)
}

pub fn type_(facts: &Facts, written: &ObjectName) -> ObjectName {
    if written.is_qualified() || !facts.capturing() {
        return written.clone();
    }
    let found = facts.type_(At::After, written, Lookup::SearchPath).map(|t| t.map(|t| t.oid));
    let placed = facts.type_(At::After, written, Lookup::Creation).map(|t| t.map(|t| (t.oid, t.schema.as_str())));
    choose(written, found, placed)
}

/// A function or procedure; `args` are its input argument types, as written.
pub fn routine(facts: &Facts, written: &ObjectName, args: &[String]) -> ObjectName {
    // `t.c%TYPE` is resolved when the function is created; the lookups take plain type names only.
    if written.is_qualified() || !facts.capturing() || args.iter().any(|a| a.ends_with("%TYPE")) {
        return written.clone();
    }
    let args = Some(args.to_vec());
    let found = facts.routine(At::After, written, args.clone(), Lookup::SearchPath).map(|r| r.map(|r| r.oid));
    let placed =
        facts.routine(At::After, written, args, Lookup::Creation).map(|r| r.map(|r| (r.oid, r.schema.as_str())));
    choose(written, found, placed)
}

/// A relation renamed from `old` (looked up through `search_path`) to `new`, in the same schema.
pub fn renamed(facts: &Facts, old: &ObjectName, new: &ObjectName) -> ObjectName {
    if new.is_qualified() || !facts.capturing() {
        return new.clone();
    }
    let was = facts.relation(At::Before, old, Lookup::SearchPath);
    let now = facts.relation(At::After, new, Lookup::SearchPath);
    match (was, now) {
        (Some(Some(was)), Some(now)) if now.is_none_or(|now| now.oid != was.oid) => new.in_schema(&was.schema),
        _ => new.clone(),
    }
}
