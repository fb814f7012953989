//! Search timed inside the browser, for the benchmark page
//! (`bench/index.html`, driven by `tests/e2e/bench.test.mjs`).
//!
//! The exports are thin: the work lives behind the `bench` split point, in
//! its own wasm chunk that only the benchmark page fetches, so no host pays
//! for it.

use helpdock_core::index::Index;
use helpdock_core::locale::Locale;
use leptos::wasm_split::wasm_split;
use wasm_bindgen::prelude::*;

use crate::content::search;

/// What the benchmark page asks for.
enum Op {
    Search { pack: Vec<u8>, queries: String, repeat: u32 },
    Questions { pack: Vec<u8> },
}

/// Opens `pack` and asks each of `queries` (a JSON array of
/// `[question, locale, expected article id prefix]`) `repeat` times in a
/// row, the way the widget does (browser NFKC included). Calls
/// `done(error, result)`, the result as JSON:
/// `{"micros": [mean µs per query], "right": n, "total": n, "open_ms": t}`,
/// where `total` counts the questions whose article is in the pack.
/// Repeating smooths the browser's coarse timer (5 µs when the page is
/// cross-origin isolated, 100 µs otherwise).
///
/// A callback rather than an `async` export: a promise-returning export
/// would put wasm-bindgen's future-to-promise machinery in every host's
/// download for the sake of this page.
#[wasm_bindgen(js_name = benchSearch)]
pub fn bench_search(pack: Vec<u8>, queries: String, repeat: u32, done: js_sys::Function) {
    call(Op::Search { pack, queries, repeat }, done);
}

/// The questions of every article in `pack`, as the JSON `queries` for
/// [`bench_search`]: `[[question, locale, article id], ...]`, through
/// `done(error, result)`.
#[wasm_bindgen(js_name = packQuestions)]
pub fn pack_questions(pack: Vec<u8>, done: js_sys::Function) {
    call(Op::Questions { pack }, done);
}

fn call(op: Op, done: js_sys::Function) {
    // Not Leptos's spawner: this page never mounts a widget, which sets it up.
    wasm_bindgen_futures::spawn_local(async move {
        let (error, result) = match run(op).await {
            Ok(Ok(json)) => (JsValue::NULL, JsValue::from(json)),
            Ok(Err(e)) => (JsValue::from(e), JsValue::UNDEFINED),
            Err(e) => (JsValue::from(format!("the bench module did not load: {e:?}")), JsValue::UNDEFINED),
        };
        let _ = done.call2(&JsValue::NULL, &error, &result);
    });
}

/// The split point: the first call fetches the `bench` chunk.
#[wasm_split(bench, wasm_split_path = ::leptos::wasm_split, fallible)]
fn run(op: Op) -> Result<Result<String, String>, leptos::wasm_split::SplitLoaderError> {
    Ok(match op {
        Op::Search { pack, queries, repeat } => search_all(&pack, &queries, repeat),
        Op::Questions { pack } => questions(&pack),
    })
}

fn search_all(pack: &[u8], queries: &str, repeat: u32) -> Result<String, String> {
    let performance = web_sys::window().and_then(|w| w.performance()).ok_or("no performance")?;
    let start = performance.now();
    let index = Index::from_bytes(pack).map_err(|e| e.to_string())?;
    let open_ms = performance.now() - start;
    let queries: Vec<(String, String, String)> = serde_json::from_str(queries).map_err(|e| format!("queries: {e}"))?;
    // A pack smaller than the starter content lacks some questions'
    // articles: those are timed but not counted as right or wrong.
    let present: std::collections::HashSet<&str> =
        index.articles.iter().filter_map(|a| a.id.split('~').next()).collect();
    let mut micros = Vec::with_capacity(queries.len());
    let (mut right, mut total) = (0, 0);
    // One untimed round first, so allocations and caches settle.
    for (q, locale, _) in &queries {
        search(&index, q, Locale::from_tag(locale).unwrap_or(Locale::En), 5);
    }
    for (q, locale, expected) in &queries {
        let locale = Locale::from_tag(locale).unwrap_or(Locale::En);
        let start = performance.now();
        let mut answer = None;
        for _ in 0..repeat.max(1) {
            answer = Some(search(&index, q, locale, 5));
        }
        micros.push((performance.now() - start) * 1000.0 / f64::from(repeat.max(1)));
        if !present.contains(expected.as_str()) {
            continue;
        }
        total += 1;
        let top = answer.and_then(|a| a.hits.first().map(|h| index.articles[h.article as usize].id.clone()));
        if top.is_some_and(|id| id.split('~').next() == Some(expected.as_str())) {
            right += 1;
        }
    }
    Ok(serde_json::json!({"micros": micros, "right": right, "total": total, "open_ms": open_ms}).to_string())
}

fn questions(pack: &[u8]) -> Result<String, String> {
    let index = Index::from_bytes(pack).map_err(|e| e.to_string())?;
    let questions: Vec<(&str, &str, &str)> = index
        .articles
        .iter()
        .flat_map(|a| a.questions.iter().map(move |q| (q.as_str(), a.locale.as_str(), a.id.as_str())))
        .collect();
    Ok(serde_json::to_string(&questions).unwrap_or_default())
}
