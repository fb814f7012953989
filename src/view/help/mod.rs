//! The Help area: announcements, search as you type, categories, articles.

mod article;
mod home;
pub(crate) mod markdown;
mod results;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::content::{search, Content, PackState};
use crate::i18n::strings;
use crate::state::WidgetState;
use crate::view::icons::SearchIcon;

use article::ArticleView;
use home::{CategoryView, Home};
use results::Results;

/// "Talk to a person" where Help runs out (no results, an article that did
/// not help): Chat, with the hand-over started as its own button would.
fn person_button() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let chat = expect_context::<crate::chat::ChatState>();
    let to_person = move |_| {
        state.tab.set(crate::state::Tab::Chat);
        chat.send(helpdock_core::bot::Input::TalkToPerson);
    };
    view! {
        <button class="hd-person-button" type="button" data-hd="help-person" on:click=to_person>
            {move || strings(state.locale.get()).talk_to_person()}
        </button>
    }
}

/// What the Help area shows besides search results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpView {
    /// Announcements and categories.
    Home,
    /// The articles of one category, by id.
    Category(String),
    /// One article, by id (looked up in the current locale).
    Article(String),
}

/// Which Help screen is shown; provided by the panel so that the Chat area
/// can open an article in the Help area.
#[derive(Debug, Clone, Copy)]
pub struct HelpViewSignal(pub RwSignal<HelpView>);

/// The Help area's own state, provided by context to its screens.
#[derive(Debug, Clone, Copy)]
pub struct HelpState {
    /// The screen below the search box.
    pub view: RwSignal<HelpView>,
    /// The result highlighted with the arrow keys.
    pub active: RwSignal<Option<usize>>,
    /// The search results: articles and the terms that matched.
    pub results: Memo<Option<SearchResults>>,
    panel: NodeRef<leptos::html::Section>,
}

/// Search results for the current query, in the current locale.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// Article indices, best first.
    pub articles: Vec<u32>,
    /// Query terms that matched, for highlighting.
    pub matched: Vec<String>,
}

impl HelpState {
    /// Opens an article (the search results stay behind it) and moves focus
    /// to its title.
    pub fn open_article(&self, id: String) {
        self.view.set(HelpView::Article(id));
        self.focus_after_render(".hd-view-title");
    }

    /// Lists a category's articles.
    pub fn open_category(&self, id: String) {
        self.view.set(HelpView::Category(id));
        self.focus_after_render(".hd-view-title");
    }

    /// Back to the results or the home screen, focus in the search box.
    pub fn go_home(&self) {
        self.view.set(HelpView::Home);
        self.focus_after_render("#hd-search-input");
    }

    fn focus_after_render(&self, selector: &'static str) {
        let panel = self.panel;
        request_animation_frame(move || {
            if let Some(panel) = panel.get_untracked() {
                _ = crate::dom::focus(&panel, selector);
            }
        });
    }
}

const MAX_RESULTS: usize = 8;
const DEBOUNCE_MS: u64 = 90;

/// The Help tab's content.
#[component]
pub fn HelpArea() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let content = expect_context::<Content>();
    let t = move || strings(state.locale.get());
    let query = RwSignal::new(String::new());
    let searched = RwSignal::new(String::new());
    let results = Memo::new(move |_| {
        let q = searched.get();
        if q.trim().is_empty() {
            return None;
        }
        let index = content.index()?;
        let answer = search(&index, &q, state.locale.get(), MAX_RESULTS);
        Some(SearchResults { articles: answer.hits.iter().map(|h| h.article).collect(), matched: answer.matched })
    });
    // Shared with the Chat area, whose answers open articles here.
    let view = expect_context::<HelpViewSignal>().0;
    let help = HelpState { view, active: RwSignal::new(None), results, panel: state.panel };
    provide_context(help);

    let on_input = move |ev| {
        let value = event_target_value(&ev);
        query.set(value.clone());
        help.active.set(None);
        if value.trim().is_empty() {
            searched.set(String::new());
            return;
        }
        help.view.set(HelpView::Home);
        set_timeout(
            move || {
                if query.get_untracked() == value {
                    searched.set(value);
                }
            },
            std::time::Duration::from_millis(DEBOUNCE_MS),
        );
    };
    let on_keydown = move |ev: KeyboardEvent| {
        let count = results.get_untracked().map_or(0, |r| r.articles.len());
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" if count > 0 => {
                ev.prevent_default();
                let step = if ev.key() == "ArrowDown" { 1 } else { count - 1 };
                let next =
                    help.active.get_untracked().map_or(if step == 1 { 0 } else { count - 1 }, |i| (i + step) % count);
                help.active.set(Some(next));
            }
            "Enter" => {
                ev.prevent_default();
                // Search now rather than after the pause, then open the pick.
                searched.set(query.get_untracked());
                let pick = help.active.get_untracked().unwrap_or(0);
                let index = content.index();
                let article = results.get_untracked().and_then(|r| r.articles.get(pick).copied());
                if let (Some(index), Some(article)) = (index, article) {
                    help.open_article(index.articles[article as usize].id.clone());
                }
            }
            _ => {}
        }
    };
    let showing_results = move || !searched.get().trim().is_empty() && help.view.get() == HelpView::Home;

    view! {
        <form class="hd-search" role="search" on:submit=move |ev| ev.prevent_default()>
            <label class="hd-visually-hidden" for="hd-search-input">{move || t().search_label()}</label>
            <SearchIcon />
            <input
                id="hd-search-input"
                class="hd-search-input"
                type="search"
                role="combobox"
                aria-autocomplete="list"
                aria-controls="hd-results"
                aria-expanded=move || showing_results().to_string()
                aria-activedescendant=move || help.active.get().map(|i| format!("hd-result-{i}")).unwrap_or_default()
                autocomplete="off"
                enterkeyhint="search"
                data-autofocus=""
                placeholder=move || t().search_placeholder()
                prop:value=move || query.get()
                on:input=on_input
                on:keydown=on_keydown
            />
        </form>
        {move || match content.state() {
            None => view! { <p class="hd-muted" role="status">{t().loading()}</p> }.into_any(),
            Some(PackState::None) => empty(t().help_empty_title(), t().help_empty_body()),
            Some(PackState::Failed) => empty(t().help_failed_title(), t().help_failed_body()),
            Some(PackState::Ready(_)) => {
                if showing_results() {
                    view! { <Results /> }.into_any()
                } else {
                    match help.view.get() {
                        HelpView::Home => view! { <Home /> }.into_any(),
                        HelpView::Category(id) => view! { <CategoryView id /> }.into_any(),
                        HelpView::Article(id) => view! { <ArticleView id /> }.into_any(),
                    }
                }
            }
        }}
    }
}

fn empty(title: &'static str, body: &'static str) -> AnyView {
    view! {
        <div class="hd-empty">
            <p class="hd-empty-title">{title}</p>
            <p class="hd-empty-body">{body}</p>
        </div>
    }
    .into_any()
}
