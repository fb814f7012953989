//! Amounts: a number, written the ways people write it, and its coin or
//! currency.

use super::chain::{coin, partial_coin};
use super::input::clean;
use super::{FieldError, Valid};

/// Reads an amount; `complete` false checks a prefix and returns `Ok(None)`.
pub(super) fn amount(input: &str, complete: bool) -> Result<Option<Valid>, FieldError> {
    let s = clean(input);
    let (s, dollar) = match s.strip_prefix('$') {
        Some(rest) => (rest.trim_start(), true),
        None => (s.as_str(), false),
    };
    if s.is_empty() {
        return if complete { Err(FieldError::Empty) } else { Ok(None) };
    }
    if s.starts_with(['-', '−']) {
        return Err(FieldError::AmountNegative);
    }
    let Some(start) = s.find(|c: char| c.is_ascii_digit() || c == '.') else {
        // Only a unit so far: "USDT" is how "USDT 100" starts.
        return if complete {
            Err(FieldError::AmountMissing)
        } else {
            partial_coin(s).map(|_| None).map_err(|_| FieldError::AmountMissing)
        };
    };
    let end = s[start..].find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).map_or(s.len(), |i| start + i);
    let (prefix, number, suffix) = (&s[..start], &s[start..end], &s[end..]);

    // A coin may come first ("USDT 100"), separated by a space; a letter
    // stuck to the front of the number is a typo ("O.5").
    let prefix_unit = match prefix.trim() {
        "" => None,
        p if prefix.ends_with(' ') => Some(p),
        p if p.ends_with(['-', '−']) => return Err(FieldError::AmountNegative),
        p => return Err(FieldError::AmountNotNumber { bad: p.chars().last().unwrap_or('?') }),
    };
    // Letters stuck to the end are a coin ("0.5btc") unless digits follow
    // them ("1o0").
    let attached = suffix.split(' ').next().unwrap_or("");
    if attached.contains(|c: char| c.is_ascii_digit()) {
        return Err(FieldError::AmountNotNumber { bad: attached.chars().next().unwrap_or('?') });
    }
    let suffix_unit = suffix.trim().trim_matches(['个', '枚']).trim();

    if number.matches('.').count() > 1 {
        return Err(FieldError::AmountTwoPoints);
    }
    let (int, frac) = match number.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (number, None),
    };
    if frac.is_some_and(|f| f.contains(',')) {
        return Err(FieldError::AmountGrouping);
    }
    if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let last = groups.len() - 1;
        let grouped = (1..=3).contains(&groups[0].len())
            && !groups[0].starts_with('0')
            && groups[1..].iter().enumerate().all(|(i, g)| {
                // While typing, the last group may still be filling up.
                g.len() == 3 || (!complete && i + 1 == last && frac.is_none() && g.len() < 3)
            });
        if !grouped {
            return Err(FieldError::AmountGrouping);
        }
    }

    let unit = match (prefix_unit, suffix_unit, dollar) {
        (Some(_), u, _) | (None, u, true) if !u.is_empty() => {
            return Err(FieldError::AmountUnit { unit: u.to_owned() })
        }
        (Some(p), _, true) => return Err(FieldError::AmountUnit { unit: p.to_owned() }),
        (Some(p), _, false) => p,
        (None, _, true) => "USD",
        (None, u, false) => u,
    };
    if !complete {
        return match unit {
            "" => Ok(None),
            u if FIAT_NAMES.iter().any(|(name, _)| name.starts_with(u)) => Ok(None),
            u => partial_coin(u).map(|_| None).map_err(|_| FieldError::AmountUnit { unit: u.to_owned() }),
        };
    }

    let int: String = int.chars().filter(|c| *c != ',').collect();
    let int = match int.trim_start_matches('0') {
        "" => "0",
        digits => digits,
    };
    let frac = frac.unwrap_or("");
    if int == "0" && frac.bytes().all(|b| b == b'0') {
        return Err(if number == "." { FieldError::AmountMissing } else { FieldError::AmountZero });
    }
    let mut value = int.to_owned();
    if !frac.is_empty() {
        value.push('.');
        value.push_str(frac);
    }
    let mut note = None;
    if !unit.is_empty() {
        match FIAT_NAMES.iter().find(|(name, _)| name.eq_ignore_ascii_case(unit)) {
            Some((_, code)) => value = format!("{value} {code}"),
            None => {
                let coin = coin(unit).map_err(|_| FieldError::AmountUnit { unit: unit.to_owned() })?;
                value = format!("{value} {}", coin.value);
                note = coin.note;
            }
        }
    }
    Ok(Some(Valid { value, note }))
}

/// Money that is not a coin, for amounts paid by card or bank ("100块").
const FIAT_NAMES: &[(&str, &str)] = &[
    ("元", "CNY"),
    ("块", "CNY"),
    ("块钱", "CNY"),
    ("人民币", "CNY"),
    ("rmb", "CNY"),
    ("美元", "USD"),
    ("美金", "USD"),
    ("dollar", "USD"),
    ("dollars", "USD"),
];
