//! Detection, linking and scoring over the stored events, and turning the
//! analysis into stored results.

use molehunt_detect::{Analysis, Analyzer, DetectConfig, PreviousNetwork};
use molehunt_model::{Enrichment, Event, parse_stored};
use molehunt_store::{
    CaseRow, EventStore, EvidenceRow, NetworkRow, Results, Store, analysis_time, is_upsert,
};

use crate::enrich::Enricher;
use crate::error::EngineError;
use crate::progress::Progress;

/// An analyzer fed while ingesting, valid only as long as the events arrive
/// in exactly the order a full recompute would feed them (upserts first,
/// then ascending time) into a store that was empty when it began. When the
/// order breaks it is dropped and the engine recomputes from the store.
pub(crate) struct StreamPass {
    analyzer: Option<Analyzer>,
    /// The analysis, when finished before being asked for.
    finished: Option<Analysis>,
    enrichment: Enrichment,
    seen_timed: bool,
    last_time: i64,
    observed: u64,
}

impl StreamPass {
    pub fn new(config: DetectConfig) -> Self {
        StreamPass {
            analyzer: Some(Analyzer::new(config)),
            finished: None,
            enrichment: Enrichment::default(),
            seen_timed: false,
            last_time: i64::MIN,
            observed: 0,
        }
    }

    /// Still usable.
    pub fn valid(&self) -> bool {
        self.analyzer.is_some() || self.finished.is_some()
    }

    /// Gives up (an ingest was rolled back or the order broke).
    pub fn invalidate(&mut self) {
        self.analyzer = None;
        self.finished = None;
    }

    /// Links and scores now (on the caller's thread), keeping the analysis for
    /// [`StreamPass::finish`]; nothing more can be observed afterwards.
    pub fn finish_in_place(&mut self, previous: &[PreviousNetwork]) {
        if let Some(a) = self.analyzer.take() {
            self.finished = Some(a.finish(previous));
        }
    }

    /// Feeds a newly stored event (duplicates must not be fed).
    pub fn observe(&mut self, event: &Event, enricher: &mut Enricher) {
        let Some(analyzer) = self.analyzer.as_mut() else {
            return;
        };
        if is_upsert(&event.record) {
            if self.seen_timed {
                self.analyzer = None;
                return;
            }
        } else {
            let t = analysis_time(&event.record).unwrap_or(i64::MIN);
            if t < self.last_time {
                self.analyzer = None;
                return;
            }
            self.seen_timed = true;
            self.last_time = t;
        }
        enricher.enrich(event, &mut self.enrichment);
        analyzer.observe(event, &self.enrichment);
        self.observed += 1;
    }

    pub fn finish(self, previous: &[PreviousNetwork]) -> Option<(Analysis, u64)> {
        let observed = self.observed;
        if let Some(done) = self.finished {
            return Some((done, observed));
        }
        self.analyzer.map(|a| (a.finish(previous), observed))
    }
}

/// The networks of the last scoring, so their ids survive a rescore.
pub(crate) fn previous_networks(store: &Store) -> Result<Vec<PreviousNetwork>, EngineError> {
    Ok(store
        .networks()?
        .into_iter()
        .map(|n| PreviousNetwork {
            network_id: n.network_id,
            person_ids: n.person_ids,
        })
        .collect())
}

/// Feeds every stored event, in analysis order, through enrichment and the analyzer.
pub(crate) fn recompute(
    store: &Store,
    config: DetectConfig,
    enricher: &mut Enricher,
    progress: &dyn Progress,
) -> Result<(Analysis, u64), EngineError> {
    let previous = previous_networks(store)?;
    let total = store.event_count()?;
    progress.start("scoring", Some(total));
    let mut analyzer = Analyzer::new(config);
    let mut enrichment = Enrichment::default();
    let mut pending = 0u64;
    let n = store.for_each_event(&mut |stored| {
        // stored lines were validated on ingest; a failure here means the file was altered
        let event = parse_stored(&stored.raw, stored.id.clone()).map_err(|e| {
            molehunt_store::StoreError::Corrupt(format!("event `{}`: {e}", stored.id))
        })?;
        enricher.enrich(&event, &mut enrichment);
        analyzer.observe(&event, &enrichment);
        pending += 1;
        if pending == 65_536 {
            progress.advance(pending);
            pending = 0;
        }
        Ok(())
    })?;
    progress.advance(pending);
    progress.finish();
    Ok((analyzer.finish(&previous), n))
}

/// The stored form of an analysis.
pub(crate) fn to_results(analysis: &Analysis) -> Result<Results, EngineError> {
    let json = |v: &dyn erased::Json| v.json();
    let mut results = Results::default();
    for p in &analysis.persons {
        results.cases.push(CaseRow {
            person_id: p.person_id.clone(),
            score: p.score,
            level: p.level,
            network_id: p.network_id.clone(),
            flags: p.flags.iter().map(|f| f.id.clone()).collect(),
            json: json(p)?,
        });
    }
    for n in &analysis.networks {
        results.networks.push(NetworkRow {
            network_id: n.network_id.clone(),
            score: n.score,
            level: n.level,
            person_ids: n.person_ids.clone(),
            json: json(n)?,
        });
    }
    for e in &analysis.evidence {
        results.evidence.push(EvidenceRow {
            person_id: e.person_id.clone(),
            flag: e.flag.clone(),
            json: json(e)?,
        });
    }
    Ok(results)
}

mod erased {
    use crate::error::EngineError;

    pub trait Json {
        fn json(&self) -> Result<String, EngineError>;
    }

    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> Result<String, EngineError> {
            serde_json::to_string(self).map_err(|e| EngineError::Corrupt(e.to_string()))
        }
    }
}
