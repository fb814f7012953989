//! `POST /api/v1/session`: a visitor starts, resumes, or is identified.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use helpdock_core::protocol::{ErrorCode, ErrorInfo, Limits, Session, SessionRequest};

use super::{AppError, AppState, JsonBody};
use crate::db::VisitorRow;
use crate::sniff::ACCEPTED;
use crate::token::{profile_message, random_id, random_secret, sha256_hex, verify_user_hash};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/session", post(start))
}

fn identity_refused(message: &str) -> AppError {
    AppError::Client(ErrorInfo {
        field: Some("user.userHash".into()),
        ..ErrorInfo::new(ErrorCode::IdentityRefused, message)
    })
}

/// Trims a profile value the host sent; over-long or empty ones are dropped.
fn clean(value: Option<&str>, max: usize) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty() && v.chars().count() <= max)
}

async fn start(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SessionRequest>,
) -> Result<Json<Session>, AppError> {
    let locale = clean(request.locale.as_deref(), 35);
    let (visitor, token) = if let Some(user) = &request.user {
        // Identity first, and nothing is created unless it holds.
        let Some(secret) = state.config.host_secret.as_deref() else {
            return Err(identity_refused(
                "This server has no host secret configured, so it cannot verify signed-in users.",
            ));
        };
        if user.user_id.trim().is_empty() || user.user_id.chars().count() > 256 {
            return Err(AppError::invalid("user.userId", "userId must have 1 to 256 characters."));
        }
        // The hash covers the user id alone, or the name and e-mail too.
        let profile = profile_message(&user.user_id, user.name.as_deref(), user.email.as_deref());
        let profile_verified = if verify_user_hash(secret, &user.user_id, &user.user_hash) {
            false
        } else if profile.is_some_and(|m| verify_user_hash(secret, &m, &user.user_hash)) {
            true
        } else {
            return Err(identity_refused(
                "The signed-in user could not be verified: userHash does not match userId (nor userId, \
                 name and e-mail) for this site's secret.",
            ));
        };
        let name = clean(user.name.as_deref(), 200);
        let email = clean(user.email.as_deref(), 254);
        let visitor = match state.db.visitor_by_user(&user.user_id).await? {
            Some(v) => v,
            None => {
                let new = VisitorRow {
                    id: random_id("v_"),
                    user_id: Some(user.user_id.clone()),
                    name: name.map(str::to_string),
                    email: email.map(str::to_string),
                    locale: locale.map(str::to_string),
                    profile_verified,
                };
                state.db.create_visitor(&new).await?
            }
        };
        state.db.set_identified_profile(&visitor.id, name, email, locale, profile_verified).await?;
        // A token this browser already holds for the same user is kept; an
        // anonymous one is ignored (its conversations stay anonymous).
        let reuse = match request.visitor_token.as_deref() {
            Some(t) => {
                state.db.visitor_by_token(&sha256_hex(t)).await?.filter(|v| v.id == visitor.id).map(|_| t.to_string())
            }
            None => None,
        };
        let token = match reuse {
            Some(t) => t,
            None => new_token(&state, &visitor.id).await?,
        };
        (visitor, token)
    } else {
        let known = match request.visitor_token.as_deref().filter(|t| t.len() <= 256) {
            Some(t) => state.db.visitor_by_token(&sha256_hex(t)).await?.map(|v| (v, t.to_string())),
            None => None,
        };
        match known {
            Some((visitor, token)) => {
                state.db.update_visitor_locale(&visitor.id, locale).await?;
                (visitor, token)
            }
            None => {
                // No token, or one this server does not know (a reset
                // database, another deployment): a fresh visitor.
                let visitor = state.db.create_visitor(&VisitorRow::anonymous(locale.map(str::to_string))).await?;
                let token = new_token(&state, &visitor.id).await?;
                (visitor, token)
            }
        }
    };
    let limits = &state.config.limits;
    Ok(Json(Session {
        visitor_id: visitor.id,
        visitor_token: token,
        identified: visitor.user_id.is_some(),
        limits: Limits {
            max_message_chars: limits.max_message_chars,
            max_attachment_bytes: limits.max_attachment_bytes,
            attachment_types: ACCEPTED.iter().map(|t| t.to_string()).collect(),
        },
        availability: state.config.business_hours.as_ref().map(|hours| hours.availability(crate::token::now_ms())),
        email: state.mailer.is_some(),
    }))
}

async fn new_token(state: &AppState, visitor_id: &str) -> Result<String, AppError> {
    let token = random_secret("vt_");
    state.db.add_visitor_token(&sha256_hex(&token), visitor_id).await?;
    Ok(token)
}
