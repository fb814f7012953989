//! Helpdock's open protocol, version 1: the only types that cross a process
//! boundary between the widget, a backend and the agent console.
//!
//! HTTP (JSON) under [`API_PREFIX`] for sessions, conversations, tickets,
//! attachments and ratings; one WebSocket ([`WS_PATH`]) for live events, carrying
//! [`ClientFrame`]s up and [`ServerFrame`]s down as JSON text frames. The
//! prose specification, with the flows and the error codes, is
//! `docs/protocol.md`; the JSON Schemas in `docs/protocol/` are generated from
//! these types (feature `schema`) and a test keeps them in step.
//!
//! Compatibility rules, which every type here follows:
//! - field names are camelCase, frame and enum names snake_case;
//! - unknown fields are ignored, and an unknown frame `type` decodes as
//!   `Unknown` so a newer peer never breaks an older one;
//! - optional fields may be absent or `null`; lists may be absent (empty);
//! - times are Unix milliseconds (UTC); sequence numbers start at 1 and are
//!   per conversation, assigned by the server when it has stored a message.
//!
//! ```
//! use helpdock_core::protocol::{ClientFrame, ServerFrame};
//!
//! let up = ClientFrame::from_json(r#"{"type":"send","conversation":"c1","clientId":"m-1","body":"hi","extra":1}"#).unwrap();
//! assert!(matches!(up, ClientFrame::Send { ref client_id, .. } if client_id == "m-1"));
//! let down = ServerFrame::from_json(r#"{"type":"from_the_future","x":1}"#).unwrap();
//! assert_eq!(down, ServerFrame::Unknown);
//! ```

use serde::{Deserialize, Serialize};

use crate::bot;

/// The protocol version this crate speaks.
pub const VERSION: u32 = 1;
/// Where the HTTP API lives, relative to the backend's base URL.
pub const API_PREFIX: &str = "/api/v1";
/// The visitor's WebSocket, relative to the backend's base URL.
pub const WS_PATH: &str = "/api/v1/ws";
/// The agent console's HTTP API, relative to the backend's base URL.
pub const CONSOLE_API_PREFIX: &str = "/console/api";
/// The agent console's WebSocket, relative to the backend's base URL.
pub const CONSOLE_WS_PATH: &str = "/console/api/ws";

macro_rules! wire {
    ($($item:item)*) => {$(
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(rename_all = "camelCase")]
        $item
    )*};
}

pub mod decode;
mod ticket;
pub use ticket::*;

// ---------------------------------------------------------------------------
// Sessions and identity
// ---------------------------------------------------------------------------

wire! {
    /// `POST /api/v1/session`: start or resume a visitor session.
    ///
    /// Without `visitorToken` the server issues a new anonymous visitor; with
    /// one it resumes that visitor. With `user`, the host's signed-in user is
    /// identified: the server checks `userHash` and refuses a mismatch with
    /// `identity_refused` (HTTP 403). An identified user gets the same
    /// visitor (and so the same conversations) on every device.
    #[derive(Default)]
    pub struct SessionRequest {
        /// A token the server issued earlier to this browser.
        #[serde(default)]
        pub visitor_token: Option<String>,
        /// The host's signed-in user, when there is one.
        #[serde(default)]
        pub user: Option<Identify>,
        /// The widget's locale (`en`, `zh-CN`), for agents and e-mails.
        #[serde(default)]
        pub locale: Option<String>,
    }

    /// The host's signed-in user, vouched for by the host's server.
    pub struct Identify {
        /// The host's id for the user.
        pub user_id: String,
        /// Lower-case hex HMAC-SHA256, keyed with the host's secret
        /// (computed by the host's server, never in the browser), of
        /// `userId`, or of `userId\nname\nemail` to vouch for those too.
        pub user_hash: String,
        /// Display name, shown to agents.
        #[serde(default)]
        pub name: Option<String>,
        /// E-mail address, for transcripts and ticket replies.
        #[serde(default)]
        pub email: Option<String>,
    }

    /// The answer to a [`SessionRequest`].
    pub struct Session {
        /// The visitor's id (opaque).
        pub visitor_id: String,
        /// The bearer token for every later request and for the socket; the
        /// widget stores it. For an identified user it is bound to them.
        pub visitor_token: String,
        /// Whether the visitor is the host's verified user.
        pub identified: bool,
        /// Limits the widget checks before sending, so a user learns early.
        pub limits: Limits,
        /// Whether live chat is staffed now (absent: the backend does not
        /// say, and the widget goes by the host's configured hours).
        #[serde(default)]
        pub availability: Option<Availability>,
        /// Whether the backend can send e-mail (a conversation's transcript,
        /// ticket confirmations). Absent or false: the widget offers no
        /// "E-mail me the transcript".
        #[serde(default)]
        pub email: bool,
    }

    /// What the backend accepts.
    pub struct Limits {
        /// Longest message body, in characters.
        pub max_message_chars: u32,
        /// Largest attachment, in bytes.
        pub max_attachment_bytes: u64,
        /// Attachment types accepted (`image/png`, `application/pdf`, …).
        pub attachment_types: Vec<String>,
    }
}

// ---------------------------------------------------------------------------
// Conversations
// ---------------------------------------------------------------------------

wire! {
    /// `POST /api/v1/conversations`: hand the bot conversation to people.
    pub struct StartConversation {
        /// Generated by the widget; repeating a request with the same id
        /// returns the conversation it already started (idempotent).
        pub client_id: String,
        /// The topic (the bot's flow id, e.g. `deposit-not-arrived`), which
        /// routes the conversation to a queue.
        #[serde(default)]
        pub topic: Option<String>,
        /// The widget's locale.
        #[serde(default)]
        pub locale: Option<String>,
        /// What the user and the bot said, secrets already kept out.
        #[serde(default)]
        pub transcript: Vec<TranscriptLine>,
        /// What the bot's guided flow collected.
        #[serde(default)]
        pub fields: Vec<Field>,
        /// Why the bot handed over (`asked_for_person`, `urgent`, …).
        #[serde(default)]
        pub reason: Option<String>,
    }

    /// One line of the bot transcript.
    pub struct TranscriptLine {
        /// Who said it.
        pub from: TranscriptSpeaker,
        /// What was said.
        pub text: String,
    }

    /// A value the bot collected.
    pub struct Field {
        /// The field's id (`txid`).
        pub id: String,
        /// Its label in the user's language.
        pub label: String,
        /// The value.
        pub value: String,
    }

    /// A conversation as lists show it.
    pub struct ConversationSummary {
        /// Its id (opaque, unguessable).
        pub id: String,
        /// Its topic.
        #[serde(default)]
        pub topic: Option<String>,
        /// Where it stands.
        pub status: ConversationStatus,
        /// When it started.
        pub created_at: i64,
        /// When it last changed.
        pub updated_at: i64,
        /// The highest sequence number stored in it.
        pub last_seq: u64,
        /// The agent handling it.
        #[serde(default)]
        pub agent: Option<AgentInfo>,
        /// Where it is in the queue, while queued.
        #[serde(default)]
        pub queue: Option<QueueInfo>,
        /// The user's rating, once given.
        #[serde(default)]
        pub rating: Option<Rating>,
    }

    /// `GET /api/v1/conversations/{id}`: a conversation and its messages.
    pub struct ConversationDetail {
        /// The summary.
        pub summary: ConversationSummary,
        /// The bot transcript it started with.
        #[serde(default)]
        pub transcript: Vec<TranscriptLine>,
        /// The fields it started with.
        #[serde(default)]
        pub fields: Vec<Field>,
        /// Messages after `?after=` (default 0), in sequence order.
        #[serde(default)]
        pub messages: Vec<Message>,
    }

    /// A stored chat message.
    pub struct Message {
        /// The conversation.
        pub conversation: String,
        /// Its sequence number in the conversation.
        pub seq: u64,
        /// The sender's id for it, when the sender gave one.
        #[serde(default)]
        pub client_id: Option<String>,
        /// Who sent it.
        pub author: Author,
        /// The text (plain text; clients render it as text, never as HTML).
        pub body: String,
        /// Files attached to it.
        #[serde(default)]
        pub attachments: Vec<Attachment>,
        /// When the server stored it.
        pub at: i64,
        /// For a system message, what it says as a code and parameters, so
        /// that each client words it in its user's language (`body` is the
        /// English, for clients that do not know the code).
        #[serde(default)]
        pub system: Option<SystemNote>,
    }

    /// What a system message says. Codes: `agent_joined` (`agent`),
    /// `transferred` (`agent` to `to`), `requeued` (`agent`, to `queue`),
    /// `closed_by_visitor`, `closed_by_agent` (`agent`), `away` (the team is
    /// outside its business hours). A client that does not know a code
    /// shows the message's `body`.
    pub struct SystemNote {
        /// What happened.
        pub code: String,
        /// The agent who did it.
        #[serde(default)]
        pub agent: Option<String>,
        /// The agent a conversation was transferred to.
        #[serde(default)]
        pub to: Option<String>,
        /// The queue a conversation was moved to.
        #[serde(default)]
        pub queue: Option<String>,
    }

    /// Who wrote a message.
    pub struct Author {
        /// The kind of author.
        pub kind: AuthorKind,
        /// The display name (an agent's name; absent for the visitor).
        #[serde(default)]
        pub name: Option<String>,
        /// An avatar URL.
        #[serde(default)]
        pub avatar: Option<String>,
    }

    /// An agent as a visitor sees them.
    pub struct AgentInfo {
        /// The agent's id.
        pub id: String,
        /// Display name.
        pub name: String,
        /// Avatar URL.
        #[serde(default)]
        pub avatar: Option<String>,
    }

    /// A queued conversation's place.
    pub struct QueueInfo {
        /// 1 = next.
        pub position: u32,
        /// The backend's estimate, in seconds.
        pub estimated_wait_secs: u32,
    }

    /// `POST /api/v1/conversations/{id}/rating`.
    pub struct Rating {
        /// 1 (poor) to 5 (excellent).
        pub score: u8,
        /// What the user wrote.
        #[serde(default)]
        pub comment: Option<String>,
    }

    /// `POST /api/v1/conversations/{id}/transcript`: e-mail the transcript.
    pub struct TranscriptRequest {
        /// Where to send it.
        pub email: String,
    }

    /// An uploaded file. `POST /api/v1/attachments` takes the raw bytes as
    /// the body, the type in `Content-Type` and the file name in
    /// `X-Filename` (percent-encoded), and answers with this.
    pub struct Attachment {
        /// Its id, referenced from messages.
        pub id: String,
        /// The file name the user gave.
        pub name: String,
        /// The type the server sniffed from the bytes.
        pub content_type: String,
        /// Size in bytes.
        pub size: u64,
        /// Where to fetch it (a capability URL: unguessable, per file).
        pub url: String,
    }

    /// Where to resume a conversation after a reconnect.
    pub struct Resume {
        /// The conversation.
        pub conversation: String,
        /// The highest sequence number the client holds.
        pub after_seq: u64,
    }

    /// The body of every HTTP error: `{"error": {...}}`.
    pub struct ErrorBody {
        /// What went wrong.
        pub error: ErrorInfo,
    }

    /// An error, on HTTP or in an `error` frame.
    pub struct ErrorInfo {
        /// A stable, machine-readable code.
        pub code: ErrorCode,
        /// A sentence a person understands (English).
        pub message: String,
        /// The field or limit concerned, when there is one.
        #[serde(default)]
        pub field: Option<String>,
        /// When to try again, for `rate_limited`.
        #[serde(default)]
        pub retry_after_ms: Option<u64>,
    }
}

/// Who said a [`TranscriptLine`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TranscriptSpeaker {
    /// The user.
    User,
    /// The bot.
    Bot,
}

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    /// Waiting for an agent.
    Queued,
    /// An agent has it.
    Active,
    /// Over.
    Closed,
}

/// The kinds of message author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    /// The user.
    Visitor,
    /// A person on the support team.
    Agent,
    /// The backend (joins, transfers, closing).
    System,
}

/// Stable error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request or frame could not be read.
    BadRequest,
    /// No valid token or session.
    Unauthorized,
    /// `userHash` does not match `userId`.
    IdentityRefused,
    /// Allowed for nobody in this role.
    Forbidden,
    /// No such thing (or not yours: the two are indistinguishable).
    NotFound,
    /// Too large (message or attachment); `field` names the limit.
    TooLarge,
    /// A type the backend does not accept.
    UnsupportedType,
    /// Too many requests; see `retryAfterMs`.
    RateLimited,
    /// The client speaks a protocol version the server does not.
    UnsupportedVersion,
    /// The conversation is closed.
    Closed,
    /// A state conflict (e.g. accepting a chat another agent took).
    Conflict,
    /// The backend cannot do this now or is not set up for it (e.g. no
    /// e-mail relay for transcripts); `message` says which.
    Unavailable,
    /// The text looks like a secret (a password, a one-time code, a
    /// recovery phrase, a private key or an API secret) and was not stored;
    /// `field` names where it was (`body`, `title`, `description`,
    /// `fields.<id>`, `transcript`, `name`).
    SecretRefused,
    /// The backend failed; try again.
    Internal,
    /// A code this version does not know.
    #[serde(other)]
    Other,
}

// ---------------------------------------------------------------------------
// WebSocket frames
// ---------------------------------------------------------------------------

/// A frame a client (widget or console) sends on the socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum ClientFrame {
    /// First frame on a visitor socket: who this is, and where each known
    /// conversation should resume. The console's socket is authenticated by
    /// its session cookie and sends `hello` with an empty token.
    Hello {
        /// The protocol version the client speaks.
        v: u32,
        /// The visitor token from [`Session`].
        #[serde(default)]
        token: String,
        /// Conversations to resume: the server replays every message after
        /// `afterSeq`, then the live state (queue, agent, typing).
        #[serde(default)]
        resume: Vec<Resume>,
    },
    /// Send a message. Acknowledged with `ack` once stored; resending the
    /// same `clientId` is acknowledged again and stored once.
    Send {
        /// The conversation.
        conversation: String,
        /// The sender's id for this message (unique per sender).
        client_id: String,
        /// The text.
        body: String,
        /// Ids of attachments uploaded before.
        #[serde(default)]
        attachments: Vec<String>,
    },
    /// Started or stopped typing.
    Typing {
        /// The conversation.
        conversation: String,
        /// `true` while typing.
        typing: bool,
    },
    /// Everything up to `seq` has been seen.
    Read {
        /// The conversation.
        conversation: String,
        /// The highest sequence number seen.
        seq: u64,
    },
    /// Keep-alive; answered with `pong`.
    Ping,
    /// Agent: take a queued conversation.
    Accept {
        /// The conversation.
        conversation: String,
    },
    /// Agent: hand a conversation to another agent or topic queue.
    Transfer {
        /// The conversation.
        conversation: String,
        /// The agent to hand it to.
        #[serde(default)]
        to_agent: Option<String>,
        /// The topic queue to put it back in.
        #[serde(default)]
        to_topic: Option<String>,
    },
    /// Visitor or agent: end the conversation.
    Close {
        /// The conversation.
        conversation: String,
    },
    /// A frame type this version does not know (ignored).
    #[serde(other)]
    Unknown,
}

/// A frame the server sends on the socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum ServerFrame {
    /// The answer to `hello`.
    Welcome {
        /// The protocol version the server speaks.
        v: u32,
        /// The visitor's or agent's id.
        id: String,
    },
    /// A stored message (sent to every socket of both sides, the sender's
    /// included, so a second tab sees it).
    Message {
        /// The message.
        message: Message,
    },
    /// A `send` was stored.
    Ack {
        /// The conversation.
        conversation: String,
        /// The sender's id for the message.
        client_id: String,
        /// Its sequence number.
        seq: u64,
        /// When it was stored.
        at: i64,
    },
    /// The conversation's place in the queue changed.
    Queue {
        /// The conversation.
        conversation: String,
        /// The place.
        queue: QueueInfo,
    },
    /// An agent took the conversation (also after a transfer).
    AgentJoined {
        /// The conversation.
        conversation: String,
        /// Who.
        agent: AgentInfo,
    },
    /// The conversation went back to a queue or to another agent.
    Transferred {
        /// The conversation.
        conversation: String,
        /// The new topic, when it moved queue.
        #[serde(default)]
        topic: Option<String>,
    },
    /// The other side started or stopped typing.
    Typing {
        /// The conversation.
        conversation: String,
        /// Who.
        author: AuthorKind,
        /// `true` while typing.
        typing: bool,
    },
    /// The other side has seen everything up to `seq`.
    Read {
        /// The conversation.
        conversation: String,
        /// The highest sequence number seen.
        seq: u64,
        /// Who read it.
        by: AuthorKind,
    },
    /// The conversation ended; the widget offers the rating.
    Closed {
        /// The conversation.
        conversation: String,
        /// Who ended it.
        by: AuthorKind,
        /// When.
        at: i64,
    },
    /// Console: the waiting conversations this agent may take changed.
    QueueChanged {
        /// What waits, oldest first: everything, or the first few when
        /// `total` says how many wait in all.
        waiting: Vec<ConversationSummary>,
        /// How many conversations wait for this agent in all, when the
        /// backend lists only the first (the reference server lists
        /// `queue.shown_to_agents`). Absent: `waiting` is all of them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<u32>,
    },
    /// Console: a conversation was assigned to this agent (accepted or
    /// transferred to them).
    Assigned {
        /// It.
        conversation: ConversationSummary,
    },
    /// A ticket was created or changed (status, assignee, unread count).
    /// Sent to the visitor's sockets and to the console.
    Ticket {
        /// It, as the receiver may see it.
        ticket: TicketSummary,
    },
    /// A new entry in a ticket's thread. Internal notes go only to the
    /// console.
    TicketReply {
        /// The entry.
        reply: TicketReply,
    },
    /// Something the client sent was refused. With `clientId` it concerns
    /// that message, which the client keeps in its outbox to retry or edit.
    Error {
        /// What went wrong.
        error: ErrorInfo,
        /// The message concerned.
        #[serde(default)]
        client_id: Option<String>,
        /// The conversation concerned.
        #[serde(default)]
        conversation: Option<String>,
    },
    /// The answer to `ping`.
    Pong,
    /// A frame type this version does not know (ignored).
    #[serde(other)]
    Unknown,
}

impl ClientFrame {
    /// Reads a frame; unknown fields are ignored and unknown types are
    /// [`ClientFrame::Unknown`].
    pub fn from_json(text: &str) -> Result<ClientFrame, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Writes a frame.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("frames always serialise")
    }
}

impl ServerFrame {
    /// Reads a frame; unknown fields are ignored and unknown types are
    /// [`ServerFrame::Unknown`].
    pub fn from_json(text: &str) -> Result<ServerFrame, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Writes a frame.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("frames always serialise")
    }

    /// An `error` frame.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> ServerFrame {
        ServerFrame::Error { error: ErrorInfo::new(code, message), client_id: None, conversation: None }
    }
}

impl ErrorInfo {
    /// An error with a code and a sentence.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorInfo {
        ErrorInfo { code, message: message.into(), field: None, retry_after_ms: None }
    }
}

// ---------------------------------------------------------------------------
// Agent console
// ---------------------------------------------------------------------------

wire! {
    /// `POST /console/api/login`. Answered with [`AgentSession`] and an
    /// `HttpOnly`, `SameSite=Strict` session cookie.
    pub struct Login {
        /// The agent's e-mail.
        pub email: String,
        /// The password.
        pub password: String,
    }

    /// The signed-in agent. Every state-changing console request carries
    /// `csrfToken` in the `X-CSRF-Token` header.
    pub struct AgentSession {
        /// Who.
        pub agent: Agent,
        /// The CSRF token of this session.
        pub csrf_token: String,
        /// The host's official domains: the console warns an agent whose
        /// message links elsewhere. Empty: the server's own host.
        #[serde(default)]
        pub official_domains: Vec<String>,
    }

    /// An agent, as the console sees them.
    pub struct Agent {
        /// Id.
        pub id: String,
        /// E-mail (sign-in name).
        pub email: String,
        /// Display name.
        pub name: String,
        /// What they may do.
        pub role: AgentRole,
        /// The topics whose queues they serve (empty = all).
        #[serde(default)]
        pub topics: Vec<String>,
        /// Whether they are connected now.
        #[serde(default)]
        pub online: bool,
    }

    /// `GET /console/api/conversations/{id}`: everything an agent needs.
    pub struct ConsoleConversation {
        /// The conversation with its transcript, fields and messages.
        pub detail: ConversationDetail,
        /// Who the visitor is.
        pub visitor: VisitorInfo,
    }

    /// A visitor as an agent sees them.
    pub struct VisitorInfo {
        /// The visitor's id.
        pub id: String,
        /// Whether the host vouched for them (`identify`).
        pub identified: bool,
        /// Whether the host's `userHash` covered the name and e-mail as
        /// well as the user id; otherwise they are what the user's browser
        /// sent.
        #[serde(default)]
        pub profile_verified: bool,
        /// The host's user id, when identified.
        #[serde(default)]
        pub user_id: Option<String>,
        /// Name, when given.
        #[serde(default)]
        pub name: Option<String>,
        /// E-mail, when given.
        #[serde(default)]
        pub email: Option<String>,
        /// Locale.
        #[serde(default)]
        pub locale: Option<String>,
    }
}

/// What an agent may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgentRole {
    /// Serves the queues of their topics and the conversations assigned to
    /// them.
    Agent,
    /// Sees every queue and conversation; manages agents.
    Admin,
}

// ---------------------------------------------------------------------------
// From the bot
// ---------------------------------------------------------------------------

impl From<&bot::Line> for TranscriptLine {
    fn from(line: &bot::Line) -> TranscriptLine {
        let from = match line.from {
            bot::Speaker::User => TranscriptSpeaker::User,
            bot::Speaker::Bot => TranscriptSpeaker::Bot,
        };
        TranscriptLine { from, text: line.text.clone() }
    }
}

impl From<&bot::Collected> for Field {
    fn from(c: &bot::Collected) -> Field {
        Field { id: c.id.clone(), label: c.label.clone(), value: c.value.clone() }
    }
}

/// The JSON Schemas of the protocol, by file name (`client-frame.json`, …),
/// as `docs/protocol/` holds them.
#[cfg(feature = "schema")]
pub fn schemas() -> Vec<(&'static str, String)> {
    fn one<T: schemars::JsonSchema>() -> String {
        let mut text = serde_json::to_string_pretty(&schemars::schema_for!(T)).expect("schemas serialise");
        text.push('\n');
        text
    }
    vec![
        ("client-frame.json", one::<ClientFrame>()),
        ("server-frame.json", one::<ServerFrame>()),
        ("session-request.json", one::<SessionRequest>()),
        ("session.json", one::<Session>()),
        ("start-conversation.json", one::<StartConversation>()),
        ("conversation-summary.json", one::<ConversationSummary>()),
        ("conversation-detail.json", one::<ConversationDetail>()),
        ("attachment.json", one::<Attachment>()),
        ("rating.json", one::<Rating>()),
        ("transcript-request.json", one::<TranscriptRequest>()),
        ("error.json", one::<ErrorBody>()),
        ("console-login.json", one::<Login>()),
        ("console-session.json", one::<AgentSession>()),
        ("console-conversation.json", one::<ConsoleConversation>()),
        ("new-ticket.json", one::<NewTicket>()),
        ("ticket-summary.json", one::<TicketSummary>()),
        ("ticket-detail.json", one::<TicketDetail>()),
        ("new-ticket-reply.json", one::<NewTicketReply>()),
        ("ticket-status-change.json", one::<TicketStatusChange>()),
        ("ticket-read.json", one::<TicketRead>()),
        ("console-ticket-update.json", one::<TicketUpdate>()),
        ("console-ticket.json", one::<ConsoleTicket>()),
    ]
}

#[cfg(test)]
mod tests;
