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

/// What Tab can reach inside the panel.
const FOCUSABLE: &str = "button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), \
     textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// Keeps Tab inside `panel` while it covers the whole screen (a phone):
/// from its last control Tab goes to the first, and Shift+Tab from the
/// first (or from the panel itself) to the last. The host's page behind a
/// full-screen panel is out of sight, so focus must not wander there.
/// On wider screens the panel sits beside the page and Tab leaves freely.
pub fn trap_tab(panel: &Element, ev: &web_sys::KeyboardEvent) {
    if !is_narrow() {
        return;
    }
    let Ok(list) = panel.query_selector_all(FOCUSABLE) else { return };
    // Only what is shown: controls of hidden tabs have no layout box.
    let shown: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .filter(|el| el.offset_width() > 0 || el.offset_height() > 0)
        .collect();
    let (Some(first), Some(last)) = (shown.first(), shown.last()) else { return };
    let from = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
    let at = |el: &HtmlElement| from.as_ref().is_some_and(|f| f == el.unchecked_ref::<Element>());
    let target = if ev.shift_key() {
        (at(first) || from.as_ref() == Some(panel)).then_some(last)
    } else {
        at(last).then_some(first)
    };
    if let Some(target) = target {
        ev.prevent_default();
        _ = target.focus();
    }
}

/// After a staged file was removed with its own button (which goes with
/// it), once the list has re-rendered: focus goes to the attach control
/// beside the list (else the text box), so it never falls back to the page,
/// where Esc would no longer reach the panel.
pub fn focus_after_removal(list: Element) {
    leptos::prelude::request_animation_frame(move || {
        if let Ok(Some(around)) = list.closest("form, .hd-live") {
            _ = focus(&around, "input[type=file]") || focus(&around, "textarea");
        }
    });
}

/// Focuses the first element matching `selector` inside `scope`, if any;
/// whether there was one.
pub fn focus(scope: &Element, selector: &str) -> bool {
    let found = scope.query_selector(selector).ok().flatten();
    found.and_then(|el| el.dyn_into::<HtmlElement>().ok()).is_some_and(|el| el.focus().is_ok())
}

/// Listens to `event` on `window` until the current reactive owner is
/// cleaned up. One non-generic function for every window listener: Leptos's
/// `window_event_listener` instantiates its code per call site (5 KB each
/// in the people module).
pub fn on_window(event: &'static str, handler: Box<dyn FnMut(web_sys::Event)>) {
    let Some(window) = web_sys::window() else { return };
    let closure = wasm_bindgen::closure::Closure::wrap(handler);
    _ = window.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    let held = send_wrapper::SendWrapper::new((window, closure));
    leptos::prelude::on_cleanup(move || {
        let (window, closure) = held.take();
        _ = window.remove_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    });
}
