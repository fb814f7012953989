//! Private keys and exchange API secrets.
//!
//! Some keys prove themselves: WIF keys and extended keys carry a
//! double-SHA-256 checksum. Others look exactly like public data — a
//! 64-hex private key is a transaction hash, an 88-character base58 Solana
//! secret is a transaction signature — and are only keys when the user
//! says so with a label. Binance-style API keys (64 letters and digits in
//! both cases) look like nothing public, so they need no label.

use sha2::{Digest, Sha256};

use super::view::{Kind, View};
use super::{Finding, SecretKind};

/// Labels that make a hash-shaped or signature-shaped token a private key.
const KEY_LABELS: &[&str] =
    &["private key", "privatekey", "priv key", "privkey", "pk:", "pk =", "secret key", "secretkey", "私钥"];

/// Labels of exchange API credentials ("密钥" is what exchanges call the
/// secret half of an API key; 私钥 is a wallet's private key).
const API_LABELS: &[&str] = &[
    "api secret",
    "apisecret",
    "secret key",
    "secretkey",
    "api key",
    "apikey",
    "access key",
    "accesskey",
    "client secret",
    "密钥",
    "秘钥",
];

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Finds private keys and API secrets.
pub(super) fn find(view: &View, out: &mut Vec<Finding>) {
    for (t, token) in view.tokens.iter().enumerate() {
        if token.kind != Kind::Word || token.end - token.start < 51 {
            continue; // every shape below is long
        }
        let s = view.text(t);
        let base58 = s.iter().all(|&c| c.is_ascii() && BASE58.contains(&(c as u8)));
        let is_key = if is_hex64(s) {
            view.labelled(t, t, KEY_LABELS)
        } else if base58 && is_wif_shaped(s) {
            is_wif(s) || view.labelled(t, t, KEY_LABELS)
        } else if base58 && (100..=120).contains(&s.len()) && matches!(&s[1..4], ['p', 'r', 'v'] | ['p', 'u', 'b']) {
            // xprv/xpub and their segwit and testnet twins: base58check
            // of 78 bytes. A damaged private one is still private.
            "xyztuvYZUV".contains(s[0]) && (is_extended_key(s) || s[1] == 'p' && s[2] == 'r')
        } else if base58 && (87..=88).contains(&s.len()) {
            view.labelled(t, t, KEY_LABELS)
        } else {
            if is_api_key_shaped(s) {
                out.push(Finding { kind: SecretKind::ApiSecret, start: token.start, end: token.end });
            }
            false
        };
        if is_key {
            out.push(Finding { kind: SecretKind::PrivateKey, start: token.start, end: token.end });
        }
    }
    labelled_api_secrets(view, out);
    keypair_arrays(view, out);
}

/// 64 hex digits, with or without `0x`.
fn is_hex64(s: &[char]) -> bool {
    let s = match s {
        ['0', 'x' | 'X', rest @ ..] => rest,
        _ => s,
    };
    s.len() == 64 && s.iter().all(char::is_ascii_hexdigit)
}

/// 51 characters starting 5 (mainnet) or 9 (testnet), or 52 starting K, L
/// (mainnet, compressed) or c (testnet).
fn is_wif_shaped(s: &[char]) -> bool {
    matches!((s.len(), s[0]), (51, '5' | '9') | (52, 'K' | 'L' | 'c'))
}

fn is_wif(s: &[char]) -> bool {
    base58check(s).is_some_and(|b| matches!(b[0], 0x80 | 0xef) && (b.len() == 33 || b.len() == 34 && b[33] == 1))
}

fn is_extended_key(s: &[char]) -> bool {
    base58check(s).is_some_and(|b| b.len() == 78)
}

/// 64 letters and digits with upper case, lower case and digits: the shape
/// of Binance-style API keys and secrets, and of no public identifier.
fn is_api_key_shaped(s: &[char]) -> bool {
    s.len() == 64
        && s.iter().all(char::is_ascii_alphanumeric)
        && s.iter().any(char::is_ascii_uppercase)
        && s.iter().any(char::is_ascii_lowercase)
        && s.iter().any(char::is_ascii_digit)
}

/// Decodes base58check: the payload, if the last four bytes are the start
/// of its double SHA-256.
fn base58check(s: &[char]) -> Option<Vec<u8>> {
    // Big-endian base conversion, little-endian in `n` while it runs.
    let mut n: Vec<u8> = Vec::with_capacity(s.len());
    for &c in s {
        let mut carry = BASE58.iter().position(|&b| c.is_ascii() && b == c as u8)? as u32;
        for byte in n.iter_mut() {
            carry += u32::from(*byte) * 58;
            *byte = carry as u8;
            carry >>= 8;
        }
        while carry > 0 {
            n.push(carry as u8);
            carry >>= 8;
        }
    }
    n.extend(s.iter().take_while(|&&c| c == '1').map(|_| 0));
    n.reverse();
    if n.len() < 5 {
        return None;
    }
    let (payload, checksum) = n.split_at(n.len() - 4);
    let hash = Sha256::digest(Sha256::digest(payload));
    (hash[..4] == *checksum).then(|| payload.to_vec())
}

/// "api secret: …", "API 密钥 …", "secretKey=…": the token after the label,
/// if it looks generated (16+ characters, letters and digits).
fn labelled_api_secrets(view: &View, out: &mut Vec<Finding>) {
    for (_, label_end) in view.find_labels(API_LABELS) {
        let Some(v) = view.value_after(label_end - 1) else { continue };
        let start = view.tokens[v].start;
        let rest = &view.chars[start..view.chars.len().min(start + 256)];
        let len = rest.iter().position(|&c| !(c.is_ascii_alphanumeric() || "-_+/=".contains(c))).unwrap_or(rest.len());
        let value = &rest[..len];
        let value = match value.iter().rposition(|&c| c.is_ascii_alphanumeric() || c == '=') {
            Some(last) => &value[..=last],
            None => continue,
        };
        if value.len() >= 16 && value.iter().any(char::is_ascii_digit) && value.iter().any(char::is_ascii_alphabetic) {
            // A 64-hex value after "secret key" is also found as a private
            // key; the overlap is resolved in favour of the key.
            out.push(Finding { kind: SecretKind::ApiSecret, start, end: start + value.len() });
        }
    }
}

/// A JSON array of 64 bytes, `[174,47,…]`: the keypair file Solana's
/// `solana-keygen` writes, pasted whole.
fn keypair_arrays(view: &View, out: &mut Vec<Finding>) {
    let chars = &view.chars;
    for (open, _) in chars.iter().enumerate().filter(|(_, &c)| c == '[') {
        let (mut count, mut i) = (0, open + 1);
        loop {
            while i < chars.len() && (chars[i] == ',' || chars[i].is_ascii_whitespace()) {
                i += 1;
            }
            let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 || digits > 3 || count > 64 {
                break;
            }
            let n: u32 = chars[i..i + digits].iter().fold(0, |n, c| n * 10 + c.to_digit(10).unwrap_or(0));
            if n > 255 {
                break;
            }
            count += 1;
            i += digits;
        }
        if count == 64 && chars.get(i) == Some(&']') {
            out.push(Finding { kind: SecretKind::PrivateKey, start: open, end: i + 1 });
        }
    }
}
