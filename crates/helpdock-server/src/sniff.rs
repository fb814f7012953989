//! What a file is, by its bytes: the name and the declared type are the
//! user's (or an attacker's) word, the magic numbers are not.

/// The types attachments may have, as `Session.limits` lists them.
pub const ACCEPTED: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"];

/// Why a file was refused: a sentence naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

const ACCEPTED_PROSE: &str = "only PNG, JPEG, GIF and WebP images, PDF documents and plain text can be attached";

/// A file name as the user gave it, made safe to store and show: without
/// any folder, control characters or quotes, at most 200 characters, never
/// empty or hidden (`file` instead).
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !is_format(*c) && !matches!(c, '"' | '<' | '>')).take(200).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

/// Message text without the invisible characters that can make it read as
/// something else: bidirectional overrides, embeddings and isolates
/// ("pay\u{202E}moc.lapyap" shows a reversed address), zero-width spaces
/// and word joiners inside a link, the byte-order mark. Joiners that
/// writing needs (U+200C, U+200D: Persian, emoji sequences) and the marks
/// U+200E, U+200F, U+061C stay.
pub fn plain_text(text: String) -> String {
    let spoofs = |c: char| matches!(c, '\u{200B}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
    if text.chars().any(spoofs) {
        text.chars().filter(|c| !spoofs(*c)).collect()
    } else {
        text
    }
}

/// Invisible characters that reorder or hide text: bidirectional
/// overrides and isolates (`invoice\u{202E}fdp.exe` shows as
/// "invoiceexe.pdf"), zero-width characters, the byte-order mark.
fn is_format(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A cleaned name given the extension of the type its bytes are (kept when
/// it already has one of that type's), so that a name never promises what
/// the file is not: `evil.hta` holding text is stored as `evil.txt`,
/// `scan.pdf.exe` holding a PDF as `scan.pdf`.
pub fn stored_name(name: &str, content_type: &str) -> String {
    let extensions: &[&str] = match content_type {
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg"],
        "image/gif" => &["gif"],
        "image/webp" => &["webp"],
        "application/pdf" => &["pdf"],
        _ => &["txt", "text", "log"],
    };
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty() && (1..=8).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            (stem, Some(ext))
        }
        _ => (name, None),
    };
    let has = |e: &str| extensions.iter().any(|x| x.eq_ignore_ascii_case(e));
    if ext.is_some_and(has) {
        return name.to_owned();
    }
    match stem.rsplit_once('.') {
        Some((_, inner)) if has(inner) => stem.to_owned(),
        _ => format!("{stem}.{}", extensions[0]),
    }
}

/// The accepted type of `bytes`, or a sentence saying what the file named
/// `name` really is. A name whose extension promises another accepted type
/// (`photo.png` holding text) counts as disguised too.
pub fn sniff(name: &str, bytes: &[u8]) -> Result<&'static str, Refused> {
    let found = accepted_type(bytes);
    let Some(found) = found else {
        let what = describe(bytes);
        return Err(Refused(format!("\"{name}\" is {what}, not a file we accept: {ACCEPTED_PROSE}.")));
    };
    if let Some(promised) = type_of_extension(name) {
        if promised != found {
            return Err(Refused(format!(
                "\"{name}\" is named like {} but its contents are {}; {ACCEPTED_PROSE}, named for what they are.",
                prose(promised),
                prose(found)
            )));
        }
    }
    Ok(found)
}

fn accepted_type(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some("image/webp")
    } else if b.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if is_plain_text(b) {
        Some("text/plain")
    } else {
        None
    }
}

/// UTF-8 without control characters other than whitespace, and not markup:
/// an HTML or SVG page is refused even as text.
fn is_plain_text(b: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(b) else { return false };
    let text = text.trim_start_matches('\u{feff}');
    !text.is_empty()
        && !text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        && !text.trim_start().starts_with('<')
}

fn describe(b: &[u8]) -> &'static str {
    let lead = std::str::from_utf8(&b[..b.len().min(512)]).unwrap_or("").trim_start().to_ascii_lowercase();
    if b.is_empty() {
        "empty"
    } else if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        "a ZIP archive"
    } else if b.starts_with(b"MZ") {
        "a Windows program"
    } else if b.starts_with(b"\x7fELF") {
        "a Linux program"
    } else if b.starts_with(&[0x1f, 0x8b]) {
        "a gzip archive"
    } else if lead.starts_with('<') && (lead.contains("<svg") || lead.contains("<?xml")) {
        "an SVG or XML document"
    } else if lead.starts_with('<') {
        "an HTML page"
    } else {
        "of a type we cannot recognise"
    }
}

fn type_of_extension(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" | "jfif" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "txt" | "log" | "csv" | "md" | "json" => "text/plain",
        _ => return None,
    })
}

fn prose(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "a PNG image",
        "image/jpeg" => "a JPEG image",
        "image/gif" => "a GIF image",
        "image/webp" => "a WebP image",
        "application/pdf" => "a PDF document",
        _ => "plain text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_text_loses_what_reorders_or_hides_and_keeps_what_writing_needs() {
        assert_eq!(plain_text("pay at evil\u{202E}moc.lapyap".into()), "pay at evilmoc.lapyap");
        assert_eq!(plain_text("https://pay\u{200B}pal.com \u{2066}x\u{2069}\u{FEFF}".into()), "https://paypal.com x");
        let family = "👨\u{200D}👩\u{200D}👧 می\u{200C}خواهم";
        assert_eq!(plain_text(family.into()), family);
    }

    #[test]
    fn stored_names_say_what_the_bytes_are_and_hide_nothing() {
        assert_eq!(clean_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_name("a\u{200B}b\u{FEFF}.png"), "ab.png");
        assert_eq!(stored_name("evil.hta", "text/plain"), "evil.txt");
        assert_eq!(stored_name("run.ps1", "text/plain"), "run.txt");
        assert_eq!(stored_name("page.html", "text/plain"), "page.txt");
        assert_eq!(stored_name("scan.pdf.exe", "application/pdf"), "scan.pdf");
        assert_eq!(stored_name("notes", "text/plain"), "notes.txt");
        assert_eq!(stored_name("Photo.JPEG", "image/jpeg"), "Photo.JPEG");
        assert_eq!(stored_name("deposit proof.png", "image/png"), "deposit proof.png");
        assert_eq!(stored_name("version 1.2 final", "application/pdf"), "version 1.2 final.pdf");
        assert_eq!(stored_name("file", "image/webp"), "file.webp");
    }

    #[test]
    fn accepted_types_by_their_bytes() {
        assert_eq!(sniff("a.png", b"\x89PNG\r\n\x1a\n...."), Ok("image/png"));
        assert_eq!(sniff("a", b"\xFF\xD8\xFF\xE0"), Ok("image/jpeg"));
        assert_eq!(sniff("a.gif", b"GIF89a.."), Ok("image/gif"));
        assert_eq!(sniff("a.webp", b"RIFF\0\0\0\0WEBPVP8 "), Ok("image/webp"));
        assert_eq!(sniff("a.pdf", b"%PDF-1.7"), Ok("application/pdf"));
        assert_eq!(sniff("notes.log", "TxID 0x9f 充值\n".as_bytes()), Ok("text/plain"));
    }

    #[test]
    fn disguised_files_are_named_and_described() {
        let zip = sniff("receipt.png", b"PK\x03\x04\x14\0\0\0").unwrap_err();
        assert_eq!(zip.0, "\"receipt.png\" is a ZIP archive, not a file we accept: only PNG, JPEG, GIF and WebP images, PDF documents and plain text can be attached.");
        assert!(sniff("x.png", b"<!doctype html><script>alert(1)</script>").unwrap_err().0.contains("an HTML page"));
        assert!(sniff("x.txt", b"<svg onload=alert(1)>").unwrap_err().0.contains("SVG"));
        assert!(sniff("setup.pdf", b"MZ\x90\0\x03").unwrap_err().0.contains("Windows program"));
        let text_as_png = sniff("photo.png", b"just text").unwrap_err();
        assert!(text_as_png.0.contains("named like a PNG image but its contents are plain text"), "{}", text_as_png.0);
        assert!(sniff("empty.txt", b"").unwrap_err().0.contains("is empty"));
    }
}
