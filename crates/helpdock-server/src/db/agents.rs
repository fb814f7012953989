//! Agents and their console sessions.

use helpdock_core::protocol::AgentRole;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::Db;
use crate::token::now_ms;

row! {
    /// An agent.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AgentRow as "a." {
        /// Id (`ag_…`).
        pub id: String = "id",
        /// Sign-in e-mail.
        pub email: String = "email",
        /// Display name.
        pub name: String = "name",
        /// Role.
        pub role: AgentRole = "role" via role_column,
        /// Topics or queues served (empty: all).
        pub topics: Vec<String> = "topics" via topics_column,
        /// argon2 PHC string.
        pub password_hash: String = "password_hash",
    }
}

fn role_column(row: &AnyRow, column: &str) -> Result<AgentRole, sqlx::Error> {
    let role: String = row.try_get(column)?;
    Ok(if role == "admin" { AgentRole::Admin } else { AgentRole::Agent })
}

/// Stored comma-separated.
fn topics_column(row: &AnyRow, column: &str) -> Result<Vec<String>, sqlx::Error> {
    let topics: String = row.try_get(column)?;
    Ok(topics.split(',').filter(|t| !t.is_empty()).map(str::to_string).collect())
}

impl AgentRow {
    /// Whether this agent serves a conversation with this topic and queue.
    pub fn serves(&self, topic: Option<&str>, queue: &str) -> bool {
        self.role == AgentRole::Admin
            || self.topics.is_empty()
            || self.topics.iter().any(|t| Some(t.as_str()) == topic || t == queue)
    }
}

fn role_name(role: AgentRole) -> &'static str {
    match role {
        AgentRole::Agent => "agent",
        AgentRole::Admin => "admin",
    }
}

const COLUMNS: &str = AgentRow::COLUMNS;

impl Db {
    /// Adds an agent, or updates the one with this e-mail (name, role,
    /// topics, password; a disabled one is enabled again). Returns its id.
    /// An update ends the agent's console sessions: a new password signs
    /// everyone out.
    pub async fn upsert_agent(&self, agent: &AgentRow) -> Result<String, sqlx::Error> {
        let topics = agent.topics.join(",");
        let updated = sqlx::query(
            "UPDATE agents SET name = $2, role = $3, topics = $4, password_hash = $5, disabled_at = NULL \
             WHERE email = $1 RETURNING id",
        )
        .bind(&agent.email)
        .bind(&agent.name)
        .bind(role_name(agent.role))
        .bind(&topics)
        .bind(&agent.password_hash)
        .fetch_optional(&self.writer)
        .await?;
        if let Some(row) = updated {
            let id: String = row.try_get("id")?;
            sqlx::query("DELETE FROM agent_sessions WHERE agent_id = $1").bind(&id).execute(&self.writer).await?;
            return Ok(id);
        }
        sqlx::query(
            "INSERT INTO agents (id, email, name, role, topics, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&agent.id)
        .bind(&agent.email)
        .bind(&agent.name)
        .bind(role_name(agent.role))
        .bind(&topics)
        .bind(&agent.password_hash)
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(agent.id.clone())
    }

    /// Disables the agent with this e-mail (case-insensitive): no sign-in,
    /// no sessions, not offered for transfers. Their id, if there is one.
    pub async fn disable_agent(&self, email: &str, at: i64) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query("UPDATE agents SET disabled_at = $2 WHERE LOWER(email) = LOWER($1) RETURNING id")
            .bind(email)
            .bind(at)
            .fetch_optional(&self.writer)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get("id")?;
        sqlx::query("DELETE FROM agent_sessions WHERE agent_id = $1").bind(&id).execute(&self.writer).await?;
        Ok(Some(id))
    }

    /// An enabled agent by sign-in e-mail (case-insensitive).
    pub async fn agent_by_email(&self, email: &str) -> Result<Option<AgentRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM agents a WHERE LOWER(a.email) = LOWER($1) AND a.disabled_at IS NULL");
        let row = sqlx::query(&sql).bind(email).fetch_optional(&self.pool).await?;
        row.as_ref().map(AgentRow::from_row).transpose()
    }

    /// An agent by id.
    pub async fn agent(&self, id: &str) -> Result<Option<AgentRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM agents a WHERE a.id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(AgentRow::from_row).transpose()
    }

    /// Every enabled agent, by name.
    pub async fn agents(&self) -> Result<Vec<AgentRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM agents a WHERE a.disabled_at IS NULL ORDER BY a.name, a.id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(AgentRow::from_row).collect()
    }

    /// Starts a console session.
    pub async fn create_agent_session(
        &self,
        token_hash: &str,
        agent_id: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO agent_sessions (token_hash, agent_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(agent_id)
        .bind(csrf_token)
        .bind(now_ms())
        .bind(expires_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The agent and CSRF token of a live session.
    pub async fn agent_session(&self, token_hash: &str) -> Result<Option<(AgentRow, String)>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS}, s.csrf_token FROM agent_sessions s JOIN agents a ON a.id = s.agent_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL"
        );
        let row = sqlx::query(&sql).bind(token_hash).bind(now_ms()).fetch_optional(&self.pool).await?;
        row.map(|row| Ok((AgentRow::from_row(&row)?, row.try_get("csrf_token")?))).transpose()
    }

    /// Ends a console session.
    pub async fn delete_agent_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM agent_sessions WHERE token_hash = $1").bind(token_hash).execute(&self.writer).await?;
        Ok(())
    }
}
