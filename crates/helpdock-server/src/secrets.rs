//! The secrets guard on the server: the same core guard the widget runs,
//! on everything a visitor sends, because a client need not be the widget
//! and an e-mail reply never passed through a browser.
//!
//! What a visitor sends through the API (messages, the transcript and
//! fields handed over at escalation, ticket texts and replies, attachment
//! names) is refused with `secret_refused` and nothing of it is stored.
//! An e-mailed reply cannot be refused to the person who wrote it, so it is
//! stored with the secret hidden (`[hidden: password]`) and a note for the
//! agent (see [`redact`]).

use std::sync::OnceLock;

use helpdock_core::guard::{Guard, Stopped};
use helpdock_core::locale::Locale;

use crate::error::AppError;

/// One guard for the process: blocking needs no official domains (links
/// only ever warn).
fn guard() -> &'static Guard {
    static GUARD: OnceLock<Guard> = OnceLock::new();
    GUARD.get_or_init(|| Guard::new::<&str>(&[]))
}

/// `Err(secret_refused)` naming `field` when `text` holds a secret.
pub fn refuse(field: &str, text: &str) -> Result<(), AppError> {
    match Stopped::of(&guard().scan(text), Locale::En) {
        Some(stopped) => Err(AppError::secret(field, &stopped.reasons)),
        None => Ok(()),
    }
}

/// `text` with every secret hidden, and whether anything was.
pub fn redact(text: &str) -> (String, bool) {
    match guard().hide(text) {
        Some(hidden) => (hidden, true),
        None => (text.to_owned(), false),
    }
}

#[cfg(test)]
mod tests {
    use helpdock_core::protocol::ErrorCode;

    use super::*;

    #[test]
    fn refuses_secrets_naming_the_field_and_passes_support_text() {
        let Err(AppError::Client(info)) = refuse("description", "hunter22 is my password") else {
            panic!("not refused")
        };
        assert_eq!((info.code, info.field.as_deref()), (ErrorCode::SecretRefused, Some("description")));
        assert!(info.message.contains("password"), "{}", info.message);
        assert!(refuse("body", "Order 123456 is still pending since 2026-11-24, TxID 0xabc.").is_ok());
        let (hidden, any) = redact("my 2FA code is 482913, please hurry");
        assert!(any && !hidden.contains("482913") && hidden.contains("[hidden: otp_code]"), "{hidden}");
        assert_eq!(redact("thanks, it arrived"), ("thanks, it arrived".to_owned(), false));
    }
}
