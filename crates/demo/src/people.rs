//! Building blocks for persons: names, addresses, contacts, documents,
//! payout methods and laptops that look like real HR and MDM data.

use molehunt_model::{
    Address, DocType, Document, Education, HiredVia, PartialDate, PayMethod, PayoutMethod, Person,
    PersonStatus, UsbDevice, Video,
};

use crate::mrz;
use crate::rng::Rng;
use crate::worker::{DeviceSpec, IpChoice, Worker};
use crate::world::{City, Country};

/// ASCII letters of a name, lowercased (for emails and usernames).
pub fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ä' | 'á' | 'à' | 'â' => 'a',
            'ö' | 'ó' | 'ô' => 'o',
            'ü' | 'ú' => 'u',
            'é' | 'è' | 'ê' | 'ę' => 'e',
            'ł' => 'l',
            'ś' => 's',
            'ń' => 'n',
            'ż' | 'ź' => 'z',
            'ć' => 'c',
            'ß' => 's',
            other => other,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

pub fn date(s: &str) -> Option<PartialDate> {
    s.parse().ok()
}

pub fn postal(city: &City, rng: &mut Rng) -> String {
    match city.postal.len() {
        3 if city.postal.chars().all(|c| c.is_ascii_digit()) => {
            format!("{}{}", city.postal, rng.digits(2))
        }
        2 => format!("{}{}", city.postal, rng.digits(3)),
        _ if city.postal.ends_with('-') => format!("{}{}", city.postal, rng.digits(3)),
        _ => format!("{} {}{}", city.postal, rng.below(9) + 1, rng.alnum(2)),
    }
}

pub fn address(country: &Country, city: &City, rng: &mut Rng) -> Address {
    let apt = rng.chance(0.3).then(|| format!("Apt {}", rng.range(1, 40)));
    Address {
        line1: Some(format!(
            "{} {}",
            rng.range(1, 9800),
            rng.pick(country.streets)
        )),
        line2: apt,
        city: Some(city.name.into()),
        region: Some(city.region.into()),
        postal_code: Some(postal(city, rng)),
        country: Some(country.code.into()),
    }
}

/// A passport with a valid MRZ (or a driver's licence carrying the address).
pub fn passport(
    p: &Person,
    country: &Country,
    first: &str,
    last: &str,
    dob: (i64, i64, i64),
    rng: &mut Rng,
) -> Document {
    let number = format!("{}{}", rng.alnum(2), rng.digits(7));
    let dob_s = format!("{:02}{:02}{:02}", dob.0 % 100, dob.1, dob.2);
    let exp = (2029 + rng.range(0, 6), rng.range(1, 12), rng.range(1, 28));
    let exp_s = format!("{:02}{:02}{:02}", exp.0 % 100, exp.1, exp.2);
    let sex = if rng.chance(0.5) { 'M' } else { 'F' };
    let mrz = mrz::td3(
        country.alpha3,
        &ascii(last),
        &ascii(first),
        &number,
        country.alpha3,
        &dob_s,
        sex,
        &exp_s,
        "",
    );
    Document {
        person_id: p.person_id.clone(),
        doc_type: DocType::Passport,
        ts: None,
        number: Some(number),
        number_hash: None,
        issuing_country: Some(country.code.into()),
        name_on_document: Some(p.full_name.clone()),
        dob: p.dob,
        expires: date(&format!("{:04}-{:02}-{:02}", exp.0, exp.1, exp.2)),
        mrz: Some(mrz),
        photo_hash: p.photo_hash.clone(),
        address: None,
        verified: Some(true),
        verification_note: None,
    }
}

pub fn drivers_license(
    p: &Person,
    country: &Country,
    address: &Address,
    rng: &mut Rng,
) -> Document {
    Document {
        person_id: p.person_id.clone(),
        doc_type: DocType::DriversLicense,
        ts: None,
        number: Some(format!("{}{}", rng.alnum(1), rng.digits(8))),
        number_hash: None,
        issuing_country: Some(country.code.into()),
        name_on_document: Some(p.full_name.clone()),
        dob: p.dob,
        expires: date(&format!(
            "{}-{:02}-15",
            2028 + rng.range(0, 4),
            rng.range(1, 12)
        )),
        mrz: None,
        photo_hash: p.photo_hash.clone(),
        address: Some(address.clone()),
        verified: Some(true),
        verification_note: None,
    }
}

pub fn bank(p: &Person, country: &Country, rng: &mut Rng) -> PayoutMethod {
    PayoutMethod {
        person_id: p.person_id.clone(),
        method: PayMethod::Bank,
        ts: None,
        holder_name: Some(p.full_name.clone()),
        bank_country: Some(country.code.into()),
        bank_bic: Some(country.bank_bic.into()),
        account_hash: Some(rng.hex(32)),
        wallet: None,
        provider_account: None,
    }
}

const OFFICE_SOFTWARE: &[&str] = &[
    "Microsoft Office",
    "Slack",
    "Zoom",
    "Google Chrome",
    "Visual Studio Code",
    "CrowdStrike Falcon Sensor",
    "1Password",
    "Docker Desktop",
    "Git",
];

pub fn laptop(rng: &mut Rng, locale: &str, keyboard: &str, tz: &str) -> DeviceSpec {
    let serial = format!("PF{}", rng.alnum(8));
    let mac = rng.chance(0.35);
    let mut software: Vec<String> = OFFICE_SOFTWARE
        .iter()
        .filter(|_| rng.chance(0.8))
        .map(|s| (*s).to_string())
        .collect();
    software.sort();
    DeviceSpec {
        id: format!("dev-{}", rng.hex(12)),
        serial,
        os: if mac {
            "macOS 14.6"
        } else {
            "Windows 11 Pro 23H2"
        }
        .into(),
        software,
        processes: vec!["slack.exe".into(), "chrome.exe".into(), "Code.exe".into()],
        domains: vec!["slack.com".into(), "zoom.us".into(), "github.com".into()],
        usb: vec![UsbDevice {
            vendor_id: Some("046d".into()),
            product_id: Some("c52b".into()),
            manufacturer: Some("Logitech".into()),
            product: Some("USB Receiver".into()),
            serial: None,
        }],
        locale: locale.into(),
        keyboards: vec![keyboard.into()],
        timezone: tz.into(),
    }
}

/// An ordinary worker of `country` living in `city`: every claim matches every signal.
pub fn ordinary(id: String, country: &'static Country, rng: &mut Rng) -> Worker {
    let city = rng.pick(country.cities);
    let first = (*rng.pick(country.first)).to_string();
    let last = (*rng.pick(country.last)).to_string();
    let full_name = format!("{first} {last}");
    let dob = (rng.range(1968, 2001), rng.range(1, 12), rng.range(1, 28));
    let home = address(country, city, rng);
    // The number part comes from the person id so that no two synthetic
    // persons share an email or a GitHub login by chance (that would be a link).
    let tag: String = id.chars().filter(char::is_ascii_digit).collect();
    let email = format!(
        "{}.{}{}@{}",
        ascii(&first),
        ascii(&last),
        tag,
        rng.pick(&["gmail.com", "outlook.com", "proton.me", "yahoo.com"])
    );
    let (languages, locale, keyboard) = match country.code {
        "KR" => (
            vec!["ko-KR".to_string(), "en".to_string()],
            "ko_KR",
            "2-Set Korean",
        ),
        "CN" => (
            vec!["zh-CN".to_string(), "en".to_string()],
            "zh_CN",
            "Pinyin - Simplified",
        ),
        "DE" => (vec!["de".to_string(), "en".to_string()], "de_DE", "German"),
        "FR" => (vec!["fr".to_string(), "en".to_string()], "fr_FR", "French"),
        "PL" => (
            vec!["pl".to_string(), "en".to_string()],
            "pl_PL",
            "Polish (Programmers)",
        ),
        "GB" => (vec!["en-GB".to_string()], "en_GB", "British"),
        _ => (vec!["en".to_string()], "en_US", "US"),
    };
    let developer = rng.chance(0.7);
    let person = Person {
        person_id: id.clone(),
        full_name,
        ts: None,
        dob: date(&format!("{:04}-{:02}-{:02}", dob.0, dob.1, dob.2)),
        nationality: Some(country.code.into()),
        claimed_country: Some(country.code.into()),
        claimed_city: Some(city.name.into()),
        claimed_timezone: Some(city.tz.into()),
        email: Some(email),
        phone: Some(format!(
            "{}{}",
            country.phone,
            rng.digits(if country.phone == "+1" { 10 } else { 9 })
        )),
        address: Some(home.clone()),
        languages,
        hired_via: Some(HiredVia::Direct),
        role: Some(
            if developer {
                "software engineer"
            } else {
                "analyst"
            }
            .into(),
        ),
        status: Some(PersonStatus::Active),
        referred_by: None,
        education: vec![Education {
            school: Some(format!("University of {}", city.name)),
            country: Some(country.code.into()),
            degree: Some("BSc".into()),
            year: Some((dob.0 + 22) as i32),
        }],
        employment: vec![],
        photo_hash: Some(rng.hex(16)),
    };
    let mut documents = vec![passport(&person, country, &first, &last, dob, rng)];
    if country.code == "US" || rng.chance(0.3) {
        documents.push(drivers_license(&person, country, &home, rng));
    }
    let payout = bank(&person, country, rng);
    let device = laptop(rng, locale, keyboard, city.tz);
    let home_ip = rng.pick(country.isp).pick(rng);
    let github = developer.then(|| format!("gh-{}{}{}", ascii(&first), ascii(&last), tag));
    Worker {
        documents,
        payout,
        pay_amount: (rng.range(3000, 9000) as f64).round(),
        currency: if country.code == "US" { "USD" } else { "EUR" }.into(),
        ship_to: Some(home),
        asset_serial: device.serial.clone(),
        login_device: device.id.clone(),
        device,
        mfa_device: format!("mfa-{}", rng.hex(10)),
        okta: format!("okta-{id}"),
        github,
        work_offset_min: city.offset_min,
        work_start_hour: rng.range(8, 10),
        work_hours: 8,
        activity_per_day: 2,
        weekends: rng.chance(0.1),
        ips: vec![IpChoice {
            ip: home_ip,
            vpn: None,
            weight: 1,
        }],
        trip: None,
        commit_offset_min: city.offset_min,
        commits_per_week: rng.range(2, 5) as u32,
        interviews: vec![Video::On],
        face_consistent: Some(true),
        reference_verified: true,
        reference_email: format!(
            "ref-{}@{}.example",
            rng.hex(6),
            ascii(rng.pick::<&str>(country.last))
        ),
        person,
    }
}
