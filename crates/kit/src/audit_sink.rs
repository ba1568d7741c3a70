//! Audit entries for reads (who opened which company) go through a buffer written in batches,
//! so that viewing a profile costs no database write on the request path. Changes and sign-ins
//! are still audited in the same transaction as the change itself.
//!
//! The price: entries of the last ~200 ms are lost if the process is killed.

use tokio::sync::mpsc;

pub struct ReadAudit {
    pub user_id: i64,
    pub actor: String,
    pub action: &'static str,
    pub target: String,
    pub ip: String,
    pub at: String,
}

#[derive(Clone)]
pub struct AuditSink {
    tx: mpsc::UnboundedSender<ReadAudit>,
}

impl AuditSink {
    /// Starts the writer task; must be called inside a Tokio runtime.
    pub fn start(store: store::Store) -> AuditSink {
        let (tx, mut rx) = mpsc::unbounded_channel::<ReadAudit>();
        tokio::spawn(async move {
            let mut batch = Vec::new();
            while rx.recv_many(&mut batch, 500).await > 0 {
                if let Err(e) = write(&store, &batch).await {
                    tracing::error!(error = %e, entries = batch.len(), "could not write read-audit entries");
                }
                batch.clear();
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        });
        AuditSink { tx }
    }

    pub fn record(&self, entry: ReadAudit) {
        // The receiver lives as long as the runtime; a send fails only while shutting down.
        let _ = self.tx.send(entry);
    }
}

async fn write(store: &store::Store, batch: &[ReadAudit]) -> store::Result<()> {
    use store::TransactionTrait;
    let tx = store.db.begin().await?;
    for e in batch {
        store::audit::record_at(&tx, Some(e.user_id), &e.actor, e.action, &e.target, &e.ip, "", &e.at).await?;
    }
    tx.commit().await?;
    Ok(())
}
