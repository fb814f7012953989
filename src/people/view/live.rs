//! The live chat in the Chat area: the connection banner, the queue or the
//! agent, the conversation (visitor, agent and system lines with times and
//! delivery states), the typing indicator, the composer with attachments
//! (picker, drag-and-drop, paste), and at the end the rating and the
//! transcript by e-mail. The logic lives in `crate::people::live::LiveChat`.

use helpdock_core::live::{Delivery, Entry, NoticeKind, PendingState};
use helpdock_core::protocol::{Attachment, AuthorKind, Message};
use leptos::ev::{DragEvent, KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::clock;
use crate::i18n::{strings, Strings};
use crate::people::backend::Backend;
use crate::people::live::{LiveChat, Phase, Request};
use crate::people::uploads::{self, files_of, StagedState};
use crate::state::WidgetState;
use helpdock_core::live::link::LinkState as Link;

/// The live-chat area; shown instead of the bot once it has handed over.
#[component]
pub fn LiveArea() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let chat = expect_context::<LiveChat>();
    let t = move || strings(state.locale.get());
    move || {
        match chat.phase.get() {
        Phase::Off => ().into_any(),
        Phase::Starting => view! {
            <div class="hd-live-status" role="status">
                <span class="hd-spinner" aria-hidden="true"></span>
                {move || t().live_connecting()}
            </div>
        }
        .into_any(),
        Phase::Refused => view! {
            <div class="hd-live-status hd-live-problem" role="alert">
                <p class="hd-live-problem-title">{move || t().live_identity_refused_title()}</p>
                <p>{move || t().live_identity_refused()}</p>
                <button class="hd-link-button" type="button" on:click=move |_| chat.leave()>{move || t().live_back()}</button>
            </div>
        }
        .into_any(),
        Phase::Failed(err) => {
            let message = move || t().live_start_failed().replace("{reason}", &err.user_message(state.locale.get()));
            view! {
                <div class="hd-live-status hd-live-problem" role="alert">
                    <p>{message}</p>
                    <div class="hd-chips">
                        <button class="hd-chip" type="button" on:click=move |_| chat.start()>{move || t().live_try_again()}</button>
                        <button class="hd-link-button" type="button" on:click=move |_| chat.leave()>{move || t().live_back()}</button>
                    </div>
                </div>
            }
            .into_any()
        }
        Phase::On => view! { <Conversation /> }.into_any(),
    }
    }
}

/// The conversation with people.
#[component]
fn Conversation() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let chat = expect_context::<LiveChat>();
    let t = move || strings(state.locale.get());
    let log = NodeRef::<leptos::html::Ol>::new();
    let dragging = RwSignal::new(false);
    let closed = move || chat.live.with(|l| l.closed.is_some());

    // Seen when shown: clears the badge and sends the read receipt. (A
    // page in a background tab catches up on `focus`.)
    Effect::new(move || {
        let shown = state.open.get() && state.tab.get() == crate::state::Tab::Chat;
        let last = chat.live.with(|l| l.last_seq());
        if shown && last > 0 && chat.visible() {
            chat.mark_seen();
        }
    });
    // Follow the conversation as it grows (the shell scrolls it to the
    // latest message whenever Chat comes into view).
    Effect::new(move || {
        chat.live.with(|l| (l.messages.len(), l.outbox.len(), l.notices.len(), l.agent_typing));
        request_animation_frame(move || {
            if let Some(log) = log.try_get_untracked().flatten() {
                log.set_scroll_top(log.scroll_height());
            }
        });
    });

    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if closed() {
            return;
        }
        chat.attach(files_of(ev.data_transfer().and_then(|d| d.files())));
    };
    view! {
        <div
            class="hd-live"
            class:hd-dragging=move || dragging.get()
            on:dragover=move |ev: DragEvent| {
                ev.prevent_default();
                dragging.set(!closed());
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <Header />
            <ConnectionBanner />
            <ol class="hd-live-log" node_ref=log tabindex="0" aria-live="polite" aria-label=move || t().live_log_label()>
                <li class="hd-live-system">{move || t().live_handover_note()}</li>
                {move || chat.live.with(|l| l.timeline().into_iter().map(|e| entry_view(e, t())).collect_view())}
            </ol>
            <p class="hd-typing" aria-live="polite">
                {move || {
                    chat.live.with(|l| {
                        l.agent_typing
                            .then(|| {
                                let name = l.agent.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| t().live_agent().to_owned());
                                t().live_typing().replace("{name}", &name)
                            })
                    })
                }}
            </p>
            <p class="hd-drop-hint" aria-hidden="true">{move || t().live_drop_here()}</p>
            // Both stay mounted and swap by `hidden` (cheaper than a <Show>);
            // the wrappers do not box their content (`display: contents`).
            <div class="hd-swap" hidden=closed>
                <Composer />
            </div>
            <div class="hd-swap" hidden=move || !closed()>
                <AfterClose />
            </div>
        </div>
    }
}

/// Queue place or the agent, and "End chat".
#[component]
fn Header() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let chat = expect_context::<LiveChat>();
    let t = move || strings(state.locale.get());
    let agent = move || chat.live.with(|l| l.agent.clone());
    let queue = move || chat.live.with(|l| if l.closed.is_none() { l.queue.clone() } else { None });
    let open = move || chat.live.with(|l| l.is_open());
    view! {
        <div class="hd-live-header">
            {move || match (agent(), queue()) {
                (_, Some(q)) => {
                    let minutes = q.estimated_wait_secs.div_ceil(60).max(1);
                    view! {
                        <p class="hd-queue" role="status">
                            {t().live_queue().replace("{n}", &q.position.to_string()).replace("{m}", &minutes.to_string())}
                        </p>
                    }
                    .into_any()
                }
                (Some(a), None) => {
                    let initial = a.name.chars().next().map(String::from).unwrap_or_default();
                    let avatar = a.avatar.as_deref().map(|u| chat.backend.resolve(u)).filter(|u| !u.is_empty());
                    view! {
                        <div class="hd-agent">
                            {match avatar {
                                Some(src) => view! { <img class="hd-avatar" src=src alt="" /> }.into_any(),
                                None => view! { <span class="hd-avatar" aria-hidden="true">{initial}</span> }.into_any(),
                            }}
                            <span class="hd-agent-name">{a.name.clone()}</span>
                        </div>
                    }
                    .into_any()
                }
                (None, None) => view! { <p class="hd-queue">{t().live_waiting()}</p> }.into_any(),
            }}
            <button class="hd-link-button hd-end" type="button" hidden=move || !open() on:click=move |_| chat.end()>
                {move || t().live_end()}
            </button>
        </div>
    }
}

/// Connecting, reconnecting or offline; nothing once connected.
#[component]
fn ConnectionBanner() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let chat = expect_context::<LiveChat>();
    let t = move || strings(state.locale.get());
    let text = move || match chat.backend.link.get() {
        Link::Open => None,
        Link::Connecting => Some(t().live_connecting_short()),
        Link::Retrying => Some(t().live_reconnecting()),
        Link::Offline => Some(t().live_offline()),
    };
    // "Retry now" shows only while retrying: the stylesheet reads `data-link`.
    view! {
        <div class="hd-link-banner" role="status" data-link=move || chat.backend.link.get().as_str() hidden=move || text().is_none()>
            <span>{text}</span>
            <button class="hd-link-button" type="button" data-hd="retry-now" on:click=move |_| chat.backend.refresh()>
                {move || t().live_retry_now()}
            </button>
        </div>
    }
}

fn entry_view(entry: Entry<'_>, t: &'static Strings) -> AnyView {
    match entry {
        Entry::Message(m, delivery) => message_view(m, delivery, t),
        Entry::Notice(n) => view! { <li class="hd-live-system">{notice_text(&n.kind, t)}</li> }.into_any(),
        Entry::Pending(p) => {
            let chat = expect_context::<LiveChat>();
            let failed = match &p.state {
                PendingState::Failed(e) => Some(e.message.clone()),
                PendingState::Sending => None,
            };
            let id = p.client_id.clone();
            let edit_id = p.client_id.clone();
            let class =
                if failed.is_some() { "hd-live-msg hd-from-visitor hd-failed" } else { "hd-live-msg hd-from-visitor" };
            view! {
                <li class=class data-client-id=p.client_id.clone()>
                    {(!p.body.is_empty()).then(|| view! { <p class="hd-bubble">{p.body.clone()}</p> })}
                    {(!p.attachments.is_empty()).then(|| attachments_view(&p.attachments, chat.backend))}
                    {match failed {
                        None => view! {
                            <p class="hd-meta" data-delivery="sending">{clock::time(p.created_at)} " · " {t.delivery_sending()}</p>
                        }
                        .into_any(),
                        Some(reason) => view! {
                            <div class="hd-meta hd-meta-failed" data-delivery="failed" role="alert">
                                <span>{t.delivery_failed()} ": " {reason}</span>
                                <button class="hd-link-button" type="button" on:click=move |_| chat.retry(&id)>{t.live_retry()}</button>
                                <button class="hd-link-button" type="button" on:click=move |_| chat.edit(&edit_id)>{t.live_edit()}</button>
                            </div>
                        }
                        .into_any(),
                    }}
                </li>
            }
            .into_any()
        }
    }
}

fn message_view(m: &Message, delivery: Option<Delivery>, t: &'static Strings) -> AnyView {
    let chat = expect_context::<LiveChat>();
    let (class, name) = match m.author.kind {
        AuthorKind::Visitor => ("hd-from-visitor", None),
        AuthorKind::Agent => {
            ("hd-from-agent", Some(m.author.name.clone().unwrap_or_else(|| t.live_agent().to_owned())))
        }
        AuthorKind::System => {
            // A code this widget knows is worded in the user's language.
            let notice = m.system.as_ref().and_then(NoticeKind::of);
            let text = notice.map_or_else(|| m.body.clone(), |kind| notice_text(&kind, t));
            return view! { <li class="hd-live-system" data-seq=m.seq>{text}</li> }.into_any();
        }
    };
    let (delivery_key, delivery_text) = match delivery {
        Some(Delivery::Read) => (Some("read"), Some(t.delivery_read())),
        Some(Delivery::Sent) => (Some("sent"), Some(t.delivery_sent())),
        Some(Delivery::Sending) => (Some("sending"), Some(t.delivery_sending())),
        Some(Delivery::Failed(_)) => (Some("failed"), Some(t.delivery_failed())),
        None => (None, None),
    };
    view! {
        <li class=format!("hd-live-msg {class}") data-seq=m.seq>
            {name.map(|n| view! { <p class="hd-author">{n}</p> })}
            {(!m.body.is_empty()).then(|| view! { <p class="hd-bubble">{m.body.clone()}</p> })}
            {(!m.attachments.is_empty()).then(|| attachments_view(&m.attachments, chat.backend))}
            <p class="hd-meta" data-delivery=delivery_key>
                {clock::time(m.at)}
                {delivery_text.map(|d| format!(" · {d}"))}
            </p>
        </li>
    }
    .into_any()
}

/// A notice (the widget's own, or a backend's system message) in the
/// user's language.
fn notice_text(kind: &NoticeKind, t: &Strings) -> String {
    match kind {
        NoticeKind::AgentJoined { name, .. } => t.live_joined().replace("{name}", name),
        NoticeKind::Transferred => t.live_transferred().to_owned(),
        NoticeKind::Closed { by: AuthorKind::Visitor } => t.live_closed_by_you().to_owned(),
        NoticeKind::Closed { .. } => t.live_closed_by_agent().to_owned(),
        NoticeKind::Away => t.live_away().to_owned(),
    }
}

pub fn attachments_view(attachments: &[Attachment], backend: Backend) -> AnyView {
    attachments
        .iter()
        .map(|a| {
            let url = backend.resolve(&a.url);
            let size = helpdock_core::live::format_size(a.size);
            if a.content_type.starts_with("image/") && !url.is_empty() {
                let href = url.clone();
                view! {
                    <a class="hd-attachment hd-attachment-image" href=href target="_blank" rel="noopener noreferrer">
                        <img src=url alt=a.name.clone() loading="lazy" />
                    </a>
                }
                .into_any()
            } else if url.is_empty() {
                view! { <span class="hd-attachment">{format!("{} · {size}", a.name)}</span> }.into_any()
            } else {
                view! {
                    <a class="hd-attachment" href=url target="_blank" rel="noopener noreferrer" download=a.name.clone()>
                        {format!("{} · {size}", a.name)}
                    </a>
                }
                .into_any()
            }
        })
        .collect_view()
        .into_any()
}

/// The message box with its files: Enter sends, Shift+Enter starts a new
/// line; files come from the picker, a drop or a paste.
#[component]
fn Composer() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let chat = expect_context::<LiveChat>();
    let t = move || strings(state.locale.get());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        chat.send();
    };
    let on_keydown = move |ev: KeyboardEvent| {
        // Not while an input method is composing (Chinese, Japanese…):
        // there Enter picks the characters.
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            chat.send();
        }
    };
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        let files = files_of(ev.clipboard_data().and_then(|d| d.files()));
        if !files.is_empty() {
            ev.prevent_default();
            chat.attach(files);
        }
    };
    view! {
        {move || {
            chat.blocked
                .get()
                .map(|b| {
                    view! {
                        <div class="hd-blocked" role="alert">
                            <p class="hd-blocked-title">{t().blocked_title()}</p>
                            <ul>{b.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                            <p>{b.note}</p>
                            <p>{t().edit_and_resend()}</p>
                        </div>
                    }
                })
        }}
        <StagedFiles staged=chat.staged />
        <form class="hd-composer hd-live-composer" on:submit=on_submit>
            <label class="hd-visually-hidden" for="hd-live-input">{move || t().chat_label()}</label>
            <textarea
                id="hd-live-input"
                class="hd-composer-input"
                rows="1"
                placeholder=move || t().live_placeholder()
                enterkeyhint="send"
                aria-describedby="hd-live-problem"
                prop:value=move || chat.draft.get()
                on:input=move |ev| {
                    chat.draft.set(event_target_value(&ev));
                    chat.problem.set(None);
                    chat.typing();
                }
                on:keydown=on_keydown
                on:paste=on_paste
            ></textarea>
            <label class="hd-icon-button hd-attach" title=move || t().live_attach()>
                <span class="hd-visually-hidden">{move || t().live_attach()}</span>
                <span aria-hidden="true">"+"</span>
                <input
                    type="file"
                    multiple
                    class="hd-visually-hidden"
                    on:change=move |ev| {
                        let input = uploads::target::<web_sys::HtmlInputElement>(&ev);
                        chat.attach(files_of(input.as_ref().and_then(|i| i.files())));
                        if let Some(input) = input {
                            input.set_value("");
                        }
                    }
                />
            </label>
            <button class="hd-send" type="submit">{move || t().send()}</button>
        </form>
        <p id="hd-live-problem" class="hd-field-error" role="status">{move || chat.problem.get()}</p>
    }
}

/// Files picked for a message, a ticket or a reply: preview, progress,
/// why one was refused, and a button to remove each.
#[component]
pub fn StagedFiles(staged: RwSignal<Vec<uploads::Staged>>) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let t = move || strings(state.locale.get());
    view! {
    <ul class="hd-staged" hidden=move || staged.with(Vec::is_empty)>
        {move || {
            staged
                .get()
                .into_iter()
                .map(|f| {
                    let id = f.id;
                    let label = t().live_remove_file().replace("{name}", &f.name);
                    let remove = move |ev: leptos::ev::MouseEvent| {
                        let button = ev.current_target().and_then(|b| b.dyn_into::<web_sys::Element>().ok());
                        let list = button.and_then(|b| b.closest("ul").ok().flatten());
                        uploads::unstage(staged, id);
                        if let Some(list) = list {
                            crate::dom::focus_after_removal(list);
                        }
                    };
                    let (status, failed) = match &f.state {
                        StagedState::Failed(why) => (Some(why.clone()), true),
                        _ => (None, false),
                    };
                    let uploading = f.state == StagedState::Uploading;
                    view! {
                        <li class="hd-staged-file" class:hd-failed=failed>
                            {f.preview.map(|src| view! { <img class="hd-preview" src=src alt="" /> })}
                            <span class="hd-staged-name">{f.name.clone()}</span>
                            {uploading
                                .then(|| {
                                    view! {
                                        <progress
                                            max="100"
                                            value=(f.progress * 100.0).round() as u32
                                            aria-label=t().live_uploading().replace("{name}", &f.name)
                                        ></progress>
                                    }
                                })}
                            {status.map(|s| view! { <span class="hd-field-error" role="alert">{s}</span> })}
                            <button class="hd-icon-button hd-unstage" type="button" aria-label=label on:click=remove>
                                "×"
                            </button>
                        </li>
                    }
                })
                .collect_view()
        }}
    </ul>
    }
}

/// After the end: the rating and the transcript by e-mail, then back to
/// the assistant.
#[component]
fn AfterClose() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let chat = expect_context::<LiveChat>();
    let t = move || strings(state.locale.get());
    let score = RwSignal::new(0u8);
    let comment = RwSignal::new(String::new());
    let email = RwSignal::new(chat.identity_email().unwrap_or_default());
    let email_error = RwSignal::new(false);
    let rated = move || chat.live.with(|l| l.rated) || chat.rating.get() == Request::Done;
    let on_rate = move |ev: SubmitEvent| {
        ev.prevent_default();
        if score.get_untracked() > 0 {
            chat.rate(score.get_untracked(), comment.get_untracked());
        }
    };
    let on_transcript = move |ev: SubmitEvent| {
        ev.prevent_default();
        let address = email.get_untracked().trim().to_owned();
        let valid = address.split_once('@').is_some_and(|(a, d)| !a.is_empty() && d.contains('.') && !d.ends_with('.'))
            && !address.contains(char::is_whitespace);
        email_error.set(!valid);
        if valid {
            chat.email_transcript(address);
        }
    };
    let failure = move |r: Request| match r {
        Request::Failed(err) => Some(err.user_message(state.locale.get())),
        _ => None,
    };
    view! {
        <div class="hd-after">
            <form class="hd-rating" on:submit=on_rate hidden=rated>
                <fieldset>
                    <legend>{move || t().rate_title()}</legend>
                    <div class="hd-stars">
                        {(1..=5u8)
                            .map(|n| {
                                view! {
                                    <button
                                        class=move || { if score.get() >= n { "hd-star hd-on" } else { "hd-star" } }
                                        type="button"
                                        aria-pressed=move || (score.get() == n).to_string()
                                        aria-label=move || t().rate_star().replace("{n}", &n.to_string())
                                        on:click=move |_| score.set(n)
                                    >
                                        "★"
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                    <label class="hd-visually-hidden" for="hd-rating-comment">{move || t().rate_comment()}</label>
                    <textarea
                        id="hd-rating-comment"
                        class="hd-composer-input"
                        rows="2"
                        placeholder=move || t().rate_comment()
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))
                    ></textarea>
                    <button class="hd-send" type="submit" disabled=move || score.get() == 0 || chat.rating.get() == Request::Busy>
                        {move || t().rate_send()}
                    </button>
                    <p class="hd-field-error" role="alert">{move || failure(chat.rating.get())}</p>
                </fieldset>
            </form>
            <p class="hd-thanks" role="status" hidden=move || !rated()>{move || t().rate_thanks()}</p>
            // Offered only when the backend can send e-mail.
            <form class="hd-transcript" on:submit=on_transcript
                hidden=move || !chat.backend.email.get() || chat.transcript.get() == Request::Done>
                <label for="hd-transcript-email">{move || t().transcript_title()}</label>
                <div class="hd-transcript-row">
                    <input
                        id="hd-transcript-email"
                        class="hd-composer-input"
                        type="email"
                        autocomplete="email"
                        aria-invalid=move || email_error.get().to_string()
                        prop:value=move || email.get()
                        on:input=move |ev| {
                            email.set(event_target_value(&ev));
                            email_error.set(false);
                        }
                    />
                    <button class="hd-send" type="submit" disabled=move || chat.transcript.get() == Request::Busy>
                        {move || t().transcript_send()}
                    </button>
                </div>
                <p class="hd-field-error" role="alert">
                    {move || if email_error.get() { Some(t().email_invalid().to_owned()) } else { failure(chat.transcript.get()) }}
                </p>
            </form>
            <p class="hd-thanks" role="status" hidden=move || chat.transcript.get() != Request::Done>
                {move || t().transcript_sent().replace("{email}", &email.get())}
            </p>
            <button class="hd-link-button" type="button" on:click=move |_| chat.leave()>{move || t().live_back()}</button>
        </div>
    }
}
