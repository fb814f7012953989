//! Renders an article's Markdown (parsed by the core) as DOM nodes. Text is
//! only ever inserted as text, so content cannot inject markup.

use helpdock_core::markdown::{parse, Block, Inline};
use leptos::prelude::*;

/// An article body.
#[component]
pub fn Markdown(source: String) -> impl IntoView {
    let blocks = parse(&source);
    view! { <div class="hd-markdown">{blocks.into_iter().map(block).collect_view()}</div> }
}

fn block(b: Block) -> AnyView {
    match b {
        // The panel's title is h2 and the article's h3: its own headings start at h4.
        Block::Heading(1, i) => view! { <h4>{inlines(i)}</h4> }.into_any(),
        Block::Heading(_, i) => view! { <h5>{inlines(i)}</h5> }.into_any(),
        Block::Paragraph(i) => view! { <p>{inlines(i)}</p> }.into_any(),
        Block::List(true, items) => {
            view! { <ol>{items.into_iter().map(|i| view! { <li>{inlines(i)}</li> }).collect_view()}</ol> }.into_any()
        }
        Block::List(false, items) => {
            view! { <ul>{items.into_iter().map(|i| view! { <li>{inlines(i)}</li> }).collect_view()}</ul> }.into_any()
        }
        Block::Quote(i) => view! { <blockquote>{inlines(i)}</blockquote> }.into_any(),
        Block::Code(code) => view! { <pre><code>{code}</code></pre> }.into_any(),
    }
}

fn inlines(list: Vec<Inline>) -> AnyView {
    list.into_iter().map(inline).collect_view().into_any()
}

fn inline(i: Inline) -> AnyView {
    match i {
        Inline::Text(t) => t.into_any(),
        Inline::Strong(c) => view! { <strong>{inlines(c)}</strong> }.into_any(),
        Inline::Emphasis(c) => view! { <em>{inlines(c)}</em> }.into_any(),
        Inline::Code(c) => view! { <code>{c}</code> }.into_any(),
        Inline::Link { text, href } => {
            view! { <a href=href target="_blank" rel="noopener noreferrer">{inlines(text)}</a> }.into_any()
        }
        Inline::Image { alt, src } => view! { <img src=src alt=alt loading="lazy" decoding="async" /> }.into_any(),
    }
}
