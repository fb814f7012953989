//! The first-pass bot: given the conversation so far and what the user just
//! did, the bot's next actions. Runs in the page; no network.
//!
//! In order, for a message: the secrets guard (a blocked message goes no
//! further and is not kept); an explicit request for a person (escalate at
//! once); an answer to the guided flow in progress; an urgent problem (show
//! the protective steps, offer a person first); then the help centre: a
//! confident answer (asking "did this solve it?"), two or three close
//! candidates to choose from, or "I don't know" with a person offered. An
//! answer that did not help starts the article's guided flow, which collects
//! what an agent needs and ends with the channels to reach one; two
//! unhelpful answers in a row escalate.
//!
//! Every action says why (the matched article and its score, or the rule),
//! and the same state and input always give the same actions.
//!
//! ```
//! use helpdock_core::bot::{Action, Bot, Conversation, Input};
//! use helpdock_core::channel::Channels;
//! use helpdock_core::fields::Now;
//! use helpdock_core::guard::Guard;
//! use helpdock_core::index::Index;
//! use helpdock_core::locale::Locale;
//!
//! let index = Index::from_bytes(&helpdock_core::index::build(&Default::default())).unwrap();
//! let (channels, guard) = (Channels::default(), Guard::default());
//! let bot = Bot::new(&index, &channels, &guard, Locale::ZhCn, Now { unix_secs: 1_795_514_400, utc_offset_minutes: 480 });
//! let mut conversation = Conversation::default();
//! let actions = bot.step(&mut conversation, Input::Message("转 人 工！".into()));
//! assert!(matches!(actions[1], Action::Escalate { .. }));
//! ```

use serde::{Deserialize, Serialize};

use crate::analysis::analyze;
use crate::channel::{ChannelKind, Channels, Need, Recommendation};
use crate::fields::{validate, FieldFormat, Now};
use crate::flow::Flow;
use crate::guard::{self, Guard, SecretKind};
use crate::index::Index;
use crate::locale::Locale;
use crate::search::{Answer, SearchOptions};

mod small_talk;
use small_talk::small_talk;
pub use small_talk::SmallTalk;

/// Everything the bot remembers between turns. The widget keeps it (in
/// `localStorage`), so a conversation survives a reload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// What was said, secrets already kept out; handed to the agent.
    pub transcript: Vec<Line>,
    /// Where the conversation stands.
    pub state: State,
    /// Unhelpful answers in a row.
    pub unhelpful: u8,
    /// The guided flow started, if any (the conversation's topic).
    pub flow: Option<String>,
    /// What the flow collected so far.
    pub fields: Vec<Collected>,
    /// Whether the conversation was handed to people.
    pub escalated: bool,
}

/// One line of the transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Who said it.
    pub from: Speaker,
    /// What was said (for the bot: a one-line summary of its action).
    pub text: String,
}

/// Who said a [`Line`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// The user.
    User,
    /// The bot.
    Bot,
}

/// A value a flow collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collected {
    /// The field's id (`txid`).
    pub id: String,
    /// Its label in the user's language (`TxID`).
    pub label: String,
    /// The normalised value.
    pub value: String,
}

/// Where the conversation stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Waiting for a question.
    #[default]
    Idle,
    /// An article was offered; waiting for "did this solve it?".
    AwaitingFeedback {
        /// The article offered.
        article: String,
        /// The runners-up, offered next if it did not help.
        others: Vec<String>,
    },
    /// Asked which of these the user means.
    Clarifying {
        /// The candidates offered.
        candidates: Vec<String>,
    },
    /// Collecting the fields of a flow.
    InFlow {
        /// The flow.
        flow: String,
        /// The field being asked.
        field: usize,
    },
    /// Channels were offered; waiting for the user to pick one.
    ChoosingChannel,
}

/// What the user did.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Sent a message.
    Message(String),
    /// Answered "did this solve it?".
    Feedback {
        /// Yes or no.
        helpful: bool,
    },
    /// Picked one of the candidates.
    Choose {
        /// The article id.
        article: String,
    },
    /// Pressed "Talk to a person".
    TalkToPerson,
    /// Skipped the optional field being asked.
    SkipField,
    /// Left the guided flow.
    CancelFlow,
    /// Picked a channel from a recommendation.
    ChooseChannel(ChannelKind),
}

/// Why the bot escalated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationReason {
    /// The user asked for a person in words.
    AskedForPerson,
    /// The user pressed "Talk to a person".
    Button,
    /// Two answers in a row did not help.
    TwoUnhelpful,
    /// An urgent problem (account or money at risk).
    Urgent,
    /// A flow collected its fields and the user picked a channel.
    FlowComplete,
    /// The user picked a channel the bot offered.
    ChoseChannel,
}

/// Why an action was taken: the rule, and for answers the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Why {
    /// The rule that fired, e.g. `confident_answer`, `keyword "hacked" of flow account-compromised`.
    pub rule: String,
    /// The first hit's score, when the help centre was searched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// The engine's confidence that the first hit is right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// The query terms found in the index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matched: Vec<String>,
}

impl Why {
    fn rule(rule: impl Into<String>) -> Why {
        Why { rule: rule.into(), score: None, confidence: None, matched: Vec::new() }
    }

    fn search(rule: &str, answer: &Answer) -> Why {
        Why {
            rule: rule.to_owned(),
            score: answer.hits.first().map(|h| h.score),
            confidence: Some(answer.confidence),
            matched: answer.matched.clone(),
        }
    }
}

/// An article offered as a candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Its id.
    pub article: String,
    /// Its title in the user's language.
    pub title: String,
    /// Its score.
    pub score: f32,
}

/// One thing the bot does; a turn yields one or more, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// The message holds a secret and was stopped: not sent, not kept.
    BlockedSecret {
        /// What was found (`seed_phrase`, `otp_code`, …).
        kinds: Vec<String>,
        /// One sentence per kind, why it was stopped.
        reasons: Vec<String>,
        /// The anti-phishing note.
        note: String,
    },
    /// The message links outside the official domains.
    Warning {
        /// What was found (`unofficial_link`).
        kinds: Vec<String>,
        /// The anti-phishing note.
        note: String,
    },
    /// An active announcement concerns the user's problem.
    Notice {
        /// The announcement's id.
        announcement: String,
        /// Its title in the user's language.
        title: String,
        /// Its body.
        body: String,
        /// `info`, `warning` or `critical`.
        severity: String,
    },
    /// An article that answers the question; "did this solve it?" follows.
    Answer {
        /// The article's id.
        article: String,
        /// Its title.
        title: String,
        /// Why this article.
        why: Why,
    },
    /// Two or three close candidates: which one does the user mean?
    Clarify {
        /// The candidates, best first.
        candidates: Vec<Candidate>,
        /// Why the bot is unsure.
        why: Why,
    },
    /// The checks to make before a flow collects details, or, when urgent,
    /// the protective steps to take now.
    SelfHelp {
        /// The flow.
        flow: String,
        /// Its title.
        title: String,
        /// The checks or steps.
        checks: Vec<String>,
        /// Whether these are urgent protective steps.
        urgent: bool,
        /// Why the flow started.
        why: Why,
    },
    /// The bot asks for one field of a flow.
    FlowField {
        /// The flow.
        flow: String,
        /// The field's id.
        field: String,
        /// Its label.
        label: String,
        /// The question.
        prompt: String,
        /// The expected format.
        format: FieldFormat,
        /// Whether it may be skipped.
        required: bool,
        /// The choices, for a `choice` field.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        options: Vec<String>,
        /// 1-based position and count, for the progress hint.
        step: usize,
        /// How many fields the flow has.
        of: usize,
        /// What was wrong with the last answer, in the user's language.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// The ways to reach people, best first.
    RecommendChannel {
        /// The channels.
        recommendation: Recommendation,
        /// What the flow collected, to show before handing over.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        summary: Vec<Collected>,
        /// Why these channels.
        why: Why,
    },
    /// Hand the conversation to people, with everything gathered so far.
    Escalate {
        /// Why.
        reason: EscalationReason,
        /// The rule or phrase behind it.
        why: Why,
        /// The channel to open (`None` when none is available).
        channel: Option<ChannelKind>,
        /// The flow id, when one was started.
        topic: Option<String>,
        /// The transcript so far.
        transcript: Vec<Line>,
        /// The collected fields.
        fields: Vec<Collected>,
    },
    /// The message was small talk ("hi", "thanks", "are you a bot?"): a
    /// short reply, worded by the interface, and no article.
    SmallTalk {
        /// Which kind.
        small_talk: SmallTalk,
    },
    /// Nothing in the help centre fits; a person is offered.
    DontKnow {
        /// Why the bot is not sure.
        why: Why,
    },
    /// The user said the answer helped, or left a flow.
    Resolved,
}

/// The bot for one pack, host configuration and moment.
#[derive(Debug)]
pub struct Bot<'a> {
    index: &'a Index,
    channels: &'a Channels,
    guard: &'a Guard,
    locale: Locale,
    now: Now,
    prepare: fn(&str) -> String,
}

/// Below this confidence the bot asks rather than answers when close
/// candidates exist.
const CLOSE: f32 = 0.6;

impl<'a> Bot<'a> {
    /// A bot answering from `index` in `locale`, offering `channels`, at `now`.
    pub fn new(index: &'a Index, channels: &'a Channels, guard: &'a Guard, locale: Locale, now: Now) -> Self {
        Bot { index, channels, guard, locale, now, prepare: str::to_owned }
    }

    /// Replaces the normalisation applied before searching (the widget
    /// passes the browser's NFKC and lower-casing).
    pub fn with_prepare(mut self, prepare: fn(&str) -> String) -> Self {
        self.prepare = prepare;
        self
    }

    /// The bot's actions for `input`; updates `conversation`.
    pub fn step(&self, conversation: &mut Conversation, input: Input) -> Vec<Action> {
        let mut actions = Vec::new();
        match input {
            Input::Message(text) => self.message(conversation, &text, &mut actions),
            Input::Feedback { helpful: true } => {
                conversation.unhelpful = 0;
                conversation.state = State::Idle;
                conversation.transcript.push(user("(this solved it)"));
                actions.push(Action::Resolved);
            }
            Input::Feedback { helpful: false } => {
                conversation.transcript.push(user("(this did not help)"));
                self.unhelpful(conversation, &mut actions);
            }
            Input::Choose { article } => {
                conversation.transcript.push(user(&format!("(chose {article})")));
                let others = match &conversation.state {
                    State::Clarifying { candidates } => candidates.iter().filter(|c| **c != article).cloned().collect(),
                    _ => Vec::new(),
                };
                self.answer(conversation, &article, others, Why::rule("chosen_by_user"), &mut actions);
            }
            Input::TalkToPerson => {
                conversation.transcript.push(user("(pressed Talk to a person)"));
                self.escalate(conversation, EscalationReason::Button, Why::rule("button"), &mut actions);
            }
            Input::SkipField => self.skip_field(conversation, &mut actions),
            Input::CancelFlow => {
                conversation.state = State::Idle;
                conversation.transcript.push(user("(left the form)"));
                actions.push(Action::Resolved);
            }
            Input::ChooseChannel(kind) => {
                conversation.transcript.push(user(&format!("(chose {})", kind.as_str())));
                let reason = if conversation.flow.is_some() {
                    EscalationReason::FlowComplete
                } else {
                    EscalationReason::ChoseChannel
                };
                self.hand_over(conversation, reason, Why::rule("channel_chosen"), Some(kind), &mut actions);
            }
        }
        actions
    }

    fn message(&self, conversation: &mut Conversation, text: &str, actions: &mut Vec<Action>) {
        let findings = self.guard.scan(text);
        if let Some(stopped) = guard::Stopped::of(&findings, self.locale) {
            actions.push(Action::BlockedSecret {
                kinds: stopped.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
                reasons: stopped.reasons,
                note: stopped.note.to_owned(),
            });
            return; // nothing of it is kept
        }
        if !findings.is_empty() {
            actions.push(Action::Warning {
                kinds: vec![SecretKind::UnofficialLink.as_str().to_owned()],
                note: self.anti_phishing_note().to_owned(),
            });
        }
        conversation.transcript.push(user(text));

        let folded = fold(text);
        if let Some(phrase) = asks_for_person(&folded) {
            let why = Why::rule(format!("asked_for_person {phrase:?}"));
            self.escalate(conversation, EscalationReason::AskedForPerson, why, actions);
            return;
        }
        if let State::InFlow { flow, field } = conversation.state.clone() {
            if is_cancel(&folded) {
                conversation.state = State::Idle;
                actions.push(Action::Resolved);
                return;
            }
            self.flow_answer(conversation, &flow, field, text, actions);
            return;
        }
        if let Some(kind) = small_talk(&folded) {
            conversation.state = State::Idle;
            conversation.transcript.push(bot(&format!("(small talk: {})", kind.as_str())));
            actions.push(Action::SmallTalk { small_talk: kind });
            return;
        }
        let phrased = Phrased::new(text);
        if let Some((flow, keyword)) = self.urgent_keyword(&phrased) {
            let why = Why::rule(format!("keyword {keyword:?} of urgent flow {}", flow.id));
            self.urgent(conversation, flow, why, actions);
            return;
        }

        let prepared = (self.prepare)(text);
        let answer = self.index.search(&prepared, &SearchOptions { top: 3, locale: Some(self.locale) });
        let ids: Vec<String> = answer.hits.iter().map(|h| self.id(h.article)).collect();
        if answer.confident {
            let first = ids[0].clone();
            if let Some(flow) = self.flow_of(&first).filter(|f| f.urgent) {
                let why = Why::search(&format!("confident answer {first} belongs to urgent flow {}", flow.id), &answer);
                self.urgent(conversation, flow, why, actions);
                return;
            }
            self.notices(Some(&first), None, &prepared, actions);
            self.answer(conversation, &first, ids[1..].to_vec(), Why::search("confident_answer", &answer), actions);
            return;
        }
        // Not sure: a non-urgent flow named outright, or close candidates.
        if let Some((flow, keyword)) = self.flow_keyword(&phrased) {
            let why = Why::rule(format!("keyword {keyword:?} of flow {}", flow.id));
            self.start_flow(conversation, flow, why, actions);
            return;
        }
        let close: Vec<usize> = answer
            .hits
            .iter()
            .enumerate()
            .filter(|(_, h)| h.score >= answer.hits[0].score * CLOSE)
            .map(|(i, _)| i)
            .collect();
        if close.len() >= 2 && answer.why.coverage >= 0.5 {
            let candidates: Vec<Candidate> = close
                .iter()
                .map(|&i| Candidate {
                    article: ids[i].clone(),
                    title: self.title(&ids[i]),
                    score: answer.hits[i].score,
                })
                .collect();
            conversation.state =
                State::Clarifying { candidates: candidates.iter().map(|c| c.article.clone()).collect() };
            conversation.transcript.push(bot(&format!(
                "Asked which one: {}",
                candidates.iter().map(|c| c.title.as_str()).collect::<Vec<_>>().join(" / ")
            )));
            actions.push(Action::Clarify { candidates, why: Why::search("close_candidates", &answer) });
            return;
        }
        conversation.state = State::Idle;
        conversation.transcript.push(bot("Did not find an answer; offered a person"));
        actions.push(Action::DontKnow { why: Why::search("not_confident", &answer) });
        let recommendation = self.channels.recommend(Need::General, None, self.now.unix_secs, self.locale);
        actions.push(Action::RecommendChannel { recommendation, summary: Vec::new(), why: Why::rule("dont_know") });
        conversation.state = State::ChoosingChannel;
    }

    fn answer(
        &self,
        conversation: &mut Conversation,
        article: &str,
        others: Vec<String>,
        why: Why,
        actions: &mut Vec<Action>,
    ) {
        let title = self.title(article);
        conversation.transcript.push(bot(&format!("Answered with \"{title}\" ({article})")));
        conversation.state = State::AwaitingFeedback { article: article.to_owned(), others };
        actions.push(Action::Answer { article: article.to_owned(), title, why });
    }

    fn unhelpful(&self, conversation: &mut Conversation, actions: &mut Vec<Action>) {
        conversation.unhelpful += 1;
        let (article, others) = match std::mem::take(&mut conversation.state) {
            State::AwaitingFeedback { article, others } => (Some(article), others),
            _ => (None, Vec::new()),
        };
        if conversation.unhelpful >= 2 {
            let why = Why::rule("two_unhelpful_answers");
            self.escalate(conversation, EscalationReason::TwoUnhelpful, why, actions);
            return;
        }
        if let Some(flow) = article.as_deref().and_then(|a| self.flow_of(a)) {
            let why = Why::rule(format!(
                "answer {} did not help; it belongs to flow {}",
                article.unwrap_or_default(),
                flow.id
            ));
            self.start_flow(conversation, flow, why, actions);
            return;
        }
        if !others.is_empty() {
            let candidates: Vec<Candidate> =
                others.iter().map(|a| Candidate { article: a.clone(), title: self.title(a), score: 0.0 }).collect();
            conversation.state = State::Clarifying { candidates: others };
            conversation.transcript.push(bot("Offered the other candidates"));
            actions.push(Action::Clarify { candidates, why: Why::rule("answer_did_not_help") });
            return;
        }
        conversation.transcript.push(bot("Offered a person"));
        actions.push(Action::DontKnow { why: Why::rule("answer_did_not_help") });
        let recommendation = self.channels.recommend(Need::Investigation, None, self.now.unix_secs, self.locale);
        actions.push(Action::RecommendChannel { recommendation, summary: Vec::new(), why: Why::rule("dont_know") });
        conversation.state = State::ChoosingChannel;
    }

    fn urgent(&self, conversation: &mut Conversation, flow: &Flow, why: Why, actions: &mut Vec<Action>) {
        conversation.flow = Some(flow.id.clone());
        conversation
            .transcript
            .push(bot(&format!("Urgent: showed the protective steps of \"{}\"", flow.title(self.locale))));
        actions.push(Action::SelfHelp {
            flow: flow.id.clone(),
            title: flow.title(self.locale).to_owned(),
            checks: flow.checks(self.locale).into_iter().map(str::to_owned).collect(),
            urgent: true,
            why: why.clone(),
        });
        let recommendation =
            self.channels.recommend(Need::Urgent, Some(ChannelKind::LiveChat), self.now.unix_secs, self.locale);
        actions.push(Action::RecommendChannel { recommendation, summary: Vec::new(), why });
        conversation.state = State::ChoosingChannel;
    }

    fn start_flow(&self, conversation: &mut Conversation, flow: &Flow, why: Why, actions: &mut Vec<Action>) {
        conversation.flow = Some(flow.id.clone());
        conversation.fields.clear();
        self.notices(None, Some(flow), "", actions);
        let checks: Vec<String> = flow.checks(self.locale).into_iter().map(str::to_owned).collect();
        conversation.transcript.push(bot(&format!("Started the form \"{}\"", flow.title(self.locale))));
        actions.push(Action::SelfHelp {
            flow: flow.id.clone(),
            title: flow.title(self.locale).to_owned(),
            checks,
            urgent: false,
            why,
        });
        self.ask_field(conversation, flow, 0, None, actions);
    }

    /// Asks field `i` of `flow`, or, past the last one, offers the channels.
    fn ask_field(
        &self,
        conversation: &mut Conversation,
        flow: &Flow,
        i: usize,
        error: Option<String>,
        actions: &mut Vec<Action>,
    ) {
        let Some(field) = flow.fields.get(i) else {
            conversation.transcript.push(bot("Collected the details; offered the channels"));
            let recommendation =
                self.channels.recommend(Need::Investigation, Some(flow.channel), self.now.unix_secs, self.locale);
            actions.push(Action::RecommendChannel {
                recommendation,
                summary: conversation.fields.clone(),
                why: Why::rule(format!("flow {} complete", flow.id)),
            });
            conversation.state = State::ChoosingChannel;
            return;
        };
        if error.is_none() {
            conversation.transcript.push(bot(field.prompt(self.locale)));
        }
        conversation.state = State::InFlow { flow: flow.id.clone(), field: i };
        actions.push(Action::FlowField {
            flow: flow.id.clone(),
            field: field.id.clone(),
            label: field.label(self.locale).to_owned(),
            prompt: field.prompt(self.locale).to_owned(),
            format: field.format,
            required: field.required,
            options: field.options.clone(),
            step: i + 1,
            of: flow.fields.len(),
            error,
        });
    }

    fn flow_answer(
        &self,
        conversation: &mut Conversation,
        flow_id: &str,
        i: usize,
        text: &str,
        actions: &mut Vec<Action>,
    ) {
        let Some(flow) = self.flow(flow_id) else {
            conversation.state = State::Idle;
            return;
        };
        let Some(field) = flow.fields.get(i) else {
            return self.ask_field(conversation, flow, i, None, actions);
        };
        // A question typed into a structured field (a coin, a network, an
        // amount…) is a question, not a value, even where the format is
        // lenient; free text may well contain one, and stays the answer.
        let free_text = matches!(field.format, FieldFormat::Text | FieldFormat::LongText);
        if !free_text && looks_like_question(text) {
            if !self.answer_during_form(conversation, flow, i, text, actions) {
                // Not known to the pack: said so, and the form waits.
                let label = field.label(self.locale);
                let error = crate::say!(self.locale, flow_question_not_answer, label);
                self.ask_field(conversation, flow, i, Some(error), actions);
            }
            return;
        }
        match validate(field.format, text, &field.options, self.now) {
            Ok(valid) => {
                conversation.fields.retain(|c| c.id != field.id);
                conversation.fields.push(Collected {
                    id: field.id.clone(),
                    label: field.label(self.locale).to_owned(),
                    value: valid.value,
                });
                self.ask_field(conversation, flow, i + 1, None, actions);
            }
            Err(e) => self.ask_field(conversation, flow, i, Some(e.message(self.locale)), actions),
        }
    }

    /// Answers a question asked during the form when the pack knows it,
    /// then asks field `i` again; false (nothing done) when it does not.
    fn answer_during_form(
        &self,
        conversation: &mut Conversation,
        flow: &Flow,
        i: usize,
        text: &str,
        actions: &mut Vec<Action>,
    ) -> bool {
        let prepared = (self.prepare)(text);
        let answer = self.index.search(&prepared, &SearchOptions { top: 1, locale: Some(self.locale) });
        if !answer.confident {
            return false;
        }
        let article = self.id(answer.hits[0].article);
        let title = self.title(&article);
        conversation.transcript.push(bot(&format!("Answered with \"{title}\" ({article}) during the form")));
        actions.push(Action::Answer { article, title, why: Why::search("question_during_form", &answer) });
        self.ask_field(conversation, flow, i, None, actions);
        true
    }

    fn skip_field(&self, conversation: &mut Conversation, actions: &mut Vec<Action>) {
        let State::InFlow { flow, field } = conversation.state.clone() else { return };
        let Some(flow) = self.flow(&flow) else { return };
        match flow.fields.get(field) {
            Some(f) if f.required => {
                let error = crate::say!(self.locale, flow_field_needed, label = f.label(self.locale));
                self.ask_field(conversation, flow, field, Some(error), actions);
            }
            _ => {
                conversation.transcript.push(user("(skipped)"));
                self.ask_field(conversation, flow, field + 1, None, actions);
            }
        }
    }

    /// Hands over: recommends the channels, and escalates to the first.
    fn escalate(&self, conversation: &mut Conversation, reason: EscalationReason, why: Why, actions: &mut Vec<Action>) {
        let urgent = conversation.flow.as_deref().and_then(|f| self.flow(f)).is_some_and(|f| f.urgent);
        let need = if urgent { Need::Urgent } else { Need::Investigation };
        let recommendation =
            self.channels.recommend(need, Some(ChannelKind::LiveChat), self.now.unix_secs, self.locale);
        let channel = recommendation
            .options
            .iter()
            .map(|o| o.kind)
            .find(|k| matches!(k, ChannelKind::LiveChat | ChannelKind::Ticket | ChannelKind::Email));
        actions.push(Action::RecommendChannel {
            recommendation,
            summary: conversation.fields.clone(),
            why: why.clone(),
        });
        self.hand_over(conversation, reason, why, channel, actions);
    }

    fn hand_over(
        &self,
        conversation: &mut Conversation,
        reason: EscalationReason,
        why: Why,
        channel: Option<ChannelKind>,
        actions: &mut Vec<Action>,
    ) {
        conversation.transcript.push(bot(&format!(
            "Handed over to people ({})",
            channel.map_or("no channel available", ChannelKind::as_str)
        )));
        conversation.escalated = true;
        conversation.unhelpful = 0;
        conversation.state = State::Idle;
        actions.push(Action::Escalate {
            reason,
            why,
            channel,
            topic: conversation.flow.clone(),
            transcript: conversation.transcript.clone(),
            fields: conversation.fields.clone(),
        });
    }

    /// Active warning or critical announcements about this article's or
    /// flow's category that name something in the question (or the flow's tags).
    fn notices(&self, article: Option<&str>, flow: Option<&Flow>, query: &str, actions: &mut Vec<Action>) {
        let category = article
            .and_then(|a| self.index.articles.iter().find(|x| x.id == a))
            .and_then(|a| a.category.clone())
            .or_else(|| flow.and_then(|f| f.category.clone()));
        let mut context = analyze(query, &self.index.synonyms);
        if let Some(flow) = flow.or_else(|| article.and_then(|a| self.flow_of(a))) {
            for tag in &flow.tags {
                context.extend(analyze(tag, &self.index.synonyms));
            }
        }
        for a in &self.index.announcements {
            if !a.is_active(self.now.unix_secs) || a.severity == crate::pack::Severity::Info {
                continue;
            }
            let in_category = a.categories.is_empty() || category.as_ref().is_some_and(|c| a.categories.contains(c));
            let named = a.tags.is_empty()
                || a.tags.iter().any(|t| {
                    let terms = analyze(t, &self.index.synonyms);
                    !terms.is_empty() && terms.iter().all(|term| context.contains(term))
                });
            if in_category && named {
                actions.push(Action::Notice {
                    announcement: a.id.clone(),
                    title: a.title(self.locale).to_owned(),
                    body: a.body(self.locale).to_owned(),
                    severity: a.severity.as_str().to_owned(),
                });
            }
        }
    }

    fn urgent_keyword(&self, text: &Phrased) -> Option<(&'a Flow, String)> {
        self.keyword(text, true)
    }

    fn flow_keyword(&self, text: &Phrased) -> Option<(&'a Flow, String)> {
        self.keyword(text, false)
    }

    fn keyword(&self, text: &Phrased, urgent: bool) -> Option<(&'a Flow, String)> {
        self.index
            .flows
            .iter()
            .filter(|f| f.urgent == urgent)
            .find_map(|f| f.keywords.iter().find(|k| has_phrase(text, k)).map(|k| (f, k.clone())))
    }

    fn flow(&self, id: &str) -> Option<&'a Flow> {
        self.index.flows.iter().find(|f| f.id == id)
    }

    fn flow_of(&self, article: &str) -> Option<&'a Flow> {
        self.index.flows.iter().find(|f| f.articles.iter().any(|a| a == article))
    }

    fn id(&self, article: u32) -> String {
        self.index.articles[article as usize].id.clone()
    }

    fn title(&self, id: &str) -> String {
        let tag = self.index.content_locale(self.locale).tag();
        self.index
            .articles
            .iter()
            .find(|a| a.id == id && a.locale == tag)
            .or_else(|| self.index.articles.iter().find(|a| a.id == id))
            .map_or_else(|| id.to_owned(), |a| a.title.clone())
    }

    fn anti_phishing_note(&self) -> &'static str {
        guard::anti_phishing_note(self.locale)
    }
}

fn user(text: &str) -> Line {
    Line { from: Speaker::User, text: text.to_owned() }
}

fn bot(text: &str) -> Line {
    Line { from: Speaker::Bot, text: text.to_owned() }
}

/// Lower case, full-width folded, without spaces or punctuation: "转 人 工！",
/// "Talk to a PERSON." and "ｈｕｍａｎ" compare equal to their plain forms.
fn fold(text: &str) -> String {
    crate::text::normalize(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// A message prepared for matching keywords: CJK keywords match anywhere
/// (no spaces in Chinese), Latin ones only as whole words ("not me" must
/// not match "cannot meet").
struct Phrased {
    folded: String,
    spaced: String,
}

impl Phrased {
    fn new(text: &str) -> Phrased {
        Phrased { folded: fold(text), spaced: spaced(text) }
    }
}

fn spaced(text: &str) -> String {
    let mut out = String::from(" ");
    for c in crate::text::normalize(text).chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

fn has_phrase(text: &Phrased, keyword: &str) -> bool {
    if keyword.chars().any(crate::text::is_cjk) {
        let k = fold(keyword);
        !k.is_empty() && text.folded.contains(&k)
    } else {
        let k = spaced(keyword);
        k.trim() != "" && text.spaced.contains(&k)
    }
}

/// Phrases that ask for a person wherever they appear.
const ASK_PERSON: &[&str] = &[
    "转人工",
    "人工客服",
    "真人客服",
    "找人工",
    "接人工",
    "要人工",
    "人工服务",
    "联系人工",
    "转接人工",
    "talktoaperson",
    "talktoahuman",
    "talktoanagent",
    "talktosomeone",
    "talktoarealperson",
    "speaktoaperson",
    "speaktoahuman",
    "speaktoanagent",
    "speaktosomeone",
    "realperson",
    "realhuman",
    "humanagent",
    "liveagent",
    "livesupport",
    "connectmetoanagent",
    "オペレーターにつないで",
    "有人対応",
    "担当者と話したい",
];

/// Words that ask for a person when they are (nearly) the whole message:
/// "客服", "human please", "agent?", "我要客服".
const PERSON_WORDS: &[&str] = &[
    "客服",
    "人工",
    "真人",
    "オペレーター",
    "担当者",
    "human",
    "agent",
    "person",
    "operator",
    "representative",
    "customerservice",
    "support",
];

/// Politeness and filler around a [`PERSON_WORDS`] word.
const FILLER: &[&str] = &[
    "please",
    "pls",
    "plz",
    "i",
    "want",
    "need",
    "an",
    "a",
    "to",
    "talk",
    "speak",
    "with",
    "me",
    "give",
    "get",
    "hi",
    "hello",
    "hey",
    "now",
    "can",
    "you",
    "connect",
    "我",
    "要",
    "找",
    "请",
    "在吗",
    "吗",
    "呢",
    "你好",
    "在不在",
    "帮我",
    "转",
    "接",
    "联系",
    "麻烦",
    "在线",
    "live",
    "contact",
    "the",
    "some",
    "one",
    "real",
    "と話したい",
    "をお願いします",
    "お願いします",
    "につないで",
    "ください",
];

/// The phrase that makes `folded` a request for a person, if any.
fn asks_for_person(folded: &str) -> Option<&'static str> {
    if let Some(p) = ASK_PERSON.iter().find(|p| folded.contains(*p)) {
        return Some(p);
    }
    let word = PERSON_WORDS.iter().find(|w| folded.contains(*w))?;
    // Remove the word and any filler; a request leaves nothing behind.
    let mut rest = folded.replacen(word, "", 1);
    let mut fillers: Vec<&str> = FILLER.to_vec();
    crate::sort::sort_by_key(&mut fillers, |f| std::cmp::Reverse(f.len()));
    let mut changed = true;
    while changed && !rest.is_empty() {
        changed = false;
        for f in &fillers {
            if rest.starts_with(f) {
                rest.drain(..f.len());
                changed = true;
            } else if rest.ends_with(f) {
                rest.truncate(rest.len() - f.len());
                changed = true;
            }
        }
    }
    rest.is_empty().then_some(*word)
}

fn is_cancel(folded: &str) -> bool {
    ["cancel", "stop", "quit", "nevermind", "取消", "算了", "退出", "キャンセル", "やめる", "中止"].contains(&folded)
}

/// Words that open an English question.
const QUESTION_WORDS: &[&str] = &[
    "how", "what", "why", "where", "when", "which", "who", "can", "could", "is", "are", "do", "does", "did", "should",
    "will", "would", "may", "shall",
];

/// Chinese markers of a question.
const QUESTION_MARKERS: &[&str] =
    &["怎么", "如何", "为什么", "为何", "什么", "哪", "能不能", "可不可以", "是否", "多久", "多少"];

/// Whether `text` reads as a question rather than a form value: it ends
/// with a question mark, opens with a question word and has a few words, or
/// (Chinese) asks with 吗/呢 or a question word.
fn looks_like_question(text: &str) -> bool {
    let text = text.trim();
    if text.ends_with('?') || text.ends_with('？') {
        // "USDT?" is a hesitant value; "is it lost?" and "到账了吗？" ask.
        return text.split_whitespace().count() >= 2 || text.chars().filter(|&c| crate::text::is_cjk(c)).count() >= 3;
    }
    let mut words = text.split_whitespace();
    let first = words.next().unwrap_or("").to_ascii_lowercase();
    if QUESTION_WORDS.contains(&first.as_str()) && words.count() >= 2 {
        return true;
    }
    text.ends_with('吗') || text.ends_with('呢') || QUESTION_MARKERS.iter().any(|m| text.contains(m))
}

#[cfg(test)]
mod tests;
