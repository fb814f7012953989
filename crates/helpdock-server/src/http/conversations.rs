//! `/api/v1/conversations`: a visitor's conversations.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use helpdock_core::protocol::{ConversationDetail, ConversationSummary, Rating, StartConversation, TranscriptRequest};

use super::{AppError, AppState, ClientIp, JsonBody, VisitorAuth};
use crate::access::{self, Actor};
use crate::chat;
use crate::confirm;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations", post(start).get(list))
        .route("/conversations/{id}", get(read))
        .route("/conversations/{id}/rating", post(rate))
        .route("/conversations/{id}/transcript", post(email_transcript))
}

async fn start(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    JsonBody(request): JsonBody<StartConversation>,
) -> Result<Json<ConversationSummary>, AppError> {
    Ok(Json(chat::start(&state, &visitor, request).await?))
}

async fn list(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
) -> Result<Json<Vec<ConversationSummary>>, AppError> {
    let rows = state.db.visitor_conversations(&visitor.id).await?;
    Ok(Json(chat::summaries(&state, &rows).await?))
}

/// `?after=N` (default 0).
pub(super) fn after_param(query: Option<&str>) -> Result<i64, AppError> {
    let Some(query) = query else { return Ok(0) };
    for pair in query.split('&') {
        if let Some(value) = pair.strip_prefix("after=") {
            return value.parse::<u64>().ok().and_then(|v| i64::try_from(v).ok()).ok_or_else(|| {
                AppError::invalid("after", format!("after must be a sequence number (0 or more), not {value:?}."))
            });
        }
    }
    Ok(0)
}

async fn read(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<ConversationDetail>, AppError> {
    let after = after_param(query.as_deref())?;
    let conversation = access::conversation(&state, Actor::Visitor(&visitor), &id).await?;
    let messages = state.db.messages_after(&conversation.id, after).await?;
    Ok(Json(ConversationDetail {
        summary: chat::summary(&state, &conversation).await?,
        transcript: conversation.transcript,
        fields: conversation.fields,
        messages: messages.into_iter().map(|m| m.message).collect(),
    }))
}

async fn rate(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    Path(id): Path<String>,
    JsonBody(rating): JsonBody<Rating>,
) -> Result<Json<ConversationSummary>, AppError> {
    Ok(Json(chat::rate(&state, &visitor, &id, rating).await?))
}

/// 202 once the transcript is on its way: at once to an address the host
/// vouches for or its owner confirmed, else after the owner follows the
/// link in a fixed-text confirmation e-mail sent now ([`crate::confirm`]).
async fn email_transcript(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    ip: ClientIp,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<TranscriptRequest>,
) -> Result<StatusCode, AppError> {
    let conversation = access::conversation(&state, Actor::Visitor(&visitor), &id).await?;
    if state.mailer.is_none() {
        return Err(AppError::unavailable("E-mail is not set up on this server, so the transcript cannot be sent."));
    }
    let email = request.email.trim();
    if email.len() > 254 || email.parse::<lettre::Address>().is_err() {
        return Err(AppError::invalid("email", format!("{email:?} is not an e-mail address.")));
    }
    state.visitor_rate.check(&visitor.id).await.map_err(AppError::rate_limited)?;
    if confirm::trust(&state, &visitor, email).await?.carries_content() {
        confirm::send_transcript(&state, &conversation.id, email).await?;
    } else {
        let locale = conversation.locale.as_deref();
        let purpose = confirm::Purpose::Transcript(&conversation.id);
        confirm::request(&state, &visitor, email, locale, ip.key().as_deref(), purpose).await?;
    }
    Ok(StatusCode::ACCEPTED)
}
