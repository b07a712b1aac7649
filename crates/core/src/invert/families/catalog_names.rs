//! Names `pg_catalog` also has. `pg_catalog` is searched before the schemas of `search_path` (unless the path
//! lists it later), so an unqualified name in a rollback that a built-in object also has may act on the
//! built-in one: `ALTER TYPE m RENAME TO int4` undone by `ALTER TYPE int4 RENAME TO m` renames the built-in
//! `int4`. With the database, rollbacks name such objects by the schema they are in; from the SQL alone,
//! statements that would need an unqualified built-in name are refused. The lists are PostgreSQL 15's
//! functions and types (plus names later versions added); every relation of `pg_catalog` starts with `pg_`.
use crate::invert::outcome::{code, Outcome};
use crate::parse::name::ObjectName;
use std::collections::HashSet;
use std::sync::LazyLock;

static FUNCTIONS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("catalog_names/functions.txt").lines().collect());
static TYPES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("catalog_names/types.txt").lines().collect());

/// An unqualified relation name that may be a `pg_catalog` relation's.
pub fn relation(name: &ObjectName) -> bool {
    !name.is_qualified() && name.name.starts_with("pg_")
}

/// An unqualified type name that may be a `pg_catalog` type's (row types of its relations, array types).
pub fn type_(name: &ObjectName) -> bool {
    !name.is_qualified()
        && (name.name.starts_with("pg_") || name.name.starts_with('_') || TYPES.contains(name.name.as_str()))
}

/// An unqualified function, procedure or aggregate name that `pg_catalog` may have.
pub fn routine(name: &ObjectName) -> bool {
    !name.is_qualified() && (name.name.starts_with("pg_") || FUNCTIONS.contains(name.name.as_str()))
}

/// An unqualified collation name that `pg_catalog` may have: its fixed ones, and those initdb imports from the
/// operating system's locales (`en_US`, `en_US.utf8`, `C.utf8`) and from ICU (`en-x-icu`), which vary by machine.
pub fn collation(name: &ObjectName) -> bool {
    if name.is_qualified() {
        return false;
    }
    let n = name.name.as_str();
    let language = |s: &str| (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase());
    let locale = match n.split_once('_') {
        Some((lang, region)) => {
            language(lang) && region.len() >= 2 && region.as_bytes()[..2].iter().all(u8::is_ascii_uppercase)
        }
        None => language(n.split('@').next().unwrap_or(n)),
    };
    matches!(n, "default" | "C" | "POSIX" | "ucs_basic" | "unicode")
        || n.starts_with("pg_")
        || n.contains(['-', '.', '@'])
        || locale
}

pub fn blocked(what: &str) -> Outcome {
    Outcome::blocked(
        code::CATALOG_NAME,
        format!(
            "Cannot auto-generate rollback for {what}: the rollback would name it unqualified, and pg_catalog, which \
             is searched first, has an object of that name"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_names_are_known() {
        assert!(type_(&ObjectName::unqualified("int4")) && type_(&ObjectName::unqualified("_m")));
        assert!(!type_(&ObjectName::qualified("public", "int4")) && !type_(&ObjectName::unqualified("mood")));
        assert!(routine(&ObjectName::unqualified("abs")) && routine(&ObjectName::unqualified("RI_FKey_check_ins")));
        assert!(!routine(&ObjectName::unqualified("add_user")));
        assert!(relation(&ObjectName::unqualified("pg_class")) && !relation(&ObjectName::unqualified("users")));
        for built_in in ["C", "POSIX", "en_US", "en_US.utf8", "C.utf8", "und-x-icu", "de", "ucs_basic"] {
            assert!(collation(&ObjectName::unqualified(built_in)), "{built_in}");
        }
        assert!(
            !collation(&ObjectName::unqualified("german_phonebook")) && !collation(&ObjectName::unqualified("Nocase"))
        );
    }
}
