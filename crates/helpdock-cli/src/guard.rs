//! `helpdock guard`: the secrets guard over stdin, for measuring it on real
//! questions. One text per line in, one JSON line out:
//! `{"text_len", "blocked", "kinds"}`. The text itself is never printed, so
//! the output can be kept and shared even when the input held secrets.

use std::io::{self, BufRead, BufWriter, Write};

use anyhow::{Context, Result};
use helpdock_core::guard::{self, Guard};
use serde_json::json;

/// Scans each line of stdin with a guard for these official domains.
pub fn run(official_domains: &[String]) -> Result<()> {
    let guard = Guard::new(official_domains);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in io::stdin().lock().split(b'\n') {
        let bytes = line.context("reading stdin")?;
        // Lenient: a stray invalid byte must not stop a measurement run.
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_suffix('\r').unwrap_or(&text);
        let findings = guard.scan(text);
        let mut kinds: Vec<&str> = Vec::new();
        for kind in findings.iter().map(|f| f.kind.as_str()) {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        // Written by hand to keep the documented key order.
        let (len, blocked, kinds) = (text.chars().count(), guard::blocks(&findings), json!(kinds));
        writeln!(out, r#"{{"text_len": {len}, "blocked": {blocked}, "kinds": {kinds}}}"#)?;
    }
    out.flush()?;
    Ok(())
}
