//! Puts a widget into a shadow root: the one way in, shared by the JS
//! `mount()` and the `HelpdockWidget` component.

use helpdock_core::config::Config;
use helpdock_core::diagnostic::{Diagnostic, Severity};
use helpdock_core::locale::Locale;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlLinkElement, ShadowRoot};

use crate::state::{EventSink, WidgetState};
use crate::view::WidgetRoot;

/// A widget living in a shadow root. Dropping it removes the widget.
pub struct Mounted {
    /// The widget's state, for the API's methods.
    pub state: WidgetState,
    container: HtmlElement,
    // Declared before the owner so the view unmounts while its signals live.
    _view: Box<dyn std::any::Any>,
    owner: Owner,
}

impl std::fmt::Debug for Mounted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mounted").field("state", &self.state).finish_non_exhaustive()
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.container.remove();
        self.owner.cleanup();
    }
}

/// The name of the stylesheet in the release build.
const STYLESHEET: &str = "helpdock.css";

/// Renders the widget into `shadow`, replacing the loader's placeholder
/// launcher if there is one.
pub fn mount_in_shadow(shadow: &ShadowRoot, config: Config, events: EventSink) -> Mounted {
    let document = shadow.owner_document().unwrap_or_else(document);
    let container: HtmlElement = document.create_element("div").expect("creating a div cannot fail").unchecked_into();
    container.set_class_name("hd-mount");
    ensure_stylesheet(shadow, &container, config.assets_base.as_deref());
    _ = shadow.append_child(&container);

    let owner = Owner::new_root(None);
    let (state, view) = owner.with(|| {
        let state = WidgetState::new(&config, browser_locale(), events);
        provide_context(state);
        let view = mount_to(container.clone(), move || view! { <WidgetRoot config /> });
        (state, view)
    });

    if let Ok(Some(placeholder)) = shadow.query_selector("[data-hd-placeholder]") {
        let had_focus = shadow.active_element().is_some_and(|active| placeholder.contains(Some(&active)));
        placeholder.remove();
        if had_focus {
            if let Some(launcher) = state.launcher.get_untracked() {
                _ = launcher.focus();
            }
        }
    }
    Mounted { state, container, _view: Box::new(view), owner }
}

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("Helpdock runs in a page with a document")
}

/// Links `helpdock.css` into the shadow root unless the loader already did,
/// and keeps `container` hidden until the sheet has loaded so the widget
/// never flashes unstyled.
fn ensure_stylesheet(shadow: &ShadowRoot, container: &HtmlElement, assets_base: Option<&str>) {
    let existing =
        shadow.query_selector("link[data-hd-style]").ok().flatten().map(JsCast::unchecked_into::<HtmlLinkElement>);
    let link = existing.unwrap_or_else(|| {
        let link: HtmlLinkElement =
            document().create_element("link").expect("creating a link cannot fail").unchecked_into();
        link.set_rel("stylesheet");
        link.set_href(&stylesheet_href(assets_base));
        _ = link.set_attribute("data-hd-style", "");
        _ = shadow.append_child(&link);
        link
    });
    if link.sheet().is_none() {
        container.set_hidden(true);
        let shown = container.clone();
        let on_load = Closure::once_into_js(move || shown.set_hidden(false));
        _ = link.add_event_listener_with_callback("load", on_load.unchecked_ref());
        let href = link.href();
        let on_error = Closure::once_into_js(move || {
            web_sys::console::error_1(
                &format!("Helpdock: could not load its stylesheet from {href}; check `assetsBase`").into(),
            );
        });
        _ = link.add_event_listener_with_callback("error", on_error.unchecked_ref());
    }
}

/// Where the stylesheet lives: in `assets_base` if given, else at the
/// site's root.
pub fn stylesheet_href(assets_base: Option<&str>) -> String {
    match assets_base {
        Some(base) if base.ends_with('/') => format!("{base}{STYLESHEET}"),
        Some(base) => format!("{base}/{STYLESHEET}"),
        None => format!("/{STYLESHEET}"),
    }
}

/// The first of the browser's preferred languages Helpdock speaks, else
/// English.
fn browser_locale() -> Locale {
    let languages: Vec<String> = web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|list| list.iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default();
    Locale::negotiate(languages.iter().map(String::as_str)).unwrap_or(Locale::En)
}

/// Prints configuration problems to the console, errors as errors.
pub fn report(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let message = d.to_string().into();
        match d.severity {
            Severity::Error => web_sys::console::error_1(&message),
            Severity::Warning => web_sys::console::warn_1(&message),
        }
    }
}
