//! What identifies things on a blockchain: coins, networks, transaction
//! hashes (TxIDs) and the exchange's own ids, wallet addresses.

use super::input::{clean, fold_width, is_label_start, unlabel, within, ADDRESS_LABELS, ID_LABELS, TX_LABELS};
use super::{FieldError, Valid};

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

pub(super) fn coin(s: &str) -> Result<Valid, FieldError> {
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

pub(super) fn partial_coin(s: &str) -> Result<(), FieldError> {
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

pub(super) fn network(input: &str) -> Result<Valid, FieldError> {
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

const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_PREFIXES: &[&str] = &["bc", "tb", "bcrt", "ltc", "tltc"];
/// How TON's user-friendly (base64url) addresses begin.
const TON_PREFIXES: &[&str] = &["EQ", "UQ", "kQ", "0Q"];

fn is_base58(c: char) -> bool {
    BASE58.contains(c) && c.is_ascii()
}

pub(super) fn strip_0x(s: &str) -> Option<&str> {
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

pub(super) fn tx_id(input: &str) -> Result<Valid, FieldError> {
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

pub(super) fn partial_tx_id(s: &str) -> Result<(), FieldError> {
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
pub(super) fn id_error(s: &str) -> Option<FieldError> {
    if let Some(bad) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return Some(FieldError::IdBadChar { bad });
    }
    let found = s.len();
    (!(6..=64).contains(&found)).then_some(FieldError::IdLength { found })
}

pub(super) fn tx_id_or_id(input: &str) -> Result<Valid, FieldError> {
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

pub(super) fn address(input: &str) -> Result<Valid, FieldError> {
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

pub(super) fn partial_address(s: &str) -> Result<(), FieldError> {
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
