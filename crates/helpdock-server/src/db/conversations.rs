//! Conversations: starting, listing, the queue, assignment, closing, rating.

use helpdock_core::protocol::{ConversationStatus, Field, Rating, TranscriptLine};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{is_unique_violation, json_column, rating_columns, Db};

row! {
    /// A stored conversation.
    #[derive(Debug, Clone, PartialEq)]
    pub struct ConversationRow as "" {
        /// Id (`c_…`, unguessable).
        pub id: String = "id",
        /// Whose.
        pub visitor_id: String = "visitor_id",
        /// The widget's id for the start request.
        pub client_id: String = "client_id",
        /// Topic (the bot's flow).
        pub topic: Option<String> = "topic",
        /// The queue routing chose.
        pub queue: String = "queue",
        /// Locale.
        pub locale: Option<String> = "locale",
        /// Why the bot handed over.
        pub reason: Option<String> = "reason",
        /// The bot transcript.
        pub transcript: Vec<TranscriptLine> = "transcript" via json_column,
        /// Collected fields.
        pub fields: Vec<Field> = "fields" via json_column,
        /// Where it stands.
        pub status: ConversationStatus = "status" via status_column,
        /// The agent handling it.
        pub agent_id: Option<String> = "agent_id",
        /// When it (re)entered its queue.
        pub queued_at: i64 = "queued_at",
        /// Started.
        pub created_at: i64 = "created_at",
        /// Last changed.
        pub updated_at: i64 = "updated_at",
        /// Highest message seq.
        pub last_seq: i64 = "last_seq",
        /// What the visitor has read.
        pub visitor_read_seq: i64 = "visitor_read_seq",
        /// What the agent has read.
        pub agent_read_seq: i64 = "agent_read_seq",
        /// The visitor's rating.
        pub rating: Option<Rating> = "rating_score" via rating_columns,
    }
    also "rating_comment";
}

/// What starting a conversation stores.
#[derive(Debug, Clone)]
pub struct NewConversation {
    /// Id.
    pub id: String,
    /// Whose.
    pub visitor_id: String,
    /// The widget's id for the request.
    pub client_id: String,
    /// Topic.
    pub topic: Option<String>,
    /// Queue.
    pub queue: String,
    /// Locale.
    pub locale: Option<String>,
    /// Reason.
    pub reason: Option<String>,
    /// Transcript.
    pub transcript: Vec<TranscriptLine>,
    /// Fields.
    pub fields: Vec<Field>,
    /// Now.
    pub at: i64,
}

pub(crate) fn status_name(status: ConversationStatus) -> &'static str {
    match status {
        ConversationStatus::Queued => "queued",
        ConversationStatus::Active => "active",
        ConversationStatus::Closed => "closed",
    }
}

fn status_column(row: &AnyRow, column: &str) -> Result<ConversationStatus, sqlx::Error> {
    let name: String = row.try_get(column)?;
    Ok(match name.as_str() {
        "queued" => ConversationStatus::Queued,
        "active" => ConversationStatus::Active,
        _ => ConversationStatus::Closed,
    })
}

const COLUMNS: &str = ConversationRow::COLUMNS;

/// [`ConversationRow::COLUMNS`] without the transcript and fields, read as empty: what the
/// queue's lists need.
fn queue_columns() -> &'static str {
    static COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        ConversationRow::COLUMNS
            .split(", ")
            .map(|c| match c {
                "transcript" | "fields" => format!("'[]' AS {c}"),
                c => c.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    });
    &COLUMNS
}

impl Db {
    /// Starts a conversation; if this visitor already started one with this
    /// `client_id`, returns that one instead (`false`: nothing new).
    pub async fn start_conversation(&self, new: &NewConversation) -> Result<(ConversationRow, bool), sqlx::Error> {
        if let Some(existing) = self.conversation_by_client(&new.visitor_id, &new.client_id).await? {
            return Ok((existing, false));
        }
        let result = sqlx::query(
            "INSERT INTO conversations (id, visitor_id, client_id, topic, queue, locale, reason, transcript, fields, \
             status, agent_id, queued_at, created_at, updated_at, closed_at, last_seq, visitor_read_seq, agent_read_seq, \
             rating_score, rating_comment) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', NULL, $10, $10, $10, NULL, 0, 0, 0, NULL, NULL)",
        )
        .bind(&new.id)
        .bind(&new.visitor_id)
        .bind(&new.client_id)
        .bind(&new.topic)
        .bind(&new.queue)
        .bind(&new.locale)
        .bind(&new.reason)
        .bind(serde_json::to_string(&new.transcript).expect("transcripts serialise"))
        .bind(serde_json::to_string(&new.fields).expect("fields serialise"))
        .bind(new.at)
        .execute(&self.writer)
        .await;
        match result {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                // The same request arrived twice at once; the other won.
                let existing = self.conversation_by_client(&new.visitor_id, &new.client_id).await?;
                return existing.map(|c| (c, false)).ok_or(e);
            }
            Err(e) => return Err(e),
        }
        let row = self.conversation(&new.id).await?.ok_or(sqlx::Error::RowNotFound)?;
        Ok((row, true))
    }

    /// A conversation by id.
    pub async fn conversation(&self, id: &str) -> Result<Option<ConversationRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM conversations WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(ConversationRow::from_row).transpose()
    }

    async fn conversation_by_client(
        &self,
        visitor_id: &str,
        client_id: &str,
    ) -> Result<Option<ConversationRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM conversations WHERE visitor_id = $1 AND client_id = $2");
        let row = sqlx::query(&sql).bind(visitor_id).bind(client_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(ConversationRow::from_row).transpose()
    }

    /// The client ids of a visitor's open (queued or active) conversations.
    pub async fn open_conversations(&self, visitor_id: &str) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT client_id FROM conversations WHERE visitor_id = $1 AND status <> 'closed'")
            .bind(visitor_id)
            .fetch_all(&self.pool)
            .await
    }

    /// A visitor's conversations, newest first.
    pub async fn visitor_conversations(&self, visitor_id: &str) -> Result<Vec<ConversationRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM conversations WHERE visitor_id = $1 ORDER BY created_at DESC, id");
        let rows = sqlx::query(&sql).bind(visitor_id).fetch_all(&self.pool).await?;
        rows.iter().map(ConversationRow::from_row).collect()
    }

    /// Queued conversations in queue order (oldest first), without their
    /// transcripts and fields (empty here; [`Db::conversation`] has them):
    /// at most `limit`, after the one at `after` (`queued_at`, id).
    pub async fn queued_page(
        &self,
        after: Option<(i64, &str)>,
        limit: u32,
    ) -> Result<Vec<ConversationRow>, sqlx::Error> {
        let (at, id) = after.unwrap_or((i64::MIN, ""));
        let columns = queue_columns();
        let sql = format!(
            "SELECT {columns} FROM conversations WHERE status = 'queued' \
             AND (queued_at > $1 OR (queued_at = $1 AND id > $2)) ORDER BY queued_at, id LIMIT $3"
        );
        let rows = sqlx::query(&sql).bind(at).bind(id).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(ConversationRow::from_row).collect()
    }

    /// How many conversations are queued, by queue and topic.
    pub async fn queue_counts(&self) -> Result<Vec<(String, Option<String>, u32)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT queue, topic, COUNT(*) AS n FROM conversations WHERE status = 'queued' GROUP BY queue, topic",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((r.try_get("queue")?, r.try_get("topic")?, u32::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0)))
            })
            .collect()
    }

    /// The place in `queue` of a conversation queued at `queued_at` with
    /// id `id` (1 is next): one more than the queued ones ahead of it,
    /// whether or not it is queued itself.
    pub async fn queue_place(&self, queue: &str, queued_at: i64, id: &str) -> Result<u32, sqlx::Error> {
        let ahead: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversations WHERE status = 'queued' AND queue = $1 \
             AND (queued_at < $2 OR (queued_at = $2 AND id < $3))",
        )
        .bind(queue)
        .bind(queued_at)
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(ahead).unwrap_or(u32::MAX - 1) + 1)
    }

    /// The queued conversations behind the one queued at `queued_at` with
    /// id `id` in `queue`, in order: (conversation id, visitor id).
    pub async fn queued_behind(
        &self,
        queue: &str,
        queued_at: i64,
        id: &str,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, visitor_id FROM conversations WHERE status = 'queued' AND queue = $1 \
             AND (queued_at > $2 OR (queued_at = $2 AND id > $3)) ORDER BY queued_at, id",
        )
        .bind(queue)
        .bind(queued_at)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("visitor_id")?))).collect()
    }

    /// Queued conversations unchanged since `before` (ms), oldest first,
    /// without transcripts and fields.
    pub async fn queued_idle(&self, before: i64) -> Result<Vec<ConversationRow>, sqlx::Error> {
        let columns = queue_columns();
        let sql = format!(
            "SELECT {columns} FROM conversations WHERE status = 'queued' AND updated_at <= $1 \
             ORDER BY queued_at, id"
        );
        let rows = sqlx::query(&sql).bind(before).fetch_all(&self.pool).await?;
        rows.iter().map(ConversationRow::from_row).collect()
    }

    /// Conversations of one agent (or everyone's, for `None`), optionally
    /// of one status, most recently changed first.
    pub async fn agent_conversations(
        &self,
        agent_id: Option<&str>,
        status: Option<ConversationStatus>,
    ) -> Result<Vec<ConversationRow>, sqlx::Error> {
        let mut sql = format!("SELECT {COLUMNS} FROM conversations WHERE 1 = 1");
        let mut binds = Vec::new();
        if let Some(agent_id) = agent_id {
            binds.push(agent_id.to_string());
            sql.push_str(&format!(" AND agent_id = ${}", binds.len()));
        }
        if let Some(status) = status {
            binds.push(status_name(status).to_string());
            sql.push_str(&format!(" AND status = ${}", binds.len()));
        }
        sql.push_str(" ORDER BY updated_at DESC, id LIMIT 500");
        let mut query = sqlx::query(&sql);
        for bind in &binds {
            query = query.bind(bind.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(ConversationRow::from_row).collect()
    }

    /// Takes a queued conversation for an agent; `false` when it was not
    /// queued any more (someone else took it, or it closed).
    pub async fn accept_conversation(&self, id: &str, agent_id: &str, at: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE conversations SET status = 'active', agent_id = $2, updated_at = $3 WHERE id = $1 AND status = 'queued'",
        )
        .bind(id)
        .bind(agent_id)
        .bind(at)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Hands an open conversation to an agent; `false` when it was closed.
    pub async fn assign_conversation(&self, id: &str, agent_id: &str, at: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE conversations SET status = 'active', agent_id = $2, agent_read_seq = 0, updated_at = $3 \
             WHERE id = $1 AND status <> 'closed'",
        )
        .bind(id)
        .bind(agent_id)
        .bind(at)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts an open conversation back in a queue, at its end.
    pub async fn requeue_conversation(
        &self,
        id: &str,
        topic: Option<&str>,
        queue: &str,
        at: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE conversations SET status = 'queued', agent_id = NULL, topic = $2, queue = $3, queued_at = $4, \
             updated_at = $4 WHERE id = $1 AND status <> 'closed'",
        )
        .bind(id)
        .bind(topic)
        .bind(queue)
        .bind(at)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Closes an open conversation; `false` when it already was.
    pub async fn close_conversation(&self, id: &str, at: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE conversations SET status = 'closed', closed_at = $2, updated_at = $2 WHERE id = $1 AND status <> 'closed'",
        )
        .bind(id)
        .bind(at)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores the rating of a closed conversation; `false` when it is not
    /// closed.
    pub async fn rate_conversation(&self, id: &str, rating: &Rating, at: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE conversations SET rating_score = $2, rating_comment = $3, updated_at = $4 WHERE id = $1 AND status = 'closed'",
        )
        .bind(id)
        .bind(i64::from(rating.score))
        .bind(&rating.comment)
        .bind(at)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that one side has read up to `seq` (never backwards).
    pub async fn mark_read(&self, id: &str, by_agent: bool, seq: i64) -> Result<(), sqlx::Error> {
        let sql = if by_agent {
            "UPDATE conversations SET agent_read_seq = $2 WHERE id = $1 AND agent_read_seq < $2 AND last_seq >= $2"
        } else {
            "UPDATE conversations SET visitor_read_seq = $2 WHERE id = $1 AND visitor_read_seq < $2 AND last_seq >= $2"
        };
        sqlx::query(sql).bind(id).bind(seq).execute(&self.writer).await?;
        Ok(())
    }
}
