//! Checks and normalises what users type into guided-flow fields.
//!
//! A flow ([`crate::flow`]) asks for what an agent will need: a TxID, an
//! amount, when it happened. [`check_partial`] runs on every keystroke and
//! objects only once the input can no longer become valid, so nobody is
//! told off mid-word; [`validate`] runs when the answer is sent and returns
//! the value to store, normalised ("0.5btc" → "0.5 BTC"), or a
//! [`FieldError`] whose [`FieldError::message`] says what is wrong in words
//! the user understands.
//!
//! It is all plain string handling, with no regex, Unicode tables or date
//! library, because it ships in the size-budgeted widget.
//!
//! ```
//! use helpdock_core::fields::{check_partial, validate, FieldError, FieldFormat, Now};
//! use helpdock_core::locale::Locale;
//!
//! // 2026-11-20 15:00 in Shanghai (UTC+08:00).
//! let now = Now { unix_secs: 1_795_158_000, utc_offset_minutes: 480 };
//! let amount = validate(FieldFormat::Amount, "1,000.50 usdt", &[], now).unwrap();
//! assert_eq!(amount.value, "1000.50 USDT");
//! let when = validate(FieldFormat::DateTime, "昨天上午10点半", &[], now).unwrap();
//! assert_eq!(when.value, "2026-11-19 10:30 (UTC+08:00)");
//!
//! assert_eq!(check_partial(FieldFormat::TxId, "0x12ab"), Ok(()));
//! let short = validate(FieldFormat::TxId, &"a".repeat(63), &[], now).unwrap_err();
//! assert_eq!(short, FieldError::TxIdLength { found: 63 });
//! assert_eq!(short.message(Locale::En), "A TxID has 64 hexadecimal characters; this has 63.");
//! ```

use crate::civil::{civil_from_days, days_from_civil, days_in_month};
use crate::locale::Locale;

/// What kind of value a flow field collects, named in `flows.yaml` by its
/// snake-case name (`tx_id`, `date_time`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FieldFormat {
    /// A short free answer, at most 200 characters.
    #[default]
    Text,
    /// A description or a pasted error message, at most 4,000 characters.
    LongText,
    /// An e-mail address.
    Email,
    /// A phone number, ideally with its country code.
    Phone,
    /// The e-mail address or phone number an account signs in with.
    EmailOrPhone,
    /// An account's numeric user id.
    Uid,
    /// A positive amount, optionally with its coin ("100 USDT").
    Amount,
    /// A coin's ticker.
    Coin,
    /// A blockchain network; names it does not know are kept as typed.
    Network,
    /// A transaction hash, or a block-explorer link to one.
    TxId,
    /// A TxID, or the exchange's own withdrawal or order id.
    TxIdOrId,
    /// A wallet address on one of the common chains.
    Address,
    /// When something happened: absolute, or relative ("yesterday 10:00").
    DateTime,
    /// One of the field's `options`.
    Choice,
    /// The name of an attached file; the widget checks the file itself.
    Attachment,
}

impl FieldFormat {
    /// Every format, in declaration order.
    pub const ALL: [FieldFormat; 15] = [
        FieldFormat::Text,
        FieldFormat::LongText,
        FieldFormat::Email,
        FieldFormat::Phone,
        FieldFormat::EmailOrPhone,
        FieldFormat::Uid,
        FieldFormat::Amount,
        FieldFormat::Coin,
        FieldFormat::Network,
        FieldFormat::TxId,
        FieldFormat::TxIdOrId,
        FieldFormat::Address,
        FieldFormat::DateTime,
        FieldFormat::Choice,
        FieldFormat::Attachment,
    ];

    /// The name used in `flows.yaml` and in compiled packs (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            FieldFormat::Text => "text",
            FieldFormat::LongText => "long_text",
            FieldFormat::Email => "email",
            FieldFormat::Phone => "phone",
            FieldFormat::EmailOrPhone => "email_or_phone",
            FieldFormat::Uid => "uid",
            FieldFormat::Amount => "amount",
            FieldFormat::Coin => "coin",
            FieldFormat::Network => "network",
            FieldFormat::TxId => "tx_id",
            FieldFormat::TxIdOrId => "tx_id_or_id",
            FieldFormat::Address => "address",
            FieldFormat::DateTime => "date_time",
            FieldFormat::Choice => "choice",
            FieldFormat::Attachment => "attachment",
        }
    }

    /// Reads a name written by [`FieldFormat::as_str`].
    pub fn from_name(name: &str) -> Option<FieldFormat> {
        FieldFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// What a good answer looks like, shown under the input before anything
    /// is typed.
    pub fn hint(self, locale: Locale) -> &'static str {
        let (en, zh) = match self {
            FieldFormat::Text => ("A short answer", "简短回答即可"),
            FieldFormat::LongText => {
                ("Describe it in your own words, or paste the message", "用自己的话描述，或粘贴提示信息")
            }
            FieldFormat::Email => ("e.g. name@example.com", "例如 name@example.com"),
            FieldFormat::Phone => {
                ("With the country code, e.g. +86 138 0013 8000", "请带国家区号，例如 +86 138 0013 8000")
            }
            FieldFormat::EmailOrPhone => ("The e-mail or phone number you sign in with", "登录账户用的邮箱或手机号"),
            FieldFormat::Uid => ("5–12 digits, shown on your profile page", "5–12 位数字，可在个人资料页查看"),
            FieldFormat::Amount => {
                ("A number, optionally with the coin, e.g. 100 USDT", "数字，可带币种，例如 100 USDT")
            }
            FieldFormat::Coin => ("The ticker, e.g. USDT or BTC", "币种代码，例如 USDT、BTC"),
            FieldFormat::Network => ("e.g. TRC20, ERC20, BEP20, Solana", "例如 TRC20、ERC20、BEP20、Solana"),
            FieldFormat::TxId => (
                "64 hex characters (0x… on EVM chains), or base58 for Solana; an explorer link works too",
                "64 位十六进制字符（EVM 链以 0x 开头），Solana 为 base58 编码；也可粘贴区块浏览器链接",
            ),
            FieldFormat::TxIdOrId => {
                ("The TxID, or the withdrawal ID from your history", "TxID，或提现记录中的提现编号")
            }
            FieldFormat::Address => ("The full address, e.g. 0x…, T…, bc1…", "完整地址，例如 0x…、T…、bc1…"),
            FieldFormat::DateTime => {
                ("e.g. 2026-11-20 14:30, or yesterday 10:00", "例如 2026-11-20 14:30，或 昨天 10点")
            }
            FieldFormat::Choice => ("Pick one of the options", "请选择一个选项"),
            FieldFormat::Attachment => ("A screenshot or a file", "截图或文件"),
        };
        match locale {
            Locale::En => en,
            Locale::ZhCn => zh,
        }
    }
}

/// The clock the user's relative dates ("yesterday 10:00") are read against.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    /// Seconds since 1970-01-01 00:00 UTC.
    pub unix_secs: i64,
    /// The user's offset from UTC (480 for UTC+08:00), as the browser reports
    /// it; dates are read and written in this local time.
    pub utc_offset_minutes: i32,
}

/// An accepted answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid {
    /// The normalised value to store and show the agent.
    pub value: String,
    /// What the value was recognised as, when that helps the agent
    /// ("EVM-style hash", "TRON"); mostly chain names, so in English.
    pub note: Option<String>,
}

impl Valid {
    fn new(value: impl Into<String>) -> Valid {
        Valid { value: value.into(), note: None }
    }

    fn noted(value: impl Into<String>, note: impl Into<String>) -> Valid {
        Valid { value: value.into(), note: Some(note.into()) }
    }
}

/// Why an answer was refused: one variant per distinct mistake, carrying
/// what [`FieldError::message`] needs to explain it. `Display` is the
/// English message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(Locale::En))]
pub enum FieldError {
    /// Nothing was typed.
    Empty,
    /// Longer than the field allows.
    TooLong {
        /// The most characters allowed.
        max: usize,
        /// How many there are.
        found: usize,
    },
    /// Not one of a choice field's options.
    NotAnOption {
        /// The options to choose from.
        options: Vec<String>,
    },
    /// An e-mail address without an `@`.
    EmailNoAt,
    /// An e-mail address with a space inside.
    EmailSpace,
    /// A character no e-mail address contains (or a second `@`).
    EmailBadChar {
        /// The character.
        bad: char,
    },
    /// Nothing before the `@`.
    EmailLocalPart,
    /// What follows the `@` is not a whole domain (`gmail`, `qq.`).
    EmailDomain {
        /// What follows the `@`.
        domain: String,
    },
    /// A character no phone number contains.
    PhoneBadChar {
        /// The character.
        bad: char,
    },
    /// Too few or too many digits for a phone number.
    PhoneLength {
        /// How many digits there are.
        found: usize,
    },
    /// Neither an e-mail address nor a phone number.
    NotEmailOrPhone,
    /// A UID with something other than digits.
    UidNotDigits {
        /// The first character that is not a digit.
        bad: char,
    },
    /// A UID of the wrong length.
    UidLength {
        /// How many digits there are.
        found: usize,
    },
    /// No number at all ("USDT", "一百").
    AmountMissing,
    /// Zero.
    AmountZero,
    /// A minus sign.
    AmountNegative,
    /// More than one decimal point.
    AmountTwoPoints,
    /// A letter or symbol inside the number ("1o0").
    AmountNotNumber {
        /// The character.
        bad: char,
    },
    /// Commas that are not thousands separators ("0,5", "1,00").
    AmountGrouping,
    /// What follows the number is not a coin.
    AmountUnit {
        /// What follows the number.
        unit: String,
    },
    /// A ticker with a character other than a letter or digit.
    CoinBadChar {
        /// The character.
        bad: char,
    },
    /// A ticker of the wrong length.
    CoinLength {
        /// How many characters there are.
        found: usize,
    },
    /// Digits only: an amount typed into the coin field.
    CoinIsAmount,
    /// A hexadecimal hash of the wrong length.
    TxIdLength {
        /// How many hex digits there are (without `0x`).
        found: usize,
    },
    /// A character that is not a hexadecimal digit in a hex hash or address.
    NotHex {
        /// The character.
        bad: char,
    },
    /// A base58 (Solana) signature of the wrong length.
    SignatureLength {
        /// How many characters there are.
        found: usize,
    },
    /// A character outside the base58 alphabet (which has no 0, O, I or l).
    NotBase58 {
        /// The character.
        bad: char,
    },
    /// An address where a TxID was asked for.
    LooksLikeAddress,
    /// A TxID where an address was asked for.
    LooksLikeTxId,
    /// A link with no TxID in it.
    LinkWithoutTxId,
    /// A link with no address in it.
    LinkWithoutAddress,
    /// A withdrawal or order id with a character other than a letter, digit,
    /// `-` or `_`.
    IdBadChar {
        /// The character.
        bad: char,
    },
    /// A withdrawal or order id of the wrong length.
    IdLength {
        /// How many characters there are.
        found: usize,
    },
    /// An address with a space inside, often a memo pasted along with it.
    AddressSpace,
    /// A `0x` address of the wrong length.
    EvmAddressLength {
        /// How many hex digits follow `0x`.
        found: usize,
    },
    /// A base58 address of the wrong length.
    AddressLength {
        /// How many characters there are.
        found: usize,
    },
    /// A character outside the bech32 alphabet in a `bc1…`-style address.
    Bech32Char {
        /// The character.
        bad: char,
    },
    /// A `bc1…`-style address whose checksum fails: a typo or a character
    /// lost in copying.
    Bech32Checksum,
    /// Nothing like an address.
    NotAnAddress,
    /// A date or time that could not be read.
    DateUnparsed,
    /// A time more than five minutes ahead of now.
    DateInFuture {
        /// The time as read, normalised.
        value: String,
    },
    /// A year nothing could have happened in.
    YearOutOfRange {
        /// The year.
        year: i64,
    },
    /// A month outside 1–12.
    MonthOutOfRange {
        /// The month.
        month: u32,
    },
    /// A day the month does not have.
    DayOutOfRange {
        /// The year.
        year: i64,
        /// The month, 1–12.
        month: u32,
        /// The day.
        day: u32,
    },
    /// An hour outside 0–23.
    HourOutOfRange {
        /// The hour.
        hour: u32,
    },
    /// A minute outside 0–59.
    MinuteOutOfRange {
        /// The minute.
        minute: u32,
    },
}

/// One message in both locales, formatted only in the one asked for.
macro_rules! say {
    ($locale:expr, $en:literal, $zh:literal) => {
        match $locale {
            Locale::En => format!($en),
            Locale::ZhCn => format!($zh),
        }
    };
}

impl FieldError {
    /// What is wrong, as a sentence for the user, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        use FieldError as E;
        let l = locale;
        match self {
            E::Empty => say!(l, "Please fill this in.", "请填写此项。"),
            E::TooLong { max, found } => {
                say!(
                    l,
                    "This is {found} characters long; please keep it to {max}.",
                    "内容过长：当前 {found} 个字符，最多 {max} 个。"
                )
            }
            E::NotAnOption { options } => {
                let list = options.join(if l == Locale::En { ", " } else { "、" });
                say!(l, "Please choose one of: {list}.", "请从以下选项中选择一个：{list}。")
            }
            E::EmailNoAt => say!(
                l,
                "An e-mail address has an @, like name@example.com.",
                "邮箱地址需要包含 @，例如 name@example.com。"
            ),
            E::EmailSpace => say!(l, "An e-mail address has no spaces.", "邮箱地址中不能有空格。"),
            E::EmailBadChar { bad } => {
                say!(l, "“{bad}” can't be part of an e-mail address.", "邮箱地址中不能包含“{bad}”。")
            }
            E::EmailLocalPart => {
                say!(
                    l,
                    "The name before the @ is missing, like name@example.com.",
                    "@ 前面缺少用户名，例如 name@example.com。"
                )
            }
            E::EmailDomain { domain } => say!(
                l,
                "“{domain}” is not a complete domain; the address should end like @example.com.",
                "“{domain}”不是完整的域名，邮箱应以 @example.com 这样的形式结尾。"
            ),
            E::PhoneBadChar { bad } => say!(
                l,
                "A phone number has only digits, with an optional + at the start; “{bad}” is not allowed.",
                "手机号只能包含数字（开头可加 +），不能包含“{bad}”。"
            ),
            E::PhoneLength { found } => {
                say!(
                    l,
                    "A phone number has 7 to 15 digits; this has {found}.",
                    "手机号应为 7–15 位数字，当前为 {found} 位。"
                )
            }
            E::NotEmailOrPhone => {
                say!(l, "Enter the e-mail address or phone number of your account.", "请输入账户绑定的邮箱或手机号。")
            }
            E::UidNotDigits { bad } => {
                say!(l, "A UID has only digits; “{bad}” is not one.", "UID 只包含数字，“{bad}”不是数字。")
            }
            E::UidLength { found } => {
                say!(l, "A UID has 5 to 12 digits; this has {found}.", "UID 应为 5–12 位数字，当前为 {found} 位。")
            }
            E::AmountMissing => {
                say!(l, "Type the amount in digits, like 100 or 0.5 BTC.", "请用数字填写金额，例如 100 或 0.5 BTC。")
            }
            E::AmountZero => say!(l, "The amount must be more than zero.", "金额必须大于 0。"),
            E::AmountNegative => {
                say!(l, "The amount can't be negative; type it without the minus sign.", "金额不能为负数，请去掉负号。")
            }
            E::AmountTwoPoints => say!(l, "An amount has at most one decimal point.", "金额最多只能有一个小数点。"),
            E::AmountNotNumber { bad } => say!(
                l,
                "“{bad}” can't be part of a number; type the amount like 100.5.",
                "“{bad}”不是数字的一部分，请按 100.5 这样的格式填写金额。"
            ),
            E::AmountGrouping => say!(
                l,
                "Use a point for decimals and commas only between thousands, like 1,000.50.",
                "小数请用小数点，逗号只用于千位分隔，例如 1,000.50。"
            ),
            E::AmountUnit { unit } => {
                say!(
                    l,
                    "“{unit}” is not a coin; write the amount like 100 USDT.",
                    "“{unit}”不是币种，请按 100 USDT 这样的格式填写。"
                )
            }
            E::CoinBadChar { bad } => say!(
                l,
                "A coin's ticker has only letters and digits, like USDT; “{bad}” is not allowed.",
                "币种代码只包含字母和数字（例如 USDT），不能包含“{bad}”。"
            ),
            E::CoinLength { found } => say!(
                l,
                "A coin's ticker has 2 to 10 characters, like BTC or USDT; this has {found}.",
                "币种代码应为 2–10 个字符（例如 BTC、USDT），当前为 {found} 个。"
            ),
            E::CoinIsAmount => {
                say!(
                    l,
                    "This looks like an amount; here, enter the coin, like USDT.",
                    "这看起来是金额；此处请填写币种，例如 USDT。"
                )
            }
            E::TxIdLength { found } => {
                say!(
                    l,
                    "A TxID has 64 hexadecimal characters; this has {found}.",
                    "TxID 应为 64 位十六进制字符，当前为 {found} 位。"
                )
            }
            E::NotHex { bad } => say!(
                l,
                "“{bad}” is not a hexadecimal character (0–9, a–f); check for a typo.",
                "“{bad}”不是十六进制字符（0–9、a–f），请检查是否输错。"
            ),
            E::SignatureLength { found } => say!(
                l,
                "A Solana transaction signature has 87 or 88 characters; this has {found}.",
                "Solana 交易签名应为 87 或 88 个字符，当前为 {found} 个。"
            ),
            E::NotBase58 { bad } => say!(
                l,
                "“{bad}” can't appear here: this kind of code is base58, which has no 0, O, I or l.",
                "这里不能出现“{bad}”：这类编码是 base58，不含 0、O、I 和 l。"
            ),
            E::LooksLikeAddress => say!(
                l,
                "This looks like a wallet address, not a TxID; the TxID is in the transaction's details.",
                "这看起来是钱包地址，不是 TxID；TxID 可在交易详情中找到。"
            ),
            E::LooksLikeTxId => say!(
                l,
                "This looks like a TxID (a transaction hash), not an address.",
                "这看起来是 TxID（交易哈希），不是地址。"
            ),
            E::LinkWithoutTxId => {
                say!(
                    l,
                    "There is no TxID in this link; paste the TxID itself.",
                    "链接中没有找到 TxID，请直接粘贴 TxID。"
                )
            }
            E::LinkWithoutAddress => {
                say!(
                    l,
                    "There is no address in this link; paste the address itself.",
                    "链接中没有找到地址，请直接粘贴地址。"
                )
            }
            E::IdBadChar { bad } => say!(
                l,
                "An ID has only letters, digits and dashes; “{bad}” is not allowed.",
                "编号只能包含字母、数字和短横线，不能包含“{bad}”。"
            ),
            E::IdLength { found } => say!(
                l,
                "Enter the TxID, or a withdrawal ID of 6 to 64 characters; this has {found}.",
                "请输入 TxID，或 6–64 个字符的提现编号；当前为 {found} 个字符。"
            ),
            E::AddressSpace => say!(
                l,
                "Paste only the address, without spaces; a memo or tag goes in its own field.",
                "请只粘贴地址，不要带空格；Memo 或标签请另外填写。"
            ),
            E::EvmAddressLength { found } => say!(
                l,
                "An address starting with 0x has 40 hexadecimal characters after the 0x; this has {found}.",
                "以 0x 开头的地址在 0x 之后应有 40 位十六进制字符，当前为 {found} 位。"
            ),
            E::AddressLength { found } => say!(
                l,
                "An address like this (TRON, Bitcoin, Solana…) has 25 to 44 characters; this has {found}.",
                "这类地址（TRON、比特币、Solana 等）应为 25–44 个字符，当前为 {found} 个。"
            ),
            E::Bech32Char { bad } => say!(
                l,
                "“{bad}” can't appear in this address: after its first “1” there is no 1, b, i or o.",
                "该地址中不能出现“{bad}”：前缀“1”之后不含 1、b、i、o。"
            ),
            E::Bech32Checksum => say!(
                l,
                "This address fails its checksum: a character is wrong or missing. Copy it again from the wallet.",
                "地址校验失败：有字符错误或缺失，请从钱包重新复制。"
            ),
            E::NotAnAddress => say!(
                l,
                "This doesn't look like a wallet address; copy it from the wallet or the withdrawal record.",
                "这看起来不像钱包地址，请从钱包或提现记录中复制。"
            ),
            E::DateUnparsed => say!(
                l,
                "I couldn't read that time. Try “2026-11-20 14:30” or “yesterday 10:00”.",
                "无法识别这个时间，可以写成“2026-11-20 14:30”或“昨天 10点”。"
            ),
            E::DateInFuture { value } => {
                say!(l, "{value} is in the future; enter when it happened.", "{value} 还没有到，请填写实际发生的时间。")
            }
            E::YearOutOfRange { year } => {
                say!(l, "{year} can't be right; please check the year.", "{year} 年不太可能，请检查年份。")
            }
            E::MonthOutOfRange { month } => {
                say!(l, "There is no month {month}; months go from 1 to 12.", "没有 {month} 月，月份应为 1–12。")
            }
            E::DayOutOfRange { year, month, day } => {
                let name = MONTHS.get(month.wrapping_sub(1) as usize).copied().unwrap_or("");
                say!(l, "{name} {year} has no day {day}.", "{year} 年 {month} 月没有 {day} 日。")
            }
            E::HourOutOfRange { hour } => {
                say!(l, "Hours go from 0 to 23; {hour} is not one.", "小时应为 0–23，没有 {hour} 点。")
            }
            E::MinuteOutOfRange { minute } => {
                say!(l, "Minutes go from 0 to 59; {minute} is not one.", "分钟应为 0–59，没有 {minute} 分。")
            }
        }
    }
}

/// Checks a finished answer and normalises it. `options` are a choice
/// field's answers; `now` anchors relative dates.
pub fn validate(format: FieldFormat, input: &str, options: &[String], now: Now) -> Result<Valid, FieldError> {
    match format {
        FieldFormat::Text => text(input, 200),
        FieldFormat::LongText => text(input, 4000),
        FieldFormat::Email => email(unlabel(&clean(input), EMAIL_LABELS)),
        FieldFormat::Phone => phone(unlabel(&clean(input), PHONE_LABELS)),
        FieldFormat::EmailOrPhone => {
            let s = clean(input);
            if s.contains('@') {
                email(unlabel(&s, EMAIL_LABELS))
            } else if s.bytes().any(|b| b.is_ascii_alphabetic()) && unlabel(&s, PHONE_LABELS) == s {
                Err(FieldError::NotEmailOrPhone)
            } else {
                phone(unlabel(&s, PHONE_LABELS))
            }
        }
        FieldFormat::Uid => uid(&clean(input), true).map(|uid| Valid::new(uid.unwrap_or_default())),
        FieldFormat::Amount => amount(input, true).map(|v| v.unwrap_or_else(|| Valid::new(""))),
        FieldFormat::Coin => coin(&clean(input)),
        FieldFormat::Network => network(input),
        FieldFormat::TxId => tx_id(input),
        FieldFormat::TxIdOrId => tx_id_or_id(input),
        FieldFormat::Address => address(input),
        FieldFormat::DateTime => date_time(input, now),
        FieldFormat::Choice => choice(input, options),
        FieldFormat::Attachment => text(input, 255),
    }
}

/// While typing: `Ok(())` when `input` could still become valid (don't nag
/// mid-word), `Err` when it already cannot.
pub fn check_partial(format: FieldFormat, input: &str) -> Result<(), FieldError> {
    let s = clean(input);
    match format {
        FieldFormat::Text => within(input.trim(), 200),
        FieldFormat::LongText => within(input.trim(), 4000),
        FieldFormat::Attachment => within(input.trim(), 255),
        FieldFormat::Network => within(&s, 64),
        FieldFormat::Choice => Ok(()),
        FieldFormat::Email => partial_email(&s),
        FieldFormat::Phone => partial_phone(&s),
        FieldFormat::EmailOrPhone => {
            let letters = s.bytes().any(|b| b.is_ascii_alphabetic());
            if s.contains('@') {
                partial_email(&s)
            } else if s.starts_with('+') || !letters && !s.bytes().all(|b| b.is_ascii_digit()) {
                partial_phone(&s)
            } else {
                // Letters or digits alone may still be the name before an `@`.
                partial_email(&s).or_else(|e| partial_phone(&s).map_err(|_| e))
            }
        }
        FieldFormat::Uid => uid(&s, false).map(drop),
        FieldFormat::Amount => amount(input, false).map(drop),
        FieldFormat::Coin => partial_coin(&s),
        FieldFormat::TxId => partial_tx_id(&s),
        FieldFormat::TxIdOrId => partial_tx_id(&s).or_else(|e| {
            let s = unlabel(unlabel(&s, TX_LABELS), ID_LABELS);
            if strip_0x(s).is_some() {
                return Err(e);
            }
            match id_error(s) {
                Some(FieldError::IdLength { found }) if found < 6 => Ok(()),
                Some(FieldError::IdLength { .. }) => Err(e),
                Some(id_error) => Err(id_error),
                None => Ok(()),
            }
        }),
        FieldFormat::Address => partial_address(&s),
        FieldFormat::DateTime => {
            let known = |c| CJK_NUMERALS.contains(c) || CJK_DATE_WORDS.iter().any(|(w, _)| w.contains(c));
            let ok = s.chars().all(|c| c.is_ascii() || known(c));
            if ok {
                Ok(())
            } else {
                Err(FieldError::DateUnparsed)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Shared helpers

/// Full-width forms (U+FF01..=U+FF5E), which Chinese input methods produce,
/// and the ideographic space become ASCII. Done here rather than with NFKC
/// because the widget is built without the normalisation tables.
fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Quotes and brackets a copied value often arrives wrapped in.
const WRAPPERS: &[char] = &['"', '\'', '`', '“', '”', '‘', '’', '「', '」', '『', '』', '<', '>'];

/// Width-folded, trimmed and unwrapped.
fn clean(input: &str) -> String {
    fold_width(input).trim_matches(|c: char| c.is_whitespace() || WRAPPERS.contains(&c)).to_owned()
}

const TX_LABELS: &[&str] = &["txid", "tx id", "txhash", "tx hash", "hash", "交易哈希", "哈希"];
const ID_LABELS: &[&str] = &["uid", "id"];
const EMAIL_LABELS: &[&str] = &["email", "e-mail", "mailto", "邮箱"];
const PHONE_LABELS: &[&str] = &["phone", "tel", "mobile", "手机号", "手机", "电话"];
const ADDRESS_LABELS: &[&str] = &["address", "地址"];

/// Drops a label copied along with the value ("TxID: 0x…", "UID 1234567").
fn unlabel<'a>(s: &'a str, labels: &[&str]) -> &'a str {
    for label in labels {
        if let Some(head) = s.get(..label.len()).filter(|h| h.eq_ignore_ascii_case(label)) {
            let rest = &s[head.len()..];
            if rest.starts_with([':', ' ', '#']) {
                return rest.trim_start_matches([':', ' ', '#']);
            }
        }
    }
    s
}

/// Whether `s` may be a label still being typed ("Tx", "UI").
fn is_label_start(s: &str, labels: &[&str]) -> bool {
    labels.iter().any(|l| l.get(..s.len()).is_some_and(|h| h.eq_ignore_ascii_case(s)))
}

fn within(s: &str, max: usize) -> Result<(), FieldError> {
    let found = s.chars().count();
    if found > max {
        Err(FieldError::TooLong { max, found })
    } else {
        Ok(())
    }
}

fn text(input: &str, max: usize) -> Result<Valid, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    within(s, max)?;
    Ok(Valid::new(s))
}

fn choice(input: &str, options: &[String]) -> Result<Valid, FieldError> {
    let key = |s: &str| fold_width(s).split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    if options.is_empty() {
        return text(input, 200);
    }
    if input.trim().is_empty() {
        return Err(FieldError::Empty);
    }
    let wanted = key(input);
    options
        .iter()
        .find(|o| key(o) == wanted)
        .map(|o| Valid::new(o.as_str()))
        .ok_or_else(|| FieldError::NotAnOption { options: options.to_vec() })
}

// ---------------------------------------------------------------------------
// E-mail, phone, UID

fn email_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii() || ".!#$%&'*+/=?^_`{|}~-".contains(c)
}

fn domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii() || c == '-' || c == '.'
}

fn partial_email(s: &str) -> Result<(), FieldError> {
    if is_label_start(s, EMAIL_LABELS) {
        return Ok(());
    }
    let s = unlabel(s, EMAIL_LABELS);
    if s.contains(char::is_whitespace) {
        return Err(FieldError::EmailSpace);
    }
    let (local, domain) = s.split_once('@').unwrap_or((s, ""));
    if let Some(bad) = local.chars().find(|c| !email_local_char(*c)) {
        return Err(FieldError::EmailBadChar { bad });
    }
    match domain.chars().find(|c| !domain_char(*c)) {
        Some(bad) => Err(FieldError::EmailBadChar { bad }),
        None => Ok(()),
    }
}

fn email(s: &str) -> Result<Valid, FieldError> {
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    partial_email(s)?;
    let (local, domain) = s.split_once('@').ok_or(FieldError::EmailNoAt)?;
    if local.is_empty() {
        return Err(FieldError::EmailLocalPart);
    }
    let domain = domain.to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let tld = labels[labels.len() - 1];
    let whole = labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && tld.chars().count() >= 2
        && !tld.bytes().all(|b| b.is_ascii_digit());
    if !whole {
        return Err(FieldError::EmailDomain { domain });
    }
    Ok(Valid::new(format!("{local}@{domain}")))
}

/// Phone digits with a leading `+` kept; spaces, dashes, dots and brackets
/// dropped.
fn phone_digits(s: &str) -> Result<String, FieldError> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' => out.push(c),
            '+' if out.is_empty() => out.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(FieldError::PhoneBadChar { bad: c }),
        }
    }
    Ok(out)
}

fn partial_phone(s: &str) -> Result<(), FieldError> {
    if is_label_start(s, PHONE_LABELS) {
        return Ok(());
    }
    let digits = phone_digits(unlabel(s, PHONE_LABELS))?;
    let found = digits.trim_start_matches('+').len();
    if found > 15 {
        return Err(FieldError::PhoneLength { found });
    }
    Ok(())
}

fn phone(s: &str) -> Result<Valid, FieldError> {
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    let digits = phone_digits(s)?;
    let found = digits.trim_start_matches('+').len();
    if !(7..=15).contains(&found) {
        return Err(FieldError::PhoneLength { found });
    }
    Ok(Valid::new(digits))
}

/// The UID's digits; when `complete` is false, only what already rules it out.
fn uid(s: &str, complete: bool) -> Result<Option<String>, FieldError> {
    if !complete && is_label_start(s, ID_LABELS) {
        return Ok(None);
    }
    let digits: String = unlabel(s, ID_LABELS).chars().filter(|c| *c != ' ').collect();
    if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(FieldError::UidNotDigits { bad });
    }
    let found = digits.len();
    match (complete, found) {
        (true, 0) => Err(FieldError::Empty),
        (true, 5..=12) | (false, 0..=12) => Ok(Some(digits)),
        _ => Err(FieldError::UidLength { found }),
    }
}

// ---------------------------------------------------------------------------
// Amount, coin, network

/// Reads an amount; `complete` false checks a prefix and returns `Ok(None)`.
fn amount(input: &str, complete: bool) -> Result<Option<Valid>, FieldError> {
    let s = clean(input);
    let (s, dollar) = match s.strip_prefix('$') {
        Some(rest) => (rest.trim_start(), true),
        None => (s.as_str(), false),
    };
    if s.is_empty() {
        return if complete { Err(FieldError::Empty) } else { Ok(None) };
    }
    if s.starts_with(['-', '−']) {
        return Err(FieldError::AmountNegative);
    }
    let Some(start) = s.find(|c: char| c.is_ascii_digit() || c == '.') else {
        // Only a unit so far: "USDT" is how "USDT 100" starts.
        return if complete {
            Err(FieldError::AmountMissing)
        } else {
            partial_coin(s).map(|_| None).map_err(|_| FieldError::AmountMissing)
        };
    };
    let end = s[start..].find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).map_or(s.len(), |i| start + i);
    let (prefix, number, suffix) = (&s[..start], &s[start..end], &s[end..]);

    // A coin may come first ("USDT 100"), separated by a space; a letter
    // stuck to the front of the number is a typo ("O.5").
    let prefix_unit = match prefix.trim() {
        "" => None,
        p if prefix.ends_with(' ') => Some(p),
        p if p.ends_with(['-', '−']) => return Err(FieldError::AmountNegative),
        p => return Err(FieldError::AmountNotNumber { bad: p.chars().last().unwrap_or('?') }),
    };
    // Letters stuck to the end are a coin ("0.5btc") unless digits follow
    // them ("1o0").
    let attached = suffix.split(' ').next().unwrap_or("");
    if attached.contains(|c: char| c.is_ascii_digit()) {
        return Err(FieldError::AmountNotNumber { bad: attached.chars().next().unwrap_or('?') });
    }
    let suffix_unit = suffix.trim().trim_matches(['个', '枚']).trim();

    if number.matches('.').count() > 1 {
        return Err(FieldError::AmountTwoPoints);
    }
    let (int, frac) = match number.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (number, None),
    };
    if frac.is_some_and(|f| f.contains(',')) {
        return Err(FieldError::AmountGrouping);
    }
    if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let last = groups.len() - 1;
        let grouped = (1..=3).contains(&groups[0].len())
            && !groups[0].starts_with('0')
            && groups[1..].iter().enumerate().all(|(i, g)| {
                // While typing, the last group may still be filling up.
                g.len() == 3 || (!complete && i + 1 == last && frac.is_none() && g.len() < 3)
            });
        if !grouped {
            return Err(FieldError::AmountGrouping);
        }
    }

    let unit = match (prefix_unit, suffix_unit, dollar) {
        (Some(_), u, _) | (None, u, true) if !u.is_empty() => {
            return Err(FieldError::AmountUnit { unit: u.to_owned() })
        }
        (Some(p), _, true) => return Err(FieldError::AmountUnit { unit: p.to_owned() }),
        (Some(p), _, false) => p,
        (None, _, true) => "USD",
        (None, u, false) => u,
    };
    if !complete {
        return match unit {
            "" => Ok(None),
            u if FIAT_NAMES.iter().any(|(name, _)| name.starts_with(u)) => Ok(None),
            u => partial_coin(u).map(|_| None).map_err(|_| FieldError::AmountUnit { unit: u.to_owned() }),
        };
    }

    let int: String = int.chars().filter(|c| *c != ',').collect();
    let int = match int.trim_start_matches('0') {
        "" => "0",
        digits => digits,
    };
    let frac = frac.unwrap_or("");
    if int == "0" && frac.bytes().all(|b| b == b'0') {
        return Err(if number == "." { FieldError::AmountMissing } else { FieldError::AmountZero });
    }
    let mut value = int.to_owned();
    if !frac.is_empty() {
        value.push('.');
        value.push_str(frac);
    }
    let mut note = None;
    if !unit.is_empty() {
        match FIAT_NAMES.iter().find(|(name, _)| name.eq_ignore_ascii_case(unit)) {
            Some((_, code)) => value = format!("{value} {code}"),
            None => {
                let coin = coin(unit).map_err(|_| FieldError::AmountUnit { unit: unit.to_owned() })?;
                value = format!("{value} {}", coin.value);
                note = coin.note;
            }
        }
    }
    Ok(Some(Valid { value, note }))
}

/// Money that is not a coin, for amounts paid by card or bank ("100块").
const FIAT_NAMES: &[(&str, &str)] = &[
    ("元", "CNY"),
    ("块", "CNY"),
    ("块钱", "CNY"),
    ("人民币", "CNY"),
    ("rmb", "CNY"),
    ("美元", "USD"),
    ("美金", "USD"),
    ("dollar", "USD"),
    ("dollars", "USD"),
];

/// Coin names people type instead of tickers.
const COIN_NAMES: &[(&str, &str)] = &[
    ("比特币", "BTC"),
    ("以太坊", "ETH"),
    ("以太币", "ETH"),
    ("泰达币", "USDT"),
    ("泰达", "USDT"),
    ("狗狗币", "DOGE"),
    ("莱特币", "LTC"),
    ("瑞波币", "XRP"),
    ("波场币", "TRX"),
    ("币安币", "BNB"),
    ("bitcoin", "BTC"),
    ("ethereum", "ETH"),
    ("ether", "ETH"),
    ("tether", "USDT"),
    ("dogecoin", "DOGE"),
    ("litecoin", "LTC"),
    ("ripple", "XRP"),
    ("toncoin", "TON"),
    ("solana", "SOL"),
    ("cardano", "ADA"),
];

/// What may separate a coin from the network typed after it ("USDT-TRC20").
const COIN_SEPARATORS: [char; 5] = [' ', '-', '_', '/', '('];

fn coin(s: &str) -> Result<Valid, FieldError> {
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    // "USDT-TRC20", "USDT (TRC20)": the coin, with its network as the note.
    if let Some(i) = s.find(COIN_SEPARATORS) {
        let (head, tail) = (&s[..i], &s[i..]);
        return match (bare_coin(head), network_name(tail)) {
            (Ok(coin), Some(network)) => Ok(Valid::noted(coin.value, network)),
            _ => Err(FieldError::CoinBadChar { bad: tail.chars().next().unwrap_or(' ') }),
        };
    }
    bare_coin(s)
}

fn bare_coin(s: &str) -> Result<Valid, FieldError> {
    // "U" is everyday Chinese shorthand for USDT; the note lets the agent
    // see that it was read that way.
    if s.eq_ignore_ascii_case("u") {
        return Ok(Valid::noted("USDT", "U → USDT"));
    }
    if let Some((_, ticker)) = COIN_NAMES.iter().find(|(name, _)| name.eq_ignore_ascii_case(s)) {
        return Ok(Valid::new(*ticker));
    }
    ticker(s).map(|t| Valid::new(t.to_ascii_uppercase()))
}

fn ticker(s: &str) -> Result<&str, FieldError> {
    if let Some(bad) = s.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(FieldError::CoinBadChar { bad });
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::CoinIsAmount);
    }
    match s.len() {
        2..=10 => Ok(s),
        found => Err(FieldError::CoinLength { found }),
    }
}

fn partial_coin(s: &str) -> Result<(), FieldError> {
    // After a separator comes the network, which is never refused.
    let head = s.split(COIN_SEPARATORS).next().unwrap_or("");
    if !head.is_ascii() {
        return match COIN_NAMES.iter().any(|(name, _)| name.starts_with(head)) {
            true => Ok(()),
            false => Err(FieldError::CoinBadChar { bad: head.chars().find(|c| !c.is_ascii()).unwrap_or('?') }),
        };
    }
    if let Some(bad) = head.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(FieldError::CoinBadChar { bad });
    }
    if head.len() > 10 {
        return Err(FieldError::CoinLength { found: head.len() });
    }
    Ok(())
}

/// Networks by their display name, with what people call them. Names are
/// compared lower-cased with spaces and punctuation removed. The second list
/// holds coin tickers, which only count when nothing more specific was said:
/// "ETH Arbitrum" is Arbitrum.
const NETWORKS: &[(&str, &[&str], &[&str])] = &[
    ("Ethereum (ERC20)", &["erc20", "erc", "ethereum", "以太坊", "以太"], &["eth"]),
    ("TRON (TRC20)", &["trc20", "trc", "tron", "波场"], &["trx"]),
    ("BNB Smart Chain (BEP20)", &["bep20", "bsc", "bnbsmartchain", "bnbchain", "币安智能链", "币安链"], &["bnb"]),
    ("Solana", &["solana", "spl", "索拉纳"], &["sol"]),
    ("Bitcoin", &["bitcoin", "segwit", "比特币"], &["btc"]),
    ("Polygon", &["polygon", "polygonpos", "马蹄链"], &["matic", "pol"]),
    ("Arbitrum One", &["arbitrum", "arbitrumone", "arbone"], &["arb"]),
    ("Optimism", &["optimism", "opmainnet"], &["op"]),
    ("Base", &["base"], &[]),
    ("Avalanche C-Chain", &["avalanche", "avalanchecchain", "avaxc", "avaxcchain", "cchain"], &["avax"]),
    ("TON", &["ton", "theopennetwork"], &["toncoin"]),
    ("XRP Ledger", &["xrpl", "xrpledger", "ripple"], &["xrp"]),
    ("Litecoin", &["litecoin", "莱特币"], &["ltc"]),
    ("Dogecoin", &["dogecoin", "狗狗币"], &["doge"]),
    ("Lightning Network", &["lightning", "lightningnetwork"], &[]),
];

/// The known network `s` names, if any.
fn network_name(s: &str) -> Option<&'static str> {
    let s = fold_width(s).to_ascii_lowercase();
    let squashed: String = s.chars().filter(|c| c.is_ascii_alphanumeric() || !c.is_ascii()).collect();
    let squash =
        |name: &str| name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    let whole = NETWORKS.iter().find(|(name, strong, weak)| {
        squash(name) == squashed || strong.contains(&squashed.as_str()) || weak.contains(&squashed.as_str())
    });
    if let Some((name, ..)) = whole {
        return Some(name);
    }
    // Word by word, splitting at punctuation and between scripts:
    // "USDT on TRC20", "以太坊ERC20".
    let mut words: Vec<String> = Vec::new();
    let mut previous_ascii = None;
    for c in s.chars() {
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            previous_ascii = None;
            continue;
        }
        if previous_ascii != Some(c.is_ascii()) {
            words.push(String::new());
        }
        previous_ascii = Some(c.is_ascii());
        words.last_mut()?.push(c);
    }
    let hits = |strong: bool| {
        let mut hits = NETWORKS.iter().filter(|(_, strong_names, weak_names)| {
            let names = if strong { strong_names } else { weak_names };
            words.iter().any(|word| names.contains(&word.as_str()))
        });
        let first = hits.next()?;
        hits.next().is_none().then_some(first.0)
    };
    hits(true).or_else(|| hits(false))
}

fn network(input: &str) -> Result<Valid, FieldError> {
    let s = clean(input);
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    within(&s, 64)?;
    // Never block on a network we don't know: new chains appear every month.
    Ok(match network_name(&s) {
        Some(name) => Valid::new(name),
        None => Valid::noted(s, "unrecognised network, kept as typed"),
    })
}

// ---------------------------------------------------------------------------
// TxIDs, withdrawal ids and addresses

const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_PREFIXES: &[&str] = &["bc", "tb", "bcrt", "ltc", "tltc"];
/// How TON's user-friendly (base64url) addresses begin.
const TON_PREFIXES: &[&str] = &["EQ", "UQ", "kQ", "0Q"];

fn is_base58(c: char) -> bool {
    BASE58.contains(c) && c.is_ascii()
}

fn strip_0x(s: &str) -> Option<&str> {
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))
}

/// Whether `s` is a link rather than a bare value: hashes and addresses
/// never contain a slash.
fn is_link(s: &str) -> bool {
    s.contains('/')
}

/// Whether `s` is a link or may be the start of one ("htt", "www.").
fn is_link_start(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    is_link(s) || lower.starts_with("www.") || ["https://", "http://"].iter().any(|p| p.starts_with(&lower))
}

/// The parts of a link's path and query, last first: explorers put the hash
/// or address at the end (`…/tx/0x…`, `…/#/transaction/…`, `…?hash=…`).
fn link_parts(s: &str) -> impl Iterator<Item = &str> {
    s.split(['/', '?', '#', '&', '=', ':']).rev().filter(|p| !p.is_empty())
}

/// A bare TxID (no spaces, no link).
fn bare_tx_id(s: &str) -> Result<Valid, FieldError> {
    if let Some(body) = strip_0x(s) {
        return match body.chars().find(|c| !c.is_ascii_hexdigit()) {
            Some(bad) => Err(FieldError::NotHex { bad }),
            None if body.len() == 64 => Ok(Valid::noted(format!("0x{}", body.to_ascii_lowercase()), "EVM-style hash")),
            None => Err(FieldError::TxIdLength { found: body.len() }),
        };
    }
    let found = s.chars().count();
    let bad_hex = s.chars().find(|c| !c.is_ascii_hexdigit());
    let bad_58 = s.chars().find(|c| !is_base58(*c));
    match (bad_hex, bad_58) {
        (None, _) if found == 64 => Ok(Valid::noted(s.to_ascii_lowercase(), "64-hex hash (Bitcoin, TRON and similar)")),
        (None, _) => Err(FieldError::TxIdLength { found }),
        // Hash-length input with a stray letter is a typo in a hex hash.
        (Some(bad), _) if found <= 70 => Err(FieldError::NotHex { bad }),
        (_, Some(bad)) => Err(FieldError::NotBase58 { bad }),
        (_, None) if (87..=88).contains(&found) => Ok(Valid::noted(s, "Solana-style signature")),
        (_, None) => Err(FieldError::SignatureLength { found }),
    }
}

fn tx_id(input: &str) -> Result<Valid, FieldError> {
    let s = clean(input);
    let s = unlabel(&s, TX_LABELS);
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    if is_link(s) {
        if let Some(found) = link_parts(s).find_map(|p| bare_tx_id(p).ok()) {
            let note = found.note.map(|n| format!("{n}, from a link"));
            return Ok(Valid { value: found.value, note });
        }
        if link_parts(s).any(|p| bare_address(p).is_ok()) {
            return Err(FieldError::LooksLikeAddress);
        }
        return Err(FieldError::LinkWithoutTxId);
    }
    // A long hash often arrives wrapped over lines.
    let s: String = s.split_whitespace().collect();
    bare_tx_id(&s).map_err(|e| if bare_address(&s).is_ok() { FieldError::LooksLikeAddress } else { e })
}

fn partial_tx_id(s: &str) -> Result<(), FieldError> {
    if is_label_start(s, TX_LABELS) {
        return Ok(());
    }
    let s = unlabel(s, TX_LABELS);
    if is_link_start(s) {
        return Ok(());
    }
    let s: String = s.split_whitespace().collect();
    if s == "0" {
        return Ok(());
    }
    if let Some(body) = strip_0x(&s) {
        return match body.chars().find(|c| !c.is_ascii_hexdigit()) {
            Some(bad) => Err(FieldError::NotHex { bad }),
            None if body.len() > 64 => Err(FieldError::TxIdLength { found: body.len() }),
            None => Ok(()),
        };
    }
    let found = s.chars().count();
    let bad_hex = s.chars().find(|c| !c.is_ascii_hexdigit());
    let bad_58 = s.chars().find(|c| !is_base58(*c));
    match (bad_hex, bad_58) {
        (None, _) if found > 64 => Err(FieldError::TxIdLength { found }),
        (None, _) => Ok(()),
        (Some(bad), Some(_)) if found <= 70 => Err(FieldError::NotHex { bad }),
        (_, Some(bad)) => Err(FieldError::NotBase58 { bad }),
        (_, None) if found > 88 => Err(FieldError::SignatureLength { found }),
        (_, None) => Ok(()),
    }
}

/// What is wrong with `s` as a withdrawal or order id, if anything.
fn id_error(s: &str) -> Option<FieldError> {
    if let Some(bad) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return Some(FieldError::IdBadChar { bad });
    }
    let found = s.len();
    (!(6..=64).contains(&found)).then_some(FieldError::IdLength { found })
}

fn tx_id_or_id(input: &str) -> Result<Valid, FieldError> {
    let tx_error = match tx_id(input) {
        Ok(valid) => return Ok(valid),
        Err(e) => e,
    };
    let s = clean(input);
    let s = unlabel(unlabel(&s, TX_LABELS), ID_LABELS);
    // Hash-like input gets the hash's error: 63 hex digits is a TxID with
    // one missing, not an order number.
    let hexish = s.len() >= 50 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if s.is_empty() || strip_0x(s).is_some() || is_link(s) || hexish || s.len() > 64 {
        return Err(tx_error);
    }
    match id_error(s) {
        Some(e) => Err(e),
        None => Ok(Valid::noted(s, "withdrawal or order ID")),
    }
}

/// Bech32 checksum (BIP 173), accepting both the original constant and the
/// bech32m one (BIP 350, Taproot).
fn bech32_checksum_ok(hrp: &str, data: &str) -> bool {
    const GEN: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
    let mut chk: u32 = 1;
    let mut step = |v: u32| {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ v;
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    };
    hrp.bytes().for_each(|b| step(u32::from(b) >> 5));
    step(0);
    hrp.bytes().for_each(|b| step(u32::from(b) & 31));
    for c in data.chars() {
        match BECH32.find(c) {
            Some(v) => step(v as u32),
            None => return false,
        }
    }
    chk == 1 || chk == 0x2bc8_30a3
}

/// A bare address (no spaces, no link).
fn bare_address(s: &str) -> Result<Valid, FieldError> {
    if let Some(body) = strip_0x(s) {
        return match body.chars().find(|c| !c.is_ascii_hexdigit()) {
            Some(bad) => Err(FieldError::NotHex { bad }),
            // Mixed case is the EIP-55 checksum, so it is kept as typed.
            None if body.len() == 40 => Ok(Valid::noted(s, "EVM")),
            None => Err(FieldError::EvmAddressLength { found: body.len() }),
        };
    }
    let lower = s.to_ascii_lowercase();
    if let Some((hrp, data)) = lower.rsplit_once('1') {
        let single_case = s == lower || s == s.to_ascii_uppercase();
        if single_case && !hrp.is_empty() && hrp.bytes().all(|b| b.is_ascii_lowercase()) {
            let known = BECH32_PREFIXES.contains(&hrp);
            if known {
                if let Some(i) = data.find(|c| !BECH32.contains(c)) {
                    return Err(FieldError::Bech32Char { bad: s[hrp.len() + 1 + i..].chars().next().unwrap_or('?') });
                }
            }
            if data.len() >= 6 && lower.len() <= 110 && bech32_checksum_ok(hrp, data) {
                let note = match hrp {
                    "bc" => "Bitcoin (bech32)",
                    "tb" | "bcrt" => "Bitcoin testnet (bech32)",
                    "ltc" | "tltc" => "Litecoin (bech32)",
                    _ => "bech32",
                };
                return Ok(Valid::noted(lower, note));
            }
            if known {
                return Err(FieldError::Bech32Checksum);
            }
        }
    }
    let found = s.chars().count();
    if found == 48 && TON_PREFIXES.iter().any(|p| s.starts_with(p)) && s.chars().all(is_base64url) {
        return Ok(Valid::noted(s, "TON"));
    }
    match s.chars().find(|c| !is_base58(*c)) {
        // Base58 addresses are random in both cases; a word typed in one
        // case ("mywalletaddressonbinance") is not one.
        None if (25..=44).contains(&found) && s != lower && s != s.to_ascii_uppercase() => {
            let note = match (s.as_bytes()[0], found) {
                (b'T', 34) => "TRON",
                (b'1' | b'3', 26..=35) => "Bitcoin (legacy)",
                (b'r', 25..=35) => "XRP Ledger",
                (_, 32..=44) => "base58 (Solana and similar)",
                _ => "base58",
            };
            Ok(Valid::noted(s, note))
        }
        None if (25..=44).contains(&found) => Err(FieldError::NotAnAddress),
        None => Err(FieldError::AddressLength { found }),
        Some(bad) if (20..=50).contains(&found) => Err(FieldError::NotBase58 { bad }),
        Some(_) => Err(FieldError::NotAnAddress),
    }
}

fn is_base64url(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn address(input: &str) -> Result<Valid, FieldError> {
    let s = clean(input);
    let s = unlabel(&s, ADDRESS_LABELS);
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    if is_link(s) {
        if let Some(found) = link_parts(s).find_map(|p| bare_address(p).ok()) {
            return Ok(found);
        }
        if link_parts(s).any(|p| bare_tx_id(p).is_ok()) {
            return Err(FieldError::LooksLikeTxId);
        }
        return Err(FieldError::LinkWithoutAddress);
    }
    if s.contains(char::is_whitespace) {
        return Err(FieldError::AddressSpace);
    }
    bare_address(s).map_err(|e| if bare_tx_id(s).is_ok() { FieldError::LooksLikeTxId } else { e })
}

fn partial_address(s: &str) -> Result<(), FieldError> {
    if is_label_start(s, ADDRESS_LABELS) {
        return Ok(());
    }
    let s = unlabel(s, ADDRESS_LABELS);
    if is_link_start(s) || s == "0" {
        return Ok(());
    }
    if s.contains(char::is_whitespace) {
        return Err(FieldError::AddressSpace);
    }
    if let Some(body) = strip_0x(s) {
        return match body.chars().find(|c| !c.is_ascii_hexdigit()) {
            Some(bad) => Err(FieldError::NotHex { bad }),
            None if body.len() == 64 => Err(FieldError::LooksLikeTxId),
            None if body.len() > 40 => Err(FieldError::EvmAddressLength { found: body.len() }),
            None => Ok(()),
        };
    }
    let found = s.chars().count();
    // bech32: letters, then "1", then the bech32 alphabet, in one case.
    let lower = s.to_ascii_lowercase();
    let single_case = s == lower || s == s.to_ascii_uppercase();
    let bech32_like = match lower.split_once('1') {
        None => lower.bytes().all(|b| b.is_ascii_lowercase()),
        Some((hrp, data)) => {
            !hrp.is_empty()
                && hrp.bytes().all(|b| b.is_ascii_lowercase())
                && data.chars().all(|c| BECH32.contains(c))
                && found <= 110
        }
    };
    let base58_like = s.chars().all(is_base58) && found <= 44;
    let ton_like =
        found <= 48 && s.chars().all(is_base64url) && TON_PREFIXES.iter().any(|p| p.starts_with(&s[..s.len().min(2)]));
    if (single_case && bech32_like) || base58_like || ton_like {
        return Ok(());
    }
    if let Some((hrp, data)) = lower.split_once('1').filter(|(hrp, _)| BECH32_PREFIXES.contains(hrp)) {
        if let Some(i) = data.find(|c| !BECH32.contains(c)) {
            return Err(FieldError::Bech32Char { bad: s[hrp.len() + 1 + i..].chars().next().unwrap_or('?') });
        }
    }
    match s.chars().find(|c| !is_base58(*c)) {
        Some(bad) => Err(FieldError::NotBase58 { bad }),
        None => Err(FieldError::AddressLength { found }),
    }
}

// ---------------------------------------------------------------------------
// Dates and times

const MONTHS: [&str; 12] = [
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

fn date_time(input: &str, now: Now) -> Result<Valid, FieldError> {
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

#[cfg(test)]
mod tests;
