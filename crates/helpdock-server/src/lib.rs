//! Helpdock's reference backend: protocol v1 for the widget (HTTP and
//! WebSocket under `/api/v1`) and for the agent console (`/console/api`),
//! over SQLite or PostgreSQL, plus the static files of the demo and the
//! console.
//!
//! [`start`] opens the database, binds, and serves in the background; the
//! `helpdock-server` binary and the tests both go through it.
//!
//! The invariant everything else leans on: **a message is acknowledged only
//! after it is stored** (`chat::send` → `Db::store_message`, one
//! transaction, then `ack`), and a resend with the same `clientId` is
//! answered from the stored row.

pub mod access;
pub mod attachments;
pub mod chat;
pub mod client_ip;
pub mod config;
pub mod confirm;
pub mod db;
pub mod error;
pub mod http;
pub mod hub;
pub mod inbox;
pub mod mail;
pub mod notes;
pub mod password;
pub mod rate;
pub mod secrets;
pub mod serve;
pub mod sniff;
pub mod socket;
pub mod state;
pub mod tickets;
pub mod token;

use std::net::SocketAddr;

use helpdock_core::protocol::AgentRole;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::db::{AgentRow, Db, DbError};
use crate::state::AppState;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The listening address.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The SMTP settings.
    #[error(transparent)]
    Mail(#[from] mail::MailError),
    /// Settings that do not go together.
    #[error("configuration: {0}")]
    Config(String),
    /// Redis, for a node of several.
    #[error("cannot reach Redis at {url}: {source}")]
    Redis {
        /// Where.
        url: String,
        /// Why.
        source: redis::RedisError,
    },
}

/// A server serving in the background.
#[derive(Debug)]
pub struct Running {
    /// Where it listens (the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// Where the SMTP receiver for replies to ticket e-mails listens,
    /// when `inbound_mail` is configured.
    pub mail_addr: Option<SocketAddr>,
    /// Its state (tests look into the database through it).
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), std::io::Error>>,
    inbox: Option<JoinHandle<()>>,
    sweeper: JoinHandle<()>,
    queue_lists: JoinHandle<()>,
}

impl Running {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, closes the database.
    pub async fn stop(mut self) -> Result<(), std::io::Error> {
        // A mail cut off here is not acknowledged: its sender retries.
        if let Some(inbox) = self.inbox.take() {
            inbox.abort();
        }
        self.sweeper.abort();
        self.queue_lists.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // Open sockets do not hold the process up for long: clients
        // reconnect elsewhere and resume from their last seq.
        let result = match tokio::time::timeout(std::time::Duration::from_secs(5), &mut self.task).await {
            Ok(joined) => joined.unwrap_or(Ok(())),
            Err(_) => {
                self.task.abort();
                Ok(())
            }
        };
        self.state.db.close().await;
        result
    }

    /// Serves until the process is asked to stop (Ctrl-C, SIGTERM).
    pub async fn until_signal(self) -> Result<(), std::io::Error> {
        shutdown_signal().await;
        self.stop().await
    }
}

/// Opens the database (migrating it), binds `config.listen` (and
/// `inbound_mail.listen`), and serves.
pub async fn start(config: Config) -> Result<Running, StartError> {
    if let Some(problem) = config.cluster_problem() {
        return Err(StartError::Config(problem));
    }
    let db = Db::open(&config.database).await?;
    let bind = |addr: SocketAddr| async move {
        let listener = TcpListener::bind(addr).await.map_err(|source| StartError::Listen { addr, source })?;
        let bound = listener.local_addr().map_err(|source| StartError::Listen { addr, source })?;
        Ok::<_, StartError>((listener, bound))
    };
    let (listener, addr) = bind(config.listen).await?;
    // The real port (when 0 was asked for), for links in e-mails.
    let mut config = config;
    config.listen = addr;
    let mail_listener = match &config.inbound_mail {
        Some(inbound) => Some(bind(inbound.listen).await?),
        None => None,
    };
    let state = match &config.redis {
        Some(url) => {
            let redis = hub::redis::RedisHub::connect(url)
                .await
                .map_err(|source| StartError::Redis { url: url.clone(), source })?;
            let redis = std::sync::Arc::new(redis);
            AppState::with_hub(config, db, redis.clone(), Some(redis))?
        }
        None => AppState::new(config, db)?,
    };
    let mail_addr = mail_listener.as_ref().map(|(_, bound)| *bound);
    let inbox = mail_listener.map(|(listener, _)| inbox::spawn(listener, state.clone()));
    let sweeper = tokio::spawn(sweep(state.clone()));
    let queue_lists = tokio::spawn(chat::send_queue_lists(state.clone()));
    let app = http::app(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let header_timeout = std::time::Duration::from_secs(u64::from(state.config.limits.header_read_timeout_secs));
    let task = tokio::spawn(serve::serve(listener, app, header_timeout, rx));
    Ok(Running { addr, mail_addr, state, shutdown: Some(tx), task, inbox, sweeper, queue_lists })
}

/// An upload never sent is deleted this long after it was made.
pub const UNSENT_UPLOAD_MS: i64 = 24 * 3600 * 1000;

/// Closes abandoned queued conversations and deletes what can no longer be
/// used (expired sessions and tokens, lapsed visitor tokens, uploads never
/// sent), now and then (a quarter of the expiry, between 1 s and a minute).
async fn sweep(state: AppState) {
    let expiry = u64::from(state.config.limits.queued_expiry_secs);
    let every = std::time::Duration::from_millis((expiry * 250).clamp(1_000, 60_000));
    loop {
        tokio::time::sleep(every).await;
        if let Err(e) = chat::expire_abandoned(&state).await {
            tracing::warn!(error = ?e, "expiring abandoned conversations failed");
        }
        let now = token::now_ms();
        let (replies, requests) = (now - inbox::REPLY_TOKEN_VALID_MS, now - confirm::LINK_VALID_MS);
        match state.db.purge_expired(now, replies, requests).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "deleted expired sessions, reply tokens and confirmation requests"),
            Err(e) => tracing::warn!(error = %e, "purging expired rows failed"),
        }
        match state.db.purge_idle_visitor_tokens().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(tokens = n, "deleted visitor tokens unused for too long"),
            Err(e) => tracing::warn!(error = %e, "purging idle visitor tokens failed"),
        }
        // Uploads never sent in a message, a ticket or a reply.
        match state.db.collect_unsent_uploads(token::now_ms() - UNSENT_UPLOAD_MS).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(uploads = n, "deleted uploads never sent"),
            Err(e) => tracing::warn!(error = %e, "collecting unsent uploads failed"),
        }
    }
}

/// Adds an agent, or updates the one with this e-mail (password included).
pub async fn upsert_agent(
    db: &Db,
    email: &str,
    name: &str,
    role: AgentRole,
    topics: &[String],
    password: &str,
) -> Result<String, sqlx::Error> {
    let password = password.to_string();
    let password_hash = password::on_password_thread(move || password::hash(&password))
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("password hashing: {e}")))?;
    let agent = AgentRow {
        id: token::random_id("ag_"),
        email: email.trim().to_string(),
        name: name.trim().to_string(),
        role,
        topics: topics.to_vec(),
        password_hash,
    };
    db.upsert_agent(&agent).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
