//! UN Security Council consolidated list XML (`CONSOLIDATED_LIST` of `INDIVIDUAL` and `ENTITY`).

use quick_xml::events::BytesStart;

use super::Source;
use super::dates::parse_loose_date;
use super::xml::{self, Handler, attr};
use crate::ScreenError;
use crate::countries::to_iso2;
use crate::model::{Alias, Document, Entity, EntityType, ListFormat, ParsedList};

#[derive(Default)]
struct P {
    generated: Option<String>,
    seen_root: bool,
    entities: Vec<Entity>,
    cur: Option<Entity>,
    ref_no: String,
    data_id: String,
    name_parts: [String; 4],
    section: Section,
    alias: (String, String),
    dob_year_from: Option<i32>,
    doc: Document,
}

#[derive(Default, PartialEq, Clone, Copy)]
enum Section {
    #[default]
    None,
    Nationality,
    Alias,
    Address,
    Dob,
    Document,
}

impl Handler for P {
    fn start(&mut self, name: &str, e: &BytesStart<'_>) -> Result<(), String> {
        match name {
            "CONSOLIDATED_LIST" => {
                self.seen_root = true;
                self.generated = attr(e, "dateGenerated").map(|d| d.chars().take(10).collect());
            }
            "INDIVIDUAL" | "ENTITY" => {
                let mut ent = Entity::new("", "");
                ent.entity_type = Some(if name == "INDIVIDUAL" {
                    EntityType::Person
                } else {
                    EntityType::Organization
                });
                self.cur = Some(ent);
                self.ref_no.clear();
                self.data_id.clear();
                self.name_parts = Default::default();
            }
            "NATIONALITY" => self.section = Section::Nationality,
            "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => {
                self.section = Section::Alias;
                self.alias = Default::default();
            }
            "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" => self.section = Section::Address,
            "INDIVIDUAL_DATE_OF_BIRTH" => {
                self.section = Section::Dob;
                self.dob_year_from = None;
            }
            "INDIVIDUAL_DOCUMENT" => {
                self.section = Section::Document;
                self.doc = Document {
                    kind: String::new(),
                    number: String::new(),
                    country: None,
                };
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str, text: &str) -> Result<(), String> {
        let Some(e) = self.cur.as_mut() else {
            return Ok(());
        };
        let text = text.trim();
        match (self.section, name) {
            (_, "DATAID") => self.data_id = text.to_string(),
            (_, "REFERENCE_NUMBER") => self.ref_no = text.to_string(),
            (_, "FIRST_NAME") => self.name_parts[0] = text.to_string(),
            (_, "SECOND_NAME") => self.name_parts[1] = text.to_string(),
            (_, "THIRD_NAME") => self.name_parts[2] = text.to_string(),
            (_, "FOURTH_NAME") => self.name_parts[3] = text.to_string(),
            (_, "UN_LIST_TYPE") => Entity::push_unique(&mut e.programs, text.to_string()),
            (_, "NAME_ORIGINAL_SCRIPT") if !text.is_empty() => e.aliases.push(Alias {
                name: text.to_string(),
                strong: true,
            }),
            (Section::Nationality, "VALUE") => {
                if let Some(c) = to_iso2(text) {
                    Entity::push_unique(&mut e.nationalities, c.to_string());
                }
            }
            (Section::Alias, "QUALITY") => self.alias.0 = text.to_string(),
            (Section::Alias, "ALIAS_NAME") => self.alias.1 = text.to_string(),
            (Section::Alias, "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS") => {
                let (q, n) = std::mem::take(&mut self.alias);
                if !n.is_empty() {
                    e.aliases.push(Alias {
                        name: n,
                        strong: !q.eq_ignore_ascii_case("low"),
                    });
                }
                self.section = Section::None;
            }
            (Section::Address, "COUNTRY") => {
                if let Some(c) = to_iso2(text) {
                    Entity::push_unique(&mut e.address_countries, c.to_string());
                }
            }
            (Section::Dob, "DATE" | "YEAR") => {
                for d in parse_loose_date(text) {
                    Entity::push_unique(&mut e.dates_of_birth, d);
                }
            }
            (Section::Dob, "FROM_YEAR") => self.dob_year_from = text.parse().ok(),
            (Section::Dob, "TO_YEAR") => {
                if let (Some(a), Ok(b)) = (self.dob_year_from, text.parse::<i32>()) {
                    for d in parse_loose_date(&format!("{a} to {b}")) {
                        Entity::push_unique(&mut e.dates_of_birth, d);
                    }
                }
            }
            (Section::Document, "TYPE_OF_DOCUMENT") => self.doc.kind = text.to_string(),
            (Section::Document, "NUMBER") => self.doc.number = text.to_string(),
            (Section::Document, "ISSUING_COUNTRY" | "COUNTRY_OF_ISSUE") => {
                self.doc.country = to_iso2(text).map(str::to_string);
            }
            (Section::Document, "INDIVIDUAL_DOCUMENT") => {
                let d = std::mem::replace(
                    &mut self.doc,
                    Document {
                        kind: String::new(),
                        number: String::new(),
                        country: None,
                    },
                );
                if !d.number.is_empty() {
                    e.documents.push(d);
                }
                self.section = Section::None;
            }
            (
                _,
                "NATIONALITY"
                | "INDIVIDUAL_ADDRESS"
                | "ENTITY_ADDRESS"
                | "INDIVIDUAL_DATE_OF_BIRTH",
            ) => {
                self.section = Section::None;
            }
            (_, "INDIVIDUAL" | "ENTITY") => {
                if let Some(mut e) = self.cur.take() {
                    e.id = if self.ref_no.is_empty() {
                        self.data_id.clone()
                    } else {
                        self.ref_no.clone()
                    };
                    e.name = self
                        .name_parts
                        .iter()
                        .filter(|p| !p.is_empty())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ");
                    if e.id.is_empty() || e.name.is_empty() {
                        return Err(
                            "entry without `REFERENCE_NUMBER`/`DATAID` or without a name".into(),
                        );
                    }
                    self.entities.push(e);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

pub(super) fn parse(src: &Source<'_>, name: &str) -> Result<ParsedList, ScreenError> {
    let mut p = P::default();
    xml::drive(src.open()?, &mut p).map_err(|e| xml::error(name, src, e))?;
    if !p.seen_root {
        return Err(ScreenError::Parse {
            path: name.to_string(),
            line: 1,
            msg: "no `CONSOLIDATED_LIST` element: not a UN consolidated list".into(),
        });
    }
    Ok(ParsedList {
        format: ListFormat::UnXml,
        list: ListFormat::UnXml.default_list().to_string(),
        date_of_issue: p.generated,
        entities: p.entities,
    })
}
