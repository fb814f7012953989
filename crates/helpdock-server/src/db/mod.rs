//! Storage: one set of portable migrations and plain SQL over sqlx's `Any`
//! driver, so SQLite (the default: one file, WAL, `synchronous=FULL`, so an
//! acknowledged message survives a power cut) and PostgreSQL run the same
//! statements. Placeholders are `$1`, which both accept; times are `BIGINT`
//! milliseconds; JSON documents are `TEXT`.
//!
//! Every write goes through `Db::writer`; reads use `Db::pool`. SQLite lets
//! one connection write at a time, and a second writer that meets the lock
//! waits in SQLite's busy handler, which sleeps 1 to 100 ms between tries,
//! so writes spread over several connections leave the lock idle while
//! waiters sleep (under load, most of the time). With one connection for
//! writes, writers queue in the pool in order and never sleep; in WAL mode
//! readers work beside it and see every commit. On PostgreSQL both are the
//! same pool. (So code holding a write transaction must not wait for
//! another write: on SQLite that write would wait for the connection it
//! holds.)
//!
//! Every transaction starts with a write, so SQLite takes its write lock at
//! once (waiting on `busy_timeout`, for another process such as `agent
//! add`) instead of failing to upgrade a read.

/// A table's row in one spelling: each field with the column it is read
/// from (and, for a computed one, the SQL expression), giving the struct,
/// `COLUMNS` for `SELECT` (each column behind the table's alias) and
/// `from_row`. A field is read with `try_get` unless `via` names a reader,
/// `fn(&AnyRow, &str) -> Result<T, sqlx::Error>` (an enum stored as text,
/// JSON text, a time that stands for a flag); `also` lists the columns a
/// reader reads besides its own.
macro_rules! row {
    (
        $(#[$meta:meta])*
        pub struct $name:ident as $alias:literal {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident: $ty:ty = $column:literal $(is $expr:literal)? $(via $read:path)?,
            )*
        }
        $(also $($extra:literal),+;)?
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// What `SELECT` lists to read one.
            pub(crate) const COLUMNS: &'static str =
                row!(@columns $alias; [] $( ($column $(, $expr)?) )* $($( ($extra) )+)?);

            pub(crate) fn from_row(row: &sqlx::any::AnyRow) -> Result<$name, sqlx::Error> {
                Ok($name { $( $field: row!(@read row, $column $(, $read)?), )* })
            }
        }
    };
    (@read $row:ident, $column:literal) => {
        sqlx::Row::try_get($row, $column)?
    };
    (@read $row:ident, $column:literal, $read:path) => {
        $read($row, $column)?
    };
    (@columns $alias:literal; [$($done:tt)*]) => {
        concat!($($done)*)
    };
    (@columns $alias:literal; [] ($column:literal) $($rest:tt)*) => {
        row!(@columns $alias; [$alias, $column] $($rest)*)
    };
    (@columns $alias:literal; [] ($column:literal, $expr:literal) $($rest:tt)*) => {
        row!(@columns $alias; [$expr, " AS ", $column] $($rest)*)
    };
    (@columns $alias:literal; [$($done:tt)+] ($column:literal) $($rest:tt)*) => {
        row!(@columns $alias; [$($done)+, ", ", $alias, $column] $($rest)*)
    };
    (@columns $alias:literal; [$($done:tt)+] ($column:literal, $expr:literal) $($rest:tt)*) => {
        row!(@columns $alias; [$($done)+, ", ", $expr, " AS ", $column] $($rest)*)
    };
}

/// Reads JSON text.
fn json_column<T: serde::de::DeserializeOwned>(row: &sqlx::any::AnyRow, column: &str) -> Result<T, sqlx::Error> {
    use sqlx::Row;
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| sqlx::Error::ColumnDecode { index: column.into(), source: Box::new(e) })
}

/// Reads a rating from `rating_score` and `rating_comment` (none without a
/// score).
fn rating_columns(row: &sqlx::any::AnyRow, _: &str) -> Result<Option<helpdock_core::protocol::Rating>, sqlx::Error> {
    use sqlx::Row;
    let Some(score) = row.try_get::<Option<i64>, _>("rating_score")? else { return Ok(None) };
    let comment = row.try_get("rating_comment")?;
    Ok(Some(helpdock_core::protocol::Rating { score: u8::try_from(score).unwrap_or(0), comment }))
}

mod addresses;
mod agents;
mod attachments;
mod conversations;
mod messages;
mod tickets;
mod visitors;

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

pub use addresses::AddressRow;
pub use agents::AgentRow;
pub use attachments::{attachment_url, AttachmentData, NewAttachment};
pub use conversations::{ConversationRow, NewConversation};
pub use messages::{MessageRow, NewMessage, Stored};
pub use tickets::{Appended, EntryRow, NewEntry, NewTicketRow, TicketFilter, TicketRow};
pub use visitors::VisitorRow;

/// The database.
#[derive(Debug, Clone)]
pub struct Db {
    /// Reads.
    pool: AnyPool,
    /// Writes (one connection on SQLite).
    writer: AnyPool,
    /// Messages on their way to the group commit (SQLite).
    group_commit: Option<tokio::sync::mpsc::Sender<messages::Queued>>,
    backend: Backend,
    /// A visitor token unused this long (ms) is refused.
    visitor_token_idle_ms: i64,
}

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The database's part of a failure at start-up.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no engine this server speaks.
    #[error("database {0:?}: expected a SQLite file path, sqlite://PATH or postgres://…")]
    Url(String),
    /// Connecting failed.
    #[error("cannot open the database {url}: {source}")]
    Connect {
        /// The URL, password removed.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Turns what the user wrote (`helpdock.sqlite`, `sqlite://x`,
/// `postgres://…`) into a URL sqlx accepts.
pub fn database_url(given: &str) -> Result<(String, Backend), DbError> {
    let given = given.trim();
    if given.starts_with("postgres://") || given.starts_with("postgresql://") {
        Ok((given.to_string(), Backend::Postgres))
    } else if let Some(rest) = given.strip_prefix("sqlite://").or_else(|| given.strip_prefix("sqlite:")) {
        let sep = if rest.contains('?') { '&' } else { '?' };
        let url =
            if rest.contains("mode=") { format!("sqlite://{rest}") } else { format!("sqlite://{rest}{sep}mode=rwc") };
        Ok((url, Backend::Sqlite))
    } else if given.contains("://") || given.is_empty() {
        Err(DbError::Url(given.to_string()))
    } else {
        Ok((format!("sqlite://{given}?mode=rwc"), Backend::Sqlite))
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_string(),
    }
}

impl Db {
    /// Deletes what can no longer be used: console sessions past their end,
    /// Reply-To tokens made before `reply_tokens_before`, and confirmation
    /// requests never confirmed made before `requests_before` (ms). How
    /// many rows went.
    pub async fn purge_expired(
        &self,
        now: i64,
        reply_tokens_before: i64,
        requests_before: i64,
    ) -> Result<u64, sqlx::Error> {
        let mut gone = 0;
        for (sql, at) in [
            ("DELETE FROM agent_sessions WHERE expires_at <= $1", now),
            ("DELETE FROM ticket_reply_tokens WHERE created_at < $1", reply_tokens_before),
            ("DELETE FROM mail_addresses WHERE confirmed_at IS NULL AND requested_at < $1", requests_before),
        ] {
            gone += sqlx::query(sql).bind(at).execute(&self.writer).await?.rows_affected();
        }
        Ok(gone)
    }

    /// The same database, refusing visitor tokens unused for `secs`.
    pub fn with_visitor_token_idle(mut self, secs: u64) -> Db {
        self.visitor_token_idle_ms = i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        self
    }

    /// Opens (creating a SQLite file if needed) and migrates.
    pub async fn open(given: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = database_url(given)?;
        let connect_err = |source| DbError::Connect { url: redact(&url), source };
        let options = AnyConnectOptions::from_str(&url).map_err(connect_err)?.disable_statement_logging();
        let pool_options = || {
            AnyPoolOptions::new().after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers work beside the writer; FULL makes
                        // a commit durable before the ack goes out.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 10000",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
        };
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                let writer =
                    pool_options().max_connections(1).connect_with(options.clone()).await.map_err(connect_err)?;
                sqlx::migrate!("./migrations").run(&writer).await?;
                let pool = pool_options().max_connections(4).connect_with(options).await.map_err(connect_err)?;
                (pool, writer)
            }
            Backend::Postgres => {
                let pool = pool_options().max_connections(10).connect_with(options).await.map_err(connect_err)?;
                sqlx::migrate!("./migrations").run(&pool).await?;
                (pool.clone(), pool)
            }
        };
        let group_commit =
            (backend == Backend::Sqlite).then(|| messages::spawn_group_commit(writer.clone(), pool.clone()));
        Ok(Db { pool, writer, group_commit, backend, visitor_token_idle_ms: i64::MAX })
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection (SQLite then checkpoints its WAL).
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// Whether an error is a unique-constraint violation (a concurrent insert
/// of the same thing).
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error().is_some_and(|e| e.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised() {
        assert_eq!(database_url("a.sqlite").unwrap(), ("sqlite://a.sqlite?mode=rwc".into(), Backend::Sqlite));
        assert_eq!(database_url("sqlite:///tmp/a.db").unwrap().0, "sqlite:///tmp/a.db?mode=rwc");
        assert_eq!(database_url("postgres://u:p@h/db").unwrap().1, Backend::Postgres);
        assert!(database_url("mysql://x").is_err());
        assert_eq!(redact("postgres://u:secret@h:5/db"), "postgres://…@h:5/db");
    }

    #[test]
    fn a_row_lists_its_columns_behind_its_alias_computed_ones_named() {
        assert_eq!(AgentRow::COLUMNS, "a.id, a.email, a.name, a.role, a.topics, a.password_hash");
        assert_eq!(AddressRow::COLUMNS, "visitor_id, address, requested_at, confirmed_at, held");
        assert!(ConversationRow::COLUMNS.ends_with("agent_read_seq, rating_score, rating_comment"));
        let tickets = TicketRow::COLUMNS;
        assert!(tickets.starts_with("t.id, t.number, "), "{tickets}");
        assert!(!tickets.contains("t.e.") && tickets.contains(") AS agent_unread, t.rating_comment"), "{tickets}");
    }
}
