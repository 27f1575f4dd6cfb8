//! Connections between a province's LGSP and a national database, as an administrator records them.
//!
//! A plan's statements (a link with a plan, a quote and a source) stay as printed: nothing here changes or removes
//! them. An administrator records the current fact next to them, in at most one link per province and database (a
//! partial unique index) that has no plan, no quote and no source, only a status and a note; "connect" creates or
//! updates it, "disconnect" removes it. The audit key of a recorded link is `<province>:<database>`.

use entities::{national_database, national_database_link};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, TransactionTrait,
};
use serde_json::json;

use super::{conflict_on_unique, province_ref};
use crate::{
    error::{Error, Result},
    store::{
        audit::{record, Actor},
        Store,
    },
};

/// The audit trail's name for national-database links.
pub const LINK: &str = "national_database_link";

/// A connection to record, validated.
pub struct Connection {
    pub province_code: String,
    pub national_database_id: String,
    /// `connected` or `planned`.
    pub status: String,
    pub note: Option<String>,
    /// The recorded link's version last read, when the caller expects one to exist.
    pub version: Option<i32>,
}

fn snapshot(m: &national_database_link::Model) -> serde_json::Value {
    json!({
        "province": m.province_code, "nationalDatabase": m.national_database_id, "status": m.status,
        "note": m.note, "version": m.version,
    })
}

fn audit_key(province_code: &str, national_database_id: &str) -> String {
    format!("{province_code}:{national_database_id}")
}

/// The link an administrator recorded for the pair, if any.
async fn recorded(
    txn: &DatabaseTransaction,
    province_code: &str,
    national_database_id: &str,
) -> Result<Option<national_database_link::Model>> {
    use national_database_link::Column as C;
    Ok(national_database_link::Entity::find()
        .filter(C::ProvinceCode.eq(province_code))
        .filter(C::NationalDatabaseId.eq(national_database_id))
        .filter(C::PlanId.is_null())
        .one(txn)
        .await?)
}

fn stale(expected: i32, found: Option<i32>) -> Error {
    match found {
        Some(now) => Error::conflict(format!(
            "the recorded link changed since version {expected} (now {now}): read it again"
        )),
        None => Error::conflict(format!(
            "no recorded link at version {expected}: it was removed, read it again"
        )),
    }
}

#[tracing::instrument(skip_all, fields(actor = %actor.subject))]
pub async fn connect(
    store: &Store,
    actor: &Actor,
    c: Connection,
) -> Result<national_database_link::Model> {
    let txn = store.db.begin().await?;
    let province = province_ref(&txn, "provinceCode", &c.province_code).await?;
    national_database::Entity::find_by_id(c.national_database_id.clone())
        .one(&txn)
        .await?
        .ok_or_else(|| {
            Error::bad_input(
                "nationalDatabaseKey",
                format!("there is no national database `{}`", c.national_database_id),
            )
        })?;
    let key = audit_key(&province.code, &c.national_database_id);
    let existing = recorded(&txn, &province.code, &c.national_database_id).await?;
    if let Some(expected) = c.version {
        if existing.as_ref().map(|l| l.version) != Some(expected) {
            return Err(stale(expected, existing.map(|l| l.version)));
        }
    }
    let (action, before, model) = match existing {
        None => {
            let model = national_database_link::ActiveModel {
                id: NotSet,
                national_database_id: Set(c.national_database_id.clone()),
                province_code: Set(province.code.clone()),
                plan_id: Set(None),
                status: Set(c.status),
                quote: Set(None),
                note: Set(c.note),
                version: Set(1),
                source_file: Set(None),
                source_line: Set(None),
                source_line_end: Set(None),
            }
            .insert(&txn)
            .await
            .map_err(|e| {
                conflict_on_unique(e, "the link was recorded concurrently: read it again")
            })?;
            ("connect", None, model)
        }
        Some(current) => {
            let before = snapshot(&current);
            let version = current.version;
            let id = current.id;
            let mut row: national_database_link::ActiveModel = current.into();
            row.status = Set(c.status);
            row.note = Set(c.note);
            row.version = Set(version + 1);
            let updated = national_database_link::Entity::update_many()
                .set(row)
                .filter(national_database_link::Column::Id.eq(id))
                .filter(national_database_link::Column::Version.eq(version))
                .exec_with_returning(&txn)
                .await?;
            let Some(model) = updated.into_iter().next() else {
                return Err(Error::conflict(
                    "the recorded link changed concurrently: read it again",
                ));
            };
            ("update", Some(before), model)
        }
    };
    let event = record(
        &txn,
        actor,
        action,
        LINK,
        &key,
        before,
        Some(snapshot(&model)),
    )
    .await?;
    store.commit(txn, &[event]).await?;
    Ok(model)
}

/// Removes the link an administrator recorded for the pair; returns it as it was.
#[tracing::instrument(skip_all, fields(actor = %actor.subject))]
pub async fn disconnect(
    store: &Store,
    actor: &Actor,
    province_code: &str,
    national_database_id: &str,
    version: i32,
) -> Result<national_database_link::Model> {
    let txn = store.db.begin().await?;
    let Some(current) = recorded(&txn, province_code, national_database_id).await? else {
        return Err(Error::not_found(
            "a link recorded by an administrator (plan statements stay as printed)",
        ));
    };
    crate::store::expect_version("the recorded link", version, current.version)?;
    let deleted = national_database_link::Entity::delete_many()
        .filter(national_database_link::Column::Id.eq(current.id))
        .filter(national_database_link::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if deleted.rows_affected != 1 {
        return Err(Error::conflict(
            "the recorded link changed concurrently: read it again",
        ));
    }
    let key = audit_key(province_code, national_database_id);
    let event = record(
        &txn,
        actor,
        "disconnect",
        LINK,
        &key,
        Some(snapshot(&current)),
        None,
    )
    .await?;
    store.commit(txn, &[event]).await?;
    Ok(current)
}
