//! GlobalDesk's web layer: HTML pages for people, JSON under `/api/v1` for other systems.
//!
//! Each area has its own module and router; [`router`] merges them under one session/CSRF
//! middleware (pages) and one bearer-token extractor (API).

pub mod api;
pub mod audit_sink;
pub mod auth;
pub mod case_details;
pub mod case_index;
pub mod case_svc;
pub mod desk;
pub mod error;
pub mod expert_svc;
pub mod i18n;
pub mod mail;
pub mod matching;
pub mod metrics;
pub mod ops;
pub mod page_cache;
pub mod pages;
pub mod plan_pdf;
pub mod plan_svc;
pub mod program_svc;
pub mod services;
pub mod session;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use store::Store;
use store::reference::RefData;

/// Runtime configuration, built by the binary from flags and `GLOBALDESK_*` variables.
#[derive(Clone, Debug)]
pub struct Config {
    /// Shows the demo banner and lets sign-ups in without an e-mailed link.
    pub demo: bool,
    /// Marks cookies `Secure`; set when the site is served over TLS (directly or by a proxy).
    pub secure_cookies: bool,
    /// Public address used in e-mailed links.
    pub base_url: String,
    pub mail: mail::MailConfig,
    /// Where static assets live (vendored KRDS, htmx, our CSS).
    pub static_dir: PathBuf,
    /// Version of the terms a company consents to when sharing its profile.
    pub terms_version: String,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Where uploaded attachments are stored (local file system).
    pub files_dir: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            demo: true,
            secure_cookies: false,
            base_url: "http://127.0.0.1:8080".into(),
            mail: mail::MailConfig::Files(PathBuf::from("mail-outbox")),
            static_dir: PathBuf::from("static"),
            terms_version: "2026-11".into(),
            trust_proxy: false,
            files_dir: PathBuf::from("files"),
        }
    }
}

/// Rendered pages kept per node (30–80 kB each, so at most about 80 MB).
const PAGES_KEPT: usize = 1_000;

/// A node's shared state. One pointer, so that handing it to each request (axum clones it for
/// every extractor and middleware) is one count, not one per part.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub store: Store,
    /// Every company in memory, for searches and profile pages (see `store::company_index`).
    pub companies: Arc<store::company_index::CompanyIndex>,
    refs: Arc<RwLock<Arc<RefData>>>,
    /// Tags the reference data in force, for pages rendered from it (see `page_cache`).
    refs_stamp: Arc<std::sync::atomic::AtomicU64>,
    pub config: Arc<Config>,
    pub metrics: Arc<metrics::Metrics>,
    pub sessions: Arc<session::SessionCache>,
    pub read_audit: audit_sink::AuditSink,
    /// The published programs compiled together (see `matching`), swapped on publication.
    catalog: Arc<RwLock<Arc<matching::LiveCatalog>>>,
    /// All consented companies as columns, for previews and fan-out; rebuilt when stale.
    pub population: Arc<std::sync::Mutex<Option<Arc<matching::Population>>>>,
    /// Each company's extra facts and awards, read at most once a second per node (see
    /// `matching::extras`).
    pub extras: Arc<std::sync::Mutex<matching::ExtrasCache>>,
    /// The regulatory desk's configuration and search index (see `desk`).
    pub desk: Arc<desk::DeskRuntime>,
    /// Published playbooks and cached plans (see `plan_svc`).
    pub nav: Arc<plan_svc::NavRuntime>,
    /// Rendered pages that are read far more often than their data changes (see `page_cache`).
    pub pages: Arc<page_cache::PageCache>,
}

impl AppState {
    /// Must be called inside a Tokio runtime (it starts the read-audit writer).
    pub fn new(store: Store, refs: RefData, companies: store::company_index::CompanyIndex, config: Config) -> AppState {
        let read_audit = audit_sink::AuditSink::start(store.clone());
        AppState(Arc::new(Shared {
            read_audit,
            store,
            companies: Arc::new(companies),
            refs: Arc::new(RwLock::new(Arc::new(refs))),
            refs_stamp: Arc::new(page_cache::fresh_stamp().into()),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            sessions: Arc::default(),
            catalog: Arc::default(),
            population: Arc::default(),
            extras: Arc::default(),
            desk: Arc::default(),
            nav: Arc::default(),
            pages: Arc::new(page_cache::PageCache::new(PAGES_KEPT)),
        }))
    }
    /// The live program catalog, loaded on first use.
    pub async fn catalog(&self) -> Arc<matching::LiveCatalog> {
        let cur = self.catalog.read().expect("catalog lock").clone();
        if cur.version > 0 {
            return cur;
        }
        self.reload_catalog().await;
        self.catalog.read().expect("catalog lock").clone()
    }
    /// Reloads the catalog from the database (after a publication, or when another node
    /// published).
    pub async fn reload_catalog(&self) {
        match matching::LiveCatalog::load(&self.store).await {
            Ok(fresh) => {
                // A slow load started before a publication must not replace a newer catalog.
                let mut cur = self.catalog.write().expect("catalog lock");
                if fresh.version >= cur.version {
                    *cur = Arc::new(fresh);
                }
            }
            Err(e) => tracing::warn!(error = %e, "catalog reload failed"),
        }
    }
    fn catalog_version(&self) -> i64 {
        self.catalog.read().expect("catalog lock").version
    }
    /// The reference data in force; cheap (an `Arc` clone).
    pub fn refs(&self) -> Arc<RefData> {
        self.refs.read().expect("reference lock poisoned").clone()
    }
    /// Swaps in freshly loaded reference data (after an import).
    pub fn set_refs(&self, refs: RefData) {
        *self.refs.write().expect("reference lock poisoned") = Arc::new(refs);
        self.refs_stamp.store(page_cache::fresh_stamp(), std::sync::atomic::Ordering::Relaxed);
    }
    /// Changes whenever the reference data is swapped.
    pub fn refs_stamp(&self) -> u64 {
        self.refs_stamp.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Background work of a node: keeping the company index fresh from the change log, and
/// (unless another node does it) sending queued e-mail.
pub fn start_background(state: &AppState, mail_worker: bool) {
    let s = state.clone();
    tokio::spawn(async move { desk::load_details(&s).await });
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = s.companies.poll(&s.store).await {
                tracing::warn!(error = %e, "company index refresh failed; retrying");
            }
            // Reference data imported by an operator (on any node) replaces this node's copy.
            match store::reference::version(&s.store).await {
                Ok(v) if v != s.refs().version => match RefData::load(&s.store).await {
                    Ok(fresh) => {
                        tracing::info!(version = v, "reloaded reference data");
                        s.set_refs(fresh);
                    }
                    Err(e) => tracing::warn!(error = %e, "reference data reload failed; retrying"),
                },
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reference version check failed; retrying"),
            }
            desk::poll(&s).await;
            plan_svc::poll(&s).await;
            // Programs published on another node.
            match store::programs::catalog_version(&s.store.db).await {
                Ok(v) if v != s.catalog_version() => s.reload_catalog().await,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "catalog version check failed; retrying"),
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    });
    if mail_worker {
        tokio::spawn(mail::worker(state.clone()));
    }
    // The desk's daily digest of cases near or past their target (claimed per agency and day, so
    // any number of nodes may run this).
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            match desk::send_digests(&s).await {
                Ok(n) if n > 0 => tracing::info!(emails = n, "sent the daily SLA digests"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "SLA digest failed; retrying within the hour"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(900)).await;
        }
    });
    // Housekeeping: expired sessions and old sign-in attempts. Idempotent, so every node may run it.
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            let db = &s.store.db;
            if let Err(e) = store::sessions::purge_expired(db).await.and(store::users::purge_attempts(db).await) {
                tracing::warn!(error = %e, "housekeeping failed");
            }
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        }
    });
}

pub fn router(state: AppState) -> axum::Router {
    use axum::middleware;
    use tower_http::services::ServeDir;

    let pages = pages::router().layer(middleware::from_fn_with_state(state.clone(), session::layer));
    let api = api::router(state.clone());
    axum::Router::new()
        .merge(pages)
        .merge(api)
        .merge(ops::router())
        .nest_service("/static", ServeDir::new(&state.config.static_dir))
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::layer))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state)
}
