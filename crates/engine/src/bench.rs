//! The end-to-end ingest benchmark: a generated JSON Lines file through
//! parse -> enrich -> store (SQLite) -> detect -> link -> score, against
//! plainly parsing the same file with serde_json in the same process.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::engine::{Engine, EngineOptions};
use crate::error::EngineError;
use crate::ingest::IngestOptions;
use crate::progress::NoProgress;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Writes about `events` records of a plausible workforce: per person one
/// `person`, `account`, `document` and `payout_method`, then time-ordered
/// logins (mostly from the person's own few addresses), activity, commits
/// and a few device reports. Returns the number of lines written.
pub fn generate(out: &mut impl Write, events: u64, seed: u64) -> std::io::Result<u64> {
    let mut rng = Rng(seed);
    let persons = (events / 400).clamp(1, 50_000);
    let countries = ["US", "US", "US", "GB", "DE", "CA", "PL", "IN", "BR", "KR"];
    let mut n = 0u64;
    for p in 0..persons {
        let c = countries[rng.below(countries.len() as u64) as usize];
        writeln!(
            out,
            r#"{{"type":"person","person_id":"p{p}","full_name":"Worker {p}","claimed_country":"{c}","email":"w{p}@example.com","phone":"+1555{:07}","address":{{"line1":"{} Main St","city":"Springfield","country":"{c}"}}}}"#,
            p,
            rng.below(9000) + 1
        )?;
        writeln!(
            out,
            r#"{{"type":"account","account_id":"a{p}","person_id":"p{p}","system":"okta"}}"#
        )?;
        writeln!(
            out,
            r#"{{"type":"document","person_id":"p{p}","doc_type":"passport","number_hash":"{:016x}","issuing_country":"{c}","verified":true}}"#,
            rng.next()
        )?;
        writeln!(
            out,
            r#"{{"type":"payout_method","person_id":"p{p}","method":"bank","bank_country":"{c}","account_hash":"{:016x}"}}"#,
            rng.next()
        )?;
        n += 4;
    }
    let start = 1_767_225_600u64; // 2026-01-01T00:00:00Z
    let mut t = start;
    while n < events {
        t += rng.below(3) + 1;
        let p = rng.below(persons);
        // each person uses a handful of home/office addresses
        let ip = format!(
            "{}.{}.{}.{}",
            (p % 200) + 11,
            (p / 200) % 250 + 1,
            rng.below(3) + 1,
            (p % 250) + 1
        );
        let ts = jiff::Timestamp::from_second(t as i64).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let ts = ts.strftime("%Y-%m-%dT%H:%M:%SZ");
        match rng.below(100) {
            0..=39 => writeln!(
                out,
                r#"{{"type":"login","ts":"{ts}","account_id":"a{p}","ip":"{ip}","device_id":"dev{p}","user_agent":"Mozilla/5.0"}}"#
            )?,
            40..=89 => writeln!(
                out,
                r#"{{"type":"activity","ts":"{ts}","account_id":"a{p}","action":"read","resource":"repo/{}","ip":"{ip}"}}"#,
                rng.below(50)
            )?,
            90..=98 => writeln!(
                out,
                r#"{{"type":"commit","ts":"{ts}","account_id":"a{p}","repo":"core","author_email":"w{p}@example.com"}}"#
            )?,
            _ => writeln!(
                out,
                r#"{{"type":"device_report","ts":"{ts}","device_id":"dev{p}","person_id":"p{p}","os":"macOS 15","software":["Slack","Visual Studio Code","Zoom"],"usb":[{{"vendor_id":"05ac","product_id":"024f"}}],"timezone":"America/Chicago"}}"#
            )?,
        }
        n += 1;
    }
    Ok(n)
}

/// Figures of one benchmark run.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchFigures {
    pub events: u64,
    pub bytes: u64,
    /// serde_json::Value parse of each line (the baseline).
    pub serde_json_eps: f64,
    /// `molehunt_model::parse_line` (typed, validated).
    pub parse_eps: f64,
    /// Reading, parsing and storing into a fresh SQLite store, without detection.
    pub store_eps: f64,
    /// The whole pipeline into a fresh SQLite store, scoring included.
    pub pipeline_eps: f64,
    pub pipeline_secs: f64,
    /// True when scoring ran during the ingest (no second read of the store).
    pub streamed: bool,
    pub persons: usize,
}

impl BenchFigures {
    /// Pipeline speed as a fraction of the serde_json baseline.
    pub fn pipeline_ratio(&self) -> f64 {
        self.pipeline_eps / self.serde_json_eps
    }

    pub fn parse_ratio(&self) -> f64 {
        self.parse_eps / self.serde_json_eps
    }

    pub fn store_ratio(&self) -> f64 {
        self.store_eps / self.serde_json_eps
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> EngineError + '_ {
    move |e| EngineError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

fn each_line(path: &Path, mut f: impl FnMut(&str)) -> Result<u64, EngineError> {
    let mut r = BufReader::with_capacity(1 << 16, File::open(path).map_err(io(path))?);
    let mut line = String::new();
    let mut n = 0;
    loop {
        line.clear();
        if r.read_line(&mut line).map_err(io(path))? == 0 {
            return Ok(n);
        }
        f(line.trim_end());
        n += 1;
    }
}

/// Generates `events` records in `dir`, then measures the baseline, the
/// typed parse, storing without detection, and the full pipeline (into
/// `dir/bench.db`, ledger included).
pub fn run(dir: &Path, events: u64) -> Result<BenchFigures, EngineError> {
    let input = generate_file(dir, events)?;
    measure(dir, &input)
}

/// Writes the benchmark's input, `events` records, to `dir/bench.jsonl`.
pub fn generate_file(dir: &Path, events: u64) -> Result<PathBuf, EngineError> {
    let input = dir.join("bench.jsonl");
    let mut w = BufWriter::new(File::create(&input).map_err(io(&input))?);
    generate(&mut w, events, 42).map_err(io(&input))?;
    w.flush().map_err(io(&input))?;
    Ok(input)
}

/// One round of measurements on a generated `input` (see [`run`]); the
/// stores are created in `dir`.
pub fn measure(dir: &Path, input: &Path) -> Result<BenchFigures, EngineError> {
    let input = input.to_path_buf();
    let bytes = std::fs::metadata(&input).map_err(io(&input))?.len();

    let t = Instant::now();
    let mut ok = 0u64;
    let n = each_line(&input, |l| {
        ok += u64::from(serde_json::from_str::<serde_json::Value>(l).is_ok());
    })?;
    let serde_json_eps = n as f64 / t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut valid = 0u64;
    each_line(&input, |l| {
        valid += u64::from(molehunt_model::parse_line(l).is_ok());
    })?;
    let parse_eps = n as f64 / t.elapsed().as_secs_f64();
    if valid != n || ok != n {
        return Err(EngineError::Corrupt(format!(
            "generator wrote {} invalid lines",
            n - valid.min(ok)
        )));
    }

    let fresh = |name: &str| {
        let db = dir.join(name);
        for suffix in ["", "-wal", "-shm", ".ledger.key"] {
            let mut p = db.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
        db
    };

    let db = fresh("bench-store.db");
    let t = Instant::now();
    {
        let mut engine = Engine::open(&db, EngineOptions::default())?;
        let opts = IngestOptions {
            analyze: false,
            ..IngestOptions::default()
        };
        let (outcomes, _) =
            engine.ingest_paths(std::slice::from_ref(&input), &opts, &NoProgress)?;
        for o in outcomes {
            o?;
        }
    }
    let store_eps = n as f64 / t.elapsed().as_secs_f64();
    let _ = fresh("bench-store.db");

    let db = fresh("bench.db");
    let t = Instant::now();
    let rescore = {
        let mut engine = Engine::open(&db, EngineOptions::default())?;
        let (outcomes, rescore) = engine.ingest_paths(
            std::slice::from_ref(&input),
            &IngestOptions::default(),
            &NoProgress,
        )?;
        for o in outcomes {
            o?;
        }
        rescore
        // closing the store (its last WAL checkpoint) counts too
    };
    let pipeline_secs = t.elapsed().as_secs_f64();
    let rescore = rescore.ok_or_else(|| EngineError::Corrupt("nothing scored".into()))?;
    Ok(BenchFigures {
        events: n,
        bytes,
        serde_json_eps,
        parse_eps,
        store_eps,
        pipeline_eps: n as f64 / pipeline_secs,
        pipeline_secs,
        streamed: rescore.streamed,
        persons: rescore.persons,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn generated_lines_are_valid_and_deterministic() {
        let mut a = Vec::new();
        let n = generate(&mut a, 2_000, 7).unwrap();
        assert_eq!(n, 2_000);
        let text = String::from_utf8(a.clone()).unwrap();
        for l in text.lines() {
            molehunt_model::parse_line(l).unwrap();
        }
        let mut b = Vec::new();
        generate(&mut b, 2_000, 7).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn small_run_streams() {
        let dir = tempfile::tempdir().unwrap();
        let f = run(dir.path(), 3_000).unwrap();
        assert_eq!(f.events, 3_000);
        assert!(f.streamed, "generated file is in analysis order");
        assert_eq!(f.persons, 7);
        // a second round on the same file starts from fresh stores again
        let again = measure(dir.path(), &dir.path().join("bench.jsonl")).unwrap();
        assert_eq!((again.events, again.persons), (3_000, 7));
        assert!(again.streamed);
    }
}
