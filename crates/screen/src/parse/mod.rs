//! Streaming parsers of the supported list formats, and format detection.

mod dates;
mod ftm;
mod ofac_adv;
mod ofac_csv;
mod un;
pub(crate) mod xml;

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

pub use dates::parse_loose_date;

use crate::ScreenError;
use crate::model::{ListFormat, ParsedList};

/// Where list bytes come from: a file (plain or `.bz2`) or memory.
pub(crate) enum Source<'a> {
    File(PathBuf),
    Bytes(&'a [u8]),
}

impl Source<'_> {
    fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Bytes(_) => "<input>".to_string(),
        }
    }

    /// Opens a reader that transparently decompresses bzip2.
    pub(crate) fn open(&self) -> Result<Box<dyn BufRead + '_>, ScreenError> {
        let raw: Box<dyn BufRead> = match self {
            Source::File(p) => {
                let f = File::open(p).map_err(|e| ScreenError::io(p, e))?;
                Box::new(BufReader::with_capacity(1 << 16, f))
            }
            Source::Bytes(b) => Box::new(Cursor::new(*b)),
        };
        let mut raw = raw;
        let head = raw
            .fill_buf()
            .map_err(|e| ScreenError::io(self.name(), e))?;
        if head.starts_with(b"BZh") {
            match self {
                // Decompress on another core while this one parses.
                Source::File(p) => Ok(Box::new(BufReader::with_capacity(
                    1 << 16,
                    Pipe::spawn(p.clone()),
                ))),
                Source::Bytes(_) => {
                    let dec = bzip2::bufread::MultiBzDecoder::new(raw);
                    Ok(Box::new(BufReader::with_capacity(1 << 16, dec)))
                }
            }
        } else {
            Ok(raw)
        }
    }
}

/// A reader fed by a thread that decompresses a `.bz2` file in 1 MiB chunks.
struct Pipe {
    rx: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    cur: Vec<u8>,
    pos: usize,
}

impl Pipe {
    fn spawn(path: PathBuf) -> Pipe {
        let (tx, rx) = std::sync::mpsc::sync_channel(8);
        std::thread::spawn(move || {
            let f = match File::open(&path) {
                Ok(f) => f,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            let mut dec = bzip2::read::MultiBzDecoder::new(BufReader::with_capacity(1 << 16, f));
            loop {
                let mut buf = vec![0u8; 1 << 20];
                let mut filled = 0;
                while filled < buf.len() {
                    match dec.read(&mut buf[filled..]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
                buf.truncate(filled);
                let done = filled == 0;
                if done || tx.send(Ok(buf)).is_err() {
                    return;
                }
            }
        });
        Pipe {
            rx,
            cur: Vec::new(),
            pos: 0,
        }
    }
}

impl Read for Pipe {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.cur.len() {
            match self.rx.recv() {
                Ok(Ok(buf)) => {
                    self.cur = buf;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Line number (1-based) of byte `offset` of the decompressed source; 0 when unreadable.
pub(crate) fn line_of(src: &Source<'_>, offset: u64) -> u64 {
    let Ok(r) = src.open() else { return 0 };
    let mut line = 1;
    for b in r.take(offset).bytes() {
        match b {
            Ok(b'\n') => line += 1,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    line
}

/// Guesses the format from the first bytes of the (decompressed) content.
pub fn detect_format(head: &[u8]) -> Option<ListFormat> {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('<') {
        if t.contains("<CONSOLIDATED_LIST") {
            return Some(ListFormat::UnXml);
        }
        if t.contains("<Sanctions")
            && (t.contains("ADVANCED_XML")
                || t.contains("DateOfIssue")
                || t.contains("ReferenceValueSets"))
        {
            return Some(ListFormat::OfacAdvancedXml);
        }
        return None;
    }
    if t.starts_with('{') {
        return Some(ListFormat::FtmJson);
    }
    // OFAC legacy CSV: no header, first field the numeric ent_num, 12 fields.
    let first = t.lines().next()?;
    let num = first.split(',').next()?.trim();
    if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) && first.contains("\"") {
        return Some(ListFormat::OfacCsv);
    }
    None
}

fn sniff(src: &Source<'_>) -> Result<Option<ListFormat>, ScreenError> {
    let mut r = src.open()?;
    let mut head = Vec::with_capacity(8192);
    (&mut r)
        .take(8192)
        .read_to_end(&mut head)
        .map_err(|e| ScreenError::io(src.name(), e))?;
    Ok(detect_format(&head))
}

fn parse_source(src: &Source<'_>, format: Option<ListFormat>) -> Result<ParsedList, ScreenError> {
    let name = src.name();
    let format = match format {
        Some(f) => f,
        None => sniff(src)?.ok_or_else(|| ScreenError::UnknownFormat { path: name.clone() })?,
    };
    match format {
        ListFormat::OfacAdvancedXml => ofac_adv::parse(src, &name),
        ListFormat::UnXml => un::parse(src, &name),
        ListFormat::FtmJson => ftm::parse(src, &name),
        ListFormat::OfacCsv => {
            let (alt, add) = match src {
                Source::File(p) => (sibling(p, "alt.csv"), sibling(p, "add.csv")),
                Source::Bytes(_) => (None, None),
            };
            ofac_csv::parse(src, &name, alt.as_deref(), add.as_deref())
        }
    }
}

fn sibling(p: &Path, file: &str) -> Option<PathBuf> {
    let s = p.with_file_name(file);
    s.is_file().then_some(s)
}

/// Parses a list file, detecting its format (plain or bzip2-compressed). For OFAC `sdn.csv`,
/// `alt.csv` and `add.csv` beside it are read too when present.
pub fn parse_file(path: &Path) -> Result<ParsedList, ScreenError> {
    parse_source(&Source::File(path.to_path_buf()), None)
}

/// Parses list content held in memory (format detected unless given).
pub fn parse_bytes(data: &[u8], format: Option<ListFormat>) -> Result<ParsedList, ScreenError> {
    parse_source(&Source::Bytes(data), format)
}

/// Reads a file as text, accepting UTF-8 or (for old OFAC CSV files) Latin-1.
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        assert_eq!(
            detect_format(b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST dateGenerated=\"x\">"),
            Some(ListFormat::UnXml)
        );
        assert_eq!(
            detect_format(
                b"<?xml version=\"1.0\"?><Sanctions xmlns=\"https://x/ADVANCED_XML\"><DateOfIssue>"
            ),
            Some(ListFormat::OfacAdvancedXml)
        );
        assert_eq!(
            detect_format(b"{\"id\":\"x\",\"schema\":\"Person\"}\n"),
            Some(ListFormat::FtmJson)
        );
        assert_eq!(
            detect_format(b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\""),
            Some(ListFormat::OfacCsv)
        );
        assert_eq!(detect_format(b"hello world"), None);
        assert_eq!(detect_format(b"<html>"), None);
    }
}
