//! Stage 1: SQL text to statements. The real PostgreSQL parser (pg_query, through `wire`), statement
//! boundaries and transaction roles (`migration`), object names as typed values (`name`), and the threads that
//! decode large parse trees (`pool`, used by `wire`).
pub mod migration;
pub mod name;
pub(crate) mod pool;
pub mod source;
pub mod wire;
