//! Every target over its corpus (`corpus/TARGET/`: the seeds and what AFL++
//! kept as new coverage) and the inputs that once crashed it
//! (`regressions/TARGET/`, each named for what it found): the fuzzers'
//! findings stay fixed, in the test command, without AFL++.

use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.map(|e| e.expect("a readable folder").path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

#[test]
fn every_target_survives_its_corpus_and_past_crashes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut total = 0;
    for (name, target) in helpdock_fuzz::TARGETS {
        let corpus = inputs(&root.join("corpus").join(name));
        assert!(!corpus.is_empty(), "corpus/{name}/ has no seed");
        let regressions = inputs(&root.join("regressions").join(name));
        for file in corpus.iter().chain(&regressions) {
            let data = std::fs::read(file).expect("a readable input");
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name} panicked on {}", file.display());
            total += 1;
        }
    }
    eprintln!("replayed {total} inputs");
}
