//! Mail that cannot be turned against anyone: what a visitor wrote (a
//! ticket's title and description, a transcript, a reply's context) goes
//! only to an address the host vouches for (its signed-in user's e-mail,
//! [`Trust::Vouched`]) or one whose owner confirmed it by the link in a
//! fixed-text e-mail ([`Trust::Confirmed`]). Any other address gets that
//! confirmation request and nothing else: no visitor text in its subject or
//! body, at most one a day per visitor and address, within a per-IP and a
//! server-wide hourly budget (`limits.mails_per_ip_per_hour`,
//! `limits.mails_per_hour`). What was asked for an unconfirmed address (a
//! ticket's confirmation, a transcript) is held and sent when the owner
//! confirms.
//!
//! The link opens `GET /mail/confirm?token=…` (`http::confirm`), a page with
//! a button (so a mail scanner that follows links confirms nothing); the
//! button POSTs the token to [`confirm`]. Tokens are stored by hash and
//! expire after seven days.

use crate::db::VisitorRow;
use crate::error::AppError;
use crate::mail::{transcript_subject, transcript_text};
use crate::notes::Lang;
use crate::state::AppState;
use crate::token::{now_ms, random_hex, sha256_hex};

/// How far an address is trusted with what a visitor wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// The host's verified user's own e-mail.
    Vouched,
    /// Its owner followed the confirmation link.
    Confirmed,
    /// Neither: only a fixed-text confirmation request may go there.
    Unconfirmed,
}

impl Trust {
    /// Whether what the visitor wrote may be sent there.
    pub fn carries_content(self) -> bool {
        self != Trust::Unconfirmed
    }
}

/// A confirmation request is sent again for the same address after this.
const RESEND_AFTER_MS: i64 = 24 * 3600 * 1000;
/// A link older than this confirms nothing.
pub const LINK_VALID_MS: i64 = 7 * 24 * 3600 * 1000;

/// How far `address` is trusted for `visitor`.
pub async fn trust(state: &AppState, visitor: &VisitorRow, address: &str) -> Result<Trust, AppError> {
    let address = address.trim().to_ascii_lowercase();
    if visitor.user_id.is_some()
        && visitor.profile_verified
        && visitor.email.as_deref().is_some_and(|e| e.trim().eq_ignore_ascii_case(&address))
    {
        return Ok(Trust::Vouched);
    }
    let row = state.db.mail_address(&visitor.id, &address).await?;
    Ok(if row.is_some_and(|r| r.confirmed_at.is_some()) { Trust::Confirmed } else { Trust::Unconfirmed })
}

/// What a confirmation request is about, named in its fixed text.
#[derive(Debug, Clone, Copy)]
pub enum Purpose<'a> {
    /// A ticket: its id, and its public number for the text.
    Ticket {
        /// The ticket's id (its confirmation is held).
        id: &'a str,
        /// Its number, named in the text.
        number: &'a str,
    },
    /// A conversation's transcript, held until the confirmation.
    Transcript(&'a str),
}

/// Asks the owner of `address` to confirm it (see the module). `Ok` also
/// when a request went out less than a day ago (nothing is sent again);
/// refused with `rate_limited` over a budget and `unavailable` when the
/// server cannot send mail or make links.
pub async fn request(
    state: &AppState,
    visitor: &VisitorRow,
    address: &str,
    locale: Option<&str>,
    ip_key: Option<&str>,
    purpose: Purpose<'_>,
) -> Result<(), AppError> {
    let Some(mailer) = &state.mailer else {
        return Err(AppError::unavailable("E-mail is not set up on this server."));
    };
    let Some(base) = state.config.link_base() else {
        tracing::warn!("no public_url: an address cannot be confirmed, so nothing is e-mailed to it");
        return Err(AppError::unavailable("This server cannot confirm e-mail addresses (no public_url is set)."));
    };
    let to: lettre::Address = address
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("email", format!("{address:?} is not an e-mail address.")))?;
    let address = address.trim().to_ascii_lowercase();
    let held = match purpose {
        Purpose::Transcript(conversation) => format!("conversation:{conversation}"),
        Purpose::Ticket { id, .. } => format!("ticket:{id}"),
    };
    let now = now_ms();
    if let Some(row) = state.db.mail_address(&visitor.id, &address).await? {
        if row.requested_at > now - RESEND_AFTER_MS {
            state.db.hold_for_address(&visitor.id, &address, &held).await?;
            return Ok(());
        }
    }
    if let Some(key) = ip_key {
        state.mail_ip_budget.check(key).await.map_err(AppError::rate_limited)?;
    }
    state.mail_budget.check("server").await.map_err(|wait| {
        tracing::warn!("limits.mails_per_hour reached: a confirmation e-mail was not sent");
        AppError::rate_limited(wait)
    })?;
    let token = random_hex(16);
    state.db.request_mail_address(&visitor.id, &address, &sha256_hex(&token), now, Some(&held)).await?;
    let link = format!("{base}/mail/confirm?token={token}");
    let lang = Lang::from_tag(locale);
    let (subject, body) = request_text(lang, purpose, &link);
    mailer.send(lettre::message::Mailbox::new(None, to), subject, body).await.map_err(|e| {
        tracing::warn!(error = %e, "confirmation e-mail not sent");
        AppError::unavailable("The e-mail could not be sent just now; please try again later.")
    })
}

/// The confirmation request: fixed text, the server's own words only (a
/// ticket number is the server's, not the visitor's).
fn request_text(lang: Lang, purpose: Purpose<'_>, link: &str) -> (&'static str, String) {
    match lang {
        Lang::En => {
            let what = match purpose {
                Purpose::Ticket { number, .. } => format!("e-mails about support request {number}"),
                Purpose::Transcript(_) => "the transcript of a support conversation".to_owned(),
            };
            (
                "Confirm your address for support e-mails",
                format!(
                    "Someone asked our support team to send {what} to this address.\n\n\
                     If it was you, confirm the address here:\n{link}\n\n\
                     If it was not, ignore this e-mail: nothing else is sent to this address \
                     unless it is confirmed.\n"
                ),
            )
        }
        Lang::Zh => {
            let what = match purpose {
                Purpose::Ticket { number, .. } => format!("工单 {number} 的相关邮件"),
                Purpose::Transcript(_) => "一次客服对话的记录".to_owned(),
            };
            (
                "请确认您接收客服邮件的地址",
                format!(
                    "有人请求客服团队将{what}发送到此邮箱。\n\n\
                     如果是您本人，请在此确认邮箱地址：\n{link}\n\n\
                     如果不是您，请忽略此邮件：在确认之前，我们不会再向此邮箱发送任何内容。\n"
                ),
            )
        }
    }
}

/// E-mails a conversation's transcript to `address` (trusted by the caller).
pub async fn send_transcript(state: &AppState, conversation_id: &str, address: &str) -> Result<(), AppError> {
    let Some(mailer) = &state.mailer else {
        return Err(AppError::unavailable("E-mail is not set up on this server, so the transcript cannot be sent."));
    };
    let to: lettre::Address = address
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("email", format!("{address:?} is not an e-mail address.")))?;
    let conversation =
        state.db.conversation(conversation_id).await?.ok_or_else(|| AppError::not_found("conversation"))?;
    let messages = state.db.messages_after(&conversation.id, 0).await?;
    let body = transcript_text(&conversation, &messages);
    mailer.send(lettre::message::Mailbox::new(None, to), transcript_subject(&conversation), body).await.map_err(|e| {
        tracing::error!(error = %e, conversation = %conversation.id, "transcript e-mail");
        AppError::unavailable("The e-mail could not be sent just now; please try again later.")
    })
}

/// Whether a token is one this server could have made.
pub fn token_ok(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Confirms the address a link's token was sent to, and sends what was held
/// for it (a transcript, a ticket's confirmation); `false` for a token that
/// is unknown, used or expired.
pub async fn confirm(state: &AppState, token: &str) -> Result<bool, AppError> {
    if !token_ok(token) {
        return Ok(false);
    }
    let now = now_ms();
    let Some(confirmed) = state.db.confirm_mail_address(&sha256_hex(token), now - LINK_VALID_MS, now).await? else {
        return Ok(false);
    };
    match confirmed.held.as_deref().and_then(|h| h.split_once(':')) {
        Some(("conversation", id)) => {
            if let Err(e) = send_transcript(state, id, &confirmed.address).await {
                tracing::warn!(conversation = %id, error = ?e, "held transcript not sent");
            }
        }
        Some(("ticket", id)) => crate::tickets::mail_confirmation(state, id).await,
        _ => {}
    }
    Ok(true)
}
