//! No secret reaches the console by any door: every text a visitor sends
//! through the API passes the core guard on the server too (a client need
//! not be the widget), and is refused with `secret_refused` naming where it
//! was, with nothing stored.

use helpdock_core::protocol::{ClientFrame, ErrorCode, ServerFrame};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::TestServer;

const SEED: &str = "abandon ability able about above absent absorb abstract absurd abuse access accident";

fn ticket(client_id: &str) -> Value {
    json!({
        "clientId": client_id, "title": "USDT deposit not credited", "category": "deposit-not-arrived",
        "urgency": "high", "description": "Sent 250 USDT on TRON two hours ago; TxID 0x9f3c, order 123456.",
        "fields": [{"id": "txid", "label": "TxID", "value": "0x9f3c"}], "locale": "en",
    })
}

fn refused(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "secret_refused", "{body}");
    assert_eq!(body["error"]["field"], field, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_visitor_door_refuses_a_secret_and_stores_nothing() {
    let server = TestServer::start().await;
    let visitor = server.visitor().await;
    let token = visitor.visitor_token.as_str();

    // Tickets: title, description, each field, the transcript.
    let doors: [(&str, Value); 5] = [
        ("title", json!("hunter22 is my password")),
        ("description", json!(format!("my recovery phrase is\n{SEED}"))),
        ("fields.txid", json!([{"id": "txid", "label": "TxID", "value": "the code I got by SMS: 482913"}])),
        ("transcript", json!([{"from": "user", "text": "密码我设的是abc12345"}])),
        ("description", json!("PIN: 4821")),
    ];
    for (i, (field, value)) in doors.into_iter().enumerate() {
        let mut body = ticket(&format!("t-secret-{i}"));
        let key = field.split('.').next().unwrap();
        body[key] = value;
        let (status, answer) = server.call(Method::POST, "/api/v1/tickets", Some(token), Some(body)).await;
        refused(status, &answer, field);
    }
    let (_, list) = server.call(Method::GET, "/api/v1/tickets", Some(token), None).await;
    assert_eq!(list, json!([]), "nothing was stored");

    // An ordinary ticket goes; a reply with a code does not.
    let (status, created) = server.call(Method::POST, "/api/v1/tickets", Some(token), Some(ticket("t-ok"))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["summary"]["id"].as_str().unwrap().to_owned();
    let reply = json!({"clientId": "r-1", "body": "my 2FA code is 123456", "attachments": []});
    let (status, answer) =
        server.call(Method::POST, &format!("/api/v1/tickets/{id}/replies"), Some(token), Some(reply)).await;
    refused(status, &answer, "body");
    let (_, detail) = server.call(Method::GET, &format!("/api/v1/tickets/{id}"), Some(token), None).await;
    assert_eq!(detail["replies"], json!([]), "the reply was not stored: {detail}");

    // Conversations: the transcript and fields handed over at escalation.
    let start = |transcript: Value, fields: Value| json!({"clientId": "c-secret", "topic": "deposit-not-arrived", "transcript": transcript, "fields": fields});
    let (status, answer) = server
        .call(
            Method::POST,
            "/api/v1/conversations",
            Some(token),
            Some(start(json!([{"from": "user", "text": "Hunter22! is the password"}]), json!([]))),
        )
        .await;
    refused(status, &answer, "transcript");
    let (status, answer) = server
        .call(
            Method::POST,
            "/api/v1/conversations",
            Some(token),
            Some(start(json!([]), json!([{"id": "note", "label": "Note", "value": SEED}]))),
        )
        .await;
    refused(status, &answer, "fields.note");
    let (_, conversations) = server.call(Method::GET, "/api/v1/conversations", Some(token), None).await;
    assert_eq!(conversations, json!([]));

    // A message on the socket: an error for that clientId, nothing stored.
    let c = server.start_conversation(token, "c-ok", "deposit-not-arrived").await;
    let mut ws = server.visitor_socket(token, vec![]).await;
    ws.send(&ClientFrame::Send {
        conversation: c.id.clone(),
        client_id: "m-secret".into(),
        body: "abc12345是我的密码".into(),
        attachments: vec![],
    })
    .await;
    let (frame, _) = ws.recv_until(|f| matches!(f, ServerFrame::Error { .. })).await;
    let ServerFrame::Error { error, client_id, .. } = frame else { unreachable!() };
    assert_eq!(
        (error.code, error.field.as_deref(), client_id.as_deref()),
        (ErrorCode::SecretRefused, Some("body"), Some("m-secret"))
    );
    assert!(server.db().messages_after(&c.id, 0).await.unwrap().is_empty());

    // An attachment named after a secret.
    let response = server
        .http
        .post(format!("{}/api/v1/attachments", server.url))
        .bearer_auth(token)
        .header("content-type", "text/plain")
        .header("x-filename", "password is Hunter22!.txt")
        .body("hello")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    refused(status, &body, "name");
}
