//! E-mail through the job outbox: pages enqueue, a worker on every node sends.
//!
//! SMTP in production; in demo mode (or when no server is configured) each message is written
//! as an `.eml` file so that people trying GlobalDesk can read what would have been sent.

use lettre::message::{Mailbox, header::ContentType};
pub use lettre::transport::smtp::client::Certificate;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// How to secure the SMTP connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP: a relay on the same host or a private network (port 25).
    None,
    /// Upgrade with STARTTLS (port 587), refusing to continue without it.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s {
            "none" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::StartTls),
            "tls" => Some(SmtpTls::Tls),
            _ => None,
        }
    }
}

/// Reads a certificate authority for [`MailConfig::Smtp`]'s `extra_root` from PEM text.
/// A file without a certificate in it is refused (the parser alone would accept it as none).
pub fn certificate_authority(pem: &[u8]) -> Result<Certificate, String> {
    if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        return Err("no PEM certificate in it".into());
    }
    Certificate::from_pem(pem).map_err(|e| format!("not a readable PEM certificate: {e}"))
}

#[derive(Clone)]
pub enum MailConfig {
    /// SMTP to a relay or a provider. Certificates are checked against the Mozilla roots and,
    /// when given, one more authority: relays inside an agency's network often have a
    /// certificate from the agency's own CA.
    Smtp { host: String, port: u16, from: String, tls: SmtpTls, credentials: Option<(String, String)>, extra_root: Option<Certificate> },
    /// `.eml` files in a folder.
    Files(PathBuf),
}

/// Written by hand so that the SMTP password never reaches a log line.
impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailConfig::Smtp { host, port, from, tls, credentials, extra_root } => f
                .debug_struct("Smtp")
                .field("host", host)
                .field("port", port)
                .field("from", from)
                .field("tls", tls)
                .field("user", &credentials.as_ref().map(|c| c.0.as_str()))
                .field("extra_root", &extra_root.is_some())
                .finish(),
            MailConfig::Files(dir) => f.debug_tuple("Files").field(dir).finish(),
        }
    }
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
        MailConfig::Smtp { host, port, tls, credentials, extra_root, .. } => {
            let params = || {
                let mut b = TlsParameters::builder(host.clone());
                if let Some(ca) = extra_root {
                    b = b.add_root_certificate(ca.clone());
                }
                b.build_rustls().map_err(|e| e.to_string())
            };
            let plain = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str());
            let builder = match tls {
                SmtpTls::None => plain,
                SmtpTls::StartTls => plain.tls(Tls::Required(params()?)),
                SmtpTls::Tls => plain.tls(Tls::Wrapper(params()?)),
            };
            let mut builder = builder.port(*port).timeout(Some(Duration::from_secs(20)));
            if let Some((user, password)) = credentials {
                builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(user.clone(), password.clone()));
            }
            builder.build().send(msg).await.map(|_| ()).map_err(|e| e.to_string())
        }
        MailConfig::Files(dir) => {
            tokio::fs::create_dir_all(dir).await.map_err(|e| e.to_string())?;
            let transport = lettre::AsyncFileTransport::<Tokio1Executor>::new(dir);
            transport.send(msg).await.map(|_| ()).map_err(|e| e.to_string())
        }
    }
}

/// Runs jobs until the process ends: claims a due job, runs it, records the outcome.
pub async fn worker(state: crate::Kit) {
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
