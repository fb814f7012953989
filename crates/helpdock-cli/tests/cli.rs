//! The `helpdock` command as a user runs it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn helpdock(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_helpdock"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("writes");
    child.wait_with_output().expect("finishes")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("helpdock-cli-{name}-{}", std::process::id()));
    _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
    std::fs::write(path, text).expect("writes");
}

#[test]
fn build_a_folder_then_ask_it_questions() {
    let dir = temp_dir("ok");
    write(&dir, "content/categories.yaml", "- id: funds\n  names: {en: Deposits, zh-CN: 充提}\n");
    write(&dir, "content/synonyms.txt", "充值 = 充币 = 入金 = deposit\n");
    write(
        &dir,
        "content/articles/deposit.md",
        "---\nid: deposit-missing\ntitle: Deposit not arrived\ncategory: funds\nquestions: [where is my deposit]\n---\nCheck the TxID.\n",
    );
    write(
        &dir,
        "content/articles/deposit.zh.md",
        "---\nid: deposit-missing\nlocale: zh-CN\ntitle: 充值未到账\ncategory: funds\n---\n请提供 TxID。\n",
    );
    write(
        &dir,
        "content/articles/fees.md",
        "---\nid: fees\ntitle: Trading fees\ncategory: funds\n---\nMaker and taker.\n",
    );
    let pack = dir.join("out.hdpk");
    let out = helpdock(&["pack", "build", dir.join("content").to_str().unwrap(), "-o", pack.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = helpdock(&["pack", "stats", pack.to_str().unwrap()], "");
    let stats = String::from_utf8(out.stdout).unwrap();
    assert!(stats.contains("articles       3 (en: 2, zh-CN: 1)"), "{stats}");

    let out = helpdock(
        &["ask", "--pack", pack.to_str().unwrap(), "--top", "2", "--locale", "en"],
        "my deposit is missing\nfees\n",
    );
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["query"], "my deposit is missing");
    assert_eq!(lines[0]["answers"][0]["id"], "deposit-missing");
    assert!(lines[0]["answers"][0]["score"].as_f64().unwrap() > 0.0);
    assert!(lines[0]["confident"].is_boolean());
    assert_eq!(lines[1]["answers"][0]["id"], "fees");

    let out = helpdock(&["ask", "--pack", pack.to_str().unwrap(), "--locale", "zh-CN"], "入金没到\n");
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["answers"][0]["id"], "deposit-missing");
    assert_eq!(line["answers"].as_array().unwrap().len(), 1, "only zh-CN articles");
}

#[test]
fn bad_content_is_reported_precisely_and_nothing_is_written() {
    let dir = temp_dir("bad");
    write(&dir, "content/categories.yaml", "- id: funds\n");
    write(&dir, "content/a.md", "---\nid: a\ntitle: A\ncategory: fund\nrelated: [zzz]\n---\n");
    let pack = dir.join("out.hdpk");
    std::fs::write(&pack, b"old pack").unwrap();
    let out = helpdock(&["pack", "build", dir.join("content").to_str().unwrap(), "-o", pack.to_str().unwrap()], "");
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let content = dir.join("content");
    let content = content.display();
    assert!(
        stderr.contains(&format!("{content}/a.md:4: category: unknown category \"fund\"; expected one of: funds")),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{content}/a.md:5: related: no article with id \"zzz\"")), "{stderr}");
    assert!(stderr.contains("2 problem(s) in the content; nothing was written"), "{stderr}");
    assert_eq!(std::fs::read(&pack).unwrap(), b"old pack");
}

#[test]
fn a_file_that_is_not_a_pack_is_refused() {
    let dir = temp_dir("notpack");
    let pack = dir.join("x.hdpk");
    std::fs::write(&pack, b"hello").unwrap();
    let out = helpdock(&["ask", "--pack", pack.to_str().unwrap()], "q\n");
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("not a Helpdock content pack"), "{stderr}");
}
