//! Program catalog, eligibility and applications over the JSON API (written by the API work).
//!
//! The demo catalog's windows and effective dates are real dates, so the tests judge "in force"
//! and "open" with the same functions as the server (`catalog::matching`) instead of hard-coding
//! which programs are open on the day they run.

use crate::common::*;
use reqwest::Method;
use serde_json::{Value, json};
use store::programs::ProgramFields;

/// The demo officer of each agency.
fn officer_of(agency: &str) -> &'static str {
    match agency {
        "MSS" => "officer@demo.test",
        "KOTRA" => "kotra@demo.test",
        "KOSME" => "kosme@demo.test",
        "KSURE" => "ksure@demo.test",
        "BUSAN" => "busan@demo.test",
        "KCS" => "customs@demo.test",
        other => panic!("no demo officer for {other}"),
    }
}

/// An officer of some other agency than `agency`.
fn outsider_of(agency: &str) -> &'static str {
    if agency == "KOSME" { "ksure@demo.test" } else { "kosme@demo.test" }
}

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap_or_else(|| panic!("no items in {v}"))
}

fn ids(v: &Value) -> Vec<i64> {
    items(v).iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

/// Publishes a program with no rule yet (as a Bizinfo import would), in force from 2020.
async fn publish_unencoded(app: &TestApp, key: &str) -> i64 {
    let db = &app.state.store.db;
    let agency = store::agencies::by_code(db, "KOTRA").await.unwrap().unwrap();
    let id = store::programs::create_program(db, key, agency.id, "test-unencoded", "training", "officer").await.unwrap();
    let p = store::programs::program(db, id).await.unwrap().unwrap();
    let fields = ProgramFields {
        title_ko: "규칙 미작성 시험 사업".into(),
        title_en: "Test program without a rule".into(),
        summary_ko: "자격 요건이 아직 규칙으로 작성되지 않았습니다.".into(),
        summary_en: "Eligibility is not yet written as a rule.".into(),
        effective_from: "2020-01-01".into(),
        url: "https://example.kr/".into(),
        illustrative: true,
        ..Default::default()
    };
    store::programs::insert_version(db, &p, "published", &fields, None).await.unwrap();
    // The node's background poll may be loading the catalog at this very moment; wait until
    // the catalog in force has the new program.
    for _ in 0..100 {
        app.state.catalog.reload_catalog().await;
        if app.state.catalog.catalog().await.by_program_id.contains_key(&id) {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the catalog never picked up program {id}");
}

#[tokio::test]
async fn programs_are_listed_with_filters_in_both_languages() {
    let app = spawn().await;
    let db = &app.state.store.db;
    assert!(store::programs::count_programs(db).await.unwrap() >= 30, "the demo catalog holds 30 programs");
    let unencoded = publish_unencoded(&app, "test-unencoded").await;
    let api = app.api(&app.token_for("company@demo.test").await, "en");

    let (status, all) = api.get("/api/v1/programs").await;
    assert_eq!(status, 200, "{all}");
    // Exactly the published versions in force today.
    let today = kit::today();
    let published = store::programs::published(db).await.unwrap();
    assert_eq!(published.len(), 31);
    let in_force: Vec<i64> = published.iter().filter(|p| catalog::matching::in_force(p, today)).map(|p| p.program_id).collect();
    assert!(in_force.len() >= 20, "most of the demo catalog is in force in 2026–2027");
    assert_eq!(ids(&all), in_force);
    assert_eq!(all["total"], in_force.len());
    assert_eq!(all["as_of"], today.to_string());

    // One program in detail: every field there, in the caller's language.
    let voucher = items(&all).iter().find(|p| p["key"] == "mss-export-voucher").expect("MSS export voucher in force").clone();
    assert_eq!(voucher["agency"]["code"], "MSS");
    assert_eq!(voucher["category"], "export_voucher");
    assert_eq!(voucher["family"], "export-voucher");
    assert_eq!(voucher["status"], "published");
    assert_eq!(voucher["version"], 1);
    assert_eq!(voucher["encoded"], true);
    assert_eq!(voucher["illustrative"], true);
    assert_eq!(voucher["title"], voucher["title_en"]);
    assert_eq!(voucher["summary"], voucher["summary_en"]);
    assert_eq!(voucher["documents"], voucher["documents_en"]);
    assert!(!voucher["documents"].as_array().unwrap().is_empty());
    assert_eq!(voucher["window"]["from"], "2026-11-02");
    assert_eq!(voucher["window"]["to"], "2026-12-18");
    assert_eq!(voucher["effective"]["from"], "2026-01-01");
    assert_eq!(voucher["effective"]["in_force"], true);
    assert_eq!(voucher["content_hash"].as_str().unwrap().len(), 64);
    assert!(voucher["rule"].as_str().unwrap().starts_with("eligible if\n"), "{}", voucher["rule"]);
    assert!(voucher["rule"].as_str().unwrap().contains("received_within(\"export-voucher\", 3)"));
    assert!(voucher["rule_json"]["when"].is_object());
    assert!(voucher["benefit"]["krw"].as_i64().unwrap() > 0);
    assert!(voucher["url"].as_str().unwrap().starts_with("https://"));
    let korean = app.api(&api.token, "ko");
    let (_, all_ko) = korean.get("/api/v1/programs").await;
    let voucher_ko = items(&all_ko).iter().find(|p| p["key"] == "mss-export-voucher").unwrap();
    assert_eq!(voucher_ko["title"], voucher["title_ko"]);
    assert_ne!(voucher_ko["title"], voucher["title"]);
    assert_eq!(voucher_ko["agency"]["name"], voucher["agency"]["name_ko"]);
    assert_ne!(voucher_ko["agency"]["name"], voucher["agency"]["name"]);

    // Filters agree with filtering the full list by hand.
    let expect =
        |pred: &dyn Fn(&Value) -> bool| items(&all).iter().filter(|p| pred(p)).map(|p| p["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let (_, r) = api.get("/api/v1/programs?category=exhibitions").await;
    assert!(!ids(&r).is_empty());
    assert_eq!(ids(&r), expect(&|p| p["category"] == "exhibitions"));
    let (_, r) = api.get("/api/v1/programs?agency=kotra").await;
    assert!(ids(&r).len() >= 3);
    assert_eq!(ids(&r), expect(&|p| p["agency"]["code"] == "KOTRA"));
    let (_, r) = api.get("/api/v1/programs?agency=KSURE&category=trade_insurance").await;
    assert_eq!(ids(&r), expect(&|p| p["agency"]["code"] == "KSURE" && p["category"] == "trade_insurance"));
    assert!(!ids(&r).is_empty());
    let (_, r) = api.get("/api/v1/programs?q=voucher").await;
    assert!(ids(&r).contains(&voucher["id"].as_i64().unwrap()));
    assert_eq!(ids(&r), expect(&|p| p["title_en"].as_str().unwrap().to_lowercase().contains("voucher")));
    let (_, r) = korean.get(&format!("/api/v1/programs?q={}", "수출바우처")).await;
    assert_eq!(ids(&r), expect(&|p| p["title_ko"].as_str().unwrap().contains("수출바우처")));
    assert!(!ids(&r).is_empty());
    let (_, open) = api.get("/api/v1/programs?open=true").await;
    let (_, closed) = api.get("/api/v1/programs?open=false").await;
    assert_eq!(ids(&open), expect(&|p| p["window"]["open"] == true));
    assert_eq!(ids(&closed), expect(&|p| p["window"]["open"] == false));
    assert!(!ids(&open).is_empty() && !ids(&closed).is_empty(), "some windows are open today, some are not");
    let (_, r) = api.get("/api/v1/programs?encoded=false").await;
    assert_eq!(ids(&r), [unencoded]);
    assert_eq!(items(&r)[0]["encoded"], false);
    assert_eq!(items(&r)[0]["rule"], Value::Null);
    let (_, r) = api.get("/api/v1/programs?encoded=true").await;
    assert_eq!(r["total"], in_force.len() - 1);
    let (_, r) = api.get("/api/v1/programs?q=no-such-title-anywhere").await;
    assert_eq!(r["total"], 0);

    // Bad filters are problem documents.
    let (status, problem) = api.get("/api/v1/programs?category=parties").await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "category");
    let (status, problem) = api.get("/api/v1/programs?open=maybe").await;
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "/api/problems/bad-request");
}

#[tokio::test]
async fn one_program_shows_its_versions_only_to_its_agency() {
    let app = spawn().await;
    let db = &app.state.store.db;
    let p = store::programs::program_by_key(db, "kotra-branch-office").await.unwrap().unwrap();
    let published = store::programs::versions(db, p.id).await.unwrap().remove(0);
    // KOTRA starts a second version (a draft).
    let kotra_user = store::users::by_email(db, "kotra@demo.test").await.unwrap().unwrap();
    let mut fields = ProgramFields {
        title_ko: "지사화사업 (개정안)".into(),
        title_en: "Overseas Branch Office Service (revision)".into(),
        summary_ko: published.summary_ko.clone(),
        summary_en: published.summary_en.clone(),
        effective_from: published.effective_from.clone(),
        url: published.url.clone(),
        rule_text: published.rule_text.clone(),
        rule_json: published.rule_json.clone(),
        ..Default::default()
    };
    fields.illustrative = true;
    store::programs::insert_version(db, &p, "draft", &fields, Some(kotra_user.id)).await.unwrap();

    let path = format!("/api/v1/programs/{}", p.id);
    for (who, versions) in [
        ("kotra@demo.test", 2),
        ("admin@demo.test", 2),
        ("company@demo.test", 1),
        ("kosme@demo.test", 1),
        ("agency-admin@demo.test", 1),
        ("analyst@demo.test", 1),
    ] {
        let api = app.api(&app.token_for(who).await, "en");
        let (status, one) = api.get(&path).await;
        assert_eq!(status, 200, "{who}: {one}");
        // Everyone reads the published version.
        assert_eq!(one["id"], p.id, "{who}");
        assert_eq!(one["version"], 1, "{who}");
        assert_eq!(one["status"], "published");
        assert_eq!(one["title"], "Overseas Branch Office Service");
        assert_eq!(one["content_hash"], published.content_hash);
        assert_eq!(one["agency"]["code"], "KOTRA");
        let vs = one["versions"].as_array().unwrap();
        assert_eq!(vs.len(), versions, "{who} sees {versions} version(s): {vs:?}");
        if versions == 2 {
            assert_eq!(vs[0]["version"], 2);
            assert_eq!(vs[0]["status"], "draft");
            assert_eq!(vs[0]["published_at"], Value::Null);
            assert_ne!(vs[0]["content_hash"], vs[1]["content_hash"]);
        }
        let last = vs.last().unwrap();
        assert_eq!(last["status"], "published");
        assert!(last["published_at"].is_string());
        assert_eq!(last["content_hash"], published.content_hash);
    }

    // A program never published exists only for its agency.
    let draft_only =
        store::programs::create_program(db, "kotra-draft-only", p.agency_id, "draft-only", "training", "officer").await.unwrap();
    let d = store::programs::program(db, draft_only).await.unwrap().unwrap();
    store::programs::insert_version(db, &d, "draft", &fields, Some(kotra_user.id)).await.unwrap();
    let path = format!("/api/v1/programs/{draft_only}");
    let kotra = app.api(&app.token_for("kotra@demo.test").await, "ko");
    let (status, one) = kotra.get(&path).await;
    assert_eq!(status, 200);
    assert_eq!(one["status"], "draft");
    assert_eq!(one["title"], "지사화사업 (개정안)");
    let company = app.api(&app.token_for("company@demo.test").await, "en");
    assert_eq!(company.get(&path).await.0, 404);
    assert_eq!(app.api(&app.token_for("kosme@demo.test").await, "en").get(&path).await.0, 404);

    // Unknown and malformed ids: problem documents.
    let (status, problem) = company.get("/api/v1/programs/999999").await;
    assert_eq!((status, problem["type"].as_str()), (404, Some("/api/problems/not-found")));
    let (status, problem) = company.get("/api/v1/programs/abc").await;
    assert_eq!((status, problem["status"].as_i64()), (404, Some(404)));
}

#[tokio::test]
async fn matches_explain_outcomes_in_the_callers_language() {
    let app = spawn().await;
    let unencoded = publish_unencoded(&app, "test-unencoded").await;
    let own = app.company_id_of("company@demo.test").await;
    let en = app.api(&app.token_for("company@demo.test").await, "en");
    let ko = app.api(&en.token, "ko");
    let path = format!("/api/v1/companies/{own}/matches");
    let (status, m) = en.get(&path).await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["company_id"], own);
    let (_, list) = en.get("/api/v1/programs").await;
    assert_eq!(m["total"], list["total"], "every program in force has a row");
    let rows = items(&m);
    let outcomes: Vec<&str> = rows.iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert!(outcomes.iter().all(|o| ["eligible", "not_eligible", "unknown", "not_encoded"].contains(o)), "{outcomes:?}");
    assert!(outcomes.contains(&"eligible"), "the demo Busan novice exporter qualifies for something: {outcomes:?}");
    assert!(outcomes.contains(&"not_eligible"));
    // Eligible first.
    let first_other = outcomes.iter().position(|o| *o != "eligible").unwrap();
    assert!(outcomes[first_other..].iter().all(|o| *o != "eligible"), "{outcomes:?}");
    let not_encoded = rows.iter().find(|r| r["program"]["id"] == unencoded).unwrap();
    assert_eq!(not_encoded["outcome"], "not_encoded");
    assert_eq!(not_encoded["explanation"], Value::Null);
    for r in rows.iter().filter(|r| r["outcome"] != "not_encoded") {
        let ex = &r["explanation"];
        assert_eq!(ex["outcome"], r["outcome"], "{r}");
        assert!(!ex["summary"].as_str().unwrap().is_empty());
        let reqs = ex["requirements"].as_array().unwrap();
        assert!(!reqs.is_empty());
        assert!(reqs.iter().all(|q| !q["lines"].as_array().unwrap().is_empty() && !q["rule"].as_str().unwrap().is_empty()));
        if r["outcome"] == "not_eligible" {
            assert!(!ex["failing"].as_array().unwrap().is_empty(), "{r}");
            let not_met = reqs.iter().filter(|q| q["outcome"] == "not_met").count();
            assert_eq!(r["one_away"], not_met == 1 && reqs.iter().all(|q| q["outcome"] != "unknown"), "{r}");
        }
        if r["outcome"] == "unknown" {
            assert!(!ex["missing"].as_array().unwrap().is_empty(), "{r}");
        }
    }
    // The KOTRA branch office program: a small Busan novice exporter without an entity abroad.
    let branch = rows.iter().find(|r| r["program"]["title_en"] == "Overseas Branch Office Service").unwrap();
    assert_eq!(branch["outcome"], "eligible");
    assert_eq!(branch["program"]["agency"], "KOTRA");
    assert!(branch["score"].as_i64().unwrap() >= 10, "targets Indonesia and sits outside the capital area");
    assert_eq!(branch["explanation"]["requirements"][0]["outcome"], "met");

    // The same explanation in Korean reads differently.
    let (_, m_ko) = ko.get(&path).await;
    let branch_ko = items(&m_ko).iter().find(|r| r["program"]["id"] == branch["program"]["id"]).unwrap();
    assert_eq!(branch_ko["outcome"], branch["outcome"]);
    assert_eq!(branch_ko["program"]["title"], branch["program"]["title_ko"]);
    let (s_en, s_ko) = (branch["explanation"]["summary"].as_str().unwrap(), branch_ko["explanation"]["summary"].as_str().unwrap());
    assert!(!s_en.is_empty() && !s_ko.is_empty());
    assert_ne!(s_en, s_ko);
    let (l_en, l_ko) = (&branch["explanation"]["requirements"][0]["text"], &branch_ko["explanation"]["requirements"][0]["text"]);
    assert_ne!(l_en, l_ko, "requirement lines are worded per language");
    // The canonical rule text is the same in both.
    assert_eq!(branch["explanation"]["requirements"][0]["rule"], branch_ko["explanation"]["requirements"][0]["rule"]);

    // A member sees only their own company; officers see consenting companies; analysts none.
    let other =
        store::companies::search(&app.state.store.db, &store::companies::Filter::default(), store::companies::Sort::Name, false, 1000, 0)
            .await
            .unwrap()
            .0
            .into_iter()
            .find(|c| c.id != own && c.consent_version.is_some())
            .unwrap()
            .id;
    let (status, problem) = en.get(&format!("/api/v1/companies/{other}/matches")).await;
    assert_eq!(status, 404);
    assert_eq!(problem["type"], "/api/problems/not-found");
    let officer = app.api(&app.token_for("kotra@demo.test").await, "en");
    let (status, theirs) = officer.get(&format!("/api/v1/companies/{other}/matches")).await;
    assert_eq!(status, 200);
    assert_eq!(theirs["company_id"], other);
    let (status, same) = officer.get(&path).await;
    assert_eq!(status, 200);
    let outcome_pairs = |v: &Value| items(v).iter().map(|r| (r["program"]["id"].clone(), r["outcome"].clone())).collect::<Vec<_>>();
    assert_eq!(outcome_pairs(&same), outcome_pairs(&m), "an officer sees the company's own outcomes");
    assert_eq!(app.api(&app.token_for("analyst@demo.test").await, "en").get(&path).await.0, 404);
    assert_eq!(en.get("/api/v1/companies/abc/matches").await.0, 404);
    // Officers' reads of a company's matches are audited (written in batches).
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let log = store::audit::list(&app.state.store.db, Some("company.matches"), 200, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "company.matches" && e.actor == "kotra@demo.test" && e.target == format!("company:{own}")));
    assert!(!log.iter().any(|e| e.action == "company.matches" && e.actor == "company@demo.test"), "own reads are not");
}

#[tokio::test]
async fn rules_are_evaluated_and_bad_rules_point_at_the_mistake() {
    let app = spawn().await;
    let en = app.api(&app.token_for("analyst@demo.test").await, "en");
    let ko = app.api(&en.token, "ko");
    let eval = "/api/v1/rules/evaluate";

    // A text rule, eligible.
    let body = json!({
        "rule": "eligible if sme and region in [\"26\", \"31\"] and employees < 50\npoints\n  10 if exports_usd > 0",
        "profile": {"employees": 12, "region": "26", "size_class": "small", "exports_usd": 30000},
        "as_of": "2026-11-26"
    });
    let (status, r) = en.send(Method::POST, eval, &body).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["outcome"], "eligible");
    assert_eq!(r["score"], 10);
    assert_eq!(r["failing"], json!([]));
    assert_eq!(r["missing"], json!([]));
    assert_eq!(r["as_of"], "2026-11-26");
    assert_eq!(r["rule"], "eligible if\n  sme\n  and region in [\"26\", \"31\"]\n  and employees < 50\npoints\n  10 if exports_usd > 0\n");
    assert_eq!(r["rule_json"]["when"]["all"][0], json!({"ref": "sme"}));
    assert_eq!(r["explanation"]["outcome"], "eligible");
    assert_eq!(r["explanation"]["requirements"].as_array().unwrap().len(), 3);
    assert_eq!(r["explanation"]["points"][0]["counted"], true);
    let (_, r_ko) = ko.send(Method::POST, eval, &body).await;
    assert_eq!(r_ko["outcome"], "eligible");
    assert_ne!(r["explanation"]["summary"], r_ko["explanation"]["summary"]);
    assert_ne!(r["explanation"]["requirements"][1]["text"], r_ko["explanation"]["requirements"][1]["text"]);

    // Unknown: a fact the profile does not give.
    let (status, r) =
        en.send(Method::POST, eval, &json!({"rule": "eligible if sme and venture_certified", "profile": {"size_class": "micro"}})).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["outcome"], "unknown");
    assert_eq!(r["missing"], json!(["venture_certified"]));
    assert_eq!(r["explanation"]["missing"][0]["fact"], "venture_certified");
    assert!(!r["explanation"]["missing"][0]["label"].as_str().unwrap().is_empty());
    assert_eq!(r["as_of"], kit::today().to_string(), "as_of defaults to today");

    // A JSON rule (an object, and the same as a string), not eligible on one requirement.
    let json_rule = json!({"when": {"all": [{"ref": "sme"}, {"fact": "region", "op": "in", "value": ["26"]}]}});
    for rule in [json_rule.clone(), Value::String(json_rule.to_string())] {
        let (status, r) = en.send(Method::POST, eval, &json!({"rule": rule, "profile": {"size_class": "small", "region": "11"}})).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["outcome"], "not_eligible");
        assert_eq!(r["failing"], json!(["region in [\"26\"]"]));
        assert_eq!(r["one_away"], true);
        assert_eq!(r["rule"], "eligible if\n  sme\n  and region in [\"26\"]\n");
        assert_eq!(r["rule_json"], json_rule);
    }
    // The same JSON rule, eligible in Busan.
    let (_, r) = en.send(Method::POST, eval, &json!({"rule": json_rule, "profile": {"size_class": "small", "region": "26"}})).await;
    assert_eq!(r["outcome"], "eligible");

    // Awards and the evaluation date.
    let rule = "eligible if not received_within(\"export-voucher\", 2)";
    let awards = json!([{"family": "export-voucher", "category": "export_voucher", "awarded_on": "2025-05-01"}]);
    let (_, r) = en.send(Method::POST, eval, &json!({"rule": rule, "awards": awards, "as_of": "2026-11-26"})).await;
    assert_eq!(r["outcome"], "not_eligible");
    let (_, r) = en.send(Method::POST, eval, &json!({"rule": rule, "awards": awards, "as_of": "2027-05-02"})).await;
    assert_eq!(r["outcome"], "eligible", "two years later the award no longer counts");

    // A rule that does not parse: 422 with where and why, in the caller's language.
    let bad = json!({"rule": "eligible if\n  sme\n  and emploees < 50", "profile": {}});
    let (status, p_en) = en.send(Method::POST, eval, &bad).await;
    assert_eq!(status, 422, "{p_en}");
    assert_eq!(p_en["type"], "/api/problems/rule");
    assert_eq!(p_en["status"], 422);
    assert_eq!(p_en["rule_error"]["line"], 3);
    assert_eq!(p_en["rule_error"]["column"], 7);
    assert_eq!(p_en["rule_error"]["code"], "rule-err-unknown-fact");
    assert_eq!(p_en["errors"][0]["field"], "rule");
    assert_eq!(p_en["errors"][0]["code"], "rule-err-unknown-fact");
    let (status, p_ko) = ko.send(Method::POST, eval, &bad).await;
    assert_eq!(status, 422);
    let (m_en, m_ko) = (p_en["rule_error"]["message"].as_str().unwrap(), p_ko["rule_error"]["message"].as_str().unwrap());
    assert!(!m_en.is_empty() && !m_ko.is_empty());
    assert_ne!(m_en, "rule-err-unknown-fact", "a message, not its key");
    assert!(m_en.contains("emploees") && m_ko.contains("emploees"), "names the unknown fact: {m_en} / {m_ko}");
    assert_ne!(m_en, m_ko, "worded in each language");
    assert_ne!(p_en["title"], p_ko["title"]);
    // A type error, with its column.
    let (status, p) = en.send(Method::POST, eval, &json!({"rule": "eligible if region < 5"})).await;
    assert_eq!(status, 422);
    assert_eq!((p["rule_error"]["line"].as_i64(), p["rule_error"]["column"].as_i64().map(|c| c > 1)), (Some(1), Some(true)));
    // A JSON rule that does not check says where in the JSON.
    let (status, p) =
        en.send(Method::POST, eval, &json!({"rule": {"when": {"all": [{"ref": "sme"}, {"fact": "nope", "op": "<", "value": 1}]}}})).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["rule_error"]["line"], 0);
    assert!(p["rule_error"]["path"].as_str().unwrap().starts_with("when.all[1]"), "{p}");
    // A rule that is neither text nor an object.
    assert_eq!(en.send(Method::POST, eval, &json!({"rule": 5})).await.0, 422);

    // Bad facts: 422 naming the part and the reason.
    let (status, p) = en.send(Method::POST, eval, &json!({"rule": "eligible if sme", "profile": {"employees": "many"}})).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "profile");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("employees"), "{p}");
    let (_, p_ko) = ko.send(Method::POST, eval, &json!({"rule": "eligible if sme", "profile": {"employees": "many"}})).await;
    assert_ne!(p_ko["errors"][0]["message"], p["errors"][0]["message"], "the reason is worded in the caller's language");
    assert!(p_ko["errors"][0]["message"].as_str().unwrap().contains("정수"), "{p_ko}");
    let (status, p) = en.send(Method::POST, eval, &json!({"rule": "eligible if sme", "profile": {"no_such_fact": 1}})).await;
    assert_eq!(status, 422);
    assert!(p["detail"].as_str().unwrap().contains("no_such_fact"));
    let (status, p) = en.send(Method::POST, eval, &json!({"rule": "eligible if sme", "awards": [{"family": "x"}]})).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "awards");
    let (status, p) = en.send(Method::POST, eval, &json!({"rule": "eligible if sme", "as_of": "26.11.2026"})).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "as_of");
    assert_eq!(en.send(Method::POST, eval, &json!({"profile": {}})).await.0, 400, "the rule is required");

    // The body limit of the rest of the API applies.
    let big = "x".repeat(2 * 1024 * 1024);
    let r = reqwest::Client::new()
        .post(format!("{}{eval}", app.base))
        .bearer_auth(&en.token)
        .header("content-type", "application/json")
        .body(format!("{{\"rule\": \"{big}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // Without a token, nothing.
    assert_eq!(app.api("gdk_nope", "en").send(Method::POST, eval, &json!({"rule": "eligible if sme"})).await.0, 401);
}

/// A program the demo company may apply to now whose rule excludes recent awardees of its own
/// family (so the award an approval records shows in the matches), best first.
fn pick_program(matches: &Value, catalog: &[store::programs::ProgramVersion]) -> (i64, String, String) {
    for r in items(matches) {
        let id = r["program"]["id"].as_i64().unwrap();
        let p = catalog.iter().find(|p| p.program_id == id).unwrap();
        let own_family = format!("received_within(\"{}\"", p.family);
        if r["outcome"] == "eligible"
            && r["program"]["window_open"] == true
            && p.rule_text.as_deref().is_some_and(|t| t.contains(&own_family))
        {
            return (id, p.agency_code.clone(), p.family.clone());
        }
    }
    panic!("no open program the demo company is eligible for; the demo catalog's windows have all closed");
}

#[tokio::test]
async fn an_application_goes_from_submission_to_approval_and_the_award_counts() {
    let app = spawn().await;
    let db = &app.state.store.db;
    let own = app.company_id_of("company@demo.test").await;
    let company = app.api(&app.token_for("company@demo.test").await, "en");
    let (_, m) = company.get(&format!("/api/v1/companies/{own}/matches")).await;
    let catalog = store::programs::published(db).await.unwrap();
    let (program, agency, family) = pick_program(&m, &catalog);
    let officer = app.api(&app.token_for(officer_of(&agency)).await, "en");
    let outsider = app.api(&app.token_for(outsider_of(&agency)).await, "en");

    // Who may not apply, and to what.
    let (status, p) = officer.send(Method::POST, "/api/v1/applications", &json!({"program_id": program})).await;
    assert_eq!((status, p["type"].as_str()), (403, Some("/api/problems/forbidden")));
    let (status, p) = company.send(Method::POST, "/api/v1/applications", &json!({"program_id": 999_999})).await;
    assert_eq!((status, p["type"].as_str()), (404, Some("/api/problems/not-found")));
    if let Some(closed) = items(&m).iter().find(|r| r["program"]["window_open"] == false) {
        let (status, p) = company.send(Method::POST, "/api/v1/applications", &json!({"program_id": closed["program"]["id"]})).await;
        assert_eq!((status, p["type"].as_str()), (409, Some("/api/problems/application-closed")), "{p}");
        assert!(!p["title"].as_str().unwrap().is_empty());
    }
    if let Some(no) = items(&m).iter().find(|r| r["program"]["window_open"] == true && r["outcome"] == "not_eligible") {
        let (status, p) = company.send(Method::POST, "/api/v1/applications", &json!({"program_id": no["program"]["id"]})).await;
        assert_eq!((status, p["type"].as_str()), (422, Some("/api/problems/not-eligible")), "{p}");
        assert_eq!(p["failing"], no["explanation"]["failing"], "the conditions it failed");
    }

    // The company applies.
    let (status, a) = company.send(Method::POST, "/api/v1/applications", &json!({"program_id": program, "note": "첫 신청"})).await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["status"], "submitted");
    assert_eq!(a["program_id"], program);
    assert_eq!(a["company_id"], own);
    assert_eq!(a["note"], "첫 신청");
    assert_eq!(a["decision"]["outcome"], "eligible");
    assert_eq!(a["decision"]["content_hash"], catalog.iter().find(|p| p.program_id == program).unwrap().content_hash);
    assert_eq!(a["events"].as_array().unwrap().len(), 1);
    assert_eq!(a["events"][0]["to"], "submitted");
    assert_eq!(a["next"], json!(["withdrawn"]), "the company may still withdraw");
    let id = a["id"].as_i64().unwrap();
    let v1 = a["version"].as_i64().unwrap();
    let path = format!("/api/v1/applications/{id}");
    let moves = format!("{path}/transitions");
    // One open application per program.
    let (status, p) = company.send(Method::POST, "/api/v1/applications", &json!({"program_id": program})).await;
    assert_eq!((status, p["type"].as_str()), (409, Some("/api/problems/already-open")));

    // Lists: the company's own, the owning agency's queue; not another agency's.
    let (_, mine) = company.get("/api/v1/applications").await;
    assert_eq!(ids(&mine), [id]);
    let (_, queue) = officer.get("/api/v1/applications").await;
    assert!(ids(&queue).contains(&id));
    assert_eq!(items(&queue).iter().find(|x| x["id"] == id).unwrap()["next"], json!(["under_review", "rejected"]));
    let (_, queue) = officer.get("/api/v1/applications?status=submitted").await;
    assert!(ids(&queue).contains(&id));
    let (_, queue) = officer.get("/api/v1/applications?status=approved").await;
    assert!(!ids(&queue).contains(&id));
    let (_, theirs) = outsider.get("/api/v1/applications").await;
    assert!(!ids(&theirs).contains(&id));
    assert_eq!(outsider.get(&path).await.0, 404);
    assert_eq!(officer.get("/api/v1/applications?status=lost").await.0, 422);

    // Review: another agency may not move it; a stale version is refused; the company may not approve.
    let (status, p) = outsider.send(Method::POST, &moves, &json!({"to": "under_review", "version": v1})).await;
    assert_eq!(status, 404, "another agency is told the application does not exist: {p}");
    let (status, r) = officer.send(Method::POST, &moves, &json!({"to": "under_review", "version": v1, "note": "검토 시작"})).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["status"], "under_review");
    let v2 = r["version"].as_i64().unwrap();
    assert_eq!(v2, v1 + 1);
    assert_eq!(r["next"], json!(["approved", "rejected"]));
    let (status, p) = officer.send(Method::POST, &moves, &json!({"to": "approved", "version": v1})).await;
    assert_eq!((status, p["type"].as_str()), (409, Some("/api/problems/conflict")), "stale version: {p}");
    assert!(!p["title"].as_str().unwrap().is_empty());
    let (status, p) = company.send(Method::POST, &moves, &json!({"to": "approved", "version": v2})).await;
    assert_eq!((status, p["type"].as_str()), (409, Some("/api/problems/bad-move")), "{p}");
    let (status, p) = officer.send(Method::POST, &moves, &json!({"to": "granted", "version": v2})).await;
    assert_eq!((status, p["errors"][0]["field"].as_str()), (422, Some("to")));
    let (status, _) = officer.send(Method::POST, &moves, &json!({"to": "approved", "version": 1i64 << 40})).await;
    assert_eq!(status, 409);
    assert_eq!(
        officer.send(Method::POST, "/api/v1/applications/999999/transitions", &json!({"to": "approved", "version": 1})).await.0,
        404
    );

    // Approval records the award.
    let (status, r) = officer.send(Method::POST, &moves, &json!({"to": "approved", "version": v2})).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["status"], "approved");
    let trail: Vec<&str> = r["events"].as_array().unwrap().iter().map(|e| e["to"].as_str().unwrap()).collect();
    assert_eq!(trail, ["submitted", "under_review", "approved"]);
    assert_eq!(r["events"][1]["note"], "검토 시작");
    assert!(r["events"][2]["actor"].is_string());
    let awards = store::programs::awards_of(db, own).await.unwrap();
    assert!(awards.iter().any(|a| a.program_id == program && a.family == family), "{awards:?}");
    // The company reads the same history.
    let (status, seen) = company.get(&path).await;
    assert_eq!(status, 200);
    assert_eq!(seen["status"], "approved");
    assert_eq!(seen["events"].as_array().unwrap().len(), 3);
    // The award now counts: the program's own rule excludes recent awardees of its family.
    let (_, after) = company.get(&format!("/api/v1/companies/{own}/matches")).await;
    let row = items(&after).iter().find(|r| r["program"]["id"] == program).unwrap();
    assert_eq!(row["outcome"], "not_eligible", "{row}");
    let failing = row["explanation"]["failing"].as_array().unwrap();
    assert!(failing.iter().any(|f| f.as_str().unwrap().contains(&format!("received_within(\"{family}\""))), "{failing:?}");
    // And in the evaluator with the same award.
    let rule = format!("eligible if not received_within(\"{family}\", 1)");
    let award = json!([{"family": family, "category": awards[0].category, "awarded_on": awards.iter().find(|a| a.family == family).unwrap().awarded_on}]);
    let (_, r) = company.send(Method::POST, "/api/v1/rules/evaluate", &json!({"rule": rule, "awards": award})).await;
    assert_eq!(r["outcome"], "not_eligible");
}

#[tokio::test]
async fn access_to_the_program_routes_by_role() {
    let app = spawn().await;
    let db = &app.state.store.db;
    let own = app.company_id_of("company@demo.test").await;
    let (rows, _) =
        store::companies::search(db, &store::companies::Filter::default(), store::companies::Sort::Name, false, 1000, 0).await.unwrap();
    let hidden = rows.iter().find(|r| r.consent_version.is_none()).unwrap().id;
    let company = app.api(&app.token_for("company@demo.test").await, "en");
    let (_, m) = company.get(&format!("/api/v1/companies/{own}/matches")).await;
    let catalog = store::programs::published(db).await.unwrap();
    let (program, agency, _) = pick_program(&m, &catalog);
    let (status, a) = company.send(Method::POST, "/api/v1/applications", &json!({"program_id": program})).await;
    assert_eq!(status, 201, "{a}");
    let app_id = a["id"].as_i64().unwrap();
    let owner = |who: &str| who == officer_of(&agency) || (agency == "MSS" && who == "agency-admin@demo.test");

    let paths: Vec<(Method, String, Value)> = vec![
        (Method::GET, "/api/v1/programs".into(), Value::Null),
        (Method::GET, format!("/api/v1/programs/{program}"), Value::Null),
        (Method::GET, format!("/api/v1/companies/{own}/matches"), Value::Null),
        (Method::GET, format!("/api/v1/companies/{hidden}/matches"), Value::Null),
        (Method::POST, "/api/v1/rules/evaluate".into(), json!({"rule": "eligible if sme", "profile": {"size_class": "small"}})),
        (Method::GET, "/api/v1/applications".into(), Value::Null),
        (Method::POST, "/api/v1/applications".into(), json!({"program_id": 999_999})),
        (Method::GET, format!("/api/v1/applications/{app_id}"), Value::Null),
        // Version 0 is never current: whoever may move it gets 409, whoever may not 403.
        (Method::POST, format!("/api/v1/applications/{app_id}/transitions"), json!({"to": "rejected", "version": 0})),
    ];
    let who = [
        "company@demo.test",
        "officer@demo.test",
        "kotra@demo.test",
        "customs@demo.test",
        "agency-admin@demo.test",
        "admin@demo.test",
        "analyst@demo.test",
    ];
    for w in who {
        let api = app.api(&app.token_for(w).await, "en");
        let is_owner = owner(w);
        let want: [u16; 9] = match w {
            "company@demo.test" => [200, 200, 200, 404, 200, 200, 404, 200, 409],
            "admin@demo.test" => [200, 200, 200, 200, 200, 200, 403, 200, 409],
            "analyst@demo.test" => [200, 200, 404, 404, 200, 403, 403, 403, 404],
            _ if is_owner => [200, 200, 200, 404, 200, 200, 403, 200, 409],
            _ => [200, 200, 200, 404, 200, 200, 403, 404, 404],
        };
        for ((method, path, body), w_status) in paths.iter().zip(want) {
            let (status, body) = if *method == Method::GET { api.get(path).await } else { api.send(method.clone(), path, body).await };
            assert_eq!(status, w_status, "{w} {method} {path}: {body}");
            if status >= 400 {
                assert_eq!(body["status"], status, "{w} {method} {path}: a problem document");
            }
        }
    }
    // Without a valid token: 401 everywhere.
    let anon = app.api("gdk_not_a_token", "ko");
    for (method, path, body) in &paths {
        let (status, problem) = if *method == Method::GET { anon.get(path).await } else { anon.send(method.clone(), path, body).await };
        assert_eq!(status, 401, "anonymous {method} {path}");
        assert_eq!(problem["type"], "/api/problems/unauthorized");
    }
    // Nothing above moved the application.
    let (_, a) = company.get(&format!("/api/v1/applications/{app_id}")).await;
    assert_eq!(a["status"], "submitted");
}

#[tokio::test]
async fn the_program_routes_are_in_the_openapi_document() {
    let app = spawn().await;
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (p, method) in [
        ("/api/v1/programs", "get"),
        ("/api/v1/programs/{id}", "get"),
        ("/api/v1/companies/{id}/matches", "get"),
        ("/api/v1/rules/evaluate", "post"),
        ("/api/v1/applications", "get"),
        ("/api/v1/applications", "post"),
        ("/api/v1/applications/{id}", "get"),
        ("/api/v1/applications/{id}/transitions", "post"),
    ] {
        assert!(paths.get(p).and_then(|x| x.get(method)).is_some(), "{method} {p} documented");
    }
    // The routes that existed before are still there.
    assert!(paths.contains_key("/api/v1/companies/{id}") && paths.contains_key("/api/v1/me"));
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for s in ["ProgramJson", "MatchesJson", "ExplanationJson", "EvaluateRequest", "EvaluateResult", "RuleProblem", "ApplicationDetail"] {
        assert!(schemas.contains_key(s), "schema {s}");
    }
    assert!(schemas["EvaluateRequest"]["properties"]["rule"]["oneOf"].is_array());
    // Filters are query parameters, and no two operations share an id.
    let params = paths["/api/v1/programs"]["get"]["parameters"].as_array().unwrap();
    let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["category", "agency", "q", "open", "encoded"]);
    assert!(params.iter().all(|p| p["in"] == "query" && p["required"] != true), "{params:?}");
    let mut op_ids: Vec<&str> =
        paths.values().flat_map(|item| item.as_object().unwrap().values().filter_map(|op| op["operationId"].as_str())).collect();
    let n = op_ids.len();
    op_ids.sort();
    op_ids.dedup();
    assert_eq!(op_ids.len(), n, "operation ids are unique: {op_ids:?}");
}
