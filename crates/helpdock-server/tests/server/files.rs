//! The static folder served as a CDN would (issue 11): the build's `.br`
//! and `.gz` siblings by `Accept-Encoding`, a year for content-hashed
//! names, ETag revalidation for the others, and the security headers on
//! every answer. No socket: `app(state).oneshot(request)`.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use helpdock_server::config::Config;
use helpdock_server::db::Db;
use helpdock_server::http::{app, CSP};
use helpdock_server::state::AppState;
use tower::ServiceExt;

use crate::support::{temp_dir, TempDir};

/// What the issue asks of a content-hashed name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const WASM: &str = "/wasm/helpdock.3f9a0c1d2e4b5a6f.wasm";
const PACK: &str = "/packs/starter.en.0123456789abcdef.hdpk";
const LOADER: &[u8] = b"export async function mount() {}\n";
// Stand-ins for the compressed bodies: the server sends them as they are,
// so telling which file was sent is a string comparison.
const LOADER_BR: &[u8] = b"brotli bytes of helpdock.js";
const LOADER_GZ: &[u8] = b"gzip bytes of helpdock.js";

/// A build as `scripts/precompress.mjs` leaves it, a secret beside it, and
/// the app serving the build.
async fn serving() -> (axum::Router, TempDir) {
    let dir = temp_dir();
    let dist = dir.0.join("dist");
    let files: [(&str, &[u8]); 8] = [
        ("index.html", b"<!doctype html><title>host</title>"),
        ("helpdock.js", LOADER),
        ("helpdock.js.br", LOADER_BR),
        ("helpdock.js.gz", LOADER_GZ),
        (&WASM[1..], b"\0asm\x01\0\0\0 the widget"),
        (&format!("{}.br", &WASM[1..]), b"brotli bytes of the wasm"),
        (&PACK[1..], b"HDPK starter"),
        ("demo.css", b"body { margin: 0 }"),
    ];
    for (name, bytes) in files {
        let path = dist.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    std::fs::write(dir.0.join("Cargo.toml"), "[package] # outside the static folder").unwrap();
    let config =
        Config { database: dir.0.join("t.sqlite").display().to_string(), static_dir: dist, ..Config::default() };
    let db = Db::open(&config.database).await.unwrap();
    (app(AppState::new(config, db).unwrap()), dir)
}

async fn send(
    router: &axum::Router,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    (parts.status, parts.headers, bytes.to_vec())
}

async fn get(router: &axum::Router, path: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
    send(router, Method::GET, path, headers).await
}

fn value(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn a_content_hashed_name_is_cached_for_a_year_as_immutable() {
    let (router, _dir) = serving().await;
    let (status, headers, body) = get(&router, WASM, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, b"\0asm\x01\0\0\0 the widget");
    assert_eq!(value(&headers, header::CACHE_CONTROL), Some(IMMUTABLE));
    assert_eq!(value(&headers, header::CONTENT_TYPE), Some("application/wasm"));
    assert_eq!(value(&headers, header::VARY), Some("accept-encoding"));
    assert!(headers.contains_key(header::ETAG) && headers.contains_key(header::LAST_MODIFIED));
    let (status, headers, _) = get(&router, PACK, &[]).await;
    assert_eq!((status, value(&headers, header::CACHE_CONTROL)), (StatusCode::OK, Some(IMMUTABLE)));
    // A range of a hashed file is as immutable as the whole.
    let (status, headers, body) = get(&router, WASM, &[("range", "bytes=0-3")]).await;
    assert_eq!((status, body.as_slice()), (StatusCode::PARTIAL_CONTENT, &b"\0asm"[..]));
    assert_eq!(value(&headers, header::CACHE_CONTROL), Some(IMMUTABLE));
    // A missing hashed name must not be remembered for a year.
    let (status, headers, _) = get(&router, "/wasm/helpdock.0000000000000000.wasm", &[]).await;
    assert_eq!((status, value(&headers, header::CACHE_CONTROL)), (StatusCode::NOT_FOUND, Some("no-cache")));
}

#[tokio::test]
async fn a_stable_name_is_revalidated_with_its_etag_and_answered_304() {
    let (router, dir) = serving().await;
    let (status, headers, body) = get(&router, "/helpdock.js", &[]).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, LOADER));
    assert_eq!(value(&headers, header::CACHE_CONTROL), Some("no-cache"));
    assert_eq!(value(&headers, header::CONTENT_TYPE), Some("text/javascript; charset=utf-8"));
    let etag = value(&headers, header::ETAG).expect("an ETag").to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "a strong ETag: {etag}");

    let (status, again, body) = get(&router, "/helpdock.js", &[("if-none-match", &etag)]).await;
    assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));
    assert_eq!(value(&again, header::ETAG), Some(etag.as_str()));
    assert_eq!(value(&again, header::CACHE_CONTROL), Some("no-cache"));
    assert_eq!(value(&again, header::VARY), Some("accept-encoding"));
    assert_eq!(value(&again, header::CONTENT_SECURITY_POLICY), Some(CSP));
    // A list, a weak form and `*` match too; If-None-Match outranks an
    // If-Modified-Since that alone would have answered 304.
    for given in [format!("\"other\", {etag}"), format!("W/{etag}"), "*".into()] {
        assert_eq!(get(&router, "/helpdock.js", &[("if-none-match", &given)]).await.0, StatusCode::NOT_MODIFIED);
    }
    let last_modified = value(&headers, header::LAST_MODIFIED).unwrap();
    let (status, _, body) =
        get(&router, "/helpdock.js", &[("if-none-match", "\"other\""), ("if-modified-since", last_modified)]).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, LOADER));

    // Once the file changes, the old ETag no longer matches.
    let file = dir.0.join("dist/helpdock.js");
    std::fs::write(&file, b"export async function mount() { /* v2 */ }\n").unwrap();
    let (status, headers, _) = get(&router, "/helpdock.js", &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(value(&headers, header::ETAG), Some(etag.as_str()));

    // The page itself is revalidated too.
    let (status, headers, _) = get(&router, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(value(&headers, header::CACHE_CONTROL), Some("no-cache"));
    assert_eq!(value(&headers, header::CONTENT_TYPE), Some("text/html; charset=utf-8"));
    let (_, headers, _) = get(&router, "/demo.css", &[]).await;
    assert_eq!(value(&headers, header::CACHE_CONTROL), Some("no-cache"));
}

#[tokio::test]
async fn the_precompressed_sibling_goes_only_to_a_browser_that_accepts_it() {
    let (router, _dir) = serving().await;
    let chromium = "gzip, deflate, br, zstd";
    let (status, br, body) = get(&router, "/helpdock.js", &[("accept-encoding", chromium)]).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, LOADER_BR));
    assert_eq!(value(&br, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(value(&br, header::CONTENT_TYPE), Some("text/javascript; charset=utf-8"), "the plain file's type");
    assert_eq!(value(&br, header::VARY), Some("accept-encoding"));

    let (status, gz, body) = get(&router, "/helpdock.js", &[("accept-encoding", "gzip")]).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, LOADER_GZ));
    assert_eq!(value(&gz, header::CONTENT_ENCODING), Some("gzip"));

    for accept in [None, Some("identity"), Some("zstd")] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept-encoding", a)).into_iter().collect();
        let (status, plain, body) = get(&router, "/helpdock.js", &headers).await;
        assert_eq!((status, body.as_slice()), (StatusCode::OK, LOADER), "{accept:?}");
        assert_eq!(value(&plain, header::CONTENT_ENCODING), None, "{accept:?}");
        assert_eq!(value(&plain, header::VARY), Some("accept-encoding"), "{accept:?}");
    }

    // Each body has its own ETag, and a 304 answers only for the same one.
    let (br_tag, gz_tag) = (value(&br, header::ETAG).unwrap(), value(&gz, header::ETAG).unwrap());
    let plain_tag = get(&router, "/helpdock.js", &[]).await.1[header::ETAG].to_str().unwrap().to_string();
    assert!(br_tag != gz_tag && br_tag != plain_tag && gz_tag != plain_tag);
    let revalidate = |tag| [("accept-encoding", chromium), ("if-none-match", tag)];
    assert_eq!(get(&router, "/helpdock.js", &revalidate(br_tag)).await.0, StatusCode::NOT_MODIFIED);
    assert_eq!(get(&router, "/helpdock.js", &revalidate(&plain_tag)).await.0, StatusCode::OK);

    // No sibling: the plain file, whatever the browser accepts.
    let (status, headers, body) = get(&router, PACK, &[("accept-encoding", chromium)]).await;
    assert_eq!(
        (status, body.as_slice(), value(&headers, header::CONTENT_ENCODING)),
        (StatusCode::OK, &b"HDPK starter"[..], None)
    );
    let (_, headers, body) = get(&router, WASM, &[("accept-encoding", "br")]).await;
    assert_eq!(
        (body.as_slice(), value(&headers, header::CONTENT_ENCODING)),
        (&b"brotli bytes of the wasm"[..], Some("br"))
    );
    assert_eq!(value(&headers, header::CONTENT_TYPE), Some("application/wasm"));
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_no_path_leaves_the_folder() {
    let (router, _dir) = serving().await;
    for path in ["/", "/helpdock.js", WASM, "/missing.js"] {
        let (_, headers, _) = get(&router, path, &[("accept-encoding", "br")]).await;
        assert_eq!(value(&headers, header::CONTENT_SECURITY_POLICY), Some(CSP), "{path}");
        assert_eq!(value(&headers, header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"), "{path}");
        assert_eq!(value(&headers, header::REFERRER_POLICY), Some("strict-origin-when-cross-origin"), "{path}");
    }
    let (status, _, body) = get(&router, "/missing.js", &[]).await;
    assert_eq!((status, body.as_slice()), (StatusCode::NOT_FOUND, &b"Not found\n"[..]));
    for path in ["/../Cargo.toml", "/%2e%2e/Cargo.toml", "/wasm/..%2f..%2fCargo.toml", "/wasm/%2E%2E/%2e%2e/Cargo.toml"]
    {
        let (status, headers, body) = get(&router, path, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("[package]"), "{path}");
        assert_eq!(value(&headers, header::CONTENT_SECURITY_POLICY), Some(CSP), "{path}");
    }
    // A NUL, a control character or an over-long name is a probe: 404, not
    // a server error, and nothing reaches the disk.
    let long = format!("/{}.js", "a".repeat(300));
    for path in ["/%00", "/helpdock.js%00.png", "/%1b%5b31m.js", long.as_str()] {
        let (status, headers, body) = get(&router, path, &[]).await;
        assert_eq!((status, body.as_slice()), (StatusCode::NOT_FOUND, &b"Not found\n"[..]), "{path}");
        assert_eq!(value(&headers, header::CONTENT_SECURITY_POLICY), Some(CSP), "{path}");
    }
    // HEAD: the headers of a GET, no body.
    let (status, headers, body) = send(&router, Method::HEAD, "/helpdock.js", &[("accept-encoding", "br")]).await;
    assert_eq!((status, body.len()), (StatusCode::OK, 0));
    assert_eq!(value(&headers, header::CONTENT_LENGTH), Some(LOADER_BR.len().to_string().as_str()));
    assert_eq!(value(&headers, header::CONTENT_ENCODING), Some("br"));
    assert!(headers.contains_key(header::ETAG));
    // The embedded console is revalidated by the hash of its files.
    let (status, headers, _) = get(&router, "/console/app.js", &[]).await;
    assert_eq!((status, value(&headers, header::CACHE_CONTROL)), (StatusCode::OK, Some("no-cache")));
    let etag = value(&headers, header::ETAG).expect("the console's ETag");
    assert_eq!(get(&router, "/console/app.js", &[("if-none-match", etag)]).await.0, StatusCode::NOT_MODIFIED);
    // A folder without its slash is redirected to it, under the same policy.
    let (status, headers, _) = get(&router, "/wasm", &[]).await;
    assert_eq!((status, value(&headers, header::LOCATION)), (StatusCode::TEMPORARY_REDIRECT, Some("/wasm/")));
    assert_eq!(value(&headers, header::CONTENT_SECURITY_POLICY), Some(CSP));
}
