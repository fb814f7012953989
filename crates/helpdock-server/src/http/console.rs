//! `/console/api`: the agent console's sign-in, lists and conversation view.
//! Live actions (accept, transfer, send, close) go over the console socket.

use std::time::{Duration, Instant};

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use helpdock_core::protocol::{
    Agent, AgentRole, AgentSession, ConsoleConversation, ConversationDetail, ConversationStatus, ConversationSummary,
    Login, VisitorInfo,
};

use super::{AgentAuth, AppError, AppState, ClientIp, JsonBody, SECURE_SESSION_COOKIE, SESSION_COOKIE};
use crate::access::{self, Actor};
use crate::chat;
use crate::db::AgentRow;
use crate::rate::remaining;
use crate::token::{now_ms, random_secret, sha256_hex};

/// How long a console sign-in lasts.
const SESSION_HOURS: i64 = 12;
/// Every failed sign-in takes this long, whatever failed.
const FAILED_LOGIN_DELAY: Duration = Duration::from_millis(800);

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/agents", get(agents))
        .route("/queue", get(queue))
        .route("/conversations", get(conversations))
        .route("/conversations/{id}", get(conversation))
}

/// An agent as the console shows them; `online` among `online`, the agents
/// with a socket open on any node.
fn agent_view(agent: &AgentRow, online: &[String]) -> Agent {
    Agent {
        id: agent.id.clone(),
        email: agent.email.clone(),
        name: agent.name.clone(),
        role: agent.role,
        topics: agent.topics.clone(),
        online: online.contains(&agent.id),
    }
}

fn cookie(state: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    // Secure unless configured otherwise or, by default, on plain http on
    // loopback, where browsers would drop it (behind a TLS proxy on
    // loopback, `cookie_secure = true`).
    // A Secure cookie carries the `__Host-` prefix: browsers then accept it
    // only from this origin over https, with `Path=/` and no `Domain`, so a
    // sibling subdomain cannot plant or overwrite it.
    let (secure, name) = if state.config.cookie_secure.unwrap_or(!state.config.is_loopback()) {
        ("; Secure", SECURE_SESSION_COOKIE)
    } else {
        ("", SESSION_COOKIE)
    };
    let text = format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&text).expect("cookie values are URL-safe")
}

async fn login(
    State(state): State<AppState>,
    client: ClientIp,
    JsonBody(login): JsonBody<Login>,
) -> Result<Response, AppError> {
    let started = Instant::now();
    if let Some(key) = client.key() {
        state.login_rate.check(&key).await.map_err(AppError::rate_limited)?;
    }
    // Ten failures an hour per account and address: then this address is
    // refused for this account (whatever it tries), and no other is.
    let failures_key = format!("{}|{}", login.email.trim().to_lowercase(), client.key().unwrap_or_default());
    if !state.login_failures.allows(&failures_key).await {
        tokio::time::sleep(remaining(started, FAILED_LOGIN_DELAY)).await;
        return Err(AppError::rate_limited(60_000));
    }
    let agent = if login.email.len() <= 254 { state.db.agent_by_email(login.email.trim()).await? } else { None };
    let stored = agent.as_ref().map(|a| a.password_hash.clone());
    let password = login.password;
    let ok = crate::password::on_password_thread(move || crate::password::verify(&password, stored.as_deref()))
        .await
        .map_err(|e| AppError::internal("password check", e))?;
    let Some(agent) = agent.filter(|_| ok) else {
        _ = state.login_failures.check(&failures_key).await;
        tokio::time::sleep(remaining(started, FAILED_LOGIN_DELAY)).await;
        return Err(AppError::unauthorized("Wrong e-mail or password."));
    };
    let token = random_secret("as_");
    let csrf_token = random_secret("");
    let expires = now_ms() + SESSION_HOURS * 3_600_000;
    state.db.create_agent_session(&sha256_hex(&token), &agent.id, &csrf_token, expires).await?;
    let body = AgentSession {
        agent: agent_view(&agent, &state.hub.online_agents().await),
        csrf_token,
        official_domains: state.config.official_domains.clone(),
    };
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie(&state, &token, SESSION_HOURS * 3600));
    Ok(response)
}

async fn logout(State(state): State<AppState>, auth: AgentAuth) -> Result<Response, AppError> {
    state.db.delete_agent_session(&auth.session_hash).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie(&state, "", 0));
    Ok(response)
}

async fn me(State(state): State<AppState>, auth: AgentAuth) -> Json<AgentSession> {
    Json(AgentSession {
        agent: agent_view(&auth.agent, &state.hub.online_agents().await),
        csrf_token: auth.csrf_token,
        official_domains: state.config.official_domains.clone(),
    })
}

async fn agents(State(state): State<AppState>, _auth: AgentAuth) -> Result<Json<Vec<Agent>>, AppError> {
    let agents = state.db.agents().await?;
    let online = state.hub.online_agents().await;
    Ok(Json(agents.iter().map(|a| agent_view(a, &online)).collect()))
}

/// The first `queue.shown_to_agents` waiting; `X-Total-Count` says how many
/// wait in all.
async fn queue(
    State(state): State<AppState>,
    auth: AgentAuth,
) -> Result<([(&'static str, String); 1], Json<Vec<ConversationSummary>>), AppError> {
    let (waiting, total) = chat::waiting(&state, &auth.agent).await?;
    Ok(([("x-total-count", total.to_string())], Json(waiting)))
}

async fn conversations(
    State(state): State<AppState>,
    auth: AgentAuth,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<ConversationSummary>>, AppError> {
    let mut status = None;
    for pair in query.as_deref().unwrap_or("").split('&') {
        if let Some(value) = pair.strip_prefix("status=") {
            status = Some(match value {
                "queued" => ConversationStatus::Queued,
                "active" => ConversationStatus::Active,
                "closed" => ConversationStatus::Closed,
                other => {
                    return Err(AppError::invalid(
                        "status",
                        format!("status must be queued, active or closed, not {other:?}."),
                    ))
                }
            });
        }
    }
    let mine = (auth.agent.role != AgentRole::Admin).then_some(auth.agent.id.as_str());
    let rows = state.db.agent_conversations(mine, status).await?;
    Ok(Json(chat::summaries(&state, &rows).await?))
}

async fn conversation(
    State(state): State<AppState>,
    auth: AgentAuth,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<ConsoleConversation>, AppError> {
    let after = super::conversations::after_param(query.as_deref())?;
    let conversation = access::conversation(&state, Actor::Agent(&auth.agent), &id).await?;
    let messages = state.db.messages_after(&conversation.id, after).await?;
    let visitor = state.db.visitor(&conversation.visitor_id).await?.ok_or_else(|| AppError::not_found("visitor"))?;
    Ok(Json(ConsoleConversation {
        detail: ConversationDetail {
            summary: chat::summary(&state, &conversation).await?,
            transcript: conversation.transcript.clone(),
            fields: conversation.fields.clone(),
            messages: messages.into_iter().map(|m| m.message).collect(),
        },
        visitor: VisitorInfo {
            id: visitor.id,
            identified: visitor.user_id.is_some(),
            profile_verified: visitor.profile_verified,
            user_id: visitor.user_id,
            name: visitor.name,
            email: visitor.email,
            locale: conversation.locale.clone().or(visitor.locale),
        },
    }))
}
