//! The program catalog: every agency's support programs in one list, eligibility written as rules
//! ([`rules`]) and decided with reasons for each company, applications reviewed by the owning
//! agency, and the rule editor with live checks, previews, diffs and test cases.
//!
//! - [`matching`]: the live catalog compiled into one rule set, a company's matches and their
//!   explanations, the population of all companies for previews.
//! - [`service`]: programs, versions, publication, applications: who may do what.
//! - [`pages`] and [`api`].

pub mod api;
pub mod matching;
pub mod pages;
pub mod service;

use kit::Kit;
use kit::lru::Lru;
use kit::util::{read, write};
use std::sync::{Arc, Mutex, RwLock};
use store::changes::Topic;

kit::room_state!(
    /// The catalog's state: the kit, the live catalog, and what matching keeps per node.
    CatalogState => CatalogShared
);

pub struct CatalogShared {
    pub kit: Kit,
    /// The published programs compiled together (see `matching`), swapped on publication.
    catalog: RwLock<Arc<matching::LiveCatalog>>,
    /// All consented companies as columns, for previews and fan-out; rebuilt when stale.
    pub population: Mutex<Option<Arc<matching::Population>>>,
    /// Each company's extra facts and awards (see `matching::extras`).
    pub extras: Lru<i64, Arc<matching::Extras>>,
}

impl CatalogState {
    /// The catalog over `kit`: declares its node-local state and follows the change log.
    pub fn new(kit: Kit) -> CatalogState {
        use kit::registry::{Bound, CacheSpec};
        let r = &kit.registry;
        r.declare(CacheSpec { name: "live_catalog", room: "catalog", keyed_by: "-", bound: Bound::Whole, topics: &[Topic::Programs] });
        // The population is the one copy that follows age, not topics: rebuilding it reads every
        // company, so it is rebuilt when older than its callers allow (previews say so).
        r.declare(CacheSpec {
            name: "population",
            room: "catalog",
            keyed_by: "- (rebuilt when older than the caller allows, or on a new day)",
            bound: Bound::Whole,
            topics: &[],
        });
        let extras = r.declare(CacheSpec {
            name: "company_extras",
            room: "catalog",
            keyed_by: "company id",
            bound: Bound::Entries(matching::EXTRAS_KEPT),
            topics: &[Topic::CompanyFacts],
        });
        let state = CatalogState(Arc::new(CatalogShared {
            kit,
            catalog: RwLock::default(),
            population: Mutex::default(),
            extras: Lru::new(matching::EXTRAS_KEPT, extras),
        }));
        state.kit.changes.subscribe_for("catalog", &[Topic::Programs, Topic::CompanyFacts], &state.0, |shared, batch| async move {
            let state = CatalogState(shared);
            for c in batch.iter().filter(|c| c.topic == Some(Topic::CompanyFacts)) {
                state.extras.remove(&c.ref_id);
            }
            if batch.iter().any(|c| c.topic == Some(Topic::Programs)) && state.catalog_version() > 0 {
                state.reload_catalog().await;
            }
            Ok(())
        });
        state
    }
    /// The live program catalog, loaded on first use.
    pub async fn catalog(&self) -> Arc<matching::LiveCatalog> {
        let cur = read(&self.catalog).clone();
        if cur.version > 0 {
            return cur;
        }
        self.reload_catalog().await;
        read(&self.catalog).clone()
    }
    /// Reloads the catalog from the database (after a publication, or when another node
    /// published).
    pub async fn reload_catalog(&self) {
        match matching::LiveCatalog::load(&self.store).await {
            Ok(fresh) => {
                // A slow load started before a publication must not replace a newer catalog.
                let mut cur = write(&self.catalog);
                if fresh.version >= cur.version {
                    *cur = Arc::new(fresh);
                }
            }
            Err(e) => tracing::warn!(error = %e, "catalog reload failed"),
        }
    }
    fn catalog_version(&self) -> i64 {
        read(&self.catalog).version
    }
}

/// The catalog's pages.
pub fn pages(state: CatalogState) -> axum::Router {
    axum::Router::new().merge(pages::programs::router()).merge(pages::rule_editor::router()).with_state(state)
}
