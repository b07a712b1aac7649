//! DROP. From the SQL alone the definition (and for tables the data) is gone. With the state captured before
//! the drop, an index, constraint-free view, function, trigger, policy, rule, sequence, type, domain, schema,
//! extension or statistics object is created again exactly as it was, with its comment, owner and
//! privileges, as long as nothing else went with it (a CASCADE that takes other objects stays unsafe and
//! names them). Tables stay unsafe: their rows are gone (the spec's non-goal).
use crate::ask::facts::Facts;
use crate::ask::state::*;
use crate::invert::families::{drop_sets, object_keyword};
use crate::invert::outcome::{code, Outcome};
use crate::parse::name::ObjectName;
use crate::render::quote::{self, ident, literal};
use crate::render::restore::{self, AclTarget};
use pg_query::protobuf::{DropBehavior, DropStmt, ObjectType};
use pg_query::NodeEnum;

pub fn drop(s: &DropStmt, facts: &Facts) -> Outcome {
    let keyword = object_keyword(s.remove_type());
    let sql_only = || match s.remove_type() {
        ObjectType::ObjectTable | ObjectType::ObjectForeignTable => {
            Outcome::blocked(code::DROP_TABLE, format!("Cannot auto-generate rollback for DROP {keyword} (data loss)"))
        }
        ObjectType::ObjectSchema | ObjectType::ObjectSequence => {
            Outcome::blocked(code::DROP_OBJECT, format!("Cannot auto-generate rollback for DROP {keyword} (data loss)"))
        }
        _ => Outcome::blocked(
            code::DROP_OBJECT,
            format!("Cannot auto-generate rollback for DROP {keyword} (its definition is not in the migration)"),
        ),
    };
    if !facts.capturing() || !recreatable(s.remove_type()) {
        return sql_only();
    }
    let cascade = s.behavior() == DropBehavior::DropCascade;
    // Objects with privileges start with those of `ALTER DEFAULT PRIVILEGES` when created again.
    let with_privileges = !matches!(
        s.remove_type(),
        ObjectType::ObjectIndex
            | ObjectType::ObjectTrigger
            | ObjectType::ObjectPolicy
            | ObjectType::ObjectRule
            | ObjectType::ObjectExtension
            | ObjectType::ObjectStatisticExt
    );
    // Views a CASCADE takes along have privileges too.
    let captured_defaults = if with_privileges || cascade { facts.default_privileges(At::Before) } else { None };
    let mut unknown = with_privileges && captured_defaults.is_none();
    let no_defaults = Vec::new();
    let defaults = captured_defaults.unwrap_or(&no_defaults);
    let mut recreated_objects = Vec::new();
    for object in &s.objects {
        let Some(node) = &object.node else { continue };
        let recreated = match s.remove_type() {
            ObjectType::ObjectIndex => index(facts, node, s.concurrent),
            ObjectType::ObjectView | ObjectType::ObjectMatview => view(facts, node, s.remove_type(), defaults),
            ObjectType::ObjectSequence => sequence(facts, node, defaults),
            ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine => {
                routine(facts, node, defaults)
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => type_(facts, node, s.remove_type(), defaults),
            ObjectType::ObjectTrigger => trigger(facts, node),
            ObjectType::ObjectPolicy => policy(facts, node),
            ObjectType::ObjectRule => rule(facts, node),
            ObjectType::ObjectSchema => schema(facts, node, defaults),
            ObjectType::ObjectExtension => extension(facts, node),
            ObjectType::ObjectStatisticExt => statistics(facts, node),
            _ => None,
        };
        match recreated {
            None => unknown = true,
            // Nothing to create again: it did not exist.
            Some(Ok(statements)) if statements.is_empty() => {}
            Some(Ok(statements)) => recreated_objects.push((node, statements)),
            Some(Err(why)) => {
                return Outcome::blocked(
                    code::DROP_OBJECT,
                    format!("Cannot auto-generate a safe rollback for DROP {keyword}: {why}"),
                )
            }
        }
    }
    if unknown {
        return sql_only();
    }
    // Several objects may depend on each other, and a CASCADE takes their dependents along: both need the
    // order PostgreSQL's dependencies give.
    let arranged = if cascade || (recreated_objects.len() > 1 && !independent(s.remove_type())) {
        let nodes: Vec<&NodeEnum> = recreated_objects.iter().map(|(node, _)| *node).collect();
        match drop_sets::arrange(s.remove_type(), &nodes, facts) {
            drop_sets::Arrangement::Unknown => return sql_only(),
            drop_sets::Arrangement::Blocked(why) => {
                return Outcome::blocked(
                    code::DROP_OBJECT,
                    format!(
                        "Cannot auto-generate a safe rollback for DROP {keyword}{}: {why}",
                        if cascade { " ... CASCADE" } else { "" }
                    ),
                )
            }
            drop_sets::Arrangement::Arranged(arranged) => Some(arranged),
        }
    } else {
        None
    };
    let Some(arranged) = arranged else {
        let inverse = recreated_objects.into_iter().flat_map(|(_, statements)| statements).collect();
        let notice = drop_sets::refreshed_notice(&materialized_views(s.remove_type(), &[], facts, &s.objects));
        return Outcome { inverse, notice, ..Default::default() };
    };
    let mut ranked: Vec<(u32, Vec<String>)> =
        arranged.ranks.iter().zip(recreated_objects).map(|(rank, (_, statements))| (*rank, statements)).collect();
    for (view, rank) in &arranged.extra {
        match view_statements(view, defaults) {
            Ok(statements) => ranked.push((*rank, statements)),
            Err(why) => {
                return Outcome::blocked(
                    code::DROP_OBJECT,
                    format!("Cannot auto-generate a safe rollback for DROP {keyword} ... CASCADE: {why}"),
                )
            }
        }
    }
    if captured_defaults.is_none() && !arranged.extra.is_empty() {
        return sql_only();
    }
    // Stable: objects of one rank keep the statement's order.
    ranked.sort_by_key(|(rank, _)| *rank);
    let extra: Vec<&ViewFacts> = arranged.extra.iter().map(|(view, _)| *view).collect();
    let notice = drop_sets::refreshed_notice(&materialized_views(s.remove_type(), &extra, facts, &s.objects));
    Outcome {
        inverse: ranked.into_iter().flat_map(|(_, statements)| statements).collect(),
        notice,
        ..Default::default()
    }
}

/// Populated materialized views the rollback creates again (and so fills by running their queries).
fn materialized_views(
    kind: ObjectType,
    extra: &[&ViewFacts],
    facts: &Facts,
    objects: &[pg_query::protobuf::Node],
) -> Vec<String> {
    let mut names = Vec::new();
    if kind == ObjectType::ObjectMatview {
        for node in objects.iter().filter_map(|o| o.node.as_ref()) {
            let view = list_name(node).and_then(|name| facts.view(At::Before, &name, Lookup::SearchPath)).flatten();
            if let Some(view) = view.filter(|v| v.relation.kind == "m" && v.populated) {
                names.push(ObjectName::qualified(&view.relation.schema, &view.relation.name).to_string());
            }
        }
    }
    for view in extra.iter().filter(|v| v.relation.kind == "m" && v.populated) {
        names.push(ObjectName::qualified(&view.relation.schema, &view.relation.name).to_string());
    }
    names
}

fn recreatable(kind: ObjectType) -> bool {
    matches!(
        kind,
        ObjectType::ObjectIndex
            | ObjectType::ObjectView
            | ObjectType::ObjectMatview
            | ObjectType::ObjectSequence
            | ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine
            | ObjectType::ObjectType
            | ObjectType::ObjectDomain
            | ObjectType::ObjectTrigger
            | ObjectType::ObjectPolicy
            | ObjectType::ObjectRule
            | ObjectType::ObjectSchema
            | ObjectType::ObjectExtension
            | ObjectType::ObjectStatisticExt
    )
}

/// Objects that cannot depend on one another, so several dropped at once can be created again in any order.
fn independent(kind: ObjectType) -> bool {
    matches!(
        kind,
        ObjectType::ObjectIndex | ObjectType::ObjectTrigger | ObjectType::ObjectPolicy | ObjectType::ObjectStatisticExt
    )
}

/// What a recreation produced: `None` unknown (not captured), `Some(Ok([]))` nothing to undo (it did not exist).
type Recreated = Option<Result<Vec<String>, String>>;

/// The text of a definition PostgreSQL printed, without its trailing `;`.
pub fn definition(text: &str) -> String {
    text.trim_end().trim_end_matches(';').trim_end().to_owned()
}

pub(crate) fn list_name(node: &NodeEnum) -> Option<ObjectName> {
    match node {
        NodeEnum::List(list) => ObjectName::from_nodes(&list.items),
        NodeEnum::String(s) => Some(ObjectName::unqualified(&s.sval)),
        _ => None,
    }
}

/// `[table parts..., name]` of a trigger, policy or rule.
fn on_table(node: &NodeEnum) -> Option<(ObjectName, String)> {
    let NodeEnum::List(list) = node else { return None };
    let parts = quote::name_parts(&list.items)?;
    let (name, table) = parts.split_last()?;
    Some((ObjectName::from_parts(table)?, (*name).to_owned()))
}

/// The object's address for `pg_get_object_address`, to ask what a CASCADE would take along.
pub(crate) fn address(kind: ObjectType, node: &NodeEnum) -> Option<ObjectAddress> {
    let text = |parts: Vec<&str>| parts.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let (kind, names, args) = match (kind, node) {
        (ObjectType::ObjectType | ObjectType::ObjectDomain, NodeEnum::TypeName(t)) => {
            ("type", vec![quote::type_name(t)?], Some(vec![]))
        }
        (
            ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine,
            NodeEnum::ObjectWithArgs(f),
        ) => {
            let kind = match kind {
                ObjectType::ObjectProcedure => "procedure",
                ObjectType::ObjectRoutine => "routine",
                _ => "function",
            };
            (kind, text(quote::name_parts(&f.objname)?), routine_args(f)?)
        }
        (_, NodeEnum::List(list)) => {
            let kind = match kind {
                ObjectType::ObjectIndex => "index",
                ObjectType::ObjectView => "view",
                ObjectType::ObjectMatview => "materialized view",
                ObjectType::ObjectSequence => "sequence",
                ObjectType::ObjectTrigger => "trigger",
                ObjectType::ObjectPolicy => "policy",
                ObjectType::ObjectRule => "rule",
                ObjectType::ObjectStatisticExt => "statistics object",
                _ => return None,
            };
            (kind, text(quote::name_parts(&list.items)?), Some(vec![]))
        }
        (ObjectType::ObjectSchema | ObjectType::ObjectExtension, NodeEnum::String(s)) => {
            (if kind == ObjectType::ObjectSchema { "schema" } else { "extension" }, vec![s.sval.clone()], Some(vec![]))
        }
        _ => return None,
    };
    Some(ObjectAddress { kind: kind.to_owned(), names, args })
}

/// Argument types of `f(...)` as written (input arguments: what identifies a function); `Ok(None)` without parens.
pub fn routine_args(f: &pg_query::protobuf::ObjectWithArgs) -> Option<Option<Vec<String>>> {
    if f.args_unspecified {
        return Some(None);
    }
    f.objargs
        .iter()
        .map(|a| match &a.node {
            Some(NodeEnum::TypeName(t)) => quote::type_name(t),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .map(Some)
}

/// Owner, comment and privileges of an object created again.
struct Properties<'a> {
    /// `TABLE`, `VIEW`, `FUNCTION`, ... as `ALTER {keyword}` and `COMMENT ON {keyword}` take it.
    keyword: &'a str,
    /// The object as those statements name it (functions with their argument list).
    name: String,
    owner: &'a str,
    comment: Option<&'a str>,
    /// GRANT's keyword (`TABLE` for views and sequences' tables, ...), its ACLs, and the `pg_default_acl` type.
    grant_keyword: &'a str,
    acl: &'a [Privilege],
    default_acl: &'a [Privilege],
    default_type: &'a str,
    schema: &'a str,
}

impl Properties<'_> {
    fn statements(&self, defaults: &[DefaultPrivilege]) -> Result<Vec<String>, String> {
        let mut out = vec![format!("ALTER {} {} OWNER TO {}", self.keyword, self.name, ident(self.owner))];
        if self.comment.is_some() {
            out.push(restore::comment(&format!("{} {}", self.keyword, self.name), self.comment));
        }
        let defaults = restore::applicable_defaults(defaults, self.default_type, self.schema);
        let object = format!("{} {}", self.grant_keyword, self.name);
        let target = AclTarget { object: &object, column: None, owner: self.owner };
        out.extend(restore::recreated_acl(&target, self.default_acl, self.acl, &defaults)?);
        Ok(out)
    }
}

pub fn index_statements(index: &IndexFacts, concurrently: bool) -> Result<Vec<String>, String> {
    let name = ObjectName::qualified(&index.schema, &index.name);
    if !index.valid {
        return Err(format!("index {name} was INVALID, and creating it again would make it valid"));
    }
    if index.kind == "I" && !index.partitions.is_empty() {
        return Err(format!(
            "{name} is the index of a partitioned table: dropping it also dropped the indexes of its partitions, \
             whose names creating it again would not give back"
        ));
    }
    if let Some(tablespace) = &index.tablespace {
        return Err(format!("{name} was in tablespace {}", ident(tablespace)));
    }
    let mut create = definition(&index.definition);
    if concurrently {
        create = create.replacen(" INDEX ", " INDEX CONCURRENTLY ", 1);
    }
    let mut out = vec![create];
    out.extend(index_properties(index));
    Ok(out)
}

/// What an index had beyond its definition: a comment, the CLUSTER and REPLICA IDENTITY marks on its table,
/// statistics targets. Also what a primary key or unique constraint added again must get back.
pub fn index_properties(index: &IndexFacts) -> Vec<String> {
    let name = ObjectName::qualified(&index.schema, &index.name);
    let mut out = Vec::new();
    if index.comment.is_some() {
        out.push(restore::comment(&format!("INDEX {name}"), index.comment.as_deref()));
    }
    if index.clustered {
        out.push(format!("ALTER TABLE {} CLUSTER ON {}", index.table, ident(&index.name)));
    }
    if index.replica_identity {
        out.push(format!("ALTER TABLE {} REPLICA IDENTITY USING INDEX {}", index.table, ident(&index.name)));
    }
    for (column, target) in &index.statistics {
        out.push(format!("ALTER INDEX {name} ALTER COLUMN {column} SET STATISTICS {target}"));
    }
    out
}

fn index(facts: &Facts, node: &NodeEnum, concurrently: bool) -> Recreated {
    let name = list_name(node)?;
    Some(match facts.index(At::Before, &name, Lookup::SearchPath)? {
        None => Ok(vec![]),
        Some(index) => index_statements(index, concurrently),
    })
}

fn view(facts: &Facts, node: &NodeEnum, kind: ObjectType, defaults: &[DefaultPrivilege]) -> Recreated {
    let name = list_name(node)?;
    let Some(view) = facts.view(At::Before, &name, Lookup::SearchPath)? else { return Some(Ok(vec![])) };
    let materialized = kind == ObjectType::ObjectMatview;
    if (view.relation.kind == "m") != materialized {
        return Some(Ok(vec![]));
    }
    Some(view_statements(view, defaults))
}

pub(crate) fn view_statements(view: &ViewFacts, defaults: &[DefaultPrivilege]) -> Result<Vec<String>, String> {
    let r = &view.relation;
    let name = ObjectName::qualified(&r.schema, &r.name);
    if !view.unsupported.is_empty() {
        return Err(format!("{name} has {}, which pg-rollback does not create again", view.unsupported.join(", ")));
    }
    let materialized = r.kind == "m";
    let keyword = if materialized { "MATERIALIZED VIEW" } else { "VIEW" };
    let options = if view.options.is_empty() { String::new() } else { format!(" WITH ({})", view.options.join(", ")) };
    let data = match (materialized, view.populated) {
        (true, false) => " WITH NO DATA",
        _ => "",
    };
    let mut out =
        vec![format!("CREATE {keyword} {name}{options} AS {}{data}", definition(view.definition.trim_start()))];
    for column in &view.columns {
        let col = ident(&column.name);
        if let Some(default) = &column.default {
            out.push(format!("ALTER {keyword} {name} ALTER COLUMN {col} SET DEFAULT {default}"));
        }
        if column.comment.is_some() {
            out.push(restore::comment(&format!("COLUMN {name}.{col}"), column.comment.as_deref()));
        }
    }
    for index in &view.indexes {
        out.extend(index_statements(index, false)?);
    }
    let properties = Properties {
        keyword,
        name: name.to_string(),
        owner: &r.owner,
        comment: r.comment.as_deref(),
        grant_keyword: "TABLE",
        acl: &r.acl,
        default_acl: &r.default_acl,
        default_type: "r",
        schema: &r.schema,
    };
    out.extend(properties.statements(defaults)?);
    // After the view's own privileges: restoring those may start with `REVOKE ALL`, which takes column
    // privileges away too.
    let object = format!("TABLE {name}");
    for column in &view.columns {
        let target = AclTarget { object: &object, column: Some(&column.name), owner: &r.owner };
        out.extend(restore::acl_change(&target, &[], &column.acl)?);
    }
    Ok(out)
}

fn sequence(facts: &Facts, node: &NodeEnum, defaults: &[DefaultPrivilege]) -> Recreated {
    let name = list_name(node)?;
    let Some(seq) = facts.sequence(At::Before, &name, Lookup::SearchPath)? else { return Some(Ok(vec![])) };
    let r = &seq.relation;
    let name = ObjectName::qualified(&r.schema, &r.name);
    let unlogged = if r.persistence == "u" { "UNLOGGED " } else { "" };
    let cycle = if seq.cycle { "CYCLE" } else { "NO CYCLE" };
    let mut out = vec![format!(
        "CREATE {unlogged}SEQUENCE {name} AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {} {cycle}",
        seq.type_name, seq.increment, seq.min, seq.max, seq.start, seq.cache
    )];
    if let Some(value) = seq.last_value {
        out.push(format!("SELECT pg_catalog.setval({}, {value}, true)", literal(&name.to_string())));
    } else if let Some(next) = seq.next_value.filter(|next| *next != seq.start) {
        // Restarted and not used since: a new sequence would start at START instead.
        out.push(format!("SELECT pg_catalog.setval({}, {next}, false)", literal(&name.to_string())));
    }
    let properties = Properties {
        keyword: "SEQUENCE",
        name: name.to_string(),
        owner: &r.owner,
        comment: r.comment.as_deref(),
        grant_keyword: "SEQUENCE",
        acl: &r.acl,
        default_acl: &r.default_acl,
        default_type: "S",
        schema: &r.schema,
    };
    Some(properties.statements(defaults).map(|p| {
        out.extend(p);
        // OWNED BY needs the sequence to have the table's owner, which `p` gave it back.
        if let Some((table, column)) = &seq.owned_by {
            out.push(format!("ALTER SEQUENCE {name} OWNED BY {table}.{}", ident(column)));
        }
        out
    }))
}

fn routine(facts: &Facts, node: &NodeEnum, defaults: &[DefaultPrivilege]) -> Recreated {
    let NodeEnum::ObjectWithArgs(f) = node else { return None };
    let name = ObjectName::from_nodes(&f.objname)?;
    let Some(routine) = facts.routine(At::Before, &name, routine_args(f)?, Lookup::SearchPath)? else {
        return Some(Ok(vec![]));
    };
    Some(routine_statements(routine, defaults))
}

pub fn routine_signature(routine: &RoutineFacts) -> String {
    format!("{}({})", ObjectName::qualified(&routine.schema, &routine.name), routine.identity_arguments)
}

fn routine_statements(routine: &RoutineFacts, defaults: &[DefaultPrivilege]) -> Result<Vec<String>, String> {
    let signature = routine_signature(routine);
    if let Some(extension) = &routine.extension {
        return Err(format!("{signature} belongs to extension {}", ident(extension)));
    }
    let Some(definition) = &routine.definition else {
        return Err(format!("{signature} is an aggregate"));
    };
    let keyword = if routine.kind == "p" { "PROCEDURE" } else { "FUNCTION" };
    let mut out = vec![definition.trim_end().to_owned()];
    let properties = Properties {
        keyword,
        name: signature,
        owner: &routine.owner,
        comment: routine.comment.as_deref(),
        grant_keyword: keyword,
        acl: &routine.acl,
        default_acl: &routine.default_acl,
        default_type: "f",
        schema: &routine.schema,
    };
    out.extend(properties.statements(defaults)?);
    Ok(out)
}

fn enabled_state(what: &str, name: &str, table: &ObjectName, state: &str) -> Option<String> {
    let action = match state {
        "D" => "DISABLE",
        "A" => "ENABLE ALWAYS",
        "R" => "ENABLE REPLICA",
        _ => return None,
    };
    Some(format!("ALTER TABLE {table} {action} {what} {}", ident(name)))
}

fn trigger(facts: &Facts, node: &NodeEnum) -> Recreated {
    let (table, name) = on_table(node)?;
    let Some(trigger) = facts.trigger(At::Before, &table, &name)? else { return Some(Ok(vec![])) };
    Some(trigger_statements(trigger, &table))
}

pub fn trigger_statements(trigger: &TriggerFacts, table: &ObjectName) -> Result<Vec<String>, String> {
    if trigger.clones_differ {
        return Err(format!(
            "trigger {} is enabled differently on some partitions than on {table}",
            ident(&trigger.name)
        ));
    }
    let mut out = vec![definition(&trigger.definition)];
    out.extend(enabled_state("TRIGGER", &trigger.name, table, &trigger.enabled));
    if trigger.comment.is_some() {
        out.push(restore::comment(&format!("TRIGGER {} ON {table}", ident(&trigger.name)), trigger.comment.as_deref()));
    }
    Ok(out)
}

fn policy(facts: &Facts, node: &NodeEnum) -> Recreated {
    let (table, name) = on_table(node)?;
    let Some(policy) = facts.policy(At::Before, &table, &name)? else { return Some(Ok(vec![])) };
    Some(Ok(policy_statements(policy, &table)))
}

pub fn policy_statements(policy: &PolicyFacts, table: &ObjectName) -> Vec<String> {
    let command = match policy.command.as_str() {
        "r" => "SELECT",
        "a" => "INSERT",
        "w" => "UPDATE",
        "d" => "DELETE",
        _ => "ALL",
    };
    let roles: Vec<String> =
        policy.roles.iter().map(|r| if r.is_empty() { "PUBLIC".to_owned() } else { ident(r) }).collect();
    let mut create = format!(
        "CREATE POLICY {} ON {table} AS {} FOR {command} TO {}",
        ident(&policy.name),
        if policy.permissive { "PERMISSIVE" } else { "RESTRICTIVE" },
        roles.join(", ")
    );
    if let Some(using) = &policy.using {
        create.push_str(&format!(" USING ({using})"));
    }
    if let Some(check) = &policy.check {
        create.push_str(&format!(" WITH CHECK ({check})"));
    }
    let mut out = vec![create];
    if policy.comment.is_some() {
        out.push(restore::comment(&format!("POLICY {} ON {table}", ident(&policy.name)), policy.comment.as_deref()));
    }
    out
}

fn rule(facts: &Facts, node: &NodeEnum) -> Recreated {
    let (table, name) = on_table(node)?;
    let Some(rule) = facts.rule(At::Before, &table, &name)? else { return Some(Ok(vec![])) };
    Some(Ok(rule_statements(rule, &table)))
}

pub fn rule_statements(rule: &RuleFacts, table: &ObjectName) -> Vec<String> {
    let mut out = vec![definition(&rule.definition)];
    out.extend(enabled_state("RULE", &rule.name, table, &rule.enabled));
    if rule.comment.is_some() {
        out.push(restore::comment(&format!("RULE {} ON {table}", ident(&rule.name)), rule.comment.as_deref()));
    }
    out
}

fn type_(facts: &Facts, node: &NodeEnum, kind: ObjectType, defaults: &[DefaultPrivilege]) -> Recreated {
    let NodeEnum::TypeName(t) = node else { return None };
    let name = ObjectName::from_nodes(&t.names)?;
    let Some(found) = facts.type_(At::Before, &name, Lookup::SearchPath)? else { return Some(Ok(vec![])) };
    // DROP TYPE also drops a domain; DROP DOMAIN of anything else fails.
    if kind == ObjectType::ObjectDomain && found.kind != "d" {
        return Some(Ok(vec![]));
    }
    Some(type_statements(found, defaults))
}

fn type_statements(t: &TypeFacts, defaults: &[DefaultPrivilege]) -> Result<Vec<String>, String> {
    let name = ObjectName::qualified(&t.schema, &t.name);
    if t.implicit {
        return Err(format!("{name} is created by PostgreSQL along with another object"));
    }
    let collate = |c: &Option<String>| c.as_ref().map(|c| format!(" COLLATE {c}")).unwrap_or_default();
    let mut out = Vec::new();
    let keyword = match t.kind.as_str() {
        "e" => {
            let labels: Vec<String> = t.labels.iter().map(|l| literal(l)).collect();
            out.push(format!("CREATE TYPE {name} AS ENUM ({})", labels.join(", ")));
            "TYPE"
        }
        "c" => {
            let attributes: Vec<String> = t
                .attributes
                .iter()
                .map(|a| format!("{} {}{}", ident(&a.name), a.type_name, collate(&a.collation)))
                .collect();
            out.push(format!("CREATE TYPE {name} AS ({})", attributes.join(", ")));
            for a in t.attributes.iter().filter(|a| a.comment.is_some()) {
                out.push(restore::comment(&format!("COLUMN {name}.{}", ident(&a.name)), a.comment.as_deref()));
            }
            "TYPE"
        }
        "d" => {
            let d = t.domain.as_ref().ok_or("the domain was not described")?;
            let mut create = format!("CREATE DOMAIN {name} AS {}{}", d.base, collate(&d.collation));
            if let Some(default) = &d.default {
                create.push_str(&format!(" DEFAULT {default}"));
            }
            match (&d.not_null_constraint, d.not_null) {
                // PostgreSQL 17+ names the constraint; the name comes back with it.
                (Some(not_null), true) => create.push_str(&format!(" CONSTRAINT {} NOT NULL", ident(not_null))),
                (None, true) => create.push_str(" NOT NULL"),
                _ => {}
            }
            out.push(create);
            if let (Some(not_null), Some(_)) = (&d.not_null_constraint, &d.not_null_comment) {
                out.push(restore::comment(
                    &format!("CONSTRAINT {} ON DOMAIN {name}", ident(not_null)),
                    d.not_null_comment.as_deref(),
                ));
            }
            for c in &d.constraints {
                out.push(format!("ALTER DOMAIN {name} ADD CONSTRAINT {} {}", ident(&c.name), c.definition));
                if c.comment.is_some() {
                    out.push(restore::comment(
                        &format!("CONSTRAINT {} ON DOMAIN {name}", ident(&c.name)),
                        c.comment.as_deref(),
                    ));
                }
            }
            "DOMAIN"
        }
        "r" => {
            let r = t.range.as_ref().ok_or("the range type was not described")?;
            if r.canonical.is_some() {
                return Err(format!("range type {name} has a canonical function, which needs a shell type"));
            }
            let mut options = vec![format!("SUBTYPE = {}", r.subtype)];
            if let Some(opclass) = &r.opclass {
                options.push(format!("SUBTYPE_OPCLASS = {opclass}"));
            }
            if let Some(collation) = &r.collation {
                options.push(format!("COLLATION = {collation}"));
            }
            if let Some(diff) = &r.subtype_diff {
                options.push(format!("SUBTYPE_DIFF = {diff}"));
            }
            options.push(format!("MULTIRANGE_TYPE_NAME = {}", r.multirange));
            out.push(format!("CREATE TYPE {name} AS RANGE ({})", options.join(", ")));
            "TYPE"
        }
        other => return Err(format!("{name} is a type of kind {other}, which pg-rollback does not create again")),
    };
    let properties = Properties {
        keyword,
        name: name.to_string(),
        owner: &t.owner,
        comment: t.comment.as_deref(),
        grant_keyword: keyword,
        acl: &t.acl,
        default_acl: &t.default_acl,
        default_type: "T",
        schema: &t.schema,
    };
    out.extend(properties.statements(defaults)?);
    Ok(out)
}

fn schema(facts: &Facts, node: &NodeEnum, defaults: &[DefaultPrivilege]) -> Recreated {
    let NodeEnum::String(s) = node else { return None };
    let Some(schema) = facts.schema(At::Before, &s.sval)? else { return Some(Ok(vec![])) };
    let name = ident(&schema.name);
    if defaults.iter().any(|d| d.schema == schema.name) {
        return Some(Err(format!(
            "schema {name} has default privileges (ALTER DEFAULT PRIVILEGES IN SCHEMA), which dropping it removed"
        )));
    }
    let mut out = vec![format!("CREATE SCHEMA {name} AUTHORIZATION {}", ident(&schema.owner))];
    if schema.comment.is_some() {
        out.push(restore::comment(&format!("SCHEMA {name}"), schema.comment.as_deref()));
    }
    let defaults = restore::applicable_defaults(defaults, "n", "");
    let object = format!("SCHEMA {name}");
    let target = AclTarget { object: &object, column: None, owner: &schema.owner };
    Some(restore::recreated_acl(&target, &schema.default_acl, &schema.acl, &defaults).map(|acl| {
        out.extend(acl);
        out
    }))
}

fn extension(facts: &Facts, node: &NodeEnum) -> Recreated {
    let NodeEnum::String(s) = node else { return None };
    let Some(e) = facts.extension(At::Before, &s.sval)? else { return Some(Ok(vec![])) };
    let name = ident(&e.name);
    if e.has_config {
        return Some(Err(format!("extension {name} has configuration tables, whose rows dropping it lost")));
    }
    if e.members_privileges_changed {
        return Some(Err(format!("privileges on members of extension {name} were changed after it was installed")));
    }
    if !e.owned_by_current_user {
        return Some(Err(format!(
            "extension {name} is owned by {}, and creating it again makes the role running the rollback its owner",
            ident(&e.owner)
        )));
    }
    let mut out =
        vec![format!("CREATE EXTENSION {name} WITH SCHEMA {} VERSION {}", ident(&e.schema), literal(&e.version))];
    out.push(restore::comment(&format!("EXTENSION {name}"), e.comment.as_deref()));
    Some(Ok(out))
}

fn statistics(facts: &Facts, node: &NodeEnum) -> Recreated {
    let name = list_name(node)?;
    let Some(st) = facts.statistics(At::Before, &name, Lookup::SearchPath)? else { return Some(Ok(vec![])) };
    let name = ObjectName::qualified(&st.schema, &st.name);
    let mut out = vec![definition(&st.definition)];
    if let Some(target) = st.target {
        out.push(format!("ALTER STATISTICS {name} SET STATISTICS {target}"));
    }
    if st.comment.is_some() {
        out.push(restore::comment(&format!("STATISTICS {name}"), st.comment.as_deref()));
    }
    out.push(format!("ALTER STATISTICS {name} OWNER TO {}", ident(&st.owner)));
    Some(Ok(out))
}
