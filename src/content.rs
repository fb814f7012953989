//! The content pack: fetched once, searched in the page.

use std::sync::Arc;

use helpdock_core::index::Index;
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
    resource: LocalResource<PackState>,
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Content").finish_non_exhaustive()
    }
}

impl Content {
    /// Starts fetching `url` (if any).
    pub fn new(url: Option<String>) -> Self {
        let resource = LocalResource::new(move || {
            let url = url.clone();
            async move {
                match url {
                    None => PackState::None,
                    Some(url) => match fetch(&url).await {
                        Ok(index) => PackState::Ready(Arc::new(index)),
                        Err(message) => {
                            web_sys::console::error_1(
                                &format!("Helpdock: could not load the content pack {url}: {message}").into(),
                            );
                            PackState::Failed
                        }
                    },
                }
            }
        });
        Content { resource }
    }

    /// The pack's state; `None` while it is loading.
    pub fn state(&self) -> Option<PackState> {
        self.resource.get()
    }

    /// The opened pack, once ready.
    pub fn index(&self) -> Option<Arc<Index>> {
        match self.state()? {
            PackState::Ready(index) => Some(index),
            _ => None,
        }
    }
}

async fn fetch(url: &str) -> Result<Index, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(describe)?.dyn_into().map_err(describe)?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(describe)?).await.map_err(describe)?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    Index::from_bytes(&bytes).map_err(|e| e.to_string())
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
    (js_sys::Date::now() / 1000.0) as i64
}
