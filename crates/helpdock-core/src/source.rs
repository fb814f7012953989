//! Reading what content authors write: a folder of Markdown articles with
//! YAML front matter plus `categories.yaml`, `announcements.yaml`, `flows.yaml` and
//! `synonyms.txt`, or the same content as one JSON document.
//!
//! The caller reads the files (this crate does no IO) and hands over their
//! names and text. Every problem is reported with the file, the line where
//! known, the field and what was expected, and all problems are reported at
//! once: content with any error is never compiled.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Deserialize;

use crate::fields::FieldFormat;
use crate::flow::{ChannelKind, Flow, FlowField};
use crate::locale::Locale;
use crate::pack::{parse_timestamp, Announcement, Article, Category, Content, Severity};

/// A content file, read by the caller.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the content folder, as shown in errors.
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// One problem in the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    /// The file it is in.
    pub file: String,
    /// The line (1-based), when known.
    pub line: Option<usize>,
    /// The field, e.g. `category` or `articles[3].title`.
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}: {}", self.file, self.field, self.message),
            None => write!(f, "{}: {}: {}", self.file, self.field, self.message),
        }
    }
}

/// Where each article came from, to point errors at the right line.
#[derive(Debug, Clone, Default)]
struct Origin {
    file: String,
    /// Line of each front-matter key (`category` → 4); for JSON, none.
    key_lines: HashMap<String, usize>,
    /// How to name a field: `category` in Markdown, `articles[2].category` in JSON.
    field_prefix: String,
    first_line: Option<usize>,
}

impl Origin {
    fn error(&self, key: &str, message: String) -> ContentError {
        ContentError {
            file: self.file.clone(),
            line: self.key_lines.get(key).copied().or(self.first_line),
            field: format!("{}{key}", self.field_prefix),
            message,
        }
    }
}

/// Reads a content folder's files. Files are recognised by name: `*.md`
/// (articles), `categories.yaml`/`.yml`/`.json`, `announcements.yaml`/
/// `.yml`/`.json`, `synonyms.txt`; `README.md` at the top is ignored, and so
/// is anything else.
pub fn from_files(files: &[SourceFile]) -> Result<Content, Vec<ContentError>> {
    let mut content = Content::default();
    let mut origins = Vec::new();
    let mut errors = Vec::new();
    let mut category_lines = HashMap::new();
    let mut announcement_origins = Vec::new();
    let mut flow_origins = Vec::new();
    for file in files {
        let name = file.path.rsplit('/').next().unwrap_or(&file.path);
        match name {
            "categories.yaml" | "categories.yml" | "categories.json" => {
                match parse_yaml::<Vec<CategoryIn>>(file, "categories") {
                    Ok(list) => {
                        for (i, c) in list.into_iter().enumerate() {
                            category_lines.insert(c.id.clone(), (file.path.clone(), i));
                            content.categories.push(c.into_category(Locale::En));
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
            "announcements.yaml" | "announcements.yml" | "announcements.json" => {
                match parse_yaml::<Vec<AnnouncementIn>>(file, "announcements") {
                    Ok(list) => {
                        for (i, a) in list.into_iter().enumerate() {
                            let origin = Origin {
                                file: file.path.clone(),
                                field_prefix: format!("announcements[{i}]."),
                                first_line: line_of_list_item(&file.text, i),
                                ..Origin::default()
                            };
                            announcement_origins.push((origin, a));
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
            "flows.yaml" | "flows.yml" | "flows.json" => match parse_yaml::<Vec<FlowIn>>(file, "flows") {
                Ok(list) => {
                    for (i, f) in list.into_iter().enumerate() {
                        let origin = Origin {
                            file: file.path.clone(),
                            field_prefix: format!("flows[{i}]."),
                            first_line: line_of_list_item(&file.text, i),
                            ..Origin::default()
                        };
                        flow_origins.push((origin, f));
                    }
                }
                Err(e) => errors.push(e),
            },
            "synonyms.txt" => content.synonyms.extend(parse_synonyms(&file.text)),
            "README.md" if !file.path.contains('/') => {}
            _ if name.ends_with(".md") => match parse_markdown(file) {
                Ok((article, origin)) => {
                    content.articles.push(article);
                    origins.push(origin);
                }
                Err(e) => errors.push(e),
            },
            _ => {}
        }
    }
    for (origin, a) in announcement_origins {
        match a.into_announcement(&origin) {
            Ok(a) => content.announcements.push(a),
            Err(e) => errors.extend(e),
        }
    }
    errors.extend(read_flows(&mut content, flow_origins));
    errors.extend(validate(&content, &origins));
    if errors.is_empty() {
        Ok(content)
    } else {
        Err(errors)
    }
}

/// Reads the single-document JSON form:
/// `{"locale", "articles": [{"id", "title", …}], "categories", "announcements", "synonyms": [[…]]}`.
pub fn from_json(path: &str, text: &str) -> Result<Content, Vec<ContentError>> {
    let doc: JsonContent = serde_json::from_str(text).map_err(|e| {
        vec![ContentError {
            file: path.to_owned(),
            line: Some(e.line()),
            field: "(document)".to_owned(),
            message: format!("{e}"),
        }]
    })?;
    let default_locale = doc.locale.clone().unwrap_or_else(|| "en".to_owned());
    let locale = Locale::from_tag(&default_locale).unwrap_or(Locale::En);
    let mut content = Content {
        categories: doc.categories.into_iter().map(|c| c.into_category(locale)).collect(),
        synonyms: doc.synonyms,
        ..Content::default()
    };
    let mut errors = Vec::new();
    let mut origins = Vec::new();
    for (i, a) in doc.articles.into_iter().enumerate() {
        let origin = Origin { file: path.to_owned(), field_prefix: format!("articles[{i}]."), ..Origin::default() };
        let id = a.id.unwrap_or_default();
        content.articles.push(Article {
            id,
            title: a.title.unwrap_or_default(),
            body: a.body.unwrap_or_default(),
            category: a.category,
            locale: a.locale.unwrap_or_else(|| default_locale.clone()),
            tags: a.tags,
            questions: a.questions,
            related: a.related,
            updated: a.updated,
        });
        origins.push(origin);
    }
    for (i, a) in doc.announcements.into_iter().enumerate() {
        let origin =
            Origin { file: path.to_owned(), field_prefix: format!("announcements[{i}]."), ..Origin::default() };
        match a.into_announcement(&origin) {
            Ok(a) => content.announcements.push(a),
            Err(e) => errors.extend(e),
        }
    }
    let flows =
        doc.flows.into_iter().enumerate().map(|(i, f)| {
            (Origin { file: path.to_owned(), field_prefix: format!("flows[{i}]."), ..Origin::default() }, f)
        });
    errors.extend(read_flows(&mut content, flows.collect()));
    errors.extend(validate(&content, &origins));
    if errors.is_empty() {
        Ok(content)
    } else {
        Err(errors)
    }
}

/// Turns the flows as written into [`Flow`]s, checking each on its own and
/// against the articles and categories.
fn read_flows(content: &mut Content, flows: Vec<(Origin, FlowIn)>) -> Vec<ContentError> {
    let mut errors = Vec::new();
    let categories: HashSet<String> = content.categories.iter().map(|c| c.id.clone()).collect();
    let articles: HashSet<String> = content.articles.iter().map(|a| a.id.clone()).collect();
    let mut seen = HashSet::new();
    for (origin, f) in flows {
        if !seen.insert(f.id.clone()) {
            errors.push(origin.error("id", format!("duplicate flow id {:?}", f.id)));
        }
        if f.title.is_empty() {
            errors.push(origin.error("title", "needs at least one locale, e.g. `title: {en: ..., zh-CN: ...}`".into()));
        }
        for a in &f.articles {
            if !articles.contains(a) {
                errors.push(origin.error("articles", format!("no article with id {a:?}")));
            }
        }
        if let Some(c) = f.category.as_ref().filter(|c| !categories.contains(*c)) {
            errors.push(origin.error("category", format!("unknown category {c:?}")));
        }
        if f.articles.is_empty() && f.keywords.is_empty() {
            errors.push(origin.error("articles", "a flow needs `articles` or `keywords` to be started by".into()));
        }
        let channel = match f.channel.as_deref() {
            None => ChannelKind::Ticket,
            Some(name) => ChannelKind::parse(name).unwrap_or_else(|| {
                errors.push(origin.error(
                    "channel",
                    format!("{name:?}; expected live_chat, ticket, email, phone, community or help_centre"),
                ));
                ChannelKind::Ticket
            }),
        };
        let mut field_ids = HashSet::new();
        let mut fields = Vec::new();
        for (j, field) in f.fields.into_iter().enumerate() {
            let key = format!("fields[{j}]");
            if !field_ids.insert(field.id.clone()) {
                errors.push(origin.error(&format!("{key}.id"), format!("duplicate field id {:?}", field.id)));
            }
            let format = match field.format.as_deref() {
                None => FieldFormat::Text,
                Some(name) => FieldFormat::from_name(name).unwrap_or_else(|| {
                    errors.push(origin.error(
                        &format!("{key}.format"),
                        format!(
                            "unknown format {name:?}; expected one of: text, long_text, email, phone, email_or_phone, \
                             uid, amount, coin, network, tx_id, tx_id_or_id, address, date_time, choice, attachment"
                        ),
                    ));
                    FieldFormat::Text
                }),
            };
            if format == FieldFormat::Choice && field.options.is_empty() {
                errors.push(origin.error(&format!("{key}.options"), "a choice field needs `options`".into()));
            }
            if field.ask.is_empty() {
                errors.push(origin.error(&format!("{key}.ask"), "needs the question to ask, per locale".into()));
            }
            fields.push(FlowField {
                id: field.id,
                labels: field.label.into_iter().collect(),
                prompts: field.ask.into_iter().collect(),
                format,
                required: field.required,
                options: field.options,
            });
        }
        content.flows.push(Flow {
            id: f.id,
            titles: f.title.into_iter().collect(),
            articles: f.articles,
            keywords: f.keywords,
            urgent: f.urgent,
            category: f.category,
            tags: f.tags,
            checks: f.checks.into_iter().map(|c| c.into_iter().collect()).collect(),
            channel,
            fields,
        });
    }
    errors
}

/// Checks what no single file can: ids, references, dates, locales.
fn validate(content: &Content, origins: &[Origin]) -> Vec<ContentError> {
    let mut errors = Vec::new();
    let categories: HashSet<&str> = content.categories.iter().map(|c| c.id.as_str()).collect();
    let known_categories = || {
        let mut ids: Vec<&str> = categories.iter().copied().collect();
        ids.sort_unstable();
        if ids.is_empty() {
            "none are declared (add a categories file)".to_owned()
        } else {
            format!("expected one of: {}", ids.join(", "))
        }
    };
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, (a, origin)) in content.articles.iter().zip(origins).enumerate() {
        let locale_ok = Locale::from_tag(&a.locale).is_some();
        if !locale_ok {
            errors.push(
                origin.error("locale", format!("unsupported locale {:?}; expected \"en\" or \"zh-CN\"", a.locale)),
            );
        }
        if a.id.trim().is_empty() {
            errors.push(origin.error("id", "is missing; every article needs a stable id".to_owned()));
        } else if !a.id.chars().all(|c| c.is_alphanumeric() || "-_./".contains(c)) {
            errors.push(
                origin.error("id", format!("{:?} may only contain letters, digits, '-', '_', '.' and '/'", a.id)),
            );
        } else if let Some(first) = seen.insert((a.id.as_str(), a.locale.as_str()), i) {
            let other = &origins[first];
            errors.push(
                origin.error(
                    "id",
                    format!("duplicate id {:?} (also used in {} for locale {})", a.id, other.file, a.locale),
                ),
            );
        }
        if a.title.trim().is_empty() {
            errors.push(origin.error("title", "is missing; every article needs a title".to_owned()));
        }
        if let Some(category) = &a.category {
            if !categories.contains(category.as_str()) {
                errors.push(origin.error("category", format!("unknown category {category:?}; {}", known_categories())));
            }
        }
        if let Some(updated) = &a.updated {
            if parse_timestamp(updated).is_none() {
                errors.push(origin.error("updated", format!("{updated:?} is not a date; expected YYYY-MM-DD")));
            }
        }
    }
    let ids: HashSet<(&str, &str)> = content.articles.iter().map(|a| (a.id.as_str(), a.locale.as_str())).collect();
    for (a, origin) in content.articles.iter().zip(origins) {
        for r in &a.related {
            if !ids.contains(&(r.as_str(), a.locale.as_str())) {
                errors.push(origin.error(
                    "related",
                    format!("no article with id {r:?} in locale {} (related must name existing articles)", a.locale),
                ));
            }
        }
    }
    for a in &content.announcements {
        for c in &a.categories {
            if !categories.contains(c.as_str()) {
                errors.push(ContentError {
                    file: "announcements".to_owned(),
                    line: None,
                    field: format!("{}.categories", a.id),
                    message: format!("unknown category {c:?}; {}", known_categories()),
                });
            }
        }
    }
    errors
}

fn parse_yaml<T: for<'de> Deserialize<'de>>(file: &SourceFile, field: &str) -> Result<T, ContentError> {
    serde_yaml_ng::from_str(&file.text).map_err(|e| ContentError {
        file: file.path.clone(),
        line: e.location().map(|l| l.line()),
        field: field.to_owned(),
        message: yaml_message(&e),
    })
}

fn yaml_message(e: &serde_yaml_ng::Error) -> String {
    // serde_yaml appends " at line L column C"; the line is shown already.
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Splits `---\nfront matter\n---\nbody` and reads both.
fn parse_markdown(file: &SourceFile) -> Result<(Article, Origin), ContentError> {
    let err = |line: Option<usize>, field: &str, message: String| ContentError {
        file: file.path.clone(),
        line,
        field: field.to_owned(),
        message,
    };
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    let rest = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")).ok_or_else(|| {
        err(
            Some(1),
            "front matter",
            "expected the file to start with a `---` line, then YAML front matter, then `---`".to_owned(),
        )
    })?;
    let end = rest
        .find("\n---\n")
        .or_else(|| rest.find("\n---\r\n"))
        .map(|i| (i, i + 5))
        .or_else(|| rest.strip_suffix("\n---").map(|r| (r.len(), rest.len())))
        .ok_or_else(|| err(Some(1), "front matter", "has no closing `---` line".to_owned()))?;
    let front = &rest[..end.0];
    let body = rest[end.1..].trim_start_matches(['\r', '\n']).trim_end().to_owned();
    let fm: FrontMatter = serde_yaml_ng::from_str(front).map_err(|e| {
        // +1 for the opening `---` line.
        err(e.location().map(|l| l.line() + 1), "front matter", format!("is not valid: {}", yaml_message(&e)))
    })?;
    let mut key_lines = HashMap::new();
    for (i, line) in front.lines().enumerate() {
        if let Some((key, _)) = line.split_once(':') {
            if !key.starts_with([' ', '-', '#']) {
                key_lines.insert(key.trim().to_owned(), i + 2);
            }
        }
    }
    let stem = file.path.rsplit('/').next().unwrap_or(&file.path).trim_end_matches(".md");
    let article = Article {
        id: fm.id.unwrap_or_else(|| stem.to_owned()),
        title: fm.title.unwrap_or_default(),
        body,
        category: fm.category,
        locale: fm.locale.unwrap_or_else(|| "en".to_owned()),
        tags: fm.tags,
        questions: fm.questions,
        related: fm.related,
        updated: fm.updated,
    };
    let origin = Origin { file: file.path.clone(), key_lines, field_prefix: String::new(), first_line: Some(1) };
    Ok((article, origin))
}

/// `充值 = 充币 = 入金 = deposit`, one group a line, `#` starts a comment.
fn parse_synonyms(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .map(|l| l.split(['=', ',']).map(str::trim).filter(|w| !w.is_empty()).map(str::to_owned).collect::<Vec<_>>())
        .filter(|g| g.len() >= 2)
        .collect()
}

/// The line of the `index`-th top-level `- ` item of a YAML list.
fn line_of_list_item(text: &str, index: usize) -> Option<usize> {
    text.lines().enumerate().filter(|(_, l)| l.starts_with("- ")).nth(index).map(|(i, _)| i + 1)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: Option<String>,
    title: Option<String>,
    category: Option<String>,
    locale: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    questions: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    updated: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonContent {
    locale: Option<String>,
    #[serde(default)]
    articles: Vec<JsonArticle>,
    #[serde(default)]
    categories: Vec<CategoryIn>,
    #[serde(default)]
    announcements: Vec<AnnouncementIn>,
    #[serde(default)]
    synonyms: Vec<Vec<String>>,
    #[serde(default)]
    flows: Vec<FlowIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowIn {
    id: String,
    title: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    articles: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    urgent: bool,
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    checks: Vec<std::collections::BTreeMap<String, String>>,
    channel: Option<String>,
    #[serde(default)]
    fields: Vec<FieldIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldIn {
    id: String,
    #[serde(default)]
    label: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    ask: std::collections::BTreeMap<String, String>,
    format: Option<String>,
    #[serde(default = "yes")]
    required: bool,
    #[serde(default)]
    options: Vec<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonArticle {
    id: Option<String>,
    title: Option<String>,
    body: Option<String>,
    category: Option<String>,
    locale: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    questions: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    updated: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryIn {
    id: String,
    /// Names per locale tag.
    #[serde(default)]
    names: std::collections::BTreeMap<String, String>,
    /// A single name, in the document's locale.
    name: Option<String>,
    #[serde(default)]
    order: i32,
    icon: Option<String>,
}

impl CategoryIn {
    fn into_category(self, locale: Locale) -> Category {
        let mut names: Vec<(String, String)> = self.names.into_iter().collect();
        if let Some(name) = self.name {
            names.insert(0, (locale.tag().to_owned(), name));
        }
        Category { id: self.id, names, order: self.order, icon: self.icon }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnnouncementIn {
    id: String,
    /// Title per locale tag.
    title: std::collections::BTreeMap<String, String>,
    /// Body per locale tag.
    #[serde(default)]
    body: std::collections::BTreeMap<String, String>,
    starts: String,
    ends: String,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
}

impl AnnouncementIn {
    fn into_announcement(self, origin: &Origin) -> Result<Announcement, Vec<ContentError>> {
        let mut errors = Vec::new();
        let mut time = |key: &str, value: &str| {
            parse_timestamp(value).or_else(|| {
                errors.push(origin.error(
                    key,
                    format!("{value:?} is not a date-time; expected e.g. \"2026-11-25T02:00:00Z\" or \"2026-11-25T10:00+08:00\""),
                ));
                None
            })
        };
        let starts_at = time("starts", &self.starts);
        let ends_at = time("ends", &self.ends);
        if let (Some(s), Some(e)) = (starts_at, ends_at) {
            if e <= s {
                errors.push(origin.error("ends", "must be after `starts`".to_owned()));
            }
        }
        let severity = match self.severity.as_deref() {
            None => Severity::Info,
            Some(s) => Severity::parse(s).unwrap_or_else(|| {
                errors.push(origin.error("severity", format!("{s:?}; expected \"info\", \"warning\" or \"critical\"")));
                Severity::Info
            }),
        };
        if self.title.is_empty() {
            errors.push(
                origin.error("title", "needs at least one locale, e.g. `title: {en: ..., zh-CN: ...}`".to_owned()),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Announcement {
            id: self.id,
            titles: self.title.into_iter().collect(),
            bodies: self.body.into_iter().collect(),
            starts_at: starts_at.unwrap_or_default(),
            ends_at: ends_at.unwrap_or_default(),
            severity,
            categories: self.categories,
            tags: self.tags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile { path: path.to_owned(), text: text.to_owned() }
    }

    const CATEGORIES: &str = "- id: deposits\n  names: {en: Deposits, zh-CN: 充值}\n  order: 1\n  icon: wallet\n";

    fn errors(files: &[SourceFile]) -> Vec<String> {
        from_files(files).err().unwrap_or_default().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_valid_folder_is_read() {
        let content = from_files(&[
            file("categories.yaml", CATEGORIES),
            file("synonyms.txt", "# money in\n充值 = 充币 = 入金 = deposit\n\nlonely\n"),
            file(
                "articles/deposit.md",
                "---\nid: deposit-missing\ntitle: Deposit not arrived\ncategory: deposits\nlocale: en\ntags: [deposit]\nquestions:\n  - where is my deposit\nrelated: [wrong-network]\nupdated: 2026-10-01\n---\n\nCheck the **TxID**.\n",
            ),
            file("articles/wrong-network.md", "---\ntitle: Wrong network\ncategory: deposits\n---\nBody\n"),
            file(
                "announcements.yaml",
                "- id: btc-maint\n  title: {en: BTC withdrawals paused, zh-CN: BTC 提币暂停}\n  starts: 2026-11-25T02:00:00Z\n  ends: 2026-11-25T04:00:00Z\n  severity: critical\n  categories: [deposits]\n  tags: [btc]\n",
            ),
            file("README.md", "ignored"),
        ])
        .expect("valid content");
        assert_eq!(content.articles.len(), 2);
        let a = &content.articles[0];
        assert_eq!((a.id.as_str(), a.body.as_str()), ("deposit-missing", "Check the **TxID**."));
        assert_eq!(a.questions, ["where is my deposit"]);
        assert_eq!(content.articles[1].id, "wrong-network", "id defaults to the file name");
        assert_eq!(content.synonyms, vec![vec!["充值", "充币", "入金", "deposit"]]);
        assert_eq!(content.categories[0].name(Locale::ZhCn), "充值");
        assert_eq!(content.announcements[0].severity, Severity::Critical);
        assert_eq!(content.announcements[0].ends_at - content.announcements[0].starts_at, 7200);
    }

    #[test]
    fn each_kind_of_mistake_is_pinned_to_file_line_and_field() {
        let got = errors(&[
            file("categories.yaml", CATEGORIES),
            file("a.md", "---\nid: same\ntitle: A\ncategory: deposit\n---\n"),
            file("b.md", "---\nid: same\ntitle: B\n---\n"),
            file("c.md", "---\nid: c\ntitle: \"\"\nrelated: [nope]\nupdated: 2026-02-30\n---\n"),
            file("d.md", "---\nid: d\ntitle: A\n  bad: indent\n---\n"),
            file("e.md", "no front matter\n"),
            file("f.md", "---\nid: f\ntitel: F\n---\n"),
            file("g.md", "---\nid: g\ntitle: G\nlocale: fr\n---\n"),
        ]);
        let expected = [
            "d.md:4: front matter: is not valid: mapping values are not allowed in this context",
            "e.md:1: front matter: expected the file to start with a `---` line, then YAML front matter, then `---`",
            "f.md:3: front matter: is not valid: unknown field `titel`, expected one of `id`, `title`, `category`, `locale`, `tags`, `questions`, `related`, `updated`",
            "a.md:4: category: unknown category \"deposit\"; expected one of: deposits",
            "b.md:2: id: duplicate id \"same\" (also used in a.md for locale en)",
            "c.md:3: title: is missing; every article needs a title",
            "c.md:5: updated: \"2026-02-30\" is not a date; expected YYYY-MM-DD",
            "g.md:4: locale: unsupported locale \"fr\"; expected \"en\" or \"zh-CN\"",
            "c.md:4: related: no article with id \"nope\" in locale en (related must name existing articles)",
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn bad_announcements_are_reported() {
        let got = errors(&[
            file("categories.yaml", CATEGORIES),
            file(
                "announcements.yaml",
                "- id: x\n  title: {en: X}\n  starts: tomorrow\n  ends: 2026-01-01T00:00:00Z\n  severity: loud\n  categories: [trading]\n- id: y\n  title: {en: Y}\n  starts: 2026-01-02T00:00:00Z\n  ends: 2026-01-01T00:00:00Z\n",
            ),
        ]);
        assert_eq!(
            got,
            [
                "announcements.yaml:1: announcements[0].starts: \"tomorrow\" is not a date-time; expected e.g. \"2026-11-25T02:00:00Z\" or \"2026-11-25T10:00+08:00\"",
                "announcements.yaml:1: announcements[0].severity: \"loud\"; expected \"info\", \"warning\" or \"critical\"",
                "announcements.yaml:7: announcements[1].ends: must be after `starts`",
            ]
        );
    }

    #[test]
    fn the_json_form_needs_only_id_and_title() {
        let content = from_json(
            "content.json",
            r#"{"locale": "zh-CN", "articles": [{"id": "a", "title": "充值未到账", "questions": ["充币没到"]}], "synonyms": [["充值", "充币"]]}"#,
        )
        .expect("valid");
        assert_eq!(content.articles[0].locale, "zh-CN");
        let errs = from_json("content.json", r#"{"articles": [{"id": "a"}, {"title": "t"}]}"#).unwrap_err();
        let errs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            errs,
            [
                "content.json: articles[0].title: is missing; every article needs a title",
                "content.json: articles[1].id: is missing; every article needs a stable id",
            ]
        );
        let errs = from_json("content.json", "{\n  \"articles\": [\n    {\"id\": 1}\n  ]\n}").unwrap_err();
        assert_eq!(errs[0].line, Some(3));
        assert!(errs[0].message.contains("invalid type: integer `1`, expected a string"), "{}", errs[0]);
    }
}
