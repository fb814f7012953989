//! Attachment storage: a file already checked (size, sniffed type, clean
//! name) stored under an unguessable id and a capability secret, in the
//! database — so every server node reads what any node stored. Uploads over
//! HTTP (`http::attachments`) and files that came with an e-mailed reply
//! (`inbox`) both end here.

use helpdock_core::protocol::Attachment;

use crate::db::{attachment_url, NewAttachment};
use crate::error::AppError;
use crate::state::AppState;
use crate::token::{random_id, random_secret};

/// Stores a file already checked (size, sniffed `content_type`) under a new
/// id and capability secret; the protocol's `Attachment` for it.
pub async fn store(
    state: &AppState,
    owner_kind: &str,
    owner_id: &str,
    name: String,
    content_type: &'static str,
    data: &[u8],
) -> Result<Attachment, AppError> {
    let (id, secret) = (random_id("at_"), random_secret(""));
    state
        .db
        .insert_attachment(&NewAttachment {
            id: &id,
            secret: &secret,
            owner_kind,
            owner_id,
            name: &name,
            content_type,
            data,
        })
        .await?;
    Ok(Attachment {
        url: attachment_url(&id, &secret),
        id,
        name,
        content_type: content_type.to_string(),
        size: data.len() as u64,
    })
}
