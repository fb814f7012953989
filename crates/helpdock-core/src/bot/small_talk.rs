//! Small talk: a message that is nothing but a greeting, thanks, goodbye or
//! a question about the bot itself. It gets a short reply of its own, never
//! an article: "thanks" is not a question about deposit fees.
//!
//! Like the requests for a person, these are conversational acts, the same
//! in every help centre, so they live here rather than in content packs.
//! Only a message made of them alone (and filler) counts: "hi, my deposit
//! is late" is a question.

use serde::{Deserialize, Serialize};

/// What kind of small talk a message is; the widget words the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmallTalk {
    /// "hi", "你好".
    Greeting,
    /// "how are you", "你好吗".
    HowAreYou,
    /// "are you a bot?", "你是谁".
    AboutBot,
    /// "thanks", "谢谢".
    Thanks,
    /// "bye", "再见".
    Goodbye,
}

/// Folded phrases (lower case, letters and digits only) per kind. The
/// longest that fits is taken, so "你好吗" is not "你好" plus "吗".
#[rustfmt::skip]
const PHRASES: &[(SmallTalk, &[&str])] = &[
    (
        SmallTalk::Greeting,
        &[
            "hi", "hello", "hey", "hiya", "heya", "howdy", "goodmorning", "goodafternoon", "goodevening", "morning",
            "你好", "您好", "嗨", "哈喽", "哈罗", "在吗", "在不在", "早上好", "下午好", "晚上好", "早",
            "こんにちは", "こんばんは", "おはようございます", "おはよう",
        ],
    ),
    (
        SmallTalk::HowAreYou,
        &["howareyou", "howareyoudoing", "howsitgoing", "howarethings", "你好吗", "最近怎么样", "最近好吗", "お元気ですか", "元気ですか"],
    ),
    (
        SmallTalk::AboutBot,
        &[
            "areyouabot", "areyouarobot", "areyouamachine", "areyouai", "areyouanai", "areyourealperson",
            "areyouareal", "areyoureal", "whoareyou", "whatareyou", "whatsyourname", "whatisyourname",
            "你是谁", "你是机器人吗", "你是机器人", "是机器人吗", "你是真人吗", "是真人吗", "你是ai吗", "你叫什么",
            "你叫什么名字", "あなたは誰ですか", "ボットですか", "ロボットですか",
        ],
    ),
    (
        SmallTalk::Thanks,
        &[
            "thanks", "thank", "thankyou", "thx", "ty", "tysm", "cheers", "manythanks", "谢谢", "多谢", "感谢", "谢了",
            "谢谢你", "谢啦", "非常感谢", "ありがとう", "ありがとうございます", "ありがとうございました", "どうも",
        ],
    ),
    (SmallTalk::Goodbye, &["bye", "goodbye", "byebye", "seeyou", "seeya", "再见", "拜拜", "回头见", "さようなら", "またね"]),
];

/// Politeness and filler that may surround small talk.
#[rustfmt::skip]
const FILLER: &[&str] = &[
    "there", "so", "much", "very", "a", "lot", "again", "ok", "okay", "you", "all", "team", "bot", "friend", "please",
    "好的", "好", "呀", "啊", "哦", "呢", "嗯", "哈", "了", "啦", "你", "您",
];

/// The small talk `folded` (see `bot::fold`) is made of, if it is nothing
/// else. Several kinds in one message ("hi, thanks!") answer the last one
/// that matters most: thanks and goodbye over a greeting.
pub(crate) fn small_talk(folded: &str) -> Option<SmallTalk> {
    let mut rest = folded;
    let mut found: Option<SmallTalk> = None;
    while !rest.is_empty() {
        let (len, kind) = longest_prefix(rest)?; // something that is not small talk
        rest = &rest[len..];
        if let Some(kind) = kind {
            found = Some(found.map_or(kind, |f| f.max_with(kind)));
        }
    }
    found
}

/// The longest phrase or filler `text` starts with: its length, and its
/// kind (`None` for filler).
fn longest_prefix(text: &str) -> Option<(usize, Option<SmallTalk>)> {
    let phrases = PHRASES.iter().flat_map(|(kind, list)| list.iter().map(|p| (*p, Some(*kind))));
    let filler = FILLER.iter().map(|f| (*f, None));
    phrases
        .chain(filler)
        .filter(|(p, _)| text.starts_with(p))
        .map(|(p, kind)| (p.len(), kind))
        .max_by_key(|(len, _)| *len)
}

impl SmallTalk {
    /// Of two kinds in one message, the one to answer.
    fn max_with(self, other: SmallTalk) -> SmallTalk {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    fn rank(self) -> u8 {
        match self {
            SmallTalk::Greeting => 0,
            SmallTalk::HowAreYou => 1,
            SmallTalk::AboutBot => 2,
            SmallTalk::Goodbye => 3,
            SmallTalk::Thanks => 4,
        }
    }

    /// The name used in JSON and transcripts.
    pub fn as_str(self) -> &'static str {
        match self {
            SmallTalk::Greeting => "greeting",
            SmallTalk::HowAreYou => "how_are_you",
            SmallTalk::AboutBot => "about_bot",
            SmallTalk::Thanks => "thanks",
            SmallTalk::Goodbye => "goodbye",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<SmallTalk> {
        small_talk(&super::super::fold(text))
    }

    #[test]
    fn a_message_of_small_talk_alone_is_small_talk() {
        for (text, want) in [
            ("Hi!", SmallTalk::Greeting),
            ("hello there", SmallTalk::Greeting),
            ("Good morning", SmallTalk::Greeting),
            ("您好，在吗？", SmallTalk::Greeting),
            ("how are you?", SmallTalk::HowAreYou),
            ("你好吗", SmallTalk::HowAreYou),
            ("Are you a bot?", SmallTalk::AboutBot),
            ("who are you", SmallTalk::AboutBot),
            ("你是机器人吗？", SmallTalk::AboutBot),
            ("Thank you so much!", SmallTalk::Thanks),
            ("ok thanks", SmallTalk::Thanks),
            ("hi, thanks!", SmallTalk::Thanks),
            ("好的，谢谢", SmallTalk::Thanks),
            ("bye bye", SmallTalk::Goodbye),
            ("再见", SmallTalk::Goodbye),
            ("こんにちは！", SmallTalk::Greeting),
            ("ありがとうございます", SmallTalk::Thanks),
            ("ボットですか？", SmallTalk::AboutBot),
        ] {
            assert_eq!(kind(text), Some(want), "{text:?}");
        }
    }

    #[test]
    fn a_question_with_a_greeting_is_a_question() {
        for text in [
            "hi, my deposit has not arrived",
            "thanks, but how do I withdraw?",
            "你好，提币一直没到账",
            "hello how do I reset 2FA",
            "thanksgiving",
            "history",
            "ok",
            "",
            "how",
            "早点到账",
        ] {
            assert_eq!(kind(text), None, "{text:?}");
        }
    }
}
