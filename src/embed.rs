//! The JavaScript API, for hosts that are not written in Rust.
//!
//! `js/helpdock.js` (the ES module hosts import) creates the shadow root and
//! a placeholder launcher, loads this module when needed, and calls
//! [`mount_widget`]. Its handle's methods land on [`WidgetHandle`].

use std::rc::Rc;

use helpdock_core::config::{parse_locale_tag, Config, Identity};
use helpdock_core::locale::Locale;
use leptos::prelude::Set;
use wasm_bindgen::prelude::*;
use web_sys::ShadowRoot;

use crate::mount::{mount_in_shadow, report, Mounted};
use crate::state::{EventSink, WidgetEvent};

/// Mounts a widget in `shadow_root`. `config` is the host's configuration
/// object; `emit(name, detail)` receives the widget's events.
///
/// Configuration problems are printed to the console, naming the field, and
/// the widget uses the default for that field.
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(shadow_root: ShadowRoot, config: JsValue, emit: js_sys::Function) -> WidgetHandle {
    let (config, diagnostics) = Config::from_json(&to_json(&config));
    report(&diagnostics);
    let events: EventSink = Rc::new(move |event: WidgetEvent| {
        let detail = match &event {
            WidgetEvent::UnreadCount(n) => JsValue::from(*n),
            WidgetEvent::Open | WidgetEvent::Close => JsValue::UNDEFINED,
            WidgetEvent::ArticleFeedback { article, locale, helpful } => {
                let detail = js_sys::Object::new();
                _ = js_sys::Reflect::set(&detail, &"articleId".into(), &article.into());
                _ = js_sys::Reflect::set(&detail, &"locale".into(), &locale.tag().into());
                _ = js_sys::Reflect::set(&detail, &"helpful".into(), &(*helpful).into());
                detail.into()
            }
            WidgetEvent::Escalated(json) => js_sys::JSON::parse(json).unwrap_or(JsValue::NULL),
        };
        if let Err(err) = emit.call2(&JsValue::NULL, &event.name().into(), &detail) {
            web_sys::console::error_2(&"Helpdock: an event listener threw".into(), &err);
        }
    });
    WidgetHandle { mounted: Some(mount_in_shadow(&shadow_root, config, events)) }
}

/// The tag of the locale Helpdock speaks that `tag` maps onto (`ja-JP` is
/// `ja`), if any: the loader asks, to fetch that locale's strings.
#[wasm_bindgen(js_name = resolveLocale)]
pub fn resolve_locale(tag: &str) -> Option<String> {
    Locale::from_tag(tag).map(|l| l.tag().to_owned())
}

/// Installs a locale's strings from its served catalogue (fetched by the
/// loader before the widget shows that locale); `false`, with the reason on
/// the console, when the text cannot be read, and the locale stays English.
#[wasm_bindgen(js_name = installStrings)]
pub fn install_strings(tag: &str, text: &str) -> bool {
    let Some(locale) = Locale::from_tag(tag) else { return false };
    match crate::i18n::install(locale, text) {
        Ok(()) => true,
        Err(e) => {
            web_sys::console::error_1(
                &format!("Helpdock: the {tag} strings could not be read ({e}); using English").into(),
            );
            false
        }
    }
}

/// A mounted widget, as seen from JavaScript.
#[wasm_bindgen]
#[derive(Debug)]
pub struct WidgetHandle {
    mounted: Option<Mounted>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Opens the panel.
    pub fn open(&self) {
        if let Some(m) = &self.mounted {
            m.state.open();
        }
    }

    /// Closes the panel.
    pub fn close(&self) {
        if let Some(m) = &self.mounted {
            m.state.close();
        }
    }

    /// Opens the panel if closed, closes it if open.
    pub fn toggle(&self) {
        if let Some(m) = &self.mounted {
            m.state.toggle();
        }
    }

    /// Switches the interface language. An unsupported tag is reported on
    /// the console and changes nothing; returns whether it was applied.
    #[wasm_bindgen(js_name = setLocale)]
    pub fn set_locale(&self, tag: JsValue) -> bool {
        let Some(m) = &self.mounted else { return false };
        let tag = tag.as_string().unwrap_or_else(|| format!("{tag:?}"));
        match parse_locale_tag(&tag, "setLocale") {
            Ok(locale) => {
                m.state.locale.set(locale);
                true
            }
            Err(diagnostic) => {
                report(&[diagnostic]);
                false
            }
        }
    }

    /// Says who the signed-in host user is (`{ userId, name, email,
    /// userHash }`). Without a `userId` nothing changes and the console
    /// says why; returns whether the identity was accepted.
    pub fn identify(&self, identity: JsValue) -> bool {
        let Some(m) = &self.mounted else { return false };
        let value = serde_json::from_str(&to_json(&identity)).unwrap_or(serde_json::Value::Null);
        let (identity, diagnostics) = Identity::from_value(&value, "identify");
        report(&diagnostics);
        let accepted = identity.is_some();
        if accepted {
            m.state.identity.set(identity);
        }
        accepted
    }

    /// Removes the widget from the page.
    pub fn destroy(&mut self) {
        self.mounted = None;
    }
}

/// A JS value as JSON text (functions and `undefined` dropped, as
/// `JSON.stringify` does); `null` when it cannot be serialised.
fn to_json(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()).unwrap_or_else(|| "null".to_owned())
}
