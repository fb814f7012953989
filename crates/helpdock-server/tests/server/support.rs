//! A real server on port 0 per test, over SQLite (a fresh file) or, when
//! `HELPDOCK_TEST_POSTGRES_URL` is set, PostgreSQL (a fresh database), and
//! clients that speak to it over real HTTP and WebSocket.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use helpdock_core::protocol::{
    AgentRole, AgentSession, ClientFrame, ConversationSummary, ErrorBody, Identify, Resume, ServerFrame, Session,
    SessionRequest, StartConversation, TranscriptLine, TranscriptSpeaker,
};
use helpdock_server::config::Config;
use helpdock_server::Running;
use reqwest::{Method, StatusCode};
use sqlx::Connection;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Long enough for a loaded CI machine, short enough to fail fast.
pub const WAIT: Duration = Duration::from_secs(10);
pub const HOST_SECRET: &str = "test-host-secret";

pub struct TestServer {
    pub running: Running,
    pub url: String,
    pub http: reqwest::Client,
    _dir: Option<TempDir>,
}

pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn temp_dir() -> TempDir {
    let dir = std::env::temp_dir().join(helpdock_server::token::random_id("helpdock-test-"));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// A fresh database: a SQLite file, or a new PostgreSQL database.
async fn fresh_database() -> (String, Option<TempDir>) {
    match std::env::var("HELPDOCK_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
        Some(admin) => {
            let name = format!("hd_{}", helpdock_server::token::random_id("").to_lowercase().replace('-', "_"));
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to HELPDOCK_TEST_POSTGRES_URL");
            sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await.unwrap();
            let (base, _) = admin.rsplit_once('/').expect("a postgres URL with a database");
            (format!("{base}/{name}"), None)
        }
        None => {
            let dir = temp_dir();
            let path = dir.0.join("test.sqlite");
            (path.display().to_string(), Some(dir))
        }
    }
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::with(|_| {}).await
    }

    pub async fn with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        let (database, dir) = fresh_database().await;
        let mut config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            database,
            host_secret: Some(HOST_SECRET.into()),
            static_dir: std::path::PathBuf::from("/nonexistent"),
            ..Config::default()
        };
        config.queue.topics.insert("kyc-rejected".into(), "identity".into());
        config.limits.requests_per_minute = 100_000;
        config.limits.messages_per_minute = 10_000;
        tweak(&mut config);
        let running = helpdock_server::start(config).await.expect("the server starts");
        let url = running.url();
        TestServer { running, url, http: reqwest::Client::new(), _dir: dir }
    }

    pub fn db(&self) -> &helpdock_server::db::Db {
        &self.running.state.db
    }

    /// A request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, serde_json::Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            if text.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
            },
        )
    }

    /// Follows an address confirmation link as its reader does: the page
    /// (which confirms nothing), then its button.
    pub async fn confirm_address(&self, link: &str) {
        let page = self.http.get(link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = page.text().await.unwrap();
        assert!(page.contains("<form method=\"post\" action=\"/mail/confirm\">"), "{page}");
        let token = link.split("token=").nth(1).expect("the link carries its token");
        let done = self.http.post(format!("{}/mail/confirm", self.url)).form(&[("token", token)]).send().await.unwrap();
        assert_eq!(done.status(), StatusCode::OK);
        assert!(done.text().await.unwrap().contains("Address confirmed"));
    }

    /// Uploads `body` as a visitor's `name`: the status and the answer.
    pub async fn upload(
        &self,
        token: &str,
        name: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, serde_json::Value) {
        let response = self
            .http
            .post(format!("{}/api/v1/attachments", self.url))
            .bearer_auth(token)
            .header("content-type", "text/plain")
            .header("x-filename", name)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn session(&self, request: &SessionRequest) -> Result<Session, (StatusCode, ErrorBody)> {
        let (status, body) =
            self.call(Method::POST, "/api/v1/session", None, Some(serde_json::to_value(request).unwrap())).await;
        if status.is_success() {
            Ok(serde_json::from_value(body).unwrap())
        } else {
            Err((status, serde_json::from_value(body).unwrap()))
        }
    }

    pub async fn visitor(&self) -> Session {
        self.session(&SessionRequest { locale: Some("en".into()), ..Default::default() }).await.unwrap()
    }

    /// The host's signed-in user `user_id`, Li Wei <li@example.com>, with
    /// a `userHash` over the user id alone (name and e-mail as the browser
    /// says).
    pub async fn identified(&self, user_id: &str) -> Session {
        let user = Identify {
            user_id: user_id.into(),
            user_hash: helpdock_server::token::user_hash(HOST_SECRET, user_id),
            name: Some("Li Wei".into()),
            email: Some("li@example.com".into()),
        };
        self.session(&SessionRequest { user: Some(user), ..Default::default() }).await.unwrap()
    }

    /// The same user with a `userHash` over the user id, name and e-mail:
    /// the host vouches for the e-mail too.
    pub async fn identified_with_profile(&self, user_id: &str) -> Session {
        let message = helpdock_server::token::profile_message(user_id, Some("Li Wei"), Some("li@example.com")).unwrap();
        let user = Identify {
            user_id: user_id.into(),
            user_hash: helpdock_server::token::user_hash(HOST_SECRET, &message),
            name: Some("Li Wei".into()),
            email: Some("li@example.com".into()),
        };
        self.session(&SessionRequest { user: Some(user), ..Default::default() }).await.unwrap()
    }

    pub async fn start_conversation(&self, token: &str, client_id: &str, topic: &str) -> ConversationSummary {
        let request = StartConversation {
            client_id: client_id.into(),
            topic: Some(topic.into()),
            locale: Some("en".into()),
            transcript: vec![
                TranscriptLine { from: TranscriptSpeaker::User, text: "my USDT deposit has not arrived".into() },
                TranscriptLine { from: TranscriptSpeaker::Bot, text: "Started the form".into() },
            ],
            fields: vec![helpdock_core::protocol::Field {
                id: "txid".into(),
                label: "TxID".into(),
                value: "0x9f3c".into(),
            }],
            reason: Some("flow_complete".into()),
        };
        let (status, body) = self
            .call(Method::POST, "/api/v1/conversations", Some(token), Some(serde_json::to_value(&request).unwrap()))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// A visitor socket after `hello` and `welcome`.
    pub async fn visitor_socket(&self, token: &str, resume: Vec<Resume>) -> Ws {
        let url = format!("{}/api/v1/ws", self.url.replace("http://", "ws://"));
        let (stream, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut ws = Ws { stream };
        ws.send(&ClientFrame::Hello { v: 1, token: token.into(), resume }).await;
        match ws.recv().await {
            ServerFrame::Welcome { v: 1, .. } => ws,
            other => panic!("expected welcome, got {other:?}"),
        }
    }

    pub async fn add_agent(&self, email: &str, name: &str, role: AgentRole, topics: &[&str]) -> String {
        let password = "correct horse battery staple";
        let topics: Vec<String> = topics.iter().map(|t| t.to_string()).collect();
        helpdock_server::upsert_agent(self.db(), email, name, role, &topics, password).await.unwrap();
        password.into()
    }

    /// Three agents, signed in: Kim (agent, `kyc-rejected`), Pat (agent,
    /// `deposit-not-arrived`) and Bo (admin, whose topics do not matter).
    pub async fn kim_pat_and_bo(&self) -> (Agent, Agent, Agent) {
        let pw = self.add_agent("kyc@example.com", "Kim", AgentRole::Agent, &["kyc-rejected"]).await;
        self.add_agent("pay@example.com", "Pat", AgentRole::Agent, &["deposit-not-arrived"]).await;
        self.add_agent("boss@example.com", "Bo", AgentRole::Admin, &["nothing"]).await;
        let kim = self.login("kyc@example.com", &pw).await;
        let pat = self.login("pay@example.com", &pw).await;
        let bo = self.login("boss@example.com", &pw).await;
        (kim, pat, bo)
    }

    pub async fn login(&self, email: &str, password: &str) -> Agent {
        let response = self
            .http
            .post(format!("{}/console/api/login", self.url))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
        let cookie = cookie.split(';').next().unwrap().to_string();
        let session: AgentSession = response.json().await.unwrap();
        Agent { cookie, session, url: self.url.clone(), http: self.http.clone() }
    }
}

pub struct Agent {
    pub cookie: String,
    pub session: AgentSession,
    pub url: String,
    pub http: reqwest::Client,
}

impl Agent {
    pub fn id(&self) -> &str {
        &self.session.agent.id
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        csrf: bool,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, serde_json::Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.url)).header("cookie", &self.cookie);
        if csrf {
            request = request.header("x-csrf-token", &self.session.csrf_token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    /// The same agent, signed in, calling another server node.
    pub fn on(&self, url: &str) -> Agent {
        Agent { cookie: self.cookie.clone(), session: self.session.clone(), url: url.into(), http: self.http.clone() }
    }

    /// The console socket after `hello`, `welcome` and the first
    /// `queue_changed`.
    pub async fn socket(&self) -> Ws {
        self.socket_resuming(vec![]).await
    }

    /// The console socket after `hello` resuming conversations, `welcome`
    /// and the first `queue_changed` (the replay comes next).
    pub async fn socket_resuming(&self, resume: Vec<Resume>) -> Ws {
        let mut request =
            format!("{}/console/api/ws", self.url.replace("http://", "ws://")).into_client_request().unwrap();
        request.headers_mut().insert("cookie", self.cookie.parse().unwrap());
        request.headers_mut().insert("origin", self.url.parse().unwrap());
        let (stream, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let mut ws = Ws { stream };
        ws.send(&ClientFrame::Hello { v: 1, token: String::new(), resume }).await;
        assert!(matches!(ws.recv().await, ServerFrame::Welcome { .. }));
        assert!(matches!(ws.recv().await, ServerFrame::QueueChanged { .. }));
        ws
    }
}

pub struct Ws {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Ws {
    pub async fn send(&mut self, frame: &ClientFrame) {
        self.stream.send(WsMessage::Text(frame.to_json().into())).await.unwrap();
    }

    pub async fn send_text(&mut self, text: &str) {
        self.stream.send(WsMessage::Text(text.to_string().into())).await.unwrap();
    }

    /// The next protocol frame (transport pings skipped).
    pub async fn recv(&mut self) -> ServerFrame {
        loop {
            let next = tokio::time::timeout(WAIT, self.stream.next()).await.expect("a frame in time");
            match next.expect("the socket is open").expect("a frame") {
                WsMessage::Text(text) => return ServerFrame::from_json(&text).unwrap(),
                WsMessage::Close(_) => panic!("the socket closed"),
                _ => {}
            }
        }
    }

    /// Frames until one matches; the ones before are returned too.
    pub async fn recv_until(&mut self, mut want: impl FnMut(&ServerFrame) -> bool) -> (ServerFrame, Vec<ServerFrame>) {
        let mut before = Vec::new();
        loop {
            let frame = self.recv().await;
            if want(&frame) {
                return (frame, before);
            }
            before.push(frame);
        }
    }

    /// Nothing arrives for a moment (ping/pong proves the socket is alive
    /// and that nothing was queued before the pong).
    pub async fn nothing_pending(&mut self) -> Vec<ServerFrame> {
        self.send(&ClientFrame::Ping).await;
        let (_, before) = self.recv_until(|f| *f == ServerFrame::Pong).await;
        before
    }

    /// Whether the server closes the socket within `WAIT`.
    pub async fn closed_by_server(&mut self) -> bool {
        loop {
            match tokio::time::timeout(WAIT, self.stream.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(WsMessage::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }
}

/// The error frame's code, or a panic naming what came instead.
pub fn error_code(frame: &ServerFrame) -> helpdock_core::protocol::ErrorCode {
    match frame {
        ServerFrame::Error { error, .. } => error.code,
        other => panic!("expected an error frame, got {other:?}"),
    }
}

/// `python3 -m aiosmtpd` on a free loopback port, its output in a file.
pub struct SmtpSink {
    pub port: u16,
    child: std::process::Child,
    log: std::path::PathBuf,
    _dir: TempDir,
}

impl SmtpSink {
    /// Starts the sink on a free port. A port free when probed can be taken
    /// before aiosmtpd binds it (another test's connection gets it as its
    /// ephemeral port), so a sink that exits on start is retried elsewhere.
    pub async fn start() -> SmtpSink {
        for _ in 0..5 {
            if let Some(sink) = SmtpSink::try_start().await {
                return sink;
            }
        }
        panic!("aiosmtpd could not bind a port in five tries (see its errors above)");
    }

    async fn try_start() -> Option<SmtpSink> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = temp_dir();
        let log = dir.0.join("smtp.log");
        let python = std::env::var("HELPDOCK_TEST_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
        let mut child = std::process::Command::new(&python)
            .args([
                "-u",
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Debugging",
            ])
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{python} -m aiosmtpd (Debian package python3-aiosmtpd): {e}"));
        let started = std::time::Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            if child.try_wait().unwrap().is_some() {
                return None; // it could not bind: try another port
            }
            assert!(started.elapsed() < Duration::from_secs(30), "aiosmtpd did not start on port {port}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(SmtpSink { port, child, log, _dir: dir })
    }

    pub async fn wait_for(&self, text: &str) -> String {
        let started = std::time::Instant::now();
        loop {
            let content = self.log();
            if content.contains(text) && content.contains("END MESSAGE") {
                return content;
            }
            assert!(started.elapsed() < Duration::from_secs(15), "no mail arrived:\n{content}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The link of the newest confirmation request in the sink's log.
    pub async fn confirmation_link(&self) -> String {
        let log = self.wait_for("/mail/confirm?token=").await;
        let at = log.rfind("/mail/confirm?token=").unwrap();
        let start = log[..at].rfind("http://").expect("the link is absolute");
        let end = log[at..].find(|c: char| c.is_whitespace()).map_or(log.len(), |n| at + n);
        log[start..end].to_string()
    }

    /// Everything the sink received so far, quoted-printable soft line
    /// breaks joined and `=3D` read as `=` (as a mail program shows it).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default().replace("=\n", "").replace("=3D", "=")
    }

    /// A relay configuration pointing at this sink.
    pub fn config(&self) -> helpdock_server::config::SmtpConfig {
        helpdock_server::config::SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            from: "Helpdock <support@example.com>".into(),
            username: None,
            password: None,
            tls: helpdock_server::config::SmtpTls::None,
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
