//! The widget's root element: theme, language, corner, and the two parts.

use helpdock_core::config::Config;
use leptos::prelude::*;

use crate::content::Content;
use crate::state::{WidgetEvent, WidgetState};
use crate::view::launcher::Launcher;
use crate::view::panel::Panel;
use crate::viewport::use_visual_viewport;

/// Everything inside the shadow root. Expects [`WidgetState`] in context.
#[component]
pub fn WidgetRoot(config: Config) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    provide_context(Content::new(config.pack.clone()));
    provide_context(crate::chat::ChatState::new(config.channels.clone()));
    let live = crate::live::LiveChat::new(&config, state);
    provide_context(live);
    provide_context(crate::tickets::Tickets::new(live, state));
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
        let unread = state.unread.get();
        if previous.is_some_and(|p| p != unread) {
            state.emit(WidgetEvent::UnreadCount(unread));
        }
        unread
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
