//! guard/: is there a secret in this text, before it leaves the page?
//!
//! The widget runs every chat message, ticket and attachment name through
//! [`Guard::scan`] before sending it. Recovery phrases, private keys, API
//! secrets, passwords and one-time codes *block* the text: it is not sent
//! and not stored, and the user is told why ([`SecretKind::explain`]) along
//! with [`ANTI_PHISHING_NOTE_EN`]. Links to hosts outside the operator's
//! official domains only *warn*.
//!
//! Support traffic is full of things that look like secrets and are not:
//! transaction hashes (64 hex digits, exactly a private key's shape),
//! Solana signatures (88 base58 characters, a Solana secret's shape),
//! addresses, order numbers, UIDs, amounts, and people complaining that
//! their password is wrong. So shapes that public data shares need a label
//! ("private key: …", "验证码是 …"); only shapes nothing public has (WIF and
//! extended keys with valid checksums, runs of mnemonic words,
//! Binance-style API keys) stand on their own.
//!
//! ```
//! use helpdock_core::guard::{self, Guard, SecretKind};
//!
//! let guard = Guard::new(&["example.com"]);
//! let text = "TxID 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060, 2FA code 123456";
//! let findings = guard.scan(text);
//! // The transaction hash passes; the one-time code does not.
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].kind, SecretKind::OtpCode);
//! assert!(guard::blocks(&findings));
//! assert!(guard::redact(text, &findings).ends_with("2FA code [hidden: otp_code]"));
//!
//! // Official links pass; others only warn.
//! assert!(guard.scan("see https://help.example.com/deposits").is_empty());
//! assert!(!guard::blocks(&guard.scan("see https://examp1e.com/login")));
//! ```

mod credentials;
mod keys;
mod links;
mod seed;
mod view;

use crate::locale::Locale;

/// A kind of secret (or risky content) the guard recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// A BIP-39 recovery phrase (mnemonic), English or Chinese.
    SeedPhrase,
    /// A private key: labelled 64-hex, WIF, extended key, labelled Solana secret.
    PrivateKey,
    /// An exchange API key or secret.
    ApiSecret,
    /// A password the user gives as such.
    Password,
    /// A one-time code: 2FA, SMS or e-mail verification.
    OtpCode,
    /// A link to a host outside the official domains. Warns; does not block.
    UnofficialLink,
}

impl SecretKind {
    /// The kind's name on the wire and in redactions: `seed_phrase`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::SeedPhrase => "seed_phrase",
            SecretKind::PrivateKey => "private_key",
            SecretKind::ApiSecret => "api_secret",
            SecretKind::Password => "password",
            SecretKind::OtpCode => "otp_code",
            SecretKind::UnofficialLink => "unofficial_link",
        }
    }

    /// Whether text containing this kind must not be sent: every kind but
    /// [`SecretKind::UnofficialLink`].
    pub fn blocks(self) -> bool {
        self != SecretKind::UnofficialLink
    }

    /// One sentence for the user: what was found and why it was stopped.
    pub fn explain(self, locale: Locale) -> &'static str {
        let m = crate::locale::messages(locale);
        match self {
            SecretKind::SeedPhrase => m.guard_seed_phrase(),
            SecretKind::PrivateKey => m.guard_private_key(),
            SecretKind::ApiSecret => m.guard_api_secret(),
            SecretKind::Password => m.guard_password(),
            SecretKind::OtpCode => m.guard_otp_code(),
            SecretKind::UnofficialLink => m.guard_unofficial_link(),
        }
    }

    /// When two findings overlap, the one that says more is kept: "one-time
    /// password: 123456" is a one-time code, "password: 5Hue…" a private key.
    fn rank(self) -> u8 {
        match self {
            SecretKind::SeedPhrase => 0,
            SecretKind::PrivateKey => 1,
            SecretKind::ApiSecret => 2,
            SecretKind::OtpCode => 3,
            SecretKind::Password => 4,
            SecretKind::UnofficialLink => 5,
        }
    }
}

/// A secret found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it is.
    pub kind: SecretKind,
    /// Where it starts: a byte offset in the scanned text.
    pub start: usize,
    /// Where it ends (exclusive): a byte offset in the scanned text.
    pub end: usize,
}

/// The secrets guard, configured with the operator's official domains.
///
/// [`Guard::default`] knows no official domain, so every link warns.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    /// Official domains, lower-case; their subdomains are official too.
    official: Vec<String>,
}

impl Guard {
    /// A guard for these official domains (`example.com` also covers
    /// `www.example.com` and `help.example.com`). A scheme, path, port or
    /// leading `*.` in an entry is ignored.
    pub fn new<S: AsRef<str>>(official_domains: &[S]) -> Guard {
        let official = official_domains
            .iter()
            .filter_map(|d| {
                let d = d.as_ref().trim().to_ascii_lowercase();
                let d = d.strip_prefix("https://").or_else(|| d.strip_prefix("http://")).unwrap_or(&d);
                let d = d.split(['/', ':']).next().unwrap_or("");
                let d = d.trim_start_matches("*.").trim_matches('.');
                (!d.is_empty()).then(|| d.to_owned())
            })
            .collect();
        Guard { official }
    }

    /// Every secret and unofficial link in `text`, sorted by start.
    /// Findings do not overlap: where two would, the more serious is kept.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let view = view::View::new(text);
        let mut found = Vec::new();
        seed::find(&view, &mut found);
        keys::find(&view, &mut found);
        credentials::find(&view, &mut found);
        links::find(&view.chars, &self.official, &mut found);
        // Found in characters; keep the most serious of overlapping ones.
        crate::sort::sort_by_key(&mut found, |f| (f.kind.rank(), f.start, usize::MAX - f.end));
        // `kept` stays sorted and disjoint, so only the neighbours of where
        // a finding would go can overlap it.
        let mut kept: Vec<Finding> = Vec::with_capacity(found.len());
        for f in found {
            let at = kept.partition_point(|k| k.start < f.start);
            let clashes = |k: &Finding| k.start < f.end && f.start < k.end;
            if !(at > 0 && clashes(&kept[at - 1]) || kept.get(at).is_some_and(clashes)) {
                kept.insert(at, f);
            }
        }
        for f in &mut kept {
            f.start = view.byte(f.start);
            f.end = view.byte(f.end);
        }
        kept
    }
}

impl Guard {
    /// `text` with every secret hidden ([`redact`]), or `None` when it
    /// holds none. Hiding one secret can give another its shape: in "my
    /// password is password hunter22" the scan takes `hunter22` for the
    /// value, and once it is hidden, the second "password" reads as one. So
    /// the text is scanned again until nothing that blocks is left (found
    /// by the guard fuzzer; a few rounds at most, then the whole text).
    pub fn hide(&self, text: &str) -> Option<String> {
        let mut findings = self.scan(text);
        if !blocks(&findings) {
            return None;
        }
        let mut hidden = text.to_owned();
        for _ in 0..8 {
            hidden = redact(&hidden, &findings);
            findings = self.scan(&hidden);
            if !blocks(&findings) {
                return Some(hidden);
            }
        }
        Some("[hidden]".to_owned())
    }
}

/// Whether any finding stops the text from being sent.
pub fn blocks(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.kind.blocks())
}

/// `text` with each blocking finding replaced by `[hidden: <kind>]`. Links
/// are left as they are. What is left can still hold a secret the findings
/// did not name: [`Guard::hide`] is what keeps one from being stored.
pub fn redact(text: &str, findings: &[Finding]) -> String {
    let mut hidden: Vec<&Finding> = findings.iter().filter(|f| f.kind.blocks()).collect();
    crate::sort::sort_by_key(&mut hidden, |f| (f.start, f.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in hidden {
        // Clamped rather than trusted: a range that overlaps one already
        // hidden, or runs past the end, hides what it can.
        let (start, end) = (f.start.max(at), f.end.min(text.len()));
        if start >= end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str("[hidden: ");
        out.push_str(f.kind.as_str());
        out.push(']');
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// What to tell a user whose text was stopped: the kinds of secret found
/// (each once, in the order found), one sentence per kind, and the
/// anti-phishing note. The bot, live chat, tickets and file names all say
/// it this way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    /// The kinds that block, each once.
    pub kinds: Vec<SecretKind>,
    /// One sentence per kind.
    pub reasons: Vec<String>,
    /// [`anti_phishing_note`] in the user's language.
    pub note: &'static str,
}

impl Stopped {
    /// What `findings` stop, or `None` when nothing in them blocks.
    pub fn of(findings: &[Finding], locale: Locale) -> Option<Stopped> {
        let mut kinds: Vec<SecretKind> = Vec::new();
        for f in findings.iter().filter(|f| f.kind.blocks()) {
            if !kinds.contains(&f.kind) {
                kinds.push(f.kind);
            }
        }
        if kinds.is_empty() {
            return None;
        }
        let reasons = kinds.iter().map(|k| k.explain(locale).to_owned()).collect();
        Some(Stopped { kinds, reasons, note: anti_phishing_note(locale) })
    }
}

/// What official support never asks for, in `locale`: shown with every
/// blocked secret.
pub fn anti_phishing_note(locale: Locale) -> &'static str {
    crate::locale::messages(locale).guard_anti_phishing_note()
}

#[cfg(test)]
mod tests;
