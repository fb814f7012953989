//! Why an answer was refused, and how to say so in each locale.

use super::dates::MONTHS;
use crate::locale::Locale;

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
