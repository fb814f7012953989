//! Random ids and tokens, and the hashes that stand in for them at rest.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A random id: `prefix` and 128 bits, URL-safe (`c_Qm3…`). Unguessable, so
/// ids can double as capabilities where the protocol says so.
pub fn random_id(prefix: &str) -> String {
    random_string(prefix, 16)
}

/// A bearer secret: `prefix` and 256 bits, URL-safe.
pub fn random_secret(prefix: &str) -> String {
    random_string(prefix, 32)
}

fn random_string(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}

/// A random token of `bytes` bytes in lower-case hex: for places that may
/// fold case, such as the local part of an e-mail address.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex(&buf)
}

/// SHA-256 of a token, lower-case hex: what the database keeps instead.
pub fn sha256_hex(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// `hex(HMAC-SHA256(key = secret, message = user_id))`, as the host's server
/// computes `userHash`.
pub fn user_hash(secret: &str, user_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(user_id.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// What `userHash` signs when it vouches for the user's name and e-mail
/// too: the user id, the name and the e-mail on three lines (an absent one
/// is an empty line). `None` when a value holds a line break, which would
/// make the form ambiguous.
pub fn profile_message(user_id: &str, name: Option<&str>, email: Option<&str>) -> Option<String> {
    let (name, email) = (name.unwrap_or(""), email.unwrap_or(""));
    let plain = |s: &str| !s.contains(['\n', '\r']);
    (plain(user_id) && plain(name) && plain(email)).then(|| format!("{user_id}\n{name}\n{email}"))
}

/// Whether `given` is the right `userHash` for `user_id`, compared in
/// constant time (upper-case hex is accepted too).
pub fn verify_user_hash(secret: &str, user_id: &str, given: &str) -> bool {
    let expected = user_hash(secret, user_id);
    constant_time_eq(expected.as_bytes(), given.to_ascii_lowercase().as_bytes())
}

/// Equality that takes the same time wherever the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_hash_matches_rfc_4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            user_hash("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(verify_user_hash(
            "Jefe",
            "what do ya want for nothing?",
            "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"
        ));
        assert!(!verify_user_hash("Jefe", "what do ya want for nothing?", "5bdc"));
    }

    #[test]
    fn ids_are_distinct_and_url_safe() {
        let (a, b) = (random_id("c_"), random_id("c_"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 2 + 22);
        assert!(a[2..].bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
}
