//! Tickets and their threads: creating (numbered, idempotent by
//! `clientId`), listing for a visitor or the console, adding thread entries
//! (numbered in the same transaction, idempotent by `clientId`), status,
//! assignment, routing, read marks and ratings.

use helpdock_core::protocol::{
    Attachment, Author, AuthorKind, Field, Rating, TicketReply, TicketStatus, TranscriptLine, Urgency,
};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{is_unique_violation, json_column, rating_columns, Db};

row! {
    /// A stored ticket, with the unread counts of both sides.
    #[derive(Debug, Clone, PartialEq)]
    pub struct TicketRow as "t." {
        /// Id (`t_…`, unguessable).
        pub id: String = "id",
        /// The `n` of `HD-00000n`.
        pub number: i64 = "number",
        /// The visitor who wrote it.
        pub visitor_id: String = "visitor_id",
        /// Their verified user id, if they were one.
        pub user_id: Option<String> = "user_id",
        /// The widget's id for the create request.
        pub client_id: String = "client_id",
        /// One line.
        pub title: String = "title",
        /// A flow's id or `other`.
        pub category: String = "category",
        /// How urgent.
        pub urgency: Urgency = "urgency" via urgency_column,
        /// The queue routing chose.
        pub queue: String = "queue",
        /// What the user wrote.
        pub description: String = "description",
        /// The category's fields.
        pub fields: Vec<Field> = "fields" via json_column,
        /// Files attached at creation.
        pub attachments: Vec<Attachment> = "attachments" via json_column,
        /// The bot conversation it came from.
        pub transcript: Vec<TranscriptLine> = "transcript" via json_column,
        /// Where replies are e-mailed.
        pub email: Option<String> = "email",
        /// The widget's locale.
        pub locale: Option<String> = "locale",
        /// Where it stands.
        pub status: TicketStatus = "status" via status_column,
        /// The agent it is assigned to.
        pub agent_id: Option<String> = "agent_id",
        /// Created.
        pub created_at: i64 = "created_at",
        /// Last changed.
        pub updated_at: i64 = "updated_at",
        /// Highest thread seq.
        pub last_seq: i64 = "last_seq",
        /// What the visitor has read.
        pub visitor_read_seq: i64 = "visitor_read_seq",
        /// What the agents have read.
        pub agent_read_seq: i64 = "agent_read_seq",
        /// The visitor's rating.
        pub rating: Option<Rating> = "rating_score" via rating_columns,
        /// The team's replies the visitor has not read: entries that say
        /// something (a bare status change does not), from the team, not
        /// internal.
        pub visitor_unread: i64 = "visitor_unread" is "(SELECT COUNT(*) FROM ticket_entries e \
            WHERE e.ticket_id = t.id AND e.seq > t.visitor_read_seq AND e.internal = 0 \
            AND e.author_kind <> 'visitor' AND (e.body <> '' OR e.attachments <> '[]'))",
        /// The visitor's replies the agents have not read.
        pub agent_unread: i64 = "agent_unread" is "(SELECT COUNT(*) FROM ticket_entries e \
            WHERE e.ticket_id = t.id AND e.seq > t.agent_read_seq AND e.author_kind = 'visitor' \
            AND (e.body <> '' OR e.attachments <> '[]'))",
    }
    also "rating_comment";
}

/// What creating a ticket stores.
#[derive(Debug, Clone)]
pub struct NewTicketRow {
    /// Id.
    pub id: String,
    /// Whose.
    pub visitor_id: String,
    /// Their verified user id.
    pub user_id: Option<String>,
    /// The widget's id for the request.
    pub client_id: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// Urgency.
    pub urgency: Urgency,
    /// Queue.
    pub queue: String,
    /// Description.
    pub description: String,
    /// Fields.
    pub fields: Vec<Field>,
    /// Attachments, already checked to be the visitor's.
    pub attachments: Vec<Attachment>,
    /// Transcript.
    pub transcript: Vec<TranscriptLine>,
    /// E-mail.
    pub email: Option<String>,
    /// Locale.
    pub locale: Option<String>,
    /// Now.
    pub at: i64,
}

/// A stored thread entry and, for an agent's, the agent's id.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRow {
    /// The entry as the protocol shows it.
    pub reply: TicketReply,
    /// The agent who wrote it.
    pub agent_id: Option<String>,
}

/// What adding a thread entry stores.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// The ticket.
    pub ticket: String,
    /// The sender's id for it (none for bare status changes).
    pub client_id: Option<String>,
    /// Who.
    pub author: AuthorKind,
    /// The agent's display name.
    pub author_name: Option<String>,
    /// The agent.
    pub agent_id: Option<String>,
    /// Text.
    pub body: String,
    /// Files, already checked to be the sender's.
    pub attachments: Vec<Attachment>,
    /// Agents only.
    pub internal: bool,
    /// The status this entry sets.
    pub status: Option<TicketStatus>,
    /// Arrived by e-mail.
    pub by_email: bool,
    /// Now.
    pub at: i64,
}

/// The outcome of [`Db::append_ticket_entry`].
#[derive(Debug, Clone, PartialEq)]
pub enum Appended {
    /// Stored now, with the next seq.
    New(EntryRow),
    /// The same `clientId` was stored before: that entry.
    Duplicate(EntryRow),
    /// The ticket's status was no longer the expected one: nothing stored.
    Changed,
}

/// Whose tickets the console lists.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Only this status.
    pub status: Option<TicketStatus>,
    /// Only this category.
    pub category: Option<String>,
    /// Only this urgency.
    pub urgency: Option<Urgency>,
    /// Only assigned to this agent (`Some(None)`: only unassigned).
    pub assignee: Option<Option<String>>,
    /// Only what an agent may see: assigned to this agent id, or in one of
    /// these categories or queues (`None`: everything, for admins and
    /// agents serving every topic).
    pub visible_to: Option<(String, Vec<String>)>,
}

fn urgency_column(row: &AnyRow, column: &str) -> Result<Urgency, sqlx::Error> {
    Ok(Urgency::parse(&row.try_get::<String, _>(column)?).unwrap_or_default())
}

fn status_column(row: &AnyRow, column: &str) -> Result<TicketStatus, sqlx::Error> {
    Ok(status_from(&row.try_get::<String, _>(column)?))
}

fn status_from(name: &str) -> TicketStatus {
    TicketStatus::parse(name).unwrap_or(TicketStatus::Open)
}

fn kind_name(kind: AuthorKind) -> &'static str {
    match kind {
        AuthorKind::Visitor => "visitor",
        AuthorKind::Agent => "agent",
        AuthorKind::System => "system",
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("protocol values serialise")
}

impl EntryRow {
    fn from_row(row: &AnyRow) -> Result<EntryRow, sqlx::Error> {
        let kind: String = row.try_get("author_kind")?;
        let kind = match kind.as_str() {
            "visitor" => AuthorKind::Visitor,
            "agent" => AuthorKind::Agent,
            _ => AuthorKind::System,
        };
        let seq: i64 = row.try_get("seq")?;
        let status: Option<String> = row.try_get("status")?;
        let internal: i64 = row.try_get("internal")?;
        let by_email: i64 = row.try_get("by_email")?;
        Ok(EntryRow {
            reply: TicketReply {
                ticket: row.try_get("ticket_id")?,
                seq: u64::try_from(seq).unwrap_or(0),
                client_id: row.try_get("client_id")?,
                author: Author { kind, name: row.try_get("author_name")?, avatar: None },
                body: row.try_get("body")?,
                attachments: json_column(row, "attachments")?,
                status: status.as_deref().map(status_from),
                internal: internal != 0,
                by_email: by_email != 0,
                at: row.try_get("at")?,
            },
            agent_id: row.try_get("agent_id")?,
        })
    }
}

const COLUMNS: &str = TicketRow::COLUMNS;

const ENTRY_SELECT: &str = "SELECT ticket_id, seq, client_id, author_kind, author_name, agent_id, body, attachments, \
     internal, status, by_email, at FROM ticket_entries";

/// Most urgent first.
const URGENCY_RANK: &str = "CASE t.urgency WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END";

/// Bumps the ticket's `last_seq` (and sets its status) if its status is
/// still `expected`, then inserts the entry with that seq; `None` when the
/// status had changed (nothing written).
async fn insert_entry(
    tx: &mut Transaction<'_, Any>,
    new: &NewEntry,
    expected: TicketStatus,
) -> Result<Option<i64>, sqlx::Error> {
    let seq: Option<i64> = sqlx::query_scalar(
        "UPDATE tickets SET last_seq = last_seq + 1, updated_at = $2, status = COALESCE($3, status) \
         WHERE id = $1 AND status = $4 RETURNING last_seq",
    )
    .bind(&new.ticket)
    .bind(new.at)
    .bind(new.status.map(TicketStatus::as_str))
    .bind(expected.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(seq) = seq else { return Ok(None) };
    sqlx::query(
        "INSERT INTO ticket_entries (ticket_id, seq, client_id, author_kind, author_name, agent_id, body, attachments, \
         internal, status, by_email, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&new.ticket)
    .bind(seq)
    .bind(&new.client_id)
    .bind(kind_name(new.author))
    .bind(&new.author_name)
    .bind(&new.agent_id)
    .bind(&new.body)
    .bind(json(&new.attachments))
    .bind(i64::from(new.internal))
    .bind(new.status.map(TicketStatus::as_str))
    .bind(i64::from(new.by_email))
    .bind(new.at)
    .execute(&mut **tx)
    .await?;
    Ok(Some(seq))
}

impl Db {
    /// Creates a ticket with the next number; if this visitor already
    /// created one with this `client_id`, returns that one instead
    /// (`false`: nothing new).
    pub async fn create_ticket(&self, new: &NewTicketRow) -> Result<(TicketRow, bool), sqlx::Error> {
        if let Some(existing) = self.ticket_by_client(&new.visitor_id, &new.client_id).await? {
            return Ok((existing, false));
        }
        let mut tx = self.writer.begin().await?;
        let number: i64 =
            sqlx::query_scalar("UPDATE counters SET value = value + 1 WHERE name = 'ticket_number' RETURNING value")
                .fetch_one(&mut *tx)
                .await?;
        let inserted = sqlx::query(
            "INSERT INTO tickets (id, number, visitor_id, user_id, client_id, title, category, urgency, queue, \
             description, fields, attachments, transcript, email, locale, status, agent_id, created_at, updated_at, \
             last_seq, visitor_read_seq, agent_read_seq, rating_score, rating_comment) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'open', NULL, $16, $16, \
             0, 0, 0, NULL, NULL)",
        )
        .bind(&new.id)
        .bind(number)
        .bind(&new.visitor_id)
        .bind(&new.user_id)
        .bind(&new.client_id)
        .bind(&new.title)
        .bind(&new.category)
        .bind(new.urgency.as_str())
        .bind(&new.queue)
        .bind(&new.description)
        .bind(json(&new.fields))
        .bind(json(&new.attachments))
        .bind(json(&new.transcript))
        .bind(&new.email)
        .bind(&new.locale)
        .bind(new.at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => tx.commit().await?,
            Err(e) => {
                tx.rollback().await?;
                if is_unique_violation(&e) {
                    // The same request arrived twice at once; the other won.
                    let existing = self.ticket_by_client(&new.visitor_id, &new.client_id).await?;
                    return existing.map(|t| (t, false)).ok_or(e);
                }
                return Err(e);
            }
        }
        let row = self.ticket(&new.id).await?.ok_or(sqlx::Error::RowNotFound)?;
        Ok((row, true))
    }

    /// A ticket by id.
    pub async fn ticket(&self, id: &str) -> Result<Option<TicketRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM tickets t WHERE t.id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(TicketRow::from_row).transpose()
    }

    /// The ticket a visitor created with this `client_id`.
    pub async fn ticket_by_client(&self, visitor_id: &str, client_id: &str) -> Result<Option<TicketRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM tickets t WHERE t.visitor_id = $1 AND t.client_id = $2");
        let row = sqlx::query(&sql).bind(visitor_id).bind(client_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(TicketRow::from_row).transpose()
    }

    /// A visitor's tickets, and their verified user's from any visitor,
    /// most recently updated first.
    pub async fn visitor_tickets(
        &self,
        visitor_id: &str,
        user_id: Option<&str>,
    ) -> Result<Vec<TicketRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM tickets t WHERE t.visitor_id = $1 OR (t.user_id IS NOT NULL AND t.user_id = $2) \
             ORDER BY t.updated_at DESC, t.id LIMIT 500"
        );
        let rows = sqlx::query(&sql).bind(visitor_id).bind(user_id).fetch_all(&self.pool).await?;
        rows.iter().map(TicketRow::from_row).collect()
    }

    /// Every category a stored ticket has.
    pub async fn ticket_categories(&self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT DISTINCT category FROM tickets ORDER BY category").fetch_all(&self.pool).await
    }

    /// The console's list: filtered, most urgent then oldest first.
    pub async fn console_tickets(&self, filter: &TicketFilter) -> Result<Vec<TicketRow>, sqlx::Error> {
        let mut sql = format!("SELECT {COLUMNS} FROM tickets t WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        let mut bind = |sql: &mut String, value: &str| {
            binds.push(value.to_string());
            sql.push_str(&format!("${}", binds.len()));
        };
        if let Some(status) = filter.status {
            sql.push_str(" AND t.status = ");
            bind(&mut sql, status.as_str());
        }
        if let Some(category) = &filter.category {
            sql.push_str(" AND t.category = ");
            bind(&mut sql, category);
        }
        if let Some(urgency) = filter.urgency {
            sql.push_str(" AND t.urgency = ");
            bind(&mut sql, urgency.as_str());
        }
        match &filter.assignee {
            Some(Some(agent)) => {
                sql.push_str(" AND t.agent_id = ");
                bind(&mut sql, agent);
            }
            Some(None) => sql.push_str(" AND t.agent_id IS NULL"),
            None => {}
        }
        if let Some((agent, topics)) = &filter.visible_to {
            sql.push_str(" AND (t.agent_id = ");
            bind(&mut sql, agent);
            for topic in topics {
                sql.push_str(" OR t.category = ");
                bind(&mut sql, topic);
                sql.push_str(" OR t.queue = ");
                bind(&mut sql, topic);
            }
            sql.push(')');
        }
        sql.push_str(&format!(" ORDER BY {URGENCY_RANK}, t.created_at, t.id LIMIT 500"));
        let mut query = sqlx::query(&sql);
        for value in &binds {
            query = query.bind(value.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(TicketRow::from_row).collect()
    }

    /// Adds an entry to a ticket's thread if the ticket's status is still
    /// `expected` (setting `new.status` if given), in one transaction. A
    /// `clientId` stored before answers with that entry.
    pub async fn append_ticket_entry(&self, new: &NewEntry, expected: TicketStatus) -> Result<Appended, sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        match insert_entry(&mut tx, new, expected).await {
            Ok(Some(seq)) => {
                tx.commit().await?;
                let reply = TicketReply {
                    ticket: new.ticket.clone(),
                    seq: u64::try_from(seq).unwrap_or(0),
                    client_id: new.client_id.clone(),
                    author: Author { kind: new.author, name: new.author_name.clone(), avatar: None },
                    body: new.body.clone(),
                    attachments: new.attachments.clone(),
                    status: new.status,
                    internal: new.internal,
                    by_email: new.by_email,
                    at: new.at,
                };
                Ok(Appended::New(EntryRow { reply, agent_id: new.agent_id.clone() }))
            }
            Ok(None) => {
                tx.rollback().await?;
                Ok(Appended::Changed)
            }
            Err(e) => {
                tx.rollback().await?;
                match &new.client_id {
                    Some(client_id) if is_unique_violation(&e) => {
                        self.ticket_entry_by_client(&new.ticket, client_id).await?.map(Appended::Duplicate).ok_or(e)
                    }
                    _ => Err(e),
                }
            }
        }
    }

    /// The entry a sender stored with this `clientId`.
    pub async fn ticket_entry_by_client(&self, ticket: &str, client_id: &str) -> Result<Option<EntryRow>, sqlx::Error> {
        let sql = format!("{ENTRY_SELECT} WHERE ticket_id = $1 AND client_id = $2");
        let row = sqlx::query(&sql).bind(ticket).bind(client_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(EntryRow::from_row).transpose()
    }

    /// A ticket's thread in order; internal notes only when asked for.
    pub async fn ticket_entries(&self, ticket: &str, with_internal: bool) -> Result<Vec<EntryRow>, sqlx::Error> {
        let only_public = if with_internal { "" } else { " AND internal = 0" };
        let sql = format!("{ENTRY_SELECT} WHERE ticket_id = $1{only_public} ORDER BY seq");
        let rows = sqlx::query(&sql).bind(ticket).fetch_all(&self.pool).await?;
        rows.iter().map(EntryRow::from_row).collect()
    }

    /// Assigns a ticket to an agent, or to nobody.
    pub async fn assign_ticket(&self, id: &str, agent_id: Option<&str>, at: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE tickets SET agent_id = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(agent_id)
            .bind(at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Re-routes a ticket (a new category or urgency).
    pub async fn route_ticket(
        &self,
        id: &str,
        category: &str,
        urgency: Urgency,
        queue: &str,
        at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE tickets SET category = $2, urgency = $3, queue = $4, updated_at = $5 WHERE id = $1")
            .bind(id)
            .bind(category)
            .bind(urgency.as_str())
            .bind(queue)
            .bind(at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Records that one side has read the thread up to `seq` (never
    /// backwards, never past the last entry).
    pub async fn mark_ticket_read(&self, id: &str, by_agent: bool, seq: i64) -> Result<(), sqlx::Error> {
        let sql = if by_agent {
            "UPDATE tickets SET agent_read_seq = $2 WHERE id = $1 AND agent_read_seq < $2 AND last_seq >= $2"
        } else {
            "UPDATE tickets SET visitor_read_seq = $2 WHERE id = $1 AND visitor_read_seq < $2 AND last_seq >= $2"
        };
        sqlx::query(sql).bind(id).bind(seq).execute(&self.writer).await?;
        Ok(())
    }

    /// Stores the rating of a resolved or closed ticket; `false` when it is
    /// neither.
    pub async fn rate_ticket(&self, id: &str, rating: &Rating, at: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE tickets SET rating_score = $2, rating_comment = $3, updated_at = $4 \
             WHERE id = $1 AND status IN ('resolved', 'closed')",
        )
        .bind(id)
        .bind(i64::from(rating.score))
        .bind(&rating.comment)
        .bind(at)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a Reply-To token (by its hash) for a ticket.
    pub async fn insert_reply_token(&self, ticket: &str, token_hash: &str, at: i64) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO ticket_reply_tokens (token_hash, ticket_id, created_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(ticket)
            .bind(at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// The ticket a Reply-To token (by its hash) was made for, if the token
    /// was made after `since` (ms).
    pub async fn ticket_by_reply_token(&self, token_hash: &str, since: i64) -> Result<Option<TicketRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM tickets t JOIN ticket_reply_tokens r ON r.ticket_id = t.id WHERE r.token_hash = $1 AND r.created_at > $2"
        );
        let row = sqlx::query(&sql).bind(token_hash).bind(since).fetch_optional(&self.pool).await?;
        row.as_ref().map(TicketRow::from_row).transpose()
    }

    /// How many tickets carry this `clientId` for a visitor (tests check
    /// "created once").
    pub async fn count_tickets_with_client_id(&self, visitor_id: &str, client_id: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE visitor_id = $1 AND client_id = $2")
            .bind(visitor_id)
            .bind(client_id)
            .fetch_one(&self.pool)
            .await
    }
}
