//! Which languages Helpdock speaks, and how a language tag from the host or
//! the browser maps onto one of them.

use std::fmt;

/// A language the widget's interface and starter content exist in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    /// English.
    En,
    /// Simplified Chinese, as used in mainland China.
    ZhCn,
}

impl Locale {
    /// Every supported locale, in the order the interface offers them.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    /// The BCP 47 tag of this locale, as used in `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// The direction its script is written in, as used in `dir`
    /// attributes: the widget's layout follows it (its stylesheet uses
    /// logical properties), so a right-to-left locale needs nothing more.
    pub fn dir(self) -> &'static str {
        match self {
            Locale::En | Locale::ZhCn => "ltr",
        }
    }

    /// The locale's name written in that locale, for a language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::ZhCn => "简体中文",
        }
    }

    /// Maps a BCP 47 language tag onto a supported locale.
    ///
    /// Matching is case-insensitive and accepts `_` for `-`. Any English
    /// variant maps to [`Locale::En`]; Chinese maps to [`Locale::ZhCn`] unless
    /// the tag asks for Traditional script or a region that writes it
    /// (Taiwan, Hong Kong, Macau), which Helpdock does not have yet.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        let mut subtags = tag.split('-');
        match subtags.next()? {
            "en" => Some(Locale::En),
            "zh" => {
                let traditional = subtags.any(|s| matches!(s, "hant" | "tw" | "hk" | "mo"));
                (!traditional).then_some(Locale::ZhCn)
            }
            _ => None,
        }
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
        assert_eq!(Locale::negotiate(["de", "ja"]), None);
    }

    #[test]
    fn tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
    }
}
