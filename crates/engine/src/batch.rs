//! Batches of parsed records handed between the ingest threads.
//!
//! A record is parsed once, on the reader thread, into its batch, and stays
//! there: the store looks at it in place, and the batch itself (with the
//! records the store took marked) goes on to the analysis thread. An event is
//! about half a kilobyte, so not moving it (and not growing fresh vectors for
//! every hand-over) is a measurable share of the ingest's memory traffic.
//! Spent batches go back to the reader to be refilled, so the buffers are
//! allocated once per ingest, not once per batch.

use std::ops::Range;
use std::sync::mpsc::{Receiver, Sender, channel};

use molehunt_model::{Event, ParseError};

/// Records per batch.
pub(crate) const BATCH: usize = 1024;

/// One record of a batch.
pub(crate) struct Parsed {
    /// 1-based line number where the record starts.
    pub line: u64,
    /// The record's text in the batch's buffer.
    range: Range<usize>,
    /// For rejected-line files: the input text, when it differs from the
    /// record's JSON (a CSV row); else the record's text is the input.
    input: Option<Range<usize>>,
    pub parsed: Result<Event, ParseError>,
    /// The store took this event as new: analysis should see it.
    pub fresh: bool,
}

/// Records with their texts in one shared buffer.
pub(crate) struct Batch {
    text: String,
    records: Vec<Parsed>,
    /// Input bytes the batch covers (for progress).
    pub bytes: u64,
    /// Where the batch goes back to be refilled once spent.
    home: Option<Sender<Batch>>,
}

impl Batch {
    fn new(home: Option<Sender<Batch>>) -> Self {
        Batch {
            text: String::with_capacity(BATCH * 160),
            records: Vec::with_capacity(BATCH),
            bytes: 0,
            home,
        }
    }

    /// A batch that is simply dropped once spent.
    pub(crate) fn unpooled() -> Self {
        Batch::new(None)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.records.len() >= BATCH
    }

    /// Adds a record whose text is also its input.
    pub(crate) fn push(&mut self, line: u64, raw: &str, parsed: Result<Event, ParseError>) {
        let start = self.text.len();
        self.text.push_str(raw);
        self.records.push(Parsed {
            line,
            range: start..self.text.len(),
            input: None,
            parsed,
            fresh: false,
        });
    }

    /// Adds a record whose input text (a CSV row) differs from its JSON.
    pub(crate) fn push_with_input(
        &mut self,
        line: u64,
        raw: &str,
        input: &str,
        parsed: Result<Event, ParseError>,
    ) {
        let start = self.text.len();
        self.text.push_str(raw);
        let mid = self.text.len();
        self.text.push_str(input);
        self.records.push(Parsed {
            line,
            range: start..mid,
            input: Some(mid..self.text.len()),
            parsed,
            fresh: false,
        });
    }

    /// The records with their texts; each may be marked fresh.
    pub(crate) fn records_mut(&mut self) -> impl Iterator<Item = (RecordRef<'_>, &mut bool)> {
        let text = self.text.as_str();
        self.records.iter_mut().map(move |p| {
            let raw = text.get(p.range.clone()).unwrap_or_default();
            let input = match &p.input {
                Some(r) => text.get(r.clone()).unwrap_or_default(),
                None => raw,
            };
            (
                RecordRef {
                    line: p.line,
                    raw,
                    input,
                    parsed: p.parsed.as_ref(),
                },
                &mut p.fresh,
            )
        })
    }

    /// The events marked fresh, in input order.
    pub(crate) fn fresh_events(&self) -> impl Iterator<Item = &Event> {
        self.records
            .iter()
            .filter(|p| p.fresh)
            .filter_map(|p| p.parsed.as_ref().ok())
    }

    /// Sends the batch back to be emptied and refilled (or drops it). Its
    /// records are dropped by the reader, in [`BatchPool::take`]: the thread that
    /// allocated their strings frees them, which costs the allocator less than
    /// freeing them here, on the thread that analysed them.
    pub(crate) fn recycle(mut self) {
        if let Some(home) = self.home.take() {
            self.home = Some(home.clone());
            // the reader may be gone: then the batch is simply dropped
            let _ = home.send(self);
        }
    }

    fn clear(&mut self) {
        self.records.clear();
        self.text.clear();
        self.bytes = 0;
    }
}

/// One record as the store sees it: borrowed from its batch.
pub(crate) struct RecordRef<'a> {
    pub line: u64,
    /// The record as JSON (the input line, or the JSON built from a CSV row).
    pub raw: &'a str,
    /// For rejected-line files: the input text of the record.
    pub input: &'a str,
    pub parsed: Result<&'a Event, &'a ParseError>,
}

/// Hands out empty batches: spent ones when they have come back, else new.
pub(crate) struct BatchPool {
    home: Sender<Batch>,
    returned: Receiver<Batch>,
}

impl BatchPool {
    pub(crate) fn new() -> Self {
        let (home, returned) = channel();
        BatchPool { home, returned }
    }

    pub(crate) fn take(&self) -> Batch {
        match self.returned.try_recv() {
            Ok(mut spent) => {
                spent.clear();
                spent
            }
            Err(_) => Batch::new(Some(self.home.clone())),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ev(n: u32) -> Event {
        molehunt_model::parse_line(&format!(
            r#"{{"type":"login","ts":"2026-03-01T10:00:00Z","account_id":"a{n}","ip":"203.0.113.9"}}"#
        ))
        .unwrap()
    }

    #[test]
    fn records_keep_their_texts_and_marks() {
        let mut b = Batch::unpooled();
        b.push(1, "one", Ok(ev(1)));
        b.push_with_input(3, "{json}", "a,b", Ok(ev(2)));
        b.push(
            4,
            "bad",
            Err(ParseError {
                field: None,
                message: "x".into(),
            }),
        );
        let mut seen = Vec::new();
        for (i, (r, fresh)) in b.records_mut().enumerate() {
            seen.push((
                r.line,
                r.raw.to_string(),
                r.input.to_string(),
                r.parsed.is_ok(),
            ));
            *fresh = i != 1;
        }
        assert_eq!(
            seen,
            vec![
                (1, "one".into(), "one".into(), true),
                (3, "{json}".into(), "a,b".into(), true),
                (4, "bad".into(), "bad".into(), false),
            ]
        );
        // marked fresh but not parsed: never an event to analyse
        let fresh: Vec<_> = b.fresh_events().map(|e| e.id.clone()).collect();
        assert_eq!(fresh, vec![ev(1).id]);
    }

    #[test]
    fn spent_batches_come_back_empty() {
        let pool = BatchPool::new();
        let mut b = pool.take();
        b.push(1, "one", Ok(ev(1)));
        b.bytes = 4;
        let cap = b.records.capacity();
        b.recycle();
        let again = pool.take();
        assert!(again.is_empty());
        assert_eq!(again.bytes, 0);
        assert_eq!(again.records.capacity(), cap);
        assert!(again.home.is_some());
    }
}
