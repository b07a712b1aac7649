//! Rendering names and literals so PostgreSQL reads back exactly the object the migration named.
use pg_query::protobuf::{self, node::Node as N, KeywordKind};
use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    // Identifiers repeat a lot within a migration; the keyword check goes through the real scanner.
    static KEYWORD_CACHE: RefCell<HashMap<String, bool>> = RefCell::new(HashMap::new());
}

/// True when PostgreSQL would not accept `word` unquoted as an identifier (same rule as its `quote_ident`:
/// every keyword except unreserved ones).
fn is_restricted_keyword(word: &str) -> bool {
    if let Some(known) = KEYWORD_CACHE.with(|c| c.borrow().get(word).copied()) {
        return known;
    }
    let restricted = match pg_query::scan(word) {
        Ok(scan) => scan.tokens.first().is_some_and(|t| {
            matches!(
                KeywordKind::try_from(t.keyword_kind),
                Ok(KeywordKind::ColNameKeyword | KeywordKind::TypeFuncNameKeyword | KeywordKind::ReservedKeyword)
            )
        }),
        Err(_) => true,
    };
    KEYWORD_CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(word.to_owned(), restricted);
    });
    restricted
}

/// Quote an identifier only when PostgreSQL needs it (mixed case, keywords, punctuation, unicode, quotes).
pub fn ident(name: &str) -> String {
    let plain = !name.is_empty()
        && name.bytes().enumerate().all(|(i, b)| match b {
            b'a'..=b'z' | b'_' => true,
            b'0'..=b'9' | b'$' => i > 0,
            _ => false,
        });
    if plain && !is_restricted_keyword(name) {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A string literal; backslashes force the `E''` form so the value is the same whatever
/// `standard_conforming_strings` says.
pub fn literal(value: &str) -> String {
    if value.contains('\\') {
        format!("E'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
    } else {
        format!("'{}'", value.replace('\'', "''"))
    }
}

/// `[catalog.][schema.]name`, each part quoted as needed.
pub fn qualified(parts: &[&str]) -> String {
    parts.iter().filter(|p| !p.is_empty()).map(|p| ident(p)).collect::<Vec<_>>().join(".")
}

/// A relation as the migration named it, so it resolves the same way (search_path included).
pub fn relation(rv: &protobuf::RangeVar) -> String {
    qualified(&[&rv.catalogname, &rv.schemaname, &rv.relname])
}

/// Like [`relation`], keeping `ONLY` when the migration used it (it changes what recurses to children).
pub fn relation_with_only(rv: &protobuf::RangeVar) -> String {
    if rv.inh {
        relation(rv)
    } else {
        format!("ONLY {}", relation(rv))
    }
}

/// The string parts of a qualified-name list (`any_name` in the grammar).
pub fn name_parts(nodes: &[protobuf::Node]) -> Option<Vec<&str>> {
    nodes
        .iter()
        .map(|n| match &n.node {
            Some(N::String(s)) => Some(s.sval.as_str()),
            _ => None,
        })
        .collect()
}

pub fn any_name(nodes: &[protobuf::Node]) -> Option<String> {
    name_parts(nodes).map(|parts| qualified(&parts))
}

/// A type as written in a function signature. Type modifiers are left out: they are not part of a
/// function's identity, and `DROP FUNCTION` ignores them.
pub fn type_name(t: &protobuf::TypeName) -> Option<String> {
    let mut out = any_name(&t.names)?;
    if t.pct_type {
        out.push_str("%TYPE");
    }
    if t.setof {
        out = format!("SETOF {out}");
    }
    for _ in &t.array_bounds {
        out.push_str("[]");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_exactly_when_postgres_needs_it() {
        let table = [
            ("notes", "notes"),
            ("wishlist_items", "wishlist_items"),
            ("Notes", "\"Notes\""),
            ("user", "\"user\""),
            ("select", "\"select\""),
            ("varchar", "\"varchar\""),
            ("left", "\"left\""),
            ("name", "name"),
            ("action", "action"),
            ("a\"b", "\"a\"\"b\""),
            ("café", "\"café\""),
            ("1abc", "\"1abc\""),
            ("a$b", "a$b"),
            ("with space", "\"with space\""),
            ("", "\"\""),
        ];
        for (input, expected) in table {
            assert_eq!(ident(input), expected, "ident({input:?})");
        }
    }

    #[test]
    fn literals_survive_quotes_and_backslashes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("a\\b"), "E'a\\\\b'");
        assert_eq!(literal("Amazon"), "'Amazon'");
    }
}
