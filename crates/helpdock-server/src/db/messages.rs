//! Messages: stored once per `clientId`, numbered in the same transaction.

use helpdock_core::protocol::{Attachment, Author, AuthorKind, Message};
use sqlx::any::AnyRow;
use sqlx::Row;

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
pub struct NewMessage<'a> {
    /// The conversation.
    pub conversation: &'a str,
    /// The sender's id for it (none for system lines).
    pub client_id: Option<&'a str>,
    /// Who.
    pub author: AuthorKind,
    /// The agent, for an agent's message.
    pub agent_id: Option<&'a str>,
    /// Text.
    pub body: &'a str,
    /// Files, already checked to be the sender's.
    pub attachments: &'a [Attachment],
    /// Now.
    pub at: i64,
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
            },
            agent_id: row.try_get("agent_id")?,
        })
    }
}

const SELECT: &str = "SELECT m.conversation_id, m.seq, m.client_id, m.author_kind, m.agent_id, m.body, m.attachments, \
     m.at, a.name AS agent_name FROM messages m LEFT JOIN agents a ON a.id = m.agent_id";

impl Db {
    /// Stores a message: one transaction bumps the conversation's
    /// `last_seq` (its first statement, which serialises senders) and
    /// inserts the message with it. A `clientId` seen before returns the
    /// stored message instead, whether the earlier send committed long ago
    /// or a moment ago on another connection.
    pub async fn store_message(&self, new: &NewMessage<'_>) -> Result<Stored, sqlx::Error> {
        if let Some(client_id) = new.client_id {
            if let Some(existing) = self.message_by_client(new.conversation, client_id).await? {
                return Ok(Stored::Duplicate(existing));
            }
        }
        let mut tx = self.pool.begin().await?;
        let seq: Option<i64> = sqlx::query_scalar(
            "UPDATE conversations SET last_seq = last_seq + 1, updated_at = $2 WHERE id = $1 AND status <> 'closed' \
             RETURNING last_seq",
        )
        .bind(new.conversation)
        .bind(new.at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(seq) = seq else {
            tx.rollback().await?;
            return Ok(Stored::Closed);
        };
        let inserted = sqlx::query(
            "INSERT INTO messages (conversation_id, seq, client_id, author_kind, agent_id, body, attachments, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new.conversation)
        .bind(seq)
        .bind(new.client_id)
        .bind(kind_name(new.author))
        .bind(new.agent_id)
        .bind(new.body)
        .bind(serde_json::to_string(new.attachments).expect("attachments serialise"))
        .bind(new.at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => tx.commit().await?,
            Err(e) if is_unique_violation(&e) && new.client_id.is_some() => {
                tx.rollback().await?;
                let existing = self.message_by_client(new.conversation, new.client_id.unwrap_or_default()).await?;
                return existing.map(Stored::Duplicate).ok_or(e);
            }
            Err(e) => return Err(e),
        }
        let sql = format!("{SELECT} WHERE m.conversation_id = $1 AND m.seq = $2");
        let row = sqlx::query(&sql).bind(new.conversation).bind(seq).fetch_one(&self.pool).await?;
        Ok(Stored::New(MessageRow::from_row(&row)?))
    }

    /// The message a sender stored with this `clientId`.
    pub async fn message_by_client(
        &self,
        conversation: &str,
        client_id: &str,
    ) -> Result<Option<MessageRow>, sqlx::Error> {
        let sql = format!("{SELECT} WHERE m.conversation_id = $1 AND m.client_id = $2");
        let row = sqlx::query(&sql).bind(conversation).bind(client_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(MessageRow::from_row).transpose()
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
