//! Mail that cannot be turned against anyone: an address nobody vouched for
//! gets one fixed-text confirmation request, within the per-IP budget, and
//! nothing a visitor wrote until its owner confirms; the host's signed-in
//! user is written to at once.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{SmtpSink, TestServer};

fn ticket(client_id: &str, title: &str, email: &str) -> serde_json::Value {
    json!({
        "clientId": client_id, "title": title, "category": "other", "urgency": "normal",
        "description": "Verify your wallet at https://evil.example/login or it will be frozen.",
        "email": email, "locale": "en",
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unconfirmed_address_gets_one_fixed_request_within_the_budget_and_a_look_confirms_nothing() {
    let sink = SmtpSink::start().await;
    let smtp = sink.config();
    let server = TestServer::with(|config| {
        config.smtp = Some(smtp);
        config.limits.mails_per_ip_per_hour = 3;
    })
    .await;
    let visitor = server.visitor().await;
    let token = visitor.visitor_token.as_str();

    // A ticket whose text is a phishing lure, for someone else's address.
    let urgent = "URGENT: your wallet is frozen";
    let (status, _) = server
        .call(Method::POST, "/api/v1/tickets", Some(token), Some(ticket("t-1", urgent, "victim1@example.com")))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mail = sink.wait_for("To: victim1@example.com").await;
    assert!(mail.contains("Subject: Confirm your address for support e-mails"), "{mail}");
    assert!(!mail.contains("URGENT") && !mail.contains("evil.example"), "no visitor text:\n{mail}");

    // Another ticket to the same address: no second request within a day.
    let (status, _) = server
        .call(Method::POST, "/api/v1/tickets", Some(token), Some(ticket("t-2", urgent, "victim1@example.com")))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // Transcripts to more addresses: the IP's budget (3 an hour) holds.
    let c = server.start_conversation(token, "c-1", "other").await;
    let path = format!("/api/v1/conversations/{}/transcript", c.id);
    for n in 2..=3 {
        let (status, _) = server
            .call(Method::POST, &path, Some(token), Some(json!({"email": format!("victim{n}@example.com")})))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        sink.wait_for(&format!("To: victim{n}@example.com")).await;
    }
    let (status, body) =
        server.call(Method::POST, &path, Some(token), Some(json!({"email": "victim4@example.com"}))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
        "{body}"
    );
    let log = sink.log();
    assert_eq!(log.matches("To: victim1@example.com").count(), 1, "{log}");
    assert!(!log.contains("victim4@example.com"), "{log}");
    assert!(!log.contains("Your support conversation"), "no transcript before a confirmation:\n{log}");

    // Opening the link shows a button and confirms nothing; a made-up token
    // is refused.
    let link = sink.confirmation_link().await;
    assert_eq!(server.http.get(&link).send().await.unwrap().status(), StatusCode::OK);
    let visitor_id =
        server.db().visitor_by_token(&helpdock_server::token::sha256_hex(token)).await.unwrap().unwrap().id;
    let row = server.db().mail_address(&visitor_id, "victim3@example.com").await.unwrap().unwrap();
    assert_eq!(row.confirmed_at, None);
    let bogus = format!("{}/mail/confirm?token={}", server.url, "0".repeat(32));
    assert_eq!(server.http.get(&bogus).send().await.unwrap().status(), StatusCode::OK, "the page itself asks");
    let refused = server
        .http
        .post(format!("{}/mail/confirm", server.url))
        .form(&[("token", "0".repeat(32))])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    // The owner confirms: the transcript held for the address goes out.
    server.confirm_address(&link).await;
    let mail = sink.wait_for("Subject: Your support conversation").await;
    assert!(mail.contains("To: victim3@example.com"), "{mail}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_in_user_whose_email_the_host_did_not_sign_confirms_it_first() {
    let sink = SmtpSink::start().await;
    let smtp = sink.config();
    let server = TestServer::with(|config| config.smtp = Some(smtp)).await;
    // userHash over the user id only: the e-mail is the browser's word.
    let li = server.identified("u-41").await;
    let (status, body) = server
        .call(Method::POST, "/api/v1/tickets", Some(&li.visitor_token), Some(ticket("t-1", "Card", "li@example.com")))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mail = sink.wait_for("Confirm your address").await;
    assert!(!mail.contains("Card"), "no visitor text before the address is confirmed: {mail}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hosts_signed_in_user_is_written_to_at_once() {
    let sink = SmtpSink::start().await;
    let smtp = sink.config();
    let server = TestServer::with(|config| config.smtp = Some(smtp)).await;
    let li = server.identified_with_profile("u-42").await;
    let (status, body) = server
        .call(
            Method::POST,
            "/api/v1/tickets",
            Some(&li.visitor_token),
            Some(ticket("t-1", "Card not arrived", "LI@example.com")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mail = sink.wait_for("We received your request").await;
    assert!(mail.contains("Card not arrived"), "{mail}");
    assert!(!mail.contains("Confirm your address"), "{mail}");
}
