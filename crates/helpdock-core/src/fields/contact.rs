//! How to reach someone and who they are: e-mail addresses, phone
//! numbers and an account's UID.

use super::input::{is_label_start, unlabel, EMAIL_LABELS, ID_LABELS, PHONE_LABELS};
use super::{FieldError, Valid};

fn email_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii() || ".!#$%&'*+/=?^_`{|}~-".contains(c)
}

fn domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii() || c == '-' || c == '.'
}

pub(super) fn partial_email(s: &str) -> Result<(), FieldError> {
    if is_label_start(s, EMAIL_LABELS) {
        return Ok(());
    }
    let s = unlabel(s, EMAIL_LABELS);
    if s.contains(char::is_whitespace) {
        return Err(FieldError::EmailSpace);
    }
    let (local, domain) = s.split_once('@').unwrap_or((s, ""));
    if let Some(bad) = local.chars().find(|c| !email_local_char(*c)) {
        return Err(FieldError::EmailBadChar { bad });
    }
    match domain.chars().find(|c| !domain_char(*c)) {
        Some(bad) => Err(FieldError::EmailBadChar { bad }),
        None => Ok(()),
    }
}

pub(super) fn email(s: &str) -> Result<Valid, FieldError> {
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    partial_email(s)?;
    let (local, domain) = s.split_once('@').ok_or(FieldError::EmailNoAt)?;
    if local.is_empty() {
        return Err(FieldError::EmailLocalPart);
    }
    let domain = domain.to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let tld = labels[labels.len() - 1];
    let whole = labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && tld.chars().count() >= 2
        && !tld.bytes().all(|b| b.is_ascii_digit());
    if !whole {
        return Err(FieldError::EmailDomain { domain });
    }
    Ok(Valid::new(format!("{local}@{domain}")))
}

/// Phone digits with a leading `+` kept; spaces, dashes, dots and brackets
/// dropped.
fn phone_digits(s: &str) -> Result<String, FieldError> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' => out.push(c),
            '+' if out.is_empty() => out.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(FieldError::PhoneBadChar { bad: c }),
        }
    }
    Ok(out)
}

pub(super) fn partial_phone(s: &str) -> Result<(), FieldError> {
    if is_label_start(s, PHONE_LABELS) {
        return Ok(());
    }
    let digits = phone_digits(unlabel(s, PHONE_LABELS))?;
    let found = digits.trim_start_matches('+').len();
    if found > 15 {
        return Err(FieldError::PhoneLength { found });
    }
    Ok(())
}

pub(super) fn phone(s: &str) -> Result<Valid, FieldError> {
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    let digits = phone_digits(s)?;
    let found = digits.trim_start_matches('+').len();
    if !(7..=15).contains(&found) {
        return Err(FieldError::PhoneLength { found });
    }
    Ok(Valid::new(digits))
}

/// The UID's digits; when `complete` is false, only what already rules it out.
pub(super) fn uid(s: &str, complete: bool) -> Result<Option<String>, FieldError> {
    if !complete && is_label_start(s, ID_LABELS) {
        return Ok(None);
    }
    let digits: String = unlabel(s, ID_LABELS).chars().filter(|c| *c != ' ').collect();
    if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(FieldError::UidNotDigits { bad });
    }
    let found = digits.len();
    match (complete, found) {
        (true, 0) => Err(FieldError::Empty),
        (true, 5..=12) | (false, 0..=12) => Ok(Some(digits)),
        _ => Err(FieldError::UidLength { found }),
    }
}
