//! The SMTP conversation (a subset of RFC 5321: EHLO/HELO, MAIL, RCPT,
//! DATA with dot-unstuffing, RSET, NOOP, VRFY, HELP, QUIT; no TLS, no
//! AUTH, no pipelining). It knows nothing of tickets: it asks [`Mailbox`]
//! whether a recipient exists and hands it each message.

use std::fmt;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// How long the receiver waits for the client's next line (RFC 5321
/// suggests at least 5 minutes).
const READ_TIMEOUT: Duration = Duration::from_secs(300);
/// Longest command line (RFC 5321: 512 octets with CRLF; a little slack).
const MAX_COMMAND: usize = 1024;
/// Wrong commands in one connection before it is closed.
const MAX_ERRORS: u32 = 10;

/// An SMTP reply: a code, an enhanced status code (RFC 3463) and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// `250`, `550`, …
    pub code: u16,
    /// `2.0.0`, `5.1.1`, …
    pub status: &'static str,
    /// What happened, for the person who reads the bounce.
    pub text: String,
}

impl Reply {
    /// A reply.
    pub fn new(code: u16, status: &'static str, text: impl Into<String>) -> Reply {
        Reply { code, status, text: text.into() }
    }

    fn ok(text: impl Into<String>) -> Reply {
        Reply::new(250, "2.0.0", text)
    }

    fn bad_sequence(text: &str) -> Reply {
        Reply::new(503, "5.5.1", format!("Bad sequence of commands: {text}"))
    }

    fn is_error(&self) -> bool {
        self.code >= 400
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line: a sentence with a line break would end the reply early.
        let text: String = self.text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        write!(f, "{} {} {}\r\n", self.code, self.status, text)
    }
}

/// Where messages go: the ticket side, behind [`super::deliver`].
pub(super) trait Mailbox {
    /// `Ok(key)` if mail to `address` is wanted (the key comes back with
    /// the message), else the refusal.
    async fn recipient(&self, address: &str) -> Result<String, Reply>;
    /// Takes a message for the recipient with `key`, from the envelope
    /// sender `from` (`MAIL FROM`, empty for a bounce).
    async fn deliver(&self, key: &str, from: &str, message: &[u8]) -> Reply;
}

/// A client command, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Command {
    Hello { extended: bool },
    Mail { from: String, size: Option<u64> },
    Rcpt(String),
    Data,
    Rset,
    Noop,
    Vrfy,
    Help,
    Quit,
    NotImplemented(String),
    Unknown,
    Syntax(&'static str),
}

fn parse(line: &str) -> Command {
    let line = line.trim_end_matches(['\r', '\n']);
    let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
    let rest = rest.trim();
    match verb.to_ascii_uppercase().as_str() {
        "EHLO" | "HELO" if rest.is_empty() => Command::Syntax("EHLO needs your domain"),
        "EHLO" => Command::Hello { extended: true },
        "HELO" => Command::Hello { extended: false },
        "MAIL" => match path(rest, "FROM:") {
            Some((from, params)) => {
                let size = params
                    .split_whitespace()
                    .find_map(|p| p.to_ascii_uppercase().strip_prefix("SIZE=").map(|n| n.parse::<u64>().ok()));
                match size {
                    Some(None) => Command::Syntax("SIZE must be a number"),
                    Some(size) => Command::Mail { from, size },
                    None => Command::Mail { from, size: None },
                }
            }
            None => Command::Syntax("use MAIL FROM:<address>"),
        },
        "RCPT" => match path(rest, "TO:") {
            Some((address, _)) if !address.is_empty() => Command::Rcpt(address),
            _ => Command::Syntax("use RCPT TO:<address>"),
        },
        "DATA" => Command::Data,
        "RSET" => Command::Rset,
        "NOOP" => Command::Noop,
        "VRFY" => Command::Vrfy,
        "HELP" => Command::Help,
        "QUIT" => Command::Quit,
        "STARTTLS" | "AUTH" | "BDAT" | "ETRN" | "TURN" | "EXPN" => Command::NotImplemented(verb.to_ascii_uppercase()),
        _ => Command::Unknown,
    }
}

/// `FROM:<a@b> PARAMS` → (`a@b`, `PARAMS`); brackets may be missing.
fn path(rest: &str, keyword: &str) -> Option<(String, String)> {
    let head = rest.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = rest[keyword.len()..].trim_start();
    let (address, params) = match rest.strip_prefix('<') {
        Some(inner) => inner.split_once('>')?,
        None => rest.split_once(' ').unwrap_or((rest, "")),
    };
    Some((address.trim().to_string(), params.trim().to_string()))
}

/// What one read brought.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// A whole line, in the buffer with its line end.
    Whole,
    /// A line longer than allowed: only its start is in the buffer.
    TooLong,
    /// The client went away.
    Closed,
}

/// Reads up to and including `\n`, keeping at most `max` bytes.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, buf: &mut Vec<u8>, max: usize) -> std::io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(Line::Closed);
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let n = chunk.len();
        if buf.len() + n <= max {
            buf.extend_from_slice(chunk);
        } else {
            too_long = true;
        }
        reader.consume(n);
        if done {
            return Ok(if too_long { Line::TooLong } else { Line::Whole });
        }
    }
}

async fn timed<T>(read: impl std::future::Future<Output = std::io::Result<T>>) -> std::io::Result<T> {
    tokio::time::timeout(READ_TIMEOUT, read)
        .await
        .unwrap_or_else(|_| Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the client was silent")))
}

/// Serves one connection until QUIT, the client leaves, or too many errors.
pub(super) async fn serve<S, M>(stream: S, mailbox: &M, hostname: &str, max_bytes: usize) -> std::io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
    M: Mailbox,
{
    let mut conn = BufReader::new(stream);
    let mut line = Vec::with_capacity(256);
    let mut greeted = false;
    let mut sender: Option<String> = None;
    let mut recipient: Option<String> = None;
    let mut errors = 0;
    conn.write_all(format!("220 {hostname} Helpdock ESMTP ready\r\n").as_bytes()).await?;
    loop {
        conn.flush().await?;
        let read = timed(read_line(&mut conn, &mut line, MAX_COMMAND)).await?;
        let reply = match read {
            Line::Closed => return Ok(()),
            Line::TooLong => Reply::new(500, "5.5.2", "Line too long"),
            Line::Whole => match parse(&String::from_utf8_lossy(&line)) {
                Command::Hello { extended } => {
                    greeted = true;
                    sender = None;
                    recipient = None;
                    if extended {
                        let ehlo = format!(
                            "250-{hostname} greets you\r\n250-SIZE {max_bytes}\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n"
                        );
                        conn.write_all(ehlo.as_bytes()).await?;
                        continue;
                    }
                    Reply::new(250, "2.0.0", format!("{hostname} greets you"))
                }
                Command::Mail { .. } if !greeted => Reply::bad_sequence("say EHLO first"),
                Command::Mail { .. } if sender.is_some() => {
                    Reply::bad_sequence("a message is already under way; RSET first")
                }
                Command::Mail { size: Some(size), .. } if size > max_bytes as u64 => {
                    Reply::new(552, "5.3.4", format!("Message too large: at most {max_bytes} bytes"))
                }
                Command::Mail { from, .. } => {
                    sender = Some(from);
                    Reply::ok("Sender OK")
                }
                Command::Rcpt(_) if sender.is_none() => Reply::bad_sequence("MAIL FROM first"),
                Command::Rcpt(_) if recipient.is_some() => {
                    Reply::new(452, "4.5.3", "One recipient per message; send the rest separately")
                }
                Command::Rcpt(address) => match mailbox.recipient(&address).await {
                    Ok(key) => {
                        recipient = Some(key);
                        Reply::ok("Recipient OK")
                    }
                    Err(refused) => refused,
                },
                Command::Data if recipient.is_none() => Reply::bad_sequence("RCPT TO first"),
                Command::Data => {
                    conn.write_all(b"354 Start mail input; end with <CRLF>.<CRLF>\r\n").await?;
                    conn.flush().await?;
                    let message = read_data(&mut conn, &mut line, max_bytes).await?;
                    let key = recipient.take().unwrap_or_default();
                    let from = sender.take().unwrap_or_default();
                    match message {
                        Some(message) => mailbox.deliver(&key, &from, &message).await,
                        None => Reply::new(552, "5.3.4", format!("Message too large: at most {max_bytes} bytes")),
                    }
                }
                Command::Rset => {
                    sender = None;
                    recipient = None;
                    Reply::ok("Reset")
                }
                Command::Noop => Reply::ok("OK"),
                Command::Vrfy => Reply::new(252, "2.5.2", "Cannot verify; send the message and see"),
                Command::Help => Reply::new(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT"),
                Command::Quit => {
                    conn.write_all(format!("221 2.0.0 {hostname} closing\r\n").as_bytes()).await?;
                    conn.flush().await?;
                    return Ok(());
                }
                Command::NotImplemented(verb) => Reply::new(502, "5.5.1", format!("{verb} is not implemented")),
                Command::Unknown => Reply::new(500, "5.5.2", "Command not recognised"),
                Command::Syntax(why) => Reply::new(501, "5.5.4", format!("Syntax error: {why}")),
            },
        };
        if reply.is_error() && reply.code != 452 {
            errors += 1;
        }
        if errors > MAX_ERRORS {
            conn.write_all(b"421 4.7.0 Too many errors; closing\r\n").await?;
            conn.flush().await?;
            return Ok(());
        }
        conn.write_all(reply.to_string().as_bytes()).await?;
    }
}

/// The message after DATA up to the lone `.`, dot-unstuffed; `None` when
/// it was larger than `max_bytes` (read to its end all the same, so the
/// conversation can go on).
async fn read_data<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    max_bytes: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut message = Vec::new();
    let mut too_large = false;
    loop {
        // A line may be as long as what is left of the budget (and the end
        // marker always fits).
        let room = if too_large { 3 } else { max_bytes.saturating_sub(message.len()).max(3) };
        match timed(read_line(reader, line, room)).await? {
            Line::Closed => {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the client left during DATA"))
            }
            Line::TooLong => too_large = true,
            Line::Whole if line.as_slice() == b".\r\n" || line.as_slice() == b".\n" => {
                return Ok((!too_large).then_some(message));
            }
            Line::Whole if too_large => {}
            Line::Whole => {
                let unstuffed = line.strip_prefix(b".").unwrap_or(line);
                if message.len() + unstuffed.len() > max_bytes {
                    too_large = true;
                } else {
                    message.extend_from_slice(unstuffed);
                }
            }
        }
    }
}

/// A mailbox that has every `support+…` address and keeps what it is given.
struct Recorder(std::sync::Mutex<Vec<Vec<u8>>>);

impl Mailbox for Recorder {
    async fn recipient(&self, address: &str) -> Result<String, Reply> {
        if address.starts_with("support+") {
            Ok(address.to_string())
        } else {
            Err(Reply::new(550, "5.1.1", "No such mailbox"))
        }
    }

    async fn deliver(&self, _key: &str, _from: &str, message: &[u8]) -> Reply {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(message.to_vec());
        Reply::ok("Stored")
    }
}

/// Plays `input` as the client's side of one connection (then the client
/// stops sending) against a mailbox that has every `support+…` address:
/// answers the server's replies and the messages it delivered. For the
/// tests and the fuzzer (`crates/helpdock-fuzz`), which see the whole
/// conversation without a socket or a database.
pub async fn rehearse(input: &[u8], max_bytes: usize) -> std::io::Result<(String, Vec<Vec<u8>>)> {
    use tokio::io::AsyncReadExt;
    let (client, server) = tokio::io::duplex(1 << 16);
    let mailbox = Recorder(std::sync::Mutex::new(Vec::new()));
    let (mut read, mut write) = tokio::io::split(client);
    // The client writes and reads while the server answers (either side
    // would otherwise wait for the other once the pipe is full).
    let writing = async move {
        write.write_all(input).await?;
        write.shutdown().await
    };
    let reading = async move {
        let mut out = Vec::new();
        read.read_to_end(&mut out).await.map(|_| out)
    };
    let (written, served, out) = tokio::join!(writing, serve(server, &mailbox, "mx.example", max_bytes), reading);
    served?;
    // A client the server hung up on stops writing: not a failure.
    drop(written);
    let out = out?;
    let delivered = mailbox.0.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok((String::from_utf8_lossy(&out).into_owned(), delivered))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_leniently_and_name_their_mistakes() {
        assert_eq!(parse("ehlo client.example\r\n"), Command::Hello { extended: true });
        assert_eq!(parse("EHLO\r\n"), Command::Syntax("EHLO needs your domain"));
        assert_eq!(
            parse("MAIL FROM:<li@example.com> SIZE=2048 BODY=8BITMIME\r\n"),
            Command::Mail { from: "li@example.com".into(), size: Some(2048) }
        );
        assert_eq!(parse("MAIL FROM:<>\r\n"), Command::Mail { from: String::new(), size: None });
        assert_eq!(parse("mail from: li@example.com\r\n"), Command::Mail { from: "li@example.com".into(), size: None });
        assert_eq!(parse("MAIL FROM:<a@b> SIZE=lots\r\n"), Command::Syntax("SIZE must be a number"));
        assert_eq!(parse("RCPT TO:<Support+abc@x.example>\r\n"), Command::Rcpt("Support+abc@x.example".into()));
        assert_eq!(parse("RCPT TO:<>\r\n"), Command::Syntax("use RCPT TO:<address>"));
        assert_eq!(parse("RCPT <a@b>\r\n"), Command::Syntax("use RCPT TO:<address>"));
        assert_eq!(parse("STARTTLS\r\n"), Command::NotImplemented("STARTTLS".into()));
        assert_eq!(parse("HELLO\r\n"), Command::Unknown);
    }

    #[test]
    fn replies_are_one_line() {
        assert_eq!(Reply::new(550, "5.1.1", "No such\r\nticket").to_string(), "550 5.1.1 No such  ticket\r\n");
    }

    /// The server's replies to a scripted client, one line each.
    async fn converse(script: &str, max_bytes: usize) -> (Vec<String>, Vec<Vec<u8>>) {
        let (out, delivered) = rehearse(script.as_bytes(), max_bytes).await.unwrap();
        let codes = out.lines().map(|l| l.chars().take(9).collect()).collect();
        (codes, delivered)
    }

    #[tokio::test]
    async fn a_message_is_dot_unstuffed_and_delivered() {
        let script = "EHLO c\r\nMAIL FROM:<li@example.com>\r\nRCPT TO:<support+t@x>\r\nDATA\r\nSubject: hi\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n";
        let (replies, delivered) = converse(script, 1000).await;
        assert_eq!(
            replies,
            [
                "220 mx.ex",
                "250-mx.ex",
                "250-SIZE ",
                "250-8BITM",
                "250 ENHAN",
                "250 2.0.0",
                "250 2.0.0",
                "354 Start",
                "250 2.0.0",
                "221 2.0.0"
            ]
        );
        assert_eq!(delivered, [b"Subject: hi\r\n\r\n.leading dot\r\n".to_vec()]);
    }

    #[tokio::test]
    async fn bad_sequences_unknown_recipients_and_large_messages_are_refused() {
        let script =
            "MAIL FROM:<a@b>\r\nHELO c\r\nRCPT TO:<support+t@x>\r\nDATA\r\nMAIL FROM:<a@b>\r\nRCPT TO:<sales@x>\r\n\
                      RCPT TO:<support+t@x>\r\nRCPT TO:<support+u@x>\r\nDATA\r\n0123456789\r\n0123456789\r\n.\r\n\
                      MAIL FROM:<a@b> SIZE=99999\r\nRSET\r\nNOOP\r\nFOO\r\nQUIT\r\n";
        let (replies, delivered) = converse(script, 16).await;
        let codes: Vec<&str> = replies.iter().map(|r| &r[..3]).collect();
        assert_eq!(
            codes,
            [
                "220", "503", "250", "503", "503", "250", "550", "250", "452", "354", "552", "552", "250", "250",
                "500", "221"
            ]
        );
        assert!(delivered.is_empty());
    }
}
