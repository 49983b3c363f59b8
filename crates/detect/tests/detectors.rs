//! End-to-end through the public API: a small laptop-farm scheme among honest
//! look-alikes (a couple sharing a home, a business traveller, a night owl, a
//! Korean developer in Seoul, TeamViewer for IT support, many employees behind
//! one corporate egress IP). The scheme's members must carry the scheme's
//! flags; honest persons must carry nothing above low severity.

#![allow(clippy::unwrap_used)]

use molehunt_detect::{Analyzer, DetectConfig};
use molehunt_model::{
    Enrichment, Evidence, IpClass, IpInfo, RemoteToolHit, SeenIn, Severity, UsbHit, UsbKind,
    parse_line,
};

const BASE: i64 = 1_772_323_200; // 2026-03-01T00:00:00Z

fn ts(minutes: i64) -> String {
    jiff::Timestamp::from_second(BASE + minutes * 60)
        .unwrap()
        .to_string()
}

fn ip(country: &str, asn: u32, class: IpClass) -> Enrichment {
    Enrichment {
        ip: Some(IpInfo {
            country: Some(country.into()),
            asn: Some(asn),
            as_org: Some(format!("AS{asn}")),
            class,
        }),
        ..Default::default()
    }
}

struct World {
    untimed: Vec<(String, Enrichment)>,
    timed: Vec<(i64, String, Enrichment)>,
}

impl World {
    fn person(&mut self, id: &str, name: &str, country: &str, tz: &str, extra: &str) {
        self.untimed.push((
            format!(
                r#"{{"type":"person","person_id":"{id}","full_name":"{name}","claimed_country":"{country}","claimed_timezone":"{tz}"{extra}}}"#
            ),
            Enrichment::default(),
        ));
        self.untimed.push((
            format!(
                r#"{{"type":"account","account_id":"acc-{id}","person_id":"{id}","system":"okta"}}"#
            ),
            Enrichment::default(),
        ));
    }

    fn at(&mut self, m: i64, line: String, e: Enrichment) {
        self.timed.push((m, line, e));
    }

    fn login(&mut self, id: &str, m: i64, addr: &str, e: Enrichment, extra: &str) {
        let line = format!(
            r#"{{"type":"login","account_id":"acc-{id}","ts":"{}","ip":"{addr}"{extra}}}"#,
            ts(m)
        );
        self.at(m, line, e);
    }

    fn activity(&mut self, id: &str, m: i64, addr: &str, e: Enrichment) {
        let line = format!(
            r#"{{"type":"activity","account_id":"acc-{id}","ts":"{}","ip":"{addr}"}}"#,
            ts(m)
        );
        self.at(m, line, e);
    }

    /// Workdays of activity at the given UTC hours.
    fn workdays(&mut self, id: &str, days: i64, hours: &[i64], addr: &str, e: &Enrichment) {
        for d in 0..days {
            for h in hours {
                self.activity(id, d * 1440 + h * 60 + 3, addr, e.clone());
            }
        }
    }

    fn run(mut self) -> (Vec<Evidence>, Vec<molehunt_detect::PersonScore>) {
        let mut a = Analyzer::new(DetectConfig::default());
        for (l, e) in &self.untimed {
            a.observe(&parse_line(l).unwrap(), e);
        }
        self.timed.sort_by_key(|x| x.0);
        for (_, l, e) in &self.timed {
            a.observe(&parse_line(l).unwrap(), e);
        }
        let analysis = a.finish(&[]);
        (analysis.evidence, analysis.persons)
    }
}

fn flags_of<'a>(ev: &'a [Evidence], person: &str) -> Vec<&'a Evidence> {
    ev.iter().filter(|e| e.person_id == person).collect()
}

fn world() -> World {
    let mut w = World {
        untimed: Vec::new(),
        timed: Vec::new(),
    };
    let us_home = ip("US", 7922, IpClass::Other);
    let astrill = Enrichment {
        ..ip("US", 9009, IpClass::Other)
    };

    // The farm: four identities, one facilitator address and home IP, Astrill,
    // IP-KVM plus AnyDesk, KST working hours, crypto pay to one wallet.
    for (i, name) in ["Daniel Moore", "Kevin Hall", "Brian Scott", "Jason Reed"]
        .iter()
        .enumerate()
    {
        let id = format!("farm{i}");
        // half declare Korean (ID-LANG); the others hide it (EP-LOCALE: Korean keyboard)
        let langs = if i % 2 == 0 {
            r#","languages":["ko","en"]"#
        } else {
            r#","languages":["en"]"#
        };
        w.person(&id, name, "US", "America/Chicago", langs);
        w.untimed.push((
            format!(r#"{{"type":"payout_method","person_id":"{id}","method":"crypto","wallet":{{"chain":"USDT","address":"TQfarmWallet1"}}}}"#),
            Enrichment::default(),
        ));
        w.untimed.push((
            format!(r#"{{"type":"document","person_id":"{id}","doc_type":"drivers_license","name_on_document":"{name}","address":{{"line1":"{} Lake Dr","city":"Denver","region":"CO","country":"US"}}}}"#, 100 + i),
            Enrichment::default(),
        ));
        w.at(
            i as i64,
            format!(r#"{{"type":"shipment","person_id":"{id}","ts":"{}","address":{{"line1":"48 N. Palm St., Apt 2","city":"Litchfield Park","region":"AZ","country":"US"}}}}"#, ts(i as i64)),
            Enrichment::default(),
        );
        let report = format!(
            r#"{{"type":"device_report","device_id":"lap-{id}","person_id":"{id}","ts":"{}","processes":["AnyDesk.exe"],"keyboard_layouts":["2-Set Korean"]}}"#,
            ts(2000 + i as i64)
        );
        let enr = Enrichment {
            remote_tools: vec![RemoteToolHit {
                tool: "AnyDesk".into(),
                matched: "AnyDesk.exe".into(),
                seen_in: SeenIn::Process,
            }],
            usb: vec![UsbHit {
                kind: UsbKind::Kvm,
                label: "PiKVM".into(),
                reason: "1d6b:0104 PiKVM Composite Device".into(),
            }],
            ..Default::default()
        };
        w.at(2000 + i as i64, report, enr);
        for d in 0..14 {
            w.login(
                &id,
                d * 1440 + 30 + i as i64,
                "73.99.1.2",
                astrill.clone(),
                r#","vpn":"Astrill VPN""#,
            );
        }
        w.workdays(&id, 14, &[0, 1, 2, 3, 4, 5, 6, 7], "73.99.1.2", &us_home);
    }

    // A couple sharing a home, an address, an IP and a joint bank account.
    for id in ["wife", "husband"] {
        let name = if id == "wife" {
            "Emma Novak"
        } else {
            "Luka Novak"
        };
        w.person(
            id,
            name,
            "US",
            "America/Denver",
            r#","address":{"line1":"9 Aspen Ct","city":"Boulder","country":"US"}"#,
        );
        w.untimed.push((
            format!(r#"{{"type":"payout_method","person_id":"{id}","method":"bank","account_hash":"joint-1","holder_name":"{name}","bank_country":"US"}}"#),
            Enrichment::default(),
        ));
        w.at(5, format!(r#"{{"type":"shipment","person_id":"{id}","ts":"{}","address":{{"line1":"9 Aspen Court","city":"Boulder","country":"US"}}}}"#, ts(5)), Enrichment::default());
        for d in 0..14 {
            w.login(id, d * 1440 + 15 * 60, "67.1.1.1", us_home.clone(), "");
        }
        w.workdays(
            id,
            14,
            &[15, 16, 17, 18, 19, 20, 21, 22],
            "67.1.1.1",
            &us_home,
        );
    }

    // A business traveller: Chicago, then London after an overnight flight.
    w.person("traveller", "Olivia Grant", "US", "America/Chicago", "");
    w.login("traveller", 14 * 60, "98.1.1.1", us_home.clone(), "");
    w.login(
        "traveller",
        14 * 60 + 11 * 60,
        "81.2.69.1",
        ip("GB", 2856, IpClass::Other),
        "",
    );
    w.login(
        "traveller",
        14 * 60 + 2 * 1440,
        "81.2.69.1",
        ip("GB", 2856, IpClass::Other),
        "",
    );
    for d in 3..14 {
        w.login(
            "traveller",
            d * 1440 + 14 * 60,
            "98.1.1.1",
            us_home.clone(),
            "",
        );
    }
    w.workdays(
        "traveller",
        14,
        &[14, 15, 16, 17, 18, 19, 20, 21],
        "98.1.1.1",
        &us_home,
    );

    // A night owl in Chicago: days plus late nights.
    w.person("owl", "Noah Price", "US", "America/Chicago", "");
    w.workdays(
        "owl",
        20,
        &[15, 16, 17, 18, 19, 20, 21, 4, 5, 6],
        "99.2.2.2",
        &us_home,
    );

    // A Korean developer who lives in Seoul, says so, and commits at +09:00.
    w.person(
        "seoul",
        "Park Ji-hoon",
        "KR",
        "Asia/Seoul",
        r#","nationality":"KR","languages":["ko","en"]"#,
    );
    w.workdays(
        "seoul",
        14,
        &[0, 1, 2, 3, 4, 5, 6, 7],
        "211.1.1.1",
        &ip("KR", 4766, IpClass::Other),
    );
    for i in 0..8 {
        w.at(
            i * 1440 + 60,
            format!(
                r#"{{"type":"commit","account_id":"acc-seoul","ts":"2026-03-0{}T10:00:00+09:00"}}"#,
                1 + i
            ),
            Enrichment::default(),
        );
    }

    // IT support TeamViewer on an honest laptop.
    w.person("helpdesk", "Mia Young", "US", "America/New_York", "");
    w.at(
        3000,
        format!(r#"{{"type":"device_report","device_id":"lap-hd","person_id":"helpdesk","ts":"{}","software":["TeamViewer 15"]}}"#, ts(3000)),
        Enrichment {
            remote_tools: vec![RemoteToolHit { tool: "TeamViewer".into(), matched: "TeamViewer 15".into(), seen_in: SeenIn::Software }],
            ..Default::default()
        },
    );

    // 60 employees behind one corporate egress IP.
    for i in 0..60 {
        let id = format!("emp{i}");
        w.person(
            &id,
            &format!("Employee {i} Smith"),
            "US",
            "America/New_York",
            "",
        );
        for d in 0..3 {
            w.login(
                &id,
                d * 1440 + 13 * 60 + i,
                "198.51.100.10",
                us_home.clone(),
                "",
            );
        }
    }
    w
}

#[test]
fn farm_members_carry_the_scheme_flags() {
    let (ev, persons) = world().run();
    for i in 0..4 {
        let id = format!("farm{i}");
        let mine = flags_of(&ev, &id);
        let has = |f: &str| mine.iter().any(|e| e.flag == f);
        let language = if i % 2 == 0 { "ID-LANG" } else { "EP-LOCALE" };
        for f in [
            "SHIP-FARM",
            "SHIP-ADDR-MISMATCH",
            "NET-FANIN",
            "NET-VPN",
            "NET-HOURS",
            "EP-KVM",
            "EP-RMM",
            "PAY-CRYPTO",
            "PAY-SHARED",
            language,
        ] {
            assert!(
                has(f),
                "{id} lacks {f}: {:?}",
                mine.iter().map(|e| &e.flag).collect::<Vec<_>>()
            );
        }
        let vpn = mine.iter().find(|e| e.flag == "NET-VPN").unwrap();
        assert_eq!(vpn.severity, Severity::High, "Astrill is high");
        assert!(mine.iter().all(|e| e.events.len() <= 10));
    }
    // every person is scored, highest first
    assert!(persons.windows(2).all(|w| w[0].score >= w[1].score));
    let farm_min = persons
        .iter()
        .filter(|p| p.person_id.starts_with("farm"))
        .map(|p| p.score)
        .min()
        .unwrap();
    let honest_max = persons
        .iter()
        .filter(|p| !p.person_id.starts_with("farm"))
        .map(|p| p.score)
        .max()
        .unwrap();
    assert!(
        farm_min > honest_max,
        "farm {farm_min} vs honest {honest_max}"
    );
}

#[test]
fn honest_look_alikes_carry_nothing_above_low() {
    let (ev, _) = world().run();
    for e in ev.iter().filter(|e| !e.person_id.starts_with("farm")) {
        assert!(
            e.severity <= Severity::Low,
            "honest {} got {} {}: {}",
            e.person_id,
            e.flag,
            e.severity,
            e.detail
        );
    }
    // the couple's joint account is noted but low; TeamViewer is low
    assert!(
        ev.iter().any(|e| e.person_id == "wife"
            && e.flag == "PAY-SHARED"
            && e.severity == Severity::Low)
    );
    assert!(
        ev.iter().any(|e| e.person_id == "helpdesk"
            && e.flag == "EP-RMM"
            && e.severity == Severity::Low)
    );
    for quiet in ["traveller", "owl", "seoul"] {
        assert!(
            flags_of(&ev, quiet).is_empty(),
            "{quiet}: {:?}",
            flags_of(&ev, quiet)
        );
    }
    assert!(
        ev.iter().all(|e| !e.person_id.starts_with("emp")),
        "corporate egress is a hub"
    );
}

#[test]
fn config_can_disable_a_detector_end_to_end() {
    let w = world();
    let cfg = DetectConfig::from_toml_str("[ship_farm]\nenabled = false\n").unwrap();
    let mut a = Analyzer::new(cfg);
    for (l, e) in &w.untimed {
        a.observe(&parse_line(l).unwrap(), e);
    }
    let mut timed = w.timed;
    timed.sort_by_key(|x| x.0);
    for (_, l, e) in &timed {
        a.observe(&parse_line(l).unwrap(), e);
    }
    let analysis = a.finish(&[]);
    assert!(analysis.evidence.iter().all(|e| e.flag != "SHIP-FARM"));
    assert!(analysis.evidence.iter().any(|e| e.flag == "NET-FANIN"));
}
