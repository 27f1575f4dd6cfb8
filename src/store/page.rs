//! Keyset pagination with opaque, tamper-evident cursors.
//!
//! A page is read with `WHERE (sort_key, id) > (cursor_key, cursor_id) ORDER BY sort_key, id LIMIT n + 1`, never
//! with OFFSET, so page 1000 costs what page 1 costs. A cursor carries the sort order it was made for, the sort key
//! and the id of its row, and an HMAC-SHA256 tag under the server's cursor key ([`CursorKey`]): a cursor that was
//! edited, truncated, made under another key (or in the old unkeyed format), or made for another order is rejected as
//! `BAD_USER_INPUT` instead of silently returning a wrong page. Cursors grant nothing; the key makes them
//! unforgeable, so what a cursor carries into SQL is only ever what the hub itself wrote.

use std::sync::Arc;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sea_orm::{
    sea_query::{Expr, ExprTrait, SimpleExpr},
    Condition, ConnectionTrait, DbErr, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QueryResult, QuerySelect, QueryTrait, Select,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{Error, Result};

/// A sort key value or id as carried in a cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyValue {
    Int(i64),
    Text(String),
}

impl From<KeyValue> for sea_orm::Value {
    fn from(v: KeyValue) -> Self {
        match v {
            KeyValue::Int(i) => i.into(),
            KeyValue::Text(s) => s.into(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct CursorData {
    /// The sort order the cursor was made for.
    o: String,
    /// The sort key of the row.
    k: KeyValue,
    /// The id of the row (the tie-breaker).
    i: KeyValue,
}

/// Length of a cursor's tag: a whole HMAC-SHA256.
const TAG_LEN: usize = 32;
/// Binds tags to this use and format of the key.
const TAG_CONTEXT: &[u8] = b"lgsp-hub/cursor/v2";

/// The server key that tags cursors (`cursor_key`; replicas must share it). Cheap to clone.
#[derive(Clone)]
pub struct CursorKey(Arc<Hmac<Sha256>>);

impl CursorKey {
    pub fn new(secret: &[u8]) -> CursorKey {
        // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
        let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        mac.update(TAG_CONTEXT);
        CursorKey(Arc::new(mac))
    }

    /// The keyed state after the context, ready for a payload.
    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = (*self.0).clone();
        mac.update(payload);
        mac
    }

    fn encode(&self, order: &str, key: KeyValue, id: KeyValue) -> String {
        let data = CursorData {
            o: order.to_owned(),
            k: key,
            i: id,
        };
        self.seal(&data)
    }

    fn seal(&self, data: &CursorData) -> String {
        let mut bytes = serde_json::to_vec(data).unwrap_or_default();
        let tag = self.mac(&bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn decode(&self, field: &str, cursor: &str, order: &str) -> Result<CursorData> {
        let bad = || {
            Error::bad_input(
                field,
                format!("`{field}` is not a valid cursor of this connection"),
            )
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor.as_bytes())
            .map_err(|_| bad())?;
        let Some(split) = bytes.len().checked_sub(TAG_LEN).filter(|n| *n > 0) else {
            return Err(bad());
        };
        let (payload, tag) = bytes.split_at(split);
        // Constant-time comparison: timing tells nothing about how much of a forged tag was right.
        self.mac(payload).verify_slice(tag).map_err(|_| bad())?;
        let data: CursorData = serde_json::from_slice(payload).map_err(|_| bad())?;
        if data.o != order {
            return Err(Error::bad_input(
                field,
                format!("`{field}` was made for another sort order"),
            ));
        }
        Ok(data)
    }
}

/// The pagination arguments of a connection field, as the client sent them.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// How rows are ordered: a name for cursors, the key expression, and how to read key and id back from a row.
pub struct SortSpec<E: EntityTrait> {
    pub name: &'static str,
    pub key: SimpleExpr,
    pub id: SimpleExpr,
    pub descending: bool,
    pub key_of: fn(&E::Model) -> KeyValue,
    pub id_of: fn(&E::Model) -> KeyValue,
}

/// A row's cursor, sealed (tagged and encoded) only if it is read: most pages are read without their cursors (a
/// client that does not page on, or pages with `pageInfo.endCursor` alone), and sealing one costs an HMAC and a few
/// allocations.
pub struct Cursor {
    cursors: CursorKey,
    order: &'static str,
    key: KeyValue,
    id: KeyValue,
}

impl Cursor {
    /// The opaque text a client sends back as `after` or `before`.
    pub fn seal(&self) -> String {
        self.cursors
            .encode(self.order, self.key.clone(), self.id.clone())
    }
}

/// One page of rows with their cursors.
pub struct Page<M> {
    pub rows: Vec<(Cursor, M)>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
    pub total_count: u64,
}

/// Default page size when the client gives neither `first` nor `last`.
pub const DEFAULT_PAGE_SIZE: usize = 20;

fn page_size(field: &str, n: Option<i32>, max: usize) -> Result<Option<usize>> {
    match n {
        None => Ok(None),
        Some(n) if n < 0 => Err(Error::bad_input(
            field,
            format!("`{field}` must not be negative"),
        )),
        Some(n) if n as usize > max => Err(Error::bad_input(
            field,
            format!("`{field}` must be at most {max}"),
        )),
        Some(n) => Ok(Some(n as usize)),
    }
}

/// The row count of `select`, through the read cache (keyed by the statement's SQL with its values).
#[tracing::instrument(level = "debug", skip_all)]
async fn count<E: EntityTrait>(store: &super::Store, select: &Select<E>) -> Result<u64>
where
    E::Model: Sync,
{
    let counts = &store.cache.counts;
    let key = counts
        .enabled()
        .then(|| select.build(store.db.get_database_backend()).to_string());
    if let Some(hit) = key.as_ref().and_then(|k| counts.get(k)) {
        return Ok(hit);
    }
    let n = select.clone().count(&store.db).await?;
    if let Some(k) = key {
        counts.put(k, n);
    }
    Ok(n)
}

/// A reader of the rows of a statement that selects only some of a table's columns (sea-orm's own decoding wants
/// them all).
pub type Decode<'a, M> = &'a (dyn Fn(&QueryResult) -> std::result::Result<M, DbErr> + Sync);

/// Reads one page of `select` in `sort` order, with the total count of `select`.
pub async fn fetch_page<E>(
    store: &super::Store,
    select: Select<E>,
    sort: &SortSpec<E>,
    args: &PageArgs,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
{
    fetch_page_with(store, select, sort, args, None).await
}

/// As [`fetch_page`], with the rows read by `decode` when given.
#[tracing::instrument(level = "debug", skip_all, fields(sort = sort.name))]
pub async fn fetch_page_with<E>(
    store: &super::Store,
    select: Select<E>,
    sort: &SortSpec<E>,
    args: &PageArgs,
    decode: Option<Decode<'_, E::Model>>,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let db = &store.db;
    let max_page_size = store.max_page_size;
    let first = page_size("first", args.first, max_page_size)?;
    let last = page_size("last", args.last, max_page_size)?;
    if first.is_some() && last.is_some() {
        return Err(Error::bad_input("last", "give `first` or `last`, not both"));
    }
    if args.after.is_some() && args.before.is_some() {
        return Err(Error::bad_input(
            "before",
            "give `after` or `before`, not both",
        ));
    }
    let backward = last.is_some() || (first.is_none() && args.before.is_some());
    let limit = first
        .or(last)
        .unwrap_or(DEFAULT_PAGE_SIZE.min(max_page_size));
    let (cursor_field, cursor) = match (&args.after, &args.before) {
        (Some(c), _) => ("after", Some(c)),
        (_, Some(c)) => ("before", Some(c)),
        _ => ("after", None),
    };
    if backward && args.after.is_some() {
        return Err(Error::bad_input("after", "use `before` with `last`"));
    }
    if !backward && args.before.is_some() {
        return Err(Error::bad_input("before", "use `after` with `first`"));
    }
    let cursor = cursor
        .map(|c| store.cursors.decode(cursor_field, c, sort.name))
        .transpose()?;

    let total_count = count(store, &select).await?;

    // Reading backward walks the order in reverse from the cursor, then flips the rows back.
    let descending = sort.descending != backward;
    let mut query = select;
    if let Some(c) = cursor {
        let key = Expr::val(sea_orm::Value::from(c.k));
        let id = Expr::val(sea_orm::Value::from(c.i));
        // `key >= v AND (key > v OR id > i)`: the same rows as `(key, id) > (v, i)`, written so that both SQLite and
        // PostgreSQL start an index range at `v` instead of scanning from the first row.
        let (from, beyond_key, beyond_id) = if descending {
            (
                sort.key.clone().lte(key.clone()),
                sort.key.clone().lt(key),
                sort.id.clone().lt(id),
            )
        } else {
            (
                sort.key.clone().gte(key.clone()),
                sort.key.clone().gt(key),
                sort.id.clone().gt(id),
            )
        };
        query = query.filter(
            Condition::all()
                .add(from)
                .add(Condition::any().add(beyond_key).add(beyond_id)),
        );
    }
    let order = if descending { Order::Desc } else { Order::Asc };
    let query = query
        .order_by(sort.key.clone(), order.clone())
        .order_by(sort.id.clone(), order)
        .limit(limit as u64 + 1);
    let mut rows = match decode {
        None => query.all(db).await?,
        Some(decode) => db
            .query_all(query.as_query())
            .await?
            .iter()
            .map(decode)
            .collect::<std::result::Result<Vec<_>, DbErr>>()?,
    };
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    if backward {
        rows.reverse();
    }
    let rows = rows
        .into_iter()
        .map(|m| {
            let cursor = Cursor {
                cursors: store.cursors.clone(),
                order: sort.name,
                key: (sort.key_of)(&m),
                id: (sort.id_of)(&m),
            };
            (cursor, m)
        })
        .collect();
    Ok(Page {
        rows,
        has_previous_page: if backward {
            has_more
        } else {
            args.after.is_some()
        },
        has_next_page: if backward {
            args.before.is_some()
        } else {
            has_more
        },
        total_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"unit-test-cursor-key-of-32-bytes!!";

    fn refused(key: &CursorKey, cursor: &str) -> bool {
        matches!(
            key.decode("after", cursor, "NAME_ASC"),
            Err(Error::BadInput { .. })
        )
    }

    #[test]
    fn cursor_round_trips() {
        let key = CursorKey::new(KEY);
        let c = key.encode(
            "NAME_ASC",
            KeyValue::Text("Hà Tĩnh".into()),
            KeyValue::Int(7),
        );
        let d = key.decode("after", &c, "NAME_ASC").expect("valid");
        assert_eq!(d.k, KeyValue::Text("Hà Tĩnh".into()));
        assert_eq!(d.i, KeyValue::Int(7));
        assert!(
            CursorKey::new(KEY).decode("after", &c, "NAME_ASC").is_ok(),
            "the same key (another replica) reads it"
        );
    }

    #[test]
    fn every_tampered_byte_is_refused() {
        let key = CursorKey::new(KEY);
        let c = key.encode("NAME_ASC", KeyValue::Text("a".into()), KeyValue::Int(7));
        let bytes = URL_SAFE_NO_PAD.decode(c.as_bytes()).expect("base64");
        for i in 0..bytes.len() {
            for flip in [0x01, 0x80] {
                let mut tampered = bytes.clone();
                tampered[i] ^= flip;
                assert!(
                    refused(&key, &URL_SAFE_NO_PAD.encode(&tampered)),
                    "byte {i} ^ {flip:#x} accepted"
                );
            }
        }
    }

    #[test]
    fn truncated_extended_and_garbled_cursors_are_refused() {
        let key = CursorKey::new(KEY);
        let c = key.encode("NAME_ASC", KeyValue::Int(3), KeyValue::Int(7));
        let bytes = URL_SAFE_NO_PAD.decode(c.as_bytes()).expect("base64");
        for n in 0..bytes.len() {
            assert!(
                refused(&key, &URL_SAFE_NO_PAD.encode(&bytes[..n])),
                "{n} bytes"
            );
            assert!(refused(&key, &c[..n.min(c.len())]), "{n} characters");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(refused(&key, &URL_SAFE_NO_PAD.encode(longer)));
        for garbage in ["", "not a cursor!", "====", "🙂", &"A".repeat(10_000)] {
            assert!(refused(&key, garbage), "{garbage}");
        }
        // A well-tagged cursor for another order is refused too.
        assert!(key.decode("after", &c, "NAME_DESC").is_err());
    }

    #[test]
    fn cursors_of_another_key_or_the_old_format_are_refused() {
        let key = CursorKey::new(KEY);
        let other = CursorKey::new(b"another-cursor-key-of-32-bytes!!!!");
        let foreign = other.encode("NAME_ASC", KeyValue::Int(3), KeyValue::Int(7));
        assert!(refused(&key, &foreign));
        // The old format: the JSON payload and 8 bytes of an unkeyed `DefaultHasher` checksum.
        let mut old = br#"{"o":"NAME_ASC","k":3,"i":7}"#.to_vec();
        let sum = {
            use std::hash::{Hash, Hasher};
            let mut h = std::hash::DefaultHasher::new();
            b"lgsp-hub/cursor/v1".hash(&mut h);
            old.hash(&mut h);
            h.finish().to_le_bytes()
        };
        old.extend_from_slice(&sum);
        assert!(refused(&key, &URL_SAFE_NO_PAD.encode(old)));
    }
}

#[cfg(test)]
mod proptests;
