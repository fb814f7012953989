//! What visitors and agents do to conversations, whichever way they ask
//! (HTTP or the socket): each operation checks who may do it, stores the
//! change, and only then tells every socket concerned through the hub.

use std::collections::HashMap;

use helpdock_core::protocol::{
    AgentInfo, Attachment, AuthorKind, ConversationStatus, ConversationSummary, QueueInfo, Rating, ServerFrame,
    StartConversation, SystemNote,
};

use crate::access::{self, may_see_conversation, Actor, MAX_ID_CHARS};
use crate::db::{AgentRow, ConversationRow, MessageRow, NewConversation, NewMessage, Stored, VisitorRow};
use crate::error::AppError;
use crate::hub::Channel;
use crate::notes::Lang;
use crate::secrets;
use crate::state::AppState;
use crate::token::{now_ms, random_id};

/// Most attachments one message may carry.
const MAX_ATTACHMENTS: usize = 10;
/// A place in a queue, with its wait estimate.
fn place_info(state: &AppState, position: u32) -> QueueInfo {
    QueueInfo { position, estimated_wait_secs: position.saturating_mul(state.config.queue.secs_per_position) }
}

/// A queued conversation's place in its queue.
async fn place(state: &AppState, c: &ConversationRow) -> Result<QueueInfo, AppError> {
    Ok(place_info(state, state.db.queue_place(&c.queue, c.queued_at, &c.id).await?))
}

/// Summaries of conversations, with their agents and queue places.
pub async fn summaries(state: &AppState, rows: &[ConversationRow]) -> Result<Vec<ConversationSummary>, AppError> {
    let mut places = Vec::with_capacity(rows.len());
    for c in rows {
        places.push(if c.status == ConversationStatus::Queued { Some(place(state, c).await?) } else { None });
    }
    let agents: HashMap<String, AgentInfo> = if rows.iter().any(|c| c.agent_id.is_some()) {
        state.db.agents().await?.into_iter().map(|a| (a.id.clone(), agent_info(&a))).collect()
    } else {
        HashMap::new()
    };
    Ok(rows.iter().zip(places).map(|(c, place)| summary_with(c, place, &agents)).collect())
}

/// One summary.
pub async fn summary(state: &AppState, row: &ConversationRow) -> Result<ConversationSummary, AppError> {
    Ok(summaries(state, std::slice::from_ref(row)).await?.remove(0))
}

/// A summary, with its queue place (when queued) and the agents by id.
fn summary_with(
    c: &ConversationRow,
    place: Option<QueueInfo>,
    agents: &HashMap<String, AgentInfo>,
) -> ConversationSummary {
    ConversationSummary {
        id: c.id.clone(),
        topic: c.topic.clone(),
        status: c.status,
        created_at: c.created_at,
        updated_at: c.updated_at,
        last_seq: u64::try_from(c.last_seq).unwrap_or(0),
        agent: c.agent_id.as_ref().and_then(|id| agents.get(id)).cloned(),
        queue: place.filter(|_| c.status == ConversationStatus::Queued),
        rating: c.rating.clone(),
    }
}

/// An agent as visitors see them.
pub fn agent_info(agent: &AgentRow) -> AgentInfo {
    AgentInfo { id: agent.id.clone(), name: agent.name.clone(), avatar: None }
}

/// Starts a conversation (or returns the one this `clientId` started).
pub async fn start(
    state: &AppState,
    visitor: &VisitorRow,
    request: StartConversation,
) -> Result<ConversationSummary, AppError> {
    let max = state.config.limits.max_message_chars as usize;
    if request.client_id.trim().is_empty() || request.client_id.chars().count() > MAX_ID_CHARS {
        return Err(AppError::invalid("clientId", format!("clientId must have 1 to {MAX_ID_CHARS} characters.")));
    }
    if request.topic.as_ref().is_some_and(|t| t.chars().count() > MAX_ID_CHARS) {
        return Err(AppError::invalid("topic", format!("topic can have at most {MAX_ID_CHARS} characters.")));
    }
    if request.transcript.len() > 500 {
        return Err(AppError::too_large("transcript", "A transcript can have at most 500 lines."));
    }
    if let Some(i) = request.transcript.iter().position(|l| l.text.chars().count() > max) {
        return Err(AppError::too_large(
            "transcript",
            format!("Transcript line {} has more than {max} characters.", i + 1),
        ));
    }
    if request.fields.len() > 100 {
        return Err(AppError::too_large("fields", "A conversation can carry at most 100 fields."));
    }
    if let Some(f) = request.fields.iter().find(|f| f.value.chars().count() > max || f.label.chars().count() > max) {
        return Err(AppError::too_large("fields", format!("Field {:?} is longer than {max} characters.", f.id)));
    }
    let limits = &state.config.limits;
    let carried: usize = request.transcript.iter().map(|l| l.text.chars().count()).sum::<usize>()
        + request.fields.iter().map(|f| f.label.chars().count() + f.value.chars().count()).sum::<usize>();
    if carried > limits.max_handover_chars as usize {
        return Err(AppError::too_large(
            "transcript",
            format!("A hand-over can carry at most {} characters of transcript and fields.", limits.max_handover_chars),
        ));
    }
    let open = state.db.open_conversations(&visitor.id).await?;
    if open.len() >= limits.open_conversations_per_visitor as usize && !open.contains(&request.client_id) {
        return Err(AppError::conflict(format!(
            "You already have {} open conversations; end one before starting another.",
            limits.open_conversations_per_visitor
        )));
    }
    for line in &request.transcript {
        secrets::refuse("transcript", &line.text)?;
    }
    for f in &request.fields {
        secrets::refuse(&format!("fields.{}", f.id), &f.value)?;
    }
    let at = now_ms();
    let queue = state.config.queue.route(request.topic.as_deref()).to_string();
    let new = NewConversation {
        id: random_id("c_"),
        visitor_id: visitor.id.clone(),
        client_id: request.client_id,
        topic: request.topic,
        queue,
        locale: request.locale.or_else(|| visitor.locale.clone()),
        reason: request.reason,
        transcript: request.transcript,
        fields: request.fields,
        at,
    };
    let (row, created) = state.db.start_conversation(&new).await?;
    if created {
        if let Some(hours) = &state.config.business_hours {
            if !hours.is_open(at) {
                system_message(state, &row, note("away", None, None, None)).await?;
            }
        }
        notify_queue(state, QueueChange::Joined(&row)).await?;
    }
    let row = state.db.conversation(&row.id).await?.unwrap_or(row);
    summary(state, &row).await
}

/// Stores a message and sends it to both sides; answers `(seq, at)` for
/// the `ack`. A `clientId` sent before is answered with its stored seq and
/// stored nothing twice.
pub async fn send(
    state: &AppState,
    actor: Actor<'_>,
    conversation: &str,
    client_id: &str,
    body: &str,
    attachment_ids: &[String],
) -> Result<(u64, i64), AppError> {
    let body = crate::sniff::plain_text(body.to_string());
    let body = body.as_str();
    let conversation = access::conversation(state, actor, conversation).await?;
    if client_id.trim().is_empty() || client_id.chars().count() > MAX_ID_CHARS {
        return Err(AppError::invalid("clientId", format!("clientId must have 1 to {MAX_ID_CHARS} characters.")));
    }
    // A resend is answered from what is stored, before any new check: it
    // was accepted once.
    if let Some(existing) = state.db.message_by_client(&conversation.id, client_id).await? {
        return resent(state, actor, &conversation, existing).await;
    }
    let max = state.config.limits.max_message_chars;
    let chars = body.chars().count();
    if chars > max as usize {
        return Err(AppError::too_large(
            "body",
            format!("A message can have at most {max} characters; this one has {chars}."),
        ));
    }
    if body.trim().is_empty() && attachment_ids.is_empty() {
        return Err(AppError::invalid("body", "The message is empty."));
    }
    if let Actor::Visitor(_) = actor {
        secrets::refuse("body", body)?;
    }
    if attachment_ids.len() > MAX_ATTACHMENTS {
        return Err(AppError::too_large(
            "attachments",
            format!("A message can carry at most {MAX_ATTACHMENTS} attachments."),
        ));
    }
    if let Actor::Agent(agent) = actor {
        if conversation.agent_id.as_deref() != Some(agent.id.as_str())
            && conversation.status != ConversationStatus::Closed
        {
            let message = if conversation.status == ConversationStatus::Queued {
                "Accept this conversation before replying."
            } else {
                "Another agent is handling this conversation."
            };
            return Err(AppError::forbidden(message));
        }
    }
    if conversation.status == ConversationStatus::Closed {
        return Err(AppError::closed());
    }
    if let Actor::Visitor(visitor) = actor {
        state.visitor_rate.check(&visitor.id).await.map_err(AppError::rate_limited)?;
    }
    let (owner_kind, owner_id) = match actor {
        Actor::Visitor(v) => ("visitor", v.id.as_str()),
        Actor::Agent(a) => ("agent", a.id.as_str()),
    };
    let mut attachments: Vec<Attachment> = Vec::with_capacity(attachment_ids.len());
    for id in attachment_ids {
        // Only the uploader may attach a file: someone else's id is as
        // unknown as a made-up one.
        let found =
            if id.len() <= MAX_ID_CHARS { state.db.owned_attachment(id, owner_kind, owner_id).await? } else { None };
        let Some(found) = found else {
            return Err(AppError::Client(helpdock_core::protocol::ErrorInfo {
                field: Some("attachments".into()),
                ..helpdock_core::protocol::ErrorInfo::new(
                    helpdock_core::protocol::ErrorCode::NotFound,
                    "An attachment of this message was not found; upload it again.",
                )
            }));
        };
        attachments.push(found);
    }
    let agent = match actor {
        Actor::Agent(a) => Some(a),
        Actor::Visitor(_) => None,
    };
    let new = NewMessage {
        conversation: conversation.id.clone(),
        client_id: Some(client_id.to_string()),
        author: actor.kind(),
        agent_id: agent.map(|a| a.id.clone()),
        agent_name: agent.map(|a| a.name.clone()),
        body: body.to_string(),
        attachments,
        at: now_ms(),
        system: None,
    };
    match state.db.store_message(new).await? {
        Stored::New(row) => {
            state.db.mark_referenced(&row.message.attachments, row.message.at).await?;
            state.typing_gate.forget(owner_id, &conversation.id);
            let ack = (row.message.seq, row.message.at);
            publish_message(state, &conversation, &row);
            // Acknowledged only once its frames have left this node: a node
            // that dies before publishing has acknowledged nothing, and the
            // client sends it again.
            state.hub.flush().await;
            Ok(ack)
        }
        Stored::Duplicate(row) => resent(state, actor, &conversation, row).await,
        Stored::Closed => Err(AppError::closed()),
    }
}

/// A message sent again with a `clientId` already stored: answered from the
/// stored row, and published again to the other side only. The first copy
/// may have been stored by a node that died before publishing it; a client
/// that has it already ignores a seq it holds, and the sender's own sockets
/// get nothing new.
async fn resent(
    state: &AppState,
    actor: Actor<'_>,
    conversation: &ConversationRow,
    existing: MessageRow,
) -> Result<(u64, i64), AppError> {
    let other = match actor {
        Actor::Visitor(_) => conversation.agent_id.clone().map(Channel::Agent),
        Actor::Agent(_) => Some(Channel::Visitor(conversation.visitor_id.clone())),
    };
    let frame = ServerFrame::Message { message: existing.message.clone() };
    let answer = own_duplicate(actor, existing)?;
    if let Some(other) = other {
        state.hub.publish(&other, &frame);
        state.hub.flush().await;
    }
    Ok(answer)
}

fn own_duplicate(actor: Actor<'_>, existing: MessageRow) -> Result<(u64, i64), AppError> {
    let same_author = match actor {
        Actor::Visitor(_) => existing.message.author.kind == AuthorKind::Visitor,
        Actor::Agent(a) => existing.agent_id.as_deref() == Some(a.id.as_str()),
    };
    if same_author {
        Ok((existing.message.seq, existing.message.at))
    } else {
        Err(AppError::invalid("clientId", "This clientId is already used by another message; generate a new one."))
    }
}

/// Sends a stored message to every socket of the visitor and of the agent.
fn publish_message(state: &AppState, conversation: &ConversationRow, row: &MessageRow) {
    let frame = ServerFrame::Message { message: row.message.clone() };
    state.hub.publish(&Channel::Visitor(conversation.visitor_id.clone()), &frame);
    if let Some(agent) = &conversation.agent_id {
        state.hub.publish(&Channel::Agent(agent.clone()), &frame);
    }
}

/// A system line's code and parameters (protocol `SystemNote`).
fn note(code: &str, agent: Option<&str>, to: Option<&str>, queue: Option<&str>) -> SystemNote {
    let own = |s: Option<&str>| s.map(str::to_owned);
    SystemNote { code: code.to_owned(), agent: own(agent), to: own(to), queue: own(queue) }
}

/// Stores and sends a system line (joins, transfers, closing).
async fn system_message(state: &AppState, conversation: &ConversationRow, note: SystemNote) -> Result<(), AppError> {
    let new = NewMessage {
        conversation: conversation.id.clone(),
        client_id: None,
        author: AuthorKind::System,
        agent_id: None,
        agent_name: None,
        body: crate::notes::wording(&note, Lang::En),
        attachments: Vec::new(),
        at: now_ms(),
        system: Some(note),
    };
    if let Stored::New(row) = state.db.store_message(new).await? {
        publish_message(state, conversation, &row);
    }
    Ok(())
}

/// Passes typing indicators through at most once per [`TypingGate::EVERY`]
/// per person and conversation, whatever the number of sockets: the
/// server's side of coalescing, before any database read. A stop after a
/// start always goes through (the other side's indicator must end); a new
/// start after a stop waits [`TypingGate::CHANGE`]. Toggling as fast as one
/// can gets a few indicators a second through, never a flood.
#[derive(Debug, Default)]
pub struct TypingGate(std::sync::Mutex<HashMap<String, (bool, std::time::Instant)>>);

impl TypingGate {
    /// The shortest gap between two indicators of the same state.
    pub const EVERY: std::time::Duration = std::time::Duration::from_secs(2);
    /// The shortest gap before a start that follows a stop.
    pub const CHANGE: std::time::Duration = std::time::Duration::from_millis(500);

    /// A message ends typing: the next indicator goes through at once.
    pub fn forget(&self, who: &str, conversation: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(&format!("{who}\u{1f}{conversation}"));
    }

    /// Whether `typing` from `who` in `conversation` goes on now.
    pub fn pass(&self, who: &str, conversation: &str, typing: bool) -> bool {
        let now = std::time::Instant::now();
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 50_000 {
            seen.retain(|_, (_, at)| now.duration_since(*at) < Self::EVERY);
        }
        let key = format!("{who}\u{1f}{conversation}");
        match seen.get(&key) {
            Some((last, at)) if *last == typing && now.duration_since(*at) < Self::EVERY => false,
            Some((false, at)) if typing && now.duration_since(*at) < Self::CHANGE => false,
            _ => {
                seen.insert(key, (typing, now));
                true
            }
        }
    }
}

/// Tells the other side that this one is typing.
pub async fn typing(state: &AppState, actor: Actor<'_>, conversation: &str, typing: bool) -> Result<(), AppError> {
    let who = match actor {
        Actor::Visitor(visitor) => &visitor.id,
        Actor::Agent(agent) => &agent.id,
    };
    if !state.typing_gate.pass(who, conversation, typing) {
        return Ok(());
    }
    let conversation = access::conversation(state, actor, conversation).await?;
    let frame = ServerFrame::Typing { conversation: conversation.id.clone(), author: actor.kind(), typing };
    match actor {
        Actor::Visitor(_) => {
            if let Some(agent) = &conversation.agent_id {
                state.hub.publish(&Channel::Agent(agent.clone()), &frame);
            }
        }
        Actor::Agent(agent) => {
            if conversation.agent_id.as_deref() == Some(agent.id.as_str()) {
                state.hub.publish(&Channel::Visitor(conversation.visitor_id.clone()), &frame);
            }
        }
    }
    Ok(())
}

/// Records a read receipt and tells the other side.
pub async fn read(state: &AppState, actor: Actor<'_>, conversation: &str, seq: u64) -> Result<(), AppError> {
    let conversation = access::conversation(state, actor, conversation).await?;
    let seq = i64::try_from(seq).unwrap_or(i64::MAX).min(conversation.last_seq);
    if seq <= 0 {
        return Ok(());
    }
    let by_agent = matches!(actor, Actor::Agent(_));
    if by_agent && !matches!(actor, Actor::Agent(a) if conversation.agent_id.as_deref() == Some(a.id.as_str())) {
        // An admin looking in does not mark the visitor's messages read.
        return Ok(());
    }
    state.db.mark_read(&conversation.id, by_agent, seq).await?;
    let frame = ServerFrame::Read { conversation: conversation.id.clone(), seq: seq as u64, by: actor.kind() };
    if by_agent {
        state.hub.publish(&Channel::Visitor(conversation.visitor_id.clone()), &frame);
    } else if let Some(agent) = &conversation.agent_id {
        state.hub.publish(&Channel::Agent(agent.clone()), &frame);
    }
    Ok(())
}

/// Ends a conversation.
pub async fn close(state: &AppState, actor: Actor<'_>, conversation: &str) -> Result<(), AppError> {
    let conversation = access::conversation(state, actor, conversation).await?;
    if let Actor::Agent(agent) = actor {
        if agent.role != helpdock_core::protocol::AgentRole::Admin
            && conversation.agent_id.as_deref() != Some(agent.id.as_str())
        {
            return Err(AppError::forbidden("Accept this conversation before closing it."));
        }
    }
    if conversation.status == ConversationStatus::Closed {
        return Err(AppError::closed());
    }
    let line = match actor {
        Actor::Visitor(_) => note("closed_by_visitor", None, None, None),
        Actor::Agent(agent) => note("closed_by_agent", Some(&agent.name), None, None),
    };
    system_message(state, &conversation, line).await?;
    let at = now_ms();
    if !state.db.close_conversation(&conversation.id, at).await? {
        return Err(AppError::closed());
    }
    let frame = ServerFrame::Closed { conversation: conversation.id.clone(), by: actor.kind(), at };
    state.hub.publish(&Channel::Visitor(conversation.visitor_id.clone()), &frame);
    if let Some(agent) = &conversation.agent_id {
        state.hub.publish(&Channel::Agent(agent.clone()), &frame);
    }
    if conversation.status == ConversationStatus::Queued {
        notify_queue(state, QueueChange::Left(&conversation)).await?;
    }
    Ok(())
}

/// An agent takes a queued conversation.
pub async fn accept(state: &AppState, agent: &AgentRow, conversation: &str) -> Result<(), AppError> {
    // An agent who serves the queue learns that a colleague was quicker
    // (`conflict`); anyone else finds nothing, as for any invisible id.
    let not_found = || AppError::not_found("conversation");
    let found = if conversation.len() <= MAX_ID_CHARS { state.db.conversation(conversation).await? } else { None };
    let conversation = found.ok_or_else(not_found)?;
    if !may_see_conversation(agent, &conversation) && !agent.serves(conversation.topic.as_deref(), &conversation.queue)
    {
        return Err(not_found());
    }
    match conversation.status {
        ConversationStatus::Closed => return Err(AppError::closed()),
        ConversationStatus::Active if conversation.agent_id.as_deref() == Some(agent.id.as_str()) => return Ok(()),
        ConversationStatus::Active => return Err(AppError::conflict("Another agent took this conversation first.")),
        ConversationStatus::Queued => {}
    }
    if !agent.serves(conversation.topic.as_deref(), &conversation.queue) {
        return Err(AppError::forbidden("This conversation waits in a queue you do not serve."));
    }
    if !state.db.accept_conversation(&conversation.id, &agent.id, now_ms()).await? {
        let now = state.db.conversation(&conversation.id).await?;
        return Err(match now.map(|c| c.status) {
            Some(ConversationStatus::Closed) => AppError::closed(),
            _ => AppError::conflict("Another agent took this conversation first."),
        });
    }
    joined(state, &conversation.id, agent, note("agent_joined", Some(&agent.name), None, None)).await?;
    notify_queue(state, QueueChange::Left(&conversation)).await
}

/// After an assignment: the system line, `agent_joined` to the visitor and
/// `assigned` to the agent.
async fn joined(state: &AppState, id: &str, agent: &AgentRow, line: SystemNote) -> Result<(), AppError> {
    let row = state.db.conversation(id).await?.ok_or_else(|| AppError::not_found("conversation"))?;
    let visitor = Channel::Visitor(row.visitor_id.clone());
    state.hub.publish(&visitor, &ServerFrame::AgentJoined { conversation: row.id.clone(), agent: agent_info(agent) });
    system_message(state, &row, line).await?;
    let row = state.db.conversation(id).await?.unwrap_or(row);
    let summary = summary(state, &row).await?;
    state.hub.publish(&Channel::Agent(agent.id.clone()), &ServerFrame::Assigned { conversation: summary });
    Ok(())
}

/// An agent hands a conversation to another agent, or back to a topic's
/// queue.
pub async fn transfer(
    state: &AppState,
    agent: &AgentRow,
    conversation: &str,
    to_agent: Option<&str>,
    to_topic: Option<&str>,
) -> Result<(), AppError> {
    let conversation = access::conversation(state, Actor::Agent(agent), conversation).await?;
    let admin = agent.role == helpdock_core::protocol::AgentRole::Admin;
    if conversation.status == ConversationStatus::Closed {
        return Err(AppError::closed());
    }
    if !admin && conversation.agent_id.as_deref() != Some(agent.id.as_str()) {
        return Err(AppError::forbidden("Accept this conversation before transferring it."));
    }
    let at = now_ms();
    let previous = conversation.agent_id.clone();
    match (to_agent, to_topic) {
        (Some(to), None) => {
            let target = match state.db.agent(to).await? {
                Some(target) if to.len() <= MAX_ID_CHARS => target,
                _ => return Err(AppError::not_found("agent")),
            };
            if !state.db.assign_conversation(&conversation.id, &target.id, at).await? {
                return Err(AppError::closed());
            }
            let frame = ServerFrame::Transferred { conversation: conversation.id.clone(), topic: None };
            state.hub.publish(&Channel::Visitor(conversation.visitor_id.clone()), &frame);
            if let Some(previous) = previous.as_ref().filter(|p| **p != target.id) {
                state.hub.publish(&Channel::Agent(previous.clone()), &frame);
            }
            let line = note("transferred", Some(&agent.name), Some(&target.name), None);
            joined(state, &conversation.id, &target, line).await?;
            if conversation.status == ConversationStatus::Queued {
                notify_queue(state, QueueChange::Left(&conversation)).await?;
            }
            Ok(())
        }
        (None, Some(topic)) => {
            if topic.trim().is_empty() || topic.chars().count() > MAX_ID_CHARS {
                return Err(AppError::invalid("toTopic", format!("toTopic must have 1 to {MAX_ID_CHARS} characters.")));
            }
            let queue = state.config.queue.route(Some(topic)).to_string();
            let line = note("requeued", Some(&agent.name), None, Some(&queue));
            system_message(state, &conversation, line).await?;
            if !state.db.requeue_conversation(&conversation.id, Some(topic), &queue, at).await? {
                return Err(AppError::closed());
            }
            let frame = ServerFrame::Transferred { conversation: conversation.id.clone(), topic: Some(topic.into()) };
            state.hub.publish(&Channel::Visitor(conversation.visitor_id.clone()), &frame);
            if let Some(previous) = &previous {
                state.hub.publish(&Channel::Agent(previous.clone()), &frame);
            }
            if conversation.status == ConversationStatus::Queued {
                notify_queue(state, QueueChange::Left(&conversation)).await?;
            }
            let requeued =
                state.db.conversation(&conversation.id).await?.ok_or_else(|| AppError::not_found("conversation"))?;
            notify_queue(state, QueueChange::Joined(&requeued)).await
        }
        _ => Err(AppError::invalid("toAgent", "Give either toAgent or toTopic.")),
    }
}

/// Rates a closed conversation.
pub async fn rate(
    state: &AppState,
    visitor: &VisitorRow,
    conversation: &str,
    rating: Rating,
) -> Result<ConversationSummary, AppError> {
    let conversation = access::conversation(state, Actor::Visitor(visitor), conversation).await?;
    if !(1..=5).contains(&rating.score) {
        return Err(AppError::invalid("score", format!("score must be 1 to 5, not {}.", rating.score)));
    }
    if rating.comment.as_ref().is_some_and(|c| c.chars().count() > state.config.limits.max_message_chars as usize) {
        return Err(AppError::too_large(
            "comment",
            format!("A comment can have at most {} characters.", state.config.limits.max_message_chars),
        ));
    }
    let rating = Rating { comment: rating.comment.filter(|c| !c.trim().is_empty()), ..rating };
    if !state.db.rate_conversation(&conversation.id, &rating, now_ms()).await? {
        return Err(AppError::conflict("A conversation can be rated once it has ended."));
    }
    let row = state.db.conversation(&conversation.id).await?.ok_or_else(|| AppError::not_found("conversation"))?;
    summary(state, &row).await
}

/// How the waiting list changed, for [`notify_queue`].
#[derive(Debug, Clone, Copy)]
pub enum QueueChange<'a> {
    /// The conversation joined the end of its queue (started, or put back).
    Joined(&'a ConversationRow),
    /// The conversation left its queue (taken, ended, expired or moved);
    /// the row as it was while it waited.
    Left(&'a ConversationRow),
}

/// The queue changed: the visitors whose place it moved get their new
/// place, and every node is told, so that it sends its online agents the
/// first `queue.shown_to_agents` of what waits for them and how many wait
/// in all ([`send_queue_lists`]). A conversation joining at the end moves
/// nobody else, so a start costs the same however long the queue is.
pub async fn notify_queue(state: &AppState, change: QueueChange<'_>) -> Result<(), AppError> {
    match change {
        QueueChange::Joined(c) => {
            let frame = ServerFrame::Queue { conversation: c.id.clone(), queue: place(state, c).await? };
            state.hub.publish(&Channel::Visitor(c.visitor_id.clone()), &frame);
        }
        QueueChange::Left(c) => {
            // Everyone behind it moves up one.
            let first = state.db.queue_place(&c.queue, c.queued_at, &c.id).await?;
            for (position, (id, visitor)) in (first..).zip(state.db.queued_behind(&c.queue, c.queued_at, &c.id).await?)
            {
                let frame = ServerFrame::Queue { conversation: id, queue: place_info(state, position) };
                state.hub.publish(&Channel::Visitor(visitor), &frame);
            }
        }
    }
    // Agents: one broadcast, and each node sends its own agents' lists.
    state.hub.queue_changed();
    Ok(())
}

/// Sends the agents whose sockets this node holds their waiting lists
/// each time some node says a list changed: at once for the first change,
/// then at most once per `queue.agents_refresh_ms`, however many changes
/// come meanwhile. The queue is read once for all of them, and an agent
/// whose list did not change is sent nothing. Runs while the server does.
pub async fn send_queue_lists(state: AppState) {
    let every = std::time::Duration::from_millis(u64::from(state.config.queue.agents_refresh_ms));
    let mut changes = state.hub.here().queue_events();
    // What each agent here was sent last (as sent), to skip repeats.
    let mut sent: HashMap<String, ServerFrame> = HashMap::new();
    while changes.changed().await.is_ok() {
        let started = tokio::time::Instant::now();
        if let Err(e) = send_queue_lists_once(&state, &mut sent).await {
            tracing::warn!(error = ?e, "sending the waiting lists failed");
        }
        tokio::time::sleep_until(started + every).await;
    }
}

async fn send_queue_lists_once(state: &AppState, sent: &mut HashMap<String, ServerFrame>) -> Result<(), AppError> {
    let here = state.hub.here();
    let online = here.agents();
    sent.retain(|id, _| online.contains(id));
    if online.is_empty() {
        return Ok(());
    }
    let agents: Vec<AgentRow> = state.db.agents().await?.into_iter().filter(|a| online.contains(&a.id)).collect();
    for (agent, (waiting, total)) in agents.iter().zip(waiting_lists(state, &agents).await?) {
        let frame = ServerFrame::QueueChanged { waiting, total: Some(total) };
        if sent.get(&agent.id) != Some(&frame) {
            here.deliver(&Channel::Agent(agent.id.clone()), &frame);
            sent.insert(agent.id.clone(), frame);
        }
    }
    Ok(())
}

/// Closes the queued conversations nobody waits for any more: unchanged
/// for `limits.queued_expiry_secs` and with no socket of their visitor
/// open. Answers how many it closed.
pub async fn expire_abandoned(state: &AppState) -> Result<usize, AppError> {
    let now = now_ms();
    let oldest = now - i64::from(state.config.limits.queued_expiry_secs) * 1000;
    let mut closed = 0;
    for c in state.db.queued_idle(oldest).await? {
        let visitor = Channel::Visitor(c.visitor_id.clone());
        if state.hub.subscribers(&visitor).await > 0 {
            continue;
        }
        if state.db.close_conversation(&c.id, now).await? {
            let frame = ServerFrame::Closed { conversation: c.id.clone(), by: AuthorKind::System, at: now };
            state.hub.publish(&visitor, &frame);
            notify_queue(state, QueueChange::Left(&c)).await?;
            closed += 1;
        }
    }
    if closed > 0 {
        tracing::info!(closed, "closed abandoned queued conversations");
    }
    Ok(closed)
}

/// What waits for one agent: the first `queue.shown_to_agents`, oldest
/// first, and how many wait in all.
pub async fn waiting(state: &AppState, agent: &AgentRow) -> Result<(Vec<ConversationSummary>, u32), AppError> {
    Ok(waiting_lists(state, std::slice::from_ref(agent)).await?.remove(0))
}

/// [`waiting`] for several agents, reading the queue once: the counts by
/// queue and topic, then pages in queue order until every agent's list is
/// full or has all they serve. Transcripts and fields are never read.
async fn waiting_lists(
    state: &AppState,
    agents: &[AgentRow],
) -> Result<Vec<(Vec<ConversationSummary>, u32)>, AppError> {
    const PAGE: u32 = 200;
    let shown = state.config.queue.shown_to_agents as usize;
    let counts = state.db.queue_counts().await?;
    let mut lists: Vec<(Vec<ConversationSummary>, u32)> = agents
        .iter()
        .map(|a| {
            let total = counts.iter().filter(|(queue, topic, _)| a.serves(topic.as_deref(), queue)).map(|c| c.2).sum();
            (Vec::new(), total)
        })
        .collect();
    let full = |lists: &[(Vec<ConversationSummary>, u32)]| {
        lists.iter().all(|(list, total)| list.len() >= shown.min(*total as usize))
    };
    // Places count from the queue's head, so the pages are read from it.
    let mut positions: HashMap<String, u32> = HashMap::new();
    let mut after: Option<(i64, String)> = None;
    while !full(&lists) {
        let page = state.db.queued_page(after.as_ref().map(|(at, id)| (*at, id.as_str())), PAGE).await?;
        for c in &page {
            let position = positions.entry(c.queue.clone()).or_default();
            *position += 1;
            let place = place_info(state, *position);
            for (agent, (list, _)) in agents.iter().zip(lists.iter_mut()) {
                if list.len() < shown && agent.serves(c.topic.as_deref(), &c.queue) {
                    list.push(summary_with(c, Some(place.clone()), &HashMap::new()));
                }
            }
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => after = Some((last.queued_at, last.id.clone())),
            _ => break,
        }
    }
    Ok(lists)
}

/// The live state a resuming client gets after its replay: the queue place,
/// the agent, a read receipt, the closing.
pub async fn live_state(
    state: &AppState,
    actor: Actor<'_>,
    conversation: &ConversationRow,
) -> Result<Vec<ServerFrame>, AppError> {
    let id = conversation.id.clone();
    let mut frames = Vec::new();
    match conversation.status {
        ConversationStatus::Queued => {
            frames.push(ServerFrame::Queue { conversation: id.clone(), queue: place(state, conversation).await? });
        }
        ConversationStatus::Active => {
            if let (Actor::Visitor(_), Some(agent_id)) = (actor, &conversation.agent_id) {
                if let Some(agent) = state.db.agent(agent_id).await? {
                    frames.push(ServerFrame::AgentJoined { conversation: id.clone(), agent: agent_info(&agent) });
                }
            }
        }
        ConversationStatus::Closed => {}
    }
    let (other_read, by) = match actor {
        Actor::Visitor(_) => (conversation.agent_read_seq, AuthorKind::Agent),
        Actor::Agent(_) => (conversation.visitor_read_seq, AuthorKind::Visitor),
    };
    if other_read > 0 {
        frames.push(ServerFrame::Read { conversation: id.clone(), seq: other_read as u64, by });
    }
    if conversation.status == ConversationStatus::Closed {
        // Who closed it is not stored; the system line in the history says.
        frames.push(ServerFrame::Closed { conversation: id, by: AuthorKind::System, at: conversation.updated_at });
    }
    Ok(frames)
}
