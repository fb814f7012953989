//! Agent passwords: argon2id hashes, a floor on strength, a verifier that
//! costs the same whether or not the account exists, and the one thread
//! they run on.

use std::sync::mpsc;
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

type Job = Box<dyn FnOnce() + Send>;

/// The password thread did not answer (the work panicked).
#[derive(Debug, thiserror::Error)]
#[error("the password thread did not answer")]
pub struct Unanswered;

/// Runs password work ([`hash`], [`verify`]) off the async workers, on one
/// thread for the whole process, and waits for it.
///
/// An argon2 hash fills 19 MiB (the default memory cost). Run on the
/// blocking pool, each sign-in may land on another thread, and glibc keeps
/// the freed 19 MiB in that thread's arena (its mmap threshold rises to the
/// first such buffer freed), so the process kept about 60 MB per arena, up
/// to 16 arenas: 937 MB resident after 100 sign-ins in the load test
/// (`BENCHMARKS.md`). On one thread the same memory is reused; sign-ins
/// queue (under 40 ms each) instead of running at once, which also bounds
/// what a flood of sign-ins can cost.
pub async fn on_password_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Unanswered> {
    static THREAD: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    let jobs = THREAD.get_or_init(|| {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("helpdock-password".into())
            .spawn(move || {
                for job in queue {
                    // A panic drops the job's answer (the caller gets
                    // `Unanswered`) and leaves the thread serving.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            })
            .expect("the password thread starts");
        jobs
    });
    let (answer, answered) = tokio::sync::oneshot::channel();
    jobs.send(Box::new(move || {
        let _ = answer.send(work());
    }))
    .map_err(|_| Unanswered)?;
    answered.await.map_err(|_| Unanswered)
}

/// Hashes a password (argon2id, default parameters, random salt).
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes any password").to_string()
}

/// Checks a password against a stored hash. With no hash (no such agent)
/// it checks against a throwaway one, so both cases take as long.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
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

    #[tokio::test]
    async fn work_on_the_password_thread_answers_and_survives_a_panic() {
        let stored = on_password_thread(|| hash("teal otter 42 lamp")).await.unwrap();
        assert!(on_password_thread(move || verify("teal otter 42 lamp", Some(&stored))).await.unwrap());
        assert!(on_password_thread(|| -> bool { panic!("argon2 failed") }).await.is_err());
        assert_eq!(on_password_thread(|| 42).await.unwrap(), 42);
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
