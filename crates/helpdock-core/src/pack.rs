//! What a content pack holds: articles, categories, announcements and
//! synonyms. Authors write them as Markdown and YAML ([`crate::source`]);
//! the widget reads them from the compiled index ([`crate::index`]).

use crate::civil::{days_from_civil, days_in_month};
use crate::locale::{localized, Locale};

/// One help article.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Article {
    /// Stable id, used in links and by `related`.
    pub id: String,
    /// The question or task the article answers.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Category id, if any.
    pub category: Option<String>,
    /// Language tag of the article (`en`, `zh-CN`).
    pub locale: String,
    /// Short keywords.
    pub tags: Vec<String>,
    /// Other ways users ask the same thing.
    pub questions: Vec<String>,
    /// Ids of related articles.
    pub related: Vec<String>,
    /// Last update, `YYYY-MM-DD`.
    pub updated: Option<String>,
}

/// A category to browse by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Category {
    /// Stable id, referred to by articles.
    pub id: String,
    /// Display name per locale tag.
    pub names: Vec<(String, String)>,
    /// Position in the list, lowest first.
    pub order: i32,
    /// An icon name the widget knows (e.g. `wallet`), if any.
    pub icon: Option<String>,
}

impl Category {
    /// The name in `locale`, else the first one given.
    pub fn name(&self, locale: Locale) -> &str {
        localized(&self.names, locale).unwrap_or(&self.id)
    }
}

/// How loudly an announcement is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Severity {
    /// News.
    #[default]
    Info,
    /// Degraded service, e.g. slow deposits.
    Warning,
    /// Something users must know now, e.g. withdrawals paused.
    Critical,
}

impl Severity {
    /// The keyword used in content files.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    /// Parses the keyword used in content files.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// A time-boxed notice, such as a maintenance window.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Announcement {
    /// Stable id.
    pub id: String,
    /// Title per locale tag.
    pub titles: Vec<(String, String)>,
    /// Markdown body per locale tag.
    pub bodies: Vec<(String, String)>,
    /// Shown from this instant (Unix seconds, inclusive).
    pub starts_at: i64,
    /// Shown until this instant (Unix seconds, exclusive).
    pub ends_at: i64,
    /// How loudly.
    pub severity: Severity,
    /// Category ids it concerns.
    pub categories: Vec<String>,
    /// Tags it concerns (matched against articles' tags).
    pub tags: Vec<String>,
}

impl Announcement {
    /// Whether it is shown at `now` (Unix seconds).
    pub fn is_active(&self, now: i64) -> bool {
        self.starts_at <= now && now < self.ends_at
    }

    /// The title in `locale`, else the first one given.
    pub fn title(&self, locale: Locale) -> &str {
        localized(&self.titles, locale).unwrap_or_default()
    }

    /// The body in `locale`, else the first one given.
    pub fn body(&self, locale: Locale) -> &str {
        localized(&self.bodies, locale).unwrap_or_default()
    }
}

/// Everything an author wrote, before it is compiled into an index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Content {
    /// The articles.
    pub articles: Vec<Article>,
    /// The categories.
    pub categories: Vec<Category>,
    /// The announcements.
    pub announcements: Vec<Announcement>,
    /// Groups of words that mean the same thing.
    pub synonyms: Vec<Vec<String>>,
    /// Guided flows, one per problem type.
    pub flows: Vec<crate::flow::Flow>,
}

#[cfg(feature = "build")]
impl Content {
    /// The locales the articles are written in, in the order first met;
    /// content without articles counts the locales its other texts use.
    pub fn locales(&self) -> Vec<String> {
        fn add(tags: &mut Vec<String>, tag: &str) {
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        let mut tags: Vec<String> = Vec::new();
        self.articles.iter().for_each(|a| add(&mut tags, &a.locale));
        if tags.is_empty() {
            let texts = self.categories.iter().flat_map(|c| &c.names);
            let texts = texts.chain(self.announcements.iter().flat_map(|a| &a.titles));
            texts.chain(self.flows.iter().flat_map(|f| &f.titles)).for_each(|(tag, _)| add(&mut tags, tag));
        }
        if tags.is_empty() {
            add(&mut tags, Locale::En.tag());
        }
        tags
    }

    /// What a reader in `tag` sees: that locale's articles, and every
    /// category, announcement and flow with only the texts `tag` reads
    /// (its own, else the first given, as [`localized`] picks them).
    /// Synonym groups are kept whole: a group is often bilingual.
    pub fn for_locale(&self, tag: &str) -> Content {
        let wanted = Locale::from_tag(tag);
        let only = |values: &[(String, String)]| -> Vec<(String, String)> {
            let own = values.iter().find(|(t, _)| t == tag || (wanted.is_some() && Locale::from_tag(t) == wanted));
            own.or(values.first()).cloned().into_iter().collect()
        };
        Content {
            articles: self.articles.iter().filter(|a| a.locale == tag).cloned().collect(),
            categories: self.categories.iter().map(|c| Category { names: only(&c.names), ..c.clone() }).collect(),
            announcements: self
                .announcements
                .iter()
                .map(|a| Announcement { titles: only(&a.titles), bodies: only(&a.bodies), ..a.clone() })
                .collect(),
            synonyms: self.synonyms.clone(),
            flows: self
                .flows
                .iter()
                .map(|f| crate::flow::Flow {
                    titles: only(&f.titles),
                    checks: f.checks.iter().map(|c| only(c)).collect(),
                    fields: f
                        .fields
                        .iter()
                        .map(|field| crate::flow::FlowField {
                            labels: only(&field.labels),
                            prompts: only(&field.prompts),
                            ..field.clone()
                        })
                        .collect(),
                    ..f.clone()
                })
                .collect(),
        }
    }
}

/// Unix seconds for a date (`2026-11-24`, midnight UTC) or an RFC 3339
/// date-time (`2026-11-24T02:00:00Z`, `2026-11-24T10:00+08:00`).
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    // RFC 3339's four-digit years (a longer one would overflow the
    // seconds; found by the content fuzzer).
    if !(0..=9999).contains(&year) {
        return None;
    }
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) * 86_400;
    if let Some(time) = time {
        let (clock, offset) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
            (clock, 0)
        } else if let Some(i) = time.rfind(['+', '-']) {
            let sign = if time.as_bytes()[i] == b'-' { -1 } else { 1 };
            let (h, m) = time[i + 1..].split_once(':')?;
            let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
            if h > 23 || m > 59 {
                return None;
            }
            (&time[..i], sign * (h * 3600 + m * 60))
        } else {
            return None; // a time without a zone is ambiguous
        };
        let mut fields = clock.split(':');
        let h: i64 = fields.next()?.parse().ok()?;
        let m: i64 = fields.next()?.parse().ok()?;
        let sec: f64 = fields.next().map_or(Some(0.0), crate::text::decimal)?;
        if fields.next().is_some() || h > 23 || m > 59 || !(0.0..61.0).contains(&sec) {
            return None;
        }
        seconds += h * 3600 + m * 60 + sec as i64 - offset;
    }
    Some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1970-01-01"), Some(0));
        assert_eq!(parse_timestamp("2026-11-24T02:00:00Z"), Some(1_795_485_600));
        assert_eq!(parse_timestamp("2026-11-24T10:00+08:00"), Some(1_795_485_600));
        assert_eq!(parse_timestamp("2024-02-29"), Some(1_709_164_800));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-11-24T02:00",
            "yesterday",
            "2026-11-24T25:00Z",
            "",
            "99999999999999-01-01",
            "-5-01-01",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn announcements_are_active_inside_their_window() {
        let a = Announcement { starts_at: 100, ends_at: 200, ..Default::default() };
        assert!(!a.is_active(99));
        assert!(a.is_active(100));
        assert!(a.is_active(199));
        assert!(!a.is_active(200));
    }
}
