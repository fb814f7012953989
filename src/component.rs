//! The widget as a Leptos component, for hosts written with Leptos.

use std::rc::Rc;

use helpdock_core::config::Config;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use web_sys::{ShadowRootInit, ShadowRootMode};

use crate::mount::{mount_in_shadow, Mounted};
use crate::state::{EventSink, WidgetEvent};

/// The Helpdock widget. Place it anywhere in a Leptos app: it renders a
/// `<helpdock-widget>` element whose shadow root holds the launcher and the
/// panel, so the app's CSS and the widget's never meet.
///
/// ```ignore
/// use helpdock::{Config, HelpdockWidget};
/// let (config, _diagnostics) = Config::from_json(r#"{"locale": "zh-CN", "assetsBase": "/helpdock/"}"#);
/// view! { <HelpdockWidget config on_event=|e| leptos::logging::log!("{e:?}") /> }
/// ```
///
/// The stylesheet is loaded from `config.assets_base` (`/helpdock.css` when
/// unset): copy `helpdock.css` from the release build there.
#[component]
pub fn HelpdockWidget(
    /// The widget's settings.
    config: Config,
    /// Called with each event (open, close, unread count).
    #[prop(optional, into)]
    on_event: Option<Callback<WidgetEvent>>,
) -> impl IntoView {
    let host = NodeRef::<leptos::html::Custom<&'static str>>::new();
    let mounted: StoredValue<Option<SendWrapper<Mounted>>> = StoredValue::new(None);
    let config = StoredValue::new(Some(config));
    host.on_load(move |element| {
        let element: web_sys::Element = element.unchecked_into();
        let init = ShadowRootInit::new(ShadowRootMode::Open);
        let Ok(shadow) = element.attach_shadow(&init) else {
            web_sys::console::error_1(&"Helpdock: could not attach a shadow root".into());
            return;
        };
        let Some(config) = config.try_update_value(Option::take).flatten() else {
            return;
        };
        let events: EventSink = Rc::new(move |event| {
            if let Some(on_event) = on_event {
                on_event.run(event);
            }
        });
        mounted.set_value(Some(SendWrapper::new(mount_in_shadow(&shadow, config, events))));
    });
    on_cleanup(move || mounted.set_value(None));
    leptos::html::custom("helpdock-widget").node_ref(host)
}
