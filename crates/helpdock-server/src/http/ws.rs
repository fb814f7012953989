//! The socket upgrades: `/api/v1/ws` for visitors and `/console/api/ws` for
//! agents. Each authenticates what the upgrade can tell and hands axum's
//! socket, adapted, to [`crate::socket::run`].

use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use futures_util::{future, Sink, SinkExt, Stream, StreamExt};
use helpdock_core::protocol::{ErrorCode, ErrorInfo};

use super::{console_agent, AppError, AppState, ClientIp};
use crate::socket::{run, Inbound, Peer};

/// Largest frame read, in bytes (a message of the longest allowed length in
/// any script fits several times over).
const MAX_FRAME_BYTES: usize = 256 * 1024;
/// Each socket's read buffer, in bytes. tungstenite's default, 128 KiB,
/// is zero-filled on the first read, so it is resident memory per open
/// socket (1.3 GB at 10 000 sockets); frames here are mostly under 1 KiB,
/// and the buffer grows for a larger one.
const READ_BUFFER_BYTES: usize = 4 * 1024;

fn adapt(socket: WebSocket) -> (impl Sink<String, Error = axum::Error> + Unpin, impl Stream<Item = Inbound> + Unpin) {
    let (sink, stream) = socket.split();
    let sink = sink.with(|text: String| future::ready(Ok::<_, axum::Error>(WsMessage::Text(text.into()))));
    let stream = stream.map(|message| match message {
        Ok(WsMessage::Text(text)) => Inbound::Text(text.to_string()),
        Ok(WsMessage::Binary(_)) => Inbound::Binary,
        Ok(WsMessage::Ping(_) | WsMessage::Pong(_)) => Inbound::Alive,
        Ok(WsMessage::Close(_)) | Err(_) => Inbound::Close,
    });
    (sink, stream)
}

/// `GET /api/v1/ws`.
pub(super) async fn visitor_socket(
    State(state): State<AppState>,
    client: ClientIp,
    upgrade: WebSocketUpgrade,
) -> Response {
    let mut held = None;
    if let Some(key) = client.key() {
        if let Err(wait) = state.ip_rate.check(&key).await {
            return AppError::rate_limited(wait).into_response();
        }
        // Sockets per client address, whoever their visitors are.
        let most = state.config.limits.sockets_per_ip as usize;
        match crate::rate::ConnectionSlot::take(&state.ip_sockets, key, most) {
            Some(slot) => held = Some(slot),
            None => {
                return AppError::rate_limited(10_000).into_response();
            }
        }
    }
    upgrade.max_message_size(MAX_FRAME_BYTES).read_buffer_size(READ_BUFFER_BYTES).on_upgrade(move |socket| {
        let (sink, stream) = adapt(socket);
        async move {
            run(state, Peer::Visitor, sink, stream).await;
            drop(held);
        }
    })
}

/// `GET /console/api/ws`: the session cookie authenticates, and the page
/// must be the server's own (`Origin`), so another site cannot ride an
/// agent's cookie.
pub(super) async fn console_socket(
    State(state): State<AppState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let same_origin = match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let (origin, host) = (origin.to_str().unwrap_or(""), host.to_str().unwrap_or("-"));
            origin == format!("http://{host}") || origin == format!("https://{host}")
        }
        _ => false,
    };
    if !same_origin {
        let info =
            ErrorInfo::new(ErrorCode::Forbidden, "The console socket only accepts pages of this server (Origin).");
        return AppError::Client(info).into_response();
    }
    let (agent, session) = match console_agent(&state, &headers).await {
        Ok(auth) => (auth.agent, auth.session_hash),
        Err(e) => return e.into_response(),
    };
    upgrade.max_message_size(MAX_FRAME_BYTES).read_buffer_size(READ_BUFFER_BYTES).on_upgrade(move |socket| {
        let (sink, stream) = adapt(socket);
        run(state, Peer::Agent { agent, session }, sink, stream)
    })
}
