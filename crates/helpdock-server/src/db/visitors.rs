//! Visitors and their bearer tokens.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{is_unique_violation, Db};
use crate::token::{now_ms, random_id};

row! {
    /// A visitor.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct VisitorRow as "v." {
        /// Id.
        pub id: String = "id",
        /// The host's user id, when verified.
        pub user_id: Option<String> = "user_id",
        /// Name, when the host gave one.
        pub name: Option<String> = "name",
        /// E-mail, when the host gave one.
        pub email: Option<String> = "email",
        /// The widget's locale.
        pub locale: Option<String> = "locale",
        /// Whether the host's `userHash` covered the name and e-mail as
        /// well as the user id (in the latest session); otherwise they are
        /// what the user's browser sent.
        pub profile_verified: bool = "profile_verified_at" via is_set,
    }
}

/// A time that stands for a flag: set or not.
fn is_set(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(column)?.is_some())
}

impl VisitorRow {
    /// A new anonymous visitor (not stored yet).
    pub fn anonymous(locale: Option<String>) -> VisitorRow {
        VisitorRow { id: random_id("v_"), user_id: None, name: None, email: None, locale, profile_verified: false }
    }
}

const COLUMNS: &str = VisitorRow::COLUMNS;

/// A token's use is written at most once a day.
const DAY_MS: i64 = 24 * 3600 * 1000;

impl Db {
    /// Creates a visitor (anonymous when `user_id` is `None`). For a user id
    /// that another request created a moment ago, returns that visitor.
    pub async fn create_visitor(&self, visitor: &VisitorRow) -> Result<VisitorRow, sqlx::Error> {
        let result = sqlx::query(
            "INSERT INTO visitors (id, user_id, name, email, locale, created_at, profile_verified_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&visitor.id)
        .bind(&visitor.user_id)
        .bind(&visitor.name)
        .bind(&visitor.email)
        .bind(&visitor.locale)
        .bind(now_ms())
        .bind(visitor.profile_verified.then(now_ms))
        .execute(&self.writer)
        .await;
        match (result, &visitor.user_id) {
            (Ok(_), _) => Ok(visitor.clone()),
            (Err(e), Some(user_id)) if is_unique_violation(&e) => self.visitor_by_user(user_id).await?.ok_or(e),
            (Err(e), _) => Err(e),
        }
    }

    /// Remembers a token (by its hash) for a visitor.
    pub async fn add_visitor_token(&self, token_hash: &str, visitor_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO visitor_tokens (token_hash, visitor_id, created_at, used_at) VALUES ($1, $2, $3, $3)")
            .bind(token_hash)
            .bind(visitor_id)
            .bind(now_ms())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// The visitor a token (by its hash) belongs to.
    /// The visitor of a token in use: one unused for the configured idle
    /// time is refused (and deleted by [`Db::purge_idle_visitor_tokens`]).
    /// Using a token moves its lapse on (written when a day old).
    pub async fn visitor_by_token(&self, token_hash: &str) -> Result<Option<VisitorRow>, sqlx::Error> {
        let now = now_ms();
        let sql = format!(
            "SELECT {COLUMNS}, t.used_at FROM visitor_tokens t JOIN visitors v ON v.id = t.visitor_id \
             WHERE t.token_hash = $1 AND t.used_at > $2"
        );
        let since = now.saturating_sub(self.visitor_token_idle_ms);
        let Some(row) = sqlx::query(&sql).bind(token_hash).bind(since).fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let used_at: i64 = row.try_get("used_at")?;
        if used_at < now - DAY_MS {
            sqlx::query("UPDATE visitor_tokens SET used_at = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(now)
                .execute(&self.writer)
                .await?;
        }
        VisitorRow::from_row(&row).map(Some)
    }

    /// Deletes visitor tokens unused for the configured idle time; how many.
    pub async fn purge_idle_visitor_tokens(&self) -> Result<u64, sqlx::Error> {
        let since = now_ms().saturating_sub(self.visitor_token_idle_ms);
        let done =
            sqlx::query("DELETE FROM visitor_tokens WHERE used_at <= $1").bind(since).execute(&self.writer).await?;
        Ok(done.rows_affected())
    }

    /// The visitor of a verified user.
    pub async fn visitor_by_user(&self, user_id: &str) -> Result<Option<VisitorRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM visitors v WHERE v.user_id = $1");
        let row = sqlx::query(&sql).bind(user_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(VisitorRow::from_row).transpose()
    }

    /// A visitor by id.
    pub async fn visitor(&self, id: &str) -> Result<Option<VisitorRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM visitors v WHERE v.id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(VisitorRow::from_row).transpose()
    }

    /// The locale an anonymous visitor's widget reports (absent: the
    /// stored one stays).
    pub async fn update_visitor_locale(&self, id: &str, locale: Option<&str>) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE visitors SET locale = COALESCE($2, locale) WHERE id = $1")
            .bind(id)
            .bind(locale)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// An identified visitor's name, e-mail and locale from this session.
    /// When its `userHash` covered name and e-mail (`verified`) they are
    /// set as given, absent ones cleared (the host vouched for exactly
    /// these); otherwise the given ones replace the stored ones, which are
    /// no longer vouched for. An absent locale keeps the stored one.
    pub async fn set_identified_profile(
        &self,
        id: &str,
        name: Option<&str>,
        email: Option<&str>,
        locale: Option<&str>,
        verified: bool,
    ) -> Result<(), sqlx::Error> {
        let sql = if verified {
            "UPDATE visitors SET name = $2, email = $3, locale = COALESCE($4, locale), profile_verified_at = $5 \
             WHERE id = $1"
        } else {
            "UPDATE visitors SET name = COALESCE($2, name), email = COALESCE($3, email), \
             locale = COALESCE($4, locale), profile_verified_at = $5 WHERE id = $1"
        };
        let at = verified.then(now_ms);
        sqlx::query(sql).bind(id).bind(name).bind(email).bind(locale).bind(at).execute(&self.writer).await?;
        Ok(())
    }

    /// How many visitors there are (tests check nothing was created).
    pub async fn count_visitors(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM visitors").fetch_one(&self.pool).await
    }
}
