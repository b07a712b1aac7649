//! What a statement costs while it runs, from its parse tree alone: the table lock it takes, and whether it
//! rewrites the table, builds an index or scans the table to check a constraint. PostgreSQL 15's lock levels
//! (`AlterTableGetLockLevel` in tablecmds.c, the "Explicit Locking" table of the manual); where the level
//! depends on details the SQL does not show, the stronger one is reported.
use crate::parse::name::ObjectName;
use pg_query::protobuf::{
    AlterTableCmd, AlterTableType as T, ConstrType, Constraint, DropStmt, IndexStmt, ObjectType, RenameStmt,
};
use pg_query::NodeEnum;
use serde::Serialize;

/// Table lock modes, weakest first (only those DDL takes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum LockMode {
    #[serde(rename = "SHARE UPDATE EXCLUSIVE")]
    ShareUpdateExclusive,
    #[serde(rename = "SHARE")]
    Share,
    #[serde(rename = "SHARE ROW EXCLUSIVE")]
    ShareRowExclusive,
    #[serde(rename = "EXCLUSIVE")]
    Exclusive,
    #[serde(rename = "ACCESS EXCLUSIVE")]
    AccessExclusive,
}

impl LockMode {
    pub fn name(self) -> &'static str {
        match self {
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// What the lock does to the application's queries on the table while it is held (or waited for).
    pub fn blocks(self) -> &'static str {
        match self {
            LockMode::ShareUpdateExclusive => "does not block reads or writes (only other DDL and VACUUM)",
            LockMode::Share | LockMode::ShareRowExclusive | LockMode::Exclusive => "blocks writes, not reads",
            LockMode::AccessExclusive => "blocks reads and writes",
        }
    }

    /// Locks that stop the application: worth a `lock_timeout`, since queries queue behind a waiting one.
    pub fn is_strong(self) -> bool {
        self >= LockMode::Share
    }
}

/// The lock a statement takes on one relation and the work it does there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockEffect {
    /// The relation as the statement names it (an index for `DROP INDEX`: its table is locked too).
    pub relation: String,
    pub mode: LockMode,
    /// The whole table is rewritten (or may be: `ALTER COLUMN TYPE` unless the types are binary-compatible).
    pub rewrites: bool,
    pub builds_index: bool,
    /// The whole table is read to check a constraint (`SET NOT NULL`, `ADD CHECK`/`FOREIGN KEY` without
    /// `NOT VALID`, `VALIDATE CONSTRAINT`).
    pub scans: bool,
}

impl LockEffect {
    fn new(relation: String, mode: LockMode) -> Self {
        LockEffect { relation, mode, rewrites: false, builds_index: false, scans: false }
    }

    /// "ACCESS EXCLUSIVE on wishlist_items (blocks reads and writes); rewrites the table"
    pub fn describe(&self) -> String {
        let mut s = format!("{} on {} ({})", self.mode.name(), self.relation, self.mode.blocks());
        if self.rewrites {
            s.push_str("; rewrites the table");
        }
        if self.builds_index {
            s.push_str("; builds an index");
        }
        if self.scans {
            s.push_str("; scans the table to check it");
        }
        s
    }
}

fn rel(rv: &Option<pg_query::protobuf::RangeVar>) -> Option<String> {
    rv.as_ref().map(|rv| ObjectName::from_range_var(rv).to_string())
}

/// The locks `node` takes on existing relations, strongest first per relation. Statements that only touch
/// objects other than tables (types, functions, schemas, comments, privileges) take none worth reporting.
pub fn statement_locks(node: &NodeEnum) -> Vec<LockEffect> {
    use LockMode::*;
    let mut effects = Vec::new();
    match node {
        NodeEnum::AlterTableStmt(s) => {
            let Some(relation) = rel(&s.relation) else { return effects };
            let index = s.objtype() == ObjectType::ObjectIndex;
            let mut effect = LockEffect::new(relation, ShareUpdateExclusive);
            for cmd in &s.cmds {
                if let Some(NodeEnum::AlterTableCmd(cmd)) = cmd.node.as_ref() {
                    alter_table_cmd(cmd, index, &mut effect, &mut effects);
                }
            }
            effects.insert(0, effect);
        }
        NodeEnum::DropStmt(s) => drop_locks(s, &mut effects),
        NodeEnum::IndexStmt(s) => index_lock(s, &mut effects),
        NodeEnum::RenameStmt(s) => rename_lock(s, &mut effects),
        NodeEnum::CreateTrigStmt(s) => effects.extend(rel(&s.relation).map(|r| LockEffect::new(r, ShareRowExclusive))),
        NodeEnum::CreatePolicyStmt(s) => effects.extend(rel(&s.table).map(|r| LockEffect::new(r, AccessExclusive))),
        NodeEnum::AlterPolicyStmt(s) => effects.extend(rel(&s.table).map(|r| LockEffect::new(r, AccessExclusive))),
        NodeEnum::RuleStmt(s) => effects.extend(rel(&s.relation).map(|r| LockEffect::new(r, AccessExclusive))),
        NodeEnum::TruncateStmt(s) => {
            for r in &s.relations {
                if let Some(NodeEnum::RangeVar(rv)) = r.node.as_ref() {
                    effects.push(LockEffect::new(ObjectName::from_range_var(rv).to_string(), AccessExclusive));
                }
            }
        }
        NodeEnum::RefreshMatViewStmt(s) => {
            let mode = if s.concurrent { Exclusive } else { AccessExclusive };
            effects.extend(rel(&s.relation).map(|r| LockEffect::new(r, mode)));
        }
        NodeEnum::AlterObjectSchemaStmt(s)
            if matches!(
                s.object_type(),
                ObjectType::ObjectTable
                    | ObjectType::ObjectView
                    | ObjectType::ObjectMatview
                    | ObjectType::ObjectSequence
            ) =>
        {
            effects.extend(rel(&s.relation).map(|r| LockEffect::new(r, AccessExclusive)))
        }
        NodeEnum::CreateStmt(s) => {
            // A new table's foreign keys lock the tables they reference.
            for element in &s.table_elts {
                let constraints: Vec<&Constraint> = match element.node.as_ref() {
                    Some(NodeEnum::Constraint(c)) => vec![c],
                    Some(NodeEnum::ColumnDef(d)) => d
                        .constraints
                        .iter()
                        .filter_map(|c| match c.node.as_ref() {
                            Some(NodeEnum::Constraint(c)) => Some(&**c),
                            _ => None,
                        })
                        .collect(),
                    _ => vec![],
                };
                for c in constraints {
                    if c.contype() == ConstrType::ConstrForeign {
                        effects.extend(rel(&c.pktable).map(|r| LockEffect::new(r, ShareRowExclusive)));
                    }
                }
            }
        }
        _ => {}
    }
    effects
}

fn alter_table_cmd(cmd: &AlterTableCmd, index: bool, effect: &mut LockEffect, others: &mut Vec<LockEffect>) {
    use LockMode::*;
    let raise = |effect: &mut LockEffect, mode: LockMode| effect.mode = effect.mode.max(mode);
    let constraint = match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
        Some(NodeEnum::Constraint(c)) => Some(&**c),
        _ => None,
    };
    match cmd.subtype() {
        T::AtValidateConstraint => {
            raise(effect, ShareUpdateExclusive);
            effect.scans = true;
        }
        T::AtSetStatistics | T::AtSetOptions | T::AtResetOptions | T::AtClusterOn | T::AtDropCluster => {
            raise(effect, ShareUpdateExclusive)
        }
        T::AtEnableTrig
        | T::AtEnableAlwaysTrig
        | T::AtEnableReplicaTrig
        | T::AtEnableTrigAll
        | T::AtEnableTrigUser
        | T::AtDisableTrig
        | T::AtDisableTrigAll
        | T::AtDisableTrigUser => raise(effect, ShareRowExclusive),
        T::AtAddConstraint => {
            let Some(c) = constraint else { return raise(effect, AccessExclusive) };
            match c.contype() {
                ConstrType::ConstrForeign => {
                    raise(effect, ShareRowExclusive);
                    effect.scans |= !c.skip_validation;
                    others.extend(rel(&c.pktable).map(|r| LockEffect::new(r, ShareRowExclusive)));
                }
                ConstrType::ConstrCheck => {
                    raise(effect, AccessExclusive);
                    effect.scans |= !c.skip_validation;
                }
                ConstrType::ConstrPrimary | ConstrType::ConstrUnique | ConstrType::ConstrExclusion => {
                    raise(effect, AccessExclusive);
                    // USING INDEX adopts an existing index.
                    effect.builds_index |= c.indexname.is_empty();
                }
                _ => raise(effect, AccessExclusive),
            }
        }
        T::AtSetNotNull => {
            raise(effect, AccessExclusive);
            effect.scans = true;
        }
        T::AtAlterColumnType | T::AtSetLogged | T::AtSetUnLogged | T::AtSetAccessMethod | T::AtSetTableSpace => {
            raise(effect, AccessExclusive);
            effect.rewrites = true;
        }
        T::AtAddColumn => {
            raise(effect, AccessExclusive);
            // Stored generated columns, identities and volatile defaults fill every row.
            if let Some(NodeEnum::ColumnDef(def)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                effect.rewrites |= def.constraints.iter().any(|c| match c.node.as_ref() {
                    Some(NodeEnum::Constraint(c)) => match c.contype() {
                        ConstrType::ConstrGenerated | ConstrType::ConstrIdentity => true,
                        ConstrType::ConstrDefault => c.raw_expr.as_deref().is_some_and(volatile_call),
                        _ => false,
                    },
                    _ => false,
                });
                effect.builds_index |= def.constraints.iter().any(|c| {
                    matches!(c.node.as_ref(), Some(NodeEnum::Constraint(c))
                        if matches!(c.contype(), ConstrType::ConstrPrimary | ConstrType::ConstrUnique))
                });
            }
        }
        T::AtAttachPartition => {
            raise(effect, ShareUpdateExclusive);
            if let Some(NodeEnum::PartitionCmd(p)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                if let Some(r) = rel(&p.name) {
                    let mut partition = LockEffect::new(r, AccessExclusive);
                    partition.scans = true;
                    others.push(partition);
                }
            }
        }
        T::AtDetachPartition => {
            if let Some(NodeEnum::PartitionCmd(p)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                let mode = if p.concurrent { ShareUpdateExclusive } else { AccessExclusive };
                raise(effect, mode);
                others.extend(rel(&p.name).map(|r| LockEffect::new(r, mode)));
            }
        }
        // ALTER INDEX ... SET (...): most storage parameters of an index.
        T::AtSetRelOptions | T::AtResetRelOptions if index => raise(effect, ShareUpdateExclusive),
        _ => raise(effect, AccessExclusive),
    }
}

/// A call of a well-known volatile function: its value differs per row, so every row is written. Stable ones
/// (`now()`) and constants are stored once in the catalog (PostgreSQL 11+), without a rewrite.
fn volatile_call(expr: &pg_query::protobuf::Node) -> bool {
    const VOLATILE: [&str; 7] = [
        "random",
        "gen_random_uuid",
        "uuid_generate_v4",
        "uuid_generate_v1",
        "clock_timestamp",
        "timeofday",
        "nextval",
    ];
    let Some(NodeEnum::FuncCall(f)) = expr.node.as_ref() else { return false };
    let name = crate::render::quote::name_parts(&f.funcname).and_then(|parts| parts.last().map(|n| n.to_string()));
    name.is_some_and(|n| VOLATILE.contains(&n.as_str()))
}

fn drop_locks(s: &DropStmt, effects: &mut Vec<LockEffect>) {
    use LockMode::*;
    let names = || {
        s.objects.iter().filter_map(|o| match o.node.as_ref() {
            Some(NodeEnum::List(l)) => ObjectName::from_nodes(&l.items),
            _ => None,
        })
    };
    match s.remove_type() {
        ObjectType::ObjectTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectSequence
        | ObjectType::ObjectForeignTable => {
            effects.extend(names().map(|n| LockEffect::new(n.to_string(), AccessExclusive)))
        }
        ObjectType::ObjectIndex => {
            let mode = if s.concurrent { ShareUpdateExclusive } else { AccessExclusive };
            effects.extend(names().map(|n| LockEffect::new(format!("{n} and its table"), mode)));
        }
        // [schema.]table.name: the lock is on the table.
        ObjectType::ObjectTrigger | ObjectType::ObjectPolicy | ObjectType::ObjectRule => {
            for o in &s.objects {
                if let Some(NodeEnum::List(l)) = o.node.as_ref() {
                    let parts = crate::render::quote::name_parts(&l.items).unwrap_or_default();
                    if let Some(table) = parts.split_last().and_then(|(_, t)| ObjectName::from_parts(t)) {
                        effects.push(LockEffect::new(table.to_string(), AccessExclusive));
                    }
                }
            }
        }
        _ => {}
    }
}

fn index_lock(s: &IndexStmt, effects: &mut Vec<LockEffect>) {
    let mode = if s.concurrent { LockMode::ShareUpdateExclusive } else { LockMode::Share };
    if let Some(r) = rel(&s.relation) {
        let mut effect = LockEffect::new(r, mode);
        effect.builds_index = true;
        effects.push(effect);
    }
}

fn rename_lock(s: &RenameStmt, effects: &mut Vec<LockEffect>) {
    use LockMode::*;
    let mode = match s.rename_type() {
        ObjectType::ObjectIndex => ShareUpdateExclusive,
        ObjectType::ObjectTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectSequence
        | ObjectType::ObjectColumn
        | ObjectType::ObjectTabconstraint
        | ObjectType::ObjectTrigger
        | ObjectType::ObjectPolicy
        | ObjectType::ObjectRule => AccessExclusive,
        _ => return,
    };
    effects.extend(rel(&s.relation).map(|r| LockEffect::new(r, mode)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParsedMigration;

    fn locks(sql: &str) -> Vec<String> {
        let m = ParsedMigration::parse(sql).unwrap();
        m.statements.iter().flat_map(|s| statement_locks(&s.node)).map(|e| e.describe()).collect()
    }

    #[test]
    fn lock_table() {
        let ae = "(blocks reads and writes)";
        let cases: &[(&str, &[&str])] = &[
            ("ALTER TABLE wishlist_items DROP COLUMN notes", &[&format!("ACCESS EXCLUSIVE on wishlist_items {ae}")]),
            ("ALTER TABLE \"My T\" ADD COLUMN c int", &[&format!("ACCESS EXCLUSIVE on \"My T\" {ae}")]),
            (
                "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()",
                &[&format!("ACCESS EXCLUSIVE on t {ae}; rewrites the table")],
            ),
            ("ALTER TABLE t ADD COLUMN c int DEFAULT 0", &[&format!("ACCESS EXCLUSIVE on t {ae}")]),
            ("ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()", &[&format!("ACCESS EXCLUSIVE on t {ae}")]),
            (
                "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) STORED",
                &[&format!("ACCESS EXCLUSIVE on t {ae}; rewrites the table")],
            ),
            (
                "ALTER TABLE s.t ALTER COLUMN c TYPE bigint",
                &[&format!("ACCESS EXCLUSIVE on s.t {ae}; rewrites the table")],
            ),
            (
                "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
                &[&format!("ACCESS EXCLUSIVE on t {ae}; scans the table to check it")],
            ),
            (
                "ALTER TABLE t ADD CONSTRAINT k CHECK (c > 0)",
                &[&format!("ACCESS EXCLUSIVE on t {ae}; scans the table to check it")],
            ),
            ("ALTER TABLE t ADD CONSTRAINT k CHECK (c > 0) NOT VALID", &[&format!("ACCESS EXCLUSIVE on t {ae}")]),
            (
                "ALTER TABLE t ADD CONSTRAINT u UNIQUE (c)",
                &[&format!("ACCESS EXCLUSIVE on t {ae}; builds an index")],
            ),
            ("ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i", &[&format!("ACCESS EXCLUSIVE on t {ae}")]),
            (
                "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES p (id)",
                &[
                    "SHARE ROW EXCLUSIVE on t (blocks writes, not reads); scans the table to check it",
                    "SHARE ROW EXCLUSIVE on p (blocks writes, not reads)",
                ],
            ),
            (
                "ALTER TABLE t VALIDATE CONSTRAINT k",
                &["SHARE UPDATE EXCLUSIVE on t (does not block reads or writes (only other DDL and VACUUM)); scans the \
                   table to check it"],
            ),
            ("ALTER TABLE t DISABLE TRIGGER tr", &["SHARE ROW EXCLUSIVE on t (blocks writes, not reads)"]),
            (
                "ALTER TABLE t ALTER COLUMN c SET STATISTICS 100, ALTER COLUMN c DROP DEFAULT",
                &[&format!("ACCESS EXCLUSIVE on t {ae}")],
            ),
            (
                "ALTER TABLE p DETACH PARTITION c",
                &[&format!("ACCESS EXCLUSIVE on p {ae}"), &format!("ACCESS EXCLUSIVE on c {ae}")],
            ),
            ("DROP TABLE a, s.b", &[&format!("ACCESS EXCLUSIVE on a {ae}"), &format!("ACCESS EXCLUSIVE on s.b {ae}")]),
            ("DROP INDEX idx1", &[&format!("ACCESS EXCLUSIVE on idx1 and its table {ae}")]),
            (
                "DROP INDEX CONCURRENTLY idx1",
                &["SHARE UPDATE EXCLUSIVE on idx1 and its table (does not block reads or writes (only other DDL and \
                   VACUUM))"],
            ),
            ("CREATE INDEX i ON t (c)", &["SHARE on t (blocks writes, not reads); builds an index"]),
            (
                "CREATE INDEX CONCURRENTLY i ON t (c)",
                &["SHARE UPDATE EXCLUSIVE on t (does not block reads or writes (only other DDL and VACUUM)); builds \
                   an index"],
            ),
            ("ALTER TABLE t RENAME COLUMN a TO b", &[&format!("ACCESS EXCLUSIVE on t {ae}")]),
            ("ALTER TABLE t RENAME TO u", &[&format!("ACCESS EXCLUSIVE on t {ae}")]),
            ("DROP TRIGGER tr ON s.t", &[&format!("ACCESS EXCLUSIVE on s.t {ae}")]),
            ("CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", &[
                "SHARE ROW EXCLUSIVE on t (blocks writes, not reads)",
            ]),
            (
                "CREATE TABLE c (id int REFERENCES p (id))",
                &["SHARE ROW EXCLUSIVE on p (blocks writes, not reads)"],
            ),
            ("DROP TYPE e", &[]),
            ("COMMENT ON TABLE t IS 'x'", &[]),
            ("DROP FUNCTION f()", &[]),
        ];
        for (sql, expected) in cases {
            assert_eq!(locks(sql), *expected, "{sql}");
        }
    }

    #[test]
    fn strong_locks() {
        assert!(LockMode::AccessExclusive.is_strong());
        assert!(LockMode::Share.is_strong());
        assert!(!LockMode::ShareUpdateExclusive.is_strong());
        assert_eq!(serde_json::to_string(&LockMode::AccessExclusive).unwrap(), "\"ACCESS EXCLUSIVE\"");
    }
}
