//! Dispatch of one statement to its family, plus the rule shared by all families: a statement that only
//! touches a relation created earlier in the same migration is undone by that relation's drop.
use crate::context::Context;
use crate::families::{self, alter_table, data, do_block, drops, indexes, renames, routines, session, tables, types};
use crate::outcome::{code, Outcome};
use crate::quote;
use pg_query::protobuf::{self, AlterTableType, ObjectType};
use pg_query::NodeEnum;

/// Invert one statement. `guarded`: it runs inside an exception handler that swallows its failure, so
/// it may have done nothing (drizzle-kit's `DO $$ ... EXCEPTION WHEN duplicate_object THEN null; END $$`).
pub fn invert(node: &NodeEnum, ctx: &mut Context, guarded: bool) -> Outcome {
    if let Some(metadata) = changed_rollback_metadata(node) {
        // Undoing it would destroy the record the rollback itself is executed from (or Drizzle's own).
        return Outcome::blocked(
            code::ROLLBACK_METADATA,
            format!(
                "Cannot auto-generate rollback for {} of {metadata}: pg-rollback and Drizzle keep their migration \
                 records there, so undoing it must be done by hand",
                kind(node)
            ),
        );
    }
    if targets_temporary_relation(node, ctx) {
        // Gone with the migration's session; the rollback runs in another one.
        return Outcome::nothing_to_undo();
    }
    let owner = owner(node, ctx);
    if owner == Owner::CreatedFoldable {
        // Whatever it changed disappears with the owner's own drop, which runs later in the rollback.
        // Absorbing such statements (not only the blocked ones) keeps the rollback consistent when the
        // migration itself later drops what it added to the new object.
        return Outcome::nothing_to_undo();
    }
    // A guarded statement on an object created in this migration did run: nothing of it can have existed.
    if guarded && owner == Owner::Existing {
        return Outcome::blocked(
            code::GUARDED_BY_EXCEPTION,
            format!(
                "Cannot auto-generate rollback for {} inside a DO block that ignores its errors: \
                 it may have done nothing because the object already existed",
                kind(node)
            ),
        );
    }
    let outcome = dispatch(node, ctx);
    // Renames create nothing, and a DO block's statements were counted one by one.
    let creates = !matches!(node, NodeEnum::DoStmt(_) | NodeEnum::RenameStmt(_) | NodeEnum::AlterObjectSchemaStmt(_));
    if creates && !outcome.inverse.is_empty() {
        ctx.advance();
    }
    outcome
}

#[derive(PartialEq, Eq)]
enum Owner {
    /// The statement changes something that existed before the migration (or we cannot tell).
    Existing,
    /// It only changes an object created earlier in the migration, but may make it depend on objects created
    /// since (dropped first by the rollback): it needs its own inverse.
    Created,
    /// It only changes an object created earlier in the migration, and dropping that object undoes it.
    CreatedFoldable,
}

fn owner(node: &NodeEnum, ctx: &Context) -> Owner {
    let (created, latest) = match node {
        NodeEnum::GrantStmt(s) => {
            let all = s.targtype() == protobuf::GrantTargetType::AclTargetObject
                && matches!(s.objtype(), ObjectType::ObjectTable | ObjectType::ObjectSequence)
                && !s.objects.is_empty()
                && s.objects
                    .iter()
                    .all(|o| matches!(&o.node, Some(NodeEnum::RangeVar(rv)) if ctx.created_relation(rv)));
            (all, all)
        }
        NodeEnum::CommentStmt(s) if s.objtype() == ObjectType::ObjectColumn => {
            let Some(NodeEnum::List(list)) = s.object.as_ref().and_then(|o| o.node.as_ref()) else {
                return Owner::Existing;
            };
            let created = match quote::name_parts(&list.items).as_deref() {
                Some([table @ .., column]) if !table.is_empty() => {
                    let table = quote::qualified(table);
                    ctx.created_relation_key(&table) || ctx.created_column_key(&table, column)
                }
                _ => false,
            };
            (created, created)
        }
        _ => match dependent_relation(node) {
            Some(key) => (ctx.created_relation_key(&key), ctx.latest_relation_key(&key)),
            None => (false, false),
        },
    };
    match (created, latest || adds_no_dependency(node)) {
        (true, true) => Owner::CreatedFoldable,
        (true, false) => Owner::Created,
        _ => Owner::Existing,
    }
}

/// Statements that cannot make an object depend on another one (so folding them into its drop is always
/// safe, whatever was created since).
fn adds_no_dependency(node: &NodeEnum) -> bool {
    match node {
        NodeEnum::CommentStmt(_) | NodeEnum::GrantStmt(_) | NodeEnum::InsertStmt(_) | NodeEnum::AlterEnumStmt(_) => {
            true
        }
        NodeEnum::AlterTableStmt(s) => s.cmds.iter().all(|cmd| {
            matches!(&cmd.node, Some(NodeEnum::AlterTableCmd(c)) if match c.subtype() {
                AlterTableType::AtSetNotNull
                | AlterTableType::AtDropNotNull
                | AlterTableType::AtDropColumn
                | AlterTableType::AtDropConstraint
                | AlterTableType::AtValidateConstraint
                | AlterTableType::AtEnableRowSecurity
                | AlterTableType::AtDisableRowSecurity
                | AlterTableType::AtForceRowSecurity
                | AlterTableType::AtNoForceRowSecurity
                | AlterTableType::AtEnableTrig
                | AlterTableType::AtDisableTrig
                | AlterTableType::AtChangeOwner
                | AlterTableType::AtSetStatistics
                | AlterTableType::AtSetStorage => true,
                AlterTableType::AtColumnDefault => c.def.is_none(),
                _ => false,
            })
        }),
        _ => false,
    }
}

/// A statement on a temporary relation this migration created (its effects end with the session).
fn targets_temporary_relation(node: &NodeEnum, ctx: &Context) -> bool {
    let relation = match node {
        NodeEnum::AlterTableStmt(s) => s.relation.as_ref(),
        NodeEnum::RenameStmt(s) => s.relation.as_ref(),
        NodeEnum::IndexStmt(s) => s.relation.as_ref(),
        NodeEnum::CreateTrigStmt(s) => s.relation.as_ref(),
        NodeEnum::InsertStmt(s) => s.relation.as_ref(),
        NodeEnum::UpdateStmt(s) => s.relation.as_ref(),
        NodeEnum::DeleteStmt(s) => s.relation.as_ref(),
        NodeEnum::TruncateStmt(s) => match s.relations.first().and_then(|n| n.node.as_ref()) {
            Some(NodeEnum::RangeVar(rv)) if s.relations.len() == 1 => Some(rv),
            _ => None,
        },
        _ => None,
    };
    relation.is_some_and(|rv| ctx.refers_to_temporary(rv))
}

fn dispatch(node: &NodeEnum, ctx: &mut Context) -> Outcome {
    match node {
        NodeEnum::CreateStmt(s) => tables::create_table(s, ctx),
        NodeEnum::CreateTableAsStmt(s) => tables::create_table_as(s, ctx),
        NodeEnum::ViewStmt(s) => tables::create_view(s, ctx),
        NodeEnum::AlterTableStmt(s) => alter_table::alter_table(s, ctx),
        NodeEnum::IndexStmt(s) => indexes::create_index(s),
        NodeEnum::RenameStmt(s) => renames::rename(s, ctx),
        NodeEnum::AlterObjectSchemaStmt(s) => renames::set_schema(s, ctx),
        NodeEnum::CreateEnumStmt(s) => types::create_enum(s, ctx),
        NodeEnum::CompositeTypeStmt(s) => types::create_composite(s, ctx),
        NodeEnum::CreateRangeStmt(s) => types::create_range(s, ctx),
        NodeEnum::CreateDomainStmt(s) => types::create_domain(s, ctx),
        NodeEnum::AlterEnumStmt(s) => types::alter_enum(s),
        NodeEnum::CreateSchemaStmt(s) => families::schemas::create_schema(s),
        NodeEnum::CreateExtensionStmt(s) => families::schemas::create_extension(s),
        NodeEnum::CreateSeqStmt(s) => tables::create_sequence(s, ctx),
        NodeEnum::CreateFunctionStmt(s) => routines::create_function(s),
        NodeEnum::CreateTrigStmt(s) => routines::create_trigger(s),
        NodeEnum::CreatePolicyStmt(s) => routines::create_policy(s),
        NodeEnum::RuleStmt(s) => routines::create_rule(s),
        NodeEnum::CreateStatsStmt(s) => indexes::create_statistics(s),
        NodeEnum::AlterDomainStmt(s) => types::alter_domain(s),
        NodeEnum::DefineStmt(s) => types::define(s),
        NodeEnum::DropStmt(s) => drops::drop(s),
        NodeEnum::DoStmt(s) => do_block::do_block(s, ctx),
        NodeEnum::VariableSetStmt(s) => session::set(s),
        NodeEnum::TransactionStmt(s) => session::transaction(s),
        NodeEnum::VariableShowStmt(_)
        | NodeEnum::LockStmt(_)
        | NodeEnum::VacuumStmt(_)
        | NodeEnum::ReindexStmt(_)
        | NodeEnum::CheckPointStmt(_)
        | NodeEnum::DiscardStmt(_)
        | NodeEnum::ListenStmt(_)
        | NodeEnum::UnlistenStmt(_)
        | NodeEnum::NotifyStmt(_) => Outcome::nothing_to_undo(),
        NodeEnum::SelectStmt(s) if s.into_clause.is_some() => {
            tables::select_into(s, ctx).unwrap_or_else(data::data_migration)
        }
        n if data::is_data_statement(n) => data::data_migration(),
        NodeEnum::CommentStmt(_)
        | NodeEnum::GrantStmt(_)
        | NodeEnum::GrantRoleStmt(_)
        | NodeEnum::AlterOwnerStmt(_)
        | NodeEnum::AlterDefaultPrivilegesStmt(_)
        | NodeEnum::AlterSeqStmt(_)
        | NodeEnum::AlterFunctionStmt(_)
        | NodeEnum::AlterTypeStmt(_)
        | NodeEnum::AlterExtensionStmt(_)
        | NodeEnum::ClusterStmt(_)
        | NodeEnum::AlterRoleStmt(_)
        | NodeEnum::AlterDatabaseSetStmt(_)
        | NodeEnum::AlterRoleSetStmt(_)
        | NodeEnum::SecLabelStmt(_) => Outcome::blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!("Cannot auto-generate rollback for {}: the previous state is not in the migration", kind(node)),
        ),
        _ => Outcome::blocked(
            code::UNSUPPORTED_STATEMENT,
            format!("Cannot auto-generate rollback for {}: pg-rollback does not invert this statement", kind(node)),
        ),
    }
}

/// Where pg-rollback (`schema_versions`) and drizzle-orm (schema `drizzle`) record applied migrations.
fn is_rollback_metadata(schema: &str, relation: &str) -> bool {
    relation == "schema_versions" || schema == "drizzle"
}

/// The metadata relation or schema a statement creates or changes, if any.
fn changed_rollback_metadata(node: &NodeEnum) -> Option<String> {
    let relation = match node {
        NodeEnum::CreateStmt(s) => s.relation.as_ref(),
        NodeEnum::AlterTableStmt(s) => s.relation.as_ref(),
        NodeEnum::IndexStmt(s) => s.relation.as_ref(),
        NodeEnum::RenameStmt(s) => s.relation.as_ref(),
        NodeEnum::CreateTrigStmt(s) => s.relation.as_ref(),
        NodeEnum::CreatePolicyStmt(s) => s.table.as_ref(),
        NodeEnum::RuleStmt(s) => s.relation.as_ref(),
        NodeEnum::CreateSchemaStmt(s) if s.schemaname == "drizzle" => return Some("schema drizzle".to_owned()),
        _ => None,
    }?;
    is_rollback_metadata(&relation.schemaname, &relation.relname).then(|| quote::relation(relation))
}

/// The relation or type whose own parts are all a statement changes (so dropping it undoes the statement).
fn dependent_relation(node: &NodeEnum) -> Option<String> {
    match node {
        NodeEnum::AlterTableStmt(s) => {
            let touches_other_relations = s.cmds.iter().any(|cmd| {
                matches!(&cmd.node, Some(NodeEnum::AlterTableCmd(c))
                    if matches!(c.subtype(), AlterTableType::AtAttachPartition | AlterTableType::AtDetachPartition
                        | AlterTableType::AtDetachPartitionFinalize))
            });
            if touches_other_relations
                || !matches!(
                    s.objtype(),
                    ObjectType::ObjectTable
                        | ObjectType::ObjectView
                        | ObjectType::ObjectMatview
                        | ObjectType::ObjectForeignTable
                        | ObjectType::ObjectType
                )
            {
                None
            } else {
                s.relation.as_ref().map(quote::relation)
            }
        }
        NodeEnum::IndexStmt(s) => s.relation.as_ref().map(quote::relation),
        NodeEnum::CreateTrigStmt(s) => s.relation.as_ref().map(quote::relation),
        // "_RETURN" turns the table into a view, which its DROP TABLE then cannot drop.
        NodeEnum::RuleStmt(s) if s.rulename != "_RETURN" => s.relation.as_ref().map(quote::relation),
        NodeEnum::CreatePolicyStmt(s) => s.table.as_ref().map(quote::relation),
        NodeEnum::InsertStmt(s) => s.relation.as_ref().map(quote::relation),
        NodeEnum::CommentStmt(s) => comment_relation(s),
        NodeEnum::AlterEnumStmt(s) => quote::any_name(&s.type_name),
        _ => None,
    }
}

/// `COMMENT ON TABLE t` / `COMMENT ON COLUMN t.c`: the relation's key.
fn comment_relation(s: &protobuf::CommentStmt) -> Option<String> {
    let Some(NodeEnum::List(list)) = s.object.as_ref().and_then(|o| o.node.as_ref()) else { return None };
    let parts = quote::name_parts(&list.items)?;
    match s.objtype() {
        ObjectType::ObjectTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectType
        | ObjectType::ObjectDomain => Some(quote::qualified(&parts)),
        _ => None,
    }
}

/// Command tag for a statement, e.g. `ALTER TABLE`.
pub fn kind(node: &NodeEnum) -> String {
    let tag = match node {
        NodeEnum::CreateStmt(_) => "CREATE TABLE",
        NodeEnum::CreateTableAsStmt(s) => match s.objtype() {
            ObjectType::ObjectMatview => "CREATE MATERIALIZED VIEW",
            _ if s.is_select_into => "SELECT INTO",
            _ => "CREATE TABLE AS",
        },
        NodeEnum::ViewStmt(_) => "CREATE VIEW",
        NodeEnum::AlterTableStmt(s) => return format!("ALTER {}", families::object_keyword(s.objtype())),
        NodeEnum::IndexStmt(_) => "CREATE INDEX",
        NodeEnum::RenameStmt(s) => return format!("ALTER {}", families::object_keyword(renamed_kind(s))),
        NodeEnum::AlterObjectSchemaStmt(s) => return format!("ALTER {}", families::object_keyword(s.object_type())),
        NodeEnum::CreateEnumStmt(_) | NodeEnum::CompositeTypeStmt(_) | NodeEnum::CreateRangeStmt(_) => "CREATE TYPE",
        NodeEnum::DefineStmt(s) => return format!("CREATE {}", families::object_keyword(s.kind())),
        NodeEnum::CreateDomainStmt(_) => "CREATE DOMAIN",
        NodeEnum::AlterEnumStmt(_) | NodeEnum::AlterTypeStmt(_) => "ALTER TYPE",
        NodeEnum::CreateSchemaStmt(_) => "CREATE SCHEMA",
        NodeEnum::CreateExtensionStmt(_) => "CREATE EXTENSION",
        NodeEnum::CreateSeqStmt(_) => "CREATE SEQUENCE",
        NodeEnum::AlterSeqStmt(_) => "ALTER SEQUENCE",
        NodeEnum::CreateFunctionStmt(s) if s.is_procedure => "CREATE PROCEDURE",
        NodeEnum::CreateFunctionStmt(_) => "CREATE FUNCTION",
        NodeEnum::AlterFunctionStmt(_) => "ALTER FUNCTION",
        NodeEnum::CreateTrigStmt(_) => "CREATE TRIGGER",
        NodeEnum::CreatePolicyStmt(_) => "CREATE POLICY",
        NodeEnum::RuleStmt(_) => "CREATE RULE",
        NodeEnum::CreateStatsStmt(_) => "CREATE STATISTICS",
        NodeEnum::DropStmt(s) => return format!("DROP {}", families::object_keyword(s.remove_type())),
        NodeEnum::DoStmt(_) => "DO",
        NodeEnum::VariableSetStmt(s)
            if s.kind() == protobuf::VariableSetKind::VarReset
                || s.kind() == protobuf::VariableSetKind::VarResetAll =>
        {
            "RESET"
        }
        NodeEnum::VariableSetStmt(_) => "SET",
        NodeEnum::VariableShowStmt(_) => "SHOW",
        NodeEnum::TransactionStmt(_) => "TRANSACTION",
        NodeEnum::InsertStmt(_) => "INSERT",
        NodeEnum::UpdateStmt(_) => "UPDATE",
        NodeEnum::DeleteStmt(_) => "DELETE",
        NodeEnum::MergeStmt(_) => "MERGE",
        NodeEnum::CopyStmt(_) => "COPY",
        NodeEnum::TruncateStmt(_) => "TRUNCATE",
        NodeEnum::SelectStmt(s) if s.into_clause.is_some() => "SELECT INTO",
        NodeEnum::SelectStmt(_) => "SELECT",
        NodeEnum::CallStmt(_) => "CALL",
        NodeEnum::RefreshMatViewStmt(_) => "REFRESH MATERIALIZED VIEW",
        NodeEnum::CommentStmt(_) => "COMMENT",
        NodeEnum::GrantStmt(s) if s.is_grant => "GRANT",
        NodeEnum::GrantStmt(_) => "REVOKE",
        NodeEnum::AlterOwnerStmt(_) => "ALTER OWNER",
        NodeEnum::AlterDomainStmt(_) => "ALTER DOMAIN",
        NodeEnum::LockStmt(_) => "LOCK",
        NodeEnum::VacuumStmt(s) if s.is_vacuumcmd => "VACUUM",
        NodeEnum::VacuumStmt(_) => "ANALYZE",
        NodeEnum::ClusterStmt(_) => "CLUSTER",
        NodeEnum::ReindexStmt(_) => "REINDEX",
        other => return statement_name(other),
    };
    tag.to_owned()
}

fn renamed_kind(s: &protobuf::RenameStmt) -> ObjectType {
    match s.rename_type() {
        ObjectType::ObjectColumn | ObjectType::ObjectTabconstraint => s.relation_type(),
        ObjectType::ObjectAttribute => ObjectType::ObjectType,
        other => other,
    }
}

/// `CreateCastStmt` -> `CREATE CAST`: a readable fallback for statements without a hand-written tag.
fn statement_name(node: &NodeEnum) -> String {
    families::variant_words(node, "", "Stmt")
}
