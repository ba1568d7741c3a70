//! Administration (users and roles, audit log) and the analyst's overview.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::{FieldError, FieldErrors, Role, text};
use kit::Kit;
use kit::auth;
use kit::error::PageError;
use kit::layout::{Field, Page, render};
use kit::session::Ctx;
use serde::Deserialize;
use store::users::User;

pub fn router() -> axum::Router<Kit> {
    axum::Router::new()
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/{id}", axum::routing::post(update_user))
        .route("/admin/audit", get(audit))
}

fn admin(ctx: &Ctx) -> Result<&User, PageError> {
    let u = ctx.user()?;
    if matches!(u.role(), Role::PlatformAdmin | Role::AgencyAdmin) { Ok(u) } else { Err(PageError::forbidden()) }
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersTemplate {
    p: Page,
    users: Vec<(User, String)>,
    fields: Vec<Field>,
    page: i64,
    has_next: bool,
    /// Roles and agencies the admin may set on an existing account.
    roles: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
    me: i64,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NewUserForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    password: String,
}

/// Roles an admin may hand out: agency admins only staff their own agency.
fn grantable(admin: &User) -> Vec<Role> {
    match admin.role() {
        Role::PlatformAdmin => Role::ALL.to_vec(),
        Role::AgencyAdmin => vec![Role::Officer, Role::AgencyAdmin],
        _ => vec![],
    }
}

/// Users shown per page of the admin list.
const USERS_PER_PAGE: i64 = 50;

async fn users_page(
    state: &Kit,
    ctx: &Ctx,
    f: &NewUserForm,
    errs: &FieldErrors,
    flash: Option<&str>,
    page: i64,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let me = admin(ctx)?;
    let p = Page::new(state, ctx, "users-title").with_flash(flash);
    let db = &state.store.db;
    let list = match me.role() {
        Role::PlatformAdmin => store::users::list(db, USERS_PER_PAGE + 1, (page - 1) * USERS_PER_PAGE).await?,
        _ => store::users::list_for_agency(db, me.agency_id.unwrap_or(-1), USERS_PER_PAGE + 1, (page - 1) * USERS_PER_PAGE).await?,
    };
    let agencies = store::agencies::list(db).await?;
    let agency_name = |id: Option<i64>| {
        agencies.iter().find(|a| Some(a.id) == id).map(|a| p.t.pick(&a.name_ko, &a.name_en).to_string()).unwrap_or_default()
    };
    // One row more than a page tells whether there is a next page.
    let has_next = list.len() as i64 > USERS_PER_PAGE;
    let users = list
        .into_iter()
        .take(USERS_PER_PAGE as usize)
        .map(|u| {
            let a = agency_name(u.agency_id);
            (u, a)
        })
        .collect();
    let roles: Vec<(String, String)> =
        grantable(me).into_iter().map(|r| (r.as_str().to_string(), p.t.t(&format!("role-{}", r.as_str())))).collect();
    let agency_options: Vec<(String, String)> = agencies
        .iter()
        .filter(|a| me.role() == Role::PlatformAdmin || Some(a.id) == me.agency_id)
        .map(|a| (a.code.clone(), p.t.pick(&a.name_ko, &a.name_en).to_string()))
        .collect();
    let staff_roles = roles.iter().filter(|(r, _)| Role::parse(r).is_some_and(is_staff_role)).cloned().collect();
    let error = error.map(|k| p.t.t(k));
    let fields = vec![
        Field::new(&p.t, "display_name", "text", f.display_name.clone(), errs).required(),
        Field::new(&p.t, "email", "email", f.email.clone(), errs).required(),
        Field::new(&p.t, "role", "select", f.role.clone(), errs).required().options(roles),
        Field::new(&p.t, "agency", "select", f.agency.clone(), errs).options(agency_options.clone()),
        Field::new(&p.t, "password", "password", "", errs).required().autocomplete("new-password"),
    ];
    let status = if errs.is_empty() && error.is_none() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let me_id = me.id;
    let mut r = render(UsersTemplate { p, users, fields, page, has_next, roles: staff_roles, agencies: agency_options, me: me_id, error })?;
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
struct UsersQuery {
    created: Option<String>,
    updated: Option<String>,
    error: Option<String>,
    page: Option<i64>,
}

/// Why an account change was refused (message ids, also accepted back from the address).
const UPDATE_ERRORS: [&str; 4] = ["users-error-self", "users-error-role", "users-error-not-staff", "err-agency-required"];

async fn users(State(state): State<Kit>, ctx: Ctx, Query(q): Query<UsersQuery>) -> Result<Response, PageError> {
    users_page(
        &state,
        &ctx,
        &NewUserForm::default(),
        &FieldErrors::default(),
        q.created.as_ref().map(|_| "flash-user-created").or(q.updated.as_ref().map(|_| "flash-user-updated")),
        q.page.unwrap_or(1).max(1),
        UPDATE_ERRORS.iter().copied().find(|k| Some(*k) == q.error.as_deref()),
    )
    .await
}

/// Roles that move between one another on an existing account. Company members belong to a
/// company and experts to a listing, so those accounts can be switched off and on, not turned
/// into staff (or back).
fn is_staff_role(r: Role) -> bool {
    matches!(r, Role::Officer | Role::AgencyAdmin | Role::PlatformAdmin | Role::Analyst)
}

#[derive(Deserialize)]
struct AccessForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    agency: String,
    /// A check box: present when ticked.
    #[serde(default)]
    active: Option<String>,
}

/// Changes an account's role, agency or whether it may sign in. An agency admin manages the
/// staff of their own agency only; nobody changes their own account here (so an agency cannot
/// lock itself out by accident). A changed account is signed out everywhere.
async fn update_user(State(state): State<Kit>, ctx: Ctx, Path(id): Path<i64>, Form(f): Form<AccessForm>) -> Result<Response, PageError> {
    let me = admin(&ctx)?;
    let db = &state.store.db;
    let target = store::users::by_id(db, id).await?.ok_or_else(PageError::not_found)?;
    if me.role() == Role::AgencyAdmin && !(target.agency_id == me.agency_id && me.agency_id.is_some() && is_staff_role(target.role())) {
        return Err(PageError::not_found());
    }
    let back = |key: &str| Ok(Redirect::to(&format!("/admin/users?error={key}")).into_response());
    if target.id == me.id {
        return back("users-error-self");
    }
    let active = f.active.is_some();
    let role = if f.role.is_empty() { Some(target.role()) } else { Role::parse(&f.role) };
    let Some(role) = role else { return back("users-error-role") };
    if role != target.role() && !(is_staff_role(role) && is_staff_role(target.role()) && grantable(me).contains(&role)) {
        return back(if is_staff_role(target.role()) { "users-error-role" } else { "users-error-not-staff" });
    }
    let agency = match f.agency.trim() {
        "" if role.needs_agency() => return back("err-agency-required"),
        "" => None,
        code => match store::agencies::by_code(db, code).await? {
            Some(a) if me.role() == Role::PlatformAdmin || Some(a.id) == me.agency_id => Some(a.id),
            _ => return back("err-agency-required"),
        },
    };
    // Accounts outside agencies keep no agency.
    let agency = if role.needs_agency() || role == Role::PlatformAdmin { agency } else { None };
    use store::TransactionTrait;
    let tx = db.begin().await.map_err(store::StoreError::from)?;
    store::users::set_access(&tx, id, role, agency, active).await?;
    let signed_out = store::sessions::delete_for_user(&tx, id).await?;
    let detail = format!(
        "role={} agency={} active={active} sessions_ended={signed_out}",
        role.as_str(),
        agency.map(|a| a.to_string()).unwrap_or_default()
    );
    store::audit::record(&tx, Some(me.id), &me.email, "user.update", &format!("user:{id}"), &ctx.ip, &detail).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    // This node forgets the account's sessions now; other nodes' caches expire within seconds
    // and then find no session.
    state.sessions.forget_user(id);
    Ok(Redirect::to("/admin/users?updated=1").into_response())
}

async fn create_user(State(state): State<Kit>, ctx: Ctx, Form(f): Form<NewUserForm>) -> Result<Response, PageError> {
    let me = admin(&ctx)?;
    let db = &state.store.db;
    let mut errs = FieldErrors::default();
    let name = errs.take(text::required("display_name", &f.display_name, 100));
    let email = errs.take(text::email("email", &f.email));
    let password = errs.take(text::new_password("password", &f.password));
    let role = Role::parse(&f.role).filter(|r| grantable(me).contains(r));
    if role.is_none() {
        errs.push(FieldError::new("role", "err-required"));
    }
    let agency = match f.agency.trim() {
        "" => None,
        code => store::agencies::by_code(db, code).await?,
    };
    if let Some(r) = role {
        if r.needs_agency() && agency.is_none() {
            errs.push(FieldError::new("agency", "err-agency-required"));
        }
        if me.role() == Role::AgencyAdmin && agency.as_ref().map(|a| a.id) != me.agency_id {
            errs.push(FieldError::new("agency", "err-agency-required"));
        }
    }
    let (Some(name), Some(email), Some(password), Some(role), true) = (name, email, password, role, errs.is_empty()) else {
        return users_page(&state, &ctx, &f, &errs, None, 1, None).await;
    };
    let hash = auth::hash_off_thread(password.clone()).await;
    let created = store::users::create(
        db,
        store::users::NewUser {
            email: &email,
            password_hash: &hash,
            display_name: &name,
            role,
            agency_id: agency.map(|a| a.id),
            company_id: None,
            locale: ctx.lang.code(),
            email_confirmed: true,
            confirm_token_hash: None,
        },
    )
    .await;
    match created {
        Ok(id) => {
            store::audit::record(db, Some(me.id), &me.email, "user.create", &format!("user:{id}"), &ctx.ip, role.as_str()).await?;
            Ok(Redirect::to("/admin/users?created=1").into_response())
        }
        Err(store::StoreError::Duplicate(_)) => {
            errs.push(FieldError::new("email", "err-email-taken"));
            users_page(&state, &ctx, &f, &errs, None, 1, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditTemplate {
    p: Page,
    entries: Vec<store::audit::AuditEntry>,
    action: String,
    page: i64,
}

#[derive(Deserialize)]
struct AuditQuery {
    #[serde(default)]
    action: String,
    page: Option<i64>,
}

async fn audit(State(state): State<Kit>, ctx: Ctx, Query(q): Query<AuditQuery>) -> Result<Response, PageError> {
    let me = ctx.user()?;
    if me.role() != Role::PlatformAdmin {
        return Err(PageError::forbidden());
    }
    let page = q.page.unwrap_or(1).max(1);
    let entries = store::audit::list(&state.store.db, Some(q.action.as_str()), 100, (page - 1) * 100).await?;
    render(AuditTemplate { p: Page::new(&state, &ctx, "audit-title"), entries, action: q.action, page })
}
