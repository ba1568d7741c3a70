//! Signing up, in and out; e-mail confirmation; language; personal access tokens; invitations.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{FieldError, FieldErrors, Role, text};
use kit::Kit;
use kit::auth;
use kit::error::PageError;
use kit::i18n::Lang;
use kit::layout::{Field, Page, render};
use kit::session::{self, Ctx, LANG_COOKIE, SESSION_COOKIE, safe_next, set_cookie};
use serde::Deserialize;
use store::TransactionTrait;

pub fn router() -> axum::Router<Kit> {
    axum::Router::new()
        .route("/login", get(login_form).post(login))
        .route("/signup", get(signup_form).post(signup))
        .route("/logout", post(logout))
        .route("/confirm", get(confirm))
        .route("/lang/{code}", get(switch_lang))
        .route("/account/tokens", get(tokens_page).post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/invite/{token}", get(invite_form).post(accept_invite))
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
    confirmed: Option<String>,
    sent: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    p: Page,
    fields: Vec<Field>,
    next: String,
    error: String,
}

fn login_fields(p: &Page, email: &str, errors: &FieldErrors) -> Vec<Field> {
    vec![
        Field::new(&p.t, "email", "email", email, errors).required().autocomplete("username"),
        Field::new(&p.t, "password", "password", "", errors).required().no_hint().autocomplete("current-password"),
    ]
}

async fn login_form(State(state): State<Kit>, ctx: Ctx, Query(q): Query<NextQuery>) -> Result<Response, PageError> {
    let flash = if q.confirmed.is_some() {
        Some("flash-confirmed")
    } else if q.sent.is_some() {
        Some("flash-confirm-sent")
    } else {
        None
    };
    let p = Page::new(&state, &ctx, "login-title").with_flash(flash);
    let fields = login_fields(&p, "", &FieldErrors::default());
    render(LoginTemplate { p, fields, next: safe_next(q.next.as_deref()), error: String::new() })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

async fn login(State(state): State<Kit>, ctx: Ctx, Form(f): Form<LoginForm>) -> Result<Response, PageError> {
    let db = &state.store.db;
    let email = f.email.trim().to_lowercase();
    let p = Page::new(&state, &ctx, "login-title");
    let refuse = |p: Page, key: &str, status: StatusCode| -> Result<Response, PageError> {
        let error = p.t.t(key);
        let fields = login_fields(&p, &email, &FieldErrors::default());
        let mut r = render(LoginTemplate { p, fields, next: safe_next(f.next.as_deref()), error })?;
        *r.status_mut() = status;
        Ok(r)
    };
    if store::users::recent_attempts(db, &ctx.ip, auth::WINDOW_MINUTES).await? >= auth::MAX_ATTEMPTS_PER_IP {
        store::audit::record(db, None, &email, "login.rate_limited", "", &ctx.ip, "").await?;
        return refuse(p, "login-rate-limited", StatusCode::TOO_MANY_REQUESTS);
    }
    let user = store::users::by_email(db, &email).await?;
    // Verify even for unknown addresses so that timing does not tell which accounts exist.
    let stored = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| auth::dummy_hash().to_string());
    let ok = auth::verify_off_thread(f.password.clone(), stored).await;
    let Some(user) = user.filter(|u| u.active) else {
        store::users::log_attempt(db, &ctx.ip, &email, false).await?;
        store::audit::record(db, None, &email, "login.failed", "", &ctx.ip, "unknown account").await?;
        state.metrics.logins_failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return refuse(p, "login-failed", StatusCode::UNAUTHORIZED);
    };
    if user.locked_until.as_deref().is_some_and(|t| t > store::now_iso().as_str()) {
        store::audit::record(db, Some(user.id), &email, "login.locked", "", &ctx.ip, "").await?;
        return refuse(p, "login-locked", StatusCode::TOO_MANY_REQUESTS);
    }
    if !ok {
        store::users::log_attempt(db, &ctx.ip, &email, false).await?;
        let locked = store::users::record_failure(db, user.id, auth::MAX_FAILURES, auth::LOCK_MINUTES).await?;
        store::audit::record(db, Some(user.id), &email, if locked { "login.lockout" } else { "login.failed" }, "", &ctx.ip, "").await?;
        state.metrics.logins_failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return refuse(p, if locked { "login-locked" } else { "login-failed" }, StatusCode::UNAUTHORIZED);
    }
    if !user.email_confirmed {
        return refuse(p, "login-unconfirmed", StatusCode::FORBIDDEN);
    }
    store::users::record_success(db, user.id).await?;
    store::users::log_attempt(db, &ctx.ip, &email, true).await?;
    store::audit::record(db, Some(user.id), &email, "login.ok", "", &ctx.ip, "").await?;
    state.metrics.logins_ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (secret, _csrf) = store::sessions::create(db, user.id, auth::SESSION_HOURS).await?;
    let target = match f.next.as_deref() {
        Some(n) if n != "/" => safe_next(Some(n)),
        _ => home_for(user.role()).to_string(),
    };
    let mut r = Redirect::to(&target).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &secret, auth::SESSION_HOURS * 3600, state.config.secure_cookies, true));
    Ok(r)
}

/// Where each role lands after signing in.
pub fn home_for(role: Role) -> &'static str {
    match role {
        Role::CompanyMember => "/desk",
        Role::Officer | Role::AgencyAdmin | Role::PlatformAdmin => "/companies",
        Role::Analyst => "/insights",
        Role::Expert => "/expert",
    }
}

async fn logout(State(state): State<Kit>, ctx: Ctx) -> Result<Response, PageError> {
    if let Some(secret) = &ctx.session_secret {
        store::sessions::delete(&state.store.db, secret).await?;
        state.sessions.forget(secret);
    }
    if let Some(u) = &ctx.user {
        store::audit::record(&state.store.db, Some(u.id), &u.email, "logout", "", &ctx.ip, "").await?;
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies, true));
    Ok(r)
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupTemplate {
    p: Page,
    fields: Vec<Field>,
    action: String,
    intro: String,
}

#[derive(Deserialize, Default)]
struct SignupForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

fn signup_fields(p: &Page, f: &SignupForm, errors: &FieldErrors) -> Vec<Field> {
    vec![
        Field::new(&p.t, "display_name", "text", f.display_name.clone(), errors).required().autocomplete("name"),
        Field::new(&p.t, "email", "email", f.email.clone(), errors).required().autocomplete("email"),
        Field::new(&p.t, "password", "password", "", errors).required().autocomplete("new-password"),
    ]
}

async fn signup_form(State(state): State<Kit>, ctx: Ctx) -> Result<Response, PageError> {
    let p = Page::new(&state, &ctx, "signup-title");
    let fields = signup_fields(&p, &SignupForm::default(), &FieldErrors::default());
    let intro = p.t.t("signup-intro");
    render(SignupTemplate { p, fields, action: "/signup".into(), intro })
}

struct NewAccount {
    display_name: String,
    email: String,
    password: String,
}

fn parse_signup(f: &SignupForm) -> Result<NewAccount, FieldErrors> {
    let mut errs = FieldErrors::default();
    let display_name = errs.take(text::required("display_name", &f.display_name, 100));
    let email = errs.take(text::email("email", &f.email));
    let password = errs.take(text::new_password("password", &f.password));
    match (display_name, email, password) {
        (Some(display_name), Some(email), Some(password)) => Ok(NewAccount { display_name, email, password }),
        _ => Err(errs),
    }
}

async fn signup(State(state): State<Kit>, ctx: Ctx, Form(f): Form<SignupForm>) -> Result<Response, PageError> {
    let p = Page::new(&state, &ctx, "signup-title");
    let invalid = |p: Page, errs: FieldErrors| -> Result<Response, PageError> {
        let fields = signup_fields(&p, &f, &errs);
        let intro = p.t.t("signup-intro");
        let mut r = render(SignupTemplate { p, fields, action: "/signup".into(), intro })?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(r)
    };
    let acct = match parse_signup(&f) {
        Ok(a) => a,
        Err(errs) => return invalid(p, errs),
    };
    // Demo mode confirms at once; otherwise the address is proven by a link sent through the outbox.
    let confirm_now = state.config.demo;
    let token = store::random_token();
    let hash = auth::hash_off_thread(acct.password.clone()).await;
    let tx = state.store.db.begin().await.map_err(store::StoreError::from)?;
    let created = store::users::create(
        &tx,
        store::users::NewUser {
            email: &acct.email,
            password_hash: &hash,
            display_name: &acct.display_name,
            role: Role::CompanyMember,
            agency_id: None,
            company_id: None,
            locale: ctx.lang.code(),
            email_confirmed: confirm_now,
            confirm_token_hash: (!confirm_now).then(|| store::token_hash(&token)),
        },
    )
    .await;
    let user_id = match created {
        Ok(id) => id,
        Err(store::StoreError::Duplicate(_)) => {
            let mut errs = FieldErrors::default();
            errs.push(FieldError::new("email", "err-email-taken"));
            return invalid(p, errs);
        }
        Err(e) => return Err(e.into()),
    };
    if !confirm_now {
        let t = ctx.tr();
        let link = format!("{}/confirm?token={token}", state.config.base_url.trim_end_matches('/'));
        kit::mail::enqueue(
            &tx,
            &kit::mail::Email { to: acct.email.clone(), subject: t.t("mail-confirm-subject"), body: t.ta("mail-confirm-body", &link) },
        )
        .await
        .map_err(PageError::from)?;
    }
    store::audit::record(&tx, Some(user_id), &acct.email, "signup", &format!("user:{user_id}"), &ctx.ip, "").await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    if confirm_now { Ok(Redirect::to("/login?confirmed=1").into_response()) } else { Ok(Redirect::to("/login?sent=1").into_response()) }
}

#[derive(Deserialize)]
struct ConfirmQuery {
    token: String,
}

async fn confirm(State(state): State<Kit>, Query(q): Query<ConfirmQuery>) -> Result<Response, PageError> {
    match store::users::confirm_email(&state.store.db, &q.token).await? {
        Some(id) => {
            store::audit::record(&state.store.db, Some(id), "", "email.confirmed", &format!("user:{id}"), "", "").await?;
            Ok(Redirect::to("/login?confirmed=1").into_response())
        }
        None => Err(PageError::not_found()),
    }
}

async fn switch_lang(
    State(state): State<Kit>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    let lang = Lang::parse(&code).ok_or_else(PageError::not_found)?;
    if let Some(u) = &ctx.user {
        store::users::set_locale(&state.store.db, u.id, lang.code()).await?;
        if let Some(secret) = &ctx.session_secret {
            state.sessions.forget(secret);
        }
    }
    let mut r = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(LANG_COOKIE, lang.code(), 365 * 86_400, state.config.secure_cookies, false));
    Ok(r)
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensTemplate {
    p: Page,
    tokens: Vec<store::tokens::ApiToken>,
    fields: Vec<Field>,
    new_secret: Option<String>,
}

async fn tokens_page(State(state): State<Kit>, ctx: Ctx) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let p = Page::new(&state, &ctx, "tokens-title");
    let tokens = store::tokens::list(&state.store.db, user.id).await?;
    let fields = vec![Field::new(&p.t, "name", "text", "", &FieldErrors::default()).required()];
    render(TokensTemplate { p, tokens, fields, new_secret: None })
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(State(state): State<Kit>, ctx: Ctx, Form(f): Form<TokenForm>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    let p = Page::new(&state, &ctx, "tokens-title");
    let mut errs = FieldErrors::default();
    let name = errs.take(text::required("name", &f.name, 100));
    let mut new_secret = None;
    if let Some(name) = name {
        let (id, secret) = store::tokens::create(&state.store.db, user.id, &name).await?;
        store::audit::record(&state.store.db, Some(user.id), &user.email, "token.create", &format!("token:{id}"), &ctx.ip, &name).await?;
        new_secret = Some(secret);
    }
    let tokens = store::tokens::list(&state.store.db, user.id).await?;
    let fields = vec![Field::new(&p.t, "name", "text", if errs.is_empty() { "" } else { f.name.as_str() }, &errs).required()];
    let status = if errs.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(TokensTemplate { p, tokens, fields, new_secret })?;
    *r.status_mut() = status;
    Ok(r)
}

async fn revoke_token(State(state): State<Kit>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let user = ctx.user()?;
    if !store::tokens::revoke(&state.store.db, user.id, id).await? {
        return Err(PageError::not_found());
    }
    store::audit::record(&state.store.db, Some(user.id), &user.email, "token.revoke", &format!("token:{id}"), &ctx.ip, "").await?;
    Ok(Redirect::to("/account/tokens").into_response())
}

async fn invite_form(State(state): State<Kit>, ctx: Ctx, Path(token): Path<String>) -> Result<Response, PageError> {
    let inv = store::users::invitation_by_token(&state.store.db, &token).await?.ok_or_else(PageError::not_found)?;
    let p = Page::new(&state, &ctx, "invite-title");
    let company = store::companies::get(&state.store.db, inv.company_id).await?.ok_or_else(PageError::not_found)?;
    let fields = signup_fields(&p, &SignupForm { email: inv.email.clone(), ..Default::default() }, &FieldErrors::default());
    let intro = p.t.ta("invite-intro", &company.row.name_ko);
    render(SignupTemplate { p, fields, action: format!("/invite/{}", session::urlencode(&token)), intro })
}

async fn accept_invite(
    State(state): State<Kit>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<SignupForm>,
) -> Result<Response, PageError> {
    let inv = store::users::invitation_by_token(&state.store.db, &token).await?.ok_or_else(PageError::not_found)?;
    let p = Page::new(&state, &ctx, "invite-title");
    let mut acct = parse_signup(&f);
    // The invitation was sent to one address; accept it only for that address.
    if let Ok(a) = &acct
        && a.email != inv.email
    {
        let mut errs = FieldErrors::default();
        errs.push(FieldError::new("email", "err-invite-email"));
        acct = Err(errs);
    }
    let acct = match acct {
        Ok(a) => a,
        Err(errs) => {
            let fields = signup_fields(&p, &f, &errs);
            let intro = p.t.t("signup-intro");
            let mut r = render(SignupTemplate { p, fields, action: format!("/invite/{}", session::urlencode(&token)), intro })?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
    };
    let hash = auth::hash_off_thread(acct.password.clone()).await;
    let tx = state.store.db.begin().await.map_err(store::StoreError::from)?;
    let user_id = store::users::create(
        &tx,
        store::users::NewUser {
            email: &acct.email,
            password_hash: &hash,
            display_name: &acct.display_name,
            role: Role::CompanyMember,
            agency_id: None,
            company_id: Some(inv.company_id),
            locale: ctx.lang.code(),
            // The invitation link reached this address: that proves it.
            email_confirmed: true,
            confirm_token_hash: None,
        },
    )
    .await?;
    store::users::accept_invitation(&tx, inv.id).await?;
    store::audit::record(&tx, Some(user_id), &acct.email, "invite.accept", &format!("company:{}", inv.company_id), &ctx.ip, "").await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Redirect::to("/login?confirmed=1").into_response())
}
