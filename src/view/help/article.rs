//! One article: body, related articles, "Was this helpful?".

use leptos::prelude::*;

use super::markdown::Markdown;
use super::HelpState;
use crate::content::Content;
use crate::i18n::strings;
use crate::state::{WidgetEvent, WidgetState};
use crate::storage;

/// The article `id` in the current locale.
#[component]
pub fn ArticleView(id: String) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let content = expect_context::<Content>();
    let help = expect_context::<HelpState>();
    let t = move || strings(state.locale.get());
    let back = move |_| help.go_home();
    move || {
        let locale = state.locale.get();
        let index = content.index()?;
        let tag = index.content_locale(locale).tag();
        let Some((_, article)) = index.article(&id, tag) else {
            return Some(
                view! {
                    <button class="hd-back" type="button" on:click=back>{t().back()}</button>
                    <p class="hd-empty-body">{t().not_in_locale()}</p>
                }
                .into_any(),
            );
        };
        let category = article
            .category
            .as_ref()
            .and_then(|c| index.categories.iter().find(|k| &k.id == c))
            .map(|c| c.name(locale).to_owned());
        let related = article
            .related
            .iter()
            .filter_map(|r| index.article(r, tag))
            .map(|(_, a)| {
                let rid = a.id.clone();
                view! {
                    <li>
                        <button class="hd-article-link" type="button" on:click=move |_| help.open_article(rid.clone())>{a.title.clone()}</button>
                    </li>
                }
            })
            .collect_view();
        let has_related = !article.related.is_empty();
        let feedback_key = format!("feedback:{}:{}", locale.tag(), article.id);
        let given = RwSignal::new(storage::get(&feedback_key));
        let article_id = article.id.clone();
        let vote = move |helpful: bool| {
            let value = if helpful { "yes" } else { "no" };
            storage::set(&feedback_key, value);
            given.set(Some(value.to_owned()));
            state.emit(WidgetEvent::ArticleFeedback { article: article_id.clone(), locale, helpful });
        };
        let vote_no = vote.clone();
        Some(
            view! {
                <button class="hd-back" type="button" on:click=back>{t().back()}</button>
                <article class="hd-article" data-article=article.id.clone()>
                    {category.map(|c| view! { <p class="hd-eyebrow">{c}</p> })}
                    <h3 class="hd-view-title" tabindex="-1">{article.title.clone()}</h3>
                    <Markdown source=article.body.clone() />
                    {article.updated.clone().map(|d| view! { <p class="hd-muted hd-updated">{t().updated_on(&d)}</p> })}
                </article>
                <div class="hd-feedback" role="group" aria-label=t().helpful_question()>
                    {move || match given.get() {
                        // "No": the thanks, and a person to ask instead.
                        Some(v) if v == "no" => view! { <p role="status">{t().helpful_thanks()}</p> {super::person_button()} }.into_any(),
                        Some(_) => view! { <p role="status">{t().helpful_thanks()}</p> }.into_any(),
                        None => {
                            let (yes, no) = (vote.clone(), vote_no.clone());
                            view! {
                                <p>{t().helpful_question()}</p>
                                <button class="hd-chip" type="button" on:click=move |_| yes(true)>{t().helpful_yes()}</button>
                                <button class="hd-chip" type="button" on:click=move |_| no(false)>{t().helpful_no()}</button>
                            }
                            .into_any()
                        }
                    }}
                </div>
                {has_related.then(|| view! {
                    <h4 class="hd-section-title">{t().related()}</h4>
                    <ul class="hd-article-list">{related}</ul>
                })}
            }
            .into_any(),
        )
    }
}
