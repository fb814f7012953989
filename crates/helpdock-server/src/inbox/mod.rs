//! Replies to ticket e-mails. Each ticket e-mail's Reply-To is
//! `inbound_mail.address` with a fresh token (see `tickets::mail`); the
//! SMTP receiver (`smtp`) takes mail for such addresses, and `Inbox`
//! checks the token and the sender, keeps what the user wrote above the
//! quoted e-mail (`reply`) and the files, and adds it to the thread as the
//! visitor's reply by e-mail (`thread::reply_by_email`).
//!
//! Refusals are SMTP replies the sender's mail system turns into a bounce:
//! 550 for an unknown address, a sender who is not the ticket's or a closed
//! ticket (at RCPT already when it is closed then), 554 for an unreadable
//! or empty reply, 552 for one too large; 451 (try again later) when the
//! server itself failed.

pub mod reply;
pub mod smtp;
pub mod thread;

use std::sync::Arc;

use helpdock_core::protocol::{ticket_number, ErrorCode, TicketStatus};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::{JoinHandle, JoinSet};

use crate::config::{InboundMailConfig, LimitsConfig};
use crate::db::TicketRow;
use crate::error::AppError;
use crate::state::AppState;
use crate::tickets::NUMBER_PREFIX;
use crate::token::sha256_hex;
use smtp::{Mailbox, Reply};

/// Connections served at once; more are told to come back later.
const MAX_CONNECTIONS: usize = 32;
/// A Reply-To address takes replies this long after its e-mail went out
/// (every e-mail about a ticket carries a fresh one).
pub const REPLY_TOKEN_VALID_MS: i64 = 180 * 24 * 3600 * 1000;
/// Connections one client address may hold at once.
const MAX_CONNECTIONS_PER_IP: usize = 4;
/// A connection lasts at most this long, however busy (a client that keeps
/// it alive with NOOPs or a trickle of bytes is cut off).
const SESSION_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

/// The largest mail accepted: one attachment at the size limit, base64
/// encoded (4/3 of it and line breaks), with room for the text and the
/// quoted history.
pub fn max_mail_bytes(limits: &LimitsConfig) -> usize {
    let bytes = limits.max_attachment_bytes.saturating_mul(3) / 2 + 1024 * 1024;
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

/// Accepts SMTP connections on `listener` until the task is aborted
/// (which also ends the connections in flight).
pub fn spawn(listener: TcpListener, state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let Some(inbound) = state.config.inbound_mail.clone() else { return };
        let hostname = inbound.address.rsplit_once('@').map_or("helpdock", |(_, domain)| domain).to_string();
        let max_bytes = max_mail_bytes(&state.config.limits);
        let inbox = Arc::new(Inbox { state, inbound });
        let hostname: Arc<str> = hostname.into();
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let per_ip = crate::rate::ConnectionCounts::default();
        let mut connections = JoinSet::new();
        loop {
            let (mut stream, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "inbound mail: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            while connections.try_join_next().is_some() {}
            let from_peer = crate::rate::ConnectionSlot::take(&per_ip, peer.ip().to_string(), MAX_CONNECTIONS_PER_IP);
            let (Some(from_peer), Ok(slot)) = (from_peer, slots.clone().try_acquire_owned()) else {
                use tokio::io::AsyncWriteExt;
                let _ = stream.write_all(b"421 4.3.2 Too busy; try again later\r\n").await;
                continue;
            };
            let (inbox, hostname) = (inbox.clone(), hostname.clone());
            connections.spawn(async move {
                match tokio::time::timeout(SESSION_LIMIT, smtp::serve(stream, &*inbox, &hostname, max_bytes)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::debug!(peer = %peer, error = %e, "inbound mail: connection ended"),
                    Err(_) => tracing::debug!(peer = %peer, "inbound mail: connection cut at the session limit"),
                }
                drop((slot, from_peer));
            });
        }
    })
}

/// The ticket side of the receiver.
struct Inbox {
    state: AppState,
    inbound: InboundMailConfig,
}

fn unknown_address() -> Reply {
    Reply::new(550, "5.1.1", "No such ticket address here; reply to the latest e-mail about your request")
}

fn try_later() -> Reply {
    Reply::new(451, "4.3.0", "Temporary failure; please try again later")
}

fn number(ticket: &TicketRow) -> String {
    ticket_number(NUMBER_PREFIX, u64::try_from(ticket.number).unwrap_or(0))
}

fn closed(ticket: &TicketRow) -> Reply {
    Reply::new(
        550,
        "5.7.1",
        format!("Ticket {} is closed; reopen it under My tickets in the help widget to reply", number(ticket)),
    )
}

impl Inbox {
    /// The ticket a token was made for.
    async fn ticket(&self, token: &str) -> Result<TicketRow, Reply> {
        let since = crate::token::now_ms() - REPLY_TOKEN_VALID_MS;
        match self.state.db.ticket_by_reply_token(&sha256_hex(token), since).await {
            Ok(Some(ticket)) => Ok(ticket),
            Ok(None) => Err(unknown_address()),
            Err(e) => {
                tracing::error!(error = %e, "inbound mail: looking up a reply token");
                Err(try_later())
            }
        }
    }

    async fn store(&self, ticket: &TicketRow, envelope: &str, message: &[u8]) -> Reply {
        let Some(mail) = reply::read(message) else {
            return Reply::new(554, "5.6.0", "The message could not be read");
        };
        let from = mail.from.as_str();
        let expected = ticket.email.as_deref().unwrap_or("");
        if expected.is_empty() || !from.trim().eq_ignore_ascii_case(expected.trim()) {
            tracing::warn!(ticket = %ticket.id, from = %from, "inbound mail refused: the sender is not the ticket's address");
            return Reply::new(
                550,
                "5.7.1",
                "This address takes replies only from the address the ticket's e-mails were sent to",
            );
        }
        // The header can say anything: the envelope sender (which the MX
        // checked against SPF, and which bounces go to) must agree. A
        // header the sender wrote, such as Authentication-Results, is not
        // trusted: the MX may not have replaced it.
        if !envelope.trim().eq_ignore_ascii_case(from.trim()) {
            tracing::warn!(ticket = %ticket.id, "inbound mail refused: the envelope sender is not the From address");
            return Reply::new(550, "5.7.1", "The envelope sender (MAIL FROM) must be the From address");
        }
        // Only an address the host vouches for or its owner confirmed may
        // write into the thread (a From header alone is easy to forge when
        // the address was never proven to be the visitor's).
        let trusted = match self.state.db.visitor(&ticket.visitor_id).await {
            Ok(Some(visitor)) => crate::confirm::trust(&self.state, &visitor, from).await.map(|t| t.carries_content()),
            Ok(None) => Ok(false),
            Err(e) => Err(e.into()),
        };
        match trusted {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(ticket = %ticket.id, "inbound mail refused: the ticket's address is not confirmed");
                return Reply::new(550, "5.7.1", "This address has not been confirmed for the ticket's e-mails");
            }
            Err(e) => {
                tracing::error!(error = ?e, "inbound mail: checking the sender's address");
                return try_later();
            }
        }
        // An out-of-office answer is not a reply: accepted, not stored, so
        // the sender's system does not answer the bounce in turn.
        if mail.automatic {
            tracing::info!(ticket = %ticket.id, "inbound mail: automatic reply ignored");
            return Reply::new(250, "2.0.0", "Automatic reply ignored");
        }
        // A mail delivered twice (the sender's system retrying after a lost
        // answer) has the same Message-ID, or at least the same bytes.
        let client_id = format!("email-{}", &mail.identity[..32]);
        match thread::reply_by_email(&self.state, ticket, client_id, mail.body, mail.files).await {
            Ok(reply) => {
                tracing::info!(ticket = %ticket.id, seq = reply.seq, "reply by e-mail added");
                Reply::new(250, "2.0.0", format!("Added to {}", number(ticket)))
            }
            Err(AppError::Client(error)) => match error.code {
                ErrorCode::Closed => closed(ticket),
                ErrorCode::TooLarge => Reply::new(552, "5.3.4", error.message),
                ErrorCode::RateLimited => Reply::new(451, "4.7.1", error.message),
                ErrorCode::Conflict => try_later(),
                ErrorCode::BadRequest => {
                    Reply::new(554, "5.6.0", "The reply is empty once the quoted e-mail is removed")
                }
                _ => Reply::new(554, "5.0.0", error.message),
            },
            Err(AppError::Internal { context, source }) => {
                tracing::error!(ticket = %ticket.id, context, error = %source, "inbound mail: storing a reply");
                try_later()
            }
        }
    }
}

impl Mailbox for Inbox {
    async fn recipient(&self, address: &str) -> Result<String, Reply> {
        let token = self.inbound.token_of(address).ok_or_else(unknown_address)?;
        let ticket = self.ticket(&token).await?;
        if ticket.status == TicketStatus::Closed {
            return Err(closed(&ticket));
        }
        Ok(token)
    }

    async fn deliver(&self, token: &str, envelope: &str, message: &[u8]) -> Reply {
        match self.ticket(token).await {
            Ok(ticket) => self.store(&ticket, envelope, message).await,
            Err(refused) => refused,
        }
    }
}
