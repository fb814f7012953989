//! `/mail/confirm`: the page an address-confirmation link opens, and the
//! button that confirms ([`crate::confirm`]).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::AppState;

/// `/mail/confirm`: the page the link opens, and its button.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/mail/confirm", get(page).post(confirm))
}

#[derive(Debug, Deserialize)]
struct TokenParam {
    #[serde(default)]
    token: String,
}

/// Both languages on one page: the link's reader may be either.
fn html(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>\
         <body><main>{body}</main></body></html>"
    ))
}

async fn page(Query(param): Query<TokenParam>) -> Response {
    if !crate::confirm::token_ok(&param.token) {
        return (StatusCode::NOT_FOUND, invalid()).into_response();
    }
    html(
        "Confirm your address · 确认邮箱",
        &format!(
            "<h1>Confirm your e-mail address</h1><p>Support e-mails for you will then come to this address.</p>\
             <h1 lang=\"zh-CN\">确认邮箱地址</h1><p lang=\"zh-CN\">确认后，客服邮件将发送到此邮箱。</p>\
             <form method=\"post\" action=\"/mail/confirm\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
             <button type=\"submit\">Confirm · 确认</button></form>",
            param.token
        ),
    )
    .into_response()
}

fn invalid() -> Html<String> {
    html(
        "Link not valid · 链接无效",
        "<h1>This link is not valid</h1><p>It may have expired (links last seven days) or been replaced by a newer \
         e-mail. Ask for the e-mail again from the help widget.</p>\
         <h1 lang=\"zh-CN\">链接无效</h1><p lang=\"zh-CN\">链接可能已过期（有效期七天）或已被新邮件取代，请在客服中心重新请求。</p>",
    )
}

async fn confirm(State(state): State<AppState>, Form(param): Form<TokenParam>) -> Response {
    match crate::confirm::confirm(&state, &param.token).await {
        Ok(true) => html(
            "Address confirmed · 邮箱已确认",
            "<h1>Address confirmed</h1><p>Support e-mails for you will come to this address. You can close this \
             page.</p><h1 lang=\"zh-CN\">邮箱已确认</h1><p lang=\"zh-CN\">客服邮件将发送到此邮箱，您可以关闭此页面。</p>",
        )
        .into_response(),
        Ok(false) => (StatusCode::NOT_FOUND, invalid()).into_response(),
        Err(e) => e.into_response(),
    }
}
