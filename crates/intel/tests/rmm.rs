#![allow(clippy::unwrap_used)]
//! Remote-access tool matching on the bundled LOLRMM catalog.

use std::sync::OnceLock;

use molehunt_intel::RmmCatalog;
use molehunt_model::{RemoteToolHit, SeenIn};

fn catalog() -> &'static RmmCatalog {
    static CATALOG: OnceLock<RmmCatalog> = OnceLock::new();
    CATALOG.get_or_init(|| RmmCatalog::bundled().unwrap())
}

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn tools(hits: &[RemoteToolHit]) -> Vec<&str> {
    let mut t: Vec<&str> = hits.iter().map(|h| h.tool.as_str()).collect();
    t.sort();
    t.dedup();
    t
}

#[test]
fn finds_the_usual_tools_in_software() {
    for (software, tool) in [
        ("AnyDesk 8.0.9", "AnyDesk"),
        ("TeamViewer 15", "TeamViewer"),
        ("Chrome Remote Desktop Host", "Chrome Remote Desktop"),
        ("RustDesk 1.2.3", "RustDesk"),
        ("GoToMyPC", "GoToMyPC"),
        ("LogMeIn", "LogMeIn"),
        ("Splashtop Streamer", "Splashtop"),
        ("ScreenConnect Client (8a2b3c)", "ScreenConnect"),
    ] {
        let hits = catalog().scan(&v(&[software]), &[], &[]);
        assert!(tools(&hits).contains(&tool), "{software}: {hits:?}");
        assert!(
            hits.iter()
                .all(|h| h.seen_in == SeenIn::Software && h.matched == software)
        );
    }
}

#[test]
fn finds_processes_case_and_version_insensitively() {
    for (process, tool) in [
        ("anydesk.exe", "AnyDesk"),
        ("AnyDesk-8.0.9.exe", "AnyDesk"),
        ("TeamViewer_Service.exe", "TeamViewer"),
        (
            r"C:\Program Files (x86)\Google\Chrome Remote Desktop\CurrentVersion\remoting_host.exe",
            "Chrome Remote Desktop",
        ),
        ("rustdesk", "RustDesk"),
        ("ScreenConnect.ClientService.exe", "ScreenConnect"),
        ("SRServer.exe", "Splashtop"),
        ("LogMeIn.exe", "LogMeIn"),
    ] {
        let hits = catalog().scan(&[], &v(&[process]), &[]);
        assert!(tools(&hits).contains(&tool), "{process}: {hits:?}");
        assert!(hits.iter().all(|h| h.seen_in == SeenIn::Process));
    }
}

#[test]
fn finds_domains_with_wildcards() {
    for (domain, tool) in [
        ("relay-12.net.anydesk.com", "AnyDesk"),
        ("anydesk.com", "AnyDesk"),
        ("remotedesktop.google.com", "Chrome Remote Desktop"),
        ("edge.remotedesktop.google.com.", "Chrome Remote Desktop"),
        ("router15.teamviewer.com:443", "TeamViewer"),
        ("x.splashtop.com", "Splashtop"),
    ] {
        let hits = catalog().scan(&[], &[], &v(&[domain]));
        assert!(tools(&hits).contains(&tool), "{domain}: {hits:?}");
    }
}

#[test]
fn everyday_software_does_not_match() {
    let software = v(&[
        "Google Chrome",
        "Slack",
        "Zoom",
        "Microsoft Teams",
        "python3",
        "Visual Studio Code",
        "PuTTY 0.80",
        "WinSCP 6.1",
        "Tailscale",
        "Docker Desktop",
        "Microsoft Remote Desktop",
        "Git",
        "Node.js",
        "Sophos Endpoint Agent",
        "1Password",
        "Notion",
        "Level",
    ]);
    let processes = v(&[
        "chrome.exe",
        "slack.exe",
        "zoom.exe",
        "Teams.exe",
        "python3",
        "python.exe",
        "powershell.exe",
        "svchost.exe",
        "rundll32.exe",
        "explorer.exe",
        "mstsc.exe",
        "putty.exe",
        "ssh",
        "node",
        "Code.exe",
        "dwm.exe",
        "agent.exe",
    ]);
    let domains = v(&[
        "www.google.com",
        "google.com",
        "slack.com",
        "zoom.us",
        "teams.microsoft.com",
        "s3.amazonaws.com",
        "github.com",
        "mail.zoho.com",
        "login.microsoftonline.com",
    ]);
    let hits = catalog().scan(&software, &processes, &domains);
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn one_hit_per_tool_and_place() {
    let hits = catalog().scan(
        &v(&["AnyDesk", "AnyDesk 8.0.9"]),
        &v(&["anydesk.exe", "AnyDesk"]),
        &v(&["boot.net.anydesk.com", "relay-1.net.anydesk.com"]),
    );
    let anydesk: Vec<_> = hits.iter().filter(|h| h.tool == "AnyDesk").collect();
    assert_eq!(anydesk.len(), 3, "{hits:?}");
    assert_eq!(anydesk[0].matched, "AnyDesk");
    assert_eq!(anydesk[1].matched, "anydesk.exe");
    assert_eq!(anydesk[2].matched, "boot.net.anydesk.com");
}

#[test]
fn several_tools_at_once() {
    let hits = catalog().scan(&v(&["AnyDesk", "TeamViewer", "Zoom"]), &[], &[]);
    assert_eq!(tools(&hits), vec!["AnyDesk", "TeamViewer"]);
}

#[test]
fn longer_name_wins_inside_one_value() {
    let hits = catalog().scan(&v(&["Splashtop Remote Server"]), &[], &[]);
    assert!(tools(&hits).contains(&"Splashtop Remote"), "{hits:?}");
    assert!(!tools(&hits).contains(&"Splashtop"), "{hits:?}");
}

#[test]
fn catalog_json_errors() {
    assert!(
        RmmCatalog::from_json("{", "x.json")
            .unwrap_err()
            .to_string()
            .contains("x.json")
    );
    let bad = r#"{"source":"s","licence":"l","tools":[{"name":"T","category":"RMM","software":[],"processes":[],"domains":["no spaces allowed.com x"]}]}"#;
    assert!(RmmCatalog::from_json(bad, "x.json").is_err());
    assert!(catalog().tools().len() > 200);
    assert!(catalog().source().contains("LOLRMM"));
}
