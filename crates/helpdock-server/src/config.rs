//! The server's settings: defaults, then a TOML file, then `HELPDOCK_*`
//! environment variables, then command-line flags (applied by `main.rs`).
//!
//! A mistake names where it is: `helpdock.toml:7: limits.max_message_chars:
//! invalid type: string "many", expected u32`, or the environment variable
//! that carried it.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Everything the server can be told.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on (`127.0.0.1:8080`; port 0 picks a free one).
    pub listen: SocketAddr,
    /// Where users reach this server (`https://support.example.com`), for
    /// the links in e-mails (confirming an address). Unset: `http://` and
    /// the listen address when that is loopback (a local demo), else no
    /// mail goes to an address not yet confirmed.
    pub public_url: Option<String>,
    /// Whether the console's session cookie is `Secure`. Unset: yes,
    /// unless the server listens on loopback (plain http, a local demo).
    /// Set `true` behind a TLS proxy that reaches the server on loopback.
    pub cookie_secure: Option<bool>,
    /// `sqlite://path` (or a plain file path) or `postgres://…`.
    pub database: String,
    /// `redis://host:port`: this node is one of several that share the
    /// (PostgreSQL) database and reach each other's sockets through this
    /// Redis. Unset: one node, fan-out in process.
    pub redis: Option<String>,
    /// The built widget folder served at `/`.
    pub static_dir: PathBuf,
    /// The secret shared with the host's server, keying `userHash`. Unset:
    /// identified users are refused.
    pub host_secret: Option<String>,
    /// Origins (besides the server's own) whose pages may call the visitor
    /// API from the browser (CORS), e.g. `https://www.example.com`.
    pub allowed_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client
    /// (`"10.0.0.0/8"`, `"127.0.0.1"`). Empty: the TCP peer is the client,
    /// and behind a proxy every user shares its rate limits.
    pub trusted_proxies: Vec<String>,
    /// The host's own domains (`example.com` covers its subdomains): the
    /// console warns an agent whose message links anywhere else, as the
    /// widget warns visitors. Empty: the server's own host.
    pub official_domains: Vec<String>,
    /// When agents are at work; outside these hours a new conversation is
    /// told when people are back.
    pub business_hours: Option<BusinessHours>,
    /// Routing of topics to queues and the wait estimate.
    pub queue: QueueConfig,
    /// Sizes and rates.
    pub limits: LimitsConfig,
    /// Outgoing mail for "e-mail me the transcript" (unset: refused clearly)
    /// and for tickets' confirmations and replies (unset: skipped, logged).
    pub smtp: Option<SmtpConfig>,
    /// Replies to ticket e-mails, received over SMTP (unset: ticket e-mails
    /// carry no Reply-To and replies go nowhere).
    pub inbound_mail: Option<InboundMailConfig>,
}

/// Topic → queue routing.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueConfig {
    /// The queue of topics not listed (and of conversations without one).
    pub default: String,
    /// Topic → queue name. A ticket is routed by `category:urgency`
    /// (`deposit-not-arrived:urgent`) if listed, else by its category.
    pub topics: BTreeMap<String, String>,
    /// The wait estimate per place in the queue, in seconds.
    pub secs_per_position: u32,
    /// How many waiting conversations an agent's console lists (oldest
    /// first) beside the count of all of them: what one queue event costs
    /// per agent, however long the queue grows.
    pub shown_to_agents: u32,
    /// How often at most (ms) a node sends its agents their waiting lists
    /// while the queue keeps changing: the first change is sent at once,
    /// and what changes meanwhile is sent together this long after.
    pub agents_refresh_ms: u32,
}

/// Limits, checked before anything is stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Longest message, in characters.
    pub max_message_chars: u32,
    /// Largest attachment, in bytes.
    pub max_attachment_bytes: u64,
    /// Messages and uploads per visitor per minute (burst of the same size).
    pub messages_per_minute: u32,
    /// HTTP requests and socket connections per client IP per minute.
    pub requests_per_minute: u32,
    /// A socket silent this long is closed (clients ping every 25 s).
    pub idle_timeout_secs: u32,
    /// What a hand-over may carry: the characters of the bot transcript
    /// and the collected fields together.
    pub max_handover_chars: u32,
    /// Conversations one visitor may have open (queued or active) at once.
    pub open_conversations_per_visitor: u32,
    /// Sockets one visitor may hold open at once (tabs, devices).
    pub sockets_per_visitor: u32,
    /// Visitor sockets one client address may hold open at once (an
    /// office behind one address has many visitors).
    pub sockets_per_ip: u32,
    /// A socket that has not said `hello` this long after opening is
    /// closed, whatever else it sends (pings included).
    pub hello_timeout_secs: u32,
    /// A socket whose client does not take a frame within this long is
    /// closed (it resumes from its last seq when it reconnects).
    pub write_timeout_secs: u32,
    /// A queued conversation unchanged this long, whose visitor has no
    /// socket open, is closed as abandoned. Longer than the team's longest
    /// absence (a weekend): the away message lets visitors leave.
    pub queued_expiry_secs: u32,
    /// E-mails asking an owner to confirm an address, per client IP per
    /// hour (a burst of the same size).
    pub mails_per_ip_per_hour: u32,
    /// E-mails asking to confirm an address, for the whole server per hour:
    /// what one attacker with many addresses can make it send at most.
    pub mails_per_hour: u32,
    /// Uploads one visitor may have that were never sent in a message, a
    /// ticket or a reply (the collector deletes them after a day).
    pub pending_uploads_per_visitor: u32,
    /// Upload bytes per client IP per hour (a burst of the same size).
    pub upload_bytes_per_ip_per_hour: u64,
    /// Bytes all stored uploads may take; past it uploads are refused.
    pub max_storage_bytes: u64,
    /// A client must send a request's headers within this long.
    pub header_read_timeout_secs: u32,
    /// A request body (an upload) may stall this long between two parts.
    pub body_timeout_secs: u32,
    /// A visitor token unused this long lapses (the widget starts a new
    /// session); every use moves it on.
    pub visitor_token_idle_secs: u64,
}

/// An SMTP relay.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Host name.
    pub host: String,
    /// Port (25, 465, 587, or a local sink's).
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// The From address, `Helpdock <support@example.com>`.
    pub from: String,
    /// User name for AUTH, if the relay wants one.
    #[serde(default)]
    pub username: Option<String>,
    /// Password for AUTH.
    #[serde(default)]
    pub password: Option<String>,
    /// `none` (plain, for a relay on loopback), `starttls` or `tls`.
    #[serde(default)]
    pub tls: SmtpTls,
}

/// The SMTP receiver for replies to ticket e-mails. It speaks plain SMTP
/// without TLS or AUTH: it is meant to sit behind the domain's MX (which
/// relays `support+*@…` to it) or on loopback.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboundMailConfig {
    /// Where the receiver listens (`127.0.0.1:2525`; port 0 picks one).
    pub listen: SocketAddr,
    /// The Reply-To address of ticket e-mails, with `{token}` in its local
    /// part where each mail's token goes: `support+{token}@support.example.com`.
    pub address: String,
}

/// The placeholder in `inbound_mail.address`.
const TOKEN: &str = "{token}";

impl InboundMailConfig {
    /// The Reply-To address carrying `token`.
    pub fn reply_address(&self, token: &str) -> String {
        self.address.replacen(TOKEN, token, 1)
    }

    /// The token in a recipient address made by [`Self::reply_address`]
    /// (case folded, as mail systems may), or `None` for any other address.
    pub fn token_of(&self, recipient: &str) -> Option<String> {
        let (prefix, suffix) = self.address.split_once(TOKEN)?;
        let recipient = recipient.trim().to_ascii_lowercase();
        let middle =
            recipient.strip_prefix(&prefix.to_ascii_lowercase())?.strip_suffix(&suffix.to_ascii_lowercase())?;
        (!middle.is_empty() && middle.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| middle.to_string())
    }

    fn validate(&self) -> Result<(), String> {
        let Some((local, _domain)) = self.address.rsplit_once('@') else {
            return Err(format!("{:?} is not an e-mail address", self.address));
        };
        if self.address.matches(TOKEN).count() != 1 || !local.contains(TOKEN) {
            return Err(format!(
                "{:?} must have {TOKEN} once in its local part, like \"support+{TOKEN}@support.example.com\"",
                self.address
            ));
        }
        if self.reply_address("0123abcd").parse::<lettre::Address>().is_err() {
            return Err(format!("{:?} is not an e-mail address once {TOKEN} is filled in", self.address));
        }
        Ok(())
    }
}

/// How to protect the SMTP connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (only sensible on loopback).
    None,
    /// STARTTLS on a plain port.
    #[default]
    Starttls,
    /// TLS from the first byte.
    Tls,
}

/// Opening hours in one UTC offset.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// `+08:00`.
    pub utc_offset: UtcOffset,
    /// Open days: `mon` … `sun`.
    pub days: Vec<Weekday>,
    /// Opening time, `09:00`.
    pub open: ClockTime,
    /// Closing time, `18:00` (after `open`).
    pub close: ClockTime,
}

fn default_smtp_port() -> u16 {
    587
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            cookie_secure: None,
            database: "helpdock.sqlite".into(),
            redis: None,
            static_dir: PathBuf::from("dist"),
            host_secret: None,
            allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            official_domains: Vec::new(),
            business_hours: None,
            queue: QueueConfig::default(),
            limits: LimitsConfig::default(),
            smtp: None,
            inbound_mail: None,
        }
    }
}

impl Default for QueueConfig {
    fn default() -> QueueConfig {
        QueueConfig {
            default: "general".into(),
            topics: BTreeMap::new(),
            secs_per_position: 60,
            shown_to_agents: 50,
            agents_refresh_ms: 250,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> LimitsConfig {
        LimitsConfig {
            max_message_chars: 4000,
            max_attachment_bytes: 10 * 1024 * 1024,
            messages_per_minute: 30,
            requests_per_minute: 600,
            idle_timeout_secs: 60,
            max_handover_chars: 20_000,
            open_conversations_per_visitor: 3,
            sockets_per_visitor: 10,
            sockets_per_ip: 200,
            hello_timeout_secs: 10,
            write_timeout_secs: 10,
            queued_expiry_secs: 7 * 24 * 3600,
            mails_per_ip_per_hour: 10,
            mails_per_hour: 300,
            pending_uploads_per_visitor: 20,
            upload_bytes_per_ip_per_hour: 200 * 1000 * 1000,
            max_storage_bytes: 10 * 1000 * 1000 * 1000,
            header_read_timeout_secs: 10,
            body_timeout_secs: 30,
            visitor_token_idle_secs: 90 * 24 * 3600,
        }
    }
}

impl QueueConfig {
    /// The queue a topic is routed to.
    pub fn route(&self, topic: Option<&str>) -> &str {
        topic.and_then(|t| self.topics.get(t)).map_or(self.default.as_str(), String::as_str)
    }
}

/// Every setting and the environment variable that overrides it (also the
/// README's table).
pub const ENV_KEYS: &[(&str, &str)] = &[
    ("listen", "HELPDOCK_LISTEN"),
    ("public_url", "HELPDOCK_PUBLIC_URL"),
    ("database", "HELPDOCK_DATABASE_URL"),
    ("redis", "HELPDOCK_REDIS_URL"),
    ("static_dir", "HELPDOCK_STATIC_DIR"),
    ("cookie_secure", "HELPDOCK_COOKIE_SECURE"),
    ("host_secret", "HELPDOCK_HOST_SECRET"),
    ("allowed_origins", "HELPDOCK_ALLOWED_ORIGINS"),
    ("trusted_proxies", "HELPDOCK_TRUSTED_PROXIES"),
    ("official_domains", "HELPDOCK_OFFICIAL_DOMAINS"),
    ("business_hours.utc_offset", "HELPDOCK_BUSINESS_HOURS_UTC_OFFSET"),
    ("business_hours.days", "HELPDOCK_BUSINESS_HOURS_DAYS"),
    ("business_hours.open", "HELPDOCK_BUSINESS_HOURS_OPEN"),
    ("business_hours.close", "HELPDOCK_BUSINESS_HOURS_CLOSE"),
    ("queue.default", "HELPDOCK_QUEUE_DEFAULT"),
    ("queue.topics", "HELPDOCK_QUEUE_TOPICS"),
    ("queue.secs_per_position", "HELPDOCK_QUEUE_SECS_PER_POSITION"),
    ("queue.shown_to_agents", "HELPDOCK_QUEUE_SHOWN_TO_AGENTS"),
    ("queue.agents_refresh_ms", "HELPDOCK_QUEUE_AGENTS_REFRESH_MS"),
    ("limits.max_message_chars", "HELPDOCK_MAX_MESSAGE_CHARS"),
    ("limits.max_attachment_bytes", "HELPDOCK_MAX_ATTACHMENT_BYTES"),
    ("limits.messages_per_minute", "HELPDOCK_MESSAGES_PER_MINUTE"),
    ("limits.requests_per_minute", "HELPDOCK_REQUESTS_PER_MINUTE"),
    ("limits.idle_timeout_secs", "HELPDOCK_IDLE_TIMEOUT_SECS"),
    ("limits.max_handover_chars", "HELPDOCK_MAX_HANDOVER_CHARS"),
    ("limits.open_conversations_per_visitor", "HELPDOCK_OPEN_CONVERSATIONS_PER_VISITOR"),
    ("limits.sockets_per_visitor", "HELPDOCK_SOCKETS_PER_VISITOR"),
    ("limits.sockets_per_ip", "HELPDOCK_SOCKETS_PER_IP"),
    ("limits.hello_timeout_secs", "HELPDOCK_HELLO_TIMEOUT_SECS"),
    ("limits.write_timeout_secs", "HELPDOCK_WRITE_TIMEOUT_SECS"),
    ("limits.queued_expiry_secs", "HELPDOCK_QUEUED_EXPIRY_SECS"),
    ("limits.mails_per_ip_per_hour", "HELPDOCK_MAILS_PER_IP_PER_HOUR"),
    ("limits.mails_per_hour", "HELPDOCK_MAILS_PER_HOUR"),
    ("limits.pending_uploads_per_visitor", "HELPDOCK_PENDING_UPLOADS_PER_VISITOR"),
    ("limits.upload_bytes_per_ip_per_hour", "HELPDOCK_UPLOAD_BYTES_PER_IP_PER_HOUR"),
    ("limits.max_storage_bytes", "HELPDOCK_MAX_STORAGE_BYTES"),
    ("limits.header_read_timeout_secs", "HELPDOCK_HEADER_READ_TIMEOUT_SECS"),
    ("limits.body_timeout_secs", "HELPDOCK_BODY_TIMEOUT_SECS"),
    ("limits.visitor_token_idle_secs", "HELPDOCK_VISITOR_TOKEN_IDLE_SECS"),
    ("smtp.host", "HELPDOCK_SMTP_HOST"),
    ("smtp.port", "HELPDOCK_SMTP_PORT"),
    ("smtp.from", "HELPDOCK_SMTP_FROM"),
    ("smtp.username", "HELPDOCK_SMTP_USERNAME"),
    ("smtp.password", "HELPDOCK_SMTP_PASSWORD"),
    ("smtp.tls", "HELPDOCK_SMTP_TLS"),
    ("inbound_mail.listen", "HELPDOCK_INBOUND_MAIL_LISTEN"),
    ("inbound_mail.address", "HELPDOCK_INBOUND_MAIL_ADDRESS"),
];

/// A setting that could not be used, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or `environment`), line when known, and setting.
    pub origin: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads a TOML file (when given) and applies the environment.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
                    origin: path.display().to_string(),
                    message: format!("cannot read the configuration file: {e}"),
                })?;
                Config::from_toml(&text, &path.display().to_string())?
            }
            None => Config::default(),
        };
        config.with_env(env)
    }

    /// Reads TOML text; `name` is used in errors (`name:line: field: …`).
    pub fn from_toml(text: &str, name: &str) -> Result<Config, ConfigError> {
        let deserializer = toml::Deserializer::new(text);
        let config: Config = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let line = inner.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let origin = match line {
                Some(line) => format!("{name}:{line}"),
                None => name.to_string(),
            };
            ConfigError { origin, message: field_message(&path, inner.message()) }
        })?;
        config.validate().map_err(|(field, message)| {
            let line = line_of_key(text, &field);
            ConfigError {
                origin: line.map_or_else(|| name.to_string(), |l| format!("{name}:{l}")),
                message: format!("{field}: {message}"),
            }
        })?;
        Ok(config)
    }

    /// Applies `HELPDOCK_*` variables (see [`ENV_KEYS`]) on top. A value is
    /// read as TOML when it parses as one (numbers, `["a", "b"]`, `{a =
    /// "q"}`), otherwise as a string; lists also accept `a,b`.
    pub fn with_env(self, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut tree = toml::Value::try_from(&self).expect("the configuration serialises");
        let mut any = false;
        for (key, var) in ENV_KEYS {
            let Some(raw) = env(var) else { continue };
            any = true;
            let value = env_value(key, &raw);
            let mut node = &mut tree;
            let parts: Vec<&str> = key.split('.').collect();
            for part in &parts[..parts.len() - 1] {
                let table = node.as_table_mut().expect("configuration sections are tables");
                node = table.entry(part.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            }
            node.as_table_mut()
                .expect("configuration sections are tables")
                .insert(parts[parts.len() - 1].into(), value);
        }
        if !any {
            return Ok(self);
        }
        let config: Config = serde_path_to_error::deserialize(tree).map_err(|e| {
            let path = e.path().to_string();
            let var = env_var_for(&path);
            ConfigError {
                origin: format!("environment variable {var}"),
                message: field_message(&path, e.inner().message()),
            }
        })?;
        config.validate().map_err(|(field, message)| ConfigError {
            origin: format!("environment variable {}", env_var_for(&field)),
            message: format!("{field}: {message}"),
        })?;
        Ok(config)
    }

    /// What is wrong with `redis` (a node of several), if anything.
    pub fn cluster_problem(&self) -> Option<String> {
        let redis = self.redis.as_ref()?;
        if !(redis.starts_with("redis://") || redis.starts_with("rediss://")) {
            return Some(format!("redis must be a redis:// or rediss:// URL, not {redis:?}"));
        }
        if !self.database.starts_with("postgres://") && !self.database.starts_with("postgresql://") {
            return Some(
                "several nodes share one PostgreSQL database: with redis set, database must be a postgres:// URL"
                    .into(),
            );
        }
        None
    }

    /// Checks what types cannot: (field, problem).
    fn validate(&self) -> Result<(), (String, String)> {
        if self.database.trim().is_empty() {
            return Err(("database".into(), "must not be empty".into()));
        }
        if let Some(message) = self.cluster_problem() {
            return Err(("redis".into(), message));
        }
        if let Err(message) = self.proxies() {
            return Err(("trusted_proxies".into(), message));
        }
        if let Some(secret) = &self.host_secret {
            if secret.len() < 8 {
                return Err(("host_secret".into(), "must have at least 8 characters".into()));
            }
        }
        if let Some(url) = &self.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.ends_with('/') {
                return Err((
                    "public_url".into(),
                    format!("{url:?} is not a URL like \"https://support.example.com\" (no trailing slash)"),
                ));
            }
        }
        for origin in &self.allowed_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) || origin.ends_with('/') {
                return Err((
                    "allowed_origins".into(),
                    format!("{origin:?} is not an origin like \"https://www.example.com\""),
                ));
            }
        }
        if self.queue.default.trim().is_empty() {
            return Err(("queue.default".into(), "must name a queue".into()));
        }
        let limits = &self.limits;
        for (field, value) in [
            ("queue.shown_to_agents", u64::from(self.queue.shown_to_agents)),
            ("limits.max_message_chars", u64::from(limits.max_message_chars)),
            ("limits.max_attachment_bytes", limits.max_attachment_bytes),
            ("limits.messages_per_minute", u64::from(limits.messages_per_minute)),
            ("limits.requests_per_minute", u64::from(limits.requests_per_minute)),
            ("limits.idle_timeout_secs", u64::from(limits.idle_timeout_secs)),
            ("limits.max_handover_chars", u64::from(limits.max_handover_chars)),
            ("limits.open_conversations_per_visitor", u64::from(limits.open_conversations_per_visitor)),
            ("limits.sockets_per_visitor", u64::from(limits.sockets_per_visitor)),
            ("limits.sockets_per_ip", u64::from(limits.sockets_per_ip)),
            ("limits.hello_timeout_secs", u64::from(limits.hello_timeout_secs)),
            ("limits.write_timeout_secs", u64::from(limits.write_timeout_secs)),
            ("limits.queued_expiry_secs", u64::from(limits.queued_expiry_secs)),
            ("limits.mails_per_ip_per_hour", u64::from(limits.mails_per_ip_per_hour)),
            ("limits.mails_per_hour", u64::from(limits.mails_per_hour)),
            ("limits.pending_uploads_per_visitor", u64::from(limits.pending_uploads_per_visitor)),
            ("limits.upload_bytes_per_ip_per_hour", limits.upload_bytes_per_ip_per_hour),
            ("limits.max_storage_bytes", limits.max_storage_bytes),
            ("limits.header_read_timeout_secs", u64::from(limits.header_read_timeout_secs)),
            ("limits.body_timeout_secs", u64::from(limits.body_timeout_secs)),
            ("limits.visitor_token_idle_secs", limits.visitor_token_idle_secs),
        ] {
            if value == 0 {
                return Err((field.into(), "must be greater than 0".into()));
            }
        }
        if let Some(hours) = &self.business_hours {
            if hours.close.0 <= hours.open.0 {
                return Err(("business_hours.close".into(), "must be later than business_hours.open".into()));
            }
            if hours.days.is_empty() {
                return Err(("business_hours.days".into(), "must list at least one day".into()));
            }
        }
        if let Some(smtp) = &self.smtp {
            if !smtp.from.contains('@') {
                return Err(("smtp.from".into(), format!("{:?} is not an e-mail address", smtp.from)));
            }
        }
        if let Some(inbound) = &self.inbound_mail {
            inbound.validate().map_err(|message| ("inbound_mail.address".to_string(), message))?;
        }
        Ok(())
    }

    /// `trusted_proxies`, read.
    pub fn proxies(&self) -> Result<Vec<crate::client_ip::Block>, String> {
        self.trusted_proxies.iter().map(|p| crate::client_ip::Block::parse(p)).collect()
    }

    /// Where links in e-mails point: `public_url`, else the loopback listen
    /// address (a local demo); `None` when neither is known.
    pub fn link_base(&self) -> Option<String> {
        match &self.public_url {
            Some(url) => Some(url.clone()),
            None if self.is_loopback() => Some(format!("http://{}", self.listen)),
            None => None,
        }
    }

    /// Whether the listener is on loopback (cookies then drop `Secure`, as
    /// a browser would not send them back over plain http otherwise).
    pub fn is_loopback(&self) -> bool {
        self.listen.ip().is_loopback()
    }
}

fn field_message(path: &str, message: &str) -> String {
    let message = message.trim();
    if path.is_empty() || path == "." {
        message.to_string()
    } else {
        format!("{path}: {message}")
    }
}

fn env_var_for(path: &str) -> &'static str {
    ENV_KEYS
        .iter()
        .filter(|(key, _)| path == *key || path.starts_with(&format!("{key}.")) || key.starts_with(&format!("{path}.")))
        .map(|(_, var)| *var)
        .next()
        .unwrap_or("HELPDOCK_*")
}

fn env_value(key: &str, raw: &str) -> toml::Value {
    if let Ok(table) = format!("v = {raw}").parse::<toml::Table>() {
        if let Some(value) = table.get("v") {
            return value.clone();
        }
    }
    if matches!(key, "allowed_origins" | "official_domains" | "business_hours.days") {
        let items = raw.split(',').map(str::trim).filter(|s| !s.is_empty());
        return toml::Value::Array(items.map(|s| toml::Value::String(s.into())).collect());
    }
    toml::Value::String(raw.to_string())
}

/// The line where `a.b` is set in TOML text: the `b =` line inside `[a]`.
fn line_of_key(text: &str, field: &str) -> Option<usize> {
    let (section, key) = field.rsplit_once('.').unwrap_or(("", field));
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim().to_string();
        } else if current == section && line.split('=').next().map(str::trim) == Some(key) {
            return Some(i + 1);
        }
    }
    None
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

/// A time of day, in minutes after midnight; written `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTime(pub u32);

/// An offset from UTC in minutes; written `+08:00`, `-05:30` or `Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset(pub i32);

impl Serialize for ClockTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:02}:{:02}", self.0 / 60, self.0 % 60))
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ClockTime, D::Error> {
        let text = String::deserialize(d)?;
        parse_hh_mm(&text)
            .filter(|&m| m <= 24 * 60)
            .map(ClockTime)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a time like \"09:00\"")))
    }
}

impl Serialize for UtcOffset {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sign = if self.0 < 0 { '-' } else { '+' };
        let m = self.0.unsigned_abs();
        s.serialize_str(&format!("{sign}{:02}:{:02}", m / 60, m % 60))
    }
}

impl<'de> Deserialize<'de> for UtcOffset {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<UtcOffset, D::Error> {
        let text = String::deserialize(d)?;
        if text == "Z" {
            return Ok(UtcOffset(0));
        }
        let parsed = match text.as_bytes().first() {
            Some(b'+') => parse_hh_mm(&text[1..]).map(|m| m as i32),
            Some(b'-') => parse_hh_mm(&text[1..]).map(|m| -(m as i32)),
            _ => None,
        };
        parsed
            .filter(|m| m.abs() <= 14 * 60)
            .map(UtcOffset)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a UTC offset like \"+08:00\"")))
    }
}

fn parse_hh_mm(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60).then_some(h * 60 + m)
}

impl BusinessHours {
    /// Whether `now_ms` falls inside the hours.
    pub fn is_open(&self, now_ms: i64) -> bool {
        let local_min = now_ms.div_euclid(60_000) + i64::from(self.utc_offset.0);
        let days = local_min.div_euclid(24 * 60);
        let minute = local_min.rem_euclid(24 * 60) as u32;
        // 1970-01-01 was a Thursday.
        let weekday =
            [Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun, Weekday::Mon, Weekday::Tue, Weekday::Wed]
                [days.rem_euclid(7) as usize];
        self.days.contains(&weekday) && minute >= self.open.0 && minute < self.close.0
    }

    /// When the hours next begin after `now_ms` (`None` while open, or when
    /// no day is listed).
    pub fn opens_at(&self, now_ms: i64) -> Option<i64> {
        if self.is_open(now_ms) {
            return None;
        }
        let offset_ms = i64::from(self.utc_offset.0) * 60_000;
        let local_day = (now_ms + offset_ms).div_euclid(86_400_000);
        (0..=7)
            .map(|d| (local_day + d) * 86_400_000 + i64::from(self.open.0) * 60_000 - offset_ms)
            .find(|&start| start > now_ms && self.is_open(start))
    }

    /// What the session tells the widget.
    pub fn availability(&self, now_ms: i64) -> helpdock_core::protocol::Availability {
        helpdock_core::protocol::Availability { live_chat: self.is_open(now_ms), opens_at: self.opens_at(now_ms) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_read_and_a_wrong_one_named() {
        let config = Config::from_toml("trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n", "c.toml").unwrap();
        assert_eq!(config.proxies().unwrap().len(), 2);
        let err = Config::from_toml("trusted_proxies = [\"10.0.0.0/33\"]\n", "c.toml").unwrap_err().to_string();
        assert!(err.contains("trusted_proxies") && err.contains("prefix length must be 0 to 32"), "{err}");
    }

    #[test]
    fn out_of_hours_the_next_opening_is_named() {
        let text = "[business_hours]\nutc_offset = \"+08:00\"\ndays = [\"mon\", \"tue\"]\nopen = \"09:00\"\nclose = \"18:00\"\n";
        let hours = Config::from_toml(text, "c.toml").unwrap().business_hours.unwrap();
        // 2026-11-24 is a Tuesday; 20:00 in UTC+8 is 12:00 UTC.
        let tuesday_8pm = 1_795_478_400_000 + 12 * 3_600_000;
        assert!(!hours.is_open(tuesday_8pm));
        // Next Monday 09:00 in UTC+8 = 2026-11-30 01:00 UTC.
        assert_eq!(hours.opens_at(tuesday_8pm), Some(1_796_000_400_000));
        let tuesday_10am = 1_795_478_400_000 + 2 * 3_600_000;
        assert!(hours.is_open(tuesday_10am));
        assert_eq!(hours.availability(tuesday_10am).opens_at, None);
    }

    #[test]
    fn a_wrong_type_names_file_line_and_field() {
        let text = "listen = \"127.0.0.1:0\"\n\n[limits]\nmax_message_chars = \"many\"\n";
        let err = Config::from_toml(text, "helpdock.toml").unwrap_err();
        assert_eq!(err.origin, "helpdock.toml:4");
        assert!(err.message.starts_with("limits.max_message_chars: invalid type"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let err = Config::from_toml("[smtp]\nhost = \"x\"\nfrom = \"a@b\"\nprot = 25\n", "c.toml").unwrap_err();
        assert_eq!(err.origin, "c.toml:4");
        assert!(err.message.contains("unknown field `prot`"), "{err}");
    }

    #[test]
    fn a_semantic_mistake_names_its_line() {
        let err = Config::from_toml(
            "[business_hours]\nutc_offset = \"+08:00\"\ndays = [\"mon\"]\nopen = \"18:00\"\nclose = \"09:00\"\n",
            "c.toml",
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "c.toml:5: business_hours.close: must be later than business_hours.open");
        let err = Config::from_toml("[business_hours]\nutc_offset = \"8\"\n", "c.toml").unwrap_err();
        assert!(err.to_string().starts_with("c.toml:2: business_hours.utc_offset: \"8\" is not a UTC offset"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file_and_names_the_variable() {
        let config =
            Config::from_toml("host_secret = \"from-the-file\"\n[queue.topics]\nkyc = \"identity\"\n", "c.toml")
                .unwrap();
        let env = |name: &str| match name {
            "HELPDOCK_HOST_SECRET" => Some("from-the-environment".to_string()),
            "HELPDOCK_MAX_MESSAGE_CHARS" => Some("200".to_string()),
            "HELPDOCK_ALLOWED_ORIGINS" => Some("https://a.example, https://b.example".to_string()),
            "HELPDOCK_OFFICIAL_DOMAINS" => Some("example.com,example.org".to_string()),
            _ => None,
        };
        let config = config.with_env(env).unwrap();
        assert_eq!(config.host_secret.as_deref(), Some("from-the-environment"));
        assert_eq!(config.limits.max_message_chars, 200);
        assert_eq!(config.allowed_origins, ["https://a.example", "https://b.example"]);
        assert_eq!(config.official_domains, ["example.com", "example.org"]);
        assert_eq!(config.queue.route(Some("kyc")), "identity");
        assert_eq!(config.queue.route(Some("other")), "general");
        let err =
            Config::default().with_env(|name| (name == "HELPDOCK_SMTP_PORT").then(|| "x".to_string())).unwrap_err();
        assert!(err.to_string().starts_with("environment variable HELPDOCK_SMTP_"), "{err}");
        let err = Config::default()
            .with_env(|name| (name == "HELPDOCK_MESSAGES_PER_MINUTE").then(|| "0".to_string()))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable HELPDOCK_MESSAGES_PER_MINUTE: limits.messages_per_minute: must be greater than 0"
        );
    }

    #[test]
    fn the_reply_address_carries_a_token_and_only_its_own_shape_matches() {
        let text = "[inbound_mail]\nlisten = \"127.0.0.1:2525\"\naddress = \"Support+{token}@Support.example.com\"\n";
        let inbound = Config::from_toml(text, "c.toml").unwrap().inbound_mail.unwrap();
        assert_eq!(inbound.reply_address("9f3c"), "Support+9f3c@Support.example.com");
        assert_eq!(inbound.token_of("support+9F3C@support.EXAMPLE.com").as_deref(), Some("9f3c"));
        assert_eq!(inbound.token_of("support+@support.example.com"), None);
        assert_eq!(inbound.token_of("support+a.b@support.example.com"), None);
        assert_eq!(inbound.token_of("sales+9f3c@support.example.com"), None);
        let err =
            Config::from_toml("[inbound_mail]\nlisten = \"127.0.0.1:0\"\naddress = \"support@x.example\"\n", "c.toml")
                .unwrap_err();
        assert!(
            err.to_string().starts_with("c.toml:3: inbound_mail.address: \"support@x.example\" must have {token}"),
            "{err}"
        );
        let err = Config::default()
            .with_env(|name| (name == "HELPDOCK_INBOUND_MAIL_LISTEN").then(|| "127.0.0.1:2525".to_string()))
            .unwrap_err();
        assert!(err.to_string().starts_with("environment variable HELPDOCK_INBOUND_MAIL_"), "{err}");
    }

    #[test]
    fn business_hours_follow_the_offset() {
        let hours = BusinessHours {
            utc_offset: UtcOffset(8 * 60),
            days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
            open: ClockTime(9 * 60),
            close: ClockTime(18 * 60),
        };
        // 2026-11-24 is a Tuesday; 02:00 UTC is 10:00 in UTC+8.
        let tuesday_0200_utc = 1_795_485_600_000;
        assert!(hours.is_open(tuesday_0200_utc));
        assert!(!hours.is_open(tuesday_0200_utc + 9 * 3_600_000));
    }
}
