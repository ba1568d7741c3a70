//! The page frame. Every page template gets a [`Page`] (`p` in templates) with the translator, the
//! signed-in user, the CSRF token and the navigation for the user's role.

use crate::Kit;
use crate::error::PageErrorKind;
use crate::i18n::Tr;
use crate::session::Ctx;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::{FieldErrors, Role};

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

pub struct UserView {
    pub name: String,
    pub email: String,
    pub role_label: String,
}

/// What every page's layout needs.
pub struct Page {
    pub t: Tr,
    pub user: Option<UserView>,
    pub csrf: String,
    pub demo: bool,
    pub here: String,
    pub title: String,
    pub nav: Vec<NavItem>,
    pub flash: Option<String>,
}

impl Page {
    pub fn new(state: &Kit, ctx: &Ctx, title_key: &str) -> Page {
        let t = ctx.tr();
        let path = ctx.here.split('?').next().unwrap_or("/").to_string();
        let role = ctx.user.as_ref().map(|u| u.role());
        let mut items: Vec<(&'static str, &'static str)> =
            vec![("/", "nav-home"), ("/programs", "nav-programs"), ("/guides", "nav-guides"), ("/knowledge", "nav-knowledge")];
        match role {
            Some(Role::CompanyMember) => items.extend([
                ("/desk", "nav-desk"),
                ("/my/programs", "nav-my-programs"),
                ("/applications", "nav-applications"),
                ("/cases", "nav-cases"),
                ("/plans", "nav-plans"),
                ("/experts", "nav-experts"),
                ("/company", "nav-company"),
                ("/company/members", "nav-members"),
            ]),
            Some(Role::Officer) => items.extend([
                ("/officer/cases", "nav-case-queue"),
                ("/officer/kb", "nav-kb-staff"),
                ("/officer/playbooks", "nav-playbooks"),
                ("/officer/experts", "nav-expert-review"),
                ("/companies", "nav-companies"),
                ("/officer/programs", "nav-program-admin"),
                ("/officer/applications", "nav-app-queue"),
            ]),
            Some(Role::AgencyAdmin) => items.extend([
                ("/officer/cases", "nav-case-queue"),
                ("/officer/kb", "nav-kb-staff"),
                ("/officer/playbooks", "nav-playbooks"),
                ("/officer/experts", "nav-expert-review"),
                ("/admin/desk", "nav-desk-config"),
                ("/companies", "nav-companies"),
                ("/officer/programs", "nav-program-admin"),
                ("/officer/applications", "nav-app-queue"),
                ("/admin/users", "nav-users"),
            ]),
            Some(Role::PlatformAdmin) => items.extend([
                ("/officer/cases", "nav-case-queue"),
                ("/officer/kb", "nav-kb-staff"),
                ("/officer/playbooks", "nav-playbooks"),
                ("/officer/experts", "nav-expert-review"),
                ("/admin/desk", "nav-desk-config"),
                ("/companies", "nav-companies"),
                ("/officer/programs", "nav-program-admin"),
                ("/officer/applications", "nav-app-queue"),
                ("/admin/users", "nav-users"),
                ("/admin/audit", "nav-audit"),
            ]),
            Some(Role::Analyst) => items.extend([("/insights", "nav-insights")]),
            Some(Role::Expert) => items.extend([("/expert", "nav-expert")]),
            None => {}
        }
        if role.is_some() {
            items.push(("/notifications", "nav-notifications"));
            items.push(("/account/tokens", "nav-tokens"));
        }
        let nav = items
            .into_iter()
            .map(|(href, key)| NavItem {
                href,
                label: t.t(key),
                active: if href == "/" {
                    path == "/"
                } else {
                    path.starts_with(href)
                        && (path.len() == href.len() || path.as_bytes()[href.len()] == b'/')
                        && !(href == "/company" && path.starts_with("/company/"))
                },
            })
            .collect();
        let user = ctx.user.as_ref().map(|u| UserView {
            name: u.display_name.clone(),
            email: u.email.clone(),
            role_label: t.t(&format!("role-{}", u.role)),
        });
        Page {
            t,
            user,
            csrf: ctx.csrf.clone(),
            demo: state.config.demo,
            here: ctx.here.clone(),
            title: if title_key.is_empty() { String::new() } else { t.t(title_key) },
            nav,
            flash: None,
        }
    }

    pub fn with_flash(mut self, key: Option<&str>) -> Page {
        self.flash = key.map(|k| self.t.t(k));
        self
    }

    /// The link that switches to the other language and comes back here.
    pub fn other_lang_href(&self) -> String {
        let other = if self.t.is_ko() { "en" } else { "ko" };
        format!("/lang/{other}?next={}", crate::session::urlencode(&self.here))
    }
    pub fn other_lang_label(&self) -> &'static str {
        if self.t.is_ko() { "English" } else { "한국어" }
    }
}

/// One form field as the shared field template renders it: label, control, hint, error.
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub kind: &'static str,
    pub hint: String,
    pub error: String,
    pub required: bool,
    pub options: Vec<(String, String)>,
    /// `hs` or `country`: the field gets a suggestion box fed by `/ref/…`.
    pub suggest: &'static str,
    pub autocomplete: &'static str,
}

impl Field {
    pub fn new(t: &Tr, name: &'static str, kind: &'static str, value: impl Into<String>, errors: &FieldErrors) -> Field {
        Field {
            name,
            label: t.t(&format!("field-{}", name.replace('_', "-"))),
            value: value.into(),
            kind,
            hint: t.try_hint(name),
            error: errors.for_field(name).map(|e| t.field_error(e)).unwrap_or_default(),
            required: false,
            options: Vec::new(),
            suggest: "",
            autocomplete: "off",
        }
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }
    pub fn suggest(mut self, what: &'static str) -> Self {
        self.suggest = what;
        self
    }
    /// Drops the hint (the sign-in form needs no advice on new passwords).
    pub fn no_hint(mut self) -> Self {
        self.hint.clear();
        self
    }
    pub fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = a;
        self
    }
    pub fn has_error(&self) -> bool {
        !self.error.is_empty()
    }
    pub fn is_selected(&self, v: &str) -> bool {
        self.value == v
    }
}

impl Tr {
    /// The hint for a field, or nothing when the catalogue has none.
    pub fn try_hint(&self, name: &str) -> String {
        let key = format!("hint-{}", name.replace('_', "-"));
        let text = self.t(&key);
        if text == key { String::new() } else { text }
    }
}

pub fn render(t: impl Template) -> Result<Response, crate::error::PageError> {
    Ok(Html(t.render()?).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    p: Page,
    message: String,
    status: u16,
}

pub fn error_page(mut p: Page, kind: PageErrorKind, status: StatusCode) -> Response {
    p.title = p.t.t("error-title");
    let message = p.t.t(kind.message_key());
    match (ErrorTemplate { p, message, status: status.as_u16() }).render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            status.into_response()
        }
    }
}
