//! The interface's words, per locale.
//!
//! One catalogue: a file per locale in `locales/` (format and checks in
//! `helpdock_core::catalogue`), turned by `build.rs` into [`Strings`], a
//! struct of `&'static str` rather than a key lookup. A locale missing a
//! string fails the build; English is compiled in, every other locale is
//! fetched when the widget first shows it, together with core's messages
//! in that locale: the loader (`js/helpdock.js`) fetches it alongside the
//! wasm, or before `setLocale` applies, and hands it to [`install`] (a
//! Leptos host that mounts the component itself installs it the same way).

use std::sync::OnceLock;

use helpdock_core::bot::SmallTalk;
use helpdock_core::catalogue;
use helpdock_core::locale::Locale;

include!(concat!(env!("OUT_DIR"), "/strings.rs"));

impl Strings {
    /// "12 articles".
    pub fn article_count(&self, n: usize) -> String {
        (if n == 1 { self.articles_one() } else { self.articles_many() }).replace("{n}", &n.to_string())
    }

    /// "Step 2 of 6".
    pub fn step(&self, i: usize, n: usize) -> String {
        self.step_of().replace("{i}", &i.to_string()).replace("{n}", &n.to_string())
    }

    /// "3 results", announced to screen readers.
    pub fn result_count(&self, n: usize) -> String {
        (if n == 1 { self.results_one() } else { self.results_many() }).replace("{n}", &n.to_string())
    }

    /// "Updated 2026-11-01".
    pub fn updated_on(&self, date: &str) -> String {
        self.updated().replace("{date}", date)
    }

    /// The reply to small talk.
    pub fn small_talk_reply(&self, kind: SmallTalk) -> &'static str {
        self.small_talk()[match kind {
            SmallTalk::Greeting => 0,
            SmallTalk::HowAreYou => 1,
            SmallTalk::AboutBot => 2,
            SmallTalk::Thanks => 3,
            SmallTalk::Goodbye => 4,
        }]
    }

    /// "3 unread messages", for the launcher badge's accessible name.
    pub fn unread(&self, count: u32) -> String {
        let template = if count == 1 { self.unread_one() } else { self.unread_many() };
        template.replace("{n}", &count.to_string())
    }
}

static INSTALLED: [OnceLock<Strings>; Locale::ALL.len()] = [const { OnceLock::new() }; Locale::ALL.len()];

/// The catalogue for `locale`: installed ([`install`]; natively every
/// catalogue is), else English.
pub fn strings(locale: Locale) -> &'static Strings {
    let slot = &INSTALLED[locale as usize];
    #[cfg(not(target_arch = "wasm32"))]
    if locale != Locale::En && slot.get().is_none() {
        let served = catalogue::served_text(catalogue_text(Locale::En.tag()), catalogue_text(locale.tag()));
        if let Err(e) = served.and_then(|text| install(locale, &format!("{text}{CORE_SECTION}\n"))) {
            unreachable!("the build script checked {locale}'s catalogue: {e}");
        }
    }
    slot.get().unwrap_or(&EN)
}

/// The line that separates the widget's strings from core's messages in a
/// served catalogue (`wasm/strings.<tag>.<hash>.txt`, written by
/// `helpdock strings` at build time): one request brings both.
pub const CORE_SECTION: &str = "%% core";

/// Installs `locale` from a served catalogue: the widget's texts, a
/// [`CORE_SECTION`] line, core's texts, each in its reference's key order
/// (`helpdock_core::catalogue::served`). `Err` says what is wrong; the
/// locale then stays in English.
pub fn install(locale: Locale, text: &str) -> Result<(), String> {
    let (widget, core) = text
        .split_once(&format!("{CORE_SECTION}\n"))
        .ok_or_else(|| format!("no `{CORE_SECTION}` line between the widget's strings and core's"))?;
    // Natively core has its own catalogues compiled in, and none is given.
    if !core.is_empty() {
        helpdock_core::locale::install(locale, core).map_err(|e| format!("core's part: {e}"))?;
    }
    let strings = catalogue::read(widget, Strings::KEYS, Strings::from_values)?;
    _ = INSTALLED[locale as usize].set(strings);
    Ok(())
}
