//! A database schema as catalog objects, and the comparison that proves a rollback: the schema after the
//! rollback must equal, object by object and attribute by attribute, the schema before the migration.
//! The database layer reads the snapshot (`pg_identify_object` names every object); this module only
//! compares, so it runs anywhere and is tested without a server.
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One catalog object: its kind and identity as `pg_identify_object` gives them (e.g. `table column`,
/// `public.users.nickname`), and what defines it (`type`, `default`, `privileges`, `comment`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct CatalogObject {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, Value>,
}

/// Every catalog object of a database that a migration can create, change or drop. Plain JSON (64-bit
/// values are strings, see [`Snapshot::plain`]): `JSON.stringify` keeps it, and comparing the stored copy
/// gives the same result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "napi", napi_derive::napi(object, js_name = "CatalogSnapshot"))]
pub struct Snapshot {
    pub objects: Vec<CatalogObject>,
}

impl Snapshot {
    /// The same snapshot as plain JSON that any JSON reader keeps exactly: numbers that are not integers
    /// of 32 bits (64-bit catalog values, fractions) become their decimal text. JavaScript has no 64-bit
    /// integers (the binding would hand out BigInts, which `JSON.stringify` refuses), and a number read back
    /// from JavaScript comes as a 32-bit integer or a double; the comparison renders both forms alike.
    pub fn plain(mut self) -> Snapshot {
        for object in &mut self.objects {
            object.attributes.values_mut().for_each(plain_value);
        }
        self
    }
}

fn plain_value(value: &mut Value) {
    match value {
        Value::Number(n) => {
            let small = n.as_i64().is_some_and(|i| i32::try_from(i).is_ok());
            if !small {
                *value = Value::String(n.to_string());
            }
        }
        Value::Array(items) => items.iter_mut().for_each(plain_value),
        Value::Object(fields) => fields.values_mut().for_each(plain_value),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// How an object differs between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "lowercase"))]
pub enum Change {
    /// In the first snapshot, not in the second.
    Missing,
    /// In the second snapshot, not in the first.
    Unexpected,
    /// In both, with an attribute that differs.
    Changed,
}

/// One difference: an object missing, unexpected, or one of its attributes changed (`before` -> `after`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, js_name = "CatalogDifference", use_nullable = true))]
pub struct Difference {
    pub kind: String,
    pub object: String,
    pub change: Change,
    /// The attribute that differs (for [`Change::Changed`]).
    pub attribute: Option<String>,
    /// Its value in the first snapshot (`None`: absent).
    pub before: Option<String>,
    /// Its value in the second snapshot (`None`: absent).
    pub after: Option<String>,
    /// The difference in one line (its `Display`), e.g. `index public.items_a_idx: missing`.
    #[serde(default)]
    pub text: String,
}

impl Difference {
    fn with_text(mut self) -> Self {
        self.text = self.to_string();
        self
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.kind, self.object)?;
        match self.change {
            Change::Missing => f.write_str("missing"),
            Change::Unexpected => f.write_str("unexpected (it was not there before)"),
            Change::Changed => {
                let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_owned());
                write!(
                    f,
                    "{} {} -> {}",
                    self.attribute.as_deref().unwrap_or(""),
                    value(&self.before),
                    value(&self.after)
                )
            }
        }
    }
}

/// An attribute's value as text: strings as they are, everything else as JSON.
fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Objects by (kind, name). Names are unique per kind in PostgreSQL; should two ever collide, the later
/// one gets a numbered name so that neither is lost.
fn index(snapshot: &Snapshot) -> BTreeMap<(&str, String), &CatalogObject> {
    let mut map = BTreeMap::new();
    for object in &snapshot.objects {
        let mut name = object.name.clone();
        let mut n = 1;
        while map.contains_key(&(object.kind.as_str(), name.clone())) {
            n += 1;
            name = format!("{} (#{n})", object.name);
        }
        map.insert((object.kind.as_str(), name), object);
    }
    map
}

/// The differences that turn `before` into `after`, sorted by kind and name; empty when they are the same
/// schema. A `null` attribute counts as absent.
pub fn compare(before: &Snapshot, after: &Snapshot) -> Vec<Difference> {
    let before = index(before);
    let after = index(after);
    let mut differences = Vec::new();
    let difference = |(kind, name): &(&str, String), change, attribute: Option<&str>, b, a| {
        Difference {
            kind: (*kind).to_owned(),
            object: name.clone(),
            change,
            attribute: attribute.map(str::to_owned),
            before: b,
            after: a,
            text: String::new(),
        }
        .with_text()
    };
    for (key, old) in &before {
        let Some(new) = after.get(key) else {
            differences.push(difference(key, Change::Missing, None, None, None));
            continue;
        };
        let present = |o: &'_ CatalogObject, k: &str| o.attributes.get(k).filter(|v| !v.is_null()).map(render);
        let mut names: Vec<&String> = old.attributes.keys().chain(new.attributes.keys()).collect();
        names.sort();
        names.dedup();
        for attribute in names {
            let (b, a) = (present(old, attribute), present(new, attribute));
            if b != a {
                differences.push(difference(key, Change::Changed, Some(attribute), b, a));
            }
        }
    }
    for key in after.keys() {
        if !before.contains_key(key) {
            differences.push(difference(key, Change::Unexpected, None, None, None));
        }
    }
    differences.sort_by(|a, b| (&a.kind, &a.object).cmp(&(&b.kind, &b.object)));
    differences
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(kind: &str, name: &str, attributes: Value) -> CatalogObject {
        let attributes = match attributes {
            Value::Object(map) => map.into_iter().collect(),
            _ => BTreeMap::new(),
        };
        CatalogObject { kind: kind.into(), name: name.into(), attributes }
    }

    fn snapshot(objects: Vec<CatalogObject>) -> Snapshot {
        Snapshot { objects }
    }

    #[test]
    fn equal_snapshots_have_no_difference_whatever_the_order() {
        let a = object("table", "public.t", json!({"owner": "app"}));
        let b = object("index", "public.t_idx", json!({"definition": "CREATE INDEX ..."}));
        assert!(compare(&snapshot(vec![a.clone(), b.clone()]), &snapshot(vec![b, a])).is_empty());
    }

    #[test]
    fn missing_unexpected_and_changed_objects_are_each_reported() {
        let before = snapshot(vec![
            object("index", "public.items_a_idx", json!({})),
            object("table column", "public.users.nickname", json!({"default": "'guest'::text", "position": 2})),
        ]);
        let after = snapshot(vec![
            object("table column", "public.users.nickname", json!({"default": "'anon'::text", "position": 2})),
            object("trigger", "t on public.users", json!({})),
        ]);
        let texts: Vec<String> = compare(&before, &after).iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "index public.items_a_idx: missing",
                "table column public.users.nickname: default 'guest'::text -> 'anon'::text",
                "trigger t on public.users: unexpected (it was not there before)",
            ]
        );
    }

    #[test]
    fn a_null_attribute_is_the_same_as_an_absent_one_but_not_as_false() {
        let before = snapshot(vec![object("table", "public.t", json!({"comment": null, "rls": false}))]);
        let same = snapshot(vec![object("table", "public.t", json!({"rls": false}))]);
        assert!(compare(&before, &same).is_empty());
        let changed = snapshot(vec![object("table", "public.t", json!({}))]);
        let differences = compare(&before, &changed);
        assert_eq!(differences.len(), 1);
        assert_eq!(differences[0].to_string(), "table public.t: rls false -> (none)");
    }

    #[test]
    fn arrays_compare_in_order() {
        let before = snapshot(vec![object("type", "public.mood", json!({"labels": ["sad", "ok"]}))]);
        let after = snapshot(vec![object("type", "public.mood", json!({"labels": ["ok", "sad"]}))]);
        assert_eq!(compare(&before, &after)[0].to_string(), r#"type public.mood: labels ["sad","ok"] -> ["ok","sad"]"#);
    }

    #[test]
    fn same_name_in_two_kinds_is_two_objects() {
        let before = snapshot(vec![object("table", "public.x", json!({})), object("type", "public.x", json!({}))]);
        let after = snapshot(vec![object("table", "public.x", json!({}))]);
        assert_eq!(compare(&before, &after)[0].to_string(), "type public.x: missing");
    }

    #[test]
    fn a_plain_snapshot_is_the_same_after_a_round_trip_through_json_and_javascript_numbers() {
        let snapshot = snapshot(vec![object(
            "sequence",
            "public.s",
            json!({"position": 3, "negative": -1, "max": 9_223_372_036_854_775_807_i64, "min": -9_223_372_036_854_775_808_i64,
                   "unsigned": 18_446_744_073_709_551_615_u64, "fraction": 2.5, "nested": {"max": 4_294_967_296_u64}, "list": [1, 5_000_000_000_u64]}),
        )])
        .plain();
        let attributes = &snapshot.objects[0].attributes;
        assert_eq!(attributes["max"], json!("9223372036854775807"));
        assert_eq!(attributes["min"], json!("-9223372036854775808"));
        assert_eq!(attributes["unsigned"], json!("18446744073709551615"));
        assert_eq!(attributes["nested"], json!({"max": "4294967296"}));
        assert_eq!(attributes["list"], json!([1, "5000000000"]));
        assert_eq!(attributes["position"], json!(3));
        // Through JSON text.
        let text = serde_json::to_string(&snapshot).unwrap();
        let back: Snapshot = serde_json::from_str(&text).unwrap();
        assert_eq!(back, snapshot);
        assert!(compare(&snapshot, &back).is_empty());
        // Through JavaScript: every number is a double, read back as an integer when it fits 32 bits.
        fn as_javascript(v: &Value) -> Value {
            match v {
                Value::Number(n) => {
                    let f = n.as_f64().unwrap();
                    assert!(f.abs() < 9_007_199_254_740_992.0, "{n} is not exact in JavaScript");
                    if f.fract() == 0.0 && f.abs() <= f64::from(u32::MAX) {
                        json!(f as i64)
                    } else {
                        json!(f)
                    }
                }
                Value::Array(a) => Value::Array(a.iter().map(as_javascript).collect()),
                Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), as_javascript(v))).collect()),
                other => other.clone(),
            }
        }
        let mut javascript = snapshot.clone();
        javascript.objects[0].attributes.values_mut().for_each(|v| *v = as_javascript(v));
        assert!(compare(&snapshot, &javascript).is_empty());
        // Without `plain`, the 64-bit value does not survive.
        let raw = self::snapshot(vec![object("sequence", "public.s", json!({"max": 9_223_372_036_854_775_807_i64}))]);
        let mut through_doubles = raw.clone();
        through_doubles.objects[0].attributes.values_mut().for_each(|v| *v = json!(v.as_f64().unwrap()));
        assert!(!compare(&raw, &through_doubles).is_empty());
    }

    #[test]
    fn colliding_names_are_all_kept() {
        let twice = snapshot(vec![object("rule", "r", json!({"a": 1})), object("rule", "r", json!({"a": 2}))]);
        let once = snapshot(vec![object("rule", "r", json!({"a": 1}))]);
        assert!(compare(&twice, &twice).is_empty());
        assert_eq!(compare(&twice, &once)[0].to_string(), "rule r (#2): missing");
    }
}
