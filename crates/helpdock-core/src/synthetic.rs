//! Larger content made from real content, for measuring speed and size at
//! scale (the benchmarks and `helpdock pack synth`): article `i` is a copy
//! of a real article in which about half the words of every field are
//! replaced by words drawn from the whole collection, so posting lists and
//! vocabulary grow the way they do in a real help centre.

use crate::pack::{Article, Content};

/// `count` articles derived from `base`'s, deterministic for a `seed`.
/// Article `i` derives from `base.articles[i % base.articles.len()]` and
/// has the id `"{base id}~{i}"`; the first round of copies is unchanged, so
/// the base's own questions still have a right answer to find. Categories,
/// announcements and synonyms are kept, related links dropped.
pub fn synthetic(base: &Content, count: usize, seed: u64) -> Content {
    let mut rng = SplitMix(seed);
    let vocabulary: Vec<&str> = base
        .articles
        .iter()
        .flat_map(|a| [a.title.as_str(), a.body.as_str()].into_iter().chain(a.questions.iter().map(String::as_str)))
        .flat_map(words)
        .collect();
    let mutate = |text: &str, rng: &mut SplitMix| -> String {
        let mut out = String::with_capacity(text.len());
        for w in words(text) {
            let pick = if vocabulary.is_empty() || rng.next() % 2 == 0 {
                w
            } else {
                vocabulary[(rng.next() % vocabulary.len() as u64) as usize]
            };
            let joins_cjk = is_cjk_word(pick) && out.ends_with(is_cjk_char);
            if !out.is_empty() && !joins_cjk {
                out.push(' ');
            }
            out.push_str(pick);
        }
        out
    };
    let articles = if base.articles.is_empty() {
        Vec::new()
    } else {
        (0..count)
            .map(|i| {
                let a = &base.articles[i % base.articles.len()];
                if i < base.articles.len() {
                    return Article { id: format!("{}~{i}", a.id), related: Vec::new(), ..a.clone() };
                }
                Article {
                    id: format!("{}~{i}", a.id),
                    title: mutate(&a.title, &mut rng),
                    body: mutate(&a.body, &mut rng),
                    questions: a.questions.iter().map(|q| mutate(q, &mut rng)).collect(),
                    related: Vec::new(),
                    ..a.clone()
                }
            })
            .collect()
    };
    Content { articles, ..base.clone() }
}

/// Words and single CJK characters, in order.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches(|c: char| !c.is_alphanumeric());
        let first = rest.chars().next()?;
        let len = if is_cjk_char(first) {
            first.len_utf8()
        } else {
            rest.find(|c: char| !c.is_alphanumeric() || is_cjk_char(c)).unwrap_or(rest.len())
        };
        let (word, tail) = rest.split_at(len);
        rest = tail;
        Some(word)
    })
}

fn is_cjk_char(c: char) -> bool {
    crate::text::is_cjk(c)
}

fn is_cjk_word(w: &str) -> bool {
    w.chars().next().is_some_and(is_cjk_char)
}

/// A small, fast, deterministic generator (splitmix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_deterministically() {
        let base = crate::source::from_json(
            "t.json",
            r#"{"articles": [{"id": "a", "title": "Deposit not arrived", "questions": ["where is my deposit"], "body": "Check the TxID."},
                             {"id": "b", "locale": "zh-CN", "title": "充值未到账", "body": "请提供交易哈希。"}]}"#,
        )
        .unwrap();
        let big = synthetic(&base, 25, 7);
        assert_eq!(big.articles.len(), 25);
        assert_eq!(big.articles[1].title, "充值未到账", "the first copies are unchanged");
        assert_eq!(big.articles[3].id, "b~3");
        assert_eq!(big.articles[3].locale, "zh-CN");
        assert_eq!(big, synthetic(&base, 25, 7));
        assert_ne!(big, synthetic(&base, 25, 8));
        assert_eq!(words("USDT充值 not-arrived").collect::<Vec<_>>(), ["USDT", "充", "值", "not", "arrived"]);
    }
}
