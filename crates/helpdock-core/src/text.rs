//! From raw text to search terms: normalisation, Latin words with light
//! stemming, dictionary-free CJK (character unigrams and bigrams), numbers.
//!
//! The same functions run when a pack is built and when a query is asked, so
//! an article and a question that mean the same words meet on the same terms.

/// Normalises text for matching: Unicode NFKC, full-width forms folded to
/// their ASCII twins, and lower case.
///
/// With the `nfkc` feature (native builds) this does everything. Without it
/// (the widget) NFKC and non-ASCII lower-casing are left to the browser,
/// which passes text through `normalize("NFKC").toLowerCase()` first, so the
/// wasm carries neither Unicode table.
pub fn normalize(text: &str) -> String {
    #[cfg(feature = "nfkc")]
    let text: String = {
        use unicode_normalization::UnicodeNormalization;
        text.nfkc().collect()
    };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = fold_width(c);
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            #[cfg(feature = "nfkc")]
            out.extend(c.to_lowercase());
            #[cfg(not(feature = "nfkc"))]
            out.push(c);
        }
    }
    out
}

/// A plain decimal number (`12`, `-0.5`, `+3.25`, `.5`; no exponent),
/// read without the standard library's float parser, whose tables weigh
/// about 20 KB in the widget's wasm. Exact enough for what core reads this
/// way: colour channels and the seconds of a time.
pub fn decimal(s: &str) -> Option<f64> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if (whole.is_empty() && fraction.is_empty()) || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value = 0f64;
    for b in whole.bytes() {
        value = value * 10.0 + f64::from(b - b'0');
    }
    let mut scale = 1f64;
    for b in fraction.bytes() {
        scale /= 10.0;
        value += f64::from(b - b'0') * scale;
    }
    Some(if negative { -value } else { value })
}

/// Full-width ASCII (U+FF01..U+FF5E) and the ideographic space become their
/// half-width forms; CJK punctuation that plays the same role becomes ASCII.
fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '、' => ',',
        '。' => '.',
        _ => c,
    }
}

/// Han ideographs, kana and Hangul: scripts written without spaces, which
/// are indexed by characters and character pairs rather than words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x2FA1F) // Extensions B..F, compatibility supplement
}

/// One unit of normalised text before terms are derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    /// A Latin (or other spaced-script) word, already stemmed.
    Word(String),
    /// A run of digits (and digit-internal `.`/`,`), kept verbatim.
    Number(String),
    /// One CJK character; `joined` is false at the start of a run.
    Cjk {
        /// The character.
        c: char,
        /// Whether it directly follows another CJK character.
        joined: bool,
    },
}

/// Splits *normalised* text into units. English function words are dropped;
/// everything else is kept.
pub fn units(normalized: &str) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut previous_cjk = false;
    let flush = |word: &mut String, out: &mut Vec<Unit>| {
        if word.is_empty() {
            return;
        }
        let w = std::mem::take(word);
        let w = w.trim_matches(|c| c == '.' || c == ',' || c == '\'');
        if w.is_empty() {
            return;
        }
        if w.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
            out.push(Unit::Number(w.replace(',', "")));
        } else if !is_stopword(w) {
            out.push(Unit::Word(stem(w)));
        }
    };
    let mut chars = normalized.chars().peekable();
    while let Some(c) = chars.next() {
        if is_cjk(c) {
            flush(&mut word, &mut out);
            out.push(Unit::Cjk { c, joined: previous_cjk });
            previous_cjk = true;
            continue;
        }
        previous_cjk = false;
        let inner_punct = (c == '.' || c == ',' || c == '\'')
            && !word.is_empty()
            && chars.peek().is_some_and(|n| n.is_alphanumeric() && !is_cjk(*n));
        if c.is_alphanumeric() || inner_punct {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Indexing terms of normalised text, in order: words, numbers, and for CJK
/// runs each character plus each pair of neighbours.
pub fn terms(normalized: &str) -> Vec<String> {
    terms_of_units(&units(normalized))
}

/// [`terms`] for units already split.
pub fn terms_of_units(units: &[Unit]) -> Vec<String> {
    let mut out = Vec::with_capacity(units.len() * 2);
    let mut previous: Option<char> = None;
    let mut previous_word: Option<&str> = None;
    for unit in units {
        match unit {
            Unit::Word(w) | Unit::Number(w) => {
                previous = None;
                out.push(w.clone());
                // Long words also index by their first five letters, so
                // "verify" and "verification" share "verif*".
                if w.len() > 6 && w.bytes().all(|b| b.is_ascii_alphabetic()) {
                    out.push(format!("{}*", &w[..5]));
                }
                // Adjacent words also index as a pair: "top up", "exchange rate".
                if let Some(p) = previous_word {
                    out.push(format!("{p} {w}"));
                }
                previous_word = Some(w);
                continue;
            }
            Unit::Cjk { c, joined } => {
                out.push(c.to_string());
                if let (true, Some(p)) = (*joined, previous) {
                    let mut pair = String::with_capacity(8);
                    pair.push(p);
                    pair.push(*c);
                    out.push(pair);
                }
                previous = Some(*c);
                previous_word = None;
            }
        }
    }
    out
}

/// Whether a term is a single CJK character (weak evidence on its own).
pub fn is_cjk_unigram(term: &str) -> bool {
    let mut chars = term.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if is_cjk(c))
}

/// Words too common in questions to tell articles apart (sorted).
const STOPWORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "are", "as", "at", "be", "been", "but", "by", "could", "did", "do", "does", "for",
    "from", "had", "has", "have", "hello", "hi", "i", "i'm", "i've", "if", "in", "into", "is", "it", "it's", "its",
    "me", "my", "of", "on", "or", "our", "please", "so", "that", "the", "there", "this", "to", "us", "was", "we",
    "were", "would", "you", "your",
];

fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// A light English stemmer: plural and verb endings, so that "deposits",
/// "deposited" and "depositing" meet "deposit". Deliberately conservative
/// (no derivational suffixes): a wrong merge costs more than a missed one.
pub fn stem(word: &str) -> String {
    let w = word.strip_suffix("'s").unwrap_or(word);
    if w.len() <= 3 || !w.is_ascii() {
        return w.to_owned();
    }
    let mut s = w.to_owned();
    if let Some(base) = s.strip_suffix("ies").filter(|b| b.len() >= 2) {
        s = format!("{base}y");
    } else if let Some(base) = s.strip_suffix("ied").filter(|b| b.len() >= 2) {
        s = format!("{base}y");
    } else if s.ends_with("sses") || s.ends_with("shes") || s.ends_with("ches") || s.ends_with("xes") {
        s.truncate(s.len() - 2);
    } else if s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") && !s.ends_with("is") {
        s.truncate(s.len() - 1);
    } else if let Some(base) = s.strip_suffix("ing").filter(|b| b.len() >= 3 && has_vowel(b)) {
        s = undouble(base);
    } else if let Some(base) = s.strip_suffix("ed").filter(|b| b.len() >= 3 && has_vowel(b)) {
        s = undouble(base);
    }
    // "charge", "charged" and "charging" all end as "charg".
    if s.len() > 3 && s.ends_with('e') && !s.ends_with("ee") {
        s.pop();
    }
    s
}

fn has_vowel(s: &str) -> bool {
    s.bytes().any(|b| b"aeiouy".contains(&b))
}

/// "stopp" → "stop", but "fill" stays "fill".
fn undouble(base: &str) -> String {
    let b = base.as_bytes();
    let n = b.len();
    if n >= 2 && b[n - 1] == b[n - 2] && !b"lsz".contains(&b[n - 1]) && !b"aeiou".contains(&b[n - 1]) {
        base[..n - 1].to_owned()
    } else {
        base.to_owned()
    }
}

/// Damerau–Levenshtein distance (adjacent transpositions count once),
/// giving up above `max`: `None` means "further than `max`".
pub fn bounded_edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut prev2 = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= max)
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimals_read_like_the_standard_parser_without_its_tables() {
        for s in ["0", "12", "-0.5", "+3.25", ".5", "7.", "255", "59.999", "100.0"] {
            let ours = decimal(s).unwrap_or_else(|| panic!("{s}"));
            let std: f64 = s.parse().unwrap();
            assert!((ours - std).abs() < 1e-9, "{s}: {ours} vs {std}");
        }
        for s in ["", ".", "-", "1.2.3", "abc", "1e5", "1,5", " 1", "--1", "0x10"] {
            assert_eq!(decimal(s), None, "{s:?}");
        }
    }

    use super::*;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_stopword("the") && is_stopword("a") && !is_stopword("zzz"));
        assert!(!is_stopword("not") && !is_stopword("why") && !is_stopword("no"));
    }

    #[test]
    fn normalisation_folds_width_and_case() {
        assert_eq!(normalize("ＵＳＤＴ　充值"), "usdt 充值");
        assert_eq!(normalize("２ＦＡ？"), "2fa?");
        assert_eq!(normalize("KYC"), "kyc");
        #[cfg(feature = "nfkc")]
        assert_eq!(normalize("ﬁle ①"), "file 1");
    }

    #[test]
    fn stemming_merges_inflections() {
        let groups: &[&[&str]] = &[
            &["deposit", "deposits", "deposited", "depositing"],
            &["charge", "charged", "charging", "charges"],
            &["verify", "verified", "verifies"],
            &["stop", "stopped", "stopping", "stops"],
            &["withdrawal", "withdrawals"],
            &["address", "addresses"],
            &["pending"],
        ];
        for group in groups {
            let stems: Vec<String> = group.iter().map(|w| stem(w)).collect();
            assert!(stems.windows(2).all(|w| w[0] == w[1]), "{group:?} -> {stems:?}");
        }
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("bus"), "bus");
        assert_eq!(stem("fill"), "fill");
        assert_eq!(stem("filled"), "fill");
        assert_eq!(stem("card's"), "card");
    }

    #[test]
    fn words_numbers_and_cjk() {
        let t = terms(&normalize("My BTC 提币 pending, 0.5 BTC 没到账!"));
        assert_eq!(
            t,
            ["btc", "提", "币", "提币", "pend", "0.5", "pend 0.5", "btc", "0.5 btc", "没", "到", "没到", "账", "到账"]
        );
        assert_eq!(terms("1,000.50 usdt"), ["1000.50", "usdt", "1000.50 usdt"]);
        assert_eq!(terms("what's up"), ["what", "up", "what up"]);
        assert_eq!(terms("..."), Vec::<String>::new());
    }

    #[test]
    fn long_words_also_index_their_prefix() {
        assert_eq!(terms("verification"), ["verification", "verif*"]);
        assert_eq!(terms("verify"), ["verify"]);
        assert_eq!(terms("2026-11-01"), ["2026", "11", "2026 11", "01", "11 01"]);
    }

    #[test]
    fn mixed_scripts_split_at_the_boundary() {
        assert_eq!(terms("usdt充值trc20"), ["usdt", "充", "值", "充值", "trc20"]);
        assert!(is_cjk_unigram("充") && !is_cjk_unigram("充值") && !is_cjk_unigram("a"));
    }

    #[test]
    fn edit_distance_with_a_bound() {
        assert_eq!(bounded_edit_distance("withdraw", "withdarw", 1), Some(1));
        assert_eq!(bounded_edit_distance("deposit", "deposti", 1), Some(1));
        assert_eq!(bounded_edit_distance("password", "pasword", 1), Some(1));
        assert_eq!(bounded_edit_distance("verify", "verification", 2), None);
        assert_eq!(bounded_edit_distance("abc", "abc", 0), Some(0));
        assert_eq!(bounded_edit_distance("kyc", "fee", 2), None);
    }
}
