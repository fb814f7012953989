//! Which languages Helpdock speaks, how a language tag from the host or
//! the browser maps onto one of them, and what core says in each.
//!
//! One file per locale in `crates/helpdock-core/locales/` makes the locale:
//! the build script turns the files into [`Locale`] (a variant each, with
//! the tag, direction and name of its `@` lines) and [`Messages`] (a field
//! per key of the reference, `en.txt`), and fails when a file lacks a key.
//! English is compiled in. Natively every catalogue is; in the browser a
//! locale's catalogue arrives with the widget's ([`install`]), so a page
//! carries only the languages it shows.

use std::fmt;
use std::sync::OnceLock;

use crate::catalogue;

include!(concat!(env!("OUT_DIR"), "/locales.rs"));

impl Locale {
    /// Maps a BCP 47 language tag onto a supported locale.
    ///
    /// Matching is case-insensitive and accepts `_` for `-`: a tag maps onto
    /// the locale whose `@language` is its first subtag, unless one of its
    /// other subtags is in that locale's `@not` list. So any English variant
    /// is English, and Chinese is Simplified Chinese unless the tag asks for
    /// Traditional script or a region that writes it (Taiwan, Hong Kong,
    /// Macau), which Helpdock does not have yet.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        let mut subtags = tag.split('-');
        let language = subtags.next()?;
        let rest: Vec<&str> = subtags.collect();
        Locale::ALL.into_iter().find(|l| l.language() == language && !rest.iter().any(|s| l.excluded().contains(s)))
    }

    /// The first of the user's preferred languages (most preferred first,
    /// as in `navigator.languages`) that Helpdock supports.
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Option<Locale> {
        preferred.into_iter().find_map(Locale::from_tag)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

static INSTALLED: [OnceLock<Messages>; Locale::ALL.len()] = [const { OnceLock::new() }; Locale::ALL.len()];

/// What core says in `locale`: its catalogue if installed (natively, every
/// catalogue is), else English.
pub fn messages(locale: Locale) -> &'static Messages {
    let slot = &INSTALLED[locale as usize];
    #[cfg(not(target_arch = "wasm32"))]
    if locale != Locale::En && slot.get().is_none() {
        let served = catalogue::served_text(Locale::En.catalogue_text(), locale.catalogue_text());
        if let Err(e) = served.and_then(|text| install(locale, &text)) {
            unreachable!("the build script checked {locale}'s catalogue: {e}");
        }
    }
    slot.get().unwrap_or(&MESSAGES_EN)
}

/// Installs `locale`'s catalogue from its served form
/// ([`catalogue::served`]). `Err` says what is wrong with it; the locale
/// then stays in English. Installing twice keeps the first.
pub fn install(locale: Locale, served: &str) -> Result<(), String> {
    let read = catalogue::read(served, Messages::KEYS, Messages::from_values)?;
    _ = INSTALLED[locale as usize].set(read);
    Ok(())
}

/// Whether `locale`'s catalogue is in place (English always is).
pub fn is_installed(locale: Locale) -> bool {
    locale == Locale::En || INSTALLED[locale as usize].get().is_some()
}

/// `template` with each `{name}` replaced by the value given for it; a
/// placeholder without a value stays as it is.
pub fn fill(template: &str, values: &[(&str, &dyn fmt::Display)]) -> String {
    use fmt::Write;
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            values.iter().find(|(name, _)| *name == &after[..close]).map(|(_, value)| (close, value))
        });
        match value {
            Some((close, value)) => {
                _ = write!(out, "{value}");
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A core message in `locale`, its placeholders filled from the variables
/// of the same name (or `name = value`).
#[macro_export]
#[doc(hidden)]
macro_rules! say {
    ($locale:expr, $key:ident $(, $name:ident $(= $value:expr)?)* $(,)?) => {
        $crate::locale::fill(
            $crate::locale::messages($locale).$key(),
            &[$((stringify!($name), &$crate::say!(@value $name $(, $value)?) as &dyn ::std::fmt::Display)),*],
        )
    };
    (@value $name:ident) => { $name };
    (@value $name:ident, $value:expr) => { $value };
}

/// The text of `values` (pairs of a language tag and a text) in `locale`,
/// else the first one given: what an author wrote once per language, read
/// in the user's.
pub(crate) fn localized(values: &[(String, String)], locale: Locale) -> Option<&str> {
    values
        .iter()
        .find(|(tag, _)| Locale::from_tag(tag) == Some(locale))
        .or_else(|| values.first())
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_onto_supported_locales() {
        let cases = [
            ("en", Some(Locale::En)),
            ("EN-us", Some(Locale::En)),
            ("en_GB", Some(Locale::En)),
            ("zh", Some(Locale::ZhCn)),
            ("zh-CN", Some(Locale::ZhCn)),
            ("zh-cn", Some(Locale::ZhCn)),
            ("zh-Hans-CN", Some(Locale::ZhCn)),
            ("zh-SG", Some(Locale::ZhCn)),
            ("zh-TW", None),
            ("zh-Hant", None),
            ("zh-HK", None),
            ("fr", None),
            ("ja", Some(Locale::Ja)),
            ("ja-JP", Some(Locale::Ja)),
            ("", None),
            ("  en  ", Some(Locale::En)),
        ];
        for (tag, expected) in cases {
            assert_eq!(Locale::from_tag(tag), expected, "tag {tag:?}");
        }
    }

    #[test]
    fn negotiation_takes_the_first_supported_preference() {
        assert_eq!(Locale::negotiate(["fr-FR", "zh-CN", "en"]), Some(Locale::ZhCn));
        assert_eq!(Locale::negotiate(["de", "ko"]), None);
        assert_eq!(Locale::negotiate(["ja-JP", "en"]), Some(Locale::Ja));
    }

    #[test]
    fn every_locale_speaks_its_own_catalogue() {
        for locale in Locale::ALL {
            let m = messages(locale);
            assert!(is_installed(locale));
            if locale != Locale::En {
                assert_ne!(m.field_empty(), MESSAGES_EN.field_empty(), "{locale} says core's messages in English");
            }
        }
        assert_eq!(messages(Locale::Ja).month()[2], "3月");
        let say = fill("{n} of {total}, {n}; {unknown}", &[("n", &3), ("total", &"10")]);
        assert_eq!(say, "3 of 10, 3; {unknown}");
    }

    #[test]
    fn a_served_catalogue_with_the_wrong_count_is_refused() {
        assert!(install(Locale::Ja, "just one line\n").unwrap_err().contains("it has 1 texts"));
    }

    #[test]
    fn tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
    }
}
