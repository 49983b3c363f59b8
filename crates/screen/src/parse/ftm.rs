//! OpenSanctions FollowTheMoney entities, one JSON object a line. Person, Organization,
//! Company, LegalEntity, PublicBody, Vessel and Airplane become entities; CryptoWallet lines
//! attach their address to the holder; Sanction lines add programmes; other schemas are skipped.

use std::io::BufRead;

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::Source;
use super::dates::parse_loose_date;
use crate::ScreenError;
use crate::model::{Alias, Document, Entity, EntityType, ListFormat, ParsedList, Wallet};

#[derive(Deserialize)]
struct Line {
    id: String,
    schema: String,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    properties: FxHashMap<String, Vec<serde_json::Value>>,
    #[serde(default)]
    datasets: Vec<String>,
}

impl Line {
    fn strings(&self, key: &str) -> Vec<String> {
        self.properties
            .get(key)
            .map(|v| {
                v.iter()
                    .filter_map(|x| x.as_str())
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn kind(schema: &str) -> Option<Option<EntityType>> {
    Some(match schema {
        "Person" => Some(EntityType::Person),
        "Organization" | "Company" | "PublicBody" => Some(EntityType::Organization),
        "LegalEntity" => None,
        "Vessel" => Some(EntityType::Vessel),
        "Airplane" => Some(EntityType::Aircraft),
        _ => return None,
    })
}

fn countries(l: &Line, key: &str) -> Vec<String> {
    l.strings(key)
        .into_iter()
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| c.len() == 2)
        .collect()
}

pub(super) fn parse(src: &Source<'_>, name: &str) -> Result<ParsedList, ScreenError> {
    let r = src.open()?;
    let mut entities: Vec<Entity> = Vec::new();
    let mut by_id: FxHashMap<String, usize> = FxHashMap::default();
    let mut wallets: Vec<(String, Wallet)> = Vec::new();
    let mut sanctions: Vec<(String, String)> = Vec::new();
    let mut datasets: Vec<String> = Vec::new();
    for (i, line) in r.lines().enumerate() {
        let lineno = i as u64 + 1;
        let line = line.map_err(|e| ScreenError::Parse {
            path: name.to_string(),
            line: lineno,
            msg: format!("cannot read line: {e}"),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(&line).map_err(|e| ScreenError::Parse {
            path: name.to_string(),
            line: lineno,
            msg: format!("not a FollowTheMoney entity: {e}"),
        })?;
        for d in &l.datasets {
            Entity::push_unique(&mut datasets, d.clone());
        }
        if l.schema == "CryptoWallet" {
            let holders = l.strings("holder");
            let chain = l.strings("currency").into_iter().next().unwrap_or_default();
            for addr in l.strings("publicKey") {
                for h in &holders {
                    wallets.push((
                        h.clone(),
                        Wallet {
                            chain: chain.clone(),
                            address: addr.clone(),
                        },
                    ));
                }
            }
            continue;
        }
        if l.schema == "Sanction" {
            for ent in l.strings("entity") {
                for p in l
                    .strings("programId")
                    .into_iter()
                    .chain(l.strings("program"))
                    .take(1)
                {
                    sanctions.push((ent.clone(), p));
                }
            }
            continue;
        }
        let Some(ty) = kind(&l.schema) else { continue };
        let mut names = l.strings("name");
        if names.is_empty() {
            names.extend(l.caption.clone());
        }
        if names.is_empty() {
            continue;
        }
        let mut e = Entity::new(l.id.clone(), names.remove(0));
        e.entity_type = ty;
        e.aliases = names
            .into_iter()
            .map(|n| Alias {
                name: n,
                strong: true,
            })
            .collect();
        e.aliases
            .extend(l.strings("alias").into_iter().map(|n| Alias {
                name: n,
                strong: true,
            }));
        e.aliases
            .extend(l.strings("previousName").into_iter().map(|n| Alias {
                name: n,
                strong: true,
            }));
        e.aliases
            .extend(l.strings("weakAlias").into_iter().map(|n| Alias {
                name: n,
                strong: false,
            }));
        for d in l
            .strings("birthDate")
            .iter()
            .chain(&l.strings("incorporationDate"))
            .filter(|_| ty == Some(EntityType::Person))
        {
            for v in parse_loose_date(d) {
                Entity::push_unique(&mut e.dates_of_birth, v);
            }
        }
        e.nationalities = countries(&l, "nationality");
        e.citizenships = countries(&l, "citizenship");
        for c in countries(&l, "country")
            .into_iter()
            .chain(countries(&l, "jurisdiction"))
        {
            Entity::push_unique(&mut e.address_countries, c);
        }
        for (key, label) in [
            ("passportNumber", "Passport"),
            ("idNumber", "ID"),
            ("registrationNumber", "Registration"),
            ("taxNumber", "Tax"),
            ("innCode", "INN"),
            ("imoNumber", "IMO"),
        ] {
            for n in l.strings(key) {
                e.documents.push(Document {
                    kind: label.to_string(),
                    number: n,
                    country: None,
                });
            }
        }
        for p in l
            .strings("program")
            .into_iter()
            .chain(l.strings("programId"))
        {
            Entity::push_unique(&mut e.programs, p);
        }
        by_id.insert(e.id.clone(), entities.len());
        entities.push(e);
    }
    for (holder, w) in wallets {
        if let Some(e) = by_id.get(&holder).and_then(|i| entities.get_mut(*i)) {
            e.wallets.push(w);
        }
    }
    for (ent, p) in sanctions {
        if let Some(e) = by_id.get(&ent).and_then(|i| entities.get_mut(*i)) {
            Entity::push_unique(&mut e.programs, p);
        }
    }
    let list = if datasets.len() == 1 {
        datasets.remove(0)
    } else {
        ListFormat::FtmJson.default_list().to_string()
    };
    Ok(ParsedList {
        format: ListFormat::FtmJson,
        list,
        date_of_issue: None,
        entities,
    })
}
