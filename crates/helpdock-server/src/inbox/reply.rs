//! What an e-mailed reply says: the words the user wrote above the e-mail
//! they answered.

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
