//! The site: every room composed into one router over one kit, and the node's background work.
//!
//! Rooms know nothing of each other's pages or state; this is the one place that knows them
//! all. Each room hands over its pages (put behind the session and CSRF middleware here), its
//! API routes and its part of the OpenAPI document.

use axum::Router;
use axum::middleware;
use catalog::CatalogState;
use desk::DeskState;
use kit::Kit;
use kit::api::BearerAuth;
use kit::error::{Problem, ProblemField};
use navigator::NavState;
use store::Store;
use store::reference::RefData;
use utoipa::OpenApi;

/// A node's state: the kit and the rooms that keep state of their own.
#[derive(Clone)]
pub struct Site {
    pub kit: Kit,
    pub catalog: CatalogState,
    pub desk: DeskState,
    pub nav: NavState,
}

impl std::ops::Deref for Site {
    type Target = Kit;
    fn deref(&self) -> &Kit {
        &self.kit
    }
}

impl Site {
    /// Loads what a node keeps in memory before it serves: reference data, the company index,
    /// the desk's full-text and case indexes. The change log's position is read first, so that
    /// whatever changes while these load is replayed, not missed.
    pub async fn open(store: Store, config: kit::Config) -> Result<Site, crate::AnyError> {
        let position = store::changes::last(&store.db).await?;
        let refs = RefData::load(&store).await?;
        let companies = store::company_index::CompanyIndex::load(&store).await?;
        let kit = Kit::new(store, refs, companies, config, position);
        let desk = DeskState::new(kit.clone());
        let nav = NavState::new(desk.clone());
        let catalog = CatalogState::new(kit.clone());
        desk::runtime::build_index(&desk).await?;
        Ok(Site { kit, catalog, desk, nav })
    }

    /// A node's background work: following the change log (the kit's feed hands every room
    /// the changes it subscribed to), sending queued e-mail unless another node does, the
    /// desk's daily digests, and housekeeping.
    pub fn start_background(&self, mail_worker: bool) {
        self.kit.start_background(mail_worker);
        let desk = self.desk.clone();
        tokio::spawn(async move { desk::runtime::load_details(&desk).await });
        // The desk's daily digest of cases near or past their target (claimed per agency and
        // day, so any number of nodes may run this).
        let desk = self.desk.clone();
        tokio::spawn(async move {
            loop {
                match desk::runtime::send_digests(&desk).await {
                    Ok(n) if n > 0 => tracing::info!(emails = n, "sent the daily SLA digests"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "SLA digest failed; retrying within the hour"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(900)).await;
            }
        });
    }

    /// Every room's pages and API, the operations endpoints and the static files.
    pub fn router(&self) -> Router {
        use tower_http::services::ServeDir;
        let kit = &self.kit;
        let pages = Router::new()
            .merge(home::router(kit.clone()))
            .merge(accounts::pages(kit.clone()))
            .merge(companies::pages(kit.clone()))
            .merge(catalog::pages(self.catalog.clone()))
            .merge(desk::pages(self.desk.clone()))
            .merge(knowledge::pages(self.desk.clone()))
            .merge(navigator::pages(self.nav.clone()))
            .merge(experts::pages(self.nav.clone()))
            .merge(insights::router(kit.clone()))
            .fallback(|| async { kit::PageError::not_found() })
            .layer(middleware::from_fn_with_state(kit.clone(), kit::session::layer));
        let docs: Router = utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi-ui.json", api_document()).into();
        let api = Router::new()
            .merge(accounts::api(kit.clone()))
            .merge(companies::api::router(kit.clone()))
            .merge(catalog::api::router(self.catalog.clone()))
            .merge(desk::api::router(self.desk.clone()))
            .merge(knowledge::api::router(self.desk.clone()))
            .merge(navigator::api::router(self.nav.clone()))
            .merge(experts::api::router(self.nav.clone()))
            .route("/api/openapi.json", axum::routing::get(|| async { axum::Json(api_document()) }))
            // Unknown API paths answer as the API does; unknown pages are the pages' business.
            .route("/api/v1/{*rest}", axum::routing::any(kit::api::not_found))
            .layer(middleware::from_fn(kit::api::language_scope))
            .merge(docs);
        Router::new()
            .merge(pages)
            .merge(api)
            .merge(kit::ops::router().with_state(kit.clone()))
            .nest_service("/static", ServeDir::new(&kit.config.static_dir))
            .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
            .layer(middleware::from_fn_with_state(kit.clone(), kit::metrics::layer))
            .layer(tower_http::catch_panic::CatchPanicLayer::new())
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "GlobalDesk API", version = "1", description = "One platform for SMEs going global and the agencies that support them. Authenticate with a personal access token: `Authorization: Bearer gdk_…`. Errors are RFC 9457 problem documents; messages follow `Accept-Language` (ko, en)."),
    components(schemas(Problem, ProblemField)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

/// The whole API description: the site's frame and each room's part.
pub fn api_document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(accounts::Doc::openapi());
    doc.merge(companies::api::Doc::openapi());
    doc.merge(catalog::api::Doc::openapi());
    doc.merge(desk::api::Doc::openapi());
    doc.merge(knowledge::api::Doc::openapi());
    doc.merge(navigator::api::Doc::openapi());
    doc.merge(experts::api::Doc::openapi());
    doc
}
