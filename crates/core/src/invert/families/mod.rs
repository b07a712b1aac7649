//! One module per statement family; each has its own table of cases in `tests/cases/`.
pub mod alter_objects;
pub mod alter_table;
pub mod bulk_privileges;
pub mod catalog_names;
pub mod column_settings;
pub mod comments;
pub mod data;
pub mod do_block;
pub mod drop_sets;
pub mod drops;
pub mod identity;
pub mod indexes;
pub mod placement;
pub mod privileges;
pub mod renames;
pub mod routines;
pub mod schemas;
pub mod session;
pub mod tables;
pub mod types;

use pg_query::protobuf::ObjectType;
use std::fmt::{self, Write};

/// `CreateCastStmt` -> `CREATE CAST STMT`: readable words from a Rust variant name, for statements and
/// subcommands without a hand-written name. Only the variant name is formatted, not the (possibly large) node.
pub fn variant_words(value: &impl fmt::Debug, strip_prefix: &str, strip_suffix: &str) -> String {
    struct UntilParen(String);
    impl Write for UntilParen {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            match s.find(['(', ' ', '{']) {
                Some(end) => {
                    self.0.push_str(&s[..end]);
                    Err(fmt::Error)
                }
                None => {
                    self.0.push_str(s);
                    Ok(())
                }
            }
        }
    }
    let mut name = UntilParen(String::new());
    let _ = write!(name, "{value:?}");
    let name = name.0.trim_start_matches(strip_prefix).trim_end_matches(strip_suffix);
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// The SQL keyword(s) naming an object type, as used after CREATE/ALTER/DROP.
pub fn object_keyword(kind: ObjectType) -> &'static str {
    match kind {
        ObjectType::ObjectTable => "TABLE",
        ObjectType::ObjectView => "VIEW",
        ObjectType::ObjectMatview => "MATERIALIZED VIEW",
        ObjectType::ObjectIndex => "INDEX",
        ObjectType::ObjectSequence => "SEQUENCE",
        ObjectType::ObjectForeignTable => "FOREIGN TABLE",
        ObjectType::ObjectType => "TYPE",
        ObjectType::ObjectDomain => "DOMAIN",
        ObjectType::ObjectSchema => "SCHEMA",
        ObjectType::ObjectFunction => "FUNCTION",
        ObjectType::ObjectProcedure => "PROCEDURE",
        ObjectType::ObjectRoutine => "ROUTINE",
        ObjectType::ObjectAggregate => "AGGREGATE",
        ObjectType::ObjectTrigger => "TRIGGER",
        ObjectType::ObjectPolicy => "POLICY",
        ObjectType::ObjectExtension => "EXTENSION",
        ObjectType::ObjectColumn => "COLUMN",
        ObjectType::ObjectAttribute => "ATTRIBUTE",
        ObjectType::ObjectTabconstraint => "CONSTRAINT",
        ObjectType::ObjectDomconstraint => "DOMAIN CONSTRAINT",
        ObjectType::ObjectRule => "RULE",
        ObjectType::ObjectCollation => "COLLATION",
        ObjectType::ObjectConversion => "CONVERSION",
        ObjectType::ObjectOperator => "OPERATOR",
        ObjectType::ObjectCast => "CAST",
        ObjectType::ObjectStatisticExt => "STATISTICS",
        ObjectType::ObjectEventTrigger => "EVENT TRIGGER",
        ObjectType::ObjectPublication => "PUBLICATION",
        ObjectType::ObjectSubscription => "SUBSCRIPTION",
        ObjectType::ObjectRole => "ROLE",
        ObjectType::ObjectDatabase => "DATABASE",
        ObjectType::ObjectTablespace => "TABLESPACE",
        ObjectType::ObjectForeignServer => "SERVER",
        ObjectType::ObjectFdw => "FOREIGN DATA WRAPPER",
        ObjectType::ObjectLanguage => "LANGUAGE",
        ObjectType::ObjectTsconfiguration => "TEXT SEARCH CONFIGURATION",
        ObjectType::ObjectTsdictionary => "TEXT SEARCH DICTIONARY",
        ObjectType::ObjectTsparser => "TEXT SEARCH PARSER",
        ObjectType::ObjectTstemplate => "TEXT SEARCH TEMPLATE",
        ObjectType::ObjectOpclass => "OPERATOR CLASS",
        ObjectType::ObjectOpfamily => "OPERATOR FAMILY",
        ObjectType::ObjectAccessMethod => "ACCESS METHOD",
        ObjectType::ObjectTransform => "TRANSFORM",
        ObjectType::ObjectLargeobject => "LARGE OBJECT",
        _ => "OBJECT",
    }
}

#[cfg(test)]
mod tests {
    use super::variant_words;
    use pg_query::protobuf::AlterTableType;

    #[test]
    fn variant_names_become_words() {
        assert_eq!(variant_words(&AlterTableType::AtSetRelOptions, "At", ""), "SET REL OPTIONS");
        let node = pg_query::parse("CREATE CAST (int AS text) WITH INOUT", 0).unwrap().protobuf.stmts[0]
            .stmt
            .clone()
            .unwrap()
            .node
            .unwrap();
        assert_eq!(variant_words(&node, "", "Stmt"), "CREATE CAST");
    }
}
