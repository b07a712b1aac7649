//! The catalog snapshot and its comparison on real PostgreSQL: each kind of change a wrong rollback can
//! leave behind is reported, naming the object; exact restores and noise (sequence values, statistics,
//! rows, dropped-column slots, internal and cloned triggers) are not. Also `verify_rollback`.
mod common;

use pg_rollback_db::{catalog_snapshot, compare_snapshots, verify_rollback, Timeouts, VerifyInput};

const ROLES: &str =
    "DO $$ BEGIN CREATE ROLE snapshot_reader; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE snapshot_owner; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;";

/// One kind of difference: on a database with `setup`, `change` must be reported as a difference whose
/// text contains `expect`.
struct Kind {
    name: &'static str,
    setup: &'static str,
    change: &'static str,
    expect: &'static str,
}

const T: &str = "CREATE TABLE t (a int, b varchar(10), c text);";

const KINDS: &[Kind] = &[
    Kind { name: "table missing", setup: T, change: "DROP TABLE t", expect: "table public.t: missing" },
    Kind { name: "table unexpected", setup: "", change: T, expect: "table public.t: unexpected" },
    Kind { name: "persistence", setup: T, change: "ALTER TABLE t SET UNLOGGED", expect: "table public.t: persistence p -> u" },
    Kind {
        name: "partition bound",
        setup: "CREATE TABLE p (a int) PARTITION BY RANGE (a); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);",
        change: "ALTER TABLE p DETACH PARTITION p1",
        expect: "table public.p1: partition bound FOR VALUES FROM (0) TO (10) -> (none)",
    },
    Kind {
        name: "partition key",
        setup: "CREATE TABLE p (a int, b int) PARTITION BY RANGE (a);",
        change: "DROP TABLE p; CREATE TABLE p (a int, b int) PARTITION BY RANGE (b);",
        expect: "table public.p: partition key RANGE (a) -> RANGE (b)",
    },
    Kind {
        name: "inheritance",
        setup: "CREATE TABLE parent (a int); CREATE TABLE child () INHERITS (parent);",
        change: "ALTER TABLE child NO INHERIT parent",
        expect: "table public.child: inherits [\"public.parent\"] -> (none)",
    },
    Kind { name: "row level security", setup: T, change: "ALTER TABLE t ENABLE ROW LEVEL SECURITY", expect: "table public.t: row security false -> true" },
    Kind { name: "forced row level security", setup: T, change: "ALTER TABLE t FORCE ROW LEVEL SECURITY", expect: "table public.t: forced row security false -> true" },
    Kind { name: "reloptions", setup: T, change: "ALTER TABLE t SET (fillfactor = 70)", expect: "table public.t: options (none) -> [\"fillfactor=70\"]" },
    Kind { name: "replica identity", setup: T, change: "ALTER TABLE t REPLICA IDENTITY FULL", expect: "table public.t: replica identity d -> f" },
    Kind {
        name: "replica identity index",
        setup: "CREATE TABLE t (a int NOT NULL); CREATE UNIQUE INDEX t_a ON t (a);",
        change: "ALTER TABLE t REPLICA IDENTITY USING INDEX t_a",
        expect: "index public.t_a: replica identity false -> true",
    },
    Kind {
        name: "column order",
        setup: T,
        change: "ALTER TABLE t DROP COLUMN b; ALTER TABLE t ADD COLUMN b varchar(10)",
        expect: "table column public.t.c: position 3 -> 2",
    },
    Kind { name: "column missing", setup: T, change: "ALTER TABLE t DROP COLUMN c", expect: "table column public.t.c: missing" },
    Kind { name: "column type and typmod", setup: T, change: "ALTER TABLE t ALTER b TYPE varchar(20)", expect: "table column public.t.b: type character varying(10) -> character varying(20)" },
    Kind { name: "column collation", setup: T, change: "ALTER TABLE t ALTER c TYPE text COLLATE \"POSIX\"", expect: "table column public.t.c: collation (none) -> \"POSIX\"" },
    Kind { name: "column default", setup: "CREATE TABLE t (a text DEFAULT 'guest');", change: "ALTER TABLE t ALTER a SET DEFAULT 'anon'", expect: "table column public.t.a: default 'guest'::text -> 'anon'::text" },
    Kind { name: "column not null", setup: T, change: "ALTER TABLE t ALTER a SET NOT NULL", expect: "table column public.t.a: not null false -> true" },
    Kind { name: "column identity", setup: "CREATE TABLE t (a int NOT NULL);", change: "ALTER TABLE t ALTER a ADD GENERATED ALWAYS AS IDENTITY", expect: "table column public.t.a: identity (none) -> a" },
    Kind {
        name: "generated column expression",
        setup: "CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 2) STORED);",
        change: "ALTER TABLE t ALTER g DROP EXPRESSION",
        expect: "table column public.t.g: default (a * 2) -> (none)",
    },
    Kind { name: "column statistics target", setup: T, change: "ALTER TABLE t ALTER a SET STATISTICS 500", expect: "table column public.t.a: statistics target" },
    Kind { name: "column storage", setup: T, change: "ALTER TABLE t ALTER c SET STORAGE EXTERNAL", expect: "table column public.t.c: storage (none) -> e" },
    Kind {
        name: "constraint definition",
        setup: "CREATE TABLE t (a int CONSTRAINT a_positive CHECK (a > 0));",
        change: "ALTER TABLE t DROP CONSTRAINT a_positive, ADD CONSTRAINT a_positive CHECK (a >= 0)",
        expect: "table constraint a_positive on public.t: definition CHECK ((a > 0)) -> CHECK ((a >= 0))",
    },
    Kind {
        name: "constraint deferrable",
        setup: "CREATE TABLE r (id int PRIMARY KEY); CREATE TABLE t (r int CONSTRAINT t_r_fk REFERENCES r);",
        change: "ALTER TABLE t ALTER CONSTRAINT t_r_fk DEFERRABLE INITIALLY DEFERRED",
        expect: "table constraint t_r_fk on public.t: deferrable false -> true",
    },
    Kind {
        name: "constraint validated",
        setup: "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0) NOT VALID;",
        change: "ALTER TABLE t VALIDATE CONSTRAINT a_positive",
        expect: "table constraint a_positive on public.t: validated false -> true",
    },
    Kind {
        name: "index missing",
        setup: "CREATE TABLE wishlist_items (a int); CREATE INDEX items_a_idx ON wishlist_items (a);",
        change: "DROP INDEX items_a_idx",
        expect: "index public.items_a_idx: missing",
    },
    Kind {
        name: "index definition",
        setup: "CREATE TABLE t (a int, b int); CREATE INDEX t_idx ON t (a);",
        change: "DROP INDEX t_idx; CREATE INDEX t_idx ON t (a) WHERE b > 0",
        expect: "index public.t_idx: definition CREATE INDEX t_idx ON public.t USING btree (a) -> CREATE INDEX t_idx ON public.t USING btree (a) WHERE (b > 0)",
    },
    Kind {
        name: "index validity",
        setup: "CREATE TABLE t (a int); CREATE INDEX t_idx ON t (a);",
        change: "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.t_idx'::regclass",
        expect: "index public.t_idx: valid true -> false",
    },
    Kind {
        name: "clustered index",
        setup: "CREATE TABLE t (a int); CREATE INDEX t_idx ON t (a);",
        change: "ALTER TABLE t CLUSTER ON t_idx",
        expect: "index public.t_idx: clustered false -> true",
    },
    Kind { name: "view definition", setup: "CREATE VIEW v AS SELECT 1 AS x;", change: "CREATE OR REPLACE VIEW v AS SELECT 2 AS x", expect: "view public.v: definition  SELECT 1 AS x; ->  SELECT 2 AS x;" },
    Kind { name: "view options", setup: "CREATE VIEW v AS SELECT 1 AS x;", change: "ALTER VIEW v SET (security_barrier = true)", expect: "view public.v: options (none) -> [\"security_barrier=true\"]" },
    Kind {
        name: "materialized view definition",
        setup: "CREATE MATERIALIZED VIEW m AS SELECT 1 AS x;",
        change: "DROP MATERIALIZED VIEW m; CREATE MATERIALIZED VIEW m AS SELECT 1 AS x WITH NO DATA",
        expect: "materialized view public.m: populated true -> false",
    },
    Kind { name: "sequence options", setup: "CREATE SEQUENCE s;", change: "ALTER SEQUENCE s INCREMENT BY 5 CACHE 10", expect: "sequence public.s: sequence {\"cache\":1," },
    Kind {
        name: "sequence owned by",
        setup: "CREATE TABLE t (a int); CREATE SEQUENCE s;",
        change: "ALTER SEQUENCE s OWNED BY t.a",
        expect: "sequence public.s: owned by (none) -> public.t.a",
    },
    Kind {
        name: "enum label order",
        setup: "CREATE TYPE mood AS ENUM ('sad', 'ok');",
        change: "ALTER TYPE mood ADD VALUE 'happy' BEFORE 'ok'",
        expect: "type public.mood: labels [\"sad\",\"ok\"] -> [\"sad\",\"happy\",\"ok\"]",
    },
    Kind {
        name: "composite type attribute",
        setup: "CREATE TYPE pair AS (a int);",
        change: "ALTER TYPE pair ADD ATTRIBUTE b text",
        expect: "composite type column public.pair.b: unexpected",
    },
    Kind { name: "domain default", setup: "CREATE DOMAIN d AS int DEFAULT 1;", change: "ALTER DOMAIN d SET DEFAULT 2", expect: "type public.d: default 1 -> 2" },
    Kind { name: "domain not null", setup: "CREATE DOMAIN d AS int;", change: "ALTER DOMAIN d SET NOT NULL", expect: "type public.d: not null false -> true" },
    Kind {
        name: "domain constraint",
        setup: "CREATE DOMAIN d AS int CONSTRAINT d_positive CHECK (VALUE > 0);",
        change: "ALTER DOMAIN d DROP CONSTRAINT d_positive",
        expect: "domain constraint d_positive on public.d: missing",
    },
    Kind { name: "range type", setup: "", change: "CREATE TYPE floatrange AS RANGE (subtype = float8)", expect: "type public.floatrange: unexpected" },
    Kind {
        name: "function body",
        setup: "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        change: "CREATE OR REPLACE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 2'",
        expect: "function public.f(integer): definition",
    },
    Kind {
        name: "function overload",
        setup: "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        change: "CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'SELECT 1'",
        expect: "function public.f(pg_catalog.text): unexpected",
    },
    Kind { name: "procedure", setup: "", change: "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1'", expect: "procedure public.p(): unexpected" },
    Kind {
        name: "trigger definition",
        setup: "CREATE TABLE t (a int); CREATE TRIGGER tg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();",
        change: "DROP TRIGGER tg ON t; CREATE TRIGGER tg BEFORE UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
        expect: "trigger tg on public.t: definition",
    },
    Kind {
        name: "trigger enabled state",
        setup: "CREATE TABLE t (a int); CREATE TRIGGER tg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();",
        change: "ALTER TABLE t DISABLE TRIGGER tg",
        expect: "trigger tg on public.t: enabled O -> D",
    },
    Kind {
        name: "policy",
        setup: "CREATE TABLE t (a int); CREATE POLICY p ON t USING (a > 0);",
        change: "ALTER POLICY p ON t USING (a > 1)",
        expect: "policy p on public.t: using (a > 0) -> (a > 1)",
    },
    Kind {
        name: "rule",
        setup: "CREATE TABLE t (a int); CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING;",
        change: "ALTER TABLE t DISABLE RULE r",
        expect: "rule r on public.t: enabled O -> D",
    },
    Kind { name: "extension", setup: "", change: "CREATE EXTENSION pg_trgm", expect: "extension pg_trgm: unexpected" },
    Kind {
        name: "extension schema",
        setup: "CREATE SCHEMA ext; CREATE EXTENSION pg_trgm;",
        change: "ALTER EXTENSION pg_trgm SET SCHEMA ext",
        expect: "extension pg_trgm: schema public -> ext",
    },
    Kind { name: "schema", setup: "", change: "CREATE SCHEMA app", expect: "schema app: unexpected" },
    Kind { name: "collation", setup: "", change: "CREATE COLLATION c_copy FROM \"C\"", expect: "collation public.c_copy: unexpected" },
    Kind {
        name: "statistics object",
        setup: "CREATE TABLE t (a int, b int); CREATE STATISTICS st ON a, b FROM t;",
        change: "ALTER STATISTICS st SET STATISTICS 50",
        expect: "statistics object public.st: statistics target",
    },
    Kind { name: "comment on a table", setup: T, change: "COMMENT ON TABLE t IS 'items'", expect: "table public.t: comment (none) -> items" },
    Kind { name: "comment on a column", setup: T, change: "COMMENT ON COLUMN t.a IS 'the a'", expect: "table column public.t.a: comment (none) -> the a" },
    Kind {
        name: "comment on an index",
        setup: "CREATE TABLE t (a int); CREATE INDEX t_idx ON t (a);",
        change: "COMMENT ON INDEX t_idx IS 'fast'",
        expect: "index public.t_idx: comment (none) -> fast",
    },
    Kind {
        name: "comment on a constraint",
        setup: "CREATE TABLE t (a int CONSTRAINT a_positive CHECK (a > 0));",
        change: "COMMENT ON CONSTRAINT a_positive ON t IS 'why'",
        expect: "table constraint a_positive on public.t: comment (none) -> why",
    },
    Kind { name: "comment on a type", setup: "CREATE TYPE mood AS ENUM ('sad');", change: "COMMENT ON TYPE mood IS 'feelings'", expect: "type public.mood: comment (none) -> feelings" },
    Kind { name: "comment on a schema", setup: "", change: "COMMENT ON SCHEMA public IS 'mine'", expect: "schema public: comment standard public schema -> mine" },
    Kind {
        name: "comment on a function",
        setup: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        change: "COMMENT ON FUNCTION f() IS 'one'",
        expect: "function public.f(): comment (none) -> one",
    },
    Kind {
        name: "comment on a trigger",
        setup: "CREATE TABLE t (a int); CREATE TRIGGER tg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();",
        change: "COMMENT ON TRIGGER tg ON t IS 'skip'",
        expect: "trigger tg on public.t: comment (none) -> skip",
    },
    Kind {
        name: "comment on a policy",
        setup: "CREATE TABLE t (a int); CREATE POLICY p ON t USING (true);",
        change: "COMMENT ON POLICY p ON t IS 'all'",
        expect: "policy p on public.t: comment (none) -> all",
    },
    Kind { name: "table privileges", setup: T, change: "GRANT SELECT ON t TO snapshot_reader", expect: "table public.t: privileges" },
    Kind { name: "column privileges", setup: T, change: "GRANT UPDATE (a) ON t TO snapshot_reader", expect: "table column public.t.a: privileges (none) -> [\"snapshot_reader UPDATE (granted by" },
    Kind { name: "schema privileges", setup: "", change: "REVOKE USAGE ON SCHEMA public FROM PUBLIC", expect: "schema public: privileges" },
    Kind {
        name: "function privileges",
        setup: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        change: "REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC",
        expect: "function public.f(): privileges",
    },
    Kind { name: "type privileges", setup: "CREATE TYPE mood AS ENUM ('sad');", change: "REVOKE USAGE ON TYPE mood FROM PUBLIC", expect: "type public.mood: privileges" },
    Kind { name: "sequence privileges", setup: "CREATE SEQUENCE s;", change: "GRANT USAGE ON SEQUENCE s TO snapshot_reader", expect: "sequence public.s: privileges" },
    Kind {
        name: "default privileges",
        setup: "",
        change: "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO snapshot_reader",
        expect: "default acl for role ",
    },
    Kind { name: "table owner", setup: T, change: "ALTER TABLE t OWNER TO snapshot_owner", expect: "table public.t: owner " },
    Kind { name: "schema owner", setup: "CREATE SCHEMA app;", change: "ALTER SCHEMA app OWNER TO snapshot_owner", expect: "schema app: owner " },
    Kind {
        name: "function owner",
        setup: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        change: "ALTER FUNCTION f() OWNER TO snapshot_owner",
        expect: "function public.f(): owner ",
    },
    Kind { name: "type owner", setup: "CREATE TYPE mood AS ENUM ('sad');", change: "ALTER TYPE mood OWNER TO snapshot_owner", expect: "type public.mood: owner " },
    Kind {
        name: "text search configuration",
        setup: "CREATE TEXT SEARCH CONFIGURATION ts (COPY = english);",
        change: "ALTER TEXT SEARCH CONFIGURATION ts DROP MAPPING FOR email",
        expect: "text search configuration public.ts: mappings",
    },
    Kind {
        name: "operator",
        setup: "",
        change: "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq)",
        expect: "operator public.===(integer,integer): unexpected",
    },
    Kind { name: "cast", setup: "CREATE TYPE mood AS ENUM ('sad');", change: "CREATE CAST (mood AS text) WITH INOUT", expect: "cast (public.mood AS pg_catalog.text): unexpected" },
    Kind {
        name: "quoted names",
        setup: "CREATE SCHEMA \"My App\"; CREATE TABLE \"My App\".\"Order\" (\"User Id\" int);",
        change: "ALTER TABLE \"My App\".\"Order\" ALTER \"User Id\" SET NOT NULL",
        expect: "table column \"My App\".\"Order\".\"User Id\": not null false -> true",
    },
];

/// Changes that must NOT be reported: noise, and exact restores.
const SAME_SCHEMA: &[(&str, &str, &str)] = &[
    ("sequence value", "CREATE SEQUENCE s;", "SELECT nextval('s'); SELECT setval('s', 42)"),
    ("statistics", "CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 100);", "ANALYZE t"),
    ("rows", "CREATE TABLE t (a int);", "INSERT INTO t VALUES (1), (2)"),
    ("dropped column slot", T, "ALTER TABLE t ADD COLUMN d int; ALTER TABLE t DROP COLUMN d"),
    (
        "internal triggers of a foreign key, restored",
        "CREATE TABLE r (id int PRIMARY KEY); CREATE TABLE t (r int CONSTRAINT t_r_fk REFERENCES r);",
        "ALTER TABLE t DROP CONSTRAINT t_r_fk; ALTER TABLE t ADD CONSTRAINT t_r_fk FOREIGN KEY (r) REFERENCES r",
    ),
    (
        "default restored",
        "CREATE TABLE t (a text DEFAULT 'guest');",
        "ALTER TABLE t ALTER a SET DEFAULT 'anon'; ALTER TABLE t ALTER a SET DEFAULT 'guest'",
    ),
    (
        "explicit privileges equal to the defaults",
        T,
        "GRANT SELECT ON t TO snapshot_reader; REVOKE SELECT ON t FROM snapshot_reader",
    ),
    (
        "index dropped and created again",
        "CREATE TABLE t (a int); CREATE INDEX t_idx ON t (a);",
        "DROP INDEX t_idx; CREATE INDEX t_idx ON t (a)",
    ),
    (
        "enum created again",
        "CREATE TYPE mood AS ENUM ('sad', 'ok'); COMMENT ON TYPE mood IS 'm';",
        "DROP TYPE mood; CREATE TYPE mood AS ENUM ('sad', 'ok'); COMMENT ON TYPE mood IS 'm'",
    ),
    (
        "Drizzle's bookkeeping",
        "",
        "CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)",
    ),
    (
        "extension members",
        "CREATE EXTENSION pg_trgm;",
        "DROP EXTENSION pg_trgm; CREATE EXTENSION pg_trgm",
    ),
];

fn difference_texts(setup: &str, change: &str) -> Result<Vec<String>, String> {
    let db = common::fresh("snapshot");
    if !setup.is_empty() {
        db.run(setup).map_err(|e| format!("setup failed: {e}"))?;
    }
    let runtime = runtime();
    let before = runtime.block_on(catalog_snapshot(db.url())).map_err(|e| format!("snapshot failed: {e}"))?;
    db.run(change).map_err(|e| format!("change failed: {e}"))?;
    let after = runtime.block_on(catalog_snapshot(db.url())).map_err(|e| format!("snapshot failed: {e}"))?;
    Ok(compare_snapshots(&before, &after).iter().map(ToString::to_string).collect())
}

fn roles() {
    common::fresh("roles").run(ROLES).expect("creating the test roles");
}

#[test]
fn every_kind_of_difference_is_reported_naming_the_object() {
    roles();
    let mut failures = Vec::new();
    for kind in KINDS {
        match difference_texts(kind.setup, kind.change) {
            Ok(texts) if texts.iter().any(|t| t.contains(kind.expect)) => {}
            Ok(texts) => {
                failures.push(format!("{}: no difference contains {:?}; got {texts:#?}", kind.name, kind.expect))
            }
            Err(e) => failures.push(format!("{}: {e}", kind.name)),
        }
    }
    assert!(failures.is_empty(), "{} of {} kinds failed:\n{}", failures.len(), KINDS.len(), failures.join("\n"));
}

#[test]
fn noise_and_exact_restores_are_not_differences() {
    roles();
    let mut failures = Vec::new();
    for (name, setup, change) in SAME_SCHEMA {
        match difference_texts(setup, change) {
            Ok(texts) if texts.is_empty() => {}
            Ok(texts) => failures.push(format!("{name}: reported {texts:#?}")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn triggers_cloned_onto_partitions_are_one_difference() {
    let texts = difference_texts(
        "CREATE TABLE p (a int) PARTITION BY RANGE (a); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);",
        "CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    )
    .unwrap();
    assert_eq!(texts, ["trigger tg on public.p: unexpected (it was not there before)"]);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn verify(
    db: &testpg::Database,
    sql: &str,
    rollback: Option<&str>,
) -> pg_rollback_db::Result<pg_rollback_db::VerifiedRollback> {
    let input = VerifyInput {
        sql: sql.into(),
        rollback_script: rollback.map(Into::into),
        timeouts: Timeouts { lock_timeout_ms: Some(5000), statement_timeout_ms: None },
    };
    runtime().block_on(verify_rollback(db.url(), &input))
}

/// The schema, to check that verify leaves it as it was: `pg_dump` where it is of the server's version,
/// else the catalog snapshot (the oracle on the other versions).
enum SchemaState {
    Dump(String),
    Catalog(pg_rollback_db::Snapshot),
}

fn schema_state(db: &testpg::Database) -> SchemaState {
    if testpg::server().has_pg_dump() {
        SchemaState::Dump(db.schema_dump().unwrap())
    } else {
        SchemaState::Catalog(runtime().block_on(catalog_snapshot(db.url())).unwrap())
    }
}

fn assert_unchanged(before: &SchemaState, db: &testpg::Database, what: &str) {
    match (before, schema_state(db)) {
        (SchemaState::Dump(a), SchemaState::Dump(b)) => assert_eq!(a, &b, "{what}"),
        (SchemaState::Catalog(a), SchemaState::Catalog(b)) => {
            let texts: Vec<String> = compare_snapshots(a, &b).iter().map(ToString::to_string).collect();
            assert!(texts.is_empty(), "{what}: {texts:#?}");
        }
        _ => unreachable!("one server, one kind of oracle"),
    }
}

const WISHLIST: &str = "CREATE TABLE wishlist_items (id int PRIMARY KEY, notes text DEFAULT 'none');";

#[test]
fn verify_rollback_proves_a_generated_rollback_and_changes_nothing() {
    let db = common::fresh("verify");
    db.run(WISHLIST).unwrap();
    let before = schema_state(&db);
    let migration = "ALTER TABLE wishlist_items ALTER notes SET DEFAULT 'empty'; CREATE INDEX items_notes ON wishlist_items (notes);";
    let v = verify(&db, migration, None).unwrap();
    assert!(v.restored, "{v:#?}");
    assert!(v.rollback_safe, "{v:#?}");
    assert!(v.differences.is_empty());
    let script = v.rollback_script.unwrap();
    assert!(script.contains("DEFAULT 'none'"), "{script}");
    assert_unchanged(&before, &db, "verifyRollback changed the database");
}

#[test]
fn verify_rollback_reports_what_a_wrong_hand_written_rollback_leaves() {
    let db = common::fresh("verify");
    db.run(WISHLIST).unwrap();
    let before = schema_state(&db);
    let migration = "ALTER TABLE wishlist_items ALTER notes SET DEFAULT 'empty'; CREATE INDEX items_notes ON wishlist_items (notes);";
    let v =
        verify(&db, migration, Some("DROP INDEX items_notes; ALTER TABLE wishlist_items ALTER notes DROP DEFAULT;"))
            .unwrap();
    assert!(!v.restored);
    let texts: Vec<String> = v.differences.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["table column public.wishlist_items.notes: default 'none'::text -> (none)"]);
    // A right one restores.
    let v = verify(
        &db,
        migration,
        Some("DROP INDEX items_notes; ALTER TABLE wishlist_items ALTER notes SET DEFAULT 'none';"),
    )
    .unwrap();
    assert!(v.restored, "{v:#?}");
    assert_unchanged(&before, &db, "verifyRollback changed the database");
}

#[test]
fn verify_rollback_reports_a_failing_rollback_with_what_the_migration_left() {
    let db = common::fresh("verify");
    db.run(WISHLIST).unwrap();
    let v =
        verify(&db, "CREATE INDEX items_notes ON wishlist_items (notes)", Some("DROP INDEX no_such_index")).unwrap();
    assert!(!v.restored);
    let failure = v.rollback_failure.unwrap();
    assert!(failure.contains("statement 1 of 1: DROP INDEX no_such_index") && failure.contains("42704"), "{failure}");
    let texts: Vec<String> = v.differences.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["index public.items_notes: unexpected (it was not there before)"]);
}

#[test]
fn verify_rollback_refuses_what_cannot_run_in_a_transaction_and_names_failing_statements() {
    let db = common::fresh("verify");
    db.run(WISHLIST).unwrap();
    let before = schema_state(&db);
    let e = verify(&db, "CREATE INDEX CONCURRENTLY items_notes ON wishlist_items (notes)", None).unwrap_err();
    assert_eq!(e.code(), "NOT_TRANSACTIONAL", "{e}");
    assert!(e.to_string().contains("statement 1 (line 1, column 1)"), "{e}");
    let e = verify(&db, "CREATE INDEX i ON wishlist_items (notes)", Some("DROP INDEX CONCURRENTLY i")).unwrap_err();
    assert_eq!(e.code(), "NOT_TRANSACTIONAL", "{e}");
    let e = verify(&db, "ALTER TABLE wishlist_items ADD COLUMN x int;\nALTER TABLE nope ADD COLUMN y int;", None)
        .unwrap_err();
    assert_eq!(e.code(), "MIGRATION_FAILED", "{e}");
    assert!(e.to_string().contains("statement 2 of 2 (line 2, column 1)") && e.to_string().contains("42P01"), "{e}");
    let e = verify(&db, "ALTER TABLE wishlist_items ADD COLUMN x int", Some("DROP COLUM x")).unwrap_err();
    assert_eq!(e.code(), "INVALID_ARGUMENT", "{e}");
    let e = verify(&db, "CREATE TABL x ()", None).unwrap_err();
    assert_eq!(e.code(), "PARSE_ERROR", "{e}");
    assert_unchanged(&before, &db, "a refused verification changed the database");
}
