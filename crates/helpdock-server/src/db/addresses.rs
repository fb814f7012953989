//! `mail_addresses`: addresses a visitor asked to be written to, and
//! whether their owners confirmed them (migration 0005).

use super::Db;

row! {
    /// An address's request and confirmation.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AddressRow as "" {
        /// The visitor who gave it.
        pub visitor_id: String = "visitor_id",
        /// Lower-case.
        pub address: String = "address",
        /// When the last confirmation e-mail went out (ms).
        pub requested_at: i64 = "requested_at",
        /// When its owner confirmed it (ms).
        pub confirmed_at: Option<i64> = "confirmed_at",
        /// What goes out on confirmation: `conversation:<id>` (its
        /// transcript) or `ticket:<id>` (its confirmation).
        pub held: Option<String> = "held",
    }
}

const COLUMNS: &str = AddressRow::COLUMNS;

impl Db {
    /// What is known of `address` (lower-case) for a visitor.
    pub async fn mail_address(&self, visitor_id: &str, address: &str) -> Result<Option<AddressRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM mail_addresses WHERE visitor_id = $1 AND address = $2");
        let row = sqlx::query(&sql).bind(visitor_id).bind(address).fetch_optional(&self.pool).await?;
        row.as_ref().map(AddressRow::from_row).transpose()
    }

    /// Records a confirmation request: a new token (by hash) and time, and
    /// what to send once confirmed (the earlier one kept if `held` is `None`).
    /// An address confirmed before stays confirmed.
    pub async fn request_mail_address(
        &self,
        visitor_id: &str,
        address: &str,
        token_hash: &str,
        at: i64,
        held: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO mail_addresses (visitor_id, address, token_hash, requested_at, held) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (visitor_id, address) DO UPDATE SET token_hash = excluded.token_hash, \
             requested_at = excluded.requested_at, \
             held = COALESCE(excluded.held, mail_addresses.held)",
        )
        .bind(visitor_id)
        .bind(address)
        .bind(token_hash)
        .bind(at)
        .bind(held)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Holds something to send to an address whose confirmation is pending.
    pub async fn hold_for_address(&self, visitor_id: &str, address: &str, held: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE mail_addresses SET held = $3 WHERE visitor_id = $1 AND address = $2")
            .bind(visitor_id)
            .bind(address)
            .bind(held)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// The address a link token (by hash) confirms, if it was requested
    /// after `since` (ms): confirmed now, and handed back with what it held
    /// (which is released).
    pub async fn confirm_mail_address(
        &self,
        token_hash: &str,
        since: i64,
        at: i64,
    ) -> Result<Option<AddressRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM mail_addresses WHERE token_hash = $1 AND requested_at > $2");
        let Some(row) = sqlx::query(&sql).bind(token_hash).bind(since).fetch_optional(&self.writer).await? else {
            return Ok(None);
        };
        let found = AddressRow::from_row(&row)?;
        sqlx::query(
            "UPDATE mail_addresses SET confirmed_at = COALESCE(confirmed_at, $2), held = NULL \
             WHERE token_hash = $1",
        )
        .bind(token_hash)
        .bind(at)
        .execute(&self.writer)
        .await?;
        Ok(Some(found))
    }
}
