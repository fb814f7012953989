//! Compiling [`Content`] into the binary format described in the parent
//! module. Only the CLI, the server and tests build indexes; the widget
//! reads them.

use std::collections::{BTreeMap, HashMap};

use super::codec::Writer;
use super::{tag, MAGIC, VERSION};
use crate::analysis::{analyze, Synonyms};
use crate::pack::{Content, Severity};

/// BM25 saturation: how quickly repeated terms stop adding.
const K1: f32 = 8.0;

/// The fields of an article, with their weight and length normalisation.
#[derive(Clone, Copy)]
struct Field {
    weight: f32,
    b: f32,
}

const TITLE: Field = Field { weight: 2.5, b: 0.4 };
const QUESTIONS: Field = Field { weight: 2.0, b: 0.9 };
const TAGS: Field = Field { weight: 1.5, b: 0.2 };
const BODY: Field = Field { weight: 0.5, b: 0.75 };
const FIELDS: [Field; 4] = [TITLE, QUESTIONS, TAGS, BODY];

/// Compiles validated content (see [`crate::source`]) into pack bytes,
/// example questions included (for tools: the benchmark page reads them).
pub fn build(content: &Content) -> Vec<u8> {
    encode(content, Questions::Stored)
}

/// Whether a pack stores its articles' example questions as text. Their
/// words are indexed either way; the widget never shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Questions {
    Stored,
    IndexedOnly,
}

pub(crate) fn encode(content: &Content, questions: Questions) -> Vec<u8> {
    let synonyms = Synonyms::new(&content.synonyms);
    let n = content.articles.len();

    // Term frequencies per field, and field lengths.
    let mut tf: Vec<HashMap<String, [f32; 4]>> = Vec::with_capacity(n);
    let mut lengths: Vec<[f32; 4]> = Vec::with_capacity(n);
    for a in &content.articles {
        let fields: [Vec<String>; 4] = [
            analyze(&a.title, &synonyms),
            a.questions.iter().flat_map(|q| analyze(q, &synonyms)).collect(),
            a.tags.iter().flat_map(|t| analyze(t, &synonyms)).collect(),
            analyze(&plain_text(&a.body), &synonyms),
        ];
        let mut counts: HashMap<String, [f32; 4]> = HashMap::new();
        for (f, terms) in fields.iter().enumerate() {
            for t in terms {
                counts.entry(t.clone()).or_default()[f] += 1.0;
            }
        }
        lengths.push(fields.map(|terms| terms.len() as f32));
        tf.push(counts);
    }
    let mut average = [0f32; 4];
    for l in &lengths {
        for f in 0..4 {
            average[f] += l[f] / n.max(1) as f32;
        }
    }

    // Document frequencies, then impacts.
    let mut df: BTreeMap<&str, u32> = BTreeMap::new();
    for counts in &tf {
        for t in counts.keys() {
            *df.entry(t.as_str()).or_default() += 1;
        }
    }
    let mut postings: BTreeMap<&str, Vec<(u32, f32)>> = BTreeMap::new();
    for (d, counts) in tf.iter().enumerate() {
        for (t, freq) in counts {
            let df = df[t.as_str()] as f32;
            let idf = (1.0 + (n as f32 - df + 0.5) / (df + 0.5)).ln();
            let weighted: f32 = FIELDS
                .iter()
                .enumerate()
                .filter(|(f, _)| freq[*f] > 0.0)
                .map(|(f, field)| {
                    let norm =
                        if average[f] > 0.0 { 1.0 - field.b + field.b * lengths[d][f] / average[f] } else { 1.0 };
                    field.weight * freq[f] / norm
                })
                .sum();
            let impact = idf * weighted / (K1 + weighted);
            postings.entry(t.as_str()).or_default().push((d as u32, impact));
        }
    }
    let max_impact = postings.values().flatten().map(|p| p.1).fold(0f32, f32::max);
    let scale = if max_impact > 0.0 { max_impact / 255.0 } else { 1.0 };

    let mut out = Writer::default();
    out.buf.extend_from_slice(MAGIC);
    out.buf.push(VERSION);
    let mut section = |tag: u8, body: Writer| {
        out.buf.push(tag);
        out.varint(body.buf.len() as u64);
        out.buf.extend_from_slice(&body.buf);
    };

    let mut meta = Writer::default();
    meta.varint(n as u64);
    meta.f32(scale);
    section(tag::META, meta);

    let position: HashMap<(&str, &str), usize> =
        content.articles.iter().enumerate().map(|(i, a)| ((a.id.as_str(), a.locale.as_str()), i)).collect();
    let mut articles = Writer::default();
    for a in &content.articles {
        articles.str(&a.id);
        articles.str(&a.locale);
        articles.str(&a.title);
        articles.opt_str(a.category.as_deref());
        articles.strs(&a.tags);
        articles.strs(if questions == Questions::Stored { &a.questions } else { &[] });
        let related: Vec<usize> =
            a.related.iter().filter_map(|r| position.get(&(r.as_str(), a.locale.as_str())).copied()).collect();
        articles.varint(related.len() as u64);
        for r in related {
            articles.varint(r as u64);
        }
        articles.opt_str(a.updated.as_deref());
        articles.str(&a.body);
    }
    section(tag::ARTICLES, articles);

    let mut categories: Vec<_> = content.categories.iter().collect();
    categories.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
    let mut w = Writer::default();
    w.varint(categories.len() as u64);
    for c in categories {
        w.str(&c.id);
        w.pairs(&c.names);
        w.signed(i64::from(c.order));
        w.opt_str(c.icon.as_deref());
    }
    section(tag::CATEGORIES, w);

    let mut w = Writer::default();
    w.varint(content.announcements.len() as u64);
    for a in &content.announcements {
        w.str(&a.id);
        w.pairs(&a.titles);
        w.pairs(&a.bodies);
        w.signed(a.starts_at);
        w.signed(a.ends_at);
        w.buf.push(match a.severity {
            Severity::Info => 0,
            Severity::Warning => 1,
            Severity::Critical => 2,
        });
        w.strs(&a.categories);
        w.strs(&a.tags);
    }
    section(tag::ANNOUNCEMENTS, w);

    let mut w = Writer::default();
    w.varint(content.synonyms.len() as u64);
    for group in &content.synonyms {
        w.strs(group);
    }
    section(tag::SYNONYMS, w);

    if !content.flows.is_empty() {
        let mut w = Writer::default();
        w.varint(content.flows.len() as u64);
        for f in &content.flows {
            w.str(&f.id);
            w.pairs(&f.titles);
            w.strs(&f.articles);
            w.strs(&f.keywords);
            w.buf.push(u8::from(f.urgent));
            w.opt_str(f.category.as_deref());
            w.strs(&f.tags);
            w.varint(f.checks.len() as u64);
            for check in &f.checks {
                w.pairs(check);
            }
            w.str(f.channel.as_str());
            w.varint(f.fields.len() as u64);
            for field in &f.fields {
                w.str(&field.id);
                w.pairs(&field.labels);
                w.pairs(&field.prompts);
                w.str(field.format.as_str());
                w.buf.push(u8::from(field.required));
                w.strs(&field.options);
            }
        }
        section(tag::FLOWS, w);
    }

    // Version 2: the dictionary without what the postings imply (a list's
    // length and highest impact), and the postings as two streams, every
    // article delta then every impact, which compress far better apart.
    let mut terms = Writer::default();
    let mut deltas = Writer::default();
    let mut impacts = Vec::new();
    terms.varint(postings.len() as u64);
    let mut previous = "";
    for (term, list) in &postings {
        let shared = previous.bytes().zip(term.bytes()).take_while(|(a, b)| a == b).count();
        let shared = (0..=shared).rev().find(|&i| term.is_char_boundary(i)).unwrap_or(0);
        let mut last = 0u32;
        for &(article, impact) in list {
            deltas.varint(u64::from(article - last));
            last = article;
            impacts.push((impact / scale).round().clamp(1.0, 255.0) as u8);
        }
        terms.varint(shared as u64);
        terms.str(&term[shared..]);
        terms.varint(list.len() as u64);
        previous = term;
    }
    deltas.buf.extend_from_slice(&impacts);
    section(tag::TERMS, terms);
    section(tag::POSTINGS, deltas);
    out.buf
}

/// Markdown as the words a reader sees: link targets, images' URLs, code
/// fences and emphasis marks dropped.
fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(i) = rest.find("](") {
        out.push_str(&rest[..i]);
        match rest[i..].find(')') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace("```", " ")
}
