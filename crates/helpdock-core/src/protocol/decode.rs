//! Reading the protocol's JSON the way a size-conscious client does: text
//! to a [`serde_json::Value`] once, then each type from that value.
//!
//! Every derived `Deserialize` is generic over its input. A wasm client that
//! reads some types from text, some from a value, and the socket's frames
//! through serde's buffering of internally tagged enums carries up to three
//! decoders per type. Going through `Value` alone keeps one, and
//! [`server_frame`] picks a frame's variant by its `type` itself instead of
//! through serde's buffered `Content`. The result is the same as
//! [`ServerFrame::from_json`]'s (a test decodes every variant both ways).

use serde::de::{DeserializeOwned, Error as _};
use serde_json::{Map, Value};

use super::ServerFrame;

/// Reads `text` as `T`, through a [`Value`].
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    T::deserialize(serde_json::from_str::<Value>(text)?)
}

/// Reads a frame a visitor's socket receives from text; unknown fields are
/// ignored, and unknown types are [`ServerFrame::Unknown`], as are the
/// console's `queue_changed` and `assigned`, which no visitor is sent (the
/// console and the tests read every frame with [`ServerFrame::from_json`]).
pub fn server_frame(text: &str) -> Result<ServerFrame, serde_json::Error> {
    let Value::Object(mut fields) = serde_json::from_str::<Value>(text)? else {
        return Err(serde_json::Error::custom("a frame is a JSON object"));
    };
    let kind = match fields.remove("type") {
        Some(Value::String(kind)) => kind,
        _ => return Err(serde_json::Error::missing_field("type")),
    };
    let mut f = Fields(fields);
    Ok(match kind.as_str() {
        "welcome" => ServerFrame::Welcome { v: f.get("v")?, id: f.get("id")? },
        "message" => ServerFrame::Message { message: f.get("message")? },
        "ack" => ServerFrame::Ack {
            conversation: f.get("conversation")?,
            client_id: f.get("clientId")?,
            seq: f.get("seq")?,
            at: f.get("at")?,
        },
        "queue" => ServerFrame::Queue { conversation: f.get("conversation")?, queue: f.get("queue")? },
        "agent_joined" => ServerFrame::AgentJoined { conversation: f.get("conversation")?, agent: f.get("agent")? },
        "transferred" => ServerFrame::Transferred { conversation: f.get("conversation")?, topic: f.optional("topic")? },
        "typing" => ServerFrame::Typing {
            conversation: f.get("conversation")?,
            author: f.get("author")?,
            typing: f.get("typing")?,
        },
        "read" => ServerFrame::Read { conversation: f.get("conversation")?, seq: f.get("seq")?, by: f.get("by")? },
        "closed" => ServerFrame::Closed { conversation: f.get("conversation")?, by: f.get("by")?, at: f.get("at")? },
        "ticket" => ServerFrame::Ticket { ticket: f.get("ticket")? },
        "ticket_reply" => ServerFrame::TicketReply { reply: f.get("reply")? },
        "error" => ServerFrame::Error {
            error: f.get("error")?,
            client_id: f.optional("clientId")?,
            conversation: f.optional("conversation")?,
        },
        "pong" => ServerFrame::Pong,
        _ => ServerFrame::Unknown,
    })
}

/// A frame's fields, taken one by one.
struct Fields(Map<String, Value>);

impl Fields {
    /// A field the frame must have.
    fn get<T: DeserializeOwned>(&mut self, name: &'static str) -> Result<T, serde_json::Error> {
        match self.0.remove(name) {
            Some(value) => T::deserialize(value),
            None => Err(serde_json::Error::missing_field(name)),
        }
    }

    /// A field that may be absent or `null`.
    fn optional<T: DeserializeOwned + Default>(&mut self, name: &'static str) -> Result<T, serde_json::Error> {
        match self.0.remove(name) {
            None | Some(Value::Null) => Ok(T::default()),
            Some(value) => T::deserialize(value),
        }
    }
}
