//! Companies and reference lists over the API.

use crate::pages::search::SearchQuery;
use crate::service::{self, SaveError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::CompanyInput;
use kit::Kit;
use kit::api::{ApiJson, ApiUser};
use kit::error::{ApiError, ApiErrorKind, Problem};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use store::companies::{Company, Sort};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(list, get_one, update, create, hs, hs_sections, countries),
    components(schemas(CompanyJson, CompanyPage, CompanyWrite, HsJson, HsSectionJson, CountryJson))
)]
pub struct Doc;

/// The companies API and the reference look-ups.
pub fn router(kit: Kit) -> axum::Router {
    axum::Router::new()
        .route("/api/v1/companies", get(list).post(create))
        .route("/api/v1/companies/{id}", get(get_one).put(update))
        .route("/api/v1/reference/hs", get(hs))
        .route("/api/v1/reference/hs-sections", get(hs_sections))
        .route("/api/v1/reference/countries", get(countries))
        .with_state(kit)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CompanyJson {
    pub id: i64,
    /// `###-##-#####`
    pub brn: String,
    pub name_ko: String,
    pub name_en: Option<String>,
    /// Korean administrative code of the province or metropolitan city (26 = Busan).
    pub region: String,
    pub region_name: String,
    /// KSIC section letter or division.
    pub ksic: String,
    pub founded_on: String,
    pub employees: i64,
    pub revenue_krw: i64,
    pub exports_usd: i64,
    /// HS codes, 2 to 10 digits.
    pub products: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub export_countries: Vec<String>,
    pub target_countries: Vec<String>,
    /// Derived: whole years since founding.
    pub age_years: i64,
    /// Derived: micro, small, medium or above_sme (illustrative thresholds).
    pub size_class: String,
    /// Derived: domestic, novice, promising, growth or established (illustrative thresholds).
    pub export_stage: String,
    pub consent_version: Option<String>,
    /// Send this back with an update; a stale one is refused with 409.
    pub version: i64,
    pub updated_at: String,
}

fn to_json(state: &Kit, caller: &ApiUser, c: Arc<Company>) -> CompanyJson {
    let v = service::view_company(state, &kit::i18n::Tr::new(caller.lang), c);
    let r = &v.company.row;
    CompanyJson {
        id: r.id,
        brn: domain::Brn::parse("brn", &r.brn).map(|b| b.formatted()).unwrap_or_else(|_| r.brn.clone()),
        name_ko: r.name_ko.clone(),
        name_en: r.name_en.clone(),
        region: r.region.clone(),
        region_name: v.region_name.clone(),
        ksic: r.ksic.clone(),
        founded_on: r.founded_on.clone(),
        employees: r.employees,
        revenue_krw: r.revenue_krw,
        exports_usd: r.exports_usd,
        products: v.company.products.clone(),
        export_countries: v.company.export_countries.clone(),
        target_countries: v.company.target_countries.clone(),
        age_years: v.age_years,
        size_class: r.size_class.clone(),
        export_stage: r.export_stage.clone(),
        consent_version: r.consent_version.clone(),
        version: r.version,
        updated_at: r.updated_at.clone(),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CompanyPage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<CompanyJson>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Part of a name (Korean or English) or a whole BRN.
    q: Option<String>,
    region: Option<String>,
    ksic: Option<String>,
    /// Any HS prefix (2–10 digits).
    hs: Option<String>,
    /// ISO 3166-1 alpha-2: current or target market.
    country: Option<String>,
    stage: Option<String>,
    /// name, founded, employees, exports or updated.
    sort: Option<String>,
    /// asc or desc.
    dir: Option<String>,
    page: Option<i64>,
    /// 1–100, default 25.
    per_page: Option<i64>,
}

/// Search companies (agency staff and platform admins; agencies see consenting companies only).
#[utoipa::path(get, path = "/api/v1/companies", params(ListParams), responses((status = 200, body = CompanyPage), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(State(state): State<Kit>, caller: ApiUser, Query(p): Query<ListParams>) -> Result<Json<CompanyPage>, ApiError> {
    if !caller.user.role().can_search_companies() {
        return Err(caller.err(ApiErrorKind::Forbidden));
    }
    let q = SearchQuery {
        q: p.q.unwrap_or_default(),
        region: p.region.unwrap_or_default(),
        ksic: p.ksic.unwrap_or_default(),
        hs: p.hs.unwrap_or_default(),
        country: p.country.unwrap_or_default(),
        stage: p.stage.unwrap_or_default(),
        sort: p.sort.clone().unwrap_or_default(),
        dir: p.dir.clone().unwrap_or_default(),
        page: None,
    };
    let per_page = p.per_page.unwrap_or(25).clamp(1, 100);
    let page = p.page.unwrap_or(1).max(1);
    let found = state.companies.search(
        &q.filter(&caller.user),
        Sort::parse(&q.sort),
        q.dir == "desc",
        per_page as usize,
        ((page - 1) * per_page) as usize,
    );
    let items = found.rows.into_iter().map(|c| to_json(&state, &caller, c)).collect();
    Ok(Json(CompanyPage { total: found.total as i64, page, per_page, items }))
}

async fn visible(state: &Kit, caller: &ApiUser, id: i64) -> Result<Arc<Company>, ApiError> {
    let c = state.companies.get(id);
    // 404 for companies the caller may not see, so the API does not reveal who is registered.
    c.filter(|c| service::can_view(&caller.user, &c.row)).ok_or(caller.err(ApiErrorKind::NotFound))
}

/// One company with its derived facts.
#[utoipa::path(get, path = "/api/v1/companies/{id}", params(("id" = i64, Path)), responses((status = 200, body = CompanyJson), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_one(State(state): State<Kit>, caller: ApiUser, Path(id): Path<i64>) -> Result<Json<CompanyJson>, ApiError> {
    let c = visible(&state, &caller, id).await?;
    Ok(Json(to_json(&state, &caller, c)))
}

/// A company profile to create or replace. Amounts are integers: KRW and USD in whole units.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CompanyWrite {
    /// Required for an update: the `version` you read.
    pub version: Option<i64>,
    pub brn: String,
    pub name_ko: String,
    #[serde(default)]
    pub name_en: String,
    pub region: String,
    pub ksic: String,
    /// YYYY-MM-DD
    pub founded_on: String,
    pub employees: i64,
    pub revenue_krw: i64,
    pub exports_usd: i64,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default)]
    pub export_countries: Vec<String>,
    #[serde(default)]
    pub target_countries: Vec<String>,
    /// Share the profile with agencies under the current terms (true) or withdraw (false).
    pub consent: Option<bool>,
}

impl CompanyWrite {
    fn input(&self) -> CompanyInput {
        CompanyInput {
            brn: self.brn.clone(),
            name_ko: self.name_ko.clone(),
            name_en: self.name_en.clone(),
            region: self.region.clone(),
            ksic: self.ksic.clone(),
            founded_on: self.founded_on.clone(),
            employees: self.employees.to_string(),
            revenue_krw: self.revenue_krw.to_string(),
            exports_usd: self.exports_usd.to_string(),
            products: self.products.clone(),
            export_countries: self.export_countries.clone(),
            target_countries: self.target_countries.clone(),
        }
    }
}

fn save_error(caller: &ApiUser, e: SaveError) -> ApiError {
    match e {
        SaveError::Invalid(errs) => caller.err(ApiErrorKind::Invalid(errs)),
        SaveError::Forbidden => caller.err(ApiErrorKind::Forbidden),
        SaveError::Store(e) => ApiError::store(caller.lang, e),
    }
}

/// Replace a company's profile (its members and platform admins). Optimistic concurrency:
/// send the `version` you read; a stale one gets 409.
#[utoipa::path(put, path = "/api/v1/companies/{id}", params(("id" = i64, Path)), request_body = CompanyWrite,
    responses((status = 200, body = CompanyJson), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<Kit>,
    caller: ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CompanyWrite>,
) -> Result<Json<CompanyJson>, ApiError> {
    visible(&state, &caller, id).await?;
    service::save_company(&state, &caller.user, Some(id), body.version, &body.input(), body.consent)
        .await
        .map_err(|e| save_error(&caller, e))?;
    let c = visible(&state, &caller, id).await?;
    Ok(Json(to_json(&state, &caller, c)))
}

/// Register the caller's company (a company member without one).
#[utoipa::path(post, path = "/api/v1/companies", request_body = CompanyWrite,
    responses((status = 201, body = CompanyJson), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<Kit>,
    caller: ApiUser,
    ApiJson(body): ApiJson<CompanyWrite>,
) -> Result<(StatusCode, Json<CompanyJson>), ApiError> {
    let id =
        service::save_company(&state, &caller.user, None, None, &body.input(), body.consent).await.map_err(|e| save_error(&caller, e))?;
    let mut caller = caller;
    caller.user.company_id = Some(id);
    let c = visible(&state, &caller, id).await?;
    Ok((StatusCode::CREATED, Json(to_json(&state, &caller, c))))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HsJson {
    pub code: String,
    pub level: i32,
    pub name_ko: String,
    pub name_en: String,
    /// The HS section (I–XXI) the code's chapter belongs to.
    pub section: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct HsParams {
    /// Digits (a code prefix) or words in Korean or English.
    q: String,
}

/// HS 2022 and Korean HSK codes matching a prefix or words.
#[utoipa::path(get, path = "/api/v1/reference/hs", params(HsParams), responses((status = 200, body = Vec<HsJson>)))]
pub async fn hs(State(state): State<Kit>, _caller: ApiUser, Query(p): Query<HsParams>) -> Json<Vec<HsJson>> {
    let refs = state.refs();
    Json(
        refs.suggest_hs(&p.q, 50)
            .into_iter()
            .map(|h| HsJson {
                code: h.code.clone(),
                level: h.level,
                name_ko: h.name_ko.clone(),
                name_en: h.name_en.clone(),
                section: refs.hs_section(&h.code).map(|s| s.code.clone()),
            })
            .collect(),
    )
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HsSectionJson {
    /// Roman numeral, I–XXI.
    pub code: String,
    pub first_chapter: String,
    pub last_chapter: String,
    pub name_ko: String,
    pub name_en: String,
}

/// The 21 sections of HS 2022, each a run of chapters, with Korean and English titles.
#[utoipa::path(get, path = "/api/v1/reference/hs-sections", responses((status = 200, body = Vec<HsSectionJson>)))]
pub async fn hs_sections(State(state): State<Kit>, _caller: ApiUser) -> Json<Vec<HsSectionJson>> {
    let refs = state.refs();
    Json(
        refs.hs_sections
            .iter()
            .map(|s| HsSectionJson {
                code: s.code.clone(),
                first_chapter: s.first_chapter.clone(),
                last_chapter: s.last_chapter.clone(),
                name_ko: s.name_ko.clone(),
                name_en: s.name_en.clone(),
            })
            .collect(),
    )
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CountryJson {
    pub alpha2: String,
    pub alpha3: String,
    pub name_ko: String,
    pub name_en: String,
}

/// ISO 3166-1 countries with Korean and English names (CLDR).
#[utoipa::path(get, path = "/api/v1/reference/countries", responses((status = 200, body = Vec<CountryJson>)))]
pub async fn countries(State(state): State<Kit>, _caller: ApiUser) -> Json<Vec<CountryJson>> {
    let refs = state.refs();
    Json(
        refs.countries
            .iter()
            .map(|c| CountryJson {
                alpha2: c.alpha2.clone(),
                alpha3: c.alpha3.clone(),
                name_ko: c.name_ko.clone(),
                name_en: c.name_en.clone(),
            })
            .collect(),
    )
}
