//! The My tickets area's service: the ticket form's draft, the visitor's
//! tickets and the one on screen, kept current by the socket.
//!
//! What a draft and the list *are* (prefill, validation per category,
//! folding `ticket` / `ticket_reply` frames, unread counts) is
//! `helpdock_core::tickets`; this wires it to the world: the [`Backend`]
//! (one socket for live chat and tickets; this service wants it while the
//! visitor has tickets or the tab is open),
//! `localStorage` for the draft (uploaded attachments included), the
//! launcher's unread badge, and when live chat opens again.

use std::rc::Rc;

use helpdock_core::bot::Conversation;
use helpdock_core::flow::Flow;
use helpdock_core::guard::{Guard, Stopped};
use helpdock_core::locale::Locale;
use helpdock_core::protocol::decode::from_json;
use helpdock_core::protocol::{AuthorKind, NewTicketReply, Rating, ServerFrame, TicketStatus, TicketSummary};
use helpdock_core::tickets::{Draft, Slot, TicketList};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::content::Content;
use crate::handover::HAS_TICKETS_KEY;
use crate::i18n::strings;
use crate::people::backend::{Backend, Subscriber};
use crate::people::live::{new_id, Request};
use crate::people::transport::{Reply, Transport, TransportError};
use crate::people::uploads::{self, done, Staged, Uploads};
use crate::state::{Tab, WidgetState};
use crate::storage;

const DRAFT_KEY: &str = "ticket-draft";

/// What the My tickets area shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// The list (or the empty state).
    List,
    /// The form.
    New,
    /// Created: the number to quote.
    Created {
        /// The ticket's id.
        id: String,
        /// `HD-000123`.
        number: String,
        /// Where replies go.
        email: String,
    },
    /// One ticket and its thread.
    View(String),
}

/// The tickets service, provided once by context.
#[derive(Debug, Clone, Copy)]
pub struct Tickets {
    /// The visitor's tickets and the one on screen.
    pub list: RwSignal<TicketList>,
    /// What the area shows.
    pub screen: RwSignal<Screen>,
    /// The form.
    pub draft: RwSignal<Draft>,
    /// The form's files.
    pub staged: RwSignal<Vec<Staged>>,
    /// Problems per field, shown next to them.
    pub errors: RwSignal<Vec<(Slot, String)>>,
    /// The submission.
    pub submit: RwSignal<Request>,
    /// Loading the list or a ticket.
    pub load: RwSignal<Request>,
    /// The reply box's text.
    pub reply: RwSignal<String>,
    /// The reply's files.
    pub reply_staged: RwSignal<Vec<Staged>>,
    /// Sending a reply, closing, reopening.
    pub reply_state: RwSignal<Request>,
    /// Rating the ticket on screen.
    pub rating: RwSignal<Request>,
    /// A problem with the form as a whole (files still uploading).
    pub problem: RwSignal<Option<String>>,
    backend: Backend,
    uploads: Uploads,
    state: WidgetState,
    /// The secrets guard: the form's texts and replies pass it before they
    /// are sent, and the draft is stored with what it stops hidden.
    guard: StoredValue<Rc<Guard>, LocalStorage>,
    /// The pack (its flows name the form's fields), given at construction:
    /// the service's methods also run outside any reactive owner.
    content: Option<Content>,
    reply_id: StoredValue<String>,
}

impl Tickets {
    /// The service; restores the draft this browser holds.
    pub fn new(
        backend: Backend,
        uploads: Uploads,
        state: WidgetState,
        guard: Rc<Guard>,
        content: Option<Content>,
    ) -> Self {
        let draft: Draft = storage::get(DRAFT_KEY)
            .and_then(|s| from_json(&s).ok())
            .filter(|d: &Draft| !d.client_id.is_empty())
            .unwrap_or_else(|| Draft::new(&new_id("t")));
        let staged = draft.attachments.iter().cloned().map(Staged::uploaded).collect();
        let this = Tickets {
            list: RwSignal::new(TicketList::default()),
            screen: RwSignal::new(Screen::List),
            draft: RwSignal::new(draft),
            staged: RwSignal::new(staged),
            errors: RwSignal::new(Vec::new()),
            submit: RwSignal::new(Request::Idle),
            load: RwSignal::new(Request::Idle),
            reply: RwSignal::new(String::new()),
            reply_staged: RwSignal::new(Vec::new()),
            reply_state: RwSignal::new(Request::Idle),
            rating: RwSignal::new(Request::Idle),
            problem: RwSignal::new(None),
            backend,
            uploads,
            state,
            guard: StoredValue::new_local(guard),
            content,
            reply_id: StoredValue::new(new_id("r")),
        };
        // The draft (with its uploaded files) is written on every change,
        // so a reload finds it.
        Effect::new(move || {
            let mut draft = this.draft.get().redacted(&this.guard.get_value());
            draft.attachments = done(&this.staged.get());
            if let Ok(json) = serde_json::to_string(&draft) {
                storage::set(DRAFT_KEY, &json);
            }
        });
        // The shell reads this after a reload to know, before this module
        // is here, that there are tickets whose replies the badge counts.
        Effect::new(move || {
            let (loaded, any) = this.list.with(|l| (l.loaded, !l.tickets.is_empty()));
            match (loaded, any) {
                (true, true) => storage::set(HAS_TICKETS_KEY, "1"),
                (true, false) => storage::remove(HAS_TICKETS_KEY),
                (false, _) => {}
            }
        });
        // The list is fetched when the panel first opens (the launcher's
        // badge counts unread replies; the session says whether people are
        // at work) and again on the Tickets tab.
        Effect::new(move |loaded: Option<bool>| {
            let open = state.open.get();
            let on_tab = open && state.tab.get() == Tab::Tickets;
            if on_tab || (open && loaded != Some(true)) {
                this.refresh();
                return true;
            }
            loaded.unwrap_or(false)
        });
        if backend.available() {
            backend.subscribe(Rc::new(this));
        }
        this
    }

    /// Whether a backend takes tickets.
    pub fn available(&self) -> bool {
        self.backend.available()
    }

    fn locale(&self) -> Locale {
        self.state.locale.get_untracked()
    }

    fn flows(&self) -> Vec<Flow> {
        self.content.and_then(|c| c.index()).map(|i| i.flows.clone()).unwrap_or_default()
    }

    /// Runs `call` with the transport and the visitor token.
    async fn call<T, F>(&self, call: F) -> Result<T, TransportError>
    where
        F: FnOnce(Rc<dyn Transport>, String) -> Reply<T>,
    {
        self.backend.call(call).await
    }

    /// Loads the list (and learns the session's availability); holds the
    /// socket while there are tickets or the tab is open.
    pub fn refresh(&self) {
        if !self.available() {
            return;
        }
        let this = *self;
        if !self.list.with_untracked(|l| l.loaded) {
            self.load.set(Request::Busy);
        }
        spawn_local(async move {
            match this.call(|t, token| t.tickets(&token)).await {
                Ok(tickets) => {
                    this.list.update(|l| l.set(tickets));
                    this.load.set(Request::Done);
                }
                Err(err) => this.load.set(Request::Failed(err)),
            }
            this.backend.refresh();
        });
    }

    fn on_frame(&self, frame: &ServerFrame) {
        let mut changed = false;
        self.list.maybe_update(|l| {
            changed = l.apply(frame);
            changed
        });
        if !changed {
            return;
        }
        if let ServerFrame::TicketReply { reply } = frame {
            let shown = matches!(self.screen.get_untracked(), Screen::View(ref id) if *id == reply.ticket);
            if shown && reply.author.kind != AuthorKind::Visitor && self.visible() {
                let (id, seq) = (reply.ticket.clone(), reply.seq);
                let this = *self;
                spawn_local(async move {
                    _ = this.call(move |t, token| t.read_ticket(&token, &id, seq)).await;
                });
            }
        }
    }

    fn visible(&self) -> bool {
        self.state.open.get_untracked() && self.state.tab.get_untracked() == Tab::Tickets
    }

    /// Opens the form (prefilled with the identity's e-mail).
    pub fn new_ticket(&self) {
        if self.draft.with_untracked(|d| d.email.trim().is_empty()) {
            if let Some(email) = self.state.identity.get_untracked().and_then(|i| i.email) {
                self.draft.update(|d| d.email = email);
            }
        }
        self.errors.set(Vec::new());
        self.problem.set(None);
        self.screen.set(Screen::New);
        self.state.tab.set(Tab::Tickets);
    }

    /// Opens the form prefilled from the bot conversation (a draft already
    /// being written is kept).
    pub fn prefill_from_bot(&self, conversation: &Conversation) {
        if self.draft.with_untracked(Draft::is_blank) {
            let flows = self.flows();
            let (client_id, email) = self.draft.with_untracked(|d| (d.client_id.clone(), d.email.clone()));
            let mut draft = Draft::from_bot(&client_id, conversation, &flows, self.locale());
            draft.email = email;
            self.draft.set(draft);
        }
        self.new_ticket();
    }

    /// Checks one field (on blur).
    pub fn check(&self, slot: Slot) {
        let flows = self.flows();
        let guard = self.guard.get_value();
        let problem = self.draft.with_untracked(|d| d.check(&slot, &flows, &guard, self.locale(), crate::chat::now()));
        self.errors.update(|errors| {
            errors.retain(|(s, _)| *s != slot);
            if let Some(message) = problem {
                errors.push((slot, message));
            }
        });
    }

    /// The problem shown next to `slot`.
    pub fn error(&self, slot: &Slot) -> Option<String> {
        self.errors.with(|e| e.iter().find(|(s, _)| s == slot).map(|(_, m)| m.clone()))
    }

    /// Sends the form. On failure everything stays, and a retry sends the
    /// same `clientId`, so the server creates one ticket.
    pub fn send(&self) {
        let locale = self.locale();
        let t = strings(locale);
        let staged = self.staged.get_untracked();
        if uploads::uploading(&staged) {
            self.problem.set(Some(t.live_wait_uploads().to_owned()));
            return;
        }
        self.problem.set(None);
        let flows = self.flows();
        let mut draft = self.draft.get_untracked();
        draft.attachments = done(&staged);
        let request = match draft.request(&flows, &self.guard.get_value(), locale, crate::chat::now()) {
            Ok(request) => request,
            Err(problems) => {
                self.errors.set(problems);
                self.problem.set(Some(t.tk_fix().to_owned()));
                return;
            }
        };
        self.errors.set(Vec::new());
        self.submit.set(Request::Busy);
        let this = *self;
        spawn_local(async move {
            let request = Rc::new(request);
            let sent = request.clone();
            match this.call(move |t, token| t.create_ticket(&token, &sent)).await {
                Ok(detail) => {
                    let summary = detail.summary.clone();
                    this.list.update(|l| l.upsert(summary.clone()));
                    this.screen.set(Screen::Created {
                        id: summary.id,
                        number: summary.number,
                        email: detail.email.clone().or_else(|| request.email.clone()).unwrap_or_default(),
                    });
                    // Only now is the draft gone.
                    this.draft.set(Draft::new(&new_id("t")));
                    uploads::clear(this.staged);
                    this.submit.set(Request::Idle);
                    this.backend.refresh();
                }
                Err(err) => this.submit.set(Request::Failed(err)),
            }
        });
    }

    /// Throws the draft away.
    pub fn discard(&self) {
        self.draft.set(Draft::new(&new_id("t")));
        uploads::clear(self.staged);
        self.errors.set(Vec::new());
        self.problem.set(None);
        self.submit.set(Request::Idle);
        self.screen.set(Screen::List);
    }

    /// Shows a ticket and marks it read.
    pub fn open(&self, id: String) {
        if self.screen.get_untracked() != Screen::View(id.clone()) {
            self.reply.set(String::new());
            uploads::clear(self.reply_staged);
            self.reply_state.set(Request::Idle);
            self.rating.set(Request::Idle);
            self.problem.set(None);
        }
        self.screen.set(Screen::View(id.clone()));
        self.load.set(Request::Busy);
        let this = *self;
        spawn_local(async move {
            match this.call(move |t, token| t.ticket(&token, &id)).await {
                Ok(detail) => {
                    this.list.update(|l| l.show(detail));
                    this.load.set(Request::Done);
                    this.mark_read();
                }
                Err(err) => this.load.set(Request::Failed(err)),
            }
        });
    }

    fn mark_read(&self) {
        let Some((id, seq)) = self.list.try_update(TicketList::mark_read).flatten() else { return };
        let this = *self;
        spawn_local(async move {
            _ = this.call(move |t, token| t.read_ticket(&token, &id, seq)).await;
        });
    }

    /// Back to the list.
    pub fn back(&self) {
        self.list.update(|l| l.open = None);
        self.screen.set(Screen::List);
    }

    fn open_id(&self) -> Option<String> {
        self.list.with_untracked(|l| l.open.as_ref().map(|o| o.summary.id.clone()))
    }

    /// Sends the reply box (idempotent by its `clientId` until it is sent).
    pub fn send_reply(&self) {
        let Some(id) = self.open_id() else { return };
        let staged = self.reply_staged.get_untracked();
        if uploads::uploading(&staged) {
            self.problem.set(Some(strings(self.locale()).live_wait_uploads().to_owned()));
            return;
        }
        self.problem.set(None);
        let body = self.reply.get_untracked().trim().to_owned();
        if let Some(stopped) = Stopped::of(&self.guard.get_value().scan(&body), self.locale()) {
            // Kept in the box for the user to edit; never sent.
            self.problem.set(Some(format!("{} {}", stopped.reasons.join(" "), stopped.note)));
            return;
        }
        let attachments: Vec<String> = done(&staged).into_iter().map(|a| a.id).collect();
        if body.is_empty() && attachments.is_empty() {
            return;
        }
        let request = NewTicketReply { client_id: self.reply_id.get_value(), body, attachments, internal: false };
        self.reply_state.set(Request::Busy);
        let this = *self;
        spawn_local(async move {
            match this.call(move |t, token| t.reply_ticket(&token, &id, &request)).await {
                Ok(reply) => {
                    this.list.update(|l| {
                        l.add_reply(reply);
                    });
                    this.reply.set(String::new());
                    uploads::clear(this.reply_staged);
                    this.reply_id.set_value(new_id("r"));
                    this.reply_state.set(Request::Idle);
                }
                Err(err) => this.reply_state.set(Request::Failed(err)),
            }
        });
    }

    /// Closes (`Closed`) or reopens (`Open`) the ticket on screen.
    pub fn set_status(&self, status: TicketStatus) {
        let Some(id) = self.open_id() else { return };
        self.reply_state.set(Request::Busy);
        let this = *self;
        spawn_local(async move {
            let wanted = id.clone();
            match this.call(move |t, token| t.set_ticket_status(&token, &wanted, status)).await {
                Ok(summary) => {
                    this.apply_summary(summary);
                    this.reply_state.set(Request::Idle);
                    // The thread gained a status line.
                    this.open(id);
                }
                Err(err) => this.reply_state.set(Request::Failed(err)),
            }
        });
    }

    fn apply_summary(&self, summary: TicketSummary) {
        self.list.update(|l| l.upsert(summary));
    }

    /// Rates the ticket on screen.
    pub fn rate(&self, score: u8, comment: String) {
        let Some(id) = self.open_id() else { return };
        let comment = Some(comment.trim().to_owned()).filter(|c| !c.is_empty());
        self.rating.set(Request::Busy);
        let this = *self;
        spawn_local(async move {
            let rating = Rating { score, comment };
            match this.call(move |t, token| t.rate_ticket(&token, &id, &rating)).await {
                Ok(summary) => {
                    this.apply_summary(summary);
                    this.rating.set(Request::Done);
                }
                Err(err) => this.rating.set(Request::Failed(err)),
            }
        });
    }

    /// Attaches files to the form or the reply box (checked by name, type
    /// and size, uploaded with progress, as in live chat).
    pub fn attach(&self, to_reply: bool, files: Vec<web_sys::File>) {
        self.uploads.attach(if to_reply { self.reply_staged } else { self.staged }, files);
    }
}

impl Subscriber for Tickets {
    fn wants_socket(&self) -> bool {
        self.visible() || self.list.try_with_untracked(|l| !l.tickets.is_empty()).unwrap_or(false)
    }

    fn greeted(&self) {
        // Back after a drop: catch up with what was missed, or load the
        // list the user is looking at if that had failed.
        if self.list.try_with_untracked(|l| l.loaded).unwrap_or(false) || self.visible() {
            self.refresh();
        }
    }

    fn frame(&self, frame: &ServerFrame) {
        self.on_frame(frame);
    }
}
