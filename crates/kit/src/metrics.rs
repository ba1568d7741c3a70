//! A Prometheus `/metrics` endpoint: request counts by status class and a latency histogram.
//! A few atomics of our own instead of a metrics framework we would use a sliver of.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    buckets: [AtomicU64; 10],
    count: AtomicU64,
    sum_micros: AtomicU64,
    pub logins_ok: AtomicU64,
    pub logins_failed: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, status: u16, seconds: f64) {
        let class = (status / 100).clamp(1, 5) as usize - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    pub fn render(&self, extra: &[(&str, &str, i64)]) -> String {
        let mut s = String::new();
        s.push_str("# HELP globaldesk_http_requests_total HTTP requests by status class.\n# TYPE globaldesk_http_requests_total counter\n");
        for (i, c) in self.by_class.iter().enumerate() {
            s.push_str(&format!("globaldesk_http_requests_total{{class=\"{}xx\"}} {}\n", i + 1, c.load(Ordering::Relaxed)));
        }
        s.push_str(
            "# HELP globaldesk_http_request_duration_seconds Request latency.\n# TYPE globaldesk_http_request_duration_seconds histogram\n",
        );
        for (i, b) in BUCKETS.iter().enumerate() {
            s.push_str(&format!(
                "globaldesk_http_request_duration_seconds_bucket{{le=\"{b}\"}} {}\n",
                self.buckets[i].load(Ordering::Relaxed)
            ));
        }
        let count = self.count.load(Ordering::Relaxed);
        s.push_str(&format!("globaldesk_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n"));
        s.push_str(&format!("globaldesk_http_request_duration_seconds_sum {}\n", self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6));
        s.push_str(&format!("globaldesk_http_request_duration_seconds_count {count}\n"));
        s.push_str("# TYPE globaldesk_logins_total counter\n");
        s.push_str(&format!("globaldesk_logins_total{{result=\"ok\"}} {}\n", self.logins_ok.load(Ordering::Relaxed)));
        s.push_str(&format!("globaldesk_logins_total{{result=\"failed\"}} {}\n", self.logins_failed.load(Ordering::Relaxed)));
        for (name, help, v) in extra {
            s.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}\n"));
        }
        s
    }
}

pub async fn layer(State(state): State<crate::Kit>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let res = next.run(req).await;
    state.metrics.observe(res.status().as_u16(), start.elapsed().as_secs_f64());
    res
}
