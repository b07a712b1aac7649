//! Stage 1: SQL text to statements. The real PostgreSQL parser (pg_query, through `wire`), statement
//! boundaries and transaction roles (`migration`), object names as typed values (`name`).
pub mod migration;
pub mod name;
pub mod source;
pub mod wire;
