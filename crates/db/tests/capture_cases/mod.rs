//! Case tables for rollbacks built from the state captured at apply time, one file per statement family.
//! `tests/captured.rs` applies each migration through `apply_migration`, checks the stored plan, executes it
//! with `execute_rollback`, and compares schema dumps (the oracle: before == after rollback).
#![allow(dead_code)]

pub struct Case {
    pub name: &'static str,
    /// Schema that exists before the migration.
    pub setup: &'static str,
    pub migration: &'static str,
    pub expect: Expect,
}

pub enum Expect {
    /// Marked safe with exactly this script ("" when there is nothing to undo).
    Safe(&'static str),
    /// Not safe; the code of the first statement that is not reversible.
    Unsafe(&'static str),
}

pub const fn safe(name: &'static str, setup: &'static str, migration: &'static str, script: &'static str) -> Case {
    Case { name, setup, migration, expect: Expect::Safe(script) }
}

pub const fn unsafe_(name: &'static str, setup: &'static str, migration: &'static str, code: &'static str) -> Case {
    Case { name, setup, migration, expect: Expect::Unsafe(code) }
}

/// A migration that may or may not get a safe plan; when it does, the rollback must restore the schema.
pub struct Trap {
    pub name: &'static str,
    pub setup: &'static str,
    pub migration: &'static str,
    /// The PostgreSQL majors it runs on (its syntax or its setup needs them); skipped, and said, elsewhere.
    pub since: u32,
    pub until: u32,
}

/// A trap for every supported version.
pub const fn trap(name: &'static str, setup: &'static str, migration: &'static str) -> Trap {
    Trap { name, setup, migration, since: 0, until: u32::MAX }
}

impl Trap {
    /// The same trap, run only on PostgreSQL `major` and later.
    pub const fn since(self, major: u32) -> Trap {
        Trap { since: major, ..self }
    }

    /// The same trap, run only on PostgreSQL `major` and earlier.
    pub const fn until(self, major: u32) -> Trap {
        Trap { until: major, ..self }
    }
}

pub use traps::TRAPS;
pub use traps_misc::TRAPS as MISC_TRAPS;
pub use traps_partitions::TRAPS as PARTITION_TRAPS;
pub use traps_temporary::TRAPS as TEMPORARY_TRAPS;
pub use traps_trigger_copies::TRAPS as TRIGGER_COPY_TRAPS;

/// A migration that only some PostgreSQL versions accept (`since`: the first major that does).
pub struct VersionedCase {
    pub name: &'static str,
    pub since: u32,
    pub setup: &'static str,
    pub migration: &'static str,
    /// The plan must be SAFE (and round-trip); otherwise a trap: proved when called safe.
    pub must_be_safe: bool,
}

pub fn all() -> Vec<(&'static str, &'static [Case])> {
    vec![
        ("drops", drops::CASES),
        ("alter_table", alter_table::CASES),
        ("creates", creates::CASES),
        ("renames", renames::CASES),
        ("comments_and_privileges", comments_and_privileges::CASES),
        ("alter_objects", alter_objects::CASES),
        ("session", session::CASES),
        ("drizzle", drizzle::CASES),
        ("traps_temporary", traps_temporary::CASES),
        ("partitions", traps_partitions::CASES),
        ("traps_misc", traps_misc::CASES),
        ("statements_b", statements_b::CASES),
        ("statements_a", statements_a::CASES),
        ("routines_by_name", routines_by_name::CASES),
    ]
}

mod alter_objects;
mod alter_table;
mod comments_and_privileges;
mod creates;
mod drizzle;
mod drops;
mod renames;
mod routines_by_name;
mod session;
mod statements_a;
mod statements_b;
mod traps;
mod traps_misc;
mod traps_partitions;
pub mod traps_pg18;
mod traps_temporary;
mod traps_trigger_copies;
