//! Accounts: signing in and up, the language switch, personal API tokens, invitations, and the
//! administrators' users-and-roles and audit-log pages.

pub mod pages;

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use kit::Kit;
use kit::api::ApiUser;
use kit::error::Problem;
use serde::Serialize;
use utoipa::OpenApi;

/// The accounts pages.
pub fn pages(kit: Kit) -> axum::Router {
    axum::Router::new().merge(pages::account::router()).merge(pages::admin::router()).merge(pages::notifications::router()).with_state(kit)
}

/// The accounts API: who the token belongs to.
pub fn api(kit: Kit) -> axum::Router {
    axum::Router::new().route("/api/v1/me", get(me)).with_state(kit)
}

#[derive(OpenApi)]
#[openapi(paths(me), components(schemas(Me)))]
pub struct Doc;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    /// company_member, officer, agency_admin, platform_admin or analyst.
    pub role: String,
    pub agency_id: Option<i64>,
    pub company_id: Option<i64>,
    pub locale: String,
}

/// The token's owner.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(State(_kit): State<Kit>, caller: ApiUser) -> Json<Me> {
    let u = caller.user;
    Json(Me {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        role: u.role,
        agency_id: u.agency_id,
        company_id: u.company_id,
        locale: u.locale,
    })
}
