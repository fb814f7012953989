//! Checks and normalises what users type into guided-flow fields.
//!
//! A flow ([`crate::flow`]) asks for what an agent will need: a TxID, an
//! amount, when it happened. [`check_partial`] runs on every keystroke and
//! objects only once the input can no longer become valid, so nobody is
//! told off mid-word; [`validate`] runs when the answer is sent and returns
//! the value to store, normalised ("0.5btc" → "0.5 BTC"), or a
//! [`FieldError`] whose [`FieldError::message`] says what is wrong in words
//! the user understands.
//!
//! It is all plain string handling, with no regex, Unicode tables or date
//! library, because it ships in the size-budgeted widget.
//!
//! ```
//! use helpdock_core::fields::{check_partial, validate, FieldError, FieldFormat, Now};
//! use helpdock_core::locale::Locale;
//!
//! // 2026-11-20 15:00 in Shanghai (UTC+08:00).
//! let now = Now { unix_secs: 1_795_158_000, utc_offset_minutes: 480 };
//! let amount = validate(FieldFormat::Amount, "1,000.50 usdt", &[], now).unwrap();
//! assert_eq!(amount.value, "1000.50 USDT");
//! let when = validate(FieldFormat::DateTime, "昨天上午10点半", &[], now).unwrap();
//! assert_eq!(when.value, "2026-11-19 10:30 (UTC+08:00)");
//!
//! assert_eq!(check_partial(FieldFormat::TxId, "0x12ab"), Ok(()));
//! let short = validate(FieldFormat::TxId, &"a".repeat(63), &[], now).unwrap_err();
//! assert_eq!(short, FieldError::TxIdLength { found: 63 });
//! assert_eq!(short.message(Locale::En), "A TxID has 64 hexadecimal characters; this has 63.");
//! ```

mod chain;
mod contact;
mod dates;
mod error;
mod input;
mod money;

use crate::locale::Locale;
use chain::{
    address, coin, id_error, network, partial_address, partial_coin, partial_tx_id, strip_0x, tx_id, tx_id_or_id,
};
use contact::{email, partial_email, partial_phone, phone, uid};
use dates::{date_time, partial_date_time};
pub use error::FieldError;
use input::{choice, clean, text, unlabel, within, EMAIL_LABELS, ID_LABELS, PHONE_LABELS, TX_LABELS};
use money::amount;

/// What kind of value a flow field collects, named in `flows.yaml` by its
/// snake-case name (`tx_id`, `date_time`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FieldFormat {
    /// A short free answer, at most 200 characters.
    #[default]
    Text,
    /// A description or a pasted error message, at most 4,000 characters.
    LongText,
    /// An e-mail address.
    Email,
    /// A phone number, ideally with its country code.
    Phone,
    /// The e-mail address or phone number an account signs in with.
    EmailOrPhone,
    /// An account's numeric user id.
    Uid,
    /// A positive amount, optionally with its coin ("100 USDT").
    Amount,
    /// A coin's ticker.
    Coin,
    /// A blockchain network; names it does not know are kept as typed.
    Network,
    /// A transaction hash, or a block-explorer link to one.
    TxId,
    /// A TxID, or the exchange's own withdrawal or order id.
    TxIdOrId,
    /// A wallet address on one of the common chains.
    Address,
    /// When something happened: absolute, or relative ("yesterday 10:00").
    DateTime,
    /// One of the field's `options`.
    Choice,
    /// The name of an attached file; the widget checks the file itself.
    Attachment,
}

impl FieldFormat {
    /// Every format, in declaration order.
    pub const ALL: [FieldFormat; 15] = [
        FieldFormat::Text,
        FieldFormat::LongText,
        FieldFormat::Email,
        FieldFormat::Phone,
        FieldFormat::EmailOrPhone,
        FieldFormat::Uid,
        FieldFormat::Amount,
        FieldFormat::Coin,
        FieldFormat::Network,
        FieldFormat::TxId,
        FieldFormat::TxIdOrId,
        FieldFormat::Address,
        FieldFormat::DateTime,
        FieldFormat::Choice,
        FieldFormat::Attachment,
    ];

    /// The name used in `flows.yaml` and in compiled packs (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            FieldFormat::Text => "text",
            FieldFormat::LongText => "long_text",
            FieldFormat::Email => "email",
            FieldFormat::Phone => "phone",
            FieldFormat::EmailOrPhone => "email_or_phone",
            FieldFormat::Uid => "uid",
            FieldFormat::Amount => "amount",
            FieldFormat::Coin => "coin",
            FieldFormat::Network => "network",
            FieldFormat::TxId => "tx_id",
            FieldFormat::TxIdOrId => "tx_id_or_id",
            FieldFormat::Address => "address",
            FieldFormat::DateTime => "date_time",
            FieldFormat::Choice => "choice",
            FieldFormat::Attachment => "attachment",
        }
    }

    /// Reads a name written by [`FieldFormat::as_str`].
    pub fn from_name(name: &str) -> Option<FieldFormat> {
        FieldFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// What a good answer looks like, shown under the input before anything
    /// is typed.
    pub fn hint(self, locale: Locale) -> &'static str {
        let m = crate::locale::messages(locale);
        match self {
            FieldFormat::Text => m.hint_text(),
            FieldFormat::LongText => m.hint_long_text(),
            FieldFormat::Email => m.hint_email(),
            FieldFormat::Phone => m.hint_phone(),
            FieldFormat::EmailOrPhone => m.hint_email_or_phone(),
            FieldFormat::Uid => m.hint_uid(),
            FieldFormat::Amount => m.hint_amount(),
            FieldFormat::Coin => m.hint_coin(),
            FieldFormat::Network => m.hint_network(),
            FieldFormat::TxId => m.hint_tx_id(),
            FieldFormat::TxIdOrId => m.hint_tx_id_or_id(),
            FieldFormat::Address => m.hint_address(),
            FieldFormat::DateTime => m.hint_date_time(),
            FieldFormat::Choice => m.hint_choice(),
            FieldFormat::Attachment => m.hint_attachment(),
        }
    }
}

/// The clock the user's relative dates ("yesterday 10:00") are read against.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    /// Seconds since 1970-01-01 00:00 UTC.
    pub unix_secs: i64,
    /// The user's offset from UTC (480 for UTC+08:00), as the browser reports
    /// it; dates are read and written in this local time.
    pub utc_offset_minutes: i32,
}

/// An accepted answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid {
    /// The normalised value to store and show the agent.
    pub value: String,
    /// What the value was recognised as, when that helps the agent
    /// ("EVM-style hash", "TRON"); mostly chain names, so in English.
    pub note: Option<String>,
}

impl Valid {
    fn new(value: impl Into<String>) -> Valid {
        Valid { value: value.into(), note: None }
    }

    fn noted(value: impl Into<String>, note: impl Into<String>) -> Valid {
        Valid { value: value.into(), note: Some(note.into()) }
    }
}

/// Checks a finished answer and normalises it. `options` are a choice
/// field's answers; `now` anchors relative dates.
pub fn validate(format: FieldFormat, input: &str, options: &[String], now: Now) -> Result<Valid, FieldError> {
    match format {
        FieldFormat::Text => text(input, 200),
        FieldFormat::LongText => text(input, 4000),
        FieldFormat::Email => email(unlabel(&clean(input), EMAIL_LABELS)),
        FieldFormat::Phone => phone(unlabel(&clean(input), PHONE_LABELS)),
        FieldFormat::EmailOrPhone => {
            let s = clean(input);
            if s.contains('@') {
                email(unlabel(&s, EMAIL_LABELS))
            } else if s.bytes().any(|b| b.is_ascii_alphabetic()) && unlabel(&s, PHONE_LABELS) == s {
                Err(FieldError::NotEmailOrPhone)
            } else {
                phone(unlabel(&s, PHONE_LABELS))
            }
        }
        FieldFormat::Uid => uid(&clean(input), true).map(|uid| Valid::new(uid.unwrap_or_default())),
        FieldFormat::Amount => amount(input, true).map(|v| v.unwrap_or_else(|| Valid::new(""))),
        FieldFormat::Coin => coin(&clean(input)),
        FieldFormat::Network => network(input),
        FieldFormat::TxId => tx_id(input),
        FieldFormat::TxIdOrId => tx_id_or_id(input),
        FieldFormat::Address => address(input),
        FieldFormat::DateTime => date_time(input, now),
        FieldFormat::Choice => choice(input, options),
        FieldFormat::Attachment => text(input, 255),
    }
}

/// The e-mail check the whole crate shares (flows, tickets, the host's
/// configuration and channels): the address with its domain lower-cased,
/// or `None` when it is not one.
pub(crate) fn email_address(input: &str) -> Option<String> {
    email(input.trim()).ok().map(|valid| valid.value)
}

/// While typing: `Ok(())` when `input` could still become valid (don't nag
/// mid-word), `Err` when it already cannot.
pub fn check_partial(format: FieldFormat, input: &str) -> Result<(), FieldError> {
    let s = clean(input);
    match format {
        FieldFormat::Text => within(input.trim(), 200),
        FieldFormat::LongText => within(input.trim(), 4000),
        FieldFormat::Attachment => within(input.trim(), 255),
        FieldFormat::Network => within(&s, 64),
        FieldFormat::Choice => Ok(()),
        FieldFormat::Email => partial_email(&s),
        FieldFormat::Phone => partial_phone(&s),
        FieldFormat::EmailOrPhone => {
            let letters = s.bytes().any(|b| b.is_ascii_alphabetic());
            if s.contains('@') {
                partial_email(&s)
            } else if s.starts_with('+') || !letters && !s.bytes().all(|b| b.is_ascii_digit()) {
                partial_phone(&s)
            } else {
                // Letters or digits alone may still be the name before an `@`.
                partial_email(&s).or_else(|e| partial_phone(&s).map_err(|_| e))
            }
        }
        FieldFormat::Uid => uid(&s, false).map(drop),
        FieldFormat::Amount => amount(input, false).map(drop),
        FieldFormat::Coin => partial_coin(&s),
        FieldFormat::TxId => partial_tx_id(&s),
        FieldFormat::TxIdOrId => partial_tx_id(&s).or_else(|e| {
            let s = unlabel(unlabel(&s, TX_LABELS), ID_LABELS);
            if strip_0x(s).is_some() {
                return Err(e);
            }
            match id_error(s) {
                Some(FieldError::IdLength { found }) if found < 6 => Ok(()),
                Some(FieldError::IdLength { .. }) => Err(e),
                Some(id_error) => Err(id_error),
                None => Ok(()),
            }
        }),
        FieldFormat::Address => partial_address(&s),
        FieldFormat::DateTime => partial_date_time(&s),
    }
}

#[cfg(test)]
mod tests;
