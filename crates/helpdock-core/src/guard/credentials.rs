//! Passwords and one-time codes: secrets that look like any other word or
//! number, so only what the user calls them gives them away.
//!
//! The hard part is what is *not* a secret: "my password is wrong", "密码是
//! 不是错了", "I didn't get the verification code", "order 123456". A value
//! must sit right after its label (or before it, joined by "is"/"是"), and
//! a password must look like one: digits or symbols, or a lone unusual word
//! after an explicit "password:" / "password is".

use super::view::{Kind, View, COPULA};
use super::{Finding, SecretKind};

/// Labels after which a password follows.
const PASSWORD_LABELS: &[&str] = &["password", "passwd", "passphrase", "passcode", "pwd", "密码", "口令"];

/// Labels too short or common to trust without `:`, `=` or "is": "pass: x1y2z3".
const SHORT_PASSWORD_LABELS: &[&str] = &["pass", "pw", "pin"];

/// The longest password looked at; longer ones are cut there.
const MAX_VALUE: usize = 128;

/// What joins a password label to its value.
const SEPARATORS: &str = "is was : = - 是 为";

/// Words that follow "password is" and say something about it rather than
/// giving it. Adjectives and participles ending in -ed, -ing, -ly and the
/// like are caught by their suffix instead.
const NOT_PASSWORDS: &str = "wrong incorrect correct right invalid valid weak strong long short simple secure safe \
     fine okay same different new old error blocked locked expired missing lost gone empty blank none null unknown \
     forgotten forgot forget reset changed required needed mandatory case sensitive what which where there here \
     mine yours please help thanks stolen broken useless good bad not never too very still also really always \
     just now already the this that your their google email phone apple";

const NOT_PASSWORD_SUFFIXES: [&str; 10] = ["ed", "ing", "ly", "ive", "ous", "ful", "able", "ible", "ent", "ion"];

/// Words after a number that make it a length or a count: "8 characters", "6位".
const UNITS: &str = "characters character chars digits digit letters numbers symbols long times days hours minutes \
     weeks months years 位 个 次 天 年 月 周 小 分 秒 字";

/// Labels of one-time codes. Verification codes sent by SMS or e-mail,
/// authenticator apps, and the generic words for them.
const OTP_LABELS: &[&str] = &[
    "2fa",
    "2fa code",
    "mfa",
    "mfa code",
    "otp",
    "otp code",
    "totp",
    "one time code",
    "one time password",
    "one time passcode",
    "authenticator",
    "authenticator code",
    "authenticator app",
    "google auth",
    "google auth code",
    "google code",
    "ga code",
    "sms code",
    "sms verification code",
    "text code",
    "email code",
    "e mail code",
    "email verification code",
    "verification code",
    "verify code",
    "auth code",
    "authentication code",
    "security code",
    "confirmation code",
    "验证码",
    "动态码",
    "校验码",
    "短信码",
    "安全码",
    "确认码",
    "动态密码",
];

/// Chinese words that may sit between a password label and its separator:
/// "密码**我设的**是 …", "密码**现在改成**了 …".
const CJK_GAP: &str = "我 设 的 置 改 成 换 现 在 新 了 都 也 就 还 为 是";

/// Words between a value and the label after it: "hunter22 is **my new**
/// password", "abc12345是**我的**密码".
const OWNER: &str = "my our the your his her its this that account login new old current real actual 我 的";

/// Words after a password label that make it about passwords, not one:
/// "abc@example.com is the password **reset** address".
const LABEL_USE: &str =
    "reset recovery change changed hint manager policy rule rules requirement requirements field box page \
     link email mail 重 置 找 修 改 规 则";

/// Words that, with a number close by after ":" or "is", make it a one-time
/// code even without a fixed label: "the code I got by SMS: 123456".
const CODE_WORDS: &str = "code codes otp passcode pin 码";
const CHANNEL_WORDS: &[&str] = &[
    "sms",
    "text",
    "texted",
    "texts",
    "message",
    "email",
    "mail",
    "authenticator",
    "google",
    "2fa",
    "mfa",
    "短信",
    "邮件",
    "邮箱",
    "谷歌",
];

/// Words that name what a number is when it is not a code: "the SMS code
/// never came, order: 123456".
const IDENTIFIERS: &str = "order uid id account number no ref reference ticket txid tx amount phone 订 单 号 账 户";

/// How far (in tokens) the loose code words may be from the number.
const LOOSE_REACH: usize = 10;

/// Finds passwords and one-time codes.
pub(super) fn find(view: &View, out: &mut Vec<Finding>) {
    passwords(view, out);
    passwords_before_label(view, out);
    otp_codes(view, out);
}

fn passwords(view: &View, out: &mut Vec<Finding>) {
    let chars = &view.chars;
    let long = view.find_labels(PASSWORD_LABELS).into_iter().map(|(_, end)| (end, false));
    let short = view.find_labels(SHORT_PASSWORD_LABELS).into_iter().map(|(_, end)| (end, true));
    for (k, short) in long.chain(short) {
        let t = k - 1; // the label's last token
        let mut k = k;
        // "密码我设的是 …", "密码现在改成了 …": a few Chinese words that
        // end in, or contain, a copula.
        let mut separated = false;
        if view.tokens[t].kind == Kind::Cjk {
            let gap_end = (k..view.tokens.len().min(k + 6)).find(|&g| !view.is_any(g, CJK_GAP)).unwrap_or(k);
            if gap_end > k && (view.is_any(gap_end, SEPARATORS) || (k..gap_end).any(|g| view.is_any(g, "是 为 成")))
            {
                separated = !view.is_any(gap_end, SEPARATORS);
                k = gap_end;
            }
        }
        let first_separator = k;
        while k < view.tokens.len() && k <= first_separator.max(t + 1) + 1 && view.is_any(k, SEPARATORS) {
            separated = true;
            k += 1;
        }
        // Without a separator the value must be a word: "password?" is not one.
        let Some(&token) = view.tokens.get(k) else { continue };
        if token.kind == Kind::Cjk || !separated && token.kind != Kind::Word || short && !separated {
            continue;
        }
        // The value runs to the next space or non-ASCII character (within
        // reason: a pasted megabyte must not make this quadratic).
        let start = token.start;
        let rest = &chars[start..chars.len().min(start + MAX_VALUE)];
        let mut end = start + rest.iter().position(|&c| !c.is_ascii_graphic()).unwrap_or(rest.len());
        while end > start && ".,;?)]}\"'".contains(chars[end - 1]) {
            end -= 1;
        }
        let core = trim(&chars[start..end]);
        if core.len() < 4 || !core.iter().any(char::is_ascii_alphanumeric) || followed_by_unit(view, end) {
            continue;
        }
        if dated(core) {
            continue;
        }
        let is_password = if strong(core) {
            separated || core.len() >= 6
        } else {
            !short && separated && core.iter().all(char::is_ascii_alphabetic) && plausible_word(core) && {
                // A lone word ends the clause: "my password is banana."
                let next = view.token_at(end);
                next >= view.tokens.len() || view.tokens[next].kind != Kind::Word
            }
        };
        if is_password {
            out.push(Finding { kind: SecretKind::Password, start, end });
        }
    }
}

/// "hunter22 is my password", "abc12345是我的密码": a value, a copula,
/// a few owner words, then the label. Only values that look like a password
/// (digits, symbols or mixed case) count: "what is my password" and "this
/// is the password" do not.
fn passwords_before_label(view: &View, out: &mut Vec<Finding>) {
    let chars = &view.chars;
    for (label, after) in view.find_labels(PASSWORD_LABELS) {
        if after < view.tokens.len() && view.is_any(after, LABEL_USE) {
            continue;
        }
        let mut k = label;
        for _ in 0..3 {
            match k.checked_sub(1) {
                Some(prev) if view.is_any(prev, OWNER) => k = prev,
                _ => break,
            }
        }
        let Some(copula) = k.checked_sub(1).filter(|&c| view.is_any(c, COPULA)) else { continue };
        let Some(value) = copula.checked_sub(1) else { continue };
        if view.tokens[value].kind == Kind::Cjk {
            continue;
        }
        // The value runs back to the previous space or non-ASCII character.
        let end = view.tokens[value].end;
        let floor = end.saturating_sub(MAX_VALUE);
        let start = (floor..end).rev().find(|&i| !chars[i].is_ascii_graphic()).map_or(floor, |i| i + 1);
        let core = trim(&chars[start..end]);
        if core.len() >= 4 && strong(core) && !dated(core) && core.iter().any(char::is_ascii_alphanumeric) {
            out.push(Finding { kind: SecretKind::Password, start, end });
        }
    }
}

/// Digits with separators are dates, times, amounts, ranges: "reset
/// password 2024-05-01", "密码是8-16位".
fn dated(value: &[char]) -> bool {
    !value.iter().any(char::is_ascii_alphabetic) && value.iter().any(|c| "-/.:,".contains(*c))
}

/// Whether a value has what passwords have and words do not: a digit, a
/// symbol, or a capital after the first letter.
fn strong(value: &[char]) -> bool {
    let symbol = value.iter().any(|&c| !c.is_ascii_alphanumeric() && c != '\'');
    let digit = value.iter().any(char::is_ascii_digit);
    let mixed_case = value.len() > 1
        && value[1..].iter().any(char::is_ascii_uppercase)
        && value.iter().any(char::is_ascii_lowercase);
    symbol || digit || mixed_case
}

/// The value without surrounding quotes and trailing sentence punctuation.
fn trim(value: &[char]) -> &[char] {
    let start = value.iter().position(|c| !"\"'`([{".contains(*c)).unwrap_or(value.len());
    let end = value.iter().rposition(|c| !".,;:?!)]}\"'`".contains(*c)).map_or(start, |n| n + 1).max(start);
    &value[start..end]
}

/// Whether a letters-only value after "password is" could be the password
/// rather than a word about it ("wrong", "expired", "too").
fn plausible_word(word: &[char]) -> bool {
    let lower: String = word.iter().map(char::to_ascii_lowercase).collect();
    !NOT_PASSWORDS.split_ascii_whitespace().any(|w| w == lower)
        && !NOT_PASSWORD_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

fn followed_by_unit(view: &View, end: usize) -> bool {
    let next = view.token_at(end);
    next < view.tokens.len() && view.is_any(next, UNITS)
}

fn otp_codes(view: &View, out: &mut Vec<Finding>) {
    let chars = &view.chars;
    let mut t = 0;
    while t < view.tokens.len() {
        let token = view.tokens[t];
        let digits = token.end - token.start;
        if !view.is_number(t) || !(3..=8).contains(&digits) {
            t += 1;
            continue;
        }
        // Authenticator apps show "482 913"; people copy it that way.
        let mut last = t;
        if digits == 3
            && view.tokens.get(t + 1).is_some_and(|n| n.start == token.end + 1 && n.end - n.start == 3)
            && view.is_number(t + 1)
            && chars[token.end] == ' '
        {
            last = t + 1;
        } else if digits == 3 {
            t += 1;
            continue;
        }
        let end = view.tokens[last].end;
        // Not part of a larger number, date or time: "1234.56", "2024-05-01", "12:30".
        let decimal = |i: Option<&char>, j: Option<&char>| {
            matches!(i, Some('.' | ',' | '-' | '/' | ':')) && j.is_some_and(char::is_ascii_digit)
        };
        let part_of_number = decimal(chars.get(end), chars.get(end + 1))
            || token.start >= 2 && decimal(chars.get(token.start - 1), chars.get(token.start - 2));
        // "Google Authenticator 2024 update": a year needs "is" or ":" to be a code.
        let year = digits == 4
            && matches!(view.text(t), ['1', '9', ..] | ['2', '0', ..])
            && (t == 0 || !view.is_any(t - 1, SEPARATORS));
        if !part_of_number && !year && (view.labelled(t, last, OTP_LABELS) || loosely_labelled(view, t, last)) {
            out.push(Finding { kind: SecretKind::OtpCode, start: token.start, end });
        }
        t = last + 1;
    }
}

/// A number right after ":"/"is" (or right before "is") with a code word and
/// a channel word close by on that side: "the code I got by SMS: 123456",
/// "482913 is the code from Google Authenticator". Both words are needed, so
/// "order number: 123456" and "the amount is 123456" stay clear.
fn loosely_labelled(view: &View, first: usize, last: usize) -> bool {
    let named = |range: std::ops::Range<usize>, code: usize| {
        range.clone().any(|k| view.any_label_at(k, CHANNEL_WORDS).is_some())
            && !(code.min(first)..code.max(last + 1)).any(|k| k != code && view.is_any(k, IDENTIFIERS))
    };
    let before = first.checked_sub(1).is_some_and(|k| view.is_any(k, SEPARATORS)) && {
        let window = first.saturating_sub(LOOSE_REACH)..first;
        window.clone().rev().find(|&k| view.is_any(k, CODE_WORDS)).is_some_and(|code| named(window, code))
    };
    let after = last + 1 < view.tokens.len() && view.is_any(last + 1, COPULA) && {
        let window = last + 2..view.tokens.len().min(last + 2 + LOOSE_REACH);
        window.clone().find(|&k| view.is_any(k, CODE_WORDS)).is_some_and(|code| named(window, code))
    };
    before || after
}
