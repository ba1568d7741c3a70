//! Rendered pages kept per node, for the pages people reload again and again (their plan,
//! their profile, their programs, an agency's queue).
//!
//! A page is kept under a [`PageKey`] that names everything it was made from: the data's stamp
//! (a number that changes whenever the data does), the reader, the language, the day and the
//! address. A change never edits a kept page; it changes the stamp, so the next request misses
//! and renders afresh. The reader's form token is the one part that differs between requests of
//! the same reader, so pages are rendered with a placeholder, kept split at it, and sent as the
//! kept pieces with the token between them: a kept page is never copied or searched again.
//!
//! A page is kept from its second request on. Most pages of a large site are read once (one
//! case among 100,000); keeping those would cost a cut and a copy each and push out the pages
//! that are read again.

use crate::error::{PageError, PageErrorKind};
use crate::i18n::Lang;
use crate::lru::Lru;
use crate::registry::{Bound, CacheSpec, Registry};
use crate::session::Ctx;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use time::Date;

/// Stands for the reader's form token in a kept page.
const TOKEN_SLOT: &str = "\u{E000}gd-csrf\u{E000}";

static NEXT_STAMP: AtomicU64 = AtomicU64::new(1);

/// A number this node never handed out before, to tag a value loaded into memory. Pages made
/// from the value are keyed by it; unlike the value's address, which the allocator soon gives
/// to the next value, it cannot match a later value by accident.
pub fn fresh_stamp() -> u64 {
    NEXT_STAMP.fetch_add(1, Ordering::Relaxed)
}

/// Everything a kept page depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    /// Which page (one cache may hold several kinds).
    pub kind: &'static str,
    /// The data's stamp or version; several numbers may be folded in with [`fold`].
    pub data: u64,
    /// The reader as the layout shows them (see [`reader`]); 0 when signed out.
    pub reader: u64,
    pub lang: Lang,
    /// Pages that count days (deadlines, clocks, schedules) differ from one day to the next.
    pub day: Date,
    /// Path and query: filters, paging and the language switch's link back all come from it.
    pub here: String,
}

impl PageKey {
    pub fn new(kind: &'static str, data: u64, ctx: &Ctx) -> PageKey {
        PageKey { kind, data, reader: reader(ctx), lang: ctx.lang, day: crate::util::today(), here: ctx.here.clone() }
    }
}

/// The reader's identity as far as a page shows or depends on it: who they are, their role,
/// agency and company, and their name in the header.
pub fn reader(ctx: &Ctx) -> u64 {
    let Some(u) = &ctx.user else { return 0 };
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (u.id, &u.role, u.agency_id, u.company_id, &u.display_name, &u.email).hash(&mut h);
    h.finish() | 1
}

/// Several stamps folded into one [`PageKey::data`].
pub fn fold(parts: &[u64]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

/// A kept page: its pieces between the token's places.
type Pieces = Arc<[Bytes]>;

pub struct PageCache {
    /// Kept pages; when full, the least recently read leaves.
    pages: Lru<PageKey, Pieces>,
    /// Hashes of keys asked for once and not kept yet (ten times as many as pages kept).
    asked: Lru<u64, ()>,
}

impl PageCache {
    pub fn new(max: usize, registry: &Registry) -> PageCache {
        let pages = registry.declare(CacheSpec {
            name: "pages",
            room: "kit",
            keyed_by: "page kind, data stamp, reader, language, day and address",
            bound: Bound::Entries(max),
            // A kept page is never made stale by a topic: its key names the stamps of the data
            // it was made from (which follow their own topics), so new data means a new key.
            topics: &[],
        });
        let asked = registry.declare(CacheSpec {
            name: "pages_asked_once",
            room: "kit",
            keyed_by: "hash of a page key asked for once",
            bound: Bound::Entries(max * 10),
            topics: &[],
        });
        PageCache { pages: Lru::new(max, pages), asked: Lru::new(max * 10, asked) }
    }

    /// Whether `key` was asked for before (and so is worth keeping); remembers it otherwise.
    fn asked_before(&self, key: &PageKey) -> bool {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        let h = h.finish();
        if self.asked.remove(&h).is_some() {
            return true;
        }
        self.asked.put(h, ());
        false
    }

    /// The page under `key`, rendered by `render` if it is not kept yet. `render` gets a context
    /// whose form token is the placeholder; only successful HTML pages are kept.
    pub async fn serve<F, Fut>(&self, ctx: &Ctx, key: PageKey, render: F) -> Result<Response, PageError>
    where
        F: FnOnce(Ctx) -> Fut,
        Fut: std::future::Future<Output = Result<Response, PageError>>,
    {
        if let Some(pieces) = self.get(&key) {
            return Ok(fill(&pieces, &ctx.csrf));
        }
        if !self.asked_before(&key) {
            return render(ctx.clone()).await;
        }
        let blank = Ctx { csrf: TOKEN_SLOT.to_string(), ..ctx.clone() };
        let resp = render(blank).await?;
        let ok = resp.status() == StatusCode::OK
            && resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
        let (mut parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.map_err(|_| PageError(PageErrorKind::Internal))?;
        let pieces = split(&bytes);
        if ok {
            self.keep(key, pieces.clone());
        }
        // The rendered response as it was (status, headers), with the token put in; the new
        // body announces its own length.
        parts.headers.remove(header::CONTENT_LENGTH);
        Ok(Response::from_parts(parts, fill(&pieces, &ctx.csrf).into_body()))
    }

    /// The page under `key` with the reader's token, only if it is kept.
    pub fn kept(&self, ctx: &Ctx, key: &PageKey) -> Option<Response> {
        self.get(key).map(|pieces| fill(&pieces, &ctx.csrf))
    }

    fn get(&self, key: &PageKey) -> Option<Pieces> {
        self.pages.get(key)
    }

    fn keep(&self, key: PageKey, html: Pieces) {
        self.pages.put(key, html);
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The page cut at each place of the token. The pieces share the page's buffer (no copies), and
/// the search is memchr's, not a window compare: case pages over many cases render once each,
/// so this runs once per request there.
fn split(page: &Bytes) -> Pieces {
    let slot = TOKEN_SLOT.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    for at in memchr::memmem::find_iter(page, slot) {
        pieces.push(page.slice(start..at));
        start = at + slot.len();
    }
    pieces.push(page.slice(start..));
    pieces.into()
}

/// The kept pieces with the reader's token between them, as one HTML response.
fn fill(pieces: &Pieces, csrf: &str) -> Response {
    let token = Bytes::copy_from_slice(csrf.as_bytes());
    let mut frames = VecDeque::with_capacity(pieces.len() * 2);
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            frames.push_back(token.clone());
        }
        frames.push_back(piece.clone());
    }
    let mut resp = Body::new(Chunks { left: frames.iter().map(Bytes::len).sum::<usize>() as u64, frames }).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    resp
}

/// A body of several shared pieces whose total length is known, so the response still carries a
/// Content-Length.
struct Chunks {
    frames: VecDeque<Bytes>,
    left: u64,
}

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let next = self.frames.pop_front();
        if let Some(b) = &next {
            self.left -= b.len() as u64;
        }
        std::task::Poll::Ready(next.map(|b| Ok(Frame::data(b))))
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::Html;

    fn ctx(csrf: &str) -> Ctx {
        Ctx { user: None, csrf: csrf.into(), lang: Lang::Ko, ip: "127.0.0.1".into(), session_secret: None, here: "/x".into() }
    }

    #[tokio::test]
    async fn a_kept_page_gets_each_readers_token_and_a_new_stamp_renders_again() {
        let cache = PageCache::new(10, &Registry::default());
        let renders = std::sync::atomic::AtomicUsize::new(0);
        let render = |c: Ctx| {
            renders.fetch_add(1, Ordering::SeqCst);
            async move { Ok(Html(format!("<input value=\"{}\">", c.csrf)).into_response()) }
        };
        for token in ["aaa", "bbb", "ccc"] {
            let c = ctx(token);
            let r = cache.serve(&c, PageKey::new("t", 1, &c), render).await.unwrap();
            let body = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap();
            assert_eq!(std::str::from_utf8(&body).unwrap(), format!("<input value=\"{token}\">"));
        }
        assert_eq!(renders.load(Ordering::SeqCst), 2, "the first request renders, the second renders and keeps, the third is served");
        assert_eq!(cache.len(), 1);
        let c = ctx("ddd");
        for _ in 0..2 {
            cache.serve(&c, PageKey::new("t", 2, &c), render).await.unwrap();
        }
        assert_eq!(renders.load(Ordering::SeqCst), 4, "a new data stamp renders again");
    }

    #[tokio::test]
    async fn failures_are_not_kept_and_a_full_cache_lets_the_least_recent_page_go() {
        let cache = PageCache::new(2, &Registry::default());
        let c = ctx("t");
        // Each asked for twice: the second request is the one that would keep a page.
        for _ in 0..2 {
            let r = cache
                .serve(&c, PageKey::new("t", 1, &c), |_| async { Ok((StatusCode::CONFLICT, Html("no")).into_response()) })
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CONFLICT);
        }
        assert!(cache.is_empty());
        // What is not kept passes through with its own headers.
        for _ in 0..2 {
            let r = cache
                .serve(&c, PageKey::new("t", 9, &c), |_| async { Ok(axum::response::Redirect::to("/elsewhere").into_response()) })
                .await
                .unwrap();
            assert_eq!((r.status(), r.headers()[header::LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, "/elsewhere"));
        }
        assert!(cache.is_empty());
        for d in 1..=3 {
            for _ in 0..2 {
                cache.serve(&c, PageKey::new("t", d, &c), |_| async { Ok(Html("yes").into_response()) }).await.unwrap();
            }
        }
        assert_eq!(cache.len(), 2, "the third page found the cache full: one page left, not all");
        assert!(cache.kept(&c, &PageKey::new("t", 1, &c)).is_none(), "the least recently read page left");
        assert!(cache.kept(&c, &PageKey::new("t", 2, &c)).is_some());
        assert!(cache.kept(&c, &PageKey::new("t", 3, &c)).is_some());
        assert_ne!(fresh_stamp(), fresh_stamp());
    }

    #[tokio::test]
    async fn every_place_of_the_token_is_filled_and_the_length_is_announced() {
        let page = format!("<meta content=\"{TOKEN_SLOT}\"><form><input value=\"{TOKEN_SLOT}\"></form>한국어");
        let pieces = split(&Bytes::from(page));
        assert_eq!(pieces.len(), 3);
        let r = fill(&pieces, "tok");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
        let expected = "<meta content=\"tok\"><form><input value=\"tok\"></form>한국어";
        assert_eq!(http_body::Body::size_hint(r.body()).exact(), Some(expected.len() as u64));
        let body = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap();
        assert_eq!(std::str::from_utf8(&body).unwrap(), expected);
    }
}
