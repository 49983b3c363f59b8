//! The engine: one store, the detection config, enrichment and the ledger.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use molehunt_detect::{Analysis, DetectConfig, Network, PersonScore, PreviousNetwork};
use molehunt_ledger::{Ledger, LedgerOptions};
use molehunt_model::RiskLevel;
use molehunt_store::{Durability, EventStore, PersonRisk, Store, StoreError, StoreOptions};

use crate::analyze::{StreamPass, previous_networks, recompute, to_results};
use crate::config::load_config;
use crate::enrich::Enricher;
use crate::error::EngineError;
use crate::ingest::{IngestOptions, IngestReport, Source, ingest_source};
use crate::progress::Progress;
use crate::report::ReportFormat;

/// How to open an [`Engine`].
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// A TOML detection config merged over the defaults.
    pub config_path: Option<PathBuf>,
    /// A config given directly (wins over `config_path`).
    pub config: Option<DetectConfig>,
    /// MaxMind DB files (country / ASN) loaded over the bundled IP data.
    pub geoip: Vec<PathBuf>,
    /// CSV IP-range files (`start,end,asn,org` shape) loaded over the bundled data.
    pub asn_csv: Vec<PathBuf>,
    pub durability: Durability,
    /// Record each committed ingest in the audit ledger (default true).
    pub ledger: bool,
    /// Screen persons and wallets when sanctions lists are imported (default true).
    pub screening: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            config_path: None,
            config: None,
            geoip: Vec::new(),
            asn_csv: Vec::new(),
            durability: Durability::Normal,
            ledger: true,
            screening: true,
        }
    }
}

/// What a scoring run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RescoreReport {
    /// Events analysed.
    pub events: u64,
    pub persons: usize,
    pub networks: usize,
    pub evidence: usize,
    /// Persons at high or critical.
    pub high_or_critical: usize,
    /// True when the analysis ran during the ingest (events in order into an
    /// empty store) instead of re-reading the store.
    pub streamed: bool,
    pub elapsed: Duration,
}

/// The pipeline over one store.
pub struct Engine {
    store: Store,
    db: PathBuf,
    config: DetectConfig,
    opts: EngineOptions,
    enricher: Option<Enricher>,
    ledger: Option<Ledger>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("db", &self.db).finish()
    }
}

/// An enricher still to be loaded: its screener is read from the store already
/// (on the store's thread: SQLite may need the write lock to read it), the IP
/// data (a tenth of a second) not yet.
pub(crate) struct EnricherLoader<'a> {
    screener: Option<molehunt_screen::Screener>,
    geoip: &'a [PathBuf],
    asn_csv: &'a [PathBuf],
}

impl<'a> EnricherLoader<'a> {
    fn new(opts: &'a EngineOptions, db: &Path) -> Result<Self, EngineError> {
        Ok(EnricherLoader {
            screener: Enricher::screener(opts.screening.then_some(db))?,
            geoip: &opts.geoip,
            asn_csv: &opts.asn_csv,
        })
    }

    pub(crate) fn load(self) -> Result<Enricher, EngineError> {
        let geoip: Vec<&Path> = self.geoip.iter().map(PathBuf::as_path).collect();
        let asn: Vec<&Path> = self.asn_csv.iter().map(PathBuf::as_path).collect();
        Enricher::with_screener(self.screener, &geoip, &asn)
    }
}

impl Engine {
    /// Opens (creating when missing) the store at `db`.
    pub fn open(db: &Path, opts: EngineOptions) -> Result<Engine, EngineError> {
        let config = match &opts.config {
            Some(c) => c.clone(),
            None => load_config(opts.config_path.as_deref())?,
        };
        let store = Store::open_with(
            db,
            &StoreOptions {
                durability: opts.durability,
                ..StoreOptions::default()
            },
        )?;
        Ok(Engine {
            store,
            db: db.to_path_buf(),
            config,
            opts,
            enricher: None,
            ledger: None,
        })
    }

    /// The store (read access for other crates: `person_risk`, events).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The detection config in effect.
    pub fn config(&self) -> &DetectConfig {
        &self.config
    }

    fn enricher(&mut self) -> Result<&mut Enricher, EngineError> {
        if self.enricher.is_none() {
            self.enricher = Some(EnricherLoader::new(&self.opts, &self.db)?.load()?);
        }
        self.enricher
            .as_mut()
            .ok_or_else(|| EngineError::Corrupt("enricher missing".into()))
    }

    /// Ingests one file (`-`: standard input), then scores (unless
    /// `opts.analyze` is false).
    pub fn ingest_path(
        &mut self,
        path: &Path,
        opts: &IngestOptions,
        progress: &dyn Progress,
    ) -> Result<IngestReport, EngineError> {
        let (mut reports, _) = self.ingest_paths(&[path.to_path_buf()], opts, progress)?;
        reports
            .pop()
            .unwrap_or_else(|| Err(EngineError::Corrupt("no report".into())))
    }

    /// Ingests several files, each committed whole or not at all, then scores
    /// once if anything was committed. Per-file outcomes are returned in order.
    #[allow(clippy::type_complexity)]
    pub fn ingest_paths(
        &mut self,
        paths: &[PathBuf],
        opts: &IngestOptions,
        progress: &dyn Progress,
    ) -> Result<
        (
            Vec<Result<IngestReport, EngineError>>,
            Option<RescoreReport>,
        ),
        EngineError,
    > {
        let mut stream = (opts.analyze && self.store.event_count()? == 0)
            .then(|| StreamPass::new(self.config.clone()));
        let started = Instant::now();
        // the last source's analysis finishes while it commits (see `ingest_source`)
        let previous = match stream {
            Some(_) => previous_networks(&self.store)?,
            None => Vec::new(),
        };
        let mut outcomes = Vec::with_capacity(paths.len());
        let mut committed = false;
        for (i, path) in paths.iter().enumerate() {
            let finish_with = (i + 1 == paths.len()).then_some(previous.as_slice());
            let name = path.to_string_lossy().into_owned();
            let outcome = if name == "-" {
                progress.start("-", None);
                let stdin = std::io::BufReader::with_capacity(1 << 16, std::io::stdin());
                let source = Source {
                    name: &name,
                    size: None,
                    redo: false,
                };
                self.ingest_one(source, stdin, opts, stream.as_mut(), finish_with, progress)
            } else {
                // A file can be read again: its first attempt may assume its
                // identities distinct (a first ingest then skips remembering them)
                // and is redone without that if one repeats.
                let mut outcome =
                    self.ingest_file(path, &name, true, opts, &mut stream, finish_with, progress);
                if let Err(EngineError::Store(StoreError::RepeatedIdentity)) = outcome {
                    progress.finish();
                    outcome = self.ingest_file(
                        path,
                        &name,
                        false,
                        opts,
                        &mut stream,
                        finish_with,
                        progress,
                    );
                }
                outcome
            };
            progress.finish();
            committed |= outcome.is_ok();
            outcomes.push(outcome);
        }
        let rescore = if committed && opts.analyze {
            Some(self.score(stream, started, progress))
        } else {
            None
        };
        // Each committed ingest's ledger entry, in order, whatever the scoring gave (see
        // `record_ingests`).
        self.record_ingests(outcomes.iter_mut().filter_map(|o| o.as_mut().ok()))?;
        Ok((outcomes, rescore.transpose()?))
    }

    /// Appends the ledger entries of committed ingests. They are appended once the results
    /// are saved rather than right after each commit: the entry's durable commit waits for
    /// the WAL to reach the disk, and by then the background checkpoint has synced the
    /// ingest's pages, so the wait no longer sits between the commit and the scoring.
    fn record_ingests<'r>(
        &mut self,
        reports: impl Iterator<Item = &'r mut IngestReport>,
    ) -> Result<(), EngineError> {
        for report in reports {
            report.ledger_index = self.record_ingest(report)?;
        }
        Ok(())
    }

    /// Ingests from a reader (the HTTP ingest, tests), then scores (unless
    /// `opts.analyze` is false).
    pub fn ingest_reader(
        &mut self,
        source_name: &str,
        reader: impl BufRead + Send,
        opts: &IngestOptions,
        progress: &dyn Progress,
    ) -> Result<IngestReport, EngineError> {
        let mut stream = (opts.analyze && self.store.event_count()? == 0)
            .then(|| StreamPass::new(self.config.clone()));
        let started = Instant::now();
        let previous = match stream {
            Some(_) => previous_networks(&self.store)?,
            None => Vec::new(),
        };
        let source = Source {
            name: source_name,
            size: None,
            redo: false,
        };
        let mut report = self.ingest_one(
            source,
            reader,
            opts,
            stream.as_mut(),
            Some(&previous),
            progress,
        )?;
        let scored = match opts.analyze {
            true => self.score(stream, started, progress).map(|_| ()),
            false => Ok(()),
        };
        self.record_ingests(std::iter::once(&mut report))?;
        scored?;
        Ok(report)
    }

    /// Ingests one file (see [`Source::redo`]).
    #[allow(clippy::too_many_arguments)]
    fn ingest_file(
        &mut self,
        path: &Path,
        name: &str,
        redo: bool,
        opts: &IngestOptions,
        stream: &mut Option<StreamPass>,
        finish_with: Option<&[PreviousNetwork]>,
        progress: &dyn Progress,
    ) -> Result<IngestReport, EngineError> {
        let f = std::fs::File::open(path).map_err(|e| EngineError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let size = f.metadata().map(|m| m.len()).ok();
        progress.start(name, size);
        let reader = std::io::BufReader::with_capacity(1 << 16, f);
        let source = Source { name, size, redo };
        self.ingest_one(source, reader, opts, stream.as_mut(), finish_with, progress)
    }

    fn ingest_one(
        &mut self,
        source: Source<'_>,
        reader: impl BufRead + Send,
        opts: &IngestOptions,
        stream: Option<&mut StreamPass>,
        finish_with: Option<&[PreviousNetwork]>,
        progress: &dyn Progress,
    ) -> Result<IngestReport, EngineError> {
        // The enricher (its bundled IP data takes a tenth of a second to load) is
        // loaded by the analysis thread, while the first batches are read and stored.
        let loader = match self.enricher {
            Some(_) => None,
            None => Some(EnricherLoader::new(&self.opts, &self.db)?),
        };
        let report = ingest_source(
            &mut self.store,
            (&mut self.enricher, loader),
            stream,
            finish_with,
            source,
            reader,
            opts,
            progress,
        )?;
        // the committed events reach the database file while scoring, the results
        // and the ledger entry are written
        self.store.checkpoint_in_background();
        Ok(report)
    }

    fn record_ingest(&mut self, r: &IngestReport) -> Result<Option<u64>, EngineError> {
        if !self.opts.ledger {
            return Ok(None);
        }
        if self.ledger.is_none() {
            self.ledger = Some(Ledger::open(&self.db, LedgerOptions::default())?);
        }
        let Some(ledger) = &self.ledger else {
            return Ok(None);
        };
        let file = Path::new(&r.source)
            .file_name()
            .map_or_else(|| r.source.clone(), |f| f.to_string_lossy().into_owned());
        let entry = serde_json::json!({
            "kind": "ingest",
            "ts": jiff::Timestamp::now().to_string(),
            "file": file,
            "format": match r.format {
                crate::InputFormat::JsonLines => "jsonl",
                crate::InputFormat::PersonCsv => "person_csv",
            },
            "records": r.records,
            "inserted": r.inserted,
            "duplicates": r.duplicates,
            "rejected": r.rejected,
            "sha256": r.sha256,
            "ingest": r.ingest_number,
        });
        Ok(Some(ledger.append_json(&entry)?))
    }

    fn score(
        &mut self,
        stream: Option<StreamPass>,
        started: Instant,
        progress: &dyn Progress,
    ) -> Result<RescoreReport, EngineError> {
        let previous = previous_networks(&self.store)?;
        if let Some(pass) = stream
            && pass.valid()
            && let Some((analysis, n)) = pass.finish(&previous)
        {
            return self.save(analysis, n, true, started);
        }
        self.rescore_since(started, progress)
    }

    /// Recomputes flags, networks and scores from every stored event
    /// (network ids survive when membership barely changed).
    pub fn rescore(&mut self, progress: &dyn Progress) -> Result<RescoreReport, EngineError> {
        self.rescore_since(Instant::now(), progress)
    }

    fn rescore_since(
        &mut self,
        started: Instant,
        progress: &dyn Progress,
    ) -> Result<RescoreReport, EngineError> {
        self.enricher()?;
        let config = self.config.clone();
        let Engine {
            store, enricher, ..
        } = self;
        let enricher = enricher
            .as_mut()
            .ok_or_else(|| EngineError::Corrupt("enricher missing".into()))?;
        let (analysis, n) = recompute(store, config, enricher, progress)?;
        self.save(analysis, n, false, started)
    }

    fn save(
        &mut self,
        analysis: Analysis,
        events: u64,
        streamed: bool,
        started: Instant,
    ) -> Result<RescoreReport, EngineError> {
        let results = to_results(&analysis)?;
        self.store.replace_results(&results)?;
        Ok(RescoreReport {
            events,
            persons: analysis.persons.len(),
            networks: analysis.networks.len(),
            evidence: analysis.evidence.len(),
            high_or_critical: analysis
                .persons
                .iter()
                .filter(|p| p.level >= RiskLevel::High)
                .count(),
            streamed,
            elapsed: started.elapsed(),
        })
    }

    /// All cases, highest risk first.
    pub fn cases(&self) -> Result<Vec<PersonScore>, EngineError> {
        self.cases_filtered(None, None)
    }

    /// Cases at `min_level` or above, highest risk first, at most `limit`.
    pub fn cases_filtered(
        &self,
        limit: Option<usize>,
        min_level: Option<RiskLevel>,
    ) -> Result<Vec<PersonScore>, EngineError> {
        self.store
            .cases(limit, min_level)?
            .into_iter()
            .map(|c| decode(&c.json))
            .collect()
    }

    /// The cases as the JSON array of EVENTS.md "Outputs", straight from the
    /// stored results (no decoding).
    pub fn cases_json(
        &self,
        limit: Option<usize>,
        min_level: Option<RiskLevel>,
    ) -> Result<String, EngineError> {
        let rows = self.store.cases(limit, min_level)?;
        Ok(join_json(rows.iter().map(|c| c.json.as_str())))
    }

    /// All networks, highest risk first.
    pub fn networks(&self) -> Result<Vec<Network>, EngineError> {
        self.store
            .networks()?
            .into_iter()
            .map(|n| decode(&n.json))
            .collect()
    }

    /// The networks as the JSON array of EVENTS.md "Outputs".
    pub fn networks_json(&self) -> Result<String, EngineError> {
        let rows = self.store.networks()?;
        Ok(join_json(rows.iter().map(|n| n.json.as_str())))
    }

    /// Current risk by person_id or account_id.
    pub fn person_risk(&self, subject_id: &str) -> Result<Option<PersonRisk>, EngineError> {
        Ok(self.store.person_risk(subject_id)?)
    }

    /// A case report an analyst can hand on.
    pub fn report(&self, person_id: &str, format: ReportFormat) -> Result<String, EngineError> {
        crate::report::render(&self.store, person_id, format)
    }
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, EngineError> {
    serde_json::from_str(json).map_err(|e| EngineError::Corrupt(format!("stored result: {e}")))
}

fn join_json<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::from("[");
    for (i, s) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(s);
    }
    out.push(']');
    out
}
