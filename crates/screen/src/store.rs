//! Persistence of imported lists in the Molehunt SQLite database (`screen_lists`,
//! `screen_entities`). An import replaces a list's previous version in one transaction.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ScreenError;
use crate::model::{Entity, ListCounts, ListFormat, ParsedList};

/// What one import did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub list: String,
    pub format: ListFormat,
    pub date_of_issue: Option<String>,
    pub counts: ListCounts,
    pub content_sha256: String,
    /// The list existed before and was replaced.
    pub replaced: bool,
}

/// A stored list, as `lists show` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListInfo {
    pub list: String,
    pub format: ListFormat,
    pub date_of_issue: Option<String>,
    pub imported_at: String,
    pub source: String,
    pub content_sha256: String,
    pub counts: ListCounts,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS screen_lists (
    list TEXT PRIMARY KEY,
    format TEXT NOT NULL,
    date_of_issue TEXT,
    imported_at TEXT NOT NULL,
    source TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    entities INTEGER NOT NULL,
    names INTEGER NOT NULL,
    aliases INTEGER NOT NULL,
    wallets INTEGER NOT NULL,
    documents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS screen_entities (
    list TEXT NOT NULL,
    seq INTEGER NOT NULL,
    entity_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (list, seq)
);
CREATE INDEX IF NOT EXISTS screen_entities_id ON screen_entities (list, entity_id);
";

pub(crate) fn open(db: &Path) -> Result<Connection, ScreenError> {
    let conn = Connection::open(db).map_err(|e| ScreenError::db(db, e))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(|e| ScreenError::db(db, e))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| ScreenError::db(db, e))?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|e| ScreenError::db(db, e))?;
    conn.execute_batch(SCHEMA)
        .map_err(|e| ScreenError::db(db, e))?;
    Ok(conn)
}

fn sha256_file(path: &Path) -> Result<String, ScreenError> {
    let mut f = std::fs::File::open(path).map_err(|e| ScreenError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| ScreenError::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Parses `file` (format detected) and stores it as list `list` (default: the format's list
/// name), replacing that list's previous version atomically.
pub fn import_file(
    db: &Path,
    file: &Path,
    list: Option<&str>,
) -> Result<ImportReport, ScreenError> {
    let parsed = crate::parse::parse_file(file)?;
    if parsed.entities.is_empty() {
        return Err(ScreenError::Empty {
            path: file.display().to_string(),
        });
    }
    let sha = sha256_file(file)?;
    import_parsed(db, parsed, list, &file.display().to_string(), &sha)
}

/// Stores an already parsed list (see [`import_file`]).
pub fn import_parsed(
    db: &Path,
    parsed: ParsedList,
    list: Option<&str>,
    source: &str,
    content_sha256: &str,
) -> Result<ImportReport, ScreenError> {
    let list = list.map(str::to_string).unwrap_or(parsed.list.clone());
    let counts = ListCounts::of(&parsed.entities);
    let mut conn = open(db)?;
    let dberr = |e| ScreenError::db(db, e);
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(dberr)?;
    let replaced = tx
        .query_row(
            "SELECT 1 FROM screen_lists WHERE list = ?1",
            [&list],
            |_| Ok(()),
        )
        .optional()
        .map_err(dberr)?
        .is_some();
    tx.execute("DELETE FROM screen_entities WHERE list = ?1", [&list])
        .map_err(dberr)?;
    tx.execute("DELETE FROM screen_lists WHERE list = ?1", [&list])
        .map_err(dberr)?;
    {
        let mut ins = tx
            .prepare(
                "INSERT INTO screen_entities (list, seq, entity_id, data) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(dberr)?;
        for (seq, e) in parsed.entities.iter().enumerate() {
            let json = serde_json::to_string(e).map_err(|err| ScreenError::Corrupt {
                list: list.clone(),
                msg: err.to_string(),
            })?;
            ins.execute(params![list, seq as i64, e.id, json])
                .map_err(dberr)?;
        }
    }
    let now = jiff::Timestamp::now().to_string();
    tx.execute(
        "INSERT INTO screen_lists (list, format, date_of_issue, imported_at, source, content_sha256, entities, names, aliases, wallets, documents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            list,
            parsed.format.as_str(),
            parsed.date_of_issue,
            now,
            source,
            content_sha256,
            counts.entities as i64,
            counts.names as i64,
            counts.aliases as i64,
            counts.wallets as i64,
            counts.documents as i64
        ],
    )
    .map_err(dberr)?;
    tx.commit().map_err(dberr)?;
    Ok(ImportReport {
        list,
        format: parsed.format,
        date_of_issue: parsed.date_of_issue,
        counts,
        content_sha256: content_sha256.to_string(),
        replaced,
    })
}

/// The stored lists, by name.
pub fn list_infos(db: &Path) -> Result<Vec<ListInfo>, ScreenError> {
    let conn = open(db)?;
    let dberr = |e| ScreenError::db(db, e);
    let mut st = conn
        .prepare("SELECT list, format, date_of_issue, imported_at, source, content_sha256, entities, names, aliases, wallets, documents FROM screen_lists ORDER BY list")
        .map_err(dberr)?;
    let rows = st
        .query_map([], |r| {
            let n = |i: usize| r.get::<_, i64>(i).map(|v| usize::try_from(v).unwrap_or(0));
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                ListInfo {
                    list: String::new(),
                    format: ListFormat::OfacCsv,
                    date_of_issue: r.get(2)?,
                    imported_at: r.get(3)?,
                    source: r.get(4)?,
                    content_sha256: r.get(5)?,
                    counts: ListCounts {
                        entities: n(6)?,
                        names: n(7)?,
                        aliases: n(8)?,
                        wallets: n(9)?,
                        documents: n(10)?,
                    },
                },
            ))
        })
        .map_err(dberr)?;
    let mut out = Vec::new();
    for row in rows {
        let (list, format, mut info) = row.map_err(dberr)?;
        info.format = ListFormat::parse(&format).ok_or_else(|| ScreenError::Corrupt {
            list: list.clone(),
            msg: format!("unknown format `{format}`"),
        })?;
        info.list = list;
        out.push(info);
    }
    Ok(out)
}

/// Every stored entity with its list name, in list then file order.
pub(crate) fn load_entities(db: &Path) -> Result<Vec<(String, Entity)>, ScreenError> {
    let conn = open(db)?;
    let dberr = |e| ScreenError::db(db, e);
    let mut st = conn
        .prepare("SELECT list, data FROM screen_entities ORDER BY list, seq")
        .map_err(dberr)?;
    let mut rows = st.query([]).map_err(dberr)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(dberr)? {
        let list: String = r.get(0).map_err(dberr)?;
        let data: String = r.get(1).map_err(dberr)?;
        let e: Entity = serde_json::from_str(&data).map_err(|err| ScreenError::Corrupt {
            list: list.clone(),
            msg: err.to_string(),
        })?;
        out.push((list, e));
    }
    Ok(out)
}
