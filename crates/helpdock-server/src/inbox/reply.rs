//! What an e-mailed reply says: who sent it, the words the user wrote
//! above the e-mail they answered, and its files.

use mail_parser::{MessageParser, MimeHeaders};

use super::thread::MailedFile;
use crate::token::sha256_hex;

/// An e-mailed reply, read from its bytes (nothing checked yet).
#[derive(Debug, Clone)]
pub struct MailReply {
    /// The `From` address (empty when there is none).
    pub from: String,
    /// An out-of-office or other automatic answer (`Auto-Submitted`).
    pub automatic: bool,
    /// The user's own words ([`strip_quoted`]).
    pub body: String,
    /// Its attachments.
    pub files: Vec<MailedFile>,
    /// The same for a mail delivered twice: a hash of its Message-ID, or of
    /// its bytes when it has none.
    pub identity: String,
}

/// Reads a mail as a reply; `None` when it cannot be read as a mail.
pub fn read(message: &[u8]) -> Option<MailReply> {
    let parsed = MessageParser::default().parse(message)?;
    let from = parsed.from().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or("").to_string();
    let automatic = parsed.header_raw("Auto-Submitted").map(str::trim).is_some_and(|v| !v.eq_ignore_ascii_case("no"));
    let body = strip_quoted(&parsed.body_text(0).unwrap_or_default());
    let files = parsed
        .attachments()
        .map(|part| MailedFile {
            name: part.attachment_name().unwrap_or("attachment").to_string(),
            data: part.contents().to_vec(),
        })
        .collect();
    let identity = parsed.message_id().map_or_else(|| sha256_hex(&String::from_utf8_lossy(message)), sha256_hex);
    Some(MailReply { from, automatic, body, files, identity })
}

/// The user's own words in a reply: lines quoted with `>` dropped, and
/// everything from the line that introduces the answered e-mail on ("On …
/// wrote:", also wrapped over two lines; "在 … 写道："; Outlook's
/// "-----Original Message-----" or a rule followed by "From:"), trimmed.
pub fn strip_quoted(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim_end();
        let next = lines.get(i + 1).map_or("", |l| l.trim());
        if introduces_quote(line.trim(), next) {
            break;
        }
        if !line.trim_start().starts_with('>') {
            kept.push(line);
        }
    }
    kept.join("\n").trim().to_string()
}

fn introduces_quote(line: &str, next: &str) -> bool {
    let attribution = |s: &str| {
        (s.starts_with("On ") && s.ends_with("wrote:"))
            || (s.starts_with('在') && (s.ends_with("写道：") || s.ends_with("写道:")))
    };
    attribution(line)
        || (line.starts_with("On ") && next.ends_with("wrote:") && attribution(&format!("{line} {next}")))
        || (line.starts_with("-----") && line.to_ascii_lowercase().contains("original message"))
        || (line.len() >= 10 && line.chars().all(|c| c == '_') && next.starts_with("From:"))
}

#[cfg(test)]
mod tests {
    use super::strip_quoted;

    #[test]
    fn quoted_history_is_removed() {
        let gmail = "It arrived, thanks!\r\n\r\nOn Mon, 30 Nov 2026 at 12:00, Helpdock <support@example.com> wrote:\r\n> Mei replied to your request\r\n> We found it.\r\n";
        assert_eq!(strip_quoted(gmail), "It arrived, thanks!");
        let wrapped =
            "Still nothing.\nOn Mon, 30 Nov 2026 at 12:00, Helpdock <\nsupport@example.com> wrote:\n\nold text\n";
        assert_eq!(strip_quoted(wrapped), "Still nothing.");
        let chinese =
            "已经到账了，谢谢。\n\n在 2026年11月30日 12:00，Helpdock <support@example.com> 写道：\n> 我们找到了。\n";
        assert_eq!(strip_quoted(chinese), "已经到账了，谢谢。");
        let outlook = "Here is the receipt.\n\n-----Original Message-----\nFrom: Helpdock\n";
        assert_eq!(strip_quoted(outlook), "Here is the receipt.");
        let rule = "Done.\n________________________________\nFrom: Helpdock <support@example.com>\nSent: Monday\n";
        assert_eq!(strip_quoted(rule), "Done.");
    }

    #[test]
    fn interleaved_answers_keep_the_users_lines_only() {
        let text = "> Which network?\nTRC20\n> And the amount?\n250 USDT\n\n";
        assert_eq!(strip_quoted(text), "TRC20\n250 USDT");
        assert_eq!(
            strip_quoted("On Monday I sent 250 USDT.\nStill missing."),
            "On Monday I sent 250 USDT.\nStill missing."
        );
        assert_eq!(strip_quoted("> only quotes\n"), "");
    }
}
