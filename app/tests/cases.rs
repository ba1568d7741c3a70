//! The regulatory issue desk over HTTP: reporting with errors explained and nothing half saved,
//! routing, the access matrix (companies, agencies, referrals, the public), the clock that pauses
//! and resumes, version checks, attachments judged by their content, the knowledge base's
//! approval, and e-mail over real SMTP.

use crate::common::*;
use reqwest::Method;
use serde_json::{Value, json};

fn report(title: &str, category: &str, country: &str) -> Value {
    json!({
        "category": category,
        "country": country,
        "hs_codes": ["3304"],
        "title": title,
        "description": "현지 수입업체가 새 인증서를 요구하며 통관을 보류했습니다. 절차를 알고 싶습니다.",
        "impact_krw": 120000000,
    })
}

async fn api_for(app: &TestApp, email: &str, lang: &str) -> Api {
    let token = app.token_for(email).await;
    app.api(&token, lang)
}

/// A multipart body with form fields and files, built by hand (the test client has no
/// multipart feature, and the format is simple).
pub(crate) fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "gd-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    for (field, name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts the report form as the browser does (multipart, with the form token).
async fn post_report(b: &Browser, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> reqwest::Response {
    let mut all = vec![("_csrf", b.csrf.as_str())];
    all.extend_from_slice(fields);
    let (ct, body) = multipart(&all, files);
    b.http.post(format!("{}{path}", b.base)).header("content-type", ct).body(body).send().await.unwrap()
}

async fn upload(api: &Api, case_id: i64, kind: &str, name: &str, bytes: &[u8]) -> (u16, Value) {
    let (ct, body) = multipart(&[("kind", kind), ("body", "첨부합니다")], &[("file", name, bytes)]);
    let r = api
        .http
        .post(format!("{}/api/v1/cases/{case_id}/attachments", api.base))
        .bearer_auth(&api.token)
        .header("accept-language", &api.lang)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_report_with_bad_input_is_explained_and_nothing_is_saved() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let before = store::cases::count_all(&app.state.store.db).await.unwrap();
    let (status, body) = company
        .send(
            Method::POST,
            "/api/v1/cases",
            &json!({"category": "visa", "country": "XX", "hs_codes": ["12"], "title": "짧음", "description": "짧다", "impact_krw": -5, "deadline": "2026-13-40"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in ["category", "country", "title", "description", "impact_krw", "deadline"] {
        assert!(fields.contains(&f), "{f} should be reported: {body}");
    }
    let country = body["errors"].as_array().unwrap().iter().find(|e| e["field"] == "country").unwrap();
    assert!(country["message"].as_str().unwrap().contains("XX"), "Korean message names the value: {country}");
    assert_eq!(store::cases::count_all(&app.state.store.db).await.unwrap(), before, "nothing half saved");

    // The same refusal in English when asked.
    let company_en = api_for(&app, "company@demo.test", "en").await;
    let (status, body) =
        company_en.send(Method::POST, "/api/v1/cases", &json!({"category": "", "country": "", "title": "", "description": ""})).await;
    assert_eq!(status, 422);
    assert!(body["errors"][0]["message"].as_str().unwrap().is_ascii(), "{body}");
}

#[tokio::test]
async fn routing_access_matrix_referral_and_internal_notes() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let (status, created) = company.send(Method::POST, "/api/v1/cases", &report("중국 통관 원산지 표시 보류", "customs", "CN")).await;
    assert_eq!(status, 201, "{created}");
    let id = created["case"]["id"].as_i64().unwrap();
    assert_eq!(created["case"]["status"], "submitted");
    // Customs questions go to the customs service by the default routing rules.
    assert_eq!(created["case"]["agency"], "KCS");
    assert_eq!(created["sla"]["state"], "on_track");

    let customs = api_for(&app, "customs@demo.test", "ko").await;
    let kotra = api_for(&app, "kotra@demo.test", "ko").await;
    let mss = api_for(&app, "officer@demo.test", "ko").await;
    let analyst = api_for(&app, "analyst@demo.test", "ko").await;
    let admin = api_for(&app, "admin@demo.test", "ko").await;
    let path = format!("/api/v1/cases/{id}");

    // Who sees the case before any referral.
    assert_eq!(customs.get(&path).await.0, 200);
    assert_eq!(admin.get(&path).await.0, 200);
    for (who, api) in [("KOTRA", &kotra), ("MSS", &mss), ("analyst", &analyst)] {
        assert_eq!(api.get(&path).await.0, 404, "{who} must not see another agency's case");
    }
    // The company lists it; someone of another company never sees it, in lists or directly.
    let (_, own) = company.get("/api/v1/cases").await;
    assert!(own["items"].as_array().unwrap().iter().any(|c| c["id"] == id));
    let stranger = new_company_member(&app, "stranger@example.kr").await;
    assert_eq!(stranger.get(&path).await.0, 404);
    let (s, list) = stranger.get("/api/v1/cases").await;
    assert_eq!(s, 403, "a member without a company has no cases: {list}");
    // Without a token: 401.
    let anon = app.api("", "ko");
    assert_eq!(anon.get(&path).await.0, 401);

    // An internal note is never shown to the company; a reply is.
    let (s, _) =
        customs.send(Method::POST, &format!("{path}/messages"), &json!({"kind": "note", "body": "내부 검토: 원산지 규정 확인 필요"})).await;
    assert_eq!(s, 201);
    let (s, _) =
        customs.send(Method::POST, &format!("{path}/messages"), &json!({"kind": "reply", "body": "관세청에서 확인 중입니다."})).await;
    assert_eq!(s, 201);
    let (_, seen) = company.get(&path).await;
    let bodies: Vec<&str> = seen["timeline"].as_array().unwrap().iter().map(|e| e["body"].as_str().unwrap()).collect();
    assert!(bodies.contains(&"관세청에서 확인 중입니다."));
    assert!(!bodies.iter().any(|b| b.contains("내부 검토")), "internal note leaked: {bodies:?}");
    assert!(seen["referrals"].as_array().unwrap().is_empty());
    // The company cannot write internal notes or request information.
    let (s, _) = company.send(Method::POST, &format!("{path}/messages"), &json!({"kind": "request", "body": "x"})).await;
    assert_eq!(s, 403);

    // The holder refers the whole case to KOTRA: KOTRA sees it (pending), accepts, and holds it.
    let (_, now) = customs.get(&path).await;
    let version = now["case"]["version"].as_i64().unwrap();
    let (s, body) = customs
        .send(
            Method::POST,
            &format!("{path}/referrals"),
            &json!({"to_agency": "KOTRA", "scope": "whole", "note": "현지 인증 문제로 판단", "version": version}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let referral = body["referrals"][0]["id"].as_i64().unwrap();
    assert_eq!(kotra.get(&path).await.0, 200, "a referred agency sees the case");
    // KOTRA may not move a case it does not hold yet.
    let (_, k) = kotra.get(&path).await;
    let (s, _) = kotra
        .send(Method::POST, &format!("{path}/transitions"), &json!({"to": "triaged", "version": k["case"]["version"], "note": ""}))
        .await;
    assert_eq!(s, 403);
    // Only the receiving agency decides; a decline needs a reason.
    assert_eq!(mss.send(Method::POST, &format!("/api/v1/referrals/{referral}/decision"), &json!({"accept": true})).await.0, 404);
    assert_eq!(kotra.send(Method::POST, &format!("/api/v1/referrals/{referral}/decision"), &json!({"accept": false})).await.0, 422);
    let (s, after) = kotra.send(Method::POST, &format!("/api/v1/referrals/{referral}/decision"), &json!({"accept": true})).await;
    assert_eq!(s, 200, "{after}");
    assert_eq!(after["case"]["agency"], "KOTRA");
    // The company sees who holds it now; the customs service keeps sight of what it handed on.
    let (_, seen) = company.get(&path).await;
    assert_eq!(seen["case"]["agency"], "KOTRA");
    assert!(seen["timeline"].as_array().unwrap().iter().any(|e| e["kind"] == "referral_accepted"));
    assert_eq!(customs.get(&path).await.0, 200);
    // A decided referral cannot be decided again.
    assert_eq!(kotra.send(Method::POST, &format!("/api/v1/referrals/{referral}/decision"), &json!({"accept": true})).await.0, 409);
    // The holder's queue lists it; the former holder's "our open cases" does not.
    let (_, q) = kotra.get("/api/v1/cases").await;
    assert!(q["items"].as_array().unwrap().iter().any(|c| c["id"] == id));
}

/// A company member of a brand-new company, with a token.
async fn new_company_member(app: &TestApp, email: &str) -> Api {
    let b = app.browser().await;
    let r = b.post("/signup", &[("display_name", "Stranger"), ("email", email), ("password", "passphrase-0007")]).await;
    assert_eq!(r.status(), 303);
    api_for(app, email, "ko").await
}

#[tokio::test]
async fn the_clock_pauses_while_waiting_on_the_company_and_moves_the_due_date() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let (_, created) = company.send(Method::POST, "/api/v1/cases", &report("국내 전략물자 판정 지연", "domestic", "KR")).await;
    let id = created["case"]["id"].as_i64().unwrap();
    assert_eq!(created["case"]["agency"], "MSS");
    let due_before = created["case"]["due_on"].as_str().unwrap().to_string();
    let officer = api_for(&app, "officer@demo.test", "ko").await;
    let path = format!("/api/v1/cases/{id}");

    // A request for information pauses the clock.
    let (s, body) =
        officer.send(Method::POST, &format!("{path}/messages"), &json!({"kind": "request", "body": "수출 계약서를 보내 주세요."})).await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["case"]["waiting_on"], "company");
    assert_eq!(body["sla"]["state"], "paused");
    assert_eq!(body["sla"]["first_response_state"], "met", "the request was the first response");

    // Pretend the pause began five business days ago (2 weeks of calendar), as if the company
    // took its time: the resumed clock must push the due date by the business days paused.
    let db = &app.state.store.db;
    let cfg = app.state.desk.desk().await.unwrap();
    let today = kit::today();
    let start = today - time::Duration::days(14);
    let paused_bd = cfg.calendar.business_days_between(start, today);
    assert!(paused_bd >= 8, "two weeks hold at least 8 business days");
    // The case itself was submitted three weeks ago.
    let submitted_at = store::iso(time::OffsetDateTime::now_utc() - time::Duration::days(21));
    app.state.store.execute_unprepared(&format!("UPDATE cases SET submitted_at = '{submitted_at}' WHERE id = {id}")).await.unwrap();
    backdate_pause(&app, id, &start.to_string()).await;

    // The company answers in place: the clock runs again, later by exactly the paused days.
    let (s, body) = company.send(Method::POST, &format!("{path}/messages"), &json!({"body": "계약서를 첨부합니다."})).await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["case"]["waiting_on"], "desk");
    assert_ne!(body["sla"]["state"], "paused");
    assert_eq!(body["sla"]["paused_business_days"], paused_bd);
    assert_eq!(body["sla"]["paused_calendar_days"], 14);
    let k = store::cases::get(db, id).await.unwrap().unwrap();
    assert_eq!(k.paused_business_days, paused_bd);
    let submitted = kit::util::kst_date(k.submitted_at.as_deref().unwrap()).unwrap();
    let target = cfg.target(&k.priority, &k.category);
    assert_eq!(k.due_on.as_deref().unwrap(), cfg.calendar.add_business_days(submitted, target.resolution_days + paused_bd).to_string());
    assert_ne!(k.due_on.as_deref().unwrap(), due_before);
    assert_eq!(body["sla"]["due_on"], Value::String(k.due_on.clone().unwrap()));
    // The answer is on the timeline as an answer.
    assert!(body["timeline"].as_array().unwrap().iter().any(|e| e["kind"] == "answer"));

    // Waiting on a foreign government pauses too; waiting on another agency does not.
    let v = body["case"]["version"].clone();
    let (_, body) =
        officer.send(Method::POST, &format!("{path}/waiting"), &json!({"waiting_on": "foreign_government", "version": v})).await;
    assert_eq!(body["sla"]["state"], "paused");
    let v = body["case"]["version"].clone();
    let (_, body) = officer.send(Method::POST, &format!("{path}/waiting"), &json!({"waiting_on": "agency", "version": v})).await;
    assert_ne!(body["sla"]["state"], "paused");
}

/// Moves the open pause's start back in time, as if the company had taken that long to answer.
async fn backdate_pause(app: &TestApp, id: i64, start: &str) {
    let s = &app.state.store;
    s.execute_unprepared(&format!("UPDATE case_pauses SET started_on = '{start}' WHERE case_id = {id} AND ended_on IS NULL"))
        .await
        .unwrap();
    s.execute_unprepared(&format!("UPDATE cases SET paused_since = '{start}' WHERE id = {id}")).await.unwrap();
}

#[tokio::test]
async fn two_officers_editing_one_case_do_not_overwrite_each_other() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let (_, created) = company.send(Method::POST, "/api/v1/cases", &report("국내 인허가 서류 중복", "domestic", "KR")).await;
    let id = created["case"]["id"].as_i64().unwrap();
    let version = created["case"]["version"].clone();
    let first = api_for(&app, "officer@demo.test", "ko").await;
    let second = api_for(&app, "agency-admin@demo.test", "en").await;
    let path = format!("/api/v1/cases/{id}/transitions");
    let (s, _) = first.send(Method::POST, &path, &json!({"to": "triaged", "version": version})).await;
    assert_eq!(s, 200);
    // The second officer read the same version: refused with a clear message, nothing changed.
    let (s, body) =
        second.send(Method::POST, &path, &json!({"to": "closed_not_barrier", "version": version, "note": "not a barrier"})).await;
    assert_eq!(s, 409, "{body}");
    assert!(body["title"].as_str().unwrap().contains("changed this case"), "{body}");
    let k = store::cases::get(&app.state.store.db, id).await.unwrap().unwrap();
    assert_eq!(k.status, "triaged");
    // A move the workflow does not allow is refused too.
    let (s, _) = first.send(Method::POST, &path, &json!({"to": "draft", "version": k.version})).await;
    assert_eq!(s, 409);
    // Closing needs a reason from the officer.
    let (s, body) = first.send(Method::POST, &path, &json!({"to": "resolved_full", "version": k.version})).await;
    assert_eq!(s, 422, "{body}");
}

#[tokio::test]
async fn attachments_are_judged_by_content_and_downloaded_only_by_those_who_may_see_the_case() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let (_, created) = company.send(Method::POST, "/api/v1/cases", &report("UAE 신용장 하자 통보", "payment_currency", "AE")).await;
    let id = created["case"]["id"].as_i64().unwrap();
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    let (s, body) = upload(&company, id, "reply", "신용장.pdf", pdf).await;
    assert_eq!(s, 201, "{body}");
    let att = body["timeline"].as_array().unwrap().iter().flat_map(|e| e["attachments"].as_array().unwrap().clone()).next().unwrap();
    assert_eq!(att["media_type"], "application/pdf");
    assert_eq!(att["file_name"], "신용장.pdf");
    // An executable named .pdf is refused, in the caller's language, and nothing is recorded.
    let events_before = body["timeline"].as_array().unwrap().len();
    let (s, err) = upload(&company, id, "reply", "invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00").await;
    assert_eq!(s, 422, "{err}");
    assert_eq!(err["errors"][0]["code"], "upload-unsupported");
    let (_, after) = company.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(after["timeline"].as_array().unwrap().len(), events_before);

    let href = att["href"].as_str().unwrap();
    let fetch = |api: &Api| {
        let req = api.http.get(format!("{}{href}", api.base)).bearer_auth(&api.token);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
        }
    };
    let (s, bytes) = fetch(&company).await;
    assert_eq!((s, bytes.as_slice()), (200, &pdf[..]));
    let ksure = api_for(&app, "ksure@demo.test", "ko").await; // payment trouble goes to the export insurer
    assert_eq!(fetch(&ksure).await.0, 200);
    let kosme = api_for(&app, "kosme@demo.test", "ko").await;
    assert_eq!(fetch(&kosme).await.0, 404);
    // Officers' files on internal notes stay with the staff.
    let (s, body) = upload(&ksure, id, "note", "memo.txt", "내부 검토 메모".as_bytes()).await;
    assert_eq!(s, 201, "{body}");
    let internal = body["timeline"].as_array().unwrap().iter().find(|e| e["internal"] == true).unwrap()["attachments"][0]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let r = company.http.get(format!("{}{internal}", company.base)).bearer_auth(&company.token).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_public_summary_needs_another_persons_approval_before_anyone_sees_it() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let (_, created) = company.send(Method::POST, "/api/v1/cases", &report("국내 전략물자 판정 지연 문제", "domestic", "KR")).await;
    let id = created["case"]["id"].as_i64().unwrap();
    let officer = api_for(&app, "officer@demo.test", "ko").await;
    let path = format!("/api/v1/cases/{id}/transitions");
    let (_, b) = officer.send(Method::POST, &path, &json!({"to": "triaged", "version": created["case"]["version"]})).await;
    let (s, b) = officer
        .send(Method::POST, &path, &json!({"to": "resolved_full", "version": b["case"]["version"], "note": "판정 기준을 안내함"}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["sla"]["state"], "met");

    // The officer drafts a summary from the case in the browser.
    let ob = app.login("officer@demo.test").await;
    let r = ob.post(&format!("/cases/{id}/kb"), &[]).await;
    assert_eq!(r.status(), 303);
    let edit = r.headers()["location"].to_str().unwrap().to_string();
    let kb_id: i64 = edit.rsplit('/').next().unwrap().parse().unwrap();
    let fields = [
        ("version", "1"),
        ("category", "domestic"),
        ("country", "KR"),
        ("hs_codes", "8507"),
        ("title_ko", "전략물자 판정 지연 해소 사례"),
        ("title_en", "Strategic goods classification delay resolved"),
        ("summary_ko", "판정 기준과 사전 상담 창구를 안내하여 선적 일정을 맞췄습니다."),
        ("summary_en", "The agency explained the criteria and the pre-consultation desk; the shipment left on time."),
    ];
    assert_eq!(ob.post(&edit, &fields).await.status(), 303);
    let anon = app.api("", "en");
    let (_, kb) = anon.get("/api/v1/knowledge-base?q=strategic").await;
    assert_eq!(kb["total"], 0, "a draft is not public: {kb}");
    // "Ask for approval" sends the form as typed: saved (version 3), then submitted (4).
    let mut typed = fields.to_vec();
    typed[0] = ("version", "2");
    assert_eq!(ob.post(&format!("{edit}/submit"), &typed).await.status(), 303);
    // The author cannot approve their own entry.
    let r = ob.post(&format!("{edit}/review"), &[("version", "4"), ("decision", "approve")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("error=error-forbidden"));
    assert_eq!(anon.get(&format!("/api/v1/knowledge-base/{kb_id}")).await.0, 404);
    // An agency administrator approves; now anyone finds it, in Korean or English words.
    let ab = app.login("agency-admin@demo.test").await;
    let r = ab.post(&format!("{edit}/review"), &[("version", "4"), ("decision", "approve")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("ok=kb-flash-reviewed"));
    let (_, kb) = anon.get("/api/v1/knowledge-base?q=strategic%20goods").await;
    assert_eq!(kb["items"][0]["id"], kb_id, "{kb}");
    let (_, kb) = anon.get("/api/v1/knowledge-base?q=%EC%A0%84%EB%9E%B5%EB%AC%BC%EC%9E%90&hs=85").await; // 전략물자, HS 85…
    assert_eq!(kb["items"][0]["id"], kb_id, "{kb}");
    // The page and the API parse the same search; the API refuses filters it does not know
    // instead of answering "nothing found".
    let (status, problem) = anon.get("/api/v1/knowledge-base?q=strategic&country=ZZ&category=nonsense&hs=8x").await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["category", "country", "hs"], "{problem}");
    let (s, html) = app.browser_lang("en").await.text("/knowledge?q=strategic&country=ZZ").await;
    assert_eq!(s, 200, "the page searches without a filter edited into its address");
    assert!(html.contains("Strategic goods classification delay resolved"));
    let page = app.browser_lang("en").await;
    let (s, html) = page.text(&format!("/knowledge/{kb_id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Strategic goods classification delay resolved"));
    assert!(!html.contains("국내 전략물자 판정 지연 문제"), "the company's own wording stays private");
}

#[tokio::test]
async fn report_in_the_browser_with_a_draft_then_follow_it() {
    let app = spawn().await;
    let b = app.login("company@demo.test").await;
    // Errors in Korean, nothing saved.
    let before = store::cases::count_all(&app.state.store.db).await.unwrap();
    let r = post_report(
        &b,
        "/cases",
        &[("action", "submit"), ("category", "customs"), ("country", "ZZ"), ("title", ""), ("description", "")],
        &[],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("국가 코드") && html.contains("ZZ") && html.contains("알 수 없습니다"), "{}", &html[..html.len().min(400)]);
    assert!(html.contains("무슨 일이 있었는지 20자 이상 적어 주세요."));
    assert_eq!(store::cases::count_all(&app.state.store.db).await.unwrap(), before);
    // A draft saves with little, and only the company sees it.
    // An executable is refused on the file field, with what was typed kept and nothing saved.
    let r =
        post_report(&b, "/cases", &[("action", "draft"), ("title", "베트남 에너지 라벨 시험")], &[("files", "label.pdf", b"MZ\x90\x00")])
            .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"files-err\"") && html.contains("베트남 에너지 라벨 시험"));
    assert_eq!(store::cases::count_all(&app.state.store.db).await.unwrap(), before);
    let pdf: &[u8] = b"%PDF-1.4\n%%EOF\n";
    let r = post_report(
        &b,
        "/cases",
        &[("action", "draft"), ("title", "베트남 에너지 라벨 시험"), ("category", "technical_regulation")],
        &[("files", "시험성적서.pdf", pdf)],
    )
    .await;
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = loc.trim_start_matches("/cases/").split('?').next().unwrap().parse().unwrap();
    let officer = app.login("kotra@demo.test").await;
    assert_eq!(officer.get(&format!("/cases/{id}")).await.status(), 404);
    // Submitting the draft from its edit form routes it (technical regulations → KOTRA).
    let (_, edit) = b.text(&format!("/cases/{id}/edit")).await;
    let version = text_after(&edit, "name=\"version\" value=\"", '"').to_string();
    let r = post_report(
        &b,
        &format!("/cases/{id}/edit"),
        &[
            ("version", &version),
            ("action", "submit"),
            ("category", "technical_regulation"),
            ("country", "VN"),
            ("title", "베트남 에너지 라벨 시험"),
            ("hs_codes", "8516"),
            ("description", "베트남 바이어가 현지 시험기관의 에너지 효율 시험 성적서를 요구합니다."),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status(), 303);
    // The file given with the draft is on the case, for the agency too.
    let files = store::cases::attachments(&app.state.store.db, id, false).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!((files[0].file_name.as_str(), files[0].media_type.as_str()), ("시험성적서.pdf", "application/pdf"));
    let r = officer.get(&format!("/attachments/{}", files[0].id)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf);
    let (s, html) = officer.text(&format!("/cases/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("data-status=\"submitted\""));
    let (_, queue) = officer.text("/officer/cases?view=unassigned").await;
    assert!(queue.contains(&format!("data-case=\"{id}\"")));
    // CSV and Excel exports of the queue open in Excel: BOM, then a header row; a real XLSX.
    let r = officer.get("/officer/cases/export.csv?view=all").await;
    let csv = r.bytes().await.unwrap();
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]));
    assert!(String::from_utf8_lossy(&csv).contains("베트남 에너지 라벨 시험"));
    let r = officer.get("/officer/cases/export.xlsx?view=all").await;
    assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    // The company's list shows it.
    let (_, mine) = b.text("/cases").await;
    assert!(mine.contains("베트남 에너지 라벨 시험"));
}

/// A status change reaches the company's members through the outbox and a real SMTP server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_company_is_emailed_when_the_desk_moves_its_case() {
    let sink = crate::smtp_sink();
    let mail = kit::mail::MailConfig::Smtp {
        host: "127.0.0.1".into(),
        port: sink.port,
        from: "GlobalDesk <no-reply@globaldesk.test>".into(),
        tls: kit::mail::SmtpTls::None,
        credentials: None,
        extra_root: None,
    };
    let app = spawn_with(Options { demo: true, mail: Some(mail), worker: true }).await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let (_, created) = company.send(Method::POST, "/api/v1/cases", &report("국내 규제 메일 확인", "domestic", "KR")).await;
    let id = created["case"]["id"].as_i64().unwrap();
    let reference = created["case"]["reference"].as_str().unwrap().to_string();
    let officer = api_for(&app, "officer@demo.test", "ko").await;
    let (s, _) = officer
        .send(Method::POST, &format!("/api/v1/cases/{id}/messages"), &json!({"kind": "request", "body": "계약서를 보내 주세요"}))
        .await;
    assert_eq!(s, 201);
    let line = sink.messages.recv_timeout(std::time::Duration::from_secs(20)).expect("the request e-mail arrives");
    let msg: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(msg["to"], json!(["company@demo.test"]));
    assert_eq!(msg["subject"], format!("[GlobalDesk] 신고 {reference} 추가 정보 요청"));
    assert!(msg["body"].as_str().unwrap().contains(&format!("/cases/{id}")));
}

/// The queues read an in-memory index; the database can answer the same questions. Both must
/// agree on every view, for every kind of viewer, over the illustrative demo cases.
#[tokio::test]
async fn the_in_memory_queues_agree_with_the_database() {
    use store::cases::{QueueFilter, QueueSort, Scope};
    let app = spawn().await;
    let store = &app.state.store;
    globaldesk::desk_demo::seed_cases(store, 300).await.unwrap();
    let index = desk::case_index::CaseIndex::load(store).await.unwrap();
    assert_eq!(index.len(), 300);
    let agencies = store::agencies::list(&store.db).await.unwrap();
    let company = app.company_id_of("company@demo.test").await;
    let officer = store::users::by_email(&store.db, "officer@demo.test").await.unwrap().unwrap();
    let today = kit::today();
    let open = || vec!["submitted".to_string(), "triaged".to_string(), "in_progress".to_string()];
    let filters = vec![
        QueueFilter { statuses: open(), ..Default::default() },
        QueueFilter::default(),
        QueueFilter { unassigned: true, ..Default::default() },
        QueueFilter { due_before: Some(today.to_string()), ..Default::default() },
        QueueFilter { waiting_on: Some("company".into()), ..Default::default() },
        QueueFilter { assignee: Some(officer.id), statuses: open(), ..Default::default() },
        QueueFilter { category: Some("customs".into()), country: Some("US".into()), ..Default::default() },
        QueueFilter { priority: Some("high".into()), sort: QueueSort::Priority, ..Default::default() },
        QueueFilter { statuses: vec!["resolved_full".into()], sort: QueueSort::Newest, ..Default::default() },
        QueueFilter { ids: Some(vec![1, 2, 3, 250]), ..Default::default() },
    ];
    let mut scopes = vec![Scope::All, Scope::Company(company)];
    scopes.extend(agencies.iter().map(|a| Scope::Agency(a.id)));
    let mut compared = 0;
    for scope in scopes {
        for f in &filters {
            let f = QueueFilter { limit: 10_000, ..f.clone() };
            let (mem, mem_total) = index.queue(scope, &f);
            let (db, db_total) = store::cases::queue(&store.db, scope, &f).await.unwrap();
            assert_eq!(mem_total, db_total, "{scope:?} {f:?}");
            let mut mem_ids: Vec<i64> = mem.iter().map(|e| e.case.id).collect();
            let mut db_ids: Vec<i64> = db.iter().map(|k| k.id).collect();
            if f.sort != QueueSort::Due {
                mem_ids.sort_unstable();
                db_ids.sort_unstable();
            }
            assert_eq!(mem_ids, db_ids, "{scope:?} {f:?}");
            compared += mem_total;
        }
    }
    assert!(compared > 1000, "the comparison saw real data ({compared} rows)");
    // Paging: the second page of 25 is the same in both.
    let f = QueueFilter { limit: 25, offset: 25, ..Default::default() };
    let (mem, _) = index.queue(Scope::All, &f);
    let (db, _) = store::cases::queue(&store.db, Scope::All, &f).await.unwrap();
    assert_eq!(mem.iter().map(|e| e.case.id).collect::<Vec<_>>(), db.iter().map(|k| k.id).collect::<Vec<_>>());

    // Kept case pages are served on the index's word about who may see a case: it must be the
    // database's word, for every account and case, referrals (pending and declined) included.
    let (from, to, other) = (agencies[0].id, agencies[1].id, agencies[2].id);
    store::cases::add_referral(&store.db, 5, from, to, "whole", "", officer.id).await.unwrap();
    let declined = store::cases::add_referral(&store.db, 6, from, other, "whole", "", officer.id).await.unwrap();
    store.execute_unprepared(&format!("UPDATE case_referrals SET status = 'declined' WHERE id = {declined}")).await.unwrap();
    let ids: Vec<i64> = (1..=300).collect();
    index.refresh(store, &ids).await.unwrap();
    let mut users = Vec::new();
    for email in [
        "company@demo.test",
        "officer@demo.test",
        "kotra@demo.test",
        "kosme@demo.test",
        "ksure@demo.test",
        "busan@demo.test",
        "admin@demo.test",
        "analyst@demo.test",
    ] {
        users.push(store::users::by_email(&store.db, email).await.unwrap().unwrap());
    }
    let (mut allowed, mut refused) = (0, 0);
    for id in ids {
        let e = index.get(id).expect("indexed");
        for u in &users {
            let db_says = desk::service::access(&app.state.desk, u, id).await.ok().map(|a| (a.holds, a.works));
            let index_says = desk::service::access_indexed(u, &e).map(|a| (a.holds, a.works));
            assert_eq!(index_says, db_says, "case {id}, {}: (holds, works)", u.email);
            if db_says.is_some() { allowed += 1 } else { refused += 1 }
        }
    }
    assert!(allowed > 300 && refused > 300, "both answers were exercised ({allowed} allowed, {refused} refused)");
}

#[tokio::test]
async fn the_desk_routes_are_in_the_openapi_document() {
    let app = spawn().await;
    let b = app.browser().await;
    let (status, text) = b.text("/api/openapi.json").await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&text).unwrap();
    for path in [
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/transitions",
        "/api/v1/cases/{id}/messages",
        "/api/v1/cases/{id}/attachments",
        "/api/v1/cases/{id}/referrals",
        "/api/v1/referrals/{id}/decision",
        "/api/v1/knowledge-base",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    // The public knowledge base needs no token, and says so.
    assert_eq!(doc["paths"]["/api/v1/knowledge-base"]["get"]["security"], json!([{}]));
}

/// Administrators change routing, targets and holidays in the browser; open cases' due dates
/// follow, and officers cannot change any of it.
#[tokio::test]
async fn desk_settings_route_new_cases_and_move_due_dates() {
    let app = spawn().await;
    let db = &app.state.store.db;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let (_, created) = company.send(Method::POST, "/api/v1/cases", &report("기타 규제 문의 설정 확인", "other", "JP")).await;
    let id = created["case"]["id"].as_i64().unwrap();
    assert_eq!(created["case"]["agency"], "MSS");
    let due_before = created["case"]["due_on"].as_str().unwrap().to_string();

    let officer = app.login("officer@demo.test").await;
    assert_eq!(officer.get("/admin/desk").await.status(), 403);
    assert_eq!(officer.post("/admin/desk/holidays", &[("day", "2099-01-01"), ("name_ko", "x"), ("name_en", "x")]).await.status(), 403);

    let admin = app.login("admin@demo.test").await;
    let (s, html) = admin.text("/admin/desk").await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"routing-table\"") && html.contains("id=\"holiday-table\""));
    // A holiday on every business day until the due date pushes it later.
    let cfg = app.state.desk.desk().await.unwrap();
    let today = kit::today();
    let mut day = today.next_day().unwrap();
    while !cfg.calendar.is_business_day(day) {
        day = day.next_day().unwrap();
    }
    let r =
        admin.post("/admin/desk/holidays", &[("day", &day.to_string()), ("name_ko", "임시공휴일"), ("name_en", "Temporary holiday")]).await;
    assert_eq!(r.headers()["location"], "/admin/desk?ok=desk-config-saved");
    let k = store::cases::get(db, id).await.unwrap().unwrap();
    assert!(k.due_on.as_deref().unwrap() > due_before.as_str(), "{} after {due_before}", k.due_on.unwrap());
    // The same day twice is refused with a reason.
    let r = admin.post("/admin/desk/holidays", &[("day", &day.to_string()), ("name_ko", "중복"), ("name_en", "Twice")]).await;
    assert_eq!(r.headers()["location"], "/admin/desk?error=desk-error-duplicate-holiday");
    // Removing it brings the date back.
    admin.post(&format!("/admin/desk/holidays/{day}/delete"), &[]).await;
    assert_eq!(store::cases::get(db, id).await.unwrap().unwrap().due_on.unwrap(), due_before);

    // A tighter target for "other" cases moves the open case's due date earlier.
    let r = admin.post("/admin/desk/sla", &[("category", "other"), ("first_response_days", "1"), ("resolution_days", "5")]).await;
    assert_eq!(r.headers()["location"], "/admin/desk?ok=desk-config-saved");
    assert!(store::cases::get(db, id).await.unwrap().unwrap().due_on.unwrap() < due_before);
    let r = admin.post("/admin/desk/sla", &[("first_response_days", "zero"), ("resolution_days", "5")]).await;
    assert_eq!(r.headers()["location"], "/admin/desk?error=desk-error-number");

    // A routing rule sends Japanese cases to the Busan office from now on.
    let busan = store::agencies::by_code(db, "BUSAN").await.unwrap().unwrap();
    let r = admin.post("/admin/desk/routing", &[("position", "5"), ("country", "JP"), ("agency", &busan.id.to_string())]).await;
    assert_eq!(r.headers()["location"], "/admin/desk?ok=desk-config-saved");
    let (_, again) = company.send(Method::POST, "/api/v1/cases", &report("일본 표시 규정 문의", "other", "JP")).await;
    assert_eq!(again["case"]["agency"], "BUSAN");
    // The earlier case stays where it was.
    assert_eq!(store::cases::get(db, id).await.unwrap().unwrap().agency_code.as_deref(), Some("MSS"));
}

/// Once a day each agency's staff get the cases it holds that are due soon or late; a second
/// run the same day (another node, a restart) sends nothing more.
#[tokio::test]
async fn the_daily_digest_lists_late_cases_once_per_agency_and_day() {
    let app = spawn().await;
    let company = api_for(&app, "company@demo.test", "ko").await;
    let (_, late) = company.send(Method::POST, "/api/v1/cases", &report("오래된 국내 규제 애로", "domestic", "KR")).await;
    let (_, fresh) = company.send(Method::POST, "/api/v1/cases", &report("새로 접수된 국내 규제 애로", "domestic", "KR")).await;
    let (late, fresh) = (late["case"]["id"].as_i64().unwrap(), fresh["case"]["id"].as_i64().unwrap());
    // The first was submitted two months ago: past its 30 business days.
    let long_ago = store::iso(time::OffsetDateTime::now_utc() - time::Duration::days(60));
    app.state.store.execute_unprepared(&format!("UPDATE cases SET submitted_at = '{long_ago}' WHERE id = {late}")).await.unwrap();
    store::changes::publish(&app.state.store.db, store::changes::Topic::Case, late).await.unwrap();
    desk::runtime::sync_index(&app.state.desk).await.unwrap();

    let db = &app.state.store.db;
    let before = store::jobs::count_by_status(db, "pending").await.unwrap();
    // Before 08:00 in Korea nothing goes out.
    let early = time::OffsetDateTime::now_utc().replace_time(time::macros::time!(22:00)); // 07:00 KST next day
    assert_eq!(desk::runtime::send_digests_at(&app.state.desk, early).await.unwrap(), 0);
    let morning = time::OffsetDateTime::now_utc().replace_time(time::macros::time!(0:30)); // 09:30 KST
    let sent = desk::runtime::send_digests_at(&app.state.desk, morning).await.unwrap();
    let staff = store::users::staff_of_agency(db, store::agencies::by_code(db, "MSS").await.unwrap().unwrap().id).await.unwrap();
    assert_eq!(sent, staff.len(), "one e-mail per MSS staff member");
    assert_eq!(store::jobs::count_by_status(db, "pending").await.unwrap(), before + sent as i64);
    let body = store::jobs::claim(db).await.unwrap().expect("a digest is queued").payload;
    assert!(body.contains(&format!("/cases/{late}")), "{body}");
    assert!(!body.contains(&format!("/cases/{fresh}")), "a fresh case is on track: {body}");
    assert_eq!(desk::runtime::send_digests_at(&app.state.desk, morning).await.unwrap(), 0, "once a day");
}

/// The country guides: ten markets with their schedules and the historical World Bank figures,
/// a country's steps in dependency order, and a side-by-side comparison, in both languages.
#[tokio::test]
async fn country_guides_show_ten_markets_their_schedules_and_a_comparison() {
    let app = spawn().await;
    let ko = app.browser().await;
    let (s, html) = ko.text("/guides").await;
    assert_eq!(s, 200);
    for cc in ["VN", "ID", "US", "CN", "JP", "IN", "TH", "MX", "PL", "AE"] {
        assert!(html.contains(&format!("data-country=\"{cc}\"")), "{cc} listed");
    }
    assert!(html.contains("검증하지 않았습니다"), "the illustrative warning is on the page");
    // Indonesia: the outward investment report at home comes first, steps follow their
    // dependencies, the total matches the schedule engine, the World Bank's 2020 figures show.
    let (s, html) = ko.text("/guides/id").await;
    assert_eq!(s, 200);
    let playbooks: Vec<domain::playbook::Playbook> =
        serde_norway::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/playbooks/ID.yaml")).unwrap())
            .unwrap();
    let main = playbooks.iter().find(|p| p.entity_type == "foreign_owned_company").unwrap();
    let today = kit::today();
    let sched = domain::playbook::schedule(&main.steps, &[], today, today).unwrap();
    assert!(html.contains(&format!("data-total-days=\"{}\"", sched.total_days)));
    assert!(html.contains("data-step=\"kr_outward_report\""), "the outward investment report at home is a step");
    for st in &main.steps {
        for dep in &st.depends_on {
            let (a, b) = (html.find(&format!("data-step=\"{dep}\"")).unwrap(), html.find(&format!("data-step=\"{}\"", st.key)).unwrap());
            assert!(a < b, "{dep} is listed before {}", st.key);
        }
    }
    // The chart starts with a step that waits on nothing.
    let first_step = text_after(&html, "data-step=\"", '"');
    assert!(main.steps.iter().find(|s| s.key == first_step).unwrap().depends_on.is_empty(), "{first_step}");
    assert!(html.contains("2020"), "the Doing Business year is shown");
    assert_eq!(ko.get("/guides/zz").await.status(), 404);
    // English, and a comparison of two markets only.
    let en = app.browser_lang("en").await;
    let (s, html) = en.text("/guides/compare?c=ID&c=VN").await;
    assert_eq!(s, 200);
    assert!(html.contains("data-country=\"ID\"") && html.contains("data-country=\"VN\""));
    assert!(!html.contains("data-country=\"US\""));
    assert!(html.contains("Compare countries"));
    // The OECD risk grade of March 2022 (Indonesia 3, Viet Nam 4); an unclassified country says so.
    let risk =
        |html: &str, cc: &str| text_after(&html[html.find(&format!("data-country=\"{cc}\"")).unwrap()..], "data-risk=\"", '"').to_string();
    assert_eq!((risk(&html, "ID"), risk(&html, "VN")), ("3".to_string(), "4".to_string()));
    let (_, html) = en.text("/guides/compare?c=US").await;
    assert_eq!(risk(&html, "US"), "not classified");
}

/// Case pages are made from details each node keeps in memory, by case version. Changes made on
/// another node — a reply, a link (which both cases show), a summary drafted from the case
/// (written straight to the store, as any writer might) and a new officer of the holding
/// agency — all reach this node's page within its poll, and the company still never sees the
/// internal parts.
#[tokio::test]
async fn case_pages_follow_changes_made_on_another_node() {
    let a = spawn().await;
    let b = spawn_on(&a.db_url, Options::default()).await;
    let company_a = api_for(&a, "company@demo.test", "ko").await;
    let (status, created) = company_a.send(Method::POST, "/api/v1/cases", &report("원격 노드 사건 확인", "customs", "CN")).await;
    assert_eq!(status, 201, "{created}");
    let id = created["case"]["id"].as_i64().unwrap();
    let (_, other) = company_a.send(Method::POST, "/api/v1/cases", &report("원격 노드 관련 사건", "customs", "CN")).await;
    let other_id = other["case"]["id"].as_i64().unwrap();
    let holder = store::agencies::by_code(&a.state.store.db, "KCS").await.unwrap().unwrap().id;

    let admin_b = b.login("admin@demo.test").await;
    let member_b = b.login("company@demo.test").await;
    let page = format!("/cases/{id}");
    let mut seen = false;
    for _ in 0..50 {
        if admin_b.text(&page).await.0 == 200 {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(seen, "node B shows the case reported on node A");
    // Node B now has the case's details in memory and its page kept.
    let (_, before) = admin_b.text(&page).await;
    let officer_name = "원격 신임 담당관";
    for want in ["원격 답변 확인", officer_name, "원격 요약 확인", "원격 노드 관련 사건"] {
        assert!(!before.contains(want), "{want} before the change");
    }

    // The changes, on node A.
    let (s, _) =
        company_a.send(Method::POST, &format!("/api/v1/cases/{id}/messages"), &json!({"kind": "reply", "body": "원격 답변 확인"})).await;
    assert_eq!(s, 201);
    let admin_a = a.login("admin@demo.test").await;
    let r = admin_a.post(&format!("/cases/{other_id}/link"), &[("other", &id.to_string())]).await;
    assert_eq!(r.status(), 303);
    let db = &a.state.store.db;
    store::users::create(
        db,
        store::users::NewUser {
            email: "new-customs-officer@example.kr",
            password_hash: "x",
            display_name: officer_name,
            role: domain::Role::Officer,
            agency_id: Some(holder),
            company_id: None,
            locale: "ko",
            email_confirmed: true,
            confirm_token_hash: None,
        },
    )
    .await
    .unwrap();
    let fields = store::kb::EntryFields {
        category: "customs".into(),
        country: "CN".into(),
        title_ko: "원격 요약 확인".into(),
        title_en: "Remote summary check".into(),
        ..Default::default()
    };
    store::kb::insert(db, Some(id), holder, 1, &fields, false).await.unwrap();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut missing = vec!["원격 답변 확인", officer_name, "원격 요약 확인", "원격 노드 관련 사건"];
    while !missing.is_empty() && std::time::Instant::now() < deadline {
        let (_, html) = admin_b.text(&page).await;
        missing.retain(|want| !html.contains(want));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(missing.is_empty(), "node B's case page still lacks {missing:?}");
    // The company's page on node B shows the reply, not the staff's parts.
    let (status, html) = member_b.text(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("원격 답변 확인"));
    for hidden in [officer_name, "원격 요약 확인", "원격 노드 관련 사건"] {
        assert!(!html.contains(hidden), "the company must not see {hidden}");
    }
}
