//! Reading events back from blocks: the analysis-order stream and lookups.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rusqlite::Connection;
use rustc_hash::FxHashMap;

use crate::block::{Cursor, bloom_may_contain, decode_all, decompress, empty_event, subject_hash};
use crate::{StoreError, StoredEvent};

/// Loads blocks by number and decompresses them.
struct BlockLoader<'c> {
    by_number: rusqlite::Statement<'c>,
    zstd: zstd::bulk::Decompressor<'static>,
}

impl<'c> BlockLoader<'c> {
    fn new(conn: &'c Connection) -> Result<Self, StoreError> {
        Ok(BlockLoader {
            by_number: conn
                .prepare("SELECT first_seq, raw_len, data FROM event_blocks WHERE block = ?1")?,
            zstd: zstd::bulk::Decompressor::new()
                .map_err(|e| StoreError::Corrupt(format!("zstd: {e}")))?,
        })
    }

    /// Decompresses the block's payload into `out`; returns its first seq.
    fn load(&mut self, block: i64, out: &mut Vec<u8>) -> Result<i64, StoreError> {
        let mut rows = self.by_number.query([block])?;
        let row = rows
            .next()?
            .ok_or_else(|| StoreError::Corrupt(format!("event block {block} is missing")))?;
        let first_seq: i64 = row.get(0)?;
        let raw_len: i64 = row.get(1)?;
        decompress(&mut self.zstd, row.get_ref(2)?.as_blob()?, raw_len, out)?;
        Ok(first_seq)
    }
}

fn block_list(conn: &Connection, sql: &str) -> Result<Vec<(i64, i64)>, StoreError> {
    Ok(conn
        .prepare(sql)?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(0)))
        })?
        .collect::<Result<_, _>>()?)
}

/// Streams all events in analysis order, reusing one event buffer: the untimed
/// blocks in seq order, then the timed blocks merged by (time, seq). A timed
/// block is opened only when the merge reaches its first time, so memory holds
/// the blocks whose time ranges overlap at one instant: one or two for input in
/// time order, more where several ingests cover the same period.
pub(crate) fn for_each_event(
    conn: &Connection,
    f: &mut dyn FnMut(&StoredEvent) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let mut loader = BlockLoader::new(conn)?;
    let mut ev = empty_event();
    let mut n = 0u64;
    let mut payload = Vec::new();
    // untimed blocks hold increasing, disjoint seq ranges
    let untimed = block_list(
        conn,
        "SELECT block, NULL FROM event_blocks WHERE timed = 0 ORDER BY first_seq",
    )?;
    for (block, _) in untimed {
        let first = loader.load(block, &mut payload)?;
        let mut c = Cursor::new(first, &payload)?;
        while c.advance(&payload)? {
            c.fill(&payload, &mut ev)?;
            f(&ev)?;
            n += 1;
        }
    }
    let timed = block_list(
        conn,
        "SELECT block, min_ts FROM event_blocks INDEXED BY event_blocks_order \
         WHERE timed = 1 ORDER BY min_ts, first_seq",
    )?;
    merge_timed(&mut loader, &timed, &mut |ev| {
        n += 1;
        f(ev)
    })?;
    Ok(n)
}

/// An open timed block in the merge: its payload and a cursor on its head entry.
struct Open {
    payload: Vec<u8>,
    cursor: Cursor,
}

fn merge_timed(
    loader: &mut BlockLoader<'_>,
    blocks: &[(i64, i64)],
    f: &mut dyn FnMut(&StoredEvent) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut ev = empty_event();
    let mut open: Vec<Option<Open>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut spare: Vec<Vec<u8>> = Vec::new();
    // (time, seq, slot) of every open block's head entry
    let mut heap: BinaryHeap<Reverse<(i64, i64, usize)>> = BinaryHeap::new();
    let mut next = 0usize;
    loop {
        // open every block that starts at or before the smallest head: nothing in
        // a later block can come before it
        while let Some(&(block, min_ts)) = blocks.get(next) {
            if let Some(Reverse((t, _, _))) = heap.peek()
                && min_ts > *t
            {
                break;
            }
            next += 1;
            let mut payload = spare.pop().unwrap_or_default();
            let first = loader.load(block, &mut payload)?;
            let mut cursor = Cursor::new(first, &payload)?;
            if !cursor.advance(&payload)? {
                spare.push(payload);
                continue;
            }
            let slot = free.pop().unwrap_or_else(|| {
                open.push(None);
                open.len() - 1
            });
            heap.push(Reverse((head_ts(&cursor)?, cursor.seq, slot)));
            open[slot] = Some(Open { payload, cursor });
        }
        let Some(Reverse((_, _, slot))) = heap.pop() else {
            return Ok(());
        };
        let Some(o) = open[slot].as_mut() else {
            return Err(StoreError::Corrupt("event block merge lost a block".into()));
        };
        o.cursor.fill(&o.payload, &mut ev)?;
        f(&ev)?;
        if o.cursor.advance(&o.payload)? {
            heap.push(Reverse((head_ts(&o.cursor)?, o.cursor.seq, slot)));
        } else if let Some(done) = open[slot].take() {
            spare.push(done.payload);
            free.push(slot);
        }
    }
}

fn head_ts(c: &Cursor) -> Result<i64, StoreError> {
    c.ts_ns
        .ok_or_else(|| StoreError::Corrupt("a timed event block holds an untimed event".into()))
}

/// Sorts events into analysis order: untimed (by seq) first, then by (time, seq).
fn analysis_sort(events: &mut [(bool, StoredEvent)]) {
    events.sort_by_key(|(timed, e)| (*timed, if *timed { e.ts_ns } else { None }, e.seq));
}

pub(crate) fn events_of_person(
    conn: &Connection,
    person_id: &str,
    limit: Option<usize>,
) -> Result<Vec<StoredEvent>, StoreError> {
    // events carrying the person's id, and events of the person's accounts that
    // carry no person id
    let accounts: Vec<String> = conn
        .prepare_cached("SELECT account_id FROM accounts WHERE person_id = ?1")?
        .query_map([person_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut hashes = vec![subject_hash(true, person_id)];
    hashes.extend(accounts.iter().map(|a| subject_hash(false, a)));
    let mut candidates: Vec<(i64, bool)> = Vec::new();
    {
        let mut st = conn.prepare("SELECT block, timed, subjects FROM event_blocks")?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            let filter = row.get_ref(2)?.as_blob()?;
            if hashes.iter().any(|&h| bloom_may_contain(filter, h)) {
                candidates.push((row.get(0)?, row.get(1)?));
            }
        }
    }
    let mut loader = BlockLoader::new(conn)?;
    let mut payload = Vec::new();
    let mut found: Vec<(bool, StoredEvent)> = Vec::new();
    for (block, timed) in candidates {
        let first = loader.load(block, &mut payload)?;
        let mut c = Cursor::new(first, &payload)?;
        let mut ev = empty_event();
        while c.advance(&payload)? {
            c.fill(&payload, &mut ev)?;
            let mine = match (&ev.person_id, &ev.account_id) {
                (Some(p), _) => p == person_id,
                (None, Some(a)) => accounts.iter().any(|x| x == a),
                (None, None) => false,
            };
            if mine {
                found.push((timed, std::mem::replace(&mut ev, empty_event())));
            }
        }
    }
    analysis_sort(&mut found);
    if let Some(l) = limit {
        found.truncate(l);
    }
    Ok(found.into_iter().map(|(_, e)| e).collect())
}

pub(crate) fn events_by_id(
    conn: &Connection,
    ids: &[String],
) -> Result<Vec<StoredEvent>, StoreError> {
    let index = crate::idruns::Runs::load_fences(conn)?;
    let mut loader = BlockLoader::new(conn)?;
    let mut payload = Vec::new();
    // evidence ids cluster in few blocks: decode each block once
    let mut decoded: FxHashMap<i64, Vec<StoredEvent>> = FxHashMap::default();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(block) = index.find(conn, crate::write::id_key(id))? else {
            continue;
        };
        if !decoded.contains_key(&block) {
            if decoded.len() >= 64 {
                decoded.clear();
            }
            let first = loader.load(block, &mut payload)?;
            decoded.insert(block, decode_all(&payload, first)?);
        }
        if let Some(ev) = decoded
            .get(&block)
            .and_then(|evs| evs.iter().find(|e| &e.id == id))
        {
            out.push(ev.clone());
        }
    }
    Ok(out)
}
