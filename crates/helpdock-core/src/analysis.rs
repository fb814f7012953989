//! Turning a field or a query into weighted terms: [`crate::text`]'s terms
//! plus one term per synonym group found, so that "入金", "充币" and
//! "deposit" all meet on the same group term.

use std::collections::HashMap;

use crate::text::{is_cjk_unigram, normalize, terms_of_units, units, Unit};

/// Prefix of synonym-group terms; it cannot occur in normalised text terms.
const GROUP_PREFIX: char = '\u{1}';

/// Synonym groups, compiled for matching on units.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// First unit of a variant → (the variant's units, group number).
    by_first: HashMap<UnitKey, Vec<(Vec<UnitKey>, u32)>>,
}

/// A unit without its "joined" flag: what variants are compared on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum UnitKey {
    Word(String),
    Cjk(char),
}

fn key(unit: &Unit) -> UnitKey {
    match unit {
        Unit::Word(w) | Unit::Number(w) => UnitKey::Word(w.clone()),
        Unit::Cjk { c, .. } => UnitKey::Cjk(*c),
    }
}

impl Synonyms {
    /// Compiles groups of equivalent words or phrases.
    pub fn new(groups: &[Vec<String>]) -> Synonyms {
        let mut by_first: HashMap<UnitKey, Vec<(Vec<UnitKey>, u32)>> = HashMap::new();
        for (g, group) in groups.iter().enumerate() {
            for variant in group {
                let keys: Vec<UnitKey> = units(&normalize(variant)).iter().map(key).collect();
                if let Some(first) = keys.first().cloned() {
                    by_first.entry(first).or_default().push((keys, g as u32));
                }
            }
        }
        for variants in by_first.values_mut() {
            // Longest first, so "two factor authentication" wins over "two factor".
            crate::sort::sort_by_key(variants, |(keys, _)| std::cmp::Reverse(keys.len()));
        }
        Synonyms { by_first }
    }

    /// The groups whose variants occur in `units`, once per occurrence.
    fn groups_in(&self, units: &[Unit]) -> Vec<u32> {
        if self.by_first.is_empty() {
            return Vec::new();
        }
        let keys: Vec<UnitKey> = units.iter().map(key).collect();
        let mut found = Vec::new();
        for i in 0..keys.len() {
            if let Some(variants) = self.by_first.get(&keys[i]) {
                if let Some((_, g)) = variants.iter().find(|(v, _)| keys[i..].starts_with(v)) {
                    found.push(*g);
                }
            }
        }
        found
    }
}

/// The term standing for synonym group `g`.
pub fn group_term(g: u32) -> String {
    format!("{GROUP_PREFIX}{g}")
}

/// Whether `term` stands for a synonym group.
pub fn is_group_term(term: &str) -> bool {
    term.starts_with(GROUP_PREFIX)
}

/// All terms of `text` (not yet normalised), synonym groups included.
pub fn analyze(text: &str, synonyms: &Synonyms) -> Vec<String> {
    let units = units(&normalize(text));
    let mut terms = terms_of_units(&units);
    terms.extend(synonyms.groups_in(&units).into_iter().map(group_term));
    terms
}

const PAIR_WEIGHT: f32 = 0.3;
/// A long word's five-letter prefix ("verif*" for verify, verification):
/// partial evidence for related word forms the stemmer leaves apart.
const PREFIX_WEIGHT: f32 = 0.6;

/// How much a query term counts: a single CJK character is weak evidence
/// next to the pair it belongs to.
pub fn query_weight(term: &str) -> f32 {
    if is_cjk_unigram(term) {
        0.3
    } else if term.ends_with('*') {
        PREFIX_WEIGHT
    } else if term.contains(' ') {
        PAIR_WEIGHT
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_meet_across_languages_and_scripts() {
        let syn = Synonyms::new(&[
            vec!["充值".into(), "充币".into(), "入金".into(), "deposit".into()],
            vec!["身份认证".into(), "实名认证".into(), "KYC".into()],
            vec!["2FA".into(), "two factor authentication".into(), "two factor".into()],
        ]);
        let group = |text: &str| analyze(text, &syn).into_iter().filter(|t| is_group_term(t)).collect::<Vec<_>>();
        assert_eq!(group("入金没到账"), [group_term(0)]);
        assert_eq!(group("My deposits are late"), [group_term(0)]);
        assert_eq!(group("实名认证失败"), [group_term(1)]);
        assert_eq!(group("kyc rejected"), [group_term(1)]);
        assert_eq!(group("reset two-factor authentication"), [group_term(2)]);
        assert_eq!(group("lost my ２ＦＡ"), [group_term(2)]);
        assert_eq!(group("nothing here"), Vec::<String>::new());
    }

    #[test]
    fn cjk_single_characters_count_less() {
        assert!(query_weight("充") < query_weight("充值"));
        assert_eq!(query_weight("deposit"), 1.0);
    }
}
