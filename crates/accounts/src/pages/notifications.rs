//! A person's notifications: what the rooms told them (eligibility, applications, cases, plans,
//! consultations, summaries), newest first, each linking to where it happened.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use kit::Kit;
use kit::error::PageError;
use kit::layout::{Page, render};
use kit::session::Ctx;

pub fn router() -> axum::Router<Kit> {
    axum::Router::new().route("/notifications", get(notifications)).route("/notifications/count", get(notification_count))
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsTemplate {
    p: Page,
    items: Vec<(String, String, String, bool)>,
}

async fn notifications(State(state): State<Kit>, ctx: Ctx) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let p = Page::new(&state, &ctx, "notifications-title");
    let t = p.t;
    let list = store::programs::notifications(&state.store.db, user.id, 100).await?;
    let items = list
        .into_iter()
        .map(|n| {
            let payload: serde_json::Value = serde_json::from_str(&n.payload).unwrap_or_default();
            let title = t.pick(payload["title_ko"].as_str().unwrap_or(""), payload["title_en"].as_str().unwrap_or("")).to_string();
            let (text, href) = match n.kind.as_str() {
                "program_eligible" => (t.ta("notification-program_eligible", &title), format!("/programs/{}", payload["program_id"])),
                "application_status" => (
                    t.ta(
                        "notification-application_status",
                        &format!("{title} — {}", t.t(&format!("status-{}", payload["status"].as_str().unwrap_or("")))),
                    ),
                    format!("/applications/{}", payload["application_id"]),
                ),
                kind if kind.starts_with("case_") => {
                    // Case notifications carry the case title as typed (one language).
                    let title = payload["title"].as_str().unwrap_or("");
                    (t.ta(&format!("notification-{kind}"), title), format!("/cases/{}", payload["case_id"]))
                }
                "plan_updated" => {
                    // Carries the playbook's names in both languages.
                    (t.ta("notification-plan_updated", &title), format!("/plans/{}", payload["plan_id"]))
                }
                // Expert-directory notifications name the expert (title_ko/en) and carry their page.
                kind if kind.starts_with("consultation_") || kind.starts_with("expert_") => {
                    (t.ta(&format!("notification-{kind}"), &title), payload["link"].as_str().unwrap_or("/").to_string())
                }
                "kb_reviewed" => {
                    (t.ta("notification-kb_reviewed", payload["title"].as_str().unwrap_or("")), format!("/officer/kb/{}", payload["kb_id"]))
                }
                other => (other.to_string(), "/".to_string()),
            };
            (t.datetime(&n.created_at), text, href, n.read_at.is_none())
        })
        .collect();
    store::programs::mark_read(&state.store.db, user.id).await?;
    render(NotificationsTemplate { p, items })
}

async fn notification_count(State(state): State<Kit>, ctx: Ctx) -> Result<Json<serde_json::Value>, PageError> {
    let user = ctx.user()?;
    Ok(Json(serde_json::json!({"unread": store::programs::unread_count(&state.store.db, user.id).await?})))
}
