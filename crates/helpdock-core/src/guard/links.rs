//! Links to hosts that are not the operator's: the classic phishing move is
//! a look-alike login page or a Telegram "support" account.
//!
//! A link is `http://` or `https://` followed by a host, or a bare host
//! whose last label is a common top-level domain (`evil-exchange.com/login`,
//! `t.me/xyz`); the TLD list keeps "e.g.", "file.txt" and "v1.2" out.
//! E-mail addresses are not links.

use super::view::is_space;
use super::{Finding, SecretKind};
use crate::text::is_cjk;

/// Top-level domains a bare host must end with to count as one.
const TLDS: &str = "com net org io co me app xyz top info biz cc vip pro site online club live link tech finance \
     exchange trade cash money ai gg tv to ly ws us uk cn hk sg tw ru de jp kr eu";

/// TLDs that are also English words: without a path ("t.me/xyz") a bare
/// host ending in one is two words missing a space.
const WORDY_TLDS: &str = "me to us co ly tv ws";

/// Finds links whose host is neither an official domain nor under one.
pub(super) fn find(chars: &[char], official: &[String], out: &mut Vec<Finding>) {
    let mut i = 0;
    while i < chars.len() {
        // Not inside a word, an e-mail address or a path.
        let boundary = i == 0 || !is_host_char(chars[i - 1]) && !matches!(chars[i - 1], '@' | '/');
        if !boundary || !chars[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let link = scheme_link(chars, i).or_else(|| bare_link(chars, i));
        let Some((host, end)) = link else {
            // Skip the rest of this word: a link starts at a word boundary.
            i += chars[i..].iter().position(|&c| !is_host_char(c)).unwrap_or(chars.len() - i).max(1);
            continue;
        };
        if !official.iter().any(|d| host == *d || host.strip_suffix(d.as_str()).is_some_and(|h| h.ends_with('.'))) {
            out.push(Finding { kind: SecretKind::UnofficialLink, start: i, end });
        }
        i = end;
    }
}

/// `http(s)://host…` starting at `i`: the lower-case host and where the link ends.
fn scheme_link(chars: &[char], i: usize) -> Option<(String, usize)> {
    let after = ["https://", "http://"].iter().find_map(|s| {
        let n = s.len();
        let head = chars.get(i..i + n)?;
        head.iter().zip(s.chars()).all(|(c, s)| c.to_ascii_lowercase() == s).then_some(i + n)
    })?;
    let end = link_end(chars, after);
    let authority: String = chars[after..end].iter().take_while(|c| !matches!(c, '/' | '?' | '#')).collect();
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("").trim_end_matches('.');
    (!host.is_empty()).then(|| (host.to_ascii_lowercase(), end))
}

/// A bare host with a known TLD (or `www.`), and its path if one follows.
fn bare_link(chars: &[char], i: usize) -> Option<(String, usize)> {
    let mut end = i + chars[i..].iter().position(|&c| !is_host_char(c)).unwrap_or(chars.len() - i);
    while end > i && matches!(chars[end - 1], '.' | '-') {
        end -= 1;
    }
    if !chars[i..end].contains(&'.') {
        return None;
    }
    let host: String = chars[i..end].iter().map(char::to_ascii_lowercase).collect();
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last()?;
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return None;
    }
    if !(labels[0] == "www" || TLDS.split(' ').any(|t| t == *tld)) {
        return None;
    }
    if chars.get(end) == Some(&'/') {
        end = link_end(chars, end);
    } else if labels[0] != "www" && WORDY_TLDS.split(' ').any(|t| t == *tld) {
        return None; // "help.me", "talk.to", "contact.us" without a path are words
    }
    Some((host, end))
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

/// Where a link starting its path or authority at `from` ends: at a space,
/// a quote or angle bracket, or CJK text, less trailing punctuation. Other
/// non-ASCII letters stay in: a look-alike host ("bіnance.com", Cyrillic
/// і) is reported whole.
fn link_end(chars: &[char], from: usize) -> usize {
    let stop = |c: char| {
        c.is_ascii_control()
            || is_space(c)
            || is_cjk(c)
            || matches!(c, '"' | '\'' | '<' | '>' | '`' | '\u{3000}'..='\u{303F}')
    };
    let mut end = from + chars[from..].iter().position(|&c| stop(c)).unwrap_or(chars.len() - from);
    while end > from && matches!(chars[end - 1], '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']') {
        end -= 1;
    }
    end
}
