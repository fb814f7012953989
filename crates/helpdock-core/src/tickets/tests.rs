use super::*;
use crate::bot::{Collected, Line};
use crate::flow::FlowField;
use crate::protocol::{Author, TicketStatus};

const NOW: Now = Now { unix_secs: 1_763_971_200, utc_offset_minutes: 0 };

fn guard() -> Guard {
    Guard::new(&["example.com"])
}

fn field(id: &str, label: &str, format: FieldFormat, required: bool) -> FlowField {
    FlowField {
        id: id.into(),
        labels: vec![("en".into(), label.into()), ("zh-CN".into(), format!("{label}（中）"))],
        format,
        required,
        ..FlowField::default()
    }
}

fn flows() -> Vec<Flow> {
    vec![
        Flow {
            id: "deposit-not-arrived".into(),
            titles: vec![("en".into(), "Deposit not arrived".into()), ("zh-CN".into(), "充值未到账".into())],
            fields: vec![
                field("coin", "Coin", FieldFormat::Coin, true),
                field("amount", "Amount", FieldFormat::Amount, true),
                field("txid", "TxID", FieldFormat::TxId, true),
                field("note", "Note", FieldFormat::Text, false),
            ],
            ..Flow::default()
        },
        Flow {
            id: "account-compromised".into(),
            titles: vec![("en".into(), "Account stolen".into())],
            urgent: true,
            fields: vec![field("screenshot", "Screenshot", FieldFormat::Attachment, true)],
            ..Flow::default()
        },
    ]
}

const TXID: &str = "0x9f3c5b2a1d4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";

fn bot_conversation() -> Conversation {
    Conversation {
        transcript: vec![
            Line { from: Speaker::User, text: "my USDT deposit has not arrived".into() },
            Line { from: Speaker::Bot, text: "Started the form".into() },
            Line { from: Speaker::User, text: "(pressed Talk to a person)".into() },
            Line { from: Speaker::User, text: "sent it two hours ago".into() },
        ],
        flow: Some("deposit-not-arrived".into()),
        fields: vec![
            Collected { id: "coin".into(), label: "Coin".into(), value: "USDT".into() },
            Collected { id: "amount".into(), label: "Amount".into(), value: "250".into() },
            Collected { id: "txid".into(), label: "TxID".into(), value: TXID.into() },
        ],
        ..Conversation::default()
    }
}

#[test]
fn prefill_from_the_bot_takes_category_title_fields_and_the_users_words() {
    let draft = Draft::from_bot("t-1", &bot_conversation(), &flows(), Locale::En);
    assert_eq!(draft.client_id, "t-1");
    assert_eq!(draft.category, "deposit-not-arrived");
    assert_eq!(draft.title, "Deposit not arrived");
    assert_eq!(draft.field("coin"), "USDT");
    assert_eq!(draft.field("txid"), TXID);
    assert_eq!(draft.description, "my USDT deposit has not arrived\nsent it two hours ago");
    assert_eq!(draft.transcript.len(), 4);
    assert_eq!(draft.urgency, Urgency::Normal);

    let zh = Draft::from_bot("t-2", &bot_conversation(), &flows(), Locale::ZhCn);
    assert_eq!(zh.title, "充值未到账");
}

#[test]
fn prefill_without_a_known_flow_is_other() {
    let conversation = Conversation { flow: Some("gone".into()), ..bot_conversation() };
    let draft = Draft::from_bot("t-1", &conversation, &flows(), Locale::En);
    assert_eq!(draft.category, OTHER);
    assert_eq!(draft.title, "");
    let urgent = Conversation { flow: Some("account-compromised".into()), ..Conversation::default() };
    assert_eq!(Draft::from_bot("t", &urgent, &flows(), Locale::En).urgency, Urgency::Urgent);
}

#[test]
fn validation_follows_the_categorys_checklist() {
    let flows = flows();
    let mut draft = Draft::new("t-1");
    let slots: Vec<String> = draft.problems(&flows, &guard(), Locale::En, NOW).iter().map(|(s, _)| s.key()).collect();
    assert_eq!(slots, ["title", "description", "email"]);

    draft.category = "deposit-not-arrived".into();
    draft.title = "Deposit".into();
    draft.description = "Where is it?".into();
    draft.email = "li@example.com".into();
    draft.set_field("txid", "nope");
    let problems = draft.problems(&flows, &guard(), Locale::En, NOW);
    let slots: Vec<String> = problems.iter().map(|(s, _)| s.key()).collect();
    assert_eq!(slots, ["field-coin", "field-amount", "field-txid"], "the optional note is not asked for");
    assert_eq!(problems[0].1, "This is required.");
    assert!(!problems[2].1.is_empty());

    let zh = draft.problems(&flows, &guard(), Locale::ZhCn, NOW);
    assert_eq!(zh[0].1, "此项为必填项。");
}

#[test]
fn email_is_required_and_checked() {
    let mut draft = Draft { title: "x".into(), description: "y".into(), ..Draft::new("t") };
    assert!(draft.check(&Slot::Email, &[], &guard(), Locale::En, NOW).is_some());
    draft.email = "not-an-address".into();
    assert!(draft.check(&Slot::Email, &[], &guard(), Locale::En, NOW).is_some());
    draft.email = " li@example.com ".into();
    assert_eq!(draft.check(&Slot::Email, &[], &guard(), Locale::En, NOW), None);
}

#[test]
fn an_attachment_field_is_satisfied_by_an_upload() {
    let flows = flows();
    let mut draft = Draft {
        category: "account-compromised".into(),
        title: "x".into(),
        description: "y".into(),
        email: "li@example.com".into(),
        ..Draft::new("t")
    };
    let screenshot = Slot::Field("screenshot".into());
    assert_eq!(draft.check(&screenshot, &flows, &guard(), Locale::En, NOW).as_deref(), Some("This is required."));
    draft.attachments.push(Attachment {
        id: "at_1".into(),
        name: "shot.png".into(),
        content_type: "image/png".into(),
        size: 10,
        url: "/f".into(),
    });
    assert_eq!(draft.check(&screenshot, &flows, &guard(), Locale::En, NOW), None);
    let request = draft.request(&flows, &guard(), Locale::En, NOW).unwrap();
    assert_eq!(request.attachments, ["at_1"]);
}

#[test]
fn no_secret_leaves_through_any_text_of_the_form_nor_is_stored() {
    let flows = flows();
    let seed = "abandon ability able about above absent absorb abstract absurd abuse access accident";
    let cases: [(Slot, &str); 6] = [
        (Slot::Title, "my password is hunter22"),
        (Slot::Title, "hunter22 is my password"),
        (Slot::Description, &format!("Here is my recovery phrase:\n{seed}")),
        (Slot::Description, "the code I got by SMS: 482913"),
        (Slot::Field("note".into()), "密码我设的是abc12345"),
        (Slot::Field("txid".into()), "验证码是 123456"),
    ];
    for (slot, secret) in cases {
        let mut draft = Draft::from_bot("t-9", &bot_conversation(), &flows, Locale::En);
        draft.email = "li@example.com".into();
        draft.set_field("coin", "usdt");
        match &slot {
            Slot::Title => draft.title = secret.to_owned(),
            Slot::Description => draft.description = secret.to_owned(),
            Slot::Field(id) => draft.set_field(id, secret),
            Slot::Email => unreachable!(),
        }
        let problems = draft.request(&flows, &guard(), Locale::En, NOW).unwrap_err();
        let (_, message) =
            problems.iter().find(|(s, _)| *s == slot).unwrap_or_else(|| panic!("{secret}: {problems:?}"));
        assert!(message.contains("was not sent"), "{secret}: {message}");
        let stored = serde_json::to_string(&draft.redacted(&guard())).unwrap();
        for word in ["hunter22", "abandon", "482913", "abc12345", "123456"] {
            assert!(!secret.contains(word) || !stored.contains(word), "{word} stored: {stored}");
        }
        assert!(stored.contains("[hidden: "), "{stored}");
    }
    // Ordinary support text passes and is stored as typed.
    let mut draft = Draft::from_bot("t-9", &bot_conversation(), &flows, Locale::En);
    draft.email = "li@example.com".into();
    draft.set_field("coin", "usdt");
    draft.title = "I reset my password and the 2FA code never came".into();
    draft.description = "Order 123456, UID 88776655: withdrawal pending since 2026-11-24 10:00.".into();
    assert!(draft.request(&flows, &guard(), Locale::En, NOW).is_ok());
    assert_eq!(draft.redacted(&guard()), draft);
}

#[test]
fn too_long_texts_say_the_limit() {
    let draft = Draft { title: "x".repeat(MAX_TITLE + 1), ..Draft::new("t") };
    assert_eq!(
        draft.check(&Slot::Title, &[], &guard(), Locale::En, NOW).as_deref(),
        Some("At most 200 characters; this has 201.")
    );
}

#[test]
fn the_request_normalises_and_labels_fields_and_keeps_the_client_id() {
    let flows = flows();
    let mut draft = Draft::from_bot("t-7", &bot_conversation(), &flows, Locale::En);
    draft.email = "li@example.com".into();
    draft.set_field("coin", "usdt");
    let request = draft.request(&flows, &guard(), Locale::En, NOW).unwrap();
    assert_eq!(request.client_id, "t-7");
    assert_eq!(request.category, "deposit-not-arrived");
    let coin = request.fields.iter().find(|f| f.id == "coin").unwrap();
    assert_eq!((coin.label.as_str(), coin.value.as_str()), ("Coin", "USDT"));
    assert!(request.fields.iter().all(|f| f.id != "note"), "empty optional fields are left out");
    assert_eq!(request.email.as_deref(), Some("li@example.com"));
    assert_eq!(request.locale.as_deref(), Some("en"));
    // A retry sends the same request, so the server makes one ticket.
    assert_eq!(draft.request(&flows, &guard(), Locale::En, NOW).unwrap(), request);
}

#[test]
fn a_draft_survives_a_round_trip_through_storage() {
    let mut draft = Draft::from_bot("t-1", &bot_conversation(), &flows(), Locale::En);
    draft.urgency = Urgency::High;
    let json = serde_json::to_string(&draft).unwrap();
    assert_eq!(serde_json::from_str::<Draft>(&json).unwrap(), draft);
    assert!(!draft.is_blank());
    assert!(Draft::new("t").is_blank());
}

fn summary(id: &str, updated_at: i64, last_seq: u64, unread: u32) -> TicketSummary {
    TicketSummary {
        id: id.into(),
        number: format!("HD-{id}"),
        title: id.into(),
        category: OTHER.into(),
        urgency: Urgency::Normal,
        status: TicketStatus::Open,
        created_at: 0,
        updated_at,
        last_seq,
        unread,
        agent: None,
        queue: None,
        rating: None,
    }
}

fn reply(ticket: &str, seq: u64, kind: AuthorKind, status: Option<TicketStatus>) -> TicketReply {
    TicketReply {
        ticket: ticket.into(),
        seq,
        client_id: None,
        author: Author { kind, name: Some("Mei".into()), avatar: None },
        body: format!("entry {seq}"),
        attachments: vec![],
        status,
        internal: false,
        by_email: false,
        at: 1_000 + seq as i64,
    }
}

fn detail(s: TicketSummary, replies: Vec<TicketReply>) -> TicketDetail {
    TicketDetail {
        summary: s,
        description: "d".into(),
        fields: vec![],
        attachments: vec![],
        transcript: vec![],
        email: None,
        replies,
    }
}

#[test]
fn the_list_is_most_recent_first_and_counts_unread() {
    let mut list = TicketList::default();
    list.set(vec![summary("a", 10, 1, 0), summary("b", 30, 2, 2), summary("c", 20, 1, 1)]);
    let order: Vec<&str> = list.tickets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(order, ["b", "c", "a"]);
    assert_eq!(list.unread(), 3);
}

#[test]
fn pushed_replies_update_the_list_once_per_seq() {
    let mut list = TicketList::default();
    list.set(vec![summary("a", 10, 1, 0), summary("b", 30, 1, 0)]);
    let frame = ServerFrame::TicketReply { reply: reply("a", 2, AuthorKind::Agent, Some(TicketStatus::PendingUser)) };
    assert!(list.apply(&frame));
    assert!(!list.apply(&frame), "a replayed frame changes nothing");
    let a = &list.tickets[0];
    assert_eq!((a.id.as_str(), a.unread, a.status, a.last_seq), ("a", 1, TicketStatus::PendingUser, 2));
    // The visitor's own reply is not unread.
    assert!(list.apply(&ServerFrame::TicketReply { reply: reply("a", 3, AuthorKind::Visitor, None) }));
    assert_eq!(list.unread(), 1);
    // Internal notes never count (and never reach a visitor anyway).
    let mut note = reply("a", 4, AuthorKind::Agent, None);
    note.internal = true;
    assert!(!list.apply(&ServerFrame::TicketReply { reply: note }));
}

#[test]
fn a_ticket_frame_is_authoritative_but_not_older_than_what_is_held() {
    let mut list = TicketList::default();
    list.set(vec![summary("a", 10, 3, 1)]);
    let mut older = summary("a", 5, 2, 4);
    older.status = TicketStatus::Closed;
    assert!(!list.apply(&ServerFrame::Ticket { ticket: older }));
    let mut newer = summary("a", 50, 4, 2);
    newer.status = TicketStatus::Resolved;
    assert!(list.apply(&ServerFrame::Ticket { ticket: newer }));
    assert_eq!((list.tickets[0].status, list.unread()), (TicketStatus::Resolved, 2));
    // A new ticket (created in another tab) joins the list.
    assert!(list.apply(&ServerFrame::Ticket { ticket: summary("z", 60, 1, 0) }));
    assert_eq!(list.tickets[0].id, "z");
    assert!(!list.apply(&ServerFrame::Pong));
}

#[test]
fn the_open_ticket_gets_its_thread_in_order_and_is_read_as_it_arrives() {
    let mut list = TicketList::default();
    list.set(vec![summary("a", 10, 2, 1)]);
    list.show(detail(
        summary("a", 10, 2, 1),
        vec![reply("a", 2, AuthorKind::Agent, None), reply("a", 1, AuthorKind::Visitor, None)],
    ));
    let seqs: Vec<u64> = list.open.as_ref().unwrap().replies.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [1, 2]);
    assert_eq!(list.mark_read(), Some(("a".into(), 2)));
    assert_eq!(list.mark_read(), None, "nothing more to report");
    assert_eq!(list.unread(), 0);

    let status = reply("a", 3, AuthorKind::System, Some(TicketStatus::Resolved));
    assert!(list.apply(&ServerFrame::TicketReply { reply: status.clone() }));
    assert!(!list.apply(&ServerFrame::TicketReply { reply: status }));
    let open = list.open.as_ref().unwrap();
    assert_eq!((open.replies.len(), open.summary.status, open.summary.last_seq), (3, TicketStatus::Resolved, 3));
    assert_eq!(list.unread(), 0, "on screen, so not unread");
    let mut pushed = summary("a", 1_003, 3, 1);
    pushed.status = TicketStatus::Resolved;
    list.apply(&ServerFrame::Ticket { ticket: pushed });
    assert_eq!(list.unread(), 0);
}
