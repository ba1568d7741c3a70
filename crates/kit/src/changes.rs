//! How a node keeps its copies fresh: one reader of the change log (`store::changes`) per node,
//! handing each room the changes of the topics it subscribed to.
//!
//! A round reads the log from a little before where the last one stopped: ids are handed out
//! when a transaction inserts, not when it commits, so a change with a smaller id can become
//! visible after a larger one was read. Re-reading the last [`LOOKBACK`] entries catches those;
//! subscribers must therefore be idempotent (they re-read what a change names). When a
//! subscriber fails, the position does not move and the whole window comes again next round.
//!
//! Rounds run when the node itself changed something (read-your-writes: [`ChangeFeed::catch_up`]
//! right after the commit), when PostgreSQL's `NOTIFY` says another node committed, and every
//! [`POLL`] otherwise (the only way on SQLite, a fallback on PostgreSQL).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use store::changes::{Change, Topic};

/// How far back each round re-reads (see the module comment).
pub const LOOKBACK: i64 = 200;
/// How often a node looks when nothing woke it.
pub const POLL: Duration = Duration::from_millis(500);
/// On PostgreSQL `NOTIFY` wakes the node; the poll stays as a slower safety net.
pub const POLL_WHEN_LISTENING: Duration = Duration::from_secs(2);

pub type Applied = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
type Handler = Box<dyn Fn(Vec<Change>) -> Applied + Send + Sync>;

struct Subscriber {
    name: &'static str,
    topics: &'static [Topic],
    handler: Handler,
}

pub struct ChangeFeed {
    /// The last log id handed to every subscriber. The lock also keeps rounds one at a time.
    position: tokio::sync::Mutex<i64>,
    subscribers: std::sync::RwLock<Vec<std::sync::Arc<Subscriber>>>,
    rounds: AtomicU64,
    delivered: AtomicU64,
    failures: AtomicU64,
    notified: AtomicU64,
}

impl ChangeFeed {
    /// A feed that starts after log id `position` (read it before loading what it keeps fresh).
    pub fn new(position: i64) -> ChangeFeed {
        ChangeFeed {
            position: tokio::sync::Mutex::new(position),
            subscribers: Default::default(),
            rounds: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            notified: AtomicU64::new(0),
        }
    }

    /// Hands `handler` every change of `topics` from now on. `name` appears in logs.
    pub fn subscribe<F, Fut>(&self, name: &'static str, topics: &'static [Topic], handler: F)
    where
        F: Fn(Vec<Change>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let handler: Handler = Box::new(move |batch| Box::pin(handler(batch)));
        crate::util::write(&self.subscribers).push(std::sync::Arc::new(Subscriber { name, topics, handler }));
    }

    /// [`subscribe`](Self::subscribe) for a room's state, held weakly: the feed belongs to the
    /// kit, which every room's state holds, so a strong handle would keep both alive for ever.
    /// Once `owner` is gone, its changes are dropped.
    pub fn subscribe_for<T, F, Fut>(&self, name: &'static str, topics: &'static [Topic], owner: &std::sync::Arc<T>, handler: F)
    where
        T: Send + Sync + 'static,
        F: Fn(std::sync::Arc<T>, Vec<Change>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let weak = std::sync::Arc::downgrade(owner);
        let handler = std::sync::Arc::new(handler);
        self.subscribe(name, topics, move |batch| {
            let (weak, handler) = (weak.clone(), handler.clone());
            async move {
                match weak.upgrade() {
                    Some(owner) => handler(owner, batch).await,
                    None => Ok(()),
                }
            }
        });
    }

    /// The topics someone listens to, for the check that every write publishes what is heard.
    pub fn heard(&self) -> Vec<Topic> {
        let subs = crate::util::read(&self.subscribers);
        Topic::ALL.into_iter().filter(|t| subs.iter().any(|s| s.topics.contains(t))).collect()
    }

    /// Reads the log and hands out what is new; returns how many new entries there were.
    pub async fn catch_up(&self, store: &store::Store) -> store::Result<usize> {
        let mut position = self.position.lock().await;
        let window = store::changes::since(&store.db, (*position - LOOKBACK).max(0)).await?;
        let fresh = window.iter().filter(|c| c.id > *position).count();
        if fresh == 0 {
            return Ok(0);
        }
        self.rounds.fetch_add(1, Ordering::Relaxed);
        let subscribers: Vec<_> = crate::util::read(&self.subscribers).clone();
        let mut all_applied = true;
        for s in subscribers {
            let mine: Vec<Change> = window.iter().filter(|c| c.topic.is_some_and(|t| s.topics.contains(&t))).cloned().collect();
            if mine.is_empty() {
                continue;
            }
            let n = mine.len() as u64;
            match (s.handler)(mine).await {
                Ok(()) => {
                    self.delivered.fetch_add(n, Ordering::Relaxed);
                }
                Err(e) => {
                    self.failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(subscriber = s.name, error = %e, "could not apply changes; the next round retries");
                    all_applied = false;
                }
            }
        }
        if all_applied && let Some(last) = window.last() {
            *position = (*position).max(last.id);
        }
        Ok(fresh)
    }

    /// Prometheus text: rounds, changes delivered, failed deliveries.
    pub fn render(&self, out: &mut String) {
        use std::fmt::Write;
        for (name, help, v) in [
            ("globaldesk_change_rounds_total", "Rounds that found new entries in the change log.", &self.rounds),
            ("globaldesk_changes_delivered_total", "Changes handed to node-local caches and indexes.", &self.delivered),
            ("globaldesk_change_failures_total", "Deliveries that failed and were retried.", &self.failures),
            ("globaldesk_change_notifications_total", "Wake-ups by PostgreSQL NOTIFY (another node committed changes).", &self.notified),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", v.load(Ordering::Relaxed));
        }
    }

    /// Keeps the node fresh until the process ends: a round after every `NOTIFY` (PostgreSQL)
    /// and every [`POLL`] otherwise.
    pub async fn run(self: std::sync::Arc<Self>, store: store::Store) {
        let mut listener = match store::changes::listen(&store).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "not listening for changes; polling instead");
                None
            }
        };
        loop {
            match listener.as_mut() {
                Some(l) => {
                    tokio::select! {
                        woke = l.recv() => match woke {
                            Ok(_) => {
                                self.notified.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(e) => {
                                // The listener reconnects on its next call; notifications sent
                                // in between are lost, which this round makes up for.
                                tracing::warn!(error = %e, "change notifications interrupted; reconnecting");
                                tokio::time::sleep(POLL).await;
                            }
                        },
                        _ = tokio::time::sleep(POLL_WHEN_LISTENING) => {}
                    }
                }
                None => tokio::time::sleep(POLL).await,
            }
            if let Err(e) = self.catch_up(&store).await {
                tracing::warn!(error = %e, "could not read the change log; retrying");
            }
        }
    }
}
