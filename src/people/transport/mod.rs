//! How the widget reaches a backend: the [`Transport`] trait, and
//! [`web::WebTransport`], its implementation for Helpdock protocol v1 over
//! `fetch`, `XMLHttpRequest` (for upload progress) and `WebSocket`.
//!
//! The trait exists so another backend can plug in (a host's own support
//! system, a test double in a Leptos app): `src/live.rs` only ever talks to
//! a `Rc<dyn Transport>`, in protocol types (`helpdock_core::protocol`).

pub mod web;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use helpdock_core::locale::Locale;
use helpdock_core::protocol::{
    Attachment, ClientFrame, ConversationDetail, ConversationSummary, ErrorCode, ErrorInfo, NewTicket, NewTicketReply,
    Rating, ServerFrame, Session, SessionRequest, StartConversation, TicketDetail, TicketReply, TicketStatus,
    TicketSummary, TranscriptRequest,
};

/// What an asynchronous transport call resolves to.
pub type Reply<T> = Pin<Box<dyn Future<Output = Result<T, TransportError>>>>;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// The backend answered with a protocol error (`{"error": {...}}`).
    Refused {
        /// The HTTP status (0 when the error came over the socket).
        status: u16,
        /// What the backend said.
        error: ErrorInfo,
    },
    /// The backend could not be reached, or its answer could not be read.
    Network(String),
}

impl TransportError {
    /// The protocol error code, if the backend gave one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            TransportError::Refused { error, .. } => Some(error.code),
            TransportError::Network(_) => None,
        }
    }

    /// A sentence for the user, in their language where the code is known
    /// (the backend's own `message` is English).
    pub fn user_message(&self, locale: Locale) -> String {
        let t = crate::i18n::strings(locale);
        let known = match self {
            TransportError::Network(_) => t.error_network(),
            TransportError::Refused { error, .. } => match error.code {
                ErrorCode::RateLimited => t.error_rate_limited(),
                ErrorCode::Internal => t.error_internal(),
                ErrorCode::Closed => t.error_closed(),
                ErrorCode::UnsupportedType => t.error_unsupported_type(),
                ErrorCode::TooLarge => t.error_too_large(),
                ErrorCode::SecretRefused => t.error_secret_refused(),
                _ => return error.message.clone(),
            },
        };
        known.to_owned()
    }
}

/// A file to upload.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file name the user gave.
    pub name: String,
    /// The browser's idea of its type.
    pub content_type: String,
    /// The bytes.
    pub blob: web_sys::Blob,
}

/// What happens on a live connection.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionEvent {
    /// Connected: send `hello` now.
    Open,
    /// A frame arrived.
    Frame(ServerFrame),
    /// The connection ended (or could not be made); reconnect later.
    Closed,
}

/// A live connection to the backend.
pub trait Connection {
    /// Sends a frame; `false` when the connection is not open.
    fn send(&self, frame: &ClientFrame) -> bool;
    /// Closes the connection; no event follows.
    fn close(&self);
}

/// A backend the widget can hand conversations to.
pub trait Transport {
    /// Starts or resumes the visitor (`POST /api/v1/session`).
    fn session(&self, request: &SessionRequest) -> Reply<Session>;
    /// Hands the bot conversation to people (`POST /api/v1/conversations`).
    fn start_conversation(&self, token: &str, request: &StartConversation) -> Reply<ConversationSummary>;
    /// A conversation with its messages after `after_seq`.
    fn conversation(&self, token: &str, id: &str, after_seq: u64) -> Reply<ConversationDetail>;
    /// Uploads a file; `progress` gets the fraction sent (0..=1) as it goes.
    fn upload(&self, token: &str, upload: Upload, progress: Rc<dyn Fn(f64)>) -> Reply<Attachment>;
    /// Rates a closed conversation.
    fn rate(&self, token: &str, conversation: &str, rating: &Rating) -> Reply<ConversationSummary>;
    /// Asks for the transcript by e-mail.
    fn email_transcript(&self, token: &str, conversation: &str, request: &TranscriptRequest) -> Reply<()>;
    /// Writes a ticket (`POST /api/v1/tickets`); idempotent by `clientId`.
    fn create_ticket(&self, token: &str, request: &NewTicket) -> Reply<TicketDetail>;
    /// The visitor's tickets, most recently updated first.
    fn tickets(&self, token: &str) -> Reply<Vec<TicketSummary>>;
    /// One ticket with its thread.
    fn ticket(&self, token: &str, id: &str) -> Reply<TicketDetail>;
    /// Adds to a ticket's thread; idempotent by `clientId`.
    fn reply_ticket(&self, token: &str, id: &str, reply: &NewTicketReply) -> Reply<TicketReply>;
    /// Closes (`Closed`) or reopens (`Open`) a ticket.
    fn set_ticket_status(&self, token: &str, id: &str, status: TicketStatus) -> Reply<TicketSummary>;
    /// The thread has been read up to `seq`.
    fn read_ticket(&self, token: &str, id: &str, seq: u64) -> Reply<()>;
    /// Rates a resolved or closed ticket.
    fn rate_ticket(&self, token: &str, id: &str, rating: &Rating) -> Reply<TicketSummary>;
    /// Opens the live connection; `events` hears of it from then on.
    fn connect(&self, events: Rc<dyn Fn(ConnectionEvent)>) -> Box<dyn Connection>;
    /// An attachment's URL as an `<img src>` or a link can use it.
    fn resolve(&self, url: &str) -> String;
}
