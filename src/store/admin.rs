//! Registry administration (scope `registry:admin`): agencies here, projects in [`projects`], national-database links
//! in [`links`]. Every write is one [`Write`]: referenced rows checked in its transaction, then the store's one write
//! path (version, search index, audit event, commit).
//!
//! Rows seeded from a plan keep their source when an administrator edits them: `source` still cites where the seeded
//! values came from, `version > 1` tells that the row was edited, and the audit trail tells by whom and what changed.
//! Rows an administrator creates have no source at all.

pub mod links;
pub mod projects;

use std::collections::HashSet;

use entities::{
    agency,
    enums::{AgencyKind, ApprovalRole, SearchKind},
    province,
};
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;

use super::{
    audit::Actor,
    write::{check, Versioned, Write},
    Store,
};
use crate::{
    codes::AgencyCode,
    error::{Error, Result},
    text::fold,
};

/// The audit trail's name for agencies.
pub const AGENCY: &str = "agency";

/// Longest generated key, before a `-2`, `-3`... suffix.
const MAX_SLUG: usize = 48;

/// A new agency, validated.
pub struct NewAgency {
    pub name: String,
    pub kind: AgencyKind,
    pub province_code: String,
    pub code: Option<AgencyCode>,
    pub parent_id: Option<String>,
}

/// Changes to an agency: `None` leaves a field as it is; `Some(None)` clears a nullable one.
#[derive(Default)]
pub struct AgencyChanges {
    pub name: Option<String>,
    pub kind: Option<AgencyKind>,
    pub code: Option<Option<AgencyCode>>,
    pub parent_id: Option<Option<String>>,
    pub approval_role: Option<Option<ApprovalRole>>,
}

impl Versioned for agency::Entity {
    const WHAT: &'static str = "the agency";
    const AUDIT: &'static str = AGENCY;
    const VERSION: agency::Column = agency::Column::Version;
    const DUPLICATE: &'static str = "another agency has this official code";

    fn key(m: &agency::Model) -> String {
        m.id.clone()
    }

    fn version(m: &agency::Model) -> i32 {
        m.version
    }

    fn snapshot(m: &agency::Model) -> serde_json::Value {
        json!({
            "key": m.id, "code": m.code, "name": m.name, "kind": m.kind.to_value(), "province": m.province_code,
            "parent": m.parent_id, "approvalRole": m.approval_role.map(|r| r.to_value()), "version": m.version,
            "source": m.source_file.as_ref().map(|f| json!({ "file": f, "line": m.source_line })),
        })
    }

    fn search(m: &agency::Model) -> Option<(SearchKind, &str)> {
        Some((SearchKind::Agency, &m.name))
    }
}

/// The province `code`, referenced by the input field `field`.
#[tracing::instrument(level = "debug", skip_all, fields(code))]
pub(crate) async fn province_ref(
    txn: &DatabaseTransaction,
    field: &str,
    code: &str,
) -> Result<province::Model> {
    province::Entity::find_by_id(code.to_owned())
        .one(txn)
        .await?
        .ok_or_else(|| Error::bad_input(field, format!("there is no province with code {code}")))
}

/// The agency `key`, referenced by the input field `field`; it must be in `province_code`.
#[tracing::instrument(level = "debug", skip_all, fields(key))]
pub(crate) async fn agency_ref(
    txn: &DatabaseTransaction,
    field: &str,
    key: &str,
    province_code: &str,
) -> Result<agency::Model> {
    let found = agency::Entity::find_by_id(key.to_owned())
        .one(txn)
        .await?
        .ok_or_else(|| Error::bad_input(field, format!("there is no agency with key `{key}`")))?;
    if found.province_code != province_code {
        return Err(Error::bad_input(
            field,
            format!("`{field}` must be an agency of province {province_code}"),
        ));
    }
    Ok(found)
}

/// A readable key from a name: folded, ASCII letters and digits joined by `-`, at most [`MAX_SLUG`] characters.
pub(crate) fn slug(name: &str) -> String {
    let folded = fold(name);
    let mut out = String::new();
    for word in folded.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() && out.len() + 1 + word.len() > MAX_SLUG {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    out.truncate(MAX_SLUG);
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// `base`, or `base-2`, `base-3`... whichever is not `taken`.
pub(crate) fn free_key(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_owned();
    }
    let mut n = 2u32;
    loop {
        let key = format!("{base}-{n}");
        if !taken.contains(&key) {
            return key;
        }
        n += 1;
    }
}

/// `CONFLICT` when another agency than `except` has the official `code`.
#[tracing::instrument(level = "debug", skip_all)]
async fn code_is_free(
    txn: &DatabaseTransaction,
    code: &AgencyCode,
    except: Option<&str>,
) -> Result<()> {
    let holder = agency::Entity::find()
        .filter(agency::Column::Code.eq(code.as_str()))
        .one(txn)
        .await?;
    match holder {
        Some(other) if Some(other.id.as_str()) != except => Err(Error::conflict(format!(
            "the official code {} belongs to agency `{}`",
            code.as_str(),
            other.id
        ))),
        _ => Ok(()),
    }
}

#[tracing::instrument(skip_all, fields(actor = %actor.subject))]
pub async fn create_agency(store: &Store, actor: &Actor, new: NewAgency) -> Result<agency::Model> {
    let write = Write::begin(store, actor).await?;
    let txn = write.txn();
    let province = province_ref(txn, "input.provinceCode", &new.province_code).await?;
    if let Some(code) = &new.code {
        code_is_free(txn, code, None).await?;
    }
    if let Some(parent) = &new.parent_id {
        agency_ref(txn, "input.parentKey", parent, &province.code).await?;
    }
    let base = format!("{}-{}", province.slug, slug(&new.name));
    let taken: HashSet<String> = agency::Entity::find()
        .select_only()
        .column(agency::Column::Id)
        .filter(agency::Column::Id.starts_with(&base))
        .into_tuple::<String>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let row = agency::ActiveModel {
        id: Set(free_key(&base, &taken)),
        code: Set(new.code.map(|c| c.as_str().to_owned())),
        name_folded: Set(fold(&new.name)),
        name: Set(new.name),
        kind: Set(new.kind),
        province_code: Set(province.code),
        parent_id: Set(new.parent_id),
        approval_role: Set(None),
        version: Set(1),
        source_file: Set(None),
        source_line: Set(None),
        source_line_end: Set(None),
    };
    write.create("create", row).await
}

/// Refuses a parent that is the agency itself or one of its descendants (walks up from the new parent).
#[tracing::instrument(level = "debug", skip_all, fields(key, parent))]
async fn check_no_cycle(txn: &DatabaseTransaction, key: &str, parent: &str) -> Result<()> {
    let cycle = || Error::bad_input("input.parentKey", "an agency cannot be its own ancestor");
    let mut next = Some(parent.to_owned());
    // Seeded hierarchies are two or three levels deep; the bound only guards against a corrupt chain.
    for _ in 0..64 {
        let Some(current) = next else {
            return Ok(());
        };
        if current == key {
            return Err(cycle());
        }
        next = agency::Entity::find_by_id(current)
            .one(txn)
            .await?
            .and_then(|a| a.parent_id);
    }
    Err(cycle())
}

#[tracing::instrument(skip_all, fields(actor = %actor.subject, key))]
pub async fn update_agency(
    store: &Store,
    actor: &Actor,
    key: &str,
    version: i32,
    changes: AgencyChanges,
) -> Result<agency::Model> {
    let write = Write::begin(store, actor).await?;
    let txn = write.txn();
    let current = agency::Entity::find_by_id(key.to_owned())
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("agency"))?;
    let current = check(current, version)?;
    if let Some(Some(code)) = &changes.code {
        code_is_free(txn, code, Some(key)).await?;
    }
    if let Some(Some(parent)) = &changes.parent_id {
        agency_ref(txn, "input.parentKey", parent, &current.row().province_code).await?;
        check_no_cycle(txn, key, parent).await?;
    }
    write
        .update("update", current, |row: &mut agency::ActiveModel| {
            if let Some(name) = changes.name {
                row.name_folded = Set(fold(&name));
                row.name = Set(name);
            }
            if let Some(kind) = changes.kind {
                row.kind = Set(kind);
            }
            if let Some(code) = changes.code {
                row.code = Set(code.map(|c| c.as_str().to_owned()));
            }
            if let Some(parent) = changes.parent_id {
                row.parent_id = Set(parent);
            }
            if let Some(role) = changes.approval_role {
                row.approval_role = Set(role);
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_bounded() {
        assert_eq!(slug("Sở Khoa học và Công nghệ"), "so-khoa-hoc-va-cong-nghe");
        assert_eq!(slug("  Đài PT-TH  "), "dai-pt-th");
        assert_eq!(slug("!!!"), "x");
        assert!(slug(&"Trung tâm ".repeat(20)).len() <= MAX_SLUG);
    }

    #[test]
    fn free_keys_skip_taken_ones() {
        let taken: HashSet<String> = ["a".to_owned(), "a-2".to_owned()].into();
        assert_eq!(free_key("a", &taken), "a-3");
        assert_eq!(free_key("b", &taken), "b");
    }
}
