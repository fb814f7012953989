//! The widget's root element: theme, language, corner, and the two parts.

use std::rc::Rc;

use helpdock_core::config::Config;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::content::Content;
use crate::handover::People;
use crate::state::{Tab, WidgetEvent, WidgetState};
use crate::view::launcher::Launcher;
use crate::view::panel::Panel;
use crate::viewport::use_visual_viewport;

/// Everything inside the shadow root. Expects [`WidgetState`] in context.
#[component]
pub fn WidgetRoot(config: Config) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let content = Content::new(config.pack.clone());
    provide_context(content);
    // One secrets guard for the bot, live chat, tickets and file names.
    let guard = Rc::new(crate::chat::guard_for(&config.channels));
    let people = People::new(&config, state, guard.clone());
    provide_context(people);
    provide_context(crate::chat::ChatState::new(config.channels.clone(), people, state, content, guard));
    provide_context(StoredValue::new(config.channels.clone()));

    // Tell the host when the panel opens or closes and when unread changes,
    // however that came about (click, Esc, API).
    Effect::new(move |previous: Option<bool>| {
        let open = state.open.get();
        if previous.is_some_and(|p| p != open) {
            state.emit(if open { WidgetEvent::Open } else { WidgetEvent::Close });
        }
        open
    });
    Effect::new(move |previous: Option<u32>| {
        let unread = people.unread();
        if previous.is_some_and(|p| p != unread) {
            state.emit(WidgetEvent::UnreadCount(unread));
        }
        unread
    });
    // Chat coming into view shows its latest message (a hidden log cannot
    // be scrolled while it grows); remembered for a reload in this tab.
    Effect::new(move || {
        let on_chat = state.open.get() && state.tab.get() == Tab::Chat;
        crate::storage::set_in_session(crate::state::ON_CHAT_KEY, on_chat);
        if on_chat {
            request_animation_frame(move || {
                let Some(logs) =
                    state.panel.get_untracked().and_then(|p| p.query_selector_all(".hd-live-log, .hd-chat-log").ok())
                else {
                    return;
                };
                for log in (0..logs.length()).filter_map(|i| logs.item(i)?.dyn_into::<web_sys::Element>().ok()) {
                    log.set_scroll_top(log.scroll_height());
                }
            });
        }
    });
    // The page title carries the unread count: "(2) Account overview".
    let title_prefix = StoredValue::new(String::new());
    Effect::new(move || {
        let unread = people.unread();
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        let title = document.title();
        let prefix = title_prefix.get_value();
        let base = title.strip_prefix(prefix.as_str()).filter(|_| !prefix.is_empty()).unwrap_or(&title).to_owned();
        let prefix = if unread > 0 { format!("({unread}) ") } else { String::new() };
        let wanted = format!("{prefix}{base}");
        if wanted != title {
            document.set_title(&wanted);
        }
        title_prefix.set_value(prefix);
    });

    let viewport = use_visual_viewport();
    let theme = config.theme;
    let on_brand = if theme.brand_color.prefers_dark_text() { "#111418" } else { "#ffffff" };
    let font = theme.font_family.clone().unwrap_or_default();
    view! {
        <div
            class="hd-root"
            class:hd-side-left=config.position == helpdock_core::config::Side::Left
            class:hd-open=move || state.open.get()
            lang=move || state.locale.get().tag()
            dir=move || state.locale.get().dir()
            data-scheme=theme.color_scheme.as_str()
            style:--hd-brand=theme.brand_color.as_str().to_owned()
            style:--hd-on-brand=on_brand
            style:--hd-radius=format!("{}px", theme.radius_px)
            style:--hd-font=font
            style:--hd-z=config.z_index.to_string()
            style:--hd-vv-height=move || viewport.get().map(|v| format!("{}px", v.height.round() as i32)).unwrap_or_default()
            style:--hd-vv-top=move || viewport.get().map(|v| format!("{}px", v.offset_top.round() as i32)).unwrap_or_default()
        >
            <Launcher />
            <Panel title=config.title />
        </div>
    }
}
