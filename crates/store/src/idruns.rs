//! The identity index: every stored event's identity (128 bits, see
//! [`crate::write::id_key`]) with its block, kept as sorted runs of keys in
//! pages of [`PAGE_KEYS`], log-structured.
//!
//! An ingest writes the identities it added as one new run (a bigger source,
//! one per 2^20): the keys are sorted in memory and written as packed pages,
//! about a twentieth of the CPU of inserting them one by one into a SQLite
//! B-tree (measured for 1M keys: 0.04-0.06 s against 0.5-0.9 s; the WAL bytes
//! are the same). Runs are merged so that each is at least twice the size of
//! the next newer one: there are at most about log2(events / smallest run)
//! of them, and a key is rewritten O(log n) times over the store's life.
//!
//! Looking a key up asks each run, newest first, but only those whose Bloom
//! filter (10 bits per key, about 1% false positives) may hold it; the run's
//! fences (the first key of each page) tell which page, which is read by its
//! row number (a run's pages are numbered consecutively) and searched in place. Filters and fences are held in memory
//! while ingesting: 1.25 + 0.125 bytes per stored event.
//!
//! Everything is written inside the ingest's transaction, so a run and its
//! events commit together or not at all.

use rusqlite::{Connection, OptionalExtension, params};

use crate::StoreError;

/// An identity: the id's 128 bits as two integers.
pub(crate) type Key = (i64, i64);

/// Keys per page: 3 KiB, small enough to stay inside one 16 KiB B-tree page
/// (a bigger payload spills to overflow pages and wastes most of them).
pub(crate) const PAGE_KEYS: usize = 128;
/// Bytes per entry: h1, h2, block, little-endian.
const ENTRY: usize = 24;
/// Bloom filter bits per key and probes.
const BLOOM_BITS_PER_KEY: usize = 10;
const BLOOM_K: u32 = 7;
/// Keys from which [`Runs::add_unsorted`] uses a second thread.
const PARALLEL_KEYS: usize = 1 << 16;

/// The tables (also created by the migrations).
pub(crate) const DDL: &str = r#"
CREATE TABLE IF NOT EXISTS id_runs (
    run        INTEGER PRIMARY KEY,
    keys       INTEGER NOT NULL,
    first_page INTEGER NOT NULL,
    fences     BLOB NOT NULL,
    bloom      BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS id_pages (
    page INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);
"#;

const PAGE: &str = "SELECT data FROM id_pages WHERE page = ?1";

fn mix(mut x: u64) -> u64 {
    // splitmix64's finaliser: explicit ids need not be random bits
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A Bloom filter over keys. Not the blocks' subject filter (`block.rs`): that one's
/// format and modulo indexing are fixed by the blocks already stored, and a division per
/// probe is measurable over millions of keys on the ingest's tail; this one indexes
/// 64-bit words by multiply-shift.
pub(crate) struct Bloom {
    words: Vec<u64>,
}

impl Bloom {
    fn with_keys(n: usize) -> Bloom {
        let bits = (n * BLOOM_BITS_PER_KEY).max(64);
        Bloom {
            words: vec![0; bits.div_ceil(64)],
        }
    }

    fn probes(&self, key: Key) -> impl Iterator<Item = usize> + use<> {
        let nbits = (self.words.len() * 64) as u64;
        let a = mix(key.0 as u64 ^ mix(key.1 as u64));
        let b = mix(a ^ 0x9e37_79b9_7f4a_7c15) | 1;
        (0..u64::from(BLOOM_K)).map(move |i| {
            let h = a.wrapping_add(i.wrapping_mul(b));
            ((u128::from(h) * u128::from(nbits)) >> 64) as usize
        })
    }

    fn insert(&mut self, key: Key) {
        for bit in self.probes(key) {
            if let Some(w) = self.words.get_mut(bit / 64) {
                *w |= 1 << (bit % 64);
            }
        }
    }

    /// Adds the keys of `other`, a filter of the same size.
    fn join(&mut self, other: &Bloom) {
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w |= o;
        }
    }

    fn may_hold(&self, key: Key) -> bool {
        self.probes(key).all(|bit| {
            self.words
                .get(bit / 64)
                .is_some_and(|w| w & (1 << (bit % 64)) != 0)
        })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.words.len() * 8);
        for w in &self.words {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    fn from_bytes(bytes: &[u8]) -> Result<Bloom, StoreError> {
        if bytes.is_empty() || !bytes.len().is_multiple_of(8) {
            return Err(StoreError::Corrupt(format!(
                "identity run filter of {} bytes",
                bytes.len()
            )));
        }
        let words = bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect();
        Ok(Bloom { words })
    }
}

fn entry(page: &[u8], i: usize) -> Option<(Key, i64)> {
    let e = page.get(i * ENTRY..(i + 1) * ENTRY)?;
    let int = |r: std::ops::Range<usize>| {
        let mut b = [0u8; 8];
        b.copy_from_slice(e.get(r)?);
        Some(i64::from_le_bytes(b))
    };
    Some(((int(0..8)?, int(8..16)?), int(16..24)?))
}

/// The block of `key` in one page, by binary search.
fn search(page: &[u8], key: Key) -> Result<Option<i64>, StoreError> {
    if !page.len().is_multiple_of(ENTRY) {
        return Err(StoreError::Corrupt(format!(
            "identity page of {} bytes",
            page.len()
        )));
    }
    let (mut lo, mut hi) = (0, page.len() / ENTRY);
    while lo < hi {
        let mid = (lo + hi) / 2;
        let Some((k, block)) = entry(page, mid) else {
            break;
        };
        match k.cmp(&key) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Ok(Some(block)),
        }
    }
    Ok(None)
}

pub(crate) struct Run {
    run: i64,
    keys: u64,
    /// The row number of the run's first page; page `i` is `first_page + i`.
    first_page: i64,
    /// `None` when loaded without filters (every run is then asked).
    bloom: Option<Bloom>,
    /// The first key of each page, in order.
    fences: Vec<Key>,
}

fn fences_to_bytes(fences: &[Key]) -> Vec<u8> {
    let mut out = Vec::with_capacity(fences.len() * 16);
    for k in fences {
        out.extend_from_slice(&k.0.to_le_bytes());
        out.extend_from_slice(&k.1.to_le_bytes());
    }
    out
}

fn fences_from_bytes(bytes: &[u8]) -> Result<Vec<Key>, StoreError> {
    if !bytes.len().is_multiple_of(16) {
        return Err(StoreError::Corrupt(format!(
            "identity run fences of {} bytes",
            bytes.len()
        )));
    }
    let int = |c: &[u8]| i64::from_le_bytes(c.try_into().unwrap_or_default());
    Ok(bytes
        .chunks_exact(16)
        .map(|c| (int(&c[..8]), int(&c[8..])))
        .collect())
}

/// The runs of a store, newest first, with their filters.
pub(crate) struct Runs {
    runs: Vec<Run>,
}

impl Runs {
    /// Reads every run's fences and filter (for an ingest, which looks up every
    /// new identity).
    pub(crate) fn load(conn: &Connection) -> Result<Runs, StoreError> {
        Runs::load_with(conn, true)
    }

    /// Reads every run's fences only, not the filters (1.25 bytes per stored
    /// event): for a few lookups, which then read one page in every run.
    pub(crate) fn load_fences(conn: &Connection) -> Result<Runs, StoreError> {
        Runs::load_with(conn, false)
    }

    fn load_with(conn: &Connection, filters: bool) -> Result<Runs, StoreError> {
        // the filter is the row's last column: reading the fences does not walk its pages
        let sql = if filters {
            "SELECT run, keys, first_page, fences, bloom FROM id_runs ORDER BY run DESC"
        } else {
            "SELECT run, keys, first_page, fences FROM id_runs ORDER BY run DESC"
        };
        let mut st = conn.prepare(sql)?;
        let mut rows = st.query([])?;
        let mut runs = Vec::new();
        while let Some(row) = rows.next()? {
            runs.push(Run {
                run: row.get(0)?,
                keys: row.get::<_, i64>(1)? as u64,
                first_page: row.get(2)?,
                fences: fences_from_bytes(row.get_ref(3)?.as_blob()?)?,
                bloom: match filters {
                    true => Some(Bloom::from_bytes(row.get_ref(4)?.as_blob()?)?),
                    false => None,
                },
            });
        }
        Ok(Runs { runs })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The block of the event with this identity, if one is stored.
    pub(crate) fn find(&self, conn: &Connection, key: Key) -> Result<Option<i64>, StoreError> {
        let mut st = None;
        for run in &self.runs {
            if run.bloom.as_ref().is_some_and(|b| !b.may_hold(key)) {
                continue;
            }
            // the last page whose first key is not above `key`
            let Some(i) = run.fences.partition_point(|f| *f <= key).checked_sub(1) else {
                continue;
            };
            let st = match &mut st {
                Some(st) => st,
                None => st.insert(conn.prepare_cached(PAGE)?),
            };
            let mut rows = st.query([run.first_page + i as i64])?;
            let Some(row) = rows.next()? else {
                return Err(StoreError::Corrupt(format!(
                    "identity run {} lacks a page its fences name",
                    run.run
                )));
            };
            if let Some(block) = search(row.get_ref(0)?.as_blob()?, key)? {
                return Ok(Some(block));
            }
        }
        Ok(None)
    }

    /// Writes keys (sorted, distinct, none stored yet) as a new run, then merges
    /// runs as needed.
    pub(crate) fn add(
        &mut self,
        conn: &Connection,
        sorted: &[(Key, i64)],
    ) -> Result<(), StoreError> {
        if sorted.is_empty() {
            return Ok(());
        }
        debug_assert!(sorted.windows(2).all(|w| w[0].0 < w[1].0));
        let run = write_run(conn, sorted.len(), sorted.iter().map(|&e| Ok(e)), None)?;
        self.runs.insert(0, run);
        self.merge(conn)
    }

    /// [`Runs::add`] for distinct keys in any order, which it sorts. A large set
    /// is sorted and filtered on two threads (this runs on an ingest's commit,
    /// when the analysis thread is done or nearly): each half is sorted on one
    /// thread while the other half's keys go into a filter on the other, then
    /// the other way round, and the two filters are joined.
    pub(crate) fn add_unsorted(
        &mut self,
        conn: &Connection,
        entries: &mut [(Key, i64)],
    ) -> Result<(), StoreError> {
        let n = entries.len();
        let repeated = |half: &[(Key, i64)]| half.windows(2).any(|w| w[0].0 == w[1].0);
        if n < PARALLEL_KEYS {
            entries.sort_unstable_by_key(|e| e.0);
            if repeated(entries) {
                return Err(StoreError::RepeatedIdentity);
            }
            return self.add(conn, entries);
        }
        let (a, b) = entries.split_at_mut(n / 2);
        let fill = |bloom: &mut Bloom, half: &[(Key, i64)]| {
            for e in half {
                bloom.insert(e.0);
            }
        };
        let (mut bloom, other) = std::thread::scope(|s| {
            let helper = s.spawn(|| {
                let mut bloom = Bloom::with_keys(n);
                fill(&mut bloom, b);
                b.sort_unstable_by_key(|e| e.0);
                bloom
            });
            a.sort_unstable_by_key(|e| e.0);
            let mut bloom = Bloom::with_keys(n);
            fill(&mut bloom, a);
            (bloom, helper.join())
        });
        let other =
            other.map_err(|_| StoreError::Corrupt("the key sorting thread panicked".into()))?;
        if repeated(a) || repeated(b) {
            return Err(StoreError::RepeatedIdentity);
        }
        bloom.join(&other);
        let (a, b) = (&*a, &*b);
        let (mut i, mut j) = (0, 0);
        let merged = std::iter::from_fn(|| {
            let from_a = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x.0 == y.0 => return Some(Err(StoreError::RepeatedIdentity)),
                (Some(x), Some(y)) => x.0 < y.0,
                (x, _) => x.is_some(),
            };
            let next = if from_a {
                i += 1;
                a.get(i - 1)
            } else {
                j += 1;
                b.get(j - 1)
            };
            next.map(|&e| Ok(e))
        });
        let run = write_run(conn, n, merged, Some(bloom))?;
        self.runs.insert(0, run);
        self.merge(conn)
    }

    /// Merges the two newest runs while the newer is at least half the size
    /// of the older.
    fn merge(&mut self, conn: &Connection) -> Result<(), StoreError> {
        while let [newer, older, ..] = self.runs.as_slice()
            && newer.keys.saturating_mul(2) >= older.keys
        {
            let (a, b) = (newer.run, older.run);
            let total = (newer.keys + older.keys) as usize;
            let pages = [newer, older].map(|r| (r.first_page, r.fences.len() as i64));
            let merged = {
                let mut left = RunReader::new(conn, pages[0].0, pages[0].1)?;
                let mut right = RunReader::new(conn, pages[1].0, pages[1].1)?;
                let (mut x, mut y) = (left.next()?, right.next()?);
                let entries = std::iter::from_fn(|| {
                    let pick = match (&x, &y) {
                        (None, None) => return None,
                        (Some(_), None) => true,
                        (None, Some(_)) => false,
                        (Some(p), Some(q)) => p.0 <= q.0,
                    };
                    let out = if pick { x.take() } else { y.take() };
                    let refill = if pick { left.next() } else { right.next() };
                    match refill {
                        Ok(e) => {
                            if pick {
                                x = e;
                            } else {
                                y = e;
                            }
                            out.map(Ok)
                        }
                        Err(e) => Some(Err(e)),
                    }
                });
                write_run(conn, total, entries, None)?
            };
            for (first, n) in pages {
                conn.execute(
                    "DELETE FROM id_pages WHERE page >= ?1 AND page < ?2",
                    params![first, first + n],
                )?;
            }
            conn.execute("DELETE FROM id_runs WHERE run IN (?1, ?2)", params![a, b])?;
            self.runs.drain(..2);
            self.runs.insert(0, merged);
        }
        Ok(())
    }
}

/// Writes one run of `n` keys given in order; returns it.
/// Writes `n` entries (in key order, distinct) as a run, with `bloom` as its
/// filter when it holds them all already.
pub(crate) fn write_run(
    conn: &Connection,
    n: usize,
    entries: impl Iterator<Item = Result<(Key, i64), StoreError>>,
    bloom: Option<Bloom>,
) -> Result<Run, StoreError> {
    let run: i64 = conn.query_row("SELECT coalesce(max(run), 0) + 1 FROM id_runs", [], |r| {
        r.get(0)
    })?;
    let first_page: i64 =
        conn.query_row("SELECT coalesce(max(page), 0) + 1 FROM id_pages", [], |r| {
            r.get(0)
        })?;
    let mut insert = conn.prepare_cached("INSERT INTO id_pages (page, data) VALUES (?1, ?2)")?;
    let filled = bloom.is_some();
    let mut bloom = bloom.unwrap_or_else(|| Bloom::with_keys(n));
    let mut fences: Vec<Key> = Vec::with_capacity(n.div_ceil(PAGE_KEYS));
    let mut page: Vec<u8> = Vec::with_capacity(PAGE_KEYS * ENTRY);
    let mut first: Option<Key> = None;
    let mut last: Option<Key> = None;
    let mut count: u64 = 0;
    let mut flush = |page: &mut Vec<u8>,
                     first: &mut Option<Key>,
                     fences: &mut Vec<Key>|
     -> Result<(), StoreError> {
        if let Some(lo) = first.take() {
            insert.execute(params![first_page + fences.len() as i64, &page[..]])?;
            fences.push(lo);
            page.clear();
        }
        Ok(())
    };
    for e in entries {
        let (key, block) = e?;
        if last.is_some_and(|l| l >= key) {
            return Err(StoreError::Corrupt(
                "identity run keys out of order or repeated".into(),
            ));
        }
        last = Some(key);
        if !filled {
            bloom.insert(key);
        }
        first.get_or_insert(key);
        page.extend_from_slice(&key.0.to_le_bytes());
        page.extend_from_slice(&key.1.to_le_bytes());
        page.extend_from_slice(&block.to_le_bytes());
        count += 1;
        if page.len() >= PAGE_KEYS * ENTRY {
            flush(&mut page, &mut first, &mut fences)?;
        }
    }
    flush(&mut page, &mut first, &mut fences)?;
    conn.execute(
        "INSERT INTO id_runs (run, keys, first_page, fences, bloom) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            run,
            count as i64,
            first_page,
            fences_to_bytes(&fences),
            bloom.to_bytes()
        ],
    )?;
    Ok(Run {
        run,
        keys: count,
        first_page,
        bloom: Some(bloom),
        fences,
    })
}

/// Reads one run's entries in key order, a page at a time.
pub(crate) struct RunReader<'c> {
    st: rusqlite::CachedStatement<'c>,
    /// The next page to read and the end of the run's pages.
    next_page: i64,
    end: i64,
    page: Vec<u8>,
    at: usize,
}

impl<'c> RunReader<'c> {
    /// The reader of the `pages` pages from `first_page`.
    pub(crate) fn new(
        conn: &'c Connection,
        first_page: i64,
        pages: i64,
    ) -> Result<Self, StoreError> {
        Ok(RunReader {
            st: conn.prepare_cached(PAGE)?,
            next_page: first_page,
            end: first_page + pages,
            page: Vec::new(),
            at: 0,
        })
    }

    /// The reader of one run by its number.
    #[cfg(test)]
    pub(crate) fn of_run(conn: &'c Connection, run: i64) -> Result<Self, StoreError> {
        let (first, fences): (i64, usize) = conn.query_row(
            "SELECT first_page, length(fences) FROM id_runs WHERE run = ?1",
            [run],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        RunReader::new(conn, first, (fences / 16) as i64)
    }

    pub(crate) fn next(&mut self) -> Result<Option<(Key, i64)>, StoreError> {
        loop {
            if let Some(e) = entry(&self.page, self.at) {
                self.at += 1;
                return Ok(Some(e));
            }
            if self.next_page >= self.end {
                return Ok(None);
            }
            let data: Vec<u8> = self
                .st
                .query_row([self.next_page], |r| r.get(0))
                .optional()?
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("identity page {} is missing", self.next_page))
                })?;
            if data.is_empty() || !data.len().is_multiple_of(ENTRY) {
                return Err(StoreError::Corrupt(format!(
                    "identity page of {} bytes",
                    data.len()
                )));
            }
            self.next_page += 1;
            self.page = data;
            self.at = 0;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(DDL).unwrap();
        c
    }

    /// Keys in any order, sorted and filtered on two threads, give the same run
    /// (pages, fences and filter bits) as the same keys added sorted.
    #[test]
    fn unsorted_keys_make_the_same_run_as_sorted_ones() {
        for n in [0, 1, 1_000, PARALLEL_KEYS, PARALLEL_KEYS * 2 + 3] {
            let sorted = keys(21, n);
            let mut shuffled = sorted.clone();
            // a fixed scramble: reversed halves, interleaved
            shuffled.reverse();
            let half = shuffled.len() / 2;
            shuffled.rotate_left(half);
            let (a, b) = (conn(), conn());
            let (mut ra, mut rb) = (Runs::load(&a).unwrap(), Runs::load(&b).unwrap());
            ra.add(&a, &sorted).unwrap();
            rb.add_unsorted(&b, &mut shuffled).unwrap();
            // the halves were sorted in place, nothing was lost
            shuffled.sort_unstable();
            assert!(shuffled == sorted, "{n} keys changed");
            type Dump = (Vec<Vec<u8>>, Vec<(i64, Vec<u8>, Vec<u8>)>);
            let dump = |c: &Connection| -> Dump {
                let pages = c
                    .prepare("SELECT data FROM id_pages ORDER BY page")
                    .unwrap()
                    .query_map([], |r| r.get(0))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                let runs = c
                    .prepare("SELECT keys, fences, bloom FROM id_runs ORDER BY run")
                    .unwrap()
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                (pages, runs)
            };
            assert_eq!(dump(&a), dump(&b), "{n} keys");
            for (k, block) in sorted.iter().step_by(97) {
                assert_eq!(rb.find(&b, *k).unwrap(), Some(*block));
            }
        }
    }

    /// A key given twice to `add_unsorted` (sorted on one thread or two, the
    /// repeat in one half or across them) is an error, and no run is written.
    #[test]
    fn repeated_unsorted_keys_are_refused() {
        for (n, at) in [
            (100, 50),
            (PARALLEL_KEYS * 2, 5),
            (PARALLEL_KEYS * 2, PARALLEL_KEYS + 9),
        ] {
            let mut ks = keys(31, n);
            let again = ks[0];
            ks.insert(at, (again.0, 7));
            let c = conn();
            let mut runs = Runs::load(&c).unwrap();
            let r = runs.add_unsorted(&c, &mut ks);
            assert!(
                matches!(r, Err(StoreError::RepeatedIdentity)),
                "{n} keys: {r:?}"
            );
            assert!(runs.is_empty());
            let pages: i64 = c
                .query_row("SELECT count(*) FROM id_pages", [], |r| r.get(0))
                .unwrap();
            assert_eq!(pages, 0);
        }
    }

    /// xorshift keys, sorted, with their index as block.
    fn keys(seed: u64, n: usize) -> Vec<(Key, i64)> {
        let mut x = seed | 1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as i64
        };
        let mut v: Vec<(Key, i64)> = (0..n).map(|i| ((next(), next()), i as i64)).collect();
        v.sort_unstable();
        v.dedup_by_key(|e| e.0);
        v
    }

    fn all(c: &Connection, run: i64) -> Vec<(Key, i64)> {
        let mut r = RunReader::of_run(c, run).unwrap();
        std::iter::from_fn(|| r.next().unwrap()).collect()
    }

    #[test]
    fn bloom_has_no_false_negatives_and_few_false_positives() {
        let ks = keys(1, 20_000);
        let mut b = Bloom::with_keys(ks.len());
        ks.iter().for_each(|e| b.insert(e.0));
        assert!(ks.iter().all(|e| b.may_hold(e.0)));
        let other = keys(2, 20_000);
        let fp = other.iter().filter(|e| b.may_hold(e.0)).count();
        assert!(fp < 400, "{fp} false positives of 20,000");
        // sequential explicit ids are mixed too
        let mut seq = Bloom::with_keys(1000);
        (0..1000).for_each(|i| seq.insert((0, i)));
        let fp = (1000..21_000).filter(|&i| seq.may_hold((0, i))).count();
        assert!(fp < 400, "{fp} false positives of 20,000 sequential keys");
        let back = Bloom::from_bytes(&b.to_bytes()).unwrap();
        assert!(ks.iter().all(|e| back.may_hold(e.0)));
        assert!(Bloom::from_bytes(&[1, 2, 3]).is_err());
    }

    #[test]
    fn runs_find_every_key_merge_by_size_and_read_back_in_order() {
        let c = conn();
        let mut runs = Runs::load(&c).unwrap();
        assert!(runs.is_empty());
        // edge keys, and keys sharing h1 across a page boundary
        let mut first: Vec<(Key, i64)> = vec![
            ((i64::MIN, i64::MIN), 1),
            ((i64::MAX, i64::MAX), 2),
            ((i64::MAX, i64::MIN), 3),
        ];
        first.extend((0..300).map(|i| ((7, i64::from(i) - 150), 10 + i64::from(i))));
        first.sort_unstable();
        let mut added = first.clone();
        runs.add(&c, &first).unwrap();
        for (seed, n) in [(3, 5_000), (5, 700), (7, 20), (9, 1), (11, 9_000), (13, 40)] {
            let ks = keys(seed, n);
            let dup = ks
                .iter()
                .filter(|e| added.iter().any(|a| a.0 == e.0))
                .count();
            assert_eq!(dup, 0, "test keys of seed {seed} repeat earlier ones");
            runs.add(&c, &ks).unwrap();
            added.extend(ks);
            // each run is more than twice the next newer one
            for w in runs.runs.windows(2) {
                assert!(
                    w[0].keys * 2 < w[1].keys,
                    "{} then {}",
                    w[0].keys,
                    w[1].keys
                );
            }
        }
        let reloaded = Runs::load(&c).unwrap();
        assert_eq!(reloaded.runs.len(), runs.runs.len());
        for (k, block) in &added {
            assert_eq!(reloaded.find(&c, *k).unwrap(), Some(*block), "{k:?}");
        }
        for (k, _) in keys(99, 2_000) {
            assert_eq!(reloaded.find(&c, k).unwrap(), None);
        }
        let fences_only = Runs::load_fences(&c).unwrap();
        assert!(fences_only.runs.iter().all(|r| r.bloom.is_none()));
        for (k, block) in added.iter().step_by(7) {
            assert_eq!(fences_only.find(&c, *k).unwrap(), Some(*block), "{k:?}");
        }
        for (k, _) in keys(101, 500) {
            assert_eq!(fences_only.find(&c, k).unwrap(), None);
        }
        assert_eq!(reloaded.find(&c, (7, 150)).unwrap(), None);
        // the runs hold every key once, in order
        let mut stored: Vec<(Key, i64)> = runs.runs.iter().flat_map(|r| all(&c, r.run)).collect();
        assert_eq!(stored.len(), added.len());
        stored.sort_unstable();
        added.sort_unstable();
        assert_eq!(stored, added);
        for r in &runs.runs {
            let one = all(&c, r.run);
            assert!(one.windows(2).all(|w| w[0].0 < w[1].0));
            assert_eq!(one.len() as u64, r.keys);
        }
        let pages: i64 = c
            .query_row("SELECT count(*) FROM id_pages", [], |r| r.get(0))
            .unwrap();
        let runs_n: i64 = c
            .query_row("SELECT count(*) FROM id_runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(runs_n as usize, runs.runs.len());
        assert!(pages as usize >= added.len() / PAGE_KEYS);
    }

    #[test]
    fn keys_out_of_order_are_refused() {
        let c = conn();
        let bad = [((2, 0), 1), ((1, 0), 2)];
        assert!(write_run(&c, 2, bad.iter().map(|&e| Ok(e)), None).is_err());
        let repeated = [((1, 0), 1), ((1, 0), 2)];
        assert!(write_run(&c, 2, repeated.iter().map(|&e| Ok(e)), None).is_err());
    }

    #[test]
    fn damaged_pages_are_errors() {
        let c = conn();
        let mut runs = Runs::load(&c).unwrap();
        runs.add(&c, &keys(5, 10)).unwrap();
        c.execute("UPDATE id_pages SET data = x'0102'", []).unwrap();
        let probe = keys(5, 10)[3].0;
        assert!(runs.find(&c, probe).is_err());
        assert!(
            RunReader::of_run(&c, runs.runs[0].run)
                .unwrap()
                .next()
                .is_err()
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Any sequence of runs (keys drawn from a small space, so neighbours share h1 and
        /// runs straddle each other) is found exactly as a map of all added keys says.
        #[test]
        fn runs_agree_with_a_map(
            batches in proptest::collection::vec(
                proptest::collection::vec((-40i64..40, -3i64..3), 0..400), 1..8),
        ) {
            let c = conn();
            let mut runs = Runs::load(&c).unwrap();
            let mut model = std::collections::BTreeMap::new();
            let mut block = 0i64;
            for batch in batches {
                let mut add: Vec<(Key, i64)> = Vec::new();
                for (a, b) in batch {
                    let key = (a.wrapping_mul(0x0123_4567_89ab_cdef), b);
                    if !model.contains_key(&key) && !add.iter().any(|e| e.0 == key) {
                        block += 1;
                        add.push((key, block));
                    }
                }
                add.sort_unstable();
                runs.add(&c, &add).unwrap();
                model.extend(add);
                for w in runs.runs.windows(2) {
                    proptest::prop_assert!(w[0].keys * 2 < w[1].keys);
                }
            }
            let reloaded = Runs::load(&c).unwrap();
            for a in -41i64..41 {
                for b in -4i64..4 {
                    let key = (a.wrapping_mul(0x0123_4567_89ab_cdef), b);
                    proptest::prop_assert_eq!(reloaded.find(&c, key).unwrap(), model.get(&key).copied());
                }
            }
            let total: u64 = reloaded.runs.iter().map(|r| r.keys).sum();
            proptest::prop_assert_eq!(total as usize, model.len());
        }
    }
}
