//! What an [`AppError`] looks like over HTTP: the protocol's `ErrorBody`
//! with the status for its code (and `Retry-After` when it has one).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use helpdock_core::protocol::{ErrorBody, ErrorCode};

use crate::error::AppError;

/// The HTTP status of an error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::BadRequest | ErrorCode::UnsupportedVersion => StatusCode::BAD_REQUEST,
        ErrorCode::SecretRefused => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::IdentityRefused | ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::UnsupportedType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Closed | ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal | ErrorCode::Other => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let info = self.into_info();
        let status = status_of(info.code);
        let retry = info.retry_after_ms;
        let mut response = (status, Json(ErrorBody { error: info })).into_response();
        if let Some(ms) = retry {
            let secs = ms.div_ceil(1000).to_string();
            if let Ok(value) = secs.parse() {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
            }
        }
        response
    }
}
