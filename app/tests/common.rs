//! A real GlobalDesk for black-box tests: a fresh database per test (cloned from a template
//! that is migrated and seeded once per run), the real router on a free port, real HTTP.
//!
//! `GLOBALDESK_TEST_DATABASE_URL` picks the engine: unset or `sqlite:` for SQLite files,
//! `postgres://…/postgres` for PostgreSQL (one database per test, created from a template).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Mutex;
use store::Store;

pub const PASSWORD: &str = "globaldesk-demo";

static TEMPLATE: Mutex<Option<String>> = Mutex::new(None);

fn engine_url() -> String {
    std::env::var("GLOBALDESK_TEST_DATABASE_URL").unwrap_or_else(|_| "sqlite:".into())
}

fn unique(prefix: &str) -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    format!("{prefix}_{}_{}", std::process::id(), b.iter().map(|x| format!("{x:02x}")).collect::<String>())
}

fn pg_url_for(base: &str, db: &str) -> String {
    let (head, _) = base.rsplit_once('/').expect("postgres URL with a database");
    format!("{head}/{db}")
}

async fn seed(store: &Store) {
    store::migrate::run(store).await.unwrap();
    store::reference::seed_builtin(store).await.unwrap();
    globaldesk::demo::seed_accounts(store, PASSWORD).await.unwrap();
    globaldesk::demo::seed_companies(store, 40, false).await.unwrap();
    globaldesk::catalog::seed_demo_catalog(store).await.unwrap();
    store::desk::seed_defaults(&store.db).await.unwrap();
    globaldesk::playbook_seed::seed_playbooks(store).await.unwrap();
    globaldesk::expert_demo::seed_experts(store).await.unwrap();
    crate::publications::install(store).await;
}

/// Returns a connection URL for a brand-new database holding the template's content.
// The lock is held across awaits on purpose: it makes every test thread wait until the one
// building the template has finished. Each test has its own runtime, so none can deadlock.
#[allow(clippy::await_holding_lock)]
pub async fn fresh_database() -> String {
    let base = engine_url();
    let mut template = TEMPLATE.lock().unwrap();
    if base.starts_with("postgres") {
        let admin = Store::connect(&base).await.unwrap();
        if template.is_none() {
            let name = unique("gdt_template");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            let s = Store::connect(&pg_url_for(&base, &name)).await.unwrap();
            seed(&s).await;
            s.close().await.unwrap();
            *template = Some(name);
        }
        let name = unique("gdt");
        admin.execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {}", template.as_ref().unwrap())).await.unwrap();
        admin.close().await.unwrap();
        pg_url_for(&base, &name)
    } else {
        let dir = std::env::temp_dir().join("globaldesk-tests");
        std::fs::create_dir_all(&dir).unwrap();
        if template.is_none() {
            let work = dir.join(format!("{}.db", unique("build")));
            let s = Store::connect(&format!("sqlite://{}?mode=rwc", work.display())).await.unwrap();
            seed(&s).await;
            let path = dir.join(format!("{}.db", unique("template")));
            s.execute_unprepared(&format!("VACUUM INTO '{}'", path.display())).await.unwrap();
            s.close().await.unwrap();
            let _ = std::fs::remove_file(&work);
            *template = Some(path.display().to_string());
        }
        let path = dir.join(format!("{}.db", unique("test")));
        std::fs::copy(template.as_ref().unwrap(), &path).unwrap();
        format!("sqlite://{}?mode=rwc", path.display())
    }
}

pub struct TestApp {
    pub base: String,
    pub state: globaldesk::site::Site,
    pub db_url: String,
    pub mail_dir: std::path::PathBuf,
}

pub struct Options {
    pub demo: bool,
    pub mail: Option<kit::mail::MailConfig>,
    pub worker: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { demo: true, mail: None, worker: false }
    }
}

pub async fn spawn() -> TestApp {
    spawn_with(Options::default()).await
}

pub async fn spawn_with(opts: Options) -> TestApp {
    let db_url = fresh_database().await;
    spawn_on(&db_url, opts).await
}

/// Starts a node on an existing database (two nodes on one database act as one site).
pub async fn spawn_on(db_url: &str, opts: Options) -> TestApp {
    let store = Store::connect(db_url).await.unwrap();
    let mail_dir = std::env::temp_dir().join("globaldesk-tests").join(unique("mail"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = kit::Config {
        demo: opts.demo,
        base_url: format!("http://{addr}"),
        mail: opts.mail.unwrap_or(kit::mail::MailConfig::Files(mail_dir.clone())),
        static_dir: std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../static")),
        files_dir: std::env::temp_dir().join("globaldesk-tests").join(unique("files")),
        ..kit::Config::default()
    };
    let state = globaldesk::site::Site::open(store, config).await.unwrap();
    state.start_background(opts.worker);
    // Every state-changing request is checked for publishing what it changed (see
    // `publications`).
    let app = state
        .router()
        .layer(axum::middleware::from_fn_with_state(state.store.clone(), crate::publications::check))
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    TestApp { base: format!("http://{addr}"), state, db_url: db_url.to_string(), mail_dir }
}

/// A browser-like client: keeps cookies, knows its CSRF token.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf-token\" content=\"";
    let start = html.find(marker).expect("page has a csrf meta tag") + marker.len();
    html[start..start + 64].to_string()
}

impl TestApp {
    pub async fn browser(&self) -> Browser {
        self.browser_lang("ko").await
    }

    pub async fn browser_lang(&self, lang: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ACCEPT_LANGUAGE, lang.parse().unwrap());
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        let html = http.get(format!("{}/login", self.base)).send().await.unwrap().text().await.unwrap();
        Browser { http, base: self.base.clone(), csrf: csrf_in(&html) }
    }

    /// Signs in and returns the browser; panics if the sign-in fails.
    pub async fn login(&self, email: &str) -> Browser {
        let mut b = self.browser().await;
        let r = b.post("/login", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(r.status(), 303, "sign-in of {email} failed");
        b.refresh_csrf().await;
        b
    }

    pub async fn token_for(&self, email: &str) -> String {
        let user = store::users::by_email(&self.state.store.db, email).await.unwrap().unwrap();
        store::tokens::create(&self.state.store.db, user.id, "test").await.unwrap().1
    }

    pub fn api(&self, token: &str, lang: &str) -> Api {
        Api { http: reqwest::Client::new(), base: self.base.clone(), token: token.to_string(), lang: lang.to_string() }
    }

    pub async fn company_id_of(&self, email: &str) -> i64 {
        store::users::by_email(&self.state.store.db, email).await.unwrap().unwrap().company_id.unwrap()
    }
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap()
    }
    pub async fn text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        (r.status().as_u16(), r.text().await.unwrap())
    }
    /// Posts a form with this browser's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.http.post(format!("{}{path}", self.base)).form(&all).send().await.unwrap()
    }
    pub async fn refresh_csrf(&mut self) {
        let html = self.get("/").await.text().await.unwrap();
        self.csrf = csrf_in(&html);
    }
}

pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub lang: String,
}

impl Api {
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("accept-language", &self.lang)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }
    pub async fn send(&self, method: reqwest::Method, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("accept-language", &self.lang)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }
}

/// The text that follows `marker` in `html`, up to (not including) `end`.
pub fn text_after<'a>(html: &'a str, marker: &str, end: char) -> &'a str {
    let start = html.find(marker).unwrap_or_else(|| panic!("{marker} not in the page")) + marker.len();
    let rest = &html[start..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// A valid profile form for the company pages.
pub fn profile_form(brn: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("brn", brn),
        ("name_ko", "테스트기업 (시험)"),
        ("name_en", "Test Co."),
        ("region", "26"),
        ("ksic", "26"),
        ("founded_on", "2020-03-05"),
        ("employees", "12"),
        ("revenue_krw", "1,200,000,000"),
        ("exports_usd", "40000"),
        ("products", "8517.13, 3304"),
        ("export_countries", "VN"),
        ("target_countries", "ID, us"),
        ("consent", "on"),
    ]
}
