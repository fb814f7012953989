//! The My tickets area.

use leptos::prelude::*;

use crate::i18n::strings;
use crate::state::WidgetState;

/// The visitor's tickets; empty until tickets arrive.
#[component]
pub fn TicketsArea() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let t = move || strings(state.locale.get());
    view! {
        <div class="hd-empty">
            <p class="hd-empty-title">{move || t().tickets_empty_title}</p>
            <p class="hd-empty-body">{move || t().tickets_empty_body}</p>
        </div>
    }
}
