//! GlobalDesk's shared web kit: what every room (feature) stands on.
//!
//! - [`Kit`]: the state all rooms share (database, reference data, the company index, the
//!   configuration, sessions, rendered-page cache, metrics). Each room keeps its own runtime in
//!   a state of its own that reaches the kit through `Deref`; the binary composes them.
//! - [`session`]: who is asking, in which language, and is the form theirs (CSRF).
//! - [`layout`]: the page frame (KRDS header, navigation, language switch) and form fields.
//! - [`error`]: the two boundary errors, [`error::PageError`] and [`error::ApiError`].
//! - [`api`]: the bearer-token caller, JSON bodies with problem-document errors.
//! - [`changes`] and [`registry`]: how node-local state learns of changes, and the list of it.
//! - [`export`], [`mail`], [`page_cache`], [`lru`], [`metrics`], [`ops`], [`audit_sink`], [`auth`].

pub mod api;
pub mod audit_sink;
pub mod auth;
pub mod changes;
pub mod error;
pub mod export;
pub mod i18n;
pub mod layout;
pub mod lru;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod page_cache;
pub mod registry;
pub mod session;
pub mod util;

pub use error::{ApiError, ApiErrorKind, PageError, PageErrorKind};
pub use i18n::{Lang, Tr};
pub use layout::{Field, Page, render};
pub use session::Ctx;
pub use util::{actor, today};

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

/// What a room's state gives the kit's extractors: the shared part. Rooms declare their state
/// with [`room_state!`].
pub trait HasKit: Clone + Send + Sync + 'static {
    fn kit(&self) -> &Kit;
}

impl HasKit for Kit {
    fn kit(&self) -> &Kit {
        self
    }
}

/// Declares a room's state: a cheap handle (one `Arc`) to `$shared`, which must hold the
/// [`Kit`] in a field named `kit`. Both dereference towards the kit, so a room's code reads
/// `state.store` or `state.refs()` as well as its own runtime, and passes `&state` wherever
/// a `&Kit` is wanted.
#[macro_export]
macro_rules! room_state {
    ($(#[$m:meta])* $name:ident => $shared:ident) => {
        $(#[$m])*
        #[derive(Clone)]
        pub struct $name(pub std::sync::Arc<$shared>);
        impl std::ops::Deref for $name {
            type Target = $shared;
            fn deref(&self) -> &$shared {
                &self.0
            }
        }
        impl std::ops::Deref for $shared {
            type Target = $crate::Kit;
            fn deref(&self) -> &$crate::Kit {
                &self.kit
            }
        }
        impl $crate::HasKit for $name {
            fn kit(&self) -> &$crate::Kit {
                &self.0.kit
            }
        }
    };
}

/// Rendered pages kept per node (30–80 kB each, so at most about 80 MB).
const PAGES_KEPT: usize = 1_000;

/// The state every room shares. One pointer, so that handing it to each request (axum clones
/// it for every extractor and middleware) is one count, not one per part.
#[derive(Clone)]
pub struct Kit(Arc<Shared>);

impl std::ops::Deref for Kit {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub store: Store,
    /// Every company in memory, for searches and profile pages (see `store::company_index`).
    pub companies: Arc<store::company_index::CompanyIndex>,
    refs: RwLock<Arc<RefData>>,
    /// Tags the reference data in force, for pages rendered from it (see `page_cache`).
    refs_stamp: std::sync::atomic::AtomicU64,
    pub config: Arc<Config>,
    pub metrics: Arc<metrics::Metrics>,
    pub sessions: session::SessionCache,
    pub read_audit: audit_sink::AuditSink,
    /// Rendered pages that are read far more often than their data changes (see `page_cache`).
    pub pages: Arc<page_cache::PageCache>,
    /// Every node-local cache and index, declared with its key, bound and topics.
    pub registry: Arc<registry::Registry>,
    /// The node's reader of the change log; rooms subscribe to the topics they keep copies of.
    pub changes: Arc<changes::ChangeFeed>,
}

impl Kit {
    /// Must be called inside a Tokio runtime (it starts the read-audit writer). `log_position`
    /// is where the change log stood before `refs` and `companies` were read
    /// (`store::changes::last`), so that nothing changed meanwhile is missed.
    pub fn new(store: Store, refs: RefData, companies: store::company_index::CompanyIndex, config: Config, log_position: i64) -> Kit {
        use registry::{Bound, CacheSpec, Topic};
        let read_audit = audit_sink::AuditSink::start(store.clone());
        let registry = Arc::new(registry::Registry::default());
        let company_stats = registry.declare(CacheSpec {
            name: "companies",
            room: "kit",
            keyed_by: "company id, with posting lists per filter value",
            bound: Bound::EveryRow,
            topics: &[Topic::Company],
        });
        registry.declare(CacheSpec {
            name: "reference_data",
            room: "kit",
            keyed_by: "-",
            bound: Bound::Whole,
            topics: &[Topic::ReferenceData],
        });
        company_stats.set_entries(companies.len());
        let sessions = session::SessionCache::new(&registry);
        let pages = Arc::new(page_cache::PageCache::new(PAGES_KEPT, &registry));
        let kit = Kit(Arc::new(Shared {
            read_audit,
            store,
            companies: Arc::new(companies),
            refs: RwLock::new(Arc::new(refs)),
            refs_stamp: page_cache::fresh_stamp().into(),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            sessions,
            pages,
            registry,
            changes: Arc::new(changes::ChangeFeed::new(log_position)),
        }));
        // The kit's own copies follow the log like every room's.
        kit.changes.subscribe_for("companies", &[Topic::Company], &kit.0, move |shared, batch| {
            let company_stats = company_stats.clone();
            async move {
                let mut ids: Vec<i64> = batch.iter().map(|c| c.ref_id).collect();
                ids.sort_unstable();
                ids.dedup();
                shared.companies.refresh_ids(&shared.store, &ids).await.map_err(|e| e.to_string())?;
                company_stats.set_entries(shared.companies.len());
                Ok(())
            }
        });
        kit.changes.subscribe_for("reference_data", &[Topic::ReferenceData], &kit.0, |shared, _| async move {
            let fresh = RefData::load(&shared.store).await.map_err(|e| e.to_string())?;
            tracing::info!(version = fresh.version, "reloaded reference data");
            Kit(shared).set_refs(fresh);
            Ok(())
        });
        kit
    }
    /// The reference data in force; cheap (an `Arc` clone).
    pub fn refs(&self) -> Arc<RefData> {
        util::read(&self.refs).clone()
    }
    /// Swaps in freshly loaded reference data (after an import).
    pub fn set_refs(&self, refs: RefData) {
        *util::write(&self.refs) = Arc::new(refs);
        self.refs_stamp.store(page_cache::fresh_stamp(), std::sync::atomic::Ordering::Relaxed);
    }
    /// Changes whenever the reference data is swapped.
    pub fn refs_stamp(&self) -> u64 {
        self.refs_stamp.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The kit's background work: following the change log (every room's copies), sending
    /// queued e-mail (unless another node does it), and housekeeping of expired sessions and old
    /// sign-in attempts (idempotent, so every node may run it).
    pub fn start_background(&self, mail_worker: bool) {
        tokio::spawn(self.changes.clone().run(self.store.clone()));
        if mail_worker {
            tokio::spawn(mail::worker(self.clone()));
        }
        let kit = self.clone();
        tokio::spawn(async move {
            loop {
                let db = &kit.store.db;
                if let Err(e) = store::sessions::purge_expired(db).await.and(store::users::purge_attempts(db).await) {
                    tracing::warn!(error = %e, "housekeeping failed");
                }
                tokio::time::sleep(std::time::Duration::from_secs(600)).await;
            }
        });
    }
}
