//! The lock one statement of a script takes, in the words a preview shows.
use pg_rollback_core::locks::LockEffect;
use serde::Serialize;

/// The lock one statement takes on one relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct LockInfo {
    /// The relation as the statement names it.
    pub relation: String,
    /// `ACCESS EXCLUSIVE`, `EXCLUSIVE`, `SHARE ROW EXCLUSIVE`, `SHARE` or `SHARE UPDATE EXCLUSIVE`.
    pub mode: String,
    /// What it blocks, e.g. `blocks reads and writes`.
    pub blocks: String,
    /// True for modes that block the application's writes (or reads): worth a lock timeout.
    pub strong: bool,
    pub rewrites: bool,
    pub builds_index: bool,
    /// Reads the whole table to check a constraint.
    pub scans: bool,
    /// One line: `ACCESS EXCLUSIVE on t (blocks reads and writes); rewrites the table`.
    pub description: String,
}

impl From<LockEffect> for LockInfo {
    fn from(l: LockEffect) -> Self {
        LockInfo {
            description: l.describe(),
            relation: l.relation,
            mode: l.mode.name().into(),
            blocks: l.mode.blocks().into(),
            strong: l.mode.is_strong(),
            rewrites: l.rewrites,
            builds_index: l.builds_index,
            scans: l.scans,
        }
    }
}
