//! The Chat area: the bot first, then people.

use leptos::prelude::*;

use crate::i18n::strings;
use crate::state::WidgetState;

/// The conversation area; empty until the bot and live chat arrive.
#[component]
pub fn ChatArea() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let t = move || strings(state.locale.get());
    view! {
        <div class="hd-empty">
            <p class="hd-empty-title">{move || t().chat_empty_title}</p>
            <p class="hd-empty-body">{move || t().chat_empty_body}</p>
        </div>
    }
}
