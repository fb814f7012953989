//! One anonymous visitor cannot make the queue expensive for everyone:
//! what a hand-over carries is bounded, a visitor holds only a few open
//! conversations, queue events read no transcripts, and abandoned queued
//! conversations are closed; a queue event costs a bounded frame however
//! long the queue is. (Issue 13; the socket bounds are tested in
//! `socket.rs`; the rest of its abuse suite is still to come.)

use std::time::Duration;

use helpdock_core::protocol::{AgentRole, ClientFrame, ConversationStatus, ServerFrame};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{error_code, TestServer};

fn start(client_id: &str, lines: usize, chars: usize) -> Value {
    let transcript: Vec<Value> = (0..lines).map(|_| json!({"from": "user", "text": "a".repeat(chars)})).collect();
    json!({"clientId": client_id, "topic": "deposit-not-arrived", "locale": "en", "transcript": transcript, "fields": []})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hand_over_carries_a_bounded_transcript() {
    let server = TestServer::start().await;
    let visitor = server.visitor().await;
    let token = Some(visitor.visitor_token.as_str());
    // Each line within the message limit (4 000), together over 20 000.
    let (status, body) = server.call(Method::POST, "/api/v1/conversations", token, Some(start("big", 10, 3_000))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(
        (body["error"]["code"].as_str(), body["error"]["field"].as_str()),
        (Some("too_large"), Some("transcript"))
    );
    assert!(body["error"]["message"].as_str().unwrap().contains("20000 characters"), "{body}");
    assert!(server.db().open_conversations(&visitor.visitor_id).await.unwrap().is_empty(), "nothing stored");
    // Fields count too.
    let mut request = start("fields", 1, 100);
    let field = json!({"id": "note", "label": "Note", "value": "b".repeat(3_900)});
    request["fields"] = Value::Array(vec![field; 6]);
    let (status, _) = server.call(Method::POST, "/api/v1/conversations", token, Some(request)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Within the bound, it starts.
    let (status, body) = server.call(Method::POST, "/api/v1/conversations", token, Some(start("ok", 5, 3_000))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_holds_only_a_few_open_conversations() {
    let server = TestServer::start().await;
    let visitor = server.visitor().await;
    let token = visitor.visitor_token.as_str();
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(server.start_conversation(token, &format!("c{i}"), "deposit-not-arrived").await.id);
    }
    let (status, body) =
        server.call(Method::POST, "/api/v1/conversations", Some(token), Some(start("c3", 1, 10))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(body["error"]["message"], "You already have 3 open conversations; end one before starting another.");
    // Asking again for one it has is still answered (a retried request).
    assert_eq!(server.start_conversation(token, "c1", "deposit-not-arrived").await.id, ids[1]);
    // Once one is over, another may start.
    let mut ws = server.visitor_socket(token, Vec::new()).await;
    ws.send(&ClientFrame::Close { conversation: ids[0].clone() }).await;
    ws.recv_until(|f| matches!(f, ServerFrame::Closed { .. })).await;
    server.start_conversation(token, "c4", "deposit-not-arrived").await;
    // Another visitor is not affected.
    let other = server.visitor().await;
    server.start_conversation(&other.visitor_token, "c0", "deposit-not-arrived").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn queue_events_read_no_transcripts() {
    let server = TestServer::start().await;
    let visitor = server.visitor().await;
    let token = Some(visitor.visitor_token.as_str());
    let (status, body) = server.call(Method::POST, "/api/v1/conversations", token, Some(start("q", 5, 3_000))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let queued = server.db().queued_page(None, 10).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert!(queued[0].transcript.is_empty() && queued[0].fields.is_empty(), "the queue is read without them");
    // The conversation itself keeps them.
    let whole = server.db().conversation(&queued[0].id).await.unwrap().unwrap();
    assert_eq!(whole.transcript.len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_queue_costs_agents_and_visitors_a_bounded_frame_per_event() {
    let server = TestServer::with(|c| c.queue.shown_to_agents = 5).await;
    let password = server.add_agent("pat@example.com", "Pat", AgentRole::Agent, &[]).await;
    let pat = server.login("pat@example.com", &password).await;
    let mut console = pat.socket().await;
    // Forty visitors wait, each hand-over as large as allowed.
    let mut waiting = Vec::new();
    for i in 0..40 {
        let visitor = server.visitor().await;
        let token = Some(visitor.visitor_token.as_str());
        let (status, body) =
            server.call(Method::POST, "/api/v1/conversations", token, Some(start(&format!("q{i}"), 5, 3_900))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        waiting.push((visitor, body["id"].as_str().unwrap().to_string()));
    }
    // The agent hears of every start, with the first five and the count:
    // no transcript, and the same size whether 6 or 40 wait.
    let mut last = None;
    while last.as_ref().is_none_or(|(_, total)| *total < 40) {
        if let ServerFrame::QueueChanged { waiting: list, total } = console.recv().await {
            let size = ServerFrame::QueueChanged { waiting: list.clone(), total }.to_json().len();
            assert!(size < 2_500, "a queue_changed of {size} bytes");
            assert!(list.len() <= 5, "{} listed", list.len());
            last = Some((list, total.expect("the reference server counts")));
        }
    }
    let (list, _) = last.unwrap();
    let firsts: Vec<&str> = waiting.iter().take(5).map(|(_, id)| id.as_str()).collect();
    assert_eq!(list.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), firsts, "oldest first");
    assert_eq!(list[4].queue.as_ref().map(|q| q.position), Some(5));
    let response =
        pat.http.get(format!("{}/console/api/queue", pat.url)).header("cookie", &pat.cookie).send().await.unwrap();
    assert_eq!(response.headers()["x-total-count"], "40");
    assert_eq!(response.json::<Vec<Value>>().await.unwrap().len(), 5);

    // The second in line hears nothing when others join behind them; when
    // the first is taken, they move up to first.
    let (second, second_id) = &waiting[1];
    let mut socket = server.visitor_socket(&second.visitor_token, Vec::new()).await;
    let late = server.visitor().await;
    server.start_conversation(&late.visitor_token, "late", "deposit-not-arrived").await;
    assert!(socket.nothing_pending().await.iter().all(|f| !matches!(f, ServerFrame::Queue { .. })));
    console.send(&ClientFrame::Accept { conversation: waiting[0].1.clone() }).await;
    let (frame, _) = socket.recv_until(|f| matches!(f, ServerFrame::Queue { .. })).await;
    let ServerFrame::Queue { conversation, queue } = frame else { unreachable!() };
    assert_eq!((conversation.as_str(), queue.position), (second_id.as_str(), 1));
    let (frame, _) =
        console.recv_until(|f| matches!(f, ServerFrame::QueueChanged { total: Some(total), .. } if *total == 40)).await;
    let ServerFrame::QueueChanged { waiting: list, .. } = frame else { unreachable!() };
    assert_eq!(list[0].id, *second_id);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_queue_events_costs_an_agent_a_few_lists_and_others_none() {
    let server = TestServer::with(|c| c.queue.agents_refresh_ms = 1_000).await;
    let password = server.add_agent("pat@example.com", "Pat", AgentRole::Agent, &[]).await;
    let pat = server.login("pat@example.com", &password).await;
    let password = server.add_agent("kim@example.com", "Kim", AgentRole::Agent, &["kyc-rejected"]).await;
    let kim = server.login("kim@example.com", &password).await;
    let mut pat_ws = pat.socket().await;
    let mut kim_ws = kim.socket().await;
    // A first start: each node's sender learns what it sent whom.
    let visitor = server.visitor().await;
    server.start_conversation(&visitor.visitor_token, "first", "deposit-not-arrived").await;
    pat_ws.recv_until(|f| matches!(f, ServerFrame::QueueChanged { total: Some(1), .. })).await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    kim_ws.nothing_pending().await;
    // Twelve more starts within a refresh period.
    let started = std::time::Instant::now();
    for i in 0..12 {
        let visitor = server.visitor().await;
        server.start_conversation(&visitor.visitor_token, &format!("b{i}"), "deposit-not-arrived").await;
    }
    assert!(started.elapsed() < Duration::from_millis(900), "the starts took {:?}", started.elapsed());
    // The first is sent at once, what came after it together a period
    // later: two lists, the last with all thirteen.
    let (_, before) =
        pat_ws.recv_until(|f| matches!(f, ServerFrame::QueueChanged { total: Some(total), .. } if *total == 13)).await;
    let lists = 1 + before.iter().filter(|f| matches!(f, ServerFrame::QueueChanged { .. })).count();
    assert!(lists <= 2, "{lists} lists for one burst");
    // Kim serves none of these topics: her list did not change.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let pending = kim_ws.nothing_pending().await;
    assert!(pending.iter().all(|f| !matches!(f, ServerFrame::QueueChanged { .. })), "{pending:?}");
    let pending = pat_ws.nothing_pending().await;
    assert!(pending.iter().all(|f| !matches!(f, ServerFrame::QueueChanged { .. })), "{pending:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_abandoned_queued_conversation_is_closed_and_a_waiting_one_kept() {
    let server = TestServer::with(|c| c.limits.queued_expiry_secs = 1).await;
    let gone = server.visitor().await;
    let abandoned = server.start_conversation(&gone.visitor_token, "a", "deposit-not-arrived").await;
    let here = server.visitor().await;
    let waiting = server.start_conversation(&here.visitor_token, "w", "deposit-not-arrived").await;
    let _socket = server.visitor_socket(&here.visitor_token, Vec::new()).await;
    let started = std::time::Instant::now();
    loop {
        let c = server.db().conversation(&abandoned.id).await.unwrap().unwrap();
        if c.status == ConversationStatus::Closed {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still {:?} after 10 s", c.status);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let kept = server.db().conversation(&waiting.id).await.unwrap().unwrap();
    assert_eq!(kept.status, ConversationStatus::Queued, "its visitor is still there");
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_tls_proxy_on_loopback_the_console_cookie_is_secure() {
    for (setting, secure) in [(None, false), (Some(true), true)] {
        let server = TestServer::with(|c| c.cookie_secure = setting).await;
        let password = server.add_agent("mei@example.com", "Mei", AgentRole::Agent, &[]).await;
        let response = server
            .http
            .post(format!("{}/console/api/login", server.url))
            .json(&json!({"email": "mei@example.com", "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
        assert_eq!(cookie.ends_with("; Secure"), secure, "cookie_secure = {setting:?}: {cookie}");
        // A Secure cookie is a `__Host-` one (no subdomain can set it), and
        // it signs the agent in like the plain one.
        assert_eq!(cookie.starts_with("__Host-helpdock_session="), secure, "{cookie}");
        let pair = cookie.split(';').next().unwrap();
        let me = server.http.get(format!("{}/console/api/me", server.url)).header("cookie", pair).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK);
    }
}

/// Status of `GET /api/v1/conversations` (no token: 401 unless limited)
/// sent as if forwarded for `client`.
async fn forwarded(server: &TestServer, client: &str) -> StatusCode {
    let url = format!("{}/api/v1/conversations", server.url);
    server.http.get(url).header("X-Forwarded-For", client).send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_each_client_has_its_own_budget_and_nobody_else_can_claim_one() {
    // The tests reach the server from 127.0.0.1: here, the proxy.
    let server = TestServer::with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".into()];
        c.limits.requests_per_minute = 3;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(forwarded(&server, "203.0.113.7").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(forwarded(&server, "203.0.113.7").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(forwarded(&server, "198.51.100.2").await, StatusCode::UNAUTHORIZED, "another client, its own budget");
    // What the client wrote itself, at the far end of the header, is not believed.
    assert_eq!(forwarded(&server, "198.51.100.99, 203.0.113.7").await, StatusCode::TOO_MANY_REQUESTS);
    // One IPv6 host changing addresses inside its /64 shares one budget.
    for i in 0..3 {
        assert_eq!(forwarded(&server, &format!("2001:db8:1:2::{i}")).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(forwarded(&server, "2001:db8:1:2:ffff::9").await, StatusCode::TOO_MANY_REQUESTS);

    // Without trusting the proxy, the header means nothing: one budget.
    let server = TestServer::with(|c| c.limits.requests_per_minute = 3).await;
    for client in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        assert_eq!(forwarded(&server, client).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(forwarded(&server, "203.0.113.4").await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_attachment_is_named_for_what_its_bytes_are_without_hidden_characters() {
    let server = TestServer::start().await;
    let visitor = server.visitor().await;
    // "invoice", a right-to-left override, "txt.hta": shown as "invoiceath.txt".
    let (status, body) =
        server.upload(&visitor.visitor_token, "invoice%E2%80%AEtxt.hta", "order 123456, paid on Tuesday").await;
    assert_eq!(status, StatusCode::OK);
    let attachment: helpdock_core::protocol::Attachment = serde_json::from_value(body).unwrap();
    assert_eq!((attachment.name.as_str(), attachment.content_type.as_str()), ("invoicetxt.txt", "text/plain"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mail_receiver_holds_four_connections_per_address() {
    use tokio::io::AsyncReadExt;
    let server = TestServer::with(|config| {
        config.inbound_mail = Some(helpdock_server::config::InboundMailConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            address: "support+{token}@support.example.com".into(),
        });
    })
    .await;
    let port = server.running.mail_addr.expect("the receiver listens").port();
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let mut greeting = [0u8; 64];
        let n = stream.read(&mut greeting).await.unwrap();
        assert!(greeting[..n].starts_with(b"220 "), "{}", String::from_utf8_lossy(&greeting[..n]));
        held.push(stream);
    }
    let mut fifth = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut answer = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), fifth.read(&mut answer)).await.unwrap().unwrap();
    assert!(answer[..n].starts_with(b"421 "), "{}", String::from_utf8_lossy(&answer[..n]));
    // One leaves: a new connection is served again.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let n = again.read(&mut answer).await.unwrap();
    assert!(answer[..n].starts_with(b"220 "), "{}", String::from_utf8_lossy(&answer[..n]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_typing_frames_is_coalesced_and_cannot_push_the_agent_offline() {
    let server = TestServer::start().await;
    let pw = server.add_agent("mei@example.com", "Mei", AgentRole::Agent, &[]).await;
    let mei = server.login("mei@example.com", &pw).await;
    let mut mei_ws = mei.socket().await;
    let visitor = server.visitor().await;
    let token = visitor.visitor_token.as_str();
    let c = server.start_conversation(token, "c-typing", "deposit-not-arrived").await;
    mei_ws.send(&ClientFrame::Accept { conversation: c.id.clone() }).await;
    mei_ws.recv_until(|f| matches!(f, ServerFrame::Assigned { .. })).await;

    // Five tabs, 300 indicators each, as fast as the sockets take them.
    let mut tabs = Vec::new();
    for _ in 0..5 {
        tabs.push(server.visitor_socket(token, vec![]).await);
    }
    for tab in &mut tabs {
        for i in 0..300 {
            tab.send(&ClientFrame::Typing { conversation: c.id.clone(), typing: i % 50 != 49 }).await;
        }
    }
    tabs[0]
        .send(&ClientFrame::Send {
            conversation: c.id.clone(),
            client_id: "after-the-flood".into(),
            body: "still there?".into(),
            attachments: vec![],
        })
        .await;
    let (_, before) = mei_ws
        .recv_until(|f| matches!(f, ServerFrame::Message { message, .. } if message.body == "still there?"))
        .await;
    let typing = before.iter().filter(|f| matches!(f, ServerFrame::Typing { .. })).count();
    // 1 500 frames in well under two seconds: a handful get through.
    assert!(typing <= 16, "{typing} typing frames reached the agent");
    assert_eq!(
        server.running.state.hub.subscribers(&helpdock_server::hub::Channel::Agent(mei.id().to_string())).await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_bounded_per_visitor_per_address_and_in_all_and_unsent_ones_are_collected() {
    let server = TestServer::with(|config| {
        config.limits.pending_uploads_per_visitor = 3;
        config.limits.upload_bytes_per_ip_per_hour = 5_000;
    })
    .await;
    let visitor = server.visitor().await;
    let token = visitor.visitor_token.as_str();
    let text = "x".repeat(1_000);
    let mut ids = Vec::new();
    for n in 0..3 {
        let (status, body) = server.upload(token, &format!("note-{n}.txt"), text.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    // Three files never sent: a fourth waits until one is sent.
    let (status, body) = server.upload(token, "note-3.txt", text.clone()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{body}");
    let c = server.start_conversation(token, "c-files", "other").await;
    let mut ws = server.visitor_socket(token, vec![]).await;
    ws.send(&ClientFrame::Send {
        conversation: c.id.clone(),
        client_id: "with-a-file".into(),
        body: "here it is".into(),
        attachments: vec![ids[0].clone()],
    })
    .await;
    ws.recv_until(|f| matches!(f, ServerFrame::Ack { .. })).await;
    let (status, body) = server.upload(token, "note-3.txt", text.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // 4 000 bytes of this address's 5 000 an hour are spent: the next
    // 1 000 fit, 2 000 more do not.
    let (status, _) = server.upload(token, "note-4.txt", text.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "still three unsent");
    let other = server.visitor().await;
    let (status, body) = server.upload(&other.visitor_token, "big.txt", "y".repeat(2_000)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
        "{body}"
    );

    // The collector deletes what was never sent, and keeps what was.
    let collected = server.db().collect_unsent_uploads(i64::MAX).await.unwrap();
    assert_eq!(collected, 3);
    let sent = server.db().attachment_data(&ids[0]).await.unwrap();
    assert!(sent.is_some(), "the sent file stays");
    assert!(server.db().attachment_data(&ids[1]).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_store_refuses_uploads_clearly() {
    let server = TestServer::with(|config| config.limits.max_storage_bytes = 1_500).await;
    let visitor = server.visitor().await;
    let (status, _) = server.upload(&visitor.visitor_token, "a.txt", "x".repeat(1_000)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = server.upload(&visitor.visitor_token, "b.txt", "x".repeat(1_000)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn half_sent_headers_and_stalled_bodies_do_not_hold_a_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::with(|config| {
        config.limits.header_read_timeout_secs = 1;
        config.limits.body_timeout_secs = 1;
    })
    .await;
    let addr = server.running.addr;
    // Headers that never end: the connection is closed, not kept.
    let started = std::time::Instant::now();
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n").await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "still open after 5 s");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());

    // An upload that stops after a few bytes: the request ends.
    let visitor = server.visitor().await;
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/v1/attachments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nX-Filename: a.txt\r\n\
         Content-Type: text/plain\r\nContent-Length: 100000\r\n\r\nfirst bytes",
        visitor.visitor_token
    );
    stalled.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stalled.read(&mut answer)).await.expect("answered").unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(n == 0 || text.starts_with("HTTP/1.1 4"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    // A normal request on a new connection still works.
    let (status, _) = server.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
}

/// A console sign-in from `client` (through the trusted proxy).
async fn sign_in(server: &TestServer, client: &str, email: &str, password: &str) -> StatusCode {
    server
        .http
        .post(format!("{}/console/api/login", server.url))
        .header("x-forwarded-for", client)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread")]
async fn guessing_an_account_locks_that_address_out_of_it_and_nobody_else() {
    let server = TestServer::with(|c| c.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let pw = server.add_agent("mei@example.com", "Mei", AgentRole::Agent, &[]).await;
    for n in 0..10 {
        assert_eq!(
            sign_in(&server, "203.0.113.7", "mei@example.com", &format!("guess-{n}")).await,
            StatusCode::UNAUTHORIZED
        );
    }
    // The guesser is refused even with the right password…
    assert_eq!(sign_in(&server, "203.0.113.7", "MEI@example.com", &pw).await, StatusCode::TOO_MANY_REQUESTS);
    // …and Mei, from her own address, signs in.
    assert_eq!(sign_in(&server, "198.51.100.2", "mei@example.com", &pw).await, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_password_ends_sessions_and_a_disabled_agent_is_out() {
    let server = TestServer::start().await;
    let pw = server.add_agent("mei@example.com", "Mei", AgentRole::Agent, &[]).await;
    let mei = server.login("mei@example.com", &pw).await;
    assert_eq!(mei.call(Method::GET, "/console/api/me", false, None).await.0, StatusCode::OK);
    // The password changes (`agent add` again): the old session ends.
    let pw = server.add_agent("mei@example.com", "Mei", AgentRole::Agent, &[]).await;
    assert_eq!(mei.call(Method::GET, "/console/api/me", false, None).await.0, StatusCode::UNAUTHORIZED);
    let mei = server.login("mei@example.com", &pw).await;
    // Disabled: the session ends, sign-in is refused, transfers skip her.
    assert!(server.db().disable_agent("MEI@example.com", 1).await.unwrap().is_some());
    assert_eq!(mei.call(Method::GET, "/console/api/me", false, None).await.0, StatusCode::UNAUTHORIZED);
    let refused = server
        .http
        .post(format!("{}/console/api/login", server.url))
        .json(&json!({"email": "mei@example.com", "password": pw}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(server.db().agents().await.unwrap().iter().all(|a| a.email != "mei@example.com"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_open_console_socket_ends_at_the_next_ping_once_its_session_has() {
    let server = TestServer::start().await;
    let pw = server.add_agent("mei@example.com", "Mei", AgentRole::Agent, &[]).await;
    let mei = server.login("mei@example.com", &pw).await;
    let mut socket = mei.socket().await;
    socket.send(&ClientFrame::Ping).await;
    socket.recv_until(|f| *f == ServerFrame::Pong).await;
    // Disabled while her console is open: the next ping ends the socket.
    assert!(server.db().disable_agent("mei@example.com", 1).await.unwrap().is_some());
    socket.send(&ClientFrame::Ping).await;
    let (frame, _) = socket.recv_until(|f| matches!(f, ServerFrame::Error { .. })).await;
    assert_eq!(error_code(&frame), helpdock_core::protocol::ErrorCode::Unauthorized);
    assert!(socket.closed_by_server().await, "the socket is closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_token_left_unused_lapses_and_a_new_session_begins() {
    let server = TestServer::with(|c| c.limits.visitor_token_idle_secs = 1).await;
    let visitor = server.visitor().await;
    let token = visitor.visitor_token.as_str();
    assert_eq!(server.call(Method::GET, "/api/v1/tickets", Some(token), None).await.0, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let (status, body) = server.call(Method::GET, "/api/v1/tickets", Some(token), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")), "{body}");
    // The widget starts again with the old token: a new visitor.
    let again = server
        .session(&helpdock_core::protocol::SessionRequest { visitor_token: Some(token.into()), ..Default::default() })
        .await
        .unwrap();
    assert_ne!(again.visitor_token, visitor.visitor_token);
    assert!(server.db().purge_idle_visitor_tokens().await.unwrap() >= 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn message_and_ticket_text_lose_the_characters_that_reorder_or_hide_it() {
    let server = TestServer::start().await;
    let visitor = server.visitor().await;
    let token = visitor.visitor_token.as_str();
    let c = server.start_conversation(token, "c-bidi", "other").await;
    let mut ws = server.visitor_socket(token, vec![]).await;
    ws.send(&ClientFrame::Send {
        conversation: c.id.clone(),
        client_id: "bidi".into(),
        body: "see https://pay\u{200B}pal.example/\u{202E}gpj.exe".into(),
        attachments: vec![],
    })
    .await;
    ws.recv_until(|f| matches!(f, ServerFrame::Ack { .. })).await;
    let (_, detail) = server.call(Method::GET, &format!("/api/v1/conversations/{}", c.id), Some(token), None).await;
    assert_eq!(detail["messages"][0]["body"], "see https://paypal.example/gpj.exe");
    let ticket = json!({
        "clientId": "t-bidi", "title": "Refund\u{2066} for order\u{2069}", "category": "other", "urgency": "normal",
        "description": "file: invoice\u{202E}fdp.exe", "locale": "en",
    });
    let (status, body) = server.call(Method::POST, "/api/v1/tickets", Some(token), Some(ticket)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (body["summary"]["title"].as_str(), body["description"].as_str()),
        (Some("Refund for order"), Some("file: invoicefdp.exe"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_client_address_holds_a_bounded_number_of_sockets() {
    let server = TestServer::with(|c| c.limits.sockets_per_ip = 3).await;
    // Three visitors behind one address: three sockets, then no more.
    let mut held = Vec::new();
    for _ in 0..3 {
        let visitor = server.visitor().await;
        held.push(server.visitor_socket(&visitor.visitor_token, vec![]).await);
    }
    let url = format!("{}/api/v1/ws", server.url.replace("http://", "ws://"));
    let refused = tokio_tungstenite::connect_async(url.as_str()).await.unwrap_err();
    assert!(refused.to_string().contains("429"), "{refused}");
    // One closes: a new one is taken.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let visitor = server.visitor().await;
    server.visitor_socket(&visitor.visitor_token, vec![]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sweeper_deletes_sessions_past_their_end_and_keeps_live_ones() {
    let server = TestServer::start().await;
    let pw = server.add_agent("mei@example.com", "Mei", AgentRole::Agent, &[]).await;
    let mei = server.login("mei@example.com", &pw).await;
    let now = helpdock_server::token::now_ms();
    assert_eq!(server.db().purge_expired(now, 0, 0).await.unwrap(), 0, "a live session stays");
    assert_eq!(mei.call(Method::GET, "/console/api/me", false, None).await.0, StatusCode::OK);
    // Thirteen hours on (sessions last twelve): it goes.
    let later = now + 13 * 3_600_000;
    assert_eq!(server.db().purge_expired(later, 0, 0).await.unwrap(), 1);
    assert_eq!(mei.call(Method::GET, "/console/api/me", false, None).await.0, StatusCode::UNAUTHORIZED);
}
