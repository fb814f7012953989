//! The widget's state and the few actions on it.
//!
//! Components only read these signals and call these methods; the JS handle
//! and the Leptos component call the same methods, so "open" means one thing
//! whichever way it is asked for.

use std::rc::Rc;

use helpdock_core::config::{Config, Identity};
use helpdock_core::locale::Locale;
use leptos::html;
use leptos::prelude::*;

use crate::handover::LIVE_OPEN_KEY;
use crate::storage;

/// `sessionStorage`: the panel is open on Chat (see [`WidgetState::new`]).
pub(crate) const ON_CHAT_KEY: &str = "on-chat";

/// The three areas of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The help centre: search and categories.
    Help,
    /// The bot first, then people.
    Chat,
    /// The visitor's tickets.
    Tickets,
}

impl Tab {
    /// The tabs in the order they are shown.
    pub const ALL: [Tab; 3] = [Tab::Help, Tab::Chat, Tab::Tickets];

    /// A stable name, used in element ids.
    pub fn id(self) -> &'static str {
        match self {
            Tab::Help => "help",
            Tab::Chat => "chat",
            Tab::Tickets => "tickets",
        }
    }

    /// The tab `step` places away, wrapping around (for arrow keys).
    pub fn cycle(self, step: isize) -> Tab {
        let i = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0) as isize;
        let n = Tab::ALL.len() as isize;
        Tab::ALL[((i + step) % n + n) as usize % Tab::ALL.len()]
    }
}

/// What the widget tells the host page (`hd.on(name, callback)`).
#[derive(Debug, Clone, PartialEq)]
pub enum WidgetEvent {
    /// The panel opened.
    Open,
    /// The panel closed.
    Close,
    /// The number of unread messages changed.
    UnreadCount(u32),
    /// The user answered "Was this helpful?" under an article.
    ArticleFeedback {
        /// The article's id.
        article: String,
        /// The locale it was read in.
        locale: Locale,
        /// Yes or no.
        helpful: bool,
    },
    /// The bot handed the conversation to people: the `escalate` action as
    /// JSON (reason, channel, topic, transcript, collected fields).
    Escalated(String),
}

/// Where the widget's events go: the JS handle's listeners, or a Leptos
/// host's callback.
pub type EventSink = Rc<dyn Fn(WidgetEvent)>;

impl WidgetEvent {
    /// The event's name in the JS API.
    pub fn name(&self) -> &'static str {
        match self {
            WidgetEvent::Open => "open",
            WidgetEvent::Close => "close",
            WidgetEvent::UnreadCount(_) => "unread-count",
            WidgetEvent::ArticleFeedback { .. } => "article-feedback",
            WidgetEvent::Escalated(_) => "escalated",
        }
    }
}

/// The widget's source signals, provided once by context.
#[derive(Debug, Clone, Copy)]
pub struct WidgetState {
    /// Whether the panel is open.
    pub open: RwSignal<bool>,
    /// The area shown in the panel.
    pub tab: RwSignal<Tab>,
    /// The interface language.
    pub locale: RwSignal<Locale>,
    /// The signed-in host user, if the host said who it is.
    pub identity: RwSignal<Option<Identity>>,
    /// The launcher button, to give focus back to.
    pub launcher: NodeRef<html::Button>,
    /// The panel, to know whether focus is inside it.
    pub panel: NodeRef<html::Section>,
    events: StoredValue<EventSink, LocalStorage>,
}

impl WidgetState {
    /// Source signals for `config`; `browser_locale` is used when the config
    /// names no locale (or one Helpdock does not speak).
    pub fn new(config: &Config, browser_locale: Locale, events: EventSink) -> Self {
        // A reload in this tab while the panel was open on a live
        // conversation comes back to it (without taking focus from the page).
        let back_to_chat = storage::in_session(ON_CHAT_KEY) && storage::get(LIVE_OPEN_KEY).is_some();
        WidgetState {
            open: RwSignal::new(config.open || back_to_chat),
            tab: RwSignal::new(if back_to_chat { Tab::Chat } else { Tab::Help }),
            locale: RwSignal::new(config.locale.unwrap_or(browser_locale)),
            identity: RwSignal::new(config.user.clone()),
            launcher: NodeRef::new(),
            panel: NodeRef::new(),
            events: StoredValue::new_local(events),
        }
    }

    /// Tells the host.
    pub fn emit(&self, event: WidgetEvent) {
        self.events.with_value(|emit| emit(event));
    }

    /// Opens the panel and moves focus into it once it is shown.
    pub fn open(&self) {
        if self.open.get_untracked() {
            return;
        }
        self.open.set(true);
        let panel = self.panel;
        request_animation_frame(move || {
            if let Some(panel) = panel.get_untracked() {
                crate::dom::focus_first_in(&panel);
            }
        });
    }

    /// Closes the panel. If focus was inside it, focus goes back to the
    /// launcher, so keyboard users are not dropped at the top of the page.
    pub fn close(&self) {
        if !self.open.get_untracked() {
            return;
        }
        let focus_was_inside = self.panel.get_untracked().is_some_and(|p| p.matches(":focus-within").unwrap_or(false));
        self.open.set(false);
        if focus_was_inside {
            // After the next render: on phones the launcher is hidden while
            // the panel is open, and a hidden button cannot take focus.
            let launcher = self.launcher;
            request_animation_frame(move || {
                if let Some(launcher) = launcher.get_untracked() {
                    _ = launcher.focus();
                }
            });
        }
    }

    /// Opens a closed panel, closes an open one.
    pub fn toggle(&self) {
        if self.open.get_untracked() {
            self.close();
        } else {
            self.open();
        }
    }
}
