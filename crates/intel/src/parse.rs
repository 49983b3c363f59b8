//! Parsers for the text data files: ASN range CSVs, ASN lists, IP/CIDR lists
//! and Tor exit lists. Every error names the source, the line and the field.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::net::IpAddr;
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::IntelError;

/// An inclusive span of addresses of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Span {
    V4(u32, u32),
    V6(u128, u128),
}

/// Opens a file for reading, decompressing it when it starts with the gzip
/// magic bytes (whatever its name).
pub(crate) fn open_maybe_gz(path: &Path) -> Result<Box<dyn BufRead + Send>, IntelError> {
    let io = |source| IntelError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let head = reader.fill_buf().map_err(io)?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(reader),
        )))
    } else {
        Ok(Box::new(reader))
    }
}

pub(crate) fn source_name(path: &Path) -> String {
    path.display().to_string()
}

/// One address as a span of itself.
pub(crate) fn ip_span(ip: IpAddr) -> Span {
    match ip {
        IpAddr::V4(v4) => {
            let n = u32::from(v4);
            Span::V4(n, n)
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => ip_span(IpAddr::V4(v4)),
            None => {
                let n = u128::from(v6);
                Span::V6(n, n)
            }
        },
    }
}

/// `a.b.c.d`, `a.b.c.d/nn`, `start-end` (IPv4 or IPv6).
pub(crate) fn parse_span(text: &str) -> Result<Span, String> {
    let text = text.trim();
    if let Some((start, end)) = text.split_once('-') {
        return span_between(start.trim(), end.trim());
    }
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("`{addr}` is not an IP address"))?;
    let Some(prefix) = prefix else {
        return Ok(ip_span(ip));
    };
    let bits: u32 = prefix
        .parse()
        .map_err(|_| format!("`{prefix}` is not a prefix length"))?;
    match ip {
        IpAddr::V4(v4) if bits <= 32 => {
            let host = u32::MAX.checked_shr(bits).unwrap_or(0);
            let start = u32::from(v4) & !host;
            Ok(Span::V4(start, start | host))
        }
        IpAddr::V6(v6) if bits <= 128 => {
            let host = u128::MAX.checked_shr(bits).unwrap_or(0);
            let start = u128::from(v6) & !host;
            Ok(Span::V6(start, start | host))
        }
        _ => Err(format!("prefix length `{bits}` is too long for `{addr}`")),
    }
}

/// The span from one address to another (same family, start <= end).
pub(crate) fn span_between(start: &str, end: &str) -> Result<Span, String> {
    let s: IpAddr = start
        .parse()
        .map_err(|_| format!("`{start}` is not an IP address"))?;
    let e: IpAddr = end
        .parse()
        .map_err(|_| format!("`{end}` is not an IP address"))?;
    match (ip_span(s), ip_span(e)) {
        (Span::V4(a, _), Span::V4(b, _)) if a <= b => Ok(Span::V4(a, b)),
        (Span::V6(a, _), Span::V6(b, _)) if a <= b => Ok(Span::V6(a, b)),
        (Span::V4(..), Span::V4(..)) | (Span::V6(..), Span::V6(..)) => {
            Err(format!("range start `{start}` is after its end `{end}`"))
        }
        _ => Err(format!(
            "`{start}` and `{end}` are of different IP families"
        )),
    }
}

/// Calls `f(line_number, content)` for each line with its `#` comment and
/// surrounding whitespace removed, skipping blank lines.
pub(crate) fn for_each_line(
    mut reader: impl BufRead,
    name: &str,
    mut f: impl FnMut(usize, &str) -> Result<(), IntelError>,
) -> Result<(), IntelError> {
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|source| IntelError::Io {
                path: name.into(),
                source,
            })?;
        if n == 0 {
            return Ok(());
        }
        line_no += 1;
        let text = std::str::from_utf8(&buf)
            .map_err(|_| IntelError::parse(name, line_no, "line", "not valid UTF-8"))?;
        let text = text.split('#').next().unwrap_or("").trim();
        let text = text.trim_start_matches('\u{feff}');
        if !text.is_empty() {
            f(line_no, text)?;
        }
    }
}

/// An ASN list: one `AS1234` or `1234` per line, `#` comments allowed.
pub(crate) fn parse_asn_list(reader: impl BufRead, name: &str) -> Result<Vec<u32>, IntelError> {
    let mut out = Vec::new();
    for_each_line(reader, name, |line, text| {
        let token = text.split_whitespace().next().unwrap_or(text);
        out.push(parse_asn(token).map_err(|r| IntelError::parse(name, line, "asn", r))?);
        Ok(())
    })?;
    Ok(out)
}

fn parse_asn(token: &str) -> Result<u32, String> {
    let digits = token
        .strip_prefix("AS")
        .or_else(|| token.strip_prefix("as"))
        .or_else(|| token.strip_prefix("As"))
        .unwrap_or(token);
    digits
        .parse::<u32>()
        .map_err(|_| format!("`{token}` is not an AS number"))
}

/// Ranges split by family.
#[derive(Debug, Default)]
pub(crate) struct SpanLists {
    pub v4: Vec<(u32, u32)>,
    pub v6: Vec<(u128, u128)>,
}

impl SpanLists {
    fn push(&mut self, span: Span) {
        match span {
            Span::V4(a, b) => self.v4.push((a, b)),
            Span::V6(a, b) => self.v6.push((a, b)),
        }
    }

    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }
}

/// An address list: one IP, CIDR or `start-end` range per line.
pub(crate) fn parse_range_list(reader: impl BufRead, name: &str) -> Result<SpanLists, IntelError> {
    let mut out = SpanLists::default();
    for_each_line(reader, name, |line, text| {
        let token = text.split_whitespace().next().unwrap_or(text);
        out.push(parse_span(token).map_err(|r| IntelError::parse(name, line, "address", r))?);
        Ok(())
    })?;
    Ok(out)
}

/// A Tor exit list: either plain addresses (one per line, as the Tor
/// Project's `torbulkexitlist`) or the `exit-addresses` format, whose
/// `ExitAddress <ip> <date>` lines are used and `ExitNode`, `Published`,
/// `LastStatus` lines skipped.
pub(crate) fn parse_tor_exits(reader: impl BufRead, name: &str) -> Result<SpanLists, IntelError> {
    let mut out = SpanLists::default();
    for_each_line(reader, name, |line, text| {
        let mut tokens = text.split_whitespace();
        let first = tokens.next().unwrap_or(text);
        let token = match first {
            "ExitAddress" => tokens
                .next()
                .ok_or_else(|| IntelError::parse(name, line, "ExitAddress", "missing address"))?,
            "ExitNode" | "Published" | "LastStatus" => return Ok(()),
            other => other,
        };
        out.push(parse_span(token).map_err(|r| IntelError::parse(name, line, "address", r))?);
        Ok(())
    })?;
    Ok(out)
}

/// Reads an ASN range CSV (`ip_range_start,ip_range_end,asn,organisation`,
/// no header or a header line that is skipped) and calls `f` per row.
/// Returns the number of rows.
pub(crate) fn parse_asn_csv(
    reader: impl Read,
    name: &str,
    mut f: impl FnMut(Span, u32, &str),
) -> Result<usize, IntelError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    let mut rows = 0usize;
    let mut line = 0usize;
    loop {
        let more = csv.read_record(&mut record).map_err(|e| {
            let at = e.position().map_or(line + 1, |p| p.line() as usize);
            IntelError::parse(name, at, "record", e.to_string())
        })?;
        if !more {
            return Ok(rows);
        }
        line = record.position().map_or(line + 1, |p| p.line() as usize);
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        if record.len() < 3 {
            return Err(IntelError::parse(
                name,
                line,
                "record",
                format!("expected 4 columns, found {}", record.len()),
            ));
        }
        let span = match span_between(field(0), field(1)) {
            Ok(span) => span,
            Err(_)
                if rows == 0
                    && field(2).parse::<u32>().is_err()
                    && field(0).parse::<IpAddr>().is_err() =>
            {
                continue; // a header line
            }
            Err(reason) => return Err(IntelError::parse(name, line, "ip_range_start", reason)),
        };
        let asn = parse_asn(field(2))
            .map_err(|r| IntelError::parse(name, line, "autonomous_system_number", r))?;
        f(span, asn, field(3));
        rows += 1;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        assert_eq!(
            parse_span("1.2.3.0/24").unwrap(),
            Span::V4(0x01020300, 0x010203ff)
        );
        assert_eq!(parse_span("1.2.3.7/0").unwrap(), Span::V4(0, u32::MAX));
        assert_eq!(
            parse_span("1.2.3.7").unwrap(),
            Span::V4(0x01020307, 0x01020307)
        );
        assert_eq!(
            parse_span("::ffff:1.2.3.7").unwrap(),
            Span::V4(0x01020307, 0x01020307)
        );
        assert_eq!(
            parse_span("2001:db8::/32").unwrap(),
            Span::V6(0x2001_0db8 << 96, (0x2001_0db8 << 96) | (u128::MAX >> 32))
        );
        assert_eq!(
            parse_span("1.0.0.1 - 1.0.0.9").unwrap(),
            Span::V4(0x01000001, 0x01000009)
        );
        assert!(parse_span("1.2.3.0/33").unwrap_err().contains("too long"));
        assert!(parse_span("1.0.0.9-1.0.0.1").unwrap_err().contains("after"));
        assert!(parse_span("1.0.0.9-::1").unwrap_err().contains("families"));
        assert!(parse_span("bogus").is_err());
    }

    #[test]
    fn asn_list_with_comments() {
        let text = "AS45090 # Tencent\n\n# only a comment\n3223\nas7\n";
        assert_eq!(
            parse_asn_list(text.as_bytes(), "t").unwrap(),
            vec![45090, 3223, 7]
        );
        let err = parse_asn_list("AS1\nASx\n".as_bytes(), "list.txt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "list.txt:2: field `asn`: `ASx` is not an AS number"
        );
    }

    #[test]
    fn tor_formats() {
        let text = "ExitNode 0011\nPublished 2024-01-01 00:00:00\nExitAddress 185.220.101.1 2024-01-01 01:00:00\n\
                    LastStatus 2024\n192.0.2.7\n2001:db8::1\n";
        let l = parse_tor_exits(text.as_bytes(), "t").unwrap();
        assert_eq!(
            l.v4,
            vec![(0xb9dc6501, 0xb9dc6501), (0xc0000207, 0xc0000207)]
        );
        assert_eq!(l.v6.len(), 1);
        assert!(parse_tor_exits("ExitAddress\n".as_bytes(), "t").is_err());
    }

    #[test]
    fn csv_rows_header_and_errors() {
        let text = "ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization\n\
                    1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n2001:db8::,2001:db8::ffff,64500,Test\n";
        let mut rows = Vec::new();
        let n = parse_asn_csv(text.as_bytes(), "t", |s, a, o| {
            rows.push((s, a, o.to_string()))
        })
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            rows[0],
            (
                Span::V4(0x01000000, 0x010000ff),
                13335,
                "Cloudflare, Inc.".into()
            )
        );
        let err = parse_asn_csv(
            "1.0.0.0,1.0.0.255,1,a\n1.0.0.0,1.0.0.x,2,b\n".as_bytes(),
            "a.csv",
            |_, _, _| {},
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a.csv:2: field `ip_range_start`"),
            "{err}"
        );
        let err = parse_asn_csv(
            "1.0.0.0,1.0.0.255,AS-x,a\n".as_bytes(),
            "a.csv",
            |_, _, _| {},
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("autonomous_system_number"),
            "{err}"
        );
        assert!(parse_asn_csv("1.0.0.0\n".as_bytes(), "a.csv", |_, _, _| {}).is_err());
    }
}
