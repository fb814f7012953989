//! Static files: the built widget and demo page (`--static DIR`) at `/`,
//! and the agent console, embedded in the binary, at `/console/`. Both
//! under the strict Content-Security-Policy.

use std::path::{Component, Path, PathBuf};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use percent_encoding::percent_decode_str;
use rust_embed::RustEmbed;

use super::AppState;

/// The policy the widget promises to work under (as a strict host sends),
/// plus `blob:`/`data:` images for previews of files about to be sent.
/// `scripts/serve.mjs` exports the same string for the browser tests.
pub const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:";
/// The console's: no wasm, image previews from uploads, never framed.
pub const CONSOLE_CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; frame-ancestors 'none'";

/// The console's files (read from disk in debug builds).
#[derive(RustEmbed)]
#[folder = "console/"]
struct Console;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(|| async { Redirect::permanent("/console/") }))
        .route("/console/", get(console_file))
        .route("/console/{*path}", get(console_file))
        .fallback(static_file)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).as_deref() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn base_headers(csp: &'static str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h
}

fn not_found(mut headers: HeaderMap) -> Response {
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    (StatusCode::NOT_FOUND, headers, "Not found\n").into_response()
}

fn body_for(method: &Method, bytes: Vec<u8>) -> Vec<u8> {
    if method == Method::HEAD {
        Vec::new()
    } else {
        bytes
    }
}

/// A request path as a relative file path, or `None` when it would leave
/// the folder (`..`, a drive, a root).
fn relative(path: &str) -> Option<PathBuf> {
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    let mut out = PathBuf::new();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

async fn static_file(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    let mut headers = base_headers(CSP);
    let path = uri.path();
    // The benchmark page is cross-origin isolated for a finer timer.
    if path.starts_with("/bench/") {
        headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
        headers.insert("cross-origin-embedder-policy", HeaderValue::from_static("require-corp"));
    }
    if !matches!(method, Method::GET | Method::HEAD) {
        return not_found(headers);
    }
    let Some(relative) = relative(path) else { return not_found(headers) };
    let mut file = state.config.static_dir.join(relative);
    if tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir()) {
        file = file.join("index.html");
    }
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let kind = content_type(&file.to_string_lossy());
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            (StatusCode::OK, headers, body_for(&method, bytes)).into_response()
        }
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {
            not_found(headers)
        }
        Err(e) => {
            tracing::error!(error = %e, file = %file.display(), "static file");
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            (StatusCode::INTERNAL_SERVER_ERROR, headers, "Server error\n").into_response()
        }
    }
}

async fn console_file(method: Method, uri: Uri) -> Response {
    let mut headers = base_headers(CONSOLE_CSP);
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let rest = uri.path().strip_prefix("/console/").unwrap_or("");
    let Some(relative) = relative(rest) else { return not_found(headers) };
    let mut name = relative.to_string_lossy().replace('\\', "/");
    if name.is_empty() {
        name = "index.html".into();
    }
    match Console::get(&name) {
        Some(file) => {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&name)));
            (StatusCode::OK, headers, body_for(&method, file.data.into_owned())).into_response()
        }
        None => not_found(headers),
    }
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn paths_cannot_leave_the_folder() {
        assert_eq!(relative("/wasm/a.js").unwrap().to_str(), Some("wasm/a.js"));
        assert!(relative("/../etc/passwd").is_none());
        assert!(relative("/%2e%2e/etc/passwd").is_none());
        assert!(relative("/a/../../b").is_none());
    }
}
