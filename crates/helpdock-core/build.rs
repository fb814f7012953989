//! Reads the message catalogues in `locales/` (one file per locale, see
//! `src/catalogue.rs`): checks each against the reference, English, and
//! writes `locales.rs` into OUT_DIR — the `Locale` enum (one variant per
//! file, from its `@` lines) and the `Messages` struct. A missing string,
//! an unknown key or a placeholder that differs fails the build, naming
//! the file and line.

#[path = "src/catalogue.rs"]
#[allow(dead_code)]
mod catalogue;

use std::path::Path;

use catalogue::Catalogue;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    println!("cargo:rerun-if-changed={}", dir.display());
    let locales = read_all(&dir);
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("locales.rs");
    std::fs::write(
        &out,
        locale_enum(&locales)
            + &catalogue::generate(
                "Messages",
                "Everything core says to a user (field checks, the bot, the guard, live chat, tickets), in one locale.",
                "MESSAGES_EN",
                &locales[0].1,
            ),
    )
    .expect("writing OUT_DIR/locales.rs");
}

/// Every catalogue in `dir`, the reference (`en.txt`) first, each checked
/// against it; exits with the problems if any.
fn read_all(dir: &Path) -> Vec<(std::path::PathBuf, Catalogue)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| fail(&format!("{}: {e}", dir.display())))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort_by_key(|p| (p.file_stem().is_none_or(|s| s != "en"), p.clone()));
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
        match Catalogue::parse(&text) {
            Ok(c) => out.push((path, c)),
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    if out.first().is_none_or(|(p, _)| p.file_stem().is_none_or(|s| s != "en")) {
        problems.push(format!("{}: no en.txt, the reference catalogue", dir.display()));
    }
    for (path, c) in &out {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        for meta in ["tag", "name", "dir", "language"] {
            if !c.meta.contains_key(meta) {
                problems.push(format!("{}: no `@{meta} = …` line", path.display()));
            }
        }
        if c.meta.get("tag").is_some_and(|t| t != stem) {
            problems.push(format!("{}: `@tag` must be the file's name, {stem}", path.display()));
        }
        if c.meta.get("dir").is_some_and(|d| d != "ltr" && d != "rtl") {
            problems.push(format!("{}: `@dir` is ltr or rtl", path.display()));
        }
        if let Some((_, reference)) = out.first() {
            for p in catalogue::check(reference, c) {
                problems.push(format!("{}: {p}", path.display()));
            }
        }
    }
    if !problems.is_empty() {
        fail(&problems.join("\n"));
    }
    out
}

fn fail(message: &str) -> ! {
    eprintln!("error: the message catalogues are not complete:\n{message}");
    std::process::exit(1)
}

/// `zh-CN` is `ZhCn`.
pub fn variant(tag: &str) -> String {
    tag.split('-')
        .map(|part| {
            let lower = part.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

fn locale_enum(locales: &[(std::path::PathBuf, Catalogue)]) -> String {
    let meta = |c: &Catalogue, k: &str| c.meta.get(k).cloned().unwrap_or_default();
    let mut out = String::from(
        "/// A language the widget speaks: one per file in `crates/helpdock-core/locales/`.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum Locale {\n",
    );
    for (_, c) in locales {
        out.push_str(&format!("    /// {}.\n    {},\n", meta(c, "name"), variant(&meta(c, "tag"))));
    }
    out.push_str("}\n\nimpl Locale {\n    /// Every supported locale, English first.\n");
    let all: Vec<String> = locales.iter().map(|(_, c)| format!("Locale::{}", variant(&meta(c, "tag")))).collect();
    out.push_str(&format!("    pub const ALL: [Locale; {}] = [{}];\n\n", all.len(), all.join(", ")));
    let arm = |f: &dyn Fn(&Catalogue) -> String| {
        locales
            .iter()
            .map(|(_, c)| format!("            Locale::{} => {},\n", variant(&meta(c, "tag")), f(c)))
            .collect::<String>()
    };
    for (doc, name, ty, key) in [
        ("The BCP 47 tag of this locale, as used in `lang` attributes.", "tag", "&'static str", "tag"),
        (
            "The direction its script is written in (`ltr`, `rtl`), as used in `dir` attributes.",
            "dir",
            "&'static str",
            "dir",
        ),
        ("The locale's name written in that locale, for a language switcher.", "native_name", "&'static str", "name"),
        ("The language subtag a tag must start with to map onto this locale.", "language", "&'static str", "language"),
    ] {
        out.push_str(&format!("    /// {doc}\n    pub fn {name}(self) -> {ty} {{\n        match self {{\n"));
        out.push_str(&arm(&|c| format!("{:?}", meta(c, key))));
        out.push_str("        }\n    }\n\n");
    }
    out.push_str("    /// Subtags (script or region) that rule this locale out, such as `hant`.\n");
    out.push_str("    fn excluded(self) -> &'static [&'static str] {\n        match self {\n");
    out.push_str(&arm(&|c| {
        let list: Vec<String> = meta(c, "not")
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .map(|s| format!("{s:?}"))
            .collect();
        format!("&[{}]", list.join(", "))
    }));
    out.push_str("        }\n    }\n\n");
    out.push_str("    /// The catalogue's text, compiled in where nothing is fetched.\n");
    out.push_str("    #[cfg(not(target_arch = \"wasm32\"))]\n    fn catalogue_text(self) -> &'static str {\n        match self {\n");
    for (path, c) in locales {
        out.push_str(&format!(
            "            Locale::{} => include_str!({:?}),\n",
            variant(&meta(c, "tag")),
            path.display().to_string()
        ));
    }
    out.push_str("        }\n    }\n}\n\n");
    out
}
