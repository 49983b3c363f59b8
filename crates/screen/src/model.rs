//! The list entities every parser produces and the store persists.

use serde::{Deserialize, Serialize};

/// What a list entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityType {
    Person,
    Organization,
    Vessel,
    Aircraft,
}

impl EntityType {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "person",
            EntityType::Organization => "organization",
            EntityType::Vessel => "vessel",
            EntityType::Aircraft => "aircraft",
        }
    }

    /// Parses `person`, `individual`, `organization`/`organisation`/`entity`/`company`,
    /// `vessel`, `aircraft` (case-insensitive).
    pub fn parse(s: &str) -> Option<EntityType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "person" | "individual" | "p" => Some(EntityType::Person),
            "organization" | "organisation" | "entity" | "company" | "org" | "legalentity" => {
                Some(EntityType::Organization)
            }
            "vessel" => Some(EntityType::Vessel),
            "aircraft" | "airplane" => Some(EntityType::Aircraft),
            _ => None,
        }
    }
}

impl std::fmt::Display for EntityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EntityType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntityType::parse(s).ok_or_else(|| format!("unknown entity type `{s}`"))
    }
}

/// One name of an entity besides its primary name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    /// OFAC "strong" a.k.a. (false for OFAC low-quality/weak a.k.a.).
    pub strong: bool,
}

/// A crypto wallet address listed for an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    /// Chain or currency code as the list gives it (XBT, ETH, USDT ...).
    pub chain: String,
    pub address: String,
}

/// An identity document (passport, national id, registration number ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: String,
    pub number: String,
    /// ISO 3166 alpha-2 of the issuing country, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// One list entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Identifier within the list (OFAC ent_num / FixedRef, UN reference number, FtM id).
    pub id: String,
    pub entity_type: Option<EntityType>,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<Alias>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default)]
    pub dates_of_birth: Vec<String>,
    /// ISO alpha-2 (upper case).
    #[serde(default)]
    pub nationalities: Vec<String>,
    #[serde(default)]
    pub citizenships: Vec<String>,
    #[serde(default)]
    pub address_countries: Vec<String>,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub programs: Vec<String>,
    #[serde(default)]
    pub wallets: Vec<Wallet>,
}

impl Entity {
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Entity {
        Entity {
            id: id.into(),
            entity_type: None,
            name: name.into(),
            aliases: Vec::new(),
            dates_of_birth: Vec::new(),
            nationalities: Vec::new(),
            citizenships: Vec::new(),
            address_countries: Vec::new(),
            documents: Vec::new(),
            programs: Vec::new(),
            wallets: Vec::new(),
        }
    }

    /// Every country the entity is tied to (nationality, citizenship, address).
    pub fn countries(&self) -> impl Iterator<Item = &str> {
        self.nationalities
            .iter()
            .chain(&self.citizenships)
            .chain(&self.address_countries)
            .map(String::as_str)
    }

    /// Adds `v` to `list` unless already present (lists keep file order).
    pub(crate) fn push_unique(list: &mut Vec<String>, v: String) {
        if !v.is_empty() && !list.contains(&v) {
            list.push(v);
        }
    }
}

/// Source format of a list file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListFormat {
    OfacAdvancedXml,
    OfacCsv,
    UnXml,
    FtmJson,
}

impl ListFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ListFormat::OfacAdvancedXml => "ofac_advanced_xml",
            ListFormat::OfacCsv => "ofac_csv",
            ListFormat::UnXml => "un_xml",
            ListFormat::FtmJson => "ftm_json",
        }
    }

    pub fn parse(s: &str) -> Option<ListFormat> {
        [
            ListFormat::OfacAdvancedXml,
            ListFormat::OfacCsv,
            ListFormat::UnXml,
            ListFormat::FtmJson,
        ]
        .into_iter()
        .find(|f| f.as_str() == s)
    }

    /// The list name an import of this format replaces by default.
    pub fn default_list(self) -> &'static str {
        match self {
            ListFormat::OfacAdvancedXml => "us_ofac_sdn",
            ListFormat::OfacCsv => "us_ofac_sdn_csv",
            ListFormat::UnXml => "un_sc_sanctions",
            ListFormat::FtmJson => "opensanctions",
        }
    }
}

/// A parsed list file.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedList {
    pub format: ListFormat,
    /// Suggested list name (format default, or the FtM dataset).
    pub list: String,
    /// Date of issue as `YYYY-MM-DD` when the file states one.
    pub date_of_issue: Option<String>,
    pub entities: Vec<Entity>,
}

/// Counts of a list, as `lists import` and `lists show` print them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCounts {
    pub entities: usize,
    /// All names: one primary name per entity plus its aliases.
    pub names: usize,
    pub aliases: usize,
    pub wallets: usize,
    pub documents: usize,
}

impl ListCounts {
    pub fn of(entities: &[Entity]) -> ListCounts {
        let mut c = ListCounts {
            entities: entities.len(),
            ..ListCounts::default()
        };
        for e in entities {
            c.aliases += e.aliases.len();
            c.wallets += e.wallets.len();
            c.documents += e.documents.len();
        }
        c.names = c.entities + c.aliases;
        c
    }
}
