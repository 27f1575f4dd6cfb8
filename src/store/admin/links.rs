//! Connections between a province's LGSP and a national database, as an administrator records them.
//!
//! A plan's statements (a link with a plan, a quote and a source) stay as printed: nothing here changes or removes
//! them. An administrator records the current fact next to them, in at most one link per province and database (a
//! partial unique index) that has no plan, no quote and no source, only a status and a note; "connect" creates or
//! updates it, "disconnect" removes it. The audit key of a recorded link is `<province>:<database>`.

use entities::{enums::ConnectionStatus, national_database, national_database_link};
use sea_orm::{
    ActiveEnum, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, DatabaseTransaction,
    EntityTrait, QueryFilter,
};
use serde_json::json;

use super::province_ref;
use crate::{
    error::{Error, Result},
    store::{
        audit::Actor,
        write::{check, Versioned, Write},
        Store,
    },
};

/// The audit trail's name for national-database links.
pub const LINK: &str = "national_database_link";

/// A connection to record, validated.
pub struct Connection {
    pub province_code: String,
    pub national_database_id: String,
    pub status: ConnectionStatus,
    pub note: Option<String>,
    /// The recorded link's version last read, when the caller expects one to exist.
    pub version: Option<i32>,
}

/// The audit key of a recorded link is `<province>:<database>`.
impl Versioned for national_database_link::Entity {
    const WHAT: &'static str = "the recorded link";
    const AUDIT: &'static str = LINK;
    const VERSION: national_database_link::Column = national_database_link::Column::Version;
    const DUPLICATE: &'static str = "the link was recorded concurrently: read it again";

    fn key(m: &national_database_link::Model) -> String {
        format!("{}:{}", m.province_code, m.national_database_id)
    }

    fn version(m: &national_database_link::Model) -> i32 {
        m.version
    }

    fn snapshot(m: &national_database_link::Model) -> serde_json::Value {
        json!({
            "province": m.province_code, "nationalDatabase": m.national_database_id, "status": m.status.to_value(),
            "note": m.note, "version": m.version,
        })
    }
}

/// The link an administrator recorded for the pair, if any.
#[tracing::instrument(level = "debug", skip_all, fields(province_code, national_database_id))]
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

#[tracing::instrument(skip_all, fields(actor = %actor.subject))]
pub async fn connect(
    store: &Store,
    actor: &Actor,
    c: Connection,
) -> Result<national_database_link::Model> {
    let write = Write::begin(store, actor).await?;
    let txn = write.txn();
    let province = province_ref(txn, "provinceCode", &c.province_code).await?;
    national_database::Entity::find_by_id(c.national_database_id.clone())
        .one(txn)
        .await?
        .ok_or_else(|| {
            Error::bad_input(
                "nationalDatabaseKey",
                format!("there is no national database `{}`", c.national_database_id),
            )
        })?;
    match recorded(txn, &province.code, &c.national_database_id).await? {
        None => {
            if let Some(expected) = c.version {
                return Err(Error::conflict(format!(
                    "no recorded link at version {expected}: it was removed, read it again"
                )));
            }
            let row = national_database_link::ActiveModel {
                id: NotSet,
                national_database_id: Set(c.national_database_id),
                province_code: Set(province.code),
                plan_id: Set(None),
                status: Set(c.status),
                quote: Set(None),
                note: Set(c.note),
                version: Set(1),
                source_file: Set(None),
                source_line: Set(None),
                source_line_end: Set(None),
            };
            write.create("connect", row).await
        }
        Some(current) => {
            // Without a version the caller means "whatever is recorded": the one just read.
            let version = c.version.unwrap_or(current.version);
            let current = check(current, version)?;
            write
                .update(
                    "update",
                    current,
                    |row: &mut national_database_link::ActiveModel| {
                        row.status = Set(c.status);
                        row.note = Set(c.note);
                    },
                )
                .await
        }
    }
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
    let write = Write::begin(store, actor).await?;
    let Some(current) = recorded(write.txn(), province_code, national_database_id).await? else {
        return Err(Error::not_found(
            "a link recorded by an administrator (plan statements stay as printed)",
        ));
    };
    write.delete("disconnect", check(current, version)?).await
}
