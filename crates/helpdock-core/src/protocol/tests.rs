use super::*;

fn client(json: &str) -> ClientFrame {
    ClientFrame::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn server(json: &str) -> ServerFrame {
    server_both_ways(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// Reads a server frame with the derived decoder and with the widget's
/// ([`decode::server_frame`]), and checks they agree (the widget reads the
/// console's frames as unknown: a visitor never gets them).
fn server_both_ways(json: &str) -> Result<ServerFrame, serde_json::Error> {
    let derived = ServerFrame::from_json(json);
    let by_hand = decode::server_frame(json);
    if let Ok(ServerFrame::QueueChanged { .. } | ServerFrame::Assigned { .. }) = derived {
        assert_eq!(by_hand.ok(), Some(ServerFrame::Unknown), "{json} is the console's");
        return derived;
    }
    match (&derived, &by_hand) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "the two decoders read {json} differently"),
        (Err(_), Err(_)) => {}
        _ => panic!("one decoder reads {json}, the other does not: {derived:?} / {by_hand:?}"),
    }
    derived
}

#[test]
fn every_frame_round_trips() {
    let message = Message {
        conversation: "c1".into(),
        seq: 3,
        client_id: Some("m-1".into()),
        author: Author { kind: AuthorKind::Agent, name: Some("Mei".into()), avatar: None },
        body: "Hello".into(),
        attachments: vec![Attachment {
            id: "a1".into(),
            name: "shot.png".into(),
            content_type: "image/png".into(),
            size: 10,
            url: "/api/v1/attachments/a1/k".into(),
        }],
        at: 1_700_000_000_000,
        system: None,
    };
    let frames = vec![
        ServerFrame::Welcome { v: VERSION, id: "v1".into() },
        ServerFrame::Message { message },
        ServerFrame::Ack { conversation: "c1".into(), client_id: "m-1".into(), seq: 3, at: 1 },
        ServerFrame::Queue { conversation: "c1".into(), queue: QueueInfo { position: 2, estimated_wait_secs: 90 } },
        ServerFrame::AgentJoined {
            conversation: "c1".into(),
            agent: AgentInfo { id: "a".into(), name: "Mei".into(), avatar: None },
        },
        ServerFrame::Transferred { conversation: "c1".into(), topic: Some("kyc".into()) },
        ServerFrame::Typing { conversation: "c1".into(), author: AuthorKind::Agent, typing: true },
        ServerFrame::Read { conversation: "c1".into(), seq: 3, by: AuthorKind::Visitor },
        ServerFrame::Closed { conversation: "c1".into(), by: AuthorKind::Agent, at: 5 },
        ServerFrame::QueueChanged { waiting: vec![], total: None },
        ServerFrame::QueueChanged { waiting: vec![], total: Some(120) },
        ServerFrame::error(ErrorCode::TooLarge, "too long"),
        ServerFrame::Pong,
    ];
    for frame in frames {
        let json = frame.to_json();
        assert_eq!(server(&json), frame, "{json}");
    }
    let frames = vec![
        ClientFrame::Hello {
            v: 1,
            token: "t".into(),
            resume: vec![Resume { conversation: "c1".into(), after_seq: 4 }],
        },
        ClientFrame::Send { conversation: "c1".into(), client_id: "m".into(), body: "b".into(), attachments: vec![] },
        ClientFrame::Typing { conversation: "c1".into(), typing: false },
        ClientFrame::Read { conversation: "c1".into(), seq: 9 },
        ClientFrame::Ping,
        ClientFrame::Accept { conversation: "c1".into() },
        ClientFrame::Transfer { conversation: "c1".into(), to_agent: None, to_topic: Some("kyc".into()) },
        ClientFrame::Close { conversation: "c1".into() },
    ];
    for frame in frames {
        let json = frame.to_json();
        assert_eq!(client(&json), frame, "{json}");
    }
}

#[test]
fn names_on_the_wire_are_camel_case_fields_and_snake_case_types() {
    let json = ServerFrame::AgentJoined {
        conversation: "c".into(),
        agent: AgentInfo { id: "a".into(), name: "n".into(), avatar: None },
    }
    .to_json();
    assert!(json.contains(r#""type":"agent_joined""#), "{json}");
    let json =
        ClientFrame::Hello { v: 1, token: "t".into(), resume: vec![Resume { conversation: "c".into(), after_seq: 2 }] }
            .to_json();
    assert!(json.contains(r#""afterSeq":2"#), "{json}");
    let identify: Identify = serde_json::from_str(r#"{"userId":"42","userHash":"ab"}"#).unwrap();
    assert_eq!(identify.user_hash, "ab");
}

#[test]
fn a_newer_peer_never_breaks_an_older_one() {
    // Unknown fields are ignored.
    assert_eq!(
        client(r#"{"type":"typing","conversation":"c","typing":true,"mood":"happy"}"#),
        ClientFrame::Typing { conversation: "c".into(), typing: true }
    );
    // Unknown frame types decode as Unknown, on both sides.
    assert_eq!(client(r#"{"type":"poke","at":1}"#), ClientFrame::Unknown);
    assert_eq!(server(r#"{"type":"reaction","emoji":"+1"}"#), ServerFrame::Unknown);
    // Unknown error codes are Other, and the message still reads.
    let ServerFrame::Error { error, .. } =
        server(r#"{"type":"error","error":{"code":"quota","message":"Over quota"}}"#)
    else {
        panic!("not an error frame")
    };
    assert_eq!((error.code, error.message.as_str()), (ErrorCode::Other, "Over quota"));
    // Optional lists and fields may be absent.
    assert_eq!(client(r#"{"type":"hello","v":1}"#), ClientFrame::Hello { v: 1, token: String::new(), resume: vec![] });
    let start: StartConversation = serde_json::from_str(r#"{"clientId":"x"}"#).unwrap();
    assert!(start.transcript.is_empty() && start.topic.is_none());
}

#[test]
fn the_widgets_decoder_refuses_what_the_derived_one_refuses() {
    for json in [
        "not json",
        "[]",
        r#"{"conversation":"c"}"#,
        r#"{"type":"ack","conversation":"c","seq":1,"at":1}"#,
        r#"{"type":"queue","conversation":"c","queue":{"position":"first"}}"#,
        r#"{"type":"welcome","v":-1,"id":"x"}"#,
    ] {
        assert!(server_both_ways(json).is_err(), "{json}");
    }
    let err = decode::server_frame(r#"{"type":"ack","conversation":"c","seq":1,"at":1}"#).unwrap_err().to_string();
    assert!(err.contains("clientId"), "{err}");
    // Optional fields may be null as well as absent.
    assert_eq!(
        server(r#"{"type":"error","error":{"code":"too_large","message":"m"},"clientId":null}"#),
        ServerFrame::error(ErrorCode::TooLarge, "m")
    );
}

#[test]
fn a_malformed_frame_is_an_error_that_names_the_problem() {
    let err = ClientFrame::from_json(r#"{"type":"send","conversation":"c"}"#).unwrap_err().to_string();
    assert!(err.contains("clientId"), "{err}");
    assert!(ClientFrame::from_json("not json").is_err());
    assert!(ClientFrame::from_json(r#"{"conversation":"c"}"#).is_err(), "a frame needs a type");
}

#[test]
fn the_bot_hands_over_its_transcript_and_fields() {
    let line = bot::Line { from: bot::Speaker::User, text: "deposit missing".into() };
    let field = bot::Collected { id: "txid".into(), label: "TxID".into(), value: "0xab".into() };
    assert_eq!(
        TranscriptLine::from(&line),
        TranscriptLine { from: TranscriptSpeaker::User, text: "deposit missing".into() }
    );
    assert_eq!(Field::from(&field).value, "0xab");
}

/// Every JSON example in `docs/protocol.md` fenced as `json client` or
/// `json server` is a frame the types read, so the prose cannot drift.
#[test]
fn the_examples_in_the_specification_are_valid_frames() {
    let doc = include_str!("../../../../docs/protocol.md");
    let mut count = 0;
    let mut lines = doc.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let side = match line.trim() {
            "```json client" => "client",
            "```json server" => "server",
            _ => continue,
        };
        let body: String =
            lines.by_ref().take_while(|(_, l)| l.trim() != "```").map(|(_, l)| format!("{l}\n")).collect();
        let ok = match side {
            "client" => ClientFrame::from_json(&body).map(|f| f != ClientFrame::Unknown),
            _ => server_both_ways(&body).map(|f| f != ServerFrame::Unknown),
        };
        assert!(matches!(ok, Ok(true)), "docs/protocol.md:{}: not a known {side} frame: {ok:?}\n{body}", n + 1);
        count += 1;
    }
    assert!(count >= 10, "expected the specification to show every frame, found {count} examples");
}

/// `docs/protocol/*.json` are generated from these types; run with
/// `HELPDOCK_BLESS=1` to rewrite them after a change.
#[cfg(feature = "schema")]
#[test]
fn the_published_schemas_match_the_types() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/protocol");
    let bless = std::env::var_os("HELPDOCK_BLESS").is_some();
    for (name, text) in schemas() {
        let path = dir.join(name);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let published = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            published == text,
            "{} is out of date with crates/helpdock-core/src/protocol.rs; rerun with HELPDOCK_BLESS=1",
            path.display()
        );
    }
}

#[test]
fn ticket_frames_round_trip_and_read_leniently() {
    let summary = TicketSummary {
        id: "t_1".into(),
        number: ticket_number("HD", 123),
        title: "Deposit missing".into(),
        category: "deposit-not-arrived".into(),
        urgency: Urgency::High,
        status: TicketStatus::PendingUser,
        created_at: 1,
        updated_at: 2,
        last_seq: 3,
        unread: 1,
        agent: None,
        queue: None,
        rating: None,
    };
    let reply = TicketReply {
        ticket: "t_1".into(),
        seq: 3,
        client_id: None,
        author: Author { kind: AuthorKind::Agent, name: Some("Mei".into()), avatar: None },
        body: "Which network did you use?".into(),
        attachments: vec![],
        status: Some(TicketStatus::PendingUser),
        internal: false,
        by_email: false,
        at: 2,
    };
    for frame in [ServerFrame::Ticket { ticket: summary.clone() }, ServerFrame::TicketReply { reply }] {
        let json = frame.to_json();
        assert_eq!(server(&json), frame, "{json}");
    }
    let json = ServerFrame::Ticket { ticket: summary }.to_json();
    assert!(json.contains(r#""type":"ticket""#) && json.contains(r#""status":"pending_user""#), "{json}");
    assert!(json.contains(r#""number":"HD-000123""#), "{json}");
    // A minimal new ticket: urgency defaults to normal, lists to empty.
    let new: NewTicket =
        serde_json::from_str(r#"{"clientId":"k","title":"t","category":"other","description":"d","x":1}"#).unwrap();
    assert_eq!((new.urgency, new.fields.len(), new.email), (Urgency::Normal, 0, None));
    let err = serde_json::from_str::<NewTicket>(
        r#"{"clientId":"k","title":"t","category":"other","description":"d","urgency":"asap"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("asap"), "{err}");
}

#[test]
fn ticket_numbers_are_read_back_as_people_quote_them() {
    assert_eq!(ticket_number("HD", 7), "HD-000007");
    assert_eq!(ticket_number("HD", 1_234_567), "HD-1234567");
    for (text, n) in [("HD-000123", Some(123)), ("#hd-123", Some(123)), (" HD-1 ", Some(1))] {
        assert_eq!(parse_ticket_number("HD", text), n, "{text}");
    }
    for text in ["HD-", "HX-12", "HD-12a", "HD12", "HD-9999999999999"] {
        assert_eq!(parse_ticket_number("HD", text), None, "{text}");
    }
    assert_eq!(TicketStatus::parse("in_progress"), Some(TicketStatus::InProgress));
    assert!(TicketStatus::PendingUser.is_active() && !TicketStatus::Resolved.is_active());
    assert_eq!(Urgency::parse("urgent"), Some(Urgency::Urgent));
}
