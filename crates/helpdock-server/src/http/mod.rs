//! The HTTP side: [`app`] (every route), the answer an [`AppError`] becomes,
//! and what the handlers share: who is calling (a visitor's bearer token, an agent's
//! session cookie and CSRF token), JSON bodies with readable errors, and the
//! per-IP rate limit.

mod attachments;
mod confirm;
mod console;
mod conversations;
mod error;
mod files;
mod session;
mod tickets;
mod ws;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, OriginalUri, Request, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use serde::de::DeserializeOwned;

pub use error::status_of;
pub use files::CSP;

use crate::db::{AgentRow, VisitorRow};
use crate::error::AppError;
use crate::state::AppState;
use crate::token::{constant_time_eq, sha256_hex};

/// The name of the console's session cookie.
pub const SESSION_COOKIE: &str = "helpdock_session";
/// Its name when the cookie is `Secure` (behind TLS).
pub const SECURE_SESSION_COOKIE: &str = "__Host-helpdock_session";

/// Every route; a request body that stalls `limits.body_timeout_secs`
/// between two parts ends the request.
pub fn app(state: AppState) -> Router {
    let body_timeout = std::time::Duration::from_secs(u64::from(state.config.limits.body_timeout_secs));
    let api = Router::new()
        .merge(session::router())
        .merge(conversations::router())
        .merge(attachments::visitor_router())
        .merge(tickets::visitor_router())
        .route("/ws", get(ws::visitor_socket))
        .route("/{*rest}", any(api_not_found))
        .layer(middleware::from_fn_with_state(state.clone(), cors));
    let console_api = console::router()
        .merge(attachments::console_router())
        .merge(tickets::console_router())
        .route("/ws", get(ws::console_socket))
        .route("/{*rest}", any(api_not_found));
    let limited = Router::new()
        .merge(confirm::router())
        .nest("/api/v1", api)
        .nest("/console/api", console_api)
        .layer(middleware::from_fn_with_state(state.clone(), api_guard));
    Router::new()
        .route("/healthz", get(healthz))
        .merge(limited)
        .merge(files::router())
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(body_timeout))
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.count_visitors().await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn api_not_found(method: Method, OriginalUri(uri): OriginalUri) -> AppError {
    AppError::Client(helpdock_core::protocol::ErrorInfo::new(
        helpdock_core::protocol::ErrorCode::NotFound,
        format!("There is no {method} {} in this API.", uri.path()),
    ))
}

/// Per-IP rate limit, and headers every API answer carries.
async fn api_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(ConnectInfo(addr)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        if request.method() != Method::OPTIONS {
            let client = crate::client_ip::resolve(addr.ip(), request.headers(), &state.proxies);
            if let Err(wait) = state.ip_rate.check(&crate::client_ip::rate_key(client)).await {
                return AppError::rate_limited(wait).into_response();
            }
        }
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

/// CORS for the visitor API: pages on `allowed_origins` may call it.
async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let allowed = origin
        .as_ref()
        .and_then(|o| o.to_str().ok())
        .is_some_and(|o| state.config.allowed_origins.iter().any(|a| a == o));
    let preflight = request.method() == Method::OPTIONS;
    let mut response = if preflight && allowed {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type, x-filename"),
        );
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        r
    } else {
        next.run(request).await
    };
    if let (true, Some(origin)) = (allowed, origin) {
        response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        response.headers_mut().append(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// A visitor, from `Authorization: Bearer <visitorToken>`.
#[derive(Debug, Clone)]
pub struct VisitorAuth(pub VisitorRow);

impl FromRequestParts<AppState> for VisitorAuth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<VisitorAuth, AppError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256);
        let Some(token) = token else {
            return Err(AppError::unauthorized(
                "This needs a visitor token (Authorization: Bearer …); start a session with POST /api/v1/session.",
            ));
        };
        match state.db.visitor_by_token(&sha256_hex(token)).await? {
            Some(visitor) => Ok(VisitorAuth(visitor)),
            None => Err(AppError::unauthorized(
                "The visitor token is unknown; start a new session with POST /api/v1/session.",
            )),
        }
    }
}

/// A signed-in agent. For anything but GET and HEAD the request must also
/// carry the session's CSRF token in `X-CSRF-Token`.
#[derive(Debug, Clone)]
pub struct AgentAuth {
    /// Who.
    pub agent: AgentRow,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// The session cookie's token hash.
    pub session_hash: String,
}

/// The agent behind a request's session cookie, with the session's CSRF
/// token and the cookie's hash (the CSRF token is not checked here).
pub async fn console_agent(state: &AppState, headers: &HeaderMap) -> Result<AgentAuth, AppError> {
    let hash = session_hash(headers).ok_or_else(|| AppError::unauthorized("Sign in to the console first."))?;
    let (agent, csrf_token) = state
        .db
        .agent_session(&hash)
        .await?
        .ok_or_else(|| AppError::unauthorized("Your console session has ended; sign in again."))?;
    Ok(AgentAuth { agent, csrf_token, session_hash: hash })
}

fn session_hash(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE || *name == SECURE_SESSION_COOKIE)
        .map(|(_, value)| sha256_hex(value.trim()))
}

impl FromRequestParts<AppState> for AgentAuth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<AgentAuth, AppError> {
        let auth = console_agent(state, &parts.headers).await?;
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            let given = parts.headers.get("x-csrf-token").map(|v| v.as_bytes()).unwrap_or_default();
            if !constant_time_eq(given, auth.csrf_token.as_bytes()) {
                return Err(AppError::forbidden(
                    "This request needs the session's CSRF token in the X-CSRF-Token header.",
                ));
            }
        }
        Ok(auth)
    }
}

/// The client's IP address, when the server was started with connection
/// info (always, except in `oneshot` tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl ClientIp {
    /// The key its rate limits count under (see [`crate::client_ip::rate_key`]).
    pub fn key(&self) -> Option<String> {
        self.0.map(crate::client_ip::rate_key)
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ClientIp, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientIp(peer.map(|peer| crate::client_ip::resolve(peer, &parts.headers, &state.proxies))))
    }
}

/// A JSON body whose errors are protocol errors naming the problem.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<JsonBody<T>, AppError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => {
                Err(AppError::bad_request(format!("The request body could not be read: {}", rejection.body_text())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::{app, AppState};
    use crate::config::Config;
    use crate::db::Db;

    async fn router() -> (axum::Router, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(crate::token::random_id("helpdock-http-"));
        std::fs::create_dir_all(dir.join("dist")).unwrap();
        std::fs::write(dir.join("dist/index.html"), "<!doctype html><title>host</title>").unwrap();
        let config = Config {
            database: dir.join("t.sqlite").display().to_string(),
            static_dir: dir.join("dist"),
            ..Config::default()
        };
        let db = Db::open(&config.database).await.unwrap();
        (app(AppState::new(config, db).unwrap()), dir)
    }

    async fn get(router: &axum::Router, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
    }

    #[tokio::test]
    async fn static_files_api_errors_and_health() {
        let (router, dir) = router().await;
        let (status, headers, body) = get(&router, "/").await;
        assert_eq!((status, body.contains("<title>host</title>")), (StatusCode::OK, true));
        assert_eq!(headers["content-security-policy"], super::files::CSP);
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        let (status, headers, body) = get(&router, "/missing.js").await;
        assert_eq!((status, body.as_str()), (StatusCode::NOT_FOUND, "Not found\n"));
        assert_eq!(headers["content-security-policy"], super::files::CSP);
        let (status, ..) = get(&router, "/%2e%2e/t.sqlite").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "nothing outside the static folder");
        let (_, headers, _) = get(&router, "/bench/").await;
        assert_eq!(headers["cross-origin-embedder-policy"], "require-corp");
        let (status, _, body) = get(&router, "/api/v1/nothing-here").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("\"code\":\"not_found\"") && body.contains("GET /api/v1/nothing-here"), "{body}");
        let (status, headers, _) = get(&router, "/console/").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-security-policy"], super::files::CONSOLE_CSP);
        assert_eq!(get(&router, "/healthz").await.2, "ok\n");
        let _ = std::fs::remove_dir_all(dir);
    }
}
