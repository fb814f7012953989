//! Uploads (`POST /api/v1/attachments`, `POST /console/api/attachments`)
//! and the capability URLs that serve them.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use helpdock_core::protocol::Attachment;
use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};

use super::{AgentAuth, AppError, AppState, ClientIp, VisitorAuth};
use crate::attachments::store;
use crate::sniff::{clean_name, sniff, stored_name};
use crate::token::constant_time_eq;

pub(super) fn visitor_router() -> Router<AppState> {
    Router::new()
        .route("/attachments", post(visitor_upload).layer(DefaultBodyLimit::disable()))
        .route("/attachments/{id}/{secret}", get(download))
}

pub(super) fn console_router() -> Router<AppState> {
    Router::new().route("/attachments", post(agent_upload).layer(DefaultBodyLimit::disable()))
}

/// An upload from a visitor, within their budgets: files never sent
/// (`pending_uploads_per_visitor`), bytes per client address
/// (`upload_bytes_per_ip_per_hour`) and the server's storage
/// (`max_storage_bytes`).
async fn visitor_upload(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    ip: ClientIp,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Attachment>, AppError> {
    state.visitor_rate.check(&visitor.id).await.map_err(AppError::rate_limited)?;
    crate::secrets::refuse("name", &file_name(&headers))?;
    let limits = &state.config.limits;
    if state.db.pending_uploads("visitor", &visitor.id).await? >= i64::from(limits.pending_uploads_per_visitor) {
        return Err(AppError::conflict(format!(
            "You have {} files that were never sent; send or remove some before adding more.",
            limits.pending_uploads_per_visitor
        )));
    }
    let budget = |bytes: u64| {
        let (state, key) = (&state, ip.key());
        async move {
            match key {
                Some(key) => state.upload_budget.spend(&key, bytes as f64).await.map_err(AppError::rate_limited),
                None => Ok(()),
            }
        }
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    // The declared size up front (a lie only delays the refusal: what
    // arrives is counted below), and within the server's storage.
    let declared = declared.unwrap_or(0).min(limits.max_attachment_bytes);
    budget(declared).await?;
    let stored = u64::try_from(state.db.stored_upload_bytes().await?).unwrap_or(0);
    if stored.saturating_add(declared) > limits.max_storage_bytes {
        tracing::warn!(stored, "limits.max_storage_bytes reached: uploads refused");
        return Err(AppError::unavailable("Files cannot be stored just now; please try again later."));
    }
    let uploaded = upload(&state, "visitor", &visitor.id, &headers, body).await?;
    budget(uploaded.size.saturating_sub(declared)).await?;
    Ok(uploaded)
}

async fn agent_upload(
    State(state): State<AppState>,
    auth: AgentAuth,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Attachment>, AppError> {
    upload(&state, "agent", &auth.agent.id, &headers, body).await
}

/// The user's file name from `X-Filename`: percent-decoded, without any
/// folder, control characters or quotes, at most 200 characters.
fn file_name(headers: &HeaderMap) -> String {
    let raw = headers.get("x-filename").and_then(|v| v.to_str().ok()).unwrap_or("");
    clean_name(&percent_decode_str(raw).decode_utf8_lossy())
}

fn size_prose(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.0} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

async fn upload(
    state: &AppState,
    owner_kind: &str,
    owner_id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Json<Attachment>, AppError> {
    let name = file_name(headers);
    let limit = state.config.limits.max_attachment_bytes;
    let too_large = |size: Option<u64>| {
        let what = size.map_or_else(|| "larger than that".to_string(), size_prose);
        AppError::too_large("file", format!("\"{name}\" is {what}; a file can be at most {}.", size_prose(limit)))
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if let Some(size) = declared.filter(|&s| s > limit) {
        return Err(too_large(Some(size)));
    }
    let mut data = Vec::with_capacity(declared.unwrap_or(0).min(limit) as usize);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| AppError::bad_request(format!("The upload was interrupted: {e}")))?;
        if data.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large(None));
        }
        data.extend_from_slice(&chunk);
    }
    let content_type = sniff(&name, &data).map_err(|refused| AppError::unsupported_type(refused.0))?;
    let name = stored_name(&name, content_type);
    Ok(Json(store(state, owner_kind, owner_id, name, content_type, &data).await?))
}

/// `GET /api/v1/attachments/{id}/{secret}`: the URL is the capability, so
/// an `<img>` can load it; a wrong secret looks exactly like no file.
async fn download(
    State(state): State<AppState>,
    Path((id, secret)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let not_found = || AppError::not_found("attachment");
    if id.len() > 64 || secret.len() > 64 {
        return Err(not_found());
    }
    let (stored_secret, file) = state.db.attachment_data(&id).await?.ok_or_else(not_found)?;
    if !constant_time_eq(stored_secret.as_bytes(), secret.as_bytes()) {
        return Err(not_found());
    }
    let disposition = if file.content_type.starts_with("image/") { "inline" } else { "attachment" };
    let ascii: String = file.name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    let encoded = utf8_percent_encode(&file.name, NON_ALPHANUMERIC);
    let mut response = (StatusCode::OK, file.data).into_response();
    let h = response.headers_mut();
    let value = |s: String| HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    h.insert(header::CONTENT_TYPE, value(file.content_type.clone()));
    h.insert(
        header::CONTENT_DISPOSITION,
        value(format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    Ok(response)
}
