//! One error type for everything a request or a socket frame asks of the
//! server: a protocol `ErrorInfo` for what the client did wrong, and a
//! logged, unexplained `internal` for what the server did wrong. The web
//! layer turns it into a status (`http::status_of`); the socket into an
//! `error` frame.

use helpdock_core::protocol::{ErrorCode, ErrorInfo};

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

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> AppError {
        AppError::internal("database", err)
    }
}
