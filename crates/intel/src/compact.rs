//! The compact bundled form of the IPv4 tables.
//!
//! A gzip stream of: the magic `MHIP4\x01`, then sections of LEB128 varints,
//! each column stored separately so that gzip finds the repetition:
//!
//! 1. organisations: count, then per name its byte length and UTF-8 bytes;
//! 2. AS entries: count, then the AS numbers, then their organisation indexes;
//! 3. ASN ranges: count, then the gaps (`start - previous end - 1`, the first
//!    start as is), then the lengths (`end - start`), then the entry indexes;
//! 4. countries: count and two ASCII letters each, then the country ranges
//!    as in 3 with country indexes;
//! 5. hosting ASNs, then VPN ASNs: count and ascending deltas;
//! 6. VPN ranges: count, gaps, lengths.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use rustc_hash::FxHashMap;

use crate::ip::{AsnEntry, Cc, country_code};
use crate::ranges::{RangeSet, RangeTable};
use crate::{IntelError, IpIntel};

const MAGIC: &[u8] = b"MHIP4\x01";
/// Refuse absurd decompressed sizes (a gzip bomb or a corrupt file).
const MAX_DECODED: u64 = 256 << 20;

struct Out(Vec<u8>);

impl Out {
    fn var(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn ranges<V: PartialEq>(
        &mut self,
        table: &RangeTable<u32, V>,
        mut value: impl FnMut(&V) -> u64,
    ) {
        self.var(table.len() as u64);
        let mut next = 0u64;
        for (s, e, _) in table.iter() {
            self.var(u64::from(s) - next);
            next = u64::from(e) + 1;
        }
        for (s, e, _) in table.iter() {
            self.var(u64::from(e - s));
        }
        for (_, _, v) in table.iter() {
            self.var(value(v));
        }
    }

    fn asn_set(&mut self, set: &rustc_hash::FxHashSet<u32>) {
        let mut list: Vec<u32> = set.iter().copied().collect();
        list.sort_unstable();
        self.var(list.len() as u64);
        let mut prev = 0u32;
        for a in list {
            self.var(u64::from(a - prev));
            prev = a;
        }
    }
}

pub(crate) fn encode(intel: &IpIntel) -> Vec<u8> {
    // Keep only the organisations and entries the IPv4 table uses.
    let mut entry_map: FxHashMap<u32, u32> = FxHashMap::default();
    let mut org_map: FxHashMap<u32, u32> = FxHashMap::default();
    let mut entries: Vec<AsnEntry> = Vec::new();
    let mut orgs: Vec<&str> = Vec::new();
    for (_, _, &idx) in intel.asn_v4.iter() {
        if entry_map.contains_key(&idx) {
            continue;
        }
        let Some(e) = intel.asns.get(idx as usize) else {
            continue;
        };
        let org = *org_map.entry(e.org).or_insert_with(|| {
            orgs.push(intel.orgs.get(e.org as usize).map_or("", |s| &**s));
            (orgs.len() - 1) as u32
        });
        entries.push(AsnEntry { asn: e.asn, org });
        entry_map.insert(idx, (entries.len() - 1) as u32);
    }
    let mut out = Out(MAGIC.to_vec());
    out.var(orgs.len() as u64);
    for o in &orgs {
        out.var(o.len() as u64);
        out.0.extend_from_slice(o.as_bytes());
    }
    out.var(entries.len() as u64);
    entries.iter().for_each(|e| out.var(u64::from(e.asn)));
    entries.iter().for_each(|e| out.var(u64::from(e.org)));
    out.ranges(&intel.asn_v4, |i| {
        u64::from(entry_map.get(i).copied().unwrap_or(0))
    });

    let mut codes: Vec<Cc> = intel.country_v4.iter().map(|(_, _, c)| *c).collect();
    codes.sort_unstable();
    codes.dedup();
    out.var(codes.len() as u64);
    codes.iter().for_each(|c| out.0.extend_from_slice(c));
    out.ranges(&intel.country_v4, |c| {
        codes.binary_search(c).unwrap_or(0) as u64
    });

    out.asn_set(&intel.hosting_asns);
    out.asn_set(&intel.vpn_asns);
    out.ranges(&intel.vpn_v4, |_| 0);

    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = gz.write_all(&out.0);
    gz.finish().unwrap_or_default()
}

struct In<'a> {
    data: &'a [u8],
    pos: usize,
    name: &'a str,
}

impl<'a> In<'a> {
    fn err(&self, what: &str) -> IntelError {
        IntelError::compact(self.name, format!("{what} at byte {}", self.pos))
    }

    fn var(&mut self) -> Result<u64, IntelError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self
                .data
                .get(self.pos)
                .ok_or_else(|| self.err("truncated"))?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.err("varint too long"))
    }

    fn u32(&mut self) -> Result<u32, IntelError> {
        let v = self.var()?;
        u32::try_from(v).map_err(|_| self.err("value out of range"))
    }

    /// A count of items each taking at least `min_bytes` bytes.
    fn count(&mut self, min_bytes: u64) -> Result<usize, IntelError> {
        let n = self.var()?;
        let left = (self.data.len() - self.pos) as u64;
        if n.saturating_mul(min_bytes) > left {
            return Err(self.err("count larger than the data"));
        }
        Ok(n as usize)
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], IntelError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let end = end.ok_or_else(|| self.err("truncated"))?;
        let b = &self.data[self.pos..end];
        self.pos = end;
        Ok(b)
    }

    fn spans(&mut self) -> Result<Vec<(u32, u32)>, IntelError> {
        let n = self.count(2)?;
        let mut gaps = Vec::with_capacity(n);
        for _ in 0..n {
            gaps.push(self.var()?);
        }
        let mut out = Vec::with_capacity(n);
        let mut next = 0u64;
        for gap in gaps {
            let len = self.var()?;
            let end = next
                .checked_add(gap)
                .and_then(|s| s.checked_add(len).map(|e| (s, e)))
                .filter(|&(_, e)| e <= u64::from(u32::MAX));
            let (s, e) = end.ok_or_else(|| self.err("range beyond the IPv4 space"))?;
            out.push((s as u32, e as u32));
            next = e + 1;
        }
        Ok(out)
    }

    fn asn_set(&mut self) -> Result<rustc_hash::FxHashSet<u32>, IntelError> {
        let n = self.count(1)?;
        let mut prev = 0u32;
        let mut set = rustc_hash::FxHashSet::default();
        for _ in 0..n {
            prev = prev
                .checked_add(self.u32()?)
                .ok_or_else(|| self.err("ASN overflow"))?;
            set.insert(prev);
        }
        Ok(set)
    }
}

pub(crate) fn decode(gz: &[u8], name: &str) -> Result<IpIntel, IntelError> {
    let mut data = Vec::new();
    GzDecoder::new(gz)
        .take(MAX_DECODED)
        .read_to_end(&mut data)
        .map_err(|e| IntelError::compact(name, format!("gzip: {e}")))?;
    let Some(body) = data.strip_prefix(MAGIC) else {
        return Err(IntelError::compact(name, "not molehunt compact ipv4 data"));
    };
    let mut r = In {
        data: body,
        pos: 0,
        name,
    };
    let mut intel = IpIntel::empty();

    let n_orgs = r.count(1)?;
    for _ in 0..n_orgs {
        let len = r.count(1)?;
        let bytes = r.bytes(len)?;
        let s = std::str::from_utf8(bytes).map_err(|_| r.err("organisation not UTF-8"))?;
        intel.orgs.push(s.into());
    }
    let n_entries = r.count(2)?;
    let mut asns = Vec::with_capacity(n_entries);
    for _ in 0..n_entries {
        asns.push(r.u32()?);
    }
    for asn in asns {
        let org = r.u32()?;
        if org as usize >= intel.orgs.len() {
            return Err(r.err("organisation index out of range"));
        }
        let e = AsnEntry { asn, org };
        intel.asns.push(e);
    }
    let spans = r.spans()?;
    let mut rows = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        let idx = r.u32()?;
        if idx as usize >= intel.asns.len() {
            return Err(r.err("AS entry index out of range"));
        }
        rows.push((s, e, idx));
    }
    intel.asn_v4 = RangeTable::from_ranges(rows);

    let n_codes = r.count(2)?;
    let mut codes = Vec::with_capacity(n_codes);
    for _ in 0..n_codes {
        let b = r.bytes(2)?;
        let text = std::str::from_utf8(b).map_err(|_| r.err("bad country code"))?;
        codes.push(country_code(text).ok_or_else(|| r.err("bad country code"))?);
    }
    let spans = r.spans()?;
    let mut rows = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        let i = r.var()? as usize;
        let cc = *codes
            .get(i)
            .ok_or_else(|| r.err("country index out of range"))?;
        rows.push((s, e, cc));
    }
    intel.country_v4 = RangeTable::from_ranges(rows);

    intel.hosting_asns = r.asn_set()?;
    intel.vpn_asns = r.asn_set()?;
    let spans = r.spans()?;
    for _ in 0..spans.len() {
        r.var()?;
    }
    intel.vpn_v4 = RangeSet::from_set(spans);
    if r.pos != body.len() {
        return Err(r.err("trailing data"));
    }
    Ok(intel)
}
