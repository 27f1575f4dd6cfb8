//! A signed-in user of the web console: the principal the identity provider's claims mapped to, keyed by the SHA-256
//! of the session id that the browser's cookie holds.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "console_sessions")]
pub struct Model {
    /// Hex SHA-256 of the session id (the id itself is only in the cookie).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub subject: String,
    /// The agency's QĐ 20/2020 code.
    pub agency_code: String,
    /// The hub's scopes, space-separated.
    pub scopes: String,
    pub province: Option<String>,
    pub display_name: String,
    pub created_at_ms: i64,
    /// Last request seen (updated at most every tenth of the idle timeout).
    pub last_seen_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
