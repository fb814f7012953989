//! Tickets over HTTP: `/api/v1/tickets` for visitors and
//! `/console/api/tickets` for agents. The rules live in `crate::tickets`.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use helpdock_core::protocol::{
    ConsoleTicket, NewTicket, NewTicketReply, Rating, TicketDetail, TicketRead, TicketReply, TicketStatus,
    TicketStatusChange, TicketSummary, TicketUpdate, Urgency,
};
use percent_encoding::percent_decode_str;

use super::{AgentAuth, AppError, AppState, ClientIp, JsonBody, VisitorAuth};
use crate::access::{self, Actor, MAX_ID_CHARS};
use crate::db::TicketFilter;
use crate::tickets::{self, View};

pub(super) fn visitor_router() -> Router<AppState> {
    Router::new()
        .route("/tickets", post(create).get(list))
        .route("/tickets/{id}", get(read))
        .route("/tickets/{id}/replies", post(reply))
        .route("/tickets/{id}/status", post(set_status))
        .route("/tickets/{id}/read", post(mark_read))
        .route("/tickets/{id}/rating", post(rate))
}

pub(super) fn console_router() -> Router<AppState> {
    Router::new()
        .route("/tickets", get(console_list))
        .route("/ticket-categories", get(console_categories))
        .route("/tickets/{id}", get(console_read).patch(console_update))
        .route("/tickets/{id}/replies", post(console_reply))
}

/// 201 with the new ticket; 200 with the one this `clientId` created before.
async fn create(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    ip: ClientIp,
    JsonBody(request): JsonBody<NewTicket>,
) -> Result<Response, AppError> {
    let (detail, created) = tickets::create(&state, &visitor, request, ip.key()).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(detail)).into_response())
}

async fn list(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
) -> Result<Json<Vec<TicketSummary>>, AppError> {
    let rows = state.db.visitor_tickets(&visitor.id, visitor.user_id.as_deref()).await?;
    Ok(Json(tickets::summaries(&state, &rows, View::Visitor).await?))
}

async fn read(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    Path(id): Path<String>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = access::ticket(&state, Actor::Visitor(&visitor), &id).await?;
    Ok(Json(tickets::detail(&state, &ticket, View::Visitor).await?))
}

async fn reply(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<NewTicketReply>,
) -> Result<Json<TicketReply>, AppError> {
    Ok(Json(tickets::reply(&state, Actor::Visitor(&visitor), &id, request).await?))
}

async fn set_status(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    Path(id): Path<String>,
    JsonBody(change): JsonBody<TicketStatusChange>,
) -> Result<Json<TicketSummary>, AppError> {
    Ok(Json(tickets::set_status(&state, &visitor, &id, change.status).await?))
}

async fn mark_read(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<TicketRead>,
) -> Result<StatusCode, AppError> {
    tickets::read(&state, &visitor, &id, request.seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn rate(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    Path(id): Path<String>,
    JsonBody(rating): JsonBody<Rating>,
) -> Result<Json<TicketSummary>, AppError> {
    Ok(Json(tickets::rate(&state, &visitor, &id, rating).await?))
}

/// `?status=&category=&urgency=&assignee=`: an empty value filters nothing;
/// `assignee` is an agent id, `me` or `none`.
fn filter(agent_id: &str, query: Option<&str>) -> Result<TicketFilter, AppError> {
    let mut filter = TicketFilter::default();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode_str(&raw.replace('+', " ")).decode_utf8_lossy().trim().to_string();
        if value.is_empty() {
            continue;
        }
        if value.chars().count() > MAX_ID_CHARS {
            return Err(AppError::invalid(key, format!("{key} can have at most {MAX_ID_CHARS} characters.")));
        }
        match key {
            "status" => {
                filter.status = Some(TicketStatus::parse(&value).ok_or_else(|| {
                    AppError::invalid(
                        "status",
                        format!("status must be open, pending_user, in_progress, resolved or closed, not {value:?}."),
                    )
                })?);
            }
            "urgency" => {
                filter.urgency = Some(Urgency::parse(&value).ok_or_else(|| {
                    AppError::invalid("urgency", format!("urgency must be low, normal, high or urgent, not {value:?}."))
                })?);
            }
            "category" => filter.category = Some(value),
            "assignee" => {
                filter.assignee = Some(match value.as_str() {
                    "me" => Some(agent_id.to_string()),
                    "none" => None,
                    other => Some(other.to_string()),
                });
            }
            _ => {}
        }
    }
    Ok(filter)
}

async fn console_list(
    State(state): State<AppState>,
    auth: AgentAuth,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<TicketSummary>>, AppError> {
    let filter = filter(&auth.agent.id, query.as_deref())?;
    Ok(Json(tickets::console_list(&state, &auth.agent, filter).await?))
}

async fn console_categories(State(state): State<AppState>, _auth: AgentAuth) -> Result<Json<Vec<String>>, AppError> {
    Ok(Json(tickets::categories(&state).await?))
}

async fn console_read(
    State(state): State<AppState>,
    auth: AgentAuth,
    Path(id): Path<String>,
) -> Result<Json<ConsoleTicket>, AppError> {
    let ticket = access::ticket(&state, Actor::Agent(&auth.agent), &id).await?;
    // What the agent gets now is read; the answer still shows what was new.
    let detail = tickets::detail(&state, &ticket, View::Console).await?;
    tickets::agent_read(&state, &auth.agent, &ticket).await?;
    let visitor = tickets::visitor_info(&state, &ticket).await?;
    Ok(Json(ConsoleTicket { detail, visitor }))
}

async fn console_update(
    State(state): State<AppState>,
    auth: AgentAuth,
    Path(id): Path<String>,
    JsonBody(update): JsonBody<TicketUpdate>,
) -> Result<Json<TicketSummary>, AppError> {
    Ok(Json(tickets::update(&state, &auth.agent, &id, update).await?))
}

async fn console_reply(
    State(state): State<AppState>,
    auth: AgentAuth,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<NewTicketReply>,
) -> Result<Json<TicketReply>, AppError> {
    Ok(Json(tickets::reply(&state, Actor::Agent(&auth.agent), &id, request).await?))
}
