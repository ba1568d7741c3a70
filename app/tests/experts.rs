//! Local experts over HTTP: the directory, verification, bookings on a plan step, ratings, and who sees what.

use crate::common::*;
use sea_orm::{ConnectionTrait, FromQueryResult, Statement, Value};

#[derive(FromQueryResult)]
struct N {
    n: i64,
}

/// One integer from the database (a count or an id).
async fn scalar(app: &TestApp, sql: &str, values: Vec<Value>) -> i64 {
    let db = &app.state.store.db;
    let row = N::find_by_statement(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).one(db).await.unwrap();
    row.map(|r| r.n).unwrap_or(0)
}

async fn exec(app: &TestApp, sql: &str, values: Vec<Value>) {
    let db = &app.state.store.db;
    db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await.unwrap();
}

/// An open plan for `company_id` in Indonesia with the given steps; the last step of `removed`
/// is marked as having left the playbook. The playbook row is looked up first, since the
/// navigator's own seed may already have created it.
async fn plan_for(app: &TestApp, company_id: i64, steps: &[&str], removed: &[&str]) -> i64 {
    let now = store::now_iso();
    let mut playbook =
        scalar(app, "SELECT id AS n FROM playbooks WHERE country = 'ID' AND entity_type = 'foreign_owned_company'", vec![]).await;
    if playbook == 0 {
        let mss = store::agencies::by_code(&app.state.store.db, "MSS").await.unwrap().unwrap();
        exec(
            app,
            "INSERT INTO playbooks (country, entity_type, agency_id, created_at) VALUES ('ID', 'foreign_owned_company', $1, $2)",
            vec![mss.id.into(), now.clone().into()],
        )
        .await;
        playbook =
            scalar(app, "SELECT id AS n FROM playbooks WHERE country = 'ID' AND entity_type = 'foreign_owned_company'", vec![]).await;
    }
    exec(
        app,
        "INSERT INTO plans (company_id, playbook_id, version, country, entity_type, start_on, status, created_at, updated_at) \
         VALUES ($1, $2, 1, 'ID', 'foreign_owned_company', '2026-01-05', 'open', $3, $3)",
        vec![company_id.into(), playbook.into(), now.clone().into()],
    )
    .await;
    let plan = scalar(app, "SELECT MAX(id) AS n FROM plans WHERE company_id = $1", vec![company_id.into()]).await;
    for s in steps.iter().chain(removed) {
        exec(
            app,
            "INSERT INTO plan_steps (plan_id, step_key, removed, updated_at) VALUES ($1, $2, $3, $4)",
            vec![plan.into(), (*s).into(), removed.contains(s).into(), now.clone().into()],
        )
        .await;
    }
    plan
}

/// A user with a role, signed in with the shared demo password.
async fn add_user(app: &TestApp, email: &str, role: domain::Role, company_id: Option<i64>, locale: &str) -> i64 {
    let hash = kit::auth::hash_password(PASSWORD);
    store::users::create(
        &app.state.store.db,
        store::users::NewUser {
            email,
            password_hash: &hash,
            display_name: "Test user",
            role,
            agency_id: None,
            company_id,
            locale,
            email_confirmed: true,
            confirm_token_hash: None,
        },
    )
    .await
    .unwrap()
}

async fn expert_named(app: &TestApp, name_en: &str) -> store::experts::Expert {
    let all = store::experts::list(&app.state.store.db, &Default::default()).await.unwrap();
    all.into_iter().find(|x| x.name_en.starts_with(name_en)).unwrap_or_else(|| panic!("{name_en} is seeded"))
}

async fn consultation(app: &TestApp, id: i64) -> store::experts::ConsultationRow {
    store::experts::consultation(&app.state.store.db, id).await.unwrap().unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn the_directory_and_the_api_list_verified_experts_only() {
    let app = spawn().await;
    // The shared test seed may already hold them; either way there are twenty, once.
    globaldesk::expert_demo::seed_experts(&app.state.store).await.unwrap();
    assert_eq!(store::experts::count(&app.state.store.db).await.unwrap(), 20);
    assert_eq!(globaldesk::expert_demo::seed_experts(&app.state.store).await.unwrap(), 0, "seeding again adds nothing");
    let verified = scalar(&app, "SELECT COUNT(*) AS n FROM experts WHERE status = 'verified'", vec![]).await;
    assert!((10..20).contains(&verified), "a mix of states: {verified} verified");

    // Anyone may look, signed in or not.
    let anon = app.browser().await;
    let (s, html) = anon.text("/experts").await;
    assert_eq!(s, 200);
    assert_eq!(html.matches("class=\"gd-card expert-card\"").count() as i64, verified);
    assert_eq!(html.matches("data-status=\"verified\"").count() as i64, verified, "only verified cards");
    assert!(!html.contains("Shenzhen Example IP Law") && !html.contains("선전 지식재산"), "a suspended expert is hidden");
    assert!(!html.contains("Hanoi Example") && !html.contains("하노이 세무회계"), "a submitted expert is hidden");
    assert_eq!(html.matches("data-illustrative=\"1\"").count() as i64, verified, "every invented firm says so");
    assert!(html.contains("검증 기관: 대한무역투자진흥공사"), "the verifying agency is named");
    assert!(html.contains("평가 없음 (완료 0건)"), "the record shows the number of engagements");

    // Filters: Indonesia and Korean-speaking leaves the Jakarta firm only.
    let (_, html) = anon.text("/experts?country=ID&korean=true").await;
    assert_eq!(html.matches("class=\"gd-card expert-card\"").count(), 1);
    assert!(html.contains("누산타라 법률사무소"));
    let (_, html) = anon.text("/experts?kind=notary").await;
    assert!(html.contains("도쿄 공증사무소") && !html.contains("누산타라"));

    // The API: public, same rule, each with its record.
    let api = app.api("", "en");
    let (s, body) = api.get("/api/v1/experts").await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["total"].as_i64().unwrap(), verified);
    for x in body["items"].as_array().unwrap() {
        assert_eq!(x["status"], "verified");
        assert_eq!(x["illustrative"], true);
        assert_eq!(x["completed"], 0);
        assert!(x["rating_avg"].is_null() && x["rating_count"] == 0);
        assert!(x["verified_by"]["name_en"].is_string(), "{x}");
    }
    let (_, body) = api.get("/api/v1/experts?country=VN").await;
    let names: Vec<&str> = body["items"].as_array().unwrap().iter().map(|x| x["name_en"].as_str().unwrap()).collect();
    assert_eq!(names, ["Saigon Example Market Entry (Illustrative)"], "the submitted Hanoi firm is not listed");
    let (_, body) = api.get("/api/v1/experts?country=ID&korean=true&specialty=licensing").await;
    assert_eq!(body["total"], 1);
    assert_eq!(body["items"][0]["korean_speaking"], true);
    let suspended = expert_named(&app, "Shenzhen").await;
    let (s, body) = api.get(&format!("/api/v1/experts/{}", suspended.id)).await;
    assert_eq!(s, 404, "{body}");
    let jakarta = expert_named(&app, "Nusantara").await;
    let (s, body) = api.get(&format!("/api/v1/experts/{}", jakarta.id)).await;
    assert_eq!(s, 200);
    assert_eq!(body["specialties"], serde_json::json!(["establishment", "licensing", "labour"]));
    let doc: serde_json::Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(doc["paths"]["/api/v1/experts"]["get"]["operationId"], "list_experts");
    assert_eq!(doc["paths"]["/api/v1/experts/{id}"]["get"]["operationId"], "get_expert");
}

#[tokio::test]
async fn booking_answers_and_ratings_follow_the_access_rules() {
    let app = spawn().await;
    globaldesk::expert_demo::seed_experts(&app.state.store).await.unwrap();
    let db = &app.state.store.db;
    let company_id = app.company_id_of("company@demo.test").await;
    let plan = plan_for(&app, company_id, &["register_company", "tax_registration"], &["old_permit"]).await;
    let other_company = scalar(&app, "SELECT MIN(id) AS n FROM companies WHERE id <> $1", vec![company_id.into()]).await;
    let other_plan = plan_for(&app, other_company, &["register_company"], &[]).await;
    add_user(&app, "other-company@example.test", domain::Role::CompanyMember, Some(other_company), "ko").await;

    let jakarta = expert_named(&app, "Nusantara").await;
    let expert_user = store::users::by_email(db, "expert@demo.test").await.unwrap().unwrap();
    assert_eq!(jakarta.user_id, Some(expert_user.id), "the demo expert account runs the Jakarta listing");
    // A second expert account, for another listing.
    let surabaya = expert_named(&app, "Java Example").await;
    let second = add_user(&app, "second-expert@example.test", domain::Role::Expert, None, "ko").await;
    store::experts::link_user(db, surabaya.id, second).await.unwrap();

    let company = app.login("company@demo.test").await;
    let page = format!("/experts/{}", jakarta.id);
    let (s, html) = company.text(&format!("{page}?plan={plan}&step=tax_registration")).await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"book-form\""));
    assert!(html.contains(&format!("value=\"{plan}:tax_registration\" selected")), "the step the company came from is chosen");
    assert!(!html.contains("old_permit"), "a removed step is not offered");
    assert!(!html.contains(&format!("value=\"{other_plan}:")), "another company's plan is not offered");

    // Refusals: another company's plan, a removed step, an empty message; nothing is saved.
    let book = format!("{page}/book");
    let r =
        company.post(&book, &[("plan_step", &format!("{other_plan}:register_company")), ("message", "설립 절차 상담 부탁드립니다")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("우리 회사의 설립 계획에서 단계를 선택해 주세요"), "the error is next to the field");
    assert!(html.contains("설립 절차 상담 부탁드립니다"), "what was typed is kept");
    let r = company.post(&book, &[("plan_step", &format!("{plan}:old_permit")), ("message", "")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("&#39;old_permit&#39; 단계가 없거나 삭제되었습니다"), "the step is named (escaped quotes)");
    assert!(html.contains("id=\"message-err\""), "the empty message is reported too");
    assert_eq!(scalar(&app, "SELECT COUNT(*) AS n FROM consultations", vec![]).await, 0);

    // The booking: the expert hears of it in the app and by e-mail.
    let mails_before = scalar(&app, "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'email'", vec![]).await;
    let r = company
        .post(
            &book,
            &[
                ("plan_step", &format!("{plan}:tax_registration")),
                ("message", "세무 등록 절차를 도와주세요"),
                ("preferred_date", "2099-03-02"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/my/consultations?booked=1");
    let id = scalar(&app, "SELECT MAX(id) AS n FROM consultations", vec![]).await;
    let k = consultation(&app, id).await;
    assert_eq!((k.status.as_str(), k.plan_id, k.step_key.as_str(), k.company_id), ("requested", plan, "tax_registration", company_id));
    assert_eq!(k.preferred_date.as_deref(), Some("2099-03-02"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND kind = 'consultation_requested'",
            vec![expert_user.id.into()]
        )
        .await,
        1
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'email'", vec![]).await, mails_before + 1);
    assert_eq!(scalar(&app, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'consultation.request'", vec![]).await, 1);
    let (_, html) = company.text("/my/consultations").await;
    assert!(html.contains(&format!("data-consultation=\"{id}\"")) && html.contains("tax_registration"));
    // The plan page's view of it.
    let on_plan = store::experts::for_plan(db, plan).await.unwrap();
    assert_eq!(on_plan.len(), 1);
    assert_eq!(on_plan[0].expert_status, "verified");
    assert!(on_plan[0].expert_name_ko.contains("누산타라"));

    // Another company sees none of it and cannot touch it.
    let stranger = app.login("other-company@example.test").await;
    let (_, html) = stranger.text("/my/consultations").await;
    assert!(!html.contains(&format!("data-consultation=\"{id}\"")));
    let r = stranger.post(&format!("/my/consultations/{id}/cancel"), &[("version", &k.row_version.to_string())]).await;
    assert_eq!(r.status(), 404);

    // Only the addressed expert sees and answers it.
    let second_expert = app.login("second-expert@example.test").await;
    let (s, html) = second_expert.text("/expert").await;
    assert_eq!(s, 200);
    assert!(!html.contains("세무 등록 절차를 도와주세요"));
    let r = second_expert.post(&format!("/expert/consultations/{id}"), &[("version", "1"), ("to", "accepted")]).await;
    assert_eq!(r.status(), 404);
    assert_eq!(consultation(&app, id).await.status, "requested");

    // Rating before it is done is refused.
    let r = company.post(&format!("/my/consultations/{id}/rate"), &[("version", "1"), ("rating", "5")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/my/consultations?error=expert-error-not-done");
    let (_, html) = company.text(&location(&r)).await;
    assert!(html.contains("완료된 상담만 평가할 수 있습니다"));
    assert_eq!(consultation(&app, id).await.rating, None);

    let expert = app.login("expert@demo.test").await;
    let (_, html) = expert.text("/expert").await;
    assert!(html.contains("세무 등록 절차를 도와주세요"));
    // Declining needs a reason; the company cannot accept on the expert's behalf.
    let r = expert.post(&format!("/expert/consultations/{id}"), &[("version", "1"), ("to", "declined")]).await;
    assert_eq!(location(&r), "/expert?error=expert-err-decline-note");
    // A stale version is refused.
    let r = expert.post(&format!("/expert/consultations/{id}"), &[("version", "7"), ("to", "accepted")]).await;
    assert_eq!(location(&r), "/expert?error=error-conflict");
    assert_eq!(consultation(&app, id).await.status, "requested");
    // The company calls it off (the cancel route only cancels, whatever else is posted);
    // afterwards the expert can no longer accept it.
    let r = company.post(&format!("/my/consultations/{id}/cancel"), &[("version", "1"), ("to", "accepted")]).await;
    assert_eq!(location(&r), "/my/consultations?saved=1");
    assert_eq!(consultation(&app, id).await.status, "cancelled");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND kind = 'consultation_cancelled'",
            vec![expert_user.id.into()]
        )
        .await,
        1
    );
    let r = expert.post(&format!("/expert/consultations/{id}"), &[("version", "2"), ("to", "accepted")]).await;
    assert_eq!(location(&r), "/expert?error=expert-error-bad-move");

    // A second booking, taken to the end.
    let r = company.post(&book, &[("plan_step", &format!("{plan}:register_company")), ("message", "법인 설립 서류 검토")]).await;
    assert_eq!(r.status(), 303);
    let id = scalar(&app, "SELECT MAX(id) AS n FROM consultations", vec![]).await;
    let r = expert
        .post(&format!("/expert/consultations/{id}"), &[("version", "1"), ("to", "accepted"), ("note", "다음 주 화상회의 가능")])
        .await;
    assert_eq!(location(&r), "/expert?saved=1");
    let company_user = store::users::by_email(db, "company@demo.test").await.unwrap().unwrap();
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND kind = 'consultation_accepted'",
            vec![company_user.id.into()]
        )
        .await,
        1
    );
    let (_, html) = company.text("/notifications").await;
    assert!(html.contains("상담 요청을 수락했습니다"), "the notification reads in Korean");
    let r = expert.post(&format!("/expert/consultations/{id}"), &[("version", "2"), ("to", "done")]).await;
    assert_eq!(location(&r), "/expert?saved=1");
    assert_eq!(consultation(&app, id).await.status, "done");

    // A rating of 6 is explained in the reader's language, with the review kept.
    let r = company.post(&format!("/my/consultations/{id}/rate"), &[("version", "3"), ("rating", "6"), ("review", "친절했습니다")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("평점은 1부터 5까지의 정수로 입력해 주세요"), "Korean error");
    assert!(html.contains("value=\"친절했습니다\""), "the review typed is kept");
    // A colleague who reads English (the account's language decides the pages').
    add_user(&app, "colleague@example.test", domain::Role::CompanyMember, Some(company_id), "en").await;
    let company_en = app.login("colleague@example.test").await;
    let r = company_en.post(&format!("/my/consultations/{id}/rate"), &[("version", "3"), ("rating", "6")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Give a rating as a whole number from 1 to 5."), "English error");
    assert_eq!(consultation(&app, id).await.rating, None);

    let r = company.post(&format!("/my/consultations/{id}/rate"), &[("version", "3"), ("rating", "4"), ("review", "친절했습니다")]).await;
    assert_eq!(location(&r), "/my/consultations?saved=1");
    let k = consultation(&app, id).await;
    assert_eq!((k.rating, k.review.as_str()), (Some(4), "친절했습니다"));
    // Only once.
    let r = company.post(&format!("/my/consultations/{id}/rate"), &[("version", "4"), ("rating", "1")]).await;
    assert_eq!(location(&r), "/my/consultations?error=expert-error-already-rated");
    assert_eq!(consultation(&app, id).await.rating, Some(4));

    // The record shows in the directory and the API: one completed, rated 4.
    let (_, html) = company.text("/experts?country=ID&korean=true").await;
    assert!(html.contains("★ 4.0 (완료 1건, 평가 1건)"), "rating with the number of engagements");
    let (_, body) = app.api("", "ko").get(&format!("/api/v1/experts/{}", jakarta.id)).await;
    assert_eq!((body["completed"].as_i64(), body["rating_avg"].as_f64(), body["rating_count"].as_i64()), (Some(1), Some(4.0), Some(1)));

    // An analyst books nothing and reviews nothing.
    let analyst = app.login("analyst@demo.test").await;
    let r = analyst.post(&book, &[("plan_step", &format!("{plan}:register_company")), ("message", "x")]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(analyst.get("/officer/experts").await.status(), 403);
    assert_eq!(analyst.get("/my/consultations").await.status(), 403);
}

#[tokio::test]
async fn officers_verify_suspend_and_endorse_and_a_suspended_expert_cannot_be_booked() {
    let app = spawn().await;
    globaldesk::expert_demo::seed_experts(&app.state.store).await.unwrap();
    let db = &app.state.store.db;
    let company_id = app.company_id_of("company@demo.test").await;
    let plan = plan_for(&app, company_id, &["register_company"], &[]).await;
    let kotra = store::agencies::by_code(db, "KOTRA").await.unwrap().unwrap();
    let mss = store::agencies::by_code(db, "MSS").await.unwrap().unwrap();

    let officer = app.login("kotra@demo.test").await;
    let (s, html) = officer.text("/officer/experts").await;
    assert_eq!(s, 200);
    let hanoi = expert_named(&app, "Hanoi Example").await;
    assert_eq!(hanoi.status, "submitted");
    let queue = text_after(&html, "id=\"review-queue\"", '§');
    let queue = &queue[..queue.find("id=\"review-all\"").unwrap()];
    assert!(queue.contains(&format!("data-expert=\"{}\"", hanoi.id)), "submitted listings wait in the queue");

    // Verify: the officer's agency is recorded, and the listing joins the directory.
    let r = officer
        .post(&format!("/officer/experts/{}/review", hanoi.id), &[("version", &hanoi.row_version.to_string()), ("action", "verify")])
        .await;
    assert_eq!(location(&r), "/officer/experts?saved=1");
    let x = store::experts::get(db, hanoi.id).await.unwrap().unwrap();
    assert_eq!((x.status.as_str(), x.verified_by_agency), ("verified", Some(kotra.id)));
    assert!(app.browser().await.text("/experts?country=VN").await.1.contains("하노이 세무회계"));
    // Verifying twice is not a move.
    let r = officer
        .post(&format!("/officer/experts/{}/review", hanoi.id), &[("version", &x.row_version.to_string()), ("action", "verify")])
        .await;
    assert_eq!(location(&r), "/officer/experts?error=expert-error-bad-move");

    // Suspend needs a reason; then the listing leaves the directory and cannot be booked.
    let saigon = expert_named(&app, "Saigon").await;
    let path = format!("/officer/experts/{}/review", saigon.id);
    let r = officer.post(&path, &[("version", &saigon.row_version.to_string()), ("action", "suspend")]).await;
    assert_eq!(location(&r), "/officer/experts?error=expert-err-suspend-reason");
    let r = officer.post(&path, &[("version", &saigon.row_version.to_string()), ("action", "suspend"), ("reason", "면허 확인 필요")]).await;
    assert_eq!(location(&r), "/officer/experts?saved=1");
    let x = store::experts::get(db, saigon.id).await.unwrap().unwrap();
    assert_eq!((x.status.as_str(), x.status_note.as_str()), ("suspended", "면허 확인 필요"));
    let company = app.login("company@demo.test").await;
    let (_, html) = company.text("/experts?country=VN").await;
    assert!(!html.contains("사이공 진출컨설팅"));
    assert_eq!(company.get(&format!("/experts/{}", saigon.id)).await.status(), 404);
    let r = company
        .post(&format!("/experts/{}/book", saigon.id), &[("plan_step", &format!("{plan}:register_company")), ("message", "상담")])
        .await;
    assert_eq!(location(&r), "/experts?error=unavailable");
    let (_, html) = company.text(&location(&r)).await;
    assert!(html.contains("게시 중지되어 상담을 요청할 수 없습니다"));
    assert_eq!(scalar(&app, "SELECT COUNT(*) AS n FROM consultations", vec![]).await, 0);
    // Reinstated by verifying again.
    let r = officer.post(&path, &[("version", &x.row_version.to_string()), ("action", "verify")]).await;
    assert_eq!(location(&r), "/officer/experts?saved=1");
    assert_eq!(store::experts::get(db, saigon.id).await.unwrap().unwrap().status, "verified");

    // Endorsement by another agency's officer records that agency.
    let mss_officer = app.login("officer@demo.test").await;
    let x = store::experts::get(db, saigon.id).await.unwrap().unwrap();
    let r = mss_officer.post(&path, &[("version", &x.row_version.to_string()), ("action", "endorse")]).await;
    assert_eq!(location(&r), "/officer/experts?saved=1");
    assert_eq!(store::experts::get(db, saigon.id).await.unwrap().unwrap().endorsed_by_agency, Some(mss.id));
    assert!(company.text("/experts?country=VN").await.1.contains("추천 기관: 중소벤처기업부"));
    assert_eq!(scalar(&app, "SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'expert.%'", vec![]).await, 4);

    // Companies and analysts do not review.
    assert_eq!(company.get("/officer/experts").await.status(), 403);
    let r = company.post(&path, &[("version", "1"), ("action", "suspend"), ("reason", "x")]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(app.login("analyst@demo.test").await.get("/officer/experts").await.status(), 403);
}

#[tokio::test]
async fn an_expert_edits_its_listing_and_newcomers_apply() {
    let app = spawn().await;
    globaldesk::expert_demo::seed_experts(&app.state.store).await.unwrap();
    let db = &app.state.store.db;
    let jakarta = expert_named(&app, "Nusantara").await;
    assert_eq!(jakarta.status, "verified");
    let expert = app.login("expert@demo.test").await;
    let (s, html) = expert.text("/expert/profile").await;
    assert_eq!(s, 200);
    assert!(html.contains("value=\"id en ko\""), "the current languages are shown");

    let version = jakarta.row_version.to_string();
    let good = |coi: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("version", version.clone()),
            ("kind", "law_firm".into()),
            ("name_ko", "예시 누산타라 법률사무소".into()),
            ("name_en", "Nusantara Example Law Office (Illustrative)".into()),
            ("country", "ID".into()),
            ("city", "Jakarta".into()),
            ("specialties", "establishment".into()),
            ("specialties", "tax".into()),
            ("languages", "id, en, ko".into()),
            ("fee_min_usd", "100".into()),
            ("fee_max_usd", "200".into()),
            ("contact_email", "desk@nusantara.example.test".into()),
            ("coi_declaration", coi.into()),
        ]
    };
    // Bad input: every error next to its field, what was typed kept, nothing saved.
    let mut bad = good("");
    bad.retain(|(k, _)| *k != "specialties");
    for (k, v) in bad.iter_mut() {
        match *k {
            "languages" => *v = "id, xx".into(),
            "fee_min_usd" => *v = "300".into(),
            _ => {}
        }
    }
    let fields: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = expert.post("/expert/profile", &fields).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("&#39;xx&#39;은(는) ISO 639-1 언어 코드가 아닙니다"));
    assert!(html.contains("최대 보수는 최소 보수보다 작을 수 없습니다"));
    assert!(html.contains("전문 분야를 하나 이상 선택해 주세요"));
    assert!(html.contains("value=\"id, xx\"") && html.contains("value=\"300\""), "typed values are kept");
    assert_eq!(store::experts::get(db, jakarta.id).await.unwrap().unwrap().row_version, jakarta.row_version);

    // A good edit of a verified listing sends it back for review, with the declaration dated.
    let fields = good("예시: 현지 상공회의소 자문위원");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = expert.post("/expert/profile", &fields).await;
    assert_eq!(location(&r), "/expert/profile?saved=1");
    let x = store::experts::get(db, jakarta.id).await.unwrap().unwrap();
    assert_eq!((x.status.as_str(), x.specialties.as_str(), x.languages.as_str()), ("submitted", "establishment tax", "id en ko"));
    assert_eq!(x.coi_declaration, "예시: 현지 상공회의소 자문위원");
    assert!(x.coi_declared_at.is_some());
    assert!(!app.browser().await.text("/experts?country=ID").await.1.contains("누산타라"), "off the directory until reviewed");
    // The public API no longer shows it either, and only experts have a listing to edit.
    assert_eq!(app.api("", "ko").get(&format!("/api/v1/experts/{}", jakarta.id)).await.0, 404);
    assert_eq!(app.login("company@demo.test").await.get("/expert/profile").await.status(), 403);

    // Applying: bad input comes back explained; good input makes an account and a submitted listing.
    let anon = app.browser().await;
    let r = anon
        .post("/experts/apply", &[("display_name", "Test"), ("email", "not-an-email"), ("password", "short"), ("kind", "law_firm")])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"email-err\"") && html.contains("id=\"password-err\"") && html.contains("id=\"name_ko-err\""));
    assert!(html.contains("value=\"not-an-email\""));
    let r = anon
        .post(
            "/experts/apply",
            &[
                ("display_name", "Budi Example"),
                ("email", "budi@applicant.example.test"),
                ("password", PASSWORD),
                ("kind", "notary"),
                ("name_ko", "예시 반둥 공증"),
                ("name_en", "Bandung Example Notary"),
                ("country", "ID"),
                ("specialties", "establishment"),
                ("languages", "id en"),
                ("contact_email", "office@applicant.example.test"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("id=\"expert-applied\""));
    let user = store::users::by_email(db, "budi@applicant.example.test").await.unwrap().unwrap();
    assert_eq!(user.role, "expert");
    let x = store::experts::by_user(db, user.id).await.unwrap().unwrap();
    assert_eq!((x.status.as_str(), x.kind.as_str(), x.illustrative), ("submitted", "notary", false));
    let applicant = app.login("budi@applicant.example.test").await;
    let (s, html) = applicant.text("/expert").await;
    assert_eq!(s, 200);
    assert!(html.contains("data-status=\"submitted\""));
}
