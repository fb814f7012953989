//! One error type for every handler: a protocol `ErrorBody` with the right
//! status for what the client did wrong, and a logged, unexplained 500 for
//! what the server did wrong.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use helpdock_core::protocol::{ErrorBody, ErrorCode, ErrorInfo};

/// A failed request.
#[derive(Debug)]
pub enum AppError {
    /// The client's mistake (or not their business): shown as is.
    Client(ErrorInfo),
    /// The server's failure: logged with `context`, shown as `internal`.
    Internal {
        /// What was being done.
        context: &'static str,
        /// Why it failed.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl AppError {
    fn client(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError::Client(ErrorInfo::new(code, message))
    }

    /// `bad_request`: the request could not be read.
    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::client(ErrorCode::BadRequest, message)
    }

    /// `bad_request` about one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Client(ErrorInfo { field: Some(field.into()), ..ErrorInfo::new(ErrorCode::BadRequest, message) })
    }

    /// `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> AppError {
        AppError::client(ErrorCode::Unauthorized, message)
    }

    /// `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> AppError {
        AppError::client(ErrorCode::Forbidden, message)
    }

    /// `not_found`: also what someone else's things look like.
    pub fn not_found(what: &str) -> AppError {
        AppError::client(ErrorCode::NotFound, format!("There is no such {what}."))
    }

    /// `too_large`, naming the limit.
    pub fn too_large(field: &str, message: impl Into<String>) -> AppError {
        AppError::Client(ErrorInfo { field: Some(field.into()), ..ErrorInfo::new(ErrorCode::TooLarge, message) })
    }

    /// `secret_refused`: the guard stopped the text in `field`; `reasons`
    /// says what it looked like.
    pub fn secret(field: &str, reasons: &[String]) -> AppError {
        AppError::Client(ErrorInfo {
            field: Some(field.into()),
            ..ErrorInfo::new(ErrorCode::SecretRefused, reasons.join(" "))
        })
    }

    /// `unsupported_type`.
    pub fn unsupported_type(message: impl Into<String>) -> AppError {
        AppError::Client(ErrorInfo {
            field: Some("file".into()),
            ..ErrorInfo::new(ErrorCode::UnsupportedType, message)
        })
    }

    /// `rate_limited`, with when to retry.
    pub fn rate_limited(retry_after_ms: u64) -> AppError {
        let secs = retry_after_ms.div_ceil(1000);
        AppError::Client(ErrorInfo {
            retry_after_ms: Some(retry_after_ms),
            ..ErrorInfo::new(
                ErrorCode::RateLimited,
                format!(
                    "Too many requests; please wait {secs} second{} and try again.",
                    if secs == 1 { "" } else { "s" }
                ),
            )
        })
    }

    /// `closed`.
    pub fn closed() -> AppError {
        AppError::client(ErrorCode::Closed, "This conversation has ended.")
    }

    /// `conflict`.
    pub fn conflict(message: impl Into<String>) -> AppError {
        AppError::client(ErrorCode::Conflict, message)
    }

    /// `unavailable`.
    pub fn unavailable(message: impl Into<String>) -> AppError {
        AppError::client(ErrorCode::Unavailable, message)
    }

    /// A server failure, with what was being done.
    pub fn internal(context: &'static str, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> AppError {
        AppError::Internal { context, source: source.into() }
    }

    /// What the client is told (a server failure is logged here, once).
    pub fn into_info(self) -> ErrorInfo {
        match self {
            AppError::Client(info) => info,
            AppError::Internal { context, source } => {
                tracing::error!(error = %source, "{context}");
                ErrorInfo::new(ErrorCode::Internal, "Something went wrong on our side; please try again shortly.")
            }
        }
    }
}

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

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> AppError {
        AppError::internal("database", err)
    }
}
