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
    // A command that refuses its arguments exits without reading stdin; the
    // broken pipe that leaves is not the test's concern.
    match child.stdin.take().expect("stdin").write_all(stdin.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
        _ => {}
    }
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

    // One part per locale beside the manifest, named by a hash of its bytes.
    let mut files: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.retain(|f| f.ends_with(".hdpk"));
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    assert_eq!(files[0].len(), "out.en.".len() + 16 + ".hdpk".len(), "{files:?}");
    assert!(
        files[0].starts_with("out.en.") && files[1] == "out.hdpk" && files[2].starts_with("out.zh-CN."),
        "{files:?}"
    );
    assert_eq!(&std::fs::read(&pack).unwrap()[..4], b"HDPM");

    let out = helpdock(&["pack", "stats", pack.to_str().unwrap()], "");
    let stats = String::from_utf8(out.stdout).unwrap();
    assert!(stats.contains(&format!("part           en: {}", dir.join(&files[0]).display())), "{stats}");
    assert!(stats.contains("articles       2 (en: 2)"), "{stats}");
    assert!(stats.contains("articles       1 (zh-CN: 1)"), "{stats}");
    assert!(stats.contains("all parts"), "{stats}");

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

    // Without --locale every part is asked; the query's language answers.
    let out = helpdock(&["ask", "--pack", pack.to_str().unwrap()], "入金没到\ntrading fees\n");
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(lines[0]["answers"][0]["id"], "deposit-missing");
    assert_eq!(lines[1]["answers"][0]["id"], "fees");

    // A rebuild replaces the parts it no longer names.
    write(
        &dir,
        "content/articles/fees.md",
        "---\nid: fees\ntitle: Trading fees\ncategory: funds\n---\nMaker, taker.\n",
    );
    let out = helpdock(&["pack", "build", dir.join("content").to_str().unwrap(), "-o", pack.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parts = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "hdpk"));
    assert_eq!(parts.count(), 3);
}

#[test]
fn a_whole_pack_still_opens() {
    // What `pack synth` and earlier releases write: every locale in one file.
    let dir = temp_dir("whole");
    write(&dir, "content/a.md", "---\nid: deposit-missing\ntitle: Deposit not arrived\n---\nCheck the TxID.\n");
    write(&dir, "content/a.zh.md", "---\nid: deposit-missing\nlocale: zh-CN\ntitle: 充值未到账\n---\n请提供 TxID。\n");
    let pack = dir.join("whole.hdpk");
    let content = dir.join("content");
    let out =
        helpdock(&["pack", "synth", content.to_str().unwrap(), "--articles", "4", "-o", pack.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(&std::fs::read(&pack).unwrap()[..4], b"HDPK");
    let out = helpdock(&["pack", "stats", pack.to_str().unwrap()], "");
    let stats = String::from_utf8(out.stdout).unwrap();
    assert!(!stats.contains("part "), "{stats}");
    let out = helpdock(&["ask", "--pack", pack.to_str().unwrap(), "--locale", "zh-CN"], "充值\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(line["answers"].is_array(), "{line}");
}

#[test]
fn a_manifest_whose_part_is_missing_names_it() {
    let dir = temp_dir("missing");
    write(&dir, "content/a.md", "---\nid: a\ntitle: Deposit\n---\nText.\n");
    let pack = dir.join("p.hdpk");
    let out = helpdock(&["pack", "build", dir.join("content").to_str().unwrap(), "-o", pack.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("p.en.") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let out = helpdock(&["ask", "--pack", pack.to_str().unwrap()], "deposit\n");
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("reading") && stderr.contains("p.en."), "{stderr}");
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

#[test]
fn guard_reports_each_line_without_echoing_it() {
    let input = "where is my deposit?\n\
                 my password is hunter22! and 2FA code 123456, password: Winter2024\n\
                 验证码是 654321\n\
                 \n\
                 see https://evil.io/login\n\
                 TxID 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060\n";
    let out = helpdock(&["guard"], input);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    for secret in ["hunter22", "123456", "Winter2024", "654321", "evil.io", "5c504ed4"] {
        assert!(!stdout.contains(secret), "the output echoes {secret}: {stdout}");
    }
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let summary: Vec<(u64, bool, Vec<&str>)> = lines
        .iter()
        .map(|l| {
            let kinds = l["kinds"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
            (l["text_len"].as_u64().unwrap(), l["blocked"].as_bool().unwrap(), kinds)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (20, false, vec![]),
            (66, true, vec!["password", "otp_code"]),
            (11, true, vec!["otp_code"]),
            (0, false, vec![]),
            (25, false, vec!["unofficial_link"]),
            (71, false, vec![]),
        ]
    );
    // The documented key order.
    assert!(stdout.starts_with(r#"{"text_len": 20, "blocked": false, "kinds": []}"#), "{stdout}");
}

#[test]
fn guard_trusts_the_official_domains_it_is_given() {
    let input = "https://help.example.com/x\nt.me/example_support\nhttps://example.net\r\n";
    let out = helpdock(&["guard", "--official-domain", "example.com", "--official-domain", "t.me"], input);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kinds: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["kinds"].to_string())
        .collect();
    assert_eq!(kinds, [r#"[]"#, r#"[]"#, r#"["unofficial_link"]"#]);
}
