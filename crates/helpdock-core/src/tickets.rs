//! tickets: what goes into a new ticket, is it complete, and what does
//! "My tickets" show whatever order the frames arrived in?
//!
//! [`Draft`] is the ticket form as a value: prefilled from the bot
//! conversation ([`Draft::from_bot`]), checked per category against the
//! flow's fields (the preparation checklist) with [`crate::fields::validate`]
//! ([`Draft::check`], [`Draft::request`]), serialisable so the widget keeps
//! it in `localStorage` until the server confirms the ticket. Its
//! `client_id` stays the same across retries, so a retried submission never
//! makes two tickets.
//!
//! [`TicketList`] is the visitor's tickets and the one open in the ticket
//! view, folded from HTTP answers and the `ticket` / `ticket_reply` frames
//! (deduplicated by `seq`), with the unread counts the launcher adds up.
//!
//! ```
//! use helpdock_core::bot::Conversation;
//! use helpdock_core::fields::Now;
//! use helpdock_core::guard::Guard;
//! use helpdock_core::locale::Locale;
//! use helpdock_core::tickets::{Draft, Slot};
//!
//! let conversation = Conversation { flow: Some("other".into()), ..Conversation::default() };
//! let mut draft = Draft::from_bot("t-1", &conversation, &[], Locale::En);
//! let now = Now { unix_secs: 0, utc_offset_minutes: 0 };
//! let guard = Guard::new(&["example.com"]);
//! let errors = draft.problems(&[], &guard, Locale::En, now);
//! assert!(errors.iter().any(|(slot, _)| *slot == Slot::Title));
//! draft.title = "Cannot verify my ID".into();
//! draft.description = "my password is hunter22".into();
//! assert!(draft.request(&[], &guard, Locale::En, now).is_err(), "a secret is never sent");
//! draft.description = "The upload button does nothing.".into();
//! draft.email = "li@example.com".into();
//! assert!(draft.request(&[], &guard, Locale::En, now).is_ok());
//! ```

use serde::{Deserialize, Serialize};

use crate::bot::{Conversation, Speaker};
use crate::fields::{validate, FieldFormat, Now};
use crate::flow::Flow;
use crate::guard::{Guard, Stopped};
use crate::locale::Locale;
use crate::protocol::{
    Attachment, AuthorKind, Field, NewTicket, ServerFrame, TicketDetail, TicketReply, TicketSummary, TranscriptLine,
    Urgency,
};

/// The category of a ticket that fits no flow.
pub const OTHER: &str = "other";

/// The longest title accepted.
pub const MAX_TITLE: usize = 200;

/// The longest description accepted.
pub const MAX_DESCRIPTION: usize = 4000;

/// A ticket being written: everything the form holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Draft {
    /// The id sent with the request; the same on every retry.
    pub client_id: String,
    /// One line: what is wrong.
    pub title: String,
    /// A flow's id, or [`OTHER`].
    pub category: String,
    /// How urgent the user says it is.
    pub urgency: Urgency,
    /// What happened.
    pub description: String,
    /// The checklist's answers, by field id, as typed.
    pub fields: Vec<(String, String)>,
    /// Files uploaded for it.
    pub attachments: Vec<Attachment>,
    /// Where replies are e-mailed.
    pub email: String,
    /// The bot conversation that led here.
    pub transcript: Vec<TranscriptLine>,
}

/// A place in the form a problem can be shown next to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The title.
    Title,
    /// The description.
    Description,
    /// The e-mail address.
    Email,
    /// A checklist field, by id.
    Field(String),
}

impl Slot {
    /// A stable name for element ids (`title`, `field-txid`).
    pub fn key(&self) -> String {
        match self {
            Slot::Title => "title".to_owned(),
            Slot::Description => "description".to_owned(),
            Slot::Email => "email".to_owned(),
            Slot::Field(id) => format!("field-{id}"),
        }
    }
}

/// The flow a category names, if any.
pub fn flow_of<'a>(flows: &'a [Flow], category: &str) -> Option<&'a Flow> {
    flows.iter().find(|f| f.id == category)
}

impl Draft {
    /// An empty draft with `client_id`, in the "other" category.
    pub fn new(client_id: &str) -> Draft {
        Draft { client_id: client_id.to_owned(), category: OTHER.to_owned(), ..Draft::default() }
    }

    /// A draft prefilled from the bot conversation: its flow as the category
    /// (and the flow's title as the title), the collected fields, the
    /// user's own lines as the description, and the transcript. An urgent
    /// flow makes the ticket urgent.
    pub fn from_bot(client_id: &str, conversation: &Conversation, flows: &[Flow], locale: Locale) -> Draft {
        let mut draft = Draft::new(client_id);
        if let Some(flow) = conversation.flow.as_deref().and_then(|f| flow_of(flows, f)) {
            draft.category = flow.id.clone();
            draft.title = flow.title(locale).to_owned();
            if flow.urgent {
                draft.urgency = Urgency::Urgent;
            }
        }
        draft.fields = conversation.fields.iter().map(|c| (c.id.clone(), c.value.clone())).collect();
        // The user's words; "(pressed Talk to a person)" and the like are
        // the bot's notes of buttons, not something they wrote.
        let said: Vec<&str> = conversation
            .transcript
            .iter()
            .filter(|l| l.from == Speaker::User && !l.text.starts_with('('))
            .map(|l| l.text.as_str())
            .collect();
        draft.description = said.join("\n");
        draft.transcript = conversation.transcript.iter().map(Into::into).collect();
        draft
    }

    /// The checklist answer for `id`, as typed.
    pub fn field(&self, id: &str) -> &str {
        self.fields.iter().find(|(f, _)| f == id).map_or("", |(_, v)| v.as_str())
    }

    /// Sets a checklist answer.
    pub fn set_field(&mut self, id: &str, value: &str) {
        match self.fields.iter_mut().find(|(f, _)| f == id) {
            Some((_, v)) => *v = value.to_owned(),
            None => self.fields.push((id.to_owned(), value.to_owned())),
        }
    }

    /// Whether anything was written (a draft worth keeping).
    pub fn is_blank(&self) -> bool {
        self.title.trim().is_empty()
            && self.description.trim().is_empty()
            && self.fields.iter().all(|(_, v)| v.trim().is_empty())
            && self.attachments.is_empty()
    }

    /// The problem with one slot, in the user's language (`None`: fine).
    /// Called when a field loses focus, and by [`Draft::problems`].
    /// Text the secrets guard stops is a problem of its slot: it is never
    /// sent (nor stored: see [`Draft::redacted`]).
    pub fn check(&self, slot: &Slot, flows: &[Flow], guard: &Guard, locale: Locale, now: Now) -> Option<String> {
        let text = match slot {
            Slot::Title => Some(self.title.as_str()),
            Slot::Description => Some(self.description.as_str()),
            Slot::Field(id) => Some(self.field(id)),
            Slot::Email => None,
        };
        if let Some(stopped) = text.and_then(|t| Stopped::of(&guard.scan(t), locale)) {
            return Some(stopped.reasons.join(" "));
        }
        match slot {
            Slot::Title => text_problem(&self.title, MAX_TITLE, locale),
            Slot::Description => text_problem(&self.description, MAX_DESCRIPTION, locale),
            Slot::Email => {
                let email = self.email.trim();
                if email.is_empty() {
                    return Some(crate::locale::messages(locale).ticket_email_needed().to_owned());
                }
                validate(FieldFormat::Email, email, &[], now).err().map(|e| e.message(locale))
            }
            Slot::Field(id) => {
                let field = flow_of(flows, &self.category)?.fields.iter().find(|f| &f.id == id)?;
                let value = self.field(id).trim();
                if field.format == FieldFormat::Attachment {
                    // A screenshot is an upload, not text.
                    let missing = value.is_empty() && self.attachments.is_empty();
                    return (missing && field.required).then(|| required(locale));
                }
                if value.is_empty() {
                    return field.required.then(|| required(locale));
                }
                validate(field.format, value, &field.options, now).err().map(|e| e.message(locale))
            }
        }
    }

    /// Every slot the form shows for its category, in order.
    pub fn slots(&self, flows: &[Flow]) -> Vec<Slot> {
        let mut slots = vec![Slot::Title, Slot::Description];
        if let Some(flow) = flow_of(flows, &self.category) {
            slots.extend(flow.fields.iter().map(|f| Slot::Field(f.id.clone())));
        }
        slots.push(Slot::Email);
        slots
    }

    /// Every problem, in form order (empty: ready to send).
    pub fn problems(&self, flows: &[Flow], guard: &Guard, locale: Locale, now: Now) -> Vec<(Slot, String)> {
        self.slots(flows)
            .into_iter()
            .filter_map(|s| self.check(&s, flows, guard, locale, now).map(|m| (s, m)))
            .collect()
    }

    /// The draft as it may be kept in `localStorage`: whatever the guard
    /// stops is hidden (`[hidden: password]`), so a half-written ticket
    /// survives a reload but a secret typed into it does not.
    pub fn redacted(&self, guard: &Guard) -> Draft {
        let hide = |text: &str| guard.hide(text).unwrap_or_else(|| text.to_owned());
        Draft {
            title: hide(&self.title),
            description: hide(&self.description),
            fields: self.fields.iter().map(|(id, v)| (id.clone(), hide(v))).collect(),
            ..self.clone()
        }
    }

    /// The request to send, with the checklist answers normalised and
    /// labelled in the user's language; or every problem.
    pub fn request(
        &self,
        flows: &[Flow],
        guard: &Guard,
        locale: Locale,
        now: Now,
    ) -> Result<NewTicket, Vec<(Slot, String)>> {
        let problems = self.problems(flows, guard, locale, now);
        if !problems.is_empty() {
            return Err(problems);
        }
        let flow = flow_of(flows, &self.category);
        let fields = flow
            .map(|flow| {
                flow.fields
                    .iter()
                    .filter_map(|f| {
                        let typed = self.field(&f.id).trim();
                        if typed.is_empty() {
                            return None;
                        }
                        let value = if f.format == FieldFormat::Attachment {
                            typed.to_owned()
                        } else {
                            validate(f.format, typed, &f.options, now).map_or_else(|_| typed.to_owned(), |v| v.value)
                        };
                        Some(Field { id: f.id.clone(), label: f.label(locale).to_owned(), value })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(NewTicket {
            client_id: self.client_id.clone(),
            title: self.title.trim().to_owned(),
            category: flow.map_or_else(|| OTHER.to_owned(), |f| f.id.clone()),
            urgency: self.urgency,
            description: self.description.trim().to_owned(),
            fields,
            attachments: self.attachments.iter().map(|a| a.id.clone()).collect(),
            email: Some(self.email.trim().to_owned()),
            locale: Some(locale.tag().to_owned()),
            transcript: self.transcript.clone(),
        })
    }
}

fn required(locale: Locale) -> String {
    crate::locale::messages(locale).ticket_required().to_owned()
}

fn text_problem(text: &str, max: usize, locale: Locale) -> Option<String> {
    let n = text.trim().chars().count();
    if n == 0 {
        return Some(required(locale));
    }
    (n > max).then(|| crate::say!(locale, ticket_too_long, max, n))
}

/// The visitor's tickets, and the one open in the ticket view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketList {
    /// Most recently updated first.
    pub tickets: Vec<TicketSummary>,
    /// The ticket shown, with its thread (ordered by `seq`, each once).
    pub open: Option<TicketDetail>,
    /// Whether the list was loaded from the server.
    pub loaded: bool,
}

impl TicketList {
    /// Takes the list the server sent.
    pub fn set(&mut self, tickets: Vec<TicketSummary>) {
        self.tickets = tickets;
        self.loaded = true;
        self.sort();
    }

    /// Shows a ticket (its detail as the server sent it).
    pub fn show(&mut self, detail: TicketDetail) {
        self.upsert(detail.summary.clone());
        let mut detail = detail;
        crate::sort::sort_by_key(&mut detail.replies, |r| r.seq);
        detail.replies.dedup_by_key(|r| r.seq);
        self.open = Some(detail);
    }

    /// A summary the server sent (after a status change, a rating, a
    /// creation): replaces the one held, unless it is older.
    pub fn upsert(&mut self, summary: TicketSummary) {
        if let Some(open) = self.open.as_mut().filter(|o| o.summary.id == summary.id) {
            if summary.last_seq >= open.summary.last_seq {
                open.summary = summary.clone();
            }
        }
        match self.tickets.iter_mut().find(|t| t.id == summary.id) {
            Some(t) if t.last_seq > summary.last_seq => return,
            Some(t) => *t = summary,
            None => self.tickets.push(summary),
        }
        self.sort();
    }

    fn sort(&mut self) {
        crate::sort::sort_by(&mut self.tickets, |a, b| b.updated_at.cmp(&a.updated_at).then_with(|| b.id.cmp(&a.id)));
    }

    /// Files a thread entry (a reply the server answered with, or one
    /// pushed): once per `seq`, ordered; the summary follows it (last seq,
    /// status, unread for the team's entries on a ticket not on screen).
    /// Returns whether anything changed.
    pub fn add_reply(&mut self, reply: TicketReply) -> bool {
        if reply.internal {
            return false;
        }
        let mut changed = false;
        let shown = self.open.as_ref().is_some_and(|o| o.summary.id == reply.ticket);
        if let Some(summary) = self.tickets.iter_mut().find(|t| t.id == reply.ticket) {
            if reply.seq > summary.last_seq {
                summary.last_seq = reply.seq;
                summary.updated_at = summary.updated_at.max(reply.at);
                if let Some(status) = reply.status {
                    summary.status = status;
                }
                if reply.author.kind != AuthorKind::Visitor && !shown {
                    summary.unread += 1;
                }
                changed = true;
            }
        }
        if let Some(open) = self.open.as_mut().filter(|o| o.summary.id == reply.ticket) {
            if let Err(at) = open.replies.binary_search_by_key(&reply.seq, |r| r.seq) {
                if reply.seq > open.summary.last_seq {
                    open.summary.last_seq = reply.seq;
                    open.summary.updated_at = open.summary.updated_at.max(reply.at);
                    if let Some(status) = reply.status {
                        open.summary.status = status;
                    }
                }
                open.replies.insert(at, reply);
                changed = true;
            }
        }
        if changed {
            self.sort();
        }
        changed
    }

    /// Takes in a frame from the socket; other frames are ignored. Returns
    /// whether anything the view shows changed.
    pub fn apply(&mut self, frame: &ServerFrame) -> bool {
        match frame {
            ServerFrame::Ticket { ticket } => {
                let before = self.clone();
                let mut ticket = ticket.clone();
                if self.open.as_ref().is_some_and(|o| o.summary.id == ticket.id) {
                    // On screen: read as it arrives (the view tells the server).
                    ticket.unread = 0;
                }
                self.upsert(ticket);
                *self != before
            }
            ServerFrame::TicketReply { reply } => self.add_reply(reply.clone()),
            _ => false,
        }
    }

    /// Unread entries across all tickets (for the launcher's badge).
    pub fn unread(&self) -> u32 {
        self.tickets.iter().map(|t| t.unread).fold(0, u32::saturating_add)
    }

    /// The shown ticket is read: clears its count and returns
    /// `(ticket, seq)` to report when there was something unread.
    pub fn mark_read(&mut self) -> Option<(String, u64)> {
        let open = self.open.as_ref()?;
        let id = open.summary.id.clone();
        let last = open.summary.last_seq.max(open.replies.last().map_or(0, |r| r.seq));
        let summary = self.tickets.iter_mut().find(|t| t.id == id)?;
        if summary.unread == 0 {
            return None;
        }
        summary.unread = 0;
        Some((id, last))
    }
}

#[cfg(test)]
mod tests;
