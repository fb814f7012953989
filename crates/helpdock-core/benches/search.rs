//! Query latency and index size at 100, 1 000 and 10 000 articles.
//!
//!     cargo bench -p helpdock-core --features build --bench search
//!
//! The corpus is the checked-in starter pack (`content/starter`), grown with
//! `synthetic` (real articles with half their words swapped). The queries
//! are the starter articles' own `questions`, asked in their locale; the
//! first copy of each base article is unchanged, so each question has a
//! right answer, and the bench fails if the engine stops finding it.
//! Besides Criterion's mean, it prints p50/p99 per query and the pack size
//! per article (raw and gzip), the figures BENCHMARKS.md reports.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use helpdock_core::index::{build, Index};
use helpdock_core::locale::Locale;
use helpdock_core::pack::Content;
use helpdock_core::search::SearchOptions;
use helpdock_core::source::{from_files, SourceFile};
use helpdock_core::synthetic::synthetic;

fn starter() -> Content {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content/starter");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("content/starter is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
                files.push(SourceFile { path: rel, text: std::fs::read_to_string(&path).expect("utf-8") });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    from_files(&files).unwrap_or_else(|errors| panic!("content/starter has errors: {errors:?}"))
}

/// (question, locale, id of the base article that answers it).
fn queries(base: &Content) -> Vec<(String, Locale, String)> {
    base.articles
        .iter()
        .flat_map(|a| {
            let locale = Locale::from_tag(&a.locale).expect("valid locale");
            a.questions.iter().map(move |q| (q.clone(), locale, a.id.clone()))
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

fn search(c: &mut Criterion) {
    let base = starter();
    let questions = queries(&base);
    let mut group = c.benchmark_group("search");
    for size in [100usize, 1_000, 10_000] {
        let content = synthetic(&base, size, 1);
        let bytes = build(&content);
        let index = Index::from_bytes(&bytes).expect("opens");

        // A fast wrong answer must not pass: the unchanged copy of the
        // question's article has to come first for most questions (of those
        // whose article is in the pack: 100 is fewer than the starter's).
        let present: std::collections::HashSet<&str> =
            content.articles.iter().filter_map(|a| a.id.split('~').next()).collect();
        let answerable: Vec<_> = questions.iter().filter(|(_, _, id)| present.contains(id.as_str())).collect();
        let right = answerable
            .iter()
            .filter(|(q, locale, id)| {
                let answer = index.search(q, &SearchOptions { top: 1, locale: Some(*locale) });
                answer.hits.first().is_some_and(|h| index.articles[h.article as usize].id.split('~').next() == Some(id))
            })
            .count();
        let share = right as f64 / answerable.len() as f64;
        assert!(share >= 0.8, "{size} articles: only {share:.2} of questions found their article");

        let mut times = Vec::with_capacity(questions.len() * 5);
        for _ in 0..5 {
            for (q, locale, _) in &questions {
                let options = SearchOptions { top: 5, locale: Some(*locale) };
                let start = Instant::now();
                black_box(index.search(black_box(q), &options));
                times.push(start.elapsed());
            }
        }
        times.sort_unstable();
        let articles = content.articles.len() as f64;
        println!(
            "search/{size}: p50 {:.1} µs, p99 {:.1} µs over {} queries; right first {:.3}; pack {} B ({:.0} B/article raw, {:.0} B/article gzip)",
            percentile(&times, 0.5).as_secs_f64() * 1e6,
            percentile(&times, 0.99).as_secs_f64() * 1e6,
            times.len(),
            share,
            bytes.len(),
            bytes.len() as f64 / articles,
            gzip_len(&bytes) as f64 / articles,
        );

        group.bench_with_input(BenchmarkId::from_parameter(size), &index, |b, index| {
            let mut i = 0;
            b.iter(|| {
                let (q, locale, _) = &questions[i % questions.len()];
                i += 1;
                index.search(black_box(q), &SearchOptions { top: 5, locale: Some(*locale) })
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = search
}
criterion_main!(benches);
