//! Static files: the built widget and demo page (`--static DIR`) at `/`,
//! and the agent console, embedded in the binary, at `/console/`. Both
//! under the strict Content-Security-Policy.
//!
//! The folder is served as a CDN would serve it: tower-http's `ServeDir`
//! picks the build's precompressed siblings (`FILE.br`, `FILE.gz`, written
//! by `scripts/precompress.mjs`) by `Accept-Encoding`, and answers ranges
//! and `If-Modified-Since`; this module adds the ETag, the cache policy and
//! the security headers. A name carrying a content hash
//! (`helpdock.3f9a0c1d2e4b5a6f.wasm`) is cached for a year as `immutable`;
//! every other name (pages, the stable `helpdock.js` hosts import) is
//! `no-cache`, revalidated with its ETag and answered 304 when unchanged.

use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use percent_encoding::percent_decode_str;
use rust_embed::RustEmbed;
use tower_http::services::ServeDir;

use super::AppState;

/// The policy the widget promises to work under (as a strict host sends),
/// plus `blob:`/`data:` images for previews of files about to be sent.
/// `scripts/serve.mjs` exports the same string for the browser tests.
pub const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:";
/// The console's: no wasm, image previews from uploads, never framed.
pub const CONSOLE_CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; frame-ancestors 'none'";

/// For a name that carries its content's hash: it never changes, so
/// browsers and CDNs keep it a year without asking again.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For every other name: kept, but revalidated (ETag, 304) before each use.
const REVALIDATE: &str = "no-cache";

/// The extensions `scripts/precompress.mjs` may write `.br` and `.gz`
/// siblings for; their answers vary with `Accept-Encoding`.
const COMPRESSIBLE: &[&str] = &["js", "mjs", "css", "wasm", "hdpk", "html", "svg", "json", "txt"];

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

fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase())
}

/// The types the widget and the console depend on, with their charset
/// (`ServeDir` guesses the rest).
fn content_type(name: &str) -> Option<&'static str> {
    Some(match extension(name)?.as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "hdpk" => "application/octet-stream",
        _ => return None,
    })
}

/// Whether a file name carries a content hash: `<stem>.<16 lowercase
/// hex>.<ext>`, as in `helpdock.3f9a0c1d2e4b5a6f.wasm` or
/// `starter.en.0123456789abcdef.hdpk`.
fn is_content_hashed(name: &str) -> bool {
    let mut parts = name.rsplitn(3, '.');
    let (Some(ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !ext.is_empty()
        && !stem.is_empty()
        && hash.len() == 16
        && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn cache_control(name: &str) -> HeaderValue {
    HeaderValue::from_static(if is_content_hashed(name) { IMMUTABLE } else { REVALIDATE })
}

fn security_headers(csp: &'static str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h
}

fn plain(status: StatusCode, mut headers: HeaderMap, text: &'static str) -> Response {
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    (status, headers, text).into_response()
}

fn not_found(headers: HeaderMap) -> Response {
    plain(StatusCode::NOT_FOUND, headers, "Not found\n")
}

fn body_for(method: &Method, bytes: Vec<u8>) -> Vec<u8> {
    if method == Method::HEAD {
        Vec::new()
    } else {
        bytes
    }
}

/// The longest request path served, and the longest name in it, in bytes
/// once decoded (what file systems allow; longer is a probe).
const MAX_PATH_BYTES: usize = 1024;
const MAX_NAME_BYTES: usize = 255;

/// A request path as a relative file path, or `None` when it would leave
/// the folder (`..`, a drive, a root), holds a NUL or another control
/// character, or is longer than a file system allows: such a path is
/// answered 404 before anything touches the disk. `ServeDir` refuses the
/// paths that leave the folder too; this check keeps the guarantee here.
fn relative(path: &str) -> Option<PathBuf> {
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    if decoded.len() > MAX_PATH_BYTES || decoded.chars().any(char::is_control) {
        return None;
    }
    let mut out = PathBuf::new();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) if part.len() <= MAX_NAME_BYTES => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Whether `If-None-Match` lists `etag` (the weak comparison RFC 9110
/// prescribes for it) or is `*`.
fn if_none_match_lists(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let (Ok(list), Ok(etag)) = (if_none_match.to_str(), etag.to_str()) else { return false };
    list.trim() == "*" || list.split(',').map(str::trim).any(|tag| tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// The ETag of the file `ServeDir` sent: its size and modification time,
/// and the encoding, so the `.br`, `.gz` and plain bodies differ.
async fn etag(file: &Path, content_encoding: Option<&HeaderValue>) -> Option<HeaderValue> {
    let (sibling, tag) = match content_encoding.map(HeaderValue::as_bytes) {
        Some(b"br") => (".br", "-br"),
        Some(b"gzip") => (".gz", "-gz"),
        _ => ("", ""),
    };
    let mut sent = file.as_os_str().to_owned();
    sent.push(sibling);
    let meta = tokio::fs::metadata(sent).await.ok()?;
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    HeaderValue::from_str(&format!("\"{:x}-{modified:x}{tag}\"", meta.len())).ok()
}

/// The 304 for a 200 whose ETag the client already has.
fn not_modified(full: &Response, etag: HeaderValue) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    response.headers_mut().insert(header::ETAG, etag);
    if let Some(last_modified) = full.headers().get(header::LAST_MODIFIED) {
        response.headers_mut().insert(header::LAST_MODIFIED, last_modified.clone());
    }
    response
}

async fn static_file(State(state): State<AppState>, mut request: Request) -> Response {
    let mut headers = security_headers(CSP);
    let path = request.uri().path().to_owned();
    // The benchmark page is cross-origin isolated for a finer timer.
    if path.starts_with("/bench/") {
        headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
        headers.insert("cross-origin-embedder-policy", HeaderValue::from_static("require-corp"));
    }
    let Some(relative) = relative(&path) else { return not_found(headers) };
    let mut file = state.config.static_dir.join(relative);
    if path.ends_with('/') && tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir()) {
        file.push("index.html");
    }
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();

    // With If-None-Match, If-Modified-Since is to be ignored (RFC 9110
    // 13.1.3). ServeDir knows only the latter, so the former is answered
    // here once ServeDir has picked the file (and its encoding).
    let if_none_match = request.headers_mut().remove(header::IF_NONE_MATCH);
    if if_none_match.is_some() {
        request.headers_mut().remove(header::IF_MODIFIED_SINCE);
    }
    let served =
        ServeDir::new(&state.config.static_dir).precompressed_br().precompressed_gzip().try_call(request).await;
    let mut response = match served {
        Ok(response) => response.map(Body::new),
        Err(e) => {
            // Debug formatting escapes whatever the path holds.
            tracing::error!(error = %e, file = ?file, "static file");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, headers, "Server error\n");
        }
    };
    match response.status() {
        StatusCode::OK | StatusCode::PARTIAL_CONTENT => {
            let etag = etag(&file, response.headers().get(header::CONTENT_ENCODING)).await;
            if let Some(etag) = etag {
                if if_none_match.is_some_and(|given| if_none_match_lists(&given, &etag)) {
                    response = not_modified(&response, etag);
                } else {
                    response.headers_mut().insert(header::ETAG, etag);
                }
            }
            if response.status() != StatusCode::NOT_MODIFIED {
                if let Some(kind) = content_type(&name) {
                    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
                }
            }
        }
        // If-Modified-Since alone: a client that kept no ETag gets none.
        StatusCode::NOT_MODIFIED => {}
        StatusCode::NOT_FOUND => return not_found(headers),
        // Redirects (a folder without its slash), 405, 412, 416.
        _ => {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
            response.headers_mut().extend(headers);
            return response;
        }
    }
    headers.insert(header::CACHE_CONTROL, cache_control(&name));
    if extension(&name).is_some_and(|ext| COMPRESSIBLE.contains(&ext.as_str())) {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response.headers_mut().extend(headers);
    response
}

async fn console_file(method: Method, uri: Uri, request_headers: HeaderMap) -> Response {
    let mut headers = security_headers(CONSOLE_CSP);
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let rest = uri.path().strip_prefix("/console/").unwrap_or("");
    let Some(relative) = relative(rest) else { return not_found(headers) };
    let mut name = relative.to_string_lossy().replace('\\', "/");
    if name.is_empty() {
        name = "index.html".into();
    }
    let Some(file) = Console::get(&name) else { return not_found(headers) };
    // The embedded file's hash, computed at build time, is a free ETag.
    let hash: String = file.metadata.sha256_hash()[..16].iter().map(|b| format!("{b:02x}")).collect();
    let etag = HeaderValue::from_str(&format!("\"{hash}\"")).expect("hex is a valid header value");
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    headers.insert(header::ETAG, etag.clone());
    if request_headers.get(header::IF_NONE_MATCH).is_some_and(|given| if_none_match_lists(given, &etag)) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let kind = content_type(&name).unwrap_or("application/octet-stream");
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    (StatusCode::OK, headers, body_for(&method, file.data.into_owned())).into_response()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{is_content_hashed, relative};

    #[test]
    fn nul_control_characters_and_overlong_paths_are_refused_before_the_disk() {
        for path in ["/a%00b.js", "/%0a%1b[31m.js", "/index.html%00", "/x%7f"] {
            assert_eq!(relative(path), None, "{path}");
        }
        assert_eq!(relative(&format!("/{}.js", "a".repeat(256))), None);
        assert_eq!(relative(&format!("/{}", "a/".repeat(600))), None);
        assert_eq!(
            relative(&format!("/{}.js", "a".repeat(200))),
            Some(PathBuf::from(format!("{}.js", "a".repeat(200))))
        );
    }

    #[test]
    fn paths_cannot_leave_the_folder() {
        assert_eq!(relative("/wasm/a.js").unwrap().to_str(), Some("wasm/a.js"));
        assert!(relative("/../etc/passwd").is_none());
        assert!(relative("/%2e%2e/etc/passwd").is_none());
        assert!(relative("/a/../../b").is_none());
    }

    #[test]
    fn a_content_hash_is_sixteen_lowercase_hex_digits_before_the_extension() {
        for (name, hashed) in [
            ("helpdock.3f9a0c1d2e4b5a6f.wasm", true),
            ("starter.en.0123456789abcdef.hdpk", true),
            ("helpdock.js", false),
            ("index.html", false),
            ("helpdock.3F9A0C1D2E4B5A6F.wasm", false),
            ("helpdock.3f9a0c1d2e4b5a6.wasm", false),
            ("helpdock.3f9a0c1d2e4b5a6f0.wasm", false),
            ("helpdock.3f9a0c1d2e4b5a6g.wasm", false),
            (".3f9a0c1d2e4b5a6f.wasm", false),
            ("helpdock.3f9a0c1d2e4b5a6f.", false),
            ("3f9a0c1d2e4b5a6f.wasm", false),
            ("helpdock.3f9a0c1d2e4b5a6f.wasm.br", false),
        ] {
            assert_eq!(is_content_hashed(name), hashed, "{name}");
        }
    }
}
