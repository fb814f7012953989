//! The binary: configuration errors, demo start-up lines, agents.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use crate::support::temp_dir;

const BIN: &str = env!("CARGO_BIN_EXE_helpdock-server");

#[test]
fn a_bad_config_file_is_reported_by_file_line_and_field() {
    let dir = temp_dir();
    let file = dir.0.join("helpdock.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:0\"\n\n[limits]\nmax_message_chars = \"lots\"\n").unwrap();
    let out =
        Command::new(BIN).args(["serve", "--config"]).arg(&file).env_remove("HELPDOCK_HOST_SECRET").output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected =
        format!("{}:4: limits.max_message_chars: invalid type: string \"lots\", expected u32", file.display());
    assert!(stderr.contains(&expected), "{stderr}");
    // An environment variable is named the same way.
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("HELPDOCK_QUEUE_SECS_PER_POSITION", "-5")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("environment variable HELPDOCK_QUEUE_SECS_PER_POSITION: queue.secs_per_position"));
}

/// Starts the demo, returns its first lines, then stops it.
fn demo_lines(database: &std::path::Path, password: &str) -> Vec<String> {
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--static", "/nonexistent", "--listen", "127.0.0.1:0", "--database"])
        .arg(database)
        .env("HELPDOCK_DEMO_PASSWORD", password)
        .env_remove("HELPDOCK_HOST_SECRET")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    while lines.len() < 5 {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the demo stopped early: {lines:?}");
        lines.push(line.trim_end().to_string());
    }
    let url = lines[0].rsplit(' ').next().unwrap().to_string();
    let login = |pw: &str| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            reqwest::Client::new()
                .post(format!("{url}/console/api/login"))
                .json(&serde_json::json!({"email": "demo@example.com", "password": pw}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    lines.push(format!("login {password}: {}", login(password)));
    lines.push(format!("login other: {}", login("first-password-123")));
    child.kill().unwrap();
    child.wait().unwrap();
    lines
}

#[test]
fn the_demo_prints_its_address_agent_and_secret_and_reseeding_resets_the_password() {
    let dir = temp_dir();
    let db = dir.0.join("demo.sqlite");
    let first = demo_lines(&db, "first-password-123");
    let url = first[0].strip_prefix("helpdock-server listening on ").expect("the first line gives the address");
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"), "{url}");
    assert_eq!(first[1], "demo agent: demo@example.com / first-password-123");
    assert_eq!(first[3], "host secret: demo-host-secret");
    assert_eq!(first[4], format!("console: {url}/console/"));
    assert_eq!(first[5], "login first-password-123: 200");
    let second = demo_lines(&db, "second-password-456");
    assert_eq!(second[1], "demo agent: demo@example.com / second-password-456");
    assert_eq!(second[5], "login second-password-456: 200");
    assert_eq!(second[6], "login other: 401", "the old password no longer works");
}

#[test]
fn agent_add_refuses_weak_passwords_and_saves_good_ones() {
    let dir = temp_dir();
    let db = dir.0.join("agents.sqlite");
    let add = |password: &str| {
        let mut child = Command::new(BIN)
            .args([
                "agent",
                "add",
                "--email",
                "kim@example.com",
                "--name",
                "Kim",
                "--role",
                "admin",
                "--topics",
                "kyc,payments",
                "--password-stdin",
                "--database",
            ])
            .arg(&db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = add("short");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr)
        .contains("password refused: The password has 5 characters; use at least 10."));
    let empty = add("");
    assert!(String::from_utf8_lossy(&empty.stderr).contains("The password is empty."));
    let ok = add("violet kite 7 harbour");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("agent kim@example.com (ag_"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let agent = rt.block_on(async {
        let db = helpdock_server::db::Db::open(&db.display().to_string()).await.unwrap();
        db.agent_by_email("kim@example.com").await.unwrap().unwrap()
    });
    assert_eq!(agent.topics, ["kyc", "payments"]);
    assert!(agent.password_hash.starts_with("$argon2id$"));
}

#[test]
fn the_demo_refuses_a_reachable_address_and_a_real_host_secret() {
    let dir = temp_dir();
    let db = dir.0.join("demo.sqlite");
    let run = |listen: &str, secret: Option<&str>| {
        let mut command = Command::new(BIN);
        command.args(["serve", "--demo", "--static", "/nonexistent", "--listen", listen, "--database"]).arg(&db);
        command.env_remove("HELPDOCK_HOST_SECRET");
        if let Some(secret) = secret {
            command.env("HELPDOCK_HOST_SECRET", secret);
        }
        let out = command.output().unwrap();
        assert!(!out.status.success(), "the demo started on {listen}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = run("0.0.0.0:0", None);
    assert!(stderr.contains("--demo listens on loopback only"), "{stderr}");
    let stderr = run("127.0.0.1:0", Some("the-hosts-real-secret"));
    assert!(stderr.contains("refuses a real host_secret"), "{stderr}");
    assert!(!db.exists(), "nothing was created");
}
