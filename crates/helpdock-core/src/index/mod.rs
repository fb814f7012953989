//! The compiled content pack: a compact binary file the widget downloads and
//! searches without rebuilding anything.
//!
//! # Format, version 2
//!
//! ```text
//! "HDPK" u8:version
//! then sections until the end: u8:tag varint:length payload
//!   1 META           varint:articles f32:impact_scale
//!   2 ARTICLES       per article: str:id str:locale str:title opt_str:category strs:tags
//!                    strs:questions varint:n (varint:related_article_index)*n
//!                    opt_str:updated str:body_markdown
//!   3 CATEGORIES     varint:n, per category: str:id pairs:names signed:order opt_str:icon
//!   4 ANNOUNCEMENTS  varint:n, per one: str:id pairs:titles pairs:bodies signed:starts
//!                    signed:ends u8:severity strs:categories strs:tags
//!   5 SYNONYMS       varint:n, per group: strs:variants
//!   6 TERMS          varint:n, per term in byte order: varint:shared_prefix_len
//!                    str:suffix varint:df
//!   7 POSTINGS       per term, df × varint:article_delta; then per term,
//!                    df × u8:impact
//!   8 FLOWS          varint:n, per flow: str:id pairs:titles strs:articles
//!                    strs:keywords u8:urgent opt_str:category strs:tags
//!                    varint:n (pairs:check)*n str:channel
//!                    varint:n, per field: str:id pairs:labels pairs:prompts
//!                    str:format u8:required strs:options
//! ```
//!
//! FLOWS was added after the first packs were written; a pack without it
//! simply has no flows.
//!
//! Version 1 (still read) had `varint:postings_bytes u8:max_impact` after
//! each term's `df`, and POSTINGS interleaved, per term, df ×
//! (`varint:article_delta u8:impact`). Version 2 drops what the postings
//! imply and splits them into two streams, which gzip far better; a reader
//! rebuilds the interleaved lists, lengths and maxima when it opens the
//! pack (about 10 KB less per locale of the starter pack, gzipped).
//!
//! `varint` is unsigned LEB128, `signed` zig-zag LEB128, `str` a varint byte
//! length and UTF-8, `strs` a varint count of `str`, `pairs` a varint count
//! of two `str`s, `opt_str` a byte 0/1 then the `str`. Readers skip sections
//! with tags they do not know, so later versions can add sections without
//! breaking older widgets; a change to an existing section bumps the version.
//!
//! # Manifest, version 1
//!
//! `helpdock pack build -o DIR/NAME.hdpk` writes one complete pack per
//! locale, `DIR/NAME.<locale>.<hash>.hdpk` (the hash is the first 8 bytes
//! of the part's SHA-256 in hex, so a part's URL can be cached forever),
//! and under `DIR/NAME.hdpk` itself a small [`Manifest`] listing them:
//!
//! ```text
//! "HDPM" u8:version
//! varint:n, per part: str:locale str:file varint:size_bytes
//! ```
//!
//! A part holds that locale's articles, every category, announcement and
//! flow with only that locale's texts, and all synonym groups; it is
//! searched exactly as a whole pack is. File names are plain names,
//! resolved against the manifest's own URL or folder. Readers tell the two
//! kinds apart by the magic: a manifest is `HDPM`, a pack `HDPK`, and
//! [`Index::from_bytes`] given a manifest fails with
//! [`IndexError::IsManifest`]. A whole pack (every locale in one file, as
//! `helpdock pack synth` and earlier releases write) still opens as
//! before, so the widget and the CLI accept either.
//!
//! An *impact* is a term's BM25F contribution to an article (inverse document
//! frequency × saturated, length-normalised, field-weighted term frequency),
//! computed when the pack is built and quantised to a byte; the real value is
//! `impact × impact_scale`. A query's score for an article is the weighted sum
//! of its terms' impacts, so answering reads only the query's posting lists.

#[cfg(feature = "build")]
mod build;
mod codec;
pub mod manifest;

use std::collections::HashMap;

#[cfg(feature = "build")]
pub use build::build;
#[cfg(feature = "build")]
pub use manifest::build_split;
pub use manifest::Manifest;

use crate::analysis::Synonyms;
use crate::locale::Locale;
use crate::pack::{Announcement, Article, Category, Severity};
use codec::Reader;

/// The file signature.
pub const MAGIC: &[u8; 4] = b"HDPK";
/// The format version this crate writes and the newest it reads.
pub const VERSION: u8 = 2;

pub(crate) mod tag {
    pub const META: u8 = 1;
    pub const ARTICLES: u8 = 2;
    pub const CATEGORIES: u8 = 3;
    pub const ANNOUNCEMENTS: u8 = 4;
    pub const SYNONYMS: u8 = 5;
    pub const TERMS: u8 = 6;
    pub const POSTINGS: u8 = 7;
    pub const FLOWS: u8 = 8;
}

/// Why a pack could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    /// The bytes are not a Helpdock pack at all.
    #[error("not a Helpdock content pack (the file does not start with \"HDPK\")")]
    BadMagic,
    /// The bytes are a manifest listing per-locale packs, not a pack: open
    /// one of its parts ([`Manifest::part`]).
    #[error("this is a content pack manifest (\"HDPM\"), which lists one pack per locale; open one of its parts")]
    IsManifest,
    /// The pack was written by a newer Helpdock.
    #[error("content pack format version {found} is newer than this Helpdock reads (up to {supported}); rebuild the pack or update Helpdock")]
    UnsupportedVersion {
        /// The version in the file.
        found: u8,
        /// The newest version this build reads.
        supported: u8,
    },
    /// The file ends in the middle of a section.
    #[error("content pack is truncated (in section {section})")]
    Truncated {
        /// The section being read.
        section: &'static str,
    },
    /// A value in the file makes no sense.
    #[error("content pack is corrupt (in section {section}: {what})")]
    Corrupt {
        /// The section being read.
        section: &'static str,
        /// What was wrong.
        what: &'static str,
    },
}

/// One entry of the term dictionary.
#[derive(Debug, Clone)]
pub(crate) struct TermEntry {
    pub(crate) term: Box<str>,
    pub(crate) df: u32,
    pub(crate) offset: u32,
    pub(crate) len: u32,
    pub(crate) max_impact: u8,
}

/// An opened content pack: its articles, categories and announcements, and
/// the search index over them.
#[derive(Debug, Clone)]
pub struct Index {
    /// The articles, in the order they were compiled.
    pub articles: Vec<Article>,
    /// The categories, by `order` then id.
    pub categories: Vec<Category>,
    /// All announcements; use [`Announcement::is_active`] to show the current ones.
    pub announcements: Vec<Announcement>,
    /// Guided flows, one per problem type.
    pub flows: Vec<crate::flow::Flow>,
    /// For each article, the indices of its related articles.
    pub related: Vec<Vec<u32>>,
    pub(crate) synonym_groups: Vec<Vec<String>>,
    pub(crate) synonyms: Synonyms,
    pub(crate) terms: Vec<TermEntry>,
    pub(crate) postings: Vec<u8>,
    pub(crate) impact_scale: f32,
    /// Latin terms by first letter, for typo lookup.
    pub(crate) fuzzy: HashMap<char, Vec<u32>>,
    /// How many locales the articles are written in (at least 1).
    pub(crate) locale_count: usize,
    /// The distinct locale tags of the articles, sorted (for
    /// [`Index::content_locale`], which every search asks).
    locales: Vec<String>,
}

/// The sections of a pack by name, with their payloads, in file order:
/// what `helpdock pack stats` reports sizes for.
pub fn sections(bytes: &[u8]) -> Result<Vec<(&'static str, &[u8])>, IndexError> {
    if bytes.len() < 5 || &bytes[..4] != MAGIC {
        return Err(IndexError::BadMagic);
    }
    let mut file = Reader::new(&bytes[5..], "header");
    let mut out = Vec::new();
    while !file.is_empty() {
        let tag = file.byte()?;
        let len = file.usize()?;
        let name = match tag {
            tag::META => "meta",
            tag::ARTICLES => "articles",
            tag::CATEGORIES => "categories",
            tag::ANNOUNCEMENTS => "announcements",
            tag::SYNONYMS => "synonyms",
            tag::TERMS => "terms",
            tag::POSTINGS => "postings",
            tag::FLOWS => "flows",
            _ => "unknown",
        };
        out.push((name, file.bytes(len)?));
    }
    Ok(out)
}

impl Index {
    /// Opens a pack from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Index, IndexError> {
        if Manifest::is_manifest(bytes) {
            return Err(IndexError::IsManifest);
        }
        if bytes.len() < 5 || &bytes[..4] != MAGIC {
            return Err(IndexError::BadMagic);
        }
        if bytes[4] > VERSION || bytes[4] == 0 {
            return Err(IndexError::UnsupportedVersion { found: bytes[4], supported: VERSION });
        }
        let mut index = Index {
            articles: Vec::new(),
            categories: Vec::new(),
            announcements: Vec::new(),
            flows: Vec::new(),
            related: Vec::new(),
            synonym_groups: Vec::new(),
            synonyms: Synonyms::default(),
            terms: Vec::new(),
            postings: Vec::new(),
            impact_scale: 0.0,
            fuzzy: HashMap::new(),
            locale_count: 1,
            locales: Vec::new(),
        };
        let mut file = Reader::new(&bytes[5..], "header");
        while !file.is_empty() {
            let tag = file.byte()?;
            let len = file.usize()?;
            let payload = file.bytes(len)?;
            match tag {
                tag::META => {
                    let mut r = Reader::new(payload, "META");
                    let _articles = r.usize()?;
                    index.impact_scale = r.f32()?;
                }
                tag::ARTICLES => index.read_articles(payload)?,
                tag::CATEGORIES => index.categories = read_categories(payload)?,
                tag::ANNOUNCEMENTS => index.announcements = read_announcements(payload)?,
                tag::SYNONYMS => {
                    let mut r = Reader::new(payload, "SYNONYMS");
                    let n = r.usize()?;
                    index.synonym_groups = (0..n).map(|_| r.strs()).collect::<Result<_, _>>()?;
                }
                tag::TERMS => index.terms = read_terms(payload, bytes[4])?,
                tag::POSTINGS => index.postings = payload.to_vec(),
                tag::FLOWS => index.flows = read_flows(payload)?,
                _ => {} // a later version's section
            }
        }
        if bytes[4] >= 2 {
            interleave(&mut index.terms, &mut index.postings)?;
        }
        let postings_len = index.postings.len();
        if index.terms.iter().any(|t| (t.offset as usize + t.len as usize) > postings_len) {
            return Err(IndexError::Corrupt { section: "TERMS", what: "posting list beyond the postings section" });
        }
        index.synonyms = Synonyms::new(&index.synonym_groups);
        let mut locales: Vec<&str> = index.articles.iter().map(|a| a.locale.as_str()).collect();
        crate::sort::heap_sort_by(&mut locales, |a, b| a.cmp(b));
        locales.dedup();
        index.locale_count = locales.len().max(1);
        index.locales = locales.iter().map(|l| l.to_string()).collect();
        for (i, t) in index.terms.iter().enumerate() {
            let mut chars = t.term.chars();
            if let Some(first) = chars.next().filter(|c| c.is_ascii_alphabetic()) {
                if t.term.len() >= 3 && t.term.bytes().all(|b| b.is_ascii_alphabetic()) {
                    index.fuzzy.entry(first).or_default().push(i as u32);
                }
            }
        }
        Ok(index)
    }

    fn read_articles(&mut self, payload: &[u8]) -> Result<(), IndexError> {
        let mut r = Reader::new(payload, "ARTICLES");
        while !r.is_empty() {
            let id = r.str()?;
            let locale = r.str()?;
            let title = r.str()?;
            let category = r.opt_str()?;
            let tags = r.strs()?;
            let questions = r.strs()?;
            let n = r.usize()?;
            let related = (0..n).map(|_| r.varint().map(|v| v as u32)).collect::<Result<Vec<_>, _>>()?;
            let updated = r.opt_str()?;
            let body = r.str()?;
            self.articles.push(Article {
                id,
                title,
                body,
                category,
                locale,
                tags,
                questions,
                related: Vec::new(),
                updated,
            });
            self.related.push(related);
        }
        let n = self.articles.len() as u32;
        if self.related.iter().flatten().any(|&i| i >= n) {
            return Err(IndexError::Corrupt { section: "ARTICLES", what: "related article out of range" });
        }
        for i in 0..self.articles.len() {
            let ids = self.related[i].iter().map(|&j| self.articles[j as usize].id.clone()).collect();
            self.articles[i].related = ids;
        }
        Ok(())
    }

    /// The locale whose articles a user of `interface` reads: that locale if
    /// the pack has articles in it, else the pack's first (a pack in English
    /// and Chinese serves a Japanese interface in English).
    pub fn content_locale(&self, interface: Locale) -> Locale {
        if self.locales.iter().any(|l| l == interface.tag()) {
            return interface;
        }
        self.articles.first().and_then(|a| Locale::from_tag(&a.locale)).unwrap_or(interface)
    }

    /// The article with `id` in `locale` (a tag as in the article), if any.
    pub fn article(&self, id: &str, locale: &str) -> Option<(u32, &Article)> {
        self.articles.iter().enumerate().find(|(_, a)| a.id == id && a.locale == locale).map(|(i, a)| (i as u32, a))
    }

    /// The number of distinct terms in the index.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    pub(crate) fn find_term(&self, term: &str) -> Option<usize> {
        self.terms.binary_search_by(|t| t.term.as_ref().cmp(term)).ok()
    }

    /// Adds `weight × impact` to `scores[article]` for every posting of
    /// `term`: the inner loop of every search. Written as plain loops over
    /// [`next_posting`] rather than as an iterator, because the size-first
    /// wasm build does not inline an iterator's closure, which made this
    /// loop several times slower there.
    pub(crate) fn accumulate(&self, term: usize, weight: f32, scores: &mut [f32]) {
        let bytes = self.posting_bytes(term);
        let (mut pos, mut article) = (0, 0);
        while let Some(impact) = next_posting(bytes, &mut pos, &mut article) {
            let Some(score) = scores.get_mut(article as usize) else { return };
            *score += weight * f32::from(impact);
        }
    }

    /// Whether `term` occurs in `article`.
    pub(crate) fn occurs(&self, term: usize, article: u32) -> bool {
        let bytes = self.posting_bytes(term);
        let (mut pos, mut at) = (0, 0);
        while next_posting(bytes, &mut pos, &mut at).is_some() {
            if at >= article {
                return at == article;
            }
        }
        false
    }

    fn posting_bytes(&self, term: usize) -> &[u8] {
        let t = &self.terms[term];
        &self.postings[t.offset as usize..(t.offset + t.len) as usize]
    }
}

/// Reads the posting at `*pos` of a list (`varint:article_delta
/// u8:impact`), advancing `*pos` and `*article`; its impact, or `None` at
/// the end of the list.
#[inline(always)]
fn next_posting(bytes: &[u8], pos: &mut usize, article: &mut u32) -> Option<u8> {
    let mut b = *bytes.get(*pos)?;
    *pos += 1;
    let mut delta = u32::from(b & 0x7f);
    let mut shift = 7;
    while b >= 0x80 {
        b = *bytes.get(*pos)?;
        *pos += 1;
        // Wrapping, as a release build does anyway: a corrupt list gives
        // article numbers that `accumulate` and `occurs` stay within
        // (found by the pack fuzzer; no check on the hot path).
        delta |= u32::from(b & 0x7f).wrapping_shl(shift);
        shift += 7;
    }
    *article = article.wrapping_add(delta);
    let impact = *bytes.get(*pos)?;
    *pos += 1;
    Some(impact)
}

fn read_terms(payload: &[u8], version: u8) -> Result<Vec<TermEntry>, IndexError> {
    let mut r = Reader::new(payload, "TERMS");
    let n = r.usize()?;
    // Not `with_capacity(n)`: `n` is the pack's word, and a hostile pack
    // could ask for terabytes (found by the pack fuzzer).
    let mut terms = Vec::new();
    let mut previous = String::new();
    let mut offset = 0u32;
    for _ in 0..n {
        let shared = r.usize()?;
        let suffix = r.str()?;
        if shared > previous.len() || !previous.is_char_boundary(shared) {
            return Err(IndexError::Corrupt { section: "TERMS", what: "bad shared prefix" });
        }
        previous.truncate(shared);
        previous.push_str(&suffix);
        let df = r.varint()? as u32;
        // Version 2 leaves these to `interleave`.
        let (len, max_impact) = if version >= 2 { (0, 0) } else { (r.varint()? as u32, r.byte()?) };
        terms.push(TermEntry { term: previous.clone().into_boxed_str(), df, offset, len, max_impact });
        offset = offset.checked_add(len).ok_or(IndexError::Corrupt { section: "TERMS", what: "postings overflow" })?;
    }
    Ok(terms)
}

/// Turns version 2's two posting streams (every delta, then every impact)
/// into the interleaved lists search reads, filling in each term's offset,
/// length and highest impact.
fn interleave(terms: &mut [TermEntry], postings: &mut Vec<u8>) -> Result<(), IndexError> {
    let bad = |what| IndexError::Corrupt { section: "POSTINGS", what };
    let entries = terms.iter().try_fold(0usize, |n, t| n.checked_add(t.df as usize)).ok_or(bad("too many entries"))?;
    let split = postings.len().checked_sub(entries).ok_or(bad("fewer impacts than entries"))?;
    let (deltas, impacts) = postings.split_at(split);
    let mut deltas = Reader::new(deltas, "POSTINGS");
    let mut impacts = impacts.iter();
    let mut out = Vec::with_capacity(postings.len());
    let mut buf = codec::Writer::default();
    for t in terms.iter_mut() {
        let start = out.len();
        let mut max = 0u8;
        for _ in 0..t.df {
            buf.buf.clear();
            buf.varint(deltas.varint()?);
            out.extend_from_slice(&buf.buf);
            let impact = *impacts.next().ok_or(bad("fewer impacts than entries"))?;
            max = max.max(impact);
            out.push(impact);
        }
        t.offset = u32::try_from(start).map_err(|_| bad("postings too long"))?;
        t.len = (out.len() - start) as u32;
        t.max_impact = max;
    }
    if !deltas.is_empty() {
        return Err(bad("more deltas than entries"));
    }
    *postings = out;
    Ok(())
}

fn read_flows(payload: &[u8]) -> Result<Vec<crate::flow::Flow>, IndexError> {
    use crate::fields::FieldFormat;
    use crate::flow::{ChannelKind, Flow, FlowField};
    let bad = |what| IndexError::Corrupt { section: "FLOWS", what };
    let mut r = Reader::new(payload, "FLOWS");
    let n = r.usize()?;
    (0..n)
        .map(|_| {
            let id = r.str()?;
            let titles = r.pairs()?;
            let articles = r.strs()?;
            let keywords = r.strs()?;
            let urgent = r.byte()? != 0;
            let category = r.opt_str()?;
            let tags = r.strs()?;
            let checks = (0..r.usize()?).map(|_| r.pairs()).collect::<Result<_, _>>()?;
            let channel = ChannelKind::parse(&r.str()?).ok_or(bad("unknown channel"))?;
            let fields = (0..r.usize()?)
                .map(|_| {
                    Ok(FlowField {
                        id: r.str()?,
                        labels: r.pairs()?,
                        prompts: r.pairs()?,
                        format: FieldFormat::from_name(&r.str()?).ok_or(bad("unknown field format"))?,
                        required: r.byte()? != 0,
                        options: r.strs()?,
                    })
                })
                .collect::<Result<_, IndexError>>()?;
            Ok(Flow { id, titles, articles, keywords, urgent, category, tags, checks, channel, fields })
        })
        .collect()
}

fn read_categories(payload: &[u8]) -> Result<Vec<Category>, IndexError> {
    let mut r = Reader::new(payload, "CATEGORIES");
    let n = r.usize()?;
    (0..n)
        .map(|_| Ok(Category { id: r.str()?, names: r.pairs()?, order: r.signed()? as i32, icon: r.opt_str()? }))
        .collect()
}

fn read_announcements(payload: &[u8]) -> Result<Vec<Announcement>, IndexError> {
    let mut r = Reader::new(payload, "ANNOUNCEMENTS");
    let n = r.usize()?;
    (0..n)
        .map(|_| {
            Ok(Announcement {
                id: r.str()?,
                titles: r.pairs()?,
                bodies: r.pairs()?,
                starts_at: r.signed()?,
                ends_at: r.signed()?,
                severity: match r.byte()? {
                    0 => Severity::Info,
                    1 => Severity::Warning,
                    _ => Severity::Critical,
                },
                categories: r.strs()?,
                tags: r.strs()?,
            })
        })
        .collect()
}

#[cfg(all(test, feature = "build"))]
mod tests;
