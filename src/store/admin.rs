//! Registry administration (scope `registry:admin`): agencies here, projects in [`projects`], national-database links
//! in [`links`]. Every write is one transaction: referenced rows checked, the change made with the version in the
//! UPDATE's WHERE, the search index kept in step, an audit event appended, then [`Store::commit`].
//!
//! Rows seeded from a plan keep their source when an administrator edits them: `source` still cites where the seeded
//! values came from, `version > 1` tells that the row was edited, and the audit trail tells by whom and what changed.
//! Rows an administrator creates have no source at all.

pub mod links;
pub mod projects;

use std::collections::HashSet;

use entities::{agency, province, search_entry};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QuerySelect, SqlErr, TransactionTrait,
};
use serde_json::json;

use super::{
    audit::{record, Actor},
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
    pub kind: String,
    pub province_code: String,
    pub code: Option<AgencyCode>,
    pub parent_id: Option<String>,
}

/// Changes to an agency: `None` leaves a field as it is; `Some(None)` clears a nullable one.
#[derive(Default)]
pub struct AgencyChanges {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub code: Option<Option<AgencyCode>>,
    pub parent_id: Option<Option<String>>,
    pub approval_role: Option<Option<String>>,
}

fn snapshot(m: &agency::Model) -> serde_json::Value {
    json!({
        "key": m.id, "code": m.code, "name": m.name, "kind": m.kind, "province": m.province_code,
        "parent": m.parent_id, "approvalRole": m.approval_role, "version": m.version,
        "source": m.source_file.as_ref().map(|f| json!({ "file": f, "line": m.source_line })),
    })
}

/// A unique-constraint violation (two writers raced past a check) as `CONFLICT`; anything else stays internal.
pub(crate) fn conflict_on_unique(err: DbErr, message: &str) -> Error {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::conflict(message),
        _ => Error::Database(err),
    }
}

/// The province `code`, referenced by the input field `field`.
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

/// Sets the search entry of `(kind, key)` to `title`, creating it when the row is new.
pub(crate) async fn index(
    txn: &DatabaseTransaction,
    kind: &str,
    key: &str,
    title: &str,
) -> Result<()> {
    use search_entry::Column as C;
    let updated = search_entry::Entity::update_many()
        .col_expr(C::Title, Expr::value(title.to_owned()))
        .col_expr(C::Folded, Expr::value(fold(title)))
        .filter(C::Kind.eq(kind))
        .filter(C::NodeKey.eq(key))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        search_entry::ActiveModel {
            id: NotSet,
            kind: Set(kind.to_owned()),
            node_key: Set(key.to_owned()),
            title: Set(title.to_owned()),
            folded: Set(fold(title)),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// `CONFLICT` when another agency than `except` has the official `code`.
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

const DUPLICATE_CODE: &str = "another agency has this official code";

#[tracing::instrument(skip_all, fields(actor = %actor.subject))]
pub async fn create_agency(store: &Store, actor: &Actor, new: NewAgency) -> Result<agency::Model> {
    let txn = store.db.begin().await?;
    let province = province_ref(&txn, "input.provinceCode", &new.province_code).await?;
    if let Some(code) = &new.code {
        code_is_free(&txn, code, None).await?;
    }
    if let Some(parent) = &new.parent_id {
        agency_ref(&txn, "input.parentKey", parent, &province.code).await?;
    }
    let base = format!("{}-{}", province.slug, slug(&new.name));
    let taken: HashSet<String> = agency::Entity::find()
        .select_only()
        .column(agency::Column::Id)
        .filter(agency::Column::Id.starts_with(&base))
        .into_tuple::<String>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let key = free_key(&base, &taken);
    let model = agency::ActiveModel {
        id: Set(key.clone()),
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
    }
    .insert(&txn)
    .await
    .map_err(|e| conflict_on_unique(e, DUPLICATE_CODE))?;
    index(&txn, "AGENCY", &key, &model.name).await?;
    let event = record(
        &txn,
        actor,
        "create",
        AGENCY,
        &key,
        None,
        Some(snapshot(&model)),
    )
    .await?;
    store.commit(txn, &[event]).await?;
    Ok(model)
}

/// Refuses a parent that is the agency itself or one of its descendants (walks up from the new parent).
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
    let txn = store.db.begin().await?;
    let current = agency::Entity::find_by_id(key.to_owned())
        .one(&txn)
        .await?
        .ok_or_else(|| Error::not_found("agency"))?;
    super::expect_version("the agency", version, current.version)?;
    if let Some(Some(code)) = &changes.code {
        code_is_free(&txn, code, Some(key)).await?;
    }
    if let Some(Some(parent)) = &changes.parent_id {
        agency_ref(&txn, "input.parentKey", parent, &current.province_code).await?;
        check_no_cycle(&txn, key, parent).await?;
    }
    let before = snapshot(&current);
    let mut row: agency::ActiveModel = current.into();
    if let Some(name) = &changes.name {
        row.name = Set(name.clone());
        row.name_folded = Set(fold(name));
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
    row.version = Set(version + 1);
    // The version in the WHERE clause closes the race between the read above and this write.
    let updated = agency::Entity::update_many()
        .set(row)
        .filter(agency::Column::Id.eq(key))
        .filter(agency::Column::Version.eq(version))
        .exec_with_returning(&txn)
        .await
        .map_err(|e| conflict_on_unique(e, DUPLICATE_CODE))?;
    let Some(updated) = updated.into_iter().next() else {
        return Err(Error::conflict(
            "the agency changed concurrently: read it again",
        ));
    };
    if let Some(name) = &changes.name {
        index(&txn, "AGENCY", key, name).await?;
    }
    let event = record(
        &txn,
        actor,
        "update",
        AGENCY,
        key,
        Some(before),
        Some(snapshot(&updated)),
    )
    .await?;
    store.commit(txn, &[event]).await?;
    Ok(updated)
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
