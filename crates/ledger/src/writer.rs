//! The single writer thread: group commit. Callers queue entries and block; the writer
//! takes everything queued, writes it in one SQLite transaction (one fsync) and wakes them.
//! Checkpoints are signed inside the same transactions, at most every `interval`, when
//! idle after appends, on request and when the ledger closes.

use std::ops::Range;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, TransactionBehavior, params};

use crate::LedgerError;
use crate::note::{Checkpoint, NoteSigner};
use crate::store::{self, STRIDE, StoredCheckpoint};
use crate::tree::{Frontier, leaf_hash};

pub(crate) enum Payload {
    One(Vec<u8>),
    Many(Vec<Vec<u8>>),
    Checkpoint,
}

pub(crate) enum Reply {
    Range(Range<u64>),
    Checkpoint(StoredCheckpoint),
}

/// Where the writer leaves one caller's result.
#[derive(Default)]
pub(crate) struct Slot {
    result: Mutex<Option<Result<Reply, LedgerError>>>,
    ready: Condvar,
}

impl Slot {
    fn fill(&self, r: Result<Reply, LedgerError>) {
        *lock(&self.result) = Some(r);
        self.ready.notify_one();
    }

    pub(crate) fn wait(&self) -> Result<Reply, LedgerError> {
        let mut g = lock(&self.result);
        loop {
            if let Some(r) = g.take() {
                return r;
            }
            g = self
                .ready
                .wait(g)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(Default)]
pub(crate) struct Queue {
    pending: Vec<(Payload, Arc<Slot>)>,
    shutdown: bool,
}

#[derive(Default)]
pub(crate) struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

impl Shared {
    /// Queues a request and waits for its result.
    pub(crate) fn submit(&self, p: Payload) -> Result<Reply, LedgerError> {
        let slot = Arc::new(Slot::default());
        {
            let mut q = lock(&self.queue);
            if q.shutdown {
                return Err(LedgerError::Closed);
            }
            q.pending.push((p, Arc::clone(&slot)));
        }
        self.wake.notify_one();
        slot.wait()
    }

    pub(crate) fn shutdown(&self) {
        lock(&self.queue).shutdown = true;
        self.wake.notify_one();
    }
}

pub(crate) struct Writer {
    pub(crate) conn: Connection,
    pub(crate) signer: NoteSigner,
    pub(crate) origin: String,
    pub(crate) interval: Duration,
    frontier: Option<Frontier>,
    last_checkpoint: Instant,
    /// Appended by this process and not yet covered by a checkpoint.
    dirty: bool,
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Writer {
    pub(crate) fn new(
        conn: Connection,
        signer: NoteSigner,
        origin: String,
        interval: Duration,
    ) -> Writer {
        Writer {
            conn,
            signer,
            origin,
            interval,
            frontier: None,
            last_checkpoint: Instant::now(),
            dirty: false,
        }
    }

    pub(crate) fn run(mut self, shared: &Shared) {
        loop {
            let batch = {
                let mut q = lock(&shared.queue);
                loop {
                    if !q.pending.is_empty() {
                        break Some(std::mem::take(&mut q.pending));
                    }
                    if q.shutdown {
                        break None;
                    }
                    if self.dirty {
                        let due = self.last_checkpoint + self.interval;
                        let wait = due.saturating_duration_since(Instant::now());
                        if wait.is_zero() {
                            break Some(Vec::new());
                        }
                        q = shared
                            .wake
                            .wait_timeout(q, wait)
                            .map(|(g, _)| g)
                            .unwrap_or_else(|e| e.into_inner().0);
                    } else {
                        q = shared
                            .wake
                            .wait(q)
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                    }
                }
            };
            match batch {
                Some(b) => self.commit(b, false),
                None => {
                    if self.dirty {
                        self.commit(Vec::new(), true);
                    }
                    return;
                }
            }
        }
    }

    /// Writes one batch in one transaction and answers every caller in it.
    fn commit(&mut self, batch: Vec<(Payload, Arc<Slot>)>, force_checkpoint: bool) {
        let mut replies: Vec<Option<Reply>> = Vec::with_capacity(batch.len());
        let result = self.write(&batch, force_checkpoint, &mut replies);
        match result {
            Ok(()) => {
                for ((_, slot), reply) in batch.iter().zip(replies) {
                    match reply {
                        Some(r) => slot.fill(Ok(r)),
                        None => slot.fill(Err(LedgerError::Commit("no reply".into()))),
                    }
                }
            }
            Err(e) => {
                // The transaction rolled back: reload the tree edge before the next one.
                self.frontier = None;
                let msg = e.to_string();
                tracing::error!(error = %msg, "ledger commit failed");
                for (_, slot) in &batch {
                    slot.fill(Err(LedgerError::Commit(msg.clone())));
                }
            }
        }
    }

    fn write(
        &mut self,
        batch: &[(Payload, Arc<Slot>)],
        force_checkpoint: bool,
        replies: &mut Vec<Option<Reply>>,
    ) -> Result<(), LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let size = store::size(&tx)?;
        // Another process may have appended since our last transaction.
        let mut fr = match self.frontier.take() {
            Some(f) if f.size() == size => f,
            _ => store::load_frontier(&tx, size)?,
        };
        let mut wants_checkpoint = force_checkpoint;
        let mut appended = false;
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO ledger_entries (idx, leaf_hash, data) VALUES (?1, ?2, ?3)",
            )?;
            let mut ins_node = tx.prepare_cached(
                "INSERT OR REPLACE INTO ledger_nodes (level, idx, hash) VALUES (?1, ?2, ?3)",
            )?;
            let mut nodes: Vec<(u32, u64, [u8; 32])> = Vec::new();
            let mut add = |fr: &mut Frontier, data: &[u8]| -> Result<(), LedgerError> {
                let leaf = leaf_hash(data);
                ins.execute(params![fr.size() as i64, &leaf[..], data])?;
                fr.push(leaf, |level, idx, h| {
                    if level % STRIDE == 0 {
                        nodes.push((level, idx, *h));
                    }
                });
                for (level, idx, h) in nodes.drain(..) {
                    ins_node.execute(params![level, idx as i64, &h[..]])?;
                }
                Ok(())
            };
            for (payload, _) in batch {
                let start = fr.size();
                match payload {
                    Payload::One(e) => add(&mut fr, e)?,
                    Payload::Many(es) => {
                        for e in es {
                            add(&mut fr, e)?;
                        }
                    }
                    Payload::Checkpoint => {
                        wants_checkpoint = true;
                        replies.push(None);
                        continue;
                    }
                }
                appended |= fr.size() > start;
                replies.push(Some(Reply::Range(start..fr.size())));
            }
        }
        let due = self.last_checkpoint.elapsed() >= self.interval;
        let mut made = false;
        if wants_checkpoint || (due && (appended || self.dirty)) {
            let latest = store::latest_checkpoint(&tx)?;
            if latest.as_ref().is_none_or(|c| c.size < fr.size()) {
                let cp = Checkpoint {
                    origin: self.origin.clone(),
                    size: fr.size(),
                    root: fr.root(),
                    extensions: vec![],
                };
                let stored = StoredCheckpoint {
                    size: cp.size,
                    root: cp.root,
                    note: self.signer.sign(&cp.body()),
                    created_unix: now_unix(),
                };
                store::insert_checkpoint(&tx, &stored)?;
            }
            made = true;
        }
        let latest = if wants_checkpoint {
            store::latest_checkpoint(&tx)?
        } else {
            None
        };
        tx.commit()?;
        if made {
            self.last_checkpoint = Instant::now();
            self.dirty = false;
        } else if appended {
            self.dirty = true;
        }
        for (r, (payload, _)) in replies.iter_mut().zip(batch) {
            if matches!(payload, Payload::Checkpoint) {
                *r = latest.clone().map(Reply::Checkpoint);
            }
        }
        self.frontier = Some(fr);
        Ok(())
    }
}
