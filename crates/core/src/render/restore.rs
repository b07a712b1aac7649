//! SQL that puts captured properties back: comments, owners and privileges. Shared by every family that
//! undoes a statement by restoring what the database said was there.
use crate::ask::state::{DefaultPrivilege, Privilege};
use crate::render::quote::{ident, literal};
use std::collections::HashMap;

/// `COMMENT ON {what} IS ...` setting the comment back (`NULL` removes it).
pub fn comment(what: &str, comment: Option<&str>) -> String {
    format!("COMMENT ON {what} IS {}", comment.map_or_else(|| "NULL".to_owned(), literal))
}

fn grantee(name: &str) -> String {
    if name.is_empty() {
        "PUBLIC".to_owned()
    } else {
        ident(name)
    }
}

/// One object's privileges as GRANT/REVOKE see it: `TABLE s.t`, `FUNCTION s.f(integer)`, `SCHEMA s`, and
/// for column privileges the column.
pub struct AclTarget<'a> {
    /// e.g. `TABLE public.t`, `SEQUENCE s.q`, `FUNCTION s.f(integer)`.
    pub object: &'a str,
    pub column: Option<&'a str>,
    /// The object's owner when the statements run: PostgreSQL records grants made by a superuser or the
    /// owner as granted by the owner, so only those can be restored exactly.
    pub owner: &'a str,
}

/// ACL entries by grantee, privilege and grantor: a privilege can be held from several grantors.
type Entries<'a> = HashMap<(&'a str, &'a str, &'a str), &'a Privilege>;

fn key(p: &Privilege) -> (&str, &str, &str) {
    (p.grantee.as_str(), p.privilege.as_str(), p.grantor.as_str())
}

fn entries(acl: &[Privilege]) -> Entries<'_> {
    acl.iter().map(|p| (key(p), p)).collect()
}

/// Statements that turn ACL `from` into `to`; an error names an entry that cannot be restored exactly.
pub fn acl_change(target: &AclTarget<'_>, from_acl: &[Privilege], to_acl: &[Privilege]) -> Result<Vec<String>, String> {
    let (from, to) = (entries(from_acl), entries(to_acl));
    // Column privileges name the column after each privilege: `SELECT (a), UPDATE (a) ON TABLE t`.
    let on = |privileges: &[&str]| match target.column {
        Some(column) => {
            let listed: Vec<String> = privileges.iter().map(|p| format!("{p} ({})", ident(column))).collect();
            format!("{} ON {}", listed.join(", "), target.object)
        }
        None => format!("{} ON {}", privileges.join(", "), target.object),
    };
    let foreign = |p: &Privilege| -> Result<(), String> {
        match p.grantor == target.owner {
            true => Ok(()),
            false => Err(format!(
                "{} on {} was granted to {} by {}, not by the owner {}; pg-rollback restores only the owner's grants",
                p.privilege,
                target.object,
                grantee(&p.grantee),
                ident(&p.grantor),
                ident(target.owner)
            )),
        }
    };
    // Grouped per grantee, in the order of the ACLs (PostgreSQL keeps entries in the order they were granted).
    let mut revoke_options: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut revokes: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut grants: Vec<((&str, bool), Vec<&str>)> = Vec::new();
    fn add<'a, K: PartialEq>(groups: &mut Vec<(K, Vec<&'a str>)>, key: K, privilege: &'a str) {
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, privileges)) => privileges.push(privilege),
            None => groups.push((key, vec![privilege])),
        }
    }
    for old in from_acl {
        match to.get(&key(old)) {
            None => {
                foreign(old)?;
                add(&mut revokes, old.grantee.as_str(), old.privilege.as_str());
            }
            Some(new) if old.grantable && !new.grantable => {
                foreign(old)?;
                add(&mut revoke_options, old.grantee.as_str(), old.privilege.as_str());
            }
            _ => {}
        }
    }
    for new in to_acl {
        let missing_option = from.get(&key(new)).is_some_and(|old| new.grantable && !old.grantable);
        if !from.contains_key(&key(new)) || missing_option {
            foreign(new)?;
            add(&mut grants, (new.grantee.as_str(), new.grantable), new.privilege.as_str());
        }
    }
    // GRANT appends a grantee that has no entry yet at the end of the ACL, and pg_dump prints ACLs in order:
    // when the minimal change would leave the entries in another order, everything is granted again in order.
    let mut order: Vec<(&str, &str)> = Vec::new();
    for old in from_acl {
        let item = (old.grantee.as_str(), old.grantor.as_str());
        if to.contains_key(&key(old)) && !order.contains(&item) {
            order.push(item);
        }
    }
    for ((who, _), _) in &grants {
        if !order.contains(&(*who, target.owner)) {
            order.push((*who, target.owner));
        }
    }
    if order != items(to_acl) {
        return regranted_in_order(from_acl, to_acl, &on, &foreign);
    }
    let mut out = Vec::new();
    for (who, privileges) in revoke_options {
        out.push(format!("REVOKE GRANT OPTION FOR {} FROM {} CASCADE", on(&privileges), grantee(who)));
    }
    for (who, privileges) in revokes {
        out.push(format!("REVOKE {} FROM {} CASCADE", on(&privileges), grantee(who)));
    }
    for ((who, grantable), privileges) in grants {
        let option = if grantable { " WITH GRANT OPTION" } else { "" };
        out.push(format!("GRANT {} TO {}{option}", on(&privileges), grantee(who)));
    }
    Ok(out)
}

/// The entries of an ACL (grantee, grantor), in order.
fn items(acl: &[Privilege]) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for p in acl {
        let item = (p.grantee.as_str(), p.grantor.as_str());
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Every grantee's privileges revoked, then `to` granted entry by entry in its order.
fn regranted_in_order(
    from_acl: &[Privilege],
    to_acl: &[Privilege],
    on: &dyn Fn(&[&str]) -> String,
    foreign: &dyn Fn(&Privilege) -> Result<(), String>,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut revoked: Vec<&str> = Vec::new();
    for p in from_acl {
        foreign(p)?;
        if !revoked.contains(&p.grantee.as_str()) {
            revoked.push(&p.grantee);
            out.push(format!("REVOKE {} FROM {} CASCADE", on(&["ALL"]), grantee(&p.grantee)));
        }
    }
    let mut grants: Vec<((&str, bool), Vec<&str>)> = Vec::new();
    for p in to_acl {
        foreign(p)?;
        let group = (p.grantee.as_str(), p.grantable);
        match grants.iter_mut().find(|(k, _)| *k == group) {
            Some((_, privileges)) => privileges.push(&p.privilege),
            None => grants.push((group, vec![&p.privilege])),
        }
    }
    for ((who, grantable), privileges) in grants {
        let option = if grantable { " WITH GRANT OPTION" } else { "" };
        out.push(format!("GRANT {} TO {}{option}", on(&privileges), grantee(who)));
    }
    Ok(out)
}

/// Why changing an object's owner from `old` to `new` cannot be undone by changing it back: PostgreSQL
/// rewrites the old owner into the new one in the object's ACLs (`acl_roles`: every grantee and grantor),
/// merging them with entries the new owner already had.
pub fn owner_merged<'a>(old: &str, new: &str, acl_roles: impl IntoIterator<Item = &'a String>) -> Option<String> {
    let mut roles = acl_roles.into_iter();
    (old != new && roles.any(|r| r == new)).then(|| {
        format!(
            "the new owner {} already had privileges on it, which the change of owner merged with the old owner's",
            ident(new)
        )
    })
}

/// Privileges for an object the rollback creates again: it starts with the default ACL of its owner, unless
/// default privileges (`ALTER DEFAULT PRIVILEGES`) of some role add to that, in which case every possible
/// grantee is revoked first and the captured ACL granted whole.
pub fn recreated_acl(
    target: &AclTarget<'_>,
    default_acl: &[Privilege],
    acl: &[Privilege],
    defaults: &[DefaultPrivilege],
) -> Result<Vec<String>, String> {
    if defaults.is_empty() {
        return acl_change(target, default_acl, acl);
    }
    let mut everyone: Vec<&str> = vec![""];
    everyone.push(target.owner);
    everyone.extend(defaults.iter().map(|d| d.privilege.grantee.as_str()));
    everyone.extend(acl.iter().map(|p| p.grantee.as_str()));
    everyone.sort_unstable();
    everyone.dedup();
    let mut out: Vec<String> =
        everyone.iter().map(|who| format!("REVOKE ALL ON {} FROM {} CASCADE", target.object, grantee(who))).collect();
    out.extend(acl_change(target, &[], acl)?);
    Ok(out)
}

/// Default privileges that apply to objects of `object_type` (`r`, `S`, `f`, `T`, `n`) created in `schema`.
pub fn applicable_defaults(defaults: &[DefaultPrivilege], object_type: &str, schema: &str) -> Vec<DefaultPrivilege> {
    defaults
        .iter()
        .filter(|d| d.object_type == object_type && (d.schema.is_empty() || d.schema == schema))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(grantee: &str, privilege: &str, grantable: bool) -> Privilege {
        Privilege { grantee: grantee.into(), grantor: "owner".into(), privilege: privilege.into(), grantable }
    }

    const TABLE: AclTarget<'static> = AclTarget { object: "TABLE public.t", column: None, owner: "owner" };

    #[test]
    fn grants_and_revokes_the_difference() {
        let from = [p("owner", "SELECT", false), p("reader", "SELECT", false), p("", "SELECT", false)];
        let to = [p("owner", "SELECT", false), p("writer", "INSERT", false), p("writer", "UPDATE", true)];
        assert_eq!(
            acl_change(&TABLE, &from, &to).unwrap(),
            vec![
                "REVOKE SELECT ON TABLE public.t FROM reader CASCADE",
                "REVOKE SELECT ON TABLE public.t FROM PUBLIC CASCADE",
                "GRANT INSERT ON TABLE public.t TO writer",
                "GRANT UPDATE ON TABLE public.t TO writer WITH GRANT OPTION",
            ]
        );
        assert!(acl_change(&TABLE, &to, &to).unwrap().is_empty());
    }

    #[test]
    fn grant_options_change_alone() {
        let from = [p("reader", "SELECT", true)];
        let to = [p("reader", "SELECT", false)];
        assert_eq!(
            acl_change(&TABLE, &from, &to).unwrap(),
            vec!["REVOKE GRANT OPTION FOR SELECT ON TABLE public.t FROM reader CASCADE"]
        );
        assert_eq!(
            acl_change(&TABLE, &to, &from).unwrap(),
            vec!["GRANT SELECT ON TABLE public.t TO reader WITH GRANT OPTION"]
        );
    }

    #[test]
    fn column_privileges_name_the_column() {
        let target = AclTarget { object: "TABLE public.t", column: Some("Email"), owner: "owner" };
        assert_eq!(
            acl_change(&target, &[], &[p("reader", "UPDATE", false)]).unwrap(),
            vec!["GRANT UPDATE (\"Email\") ON TABLE public.t TO reader"]
        );
        assert_eq!(
            acl_change(&target, &[p("reader", "SELECT", false), p("reader", "UPDATE", false)], &[]).unwrap(),
            vec!["REVOKE SELECT (\"Email\"), UPDATE (\"Email\") ON TABLE public.t FROM reader CASCADE"]
        );
    }

    #[test]
    fn grants_by_other_roles_are_refused() {
        let mut other = p("reader", "SELECT", false);
        other.grantor = "someone".into();
        let err = acl_change(&TABLE, &[], &[other]).unwrap_err();
        assert!(err.contains("by someone, not by the owner"), "{err}");
    }

    #[test]
    fn the_same_privilege_from_two_grantors_is_two_entries() {
        let mut other = p("reader", "SELECT", false);
        other.grantor = "someone".into();
        let owners = p("reader", "SELECT", false);
        // Putting back (or taking away) the other grantor's entry is refused, not confused with the owner's.
        assert!(acl_change(&TABLE, &[owners.clone()], &[owners.clone(), other.clone()]).is_err());
        assert!(acl_change(&TABLE, &[owners.clone(), other.clone()], &[owners.clone()]).is_err());
        // The owner's entry after it is restored; before it, it cannot be (GRANT appends, and the other
        // grantor's entry cannot be granted again in order).
        assert_eq!(
            acl_change(&TABLE, &[other.clone()], &[other.clone(), owners.clone()]).unwrap(),
            vec!["GRANT SELECT ON TABLE public.t TO reader"]
        );
        assert!(acl_change(&TABLE, &[other.clone()], &[owners, other]).is_err());
    }

    #[test]
    fn an_acl_is_restored_in_its_order() {
        let (reader, writer) = (p("reader", "SELECT", false), p("writer", "SELECT", false));
        // Granting the first entry back alone would put it last: everything is granted again in order.
        assert_eq!(
            acl_change(&TABLE, &[writer.clone()], &[reader.clone(), writer.clone()]).unwrap(),
            vec![
                "REVOKE ALL ON TABLE public.t FROM writer CASCADE",
                "GRANT SELECT ON TABLE public.t TO reader",
                "GRANT SELECT ON TABLE public.t TO writer",
            ]
        );
        // Taking a privilege away, or adding one at the end, keeps the order.
        assert_eq!(
            acl_change(&TABLE, &[reader.clone(), writer.clone()], &[writer.clone()]).unwrap(),
            vec!["REVOKE SELECT ON TABLE public.t FROM reader CASCADE"]
        );
        assert_eq!(
            acl_change(&TABLE, &[reader.clone()], &[reader.clone(), writer.clone()]).unwrap(),
            vec!["GRANT SELECT ON TABLE public.t TO writer"]
        );
    }

    #[test]
    fn comments_are_literals() {
        assert_eq!(comment("TABLE t", Some("it's")), "COMMENT ON TABLE t IS 'it''s'");
        assert_eq!(comment("COLUMN t.c", None), "COMMENT ON COLUMN t.c IS NULL");
    }
}
