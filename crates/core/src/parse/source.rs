//! Parsing the migration and locating statements and errors in the original text.
use crate::parse::wire::RawParseError;
use crate::Error;

/// One top-level statement of the migration.
#[derive(Debug)]
pub struct SourceStatement<'a> {
    pub node: pg_query::NodeEnum,
    /// The statement's text without leading comments/whitespace or the trailing `;`.
    pub text: &'a str,
    pub line: u32,
    pub column: u32,
}

/// Maps byte offsets of the input to 1-based line and column (column counted in characters).
pub struct LineIndex<'a> {
    src: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(src: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(src.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        LineIndex { src, line_starts }
    }

    pub fn position(&self, byte_offset: usize) -> (u32, u32) {
        let offset = floor_char_boundary(self.src, byte_offset.min(self.src.len()));
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let column = self.src[self.line_starts[line]..offset].chars().count() + 1;
        (line as u32 + 1, column as u32)
    }

    /// PostgreSQL reports error positions as 1-based character indexes.
    pub fn byte_offset_of_char(&self, char_index: usize) -> usize {
        self.src.char_indices().nth(char_index).map_or(self.src.len(), |(i, _)| i)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Skips whitespace and comments (`--`, nested `/* */`) from `offset`; statement locations from the parser
/// start right after the previous `;`.
pub fn skip_trivia(src: &str, mut offset: usize) -> usize {
    let bytes = src.as_bytes();
    loop {
        while offset < bytes.len() && bytes[offset].is_ascii_whitespace() {
            offset += 1;
        }
        if bytes[offset..].starts_with(b"--") {
            offset = bytes[offset..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| offset + p + 1);
        } else if bytes[offset..].starts_with(b"/*") {
            let mut depth = 0usize;
            while offset < bytes.len() {
                if bytes[offset..].starts_with(b"/*") {
                    depth += 1;
                    offset += 2;
                } else if bytes[offset..].starts_with(b"*/") {
                    depth -= 1;
                    offset += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    offset += 1;
                }
            }
        } else {
            return offset;
        }
    }
}

pub fn parse(src: &str) -> Result<Vec<SourceStatement<'_>>, Error> {
    if src.len() > crate::MAX_INPUT_BYTES {
        return Err(Error::InvalidInput {
            message: format!(
                "migration is {} bytes, larger than the {} bytes pg-rollback accepts",
                src.len(),
                crate::MAX_INPUT_BYTES
            ),
            line: 1,
            column: 1,
        });
    }
    let index = LineIndex::new(src);
    if let Some(nul) = src.find('\0') {
        let (line, column) = index.position(nul);
        return Err(Error::InvalidInput {
            message: format!("migration contains a NUL byte at line {line}, column {column}"),
            line,
            column,
        });
    }
    let raw_statements = match crate::parse::wire::parse_statements(src, src.len() >= PARALLEL_DECODE_MIN_BYTES) {
        Ok(statements) => statements,
        Err(RawParseError::Syntax { message, cursor }) => return Err(locate_parse_error(src, &index, message, cursor)),
        Err(RawParseError::TooDeep { message, location }) => {
            let start = skip_trivia(src, location.min(src.len()));
            let (line, column) = index.position(start);
            let statement_index = statement_index_at(src, start);
            return Err(Error::Parse { message, line, column, statement_index });
        }
        Err(RawParseError::Other(message)) => {
            return Err(Error::Parse {
                message: format!("the migration could not be parsed: {message}"),
                line: 1,
                column: 1,
                statement_index: None,
            })
        }
    };
    let mut statements = Vec::with_capacity(raw_statements.len());
    for raw in raw_statements {
        let Some(node) = raw.stmt.and_then(|n| n.node) else { continue };
        let start = skip_trivia(src, raw.stmt_location.max(0) as usize);
        let end = if raw.stmt_len == 0 { src.len() } else { raw.stmt_location as usize + raw.stmt_len as usize };
        let text = src[start..end.max(start)].trim_end();
        let (line, column) = index.position(start);
        statements.push(SourceStatement { node, text, line, column });
    }
    Ok(statements)
}

/// Below this size a second thread costs more than it saves.
const PARALLEL_DECODE_MIN_BYTES: usize = 64 * 1024;

fn locate_parse_error(src: &str, index: &LineIndex, message: String, cursor: Option<usize>) -> Error {
    let byte_offset = match cursor {
        Some(cursor) => index.byte_offset_of_char(cursor - 1),
        // No position (e.g. unterminated string at end of input): point at the end.
        None => src.trim_end().len(),
    };
    let statement_index = statement_index_at(src, byte_offset);
    let (line, column) = index.position(byte_offset);
    Error::Parse { message, line, column, statement_index }
}

/// Which statement (0-based, empty statements not counted) contains `byte_offset`, by counting the
/// `;` tokens before it. The scanner still works where the grammar failed.
fn statement_index_at(src: &str, byte_offset: usize) -> Option<u32> {
    let tokens = pg_query::scan(src).ok()?.tokens;
    let mut index = 0u32;
    let mut statement_has_tokens = false;
    for token in tokens.iter().filter(|t| (t.end as usize) <= byte_offset) {
        let is_comment = matches!(
            pg_query::protobuf::Token::try_from(token.token),
            Ok(pg_query::protobuf::Token::SqlComment | pg_query::protobuf::Token::CComment)
        );
        if &src[token.start as usize..token.end as usize] == ";" {
            if statement_has_tokens {
                index += 1;
            }
            statement_has_tokens = false;
        } else if !is_comment {
            statement_has_tokens = true;
        }
    }
    Some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let src = "a\nçé x\n";
        let index = LineIndex::new(src);
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(2), (2, 1));
        assert_eq!(index.position(src.find('x').unwrap()), (2, 4));
    }

    #[test]
    fn statements_start_after_comments() {
        let src = "-- first\nCREATE TABLE a (id int);\n--> statement-breakpoint\n/* c /* nested */ */ CREATE INDEX i ON a (id);";
        let stmts = parse(src).unwrap();
        assert_eq!(stmts.len(), 2);
        assert_eq!((stmts[0].line, stmts[0].column, stmts[0].text), (2, 1, "CREATE TABLE a (id int)"));
        assert_eq!((stmts[1].line, stmts[1].column, stmts[1].text), (4, 22, "CREATE INDEX i ON a (id)"));
    }

    #[test]
    fn syntax_errors_name_line_column_and_statement() {
        let err = parse("SELECT 1;\nSELEC 2;").unwrap_err();
        assert_eq!(err.code(), "PARSE_ERROR");
        match err {
            Error::Parse { line, column, statement_index, .. } => {
                assert_eq!((line, column, statement_index), (2, 1, Some(1)));
            }
            other => panic!("unexpected {other:?}"),
        }
        let err = parse("CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN é text,\n  ADD COLUMN x;").unwrap_err();
        assert!(err.to_string().contains("line 3, column 15"), "{err}");
    }

    #[test]
    fn text_the_scanner_drops_is_still_a_syntax_error() {
        let err = parse("select 1; asdf; select 2;").unwrap_err();
        assert_eq!(err.code(), "PARSE_ERROR");
        assert!(err.to_string().contains("line 1, column 11"), "{err}");
    }

    #[test]
    fn sql_standard_function_bodies_keep_their_semicolons() {
        let src = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\nCREATE TABLE t (id int);";
        let stmts = parse(src).unwrap();
        assert_eq!(stmts.len(), 2);
        assert!(stmts[0].text.ends_with("END"), "{}", stmts[0].text);
        assert_eq!((stmts[1].line, stmts[1].column), (2, 1));
    }

    #[test]
    fn expressions_too_deep_to_read_are_a_located_parse_error() {
        let chain = (0..60).map(|i| format!("a{i}")).collect::<Vec<_>>().join(" || ");
        let deep = format!("CREATE VIEW v AS SELECT {chain} AS c FROM t;");
        // Small, and large enough to be decoded on several threads (the deep one in the last chunk).
        let filler = "CREATE TABLE t (id int);\n".repeat(3000);
        for (before, statements_before) in [("SELECT 1;\n\n", 1), (filler.as_str(), 3000)] {
            let src = format!("{before}  {deep}\nSELECT 2;");
            let err = parse(&src).unwrap_err();
            let lines_before = before.matches('\n').count() as u32;
            match err {
                Error::Parse { message, line, column, statement_index } => {
                    assert_eq!((line, column, statement_index), (lines_before + 1, 3, Some(statements_before)));
                    assert!(message.contains("too deeply"), "{message}");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        // Just under the limit still parses.
        let chain = (0..40).map(|i| format!("a{i}")).collect::<Vec<_>>().join(" || ");
        assert_eq!(parse(&format!("SELECT {chain};")).unwrap().len(), 1);
    }

    #[test]
    fn nul_bytes_are_rejected_with_a_position() {
        let err = parse("SELECT 1;\nSELECT '\0';").unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
        assert!(err.to_string().contains("line 2, column 9"), "{err}");
    }
}
