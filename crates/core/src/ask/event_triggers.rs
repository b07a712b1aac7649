//! Event triggers run their own code on DDL: whatever they create or change when the migration runs (an audit
//! table for each new table, say) is not undone by the rollback, and the rollback's own DDL fires them again.
//! A statement that an enabled event trigger may react to, or whose inverse it may react to, is not called
//! reversible: the trigger's effects are not known.
use crate::ask::state::EventTriggerFacts;
use crate::invert::kind;
use pg_query::NodeEnum;

/// Statements that never fire event triggers (they are not DDL).
fn fires(node: &NodeEnum) -> bool {
    !matches!(
        node,
        NodeEnum::VariableSetStmt(_)
            | NodeEnum::VariableShowStmt(_)
            | NodeEnum::TransactionStmt(_)
            | NodeEnum::InsertStmt(_)
            | NodeEnum::UpdateStmt(_)
            | NodeEnum::DeleteStmt(_)
            | NodeEnum::MergeStmt(_)
            | NodeEnum::CopyStmt(_)
            | NodeEnum::LockStmt(_)
            | NodeEnum::VacuumStmt(_)
            | NodeEnum::NotifyStmt(_)
            | NodeEnum::ListenStmt(_)
            | NodeEnum::UnlistenStmt(_)
            | NodeEnum::DiscardStmt(_)
            | NodeEnum::CheckPointStmt(_)
            | NodeEnum::ExplainStmt(_)
    ) && !matches!(node, NodeEnum::SelectStmt(s) if s.into_clause.is_none())
}

/// The command tag PostgreSQL reports for a statement, when it is certain; `None` when the statement may run
/// other commands too (DO, CALL, a SELECT calling functions) or its tag is not known exactly.
fn exact_tag(node: &NodeEnum) -> Option<String> {
    match node {
        NodeEnum::DoStmt(_)
        | NodeEnum::CallStmt(_)
        | NodeEnum::SelectStmt(_)
        | NodeEnum::AlterOwnerStmt(_)
        | NodeEnum::DefineStmt(_) => None,
        NodeEnum::CreateStmt(_)
        | NodeEnum::CreateTableAsStmt(_)
        | NodeEnum::ViewStmt(_)
        | NodeEnum::AlterTableStmt(_)
        | NodeEnum::IndexStmt(_)
        | NodeEnum::RenameStmt(_)
        | NodeEnum::AlterObjectSchemaStmt(_)
        | NodeEnum::CreateEnumStmt(_)
        | NodeEnum::CompositeTypeStmt(_)
        | NodeEnum::CreateRangeStmt(_)
        | NodeEnum::CreateDomainStmt(_)
        | NodeEnum::AlterEnumStmt(_)
        | NodeEnum::AlterTypeStmt(_)
        | NodeEnum::CreateSchemaStmt(_)
        | NodeEnum::CreateExtensionStmt(_)
        | NodeEnum::CreateSeqStmt(_)
        | NodeEnum::AlterSeqStmt(_)
        | NodeEnum::CreateFunctionStmt(_)
        | NodeEnum::AlterFunctionStmt(_)
        | NodeEnum::CreateTrigStmt(_)
        | NodeEnum::CreatePolicyStmt(_)
        | NodeEnum::RuleStmt(_)
        | NodeEnum::CreateStatsStmt(_)
        | NodeEnum::DropStmt(_)
        | NodeEnum::CommentStmt(_)
        | NodeEnum::GrantStmt(_)
        | NodeEnum::AlterDomainStmt(_)
        | NodeEnum::RefreshMatViewStmt(_) => Some(kind(node)),
        _ => None,
    }
}

/// The event triggers that may react to a statement or to its inverse (SQL statements without `;`).
pub fn reacting<'a>(
    triggers: &'a [EventTriggerFacts],
    node: &NodeEnum,
    inverse: &[String],
) -> Vec<&'a EventTriggerFacts> {
    let inverse_nodes: Vec<NodeEnum> = inverse
        .iter()
        .filter_map(|sql| crate::parse::wire::parse(sql).ok())
        .flat_map(|parsed| parsed.stmts.into_iter().filter_map(|raw| raw.stmt.and_then(|s| s.node)))
        .collect();
    // An inverse that does not parse is reported elsewhere; here it counts as DDL of an unknown tag.
    let unparsed = inverse_nodes.len() < inverse.len();
    let mut commands: Vec<&NodeEnum> = inverse_nodes.iter().filter(|n| fires(n)).collect();
    if fires(node) {
        commands.push(node);
    }
    if commands.is_empty() && !unparsed {
        return Vec::new();
    }
    let tags: Vec<Option<String>> = commands.iter().map(|n| exact_tag(n)).collect();
    triggers
        .iter()
        .filter(|t| {
            t.tags.is_empty()
                || unparsed
                || tags.iter().any(|tag| match tag {
                    None => true,
                    Some(tag) => t.tags.iter().any(|w| w.eq_ignore_ascii_case(tag)),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(sql: &str) -> NodeEnum {
        crate::parse::wire::parse(sql).unwrap().stmts.remove(0).stmt.unwrap().node.unwrap()
    }

    fn trigger(name: &str, tags: &[&str]) -> EventTriggerFacts {
        EventTriggerFacts {
            name: name.into(),
            event: "ddl_command_end".into(),
            enabled: "O".into(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    #[test]
    fn triggers_react_to_the_statement_or_its_inverse_by_tag() {
        let all = trigger("all", &[]);
        let create = trigger("create", &["CREATE TABLE"]);
        let drop = trigger("drop", &["drop table"]);
        let function = trigger("function", &["CREATE FUNCTION"]);
        let triggers = [all, create, drop, function];
        let names = |found: Vec<&EventTriggerFacts>| found.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(reacting(&triggers, &node("CREATE TABLE t (n int)"), &["DROP TABLE t".into()])),
            ["all", "create", "drop"]
        );
        assert!(reacting(&triggers, &node("SET search_path TO a"), &[]).is_empty());
        assert!(reacting(&triggers, &node("INSERT INTO t VALUES (1)"), &[]).is_empty());
        assert_eq!(names(reacting(&triggers, &node("DO $$ BEGIN NULL; END $$"), &[])).len(), 4);
        assert_eq!(
            names(reacting(&triggers, &node("COMMENT ON TABLE t IS 'x'"), &["COMMENT ON TABLE t IS NULL".into()])),
            ["all"]
        );
    }
}
