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

use futures_channel::oneshot;
use helpdock_core::bot::Action;
use helpdock_core::channel::{ChannelKind, Channels};
use helpdock_core::config::Config;
use helpdock_core::guard::{self, Guard};
use helpdock_core::live::{check_attachment, check_body, reconnect_delay_ms, Live, TypingThrottle};
use helpdock_core::locale::Locale;
use helpdock_core::protocol::decode::from_json;
use helpdock_core::protocol::{
    Attachment, AuthorKind, Availability, ClientFrame, ErrorCode, Identify, Limits, Rating, ServerFrame,
    SessionRequest, StartConversation, TranscriptRequest,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;

use crate::handover::LIVE_OPEN_KEY;
use crate::people::transport::web::WebTransport;
use crate::people::transport::{Connection, ConnectionEvent, Transport, TransportError, Upload};
use crate::state::WidgetState;
use crate::storage;

const LIVE_KEY: &str = "live";
const PING_EVERY: Duration = Duration::from_secs(25);

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

/// The live connection, as the banner shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Connecting (first time, or again after a drop).
    Connecting,
    /// Connected and greeted.
    Open,
    /// Dropped; the next attempt is scheduled.
    Retrying,
    /// The browser says it is offline; reconnects when it is back.
    Offline,
}

/// A file picked for the next message.
#[derive(Debug, Clone, PartialEq)]
pub struct Staged {
    /// A local id.
    pub id: u32,
    /// The file's name.
    pub name: String,
    /// A `blob:` URL for images, to preview before sending.
    pub preview: Option<String>,
    /// How far the upload is (0..=1).
    pub progress: f64,
    /// Uploading, uploaded, or refused.
    pub state: StagedState,
}

/// Where a [`Staged`] file stands.
#[derive(Debug, Clone, PartialEq)]
pub enum StagedState {
    /// On its way.
    Uploading,
    /// Uploaded; goes with the next message.
    Done(Attachment),
    /// Refused or failed: why, in a sentence.
    Failed(String),
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

/// The visitor token kept in `localStorage`, with the host user it was
/// issued for (a different signed-in user starts a new session).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedVisitor {
    token: String,
    user: Option<String>,
}

/// The live-chat service, provided once by context.
#[derive(Debug, Clone, Copy)]
pub struct LiveChat {
    /// The conversation: messages, outbox, agent, queue, receipts.
    pub live: RwSignal<Live>,
    /// Starting, refused, on…
    pub phase: RwSignal<Phase>,
    /// The connection's state.
    pub link: RwSignal<Link>,
    /// What the backend accepts (from the session).
    pub limits: RwSignal<Option<Limits>>,
    /// Whether people are at work now (from the session, when it says).
    pub availability: RwSignal<Option<Availability>>,
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
    inner: StoredValue<Option<Rc<Inner>>, LocalStorage>,
}

/// Hears every frame the socket brings.
type FrameListener = Rc<dyn Fn(&ServerFrame)>;

/// The visitor's session with the backend (`SavedVisitor`).
const VISITOR_KEY: &str = "visitor";

/// Told the visitor token (or why there is none) when the session request
/// in flight ends.
type SessionWaiter = oneshot::Sender<Result<String, TransportError>>;

struct Inner {
    transport: Rc<dyn Transport>,
    state: WidgetState,
    guard: Guard,
    token: RefCell<Option<String>>,
    /// Callers waiting for the session request in flight: live chat and
    /// tickets ask at once after the people module loads, and must share
    /// one visitor token.
    session_waiters: RefCell<Option<Vec<SessionWaiter>>>,
    socket: RefCell<Option<Box<dyn Connection>>>,
    welcomed: Cell<bool>,
    attempt: Cell<u32>,
    retry: Cell<Option<TimeoutHandle>>,
    ping: Cell<Option<IntervalHandle>>,
    typing: Cell<TypingThrottle>,
    typing_check: Cell<Option<TimeoutHandle>>,
    /// Hides the agent's "typing" if no repeat comes in time.
    agent_typing_expiry: Cell<Option<TimeoutHandle>>,
    escalation: RefCell<Option<StartConversation>>,
    next_file: Cell<u32>,
    /// Keep the socket open without a conversation (the visitor has
    /// tickets, or the Tickets tab is open).
    held: Cell<bool>,
    /// Hears every frame first (the tickets service).
    frames: RefCell<Option<FrameListener>>,
}

impl LiveChat {
    /// The service for `config`: off without a backend; with one, it
    /// talks protocol v1 over the browser's `fetch` and `WebSocket` and
    /// resumes the conversation this browser holds, if any.
    pub fn new(config: &Config, state: WidgetState) -> Self {
        let transport = config.backend.clone().map(|b| Rc::new(WebTransport::new(b)) as Rc<dyn Transport>);
        LiveChat::with_transport(config, state, transport)
    }

    /// The service over any [`Transport`] (`None`: live chat off).
    pub fn with_transport(config: &Config, state: WidgetState, transport: Option<Rc<dyn Transport>>) -> Self {
        let saved: Live = storage::get(LIVE_KEY).and_then(|s| from_json(&s).ok()).unwrap_or_default();
        let this = LiveChat {
            phase: RwSignal::new(if saved.conversation.is_some() && transport.is_some() {
                Phase::On
            } else {
                Phase::Off
            }),
            live: RwSignal::new(saved),
            link: RwSignal::new(Link::Connecting),
            limits: RwSignal::new(None),
            availability: RwSignal::new(None),
            staged: RwSignal::new(Vec::new()),
            draft: RwSignal::new(String::new()),
            blocked: RwSignal::new(None),
            problem: RwSignal::new(None),
            rating: RwSignal::new(Request::Idle),
            transcript: RwSignal::new(Request::Idle),
            inner: StoredValue::new_local(None),
        };
        let Some(transport) = transport else { return this };
        this.inner.set_value(Some(Rc::new(Inner {
            transport,
            state,
            guard: guard_for(&config.channels),
            token: RefCell::new(None),
            session_waiters: RefCell::new(None),
            socket: RefCell::new(None),
            welcomed: Cell::new(false),
            attempt: Cell::new(0),
            retry: Cell::new(None),
            ping: Cell::new(None),
            typing: Cell::new(TypingThrottle::default()),
            typing_check: Cell::new(None),
            agent_typing_expiry: Cell::new(None),
            escalation: RefCell::new(None),
            next_file: Cell::new(0),
            held: Cell::new(false),
            frames: RefCell::new(None),
        })));
        this.listen();
        if this.phase.get_untracked() == Phase::On {
            this.reconnect();
        }
        this
    }

    fn inner(&self) -> Option<Rc<Inner>> {
        self.inner.try_get_value().flatten()
    }

    /// The backend, for the other services that talk to it (tickets).
    pub(crate) fn transport(&self) -> Option<Rc<dyn Transport>> {
        self.inner().map(|i| i.transport.clone())
    }

    /// Keeps the socket open even without a live conversation (`on`), so
    /// ticket frames arrive; `frames` hears every frame.
    pub(crate) fn hold(&self, on: bool, frames: FrameListener) {
        let Some(inner) = self.inner() else { return };
        inner.frames.replace(Some(frames));
        if inner.held.replace(on) != on && on {
            self.reconnect();
        }
    }

    /// Resolves an attachment URL for `<img src>` and links.
    pub fn resolve(&self, url: &str) -> String {
        self.inner().map(|i| i.transport.resolve(url)).unwrap_or_default()
    }

    /// The bot handed over. With a backend and live chat as the channel,
    /// starts (or returns to) the live conversation and returns true; the
    /// caller then shows the live view instead of the hand-over note.
    pub fn escalate(&self, action: &Action) -> bool {
        let Some(inner) = self.inner() else { return false };
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
            locale: Some(inner.state.locale.get_untracked().tag().to_owned()),
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
            let started = async {
                let token = this.session().await?;
                inner.transport.start_conversation(&token, &request).await
            };
            match started.await {
                Ok(summary) => {
                    this.rating.set(Request::Idle);
                    this.transcript.set(Request::Idle);
                    this.live.update(|l| l.start(&summary));
                    this.save();
                    this.phase.set(Phase::On);
                    this.reconnect();
                }
                Err(err) if err.code() == Some(ErrorCode::IdentityRefused) => this.phase.set(Phase::Refused),
                Err(err) => this.phase.set(Phase::Failed(err)),
            }
        });
    }

    /// The visitor token: this page's, the stored one (resumed), or a new
    /// session. Also learns the backend's limits.
    pub(crate) async fn session(&self) -> Result<String, TransportError> {
        let inner = self.inner().ok_or_else(|| TransportError::Network("no backend".to_owned()))?;
        if let Some(token) = inner.token.borrow().clone() {
            return Ok(token);
        }
        let waiting = inner.session_waiters.borrow_mut().as_mut().map(|waiters| {
            let (tx, rx) = oneshot::channel();
            waiters.push(tx);
            rx
        });
        if let Some(rx) = waiting {
            return rx
                .await
                .unwrap_or_else(|_| Err(TransportError::Network("the session request was dropped".to_owned())));
        }
        *inner.session_waiters.borrow_mut() = Some(Vec::new());
        let result = self.open_session(&inner).await;
        for waiter in inner.session_waiters.borrow_mut().take().unwrap_or_default() {
            let _ = waiter.send(result.clone());
        }
        result
    }

    async fn open_session(&self, inner: &Inner) -> Result<String, TransportError> {
        let identity = inner.state.identity.get_untracked();
        let user = identity
            .and_then(|i| Some(Identify { user_id: i.user_id, user_hash: i.user_hash?, name: i.name, email: i.email }));
        let user_id = user.as_ref().map(|u| u.user_id.clone());
        let saved: Option<SavedVisitor> = storage::get(VISITOR_KEY).and_then(|s| from_json(&s).ok());
        let stored_token = saved.filter(|s| s.user == user_id).map(|s| s.token);
        let locale = Some(inner.state.locale.get_untracked().tag().to_owned());
        let mut request = SessionRequest { visitor_token: stored_token, user, locale };
        let session = match inner.transport.session(&request).await {
            Err(err) if err.code() == Some(ErrorCode::Unauthorized) && request.visitor_token.is_some() => {
                // A token the backend no longer knows: start afresh.
                request.visitor_token = None;
                inner.transport.session(&request).await?
            }
            other => other?,
        };
        let saved = SavedVisitor { token: session.visitor_token.clone(), user: user_id };
        if let Ok(json) = serde_json::to_string(&saved) {
            storage::set(VISITOR_KEY, &json);
        }
        self.limits.set(Some(session.limits));
        self.availability.set(session.availability);
        *inner.token.borrow_mut() = Some(session.visitor_token.clone());
        Ok(session.visitor_token)
    }

    /// Opens the socket (after a session), unless one is open or the
    /// browser is offline.
    fn reconnect(&self) {
        let Some(inner) = self.inner() else { return };
        if let Some(timer) = inner.retry.take() {
            timer.clear();
        }
        let wanted = inner.held.get() || self.live.with_untracked(|l| l.conversation.is_some());
        if inner.socket.borrow().is_some() || !wanted {
            return;
        }
        if !online() {
            self.link.set(Link::Offline);
            return;
        }
        self.link.set(Link::Connecting);
        let this = *self;
        spawn_local(async move {
            match this.session().await {
                Ok(_) if inner.socket.borrow().is_some() => {}
                Ok(_) => {
                    let events: Rc<dyn Fn(ConnectionEvent)> = Rc::new(move |event| this.on_event(event));
                    let socket = inner.transport.connect(events);
                    *inner.socket.borrow_mut() = Some(socket);
                }
                Err(err) if err.code() == Some(ErrorCode::IdentityRefused) => this.phase.set(Phase::Refused),
                Err(_) => this.schedule_reconnect(),
            }
        });
    }

    fn schedule_reconnect(&self) {
        let Some(inner) = self.inner() else { return };
        if !online() {
            self.link.set(Link::Offline);
            return;
        }
        let attempt = inner.attempt.get();
        inner.attempt.set(attempt.saturating_add(1));
        let delay = reconnect_delay_ms(attempt, js_sys::Math::random());
        self.link.set(Link::Retrying);
        let this = *self;
        let timer = set_timeout_with_handle(move || this.reconnect(), Duration::from_millis(u64::from(delay)));
        if let Some(old) = inner.retry.replace(timer.ok()) {
            old.clear();
        }
    }

    fn on_event(&self, event: ConnectionEvent) {
        let Some(inner) = self.inner() else { return };
        if let ConnectionEvent::Frame(frame) = &event {
            let frames = inner.frames.borrow().clone();
            if let Some(frames) = frames {
                frames(frame);
            }
        }
        match event {
            ConnectionEvent::Open => {
                let token = inner.token.borrow().clone().unwrap_or_default();
                let hello = self.live.with_untracked(|l| l.hello(&token));
                self.send_frame(&inner, &hello, true);
            }
            ConnectionEvent::Frame(ServerFrame::Welcome { .. }) => {
                inner.welcomed.set(true);
                inner.attempt.set(0);
                self.link.set(Link::Open);
                for frame in self.live.with_untracked(Live::flush) {
                    self.send_frame(&inner, &frame, false);
                }
                let this = *self;
                let ping = set_interval_with_handle(
                    move || {
                        if let Some(inner) = this.inner() {
                            this.send_frame(&inner, &ClientFrame::Ping, false);
                        }
                    },
                    PING_EVERY,
                );
                if let Some(old) = inner.ping.replace(ping.ok()) {
                    old.clear();
                }
                if self.visible() {
                    self.mark_seen();
                }
            }
            ConnectionEvent::Frame(ServerFrame::Error { error, client_id: None, .. })
                if error.code == ErrorCode::Unauthorized =>
            {
                // The token is no longer valid: a new session on reconnect.
                inner.token.replace(None);
                self.drop_socket(&inner);
                self.schedule_reconnect();
            }
            ConnectionEvent::Frame(frame) => {
                if let ServerFrame::Typing { author: AuthorKind::Agent, typing, .. } = &frame {
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
            ConnectionEvent::Closed => {
                self.drop_socket(&inner);
                self.schedule_reconnect();
            }
        }
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

    fn drop_socket(&self, inner: &Inner) {
        inner.welcomed.set(false);
        if let Some(ping) = inner.ping.take() {
            ping.clear();
        }
        if let Some(socket) = inner.socket.borrow_mut().take() {
            socket.close();
            // Dropped later: this may run inside one of the socket's own
            // handlers, which must not be freed while it runs.
            spawn_local(async move { drop(socket) });
        }
    }

    /// Sends when greeted (or `hello` itself); otherwise the frame waits:
    /// messages in the outbox, receipts until the next `welcome`.
    fn send_frame(&self, inner: &Inner, frame: &ClientFrame, before_welcome: bool) -> bool {
        if !(before_welcome || inner.welcomed.get()) {
            return false;
        }
        inner.socket.borrow().as_ref().is_some_and(|s| s.send(frame))
    }

    /// Sends the composer's message (and the files uploaded for it).
    /// Returns false when it stays in the composer (a secret, too long,
    /// files still uploading).
    pub fn send(&self) -> bool {
        let Some(inner) = self.inner() else { return false };
        let locale = inner.state.locale.get_untracked();
        let text = self.draft.get_untracked().trim().to_owned();
        let findings = inner.guard.scan(&text);
        if guard::blocks(&findings) {
            self.blocked.set(Some(blocked_notice(&findings, locale)));
            return false;
        }
        self.blocked.set(None);
        if let Some(limits) = self.limits.get_untracked() {
            if let Err(message) = check_body(&text, &limits, locale) {
                self.problem.set(Some(message));
                return false;
            }
        }
        let staged = self.staged.get_untracked();
        if staged.iter().any(|s| s.state == StagedState::Uploading) {
            self.problem.set(Some(crate::i18n::strings(locale).live_wait_uploads.to_owned()));
            return false;
        }
        let attachments: Vec<Attachment> = staged
            .iter()
            .filter_map(|s| match &s.state {
                StagedState::Done(a) => Some(a.clone()),
                _ => None,
            })
            .collect();
        if text.is_empty() && attachments.is_empty() {
            return false;
        }
        self.problem.set(None);
        let frame = self.live.try_update(|l| l.send(&new_id("m"), &text, attachments, now_ms()));
        self.save();
        if let Some(frame) = frame {
            self.send_frame(&inner, &frame, false);
        }
        for s in staged {
            if let Some(url) = s.preview {
                _ = web_sys::Url::revoke_object_url(&url);
            }
        }
        self.staged.set(Vec::new());
        self.draft.set(String::new());
        self.stop_typing();
        true
    }

    /// Sends a refused message again.
    pub fn retry(&self, client_id: &str) {
        let Some(inner) = self.inner() else { return };
        if let Some(frame) = self.live.try_update(|l| l.retry(client_id)).flatten() {
            self.save();
            self.send_frame(&inner, &frame, false);
        }
    }

    /// Takes a refused message back into the composer.
    pub fn edit(&self, client_id: &str) {
        let Some(pending) = self.live.try_update(|l| l.edit(client_id)).flatten() else { return };
        self.save();
        self.draft.set(pending.body);
        let files = pending.attachments.into_iter().map(|a| Staged {
            id: self.file_id(),
            name: a.name.clone(),
            preview: None,
            progress: 1.0,
            state: StagedState::Done(a),
        });
        self.staged.update(|s| s.extend(files));
    }

    /// The user typed: tells the agent, sparingly.
    pub fn typing(&self) {
        let Some(inner) = self.inner() else { return };
        let mut throttle = inner.typing.get();
        let now = now_ms();
        let frame =
            if self.draft.with_untracked(|d| d.trim().is_empty()) { throttle.stop() } else { throttle.input(now) };
        inner.typing.set(throttle);
        self.send_typing(&inner, frame);
        let this = *self;
        let check = set_timeout_with_handle(
            move || {
                let Some(inner) = this.inner() else { return };
                let mut throttle = inner.typing.get();
                let frame = throttle.tick(now_ms());
                inner.typing.set(throttle);
                this.send_typing(&inner, frame);
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
        self.send_typing(&inner, frame);
    }

    fn send_typing(&self, inner: &Inner, typing: Option<bool>) {
        let (Some(typing), Some(conversation)) = (typing, self.live.with_untracked(|l| l.conversation.clone())) else {
            return;
        };
        self.send_frame(inner, &ClientFrame::Typing { conversation, typing }, false);
    }

    /// Whether the user can see the conversation now: panel open on the
    /// Chat tab, page visible.
    pub fn visible(&self) -> bool {
        let Some(inner) = self.inner() else { return false };
        let page_visible = web_sys::window()
            .and_then(|w| w.document())
            .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
        inner.state.open.get_untracked() && inner.state.tab.get_untracked() == crate::state::Tab::Chat && page_visible
    }

    /// The conversation is on screen: clears the unread count and tells
    /// the agent what has been read.
    pub fn mark_seen(&self) {
        let Some(inner) = self.inner() else { return };
        let welcomed = inner.welcomed.get();
        let mut frame = None;
        let mut changed = false;
        // Only a real change notifies: the view's effect that calls this
        // also reads the conversation.
        self.live.maybe_update(|l| {
            let before = (l.seen, l.read_sent);
            if welcomed {
                frame = l.mark_seen();
            } else {
                // Seen, but the receipt waits for the connection.
                l.seen = l.seen.max(l.last_seq());
            }
            changed = (l.seen, l.read_sent) != before;
            changed
        });
        if let Some(frame) = frame {
            self.send_frame(&inner, &frame, false);
        }
        if changed {
            self.save();
        }
    }

    /// Ends the conversation from the visitor's side.
    pub fn end(&self) {
        let Some(inner) = self.inner() else { return };
        if let Some(conversation) = self.live.with_untracked(|l| l.conversation.clone()) {
            self.send_frame(&inner, &ClientFrame::Close { conversation }, false);
        }
    }

    /// Leaves a closed conversation and goes back to the assistant.
    pub fn leave(&self) {
        let Some(inner) = self.inner() else { return };
        self.drop_socket(&inner);
        if let Some(timer) = inner.retry.take() {
            timer.clear();
        }
        self.live.set(Live::default());
        self.save();
        self.phase.set(Phase::Off);
        // Tickets may still want the socket.
        self.reconnect();
        self.rating.set(Request::Idle);
        self.transcript.set(Request::Idle);
    }

    /// Rates the closed conversation.
    pub fn rate(&self, score: u8, comment: String) {
        let Some(inner) = self.inner() else { return };
        let Some(conversation) = self.live.with_untracked(|l| l.conversation.clone()) else { return };
        self.rating.set(Request::Busy);
        let this = *self;
        let comment = Some(comment.trim().to_owned()).filter(|c| !c.is_empty());
        spawn_local(async move {
            let result = match this.session().await {
                Ok(token) => inner.transport.rate(&token, &conversation, &Rating { score, comment }).await,
                Err(err) => Err(err),
            };
            match result {
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
        let Some(inner) = self.inner() else { return };
        let Some(conversation) = self.live.with_untracked(|l| l.conversation.clone()) else { return };
        self.transcript.set(Request::Busy);
        let this = *self;
        spawn_local(async move {
            let result = match this.session().await {
                Ok(token) => {
                    inner.transport.email_transcript(&token, &conversation, &TranscriptRequest { email }).await
                }
                Err(err) => Err(err),
            };
            this.transcript.set(match result {
                Ok(()) => Request::Done,
                Err(err) => Request::Failed(err),
            });
        });
    }

    /// The identity's e-mail, to prefill the transcript form.
    pub fn identity_email(&self) -> Option<String> {
        self.inner()?.state.identity.get_untracked()?.email
    }

    /// Attaches files (picker, drop or paste): each is checked by name
    /// (the guard), type and size before it is uploaded.
    pub fn attach(&self, files: Vec<web_sys::File>) {
        self.attach_into(self.staged, files);
    }

    /// Attaches files to `staged` (the composer's, or the ticket form's).
    pub fn attach_into(&self, staged: RwSignal<Vec<Staged>>, files: Vec<web_sys::File>) {
        let Some(inner) = self.inner() else { return };
        let locale = inner.state.locale.get_untracked();
        let t = crate::i18n::strings(locale);
        for file in files {
            let name = file.name();
            let content_type = file.type_();
            let id = self.file_id();
            let refuse = |message: String| Staged {
                id,
                name: name.clone(),
                preview: None,
                progress: 0.0,
                state: StagedState::Failed(message),
            };
            let findings = inner.guard.scan(&name);
            if guard::blocks(&findings) {
                let reasons = blocked_notice(&findings, locale).reasons.join(" ");
                staged.update(|s| s.push(refuse(t.live_file_name_blocked.replace("{reasons}", &reasons))));
                continue;
            }
            let limits = self.limits.get_untracked();
            if let Some(problem) =
                limits.as_ref().and_then(|l| check_attachment(file.size() as u64, &content_type, l).err())
            {
                staged.update(|s| s.push(refuse(problem.message(&name, locale))));
                continue;
            }
            let preview = content_type
                .starts_with("image/")
                .then(|| web_sys::Url::create_object_url_with_blob(&file).ok())
                .flatten();
            staged.update(|s| {
                s.push(Staged { id, name: name.clone(), preview, progress: 0.0, state: StagedState::Uploading })
            });
            let this = *self;
            let inner = inner.clone();
            spawn_local(async move {
                let upload = Upload { name: name.clone(), content_type, blob: file.into() };
                let progress: Rc<dyn Fn(f64)> = Rc::new(move |p| {
                    staged.update(|s| s.iter_mut().filter(|f| f.id == id).for_each(|f| f.progress = p))
                });
                let result = match this.session().await {
                    Ok(token) => inner.transport.upload(&token, upload, progress).await,
                    Err(err) => Err(err),
                };
                let state = match result {
                    Ok(attachment) => StagedState::Done(attachment),
                    Err(err) => StagedState::Failed(
                        t.live_upload_failed.replace("{name}", &name).replace("{reason}", &err.user_message(locale)),
                    ),
                };
                staged.update(|s| {
                    s.iter_mut().filter(|f| f.id == id).for_each(|f| {
                        f.progress = 1.0;
                        f.state = state.clone();
                    })
                });
            });
        }
    }

    pub(crate) fn file_id(&self) -> u32 {
        self.inner().map_or(0, |inner| {
            let id = inner.next_file.get();
            inner.next_file.set(id + 1);
            id
        })
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

    /// Another tab, the browser's connectivity, and the page title.
    fn listen(&self) {
        let this = *self;
        let storage = window_event_listener(leptos::ev::storage, move |ev: web_sys::StorageEvent| {
            if ev.key().as_deref() != Some(&format!("{}{LIVE_KEY}", storage::PREFIX)) {
                return;
            }
            let other: Live = ev.new_value().and_then(|s| from_json(&s).ok()).unwrap_or_default();
            if this.live.try_update(|l| l.merge(other)).unwrap_or(false) {
                if this.live.with_untracked(|l| l.conversation.is_some()) && this.phase.get_untracked() != Phase::On {
                    this.phase.set(Phase::On);
                }
                this.reconnect();
            }
        });
        let online = window_event_listener(leptos::ev::online, move |_| {
            if let Some(inner) = this.inner() {
                inner.attempt.set(0);
            }
            this.reconnect();
        });
        let offline = window_event_listener(leptos::ev::offline, move |_| {
            if let Some(inner) = this.inner() {
                // A socket may linger after the network went; messages
                // typed now go to the outbox and leave on reconnect.
                this.drop_socket(&inner);
            }
            this.link.set(Link::Offline);
        });
        let visible = window_event_listener(leptos::ev::focus, move |_| {
            if this.visible() {
                this.mark_seen();
            }
        });
        on_cleanup(move || {
            storage.remove();
            online.remove();
            offline.remove();
            visible.remove();
            if let Some(inner) = this.inner() {
                this.drop_socket(&inner);
            }
        });
    }
}

fn guard_for(channels: &Channels) -> Guard {
    let mut domains = channels.official_domains.clone();
    if domains.is_empty() {
        if let Some(host) = web_sys::window().and_then(|w| w.location().hostname().ok()) {
            domains.push(host);
        }
    }
    Guard::new(&domains)
}

fn blocked_notice(findings: &[guard::Finding], locale: Locale) -> Blocked {
    let mut kinds = Vec::new();
    for f in findings.iter().filter(|f| f.kind.blocks()) {
        if !kinds.contains(&f.kind) {
            kinds.push(f.kind);
        }
    }
    let note = match locale {
        Locale::ZhCn => guard::ANTI_PHISHING_NOTE_ZH,
        _ => guard::ANTI_PHISHING_NOTE_EN,
    };
    Blocked { reasons: kinds.iter().map(|k| k.explain(locale).to_owned()).collect(), note: note.to_owned() }
}

fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

pub(crate) fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// A fresh id for a conversation or message: time and randomness, unique
/// enough per visitor (the backend only compares ids of one sender).
pub(crate) fn new_id(kind: &str) -> String {
    let random = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
    let more = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
    format!("{kind}-{:x}-{random:x}{more:x}", now_ms())
}

/// Removes a staged file from `staged` (and its preview URL).
pub fn unstage_from(staged: RwSignal<Vec<Staged>>, id: u32) {
    staged.update(|s| {
        if let Some(i) = s.iter().position(|f| f.id == id) {
            if let Some(url) = s.remove(i).preview {
                _ = web_sys::Url::revoke_object_url(&url);
            }
        }
    });
}

/// Files from a drop, a paste or a file input.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// `HH:MM` in the user's time zone.
pub fn clock(at_ms: i64) -> String {
    let date = js_sys::Date::new(&(at_ms as f64).into());
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// The element a DOM event came from, as `T`.
pub fn target<T: JsCast>(ev: &web_sys::Event) -> Option<T> {
    ev.target()?.dyn_into().ok()
}
