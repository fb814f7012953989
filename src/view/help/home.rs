//! The Help area's home (announcements, categories) and a category's list.

use helpdock_core::pack::Severity;
use leptos::prelude::*;

use super::HelpState;
use crate::content::{now, Content};
use crate::i18n::strings;
use crate::state::WidgetState;
use crate::view::help::markdown::Markdown;

/// Active announcements, then the categories.
#[component]
pub fn Home() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let content = expect_context::<Content>();
    let help = expect_context::<HelpState>();
    let t = move || strings(state.locale.get());
    let index = content.index();
    let announcements = {
        let index = index.clone();
        move || {
            let locale = state.locale.get();
            let now = now();
            index
                .iter()
                .flat_map(|i| i.announcements.iter())
                .filter(|a| a.is_active(now))
                .map(|a| {
                    let class = match a.severity {
                        Severity::Info => "hd-announcement hd-info",
                        Severity::Warning => "hd-announcement hd-warning",
                        Severity::Critical => "hd-announcement hd-critical",
                    };
                    view! {
                        <div class=class role=if a.severity == Severity::Critical { "alert" } else { "note" } data-id=a.id.clone()>
                            <p class="hd-announcement-title">{a.title(locale).to_owned()}</p>
                            <Markdown source=a.body(locale).to_owned() />
                        </div>
                    }
                })
                .collect_view()
        }
    };
    let categories = move || {
        let locale = state.locale.get();
        index
            .iter()
            .flat_map(|i| {
                let tag = i.content_locale(locale).tag();
                i.categories.iter().map(move |c| {
                    (c, i.articles.iter().filter(|a| a.locale == tag && a.category.as_deref() == Some(&c.id)).count())
                })
            })
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| {
                let id = c.id.clone();
                let name = c.name(locale).to_owned();
                view! {
                    <li>
                        <button class="hd-category" type="button" on:click=move |_| help.open_category(id.clone())>
                            <span class="hd-category-name">{name}</span>
                            <span class="hd-category-count">{t().article_count(n)}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="hd-announcements" aria-label=move || t().announcements()>{announcements}</section>
        <h3 class="hd-section-title">{move || t().categories()}</h3>
        <ul class="hd-categories">{categories}</ul>
    }
}

/// The articles of one category.
#[component]
pub fn CategoryView(id: String) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let content = expect_context::<Content>();
    let help = expect_context::<HelpState>();
    let t = move || strings(state.locale.get());
    let index = content.index();
    let name = {
        let (index, id) = (index.clone(), id.clone());
        move || {
            index
                .iter()
                .flat_map(|i| i.categories.iter())
                .find(|c| c.id == id)
                .map(|c| c.name(state.locale.get()).to_owned())
                .unwrap_or_default()
        }
    };
    let articles = move || {
        let locale = state.locale.get();
        index
            .iter()
            .flat_map(|i| {
                let tag = i.content_locale(locale).tag();
                i.articles.iter().filter(move |a| a.locale == tag)
            })
            .filter(|a| a.category.as_deref() == Some(&id))
            .map(|a| {
                let article_id = a.id.clone();
                view! {
                    <li>
                        <button class="hd-article-link" type="button" on:click=move |_| help.open_article(article_id.clone())>
                            {a.title.clone()}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <button class="hd-back" type="button" on:click=move |_| help.go_home()>{move || t().back()}</button>
        <h3 class="hd-view-title" tabindex="-1">{name}</h3>
        <ul class="hd-article-list">{articles}</ul>
    }
}
