//! The one connection service: the [`Transport`], the visitor's session
//! token, and the socket (hello and resume, pings, reconnects with backoff),
//! shared by live chat and tickets as equal [`Subscriber`]s.
//!
//! When to open, greet, drop and reopen the socket is
//! `helpdock_core::live::link::Link`, a state machine with no IO; this
//! service carries out its steps with the browser's timers and tells the
//! subscribers what arrives.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use futures_channel::oneshot;
use helpdock_core::config::Config;
use helpdock_core::live::link::{Link, LinkEvent, LinkState, LinkStep};
use helpdock_core::protocol::decode::from_json;
use helpdock_core::protocol::{
    Availability, ClientFrame, ErrorCode, Identify, Limits, Resume, ServerFrame, SessionRequest, VERSION,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use crate::dom;
use crate::people::transport::web::WebTransport;
use crate::people::transport::{Connection, ConnectionEvent, Reply, Transport, TransportError};
use crate::state::WidgetState;
use crate::storage;

const PING_EVERY: Duration = Duration::from_secs(25);
/// The visitor's session with the backend (`SavedVisitor`).
const VISITOR_KEY: &str = "visitor";

/// A service that uses the socket: live chat, tickets.
pub(crate) trait Subscriber {
    /// Whether it needs the socket open now.
    fn wants_socket(&self) -> bool;
    /// Where its conversations resume, for `hello`.
    fn resume(&self) -> Vec<Resume> {
        Vec::new()
    }
    /// The server greeted this connection: send what waited, catch up.
    fn greeted(&self) {}
    /// A frame arrived.
    fn frame(&self, frame: &ServerFrame);
    /// The backend refused the host's identity.
    fn identity_refused(&self) {}
}

/// The visitor token kept in `localStorage`, with the host user it was
/// issued for (a different signed-in user starts a new session).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedVisitor {
    token: String,
    user: Option<String>,
}

/// Told the visitor token (or why there is none) when the session request
/// in flight ends.
type SessionWaiter = oneshot::Sender<Result<String, TransportError>>;

/// The connection service, provided once by context.
#[derive(Debug, Clone, Copy)]
pub struct Backend {
    /// The connection, as the banner shows it.
    pub link: RwSignal<LinkState>,
    /// What the backend accepts (from the session).
    pub limits: RwSignal<Option<Limits>>,
    /// Whether people are at work now (from the session, when it says).
    pub availability: RwSignal<Option<Availability>>,
    /// Whether the backend can send e-mail (from the session).
    pub email: RwSignal<bool>,
    inner: StoredValue<Option<Rc<Inner>>, LocalStorage>,
}

struct Inner {
    transport: Rc<dyn Transport>,
    state: WidgetState,
    token: RefCell<Option<String>>,
    /// Callers waiting for the session request in flight: live chat and
    /// tickets ask at once after the people module loads, and must share
    /// one visitor token.
    session_waiters: RefCell<Option<Vec<SessionWaiter>>>,
    machine: RefCell<Link>,
    socket: RefCell<Option<Box<dyn Connection>>>,
    greeted: Cell<bool>,
    retry: Cell<Option<TimeoutHandle>>,
    ping: Cell<Option<IntervalHandle>>,
    subscribers: RefCell<Vec<Rc<dyn Subscriber>>>,
}

impl Backend {
    /// The service for `config`: inert without a backend; with one, it
    /// talks protocol v1 over the browser's `fetch` and `WebSocket`.
    pub fn new(config: &Config, state: WidgetState) -> Self {
        let transport = config.backend.clone().map(|b| Rc::new(WebTransport::new(b)) as Rc<dyn Transport>);
        Backend::with_transport(state, transport)
    }

    /// The service over any [`Transport`] (`None`: no backend).
    pub fn with_transport(state: WidgetState, transport: Option<Rc<dyn Transport>>) -> Self {
        let this = Backend {
            link: RwSignal::new(LinkState::Connecting),
            limits: RwSignal::new(None),
            availability: RwSignal::new(None),
            email: RwSignal::new(false),
            inner: StoredValue::new_local(None),
        };
        let Some(transport) = transport else { return this };
        let machine = Link::new(online());
        this.link.set(machine.state());
        this.inner.set_value(Some(Rc::new(Inner {
            transport,
            state,
            token: RefCell::new(None),
            session_waiters: RefCell::new(None),
            machine: RefCell::new(machine),
            socket: RefCell::new(None),
            greeted: Cell::new(false),
            retry: Cell::new(None),
            ping: Cell::new(None),
            subscribers: RefCell::new(Vec::new()),
        })));
        this.listen();
        this
    }

    fn inner(&self) -> Option<Rc<Inner>> {
        self.inner.try_get_value().flatten()
    }

    /// Whether there is a backend at all.
    pub fn available(&self) -> bool {
        self.inner().is_some()
    }

    /// Resolves an attachment URL for `<img src>` and links.
    pub fn resolve(&self, url: &str) -> String {
        self.inner().map(|i| i.transport.resolve(url)).unwrap_or_default()
    }

    /// Runs `call` with the transport and the visitor token.
    pub async fn call<T, F>(&self, call: F) -> Result<T, TransportError>
    where
        F: FnOnce(Rc<dyn Transport>, String) -> Reply<T>,
    {
        let inner = self.inner().ok_or_else(no_backend)?;
        let token = self.session().await?;
        call(inner.transport.clone(), token).await
    }

    /// Adds a subscriber and opens the socket if it wants it.
    pub(crate) fn subscribe(&self, subscriber: Rc<dyn Subscriber>) {
        let Some(inner) = self.inner() else { return };
        inner.subscribers.borrow_mut().push(subscriber);
        self.refresh();
    }

    /// A subscriber's need for the socket may have changed: opens it if
    /// someone wants it.
    pub fn refresh(&self) {
        let wanted = self.wanted();
        self.handle(LinkEvent::Want { wanted });
    }

    /// Closes the socket now (the conversation was left), and opens it
    /// again if another subscriber wants it.
    pub fn release(&self) {
        self.handle(LinkEvent::Release);
        self.refresh();
    }

    /// Whether the server has greeted the open socket.
    pub fn greeted(&self) -> bool {
        self.inner().is_some_and(|i| i.greeted.get())
    }

    /// Sends a frame once greeted; `false` when it must wait (the caller
    /// keeps it: the outbox, receipts until the next `welcome`).
    pub fn send(&self, frame: &ClientFrame) -> bool {
        let Some(inner) = self.inner() else { return false };
        inner.greeted.get() && inner.socket.borrow().as_ref().is_some_and(|s| s.send(frame))
    }

    /// The visitor token: this page's, the stored one (resumed), or a new
    /// session. Also learns the backend's limits and availability.
    pub async fn session(&self) -> Result<String, TransportError> {
        let inner = self.inner().ok_or_else(no_backend)?;
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
        self.email.set(session.email);
        *inner.token.borrow_mut() = Some(session.visitor_token.clone());
        Ok(session.visitor_token)
    }

    fn wanted(&self) -> bool {
        let Some(inner) = self.inner() else { return false };
        let subscribers = inner.subscribers.borrow().clone();
        subscribers.iter().any(|s| s.wants_socket())
    }

    fn subscribers(&self) -> Vec<Rc<dyn Subscriber>> {
        self.inner().map(|i| i.subscribers.borrow().clone()).unwrap_or_default()
    }

    /// Feeds `event` to the state machine and carries out its steps.
    fn handle(&self, event: LinkEvent) {
        let Some(inner) = self.inner() else { return };
        let steps = inner.machine.borrow_mut().handle(event, js_sys::Math::random());
        let state = inner.machine.borrow().state();
        if self.link.get_untracked() != state {
            self.link.set(state);
        }
        for step in steps {
            self.step(&inner, step);
        }
    }

    fn step(&self, inner: &Rc<Inner>, step: LinkStep) {
        match step {
            LinkStep::CancelRetry => {
                if let Some(timer) = inner.retry.take() {
                    timer.clear();
                }
            }
            LinkStep::OpenSession => {
                let this = *self;
                spawn_local(async move {
                    match this.session().await {
                        Ok(_) => this.handle(LinkEvent::SessionReady),
                        Err(err) if err.code() == Some(ErrorCode::IdentityRefused) => {
                            this.handle(LinkEvent::Release);
                            for s in this.subscribers() {
                                s.identity_refused();
                            }
                        }
                        Err(_) => this.handle(LinkEvent::SessionFailed),
                    }
                });
            }
            LinkStep::OpenSocket => {
                let this = *self;
                let events: Rc<dyn Fn(ConnectionEvent)> = Rc::new(move |event| this.on_event(event));
                let socket = inner.transport.connect(events);
                *inner.socket.borrow_mut() = Some(socket);
            }
            LinkStep::SendHello => {
                let token = inner.token.borrow().clone().unwrap_or_default();
                let resume = self.subscribers().iter().flat_map(|s| s.resume()).collect();
                let hello = ClientFrame::Hello { v: VERSION, token, resume };
                if let Some(socket) = inner.socket.borrow().as_ref() {
                    socket.send(&hello);
                }
            }
            LinkStep::Greeted => {
                inner.greeted.set(true);
                let this = *self;
                let ping = set_interval_with_handle(
                    move || {
                        this.send(&ClientFrame::Ping);
                    },
                    PING_EVERY,
                );
                if let Some(old) = inner.ping.replace(ping.ok()) {
                    old.clear();
                }
                for s in self.subscribers() {
                    s.greeted();
                }
            }
            LinkStep::DropSocket => {
                inner.greeted.set(false);
                if let Some(ping) = inner.ping.take() {
                    ping.clear();
                }
                if let Some(socket) = inner.socket.borrow_mut().take() {
                    socket.close();
                    // Dropped later: this may run inside one of the
                    // socket's own handlers, which must not be freed while
                    // it runs.
                    spawn_local(async move { drop(socket) });
                }
            }
            LinkStep::ForgetToken => {
                inner.token.replace(None);
            }
            LinkStep::RetryIn(ms) => {
                let this = *self;
                let timer = set_timeout_with_handle(move || this.refresh(), Duration::from_millis(u64::from(ms)));
                if let Some(old) = inner.retry.replace(timer.ok()) {
                    old.clear();
                }
            }
        }
    }

    fn on_event(&self, event: ConnectionEvent) {
        match event {
            ConnectionEvent::Open => self.handle(LinkEvent::Opened),
            ConnectionEvent::Frame(ServerFrame::Welcome { .. }) => self.handle(LinkEvent::Welcomed),
            ConnectionEvent::Frame(ServerFrame::Error { error, client_id: None, .. })
                if error.code == ErrorCode::Unauthorized =>
            {
                // The token is no longer valid: a new session on reconnect.
                self.handle(LinkEvent::Unauthorized);
            }
            ConnectionEvent::Frame(frame) => {
                for s in self.subscribers() {
                    s.frame(&frame);
                }
            }
            ConnectionEvent::Closed => self.handle(LinkEvent::Closed),
        }
    }

    /// The browser's connectivity.
    fn listen(&self) {
        let this = *self;
        dom::on_window(
            "online",
            Box::new(move |_| {
                let wanted = this.wanted();
                this.handle(LinkEvent::Online { wanted });
            }),
        );
        dom::on_window("offline", Box::new(move |_| this.handle(LinkEvent::Offline)));
        // In view, a dropped link retries every 1.6 s at most, and at once
        // when the page comes back into view; out of view it backs off.
        let page_hidden = || web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden());
        let seen = move || {
            if page_hidden() {
                this.handle(LinkEvent::Hidden);
            } else {
                let wanted = this.wanted();
                this.handle(LinkEvent::Shown { wanted });
            }
        };
        seen();
        dom::on_window("visibilitychange", Box::new(move |_| seen()));
        on_cleanup(move || {
            this.handle(LinkEvent::Release);
        });
    }
}

fn no_backend() -> TransportError {
    TransportError::Network("no backend".to_owned())
}

fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}
