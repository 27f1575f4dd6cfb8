//! `GET /graphql/ws`: GraphQL subscriptions over a websocket, in the `graphql-transport-ws` protocol (the `graphql-ws`
//! library) or the legacy `graphql-ws` one (`subscriptions-transport-ws`), chosen by `Sec-WebSocket-Protocol`.
//!
//! Browsers cannot set headers on a websocket, so the token travels in the `connection_init` payload:
//! `{"Authorization": "Bearer <token>"}` (what GraphiQL sends from its Headers pane) or `{"token": "<token>"}`. Without
//! one the connection is anonymous and the guards refuse what needs a scope, as on `POST /graphql`; a token that is
//! there but invalid closes the connection with 4403 (after a `connection_error` in the legacy protocol), never
//! reading as anonymous.

use std::{
    str::FromStr,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};

use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use axum::{
    extract::{
        ws::{CloseFrame, Message, WebSocket as Socket},
        State, WebSocketUpgrade,
    },
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use futures_util::{future, SinkExt, StreamExt};
use serde_json::Value;
use tracing::Instrument;

use super::{rate_limit, AppState};
use crate::{
    auth::{AuthError, Authenticator, Principal},
    graphql::context::connection_data,
};

/// The websocket close code of an endpoint going away (RFC 6455): a server shutting down.
const GOING_AWAY: u16 = 1001;

/// The graphql-ws protocol's close code for a refused `connection_init`.
const FORBIDDEN: u16 = 4403;

/// The first GraphQL websocket protocol the client offers.
fn protocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?
        .split(',')
        .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
}

pub async fn upgrade(
    State(app): State<AppState>,
    client: rate_limit::ClientIp,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(protocol) = protocol(&headers) else {
        return (
            StatusCode::BAD_REQUEST,
            "offer the websocket subprotocol graphql-transport-ws or graphql-ws",
        )
            .into_response();
    };
    // By address: the token only comes in `connection_init`, after the upgrade.
    let json = axum::http::HeaderValue::from_static("application/json; charset=utf-8");
    if let Err(refused) = rate_limit::admit(&app, &client, None, 1, json).await {
        return refused;
    }
    let request_id = super::request_id(&headers).map(str::to_owned);
    let span = tracing::info_span!(
        "websocket",
        request_id = request_id.as_deref().unwrap_or_default()
    );
    // Answer with the protocol we speak (the client's first), whatever order the client offered them in.
    upgrade
        .protocols([protocol.sec_websocket_protocol()])
        .on_upgrade(move |socket| serve(socket, app, protocol, request_id).instrument(span))
}

/// The caller named by a `connection_init` payload: `Ok(None)` when it names none.
async fn principal(auth: &Authenticator, payload: &Value) -> Result<Option<Principal>, AuthError> {
    let Value::Object(fields) = payload else {
        return match payload {
            Value::Null => Ok(None),
            _ => Err(AuthError::Invalid(
                "the connection_init payload must be an object",
            )),
        };
    };
    if let Some((_, value)) = fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
    {
        let value = value.as_str().ok_or(AuthError::MalformedHeader)?;
        return auth.authenticate_header(value).await.map(Some);
    }
    if let Some(value) = fields.get("token") {
        let token = value
            .as_str()
            .ok_or(AuthError::Invalid("`token` must be a string"))?;
        return auth.verify(token).await.map(Some);
    }
    Ok(None)
}

fn close(code: u16, reason: String) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// Runs the protocol over one connection until either side closes it.
async fn serve(
    socket: Socket,
    app: AppState,
    protocol: WebSocketProtocols,
    request_id: Option<String>,
) {
    let _open = app.shutdown.socket();
    let (mut sink, source) = socket.split();
    let input = source
        .take_while(|m| future::ready(m.is_ok()))
        .filter_map(|m| {
            future::ready(match m {
                Ok(m @ (Message::Text(_) | Message::Binary(_))) => Some(m.into_data()),
                _ => None,
            })
        });
    let refused = Arc::new(AtomicBool::new(false));
    let (store, auth, flag) = (app.store.clone(), app.auth.clone(), refused.clone());
    let messages = WebSocket::new(app.schema.clone(), input, protocol).on_connection_init(
        move |payload| async move {
            match principal(&auth, &payload).await {
                Ok(principal) => Ok(connection_data(&store, principal, request_id)),
                Err(err) => {
                    flag.store(true, Ordering::Relaxed);
                    tracing::info!(reason = %err, "refused a websocket connection");
                    Err(async_graphql::Error::new(err.to_string()))
                }
            }
        },
    );
    futures_util::pin_mut!(messages);
    let draining = app.shutdown.begun();
    futures_util::pin_mut!(draining);
    let mut closed = false;
    loop {
        let message = tokio::select! {
            message = messages.next() => message,
            // The hub is shutting down: say so (1001, going away), so that the client reconnects, to another replica.
            () = &mut draining => {
                let _ = sink.send(close(GOING_AWAY, "the hub is shutting down".into())).await;
                return;
            }
        };
        let Some(message) = message else { break };
        let message = match message {
            WsMessage::Text(text) => Message::Text(text.into()),
            // The library closes a refused connection as a protocol error (1002); graphql-ws says 4403.
            WsMessage::Close(_, reason) if refused.load(Ordering::Relaxed) => {
                closed = true;
                close(FORBIDDEN, reason)
            }
            WsMessage::Close(code, reason) => {
                closed = true;
                close(code, reason)
            }
        };
        if sink.send(message).await.is_err() {
            return;
        }
    }
    // The legacy protocol reports a refusal with a `connection_error` message and stops: close the socket too.
    if refused.load(Ordering::Relaxed) && !closed {
        let _ = sink.send(close(FORBIDDEN, "Forbidden".into())).await;
    }
}
