//! Why an answer was refused, and how to say so in each locale.

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

use crate::say;

impl FieldError {
    /// What is wrong, as a sentence for the user, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        use FieldError as E;
        let l = locale;
        match self {
            E::Empty => say!(l, field_empty),
            E::TooLong { max, found } => {
                say!(l, field_too_long, found, max)
            }
            E::NotAnOption { options } => {
                let list = options.join(crate::locale::messages(l).list_separator());
                say!(l, field_not_an_option, list)
            }
            E::EmailNoAt => say!(l, field_email_no_at),
            E::EmailSpace => say!(l, field_email_space),
            E::EmailBadChar { bad } => {
                say!(l, field_email_bad_char, bad)
            }
            E::EmailLocalPart => {
                say!(l, field_email_local_part)
            }
            E::EmailDomain { domain } => say!(l, field_email_domain, domain),
            E::PhoneBadChar { bad } => say!(l, field_phone_bad_char, bad),
            E::PhoneLength { found } => {
                say!(l, field_phone_length, found)
            }
            E::NotEmailOrPhone => {
                say!(l, field_not_email_or_phone)
            }
            E::UidNotDigits { bad } => {
                say!(l, field_uid_not_digits, bad)
            }
            E::UidLength { found } => {
                say!(l, field_uid_length, found)
            }
            E::AmountMissing => {
                say!(l, field_amount_missing)
            }
            E::AmountZero => say!(l, field_amount_zero),
            E::AmountNegative => {
                say!(l, field_amount_negative)
            }
            E::AmountTwoPoints => say!(l, field_amount_two_points),
            E::AmountNotNumber { bad } => say!(l, field_amount_not_number, bad),
            E::AmountGrouping => say!(l, field_amount_grouping),
            E::AmountUnit { unit } => {
                say!(l, field_amount_unit, unit)
            }
            E::CoinBadChar { bad } => say!(l, field_coin_bad_char, bad),
            E::CoinLength { found } => say!(l, field_coin_length, found),
            E::CoinIsAmount => {
                say!(l, field_coin_is_amount)
            }
            E::TxIdLength { found } => {
                say!(l, field_tx_id_length, found)
            }
            E::NotHex { bad } => say!(l, field_not_hex, bad),
            E::SignatureLength { found } => say!(l, field_signature_length, found),
            E::NotBase58 { bad } => say!(l, field_not_base58, bad),
            E::LooksLikeAddress => say!(l, field_looks_like_address),
            E::LooksLikeTxId => say!(l, field_looks_like_tx_id),
            E::LinkWithoutTxId => {
                say!(l, field_link_without_tx_id)
            }
            E::LinkWithoutAddress => {
                say!(l, field_link_without_address)
            }
            E::IdBadChar { bad } => say!(l, field_id_bad_char, bad),
            E::IdLength { found } => say!(l, field_id_length, found),
            E::AddressSpace => say!(l, field_address_space),
            E::EvmAddressLength { found } => say!(l, field_evm_address_length, found),
            E::AddressLength { found } => say!(l, field_address_length, found),
            E::Bech32Char { bad } => say!(l, field_bech32_char, bad),
            E::Bech32Checksum => say!(l, field_bech32_checksum),
            E::NotAnAddress => say!(l, field_not_an_address),
            E::DateUnparsed => say!(l, field_date_unparsed),
            E::DateInFuture { value } => {
                say!(l, field_date_in_future, value)
            }
            E::YearOutOfRange { year } => {
                say!(l, field_year_out_of_range, year)
            }
            E::MonthOutOfRange { month } => {
                say!(l, field_month_out_of_range, month)
            }
            E::DayOutOfRange { year, month, day } => {
                let name =
                    crate::locale::messages(l).month().get(month.wrapping_sub(1) as usize).copied().unwrap_or("");
                say!(l, field_day_out_of_range, month_name = name, year, day)
            }
            E::HourOutOfRange { hour } => {
                say!(l, field_hour_out_of_range, hour)
            }
            E::MinuteOutOfRange { minute } => {
                say!(l, field_minute_out_of_range, minute)
            }
        }
    }
}
