//! Messages: stored once per `clientId`, numbered in the same transaction.
//!
//! On SQLite, messages are stored by a group commit: a task takes every
//! message waiting, stores them in one transaction, and answers each sender
//! once that transaction has committed. A commit costs an `fsync`
//! (`synchronous = FULL`), about a millisecond, and one connection writes;
//! one commit per message caps the server at a few hundred messages a
//! second with waits growing behind it, one commit per batch does not. No
//! message is answered before the commit that holds it, so the ack still
//! means "stored". When a batch fails (a resend racing its first copy, the
//! disk), nothing of it was stored and each message is stored on its own,
//! with its own outcome. PostgreSQL commits concurrent transactions
//! together by itself, so there every message has its own transaction.

use helpdock_core::protocol::{Attachment, Author, AuthorKind, Message, SystemNote};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::{is_unique_violation, Db};

/// A stored message and, for an agent's, the agent's id and name.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRow {
    /// The message as the protocol shows it.
    pub message: Message,
    /// The agent who wrote it.
    pub agent_id: Option<String>,
}

/// What storing a message needs.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// The conversation.
    pub conversation: String,
    /// The sender's id for it (none for system lines).
    pub client_id: Option<String>,
    /// Who.
    pub author: AuthorKind,
    /// The agent, for an agent's message.
    pub agent_id: Option<String>,
    /// The agent's display name, shown with the message.
    pub agent_name: Option<String>,
    /// Text.
    pub body: String,
    /// Files, already checked to be the sender's.
    pub attachments: Vec<Attachment>,
    /// Now.
    pub at: i64,
    /// What a system message says, for clients to word it.
    pub system: Option<SystemNote>,
}

/// The outcome of [`Db::store_message`].
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    /// Stored now, with the next seq.
    New(MessageRow),
    /// The same `clientId` was stored before: that message.
    Duplicate(MessageRow),
    /// The conversation is closed (or does not exist): nothing stored.
    Closed,
}

/// Most messages in one group commit.
const MAX_BATCH: usize = 256;

/// A message waiting for the group commit, and its sender's answer.
#[derive(Debug)]
pub(super) struct Queued {
    message: NewMessage,
    done: oneshot::Sender<Result<Stored, sqlx::Error>>,
}

/// Starts the group-commit task; it ends when every sender is dropped
/// (every clone of the `Db`).
pub(super) fn spawn_group_commit(writer: AnyPool, reader: AnyPool) -> mpsc::Sender<Queued> {
    let (tx, mut rx) = mpsc::channel::<Queued>(4 * MAX_BATCH);
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        // What arrives while a batch commits makes the next batch.
        while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
            match store_batch(&writer, &batch).await {
                Ok(stored) => {
                    for (queued, stored) in batch.drain(..).zip(stored) {
                        let _ = queued.done.send(Ok(stored));
                    }
                }
                Err(_) => {
                    for queued in batch.drain(..) {
                        let _ = queued.done.send(store_one(&writer, &reader, &queued.message).await);
                    }
                }
            }
        }
    });
    tx
}

/// Bumps the conversation's `last_seq` and inserts the message with it;
/// `None` when the conversation is closed (nothing written).
async fn insert(tx: &mut Transaction<'_, Any>, new: &NewMessage) -> Result<Option<i64>, sqlx::Error> {
    let seq: Option<i64> = sqlx::query_scalar(
        "UPDATE conversations SET last_seq = last_seq + 1, updated_at = $2 WHERE id = $1 AND status <> 'closed' \
         RETURNING last_seq",
    )
    .bind(&new.conversation)
    .bind(new.at)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(seq) = seq else { return Ok(None) };
    sqlx::query(
        "INSERT INTO messages (conversation_id, seq, client_id, author_kind, agent_id, body, attachments, at, \
         system_note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&new.conversation)
    .bind(seq)
    .bind(&new.client_id)
    .bind(kind_name(new.author))
    .bind(&new.agent_id)
    .bind(&new.body)
    .bind(serde_json::to_string(&new.attachments).expect("attachments serialise"))
    .bind(new.at)
    .bind(new.system.as_ref().map(|n| serde_json::to_string(n).expect("notes serialise")))
    .execute(&mut **tx)
    .await?;
    Ok(Some(seq))
}

/// The row just written; reading it back would cost a round trip per
/// message for nothing.
fn stored(new: &NewMessage, seq: i64) -> Stored {
    Stored::New(MessageRow {
        message: Message {
            conversation: new.conversation.clone(),
            seq: u64::try_from(seq).unwrap_or(0),
            client_id: new.client_id.clone(),
            author: Author { kind: new.author, name: new.agent_name.clone(), avatar: None },
            body: new.body.clone(),
            attachments: new.attachments.clone(),
            at: new.at,
            system: new.system.clone(),
        },
        agent_id: new.agent_id.clone(),
    })
}

/// Stores a batch in one transaction, or nothing at all.
async fn store_batch(writer: &AnyPool, batch: &[Queued]) -> Result<Vec<Stored>, sqlx::Error> {
    let mut tx = writer.begin().await?;
    let mut out = Vec::with_capacity(batch.len());
    for queued in batch {
        match insert(&mut tx, &queued.message).await {
            Ok(Some(seq)) => out.push(stored(&queued.message, seq)),
            Ok(None) => out.push(Stored::Closed),
            Err(e) => {
                tx.rollback().await?;
                return Err(e);
            }
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// Stores one message in its own transaction; a `clientId` stored before
/// (the unique index refuses the second row) answers with that message.
async fn store_one(writer: &AnyPool, reader: &AnyPool, new: &NewMessage) -> Result<Stored, sqlx::Error> {
    let mut tx = writer.begin().await?;
    match insert(&mut tx, new).await {
        Ok(Some(seq)) => {
            tx.commit().await?;
            Ok(stored(new, seq))
        }
        Ok(None) => {
            tx.rollback().await?;
            Ok(Stored::Closed)
        }
        Err(e) => {
            tx.rollback().await?;
            match &new.client_id {
                Some(client_id) if is_unique_violation(&e) => {
                    message_by_client(reader, &new.conversation, client_id).await?.map(Stored::Duplicate).ok_or(e)
                }
                _ => Err(e),
            }
        }
    }
}

async fn message_by_client(
    reader: &AnyPool,
    conversation: &str,
    client_id: &str,
) -> Result<Option<MessageRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE m.conversation_id = $1 AND m.client_id = $2");
    let row = sqlx::query(&sql).bind(conversation).bind(client_id).fetch_optional(reader).await?;
    row.as_ref().map(MessageRow::from_row).transpose()
}

fn kind_name(kind: AuthorKind) -> &'static str {
    match kind {
        AuthorKind::Visitor => "visitor",
        AuthorKind::Agent => "agent",
        AuthorKind::System => "system",
    }
}

impl MessageRow {
    fn from_row(row: &AnyRow) -> Result<MessageRow, sqlx::Error> {
        let kind: String = row.try_get("author_kind")?;
        let kind = match kind.as_str() {
            "visitor" => AuthorKind::Visitor,
            "agent" => AuthorKind::Agent,
            _ => AuthorKind::System,
        };
        let attachments: String = row.try_get("attachments")?;
        let attachments = serde_json::from_str(&attachments)
            .map_err(|e| sqlx::Error::ColumnDecode { index: "attachments".into(), source: Box::new(e) })?;
        let system: Option<String> = row.try_get("system_note")?;
        let system = system
            .map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|e| sqlx::Error::ColumnDecode { index: "system_note".into(), source: Box::new(e) })?;
        let seq: i64 = row.try_get("seq")?;
        Ok(MessageRow {
            message: Message {
                conversation: row.try_get("conversation_id")?,
                seq: u64::try_from(seq).unwrap_or(0),
                client_id: row.try_get("client_id")?,
                author: Author { kind, name: row.try_get("agent_name")?, avatar: None },
                body: row.try_get("body")?,
                attachments,
                at: row.try_get("at")?,
                system,
            },
            agent_id: row.try_get("agent_id")?,
        })
    }
}

const SELECT: &str = "SELECT m.conversation_id, m.seq, m.client_id, m.author_kind, m.agent_id, m.body, m.attachments, \
     m.at, m.system_note, a.name AS agent_name FROM messages m LEFT JOIN agents a ON a.id = m.agent_id";

impl Db {
    /// Stores a message: one transaction bumps the conversation's
    /// `last_seq` (its first statement, which serialises senders) and
    /// inserts the message with it, and this returns once it has
    /// committed. A `clientId` seen before returns the stored message
    /// instead, whether the earlier send committed long ago or a moment ago
    /// on another connection: the unique index refuses the second row.
    /// (Callers look for a resend first, which is cheaper than a
    /// transaction rolled back.)
    pub async fn store_message(&self, new: NewMessage) -> Result<Stored, sqlx::Error> {
        let Some(commits) = &self.group_commit else {
            return store_one(&self.writer, &self.pool, &new).await;
        };
        let (done, answer) = oneshot::channel();
        commits.send(Queued { message: new, done }).await.map_err(|_| sqlx::Error::PoolClosed)?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }

    /// The message a sender stored with this `clientId`.
    pub async fn message_by_client(
        &self,
        conversation: &str,
        client_id: &str,
    ) -> Result<Option<MessageRow>, sqlx::Error> {
        message_by_client(&self.pool, conversation, client_id).await
    }

    /// Messages with `seq > after`, in order.
    pub async fn messages_after(&self, conversation: &str, after: i64) -> Result<Vec<MessageRow>, sqlx::Error> {
        let sql = format!("{SELECT} WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq");
        let rows = sqlx::query(&sql).bind(conversation).bind(after).fetch_all(&self.pool).await?;
        rows.iter().map(MessageRow::from_row).collect()
    }

    /// How many messages carry this `clientId` (tests check "stored once").
    pub async fn count_messages_with_client_id(&self, conversation: &str, client_id: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND client_id = $2")
            .bind(conversation)
            .bind(client_id)
            .fetch_one(&self.pool)
            .await
    }
}

#[cfg(test)]
mod tests {
    use helpdock_core::protocol::AuthorKind;

    use super::{NewMessage, Stored};
    use crate::db::{Db, NewConversation, VisitorRow};
    use crate::token::{now_ms, random_id};

    fn message(conversation: &str, client_id: &str) -> NewMessage {
        NewMessage {
            conversation: conversation.into(),
            client_id: Some(client_id.into()),
            author: AuthorKind::Visitor,
            agent_id: None,
            agent_name: None,
            body: format!("message {client_id}"),
            attachments: Vec::new(),
            at: now_ms(),
            system: None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_sends_share_commits_get_distinct_seqs_and_a_racing_resend_is_stored_once() {
        let dir = std::env::temp_dir().join(random_id("helpdock-db-"));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::open(&dir.join("t.sqlite").display().to_string()).await.unwrap();
        let visitor = VisitorRow::anonymous(None);
        db.create_visitor(&visitor).await.unwrap();
        let new = NewConversation {
            id: random_id("c_"),
            visitor_id: visitor.id.clone(),
            client_id: "c-1".into(),
            topic: None,
            queue: "general".into(),
            locale: None,
            reason: None,
            transcript: Vec::new(),
            fields: Vec::new(),
            at: now_ms(),
        };
        let (conversation, _) = db.start_conversation(&new).await.unwrap();
        // 200 sends at once, and the same clientId twice among them: the
        // batch holding both fails, and its messages are stored one by one.
        let mut sends = Vec::new();
        for i in 0..200 {
            let client_id = if i == 150 { "m-7".to_string() } else { format!("m-{i}") };
            let (db, id) = (db.clone(), conversation.id.clone());
            sends.push(tokio::spawn(async move { db.store_message(message(&id, &client_id)).await.unwrap() }));
        }
        let mut seqs = Vec::new();
        let mut duplicates = 0;
        for send in sends {
            match send.await.unwrap() {
                Stored::New(row) => seqs.push(row.message.seq),
                Stored::Duplicate(row) => {
                    assert_eq!(row.message.client_id.as_deref(), Some("m-7"));
                    duplicates += 1;
                }
                Stored::Closed => panic!("the conversation is open"),
            }
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=199).collect::<Vec<u64>>(), "one seq each, no gap");
        assert_eq!(duplicates, 1);
        assert_eq!(db.count_messages_with_client_id(&conversation.id, "m-7").await.unwrap(), 1);
        let stored = db.messages_after(&conversation.id, 0).await.unwrap();
        assert_eq!(stored.len(), 199, "every answer was stored (and committed) before it was given");
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
