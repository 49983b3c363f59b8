//! The indexed catalog and the scan of software, processes and domains.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use molehunt_model::{RemoteToolHit, SeenIn};
use rustc_hash::FxHashMap;

use super::derive::{CatalogData, ToolData};
use super::norm::{domain_key, process_key, software_text};
use crate::IntelError;

static BUNDLED: &str = include_str!("../../data/rmm-catalog.json");

/// One remote-access tool of the catalog.
pub type RmmTool = ToolData;

/// Remote-access tools indexed for matching: an Aho-Corasick automaton over
/// software-name word sequences, and hash maps for process keys, exact
/// domains and wildcard domain suffixes.
#[derive(Debug, Clone)]
pub struct RmmCatalog {
    source: String,
    tools: Vec<RmmTool>,
    software: AhoCorasick,
    /// Per software pattern: its length in bytes and the tools it names.
    software_tools: Vec<(usize, Vec<u32>)>,
    processes: FxHashMap<String, Vec<u32>>,
    exact_domains: FxHashMap<String, Vec<u32>>,
    wildcard_domains: FxHashMap<String, Vec<u32>>,
}

impl RmmCatalog {
    /// The bundled catalog (`data/rmm-catalog.json`, derived from LOLRMM).
    pub fn bundled() -> Result<Self, IntelError> {
        Self::from_json(BUNDLED, "bundled rmm-catalog.json")
    }

    /// A catalog in the `rmm-catalog.json` format.
    pub fn from_json(json: &str, name: &str) -> Result<Self, IntelError> {
        let data: CatalogData = serde_json::from_str(json).map_err(|e| IntelError::Catalog {
            name: name.to_string(),
            reason: e.to_string(),
        })?;
        Self::new(data, name)
    }

    /// Indexes catalog data.
    pub fn new(data: CatalogData, name: &str) -> Result<Self, IntelError> {
        let mut patterns: Vec<String> = Vec::new();
        let mut software_tools: Vec<(usize, Vec<u32>)> = Vec::new();
        let mut pattern_index: FxHashMap<String, usize> = FxHashMap::default();
        let mut processes: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut exact_domains: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut wildcard_domains: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut buf = String::new();
        for (id, tool) in data.tools.iter().enumerate() {
            let id = id as u32;
            for s in &tool.software {
                software_text(s, &mut buf);
                if buf.trim().is_empty() {
                    continue;
                }
                let i = *pattern_index.entry(buf.clone()).or_insert_with(|| {
                    patterns.push(buf.clone());
                    software_tools.push((buf.len(), Vec::new()));
                    patterns.len() - 1
                });
                push_unique(&mut software_tools[i].1, id);
            }
            for p in &tool.processes {
                process_key(p, &mut buf);
                if !buf.is_empty() {
                    push_unique(processes.entry(buf.clone()).or_default(), id);
                }
            }
            for d in &tool.domains {
                let (map, text) = match d.strip_prefix("*.") {
                    Some(suffix) => (&mut wildcard_domains, suffix),
                    None => (&mut exact_domains, d.as_str()),
                };
                if !domain_key(text, &mut buf) || buf.contains('*') {
                    return Err(IntelError::Catalog {
                        name: name.to_string(),
                        reason: format!("tool `{}`: bad domain pattern `{d}`", tool.name),
                    });
                }
                push_unique(map.entry(buf.clone()).or_default(), id);
            }
        }
        let software = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| IntelError::Catalog {
                name: name.to_string(),
                reason: e.to_string(),
            })?;
        Ok(RmmCatalog {
            source: data.source,
            tools: data.tools,
            software,
            software_tools,
            processes,
            exact_domains,
            wildcard_domains,
        })
    }

    /// Where the catalog comes from (LOLRMM commit).
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn tools(&self) -> &[RmmTool] {
        &self.tools
    }

    /// The tool of this catalog name.
    pub fn tool(&self, name: &str) -> Option<&RmmTool> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// Finds remote-access tools in a device's inventory: one hit per tool
    /// and place (software, process, domain), with the first value that
    /// matched, in input order.
    pub fn scan(
        &self,
        software: &[String],
        processes: &[String],
        domains: &[String],
    ) -> Vec<RemoteToolHit> {
        let mut hits = Vec::new();
        let mut seen: Vec<(u32, SeenIn)> = Vec::new();
        let mut buf = String::new();
        let mut found: Vec<u32> = Vec::new();
        let mut add = |hits: &mut Vec<RemoteToolHit>, found: &[u32], value: &str, place: SeenIn| {
            for &id in found {
                if seen.contains(&(id, place)) {
                    continue;
                }
                seen.push((id, place));
                if let Some(tool) = self.tools.get(id as usize) {
                    hits.push(RemoteToolHit {
                        tool: tool.name.clone(),
                        matched: value.to_string(),
                        seen_in: place,
                    });
                }
            }
        };
        for value in software {
            self.match_software(value, &mut buf, &mut found);
            add(&mut hits, &found, value, SeenIn::Software);
        }
        for value in processes {
            self.match_process(value, &mut buf, &mut found);
            add(&mut hits, &found, value, SeenIn::Process);
        }
        for value in domains {
            self.match_domain(value, &mut buf, &mut found);
            add(&mut hits, &found, value, SeenIn::Domain);
        }
        hits
    }

    /// Tools named in one software inventory entry: whole-word matches of
    /// the tool names; a match inside a longer match is dropped
    /// (`Splashtop Remote` names `Splashtop Remote`, not `Splashtop`).
    fn match_software(&self, value: &str, buf: &mut String, found: &mut Vec<u32>) {
        found.clear();
        software_text(value, buf);
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for m in self.software.find_overlapping_iter(buf.as_str()) {
            spans.push((m.start(), m.end(), m.pattern().as_usize()));
        }
        for &(s, e, p) in &spans {
            let inside = spans
                .iter()
                .any(|&(s2, e2, p2)| p2 != p && s2 <= s && e <= e2 && (e2 - s2) > (e - s));
            if inside {
                continue;
            }
            if let Some((_, ids)) = self.software_tools.get(p) {
                ids.iter().for_each(|&id| push_unique(found, id));
            }
        }
    }

    fn match_process(&self, value: &str, buf: &mut String, found: &mut Vec<u32>) {
        found.clear();
        process_key(value, buf);
        if let Some(ids) = self.processes.get(buf.as_str()) {
            found.extend_from_slice(ids);
        }
    }

    fn match_domain(&self, value: &str, buf: &mut String, found: &mut Vec<u32>) {
        found.clear();
        if !domain_key(value, buf) {
            return;
        }
        if let Some(ids) = self.exact_domains.get(buf.as_str()) {
            found.extend_from_slice(ids);
        }
        let mut rest = buf.as_str();
        loop {
            if let Some(ids) = self.wildcard_domains.get(rest) {
                ids.iter().for_each(|&id| push_unique(found, id));
            }
            match rest.split_once('.') {
                Some((_, tail)) if tail.contains('.') => rest = tail,
                _ => break,
            }
        }
    }
}

fn push_unique(v: &mut Vec<u32>, id: u32) {
    if !v.contains(&id) {
        v.push(id);
    }
}
