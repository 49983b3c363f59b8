//! Derivation of the compact catalog from LOLRMM entries, with the exclusion
//! rules that keep generic names out (documented in `docs/intel.md`).

use serde::{Deserialize, Serialize};

use super::norm::{domain_key, process_key, software_text};
pub use super::rules::{
    EXCLUDED_TOOLS, GENERIC_PROCESSES, GENERIC_SOFTWARE, SHARED_HOSTING, VENDOR_UMBRELLA,
};

/// The fields of one LOLRMM YAML entry that the catalog uses.
#[derive(Debug, Clone, Default)]
pub struct SourceTool {
    /// `Name`.
    pub name: String,
    /// `Category` (`RMM` or `RAT`).
    pub category: String,
    /// `Details.PEMetadata[].Filename` / `OriginalFileName` and the base names
    /// of `Details.InstallationPaths`.
    pub executables: Vec<String>,
    /// `Artifacts.Network[].Domains`.
    pub domains: Vec<String>,
}

/// One tool of the catalog, with normalised patterns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolData {
    pub name: String,
    pub category: String,
    /// Word sequences matched in software names (as [`software_text`]).
    pub software: Vec<String>,
    /// Process keys (as [`process_key`]).
    pub processes: Vec<String>,
    /// Exact domains, and `*.suffix` patterns matching the suffix and any
    /// name under it.
    pub domains: Vec<String>,
}

/// The catalog file (`data/rmm-catalog.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogData {
    pub source: String,
    pub licence: String,
    pub tools: Vec<ToolData>,
}

const MIN_PROCESS_LEN: usize = 4;
const MIN_SOFTWARE_LEN: usize = 4;

/// The process key of an executable if it passes the rules: an executable
/// (`.exe`, `.app` or no extension), no wildcard or placeholder, at most two
/// spaces, at least four characters, not generic.
pub fn process_pattern(exe: &str) -> Option<String> {
    let base = exe
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(exe)
        .trim()
        .to_lowercase();
    if base.is_empty()
        || base.contains(['*', '?', '[', '<', '(', '{'])
        || base.matches(' ').count() > 2
    {
        return None;
    }
    let ext_ok = match base.rsplit_once('.') {
        None => true,
        Some((stem, ext)) => matches!(ext, "exe" | "app") && !stem.is_empty(),
    };
    if !ext_ok {
        return None;
    }
    let mut key = String::new();
    process_key(&base, &mut key);
    let ok = key.chars().count() >= MIN_PROCESS_LEN
        && key.chars().any(char::is_alphabetic)
        && !GENERIC_PROCESSES.contains(&key.as_str());
    ok.then_some(key)
}

/// The software pattern of a tool name (its parenthesised part removed).
pub fn software_pattern(name: &str) -> Option<String> {
    let main = name.split('(').next().unwrap_or(name);
    let mut text = String::new();
    software_text(main, &mut text);
    let pattern = text.trim();
    let ok = pattern.chars().filter(|c| *c != ' ').count() >= MIN_SOFTWARE_LEN
        && !GENERIC_SOFTWARE.contains(&pattern);
    ok.then(|| pattern.to_string())
}

fn under(domain: &str, base: &str) -> bool {
    domain == base || domain.strip_suffix(base).is_some_and(|p| p.ends_with('.'))
}

/// The domain pattern of a LOLRMM domain entry: exact, or `*.suffix` where
/// the entry has a wildcard or a regular expression in its leftmost labels
/// (everything up to and including the last such label is replaced).
pub fn domain_pattern(entry: &str) -> Option<String> {
    let mut key = String::new();
    let cleaned = entry.replace("[a-f0-9]{8}", "*");
    if !domain_key(&cleaned, &mut key) && !key.contains('*') {
        return None;
    }
    if key
        .bytes()
        .any(|b| !(b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'*'))
    {
        return None;
    }
    let labels: Vec<&str> = key.split('.').collect();
    let last_wild = labels.iter().rposition(|l| l.contains('*'));
    let (wild, suffix) = match last_wild {
        Some(i) => (true, labels[i + 1..].join(".")),
        None => (false, key.clone()),
    };
    let parts: Vec<&str> = suffix.split('.').collect();
    if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let tld = parts[parts.len() - 1];
    if !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    // `*.co.uk`-like suffixes: two labels, the first a registry word.
    if wild && parts.len() == 2 && matches!(parts[0], "co" | "com" | "net" | "org" | "gov" | "ac") {
        return None;
    }
    if wild && SHARED_HOSTING.iter().any(|h| under(&suffix, h)) {
        return None;
    }
    if VENDOR_UMBRELLA.contains(&suffix.as_str()) || SHARED_HOSTING.contains(&suffix.as_str()) {
        return None;
    }
    Some(if wild { format!("*.{suffix}") } else { suffix })
}

/// Builds the catalog: drops excluded tools, merges entries with the same
/// software pattern (or the same name), keeps only patterns that pass the
/// rules, and sorts everything for stable output.
pub fn derive_catalog(mut entries: Vec<SourceTool>, source: &str) -> CatalogData {
    entries.sort_by_key(|e| e.name.to_lowercase());
    let mut tools: Vec<ToolData> = Vec::new();
    for e in entries {
        if EXCLUDED_TOOLS
            .iter()
            .any(|x| x.eq_ignore_ascii_case(e.name.trim()))
        {
            continue;
        }
        let software = software_pattern(&e.name);
        let mut processes: Vec<String> = e
            .executables
            .iter()
            .filter_map(|x| process_pattern(x))
            .collect();
        let mut domains: Vec<String> = e.domains.iter().filter_map(|d| domain_pattern(d)).collect();
        processes.sort();
        processes.dedup();
        domains.sort();
        domains.dedup();
        let existing = tools.iter_mut().find(|t| {
            t.name.eq_ignore_ascii_case(e.name.trim())
                || software.as_ref().is_some_and(|s| t.software.contains(s))
        });
        match existing {
            Some(t) => {
                t.processes.extend(processes);
                t.domains.extend(domains);
                t.processes.sort();
                t.processes.dedup();
                t.domains.sort();
                t.domains.dedup();
            }
            None => tools.push(ToolData {
                name: e.name.trim().to_string(),
                category: e.category.trim().to_string(),
                software: software.into_iter().collect(),
                processes,
                domains,
            }),
        }
    }
    tools.retain(|t| !(t.software.is_empty() && t.processes.is_empty() && t.domains.is_empty()));
    CatalogData {
        source: source.to_string(),
        licence: "Apache-2.0 (LOLRMM, see data/LOLRMM-LICENSE and data/LOLRMM-NOTICE)".into(),
        tools,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn process_rules() {
        assert_eq!(process_pattern("AnyDesk.exe").as_deref(), Some("anydesk"));
        assert_eq!(
            process_pattern(r"*\remoting_host.exe").as_deref(),
            Some("remoting_host")
        );
        assert_eq!(process_pattern("rustdesk").as_deref(), Some("rustdesk"));
        for generic in [
            "rundll32.exe",
            "svchost.exe",
            "python.exe",
            "powershell.exe",
            "dwm.exe",
            "rv.exe",
            "qq.exe",
            "rustdesk*.exe",
            "libeay32.dll",
            "setup.msi",
            "can't find this one at all",
            "agent",
        ] {
            assert_eq!(process_pattern(generic), None, "{generic}");
        }
    }

    #[test]
    fn software_rules() {
        assert_eq!(
            software_pattern("Chrome Remote Desktop").as_deref(),
            Some("chrome remote desktop")
        );
        assert_eq!(
            software_pattern("GoToAssist (GoTo Resolve)").as_deref(),
            Some("gotoassist")
        );
        assert_eq!(software_pattern("VNC"), None);
        assert_eq!(software_pattern("Level"), None);
    }

    #[test]
    fn domain_rules() {
        assert_eq!(
            domain_pattern("*.anydesk.com").as_deref(),
            Some("*.anydesk.com")
        );
        assert_eq!(
            domain_pattern("relay-[a-f0-9]{8}.net.anydesk.com:443").as_deref(),
            Some("*.net.anydesk.com")
        );
        assert_eq!(
            domain_pattern("boot.net.anydesk.com").as_deref(),
            Some("boot.net.anydesk.com")
        );
        assert_eq!(
            domain_pattern("rescue-list.*.logmein-gateway.com").as_deref(),
            Some("*.logmein-gateway.com")
        );
        assert_eq!(
            domain_pattern("remotedesktop.google.com").as_deref(),
            Some("remotedesktop.google.com")
        );
        assert_eq!(
            domain_pattern("*.remotedesktop.google.com").as_deref(),
            Some("*.remotedesktop.google.com")
        );
        for bad in [
            "*.zoho.com",
            "google.com",
            "pdqinstallers.*.r2.cloudflarestorage.com",
            "*.amazonaws.com",
            "*.co.uk",
            "<operator-configured glpi server>",
            "user_managed",
            "*.anydesk.*",
            "10.0.0.1",
        ] {
            assert_eq!(domain_pattern(bad), None, "{bad}");
        }
    }

    #[test]
    fn derive_merges_and_excludes() {
        let t = |name: &str, exes: &[&str], doms: &[&str]| SourceTool {
            name: name.into(),
            category: "RMM".into(),
            executables: exes.iter().map(|s| s.to_string()).collect(),
            domains: doms.iter().map(|s| s.to_string()).collect(),
        };
        let c = derive_catalog(
            vec![
                t("Splashtop", &["SRService.exe"], &["*.splashtop.com"]),
                t("PuTTY", &["putty.exe"], &[]),
                t("Splashtop (Beta)", &["strwinclt.exe"], &[]),
                t("Nothing", &["svchost.exe"], &["google.com"]),
            ],
            "test",
        );
        assert_eq!(c.tools.len(), 2);
        assert_eq!(c.tools[0].name, "Nothing");
        assert_eq!(c.tools[0].software, vec!["nothing"]);
        assert!(c.tools[0].processes.is_empty() && c.tools[0].domains.is_empty());
        assert_eq!(c.tools[1].processes, vec!["srservice", "strwinclt"]);
    }
}
