//! OFAC legacy CSV: `sdn.csv` (no header; `-0-` means empty) with optional `alt.csv` (aliases)
//! and `add.csv` (addresses) beside it. Dates of birth, nationalities, documents, weak a.k.a.
//! and digital currency addresses come from the Remarks field.

use std::io::Read;
use std::path::Path;

use rustc_hash::FxHashMap;

use super::dates::parse_loose_date;
use super::{Source, decode_text};
use crate::ScreenError;
use crate::countries::to_iso2;
use crate::model::{Alias, Document, Entity, EntityType, ListFormat, ParsedList, Wallet};

const DOC_KINDS: [&str; 12] = [
    "Passport",
    "National ID No.",
    "Cedula No.",
    "Identification Number",
    "Tax ID No.",
    "Diplomatic Passport",
    "D.N.I.",
    "SSN",
    "Registration ID",
    "Personal ID Card",
    "Driver's License No.",
    "Travel Document Number",
];

fn field(s: &str) -> &str {
    let t = s.trim();
    if t == "-0-" { "" } else { t }
}

fn rows(src_name: &str, text: &str) -> Result<Vec<(u64, Vec<String>)>, ScreenError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| ScreenError::Parse {
            path: src_name.to_string(),
            line: e.position().map_or(0, |p| p.line()),
            msg: format!("bad CSV: {e}"),
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() == 1
            && rec.get(0).is_some_and(|f| {
                f.trim_matches(|c: char| c.is_whitespace() || c == '\u{1a}')
                    .is_empty()
            })
        {
            continue;
        }
        out.push((line, rec.iter().map(|f| field(f).to_string()).collect()));
    }
    Ok(out)
}

fn read_text(src: &Source<'_>, name: &str) -> Result<String, ScreenError> {
    let mut bytes = Vec::new();
    src.open()?
        .read_to_end(&mut bytes)
        .map_err(|e| ScreenError::io(name, e))?;
    Ok(decode_text(&bytes))
}

/// Applies the `;`-separated remarks of one entry.
fn remarks(e: &mut Entity, text: &str) {
    for seg in text.split(';') {
        let seg = seg.trim().trim_end_matches('.');
        let seg = seg.strip_prefix("alt. ").unwrap_or(seg);
        if let Some(d) = seg.strip_prefix("DOB ") {
            for v in parse_loose_date(d) {
                Entity::push_unique(&mut e.dates_of_birth, v);
            }
        } else if let Some(c) = seg.strip_prefix("nationality ") {
            if let Some(c) = to_iso2(c) {
                Entity::push_unique(&mut e.nationalities, c.to_string());
            }
        } else if let Some(c) = seg.strip_prefix("citizen ") {
            if let Some(c) = to_iso2(c) {
                Entity::push_unique(&mut e.citizenships, c.to_string());
            }
        } else if let Some(rest) = seg.strip_prefix("Digital Currency Address - ") {
            if let Some((chain, addr)) = rest.split_once(' ') {
                e.wallets.push(Wallet {
                    chain: chain.trim().to_string(),
                    address: addr.trim().to_string(),
                });
            }
        } else if let Some(a) = seg
            .strip_prefix("a.k.a. ")
            .or_else(|| seg.strip_prefix("f.k.a. "))
        {
            let a = a.trim().trim_matches('\'').trim();
            if !a.is_empty() {
                e.aliases.push(Alias {
                    name: a.to_string(),
                    strong: false,
                });
            }
        } else if let Some(kind) = DOC_KINDS.iter().find(|k| seg.starts_with(&format!("{k} "))) {
            let rest = &seg[kind.len()..];
            let number = rest
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches(',');
            let country = rest
                .split_once('(')
                .and_then(|(_, c)| c.split_once(')'))
                .and_then(|(c, _)| to_iso2(c))
                .map(str::to_string);
            if !number.is_empty() {
                e.documents.push(Document {
                    kind: kind.to_string(),
                    number: number.to_string(),
                    country,
                });
            }
        }
    }
}

pub(super) fn parse(
    src: &Source<'_>,
    name: &str,
    alt: Option<&Path>,
    add: Option<&Path>,
) -> Result<ParsedList, ScreenError> {
    let text = read_text(src, name)?;
    let mut entities = Vec::new();
    let mut by_id: FxHashMap<String, usize> = FxHashMap::default();
    for (line, r) in rows(name, &text)? {
        let bad = |msg: &str| ScreenError::Parse {
            path: name.to_string(),
            line,
            msg: msg.to_string(),
        };
        let id = r.first().map(String::as_str).unwrap_or("");
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(&format!(
                "field `ent_num`: expected a number, found `{id}`"
            )));
        }
        let sdn_name = r.get(1).map(String::as_str).unwrap_or("");
        if sdn_name.is_empty() {
            return Err(bad("field `SDN_Name` is empty"));
        }
        let mut e = Entity::new(id, sdn_name);
        e.entity_type = Some(match r.get(2).map(|s| s.to_ascii_lowercase()).as_deref() {
            Some("individual") => EntityType::Person,
            Some("vessel") => EntityType::Vessel,
            Some("aircraft") => EntityType::Aircraft,
            _ => EntityType::Organization,
        });
        if let Some(p) = r.get(3) {
            for prog in p.split("] [") {
                Entity::push_unique(
                    &mut e.programs,
                    prog.trim_matches(|c| c == '[' || c == ']' || c == ' ')
                        .to_string(),
                );
            }
        }
        if let Some(rm) = r.get(11) {
            remarks(&mut e, rm);
        }
        by_id.insert(e.id.clone(), entities.len());
        entities.push(e);
    }
    if let Some(p) = alt {
        let s = Source::File(p.to_path_buf());
        let pn = p.display().to_string();
        for (_, r) in rows(&pn, &read_text(&s, &pn)?)? {
            if let (Some(i), Some(n)) = (r.first().and_then(|id| by_id.get(id)), r.get(3))
                && let (Some(e), false) = (entities.get_mut(*i), n.is_empty())
            {
                let weak = r
                    .get(4)
                    .is_some_and(|rm| rm.to_ascii_lowercase().contains("weak"));
                e.aliases.push(Alias {
                    name: n.clone(),
                    strong: !weak,
                });
            }
        }
    }
    if let Some(p) = add {
        let s = Source::File(p.to_path_buf());
        let pn = p.display().to_string();
        for (_, r) in rows(&pn, &read_text(&s, &pn)?)? {
            if let (Some(i), Some(c)) = (
                r.first().and_then(|id| by_id.get(id)),
                r.get(4).and_then(|c| to_iso2(c)),
            ) && let Some(e) = entities.get_mut(*i)
            {
                Entity::push_unique(&mut e.address_countries, c.to_string());
            }
        }
    }
    Ok(ParsedList {
        format: ListFormat::OfacCsv,
        list: ListFormat::OfacCsv.default_list().to_string(),
        date_of_issue: None,
        entities,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remarks_fields() {
        let mut e = Entity::new("1", "X");
        remarks(
            &mut e,
            "DOB 16 Jun 1971; nationality Korea, North; Passport 745420413 expires 19 Nov 2020; Digital Currency Address - XBT 1abc; alt. Digital Currency Address - ETH 0xAb; a.k.a. 'BNC'.",
        );
        assert_eq!(e.dates_of_birth, vec!["1971-06-16"]);
        assert_eq!(e.nationalities, vec!["KP"]);
        assert_eq!(e.documents[0].number, "745420413");
        assert_eq!(e.wallets.len(), 2);
        assert_eq!(e.aliases[0].name, "BNC");
        assert!(!e.aliases[0].strong);
    }
}
