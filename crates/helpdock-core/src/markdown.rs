//! The small Markdown dialect articles are written in, parsed into a tree
//! the widget renders as DOM nodes: text is only ever text, so article
//! content cannot inject markup or script, and links can only go where a
//! link should.
//!
//! Supported: paragraphs, `#`–`###` headings, `-`/`*` and `1.` lists,
//! `>` quotes, fenced code, `**bold**`, `*italic*`/`_italic_`, `` `code` ``,
//! `[text](url)` and `![alt](src)`. Raw HTML is shown as the text it is.

/// A block of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading of level 1–3 (rendered one level below the panel's own).
    Heading(u8, Vec<Inline>),
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A list; `true` when numbered.
    List(bool, Vec<Vec<Inline>>),
    /// A quotation, e.g. a safety note.
    Quote(Vec<Inline>),
    /// Preformatted text.
    Code(String),
}

/// Text inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Strong emphasis.
    Strong(Vec<Inline>),
    /// Emphasis.
    Emphasis(Vec<Inline>),
    /// Inline code.
    Code(String),
    /// A link whose URL passed [`safe_url`].
    Link {
        /// The link text.
        text: Vec<Inline>,
        /// The target.
        href: String,
    },
    /// An image whose URL passed [`safe_url`].
    Image {
        /// Alternative text.
        alt: String,
        /// The source.
        src: String,
    },
}

/// Whether a URL may be put in a link or image: `https:`, `http:`,
/// `mailto:`, or a path on the same site. Anything else (`javascript:`,
/// `data:`, `vbscript:`, protocol-relative `//host`) is refused, and the
/// link is shown as plain text.
pub fn safe_url(url: &str) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if url.is_empty() || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    if lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:") {
        return true;
    }
    if lower.starts_with("//") {
        return false;
    }
    // Relative: no scheme before the first '/', '?' or '#'.
    let head = lower.split(['/', '?', '#']).next().unwrap_or_default();
    !head.contains(':')
}

/// Parses an article body.
pub fn parse(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let mut quote: Vec<&str> = Vec::new();
    let mut lines = markdown.lines().peekable();

    fn flush_paragraph(paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>) {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(inlines(&paragraph.join(" "))));
            paragraph.clear();
        }
    }
    fn flush_list(list: &mut Option<(bool, Vec<String>)>, blocks: &mut Vec<Block>) {
        if let Some((ordered, items)) = list.take() {
            blocks.push(Block::List(ordered, items.iter().map(|i| inlines(i)).collect()));
        }
    }
    fn flush_quote(quote: &mut Vec<&str>, blocks: &mut Vec<Block>) {
        if !quote.is_empty() {
            blocks.push(Block::Quote(inlines(&quote.join(" "))));
            quote.clear();
        }
    }

    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            flush_paragraph(&mut paragraph, &mut blocks);
            flush_list(&mut list, &mut blocks);
            flush_quote(&mut quote, &mut blocks);
            let mut code = Vec::new();
            for l in lines.by_ref() {
                if l.trim().starts_with("```") {
                    break;
                }
                code.push(l);
            }
            blocks.push(Block::Code(code.join("\n")));
            continue;
        }
        if trimmed.is_empty() {
            flush_paragraph(&mut paragraph, &mut blocks);
            flush_list(&mut list, &mut blocks);
            flush_quote(&mut quote, &mut blocks);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('>') {
            flush_paragraph(&mut paragraph, &mut blocks);
            flush_list(&mut list, &mut blocks);
            quote.push(rest.trim());
            continue;
        }
        flush_quote(&mut quote, &mut blocks);
        let hashes = trimmed.bytes().take_while(|b| *b == b'#').count();
        if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
            flush_paragraph(&mut paragraph, &mut blocks);
            flush_list(&mut list, &mut blocks);
            blocks.push(Block::Heading(hashes.min(3) as u8, inlines(trimmed[hashes..].trim())));
            continue;
        }
        if let Some((ordered, item)) = list_item(trimmed) {
            flush_paragraph(&mut paragraph, &mut blocks);
            match &mut list {
                Some((o, items)) if *o == ordered => items.push(item.to_owned()),
                _ => {
                    flush_list(&mut list, &mut blocks);
                    list = Some((ordered, vec![item.to_owned()]));
                }
            }
            continue;
        }
        // An indented line continues the current list item.
        if let (Some((_, items)), true) = (&mut list, line.starts_with(' ')) {
            if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(trimmed);
                continue;
            }
        }
        flush_list(&mut list, &mut blocks);
        paragraph.push(trimmed);
    }
    flush_paragraph(&mut paragraph, &mut blocks);
    flush_list(&mut list, &mut blocks);
    flush_quote(&mut quote, &mut blocks);
    blocks
}

fn list_item(line: &str) -> Option<(bool, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((false, rest.trim()));
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        if let Some(rest) = line[digits..].strip_prefix(". ") {
            return Some((true, rest.trim()));
        }
    }
    None
}

/// Parses inline markup.
pub fn inlines(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    let bytes = text.as_bytes();
    let push_plain = |plain: &mut String, out: &mut Vec<Inline>| {
        if !plain.is_empty() {
            out.push(Inline::Text(std::mem::take(plain)));
        }
    };
    while i < text.len() {
        let rest = &text[i..];
        if let Some(inner) = delimited(rest, "**") {
            push_plain(&mut plain, &mut out);
            out.push(Inline::Strong(inlines(inner)));
            i += inner.len() + 4;
        } else if let Some(inner) = delimited(rest, "*").or_else(|| {
            // `_` emphasises only at a word's start: snake_case stays as is.
            let word_before = text[..i].chars().next_back().is_some_and(char::is_alphanumeric);
            if word_before {
                None
            } else {
                delimited(rest, "_")
            }
        }) {
            push_plain(&mut plain, &mut out);
            out.push(Inline::Emphasis(inlines(inner)));
            i += inner.len() + 2;
        } else if let Some(inner) = delimited(rest, "`") {
            push_plain(&mut plain, &mut out);
            out.push(Inline::Code(inner.to_owned()));
            i += inner.len() + 2;
        } else if let Some((label, url, used)) = link(rest) {
            let image = rest.starts_with('!');
            push_plain(&mut plain, &mut out);
            if safe_url(url) {
                out.push(if image {
                    Inline::Image { alt: label.to_owned(), src: url.trim().to_owned() }
                } else {
                    Inline::Link { text: inlines(label), href: url.trim().to_owned() }
                });
            } else {
                out.push(Inline::Text(label.to_owned()));
            }
            i += used;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            plain.push(c);
            i += c.len_utf8();
        }
        debug_assert!(i <= bytes.len());
    }
    push_plain(&mut plain, &mut out);
    out
}

/// `rest` starts with `mark`, non-space content, and a closing `mark`.
fn delimited<'a>(rest: &'a str, mark: &str) -> Option<&'a str> {
    let after = rest.strip_prefix(mark)?;
    if after.starts_with(' ') || after.starts_with(mark) {
        return None;
    }
    let end = after.find(mark)?;
    let inner = &after[..end];
    (!inner.is_empty() && !inner.ends_with(' ')).then_some(inner)
}

/// `[label](url)` or `![alt](src)`: (label, url, bytes used).
fn link(rest: &str) -> Option<(&str, &str, usize)> {
    let offset = usize::from(rest.starts_with('!'));
    let after = rest[offset..].strip_prefix('[')?;
    let close = after.find("](")?;
    let label = &after[..close];
    let url_start = &after[close + 2..];
    let end = url_start.find(')')?;
    Some((label, &url_start[..end], offset + 1 + close + 2 + end + 1))
}

/// The article as plain text, for snippets.
pub fn plain_text(blocks: &[Block]) -> String {
    fn inline_text(inlines: &[Inline], out: &mut String) {
        for i in inlines {
            match i {
                Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                Inline::Strong(c) | Inline::Emphasis(c) | Inline::Link { text: c, .. } => inline_text(c, out),
                Inline::Image { alt, .. } => out.push_str(alt),
            }
        }
    }
    let mut out = String::new();
    for b in blocks {
        if !out.is_empty() {
            out.push(' ');
        }
        match b {
            Block::Heading(_, i) | Block::Paragraph(i) | Block::Quote(i) => inline_text(i, &mut out),
            Block::List(_, items) => {
                for item in items {
                    inline_text(item, &mut out);
                    out.push(' ');
                }
            }
            Block::Code(c) => out.push_str(c),
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_owned())
    }

    #[test]
    fn blocks() {
        let doc = parse("# Title\n\nFirst line\nsecond line.\n\n1. one\n2. two\n   continued\n\n- a\n- b\n\n> Never share your **2FA** code.\n\n```\ncode <b>\n```");
        assert_eq!(
            doc,
            vec![
                Block::Heading(1, vec![text("Title")]),
                Block::Paragraph(vec![text("First line second line.")]),
                Block::List(true, vec![vec![text("one")], vec![text("two continued")]]),
                Block::List(false, vec![vec![text("a")], vec![text("b")]]),
                Block::Quote(vec![text("Never share your "), Inline::Strong(vec![text("2FA")]), text(" code.")]),
                Block::Code("code <b>".to_owned()),
            ]
        );
    }

    #[test]
    fn inline_markup() {
        assert_eq!(
            inlines("Go to **Wallet → History**, *then* `TxID` [explorer](https://example.com/tx?a=1)"),
            vec![
                text("Go to "),
                Inline::Strong(vec![text("Wallet → History")]),
                text(", "),
                Inline::Emphasis(vec![text("then")]),
                text(" "),
                Inline::Code("TxID".to_owned()),
                text(" "),
                Inline::Link { text: vec![text("explorer")], href: "https://example.com/tx?a=1".to_owned() },
            ]
        );
        assert_eq!(inlines("2 * 3 * 4"), vec![text("2 * 3 * 4")]);
        assert_eq!(inlines("snake_case_name"), vec![text("snake_case_name")]);
        assert_eq!(
            inlines("an _important_ note"),
            vec![text("an "), Inline::Emphasis(vec![text("important")]), text(" note")]
        );
    }

    #[test]
    fn hostile_content_stays_inert() {
        // Raw HTML is text, never markup.
        assert_eq!(inlines("<img src=x onerror=alert(1)>"), vec![text("<img src=x onerror=alert(1)>")]);
        assert_eq!(parse("<script>alert(1)</script>"), vec![Block::Paragraph(vec![text("<script>alert(1)</script>")])]);
        // Dangerous link targets lose their link and keep their text.
        for url in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<b>",
            "vbscript:x",
            "//evil.example",
            "java\nscript:x",
        ] {
            let md = format!("[click]({url})");
            assert_eq!(inlines(&md).first(), Some(&text("click")), "{url:?}");
        }
        assert_eq!(inlines("![x](javascript:alert(1))").first(), Some(&text("x")));
    }

    #[test]
    fn safe_urls() {
        for ok in [
            "https://a.example/x",
            "http://a.example",
            "mailto:support@example.com",
            "/help/x",
            "help/x",
            "#top",
            "?q=1",
        ] {
            assert!(safe_url(ok), "{ok}");
        }
        for bad in
            ["javascript:alert(1)", "data:image/png;base64,xx", "//evil.example/x", "", "a b", "file:///etc/passwd"]
        {
            assert!(!safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn plain_text_for_snippets() {
        assert_eq!(
            plain_text(&parse("Check the **TxID** on the [explorer](https://x.example).\n\n- one\n- two")),
            "Check the TxID on the explorer. one two"
        );
    }
}
