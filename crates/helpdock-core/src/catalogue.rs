//! Message catalogues: one text file per locale, read at build time into
//! Rust (the reference locale, English, compiled in; the others checked
//! against it) and at run time (the browser fetches a locale's catalogue
//! when the user needs it, so no page carries every language).
//!
//! The format, one entry a line:
//!
//! ```text
//! # A comment.
//! @tag = ja                   (a locale's metadata: tag, name, dir, language, not)
//! panel_title = ヘルプ
//! small_talk.0 = こんにちは   (an array: .0, .1, … in order)
//! step_of = {i} / {n}         ({name}: a placeholder the code fills in)
//! ```
//!
//! A value runs to the end of its line, trimmed (or stands between double
//! quotes, to keep its spaces); `\n` is a line break and `\\` a backslash. Every catalogue of a kind has exactly the reference's
//! keys, using only the placeholders the reference's text has: [`check`] is run by the build scripts,
//! so a missing or misspelt string fails the build, naming file and line.
//!
//! This file is also compiled into the workspace's build scripts (by
//! `#[path]`): it uses nothing but `std`.

use std::collections::{BTreeMap, BTreeSet};

/// One entry of a catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The line it is on, from 1.
    pub line: usize,
    /// Its key, such as `panel_title` or `small_talk.0`.
    pub key: String,
    /// Its text, unescaped.
    pub value: String,
}

/// A catalogue read from text: its metadata (`@name = value` lines) and its
/// entries in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    /// `@` lines, such as `tag`, `name`, `dir`.
    pub meta: BTreeMap<String, String>,
    /// Every entry, in file order.
    pub entries: Vec<Entry>,
}

impl Catalogue {
    /// Reads `text`; `Err` says which line is wrong and why.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let mut catalogue = Catalogue::default();
        let mut seen = BTreeSet::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let Some((key, value)) = trimmed.split_once('=') else {
                return Err(format!("line {line}: expected `key = text`, found {trimmed:?}"));
            };
            let value = value.trim();
            // Quotes keep a text's own leading or trailing spaces (", ").
            let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                Some(quoted) => quoted,
                None => value,
            };
            let (key, value) = (key.trim(), unescape(value));
            if let Some(name) = key.strip_prefix('@') {
                catalogue.meta.insert(name.to_owned(), value);
                continue;
            }
            if key.is_empty()
                || !key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.".contains(&b))
            {
                return Err(format!("line {line}: {key:?} is not a key (lower-case letters, digits, `_` and `.`)"));
            }
            if !seen.insert(key.to_owned()) {
                return Err(format!("line {line}: {key} is given twice"));
            }
            catalogue.entries.push(Entry { line, key: key.to_owned(), value });
        }
        Ok(catalogue)
    }

    /// The text under `key`, if any.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.iter().find(|e| e.key == key).map(|e| e.value.as_str())
    }
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The `{name}` placeholders in `text`.
pub fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if after[..close].bytes().all(|b| b.is_ascii_lowercase() || b == b'_') && close > 0 => {
                found.insert(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

/// What is wrong with `other` measured against `reference`: keys missing or
/// unknown, placeholders that differ, an empty text. Each problem names
/// `other`'s line where it has one.
pub fn check(reference: &Catalogue, other: &Catalogue) -> Vec<String> {
    let mut problems = Vec::new();
    for entry in &reference.entries {
        match other.entries.iter().find(|e| e.key == entry.key) {
            None => problems.push(format!("{} is missing (the reference has it on line {})", entry.key, entry.line)),
            Some(theirs) => {
                let (want, have) = (placeholders(&entry.value), placeholders(&theirs.value));
                // A translation may leave one out ("March" where 3月 says it
                // with the month's number) but never invent one.
                let unknown: Vec<&str> = have.difference(&want).copied().collect();
                if !unknown.is_empty() {
                    problems.push(format!(
                        "line {}: {} has the placeholders {:?}, which the reference's {:?} does not",
                        theirs.line, entry.key, unknown, want
                    ));
                }
                if theirs.value.is_empty() {
                    problems.push(format!("line {}: {} is empty", theirs.line, entry.key));
                }
            }
        }
    }
    for entry in &other.entries {
        if reference.get(&entry.key).is_none() {
            problems.push(format!("line {}: {} is not a key of the reference catalogue", entry.line, entry.key));
        }
    }
    problems
}

/// A key as a Rust field name: `tk.new` is `tk_new`; `small_talk.0` is
/// element 0 of the array field `small_talk`.
pub fn field_of(key: &str) -> (String, Option<usize>) {
    match key.rsplit_once('.') {
        Some((head, index)) if index.bytes().all(|b| b.is_ascii_digit()) => {
            (head.replace('.', "_"), index.parse().ok())
        }
        _ => (key.replace('.', "_"), None),
    }
}

/// Rust source for a struct named `name` holding every text of a
/// catalogue in `reference`'s key order, with one accessor per key (an
/// array for `.0`, `.1`, …: `small_talk.0` is `small_talk()[0]`), the
/// static `reference` value `static_name`, and `name::from_values` for a
/// catalogue read at run time ([`read_served`]). Texts in one array and
/// accessors that index it: reading a fetched catalogue is a copy, not code
/// per key.
pub fn generate(name: &str, doc: &str, static_name: &str, reference: &Catalogue) -> String {
    let n = reference.entries.len();
    let mut out = format!("/// {doc}\n#[derive(Debug, Clone)]\npub struct {name}([&'static str; {n}]);\n\n");
    let texts: Vec<String> = reference.entries.iter().map(|e| format!("{:?}", e.value)).collect();
    out.push_str(&format!(
        "/// The reference catalogue, compiled in.\npub static {static_name}: {name} = {name}([\n    {},\n]);\n\n",
        texts.join(",\n    ")
    ));
    out.push_str(&format!("#[allow(missing_docs)]\nimpl {name} {{\n    /// How many texts a complete catalogue has.\n    pub const KEYS: usize = {n};\n\n"));
    out.push_str(&format!(
        "    /// The catalogue whose texts are `values`, in the reference's key order\n    \
         /// (`catalogue::served`); `None` unless there are exactly `KEYS`.\n    \
         pub fn from_values(values: &[&'static str]) -> Option<{name}> {{\n        \
         Some({name}(values.try_into().ok()?))\n    }}\n"
    ));
    let mut i = 0;
    while i < n {
        let (field, index) = field_of(&reference.entries[i].key);
        match index {
            None => {
                out.push_str(&format!(
                    "\n    #[inline]\n    pub fn {field}(&self) -> &'static str {{\n        self.0[{i}]\n    }}\n"
                ));
                i += 1;
            }
            Some(_) => {
                let len = reference.entries[i..].iter().take_while(|e| field_of(&e.key).0 == field).count();
                for (k, e) in reference.entries[i..i + len].iter().enumerate() {
                    assert_eq!(
                        field_of(&e.key).1,
                        Some(k),
                        "line {}: {} is out of order: {field}'s texts go .0, .1, … on consecutive lines",
                        e.line,
                        e.key
                    );
                }
                let items: Vec<String> = (i..i + len).map(|k| format!("self.0[{k}]")).collect();
                out.push_str(&format!(
                    "\n    #[inline]\n    pub fn {field}(&self) -> [&'static str; {len}] {{\n        [{}]\n    }}\n",
                    items.join(", ")
                ));
                i += len;
            }
        }
    }
    out.push_str("}\n");
    out
}

/// The form a browser fetches: `catalogue`'s texts in the order of
/// `reference`'s keys, one a line, `\n` and `\\` escaped: no keys to
/// match, so reading it takes no code but a split. `Err` names the first
/// key `catalogue` lacks (the build has checked it does not).
pub fn served(reference: &Catalogue, catalogue: &Catalogue) -> Result<String, String> {
    let mut out = String::new();
    for entry in &reference.entries {
        let text = catalogue.get(&entry.key).ok_or_else(|| format!("{} is missing", entry.key))?;
        out.push_str(&text.replace('\\', "\\\\").replace('\n', "\\n"));
        out.push('\n');
    }
    Ok(out)
}

/// The texts of a catalogue in its [`served`] form, in order. Texts are
/// leaked: a catalogue is installed once per locale and lives as long as
/// the page.
pub fn read_served(text: &str) -> Vec<&'static str> {
    text.strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .map(|line| -> &'static str {
            if line.contains('\\') {
                Box::leak(unescape(line).into_boxed_str())
            } else {
                Box::leak(line.to_owned().into_boxed_str())
            }
        })
        .collect()
}

/// A generated catalogue (`from_values` of a [`generate`]d struct with
/// `keys` texts) read from its served form; `Err` when the count is not
/// this build's.
pub fn read<T>(served: &str, keys: usize, from_values: impl FnOnce(&[&'static str]) -> Option<T>) -> Result<T, String> {
    let values = read_served(served);
    from_values(&values).ok_or_else(|| format!("it has {} texts, not the {keys} of this build", values.len()))
}

/// The served form of the catalogue `text` against the reference catalogue
/// `reference` (both files' text): how a native build installs the
/// catalogues it has compiled in.
pub fn served_text(reference: &str, text: &str) -> Result<String, String> {
    served(&Catalogue::parse(reference)?, &Catalogue::parse(text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keys_and_escapes() {
        let c = Catalogue::parse("# c\n@tag = ja\n\na = one\\ntwo\nb.0 = x \\\\ y\nb.1 = {n} z\n").unwrap();
        assert_eq!(c.meta["tag"], "ja");
        assert_eq!(c.get("a"), Some("one\ntwo"));
        assert_eq!(c.get("b.0"), Some("x \\ y"));
        assert_eq!(c.entries[2].line, 6);
        assert_eq!(field_of("tk.new"), ("tk_new".to_owned(), None));
        assert_eq!(field_of("tk.urgencies.3"), ("tk_urgencies".to_owned(), Some(3)));
    }

    #[test]
    fn mistakes_name_their_line() {
        assert!(Catalogue::parse("a = 1\na = 2").unwrap_err().contains("line 2: a is given twice"));
        assert!(Catalogue::parse("just text").unwrap_err().contains("line 1"));
        assert!(Catalogue::parse("Bad Key = x").unwrap_err().contains("is not a key"));
    }

    #[test]
    fn check_finds_missing_unknown_and_placeholders() {
        let en = Catalogue::parse("a = {n} items\nb = Back\nc = Hi").unwrap();
        let ja = Catalogue::parse("a = {count} 件\nd = ?\nc = ").unwrap();
        let problems = check(&en, &ja);
        assert!(problems.iter().any(|p| p.starts_with("b is missing")), "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("line 1: a has the placeholders")), "{problems:?}");
        assert!(problems.iter().any(|p| p == "line 2: d is not a key of the reference catalogue"), "{problems:?}");
        assert!(problems.iter().any(|p| p == "line 3: c is empty"), "{problems:?}");
        assert!(check(&en, &en).is_empty());
    }

    #[test]
    fn the_served_form_reads_back_in_the_reference_order() {
        let en = Catalogue::parse("a = A\nb.0 = x\nb.1 = y\nc = C").unwrap();
        let ja = Catalogue::parse("c = line\\nbreak \\\\ slash\nb.1 = Y\na = AA\nb.0 = X").unwrap();
        let text = served(&en, &ja).unwrap();
        assert_eq!(read_served(&text), ["AA", "X", "Y", "line\nbreak \\ slash"]);
        assert_eq!(served(&en, &Catalogue::parse("a = 1").unwrap()).unwrap_err(), "b.0 is missing");
    }

    #[test]
    fn placeholders_are_lower_case_names() {
        assert_eq!(placeholders("{n} of {total}, {\"json\": 1} {}").into_iter().collect::<Vec<_>>(), ["n", "total"]);
    }
}
