//! The agent driver: a command the suite starts once and talks to in JSON
//! lines, one request on its standard input, one answer on its standard
//! output, so that the agent's side of any backend can be played without
//! the suite knowing that backend's agent API (docs/conformance.md).

use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::client::{short, Check, Failure};

/// A running driver.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    command: String,
}

impl Driver {
    /// Starts `command` through the shell and waits for its `{"ready":
    /// true}` line (it signs in first).
    pub async fn start(command: &str) -> Result<Driver, String> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting the agent driver `{command}`: {e}"))?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped")).lines();
        let mut driver = Driver { child, stdin, stdout, command: command.to_owned() };
        let ready = driver.line(Duration::from_secs(30)).await.map_err(|f| match f {
            Failure::Fail(e) | Failure::Skip(e) => e,
        })?;
        if ready["ready"] != true {
            return Err(format!("the agent driver `{command}` did not start: {}", short(&ready)));
        }
        Ok(driver)
    }

    /// Sends one request and returns its answer's fields when `ok`; a
    /// driver that answers `{"ok": false, "unsupported": true}` makes the
    /// case a skip, any other refusal a failure.
    pub async fn ask(&mut self, request: Value, within: Duration) -> Check<Value> {
        let line = format!("{request}\n");
        if let Err(e) = self.stdin.write_all(line.as_bytes()).await {
            return Err(Failure::Fail(format!("agent driver: writing {}: {e}", short(&request))));
        }
        let _ = self.stdin.flush().await;
        let answer = self.line(within + Duration::from_secs(5)).await?;
        if answer["ok"] == true {
            Ok(answer)
        } else if answer["unsupported"] == true {
            Err(Failure::Skip(format!("the agent driver does not support {}", request["do"])))
        } else {
            Err(Failure::Fail(format!(
                "agent side: {} failed: {}",
                request["do"],
                answer["error"].as_str().map_or_else(|| short(&answer), str::to_owned)
            )))
        }
    }

    async fn line(&mut self, within: Duration) -> Check<Value> {
        match tokio::time::timeout(within, self.stdout.next_line()).await {
            Err(_) => Err(Failure::Fail(format!("the agent driver said nothing within {within:?}"))),
            Ok(Err(e)) => Err(Failure::Fail(format!("reading the agent driver: {e}"))),
            Ok(Ok(None)) => {
                let status = self.child.try_wait().ok().flatten();
                Err(Failure::Fail(format!("the agent driver `{}` exited ({status:?})", self.command)))
            }
            Ok(Ok(Some(line))) => serde_json::from_str(&line)
                .map_err(|e| Failure::Fail(format!("the agent driver wrote a line that is not JSON ({e}): {line}"))),
        }
    }

    /// Asks the driver to end and waits a moment for it.
    pub async fn stop(mut self) {
        let _ = self.stdin.write_all(format!("{}\n", json!({"do": "quit"})).as_bytes()).await;
        drop(self.stdin);
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}
