//! What data a statement puts at risk, from its parse tree alone: the columns and tables it drops (their
//! rows are deleted), and the `NOT NULL`/`CHECK` it adds back (rows that violate it make it fail). The
//! database layer counts the rows; this only says which to count.
use crate::parse::name::ObjectName;
use pg_query::protobuf::{AlterTableType as T, ConstrType, Node, ObjectType};
use pg_query::NodeEnum;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RiskTarget {
    /// `DROP COLUMN`: the values in the column are deleted.
    #[serde(rename_all = "camelCase")]
    DropColumn { table: ObjectName, column: String },
    /// `DROP TABLE`, `TRUNCATE`: every row is deleted.
    #[serde(rename_all = "camelCase")]
    DropTable { table: ObjectName },
    /// `SET NOT NULL`: rows where the column is NULL make the statement fail.
    #[serde(rename_all = "camelCase")]
    SetNotNull { table: ObjectName, column: String },
    /// `ADD CONSTRAINT ... CHECK (expr)` (validated): rows where `expr` is false make it fail. `expr` is the
    /// expression as PostgreSQL's deparser writes it.
    #[serde(rename_all = "camelCase")]
    Check { table: ObjectName, constraint: String, expr: String },
}

/// The data `node` deletes or must satisfy.
pub fn statement_risks(node: &NodeEnum) -> Vec<RiskTarget> {
    let mut risks = Vec::new();
    match node {
        NodeEnum::AlterTableStmt(s) if s.objtype() == ObjectType::ObjectTable => {
            let Some(rv) = &s.relation else { return risks };
            let table = ObjectName::from_range_var(rv);
            for cmd in &s.cmds {
                let Some(NodeEnum::AlterTableCmd(cmd)) = cmd.node.as_ref() else { continue };
                match cmd.subtype() {
                    T::AtDropColumn => {
                        risks.push(RiskTarget::DropColumn { table: table.clone(), column: cmd.name.clone() })
                    }
                    T::AtSetNotNull => {
                        risks.push(RiskTarget::SetNotNull { table: table.clone(), column: cmd.name.clone() })
                    }
                    T::AtAddConstraint => {
                        let Some(NodeEnum::Constraint(c)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) else {
                            continue;
                        };
                        if c.contype() != ConstrType::ConstrCheck || c.skip_validation {
                            continue;
                        }
                        if let Some(expr) = c.raw_expr.as_deref().and_then(deparse_expr) {
                            risks.push(RiskTarget::Check { table: table.clone(), constraint: c.conname.clone(), expr });
                        }
                    }
                    _ => {}
                }
            }
        }
        NodeEnum::DropStmt(s) if s.remove_type() == ObjectType::ObjectTable => {
            for o in &s.objects {
                if let Some(NodeEnum::List(l)) = o.node.as_ref() {
                    if let Some(table) = ObjectName::from_nodes(&l.items) {
                        risks.push(RiskTarget::DropTable { table });
                    }
                }
            }
        }
        NodeEnum::TruncateStmt(s) => {
            for r in &s.relations {
                if let Some(NodeEnum::RangeVar(rv)) = r.node.as_ref() {
                    risks.push(RiskTarget::DropTable { table: ObjectName::from_range_var(rv) });
                }
            }
        }
        _ => {}
    }
    risks
}

/// An expression as SQL text: a parsed `SELECT 1` with `expr` put in place of the 1, deparsed, without the
/// `SELECT ` (a statement built from defaults has enum fields PostgreSQL's deparser refuses).
fn deparse_expr(expr: &Node) -> Option<String> {
    let parsed = pg_query::parse("SELECT 1", 0).ok()?;
    let mut stmt = parsed.protobuf.stmts.into_iter().next()?.stmt?.node?;
    let NodeEnum::SelectStmt(select) = &mut stmt else { return None };
    let Some(NodeEnum::ResTarget(target)) = select.target_list.first_mut().and_then(|t| t.node.as_mut()) else {
        return None;
    };
    target.val = Some(Box::new(expr.clone()));
    let sql = stmt.deparse(Default::default()).ok()?;
    sql.strip_prefix("SELECT ").map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParsedMigration;

    fn risks(sql: &str) -> Vec<RiskTarget> {
        let m = ParsedMigration::parse(sql).unwrap();
        m.statements.iter().flat_map(|s| statement_risks(&s.node)).collect()
    }

    #[test]
    fn risk_table() {
        let t = |s: Option<&str>, n: &str| ObjectName::new(s, n);
        assert_eq!(
            risks("ALTER TABLE wishlist_items DROP COLUMN notes, DROP COLUMN \"Tag\";"),
            vec![
                RiskTarget::DropColumn { table: t(None, "wishlist_items"), column: "notes".into() },
                RiskTarget::DropColumn { table: t(None, "wishlist_items"), column: "Tag".into() },
            ]
        );
        assert_eq!(
            risks("DROP TABLE app.a, b CASCADE; TRUNCATE c;"),
            vec![
                RiskTarget::DropTable { table: t(Some("app"), "a") },
                RiskTarget::DropTable { table: t(None, "b") },
                RiskTarget::DropTable { table: t(None, "c") },
            ]
        );
        assert_eq!(
            risks("ALTER TABLE t ALTER COLUMN c SET NOT NULL;"),
            vec![RiskTarget::SetNotNull { table: t(None, "t"), column: "c".into() }]
        );
        assert_eq!(
            risks("ALTER TABLE t ADD CONSTRAINT positive CHECK (price > 0 AND \"Qty\" IS NOT NULL);"),
            vec![RiskTarget::Check {
                table: t(None, "t"),
                constraint: "positive".into(),
                expr: "price > 0 AND \"Qty\" IS NOT NULL".into()
            }]
        );
        // Not validated, other constraints, other objects: nothing at risk.
        for sql in [
            "ALTER TABLE t ADD CONSTRAINT k CHECK (c > 0) NOT VALID;",
            "ALTER TABLE t ADD CONSTRAINT u UNIQUE (c);",
            "DROP INDEX i;",
            "DROP VIEW v;",
            "ALTER TABLE t ADD COLUMN c int;",
            "ALTER TABLE t ALTER COLUMN c DROP NOT NULL;",
        ] {
            assert_eq!(risks(sql), vec![], "{sql}");
        }
    }
}
