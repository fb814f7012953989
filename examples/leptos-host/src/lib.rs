//! A host app written in Leptos that embeds Helpdock as a component.
//!
//! The host keeps its own state (here, an unread badge in its header fed by
//! the widget's events) and hands the widget a [`Config`] read from the same
//! JSON a JavaScript host would pass to `mount()`; a configuration problem
//! is reported with its field's path and that field falls back to its
//! default. Build it as the test command does:
//!
//! ```sh
//! cargo build -p helpdock-example-leptos-host --target wasm32-unknown-unknown
//! ```
//!
//! and serve it with `wasm-bindgen --target web` output beside the widget's
//! `helpdock.css` (at `assetsBase`) and a content pack (at `pack`).

use helpdock::{Config, HelpdockWidget, WidgetEvent};
use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

/// The host's settings for the widget, as JSON (the README's
/// "Configuration" table).
const HELPDOCK: &str = r##"{
    "locale": "en",
    "title": "CoinHarbor support",
    "theme": {"brandColor": "#0b5cd5", "radius": 14},
    "pack": "/help/starter.hdpk",
    "assetsBase": "/helpdock/",
    "backend": "/",
    "channels": {"tickets": {"replyTime": "within a day"}}
}"##;

/// The host's page: its own header, and the widget.
#[component]
pub fn App() -> impl IntoView {
    let (config, diagnostics) = Config::from_json(HELPDOCK);
    for diagnostic in &diagnostics {
        leptos::logging::warn!("{diagnostic}");
    }
    let unread = RwSignal::new(0u32);
    let on_event = move |event: WidgetEvent| {
        if let WidgetEvent::UnreadCount(n) = event {
            unread.set(n);
        }
    };
    view! {
        <header class="host-header">
            <h1>"CoinHarbor"</h1>
            <span class="host-badge" hidden=move || unread.get() == 0>
                {move || format!("{} new from support", unread.get())}
            </span>
        </header>
        <main>
            <p>"Your balances, orders and deposits would be here."</p>
        </main>
        <HelpdockWidget config on_event />
    }
}

/// Mounts the host's app on the page's body.
#[wasm_bindgen(start)]
pub fn start() {
    mount_to_body(App);
}
