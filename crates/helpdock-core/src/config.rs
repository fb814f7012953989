//! The widget's configuration: what the host passes to `mount()` or to the
//! `HelpdockWidget` component, read leniently.
//!
//! Hosts write this object by hand, so reading it never fails: each field
//! that is missing takes its default, and each field that is present but
//! wrong is replaced by its default *and* reported as a [`Diagnostic`] naming
//! the field (`theme.brandColor`), what was expected and what was used
//! instead (see [`crate::diagnostic`]).

use serde_json::Value;

use crate::diagnostic::{describe, join, Diagnostic, Reader, Severity, MAX_TEXT_LEN};
use crate::fields::email_address;
use crate::locale::Locale;

/// Everything the host can configure about the widget.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The interface language; `None` lets the widget follow the browser.
    pub locale: Option<Locale>,
    /// Which bottom corner the launcher sits in.
    pub position: Side,
    /// Colours, shape and type.
    pub theme: Theme,
    /// The panel's heading, e.g. the host's product name and "Support".
    /// `None` uses the localised default.
    pub title: Option<String>,
    /// The signed-in host user, if any (`identity` in the configuration;
    /// `user` is accepted as its older name).
    pub user: Option<Identity>,
    /// The protocol-v1 backend live chat talks to (`backend`); without one
    /// the bot's hand-over only tells the host (`escalated`).
    pub backend: Option<Backend>,
    /// When the browser loads the full widget (the launcher is always shown
    /// at once).
    pub preload: Preload,
    /// Whether the panel starts open.
    pub open: bool,
    /// The stacking order of the widget above the host page.
    pub z_index: i32,
    /// The URL of the folder holding `helpdock.css` (and the rest of the
    /// release build); `None` means "next to the page".
    pub assets_base: Option<String>,
    /// The URL of the compiled content pack (`helpdock pack build`); without
    /// one the Help area says it has no articles.
    pub pack: Option<String>,
    /// How users reach people: live-chat hours, tickets, e-mail, community,
    /// phone lines, and the official domains links are checked against.
    pub channels: crate::channel::Channels,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            locale: None,
            position: Side::Right,
            theme: Theme::default(),
            title: None,
            user: None,
            backend: None,
            preload: Preload::Idle,
            open: false,
            z_index: DEFAULT_Z_INDEX,
            assets_base: None,
            pack: None,
            channels: crate::channel::Channels::default(),
        }
    }
}

/// The z-index used unless the host sets one: high, but below the values
/// browsers reserve for their own overlays.
pub const DEFAULT_Z_INDEX: i32 = 2_147_483_000;

/// A bottom corner of the viewport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    /// Bottom right, the default in left-to-right pages.
    #[default]
    Right,
    /// Bottom left.
    Left,
}

impl Side {
    /// The keyword used in configuration and in CSS class names.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Right => "right",
            Side::Left => "left",
        }
    }
}

/// Light or dark rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorScheme {
    /// Follow the user's `prefers-color-scheme`.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ColorScheme {
    /// The keyword used in configuration and in the `data-scheme` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            ColorScheme::Auto => "auto",
            ColorScheme::Light => "light",
            ColorScheme::Dark => "dark",
        }
    }
}

/// When the full widget (the WebAssembly module) is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preload {
    /// When the browser is idle after the page has loaded.
    #[default]
    Idle,
    /// Only when the user points at, focuses or clicks the launcher.
    Interaction,
    /// Straight away.
    Eager,
}

impl Preload {
    /// The keyword used in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Preload::Idle => "idle",
            Preload::Interaction => "interaction",
            Preload::Eager => "eager",
        }
    }
}

/// The widget's look, applied through CSS custom properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// The brand colour: launcher, primary buttons, links.
    pub brand_color: CssColor,
    /// Corner radius of the panel and its cards, in CSS pixels.
    pub radius_px: u8,
    /// A CSS `font-family` list; `None` uses the system font stack.
    pub font_family: Option<String>,
    /// Light, dark, or follow the user's setting.
    pub color_scheme: ColorScheme,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            brand_color: CssColor(DEFAULT_BRAND_COLOR.to_owned()),
            radius_px: DEFAULT_RADIUS_PX,
            font_family: None,
            color_scheme: ColorScheme::Auto,
        }
    }
}

const DEFAULT_BRAND_COLOR: &str = "#1f6feb";
const DEFAULT_RADIUS_PX: u8 = 12;
const MAX_RADIUS_PX: u8 = 32;

/// A CSS colour the widget accepted: a hex colour, or an `rgb()`/`hsl()`
/// function with plain numeric arguments. Nothing else gets through, so a
/// value can never close a declaration or load a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CssColor(String);

impl CssColor {
    /// Checks `value`, returning `None` unless it is a colour in one of the
    /// accepted forms.
    pub fn parse(value: &str) -> Option<CssColor> {
        let value = value.trim();
        let valid = if let Some(hex) = value.strip_prefix('#') {
            matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit())
        } else {
            let lower = value.to_ascii_lowercase();
            ["rgb(", "rgba(", "hsl(", "hsla("].iter().any(|f| lower.starts_with(f)) && lower.ends_with(')') && {
                let open = lower.find('(').unwrap_or(0);
                let args = &lower[open + 1..lower.len() - 1];
                !args.trim().is_empty()
                    && args.bytes().all(|b| b.is_ascii_digit() || b" .,%/-".contains(&b) || b"degturn".contains(&b))
            }
        };
        valid.then(|| CssColor(value.to_owned()))
    }

    /// The colour as written in CSS.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether text drawn on this colour should be dark rather than white
    /// to stay readable, by WCAG relative luminance. Only hex and `rgb()`
    /// colours are measured; for others white text is assumed.
    pub fn prefers_dark_text(&self) -> bool {
        let Some([r, g, b]) = self.rgb() else {
            return false;
        };
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
        // Contrast with white is (1.05 / (L + 0.05)); with black (L + 0.05) / 0.05.
        // Dark text wins when the second is larger.
        (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05)
    }

    fn rgb(&self) -> Option<[u8; 3]> {
        let s = self.0.trim();
        if let Some(hex) = s.strip_prefix('#') {
            let digit = |i: usize| u8::from_str_radix(&hex[i..i + 1], 16).ok();
            let pair = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            return match hex.len() {
                3 | 4 => Some([digit(0)? * 17, digit(1)? * 17, digit(2)? * 17]),
                6 | 8 => Some([pair(0)?, pair(2)?, pair(4)?]),
                _ => None,
            };
        }
        let lower = s.to_ascii_lowercase();
        let args = lower.strip_prefix("rgba(").or_else(|| lower.strip_prefix("rgb("))?.strip_suffix(')')?;
        let mut channels = args
            .split(|c: char| c == ',' || c == '/' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .map(|p| match p.strip_suffix('%') {
                Some(pct) => crate::text::decimal(pct).map(|v| v * 2.55),
                None => crate::text::decimal(p),
            });
        let mut next = || channels.next().flatten().map(|v| v.clamp(0.0, 255.0).round() as u8);
        Some([next()?, next()?, next()?])
    }
}

/// Who the signed-in host user is, as the host's page says.
///
/// `user_hash` is the HMAC-SHA256 of `user_id` with the host's secret,
/// computed by the host's server; the Helpdock server verifies it, so a page
/// cannot claim to be someone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The host's stable id for the user.
    pub user_id: String,
    /// Display name, shown to agents.
    pub name: Option<String>,
    /// Where ticket replies and transcripts are e-mailed.
    pub email: Option<String>,
    /// The host server's signature of `user_id`.
    pub user_hash: Option<String>,
}

impl Identity {
    /// Reads an identity object (`{ userId, name, email, userHash }`).
    ///
    /// `path` is where the object sits in the caller's input (`"user"` in the
    /// configuration, `"identify"` for the API call) and prefixes every
    /// diagnostic. Without a usable `userId` there is no identity: the
    /// result is `None` and an error names the field.
    pub fn from_value(value: &Value, path: &str) -> (Option<Identity>, Vec<Diagnostic>) {
        let mut r = Reader::new();
        let Some(map) = r.object(value, path) else {
            return (None, r.diagnostics);
        };
        r.unknown_fields(map, path, IDENTITY_FIELDS);
        let user_id_path = join(path, "userId");
        let user_id = match map.get("userId") {
            None | Some(Value::Null) => {
                r.error(&user_id_path, "is required: the host's id for the signed-in user");
                None
            }
            Some(n @ Value::Number(_)) => Some(serde_json::to_string(n).unwrap_or_default()),
            Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= MAX_TEXT_LEN => Some(s.trim().to_owned()),
            Some(other) => {
                r.error(
                    &user_id_path,
                    &format!(
                        "expected a non-empty string of at most {MAX_TEXT_LEN} characters, got {}",
                        describe(other)
                    ),
                );
                None
            }
        };
        let name = r.text(map.get("name"), &join(path, "name"));
        let email = r.text(map.get("email"), &join(path, "email")).and_then(|email| {
            let address = email_address(&email);
            if address.is_none() {
                r.error(
                    &join(path, "email"),
                    &format!("expected an e-mail address like name@example.com, got {email:?}; ignoring it"),
                );
            }
            address
        });
        let user_hash = r.text(map.get("userHash"), &join(path, "userHash")).and_then(|hash| {
            if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                Some(hash.to_ascii_lowercase())
            } else {
                r.error(
                    &join(path, "userHash"),
                    "expected 64 hexadecimal characters (HMAC-SHA256 of userId, computed by your server); ignoring it",
                );
                None
            }
        });
        let identity = user_id.map(|user_id| Identity { user_id, name, email, user_hash });
        (identity, r.diagnostics)
    }
}

/// The base URL of a protocol-v1 backend, checked: the page's own origin
/// (`"/"`), a path on it (`"/support"`), or an `http(s)://` origin with an
/// optional path. Kept without a trailing slash, so `"/"` is the empty
/// string and endpoints are `format!("{base}/api/v1/...")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend(String);

impl Backend {
    /// Checks `value`, returning why it is not usable.
    pub fn parse(value: &str) -> Result<Backend, &'static str> {
        let value = value.trim();
        let rest = if let Some(path) = value.strip_prefix('/') {
            if path.starts_with('/') {
                return Err("a protocol-relative URL (//host) is ambiguous; write https://host");
            }
            path
        } else if let Some(rest) = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://")) {
            let host = rest.split('/').next().unwrap_or("");
            if host.is_empty() || host.contains('@') {
                return Err("the URL names no host");
            }
            rest
        } else {
            return Err("expected \"/\" (this site), a path like \"/support\" or an origin like \"https://support.example.com\"");
        };
        if rest.chars().any(|c| c.is_whitespace() || c.is_control() || "?#\\\"'<>".contains(c)) {
            return Err("a base URL cannot contain spaces, quotes, a query (?) or a fragment (#)");
        }
        Ok(Backend(value.trim_end_matches('/').to_owned()))
    }

    /// The base, without a trailing slash (empty for the page's origin).
    pub fn base(&self) -> &str {
        &self.0
    }

    /// The absolute URL of `path` (which starts with `/`) on this backend;
    /// `origin` is the page's, for a backend on the page's own site.
    pub fn url(&self, origin: &str, path: &str) -> String {
        if self.0.starts_with("http") {
            format!("{}{path}", self.0)
        } else {
            format!("{}{}{path}", origin.trim_end_matches('/'), self.0)
        }
    }

    /// The WebSocket URL of `path`: `ws:` for `http:`, `wss:` for `https:`.
    pub fn ws_url(&self, origin: &str, path: &str) -> String {
        let url = self.url(origin, path);
        match url.strip_prefix("https://") {
            Some(rest) => format!("wss://{rest}"),
            None => url.strip_prefix("http://").map_or(url.clone(), |rest| format!("ws://{rest}")),
        }
    }
}

impl Config {
    /// Reads the configuration from a JSON document. Never fails: see the
    /// module documentation.
    pub fn from_json(json: &str) -> (Config, Vec<Diagnostic>) {
        match serde_json::from_str::<Value>(json) {
            Ok(value) => Config::from_value(&value),
            Err(err) => (
                Config::default(),
                vec![Diagnostic {
                    field: "(config)".to_owned(),
                    severity: Severity::Error,
                    message: format!("is not valid JSON ({err}); using the defaults"),
                }],
            ),
        }
    }

    /// Reads the configuration from a parsed JSON value.
    pub fn from_value(value: &Value) -> (Config, Vec<Diagnostic>) {
        let mut config = Config::default();
        let mut r = Reader::new();
        if value.is_null() {
            return (config, r.diagnostics);
        }
        let Some(map) = r.object(value, "(config)") else {
            return (config, r.diagnostics);
        };
        r.unknown_fields(map, "", CONFIG_FIELDS);

        if let Some(tag) = r.text(map.get("locale"), "locale") {
            config.locale = parse_locale(&tag, "locale", &mut r);
        }
        config.position = r
            .keyword(map.get("position"), "position", &[("right", Side::Right), ("left", Side::Left)])
            .unwrap_or_default();
        config.preload = r
            .keyword(
                map.get("preload"),
                "preload",
                &[("idle", Preload::Idle), ("interaction", Preload::Interaction), ("eager", Preload::Eager)],
            )
            .unwrap_or_default();
        config.title = r.text(map.get("title"), "title");
        config.open = r.boolean(map.get("open"), "open").unwrap_or(false);
        config.z_index =
            r.integer(map.get("zIndex"), "zIndex", 0, i64::from(i32::MAX)).map_or(DEFAULT_Z_INDEX, |z| z as i32);
        config.assets_base = r.text(map.get("assetsBase"), "assetsBase");
        config.pack = r.text(map.get("pack"), "pack");
        if let Some(theme) = map.get("theme").filter(|v| !v.is_null()) {
            config.theme = read_theme(theme, &mut r);
        }
        if let Some(channels) = map.get("channels").filter(|v| !v.is_null()) {
            config.channels = crate::channel::Channels::from_value(channels, &mut r);
        }
        if let Some(backend) = r.text(map.get("backend"), "backend") {
            match Backend::parse(&backend) {
                Ok(backend) => config.backend = Some(backend),
                Err(why) => r.error("backend", &format!("{why}, got {backend:?}; live chat is off")),
            }
        }
        let identity = map.get("identity").filter(|v| !v.is_null());
        let user = map.get("user").filter(|v| !v.is_null());
        if identity.is_some() && user.is_some() {
            r.warning("user", "is the older name of `identity`, which is also given; using `identity`");
        }
        if let Some((value, path)) = identity.map(|v| (v, "identity")).or(user.map(|v| (v, "user"))) {
            let (identity, diagnostics) = Identity::from_value(value, path);
            r.diagnostics.extend(diagnostics);
            if let (Some(who), Some(_)) = (&identity, &config.backend) {
                if who.user_hash.is_none() {
                    r.warning(
                        &join(path, "userHash"),
                        "is missing: live chat cannot confirm who the user is and treats them as anonymous",
                    );
                }
            }
            config.user = identity;
        }
        (config, r.diagnostics)
    }
}

/// The configuration's fields. `js/helpdock.d.ts` declares the same
/// (`HelpdockConfig`, and `transport`, which the loader keeps to itself); a
/// test holds the two together.
pub const CONFIG_FIELDS: &[&str] = &[
    "locale",
    "position",
    "theme",
    "title",
    "user",
    "identity",
    "backend",
    "preload",
    "open",
    "zIndex",
    "assetsBase",
    "pack",
    "channels",
];

/// `theme`'s fields (`HelpdockTheme`).
pub const THEME_FIELDS: &[&str] = &["brandColor", "radius", "font", "colorScheme"];

/// `identity`'s fields (`HelpdockIdentity`).
pub const IDENTITY_FIELDS: &[&str] = &["userId", "name", "email", "userHash"];

/// Reads a locale tag given to `setLocale()` or in the configuration,
/// returning a diagnostic naming `field` when Helpdock does not speak it.
pub fn parse_locale_tag(tag: &str, field: &str) -> Result<Locale, Diagnostic> {
    let mut r = Reader::new();
    parse_locale(tag, field, &mut r).ok_or_else(|| r.diagnostics.remove(0))
}

fn parse_locale(tag: &str, field: &str, r: &mut Reader) -> Option<Locale> {
    let locale = Locale::from_tag(tag);
    if locale.is_none() {
        let supported: Vec<&str> = Locale::ALL.iter().map(|l| l.tag()).collect();
        r.error(
            field,
            &format!(
                "{tag:?} is not a supported locale (supported: {}); following the browser's language instead",
                supported.join(", ")
            ),
        );
    }
    locale
}

fn read_theme(value: &Value, r: &mut Reader) -> Theme {
    let mut theme = Theme::default();
    let Some(map) = r.object(value, "theme") else {
        return theme;
    };
    r.unknown_fields(map, "theme", THEME_FIELDS);
    if let Some(color) = r.text(map.get("brandColor"), "theme.brandColor") {
        match CssColor::parse(&color) {
            Some(color) => theme.brand_color = color,
            None => r.error(
                "theme.brandColor",
                &format!(
                    "expected a colour like \"#1f6feb\", \"rgb(31 111 235)\" or \"hsl(215 83% 52%)\", got {color:?}; using {DEFAULT_BRAND_COLOR}"
                ),
            ),
        }
    }
    if let Some(radius) = r.integer(map.get("radius"), "theme.radius", 0, i64::from(MAX_RADIUS_PX)) {
        theme.radius_px = radius as u8;
    }
    if let Some(font) = r.text(map.get("font"), "theme.font") {
        let safe = font.chars().all(|c| c.is_alphanumeric() || " -_,.'\"".contains(c)) && !font.trim().is_empty();
        if safe {
            theme.font_family = Some(font);
        } else {
            r.error(
                "theme.font",
                &format!(
                    "expected a font-family list like \"Inter, sans-serif\", got {font:?}; using the system fonts"
                ),
            );
        }
    }
    theme.color_scheme = r
        .keyword(
            map.get("colorScheme"),
            "theme.colorScheme",
            &[("auto", ColorScheme::Auto), ("light", ColorScheme::Light), ("dark", ColorScheme::Dark)],
        )
        .unwrap_or_default();
    theme
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> (Config, Vec<String>) {
        let (config, diagnostics) = Config::from_json(json);
        (config, diagnostics.iter().map(|d| format!("{:?} {d}", d.severity)).collect())
    }

    #[test]
    fn empty_and_null_configs_use_the_defaults() {
        for json in ["{}", "null"] {
            let (config, diagnostics) = read(json);
            assert_eq!(config, Config::default());
            assert!(diagnostics.is_empty(), "{diagnostics:?}");
        }
    }

    #[test]
    fn a_full_valid_config_is_read_without_diagnostics() {
        let (config, diagnostics) = read(
            r##"{
                "locale": "zh-CN", "position": "left", "title": "CoinHub 客服",
                "theme": {"brandColor": "#F0B90B", "radius": 4, "font": "Inter, 'PingFang SC', sans-serif", "colorScheme": "dark"},
                "user": {"userId": 100234, "name": "Li Wei", "email": "li.wei@example.com",
                         "userHash": "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"},
                "preload": "interaction", "open": true, "zIndex": 1000, "assetsBase": "/static/helpdock/",
                "pack": "/static/helpdock/help.hdpk"
            }"##,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(config.locale, Some(Locale::ZhCn));
        assert_eq!(config.position, Side::Left);
        assert_eq!(config.title.as_deref(), Some("CoinHub 客服"));
        assert_eq!(config.theme.brand_color.as_str(), "#F0B90B");
        assert_eq!(config.theme.radius_px, 4);
        assert_eq!(config.theme.font_family.as_deref(), Some("Inter, 'PingFang SC', sans-serif"));
        assert_eq!(config.theme.color_scheme, ColorScheme::Dark);
        let user = config.user.expect("identity");
        assert_eq!(user.user_id, "100234");
        assert_eq!(user.email.as_deref(), Some("li.wei@example.com"));
        assert_eq!(user.user_hash.as_deref(), Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
        assert_eq!(config.preload, Preload::Interaction);
        assert!(config.open);
        assert_eq!(config.z_index, 1000);
        assert_eq!(config.assets_base.as_deref(), Some("/static/helpdock/"));
        assert_eq!(config.pack.as_deref(), Some("/static/helpdock/help.hdpk"));
    }

    #[test]
    fn each_bad_field_is_named_and_falls_back() {
        let cases: &[(&str, &str)] = &[
            (r#"{"locale": "fr"}"#, r#"Error Helpdock config: `locale` "fr" is not a supported locale (supported: en, ja, zh-CN); following the browser's language instead"#),
            (r#"{"locale": 7}"#, "Error Helpdock config: `locale` expected a string, got the number 7; ignoring it"),
            (r#"{"position": "top"}"#, r#"Error Helpdock config: `position` expected one of "right", "left", got "top"; using "right""#),
            (r#"{"theme": {"brandColor": "red; background: url(x)"}}"#, r##"Error Helpdock config: `theme.brandColor` expected a colour like "#1f6feb", "rgb(31 111 235)" or "hsl(215 83% 52%)", got "red; background: url(x)"; using #1f6feb"##),
            (r#"{"theme": {"radius": 99}}"#, "Error Helpdock config: `theme.radius` expected a whole number from 0 to 32, got the number 99; using the default"),
            (r#"{"theme": {"font": "x; } * { color: red"}}"#, r#"Error Helpdock config: `theme.font` expected a font-family list like "Inter, sans-serif", got "x; } * { color: red"; using the system fonts"#),
            (r#"{"theme": "dark"}"#, r#"Error Helpdock config: `theme` expected an object, got "dark"; using the defaults"#),
            (r#"{"user": {"name": "Ann"}}"#, "Error Helpdock config: `user.userId` is required: the host's id for the signed-in user"),
            (r#"{"user": {"userId": "u1", "email": "not-an-email"}}"#, r#"Error Helpdock config: `user.email` expected an e-mail address like name@example.com, got "not-an-email"; ignoring it"#),
            (r#"{"user": {"userId": "u1", "userHash": "abc"}}"#, "Error Helpdock config: `user.userHash` expected 64 hexadecimal characters (HMAC-SHA256 of userId, computed by your server); ignoring it"),
            (r#"{"open": "yes"}"#, r#"Error Helpdock config: `open` expected true or false, got "yes"; ignoring it"#),
            (r#"{"zIndex": -5}"#, "Error Helpdock config: `zIndex` expected a whole number from 0 to 2147483647, got the number -5; using the default"),
            (r##"{"brandColour": "#fff"}"##, "Warning Helpdock config: `brandColour` is not a known field and was ignored"),
            (r##"{"theme": {"brandColour": "#fff"}}"##, "Warning Helpdock config: `theme.brandColour` is not a known field and was ignored (did you mean `brandColor`?)"),
            (r#"{"locle": "en"}"#, "Warning Helpdock config: `locle` is not a known field and was ignored (did you mean `locale`?)"),
            ("[1, 2]", "Error Helpdock config: `(config)` expected an object, got an array; using the defaults"),
        ];
        for (json, expected) in cases {
            let (config, diagnostics) = read(json);
            assert_eq!(diagnostics, vec![expected.to_string()], "input {json}");
            // Whatever was wrong, the widget still gets a usable config.
            assert_eq!(config.position, Side::Right, "input {json}");
            assert_eq!(config.theme.brand_color.as_str(), "#1f6feb", "input {json}");
        }
    }

    #[test]
    fn invalid_json_is_reported_and_defaults_used() {
        let (config, diagnostics) = Config::from_json("{locale: en}");
        assert_eq!(config, Config::default());
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.starts_with("is not valid JSON"), "{}", diagnostics[0]);
    }

    #[test]
    fn one_bad_field_does_not_discard_the_good_ones() {
        let (config, diagnostics) =
            read(r#"{"locale": "en", "position": "left", "theme": {"brandColor": "bogus", "radius": 0}}"#);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(config.locale, Some(Locale::En));
        assert_eq!(config.position, Side::Left);
        assert_eq!(config.theme.radius_px, 0);
    }

    #[test]
    fn colours() {
        let good = [
            "#fff",
            "#FFFA",
            "#1f6feb",
            "#1f6feb80",
            "rgb(31, 111, 235)",
            "rgb(31 111 235 / 50%)",
            "rgba(0,0,0,.5)",
            "hsl(215 83% 52%)",
            "hsl(215deg 83% 52%)",
        ];
        let bad = [
            "",
            "#ff",
            "#ggg",
            "red",
            "rgb()",
            "rgb(1,2,3",
            "rgb(1,2,3);x",
            "url(x)",
            "rgb(var(--x))",
            "expression(alert(1))",
            "#fff;",
        ];
        for c in good {
            assert!(CssColor::parse(c).is_some(), "{c} should be accepted");
        }
        for c in bad {
            assert!(CssColor::parse(c).is_none(), "{c} should be rejected");
        }
    }

    #[test]
    fn text_on_the_brand_colour_stays_readable() {
        let dark_text = ["#fff", "#F0B90B", "#ffd700", "rgb(240, 185, 11)", "#f0f0f0cc"];
        let white_text = ["#000", "#1f6feb", "#0b3d91", "rgb(31 111 235)", "hsl(0 0% 100%)"];
        for c in dark_text {
            assert!(CssColor::parse(c).unwrap().prefers_dark_text(), "{c}");
        }
        for c in white_text {
            assert!(!CssColor::parse(c).unwrap().prefers_dark_text(), "{c}");
        }
    }

    #[test]
    fn identify_requires_a_user_id() {
        let (identity, diagnostics) = Identity::from_value(&serde_json::json!({"name": "Ann"}), "identify");
        assert_eq!(identity, None);
        assert_eq!(diagnostics[0].field, "identify.userId");
        let (identity, diagnostics) = Identity::from_value(&serde_json::json!({"userId": " u-42 "}), "identify");
        assert!(diagnostics.is_empty());
        assert_eq!(identity.map(|i| i.user_id), Some("u-42".to_owned()));
        let (identity, diagnostics) = Identity::from_value(&serde_json::json!("u-42"), "identify");
        assert_eq!(identity, None);
        assert_eq!(diagnostics[0].field, "identify");
    }

    #[test]
    fn backend_urls_are_checked_and_normalised() {
        let (config, diagnostics) = read(r#"{"backend": "/"}"#);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let backend = config.backend.expect("backend");
        assert_eq!(backend.base(), "");
        assert_eq!(backend.url("http://127.0.0.1:8080", "/api/v1/session"), "http://127.0.0.1:8080/api/v1/session");
        assert_eq!(backend.ws_url("http://127.0.0.1:8080", "/api/v1/ws"), "ws://127.0.0.1:8080/api/v1/ws");

        let (config, diagnostics) = read(r#"{"backend": "https://support.example.com/helpdock/"}"#);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let backend = config.backend.expect("backend");
        assert_eq!(backend.base(), "https://support.example.com/helpdock");
        assert_eq!(
            backend.ws_url("https://shop.example", "/api/v1/ws"),
            "wss://support.example.com/helpdock/api/v1/ws"
        );
        let (config, _) = read(r#"{"backend": "/support"}"#);
        assert_eq!(config.backend.expect("backend").url("https://a.example/", "/x"), "https://a.example/support/x");

        let cases: &[(&str, &str)] = &[
            (
                r#"{"backend": "support.example.com"}"#,
                r#"Error Helpdock config: `backend` expected "/" (this site), a path like "/support" or an origin like "https://support.example.com", got "support.example.com"; live chat is off"#,
            ),
            (
                r#"{"backend": "javascript:alert(1)"}"#,
                r#"Error Helpdock config: `backend` expected "/" (this site), a path like "/support" or an origin like "https://support.example.com", got "javascript:alert(1)"; live chat is off"#,
            ),
            (
                r#"{"backend": "//evil.example"}"#,
                r#"Error Helpdock config: `backend` a protocol-relative URL (//host) is ambiguous; write https://host, got "//evil.example"; live chat is off"#,
            ),
            (
                r#"{"backend": "https://"}"#,
                r#"Error Helpdock config: `backend` the URL names no host, got "https://"; live chat is off"#,
            ),
            (
                r#"{"backend": "https://a.example/?x=1"}"#,
                r#"Error Helpdock config: `backend` a base URL cannot contain spaces, quotes, a query (?) or a fragment (#), got "https://a.example/?x=1"; live chat is off"#,
            ),
            (
                r#"{"backend": 8080}"#,
                "Error Helpdock config: `backend` expected a string, got the number 8080; ignoring it",
            ),
        ];
        for (json, expected) in cases {
            let (config, diagnostics) = read(json);
            assert_eq!(diagnostics, vec![expected.to_string()], "input {json}");
            assert_eq!(config.backend, None, "input {json}");
        }
    }

    #[test]
    fn identity_is_read_like_user_and_wins_over_it() {
        let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let (config, diagnostics) = read(&format!(
            r#"{{"backend": "/", "identity": {{"userId": "42", "userHash": "{hash}", "name": "Li Wei", "email": "li@example.com"}}}}"#
        ));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let who = config.user.expect("identity");
        assert_eq!((who.user_id.as_str(), who.user_hash.as_deref()), ("42", Some(hash)));
        assert_eq!(who.email.as_deref(), Some("li@example.com"));

        let (config, diagnostics) = read(r#"{"identity": {"userId": "new"}, "user": {"userId": "old"}}"#);
        assert_eq!(config.user.map(|u| u.user_id), Some("new".to_owned()));
        assert_eq!(
            diagnostics,
            vec!["Warning Helpdock config: `user` is the older name of `identity`, which is also given; using `identity`"]
        );

        let (config, diagnostics) = read(r#"{"identity": {"name": "Ann"}}"#);
        assert_eq!(config.user, None);
        assert_eq!(
            diagnostics,
            vec!["Error Helpdock config: `identity.userId` is required: the host's id for the signed-in user"]
        );

        // With a backend, an identity the server cannot check is worth a word.
        let (config, diagnostics) = read(r#"{"backend": "/", "identity": {"userId": "42"}}"#);
        assert!(config.user.is_some());
        assert_eq!(
            diagnostics,
            vec!["Warning Helpdock config: `identity.userHash` is missing: live chat cannot confirm who the user is and treats them as anonymous"]
        );
        let (_, diagnostics) = read(r#"{"identity": {"userId": "42", "userHash": "nothex"}}"#);
        assert!(diagnostics[0].contains("`identity.userHash` expected 64 hexadecimal"), "{diagnostics:?}");
    }

    /// The property names of `export interface NAME { … }` in a
    /// declarations file (one per line, two spaces in).
    fn declared(dts: &str, name: &str) -> Vec<String> {
        let start = dts.find(&format!("export interface {name} {{\n")).unwrap_or_else(|| panic!("{name} is declared"));
        let body = &dts[start..];
        let body = &body[..body.find("\n}").expect("the interface ends")];
        let mut names: Vec<String> = body
            .lines()
            .skip(1)
            .filter_map(|line| line.strip_prefix("  "))
            .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|line| line.split(['?', ':']).next())
            .map(str::to_owned)
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_typescript_declarations_name_the_fields_this_reader_knows() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../js/helpdock.d.ts");
        let dts = std::fs::read_to_string(path).expect("js/helpdock.d.ts");
        let sorted = |fields: &[&str], extra: &[&str]| {
            let mut v: Vec<String> = fields.iter().chain(extra).map(|s| s.to_string()).collect();
            v.sort();
            v
        };
        use crate::channel::{CHANNEL_FIELDS, HOURS_FIELDS, TICKETS_FIELDS};
        // `transport` is the loader's, never passed to the widget.
        assert_eq!(declared(&dts, "HelpdockConfig"), sorted(CONFIG_FIELDS, &["transport"]));
        assert_eq!(declared(&dts, "HelpdockTheme"), sorted(THEME_FIELDS, &[]));
        assert_eq!(declared(&dts, "HelpdockIdentity"), sorted(IDENTITY_FIELDS, &[]));
        assert_eq!(declared(&dts, "HelpdockChannels"), sorted(CHANNEL_FIELDS, &[]));
        assert_eq!(declared(&dts, "HelpdockTickets"), sorted(TICKETS_FIELDS, &[]));
        assert_eq!(declared(&dts, "HelpdockHours"), sorted(HOURS_FIELDS, &[]));
    }
}
