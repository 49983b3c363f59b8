//! Recording to the audit ledger: single entries for rare events (tokens, grants, reloads) and a
//! batching recorder for access decisions.
//!
//! Durability trade-off: a decision is answered before its ledger entry is durable. Entries wait
//! in memory for at most [`BATCH_WINDOW`] (or until [`BATCH_MAX`] are queued) and are then
//! appended in one batch (one fsync). A crash loses at most the decisions of that window; every
//! other kind of entry is appended synchronously before the action is reported done.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::authzen::EvaluationRequest;
use crate::pdp::Decided;

/// Longest time a decision waits before its batch is written.
pub const BATCH_WINDOW: Duration = Duration::from_millis(5);
/// Most decisions written in one batch.
pub const BATCH_MAX: usize = 1024;
const QUEUE: usize = 65_536;

/// Where entries go (the ledger, or a test double).
pub trait AuditSink: Send + Sync {
    fn append_batch(&self, entries: &[Vec<u8>]) -> Result<(), String>;
    fn append_json(&self, entry: &Value) -> Result<(), String>;
}

impl AuditSink for molehunt_ledger::Ledger {
    fn append_batch(&self, entries: &[Vec<u8>]) -> Result<(), String> {
        molehunt_ledger::Ledger::append_batch(self, entries)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
    fn append_json(&self, entry: &Value) -> Result<(), String> {
        molehunt_ledger::Ledger::append_json(self, entry)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The current time as the ledger writes it (RFC 3339, UTC).
pub fn ts_now() -> String {
    jiff::Timestamp::now().to_string()
}

/// An entry: `kind`, `ts`, then the given fields.
pub fn entry(kind: &str, fields: Value) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("kind".into(), json!(kind));
    m.insert("ts".into(), json!(ts_now()));
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    Value::Object(m)
}

/// The ledger entry of one decision (no request attributes: they may hold personal data).
pub fn decision_entry(req: &EvaluationRequest, d: &Decided, token: Option<&str>) -> Value {
    let mut e = entry(
        "access_decision",
        json!({
            "subject": {"type": req.subject.kind, "id": req.subject.id},
            "action": req.action.name,
            "resource": {"type": req.resource.kind, "id": req.resource.id},
            "decision": d.response.decision,
            "policies": d.policies,
        }),
    );
    if let Value::Object(m) = &mut e {
        if !d.errors.is_empty() {
            m.insert("errors".into(), json!(d.errors));
        }
        if let Some(t) = token {
            m.insert("token".into(), json!(t));
        }
    }
    e
}

/// Counters of the recorder.
#[derive(Debug, Default)]
pub struct RecorderStats {
    pub recorded: AtomicU64,
    pub batches: AtomicU64,
    pub failed: AtomicU64,
}

/// Collects decisions and appends them in batches from a background thread. Dropping it
/// flushes what is queued.
pub struct DecisionRecorder {
    tx: Option<SyncSender<Vec<u8>>>,
    worker: Option<JoinHandle<()>>,
    pub stats: Arc<RecorderStats>,
}

impl DecisionRecorder {
    pub fn start(sink: Arc<dyn AuditSink>) -> DecisionRecorder {
        let (tx, rx) = sync_channel::<Vec<u8>>(QUEUE);
        let stats = Arc::new(RecorderStats::default());
        let worker_stats = stats.clone();
        let worker = std::thread::Builder::new()
            .name("molehunt-decision-ledger".into())
            .spawn(move || run(rx, sink, worker_stats))
            .ok();
        DecisionRecorder {
            tx: Some(tx),
            worker,
            stats,
        }
    }

    /// Queue one entry; blocks only when the queue is full (back-pressure rather than loss).
    pub fn record(&self, entry: &Value) {
        let Some(tx) = &self.tx else { return };
        let bytes = entry.to_string().into_bytes();
        match tx.try_send(bytes) {
            Ok(()) => {}
            Err(TrySendError::Full(bytes)) => {
                let _ = tx.send(bytes);
            }
            Err(TrySendError::Disconnected(_)) => {
                self.stats.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Stop and flush.
    pub fn close(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.tx.take();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Drop for DecisionRecorder {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn run(rx: Receiver<Vec<u8>>, sink: Arc<dyn AuditSink>, stats: Arc<RecorderStats>) {
    let mut batch: Vec<Vec<u8>> = Vec::with_capacity(BATCH_MAX);
    loop {
        // Wait for the first entry of a batch, then gather more until the window closes.
        let first = match rx.recv() {
            Ok(e) => e,
            Err(_) => return,
        };
        batch.push(first);
        let deadline = Instant::now() + BATCH_WINDOW;
        let mut closed = false;
        while batch.len() < BATCH_MAX {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(e) => batch.push(e),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    closed = true;
                    break;
                }
            }
        }
        let n = batch.len() as u64;
        match sink.append_batch(&batch) {
            Ok(()) => {
                stats.recorded.fetch_add(n, Ordering::Relaxed);
                stats.batches.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                stats.failed.fetch_add(n, Ordering::Relaxed);
                tracing::error!(error = %e, entries = n, "cannot append decisions to the ledger");
            }
        }
        batch.clear();
        if closed {
            return;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Memory(Mutex<Vec<Vec<Vec<u8>>>>);
    impl AuditSink for Memory {
        fn append_batch(&self, entries: &[Vec<u8>]) -> Result<(), String> {
            self.0.lock().unwrap().push(entries.to_vec());
            Ok(())
        }
        fn append_json(&self, entry: &Value) -> Result<(), String> {
            self.append_batch(&[entry.to_string().into_bytes()])
        }
    }

    #[test]
    fn recorder_batches_and_flushes_on_close() {
        let sink = Arc::new(Memory::default());
        let rec = DecisionRecorder::start(sink.clone());
        for i in 0..3000 {
            rec.record(&json!({"kind": "access_decision", "ts": "x", "i": i}));
        }
        rec.close();
        let batches = sink.0.lock().unwrap();
        let total: usize = batches.iter().map(Vec::len).sum();
        assert_eq!(total, 3000);
        assert!(batches.len() < 3000, "entries are grouped");
        assert!(batches.iter().all(|b| b.len() <= BATCH_MAX));
    }
}
