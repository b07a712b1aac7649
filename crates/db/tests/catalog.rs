//! The catalog queries answer every kind of question on a real PostgreSQL, with definitions read with an
//! empty search_path (schema-qualified), and "absent" for objects that do not exist.
use pg_rollback_core::state::*;
use pg_rollback_core::ObjectName;
use pg_rollback_db::describe;

const SETUP: &str = r#"
CREATE SCHEMA app;
CREATE ROLE catalog_reader;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.pos AS int DEFAULT 1 NOT NULL CONSTRAINT pos_check CHECK (VALUE > 0);
CREATE TYPE app.pair AS (a int, b text COLLATE "C");
CREATE TABLE app.users (id int PRIMARY KEY, email text UNIQUE, mood app.mood DEFAULT 'ok', n app.pos);
COMMENT ON TABLE app.users IS 'people';
COMMENT ON COLUMN app.users.email IS 'how to reach them';
GRANT SELECT ON app.users TO catalog_reader;
GRANT UPDATE (email) ON app.users TO catalog_reader;
CREATE TABLE app.orders (id serial, user_id int CONSTRAINT orders_user_fk REFERENCES app.users ON DELETE CASCADE DEFERRABLE,
  total numeric);
ALTER TABLE app.orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
CREATE TABLE app.orders_2026 () INHERITS (app.orders);
CREATE INDEX orders_total_idx ON app.orders (total) WHERE total > 0;
COMMENT ON INDEX app.orders_total_idx IS 'big ones';
CREATE VIEW app.big_orders WITH (security_barrier) AS SELECT id, total FROM app.orders WHERE total > 100;
CREATE MATERIALIZED VIEW app.totals AS SELECT user_id, sum(total) AS s FROM app.orders GROUP BY user_id WITH NO DATA;
CREATE UNIQUE INDEX totals_user ON app.totals (user_id);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.orders DISABLE TRIGGER orders_touch;
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON app.orders FOR SELECT TO catalog_reader, PUBLIC USING (user_id > 0);
CREATE RULE no_delete AS ON DELETE TO app.orders DO INSTEAD NOTHING;
CREATE STATISTICS app.orders_stats ON id, user_id FROM app.orders;
CREATE SEQUENCE app.counter AS smallint INCREMENT 5 MINVALUE 10 MAXVALUE 1000 START 20 CACHE 2 CYCLE OWNED BY app.users.n;
SELECT nextval('app.counter'), nextval('app.counter');
CREATE FUNCTION app.add(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
COMMENT ON FUNCTION app.add(int, int) IS 'sums';
"#;

fn name(schema: &str, name: &str) -> ObjectName {
    ObjectName::qualified(schema, name)
}

#[tokio::test]
async fn every_question_is_answered() {
    let db = testpg::server().fresh_database("catalog");
    db.run(SETUP).unwrap();
    let orders = name("app", "orders");
    let questions = vec![
        Question::Setting { name: "search_path".into() },
        Question::Relation { name: name("app", "users"), lookup: Lookup::SearchPath },
        Question::Relation { name: ObjectName::unqualified("nope"), lookup: Lookup::Creation },
        Question::Column { relation: name("app", "users"), column: "mood".into() },
        Question::Column { relation: orders.clone(), column: "total".into() },
        Question::Column { relation: name("app", "users"), column: "email".into() },
        Question::Constraint { relation: orders.clone(), name: "orders_user_fk".into() },
        Question::Constraint { relation: name("app", "users"), name: "users_pkey".into() },
        Question::Constraints { relation: orders.clone() },
        Question::Index { name: ObjectName::unqualified("orders_total_idx"), lookup: Lookup::Beside(orders.clone()) },
        Question::Indexes { relation: orders.clone() },
        Question::Trigger { relation: orders.clone(), name: "orders_touch".into() },
        Question::Policy { relation: orders.clone(), name: "own".into() },
        Question::Rule { relation: orders.clone(), name: "no_delete".into() },
        Question::Statistics { name: name("app", "orders_stats"), lookup: Lookup::SearchPath },
        Question::StatisticsOf { relation: orders.clone() },
        Question::Sequence { name: name("app", "counter"), lookup: Lookup::SearchPath },
        Question::View { name: name("app", "big_orders"), lookup: Lookup::SearchPath },
        Question::View { name: name("app", "totals"), lookup: Lookup::SearchPath },
        Question::Type { name: name("app", "mood"), lookup: Lookup::SearchPath },
        Question::Type { name: name("app", "pos"), lookup: Lookup::Creation },
        Question::Type { name: name("app", "pair"), lookup: Lookup::SearchPath },
        Question::Routine {
            name: name("app", "add"),
            args: Some(vec!["int".into(), "int".into()]),
            lookup: Lookup::SearchPath,
        },
        Question::Routine { name: name("app", "add"), args: None, lookup: Lookup::SearchPath },
        Question::Schema { name: "app".into() },
        Question::Extension { name: "plpgsql".into() },
        Question::Object {
            address: ObjectAddress {
                kind: "index".into(),
                names: vec!["app".into(), "orders_total_idx".into()],
                args: Some(vec![]),
            },
        },
        Question::Object {
            address: ObjectAddress {
                kind: "table".into(),
                names: vec!["app".into(), "nope".into()],
                args: Some(vec![]),
            },
        },
        Question::Dependents {
            address: ObjectAddress { kind: "type".into(), names: vec!["app.mood".into()], args: Some(vec![]) },
        },
        Question::DefaultPrivileges,
        Question::EventTriggers,
    ];
    let replies = describe(db.url(), &questions).await.unwrap();
    let answer = |i: usize| match &replies[i].1 {
        Ok(answer) => answer.clone(),
        Err(e) => panic!("{:?}: {e}", replies[i].0),
    };
    assert_eq!(answer(0), Answer::Setting(Some("\"$user\", public".into())));
    let Answer::Relation(Some(users)) = answer(1) else { panic!("{:?}", answer(1)) };
    assert_eq!((users.schema.as_str(), users.kind.as_str(), users.comment.as_deref()), ("app", "r", Some("people")));
    assert!(users.acl.iter().any(|p| p.grantee == "catalog_reader" && p.privilege == "SELECT"), "{:?}", users.acl);
    assert_eq!(answer(2), Answer::Relation(None));
    let Answer::Column(Some(mood)) = answer(3) else { panic!() };
    assert_eq!(mood.default.as_deref(), Some("'ok'::app.mood"), "definitions are schema-qualified");
    assert_eq!(mood.type_name, "app.mood");
    let Answer::Column(Some(total)) = answer(4) else { panic!() };
    assert_eq!(total.descendants.len(), 1);
    assert_eq!(total.descendants[0].relation, name("app", "orders_2026"));
    let Answer::Column(Some(email)) = answer(5) else { panic!() };
    assert_eq!(email.comment.as_deref(), Some("how to reach them"));
    assert!(email.acl.iter().any(|p| p.grantee == "catalog_reader" && p.privilege == "UPDATE"));
    let Answer::Constraint(Some(fk)) = answer(6) else { panic!() };
    assert_eq!(fk.definition, "FOREIGN KEY (user_id) REFERENCES app.users(id) ON DELETE CASCADE DEFERRABLE");
    let Answer::Constraint(Some(pk)) = answer(7) else { panic!() };
    let index = pk.index.as_ref().expect("the primary key's index");
    assert_eq!(
        (index.schema.as_str(), index.name.as_str(), index.table.clone()),
        ("app", "users_pkey", name("app", "users"))
    );
    assert_eq!(pk.referenced_by, vec!["orders_user_fk on app.orders".to_owned()]);
    let Answer::Constraints(constraints) = answer(8) else { panic!() };
    assert!(constraints.iter().any(|c| c.name == "orders_total_check" && c.relation == name("app", "orders_2026")));
    let Answer::Index(Some(index)) = answer(9) else { panic!() };
    assert_eq!(
        index.definition,
        "CREATE INDEX orders_total_idx ON app.orders USING btree (total) WHERE (total > (0)::numeric)"
    );
    assert_eq!(index.comment.as_deref(), Some("big ones"));
    let Answer::Indexes(indexes) = answer(10) else { panic!() };
    assert_eq!(indexes.len(), 1);
    let Answer::Trigger(Some(trigger)) = answer(11) else { panic!() };
    assert_eq!(trigger.enabled, "D");
    assert!(trigger.definition.contains("EXECUTE FUNCTION app.touch()"), "{}", trigger.definition);
    let Answer::Policy(Some(policy)) = answer(12) else { panic!() };
    assert_eq!(policy.roles, vec![String::new()], "PUBLIC absorbs the other roles");
    assert_eq!(policy.using.as_deref(), Some("(user_id > 0)"));
    let Answer::Rule(Some(rule)) = answer(13) else { panic!() };
    assert!(rule.definition.starts_with("CREATE RULE no_delete AS"), "{}", rule.definition);
    let Answer::Statistics(Some(stats)) = answer(14) else { panic!() };
    assert_eq!(stats.definition, "CREATE STATISTICS app.orders_stats ON id, user_id FROM app.orders");
    assert_eq!(answer(15), Answer::StatisticsOf(vec![name("app", "orders_stats")]));
    let Answer::Sequence(Some(counter)) = answer(16) else { panic!() };
    assert_eq!((counter.start, counter.increment, counter.last_value, counter.cycle), (20, 5, Some(25), true));
    assert_eq!(counter.owned_by, Some((name("app", "users"), "n".to_owned())));
    let Answer::View(Some(view)) = answer(17) else { panic!() };
    assert_eq!(view.options, vec!["security_barrier=true".to_owned()]);
    assert!(view.definition.contains("FROM app.orders"), "{}", view.definition);
    let Answer::View(Some(totals)) = answer(18) else { panic!() };
    assert_eq!((totals.relation.kind.as_str(), totals.populated, totals.indexes.len()), ("m", false, 1));
    let Answer::Type(Some(mood)) = answer(19) else { panic!() };
    assert_eq!(mood.labels, vec!["sad", "ok", "happy"]);
    let Answer::Type(Some(pos)) = answer(20) else { panic!() };
    let domain = pos.domain.unwrap();
    assert_eq!((domain.base.as_str(), domain.default.as_deref(), domain.not_null), ("integer", Some("1"), true));
    assert_eq!(domain.constraints[0].definition, "CHECK ((VALUE > 0))");
    let Answer::Type(Some(pair)) = answer(21) else { panic!() };
    assert_eq!(pair.attributes[1].collation.as_deref(), Some("pg_catalog.\"C\""));
    let Answer::Routine(Some(add)) = answer(22) else { panic!() };
    assert_eq!(add.identity_arguments, "a integer, b integer");
    assert_eq!(add.comment.as_deref(), Some("sums"));
    assert!(add.definition.unwrap().starts_with("CREATE OR REPLACE FUNCTION app.add"));
    assert!(matches!(answer(23), Answer::Routine(Some(_))), "a unique name needs no arguments");
    let Answer::Schema(Some(app)) = answer(24) else { panic!() };
    assert_eq!(app.name, "app");
    let Answer::Extension(Some(plpgsql)) = answer(25) else { panic!() };
    assert_eq!(plpgsql.schema, "pg_catalog");
    let Answer::Object(Some(object)) = answer(26) else { panic!() };
    assert_eq!(object.comment.as_deref(), Some("big ones"));
    assert_eq!(answer(27), Answer::Object(None));
    let Answer::Dependents(dependents) = answer(28) else { panic!() };
    assert!(dependents.iter().any(|d| d.contains("users")), "{dependents:?}");
    assert!(matches!(answer(29), Answer::DefaultPrivileges(_)));
    assert_eq!(answer(30), Answer::EventTriggers(vec![]));
}

#[tokio::test]
async fn unqualified_names_resolve_through_search_path_and_creation_schema() {
    let db = testpg::server().fresh_database("catalog_path");
    db.run("CREATE TABLE t (id int); CREATE INDEX t_id ON t (id); CREATE TYPE line AS ENUM ('a');").unwrap();
    let t = ObjectName::unqualified("t");
    let line = ObjectName::unqualified("line");
    let replies = describe(
        db.url(),
        &[
            Question::Relation { name: t.clone(), lookup: Lookup::Creation },
            Question::Index { name: ObjectName::unqualified("t_id"), lookup: Lookup::Beside(t.clone()) },
            Question::Type { name: line.clone(), lookup: Lookup::SearchPath },
            Question::Type { name: line.clone(), lookup: Lookup::Creation },
        ],
    )
    .await
    .unwrap();
    let answers: Vec<Answer> = replies.into_iter().map(|(_, r)| r.unwrap()).collect();
    assert!(matches!(&answers[0], Answer::Relation(Some(r)) if r.schema == "public"));
    assert!(matches!(&answers[1], Answer::Index(Some(i)) if i.schema == "public"));
    // pg_catalog comes first when names are looked up, but new objects go to the creation schema.
    assert!(matches!(&answers[2], Answer::Type(Some(t)) if t.schema == "pg_catalog"), "{:?}", answers[2]);
    assert!(matches!(&answers[3], Answer::Type(Some(t)) if t.schema == "public"), "{:?}", answers[3]);
}

#[tokio::test]
async fn privileges_of_a_schema_s_objects_and_default_privileges_as_in_effect() {
    let db = testpg::server().fresh_database("catalog_privileges");
    db.run(
        r#"CREATE SCHEMA "Ap p"; CREATE TYPE "Ap p".e AS ENUM ('x'); CREATE TABLE "Ap p".t (a int, "B" int);
           DO $$ BEGIN CREATE ROLE catalog_grantee; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
           GRANT UPDATE ("B") ON "Ap p".t TO catalog_grantee; CREATE SEQUENCE "Ap p".s;
           CREATE FUNCTION "Ap p".f("Ap p".e) RETURNS int LANGUAGE sql AS 'SELECT 1';
           CREATE PROCEDURE "Ap p".p() LANGUAGE sql AS 'SELECT 1';
           ALTER DEFAULT PRIVILEGES IN SCHEMA "Ap p" GRANT SELECT ON TABLES TO catalog_grantee;"#,
    )
    .unwrap();
    let members = |kind: &str| Question::SchemaMembers { schema: "Ap p".into(), kind: kind.into() };
    let default_acl = |schema: Option<&str>, object_type: &str| Question::DefaultAcl {
        role: None,
        schema: schema.map(str::to_owned),
        object_type: object_type.into(),
    };
    let questions = vec![
        members("tables"),
        members("functions"),
        members("routines"),
        default_acl(None, "S"),
        default_acl(Some("Ap p"), "r"),
        default_acl(Some("Ap p"), "T"),
        default_acl(Some("nope"), "r"),
    ];
    let replies = describe(db.url(), &questions).await.unwrap();
    let answer = |i: usize| match &replies[i].1 {
        Ok(answer) => answer.clone(),
        Err(e) => panic!("{:?}: {e}", replies[i].0),
    };
    let Answer::SchemaMembers(tables) = answer(0) else { panic!() };
    let targets: Vec<&str> = tables.iter().map(|t| t.target.as_str()).collect();
    assert_eq!(targets, vec!["TABLE \"Ap p\".t"], "sequences are not tables");
    assert_eq!(tables[0].columns.len(), 1);
    assert_eq!(tables[0].columns[0].name, "B");
    // Argument types read with an empty search_path: schema-qualified.
    let Answer::SchemaMembers(functions) = answer(1) else { panic!() };
    let targets: Vec<&str> = functions.iter().map(|f| f.target.as_str()).collect();
    assert_eq!(targets, vec!["FUNCTION \"Ap p\".f(\"Ap p\".e)"]);
    let Answer::SchemaMembers(routines) = answer(2) else { panic!() };
    assert_eq!(routines.len(), 2);
    assert!(routines.iter().any(|r| r.target == "PROCEDURE \"Ap p\".p()"));
    // No entry everywhere: the built-in default of sequences (not of foreign servers, acldefault's 'S').
    let Answer::DefaultAcl(Some(sequences)) = answer(3) else { panic!() };
    let mut privileges: Vec<&str> = sequences.acl.iter().map(|p| p.privilege.as_str()).collect();
    privileges.sort_unstable();
    assert_eq!(privileges, vec!["SELECT", "UPDATE", "USAGE"]);
    let Answer::DefaultAcl(Some(tables)) = answer(4) else { panic!() };
    assert_eq!(tables.acl.len(), 1);
    assert_eq!((tables.acl[0].grantee.as_str(), tables.acl[0].privilege.as_str()), ("catalog_grantee", "SELECT"));
    let Answer::DefaultAcl(Some(types)) = answer(5) else { panic!() };
    assert!(types.acl.is_empty(), "no entry in a schema: nothing is added");
    assert_eq!(answer(6), Answer::DefaultAcl(None));
}
