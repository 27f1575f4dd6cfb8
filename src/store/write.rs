//! The one write path of versioned rows: every creation, update and removal of an agency, a project, an information
//! system or a recorded national-database link goes through [`Write`], which checks the version the caller last read
//! ([`Checked`]), writes with that version in the statement's WHERE, keeps the search index in step, appends the audit
//! event and commits through [`Store::commit`] (commit, then drop cached reads, then announce). Nothing is committed
//! before the last step: an error anywhere drops the transaction, which rolls it back.
//!
//! An entity joins by implementing [`Versioned`]: its names, its audit snapshot and where it is searchable.

use sea_orm::{
    sea_query::Expr, ActiveModelBehavior, ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set,
    ColumnTrait, Condition, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel, Iterable,
    ModelTrait, PrimaryKeyToColumn, QueryFilter, SqlErr, TransactionTrait,
};

use super::{
    audit::{record, Actor},
    Store,
};
use crate::{
    error::{Error, Result},
    text::fold,
};
use entities::{enums::SearchKind, search_entry};

/// A table whose rows carry an optimistic-concurrency version and whose writes are audited.
pub(crate) trait Versioned:
    EntityTrait<Model: IntoActiveModel<Self::ActiveModel> + Sync, ActiveModel: Send>
{
    /// How messages name a row: "the agency".
    const WHAT: &'static str;
    /// The audit trail's `entity`.
    const AUDIT: &'static str;
    /// The version column.
    const VERSION: Self::Column;
    /// The `CONFLICT` message when a write breaks a unique constraint (two writers raced past a check).
    const DUPLICATE: &'static str;

    /// The row's key in the audit trail (and in the search index).
    fn key(m: &Self::Model) -> String;
    fn version(m: &Self::Model) -> i32;
    /// What the audit trail records of the row.
    fn snapshot(m: &Self::Model) -> serde_json::Value;
    /// The search index's kind and title of the row, for the searchable tables.
    fn search(_: &Self::Model) -> Option<(SearchKind, &str)> {
        None
    }
}

/// A row read for a write, still at the version the caller last read (the check itself, before any validation that
/// reads more rows, so a stale caller hears `CONFLICT` first).
pub(crate) struct Checked<E: EntityTrait> {
    row: E::Model,
    version: i32,
}

/// `CONFLICT` unless `row` is at `version`.
pub(crate) fn check<M, E>(row: M, version: i32) -> Result<Checked<E>>
where
    M: ModelTrait<Entity = E>,
    E: Versioned + EntityTrait<Model = M>,
{
    let now = E::version(&row);
    if now != version {
        return Err(Error::conflict(format!(
            "{} changed since version {version} (now {now}): read it again",
            E::WHAT
        )));
    }
    Ok(Checked { row, version })
}

impl<E: Versioned> Checked<E> {
    /// The row as read.
    pub fn row(&self) -> &E::Model {
        &self.row
    }

    /// The row's primary key, and the version read: the WHERE clause that closes the race between the read and the
    /// write.
    fn unchanged(&self) -> Condition {
        E::PrimaryKey::iter()
            .map(|k| k.into_column())
            .fold(Condition::all(), |c, col| c.add(col.eq(self.row.get(col))))
            .add(E::VERSION.eq(self.version))
    }

    fn changed_concurrently() -> Error {
        Error::conflict(format!("{} changed concurrently: read it again", E::WHAT))
    }
}

/// A unique-constraint violation as `CONFLICT` with `message`; anything else stays internal.
pub(crate) fn conflict_on_unique(err: DbErr, message: &str) -> Error {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::conflict(message),
        _ => Error::Database(err),
    }
}

/// One audited write in its transaction: read and validate through [`Write::txn`], then finish with exactly one of
/// [`Write::create`], [`Write::update`] or [`Write::delete`].
pub(crate) struct Write<'a> {
    store: &'a Store,
    actor: &'a Actor,
    txn: DatabaseTransaction,
    note: serde_json::Map<String, serde_json::Value>,
    /// The audit events of rows created on the way ([`Write::also_create`]), committed and announced with the last.
    events: Vec<entities::audit_event::Model>,
}

impl<'a> Write<'a> {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn begin(store: &'a Store, actor: &'a Actor) -> Result<Self> {
        Ok(Write {
            store,
            actor,
            txn: store.db.begin().await?,
            note: serde_json::Map::new(),
            events: Vec::new(),
        })
    }

    /// The write's transaction, for the reads that validate it.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Adds `fields` (a JSON object) to the audit event's `after`: what a step records that is not a column.
    pub fn note(&mut self, fields: serde_json::Value) {
        if let serde_json::Value::Object(fields) = fields {
            self.note.extend(fields);
        }
    }

    /// Inserts `row`, audited as `action`, in the same transaction as the write that finishes it: a step that makes
    /// one row out of another (an approval that creates a grant) commits both or neither.
    #[tracing::instrument(level = "debug", skip_all, fields(entity = E::AUDIT, action))]
    pub async fn also_create<A, E>(&mut self, action: &str, row: A) -> Result<E::Model>
    where
        A: ActiveModelBehavior<Entity = E>,
        E: Versioned + EntityTrait<ActiveModel = A>,
    {
        let model = row
            .insert(&self.txn)
            .await
            .map_err(|e| conflict_on_unique(e, E::DUPLICATE))?;
        if let Some((kind, title)) = E::search(&model) {
            index(&self.txn, kind, &E::key(&model), title).await?;
        }
        let event = record(
            &self.txn,
            self.actor,
            action,
            E::AUDIT,
            &E::key(&model),
            None,
            Some(E::snapshot(&model)),
        )
        .await?;
        self.events.push(event);
        Ok(model)
    }

    /// Inserts `row`, audited as `action`.
    #[tracing::instrument(level = "debug", skip_all, fields(entity = E::AUDIT, action))]
    pub async fn create<A, E>(self, action: &str, row: A) -> Result<E::Model>
    where
        A: ActiveModelBehavior<Entity = E>,
        E: Versioned + EntityTrait<ActiveModel = A>,
    {
        let model = row
            .insert(&self.txn)
            .await
            .map_err(|e| conflict_on_unique(e, E::DUPLICATE))?;
        if let Some((kind, title)) = E::search(&model) {
            index(&self.txn, kind, &E::key(&model), title).await?;
        }
        self.finish::<E>(action, E::key(&model), None, Some(&model))
            .await?;
        Ok(model)
    }

    /// Applies `edit` to the checked row and writes it at the next version, audited as `action`.
    #[tracing::instrument(level = "debug", skip_all, fields(entity = E::AUDIT, action))]
    pub async fn update<E: Versioned>(
        self,
        action: &str,
        current: Checked<E>,
        edit: impl FnOnce(&mut E::ActiveModel),
    ) -> Result<E::Model> {
        let mut row = current.row.clone().into_active_model();
        edit(&mut row);
        row.set(E::VERSION, (current.version + 1).into());
        let updated = E::update_many()
            .set(row)
            .filter(current.unchanged())
            .exec_with_returning(&self.txn)
            .await
            .map_err(|e| conflict_on_unique(e, E::DUPLICATE))?
            .into_iter()
            .next()
            .ok_or_else(Checked::<E>::changed_concurrently)?;
        if let Some((kind, title)) = E::search(&updated) {
            if E::search(&current.row).map(|(_, t)| t) != Some(title) {
                index(&self.txn, kind, &E::key(&updated), title).await?;
            }
        }
        let key = E::key(&updated);
        self.finish::<E>(action, key, Some(&current.row), Some(&updated))
            .await?;
        Ok(updated)
    }

    /// Removes the checked row, audited as `action`; returns it as it was.
    #[tracing::instrument(level = "debug", skip_all, fields(entity = E::AUDIT, action))]
    pub async fn delete<E: Versioned>(self, action: &str, current: Checked<E>) -> Result<E::Model> {
        let deleted = E::delete_many()
            .filter(current.unchanged())
            .exec(&self.txn)
            .await?;
        if deleted.rows_affected != 1 {
            return Err(Checked::<E>::changed_concurrently());
        }
        if let Some((kind, _)) = E::search(&current.row) {
            search_entry::Entity::delete_many()
                .filter(search_entry::Column::Kind.eq(kind))
                .filter(search_entry::Column::NodeKey.eq(E::key(&current.row)))
                .exec(&self.txn)
                .await?;
        }
        let key = E::key(&current.row);
        self.finish::<E>(action, key, Some(&current.row), None)
            .await?;
        Ok(current.row)
    }

    /// Appends the audit event, then commits.
    #[tracing::instrument(level = "debug", skip_all, fields(key = %key))]
    async fn finish<E: Versioned>(
        self,
        action: &str,
        key: String,
        before: Option<&E::Model>,
        after: Option<&E::Model>,
    ) -> Result<()> {
        let mut after = after.map(E::snapshot);
        if let Some(serde_json::Value::Object(fields)) = &mut after {
            fields.extend(self.note);
        }
        let event = record(
            &self.txn,
            self.actor,
            action,
            E::AUDIT,
            &key,
            before.map(E::snapshot),
            after,
        )
        .await?;
        let mut events = self.events;
        events.push(event);
        self.store.commit(self.txn, &events).await
    }
}

/// Sets the search entry of `(kind, key)` to `title`, creating it when the row is new.
#[tracing::instrument(level = "debug", skip(txn, title))]
async fn index(txn: &DatabaseTransaction, kind: SearchKind, key: &str, title: &str) -> Result<()> {
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
            kind: Set(kind),
            node_key: Set(key.to_owned()),
            title: Set(title.to_owned()),
            folded: Set(fold(title)),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}
