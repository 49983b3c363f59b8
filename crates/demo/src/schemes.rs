//! Schemes modelled on the public cases (DOJ laptop-farm indictments, the
//! FBI/State advisories, Mandiant UNC5267, the KnowBe4 hire):
//! - a US laptop farm run by a facilitator for several stolen identities;
//! - a freelance-platform ring paid in crypto;
//! - one operator behind several identities;
//! - a lone hire showing few signals.

use molehunt_model::{Address, HiredVia, PayMethod, UsbDevice, Video, Wallet};

use crate::mrz;
use crate::people::ordinary;
use crate::rng::Rng;
use crate::worker::{IpChoice, Worker};
use crate::world::{self, CN_UNICOM, HOSTING, VPN_US};

/// Members of one scheme.
pub struct Built {
    pub name: String,
    pub kind: String,
    pub workers: Vec<Worker>,
}

fn us() -> &'static world::Country {
    world::country("US")
}

/// Asian working hours (UTC+9 business day, from 10:00), every day.
fn asia_hours(w: &mut Worker, offset_min: i32) {
    w.work_offset_min = offset_min;
    w.work_start_hour = 10;
    w.work_hours = 9;
    w.weekends = true;
    w.activity_per_day = 3;
}

fn pikvm() -> UsbDevice {
    UsbDevice {
        vendor_id: Some("1d6b".into()),
        product_id: Some("0104".into()),
        manufacturer: Some("PiKVM".into()),
        product: Some("PiKVM Composite Device".into()),
        serial: Some("CAFEBABE".into()),
    }
}

fn tinypilot() -> UsbDevice {
    UsbDevice {
        vendor_id: Some("1d6b".into()),
        product_id: Some("0104".into()),
        manufacturer: Some("tinypilot".into()),
        product: Some("Multifunction USB Device".into()),
        serial: Some("6b65796d696d6570690".into()),
    }
}

/// A facilitator's home in Tennessee receives the laptops of eight stolen
/// US identities; IP-KVMs and remote-access tools let operators in Asia drive
/// them; pay lands in two accounts the facilitator controls.
pub fn laptop_farm(ids: &[String], rng: &mut Rng) -> Built {
    let farm = Address {
        line1: Some("1420 Maple Ridge Drive".into()),
        line2: None,
        city: Some("Nashville".into()),
        region: Some("TN".into()),
        postal_code: Some("37211".into()),
        country: Some("US".into()),
    };
    let farm_ip = us().isp[0].pick(rng);
    let accounts = [rng.hex(32), rng.hex(32)];
    let facilitator = "Christine Marlow";
    let shared_mfa = format!("mfa-{}", rng.hex(10));
    let mut workers = Vec::new();
    for (k, id) in ids.iter().enumerate() {
        let mut w = ordinary(id.clone(), us(), rng);
        // the laptop goes to the farm, not to the identity's (stolen) address
        let variants = [
            "1420 Maple Ridge Dr",
            "1420 Maple Ridge Drive",
            "1420 maple ridge dr.",
        ];
        let mut to = farm.clone();
        to.line1 = Some(variants[k % variants.len()].into());
        w.ship_to = Some(to);
        match k % 4 {
            0 | 1 => w.device.usb.push(pikvm()),
            2 => w.device.usb.push(tinypilot()),
            _ => {}
        }
        w.device.software.push("AnyDesk".into());
        w.device.processes.push("AnyDesk.exe".into());
        if k % 2 == 0 {
            w.device.software.push("Chrome Remote Desktop Host".into());
            w.device.domains.push("remotedesktop.google.com".into());
        }
        if k % 4 == 3 {
            w.device.keyboards.push("2-Set Korean".into());
        }
        // logins through the laptop at the farm, and through Astrill VPN
        w.ips = vec![
            IpChoice {
                ip: farm_ip,
                vpn: None,
                weight: 6,
            },
            IpChoice {
                ip: rng.pick(VPN_US).pick(rng),
                vpn: Some("Astrill VPN"),
                weight: 4,
            },
        ];
        asia_hours(&mut w, 540);
        if k % 3 == 0 {
            w.commit_offset_min = 540;
        }
        w.payout.account_hash = Some(accounts[k % 2].clone());
        if k % 2 == 1 {
            w.payout.holder_name = Some(facilitator.into());
        }
        if k < 3 {
            w.mfa_device = shared_mfa.clone();
        }
        w.interviews = vec![Video::Glitchy, Video::Off];
        if k == 0 {
            w.face_consistent = Some(false);
        }
        if k % 3 == 1 {
            w.person.hired_via = Some(HiredVia::StaffingFirm);
        }
        workers.push(w);
    }
    Built {
        name: "Nashville laptop farm".into(),
        kind: "laptop_farm".into(),
        workers,
    }
}

fn tron_address(rng: &mut Rng) -> String {
    const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut s = String::from("T");
    for _ in 0..33 {
        s.push(char::from(*rng.pick(B58)));
    }
    s
}

/// Freelance-platform developers "in" the US, Canada, the UK and Poland,
/// really in Liaoning: paid in USDT to two shared wallets, working from two
/// machines, referring each other, vouching through one reference.
pub fn crypto_ring(ids: &[String], rng: &mut Rng) -> Built {
    let wallets = [tron_address(rng), tron_address(rng)];
    let devices = [
        format!("dev-{}", rng.hex(12)),
        format!("dev-{}", rng.hex(12)),
    ];
    let reference = format!("hr.{}@protonmail.com", rng.hex(5));
    let claims = ["US", "CA", "GB", "PL"];
    let mut workers: Vec<Worker> = Vec::new();
    for (k, id) in ids.iter().enumerate() {
        let mut w = ordinary(id.clone(), world::country(claims[k % claims.len()]), rng);
        w.person.hired_via = Some(HiredVia::Platform);
        w.person.role = Some("freelance developer".into());
        w.ship_to = None;
        w.payout.method = PayMethod::Crypto;
        w.payout.account_hash = None;
        w.payout.bank_bic = None;
        w.payout.bank_country = None;
        w.payout.wallet = Some(Wallet {
            chain: Some("TRX".into()),
            address: wallets[k % 2].clone(),
        });
        w.currency = "USDT".into();
        // machines and wallets are shared across different halves of the ring
        w.device.id = devices[(k / 3) % 2].clone();
        w.login_device = w.device.id.clone();
        w.ips = vec![
            IpChoice {
                ip: rng.pick(CN_UNICOM).pick(rng),
                vpn: None,
                weight: 5,
            },
            IpChoice {
                ip: rng.pick(HOSTING).pick(rng),
                vpn: None,
                weight: 5,
            },
        ];
        asia_hours(&mut w, 480);
        w.commit_offset_min = 540;
        w.commits_per_week = 6;
        if w.github.is_none() {
            w.github = Some(format!("gh-dev{}", rng.hex(6)));
        }
        if let Some(prev) = workers.last() {
            w.person.referred_by = Some(prev.id().to_string());
        }
        w.reference_verified = false;
        w.reference_email = reference.clone();
        w.interviews = vec![Video::Off];
        workers.push(w);
    }
    Built {
        name: "Freelance crypto ring".into(),
        kind: "crypto_ring".into(),
        workers,
    }
}

/// One operator behind four identities: one face (photo hash) on every
/// profile and passport, two phone numbers between them, one machine, and
/// passports typed up with wrong check digits.
pub fn operator(ids: &[String], rng: &mut Rng) -> Built {
    let photo = rng.hex(16);
    let phones = [
        format!("+1{}", rng.digits(10)),
        format!("+1{}", rng.digits(10)),
    ];
    let device = format!("dev-{}", rng.hex(12));
    let claims = ["US", "GB", "DE", "CA"];
    let mut workers = Vec::new();
    for (k, id) in ids.iter().enumerate() {
        let mut w = ordinary(id.clone(), world::country(claims[k % claims.len()]), rng);
        w.person.photo_hash = Some(photo.clone());
        w.person.phone = Some(phones[k % 2].clone());
        for d in &mut w.documents {
            d.photo_hash = Some(photo.clone());
            if k != 3
                && let Some(m) = &d.mrz
            {
                d.mrz = Some(mrz::break_check(m));
            }
        }
        w.login_device = device.clone();
        w.ips = vec![IpChoice {
            ip: rng.pick(HOSTING).pick(rng),
            vpn: None,
            weight: 1,
        }];
        asia_hours(&mut w, 540);
        w.interviews = vec![Video::Refused];
        workers.push(w);
    }
    Built {
        name: "One operator, four identities".into(),
        kind: "multi_identity_operator".into(),
        workers,
    }
}

/// A lone hire with a clean identity: only the way they work gives them
/// away (Astrill VPN most days, Asian hours, a Korean keyboard, +09:00 commits).
pub fn lone_hire(ids: &[String], rng: &mut Rng) -> Built {
    let mut workers = Vec::new();
    for id in ids {
        let mut w = ordinary(id.clone(), us(), rng);
        let home = w.ips[0].ip;
        w.ips = vec![
            IpChoice {
                ip: rng.pick(VPN_US).pick(rng),
                vpn: Some("Astrill VPN"),
                weight: 7,
            },
            IpChoice {
                ip: home,
                vpn: None,
                weight: 3,
            },
        ];
        asia_hours(&mut w, 540);
        w.device.keyboards.push("2-Set Korean".into());
        w.commit_offset_min = 540;
        if w.github.is_none() {
            w.github = Some(format!("gh-lone{}", rng.hex(6)));
        }
        workers.push(w);
    }
    Built {
        name: "Lone hire".into(),
        kind: "lone_hire".into(),
        workers,
    }
}
