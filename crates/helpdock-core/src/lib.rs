//! Helpdock's pure logic, shared by the browser widget, the CLI and the
//! reference server.
//!
//! This crate does no IO and knows nothing about the browser: it takes
//! strings and values and returns values, so everything in it runs and is
//! tested natively as well as in `wasm32-unknown-unknown`.
//!
//! Today it holds the widget's configuration: the host hands the widget a
//! JSON object, and [`config::Config::from_json`] turns it into typed
//! settings plus a list of [`config::Diagnostic`]s that name each field it
//! had to reject or ignore. A bad field never stops the widget: it falls
//! back to the default for that field.
//!
//! ```
//! use helpdock_core::config::Config;
//! use helpdock_core::locale::Locale;
//!
//! let (config, diagnostics) =
//!     Config::from_json(r##"{"locale": "zh-CN", "theme": {"brandColor": "not-a-colour"}}"##);
//! assert_eq!(config.locale, Some(Locale::ZhCn));
//! // The bad colour is reported by its path and replaced by the default.
//! assert_eq!(diagnostics[0].field, "theme.brandColor");
//! assert_eq!(config.theme.brand_color.as_str(), "#1f6feb");
//! ```
#![warn(missing_docs)]

pub mod analysis;
pub mod bot;
pub mod channel;
pub mod civil;
pub mod config;
pub mod fields;
pub mod flow;
pub mod guard;
pub mod index;
pub mod live;
pub mod locale;
pub mod markdown;
pub mod pack;
pub mod protocol;
pub mod search;
#[cfg(feature = "build")]
pub mod source;
#[cfg(feature = "build")]
pub mod synthetic;
pub mod text;
pub mod tickets;
