//! The widget's side of the wire, as the suite drives it: HTTP calls whose
//! answers are checked against the schemas, and sockets whose every frame
//! is.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::schema::Schemas;

/// Why a case did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The backend broke a rule; what was expected and what came.
    Fail(String),
    /// The case could not be checked against this backend (an optional
    /// feature it does not offer, or no agent driver); why.
    Skip(String),
}

/// What a check returns.
pub type Check<T = ()> = Result<T, Failure>;

/// Fails the case with a formatted reason.
#[macro_export]
macro_rules! fail {
    ($($arg:tt)*) => { return Err($crate::client::Failure::Fail(format!($($arg)*))) };
}

/// Fails the case unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => { if !$cond { $crate::fail!($($arg)*); } };
}

/// An HTTP answer: its status and its body (JSON, or `Null` when empty).
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The body.
    pub body: Value,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
}

impl Answer {
    /// The error code of an error answer.
    pub fn code(&self) -> Option<&str> {
        self.body["error"]["code"].as_str()
    }

    /// Passes when the answer is `status` and, for an error, carries `code`.
    pub fn expect(&self, what: &str, status: u16, code: Option<&str>) -> Check {
        ensure!(
            self.status == status && (code.is_none() || self.code() == code),
            "{what}: expected {status}{} , got {} {}",
            code.map(|c| format!(" `{c}`")).unwrap_or_default(),
            self.status,
            short(&self.body)
        );
        Ok(())
    }
}

/// The backend's HTTP API, every answer checked: an error body against
/// `error.json`, a success against the schema the caller names.
#[derive(Debug, Clone)]
pub struct Http {
    /// The backend's base URL, without a trailing slash.
    pub base: String,
    client: reqwest::Client,
}

impl Http {
    /// A client for `base`.
    pub fn new(base: &str) -> Http {
        Http { base: base.trim_end_matches('/').to_owned(), client: reqwest::Client::new() }
    }

    /// `method path` with an optional bearer token and JSON body; a success
    /// is checked against `schema` (`[name]` for a list of them).
    pub async fn call(
        &self,
        schemas: &Schemas,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        schema: Option<&str>,
    ) -> Check<Answer> {
        let body = body.map(|b| b.to_string());
        self.raw(schemas, method, path, token, body.map(String::into_bytes), "application/json", &[], schema).await
    }

    /// Like [`Http::call`] with a raw body, content type and extra headers.
    #[allow(clippy::too_many_arguments)]
    pub async fn raw(
        &self,
        schemas: &Schemas,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        content_type: &str,
        headers: &[(&str, &str)],
        schema: Option<&str>,
    ) -> Check<Answer> {
        let url = if path.starts_with("http") { path.to_owned() } else { format!("{}{path}", self.base) };
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = self.client.request(method.clone(), &url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.header("content-type", content_type).body(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = match tokio::time::timeout(Duration::from_secs(30), request.send()).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => fail!("{method} {path}: {e}"),
            Err(_) => fail!("{method} {path}: no answer within 30 s"),
        };
        let status = response.status().as_u16();
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text = response.text().await.map_err(|e| Failure::Fail(format!("{method} {path}: {e}")))?;
        let body = if text.is_empty() {
            Value::Null
        } else if content_type.as_deref().is_some_and(|t| t.starts_with("application/json")) {
            serde_json::from_str(&text)
                .map_err(|e| Failure::Fail(format!("{method} {path}: the body is not JSON ({e}): {}", clip(&text))))?
        } else {
            Value::String(text)
        };
        if status >= 400 {
            ensure!(
                content_type.as_deref().is_some_and(|t| t.starts_with("application/json")),
                "{method} {path}: error {status} without a JSON body (`{}`)",
                content_type.unwrap_or_default()
            );
            schemas.check("error", &body).map_err(|e| Failure::Fail(format!("{method} {path} → {status}: {e}")))?;
        } else if let Some(schema) = schema {
            let checked = match schema.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                Some(item) => match body.as_array() {
                    Some(items) => items.iter().try_for_each(|v| schemas.check(item, v)),
                    None => Err(format!("expected a list of {item}, got {}", short(&body))),
                },
                None => schemas.check(schema, &body),
            };
            checked.map_err(|e| Failure::Fail(format!("{method} {path} → {status}: {e}")))?;
        }
        Ok(Answer { status, body, content_type })
    }

    /// Uploads `len` bytes to `path` over a plain HTTP/1.1 connection of its
    /// own, reading the answer as soon as it comes: a server may refuse an
    /// oversized body from its `Content-Length` alone and close the
    /// connection while the rest is still being sent, which an ordinary
    /// client reports as a failed send instead of the answer.
    pub async fn early_answer(
        &self,
        schemas: &Schemas,
        path: &str,
        token: &str,
        headers: &[(&str, &str)],
        len: usize,
    ) -> Check<Answer> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let Some(authority) = self.base.strip_prefix("http://").map(|a| a.split('/').next().unwrap_or(a)) else {
            fail!("POST {path}: the suite speaks plain http:// only");
        };
        let mut stream = TcpStream::connect(authority)
            .await
            .map_err(|e| Failure::Fail(format!("POST {path}: connecting to {authority}: {e}")))?;
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\nContent-Length: {len}\r\nConnection: close\r\n"
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let (mut read, mut write) = stream.split();
        let mut answer = Vec::new();
        let send = async {
            write.write_all(head.as_bytes()).await?;
            let chunk = vec![b'a'; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let n = left.min(chunk.len());
                write.write_all(&chunk[..n]).await?;
                left -= n;
            }
            Ok::<_, std::io::Error>(())
        };
        let receive = tokio::time::timeout(Duration::from_secs(30), read.read_to_end(&mut answer));
        // The answer may come before the body is sent (and the send then
        // fail): whatever the send does, the answer decides.
        let (_, received) = tokio::join!(send, receive);
        if received.is_err() {
            fail!("POST {path}: no answer within 30 s");
        }
        let text = String::from_utf8_lossy(&answer);
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            fail!("POST {path}: no HTTP answer (got {} bytes)", answer.len());
        };
        let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
        let body = if chunked { dechunk(body) } else { body.to_owned() };
        let body: Value = serde_json::from_str(&body).unwrap_or(Value::String(body));
        if status >= 400 {
            schemas.check("error", &body).map_err(|e| Failure::Fail(format!("POST {path} → {status}: {e}")))?;
        }
        Ok(Answer { status, body, content_type: None })
    }

    /// GETs `url` (absolute, or relative to the backend) as bytes: status,
    /// headers and body, for files.
    pub async fn bytes(&self, url: &str) -> Check<(u16, reqwest::header::HeaderMap, Vec<u8>)> {
        let url = if url.starts_with("http") { url.to_owned() } else { format!("{}{url}", self.base) };
        let response = self.client.get(&url).send().await.map_err(|e| Failure::Fail(format!("GET {url}: {e}")))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| Failure::Fail(format!("GET {url}: {e}")))?;
        Ok((status, headers, body.to_vec()))
    }
}

/// A visitor's socket. Every frame that arrives is checked against
/// `server-frame.json`; frames a wait passes over are kept for later waits,
/// since frames of different kinds interleave.
#[derive(Debug)]
pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    kept: VecDeque<Value>,
    /// How long a wait lasts before the case fails.
    pub timeout: Duration,
}

impl Socket {
    /// Opens `/api/v1/ws` without saying anything.
    pub async fn open(http: &Http, timeout: Duration) -> Check<Socket> {
        let url = format!("{}/api/v1/ws", http.base.replacen("http", "ws", 1));
        match tokio::time::timeout(timeout, tokio_tungstenite::connect_async(&url)).await {
            Ok(Ok((stream, _))) => Ok(Socket { stream, kept: VecDeque::new(), timeout }),
            Ok(Err(e)) => fail!("connecting to {url}: {e}"),
            Err(_) => fail!("connecting to {url}: no answer within {timeout:?}"),
        }
    }

    /// Opens the socket, says `hello` and expects `welcome`.
    pub async fn hello(http: &Http, schemas: &Schemas, token: &str, resume: Value, timeout: Duration) -> Check<Socket> {
        let mut socket = Socket::open(http, timeout).await?;
        socket.send(&json!({"type": "hello", "v": 1, "token": token, "resume": resume})).await?;
        let welcome = socket.next(schemas).await?;
        ensure!(
            welcome["type"] == "welcome" && welcome["v"] == 1,
            "after hello: expected welcome v1, got {}",
            short(&welcome)
        );
        Ok(socket)
    }

    /// Sends one frame.
    pub async fn send(&mut self, frame: &Value) -> Check {
        self.stream
            .send(WsMessage::text(frame.to_string()))
            .await
            .map_err(|e| Failure::Fail(format!("sending {}: {e}", short(frame))))
    }

    /// The next frame (kept ones first).
    pub async fn next(&mut self, schemas: &Schemas) -> Check<Value> {
        if let Some(frame) = self.kept.pop_front() {
            return Ok(frame);
        }
        self.read(schemas, self.timeout)
            .await?
            .ok_or_else(|| Failure::Fail(format!("no frame within {:?}", self.timeout)))
    }

    /// The first frame `matches` accepts, keeping the others; fails after
    /// the timeout naming `what`.
    pub async fn wait(&mut self, schemas: &Schemas, what: &str, matches: impl Fn(&Value) -> bool) -> Check<Value> {
        if let Some(i) = self.kept.iter().position(&matches) {
            return Ok(self.kept.remove(i).expect("a kept frame"));
        }
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.read(schemas, left).await? {
                Some(frame) if matches(&frame) => return Ok(frame),
                Some(frame) => self.kept.push_back(frame),
                None => {
                    let seen: Vec<String> = self.kept.iter().map(short).collect();
                    fail!("waited {:?} for {what}; got instead: [{}]", self.timeout, seen.join(", "))
                }
            }
        }
    }

    /// Fails if a frame `matches` accepts arrives within `quiet`.
    pub async fn expect_none(
        &mut self,
        schemas: &Schemas,
        what: &str,
        quiet: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Check {
        if let Some(frame) = self.kept.iter().find(|f| matches(f)) {
            fail!("expected no {what}, got {}", short(frame));
        }
        let deadline = tokio::time::Instant::now() + quiet;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.read(schemas, left).await? {
                Some(frame) if matches(&frame) => fail!("expected no {what}, got {}", short(&frame)),
                Some(frame) => self.kept.push_back(frame),
                None => return Ok(()),
            }
        }
    }

    /// Whether the server closes the socket within the timeout (frames
    /// before the close are kept).
    pub async fn closed_by_server(&mut self, schemas: &Schemas) -> Check<bool> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.stream.next()).await {
                Err(_) => return Ok(false),
                Ok(None | Some(Err(_)) | Some(Ok(WsMessage::Close(_)))) => return Ok(true),
                Ok(Some(Ok(WsMessage::Text(text)))) => {
                    let frame = parse_frame(schemas, &text)?;
                    self.kept.push_back(frame);
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// One frame read from the wire within `within`, or `None`.
    async fn read(&mut self, schemas: &Schemas, within: Duration) -> Check<Option<Value>> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.stream.next()).await {
                Err(_) => return Ok(None),
                Ok(None) | Ok(Some(Ok(WsMessage::Close(_)))) => {
                    let seen: Vec<String> = self.kept.iter().map(short).collect();
                    fail!("the server closed the socket (frames before: [{}])", seen.join(", "))
                }
                Ok(Some(Err(e))) => fail!("the socket failed: {e}"),
                Ok(Some(Ok(WsMessage::Text(text)))) => return parse_frame(schemas, &text).map(Some),
                Ok(Some(Ok(WsMessage::Binary(_)))) => {
                    fail!("the server sent a binary frame; the protocol has text frames")
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }
}

fn parse_frame(schemas: &Schemas, text: &str) -> Check<Value> {
    let frame: Value = serde_json::from_str(text)
        .map_err(|e| Failure::Fail(format!("a frame that is not JSON ({e}): {}", clip(text))))?;
    // A frame type this version does not know is allowed (and ignored by
    // the widget); every known one must match its schema.
    if KNOWN_FRAMES.contains(&frame["type"].as_str().unwrap_or_default()) {
        schemas.check("server-frame", &frame).map_err(|e| Failure::Fail(format!("frame {}: {e}", clip(text))))?;
    } else if !frame["type"].is_string() {
        fail!("a frame without a string `type`: {}", clip(text));
    }
    Ok(frame)
}

const KNOWN_FRAMES: &[&str] = &[
    "welcome",
    "message",
    "ack",
    "queue",
    "agent_joined",
    "transferred",
    "typing",
    "read",
    "closed",
    "queue_changed",
    "assigned",
    "ticket",
    "ticket_reply",
    "error",
    "pong",
];

/// A value in one short line, for failure messages.
pub fn short(value: &Value) -> String {
    clip(&value.to_string())
}

fn clip(text: &str) -> String {
    if text.chars().count() > 240 {
        format!("{}…", text.chars().take(240).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// A chunked HTTP/1.1 body, joined.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}
