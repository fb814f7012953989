//! The My tickets area: the list with status badges and unread counts, the
//! ticket form (category, urgency, title, description, the category's
//! checklist, e-mail, attachments), the confirmation with the number, and
//! one ticket's thread with the reply box, close / reopen and the rating.
//! The logic lives in `crate::people::tickets::Tickets` and
//! `helpdock_core::tickets`.

use helpdock_core::flow::Flow;
use helpdock_core::protocol::{AuthorKind, TicketReply, TicketStatus, Urgency};
use helpdock_core::tickets::{flow_of, Slot, OTHER};
use leptos::ev::{DragEvent, SubmitEvent};
use leptos::prelude::*;

use crate::content::Content;
use crate::i18n::{strings, Strings};
use crate::people::backend::Backend;
use crate::people::live::Request;
use crate::people::tickets::{Screen, Tickets};
use crate::people::uploads::{self, files_of};
use crate::people::view::live::{attachments_view, StagedFiles};
use crate::state::WidgetState;

/// The visitor's tickets: the list, the form, a ticket.
#[component]
pub fn TicketsArea() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let tickets = expect_context::<Tickets>();
    // Each screen renders its strings once; a change of language renders
    // the screen again.
    move || match (state.locale.get(), tickets.screen.get()).1 {
        Screen::List => view! { <TicketList /> }.into_any(),
        Screen::New => view! { <TicketForm /> }.into_any(),
        Screen::Created { id, number, email } => view! { <Created id number email /> }.into_any(),
        Screen::View(_) => view! { <TicketView /> }.into_any(),
    }
}

fn status_label(t: &Strings, status: TicketStatus) -> &'static str {
    t.tk_statuses()[TicketStatus::ALL.iter().position(|s| *s == status).unwrap_or(0)]
}

fn urgency_label(t: &Strings, urgency: Urgency) -> &'static str {
    t.tk_urgencies()[Urgency::ALL.iter().position(|u| *u == urgency).unwrap_or(1)]
}

fn failure(r: Request, state: WidgetState) -> Option<String> {
    match r {
        Request::Failed(err) => Some(err.user_message(state.locale.get_untracked())),
        _ => None,
    }
}

/// The list, or the empty state; "Create a ticket" above it.
#[component]
fn TicketList() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let tickets = expect_context::<Tickets>();
    let t = strings(state.locale.get_untracked());
    let empty = move || tickets.list.with(|l| l.tickets.is_empty());
    view! {
        // One state at a time: the failure (with a retry) or the empty list,
        // never both; the stylesheet reads `data-load`.
        <div class="hd-tickets" data-load=move || if matches!(tickets.load.get(), Request::Failed(_)) { "failed" } else { "" }>
            <div class="hd-tickets-bar">
                <button class="hd-person-button" type="button" data-hd="new-ticket" hidden=move || !tickets.available() on:click=move |_| tickets.new_ticket()>
                    {t.tk_new()}
                </button>
            </div>
            <div class="hd-field-error hd-load-error" role="alert">
                <p>{move || failure(tickets.load.get(), state).map(|r| t.tk_load_failed().replace("{reason}", &r))}</p>
                <button class="hd-link-button" type="button" data-hd="reload-tickets" on:click=move |_| tickets.refresh()>{t.tk_retry()}</button>
            </div>
            <div class="hd-empty" hidden=move || !empty()>
                <p class="hd-empty-title">{t.tickets_empty_title()}</p>
                <p class="hd-empty-body">{t.tickets_empty_body()}</p>
            </div>
            <ul class="hd-ticket-list" hidden=empty aria-label=t.tab_tickets()>
                {move || {

                    tickets
                        .list
                        .get()
                        .tickets
                        .into_iter()
                        .map(|s| {
                            let id = s.id.clone();
                            let unread = (s.unread > 0).then(|| t.tk_unread().replace("{n}", &s.unread.to_string()));
                            view! {
                                <li class="hd-ticket-item" data-ticket=s.id.clone() data-number=s.number.clone() data-status=s.status.as_str()>
                                    <button class="hd-ticket-open" type="button" on:click=move |_| tickets.open(id.clone())>
                                        <span class="hd-ticket-line">
                                            <span class="hd-ticket-number">{s.number.clone()}</span>
                                            <span class=format!("hd-status hd-status-{}", s.status.as_str()) data-hd="status">
                                                {status_label(t, s.status)}
                                            </span>
                                            {unread.map(|u| view! { <span class="hd-unread-count" data-hd="unread">{u}</span> })}
                                        </span>
                                        <span class="hd-ticket-title">{s.title.clone()}</span>
                                        <span class="hd-muted">{t.tk_updated().replace("{when}", &crate::clock::date_time(s.updated_at))}</span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

/// A labelled control with its problem underneath (`aria-describedby`).
#[component]
fn FormField(which: Slot, label: String, required: bool, children: Children) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let tickets = expect_context::<Tickets>();
    let slot = which;
    let key = slot.key();
    let error_id = format!("hd-tk-{key}-error");
    let t = strings(state.locale.get_untracked());
    view! {
        <div class="hd-form-field" data-field=key.clone()>
            <label for=format!("hd-tk-{key}")>
                {label}
                {required.then(|| view! { <span class="hd-required" aria-hidden="true">" *"</span><span class="hd-visually-hidden">{move || format!(" ({})", t.tk_required())}</span> })}
            </label>
            {children()}
            <p id=error_id class="hd-field-error">{move || tickets.error(&slot)}</p>
        </div>
    }
}

/// The ticket form.
#[component]
fn TicketForm() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let tickets = expect_context::<Tickets>();
    let content = expect_context::<Content>();
    let t = strings(state.locale.get_untracked());
    let flows = move || content.index().map(|i| i.flows.clone()).unwrap_or_default();
    let dragging = RwSignal::new(false);
    let draft = tickets.draft;
    // Only a change of category re-renders the checklist (not every key).
    let category = Memo::new(move |_| draft.with(|d| d.category.clone()));
    let urgency = Memo::new(move |_| draft.with(|d| d.urgency));
    let busy = move || tickets.submit.get() == Request::Busy;
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        tickets.send();
        // Focus the first field with a problem.
        request_animation_frame(move || {
            let first = tickets.errors.with_untracked(|e| e.first().map(|(s, _)| s.key()));
            if let (Some(key), Some(panel)) = (first, state.panel.get_untracked()) {
                if let Ok(Some(el)) = panel.query_selector(&format!("#hd-tk-{key}")) {
                    if let Some(el) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&el) {
                        _ = el.focus();
                    }
                }
            }
        });
    };
    let invalid = move |slot: &Slot| tickets.errors.with(|e| e.iter().any(|(s, _)| s == slot)).to_string();
    let described = |slot: &Slot| format!("hd-tk-{}-error", slot.key());
    let text_input = move |slot: Slot, long: bool| {
        let id = format!("hd-tk-{}", slot.key());
        let value = {
            let slot = slot.clone();
            move || {
                draft.with(|d| match &slot {
                    Slot::Title => d.title.clone(),
                    Slot::Description => d.description.clone(),
                    Slot::Email => d.email.clone(),
                    Slot::Field(f) => d.field(f).to_owned(),
                })
            }
        };
        let set = {
            let slot = slot.clone();
            move |ev: leptos::ev::Event| {
                let v = event_target_value(&ev);
                draft.update(|d| match &slot {
                    Slot::Title => d.title = v,
                    Slot::Description => d.description = v,
                    Slot::Email => d.email = v,
                    Slot::Field(f) => d.set_field(f, &v),
                });
                // Typing clears the field's problem at once; leaving the
                // field only ever adds one. So nothing above the buttons
                // moves when the user goes from a corrected field to
                // "Submit" (the click would land beside it).
                tickets.errors.maybe_update(|e| {
                    let before = e.len();
                    e.retain(|(s, _)| *s != slot);
                    e.len() != before
                });
            }
        };
        let blur = {
            let slot = slot.clone();
            move |_| tickets.check(slot.clone())
        };
        let aria_invalid = {
            let slot = slot.clone();
            move || invalid(&slot)
        };
        if long {
            view! {
                <textarea id=id class="hd-composer-input" rows="4" aria-describedby=described(&slot) aria-invalid=aria_invalid
                    prop:value=value on:input=set on:blur=blur></textarea>
            }
            .into_any()
        } else {
            let kind = if slot == Slot::Email { "email" } else { "text" };
            view! {
                <input id=id class="hd-composer-input" type=kind aria-describedby=described(&slot) aria-invalid=aria_invalid
                    autocomplete=if slot == Slot::Email { "email" } else { "off" }
                    prop:value=value on:input=set on:blur=blur />
            }
            .into_any()
        }
    };
    let checklist = move || {
        let flows: Vec<Flow> = flows();
        let locale = state.locale.get_untracked();
        let category = category.get();
        let Some(flow) = flow_of(&flows, &category).cloned() else { return ().into_any() };
        view! {
            <fieldset class="hd-checklist">
                <legend>{t.tk_checklist()}</legend>
                {flow
                    .fields
                    .iter()
                    .filter(|f| f.format != helpdock_core::fields::FieldFormat::Attachment)
                    .map(|f| {
                        let slot = Slot::Field(f.id.clone());
                        let input = text_input(slot.clone(), f.format == helpdock_core::fields::FieldFormat::LongText);
                        view! {
                            <FormField which=slot label=f.label(locale).to_owned() required=f.required>
                                {input}
                            </FormField>
                        }
                    })
                    .collect_view()}
            </fieldset>
        }
        .into_any()
    };
    let attachment_error = move || {
        let flows = flows();
        draft.with(|d| {
            flow_of(&flows, &d.category)?
                .fields
                .iter()
                .filter(|f| f.format == helpdock_core::fields::FieldFormat::Attachment)
                .find_map(|f| tickets.error(&Slot::Field(f.id.clone())))
        })
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        tickets.attach(false, files_of(ev.data_transfer().and_then(|d| d.files())));
    };
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        let files = files_of(ev.clipboard_data().and_then(|d| d.files()));
        if !files.is_empty() {
            ev.prevent_default();
            tickets.attach(false, files);
        }
    };
    view! {
        <form
            class="hd-ticket-form"
            class:hd-dragging=move || dragging.get()
            novalidate
            aria-labelledby="hd-tk-form-title"
            on:submit=on_submit
            on:dragover=move |ev: DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
            on:paste=on_paste
        >
            <div class="hd-tickets-bar">
                <button class="hd-link-button" type="button" on:click=move |_| tickets.screen.set(Screen::List)>{t.tk_back()}</button>
            </div>
            <h3 id="hd-tk-form-title" class="hd-form-title">{t.tk_form_title()}</h3>
            <p class="hd-muted">{t.tk_draft_note()}</p>
            <div class="hd-form-row">
                <div class="hd-form-field">
                    <label for="hd-tk-category">{t.tk_category()}</label>
                    <select
                        id="hd-tk-category"
                        class="hd-composer-input"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            draft.update(|d| d.category = v);
                            tickets.errors.update(|e| e.retain(|(s, _)| !matches!(s, Slot::Field(_))));
                        }
                    >
                        {move || {
                            let locale = state.locale.get_untracked();
                            let current = category.get();
                            let mut options: Vec<(String, String)> =
                                flows().iter().map(|f| (f.id.clone(), f.title(locale).to_owned())).collect();
                            options.push((OTHER.to_owned(), t.tk_other().to_owned()));
                            options
                                .into_iter()
                                .map(|(id, title)| {
                                    let selected = id == current;
                                    view! { <option value=id selected=selected>{title}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <div class="hd-form-field">
                    <label for="hd-tk-urgency">{t.tk_urgency()}</label>
                    <select
                        id="hd-tk-urgency"
                        class="hd-composer-input"
                        on:change=move |ev| {
                            if let Some(u) = Urgency::parse(&event_target_value(&ev)) {
                                draft.update(|d| d.urgency = u);
                            }
                        }
                    >
                        {move || {
                            let current = urgency.get();
                            Urgency::ALL
                                .into_iter()
                                .map(|u| view! { <option value=u.as_str() selected=u == current>{urgency_label(t, u)}</option> })
                                .collect_view()
                        }}
                    </select>
                </div>
            </div>
            <FormField which=Slot::Title label=t.tk_title().to_owned() required=true>
                {text_input(Slot::Title, false)}
            </FormField>
            <FormField which=Slot::Description label=t.tk_description().to_owned() required=true>
                {text_input(Slot::Description, true)}
            </FormField>
            {checklist}
            <FormField which=Slot::Email label=t.tk_email().to_owned() required=true>
                {text_input(Slot::Email, false)}
            </FormField>
            <div class="hd-form-field" data-field="attachments">
                <span class="hd-form-label">{t.tk_attachments()}</span>
                <StagedFiles staged=tickets.staged />
                <label class="hd-chip hd-file">
                    {t.live_attach()}
                    <input
                        type="file"
                        multiple
                        class="hd-visually-hidden"
                        data-hd="ticket-files"
                        on:change=move |ev| {
                            let input = uploads::target::<web_sys::HtmlInputElement>(&ev);
                            tickets.attach(false, files_of(input.as_ref().and_then(|i| i.files())));
                            if let Some(input) = input {
                                input.set_value("");
                            }
                        }
                    />
                </label>
                <p class="hd-field-error">{attachment_error}</p>
            </div>
            <p class="hd-field-error" role="alert">{move || tickets.problem.get()}</p>
            {move || {
                failure(tickets.submit.get(), state)
                    .map(|reason| {
                        view! {
                            <div class="hd-live-problem hd-submit-failed" role="alert" data-hd="submit-failed">
                                <p>{t.tk_failed().replace("{reason}", &reason)}</p>
                            </div>
                        }
                    })
            }}
            <div class="hd-form-actions">
                <button class="hd-send" type="submit" data-hd="submit-ticket" disabled=busy>
                    {move || {
                        if busy() {
                            t.tk_submitting()
                        } else if matches!(tickets.submit.get(), Request::Failed(_)) {
                            t.tk_retry()
                        } else {
                            t.tk_submit()
                        }
                    }}
                </button>
                <button class="hd-link-button" type="button" on:click=move |_| tickets.discard()>{t.tk_discard()}</button>
            </div>
        </form>
    }
}

/// The ticket was created: its number, and where replies go.
#[component]
fn Created(id: String, number: String, email: String) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let tickets = expect_context::<Tickets>();
    let t = strings(state.locale.get_untracked());
    let number_text = number.clone();
    view! {
        <div class="hd-created" role="status" data-hd="ticket-created" data-number=number>
            <p class="hd-created-title">{move || t.tk_created().replace("{number}", &number_text)}</p>
            <p>{move || t.tk_created_body().replace("{email}", &email)}</p>
            <div class="hd-chips">
                <button class="hd-chip" type="button" on:click=move |_| tickets.open(id.clone())>{t.tk_view()}</button>
                <button class="hd-link-button" type="button" on:click=move |_| tickets.back()>{t.tk_back()}</button>
            </div>
        </div>
    }
}

fn reply_view(r: TicketReply, t: &'static Strings, backend: Backend) -> AnyView {
    let status_line = r.status.map(|s| t.tk_status_line().replace("{status}", status_label(t, s)));
    let (class, name) = match r.author.kind {
        AuthorKind::Visitor => ("hd-from-visitor", t.tk_you().to_owned()),
        AuthorKind::Agent => ("hd-from-agent", r.author.name.clone().unwrap_or_else(|| t.tk_team().to_owned())),
        AuthorKind::System => ("hd-live-system", String::new()),
    };
    if r.body.is_empty() && r.attachments.is_empty() {
        return view! { <li class="hd-live-system" data-seq=r.seq>{status_line}</li> }.into_any();
    }
    let meta = if r.by_email {
        format!("{} · {}", crate::clock::date_time(r.at), t.tk_by_email())
    } else {
        crate::clock::date_time(r.at)
    };
    view! {
        <li class=format!("hd-live-msg {class}") data-seq=r.seq>
            {(!name.is_empty()).then(|| view! { <p class="hd-author">{name}</p> })}
            {(!r.body.is_empty()).then(|| view! { <p class="hd-bubble">{r.body.clone()}</p> })}
            {(!r.attachments.is_empty()).then(|| attachments_view(&r.attachments, backend))}
            <p class="hd-meta">{meta}</p>
            {status_line.map(|s| view! { <p class="hd-live-system">{s}</p> })}
        </li>
    }
    .into_any()
}

/// One ticket: what was written, the thread, the reply box, close or
/// reopen, and the rating once resolved.
#[component]
fn TicketView() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let tickets = expect_context::<Tickets>();
    let backend = expect_context::<Backend>();
    let t = strings(state.locale.get_untracked());
    let detail = move || tickets.list.with(|l| l.open.clone());
    let status = move || tickets.list.with(|l| l.open.as_ref().map(|o| o.summary.status));
    let busy = move || tickets.reply_state.get() == Request::Busy;
    let on_reply = move |ev: SubmitEvent| {
        ev.prevent_default();
        tickets.send_reply();
    };
    view! {
        <div class="hd-ticket-view">
            <div class="hd-tickets-bar">
                <button class="hd-link-button" type="button" on:click=move |_| tickets.back()>{t.tk_back()}</button>
            </div>
            {move || match (detail(), tickets.load.get()) {
                (None, Request::Failed(err)) => view! { <p class="hd-field-error" role="alert">{err.user_message(state.locale.get())}</p> }.into_any(),
                (None, _) => view! { <p class="hd-live-status" role="status">{t.tk_loading()}</p> }.into_any(),
                (Some(d), _) => {

                    let s = d.summary.clone();
                    view! {
                        <article class="hd-ticket" data-ticket=s.id.clone() data-number=s.number.clone() data-status=s.status.as_str() aria-labelledby="hd-ticket-title">
                            <p class="hd-ticket-line">
                                <span class="hd-ticket-number">{s.number.clone()}</span>
                                <span class=format!("hd-status hd-status-{}", s.status.as_str()) data-hd="status">{status_label(t, s.status)}</span>
                            </p>
                            <h3 id="hd-ticket-title" class="hd-form-title">{s.title.clone()}</h3>
                            <p class="hd-ticket-description">{d.description.clone()}</p>
                            {(!d.fields.is_empty()).then(|| view! {
                                <dl class="hd-summary" aria-label=t.tk_fields()>
                                    {d.fields.iter().map(|f| view! { <dt>{f.label.clone()}</dt><dd>{f.value.clone()}</dd> }).collect_view()}
                                </dl>
                            })}
                            {(!d.attachments.is_empty()).then(|| attachments_view(&d.attachments, backend))}
                            <h4 class="hd-form-label">{t.tk_thread()}</h4>
                            <ol class="hd-live-log hd-ticket-thread" aria-live="polite" aria-label=t.tk_thread()>
                                {d.replies.into_iter().filter(|r| !r.internal).map(|r| reply_view(r, t, backend)).collect_view()}
                            </ol>
                        </article>
                    }
                    .into_any()
                }
            }}
            {move || {
                let st = status()?;
                Some(if st == TicketStatus::Closed {
                    view! {
                        <div class="hd-ticket-actions">
                            <p class="hd-muted">{t.tk_closed_note()}</p>
                            <button class="hd-chip" type="button" data-hd="reopen-ticket" disabled=busy on:click=move |_| tickets.set_status(TicketStatus::Open)>
                                {t.tk_reopen()}
                            </button>
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <form class="hd-ticket-reply" on:submit=on_reply
                            on:paste=move |ev: leptos::ev::ClipboardEvent| {
                                let files = files_of(ev.clipboard_data().and_then(|d| d.files()));
                                if !files.is_empty() {
                                    ev.prevent_default();
                                    tickets.attach(true, files);
                                }
                            }
                        >
                            <label for="hd-tk-reply">{t.tk_reply_label()}</label>
                            <textarea id="hd-tk-reply" class="hd-composer-input" rows="3"
                                prop:value=move || tickets.reply.get()
                                on:input=move |ev| tickets.reply.set(event_target_value(&ev))></textarea>
                            <StagedFiles staged=tickets.reply_staged />
                            <div class="hd-form-actions">
                                <label class="hd-chip hd-file">
                                    {t.live_attach()}
                                    <input type="file" multiple class="hd-visually-hidden"
                                        on:change=move |ev| {
                                            let input = uploads::target::<web_sys::HtmlInputElement>(&ev);
                                            tickets.attach(true, files_of(input.as_ref().and_then(|i| i.files())));
                                            if let Some(input) = input {
                                                input.set_value("");
                                            }
                                        } />
                                </label>
                                <button class="hd-send" type="submit" data-hd="send-reply" disabled=busy>{t.tk_reply_send()}</button>
                                <button class="hd-link-button" type="button" data-hd="close-ticket" disabled=busy on:click=move |_| tickets.set_status(TicketStatus::Closed)>
                                    {t.tk_close()}
                                </button>
                            </div>
                        </form>
                    }
                    .into_any()
                })
            }}
            <p class="hd-field-error" role="alert" data-hd="reply-problem">
                {move || tickets.problem.get().or_else(|| failure(tickets.reply_state.get(), state))}
            </p>
            <div hidden=move || !matches!(status(), Some(TicketStatus::Resolved | TicketStatus::Closed))>
                <TicketRating />
            </div>
        </div>
    }
}

/// The 1–5 rating with a comment, once resolved or closed.
#[component]
fn TicketRating() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let tickets = expect_context::<Tickets>();
    let t = strings(state.locale.get_untracked());
    let score = RwSignal::new(0u8);
    let comment = RwSignal::new(String::new());
    let rated = move || {
        tickets.rating.get() == Request::Done
            || tickets.list.with(|l| l.open.as_ref().is_some_and(|o| o.summary.rating.is_some()))
    };
    let on_rate = move |ev: SubmitEvent| {
        ev.prevent_default();
        if score.get_untracked() > 0 {
            tickets.rate(score.get_untracked(), comment.get_untracked());
        }
    };
    view! {
        // Both stay mounted and swap by `hidden` (cheaper than a <Show>).
        <form class="hd-rating" on:submit=on_rate hidden=rated>
            <fieldset>
                <legend>{t.rate_title()}</legend>
                <div class="hd-stars">
                    {(1..=5u8).map(|n| view! {
                        <button
                            class=move || { if score.get() >= n { "hd-star hd-on" } else { "hd-star" } }
                            type="button"
                            aria-pressed=move || (score.get() == n).to_string()
                            aria-label=move || t.rate_star().replace("{n}", &n.to_string())
                            on:click=move |_| score.set(n)
                        >"★"</button>
                    }).collect_view()}
                </div>
                <label class="hd-visually-hidden" for="hd-tk-rating-comment">{t.rate_comment()}</label>
                <textarea id="hd-tk-rating-comment" class="hd-composer-input" rows="2" placeholder=t.rate_comment()
                    prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                <button class="hd-send" type="submit" disabled=move || score.get() == 0 || tickets.rating.get() == Request::Busy>
                    {t.rate_send()}
                </button>
                <p class="hd-field-error" role="alert">{move || failure(tickets.rating.get(), state)}</p>
            </fieldset>
        </form>
        <p class="hd-thanks" role="status" hidden=move || !rated()>{t.rate_thanks()}</p>
    }
}
