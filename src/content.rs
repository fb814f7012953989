//! The content pack: fetched once, searched in the page. A manifest
//! (`helpdock pack build` writes one per pack) is followed to the part in
//! the widget's locale, and to another part when the locale changes; what
//! was fetched is kept, so switching back costs nothing.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use helpdock_core::index::{Index, Manifest};
use helpdock_core::locale::Locale;
use helpdock_core::search::{Answer, SearchOptions};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The pack as the widget sees it: loading, loaded, or why not.
#[derive(Debug, Clone)]
pub enum PackState {
    /// The host configured no pack.
    None,
    /// Opened and ready.
    Ready(Arc<Index>),
    /// Could not be fetched or opened (the console says why).
    Failed,
}

/// The pack service, provided once by context.
#[derive(Clone, Copy)]
pub struct Content {
    state: RwSignal<Option<PackState>>,
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Content").finish_non_exhaustive()
    }
}

impl Content {
    /// Starts fetching `url` (if any), in the locale of the widget's state,
    /// and again whenever the locale changes. A plain signal set by a task,
    /// not a `LocalResource`: the widget needs no suspense, and Leptos's
    /// async machinery cost the shell about 8 KB.
    pub fn new(url: Option<String>) -> Self {
        let state = RwSignal::new(None);
        let locale = use_context::<crate::state::WidgetState>().map(|state| state.locale);
        let cache = Cache::default();
        Effect::new(move |_| {
            let wanted = locale.map_or(Locale::En, |l| l.get());
            let (url, cache) = (url.clone(), cache.clone());
            leptos::task::spawn_local(async move {
                let opened = match url {
                    None => PackState::None,
                    Some(url) => match open(&url, wanted, &cache).await {
                        Ok(index) => PackState::Ready(index),
                        Err(message) => {
                            web_sys::console::error_1(
                                &format!("Helpdock: could not load the content pack {url}: {message}").into(),
                            );
                            PackState::Failed
                        }
                    },
                };
                // A part that arrives after the user switched again is kept
                // in the cache, not shown.
                if locale.is_none_or(|l| l.try_get_untracked() == Some(wanted)) {
                    state.try_set(Some(opened));
                }
            });
        });
        Content { state }
    }

    /// The pack's state; `None` while it is loading.
    pub fn state(&self) -> Option<PackState> {
        self.state.get()
    }

    /// The opened pack, once ready.
    pub fn index(&self) -> Option<Arc<Index>> {
        match self.state()? {
            PackState::Ready(index) => Some(index),
            _ => None,
        }
    }
}

/// What was fetched, by URL: manifests and opened packs.
#[derive(Clone, Default)]
struct Cache(Rc<RefCell<HashMap<String, Fetched>>>);

#[derive(Clone)]
enum Fetched {
    Manifest(Rc<Manifest>, String),
    Pack(Arc<Index>),
}

/// The pack at `url`, or the part in `locale` of the manifest there.
async fn open(url: &str, locale: Locale, cache: &Cache) -> Result<Arc<Index>, String> {
    let (manifest, base) = match cached(url, cache).await? {
        Fetched::Pack(index) => return Ok(index),
        Fetched::Manifest(manifest, base) => (manifest, base),
    };
    let part = manifest.part(locale).ok_or("the manifest lists no parts")?;
    // Parts sit beside the manifest (its final URL, after redirects).
    let folder = base.split(['?', '#']).next().unwrap_or_default();
    let part_url = format!("{}{}", &folder[..folder.rfind('/').map_or(0, |i| i + 1)], part.file);
    match cached(&part_url, cache).await? {
        Fetched::Pack(index) => Ok(index),
        Fetched::Manifest(..) => Err(format!("{part_url} is a manifest, not a pack")),
    }
}

async fn cached(url: &str, cache: &Cache) -> Result<Fetched, String> {
    if let Some(found) = cache.0.borrow().get(url) {
        return Ok(found.clone());
    }
    let (bytes, final_url) = fetch(url).await?;
    let fetched = if Manifest::is_manifest(&bytes) {
        Fetched::Manifest(Rc::new(Manifest::from_bytes(&bytes).map_err(|e| e.to_string())?), final_url)
    } else {
        Fetched::Pack(Arc::new(Index::from_bytes(&bytes).map_err(|e| e.to_string())?))
    };
    cache.0.borrow_mut().insert(url.to_owned(), fetched.clone());
    Ok(fetched)
}

/// The bytes at `url` and the URL they came from in the end.
async fn fetch(url: &str) -> Result<(Vec<u8>, String), String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(describe)?.dyn_into().map_err(describe)?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(describe)?).await.map_err(describe)?;
    Ok((js_sys::Uint8Array::new(&buffer).to_vec(), response.url()))
}

fn describe(err: wasm_bindgen::JsValue) -> String {
    err.as_string()
        .or_else(|| err.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .unwrap_or_else(|| format!("{err:?}"))
}

/// Searches the pack in `locale`, normalising the query with the browser's
/// own NFKC and lower-casing (the core leaves those tables out of the wasm).
pub fn search(index: &Index, query: &str, locale: Locale, top: usize) -> Answer {
    let normalized = String::from(js_sys::JsString::from(query).normalize("NFKC").to_lower_case());
    index.search(&normalized, &SearchOptions { top, locale: Some(locale) })
}

/// Seconds since the Unix epoch, for announcement windows.
pub fn now() -> i64 {
    crate::clock::now_secs()
}
