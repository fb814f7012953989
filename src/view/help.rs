//! The Help area: search and categories.

use leptos::prelude::*;

use crate::i18n::strings;
use crate::state::WidgetState;
use crate::view::icons::SearchIcon;

/// Search box and category list. Until a content pack is loaded both are
/// empty, and the area says so.
#[component]
pub fn HelpArea() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let t = move || strings(state.locale.get());
    let query = RwSignal::new(String::new());
    view! {
        <form class="hd-search" role="search" on:submit=move |ev| ev.prevent_default()>
            <label class="hd-visually-hidden" for="hd-search-input">{move || t().search_label}</label>
            <SearchIcon />
            <input
                id="hd-search-input"
                class="hd-search-input"
                type="search"
                autocomplete="off"
                enterkeyhint="search"
                data-autofocus=""
                placeholder=move || t().search_placeholder
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
        </form>
        <h3 class="hd-section-title">{move || t().categories}</h3>
        <div class="hd-empty">
            <p class="hd-empty-title">{move || t().help_empty_title}</p>
            <p class="hd-empty-body">{move || t().help_empty_body}</p>
        </div>
    }
}
