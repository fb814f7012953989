//! Helpdock's pure logic, shared by the browser widget, the CLI and the
//! reference server.
//!
//! This crate does no IO and knows nothing about the browser: it takes
//! strings and bytes and returns values, so everything in it runs and is
//! tested natively as well as in `wasm32-unknown-unknown`.
//!
//! Its centre is the content pack: `helpdock pack build` compiles authors'
//! Markdown into a `.hdpk` file ([`index`], feature `build`), and the widget
//! opens those bytes with [`index::Index::from_bytes`] and answers the
//! user's question with [`index::Index::search`], without rebuilding
//! anything:
//!
//! ```
//! use helpdock_core::index::Index;
//! use helpdock_core::locale::Locale;
//! use helpdock_core::search::SearchOptions;
//!
//! // A small pack written by `helpdock pack build tests/fixtures/v1.json`.
//! let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/v1.hdpk"));
//! let index = Index::from_bytes(bytes)?;
//!
//! let answer = index.search("where is my deposit", &SearchOptions { top: 3, locale: Some(Locale::En) });
//! let best = &index.articles[answer.hits[0].article as usize];
//! assert_eq!(best.id, "deposit-not-arrived");
//! // The same article in Chinese, found through its own words.
//! let answer = index.search("充币 没到", &SearchOptions { top: 3, locale: Some(Locale::ZhCn) });
//! assert_eq!(index.articles[answer.hits[0].article as usize].title, "充值未到账");
//! # Ok::<(), helpdock_core::index::IndexError>(())
//! ```
//!
//! Around it: [`bot`] runs the conversation (guided [`flow`]s whose answers
//! [`fields`] checks, the secrets [`guard`]), [`live`] and [`tickets`] hold
//! the visitor's side of live chat and tickets as values, [`protocol`] is
//! what crosses the wire, and [`config`] reads the host's configuration
//! leniently, reporting each rejected field as a [`diagnostic::Diagnostic`]
//! instead of failing.
#![warn(missing_docs)]

pub mod analysis;
pub mod bot;
pub mod catalogue;
pub mod channel;
pub mod civil;
pub mod config;
pub mod diagnostic;
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
pub mod sort;
#[cfg(feature = "build")]
pub mod source;
#[cfg(feature = "build")]
pub mod synthetic;
pub mod text;
pub mod tickets;
