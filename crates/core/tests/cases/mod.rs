//! Shared case tables: each family file lists migrations with the exact rollback expected.
//! `tests/families.rs` checks the generated text; `tests/roundtrip.rs` proves every `Safe` case on real PostgreSQL.
#![allow(dead_code)]

pub struct Case {
    pub name: &'static str,
    /// Schema that exists before the migration (run once, not part of the migration).
    pub setup: &'static str,
    pub migration: &'static str,
    pub expect: Expect,
}

pub enum Expect {
    /// Every statement is reversible; this is the exact rollback script ("" when nothing needs undoing).
    Safe(&'static str),
    /// Not safe: the code of the first statement that is not reversible, and the script for the reversible rest.
    Unsafe { code: &'static str, script: Option<&'static str> },
}

pub fn all() -> Vec<(&'static str, &'static [Case])> {
    vec![
        ("alter_table", alter_table::CASES),
        ("tables", tables::CASES),
        ("indexes", indexes::CASES),
        ("renames", renames::CASES),
        ("types", types::CASES),
        ("schemas", schemas::CASES),
        ("routines", routines::CASES),
        ("tables_views", tables_views::CASES),
        ("drizzle", drizzle::CASES),
        ("session", session::CASES),
        ("quoting", quoting::CASES),
        ("temporary", temporary::CASES),
        ("statements_b", statements_b::CASES),
        ("statements_a", statements_a::CASES),
    ]
}

pub mod adversarial;
mod alter_table;
mod drizzle;
mod indexes;
mod quoting;
mod renames;
mod routines;
mod schemas;
mod session;
mod statements_a;
mod statements_b;
mod tables;
mod tables_views;
mod temporary;
mod types;
