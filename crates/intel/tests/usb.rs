#![allow(clippy::unwrap_used)]
//! IP-KVM and jiggler detection.

use molehunt_intel::{WEAK_GADGET_LABEL, scan_jiggler_software, scan_usb};
use molehunt_model::{UsbDevice, UsbKind};

fn dev(v: &str, p: &str, m: &str, prod: &str, serial: &str) -> UsbDevice {
    let o = |s: &str| (!s.is_empty()).then(|| s.to_string());
    UsbDevice {
        vendor_id: o(v),
        product_id: o(p),
        manufacturer: o(m),
        product: o(prod),
        serial: o(serial),
    }
}

#[test]
fn known_kvms() {
    for (d, label) in [
        (
            dev(
                "1d6b",
                "0104",
                "PiKVM",
                "PiKVM Composite Device",
                "CAFEBABE",
            ),
            "PiKVM",
        ),
        (
            dev("0x1D6B", "0x0104", "", "Composite KVM Device", ""),
            "PiKVM",
        ),
        (dev("1d6b", "0104", "", "", "cafebabe"), "PiKVM"),
        (
            dev(
                "1d6b",
                "0104",
                "tinypilot",
                "Multifunction USB Device",
                "6b65796d696d6570690",
            ),
            "TinyPilot",
        ),
        (
            dev("1d6b", "0104", "", "Multifunction USB Device", ""),
            "TinyPilot",
        ),
        (
            dev("1d6b", "0104", "JetKVM", "USB Emulation Device", ""),
            "JetKVM",
        ),
        (
            dev("1d6b", "0104", "", "USB Emulation Device", ""),
            "JetKVM",
        ),
        (dev("3346", "1009", "GLKVM", "GLKVM", ""), "GLKVM"),
        (dev("", "", "Sipeed", "NanoKVM", ""), "NanoKVM"),
    ] {
        let hits = scan_usb(std::slice::from_ref(&d));
        assert_eq!(hits.len(), 1, "{d:?}");
        assert_eq!(
            (hits[0].kind, hits[0].label.as_str()),
            (UsbKind::Kvm, label),
            "{d:?}"
        );
        assert_ne!(hits[0].label, WEAK_GADGET_LABEL);
    }
}

#[test]
fn bare_gadget_id_is_weaker() {
    let hits = scan_usb(&[dev("1d6b", "0104", "Raspberry", "Pi Gadget", "123")]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].label, WEAK_GADGET_LABEL);
    assert!(hits[0].reason.contains("weaker"), "{}", hits[0].reason);
    assert!(hits[0].reason.contains("1d6b:0104"), "{}", hits[0].reason);
}

#[test]
fn ordinary_peripherals_do_not_match() {
    let devices = [
        dev("046d", "c52b", "Logitech", "USB Receiver", ""),
        dev("05ac", "024f", "Apple Inc.", "Magic Keyboard", "F0T123"),
        dev("046d", "085b", "Logitech", "C925e Webcam", ""),
        dev("1d6b", "0002", "Linux Foundation", "2.0 root hub", ""),
        dev(
            "1d6b",
            "0003",
            "Linux 6.1 xhci-hcd",
            "xHCI Host Controller",
            "",
        ),
        dev("045e", "07a5", "Microsoft", "Wireless Receiver 1461C", ""),
        dev("", "", "", "", ""),
        dev("zzzz", "0104", "", "Multifunction USB Device", ""),
    ];
    assert!(scan_usb(&devices).is_empty());
}

#[test]
fn jiggler_hardware_and_software() {
    let hits = scan_usb(&[dev("0e0f", "0003", "WiebeTech", "Mouse Jiggler MJ-3", "")]);
    assert_eq!(hits[0].kind, UsbKind::Jiggler);
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let hits = scan_jiggler_software(
        &s(&[
            "Mouse Jiggler 2.0",
            "Caffeine 1.9",
            "Slack",
            "Move Mouse 4.17",
        ]),
        &s(&["MouseJiggler.exe", "caffeine64.exe", "zoom.exe"]),
    );
    let labels: Vec<_> = hits.iter().map(|h| h.label.as_str()).collect();
    assert_eq!(
        labels,
        vec![
            "Mouse Jiggler",
            "Caffeine",
            "Move Mouse",
            "Mouse Jiggler",
            "Caffeine"
        ]
    );
    assert!(hits.iter().all(|h| h.kind == UsbKind::Jiggler));
    assert!(
        scan_jiggler_software(
            &s(&[
                "Google Chrome",
                "Zoom",
                "Microsoft Teams",
                "Jiggly Puff Game"
            ]),
            &s(&["python3"])
        )
        .is_empty()
    );
}
