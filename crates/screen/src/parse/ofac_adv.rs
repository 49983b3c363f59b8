//! OFAC SDN "advanced" XML (`sdn_advanced.xml`): reference tables, locations, identity
//! documents, distinct parties (names, features) and sanctions entries (programmes), read in
//! one streaming pass.

use quick_xml::events::BytesStart;
use rustc_hash::FxHashMap;

use super::Source;
use super::xml::{self, Handler, attr};
use crate::ScreenError;
use crate::countries::to_iso2;
use crate::model::{Alias, Document, Entity, EntityType, ListFormat, ParsedList, Wallet};

#[derive(Default, Clone, Copy)]
struct Ymd {
    y: Option<i32>,
    m: Option<u32>,
    d: Option<u32>,
}

struct PendingName {
    primary: bool,
    latin_primary: bool,
    strong: bool,
    parts: Vec<(String, String)>,
}

#[derive(Default)]
struct P {
    doi: Ymd,
    in_doi: bool,
    countries: FxHashMap<String, String>,
    feature_types: FxHashMap<String, String>,
    doc_types: FxHashMap<String, String>,
    subtypes: FxHashMap<String, (String, String)>,
    party_types: FxHashMap<String, String>,
    ref_id: Option<String>,
    ref_attr: Option<String>,
    locations: FxHashMap<String, String>,
    loc: Option<(String, Option<String>, Vec<String>)>,
    docs_by_identity: FxHashMap<String, Vec<Document>>,
    doc: Option<(String, Document)>,
    entities: Vec<Entity>,
    by_profile: FxHashMap<String, usize>,
    cur: Option<usize>,
    names: Vec<PendingName>,
    group_types: FxHashMap<String, String>,
    alias: (bool, bool),
    docname: Option<PendingName>,
    part_group: Option<String>,
    feature_type: Option<String>,
    detail: String,
    loc_ids: Vec<String>,
    from: bool,
    start: bool,
    start_from: Ymd,
    end_to: Ymd,
    in_date: bool,
    entry: Option<usize>,
    measure_type: Option<String>,
}

impl P {
    fn entity(&mut self) -> Option<&mut Entity> {
        self.cur.and_then(|i| self.entities.get_mut(i))
    }

    fn finish_identity(&mut self) {
        let names = std::mem::take(&mut self.names);
        let groups = std::mem::take(&mut self.group_types);
        let Some(e) = self.cur.and_then(|i| self.entities.get_mut(i)) else {
            return;
        };
        let person = e.entity_type == Some(EntityType::Person);
        for n in names {
            let mut last = Vec::new();
            let mut rest = Vec::new();
            for (g, v) in n.parts {
                if groups.get(&g).map(String::as_str) == Some("1520") {
                    last.push(v);
                } else {
                    rest.push(v);
                }
            }
            let full = if person && !last.is_empty() && !rest.is_empty() {
                format!("{}, {}", last.join(" "), rest.join(" "))
            } else {
                last.into_iter().chain(rest).collect::<Vec<_>>().join(" ")
            };
            if full.is_empty() {
                continue;
            }
            if n.primary && n.latin_primary && e.name.is_empty() {
                e.name = full;
            } else {
                e.aliases.push(Alias {
                    name: full,
                    strong: n.strong,
                });
            }
        }
        if e.name.is_empty() && !e.aliases.is_empty() {
            e.name = e.aliases.remove(0).name;
        }
    }

    fn finish_version(&mut self) {
        let Some(ft) = self.feature_type.clone() else {
            return;
        };
        let kind = self.feature_types.get(&ft).cloned().unwrap_or_default();
        let detail = std::mem::take(&mut self.detail);
        let locs: Vec<String> = std::mem::take(&mut self.loc_ids)
            .iter()
            .filter_map(|l| self.locations.get(l).cloned())
            .collect();
        let (sf, et) = (self.start_from, self.end_to);
        self.start_from = Ymd::default();
        self.end_to = Ymd::default();
        let Some(e) = self.entity() else { return };
        if let Some(chain) = kind.strip_prefix("Digital Currency Address - ") {
            if !detail.is_empty() {
                e.wallets.push(Wallet {
                    chain: chain.trim().to_string(),
                    address: detail,
                });
            }
            return;
        }
        match kind.as_str() {
            "Birthdate" => {
                for d in dob(sf, et) {
                    Entity::push_unique(&mut e.dates_of_birth, d);
                }
            }
            "Nationality Country" => locs
                .into_iter()
                .for_each(|c| Entity::push_unique(&mut e.nationalities, c)),
            "Citizenship Country" => locs
                .into_iter()
                .for_each(|c| Entity::push_unique(&mut e.citizenships, c)),
            "Location" => locs
                .into_iter()
                .for_each(|c| Entity::push_unique(&mut e.address_countries, c)),
            _ => {}
        }
    }
}

/// Turns a date period into DOB values: one day, one year, or each year of a short range.
fn dob(from: Ymd, to: Ymd) -> Vec<String> {
    let (Some(y1), Some(y2)) = (from.y, to.y.or(from.y)) else {
        return Vec::new();
    };
    if y1 == y2 {
        let whole_year =
            from.m == Some(1) && from.d == Some(1) && to.m == Some(12) && to.d == Some(31);
        match (from.m, from.d) {
            (Some(m), Some(d)) if !whole_year && from.m == to.m && from.d == to.d => {
                vec![format!("{y1:04}-{m:02}-{d:02}")]
            }
            (Some(m), _) if !whole_year && from.m == to.m => vec![format!("{y1:04}-{m:02}")],
            _ => vec![format!("{y1:04}")],
        }
    } else if y1 < y2 && y2 - y1 < 12 {
        (y1..=y2).map(|y| format!("{y:04}")).collect()
    } else {
        vec![format!("{y1:04}")]
    }
}

impl Handler for P {
    fn start(&mut self, name: &str, e: &BytesStart<'_>) -> Result<(), String> {
        match name {
            "DateOfIssue" => self.in_doi = true,
            "Country" | "FeatureType" | "IDRegDocType" | "PartyType" => {
                self.ref_id = attr(e, "ID");
                self.ref_attr = attr(e, "ISO2");
            }
            "PartySubType" => {
                self.ref_id = attr(e, "ID");
                self.ref_attr = attr(e, "PartyTypeID");
            }
            "Location" => self.loc = attr(e, "ID").map(|id| (id, None, Vec::new())),
            "LocationCountry" => {
                if let (Some(l), Some(c)) = (self.loc.as_mut(), attr(e, "CountryID")) {
                    l.1 = self.countries.get(&c).cloned();
                }
            }
            "IDRegDocument" => {
                let kind = attr(e, "IDRegDocTypeID")
                    .and_then(|t| self.doc_types.get(&t).cloned())
                    .unwrap_or_default();
                let country =
                    attr(e, "IssuedBy-CountryID").and_then(|c| self.countries.get(&c).cloned());
                self.doc = attr(e, "IdentityID").map(|id| {
                    (
                        id,
                        Document {
                            kind,
                            number: String::new(),
                            country,
                        },
                    )
                });
            }
            "DistinctParty" => {
                let id = attr(e, "FixedRef").ok_or("`DistinctParty` without `FixedRef`")?;
                self.entities.push(Entity::new(id, ""));
                self.cur = Some(self.entities.len() - 1);
            }
            "Profile" => {
                if let Some(i) = self.cur {
                    if let Some(pid) = attr(e, "ID") {
                        self.by_profile.insert(pid, i);
                    }
                    let ty = attr(e, "PartySubTypeID").and_then(|s| self.subtypes.get(&s).cloned());
                    let ty = ty.and_then(|(sub, party)| match sub.as_str() {
                        "Vessel" => Some(EntityType::Vessel),
                        "Aircraft" => Some(EntityType::Aircraft),
                        _ => match self.party_types.get(&party).map(String::as_str) {
                            Some("Individual") => Some(EntityType::Person),
                            Some("Entity") => Some(EntityType::Organization),
                            _ => None,
                        },
                    });
                    if let Some(ent) = self.entities.get_mut(i) {
                        ent.entity_type = ty;
                    }
                }
            }
            "Identity" => {
                if let Some(docs) = attr(e, "ID").and_then(|id| self.docs_by_identity.remove(&id))
                    && let Some(ent) = self.entity()
                {
                    ent.documents.extend(docs);
                }
            }
            "Alias" => {
                self.alias = (
                    attr(e, "Primary").as_deref() == Some("true"),
                    attr(e, "LowQuality").as_deref() == Some("true"),
                );
            }
            "DocumentedName" => {
                self.docname = Some(PendingName {
                    primary: self.alias.0,
                    latin_primary: attr(e, "DocNameStatusID").as_deref() == Some("1"),
                    strong: !self.alias.1,
                    parts: Vec::new(),
                });
            }
            "NamePartValue" => self.part_group = attr(e, "NamePartGroupID"),
            "NamePartGroup" => {
                if let (Some(id), Some(t)) = (attr(e, "ID"), attr(e, "NamePartTypeID")) {
                    self.group_types.insert(id, t);
                }
            }
            "Feature" => self.feature_type = attr(e, "FeatureTypeID"),
            "VersionLocation" => self.loc_ids.extend(attr(e, "LocationID")),
            "DatePeriod" => self.in_date = true,
            "Start" => self.start = true,
            "End" => self.start = false,
            "From" => self.from = true,
            "To" => self.from = false,
            "SanctionsEntry" => {
                self.cur = None;
                self.entry = attr(e, "ProfileID").and_then(|p| self.by_profile.get(&p).copied());
            }
            "SanctionsMeasure" => self.measure_type = attr(e, "SanctionsTypeID"),
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str, text: &str) -> Result<(), String> {
        match name {
            "DateOfIssue" => self.in_doi = false,
            "Year" | "Month" | "Day" => {
                let slot = if self.in_doi {
                    Some(&mut self.doi)
                } else if self.in_date && self.start && self.from {
                    Some(&mut self.start_from)
                } else if self.in_date && !self.start && !self.from {
                    Some(&mut self.end_to)
                } else {
                    None
                };
                if let Some(s) = slot {
                    match name {
                        "Year" => s.y = text.parse().ok(),
                        "Month" => s.m = text.parse().ok(),
                        _ => s.d = text.parse().ok(),
                    }
                }
            }
            "Country" => {
                if let Some(id) = self.ref_id.take() {
                    let iso = self
                        .ref_attr
                        .take()
                        .or_else(|| to_iso2(text).map(str::to_string));
                    if let Some(iso) = iso {
                        self.countries.insert(id, iso);
                    }
                }
            }
            "FeatureType" => insert(&mut self.feature_types, &mut self.ref_id, text),
            "IDRegDocType" => insert(&mut self.doc_types, &mut self.ref_id, text),
            "PartyType" => insert(&mut self.party_types, &mut self.ref_id, text),
            "PartySubType" => {
                if let (Some(id), Some(party)) = (self.ref_id.take(), self.ref_attr.take()) {
                    self.subtypes.insert(id, (text.to_string(), party));
                }
            }
            "Value" => {
                if let Some(l) = self.loc.as_mut() {
                    l.2.push(text.to_string());
                }
            }
            "Location" => {
                if let Some((id, iso, values)) = self.loc.take() {
                    let iso =
                        iso.or_else(|| values.iter().find_map(|v| to_iso2(v).map(str::to_string)));
                    if let Some(iso) = iso {
                        self.locations.insert(id, iso);
                    }
                }
            }
            "IDRegistrationNo" => {
                if let Some(d) = self.doc.as_mut() {
                    d.1.number = text.to_string();
                }
            }
            "IDRegDocument" => {
                if let Some((id, d)) = self.doc.take()
                    && !d.number.is_empty()
                {
                    self.docs_by_identity.entry(id).or_default().push(d);
                }
            }
            "NamePartValue" => {
                if let (Some(n), Some(g)) = (self.docname.as_mut(), self.part_group.take())
                    && !text.is_empty()
                {
                    n.parts.push((g, text.to_string()));
                }
            }
            "DocumentedName" => {
                if let Some(n) = self.docname.take() {
                    self.names.push(n);
                }
            }
            "Identity" => self.finish_identity(),
            "VersionDetail" if !text.is_empty() => {
                self.detail = text.to_string();
            }
            "DatePeriod" => self.in_date = false,
            "FeatureVersion" => self.finish_version(),
            "Feature" => self.feature_type = None,
            "DistinctParty" => self.cur = None,
            "Comment" => {
                if let (Some(i), Some("1")) = (self.entry, self.measure_type.as_deref())
                    && let Some(e) = self.entities.get_mut(i)
                {
                    Entity::push_unique(&mut e.programs, text.to_string());
                }
            }
            "SanctionsMeasure" => self.measure_type = None,
            "SanctionsEntry" => self.entry = None,
            _ => {}
        }
        Ok(())
    }
}

fn insert(map: &mut FxHashMap<String, String>, id: &mut Option<String>, text: &str) {
    if let Some(id) = id.take() {
        map.insert(id, text.to_string());
    }
}

pub(super) fn parse(src: &Source<'_>, name: &str) -> Result<ParsedList, ScreenError> {
    let mut p = P::default();
    let r = src.open()?;
    xml::drive(r, &mut p).map_err(|e| xml::error(name, src, e))?;
    if p.doi.y.is_none() && p.entities.is_empty() {
        return Err(ScreenError::Parse {
            path: name.to_string(),
            line: 1,
            msg: "no `DateOfIssue` and no `DistinctParty`: not an OFAC advanced XML file".into(),
        });
    }
    let date_of_issue = match p.doi {
        Ymd {
            y: Some(y),
            m: Some(m),
            d: Some(d),
        } => Some(format!("{y:04}-{m:02}-{d:02}")),
        Ymd { y: Some(y), .. } => Some(format!("{y:04}")),
        _ => None,
    };
    let entities = p
        .entities
        .into_iter()
        .filter(|e| !e.name.is_empty())
        .collect();
    Ok(ParsedList {
        format: ListFormat::OfacAdvancedXml,
        list: ListFormat::OfacAdvancedXml.default_list().to_string(),
        date_of_issue,
        entities,
    })
}
