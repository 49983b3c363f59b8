//! Lookup and scan speed. Run: `cargo bench -p molehunt-intel`.
//!
//! Baselines in the same run: `hash_u32` (one FxHashMap probe) for the IP
//! lookups, and `lowercase_values` (lowercasing the same inventory) for the
//! catalog scan.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use molehunt_intel::{IpIntel, RmmCatalog, scan_usb};
use molehunt_model::UsbDevice;

/// Deterministic pseudo-random addresses (xorshift).
fn addresses(n: usize) -> Vec<IpAddr> {
    let mut x = 0x9e37_79b9_u32;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            IpAddr::V4(Ipv4Addr::from(x))
        })
        .collect()
}

fn ip(c: &mut Criterion) {
    let t = std::time::Instant::now();
    let intel = IpIntel::bundled().expect("bundled data");
    eprintln!("IpIntel::bundled() decoded in {:?}", t.elapsed());
    let ips = addresses(512);
    let mut g = c.benchmark_group("ip");
    g.throughput(Throughput::Elements(ips.len() as u64));
    g.bench_function("lookup_ref", |b| {
        b.iter(|| {
            let mut n = 0u32;
            for &a in &ips {
                n = n.wrapping_add(intel.lookup_ref(black_box(a)).asn.unwrap_or(0));
            }
            n
        })
    });
    g.bench_function("lookup_owned", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for &a in &ips {
                n += intel.lookup(black_box(a)).as_org.map_or(0, |s| s.len());
            }
            n
        })
    });
    let map: rustc_hash::FxHashMap<u32, u32> = (0..400_000u32)
        .map(|i| (i.wrapping_mul(2654435761), i))
        .collect();
    g.bench_function("baseline_hash_u32", |b| {
        b.iter(|| {
            let mut n = 0u32;
            for &a in &ips {
                let IpAddr::V4(v4) = a else { continue };
                n = n.wrapping_add(*map.get(&u32::from(black_box(v4))).unwrap_or(&0));
            }
            n
        })
    });
    g.finish();
    c.bench_function("ip/bundled_decode", |b| {
        b.iter(|| IpIntel::bundled().expect("bundled"))
    });
}

fn inventory() -> (Vec<String>, Vec<String>, Vec<String>) {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    (
        s(&[
            "Google Chrome 120.0",
            "Slack 4.36",
            "Zoom 5.17",
            "Microsoft Teams",
            "Visual Studio Code",
            "Docker Desktop 4.26",
            "Git 2.43",
            "Python 3.12",
            "1Password 8",
            "AnyDesk 8.0.9",
            "Notion",
            "Spotify",
            "Microsoft Office 365",
            "Postman",
            "Node.js 20",
        ]),
        s(&[
            "chrome.exe",
            "slack.exe",
            "zoom.exe",
            "Teams.exe",
            "Code.exe",
            "python3",
            "svchost.exe",
            "explorer.exe",
            "dwm.exe",
            "AnyDesk.exe",
            "node.exe",
            "docker.exe",
            "git.exe",
            "OneDrive.exe",
            "spotify.exe",
            "postman.exe",
            "1password.exe",
            "msedge.exe",
        ]),
        s(&[
            "www.google.com",
            "slack.com",
            "zoom.us",
            "teams.microsoft.com",
            "github.com",
            "relay-1.net.anydesk.com",
            "api.spotify.com",
            "registry.npmjs.org",
            "pypi.org",
            "s3.amazonaws.com",
        ]),
    )
}

fn rmm(c: &mut Criterion) {
    let t = std::time::Instant::now();
    let catalog = RmmCatalog::bundled().expect("bundled catalog");
    eprintln!("RmmCatalog::bundled() built in {:?}", t.elapsed());
    let (software, processes, domains) = inventory();
    let values = (software.len() + processes.len() + domains.len()) as u64;
    let mut g = c.benchmark_group("rmm");
    g.throughput(Throughput::Elements(values));
    g.bench_function("scan_report", |b| {
        b.iter(|| {
            catalog.scan(
                black_box(&software),
                black_box(&processes),
                black_box(&domains),
            )
        })
    });
    g.bench_function("baseline_lowercase_values", |b| {
        b.iter(|| {
            let mut n = 0;
            for v in software.iter().chain(&processes).chain(&domains) {
                n += black_box(v).to_lowercase().len();
            }
            n
        })
    });
    g.finish();
    let usb = vec![
        UsbDevice {
            vendor_id: Some("046d".into()),
            product_id: Some("c52b".into()),
            manufacturer: Some("Logitech".into()),
            product: Some("USB Receiver".into()),
            serial: None,
        };
        4
    ];
    c.bench_function("usb/scan_4_devices", |b| {
        b.iter(|| scan_usb(black_box(&usb)))
    });
}

criterion_group!(benches, ip, rmm);
criterion_main!(benches);
