//! Guided flows: for one type of problem, what an agent will need, the
//! self-help to show first and the channel to offer. Declared in the content
//! pack (`flows.yaml`), never in code, so a host can add its own.
//!
//! The bot starts a flow when an answer about one of its articles did not
//! help, or at once when a message names an urgent problem (`urgent: true`:
//! an account taken over, money missing), in which case the flow's `checks`
//! are the protective steps to take now and a person is offered first.

use crate::fields::FieldFormat;
use crate::locale::{localized, Locale};

/// One problem type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Flow {
    /// Stable id, e.g. `deposit-not-arrived`; also the conversation's topic.
    pub id: String,
    /// Title per locale tag.
    pub titles: Vec<(String, String)>,
    /// The articles about this problem: an unhelpful answer with one of them
    /// starts the flow.
    pub articles: Vec<String>,
    /// Phrases that name the problem outright (any locale, matched after
    /// normalisation), e.g. "被盗", "hacked". Mostly for urgent flows, which
    /// must not depend on the ranking.
    pub keywords: Vec<String>,
    /// Skip self-help: show `checks` as protective steps and offer a person.
    pub urgent: bool,
    /// Help-centre category, for routing and for matching announcements.
    pub category: Option<String>,
    /// Announcements with one of these tags (or this category) are shown
    /// before anything else, e.g. a maintenance notice.
    pub tags: Vec<String>,
    /// Self-help checks (or, when urgent, protective steps), each localized.
    pub checks: Vec<Vec<(String, String)>>,
    /// The channel to offer once the fields are collected.
    pub channel: ChannelKind,
    /// What an agent needs, asked in order.
    pub fields: Vec<FlowField>,
}

/// One piece of information a flow collects.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlowField {
    /// Key of the value, e.g. `txid`.
    pub id: String,
    /// Short label per locale ("TxID"), shown in summaries.
    pub labels: Vec<(String, String)>,
    /// The bot's question per locale ("What is the transaction ID?").
    pub prompts: Vec<(String, String)>,
    /// How the answer is checked and normalised.
    pub format: FieldFormat,
    /// Whether the user may skip it.
    pub required: bool,
    /// The allowed answers of a `choice` field.
    pub options: Vec<String>,
}

/// A way to reach people, as flows and the channel configuration name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Chat with a person now.
    LiveChat,
    /// A ticket answered later, with a number to follow.
    #[default]
    Ticket,
    /// E-mail to the support address.
    Email,
    /// A phone line.
    Phone,
    /// The community (forum, social channels).
    Community,
    /// The help centre's articles.
    HelpCentre,
}

impl ChannelKind {
    /// The name used in `flows.yaml` and in the bot's actions.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::LiveChat => "live_chat",
            ChannelKind::Ticket => "ticket",
            ChannelKind::Email => "email",
            ChannelKind::Phone => "phone",
            ChannelKind::Community => "community",
            ChannelKind::HelpCentre => "help_centre",
        }
    }

    /// Reads a name written in `flows.yaml`.
    pub fn parse(name: &str) -> Option<ChannelKind> {
        [
            ChannelKind::LiveChat,
            ChannelKind::Ticket,
            ChannelKind::Email,
            ChannelKind::Phone,
            ChannelKind::Community,
            ChannelKind::HelpCentre,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

impl Flow {
    /// The title in `locale` (or the first one given).
    pub fn title(&self, locale: Locale) -> &str {
        localized(&self.titles, locale).unwrap_or(&self.id)
    }

    /// The checks (or protective steps) in `locale`.
    pub fn checks(&self, locale: Locale) -> Vec<&str> {
        self.checks.iter().filter_map(|c| localized(c, locale)).collect()
    }
}

impl FlowField {
    /// The label in `locale`, or the id.
    pub fn label(&self, locale: Locale) -> &str {
        localized(&self.labels, locale).unwrap_or(&self.id)
    }

    /// The question in `locale`, or the label.
    pub fn prompt(&self, locale: Locale) -> &str {
        localized(&self.prompts, locale).unwrap_or_else(|| self.label(locale))
    }
}
