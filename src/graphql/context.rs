//! The request context: what one request (or one websocket connection) runs with, built in one place, and the
//! accessors resolvers read it through.
//!
//! It owns the per-request data — the loader, the caller's [`Principal`], the [`RequestId`], the caller as upstreams
//! see it ([`Caller`], built once) and, for an authenticated HTTP request, the citizen loader that speaks for that
//! caller — and the schema-wide handles ([`GqlState`], the federation). The HTTP layer calls [`request`] or
//! [`connection_data`]; resolvers call [`state`], [`loader`], [`federation`], [`principal`], [`actor`], [`caller`].

use std::sync::Arc;

use async_graphql::{
    dataloader::{DataLoader, HashMapCache},
    Context, Data, Request,
};

use super::loaders::Catalog;
use crate::{
    auth::Principal,
    error::{Error, Result},
    federation::{batch::citizen_loader, Federation},
    store::{audit::Actor, Store},
    upstream::Caller,
};

/// What resolvers need: cheap handles only.
pub struct GqlState {
    pub store: Store,
}

/// The per-request loader. Its cache lets a connection resolver prefetch the nested objects of a whole page in one
/// statement per level (see `prefetch`), so the count of statements does not depend on batching windows.
pub type RequestLoader = DataLoader<Catalog, HashMapCache>;

/// A fresh loader for one request.
pub fn request_loader(store: &Store) -> RequestLoader {
    DataLoader::with_cache(
        Catalog {
            db: store.db.clone(),
            cache: store.cache.clone(),
        },
        tokio::spawn,
        HashMapCache::default(),
    )
}

/// The request id of the HTTP request, for the audit trail and upstream calls.
#[derive(Clone)]
pub struct RequestId(pub String);

/// The caller as upstreams see it: agency, subject and request id.
fn caller_of(principal: &Principal, request_id: Option<&str>) -> Caller {
    Caller {
        agency: principal.agency.as_str().to_owned(),
        subject: principal.subject.clone(),
        purpose: None,
        request_id: request_id.map(str::to_owned),
    }
}

/// The data every request carries: `loader`, and the caller (principal, `Caller`, request id) when known. Returns the
/// `Caller` too, for the loaders that speak for it.
fn caller_data(
    loader: RequestLoader,
    principal: Option<Principal>,
    request_id: Option<String>,
) -> (Data, Option<Caller>) {
    let mut data = Data::default();
    data.insert(loader);
    let caller = principal.map(|principal| {
        let caller = caller_of(&principal, request_id.as_deref());
        data.insert(caller.clone());
        data.insert(principal);
        caller
    });
    if let Some(id) = request_id {
        data.insert(RequestId(id));
    }
    (data, caller)
}

/// The GraphQL request for `query` on `POST`/`GET /graphql`, with its data: a fresh loader with a per-request cache,
/// and the caller. Only an authenticated request can reach a national database: only it gets a citizen loader.
pub fn request(
    query: impl Into<String>,
    store: &Store,
    federation: &Arc<Federation>,
    principal: Option<Principal>,
    request_id: Option<String>,
) -> Request {
    let (mut data, caller) = caller_data(request_loader(store), principal, request_id);
    if let Some(caller) = caller {
        data.insert(citizen_loader(federation.clone(), caller));
    }
    let mut request = Request::new(query);
    request.data = data;
    request
}

/// The data of one websocket connection, for every subscription on it: the caller, the request id of the upgrade,
/// and a loader. The loader lives as long as the connection, so its cache is off: nested fields must be as fresh as
/// the system they hang on.
pub fn connection_data(
    store: &Store,
    principal: Option<Principal>,
    request_id: Option<String>,
) -> Data {
    let loader = request_loader(store);
    loader.enable_all_cache(false);
    caller_data(loader, principal, request_id).0
}

pub(crate) fn state<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a GqlState> {
    ctx.data::<GqlState>()
}

pub(crate) fn loader<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a RequestLoader> {
    ctx.data::<RequestLoader>()
}

pub(crate) fn federation<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Federation> {
    Ok(ctx.data::<Arc<Federation>>()?.as_ref())
}

/// The authenticated caller; none without a token.
pub(crate) fn principal<'a>(ctx: &Context<'a>) -> Option<&'a Principal> {
    ctx.data_opt::<Principal>()
}

/// The caller as the audit trail records it.
pub(crate) fn actor(ctx: &Context<'_>) -> Result<Actor> {
    let principal = principal(ctx).ok_or(Error::Unauthenticated)?;
    Ok(Actor {
        subject: principal.subject.clone(),
        agency_code: principal.agency.as_str().to_owned(),
        request_id: ctx.data_opt::<RequestId>().map(|r| r.0.clone()),
    })
}

/// The caller as upstreams see it (agency, subject, request id).
pub(crate) fn caller<'a>(ctx: &Context<'a>) -> Result<&'a Caller> {
    ctx.data_opt::<Caller>().ok_or(Error::Unauthenticated)
}
