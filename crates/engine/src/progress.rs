//! Progress reporting without a terminal dependency (the binary draws bars).

/// Receives progress of long operations. Implementations must be cheap:
/// `advance` is called once per batch, not per event.
pub trait Progress {
    /// A new phase begins (`what`: e.g. `events.jsonl` or `scoring`);
    /// `total` in the phase's unit (bytes for files, events for scoring).
    fn start(&self, what: &str, total: Option<u64>);
    fn advance(&self, n: u64);
    fn finish(&self);
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _what: &str, _total: Option<u64>) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}
