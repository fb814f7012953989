//! The agent driver for Helpdock's reference server: plays an agent through
//! the console API (`/console/api`, docs/protocol.md "Agent console"),
//! speaking the driver's JSON lines (docs/conformance.md) on standard input
//! and output. `helpdock-conformance reference-agent --backend URL --email
//! E` runs it; the password comes from `HELPDOCK_AGENT_PASSWORD`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, Mutex, Notify};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// A signed-in agent: the session cookie, the CSRF token and the console
/// socket's frames so far.
struct Agent {
    base: String,
    http: reqwest::Client,
    cookie: String,
    csrf: String,
    outbox: mpsc::UnboundedSender<String>,
    frames: Arc<Mutex<Vec<Value>>>,
    arrived: Arc<Notify>,
    counter: u64,
}

/// Signs in, prints `{"ready": true}`, then answers requests until `quit`
/// or the end of input.
pub async fn serve(backend: &str, email: &str, password: &str) -> Result<()> {
    let mut agent = Agent::sign_in(backend.trim_end_matches('/'), email, password).await?;
    let mut out = tokio::io::stdout();
    out.write_all(b"{\"ready\":true}\n").await?;
    out.flush().await?;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        let request: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                let answer = json!({"ok": false, "error": format!("not JSON: {e}")});
                out.write_all(format!("{answer}\n").as_bytes()).await?;
                continue;
            }
        };
        if request["do"] == "quit" {
            break;
        }
        let within = Duration::from_millis(request["timeoutMs"].as_u64().unwrap_or(10_000));
        let answer = match agent.handle(&request, within).await {
            Ok(Some(fields)) => {
                let mut answer = json!({"ok": true});
                if let (Some(a), Some(f)) = (answer.as_object_mut(), fields.as_object()) {
                    a.extend(f.clone());
                }
                answer
            }
            Ok(None) => json!({"ok": false, "unsupported": true}),
            Err(e) => json!({"ok": false, "error": format!("{e:#}")}),
        };
        out.write_all(format!("{answer}\n").as_bytes()).await?;
        out.flush().await?;
    }
    Ok(())
}

impl Agent {
    async fn sign_in(base: &str, email: &str, password: &str) -> Result<Agent> {
        let http = reqwest::Client::new();
        let response = http
            .post(format!("{base}/console/api/login"))
            .header("content-type", "application/json")
            .body(json!({"email": email, "password": password}).to_string())
            .send()
            .await
            .context("signing in to the console")?;
        if !response.status().is_success() {
            bail!("signing in as {email}: {} {}", response.status(), response.text().await.unwrap_or_default());
        }
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .context("the sign-in set no session cookie")?
            .to_owned();
        let session: Value = serde_json::from_str(&response.text().await?)?;
        let csrf = session["csrfToken"].as_str().context("the sign-in answer has no csrfToken")?.to_owned();

        let mut request = format!("{}/console/api/ws", base.replacen("http", "ws", 1)).into_client_request()?;
        request.headers_mut().insert("cookie", cookie.parse()?);
        request.headers_mut().insert("origin", base.parse()?);
        let (stream, _) = tokio_tungstenite::connect_async(request).await.context("opening the console socket")?;
        let (mut sink, mut source) = stream.split();
        sink.send(WsMessage::text(json!({"type": "hello", "v": 1, "token": ""}).to_string())).await?;
        let frames = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let (outbox, mut queued) = mpsc::unbounded_channel::<String>();
        tokio::spawn(async move {
            while let Some(text) = queued.recv().await {
                if sink.send(WsMessage::text(text)).await.is_err() {
                    break;
                }
            }
        });
        {
            let frames = frames.clone();
            let arrived = arrived.clone();
            tokio::spawn(async move {
                while let Some(Ok(message)) = source.next().await {
                    if let WsMessage::Text(text) = message {
                        if let Ok(frame) = serde_json::from_str::<Value>(&text) {
                            frames.lock().await.push(frame);
                            arrived.notify_waiters();
                        }
                    }
                }
            });
        }
        let agent = Agent { base: base.to_owned(), http, cookie, csrf, outbox, frames, arrived, counter: 0 };
        agent.wait(Duration::from_secs(10), "welcome", |f| f["type"] == "welcome").await?;
        Ok(agent)
    }

    /// `None` when the request is not one this driver knows.
    async fn handle(&mut self, request: &Value, within: Duration) -> Result<Option<Value>> {
        let conversation = request["conversation"].as_str().unwrap_or_default().to_owned();
        let c = conversation.as_str();
        match request["do"].as_str().unwrap_or_default() {
            "accept" => {
                self.frame(json!({"type": "accept", "conversation": c}))?;
                let frame = self
                    .wait(within, "the assignment", |f| {
                        (f["type"] == "assigned" && f["conversation"]["id"] == c)
                            || (f["type"] == "error" && f["conversation"] == c)
                    })
                    .await?;
                if frame["type"] == "error" {
                    bail!("accepting {c}: {}", frame["error"]);
                }
                Ok(Some(json!({})))
            }
            "send" => {
                self.counter += 1;
                let client_id = format!("agent-{}-{}", std::process::id(), self.counter);
                let body = request["body"].as_str().unwrap_or_default();
                self.frame(json!({"type": "send", "conversation": c, "clientId": client_id, "body": body}))?;
                let frame = self
                    .wait(within, "the ack", |f| {
                        f["clientId"] == client_id.as_str() && (f["type"] == "ack" || f["type"] == "error")
                    })
                    .await?;
                if frame["type"] == "error" {
                    bail!("sending into {c}: {}", frame["error"]);
                }
                Ok(Some(json!({"seq": frame["seq"]})))
            }
            "wait_message" => {
                let body = request["body"].clone();
                let frame = self
                    .wait(within, "the visitor's message", |f| {
                        f["type"] == "message"
                            && f["message"]["conversation"] == c
                            && f["message"]["author"]["kind"] == "visitor"
                            && (body.is_null() || f["message"]["body"] == body)
                    })
                    .await?;
                Ok(Some(json!({"seq": frame["message"]["seq"]})))
            }
            "typing" => {
                self.frame(json!({"type": "typing", "conversation": c, "typing": request["typing"] == true}))?;
                Ok(Some(json!({})))
            }
            "wait_typing" => {
                let typing = request["typing"] != false;
                self.wait(within, "the visitor typing", |f| {
                    f["type"] == "typing" && f["conversation"] == c && f["author"] == "visitor" && f["typing"] == typing
                })
                .await?;
                Ok(Some(json!({})))
            }
            "read" => {
                self.frame(json!({"type": "read", "conversation": c, "seq": request["seq"]}))?;
                Ok(Some(json!({})))
            }
            "wait_read" => {
                let seq = request["seq"].as_u64().unwrap_or(0);
                self.wait(within, "the visitor's read receipt", |f| {
                    f["type"] == "read"
                        && f["conversation"] == c
                        && f["by"] == "visitor"
                        && f["seq"].as_u64().is_some_and(|s| s >= seq)
                })
                .await?;
                Ok(Some(json!({})))
            }
            "close" => {
                self.frame(json!({"type": "close", "conversation": c}))?;
                self.wait(within, "the end", |f| f["type"] == "closed" && f["conversation"] == c).await?;
                Ok(Some(json!({})))
            }
            "reply_ticket" => {
                let ticket = request["ticket"].as_str().unwrap_or_default();
                self.counter += 1;
                let body = json!({
                    "clientId": format!("agent-{}-{}", std::process::id(), self.counter),
                    "body": request["body"],
                    "attachments": [],
                    "internal": false,
                });
                let reply = self.console("POST", &format!("/tickets/{ticket}/replies"), body).await?;
                if let Some(status) = request["status"].as_str() {
                    self.console("PATCH", &format!("/tickets/{ticket}"), json!({"status": status})).await?;
                }
                Ok(Some(json!({"seq": reply["seq"]})))
            }
            "set_ticket_status" => {
                let ticket = request["ticket"].as_str().unwrap_or_default();
                self.console("PATCH", &format!("/tickets/{ticket}"), json!({"status": request["status"]})).await?;
                Ok(Some(json!({})))
            }
            _ => Ok(None),
        }
    }

    fn frame(&self, frame: Value) -> Result<()> {
        self.outbox.send(frame.to_string()).context("the console socket is closed")
    }

    async fn console(&self, method: &str, path: &str, body: Value) -> Result<Value> {
        let response = self
            .http
            .request(reqwest::Method::from_bytes(method.as_bytes())?, format!("{}/console/api{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("{method} /console/api{path}: {status} {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// The first frame since sign-in that `matches` accepts (taken out, so
    /// that a later wait does not see it again).
    async fn wait(&self, within: Duration, what: &str, matches: impl Fn(&Value) -> bool) -> Result<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let notified = self.arrived.notified();
            {
                let mut frames = self.frames.lock().await;
                if let Some(i) = frames.iter().position(&matches) {
                    return Ok(frames.remove(i));
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                bail!("no {what} on the console socket within {within:?}");
            }
        }
    }
}
