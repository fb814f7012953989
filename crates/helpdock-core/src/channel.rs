//! Which way to reach people: the host's channels (live-chat hours, tickets,
//! e-mail, community, phone lines) and the rule that picks among them.
//!
//! Urgent problems go to live chat (phone lines next); problems that need
//! evidence or an investigation go to a ticket (or e-mail when the host has
//! no tickets); general questions go to the help centre and the community.
//! Out of hours, live chat is replaced by a ticket with the expected reply
//! time.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::diagnostic::Reader;
pub use crate::flow::ChannelKind;
use crate::locale::localized;
use crate::locale::Locale;

/// The host's support channels (`channels` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channels {
    /// Live chat and its opening hours; `None` when the host has none.
    pub live_chat: Option<Hours>,
    /// Tickets and their expected reply time per locale; `None` when off.
    pub tickets: Option<Vec<(String, String)>>,
    /// The support e-mail address.
    pub email: Option<String>,
    /// Community and social links.
    pub community: Vec<Link>,
    /// Phone lines by region.
    pub phone: Vec<PhoneLine>,
    /// Domains (and their subdomains) links may point to without a warning;
    /// empty means "the host page's own domain".
    pub official_domains: Vec<String>,
}

impl Default for Channels {
    fn default() -> Self {
        Channels {
            live_chat: Some(Hours::Always),
            tickets: Some(vec![
                ("en".to_owned(), "within 24 hours".to_owned()),
                ("zh-CN".to_owned(), "24 小时内".to_owned()),
            ]),
            email: None,
            community: Vec::new(),
            phone: Vec::new(),
            official_domains: Vec::new(),
        }
    }
}

/// A named link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// What the user sees ("Telegram").
    pub name: String,
    /// Where it goes (https only).
    pub url: String,
}

/// One phone line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneLine {
    /// Region it serves ("US", "全球").
    pub region: String,
    /// The number as dialled, e.g. "+1 555 0100".
    pub number: String,
    /// Its hours, as the host wrote them.
    pub hours: Option<String>,
}

/// When live chat is staffed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hours {
    /// Around the clock.
    Always,
    /// Weekly windows in a fixed UTC offset.
    Weekly {
        /// Offset of the host's support time zone from UTC, in minutes.
        utc_offset_minutes: i32,
        /// Open windows.
        windows: Vec<Window>,
    },
}

/// An opening window on some days of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Bit 0 = Monday … bit 6 = Sunday.
    pub days: u8,
    /// Opening minute of the day.
    pub from: u16,
    /// Closing minute of the day (exclusive; 1440 = midnight).
    pub to: u16,
}

impl Hours {
    /// Whether live chat is staffed at `now` (Unix seconds).
    pub fn is_open(&self, now: i64) -> bool {
        match self {
            Hours::Always => true,
            Hours::Weekly { utc_offset_minutes, windows } => {
                let local = now + i64::from(*utc_offset_minutes) * 60;
                let day = local.div_euclid(86_400);
                // 1970-01-01 was a Thursday: weekday 3 counting from Monday = 0.
                let weekday = (day + 3).rem_euclid(7) as u8;
                let minute = (local.rem_euclid(86_400) / 60) as u16;
                windows.iter().any(|w| w.days & (1 << weekday) != 0 && w.from <= minute && minute < w.to)
            }
        }
    }

    /// When live chat opens next after `now` (Unix seconds), within a
    /// week; `None` when open now or never.
    pub fn next_open(&self, now: i64) -> Option<i64> {
        let Hours::Weekly { utc_offset_minutes, windows } = self else { return None };
        if self.is_open(now) {
            return None;
        }
        let offset = i64::from(*utc_offset_minutes) * 60;
        let today = (now + offset).div_euclid(86_400);
        (0..=7)
            .flat_map(|d| {
                let day = today + d;
                let weekday = (day + 3).rem_euclid(7) as u8;
                windows
                    .iter()
                    .filter(move |w| w.days & (1 << weekday) != 0 && w.from < w.to)
                    .map(move |w| day * 86_400 + i64::from(w.from) * 60 - offset)
            })
            .filter(|&at| at > now)
            .min()
    }
}

/// What kind of help a problem needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// Money or an account at risk: a person now.
    Urgent,
    /// Needs evidence or an investigation: a ticket.
    Investigation,
    /// A question: self-service first.
    General,
}

/// One way to reach people, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelOption {
    /// Which channel.
    pub kind: ChannelKind,
    /// A line to show with it: the reply time, the address, the hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Where it goes: `mailto:`, `tel:` or the community link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The channels to offer, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// What the problem needs.
    pub need: Need,
    /// Options, best first.
    pub options: Vec<ChannelOption>,
    /// Live chat exists but is closed now, so a ticket replaced it.
    pub live_chat_closed: bool,
}

impl Channels {
    /// The channels for a problem of this `need`, best first, at `now`
    /// (Unix seconds). `preferred` (a flow's channel) goes first when it is
    /// available.
    pub fn recommend(&self, need: Need, preferred: Option<ChannelKind>, now: i64, locale: Locale) -> Recommendation {
        let chat_open = self.live_chat.as_ref().is_some_and(|h| h.is_open(now));
        let live_chat_closed = self.live_chat.is_some() && !chat_open;
        let order: &[ChannelKind] = match need {
            Need::Urgent => &[ChannelKind::LiveChat, ChannelKind::Phone, ChannelKind::Ticket, ChannelKind::Email],
            Need::Investigation => {
                &[ChannelKind::Ticket, ChannelKind::Email, ChannelKind::LiveChat, ChannelKind::Phone]
            }
            Need::General => &[
                ChannelKind::HelpCentre,
                ChannelKind::Community,
                ChannelKind::LiveChat,
                ChannelKind::Ticket,
                ChannelKind::Email,
            ],
        };
        let mut kinds: Vec<ChannelKind> = order.to_vec();
        if let Some(p) = preferred {
            kinds.retain(|k| *k != p);
            kinds.insert(0, p);
        }
        if live_chat_closed {
            // The ticket takes live chat's place.
            if let Some(chat) = kinds.iter().position(|k| *k == ChannelKind::LiveChat) {
                kinds[chat] = ChannelKind::Ticket;
                let mut seen = Vec::new();
                kinds.retain(|k| {
                    let first = !seen.contains(k);
                    seen.push(*k);
                    first
                });
            }
        }
        let mut options = Vec::new();
        for kind in kinds {
            match kind {
                ChannelKind::LiveChat if chat_open => options.push(ChannelOption { kind, detail: None, url: None }),
                ChannelKind::Ticket => {
                    if let Some(reply) = &self.tickets {
                        let detail = localized(reply, locale).map(str::to_owned);
                        options.push(ChannelOption { kind, detail, url: None });
                    }
                }
                ChannelKind::Email => {
                    if let Some(email) = &self.email {
                        options.push(ChannelOption {
                            kind,
                            detail: Some(email.clone()),
                            url: Some(format!("mailto:{email}")),
                        });
                    }
                }
                ChannelKind::Phone => {
                    for line in &self.phone {
                        let dial: String = line.number.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
                        let detail = match &line.hours {
                            Some(h) => format!("{} {} ({h})", line.region, line.number),
                            None => format!("{} {}", line.region, line.number),
                        };
                        options.push(ChannelOption { kind, detail: Some(detail), url: Some(format!("tel:{dial}")) });
                    }
                }
                ChannelKind::Community => {
                    for link in &self.community {
                        options.push(ChannelOption {
                            kind,
                            detail: Some(link.name.clone()),
                            url: Some(link.url.clone()),
                        });
                    }
                }
                ChannelKind::HelpCentre => options.push(ChannelOption { kind, detail: None, url: None }),
                ChannelKind::LiveChat => {}
            }
        }
        Recommendation { need, options, live_chat_closed }
    }

    /// Reads `channels` from the configuration, reporting each bad field
    /// and keeping the default for it.
    pub(crate) fn from_value(value: &Value, r: &mut Reader) -> Channels {
        let mut channels = Channels::default();
        let Some(map) = r.object(value, "channels") else { return channels };
        r.unknown_fields(map, "channels", CHANNEL_FIELDS);
        match map.get("liveChat") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(false)) => channels.live_chat = None,
            Some(v) => channels.live_chat = Some(read_hours(v, r)),
        }
        match map.get("tickets") {
            None | Some(Value::Null) | Some(Value::Bool(true)) => {}
            Some(Value::Bool(false)) => channels.tickets = None,
            Some(Value::Object(t)) => {
                r.unknown_fields(t, "channels.tickets", TICKETS_FIELDS);
                match t.get("replyTime") {
                    Some(Value::String(s)) => channels.tickets = Some(vec![("en".to_owned(), s.clone())]),
                    Some(Value::Object(per_locale)) => {
                        let texts: Vec<(String, String)> = per_locale
                            .iter()
                            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                            .collect();
                        channels.tickets = Some(texts);
                    }
                    None => {}
                    Some(_) => r.error(
                        "channels.tickets.replyTime",
                        "expected a text like \"within 24 hours\" or {\"en\": …, \"zh-CN\": …}; using the default",
                    ),
                }
            }
            Some(_) => r.error("channels.tickets", "expected true, false or {\"replyTime\": …}; keeping tickets on"),
        }
        if let Some(email) = r.text(map.get("email"), "channels.email") {
            if let Some(address) = crate::fields::email_address(&email) {
                channels.email = Some(address);
            } else {
                r.error("channels.email", &format!("expected an e-mail address, got {email:?}; ignoring it"));
            }
        }
        for (i, item) in array(map.get("community"), "channels.community", r).iter().enumerate() {
            let path = format!("channels.community[{i}]");
            let Some(link) = r.object(item, &path) else { continue };
            let name = r.text(link.get("name"), &format!("{path}.name"));
            let url = r.text(link.get("url"), &format!("{path}.url"));
            match (name, url) {
                (Some(name), Some(url)) if url.starts_with("https://") => channels.community.push(Link { name, url }),
                _ => r.error(&path, "expected {\"name\": …, \"url\": \"https://…\"}; ignoring it"),
            }
        }
        for (i, item) in array(map.get("phone"), "channels.phone", r).iter().enumerate() {
            let path = format!("channels.phone[{i}]");
            let Some(line) = r.object(item, &path) else { continue };
            let region = r.text(line.get("region"), &format!("{path}.region"));
            let number = r.text(line.get("number"), &format!("{path}.number"));
            let hours = r.text(line.get("hours"), &format!("{path}.hours"));
            let dialable = number.as_deref().is_some_and(|n| {
                n.chars().filter(char::is_ascii_digit).count() >= 5
                    && n.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
            });
            match (region, number) {
                (Some(region), Some(number)) if dialable => channels.phone.push(PhoneLine { region, number, hours }),
                _ => r.error(&path, "expected {\"region\": …, \"number\": \"+1 555 0100\"}; ignoring it"),
            }
        }
        for (i, item) in array(map.get("officialDomains"), "channels.officialDomains", r).iter().enumerate() {
            match item.as_str().map(|d| d.trim().trim_start_matches("*.").to_ascii_lowercase()) {
                Some(d) if d.contains('.') && d.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c)) => {
                    channels.official_domains.push(d);
                }
                _ => r.error(
                    &format!("channels.officialDomains[{i}]"),
                    "expected a domain like \"example.com\"; ignoring it",
                ),
            }
        }
        channels
    }
}

fn array<'v>(value: Option<&'v Value>, field: &str, r: &mut Reader) -> &'v [Value] {
    match value {
        None | Some(Value::Null) => &[],
        Some(Value::Array(items)) => items,
        Some(_) => {
            r.error(field, "expected a list; ignoring it");
            &[]
        }
    }
}

/// `channels`' fields (`HelpdockChannels` in `js/helpdock.d.ts`).
pub const CHANNEL_FIELDS: &[&str] = &["liveChat", "tickets", "email", "community", "phone", "officialDomains"];

/// `channels.tickets`' fields as an object (`HelpdockTickets`).
pub const TICKETS_FIELDS: &[&str] = &["replyTime"];

/// `channels.liveChat`'s fields as an object (`HelpdockHours`).
pub const HOURS_FIELDS: &[&str] = &["hours", "utcOffset"];

/// `"24/7"`, or `{"hours": [{"days": "mon-fri", "from": "09:00", "to": "18:00"}], "utcOffset": "+08:00"}`.
fn read_hours(value: &Value, r: &mut Reader) -> Hours {
    const FIELD: &str = "channels.liveChat";
    let map: &Map<String, Value> = match value {
        Value::Bool(true) => return Hours::Always,
        Value::String(s) if s == "24/7" => return Hours::Always,
        Value::Object(map) => map,
        _ => {
            r.error(
                FIELD,
                "expected true, false, \"24/7\" or {\"hours\": [...], \"utcOffset\": \"+08:00\"}; using 24/7",
            );
            return Hours::Always;
        }
    };
    r.unknown_fields(map, FIELD, HOURS_FIELDS);
    match map.get("hours") {
        None | Some(Value::Null) => return Hours::Always,
        Some(Value::String(s)) if s == "24/7" => return Hours::Always,
        _ => {}
    }
    let utc_offset_minutes = match map.get("utcOffset").and_then(Value::as_str) {
        None => 0,
        Some(s) => parse_offset(s).unwrap_or_else(|| {
            r.error(
                &format!("{FIELD}.utcOffset"),
                &format!("expected an offset like \"+08:00\", got {s:?}; using UTC"),
            );
            0
        }),
    };
    let mut windows = Vec::new();
    for (i, w) in array(map.get("hours"), &format!("{FIELD}.hours"), r).iter().enumerate() {
        let path = format!("{FIELD}.hours[{i}]");
        let parsed = w.as_object().and_then(|w| {
            let days = parse_days(w.get("days")?.as_str()?)?;
            let from = parse_minute(w.get("from")?.as_str()?)?;
            let to = parse_minute(w.get("to")?.as_str()?)?;
            (from < to).then_some(Window { days, from, to })
        });
        match parsed {
            Some(window) => windows.push(window),
            None => r.error(
                &path,
                "expected {\"days\": \"mon-fri\", \"from\": \"09:00\", \"to\": \"18:00\"} (to after from); ignoring it",
            ),
        }
    }
    if windows.is_empty() {
        r.error(&format!("{FIELD}.hours"), "has no valid opening window; using 24/7");
        return Hours::Always;
    }
    Hours::Weekly { utc_offset_minutes, windows }
}

fn parse_offset(s: &str) -> Option<i32> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = s[1..].split_once(':').unwrap_or((&s[1..], "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

fn parse_minute(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
}

/// `"mon-fri"`, `"sat,sun"`, `"daily"`.
fn parse_days(s: &str) -> Option<u8> {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let day = |d: &str| NAMES.iter().position(|n| d.trim().eq_ignore_ascii_case(n));
    if s.trim().eq_ignore_ascii_case("daily") {
        return Some(0x7f);
    }
    let mut mask = 0u8;
    for part in s.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let mut d = a;
                loop {
                    mask |= 1 << d;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => mask |= 1 << day(part)?,
        }
    }
    Some(mask)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn channels(json: &str) -> (Channels, Vec<String>) {
        let (config, diagnostics) = Config::from_json(&format!("{{\"channels\": {json}}}"));
        (config.channels, diagnostics.iter().map(|d| d.field.clone()).collect())
    }

    // 2026-11-24 was a Tuesday.
    const TUE_10_UTC: i64 = 1_795_514_400;

    fn kinds(r: &Recommendation) -> Vec<&'static str> {
        r.options.iter().map(|o| o.kind.as_str()).collect()
    }

    #[test]
    fn office_hours_in_the_hosts_time_zone() {
        let (c, errors) = channels(
            r#"{"liveChat": {"hours": [{"days": "mon-fri", "from": "09:00", "to": "18:00"}], "utcOffset": "+08:00"}}"#,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let hours = c.live_chat.unwrap();
        assert!(hours.is_open(TUE_10_UTC - 8 * 3600)); // 10:00 in +08:00
        assert!(!hours.is_open(TUE_10_UTC)); // 18:00 in +08:00: closed
        assert!(!hours.is_open(TUE_10_UTC - 8 * 3600 + 4 * 86_400)); // Saturday
    }

    #[test]
    fn when_live_chat_opens_next() {
        let (c, _) = channels(
            r#"{"liveChat": {"hours": [{"days": "mon-fri", "from": "09:00", "to": "18:00"}], "utcOffset": "+08:00"}}"#,
        );
        let hours = c.live_chat.unwrap();
        let tue_10_local = TUE_10_UTC - 8 * 3600;
        assert_eq!(hours.next_open(tue_10_local), None, "open now");
        // Tuesday 18:00 local: Wednesday 09:00 local, 15 hours later.
        assert_eq!(hours.next_open(TUE_10_UTC), Some(TUE_10_UTC + 15 * 3600));
        // Saturday 10:00 local: Monday 09:00 local.
        assert_eq!(hours.next_open(tue_10_local + 4 * 86_400), Some(tue_10_local + 6 * 86_400 - 3600));
        assert_eq!(Hours::Always.next_open(0), None);
    }

    #[test]
    fn urgent_goes_to_live_chat_and_out_of_hours_to_a_ticket() {
        let (c, _) = channels(
            r#"{"liveChat": {"hours": [{"days": "daily", "from": "09:00", "to": "18:00"}]}, "email": "help@example.com",
                "phone": [{"region": "US", "number": "+1 555 0100"}]}"#,
        );
        let open = c.recommend(Need::Urgent, None, TUE_10_UTC, Locale::En);
        assert_eq!(kinds(&open), ["live_chat", "phone", "ticket", "email"]);
        let closed = c.recommend(Need::Urgent, None, TUE_10_UTC + 12 * 3600, Locale::En);
        assert!(closed.live_chat_closed);
        assert_eq!(kinds(&closed), ["ticket", "phone", "email"]);
        assert_eq!(closed.options[0].detail.as_deref(), Some("within 24 hours"));
        assert_eq!(closed.options[1].url.as_deref(), Some("tel:+15550100"));
    }

    #[test]
    fn investigations_go_to_tickets_general_questions_to_self_service() {
        let (c, _) = channels(r#"{"community": [{"name": "Telegram", "url": "https://t.me/example"}]}"#);
        let r = c.recommend(Need::Investigation, None, TUE_10_UTC, Locale::ZhCn);
        assert_eq!(kinds(&r), ["ticket", "live_chat"]);
        assert_eq!(r.options[0].detail.as_deref(), Some("24 小时内"));
        let r = c.recommend(Need::General, None, TUE_10_UTC, Locale::En);
        assert_eq!(kinds(&r), ["help_centre", "community", "live_chat", "ticket"]);
        let (no_tickets, _) = channels(r#"{"tickets": false, "email": "help@example.com"}"#);
        assert_eq!(
            kinds(&no_tickets.recommend(Need::Investigation, None, TUE_10_UTC, Locale::En)),
            ["email", "live_chat"]
        );
    }

    #[test]
    fn bad_fields_are_named_and_ignored() {
        let (c, errors) = channels(
            r#"{"liveChat": {"hours": [{"days": "weekdays", "from": "9", "to": "18:00"}]}, "email": "nope",
                "community": [{"name": "X", "url": "javascript:alert(1)"}], "officialDomains": ["example.com", "bad domain"],
                "fax": 1}"#,
        );
        assert_eq!(
            errors,
            [
                "channels.fax",
                "channels.liveChat.hours[0]",
                "channels.liveChat.hours",
                "channels.email",
                "channels.community[0]",
                "channels.officialDomains[1]"
            ]
        );
        assert_eq!(c.live_chat, Some(Hours::Always));
        assert!(c.community.is_empty());
        assert_eq!(c.official_domains, ["example.com"]);
    }
}
