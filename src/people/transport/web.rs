//! [`Transport`] over the browser's own networking: `fetch` for JSON,
//! `XMLHttpRequest` for uploads (the only browser API that reports upload
//! progress), and one `WebSocket` for live frames.

use std::cell::RefCell;
use std::rc::Rc;

use helpdock_core::config::Backend;
use helpdock_core::protocol::decode::{from_json, server_frame};
use helpdock_core::protocol::{
    Attachment, ClientFrame, ConversationDetail, ConversationSummary, ErrorBody, NewTicket, NewTicketReply, Rating,
    Session, SessionRequest, StartConversation, TicketDetail, TicketRead, TicketReply, TicketStatus,
    TicketStatusChange, TicketSummary, TranscriptRequest, API_PREFIX, WS_PATH,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CloseEvent, MessageEvent, ProgressEvent, WebSocket, XmlHttpRequest};

use super::{Connection, ConnectionEvent, Reply, Transport, TransportError, Upload};

/// A protocol-v1 backend reached from the page.
#[derive(Debug, Clone)]
pub struct WebTransport {
    backend: Backend,
    origin: String,
}

impl WebTransport {
    /// The backend at `backend` (relative to the page's origin when it is
    /// a path).
    pub fn new(backend: Backend) -> Self {
        let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
        WebTransport { backend, origin }
    }

    fn api(&self, path: &str) -> String {
        self.backend.url(&self.origin, &format!("{API_PREFIX}{path}"))
    }

    fn json<B: Serialize, T: DeserializeOwned + 'static>(
        &self,
        method: &'static str,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Reply<T> {
        let url = self.api(path);
        let token = token.map(str::to_owned);
        let body = body.map(|b| serde_json::to_string(b).unwrap_or_default());
        Box::pin(async move {
            let text = fetch_text(method, &url, token.as_deref(), body.as_deref()).await?;
            if text.trim().is_empty() {
                // 202/204: `()` reads from `null`.
                return from_json("null").map_err(|e| TransportError::Network(e.to_string()));
            }
            from_json(&text).map_err(|e| TransportError::Network(format!("unreadable answer: {e}")))
        })
    }
}

/// Sends a request and returns the body of a 2xx answer; any other status
/// becomes [`TransportError::Refused`] with the backend's error.
async fn fetch_text(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<String, TransportError> {
    let network = |e: JsValue| TransportError::Network(describe(&e));
    let window = web_sys::window().ok_or_else(|| TransportError::Network("no window".to_owned()))?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(network)?;
    if body.is_some() {
        headers.set("Content-Type", "application/json").map_err(network)?;
    }
    if let Some(token) = token {
        headers.set("Authorization", &format!("Bearer {token}")).map_err(network)?;
    }
    init.set_headers(&headers);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.map_err(network)?.unchecked_into();
    let text =
        JsFuture::from(response.text().map_err(network)?).await.map_err(network)?.as_string().unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(refused(response.status(), &text))
    }
}

fn refused(status: u16, body: &str) -> TransportError {
    match from_json::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => TransportError::Refused { status, error },
        Err(_) => TransportError::Network(format!("HTTP {status}")),
    }
}

fn describe(err: &JsValue) -> String {
    err.as_string()
        .or_else(|| err.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .unwrap_or_else(|| "network error".to_owned())
}

impl Transport for WebTransport {
    fn session(&self, request: &SessionRequest) -> Reply<Session> {
        self.json("POST", "/session", None, Some(request))
    }

    fn start_conversation(&self, token: &str, request: &StartConversation) -> Reply<ConversationSummary> {
        self.json("POST", "/conversations", Some(token), Some(request))
    }

    fn conversation(&self, token: &str, id: &str, after_seq: u64) -> Reply<ConversationDetail> {
        let path = format!("/conversations/{}?after={after_seq}", encode(id));
        self.json::<(), _>("GET", &path, Some(token), None)
    }

    fn upload(&self, token: &str, upload: Upload, progress: Rc<dyn Fn(f64)>) -> Reply<Attachment> {
        let url = self.api("/attachments");
        let token = token.to_owned();
        Box::pin(async move {
            let xhr = XmlHttpRequest::new().map_err(|e| TransportError::Network(describe(&e)))?;
            // The promise settles when the request ends, however it ends;
            // the status and body are read from `xhr` afterwards.
            let promise = js_sys::Promise::new(&mut |resolve, _reject| {
                let done = Closure::once_into_js(move || _ = resolve.call0(&JsValue::NULL));
                xhr.set_onloadend(Some(done.unchecked_ref()));
            });
            let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |ev: ProgressEvent| {
                if ev.length_computable() && ev.total() > 0.0 {
                    progress(ev.loaded() / ev.total());
                }
            });
            let network = |e: JsValue| TransportError::Network(describe(&e));
            xhr.open("POST", &url).map_err(network)?;
            xhr.set_request_header("Authorization", &format!("Bearer {token}")).map_err(network)?;
            let content_type =
                if upload.content_type.is_empty() { "application/octet-stream" } else { &upload.content_type };
            xhr.set_request_header("Content-Type", content_type).map_err(network)?;
            xhr.set_request_header("X-Filename", &encode(&upload.name)).map_err(network)?;
            if let Ok(target) = xhr.upload() {
                target.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            }
            xhr.send_with_opt_blob(Some(&upload.blob)).map_err(network)?;
            _ = JsFuture::from(promise).await;
            drop(on_progress);
            let status = xhr.status().unwrap_or(0);
            let body = xhr.response_text().ok().flatten().unwrap_or_default();
            if status == 0 {
                return Err(TransportError::Network("the upload was interrupted".to_owned()));
            }
            if !(200..300).contains(&status) {
                return Err(refused(status, &body));
            }
            from_json(&body).map_err(|e| TransportError::Network(format!("unreadable answer: {e}")))
        })
    }

    fn rate(&self, token: &str, conversation: &str, rating: &Rating) -> Reply<ConversationSummary> {
        self.json("POST", &format!("/conversations/{}/rating", encode(conversation)), Some(token), Some(rating))
    }

    fn email_transcript(&self, token: &str, conversation: &str, request: &TranscriptRequest) -> Reply<()> {
        let path = format!("/conversations/{}/transcript", encode(conversation));
        let reply: Reply<serde_json::Value> = self.json("POST", &path, Some(token), Some(request));
        Box::pin(async move { reply.await.map(|_| ()) })
    }

    fn create_ticket(&self, token: &str, request: &NewTicket) -> Reply<TicketDetail> {
        self.json("POST", "/tickets", Some(token), Some(request))
    }

    fn tickets(&self, token: &str) -> Reply<Vec<TicketSummary>> {
        self.json::<(), _>("GET", "/tickets", Some(token), None)
    }

    fn ticket(&self, token: &str, id: &str) -> Reply<TicketDetail> {
        self.json::<(), _>("GET", &format!("/tickets/{}", encode(id)), Some(token), None)
    }

    fn reply_ticket(&self, token: &str, id: &str, reply: &NewTicketReply) -> Reply<TicketReply> {
        self.json("POST", &format!("/tickets/{}/replies", encode(id)), Some(token), Some(reply))
    }

    fn set_ticket_status(&self, token: &str, id: &str, status: TicketStatus) -> Reply<TicketSummary> {
        let body = TicketStatusChange { status };
        self.json("POST", &format!("/tickets/{}/status", encode(id)), Some(token), Some(&body))
    }

    fn read_ticket(&self, token: &str, id: &str, seq: u64) -> Reply<()> {
        let path = format!("/tickets/{}/read", encode(id));
        let reply: Reply<serde_json::Value> = self.json("POST", &path, Some(token), Some(&TicketRead { seq }));
        Box::pin(async move { reply.await.map(|_| ()) })
    }

    fn rate_ticket(&self, token: &str, id: &str, rating: &Rating) -> Reply<TicketSummary> {
        self.json("POST", &format!("/tickets/{}/rating", encode(id)), Some(token), Some(rating))
    }

    fn connect(&self, events: Rc<dyn Fn(ConnectionEvent)>) -> Box<dyn Connection> {
        Box::new(Socket::open(&self.backend.ws_url(&self.origin, WS_PATH), events))
    }

    fn resolve(&self, url: &str) -> String {
        if url.starts_with('/') && !url.starts_with("//") {
            self.backend.url(&self.origin, url)
        } else if url.starts_with("https://") || url.starts_with("http://") {
            url.to_owned()
        } else {
            // Anything else (javascript:, data:) is not followed.
            String::new()
        }
    }
}

fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

type Handler<T> = Closure<dyn FnMut(T)>;

/// A `WebSocket` and the handlers it calls. The handlers are detached
/// before the socket is closed or dropped, so none runs after its closure
/// has been freed.
struct Socket {
    ws: Option<WebSocket>,
    _handlers: Option<(Handler<JsValue>, Handler<MessageEvent>, Handler<CloseEvent>)>,
    closed: Rc<RefCell<bool>>,
}

impl Socket {
    fn open(url: &str, events: Rc<dyn Fn(ConnectionEvent)>) -> Socket {
        let closed = Rc::new(RefCell::new(false));
        let Ok(ws) = WebSocket::new(url) else {
            // An invalid URL or a CSP refusal: report a close, so the
            // caller schedules a retry as for any other failure.
            let events = events.clone();
            request_close(events);
            return Socket { ws: None, _handlers: None, closed };
        };
        let on_open = {
            let events = events.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_| events(ConnectionEvent::Open))
        };
        let on_message = {
            let events = events.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                let Some(text) = ev.data().as_string() else { return };
                match server_frame(&text) {
                    Ok(frame) => events(ConnectionEvent::Frame(frame)),
                    Err(err) => {
                        web_sys::console::warn_1(&format!("Helpdock: ignoring an unreadable frame: {err}").into())
                    }
                }
            })
        };
        let on_close = {
            let closed = closed.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |_| {
                if !closed.replace(true) {
                    events(ConnectionEvent::Closed);
                }
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Socket { ws: Some(ws), _handlers: Some((on_open, on_message, on_close)), closed }
    }

    fn detach(&self) {
        if let Some(ws) = &self.ws {
            ws.set_onopen(None);
            ws.set_onmessage(None);
            ws.set_onclose(None);
        }
    }
}

/// Reports `Closed` on the next turn of the event loop (never from inside
/// the caller's own call, which may hold a borrow).
fn request_close(events: Rc<dyn Fn(ConnectionEvent)>) {
    let later = Closure::once_into_js(move || events(ConnectionEvent::Closed));
    if let Some(window) = web_sys::window() {
        _ = window.set_timeout_with_callback(later.unchecked_ref());
    }
}

impl Connection for Socket {
    fn send(&self, frame: &ClientFrame) -> bool {
        match &self.ws {
            Some(ws) if ws.ready_state() == WebSocket::OPEN => ws.send_with_str(&frame.to_json()).is_ok(),
            _ => false,
        }
    }

    fn close(&self) {
        self.closed.replace(true);
        self.detach();
        if let Some(ws) = &self.ws {
            _ = ws.close();
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.close();
    }
}
