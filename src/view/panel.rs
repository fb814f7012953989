//! The panel: header, the three tabs and their areas.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::handover::People;
use crate::i18n::{strings, Strings};
use crate::state::{Tab, WidgetState};
use crate::view::chat::ChatArea;
use crate::view::chat::PeopleLoading;
use crate::view::help::{HelpArea, HelpView, HelpViewSignal};
use crate::view::icons::CloseIcon;

/// The support panel. Stays in the DOM once rendered so that what the user
/// typed survives closing and reopening it.
#[component]
pub fn Panel(
    /// The heading the host configured, if any.
    title: Option<String>,
) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    provide_context(HelpViewSignal(RwSignal::new(HelpView::Home)));
    let t = move || strings(state.locale.get());
    let title = move || title.clone().unwrap_or_else(|| t().panel_title().to_owned());
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Tab" {
            if let Some(panel) = state.panel.get_untracked() {
                crate::dom::trap_tab(&panel, &ev);
            }
        } else if ev.key() == "Escape" {
            // Also stops a search field's default of clearing itself: Esc
            // closes the panel and keeps what was typed.
            ev.prevent_default();
            ev.stop_propagation();
            state.close();
        }
    };
    view! {
        <section
            id="hd-panel"
            class="hd-panel"
            role="dialog"
            aria-labelledby="hd-title"
            tabindex="-1"
            node_ref=state.panel
            hidden=move || !state.open.get()
            on:keydown=on_keydown
        >
            <div class="hd-header">
                <div class="hd-heading">
                    <h2 id="hd-title" class="hd-title">{title}</h2>
                    <p class="hd-subtitle">{move || t().panel_subtitle()}</p>
                </div>
                <button class="hd-icon-button" type="button" aria-label=move || t().close() on:click=move |_| state.close()>
                    <CloseIcon />
                </button>
            </div>
            <Tabs />
            <TabPanel tab=Tab::Help>
                <HelpArea />
            </TabPanel>
            <TabPanel tab=Tab::Chat>
                <ChatArea />
            </TabPanel>
            <TabPanel tab=Tab::Tickets>
                <TicketsArea />
            </TabPanel>
        </section>
    }
}

fn tab_label(t: &Strings, tab: Tab) -> &'static str {
    match tab {
        Tab::Help => t.tab_help(),
        Tab::Chat => t.tab_chat(),
        Tab::Tickets => t.tab_tickets(),
    }
}

/// The tab bar, keyboard-operable as the ARIA tabs pattern describes:
/// arrows move between tabs and select them, Home and End jump.
#[component]
fn Tabs() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let t = move || strings(state.locale.get());
    let tablist = NodeRef::<leptos::html::Div>::new();
    let select = move |tab: Tab| {
        state.tab.set(tab);
        if let Some(list) = tablist.get_untracked() {
            if let Ok(Some(button)) = list.query_selector(&format!("#hd-tab-{}", tab.id())) {
                if let Some(button) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&button) {
                    _ = button.focus();
                }
            }
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        let current = state.tab.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowRight" => current.cycle(1),
            "ArrowLeft" => current.cycle(-1),
            "Home" => Tab::ALL[0],
            "End" => Tab::ALL[Tab::ALL.len() - 1],
            _ => return,
        };
        ev.prevent_default();
        select(next);
    };
    view! {
        <div class="hd-tabs" role="tablist" aria-label=move || t().sections() node_ref=tablist on:keydown=on_keydown>
            {Tab::ALL
                .into_iter()
                .map(|tab| {
                    let selected = move || state.tab.get() == tab;
                    view! {
                        <button
                            class="hd-tab"
                            type="button"
                            role="tab"
                            id=format!("hd-tab-{}", tab.id())
                            aria-controls=format!("hd-tabpanel-{}", tab.id())
                            aria-selected=move || selected().to_string()
                            tabindex=move || if selected() { "0" } else { "-1" }
                            on:click=move |_| state.tab.set(tab)
                        >
                            {move || tab_label(t(), tab)}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// One area of the panel, shown when its tab is selected.
#[component]
fn TabPanel(tab: Tab, children: Children) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    view! {
        <div
            class="hd-tabpanel"
            role="tabpanel"
            id=format!("hd-tabpanel-{}", tab.id())
            aria-labelledby=format!("hd-tab-{}", tab.id())
            hidden=move || state.tab.get() != tab
        >
            {children()}
        </div>
    }
}

/// My tickets: the people module's area, fetched when the tab is first
/// opened; without a backend, the empty state.
#[component]
fn TicketsArea() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let people = expect_context::<People>();
    let t = move || strings(state.locale.get());
    Effect::new(move || {
        if state.open.get() && state.tab.get() == Tab::Tickets {
            people.ensure();
        }
    });
    move || {
        if !people.available() {
            return view! {
                <div class="hd-empty">
                    <p class="hd-empty-title">{move || t().tickets_empty_title()}</p>
                    <p class="hd-empty-body">{move || t().tickets_empty_body()}</p>
                </div>
            }
            .into_any();
        }
        // On its way or failed: said here only while this tab is shown (a
        // hand-over in Chat says it there).
        match people.tickets_area() {
            Some(area) => area,
            None if state.tab.get() == Tab::Tickets => view! { <PeopleLoading /> }.into_any(),
            None => ().into_any(),
        }
    }
}
