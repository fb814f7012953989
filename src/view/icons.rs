//! Inline SVG icons (decorative: always `aria-hidden`).

use leptos::prelude::*;

/// A speech bubble, on the closed launcher.
#[component]
pub fn ChatIcon() -> impl IntoView {
    view! {
        <svg class="hd-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" />
        </svg>
    }
}

/// A downward chevron, on the open launcher.
#[component]
pub fn ChevronDownIcon() -> impl IntoView {
    view! {
        <svg class="hd-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M6 9l6 6 6-6" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
}

/// A cross, on the panel's close button.
#[component]
pub fn CloseIcon() -> impl IntoView {
    view! {
        <svg class="hd-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M6 6l12 12M18 6L6 18" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" />
        </svg>
    }
}

/// A magnifying glass, in the search box.
#[component]
pub fn SearchIcon() -> impl IntoView {
    view! {
        <svg class="hd-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2" />
            <path d="M20 20l-3.5-3.5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
        </svg>
    }
}
