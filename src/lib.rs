//! Helpdock, the in-app support widget: Leptos components compiled to
//! WebAssembly.
//!
//! Two ways in: Leptos hosts render [`HelpdockWidget`]; any other page
//! imports `helpdock.js`, whose `mount()` ends up in [`embed::mount_widget`].
//! Both go through [`mount::mount_in_shadow`], so the widget always lives in
//! its own shadow root. The logic the widget runs lives in `helpdock-core`.

pub mod bench;
mod chat;
mod clock;
mod component;
mod content;
mod dom;
pub mod embed;
mod handover;
mod i18n;
pub mod mount;
pub mod people;
pub mod state;
mod storage;
mod view;
mod viewport;

pub use component::HelpdockWidget;
pub use helpdock_core::config::Config;
pub use state::WidgetEvent;
