//! Event blocks: the storage unit of the event log.
//!
//! Events are not stored one row each (a row and its index entries cost several
//! microseconds in SQLite) but in blocks of up to [`BLOCK_EVENTS`] events: one row
//! per block holding the events sorted in analysis order, zstd-compressed, with
//! its seq and time range and a Bloom filter of the subjects (persons, accounts)
//! it mentions. Upserts and other events without a time go to *untimed* blocks
//! (kept in ingest order); the rest to *timed* blocks sorted by (time, seq). A full
//! analysis-order scan reads the untimed blocks in seq order, then merges the timed
//! blocks by time (see `read.rs`).
//!
//! Payload of one block (before compression), one entry per event:
//!
//! ```text
//! varint  seq - first_seq
//! u8      time flags: 1 = ts_ns present, 2 = ts_offset present
//! [zigzag varint ts_ns - previous ts_ns in the block]   (previous starts at 0)
//! [zigzag varint ts_offset]
//! u8      string flags: 1 = person_id, 2 = account_id, 4 = id is 32 lowercase hex
//! [id]    varint length + UTF-8 when not hex (layout 0: 16 bytes when hex)
//! kind, [person_id], [account_id], raw: varint length + UTF-8 each
//! ```
//!
//! Layout 1 (written since session 7) follows the entries with the 16 bytes of
//! every hex id, in entry order, then a trailer: the number of those ids (u32,
//! little-endian) and the byte `0xFE`. Random id bytes between the lines cost
//! zstd a quarter of its time and an eighth more output; in a section of their
//! own they cost neither. Layout 0 (earlier blocks) has the 16 bytes inline and
//! no trailer: its last byte ends a UTF-8 raw line (or is a zero length), and
//! `0xFE` never occurs in UTF-8, so the last byte tells the layouts apart.

use crate::{StoreError, StoredEvent};

/// Events per block at most.
pub(crate) const BLOCK_EVENTS: usize = 4096;
/// Uncompressed payload per block at most (a block also ends at this size).
pub(crate) const BLOCK_BYTES: usize = 2 << 20;
/// A stored payload length beyond this is taken for corruption (not allocated).
const MAX_PAYLOAD: usize = 1 << 30;
/// zstd level: 1 compresses JSON lines about 8x at several hundred MB/s.
pub(crate) const ZSTD_LEVEL: i32 = 1;
/// The last byte of a layout-1 payload (never a byte of UTF-8 text).
const LAYOUT_1: u8 = 0xFE;
/// The layout-1 trailer: id count (u32 LE) and [`LAYOUT_1`].
const TRAILER: usize = 5;

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("event block: {what}"))
}

// ---- varints -------------------------------------------------------------

#[inline]
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[inline]
fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[inline]
fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// A reader over a byte slice that fails (never panics) on truncation.
pub(crate) struct Bytes<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    #[inline]
    fn byte(&mut self) -> Result<u8, StoreError> {
        let b = *self.buf.get(self.pos).ok_or_else(|| corrupt("truncated"))?;
        self.pos += 1;
        Ok(b)
    }

    #[inline]
    pub(crate) fn varint(&mut self) -> Result<u64, StoreError> {
        let mut v = 0u64;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            if shift > 63 {
                return Err(corrupt("varint too long"));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| corrupt("truncated"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    #[inline]
    fn str(&mut self) -> Result<&'a str, StoreError> {
        let n = usize::try_from(self.varint()?).map_err(|_| corrupt("length"))?;
        std::str::from_utf8(self.take(n)?).map_err(|_| corrupt("invalid UTF-8"))
    }
}

// ---- ids -----------------------------------------------------------------

pub(crate) use molehunt_model::hex16;

fn push_hex(dst: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        dst.push(HEX[usize::from(b >> 4)] as char);
        dst.push(HEX[usize::from(b & 15)] as char);
    }
}

// ---- subject Bloom filter ------------------------------------------------

/// FNV-1a 64 over a subject name with its kind prefix: a hash that never changes
/// between builds (it is stored).
pub(crate) fn subject_hash(person: bool, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in [if person { b'p' } else { b'a' }, b':']
        .iter()
        .chain(name.as_bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

const BLOOM_K: u8 = 6;

fn bloom_bits(h: u64, k: u8, nbits: u64) -> impl Iterator<Item = u64> {
    let h1 = h;
    let h2 = h.rotate_left(31) | 1;
    (0..u64::from(k)).map(move |i| h1.wrapping_add(i.wrapping_mul(h2)) % nbits)
}

/// Builds the Bloom filter (`[k][bits...]`, about 10 bits per subject) of a set of hashes.
pub(crate) fn bloom_build(hashes: impl ExactSizeIterator<Item = u64>) -> Vec<u8> {
    let nbytes = (hashes.len() * 10).div_ceil(8).max(8);
    let mut out = vec![0u8; nbytes + 1];
    out[0] = BLOOM_K;
    let nbits = (nbytes * 8) as u64;
    for h in hashes {
        for bit in bloom_bits(h, BLOOM_K, nbits) {
            out[1 + (bit / 8) as usize] |= 1 << (bit % 8);
        }
    }
    out
}

/// True when the filter may contain the hash (false: certainly not).
pub(crate) fn bloom_may_contain(filter: &[u8], h: u64) -> bool {
    let Some((&k, bits)) = filter.split_first() else {
        return true;
    };
    if bits.is_empty() {
        return true;
    }
    let nbits = (bits.len() * 8) as u64;
    bloom_bits(h, k, nbits).all(|bit| bits[(bit / 8) as usize] & (1 << (bit % 8)) != 0)
}

// ---- building ------------------------------------------------------------

/// One event to put in a block, by its stored columns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns<'a> {
    pub seq: i64,
    pub id: &'a str,
    /// `id` decoded, when it is 32 lowercase hex digits ([`hex16`]).
    pub id_hex: Option<[u8; 16]>,
    pub kind: &'a str,
    /// The analysis time: `None` puts the event in an untimed block.
    pub sort_ts: Option<i64>,
    pub ts_ns: Option<i64>,
    pub ts_offset: Option<i32>,
    pub person_id: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub raw: &'a str,
}

#[derive(Debug, Clone, Copy)]
struct Staged {
    sort_ts: i64,
    seq: i64,
    ts_ns: Option<i64>,
    ts_offset: Option<i32>,
    start: u32,
    end: u32,
    /// A hex id's bytes (they go to the id section).
    id: Option<[u8; 16]>,
}

/// A finished block, ready to be written as one row.
pub(crate) struct Built<'a> {
    pub first_seq: i64,
    pub last_seq: i64,
    pub min_ts: Option<i64>,
    pub max_ts: Option<i64>,
    pub count: usize,
    pub raw_len: usize,
    pub subjects: Vec<u8>,
    /// The zstd-compressed payload.
    pub data: &'a [u8],
}

/// Collects the events of one block (timed or untimed) until it is full.
pub(crate) struct BlockBuilder {
    timed: bool,
    staged: Vec<Staged>,
    /// The seq-independent tail of every entry (string flags, id, kind, ids, raw).
    arena: Vec<u8>,
    subjects: rustc_hash::FxHashSet<u64>,
    payload: Vec<u8>,
    compressed: Vec<u8>,
}

impl BlockBuilder {
    pub(crate) fn new(timed: bool) -> Self {
        BlockBuilder {
            timed,
            staged: Vec::with_capacity(BLOCK_EVENTS),
            arena: Vec::new(),
            subjects: Default::default(),
            payload: Vec::new(),
            compressed: Vec::new(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.staged.is_empty()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.staged.len() >= BLOCK_EVENTS || self.arena.len() >= BLOCK_BYTES
    }

    /// Adds an event (its `sort_ts` must match the kind of block).
    pub(crate) fn push(&mut self, c: &Columns<'_>) -> Result<(), StoreError> {
        debug_assert_eq!(c.sort_ts.is_some(), self.timed);
        let start = self.arena.len();
        let hex = c.id_hex;
        let flags = u8::from(c.person_id.is_some())
            | (u8::from(c.account_id.is_some()) << 1)
            | (u8::from(hex.is_some()) << 2);
        self.arena.push(flags);
        if hex.is_none() {
            put_str(&mut self.arena, c.id);
        }
        put_str(&mut self.arena, c.kind);
        if let Some(p) = c.person_id {
            put_str(&mut self.arena, p);
        }
        if let Some(a) = c.account_id {
            put_str(&mut self.arena, a);
        }
        put_str(&mut self.arena, c.raw);
        let too_big = || StoreError::Corrupt("an event block grew past 4 GiB".into());
        self.staged.push(Staged {
            sort_ts: c.sort_ts.unwrap_or(i64::MIN),
            seq: c.seq,
            ts_ns: c.ts_ns,
            ts_offset: c.ts_offset,
            start: u32::try_from(start).map_err(|_| too_big())?,
            end: u32::try_from(self.arena.len()).map_err(|_| too_big())?,
            id: hex,
        });
        match (c.person_id, c.account_id) {
            (Some(p), _) => self.subjects.insert(subject_hash(true, p)),
            (None, Some(a)) => self.subjects.insert(subject_hash(false, a)),
            (None, None) => false,
        };
        Ok(())
    }

    /// Sorts, encodes and compresses the collected events; the builder is then empty.
    pub(crate) fn build(
        &mut self,
        zstd: &mut zstd::bulk::Compressor<'static>,
    ) -> Result<Built<'_>, StoreError> {
        if self.timed {
            self.staged.sort_unstable_by_key(|s| (s.sort_ts, s.seq));
        } else {
            self.staged.sort_unstable_by_key(|s| s.seq);
        }
        let first_seq = self.staged.iter().map(|s| s.seq).min().unwrap_or(0);
        let last_seq = self.staged.iter().map(|s| s.seq).max().unwrap_or(0);
        self.payload.clear();
        let mut prev_ts = 0i64;
        for s in &self.staged {
            put_varint(&mut self.payload, (s.seq - first_seq) as u64);
            self.payload
                .push(u8::from(s.ts_ns.is_some()) | (u8::from(s.ts_offset.is_some()) << 1));
            if let Some(t) = s.ts_ns {
                put_varint(&mut self.payload, zigzag(t.wrapping_sub(prev_ts)));
                prev_ts = t;
            }
            if let Some(o) = s.ts_offset {
                put_varint(&mut self.payload, zigzag(i64::from(o)));
            }
            self.payload
                .extend_from_slice(&self.arena[s.start as usize..s.end as usize]);
        }
        let mut ids = 0u32;
        for id in self.staged.iter().filter_map(|s| s.id.as_ref()) {
            self.payload.extend_from_slice(id);
            ids += 1;
        }
        self.payload.extend_from_slice(&ids.to_le_bytes());
        self.payload.push(LAYOUT_1);
        let (min_ts, max_ts) = if self.timed {
            (
                self.staged.first().map(|s| s.sort_ts),
                self.staged.last().map(|s| s.sort_ts),
            )
        } else {
            (None, None)
        };
        let count = self.staged.len();
        let subjects = bloom_build(self.subjects.iter().copied());
        self.compressed.clear();
        self.compressed
            .reserve(zstd::zstd_safe::compress_bound(self.payload.len()));
        zstd.compress_to_buffer(&self.payload, &mut self.compressed)
            .map_err(|e| StoreError::Corrupt(format!("compressing an event block: {e}")))?;
        self.staged.clear();
        self.arena.clear();
        self.subjects.clear();
        Ok(Built {
            first_seq,
            last_seq,
            min_ts,
            max_ts,
            count,
            raw_len: self.payload.len(),
            subjects,
            data: &self.compressed,
        })
    }
}

// ---- reading -------------------------------------------------------------

/// Decompresses a stored block payload.
pub(crate) fn decompress(
    zstd: &mut zstd::bulk::Decompressor<'static>,
    data: &[u8],
    raw_len: i64,
    out: &mut Vec<u8>,
) -> Result<(), StoreError> {
    let cap = usize::try_from(raw_len)
        .ok()
        .filter(|&c| c <= MAX_PAYLOAD)
        .ok_or_else(|| corrupt("implausible length"))?;
    out.clear();
    out.reserve(cap);
    let n = zstd
        .decompress_to_buffer(data, out)
        .map_err(|e| corrupt(&format!("cannot decompress: {e}")))?;
    if n != cap {
        return Err(corrupt("length mismatch"));
    }
    Ok(())
}

/// A position in one decompressed block payload, walking its entries in stored
/// order. It does not borrow the payload (every call is given it), so it can
/// live beside the payload it reads.
#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    pos: usize,
    /// Where the entries end (layout 1: where the id section starts).
    end: usize,
    /// Layout 1: the next hex id in the section, and where the section ends.
    next_id: Option<(usize, usize)>,
    first_seq: i64,
    prev_ts: i64,
    /// The current entry's key, once read by [`Cursor::advance`].
    pub seq: i64,
    pub ts_ns: Option<i64>,
    ts_offset: Option<i32>,
}

impl Cursor {
    /// A cursor at the first entry of `payload` (whose layout it reads).
    pub(crate) fn new(first_seq: i64, payload: &[u8]) -> Result<Self, StoreError> {
        let (end, next_id) = match payload.split_last() {
            Some((&LAYOUT_1, rest)) => {
                let at = rest
                    .len()
                    .checked_sub(TRAILER - 1)
                    .ok_or_else(|| corrupt("trailer"))?;
                let mut n = [0u8; 4];
                n.copy_from_slice(&rest[at..]);
                let ids = usize::try_from(u32::from_le_bytes(n))
                    .ok()
                    .and_then(|n| n.checked_mul(16))
                    .ok_or_else(|| corrupt("id section"))?;
                let start = at.checked_sub(ids).ok_or_else(|| corrupt("id section"))?;
                (start, Some((start, at)))
            }
            _ => (payload.len(), None),
        };
        Ok(Cursor {
            pos: 0,
            end,
            next_id,
            first_seq,
            prev_ts: 0,
            seq: 0,
            ts_ns: None,
            ts_offset: None,
        })
    }

    /// Reads the next entry's seq and time; false at the end. [`Cursor::fill`]
    /// must follow before the next call.
    pub(crate) fn advance(&mut self, payload: &[u8]) -> Result<bool, StoreError> {
        let mut b = Bytes {
            buf: payload
                .get(..self.end)
                .ok_or_else(|| corrupt("truncated"))?,
            pos: self.pos,
        };
        if b.is_empty() {
            // every id of the section belongs to an entry
            return match self.next_id {
                Some((at, end)) if at != end => Err(corrupt("id section length")),
                _ => Ok(false),
            };
        }
        let delta = i64::try_from(b.varint()?).map_err(|_| corrupt("seq"))?;
        self.seq = self
            .first_seq
            .checked_add(delta)
            .ok_or_else(|| corrupt("seq"))?;
        let tflags = b.byte()?;
        self.ts_ns = if tflags & 1 != 0 {
            let t = self.prev_ts.wrapping_add(unzigzag(b.varint()?));
            self.prev_ts = t;
            Some(t)
        } else {
            None
        };
        self.ts_offset = if tflags & 2 != 0 {
            let o = unzigzag(b.varint()?);
            Some(i32::try_from(o).map_err(|_| corrupt("offset"))?)
        } else {
            None
        };
        self.pos = b.pos;
        Ok(true)
    }

    /// Decodes the rest of the current entry into `ev` (reusing its buffers).
    pub(crate) fn fill(&mut self, payload: &[u8], ev: &mut StoredEvent) -> Result<(), StoreError> {
        let mut b = Bytes {
            buf: payload
                .get(..self.end)
                .ok_or_else(|| corrupt("truncated"))?,
            pos: self.pos,
        };
        let flags = b.byte()?;
        ev.seq = self.seq;
        ev.ts_ns = self.ts_ns;
        ev.ts_offset = self.ts_offset;
        ev.id.clear();
        if flags & 4 != 0 {
            match &mut self.next_id {
                Some((at, end)) => {
                    let id = payload
                        .get(*at..*at + 16)
                        .filter(|_| *at + 16 <= *end)
                        .ok_or_else(|| corrupt("id section"))?;
                    push_hex(&mut ev.id, id);
                    *at += 16;
                }
                None => push_hex(&mut ev.id, b.take(16)?),
            }
        } else {
            ev.id.push_str(b.str()?);
        }
        set(&mut ev.kind, b.str()?);
        let person = if flags & 1 != 0 { Some(b.str()?) } else { None };
        let account = if flags & 2 != 0 { Some(b.str()?) } else { None };
        set_opt(&mut ev.person_id, person);
        set_opt(&mut ev.account_id, account);
        set(&mut ev.raw, b.str()?);
        self.pos = b.pos;
        Ok(())
    }
}

/// Decodes every event of a payload (for lookups that keep them).
pub(crate) fn decode_all(payload: &[u8], first_seq: i64) -> Result<Vec<StoredEvent>, StoreError> {
    let mut c = Cursor::new(first_seq, payload)?;
    let mut out = Vec::new();
    while c.advance(payload)? {
        let mut ev = empty_event();
        c.fill(payload, &mut ev)?;
        out.push(ev);
    }
    Ok(out)
}

fn set(dst: &mut String, src: &str) {
    dst.clear();
    dst.push_str(src);
}

fn set_opt(dst: &mut Option<String>, src: Option<&str>) {
    match (dst.as_mut(), src) {
        (Some(d), Some(s)) => set(d, s),
        (_, s) => *dst = s.map(str::to_string),
    }
}

/// An empty event buffer to decode into.
pub(crate) fn empty_event() -> StoredEvent {
    StoredEvent {
        seq: 0,
        id: String::new(),
        kind: String::new(),
        ts_ns: None,
        ts_offset: None,
        person_id: None,
        account_id: None,
        raw: String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn cols<'a>(seq: i64, id: &'a str, ts: Option<i64>, raw: &'a str) -> Columns<'a> {
        Columns {
            seq,
            id,
            id_hex: hex16(id),
            kind: "login",
            sort_ts: ts,
            ts_ns: ts,
            ts_offset: ts.map(|_| -3600),
            person_id: None,
            account_id: Some("a1"),
            raw,
        }
    }

    fn decode(b: &Built<'_>) -> Vec<StoredEvent> {
        let mut z = zstd::bulk::Decompressor::new().unwrap();
        let mut payload = Vec::new();
        decompress(&mut z, b.data, b.raw_len as i64, &mut payload).unwrap();
        decode_all(&payload, b.first_seq).unwrap()
    }

    #[test]
    fn timed_block_round_trips_sorted_by_time_then_seq() {
        let mut z = zstd::bulk::Compressor::new(ZSTD_LEVEL).unwrap();
        let mut b = BlockBuilder::new(true);
        let hex = "0123456789abcdef0123456789abcdef";
        b.push(&cols(10, "x", Some(5_000), "{\"a\":1}")).unwrap();
        b.push(&cols(11, hex, Some(-7), "{}")).unwrap();
        b.push(&cols(12, "Ünïcode id", Some(5_000), "{\"é\":2}"))
            .unwrap();
        let built = b.build(&mut z).unwrap();
        assert_eq!((built.first_seq, built.last_seq), (10, 12));
        assert_eq!((built.min_ts, built.max_ts), (Some(-7), Some(5_000)));
        let evs = decode(&built);
        let got: Vec<(i64, &str, Option<i64>)> = evs
            .iter()
            .map(|e| (e.seq, e.id.as_str(), e.ts_ns))
            .collect();
        assert_eq!(
            got,
            vec![
                (11, hex, Some(-7)),
                (10, "x", Some(5_000)),
                (12, "Ünïcode id", Some(5_000))
            ]
        );
        assert_eq!(evs[2].raw, "{\"é\":2}");
        assert_eq!(evs[0].ts_offset, Some(-3600));
        assert_eq!(evs[0].account_id.as_deref(), Some("a1"));
        assert!(b.is_empty());
    }

    /// A payload in layout 0 (blocks stored before session 7): hex ids inline,
    /// no trailer. Entries: seq delta, time, id, raw (account `a1`, kind `login`).
    fn layout0(entries: &[(u64, Option<i64>, &str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut prev = 0i64;
        for &(delta, ts, id, raw) in entries {
            put_varint(&mut out, delta);
            out.push(u8::from(ts.is_some()));
            if let Some(t) = ts {
                put_varint(&mut out, zigzag(t - prev));
                prev = t;
            }
            let hex = hex16(id);
            out.push(2 | (u8::from(hex.is_some()) << 2));
            match hex {
                Some(h) => out.extend_from_slice(&h),
                None => put_str(&mut out, id),
            }
            put_str(&mut out, "login");
            put_str(&mut out, "a1");
            put_str(&mut out, raw);
        }
        out
    }

    #[test]
    fn blocks_of_layout_0_still_decode() {
        let hex = "00ff00ff00ff00ff00ff00ff00ff00fe";
        let payload = layout0(&[
            (1, Some(10), hex, "{\"x\":1}"),
            (0, Some(12), "text-id", "{}"),
            (2, Some(12), hex, ""),
        ]);
        let evs = decode_all(&payload, 100).unwrap();
        let got: Vec<_> = evs
            .iter()
            .map(|e| (e.seq, e.ts_ns, e.id.as_str(), e.raw.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (101, Some(10), hex, "{\"x\":1}"),
                (100, Some(12), "text-id", "{}"),
                (102, Some(12), hex, ""),
            ]
        );
        assert_eq!(evs[0].account_id.as_deref(), Some("a1"));
    }

    #[test]
    fn hex_ids_go_to_a_section_that_must_match_the_entries() {
        let mut z = zstd::bulk::Compressor::new(ZSTD_LEVEL).unwrap();
        let mut b = BlockBuilder::new(false);
        let (h1, h2) = (
            "0123456789abcdef0123456789abcdef",
            "fedcba9876543210fedcba9876543210",
        );
        b.push(&cols(1, h1, None, "{\"n\":1}")).unwrap();
        b.push(&cols(2, "plain", None, "{}")).unwrap();
        b.push(&cols(3, h2, None, "{\"n\":3}")).unwrap();
        let built = b.build(&mut z).unwrap();
        let mut zd = zstd::bulk::Decompressor::new().unwrap();
        let mut payload = Vec::new();
        decompress(&mut zd, built.data, built.raw_len as i64, &mut payload).unwrap();
        // the section: both ids in entry order, then the count and the marker
        let n = payload.len();
        assert_eq!(&payload[n - 5..], &[2, 0, 0, 0, LAYOUT_1]);
        assert_eq!(payload[n - 37..n - 21], hex16(h1).unwrap());
        assert_eq!(payload[n - 21..n - 5], hex16(h2).unwrap());
        let ids: Vec<String> = decode_all(&payload, 1)
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, [h1, "plain", h2]);
        // a count that does not match the entries is an error
        for count in [1u8, 3, 200] {
            let mut bad = payload.clone();
            bad[n - 5] = count;
            assert!(decode_all(&bad, 1).is_err(), "count {count}");
        }
    }

    #[test]
    fn uppercase_hex_ids_are_kept_as_text() {
        assert!(hex16("0123456789ABCDEF0123456789abcdef").is_none());
        assert!(hex16("0123456789abcdef").is_none());
    }

    #[test]
    fn bloom_finds_members() {
        let hs: Vec<u64> = (0..500)
            .map(|i| subject_hash(i % 2 == 0, &format!("s{i}")))
            .collect();
        let f = bloom_build(hs.iter().copied());
        assert!(hs.iter().all(|&h| bloom_may_contain(&f, h)));
        let fp = (0..10_000)
            .filter(|i| bloom_may_contain(&f, subject_hash(true, &format!("other{i}"))))
            .count();
        assert!(fp < 500, "false positive rate too high: {fp}/10000");
    }

    #[test]
    fn truncated_payloads_are_errors_not_panics() {
        let mut z = zstd::bulk::Compressor::new(ZSTD_LEVEL).unwrap();
        let mut b = BlockBuilder::new(false);
        b.push(&cols(1, "id-1", None, "{\"type\":\"person\"}"))
            .unwrap();
        let built = b.build(&mut z).unwrap();
        let mut zd = zstd::bulk::Decompressor::new().unwrap();
        let mut payload = Vec::new();
        decompress(&mut zd, built.data, built.raw_len as i64, &mut payload).unwrap();
        let whole = decode_all(&payload, 1).unwrap();
        for cut in 0..payload.len() {
            let r = decode_all(&payload[..cut], 1);
            if cut == payload.len() - TRAILER {
                // without its trailer (and with no hex id) the payload reads as
                // layout 0, with the same events: the stored length catches
                // such a cut (`decompress`, below)
                assert_eq!(r.unwrap(), whole);
            } else if cut > 0 {
                assert!(r.is_err(), "cut at {cut}");
            }
        }
        assert!(
            decompress(
                &mut zd,
                &built.data[..built.data.len() / 2],
                5,
                &mut payload
            )
            .is_err()
        );
    }

    proptest::proptest! {
        /// A damaged block (a corrupt or hand-edited database) gives errors, never a panic.
        #[test]
        fn random_payloads_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400), first in proptest::num::i64::ANY) {
            let _ = decode_all(&bytes, first);
            let _ = bloom_may_contain(&bytes, 42);
            let mut z = zstd::bulk::Decompressor::new().unwrap();
            let mut out = Vec::new();
            let _ = decompress(&mut z, &bytes, bytes.len() as i64 * 4, &mut out);
        }

        /// Any events round-trip through a block, in analysis order.
        #[test]
        fn blocks_round_trip(evs in proptest::collection::vec(
            (proptest::option::of(-5i64..5), "[a-z0-9é]{0,12}|[0-9a-f]{32}", proptest::option::of("[a-z]{1,4}"), "[ -~]{0,40}"),
            1..60,
        )) {
            let mut z = zstd::bulk::Compressor::new(ZSTD_LEVEL).unwrap();
            for timed in [true, false] {
                let mut b = BlockBuilder::new(timed);
                let mut expected = Vec::new();
                for (i, (ts, id, person, raw)) in evs.iter().enumerate() {
                    let sort_ts = if timed { Some(ts.unwrap_or(0)) } else { None };
                    let seq = 100 + i as i64;
                    b.push(&Columns {
                        seq,
                        id,
                        id_hex: hex16(id),
                        kind: "k",
                        sort_ts,
                        ts_ns: sort_ts.or(*ts),
                        ts_offset: None,
                        person_id: person.as_deref(),
                        account_id: None,
                        raw,
                    }).unwrap();
                    expected.push((sort_ts.unwrap_or(0), seq, id.clone(), person.clone(), raw.clone()));
                }
                expected.sort_by_key(|e| (e.0, e.1));
                let built = b.build(&mut z).unwrap();
                let got: Vec<_> = decode(&built)
                    .into_iter()
                    .map(|e| (e.ts_ns.filter(|_| timed).unwrap_or(0), e.seq, e.id, e.person_id, e.raw))
                    .collect();
                proptest::prop_assert_eq!(got, expected);
            }
        }
    }
}
