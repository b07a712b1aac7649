//! libpg_query's parse tree as pg_query's protobuf types, written by `c/wire.c` straight from the C tree
//! (libpg_query's own `pg_query_parse_protobuf` goes through upb, which cost about 30% of the generator's
//! time). `parse_with_upb` is libpg_query's way, kept as the reference the tests compare against.
use pg_query::protobuf;
use prost::Message;
use std::ffi::{c_char, c_int, CStr, CString};

pub enum RawParseError {
    /// PostgreSQL rejected the SQL; `cursor` is its 1-based character position, when it gave one.
    Syntax {
        message: String,
        cursor: Option<usize>,
    },
    /// A statement parsed but its tree could not be decoded (nested deeper than prost's limit of 100
    /// messages: about 45 levels of operators, e.g. a long `a || b || ...` chain); `location` is the byte
    /// offset where the statement starts.
    TooDeep {
        message: String,
        location: usize,
    },
    Other(String),
}

impl std::fmt::Debug for RawParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RawParseError::Syntax { message, cursor } => write!(f, "syntax error at {cursor:?}: {message}"),
            RawParseError::TooDeep { message, location } => write!(f, "at byte {location}: {message}"),
            RawParseError::Other(message) => write!(f, "{message}"),
        }
    }
}

#[repr(C)]
struct PgrParseResult {
    data: *mut u8,
    len: usize,
    error: *mut c_char,
    cursorpos: c_int,
}

extern "C" {
    // c/wire.c
    fn pgr_parse_protobuf(input: *const c_char) -> PgrParseResult;
    fn pgr_free_parse_result(result: PgrParseResult);
}

/// The wire bytes of `sql`'s parse tree (a protobuf `ParseResult`), in a buffer owned by C.
struct WireTree(PgrParseResult);

impl WireTree {
    fn parse(sql: &str) -> Result<WireTree, RawParseError> {
        let input = CString::new(sql).map_err(|e| RawParseError::Other(e.to_string()))?;
        // SAFETY: `input` outlives the call; the result is freed once, by Drop.
        let tree = WireTree(unsafe { pgr_parse_protobuf(input.as_ptr()) });
        if tree.0.error.is_null() {
            return Ok(tree);
        }
        // SAFETY: a non-null error is a NUL-terminated string owned by the result.
        let message = unsafe { CStr::from_ptr(tree.0.error) }.to_string_lossy().into_owned();
        Err(RawParseError::Syntax { message, cursor: (tree.0.cursorpos > 0).then_some(tree.0.cursorpos as usize) })
    }

    fn bytes(&self) -> &[u8] {
        if self.0.data.is_null() {
            return &[];
        }
        // SAFETY: `data` holds `len` bytes until Drop.
        unsafe { std::slice::from_raw_parts(self.0.data, self.0.len) }
    }
}

impl Drop for WireTree {
    fn drop(&mut self) {
        // SAFETY: freed exactly once; the struct is not used afterwards.
        unsafe { pgr_free_parse_result(PgrParseResult { ..self.0 }) }
    }
}

/// The parse tree of `sql`.
pub fn parse(sql: &str) -> Result<protobuf::ParseResult, RawParseError> {
    let tree = WireTree::parse(sql)?;
    protobuf::ParseResult::decode(tree.bytes()).map_err(|e| RawParseError::Other(e.to_string()))
}

/// The statements of `sql`, as `parse(sql)?.stmts`. With `parallel`, PostgreSQL's grammar runs once
/// here and the decoding (the larger part of the work) is shared with the pool's threads.
pub fn parse_statements(sql: &str, parallel: bool) -> Result<Vec<protobuf::RawStmt>, RawParseError> {
    let tree = WireTree::parse(sql)?;
    let spans = statement_spans(tree.bytes()).ok_or_else(|| RawParseError::Other("malformed parse tree".into()))?;
    let threads = if parallel { std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4) } else { 1 };
    let decode = |bytes: &[u8], spans: &[(usize, usize)]| -> Result<Vec<protobuf::RawStmt>, RawParseError> {
        spans.iter().map(|&(at, len)| decode_statement(&bytes[at..at + len])).collect()
    };
    if threads == 1 || spans.len() < 2 {
        return decode(tree.bytes(), &spans);
    }
    // Chunks of about equal bytes; the first is decoded here, the others by the pool (on a copy).
    let shared: std::sync::Arc<[u8]> = std::sync::Arc::from(tree.bytes());
    drop(tree);
    let per_chunk = shared.len().div_ceil(threads);
    let mut chunks: Vec<Vec<(usize, usize)>> = vec![Vec::new()];
    let mut filled = 0;
    for &span in &spans {
        if filled >= per_chunk {
            chunks.push(Vec::new());
            filled = 0;
        }
        chunks.last_mut().expect("one chunk").push(span);
        filled += span.1;
    }
    let first = chunks.remove(0);
    let waiting: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let bytes = shared.clone();
            crate::parse::pool::run(move || Some(decode(&bytes, &chunk)))
        })
        .collect();
    let mut statements = decode(&shared, &first)?;
    for result in waiting {
        let more = result.recv().ok().flatten().ok_or_else(|| RawParseError::Other("parse thread failed".into()))?;
        statements.extend(more?);
    }
    Ok(statements)
}

fn decode_statement(bytes: &[u8]) -> Result<protobuf::RawStmt, RawParseError> {
    protobuf::RawStmt::decode(bytes).map_err(|e| {
        let message = e.to_string();
        // prost names every message on the way down: the last words are what went wrong.
        let reason = message.rsplit(": ").next().unwrap_or(&message);
        if reason.contains("recursion limit") {
            RawParseError::TooDeep {
                message: "the statement nests expressions too deeply for pg-rollback to read (more than about 45 \
                          levels of operators, such as a long chain of `||` or `+`); split the expression, or \
                          write this migration's rollback by hand"
                    .into(),
                location: statement_location(bytes).unwrap_or(0),
            }
        } else {
            RawParseError::Other(format!("failed to decode the parse tree: {reason}"))
        }
    })
}

/// One top-level field of a protobuf message, as the C writer emits them (varints and length-delimited).
enum Field {
    Varint(u64),
    /// Offset and length of the content within the message's bytes.
    Bytes(usize, usize),
}

/// The top-level fields of one message, with their numbers; `None` if the bytes are not what we write.
fn fields(mut bytes: &[u8]) -> Option<Vec<(u64, Field)>> {
    let total = bytes.len();
    let mut fields = Vec::new();
    while !bytes.is_empty() {
        let tag = prost::encoding::decode_varint(&mut bytes).ok()?;
        let value = prost::encoding::decode_varint(&mut bytes).ok()?;
        let field = match tag & 7 {
            0 => Field::Varint(value),
            2 => {
                let len = usize::try_from(value).ok()?;
                let at = total - bytes.len();
                bytes = bytes.get(len..)?;
                Field::Bytes(at, len)
            }
            _ => return None,
        };
        fields.push((tag >> 3, field));
    }
    Some(fields)
}

/// Where each `stmts` entry (field 2) of a `ParseResult` lies in its wire bytes: (offset, length).
fn statement_spans(bytes: &[u8]) -> Option<Vec<(usize, usize)>> {
    let spans = fields(bytes)?.into_iter().filter_map(|(number, field)| match field {
        Field::Bytes(at, len) if number == 2 => Some((at, len)),
        _ => None,
    });
    Some(spans.collect())
}

/// `RawStmt.stmt_location` (field 2) read from a statement's wire bytes without decoding its tree (a zero
/// location, the first statement's, is not written at all).
fn statement_location(bytes: &[u8]) -> Option<usize> {
    let location = fields(bytes)?.into_iter().find_map(|(number, field)| match field {
        Field::Varint(value) if number == 2 => Some(value),
        _ => None,
    });
    usize::try_from(location.unwrap_or(0)).ok()
}

#[repr(C)]
struct PgQueryError {
    message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    cursorpos: c_int,
    context: *mut c_char,
}

#[repr(C)]
struct PgQueryProtobuf {
    len: usize,
    data: *mut c_char,
}

#[repr(C)]
struct PgQueryProtobufParseResult {
    parse_tree: PgQueryProtobuf,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

extern "C" {
    // Linked in by the pg_query crate.
    fn pg_query_parse_protobuf(input: *const c_char) -> PgQueryProtobufParseResult;
    fn pg_query_free_protobuf_parse_result(result: PgQueryProtobufParseResult);
}

/// The parse tree of `sql` the way libpg_query builds it (upb): the reference for `parse`.
pub fn parse_with_upb(sql: &str) -> Result<protobuf::ParseResult, RawParseError> {
    let input = CString::new(sql).map_err(|e| RawParseError::Other(e.to_string()))?;
    // SAFETY: as in `parse`.
    unsafe {
        let result = pg_query_parse_protobuf(input.as_ptr());
        let outcome = if let Some(error) = result.error.as_ref() {
            let message = if error.message.is_null() {
                "syntax error".to_owned()
            } else {
                CStr::from_ptr(error.message).to_string_lossy().into_owned()
            };
            Err(RawParseError::Syntax { message, cursor: (error.cursorpos > 0).then_some(error.cursorpos as usize) })
        } else {
            let bytes = std::slice::from_raw_parts(result.parse_tree.data as *const u8, result.parse_tree.len);
            protobuf::ParseResult::decode(bytes).map_err(|e| RawParseError::Other(e.to_string()))
        };
        pg_query_free_protobuf_parse_result(result);
        outcome
    }
}
