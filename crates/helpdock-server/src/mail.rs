//! Outgoing e-mail through an SMTP relay: "e-mail me the transcript", a
//! ticket's confirmation and the team's replies to it.

use std::time::Duration;

use helpdock_core::protocol::{AuthorKind, TranscriptSpeaker};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{SmtpConfig, SmtpTls};
use crate::db::{ConversationRow, MessageRow, TicketRow};

/// A configured relay.
#[derive(Debug, Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Why a mail was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The configured From address or the relay settings are wrong.
    #[error("smtp: {0}")]
    Config(String),
    /// The relay refused or could not be reached.
    #[error("smtp: {0}")]
    Send(#[from] lettre::transport::smtp::Error),
    /// The message could not be built.
    #[error("mail: {0}")]
    Build(#[from] lettre::error::Error),
}

impl Mailer {
    /// A mailer for the relay.
    pub fn new(config: &SmtpConfig) -> Result<Mailer, MailError> {
        let from: Mailbox =
            config.from.parse().map_err(|e| MailError::Config(format!("smtp.from {:?}: {e}", config.from)))?;
        let builder = match config.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?,
        };
        let mut builder = builder.port(config.port).timeout(Some(Duration::from_secs(15)));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer { transport: builder.build(), from })
    }

    /// Sends a plain-text mail.
    pub async fn send(&self, to: Mailbox, subject: &str, body: String) -> Result<(), MailError> {
        self.send_with_reply_to(to, None, subject, body).await
    }

    /// Sends a plain-text mail whose replies go to `reply_to` (shown with
    /// the From name), when given.
    pub async fn send_with_reply_to(
        &self,
        to: Mailbox,
        reply_to: Option<Address>,
        subject: &str,
        body: String,
    ) -> Result<(), MailError> {
        let mut builder = Message::builder().from(self.from.clone()).to(to).subject(subject);
        if let Some(address) = reply_to {
            builder = builder.reply_to(Mailbox::new(self.from.name.clone(), address));
        }
        let message = builder.header(ContentType::TEXT_PLAIN).body(body)?;
        self.transport.send(message).await?;
        Ok(())
    }
}

/// The transcript as plain text: the bot part, the collected fields, then
/// every message with its time (UTC).
pub fn transcript_text(conversation: &ConversationRow, messages: &[MessageRow]) -> String {
    let mut text = String::new();
    text.push_str("Your conversation with our support team\n");
    text.push_str(&format!("Started {}\n", utc(conversation.created_at)));
    if let Some(topic) = &conversation.topic {
        text.push_str(&format!("Topic: {topic}\n"));
    }
    if !conversation.transcript.is_empty() {
        text.push_str("\nWith the assistant:\n");
        for line in &conversation.transcript {
            let who = match line.from {
                TranscriptSpeaker::User => "You",
                TranscriptSpeaker::Bot => "Assistant",
            };
            text.push_str(&format!("  {who}: {}\n", line.text));
        }
    }
    if !conversation.fields.is_empty() {
        text.push_str("\nDetails you gave:\n");
        for field in &conversation.fields {
            text.push_str(&format!("  {}: {}\n", field.label, field.value));
        }
    }
    text.push_str("\nConversation:\n");
    for row in messages {
        let m = &row.message;
        let who = match m.author.kind {
            AuthorKind::Visitor => "You".to_string(),
            AuthorKind::Agent => m.author.name.clone().unwrap_or_else(|| "Agent".into()),
            AuthorKind::System => "—".to_string(),
        };
        text.push_str(&format!("[{}] {who}: {}\n", utc(m.at), m.body));
        for a in &m.attachments {
            text.push_str(&format!("    attachment: {} ({} bytes)\n", a.name, a.size));
        }
    }
    text
}

/// How the user answers a ticket e-mail: by replying to it when the server
/// accepts mail, else in the widget.
fn how_to_answer(number: &str, by_reply: bool) -> String {
    if by_reply {
        format!("reply to this e-mail (above the quoted text), or open {number} under My tickets in the help widget")
    } else {
        format!("open {number} under My tickets in the help widget")
    }
}

/// The confirmation of a new ticket: its number, what the user wrote;
/// `by_reply` when a reply to it reaches the thread.
pub fn ticket_confirmation_text(ticket: &TicketRow, number: &str, by_reply: bool) -> String {
    let mut text = String::new();
    text.push_str(&format!("We received your request {number}: {}\n", ticket.title));
    text.push_str(&format!("Created {}\n\n", utc(ticket.created_at)));
    if !ticket.description.trim().is_empty() {
        text.push_str(&format!("You wrote:\n{}\n\n", ticket.description.trim()));
    }
    if !ticket.fields.is_empty() {
        text.push_str("Details you gave:\n");
        for field in &ticket.fields {
            text.push_str(&format!("  {}: {}\n", field.label, field.value));
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "Our team will answer as soon as it can. Quote {number} when you contact us about it; \
         you can follow it under My tickets in the help widget.\n"
    ));
    if by_reply {
        text.push_str("To add something, reply to this e-mail (above the quoted text).\n");
    }
    text
}

/// An agent's reply to a ticket; `by_reply` as for the confirmation.
pub fn ticket_reply_text(
    ticket: &TicketRow,
    number: &str,
    agent: &str,
    reply: &helpdock_core::protocol::TicketReply,
    by_reply: bool,
) -> String {
    let mut text = String::new();
    text.push_str(&format!("{agent} replied to your request {number}: {}\n\n", ticket.title));
    text.push_str(reply.body.trim());
    text.push('\n');
    for a in &reply.attachments {
        text.push_str(&format!("    attachment: {} ({} bytes)\n", a.name, a.size));
    }
    text.push_str(&format!("\n[{}] To answer, {}.\n", utc(reply.at), how_to_answer(number, by_reply)));
    text
}

/// `2026-11-24 10:00 UTC`.
fn utc(ms: i64) -> String {
    let minutes = ms.div_euclid(60_000);
    let days = minutes.div_euclid(24 * 60);
    let minute = minutes.rem_euclid(24 * 60);
    let (year, month, day) = helpdock_core::civil::civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", minute / 60, minute % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_written_in_utc() {
        assert_eq!(super::utc(1_795_485_600_000), "2026-11-24 02:00 UTC");
        assert_eq!(super::utc(0), "1970-01-01 00:00 UTC");
    }
}
