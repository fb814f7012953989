//! The suite against the reference server (on a real port, SQLite, or
//! PostgreSQL when `HELPDOCK_TEST_POSTGRES_URL` is set), with the reference
//! agent driver as a real child process: every case must pass. And the
//! same suite catching a deliberate break: a proxy in front of the server
//! that makes it store a resent message twice.

use std::net::SocketAddr;

use axum::extract::ws::{Message as AxMessage, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use helpdock_conformance::client::Failure;
use helpdock_conformance::{run, summary, Options};
use helpdock_core::protocol::AgentRole;
use serde_json::Value;
use sqlx::Connection;
use tokio_tungstenite::tungstenite::Message as WsMessage;

const HOST_SECRET: &str = "conformance-host-secret";
const PASSWORD: &str = "correct horse battery staple";

struct Backend {
    running: helpdock_server::Running,
    _dir: Option<TempDir>,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The reference server as shipped (default limits), with one admin.
async fn reference_server() -> Backend {
    let (database, dir) = match std::env::var("HELPDOCK_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
        Some(admin) => {
            let name = format!("hd_{}", helpdock_server::token::random_id("").to_lowercase().replace('-', "_"));
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to HELPDOCK_TEST_POSTGRES_URL");
            sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await.unwrap();
            let (base, _) = admin.rsplit_once('/').expect("a postgres URL with a database");
            (format!("{base}/{name}"), None)
        }
        None => {
            let dir = std::env::temp_dir().join(helpdock_server::token::random_id("helpdock-conformance-"));
            std::fs::create_dir_all(&dir).unwrap();
            (dir.join("conformance.sqlite").display().to_string(), Some(TempDir(dir)))
        }
    };
    let config = helpdock_server::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database,
        host_secret: Some(HOST_SECRET.into()),
        static_dir: std::path::PathBuf::from("/nonexistent"),
        ..Default::default()
    };
    let running = helpdock_server::start(config).await.expect("the reference server starts");
    helpdock_server::upsert_agent(
        &running.state.db,
        "conformance@example.com",
        "Conformance",
        AgentRole::Admin,
        &[],
        PASSWORD,
    )
    .await
    .unwrap();
    Backend { running, _dir: dir }
}

fn options(backend: &str, driver_backend: &str) -> Options {
    let mut options = Options::new(backend);
    options.host_secret = Some(HOST_SECRET.into());
    options.agent_driver = Some(format!(
        "HELPDOCK_AGENT_PASSWORD='{PASSWORD}' '{}' reference-agent --backend {driver_backend} --email conformance@example.com",
        env!("CARGO_BIN_EXE_helpdock-conformance")
    ));
    options
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_every_case() {
    let backend = reference_server().await;
    let url = backend.running.url();
    let results = run(&options(&url, &url), &mut |r| println!("{r}")).await;
    println!("{}", summary(&results));
    let not_passed: Vec<String> = results.iter().filter(|r| r.failure.is_some()).map(|r| r.to_string()).collect();
    assert!(not_passed.is_empty(), "every case passes on the reference server:\n{}", not_passed.join("\n"));
    assert_eq!(results.len(), helpdock_conformance::cases::ALL.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stores_a_resent_message_twice_fails() {
    let backend = reference_server().await;
    let upstream = backend.running.url();
    let proxy = breaking_proxy(upstream.clone()).await;
    let mut options = options(&format!("http://{proxy}"), &upstream);
    options.only = vec!["socket.".into()];
    let results = run(&options, &mut |r| println!("{r}")).await;
    let by_name = |name: &str| results.iter().find(|r| r.name == name).unwrap_or_else(|| panic!("{name} ran"));
    let dedupe = by_name("socket.same_client_id_stored_once");
    match &dedupe.failure {
        Some(Failure::Fail(why)) => assert!(why.contains("different seqs"), "{why}"),
        other => panic!("the break must fail the dedupe case, got {other:?}"),
    }
    // The rest of the socket's rules still hold through the proxy, so the
    // break is caught by the case about it, not by a broken set-up.
    assert!(by_name("socket.send_ack_message").failure.is_none(), "{}", by_name("socket.send_ack_message"));
    assert!(by_name("socket.order").failure.is_none(), "{}", by_name("socket.order"));
    assert!(summary(&results).contains(" 1 failed"), "{}", summary(&results));
}

/// A proxy in front of `upstream` that forwards HTTP as it is and, on the
/// visitor socket, gives every `send` a fresh `clientId` (hidden again on
/// the way back): a backend that does not dedupe resent messages.
async fn breaking_proxy(upstream: String) -> SocketAddr {
    let app =
        axum::Router::new().route("/api/v1/ws", axum::routing::get(socket)).fallback(forward).with_state(upstream);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

async fn forward(State(upstream): State<String>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 << 20).await.unwrap();
    let url = format!("{upstream}{}", parts.uri.path_and_query().map_or("", |p| p.as_str()));
    let mut outgoing = reqwest::Client::new().request(parts.method, url).body(body.to_vec());
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = outgoing.send().await.unwrap();
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if name != "content-length" && name != "transfer-encoding" {
            response = response.header(name, value);
        }
    }
    response.body(axum::body::Body::from(answer.bytes().await.unwrap())).unwrap()
}

async fn socket(State(upstream): State<String>, upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .on_upgrade(move |client| async move {
            let url = format!("{}/api/v1/ws", upstream.replacen("http", "ws", 1));
            let (server, _) = tokio_tungstenite::connect_async(url).await.unwrap();
            let (mut to_server, mut from_server) = server.split();
            let (mut to_client, mut from_client) = client.split();
            let up = async move {
                let mut n = 0;
                while let Some(Ok(AxMessage::Text(text))) = from_client.next().await {
                    let mut frame: Value = serde_json::from_str(text.as_str()).unwrap();
                    if frame["type"] == "send" {
                        n += 1;
                        frame["clientId"] = format!("{}~{n}", frame["clientId"].as_str().unwrap()).into();
                    }
                    if to_server.send(WsMessage::text(frame.to_string())).await.is_err() {
                        break;
                    }
                }
            };
            let down = async move {
                while let Some(Ok(WsMessage::Text(text))) = from_server.next().await {
                    let mut frame: Value = serde_json::from_str(text.as_str()).unwrap();
                    restore_client_id(frame.get_mut("clientId"));
                    restore_client_id(frame.get_mut("message").and_then(|m| m.get_mut("clientId")));
                    if to_client.send(AxMessage::text(frame.to_string())).await.is_err() {
                        break;
                    }
                }
            };
            tokio::select! { _ = up => {}, _ = down => {} }
        })
        .into_response()
}

fn restore_client_id(id: Option<&mut Value>) {
    if let Some(id) = id {
        if let Some(original) = id.as_str().and_then(|s| s.rsplit_once('~')).map(|(o, _)| o.to_owned()) {
            *id = original.into();
        }
    }
}
