//! Operations shared by the pages and the API, so both enforce the same rules.

use domain::{CompanyInput, FieldErrors, Role};
use kit::Kit;
use store::StoreError;
use store::companies::{Actor, Company};
use store::users::User;

/// Why a company could not be saved.
#[derive(Debug)]
pub enum SaveError {
    Invalid(FieldErrors),
    Forbidden,
    Store(StoreError),
}

impl From<StoreError> for SaveError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate("brn") => {
                let mut errs = FieldErrors::default();
                errs.push(domain::FieldError::new("brn", "err-brn-taken"));
                SaveError::Invalid(errs)
            }
            other => SaveError::Store(other),
        }
    }
}

pub fn actor(user: &User) -> Actor {
    Actor { user_id: Some(user.id), label: format!("{} <{}>", user.display_name, user.email) }
}

/// May this user read this company's profile?
/// Members see their own company; agency staff see companies that consented to share;
/// platform admins see everything; analysts see only aggregates.
pub fn can_view(user: &User, company: &store::companies::CompanyRow) -> bool {
    match user.role() {
        Role::CompanyMember => user.company_id == Some(company.id),
        Role::Officer | Role::AgencyAdmin => company.consent_version.is_some(),
        Role::PlatformAdmin => true,
        Role::Analyst | Role::Expert => false,
    }
}

/// May this user change this company's profile? Only its members and platform admins:
/// agencies read a company's own account of itself, they do not rewrite it.
pub fn can_edit(user: &User, company_id: i64) -> bool {
    match user.role() {
        Role::CompanyMember => user.company_id == Some(company_id),
        Role::PlatformAdmin => true,
        _ => false,
    }
}

/// Creates the signed-in member's company (when `id` is None) or updates one, all in one
/// transaction: the profile, its lists and its history are saved together or not at all.
pub async fn save_company(
    state: &Kit,
    user: &User,
    id: Option<i64>,
    version: Option<i64>,
    input: &CompanyInput,
    consent: Option<bool>,
) -> Result<i64, SaveError> {
    use store::TransactionTrait;
    let refs = state.refs();
    let profile = input.parse(refs.as_ref(), kit::today()).map_err(SaveError::Invalid)?;
    let derived = refs.facts(&profile, kit::today());
    let actor = actor(user);
    let tx = state.store.db.begin().await.map_err(StoreError::from)?;
    let id = match id {
        None => {
            if user.role() != Role::CompanyMember || user.company_id.is_some() {
                return Err(SaveError::Forbidden);
            }
            let id = store::companies::create(&tx, &profile, &derived, &actor).await?;
            store::users::set_company(&tx, user.id, id).await?;
            id
        }
        Some(id) => {
            if !can_edit(user, id) {
                return Err(SaveError::Forbidden);
            }
            let version = version.ok_or_else(|| {
                let mut e = FieldErrors::default();
                e.push(domain::FieldError::new("version", "err-required"));
                SaveError::Invalid(e)
            })?;
            store::companies::update(&tx, id, version, &profile, &derived, &actor).await?;
            id
        }
    };
    if let Some(granted) = consent {
        let current = store::companies::get(&tx, id).await?.ok_or(StoreError::NotFound)?;
        let now_granted = current.row.consent_version.as_deref() == Some(state.config.terms_version.as_str());
        if granted != now_granted && (granted || current.row.consent_version.is_some()) {
            store::companies::set_consent(&tx, id, Some(user.id), &state.config.terms_version, granted, &actor).await?;
        }
    }
    store::audit::record(&tx, Some(user.id), &user.email, "company.save", &format!("company:{id}"), "", "").await?;
    tx.commit().await.map_err(StoreError::from)?;
    // Read-your-writes on this node; other nodes catch up from the change log (and, for the
    // user's new company link, from their session cache expiring within a second).
    state.companies.refresh_ids(&state.store, &[id]).await?;
    state.sessions.forget_user(user.id);
    Ok(id)
}

/// A company as shown to people and the API: names resolved in the reader's language.
pub struct CompanyView {
    pub company: std::sync::Arc<Company>,
    pub region_name: String,
    pub ksic_name: String,
    pub stage_name: String,
    pub products: Vec<(String, String)>,
    pub export_countries: Vec<(String, String)>,
    pub target_countries: Vec<(String, String)>,
    pub age_years: i64,
}

pub fn view_company(state: &Kit, t: &kit::i18n::Tr, company: std::sync::Arc<Company>) -> CompanyView {
    let refs = state.refs();
    let r = &company.row;
    let region_name = refs.region(&r.region).map(|x| t.pick(&x.name_ko, &x.name_en).to_string()).unwrap_or_else(|| r.region.clone());
    let ksic_name =
        refs.ksic_entry(&r.ksic).map(|x| format!("{} {}", x.code, t.pick(&x.name_ko, &x.name_en))).unwrap_or_else(|| r.ksic.clone());
    let stage_name =
        refs.stages.get(&r.export_stage).map(|s| t.pick(&s.name_ko, &s.name_en).to_string()).unwrap_or_else(|| r.export_stage.clone());
    let products = company
        .products
        .iter()
        .map(|c| (c.clone(), refs.hs(c).map(|h| t.pick(&h.name_ko, &h.name_en).to_string()).unwrap_or_default()))
        .collect();
    let country = |list: &Vec<String>| {
        list.iter().map(|c| (c.clone(), refs.country(c).map(|x| t.pick(&x.name_ko, &x.name_en).to_string()).unwrap_or_default())).collect()
    };
    let export_countries = country(&company.export_countries);
    let target_countries = country(&company.target_countries);
    let age_years = domain::company::parse_date("f", &r.founded_on).map(|d| domain::facts::whole_years(d, kit::today())).unwrap_or(0);
    CompanyView { region_name, ksic_name, stage_name, products, export_countries, target_countries, age_years, company }
}
