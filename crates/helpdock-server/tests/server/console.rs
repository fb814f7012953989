//! The agent's side: sign-in, CSRF, accepting, transferring, closing,
//! roles; and what the visitor sees of it (rating, transcript e-mail).

use std::time::{Duration, Instant};

use helpdock_core::protocol::{AgentRole, AuthorKind, ClientFrame, ConsoleConversation, ErrorCode, ServerFrame};
use reqwest::{Method, StatusCode};

use crate::support::{error_code, SmtpSink, TestServer};

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_refuses_a_wrong_password_slowly_and_csrf_guards_every_change() {
    let server = TestServer::start().await;
    let password = server.add_agent("mei@example.com", "Mei", AgentRole::Agent, &[]).await;
    for (email, pw) in [("mei@example.com", "wrong password!"), ("nobody@example.com", password.as_str())] {
        let started = Instant::now();
        let response = server
            .http
            .post(format!("{}/console/api/login", server.url))
            .json(&serde_json::json!({"email": email, "password": pw}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(started.elapsed() >= Duration::from_millis(750), "a constant delay, also for unknown accounts");
        assert!(response.headers().get("set-cookie").is_none());
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["message"], "Wrong e-mail or password.");
    }
    let response = server
        .http
        .post(format!("{}/console/api/login", server.url))
        .json(&serde_json::json!({"email": "MEI@example.com", "password": password}))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http on loopback: no Secure");

    let agent = server.login("mei@example.com", &password).await;
    let (status, me) = agent.call(Method::GET, "/console/api/me", false, None).await;
    assert_eq!((status, me["agent"]["name"].as_str()), (StatusCode::OK, Some("Mei")));
    assert_eq!(me["csrfToken"], agent.session.csrf_token.as_str());
    // Without the CSRF token (or with a wrong one) a change is refused.
    let (status, body) = agent.call(Method::POST, "/console/api/logout", false, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let response = server
        .http
        .post(format!("{}/console/api/attachments", server.url))
        .header("cookie", &agent.cookie)
        .header("x-csrf-token", "guess")
        .header("x-filename", "a.txt")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, _) = agent.call(Method::POST, "/console/api/logout", true, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = agent.call(Method::GET, "/console/api/me", false, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // No cookie at all.
    let (status, _) = server.call(Method::GET, "/console/api/queue", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_socket_wants_the_cookie_and_the_servers_own_origin() {
    let server = TestServer::start().await;
    let password = server.add_agent("mei@example.com", "Mei", AgentRole::Agent, &[]).await;
    let agent = server.login("mei@example.com", &password).await;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}/console/api/ws", server.url.replace("http://", "ws://"));
    let mut foreign = url.clone().into_client_request().unwrap();
    foreign.headers_mut().insert("cookie", agent.cookie.parse().unwrap());
    foreign.headers_mut().insert("origin", "https://evil.example".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(foreign).await.unwrap_err();
    assert!(refused.to_string().contains("403"), "{refused}");
    let mut anonymous = url.into_client_request().unwrap();
    anonymous.headers_mut().insert("origin", server.url.parse().unwrap());
    let refused = tokio_tungstenite::connect_async(anonymous).await.unwrap_err();
    assert!(refused.to_string().contains("401"), "{refused}");
    agent.socket().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn accept_conflict_transfer_close_and_rating() {
    let server = TestServer::start().await;
    let pw = server.add_agent("mei@example.com", "Mei", AgentRole::Agent, &[]).await;
    server.add_agent("tom@example.com", "Tom", AgentRole::Agent, &[]).await;
    let mei = server.login("mei@example.com", &pw).await;
    let tom = server.login("tom@example.com", &pw).await;
    let mut mei_ws = mei.socket().await;
    let mut tom_ws = tom.socket().await;

    let visitor = server.visitor().await;
    let mut visitor_ws = server.visitor_socket(&visitor.visitor_token, vec![]).await;
    let c = server.start_conversation(&visitor.visitor_token, "c-flow", "deposit-not-arrived").await;
    // Both agents hear of it.
    for ws in [&mut mei_ws, &mut tom_ws] {
        let (frame, _) =
            ws.recv_until(|f| matches!(f, ServerFrame::QueueChanged { waiting, .. } if !waiting.is_empty())).await;
        let ServerFrame::QueueChanged { waiting, .. } = frame else { unreachable!() };
        assert_eq!(waiting[0].id, c.id);
    }
    // A rating before the end is refused.
    let (status, body) = server
        .call(
            Method::POST,
            &format!("/api/v1/conversations/{}/rating", c.id),
            Some(&visitor.visitor_token),
            Some(serde_json::json!({"score": 5})),
        )
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
    // An agent cannot reply before accepting.
    mei_ws
        .send(&ClientFrame::Send {
            conversation: c.id.clone(),
            client_id: "a-0".into(),
            body: "hi".into(),
            attachments: vec![],
        })
        .await;
    assert_eq!(
        error_code(&mei_ws.recv_until(|f| matches!(f, ServerFrame::Error { .. })).await.0),
        ErrorCode::Forbidden
    );

    mei_ws.send(&ClientFrame::Accept { conversation: c.id.clone() }).await;
    let (assigned, _) = mei_ws.recv_until(|f| matches!(f, ServerFrame::Assigned { .. })).await;
    assert!(
        matches!(assigned, ServerFrame::Assigned { conversation } if conversation.agent.as_ref().unwrap().name == "Mei")
    );
    let (joined, _) = visitor_ws.recv_until(|f| matches!(f, ServerFrame::AgentJoined { .. })).await;
    assert!(matches!(joined, ServerFrame::AgentJoined { agent, .. } if agent.name == "Mei"));
    // Tom is too late.
    tom_ws.send(&ClientFrame::Accept { conversation: c.id.clone() }).await;
    let (frame, _) = tom_ws.recv_until(|f| matches!(f, ServerFrame::Error { .. })).await;
    let ServerFrame::Error { error, conversation, .. } = frame else { unreachable!() };
    assert_eq!((error.code, conversation.as_deref()), (ErrorCode::Conflict, Some(c.id.as_str())));

    // Mei and the visitor talk; typing and read receipts cross over.
    mei_ws.send(&ClientFrame::Typing { conversation: c.id.clone(), typing: true }).await;
    let (typing, _) = visitor_ws.recv_until(|f| matches!(f, ServerFrame::Typing { .. })).await;
    assert!(matches!(typing, ServerFrame::Typing { author: AuthorKind::Agent, typing: true, .. }));
    mei_ws
        .send(&ClientFrame::Send {
            conversation: c.id.clone(),
            client_id: "a-1".into(),
            body: "Hello, I am Mei".into(),
            attachments: vec![],
        })
        .await;
    let (ack, _) = mei_ws.recv_until(|f| matches!(f, ServerFrame::Ack { .. })).await;
    let ServerFrame::Ack { seq, .. } = ack else { unreachable!() };
    let (message, _) = visitor_ws
        .recv_until(|f| matches!(f, ServerFrame::Message { message } if message.author.kind == AuthorKind::Agent))
        .await;
    assert!(
        matches!(message, ServerFrame::Message { message } if message.author.name.as_deref() == Some("Mei") && message.seq == seq)
    );
    visitor_ws.send(&ClientFrame::Read { conversation: c.id.clone(), seq }).await;
    let (read, _) = mei_ws.recv_until(|f| matches!(f, ServerFrame::Read { .. })).await;
    assert!(matches!(read, ServerFrame::Read { by: AuthorKind::Visitor, seq: s, .. } if s == seq));

    // The console view: transcript, fields, messages, visitor.
    let (status, view) = mei.call(Method::GET, &format!("/console/api/conversations/{}", c.id), false, None).await;
    assert_eq!(status, StatusCode::OK);
    let view: ConsoleConversation = serde_json::from_value(view).unwrap();
    assert_eq!(view.detail.fields[0].id, "txid");
    assert_eq!(view.detail.transcript[0].text, "my USDT deposit has not arrived");
    assert!(view.detail.messages.iter().any(|m| m.body == "Hello, I am Mei"));
    assert_eq!((view.visitor.identified, view.visitor.locale.as_deref()), (false, Some("en")));

    // Transfer to Tom: Tom is assigned, Mei and the visitor are told.
    mei_ws
        .send(&ClientFrame::Transfer { conversation: c.id.clone(), to_agent: Some(tom.id().into()), to_topic: None })
        .await;
    let (assigned, _) = tom_ws.recv_until(|f| matches!(f, ServerFrame::Assigned { .. })).await;
    assert!(matches!(assigned, ServerFrame::Assigned { conversation } if conversation.id == c.id));
    mei_ws.recv_until(|f| matches!(f, ServerFrame::Transferred { .. })).await;
    visitor_ws.recv_until(|f| matches!(f, ServerFrame::Transferred { .. })).await;
    let (joined, _) = visitor_ws.recv_until(|f| matches!(f, ServerFrame::AgentJoined { .. })).await;
    assert!(matches!(joined, ServerFrame::AgentJoined { agent, .. } if agent.name == "Tom"));
    // Mei may not write any more; Tom may.
    mei_ws
        .send(&ClientFrame::Send {
            conversation: c.id.clone(),
            client_id: "a-2".into(),
            body: "x".into(),
            attachments: vec![],
        })
        .await;
    assert_eq!(error_code(&mei_ws.recv_until(|f| matches!(f, ServerFrame::Error { .. })).await.0), ErrorCode::NotFound);
    // Tom sends it back to a topic queue: queued again, in the KYC queue.
    tom_ws
        .send(&ClientFrame::Transfer {
            conversation: c.id.clone(),
            to_agent: None,
            to_topic: Some("kyc-rejected".into()),
        })
        .await;
    let (moved, _) = visitor_ws.recv_until(|f| matches!(f, ServerFrame::Transferred { .. })).await;
    assert!(matches!(moved, ServerFrame::Transferred { topic: Some(t), .. } if t == "kyc-rejected"));
    let (queued, _) = visitor_ws.recv_until(|f| matches!(f, ServerFrame::Queue { .. })).await;
    assert!(matches!(queued, ServerFrame::Queue { queue, .. } if queue.position == 1));
    let (frame, _) =
        mei_ws.recv_until(|f| matches!(f, ServerFrame::QueueChanged { waiting, .. } if !waiting.is_empty())).await;
    assert!(
        matches!(frame, ServerFrame::QueueChanged { waiting, .. } if waiting[0].topic.as_deref() == Some("kyc-rejected"))
    );
    // Mei accepts it again and closes it.
    mei_ws.send(&ClientFrame::Accept { conversation: c.id.clone() }).await;
    mei_ws.recv_until(|f| matches!(f, ServerFrame::Assigned { .. })).await;
    mei_ws.send(&ClientFrame::Close { conversation: c.id.clone() }).await;
    let (closed, _) = visitor_ws.recv_until(|f| matches!(f, ServerFrame::Closed { .. })).await;
    assert!(matches!(closed, ServerFrame::Closed { by: AuthorKind::Agent, .. }));
    // The visitor cannot write to a closed conversation.
    visitor_ws
        .send(&ClientFrame::Send {
            conversation: c.id.clone(),
            client_id: "v-late".into(),
            body: "one more".into(),
            attachments: vec![],
        })
        .await;
    assert_eq!(
        error_code(&visitor_ws.recv_until(|f| matches!(f, ServerFrame::Error { .. })).await.0),
        ErrorCode::Closed
    );
    // The rating, now allowed; a bad score is named.
    let rating_path = format!("/api/v1/conversations/{}/rating", c.id);
    let (status, body) = server
        .call(Method::POST, &rating_path, Some(&visitor.visitor_token), Some(serde_json::json!({"score": 9})))
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("score")));
    let (status, body) = server
        .call(
            Method::POST,
            &rating_path,
            Some(&visitor.visitor_token),
            Some(serde_json::json!({"score": 5, "comment": "quick"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["status"].as_str(), body["rating"]["score"].as_u64()), (Some("closed"), Some(5)));
    // The history holds the system lines of every step, in English and as
    // codes with their parameters, for the widget to word them.
    let system: Vec<_> = server
        .db()
        .messages_after(&c.id, 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message.author.kind == AuthorKind::System)
        .map(|m| m.message)
        .collect();
    let lines: Vec<&str> = system.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        lines,
        [
            "Mei joined the conversation.",
            "Mei transferred the conversation to Tom.",
            "Tom moved the conversation to the identity queue.",
            "Mei joined the conversation.",
            "Mei ended the conversation."
        ]
    );
    let notes: Vec<_> = system
        .iter()
        .map(|m| {
            let n = m.system.as_ref().expect("a system message has its note");
            (n.code.as_str(), n.agent.as_deref(), n.to.as_deref(), n.queue.as_deref())
        })
        .collect();
    assert_eq!(
        notes,
        [
            ("agent_joined", Some("Mei"), None, None),
            ("transferred", Some("Mei"), Some("Tom"), None),
            ("requeued", Some("Tom"), None, Some("identity")),
            ("agent_joined", Some("Mei"), None, None),
            ("closed_by_agent", Some("Mei"), None, None)
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn agents_see_their_topics_and_conversations_and_admins_see_everything() {
    let server = TestServer::start().await;
    let (kim, pat, bo) = server.kim_pat_and_bo().await;
    let visitor = server.visitor().await;
    let deposit = server.start_conversation(&visitor.visitor_token, "c-dep", "deposit-not-arrived").await;
    let kyc = server.start_conversation(&visitor.visitor_token, "c-kyc", "kyc-rejected").await;

    let ids = |v: serde_json::Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(kim.call(Method::GET, "/console/api/queue", false, None).await.1), [kyc.id.as_str()]);
    assert_eq!(ids(pat.call(Method::GET, "/console/api/queue", false, None).await.1), [deposit.id.as_str()]);
    assert_eq!(
        ids(bo.call(Method::GET, "/console/api/queue", false, None).await.1),
        [deposit.id.as_str(), kyc.id.as_str()]
    );
    // Kim cannot open or take the deposit conversation.
    let (status, _) = kim.call(Method::GET, &format!("/console/api/conversations/{}", deposit.id), false, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut kim_ws = kim.socket().await;
    kim_ws.send(&ClientFrame::Accept { conversation: deposit.id.clone() }).await;
    assert_eq!(error_code(&kim_ws.recv_until(|f| matches!(f, ServerFrame::Error { .. })).await.0), ErrorCode::NotFound);
    // Once Pat has it, it is Pat's: Kim's list is empty, the admin's has it.
    let mut pat_ws = pat.socket().await;
    pat_ws.send(&ClientFrame::Accept { conversation: deposit.id.clone() }).await;
    pat_ws.recv_until(|f| matches!(f, ServerFrame::Assigned { .. })).await;
    assert_eq!(
        ids(pat.call(Method::GET, "/console/api/conversations?status=active", false, None).await.1),
        [deposit.id.as_str()]
    );
    assert!(ids(kim.call(Method::GET, "/console/api/conversations?status=active", false, None).await.1).is_empty());
    assert_eq!(
        ids(bo.call(Method::GET, "/console/api/conversations?status=active", false, None).await.1),
        [deposit.id.as_str()]
    );
    let (status, _) = bo.call(Method::GET, &format!("/console/api/conversations/{}", deposit.id), false, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = bo.call(Method::GET, "/console/api/conversations?status=open", false, None).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("status")));
    let (_, agents) = bo.call(Method::GET, "/console/api/agents", false, None).await;
    let online: Vec<(String, bool)> = agents
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap().into(), a["online"].as_bool().unwrap()))
        .collect();
    assert_eq!(online, [("Bo".to_string(), false), ("Kim".into(), true), ("Pat".into(), true)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_transcript_is_emailed_through_a_real_smtp_relay_or_refused_clearly_without_one() {
    // Without SMTP: a clear 503.
    let server = TestServer::start().await;
    let visitor = server.visitor().await;
    let c = server.start_conversation(&visitor.visitor_token, "c-mail", "deposit-not-arrived").await;
    let path = format!("/api/v1/conversations/{}/transcript", c.id);
    let (status, body) = server
        .call(Method::POST, &path, Some(&visitor.visitor_token), Some(serde_json::json!({"email": "li@example.com"})))
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")));
    assert_eq!(body["error"]["message"], "E-mail is not set up on this server, so the transcript cannot be sent.");

    // With aiosmtpd on loopback, writing what it receives to a file.
    let sink = SmtpSink::start().await;
    let port = sink.port;
    let server = TestServer::with(|config| {
        config.smtp = Some(helpdock_server::config::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            from: "Helpdock <support@example.com>".into(),
            username: None,
            password: None,
            tls: helpdock_server::config::SmtpTls::None,
        });
    })
    .await;
    let visitor = server.visitor().await;
    let c = server.start_conversation(&visitor.visitor_token, "c-mail", "deposit-not-arrived").await;
    let mut ws = server.visitor_socket(&visitor.visitor_token, vec![]).await;
    ws.send(&ClientFrame::Send {
        conversation: c.id.clone(),
        client_id: "m".into(),
        body: "区块浏览器显示已确认".into(),
        attachments: vec![],
    })
    .await;
    ws.recv_until(|f| matches!(f, ServerFrame::Ack { .. })).await;
    let path = format!("/api/v1/conversations/{}/transcript", c.id);
    let (status, body) = server
        .call(Method::POST, &path, Some(&visitor.visitor_token), Some(serde_json::json!({"email": "not an address"})))
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("email")));
    let (status, _) = server
        .call(Method::POST, &path, Some(&visitor.visitor_token), Some(serde_json::json!({"email": "li@example.com"})))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // An anonymous visitor's address is asked to confirm first, in the
    // server's own words; the transcript waits for the confirmation.
    let mail = sink.wait_for("Subject: Confirm your address").await;
    assert!(mail.contains("the transcript of a support conversation"), "{mail}");
    assert!(!mail.contains("TxID") && !mail.contains("区块浏览器"), "no visitor text before confirmation:\n{mail}");
    server.confirm_address(&sink.confirmation_link().await).await;
    let mail = sink.wait_for("Subject: Your support conversation").await;
    assert!(mail.contains("TxID: 0x9f3c"), "{mail}");
}
