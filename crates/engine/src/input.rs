//! Reading input sources record by record in constant memory: JSON Lines per
//! the contract, or `person` records as CSV (HR exports).

use std::io::{BufRead, Read};

use molehunt_model::{Event, ParseError, parse_line, person_from_csv_row};
use sha2::{Digest, Sha256};

use crate::batch::{Batch, BatchPool, RecordRef};
use crate::error::EngineError;
use crate::progress::Progress;

/// The shape of an input source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One JSON object per line (docs/EVENTS.md).
    JsonLines,
    /// `person` records as CSV with a header of field names (`address.line1` ...).
    PersonCsv,
}

/// Decides the format from the name (`.csv`) and the first bytes: JSON Lines
/// start with `{`; a first line naming `person_id` without `{` is a CSV header.
pub fn sniff_format(name: &str, head: &[u8]) -> InputFormat {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".csv.gz") {
        return InputFormat::PersonCsv;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        return InputFormat::JsonLines;
    }
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    if line.contains("person_id") && line.contains(',') {
        InputFormat::PersonCsv
    } else {
        InputFormat::JsonLines
    }
}

/// One record read from a source.
pub(crate) struct RawRecord<'a> {
    /// 1-based line number where the record starts.
    pub line: u64,
    /// The record as JSON (the input line, or the JSON built from a CSV row).
    pub raw: &'a str,
    /// For rejected-line files: the input text of the record.
    pub input: &'a str,
    pub parsed: Result<Event, ParseError>,
}

/// What reading a whole source yields besides its records.
pub(crate) struct SourceSummary {
    /// Non-blank lines (JSONL) or data rows (CSV).
    pub records: u64,
    /// SHA-256 of the bytes read, hex.
    pub sha256: String,
}

/// A `BufRead` that hashes what its user consumes and reports progress.
struct Hashing<'p, R> {
    inner: R,
    hasher: Sha256,
    progress: &'p dyn Progress,
    unreported: u64,
}

impl<R: BufRead> Read for Hashing<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let buf = self.inner.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Hashing<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // the buffer is already filled: this returns it without I/O
        if let Ok(buf) = self.inner.fill_buf() {
            self.hasher.update(&buf[..amt.min(buf.len())]);
        }
        self.inner.consume(amt);
        self.unreported += amt as u64;
        if self.unreported >= 1 << 20 {
            self.progress.advance(self.unreported);
            self.unreported = 0;
        }
    }
}

impl<R> Hashing<'_, R> {
    fn done(self) -> String {
        self.progress.advance(self.unreported);
        hex::encode(self.hasher.finalize())
    }
}

fn io_err(source: &str, e: std::io::Error) -> EngineError {
    EngineError::Io {
        path: source.into(),
        source: e,
    }
}

/// Reads JSON Lines, calling `f` for every non-blank line. Lines are taken
/// straight from the reader's buffer (only a line split across two fills is
/// copied), and the file hash is fed whole buffers.
pub(crate) fn read_jsonl<R: BufRead>(
    source: &str,
    mut reader: R,
    progress: &dyn Progress,
    mut f: impl FnMut(RawRecord<'_>) -> Result<(), EngineError>,
) -> Result<SourceSummary, EngineError> {
    let mut hasher = Sha256::new();
    // the start of a line that continues in the next fill
    let mut carry: Vec<u8> = Vec::new();
    let mut line_no = 0u64;
    let mut records = 0u64;
    let mut line = |bytes: &[u8], f: &mut dyn FnMut(RawRecord<'_>) -> Result<(), EngineError>| {
        line_no += 1;
        let mut bytes = bytes;
        if line_no == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        while let [rest @ .., b'\n' | b'\r'] = bytes {
            bytes = rest;
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        records += 1;
        match std::str::from_utf8(bytes) {
            Ok(text) => f(RawRecord {
                line: line_no,
                raw: text,
                input: text,
                parsed: parse_line(text),
            }),
            Err(e) => {
                let lossy = String::from_utf8_lossy(bytes);
                f(RawRecord {
                    line: line_no,
                    raw: &lossy,
                    input: &lossy,
                    parsed: Err(ParseError {
                        field: None,
                        message: format!("not valid UTF-8 (byte {})", e.valid_up_to() + 1),
                    }),
                })
            }
        }
    };
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(source, e)),
        };
        if buf.is_empty() {
            if !carry.is_empty() {
                line(&carry, &mut f)?;
            }
            break;
        }
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', buf) {
            let piece = &buf[start..=end];
            if carry.is_empty() {
                line(piece, &mut f)?;
            } else {
                carry.extend_from_slice(piece);
                line(&carry, &mut f)?;
                carry.clear();
            }
            start = end + 1;
        }
        carry.extend_from_slice(&buf[start..]);
        let n = buf.len();
        hasher.update(buf);
        reader.consume(n);
        progress.advance(n as u64);
    }
    Ok(SourceSummary {
        records,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Batches in flight from the reader thread: memory stays constant whatever the
/// file size.
const QUEUE: usize = 8;

/// Like [`read_jsonl`], but reading, hashing and parsing run on a second thread while
/// `f` (storing) runs on this one: the two halves of the work overlap on two cores.
/// `f` sees every record in input order, in place in its batch, and says whether
/// the record is fresh (stored as new); each batch then goes to `done` (analysis),
/// which recycles it. When `f` fails the reader stops.
pub(crate) fn read_jsonl_pipelined<R: BufRead + Send>(
    source: &str,
    reader: R,
    progress: &dyn Progress,
    mut f: impl FnMut(RecordRef<'_>) -> Result<bool, EngineError>,
    mut done: impl FnMut(Batch),
) -> Result<SourceSummary, EngineError> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(QUEUE);
    let pool = BatchPool::new();
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || {
            let mut batch = pool.take();
            let summary = read_jsonl(source, reader, &crate::progress::NoProgress, |r| {
                batch.bytes += r.input.len() as u64 + 1;
                batch.push(r.line, r.raw, r.parsed);
                if batch.is_full() {
                    let full = std::mem::replace(&mut batch, pool.take());
                    if tx.send(full).is_err() {
                        // the consumer stopped (its error is the one reported)
                        return Err(EngineError::Corrupt("ingest stopped".into()));
                    }
                }
                Ok(())
            });
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            summary
        });
        let mut failed = None;
        for mut batch in rx.iter() {
            if let Err(e) = mark_fresh(&mut batch, &mut f) {
                failed = Some(e);
                break;
            }
            progress.advance(batch.bytes);
            done(batch);
        }
        // dropping the receiver makes a still-running reader stop at its next batch
        drop(rx);
        let summary = producer
            .join()
            .map_err(|_| EngineError::Corrupt("the reader thread panicked".into()))?;
        match failed {
            Some(e) => Err(e),
            None => summary,
        }
    })
}

/// Calls `f` on every record of `batch` in order, marking those it calls fresh.
pub(crate) fn mark_fresh(
    batch: &mut Batch,
    f: &mut impl FnMut(RecordRef<'_>) -> Result<bool, EngineError>,
) -> Result<(), EngineError> {
    for (r, fresh) in batch.records_mut() {
        *fresh = f(r)?;
    }
    Ok(())
}

/// Reads a person CSV (header row of field names), calling `f` per data row.
pub(crate) fn read_person_csv<R: BufRead>(
    source: &str,
    reader: R,
    progress: &dyn Progress,
    mut f: impl FnMut(RawRecord<'_>) -> Result<(), EngineError>,
) -> Result<SourceSummary, EngineError> {
    let mut hashing = Hashing {
        inner: reader,
        hasher: Sha256::new(),
        progress,
        unreported: 0,
    };
    let mut records = 0u64;
    {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(&mut hashing);
        let csv_err = |e: csv::Error| EngineError::Csv {
            source_name: source.to_string(),
            message: e.to_string(),
        };
        let headers: Vec<String> = csv
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        if !headers.iter().any(|h| h == "person_id") {
            return Err(EngineError::Csv {
                source_name: source.to_string(),
                message: "the header row has no `person_id` column".into(),
            });
        }
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut row = csv::StringRecord::new();
        loop {
            let line = csv.position().line() + 1;
            match csv.read_record(&mut row) {
                Ok(false) => break,
                Ok(true) => {
                    records += 1;
                    let line = row.position().map_or(line, |p| p.line());
                    let values: Vec<&str> = row.iter().collect();
                    let input = csv_line(&values);
                    let parsed = if values.len() > header_refs.len() {
                        Err(ParseError {
                            field: None,
                            message: format!(
                                "{} cells but the header names {} columns",
                                values.len(),
                                header_refs.len()
                            ),
                        })
                    } else {
                        person_from_csv_row(&header_refs, &values)
                    };
                    let raw = match &parsed {
                        Ok(ev) => serde_json::to_string(&ev.record).unwrap_or_default(),
                        Err(_) => String::new(),
                    };
                    f(RawRecord {
                        line,
                        raw: &raw,
                        input: &input,
                        parsed,
                    })?;
                }
                Err(e) => {
                    let Some(pos) = e.position().cloned() else {
                        return Err(csv_err(e));
                    };
                    records += 1;
                    f(RawRecord {
                        line: pos.line(),
                        raw: "",
                        input: "",
                        parsed: Err(ParseError {
                            field: None,
                            message: e.to_string(),
                        }),
                    })?;
                }
            }
        }
    }
    Ok(SourceSummary {
        records,
        sha256: hashing.done(),
    })
}

/// A CSV row written back as one line (for the rejected-lines file).
fn csv_line(values: &[&str]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record(values);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    #[test]
    fn sniffs() {
        assert_eq!(
            sniff_format("x.jsonl", b"{\"type\""),
            InputFormat::JsonLines
        );
        assert_eq!(sniff_format("HR.CSV", b"{"), InputFormat::PersonCsv);
        assert_eq!(
            sniff_format("-", b"person_id,full_name\np1,Ann\n"),
            InputFormat::PersonCsv
        );
        assert_eq!(sniff_format("-", b"garbage"), InputFormat::JsonLines);
    }

    #[test]
    fn jsonl_lines_and_hash() {
        let input = b"\n{\"type\":\"person\",\"person_id\":\"p\",\"full_name\":\"A\"}\r\n\n{bad\n\xff\xfe\n";
        let mut seen = Vec::new();
        let s = read_jsonl("t", &input[..], &NoProgress, |r| {
            seen.push((r.line, r.parsed.is_ok()));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, vec![(2, true), (4, false), (5, false)]);
        assert_eq!(s.records, 3);
        assert_eq!(s.sha256, hex::encode(Sha256::digest(input)));
    }

    /// Lines split across the reader's fills (down to one byte per fill) give
    /// the same records, line numbers and file hash as one big fill.
    #[test]
    fn lines_across_fills() {
        let input = "\u{feff}{\"type\":\"person\",\"person_id\":\"p\",\"full_name\":\"Ann\"}\r\n\n  \n{bad\n{\"type\":\"person\",\"person_id\":\"q\",\"full_name\":\"Bo\"}";
        let run = |cap: usize| {
            let mut seen = Vec::new();
            let reader = std::io::BufReader::with_capacity(cap, input.as_bytes());
            let s = read_jsonl("t", reader, &NoProgress, |r| {
                seen.push((r.line, r.raw.to_string(), r.parsed.is_ok()));
                Ok(())
            })
            .unwrap();
            (seen, s.records, s.sha256)
        };
        let whole = run(1 << 16);
        assert_eq!(whole.0.len(), 3);
        assert_eq!(whole.0[0].0, 1);
        assert!(whole.0[0].1.starts_with('{'), "BOM and CR stripped");
        assert_eq!((whole.0[1].0, whole.0[2].0), (4, 5));
        assert_eq!(whole.2, hex::encode(Sha256::digest(input.as_bytes())));
        for cap in 1..24 {
            assert_eq!(run(cap), whole, "fill size {cap}");
        }
    }

    #[test]
    fn csv_rows() {
        let input = "person_id,full_name,address.city,languages\np1,Ann Lee,Austin,en;ko\np2,,X,\n\"p3\",\"Kim, Jo\",,\n";
        let mut seen = Vec::new();
        let s = read_person_csv("t.csv", input.as_bytes(), &NoProgress, |r| {
            seen.push((
                r.line,
                r.parsed.as_ref().err().and_then(|e| e.field.clone()),
            ));
            if r.line == 4 {
                assert!(r.raw.contains("Kim, Jo"), "{}", r.raw);
                assert_eq!(r.input, "p3,\"Kim, Jo\",,");
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![(2, None), (3, Some("full_name".into())), (4, None)]
        );
        assert_eq!(s.records, 3);
        assert!(
            read_person_csv("t.csv", "a,b\n1,2\n".as_bytes(), &NoProgress, |_| Ok(())).is_err()
        );
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = read_jsonl("t", &bytes[..], &NoProgress, |_| Ok(()));
            let mut csv = b"person_id,full_name,address.line1,languages,education\n".to_vec();
            csv.extend_from_slice(&bytes);
            let _ = read_person_csv("t.csv", &csv[..], &NoProgress, |_| Ok(()));
        }
    }
}
