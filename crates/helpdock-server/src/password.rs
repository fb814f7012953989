//! Agent passwords: argon2id hashes, a floor on strength, and a verifier
//! that costs the same whether or not the account exists.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hashes a password (argon2id, default parameters, random salt).
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes any password").to_string()
}

/// Checks a password against a stored hash. With no hash (no such agent)
/// it checks against a throwaway one, so both cases take as long.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("a password nobody has"));
    let Ok(parsed) = PasswordHash::new(stored.unwrap_or(dummy)) else { return false };
    let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
    ok && stored.is_some()
}

/// Why a new password is refused, in a sentence; `None` when it will do.
pub fn weakness(password: &str, email: &str) -> Option<String> {
    let chars = password.chars().count();
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if password.trim().is_empty() {
        Some("The password is empty.".into())
    } else if chars < 10 {
        Some(format!("The password has {chars} characters; use at least 10."))
    } else if password.chars().all(|c| password.starts_with(c)) {
        Some("The password repeats one character; choose a longer phrase.".into())
    } else if ["password", "123456", "qwerty", "letmein", "admin"].iter().any(|w| lower.contains(w)) {
        Some("The password contains a word every attacker tries first.".into())
    } else if local.len() >= 3 && lower.contains(&local) {
        Some("The password contains the e-mail address.".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_unknown_accounts_never_match() {
        let stored = hash("correct horse battery");
        assert!(verify("correct horse battery", Some(&stored)));
        assert!(!verify("correct horse battery!", Some(&stored)));
        assert!(!verify("a password nobody has", None));
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert_eq!(weakness("", "a@b.c").as_deref(), Some("The password is empty."));
        assert!(weakness("short", "a@b.c").unwrap().contains("5 characters"));
        assert!(weakness("aaaaaaaaaaaa", "a@b.c").is_some());
        assert!(weakness("mypassword99", "a@b.c").is_some());
        assert!(weakness("mei.lin-2026!", "mei.lin@example.com").is_some());
        assert_eq!(weakness("teal otter 42 lamp", "mei@example.com"), None);
    }
}
