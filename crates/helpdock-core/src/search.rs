//! Answering a question from an [`Index`]: which articles, how sure.

use std::collections::HashMap;

use crate::analysis::{analyze, is_group_term, query_weight};
use crate::index::Index;
use crate::locale::Locale;
use crate::text::bounded_edit_distance;

/// What to search for.
#[derive(Debug, Clone, Copy)]
pub struct SearchOptions {
    /// How many articles to return at most.
    pub top: usize,
    /// Only articles in this locale; `None` searches all.
    pub locale: Option<Locale>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions { top: 5, locale: None }
    }
}

/// One ranked article.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Index into [`Index::articles`].
    pub article: u32,
    /// The article's score; only comparable within one query.
    pub score: f32,
}

/// The ranked articles for one query, and how sure the engine is.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Best first.
    pub hits: Vec<Hit>,
    /// Estimated probability that the first hit is right, in 0..=1.
    pub confidence: f32,
    /// Whether `confidence` clears the bar for answering without asking.
    pub confident: bool,
    /// The query terms that matched something, for highlighting and for
    /// explaining an answer (synonym groups excluded).
    pub matched: Vec<String>,
    /// Misspelt query words and the index terms used instead.
    pub corrections: Vec<(String, String)>,
    /// What the confidence was computed from.
    pub why: Why,
}

/// The evidence behind [`Answer::confidence`], each in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Why {
    /// Share of the query (by term weight) found in the first article.
    pub coverage: f32,
    /// How far the first article leads the second, relative to its score.
    pub margin: f32,
    /// The first article's score relative to the best any article could
    /// get for these terms.
    pub strength: f32,
    /// How much the question says that the pack knows about: the first
    /// article's score (BM25) `s`, as `s / (1 + s)`. "tell me a joke",
    /// whose only known word is "tell", has little; "I forgot my password"
    /// has several rare terms' worth.
    pub evidence: f32,
}

/// The confidence above which the bot answers outright.
pub const CONFIDENT: f32 = 0.5;

/// How much a typo-corrected term counts next to an exact one.
const CORRECTED_WEIGHT: f32 = 0.7;

impl Index {
    /// Ranks articles for `query`. Normalisation, synonyms and typo
    /// tolerance are applied as when the pack was built.
    pub fn search(&self, query: &str, options: &SearchOptions) -> Answer {
        // Distinct query terms with their weight (the largest if repeated).
        let mut weights: HashMap<String, f32> = HashMap::new();
        for term in analyze(query, &self.synonyms) {
            let w = query_weight(&term);
            let entry = weights.entry(term).or_insert(0.0);
            *entry = entry.max(w);
        }
        let mut query_terms: Vec<(String, f32)> = weights.into_iter().collect();
        crate::sort::sort_by(&mut query_terms, |a, b| a.0.cmp(&b.0)); // deterministic order

        let locale_tag = options.locale.map(|l| self.content_locale(l).tag());
        let mut scores = vec![0f32; self.articles.len()];
        let mut matched = Vec::new();
        let mut corrections = Vec::new();
        let mut used: Vec<(usize, f32)> = Vec::new();
        let mut total_weight = 0f32;
        for (term, weight) in &query_terms {
            total_weight += weight;
            let (found, weight) = match self.find_term(term) {
                Some(i) => (Some(i), *weight),
                None => match self.correct(term) {
                    Some(i) => {
                        corrections.push((term.clone(), self.terms[i].term.to_string()));
                        (Some(i), weight * CORRECTED_WEIGHT)
                    }
                    None => (None, *weight),
                },
            };
            let Some(i) = found else { continue };
            if !is_group_term(term) {
                matched.push(term.clone());
            }
            used.push((i, weight));
            self.accumulate(i, weight, &mut scores);
        }

        let keep = options.top.max(2);
        // Searching all locales, the same article can match in each of
        // them: keep enough candidates to drop the lower-ranked copies.
        let candidates = if locale_tag.is_some() { keep } else { keep * self.locale_count };
        // One pass over the scores into the sorted candidates: the locale
        // is compared only for a score that would be kept.
        let mut hits: Vec<Hit> = Vec::with_capacity(candidates + 1);
        for (i, &s) in scores.iter().enumerate() {
            if s <= 0.0
                || hits.len() >= candidates && hits.last().is_some_and(|last| s * self.impact_scale < last.score)
            {
                continue;
            }
            if locale_tag.is_some_and(|l| self.articles[i].locale != l) {
                continue;
            }
            crate::sort::offer(&mut hits, candidates, Hit { article: i as u32, score: s * self.impact_scale }, rank);
        }
        if locale_tag.is_none() {
            let mut seen = Vec::with_capacity(hits.len());
            hits.retain(|hit| {
                let id = self.articles[hit.article as usize].id.as_str();
                let first = !seen.contains(&id);
                seen.push(id);
                first
            });
        }
        hits.truncate(keep);

        let why = self.why(&hits, &used, total_weight);
        let confidence = if hits.is_empty() { 0.0 } else { calibrate(&why) };
        hits.truncate(options.top);
        Answer { hits, confidence, confident: confidence >= CONFIDENT, matched, corrections, why }
    }

    /// The index term a misspelt Latin word most likely meant: within one
    /// edit (two for words of eight letters or more), sharing the first or
    /// second letter, the most frequent among the closest.
    fn correct(&self, word: &str) -> Option<usize> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < 4 || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        let max = if chars.len() >= 8 { 2 } else { 1 };
        let mut best: Option<(usize, u32, usize)> = None; // (distance, df, term)
        let buckets = [chars[0], chars[1]];
        for (k, first) in buckets.iter().enumerate() {
            if k == 1 && buckets[1] == buckets[0] {
                break;
            }
            for &t in self.fuzzy.get(first).map(Vec::as_slice).unwrap_or_default() {
                let entry = &self.terms[t as usize];
                if entry.term.len().abs_diff(word.len()) > max {
                    continue;
                }
                if let Some(d) = bounded_edit_distance(word, &entry.term, max) {
                    let candidate = (d, entry.df, t as usize);
                    let better = best.is_none_or(|(bd, bdf, _)| d < bd || (d == bd && entry.df > bdf));
                    if better {
                        best = Some(candidate);
                    }
                }
            }
        }
        best.map(|(_, _, t)| t)
    }

    fn why(&self, hits: &[Hit], used: &[(usize, f32)], total_weight: f32) -> Why {
        let Some(first) = hits.first() else { return Why::default() };
        if total_weight <= 0.0 {
            return Why::default();
        }
        let covered: f32 = used.iter().filter(|(term, _)| self.occurs(*term, first.article)).map(|(_, w)| w).sum();
        let best_possible: f32 =
            used.iter().map(|(term, w)| w * f32::from(self.terms[*term].max_impact)).sum::<f32>() * self.impact_scale;
        Why {
            coverage: covered / total_weight,
            margin: hits.get(1).map_or(1.0, |second| (first.score - second.score) / first.score),
            strength: if best_possible > 0.0 { (first.score / best_possible).min(1.0) } else { 0.0 },
            evidence: first.score / (1.0 + first.score),
        }
    }
}

/// Probability that the first hit is right: a logistic model of [`Why`].
/// The coefficients come from `scripts/quality-off-topic.py --fit` (see
/// BENCHMARKS.md), which fits them on validation questions of two public
/// sets, Banking77 and CLINC150's training split, asked of packs built from
/// other questions of the same sets: questions whose intent has an article,
/// questions whose intent was left out, and CLINC150's out-of-scope ones.
/// The questions the script reports on are never part of the fit.
fn calibrate(why: &Why) -> f32 {
    let [b0, coverage, margin, strength, evidence] = CALIBRATION;
    let z = b0 + coverage * why.coverage + margin * why.margin + strength * why.strength + evidence * why.evidence;
    1.0 / (1.0 + (-z).exp())
}

/// Intercept, coverage, margin, strength, evidence.
const CALIBRATION: [f32; 5] = [-7.494, 3.191, 4.285, -0.281, 6.845];

fn rank(a: &Hit, b: &Hit) -> std::cmp::Ordering {
    b.score.total_cmp(&a.score).then(a.article.cmp(&b.article))
}

/// Splits `text` into runs, marking those that match the query's
/// [`Answer::matched`] terms: Latin words whose folded form starts with a
/// matched stem, and CJK character pairs that were matched. For showing
/// results with the matches highlighted.
pub fn highlight<'t>(text: &'t str, matched: &[String]) -> Vec<(&'t str, bool)> {
    use crate::text::{is_cjk, normalize};
    let stems: Vec<&str> = matched
        .iter()
        .map(|t| t.trim_end_matches('*'))
        .filter(|t| !t.contains(' ') && t.chars().next().is_some_and(|c| !is_cjk(c)) && t.len() >= 2)
        .collect();
    let cjk: Vec<Vec<char>> = {
        let pairs: Vec<Vec<char>> = matched
            .iter()
            .map(|t| t.chars().collect::<Vec<_>>())
            .filter(|c| c.len() >= 2 && c.iter().all(|c| is_cjk(*c)))
            .collect();
        if pairs.is_empty() {
            matched.iter().map(|t| t.chars().collect::<Vec<_>>()).filter(|c| c.len() == 1 && is_cjk(c[0])).collect()
        } else {
            pairs
        }
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut marks = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if is_cjk(c) {
            let folded: Vec<char> = chars[i..].iter().map(|(_, c)| *c).take(4).collect();
            if let Some(term) = cjk.iter().find(|t| folded.starts_with(t)) {
                marks[i..i + term.len()].iter_mut().for_each(|m| *m = true);
            }
            i += 1;
        } else if c.is_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].1.is_alphanumeric() && !is_cjk(chars[i].1) {
                i += 1;
            }
            let end = chars.get(i).map_or(text.len(), |(b, _)| *b);
            let word = normalize(&text[chars[start].0..end]);
            if stems.iter().any(|s| word.starts_with(s)) {
                marks[start..i].iter_mut().for_each(|m| *m = true);
            }
        } else {
            i += 1;
        }
    }
    let mut runs = Vec::new();
    let mut run_start = 0;
    for k in 1..=chars.len() {
        if k == chars.len() || marks[k] != marks[run_start] {
            let from = chars[run_start].0;
            let to = chars.get(k).map_or(text.len(), |(b, _)| *b);
            runs.push((&text[from..to], marks[run_start]));
            run_start = k;
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str, matched: &[&str]) -> String {
        let matched: Vec<String> = matched.iter().map(|s| s.to_string()).collect();
        highlight(text, &matched).into_iter().map(|(t, m)| if m { format!("[{t}]") } else { t.to_owned() }).collect()
    }

    #[test]
    fn highlights_words_by_stem_and_cjk_pairs() {
        assert_eq!(
            marked("My Deposits have not arrived", &["deposit", "arriv", "deposit arriv"]),
            "My [Deposits] have not [arrived]"
        );
        assert_eq!(marked("充值未到账怎么办", &["充", "值", "充值", "到账"]), "[充值]未[到账]怎么办");
        assert_eq!(marked("冻结账户", &["冻"]), "[冻]结账户");
        assert_eq!(marked("USDT 充值", &["usdt"]), "[USDT] 充值");
        assert_eq!(marked("", &["x"]), "");
        assert_eq!(marked("nothing", &[]), "nothing");
    }
}
