//! The Chat area's service: the bot conversation, kept across reloads.
//!
//! The bot itself lives in `helpdock_core::bot`; this wraps it for the page:
//! the pack and channels it answers from, the browser's clock and
//! normalisation, the log the view shows, and `localStorage`.

use std::rc::Rc;

use helpdock_core::bot::{Action, Bot, Conversation, Input};
use helpdock_core::channel::{ChannelKind, Channels, Hours};
use helpdock_core::fields::Now;
use helpdock_core::guard::Guard;
use helpdock_core::index::Index;
use helpdock_core::locale::Locale;
use helpdock_core::protocol::Availability;
use leptos::prelude::*;
use serde::Serialize;

use crate::content::Content;
use crate::handover::People;
use crate::i18n::strings;
use crate::state::{WidgetEvent, WidgetState};
use crate::storage;

const STORAGE_KEY: &str = "chat";

/// One entry of the chat log.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// What the user sent (never a blocked message).
    User {
        /// The text.
        text: String,
    },
    /// One bot action.
    Bot {
        /// The action.
        action: Action,
    },
}

/// What is kept in `localStorage`: the user's inputs and when they were
/// made. The bot is deterministic, so replaying them rebuilds the log and
/// the conversation exactly (and keeps serde's deserialisers for the bot's
/// actions out of the wasm). Written by serde (`{"M":[at,"text"]}`,
/// `{"Yes":at}`), read back by [`Saved::read`]: no serde visitor in the
/// shell means none of its error formatting (float printing included).
#[derive(Debug, Clone, Serialize)]
enum Saved {
    M(i64, String),
    Yes(i64),
    No(i64),
    Choose(i64, String),
    Person(i64),
    Skip(i64),
    Cancel(i64),
    Channel(i64, String),
}

impl Saved {
    /// The saved log, as [`ChatState::save`] wrote it; entries that do not
    /// read are skipped.
    fn read(json: &str) -> Vec<Saved> {
        let Ok(serde_json::Value::Array(entries)) = serde_json::from_str(json) else { return Vec::new() };
        entries.iter().filter_map(Saved::from_value).collect()
    }

    fn from_value(value: &serde_json::Value) -> Option<Saved> {
        let (tag, body) = value.as_object()?.iter().next()?;
        let pair = || {
            let pair = body.as_array()?;
            Some((pair.first()?.as_i64()?, pair.get(1)?.as_str()?.to_owned()))
        };
        let at = || body.as_i64();
        Some(match tag.as_str() {
            "M" => pair().map(|(at, text)| Saved::M(at, text))?,
            "Choose" => pair().map(|(at, id)| Saved::Choose(at, id))?,
            "Channel" => pair().map(|(at, kind)| Saved::Channel(at, kind))?,
            "Yes" => Saved::Yes(at()?),
            "No" => Saved::No(at()?),
            "Person" => Saved::Person(at()?),
            "Skip" => Saved::Skip(at()?),
            "Cancel" => Saved::Cancel(at()?),
            _ => return None,
        })
    }

    fn new(at: i64, input: &Input) -> Saved {
        match input {
            Input::Message(t) => Saved::M(at, t.clone()),
            Input::Feedback { helpful: true } => Saved::Yes(at),
            Input::Feedback { helpful: false } => Saved::No(at),
            Input::Choose { article } => Saved::Choose(at, article.clone()),
            Input::TalkToPerson => Saved::Person(at),
            Input::SkipField => Saved::Skip(at),
            Input::CancelFlow => Saved::Cancel(at),
            Input::ChooseChannel(kind) => Saved::Channel(at, kind.as_str().to_owned()),
        }
    }

    fn input(&self) -> Option<(i64, Input)> {
        Some(match self {
            Saved::M(at, t) => (*at, Input::Message(t.clone())),
            Saved::Yes(at) => (*at, Input::Feedback { helpful: true }),
            Saved::No(at) => (*at, Input::Feedback { helpful: false }),
            Saved::Choose(at, a) => (*at, Input::Choose { article: a.clone() }),
            Saved::Person(at) => (*at, Input::TalkToPerson),
            Saved::Skip(at) => (*at, Input::SkipField),
            Saved::Cancel(at) => (*at, Input::CancelFlow),
            Saved::Channel(at, k) => (*at, Input::ChooseChannel(ChannelKind::parse(k)?)),
        })
    }
}

/// The secrets guard: links are trusted on the host's official domains (or,
/// without any, the page's own).
pub(crate) fn guard_for(channels: &Channels) -> Guard {
    let mut domains = channels.official_domains.clone();
    if domains.is_empty() {
        if let Some(host) = web_sys::window().and_then(|w| w.location().hostname().ok()) {
            domains.push(host);
        }
    }
    Guard::new(&domains)
}

/// The conversation service, provided once by context.
#[derive(Debug, Clone, Copy)]
pub struct ChatState {
    /// The log, oldest first.
    pub items: RwSignal<Vec<Item>>,
    /// Why the last message was stopped, while the user edits it.
    pub blocked: RwSignal<Option<Action>>,
    /// What the bot remembers (state, transcript, collected fields).
    pub conversation: RwSignal<Conversation, LocalStorage>,
    saved: StoredValue<Vec<Saved>>,
    replayed: StoredValue<bool>,
    channels: StoredValue<Channels>,
    guard: StoredValue<Rc<Guard>, LocalStorage>,
    people: People,
    state: WidgetState,
    content: Content,
}

impl ChatState {
    /// The conversation saved in this browser (replayed once the pack is
    /// loaded), or a new one.
    pub fn new(channels: Channels, people: People, state: WidgetState, content: Content, guard: Rc<Guard>) -> Self {
        let saved = storage::get(STORAGE_KEY).map(|s| Saved::read(&s)).unwrap_or_default();
        ChatState {
            items: RwSignal::new(Vec::new()),
            blocked: RwSignal::new(None),
            conversation: RwSignal::new_local(Conversation::default()),
            saved: StoredValue::new(saved),
            replayed: StoredValue::new(false),
            guard: StoredValue::new_local(guard),
            channels: StoredValue::new(channels),
            people,
            state,
            content,
        }
    }

    /// Rebuilds the saved conversation, once, when the pack is ready.
    pub fn replay(&self, index: &Index, locale: Locale) {
        if self.replayed.get_value() {
            return;
        }
        self.replayed.set_value(true);
        let saved = self.saved.get_value();
        let mut conversation = Conversation::default();
        let mut items = Vec::new();
        for (at, input) in saved.iter().filter_map(Saved::input) {
            let text = match &input {
                Input::Message(t) => Some(t.clone()),
                _ => None,
            };
            let actions = self.run(index, locale, Now { unix_secs: at, ..now() }, &mut conversation, input);
            record(&mut items, text, actions);
        }
        self.conversation.set(conversation);
        self.items.set(items);
    }

    fn run(
        &self,
        index: &Index,
        locale: Locale,
        now: Now,
        conversation: &mut Conversation,
        input: Input,
    ) -> Vec<Action> {
        // When the backend says nobody is at work, live chat is closed
        // whatever the host's hours say: the bot offers a ticket instead.
        let closed = self.people.availability().is_some_and(|a| !a.live_chat);
        self.channels.with_value(|channels| {
            let mut adjusted = None;
            if closed && channels.live_chat.is_some() {
                let mut c = channels.clone();
                c.live_chat = Some(Hours::Weekly { utc_offset_minutes: 0, windows: Vec::new() });
                adjusted = Some(c);
            }
            let channels = adjusted.as_ref().unwrap_or(channels);
            self.guard.with_value(|guard| {
                Bot::new(index, channels, guard, locale, now).with_prepare(browser_normalize).step(conversation, input)
            })
        })
    }

    /// Runs the bot on `input`. Returns false when the input should keep the
    /// text for editing: a message the guard stopped (kept nowhere else), or
    /// a form answer the bot refused (shown in the log with the problem).
    pub fn send(&self, input: Input) -> bool {
        let Some(index) = self.content.index() else { return false };
        let locale = self.state.locale.get_untracked();
        self.replay(&index, locale);
        let text = match &input {
            Input::Message(t) => Some(t.clone()),
            _ => None,
        };
        let chose_ticket = input == Input::ChooseChannel(ChannelKind::Ticket);
        let at = now();
        let saved = Saved::new(at.unix_secs, &input);
        let mut actions = Vec::new();
        self.conversation.update(|c| actions = self.run(&index, locale, at, c, input));
        if let Some(blocked @ Action::BlockedSecret { .. }) = actions.first() {
            // Not kept anywhere: not in the log, the transcript or storage.
            self.blocked.set(Some(blocked.clone()));
            return false;
        }
        self.blocked.set(None);
        // Leaning towards people (a guided form that ends with a channel,
        // channels offered, no answer): fetch their module now, so a
        // hand-over does not wait for it.
        if actions
            .iter()
            .any(|a| matches!(a, Action::FlowField { .. } | Action::RecommendChannel { .. } | Action::DontKnow { .. }))
        {
            self.people.prefetch();
        }
        for action in &actions {
            if let Action::Escalate { .. } = action {
                self.state.emit(WidgetEvent::Escalated(serde_json::to_string(action).unwrap_or_default()));
                // With a backend, people take over right here (live chat),
                // or the ticket form opens, prefilled from this conversation.
                self.people.escalate(action.clone());
                if chose_ticket {
                    self.people.prefill_ticket(self.conversation.get_untracked());
                }
            }
        }
        let refused = matches!(actions.last(), Some(Action::FlowField { error: Some(_), .. })) && text.is_some();
        self.items.update(|items| record(items, text, actions));
        self.saved.update_value(|s| s.push(saved));
        self.save();
        !refused
    }

    /// Starts over: forgets the conversation here and in storage.
    pub fn restart(&self) {
        self.items.set(Vec::new());
        self.blocked.set(None);
        self.conversation.set(Conversation::default());
        self.saved.set_value(Vec::new());
        self.save();
    }

    fn save(&self) {
        if let Ok(json) = self.saved.with_value(serde_json::to_string) {
            storage::set(STORAGE_KEY, &json);
        }
    }
}

fn record(items: &mut Vec<Item>, text: Option<String>, actions: Vec<Action>) {
    if actions.first().is_some_and(|a| matches!(a, Action::BlockedSecret { .. })) {
        return;
    }
    if let Some(text) = text {
        items.push(Item::User { text });
    }
    items.extend(actions.into_iter().map(|action| Item::Bot { action }));
}

pub(crate) fn now() -> Now {
    let date = js_sys::Date::new_0();
    Now { unix_secs: (date.get_time() / 1000.0) as i64, utc_offset_minutes: -(date.get_timezone_offset() as i32) }
}

fn browser_normalize(text: &str) -> String {
    String::from(js_sys::JsString::from(text).normalize("NFKC").to_lower_case())
}

/// The locale's label for a channel.
pub fn channel_label(kind: ChannelKind, locale: Locale) -> &'static str {
    let t = strings(locale);
    match kind {
        ChannelKind::LiveChat => t.channel_live_chat(),
        ChannelKind::Ticket => t.channel_ticket(),
        ChannelKind::Email => t.channel_email(),
        ChannelKind::Phone => t.channel_phone(),
        ChannelKind::Community => t.channel_community(),
        ChannelKind::HelpCentre => t.channel_help_centre(),
    }
}

/// "Live chat opens 25/11/2026, 09:00:00." while it is closed and the
/// opening is known (from the backend, or the host's hours).
pub fn chat_opens(availability: Option<Availability>, channels: &Channels, locale: Locale) -> Option<String> {
    let at_ms = match availability {
        Some(a) if !a.live_chat => a.opens_at?,
        Some(_) => return None,
        None => channels.live_chat.as_ref()?.next_open(crate::content::now())? * 1000,
    };
    let when = crate::clock::long(at_ms, locale);
    Some(strings(locale).tk_chat_opens().replace("{when}", &when))
}
