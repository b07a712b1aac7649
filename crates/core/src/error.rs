use thiserror::Error;

/// Real failures. "Cannot invert" is not an error: it is data in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// The input is not valid PostgreSQL SQL.
    #[error("{message} at line {line}, column {column}{}", statement_suffix(.statement_index))]
    Parse { message: String, line: u32, column: u32, statement_index: Option<u32> },
    /// The input cannot be handed to the parser at all (NUL byte, too large).
    #[error("{message}")]
    InvalidInput { message: String, line: u32, column: u32 },
    /// A bug in pg-rollback: the input was fine but we could not handle it.
    #[error("internal error: {0}")]
    Internal(String),
}

fn statement_suffix(index: &Option<u32>) -> String {
    index.map(|i| format!(" (statement {})", i + 1)).unwrap_or_default()
}

impl Error {
    /// Stable code exposed to JavaScript as `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Parse { .. } => "PARSE_ERROR",
            Error::InvalidInput { .. } => "INVALID_INPUT",
            Error::Internal(_) => "INTERNAL_ERROR",
        }
    }
}
