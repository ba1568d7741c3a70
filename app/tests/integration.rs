//! Black-box tests of GlobalDesk over HTTP. Run on SQLite by default and on PostgreSQL with
//! `GLOBALDESK_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres`.

mod cases;
mod common;
mod experts;
mod plans;
mod programs_api;
mod programs_pages;
mod publications;
mod walk;

use common::*;
use serde_json::json;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = spawn().await;
    let b = app.browser().await;
    assert_eq!(b.text("/healthz").await, (200, "ok".into()));
    assert_eq!(b.text("/readyz").await, (200, "ready".into()));
    let (status, metrics) = b.text("/metrics").await;
    assert_eq!(status, 200);
    assert!(metrics.contains("globaldesk_http_requests_total{class=\"2xx\"}"), "{metrics}");
    assert!(metrics.contains("globaldesk_jobs_pending 0"));
}

#[tokio::test]
async fn sign_up_then_profile_with_errors_reported_and_nothing_half_saved() {
    let app = spawn().await;
    let mut b = app.browser().await;
    // Bad sign-up: every field explained in Korean.
    let r = b.post("/signup", &[("display_name", ""), ("email", "not-an-email"), ("password", "short")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("필수 입력 항목입니다."));
    assert!(html.contains("올바른 이메일 주소를 입력하세요."));
    assert!(html.contains("비밀번호는 10자 이상이어야 합니다."));

    let r = b.post("/signup", &[("display_name", "홍길동"), ("email", "Hong@Example.kr"), ("password", "a long enough passphrase")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?confirmed=1");
    let r = b.post("/login", &[("email", "hong@example.kr"), ("password", "a long enough passphrase")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/desk");
    b.refresh_csrf().await;

    // A wrong BRN check digit, an unknown HS code, a negative revenue and an unknown country.
    let mut form = profile_form("124-81-00999");
    form.retain(|(k, _)| !matches!(*k, "products" | "revenue_krw" | "target_countries"));
    form.extend([("products", "9999.99"), ("revenue_krw", "-5"), ("target_countries", "XX")]);
    let r = b.post("/company", &form).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("사업자등록번호의 검증번호가 맞지 않습니다"), "BRN error shown");
    assert!(html.contains("id=\"brn-err\""), "error sits next to the field");
    assert!(html.contains("HS 코드 999999은(는) 품목분류표에 없습니다."));
    assert!(html.contains("0 이상의 값을 입력하세요."));
    assert!(html.contains("국가 코드 &#39;XX&#39;을(를) 알 수 없습니다.") || html.contains("국가 코드 'XX'을(를) 알 수 없습니다."));
    // The typed values survive the refusal.
    assert!(html.contains("value=\"124-81-00999\""));
    let user = store::users::by_email(&app.state.store.db, "hong@example.kr").await.unwrap().unwrap();
    assert_eq!(user.company_id, None, "nothing saved");
    let before = store::companies::count(&app.state.store.db).await.unwrap();

    let r = b.post("/company", &profile_form("124-81-00998")).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let (_, desk) = b.text("/desk").await;
    assert!(desk.contains("테스트기업 (시험)"));
    assert!(desk.contains("수출초보기업"), "USD 40,000 makes a novice exporter");
    assert_eq!(store::companies::count(&app.state.store.db).await.unwrap(), before + 1);
    let id = app.company_id_of("hong@example.kr").await;
    let c = store::companies::get(&app.state.store.db, id).await.unwrap().unwrap();
    assert_eq!(c.products, ["3304", "851713"]);
    assert_eq!(c.target_countries, ["ID", "US"]);
    assert_eq!(c.row.revenue_krw, 1_200_000_000);
    assert_eq!(c.row.consent_version.as_deref(), Some("2026-11"));
    assert_eq!(c.row.region, "26");
}

#[tokio::test]
async fn a_second_registration_of_one_brn_is_refused_at_the_field() {
    let app = spawn().await;
    let mut b = app.browser().await;
    b.post("/signup", &[("display_name", "A"), ("email", "a@example.kr"), ("password", "passphrase-0001")]).await;
    b.post("/login", &[("email", "a@example.kr"), ("password", "passphrase-0001")]).await;
    b.refresh_csrf().await;
    // The demo company's BRN is taken.
    let taken = domain::Brn::from_prefix([6, 0, 2, 8, 1, 0, 0, 0, 1]).formatted();
    let r = b.post("/company", &profile_form(&taken)).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("이 사업자등록번호로 이미 등록된 기업이 있습니다."));
}

#[tokio::test]
async fn officer_search_filters_page_and_export() {
    let app = spawn().await;
    let b = app.login("officer@demo.test").await;
    let (status, html) = b.text("/companies?region=26&hs=8517").await;
    assert_eq!(status, 200);
    assert!(html.contains("예시기업 부산정밀 (데모)"), "HS prefix 8517 finds the demo company");
    let (_, html) = b.text("/companies?q=602-81-00014").await;
    assert!(html.contains("예시기업 부산정밀 (데모)"), "search by BRN");
    assert!(html.contains("검색 결과 1개"));
    let (_, html) = b.text("/companies?q=%EB%B6%80%EC%82%B0%EC%A0%95%EB%B0%80").await;
    assert!(html.contains("예시기업 부산정밀 (데모)"), "search by part of the Korean name");
    let (_, html) = b.text("/companies?country=ID&stage=novice&hs=85").await;
    assert!(html.contains("예시기업 부산정밀 (데모)"), "target country and stage filters");
    let (_, html) = b.text("/companies?stage=established&q=%EB%B6%80%EC%82%B0%EC%A0%95%EB%B0%80").await;
    assert!(!html.contains("예시기업 부산정밀 (데모)"), "a novice exporter is not established");
    // Paging: 25 rows a page.
    let (_, page1) = b.text("/companies?sort=name").await;
    assert_eq!(page1.matches("<tr><th scope=\"row\"><a href=\"/companies/").count(), 25);
    let (_, page2) = b.text("/companies?sort=name&page=2").await;
    assert!(page2.contains("aria-current=\"page\""));

    let r = b.get("/companies/export.csv?region=26").await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "UTF-8 BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("사업자등록번호,"));
    assert!(text.lines().skip(1).all(|l| l.contains("부산")), "only Busan rows: {text}");
    let r = b.get("/companies/export.xlsx?region=26").await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip file");
}

#[tokio::test]
async fn company_history_records_who_changed_what() {
    let app = spawn().await;
    let b = app.login("company@demo.test").await;
    let id = app.company_id_of("company@demo.test").await;
    let c = store::companies::get(&app.state.store.db, id).await.unwrap().unwrap();
    let version = c.row.version.to_string();
    let brn = domain::Brn::parse("brn", &c.row.brn).unwrap().formatted();
    let mut form = profile_form(&brn);
    form.retain(|(k, _)| *k != "employees");
    form.push(("employees", "55"));
    form.push(("version", &version));
    let r = b.post("/company", &form).await;
    assert_eq!(r.status(), 303);
    // A second save with the old version is refused, not silently applied.
    let r = b.post("/company", &form).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("다른 사람이 먼저 이 정보를 수정했습니다"));

    let officer = app.login("officer@demo.test").await;
    let (status, html) = officer.text(&format!("/companies/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"history\""));
    assert!(html.contains("<del>42</del>") && html.contains("<ins>55</ins>"), "employees 42 → 55 in the history");
    assert!(html.contains("company@demo.test"), "who changed it");
}

/// Every role against every route: what each may see.
#[tokio::test]
async fn access_matrix_for_pages() {
    let app = spawn().await;
    let own = app.company_id_of("company@demo.test").await;
    // A company that has not consented: agencies must not see it.
    let hidden: i64 = {
        let (rows, _) = store::companies::search(
            &app.state.store.db,
            &store::companies::Filter::default(),
            store::companies::Sort::Name,
            false,
            1000,
            0,
        )
        .await
        .unwrap();
        rows.iter().find(|r| r.consent_version.is_none()).expect("some demo companies did not consent").id
    };
    let consented: i64 = {
        let (rows, _) = store::companies::search(
            &app.state.store.db,
            &store::companies::Filter::default(),
            store::companies::Sort::Name,
            false,
            1000,
            0,
        )
        .await
        .unwrap();
        rows.iter().find(|r| r.consent_version.is_some() && r.id != own).unwrap().id
    };
    let own_p = format!("/companies/{own}");
    let hidden_p = format!("/companies/{hidden}");
    let other_p = format!("/companies/{consented}");
    let routes: Vec<&str> = vec![
        "/desk",
        "/company",
        "/companies",
        own_p.as_str(),
        hidden_p.as_str(),
        other_p.as_str(),
        "/companies/export.csv",
        "/admin/users",
        "/admin/audit",
        "/insights",
        "/account/tokens",
    ];
    // Expected status per route, in the order above. 303 = sent to sign in.
    let expect: Vec<(&str, [u16; 11])> = vec![
        ("anonymous", [303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303]),
        ("company@demo.test", [200, 200, 403, 200, 404, 404, 403, 403, 403, 403, 200]),
        ("officer@demo.test", [403, 403, 200, 200, 404, 200, 200, 403, 403, 403, 200]),
        ("agency-admin@demo.test", [403, 403, 200, 200, 404, 200, 200, 200, 403, 403, 200]),
        ("admin@demo.test", [403, 403, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        ("analyst@demo.test", [403, 403, 403, 404, 404, 404, 403, 403, 403, 200, 200]),
    ];
    for (who, codes) in expect {
        let b = if who == "anonymous" { app.browser().await } else { app.login(who).await };
        for (route, want) in routes.iter().zip(codes) {
            let got = b.get(route).await.status().as_u16();
            assert_eq!(got, want, "{who} GET {route}");
        }
    }
}

#[tokio::test]
async fn access_matrix_for_the_api() {
    let app = spawn().await;
    let own = app.company_id_of("company@demo.test").await;
    let (rows, _) =
        store::companies::search(&app.state.store.db, &store::companies::Filter::default(), store::companies::Sort::Name, false, 1000, 0)
            .await
            .unwrap();
    let hidden = rows.iter().find(|r| r.consent_version.is_none()).unwrap().id;
    let cases: Vec<(&str, [u16; 4])> = vec![
        // me, list, own company, a non-consenting company
        ("company@demo.test", [200, 403, 200, 404]),
        ("officer@demo.test", [200, 200, 200, 404]),
        ("admin@demo.test", [200, 200, 200, 200]),
        ("analyst@demo.test", [200, 403, 404, 404]),
    ];
    for (who, want) in cases {
        let api = app.api(&app.token_for(who).await, "en");
        let paths = [
            "/api/v1/me".to_string(),
            "/api/v1/companies".to_string(),
            format!("/api/v1/companies/{own}"),
            format!("/api/v1/companies/{hidden}"),
        ];
        for (p, w) in paths.iter().zip(want) {
            assert_eq!(api.get(p).await.0, w, "{who} GET {p}");
        }
    }
    let anon = app.api("gdk_not_a_token", "en");
    let (status, body) = anon.get("/api/v1/me").await;
    assert_eq!(status, 401);
    assert_eq!(body["title"], "A valid API token is required.");
}

#[tokio::test]
async fn api_search_update_validation_and_concurrency() {
    let app = spawn().await;
    let officer = app.api(&app.token_for("officer@demo.test").await, "en");
    let (status, page) = officer.get("/api/v1/companies?region=26&hs=85&per_page=5").await;
    assert_eq!(status, 200);
    assert!(page["items"].as_array().unwrap().iter().any(|c| c["name_en"] == "Demo Co. Busan Precision"));
    assert!(page["items"].as_array().unwrap().iter().all(|c| c["region"] == "26"));

    let member = app.api(&app.token_for("company@demo.test").await, "en");
    let id = app.company_id_of("company@demo.test").await;
    let (_, current) = member.get(&format!("/api/v1/companies/{id}")).await;
    assert_eq!(current["export_stage"], "novice");
    assert_eq!(current["brn"], "602-81-00014");
    let mut body = json!({
        "version": current["version"], "brn": current["brn"], "name_ko": current["name_ko"], "name_en": "Demo Co. Busan Precision",
        "region": "26", "ksic": "26", "founded_on": "2016-05-02", "employees": 42, "revenue_krw": 6800000000i64, "exports_usd": 250000,
        "products": ["851713"], "export_countries": ["VN", "JP"], "target_countries": ["ID"], "consent": true
    });
    // Officers read companies; they do not rewrite them.
    assert_eq!(officer.send(reqwest::Method::PUT, &format!("/api/v1/companies/{id}"), &body).await.0, 403);

    let (status, updated) = member.send(reqwest::Method::PUT, &format!("/api/v1/companies/{id}"), &body).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["export_stage"], "promising", "USD 250,000 moves the company up a stage");
    assert_eq!(updated["export_countries"], json!(["JP", "VN"]));
    // The same version again is stale.
    let (status, problem) = member.send(reqwest::Method::PUT, &format!("/api/v1/companies/{id}"), &body).await;
    assert_eq!(status, 409);
    assert_eq!(problem["status"], 409);

    // Bad fields: RFC 9457 with one message per field, in the caller's language.
    body["version"] = updated["version"].clone();
    body["brn"] = json!("602-81-00013");
    body["revenue_krw"] = json!(-1);
    body["products"] = json!(["12345"]);
    body["export_countries"] = json!(["ZZ"]);
    let (status, problem) = member.send(reqwest::Method::PUT, &format!("/api/v1/companies/{id}"), &body).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["brn", "revenue_krw", "products", "export_countries"]);
    assert_eq!(problem["errors"][0]["message"], "The check digit of this business registration number is wrong. Please check the number.");
    let korean = app.api(&member.token, "ko");
    let (_, problem) = korean.send(reqwest::Method::PUT, &format!("/api/v1/companies/{id}"), &body).await;
    assert_eq!(problem["errors"][1]["message"], "0 이상의 값을 입력하세요.");
    // Nothing of the refused update was saved.
    let (_, after) = member.get(&format!("/api/v1/companies/{id}")).await;
    assert_eq!(after["version"], updated["version"]);
    assert_eq!(after["revenue_krw"], 6800000000i64);

    // A body that is not JSON for this shape is a problem document too.
    let r = reqwest::Client::new()
        .put(format!("{}/api/v1/companies/{id}", app.base))
        .bearer_auth(&member.token)
        .header("content-type", "application/json")
        .body("{\"brn\": 5}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn tokens_are_created_and_revoked_in_the_browser() {
    let app = spawn().await;
    let b = app.login("kotra@demo.test").await;
    let r = b.post("/account/tokens", &[("name", "partner system")]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let token = text_after(&html, "<code id=\"new-token\">", '<');
    assert_eq!(token.len(), 68);
    assert!(token.starts_with("gdk_"));
    let api = app.api(token, "ko");
    let (status, me) = api.get("/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], "kotra@demo.test");
    let user = store::users::by_email(&app.state.store.db, "kotra@demo.test").await.unwrap().unwrap();
    let id = store::tokens::list(&app.state.store.db, user.id).await.unwrap()[0].id;
    assert_eq!(b.post(&format!("/account/tokens/{id}/revoke"), &[]).await.status(), 303);
    assert_eq!(api.get("/api/v1/me").await.0, 401, "a revoked token no longer works");
    // Someone else's token cannot be revoked.
    let other = app.login("officer@demo.test").await;
    assert_eq!(other.post(&format!("/account/tokens/{id}/revoke"), &[]).await.status(), 404);
}

#[tokio::test]
async fn csrf_is_required_for_every_form() {
    let app = spawn().await;
    let b = app.login("company@demo.test").await;
    let r = b.http.post(format!("{}/company/members", app.base)).form(&[("email", "x@example.kr")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = b
        .http
        .post(format!("{}/company/members", app.base))
        .form(&[("_csrf", "0".repeat(64).as_str()), ("email", "x@example.kr")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("양식이 만료되었거나 올바르지 않습니다"));
    // The header works for htmx calls.
    let r = b.http.post(format!("{}/logout", app.base)).header("x-csrf-token", &b.csrf).send().await.unwrap();
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_and_are_audited() {
    let app = spawn().await;
    let b = app.browser().await;
    for _ in 0..4 {
        let r = b.post("/login", &[("email", "analyst@demo.test"), ("password", "wrong password")]).await;
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("이메일 또는 비밀번호가 올바르지 않습니다."));
    }
    let r = b.post("/login", &[("email", "analyst@demo.test"), ("password", "wrong password")]).await;
    assert!(r.text().await.unwrap().contains("계정이 잠시 잠겼습니다"));
    // Even the right password is refused while locked.
    let r = b.post("/login", &[("email", "analyst@demo.test"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), 429);
    let log = store::audit::list(&app.state.store.db, Some("login"), 50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "login.lockout" && e.actor == "analyst@demo.test"));
    assert!(log.iter().filter(|e| e.action == "login.failed").count() >= 4);
}

#[tokio::test]
async fn language_follows_accept_language_and_the_switch() {
    let app = spawn().await;
    let en = app.browser_lang("en-US,en;q=0.9").await;
    let (_, html) = en.text("/").await;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Going global, from one desk"));
    let ko = app.browser().await;
    let (_, html) = ko.text("/").await;
    assert!(html.contains("<html lang=\"ko\">"));
    let r = ko.get("/lang/en?next=/login").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
    let (_, html) = ko.text("/login").await;
    assert!(html.contains("<html lang=\"en\">") && html.contains("Sign in"));
    // Money and dates are formatted for the reader.
    let b = app.login("officer@demo.test").await;
    let id = app.company_id_of("company@demo.test").await;
    let (_, html) = b.text(&format!("/companies/{id}")).await;
    assert!(html.contains("6,800,000,000원") && html.contains("2016년 5월 2일"));
    b.get("/lang/en").await;
    let (_, html) = b.text(&format!("/companies/{id}")).await;
    assert!(html.contains("KRW 6,800,000,000") && html.contains("2 May 2016"));
    // Redirects never leave the site.
    let r = ko.get("/lang/ko?next=//evil.example").await;
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn oversized_requests_are_refused() {
    let app = spawn().await;
    let api = app.api(&app.token_for("company@demo.test").await, "en");
    let big = "x".repeat(2 * 1024 * 1024);
    let r = reqwest::Client::new()
        .put(format!("{}/api/v1/companies/1", app.base))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body(format!("{{\"name_ko\": \"{big}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let b = app.login("company@demo.test").await;
    let r = b
        .http
        .post(format!("{}/company", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("_csrf={}&name_ko={big}", b.csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn members_invite_colleagues_who_join_the_same_company() {
    let app = spawn().await;
    let b = app.login("company@demo.test").await;
    let r = b.post("/company/members", &[("email", "colleague@example.kr")]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let link = text_after(&html, "id=\"invite-link\" href=\"", '"');
    let path = link.trim_start_matches(&app.base);
    // The e-mail went to the outbox in the same transaction.
    assert_eq!(store::jobs::count_by_status(&app.state.store.db, "pending").await.unwrap(), 1);

    let guest = app.browser().await;
    let r = guest.post(path, &[("display_name", "동료"), ("email", "someone-else@example.kr"), ("password", "passphrase-0002")]).await;
    assert_eq!(r.status(), 422, "only the invited address may accept");
    let r = guest.post(path, &[("display_name", "동료"), ("email", "colleague@example.kr"), ("password", "passphrase-0002")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.company_id_of("colleague@example.kr").await, app.company_id_of("company@demo.test").await);
    // An invitation works once.
    assert_eq!(guest.get(path).await.status(), 404);
}

#[tokio::test]
async fn two_nodes_on_one_database_share_sessions() {
    let a = spawn().await;
    let b = spawn_on(&a.db_url, Options::default()).await;
    let browser = a.login("officer@demo.test").await;
    // The same cookie jar, pointed at the other node.
    let r = browser.http.get(format!("{}/companies", b.base)).send().await.unwrap();
    assert_eq!(r.status(), 200, "node B knows node A's session");
    let r = browser.http.post(format!("{}/logout", a.base)).form(&[("_csrf", browser.csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    // Node B trusts what it looked up for at most a second (the session cache).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = browser.http.get(format!("{}/companies", b.base)).send().await.unwrap();
    assert_eq!(r.status(), 303, "signing out on A signs out on B");
}

/// Pages kept rendered on a node (see `kit::page_cache`) must not outlive a change made on
/// another node: node B shows a profile, a search result and a queue, node A changes all three,
/// and B's pages follow within its change poll.
#[tokio::test]
async fn kept_pages_follow_changes_made_on_another_node() {
    let a = spawn().await;
    let b = spawn_on(&a.db_url, Options::default()).await;
    let member_b = b.login("company@demo.test").await;
    let officer_b = b.login("officer@demo.test").await;
    let officer_a = a.login("officer@demo.test").await;
    let id = a.company_id_of("company@demo.test").await;
    let new_name = "Kept Page Check Co.";
    for path in ["/company".to_string(), format!("/companies/{id}"), "/companies?q=Kept%20Page".into()] {
        let who = if path == "/company" { &member_b } else { &officer_b };
        let (status, html) = who.text(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains(new_name), "{path} before the change");
    }
    let (_, queue) = officer_b.text("/officer/cases").await;
    assert!(!queue.contains("Kept filter"));

    // The change, on node A: a new English name through the API, a saved queue filter.
    let member_api = a.api(&a.token_for("company@demo.test").await, "en");
    let (_, current) = member_api.get(&format!("/api/v1/companies/{id}")).await;
    let mut body = current.clone();
    body["name_en"] = json!(new_name);
    body["consent"] = json!(true);
    let (status, updated) = member_api.send(reqwest::Method::PUT, &format!("/api/v1/companies/{id}"), &body).await;
    assert_eq!(status, 200, "{updated}");
    let r = officer_a.post("/officer/filters", &[("name", "Kept filter"), ("query", "view=overdue")]).await;
    assert_eq!(r.status(), 303);

    // Node B polls the shared change logs twice a second.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut pending: Vec<(String, &str)> = vec![
        ("/company".into(), new_name),
        (format!("/companies/{id}"), new_name),
        ("/companies?q=Kept%20Page".into(), new_name),
        ("/officer/cases".into(), "Kept filter"),
    ];
    while !pending.is_empty() && std::time::Instant::now() < deadline {
        let mut still = Vec::new();
        for (path, want) in pending {
            let who = if path == "/company" { &member_b } else { &officer_b };
            if !who.text(&path).await.1.contains(want) {
                still.push((path, want));
            }
        }
        pending = still;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(pending.is_empty(), "pages on node B still show the old state: {pending:?}");
}

/// The value of one metric line on `/metrics`.
async fn metric(app: &TestApp, name: &str) -> u64 {
    let text = reqwest::get(format!("{}/metrics", app.base)).await.unwrap().text().await.unwrap();
    text.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok())).unwrap_or_else(|| panic!("{name} missing:\n{text}"))
}

/// On PostgreSQL a commit with changes wakes the other nodes (`NOTIFY`), so they need not wait
/// for their poll; on SQLite there is nothing to listen to and the poll brings the change. Either
/// way node B's copy follows node A's write, and `/metrics` tells which way it came.
#[tokio::test]
async fn another_node_hears_of_a_change_by_notify_on_postgres_and_by_polling_on_sqlite() {
    let a = spawn().await;
    let b = spawn_on(&a.db_url, Options::default()).await;
    let postgres = a.db_url.starts_with("postgres");
    // Let B's listener connect before the write.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let before = metric(&b, "globaldesk_change_notifications_total").await;
    let officer_a = a.login("officer@demo.test").await;
    let r = officer_a.post("/officer/filters", &[("name", "Heard filter"), ("query", "view=overdue")]).await;
    assert_eq!(r.status(), 303);
    let officer_b = b.login("officer@demo.test").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !officer_b.text("/officer/cases").await.1.contains("Heard filter") {
        assert!(std::time::Instant::now() < deadline, "node B never heard of the change");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let after = metric(&b, "globaldesk_change_notifications_total").await;
    if postgres {
        assert!(after > before, "node B was woken by NOTIFY ({before} -> {after})");
    } else {
        assert_eq!(after, 0, "no notifications on SQLite");
    }
    assert!(metric(&b, "globaldesk_change_rounds_total").await > 0);
    assert!(metric(&b, "globaldesk_cache_entries{cache=\"companies\",room=\"kit\"}").await > 0);
}

#[tokio::test]
async fn company_csv_import_reports_rows_or_loads_nothing() {
    let app = spawn().await;
    let store = &app.state.store;
    let good1 = domain::Brn::from_prefix([1, 1, 1, 2, 2, 3, 3, 3, 3]).formatted();
    let good2 = domain::Brn::from_prefix([1, 1, 1, 2, 2, 3, 3, 3, 4]).formatted();
    let csv = format!(
        "brn,name_ko,name_en,region,ksic,founded_on,employees,revenue_krw,exports_usd,products,export_countries,target_countries\n\
         {good1},가져오기 1,Import 1,26,C,2010-01-01,10,1000000000,0,8517,,VN\n\
         124-81-00999,잘못된 번호,,26,C,2010-01-01,10,1000000000,0,8517,,\n\
         {good2},가져오기 2,Import 2,11,J,2012-02-02,5,500000000,120000,8471;8517,US,JP\n"
    );
    let before = store::companies::count(&store.db).await.unwrap();
    let report = globaldesk::import::companies(store, &csv, true).await.unwrap();
    assert_eq!((report.loaded, report.failed), (0, 1));
    assert!(report.errors[0].starts_with("line 3: brn: The check digit"), "{:?}", report.errors);
    assert_eq!(store::companies::count(&store.db).await.unwrap(), before, "all-or-nothing loads nothing");
    let report = globaldesk::import::companies(store, &csv, false).await.unwrap();
    assert_eq!((report.loaded, report.failed), (2, 1));
    assert_eq!(store::companies::count(&store.db).await.unwrap(), before + 2);
}

#[tokio::test]
async fn openapi_document_and_docs_work_offline() {
    let app = spawn().await;
    let doc: serde_json::Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for p in ["/api/v1/me", "/api/v1/companies", "/api/v1/companies/{id}"] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
    let html = reqwest::get(format!("{}/api/docs/", app.base)).await.unwrap().text().await.unwrap();
    assert!(html.contains("swagger-ui"));
    // Unknown API paths get a problem document; unknown pages get a page in the reader's language.
    let r = reqwest::get(format!("{}/api/v1/nothing-here", app.base)).await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (404, "application/problem+json"));
    let r = app.browser_lang("en").await.get("/no-such-page").await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("The page was not found."));
}

/// A real SMTP server (aiosmtpd) on a free loopback port; its received messages arrive as
/// JSON lines on the returned channel. The server stops when the guard is dropped.
struct SmtpSink {
    port: u16,
    messages: std::sync::mpsc::Receiver<String>,
    _server: KillOnDrop,
}

struct KillOnDrop(std::process::Child);
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn smtp_sink() -> SmtpSink {
    smtp_sink_with(&[])
}

/// The sink with its TLS mode: `["starttls" | "tls", cert.pem, key.pem]`, or nothing for plain.
fn smtp_sink_with(tls: &[&str]) -> SmtpSink {
    use std::io::{BufRead, BufReader};
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py"))
        .arg(port.to_string())
        .args(tls)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd (scripts/test.sh installs it)");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    assert_eq!(rx.recv_timeout(std::time::Duration::from_secs(20)).expect("SMTP sink started"), "READY");
    SmtpSink { port, messages: rx, _server: KillOnDrop(child) }
}

/// Sign-up outside demo mode: the confirmation link travels through the outbox, a real SMTP
/// server (aiosmtpd on loopback) receives it, and following it unlocks the account.
/// Multi-threaded: the test waits on the SMTP sink's output while the worker sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_is_confirmed_by_an_emailed_link_over_smtp() {
    let sink = smtp_sink();
    let (port, rx) = (sink.port, &sink.messages);
    let mail = kit::mail::MailConfig::Smtp {
        host: "127.0.0.1".into(),
        port,
        from: "GlobalDesk <no-reply@globaldesk.test>".into(),
        tls: kit::mail::SmtpTls::None,
        credentials: None,
        extra_root: None,
    };
    let app = spawn_with(Options { demo: false, mail: Some(mail), worker: true }).await;
    let b = app.browser_lang("en").await;
    let r = b.post("/signup", &[("display_name", "Kim"), ("email", "kim@example.kr"), ("password", "passphrase-0003")]).await;
    assert_eq!(r.headers()["location"], "/login?sent=1");
    let r = b.post("/login", &[("email", "kim@example.kr"), ("password", "passphrase-0003")]).await;
    assert_eq!(r.status(), 403, "not confirmed yet");

    let line = rx.recv_timeout(std::time::Duration::from_secs(20)).expect("the confirmation e-mail arrives");
    let msg: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(msg["to"], serde_json::json!(["kim@example.kr"]));
    assert_eq!(msg["subject"], "[GlobalDesk] Please confirm your e-mail address");
    let body = msg["body"].as_str().unwrap();
    let start = body.find("/confirm?token=").expect("link in the body");
    let token: String = body[start + "/confirm?token=".len()..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    let r = b.get(&format!("/confirm?token={token}")).await;
    assert_eq!(r.headers()["location"], "/login?confirmed=1");
    let r = b.post("/login", &[("email", "kim@example.kr"), ("password", "passphrase-0003")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(store::jobs::count_by_status(&app.state.store.db, "done").await.unwrap(), 1);
}

/// The operator's commands, run as the real binary.
#[tokio::test]
async fn command_line_migrate_user_token_and_import() {
    let bin = env!("CARGO_BIN_EXE_globaldesk");
    let url = fresh_database().await;
    let run = |args: &[&str]| {
        let out =
            std::process::Command::new(bin).arg("--database-url").arg(&url).args(args).env("GLOBALDESK_LOG", "warn").output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
    };
    let (ok, out) = run(&["migrate"]);
    assert!(ok, "{out}");
    let (ok, out) = run(&[
        "user",
        "add",
        "--email",
        "new.officer@example.kr",
        "--name",
        "신규 담당자",
        "--role",
        "officer",
        "--agency",
        "KOTRA",
        "--password",
        "passphrase-0004",
    ]);
    assert!(ok, "{out}");
    let (ok, out) = run(&["user", "add", "--email", "x@example.kr", "--name", "X", "--role", "officer", "--password", "passphrase-0004"]);
    assert!(!ok && out.contains("needs --agency"), "{out}");
    let (ok, out) = run(&["token", "create", "--email", "new.officer@example.kr"]);
    assert!(ok, "{out}");
    assert!(out.trim().starts_with("gdk_"));

    let dir = std::env::temp_dir().join("globaldesk-tests");
    let file = dir.join(format!("import-{}.csv", std::process::id()));
    let good = domain::Brn::from_prefix([3, 3, 3, 4, 4, 5, 5, 5, 5]).formatted();
    std::fs::write(&file, format!("brn,name_ko,region,ksic,founded_on,employees,revenue_krw,exports_usd,products\n{good},가져오기,26,C,2001-01-01,3,100,0,8517\n111-11-11111,오류,26,C,2001-01-01,3,100,0,8517\n")).unwrap();
    let (ok, out) = run(&["import", "companies", file.to_str().unwrap(), "--all-or-nothing"]);
    assert!(!ok && out.contains("line 3: brn:") && out.contains("0 loaded, 1 refused"), "{out}");
    let (ok, out) = run(&["import", "companies", file.to_str().unwrap()]);
    assert!(ok && out.contains("1 loaded, 1 refused"), "{out}");
    let (ok, out) = run(&["import", "planets", file.to_str().unwrap()]);
    assert!(!ok && out.contains("unknown reference kind"), "{out}");
    let countries = dir.join(format!("countries-{}.csv", std::process::id()));
    std::fs::write(&countries, "alpha2,alpha3,name_en,name_ko,m49_region,currency_code\nXK,XKX,Kosovo,코소보,Europe,EUR\n").unwrap();
    let (ok, out) = run(&["import", "countries", countries.to_str().unwrap()]);
    assert!(ok && out.contains("imported 1 countries rows"), "{out}");
    let (ok, out) = run(&["--help"]);
    assert!(ok && out.contains("serve") && out.contains("import"), "{out}");
}

/// The in-memory company index answers exactly like the SQL search, for every combination of
/// filters, sorts and pages we try, and picks up changes made directly in the database.
#[tokio::test]
async fn company_index_agrees_with_sql_search() {
    use store::companies::{Filter, Sort};
    let app = spawn().await;
    let db = &app.state.store.db;
    let index = &app.state.companies;
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let mut cases = 0;
    for q in ["", "예시", "기업 0", "000013", "demo co", "부산정밀", "602-81-00014", "zz"] {
        for region in ["", "26", "11"] {
            for (stage, hs, country, ksic) in [
                ("", "", "", ""),
                ("novice", "", "", ""),
                ("", "85", "", ""),
                ("", "8517", "VN", ""),
                ("", "851713", "", "26"),
                ("", "", "ID", "C"),
                ("growth", "", "", "G"),
            ] {
                for consented_only in [true, false] {
                    let f = Filter {
                        q: opt(q),
                        region: opt(region),
                        ksic: opt(ksic),
                        hs_prefix: opt(hs),
                        country: opt(country),
                        stage: opt(stage),
                        consented_only,
                    };
                    for (sort, desc, offset) in
                        [(Sort::Name, false, 0), (Sort::Exports, true, 0), (Sort::Founded, false, 5), (Sort::Employees, true, 10)]
                    {
                        let (rows, total) = store::companies::search(db, &f, sort, desc, 10, offset).await.unwrap();
                        let found = index.search(&f, sort, desc, 10, offset as usize);
                        assert_eq!(found.total as i64, total, "{f:?}");
                        let a: Vec<i64> = rows.iter().map(|r| r.id).collect();
                        let b: Vec<i64> = found.rows.iter().map(|c| c.row.id).collect();
                        assert_eq!(a, b, "{f:?} {sort:?} desc={desc} offset={offset}");
                        cases += 1;
                    }
                }
            }
        }
    }
    assert!(cases > 1000);
    // A change written by another process (here: straight to the database) arrives by polling.
    let report = globaldesk::import::companies(
        &app.state.store,
        &format!(
            "brn,name_ko,region,ksic,founded_on,employees,revenue_krw,exports_usd,products\n{},폴링확인기업,26,C,2001-01-01,3,100,0,8517\n",
            domain::Brn::from_prefix([5, 5, 5, 1, 2, 3, 4, 5, 6]).formatted()
        ),
        true,
    )
    .await
    .unwrap();
    assert_eq!(report.loaded, 1);
    let f = Filter { q: Some("폴링확인".into()), ..Filter::default() };
    let mut seen = 0;
    for _ in 0..40 {
        seen = index.search(&f, Sort::Name, false, 10, 0).total;
        if seen == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, 1, "the poller picked up the imported company");
}

#[tokio::test]
async fn opening_a_company_is_audited() {
    let app = spawn().await;
    let b = app.login("officer@demo.test").await;
    let id = app.company_id_of("company@demo.test").await;
    assert_eq!(b.get(&format!("/companies/{id}")).await.status(), 200);
    let mut found = false;
    for _ in 0..30 {
        let log = store::audit::list(&app.state.store.db, Some("company.view"), 10, 0).await.unwrap();
        if log.iter().any(|e| e.actor == "officer@demo.test" && e.target == format!("company:{id}")) {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(found, "the view reached the audit log");
}

/// Migrating twice is a no-op, and a node that migrated (and keeps its pool open) does not
/// block the next node's migration.
#[tokio::test]
async fn migrations_are_idempotent_and_release_their_lock() {
    let url = fresh_database().await;
    let a = store::Store::connect(&url).await.unwrap();
    assert!(store::migrate::run(&a).await.unwrap().is_empty());
    assert!(store::migrate::run(&a).await.unwrap().is_empty());
    let b = store::Store::connect(&url).await.unwrap();
    let second = tokio::time::timeout(std::time::Duration::from_secs(10), store::migrate::run(&b)).await;
    assert!(second.expect("the second node is not blocked").unwrap().is_empty());
}

/// With STARTTLS required, a server that cannot do it gets no mail: the job fails, is kept
/// for a retry with the error recorded, and nothing goes out in clear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_is_required_when_configured() {
    let sink = smtp_sink();
    let mail = kit::mail::MailConfig::Smtp {
        host: "127.0.0.1".into(),
        port: sink.port,
        from: "GlobalDesk <no-reply@globaldesk.test>".into(),
        tls: kit::mail::SmtpTls::StartTls,
        credentials: None,
        extra_root: None,
    };
    let app = spawn_with(Options { demo: false, mail: Some(mail), worker: true }).await;
    let b = app.browser_lang("en").await;
    let r = b.post("/signup", &[("display_name", "Lee"), ("email", "lee@example.kr"), ("password", "passphrase-0005")]).await;
    assert_eq!(r.status(), 303);
    #[derive(sea_orm::FromQueryResult)]
    struct Job {
        status: String,
        attempts: i64,
        last_error: Option<String>,
    }
    let mut job = None;
    for _ in 0..50 {
        let j: Option<Job> = sea_orm::FromQueryResult::find_by_statement(sea_orm::Statement::from_string(
            sea_orm::ConnectionTrait::get_database_backend(&app.state.store.db),
            "SELECT status, attempts, last_error FROM jobs",
        ))
        .one(&app.state.store.db)
        .await
        .unwrap();
        if j.as_ref().is_some_and(|j| j.last_error.is_some()) {
            job = j;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let job = job.expect("the send was attempted and failed");
    assert_eq!((job.status.as_str(), job.attempts), ("pending", 1), "kept for a retry");
    assert!(sink.messages.recv_timeout(std::time::Duration::from_millis(500)).is_err(), "nothing was delivered in clear");
}

/// A private certificate authority and a certificate it signed for 127.0.0.1, as PEM:
/// (authority, server certificate, server key).
fn private_ca_and_server_certificate() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "GlobalDesk test agency CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    let server_cert = server.signed_by(&server_key, &Issuer::new(ca, ca_key)).unwrap();
    (ca_cert.pem(), server_cert.pem(), server_key.serialize_pem())
}

/// SMTP over TLS to a relay whose certificate comes from a private authority: with that
/// authority configured, mail goes over STARTTLS and over TLS from the first byte and arrives
/// encrypted; without it the relay's certificate is refused and nothing is delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_over_tls_when_the_relay_is_trusted() {
    let (ca, cert, key) = private_ca_and_server_certificate();
    let dir = std::env::temp_dir().join(format!("gd-smtp-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert_path, key_path) = (dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    let (cert_path, key_path) = (cert_path.to_str().unwrap(), key_path.to_str().unwrap());
    let authority = kit::mail::certificate_authority(ca.as_bytes()).unwrap();
    assert!(kit::mail::certificate_authority(b"not a certificate").is_err(), "a file without a certificate is refused");

    let config = |port, tls, extra_root| kit::mail::MailConfig::Smtp {
        host: "127.0.0.1".into(),
        port,
        from: "GlobalDesk <no-reply@globaldesk.test>".into(),
        tls,
        credentials: None,
        extra_root,
    };
    for (mode, tls) in [("starttls", kit::mail::SmtpTls::StartTls), ("tls", kit::mail::SmtpTls::Tls)] {
        let sink = smtp_sink_with(&[mode, cert_path, key_path]);
        let email = kit::mail::Email { to: "park@example.kr".into(), subject: format!("over {mode}"), body: "안녕하세요".into() };
        kit::mail::send(&config(sink.port, tls, Some(authority.clone())), &email).await.unwrap_or_else(|e| panic!("{mode}: {e}"));
        let line = sink.messages.recv_timeout(std::time::Duration::from_secs(10)).expect("the message arrives");
        let msg: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!((msg["subject"].as_str(), msg["tls"].as_bool()), (Some(format!("over {mode}").as_str()), Some(true)));
        assert_eq!(msg["body"].as_str().map(str::trim), Some("안녕하세요"));

        // The same relay, but its authority not configured: only the public roots are trusted.
        let refused = kit::mail::send(&config(sink.port, tls, None), &email).await;
        assert!(refused.is_err(), "{mode}: an untrusted certificate is refused");
        assert!(sink.messages.recv_timeout(std::time::Duration::from_millis(300)).is_err(), "{mode}: nothing was delivered");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// HS codes come with Korean titles down to the chapter, and with their section; the 21
/// sections are listed with their chapter runs.
#[tokio::test]
async fn hs_reference_has_korean_chapters_and_sections() {
    let app = spawn().await;
    let api = app.api(&app.token_for("company@demo.test").await, "ko");
    let (status, hits) = api.get("/api/v1/reference/hs?q=85").await;
    assert_eq!(status, 200);
    let chapter = &hits.as_array().unwrap()[0];
    assert_eq!((chapter["code"].as_str(), chapter["level"].as_i64(), chapter["section"].as_str()), (Some("85"), Some(2), Some("XVI")));
    assert!(chapter["name_ko"].as_str().unwrap().starts_with("전기기기"), "{chapter}");
    // A Korean word finds the chapter by its Korean title.
    let (_, hits) = api.get("/api/v1/reference/hs?q=%EC%9E%A1%ED%92%88").await;
    assert!(hits.as_array().unwrap().iter().any(|h| h["code"] == "96" && h["section"] == "XX"), "{hits}");
    let (status, sections) = api.get("/api/v1/reference/hs-sections").await;
    assert_eq!(status, 200);
    let sections = sections.as_array().unwrap();
    assert_eq!(sections.len(), 21);
    assert_eq!(
        (sections[15]["code"].as_str(), sections[15]["first_chapter"].as_str(), sections[15]["last_chapter"].as_str()),
        (Some("XVI"), Some("84"), Some("85"))
    );
    assert!(sections[15]["name_ko"].as_str().unwrap().contains("기계류"));
    assert_eq!(
        app.api("", "ko").get("/api/v1/reference/hs-sections").await.0,
        401,
        "reference data is for signed-in callers, as the rest of the API"
    );
}

/// A reference list imported while nodes run reaches every node without a restart.
#[tokio::test]
async fn reference_imports_reach_running_nodes() {
    let app = spawn().await;
    assert!(app.state.refs().country("XK").is_none());
    store::reference::import(
        &app.state.store,
        "countries",
        "alpha2,alpha3,name_en,name_ko,m49_region,currency_code\nXK,XKX,Kosovo,코소보,Europe,EUR\n",
    )
    .await
    .unwrap();
    let mut seen = false;
    for _ in 0..40 {
        if app.state.refs().country("XK").is_some() {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(seen, "the node reloaded its reference data");
    // And the new code is accepted at once by the profile form.
    let api = app.api(&app.token_for("company@demo.test").await, "en");
    let (_, suggestions) = api.get("/api/v1/reference/countries").await;
    assert!(suggestions.as_array().unwrap().iter().any(|c| c["alpha2"] == "XK"));
}

#[tokio::test]
async fn the_admin_user_list_pages() {
    let app = spawn().await;
    for i in 0..50 {
        let email = format!("user{i:02}@example.kr");
        store::users::create(
            &app.state.store.db,
            store::users::NewUser {
                email: &email,
                password_hash: "x",
                display_name: "U",
                role: domain::Role::Analyst,
                agency_id: None,
                company_id: None,
                locale: "ko",
                email_confirmed: true,
                confirm_token_hash: None,
            },
        )
        .await
        .unwrap();
    }
    let b = app.login("admin@demo.test").await;
    let (_, first) = b.text("/admin/users").await;
    assert!(first.contains("href=\"/admin/users?page=2\""));
    assert!(first.contains("user38@example.kr") && !first.contains("user39@example.kr"), "11 demo accounts + 39 on page 1");
    let (_, second) = b.text("/admin/users?page=2").await;
    assert!(second.contains("user49@example.kr") && !second.contains("user38@example.kr"));
    assert!(!second.contains("href=\"/admin/users?page=3\""));
}

#[tokio::test]
async fn admins_change_roles_and_suspend_accounts_within_their_reach() {
    let app = spawn().await;
    let id_of = |email: &'static str| {
        let db = app.state.store.db.clone();
        async move { store::users::by_email(&db, email).await.unwrap().unwrap() }
    };
    let officer = id_of("officer@demo.test").await;
    let kotra = id_of("kotra@demo.test").await;
    let company = id_of("company@demo.test").await;
    let mss_admin = app.login("agency-admin@demo.test").await;
    let officer_session = app.login("officer@demo.test").await;
    let officer_api = app.api(&app.token_for("officer@demo.test").await, "ko");
    assert_eq!(officer_api.get("/api/v1/me").await.0, 200);

    // An agency admin manages its own agency's staff only, grants no platform role, and does not
    // change its own account.
    let r = mss_admin.post(&format!("/admin/users/{}", kotra.id), &[("role", "officer"), ("agency", "KOTRA"), ("active", "1")]).await;
    assert_eq!(r.status(), 404);
    let r =
        mss_admin.post(&format!("/admin/users/{}", officer.id), &[("role", "platform_admin"), ("agency", "MSS"), ("active", "1")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("error=users-error-role"));
    let me = id_of("agency-admin@demo.test").await;
    let r = mss_admin.post(&format!("/admin/users/{}", me.id), &[("role", "officer"), ("agency", "MSS")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("error=users-error-self"));
    let (s, html) = mss_admin.text("/admin/users?error=users-error-self").await;
    assert_eq!(s, 422);
    assert!(html.contains("자기 계정의 역할이나 사용 여부는 여기서 바꿀 수 없습니다"));
    assert_eq!(id_of("officer@demo.test").await.role, "officer", "nothing changed");

    // Suspending the MSS officer signs them out at once: page, API token and sign-in all refused.
    let r = mss_admin.post(&format!("/admin/users/{}", officer.id), &[("role", "officer"), ("agency", "MSS")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("updated=1"));
    assert!(!id_of("officer@demo.test").await.active);
    assert_eq!(officer_session.get("/officer/cases").await.status(), 303, "the session is gone");
    assert_eq!(officer_api.get("/api/v1/me").await.0, 401);
    let b = app.browser().await;
    let r = b.post("/login", &[("email", "officer@demo.test"), ("password", PASSWORD)]).await;
    assert_ne!(r.status(), 303, "a suspended account cannot sign in");
    // Allowed again, and promoted to agency admin.
    mss_admin.post(&format!("/admin/users/{}", officer.id), &[("role", "agency_admin"), ("agency", "MSS"), ("active", "1")]).await;
    let after = id_of("officer@demo.test").await;
    assert!(after.active);
    assert_eq!(after.role, "agency_admin");
    let audit = store::audit::list(&app.state.store.db, Some("user.update"), 10, 0).await.unwrap();
    assert_eq!(audit.len(), 2, "both changes are in the audit log");

    // A platform admin may suspend a company member but not turn them into staff.
    let admin = app.login("admin@demo.test").await;
    let r = admin.post(&format!("/admin/users/{}", company.id), &[("role", "officer"), ("agency", "MSS"), ("active", "1")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("error=users-error-not-staff"));
    let r = admin.post(&format!("/admin/users/{}", company.id), &[("role", "company_member")]).await;
    assert!(r.headers()["location"].to_str().unwrap().contains("updated=1"));
    let c = id_of("company@demo.test").await;
    assert!(!c.active && c.company_id.is_some(), "suspended, still a member of its company");
    // An officer cannot reach the page at all.
    let kotra_b = app.login("kotra@demo.test").await;
    assert_eq!(kotra_b.post(&format!("/admin/users/{}", officer.id), &[("role", "officer"), ("agency", "MSS")]).await.status(), 403);
}
