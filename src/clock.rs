//! Times as the user reads them, in their own time zone: one place for the
//! chat's, live chat's and tickets' clocks.

use helpdock_core::locale::Locale;

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Now, in Unix seconds.
pub fn now_secs() -> i64 {
    now_ms() / 1000
}

fn date(at_ms: i64) -> js_sys::Date {
    js_sys::Date::new(&(at_ms as f64).into())
}

/// `14:05`.
pub fn time(at_ms: i64) -> String {
    let d = date(at_ms);
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// `2026-11-24 14:05`.
pub fn date_time(at_ms: i64) -> String {
    let d = date(at_ms);
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The browser's own long form for `locale` (`25/11/2026, 09:00:00`).
pub fn long(at_ms: i64, locale: Locale) -> String {
    String::from(date(at_ms).to_locale_string(locale.tag(), &wasm_bindgen::JsValue::UNDEFINED))
}
