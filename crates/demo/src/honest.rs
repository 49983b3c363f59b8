//! The honest population, including the look-alikes every detector must
//! spare: business travellers, couples sharing a home, hundreds of employees
//! behind one corporate egress IP, night owls, Korean and Chinese developers
//! whose claims match their signals, TeamViewer for IT support, occasional
//! VPN use, staffing-firm hires, freelancers paid in stablecoins.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use molehunt_model::{HiredVia, PayMethod, Video, Wallet};

use crate::people::ordinary;
use crate::rng::Rng;
use crate::worker::{IpChoice, Trip, Worker};
use crate::world::{self, CORPORATE_EGRESS, COUNTRIES, HONEST_MIX, VPN_EU};

/// Honest workers with the look-alike roles they were given (role -> ids).
pub struct Honest {
    pub workers: Vec<Worker>,
    pub roles: BTreeMap<String, Vec<String>>,
}

fn country_for(rng: &mut Rng) -> &'static world::Country {
    let mut r = rng.below(100) as u32;
    for (code, w) in HONEST_MIX {
        if r < *w {
            return world::country(code);
        }
        r -= w;
    }
    &COUNTRIES[0]
}

pub fn population(ids: &[String], rng: &mut Rng) -> Honest {
    let mut workers: Vec<Worker> = ids
        .iter()
        .map(|id| ordinary(id.clone(), country_for(rng), rng))
        .collect();
    let mut roles: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let tag = |roles: &mut BTreeMap<String, Vec<String>>, role: &str, w: &Worker| {
        roles
            .entry(role.to_string())
            .or_default()
            .push(w.id().to_string());
    };
    let n = workers.len();

    // Hundreds of employees of one US company behind its office egress (10%, at most 300).
    let corporate = (n / 10).min(300);
    let mut placed = 0;
    for w in workers.iter_mut() {
        if placed >= corporate {
            break;
        }
        if w.person.claimed_country.as_deref() == Some("US") {
            w.ips = CORPORATE_EGRESS
                .iter()
                .map(|o| IpChoice {
                    ip: Ipv4Addr::from(*o),
                    vpn: None,
                    weight: 1,
                })
                .collect();
            tag(&mut roles, "corporate_egress", w);
            placed += 1;
        }
    }

    // Couples and flatmates: one home, one connection (4% of persons).
    let mut i = corporate;
    let couples = n / 50;
    let mut made = 0;
    while made < couples && i + 1 < n {
        let (a, b) = workers.split_at_mut(i + 1);
        let (x, y) = (&mut a[i], &mut b[0]);
        if x.person.claimed_country == y.person.claimed_country {
            let home = x.person.address.clone();
            y.person.address = home.clone();
            y.person.claimed_city = x.person.claimed_city.clone();
            y.person.claimed_timezone = x.person.claimed_timezone.clone();
            y.work_offset_min = x.work_offset_min;
            y.commit_offset_min = x.commit_offset_min;
            y.ship_to = home.clone();
            for d in &mut y.documents {
                if d.address.is_some() {
                    d.address = home.clone();
                }
            }
            y.ips = x.ips.clone();
            y.work_start_hour = x.work_start_hour;
            if rng.chance(0.5) {
                let last = x
                    .person
                    .full_name
                    .rsplit(' ')
                    .next()
                    .unwrap_or("")
                    .to_string();
                let first = y
                    .person
                    .full_name
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .to_string();
                y.person.full_name = format!("{first} {last}");
                for d in &mut y.documents {
                    d.name_on_document = Some(y.person.full_name.clone());
                }
                y.payout.holder_name = Some(y.person.full_name.clone());
            }
            tag(&mut roles, "couple", x);
            tag(&mut roles, "couple", y);
            made += 1;
            i += 2;
        } else {
            i += 1;
        }
    }

    for w in workers.iter_mut().skip(i) {
        let r = rng.below(1000);
        match r {
            // business travellers: three days abroad in week two, after a weekend
            0..=29 => {
                let dest = loop {
                    let c = &COUNTRIES[rng.below(COUNTRIES.len() as u64) as usize];
                    if Some(c.code) != w.person.claimed_country.as_deref()
                        && c.code != "KR"
                        && c.code != "CN"
                    {
                        break c;
                    }
                };
                let city = rng.pick(dest.cities);
                w.trip = Some(Trip {
                    from: 7,
                    to: 9,
                    ip: rng.pick(dest.isp).pick(rng),
                    offset_min: city.offset_min,
                });
                tag(&mut roles, "business_traveller", w);
            }
            // night owls: afternoons and late nights
            30..=59 => {
                w.work_start_hour = 12;
                w.work_hours = 13;
                w.weekends = true;
                tag(&mut roles, "night_owl", w);
            }
            // occasional commercial VPN for privacy (about 1 login in 10)
            60..=109 => {
                w.ips.push(IpChoice {
                    ip: rng.pick(VPN_EU).pick(rng),
                    vpn: None,
                    weight: 0,
                });
                let home = w.ips.len() - 1;
                w.ips[0].weight = 9;
                w.ips[home].weight = 1;
                tag(&mut roles, "occasional_vpn", w);
            }
            // staffing-firm hires
            110..=189 => {
                w.person.hired_via = Some(HiredVia::StaffingFirm);
                tag(&mut roles, "staffing_firm", w);
            }
            // TeamViewer installed by IT for support
            190..=199 => {
                w.device.software.push("TeamViewer".into());
                w.device.processes.push("TeamViewer_Service.exe".into());
                tag(&mut roles, "teamviewer_it_support", w);
            }
            // freelancers paid in stablecoins
            200..=209 => {
                w.payout.method = PayMethod::Crypto;
                w.payout.account_hash = None;
                w.payout.bank_bic = None;
                w.payout.bank_country = None;
                w.payout.wallet = Some(Wallet {
                    chain: Some("ETH".into()),
                    address: format!("0x{}", rng.hex(40)),
                });
                tag(&mut roles, "crypto_payout", w);
            }
            // a flaky camera once
            210..=259 => {
                w.interviews = vec![Video::Glitchy, Video::On];
                tag(&mut roles, "glitchy_interview", w);
            }
            // a former employer that went out of business
            260..=279 => {
                w.reference_verified = false;
                tag(&mut roles, "unverified_reference", w);
            }
            // heritage Korean speakers
            280..=284 if w.person.claimed_country.as_deref() == Some("US") => {
                w.person.languages.push("ko".into());
                tag(&mut roles, "heritage_korean", w);
            }
            _ => {}
        }
    }
    // at least one TeamViewer for IT support even in small populations
    if !roles.contains_key("teamviewer_it_support")
        && let Some(w) = workers.last_mut()
    {
        w.device.software.push("TeamViewer".into());
        tag(&mut roles, "teamviewer_it_support", w);
    }
    // honest referrals by colleagues (10%)
    for k in 1..n {
        if rng.chance(0.1) {
            let by = workers[rng.below(k as u64) as usize].id().to_string();
            workers[k].person.referred_by = Some(by);
        }
    }
    for w in &workers {
        match w.person.claimed_country.as_deref() {
            Some("KR") => tag(&mut roles, "korean_developer", w),
            Some("CN") => tag(&mut roles, "chinese_developer", w),
            _ => {}
        }
    }
    Honest { workers, roles }
}
