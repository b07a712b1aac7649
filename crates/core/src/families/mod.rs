//! One module per statement family; each has its own table of cases in `tests/cases/`.
pub mod alter_table;
pub mod data;
pub mod do_block;
pub mod drops;
pub mod indexes;
pub mod renames;
pub mod routines;
pub mod schemas;
pub mod session;
pub mod tables;
pub mod types;

use pg_query::protobuf::ObjectType;

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
