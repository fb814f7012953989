//! What every field's input goes through first (width folding, stray
//! quotes, a label copied along with the value, length), and the two
//! formats that need nothing more: free text and a choice.

use super::{FieldError, Valid};

/// Full-width forms (U+FF01..=U+FF5E), which Chinese input methods produce,
/// and the ideographic space become ASCII. Done here rather than with NFKC
/// because the widget is built without the normalisation tables.
pub(super) fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Quotes and brackets a copied value often arrives wrapped in.
const WRAPPERS: &[char] = &['"', '\'', '`', '“', '”', '‘', '’', '「', '」', '『', '』', '<', '>'];

/// Width-folded, trimmed and unwrapped.
pub(super) fn clean(input: &str) -> String {
    fold_width(input).trim_matches(|c: char| c.is_whitespace() || WRAPPERS.contains(&c)).to_owned()
}

pub(super) const TX_LABELS: &[&str] = &["txid", "tx id", "txhash", "tx hash", "hash", "交易哈希", "哈希"];
pub(super) const ID_LABELS: &[&str] = &["uid", "id"];
pub(super) const EMAIL_LABELS: &[&str] = &["email", "e-mail", "mailto", "邮箱"];
pub(super) const PHONE_LABELS: &[&str] = &["phone", "tel", "mobile", "手机号", "手机", "电话"];
pub(super) const ADDRESS_LABELS: &[&str] = &["address", "地址"];

/// Drops a label copied along with the value ("TxID: 0x…", "UID 1234567").
pub(super) fn unlabel<'a>(s: &'a str, labels: &[&str]) -> &'a str {
    for label in labels {
        if let Some(head) = s.get(..label.len()).filter(|h| h.eq_ignore_ascii_case(label)) {
            let rest = &s[head.len()..];
            if rest.starts_with([':', ' ', '#']) {
                return rest.trim_start_matches([':', ' ', '#']);
            }
        }
    }
    s
}

/// Whether `s` may be a label still being typed ("Tx", "UI").
pub(super) fn is_label_start(s: &str, labels: &[&str]) -> bool {
    labels.iter().any(|l| l.get(..s.len()).is_some_and(|h| h.eq_ignore_ascii_case(s)))
}

pub(super) fn within(s: &str, max: usize) -> Result<(), FieldError> {
    let found = s.chars().count();
    if found > max {
        Err(FieldError::TooLong { max, found })
    } else {
        Ok(())
    }
}

pub(super) fn text(input: &str, max: usize) -> Result<Valid, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    within(s, max)?;
    Ok(Valid::new(s))
}

pub(super) fn choice(input: &str, options: &[String]) -> Result<Valid, FieldError> {
    let key = |s: &str| fold_width(s).split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    if options.is_empty() {
        return text(input, 200);
    }
    if input.trim().is_empty() {
        return Err(FieldError::Empty);
    }
    let wanted = key(input);
    options
        .iter()
        .find(|o| key(o) == wanted)
        .map(|o| Valid::new(o.as_str()))
        .ok_or_else(|| FieldError::NotAnOption { options: options.to_vec() })
}
