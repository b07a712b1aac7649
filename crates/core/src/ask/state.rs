//! What the core needs to know from the database (questions) and what it is told (answers), as plain data.
//! The core never talks to a database: the database layer answers these questions inside the migration's
//! own transaction, right before a statement runs (its previous state) or right after (names PostgreSQL
//! chose, where objects landed). Definitions come from PostgreSQL's own deparsers, read with an empty
//! `search_path` so that every name in them is schema-qualified.
use crate::parse::name::ObjectName;
use serde::{Deserialize, Serialize};

/// When a question is answered relative to the statement it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum At {
    Before,
    After,
}

/// How a name is looked up.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Lookup {
    /// As PostgreSQL resolves a name that refers to an existing object (`pg_catalog`, then `search_path`).
    SearchPath,
    /// Where an unqualified `CREATE` puts a new object: the first existing schema of `search_path`.
    Creation,
    /// In the schema of another relation, as resolved through `search_path` (an index lives beside its table).
    Beside(ObjectName),
}

/// An object as PostgreSQL's `pg_get_object_address(type, names, args)` takes it: any object kind that
/// `COMMENT ON` or `DROP` can name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ObjectAddress {
    /// e.g. `table`, `column`, `index`, `function`, `table constraint`, `domain constraint`, `trigger`, `type`.
    pub kind: String,
    pub names: Vec<String>,
    /// `None`: a routine named without its argument list (`DROP FUNCTION f`), found by name alone.
    pub args: Option<Vec<String>>,
}

/// What kind of object [`Question::Locate`] looks for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// Any relation (table, view, sequence, index, ...).
    Relation,
    Index,
    Type,
    /// A function or procedure, by its input argument types as written (`None`: the name alone).
    Routine(Option<Vec<String>>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Question {
    /// Whether an object exists where a lookup finds it, and which one (cheap: no description).
    Locate {
        kind: ObjectKind,
        name: ObjectName,
        lookup: Lookup,
    },
    /// A setting's current value (`current_setting(name)`), e.g. `search_path`.
    Setting {
        name: String,
    },
    Relation {
        name: ObjectName,
        lookup: Lookup,
    },
    /// One column (looked up through `search_path`), with the same column in every descendant table.
    Column {
        relation: ObjectName,
        column: String,
    },
    Constraint {
        relation: ObjectName,
        name: String,
    },
    /// Every constraint of a relation and of its partitions/children.
    Constraints {
        relation: ObjectName,
    },
    Index {
        name: ObjectName,
        lookup: Lookup,
    },
    /// Every index of a relation and of its partitions/children.
    Indexes {
        relation: ObjectName,
    },
    Trigger {
        relation: ObjectName,
        name: String,
    },
    Policy {
        relation: ObjectName,
        name: String,
    },
    Rule {
        relation: ObjectName,
        name: String,
    },
    Statistics {
        name: ObjectName,
        lookup: Lookup,
    },
    /// Every extended statistics object on a relation.
    StatisticsOf {
        relation: ObjectName,
    },
    Sequence {
        name: ObjectName,
        lookup: Lookup,
    },
    /// A view or materialized view, with what dropping it takes along.
    View {
        name: ObjectName,
        lookup: Lookup,
    },
    Type {
        name: ObjectName,
        lookup: Lookup,
    },
    /// `args`: argument types as written (input arguments only); `None` when the statement gave none.
    Routine {
        name: ObjectName,
        args: Option<Vec<String>>,
        lookup: Lookup,
    },
    Schema {
        name: String,
    },
    Extension {
        name: String,
    },
    /// Whether any object exists at that address, and its comment.
    Object {
        address: ObjectAddress,
    },
    /// Objects that `DROP ... CASCADE` of the object would also drop.
    Dependents {
        address: ObjectAddress,
    },
    /// Default privileges (`ALTER DEFAULT PRIVILEGES`) of every role and schema.
    DefaultPrivileges,
    /// What `DROP ... CASCADE` of the object would also drop: views and materialized views apart.
    DropCascade {
        address: ObjectAddress,
    },
    /// The names of the installed extensions.
    Extensions,
    /// Event triggers that are not disabled: they may react to the migration and to its rollback.
    EventTriggers,
    /// The objects `GRANT/REVOKE ... ON ALL {kind} IN SCHEMA` reaches, with their ACLs; `kind`: `tables`,
    /// `sequences`, `functions`, `procedures` or `routines`.
    SchemaMembers {
        schema: String,
        kind: String,
    },
    /// The default privileges of one role (`None`: the current user) in one schema (`None`: everywhere) for
    /// one `defaclobjtype` (r, S, f, T, n, L), as in effect (the built-in default when there is no entry).
    DefaultAcl {
        role: Option<String>,
        schema: Option<String>,
        object_type: String,
    },
}

/// What the database said. Each question has one answer variant; `Absent` forms are `None`.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Locate(Option<Location>),
    Setting(Option<String>),
    Relation(Option<RelationFacts>),
    Column(Option<ColumnFacts>),
    Constraint(Option<ConstraintFacts>),
    Constraints(Vec<ConstraintSummary>),
    Index(Option<IndexFacts>),
    Indexes(Vec<IndexSummary>),
    Trigger(Option<TriggerFacts>),
    Policy(Option<PolicyFacts>),
    Rule(Option<RuleFacts>),
    Statistics(Option<StatisticsFacts>),
    StatisticsOf(Vec<ObjectName>),
    Sequence(Option<SequenceFacts>),
    View(Option<ViewFacts>),
    Type(Option<TypeFacts>),
    Routine(Option<RoutineFacts>),
    Schema(Option<SchemaFacts>),
    Extension(Option<ExtensionFacts>),
    Object(Option<ObjectFacts>),
    Dependents(Vec<String>),
    DefaultPrivileges(Vec<DefaultPrivilege>),
    DropCascade(CascadeFacts),
    Extensions(Vec<String>),
    EventTriggers(Vec<EventTriggerFacts>),
    SchemaMembers(Vec<AclObject>),
    DefaultAcl(Option<DefaultAclFacts>),
}

/// An object with its privileges, named as GRANT names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclObject {
    pub oid: u32,
    /// e.g. `TABLE s.t`, `SEQUENCE s.q`, `FUNCTION s.f(integer)`, `PROCEDURE s.p()`.
    pub target: String,
    pub owner: String,
    /// The effective ACL (the default one when it is NULL).
    pub acl: Vec<Privilege>,
    /// Columns with privileges of their own.
    pub columns: Vec<ColumnAcl>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnAcl {
    pub name: String,
    pub acl: Vec<Privilege>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultAclFacts {
    /// The role, resolved.
    pub role: String,
    pub acl: Vec<Privilege>,
}

/// Where an object is: its OID (to tell two lookups' results apart) and schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub oid: u32,
    pub schema: String,
}

/// One entry of an ACL, as `aclexplode` gives it. An empty `grantee` is `PUBLIC`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Privilege {
    pub grantee: String,
    pub grantor: String,
    pub privilege: String,
    pub grantable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationFacts {
    pub oid: u32,
    pub schema: String,
    pub name: String,
    /// `pg_class.relkind`: r, p, v, m, S, f, c, i, I, t.
    pub kind: String,
    /// `pg_class.relpersistence`: p, u, t.
    pub persistence: String,
    pub owner: String,
    /// The effective ACL (the default one when `relacl` is NULL).
    pub acl: Vec<Privilege>,
    /// What a new relation of this owner starts with.
    pub default_acl: Vec<Privilege>,
    pub comment: Option<String>,
    /// `reloptions`, e.g. `fillfactor=70`.
    pub options: Vec<String>,
    pub row_security: bool,
    pub force_row_security: bool,
    /// Inheritance children or partitions exist.
    pub has_children: bool,
    pub is_partition: bool,
    /// `pg_class.relreplident` (d, n, f, i) and, for `i`, the index.
    pub replica_identity: String,
    pub replica_identity_index: Option<String>,
    /// The index marked for CLUSTER.
    pub clustered_index: Option<String>,
    /// A partition's bound, e.g. `FOR VALUES FROM (0) TO (10)`, and its partitioned table.
    pub partition_bound: Option<String>,
    pub partition_of: Option<ObjectName>,
    /// Clones of the parent's triggers on this partition and its partitions, whose enabled state differs from
    /// the parent's trigger they come from (DETACH drops them, ATTACH clones them again in that state).
    #[serde(default)]
    pub cloned_trigger_states: Vec<ClonedTriggerState>,
    /// Indexes of the partitioned table this is a partition of that no valid index of this one is attached
    /// to (`ON ONLY` indexes), or whose attached index has a twin on the same columns: ATTACH would create or
    /// pick another one.
    #[serde(default)]
    pub parent_indexes_without_partition: Vec<String>,
    /// Columns with privileges of their own (`attacl`), which a table-wide REVOKE also takes away.
    pub columns_with_privileges: Vec<String>,
    /// Roles named (as grantee or grantor) in the ACLs of its columns and of the sequences it owns: a change
    /// of owner rewrites those ACLs too.
    pub related_acl_roles: Vec<String>,
    /// Sequences it owns (serial and identity columns): `SET LOGGED`/`UNLOGGED` changes them too.
    pub owned_sequences: Vec<OwnedSequence>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedSequence {
    pub schema: String,
    pub name: String,
    /// `relpersistence`: p or u.
    pub persistence: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClonedTriggerState {
    pub relation: ObjectName,
    pub name: String,
    /// `tgenabled`: O, D, R, A.
    pub enabled: String,
    /// A foreign key's trigger, named after its OID: re-created under another name.
    #[serde(default)]
    pub internal: bool,
    /// Its name is not that of the parent's trigger it copies (PostgreSQL 14 renames copies one by one):
    /// ATTACH names the new copy after the parent's.
    #[serde(default)]
    pub renamed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnFacts {
    pub relation: ObjectName,
    pub type_name: String,
    pub not_null: bool,
    /// The name of its NOT NULL constraint, on PostgreSQL 18 and later (they are catalogued there).
    pub not_null_constraint: Option<String>,
    /// False for a `NOT NULL ... NOT VALID` constraint (PostgreSQL 18 and later): rows may still hold NULLs.
    #[serde(default = "validated")]
    pub not_null_validated: bool,
    /// The comment on that constraint (PostgreSQL 18 and later).
    #[serde(default)]
    pub not_null_comment: Option<String>,
    pub default: Option<String>,
    /// `attidentity`: "", "a" (ALWAYS) or "d" (BY DEFAULT).
    pub identity: String,
    /// `attgenerated`: "" or "s" (stored) / "v" (virtual).
    pub generated: String,
    pub comment: Option<String>,
    /// Column privileges (`attacl`); empty when there are none.
    pub acl: Vec<Privilege>,
    pub is_local: bool,
    pub inherit_count: i32,
    /// The same column in every inheritance descendant or partition.
    pub descendants: Vec<DescendantColumn>,
    #[serde(flatten)]
    pub settings: ColumnSettings,
    /// The sequence of an identity column.
    #[serde(default)]
    pub identity_sequence: Option<ObjectName>,
}

/// What `ALTER COLUMN ... SET STATISTICS / STORAGE / COMPRESSION / (options)` change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSettings {
    /// `attstattarget`; `None` for the default.
    #[serde(default)]
    pub statistics: Option<i32>,
    /// `attstorage`: p, e, m, x.
    #[serde(default)]
    pub storage: String,
    /// `attcompression`: "" (default), p (pglz), l (lz4).
    #[serde(default)]
    pub compression: String,
    /// `attoptions`, e.g. `n_distinct=5`.
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescendantColumn {
    pub relation: ObjectName,
    pub not_null: bool,
    pub default: Option<String>,
    pub is_local: bool,
    pub inherit_count: i32,
    #[serde(flatten)]
    pub settings: ColumnSettings,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintFacts {
    pub oid: u32,
    pub name: String,
    /// `pg_constraint.contype`: c, f, p, u, x, t, n.
    pub kind: String,
    /// `pg_get_constraintdef`: includes NOT VALID, DEFERRABLE, ON DELETE ...
    pub definition: String,
    pub validated: bool,
    pub comment: Option<String>,
    /// The index of a primary key, unique or exclusion constraint.
    pub index: Option<IndexFacts>,
    pub is_local: bool,
    pub inherit_count: i32,
    /// A clone of a partitioned table's constraint.
    pub has_parent: bool,
    /// Constraints on partitions or children, at any depth, that are clones or inherited copies of this one.
    pub children: Vec<u32>,
    /// Foreign keys (on any table) that depend on this constraint's index.
    pub referenced_by: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintSummary {
    pub oid: u32,
    pub relation: ObjectName,
    pub name: String,
    pub kind: String,
    /// On a partition or child of the relation asked about, not on it.
    pub inherited: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexFacts {
    pub oid: u32,
    pub schema: String,
    pub name: String,
    pub table: ObjectName,
    /// `pg_get_indexdef`: the whole `CREATE INDEX` statement.
    pub definition: String,
    pub valid: bool,
    /// The constraint this index implements, if any.
    pub constraint: Option<String>,
    /// `I`: the index of a partitioned table.
    pub kind: String,
    /// This index is a partition of another index.
    pub has_parent: bool,
    /// Indexes of partitions attached to this one, at any depth.
    pub partitions: Vec<u32>,
    pub clustered: bool,
    pub replica_identity: bool,
    pub comment: Option<String>,
    /// Storage parameters (`reloptions`), e.g. `fillfactor=80`.
    pub options: Vec<String>,
    /// A tablespace other than the database's default.
    pub tablespace: Option<String>,
    /// Per-column statistics targets set with `ALTER INDEX ... ALTER COLUMN n SET STATISTICS`.
    pub statistics: Vec<(i32, i32)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexSummary {
    pub oid: u32,
    pub schema: String,
    pub name: String,
    pub table: ObjectName,
    /// On a partition or child of the relation asked about, not on it.
    pub inherited: bool,
    /// The constraint it implements, if any.
    pub constraint: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerFacts {
    pub name: String,
    /// `pg_get_triggerdef`.
    pub definition: String,
    /// `tgenabled`: O (origin), D (disabled), R (replica), A (always).
    pub enabled: String,
    pub comment: Option<String>,
    /// A clone on a partition of a partitioned table's trigger.
    pub has_parent: bool,
    /// The enabled state of its clones on partitions at any depth differs from its own.
    pub clones_differ: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFacts {
    pub name: String,
    pub permissive: bool,
    /// `polcmd`: r, a, w, d or *.
    pub command: String,
    /// Role names; an empty string is `PUBLIC`.
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub check: Option<String>,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFacts {
    pub name: String,
    /// `pg_get_ruledef`.
    pub definition: String,
    /// `ev_enabled`: O, D, R, A.
    pub enabled: String,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatisticsFacts {
    pub schema: String,
    pub name: String,
    pub definition: String,
    /// `stxstattarget`; `None` for the default.
    pub target: Option<i32>,
    pub owner: String,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceFacts {
    pub relation: RelationFacts,
    pub type_name: String,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
    /// `None` until `nextval` was first called (or after `setval(..., false)`).
    pub last_value: Option<i64>,
    /// What `nextval` returns next when `last_value` is `None` (`RESTART WITH n` or `setval(s, n, false)` set it).
    #[serde(default)]
    pub next_value: Option<i64>,
    /// `OWNED BY` column, when it is not an identity column's sequence.
    pub owned_by: Option<(ObjectName, String)>,
    /// The sequence of an identity column (it cannot be dropped on its own).
    pub identity: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewFacts {
    pub relation: RelationFacts,
    /// `pg_get_viewdef`: the query, as PostgreSQL stored it.
    pub definition: String,
    /// `reloptions`, e.g. `security_barrier=true`, `check_option=local`.
    pub options: Vec<String>,
    /// A materialized view holding data.
    pub populated: bool,
    pub columns: Vec<ViewColumn>,
    /// Indexes (materialized views).
    pub indexes: Vec<IndexFacts>,
    /// What the view has that pg-rollback does not rebuild (triggers, rules, statistics), described.
    pub unsupported: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewColumn {
    pub name: String,
    pub default: Option<String>,
    pub comment: Option<String>,
    pub acl: Vec<Privilege>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeFacts {
    pub oid: u32,
    pub schema: String,
    pub name: String,
    /// `pg_type.typtype`: e (enum), c (composite), d (domain), r (range), m (multirange), b (base), p (pseudo).
    pub kind: String,
    pub owner: String,
    pub acl: Vec<Privilege>,
    pub default_acl: Vec<Privilege>,
    pub comment: Option<String>,
    pub labels: Vec<String>,
    pub attributes: Vec<TypeAttribute>,
    pub domain: Option<DomainFacts>,
    pub range: Option<RangeFacts>,
    /// An array or multirange type, or a table's row type: not created on its own.
    pub implicit: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeAttribute {
    pub name: String,
    pub type_name: String,
    pub collation: Option<String>,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainFacts {
    pub base: String,
    pub collation: Option<String>,
    pub default: Option<String>,
    pub not_null: bool,
    /// The name and comment of its NOT NULL constraint, on PostgreSQL 17 and later (catalogued there).
    #[serde(default)]
    pub not_null_constraint: Option<String>,
    #[serde(default)]
    pub not_null_comment: Option<String>,
    pub constraints: Vec<DomainConstraint>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainConstraint {
    pub name: String,
    pub definition: String,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeFacts {
    pub subtype: String,
    pub opclass: Option<String>,
    pub collation: Option<String>,
    pub canonical: Option<String>,
    pub subtype_diff: Option<String>,
    pub multirange: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutineFacts {
    pub oid: u32,
    pub schema: String,
    pub name: String,
    /// `prokind`: f, p, a (aggregate), w (window).
    pub kind: String,
    /// `pg_get_function_identity_arguments`.
    pub identity_arguments: String,
    /// `pg_get_function_arguments`: names, modes, types and defaults.
    pub arguments: String,
    /// `pg_get_functiondef` (`None` for aggregates).
    pub definition: Option<String>,
    pub owner: String,
    pub acl: Vec<Privilege>,
    pub default_acl: Vec<Privilege>,
    pub comment: Option<String>,
    /// Owned by an extension.
    pub extension: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaFacts {
    pub name: String,
    pub owner: String,
    pub acl: Vec<Privilege>,
    pub default_acl: Vec<Privilege>,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionFacts {
    pub name: String,
    pub schema: String,
    pub version: String,
    pub owner: String,
    pub comment: Option<String>,
    /// It has configuration tables (`extconfig`), whose rows dropping it lost.
    pub has_config: bool,
    /// Privileges on its member objects differ from those it installed them with (`pg_init_privs`).
    pub members_privileges_changed: bool,
    /// Owned by the role running the migration: `CREATE EXTENSION` makes the runner the owner.
    pub owned_by_current_user: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectFacts {
    /// `pg_identify_object(...).identity`.
    pub identity: String,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DefaultPrivilege {
    pub role: String,
    /// Empty for defaults that apply in every schema.
    pub schema: String,
    /// `defaclobjtype`: r, S, f, T, n.
    pub object_type: String,
    pub privilege: Privilege,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTriggerFacts {
    pub name: String,
    /// `ddl_command_start`, `ddl_command_end`, `sql_drop` or `table_rewrite`.
    pub event: String,
    /// `evtenabled`: O, R or A (disabled ones are not listed).
    pub enabled: String,
    /// The command tags it is limited to (`WHEN TAG IN (...)`); empty: every command.
    pub tags: Vec<String>,
}

/// What dropping an object with CASCADE takes along.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CascadeFacts {
    /// Views and materialized views, each with the length of its longest dependency chain to the object:
    /// creating them again by increasing depth creates every one after what it depends on.
    pub relations: Vec<CascadeRelation>,
    /// Everything else, e.g. a table's column default, a trigger, a function whose body uses the object.
    pub others: Vec<CascadeObject>,
    /// The object itself (`pg_depend`'s class and object id), to tell which dependents are dropped with it anyway.
    pub target: (u32, u32),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CascadeObject {
    /// `pg_describe_object`.
    pub description: String,
    pub class: u32,
    pub oid: u32,
    /// A column's number, 0 for a whole object.
    pub sub: i32,
    pub depth: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CascadeRelation {
    pub schema: String,
    pub name: String,
    pub depth: u32,
}

/// A question and what became of it: the answer, or why the database layer could not answer.
pub type Reply = Result<Answer, String>;

fn validated() -> bool {
    true
}
