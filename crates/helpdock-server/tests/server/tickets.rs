//! Tickets: creating (idempotent, numbered), privacy, the thread and its
//! status rules, rating, the console's lists and notes, live frames and
//! e-mail.

use helpdock_core::protocol::{
    AgentRole, Attachment, AuthorKind, ConsoleTicket, ServerFrame, TicketDetail, TicketReply, TicketStatus,
    TicketSummary, Urgency,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{Agent, SmtpSink, TestServer};

fn new_ticket(client_id: &str, title: &str, category: &str, urgency: &str) -> Value {
    json!({
        "clientId": client_id, "title": title, "category": category, "urgency": urgency,
        "description": "Sent 250 USDT on TRON two hours ago; the explorer shows it confirmed.",
        "fields": [{"id": "txid", "label": "TxID", "value": "0x9f3c"}],
        "locale": "en",
    })
}

async fn create(server: &TestServer, token: &str, body: Value) -> TicketDetail {
    let (status, body) = server.call(Method::POST, "/api/v1/tickets", Some(token), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn list(server: &TestServer, token: &str) -> Vec<TicketSummary> {
    let (status, body) = server.call(Method::GET, "/api/v1/tickets", Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn detail(server: &TestServer, token: &str, id: &str) -> TicketDetail {
    let (status, body) = server.call(Method::GET, &format!("/api/v1/tickets/{id}"), Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn visitor_post(server: &TestServer, token: &str, id: &str, what: &str, body: Value) -> (StatusCode, Value) {
    server.call(Method::POST, &format!("/api/v1/tickets/{id}/{what}"), Some(token), Some(body)).await
}

async fn agent_reply(agent: &Agent, id: &str, client_id: &str, body: &str, internal: bool) -> TicketReply {
    let request = json!({"clientId": client_id, "body": body, "attachments": [], "internal": internal});
    let (status, body) =
        agent.call(Method::POST, &format!("/console/api/tickets/{id}/replies"), true, Some(request)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn agent_update(agent: &Agent, id: &str, update: Value) -> TicketSummary {
    let (status, body) = agent.call(Method::PATCH, &format!("/console/api/tickets/{id}"), true, Some(update)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn console_ids(agent: &Agent, query: &str) -> Vec<String> {
    let (status, body) = agent.call(Method::GET, &format!("/console/api/tickets{query}"), false, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tickets: Vec<TicketSummary> = serde_json::from_value(body).unwrap();
    tickets.into_iter().map(|t| t.id).collect()
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread")]
async fn creating_is_idempotent_by_client_id_numbered_and_private() {
    let server = TestServer::start().await;
    let alice = server.visitor().await;
    let mallory = server.visitor().await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let upload = |token: String| {
        let (http, url, png) = (server.http.clone(), server.url.clone(), png.clone());
        async move {
            let response = http
                .post(format!("{url}/api/v1/attachments"))
                .bearer_auth(token)
                .header("content-type", "image/png")
                .header("x-filename", "proof.png")
                .body(png)
                .send()
                .await
                .unwrap();
            response.json::<Attachment>().await.unwrap()
        }
    };
    let own = upload(alice.visitor_token.clone()).await;
    let foreign = upload(mallory.visitor_token.clone()).await;

    let mut request = new_ticket("t-1", "USDT deposit not credited", "deposit-not-arrived", "high");
    request["attachments"] = json!([own.id]);
    request["email"] = json!("li@example.com");
    let first = create(&server, &alice.visitor_token, request.clone()).await;
    let number = &first.summary.number;
    assert!(
        number.len() == 9 && number.starts_with("HD-") && number[3..].bytes().all(|b| b.is_ascii_digit()),
        "{number}"
    );
    assert_eq!((first.summary.status, first.summary.urgency), (TicketStatus::Open, Urgency::High));
    assert_eq!((first.summary.last_seq, first.summary.unread), (0, 0));
    assert_eq!(first.summary.queue, None, "the queue is for the console");
    assert_eq!(first.attachments, std::slice::from_ref(&own));
    assert_eq!(first.email.as_deref(), Some("li@example.com"));
    assert_eq!(first.fields[0].value, "0x9f3c");

    // The same clientId again (a retry whose answer was lost): the same
    // ticket, 200, stored once.
    let (status, again) = server.call(Method::POST, "/api/v1/tickets", Some(&alice.visitor_token), Some(request)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["summary"]["id"], first.summary.id.as_str());
    assert_eq!(again["summary"]["number"], number.as_str());
    let visitor_id = &alice.visitor_id;
    assert_eq!(server.db().count_tickets_with_client_id(visitor_id, "t-1").await.unwrap(), 1);

    // The next one gets the next number; the list is most recently updated
    // first.
    let second = create(&server, &alice.visitor_token, new_ticket("t-2", "Cannot verify", "other", "low")).await;
    let n = |s: &str| s[3..].parse::<u64>().unwrap();
    assert_eq!(n(&second.summary.number), n(number) + 1);
    let ids: Vec<String> = list(&server, &alice.visitor_token).await.into_iter().map(|t| t.id).collect();
    assert_eq!(ids, [second.summary.id.clone(), first.summary.id.clone()]);

    // Refusals name the field.
    let mut bad = new_ticket("t-3", "  ", "other", "low");
    let (status, body) =
        server.call(Method::POST, "/api/v1/tickets", Some(&alice.visitor_token), Some(bad.clone())).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("title")));
    bad["title"] = json!("Fine");
    bad["email"] = json!("not an address");
    let (status, body) =
        server.call(Method::POST, "/api/v1/tickets", Some(&alice.visitor_token), Some(bad.clone())).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("email")));
    // Someone else's upload is as unknown as a made-up one.
    bad["email"] = Value::Null;
    bad["attachments"] = json!([foreign.id]);
    let (status, body) = server.call(Method::POST, "/api/v1/tickets", Some(&alice.visitor_token), Some(bad)).await;
    assert_eq!(
        (status, code(&body), body["error"]["field"].as_str()),
        (StatusCode::NOT_FOUND, "not_found", Some("attachments"))
    );

    // Another visitor: not in their list, and the id answers exactly like
    // one that does not exist, for every route.
    assert!(list(&server, &mallory.visitor_token).await.is_empty());
    let id = &first.summary.id;
    let (real_status, real_body) =
        server.call(Method::GET, &format!("/api/v1/tickets/{id}"), Some(&mallory.visitor_token), None).await;
    let (made_up_status, made_up_body) =
        server.call(Method::GET, "/api/v1/tickets/t_AAAAAAAAAAAAAAAAAAAAAA", Some(&mallory.visitor_token), None).await;
    assert_eq!(real_status, StatusCode::NOT_FOUND);
    assert_eq!((real_status, &real_body), (made_up_status, &made_up_body));
    for (what, body) in [
        ("replies", json!({"clientId": "r", "body": "hi"})),
        ("status", json!({"status": "closed"})),
        ("read", json!({"seq": 1})),
        ("rating", json!({"score": 5})),
    ] {
        let (status, _) = visitor_post(&server, &mallory.visitor_token, id, what, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{what}");
    }
    // No token at all.
    let (status, _) = server.call(Method::GET, "/api/v1/tickets", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identified_user_finds_their_tickets_from_another_device() {
    let server = TestServer::start().await;
    let laptop = server.identified("user-42").await;
    let ticket = create(&server, &laptop.visitor_token, new_ticket("t-1", "Withdrawal stuck", "other", "normal")).await;
    // Without an address in the request, the identified user's is used.
    assert_eq!(ticket.email.as_deref(), Some("li@example.com"));
    let phone = server.identified("user-42").await;
    assert_ne!(phone.visitor_token, laptop.visitor_token);
    let ids: Vec<String> = list(&server, &phone.visitor_token).await.into_iter().map(|t| t.id).collect();
    assert_eq!(ids, [ticket.summary.id.as_str()]);
    let seen = detail(&server, &phone.visitor_token, &ticket.summary.id).await;
    assert_eq!(seen.summary.number, ticket.summary.number);
    let (status, _) = visitor_post(
        &server,
        &phone.visitor_token,
        &ticket.summary.id,
        "replies",
        json!({"clientId": "r1", "body": "Any news?"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // An anonymous visitor, or another user, does not.
    let stranger = server.identified("user-43").await;
    assert!(list(&server, &stranger.visitor_token).await.is_empty());
    let anonymous = server.visitor().await;
    let (status, _) = server
        .call(Method::GET, &format!("/api/v1/tickets/{}", ticket.summary.id), Some(&anonymous.visitor_token), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_thread_unread_counts_status_rules_and_rating() {
    let server = TestServer::start().await;
    let pw = server.add_agent("bo@example.com", "Bo", AgentRole::Admin, &[]).await;
    let bo = server.login("bo@example.com", &pw).await;
    let visitor = server.visitor().await;
    let token = visitor.visitor_token.as_str();
    let ticket =
        create(&server, token, new_ticket("t-1", "USDT deposit not credited", "deposit-not-arrived", "high")).await;
    let id = ticket.summary.id.as_str();

    // Rating before it is resolved is refused.
    let (status, body) = visitor_post(&server, token, id, "rating", json!({"score": 5})).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "conflict"));

    // The agent asks, and waits for the user: one new reply (the bare
    // status change is in the thread but is not a reply to read).
    let asked = agent_reply(&bo, id, "a-1", "Which network did you send it on?", false).await;
    assert_eq!((asked.seq, asked.author.kind, asked.author.name.as_deref()), (1, AuthorKind::Agent, Some("Bo")));
    let summary = agent_update(&bo, id, json!({"status": "pending_user"})).await;
    assert_eq!((summary.status, summary.last_seq), (TicketStatus::PendingUser, 2));
    let [listed] = &list(&server, token).await[..] else { panic!("one ticket") };
    assert_eq!((listed.status, listed.unread, listed.last_seq), (TicketStatus::PendingUser, 1, 2));
    let thread = detail(&server, token, id).await.replies;
    assert_eq!(thread.len(), 2);
    assert_eq!((thread[1].status, thread[1].body.as_str()), (Some(TicketStatus::PendingUser), ""));
    let (status, body) = visitor_post(&server, token, id, "read", json!({"seq": 2})).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(list(&server, token).await[0].unread, 0);

    // The user answers: the ticket goes back to the team. A resend is
    // stored once.
    let (status, body) = visitor_post(&server, token, id, "replies", json!({"clientId": "r-1", "body": "TRC20"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: TicketReply = serde_json::from_value(body).unwrap();
    assert_eq!((answer.seq, answer.status, answer.author.kind), (3, Some(TicketStatus::Open), AuthorKind::Visitor));
    let (_, again) = visitor_post(&server, token, id, "replies", json!({"clientId": "r-1", "body": "TRC20"})).await;
    assert_eq!(again["seq"], 3);
    let (status, body) = visitor_post(&server, token, id, "replies", json!({"clientId": "r-2", "body": "  "})).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("body")));

    // Resolved: a reply reopens it; it can be rated.
    agent_update(&bo, id, json!({"status": "resolved"})).await;
    let (status, body) = visitor_post(&server, token, id, "rating", json!({"score": 4, "comment": "quick"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rating"], json!({"score": 4, "comment": "quick"}));
    let (_, body) =
        visitor_post(&server, token, id, "replies", json!({"clientId": "r-3", "body": "Not credited yet"})).await;
    assert_eq!(body["status"], "open");
    assert_eq!(detail(&server, token, id).await.summary.status, TicketStatus::Open);

    // The user closes it: replies are refused with `closed` until reopened.
    let (status, body) = visitor_post(&server, token, id, "status", json!({"status": "closed"})).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("closed")));
    let (status, body) =
        visitor_post(&server, token, id, "replies", json!({"clientId": "r-4", "body": "one more"})).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "closed"));
    let (status, body) = bo
        .call(
            Method::POST,
            &format!("/console/api/tickets/{id}/replies"),
            true,
            Some(json!({"clientId": "a-x", "body": "late"})),
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "closed"), "agents too, except internal notes");
    let (status, _) = visitor_post(&server, token, id, "rating", json!({"score": 6})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = visitor_post(&server, token, id, "rating", json!({"score": 2})).await;
    assert_eq!(status, StatusCode::OK, "closed tickets can be rated");
    let (status, body) = visitor_post(&server, token, id, "status", json!({"status": "resolved"})).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("status")));
    let (status, body) = visitor_post(&server, token, id, "status", json!({"status": "open"})).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("open")));
    let (status, _) = visitor_post(&server, token, id, "replies", json!({"clientId": "r-4", "body": "one more"})).await;
    assert_eq!(status, StatusCode::OK);

    // The whole thread, in order, as the console has it.
    let (_, body) = bo.call(Method::GET, &format!("/console/api/tickets/{id}"), false, None).await;
    let console: ConsoleTicket = serde_json::from_value(body).unwrap();
    let statuses: Vec<Option<TicketStatus>> = console.detail.replies.iter().map(|r| r.status).collect();
    let (o, p, r, c) = (TicketStatus::Open, TicketStatus::PendingUser, TicketStatus::Resolved, TicketStatus::Closed);
    assert_eq!(statuses, [None, Some(p), Some(o), Some(r), Some(o), Some(c), Some(o), None]);
    let seqs: Vec<u64> = console.detail.replies.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=8).collect::<Vec<u64>>());
    assert_eq!(console.visitor.id, visitor.visitor_id);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_filters_by_role_and_query_and_keeps_internal_notes_in() {
    let server = TestServer::start().await;
    let (kim, pat, bo) = server.kim_pat_and_bo().await;
    let visitor = server.visitor().await;
    let token = visitor.visitor_token.as_str();
    let deposit = create(&server, token, new_ticket("t-1", "Deposit", "deposit-not-arrived", "high")).await.summary;
    let kyc = create(&server, token, new_ticket("t-2", "KYC", "kyc-rejected", "urgent")).await.summary;
    let other = create(&server, token, new_ticket("t-3", "Other", "other", "low")).await.summary;

    // Routing: kyc-rejected → identity (the test config), the rest default.
    let (_, body) = bo.call(Method::GET, "/console/api/tickets?urgency=urgent", false, None).await;
    assert_eq!(body[0]["queue"], "identity");

    // The categories to re-file under: stored and routed ones, and "other".
    let (status, body) = kim.call(Method::GET, "/console/api/ticket-categories", false, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!(["deposit-not-arrived", "kyc-rejected", "other"]));

    assert_eq!(console_ids(&kim, "").await, [kyc.id.as_str()]);
    assert_eq!(console_ids(&pat, "").await, [deposit.id.as_str()]);
    // The admin sees all, most urgent first.
    assert_eq!(console_ids(&bo, "").await, [kyc.id.clone(), deposit.id.clone(), other.id.clone()]);
    assert_eq!(console_ids(&bo, "?status=&category=&urgency=&assignee=").await.len(), 3, "empty filters nothing");
    assert_eq!(console_ids(&bo, "?urgency=high").await, [deposit.id.as_str()]);
    assert_eq!(console_ids(&bo, "?category=other").await, [other.id.as_str()]);
    assert!(console_ids(&bo, "?status=resolved").await.is_empty());
    let (status, body) = bo.call(Method::GET, "/console/api/tickets?status=done", false, None).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("status")));

    // Kim cannot open Pat's; once assigned to her, she can.
    let path = format!("/console/api/tickets/{}", deposit.id);
    let (status, _) = kim.call(Method::GET, &path, false, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = bo.call(Method::PATCH, &path, false, Some(json!({"assignee": kim.id()}))).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"), "a change without the CSRF token");
    let assigned = agent_update(&bo, &deposit.id, json!({"assignee": kim.id()})).await;
    assert_eq!(assigned.agent.map(|a| a.name), Some("Kim".to_string()));
    let (status, _) = kim.call(Method::GET, &path, false, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(console_ids(&kim, "?assignee=me").await, [deposit.id.as_str()]);
    assert_eq!(console_ids(&bo, &format!("?assignee={}", kim.id())).await, [deposit.id.as_str()]);
    assert_eq!(console_ids(&bo, "?assignee=none").await, [kyc.id.clone(), other.id.clone()]);
    assert!(console_ids(&bo, "?assignee=me").await.is_empty());
    let (status, _) = bo.call(Method::PATCH, &path, true, Some(json!({"assignee": "ag_nobody"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Re-categorising re-routes: Kim's kyc ticket moves to payments.
    let moved = agent_update(&bo, &kyc.id, json!({"category": "deposit-not-arrived", "urgency": "normal"})).await;
    assert_eq!(
        (moved.category.as_str(), moved.urgency, moved.queue.as_deref()),
        ("deposit-not-arrived", Urgency::Normal, Some("general"))
    );
    // Pat serves the category: he sees both, whoever they are assigned to.
    assert_eq!(console_ids(&pat, "").await, [deposit.id.clone(), kyc.id.clone()]);
    assert!(console_ids(&kim, "").await.iter().all(|id| *id != kyc.id), "no longer in Kim's topics");
    let unassigned = agent_update(&bo, &deposit.id, json!({"unassign": true})).await;
    assert_eq!(unassigned.agent, None);

    // An internal note: in the console's thread, never in the visitor's.
    let note = agent_reply(&pat, &kyc.id, "n-1", "Checked the chain: not arrived.", true).await;
    assert!(note.internal);
    agent_reply(&pat, &kyc.id, "a-1", "We are checking.", false).await;
    let seen = detail(&server, token, &kyc.id).await;
    let bodies: Vec<&str> = seen.replies.iter().map(|r| r.body.as_str()).collect();
    assert_eq!(bodies, ["We are checking."]);
    assert_eq!(seen.summary.unread, 1);
    let (_, body) = pat.call(Method::GET, &format!("/console/api/tickets/{}", kyc.id), false, None).await;
    let console: ConsoleTicket = serde_json::from_value(body).unwrap();
    assert_eq!(console.detail.replies.len(), 2);
    assert!(console.detail.replies[0].internal);
    // A visitor cannot write one.
    let (status, _) =
        visitor_post(&server, token, &kyc.id, "replies", json!({"clientId": "v", "body": "x", "internal": true})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The console counts the user's replies it has not opened.
    visitor_post(&server, token, &kyc.id, "replies", json!({"clientId": "v-1", "body": "Thanks"})).await;
    let (_, body) = pat.call(Method::GET, "/console/api/tickets?urgency=normal", false, None).await;
    assert_eq!((&body[0]["id"], &body[0]["unread"]), (&json!(kyc.id), &json!(1)));
    pat.call(Method::GET, &format!("/console/api/tickets/{}", kyc.id), false, None).await;
    let (_, body) = pat.call(Method::GET, "/console/api/tickets?urgency=normal", false, None).await;
    assert_eq!((&body[0]["id"], &body[0]["unread"]), (&json!(kyc.id), &json!(0)));
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_reach_the_visitors_sockets_and_the_console_live() {
    let server = TestServer::start().await;
    let pw = server.add_agent("bo@example.com", "Bo", AgentRole::Admin, &[]).await;
    server.add_agent("kim@example.com", "Kim", AgentRole::Agent, &["kyc-rejected"]).await;
    let bo = server.login("bo@example.com", &pw).await;
    let kim = server.login("kim@example.com", &pw).await;
    let mut console = bo.socket().await;
    let mut kim_ws = kim.socket().await;
    let visitor = server.visitor().await;
    let token = visitor.visitor_token.as_str();
    // A widget that only holds tickets: a socket without any conversation,
    // and a second tab.
    let mut tab = server.visitor_socket(token, vec![]).await;
    let mut other_tab = server.visitor_socket(token, vec![]).await;

    let ticket = create(&server, token, new_ticket("t-1", "Deposit", "deposit-not-arrived", "high")).await.summary;
    let is_ticket = |f: &ServerFrame| matches!(f, ServerFrame::Ticket { .. });
    for ws in [&mut tab, &mut other_tab, &mut console] {
        let (ServerFrame::Ticket { ticket: pushed }, _) = ws.recv_until(is_ticket).await else { unreachable!() };
        assert_eq!((pushed.id.as_str(), pushed.status), (ticket.id.as_str(), TicketStatus::Open));
    }
    assert!(kim_ws.nothing_pending().await.is_empty(), "not Kim's category");

    // A public reply: to every tab (with the unread count) and the console.
    agent_reply(&bo, &ticket.id, "a-1", "Which network?", false).await;
    for ws in [&mut tab, &mut other_tab] {
        let ServerFrame::TicketReply { reply } = ws.recv().await else { panic!("the reply first") };
        assert_eq!((reply.seq, reply.body.as_str()), (1, "Which network?"));
        let ServerFrame::Ticket { ticket: pushed } = ws.recv().await else { panic!("then the summary") };
        assert_eq!((pushed.last_seq, pushed.unread), (1, 1));
    }
    let (ServerFrame::TicketReply { reply }, _) =
        console.recv_until(|f| matches!(f, ServerFrame::TicketReply { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(reply.seq, 1);

    // An internal note: only the console.
    agent_reply(&bo, &ticket.id, "n-1", "Probably TRON congestion.", true).await;
    let (ServerFrame::TicketReply { reply }, _) =
        console.recv_until(|f| matches!(f, ServerFrame::TicketReply { .. })).await
    else {
        unreachable!()
    };
    assert!(reply.internal);
    let seen = tab.nothing_pending().await;
    assert!(seen.iter().all(|f| !matches!(f, ServerFrame::TicketReply { .. })), "{seen:?}");

    // A status change and the user's reply reach the console; reading in
    // one tab clears the count in the other.
    agent_update(&bo, &ticket.id, json!({"status": "pending_user"})).await;
    let (ServerFrame::TicketReply { reply }, _) =
        other_tab.recv_until(|f| matches!(f, ServerFrame::TicketReply { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(reply.status, Some(TicketStatus::PendingUser));
    visitor_post(&server, token, &ticket.id, "replies", json!({"clientId": "r-1", "body": "TRC20"})).await;
    let (ServerFrame::TicketReply { reply }, _) = console
        .recv_until(|f| matches!(f, ServerFrame::TicketReply { reply } if reply.author.kind == AuthorKind::Visitor))
        .await
    else {
        unreachable!()
    };
    assert_eq!((reply.body.as_str(), reply.status), ("TRC20", Some(TicketStatus::Open)));
    other_tab.nothing_pending().await;
    visitor_post(&server, token, &ticket.id, "read", json!({"seq": 4})).await;
    let (ServerFrame::Ticket { ticket: pushed }, _) = other_tab.recv_until(is_ticket).await else { unreachable!() };
    assert_eq!(pushed.unread, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_confirmation_and_each_agent_reply_are_emailed_and_a_broken_relay_fails_nothing() {
    let sink = SmtpSink::start().await;
    let smtp = sink.config();
    let server = TestServer::with(|config| config.smtp = Some(smtp)).await;
    let pw = server.add_agent("mei@example.com", "Mei", AgentRole::Admin, &[]).await;
    let mei = server.login("mei@example.com", &pw).await;
    let visitor = server.visitor().await;
    let mut request = new_ticket("t-1", "USDT deposit not credited", "deposit-not-arrived", "high");
    request["email"] = json!("li@example.com");
    let ticket = create(&server, &visitor.visitor_token, request).await.summary;
    // An address nobody vouched for gets a confirmation request naming the
    // ticket, and none of what the visitor wrote.
    let mail = sink.wait_for("Subject: Confirm your address").await;
    assert!(mail.contains(&ticket.number) && mail.contains("li@example.com"), "{mail}");
    assert!(!mail.contains("USDT deposit not credited") && !mail.contains("TxID"), "{mail}");
    // A reply before the confirmation is not e-mailed.
    agent_reply(&mei, &ticket.id, "a-0", "Before you confirmed", false).await;
    server.confirm_address(&sink.confirmation_link().await).await;
    let mail = sink.wait_for(&format!("[{}] We received your request", ticket.number)).await;
    assert!(mail.contains("TxID: 0x9f3c"), "{mail}");

    agent_reply(&mei, &ticket.id, "n-1", "internal only, never mailed", true).await;
    agent_reply(&mei, &ticket.id, "a-1", "We found your deposit; it is credited now.", false).await;
    let mail = sink.wait_for("We found your deposit").await;
    assert!(mail.contains(&format!("Re: [{}]", ticket.number)), "{mail}");
    assert!(mail.contains("Mei replied"), "{mail}");
    assert!(!mail.contains("never mailed"), "{mail}");
    assert!(!mail.contains("Before you confirmed"), "{mail}");

    // A relay that cannot be reached: the ticket is still created and the
    // reply still stored.
    let mut dead = sink.config();
    dead.port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = TestServer::with(|config| config.smtp = Some(dead)).await;
    server.add_agent("mei@example.com", "Mei", AgentRole::Admin, &[]).await;
    let mei = server.login("mei@example.com", &pw).await;
    let visitor = server.visitor().await;
    let mut request = new_ticket("t-1", "Another", "other", "low");
    request["email"] = json!("li@example.com");
    let ticket = create(&server, &visitor.visitor_token, request).await.summary;
    agent_reply(&mei, &ticket.id, "a-1", "Hello", false).await;
}

/// Sends a mail to the server's SMTP receiver with lettre, as a mail
/// system would.
async fn send_mail(port: u16, message: lettre::Message) -> Result<(), lettre::transport::smtp::Error> {
    use lettre::AsyncTransport;
    let transport =
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1").port(port).build();
    transport.send(message).await.map(|_| ())
}

/// Sends raw bytes with their own envelope, as a forger would.
async fn send_raw(
    port: u16,
    envelope: &lettre::address::Envelope,
    bytes: &[u8],
) -> Result<(), lettre::transport::smtp::Error> {
    use lettre::AsyncTransport;
    let transport =
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1").port(port).build();
    transport.send_raw(envelope, bytes).await.map(|_| ())
}

/// A reply to a ticket e-mail: plain text with the quoted e-mail below it,
/// and files.
fn mailed_reply(from: &str, to: &str, text: &str, files: &[(&str, &str, &[u8])]) -> lettre::Message {
    use lettre::message::{header::ContentType, Attachment as MailAttachment, MultiPart, SinglePart};
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(text.to_string()));
    for (name, content_type, data) in files {
        let content_type = ContentType::parse(content_type).unwrap();
        parts = parts.singlepart(MailAttachment::new(name.to_string()).body(data.to_vec(), content_type));
    }
    lettre::Message::builder()
        .from(from.parse().unwrap())
        .to(to.parse().unwrap())
        .subject("Re: your request")
        .message_id(None)
        .multipart(parts)
        .unwrap()
}

/// The Reply-To address of the first mail in the sink's log.
fn reply_to(mail: &str) -> String {
    let line = mail.lines().find(|l| l.starts_with("Reply-To:")).unwrap_or_else(|| panic!("no Reply-To in {mail}"));
    let (_, rest) = line.split_once('<').expect("Reply-To: Name <address>");
    rest.trim_end_matches('>').to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_to_a_ticket_email_lands_in_the_thread_and_forged_ones_are_refused() {
    let sink = SmtpSink::start().await;
    let smtp = sink.config();
    let server = TestServer::with(|config| {
        config.smtp = Some(smtp);
        config.inbound_mail = Some(helpdock_server::config::InboundMailConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            address: "support+{token}@support.example.com".into(),
        });
    })
    .await;
    let port = server.running.mail_addr.expect("the receiver listens").port();
    let pw = server.add_agent("mei@example.com", "Mei", AgentRole::Admin, &[]).await;
    let mei = server.login("mei@example.com", &pw).await;
    let mut console = mei.socket().await;
    let visitor = server.visitor().await;
    let token = visitor.visitor_token.as_str();
    let mut tab = server.visitor_socket(token, vec![]).await;
    let mut request = new_ticket("t-1", "USDT deposit not credited", "deposit-not-arrived", "high");
    request["email"] = json!("Li@Example.com");
    let ticket = create(&server, token, request).await.summary;
    server.confirm_address(&sink.confirmation_link().await).await;
    let mail = sink.wait_for(&format!("[{}] We received your request", ticket.number)).await;
    assert!(mail.contains("reply to this e-mail"), "{mail}");
    let address = reply_to(&mail);
    assert!(address.starts_with("support+") && address.ends_with("@support.example.com"), "{address}");
    agent_update(&mei, &ticket.id, json!({"status": "pending_user"})).await;

    // The user answers from their mail program: their words, a PNG, and a
    // program that is not accepted.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let text = "It arrived now, thanks!\n...and the explorer agrees.\n\n\
                On Mon, 30 Nov 2026 at 12:00, Helpdock <support@example.com> wrote:\n\
                > We received your request\n> TxID: 0x9f3c\n";
    let files: &[(&str, &str, &[u8])] =
        &[("receipt.png", "image/png", png), ("setup.exe", "application/octet-stream", b"MZ\x90\0\x03\0")];
    let reply = mailed_reply("Li Wei <li@example.com>", &address, text, files);
    send_mail(port, reply.clone()).await.expect("the reply is accepted");
    let is_reply = |f: &ServerFrame| matches!(f, ServerFrame::TicketReply { reply } if reply.by_email);
    let (ServerFrame::TicketReply { reply: pushed }, _) = tab.recv_until(is_reply).await else { unreachable!() };
    assert_eq!(pushed.body, "It arrived now, thanks!\n...and the explorer agrees.");
    assert_eq!((pushed.author.kind, pushed.status), (AuthorKind::Visitor, Some(TicketStatus::Open)));
    let names: Vec<(&str, &str)> =
        pushed.attachments.iter().map(|a| (a.name.as_str(), a.content_type.as_str())).collect();
    assert_eq!(names, [("receipt.png", "image/png")], "the program is skipped");
    console.recv_until(is_reply).await;
    let download = server.http.get(format!("{}{}", server.url, pushed.attachments[0].url)).send().await.unwrap();
    assert_eq!(download.bytes().await.unwrap().as_ref(), png);

    // The same mail delivered again (a retry) is stored once.
    send_mail(port, reply).await.expect("a retry is answered as accepted");
    let thread = detail(&server, token, &ticket.id).await;
    let by_email: Vec<&TicketReply> = thread.replies.iter().filter(|r| r.by_email).collect();
    assert_eq!(by_email.len(), 1);
    assert_eq!(thread.summary.status, TicketStatus::Open);

    // Forgeries: a made-up token, a guessed number, another sender.
    let forged = [
        ("li@example.com", "support+0123456789abcdef0123456789abcdef@support.example.com", "5.1.1"),
        ("li@example.com", "support+1@support.example.com", "5.1.1"),
        ("sales@example.com", "support+1@support.example.com", "5.1.1"),
        ("mallory@example.com", address.as_str(), "5.7.1"),
    ];
    for (from, to, status) in forged {
        let err = send_mail(port, mailed_reply(from, to, "Send the funds to me", &[])).await.unwrap_err();
        assert!(err.is_permanent() && err.to_string().contains(&format!("(550): {status}")), "{from} → {to}: {err}");
    }
    let thread = detail(&server, token, &ticket.id).await;
    assert_eq!(thread.replies.len(), by_email.len() + 1, "nothing stored: {:?}", thread.replies);

    // A secret in an e-mail cannot be refused to its writer: it is stored
    // hidden, and the agent gets an internal note saying so.
    let secret = mailed_reply("li@example.com", &address, "my password is Hunter22! please check", &[]);
    send_mail(port, secret).await.expect("accepted");
    let (ServerFrame::TicketReply { reply: hidden }, _) = tab.recv_until(is_reply).await else { unreachable!() };
    assert_eq!(hidden.body, "my password is [hidden: password] please check");
    let is_note = |f: &ServerFrame| matches!(f, ServerFrame::TicketReply { reply } if reply.internal);
    let (ServerFrame::TicketReply { reply: note }, _) = console.recv_until(is_note).await else { unreachable!() };
    assert_eq!(note.author.kind, AuthorKind::System);
    assert!(note.body.contains("Ask the customer to change it"), "{}", note.body);
    let thread = detail(&server, token, &ticket.id).await;
    assert!(thread.replies.iter().all(|r| !r.internal && !r.body.contains("Hunter22")), "{:?}", thread.replies);

    // A forged header with another envelope sender is refused too.
    let forged = mailed_reply("li@example.com", &address, "Send the funds to me", &[]);
    let envelope =
        lettre::address::Envelope::new(Some("mallory@example.net".parse().unwrap()), vec![address.parse().unwrap()])
            .unwrap();
    let err = send_raw(port, &envelope, &forged.formatted()).await.unwrap_err();
    assert!(err.is_permanent() && err.to_string().contains("(550): 5.7.1"), "{err}");

    // A closed ticket takes no more mail, and says why.
    visitor_post(&server, token, &ticket.id, "status", json!({"status": "closed"})).await;
    let err = send_mail(port, mailed_reply("li@example.com", &address, "One more thing", &[])).await.unwrap_err();
    assert!(err.is_permanent() && err.to_string().contains("is closed"), "{err}");
    assert_eq!(detail(&server, token, &ticket.id).await.replies.len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ticket_held_by_an_agent_is_reassigned_or_closed_only_by_them_or_an_admin() {
    let server = TestServer::start().await;
    let pw = server.add_agent("kim@example.com", "Kim", AgentRole::Agent, &["deposit-not-arrived"]).await;
    server.add_agent("pat@example.com", "Pat", AgentRole::Agent, &["deposit-not-arrived"]).await;
    server.add_agent("bo@example.com", "Bo", AgentRole::Admin, &[]).await;
    let (kim, pat, bo) = (
        server.login("kim@example.com", &pw).await,
        server.login("pat@example.com", &pw).await,
        server.login("bo@example.com", &pw).await,
    );
    let visitor = server.visitor().await;
    let ticket =
        create(&server, &visitor.visitor_token, new_ticket("t-1", "Deposit", "deposit-not-arrived", "normal")).await;
    let id = ticket.summary.id.as_str();
    // Nobody holds it: Kim takes it.
    agent_update(&kim, id, json!({"assignee": kim.id()})).await;
    // Pat may re-route it, not take it, drop it or close it.
    agent_update(&pat, id, json!({"urgency": "high"})).await;
    for change in [json!({"assignee": pat.id()}), json!({"unassign": true}), json!({"status": "closed"})] {
        let (status, body) =
            pat.call(Method::PATCH, &format!("/console/api/tickets/{id}"), true, Some(change.clone())).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{change}");
    }
    // Kim may, and so may an admin.
    agent_update(&kim, id, json!({"status": "resolved"})).await;
    let moved = agent_update(&bo, id, json!({"assignee": pat.id()})).await;
    assert_eq!(moved.agent.map(|a| a.name), Some("Pat".into()));
    agent_update(&pat, id, json!({"status": "closed"})).await;
}
