//! live: what does the visitor's live chat show right now, whatever order
//! the frames arrived in, and what must still be sent?
//!
//! [`Live`] is the widget's model of one live conversation: the messages the
//! server has stored (merged from `ack`s, `message` frames and replays,
//! deduplicated by `seq` and `clientId`, ordered by `seq`), the **outbox**
//! of messages not yet acknowledged, the agent, the queue place, read
//! receipts and the unread count. It takes [`ServerFrame`]s and returns the
//! [`ClientFrame`]s to send; it does no IO, so the widget keeps it in a
//! signal and in `localStorage` (it is serialisable), and the tests below
//! drive it with frames.
//!
//! The outbox rule that makes "never lose, never double" hold: a message
//! leaves the outbox only when its `ack` arrives or a `message` frame
//! carrying its `clientId` does. Until then it is resent after every
//! reconnect (the server dedupes on `clientId`), and a message the server
//! refused stays, marked failed, for the user to retry or edit.
//!
//! ```
//! use helpdock_core::live::{Delivery, Live};
//! use helpdock_core::protocol::{ClientFrame, ConversationStatus, ConversationSummary, ServerFrame};
//!
//! let mut live = Live::default();
//! live.start(&ConversationSummary {
//!     id: "c1".into(), topic: None, status: ConversationStatus::Queued, created_at: 0, updated_at: 0,
//!     last_seq: 0, agent: None, queue: None, rating: None,
//! });
//! let frame = live.send("m-1", "hello", vec![], 1_000);
//! assert!(matches!(frame, ClientFrame::Send { .. }));
//! assert_eq!(live.outbox.len(), 1);
//! live.apply(&ServerFrame::Ack { conversation: "c1".into(), client_id: "m-1".into(), seq: 1, at: 1_001 });
//! assert!(live.outbox.is_empty());
//! assert_eq!(live.delivery(&live.messages[0]), Delivery::Sent);
//! ```

pub mod link;

use serde::{Deserialize, Serialize};

use crate::locale::Locale;
use crate::protocol::{
    AgentInfo, Attachment, Author, AuthorKind, ClientFrame, ConversationStatus, ConversationSummary, ErrorInfo, Limits,
    Message, QueueInfo, Resume, ServerFrame, SystemNote, VERSION,
};

/// One live conversation as the widget knows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Live {
    /// The conversation's id, once started.
    pub conversation: Option<String>,
    /// Where it stands, as last heard.
    pub status: Option<ConversationStatus>,
    /// Stored messages, ordered by `seq`, each `seq` once.
    pub messages: Vec<Message>,
    /// Messages not yet acknowledged, oldest first.
    pub outbox: Vec<Pending>,
    /// Joins, transfers and the end, placed after the message they followed.
    pub notices: Vec<Notice>,
    /// The agent handling it.
    pub agent: Option<AgentInfo>,
    /// The queue place, while queued.
    pub queue: Option<QueueInfo>,
    /// The highest `seq` the agent has read.
    pub read_by_agent: u64,
    /// The highest `seq` the visitor has seen (the panel showed it).
    pub seen: u64,
    /// The highest `seq` reported to the server in a `read` frame.
    pub read_sent: u64,
    /// Who ended it and when.
    pub closed: Option<(AuthorKind, i64)>,
    /// Whether the visitor rated it.
    pub rated: bool,
    /// Whether the agent is typing (not kept across reloads).
    #[serde(skip)]
    pub agent_typing: bool,
    /// The last refusal that concerned no message (not kept).
    #[serde(skip)]
    pub error: Option<ErrorInfo>,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pending {
    /// The id the widget gave it; the server dedupes on it.
    pub client_id: String,
    /// The conversation it goes to.
    pub conversation: String,
    /// The text.
    pub body: String,
    /// Files uploaded for it.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// When the user sent it (Unix ms), to show while it waits.
    pub created_at: i64,
    /// Waiting to be acknowledged, or refused.
    #[serde(default)]
    pub state: PendingState,
}

/// Where an outbox message stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingState {
    /// Sent or waiting for the connection; resent after a reconnect.
    #[default]
    Sending,
    /// The server refused it; kept for the user to retry or edit.
    Failed(ErrorInfo),
}

/// What the visitor sees under one of their messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// In the outbox.
    Sending,
    /// Stored by the server.
    Sent,
    /// The agent has read it.
    Read,
    /// Refused: retry or edit.
    Failed(ErrorInfo),
}

/// Something that happened between messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// The `seq` of the last message before it.
    pub after_seq: u64,
    /// What happened.
    pub kind: NoticeKind,
}

/// The kinds of [`Notice`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// An agent joined.
    AgentJoined {
        /// Their name.
        name: String,
        /// Their avatar URL.
        avatar: Option<String>,
    },
    /// The conversation went to another queue or agent.
    Transferred,
    /// The conversation ended.
    Closed {
        /// Who ended it.
        by: AuthorKind,
    },
    /// The team is away (only ever said by a backend's system message).
    Away,
}

impl NoticeKind {
    /// What a backend's system message says, as the notice the widget
    /// words in its user's language; `None` for a code it does not know
    /// (its English `body` is shown instead).
    pub fn of(note: &SystemNote) -> Option<NoticeKind> {
        Some(match note.code.as_str() {
            "agent_joined" => NoticeKind::AgentJoined { name: note.agent.clone()?, avatar: None },
            "transferred" | "requeued" => NoticeKind::Transferred,
            "closed_by_visitor" => NoticeKind::Closed { by: AuthorKind::Visitor },
            "closed_by_agent" => NoticeKind::Closed { by: AuthorKind::Agent },
            "away" => NoticeKind::Away,
            _ => return None,
        })
    }
}

/// One entry of the timeline the view renders, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry<'a> {
    /// A stored message.
    Message(&'a Message, Option<Delivery>),
    /// A notice.
    Notice(&'a Notice),
    /// A visitor message still in the outbox.
    Pending(&'a Pending),
}

impl Live {
    /// Takes up the conversation the server started (or already had, for a
    /// repeated start). A different conversation replaces the old one.
    pub fn start(&mut self, summary: &ConversationSummary) {
        if self.conversation.as_deref() != Some(summary.id.as_str()) {
            *self = Live { conversation: Some(summary.id.clone()), ..Live::default() };
        }
        self.status = Some(summary.status);
        self.queue = summary.queue.clone();
        if let Some(agent) = &summary.agent {
            self.join(agent.clone());
        }
        if summary.rating.is_some() {
            self.rated = true;
        }
    }

    /// Whether a conversation is open (started and not closed).
    pub fn is_open(&self) -> bool {
        self.conversation.is_some() && self.closed.is_none()
    }

    /// The highest `seq` held.
    pub fn last_seq(&self) -> u64 {
        self.messages.last().map_or(0, |m| m.seq)
    }

    /// The `hello` to send on every (re)connection: the token, and where to
    /// resume so the server replays exactly what was missed.
    pub fn hello(&self, token: &str) -> ClientFrame {
        ClientFrame::Hello { v: VERSION, token: token.to_owned(), resume: self.resume() }
    }

    /// Where this conversation resumes: the server replays every message
    /// after the last one held.
    pub fn resume(&self) -> Vec<Resume> {
        self.conversation.iter().map(|c| Resume { conversation: c.clone(), after_seq: self.last_seq() }).collect()
    }

    /// Puts a message in the outbox and returns the frame that sends it.
    /// (The caller checks the guard and the limits first.)
    pub fn send(&mut self, client_id: &str, body: &str, attachments: Vec<Attachment>, now_ms: i64) -> ClientFrame {
        let pending = Pending {
            client_id: client_id.to_owned(),
            conversation: self.conversation.clone().unwrap_or_default(),
            body: body.to_owned(),
            attachments,
            created_at: now_ms,
            state: PendingState::Sending,
        };
        let frame = send_frame(&pending);
        self.outbox.push(pending);
        frame
    }

    /// The frames that send the outbox, in order: after `welcome`, every
    /// message not refused goes (again). Resending is safe: the server
    /// stores a `clientId` once and acknowledges it with the same `seq`.
    pub fn flush(&self) -> Vec<ClientFrame> {
        self.outbox.iter().filter(|p| p.state == PendingState::Sending).map(send_frame).collect()
    }

    /// Tries a refused message again.
    pub fn retry(&mut self, client_id: &str) -> Option<ClientFrame> {
        let pending = self.outbox.iter_mut().find(|p| p.client_id == client_id)?;
        pending.state = PendingState::Sending;
        Some(send_frame(pending))
    }

    /// Takes a message back out of the outbox for the user to edit (it
    /// goes back into the composer). Only refused messages can be taken
    /// back: one still sending may already be stored.
    pub fn edit(&mut self, client_id: &str) -> Option<Pending> {
        let at =
            self.outbox.iter().position(|p| p.client_id == client_id && matches!(p.state, PendingState::Failed(_)))?;
        Some(self.outbox.remove(at))
    }

    /// Takes in a frame from the server. Frames about another conversation
    /// are ignored. Returns whether anything the view shows changed.
    pub fn apply(&mut self, frame: &ServerFrame) -> bool {
        let ours = |c: &str| self.conversation.as_deref() == Some(c);
        match frame {
            ServerFrame::Message { message } if ours(&message.conversation) => {
                if message.author.kind == AuthorKind::Agent {
                    self.agent_typing = false;
                }
                self.store(message.clone());
            }
            ServerFrame::Ack { conversation, client_id, seq, at } if ours(conversation) => {
                let Some(i) = self.outbox.iter().position(|p| p.client_id == *client_id) else {
                    return false; // acknowledged already (a second tab, a replay)
                };
                let p = self.outbox.remove(i);
                self.store(Message {
                    conversation: conversation.clone(),
                    seq: *seq,
                    client_id: Some(client_id.clone()),
                    author: Author { kind: AuthorKind::Visitor, name: None, avatar: None },
                    body: p.body,
                    attachments: p.attachments,
                    at: *at,
                    system: None,
                });
            }
            ServerFrame::Queue { conversation, queue } if ours(conversation) => {
                if self.queue.as_ref() == Some(queue) && self.status == Some(ConversationStatus::Queued) {
                    return false;
                }
                self.queue = Some(queue.clone());
                if self.closed.is_none() {
                    self.status = Some(ConversationStatus::Queued);
                }
            }
            ServerFrame::AgentJoined { conversation, agent } if ours(conversation) => {
                if self.agent.as_ref().is_some_and(|a| a.id == agent.id)
                    && self.status == Some(ConversationStatus::Active)
                {
                    return false; // the live state replayed after a reconnect
                }
                self.join(agent.clone());
            }
            ServerFrame::Transferred { conversation, topic } if ours(conversation) => {
                self.push_notice(NoticeKind::Transferred);
                if topic.is_some() {
                    self.agent = None;
                    self.status = Some(ConversationStatus::Queued);
                }
                self.agent_typing = false;
            }
            ServerFrame::Typing { conversation, author, typing } if ours(conversation) => {
                if *author == AuthorKind::Visitor || self.agent_typing == *typing {
                    return false;
                }
                self.agent_typing = *typing;
            }
            ServerFrame::Read { conversation, seq, by } if ours(conversation) => {
                if *by == AuthorKind::Visitor || *seq <= self.read_by_agent {
                    return false;
                }
                self.read_by_agent = *seq;
            }
            ServerFrame::Closed { conversation, by, at } if ours(conversation) => {
                if self.closed.is_some() {
                    return false;
                }
                self.closed = Some((*by, *at));
                self.status = Some(ConversationStatus::Closed);
                self.queue = None;
                self.agent_typing = false;
                self.push_notice(NoticeKind::Closed { by: *by });
            }
            ServerFrame::Error { error, client_id: Some(client_id), .. } => {
                let Some(p) = self.outbox.iter_mut().find(|p| p.client_id == *client_id) else {
                    return false;
                };
                p.state = PendingState::Failed(error.clone());
            }
            ServerFrame::Error { error, client_id: None, .. } => self.error = Some(error.clone()),
            _ => return false,
        }
        true
    }

    fn join(&mut self, agent: AgentInfo) {
        let known = self.agent.as_ref().is_some_and(|a| a.id == agent.id);
        if !known {
            self.push_notice(NoticeKind::AgentJoined { name: agent.name.clone(), avatar: agent.avatar.clone() });
        }
        self.agent = Some(agent);
        self.queue = None;
        if self.closed.is_none() {
            self.status = Some(ConversationStatus::Active);
        }
    }

    fn push_notice(&mut self, kind: NoticeKind) {
        self.notices.push(Notice { after_seq: self.last_seq(), kind });
    }

    /// Files a stored message in `seq` order: once per `seq`, once per
    /// `clientId`, and out of the outbox.
    fn store(&mut self, message: Message) {
        if let Some(id) = &message.client_id {
            self.outbox.retain(|p| &p.client_id != id);
            if message.author.kind == AuthorKind::Visitor {
                self.messages.retain(|m| m.client_id.as_ref() != Some(id) || m.seq == message.seq);
            }
        }
        match self.messages.binary_search_by_key(&message.seq, |m| m.seq) {
            // The `message` frame after the `ack` carries the server's view
            // (attachment URLs); it replaces what the ack rebuilt.
            Ok(i) => self.messages[i] = message,
            Err(i) => self.messages.insert(i, message),
        }
    }

    /// What to show under a stored message: the visitor's own are sent or
    /// read; others get nothing.
    pub fn delivery(&self, message: &Message) -> Delivery {
        if message.seq <= self.read_by_agent {
            Delivery::Read
        } else {
            Delivery::Sent
        }
    }

    /// Messages, notices and the outbox, in the order to show them.
    ///
    /// A backend that stores its own system messages ("Mei joined the
    /// conversation.") narrates joins, transfers and the end itself; once
    /// one has arrived, the widget's own notices would say everything twice
    /// and are left out.
    pub fn timeline(&self) -> Vec<Entry<'_>> {
        let mut entries = Vec::with_capacity(self.messages.len() + self.notices.len() + self.outbox.len());
        let narrated = self.messages.iter().any(|m| m.author.kind == AuthorKind::System);
        let mut notices = self.notices.iter().filter(|_| !narrated).peekable();
        while let Some(n) = notices.next_if(|n| n.after_seq == 0) {
            entries.push(Entry::Notice(n));
        }
        for m in &self.messages {
            let delivery = (m.author.kind == AuthorKind::Visitor).then(|| self.delivery(m));
            entries.push(Entry::Message(m, delivery));
            while let Some(n) = notices.next_if(|n| n.after_seq <= m.seq) {
                entries.push(Entry::Notice(n));
            }
        }
        entries.extend(notices.map(Entry::Notice));
        entries.extend(self.outbox.iter().map(Entry::Pending));
        entries
    }

    /// Messages from agents the visitor has not seen.
    pub fn unread(&self) -> u32 {
        let n = self.messages.iter().filter(|m| m.seq > self.seen && m.author.kind == AuthorKind::Agent).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The panel is showing the conversation: everything held is seen.
    /// Returns the `read` frame to send when the agent should hear of it.
    pub fn mark_seen(&mut self) -> Option<ClientFrame> {
        let last = self.last_seq();
        self.seen = self.seen.max(last);
        let latest_from_them = self.messages.iter().rev().find(|m| m.author.kind != AuthorKind::Visitor)?.seq;
        if latest_from_them <= self.read_sent {
            return None;
        }
        self.read_sent = last;
        Some(ClientFrame::Read { conversation: self.conversation.clone()?, seq: last })
    }

    /// Takes in what another tab of the same visitor saved (the `storage`
    /// event). A newer conversation there replaces this one; the same one
    /// is merged: messages by `seq`, outbox entries not yet stored, the
    /// furthest read and seen marks. Returns whether anything changed.
    pub fn merge(&mut self, other: Live) -> bool {
        if other.conversation.is_none() || other == *self {
            return false;
        }
        if other.conversation != self.conversation {
            let (typing, error) = (false, self.error.take());
            *self = Live { agent_typing: typing, error, ..other };
            return true;
        }
        let before = self.clone();
        for m in other.messages {
            if self.messages.binary_search_by_key(&m.seq, |x| x.seq).is_err() {
                self.store(m);
            }
        }
        for p in other.outbox {
            let stored = self.messages.iter().any(|m| m.client_id.as_deref() == Some(p.client_id.as_str()));
            if !stored && !self.outbox.iter().any(|q| q.client_id == p.client_id) {
                self.outbox.push(p);
            }
        }
        crate::sort::sort_by_key(&mut self.outbox, |p| p.created_at);
        for n in other.notices {
            if !self.notices.contains(&n) {
                self.notices.push(n);
            }
        }
        crate::sort::sort_by_key(&mut self.notices, |n| n.after_seq);
        self.read_by_agent = self.read_by_agent.max(other.read_by_agent);
        self.seen = self.seen.max(other.seen);
        self.read_sent = self.read_sent.max(other.read_sent);
        if self.closed.is_none() && other.closed.is_some() {
            self.closed = other.closed;
            self.status = Some(ConversationStatus::Closed);
        } else if self.closed.is_none() {
            self.status = other.status.or(self.status);
            self.queue = other.queue.or(self.queue.take());
            self.agent = other.agent.or(self.agent.take());
        }
        self.rated |= other.rated;
        *self != before
    }
}

fn send_frame(p: &Pending) -> ClientFrame {
    ClientFrame::Send {
        conversation: p.conversation.clone(),
        client_id: p.client_id.clone(),
        body: p.body.clone(),
        attachments: p.attachments.iter().map(|a| a.id.clone()).collect(),
    }
}

/// How long to wait before reconnection attempt `attempt` (0 = the first
/// after a drop): 0.5 s doubling to 30 s, times a jitter factor from 0.75 to
/// 1.25 drawn from `random` (0..1), so a server restart does not see every
/// widget at the same instant. Never more than 30 s.
pub fn reconnect_delay_ms(attempt: u32, random: f64) -> u32 {
    const FIRST_MS: u32 = 500;
    const MAX_MS: u32 = 30_000;
    let base = FIRST_MS.saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX)).min(MAX_MS);
    let random = if random.is_nan() { 0.5 } else { random.clamp(0.0, 1.0) };
    let factor = 0.75 + random * 0.5;
    ((f64::from(base) * factor) as u32).min(MAX_MS)
}

/// Sends typing indicators sparingly: `typing: true` when the user starts
/// and again at most every [`TypingThrottle::EVERY_MS`] while they go on,
/// `typing: false` once they pause that long or send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypingThrottle {
    active: bool,
    last_sent: i64,
    last_input: i64,
}

impl TypingThrottle {
    /// The interval, in ms, between repeated "typing" frames, and the pause
    /// after which the user counts as stopped.
    pub const EVERY_MS: i64 = 3_000;
    /// How long, in ms, the other side's "typing" is shown without a repeat
    /// (its socket may have dropped before it could say it stopped).
    pub const SHOWN_MS: i64 = 8_000;

    /// The user typed at `now`: `Some(true)` when a frame should go.
    pub fn input(&mut self, now: i64) -> Option<bool> {
        self.last_input = now;
        if self.active && now - self.last_sent < Self::EVERY_MS {
            return None;
        }
        self.active = true;
        self.last_sent = now;
        Some(true)
    }

    /// Time passed: `Some(false)` when the user paused long enough.
    pub fn tick(&mut self, now: i64) -> Option<bool> {
        if self.active && now - self.last_input >= Self::EVERY_MS {
            self.active = false;
            return Some(false);
        }
        None
    }

    /// The message was sent (or the box emptied): `Some(false)` if the
    /// other side was told the user is typing.
    pub fn stop(&mut self) -> Option<bool> {
        std::mem::take(&mut self.active).then_some(false)
    }
}

/// Why a file cannot be attached, found before uploading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentProblem {
    /// Larger than the backend accepts.
    TooLarge {
        /// The file's size, bytes.
        size: u64,
        /// The limit, bytes.
        max: u64,
    },
    /// A type the backend does not accept.
    UnsupportedType {
        /// What was accepted.
        accepted: Vec<String>,
    },
    /// Empty.
    Empty,
}

/// Checks a file against the backend's limits before it is uploaded. The
/// type is the browser's guess from the name; the server checks the bytes.
pub fn check_attachment(size: u64, content_type: &str, limits: &Limits) -> Result<(), AttachmentProblem> {
    if size == 0 {
        return Err(AttachmentProblem::Empty);
    }
    if size > limits.max_attachment_bytes {
        return Err(AttachmentProblem::TooLarge { size, max: limits.max_attachment_bytes });
    }
    let kind = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !limits.attachment_types.is_empty() && !limits.attachment_types.iter().any(|t| t.eq_ignore_ascii_case(&kind)) {
        return Err(AttachmentProblem::UnsupportedType { accepted: limits.attachment_types.clone() });
    }
    Ok(())
}

impl AttachmentProblem {
    /// A sentence naming the file and the limit.
    pub fn message(&self, file: &str, locale: Locale) -> String {
        let (size_of, max_of) = match self {
            AttachmentProblem::TooLarge { size, max } => (format_size(*size), format_size(*max)),
            _ => (String::new(), String::new()),
        };
        match self {
            AttachmentProblem::TooLarge { .. } => {
                crate::say!(locale, upload_too_large, file, size = size_of, max = max_of)
            }
            AttachmentProblem::UnsupportedType { accepted } => {
                crate::say!(locale, upload_unsupported_type, file, accepted = type_names(accepted))
            }
            AttachmentProblem::Empty => crate::say!(locale, upload_empty, file),
        }
    }
}

/// A message's body checked against the backend's limit; `Err` carries a
/// sentence with the limit.
pub fn check_body(body: &str, limits: &Limits, locale: Locale) -> Result<(), String> {
    let n = body.chars().count();
    let max = limits.max_message_chars as usize;
    if max == 0 || n <= max {
        return Ok(());
    }
    Err(crate::say!(locale, message_too_long, max, n))
}

/// "10 MB", "2.5 MB", "830 KB", "12 bytes": integer arithmetic, so no float
/// formatting code reaches the wasm.
pub fn format_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    let (unit, name) = if bytes >= MB {
        (MB, "MB")
    } else if bytes >= KB {
        (KB, "KB")
    } else {
        return format!("{bytes} bytes");
    };
    let tenths = (bytes * 10 + unit / 2) / unit;
    if tenths % 10 == 0 || tenths >= 1000 {
        format!("{} {name}", (tenths + 5) / 10)
    } else {
        format!("{}.{} {name}", tenths / 10, tenths % 10)
    }
}

/// `image/png, application/pdf` → "PNG, PDF".
fn type_names(types: &[String]) -> String {
    let names: Vec<String> = types
        .iter()
        .map(|t| match t.as_str() {
            "text/plain" => "TXT".to_owned(),
            "image/jpeg" => "JPEG".to_owned(),
            other => other.rsplit('/').next().unwrap_or(other).to_ascii_uppercase(),
        })
        .collect();
    names.join(", ")
}

#[cfg(test)]
mod tests;
