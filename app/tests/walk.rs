//! A walk through the state-changing routes no other test reaches: the officer's case actions
//! in the browser (triage, moves, the clock, messages, follow-ups, merges, referrals), deleting
//! routing rules, service-level targets and saved filters, creating accounts, registering a
//! company over the API, notes on plan steps, and sending a playbook version back.
//!
//! Why it exists: every state-changing request of every test goes through the publication check
//! (see `publications`). Together with the rest of the suite these tests reach every
//! state-changing route, so the check covers them all — a route that writes what nodes keep
//! without publishing it fails here. Each request is also checked for having done its work.

use crate::common::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn api_for(app: &TestApp, email: &str) -> Api {
    let token = app.token_for(email).await;
    app.api(&token, "ko")
}

fn report(title: &str, category: &str, country: &str) -> Value {
    json!({
        "category": category,
        "country": country,
        "hs_codes": ["8517"],
        "title": title,
        "description": "현지 당국이 새 서류를 요구하며 절차를 보류했습니다. 필요한 절차를 알고 싶습니다.",
        "impact_krw": 50000000,
    })
}

/// Reports a case as the demo company; returns its id.
async fn new_case(company: &Api, title: &str, category: &str, country: &str) -> i64 {
    let (s, created) = company.send(Method::POST, "/api/v1/cases", &report(title, category, country)).await;
    assert_eq!(s, 201, "{created}");
    created["case"]["id"].as_i64().unwrap()
}

/// The case as `api`'s caller sees it now.
async fn case(api: &Api, id: i64) -> Value {
    let (s, body) = api.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, 200, "{body}");
    body
}

/// The case's current version, as a form sends it back.
async fn version(api: &Api, id: i64) -> String {
    case(api, id).await["case"]["version"].as_i64().unwrap().to_string()
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default()
}

/// A 303 to `want` (a prefix of the Location) that reports no error.
fn assert_redirect(r: &reqwest::Response, want: &str) {
    let loc = location(r);
    assert_eq!(r.status(), 303, "expected a redirect to {want}, got {} (Location {loc:?})", r.status());
    assert!(loc.starts_with(want) && !loc.contains("error="), "Location {loc:?}, expected {want}…");
}

/// Posts a multipart form (with the form token), as the case page's message form does.
async fn post_multipart(b: &Browser, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> reqwest::Response {
    let mut all = vec![("_csrf", b.csrf.as_str())];
    all.extend_from_slice(fields);
    let (ct, body) = crate::cases::multipart(&all, files);
    b.http.post(format!("{}{path}", b.base)).header("content-type", ct).body(body).send().await.unwrap()
}

fn kinds(detail: &Value) -> Vec<String> {
    detail["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

/// Every id in `html` that follows `prefix` up to the next '/'.
fn ids_after(html: &str, prefix: &str) -> Vec<i64> {
    html.match_indices(prefix)
        .filter_map(|(i, _)| {
            let rest = &html[i + prefix.len()..];
            rest[..rest.find('/').unwrap_or(rest.len())].parse().ok()
        })
        .collect()
}

fn in_days(n: i64) -> String {
    (kit::today() + time::Duration::days(n)).to_string()
}

/// An officer works cases from the case page: triage, a move, the clock, a request for
/// information answered by the company with a file, a follow-up another agency completes, a
/// duplicate merged, and a referral the receiving agency accepts.
#[tokio::test]
async fn officers_work_cases_in_the_browser() {
    let app = spawn().await;
    let db = &app.state.store.db;
    let company = api_for(&app, "company@demo.test").await;
    let officer_api = api_for(&app, "officer@demo.test").await;
    let officer = app.login("officer@demo.test").await;
    let member = app.login("company@demo.test").await;
    let me = store::users::by_email(db, "officer@demo.test").await.unwrap().unwrap();
    let kotra_agency = store::agencies::by_code(db, "KOTRA").await.unwrap().unwrap().id;

    // Domestic questions go to the ministry's desk, where officer@ works.
    let a = new_case(&company, "국내 인증 절차 지연 (워크)", "domestic", "KR").await;
    let b = new_case(&company, "국내 인증 절차 지연 중복 신고 (워크)", "domestic", "KR").await;
    let c = new_case(&company, "국내 인증 기관 안내 요청 (워크)", "domestic", "KR").await;
    assert_eq!(case(&officer_api, a).await["case"]["agency"], "MSS");
    let page_a = format!("/cases/{a}");

    // Triage: assigned to the officer, priority high.
    let v = version(&officer_api, a).await;
    let r = officer.post(&format!("{page_a}/triage"), &[("version", &v), ("assignee", &me.id.to_string()), ("priority", "high")]).await;
    assert_redirect(&r, &format!("{page_a}?ok=case-flash-triaged"));
    let d = case(&officer_api, a).await;
    assert_eq!((d["case"]["priority"].as_str(), d["case"]["assignee_id"].as_i64()), (Some("high"), Some(me.id)));
    assert!(kinds(&d).iter().any(|k| k == "assigned") && kinds(&d).iter().any(|k| k == "priority"), "{d}");

    // A move: work has begun.
    let v = version(&officer_api, a).await;
    let r = officer.post(&format!("{page_a}/move"), &[("version", &v), ("to", "in_progress"), ("note", "검토 시작")]).await;
    assert_redirect(&r, &format!("{page_a}?ok=case-flash-moved"));
    assert_eq!(case(&officer_api, a).await["case"]["status"], "in_progress");
    let (_, html) = officer.text(&page_a).await;
    assert!(html.contains("data-status=\"in_progress\""), "the page shows the new status");

    // Waiting on a foreign government stops the clock.
    let v = version(&officer_api, a).await;
    let r = officer.post(&format!("{page_a}/waiting"), &[("version", &v), ("waiting_on", "foreign_government"), ("note", "")]).await;
    assert_redirect(&r, &format!("{page_a}?ok=case-flash-waiting"));
    let d = case(&officer_api, a).await;
    assert_eq!((d["case"]["waiting_on"].as_str(), d["sla"]["state"].as_str()), (Some("foreign_government"), Some("paused")));

    // A request for information from the page; the company answers on its page with a file.
    let r =
        post_multipart(&officer, &format!("{page_a}/message"), &[("kind", "request"), ("body", "수출 계약서 사본을 보내 주세요.")], &[])
            .await;
    assert_redirect(&r, &format!("{page_a}?ok=case-flash-message"));
    let d = case(&company, a).await;
    assert_eq!(d["case"]["waiting_on"], "company");
    assert!(d["timeline"].as_array().unwrap().iter().any(|e| e["kind"] == "request" && e["body"] == "수출 계약서 사본을 보내 주세요."));
    let pdf: &[u8] = b"%PDF-1.4\n%%EOF\n";
    let r = post_multipart(
        &member,
        &format!("{page_a}/message"),
        &[("kind", "reply"), ("body", "계약서를 첨부합니다.")],
        &[("files", "계약서.pdf", pdf)],
    )
    .await;
    assert_redirect(&r, &format!("{page_a}?ok=case-flash-message"));
    let d = case(&officer_api, a).await;
    assert_eq!(d["case"]["waiting_on"], "desk", "the answer gives the desk the ball again");
    let answer = d["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "answer").expect("an answer on the timeline");
    assert_eq!(answer["body"], "계약서를 첨부합니다.");
    assert_eq!(answer["attachments"][0]["file_name"], "계약서.pdf");

    // A follow-up for KOTRA; KOTRA's staff mark it done.
    let due = in_days(10);
    let r = officer
        .post(
            &format!("{page_a}/followups"),
            &[("agency", &kotra_agency.to_string()), ("description", "인증 기준 개정 검토"), ("due_on", &due)],
        )
        .await;
    assert_redirect(&r, &format!("{page_a}?ok=case-flash-followup"));
    let admin = app.login("admin@demo.test").await;
    let (_, html) = admin.text(&page_a).await;
    assert!(html.contains("id=\"followups\"") && html.contains("인증 기준 개정 검토"), "the follow-up is listed");
    let fid: i64 = text_after(&html, "action=\"/followups/", '/').parse().unwrap();
    let open = store::cases::open_followups(db, kotra_agency).await.unwrap();
    assert!(open.iter().any(|f| f.id == fid && f.case_id == a), "open for KOTRA");
    let kotra = app.login("kotra@demo.test").await;
    let r = kotra.post(&format!("/followups/{fid}/done"), &[("outcome", "고시 개정안 반영 완료")]).await;
    assert_redirect(&r, &format!("{page_a}?ok=case-flash-followup"));
    let (_, html) = admin.text(&page_a).await;
    assert!(html.contains("고시 개정안 반영 완료"), "the outcome is shown");
    assert!(!html.contains(&format!("action=\"/followups/{fid}/done\"")), "nothing left to complete");
    assert!(!store::cases::open_followups(db, kotra_agency).await.unwrap().iter().any(|f| f.id == fid));

    // B duplicates A: merged into it by its reference.
    let reference_a = case(&officer_api, a).await["case"]["reference"].as_str().unwrap().to_string();
    let v = version(&officer_api, b).await;
    let r = officer.post(&format!("/cases/{b}/merge"), &[("version", &v), ("into", &reference_a)]).await;
    assert_redirect(&r, &format!("/cases/{b}?ok=case-flash-merged"));
    let d = case(&officer_api, b).await;
    assert_eq!((d["case"]["status"].as_str(), d["case"]["merged_into"].as_i64()), (Some("closed_duplicate"), Some(a)));
    assert!(kinds(&case(&officer_api, a).await).iter().any(|k| k == "merged_in"), "A records what was merged into it");

    // C is referred whole to KOTRA, which accepts it and holds it from then on.
    let kotra_api = api_for(&app, "kotra@demo.test").await;
    assert_eq!(kotra_api.get(&format!("/api/v1/cases/{c}")).await.0, 404, "KOTRA does not see C before the referral");
    let v = version(&officer_api, c).await;
    let r = officer
        .post(
            &format!("/cases/{c}/refer"),
            &[("version", &v), ("to_agency", &kotra_agency.to_string()), ("scope", "whole"), ("note", "해외 인증 문제로 판단")],
        )
        .await;
    assert_redirect(&r, &format!("/cases/{c}?ok=case-flash-referred"));
    let d = case(&officer_api, c).await;
    let referral = &d["referrals"][0];
    assert_eq!((referral["to_agency_id"].as_i64(), referral["status"].as_str()), (Some(kotra_agency), Some("pending")));
    let rid = referral["id"].as_i64().unwrap();
    let (_, html) = kotra.text(&format!("/cases/{c}")).await;
    assert!(html.contains(&format!("action=\"/referrals/{rid}/decide\"")), "KOTRA is asked to decide");
    let r = kotra.post(&format!("/referrals/{rid}/decide"), &[("decision", "accept"), ("reason", "")]).await;
    assert_redirect(&r, &format!("/cases/{c}?ok=case-flash-referral-decided"));
    let d = case(&kotra_api, c).await;
    assert_eq!(d["case"]["agency"], "KOTRA");
    assert_eq!(d["referrals"][0]["status"], "accepted");
    assert!(kinds(&d).iter().any(|k| k == "referral_accepted"));
    let (_, html) = kotra.text(&format!("/cases/{c}")).await;
    assert!(html.contains("id=\"triage-form\""), "KOTRA now holds the case");
}

/// Administrators delete a routing rule and a service-level target (new cases and open due
/// dates follow); an officer deletes a saved filter.
#[tokio::test]
async fn settings_and_saved_filters_are_deleted() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test").await;
    let admin = app.login("admin@demo.test").await;
    let db = &app.state.store.db;

    // A routing rule sends Japanese questions to the Busan office; deleting it sends them back
    // to the ministry's desk.
    let (_, html) = admin.text("/admin/desk").await;
    let rules_before = ids_after(&html, "action=\"/admin/desk/routing/");
    let busan = store::agencies::by_code(db, "BUSAN").await.unwrap().unwrap();
    let r = admin.post("/admin/desk/routing", &[("position", "5"), ("country", "JP"), ("agency", &busan.id.to_string())]).await;
    assert_redirect(&r, "/admin/desk?ok=desk-config-saved");
    let (_, html) = admin.text("/admin/desk").await;
    let added: Vec<i64> = ids_after(&html, "action=\"/admin/desk/routing/").into_iter().filter(|i| !rules_before.contains(i)).collect();
    assert_eq!(added.len(), 1, "{added:?}");
    let rule = added[0];
    let jp = new_case(&company, "일본 표시 규정 문의 (워크)", "other", "JP").await;
    assert_eq!(case(&company, jp).await["case"]["agency"], "BUSAN");
    let r = admin.post(&format!("/admin/desk/routing/{rule}/delete"), &[]).await;
    assert_redirect(&r, "/admin/desk?ok=desk-config-saved");
    let (_, html) = admin.text("/admin/desk").await;
    assert!(!ids_after(&html, "action=\"/admin/desk/routing/").contains(&rule), "the rule is gone from the page");
    assert_eq!(ids_after(&html, "action=\"/admin/desk/routing/").len(), rules_before.len());
    let jp2 = new_case(&company, "일본 표시 규정 재문의 (워크)", "other", "JP").await;
    assert_eq!(case(&company, jp2).await["case"]["agency"], "MSS", "new cases are routed without the rule");

    // A tighter target for "other" cases moves an open case's due date earlier; deleting the
    // target brings the date back.
    let due_before = case(&company, jp2).await["case"]["due_on"].as_str().unwrap().to_string();
    let targets_before = ids_after(&html, "action=\"/admin/desk/sla/");
    let r = admin.post("/admin/desk/sla", &[("category", "other"), ("first_response_days", "1"), ("resolution_days", "5")]).await;
    assert_redirect(&r, "/admin/desk?ok=desk-config-saved");
    let (_, html) = admin.text("/admin/desk").await;
    let added: Vec<i64> = ids_after(&html, "action=\"/admin/desk/sla/").into_iter().filter(|i| !targets_before.contains(i)).collect();
    assert_eq!(added.len(), 1, "{added:?}");
    let target = added[0];
    let tighter = case(&company, jp2).await["case"]["due_on"].as_str().unwrap().to_string();
    assert!(tighter < due_before, "{tighter} before {due_before}");
    let r = admin.post(&format!("/admin/desk/sla/{target}/delete"), &[]).await;
    assert_redirect(&r, "/admin/desk?ok=desk-config-saved");
    let (_, html) = admin.text("/admin/desk").await;
    assert!(!ids_after(&html, "action=\"/admin/desk/sla/").contains(&target), "the target is gone from the page");
    assert_eq!(case(&company, jp2).await["case"]["due_on"].as_str().unwrap(), due_before, "the default target applies again");

    // An officer saves a filter for the queue and deletes it.
    let officer = app.login("officer@demo.test").await;
    let r = officer.post("/officer/filters", &[("name", "워크 기한초과 필터"), ("query", "view=overdue")]).await;
    assert_redirect(&r, "/officer/cases?view=overdue");
    let (_, html) = officer.text("/officer/cases").await;
    assert!(html.contains("워크 기한초과 필터"), "the filter is listed");
    let fid: i64 = text_after(&html, "action=\"/officer/filters/", '/').parse().unwrap();
    let r = officer.post(&format!("/officer/filters/{fid}/delete"), &[]).await;
    assert_redirect(&r, "/officer/cases");
    let (_, html) = officer.text("/officer/cases").await;
    assert!(!html.contains("워크 기한초과 필터"), "the filter is gone");
    assert!(!html.contains(&format!("action=\"/officer/filters/{fid}/delete\"")));
}

/// A platform administrator creates an officer, who can sign in and is offered as an assignee on
/// the agency's cases; a new member registers its company over the API.
#[tokio::test]
async fn admins_create_staff_and_members_register_their_company() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test").await;
    // Technical regulations go to KOTRA; its staff see the case page with the assignee list.
    let k = new_case(&company, "베트남 기술 규정 시험 성적서 (워크)", "technical_regulation", "VN").await;
    let kotra = app.login("kotra@demo.test").await;
    let (s, html) = kotra.text(&format!("/cases/{k}")).await;
    assert_eq!(s, 200);
    assert!(!html.contains("워크 신임 담당관"));

    let admin = app.login("admin@demo.test").await;
    let r = admin
        .post(
            "/admin/users",
            &[
                ("display_name", "워크 신임 담당관"),
                ("email", "walk-officer@example.kr"),
                ("role", "officer"),
                ("agency", "KOTRA"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_redirect(&r, "/admin/users?created=1");
    let (_, html) = admin.text("/admin/users").await;
    assert!(html.contains("walk-officer@example.kr") && html.contains("워크 신임 담당관"), "listed among the users");
    let created = store::users::by_email(&app.state.store.db, "walk-officer@example.kr").await.unwrap().unwrap();
    assert_eq!(created.role, "officer");
    let new_officer = app.login("walk-officer@example.kr").await;
    let (s, queue) = new_officer.text("/officer/cases?view=all").await;
    assert_eq!(s, 200);
    assert!(queue.contains(&format!("data-case=\"{k}\"")), "the new officer works KOTRA's queue");
    // KOTRA's directory (kept in memory by every node) takes the new officer in.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut listed = false;
    while !listed && std::time::Instant::now() < deadline {
        let (_, html) = kotra.text(&format!("/cases/{k}")).await;
        listed = html.contains(&format!("<option value=\"{}\">워크 신임 담당관</option>", created.id));
        if !listed {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    assert!(listed, "the new officer is offered as an assignee");

    // A member without a company registers it over the API.
    let b = app.browser().await;
    let r = b.post("/signup", &[("display_name", "Walk"), ("email", "walk-member@example.kr"), ("password", "passphrase-0009")]).await;
    assert_eq!(r.status(), 303);
    let member = api_for(&app, "walk-member@example.kr").await;
    let brn = domain::Brn::from_prefix([3, 1, 4, 8, 1, 5, 9, 2, 6]).formatted();
    let (s, body) = member
        .send(
            Method::POST,
            "/api/v1/companies",
            &json!({
                "brn": brn, "name_ko": "워크테스트기업", "name_en": "Walk Test Co.", "region": "26", "ksic": "26",
                "founded_on": "2019-04-01", "employees": 7, "revenue_krw": 900000000i64, "exports_usd": 30000,
                "products": ["851713"], "export_countries": ["VN"], "target_countries": ["ID"], "consent": true
            }),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert_eq!((body["name_ko"].as_str(), body["brn"].as_str()), (Some("워크테스트기업"), Some(brn.as_str())));
    assert_eq!(app.company_id_of("walk-member@example.kr").await, id, "the member belongs to it");
    let (s, mine) = member.get(&format!("/api/v1/companies/{id}")).await;
    assert_eq!((s, mine["export_countries"].clone()), (200, json!(["VN"])));
    // It consented: agencies find it.
    let officer = api_for(&app, "officer@demo.test").await;
    let (_, found) = officer.get(&format!("/api/v1/companies?q={brn}")).await;
    assert!(found["items"].as_array().unwrap().iter().any(|c| c["id"] == id), "{found}");
}

/// A company writes a note on a step of its plan; a reviewer sends a playbook version back to
/// its author with a reason.
#[tokio::test]
async fn plan_notes_and_a_playbook_version_sent_back() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test").await;
    let (s, plan) = company
        .send(
            Method::POST,
            "/api/v1/plans",
            &json!({"country": "ID", "entity_type": "foreign_owned_company", "target_open_on": in_days(400)}),
        )
        .await;
    assert_eq!(s, 201, "{plan}");
    let id = plan["id"].as_i64().unwrap();
    let key = plan["steps"][0]["key"].as_str().unwrap().to_string();
    let browser = app.login("company@demo.test").await;
    let r = browser.post(&format!("/plans/{id}/steps/{key}/notes"), &[("note", "현지 법무법인에 문의 중 (워크)")]).await;
    assert_redirect(&r, &format!("/plans/{id}?ok=plan-flash-saved"));
    let (s, html) = browser.text(&format!("/plans/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("현지 법무법인에 문의 중 (워크)"), "the note is on the plan page");

    // KOTRA starts a new version and sends it for review; a platform admin sends it back.
    let playbook_id = plan["playbook_id"].as_i64().unwrap();
    let kotra = app.login("kotra@demo.test").await;
    let r = kotra.post(&format!("/officer/playbooks/{playbook_id}/draft"), &[]).await;
    assert_eq!(r.status(), 303);
    let edit = location(&r);
    let vid: i64 = edit.rsplit('/').next().unwrap().parse().unwrap();
    let (_, html) = kotra.text(&edit).await;
    let rv = text_after(&html, "name=\"row_version\" value=\"", '"').to_string();
    let r = kotra.post(&format!("{edit}/submit"), &[("row_version", &rv)]).await;
    assert_redirect(&r, &format!("/officer/playbooks/versions/{vid}?ok=playbook-flash-submitted"));
    let admin = app.login("admin@demo.test").await;
    let (_, html) = admin.text(&edit).await;
    assert!(html.contains("data-status=\"in_review\"") && html.contains("id=\"return-form\""));
    let rv = text_after(&html, "name=\"row_version\" value=\"", '"').to_string();
    let r = admin.post(&format!("{edit}/return"), &[("row_version", &rv), ("review_note", "근거 자료 링크를 추가해 주세요 (워크)")]).await;
    assert_redirect(&r, &format!("/officer/playbooks/versions/{vid}?ok=playbook-flash-returned"));
    let (_, html) = kotra.text(&edit).await;
    assert!(html.contains("data-status=\"draft\""), "back to a draft");
    assert!(html.contains("근거 자료 링크를 추가해 주세요 (워크)"), "with the reviewer's reason");
    assert!(html.contains("id=\"version-form\""), "the author can edit it again");
    // Companies still see the published version.
    let (_, guide) = browser.text("/guides/ID").await;
    assert!(guide.contains("data-version=\"1\""));
    let (_, after) = company.get(&format!("/api/v1/plans/{id}")).await;
    assert_eq!(after["version"], 1);
}
