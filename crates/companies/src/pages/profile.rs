//! The company member's side: the company profile, members and invitations.

use crate::service::{self, SaveError};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::{CompanyInput, FieldError, FieldErrors, Role, text};
use kit::Kit;
use kit::error::PageError;
use kit::layout::{Field, Page, render};
use kit::page_cache::{PageKey, fold};
use kit::session::Ctx;
use serde::Deserialize;
use store::TransactionTrait;

pub fn router() -> axum::Router<Kit> {
    axum::Router::new().route("/company", get(profile_form).post(save_profile)).route("/company/members", get(members).post(invite))
}

pub fn member(ctx: &Ctx) -> Result<&store::users::User, PageError> {
    let u = ctx.user()?;
    if u.role() == Role::CompanyMember { Ok(u) } else { Err(PageError::forbidden()) }
}

#[derive(Template)]
#[template(path = "company_form.html")]
struct ProfileTemplate {
    p: Page,
    fields: Vec<Field>,
    version: i64,
    is_new: bool,
    consent: bool,
    terms_version: String,
    error_summary: Vec<(String, String)>,
    products_named: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct ProfileForm {
    #[serde(default)]
    brn: String,
    #[serde(default)]
    name_ko: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    ksic: String,
    #[serde(default)]
    founded_on: String,
    #[serde(default)]
    employees: String,
    #[serde(default)]
    revenue_krw: String,
    #[serde(default)]
    exports_usd: String,
    #[serde(default)]
    products: String,
    #[serde(default)]
    export_countries: String,
    #[serde(default)]
    target_countries: String,
    consent: Option<String>,
    version: Option<i64>,
}

impl ProfileForm {
    fn input(&self) -> CompanyInput {
        CompanyInput {
            brn: self.brn.clone(),
            name_ko: self.name_ko.clone(),
            name_en: self.name_en.clone(),
            region: self.region.clone(),
            ksic: self.ksic.clone(),
            founded_on: self.founded_on.clone(),
            employees: self.employees.clone(),
            revenue_krw: self.revenue_krw.clone(),
            exports_usd: self.exports_usd.clone(),
            products: vec![self.products.clone()],
            export_countries: vec![self.export_countries.clone()],
            target_countries: vec![self.target_countries.clone()],
        }
    }
    fn from_company(c: &store::companies::Company) -> ProfileForm {
        let r = &c.row;
        let brn = domain::Brn::parse("brn", &r.brn).map(|b| b.formatted()).unwrap_or_else(|_| r.brn.clone());
        ProfileForm {
            brn,
            name_ko: r.name_ko.clone(),
            name_en: r.name_en.clone().unwrap_or_default(),
            region: r.region.clone(),
            ksic: r.ksic.clone(),
            founded_on: r.founded_on.clone(),
            employees: r.employees.to_string(),
            revenue_krw: r.revenue_krw.to_string(),
            exports_usd: r.exports_usd.to_string(),
            products: c.products.join(", "),
            export_countries: c.export_countries.join(", "),
            target_countries: c.target_countries.join(", "),
            consent: r.consent_version.as_ref().map(|_| "on".into()),
            version: Some(r.version),
        }
    }
}

fn profile_fields(state: &Kit, p: &Page, f: &ProfileForm, errs: &FieldErrors) -> Vec<Field> {
    let refs = state.refs();
    let t = &p.t;
    let regions = refs.regions.iter().map(|r| (r.code.clone(), t.pick(&r.name_ko, &r.name_en).to_string())).collect();
    let ksic = refs
        .ksic
        .iter()
        .map(|k| {
            (
                k.code.clone(),
                if k.level == "section" {
                    format!("{} {}", k.code, t.pick(&k.name_ko, &k.name_en))
                } else {
                    format!("\u{a0}\u{a0}{} {}", k.code, t.pick(&k.name_ko, &k.name_en))
                },
            )
        })
        .collect();
    vec![
        Field::new(t, "brn", "text", f.brn.clone(), errs).required(),
        Field::new(t, "name_ko", "text", f.name_ko.clone(), errs).required().autocomplete("organization"),
        Field::new(t, "name_en", "text", f.name_en.clone(), errs),
        Field::new(t, "region", "select", f.region.clone(), errs).required().options(regions),
        Field::new(t, "ksic", "select", f.ksic.clone(), errs).required().options(ksic),
        Field::new(t, "founded_on", "date", f.founded_on.clone(), errs).required(),
        Field::new(t, "employees", "text", f.employees.clone(), errs).required(),
        Field::new(t, "revenue_krw", "text", f.revenue_krw.clone(), errs).required(),
        Field::new(t, "exports_usd", "text", f.exports_usd.clone(), errs).required(),
        Field::new(t, "products", "text", f.products.clone(), errs).suggest("hs"),
        Field::new(t, "export_countries", "text", f.export_countries.clone(), errs).suggest("countries"),
        Field::new(t, "target_countries", "text", f.target_countries.clone(), errs).suggest("countries"),
    ]
}

fn profile_page(state: &Kit, p: Page, f: &ProfileForm, errs: &FieldErrors, is_new: bool) -> Result<Response, PageError> {
    let fields = profile_fields(state, &p, f, errs);
    let error_summary =
        fields.iter().filter(|x| x.has_error()).map(|x| (x.name.to_string(), format!("{}: {}", x.label, x.error))).collect();
    let refs = state.refs();
    let products_named = f
        .products
        .split(',')
        .map(str::trim)
        .filter_map(|c| refs.hs(&c.replace('.', "")).map(|h| (h.code.clone(), p.t.pick(&h.name_ko, &h.name_en).to_string())))
        .collect();
    render(ProfileTemplate {
        fields,
        version: f.version.unwrap_or(0),
        is_new,
        consent: f.consent.is_some(),
        terms_version: state.config.terms_version.clone(),
        error_summary,
        products_named,
        p,
    })
}

#[derive(Deserialize)]
struct Flash {
    saved: Option<String>,
}

async fn profile_form(State(state): State<Kit>, ctx: Ctx, Query(q): Query<Flash>) -> Result<Response, PageError> {
    let user = member(&ctx)?;
    let company = match user.company_id {
        Some(id) => Some(state.companies.get(id).ok_or_else(PageError::not_found)?),
        None => None,
    };
    // The form is read far more often than it is saved: kept per company version and reader.
    let version = company.as_ref().map_or(0, |c| c.row.version as u64);
    let key = PageKey::new("company-form", fold(&[version, state.refs_stamp()]), &ctx);
    state
        .pages
        .clone()
        .serve(&ctx, key, |blank| async move {
            let p = Page::new(&state, &blank, "company-title").with_flash(q.saved.as_ref().map(|_| "flash-saved"));
            match company {
                Some(c) => profile_page(&state, p, &ProfileForm::from_company(&c), &FieldErrors::default(), false),
                None => profile_page(&state, p, &ProfileForm::default(), &FieldErrors::default(), true),
            }
        })
        .await
}

async fn save_profile(State(state): State<Kit>, ctx: Ctx, Form(f): Form<ProfileForm>) -> Result<Response, PageError> {
    let user = member(&ctx)?;
    let is_new = user.company_id.is_none();
    match service::save_company(&state, user, user.company_id, f.version, &f.input(), Some(f.consent.is_some())).await {
        Ok(_) => Ok(Redirect::to("/company?saved=1").into_response()),
        Err(SaveError::Invalid(errs)) => {
            let p = Page::new(&state, &ctx, "company-title");
            let mut r = profile_page(&state, p, &f, &errs, is_new)?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(SaveError::Forbidden) => Err(PageError::forbidden()),
        Err(SaveError::Store(store::StoreError::StaleVersion)) => {
            let p = Page::new(&state, &ctx, "company-title").with_flash(Some("error-conflict"));
            let mut r = profile_page(&state, p, &f, &FieldErrors::default(), is_new)?;
            *r.status_mut() = StatusCode::CONFLICT;
            Ok(r)
        }
        Err(SaveError::Store(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersTemplate {
    p: Page,
    members: Vec<store::users::User>,
    invitations: Vec<store::users::Invitation>,
    fields: Vec<Field>,
    invite_link: Option<String>,
}

async fn members_page(state: &Kit, ctx: &Ctx, errs: &FieldErrors, email: &str, invite_link: Option<String>) -> Result<Response, PageError> {
    let user = member(ctx)?;
    let company_id = user.company_id.ok_or_else(PageError::not_found)?;
    let p = Page::new(state, ctx, "members-title").with_flash(invite_link.as_ref().map(|_| "flash-invited"));
    let members = store::users::members_of(&state.store.db, company_id).await?;
    let invitations = store::users::invitations_of(&state.store.db, company_id).await?;
    let fields = vec![Field::new(&p.t, "email", "email", email, errs).required()];
    let status = if errs.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(MembersTemplate { p, members, invitations, fields, invite_link })?;
    *r.status_mut() = status;
    Ok(r)
}

async fn members(State(state): State<Kit>, ctx: Ctx) -> Result<Response, PageError> {
    members_page(&state, &ctx, &FieldErrors::default(), "", None).await
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    email: String,
}

async fn invite(State(state): State<Kit>, ctx: Ctx, Form(f): Form<InviteForm>) -> Result<Response, PageError> {
    let user = member(&ctx)?;
    let company_id = user.company_id.ok_or_else(PageError::not_found)?;
    let mut errs = FieldErrors::default();
    let email = errs.take(text::email("email", &f.email));
    let Some(email) = email else { return members_page(&state, &ctx, &errs, &f.email, None).await };
    if store::users::by_email(&state.store.db, &email).await?.is_some() {
        errs.push(FieldError::new("email", "err-email-taken"));
        return members_page(&state, &ctx, &errs, &f.email, None).await;
    }
    let token = store::random_token();
    let link = format!("{}/invite/{token}", state.config.base_url.trim_end_matches('/'));
    let t = ctx.tr();
    let company = state.companies.get(company_id).ok_or_else(PageError::not_found)?;
    let tx = state.store.db.begin().await.map_err(store::StoreError::from)?;
    store::users::invite(&tx, company_id, &email, user.id, &token).await?;
    let body = format!("{}\n\n{link}\n", t.ta("mail-invite-body", &company.row.name_ko));
    kit::mail::enqueue(&tx, &kit::mail::Email { to: email.clone(), subject: t.t("mail-invite-subject"), body }).await?;
    store::audit::record(&tx, Some(user.id), &user.email, "invite.create", &format!("company:{company_id}"), &ctx.ip, &email).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    // In demo mode nobody receives e-mail, so the link is shown to the inviter.
    members_page(&state, &ctx, &FieldErrors::default(), "", state.config.demo.then_some(link)).await
}
