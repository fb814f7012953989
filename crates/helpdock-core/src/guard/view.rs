//! The message as the detectors see it: width-folded characters, each with
//! its byte offset in the original text, a token stream over them, and the
//! label matching every detector shares.
//!
//! Whitespace separates tokens and is otherwise dropped, so "private key",
//! "private\nkey" and "private  key" read alike; "private_key" and
//! "one-time" read alike too because label matching steps over `_` and `-`.

use crate::text::is_cjk;

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A maximal run of letters and digits outside the CJK scripts.
    Word,
    /// One CJK character.
    Cjk,
    /// One other visible character: punctuation, a symbol, an emoji.
    Punct,
}

/// A token: the characters `start..end` of the view.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

/// Words that may sit between a label and its value: "my private key **is**
/// …", "验证码**是** …", "SMS code**:** …". Anything else breaks the link, so
/// "private key … TxID 0x…" does not tie the hash to the label.
const FILLER: &str =
    "is was are my the a an your this here it its s as follows : = - > \" ' ` ( [ 是 为 如 下 的 我 就";

/// Words that may follow a value when the label comes after it ("123456
/// **is** my 2FA code"); without one the value is not tied to the label.
pub(super) const COPULA: &str = "is was 是 为 =";

/// How many filler tokens may separate a label from its value.
const MAX_FILLER: usize = 4;

/// The scanned message.
#[derive(Debug)]
pub(super) struct View {
    /// The characters, full-width forms folded to ASCII.
    pub chars: Vec<char>,
    /// The byte offset of each character in the original text, plus its length.
    offsets: Vec<usize>,
    /// The tokens, in order.
    pub tokens: Vec<Token>,
    /// One bit per ASCII letter or digit some token starts with, so a label
    /// that cannot occur is dismissed without walking the tokens.
    initials: u64,
    /// The same for other characters, hashed to one of 64 bits.
    other_initials: u64,
}

impl View {
    /// Folds and tokenises `text`.
    pub fn new(text: &str) -> View {
        let mut chars = Vec::with_capacity(text.len());
        let mut offsets = Vec::with_capacity(text.len() + 1);
        for (i, c) in text.char_indices() {
            chars.push(fold(c));
            offsets.push(i);
        }
        offsets.push(text.len());
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let (kind, end) = if is_space(c) {
                i += 1;
                continue;
            } else if is_cjk(c) {
                (Kind::Cjk, i + 1)
            } else if is_word_char(c) {
                (Kind::Word, chars[i..].iter().position(|&c| !is_word_char(c)).map_or(chars.len(), |n| i + n))
            } else {
                (Kind::Punct, i + 1)
            };
            tokens.push(Token { start: i, end, kind });
            i = end;
        }
        let initials = tokens.iter().fold(0, |bits, t| bits | initial_bit(chars[t.start]));
        let other_initials = tokens.iter().fold(0, |bits, t| bits | other_bit(chars[t.start]));
        View { chars, offsets, tokens, initials, other_initials }
    }

    /// Whether `label` may occur at all: its first character starts a token.
    fn may_contain(&self, label: &str) -> bool {
        match label.chars().next() {
            Some(c) if c.is_ascii() => self.initials & initial_bit(c) != 0,
            Some(c) => self.other_initials & other_bit(c) != 0,
            None => false,
        }
    }

    /// The byte offset in the original text of character `i`.
    pub fn byte(&self, i: usize) -> usize {
        self.offsets[i]
    }

    /// The characters of token `t`.
    pub fn text(&self, t: usize) -> &[char] {
        let token = self.tokens[t];
        &self.chars[token.start..token.end]
    }

    /// The character right after token `t`, whitespace included.
    pub fn char_after(&self, t: usize) -> Option<char> {
        self.chars.get(self.tokens[t].end).copied()
    }

    /// The character right before token `t`, whitespace included.
    pub fn char_before(&self, t: usize) -> Option<char> {
        self.tokens[t].start.checked_sub(1).map(|i| self.chars[i])
    }

    /// The token holding character `i` (or the first one after it).
    pub fn token_at(&self, i: usize) -> usize {
        self.tokens.partition_point(|t| t.end <= i)
    }

    /// Whether token `t` is `part` (lower-case ASCII, or one character),
    /// ignoring ASCII case.
    pub fn is(&self, t: usize, part: &str) -> bool {
        let mut want = part.chars();
        self.text(t).iter().all(|&c| want.next() == Some(c.to_ascii_lowercase())) && want.next().is_none()
    }

    /// Whether token `t` is one of the space-separated `parts`.
    pub fn is_any(&self, t: usize, parts: &str) -> bool {
        parts.split(' ').any(|p| self.is(t, p))
    }

    /// Whether token `t` is a word of ASCII digits only.
    pub fn is_number(&self, t: usize) -> bool {
        self.tokens[t].kind == Kind::Word && self.text(t).iter().all(char::is_ascii_digit)
    }

    /// If `label` starts at token `t`, the token after it.
    pub fn label_at(&self, t: usize, label: &str) -> Option<usize> {
        let first = self.chars[self.tokens.get(t)?.start].to_ascii_lowercase();
        if !label.starts_with(first) {
            return None; // the cheap test that rejects almost every position
        }
        let mut k = t;
        for (n, part) in parts(label).enumerate() {
            if n > 0 && k < self.tokens.len() && (self.is(k, "_") || self.is(k, "-")) {
                k += 1;
            }
            if k >= self.tokens.len() || !self.is(k, part) {
                return None;
            }
            k += 1;
        }
        Some(k)
    }

    /// If one of `labels` starts at token `t`, the token after it.
    pub fn any_label_at(&self, t: usize, labels: &[&str]) -> Option<usize> {
        labels.iter().find_map(|l| self.label_at(t, l))
    }

    /// Whether one of `labels` ends with token `t`.
    pub fn label_ends_at(&self, t: usize, labels: &[&str]) -> bool {
        // A label is at most a few tokens long (plus `_`/`-` between them).
        labels
            .iter()
            .filter(|l| self.may_contain(l))
            .any(|l| (t.saturating_sub(8)..=t).any(|s| self.label_at(s, l) == Some(t + 1)))
    }

    /// Token ranges where one of `labels` occurs, label by label.
    pub fn find_labels(&self, labels: &[&str]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        for label in labels.iter().filter(|l| self.may_contain(l)) {
            let first = label.chars().next();
            for (t, token) in self.tokens.iter().enumerate() {
                if Some(self.chars[token.start].to_ascii_lowercase()) == first {
                    found.extend(self.label_at(t, label).map(|end| (t, end)));
                }
            }
        }
        found
    }

    /// Whether the value starting at token `t` follows one of `labels`,
    /// with at most a few filler words between ("private key is 0x…").
    pub fn labelled_before(&self, t: usize, labels: &[&str]) -> bool {
        let mut k = t;
        for _ in 0..=MAX_FILLER {
            let Some(prev) = k.checked_sub(1) else { return false };
            k = prev;
            if self.label_ends_at(k, labels) {
                return true;
            }
            if !self.is_any(k, FILLER) {
                return false;
            }
        }
        false
    }

    /// Whether the value ending with token `t` is named by one of `labels`
    /// after it, through a copula ("123456 is my 2FA code", "… 是我的私钥").
    pub fn labelled_after(&self, t: usize, labels: &[&str]) -> bool {
        let mut k = t + 1;
        if k >= self.tokens.len() || !self.is_any(k, COPULA) {
            return false;
        }
        for _ in 0..=MAX_FILLER {
            k += 1;
            if k >= self.tokens.len() {
                return false;
            }
            if self.any_label_at(k, labels).is_some() {
                return true;
            }
            if !self.is_any(k, FILLER) {
                return false;
            }
        }
        false
    }

    /// Whether the value at tokens `first..=last` is named by one of `labels`.
    pub fn labelled(&self, first: usize, last: usize, labels: &[&str]) -> bool {
        self.labelled_before(first, labels) || self.labelled_after(last, labels)
    }

    /// The first token after `t` that is not filler (at most a few are
    /// skipped): where the value named by a label at `t` would start.
    pub fn value_after(&self, t: usize) -> Option<usize> {
        (t + 1..self.tokens.len()).take(MAX_FILLER + 1).find(|&k| !self.is_any(k, FILLER))
    }
}

/// The bit of [`View::initials`] for a character: letters and digits only.
fn initial_bit(c: char) -> u64 {
    match c.to_ascii_lowercase() {
        c @ 'a'..='z' => 1 << (c as u32 - 'a' as u32),
        c @ '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        _ => 0,
    }
}

/// The bit of [`View::other_initials`] for a character outside ASCII.
fn other_bit(c: char) -> u64 {
    if c.is_ascii() {
        0
    } else {
        1 << (c as u32 % 64)
    }
}

/// Splits a label into the parts it must match, token by token: ASCII words,
/// and single other characters. "api 密钥" is `api`, `密`, `钥`.
fn parts(label: &str) -> impl Iterator<Item = &str> {
    let mut rest = label;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches(' ');
        let c = rest.chars().next()?;
        let n = if c.is_ascii_alphanumeric() {
            rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len())
        } else {
            c.len_utf8()
        };
        let (part, tail) = rest.split_at(n);
        rest = tail;
        Some(part)
    })
}

/// Full-width ASCII (U+FF01..U+FF5E) becomes ASCII, the ideographic space a
/// space, so "１２３４５６" and "ｐａｓｓｗｏｒｄ" are read as typed.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Whitespace, without the Unicode tables (the widget ships no tables).
pub(super) fn is_space(c: char) -> bool {
    c.is_ascii_whitespace()
        || matches!(
            c,
            '\u{85}' | '\u{A0}' | '\u{2000}'..='\u{200B}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}'
        )
        || matches!(c, '\u{3000}' | '\u{FEFF}')
}

/// Letters and digits of the spaced scripts. Outside ASCII a cheap
/// approximation: anything that is neither CJK nor in the punctuation,
/// symbol and emoji blocks.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    !is_cjk(c)
        && !is_space(c)
        && !matches!(c as u32,
            0x80..=0xBF | 0xD7 | 0xF7
            | 0x2000..=0x2BFF     // general punctuation, symbols, arrows
            | 0x3000..=0x303F     // CJK punctuation
            | 0xFE30..=0xFE4F     // CJK compatibility forms
            | 0xFF00..=0xFFEF     // the rest of the full-width block
            | 0x1F000..)
}
