//! What visitors and agents do to tickets: each operation checks who may do
//! it, stores the change, and only then pushes `ticket` / `ticket_reply`
//! frames to the visitor's sockets and to the console sockets of the agents
//! who may see the ticket (internal notes only to the console), and e-mails
//! the user when there is something to tell (never failing the request
//! because of the mail).

use std::collections::HashMap;

use helpdock_core::protocol::{ticket_number, VisitorInfo};
use helpdock_core::protocol::{
    AgentInfo, AgentRole, Attachment, AuthorKind, ErrorCode, ErrorInfo, NewTicket, NewTicketReply, Rating, ServerFrame,
    TicketDetail, TicketReply, TicketStatus, TicketSummary, TicketUpdate, Urgency,
};
use helpdock_core::tickets::{MAX_DESCRIPTION, MAX_TITLE};

use crate::access::{self, may_see_ticket, Actor, MAX_ID_CHARS};
use crate::chat::agent_info;
use crate::config::{InboundMailConfig, QueueConfig};
use crate::db::{AgentRow, Appended, Db, EntryRow, NewEntry, NewTicketRow, TicketFilter, TicketRow, VisitorRow};
use crate::error::AppError;
use crate::hub::Channel;
use crate::secrets;
use crate::state::AppState;
use crate::token::{now_ms, random_hex, random_id, sha256_hex};

/// What ticket numbers start with (`HD-000123`).
pub const NUMBER_PREFIX: &str = "HD";
/// Most attachments a ticket or one reply may carry.
pub(crate) const MAX_ATTACHMENTS: usize = 10;
/// Most fields a ticket may carry.
const MAX_FIELDS: usize = 100;
/// Most transcript lines a ticket may carry.
const MAX_TRANSCRIPT: usize = 500;

/// Whose view of a ticket: the visitor's has no queue and counts the team's
/// replies as unread; the console's has the queue and counts the user's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The widget.
    Visitor,
    /// The agent console.
    Console,
}

fn not_found() -> AppError {
    AppError::not_found("ticket")
}

pub(crate) fn closed() -> AppError {
    AppError::Client(ErrorInfo::new(ErrorCode::Closed, "This ticket is closed; reopen it to reply."))
}

pub(crate) fn changed() -> AppError {
    AppError::conflict("The ticket changed at the same moment; please try again.")
}

/// The queue of a ticket: `queue.topics` looked up with
/// `category:urgency` first (so `"deposit-not-arrived:urgent" = "payments-urgent"`
/// can route urgent ones apart), then with the category, then the default.
pub fn route(queue: &QueueConfig, category: &str, urgency: Urgency) -> String {
    let specific = format!("{category}:{}", urgency.as_str());
    match queue.topics.get(&specific) {
        Some(q) => q.clone(),
        None => queue.route(Some(category)).to_string(),
    }
}

async fn agent_infos(state: &AppState, rows: &[TicketRow]) -> Result<HashMap<String, AgentInfo>, AppError> {
    if rows.iter().all(|t| t.agent_id.is_none()) {
        return Ok(HashMap::new());
    }
    Ok(state.db.agents().await?.into_iter().map(|a| (a.id.clone(), agent_info(&a))).collect())
}

fn summary_with(t: &TicketRow, agents: &HashMap<String, AgentInfo>, view: View) -> TicketSummary {
    let unread = match view {
        View::Visitor => t.visitor_unread,
        View::Console => t.agent_unread,
    };
    TicketSummary {
        id: t.id.clone(),
        number: ticket_number(NUMBER_PREFIX, u64::try_from(t.number).unwrap_or(0)),
        title: t.title.clone(),
        category: t.category.clone(),
        urgency: t.urgency,
        status: t.status,
        created_at: t.created_at,
        updated_at: t.updated_at,
        last_seq: u64::try_from(t.last_seq).unwrap_or(0),
        unread: u32::try_from(unread).unwrap_or(u32::MAX),
        agent: t.agent_id.as_ref().and_then(|id| agents.get(id)).cloned(),
        queue: (view == View::Console).then(|| t.queue.clone()),
        rating: t.rating.clone(),
    }
}

/// Summaries of tickets as one side sees them.
pub async fn summaries(state: &AppState, rows: &[TicketRow], view: View) -> Result<Vec<TicketSummary>, AppError> {
    let agents = agent_infos(state, rows).await?;
    Ok(rows.iter().map(|t| summary_with(t, &agents, view)).collect())
}

/// One summary.
pub async fn summary(state: &AppState, row: &TicketRow, view: View) -> Result<TicketSummary, AppError> {
    Ok(summaries(state, std::slice::from_ref(row), view).await?.remove(0))
}

/// A ticket with its thread (internal notes only for the console).
pub async fn detail(state: &AppState, row: &TicketRow, view: View) -> Result<TicketDetail, AppError> {
    let entries = state.db.ticket_entries(&row.id, view == View::Console).await?;
    Ok(TicketDetail {
        summary: summary(state, row, view).await?,
        description: row.description.clone(),
        fields: row.fields.clone(),
        attachments: row.attachments.clone(),
        transcript: row.transcript.clone(),
        email: row.email.clone(),
        replies: entries.into_iter().map(|e| e.reply).collect(),
    })
}

/// Who wrote a ticket, for the console.
pub async fn visitor_info(state: &AppState, row: &TicketRow) -> Result<VisitorInfo, AppError> {
    let visitor = state.db.visitor(&row.visitor_id).await?.ok_or_else(|| AppError::not_found("visitor"))?;
    Ok(VisitorInfo {
        id: visitor.id,
        identified: visitor.user_id.is_some(),
        profile_verified: visitor.profile_verified,
        user_id: visitor.user_id,
        name: visitor.name,
        email: visitor.email,
        locale: row.locale.clone().or(visitor.locale),
    })
}

/// Reads the ticket again and pushes it (and the new entry, if any) to the
/// visitor's sockets and to every online agent who may see it. Internal
/// notes reach only the console.
pub(crate) async fn publish(state: &AppState, id: &str, entry: Option<&TicketReply>) -> Result<TicketRow, AppError> {
    let row = state.db.ticket(id).await?.ok_or_else(not_found)?;
    let online = state.hub.online_agents().await;
    let everyone = if row.agent_id.is_some() || !online.is_empty() { state.db.agents().await? } else { Vec::new() };
    let agents: HashMap<String, AgentInfo> = everyone.iter().map(|a| (a.id.clone(), agent_info(a))).collect();
    // An internal note is not the visitor's business, not even as a change.
    if !entry.is_some_and(|e| e.internal) {
        let visitor = Channel::Visitor(row.visitor_id.clone());
        if let Some(entry) = entry {
            state.hub.publish(&visitor, &ServerFrame::TicketReply { reply: entry.clone() });
        }
        state.hub.publish(&visitor, &ServerFrame::Ticket { ticket: summary_with(&row, &agents, View::Visitor) });
    }
    let console = ServerFrame::Ticket { ticket: summary_with(&row, &agents, View::Console) };
    for agent in everyone.iter().filter(|a| online.contains(&a.id) && may_see_ticket(a, &row)) {
        let channel = Channel::Agent(agent.id.clone());
        if let Some(entry) = entry {
            state.hub.publish(&channel, &ServerFrame::TicketReply { reply: entry.clone() });
        }
        state.hub.publish(&channel, &console);
    }
    Ok(row)
}

pub(crate) fn check_client_id(client_id: &str) -> Result<(), AppError> {
    if client_id.trim().is_empty() || client_id.chars().count() > MAX_ID_CHARS {
        return Err(AppError::invalid("clientId", format!("clientId must have 1 to {MAX_ID_CHARS} characters.")));
    }
    Ok(())
}

/// The attachments by id, each uploaded by this owner; someone else's id is
/// as unknown as a made-up one.
async fn owned_attachments(
    state: &AppState,
    ids: &[String],
    owner_kind: &str,
    owner_id: &str,
) -> Result<Vec<Attachment>, AppError> {
    if ids.len() > MAX_ATTACHMENTS {
        return Err(AppError::too_large("attachments", format!("At most {MAX_ATTACHMENTS} attachments.")));
    }
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let attachment =
            if id.len() <= MAX_ID_CHARS { state.db.owned_attachment(id, owner_kind, owner_id).await? } else { None };
        let Some(attachment) = attachment else {
            return Err(AppError::Client(ErrorInfo {
                field: Some("attachments".into()),
                ..ErrorInfo::new(ErrorCode::NotFound, "An attachment was not found; upload it again.")
            }));
        };
        found.push(attachment);
    }
    Ok(found)
}

fn parse_email(text: &str) -> Option<String> {
    let text = text.trim();
    (text.len() <= 254 && text.parse::<lettre::Address>().is_ok()).then(|| text.to_string())
}

/// Creates a ticket (or returns the one this `clientId` created); `true`
/// when it is new.
pub async fn create(
    state: &AppState,
    visitor: &VisitorRow,
    request: NewTicket,
    ip_key: Option<String>,
) -> Result<(TicketDetail, bool), AppError> {
    check_client_id(&request.client_id)?;
    // A retry is answered from what is stored, before any new check: it
    // was accepted once.
    if let Some(existing) = state.db.ticket_by_client(&visitor.id, &request.client_id).await? {
        return Ok((detail(state, &existing, View::Visitor).await?, false));
    }
    let max = state.config.limits.max_message_chars as usize;
    let mut request = request;
    request.description = crate::sniff::plain_text(std::mem::take(&mut request.description));
    // One line: control characters (newlines) become spaces.
    let title: String = crate::sniff::plain_text(request.title.clone())
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string();
    if title.is_empty() {
        return Err(AppError::invalid("title", "A ticket needs a title."));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(AppError::too_large("title", format!("A title can have at most {MAX_TITLE} characters.")));
    }
    let description_max = MAX_DESCRIPTION.max(max);
    if request.description.chars().count() > description_max {
        return Err(AppError::too_large(
            "description",
            format!("A description can have at most {description_max} characters."),
        ));
    }
    let category = request.category.trim();
    if category.is_empty() || category.chars().count() > MAX_ID_CHARS {
        return Err(AppError::invalid("category", format!("category must have 1 to {MAX_ID_CHARS} characters.")));
    }
    if request.fields.len() > MAX_FIELDS {
        return Err(AppError::too_large("fields", format!("A ticket can carry at most {MAX_FIELDS} fields.")));
    }
    if let Some(f) = request.fields.iter().find(|f| f.value.chars().count() > max || f.label.chars().count() > max) {
        return Err(AppError::too_large("fields", format!("Field {:?} is longer than {max} characters.", f.id)));
    }
    if request.transcript.len() > MAX_TRANSCRIPT {
        return Err(AppError::too_large(
            "transcript",
            format!("A transcript can have at most {MAX_TRANSCRIPT} lines."),
        ));
    }
    if request.transcript.iter().any(|l| l.text.chars().count() > max) {
        return Err(AppError::too_large("transcript", format!("A transcript line has more than {max} characters.")));
    }
    secrets::refuse("title", &title)?;
    secrets::refuse("description", &request.description)?;
    for f in &request.fields {
        secrets::refuse(&format!("fields.{}", f.id), &f.value)?;
    }
    for line in &request.transcript {
        secrets::refuse("transcript", &line.text)?;
    }
    let email = match request.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(given) => Some(
            parse_email(given)
                .ok_or_else(|| AppError::invalid("email", format!("{given:?} is not an e-mail address.")))?,
        ),
        None => visitor.email.as_deref().and_then(parse_email),
    };
    if request.locale.as_ref().is_some_and(|l| l.len() > 35) {
        return Err(AppError::invalid("locale", "locale is a language tag such as en or zh-CN."));
    }
    state.visitor_rate.check(&visitor.id).await.map_err(AppError::rate_limited)?;
    let attachments = owned_attachments(state, &request.attachments, "visitor", &visitor.id).await?;
    let new = NewTicketRow {
        id: random_id("t_"),
        visitor_id: visitor.id.clone(),
        user_id: visitor.user_id.clone(),
        client_id: request.client_id,
        title,
        category: category.to_string(),
        urgency: request.urgency,
        queue: route(&state.config.queue, category, request.urgency),
        description: request.description,
        fields: request.fields,
        attachments,
        transcript: request.transcript,
        email,
        locale: request.locale.or_else(|| visitor.locale.clone()),
        at: now_ms(),
    };
    let (row, created) = state.db.create_ticket(&new).await?;
    state.db.mark_referenced(&new.attachments, new.at).await?;
    if created {
        let row = publish(state, &row.id, None).await?;
        let number = ticket_number(NUMBER_PREFIX, u64::try_from(row.number).unwrap_or(0));
        let subject = crate::mail::ticket_confirmation_subject(&row, &number);
        let by_reply = state.config.inbound_mail.is_some();
        let text = crate::mail::ticket_confirmation_text(&row, &number, by_reply);
        mail(state, &row, subject, text, Some(Unconfirmed { number, ip_key }));
    }
    Ok((detail(state, &row, View::Visitor).await?, created))
}

/// What to do when a ticket's address is not confirmed: ask its owner
/// (for a new ticket), naming the ticket, within the caller's IP budget.
#[derive(Debug)]
struct Unconfirmed {
    number: String,
    ip_key: Option<String>,
}

/// E-mails the ticket's address in the background: the request does not
/// wait for the relay, and a failure is only logged. What the visitor wrote
/// goes only to an address vouched for or confirmed ([`crate::confirm`]);
/// any other gets, for a new ticket, the fixed-text confirmation request
/// instead, and nothing for a reply. When the server accepts mail, the
/// mail's Reply-To carries a fresh token for the ticket.
fn mail(state: &AppState, ticket: &TicketRow, subject: String, body: String, unconfirmed: Option<Unconfirmed>) {
    let Some(address) = ticket.email.clone() else { return };
    let Some(mailer) = state.mailer.clone() else {
        tracing::info!(ticket = %ticket.id, "no SMTP relay configured; ticket e-mail not sent");
        return;
    };
    let to = match address.parse::<lettre::Address>() {
        Ok(address) => lettre::message::Mailbox::new(None, address),
        Err(e) => {
            tracing::warn!(ticket = %ticket.id, error = %e, "ticket e-mail address unusable");
            return;
        }
    };
    let (state, ticket) = (state.clone(), ticket.clone());
    tokio::spawn(async move {
        let id = ticket.id.clone();
        let visitor = match state.db.visitor(&ticket.visitor_id).await {
            Ok(Some(visitor)) => visitor,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(ticket = %id, error = %e, "ticket e-mail not sent");
                return;
            }
        };
        match crate::confirm::trust(&state, &visitor, &address).await {
            Ok(trust) if trust.carries_content() => {}
            Ok(_) => {
                let Some(ask) = unconfirmed else {
                    tracing::info!(ticket = %id, "ticket e-mail not sent: the address is not confirmed");
                    return;
                };
                let purpose = crate::confirm::Purpose::Ticket { id: &id, number: &ask.number };
                let locale = ticket.locale.as_deref();
                if let Err(e) =
                    crate::confirm::request(&state, &visitor, &address, locale, ask.ip_key.as_deref(), purpose).await
                {
                    tracing::warn!(ticket = %id, error = ?e, "confirmation e-mail not sent");
                }
                return;
            }
            Err(e) => {
                tracing::warn!(ticket = %id, error = ?e, "ticket e-mail not sent");
                return;
            }
        }
        let reply_to = match &state.config.inbound_mail {
            Some(inbound) => reply_address(&state.db, inbound, &id).await,
            None => None,
        };
        if let Err(e) = mailer.send_with_reply_to(to, reply_to, &subject, body).await {
            tracing::warn!(ticket = %id, error = %e, "ticket e-mail not sent");
        }
    });
}

/// Sends a ticket's confirmation (what the visitor wrote, its number, the
/// Reply-To) now that its address is confirmed; a failure is logged.
pub async fn mail_confirmation(state: &AppState, ticket_id: &str) {
    match state.db.ticket(ticket_id).await {
        Ok(Some(row)) => {
            let number = ticket_number(NUMBER_PREFIX, u64::try_from(row.number).unwrap_or(0));
            let subject = crate::mail::ticket_confirmation_subject(&row, &number);
            let by_reply = state.config.inbound_mail.is_some();
            let text = crate::mail::ticket_confirmation_text(&row, &number, by_reply);
            mail(state, &row, subject, text, None);
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(ticket = %ticket_id, error = %e, "held ticket confirmation not sent"),
    }
}

/// A fresh Reply-To address for one e-mail about a ticket, its token
/// recorded by hash; `None` (logged) when it cannot be made.
async fn reply_address(db: &Db, inbound: &InboundMailConfig, ticket: &str) -> Option<lettre::Address> {
    let token = random_hex(16);
    if let Err(e) = db.insert_reply_token(ticket, &sha256_hex(&token), now_ms()).await {
        tracing::warn!(ticket = %ticket, error = %e, "reply token not stored; ticket e-mail sent without Reply-To");
        return None;
    }
    match inbound.reply_address(&token).parse() {
        Ok(address) => Some(address),
        Err(e) => {
            tracing::warn!(ticket = %ticket, error = %e, "inbound_mail.address unusable; no Reply-To");
            None
        }
    }
}

/// What a visitor's reply does to the status: one to a `resolved` ticket
/// reopens it, one to a `pending_user` ticket hands it back to the team.
pub(crate) fn status_after_visitor_reply(status: TicketStatus) -> Option<TicketStatus> {
    matches!(status, TicketStatus::Resolved | TicketStatus::PendingUser).then_some(TicketStatus::Open)
}

/// Adds a reply (or, for an agent, an internal note) to a ticket's thread.
/// A visitor's reply to a `resolved` ticket reopens it (and one to a
/// `pending_user` ticket hands it back to the team); to a `closed` one it
/// is refused with `closed`. A public agent reply is e-mailed to the user.
pub async fn reply(
    state: &AppState,
    actor: Actor<'_>,
    id: &str,
    request: NewTicketReply,
) -> Result<TicketReply, AppError> {
    let ticket = access::ticket(state, actor, id).await?;
    check_client_id(&request.client_id)?;
    if let Some(existing) = state.db.ticket_entry_by_client(&ticket.id, &request.client_id).await? {
        return own_duplicate(actor, existing);
    }
    let mut request = request;
    request.body = crate::sniff::plain_text(std::mem::take(&mut request.body));
    let max = state.config.limits.max_message_chars;
    let chars = request.body.chars().count();
    if chars > max as usize {
        return Err(AppError::too_large(
            "body",
            format!("A reply can have at most {max} characters; this one has {chars}."),
        ));
    }
    if request.body.trim().is_empty() && request.attachments.is_empty() {
        return Err(AppError::invalid("body", "The reply is empty."));
    }
    if let Actor::Visitor(_) = actor {
        secrets::refuse("body", &request.body)?;
    }
    let internal = match actor {
        Actor::Agent(_) => request.internal,
        Actor::Visitor(_) if request.internal => {
            return Err(AppError::forbidden("Only agents write internal notes."));
        }
        Actor::Visitor(_) => false,
    };
    if ticket.status == TicketStatus::Closed && !internal {
        return Err(closed());
    }
    let (owner_kind, owner_id, author, agent) = match actor {
        Actor::Visitor(v) => {
            state.visitor_rate.check(&v.id).await.map_err(AppError::rate_limited)?;
            ("visitor", v.id.as_str(), AuthorKind::Visitor, None)
        }
        Actor::Agent(a) => ("agent", a.id.as_str(), AuthorKind::Agent, Some(a)),
    };
    let attachments = owned_attachments(state, &request.attachments, owner_kind, owner_id).await?;
    let status = match actor {
        Actor::Visitor(_) => status_after_visitor_reply(ticket.status),
        Actor::Agent(_) => None,
    };
    let new = NewEntry {
        ticket: ticket.id.clone(),
        client_id: Some(request.client_id),
        author,
        author_name: agent.map(|a| a.name.clone()),
        agent_id: agent.map(|a| a.id.clone()),
        body: request.body,
        attachments,
        internal,
        status,
        by_email: false,
        at: now_ms(),
    };
    state.db.mark_referenced(&new.attachments, new.at).await?;
    match state.db.append_ticket_entry(&new, ticket.status).await? {
        Appended::New(entry) => {
            let row = publish(state, &ticket.id, Some(&entry.reply)).await?;
            if let (Some(agent), false) = (agent, internal) {
                let number = ticket_number(NUMBER_PREFIX, u64::try_from(row.number).unwrap_or(0));
                let subject = crate::mail::ticket_reply_subject(&row, &number);
                let by_reply = state.config.inbound_mail.is_some();
                let text = crate::mail::ticket_reply_text(&row, &number, &agent.name, &entry.reply, by_reply);
                mail(state, &row, subject, text, None);
            }
            Ok(entry.reply)
        }
        Appended::Duplicate(entry) => own_duplicate(actor, entry),
        Appended::Changed => Err(changed()),
    }
}

fn own_duplicate(actor: Actor<'_>, existing: EntryRow) -> Result<TicketReply, AppError> {
    let same_author = match actor {
        Actor::Visitor(_) => existing.reply.author.kind == AuthorKind::Visitor,
        Actor::Agent(a) => existing.agent_id.as_deref() == Some(a.id.as_str()),
    };
    if same_author {
        Ok(existing.reply)
    } else {
        Err(AppError::invalid("clientId", "This clientId is already used by another reply; generate a new one."))
    }
}

/// Records a status change in the thread and pushes it.
async fn change_status(
    state: &AppState,
    ticket: &TicketRow,
    to: TicketStatus,
    agent: Option<&AgentRow>,
) -> Result<TicketRow, AppError> {
    let new = NewEntry {
        ticket: ticket.id.clone(),
        client_id: None,
        author: if agent.is_some() { AuthorKind::Agent } else { AuthorKind::Visitor },
        author_name: agent.map(|a| a.name.clone()),
        agent_id: agent.map(|a| a.id.clone()),
        body: String::new(),
        attachments: Vec::new(),
        internal: false,
        status: Some(to),
        by_email: false,
        at: now_ms(),
    };
    state.db.mark_referenced(&new.attachments, new.at).await?;
    match state.db.append_ticket_entry(&new, ticket.status).await? {
        Appended::New(entry) | Appended::Duplicate(entry) => publish(state, &ticket.id, Some(&entry.reply)).await,
        Appended::Changed => Err(changed()),
    }
}

/// The visitor closes (`closed`) or reopens (`open`) their ticket. Asking
/// for the status it already has changes nothing.
pub async fn set_status(
    state: &AppState,
    visitor: &VisitorRow,
    id: &str,
    to: TicketStatus,
) -> Result<TicketSummary, AppError> {
    let ticket = access::ticket(state, Actor::Visitor(visitor), id).await?;
    let needed = match to {
        TicketStatus::Closed => ticket.status != TicketStatus::Closed,
        TicketStatus::Open => !ticket.status.is_active(),
        _ => {
            return Err(AppError::invalid(
                "status",
                "A visitor can close a ticket (\"closed\") or reopen it (\"open\").",
            ))
        }
    };
    let row = if needed { change_status(state, &ticket, to, None).await? } else { ticket };
    summary(state, &row, View::Visitor).await
}

/// The visitor has read the thread up to `seq`; their other sockets learn
/// the new unread count.
pub async fn read(state: &AppState, visitor: &VisitorRow, id: &str, seq: u64) -> Result<(), AppError> {
    let ticket = access::ticket(state, Actor::Visitor(visitor), id).await?;
    let seq = i64::try_from(seq).unwrap_or(i64::MAX).min(ticket.last_seq);
    if seq <= ticket.visitor_read_seq {
        return Ok(());
    }
    state.db.mark_ticket_read(&ticket.id, false, seq).await?;
    if let Some(row) = state.db.ticket(&ticket.id).await? {
        let ticket = summary(state, &row, View::Visitor).await?;
        state.hub.publish(&Channel::Visitor(row.visitor_id.clone()), &ServerFrame::Ticket { ticket });
    }
    Ok(())
}

/// An agent opened the ticket: the user's entries are read, when the agent
/// is the one it is assigned to (or nobody is). An admin looking in at a
/// colleague's ticket does not mark it read.
pub async fn agent_read(state: &AppState, agent: &AgentRow, ticket: &TicketRow) -> Result<(), AppError> {
    let handling = ticket.agent_id.as_deref().is_none_or(|a| a == agent.id);
    if handling && ticket.last_seq > ticket.agent_read_seq {
        state.db.mark_ticket_read(&ticket.id, true, ticket.last_seq).await?;
    }
    Ok(())
}

/// Rates a resolved or closed ticket.
pub async fn rate(state: &AppState, visitor: &VisitorRow, id: &str, rating: Rating) -> Result<TicketSummary, AppError> {
    let ticket = access::ticket(state, Actor::Visitor(visitor), id).await?;
    if !(1..=5).contains(&rating.score) {
        return Err(AppError::invalid("score", format!("score must be 1 to 5, not {}.", rating.score)));
    }
    let max = state.config.limits.max_message_chars;
    if rating.comment.as_ref().is_some_and(|c| c.chars().count() > max as usize) {
        return Err(AppError::too_large("comment", format!("A comment can have at most {max} characters.")));
    }
    let rating = Rating { comment: rating.comment.filter(|c| !c.trim().is_empty()), ..rating };
    if !state.db.rate_ticket(&ticket.id, &rating, now_ms()).await? {
        return Err(AppError::conflict("A ticket can be rated once it is resolved or closed."));
    }
    let row = publish(state, &ticket.id, None).await?;
    summary(state, &row, View::Visitor).await
}

/// An agent changes a ticket: assignment, urgency and category (which
/// re-route it), status (recorded in the thread).
///
/// The rule, as for conversations: a ticket assigned to an agent is theirs.
/// Only they or an admin may reassign it, unassign it or change its status;
/// anyone who sees it may still re-route it (category, urgency). A ticket
/// nobody holds may be taken or moved by anyone who sees it.
pub async fn update(
    state: &AppState,
    agent: &AgentRow,
    id: &str,
    update: TicketUpdate,
) -> Result<TicketSummary, AppError> {
    let ticket = access::ticket(state, Actor::Agent(agent), id).await?;
    let held_by_another = ticket.agent_id.as_deref().is_some_and(|holder| holder != agent.id);
    let takes_over = update.assignee.is_some() || update.unassign || update.status.is_some_and(|s| s != ticket.status);
    if held_by_another && takes_over && agent.role != AgentRole::Admin {
        return Err(AppError::forbidden(
            "This ticket is assigned to another agent: only they or an admin may reassign it or change its status.",
        ));
    }
    if update.unassign && update.assignee.is_some() {
        return Err(AppError::invalid("assignee", "Give either assignee or unassign, not both."));
    }
    let assignee = match &update.assignee {
        Some(to) => {
            let found = if to.len() <= MAX_ID_CHARS { state.db.agent(to).await? } else { None };
            Some(found.ok_or_else(|| AppError::not_found("agent"))?)
        }
        None => None,
    };
    let category = match update.category.as_deref().map(str::trim) {
        Some(c) if c.is_empty() || c.chars().count() > MAX_ID_CHARS => {
            return Err(AppError::invalid("category", format!("category must have 1 to {MAX_ID_CHARS} characters.")))
        }
        Some(c) => c.to_string(),
        None => ticket.category.clone(),
    };
    let urgency = update.urgency.unwrap_or(ticket.urgency);
    let at = now_ms();
    let mut touched = false;
    if category != ticket.category || urgency != ticket.urgency {
        let queue = route(&state.config.queue, &category, urgency);
        state.db.route_ticket(&ticket.id, &category, urgency, &queue, at).await?;
        touched = true;
    }
    if let Some(assignee) = &assignee {
        if ticket.agent_id.as_deref() != Some(assignee.id.as_str()) {
            state.db.assign_ticket(&ticket.id, Some(&assignee.id), at).await?;
            touched = true;
        }
    } else if update.unassign && ticket.agent_id.is_some() {
        state.db.assign_ticket(&ticket.id, None, at).await?;
        touched = true;
    }
    let row = match update.status {
        Some(to) if to != ticket.status => change_status(state, &ticket, to, Some(agent)).await?,
        _ if touched => publish(state, &ticket.id, None).await?,
        _ => ticket,
    };
    summary(state, &row, View::Console).await
}

/// The console's list.
pub async fn console_list(
    state: &AppState,
    agent: &AgentRow,
    mut filter: TicketFilter,
) -> Result<Vec<TicketSummary>, AppError> {
    if agent.role != AgentRole::Admin && !agent.topics.is_empty() {
        filter.visible_to = Some((agent.id.clone(), agent.topics.clone()));
    }
    let rows = state.db.console_tickets(&filter).await?;
    summaries(state, &rows, View::Console).await
}

/// The categories an agent may file a ticket under. The server does not read
/// the host's content pack, so these are the ones it knows of: those of the
/// stored tickets, the topics routed in `queue.topics` (`category:urgency`
/// counts as its category), and `other`.
pub async fn categories(state: &AppState) -> Result<Vec<String>, AppError> {
    let mut all: std::collections::BTreeSet<String> = state.db.ticket_categories().await?.into_iter().collect();
    let routed = state.config.queue.topics.keys().map(|k| k.split(':').next().unwrap_or(k).to_owned());
    all.extend(routed);
    all.insert(helpdock_core::tickets::OTHER.to_owned());
    all.retain(|c| !c.is_empty());
    Ok(all.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use helpdock_core::protocol::Urgency;

    use super::route;
    use crate::config::QueueConfig;

    #[test]
    fn tickets_route_by_category_and_urgency_then_category_then_the_default() {
        let mut queue = QueueConfig::default();
        queue.topics.insert("deposit-not-arrived".into(), "payments".into());
        queue.topics.insert("deposit-not-arrived:urgent".into(), "payments-urgent".into());
        assert_eq!(route(&queue, "deposit-not-arrived", Urgency::Urgent), "payments-urgent");
        assert_eq!(route(&queue, "deposit-not-arrived", Urgency::High), "payments");
        assert_eq!(route(&queue, "other", Urgency::Urgent), "general");
    }
}
