//! The program catalog in the browser: public catalog, programs for you with reasons, extra
//! facts, the officer's rule editor with live checks, tests that gate publication, the
//! notifications a publication sends, applications through review to an award, and who may
//! see which page.

use crate::common::*;

async fn program_id(app: &TestApp, key: &str) -> i64 {
    store::programs::program_by_key(&app.state.store.db, key).await.unwrap().unwrap().id
}

#[tokio::test]
async fn catalog_is_public_and_bilingual() {
    let app = spawn().await;
    let anon = app.browser().await;
    let (status, html) = anon.text("/programs").await;
    assert_eq!(status, 200);
    let count: usize = text_after(&html, "id=\"result-count\" role=\"status\">", '개').trim().parse().unwrap();
    assert!(count >= 20, "{count} programs in force");
    assert!(html.contains("지원사업 통합 목록"));
    let (_, filtered) = anon.text("/programs?category=trade_insurance").await;
    let n: usize = text_after(&filtered, "id=\"result-count\" role=\"status\">", '개').trim().parse().unwrap();
    assert!(n >= 1 && n < count, "category filter: {n} of {count}");

    let en = app.browser_lang("en").await;
    let (_, html) = en.text("/programs").await;
    assert!(html.contains("All support programs"), "English catalog");
    let id = program_id(&app, "kotra-branch-office").await;
    let (status, detail) = en.text(&format!("/programs/{id}")).await;
    assert_eq!(status, 200);
    assert!(detail.contains("Overseas Branch Office Service"), "English title");
    assert!(detail.contains("id=\"program-rule\""), "the rule is shown");
    assert!(detail.contains("Sign in to see"), "anonymous readers are asked to sign in for their result");
    assert_eq!(anon.text("/programs/999999").await.0, 404);
    // A link can show one of our error messages, not any message id or text.
    let (_, html) = anon.text(&format!("/programs/{id}?error=err-apply-closed")).await;
    assert!(html.contains("id=\"apply-error\""));
    let (_, html) = anon.text(&format!("/programs/{id}?error=programs-title&arg=%3Cb%3Ephish%3C%2Fb%3E")).await;
    assert!(!html.contains("id=\"apply-error\"") && !html.contains(">phish<"), "unknown error keys are ignored");
}

#[tokio::test]
async fn programs_for_you_explain_each_outcome() {
    let app = spawn().await;
    let b = app.login("company@demo.test").await;
    let (status, html) = b.text("/my/programs").await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"group-eligible\""), "some programs are eligible");
    assert!(html.contains("대상입니다: "), "Korean explanation");
    assert!(html.contains("우리 기업: "), "explanations quote the company's own values");
    // The same company in English.
    // The language switch sets the reader's language for the session.
    assert_eq!(b.get("/lang/en?next=/my/programs").await.status(), 303);
    let (_, html) = b.text("/my/programs").await;
    assert!(html.contains("Eligible: "), "English explanation");
    assert!(html.contains("your company: "));
}

#[tokio::test]
async fn officer_rule_editor_checks_tests_publishes_and_notifies() {
    let app = spawn().await;
    let officer = app.login("kotra@demo.test").await;
    let before = store::programs::count_programs(&app.state.store.db).await.unwrap();

    // Live check: a misspelt fact is refused with its position and the nearest name.
    let r = officer.post("/officer/rules/check", &[("rule", "eligible if sme and regin == \"26\"")]).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"rule-error\""), "{html}");
    assert!(html.contains("1행 21열") && html.contains("region"), "{html}");
    let r = officer.post("/officer/rules/check", &[("rule", "eligible if sme and region == \"26\"")]).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"rule-ok\"") && html.contains("id=\"rule-preview\""), "{html}");

    // A bad form is refused field by field and nothing is saved.
    let bad = [
        ("key", "test-venture-busan"),
        ("family", "Test Family"),
        ("category", "nonsense"),
        ("title_ko", ""),
        ("title_en", "Venture Busan"),
        ("summary_ko", "요약"),
        ("summary_en", "Summary"),
        ("effective_from", "2026-13-01"),
        ("copay_pct", "150"),
        ("rule", ""),
    ];
    let r = officer.post("/officer/programs/new", &bad).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for msg in ["필수 입력 항목입니다.", "분야를 고르세요.", "0부터 100까지 입력하세요.", "영문 소문자, 숫자, 하이픈만"]
    {
        assert!(html.contains(msg), "missing error {msg}");
    }
    assert_eq!(store::programs::count_programs(&app.state.store.db).await.unwrap(), before, "nothing half-saved");

    // A valid program: its rule needs a fact the demo company has not given yet.
    let rule = "eligible if venture_certified and region == \"26\"";
    let good = [
        ("key", "test-venture-busan"),
        ("family", "test-venture"),
        ("category", "overseas_marketing"),
        ("title_ko", "시험용 부산 벤처 지원"),
        ("title_en", "Test Busan venture support"),
        ("summary_ko", "시험용 사업입니다."),
        ("summary_en", "A test program."),
        ("effective_from", "2026-01-01"),
        ("effective_to", "2027-12-31"),
        ("illustrative", "on"),
        ("rule", rule),
    ];
    let r = officer.post("/officer/programs/new", &good).await;
    assert_eq!(r.status(), 303);
    let id = program_id(&app, "test-venture-busan").await;

    // A failing test case blocks publication.
    let case = r#"{"as_of": "2026-11-26", "profile": {"region": "11", "venture_certified": true}}"#;
    let r = officer
        .post(
            &format!("/officer/programs/{id}/tests"),
            &[("name", "Seoul company qualifies (wrong on purpose)"), ("case", case), ("expect", "eligible")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = officer.post(&format!("/officer/programs/{id}/publish"), &[]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Seoul company qualifies"), "the failing test is named");
    let versions = store::programs::versions(&app.state.store.db, id).await.unwrap();
    assert!(versions.iter().all(|v| v.status == "draft"), "not published");
    let test_id = store::programs::tests_of(&app.state.store.db, id).await.unwrap()[0].id;
    officer.post(&format!("/officer/programs/{id}/tests/{test_id}/delete"), &[]).await;
    let ok_case = r#"{"as_of": "2026-11-26", "profile": {"region": "26", "venture_certified": true}}"#;
    officer
        .post(&format!("/officer/programs/{id}/tests"), &[("name", "Busan venture qualifies"), ("case", ok_case), ("expect", "eligible")])
        .await;

    // The member's company is unknown until it says whether it is venture-certified.
    let member = app.login("company@demo.test").await;
    let company = app.company_id_of("company@demo.test").await;
    let r = member.post("/company/facts", &[("venture_certified", "true"), ("rnd_spend_krw", "12억")]).await;
    assert_eq!(r.status(), 422, "a bad number is shown again with its error");
    assert!(r.text().await.unwrap().contains("올바른 값을 입력하세요."));
    assert!(store::programs::facts_of(&app.state.store.db, company).await.unwrap().is_empty(), "nothing saved from a bad form");
    let r = member.post("/company/facts", &[("venture_certified", "true"), ("rnd_spend_krw", "120,000,000")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(store::programs::facts_of(&app.state.store.db, company).await.unwrap().len(), 2);

    // Publishing tells the newly eligible company, in the app and by e-mail through the outbox.
    let jobs_before = store::jobs::count_by_status(&app.state.store.db, "pending").await.unwrap();
    let r = officer.post(&format!("/officer/programs/{id}/publish"), &[]).await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("published=1"), "{location}");
    let gained: usize = text_after(&location, "gained=", '&').parse().unwrap();
    assert!(gained >= 1, "the Busan company that is venture-certified is newly eligible: {location}");
    let (_, notes) = member.text("/notifications").await;
    assert!(notes.contains("시험용 부산 벤처 지원"), "in-app notification");
    assert!(store::jobs::count_by_status(&app.state.store.db, "pending").await.unwrap() > jobs_before, "an e-mail is queued");

    // The program now shows as eligible for the member, with the reason.
    let (_, html) = member.text(&format!("/programs/{id}")).await;
    assert!(html.contains("data-outcome=\"eligible\""), "eligible after publication");
    assert!(html.contains("id=\"apply-button\""));
}

#[tokio::test]
async fn application_is_reviewed_by_the_owning_agency_and_becomes_an_award() {
    let app = spawn().await;
    let member = app.login("company@demo.test").await;
    let company = app.company_id_of("company@demo.test").await;
    // KOTRA's first-export program: find one the demo company may apply for now.
    let cat = app.state.catalog.catalog().await;
    let today = kit::today();
    let mut chosen = None;
    for v in cat.programs.iter().filter(|v| v.agency_code == "KOTRA") {
        let (_, html) = member.text(&format!("/programs/{}", v.program_id)).await;
        if catalog::matching::window_open(v, today) && html.contains("id=\"apply-button\"") {
            chosen = Some(v.clone());
            break;
        }
    }
    let program = chosen.expect("a KOTRA program the demo company may apply for");
    let r = member.post(&format!("/programs/{}/apply", program.program_id), &[("note", "시험 신청")]).await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let app_id: i64 = text_after(&location, "/applications/", '?').parse().unwrap();
    let (_, html) = member.text(&location).await;
    assert!(html.contains("data-status=\"submitted\""));
    assert!(html.contains("id=\"decision\""), "the decision at application time is kept and shown");
    // A second application to the same program is refused while this one is open.
    let r = member.post(&format!("/programs/{}/apply", program.program_id), &[]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("err-apply-open"));

    // Another agency's officer can neither see nor move it.
    let mss = app.login("officer@demo.test").await;
    assert_eq!(mss.text(&format!("/applications/{app_id}")).await.0, 404);
    assert_eq!(mss.post(&format!("/applications/{app_id}/move"), &[("to", "under_review"), ("version", "1")]).await.status(), 404);
    let (_, queue) = mss.text("/officer/applications").await;
    assert!(!queue.contains(&format!("/applications/{app_id}\"")), "not in another agency's queue");

    let kotra = app.login("kotra@demo.test").await;
    let (_, queue) = kotra.text("/officer/applications").await;
    assert!(queue.contains(&format!("/applications/{app_id}\"")), "in the owning agency's queue");
    let r = kotra.post(&format!("/applications/{app_id}/move"), &[("to", "under_review"), ("version", "1")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("moved=1"));
    // A stale form (version 1 again) is refused, not applied.
    let r = kotra.post(&format!("/applications/{app_id}/move"), &[("to", "approved"), ("version", "1")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("err-stale"));
    assert!(store::programs::awards_of(&app.state.store.db, company).await.unwrap().is_empty());
    let r = kotra.post(&format!("/applications/{app_id}/move"), &[("to", "approved"), ("version", "2")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("moved=1"));
    // A company cannot approve its own application.
    let r = member.post(&format!("/applications/{app_id}/move"), &[("to", "completed"), ("version", "3")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("err-bad-move"));

    let awards = store::programs::awards_of(&app.state.store.db, company).await.unwrap();
    assert_eq!(awards.len(), 1, "approval records an award");
    assert_eq!(awards[0].family, program.family);
    let (_, html) = member.text(&format!("/applications/{app_id}")).await;
    assert!(html.contains("data-status=\"approved\""));
    let (_, notes) = member.text("/notifications").await;
    assert!(notes.contains("/applications/"), "the company is told of the agency's moves");
}

#[tokio::test]
async fn program_pages_access_matrix() {
    let app = spawn().await;
    let anon = app.browser().await;
    let company = app.login("company@demo.test").await;
    let officer = app.login("kotra@demo.test").await;
    let admin = app.login("admin@demo.test").await;
    let analyst = app.login("analyst@demo.test").await;
    let kotra_program = program_id(&app, "kotra-branch-office").await;
    let mss_program = program_id(&app, "mss-export-voucher").await;
    let own = format!("/officer/programs/{kotra_program}");
    let other = format!("/officer/programs/{mss_program}");
    // (path, anonymous, company, KOTRA officer, platform admin, analyst)
    let matrix: Vec<(&str, [u16; 5])> = vec![
        ("/programs", [200, 200, 200, 200, 200]),
        ("/my/programs", [303, 200, 403, 403, 403]),
        ("/company/facts", [303, 200, 403, 403, 403]),
        ("/applications", [303, 200, 403, 403, 403]),
        ("/notifications", [303, 200, 200, 200, 200]),
        ("/officer/programs", [303, 403, 200, 200, 403]),
        ("/officer/applications", [303, 403, 200, 200, 403]),
        (own.as_str(), [303, 403, 200, 200, 403]),
        (other.as_str(), [303, 403, 404, 200, 403]),
    ];
    for (path, want) in matrix {
        for (who, b, code) in [
            ("anonymous", &anon, want[0]),
            ("company", &company, want[1]),
            ("officer", &officer, want[2]),
            ("admin", &admin, want[3]),
            ("analyst", &analyst, want[4]),
        ] {
            assert_eq!(b.text(path).await.0, code, "{who} GET {path}");
        }
    }
    // Writes follow the same rules: a company cannot publish, an officer cannot touch another agency's program.
    assert_eq!(company.post(&format!("/officer/programs/{kotra_program}/publish"), &[]).await.status(), 403);
    assert_eq!(officer.post(&format!("/officer/programs/{mss_program}/publish"), &[]).await.status(), 404);
    assert_eq!(analyst.post("/officer/rules/check", &[("rule", "eligible if sme")]).await.status(), 403);
}

#[tokio::test]
async fn bizinfo_notices_import_unaltered_and_unencoded() {
    let app = spawn().await;
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/programs/bizinfo-sample.json")).unwrap();
    let report = globaldesk::catalog::import_bizinfo(&app.state.store, &text).await.unwrap();
    assert_eq!((report.added, report.skipped, report.errors.len()), (8, 0, 0), "{report}");
    // Importing again adds nothing.
    let again = globaldesk::catalog::import_bizinfo(&app.state.store, &text).await.unwrap();
    assert_eq!((again.added, again.skipped), (0, 8));
    let bad = globaldesk::catalog::import_bizinfo(&app.state.store, r#"{"jsonArray": [{"pblancNm": "no id"}]}"#).await.unwrap();
    assert_eq!(bad.errors.len(), 1, "a notice without its id is refused with a reason");
    // A link that is not a web address is not kept (it would run script in our pages).
    let js = r#"{"jsonArray": [{"pblancId": "PBLN_X1", "pblancNm": "링크 시험", "pblancUrl": "javascript:alert(1)"}]}"#;
    globaldesk::catalog::import_bizinfo(&app.state.store, js).await.unwrap();
    let js_id = program_id(&app, "bizinfo-pbln-x1").await;
    assert_eq!(store::programs::versions(&app.state.store.db, js_id).await.unwrap()[0].url, "");

    let source: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = &source["jsonArray"][0];
    let id = program_id(&app, "bizinfo-pbln-000000000099001").await;
    let v = store::programs::versions(&app.state.store.db, id).await.unwrap().remove(0);
    assert_eq!(v.title_ko, first["pblancNm"].as_str().unwrap(), "title kept as published");
    assert_eq!(v.summary_ko, first["bsnsSumryCn"].as_str().unwrap(), "summary kept as published");
    assert_eq!(serde_json::from_str::<serde_json::Value>(v.source_json.as_deref().unwrap()).unwrap(), *first, "the whole notice is kept");
    assert_eq!(v.apply_from.as_deref(), Some("2026-11-02"));
    assert!(v.rule_text.is_none());

    app.state.catalog.reload_catalog().await;
    let member = app.login("company@demo.test").await;
    let (status, html) = member.text(&format!("/programs/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("자격 조건이 아직 규칙으로 작성되지 않았습니다"), "eligibility not yet encoded");
    let (_, mine) = member.text("/my/programs").await;
    assert!(mine.contains("id=\"group-not-encoded\""), "listed apart in programs for you");
}
