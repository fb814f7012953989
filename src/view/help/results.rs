//! Search results, as the user types.

use helpdock_core::markdown;
use helpdock_core::search::highlight;
use leptos::prelude::*;

use super::HelpState;
use crate::content::Content;
use crate::i18n::strings;
use crate::state::WidgetState;

const SNIPPET_CHARS: usize = 110;

/// The ranked articles for the query, matches highlighted.
#[component]
pub fn Results() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let content = expect_context::<Content>();
    let help = expect_context::<HelpState>();
    let t = move || strings(state.locale.get());
    move || {
        let Some(index) = content.index() else { return ().into_any() };
        let Some(results) = help.results.get() else { return ().into_any() };
        if results.articles.is_empty() {
            return view! {
                <div class="hd-empty" role="status">
                    <p class="hd-empty-title">{t().no_results_title()}</p>
                    <p class="hd-empty-body">{t().no_results_body()}</p>
                    {super::person_button()}
                </div>
            }
            .into_any();
        }
        let count = results.articles.len();
        let items = results
            .articles
            .iter()
            .enumerate()
            .map(|(i, &article)| {
                let a = &index.articles[article as usize];
                let id = a.id.clone();
                let title = marked(&a.title, &results.matched);
                let snippet = snippet(&markdown::plain_text(&markdown::parse(&a.body)), &results.matched);
                view! {
                    <li
                        id=format!("hd-result-{i}")
                        class="hd-result"
                        role="option"
                        aria-selected=move || (help.active.get() == Some(i)).to_string()
                        on:click=move |_| help.open_article(id.clone())
                    >
                        <span class="hd-result-title">{title}</span>
                        <span class="hd-result-snippet">{snippet}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <p class="hd-visually-hidden" role="status">{t().result_count(count)}</p>
            <ul id="hd-results" class="hd-results" role="listbox" aria-label=t().search_label()>{items}</ul>
        }
        .into_any()
    }
}

/// Text with the matched runs wrapped in `<mark>`.
pub fn marked(text: &str, matched: &[String]) -> impl IntoView {
    highlight(text, matched)
        .into_iter()
        .map(
            |(run, hit)| {
                if hit {
                    view! { <mark>{run.to_owned()}</mark> }.into_any()
                } else {
                    run.to_owned().into_any()
                }
            },
        )
        .collect_view()
}

/// A short excerpt, starting near the first match.
fn snippet(text: &str, matched: &[String]) -> impl IntoView {
    let runs = highlight(text, matched);
    let mut offset = 0usize;
    let mut start = 0usize;
    for (run, hit) in &runs {
        if *hit {
            start = offset;
            break;
        }
        offset += run.len();
    }
    // Back up to a word or sentence start, at most 30 characters.
    let lead: String = text[..start].chars().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect();
    let begin = start - lead.len()
        + lead.char_indices().find(|(_, c)| matches!(c, ' ' | '，' | '。')).map_or(0, |(i, c)| i + c.len_utf8());
    let excerpt: String = text[begin..].chars().take(SNIPPET_CHARS).collect();
    let ellipsis = if begin > 0 { "…" } else { "" };
    let tail = if text[begin..].chars().count() > SNIPPET_CHARS { "…" } else { "" };
    view! { {ellipsis}{marked(&excerpt, matched)}{tail} }
}
