//! The single writer thread: group commit. Callers queue entries and block; the writer
//! takes everything queued, writes it in one SQLite transaction (one fsync) and wakes them.
//! Checkpoints are signed inside the same transactions, at most every `interval`, when
//! idle after appends, on request and when the ledger closes.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, mpsc};
use std::thread::Thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, TransactionBehavior, params};

use crate::LedgerError;
use crate::note::{Checkpoint, NoteSigner};
use crate::store::{self, STRIDE, StoredCheckpoint};
use crate::tree::{Frontier, Hash, leaf_hash};

/// A request to the writer. Leaf hashes are computed by the callers (in parallel), so the
/// single writer thread only writes.
pub(crate) enum Payload {
    One(Hash, Vec<u8>),
    Many(Vec<Hash>, Vec<Vec<u8>>),
    Checkpoint,
}

impl Payload {
    pub(crate) fn one(entry: Vec<u8>) -> Payload {
        Payload::One(leaf_hash(&entry), entry)
    }

    pub(crate) fn many(entries: Vec<Vec<u8>>) -> Payload {
        Payload::Many(entries.iter().map(|e| leaf_hash(e)).collect(), entries)
    }
}

pub(crate) enum Reply {
    Range(Range<u64>),
    Checkpoint(StoredCheckpoint),
}

type Outcome = Result<Reply, LedgerError>;

/// Where the writer leaves one caller's result; the caller parks until it is there.
pub(crate) struct Slot {
    result: Mutex<Option<Outcome>>,
    done: AtomicBool,
    waiter: Thread,
}

impl Slot {
    fn new() -> Slot {
        Slot {
            result: Mutex::new(None),
            done: AtomicBool::new(false),
            waiter: std::thread::current(),
        }
    }

    fn fill(&self, r: Outcome) {
        *lock(&self.result) = Some(r);
        self.done.store(true, Ordering::Release);
        self.waiter.unpark();
    }

    fn wait(&self) -> Outcome {
        loop {
            while !self.done.load(Ordering::Acquire) {
                std::thread::park();
            }
            if let Some(r) = lock(&self.result).take() {
                return r;
            }
        }
    }
}

/// The writer's side of a caller's slot. Answering consumes it; dropping it unanswered (the
/// writer thread died) answers [`LedgerError::Closed`], so no caller waits forever.
pub(crate) struct Ticket(Option<Arc<Slot>>);

impl Ticket {
    fn answer(mut self, r: Outcome) {
        if let Some(slot) = self.0.take() {
            slot.fill(r);
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(slot) = self.0.take() {
            slot.fill(Err(LedgerError::Closed));
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(Default)]
pub(crate) struct Queue {
    pending: Vec<(Payload, Ticket)>,
    shutdown: bool,
    /// The writer is waiting on `wake` (so a submitter must notify it).
    idle: bool,
}

#[derive(Default)]
pub(crate) struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
    commits: AtomicU64,
    entries: AtomicU64,
}

/// Counters of a ledger's writer: how well group commit is grouping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Transactions committed (each one fsync of the write-ahead log).
    pub commits: u64,
    /// Entries written by them.
    pub entries: u64,
}

impl Shared {
    /// Queues a request and waits for its result.
    pub(crate) fn submit(&self, p: Payload) -> Outcome {
        let slot = Arc::new(Slot::new());
        let notify = {
            let mut q = lock(&self.queue);
            if q.shutdown {
                return Err(LedgerError::Closed);
            }
            q.pending.push((p, Ticket(Some(Arc::clone(&slot)))));
            std::mem::take(&mut q.idle)
        };
        if notify {
            self.wake.notify_one();
        }
        slot.wait()
    }

    pub(crate) fn shutdown(&self) {
        lock(&self.queue).shutdown = true;
        self.wake.notify_one();
    }

    pub(crate) fn stats(&self) -> WriterStats {
        WriterStats {
            commits: self.commits.load(Ordering::Relaxed),
            entries: self.entries.load(Ordering::Relaxed),
        }
    }
}

/// However the writer thread ends (even by a panic), later appends fail with `Closed` and
/// queued ones are answered so.
struct CloseOnExit<'a>(&'a Shared);

impl Drop for CloseOnExit<'_> {
    fn drop(&mut self) {
        let pending = {
            let mut q = lock(&self.0.queue);
            q.shutdown = true;
            std::mem::take(&mut q.pending)
        };
        drop(pending);
    }
}

/// Batches of at least this many callers are woken by the notifier thread, so that the
/// writer can start the next transaction (and its fsync) meanwhile.
const HAND_OFF: usize = 16;

/// Where the writer sends committed batches' answers for the notifier to deliver.
type Answers = mpsc::Sender<Vec<(Ticket, Outcome)>>;

/// Wakes the callers of committed batches.
fn notifier(rx: &mpsc::Receiver<Vec<(Ticket, Outcome)>>) {
    while let Ok(batch) = rx.recv() {
        for (ticket, r) in batch {
            ticket.answer(r);
        }
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
        let _closing = CloseOnExit(shared);
        let (tx, rx) = mpsc::channel();
        let wakers = std::thread::Builder::new()
            .name("ledger-notifier".into())
            .spawn(move || notifier(&rx))
            .ok();
        // Without a notifier thread (spawn failed) the writer wakes callers itself.
        let tx = wakers.as_ref().map(|_| tx);
        self.serve(shared, tx.as_ref());
        drop(tx);
        if let Some(h) = wakers {
            let _ = h.join();
        }
    }

    fn serve(&mut self, shared: &Shared, tx: Option<&Answers>) {
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
                        q.idle = true;
                        q = shared
                            .wake
                            .wait_timeout(q, wait)
                            .map(|(g, _)| g)
                            .unwrap_or_else(|e| e.into_inner().0);
                    } else {
                        q.idle = true;
                        q = shared
                            .wake
                            .wait(q)
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                    }
                }
            };
            match batch {
                Some(b) => self.commit(b, false, shared, tx),
                None => {
                    if self.dirty {
                        self.commit(Vec::new(), true, shared, tx);
                    }
                    return;
                }
            }
        }
    }

    /// Writes one batch in one transaction and answers every caller in it.
    fn commit(
        &mut self,
        batch: Vec<(Payload, Ticket)>,
        force_checkpoint: bool,
        shared: &Shared,
        tx: Option<&Answers>,
    ) {
        let mut replies: Vec<Option<Reply>> = Vec::with_capacity(batch.len());
        let result = self.write(&batch, force_checkpoint, &mut replies);
        let answers: Vec<(Ticket, Outcome)> = match result {
            Ok(n) => {
                shared.commits.fetch_add(1, Ordering::Relaxed);
                shared.entries.fetch_add(n, Ordering::Relaxed);
                batch
                    .into_iter()
                    .zip(replies)
                    .map(|((_, slot), reply)| {
                        (
                            slot,
                            reply.ok_or_else(|| LedgerError::Commit("no reply".into())),
                        )
                    })
                    .collect()
            }
            Err(e) => {
                // The transaction rolled back: reload the tree edge before the next one.
                self.frontier = None;
                let msg = e.to_string();
                tracing::error!(error = %msg, "ledger commit failed");
                batch
                    .into_iter()
                    .map(|(_, slot)| (slot, Err(LedgerError::Commit(msg.clone()))))
                    .collect()
            }
        };
        let answers = match tx {
            Some(tx) if answers.len() >= HAND_OFF => match tx.send(answers) {
                Ok(()) => return,
                Err(mpsc::SendError(a)) => a,
            },
            _ => answers,
        };
        for (ticket, r) in answers {
            ticket.answer(r);
        }
    }

    fn write(
        &mut self,
        batch: &[(Payload, Ticket)],
        force_checkpoint: bool,
        replies: &mut Vec<Option<Reply>>,
    ) -> Result<u64, LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let size = store::size(&tx)?;
        // Another process may have appended since our last transaction.
        let mut fr = match self.frontier.take() {
            Some(f) if f.size() == size => f,
            _ => store::load_frontier(&tx, size)?,
        };
        let start_size = size;
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
            let mut add =
                |fr: &mut Frontier, leaf: &Hash, data: &[u8]| -> Result<(), LedgerError> {
                    ins.execute(params![fr.size() as i64, &leaf[..], data])?;
                    fr.push(*leaf, |level, idx, h| {
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
                    Payload::One(h, e) => add(&mut fr, h, e)?,
                    Payload::Many(hs, es) => {
                        for (h, e) in hs.iter().zip(es) {
                            add(&mut fr, h, e)?;
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
        let written = fr.size() - start_size;
        self.frontier = Some(fr);
        Ok(written)
    }
}
