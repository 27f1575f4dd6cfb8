//! The session and sign-in rows (`console_sessions`, `console_sign_ins`). These are the console's own state, not the
//! registries: they are read and written here, not through the schema, and never audited (sign-in and sign-out are
//! logged instead).

use entities::{console_session, console_sign_in};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    Set,
};

use super::{csrf_token, hash, SignedIn};
use crate::{auth::Principal, clock::SharedClock, codes::AgencyCode};

/// How long a sign-in may take between the redirect to the provider and its callback.
pub const SIGN_IN_TTL_MS: i64 = 10 * 60 * 1000;

/// How sessions behave.
#[derive(Clone)]
pub struct SessionSettings {
    pub idle_ms: i64,
    pub absolute_ms: i64,
    /// Cookies carry `Secure` (the console is not served on the loopback).
    pub secure_cookie: bool,
    /// What "now" is (tests move a manual clock to expire sessions).
    pub clock: SharedClock,
}

impl SessionSettings {
    fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// A session last used at `last_seen` is touched again only after a tenth of the idle timeout (at most a minute),
    /// so that a page view is not also a write; the idle timeout is then at most a tenth shorter.
    fn touch_after_ms(&self) -> i64 {
        (self.idle_ms / 10).min(60_000)
    }
}

impl Default for SessionSettings {
    fn default() -> SessionSettings {
        SessionSettings {
            idle_ms: crate::config::console::DEFAULT_IDLE_TIMEOUT_S as i64 * 1000,
            absolute_ms: crate::config::console::DEFAULT_ABSOLUTE_TIMEOUT_S as i64 * 1000,
            secure_cookie: true,
            clock: std::sync::Arc::new(crate::clock::SystemClock),
        }
    }
}

/// Who signed in: the mapped principal and the name to show.
#[derive(Debug, Clone)]
pub struct Identity {
    pub principal: Principal,
    pub display_name: String,
}

/// Starts a session for `who`; returns its id (for the cookie only). Sessions and sign-ins past their time are
/// deleted on the way, so the tables hold only live rows and a few dead ones.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    settings: &SessionSettings,
    who: &Identity,
) -> Result<String, DbErr> {
    let now = settings.now();
    purge(db, settings, now).await?;
    let id = openidconnect::CsrfToken::new_random_len(32).into_secret();
    let p = &who.principal;
    console_session::ActiveModel {
        id_hash: Set(hash(&id)),
        subject: Set(p.subject.clone()),
        agency_code: Set(p.agency.as_str().to_owned()),
        scopes: Set(p.scopes.iter().cloned().collect::<Vec<_>>().join(" ")),
        province: Set(p.province.clone()),
        display_name: Set(who.display_name.clone()),
        created_at_ms: Set(now),
        last_seen_ms: Set(now),
    }
    .insert(db)
    .await?;
    Ok(id)
}

async fn purge(db: &DatabaseConnection, settings: &SessionSettings, now: i64) -> Result<(), DbErr> {
    console_session::Entity::delete_many()
        .filter(
            Condition::any()
                .add(console_session::Column::LastSeenMs.lt(now - settings.idle_ms))
                .add(console_session::Column::CreatedAtMs.lt(now - settings.absolute_ms)),
        )
        .exec(db)
        .await?;
    console_sign_in::Entity::delete_many()
        .filter(console_sign_in::Column::CreatedAtMs.lt(now - SIGN_IN_TTL_MS))
        .exec(db)
        .await?;
    Ok(())
}

/// The live session whose id is `id`, marked as used; `None` when there is none, it has timed out (and is then
/// deleted), or the database cannot say (logged: the user is asked to sign in rather than shown an error).
#[tracing::instrument(skip_all)]
pub async fn find(
    db: &DatabaseConnection,
    settings: &SessionSettings,
    id: &str,
) -> Option<SignedIn> {
    let id_hash = hash(id);
    let row = match console_session::Entity::find_by_id(id_hash.clone())
        .one(db)
        .await
    {
        Ok(row) => row?,
        Err(e) => {
            tracing::warn!(error = %e, "console session lookup failed");
            return None;
        }
    };
    let now = settings.now();
    if now - row.last_seen_ms > settings.idle_ms || now - row.created_at_ms > settings.absolute_ms {
        let _ = console_session::Entity::delete_by_id(id_hash)
            .exec(db)
            .await;
        return None;
    }
    if now - row.last_seen_ms >= settings.touch_after_ms() {
        let touched = console_session::Entity::update_many()
            .col_expr(
                console_session::Column::LastSeenMs,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(console_session::Column::IdHash.eq(id_hash))
            .exec(db)
            .await;
        if let Err(e) = touched {
            tracing::warn!(error = %e, "console session not marked as used");
        }
    }
    // The agency was a valid code when the session was made; a row that no longer parses is no session.
    let agency = AgencyCode::parse("agency", &row.agency_code).ok()?;
    Some(SignedIn {
        principal: Principal {
            subject: row.subject,
            agency,
            scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
            province: row.province,
        },
        display_name: row.display_name,
        csrf_token: csrf_token(id),
    })
}

/// Ends the session whose id is `id` (sign-out): its row goes, so its cookie is worth nothing anywhere.
#[tracing::instrument(skip_all)]
pub async fn end(db: &DatabaseConnection, id: &str) -> Result<(), DbErr> {
    console_session::Entity::delete_by_id(hash(id))
        .exec(db)
        .await?;
    Ok(())
}

/// What a sign-in in progress remembers for its callback.
#[derive(Debug)]
pub struct Pending {
    pub pkce_verifier: String,
    pub nonce: String,
    pub next_path: String,
}

/// Records a sign-in in progress under its `state`.
#[tracing::instrument(skip_all)]
pub async fn begin_sign_in(
    db: &DatabaseConnection,
    settings: &SessionSettings,
    state: &str,
    pending: Pending,
) -> Result<(), DbErr> {
    console_sign_in::ActiveModel {
        state_hash: Set(hash(state)),
        pkce_verifier: Set(pending.pkce_verifier),
        nonce: Set(pending.nonce),
        next_path: Set(pending.next_path),
        created_at_ms: Set(settings.now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The sign-in in progress under `state`, taken once: a second callback with the same state finds nothing, nor one
/// past [`SIGN_IN_TTL_MS`].
#[tracing::instrument(skip_all)]
pub async fn take_sign_in(
    db: &DatabaseConnection,
    settings: &SessionSettings,
    state: &str,
) -> Result<Option<Pending>, DbErr> {
    let key = hash(state);
    let Some(row) = console_sign_in::Entity::find_by_id(key.clone())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    // Whoever deletes the row owns the sign-in: two callbacks racing on replicas get it once.
    let deleted = console_sign_in::Entity::delete_by_id(key).exec(db).await?;
    if deleted.rows_affected != 1 || settings.now() - row.created_at_ms > SIGN_IN_TTL_MS {
        return Ok(None);
    }
    Ok(Some(Pending {
        pkce_verifier: row.pkce_verifier,
        nonce: row.nonce,
        next_path: row.next_path,
    }))
}
