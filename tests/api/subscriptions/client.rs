//! The test client: a GraphQL websocket client of either protocol, and the waits and writes the tests share.

use std::{collections::HashMap, time::Duration};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{client::IntoClientRequest, Message},
    MaybeTlsStream, WebSocketStream,
};

use crate::common::token;

/// An upper bound for a message that must come; reaching it fails the test (it measures nothing).
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A GraphQL websocket client speaking `graphql-transport-ws` or (legacy) `graphql-ws`.
pub struct Client {
    socket: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
    legacy: bool,
}

impl Client {
    /// Connects offering `protocols` (comma-separated); the hub must pick the first.
    pub async fn connect(base: &str, protocols: &str) -> Client {
        let url = format!("{}/graphql/ws", base.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request().expect("websocket request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            protocols.parse().expect("header value"),
        );
        let (socket, response) = connect_async(request).await.expect("websocket upgrade");
        let first = protocols.split(',').next().unwrap_or_default().trim();
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            first,
            "the hub must answer with the first protocol offered"
        );
        Client {
            socket,
            legacy: first == "graphql-ws",
        }
    }

    /// A client that has sent `connection_init` with `payload` and got `connection_ack`.
    pub async fn ready(base: &str, protocol: &str, payload: Value) -> Client {
        let mut client = Client::connect(base, protocol).await;
        let ack = client.init(payload).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        client
    }

    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("send");
    }

    /// The next message, or the close frame as `{"type": "close", "code": .., "reason": ..}`.
    pub async fn next(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("no message from the hub in time");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(&text).expect("a JSON message")
                }
                Some(Ok(Message::Close(frame))) => {
                    return json!({ "type": "close",
                        "code": frame.as_ref().map(|f| u16::from(f.code)),
                        "reason": frame.as_ref().map(|f| f.reason.to_string()) })
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return json!({ "type": "closed" }),
            }
        }
    }

    pub async fn init(&mut self, payload: Value) -> Value {
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        self.next().await
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = if self.legacy { "start" } else { "subscribe" };
        self.send(json!({ "id": id, "type": kind, "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next `n` results, by subscription id (a second result for one id fails).
    pub async fn results(&mut self, n: usize) -> HashMap<String, Value> {
        let data = if self.legacy { "data" } else { "next" };
        let mut out = HashMap::new();
        while out.len() < n {
            let message = self.next().await;
            assert_eq!(message["type"], data, "{message}");
            let id = message["id"].as_str().expect("id").to_owned();
            assert!(message["payload"].get("errors").is_none(), "{message}");
            let previous = out.insert(id.clone(), message["payload"]["data"].clone());
            assert!(
                previous.is_none(),
                "two results for `{id}` where one was due"
            );
        }
        out
    }

    /// The `extensions.code` of the error that refuses subscription `id`.
    pub async fn error_code(&mut self, id: &str) -> String {
        let mut message = self.next().await;
        // An earlier refused subscription ends with `complete`.
        while message["type"] == "complete" {
            message = self.next().await;
        }
        assert_eq!(message["id"], id, "{message}");
        let errors = match message["type"].as_str() {
            Some("error") => &message["payload"],
            _ => &message["payload"]["errors"],
        };
        errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code: {message}"))
            .to_owned()
    }
}

/// Waits until the hub at `base` has at least `n` open subscriptions, so that a write made next is seen.
pub async fn wait_for_subscriptions(base: &str, n: u64) {
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let metrics = client
            .get(format!("{base}/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics body");
        let open: u64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("lgsp_subscriptions "))
            .and_then(|v| v.trim().parse().ok())
            .expect("lgsp_subscriptions in /metrics");
        if open >= n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{open} of {n} subscriptions opened"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const REGISTER: &str = "mutation($name: String!) {
    registerInformationSystem(input: { name: $name, securityLevel: 2 }) { code } }";

/// Registers a system of `agency` through `base`'s `POST /graphql`; returns its code.
pub async fn register(base: &str, agency: &str, name: &str) -> String {
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token(agency, "systems:write"))
        .json(&json!({ "query": REGISTER, "variables": { "name": name } }))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("JSON");
    body["data"]["registerInformationSystem"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("registration failed: {body}"))
        .to_owned()
}
