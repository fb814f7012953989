//! The Chat area: the bot first, then people. The log shows the bot's
//! actions as chat turns; the composer below doubles as the field of a
//! guided flow (validated as the user types); "Talk to a person" is always
//! there.

use helpdock_core::bot::{Action, Input, State};
use helpdock_core::channel::{ChannelKind, Channels};
use helpdock_core::fields::{check_partial, FieldFormat};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::chat::{channel_label, chat_opens, ChatState, Item};
use crate::content::Content;
use crate::handover::{Load, People};
use crate::i18n::strings;
use crate::state::{Tab, WidgetState};
use crate::view::help::markdown::Markdown;
use crate::view::help::{HelpView, HelpViewSignal};

/// The conversation area: the bot, then people once it has handed over
/// to live chat (the people module, loaded on demand).
#[component]
pub fn ChatArea() -> impl IntoView {
    let people = expect_context::<People>();
    move || {
        if !people.live_active() {
            return view! { <BotArea /> }.into_any();
        }
        people.live_area().unwrap_or_else(|| view! { <PeopleLoading /> }.into_any())
    }
}

/// While the people module is on its way, or when it could not be
/// fetched: what is happening, and a retry that keeps what was asked for.
#[component]
pub fn PeopleLoading() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let people = expect_context::<People>();
    let t = move || strings(state.locale.get());
    move || {
        match people.load.get() {
        Load::Failed => view! {
            <div class="hd-live-status hd-live-problem" role="alert" data-hd="people-failed">
                <p>{move || t().people_load_failed()}</p>
                <button class="hd-chip" type="button" on:click=move |_| people.retry()>{move || t().live_try_again()}</button>
            </div>
        }
        .into_any(),
        _ => view! {
            <div class="hd-live-status" role="status" data-hd="people-loading">
                <span class="hd-spinner" aria-hidden="true"></span>
                {move || t().live_connecting()}
            </div>
        }
        .into_any(),
    }
    }
}

/// The bot conversation.
#[component]
fn BotArea() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let people = expect_context::<People>();
    let chat = expect_context::<ChatState>();
    let t = move || strings(state.locale.get());
    let draft = RwSignal::new(String::new());
    let log = NodeRef::<leptos::html::Ol>::new();
    // Rebuild the conversation kept in localStorage once the pack is here.
    let content = expect_context::<Content>();
    Effect::new(move || {
        if let Some(index) = content.index() {
            chat.replay(&index, state.locale.get_untracked());
        }
    });

    // The field being asked, if a flow is in progress: the composer checks
    // what is typed against its format.
    let asking = move || match chat.conversation.with(|c| c.state.clone()) {
        State::InFlow { .. } => chat.items.with(|items| {
            items.iter().rev().find_map(|i| match i {
                Item::Bot { action: Action::FlowField { format, required, label, options, .. } } => {
                    Some((*format, *required, label.clone(), options.clone()))
                }
                _ => None,
            })
        }),
        _ => None,
    };
    let typing_error = move || {
        let (format, ..) = asking()?;
        let text = draft.get();
        if text.trim().is_empty() {
            return None;
        }
        check_partial(format, &text).err().map(|e| e.message(state.locale.get()))
    };
    let scroll_to_end = move || {
        request_animation_frame(move || {
            if let Some(log) = log.try_get_untracked().flatten() {
                log.set_scroll_top(log.scroll_height());
            }
        });
    };
    let send = move |input: Input| {
        let clear = chat.send(input);
        scroll_to_end();
        clear
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        if send(Input::Message(text.trim().to_owned())) {
            draft.set(String::new());
        }
    };
    let placeholder = move || match asking() {
        Some((_, _, label, _)) => label,
        None => t().chat_placeholder().to_owned(),
    };
    let empty = move || chat.items.with(Vec::is_empty);

    view! {
        <div class="hd-chat">
            <div class="hd-chat-bar">
                <button class="hd-person-button" type="button"
                    on:pointerenter=move |_| people.prefetch() on:focus=move |_| people.prefetch()
                    on:click=move |_| _ = send(Input::TalkToPerson)>
                    {move || t().talk_to_person()}
                </button>
                <button class="hd-link-button" type="button" hidden=empty on:click=move |_| chat.restart()>
                    {move || t().restart()}
                </button>
            </div>
            <Show when=empty>
                <div class="hd-empty">
                    <p class="hd-empty-title">{move || t().chat_empty_title()}</p>
                    <p class="hd-empty-body">{move || t().chat_empty_body()}</p>
                </div>
            </Show>
            <ol class="hd-chat-log" node_ref=log aria-live="polite" hidden=empty>
                {move || {
                    let items = chat.items.get();
                    let last = items.len().saturating_sub(1);
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, item)| view! { <ChatItem item=item latest=i == last send=send /> })
                        .collect_view()
                }}
            </ol>
            {move || {
                chat.blocked
                    .get()
                    .map(|b| match b {
                        Action::BlockedSecret { reasons, note, .. } => {
                            view! {
                                <div class="hd-blocked" role="alert">
                                    <p class="hd-blocked-title">{t().blocked_title()}</p>
                                    <ul>{reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                                    <p>{note}</p>
                                    <p>{t().edit_and_resend()}</p>
                                </div>
                            }
                                .into_any()
                        }
                        _ => ().into_any(),
                    })
            }}
            {move || {
                asking()
                    .map(|(format, required, _, options)| {
                        view! {
                            <div class="hd-field-tools">
                                {(format == FieldFormat::Choice)
                                    .then(|| {
                                        options
                                            .into_iter()
                                            .map(|o| {
                                                let value = o.clone();
                                                view! {
                                                    <button class="hd-chip" type="button" on:click=move |_| _ = send(Input::Message(value.clone()))>
                                                        {o}
                                                    </button>
                                                }
                                            })
                                            .collect_view()
                                    })}
                                {(format == FieldFormat::Attachment)
                                    .then(|| {
                                        view! {
                                            <label class="hd-chip hd-file">
                                                {t().attach_file()}
                                                <input
                                                    type="file"
                                                    class="hd-visually-hidden"
                                                    on:change=move |ev| {
                                                        let name = event_target_value(&ev);
                                                        let name = name.rsplit(['/', '\\']).next().unwrap_or_default().to_owned();
                                                        if !name.is_empty() {
                                                            _ = send(Input::Message(name));
                                                        }
                                                    }
                                                />
                                            </label>
                                        }
                                    })}
                                {(!required)
                                    .then(|| {
                                        view! {
                                            <button class="hd-chip" type="button" on:click=move |_| _ = send(Input::SkipField)>
                                                {t().skip()}
                                            </button>
                                        }
                                    })}
                                <button class="hd-link-button" type="button" on:click=move |_| _ = send(Input::CancelFlow)>
                                    {t().leave_form()}
                                </button>
                            </div>
                        }
                    })
            }}
            <form class="hd-composer" on:submit=on_submit>
                <label class="hd-visually-hidden" for="hd-chat-input">{move || t().chat_label()}</label>
                <input
                    id="hd-chat-input"
                    class="hd-composer-input"
                    type="text"
                    autocomplete="off"
                    enterkeyhint="send"
                    placeholder=placeholder
                    aria-invalid=move || typing_error().is_some().to_string()
                    aria-describedby="hd-chat-input-error"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                />
                <button class="hd-send" type="submit">{move || t().send()}</button>
            </form>
            <p id="hd-chat-input-error" class="hd-field-error" role="status">{typing_error}</p>
        </div>
    }
}

/// One entry of the log.
#[component]
fn ChatItem(item: Item, latest: bool, send: impl Fn(Input) -> bool + Copy + Send + Sync + 'static) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let locale = state.locale.get_untracked();
    let t = strings(locale);
    let action = match item {
        Item::User { text } => {
            return view! { <li class="hd-turn hd-turn-user"><p class="hd-bubble">{text}</p></li> }.into_any()
        }
        Item::Bot { action } => action,
    };
    let body = match action {
        Action::Answer { article, title, .. } => {
            let content = expect_context::<Content>();
            let help_view = expect_context::<HelpViewSignal>().0;
            let body = content.index().and_then(|index| {
                index.article(&article, index.content_locale(locale).tag()).map(|(_, a)| a.body.clone())
            });
            let open = {
                let article = article.clone();
                move |_| {
                    help_view.set(HelpView::Article(article.clone()));
                    state.tab.set(Tab::Help);
                }
            };
            view! {
                <div class="hd-bubble hd-answer" data-article=article>
                    <p class="hd-answer-title">{title}</p>
                    <div class="hd-answer-body">{body.map(|b| view! { <Markdown source=b /> })}</div>
                    <button class="hd-link-button" type="button" on:click=open>{t.open_article()}</button>
                    {latest
                        .then(|| {
                            view! {
                                <div class="hd-feedback-row">
                                    <span>{t.solved_question()}</span>
                                    <button class="hd-chip" type="button" on:click=move |_| _ = send(Input::Feedback { helpful: true })>
                                        {t.solved_yes()}
                                    </button>
                                    <button class="hd-chip" type="button" on:click=move |_| _ = send(Input::Feedback { helpful: false })>
                                        {t.solved_no()}
                                    </button>
                                </div>
                            }
                        })}
                </div>
            }
            .into_any()
        }
        Action::Clarify { candidates, .. } => view! {
            <div class="hd-bubble">
                <p>{t.clarify()}</p>
                <div class="hd-chips">
                    {candidates
                        .into_iter()
                        .map(|c| {
                            let article = c.article.clone();
                            view! {
                                <button class="hd-chip" type="button" disabled=!latest on:click=move |_| _ = send(Input::Choose { article: article.clone() })>
                                    {c.title}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </div>
        }
        .into_any(),
        Action::Notice { title, body, severity, announcement } => view! {
            <div class="hd-bubble hd-announcement" data-severity=severity data-id=announcement>
                <p class="hd-announcement-title">{title}</p>
                <p>{body}</p>
            </div>
        }
        .into_any(),
        Action::SelfHelp { title, checks, urgent, .. } => view! {
            <div class="hd-bubble hd-self-help" class:hd-urgent=urgent role=urgent.then_some("alert")>
                <p class="hd-answer-title">{title}</p>
                <p>{if urgent { t.urgent_title() } else { t.checks_title() }}</p>
                <ol>{checks.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ol>
            </div>
        }
        .into_any(),
        Action::FlowField { prompt, step, of, error, .. } => view! {
            <div class="hd-bubble hd-flow-field">
                <p class="hd-progress">{t.step(step, of)}</p>
                {error.map(|e| view! { <p class="hd-field-error" role="alert">{e}</p> })}
                <p>{prompt}</p>
            </div>
        }
        .into_any(),
        Action::RecommendChannel { recommendation, summary, .. } => {
            let closed = recommendation.live_chat_closed;
            view! {
                <div class="hd-bubble hd-channels">
                    {(!summary.is_empty())
                        .then(|| {
                            view! {
                                <p>{t.summary_title()}</p>
                                <dl class="hd-summary">
                                    {summary
                                        .into_iter()
                                        .map(|c| view! { <dt>{c.label}</dt><dd>{c.value}</dd> })
                                        .collect_view()}
                                </dl>
                            }
                        })}
                    <p>{t.channels_title()}</p>
                    {closed
                        .then(|| {
                            let availability = expect_context::<People>().availability();
                            let opens = expect_context::<StoredValue<Channels>>()
                                .with_value(|c| chat_opens(availability, c, locale));
                            view! { <p class="hd-muted" data-hd="chat-closed">{t.chat_closed()} " " {opens}</p> }
                        })}
                    <div class="hd-chips">
                        {recommendation
                            .options
                            .into_iter()
                            .map(|o| {
                                let label = channel_label(o.kind, locale);
                                let text = match &o.detail {
                                    Some(d) => format!("{label} · {d}"),
                                    None => label.to_owned(),
                                };
                                match (o.kind, o.url) {
                                    (ChannelKind::HelpCentre, _) => view! {
                                        <button class="hd-chip" type="button" on:click=move |_| state.tab.set(Tab::Help)>{text}</button>
                                    }
                                    .into_any(),
                                    (_, Some(url)) => view! {
                                        <a class="hd-chip" href=url target="_blank" rel="noopener noreferrer">{text}</a>
                                    }
                                    .into_any(),
                                    (kind, None) => view! {
                                        <button class="hd-chip" type="button" disabled=!latest on:click=move |_| _ = send(Input::ChooseChannel(kind))>
                                            {text}
                                        </button>
                                    }
                                    .into_any(),
                                }
                            })
                            .collect_view()}
                    </div>
                </div>
            }
            .into_any()
        }
        Action::Escalate { channel, .. } => {
            // A ticket: the form, prefilled from this conversation.
            let people = expect_context::<People>();
            let ticket = (channel == Some(ChannelKind::Ticket) && people.available()).then(|| {
                let chat = expect_context::<ChatState>();
                view! {
                    <button class="hd-chip" type="button" data-hd="offer-ticket"
                        on:click=move |_| people.prefill_ticket(chat.conversation.get_untracked())>
                        {t.tk_new()}
                    </button>
                }
            });
            view! {
                <div class="hd-bubble hd-handover" data-channel=channel.map(|c| c.as_str())>
                    <p>{t.handed_over()}</p>
                    {ticket}
                    <Show when=move || latest && matches!(people.load.get(), Load::Loading | Load::Failed)>
                        <PeopleLoading />
                    </Show>
                </div>
            }
            .into_any()
        }
        Action::SmallTalk { small_talk } => view! { <p class="hd-bubble">{t.small_talk_reply(small_talk)}</p> }.into_any(),
        Action::DontKnow { .. } => view! { <p class="hd-bubble">{t.dont_know()}</p> }.into_any(),
        Action::Resolved => view! { <p class="hd-bubble">{t.resolved()}</p> }.into_any(),
        Action::Warning { note, .. } => view! {
            <div class="hd-bubble hd-warning" role="alert">
                <p>{t.link_warning()}</p>
                <p>{note}</p>
            </div>
        }
        .into_any(),
        Action::BlockedSecret { .. } => ().into_any(),
    };
    view! { <li class="hd-turn hd-turn-bot">{body}</li> }.into_any()
}
