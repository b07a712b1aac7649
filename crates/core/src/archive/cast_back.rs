//! `ALTER COLUMN c TYPE new` whose restore cannot write `USING c::old`: there is no cast from the new type back
//! to the old one (an enum to `smallint`, one enum to another, arrays of them). Every archived row gets its
//! value from the archive anyway, so the type change back starts from NULL (`USING NULL::old`); only rows
//! inserted since, which have no archived value, would need the cast: the restore refuses when one of them
//! holds a value. A NOT NULL column is made nullable around the change and NOT NULL again after the values.
use super::column::{key_match, only, ColumnToKeep};
use super::{archive_relation, conflict_check};
use crate::parse::migration::ParsedStatement;
use crate::render::quote::ident;
use pg_query::protobuf::AlterTableType;
use pg_query::NodeEnum;

/// The type `column` is changed to by `statement` (an `ALTER TABLE`), as written there (resolved with the
/// migration's `search_path`): `None` when the statement does not retype it or the type cannot be written back.
pub fn new_type_sql(statement: &ParsedStatement, column: &str) -> Option<String> {
    let NodeEnum::AlterTableStmt(s) = &statement.node else { return None };
    let type_name = s.cmds.iter().find_map(|c| match &c.node {
        Some(NodeEnum::AlterTableCmd(cmd))
            if cmd.subtype() == AlterTableType::AtAlterColumnType && cmd.name == column =>
        {
            match cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
                Some(NodeEnum::ColumnDef(def)) => def.type_name.clone(),
                _ => None,
            }
        }
        _ => None,
    })?;
    // Deparsed in place of the `int` of a parsed `SELECT NULL::int`.
    let parsed = pg_query::parse("SELECT NULL::int", 0).ok()?;
    let mut stmt = parsed.protobuf.stmts.into_iter().next()?.stmt?.node?;
    let NodeEnum::SelectStmt(select) = &mut stmt else { return None };
    let Some(NodeEnum::ResTarget(target)) = select.target_list.first_mut().and_then(|t| t.node.as_mut()) else {
        return None;
    };
    let Some(NodeEnum::TypeCast(cast)) = target.val.as_mut().and_then(|v| v.node.as_mut()) else { return None };
    cast.type_name = Some(type_name);
    let sql = stmt.deparse(Default::default()).ok()?;
    sql.strip_prefix("SELECT NULL::")
        .or_else(|| sql.strip_prefix("SELECT CAST(NULL AS ")?.strip_suffix(')'))
        .map(str::to_owned)
}

/// `SELECT CAST(CAST(NULL AS new) AS old)`: fails with SQLSTATE `42846` when there is no cast back.
pub fn cast_back_probe(new_type: &str, old_type: &str) -> String {
    format!("SELECT CAST(CAST(NULL AS {new_type}) AS {old_type})")
}

/// The restore of a type change without a cast back (see the module): refusal of rows inserted since with a
/// value, then the type change from NULL. The caller puts the archived values back, then [`not_null_again`].
pub(super) fn type_back_from_null(column: &ColumnToKeep, archive: &str, collate: &str) -> Vec<String> {
    let (table, name, ty) = (&column.table, ident(&column.column), &column.type_sql);
    let since = format!(
        "SELECT count(*) FROM {}{table} AS t WHERE t.{name} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {} AS a WHERE {})",
        only(column),
        archive_relation(archive),
        key_match(column)
    );
    let check = conflict_check(
        &since,
        "",
        &format!(
            " row(s) of {table} inserted since the migration have a value in {name} that cannot be changed back to \
             {ty} (there is no cast to it from the column's type now): nothing was changed"
        ),
    );
    let mut subs = Vec::new();
    if column.default.is_some() {
        subs.push(format!("ALTER COLUMN {name} DROP DEFAULT"));
    }
    if column.not_null {
        subs.push(format!("ALTER COLUMN {name} DROP NOT NULL"));
    }
    subs.push(format!("ALTER COLUMN {name} TYPE {ty}{collate} USING NULL::{ty}"));
    if let Some(default) = &column.default {
        subs.push(format!("ALTER COLUMN {name} SET DEFAULT {default}"));
    }
    vec![check, format!("ALTER TABLE {table} {}", subs.join(", "))]
}

/// After the archived values are back: NOT NULL again when it was.
pub(super) fn not_null_again(column: &ColumnToKeep) -> Option<String> {
    column.not_null.then(|| format!("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL", column.table, ident(&column.column)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{restore_sql, script, KeyColumn, Target};
    use crate::parse::name::ObjectName;
    use crate::ParsedMigration;

    fn statement(sql: &str) -> ParsedStatement {
        ParsedMigration::parse(sql).unwrap().statements.remove(0)
    }

    #[test]
    fn the_new_type_is_read_from_the_statement() {
        let s = statement(
            r#"ALTER TABLE "S"."T" ALTER COLUMN a TYPE "My S"."Kind"[] USING a::text::"My S"."Kind"[], ALTER COLUMN "B" SET DATA TYPE numeric(10,2), ALTER COLUMN c TYPE int;"#,
        );
        assert_eq!(new_type_sql(&s, "a").as_deref(), Some(r#""My S"."Kind"[]"#));
        assert_eq!(new_type_sql(&s, "B").as_deref(), Some("numeric(10, 2)"));
        assert_eq!(new_type_sql(&s, "c").as_deref(), Some("int"));
        assert_eq!(new_type_sql(&s, "d"), None);
        assert_eq!(new_type_sql(&statement("ALTER TABLE t DROP COLUMN a;"), "a"), None);
        let probe = cast_back_probe(r#""My S"."Kind"[]"#, "smallint[]");
        ParsedMigration::parse(&format!("{probe};")).unwrap();
    }

    #[test]
    fn without_a_cast_back_the_type_comes_back_from_null_and_rows_since_with_a_value_refuse() {
        let column = ColumnToKeep {
            not_null: true,
            default: Some("0".into()),
            cast_back: false,
            key: vec![KeyColumn { name: "id".into(), type_sql: "integer".into(), builtin: true }],
            ..ColumnToKeep::new(ObjectName::qualified("s", "50% off"), "app", "Kind", "smallint", true)
        };
        let target = Target::ColumnType { relation: column.table.clone(), column: "Kind".into() };
        let sql = script(&restore_sql(&target, &column, "1.0/1").unwrap());
        ParsedMigration::parse(&sql).unwrap();
        let at = |needle: &str| sql.find(needle).unwrap_or_else(|| panic!("{needle} not in\n{sql}"));
        assert!(at("t.\"Kind\" IS NOT NULL AND NOT EXISTS") < at("DROP NOT NULL"), "{sql}");
        assert!(at("ALTER COLUMN \"Kind\" DROP DEFAULT, ALTER COLUMN \"Kind\" DROP NOT NULL, ALTER COLUMN \"Kind\" TYPE smallint USING NULL::smallint, ALTER COLUMN \"Kind\" SET DEFAULT 0;") < at("SET \"Kind\" = a.value"));
        assert!(
            at("SET \"Kind\" = a.value") < at("ALTER TABLE s.\"50% off\" ALTER COLUMN \"Kind\" SET NOT NULL;"),
            "{sql}"
        );
        assert!(!sql.contains("USING \"Kind\"::smallint"), "{sql}");
        let with_cast = ColumnToKeep { cast_back: true, ..column };
        let sql = script(&restore_sql(&target, &with_cast, "1.0/1").unwrap());
        assert!(sql.contains("USING \"Kind\"::smallint"), "{sql}");
        assert!(!sql.contains("SET NOT NULL"), "{sql}");
    }
}
