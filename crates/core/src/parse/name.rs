//! Object names as typed values: schema and name unquoted, quoted only when SQL is written. The context,
//! the questions for the database and their answers are keyed by these, never by rendered SQL text.
use crate::render::quote::ident;
use pg_query::protobuf::{Node, RangeVar};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectName {
    /// `None` when the name is unqualified (it resolves through `search_path`).
    pub schema: Option<String>,
    pub name: String,
}

impl ObjectName {
    pub fn new(schema: Option<&str>, name: &str) -> Self {
        ObjectName { schema: schema.filter(|s| !s.is_empty()).map(str::to_owned), name: name.to_owned() }
    }

    pub fn qualified(schema: &str, name: &str) -> Self {
        ObjectName::new(Some(schema), name)
    }

    pub fn unqualified(name: &str) -> Self {
        ObjectName::new(None, name)
    }

    /// A relation as the migration wrote it. The catalog part, when written, must be the current database,
    /// so leaving it out names the same object.
    pub fn from_range_var(rv: &RangeVar) -> Self {
        ObjectName::new(Some(&rv.schemaname), &rv.relname)
    }

    /// `[catalog.][schema.]name` from string parts, as the grammar's `any_name`.
    pub fn from_parts(parts: &[&str]) -> Option<Self> {
        match parts {
            [name] => Some(ObjectName::unqualified(name)),
            [.., schema, name] => Some(ObjectName::new(Some(schema), name)),
            [] => None,
        }
    }

    /// From a list of `String` nodes (`any_name`).
    pub fn from_nodes(nodes: &[Node]) -> Option<Self> {
        crate::render::quote::name_parts(nodes).and_then(|parts| Self::from_parts(&parts))
    }

    /// Another object in the same schema (an index lives in its table's schema).
    pub fn sibling(&self, name: &str) -> Self {
        ObjectName { schema: self.schema.clone(), name: name.to_owned() }
    }

    /// The same name in `schema`.
    pub fn in_schema(&self, schema: &str) -> Self {
        ObjectName::qualified(schema, &self.name)
    }

    pub fn is_qualified(&self) -> bool {
        self.schema.is_some()
    }
}

impl fmt::Display for ObjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(schema) = &self.schema {
            write!(f, "{}.", ident(schema))?;
        }
        f.write_str(&ident(&self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_written() {
        let name = ObjectName::qualified("My Schema", "user");
        assert_eq!(name.to_string(), "\"My Schema\".\"user\"");
        assert_eq!(ObjectName::unqualified("items").to_string(), "items");
        assert_eq!(name.sibling("i").to_string(), "\"My Schema\".i");
        assert_eq!(ObjectName::from_parts(&["db", "s", "t"]).unwrap(), ObjectName::qualified("s", "t"));
        assert_eq!(ObjectName::new(Some(""), "t"), ObjectName::unqualified("t"));
    }
}
