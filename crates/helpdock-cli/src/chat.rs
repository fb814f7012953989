//! `helpdock chat`: the bot, scripted. One user turn per line on stdin, one
//! JSON line of the bot's actions per turn on stdout:
//! `{"turn": "...", "actions": [{"kind": "answer", ...}]}`.
//!
//! A line is a message, or one of the buttons the widget shows:
//! `/yes` and `/no` (did this solve it?), `/choose <article>`, `/person`
//! (Talk to a person), `/skip`, `/cancel`, `/channel <live_chat|ticket|…>`.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use helpdock_core::bot::{Bot, Conversation, Input};
use helpdock_core::channel::ChannelKind;
use helpdock_core::config::Config;
use helpdock_core::fields::Now;
use helpdock_core::guard::Guard;
use helpdock_core::locale::Locale;
use helpdock_core::pack::parse_timestamp;
use serde_json::json;

/// Where the conversation happens: the pack, the host's configuration, the
/// locale and the clock.
pub struct Setup<'p> {
    pub pack: &'p Path,
    pub config: Option<&'p Path>,
    pub locale: Option<&'p str>,
    pub now: Option<&'p str>,
    pub utc_offset: &'p str,
}

pub fn run(setup: Setup) -> Result<()> {
    let config = match setup.config {
        None => Config::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let (config, diagnostics) = Config::from_json(&text);
            for d in &diagnostics {
                eprintln!("{}: {d}", path.display());
            }
            config
        }
    };
    let locale = match setup.locale {
        None => Locale::En,
        Some(tag) => Locale::from_tag(tag).with_context(|| format!("--locale {tag:?}: expected en or zh-CN"))?,
    };
    // The locale's part of a manifest (or the whole pack).
    let part =
        crate::packs::open(setup.pack, Some(locale))?.into_iter().next().context("the manifest lists no parts")?;
    let index = part.index;
    let utc_offset_minutes = parse_offset(setup.utc_offset)
        .with_context(|| format!("--utc-offset {:?}: expected e.g. +08:00", setup.utc_offset))?;
    let unix_secs = match setup.now {
        None => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64),
        Some(t) => parse_timestamp(t).with_context(|| format!("--now {t:?}: expected e.g. 2026-11-24T10:00:00Z"))?,
    };
    let guard = Guard::new(&config.channels.official_domains);
    let bot = Bot::new(&index, &config.channels, &guard, locale, Now { unix_secs, utc_offset_minutes });
    let mut conversation = Conversation::default();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in io::stdin().lock().lines() {
        let line = line.context("reading stdin")?;
        let turn = line.trim();
        if turn.is_empty() {
            continue;
        }
        let actions = bot.step(&mut conversation, input(turn)?);
        writeln!(out, "{}", json!({"turn": turn, "actions": actions}))?;
    }
    out.flush()?;
    Ok(())
}

fn input(turn: &str) -> Result<Input> {
    let Some(command) = turn.strip_prefix('/') else { return Ok(Input::Message(turn.to_owned())) };
    let (name, arg) = command.split_once(' ').map_or((command, ""), |(n, a)| (n, a.trim()));
    Ok(match name {
        "yes" => Input::Feedback { helpful: true },
        "no" => Input::Feedback { helpful: false },
        "person" => Input::TalkToPerson,
        "skip" => Input::SkipField,
        "cancel" => Input::CancelFlow,
        "choose" if !arg.is_empty() => Input::Choose { article: arg.to_owned() },
        "channel" => match ChannelKind::parse(arg) {
            Some(kind) => Input::ChooseChannel(kind),
            None => bail!("/channel {arg:?}: expected live_chat, ticket, email, phone, community or help_centre"),
        },
        _ => bail!("unknown command {turn:?}; expected /yes, /no, /choose <article>, /person, /skip, /cancel or /channel <kind>"),
    })
}

fn parse_offset(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => (1, s),
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}
