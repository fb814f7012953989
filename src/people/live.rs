//! The Chat area's live chat: the conversation with people once the bot
//! hands over, kept across reloads, tabs and dropped connections.
//!
//! What the conversation *is* (messages, outbox, receipts, unread) is
//! `helpdock_core::live::Live`, held in one signal; this service wires it
//! to the world: the [`Transport`] (session, start, socket, uploads),
//! `localStorage` (the model and the visitor token, shared with other tabs
//! through `storage` events), the reconnect timer, the secrets guard, and
//! the launcher's unread badge and the page title.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use helpdock_core::bot::Action;
use helpdock_core::channel::ChannelKind;
use helpdock_core::guard::{Guard, Stopped};
use helpdock_core::live::{check_body, Live, TypingThrottle};
use helpdock_core::protocol::decode::from_json;
use helpdock_core::protocol::{
    AuthorKind, ClientFrame, ErrorCode, Rating, Resume, ServerFrame, StartConversation, TranscriptRequest,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::clock::now_ms;
use crate::dom;
use crate::handover::LIVE_OPEN_KEY;
use crate::people::backend::{Backend, Subscriber};
use crate::people::transport::TransportError;
use crate::people::uploads::{self, Staged, Uploads};
use crate::state::WidgetState;
use crate::storage;

const LIVE_KEY: &str = "live";

/// Where starting live chat stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// No live chat: no backend, or the bot has not handed over.
    Off,
    /// Opening the session and the conversation.
    Starting,
    /// The backend refused the host's identity (`identity_refused`).
    Refused,
    /// The conversation could not be started; the user can try again.
    Failed(TransportError),
    /// The conversation is on.
    On,
}

/// A message the guard stopped: why, for the same notice the bot shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocked {
    /// One sentence per kind of secret found.
    pub reasons: Vec<String>,
    /// The anti-phishing note.
    pub note: String,
}

/// A request the user made after the end (rating, transcript).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Request {
    /// Not made yet.
    #[default]
    Idle,
    /// In flight.
    Busy,
    /// Done.
    Done,
    /// Failed; the user can try again.
    Failed(TransportError),
}

/// The live-chat service, provided once by context.
#[derive(Debug, Clone, Copy)]
pub struct LiveChat {
    /// The conversation: messages, outbox, agent, queue, receipts.
    pub live: RwSignal<Live>,
    /// Starting, refused, on…
    pub phase: RwSignal<Phase>,
    /// Files attached to the next message.
    pub staged: RwSignal<Vec<Staged>>,
    /// The composer's text (an edited message comes back here).
    pub draft: RwSignal<String>,
    /// Why the last message was not sent, while the user edits it.
    pub blocked: RwSignal<Option<Blocked>>,
    /// A problem with the composer's content (too long, uploads pending).
    pub problem: RwSignal<Option<String>>,
    /// The rating request.
    pub rating: RwSignal<Request>,
    /// The transcript request.
    pub transcript: RwSignal<Request>,
    /// The connection, shared with tickets.
    pub backend: Backend,
    uploads: Uploads,
    state: WidgetState,
    inner: StoredValue<Rc<Inner>, LocalStorage>,
}

struct Inner {
    guard: Rc<Guard>,
    typing: Cell<TypingThrottle>,
    typing_check: Cell<Option<TimeoutHandle>>,
    /// Hides the agent's "typing" if no repeat comes in time.
    agent_typing_expiry: Cell<Option<TimeoutHandle>>,
    escalation: RefCell<Option<StartConversation>>,
}

impl LiveChat {
    /// The service; resumes the conversation this browser holds, if any.
    pub fn new(backend: Backend, uploads: Uploads, state: WidgetState, guard: Rc<Guard>) -> Self {
        let saved: Live = storage::get(LIVE_KEY).and_then(|s| from_json(&s).ok()).unwrap_or_default();
        let on = saved.conversation.is_some() && backend.available();
        let this = LiveChat {
            phase: RwSignal::new(if on { Phase::On } else { Phase::Off }),
            live: RwSignal::new(saved),
            staged: RwSignal::new(Vec::new()),
            draft: RwSignal::new(String::new()),
            blocked: RwSignal::new(None),
            problem: RwSignal::new(None),
            rating: RwSignal::new(Request::Idle),
            transcript: RwSignal::new(Request::Idle),
            backend,
            uploads,
            state,
            inner: StoredValue::new_local(Rc::new(Inner {
                guard,
                typing: Cell::new(TypingThrottle::default()),
                typing_check: Cell::new(None),
                agent_typing_expiry: Cell::new(None),
                escalation: RefCell::new(None),
            })),
        };
        if backend.available() {
            this.listen();
            backend.subscribe(Rc::new(this));
        }
        this
    }

    fn inner(&self) -> Option<Rc<Inner>> {
        self.inner.try_get_value()
    }

    /// The bot handed over. With a backend and live chat as the channel,
    /// starts (or returns to) the live conversation and returns true; the
    /// caller then shows the live view instead of the hand-over note.
    pub fn escalate(&self, action: &Action) -> bool {
        let Some(inner) = self.inner().filter(|_| self.backend.available()) else { return false };
        let Action::Escalate { reason, channel, topic, transcript, fields, .. } = action else { return false };
        if *channel != Some(ChannelKind::LiveChat) {
            return false;
        }
        if self.live.with_untracked(Live::is_open) {
            self.phase.set(Phase::On);
            return true;
        }
        let reason = serde_json::to_value(reason).ok().and_then(|v| v.as_str().map(str::to_owned));
        let request = StartConversation {
            client_id: new_id("c"),
            topic: topic.clone(),
            locale: Some(self.state.locale.get_untracked().tag().to_owned()),
            transcript: transcript.iter().map(Into::into).collect(),
            fields: fields.iter().map(Into::into).collect(),
            reason,
        };
        *inner.escalation.borrow_mut() = Some(request);
        self.start();
        true
    }

    /// Starts the conversation the bot handed over (again, after a
    /// failure: the same `clientId`, so the backend starts it once).
    pub fn start(&self) {
        let Some(inner) = self.inner() else { return };
        let Some(request) = inner.escalation.borrow().clone() else { return };
        self.phase.set(Phase::Starting);
        let this = *self;
        spawn_local(async move {
            match this.backend.call(move |t, token| t.start_conversation(&token, &request)).await {
                Ok(summary) => {
                    this.rating.set(Request::Idle);
                    this.transcript.set(Request::Idle);
                    this.live.update(|l| l.start(&summary));
                    this.save();
                    this.phase.set(Phase::On);
                    this.backend.refresh();
                }
                Err(err) if err.code() == Some(ErrorCode::IdentityRefused) => this.phase.set(Phase::Refused),
                Err(err) => this.phase.set(Phase::Failed(err)),
            }
        });
    }

    /// (Re)arms the timer that hides the agent's "typing" after
    /// [`TypingThrottle::SHOWN_MS`] without a repeat; `typing: false` disarms it.
    fn expire_agent_typing(&self, inner: &Inner, typing: bool) {
        if let Some(old) = inner.agent_typing_expiry.take() {
            old.clear();
        }
        if typing {
            let this = *self;
            let timer = set_timeout_with_handle(
                move || {
                    this.live.try_update(|l| l.agent_typing = false);
                },
                Duration::from_millis(TypingThrottle::SHOWN_MS as u64),
            );
            inner.agent_typing_expiry.set(timer.ok());
        }
    }

    /// Sends the composer's message (and the files uploaded for it).
    /// Returns false when it stays in the composer (a secret, too long,
    /// files still uploading).
    pub fn send(&self) -> bool {
        let Some(inner) = self.inner() else { return false };
        let locale = self.state.locale.get_untracked();
        let text = self.draft.get_untracked().trim().to_owned();
        if let Some(stopped) = Stopped::of(&inner.guard.scan(&text), locale) {
            self.blocked.set(Some(Blocked { reasons: stopped.reasons, note: stopped.note.to_owned() }));
            return false;
        }
        self.blocked.set(None);
        if let Some(limits) = self.backend.limits.get_untracked() {
            if let Err(message) = check_body(&text, &limits, locale) {
                self.problem.set(Some(message));
                return false;
            }
        }
        if self.staged.with_untracked(|s| uploads::uploading(s)) {
            self.problem.set(Some(crate::i18n::strings(locale).live_wait_uploads().to_owned()));
            return false;
        }
        let attachments = self.staged.with_untracked(|s| uploads::done(s));
        if text.is_empty() && attachments.is_empty() {
            return false;
        }
        self.problem.set(None);
        let frame = self.live.try_update(|l| l.send(&new_id("m"), &text, attachments, now_ms()));
        self.save();
        if let Some(frame) = frame {
            self.backend.send(&frame);
        }
        uploads::clear(self.staged);
        self.draft.set(String::new());
        self.stop_typing();
        true
    }

    /// Sends a refused message again.
    pub fn retry(&self, client_id: &str) {
        if let Some(frame) = self.live.try_update(|l| l.retry(client_id)).flatten() {
            self.save();
            self.backend.send(&frame);
        }
    }

    /// Takes a refused message back into the composer.
    pub fn edit(&self, client_id: &str) {
        let Some(pending) = self.live.try_update(|l| l.edit(client_id)).flatten() else { return };
        self.save();
        self.draft.set(pending.body);
        self.staged.update(|s| s.extend(pending.attachments.into_iter().map(Staged::uploaded)));
    }

    /// The user typed: tells the agent, sparingly.
    pub fn typing(&self) {
        let Some(inner) = self.inner() else { return };
        let mut throttle = inner.typing.get();
        let now = now_ms();
        let frame =
            if self.draft.with_untracked(|d| d.trim().is_empty()) { throttle.stop() } else { throttle.input(now) };
        inner.typing.set(throttle);
        self.send_typing(frame);
        let this = *self;
        let check = set_timeout_with_handle(
            move || {
                let Some(inner) = this.inner() else { return };
                let mut throttle = inner.typing.get();
                let frame = throttle.tick(now_ms());
                inner.typing.set(throttle);
                this.send_typing(frame);
            },
            Duration::from_millis(TypingThrottle::EVERY_MS as u64 + 50),
        );
        if let Some(old) = inner.typing_check.replace(check.ok()) {
            old.clear();
        }
    }

    fn stop_typing(&self) {
        let Some(inner) = self.inner() else { return };
        let mut throttle = inner.typing.get();
        let frame = throttle.stop();
        inner.typing.set(throttle);
        self.send_typing(frame);
    }

    fn send_typing(&self, typing: Option<bool>) {
        let (Some(typing), Some(conversation)) = (typing, self.live.with_untracked(|l| l.conversation.clone())) else {
            return;
        };
        self.backend.send(&ClientFrame::Typing { conversation, typing });
    }

    /// Whether the user can see the conversation now: panel open on the
    /// Chat tab, page visible.
    pub fn visible(&self) -> bool {
        let page_visible = web_sys::window()
            .and_then(|w| w.document())
            .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
        self.state.open.get_untracked() && self.state.tab.get_untracked() == crate::state::Tab::Chat && page_visible
    }

    /// The conversation is on screen: clears the unread count and tells
    /// the agent what has been read.
    pub fn mark_seen(&self) {
        let greeted = self.backend.greeted();
        let mut frame = None;
        let mut changed = false;
        // Only a real change notifies: the view's effect that calls this
        // also reads the conversation.
        self.live.maybe_update(|l| {
            let before = (l.seen, l.read_sent);
            if greeted {
                frame = l.mark_seen();
            } else {
                // Seen, but the receipt waits for the connection.
                l.seen = l.seen.max(l.last_seq());
            }
            changed = (l.seen, l.read_sent) != before;
            changed
        });
        if let Some(frame) = frame {
            self.backend.send(&frame);
        }
        if changed {
            self.save();
        }
    }

    /// Ends the conversation from the visitor's side.
    pub fn end(&self) {
        if let Some(conversation) = self.live.with_untracked(|l| l.conversation.clone()) {
            self.backend.send(&ClientFrame::Close { conversation });
        }
    }

    /// Leaves a closed conversation and goes back to the assistant.
    pub fn leave(&self) {
        self.live.set(Live::default());
        self.save();
        self.phase.set(Phase::Off);
        // Closes the socket; tickets may open it again.
        self.backend.release();
        self.rating.set(Request::Idle);
        self.transcript.set(Request::Idle);
    }

    /// Rates the closed conversation.
    pub fn rate(&self, score: u8, comment: String) {
        let Some(conversation) = self.live.with_untracked(|l| l.conversation.clone()) else { return };
        self.rating.set(Request::Busy);
        let this = *self;
        let comment = Some(comment.trim().to_owned()).filter(|c| !c.is_empty());
        spawn_local(async move {
            let rating = Rating { score, comment };
            match this.backend.call(move |t, token| t.rate(&token, &conversation, &rating)).await {
                Ok(_) => {
                    this.live.update(|l| l.rated = true);
                    this.save();
                    this.rating.set(Request::Done);
                }
                Err(err) => this.rating.set(Request::Failed(err)),
            }
        });
    }

    /// E-mails the transcript to `email`.
    pub fn email_transcript(&self, email: String) {
        let Some(conversation) = self.live.with_untracked(|l| l.conversation.clone()) else { return };
        self.transcript.set(Request::Busy);
        let this = *self;
        spawn_local(async move {
            let request = TranscriptRequest { email };
            let result = this.backend.call(move |t, token| t.email_transcript(&token, &conversation, &request)).await;
            this.transcript.set(match result {
                Ok(()) => Request::Done,
                Err(err) => Request::Failed(err),
            });
        });
    }

    /// The identity's e-mail, to prefill the transcript form.
    pub fn identity_email(&self) -> Option<String> {
        self.state.identity.get_untracked()?.email
    }

    /// Attaches files (picker, drop or paste) to the next message.
    pub fn attach(&self, files: Vec<web_sys::File>) {
        self.uploads.attach(self.staged, files);
    }

    fn save(&self) {
        if let Some(json) = self.live.with_untracked(|l| serde_json::to_string(l).ok()) {
            storage::set(LIVE_KEY, &json);
        }
        // The shell reads this after a reload to know, before this module
        // is here, that there is a conversation to show.
        if self.live.with_untracked(|l| l.conversation.is_some()) {
            storage::set(LIVE_OPEN_KEY, "1");
        } else {
            storage::remove(LIVE_OPEN_KEY);
        }
    }

    /// Another tab, and the page coming back into view.
    fn listen(&self) {
        let this = *self;
        dom::on_window(
            "storage",
            Box::new(move |ev| {
                let Some(ev) = wasm_bindgen::JsCast::dyn_ref::<web_sys::StorageEvent>(&ev) else { return };
                if !storage::is_key(ev.key(), LIVE_KEY) {
                    return;
                }
                let other: Live = ev.new_value().and_then(|s| from_json(&s).ok()).unwrap_or_default();
                if this.live.try_update(|l| l.merge(other)).unwrap_or(false) {
                    if this.live.with_untracked(|l| l.conversation.is_some()) && this.phase.get_untracked() != Phase::On
                    {
                        this.phase.set(Phase::On);
                    }
                    this.backend.refresh();
                }
            }),
        );
        dom::on_window(
            "focus",
            Box::new(move |_| {
                if this.visible() {
                    this.mark_seen();
                }
            }),
        );
    }
}

impl Subscriber for LiveChat {
    fn wants_socket(&self) -> bool {
        self.live.try_with_untracked(|l| l.conversation.is_some()).unwrap_or(false)
    }

    fn resume(&self) -> Vec<Resume> {
        self.live.try_with_untracked(Live::resume).unwrap_or_default()
    }

    fn greeted(&self) {
        for frame in self.live.try_with_untracked(Live::flush).unwrap_or_default() {
            self.backend.send(&frame);
        }
        if self.visible() {
            self.mark_seen();
        }
    }

    fn frame(&self, frame: &ServerFrame) {
        let Some(inner) = self.inner() else { return };
        if let ServerFrame::Typing { author: AuthorKind::Agent, typing, .. } = frame {
            self.expire_agent_typing(&inner, *typing);
        }
        let mut changed = false;
        self.live.maybe_update(|l| {
            changed = l.apply(frame);
            changed
        });
        if changed {
            self.save();
            if self.visible() {
                self.mark_seen();
            }
        }
    }

    fn identity_refused(&self) {
        self.phase.set(Phase::Refused);
    }
}

/// A fresh id for a conversation or message: time and randomness, unique
/// enough per visitor (the backend only compares ids of one sender).
pub(crate) fn new_id(kind: &str) -> String {
    let random = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
    let more = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
    format!("{kind}-{:x}-{random:x}{more:x}", now_ms())
}
