//! Ingesting one source: validate every record, store it in one transaction
//! (all or nothing), and list or set aside the bad lines.

use std::fs::File;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use molehunt_store::{EventStore, EventWriter, IngestCounts, NewEvent, Store};

use crate::analyze::StreamPass;
use crate::batch::{Batch, RecordRef};
use crate::engine::EnricherLoader;
use crate::enrich::Enricher;
use crate::error::{EngineError, InvalidInput, LineError};
use crate::input::{
    InputFormat, RawRecord, SourceSummary, mark_fresh, read_jsonl, read_jsonl_pipelined,
    read_person_csv, sniff_format,
};
use crate::progress::Progress;
use molehunt_detect::PreviousNetwork;

/// How to ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Commit the valid records of a file with bad lines, writing the bad
    /// ones with reasons to `<file>.rejected.jsonl` (default: commit nothing
    /// of such a file and list its bad lines).
    pub skip_invalid: bool,
    /// How many bad lines an error lists (the total is always given).
    pub max_listed: usize,
    /// Force a format instead of sniffing (`.csv` name or header).
    pub format: Option<InputFormat>,
    /// Where the rejected-lines file of standard input goes (default: the
    /// current directory).
    pub stdin_rejected_dir: Option<PathBuf>,
    /// Run detection, linking and scoring after the ingest (default true).
    pub analyze: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            skip_invalid: false,
            max_listed: 50,
            format: None,
            stdin_rejected_dir: None,
            analyze: true,
        }
    }
}

/// What one committed ingest did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// The file name (`-` for standard input).
    pub source: String,
    pub format: InputFormat,
    /// Records read (non-blank lines or CSV rows).
    pub records: u64,
    /// Events newly stored.
    pub inserted: u64,
    /// Valid events that were already stored.
    pub duplicates: u64,
    /// Bad records set aside (with `skip_invalid`).
    pub rejected: u64,
    /// Where the rejected records went, when there were any.
    pub rejected_file: Option<PathBuf>,
    /// SHA-256 of the input bytes, hex.
    pub sha256: String,
    /// The store's number for this ingest.
    pub ingest_number: i64,
    /// The audit-ledger entry recording it.
    pub ledger_index: Option<u64>,
}

/// `<file>.rejected.jsonl` beside a file; `stdin.rejected.jsonl` for `-`.
pub(crate) fn rejected_path(source: &str, opts: &IngestOptions) -> PathBuf {
    if source == "-" {
        let dir = opts.stdin_rejected_dir.clone().unwrap_or_default();
        dir.join("stdin.rejected.jsonl")
    } else {
        let mut p = Path::new(source).as_os_str().to_owned();
        p.push(".rejected.jsonl");
        PathBuf::from(p)
    }
}

struct Rejects {
    path: PathBuf,
    out: Option<BufWriter<File>>,
}

impl Rejects {
    fn write(&mut self, e: &LineError, input: &str) -> Result<(), EngineError> {
        let io = |path: &Path, source| EngineError::Io {
            path: path.to_path_buf(),
            source,
        };
        if self.out.is_none() {
            let f = File::create(&self.path).map_err(|e| io(&self.path, e))?;
            self.out = Some(BufWriter::new(f));
        }
        let line = serde_json::json!({
            "line": e.line, "field": e.field, "reason": e.reason, "input": input,
        });
        if let Some(out) = self.out.as_mut() {
            writeln!(out, "{line}").map_err(|e| io(&self.path, e))?;
        }
        Ok(())
    }

    fn finish(self) -> Result<Option<PathBuf>, EngineError> {
        match self.out {
            Some(mut out) => {
                out.flush().map_err(|e| EngineError::Io {
                    path: self.path.clone(),
                    source: e,
                })?;
                Ok(Some(self.path))
            }
            None => Ok(None),
        }
    }
}

/// An input's name (a file name or `-`) and its size in bytes when known.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    pub name: &'a str,
    pub size: Option<u64>,
    /// The caller can read the source again: the writer may assume its
    /// identities distinct, and a repeat fails the ingest with
    /// `StoreError::RepeatedIdentity` for the caller to redo it without
    /// ([`EventWriter::assume_distinct`]).
    pub redo: bool,
}

/// Bytes per event assumed to estimate an input's events from its size (JSON
/// lines of the contract run 100-200 bytes; an estimate too low only costs
/// the writer a late regrowth).
const BYTES_PER_EVENT: u64 = 100;

/// Batches in flight to the analysis thread.
const ANALYSIS_QUEUE: usize = 8;

/// Ingests one source into `store` inside one transaction. Newly stored
/// events are also fed to `stream` (when given and still valid). With
/// `finish_with` (the last source of a streamed ingest), the analysis thread
/// goes on to link and score (see [`StreamPass::finish_in_place`]) while this
/// thread commits, so the two overlap.
#[allow(clippy::too_many_arguments)]
pub(crate) fn ingest_source<R: BufRead + Send>(
    store: &mut Store,
    enricher: (&mut Option<Enricher>, Option<EnricherLoader<'_>>),
    mut stream: Option<&mut StreamPass>,
    finish_with: Option<&[PreviousNetwork]>,
    input: Source<'_>,
    mut reader: R,
    opts: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport, EngineError> {
    let source = input.name;
    let format = match opts.format {
        Some(f) => f,
        None => {
            let head = reader.fill_buf().map_err(|e| EngineError::Io {
                path: source.into(),
                source: e,
            })?;
            sniff_format(source, head)
        }
    };
    let mut writer = store.writer(source)?;
    if input.redo {
        writer.assume_distinct();
    }
    if let Some(size) = input.size {
        writer.expect(size / BYTES_PER_EVENT);
    }
    let mut counts = IngestCounts::default();
    let mut listed: Vec<LineError> = Vec::new();
    let mut bad = 0u64;
    let rejects = Rejects {
        path: rejected_path(source, opts),
        out: None,
    };
    // Detection runs on its own thread, fed whole batches with their newly stored
    // events marked, so that storing and analysing overlap (reading and parsing
    // have a thread of their own).
    let outcome = std::thread::scope(|scope| {
        let (atx, arx) = std::sync::mpsc::sync_channel::<Batch>(ANALYSIS_QUEUE);
        // whether the analysis thread could load the enricher (checked before the commit)
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<Result<(), EngineError>>(1);
        let analysis = match stream.as_deref_mut() {
            Some(s) if s.valid() => {
                let (slot, loader) = enricher;
                Some(scope.spawn(move || {
                    if let Some(loader) = loader {
                        match loader.load() {
                            Ok(e) => *slot = Some(e),
                            Err(e) => {
                                let _ = ready_tx.send(Err(e));
                                // the reader must not block on a full queue
                                arx.into_iter().for_each(Batch::recycle);
                                return;
                            }
                        }
                    }
                    let Some(enricher) = slot.as_mut() else {
                        let _ = ready_tx.send(Err(EngineError::Corrupt("enricher missing".into())));
                        arx.into_iter().for_each(Batch::recycle);
                        return;
                    };
                    let _ = ready_tx.send(Ok(()));
                    for batch in arx {
                        for event in batch.fresh_events() {
                            s.observe(event, enricher);
                        }
                        batch.recycle();
                    }
                    if let Some(previous) = finish_with {
                        s.finish_in_place(previous);
                    }
                }))
            }
            _ => None,
        };
        let atx = analysis.is_some().then_some(atx);
        let mut rejects = rejects;
        let summary = {
            let mut on_record = |r: RecordRef<'_>| -> Result<bool, EngineError> {
                match r.parsed {
                    Ok(event) => {
                        if bad > 0 && !opts.skip_invalid {
                            // the file will not be committed: only keep validating
                            return Ok(false);
                        }
                        if writer.insert(&NewEvent::new(event, r.raw))? {
                            counts.inserted += 1;
                            return Ok(true);
                        }
                        counts.duplicates += 1;
                    }
                    Err(pe) => {
                        bad += 1;
                        let e = LineError {
                            source: source.to_string(),
                            line: r.line,
                            field: pe.field.clone(),
                            reason: pe.message.clone(),
                        };
                        if opts.skip_invalid {
                            rejects.write(&e, r.input)?;
                        } else if listed.len() < opts.max_listed {
                            listed.push(e);
                        }
                    }
                }
                Ok(false)
            };
            let done = |batch: Batch| match &atx {
                // a send fails only if the analysis thread died: its panic is
                // reported at the join below
                Some(tx) => {
                    let _ = tx.send(batch);
                }
                None => batch.recycle(),
            };
            match format {
                InputFormat::JsonLines => {
                    read_jsonl_pipelined(source, reader, progress, &mut on_record, done)
                }
                InputFormat::PersonCsv => {
                    read_csv_batched(source, reader, progress, &mut on_record, done)
                }
            }
        };
        drop(atx);
        // An enricher that could not load fails the ingest before anything is
        // committed (it is loaded long before the input ends, unless that is tiny).
        let ready = match analysis {
            Some(_) => ready_rx.recv().unwrap_or(Ok(())),
            None => Ok(()),
        };
        // Commit (or roll back) while the analysis thread drains its queue and
        // finishes. A reader error drops the writer, which rolls back.
        let stored = match (summary, ready) {
            (Ok(summary), Ok(())) if bad == 0 || opts.skip_invalid => {
                commit(writer, rejects, &mut counts, bad, summary).map(Some)
            }
            (Ok(_), Ok(())) => writer.rollback().map(|()| None).map_err(EngineError::from),
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        };
        if let Some(handle) = analysis
            && handle.join().is_err()
        {
            return Err(EngineError::Corrupt("the analysis thread panicked".into()));
        }
        stored
    });
    let stored = match outcome {
        Ok(Some(stored)) => stored,
        Ok(None) => {
            if let Some(s) = stream {
                s.invalidate();
            }
            return Err(EngineError::Invalid(Box::new(InvalidInput {
                source: source.to_string(),
                errors: listed,
                total: bad,
            })));
        }
        Err(e) => {
            if let Some(s) = stream {
                s.invalidate();
            }
            return Err(e);
        }
    };
    let (ingest_number, rejected_file) = stored;
    Ok(IngestReport {
        source: source.to_string(),
        format,
        records: counts.lines,
        inserted: counts.inserted,
        duplicates: counts.duplicates,
        rejected: bad,
        rejected_file,
        sha256: std::mem::take(&mut counts.sha256),
        ingest_number,
        ledger_index: None,
    })
}

/// Writes the rejected-lines file and commits the ingest: its number and
/// where the rejected lines went.
fn commit<W: EventWriter>(
    writer: W,
    rejects: Rejects,
    counts: &mut IngestCounts,
    bad: u64,
    summary: SourceSummary,
) -> Result<(i64, Option<PathBuf>), EngineError> {
    let rejected_file = rejects.finish()?;
    counts.lines = summary.records;
    counts.rejected = bad;
    counts.sha256 = summary.sha256;
    let ingest_number = writer.commit(counts)?;
    Ok((ingest_number, rejected_file))
}

/// Reads a person CSV on this thread in batches: `f` marks each record fresh or
/// not, then the batch goes to `done`.
fn read_csv_batched<R: BufRead>(
    source: &str,
    reader: R,
    progress: &dyn Progress,
    f: &mut impl FnMut(RecordRef<'_>) -> Result<bool, EngineError>,
    mut done: impl FnMut(Batch),
) -> Result<SourceSummary, EngineError> {
    let mut batch = Batch::unpooled();
    let summary = read_person_csv(source, reader, progress, |r| {
        batch.push_with_input(r.line, r.raw, r.input, r.parsed);
        if batch.is_full() {
            mark_fresh(&mut batch, f)?;
            done(std::mem::replace(&mut batch, Batch::unpooled()));
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        mark_fresh(&mut batch, f)?;
        done(batch);
    }
    Ok(summary)
}

/// The outcome of [`validate`]: a dry run over a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    pub format: InputFormat,
    /// Records read (non-blank lines or CSV rows).
    pub records: u64,
    pub valid: u64,
    pub invalid: u64,
    /// The first bad records (at most `max_listed`).
    pub errors: Vec<LineError>,
    /// SHA-256 of the input bytes, hex.
    pub sha256: String,
}

/// Reads and validates a whole source without storing anything (constant memory).
pub fn validate<R: BufRead>(
    source: &str,
    mut reader: R,
    format: Option<InputFormat>,
    max_listed: usize,
) -> Result<Validation, EngineError> {
    let format = match format {
        Some(f) => f,
        None => {
            let head = reader.fill_buf().map_err(|e| EngineError::Io {
                path: source.into(),
                source: e,
            })?;
            sniff_format(source, head)
        }
    };
    let (mut valid, mut invalid) = (0u64, 0u64);
    let mut errors = Vec::new();
    let on_record = |r: RawRecord<'_>| -> Result<(), EngineError> {
        match r.parsed {
            Ok(_) => valid += 1,
            Err(pe) => {
                invalid += 1;
                if errors.len() < max_listed {
                    errors.push(LineError {
                        source: source.to_string(),
                        line: r.line,
                        field: pe.field,
                        reason: pe.message,
                    });
                }
            }
        }
        Ok(())
    };
    let progress = crate::progress::NoProgress;
    let summary = match format {
        InputFormat::JsonLines => read_jsonl(source, reader, &progress, on_record)?,
        InputFormat::PersonCsv => read_person_csv(source, reader, &progress, on_record)?,
    };
    Ok(Validation {
        format,
        records: summary.records,
        valid,
        invalid,
        errors,
        sha256: summary.sha256,
    })
}
