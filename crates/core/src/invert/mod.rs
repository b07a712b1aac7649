//! Stage 3: the inverse of one statement. Dispatch to its family (`families`), plus the rule shared by all
//! families: a statement that only touches a relation created earlier in the same migration (`context`) is
//! undone by that relation's drop. `outcome` is what one inversion produced; `temporary` keeps `pg_temp` apart.
pub mod context;
pub mod families;
pub mod outcome;
pub mod temporary;

use crate::invert::context::Context;
use crate::ask::facts::Facts;
use crate::invert::families::{alter_table, data, do_block, drops, indexes, renames, routines, session, tables, types};
use crate::parse::name::ObjectName;
use crate::invert::outcome::{code, Outcome};
use crate::render::quote;
use crate::invert::temporary::Resolution;
use pg_query::protobuf::{self, AlterTableType, ObjectType};
use pg_query::NodeEnum;

/// Invert one statement. `guarded`: it runs inside an exception handler that swallows its failure, so
/// it may have done nothing (drizzle-kit's `DO $$ ... EXCEPTION WHEN duplicate_object THEN null; END $$`).
pub fn invert(node: &NodeEnum, ctx: &mut Context, guarded: bool, facts: &Facts) -> Outcome {
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
    // Before the temporary objects: `WITH w AS (INSERT INTO permanent ...) SELECT * INTO TEMP t FROM w` writes
    // rows that outlive the session.
    if data::writes_rows_in_with(node) {
        return data::data_migration();
    }
    if temporary::discards(node) {
        ctx.discard_temporary();
    }
    if temporary::may_set_search_path(node) {
        // set_config('search_path', ...): where later names resolve is not in the SQL.
        ctx.search_path_changed(true);
    }
    match temporary::classify(node, ctx, facts) {
        // Gone with the migration's session; the rollback runs in another one.
        Resolution::Temporary => {
            temporary::follow(node, ctx);
            return Outcome::unchanged("on a temporary object, gone with the migration's session");
        }
        Resolution::Unknown => {
            return Outcome::blocked(
                code::TEMPORARY_OBJECT,
                format!(
                    "Cannot auto-generate rollback for {}: a name it uses may denote a temporary object (gone with \
                     the migration's session) or the permanent object of that name, and the SQL does not say which",
                    kind(node)
                ),
            )
        }
        Resolution::Permanent => {}
    }
    let owner = owner(node, ctx);
    if owner == Owner::CreatedFoldable {
        // Whatever it changed disappears with the owner's own drop, which runs later in the rollback.
        // Absorbing such statements (not only the blocked ones) keeps the rollback consistent when the
        // migration itself later drops what it added to the new object.
        return Outcome::nothing_to_undo();
    }
    // A guarded statement on an object created in this migration did run: nothing of it can have existed.
    // On an existing one, the database says whether the object it creates was already there.
    if guarded && owner == Owner::Existing {
        match guard_took_effect(node, facts) {
            Some(true) => {}
            Some(false) => return Outcome::unchanged("the guarded object existed already"),
            None => {
                // Whether the guard took effect is known only once the statement ran; what inverting it will
                // need from before it runs must be asked now, on a copy (nothing is recorded).
                if facts.capturing() {
                    let _ = dispatch(node, &mut ctx.clone(), facts);
                }
                return Outcome::blocked(
                    code::GUARDED_BY_EXCEPTION,
                    format!(
                        "Cannot auto-generate rollback for {} inside a DO block that ignores its errors: \
                         it may have done nothing because the object already existed",
                        kind(node)
                    ),
                );
            }
        }
    }
    let temporary_dependency = temporary::mentioned(node, ctx);
    let outcome = dispatch(node, ctx, facts);
    if let Some(name) = temporary_dependency.filter(|_| !outcome.inverse.is_empty()) {
        return Outcome::blocked(
            code::TEMPORARY_OBJECT,
            format!(
                "Cannot auto-generate rollback for {}: it uses the temporary object {}, so PostgreSQL drops what it \
                 made when the migration's session ends, and in the rollback's session that name finds another object",
                kind(node),
                quote::ident(&name)
            ),
        );
    }
    // Renames create nothing, and a DO block's statements were counted one by one.
    let creates = !matches!(
        node,
        NodeEnum::DoStmt(_)
            | NodeEnum::RenameStmt(_)
            | NodeEnum::AlterObjectSchemaStmt(_)
            | NodeEnum::VariableSetStmt(_)
    );
    if creates && !outcome.inverse.is_empty() {
        ctx.advance();
    }
    outcome
}

/// Whether a statement inside drizzle's `EXCEPTION WHEN duplicate_object` block created its object: it did
/// unless the object was already there (then PostgreSQL raised duplicate_object and the block swallowed it).
/// `None` when this is not known.
fn guard_took_effect(node: &NodeEnum, facts: &Facts) -> Option<bool> {
    use crate::ask::state::{At, Lookup, ObjectKind};
    fn effect<T>(before: Option<Option<T>>, after: Option<Option<T>>) -> Option<bool> {
        Some(before?.is_none() && after?.is_some())
    }
    let located = |kind: ObjectKind, name: &ObjectName, lookup: Lookup| {
        effect(
            facts.locate(At::Before, kind.clone(), name, lookup.clone()),
            facts.locate(At::After, kind, name, lookup),
        )
    };
    let created = |name: Option<ObjectName>| -> Option<bool> { located(ObjectKind::Type, &name?, Lookup::Creation) };
    match node {
        NodeEnum::AlterTableStmt(s) if s.cmds.len() == 1 => {
            let Some(NodeEnum::AlterTableCmd(cmd)) = &s.cmds[0].node else { return None };
            let Some(NodeEnum::Constraint(c)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else { return None };
            if cmd.subtype() != AlterTableType::AtAddConstraint || c.conname.is_empty() {
                return None;
            }
            let relation = ObjectName::from_range_var(s.relation.as_ref()?);
            effect(
                facts.constraint(At::Before, &relation, &c.conname),
                facts.constraint(At::After, &relation, &c.conname),
            )
        }
        NodeEnum::CreateEnumStmt(s) => created(ObjectName::from_nodes(&s.type_name)),
        NodeEnum::CreateRangeStmt(s) => created(ObjectName::from_nodes(&s.type_name)),
        NodeEnum::CreateDomainStmt(s) => created(ObjectName::from_nodes(&s.domainname)),
        NodeEnum::CompositeTypeStmt(s) => created(s.typevar.as_ref().map(ObjectName::from_range_var)),
        NodeEnum::CreateSchemaStmt(s) if !s.schemaname.is_empty() => {
            effect(facts.schema(At::Before, &s.schemaname), facts.schema(At::After, &s.schemaname))
        }
        NodeEnum::CreateExtensionStmt(s) => {
            effect(facts.extension(At::Before, &s.extname), facts.extension(At::After, &s.extname))
        }
        NodeEnum::CreateStmt(s) => {
            located(ObjectKind::Relation, &ObjectName::from_range_var(s.relation.as_ref()?), Lookup::Creation)
        }
        NodeEnum::IndexStmt(s) if !s.idxname.is_empty() => {
            let table = ObjectName::from_range_var(s.relation.as_ref()?);
            located(ObjectKind::Index, &ObjectName::unqualified(&s.idxname), Lookup::Beside(table))
        }
        NodeEnum::CreatePolicyStmt(s) => {
            let table = ObjectName::from_range_var(s.table.as_ref()?);
            effect(facts.policy(At::Before, &table, &s.policy_name), facts.policy(At::After, &table, &s.policy_name))
        }
        NodeEnum::CreateTrigStmt(s) => {
            let table = ObjectName::from_range_var(s.relation.as_ref()?);
            effect(facts.trigger(At::Before, &table, &s.trigname), facts.trigger(At::After, &table, &s.trigname))
        }
        _ => None,
    }
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
                Some([table @ .., column]) if !table.is_empty() => ObjectName::from_parts(table)
                    .is_some_and(|table| ctx.created(&table) || ctx.created_column_of(&table, column)),
                _ => false,
            };
            (created, created)
        }
        _ => match dependent_relation(node) {
            Some(name) => (ctx.created(&name), ctx.latest(&name)),
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

fn dispatch(node: &NodeEnum, ctx: &mut Context, facts: &Facts) -> Outcome {
    match node {
        NodeEnum::CreateStmt(s) => tables::create_table(s, ctx, facts),
        NodeEnum::CreateTableAsStmt(s) => tables::create_table_as(s, ctx, facts),
        NodeEnum::ViewStmt(s) => tables::create_view(s, ctx, facts),
        NodeEnum::AlterTableStmt(s) => alter_table::alter_table(s, ctx, facts),
        NodeEnum::IndexStmt(s) => indexes::create_index(s, facts),
        NodeEnum::RenameStmt(s) => renames::rename(s, ctx, facts),
        NodeEnum::AlterObjectSchemaStmt(s) => renames::set_schema(s, ctx, facts),
        NodeEnum::CreateEnumStmt(s) => types::create_enum(s, ctx, facts),
        NodeEnum::CompositeTypeStmt(s) => types::create_composite(s, ctx, facts),
        NodeEnum::CreateRangeStmt(s) => types::create_range(s, ctx, facts),
        NodeEnum::CreateDomainStmt(s) => types::create_domain(s, ctx, facts),
        NodeEnum::AlterEnumStmt(s) => types::alter_enum(s, facts),
        NodeEnum::CreateSchemaStmt(s) => families::schemas::create_schema(s, facts),
        NodeEnum::CreateExtensionStmt(s) => families::schemas::create_extension(s, facts),
        NodeEnum::CreateSeqStmt(s) => tables::create_sequence(s, ctx, facts),
        NodeEnum::CreateFunctionStmt(s) => routines::create_function(s, ctx, facts),
        NodeEnum::CreateTrigStmt(s) => routines::create_trigger(s, facts),
        NodeEnum::CreatePolicyStmt(s) => routines::create_policy(s),
        NodeEnum::RuleStmt(s) => routines::create_rule(s, facts),
        NodeEnum::CreateStatsStmt(s) => indexes::create_statistics(s, facts),
        NodeEnum::AlterDomainStmt(s) => types::alter_domain(s, facts),
        NodeEnum::DefineStmt(s) => types::define(s, ctx),
        NodeEnum::DropStmt(s) => drops::drop(s, facts),
        NodeEnum::DoStmt(s) => do_block::do_block(s, ctx, facts),
        NodeEnum::VariableSetStmt(s) => session::set(s, ctx, facts),
        NodeEnum::TransactionStmt(s) => session::transaction(s),
        NodeEnum::VariableShowStmt(_)
        | NodeEnum::LockStmt(_)
        | NodeEnum::VacuumStmt(_)
        | NodeEnum::ReindexStmt(_)
        | NodeEnum::CheckPointStmt(_)
        | NodeEnum::DiscardStmt(_)
        | NodeEnum::ListenStmt(_)
        | NodeEnum::UnlistenStmt(_)
        | NodeEnum::NotifyStmt(_) => Outcome::unchanged("changes no schema"),
        NodeEnum::SelectStmt(s) if s.into_clause.is_some() => {
            tables::select_into(s, ctx, facts).unwrap_or_else(data::data_migration)
        }
        n if data::is_data_statement(n) => data::data_migration(),
        NodeEnum::CommentStmt(s) if facts.capturing() => families::comments::comment(s, facts),
        NodeEnum::GrantStmt(s)
            if facts.capturing() && s.targtype() == pg_query::protobuf::GrantTargetType::AclTargetAllInSchema =>
        {
            families::bulk_privileges::grant_in_schema(s, facts)
        }
        NodeEnum::GrantStmt(s) if facts.capturing() => families::privileges::grant(s, facts),
        NodeEnum::AlterDefaultPrivilegesStmt(s) if facts.capturing() => {
            families::bulk_privileges::default_privileges(s, facts)
        }
        NodeEnum::AlterOwnerStmt(s) if facts.capturing() => families::alter_objects::owner(s, facts),
        NodeEnum::AlterSeqStmt(s) if facts.capturing() => families::alter_objects::alter_sequence(s, facts),
        NodeEnum::AlterFunctionStmt(s) if facts.capturing() => families::alter_objects::alter_function(s, facts),
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
    is_rollback_metadata(&relation.schemaname, &relation.relname)
        .then(|| ObjectName::from_range_var(relation).to_string())
}

/// The relation or type whose own parts are all a statement changes (so dropping it undoes the statement).
fn dependent_relation(node: &NodeEnum) -> Option<ObjectName> {
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
                s.relation.as_ref().map(ObjectName::from_range_var)
            }
        }
        NodeEnum::IndexStmt(s) => s.relation.as_ref().map(ObjectName::from_range_var),
        NodeEnum::CreateTrigStmt(s) => s.relation.as_ref().map(ObjectName::from_range_var),
        // "_RETURN" turns the table into a view, which its DROP TABLE then cannot drop.
        NodeEnum::RuleStmt(s) if s.rulename != "_RETURN" => s.relation.as_ref().map(ObjectName::from_range_var),
        NodeEnum::CreatePolicyStmt(s) => s.table.as_ref().map(ObjectName::from_range_var),
        NodeEnum::InsertStmt(s) => s.relation.as_ref().map(ObjectName::from_range_var),
        NodeEnum::CommentStmt(s) => comment_relation(s),
        NodeEnum::AlterEnumStmt(s) => ObjectName::from_nodes(&s.type_name),
        _ => None,
    }
}

/// `COMMENT ON TABLE t` / `COMMENT ON COLUMN t.c`: the relation's key.
fn comment_relation(s: &protobuf::CommentStmt) -> Option<ObjectName> {
    let Some(NodeEnum::List(list)) = s.object.as_ref().and_then(|o| o.node.as_ref()) else { return None };
    let parts = quote::name_parts(&list.items)?;
    match s.objtype() {
        ObjectType::ObjectTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectType
        | ObjectType::ObjectDomain => ObjectName::from_parts(&parts),
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
    let words = families::variant_words(node, "", "Stmt");
    // The parse tree abbreviates some object kinds; messages use the SQL words.
    let expanded: Vec<&str> = words
        .split(' ')
        .map(|word| match word {
            "TRIG" => "TRIGGER",
            "FDW" => "FOREIGN DATA WRAPPER",
            "AM" => "ACCESS METHOD",
            "PLANG" => "LANGUAGE",
            "OP" => "OPERATOR",
            "TS" => "TEXT SEARCH",
            "SEQ" => "SEQUENCE",
            other => other,
        })
        .collect();
    expanded.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(sql: &str) -> String {
        let parsed = pg_query::parse(sql, 0).unwrap();
        let node = parsed.protobuf.stmts[0].stmt.as_ref().unwrap().node.as_ref().unwrap();
        kind(node)
    }

    #[test]
    fn statements_without_a_family_are_named_with_their_sql_words() {
        assert_eq!(kind_of("CREATE EVENT TRIGGER e ON ddl_command_end EXECUTE FUNCTION f()"), "CREATE EVENT TRIGGER");
        assert_eq!(kind_of("CREATE FOREIGN DATA WRAPPER w"), "CREATE FOREIGN DATA WRAPPER");
        assert_eq!(kind_of("CREATE ACCESS METHOD a TYPE TABLE HANDLER h"), "CREATE ACCESS METHOD");
        assert_eq!(kind_of("CREATE PUBLICATION p"), "CREATE PUBLICATION");
    }
}
