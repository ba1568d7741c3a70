//! Suggestions for code fields: HS codes and countries, by code or by a word in either language.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use kit::Kit;
use kit::session::Ctx;
use serde::Deserialize;

pub fn router() -> axum::Router<Kit> {
    axum::Router::new().route("/ref/hs", get(hs)).route("/ref/countries", get(countries))
}

#[derive(Deserialize)]
struct SuggestQuery {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "for")]
    target: String,
}

#[derive(Template)]
#[template(path = "_suggest.html")]
struct SuggestTemplate {
    target: String,
    items: Vec<(String, String)>,
    empty: String,
}

fn target_field(s: &str) -> String {
    match s {
        "export_countries" | "target_countries" | "products" => s.to_string(),
        _ => String::new(),
    }
}

async fn hs(State(state): State<Kit>, ctx: Ctx, Query(q): Query<SuggestQuery>) -> Response {
    let refs = state.refs();
    let t = ctx.tr();
    let items = refs.suggest_hs(&q.q, 15).into_iter().map(|h| (h.code.clone(), shorten(t.pick(&h.name_ko, &h.name_en), 70))).collect();
    render(SuggestTemplate {
        target: target_field(&q.target),
        items,
        empty: if q.q.trim().is_empty() { String::new() } else { t.t("suggest-none") },
    })
}

async fn countries(State(state): State<Kit>, ctx: Ctx, Query(q): Query<SuggestQuery>) -> Response {
    let refs = state.refs();
    let t = ctx.tr();
    let items = if q.q.trim().is_empty() {
        vec![]
    } else {
        refs.suggest_countries(&q.q, 15).into_iter().map(|c| (c.alpha2.clone(), t.pick(&c.name_ko, &c.name_en).to_string())).collect()
    };
    render(SuggestTemplate {
        target: target_field(&q.target),
        items,
        empty: if q.q.trim().is_empty() { String::new() } else { t.t("suggest-none") },
    })
}

/// Heading names run to hundreds of characters; a suggestion shows the start.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}

fn render(t: SuggestTemplate) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "suggestion template failed");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
