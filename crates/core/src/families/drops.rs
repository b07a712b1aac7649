//! DROP of anything: the definition (and for tables the data) is gone, so there is nothing to rebuild from.
use crate::families::object_keyword;
use crate::outcome::{code, Outcome};
use pg_query::protobuf::{DropStmt, ObjectType};

pub fn drop(s: &DropStmt) -> Outcome {
    let keyword = object_keyword(s.remove_type());
    match s.remove_type() {
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
    }
}
