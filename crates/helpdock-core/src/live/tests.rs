//! The live-chat model driven by frames, as a server (and a flaky network)
//! would send them.

use super::*;
use crate::protocol::{ErrorCode, Limits};

fn summary(id: &str) -> ConversationSummary {
    ConversationSummary {
        id: id.to_owned(),
        topic: Some("deposit-not-arrived".to_owned()),
        status: ConversationStatus::Queued,
        created_at: 0,
        updated_at: 0,
        last_seq: 0,
        agent: None,
        queue: Some(QueueInfo { position: 2, estimated_wait_secs: 120 }),
        rating: None,
    }
}

fn started() -> Live {
    let mut live = Live::default();
    live.start(&summary("c1"));
    live
}

fn message(seq: u64, kind: AuthorKind, client_id: Option<&str>, body: &str) -> Message {
    Message {
        conversation: "c1".to_owned(),
        seq,
        client_id: client_id.map(str::to_owned),
        author: Author { kind, name: (kind == AuthorKind::Agent).then(|| "Mei".to_owned()), avatar: None },
        body: body.to_owned(),
        attachments: vec![],
        at: 1_000 + seq as i64,
        system: None,
    }
}

fn frame(m: Message) -> ServerFrame {
    ServerFrame::Message { message: m }
}

fn ack(client_id: &str, seq: u64) -> ServerFrame {
    ServerFrame::Ack { conversation: "c1".to_owned(), client_id: client_id.to_owned(), seq, at: 2_000 }
}

fn mei() -> AgentInfo {
    AgentInfo { id: "ag_1".to_owned(), name: "Mei".to_owned(), avatar: None }
}

/// The timeline as short strings, to compare whole states at a glance.
fn shown(live: &Live) -> Vec<String> {
    live.timeline()
        .into_iter()
        .map(|e| match e {
            Entry::Message(m, d) => format!(
                "{}:{:?}:{}{}",
                m.seq,
                m.author.kind,
                m.body,
                d.map(|d| format!(" [{d:?}]")).unwrap_or_default()
            ),
            Entry::Notice(n) => format!("notice {:?}", n.kind),
            Entry::Pending(p) => format!("outbox {} {:?}", p.body, p.state),
        })
        .collect()
}

#[test]
fn ack_then_message_frame_shows_the_message_once() {
    let mut live = started();
    live.send("m-1", "hello", vec![], 1);
    assert_eq!(shown(&live), ["outbox hello Sending"]);
    assert!(live.apply(&ack("m-1", 1)));
    assert!(live.outbox.is_empty());
    // The same message comes back as a `message` frame (every socket gets it).
    live.apply(&frame(message(1, AuthorKind::Visitor, Some("m-1"), "hello")));
    assert_eq!(shown(&live), ["1:Visitor:hello [Sent]"]);
}

#[test]
fn a_message_frame_before_the_ack_takes_the_message_out_of_the_outbox() {
    let mut live = started();
    live.send("m-1", "hello", vec![], 1);
    live.apply(&frame(message(1, AuthorKind::Visitor, Some("m-1"), "hello")));
    assert!(live.outbox.is_empty());
    assert!(!live.apply(&ack("m-1", 1)), "a late ack changes nothing");
    assert_eq!(shown(&live), ["1:Visitor:hello [Sent]"]);
}

#[test]
fn replays_and_out_of_order_frames_end_up_once_each_in_seq_order() {
    let mut live = started();
    for seq in [3, 1, 2, 3, 1] {
        live.apply(&frame(message(seq, AuthorKind::Agent, None, &format!("a{seq}"))));
    }
    assert_eq!(live.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(live.last_seq(), 3);
}

#[test]
fn frames_for_another_conversation_are_ignored() {
    let mut live = started();
    let mut other = message(1, AuthorKind::Agent, None, "not yours");
    other.conversation = "c2".to_owned();
    assert!(!live.apply(&frame(other)));
    assert!(live.messages.is_empty());
}

#[test]
fn the_outbox_survives_a_reload_and_is_flushed_in_order_after_reconnecting() {
    let mut live = started();
    live.send("m-1", "first", vec![], 1);
    live.send("m-2", "second", vec![], 2);
    // The page reloads: the state comes back from localStorage.
    let saved = serde_json::to_string(&live).unwrap();
    let mut live: Live = serde_json::from_str(&saved).unwrap();
    assert_eq!(
        live.hello("vt_1"),
        ClientFrame::Hello {
            v: 1,
            token: "vt_1".to_owned(),
            resume: vec![Resume { conversation: "c1".to_owned(), after_seq: 0 }]
        }
    );
    let ids: Vec<String> = live
        .flush()
        .into_iter()
        .map(|f| match f {
            ClientFrame::Send { client_id, .. } => client_id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, ["m-1", "m-2"]);
    // The server had stored the first before the drop: it acks it with its
    // original seq, and nothing is doubled.
    live.apply(&ack("m-1", 1));
    live.apply(&ack("m-2", 2));
    live.apply(&ack("m-1", 1));
    assert_eq!(shown(&live), ["1:Visitor:first [Sent]", "2:Visitor:second [Sent]"]);
    assert!(live.flush().is_empty());
}

#[test]
fn resume_asks_for_what_follows_the_last_seq() {
    let mut live = started();
    live.apply(&frame(message(1, AuthorKind::Agent, None, "hi")));
    live.apply(&frame(message(2, AuthorKind::Visitor, Some("m-1"), "yo")));
    let ClientFrame::Hello { resume, .. } = live.hello("t") else { unreachable!() };
    assert_eq!(resume, [Resume { conversation: "c1".to_owned(), after_seq: 2 }]);
}

#[test]
fn a_refused_message_stays_failed_for_retry_or_edit() {
    let mut live = started();
    live.send("m-1", "x".repeat(5000).as_str(), vec![], 1);
    let error = ErrorInfo::new(ErrorCode::TooLarge, "A message can have at most 4000 characters.");
    live.apply(&ServerFrame::Error {
        error: error.clone(),
        client_id: Some("m-1".to_owned()),
        conversation: Some("c1".to_owned()),
    });
    assert_eq!(live.outbox[0].state, PendingState::Failed(error));
    assert!(live.flush().is_empty(), "a refused message is not resent by itself");
    assert!(matches!(live.retry("m-1"), Some(ClientFrame::Send { .. })));
    assert_eq!(live.outbox[0].state, PendingState::Sending);
    assert_eq!(live.edit("m-1"), None, "a message that may be stored cannot be taken back");
    live.apply(&ServerFrame::Error {
        error: ErrorInfo::new(ErrorCode::TooLarge, "too long"),
        client_id: Some("m-1".to_owned()),
        conversation: None,
    });
    let taken = live.edit("m-1").expect("failed messages can be edited");
    assert_eq!(taken.body.len(), 5000);
    assert!(live.outbox.is_empty());
}

#[test]
fn an_error_about_no_message_is_kept_for_a_banner() {
    let mut live = started();
    live.apply(&ServerFrame::error(ErrorCode::RateLimited, "slow down"));
    assert_eq!(live.error.as_ref().map(|e| e.code), Some(ErrorCode::RateLimited));
}

#[test]
fn queue_agent_typing_read_and_close() {
    let mut live = started();
    assert_eq!(live.queue, Some(QueueInfo { position: 2, estimated_wait_secs: 120 }));
    live.apply(&ServerFrame::Queue {
        conversation: "c1".to_owned(),
        queue: QueueInfo { position: 1, estimated_wait_secs: 60 },
    });
    assert_eq!(live.queue.as_ref().map(|q| q.position), Some(1));
    live.apply(&ServerFrame::AgentJoined { conversation: "c1".to_owned(), agent: mei() });
    assert_eq!(live.status, Some(ConversationStatus::Active));
    assert_eq!(live.queue, None);
    // Replayed after a reconnect: no second "Mei joined".
    assert!(!live.apply(&ServerFrame::AgentJoined { conversation: "c1".to_owned(), agent: mei() }));
    live.apply(&ServerFrame::Typing { conversation: "c1".to_owned(), author: AuthorKind::Agent, typing: true });
    assert!(live.agent_typing);
    live.send("m-1", "my txid is …", vec![], 1);
    live.apply(&ack("m-1", 1));
    live.apply(&frame(message(2, AuthorKind::Agent, None, "checking")));
    assert!(!live.agent_typing, "a message from the agent ends their typing");
    live.apply(&ServerFrame::Read { conversation: "c1".to_owned(), seq: 1, by: AuthorKind::Agent });
    live.apply(&ServerFrame::Closed { conversation: "c1".to_owned(), by: AuthorKind::Agent, at: 9 });
    assert!(!live.apply(&ServerFrame::Closed { conversation: "c1".to_owned(), by: AuthorKind::Agent, at: 9 }));
    assert!(!live.is_open());
    assert_eq!(
        shown(&live),
        [
            "notice AgentJoined { name: \"Mei\", avatar: None }",
            "1:Visitor:my txid is … [Read]",
            "2:Agent:checking",
            "notice Closed { by: Agent }",
        ]
    );
}

#[test]
fn a_backend_that_narrates_joins_itself_is_not_echoed() {
    let mut live = started();
    live.apply(&ServerFrame::AgentJoined { conversation: "c1".to_owned(), agent: mei() });
    assert_eq!(shown(&live), ["notice AgentJoined { name: \"Mei\", avatar: None }"]);
    live.apply(&frame(message(1, AuthorKind::System, None, "Mei joined the conversation.")));
    live.apply(&ServerFrame::Closed { conversation: "c1".to_owned(), by: AuthorKind::Agent, at: 9 });
    assert_eq!(shown(&live), ["1:System:Mei joined the conversation."]);
}

#[test]
fn unread_counts_messages_from_people_until_seen_and_reads_are_reported_once() {
    let mut live = started();
    live.apply(&frame(message(1, AuthorKind::Agent, None, "hello")));
    live.apply(&frame(message(2, AuthorKind::Visitor, Some("m-1"), "hi")));
    live.apply(&frame(message(3, AuthorKind::Agent, None, "how can I help")));
    assert_eq!(live.unread(), 2);
    assert_eq!(live.mark_seen(), Some(ClientFrame::Read { conversation: "c1".to_owned(), seq: 3 }));
    assert_eq!(live.unread(), 0);
    assert_eq!(live.mark_seen(), None, "nothing new: no second receipt");
    live.apply(&frame(message(4, AuthorKind::Visitor, Some("m-2"), "thanks")));
    assert_eq!(live.mark_seen(), None, "the visitor's own messages need no receipt");
    assert_eq!(live.unread(), 0);
}

#[test]
fn two_tabs_merge_without_doubles() {
    let mut a = started();
    let mut b = a.clone();
    // Tab A sends while tab B is looking; B learns of it from storage.
    a.send("m-1", "from tab A", vec![], 1);
    assert!(b.merge(a.clone()));
    assert_eq!(shown(&b), ["outbox from tab A Sending"]);
    // Both sockets receive the stored message; A also gets the ack.
    a.apply(&ack("m-1", 1));
    a.apply(&frame(message(1, AuthorKind::Visitor, Some("m-1"), "from tab A")));
    b.apply(&frame(message(1, AuthorKind::Visitor, Some("m-1"), "from tab A")));
    // B's stale copy of A's state (saved before the ack) must not bring the
    // message back into A's outbox.
    let stale = {
        let mut s = started();
        s.send("m-1", "from tab A", vec![], 1);
        s
    };
    a.merge(stale);
    assert_eq!(shown(&a), ["1:Visitor:from tab A [Sent]"]);
    assert!(!a.merge(b.clone()) || shown(&a) == shown(&b));
    assert_eq!(shown(&a), shown(&b));
}

#[test]
fn a_new_conversation_in_another_tab_replaces_the_old_one() {
    let mut a = started();
    a.apply(&ServerFrame::Closed { conversation: "c1".to_owned(), by: AuthorKind::Visitor, at: 1 });
    let mut b = Live::default();
    b.start(&summary("c2"));
    assert!(a.merge(b));
    assert_eq!(a.conversation.as_deref(), Some("c2"));
    assert!(a.is_open());
    assert!(!a.merge(Live::default()), "an empty state from a fresh tab changes nothing");
}

#[test]
fn starting_the_same_conversation_again_keeps_its_messages() {
    let mut live = started();
    live.apply(&frame(message(1, AuthorKind::Agent, None, "hello")));
    let mut again = summary("c1");
    again.status = ConversationStatus::Active;
    again.agent = Some(mei());
    live.start(&again);
    assert_eq!(live.messages.len(), 1);
    assert_eq!(live.status, Some(ConversationStatus::Active));
    live.start(&summary("c9"));
    assert!(live.messages.is_empty());
}

#[test]
fn backoff_doubles_from_half_a_second_to_thirty_with_jitter() {
    let mid: Vec<u32> = (0..9).map(|a| reconnect_delay_ms(a, 0.5)).collect();
    assert_eq!(mid, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    assert_eq!(reconnect_delay_ms(0, 0.0), 375);
    assert_eq!(reconnect_delay_ms(0, 1.0), 625);
    assert_eq!(reconnect_delay_ms(10, 1.0), 30_000, "never over 30 s");
    assert_eq!(reconnect_delay_ms(u32::MAX, 0.0), 22_500);
    assert_eq!(reconnect_delay_ms(1, f64::NAN), 1_000, "a broken random source does not break the schedule");
}

#[test]
fn typing_is_throttled() {
    let mut t = TypingThrottle::default();
    assert_eq!(t.input(0), Some(true));
    assert_eq!(t.input(500), None);
    assert_eq!(t.tick(2_000), None);
    assert_eq!(t.input(2_900), None);
    assert_eq!(t.input(3_100), Some(true), "repeated while typing goes on");
    assert_eq!(t.tick(5_000), None);
    assert_eq!(t.tick(6_100), Some(false), "stopped after a pause");
    assert_eq!(t.tick(9_000), None);
    assert_eq!(t.input(10_000), Some(true));
    assert_eq!(t.stop(), Some(false));
    assert_eq!(t.stop(), None);
}

#[test]
fn attachments_are_checked_against_the_limits_with_a_sentence_naming_the_file() {
    let limits = Limits {
        max_message_chars: 4000,
        max_attachment_bytes: 10 * 1024 * 1024,
        attachment_types: vec!["image/png".into(), "image/jpeg".into(), "application/pdf".into(), "text/plain".into()],
    };
    assert_eq!(check_attachment(48_213, "image/png", &limits), Ok(()));
    assert_eq!(check_attachment(10, "IMAGE/PNG", &limits), Ok(()));
    let big = check_attachment(12 * 1024 * 1024 + 300_000, "image/png", &limits).unwrap_err();
    assert_eq!(
        big.message("scan.png", Locale::En),
        "“scan.png” is 12.3 MB, over the 10 MB limit, so it was not uploaded."
    );
    assert_eq!(big.message("scan.png", Locale::ZhCn), "“scan.png”大小为 12.3 MB，超过了 10 MB 的上限，未上传。");
    let exe = check_attachment(100, "application/x-msdownload", &limits).unwrap_err();
    assert_eq!(
        exe.message("setup.exe", Locale::En),
        "“setup.exe” is not a type we accept. You can send: PNG, JPEG, PDF, TXT."
    );
    assert_eq!(check_attachment(0, "text/plain", &limits), Err(AttachmentProblem::Empty));
    assert_eq!(check_body(&"字".repeat(4000), &limits, Locale::En), Ok(()));
    assert_eq!(
        check_body(&"a".repeat(4001), &limits, Locale::En),
        Err("A message can have at most 4000 characters; this one has 4001. Shorten it or split it.".to_owned())
    );
}

#[test]
fn sizes_read_naturally() {
    let cases = [
        (12, "12 bytes"),
        (2048, "2 KB"),
        (830_806, "811 KB"),
        (1_300, "1.3 KB"),
        (10_485_760, "10 MB"),
        (2_621_440, "2.5 MB"),
    ];
    for (bytes, text) in cases {
        assert_eq!(format_size(bytes), text, "{bytes}");
    }
}

#[test]
fn a_backends_system_message_reads_as_the_notice_it_means() {
    let note = |code: &str, agent: Option<&str>| SystemNote {
        code: code.to_owned(),
        agent: agent.map(str::to_owned),
        to: Some("Tom".to_owned()),
        queue: Some("identity".to_owned()),
    };
    let joined = NoticeKind::AgentJoined { name: "Mei".to_owned(), avatar: None };
    assert_eq!(NoticeKind::of(&note("agent_joined", Some("Mei"))), Some(joined));
    assert_eq!(NoticeKind::of(&note("transferred", Some("Mei"))), Some(NoticeKind::Transferred));
    assert_eq!(NoticeKind::of(&note("requeued", Some("Tom"))), Some(NoticeKind::Transferred));
    let by_visitor = NoticeKind::Closed { by: AuthorKind::Visitor };
    assert_eq!(NoticeKind::of(&note("closed_by_visitor", None)), Some(by_visitor));
    let by_agent = NoticeKind::Closed { by: AuthorKind::Agent };
    assert_eq!(NoticeKind::of(&note("closed_by_agent", Some("Mei"))), Some(by_agent));
    assert_eq!(NoticeKind::of(&note("away", None)), Some(NoticeKind::Away));
    // Unknown, or without what it needs: the English body is shown.
    assert_eq!(NoticeKind::of(&note("something_new", None)), None);
    assert_eq!(NoticeKind::of(&note("agent_joined", None)), None);
}
