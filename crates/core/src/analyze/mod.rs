//! Beside the rollback: the locks a migration takes (`locks`), the data it may destroy (`risk`), and the
//! comparison of catalog snapshots used by verify (`snapshot`).
pub mod locks;
pub mod risk;
pub mod snapshot;
