//! The round button in the corner that opens and closes the panel.

use leptos::prelude::*;

use crate::handover::People;
use crate::i18n::strings;
use crate::state::WidgetState;
use crate::view::icons::{ChatIcon, ChevronDownIcon};

/// The launcher, with its unread badge.
#[component]
pub fn Launcher() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let people = expect_context::<People>();
    let t = move || strings(state.locale.get());
    let label = move || {
        let t = t();
        let action = if state.open.get() { t.launcher_close() } else { t.launcher_open() };
        match people.unread() {
            0 => action.to_owned(),
            n => format!("{action} ({})", t.unread(n)),
        }
    };
    view! {
        <button
            class="hd-launcher"
            type="button"
            node_ref=state.launcher
            aria-label=label
            aria-expanded=move || state.open.get().to_string()
            aria-controls="hd-panel"
            on:click=move |_| state.toggle()
        >
            {move || if state.open.get() { ChevronDownIcon().into_any() } else { ChatIcon().into_any() }}
            <span class="hd-badge" aria-hidden="true" hidden=move || people.unread() == 0>
                {move || match people.unread() {
                    n @ 0..=99 => n.to_string(),
                    _ => "99+".to_owned(),
                }}
            </span>
        </button>
    }
}
