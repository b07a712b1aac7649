//! Stage 4: SQL text. Identifier and literal quoting (`quote`), statements restoring captured comments,
//! owners and privileges (`restore`), and the script of a migration that changed nothing (`noop`).
pub mod noop;
pub mod quote;
pub mod restore;
