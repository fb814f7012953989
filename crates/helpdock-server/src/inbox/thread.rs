//! A reply the user e-mailed, added to the ticket's thread as the widget's
//! reply would be (the receiver in `super` has checked the token and the
//! sender).

use helpdock_core::protocol::{Attachment, AuthorKind, TicketReply, TicketStatus};

use crate::attachments;
use crate::db::{Appended, NewEntry, TicketRow};
use crate::error::AppError;
use crate::secrets;
use crate::sniff::{clean_name, sniff};
use crate::state::AppState;
use crate::tickets::{changed, check_client_id, closed, publish, status_after_visitor_reply, MAX_ATTACHMENTS};
use crate::token::now_ms;

/// A file that came with an e-mailed reply, as the mail named it.
#[derive(Debug, Clone)]
pub struct MailedFile {
    /// The name in the mail.
    pub name: String,
    /// The decoded bytes.
    pub data: Vec<u8>,
}

/// A reply the user e-mailed to a ticket's Reply-To address (the caller
/// has checked the token and the sender): stored as the visitor's reply,
/// `byEmail`, with the widget's limits, status rules and frames. The same
/// `client_id` (made from the Message-ID) stores nothing twice. Files too
/// large, of a refused type or beyond the tenth are skipped and logged.
pub async fn reply_by_email(
    state: &AppState,
    ticket: &TicketRow,
    client_id: String,
    body: String,
    files: Vec<MailedFile>,
) -> Result<TicketReply, AppError> {
    check_client_id(&client_id)?;
    if let Some(existing) = state.db.ticket_entry_by_client(&ticket.id, &client_id).await? {
        return Ok(existing.reply);
    }
    let body = crate::sniff::plain_text(body);
    let max = state.config.limits.max_message_chars;
    let chars = body.chars().count();
    if chars > max as usize {
        return Err(AppError::too_large(
            "body",
            format!("A reply can have at most {max} characters; this one has {chars}."),
        ));
    }
    if ticket.status == TicketStatus::Closed {
        return Err(closed());
    }
    state.visitor_rate.check(&ticket.visitor_id).await.map_err(AppError::rate_limited)?;
    let attachments = store_mailed_files(state, ticket, files).await?;
    if body.trim().is_empty() && attachments.is_empty() {
        return Err(AppError::invalid("body", "The reply is empty."));
    }
    // An e-mail cannot be refused to its writer: what looks like a secret
    // is hidden before it is stored, and the agent is told (an internal
    // note, after the reply).
    let (body, hid_secret) = secrets::redact(&body);
    let new = NewEntry {
        ticket: ticket.id.clone(),
        client_id: Some(client_id),
        author: AuthorKind::Visitor,
        author_name: None,
        agent_id: None,
        body,
        attachments,
        internal: false,
        status: status_after_visitor_reply(ticket.status),
        by_email: true,
        at: now_ms(),
    };
    state.db.mark_referenced(&new.attachments, new.at).await?;
    match state.db.append_ticket_entry(&new, ticket.status).await? {
        Appended::New(entry) => {
            publish(state, &ticket.id, Some(&entry.reply)).await?;
            if hid_secret {
                let note = NewEntry {
                    client_id: None,
                    author: AuthorKind::System,
                    body: "Helpdock hid what looked like a password, code, recovery phrase or key in this e-mail \
                           before storing it. Ask the customer to change it: it has been sent by e-mail."
                        .to_owned(),
                    attachments: Vec::new(),
                    internal: true,
                    status: None,
                    by_email: false,
                    ..new.clone()
                };
                let now = new.status.unwrap_or(ticket.status);
                if let Appended::New(note) = state.db.append_ticket_entry(&note, now).await? {
                    publish(state, &ticket.id, Some(&note.reply)).await?;
                }
            }
            Ok(entry.reply)
        }
        Appended::Duplicate(entry) => Ok(entry.reply),
        Appended::Changed => Err(changed()),
    }
}

/// Stores an e-mailed reply's files as the visitor's uploads would be,
/// skipping (and logging) what an upload would refuse.
async fn store_mailed_files(
    state: &AppState,
    ticket: &TicketRow,
    files: Vec<MailedFile>,
) -> Result<Vec<Attachment>, AppError> {
    let limit = state.config.limits.max_attachment_bytes;
    let mut stored = Vec::new();
    for file in files {
        let name = clean_name(&file.name);
        if stored.len() == MAX_ATTACHMENTS {
            tracing::info!(ticket = %ticket.id, file = %name, "e-mailed attachment skipped: at most {MAX_ATTACHMENTS}");
            continue;
        }
        if file.data.len() as u64 > limit {
            tracing::info!(ticket = %ticket.id, file = %name, size = file.data.len(), "e-mailed attachment skipped: too large");
            continue;
        }
        let content_type = match sniff(&name, &file.data) {
            Ok(content_type) => content_type,
            Err(refused) => {
                tracing::info!(ticket = %ticket.id, reason = %refused.0, "e-mailed attachment skipped");
                continue;
            }
        };
        stored.push(attachments::store(state, "visitor", &ticket.visitor_id, name, content_type, &file.data).await?);
    }
    Ok(stored)
}
