//! The console's one way to the data: the hub's GraphQL schema, executed in-process as the signed-in user.

use async_graphql::{ServerError, Variables};

use crate::{auth::Principal, graphql::context, http::AppState};

/// Runs `query` with `variables` as `principal` (anonymous when `None`) and returns the `data` object, or the
/// errors the schema answered (each with its `extensions.code`, for `error::ConsoleError` to explain).
pub async fn execute(
    app: &AppState,
    principal: Option<&Principal>,
    query: &str,
    variables: serde_json::Value,
) -> Result<serde_json::Value, Vec<ServerError>> {
    let request = context::request(query, &app.store, &app.federation, principal.cloned(), None)
        .variables(Variables::from_json(variables));
    let response = app.schema.execute(request).await;
    if !response.errors.is_empty() {
        return Err(response.errors);
    }
    response
        .data
        .into_json()
        .map_err(|e| vec![ServerError::new(e.to_string(), None)])
}

/// Runs the subscription `query` as `principal`: a stream of its `data` objects, or of the errors the schema
/// answered (a refusal comes as the stream's one item). For live pages (server-sent events).
pub fn subscribe(
    app: &AppState,
    principal: Option<&Principal>,
    query: &str,
    variables: serde_json::Value,
) -> impl futures_util::Stream<Item = Result<serde_json::Value, Vec<ServerError>>> + Send + 'static
{
    use futures_util::StreamExt;
    let request = context::request(query, &app.store, &app.federation, principal.cloned(), None)
        .variables(Variables::from_json(variables));
    app.schema.execute_stream(request).map(|response| {
        if !response.errors.is_empty() {
            return Err(response.errors);
        }
        response
            .data
            .into_json()
            .map_err(|e| vec![ServerError::new(e.to_string(), None)])
    })
}
