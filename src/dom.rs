//! Small DOM helpers the components share.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// The width below which the panel takes the whole screen (keep in step
/// with the media query in `style/helpdock.css`).
pub const NARROW_MAX_PX: f64 = 639.98;

/// Whether the viewport is phone-sized.
pub fn is_narrow() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(&format!("(max-width: {NARROW_MAX_PX}px)")).ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Moves focus into a freshly opened panel: on wide screens to its
/// `[data-autofocus]` control (the search box), on phones to the panel
/// itself so the on-screen keyboard does not cover it uninvited.
pub fn focus_first_in(panel: &Element) {
    let target = if is_narrow() {
        None
    } else {
        panel.query_selector("[role=tabpanel]:not([hidden]) [data-autofocus]").ok().flatten()
    };
    let target = target.unwrap_or_else(|| panel.clone());
    if let Some(el) = target.dyn_ref::<HtmlElement>() {
        _ = el.focus();
    }
}

/// Focuses the first element matching `selector` inside `scope`, if any.
pub fn focus(scope: &Element, selector: &str) {
    if let Ok(Some(el)) = scope.query_selector(selector) {
        if let Some(el) = el.dyn_ref::<HtmlElement>() {
            _ = el.focus();
        }
    }
}
