//! Derived results: cases, networks and evidence, replaced as a whole.

use molehunt_model::RiskLevel;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::{
    CaseRow, EvidenceRow, NetworkRow, PersonRisk, Results, StoreError, level_from_str, level_rank,
};

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn parse_list(s: &str) -> rusqlite::Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn level(s: &str) -> rusqlite::Result<RiskLevel> {
    level_from_str(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Replaces cases, networks and evidence in one transaction: readers see the
/// old results or the new ones, never a mix.
pub(crate) fn replace(conn: &mut Connection, r: &Results) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch("DELETE FROM cases; DELETE FROM networks; DELETE FROM evidence;")?;
    {
        let mut st = tx.prepare(
            "INSERT INTO cases(rank, person_id, score, level, level_rank, network_id, flags, json) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (i, c) in r.cases.iter().enumerate() {
            st.execute(params![
                i as i64 + 1,
                c.person_id,
                c.score,
                c.level.as_str(),
                level_rank(c.level),
                c.network_id,
                json_list(&c.flags),
                c.json,
            ])?;
        }
        let mut st = tx.prepare(
            "INSERT INTO networks(rank, network_id, score, level, person_ids, json) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (i, n) in r.networks.iter().enumerate() {
            st.execute(params![
                i as i64 + 1,
                n.network_id,
                n.score,
                n.level.as_str(),
                json_list(&n.person_ids),
                n.json,
            ])?;
        }
        let mut st =
            tx.prepare("INSERT INTO evidence(person_id, flag, json) VALUES (?1, ?2, ?3)")?;
        for e in &r.evidence {
            st.execute(params![e.person_id, e.flag, e.json])?;
        }
    }
    tx.commit()?;
    Ok(())
}

const CASE_COLUMNS: &str = "person_id, score, level, network_id, flags, json";

fn case_row(row: &Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        person_id: row.get(0)?,
        score: row.get(1)?,
        level: level(row.get_ref(2)?.as_str()?)?,
        network_id: row.get(3)?,
        flags: parse_list(row.get_ref(4)?.as_str()?)?,
        json: row.get(5)?,
    })
}

pub(crate) fn cases(
    conn: &Connection,
    limit: Option<usize>,
    min_level: Option<RiskLevel>,
) -> Result<Vec<CaseRow>, StoreError> {
    let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
    let min = min_level.map_or(0, level_rank);
    let mut st = conn.prepare_cached(&format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE level_rank >= ?1 ORDER BY rank LIMIT ?2"
    ))?;
    let rows = st.query_map(params![min, limit], case_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn case(conn: &Connection, person_id: &str) -> Result<Option<CaseRow>, StoreError> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE person_id = ?1"
    ))?;
    Ok(st.query_row([person_id], case_row).optional()?)
}

pub(crate) fn networks(
    conn: &Connection,
    only: Option<&str>,
) -> Result<Vec<NetworkRow>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT network_id, score, level, person_ids, json FROM networks \
         WHERE ?1 IS NULL OR network_id = ?1 ORDER BY rank",
    )?;
    let rows = st.query_map([only], |row| {
        Ok(NetworkRow {
            network_id: row.get(0)?,
            score: row.get(1)?,
            level: level(row.get_ref(2)?.as_str()?)?,
            person_ids: parse_list(row.get_ref(3)?.as_str()?)?,
            json: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn evidence_of(
    conn: &Connection,
    person_id: &str,
) -> Result<Vec<EvidenceRow>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT person_id, flag, json FROM evidence WHERE person_id = ?1 ORDER BY seq",
    )?;
    let rows = st.query_map([person_id], |row| {
        Ok(EvidenceRow {
            person_id: row.get(0)?,
            flag: row.get(1)?,
            json: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn person_risk(
    conn: &Connection,
    subject_id: &str,
) -> Result<Option<PersonRisk>, StoreError> {
    let to_risk = |c: CaseRow| PersonRisk {
        person_id: c.person_id,
        score: c.score,
        level: c.level,
        network_id: c.network_id,
        flags: c.flags,
    };
    if let Some(c) = case(conn, subject_id)? {
        return Ok(Some(to_risk(c)));
    }
    let person: Option<String> = conn
        .prepare_cached("SELECT person_id FROM accounts WHERE account_id = ?1")?
        .query_row([subject_id], |r| r.get(0))
        .optional()?;
    match person {
        Some(p) => Ok(case(conn, &p)?.map(to_risk)),
        None => Ok(None),
    }
}
