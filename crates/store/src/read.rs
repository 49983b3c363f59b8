//! Reading events back: the analysis-order stream and per-person lookups.

use rusqlite::{Connection, Row, params};

use crate::{StoreError, StoredEvent};

const COLUMNS: &str = "seq, id, type, ts_ns, ts_offset, person_id, account_id, raw";

fn fill(row: &Row<'_>, ev: &mut StoredEvent) -> rusqlite::Result<()> {
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
    ev.seq = row.get(0)?;
    set(&mut ev.id, row.get_ref(1)?.as_str()?);
    set(&mut ev.kind, row.get_ref(2)?.as_str()?);
    ev.ts_ns = row.get(3)?;
    ev.ts_offset = row.get(4)?;
    set_opt(&mut ev.person_id, row.get_ref(5)?.as_str_or_null()?);
    set_opt(&mut ev.account_id, row.get_ref(6)?.as_str_or_null()?);
    set(&mut ev.raw, row.get_ref(7)?.as_str()?);
    Ok(())
}

fn empty() -> StoredEvent {
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

/// Streams all events in analysis order, reusing one buffer (constant memory).
pub(crate) fn for_each_event(
    conn: &Connection,
    f: &mut dyn FnMut(&StoredEvent) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    // INVARIANT: `events_order` indexes sort_ts (NULL for upserts) and, implicitly,
    // the rowid `seq`, so this is an index walk, not a sort.
    let mut st = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM events INDEXED BY events_order ORDER BY sort_ts, seq"
    ))?;
    let mut rows = st.query([])?;
    let mut ev = empty();
    let mut n = 0u64;
    while let Some(row) = rows.next()? {
        fill(row, &mut ev)?;
        f(&ev)?;
        n += 1;
    }
    Ok(n)
}

fn collect(
    st: &mut rusqlite::Statement<'_>,
    p: impl rusqlite::Params,
) -> Result<Vec<StoredEvent>, StoreError> {
    let mut rows = st.query(p)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut ev = empty();
        fill(row, &mut ev)?;
        out.push(ev);
    }
    Ok(out)
}

pub(crate) fn events_of_person(
    conn: &Connection,
    person_id: &str,
    limit: Option<usize>,
) -> Result<Vec<StoredEvent>, StoreError> {
    let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
    // events carrying the person's id, and events of the person's accounts that carry
    // no person id (see `subject` in the schema)
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events WHERE subject IN \
           (SELECT key FROM subjects WHERE name = 'p:' || ?1 \
            UNION ALL SELECT s.key FROM accounts a JOIN subjects s ON s.name = 'a:' || a.account_id \
            WHERE a.person_id = ?1) \
         ORDER BY sort_ts, seq LIMIT ?2"
    ))?;
    collect(&mut st, params![person_id, limit])
}

pub(crate) fn events_by_id(
    conn: &Connection,
    ids: &[String],
) -> Result<Vec<StoredEvent>, StoreError> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events WHERE seq = \
           (SELECT seq FROM event_ids WHERE h1 = ?1 AND h2 = ?2)"
    ))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let (h1, h2) = crate::write::id_key(id);
        out.extend(
            collect(&mut st, params![h1, h2])?
                .into_iter()
                .filter(|e| &e.id == id),
        );
    }
    Ok(out)
}
