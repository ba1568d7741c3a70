//! E-mail through the job outbox: pages enqueue, a worker on every node sends.
//!
//! SMTP in production; in demo mode (or when no server is configured) each message is written
//! as an `.eml` file so that people trying GlobalDesk can read what would have been sent.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum MailConfig {
    /// Plain SMTP to a relay (e.g. the site's own MTA on port 25, or a test server).
    Smtp { host: String, port: u16, from: String },
    /// `.eml` files in a folder.
    Files(PathBuf),
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub const JOB_KIND: &str = "email";

/// Queues an e-mail in the caller's transaction.
pub async fn enqueue(c: &impl store::ConnectionTrait, email: &Email) -> store::Result<()> {
    store::jobs::enqueue(c, JOB_KIND, &serde_json::to_value(email).expect("e-mail serialises")).await
}

fn from_address(cfg: &MailConfig) -> &str {
    match cfg {
        MailConfig::Smtp { from, .. } => from,
        MailConfig::Files(_) => "GlobalDesk <no-reply@globaldesk.invalid>",
    }
}

pub async fn send(cfg: &MailConfig, email: &Email) -> Result<(), String> {
    let from: Mailbox = from_address(cfg).parse().map_err(|e| format!("bad sender address: {e}"))?;
    let to: Mailbox = email.to.parse().map_err(|e| format!("bad recipient address: {e}"))?;
    let msg = Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(email.body.clone())
        .map_err(|e| e.to_string())?;
    match cfg {
        MailConfig::Smtp { host, port, .. } => {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str()).port(*port).timeout(Some(Duration::from_secs(20))).build();
            transport.send(msg).await.map(|_| ()).map_err(|e| e.to_string())
        }
        MailConfig::Files(dir) => {
            tokio::fs::create_dir_all(dir).await.map_err(|e| e.to_string())?;
            let transport = lettre::AsyncFileTransport::<Tokio1Executor>::new(dir);
            transport.send(msg).await.map(|_| ()).map_err(|e| e.to_string())
        }
    }
}

/// Runs jobs until the process ends: claims a due job, runs it, records the outcome.
pub async fn worker(state: crate::AppState) {
    loop {
        match store::jobs::claim(&state.store.db).await {
            Ok(Some(job)) => {
                let result = match job.kind.as_str() {
                    JOB_KIND => match serde_json::from_str::<Email>(&job.payload) {
                        Ok(email) => send(&state.config.mail, &email).await,
                        Err(e) => Err(format!("unreadable payload: {e}")),
                    },
                    other => Err(format!("unknown job kind {other}")),
                };
                let outcome = match &result {
                    Ok(()) => store::jobs::complete(&state.store.db, job.id).await,
                    Err(e) => {
                        tracing::warn!(job = job.id, attempt = job.attempts, error = %e, "job failed; will retry");
                        store::jobs::fail(&state.store.db, &job, e).await
                    }
                };
                if let Err(e) = outcome {
                    tracing::error!(error = %e, "could not record a job's outcome");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
            Ok(None) => tokio::time::sleep(Duration::from_millis(500)).await,
            Err(e) => {
                tracing::error!(error = %e, "could not claim jobs");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}
