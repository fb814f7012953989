//! Fuzz targets for everything Helpdock reads from someone else: each takes
//! any bytes and must neither panic nor hang, and where a parser has a
//! property (a frame read back after writing is the same frame; a redacted
//! text has no secret left), it is checked too.
//!
//! The targets run three ways: under AFL++ (`scripts/fuzz.sh [seconds]`,
//! coverage-guided, with the instrumented `helpdock-fuzz` binary), over the
//! checked-in corpora and the crashes found so far in the test command
//! (`tests/replay.rs`), and from any file by hand
//! (`cargo run -p helpdock-fuzz --example replay -- TARGET FILE`).

use helpdock_core::config::Config as WidgetConfig;
use helpdock_core::fields::{self, FieldFormat, Now};
use helpdock_core::guard::{self, Guard};
use helpdock_core::index::{manifest::Manifest, Index};
use helpdock_core::markdown;
use helpdock_core::protocol::{decode, ClientFrame, ServerFrame};
use helpdock_core::search::SearchOptions;
use helpdock_core::source::{self, SourceFile};
use helpdock_server::config::Config as ServerConfig;
use helpdock_server::inbox::{reply, smtp};

/// A fuzz target: reads `data` and panics only on a bug.
pub type Target = fn(&[u8]);

/// Every target, by the name its corpus folder and `HELPDOCK_FUZZ_TARGET`
/// use.
pub const TARGETS: &[(&str, Target)] = &[
    ("pack", pack),
    ("content", content),
    ("frames", frames),
    ("markdown", markdown_blocks),
    ("widget_config", widget_config),
    ("server_config", server_config),
    ("fields", field_values),
    ("guard", guard_scan),
    ("smtp", smtp_session),
    ("mail", mail_reply),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// `Index::from_bytes` and `Manifest::from_bytes` on a pack from anywhere
/// (the widget fetches it from the host's URL); a pack that opens is
/// searched in both scripts.
pub fn pack(data: &[u8]) {
    if let Ok(index) = Index::from_bytes(data) {
        for query in ["deposit not arrived", "充值没到账", "2fa"] {
            let answer = index.search(query, &SearchOptions::default());
            assert!(answer.hits.len() <= 5);
        }
    }
    let _ = Manifest::from_bytes(data);
}

/// A content file (its kind picked by the first byte: an article with
/// front matter, categories, announcements or synonyms) read by
/// `helpdock pack build`; content that reads is built into a pack, which
/// must open.
pub fn content(data: &[u8]) {
    const PATHS: [&str; 5] =
        ["articles/deposits/missing.en.md", "categories.yaml", "announcements.yaml", "synonyms.txt", "categories.json"];
    let Some((&kind, rest)) = data.split_first() else { return };
    let file = SourceFile { path: PATHS[usize::from(kind) % PATHS.len()].into(), text: text(rest).into_owned() };
    if let Ok(content) = source::from_files(&[file]) {
        let bytes = helpdock_core::index::build(&content);
        Index::from_bytes(&bytes).expect("a pack just built opens");
    }
}

/// Protocol frames both ways: the derived decoders for either side, the
/// widget's own decoder, and a frame read back after writing is the same.
pub fn frames(data: &[u8]) {
    let json = text(data);
    if let Ok(frame) = ClientFrame::from_json(&json) {
        assert_eq!(ClientFrame::from_json(&frame.to_json()).ok(), Some(frame), "a client frame survives a round trip");
    }
    if let Ok(frame) = ServerFrame::from_json(&json) {
        assert_eq!(ServerFrame::from_json(&frame.to_json()).ok(), Some(frame), "a server frame survives a round trip");
    }
    let _ = decode::server_frame(&json);
}

/// The Markdown of articles and announcements.
pub fn markdown_blocks(data: &[u8]) {
    let _ = markdown::parse(&text(data));
}

/// The host page's widget configuration (JSON): whatever it says, a
/// configuration comes out, with diagnostics.
pub fn widget_config(data: &[u8]) {
    let _ = WidgetConfig::from_json(&text(data));
}

/// The reference server's TOML configuration file.
pub fn server_config(data: &[u8]) {
    let _ = ServerConfig::from_toml(&text(data), "fuzz.toml");
}

/// A field's value as the user typed it, for the format the first byte
/// picks: validated whole and as typed so far.
pub fn field_values(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else { return };
    let format = FieldFormat::ALL[usize::from(kind) % FieldFormat::ALL.len()];
    let input = text(rest);
    let options = ["USDT".to_string(), "BTC".to_string(), "其他".to_string()];
    let now = Now { unix_secs: 1_764_000_000, utc_offset_minutes: 480 };
    let _ = fields::validate(format, &input, &options, now);
    let _ = fields::check_partial(format, &input);
}

/// The secrets guard: whatever it finds lies within the text, on character
/// boundaries, and a text with its secrets hidden has none left.
pub fn guard_scan(data: &[u8]) {
    let guard = Guard::new(&["example.com"]);
    let input = text(data);
    let findings = guard.scan(&input);
    for f in &findings {
        assert!(f.start < f.end && input.get(f.start..f.end).is_some(), "a finding outside the text: {f:?}");
    }
    let _ = guard::redact(&input, &findings);
    match guard.hide(&input) {
        Some(hidden) => assert!(!guard::blocks(&guard.scan(&hidden)), "a hidden text still blocks: {hidden:?}"),
        None => assert!(!guard::blocks(&findings)),
    }
}

/// One SMTP connection: the client's side is the input. A client that
/// leaves mid-message ends the session with an error, as on a socket.
pub fn smtp_session(data: &[u8]) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let Ok((replies, delivered)) = runtime.block_on(smtp::rehearse(data, 4096)) else { return };
    assert!(replies.starts_with("220 "), "the greeting comes first");
    assert!(delivered.iter().all(|m| m.len() <= 4096), "nothing larger than the limit is delivered");
}

/// A mail to a ticket's reply address, read as a reply.
pub fn mail_reply(data: &[u8]) {
    if let Some(mail) = reply::read(data) {
        assert_eq!(reply::strip_quoted(&mail.body), mail.body, "the quote is stripped once and for all");
    }
}
