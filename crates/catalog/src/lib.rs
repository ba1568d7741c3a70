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
use kit::util::{read, write};
use std::sync::{Arc, Mutex, RwLock};

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
    /// Each company's extra facts and awards, read at most once a second per node (see
    /// `matching::extras`).
    pub extras: Mutex<matching::ExtrasCache>,
}

impl CatalogState {
    pub fn new(kit: Kit) -> CatalogState {
        CatalogState(Arc::new(CatalogShared { kit, catalog: RwLock::default(), population: Mutex::default(), extras: Mutex::default() }))
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
    /// One round of catching up: programs published on another node.
    pub async fn poll(&self) {
        match store::programs::catalog_version(&self.store.db).await {
            Ok(v) if v != self.catalog_version() => self.reload_catalog().await,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "catalog version check failed; retrying"),
        }
    }
}

/// The catalog's pages.
pub fn pages(state: CatalogState) -> axum::Router {
    axum::Router::new().merge(pages::programs::router()).merge(pages::rule_editor::router()).with_state(state)
}
