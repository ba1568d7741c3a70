//! Playbooks and plans over HTTP: starting a plan with errors explained, the schedule and its
//! real dates, who sees a plan, evidence judged by content, a blocked step taken to the desk,
//! the calendar file, and a new playbook version that tells the company what changed.

use crate::common::*;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

async fn api_for(app: &TestApp, email: &str, lang: &str) -> Api {
    let token = app.token_for(email).await;
    app.api(&token, lang)
}

/// Signs up `email` and attaches the account to a company other than the demo company's.
async fn member_of_another_company(app: &TestApp, email: &str) -> Api {
    let b = app.browser().await;
    let r = b.post("/signup", &[("display_name", "Other member"), ("email", email), ("password", "passphrase-0007")]).await;
    assert_eq!(r.status(), 303);
    let own = app.company_id_of("company@demo.test").await;
    let db = &app.state.store.db;
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE users SET company_id = (SELECT MIN(id) FROM companies WHERE id <> $1) WHERE email = $2",
        vec![own.into(), email.into()],
    ))
    .await
    .unwrap();
    api_for(app, email, "ko").await
}

/// Days from the platform's today, which is Korean (between 15:00 and 24:00 UTC it is already
/// tomorrow in Seoul).
fn in_days(n: i64) -> String {
    (kit::today() + time::Duration::days(n)).to_string()
}

fn today() -> String {
    in_days(0)
}

async fn start_id_plan(company: &Api) -> Value {
    let (s, plan) = company
        .send(
            Method::POST,
            "/api/v1/plans",
            &json!({"country": "ID", "entity_type": "foreign_owned_company", "target_open_on": in_days(400)}),
        )
        .await;
    assert_eq!(s, 201, "{plan}");
    plan
}

fn step<'a>(plan: &'a Value, key: &str) -> &'a Value {
    plan["steps"].as_array().unwrap().iter().find(|s| s["key"] == key).unwrap_or_else(|| panic!("no step {key}"))
}

#[tokio::test]
async fn a_plan_is_started_from_the_published_playbook_with_bad_input_explained() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    // The playbooks are public, ten markets.
    let anon = reqwest::get(format!("{}/api/v1/playbooks", app.base)).await.unwrap().json::<Value>().await.unwrap();
    let countries: std::collections::BTreeSet<&str> =
        anon["items"].as_array().unwrap().iter().map(|p| p["country"].as_str().unwrap()).collect();
    assert_eq!(countries.len(), 10, "{countries:?}");
    let (_, id_only) = company.get("/api/v1/playbooks?country=ID").await;
    let pt_pma = id_only["items"].as_array().unwrap().iter().find(|p| p["entity_type"] == "foreign_owned_company").unwrap();
    assert_eq!(pt_pma["version"], 1);
    assert_eq!(pt_pma["illustrative"], true);
    let (s, detail) = company.get(&format!("/api/v1/playbooks/{}", pt_pma["id"])).await;
    assert_eq!(s, 200);
    assert!(!detail["critical_path"].as_array().unwrap().is_empty());

    // Bad input: each problem on its field, in Korean, and nothing saved.
    let (s, body) = company
        .send(
            Method::POST,
            "/api/v1/plans",
            &json!({"country": "ID", "entity_type": "castle", "target_open_on": "2020-01-01", "start_on": "2027-02-30"}),
        )
        .await;
    assert_eq!(s, 422, "{body}");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"entity_type") && fields.contains(&"target_open_on") && fields.contains(&"start_on"), "{body}");
    assert!(body.to_string().contains("목표 개설일은 오늘 이후"), "{body}");
    let (_, list) = company.get("/api/v1/plans").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);

    // A good one: every step to do, a schedule, the last day to start for the target.
    let plan = start_id_plan(&company).await;
    let steps = plan["steps"].as_array().unwrap();
    assert!(steps.len() >= 8);
    assert!(steps.iter().all(|s| s["status"] == "todo"));
    assert!(plan["total_days"].as_i64().unwrap() > 30);
    assert_eq!(plan["on_time"], true);
    let must = plan["must_start_by"].as_str().unwrap();
    let opens_now = plan["opens_if_started_today"].as_str().unwrap();
    assert!(must > today().as_str() && opens_now < in_days(400).as_str(), "{must} {opens_now}");
    // A second open plan for the same playbook is refused, in English when asked.
    let company_en = api_for(&app, "company@demo.test", "en").await;
    let (s, body) = company_en.send(Method::POST, "/api/v1/plans", &json!({"country": "id", "entity_type": "foreign_owned_company"})).await;
    assert_eq!(s, 422);
    assert!(body.to_string().contains("already an open plan"), "{body}");
    // Officers, analysts and experts do not start plans.
    let officer = api_for(&app, "kotra@demo.test", "ko").await;
    let (s, _) = officer.send(Method::POST, "/api/v1/plans", &json!({"country": "VN", "entity_type": "foreign_owned_company"})).await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn real_dates_move_the_schedule_and_every_rule_of_a_step_holds() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "en").await;
    let plan = start_id_plan(&company).await;
    let id = plan["id"].as_i64().unwrap();
    let first = plan["critical_path"][0].as_str().unwrap().to_string();
    let path = format!("/api/v1/plans/{id}/steps/{first}");
    let rv = plan["row_version"].as_i64().unwrap();

    // Errors: a future date, a blocked step without a reason, an unknown status, an end before the start.
    for (body, field) in [
        (json!({"row_version": rv, "status": "done", "done_on": in_days(3)}), "done_on"),
        (json!({"row_version": rv, "status": "blocked", "blocked_reason": "  "}), "blocked_reason"),
        (json!({"row_version": rv, "status": "finished"}), "status"),
        (json!({"row_version": rv, "status": "done", "started_on": in_days(-2), "done_on": in_days(-5)}), "done_on"),
    ] {
        let (s, r) = company.send(Method::POST, &path, &body).await;
        assert_eq!(s, 422, "{body} → {r}");
        assert_eq!(r["errors"][0]["field"], field, "{r}");
    }
    // Nothing was half-saved: the row version did not move.
    let (_, same) = company.get(&format!("/api/v1/plans/{id}")).await;
    assert_eq!(same["row_version"], rv);

    // Started ten days ago and finished today: the step is done, and its real length shifts the
    // steps waiting for it.
    let (s, after) = company
        .send(
            Method::POST,
            &path,
            &json!({"row_version": rv, "status": "done", "started_on": in_days(-10), "done_on": today(), "note": "신고수리 완료"}),
        )
        .await;
    assert_eq!(s, 200, "{after}");
    let done = step(&after, &first);
    assert_eq!((done["status"].as_str(), done["basis"].as_str()), (Some("done"), Some("done")));
    assert_eq!(done["earliest_finish_on"], today());
    assert_eq!(after["start_on"], today());
    // A stale form is refused with 409.
    let (s, r) = company.send(Method::POST, &path, &json!({"row_version": rv, "status": "todo"})).await;
    assert_eq!(s, 409, "{r}");

    // A blocked step keeps its reason; moving on clears it.
    let second = after["critical_path"][1].as_str().unwrap().to_string();
    let rv = after["row_version"].as_i64().unwrap();
    let (s, blocked) = company
        .send(
            Method::POST,
            &format!("/api/v1/plans/{id}/steps/{second}"),
            &json!({"row_version": rv, "status": "blocked", "blocked_reason": "Notary asks for a document we do not have"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(step(&blocked, &second)["blocked_reason"], "Notary asks for a document we do not have");

    // The calendar: one event per step, due dates as all-day events.
    let token = app.token_for("company@demo.test").await;
    let r = reqwest::Client::new().get(format!("{}/api/v1/plans/{id}/calendar.ics", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let ics = r.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), blocked["steps"].as_array().unwrap().len());
    assert!(ics.contains(&format!("UID:plan-{id}-{first}@")));
}

#[tokio::test]
async fn only_the_company_sees_its_plan_in_pages_api_files_and_exports() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let plan = start_id_plan(&company).await;
    let id = plan["id"].as_i64().unwrap();
    let key = plan["steps"][0]["key"].as_str().unwrap().to_string();
    let browser = app.login("company@demo.test").await;

    // Evidence: a PDF is kept; an executable named .pdf is refused and nothing is stored.
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let upload = |name: &'static str, bytes: &'static [u8]| {
        let b = &browser;
        let key = key.clone();
        async move {
            let (ct, body) = crate::cases::multipart(&[("_csrf", b.csrf.as_str())], &[("files", name, bytes)]);
            b.http.post(format!("{}/plans/{id}/steps/{key}/files", b.base)).header("content-type", ct).body(body).send().await.unwrap()
        }
    };
    let r = upload("증빙.pdf", pdf).await;
    assert_eq!(r.status(), 303);
    let r = upload("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("형식"), "the refusal says the format is not accepted");
    let (s, html) = browser.text(&format!("/plans/{id}")).await;
    assert_eq!(s, 200);
    let file_link = text_after(&html, &format!("href=\"/plans/{id}/files/"), '"').to_string();
    let file_path = format!("/plans/{id}/files/{file_link}");
    assert_eq!(browser.get(&file_path).await.bytes().await.unwrap().as_ref(), pdf);
    let (_, api_plan) = company.get(&format!("/api/v1/plans/{id}")).await;
    assert_eq!(step(&api_plan, &key)["files"], 1, "only the PDF was stored");

    // Everyone else: not found, whether by page, file, export or API.
    let other = member_of_another_company(&app, "other-member@example.kr").await;
    assert_eq!(other.get(&format!("/api/v1/plans/{id}")).await.0, 404);
    let (_, others) = other.get("/api/v1/plans").await;
    assert!(others["items"].as_array().unwrap().is_empty());
    for who in ["kotra@demo.test", "officer@demo.test", "analyst@demo.test", "expert@demo.test"] {
        let api = api_for(&app, who, "ko").await;
        assert_eq!(api.get(&format!("/api/v1/plans/{id}")).await.0, 404, "{who} must not see a company's plan");
        let b = app.login(who).await;
        for path in [
            format!("/plans/{id}"),
            file_path.clone(),
            format!("/plans/{id}/calendar.ics"),
            format!("/plans/{id}/export.xlsx"),
            format!("/plans/{id}/export.pdf"),
        ] {
            assert_eq!(b.get(&path).await.status(), 404, "{who} on {path}");
        }
    }
    // The spreadsheet opens as a real XLSX (a zip with the workbook part).
    let r = browser.get(&format!("/plans/{id}/export.xlsx")).await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK") && bytes.windows(13).any(|w| w == b"xl/workbook.x"));
    // The PDF report: a complete PDF with the font subset embedded (its text is checked by a
    // real PDF reader in the browser journey).
    let r = browser.get(&format!("/plans/{id}/export.pdf")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.windows(5).any(|w| w == b"%%EOF"), "a whole PDF");
    assert!(pdf.windows(9).any(|w| w == b"/FontFile") || pdf.windows(8).any(|w| w == b"FontFile"), "the font travels with it");
    assert!(pdf.len() < 400_000, "only the glyphs used are embedded: {} bytes", pdf.len());
}

#[tokio::test]
async fn the_step_form_keeps_what_was_typed_and_a_blocked_step_goes_to_the_desk_with_its_evidence() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let plan = start_id_plan(&company).await;
    let id = plan["id"].as_i64().unwrap();
    let key = plan["steps"][1]["key"].as_str().unwrap().to_string();
    let rv = plan["row_version"].as_i64().unwrap().to_string();
    let browser = app.login("company@demo.test").await;

    // Blocked without a reason: the page comes back with the error next to the step and the note kept.
    let r = browser
        .post(&format!("/plans/{id}/steps/{key}"), &[("row_version", &rv), ("status", "blocked"), ("note", "공증 서류 문의 중")])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("id=\"err-{key}-blocked_reason\"")), "the error is on the step's reason");
    assert!(html.contains("막힌 이유를 적어 주세요"));
    assert!(html.contains("공증 서류 문의 중</textarea>"), "the note is kept");

    // With a reason it is saved; one click opens a desk case carrying the evidence.
    let pdf: &[u8] = b"%PDF-1.4\n%%EOF\n";
    let (ct, body) = crate::cases::multipart(&[("_csrf", browser.csrf.as_str())], &[("files", "notary-letter.pdf", pdf)]);
    let r = browser
        .http
        .post(format!("{}/plans/{id}/steps/{key}/files", browser.base))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, fresh) = company.get(&format!("/api/v1/plans/{id}")).await;
    let rv = fresh["row_version"].as_i64().unwrap().to_string();
    let r = browser
        .post(
            &format!("/plans/{id}/steps/{key}"),
            &[("row_version", &rv), ("status", "blocked"), ("blocked_reason", "공증인이 현지 번역 공증을 추가로 요구")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = browser.post(&format!("/plans/{id}/steps/{key}/case"), &[]).await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let case_id: i64 = location.trim_start_matches("/cases/").parse().unwrap();
    let (s, case) = company.get(&format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(s, 200);
    assert_eq!(case["case"]["country"], "ID");
    assert_eq!(case["case"]["category"], "establishment");
    assert!(case["case"]["description"].as_str().unwrap().contains("공증인이 현지 번역 공증을 추가로 요구"));
    let files: usize = case["timeline"].as_array().unwrap().iter().map(|e| e["attachments"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!(files, 1, "the evidence travels with the case: {case}");
    // The step links to it, and a second click does not open a second case.
    let (_, after) = company.get(&format!("/api/v1/plans/{id}")).await;
    assert_eq!(step(&after, &key)["case_id"], case_id);
    let r = browser.post(&format!("/plans/{id}/steps/{key}/case"), &[]).await;
    assert_eq!(r.headers()["location"].to_str().unwrap(), location);
    // A step that is not blocked cannot be sent.
    let other_key = plan["steps"][2]["key"].as_str().unwrap();
    let r = browser.post(&format!("/plans/{id}/steps/{other_key}/case"), &[]).await;
    assert_eq!(r.status(), 422);
}

/// The playbook as the editor shows it, edited: one step takes longer, a new step is added
/// after it, and another is dropped.
fn edited_yaml(yaml: &str, longer: &str, dropped: &str) -> String {
    let mut pb: Value = serde_norway::from_str(yaml).unwrap();
    let steps = pb["steps"].as_array_mut().unwrap();
    for s in steps.iter_mut() {
        if s["key"] == longer {
            s["days"] = json!(s["days"].as_i64().unwrap() + 20);
        }
        if let Some(deps) = s["depends_on"].as_array_mut() {
            deps.retain(|d| d != dropped);
        }
    }
    steps.retain(|s| s["key"] != dropped);
    let mut extra = steps[0].clone();
    extra["key"] = json!("local_translation");
    extra["title_ko"] = json!("현지어 번역 공증");
    extra["title_en"] = json!("Certified local translation");
    extra["depends_on"] = json!([longer]);
    steps.push(extra);
    serde_norway::to_string(&pb).unwrap()
}

fn form_value(html: &str, marker: &str) -> String {
    text_after(html, marker, '"').to_string()
}

fn textarea(html: &str, id: &str) -> String {
    let start = html.find(&format!("id=\"{id}\"")).unwrap();
    let open = start + html[start..].find('>').unwrap() + 1;
    let close = open + html[open..].find("</textarea>").unwrap();
    html_escape_decode(&html[open..close])
}

fn html_escape_decode(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#x27;", "'").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

#[tokio::test]
async fn a_new_playbook_version_is_checked_reviewed_by_someone_else_and_tells_the_company_what_changed() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let plan = start_id_plan(&company).await;
    let id = plan["id"].as_i64().unwrap();
    let playbook_id = plan["playbook_id"].as_i64().unwrap();
    let keys: Vec<String> = plan["steps"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap().to_string()).collect();
    let (longer, dropped) = (keys[1].clone(), keys[keys.len() - 1].clone());

    // Only the responsible agency (KOTRA) and platform admins edit it.
    let mss = app.login("officer@demo.test").await;
    assert_eq!(mss.post(&format!("/officer/playbooks/{playbook_id}/draft"), &[]).await.status(), 403);
    let company_browser = app.login("company@demo.test").await;
    assert_eq!(company_browser.get("/officer/playbooks").await.status(), 403);

    let kotra = app.login("kotra@demo.test").await;
    let r = kotra.post(&format!("/officer/playbooks/{playbook_id}/draft"), &[]).await;
    assert_eq!(r.status(), 303);
    let edit = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = kotra.text(&edit).await;
    let yaml = textarea(&html, "body");
    let rv = form_value(&html, "name=\"row_version\" value=\"");

    // A cycle is saved as a draft but shown, and the draft cannot be sent for review.
    let cyclic = {
        // The first step of the critical path waits for its last: a circle.
        let cp = plan["critical_path"].as_array().unwrap();
        let mut pb: Value = serde_norway::from_str(&yaml).unwrap();
        let first = pb["steps"].as_array_mut().unwrap().iter_mut().find(|s| s["key"] == cp[0]).unwrap();
        first["depends_on"] = json!([cp[cp.len() - 1]]);
        serde_norway::to_string(&pb).unwrap()
    };
    let r = kotra.post(&edit, &[("row_version", &rv), ("body", &cyclic), ("change_note", "순환 시험")]).await;
    assert_eq!(r.status(), 303);
    let (_, html) = kotra.text(&edit).await;
    assert!(html.contains("id=\"checks-problems\"") && html.contains("순환"), "the cycle is explained");
    let rv = form_value(&html, "name=\"row_version\" value=\"");
    let r = kotra.post(&format!("{edit}/submit"), &[("row_version", &rv)]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("error=playbook-error-invalid"));
    // Text that is not a playbook is refused with what was typed kept.
    let r = kotra.post(&edit, &[("row_version", &rv), ("body", "steps: [1, 2"), ("change_note", "x")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("steps: [1, 2</textarea>"));

    // The real edit passes, goes for review; its author cannot publish it.
    let r = kotra
        .post(
            &edit,
            &[
                ("row_version", &rv),
                ("body", &edited_yaml(&yaml, &longer, &dropped)),
                ("change_note", "공증 기간 현실화, 번역 공증 단계 추가"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, html) = kotra.text(&edit).await;
    assert!(html.contains("id=\"checks-ok\""), "the edit passes the checks");
    assert!(html.contains("id=\"version-diff\""));
    let rv = form_value(&html, "name=\"row_version\" value=\"");
    let r = kotra.post(&format!("{edit}/submit"), &[("row_version", &rv)]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("ok=playbook-flash-submitted"));
    let (_, html) = kotra.text(&edit).await;
    let rv = form_value(&html, "name=\"row_version\" value=\"");
    let r = kotra.post(&format!("{edit}/publish"), &[("row_version", &rv)]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("error=playbook-error-own-review"));

    // A platform admin publishes; the plan follows the new version and lists the changes.
    let admin = app.login("admin@demo.test").await;
    let r = admin.post(&format!("{edit}/publish"), &[("row_version", &rv)]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("ok=playbook-flash-published"), "{:?}", r.headers());
    let (_, after) = company.get(&format!("/api/v1/plans/{id}")).await;
    assert_eq!(after["version"], 2);
    let changes = after["updates"][0]["changes"].as_array().unwrap();
    let kind_of = |k: &str| changes.iter().find(|c| c["key"] == k).map(|c| c["kind"].as_str().unwrap().to_string());
    assert_eq!(kind_of(&longer).as_deref(), Some("changed"));
    assert_eq!(kind_of("local_translation").as_deref(), Some("added"));
    assert_eq!(kind_of(&dropped).as_deref(), Some("removed"));
    assert!(after["steps"].as_array().unwrap().iter().any(|s| s["key"] == "local_translation" && s["status"] == "todo"));
    // The company sees it on the plan page and in its notifications, and the public guide shows version 2.
    let (_, page) = company_browser.text(&format!("/plans/{id}")).await;
    assert!(page.contains("id=\"plan-update\"") && page.contains("현지어 번역 공증") && page.contains("공증 기간 현실화"));
    let (_, notes) = company_browser.text("/notifications").await;
    assert!(notes.contains("설립 계획의 안내서가 바뀌었습니다"));
    let (_, guide) = company_browser.text("/guides/ID").await;
    assert!(guide.contains("data-version=\"2\""));
    #[derive(sea_orm::FromQueryResult)]
    struct N {
        n: i64,
    }
    let db = &app.state.store.db;
    let mails = <N as sea_orm::FromQueryResult>::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM jobs WHERE payload LIKE $1 AND payload LIKE $2",
        vec!["%company@demo.test%".into(), "%안내서가 바뀌었습니다%".into()],
    ))
    .one(db)
    .await
    .unwrap()
    .unwrap();
    assert_eq!(mails.n, 1, "one e-mail to the company member is queued");
    // Marking the changes read clears the banner.
    let r = company_browser.post(&format!("/plans/{id}/seen"), &[]).await;
    assert_eq!(r.status(), 303);
    let (_, page) = company_browser.text(&format!("/plans/{id}")).await;
    assert!(!page.contains("id=\"plan-update\""));
}

#[tokio::test]
async fn plan_pages_read_in_korean_and_english() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let plan = start_id_plan(&company).await;
    let id = plan["id"].as_i64().unwrap();
    let ko = app.login("company@demo.test").await;
    let (s, html) = ko.text(&format!("/plans/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("점검표") && html.contains("개설 가능일") && html.contains("id=\"plan-gantt\""));
    let r = ko.get("/lang/en?next=/plans").await;
    assert_eq!(r.status(), 303);
    let (_, html) = ko.text(&format!("/plans/{id}")).await;
    assert!(html.contains("Checklist") && html.contains("Can open on"));
    let (_, list) = ko.text("/plans").await;
    assert!(list.contains(&format!("href=\"/plans/{id}\"")));
    // The start form explains a missing choice in the reader's language, keeping the dates typed.
    let r = ko.post("/plans", &[("playbook", ""), ("target_open_on", "2031-01-01")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("This field is required") && html.contains("value=\"2031-01-01\""));
}

#[tokio::test]
async fn one_open_plan_per_playbook_holds_in_the_database_too() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let first = start_id_plan(&company).await;
    let id = first["id"].as_i64().unwrap();
    // Past the service's check, the unique index refuses a second open plan.
    let company_id = app.company_id_of("company@demo.test").await;
    let user = store::users::by_email(&app.state.store.db, "company@demo.test").await.unwrap().unwrap();
    let twin = store::plans::NewPlan {
        company_id,
        playbook_id: first["playbook_id"].as_i64().unwrap(),
        version: 1,
        country: "ID",
        entity_type: "foreign_owned_company",
        start_on: "2027-01-04",
        target_open_on: None,
        created_by: Some(user.id),
    };
    let r = store::plans::insert(&app.state.store.db, &twin, &["kbli_check"]).await;
    assert!(matches!(r, Err(store::StoreError::Duplicate(_))), "{r:?}");
    // Close the first, start another, and reopening the first is explained on its status.
    let b = app.login("company@demo.test").await;
    let rv = first["row_version"].as_i64().unwrap().to_string();
    let start = first["start_on"].as_str().unwrap();
    let r = b.post(&format!("/plans/{id}/settings"), &[("row_version", &rv), ("start_on", start), ("status", "closed")]).await;
    assert_eq!(r.status(), 303);
    let second = start_id_plan(&company).await;
    assert_ne!(second["id"], first["id"]);
    let (_, closed) = company.get(&format!("/api/v1/plans/{id}")).await;
    let rv = closed["row_version"].as_i64().unwrap().to_string();
    let r = b.post(&format!("/plans/{id}/settings"), &[("row_version", &rv), ("start_on", start), ("status", "open")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("이 국가와 설립 형태로 진행 중인 계획이 이미 있습니다"));
    let (_, still) = company.get(&format!("/api/v1/plans/{id}")).await;
    assert_eq!(still["status"], "closed", "nothing half-saved");
}
