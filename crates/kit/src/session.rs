//! Who is asking, in which language, and is the form theirs.
//!
//! One middleware in front of every page: it reads the session cookie (one query joins the
//! session and its user), picks the language (cookie, then account, then `Accept-Language`),
//! checks the CSRF token of every state-changing request, and renders error pages in the
//! reader's language.

use crate::Kit;
use crate::error::PageErrorKind;
use crate::i18n::{Lang, Tr};
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;
use store::users::User;

pub const SESSION_COOKIE: &str = "gd_session";
pub const ANON_CSRF_COOKIE: &str = "gd_csrf";
pub const LANG_COOKIE: &str = "gd_lang";
/// Bodies of form posts are read whole to find the CSRF field; nothing we accept is larger.
const MAX_FORM_BYTES: usize = 1024 * 1024;
/// Up to five attachments of 10 MiB each, plus the form around them.
pub const MAX_UPLOAD_BYTES: usize = 5 * domain::upload::MAX_BYTES + 1024 * 1024;

/// How long a node trusts a session it looked up. A sign-out or a deactivation on another node
/// takes effect here within this time; in exchange a busy page costs no session query. This is
/// the one cache that follows a clock rather than the change log: whether someone is still
/// signed in must not depend on every path that ends a session remembering to publish it.
const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(1);
/// Sessions kept per node; beyond it the least recently used leaves.
const CACHE_MAX: usize = 50_000;

type Entry = (std::time::Instant, User, String);

/// Recently seen sessions, keyed by the cookie secret.
pub struct SessionCache {
    map: crate::lru::Lru<String, Entry>,
}

impl SessionCache {
    pub fn new(registry: &crate::registry::Registry) -> SessionCache {
        use crate::registry::{Bound, CacheSpec};
        let stats = registry.declare(CacheSpec {
            name: "sessions",
            room: "kit",
            keyed_by: "session cookie (trusted for one second)",
            bound: Bound::Entries(CACHE_MAX),
            topics: &[],
        });
        SessionCache { map: crate::lru::Lru::new(CACHE_MAX, stats) }
    }
    fn get(&self, secret: &str) -> Option<(User, String)> {
        self.map.get_if(secret, |(at, _, _)| at.elapsed() < CACHE_TTL).map(|(_, u, c)| (u, c))
    }
    fn put(&self, secret: &str, user: &User, csrf: &str) {
        self.map.put(secret.to_string(), (std::time::Instant::now(), user.clone(), csrf.to_string()));
    }
    /// Forgets every session of a user whose record changed (a company joined, a role).
    pub fn forget_user(&self, user_id: i64) {
        self.map.retain(|_, (_, u, _)| u.id != user_id);
    }
    /// Forgets a session at once on this node (sign-out, language change).
    pub fn forget(&self, secret: &str) {
        self.map.remove(secret);
    }
}

/// The request's context, available to every page handler as an extractor.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub user: Option<User>,
    /// The token forms must send back (the session's, or the anonymous double-submit cookie's).
    pub csrf: String,
    pub lang: Lang,
    pub ip: String,
    /// The cookie secret of the current session, for sign-out.
    pub session_secret: Option<String>,
    /// Path and query, to come back to after switching language or signing in.
    pub here: String,
}

impl Ctx {
    pub fn tr(&self) -> Tr {
        Tr::new(self.lang)
    }
    pub fn user(&self) -> Result<&User, crate::error::PageError> {
        self.user.as_ref().ok_or_else(crate::error::PageError::sign_in)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = StatusCode;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool, http_only: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are hex or language codes")
}

pub fn client_ip(state: &Kit, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if state.config.trust_proxy
        && let Some(first) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next())
    {
        return first.trim().to_string();
    }
    peer.map(|p| p.ip().to_string()).unwrap_or_default()
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn layer(State(state): State<Kit>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let headers = &parts.headers;
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = client_ip(&state, headers, peer);

    let session_secret = cookie(headers, SESSION_COOKIE).map(str::to_string);
    let mut user = None;
    let mut csrf = None;
    if let Some((u, token)) = session_secret.as_deref().and_then(|s| state.sessions.get(s)) {
        user = Some(u);
        csrf = Some(token);
    } else if let Some(secret) = &session_secret {
        match store::sessions::get_with_user(&state.store.db, secret).await {
            Ok(Some((u, token))) => {
                state.sessions.put(secret, &u, &token);
                user = Some(u);
                csrf = Some(token);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return (StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response();
            }
        }
    }
    // Signed-out visitors get a double-submit token in a cookie of its own.
    let mut new_anon_csrf = None;
    let csrf = match csrf {
        Some(t) => t,
        None => match cookie(headers, ANON_CSRF_COOKIE) {
            Some(t) if t.len() == 64 => t.to_string(),
            _ => {
                let t = store::random_token();
                new_anon_csrf = Some(t.clone());
                t
            }
        },
    };

    let lang = cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| user.as_ref().and_then(|u| Lang::parse(&u.locale)))
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language))
        .unwrap_or_default();

    // A page shown in answer to a form post (with its errors) must not link back to the post's
    // address: switching language there would GET a POST-only route. The form's own page (the
    // same-site referrer) is the place to come back to.
    let here = if matches!(parts.method, Method::GET | Method::HEAD) {
        parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into())
    } else {
        headers
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(|r| r.parse::<axum::http::Uri>().ok())
            .and_then(|u| u.path_and_query().map(|p| p.as_str().to_string()))
            .map(|p| safe_next(Some(&p)))
            .unwrap_or_else(|| "/".into())
    };
    let ctx = Ctx { user, csrf: csrf.clone(), lang, ip, session_secret, here };

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let body = if unsafe_method {
        // Forms with files (case attachments) are multipart and may be larger.
        let multipart = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        // Only the forms that take files may send that much; anything else stays small.
        let path = parts.uri.path();
        let takes_files = path == "/cases"
            || (path.starts_with("/cases/") && (path.ends_with("/message") || path.ends_with("/edit")))
            || (path.starts_with("/plans/") && path.ends_with("/files"));
        let limit = if multipart && takes_files { MAX_UPLOAD_BYTES } else { MAX_FORM_BYTES };
        let bytes = match to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => return render_error(&state, &ctx, PageErrorKind::Csrf, StatusCode::PAYLOAD_TOO_LARGE),
        };
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| if multipart { multipart_field(&bytes, "_csrf") } else { form_field(&bytes, "_csrf") });
        if !sent.is_some_and(|s| constant_time_eq(&s, &csrf)) {
            tracing::warn!(path = %parts.uri.path(), "refused a request without a valid CSRF token");
            return render_error(&state, &ctx, PageErrorKind::Csrf, StatusCode::FORBIDDEN);
        }
        Body::from(bytes)
    } else {
        body
    };

    parts.extensions.insert(ctx.clone());
    let mut res = next.run(Request::from_parts(parts, body)).await;

    if let Some(kind) = res.extensions().get::<PageErrorKind>().copied() {
        res = if kind == PageErrorKind::SignInRequired {
            let next = urlencode(&ctx.here);
            Redirect::to(&format!("/login?next={next}")).into_response()
        } else {
            render_error(&state, &ctx, kind, kind.status())
        };
    }
    if let Some(t) = new_anon_csrf {
        res.headers_mut().append(header::SET_COOKIE, set_cookie(ANON_CSRF_COOKIE, &t, 86_400, state.config.secure_cookies, true));
    }
    // Pages carry personal data: never let a shared cache keep them.
    res.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    res
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| urldecode(v))
}

/// A short text field of a multipart body (the form token), found without parsing the files:
/// the part's header names it and its value runs to the next boundary line.
fn multipart_field(body: &[u8], name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = body.windows(marker.len()).position(|w| w == marker.as_bytes())?;
    let rest = &body[at + marker.len()..];
    let start = rest.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let value = &rest[start..];
    let end = value.windows(2).position(|w| w == b"\r\n")?;
    let v = std::str::from_utf8(&value[..end]).ok()?;
    (v.len() <= 256).then(|| v.to_string())
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn urldecode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                Ok(v) => {
                    out.push(v);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Only local paths may be redirect targets, so a crafted link cannot send people elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn render_error(state: &Kit, ctx: &Ctx, kind: PageErrorKind, status: StatusCode) -> Response {
    let page = crate::layout::Page::new(state, ctx, "");
    crate::layout::error_page(page, kind, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_and_redirect_targets() {
        assert_eq!(form_field(b"a=1&_csrf=ab%2Fc&b=2", "_csrf").as_deref(), Some("ab/c"));
        assert_eq!(form_field(b"a=1", "_csrf"), None);
        let mp = b"--x\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok123\r\n--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.pdf\"\r\n\r\n%PDF\r\n--x--\r\n";
        assert_eq!(multipart_field(mp, "_csrf").as_deref(), Some("tok123"));
        assert_eq!(multipart_field(mp, "other"), None);
        assert_eq!(urldecode("%ED%95%9C+x%"), "한 x%");
        assert_eq!(safe_next(Some("/companies?page=2")), "/companies?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn csrf_comparison() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
