//! Regenerates the bundled data of `molehunt-intel` from the source files.
//!
//! ```text
//! cargo run --release -p molehunt-intel --example regen-data -- ../shared/data
//! ```
//!
//! Reads `<data>/ipintel/{asn-ipv4.csv.gz, geo-whois-asn-country-ipv4.mmdb,
//! datacenter_asn.txt, vpn_asn.txt, vpn_ipv4.txt}` and `<data>/lolrmm/yaml/`,
//! writes `crates/intel/data/ipintel-v4.bin.gz` and
//! `crates/intel/data/rmm-catalog.json` (or into the directory given as the
//! second argument). See `docs/intel.md`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use molehunt_intel::IpIntel;
use molehunt_intel::rmm::derive::{SourceTool, derive_catalog};
use serde_norway::Value;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(src) = args.first() else {
        eprintln!("usage: regen-data SHARED_DATA_DIR [OUT_DIR]");
        return ExitCode::from(2);
    };
    let out = args.get(1).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        PathBuf::from,
    );
    match run(Path::new(src), &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("regen-data: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(src: &Path, out: &Path) -> Res<()> {
    regen_ip(&src.join("ipintel"), out)?;
    regen_rmm(&src.join("lolrmm"), out)?;
    Ok(())
}

fn regen_ip(dir: &Path, out: &Path) -> Res<()> {
    let t = std::time::Instant::now();
    let mut intel = IpIntel::empty();
    let rows = intel.load_asn_csv(dir.join("asn-ipv4.csv.gz"))?;
    let mm = intel.load_mmdb(dir.join("geo-whois-asn-country-ipv4.mmdb"))?;
    let dc = intel.load_hosting_asns(dir.join("datacenter_asn.txt"))?;
    let vpa = intel.load_vpn_asns(dir.join("vpn_asn.txt"))?;
    let vpr = intel.load_vpn_ranges(dir.join("vpn_ipv4.txt"))?;
    eprintln!(
        "read {rows} ASN rows, {} country networks, {dc} hosting ASNs, {vpa} VPN ASNs, {vpr} VPN ranges in {:?}",
        mm.country_networks,
        t.elapsed()
    );
    let bytes = intel.to_compact();
    let back = IpIntel::from_compact(&bytes, "regenerated")?;
    if back.stats() != intel.stats() {
        return Err(format!(
            "round trip differs: {:?} vs {:?}",
            back.stats(),
            intel.stats()
        )
        .into());
    }
    let path = out.join("ipintel-v4.bin.gz");
    std::fs::write(&path, &bytes)?;
    eprintln!(
        "wrote {} ({} bytes): {:?}",
        path.display(),
        bytes.len(),
        intel.stats()
    );
    Ok(())
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(items)) => items.iter().flat_map(|i| strings(Some(i))).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Number(n)) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

fn source_tool(doc: &Value) -> SourceTool {
    let details = doc.get("Details");
    let mut executables = Vec::new();
    let pe = details.and_then(|d| d.get("PEMetadata"));
    let pe_items: Vec<&Value> = match pe {
        Some(Value::Sequence(items)) => items.iter().collect(),
        Some(v @ Value::Mapping(_)) => vec![v],
        _ => Vec::new(),
    };
    for item in pe_items {
        executables.extend(strings(item.get("Filename")));
        executables.extend(strings(item.get("OriginalFileName")));
    }
    executables.extend(strings(details.and_then(|d| d.get("InstallationPaths"))));
    let mut domains = Vec::new();
    if let Some(Value::Sequence(net)) = doc.get("Artifacts").and_then(|a| a.get("Network")) {
        for n in net {
            domains.extend(strings(n.get("Domains")));
        }
    }
    SourceTool {
        name: strings(doc.get("Name")).join(" "),
        category: strings(doc.get("Category")).join(" "),
        executables,
        domains,
    }
}

fn regen_rmm(dir: &Path, out: &Path) -> Res<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("yaml"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    let mut tools = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f)?;
        let doc: Value =
            serde_norway::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        tools.push(source_tool(&doc));
    }
    let source = std::fs::read_to_string(dir.join("SOURCE.txt"))
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or("LOLRMM")
        .to_string();
    let catalog = derive_catalog(tools, &source);
    let mut json = serde_json::to_string_pretty(&catalog)?;
    json.push('\n');
    let path = out.join("rmm-catalog.json");
    std::fs::write(&path, &json)?;
    eprintln!(
        "wrote {} ({} bytes): {} tools from {} LOLRMM files",
        path.display(),
        json.len(),
        catalog.tools.len(),
        files.len()
    );
    Ok(())
}
