//! The server's layers point one way: the web layer (`src/http/`, and
//! `serve.rs` that runs it) calls the domain (`chat`, `tickets`, `confirm`,
//! `inbox`, `socket`), which calls `state`, `error`, `db` and `hub`; nothing
//! below the web layer reaches back up into it or names the web framework's
//! extractors, responses or routers (the `http` crate's header types, which
//! `axum::http` re-exports, are plain data and allowed).

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn nothing_below_the_web_layer_reaches_up() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let web = |path: &Path| {
        let relative = path.strip_prefix(&src).unwrap();
        relative.starts_with("http") || relative == Path::new("serve.rs") || relative == Path::new("lib.rs")
    };
    let mut found = Vec::new();
    let mut checked = 0;
    for path in files.iter().filter(|p| !web(p)) {
        checked += 1;
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            let framework = code.contains("axum::") && !code.contains("axum::http::");
            if code.contains("crate::http") || code.contains("super::http") || framework {
                found.push(format!("{}:{}: {}", path.strip_prefix(&src).unwrap().display(), n + 1, code));
            }
        }
    }
    assert!(checked > 20, "only {checked} files below the web layer: is this the right folder?");
    assert!(found.is_empty(), "below the web layer, reaching up:\n{}", found.join("\n"));
}
