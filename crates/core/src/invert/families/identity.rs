//! Identity columns: `ALTER COLUMN c DROP IDENTITY [IF EXISTS]` is undone by adding the identity back with
//! its sequence's name and options, value, comment and privileges; `SET GENERATED ...` / `SET <sequence
//! option>` / `RESTART` by setting back the kind of identity and the whole sequence (options and value).
use crate::ask::facts::Facts;
use crate::ask::state::{At, Lookup, SequenceFacts};
use crate::parse::name::ObjectName;
use crate::render::quote::{ident, literal};
use crate::render::restore::{self, AclTarget};
use pg_query::protobuf::{AlterTableCmd, AlterTableType as At_};
use pg_query::NodeEnum;

pub enum Restored {
    Nothing,
    /// A subcommand of the statement's own ALTER, then statements.
    Done(Option<String>, Vec<String>),
    /// Why it cannot be undone exactly.
    Refused(String),
}

/// `None`: the previous state is not known.
pub fn restore(cmd: &AlterTableCmd, relation: &ObjectName, facts: &Facts) -> Option<Restored> {
    let Some(column) = facts.column(At::Before, relation, &cmd.name)? else { return Some(Restored::Nothing) };
    if column.identity.is_empty() {
        // `DROP IDENTITY IF EXISTS` of a column without one; anything else failed.
        return Some(Restored::Nothing);
    }
    // Identity is not inherited, but partitions share their parent's (PostgreSQL 17+ changes them together).
    let table = facts.relation(At::Before, relation, Lookup::SearchPath)??;
    if table.kind == "p" && !column.descendants.is_empty() {
        return Some(Restored::Refused(format!(
            "{} has partitions, whose identity the rollback would not restore",
            column.relation
        )));
    }
    let name = column.identity_sequence.as_ref()?;
    let Some(seq) = facts.sequence(At::Before, name, Lookup::SearchPath)? else { return None };
    let generated = if column.identity == "a" { "ALWAYS" } else { "BY DEFAULT" };
    let col = ident(&cmd.name);
    let sequence = ObjectName::qualified(&seq.relation.schema, &seq.relation.name);
    match cmd.subtype() {
        At_::AtDropIdentity => {
            if seq.relation.persistence != table.persistence {
                return Some(Restored::Refused(format!(
                    "its sequence {sequence} was not {} like its table",
                    if table.persistence == "u" { "UNLOGGED" } else { "LOGGED" }
                )));
            }
            let defaults = facts.default_privileges(At::Before)?;
            // The identity's sequence takes the column's type; `AS` there conflicts with it.
            let sub = format!(
                "ALTER COLUMN {col} ADD GENERATED {generated} AS IDENTITY (SEQUENCE NAME {sequence} {})",
                bounds(seq)
            );
            let mut out = Vec::new();
            if seq.type_name != column.type_name {
                out.push(format!("ALTER SEQUENCE {sequence} {}", options(seq)));
            }
            out.push(value(seq, &sequence));
            if let Some(comment) = &seq.relation.comment {
                out.push(restore::comment(&format!("SEQUENCE {sequence}"), Some(comment)));
            }
            let object = format!("SEQUENCE {sequence}");
            let target = AclTarget { object: &object, column: None, owner: &seq.relation.owner };
            let defaults = restore::applicable_defaults(defaults, "S", &seq.relation.schema);
            match restore::recreated_acl(&target, &seq.relation.default_acl, &seq.relation.acl, &defaults) {
                Ok(grants) => out.extend(grants),
                Err(why) => return Some(Restored::Refused(why)),
            }
            Some(Restored::Done(Some(sub), out))
        }
        At_::AtSetIdentity => {
            let sub = format!("ALTER COLUMN {col} SET GENERATED {generated}");
            // Only the kind of identity: the sequence is untouched.
            let only_kind = matches!(cmd.def.as_ref().and_then(|d| d.node.as_ref()), Some(NodeEnum::List(l))
                if l.items.iter().all(|i| matches!(&i.node, Some(NodeEnum::DefElem(d)) if d.defname == "generated")));
            let statements = if only_kind { vec![] } else { sequence_restored(seq) };
            Some(Restored::Done(Some(sub), statements))
        }
        _ => None,
    }
}

/// The options of a sequence as `CREATE SEQUENCE` and `ALTER SEQUENCE` take them.
pub fn options(seq: &SequenceFacts) -> String {
    format!("AS {} {}", seq.type_name, bounds(seq))
}

/// The options but the type.
fn bounds(seq: &SequenceFacts) -> String {
    let cycle = if seq.cycle { "CYCLE" } else { "NO CYCLE" };
    format!(
        "INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {} {cycle}",
        seq.increment, seq.min, seq.max, seq.start, seq.cache
    )
}

/// `setval` putting back the value (`is_called` false when `nextval` was not called since a restart).
fn value(seq: &SequenceFacts, name: &ObjectName) -> String {
    match seq.last_value {
        Some(value) => format!("SELECT pg_catalog.setval({}, {value}, true)", literal(&name.to_string())),
        None => format!(
            "SELECT pg_catalog.setval({}, {}, false)",
            literal(&name.to_string()),
            seq.next_value.unwrap_or(seq.start)
        ),
    }
}

/// The whole sequence set back: options, then value.
pub fn sequence_restored(seq: &SequenceFacts) -> Vec<String> {
    let name = ObjectName::qualified(&seq.relation.schema, &seq.relation.name);
    vec![format!("ALTER SEQUENCE {name} {}", options(seq)), value(seq, &name)]
}
