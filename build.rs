//! Reads the widget's string catalogues in `locales/` (one file per locale,
//! format in `crates/helpdock-core/src/catalogue.rs`), checks each against
//! the reference, `en.txt`, and against core's list of locales (a locale is
//! one file in each), and writes `strings.rs` into OUT_DIR: the `Strings`
//! struct with English compiled in. A missing string, an unknown key, a
//! placeholder English does not have or a locale without its core file
//! fails the build, naming the file and line.

#[path = "crates/helpdock-core/src/catalogue.rs"]
#[allow(dead_code)]
mod catalogue;

use std::path::{Path, PathBuf};

use catalogue::Catalogue;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (widget, core) = (root.join("locales"), root.join("crates/helpdock-core/locales"));
    println!("cargo:rerun-if-changed={}", widget.display());
    println!("cargo:rerun-if-changed={}", core.display());

    let mut problems = Vec::new();
    let files = |dir: &Path| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|x| x == "txt"));
        files.sort_by_key(|p| (p.file_stem().is_none_or(|s| s != "en"), p.clone()));
        files
    };
    let stem = |p: &Path| p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
    let mut read = Vec::new();
    for path in files(&widget) {
        match std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|t| Catalogue::parse(&t)) {
            Ok(c) => read.push((path, c)),
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    let core_tags: Vec<String> = files(&core).iter().map(|p| stem(p)).collect();
    let widget_tags: Vec<String> = read.iter().map(|(p, _)| stem(p)).collect();
    for tag in &core_tags {
        if !widget_tags.contains(tag) {
            problems.push(format!(
                "{}: missing; core has {tag}.txt, so the widget needs its strings too",
                widget.join(format!("{tag}.txt")).display()
            ));
        }
    }
    for tag in &widget_tags {
        if !core_tags.contains(tag) {
            problems.push(format!(
                "{}: missing; the widget has {tag}.txt, so core needs its messages too",
                core.join(format!("{tag}.txt")).display()
            ));
        }
    }
    match read.first() {
        Some((p, reference)) if stem(p) == "en" => {
            for (path, c) in &read {
                if c.meta.get("tag").is_none_or(|t| *t != stem(path)) {
                    problems.push(format!("{}: needs `@tag = {}`", path.display(), stem(path)));
                }
                problems.extend(catalogue::check(reference, c).into_iter().map(|p| format!("{}: {p}", path.display())));
            }
        }
        _ => problems.push(format!("{}: no en.txt, the reference catalogue", widget.display())),
    }
    if !problems.is_empty() {
        eprintln!("error: the widget's string catalogues are not complete:\n{}", problems.join("\n"));
        std::process::exit(1);
    }

    let mut code = catalogue::generate(
        "Strings",
        "Every string the widget's own interface shows, in one locale.",
        "EN",
        &read[0].1,
    );
    code.push_str("\n/// A locale's catalogue, compiled in where nothing is fetched (natively).\n");
    code.push_str(
        "#[cfg(not(target_arch = \"wasm32\"))]\nfn catalogue_text(tag: &str) -> &'static str {\n    match tag {\n",
    );
    for (path, _) in &read {
        code.push_str(&format!("        {:?} => include_str!({:?}),\n", stem(path), path.display().to_string()));
    }
    code.push_str("        _ => \"\",\n    }\n}\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("strings.rs");
    std::fs::write(out, code).expect("writing OUT_DIR/strings.rs");
}
