//! IP-KVM and mouse-jiggler hardware (USB descriptors) and jiggler software.
//!
//! Sources are listed in `docs/intel.md`. Matching is case-insensitive on
//! the descriptor strings; vendor and product ids are compared as numbers
//! (`1d6b`, `0x1D6B` and `1D6B` are equal).

use molehunt_model::{UsbDevice, UsbHit, UsbKind};

use crate::rmm::norm::{process_key, software_text};

/// The label of a hit on the Linux Foundation multifunction composite
/// gadget id `1d6b:0104` without any known KVM string: weaker evidence (the
/// id is the default of every Linux USB gadget, IP-KVMs included).
pub const WEAK_GADGET_LABEL: &str = "Linux USB gadget";

const LINUX_FOUNDATION: u16 = 0x1d6b;
const MULTIFUNCTION_GADGET: u16 = 0x0104;

/// Product or manufacturer substrings naming an IP-KVM, with its label.
const KVM_NAMES: &[(&str, &str)] = &[
    ("pikvm", "PiKVM"),
    ("composite kvm device", "PiKVM"),
    ("tinypilot", "TinyPilot"),
    ("jetkvm", "JetKVM"),
    ("glkvm", "GLKVM"),
    ("gl-kvm", "GLKVM"),
    ("nanokvm", "NanoKVM"),
    ("blikvm", "BliKVM"),
];

/// Strings that name a KVM only together with the `1d6b:0104` gadget id.
const GADGET_PRODUCTS: &[(&str, &str)] = &[
    ("multifunction usb device", "TinyPilot"),
    ("usb emulation device", "JetKVM"),
];

/// The PiKVM default gadget serial number.
const PIKVM_SERIAL: &str = "cafebabe";

/// Descriptor substrings of hardware mouse jigglers.
const JIGGLER_DEVICE_WORDS: &[&str] =
    &["jiggler", "jiggle", "wiggler", "mouse mover", "mousemover"];

/// Jiggler and keep-awake software names (word sequences, as matched in
/// software inventory) with labels.
const JIGGLER_SOFTWARE: &[(&str, &str)] = &[
    ("mouse jiggler", "Mouse Jiggler"),
    ("mousejiggler", "Mouse Jiggler"),
    ("mouse jiggle", "Mouse Jiggler"),
    ("jiggler", "Jiggler"),
    ("move mouse", "Move Mouse"),
    ("movemouse", "Move Mouse"),
    ("mouse mover", "Mouse Mover"),
    ("caffeine", "Caffeine"),
    ("amphetamine", "Amphetamine"),
    ("keepingyouawake", "KeepingYouAwake"),
];

/// Jiggler process keys (as `process_key`) with labels.
const JIGGLER_PROCESSES: &[(&str, &str)] = &[
    ("mousejiggler", "Mouse Jiggler"),
    ("mousejiggle", "Mouse Jiggler"),
    ("mouse jiggler", "Mouse Jiggler"),
    ("jiggler", "Jiggler"),
    ("movemouse", "Move Mouse"),
    ("move mouse", "Move Mouse"),
    ("mousemover", "Mouse Mover"),
    ("caffeine", "Caffeine"),
    ("caffeine64", "Caffeine"),
    ("caffeine32", "Caffeine"),
    ("amphetamine", "Amphetamine"),
    ("keepingyouawake", "KeepingYouAwake"),
];

/// A USB id as a number: `1d6b`, `0x1D6B`.
fn usb_id(text: Option<&str>) -> Option<u16> {
    let t = text?.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    u16::from_str_radix(t, 16).ok()
}

fn describe(d: &UsbDevice) -> String {
    let mut parts = Vec::new();
    if let (Some(v), Some(p)) = (
        usb_id(d.vendor_id.as_deref()),
        usb_id(d.product_id.as_deref()),
    ) {
        parts.push(format!("{v:04x}:{p:04x}"));
    }
    for (name, value) in [
        ("manufacturer", &d.manufacturer),
        ("product", &d.product),
        ("serial", &d.serial),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            parts.push(format!("{name} \"{}\"", v.trim()));
        }
    }
    parts.join(", ")
}

/// Checks one device: `Some(hit)` for an IP-KVM or a jiggler.
pub fn classify_usb(d: &UsbDevice) -> Option<UsbHit> {
    let lower = |v: &Option<String>| v.as_deref().unwrap_or("").to_lowercase();
    let (manufacturer, product, serial) =
        (lower(&d.manufacturer), lower(&d.product), lower(&d.serial));
    let gadget = usb_id(d.vendor_id.as_deref()) == Some(LINUX_FOUNDATION)
        && usb_id(d.product_id.as_deref()) == Some(MULTIFUNCTION_GADGET);
    let strings = [manufacturer.as_str(), product.as_str()];
    let hit = |kind, label: &str, why: &str| {
        Some(UsbHit {
            kind,
            label: label.to_string(),
            reason: format!("{why}: {}", describe(d)),
        })
    };
    if let Some((_, label)) = KVM_NAMES
        .iter()
        .find(|(n, _)| strings.iter().any(|s| s.contains(n)))
    {
        let why = if gadget {
            "IP-KVM strings on the Linux gadget id"
        } else {
            "IP-KVM strings"
        };
        return hit(UsbKind::Kvm, label, why);
    }
    if gadget {
        if let Some((_, label)) = GADGET_PRODUCTS.iter().find(|(n, _)| product.trim() == *n) {
            return hit(
                UsbKind::Kvm,
                label,
                "IP-KVM gadget product string on the Linux gadget id",
            );
        }
        if serial.trim() == PIKVM_SERIAL {
            return hit(
                UsbKind::Kvm,
                "PiKVM",
                "PiKVM default serial on the Linux gadget id",
            );
        }
        if strings
            .iter()
            .any(|s| s.split(|c: char| !c.is_alphanumeric()).any(|w| w == "kvm"))
        {
            return hit(
                UsbKind::Kvm,
                "IP-KVM",
                "\"KVM\" in the strings of the Linux gadget id",
            );
        }
    }
    if JIGGLER_DEVICE_WORDS
        .iter()
        .any(|w| strings.iter().any(|s| s.contains(w)))
    {
        return hit(UsbKind::Jiggler, "Mouse jiggler", "jiggler strings");
    }
    if gadget {
        return hit(
            UsbKind::Kvm,
            WEAK_GADGET_LABEL,
            "Linux Foundation multifunction composite gadget id without known KVM strings (weaker evidence)",
        );
    }
    None
}

/// Whether padded software text (`" a b c "`) holds the words of `pattern`.
fn contains_words(text: &str, pattern: &str) -> bool {
    text.match_indices(pattern)
        .any(|(i, _)| text[..i].ends_with(' ') && text[i + pattern.len()..].starts_with(' '))
}

/// IP-KVMs and jigglers among a device's USB devices, one hit per device
/// that matches, identical hits merged.
pub fn scan_usb(devices: &[UsbDevice]) -> Vec<UsbHit> {
    let mut hits: Vec<UsbHit> = Vec::new();
    for hit in devices.iter().filter_map(classify_usb) {
        if !hits.contains(&hit) {
            hits.push(hit);
        }
    }
    hits
}

/// Jiggler and keep-awake software in a device's software inventory and
/// running processes: one hit per label and place.
pub fn scan_jiggler_software(software: &[String], processes: &[String]) -> Vec<UsbHit> {
    let mut hits: Vec<UsbHit> = Vec::new();
    let mut seen: Vec<(&str, bool)> = Vec::new();
    let mut buf = String::new();
    for value in software {
        software_text(value, &mut buf);
        for (pattern, label) in JIGGLER_SOFTWARE {
            if !contains_words(&buf, pattern) {
                continue;
            }
            if !seen.contains(&(label, true)) {
                seen.push((label, true));
                hits.push(UsbHit {
                    kind: UsbKind::Jiggler,
                    label: (*label).to_string(),
                    reason: format!("software \"{}\"", value.trim()),
                });
            }
            break;
        }
    }
    for value in processes {
        process_key(value, &mut buf);
        if let Some((_, label)) = JIGGLER_PROCESSES.iter().find(|(p, _)| *p == buf)
            && !seen.contains(&(label, false))
        {
            seen.push((label, false));
            hits.push(UsbHit {
                kind: UsbKind::Jiggler,
                label: (*label).to_string(),
                reason: format!("process \"{}\"", value.trim()),
            });
        }
    }
    hits
}
