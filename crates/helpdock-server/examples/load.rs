//! Load generator for the reference server.
//!
//! Opens `--visitors` visitor sockets and `--agents` console sockets on a
//! running server, speaking protocol v1 the way the widget and the console
//! do: each visitor starts a session and a conversation over HTTP, opens its
//! socket with `hello`, and is accepted by one of the agents (who signed in
//! with cookie + CSRF and opened the console socket). Then, for `--duration`
//! seconds, messages go out at `--rate` per second in all (a share of them
//! agents' replies), each with its own `clientId`, and every socket checks
//! what reaches it. The result is one line on standard output:
//!
//! ```text
//! sockets=10100 sent=120000 delivered=120000 lost=0 duplicated=0 p50_ms=1.92 p99_ms=9.87
//! ```
//!
//! - `sockets`: visitor and agent sockets open at the end (after the drain;
//!   a socket that was reopened counts once);
//! - `sent`: messages the generator sent (or tried to: one due on a socket
//!   the server had closed counts, and is lost);
//! - `delivered`: distinct messages that reached their intended recipient
//!   (the conversation's agent for a visitor's message, the visitor for an
//!   agent's), recognised by `clientId`;
//! - `lost`: sent and not delivered once in-flight messages had `--drain`
//!   seconds to arrive (refused ones included);
//! - `duplicated`: messages delivered more than once;
//! - `p50_ms`, `p99_ms`: from writing `send` to the `message` frame at the
//!   recipient, over all delivered messages.
//!
//! A socket the server closes (a node killed, a restart) is opened again as
//! the widget and the console do: with backoff, `hello` resuming each
//! conversation after the last `seq` it saw, and every message not yet
//! acknowledged sent again with the same `clientId` (the server stores it
//! once). `--kill-at` and `--restart-at` run a command at a second of the
//! timed phase (e.g. `scripts/cluster.sh kill 1`); the line then ends with
//! `storm_p99_ms`, over the messages sent from the kill until 10 s after the
//! restart, and `killed=1`.
//!
//! Progress and details (ack latency, errors, the server's CPU and memory
//! with `--server-pid`) go to standard error. The exit status is 0 when every
//! socket stayed open and every message was delivered exactly once, 1
//! otherwise, and 2 when the run could not be set up. `scripts/load.sh`
//! starts a server, runs this and stops it.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use helpdock_core::protocol::{
    AgentSession, AuthorKind, ClientFrame, ConversationSummary, ErrorBody, ErrorCode, Field, Login, Resume,
    ServerFrame, Session, SessionRequest, StartConversation, TranscriptLine, TranscriptSpeaker, VERSION,
};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::WebSocketStream;

/// The widget pings every 25 s; the server closes a socket silent for 60 s.
const PING_EVERY: Duration = Duration::from_secs(25);
/// A console socket may send 600 frames a minute (`socket.rs`); replies and
/// accepts above this pace would be refused.
const AGENT_FRAMES_PER_SEC: f64 = 10.0;
/// How long one visitor may take from session to `agent_joined`.
const SETUP_TIMEOUT: Duration = Duration::from_secs(120);
/// Visitors being set up at once.
const SETUP_IN_FLIGHT: usize = 64;

#[derive(Parser, Debug)]
#[command(about = "Opens visitor and agent sockets on a Helpdock server, exchanges messages at a set rate, and \
                   prints `sockets=N sent=N delivered=N lost=N duplicated=N p50_ms=X p99_ms=Y`.")]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Visitor sockets (one visitor and one conversation each).
    #[arg(long, default_value_t = 10_000)]
    visitors: usize,
    /// Agents, one console socket each; they must exist (`helpdock-server
    /// agent add`). Conversations are shared out among them in turn.
    #[arg(long, default_value_t = 100)]
    agents: usize,
    /// The agents' e-mails; `{}` is replaced by 1, 2, … `--agents`.
    #[arg(long, default_value = "load-agent-{}@example.com")]
    agent_email: String,
    /// The agents' password.
    #[arg(long)]
    agent_password: String,
    /// Messages per second, all sockets together.
    #[arg(long, default_value_t = 2000.0)]
    rate: f64,
    /// Length of the timed phase, in seconds.
    #[arg(long, default_value_t = 60.0)]
    duration: f64,
    /// The share of the messages that agents send (replies); visitors send
    /// the rest.
    #[arg(long, default_value_t = 0.25)]
    reply_share: f64,
    /// Visitors set up per second before the timed phase (sockets are
    /// opened gradually, not all at once).
    #[arg(long, default_value_t = 250.0)]
    connect_rate: f64,
    /// Seconds to wait after the timed phase for messages still in flight.
    #[arg(long, default_value_t = 10.0)]
    drain: f64,
    /// The server's process id: its CPU use and memory during the timed
    /// phase are reported (Linux `/proc`).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Seconds into the timed phase at which `--kill-command` runs.
    #[arg(long, requires = "kill_command")]
    kill_at: Option<f64>,
    /// A shell command that takes a server (node) down.
    #[arg(long)]
    kill_command: Option<String>,
    /// Seconds into the timed phase at which `--restart-command` runs.
    #[arg(long, requires = "restart_command")]
    restart_at: Option<f64>,
    /// A shell command that brings it back.
    #[arg(long)]
    restart_command: Option<String>,
}

/// What a socket task is asked to do.
enum Command {
    /// Send message `k` in this conversation.
    Send { k: usize, conversation: Arc<str> },
    /// Agent: take this visitor's conversation.
    Accept { conversation: String, visitor: u32 },
}

/// One visitor, ready: its conversation is active with an agent.
struct Visitor {
    index: u32,
    conversation: Arc<str>,
    agent: usize,
    commands: mpsc::UnboundedSender<Command>,
}

/// One signed-in agent with an open console socket.
struct Agent {
    commands: mpsc::UnboundedSender<Command>,
}

/// Which end of the conversations a socket is.
enum Side {
    /// Receives agents' messages in its one conversation.
    Visitor { index: u32 },
    /// Receives visitors' messages in the conversations it accepted.
    Agent { conversations: HashMap<String, u32>, accepting: HashSet<String> },
}

/// How a socket is opened again after the server closed it.
struct Reopen {
    target: Arc<Target>,
    /// The visitor's token (a visitor socket) or the console cookie (an agent's).
    credential: String,
    /// The loopback address an agent connects from.
    from: Option<IpAddr>,
    /// A visitor's conversation (`None`: an agent's socket).
    conversation: Option<Arc<str>>,
}

/// Every message's fate, shared by all socket tasks.
struct Ledger {
    base: Instant,
    /// Microseconds since `base` when message `k` was written, plus one (0:
    /// not yet).
    sent_at: Vec<AtomicU64>,
    /// The visitor whose conversation message `k` belongs to.
    visitor: Vec<AtomicU32>,
    /// How often message `k` reached its recipient.
    deliveries: Vec<AtomicU32>,
    reply_share: f64,
    sent: AtomicUsize,
    unwritable: AtomicUsize,
    delivered: AtomicUsize,
    duplicated: AtomicUsize,
    misdelivered: AtomicUsize,
    acked: AtomicUsize,
    refused: AtomicUsize,
    errors: AtomicUsize,
    open_sockets: AtomicUsize,
    disconnected_visitors: AtomicUsize,
    disconnected_agents: AtomicUsize,
    reopened: AtomicUsize,
    resent: AtomicUsize,
    delivery_us: Mutex<Vec<u32>>,
    /// (when sent, µs since `base`; latency, µs) of every delivered message.
    deliveries_at: Mutex<Vec<(u64, u32)>>,
    ack_us: Mutex<Vec<u32>>,
    first_errors: Mutex<Vec<String>>,
}

impl Ledger {
    fn new(total: usize, reply_share: f64) -> Ledger {
        let atomics64 = || (0..total).map(|_| AtomicU64::new(0)).collect();
        let atomics32 = || (0..total).map(|_| AtomicU32::new(0)).collect();
        Ledger {
            base: Instant::now(),
            sent_at: atomics64(),
            visitor: atomics32(),
            deliveries: atomics32(),
            reply_share,
            sent: AtomicUsize::new(0),
            unwritable: AtomicUsize::new(0),
            delivered: AtomicUsize::new(0),
            duplicated: AtomicUsize::new(0),
            misdelivered: AtomicUsize::new(0),
            acked: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
            errors: AtomicUsize::new(0),
            open_sockets: AtomicUsize::new(0),
            disconnected_visitors: AtomicUsize::new(0),
            disconnected_agents: AtomicUsize::new(0),
            reopened: AtomicUsize::new(0),
            resent: AtomicUsize::new(0),
            delivery_us: Mutex::new(Vec::with_capacity(total)),
            deliveries_at: Mutex::new(Vec::with_capacity(total)),
            ack_us: Mutex::new(Vec::with_capacity(total)),
            first_errors: Mutex::new(Vec::new()),
        }
    }

    /// Whether message `k` is an agent's reply. The golden-ratio sequence
    /// spreads replies evenly over time *and* over every conversation
    /// (message `k` goes to visitor `k % visitors`, so a pattern with a
    /// period, such as every fourth, would pick the same visitors and
    /// agents each time).
    fn is_reply(&self, k: usize) -> bool {
        (k as f64 * 0.618_033_988_749_895).fract() < self.reply_share
    }

    fn now_us(&self) -> u64 {
        self.base.elapsed().as_micros() as u64
    }

    fn client_id(k: usize) -> String {
        format!("load-{k}")
    }

    fn parse_client_id(id: &str) -> Option<usize> {
        id.strip_prefix("load-")?.parse().ok()
    }

    /// Message `k` is about to be written.
    fn stamp(&self, k: usize) {
        self.sent_at[k].store(self.now_us() + 1, Ordering::Relaxed);
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    fn elapsed_since_sent(&self, k: usize) -> Option<u32> {
        let sent = self.sent_at.get(k)?.load(Ordering::Relaxed);
        (sent > 0).then(|| u32::try_from(self.now_us().saturating_sub(sent - 1)).unwrap_or(u32::MAX))
    }

    /// Message `k` arrived at a socket that expects it for `visitor`'s
    /// conversation.
    fn delivered(&self, k: usize, visitor: Option<u32>) {
        let Some(latency) = self.elapsed_since_sent(k) else { return };
        if visitor != Some(self.visitor[k].load(Ordering::Relaxed)) {
            self.misdelivered.fetch_add(1, Ordering::Relaxed);
            return;
        }
        match self.deliveries[k].fetch_add(1, Ordering::Relaxed) {
            0 => {
                self.delivered.fetch_add(1, Ordering::Relaxed);
                self.delivery_us.lock().unwrap().push(latency);
                let sent = self.sent_at[k].load(Ordering::Relaxed).saturating_sub(1);
                self.deliveries_at.lock().unwrap().push((sent, latency));
            }
            1 => {
                self.duplicated.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }

    fn acked(&self, k: usize) {
        if let Some(latency) = self.elapsed_since_sent(k) {
            self.acked.fetch_add(1, Ordering::Relaxed);
            self.ack_us.lock().unwrap().push(latency);
        }
    }

    fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_errors.lock().unwrap();
        if first.len() < 10 {
            first.push(what);
        }
    }
}

type Ws = WebSocketStream<TcpStream>;

/// Where to connect, and from which loopback address each agent signs in.
struct Target {
    base: String,
    addr: SocketAddr,
}

impl Target {
    async fn resolve(url: &str) -> Result<Target> {
        let base = url.trim_end_matches('/').to_string();
        let Some(host_port) = base.strip_prefix("http://") else {
            bail!("--url must be http://HOST:PORT (plain HTTP), not {url:?}");
        };
        let addr = tokio::net::lookup_host(host_port)
            .await
            .with_context(|| format!("resolving {host_port}"))?
            .next()
            .with_context(|| format!("{host_port} has no address"))?;
        Ok(Target { base, addr })
    }

    fn ws_url(&self, path: &str) -> String {
        format!("{}{path}", self.base.replacen("http://", "ws://", 1))
    }

    /// Console sign-in is limited to 10 a minute per IP address (a guard
    /// against password guessing), so on loopback each agent signs in from
    /// its own address, 127.1.x.y, as agents at their own desks would.
    fn agent_source(&self, j: usize) -> Option<IpAddr> {
        match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_loopback() => {
                Some(IpAddr::V4(Ipv4Addr::new(127, 1, (j / 200) as u8, (j % 200 + 1) as u8)))
            }
            _ => None,
        }
    }

    /// A WebSocket with small buffers (tungstenite's default 128 KiB read
    /// buffer per socket would make the generator, not the server, the
    /// memory hog), Nagle off as browsers have it.
    async fn connect(
        &self,
        request: tokio_tungstenite::tungstenite::handshake::client::Request,
        from: Option<IpAddr>,
    ) -> Result<Ws> {
        let socket = if self.addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
        if let Some(ip) = from {
            socket.bind(SocketAddr::new(ip, 0)).with_context(|| format!("binding {ip}"))?;
        }
        let stream = socket.connect(self.addr).await.with_context(|| format!("connecting to {}", self.addr))?;
        stream.set_nodelay(true)?;
        let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
        let (ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(config))
            .await
            .context("WebSocket handshake")?;
        Ok(ws)
    }
}

async fn send_frame(ws: &mut Ws, frame: &ClientFrame) -> Result<()> {
    ws.send(WsMessage::Text(frame.to_json().into())).await.context("socket write")
}

/// The next protocol frame, or `None` when the socket closed.
async fn next_frame(ws: &mut Ws) -> Option<ServerFrame> {
    loop {
        match ws.next().await? {
            Ok(WsMessage::Text(text)) => return ServerFrame::from_json(&text).ok(),
            Ok(WsMessage::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// A JSON request, retried while the server answers `rate_limited`.
async fn call<T: serde::de::DeserializeOwned>(
    make: impl Fn() -> reqwest::RequestBuilder,
    what: &str,
) -> Result<(T, reqwest::header::HeaderMap)> {
    for _ in 0..10 {
        let response = make().send().await.with_context(|| what.to_string())?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.with_context(|| what.to_string())?;
        if status.is_success() {
            let value = serde_json::from_str(&text).with_context(|| format!("{what}: reading {text:?}"))?;
            return Ok((value, headers));
        }
        let error: Option<ErrorBody> = serde_json::from_str(&text).ok();
        match error {
            Some(body) if body.error.code == ErrorCode::RateLimited => {
                let wait = body.error.retry_after_ms.unwrap_or(1000);
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            _ => bail!("{what}: HTTP {status}: {text}"),
        }
    }
    bail!("{what}: still rate limited after 10 tries")
}

async fn sign_in_agent(target: &Arc<Target>, j: usize, args: &Args, ledger: &Arc<Ledger>) -> Result<Agent> {
    let email = args.agent_email.replace("{}", &(j + 1).to_string());
    let from = target.agent_source(j);
    let http = reqwest::Client::builder().local_address(from).build()?;
    let login = Login { email: email.clone(), password: args.agent_password.clone() };
    let (session, headers): (AgentSession, _) =
        call(|| http.post(format!("{}/console/api/login", target.base)).json(&login), &format!("sign-in of {email}"))
            .await?;
    let cookie = headers
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("the sign-in set no cookie")?
        .to_string();
    // The console would send the CSRF token on HTTP changes; the load test
    // only uses the socket, which the cookie and Origin authenticate.
    let _ = session.csrf_token;
    let mut request = target.ws_url("/console/api/ws").into_client_request()?;
    request.headers_mut().insert("cookie", cookie.parse()?);
    request.headers_mut().insert("origin", target.base.parse()?);
    let mut ws = target.connect(request, from).await.with_context(|| format!("console socket of {email}"))?;
    send_frame(&mut ws, &ClientFrame::Hello { v: VERSION, token: String::new(), resume: vec![] }).await?;
    match next_frame(&mut ws).await {
        Some(ServerFrame::Welcome { .. }) => {}
        other => bail!("{email}: expected welcome, got {other:?}"),
    }
    let (tx, rx) = mpsc::unbounded_channel();
    ledger.open_sockets.fetch_add(1, Ordering::Relaxed);
    let side = Side::Agent { conversations: HashMap::new(), accepting: HashSet::new() };
    let reopen = Reopen { target: Arc::clone(target), credential: cookie, from, conversation: None };
    tokio::spawn(run_socket(ws, tx.downgrade(), rx, side, Arc::clone(ledger), j as u64, reopen));
    Ok(Agent { commands: tx })
}

async fn set_up_visitor(
    target: &Arc<Target>,
    http: &reqwest::Client,
    i: u32,
    agents: &[Agent],
    ledger: &Arc<Ledger>,
) -> Result<Visitor> {
    let base = &target.base;
    let request = SessionRequest { locale: Some("en".into()), ..Default::default() };
    let (session, _): (Session, _) =
        call(|| http.post(format!("{base}/api/v1/session")).json(&request), "POST /api/v1/session").await?;
    let start = StartConversation {
        client_id: format!("load-c-{i}"),
        topic: Some("deposit-not-arrived".into()),
        locale: Some("en".into()),
        transcript: vec![
            TranscriptLine { from: TranscriptSpeaker::User, text: "my USDT deposit has not arrived".into() },
            TranscriptLine { from: TranscriptSpeaker::Bot, text: "Started the form \"Deposit not arrived\"".into() },
        ],
        fields: vec![Field { id: "coin".into(), label: "Coin".into(), value: "USDT".into() }],
        reason: Some("flow_complete".into()),
    };
    let (conversation, _): (ConversationSummary, _) = call(
        || http.post(format!("{base}/api/v1/conversations")).bearer_auth(&session.visitor_token).json(&start),
        "POST /api/v1/conversations",
    )
    .await?;
    let mut ws = target.connect(target.ws_url("/api/v1/ws").into_client_request()?, None).await?;
    let resume = vec![Resume { conversation: conversation.id.clone(), after_seq: 0 }];
    let token = session.visitor_token;
    send_frame(&mut ws, &ClientFrame::Hello { v: VERSION, token: token.clone(), resume }).await?;
    let agent = i as usize % agents.len();
    let accept = Command::Accept { conversation: conversation.id.clone(), visitor: i };
    agents[agent].commands.send(accept).ok().context("the agent's socket has closed")?;
    let joined = async {
        loop {
            match next_frame(&mut ws).await {
                Some(ServerFrame::AgentJoined { conversation: c, .. }) if c == conversation.id => return Ok(()),
                Some(ServerFrame::Error { error, .. }) => bail!("visitor socket: {}", error.message),
                Some(_) => {}
                None => bail!("the visitor socket closed before an agent joined"),
            }
        }
    };
    tokio::time::timeout(SETUP_TIMEOUT, joined).await.context("no agent joined in time")??;
    let (tx, rx) = mpsc::unbounded_channel();
    ledger.open_sockets.fetch_add(1, Ordering::Relaxed);
    let conversation: Arc<str> = conversation.id.into();
    let reopen = Reopen {
        target: Arc::clone(target),
        credential: token,
        from: None,
        conversation: Some(Arc::clone(&conversation)),
    };
    let side = Side::Visitor { index: i };
    tokio::spawn(run_socket(ws, tx.downgrade(), rx, side, Arc::clone(ledger), u64::from(i), reopen));
    Ok(Visitor { index: i, conversation, agent, commands: tx })
}

/// One socket's life after set-up: writes what it is told, pings, checks
/// every frame that arrives, and opens the socket again when the server
/// closes it.
async fn run_socket(
    mut ws: Ws,
    me: mpsc::WeakUnboundedSender<Command>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    mut side: Side,
    ledger: Arc<Ledger>,
    seed: u64,
    reopen: Reopen,
) {
    // Pings spread over the interval instead of all at once.
    let phase = Duration::from_millis(seed.wrapping_mul(7919) % PING_EVERY.as_millis() as u64);
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + phase, PING_EVERY);
    // Messages written and not yet acknowledged, sent again on a new socket.
    let mut unacked: std::collections::BTreeMap<usize, ClientFrame> = std::collections::BTreeMap::new();
    // The seqs seen per conversation: a replay after a reconnect repeats
    // some, which a client shows once.
    let mut seen: HashMap<String, HashSet<u64>> = HashMap::new();
    loop {
        let open = tokio::select! {
            command = commands.recv() => {
                let Some(command) = command else { return };
                let frame = match command {
                    Command::Send { k, conversation } => {
                        let frame = ClientFrame::Send {
                            conversation: conversation.to_string(),
                            client_id: Ledger::client_id(k),
                            body: format!("Load message {k}: the deposit shows confirmed on the explorer, please check."),
                            attachments: vec![],
                        };
                        unacked.insert(k, frame.clone());
                        frame
                    }
                    Command::Accept { conversation, visitor } => {
                        if let Side::Agent { conversations, accepting } = &mut side {
                            conversations.insert(conversation.clone(), visitor);
                            accepting.insert(conversation.clone());
                        }
                        ClientFrame::Accept { conversation }
                    }
                };
                send_frame(&mut ws, &frame).await.is_ok()
            }
            _ = ping.tick() => send_frame(&mut ws, &ClientFrame::Ping).await.is_ok(),
            frame = next_frame(&mut ws) => match frame {
                Some(ServerFrame::Ack { client_id, .. }) => {
                    if let Some(k) = Ledger::parse_client_id(&client_id) {
                        unacked.remove(&k);
                        ledger.acked(k);
                    }
                    true
                }
                Some(ServerFrame::Message { message }) => {
                    if seen.entry(message.conversation.clone()).or_default().insert(message.seq) {
                        handle(ServerFrame::Message { message }, &mut side, &me, &ledger);
                    }
                    true
                }
                Some(frame) => {
                    handle(frame, &mut side, &me, &ledger);
                    true
                }
                None => false,
            },
        };
        if open {
            continue;
        }
        // The server closed the socket (or it failed): open it again, as
        // the widget and the console do.
        let closed = match side {
            Side::Visitor { .. } => &ledger.disconnected_visitors,
            Side::Agent { .. } => &ledger.disconnected_agents,
        };
        closed.fetch_add(1, Ordering::Relaxed);
        let conversations: Vec<String> = match &side {
            Side::Visitor { .. } => reopen.conversation.iter().map(|c| c.to_string()).collect(),
            Side::Agent { conversations, .. } => conversations.keys().cloned().collect(),
        };
        match reconnect(&reopen, &conversations, seed).await {
            Some(again) => {
                ws = again;
                ledger.reopened.fetch_add(1, Ordering::Relaxed);
                for frame in unacked.values() {
                    ledger.resent.fetch_add(1, Ordering::Relaxed);
                    if send_frame(&mut ws, frame).await.is_err() {
                        break;
                    }
                }
            }
            None => break,
        }
    }
    // Gone for good: what is still due on it counts as sent, and lost.
    ledger.open_sockets.fetch_sub(1, Ordering::Relaxed);
    while let Some(command) = commands.recv().await {
        if let Command::Send { .. } = command {
            ledger.unwritable.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Opens a closed socket again: backoff from 100 ms doubling to 2 s (with
/// jitter, so a node's sockets do not all come back at once), `hello`
/// resuming every conversation, until `welcome`; gives up after 2 minutes.
async fn reconnect(reopen: &Reopen, conversations: &[String], seed: u64) -> Option<Ws> {
    let gave_up = Instant::now() + Duration::from_secs(120);
    let mut backoff = Duration::from_millis(100);
    while Instant::now() < gave_up {
        let jitter = Duration::from_millis(seed.wrapping_mul(2_654_435_761) % (backoff.as_millis() as u64 / 2 + 1));
        tokio::time::sleep(backoff + jitter).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
        let resume = conversations.iter().map(|c| Resume { conversation: c.clone(), after_seq: 0 }).collect();
        let target = &reopen.target;
        let attempt = async {
            let (request, token) = if reopen.conversation.is_none() {
                let mut request = target.ws_url("/console/api/ws").into_client_request()?;
                request.headers_mut().insert("cookie", reopen.credential.parse()?);
                request.headers_mut().insert("origin", target.base.parse()?);
                (request, String::new())
            } else {
                (target.ws_url("/api/v1/ws").into_client_request()?, reopen.credential.clone())
            };
            let mut ws = target.connect(request, reopen.from).await?;
            send_frame(&mut ws, &ClientFrame::Hello { v: VERSION, token, resume }).await?;
            match tokio::time::timeout(Duration::from_secs(10), next_frame(&mut ws)).await {
                Ok(Some(ServerFrame::Welcome { .. })) => Ok(ws),
                other => bail!("expected welcome, got {other:?}"),
            }
        };
        if let Ok(ws) = attempt.await {
            return Some(ws);
        }
    }
    None
}

fn handle(frame: ServerFrame, side: &mut Side, me: &mpsc::WeakUnboundedSender<Command>, ledger: &Ledger) {
    match frame {
        // Acks are taken in `run_socket`, which resends what has none.
        ServerFrame::Message { message } => {
            let Some(k) = message.client_id.as_deref().and_then(Ledger::parse_client_id) else { return };
            // Each side also gets its own messages back (for other tabs);
            // only the other side's count as delivered here.
            match side {
                Side::Visitor { index } if message.author.kind == AuthorKind::Agent => {
                    ledger.delivered(k, Some(*index));
                }
                Side::Agent { conversations, .. } if message.author.kind == AuthorKind::Visitor => {
                    ledger.delivered(k, conversations.get(&message.conversation).copied());
                }
                _ => {}
            }
        }
        ServerFrame::Assigned { conversation } => {
            if let Side::Agent { accepting, .. } = side {
                accepting.remove(&conversation.id);
            }
        }
        ServerFrame::Error { error, client_id, conversation } => {
            let k = client_id.as_deref().and_then(Ledger::parse_client_id);
            if k.is_some() {
                ledger.refused.fetch_add(1, Ordering::Relaxed);
            }
            // An accept refused for its pace is tried again when allowed,
            // as a person would click again.
            if let (Side::Agent { conversations, accepting }, Some(c), ErrorCode::RateLimited) =
                (&mut *side, &conversation, error.code)
            {
                if accepting.contains(c) {
                    let retry = Command::Accept { conversation: c.clone(), visitor: conversations[c] };
                    let wait = Duration::from_millis(error.retry_after_ms.unwrap_or(1000));
                    let me = me.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(wait).await;
                        if let Some(me) = me.upgrade() {
                            let _ = me.send(retry);
                        }
                    });
                }
            }
            ledger.error(format!(
                "{:?} {}{}",
                error.code,
                error.message,
                k.map(|k| format!(" (message {k})")).unwrap_or_default()
            ));
        }
        _ => {}
    }
}

/// CPU time (user + system, in clock ticks of 1/100 s) and resident memory
/// of a process, from `/proc`.
#[derive(Debug, Clone, Copy)]
struct Usage {
    ticks: u64,
    rss_kb: u64,
    peak_rss_kb: u64,
    at: Instant,
}

fn usage(pid: &str) -> Option<Usage> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may
    // contain spaces: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.split_whitespace().next()?.parse().ok())
    };
    Some(Usage { ticks, rss_kb: kb("VmRSS:")?, peak_rss_kb: kb("VmHWM:")?, at: Instant::now() })
}

fn cpu_percent(before: Usage, after: Usage) -> f64 {
    let secs = after.at.duration_since(before.at).as_secs_f64().max(1e-9);
    (after.ticks.saturating_sub(before.ticks)) as f64 / 100.0 / secs * 100.0
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile_ms(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1]) / 1000.0
}

fn check(args: &Args) -> Result<()> {
    if args.visitors == 0 || args.agents == 0 {
        bail!("--visitors and --agents must be at least 1");
    }
    if !(args.rate > 0.0 && args.duration > 0.0 && args.connect_rate > 0.0) {
        bail!("--rate, --duration and --connect-rate must be positive");
    }
    if !(0.0..=1.0).contains(&args.reply_share) {
        bail!("--reply-share must be between 0 and 1");
    }
    let per_agent = args.rate * args.reply_share / args.agents as f64;
    if per_agent > AGENT_FRAMES_PER_SEC * 0.8 {
        bail!(
            "{per_agent:.1} replies/s per agent: a console socket may send {AGENT_FRAMES_PER_SEC} frames/s; \
             use more --agents or a smaller --reply-share"
        );
    }
    let per_visitor = args.rate * (1.0 - args.reply_share) / args.visitors as f64;
    if per_visitor > AGENT_FRAMES_PER_SEC * 0.8 {
        bail!("{per_visitor:.1} messages/s per visitor is above a socket's 10 frames/s; use more --visitors");
    }
    if args.visitors.div_ceil(args.agents) > 500 {
        bail!("over 500 conversations per agent: their accepts would outrun the console socket's frame limit");
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    match run(args).await {
        Ok(clean) => std::process::exit(if clean { 0 } else { 1 }),
        Err(e) => {
            eprintln!("load: {e:#}");
            std::process::exit(2);
        }
    }
}

async fn run(args: Args) -> Result<bool> {
    check(&args)?;
    let target = Arc::new(Target::resolve(&args.url).await?);
    let total = (args.rate * args.duration).round() as usize;
    let ledger = Arc::new(Ledger::new(total, args.reply_share));

    eprintln!("load: signing in {} agents", args.agents);
    let mut agents = Vec::with_capacity(args.agents);
    for chunk in (0..args.agents).collect::<Vec<_>>().chunks(8) {
        let signed_in =
            futures_util::future::join_all(chunk.iter().map(|&j| sign_in_agent(&target, j, &args, &ledger)));
        for agent in signed_in.await {
            agents.push(agent?);
        }
    }
    let agents = Arc::new(agents);
    let server_rss = || args.server_pid.and_then(|pid| usage(&pid.to_string())).map_or(0, |u| u.rss_kb / 1024);
    if args.server_pid.is_some() {
        eprintln!("load: server rss {} MB with the agents signed in", server_rss());
    }

    eprintln!("load: setting up {} visitors, {}/s", args.visitors, args.connect_rate);
    let ramp_started = Instant::now();
    let http = reqwest::Client::builder().pool_max_idle_per_host(SETUP_IN_FLIGHT).build()?;
    let in_flight = Arc::new(Semaphore::new(SETUP_IN_FLIGHT));
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<Result<Visitor>>();
    let pace = Duration::from_secs_f64(1.0 / args.connect_rate);
    let visitors = args.visitors;
    tokio::spawn({
        let (target, agents, ledger) = (Arc::clone(&target), Arc::clone(&agents), Arc::clone(&ledger));
        async move {
            let mut tick = tokio::time::interval(pace);
            for i in 0..visitors as u32 {
                tick.tick().await;
                let permit = Arc::clone(&in_flight).acquire_owned().await.expect("never closed");
                let (target, http, agents, ledger, ready) =
                    (Arc::clone(&target), http.clone(), Arc::clone(&agents), Arc::clone(&ledger), ready_tx.clone());
                tokio::spawn(async move {
                    let visitor = set_up_visitor(&target, &http, i, &agents, &ledger).await;
                    drop(permit);
                    let _ = ready.send(visitor.with_context(|| format!("visitor {i}")));
                });
            }
        }
    });
    let mut ready = Vec::with_capacity(visitors);
    let mut failed = 0;
    let mut report = Instant::now();
    while ready.len() + failed < visitors {
        match ready_rx.recv().await {
            Some(Ok(visitor)) => ready.push(visitor),
            Some(Err(e)) => {
                failed += 1;
                if failed <= 5 {
                    eprintln!("load: {e:#}");
                }
            }
            None => break,
        }
        if report.elapsed() >= Duration::from_secs(5) {
            report = Instant::now();
            eprintln!(
                "load: {} visitors ready, {failed} failed, {:.0} s",
                ready.len(),
                ramp_started.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!(
        "load: {} visitors and {} agents connected in {:.1} s ({failed} visitors failed)",
        ready.len(),
        agents.len(),
        ramp_started.elapsed().as_secs_f64()
    );
    if ready.is_empty() {
        bail!("no visitor could be set up");
    }
    // Messages go to visitors in a fixed order so each conversation gets
    // its share evenly.
    ready.sort_by_key(|v| v.index);

    let server_before = args.server_pid.and_then(|pid| usage(&pid.to_string()));
    if let Some(before) = server_before {
        eprintln!("load: server rss {} MB with every socket open", before.rss_kb / 1024);
    }
    let self_before = usage("self");
    eprintln!("load: sending {total} messages over {} s ({} msg/s)", args.duration, args.rate);
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    let mut next = 0;
    let mut report = Instant::now();
    let mut events: Vec<(f64, &str, String)> = [
        args.kill_at.zip(args.kill_command.clone()).map(|(at, c)| (at, "kill", c)),
        args.restart_at.zip(args.restart_command.clone()).map(|(at, c)| (at, "restart", c)),
    ]
    .into_iter()
    .flatten()
    .collect();
    events.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut events = events.into_iter().peekable();
    let mut killed = 0;
    let mut ran = Vec::new();
    while next < total {
        tick.tick().await;
        if let Some((_, what, command)) = events.next_if(|(at, ..)| started.elapsed().as_secs_f64() >= *at) {
            eprintln!("load: {:.1} s: {what}: {command}", started.elapsed().as_secs_f64());
            if what == "kill" {
                killed += 1;
            }
            // Off the sending loop: a restart waits for the node to answer.
            ran.push(tokio::task::spawn_blocking(move || {
                let status = std::process::Command::new("sh").arg("-c").arg(&command).status();
                (command, status)
            }));
        }
        let due = ((started.elapsed().as_secs_f64() * args.rate) as usize).min(total);
        for k in next..due {
            let visitor = &ready[k % ready.len()];
            ledger.visitor[k].store(visitor.index, Ordering::Relaxed);
            // Stamped when due: a message that waits for a socket to come
            // back counts the wait, as a user typing during an outage would.
            ledger.stamp(k);
            let command = Command::Send { k, conversation: Arc::clone(&visitor.conversation) };
            let to = if ledger.is_reply(k) { &agents[visitor.agent].commands } else { &visitor.commands };
            if to.send(command).is_err() {
                ledger.unwritable.fetch_add(1, Ordering::Relaxed);
            }
        }
        next = due;
        if report.elapsed() >= Duration::from_secs(5) {
            report = Instant::now();
            eprintln!(
                "load: {:.0} s: sent {} delivered {} acked {} errors {} sockets {}",
                started.elapsed().as_secs_f64(),
                ledger.sent.load(Ordering::Relaxed),
                ledger.delivered.load(Ordering::Relaxed),
                ledger.acked.load(Ordering::Relaxed),
                ledger.errors.load(Ordering::Relaxed),
                ledger.open_sockets.load(Ordering::Relaxed),
            );
        }
    }
    let timed = started.elapsed();
    for command in ran {
        match command.await {
            Ok((_, Ok(status))) if status.success() => {}
            Ok((command, status)) => bail!("the command {command:?} failed: {status:?}"),
            Err(e) => bail!("a command did not finish: {e}"),
        }
    }
    let server_after = args.server_pid.and_then(|pid| usage(&pid.to_string()));
    let self_after = usage("self");

    // Let what is in flight arrive.
    let drain_until = Instant::now() + Duration::from_secs_f64(args.drain);
    while Instant::now() < drain_until
        && ledger.delivered.load(Ordering::Relaxed) + ledger.refused.load(Ordering::Relaxed)
            < ledger.sent.load(Ordering::Relaxed)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Duplicates would come right behind the first copy; give them a moment.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let sockets = ledger.open_sockets.load(Ordering::Relaxed);
    let sent = ledger.sent.load(Ordering::Relaxed);
    let delivered = ledger.delivered.load(Ordering::Relaxed);
    let duplicated = ledger.duplicated.load(Ordering::Relaxed);
    let lost = sent.saturating_sub(delivered);
    let mut latencies = std::mem::take(&mut *ledger.delivery_us.lock().unwrap());
    latencies.sort_unstable();
    let mut acks = std::mem::take(&mut *ledger.ack_us.lock().unwrap());
    acks.sort_unstable();

    for e in ledger.first_errors.lock().unwrap().iter() {
        eprintln!("load: error frame: {e}");
    }
    eprintln!(
        "load: timed phase {:.1} s; acked {} (p50 {:.2} ms, p99 {:.2} ms); delivery max {:.2} ms; refused {}, \
         error frames {}, misdelivered {}, unwritable {}; sockets the server closed: {} visitor, {} agent",
        timed.as_secs_f64(),
        ledger.acked.load(Ordering::Relaxed),
        percentile_ms(&acks, 0.50),
        percentile_ms(&acks, 0.99),
        percentile_ms(&latencies, 1.0),
        ledger.refused.load(Ordering::Relaxed),
        ledger.errors.load(Ordering::Relaxed),
        ledger.misdelivered.load(Ordering::Relaxed),
        ledger.unwritable.load(Ordering::Relaxed),
        ledger.disconnected_visitors.load(Ordering::Relaxed),
        ledger.disconnected_agents.load(Ordering::Relaxed),
    );
    if let (Some(before), Some(after)) = (server_before, server_after) {
        eprintln!(
            "load: server pid {}: cpu {:.0}% of one core during the timed phase, rss {} MB (peak {} MB)",
            args.server_pid.unwrap_or_default(),
            cpu_percent(before, after),
            after.rss_kb / 1024,
            after.peak_rss_kb / 1024
        );
    }
    if let (Some(before), Some(after)) = (self_before, self_after) {
        eprintln!("load: generator: cpu {:.0}% of one core during the timed phase", cpu_percent(before, after));
    }
    eprintln!(
        "load: sockets opened again {}, messages sent again {}",
        ledger.reopened.load(Ordering::Relaxed),
        ledger.resent.load(Ordering::Relaxed)
    );
    // The reconnect storm: messages due from the kill until 10 s after the
    // restart (or the end).
    let storm = args.kill_at.map(|from| {
        let base = started.duration_since(ledger.base).as_micros() as u64;
        let from = base + (from * 1e6) as u64;
        let to = base + (args.restart_at.map_or(args.duration, |r| r + 10.0) * 1e6) as u64;
        let mut during: Vec<u32> = ledger
            .deliveries_at
            .lock()
            .unwrap()
            .iter()
            .filter(|(sent, _)| (from..to).contains(sent))
            .map(|&(_, latency)| latency)
            .collect();
        during.sort_unstable();
        format!(" storm_p99_ms={:.2} killed={killed}", percentile_ms(&during, 0.99))
    });
    println!(
        "sockets={sockets} sent={sent} delivered={delivered} lost={lost} duplicated={duplicated} p50_ms={:.2} p99_ms={:.2}{}",
        percentile_ms(&latencies, 0.50),
        percentile_ms(&latencies, 0.99),
        storm.unwrap_or_default()
    );
    Ok(sockets == args.visitors + args.agents && lost == 0 && duplicated == 0)
}
