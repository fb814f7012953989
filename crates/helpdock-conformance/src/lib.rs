//! Helpdock's protocol v1 conformance suite: checks, black-box over HTTP and
//! WebSocket, that a backend keeps every visitor-side rule the widget relies
//! on (docs/protocol.md), with every answer and frame validated against the
//! JSON Schemas in `docs/protocol/`. The agent's side of a conversation is
//! played by an *agent driver* ([`driver`], docs/conformance.md), since how
//! agents work is each backend's own business; the reference server's
//! driver is [`reference_agent`].
//!
//! ```no_run
//! # async fn example() {
//! let options = helpdock_conformance::Options::new("http://127.0.0.1:8080");
//! let results = helpdock_conformance::run(&options, &mut |r| println!("{r}")).await;
//! assert!(results.iter().all(|r| !r.failed()));
//! # }
//! ```

#![warn(missing_docs)]

pub mod cases;
pub mod client;
pub mod driver;
pub mod reference_agent;
pub mod schema;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::Mutex;

use client::{Answer, Check, Failure, Http, Socket};
use driver::Driver;
use schema::Schemas;

/// What to check and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The backend's base URL (`http://host:port`); the API is under
    /// `/api/v1`.
    pub backend: String,
    /// The agent driver's command line, run through `sh -c`; without one,
    /// the cases that need an agent are skipped.
    pub agent_driver: Option<String>,
    /// The secret the backend shares with its host, to sign a user id as a
    /// host's server does; without it the signed-in cases are skipped.
    pub host_secret: Option<String>,
    /// Only the cases whose name contains one of these.
    pub only: Vec<String>,
    /// How long to wait for a frame or an answer before failing.
    pub timeout: Duration,
}

impl Options {
    /// Every case against `backend`, no driver, no secret, 10 s waits.
    pub fn new(backend: &str) -> Options {
        Options {
            backend: backend.to_owned(),
            agent_driver: None,
            host_secret: None,
            only: Vec::new(),
            timeout: Duration::from_secs(10),
        }
    }
}

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The case's name (`area.rule`).
    pub name: &'static str,
    /// `None` when it passed.
    pub failure: Option<Failure>,
}

impl CaseResult {
    /// Whether the backend broke the case's rule.
    pub fn failed(&self) -> bool {
        matches!(self.failure, Some(Failure::Fail(_)))
    }
}

impl fmt::Display for CaseResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            None => write!(f, "pass  {}", self.name),
            Some(Failure::Fail(why)) => write!(f, "FAIL  {}: {why}", self.name),
            Some(Failure::Skip(why)) => write!(f, "skip  {}: {why}", self.name),
        }
    }
}

/// The closing line: `N passed, N failed, N skipped`.
pub fn summary(results: &[CaseResult]) -> String {
    let failed = results.iter().filter(|r| r.failed()).count();
    let skipped = results.iter().filter(|r| matches!(r.failure, Some(Failure::Skip(_)))).count();
    let passed = results.len() - failed - skipped;
    format!("{passed} passed, {failed} failed, {skipped} skipped")
}

/// Runs the cases `options` selects, one after another, reporting each to
/// `report` as it ends.
pub async fn run(options: &Options, report: &mut dyn FnMut(&CaseResult)) -> Vec<CaseResult> {
    let selected: Vec<&cases::Case> = cases::ALL
        .iter()
        .filter(|c| options.only.is_empty() || options.only.iter().any(|o| c.name.contains(o.as_str())))
        .collect();
    let needs_agent = selected.iter().any(|c| c.agent);
    let (driver, driver_problem) = match (&options.agent_driver, needs_agent) {
        (Some(command), true) => match Driver::start(command).await {
            Ok(d) => (Some(d), None),
            Err(e) => (None, Some(Failure::Fail(e))),
        },
        _ => (None, Some(Failure::Skip("needs an agent (--agent-driver)".into()))),
    };
    let ctx = Ctx {
        options: options.clone(),
        http: Http::new(&options.backend),
        schemas: Schemas::new(),
        driver: Mutex::new(driver),
        counter: AtomicU64::new(0),
        run: format!(
            "{:x}",
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos()
        ),
    };
    let mut results = Vec::new();
    for case in selected {
        let failure = if case.agent && ctx.driver.lock().await.is_none() {
            driver_problem.clone()
        } else {
            match tokio::time::timeout(options.timeout * 6, (case.run)(&ctx)).await {
                Ok(Ok(())) => None,
                Ok(Err(f)) => Some(f),
                Err(_) => Some(Failure::Fail(format!("did not finish within {:?}", options.timeout * 6))),
            }
        };
        let result = CaseResult { name: case.name, failure };
        report(&result);
        results.push(result);
    }
    if let Some(driver) = ctx.driver.into_inner() {
        driver.stop().await;
    }
    results
}

/// What every case gets: the backend, the schemas and the agent.
#[derive(Debug)]
pub struct Ctx {
    /// The run's options.
    pub options: Options,
    /// The backend's HTTP API.
    pub http: Http,
    /// The protocol's schemas.
    pub schemas: Schemas,
    driver: Mutex<Option<Driver>>,
    counter: AtomicU64,
    run: String,
}

/// A visitor the suite made: its id and token.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// `visitorId`.
    pub id: String,
    /// `visitorToken`.
    pub token: String,
    /// The whole session answer.
    pub session: Value,
}

impl Ctx {
    /// An id unique to this run, for `clientId`s and user ids.
    pub fn unique(&self, prefix: &str) -> String {
        format!("{prefix}-{}-{}", self.run, self.counter.fetch_add(1, Ordering::Relaxed))
    }

    /// `method /api/v1{path}` (see [`Http::call`]).
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        schema: Option<&str>,
    ) -> Check<Answer> {
        self.http.call(&self.schemas, method, &format!("/api/v1{path}"), token, body, schema).await
    }

    /// A new anonymous visitor.
    pub async fn visitor(&self) -> Check<Visitor> {
        let answer = self.api("POST", "/session", None, Some(json!({"locale": "en"})), Some("session")).await?;
        answer.expect("POST /session", 200, None)?;
        Ok(Visitor {
            id: answer.body["visitorId"].as_str().unwrap_or_default().to_owned(),
            token: answer.body["visitorToken"].as_str().unwrap_or_default().to_owned(),
            session: answer.body,
        })
    }

    /// `userHash` for `user_id`, as the host's server computes it.
    pub fn user_hash(&self, user_id: &str) -> Check<String> {
        let Some(secret) = &self.options.host_secret else {
            return Err(Failure::Skip("needs the host secret (--host-secret)".into()));
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
        mac.update(user_id.as_bytes());
        Ok(mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Hands a bot conversation to people, as the widget does.
    pub async fn start_conversation(&self, visitor: &Visitor, topic: &str) -> Check<Value> {
        let request = json!({
            "clientId": self.unique("c"),
            "topic": topic,
            "locale": "en",
            "reason": "asked_for_human",
            "transcript": [{"from": "user", "text": "my deposit has not arrived"},
                           {"from": "bot", "text": "Let me find someone for you."}],
            "fields": [{"id": "coin", "label": "Coin", "value": "USDT"}],
        });
        let answer = self
            .api("POST", "/conversations", Some(&visitor.token), Some(request), Some("conversation-summary"))
            .await?;
        answer.expect("POST /conversations", 200, None)?;
        Ok(answer.body)
    }

    /// A visitor's socket after `hello` and `welcome`.
    pub async fn socket(&self, visitor: &Visitor, resume: Value) -> Check<Socket> {
        Socket::hello(&self.http, &self.schemas, &visitor.token, resume, self.options.timeout).await
    }

    /// Sends `body` on `socket` and returns its `ack`.
    pub async fn send(&self, socket: &mut Socket, conversation: &str, body: &str) -> Check<Value> {
        let client_id = self.unique("m");
        socket
            .send(&json!({"type": "send", "conversation": conversation, "clientId": client_id, "body": body}))
            .await?;
        let frame = socket
            .wait(&self.schemas, &format!("the ack of {client_id}"), |f| {
                f["clientId"] == client_id.as_str() && (f["type"] == "ack" || f["type"] == "error")
            })
            .await?;
        ensure!(frame["type"] == "ack", "sending a plain message: expected an ack, got {}", client::short(&frame));
        Ok(frame)
    }

    /// Asks the agent driver; the case is skipped when there is none.
    pub async fn agent(&self, request: Value) -> Check<Value> {
        let mut driver = self.driver.lock().await;
        let Some(driver) = driver.as_mut() else {
            return Err(Failure::Skip("needs an agent (--agent-driver)".into()));
        };
        let mut request = request;
        request["timeoutMs"] = json!(self.options.timeout.as_millis() as u64);
        driver.ask(request, self.options.timeout).await
    }
}
