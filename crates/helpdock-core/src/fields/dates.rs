//! When something happened, in either language, absolute or relative to
//! the user's clock ("昨天上午10点半", "yesterday 10:00").

use super::input::{clean, fold_width};
use super::{FieldError, Now, Valid};
use crate::civil::{civil_from_days, days_from_civil, days_in_month};

pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A piece of a date or time as typed, in either language.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    /// A number and how many digits it was written with.
    Num(u32, u8),
    /// `:`, `/`, `-` or `.`.
    Sym(char),
    /// Today plus this many days ("yesterday" is -1).
    Day(i64),
    Now,
    Ago,
    Am,
    Pm,
    /// 中午 / noon: 12:00, or 1 pm for 中午1点.
    Noon,
    Midnight,
    Last,
    Night,
    Hours,
    Minutes,
    Days,
    Half,
    Month(u32),
    /// 点 / 时 after an hour.
    Oclock,
    YearMark,
    MonthMark,
    DayMark,
    MinuteMark,
}

/// Chinese date words, matched longest first; empty slices are fillers.
const CJK_DATE_WORDS: &[(&str, &[Tok])] = &[
    ("大前天", &[Tok::Day(-3)]),
    ("前天", &[Tok::Day(-2)]),
    ("昨天", &[Tok::Day(-1)]),
    ("昨日", &[Tok::Day(-1)]),
    ("昨晚", &[Tok::Day(-1), Tok::Pm]),
    ("昨夜", &[Tok::Day(-1), Tok::Pm]),
    ("今天", &[Tok::Day(0)]),
    ("今日", &[Tok::Day(0)]),
    ("今早", &[Tok::Day(0), Tok::Am]),
    ("今晚", &[Tok::Day(0), Tok::Pm]),
    ("明天", &[Tok::Day(1)]),
    ("刚才", &[Tok::Now]),
    ("刚刚", &[Tok::Now]),
    ("现在", &[Tok::Now]),
    ("凌晨", &[Tok::Am]),
    ("早上", &[Tok::Am]),
    ("早晨", &[Tok::Am]),
    ("上午", &[Tok::Am]),
    ("中午", &[Tok::Noon]),
    ("下午", &[Tok::Pm]),
    ("傍晚", &[Tok::Pm]),
    ("晚上", &[Tok::Pm]),
    ("小时", &[Tok::Hours]),
    ("钟头", &[Tok::Hours]),
    ("分钟", &[Tok::Minutes]),
    ("天", &[Tok::Days]),
    ("点", &[Tok::Oclock]),
    ("时候", &[]),
    ("时", &[Tok::Oclock]),
    ("半", &[Tok::Half]),
    ("分", &[Tok::MinuteMark]),
    ("年", &[Tok::YearMark]),
    ("月", &[Tok::MonthMark]),
    ("日", &[Tok::DayMark]),
    ("号", &[Tok::DayMark]),
    ("以前", &[Tok::Ago]),
    ("之前", &[Tok::Ago]),
    ("前", &[Tok::Ago]),
    ("个", &[]),
    ("钟", &[]),
    ("左右", &[]),
    ("大概", &[]),
    ("大约", &[]),
    ("约", &[]),
    ("的", &[]),
    ("在", &[]),
    ("多", &[]),
];

/// English date words: each row's words (separated by `|`) mean its tokens;
/// empty rows are fillers.
const EN_DATE_WORDS: &[(&str, &[Tok])] = &[
    ("today", &[Tok::Day(0)]),
    ("yesterday", &[Tok::Day(-1)]),
    ("tomorrow", &[Tok::Day(1)]),
    ("tonight", &[Tok::Day(0), Tok::Pm]),
    ("now", &[Tok::Now]),
    ("ago", &[Tok::Ago]),
    ("am|morning", &[Tok::Am]),
    ("pm|afternoon|evening", &[Tok::Pm]),
    ("noon", &[Tok::Noon]),
    ("midnight", &[Tok::Midnight]),
    ("night", &[Tok::Night]),
    ("last", &[Tok::Last]),
    ("h|hr|hrs|hour|hours", &[Tok::Hours]),
    ("m|min|mins|minute|minutes", &[Tok::Minutes]),
    ("day|days", &[Tok::Days]),
    ("a|an", &[Tok::Num(1, 1)]),
    ("half", &[Tok::Half]),
    ("just|right|at|on|around|about|approx|approximately|roughly|the|of|this|st|nd|rd|th|t", &[]),
];

/// The tokens of one lower-case English word, months included ("nov").
fn english_date_word(w: &str) -> Option<&'static [Tok]> {
    if let Some((_, toks)) = EN_DATE_WORDS.iter().find(|(words, _)| words.split('|').any(|x| x == w)) {
        return Some(toks);
    }
    let i = MONTHS.iter().position(|m| w.len() >= 3 && m.to_ascii_lowercase().starts_with(w))?;
    Some(&MONTH_TOKS[i..=i])
}

const MONTH_TOKS: [Tok; 12] = [
    Tok::Month(1),
    Tok::Month(2),
    Tok::Month(3),
    Tok::Month(4),
    Tok::Month(5),
    Tok::Month(6),
    Tok::Month(7),
    Tok::Month(8),
    Tok::Month(9),
    Tok::Month(10),
    Tok::Month(11),
    Tok::Month(12),
];

fn date_tokens(s: &str) -> Option<Vec<Tok>> {
    let s = fold_width(s).to_ascii_lowercase().replace("a.m.", "am").replace("p.m.", "pm");
    let mut out = Vec::new();
    let mut rest = s.as_str();
    while let Some(c) = rest.chars().next() {
        let run = |f: fn(char) -> bool| rest.find(|c: char| !f(c)).unwrap_or(rest.len());
        let taken = if c.is_ascii_digit() {
            let n = run(|c| c.is_ascii_digit());
            if n > 4 {
                return None;
            }
            out.push(Tok::Num(rest[..n].parse().ok()?, n as u8));
            n
        } else if c.is_ascii_alphabetic() {
            let n = run(|c| c.is_ascii_alphabetic());
            out.extend_from_slice(english_date_word(&rest[..n])?);
            n
        } else if let Some((n, value, digits)) = chinese_number(rest) {
            out.push(Tok::Num(value, digits));
            n
        } else if let Some((word, toks)) =
            CJK_DATE_WORDS.iter().filter(|(w, _)| rest.starts_with(w)).max_by_key(|(w, _)| w.len())
        {
            out.extend_from_slice(toks);
            word.len()
        } else {
            match c {
                ' ' | ',' | '\t' => {}
                ':' | '/' | '-' | '.' => out.push(Tok::Sym(c)),
                _ => return None,
            }
            c.len_utf8()
        };
        rest = &rest[taken..];
    }
    Some(out)
}

const CJK_NUMERALS: &str = "〇零一二两三四五六七八九十";

/// A number in Chinese numerals at the start of `s` ("两", "十", "二十三",
/// "二〇二六"): its length in bytes, its value and how many digits it has.
fn chinese_number(s: &str) -> Option<(usize, u32, u8)> {
    let (mut tens, mut units, mut len, mut chars) = (0u32, None::<u32>, 0, 0u8);
    for c in s.chars() {
        let digit = match c {
            '十' => {
                tens = tens.saturating_add(units.take().unwrap_or(1) * 10);
                len += c.len_utf8();
                chars += 1;
                continue;
            }
            '〇' | '零' => 0,
            '两' => 2,
            _ => match "一二三四五六七八九".chars().position(|n| n == c) {
                Some(p) => p as u32 + 1,
                None => break,
            },
        };
        // Digit by digit ("二〇二六") unless a 十 came first ("二十三").
        units = Some(match units {
            Some(u) if tens == 0 => u.checked_mul(10)? + digit,
            _ => digit,
        });
        len += c.len_utf8();
        chars += 1;
    }
    (len > 0).then(|| (len, tens + units.unwrap_or(0), chars))
}

/// What a date or time said, before it is placed on the calendar.
#[derive(Debug, Default)]
struct When {
    year: Option<i64>,
    month: Option<u32>,
    day: Option<u32>,
    offset: Option<i64>,
    hour: Option<u32>,
    minute: Option<u32>,
    meridiem: Option<Tok>,
    ago_minutes: Option<i64>,
    ago_days: bool,
    now: bool,
}

fn put<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(value);
            Some(())
        }
    }
}

fn full_year(n: u32, digits: u8) -> Option<i64> {
    match digits {
        2 => Some(2000 + i64::from(n)),
        4 => Some(i64::from(n)),
        _ => None,
    }
}

fn unit_minutes(t: Tok) -> Option<i64> {
    match t {
        Tok::Hours => Some(60),
        Tok::Minutes => Some(1),
        Tok::Days => Some(1440),
        _ => None,
    }
}

fn read_when(toks: &[Tok]) -> Option<When> {
    let mut w = When::default();
    let mut i = 0;
    while i < toks.len() {
        let at = move |k: usize| toks.get(i + k).copied();
        i += match toks[i] {
            Tok::Num(a, da) => match (at(1), at(2)) {
                (Some(Tok::Sym(sep @ ('/' | '-' | '.'))), Some(Tok::Num(b, _))) => {
                    let third = match (at(3), at(4)) {
                        (Some(Tok::Sym(s)), Some(Tok::Num(c, dc))) if s == sep => Some((c, dc)),
                        _ => None,
                    };
                    if da == 4 {
                        put(&mut w.year, i64::from(a))?;
                        put(&mut w.month, b)?;
                        put(&mut w.day, third?.0)?;
                    } else {
                        // "10.30" is more often a time than a date.
                        if sep == '.' && third.is_none() {
                            return None;
                        }
                        // Month first, as in "11/20", unless it cannot be.
                        let (m, d) = if a > 12 && b <= 12 { (b, a) } else { (a, b) };
                        put(&mut w.month, m)?;
                        put(&mut w.day, d)?;
                        if let Some((c, dc)) = third {
                            put(&mut w.year, full_year(c, dc)?)?;
                        }
                    }
                    if third.is_some() {
                        5
                    } else {
                        3
                    }
                }
                (Some(Tok::Sym(':')), Some(Tok::Num(b, _))) => {
                    put(&mut w.hour, a)?;
                    put(&mut w.minute, b)?;
                    match (at(3), at(4)) {
                        (Some(Tok::Sym(':')), Some(Tok::Num(..))) => 5,
                        _ => 3,
                    }
                }
                (Some(Tok::YearMark), _) => {
                    put(&mut w.year, full_year(a, da)?)?;
                    2
                }
                (Some(Tok::MonthMark), _) => {
                    put(&mut w.month, a)?;
                    2
                }
                (Some(Tok::DayMark), _) => {
                    put(&mut w.day, a)?;
                    2
                }
                (Some(Tok::Oclock), next) => {
                    put(&mut w.hour, a)?;
                    match (next, at(3)) {
                        (Some(Tok::Half), _) => {
                            put(&mut w.minute, 30)?;
                            3
                        }
                        (Some(Tok::Num(m, _)), Some(Tok::MinuteMark)) => {
                            put(&mut w.minute, m)?;
                            4
                        }
                        (Some(Tok::Num(m, _)), _) => {
                            put(&mut w.minute, m)?;
                            3
                        }
                        _ => 2,
                    }
                }
                (Some(Tok::Half), Some(unit)) if at(3) == Some(Tok::Ago) => {
                    let unit = unit_minutes(unit)?;
                    put(&mut w.ago_minutes, i64::from(a) * unit + unit / 2)?;
                    w.ago_days = unit == 1440;
                    4
                }
                (Some(unit), Some(Tok::Ago)) if unit_minutes(unit).is_some() => {
                    put(&mut w.ago_minutes, i64::from(a) * unit_minutes(unit)?)?;
                    w.ago_days = unit == Tok::Days;
                    3
                }
                (Some(Tok::Am | Tok::Pm | Tok::Noon), _) => {
                    put(&mut w.hour, a)?;
                    1
                }
                (Some(Tok::Month(m)), next) => {
                    put(&mut w.day, a)?;
                    put(&mut w.month, m)?;
                    match next {
                        Some(Tok::Num(y, 4)) => {
                            put(&mut w.year, i64::from(y))?;
                            3
                        }
                        _ => 2,
                    }
                }
                _ if da == 4 && w.month.is_some() => {
                    put(&mut w.year, i64::from(a))?;
                    1
                }
                _ => return None,
            },
            Tok::Month(m) => {
                put(&mut w.month, m)?;
                let Some(Tok::Num(d, 1 | 2)) = at(1) else { return None };
                put(&mut w.day, d)?;
                match at(2) {
                    Some(Tok::Num(y, 4)) => {
                        put(&mut w.year, i64::from(y))?;
                        3
                    }
                    _ => 2,
                }
            }
            Tok::Day(d) => {
                put(&mut w.offset, d)?;
                1
            }
            Tok::Now => {
                w.now = true;
                1
            }
            t @ (Tok::Am | Tok::Pm | Tok::Noon | Tok::Night) => {
                let t = if t == Tok::Night { Tok::Pm } else { t };
                // "tonight … pm" says the same thing twice, which is fine.
                if w.meridiem.is_some_and(|m| m != t) {
                    return None;
                }
                w.meridiem = Some(t);
                1
            }
            Tok::Midnight => {
                put(&mut w.hour, 0)?;
                put(&mut w.minute, 0)?;
                1
            }
            Tok::Last if at(1) == Some(Tok::Night) => {
                put(&mut w.offset, -1)?;
                w.meridiem = Some(Tok::Pm);
                2
            }
            Tok::Half => {
                // "半小时前", "half an hour ago".
                let skip = usize::from(at(1) == Some(Tok::Num(1, 1)));
                let unit = unit_minutes(at(1 + skip)?)?;
                if at(2 + skip) != Some(Tok::Ago) {
                    return None;
                }
                put(&mut w.ago_minutes, unit / 2)?;
                3 + skip
            }
            _ => return None,
        };
    }
    Some(w)
}

/// "2026-11-20 14:30 (UTC+08:00)", or without the time for a day alone.
fn stamp(days: i64, minute_of_day: Option<i64>, utc_offset_minutes: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    let sign = if utc_offset_minutes < 0 { '-' } else { '+' };
    let off = utc_offset_minutes.unsigned_abs();
    let zone = format!("(UTC{sign}{:02}:{:02})", off / 60, off % 60);
    match minute_of_day {
        Some(t) => format!("{y:04}-{m:02}-{d:02} {:02}:{:02} {zone}", t / 60, t % 60),
        None => format!("{y:04}-{m:02}-{d:02} {zone}"),
    }
}

/// A value this validator produced ends with its zone, `(UTC+08:00)`: the
/// text before it and the zone's offset in minutes, so that a normalised
/// date (a ticket form prefilled from the bot) reads back unchanged.
fn zone_suffix(input: &str) -> Option<(&str, i32)> {
    let open = input.rfind("(UTC")?;
    let zone = input[open + 4..].strip_suffix(')')?.as_bytes();
    let [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] = *zone else { return None };
    let digits = [h1, h2, m1, m2];
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let [h1, h2, m1, m2] = digits.map(|d| i32::from(d - b'0'));
    let (hours, minutes) = (h1 * 10 + h2, m1 * 10 + m2);
    if hours > 14 || minutes > 59 {
        return None;
    }
    let offset = hours * 60 + minutes;
    Some((input[..open].trim_end(), if sign == b'-' { -offset } else { offset }))
}

/// While typing: only characters no date in either language contains
/// rule a date out.
pub(super) fn partial_date_time(s: &str) -> Result<(), FieldError> {
    let known = |c| CJK_NUMERALS.contains(c) || CJK_DATE_WORDS.iter().any(|(w, _)| w.contains(c));
    if s.chars().all(|c| c.is_ascii() || known(c)) {
        Ok(())
    } else {
        Err(FieldError::DateUnparsed)
    }
}

pub(super) fn date_time(input: &str, now: Now) -> Result<Valid, FieldError> {
    let input = clean(input);
    if input.is_empty() {
        return Err(FieldError::Empty);
    }
    let (input, now) = match zone_suffix(&input) {
        Some((rest, offset)) => (rest.to_owned(), Now { utc_offset_minutes: offset, ..now }),
        None => (input, now),
    };
    let w = date_tokens(&input).and_then(|t| read_when(&t)).ok_or(FieldError::DateUnparsed)?;
    let offset_secs = i64::from(now.utc_offset_minutes) * 60;
    let local_now = now.unix_secs + offset_secs;
    let today = local_now.div_euclid(86_400);
    let dated = w.year.is_some() || w.month.is_some() || w.day.is_some();
    let timed = w.hour.is_some() || w.minute.is_some();

    if w.now || w.ago_minutes.is_some() {
        if dated || timed || w.offset.is_some() || (w.now && w.ago_minutes.is_some()) {
            return Err(FieldError::DateUnparsed);
        }
        let local = local_now - w.ago_minutes.unwrap_or(0) * 60;
        let time = (!w.ago_days).then(|| local.rem_euclid(86_400) / 60);
        return Ok(Valid::new(stamp(local.div_euclid(86_400), time, now.utc_offset_minutes)));
    }

    let minute = match (w.hour, w.meridiem) {
        (None, Some(Tok::Noon)) => Some(12 * 60),
        (None, _) => None,
        (Some(h), meridiem) => {
            let h = match meridiem {
                Some(Tok::Am) if h == 12 => 0,
                Some(Tok::Pm) if h < 12 => h + 12,
                Some(Tok::Noon) if h < 11 => h + 12,
                _ => h,
            };
            if h > 23 {
                return Err(FieldError::HourOutOfRange { hour: h });
            }
            let m = w.minute.unwrap_or(0);
            if m > 59 {
                return Err(FieldError::MinuteOutOfRange { minute: m });
            }
            Some(i64::from(h * 60 + m))
        }
    };

    let (cy, cm, _) = civil_from_days(today);
    let (mut year, mut month) = (w.year.unwrap_or(cy), w.month.unwrap_or(cm));
    let day_of = |year: i64, month: u32, day: u32| {
        if !(1..=12).contains(&month) {
            return Err(FieldError::MonthOutOfRange { month });
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(FieldError::DayOutOfRange { year, month, day });
        }
        Ok(days_from_civil(year, month, day))
    };
    let mut days = match (w.offset, w.day) {
        (Some(_), _) if dated => return Err(FieldError::DateUnparsed),
        (Some(offset), _) => today + offset,
        (None, Some(day)) => {
            if !(2000..=9999).contains(&year) {
                return Err(FieldError::YearOutOfRange { year });
            }
            day_of(year, month, day)?
        }
        (None, None) if dated || minute.is_none() => return Err(FieldError::DateUnparsed),
        (None, None) => today,
    };

    let in_future = |days: i64| match minute {
        Some(t) => days * 86_400 + t * 60 - offset_secs > now.unix_secs + 300,
        None => days > today,
    };
    if in_future(days) {
        // What was left out is the most recent one that has passed: a time
        // alone still ahead today was yesterday's, "12/30" typed on
        // 3 January is last year's, "25号" typed on the 20th last month's.
        if w.offset.is_none() && w.day.is_none() {
            days -= 1;
        } else if w.offset.is_none() && w.year.is_none() {
            if w.month.is_some() {
                year -= 1;
            } else if month == 1 {
                (year, month) = (year - 1, 12);
            } else {
                month -= 1;
            }
            days = day_of(year, month, w.day.unwrap_or(1))?;
        }
        if in_future(days) {
            return Err(FieldError::DateInFuture { value: stamp(days, minute, now.utc_offset_minutes) });
        }
    }
    Ok(Valid::new(stamp(days, minute, now.utc_offset_minutes)))
}
