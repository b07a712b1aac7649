//! `ALTER COLUMN ... SET STATISTICS / SET STORAGE / SET COMPRESSION / SET (...) / RESET (...)` of tables,
//! materialized views and foreign tables, and `ALTER INDEX ... ALTER COLUMN n SET STATISTICS`: undone by
//! setting back the value read before the statement. Without ONLY some of them recurse into children and
//! partitions, whose own values may have differed: every relation whose value changed gets its own back.
use crate::ask::facts::Facts;
use crate::ask::state::{At, ColumnSettings, Lookup};
use crate::parse::name::ObjectName;
use crate::render::quote::{ident, literal};
use pg_query::protobuf::{AlterTableCmd, AlterTableType as At_, ObjectType};
use pg_query::NodeEnum;

/// The inverse: subcommands for the statement's own ALTER, then statements of their own (other relations).
pub struct Restored {
    pub subs: Vec<String>,
    pub statements: Vec<String>,
}

pub fn is_column_setting(subtype: At_) -> bool {
    matches!(
        subtype,
        At_::AtSetStatistics | At_::AtSetStorage | At_::AtSetCompression | At_::AtSetOptions | At_::AtResetOptions
    )
}

/// `None`: the previous state is not known.
pub fn restore(cmd: &AlterTableCmd, kind: ObjectType, relation: &ObjectName, facts: &Facts) -> Option<Restored> {
    if kind == ObjectType::ObjectIndex {
        return index_statistics(cmd, relation, facts);
    }
    let before = facts.column(At::Before, relation, &cmd.name)?;
    let after = facts.column(At::After, relation, &cmd.name);
    let Some(before) = before else { return Some(Restored { subs: vec![], statements: vec![] }) };
    let after = after??;
    let column = ident(&cmd.name);
    let own = change(cmd.subtype(), &column, &after.settings, &before.settings);
    // The descendants, matched by relation, whose value the statement changed.
    let mut others = Vec::new();
    for was in &before.descendants {
        let now = after.descendants.iter().find(|d| d.relation == was.relation)?;
        let subs = change(cmd.subtype(), &column, &now.settings, &was.settings);
        if !subs.is_empty() {
            others.push(format!("ALTER TABLE ONLY {} {}", was.relation, subs.join(", ")));
        }
    }
    // A recursive inverse would also reset descendants the statement left alone: each relation on its own.
    if before.descendants.is_empty() || own.is_empty() {
        return Some(Restored { subs: own, statements: others });
    }
    others.insert(0, format!("ALTER TABLE ONLY {} {}", before.relation, own.join(", ")));
    Some(Restored { subs: vec![], statements: others })
}

/// Subcommands that turn `now` back into `was` for the setting `subtype` changes.
fn change(subtype: At_, column: &str, now: &ColumnSettings, was: &ColumnSettings) -> Vec<String> {
    let alter = |what: String| vec![format!("ALTER COLUMN {column} {what}")];
    match subtype {
        At_::AtSetStatistics if now.statistics != was.statistics => {
            alter(format!("SET STATISTICS {}", was.statistics.unwrap_or(-1)))
        }
        At_::AtSetStorage if now.storage != was.storage => {
            let storage = match was.storage.as_str() {
                "p" => "PLAIN",
                "e" => "EXTERNAL",
                "m" => "MAIN",
                _ => "EXTENDED",
            };
            alter(format!("SET STORAGE {storage}"))
        }
        At_::AtSetCompression if now.compression != was.compression => {
            let method = match was.compression.as_str() {
                "p" => "pglz",
                "l" => "lz4",
                _ => "default",
            };
            alter(format!("SET COMPRESSION {method}"))
        }
        At_::AtSetOptions | At_::AtResetOptions if now.options != was.options => {
            let split = |o: &String| o.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned()));
            let was: Vec<(String, String)> = was.options.iter().filter_map(split).collect();
            let now: Vec<(String, String)> = now.options.iter().filter_map(split).collect();
            let reset: Vec<String> =
                now.iter().filter(|(k, _)| !was.iter().any(|(w, _)| w == k)).map(|(k, _)| ident(k)).collect();
            let set: Vec<String> = was
                .iter()
                .filter(|option| !now.contains(option))
                .map(|(k, v)| format!("{}={}", ident(k), literal(v)))
                .collect();
            let mut out = Vec::new();
            if !reset.is_empty() {
                out.extend(alter(format!("RESET ({})", reset.join(", "))));
            }
            if !set.is_empty() {
                out.extend(alter(format!("SET ({})", set.join(", "))));
            }
            out
        }
        _ => vec![],
    }
}

/// `ALTER INDEX i ALTER COLUMN n SET STATISTICS v`: the column by number, its previous target (-1: default).
fn index_statistics(cmd: &AlterTableCmd, relation: &ObjectName, facts: &Facts) -> Option<Restored> {
    if cmd.subtype() != At_::AtSetStatistics || cmd.num <= 0 {
        return None;
    }
    let Some(index) = facts.index(At::Before, relation, Lookup::SearchPath)? else {
        return Some(Restored { subs: vec![], statements: vec![] });
    };
    let was = index.statistics.iter().find(|(n, _)| *n == cmd.num).map_or(-1, |(_, v)| *v);
    let requested = match cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
        Some(NodeEnum::Integer(i)) => Some(i.ival),
        _ => None,
    };
    if requested == Some(was) {
        return Some(Restored { subs: vec![], statements: vec![] });
    }
    Some(Restored { subs: vec![format!("ALTER COLUMN {} SET STATISTICS {was}", cmd.num)], statements: vec![] })
}
