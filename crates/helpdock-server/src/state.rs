//! [`AppState`]: what every request, socket and background task reaches —
//! the settings, the store, the hub and the rate limits.

use std::ops::Deref;
use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::hub::{Hub, InProcess};
use crate::mail::Mailer;
use crate::rate::{Limit, RateLimiter, SharedBuckets};

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

/// The parts of [`AppState`].
#[derive(Debug)]
pub struct Shared {
    /// Settings.
    pub config: Config,
    /// Storage.
    pub db: Db,
    /// Fan-out to sockets: this node's ([`InProcess`]) or every node's
    /// (`hub::redis::RedisHub`).
    pub hub: Arc<dyn Hub>,
    /// Messages and uploads per visitor.
    pub visitor_rate: Limit,
    /// Requests per client IP.
    pub ip_rate: Limit,
    /// Console sign-in attempts per client IP.
    pub login_rate: Limit,
    /// Failed sign-ins per account and client address: an address that
    /// keeps guessing one account is locked out of it, while the right
    /// password from anywhere else still works.
    pub login_failures: Limit,
    /// The SMTP relay, when configured.
    pub mailer: Option<Mailer>,
    /// Confirmation e-mails per client IP (`limits.mails_per_ip_per_hour`).
    pub mail_ip_budget: Limit,
    /// Confirmation e-mails for the whole server (`limits.mails_per_hour`).
    pub mail_budget: Limit,
    /// Upload bytes per client IP (`limits.upload_bytes_per_ip_per_hour`).
    pub upload_budget: Limit,
    /// Open visitor sockets per client address.
    pub ip_sockets: crate::rate::ConnectionCounts,
    /// Typing indicators, coalesced per person and conversation.
    pub typing_gate: crate::chat::TypingGate,
    /// `trusted_proxies`, read (validated with the configuration).
    pub proxies: Vec<crate::client_ip::Block>,
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// State over an open database, for one node.
    pub fn new(config: Config, db: Db) -> Result<AppState, crate::mail::MailError> {
        AppState::with_hub(config, db, Arc::new(InProcess::default()), None)
    }

    /// State over an open database, a hub, and the rate limits' buckets
    /// when they are shared by several nodes.
    pub fn with_hub(
        config: Config,
        db: Db,
        hub: Arc<dyn Hub>,
        buckets: Option<Arc<dyn SharedBuckets>>,
    ) -> Result<AppState, crate::mail::MailError> {
        let limit = |name, local| Limit::new(name, local, buckets.clone());
        let db = db.with_visitor_token_idle(config.limits.visitor_token_idle_secs);
        let mailer = config.smtp.as_ref().map(Mailer::new).transpose()?;
        Ok(AppState(Arc::new(Shared {
            visitor_rate: limit("visitor", RateLimiter::new(config.limits.messages_per_minute)),
            ip_rate: limit("ip", RateLimiter::new(config.limits.requests_per_minute)),
            login_rate: limit("login", RateLimiter::new(10)),
            login_failures: limit("login-failures", RateLimiter::per_hour(10)),
            hub,
            mailer,
            typing_gate: crate::chat::TypingGate::default(),
            ip_sockets: crate::rate::ConnectionCounts::default(),
            upload_budget: limit(
                "upload-bytes",
                RateLimiter::per_hour_of(config.limits.upload_bytes_per_ip_per_hour as f64),
            ),
            mail_ip_budget: limit("mail-ip", RateLimiter::per_hour(config.limits.mails_per_ip_per_hour)),
            mail_budget: limit("mail", RateLimiter::per_hour(config.limits.mails_per_hour)),
            proxies: config.proxies().unwrap_or_default(),
            db,
            config,
        })))
    }
}
