//! Seed phrases: BIP-39 mnemonics in English and in simplified Chinese.
//!
//! English prose always contains words that are not on the list ("the",
//! "my", "is", "to"), so twelve list words in a row are a mnemonic. Chinese
//! is harder: the Chinese list is the 2048 most common characters, and
//! ordinary sentences are made of little else. A Chinese mnemonic is
//! therefore recognised either by its shape (twelve or more characters
//! standing alone, "的 一 是 在 …") or, written without spaces, by its exact
//! length, its checksum and a label such as 助记词 close by.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use super::view::{Kind, View};
use super::{Finding, SecretKind};

/// The official BIP-39 lists. English, which is sorted, is front-coded
/// (each word is the number of letters it shares with the one before, then
/// the rest: "0abandon2ility…"), a third smaller once compressed than one
/// word per line; a test checks it against the official list,
/// bip39-english.txt. Chinese is its 2048 characters in list order.
const ENGLISH: &str = include_str!("bip39-english.front-coded.txt");
const CHINESE: &str = include_str!("bip39-chinese-simplified.txt");

/// Words that name a mnemonic close to a run of Chinese characters.
const LABELS: &[&str] =
    &["助记词", "种子", "恢复短语", "mnemonic", "seed", "recovery phrase", "seed phrase", "secret recovery phrase"];

/// What may stand between a label and the Chinese run it names: "助记词：…",
/// "seed = …", "助记词是 …", "… 是我的助记词". A comma or a full stop ends
/// the clause, and with it the label's reach.
const LABEL_GAP: &str = " :=\"'“”‘’「」『』()-—>是为如下我的这就";
const MAX_LABEL_GAP: usize = 6;

/// The English list, built once from the included text.
pub(super) fn english() -> &'static [Box<str>] {
    static WORDS: OnceLock<Vec<Box<str>>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: Vec<Box<str>> = Vec::with_capacity(2048);
        let mut word = String::new();
        for c in ENGLISH.trim_end().chars() {
            if let Some(shared) = c.to_digit(10) {
                if !word.is_empty() {
                    words.push(word.as_str().into());
                }
                word.truncate(shared as usize);
            } else {
                word.push(c);
            }
        }
        words.push(word.into());
        words
    })
}

/// The Chinese list as `(character << 11) | index`, sorted by character.
fn chinese() -> &'static [u32] {
    static CHARS: OnceLock<Vec<u32>> = OnceLock::new();
    CHARS.get_or_init(|| {
        let mut v: Vec<u32> =
            CHINESE.trim_end().chars().enumerate().map(|(i, c)| (c as u32) << 11 | i as u32).collect();
        crate::sort::heap_sort_by(&mut v, |a, b| a.cmp(b));
        v
    })
}

/// The index of a Chinese list character.
pub(super) fn chinese_index(c: char) -> Option<u16> {
    let list = chinese();
    let i = list.partition_point(|&v| v >> 11 < c as u32);
    list.get(i).filter(|&&v| v >> 11 == c as u32).map(|&v| (v & 0x7FF) as u16)
}

/// How a word token reads against the English list.
enum Word {
    /// The word at this index.
    Exact(u16),
    /// The first four letters of the word at this index: BIP-39 makes them
    /// unique, and wallets and steel plates often print only those.
    Abbreviated(u16),
    /// Not a list word.
    No,
}

fn english_word(chars: &[char]) -> Word {
    let mut buf = [0u8; 8];
    if chars.len() < 3 || chars.len() > buf.len() || !chars.iter().all(char::is_ascii_alphabetic) {
        return Word::No;
    }
    for (b, c) in buf.iter_mut().zip(chars) {
        *b = c.to_ascii_lowercase() as u8;
    }
    let Ok(word) = std::str::from_utf8(&buf[..chars.len()]) else { return Word::No };
    let list = english();
    let i = list.partition_point(|w| &**w < word);
    match list.get(i) {
        Some(w) if &**w == word => Word::Exact(i as u16),
        Some(w) if word.len() == 4 && w.starts_with(word) => Word::Abbreviated(i as u16),
        _ => Word::No,
    }
}

/// Whether the words at these list indices carry a valid BIP-39 checksum:
/// the last `n / 3` bits are the first bits of SHA-256 of the rest.
pub(super) fn checksum_ok(indices: &[u16]) -> bool {
    let n = indices.len();
    if !matches!(n, 12 | 15 | 18 | 21 | 24) {
        return false;
    }
    let mut bits = [0u8; 33]; // 24 words x 11 bits
    for (i, &w) in indices.iter().enumerate() {
        for b in 0..11 {
            if w >> (10 - b) & 1 == 1 {
                let at = i * 11 + b;
                bits[at / 8] |= 0x80 >> (at % 8);
            }
        }
    }
    let checksum_bits = n / 3;
    let entropy = (n * 11 - checksum_bits) / 8;
    let hash = Sha256::digest(&bits[..entropy]);
    (0..checksum_bits).all(|b| {
        let at = entropy * 8 + b;
        bits[at / 8] >> (7 - at % 8) & 1 == hash[b / 8] >> (7 - b % 8) & 1
    })
}

/// Finds mnemonics in both languages.
pub(super) fn find(view: &View, out: &mut Vec<Finding>) {
    english_runs(view, out);
    chinese_spaced(view, out);
    chinese_contiguous(view, out);
}

/// Runs of English list words separated only by spaces, punctuation and
/// numbering ("1. abandon 2) ability").
fn english_runs(view: &View, out: &mut Vec<Finding>) {
    // A cheap pass first: stretches that could hold twelve list words, going
    // by shape alone. Prose breaks them every few words ("I", "a", "my",
    // "is"), so the word list is rarely consulted.
    let mut from = 0;
    let mut words = 0;
    for t in 0..=view.tokens.len() {
        if t < view.tokens.len() && may_continue_run(view, t) {
            words += usize::from(view.tokens[t].kind == Kind::Word && !view.is_number(t));
            continue;
        }
        if words >= 12 {
            list_word_runs(view, from, t, out);
        }
        (from, words) = (t + 1, 0);
    }
}

/// Whether token `t` may be part of a run by its shape: a word of three to
/// eight letters, numbering ("1", "12"), or punctuation other than a
/// sentence end right after a word ("abandon. ability" is prose).
fn may_continue_run(view: &View, t: usize) -> bool {
    let token = view.tokens[t];
    let len = token.end - token.start;
    match token.kind {
        Kind::Word if view.is_number(t) => len <= 2,
        Kind::Word => (3..=8).contains(&len) && view.text(t).iter().all(char::is_ascii_alphabetic),
        Kind::Punct => {
            !(view.is_any(t, ". ? !") && t > 0 && view.tokens[t - 1].kind == Kind::Word && !view.is_number(t - 1))
        }
        Kind::Cjk => false,
    }
}

/// Runs of list words among tokens `from..to`, which all passed [`may_continue_run`].
fn list_word_runs(view: &View, from: usize, to: usize, out: &mut Vec<Finding>) {
    // (token, index, abbreviated) of the current run.
    let mut run: Vec<(usize, u16, bool)> = Vec::new();
    for t in from..=to {
        let word = if t < to && view.tokens[t].kind == Kind::Word { english_word(view.text(t)) } else { Word::No };
        match word {
            Word::Exact(i) => run.push((t, i, false)),
            Word::Abbreviated(i) => run.push((t, i, true)),
            Word::No if t < to && (view.tokens[t].kind == Kind::Punct || view.is_number(t)) => {}
            Word::No => {
                if !run.is_empty() {
                    english_run(view, &run, out);
                    run.clear();
                }
            }
        }
    }
}

fn english_run(view: &View, run: &[(usize, u16, bool)], out: &mut Vec<Finding>) {
    let span = |run: &[(usize, u16, bool)]| Finding {
        kind: SecretKind::SeedPhrase,
        start: view.tokens[run[0].0].start,
        end: view.tokens[run[run.len() - 1].0].end,
    };
    let indices: Vec<u16> = run.iter().map(|w| w.1).collect();
    if run.len() >= 12 && (run.iter().all(|w| !w.2) || checksum_ok(&indices)) {
        out.push(span(run));
        return;
    }
    // Abbreviations are only trusted with a checksum; without one, look for
    // twelve full words in a row inside the run.
    for part in run.split(|w| w.2).filter(|p| p.len() >= 12) {
        out.push(span(part));
    }
}

/// Twelve or more list characters each standing alone: "的 一 是 在 …",
/// "1.的 2.一 …". Ordinary Chinese writes characters together.
fn chinese_spaced(view: &View, out: &mut Vec<Finding>) {
    let alone = |t: usize| {
        view.tokens[t].kind == Kind::Cjk
            && !view.char_before(t).is_some_and(crate::text::is_cjk)
            && !view.char_after(t).is_some_and(crate::text::is_cjk)
            && chinese_index(view.text(t)[0]).is_some()
    };
    let (mut first, mut last, mut count) = (0, 0, 0);
    for t in 0..=view.tokens.len() {
        if t < view.tokens.len() && alone(t) {
            if count == 0 {
                first = t;
            }
            last = t;
            count += 1;
            continue;
        }
        let separator = t < view.tokens.len()
            && match view.tokens[t].kind {
                Kind::Punct => true,
                Kind::Word => view.is_number(t) && view.tokens[t].end - view.tokens[t].start <= 2,
                Kind::Cjk => false,
            };
        if separator {
            continue;
        }
        if count >= 12 {
            out.push(Finding {
                kind: SecretKind::SeedPhrase,
                start: view.tokens[first].start,
                end: view.tokens[last].end,
            });
        }
        count = 0;
    }
}

/// A run of exactly 12, 15, 18, 21 or 24 list characters written together,
/// with a valid checksum and a label close by ("助记词：的一是在…").
fn chinese_contiguous(view: &View, out: &mut Vec<Finding>) {
    let chars = &view.chars;
    if chars.len() < 12 {
        return;
    }
    let mut labels: Vec<(usize, usize)> =
        view.find_labels(LABELS).into_iter().map(|(s, e)| (view.tokens[s].start, view.tokens[e - 1].end)).collect();
    if labels.is_empty() {
        return;
    }
    crate::sort::sort_by(&mut labels, |a, b| a.cmp(b));
    let is_cjk = |i: usize| crate::text::is_cjk(chars[i]);
    let mut a = 0;
    while a < chars.len() {
        if !is_cjk(a) {
            a += 1;
            continue;
        }
        let b = (a..chars.len()).find(|&i| !is_cjk(i)).unwrap_or(chars.len());
        if b - a < 12 {
            a = b;
            continue;
        }
        // Only labels in or next to the run matter; they are found by
        // bisection so that a long paste of labels stays linear. (Labels
        // are under 26 characters and the gap at most MAX_LABEL_GAP.)
        let labels = {
            let from = labels.partition_point(|&(ls, _)| ls + 32 < a);
            let to = labels.partition_point(|&(ls, _)| ls <= b + MAX_LABEL_GAP);
            &labels[from..to]
        };
        // The run itself, and the parts around a label inside it
        // ("我的助记词是的一是在…"), with the usual small words trimmed.
        let mut candidates = vec![(a, b)];
        for &(ls, le) in labels.iter().filter(|&&(ls, le)| a <= ls && le <= b) {
            candidates.push((le, b));
            for w in ["是", "为", "就是", "如下"] {
                if starts_with(chars, le, w) {
                    candidates.push((le + w.chars().count(), b));
                }
            }
            let mut e = ls;
            candidates.push((a, e));
            for w in ['的', '我', '是'] {
                if e > a && chars[e - 1] == w {
                    e -= 1;
                    candidates.push((a, e));
                }
            }
        }
        for (s, e) in candidates {
            if !matches!(e - s, 12 | 15 | 18 | 21 | 24) {
                continue;
            }
            // Next to a label, but not containing one: a mnemonic is named,
            // it does not name itself.
            let gap = |from: usize, to: usize| {
                to - from <= MAX_LABEL_GAP && chars[from..to].iter().all(|&c| LABEL_GAP.contains(c))
            };
            let near = labels.iter().any(|&(ls, le)| (le <= s && gap(le, s)) || (ls >= e && gap(e, ls)));
            let overlaps = labels.iter().any(|&(ls, le)| ls < e && le > s);
            if !near || overlaps {
                continue;
            }
            let indices: Option<Vec<u16>> = chars[s..e].iter().map(|&c| chinese_index(c)).collect();
            if indices.is_some_and(|i| checksum_ok(&i)) {
                out.push(Finding { kind: SecretKind::SeedPhrase, start: s, end: e });
                break;
            }
        }
        a = b;
    }
}

fn starts_with(chars: &[char], at: usize, word: &str) -> bool {
    word.chars().enumerate().all(|(k, w)| chars.get(at + k) == Some(&w))
}
