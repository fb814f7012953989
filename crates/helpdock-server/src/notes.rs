//! What system messages say ("Mei joined the conversation."), worded per
//! language. A stored system message keeps its code and parameters
//! (protocol `SystemNote`) and its English `body`; the widget words the
//! code in its user's language itself, e-mails here.

use helpdock_core::protocol::SystemNote;

/// The language of a text the server writes for a visitor: the widget's
/// locale when the ticket was written or the conversation held (`zh…` →
/// Chinese), else English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The language for a locale tag.
    pub fn from_tag(tag: Option<&str>) -> Lang {
        match tag {
            Some(t) if t.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }
}

/// A system line in `lang`. An unknown code is shown as it is.
pub fn wording(note: &SystemNote, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let agent = note.agent.as_deref().unwrap_or(if zh { "客服" } else { "An agent" });
    let to = note.to.as_deref().unwrap_or("");
    let queue = note.queue.as_deref().unwrap_or("");
    match (note.code.as_str(), zh) {
        ("agent_joined", false) => format!("{agent} joined the conversation."),
        ("agent_joined", true) => format!("{agent} 已加入对话。"),
        ("transferred", false) => format!("{agent} transferred the conversation to {to}."),
        ("transferred", true) => format!("{agent} 已将对话转接给 {to}。"),
        ("requeued", false) => format!("{agent} moved the conversation to the {queue} queue."),
        ("requeued", true) => format!("{agent} 已将对话转到 {queue} 队列。"),
        ("closed_by_visitor", false) => "The visitor ended the conversation.".to_owned(),
        ("closed_by_visitor", true) => "用户结束了对话。".to_owned(),
        ("closed_by_agent", false) => format!("{agent} ended the conversation."),
        ("closed_by_agent", true) => format!("{agent} 结束了对话。"),
        ("away", false) => {
            "Our team is away right now. You are in the queue and we will answer when we are back; you may close \
             this window."
                .to_owned()
        }
        ("away", true) => "客服暂时不在线。您已在队列中，我们回来后会尽快回复；您可以先关闭此窗口。".to_owned(),
        (other, _) => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(code: &str) -> SystemNote {
        SystemNote { code: code.into(), agent: Some("Mei".into()), to: Some("Ana".into()), queue: Some("vip".into()) }
    }

    #[test]
    fn every_code_is_worded_in_both_languages() {
        for code in ["agent_joined", "transferred", "requeued", "closed_by_visitor", "closed_by_agent", "away"] {
            let (en, zh) = (wording(&note(code), Lang::En), wording(&note(code), Lang::Zh));
            assert!(en.ends_with('.') && en != code, "{code}: {en}");
            assert!(zh.ends_with('。') && zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{code}: {zh}");
        }
        assert_eq!(wording(&note("agent_joined"), Lang::En), "Mei joined the conversation.");
        assert_eq!(wording(&note("transferred"), Lang::Zh), "Mei 已将对话转接给 Ana。");
        assert_eq!(wording(&note("something_new"), Lang::En), "something_new");
    }
}
