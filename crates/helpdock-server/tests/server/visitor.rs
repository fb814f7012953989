//! The visitor's side: sessions, identity, conversations, the socket,
//! attachments and limits.

use helpdock_core::protocol::{
    AgentRole, ClientFrame, ConversationDetail, ConversationSummary, ErrorCode, Identify, Resume, ServerFrame,
    SessionRequest,
};
use reqwest::{Method, StatusCode};

use crate::support::{error_code, TestServer, HOST_SECRET};

#[tokio::test(flavor = "multi_thread")]
async fn an_anonymous_session_is_issued_then_resumed_with_its_token() {
    let server = TestServer::start().await;
    let first = server.visitor().await;
    assert!(first.visitor_token.starts_with("vt_") && !first.identified);
    assert_eq!(first.limits.max_message_chars, 4000);
    let again = server
        .session(&SessionRequest { visitor_token: Some(first.visitor_token.clone()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!((again.visitor_id, again.visitor_token), (first.visitor_id.clone(), first.visitor_token.clone()));
    // An unknown token gets a fresh visitor rather than an error.
    let stranger = server
        .session(&SessionRequest { visitor_token: Some("vt_made_up".into()), ..Default::default() })
        .await
        .unwrap();
    assert_ne!(stranger.visitor_id, first.visitor_id);
    // The token is stored only as its hash.
    let token_hash = helpdock_server::token::sha256_hex(&first.visitor_token);
    assert_eq!(server.db().visitor_by_token(&token_hash).await.unwrap().unwrap().id, first.visitor_id);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_verified_user_is_one_visitor_on_every_device_and_a_wrong_hash_creates_nothing() {
    let server = TestServer::start().await;
    let laptop = server.identified("42").await;
    let phone = server.identified("42").await;
    assert!(laptop.identified);
    assert_eq!(laptop.visitor_id, phone.visitor_id);
    assert_ne!(laptop.visitor_token, phone.visitor_token, "each device has its own token");
    let conversation = server.start_conversation(&laptop.visitor_token, "c-1", "deposit-not-arrived").await;
    let (_, list) = server.call(Method::GET, "/api/v1/conversations", Some(&phone.visitor_token), None).await;
    assert_eq!(list[0]["id"], conversation.id.as_str(), "the phone sees the laptop's conversation");

    let before = server.db().count_visitors().await.unwrap();
    let forged = Identify {
        user_id: "43".into(),
        user_hash: helpdock_server::token::user_hash(HOST_SECRET, "42"),
        name: None,
        email: None,
    };
    let (status, body) =
        server.session(&SessionRequest { user: Some(forged), ..Default::default() }).await.unwrap_err();
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body.error.code, ErrorCode::IdentityRefused);
    assert!(body.error.message.contains("userHash does not match"), "{}", body.error.message);
    let wrong_key = Identify {
        user_id: "44".into(),
        user_hash: helpdock_server::token::user_hash("another-secret", "44"),
        name: None,
        email: None,
    };
    assert!(server.session(&SessionRequest { user: Some(wrong_key), ..Default::default() }).await.is_err());
    assert_eq!(server.db().count_visitors().await.unwrap(), before, "a refused identity creates nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_hash_over_name_and_email_vouches_for_them_and_a_changed_one_is_refused() {
    let server = TestServer::start().await;
    let by_id = server.identified("42").await;
    let visitor = server.db().visitor(&by_id.visitor_id).await.unwrap().unwrap();
    assert!(!visitor.profile_verified, "a hash over the id alone leaves name and e-mail the browser's");
    let signed = server.identified_with_profile("42").await;
    assert_eq!(signed.visitor_id, by_id.visitor_id, "the same user");
    let visitor = server.db().visitor(&signed.visitor_id).await.unwrap().unwrap();
    assert!(visitor.profile_verified);
    assert_eq!((visitor.name.as_deref(), visitor.email.as_deref()), (Some("Li Wei"), Some("li@example.com")));
    // The page changes the e-mail the host signed: refused, nothing changed.
    let message = helpdock_server::token::profile_message("42", Some("Li Wei"), Some("li@example.com")).unwrap();
    let tampered = Identify {
        user_id: "42".into(),
        user_hash: helpdock_server::token::user_hash(HOST_SECRET, &message),
        name: Some("Li Wei".into()),
        email: Some("attacker@example.com".into()),
    };
    let (status, _) = server.session(&SessionRequest { user: Some(tampered), ..Default::default() }).await.unwrap_err();
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        server.db().visitor(&signed.visitor_id).await.unwrap().unwrap().email.as_deref(),
        Some("li@example.com")
    );
    // A line break would make the signed form ambiguous: such a name is never covered.
    assert_eq!(helpdock_server::token::profile_message("42", Some("Li\nWei"), None), None);
    // The console says which.
    let conversation = server.start_conversation(&signed.visitor_token, "c-1", "deposit-not-arrived").await;
    let password = server.add_agent("bo@example.com", "Bo", AgentRole::Admin, &[]).await;
    let bo = server.login("bo@example.com", &password).await;
    let (_, detail) =
        bo.call(Method::GET, &format!("/console/api/conversations/{}", conversation.id), false, None).await;
    assert_eq!(detail["visitor"]["profileVerified"], true, "{detail}");
    server.identified("42").await;
    let (_, detail) =
        bo.call(Method::GET, &format!("/console/api/conversations/{}", conversation.id), false, None).await;
    assert_eq!(detail["visitor"]["profileVerified"], false, "a later session signed the id alone: {detail}");
}

#[tokio::test(flavor = "multi_thread")]
async fn starting_a_conversation_is_idempotent_on_client_id() {
    let server = TestServer::start().await;
    let visitor = server.visitor().await;
    let first = server.start_conversation(&visitor.visitor_token, "c-start", "deposit-not-arrived").await;
    let again = server.start_conversation(&visitor.visitor_token, "c-start", "deposit-not-arrived").await;
    assert_eq!(first.id, again.id);
    assert!(first.id.starts_with("c_") && first.id.len() >= 24, "unguessable id: {}", first.id);
    assert_eq!(first.queue.as_ref().unwrap().position, 1);
    let (_, list) = server.call(Method::GET, "/api/v1/conversations", Some(&visitor.visitor_token), None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, detail) = server
        .call(Method::GET, &format!("/api/v1/conversations/{}", first.id), Some(&visitor.visitor_token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let detail: ConversationDetail = serde_json::from_value(detail).unwrap();
    assert_eq!(detail.fields[0].value, "0x9f3c");
    assert_eq!(detail.transcript.len(), 2);
    // Without a token: 401 with a protocol body.
    let (status, body) = server.call(Method::GET, "/api/v1/conversations", None, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_is_acked_after_it_is_stored_and_a_resend_is_stored_once() {
    let server = TestServer::start().await;
    let visitor = server.visitor().await;
    let c = server.start_conversation(&visitor.visitor_token, "c-send", "deposit-not-arrived").await;
    let mut tab1 = server.visitor_socket(&visitor.visitor_token, vec![]).await;
    let mut tab2 = server.visitor_socket(&visitor.visitor_token, vec![]).await;
    let send = ClientFrame::Send {
        conversation: c.id.clone(),
        client_id: "m-1".into(),
        body: "Here is my TxID".into(),
        attachments: vec![],
    };
    tab1.send(&send).await;
    let (ack, _) = tab1.recv_until(|f| matches!(f, ServerFrame::Ack { .. })).await;
    let ServerFrame::Ack { seq, client_id, .. } = ack else { unreachable!() };
    assert_eq!((seq, client_id.as_str()), (1, "m-1"));
    // By the time of the ack, the message is in the database.
    let stored = server.db().messages_after(&c.id, 0).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].message.body, "Here is my TxID");
    // Both tabs get the message.
    for tab in [&mut tab1, &mut tab2] {
        let (frame, _) = tab.recv_until(|f| matches!(f, ServerFrame::Message { .. })).await;
        let ServerFrame::Message { message } = frame else { unreachable!() };
        assert_eq!((message.seq, message.client_id.as_deref()), (1, Some("m-1")));
    }
    // The same clientId again (a reconnect, the other tab): same seq,
    // nothing stored, no second message frame.
    tab2.send(&send).await;
    let (ack, _) = tab2.recv_until(|f| matches!(f, ServerFrame::Ack { .. })).await;
    assert!(matches!(ack, ServerFrame::Ack { seq: 1, .. }), "{ack:?}");
    assert_eq!(server.db().count_messages_with_client_id(&c.id, "m-1").await.unwrap(), 1);
    assert!(tab1.nothing_pending().await.is_empty());
    // Sent concurrently from both tabs: still stored once.
    let twice = ClientFrame::Send {
        conversation: c.id.clone(),
        client_id: "m-2".into(),
        body: "again".into(),
        attachments: vec![],
    };
    tab1.send(&twice).await;
    tab2.send(&twice).await;
    let (a1, _) = tab1.recv_until(|f| matches!(f, ServerFrame::Ack { .. })).await;
    let (a2, _) = tab2.recv_until(|f| matches!(f, ServerFrame::Ack { .. })).await;
    assert_eq!(
        (matches!(a1, ServerFrame::Ack { seq: 2, .. }), matches!(a2, ServerFrame::Ack { seq: 2, .. })),
        (true, true),
        "{a1:?} {a2:?}"
    );
    assert_eq!(server.db().count_messages_with_client_id(&c.id, "m-2").await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reconnect_with_after_seq_replays_exactly_the_missing_messages_then_the_live_state() {
    let server = TestServer::start().await;
    let visitor = server.visitor().await;
    let c = server.start_conversation(&visitor.visitor_token, "c-replay", "deposit-not-arrived").await;
    let mut ws = server.visitor_socket(&visitor.visitor_token, vec![]).await;
    for i in 1..=5 {
        ws.send(&ClientFrame::Send {
            conversation: c.id.clone(),
            client_id: format!("m-{i}"),
            body: format!("message {i}"),
            attachments: vec![],
        })
        .await;
        ws.recv_until(|f| matches!(f, ServerFrame::Ack { .. })).await;
    }
    drop(ws);
    let mut again =
        server.visitor_socket(&visitor.visitor_token, vec![Resume { conversation: c.id.clone(), after_seq: 3 }]).await;
    let mut seqs = Vec::new();
    for _ in 0..2 {
        match again.recv().await {
            ServerFrame::Message { message } => seqs.push(message.seq),
            other => panic!("expected the replay, got {other:?}"),
        }
    }
    assert_eq!(seqs, [4, 5]);
    // Then the live state: still queued, first in line.
    match again.recv().await {
        ServerFrame::Queue { conversation, queue } => assert_eq!((conversation, queue.position), (c.id.clone(), 1)),
        other => panic!("expected the queue place, got {other:?}"),
    }
    assert!(again.nothing_pending().await.is_empty());
    // A client that missed nothing gets no messages.
    let mut up_to_date =
        server.visitor_socket(&visitor.visitor_token, vec![Resume { conversation: c.id.clone(), after_seq: 5 }]).await;
    assert!(matches!(up_to_date.recv().await, ServerFrame::Queue { .. }));
    // Over HTTP too: ?after=.
    let (_, detail) = server
        .call(Method::GET, &format!("/api/v1/conversations/{}?after=4", c.id), Some(&visitor.visitor_token), None)
        .await;
    assert_eq!(detail["messages"].as_array().unwrap().len(), 1);
    let (status, body) = server
        .call(Method::GET, &format!("/api/v1/conversations/{}?after=x", c.id), Some(&visitor.visitor_token), None)
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("after")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_cannot_reach_another_visitors_conversation_or_attachment() {
    let server = TestServer::start().await;
    let alice = server.visitor().await;
    let mallory = server.visitor().await;
    let c = server.start_conversation(&alice.visitor_token, "c-private", "deposit-not-arrived").await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let upload = server
        .http
        .post(format!("{}/api/v1/attachments", server.url))
        .bearer_auth(&alice.visitor_token)
        .header("content-type", "image/png")
        .header("x-filename", "deposit%20proof.png")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::OK);
    let attachment: helpdock_core::protocol::Attachment = upload.json().await.unwrap();
    assert_eq!((attachment.name.as_str(), attachment.content_type.as_str()), ("deposit proof.png", "image/png"));

    let (real_status, real_body) =
        server.call(Method::GET, &format!("/api/v1/conversations/{}", c.id), Some(&mallory.visitor_token), None).await;
    let (made_up_status, made_up_body) = server
        .call(Method::GET, "/api/v1/conversations/c_AAAAAAAAAAAAAAAAAAAAAA", Some(&mallory.visitor_token), None)
        .await;
    assert_eq!(real_status, StatusCode::NOT_FOUND);
    assert_eq!((real_status, &real_body), (made_up_status, &made_up_body), "someone else's looks like nothing");
    for path in [format!("/api/v1/conversations/{}/rating", c.id), format!("/api/v1/conversations/{}/transcript", c.id)]
    {
        let (status, _) = server
            .call(
                Method::POST,
                &path,
                Some(&mallory.visitor_token),
                Some(serde_json::json!({"score": 5, "email": "m@x.io"})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // Not on the socket either: no resume, no sending, no typing.
    let mut ws =
        server.visitor_socket(&mallory.visitor_token, vec![Resume { conversation: c.id.clone(), after_seq: 0 }]).await;
    assert_eq!(error_code(&ws.recv().await), ErrorCode::NotFound);
    ws.send(&ClientFrame::Send {
        conversation: c.id.clone(),
        client_id: "x".into(),
        body: "hi".into(),
        attachments: vec![],
    })
    .await;
    assert_eq!(error_code(&ws.recv().await), ErrorCode::NotFound);
    // Mallory cannot attach Alice's upload to her own conversation.
    let own = server.start_conversation(&mallory.visitor_token, "c-own", "other").await;
    ws.send(&ClientFrame::Send {
        conversation: own.id.clone(),
        client_id: "y".into(),
        body: "look".into(),
        attachments: vec![attachment.id.clone()],
    })
    .await;
    let (refused, _) = ws.recv_until(|f| matches!(f, ServerFrame::Error { .. })).await;
    assert_eq!(error_code(&refused), ErrorCode::NotFound);

    // The capability URL serves the file; the id with a wrong secret is 404.
    let file = server.http.get(format!("{}{}", server.url, attachment.url)).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    assert_eq!(file.headers()["content-type"], "image/png");
    assert!(file.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''deposit%20proof%2Epng"));
    assert_eq!(file.bytes().await.unwrap().as_ref(), png.as_slice());
    let guessed = format!("/api/v1/attachments/{}/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", attachment.id);
    let (status, body) = server.call(Method::GET, &guessed, None, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_refuse_long_messages_large_files_and_disguised_types_with_their_codes() {
    let server = TestServer::with(|c| {
        c.limits.max_message_chars = 50;
        c.limits.max_attachment_bytes = 1000;
    })
    .await;
    let visitor = server.visitor().await;
    assert_eq!(visitor.limits.max_attachment_bytes, 1000);
    let c = server.start_conversation(&visitor.visitor_token, "c-limits", "deposit-not-arrived").await;
    let mut ws = server.visitor_socket(&visitor.visitor_token, vec![]).await;
    ws.send(&ClientFrame::Send {
        conversation: c.id.clone(),
        client_id: "m-long".into(),
        body: "充".repeat(51),
        attachments: vec![],
    })
    .await;
    let (frame, _) = ws.recv_until(|f| matches!(f, ServerFrame::Error { .. })).await;
    let ServerFrame::Error { error, client_id, conversation } = frame else { unreachable!() };
    assert_eq!((error.code, error.field.as_deref()), (ErrorCode::TooLarge, Some("body")));
    assert_eq!(error.message, "A message can have at most 50 characters; this one has 51.");
    assert_eq!((client_id.as_deref(), conversation.as_deref()), (Some("m-long"), Some(c.id.as_str())));
    assert!(server.db().messages_after(&c.id, 0).await.unwrap().is_empty());
    // Exactly at the limit (in characters, not bytes) is fine.
    ws.send(&ClientFrame::Send {
        conversation: c.id.clone(),
        client_id: "m-50".into(),
        body: "充".repeat(50),
        attachments: vec![],
    })
    .await;
    assert!(matches!(
        ws.recv_until(|f| matches!(f, ServerFrame::Ack { .. } | ServerFrame::Error { .. })).await.0,
        ServerFrame::Ack { .. }
    ));

    let upload = |name: &'static str, bytes: Vec<u8>| {
        let request = server
            .http
            .post(format!("{}/api/v1/attachments", server.url))
            .bearer_auth(&visitor.visitor_token)
            .header("content-type", "image/png")
            .header("x-filename", name)
            .body(bytes);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<serde_json::Value>().await.unwrap())
        }
    };
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(1001, 0);
    let (status, body) = upload("big.png", big).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large")));
    assert_eq!(body["error"]["message"], "\"big.png\" is 1001 bytes; a file can be at most 1000 bytes.");
    let (status, body) = upload("invoice.png", b"<!DOCTYPE html><script>alert(1)</script>".to_vec()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_type"))
    );
    assert!(body["error"]["message"].as_str().unwrap().starts_with("\"invoice.png\" is an HTML page"), "{body}");
    let (status, body) = upload("photo.png", b"PK\x03\x04\x14\0\x08\0\x08\0".to_vec()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(body["error"]["message"].as_str().unwrap().starts_with("\"photo.png\" is a ZIP archive"), "{body}");
    let (status, body) = upload("notes.txt", "TxID 0x9f3c, 充值未到账\n".as_bytes().to_vec()).await;
    assert_eq!((status, body["contentType"].as_str()), (StatusCode::OK, Some("text/plain")));
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_answer_rate_limited_with_when_to_retry() {
    let server = TestServer::with(|c| c.limits.messages_per_minute = 3).await;
    let visitor = server.visitor().await;
    let c = server.start_conversation(&visitor.visitor_token, "c-rate", "deposit-not-arrived").await;
    let mut ws = server.visitor_socket(&visitor.visitor_token, vec![]).await;
    let mut outcomes = Vec::new();
    for i in 0..4 {
        ws.send(&ClientFrame::Send {
            conversation: c.id.clone(),
            client_id: format!("r-{i}"),
            body: "hi".into(),
            attachments: vec![],
        })
        .await;
        let (frame, _) = ws.recv_until(|f| matches!(f, ServerFrame::Ack { .. } | ServerFrame::Error { .. })).await;
        outcomes.push(frame);
    }
    assert!(outcomes[..3].iter().all(|f| matches!(f, ServerFrame::Ack { .. })), "{outcomes:?}");
    let ServerFrame::Error { error, client_id, .. } = &outcomes[3] else { panic!("{:?}", outcomes[3]) };
    assert_eq!((error.code, client_id.as_deref()), (ErrorCode::RateLimited, Some("r-3")));
    let wait = error.retry_after_ms.unwrap();
    assert!((1..=20_000).contains(&wait), "{wait}");
    // A resend of an acknowledged message is not a new message: still acked.
    ws.send(&ClientFrame::Send {
        conversation: c.id.clone(),
        client_id: "r-0".into(),
        body: "hi".into(),
        attachments: vec![],
    })
    .await;
    assert!(matches!(
        ws.recv_until(|f| matches!(f, ServerFrame::Ack { .. } | ServerFrame::Error { .. })).await.0,
        ServerFrame::Ack { seq: 1, .. }
    ));

    // Per IP over HTTP.
    let server = TestServer::with(|c| c.limits.requests_per_minute = 5).await;
    let mut statuses = Vec::new();
    let mut last = serde_json::Value::Null;
    for _ in 0..6 {
        let response = server.http.get(format!("{}/api/v1/conversations", server.url)).send().await.unwrap();
        statuses.push(response.status().as_u16());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().contains_key("retry-after"));
            last = response.json().await.unwrap();
        }
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
    assert_eq!(last["error"]["code"], "rate_limited");
    assert!(last["error"]["retryAfterMs"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_frame_is_named_and_the_socket_stays_up() {
    let server = TestServer::start().await;
    let visitor = server.visitor().await;
    let mut ws = server.visitor_socket(&visitor.visitor_token, vec![]).await;
    ws.send_text("{\"type\":\"send\",\"clientId\":\"m\"}").await;
    let ServerFrame::Error { error, .. } = ws.recv().await else { panic!("expected an error") };
    assert_eq!(error.code, ErrorCode::BadRequest);
    assert!(error.message.contains("missing field `conversation`"), "{}", error.message);
    ws.send_text("not json").await;
    assert_eq!(error_code(&ws.recv().await), ErrorCode::BadRequest);
    // Unknown frame types are ignored; the socket still answers.
    ws.send_text("{\"type\":\"from_the_future\",\"x\":1}").await;
    assert!(ws.nothing_pending().await.is_empty());
    // A bad token closes the socket after saying why.
    let url = format!("{}/api/v1/ws", server.url.replace("http://", "ws://"));
    let (stream, _) = tokio_tungstenite::connect_async(url.clone()).await.unwrap();
    let mut bad = crate::support::Ws { stream };
    bad.send(&ClientFrame::Hello { v: 1, token: "vt_nobody".into(), resume: vec![] }).await;
    assert_eq!(error_code(&bad.recv().await), ErrorCode::Unauthorized);
    assert!(bad.closed_by_server().await);
    let (stream, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut future = crate::support::Ws { stream };
    future.send(&ClientFrame::Hello { v: 2, token: visitor.visitor_token.clone(), resume: vec![] }).await;
    assert_eq!(error_code(&future.recv().await), ErrorCode::UnsupportedVersion);
    assert!(future.closed_by_server().await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_socket_is_closed_after_the_idle_timeout() {
    let server = TestServer::with(|c| c.limits.idle_timeout_secs = 1).await;
    let visitor = server.visitor().await;
    let mut ws = server.visitor_socket(&visitor.visitor_token, vec![]).await;
    let started = std::time::Instant::now();
    assert!(ws.closed_by_server().await);
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
}

#[tokio::test(flavor = "multi_thread")]
async fn queue_places_move_up_live_when_a_conversation_ahead_is_taken() {
    let server = TestServer::start().await;
    let password = server.add_agent("agent@example.com", "Mei", AgentRole::Agent, &[]).await;
    let first = server.visitor().await;
    let second = server.visitor().await;
    let ahead = server.start_conversation(&first.visitor_token, "c-a", "deposit-not-arrived").await;
    let mut ws = server.visitor_socket(&second.visitor_token, vec![]).await;
    let behind = server.start_conversation(&second.visitor_token, "c-b", "deposit-not-arrived").await;
    assert_eq!(behind.queue.as_ref().map(|q| (q.position, q.estimated_wait_secs)), Some((2, 120)));
    // Another queue does not count: a KYC conversation is first in its own.
    let kyc = server.start_conversation(&first.visitor_token, "c-k", "kyc-rejected").await;
    assert_eq!(kyc.queue.unwrap().position, 1);

    let agent = server.login("agent@example.com", &password).await;
    let mut console = agent.socket().await;
    console.send(&ClientFrame::Accept { conversation: ahead.id.clone() }).await;
    let (frame, _) = ws
        .recv_until(|f| matches!(f, ServerFrame::Queue { conversation, queue } if *conversation == behind.id && queue.position == 1))
        .await;
    assert!(matches!(frame, ServerFrame::Queue { .. }));
    let (_, summary): (StatusCode, serde_json::Value) =
        server.call(Method::GET, "/api/v1/conversations", Some(&second.visitor_token), None).await;
    let summary: Vec<ConversationSummary> = serde_json::from_value(summary).unwrap();
    assert_eq!(summary[0].queue.as_ref().unwrap().position, 1);
}
