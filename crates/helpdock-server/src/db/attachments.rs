//! Uploaded files, kept in the database.

use helpdock_core::protocol::Attachment;
use sqlx::Row;

use super::Db;
use crate::token::now_ms;

/// What an upload stores.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    /// Id (`at_…`).
    pub id: &'a str,
    /// The capability part of its URL.
    pub secret: &'a str,
    /// `visitor` or `agent`.
    pub owner_kind: &'a str,
    /// The visitor's or agent's id.
    pub owner_id: &'a str,
    /// The user's file name.
    pub name: &'a str,
    /// The sniffed type.
    pub content_type: &'a str,
    /// The bytes.
    pub data: &'a [u8],
}

/// A file to send back.
#[derive(Debug, Clone)]
pub struct AttachmentData {
    /// The user's file name.
    pub name: String,
    /// The sniffed type.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// The capability URL of an attachment.
pub fn attachment_url(id: &str, secret: &str) -> String {
    format!("/api/v1/attachments/{id}/{secret}")
}

impl Db {
    /// Stores an upload.
    pub async fn insert_attachment(&self, new: &NewAttachment<'_>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO attachments (id, secret, owner_kind, owner_id, name, content_type, size, data, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new.id)
        .bind(new.secret)
        .bind(new.owner_kind)
        .bind(new.owner_id)
        .bind(new.name)
        .bind(new.content_type)
        .bind(new.data.len() as i64)
        .bind(new.data)
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Marks uploads as sent (in a message, a ticket or a reply), so the
    /// collector keeps them.
    pub async fn mark_referenced(&self, sent: &[Attachment], at: i64) -> Result<(), sqlx::Error> {
        for attachment in sent {
            sqlx::query("UPDATE attachments SET referenced_at = $2 WHERE id = $1 AND referenced_at IS NULL")
                .bind(&attachment.id)
                .bind(at)
                .execute(&self.writer)
                .await?;
        }
        Ok(())
    }

    /// How many uploads of this owner were never sent.
    pub async fn pending_uploads(&self, owner_kind: &str, owner_id: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM attachments WHERE owner_kind = $1 AND owner_id = $2 AND referenced_at IS NULL",
        )
        .bind(owner_kind)
        .bind(owner_id)
        .fetch_one(&self.pool)
        .await
    }

    /// The bytes every stored upload takes.
    pub async fn stored_upload_bytes(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments").fetch_one(&self.pool).await
    }

    /// Deletes the uploads never sent and made before `before` (ms); how
    /// many.
    pub async fn collect_unsent_uploads(&self, before: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM attachments WHERE referenced_at IS NULL AND created_at < $1")
            .bind(before)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    /// An upload's description, only if this owner made it.
    pub async fn owned_attachment(
        &self,
        id: &str,
        owner_kind: &str,
        owner_id: &str,
    ) -> Result<Option<Attachment>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, secret, name, content_type, size FROM attachments WHERE id = $1 AND owner_kind = $2 AND owner_id = $3",
        )
        .bind(id)
        .bind(owner_kind)
        .bind(owner_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let (id, secret): (String, String) = (row.try_get("id")?, row.try_get("secret")?);
            let size: i64 = row.try_get("size")?;
            Ok(Attachment {
                url: attachment_url(&id, &secret),
                id,
                name: row.try_get("name")?,
                content_type: row.try_get("content_type")?,
                size: u64::try_from(size).unwrap_or(0),
            })
        })
        .transpose()
    }

    /// The file behind a capability URL (id and secret both right).
    pub async fn attachment_data(&self, id: &str) -> Result<Option<(String, AttachmentData)>, sqlx::Error> {
        let row = sqlx::query("SELECT secret, name, content_type, data FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok((
                row.try_get("secret")?,
                AttachmentData {
                    name: row.try_get("name")?,
                    content_type: row.try_get("content_type")?,
                    data: row.try_get("data")?,
                },
            ))
        })
        .transpose()
    }
}
