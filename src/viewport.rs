//! Keeps the panel inside the *visual* viewport on phones, so the on-screen
//! keyboard never covers the input the user is typing in.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The visible part of the layout viewport, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisualViewport {
    /// Height left above the on-screen keyboard.
    pub height: f64,
    /// How far the visible part is scrolled down the layout viewport.
    pub offset_top: f64,
}

/// Tracks `window.visualViewport`; `None` where the browser lacks it, in
/// which case the CSS falls back to `100dvh`.
pub fn use_visual_viewport() -> ReadSignal<Option<VisualViewport>> {
    let read = || {
        web_sys::window()
            .and_then(|w| w.visual_viewport())
            .map(|vv| VisualViewport { height: vv.height(), offset_top: vv.offset_top() })
    };
    let (viewport, set_viewport) = signal(read());
    let Some(vv) = web_sys::window().and_then(|w| w.visual_viewport()) else {
        return viewport;
    };
    let on_change = Closure::<dyn Fn()>::new(move || set_viewport.set(read()));
    let callback: &js_sys::Function = on_change.as_ref().unchecked_ref();
    _ = vv.add_event_listener_with_callback("resize", callback);
    _ = vv.add_event_listener_with_callback("scroll", callback);
    let cleanup = SendWrapper::new((vv, on_change));
    on_cleanup(move || {
        let (vv, on_change) = cleanup.take();
        let callback: &js_sys::Function = on_change.as_ref().unchecked_ref();
        _ = vv.remove_event_listener_with_callback("resize", callback);
        _ = vv.remove_event_listener_with_callback("scroll", callback);
    });
    viewport
}
