//! Two nodes sharing one PostgreSQL database and one Redis (Debian's
//! `redis-server`, started here on a free loopback port): what one node
//! publishes reaches the sockets held by the other, an agent connected to
//! one node counts as online on the other, and a Redis restart in the middle
//! of a conversation loses nothing that was acknowledged.
//!
//! Nodes of a cluster share a PostgreSQL database, so these run in the
//! PostgreSQL pass of the test command (`HELPDOCK_TEST_POSTGRES_URL`); on
//! SQLite they say so and do nothing.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use helpdock_core::protocol::{AuthorKind, ClientFrame, ConversationSummary, Resume, ServerFrame};
use reqwest::Method;

use crate::support::{temp_dir, Agent, TempDir, TestServer, Ws, WAIT};

/// A throwaway Redis on loopback, without persistence: a restart starts
/// empty, the harshest case for the nodes.
struct Redis {
    port: u16,
    child: Option<Child>,
    dir: TempDir,
}

impl Redis {
    fn start() -> Redis {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut redis = Redis { port, child: None, dir: temp_dir() };
        redis.run();
        redis
    }

    fn run(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir.0)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (Debian's redis-server package; scripts/setup.sh installs it)");
        self.child = Some(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(started.elapsed() < WAIT, "redis-server did not start on port {}", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: nothing is said to the nodes.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            _ = child.kill();
            _ = child.wait();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Two nodes on one database and one Redis, or `None` on SQLite.
async fn two_nodes(redis: &Redis) -> Option<(TestServer, TestServer)> {
    two_nodes_with(redis, |_| {}).await
}

async fn two_nodes_with(
    redis: &Redis,
    tweak: impl Fn(&mut helpdock_server::config::Config),
) -> Option<(TestServer, TestServer)> {
    if std::env::var("HELPDOCK_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()).is_none() {
        eprintln!("cluster tests need PostgreSQL (HELPDOCK_TEST_POSTGRES_URL): not run on SQLite");
        return None;
    }
    let a = TestServer::with(|c| {
        c.redis = Some(redis.url());
        tweak(c);
    })
    .await;
    let database = a.running.state.config.database.clone();
    let b = TestServer::with(|c| {
        c.database = database;
        c.redis = Some(redis.url());
        tweak(c);
    })
    .await;
    Some((a, b))
}

/// Waits until `agent`, asking node `on`, sees `who` online or not.
async fn wait_online(agent: &Agent, who: &str, online: bool) {
    let started = Instant::now();
    loop {
        let (_, agents) = agent.call(Method::GET, "/console/api/agents", false, None).await;
        let listed = agents.as_array().unwrap().iter().find(|a| a["id"] == who).cloned().unwrap();
        if listed["online"] == online {
            return;
        }
        assert!(started.elapsed() < WAIT, "{who} never became online={online} on {}", agent.url);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sends a message and waits for its `ack`: its seq (what came before the
/// `ack` is added to `seen`).
async fn send(ws: &mut Ws, seen: &mut Vec<ServerFrame>, conversation: &str, client_id: &str, body: &str) -> u64 {
    ws.send(&ClientFrame::Send {
        conversation: conversation.into(),
        client_id: client_id.into(),
        body: body.into(),
        attachments: vec![],
    })
    .await;
    let (ack, before) = ws.recv_until(|f| matches!(f, ServerFrame::Ack { client_id: c, .. } if c == client_id)).await;
    seen.extend(before);
    let ServerFrame::Ack { seq, .. } = ack else { unreachable!() };
    seq
}

/// The message with this body among frames, counted.
fn count_body(frames: &[ServerFrame], body: &str) -> usize {
    frames.iter().filter(|f| matches!(f, ServerFrame::Message { message } if message.body == body)).count()
}

/// A visitor on node A waits; Kim, connected to node B, hears of it,
/// accepts, and they talk. Returns the conversation and both sockets.
async fn conversation_across(a: &TestServer, b: &TestServer) -> (ConversationSummary, Agent, Ws, Ws, String) {
    let (kim, _, bo) = b.kim_pat_and_bo().await;
    let mut kim_ws = kim.socket().await;
    // Kim's socket is on B; A learns it from Redis.
    wait_online(&bo.on(&a.url), kim.id(), true).await;

    let visitor = a.visitor().await;
    let c = a.start_conversation(&visitor.visitor_token, "c-1", "kyc-rejected").await;
    let mut visitor_ws = a.visitor_socket(&visitor.visitor_token, vec![]).await;
    // A published the queue change; B delivers it to Kim.
    kim_ws
        .recv_until(|f| matches!(f, ServerFrame::QueueChanged { waiting, .. } if waiting.iter().any(|w| w.id == c.id)))
        .await;
    kim_ws.send(&ClientFrame::Accept { conversation: c.id.clone() }).await;
    kim_ws.recv_until(|f| matches!(f, ServerFrame::Assigned { .. })).await;
    visitor_ws.recv_until(|f| matches!(f, ServerFrame::AgentJoined { agent, .. } if agent.name == "Kim")).await;
    (c, kim, kim_ws, visitor_ws, visitor.visitor_token)
}

#[tokio::test]
async fn a_visitor_on_one_node_and_an_agent_on_another_talk_and_presence_spans_nodes() {
    let redis = Redis::start();
    let Some((a, b)) = two_nodes(&redis).await else { return };
    let (c, kim, mut kim_ws, mut visitor_ws, _) = conversation_across(&a, &b).await;

    // Each message reaches both sides once (the sender's socket too), on
    // the other node in order.
    let (mut kim_seen, mut visitor_seen) = (Vec::new(), Vec::new());
    let mut bodies = Vec::new();
    for i in 0..5 {
        let body = format!("visitor {i}");
        let seq = send(&mut visitor_ws, &mut visitor_seen, &c.id, &format!("v-{i}"), &body).await;
        let (frame, before) = kim_ws
            .recv_until(|f| matches!(f, ServerFrame::Message { message } if message.author.kind == AuthorKind::Visitor))
            .await;
        assert!(matches!(&frame, ServerFrame::Message { message } if message.body == body && message.seq == seq));
        kim_seen.extend(before.into_iter().chain([frame]));
        bodies.push(body);
        let body = format!("kim {i}");
        let seq = send(&mut kim_ws, &mut kim_seen, &c.id, &format!("k-{i}"), &body).await;
        let (frame, before) = visitor_ws
            .recv_until(|f| matches!(f, ServerFrame::Message { message } if message.author.kind == AuthorKind::Agent))
            .await;
        assert!(matches!(&frame, ServerFrame::Message { message } if message.body == body && message.seq == seq));
        visitor_seen.extend(before.into_iter().chain([frame]));
        bodies.push(body);
    }
    kim_seen.extend(kim_ws.nothing_pending().await);
    visitor_seen.extend(visitor_ws.nothing_pending().await);
    for body in &bodies {
        assert_eq!((count_body(&kim_seen, body), count_body(&visitor_seen, body)), (1, 1), "{body}");
    }

    // Presence across nodes: Kim leaves B, and A stops counting her.
    drop(kim_ws);
    wait_online(&kim.on(&a.url), kim.id(), false).await;
}

#[tokio::test]
async fn a_redis_restart_mid_conversation_loses_nothing_acknowledged() {
    let mut redis = Redis::start();
    let Some((a, b)) = two_nodes(&redis).await else { return };
    let (c, kim, mut kim_ws, mut visitor_ws, token) = conversation_across(&a, &b).await;

    redis.kill();
    // Stored and acknowledged on A while Redis is gone; B cannot hear of it.
    let seq = send(&mut visitor_ws, &mut Vec::new(), &c.id, "v-outage", "sent while Redis was down").await;
    redis.run();

    // Once their subscriptions are back, both nodes end their sockets, so
    // every client resumes from the store.
    assert!(kim_ws.closed_by_server().await, "B ends Kim's socket when Redis is back");
    assert!(visitor_ws.closed_by_server().await, "A ends the visitor's socket when Redis is back");
    let resume = vec![Resume { conversation: c.id.clone(), after_seq: seq - 1 }];
    let mut kim_ws = kim.socket_resuming(resume.clone()).await;
    let replayed = kim_ws.nothing_pending().await;
    assert_eq!(count_body(&replayed, "sent while Redis was down"), 1, "{replayed:?}");
    let mut visitor_ws = a.visitor_socket(&token, resume).await;
    let replayed = visitor_ws.nothing_pending().await;
    assert_eq!(count_body(&replayed, "sent while Redis was down"), 1, "{replayed:?}");

    // And the nodes talk again, through the new Redis.
    let seq = send(&mut kim_ws, &mut Vec::new(), &c.id, "k-after", "back again").await;
    let (frame, _) = visitor_ws.recv_until(|f| matches!(f, ServerFrame::Message { .. })).await;
    assert!(matches!(&frame, ServerFrame::Message { message } if message.body == "back again" && message.seq == seq));
    wait_online(&kim.on(&a.url), kim.id(), true).await;
}

#[tokio::test]
async fn a_visitors_message_limit_holds_across_nodes() {
    let redis = Redis::start();
    let Some((a, b)) = two_nodes_with(&redis, |c| c.limits.messages_per_minute = 5).await else { return };
    let visitor = a.visitor().await;
    let c = a.start_conversation(&visitor.visitor_token, "c-1", "kyc-rejected").await;
    let mut on_a = a.visitor_socket(&visitor.visitor_token, vec![]).await;
    let mut on_b = b.visitor_socket(&visitor.visitor_token, vec![]).await;
    // Five a minute in all, wherever they are sent: not five per node.
    for i in 0..5 {
        let ws = if i % 2 == 0 { &mut on_a } else { &mut on_b };
        send(ws, &mut Vec::new(), &c.id, &format!("m-{i}"), "hello").await;
    }
    on_b.send(&ClientFrame::Send {
        conversation: c.id.clone(),
        client_id: "m-5".into(),
        body: "one too many".into(),
        attachments: vec![],
    })
    .await;
    let (refused, _) = on_b.recv_until(|f| matches!(f, ServerFrame::Error { .. } | ServerFrame::Ack { .. })).await;
    assert_eq!(crate::support::error_code(&refused), helpdock_core::protocol::ErrorCode::RateLimited);
}

#[tokio::test]
async fn a_ticket_reply_made_on_one_node_reaches_the_visitor_on_another() {
    let redis = Redis::start();
    let Some((a, b)) = two_nodes(&redis).await else { return };
    let (_, _, bo) = b.kim_pat_and_bo().await;
    let visitor = a.visitor().await;
    let ticket = serde_json::json!({
        "clientId": "t-1", "title": "Deposit missing", "category": "deposit-not-arrived", "urgency": "normal",
        "description": "Sent 250 USDT on TRON two hours ago.", "fields": [], "locale": "en",
    });
    let (status, created) = a.call(Method::POST, "/api/v1/tickets", Some(&visitor.visitor_token), Some(ticket)).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{created}");
    let id = created["summary"]["id"].as_str().unwrap().to_string();
    let mut on_a = a.visitor_socket(&visitor.visitor_token, vec![]).await;
    let reply = serde_json::json!({"clientId": "r-1", "body": "We found it.", "attachments": [], "internal": false});
    let (status, body) = bo.call(Method::POST, &format!("/console/api/tickets/{id}/replies"), true, Some(reply)).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let (frame, _) = on_a.recv_until(|f| matches!(f, ServerFrame::TicketReply { .. })).await;
    assert!(matches!(frame, ServerFrame::TicketReply { reply } if reply.body == "We found it." && reply.ticket == id));
}
