//! The rollback of a migration that changed nothing a rollback must restore (every statement reversible,
//! no inverse at all): a script of SQL comments, one per statement, saying why there is nothing to undo.
//! It runs (doing nothing), so executing it records the rollback like any other; a `NULL` script would
//! read as "no rollback exists" and block every rollback past the migration.
use crate::parse::migration::ParsedMigration;
use crate::plan::StatementPlan;

/// Longest excerpt of a statement's text kept in its comment, in characters.
const EXCERPT_CHARS: usize = 80;

/// One `-- ...` line per statement. `notes[i]` says why statement `i` changed nothing, when known.
/// Nothing from the migration can end a comment early: every control character and every run of white
/// space in the excerpt becomes one space, so each line is a comment to its end and the whole script
/// parses as no statement at all (checked; a fixed text replaces an excerpt that would not).
pub fn script(statements: &[StatementPlan], notes: &[Option<&str>]) -> String {
    let mut out = String::new();
    for (i, statement) in statements.iter().enumerate() {
        let note = notes.get(i).copied().flatten();
        out.push_str(&line(&excerpt(&statement.sql), statement, note));
    }
    if is_comment_only(&out) {
        return out;
    }
    // Unreachable with the excerpt above; kept so that a comment can never turn into SQL.
    statements.iter().map(|s| line(&s.kind, s, None)).collect()
}

fn line(what: &str, statement: &StatementPlan, note: Option<&str>) -> String {
    let why = note.map(|n| format!("{n}, ")).unwrap_or_default();
    format!("-- {what} (statement {}, line {}): {why}nothing to undo\n", statement.index + 1, statement.line)
}

/// The statement on one line, at most `EXCERPT_CHARS` characters.
fn excerpt(sql: &str) -> String {
    let mut flat = String::with_capacity(sql.len().min(EXCERPT_CHARS * 4));
    let mut chars = 0;
    for word in sql.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()) {
        if chars > 0 {
            flat.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars >= EXCERPT_CHARS {
                flat.push_str("...");
                return flat;
            }
            flat.push(c);
            chars += 1;
        }
    }
    flat
}

/// True when `script` is not blank and PostgreSQL's grammar finds no statement in it: only comments
/// (and white space or empty statements). Such a script runs and changes nothing.
pub fn is_comment_only(script: &str) -> bool {
    !script.trim().is_empty() && matches!(ParsedMigration::parse(script), Ok(m) if m.statements.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(index: u32, sql: &str) -> StatementPlan {
        StatementPlan {
            index,
            kind: "CREATE TABLE".into(),
            sql: sql.into(),
            line: index + 1,
            column: 1,
            reversible: true,
            inverse: None,
            code: None,
        }
    }

    #[test]
    fn one_comment_per_statement_with_the_reason() {
        let statements =
            [statement(0, "CREATE TABLE IF NOT EXISTS t (a int)"), statement(1, "SET lock_timeout = '1s'")];
        let text = script(&statements, &[Some("it existed already"), None]);
        assert_eq!(
            text,
            "-- CREATE TABLE IF NOT EXISTS t (a int) (statement 1, line 1): it existed already, nothing to undo\n\
             -- SET lock_timeout = '1s' (statement 2, line 2): nothing to undo\n"
        );
        assert!(is_comment_only(&text));
    }

    #[test]
    fn nothing_in_the_statement_text_ends_the_comment() {
        // Line breaks of every kind PostgreSQL or a terminal knows, and comment markers, stay inside the comment.
        for sql in [
            "CREATE TABLE IF NOT EXISTS \"a\nDROP TABLE users;\" (id int)",
            "CREATE TABLE IF NOT EXISTS \"a\rDROP TABLE users;\" (id int)",
            "CREATE TABLE IF NOT EXISTS \"a\r\n\u{b}\u{c}\u{85}\u{2028}\u{2029}DROP TABLE users;\" (id int)",
            "CREATE TABLE IF NOT EXISTS \"*/ DROP TABLE users; /*\" (id int)",
            "CREATE EXTENSION IF NOT EXISTS \"x\u{0}y\"",
        ] {
            let text = script(&[statement(0, sql)], &[Some("it existed already")]);
            assert_eq!(text.lines().count(), 1, "{text:?}");
            assert!(text.ends_with("nothing to undo\n"), "{text:?}");
            assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
            assert!(is_comment_only(&text), "{text:?}");
        }
    }

    #[test]
    fn long_statements_are_cut() {
        let sql = format!("CREATE TABLE IF NOT EXISTS t ({})", vec!["c int"; 100].join(", "));
        let text = script(&[statement(0, &sql)], &[None]);
        assert!(text.starts_with("-- CREATE TABLE IF NOT EXISTS t (c int, c int,"), "{text}");
        assert!(text.contains("... (statement 1, line 1)"), "{text}");
        assert!(text.len() < 160, "{text}");
    }

    #[test]
    fn comment_only_means_no_statement() {
        assert!(is_comment_only("-- a\n/* b */\n"));
        assert!(!is_comment_only(""));
        assert!(!is_comment_only("  \n"));
        assert!(!is_comment_only("-- a\nSELECT 1;\n"));
        assert!(!is_comment_only("-- a\nDROP TABLE t"));
        assert!(!is_comment_only("SELEC"));
    }
}
