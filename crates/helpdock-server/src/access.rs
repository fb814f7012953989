//! Who is acting and what they may see. A visitor sees their own
//! conversations and tickets (and, once the host has verified who they are,
//! the tickets their user wrote from any device); an agent what is assigned
//! to them and what waits in the queues they serve; an admin everything.
//! Anything else is answered `not_found`, exactly like an id that does not
//! exist, so nobody learns what exists.

use helpdock_core::protocol::{AgentRole, AuthorKind, ConversationStatus};

use crate::db::{AgentRow, ConversationRow, TicketRow, VisitorRow};
use crate::error::AppError;
use crate::state::AppState;

/// Longest `clientId`, topic or other identifier a client may send.
pub const MAX_ID_CHARS: usize = 128;

/// Who is acting.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// A visitor (widget).
    Visitor(&'a VisitorRow),
    /// An agent (console).
    Agent(&'a AgentRow),
}

impl Actor<'_> {
    /// The author kind of what this actor writes.
    pub fn kind(&self) -> AuthorKind {
        match self {
            Actor::Visitor(_) => AuthorKind::Visitor,
            Actor::Agent(_) => AuthorKind::Agent,
        }
    }
}

/// An agent sees the conversations assigned to them and what waits in the
/// queues they serve; an admin sees everything.
pub fn may_see_conversation(agent: &AgentRow, c: &ConversationRow) -> bool {
    agent.role == AgentRole::Admin
        || c.agent_id.as_deref() == Some(agent.id.as_str())
        || (c.status == ConversationStatus::Queued && agent.serves(c.topic.as_deref(), &c.queue))
}

/// An agent sees the tickets assigned to them and those in the categories
/// or queues they serve; an admin sees everything.
pub fn may_see_ticket(agent: &AgentRow, ticket: &TicketRow) -> bool {
    agent.role == AgentRole::Admin
        || ticket.agent_id.as_deref() == Some(agent.id.as_str())
        || agent.serves(Some(&ticket.category), &ticket.queue)
}

/// The conversation if this actor may see it; otherwise `not_found`.
pub async fn conversation(state: &AppState, actor: Actor<'_>, id: &str) -> Result<ConversationRow, AppError> {
    let not_found = || AppError::not_found("conversation");
    if id.len() > MAX_ID_CHARS {
        return Err(not_found());
    }
    let conversation = state.db.conversation(id).await?.ok_or_else(not_found)?;
    let allowed = match actor {
        Actor::Visitor(visitor) => conversation.visitor_id == visitor.id,
        Actor::Agent(agent) => may_see_conversation(agent, &conversation),
    };
    if allowed {
        Ok(conversation)
    } else {
        Err(not_found())
    }
}

/// The ticket if this actor may see it (a visitor: they or their verified
/// user wrote it); otherwise `not_found`.
pub async fn ticket(state: &AppState, actor: Actor<'_>, id: &str) -> Result<TicketRow, AppError> {
    let not_found = || AppError::not_found("ticket");
    if id.len() > MAX_ID_CHARS {
        return Err(not_found());
    }
    let ticket = state.db.ticket(id).await?.ok_or_else(not_found)?;
    let allowed = match actor {
        Actor::Visitor(visitor) => {
            ticket.visitor_id == visitor.id || (visitor.user_id.is_some() && ticket.user_id == visitor.user_id)
        }
        Actor::Agent(agent) => may_see_ticket(agent, &ticket),
    };
    if allowed {
        Ok(ticket)
    } else {
        Err(not_found())
    }
}
