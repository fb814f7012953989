//! Dialogue transcripts in both languages: each turn's action kinds.

use super::*;
use crate::index::build;
use crate::source::from_json;

const PACK: &str = r#"{
  "locale": "en",
  "categories": [{"id": "funds", "names": {"en": "Deposits", "zh-CN": "充提"}}, {"id": "account", "name": "Account"},
                 {"id": "fees", "name": "Fees"}],
  "articles": [
    {"id": "deposit-missing", "title": "My deposit has not arrived", "category": "funds",
     "questions": ["where is my deposit", "crypto sent but not credited"], "tags": ["deposit", "txid"],
     "body": "Check the TxID on a block explorer."},
    {"id": "deposit-missing", "locale": "zh-CN", "title": "充值未到账怎么办", "category": "funds",
     "questions": ["充币一直没到账", "转账了但是余额没变"], "body": "请提供交易哈希 TxID。"},
    {"id": "withdrawal-pending", "title": "My withdrawal is pending", "category": "funds",
     "questions": ["withdrawal stuck processing"], "tags": ["withdrawal"], "body": "Most withdrawals finish in 30 minutes."},
    {"id": "account-stolen", "title": "My account was stolen", "category": "account",
     "questions": ["someone else logged into my account"], "body": "Freeze your account."},
    {"id": "trading-fees", "title": "Trading fees", "category": "fees", "questions": ["how much is the trading fee"],
     "body": "Maker and taker fees."},
    {"id": "fee-discount", "title": "Pay trading fees with the platform token", "category": "fees",
     "questions": ["discount on trading fees"], "body": "Switch it on."},
    {"id": "withdrawal-fees", "title": "Withdrawal fees", "category": "fees", "questions": ["how much is the withdrawal fee"],
     "body": "Network fees."}
  ],
  "announcements": [{"id": "btc-maint", "title": {"en": "BTC withdrawals paused", "zh-CN": "BTC 提币暂停"},
                     "starts": "2026-12-02T02:00:00Z", "ends": "2026-12-02T04:00:00Z", "severity": "critical",
                     "categories": ["funds"], "tags": ["btc", "withdrawal"]}],
  "synonyms": [["充值", "充币", "deposit"]],
  "flows": [
    {"id": "deposit", "title": {"en": "Deposit not arrived", "zh-CN": "充值未到账"}, "category": "funds",
     "articles": ["deposit-missing"], "keywords": ["没到账"],
     "checks": [{"en": "Check the explorer.", "zh-CN": "查询区块浏览器。"}], "channel": "ticket",
     "fields": [{"id": "coin", "label": {"en": "Coin", "zh-CN": "币种"}, "ask": {"en": "Which coin?", "zh-CN": "哪个币种？"}, "format": "coin"},
                {"id": "shot", "label": {"en": "Screenshot"}, "ask": {"en": "A screenshot?"}, "format": "attachment", "required": false},
                {"id": "txid", "label": {"en": "TxID"}, "ask": {"en": "The TxID?", "zh-CN": "交易哈希？"}, "format": "tx_id"}]},
    {"id": "stolen", "title": {"en": "Account stolen", "zh-CN": "账户被盗"}, "urgent": true, "category": "account",
     "articles": ["account-stolen"], "keywords": ["hacked", "被盗", "not me"],
     "checks": [{"en": "Freeze your account now.", "zh-CN": "立即冻结账户。"}], "channel": "live_chat"}
  ]
}"#;

// Tuesday 2026-11-24 10:00 UTC.
const NOW: i64 = 1_795_514_400;

fn index() -> Index {
    Index::from_bytes(&build(&from_json("bot.json", PACK).expect("valid pack"))).expect("opens")
}

/// Runs `turns` (messages, or `/yes`, `/no`, `/person`, `/skip`, `/choose id`,
/// `/channel kind`) and returns each turn's action kinds.
fn run(locale: Locale, channels: &Channels, now: i64, turns: &[&str]) -> (Vec<String>, Conversation, Vec<Action>) {
    let index = index();
    let guard = Guard::new(&["example.com"]);
    let bot = Bot::new(&index, channels, &guard, locale, Now { unix_secs: now, utc_offset_minutes: 0 });
    let mut conversation = Conversation::default();
    let mut kinds = Vec::new();
    let mut last = Vec::new();
    for turn in turns {
        let input = match *turn {
            "/yes" => Input::Feedback { helpful: true },
            "/no" => Input::Feedback { helpful: false },
            "/person" => Input::TalkToPerson,
            "/skip" => Input::SkipField,
            t if t.starts_with("/choose ") => Input::Choose { article: t[8..].to_owned() },
            t if t.starts_with("/channel ") => Input::ChooseChannel(ChannelKind::parse(&t[9..]).unwrap()),
            t => Input::Message(t.to_owned()),
        };
        last = bot.step(&mut conversation, input);
        let names: Vec<String> =
            last.iter().map(|a| serde_json::to_value(a).unwrap()["kind"].as_str().unwrap().to_owned()).collect();
        kinds.push(names.join(","));
    }
    (kinds, conversation, last)
}

fn kinds(locale: Locale, turns: &[&str]) -> Vec<String> {
    run(locale, &Channels::default(), NOW, turns).0
}

#[test]
fn asking_for_a_person_escalates_at_once_in_any_spelling() {
    for phrase in [
        "转人工",
        "人工客服",
        "真人客服",
        "找人工",
        "客服",
        "客服在吗？",
        "转 人 工！！",
        "ＨＵＭＡＮ",
        "human",
        "agent please",
        "Talk to a person.",
        "I want to talk to a real person",
        "real person",
        "我要人工服务",
        "オペレーター",
        "オペレーターにつないでください",
        "担当者と話したい",
    ] {
        assert_eq!(kinds(Locale::ZhCn, &[phrase]), ["recommend_channel,escalate"], "{phrase:?}");
    }
    // Mentioning the words in a question is not a request.
    for question in ["what is an API agent", "人工智能交易机器人", "human error in my withdrawal address"] {
        assert!(!kinds(Locale::En, &[question])[0].contains("escalate"), "{question:?}");
    }
}

#[test]
fn the_button_escalates_with_the_transcript() {
    let (k, conversation, last) = run(Locale::En, &Channels::default(), NOW, &["where is my deposit", "/person"]);
    assert_eq!(k, ["answer", "recommend_channel,escalate"]);
    assert!(conversation.escalated);
    let Action::Escalate { reason, transcript, channel, .. } = &last[1] else { panic!("{last:?}") };
    assert_eq!(*reason, EscalationReason::Button);
    assert_eq!(*channel, Some(ChannelKind::LiveChat));
    assert_eq!(transcript[0].text, "where is my deposit");
}

#[test]
fn an_unhelpful_answer_starts_the_flow_which_collects_and_validates_fields() {
    let (k, conversation, last) = run(
        Locale::En,
        &Channels::default(),
        NOW,
        &["where is my deposit", "/no", "usdt", "/skip", "0x12", &"ab".repeat(32), "/channel ticket"],
    );
    assert_eq!(
        k,
        [
            "answer",
            "self_help,flow_field",
            "flow_field",
            "flow_field",
            "flow_field", // the bad TxID is asked again, with an error
            "recommend_channel",
            "escalate",
        ]
    );
    assert_eq!(conversation.fields.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["coin", "txid"]);
    let Action::Escalate { reason, topic, fields, .. } = &last[0] else { panic!() };
    assert_eq!(*reason, EscalationReason::FlowComplete);
    assert_eq!(topic.as_deref(), Some("deposit"));
    assert_eq!(fields[0].value, "USDT");
}

#[test]
fn a_field_error_is_explained_in_the_users_language() {
    let (_, _, last) =
        run(Locale::ZhCn, &Channels::default(), NOW, &["充币一直没到账", "/no", "USDT", "/skip", "0x12zz"]);
    let Action::FlowField { error: Some(error), step, of, .. } = &last[0] else { panic!("{last:?}") };
    assert_eq!((*step, *of), (3, 3));
    assert!(error.chars().any(crate::text::is_cjk), "{error}");
}

#[test]
fn a_question_during_the_form_is_answered_and_the_form_goes_on_where_it_was() {
    // Asked at the coin: answered from the pack, then the coin is asked again.
    let (k, conversation, last) = run(
        Locale::En,
        &Channels::default(),
        NOW,
        &["where is my deposit", "/no", "how much is the withdrawal fee?", "usdt"],
    );
    assert_eq!(k[2], "answer,flow_field", "{k:?}");
    assert!(matches!(&last[0], Action::FlowField { field, error: None, .. } if field == "shot"), "{last:?}");
    assert_eq!(conversation.fields[0].value, "USDT");
    // Chinese, and a question the pack cannot answer: said so, and the form waits.
    let (k, conversation, last) =
        run(Locale::ZhCn, &Channels::default(), NOW, &["充币一直没到账", "/no", "客服几点上班呢"]);
    assert_eq!(k[2], "flow_field", "{k:?}");
    let Action::FlowField { field, error: Some(error), .. } = &last[0] else { panic!("{last:?}") };
    assert!(field == "coin" && error.contains("问题") && error.contains("取消"), "{error}");
    assert!(matches!(conversation.state, State::InFlow { field: 0, .. }));
    // A hesitant value is not a question: the field's own problem is shown.
    let (_, _, last) = run(Locale::En, &Channels::default(), NOW, &["where is my deposit", "/no", "USDT?"]);
    let Action::FlowField { error: Some(error), .. } = &last[0] else { panic!("{last:?}") };
    assert!(!error.contains("question"), "{error}");
}

#[test]
fn questions_are_told_from_form_values() {
    for q in [
        "how long does a deposit take",
        "Why is it pending?",
        "can I cancel it now",
        "到账要多久",
        "能不能加急",
        "这个正常吗",
    ] {
        assert!(looks_like_question(q), "{q}");
    }
    for v in ["USDT", "TRC20", "250", "0x9f3c", "yesterday 10:00", "li@example.com", "what", "BTC?", "是"] {
        assert!(!looks_like_question(v), "{v}");
    }
}

#[test]
fn a_required_field_cannot_be_skipped() {
    let (_, _, last) = run(Locale::En, &Channels::default(), NOW, &["where is my deposit", "/no", "/skip"]);
    assert!(matches!(&last[0], Action::FlowField { field, error: Some(_), .. } if field == "coin"));
}

#[test]
fn urgent_problems_skip_self_help_and_offer_live_chat_first() {
    for (locale, message) in
        [(Locale::En, "my account got hacked"), (Locale::ZhCn, "我的账号被盗了"), (Locale::En, "that login was not me")]
    {
        let (k, _, last) = run(locale, &Channels::default(), NOW, &[message]);
        assert_eq!(k, ["self_help,recommend_channel"], "{message}");
        assert!(matches!(&last[0], Action::SelfHelp { urgent: true, .. }));
        let Action::RecommendChannel { recommendation, .. } = &last[1] else { panic!() };
        assert_eq!(recommendation.options[0].kind, ChannelKind::LiveChat);
    }
    // "not me" is a phrase, not letters inside other words.
    assert_ne!(kinds(Locale::En, &["I cannot meet the withdrawal limit"])[0], "self_help,recommend_channel");
}

#[test]
fn out_of_hours_a_ticket_replaces_live_chat() {
    let (config, _) = crate::config::Config::from_json(
        r#"{"channels": {"liveChat": {"hours": [{"days": "mon-fri", "from": "09:00", "to": "18:00"}]}}}"#,
    );
    let night = NOW + 12 * 3600;
    let (_, _, last) = run(Locale::En, &config.channels, night, &["my account got hacked"]);
    let Action::RecommendChannel { recommendation, .. } = &last[1] else { panic!() };
    assert!(recommendation.live_chat_closed);
    assert_eq!(recommendation.options[0].kind, ChannelKind::Ticket);
    let (_, _, last) = run(Locale::En, &config.channels, night, &["转人工"]);
    assert!(matches!(&last[1], Action::Escalate { channel: Some(ChannelKind::Ticket), .. }));
}

#[test]
fn two_unhelpful_answers_in_a_row_escalate() {
    let k = kinds(Locale::En, &["how much is the trading fee", "/no", "/choose fee-discount", "/no"]);
    assert_eq!(k[0], "answer");
    assert_eq!(k[1], "clarify");
    assert_eq!(k[2], "answer");
    assert_eq!(k[3], "recommend_channel,escalate");
}

#[test]
fn a_maintenance_notice_comes_before_the_answer() {
    let during = 1_796_176_800; // 2026-12-02T03:00Z
    let (k, _, _) = run(Locale::En, &Channels::default(), during, &["BTC withdrawal stuck processing"]);
    assert_eq!(k, ["notice,answer"]);
    let (k, _, _) = run(Locale::En, &Channels::default(), NOW, &["BTC withdrawal stuck processing"]);
    assert_eq!(k, ["answer"]);
}

#[test]
fn nonsense_gets_i_dont_know_and_people() {
    assert_eq!(kinds(Locale::En, &["banana smoothie recipe"]), ["dont_know,recommend_channel"]);
}

#[test]
fn off_topic_questions_get_i_dont_know_not_an_article() {
    // Each shares a word with an article ("much", "fee"), which
    // is not enough to answer with it.
    for question in ["tell me a joke about fees", "how much does a pizza cost", "what is the weather tomorrow"] {
        assert_eq!(kinds(Locale::En, &[question]), ["dont_know,recommend_channel"], "{question:?}");
    }
    assert_eq!(kinds(Locale::ZhCn, &["讲个笑话"]), ["dont_know,recommend_channel"]);
}

#[test]
fn small_talk_gets_a_reply_of_its_own_and_the_conversation_goes_on() {
    assert_eq!(
        kinds(Locale::En, &["hi!", "where is my deposit", "thanks", "bye"]),
        ["small_talk", "answer", "small_talk", "small_talk"]
    );
    let (_, conversation, last) = run(Locale::ZhCn, &Channels::default(), NOW, &["你好", "你是机器人吗？"]);
    assert_eq!(last, [Action::SmallTalk { small_talk: SmallTalk::AboutBot }]);
    assert_eq!(conversation.state, State::Idle);
    assert!(conversation.transcript.iter().any(|l| l.text == "(small talk: greeting)"));
}

#[test]
fn every_answer_says_why() {
    let (_, _, last) = run(Locale::En, &Channels::default(), NOW, &["where is my deposit"]);
    let Action::Answer { article, why, .. } = &last[0] else { panic!() };
    assert_eq!(article, "deposit-missing");
    assert_eq!(why.rule, "confident_answer");
    assert!(why.score.is_some() && why.confidence.is_some() && !why.matched.is_empty());
}

#[test]
fn secrets_are_stopped_and_kept_out_of_the_transcript() {
    let (k, _, last) = run(Locale::En, &Channels::default(), NOW, &["where is my deposit", "my 2FA code is 123456"]);
    assert_eq!(k[1], "blocked_secret");
    assert!(matches!(&last[0], Action::BlockedSecret { kinds, .. } if kinds == &["otp_code"]));
    let (_, conversation, _) =
        run(Locale::En, &Channels::default(), NOW, &["where is my deposit", "my 2FA code is 123456", "/person"]);
    assert!(conversation.transcript.iter().all(|l| !l.text.contains("123456")), "{:?}", conversation.transcript);
}

#[test]
fn the_same_inputs_give_the_same_conversation() {
    let turns = ["充币一直没到账", "/no", "USDT", "转人工"];
    let (a, ca, _) = run(Locale::ZhCn, &Channels::default(), NOW, &turns);
    let (b, cb, _) = run(Locale::ZhCn, &Channels::default(), NOW, &turns);
    assert_eq!((a, ca), (b, cb));
}
