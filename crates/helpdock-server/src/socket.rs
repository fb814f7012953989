//! One socket's conversation with the server, visitor's or agent's.
//!
//! [`run`] is the whole conversation with one socket and is generic over a
//! `Sink` of text frames and a `Stream` of [`Inbound`] events: it knows no
//! web framework, so tests drive it with plain channels, and the web layer
//! (`http::ws`) only authenticates the upgrade and adapts its socket.

use std::collections::HashMap;
use std::fmt::Display;
use std::time::Duration;

use futures_util::{future, Sink, SinkExt, Stream, StreamExt};
use helpdock_core::protocol::{ClientFrame, ErrorCode, Resume, ServerFrame, VERSION};

use crate::access::{self, Actor};
use crate::chat;
use crate::db::{AgentRow, VisitorRow};
use crate::error::AppError;
use crate::hub::{Channel, Subscription};
use crate::rate::RateLimiter;
use crate::state::AppState;
use crate::token::sha256_hex;

/// Frames one socket may send per minute (typing and read included).
const FRAMES_PER_MINUTE: u32 = 600;
/// Conversations one `hello` may resume.
const MAX_RESUME: usize = 100;
/// What arrives from a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// A text frame.
    Text(String),
    /// A binary frame (not part of the protocol).
    Binary,
    /// A transport-level ping or pong: proof of life.
    Alive,
    /// The peer closed, or the connection failed.
    Close,
}

/// Who opened the socket, as far as the upgrade could tell.
#[derive(Debug, Clone)]
pub enum Peer {
    /// A visitor, who identifies with the token in `hello`.
    Visitor,
    /// An agent, authenticated by the console session cookie.
    Agent {
        /// Who.
        agent: AgentRow,
        /// The session's hash: checked again at each ping, so an agent
        /// signed out, disabled or given a new password since the socket
        /// opened is cut off within one ping interval.
        session: String,
    },
}

enum Who {
    Visitor(VisitorRow),
    Agent(AgentRow),
}

impl Who {
    fn actor(&self) -> Actor<'_> {
        match self {
            Who::Visitor(v) => Actor::Visitor(v),
            Who::Agent(a) => Actor::Agent(a),
        }
    }
}

struct Connection {
    state: AppState,
    peer: Peer,
    who: Option<Who>,
    subscription: Option<Subscription>,
    /// The highest seq replayed per conversation, so a live copy of a
    /// replayed message is not sent twice.
    replayed: HashMap<String, u64>,
    frames: RateLimiter,
}

/// What handling one frame asks of the loop.
enum Next {
    Continue,
    Close,
}

/// Frames waiting to be written to one socket; a writer this far behind
/// holds up the socket's reading and forwarding, and then the hub drops
/// it (the client resumes from its last seq).
const WRITE_BACKLOG: usize = 256;

/// What the socket's writer is given.
enum Out {
    /// A frame's JSON.
    Frame(String),
    /// Everything before has been written: close the socket.
    Close,
}

/// Serves one socket until it closes, fails, falls silent for the idle
/// timeout, or cannot keep up with its frames.
///
/// Three parts run concurrently in the socket's task: the reader handles
/// one inbound frame at a time (in order: a message is stored before the
/// next is read), the forwarder passes on what the hub publishes, and the
/// writer writes both. So a frame that waits on the store (a `send` while
/// the database is slow) does not hold up what the socket is sent: an
/// agent keeps receiving while their own reply is being stored.
pub async fn run<S, R>(state: AppState, peer: Peer, mut sink: S, mut stream: R)
where
    S: Sink<String> + Unpin,
    S::Error: Display,
    R: Stream<Item = Inbound> + Unpin,
{
    let limits = &state.config.limits;
    let idle = Duration::from_secs(u64::from(limits.idle_timeout_secs));
    let hello_within = Duration::from_secs(u64::from(limits.hello_timeout_secs));
    let write_within = Duration::from_secs(u64::from(limits.write_timeout_secs));
    let (writes, mut to_write) = tokio::sync::mpsc::channel::<Out>(WRITE_BACKLOG);
    let (subscribed, on_subscribed) = tokio::sync::oneshot::channel::<(Subscription, HashMap<String, u64>)>();

    let writer = async move {
        while let Some(out) = to_write.recv().await {
            let text = match out {
                Out::Frame(text) => text,
                Out::Close => break,
            };
            // A client that stops reading cannot pin this task: the write
            // gives up, and the client resumes from its last seq.
            match tokio::time::timeout(write_within, sink.send(text)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "socket write failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!("socket write timed out");
                    return;
                }
            }
        }
        let _ = sink.close().await;
    };

    let (forwards, closer) = (writes.clone(), writes.clone());
    let forwarder = async move {
        // Nothing to forward before `hello` (and its replay) are done.
        let Ok((mut subscription, replayed)) = on_subscribed.await else {
            return future::pending().await;
        };
        while let Some(frame) = subscription.frames.recv().await {
            if is_new(&replayed, &frame) && forwards.send(Out::Frame(frame.to_json())).await.is_err() {
                return;
            }
        }
        // The hub dropped a subscriber that fell behind: close, and the
        // client resumes from its last seq.
    };

    let reader = async move {
        let mut conn = Connection {
            state,
            peer,
            who: None,
            subscription: None,
            replayed: HashMap::new(),
            frames: RateLimiter::new(FRAMES_PER_MINUTE),
        };
        let mut subscribed = Some(subscribed);
        let deadline = tokio::time::sleep(idle);
        tokio::pin!(deadline);
        let hello_deadline = tokio::time::sleep(hello_within);
        tokio::pin!(hello_deadline);
        loop {
            let mut out = Vec::new();
            let next = tokio::select! {
                inbound = stream.next() => {
                    deadline.as_mut().reset(tokio::time::Instant::now() + idle);
                    match inbound {
                        None | Some(Inbound::Close) => Next::Close,
                        Some(Inbound::Alive) => Next::Continue,
                        Some(Inbound::Binary) => {
                            out.push(ServerFrame::error(ErrorCode::BadRequest, "Frames are JSON text; a binary frame was ignored."));
                            Next::Continue
                        }
                        Some(Inbound::Text(text)) => conn.handle(&text, &mut out).await,
                    }
                }
                () = &mut deadline => Next::Close,
                // Pings keep a socket alive, but not one that never says who it is.
                () = &mut hello_deadline, if conn.who.is_none() => {
                    let message = format!("Send hello within {} s of opening the socket.", hello_within.as_secs());
                    out.push(ServerFrame::error(ErrorCode::Unauthorized, message));
                    Next::Close
                }
            };
            for frame in out {
                if writes.send(Out::Frame(frame.to_json())).await.is_err() {
                    return;
                }
            }
            // Subscribed by `hello`, replay written: forwarding starts.
            if let Some(subscription) = conn.subscription.take() {
                if let Some(subscribed) = subscribed.take() {
                    let _ = subscribed.send((subscription, conn.replayed.clone()));
                }
            }
            if let Next::Close = next {
                let _ = writes.send(Out::Close).await;
                return;
            }
        }
    };

    tokio::pin!(writer, forwarder, reader);
    tokio::select! {
        // The writer failed or timed out: nothing more can be sent.
        () = &mut writer => return,
        () = &mut forwarder => {}
        () = &mut reader => {}
    }
    // The reader or the forwarder ended the socket: what is queued is
    // written first (within the write timeout), then the socket closes.
    let _ = tokio::time::timeout(write_within, async {
        let close = async {
            let _ = closer.send(Out::Close).await;
        };
        tokio::join!(close, &mut writer);
    })
    .await;
}

/// Whether a published frame is news to a socket that replayed
/// conversations up to the seqs in `replayed`.
fn is_new(replayed: &HashMap<String, u64>, frame: &ServerFrame) -> bool {
    match frame {
        ServerFrame::Message { message } => replayed.get(&message.conversation).is_none_or(|&seen| message.seq > seen),
        _ => true,
    }
}

fn error_frame(error: AppError, client_id: Option<String>, conversation: Option<String>) -> ServerFrame {
    ServerFrame::Error { error: error.into_info(), client_id, conversation }
}

impl Connection {
    async fn handle(&mut self, text: &str, out: &mut Vec<ServerFrame>) -> Next {
        if let Err(wait) = self.frames.check("") {
            out.push(error_frame(AppError::rate_limited(wait), None, None));
            return Next::Continue;
        }
        let frame = match ClientFrame::from_json(text) {
            Ok(frame) => frame,
            Err(e) => {
                out.push(ServerFrame::error(ErrorCode::BadRequest, format!("The frame could not be read: {e}.")));
                return Next::Continue;
            }
        };
        if let ClientFrame::Hello { v, token, resume } = frame {
            return self.hello(v, &token, resume, out).await;
        }
        if matches!(frame, ClientFrame::Unknown) {
            return Next::Continue;
        }
        let Some(who) = &self.who else {
            out.push(ServerFrame::error(ErrorCode::Unauthorized, "Send hello with your token first."));
            return Next::Continue;
        };
        let state = &self.state;
        let actor = who.actor();
        match frame {
            ClientFrame::Send { conversation, client_id, body, attachments } => {
                match chat::send(state, actor, &conversation, &client_id, &body, &attachments).await {
                    Ok((seq, at)) => out.push(ServerFrame::Ack { conversation, client_id, seq, at }),
                    Err(e) => out.push(error_frame(e, Some(client_id), Some(conversation))),
                }
            }
            ClientFrame::Typing { conversation, typing } => {
                if let Err(e) = chat::typing(state, actor, &conversation, typing).await {
                    out.push(error_frame(e, None, Some(conversation)));
                }
            }
            ClientFrame::Read { conversation, seq } => {
                if let Err(e) = chat::read(state, actor, &conversation, seq).await {
                    out.push(error_frame(e, None, Some(conversation)));
                }
            }
            ClientFrame::Close { conversation } => {
                if let Err(e) = chat::close(state, actor, &conversation).await {
                    out.push(error_frame(e, None, Some(conversation)));
                }
            }
            ClientFrame::Accept { conversation } => {
                let result = match who {
                    Who::Agent(agent) => chat::accept(state, agent, &conversation).await,
                    Who::Visitor(_) => Err(AppError::forbidden("Only agents accept conversations.")),
                };
                if let Err(e) = result {
                    out.push(error_frame(e, None, Some(conversation)));
                }
            }
            ClientFrame::Transfer { conversation, to_agent, to_topic } => {
                let result = match who {
                    Who::Agent(agent) => {
                        chat::transfer(state, agent, &conversation, to_agent.as_deref(), to_topic.as_deref()).await
                    }
                    Who::Visitor(_) => Err(AppError::forbidden("Only agents transfer conversations.")),
                };
                if let Err(e) = result {
                    out.push(error_frame(e, None, Some(conversation)));
                }
            }
            ClientFrame::Ping => {
                if let Peer::Agent { session, .. } = &self.peer {
                    match state.db.agent_session(session).await {
                        Ok(Some(_)) => {}
                        Ok(None) => {
                            let ended = "Your console session has ended; sign in again.";
                            out.push(ServerFrame::error(ErrorCode::Unauthorized, ended));
                            return Next::Close;
                        }
                        // The store is away: the socket goes on (the next
                        // ping checks again).
                        Err(e) => tracing::warn!(error = %e, "checking an agent's session at a ping"),
                    }
                }
                out.push(ServerFrame::Pong);
            }
            ClientFrame::Hello { .. } | ClientFrame::Unknown => {}
        }
        Next::Continue
    }

    async fn hello(&mut self, v: u32, token: &str, resume: Vec<Resume>, out: &mut Vec<ServerFrame>) -> Next {
        if v != VERSION {
            out.push(ServerFrame::error(
                ErrorCode::UnsupportedVersion,
                format!("This server speaks protocol version {VERSION}; the client sent version {v}."),
            ));
            return Next::Close;
        }
        if self.who.is_some() {
            out.push(ServerFrame::error(ErrorCode::BadRequest, "hello was already sent on this socket."));
            return Next::Continue;
        }
        let who = match &self.peer {
            Peer::Agent { agent, .. } => Who::Agent(agent.clone()),
            Peer::Visitor => match self.state.db.visitor_by_token(&sha256_hex(token)).await {
                Ok(Some(visitor)) => Who::Visitor(visitor),
                Ok(None) => {
                    out.push(ServerFrame::error(
                        ErrorCode::Unauthorized,
                        "The visitor token is missing or unknown; start a session with POST /api/v1/session.",
                    ));
                    return Next::Close;
                }
                Err(e) => {
                    out.push(error_frame(e.into(), None, None));
                    return Next::Close;
                }
            },
        };
        let (id, channel) = match &who {
            Who::Visitor(v) => (v.id.clone(), Channel::Visitor(v.id.clone())),
            Who::Agent(a) => (a.id.clone(), Channel::Agent(a.id.clone())),
        };
        let most = self.state.config.limits.sockets_per_visitor as usize;
        if matches!(who, Who::Visitor(_)) && self.state.hub.subscribers(&channel).await >= most {
            out.push(ServerFrame::error(
                ErrorCode::RateLimited,
                format!("A visitor may have at most {most} sockets open; close another tab first."),
            ));
            return Next::Close;
        }
        // Subscribe before reading the replay, so nothing stored in between
        // is missed (a message both replayed and published is sent once).
        self.subscription = Some(self.state.hub.subscribe(channel));
        out.push(ServerFrame::Welcome { v: VERSION, id });
        if let Err(e) = self.replay(&who, &resume, out).await {
            out.push(error_frame(e, None, None));
        }
        self.who = Some(who);
        Next::Continue
    }

    async fn replay(&mut self, who: &Who, resume: &[Resume], out: &mut Vec<ServerFrame>) -> Result<(), AppError> {
        let state = &self.state;
        if let Who::Agent(agent) = who {
            let (waiting, total) = chat::waiting(state, agent).await?;
            out.push(ServerFrame::QueueChanged { waiting, total: Some(total) });
            // Agents coming online change what the queue frames say.
        }
        for r in resume.iter().take(MAX_RESUME) {
            let conversation = match access::conversation(state, who.actor(), &r.conversation).await {
                Ok(c) => c,
                Err(e) => {
                    out.push(error_frame(e, None, Some(r.conversation.clone())));
                    continue;
                }
            };
            let after = i64::try_from(r.after_seq).unwrap_or(i64::MAX);
            let mut last = r.after_seq;
            for row in state.db.messages_after(&conversation.id, after).await? {
                last = last.max(row.message.seq);
                out.push(ServerFrame::Message { message: row.message });
            }
            self.replayed.insert(conversation.id.clone(), last);
            out.extend(chat::live_state(state, who.actor(), &conversation).await?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::{sink, stream};
    use helpdock_core::protocol::{ClientFrame, ErrorCode, ServerFrame};
    use tokio::sync::mpsc;

    use super::{run, Inbound, Peer};
    use crate::config::{Config, LimitsConfig};
    use crate::db::{Db, VisitorRow};
    use crate::state::AppState;
    use crate::token::{random_id, random_secret, sha256_hex};

    /// A socket made of two channels: what the test sends in, what the
    /// server writes out.
    struct Pipe {
        to_server: mpsc::UnboundedSender<Inbound>,
        from_server: mpsc::UnboundedReceiver<String>,
    }

    impl Pipe {
        fn send(&self, frame: &str) {
            self.to_server.send(Inbound::Text(frame.into())).unwrap();
        }

        async fn recv(&mut self) -> Option<ServerFrame> {
            let text = tokio::time::timeout(Duration::from_secs(10), self.from_server.recv()).await.unwrap()?;
            Some(ServerFrame::from_json(&text).unwrap())
        }
    }

    async fn state(idle_timeout_secs: u32) -> (AppState, std::path::PathBuf) {
        state_with(|limits| limits.idle_timeout_secs = idle_timeout_secs).await
    }

    async fn state_with(tweak: impl FnOnce(&mut LimitsConfig)) -> (AppState, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(random_id("helpdock-ws-"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut config = Config { database: dir.join("t.sqlite").display().to_string(), ..Config::default() };
        tweak(&mut config.limits);
        let db = Db::open(&config.database).await.unwrap();
        (AppState::new(config, db).unwrap(), dir)
    }

    /// A visitor and a token for it.
    async fn visitor(state: &AppState) -> (VisitorRow, String) {
        let visitor = VisitorRow::anonymous(None);
        state.db.create_visitor(&visitor).await.unwrap();
        let token = random_secret("vt_");
        state.db.add_visitor_token(&sha256_hex(&token), &visitor.id).await.unwrap();
        (visitor, token)
    }

    fn is_error(frame: Option<ServerFrame>, code: ErrorCode) -> bool {
        matches!(frame, Some(ServerFrame::Error { error, .. }) if error.code == code)
    }

    #[tokio::test]
    async fn a_socket_that_never_says_hello_is_closed_even_if_it_pings() {
        let (state, dir) = state_with(|l| l.hello_timeout_secs = 1).await;
        let (mut pipe, task) = open(&state, Peer::Visitor);
        let started = std::time::Instant::now();
        let pinging = {
            let to_server = pipe.to_server.clone();
            tokio::spawn(async move {
                while to_server.send(Inbound::Alive).is_ok() {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            })
        };
        let Some(ServerFrame::Error { error, .. }) = pipe.recv().await else { panic!("expected an error") };
        assert_eq!(
            (error.code, error.message.as_str()),
            (ErrorCode::Unauthorized, "Send hello within 1 s of opening the socket.")
        );
        tokio::time::timeout(Duration::from_secs(5), task).await.expect("closed").unwrap();
        assert!(started.elapsed() >= Duration::from_millis(900));
        pinging.abort();
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_client_that_stops_reading_is_let_go_after_the_write_timeout() {
        let (state, dir) = state_with(|l| l.write_timeout_secs = 1).await;
        let (visitor, token) = visitor(&state).await;
        let (to_server, inbound) = mpsc::unbounded_channel::<Inbound>();
        let stream = Box::pin(stream::unfold(inbound, |mut rx| async move { rx.recv().await.map(|i| (i, rx)) }));
        // Takes the welcome, then never another frame.
        let sink = Box::pin(sink::unfold(0u32, |written, _text: String| async move {
            if written >= 1 {
                std::future::pending::<()>().await;
            }
            Ok::<_, &str>(written + 1)
        }));
        let task = tokio::spawn(run(state.clone(), Peer::Visitor, sink, stream));
        to_server.send(Inbound::Text(ClientFrame::Hello { v: 1, token, resume: vec![] }.to_json())).unwrap();
        while state.hub.subscribers(&crate::hub::Channel::Visitor(visitor.id.clone())).await == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let started = std::time::Instant::now();
        state.hub.publish(&crate::hub::Channel::Visitor(visitor.id.clone()), &ServerFrame::Pong);
        tokio::time::timeout(Duration::from_secs(5), task).await.expect("the task ends").unwrap();
        assert!(started.elapsed() >= Duration::from_millis(900));
        assert_eq!(state.hub.subscribers(&crate::hub::Channel::Visitor(visitor.id)).await, 0, "and unsubscribes");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_visitor_holds_a_bounded_number_of_sockets() {
        let (state, dir) = state_with(|l| l.sockets_per_visitor = 2).await;
        let (visitor, token) = visitor(&state).await;
        let hello = ClientFrame::Hello { v: 1, token: token.clone(), resume: vec![] }.to_json();
        let (mut first, _a) = open(&state, Peer::Visitor);
        let (mut second, _b) = open(&state, Peer::Visitor);
        for pipe in [&mut first, &mut second] {
            pipe.send(&hello);
            assert_eq!(pipe.recv().await, Some(ServerFrame::Welcome { v: 1, id: visitor.id.clone() }));
        }
        let (mut third, task) = open(&state, Peer::Visitor);
        third.send(&hello);
        assert!(is_error(third.recv().await, ErrorCode::RateLimited));
        task.await.unwrap();
        assert_eq!(state.hub.subscribers(&crate::hub::Channel::Visitor(visitor.id.clone())).await, 2);
        // Once one closes, another may open.
        first.to_server.send(Inbound::Close).unwrap();
        while state.hub.subscribers(&crate::hub::Channel::Visitor(visitor.id.clone())).await > 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let (mut fourth, _d) = open(&state, Peer::Visitor);
        fourth.send(&hello);
        assert_eq!(fourth.recv().await, Some(ServerFrame::Welcome { v: 1, id: visitor.id }));
        let _ = std::fs::remove_dir_all(dir);
    }

    fn open(state: &AppState, peer: Peer) -> (Pipe, tokio::task::JoinHandle<()>) {
        let (to_server, inbound) = mpsc::unbounded_channel::<Inbound>();
        let (outbound, from_server) = mpsc::unbounded_channel::<String>();
        let stream = Box::pin(stream::unfold(inbound, |mut rx| async move { rx.recv().await.map(|i| (i, rx)) }));
        let sink = Box::pin(sink::unfold(outbound, |tx, text: String| async move {
            tx.send(text).map_err(|_| "closed")?;
            Ok::<_, &str>(tx)
        }));
        let task = tokio::spawn(run(state.clone(), peer, sink, stream));
        (Pipe { to_server, from_server }, task)
    }

    #[tokio::test]
    async fn hello_first_then_frames_and_bad_frames_are_named_without_closing() {
        let (state, dir) = state(60).await;
        let (visitor, token) = visitor(&state).await;
        let (mut pipe, task) = open(&state, Peer::Visitor);

        pipe.send(&ClientFrame::Ping.to_json());
        assert!(
            matches!(pipe.recv().await, Some(ServerFrame::Error { error, .. }) if error.code == ErrorCode::Unauthorized)
        );
        pipe.send(&ClientFrame::Hello { v: 1, token: token.clone(), resume: vec![] }.to_json());
        assert_eq!(pipe.recv().await, Some(ServerFrame::Welcome { v: 1, id: visitor.id.clone() }));
        pipe.send(r#"{"type":"typing","conversation":"c_x"}"#);
        let Some(ServerFrame::Error { error, .. }) = pipe.recv().await else { panic!("expected an error") };
        assert_eq!(error.code, ErrorCode::BadRequest);
        assert!(error.message.contains("missing field `typing`"), "{}", error.message);
        pipe.to_server.send(Inbound::Binary).unwrap();
        assert!(matches!(pipe.recv().await, Some(ServerFrame::Error { .. })));
        pipe.send(r#"{"type":"wave"}"#);
        pipe.send(&ClientFrame::Ping.to_json());
        assert_eq!(pipe.recv().await, Some(ServerFrame::Pong), "an unknown frame is ignored");
        // Frames published to the visitor reach this socket.
        state.hub.publish(&crate::hub::Channel::Visitor(visitor.id.clone()), &ServerFrame::Pong);
        assert_eq!(pipe.recv().await, Some(ServerFrame::Pong));
        pipe.to_server.send(Inbound::Close).unwrap();
        task.await.unwrap();
        assert_eq!(state.hub.subscribers(&crate::hub::Channel::Visitor(visitor.id)).await, 0, "closing unsubscribes");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_silent_socket_is_closed_after_the_idle_timeout() {
        let (state, dir) = state(1).await;
        let (mut pipe, task) = open(&state, Peer::Visitor);
        let started = std::time::Instant::now();
        task.await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(900));
        assert_eq!(pipe.from_server.recv().await, None, "nothing written, the sink closed");
        let _ = std::fs::remove_dir_all(dir);
    }
}
