//! The cases: one rule of docs/protocol.md each, named `area.rule`, in the
//! order a widget meets them. Each makes its own visitors, so cases do not
//! depend on each other; the one that spends a visitor's message budget
//! runs last.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde_json::{json, Value};

use crate::client::{short, Check, Failure};
use crate::{ensure, fail, Ctx};

/// One rule to check.
#[derive(Debug)]
pub struct Case {
    /// `area.rule`.
    pub name: &'static str,
    /// Whether it needs the agent driver.
    pub agent: bool,
    /// The check.
    pub run: for<'a> fn(&'a Ctx) -> Pin<Box<dyn Future<Output = Check> + 'a>>,
}

macro_rules! case {
    ($name:literal, $f:ident) => {
        Case { name: $name, agent: false, run: |ctx| Box::pin($f(ctx)) }
    };
    ($name:literal, agent, $f:ident) => {
        Case { name: $name, agent: true, run: |ctx| Box::pin($f(ctx)) }
    };
}

/// Every case, in running order.
pub static ALL: &[Case] = &[
    case!("session.anonymous", session_anonymous),
    case!("session.resume", session_resume),
    case!("errors.unauthorized", errors_unauthorized),
    case!("errors.bad_request", errors_bad_request),
    case!("errors.not_found", errors_not_found),
    case!("identity.refused", identity_refused),
    case!("identity.accepted", identity_accepted),
    case!("conversation.start", conversation_start),
    case!("conversation.idempotent", conversation_idempotent),
    case!("conversation.listed", conversation_listed),
    case!("conversation.not_yours", conversation_not_yours),
    case!("socket.welcome", socket_welcome),
    case!("socket.unsupported_version", socket_unsupported_version),
    case!("socket.bad_token", socket_bad_token),
    case!("socket.ping", socket_ping),
    case!("socket.send_ack_message", socket_send_ack_message),
    case!("socket.every_socket_of_the_visitor", socket_every_socket),
    case!("socket.same_client_id_stored_once", socket_dedupe),
    case!("socket.order", socket_order),
    case!("socket.resume", socket_resume),
    case!("socket.not_yours", socket_not_yours),
    case!("socket.too_large", socket_too_large),
    case!("socket.secret_refused", socket_secret_refused),
    case!("agent.joined", agent, agent_joined),
    case!("agent.messages_both_ways", agent, agent_messages),
    case!("agent.typing", agent, agent_typing),
    case!("agent.read_receipts", agent, agent_read),
    case!("agent.closes", agent, agent_closes),
    case!("agent.queue_moves_up", agent, agent_queue_moves),
    case!("close.by_visitor", close_by_visitor),
    case!("close.rating", close_rating),
    case!("attachment.accepted", attachment_accepted),
    case!("attachment.disguised", attachment_disguised),
    case!("attachment.too_large", attachment_too_large),
    case!("attachment.in_message", attachment_in_message),
    case!("ticket.create", ticket_create),
    case!("ticket.listed_and_read", ticket_listed),
    case!("ticket.not_yours", ticket_not_yours),
    case!("ticket.reply_idempotent", ticket_reply),
    case!("ticket.close_and_reopen", ticket_close_reopen),
    case!("ticket.rating", ticket_rating),
    case!("ticket.secret_refused", ticket_secret_refused),
    case!("ticket.live_reply", agent, ticket_live_reply),
    case!("limits.messages_rate_limited", limits_rate_limited),
];

/// The BIP-39 test vector: a recovery phrase any guard must recognise.
const RECOVERY_PHRASE: &str =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d,
    0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

fn is(frame: &Value, kind: &str, conversation: &str) -> bool {
    frame["type"] == kind && frame["conversation"] == conversation
}

fn message_with(frame: &Value, client_id: &str) -> bool {
    frame["type"] == "message" && frame["message"]["clientId"] == client_id
}

/// A new visitor, a conversation handed over, and a socket resuming it.
async fn in_conversation(ctx: &Ctx) -> Check<(crate::Visitor, String, crate::client::Socket)> {
    let v = ctx.visitor().await?;
    let c = ctx.start_conversation(&v, "other").await?;
    let id = text(&c["id"]).to_owned();
    let socket = ctx.socket(&v, json!([{"conversation": id, "afterSeq": 0}])).await?;
    Ok((v, id, socket))
}

/// How many of the conversation's stored messages carry `client_id`, as
/// its owner `v` reads them back.
async fn stored(ctx: &Ctx, v: &crate::Visitor, id: &str, client_id: &str) -> Check<usize> {
    let detail =
        ctx.api("GET", &format!("/conversations/{id}"), Some(&v.token), None, Some("conversation-detail")).await?;
    Ok(detail.body["messages"].as_array().map_or(0, |ms| ms.iter().filter(|m| m["clientId"] == client_id).count()))
}

// ---- session and identity

async fn session_anonymous(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    ensure!(
        !v.id.is_empty() && !v.token.is_empty(),
        "a session without visitorId or visitorToken: {}",
        short(&v.session)
    );
    ensure!(v.session["identified"] == false, "an anonymous session says identified: {}", v.session["identified"]);
    ensure!(
        v.session["limits"]["maxMessageChars"].as_u64().unwrap_or(0) > 0,
        "limits.maxMessageChars must be positive"
    );
    Ok(())
}

async fn session_resume(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let again = ctx
        .api("POST", "/session", None, Some(json!({"visitorToken": v.token, "locale": "en"})), Some("session"))
        .await?;
    again.expect("POST /session with the stored visitorToken", 200, None)?;
    ensure!(
        again.body["visitorId"] == v.id.as_str(),
        "the stored token started another visitor ({} instead of {})",
        again.body["visitorId"],
        v.id
    );
    Ok(())
}

async fn errors_unauthorized(ctx: &Ctx) -> Check {
    ctx.api("GET", "/conversations", None, None, None).await?.expect(
        "GET /conversations without a token",
        401,
        Some("unauthorized"),
    )?;
    ctx.api("GET", "/tickets", Some("vt_not-a-token"), None, None).await?.expect(
        "GET /tickets with an unknown token",
        401,
        Some("unauthorized"),
    )
}

async fn errors_bad_request(ctx: &Ctx) -> Check {
    let answer = ctx
        .http
        .raw(&ctx.schemas, "POST", "/api/v1/session", None, Some(b"{not json".to_vec()), "application/json", &[], None)
        .await?;
    answer.expect("POST /session with a body that is not JSON", 400, Some("bad_request"))?;
    let v = ctx.visitor().await?;
    let answer = ctx.api("POST", "/conversations", Some(&v.token), Some(json!({"topic": 5})), None).await?;
    answer.expect("POST /conversations without clientId", 400, Some("bad_request"))
}

async fn errors_not_found(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    ctx.api("GET", "/conversations/c_does-not-exist", Some(&v.token), None, None).await?.expect(
        "GET a conversation that does not exist",
        404,
        Some("not_found"),
    )?;
    ctx.api("GET", "/tickets/t_does-not-exist", Some(&v.token), None, None).await?.expect(
        "GET a ticket that does not exist",
        404,
        Some("not_found"),
    )
}

async fn identity_refused(ctx: &Ctx) -> Check {
    let user = ctx.unique("user");
    let request = json!({"user": {"userId": user, "userHash": "0".repeat(64), "name": "Mallory"}, "locale": "en"});
    ctx.api("POST", "/session", None, Some(request), None).await?.expect(
        "a session with a wrong userHash",
        403,
        Some("identity_refused"),
    )
}

async fn identity_accepted(ctx: &Ctx) -> Check {
    let user = ctx.unique("user");
    let hash = ctx.user_hash(&user)?;
    let request = json!({"user": {"userId": user, "userHash": hash, "name": "Li Wei"}, "locale": "en"});
    let first = ctx.api("POST", "/session", None, Some(request.clone()), Some("session")).await?;
    first.expect("a session with the right userHash", 200, None)?;
    ensure!(first.body["identified"] == true, "a signed user's session says identified: {}", first.body["identified"]);
    // Another device: no token, or another visitor's token, same user.
    let other = ctx.visitor().await?;
    let mut with_other_token = request;
    with_other_token["visitorToken"] = json!(other.token);
    let second = ctx.api("POST", "/session", None, Some(with_other_token), Some("session")).await?;
    second.expect("the same user on another device", 200, None)?;
    ensure!(
        second.body["visitorId"] == first.body["visitorId"],
        "the same signed user got two visitors ({} and {}); an anonymous token given with a user must be ignored",
        first.body["visitorId"],
        second.body["visitorId"]
    );
    Ok(())
}

// ---- conversations over HTTP

async fn conversation_start(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let summary = ctx.start_conversation(&v, "deposit-not-arrived").await?;
    ensure!(summary["status"] == "queued", "a new conversation should be queued, is {}", summary["status"]);
    ensure!(
        summary["queue"]["position"].as_u64().unwrap_or(0) >= 1,
        "a queued conversation needs its queue place: {}",
        short(&summary)
    );
    Ok(())
}

async fn conversation_idempotent(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let request = json!({"clientId": ctx.unique("c"), "topic": "other", "transcript": [], "fields": []});
    let first =
        ctx.api("POST", "/conversations", Some(&v.token), Some(request.clone()), Some("conversation-summary")).await?;
    first.expect("POST /conversations", 200, None)?;
    let second = ctx.api("POST", "/conversations", Some(&v.token), Some(request), Some("conversation-summary")).await?;
    second.expect("POST /conversations again with the same clientId", 200, None)?;
    ensure!(
        first.body["id"] == second.body["id"],
        "the same clientId started two conversations ({} and {})",
        first.body["id"],
        second.body["id"]
    );
    Ok(())
}

async fn conversation_listed(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let summary = ctx.start_conversation(&v, "deposit-not-arrived").await?;
    let id = text(&summary["id"]);
    let list = ctx.api("GET", "/conversations", Some(&v.token), None, Some("[conversation-summary]")).await?;
    list.expect("GET /conversations", 200, None)?;
    ensure!(
        list.body.as_array().is_some_and(|l| l.iter().any(|c| c["id"] == id)),
        "the visitor's list lacks the conversation just started: {}",
        short(&list.body)
    );
    let detail =
        ctx.api("GET", &format!("/conversations/{id}"), Some(&v.token), None, Some("conversation-detail")).await?;
    detail.expect("GET /conversations/{id}", 200, None)?;
    let transcript = detail.body["transcript"].as_array().map_or(0, Vec::len);
    ensure!(transcript == 2, "the hand-over's transcript should hold its 2 lines, holds {transcript}");
    ensure!(
        detail.body["fields"].as_array().is_some_and(|f| f.iter().any(|f| f["id"] == "coin" && f["value"] == "USDT")),
        "the hand-over's fields were not kept: {}",
        short(&detail.body["fields"])
    );
    Ok(())
}

async fn conversation_not_yours(ctx: &Ctx) -> Check {
    let owner = ctx.visitor().await?;
    let stranger = ctx.visitor().await?;
    let summary = ctx.start_conversation(&owner, "other").await?;
    let id = text(&summary["id"]);
    ctx.api("GET", &format!("/conversations/{id}"), Some(&stranger.token), None, None).await?.expect(
        "another visitor's conversation",
        404,
        Some("not_found"),
    )?;
    let list = ctx.api("GET", "/conversations", Some(&stranger.token), None, Some("[conversation-summary]")).await?;
    ensure!(
        !list.body.as_array().is_some_and(|l| l.iter().any(|c| c["id"] == id)),
        "another visitor's conversation is in this visitor's list"
    );
    Ok(())
}

// ---- the socket

async fn socket_welcome(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let mut socket = crate::client::Socket::open(&ctx.http, ctx.options.timeout).await?;
    socket.send(&json!({"type": "hello", "v": 1, "token": v.token, "resume": []})).await?;
    let welcome = socket.next(&ctx.schemas).await?;
    ensure!(welcome["type"] == "welcome", "expected welcome, got {}", short(&welcome));
    ensure!(welcome["id"] == v.id.as_str(), "welcome names {} instead of the visitor {}", welcome["id"], v.id);
    Ok(())
}

async fn socket_unsupported_version(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let mut socket = crate::client::Socket::open(&ctx.http, ctx.options.timeout).await?;
    socket.send(&json!({"type": "hello", "v": 99, "token": v.token})).await?;
    let frame = socket.next(&ctx.schemas).await?;
    ensure!(
        frame["type"] == "error" && frame["error"]["code"] == "unsupported_version",
        "hello v99: expected error unsupported_version, got {}",
        short(&frame)
    );
    ensure!(
        socket.closed_by_server(&ctx.schemas).await?,
        "after unsupported_version the server should close the socket"
    );
    Ok(())
}

async fn socket_bad_token(ctx: &Ctx) -> Check {
    let mut socket = crate::client::Socket::open(&ctx.http, ctx.options.timeout).await?;
    socket.send(&json!({"type": "hello", "v": 1, "token": "vt_not-a-token"})).await?;
    let frame = socket.next(&ctx.schemas).await?;
    ensure!(
        frame["type"] == "error" && frame["error"]["code"] == "unauthorized",
        "hello with an unknown token: expected error unauthorized, got {}",
        short(&frame)
    );
    Ok(())
}

async fn socket_ping(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let mut socket = ctx.socket(&v, json!([])).await?;
    socket.send(&json!({"type": "ping"})).await?;
    socket.wait(&ctx.schemas, "pong", |f| f["type"] == "pong").await?;
    Ok(())
}

async fn socket_send_ack_message(ctx: &Ctx) -> Check {
    let (_, id, mut socket) = in_conversation(ctx).await?;
    let id = id.as_str();
    let ack = ctx.send(&mut socket, id, "Hello, is anyone there?").await?;
    ensure!(ack["conversation"] == id, "the ack names conversation {} instead of {id}", ack["conversation"]);
    let seq = ack["seq"].as_u64().unwrap_or(0);
    ensure!(seq >= 1, "seq numbers start at 1, the ack says {seq}");
    let client_id = text(&ack["clientId"]).to_owned();
    let message = socket.wait(&ctx.schemas, "the stored message", |f| message_with(f, &client_id)).await?;
    let m = &message["message"];
    ensure!(m["seq"] == seq && m["conversation"] == id, "the message frame disagrees with its ack: {}", short(m));
    ensure!(m["author"]["kind"] == "visitor", "the visitor's message has author {}", m["author"]);
    ensure!(m["body"] == "Hello, is anyone there?", "the body changed on the way: {}", m["body"]);
    Ok(())
}

async fn socket_every_socket(ctx: &Ctx) -> Check {
    let (v, id, mut first) = in_conversation(ctx).await?;
    let id = id.as_str();
    let mut second = ctx.socket(&v, json!([{"conversation": id, "afterSeq": 0}])).await?;
    let ack = ctx.send(&mut first, id, "sent from the first tab").await?;
    let client_id = text(&ack["clientId"]).to_owned();
    second.wait(&ctx.schemas, "the first tab's message on the second tab", |f| message_with(f, &client_id)).await?;
    Ok(())
}

async fn socket_dedupe(ctx: &Ctx) -> Check {
    let (v, id, mut socket) = in_conversation(ctx).await?;
    let id = id.as_str();
    let client_id = ctx.unique("m");
    let frame = json!({"type": "send", "conversation": id, "clientId": client_id, "body": "only once"});
    let mut seqs = Vec::new();
    for _ in 0..2 {
        socket.send(&frame).await?;
        let ack =
            socket.wait(&ctx.schemas, "the ack", |f| f["type"] == "ack" && f["clientId"] == client_id.as_str()).await?;
        seqs.push(ack["seq"].clone());
    }
    // A reconnect sends it once more, on a new socket.
    let mut again = ctx.socket(&v, json!([{"conversation": id, "afterSeq": 0}])).await?;
    again.send(&frame).await?;
    let ack =
        again.wait(&ctx.schemas, "the ack", |f| f["type"] == "ack" && f["clientId"] == client_id.as_str()).await?;
    seqs.push(ack["seq"].clone());
    ensure!(seqs.iter().all(|s| *s == seqs[0]), "the same clientId was acknowledged with different seqs: {seqs:?}");
    let stored = stored(ctx, &v, id, &client_id).await?;
    ensure!(stored == 1, "a message sent three times with one clientId is stored {stored} times");
    Ok(())
}

async fn socket_order(ctx: &Ctx) -> Check {
    let (v, id, mut socket) = in_conversation(ctx).await?;
    let id = id.as_str();
    let ids: Vec<String> = (0..5).map(|_| ctx.unique("m")).collect();
    for (i, client_id) in ids.iter().enumerate() {
        socket
            .send(
                &json!({"type": "send", "conversation": id, "clientId": client_id, "body": format!("part {}", i + 1)}),
            )
            .await?;
    }
    let mut acked = Vec::new();
    for client_id in &ids {
        let ack = socket
            .wait(&ctx.schemas, "the acks", |f| f["type"] == "ack" && f["clientId"] == client_id.as_str())
            .await?;
        acked.push(ack["seq"].as_u64().unwrap_or(0));
    }
    ensure!(acked.windows(2).all(|w| w[0] < w[1]), "five messages sent in order got seqs {acked:?}");
    let detail =
        ctx.api("GET", &format!("/conversations/{id}"), Some(&v.token), None, Some("conversation-detail")).await?;
    let bodies: Vec<&str> = detail.body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["author"]["kind"] == "visitor")
        .map(|m| text(&m["body"]))
        .collect();
    ensure!(
        bodies == ["part 1", "part 2", "part 3", "part 4", "part 5"],
        "the conversation holds the messages as {bodies:?}"
    );
    Ok(())
}

async fn socket_resume(ctx: &Ctx) -> Check {
    let (v, id, mut socket) = in_conversation(ctx).await?;
    let id = id.as_str();
    let mut seqs = Vec::new();
    for body in ["one", "two", "three"] {
        seqs.push(ctx.send(&mut socket, id, body).await?["seq"].as_u64().unwrap_or(0));
    }
    drop(socket);
    let mut resumed = ctx.socket(&v, json!([{"conversation": id, "afterSeq": seqs[0]}])).await?;
    for (seq, body) in [(seqs[1], "two"), (seqs[2], "three")] {
        let frame = resumed
            .wait(&ctx.schemas, &format!("message {seq} replayed"), |f| {
                f["type"] == "message"
                    && f["message"]["conversation"] == id
                    && f["message"]["author"]["kind"] == "visitor"
            })
            .await?;
        ensure!(
            frame["message"]["seq"] == seq && frame["message"]["body"] == body,
            "resuming after {}: expected message {seq} ({body}) next, got {}",
            seqs[0],
            short(&frame["message"])
        );
    }
    let mut caught_up = ctx.socket(&v, json!([{"conversation": id, "afterSeq": seqs[2]}])).await?;
    caught_up
        .expect_none(&ctx.schemas, "replay for a client that missed nothing", Duration::from_millis(800), |f| {
            f["type"] == "message" && f["message"]["seq"].as_u64().is_some_and(|s| s <= seqs[2])
        })
        .await
}

async fn socket_not_yours(ctx: &Ctx) -> Check {
    let owner = ctx.visitor().await?;
    let stranger = ctx.visitor().await?;
    let c = ctx.start_conversation(&owner, "other").await?;
    let id = text(&c["id"]);
    let mut socket = ctx.socket(&stranger, json!([{"conversation": id, "afterSeq": 0}])).await?;
    let client_id = ctx.unique("m");
    socket.send(&json!({"type": "send", "conversation": id, "clientId": client_id, "body": "let me in"})).await?;
    let frame = socket
        .wait(&ctx.schemas, "an answer to a send into another visitor's conversation", |f| {
            f["clientId"] == client_id.as_str() || f["type"] == "message"
        })
        .await?;
    ensure!(
        frame["type"] == "error" && frame["error"]["code"] == "not_found",
        "a send into another visitor's conversation: expected error not_found, got {}",
        short(&frame)
    );
    ensure!(
        stored(ctx, &owner, id, &client_id).await? == 0,
        "another visitor's message was stored in the conversation"
    );
    Ok(())
}

async fn refused_send(ctx: &Ctx, body: &str, code: &str, what: &str) -> Check {
    let (v, id, mut socket) = in_conversation(ctx).await?;
    let id = id.as_str();
    let client_id = ctx.unique("m");
    socket.send(&json!({"type": "send", "conversation": id, "clientId": client_id, "body": body})).await?;
    let frame = socket
        .wait(&ctx.schemas, &format!("the answer to {what}"), |f| {
            f["clientId"] == client_id.as_str() || message_with(f, &client_id)
        })
        .await?;
    ensure!(
        frame["type"] == "error" && frame["error"]["code"] == code && frame["error"]["field"] == "body",
        "{what}: expected error {code} naming field body, got {}",
        short(&frame)
    );
    ensure!(frame["conversation"] == id, "the error frame should name the conversation: {}", short(&frame));
    ensure!(stored(ctx, &v, id, &client_id).await? == 0, "{what} was stored anyway");
    Ok(())
}

async fn socket_too_large(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let max = v.session["limits"]["maxMessageChars"].as_u64().unwrap_or(4000) as usize;
    refused_send(ctx, &"x".repeat(max + 1), "too_large", "a message one character over maxMessageChars").await
}

async fn socket_secret_refused(ctx: &Ctx) -> Check {
    let body = format!("my recovery phrase is {RECOVERY_PHRASE}");
    refused_send(ctx, &body, "secret_refused", "a message holding a recovery phrase").await
}

// ---- with an agent

/// A visitor with a queued conversation and its socket, and the agent
/// having accepted it (the `agent_joined` frame already seen).
async fn accepted(ctx: &Ctx) -> Check<(crate::Visitor, String, crate::client::Socket)> {
    let (v, id, mut socket) = in_conversation(ctx).await?;
    ctx.agent(json!({"do": "accept", "conversation": id})).await?;
    let joined = socket.wait(&ctx.schemas, "agent_joined", |f| is(f, "agent_joined", &id)).await?;
    ensure!(!text(&joined["agent"]["name"]).is_empty(), "agent_joined without the agent's name: {}", short(&joined));
    Ok((v, id, socket))
}

async fn agent_joined(ctx: &Ctx) -> Check {
    let (v, id, _socket) = accepted(ctx).await?;
    let detail =
        ctx.api("GET", &format!("/conversations/{id}"), Some(&v.token), None, Some("conversation-detail")).await?;
    let status = &detail.body["summary"]["status"];
    ensure!(status == "active", "an accepted conversation should be active, is {status}");
    Ok(())
}

async fn agent_messages(ctx: &Ctx) -> Check {
    let (_v, id, mut socket) = accepted(ctx).await?;
    let said = ctx.agent(json!({"do": "send", "conversation": id, "body": "Hi, I'm looking at your deposit."})).await?;
    let frame = socket
        .wait(&ctx.schemas, "the agent's message", |f| {
            f["type"] == "message"
                && f["message"]["author"]["kind"] == "agent"
                && f["message"]["conversation"] == id.as_str()
        })
        .await?;
    ensure!(
        frame["message"]["body"] == "Hi, I'm looking at your deposit.",
        "the agent's body changed: {}",
        frame["message"]["body"]
    );
    if let Some(seq) = said["seq"].as_u64() {
        ensure!(
            frame["message"]["seq"] == seq,
            "the agent's message has seq {} on the visitor's side, {seq} on the agent's",
            frame["message"]["seq"]
        );
    }
    let ack = ctx.send(&mut socket, &id, "Thanks! It was 250 USDT.").await?;
    ensure!(
        ack["seq"].as_u64() > frame["message"]["seq"].as_u64(),
        "a reply after the agent's message got a lower seq ({} after {})",
        ack["seq"],
        frame["message"]["seq"]
    );
    ctx.agent(json!({"do": "wait_message", "conversation": id, "body": "Thanks! It was 250 USDT."})).await?;
    Ok(())
}

async fn agent_typing(ctx: &Ctx) -> Check {
    let (_v, id, mut socket) = accepted(ctx).await?;
    ctx.agent(json!({"do": "typing", "conversation": id, "typing": true})).await?;
    socket
        .wait(&ctx.schemas, "the agent typing", |f| {
            is(f, "typing", &id) && f["author"] == "agent" && f["typing"] == true
        })
        .await?;
    socket.send(&json!({"type": "typing", "conversation": id, "typing": true})).await?;
    ctx.agent(json!({"do": "wait_typing", "conversation": id, "typing": true})).await?;
    Ok(())
}

async fn agent_read(ctx: &Ctx) -> Check {
    let (_v, id, mut socket) = accepted(ctx).await?;
    let ack = ctx.send(&mut socket, &id, "Did you see this?").await?;
    let seq = ack["seq"].as_u64().unwrap_or(0);
    ctx.agent(json!({"do": "wait_message", "conversation": id, "body": "Did you see this?"})).await?;
    ctx.agent(json!({"do": "read", "conversation": id, "seq": seq})).await?;
    socket
        .wait(&ctx.schemas, "the agent's read receipt", |f| {
            is(f, "read", &id) && f["by"] == "agent" && f["seq"].as_u64().is_some_and(|s| s >= seq)
        })
        .await?;
    let said = ctx.agent(json!({"do": "send", "conversation": id, "body": "Yes."})).await?;
    let frame = socket
        .wait(&ctx.schemas, "the agent's answer", |f| {
            f["type"] == "message" && f["message"]["author"]["kind"] == "agent"
        })
        .await?;
    let theirs = said["seq"].as_u64().or(frame["message"]["seq"].as_u64()).unwrap_or(0);
    socket.send(&json!({"type": "read", "conversation": id, "seq": theirs})).await?;
    ctx.agent(json!({"do": "wait_read", "conversation": id, "seq": theirs})).await?;
    Ok(())
}

async fn agent_closes(ctx: &Ctx) -> Check {
    let (v, id, mut socket) = accepted(ctx).await?;
    ctx.agent(json!({"do": "close", "conversation": id})).await?;
    socket.wait(&ctx.schemas, "closed by the agent", |f| is(f, "closed", &id) && f["by"] == "agent").await?;
    let detail =
        ctx.api("GET", &format!("/conversations/{id}"), Some(&v.token), None, Some("conversation-detail")).await?;
    let status = &detail.body["summary"]["status"];
    ensure!(status == "closed", "a conversation the agent closed is {status}");
    Ok(())
}

async fn agent_queue_moves(ctx: &Ctx) -> Check {
    let first = ctx.visitor().await?;
    let ahead = ctx.start_conversation(&first, "other").await?;
    let second = ctx.visitor().await?;
    let behind = ctx.start_conversation(&second, "other").await?;
    let (ahead, id) = (text(&ahead["id"]).to_owned(), text(&behind["id"]).to_owned());
    let Some(place) = behind["queue"]["position"].as_u64() else {
        return Err(Failure::Skip("the backend gives no queue places (optional)".into()));
    };
    let mut socket = ctx.socket(&second, json!([{"conversation": id, "afterSeq": 0}])).await?;
    ctx.agent(json!({"do": "accept", "conversation": ahead})).await?;
    let moved = socket
        .wait(&ctx.schemas, "a queue frame with a better place", |f| {
            is(f, "queue", &id) && f["queue"]["position"].as_u64().is_some_and(|p| p < place)
        })
        .await?;
    ensure!(moved["queue"]["position"].as_u64().unwrap_or(0) >= 1, "queue places start at 1: {}", short(&moved));
    Ok(())
}

// ---- closing and rating

async fn close_by_visitor(ctx: &Ctx) -> Check {
    let (_, id, mut socket) = in_conversation(ctx).await?;
    let id = id.as_str();
    socket.send(&json!({"type": "close", "conversation": id})).await?;
    socket.wait(&ctx.schemas, "closed by the visitor", |f| is(f, "closed", id) && f["by"] == "visitor").await?;
    let client_id = ctx.unique("m");
    socket.send(&json!({"type": "send", "conversation": id, "clientId": client_id, "body": "one more thing"})).await?;
    let frame = socket
        .wait(&ctx.schemas, "the answer to a send after the end", |f| {
            f["clientId"] == client_id.as_str() || message_with(f, &client_id)
        })
        .await?;
    ensure!(
        frame["type"] == "error" && frame["error"]["code"] == "closed",
        "a send into a closed conversation: expected error closed, got {}",
        short(&frame)
    );
    Ok(())
}

async fn close_rating(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let c = ctx.start_conversation(&v, "other").await?;
    let id = text(&c["id"]);
    let path = format!("/conversations/{id}/rating");
    ctx.api("POST", &path, Some(&v.token), Some(json!({"score": 5})), None).await?.expect(
        "rating a conversation that has not ended",
        409,
        Some("conflict"),
    )?;
    let mut socket = ctx.socket(&v, json!([{"conversation": id, "afterSeq": 0}])).await?;
    socket.send(&json!({"type": "close", "conversation": id})).await?;
    socket.wait(&ctx.schemas, "closed", |f| is(f, "closed", id)).await?;
    let rated = ctx
        .api("POST", &path, Some(&v.token), Some(json!({"score": 4, "comment": "quick"})), Some("conversation-summary"))
        .await?;
    rated.expect("rating a closed conversation", 200, None)?;
    ensure!(rated.body["id"] == id, "the rating answered with another conversation: {}", short(&rated.body));
    ctx.api("POST", &path, Some(&v.token), Some(json!({"score": 9})), None).await?.expect(
        "a score of 9",
        400,
        Some("bad_request"),
    )
}

// ---- attachments

/// Uploads a file; a backend that answers 404 offers no attachments, and
/// the case is skipped.
async fn upload(
    ctx: &Ctx,
    token: &str,
    name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Check<crate::client::Answer> {
    let answer = ctx
        .http
        .raw(
            &ctx.schemas,
            "POST",
            "/api/v1/attachments",
            Some(token),
            Some(bytes),
            content_type,
            &[("x-filename", name)],
            Some("attachment"),
        )
        .await?;
    if answer.status == 404 {
        return Err(Failure::Skip("the backend offers no attachments (POST /api/v1/attachments answers 404)".into()));
    }
    Ok(answer)
}

async fn attachment_accepted(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let answer = upload(ctx, &v.token, "screenshot.png", "image/png", PNG.to_vec()).await?;
    answer.expect("uploading a PNG", 200, None)?;
    let a = &answer.body;
    ensure!(a["contentType"] == "image/png" && a["size"] == PNG.len(), "the attachment says {}", short(a));
    let (status, headers, body) = ctx.http.bytes(text(&a["url"])).await?;
    ensure!(status == 200 && body == PNG, "GET the attachment's url: {status}, {} bytes", body.len());
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    ensure!(header("content-type").starts_with("image/png"), "the file is served as {:?}", header("content-type"));
    ensure!(
        header("x-content-type-options") == "nosniff",
        "the file is served without X-Content-Type-Options: nosniff"
    );
    Ok(())
}

async fn attachment_disguised(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.extend_from_slice(&[0u8; 120]);
    upload(ctx, &v.token, "photo.png", "image/png", elf).await?.expect(
        "a program named photo.png",
        415,
        Some("unsupported_type"),
    )
}

async fn attachment_too_large(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let max = v.session["limits"]["maxAttachmentBytes"].as_u64().unwrap_or(10 << 20) as usize;
    let headers = [("Content-Type", "text/plain"), ("X-Filename", "big.txt")];
    let answer = ctx.http.early_answer(&ctx.schemas, "/api/v1/attachments", &v.token, &headers, max + 1).await?;
    if answer.status == 404 {
        return Err(Failure::Skip("the backend offers no attachments (POST /api/v1/attachments answers 404)".into()));
    }
    answer.expect("a file one byte over maxAttachmentBytes", 413, Some("too_large"))
}

async fn attachment_in_message(ctx: &Ctx) -> Check {
    let (v, id, mut socket) = in_conversation(ctx).await?;
    let id = id.as_str();
    let answer = upload(ctx, &v.token, "deposit.png", "image/png", PNG.to_vec()).await?;
    answer.expect("uploading a PNG", 200, None)?;
    let attachment = text(&answer.body["id"]).to_owned();
    let client_id = ctx.unique("m");
    socket
        .send(&json!({"type": "send", "conversation": id, "clientId": client_id, "body": "here it is", "attachments": [attachment]}))
        .await?;
    let frame = socket.wait(&ctx.schemas, "the message with its file", |f| message_with(f, &client_id)).await?;
    let files = frame["message"]["attachments"].as_array().cloned().unwrap_or_default();
    ensure!(
        files.len() == 1 && files[0]["id"] == attachment.as_str() && files[0]["name"] == "deposit.png",
        "the message carries {} instead of the uploaded file",
        short(&frame["message"]["attachments"])
    );
    Ok(())
}

// ---- tickets

fn new_ticket(ctx: &Ctx, description: &str) -> Value {
    json!({
        "clientId": ctx.unique("t"),
        "title": "USDT deposit not credited",
        "category": "deposit-not-arrived",
        "urgency": "high",
        "description": description,
        "fields": [{"id": "coin", "label": "Coin", "value": "USDT"}],
        "attachments": [],
        "email": "conformance@example.com",
        "locale": "en",
    })
}

/// `POST /tickets`; a backend that answers 404 offers no tickets, and the
/// case is skipped.
async fn post_ticket(ctx: &Ctx, v: &crate::Visitor, request: Value) -> Check<crate::client::Answer> {
    let answer = ctx.api("POST", "/tickets", Some(&v.token), Some(request), Some("ticket-detail")).await?;
    if answer.status == 404 {
        return Err(Failure::Skip("the backend offers no tickets (POST /api/v1/tickets answers 404)".into()));
    }
    Ok(answer)
}

async fn create_ticket(ctx: &Ctx, v: &crate::Visitor) -> Check<Value> {
    let answer = post_ticket(ctx, v, new_ticket(ctx, "Sent 250 USDT on TRON two hours ago.")).await?;
    answer.expect("POST /tickets", 201, None)?;
    Ok(answer.body)
}

/// A ticket detail's summary.
fn ticket_of(detail: &Value) -> &Value {
    &detail["summary"]
}

async fn ticket_create(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let request = new_ticket(ctx, "Sent 250 USDT on TRON two hours ago.");
    let first = post_ticket(ctx, &v, request.clone()).await?;
    first.expect("POST /tickets", 201, None)?;
    let t = ticket_of(&first.body);
    ensure!(!text(&t["number"]).is_empty(), "a ticket without a number: {}", short(t));
    ensure!(t["status"] == "open", "a new ticket should be open, is {}", t["status"]);
    let again = ctx.api("POST", "/tickets", Some(&v.token), Some(request), Some("ticket-detail")).await?;
    ensure!(again.status == 200 || again.status == 201, "POST /tickets again with the same clientId: {}", again.status);
    ensure!(
        ticket_of(&again.body)["id"] == t["id"],
        "the same clientId made two tickets ({} and {})",
        t["id"],
        ticket_of(&again.body)["id"]
    );
    Ok(())
}

async fn ticket_listed(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let detail = create_ticket(ctx, &v).await?;
    let id = text(&ticket_of(&detail)["id"]).to_owned();
    let list = ctx.api("GET", "/tickets", Some(&v.token), None, Some("[ticket-summary]")).await?;
    list.expect("GET /tickets", 200, None)?;
    ensure!(
        list.body.as_array().is_some_and(|l| l.iter().any(|t| t["id"] == id.as_str())),
        "the new ticket is not listed"
    );
    let read = ctx.api("GET", &format!("/tickets/{id}"), Some(&v.token), None, Some("ticket-detail")).await?;
    read.expect("GET /tickets/{id}", 200, None)?;
    ensure!(
        read.body["description"] == "Sent 250 USDT on TRON two hours ago.",
        "the description came back as {}",
        read.body["description"]
    );
    Ok(())
}

async fn ticket_not_yours(ctx: &Ctx) -> Check {
    let owner = ctx.visitor().await?;
    let stranger = ctx.visitor().await?;
    let detail = create_ticket(ctx, &owner).await?;
    let id = text(&ticket_of(&detail)["id"]).to_owned();
    ctx.api("GET", &format!("/tickets/{id}"), Some(&stranger.token), None, None).await?.expect(
        "another visitor's ticket",
        404,
        Some("not_found"),
    )?;
    ctx.api(
        "POST",
        &format!("/tickets/{id}/replies"),
        Some(&stranger.token),
        Some(json!({"clientId": ctx.unique("r"), "body": "hi"})),
        None,
    )
    .await?
    .expect("a reply to another visitor's ticket", 404, Some("not_found"))
}

async fn ticket_reply(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let detail = create_ticket(ctx, &v).await?;
    let id = text(&ticket_of(&detail)["id"]).to_owned();
    let reply = json!({"clientId": ctx.unique("r"), "body": "The TxID is 0x9f3c.", "attachments": []});
    let path = format!("/tickets/{id}/replies");
    let first = ctx.api("POST", &path, Some(&v.token), Some(reply.clone()), Some("server-frame#TicketReply")).await?;
    ensure!(first.status == 200 || first.status == 201, "POST {path}: {} {}", first.status, short(&first.body));
    let second = ctx.api("POST", &path, Some(&v.token), Some(reply), Some("server-frame#TicketReply")).await?;
    ensure!(
        second.body["seq"] == first.body["seq"],
        "the same reply clientId was stored twice (seq {} and {})",
        first.body["seq"],
        second.body["seq"]
    );
    let read = ctx.api("GET", &format!("/tickets/{id}"), Some(&v.token), None, Some("ticket-detail")).await?;
    let count =
        read.body["replies"].as_array().into_iter().flatten().filter(|r| r["body"] == "The TxID is 0x9f3c.").count();
    ensure!(count == 1, "the thread holds the reply {count} times");
    Ok(())
}

async fn set_status(ctx: &Ctx, v: &crate::Visitor, id: &str, status: &str) -> Check<Value> {
    let answer = ctx
        .api(
            "POST",
            &format!("/tickets/{id}/status"),
            Some(&v.token),
            Some(json!({"status": status})),
            Some("ticket-summary"),
        )
        .await?;
    answer.expect(&format!("setting a ticket {status}"), 200, None)?;
    ensure!(answer.body["status"] == status, "asked for {status}, the ticket is {}", answer.body["status"]);
    Ok(answer.body)
}

async fn ticket_close_reopen(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let detail = create_ticket(ctx, &v).await?;
    let id = text(&ticket_of(&detail)["id"]).to_owned();
    set_status(ctx, &v, &id, "closed").await?;
    let path = format!("/tickets/{id}/replies");
    ctx.api("POST", &path, Some(&v.token), Some(json!({"clientId": ctx.unique("r"), "body": "still there?"})), None)
        .await?
        .expect("a reply to a closed ticket", 409, Some("closed"))?;
    set_status(ctx, &v, &id, "open").await?;
    let reply = ctx
        .api(
            "POST",
            &path,
            Some(&v.token),
            Some(json!({"clientId": ctx.unique("r"), "body": "reopened"})),
            Some("server-frame#TicketReply"),
        )
        .await?;
    ensure!(
        reply.status == 200 || reply.status == 201,
        "a reply after reopening: {} {}",
        reply.status,
        short(&reply.body)
    );
    Ok(())
}

async fn ticket_rating(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let detail = create_ticket(ctx, &v).await?;
    let id = text(&ticket_of(&detail)["id"]).to_owned();
    let path = format!("/tickets/{id}/rating");
    ctx.api("POST", &path, Some(&v.token), Some(json!({"score": 5})), None).await?.expect(
        "rating an open ticket",
        409,
        Some("conflict"),
    )?;
    set_status(ctx, &v, &id, "closed").await?;
    let rated = ctx
        .api("POST", &path, Some(&v.token), Some(json!({"score": 5, "comment": "thanks"})), Some("ticket-summary"))
        .await?;
    rated.expect("rating a closed ticket", 200, None)?;
    Ok(())
}

async fn ticket_secret_refused(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let request = new_ticket(ctx, &format!("My wallet's words are {RECOVERY_PHRASE}, please check."));
    let answer = post_ticket(ctx, &v, request).await?;
    answer.expect("a ticket whose description holds a recovery phrase", 422, Some("secret_refused"))?;
    ensure!(
        answer.body["error"]["field"] == "description",
        "secret_refused should name the field `description`, names {}",
        answer.body["error"]["field"]
    );
    let list = ctx.api("GET", "/tickets", Some(&v.token), None, Some("[ticket-summary]")).await?;
    ensure!(
        list.body.as_array().is_some_and(Vec::is_empty),
        "a refused ticket was stored anyway: {}",
        short(&list.body)
    );
    Ok(())
}

async fn ticket_live_reply(ctx: &Ctx) -> Check {
    let v = ctx.visitor().await?;
    let detail = create_ticket(ctx, &v).await?;
    let id = text(&ticket_of(&detail)["id"]).to_owned();
    let mut socket = ctx.socket(&v, json!([])).await?;
    ctx.agent(json!({"do": "reply_ticket", "ticket": id, "body": "Which network did you send it on?"})).await?;
    let frame = socket
        .wait(&ctx.schemas, "the agent's ticket reply, live", |f| {
            f["type"] == "ticket_reply" && f["reply"]["ticket"] == id.as_str()
        })
        .await?;
    let reply = &frame["reply"];
    ensure!(
        reply["author"]["kind"] == "agent" && reply["body"] == "Which network did you send it on?",
        "the live reply says {}",
        short(reply)
    );
    let before = unread(ctx, &v, &id).await?;
    ensure!(before >= 1, "after an agent's reply the ticket's unread is {before}");
    let read = ctx
        .api("POST", &format!("/tickets/{id}/read"), Some(&v.token), Some(json!({"seq": reply["seq"]})), None)
        .await?;
    ensure!(
        read.status == 204 || read.status == 200,
        "POST /tickets/{{id}}/read: {} {}",
        read.status,
        short(&read.body)
    );
    let after = unread(ctx, &v, &id).await?;
    ensure!(after == 0, "after reading the thread the ticket's unread is {after}");
    Ok(())
}

/// The ticket's `unread` in its visitor's list (0 when absent, as the
/// protocol says of absent counts).
async fn unread(ctx: &Ctx, v: &crate::Visitor, id: &str) -> Check<u64> {
    let list = ctx.api("GET", "/tickets", Some(&v.token), None, Some("[ticket-summary]")).await?;
    let Some(ticket) = list.body.as_array().into_iter().flatten().find(|t| t["id"] == id) else {
        fail!("the ticket {id} is not in its visitor's list");
    };
    Ok(ticket["unread"].as_u64().unwrap_or(0))
}

// ---- limits (last: it spends its visitor's budget)

async fn limits_rate_limited(ctx: &Ctx) -> Check {
    const TRIES: usize = 200;
    let (_, id, mut socket) = in_conversation(ctx).await?;
    let id = id.as_str();
    for i in 0..TRIES {
        let client_id = ctx.unique("m");
        socket
            .send(&json!({"type": "send", "conversation": id, "clientId": client_id, "body": format!("flood {i}")}))
            .await?;
        let frame = socket
            .wait(&ctx.schemas, "the answer", |f| {
                f["clientId"] == client_id.as_str() && (f["type"] == "ack" || f["type"] == "error")
            })
            .await?;
        if frame["type"] == "error" {
            ensure!(
                frame["error"]["code"] == "rate_limited",
                "message {i} of a flood: expected rate_limited, got {}",
                short(&frame)
            );
            ensure!(
                frame["error"]["retryAfterMs"].as_u64().is_some_and(|ms| ms > 0),
                "rate_limited without a positive retryAfterMs: {}",
                short(&frame)
            );
            return Ok(());
        }
    }
    Err(Failure::Skip(format!("no limit reached after {TRIES} messages in a row (the backend may not limit them)")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_unique_and_dotted() {
        let mut names: Vec<&str> = super::ALL.iter().map(|c| c.name).collect();
        assert!(names.iter().all(|n| n.split_once('.').is_some_and(|(a, r)| !a.is_empty() && !r.is_empty())));
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
