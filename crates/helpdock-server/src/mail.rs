//! Outgoing e-mail through an SMTP relay: "e-mail me the transcript", a
//! ticket's confirmation and the team's replies to it.

use std::time::Duration;

use helpdock_core::protocol::{AuthorKind, TranscriptSpeaker};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{SmtpConfig, SmtpTls};
use crate::db::{ConversationRow, MessageRow, TicketRow};
use crate::notes::{self, Lang};

/// A configured relay.
#[derive(Debug, Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Why a mail was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The configured From address or the relay settings are wrong.
    #[error("smtp: {0}")]
    Config(String),
    /// The relay refused or could not be reached.
    #[error("smtp: {0}")]
    Send(#[from] lettre::transport::smtp::Error),
    /// The message could not be built.
    #[error("mail: {0}")]
    Build(#[from] lettre::error::Error),
}

impl Mailer {
    /// A mailer for the relay.
    pub fn new(config: &SmtpConfig) -> Result<Mailer, MailError> {
        let from: Mailbox =
            config.from.parse().map_err(|e| MailError::Config(format!("smtp.from {:?}: {e}", config.from)))?;
        let builder = match config.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?,
        };
        let mut builder = builder.port(config.port).timeout(Some(Duration::from_secs(15)));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer { transport: builder.build(), from })
    }

    /// Sends a plain-text mail.
    pub async fn send(&self, to: Mailbox, subject: &str, body: String) -> Result<(), MailError> {
        self.send_with_reply_to(to, None, subject, body).await
    }

    /// Sends a plain-text mail whose replies go to `reply_to` (shown with
    /// the From name), when given.
    pub async fn send_with_reply_to(
        &self,
        to: Mailbox,
        reply_to: Option<Address>,
        subject: &str,
        body: String,
    ) -> Result<(), MailError> {
        let mut builder = Message::builder().from(self.from.clone()).to(to).subject(subject);
        if let Some(address) = reply_to {
            builder = builder.reply_to(Mailbox::new(self.from.name.clone(), address));
        }
        let message = builder.header(ContentType::TEXT_PLAIN).body(body)?;
        self.transport.send(message).await?;
        Ok(())
    }
}

/// The transcript e-mail's subject, in the conversation's language.
pub fn transcript_subject(conversation: &ConversationRow) -> &'static str {
    match Lang::from_tag(conversation.locale.as_deref()) {
        Lang::En => "Your support conversation",
        Lang::Zh => "您的客服对话记录",
    }
}

/// The transcript as plain text, in the language the conversation was held
/// in: the bot part, the collected fields, then every message with its
/// time (UTC).
pub fn transcript_text(conversation: &ConversationRow, messages: &[MessageRow]) -> String {
    let lang = Lang::from_tag(conversation.locale.as_deref());
    let zh = lang == Lang::Zh;
    let say = |en: &'static str, zh_text: &'static str| if zh { zh_text } else { en };
    let mut text = String::new();
    text.push_str(say("Your conversation with our support team\n", "您与客服团队的对话\n"));
    text.push_str(&format!("{} {}\n", say("Started", "开始于"), utc(conversation.created_at)));
    if let Some(topic) = &conversation.topic {
        text.push_str(&format!("{}{topic}\n", say("Topic: ", "主题：")));
    }
    if !conversation.transcript.is_empty() {
        text.push_str(say("\nWith the assistant:\n", "\n与智能助手：\n"));
        for line in &conversation.transcript {
            let who = match line.from {
                TranscriptSpeaker::User => say("You", "您"),
                TranscriptSpeaker::Bot => say("Assistant", "助手"),
            };
            text.push_str(&format!("  {who}: {}\n", line.text));
        }
    }
    if !conversation.fields.is_empty() {
        text.push_str(say("\nDetails you gave:\n", "\n您提供的信息：\n"));
        for field in &conversation.fields {
            text.push_str(&format!("  {}: {}\n", field.label, field.value));
        }
    }
    text.push_str(say("\nConversation:\n", "\n对话：\n"));
    for row in messages {
        let m = &row.message;
        let who = match m.author.kind {
            AuthorKind::Visitor => say("You", "您").to_string(),
            AuthorKind::Agent => m.author.name.clone().unwrap_or_else(|| say("Agent", "客服").into()),
            AuthorKind::System => "—".to_string(),
        };
        let body = m.system.as_ref().map_or_else(|| m.body.clone(), |note| notes::wording(note, lang));
        text.push_str(&format!("[{}] {who}: {body}\n", utc(m.at)));
        for a in &m.attachments {
            text.push_str(&attachment_line(lang, a));
        }
    }
    text
}

impl Lang {
    /// The language of a ticket's e-mails.
    fn of(ticket: &TicketRow) -> Lang {
        Lang::from_tag(ticket.locale.as_deref())
    }
}

/// How the user answers a ticket e-mail: by replying to it when the server
/// accepts mail, else in the widget.
fn how_to_answer(lang: Lang, number: &str, by_reply: bool) -> String {
    match (lang, by_reply) {
        (Lang::En, true) => {
            format!(
                "reply to this e-mail (above the quoted text), or open {number} under My tickets in the help widget"
            )
        }
        (Lang::En, false) => format!("open {number} under My tickets in the help widget"),
        (Lang::Zh, true) => format!("请直接回复此邮件（写在引用内容上方），或在客服中心的“我的工单”中打开 {number}"),
        (Lang::Zh, false) => format!("请在客服中心的“我的工单”中打开 {number}"),
    }
}

fn attachment_line(lang: Lang, a: &helpdock_core::protocol::Attachment) -> String {
    match lang {
        Lang::En => format!("    attachment: {} ({} bytes)\n", a.name, a.size),
        Lang::Zh => format!("    附件：{}（{} 字节）\n", a.name, a.size),
    }
}

/// The subject of a new ticket's confirmation.
pub fn ticket_confirmation_subject(ticket: &TicketRow, number: &str) -> String {
    match Lang::of(ticket) {
        Lang::En => format!("[{number}] We received your request: {}", ticket.title),
        Lang::Zh => format!("[{number}] 我们已收到您的工单：{}", ticket.title),
    }
}

/// The subject of an agent's reply (`Re:` in both languages, so mail
/// programs thread it with the confirmation).
pub fn ticket_reply_subject(ticket: &TicketRow, number: &str) -> String {
    format!("Re: [{number}] {}", ticket.title)
}

/// The confirmation of a new ticket: its number, what the user wrote;
/// `by_reply` when a reply to it reaches the thread.
pub fn ticket_confirmation_text(ticket: &TicketRow, number: &str, by_reply: bool) -> String {
    let lang = Lang::of(ticket);
    let mut text = String::new();
    let description = ticket.description.trim();
    let (received, created, wrote, details) = match lang {
        Lang::En => (format!("We received your request {number}: "), "Created ", "You wrote:", "Details you gave:"),
        Lang::Zh => (format!("我们已收到您的工单 {number}："), "提交时间：", "您的描述：", "您提供的信息："),
    };
    text.push_str(&format!("{received}{}\n{created}{}\n\n", ticket.title, utc(ticket.created_at)));
    if !description.is_empty() {
        text.push_str(&format!("{wrote}\n{description}\n\n"));
    }
    if !ticket.fields.is_empty() {
        text.push_str(details);
        text.push('\n');
    }
    if !ticket.fields.is_empty() {
        for field in &ticket.fields {
            text.push_str(&format!("  {}: {}\n", field.label, field.value));
        }
        text.push('\n');
    }
    text.push_str(&match lang {
        Lang::En => format!(
            "Our team will answer as soon as it can. Quote {number} when you contact us about it; \
             you can follow it under My tickets in the help widget.\n"
        ),
        Lang::Zh => {
            format!("客服团队会尽快处理。联系我们时请提供工单号 {number}；您可以在客服中心的“我的工单”中查看进度。\n")
        }
    });
    if by_reply {
        text.push_str(match lang {
            Lang::En => "To add something, reply to this e-mail (above the quoted text).\n",
            Lang::Zh => "如需补充，请直接回复此邮件（写在引用内容上方）。\n",
        });
    }
    text
}

/// An agent's reply to a ticket; `by_reply` as for the confirmation.
pub fn ticket_reply_text(
    ticket: &TicketRow,
    number: &str,
    agent: &str,
    reply: &helpdock_core::protocol::TicketReply,
    by_reply: bool,
) -> String {
    let lang = Lang::of(ticket);
    let mut text = match lang {
        Lang::En => format!("{agent} replied to your request {number}: {}\n\n", ticket.title),
        Lang::Zh => format!("{agent} 回复了您的工单 {number}：{}\n\n", ticket.title),
    };
    text.push_str(reply.body.trim());
    text.push('\n');
    for a in &reply.attachments {
        text.push_str(&attachment_line(lang, a));
    }
    let answer = how_to_answer(lang, number, by_reply);
    text.push_str(&match lang {
        Lang::En => format!("\n[{}] To answer, {answer}.\n", utc(reply.at)),
        Lang::Zh => format!("\n[{}] {answer}。\n", utc(reply.at)),
    });
    text
}

/// `2026-11-24 10:00 UTC`.
fn utc(ms: i64) -> String {
    let minutes = ms.div_euclid(60_000);
    let days = minutes.div_euclid(24 * 60);
    let minute = minutes.rem_euclid(24 * 60);
    let (year, month, day) = helpdock_core::civil::civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", minute / 60, minute % 60)
}

#[cfg(test)]
mod tests {
    use helpdock_core::protocol::{Field, TicketStatus, Urgency};

    use super::*;

    fn ticket(locale: Option<&str>) -> TicketRow {
        TicketRow {
            id: "t_1".into(),
            number: 123,
            visitor_id: "v_1".into(),
            user_id: None,
            client_id: "t-1".into(),
            title: "USDT deposit not credited".into(),
            category: "deposit-not-arrived".into(),
            urgency: Urgency::High,
            queue: "general".into(),
            description: "Sent 250 USDT.".into(),
            fields: vec![Field { id: "txid".into(), label: "TxID".into(), value: "0x9f".into() }],
            attachments: vec![],
            transcript: vec![],
            email: Some("li@example.com".into()),
            locale: locale.map(Into::into),
            status: TicketStatus::Open,
            agent_id: None,
            created_at: 1_795_485_600_000,
            updated_at: 1_795_485_600_000,
            last_seq: 0,
            visitor_read_seq: 0,
            agent_read_seq: 0,
            rating: None,
            visitor_unread: 0,
            agent_unread: 0,
        }
    }

    #[test]
    fn ticket_mails_follow_the_locale_the_ticket_was_written_in() {
        let en = ticket(Some("en"));
        assert_eq!(
            ticket_confirmation_subject(&en, "HD-000123"),
            "[HD-000123] We received your request: USDT deposit not credited"
        );
        let text = ticket_confirmation_text(&en, "HD-000123", true);
        assert!(text.starts_with("We received your request HD-000123"), "{text}");
        assert!(text.contains("  TxID: 0x9f\n") && text.contains("reply to this e-mail"), "{text}");
        assert_eq!(Lang::of(&ticket(None)), Lang::En, "no locale: English");

        let zh = ticket(Some("zh-CN"));
        assert_eq!(
            ticket_confirmation_subject(&zh, "HD-000123"),
            "[HD-000123] 我们已收到您的工单：USDT deposit not credited"
        );
        let text = ticket_confirmation_text(&zh, "HD-000123", false);
        assert!(text.starts_with("我们已收到您的工单 HD-000123"), "{text}");
        assert!(text.contains("您提供的信息：\n  TxID: 0x9f\n") && !text.contains("回复此邮件"), "{text}");
        assert_eq!(ticket_reply_subject(&zh, "HD-000123"), "Re: [HD-000123] USDT deposit not credited");
    }

    #[test]
    fn the_transcript_mail_follows_the_conversations_language() {
        use helpdock_core::protocol::{Author, ConversationStatus, Field, Message, SystemNote, TranscriptLine};

        use crate::db::{ConversationRow, MessageRow};
        let conversation = |locale: Option<&str>| ConversationRow {
            id: "c_1".into(),
            visitor_id: "v_1".into(),
            client_id: "c-1".into(),
            topic: Some("deposit-not-arrived".into()),
            queue: "general".into(),
            locale: locale.map(str::to_owned),
            reason: None,
            transcript: vec![TranscriptLine { from: TranscriptSpeaker::User, text: "充值没到账".into() }],
            fields: vec![Field { id: "txid".into(), label: "TxID".into(), value: "0x9f".into() }],
            status: ConversationStatus::Closed,
            agent_id: None,
            queued_at: 0,
            created_at: 1_795_485_600_000,
            updated_at: 0,
            last_seq: 1,
            visitor_read_seq: 0,
            agent_read_seq: 0,
            rating: None,
        };
        let joined = SystemNote { code: "agent_joined".into(), agent: Some("Mei".into()), to: None, queue: None };
        let messages = [
            MessageRow {
                message: Message {
                    conversation: "c_1".into(),
                    seq: 1,
                    client_id: None,
                    author: Author { kind: AuthorKind::System, name: None, avatar: None },
                    body: "Mei joined the conversation.".into(),
                    attachments: Vec::new(),
                    at: 1_795_485_630_000,
                    system: Some(joined),
                },
                agent_id: None,
            },
            MessageRow {
                message: Message {
                    conversation: "c_1".into(),
                    seq: 2,
                    client_id: None,
                    author: Author { kind: AuthorKind::Agent, name: None, avatar: None },
                    body: "已到账".into(),
                    attachments: Vec::new(),
                    at: 1_795_485_660_000,
                    system: None,
                },
                agent_id: None,
            },
        ];
        let zh = conversation(Some("zh-CN"));
        assert_eq!(transcript_subject(&zh), "您的客服对话记录");
        let text = transcript_text(&zh, &messages);
        assert!(
            text.starts_with("您与客服团队的对话\n开始于 2026-11-24 02:00 UTC\n主题：deposit-not-arrived"),
            "{text}"
        );
        assert!(
            text.contains("与智能助手：\n  您: 充值没到账") && text.contains("您提供的信息：\n  TxID: 0x9f"),
            "{text}"
        );
        assert!(text.contains("] 客服: 已到账"), "{text}");
        // System lines in the conversation's language, from their code.
        assert!(text.contains("] —: Mei 已加入对话。"), "{text}");
        let en = conversation(None);
        assert_eq!(transcript_subject(&en), "Your support conversation");
        let text = transcript_text(&en, &messages);
        assert!(text.contains("With the assistant:\n  You: 充值没到账"), "{text}");
        assert!(text.contains("] —: Mei joined the conversation."), "{text}");
    }

    #[test]
    fn times_are_written_in_utc() {
        assert_eq!(utc(1_795_485_600_000), "2026-11-24 02:00 UTC");
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
    }
}
