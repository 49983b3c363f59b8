//! One worker's records and event stream: profile, accounts, documents,
//! payout, laptop shipment, device inventory, hiring, and four weeks of
//! logins, activity, commits and payouts. Honest workers and scheme members
//! are both described by a [`Worker`]; they differ only in its fields.

use std::net::{IpAddr, Ipv4Addr};

use molehunt_model::{
    Account, Activity, Address, Commit, DeviceReport, Document, Interview, Login, Payout,
    PayoutMethod, Person, Record, RefMethod, ReferenceCheck, Referral, Shipment, Time, UsbDevice,
    Video,
};

use crate::out::Out;
use crate::rng::Rng;

/// 2026-02-02T00:00:00Z, a Monday (February: no daylight saving anywhere we model).
pub const START: i64 = 1_769_990_400;
pub const DAY: i64 = 86_400;

/// A time `secs` after the start, written with `offset_min`.
pub fn time(secs: i64, offset_min: i32) -> Time {
    let utc = jiff::Timestamp::from_second(START + secs).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    Time {
        utc,
        offset_seconds: offset_min * 60,
    }
}

/// Where logins come from.
#[derive(Debug, Clone)]
pub struct IpChoice {
    pub ip: Ipv4Addr,
    /// IdP-reported tunnel name (`Astrill VPN`).
    pub vpn: Option<&'static str>,
    pub weight: u32,
}

/// A trip: on days `from..=to` logins come from `ip`.
#[derive(Debug, Clone)]
pub struct Trip {
    pub from: i64,
    pub to: i64,
    pub ip: Ipv4Addr,
    /// Local offset at the destination (for working hours).
    pub offset_min: i32,
}

#[derive(Debug, Clone, Default)]
pub struct DeviceSpec {
    pub id: String,
    pub serial: String,
    pub os: String,
    pub software: Vec<String>,
    pub processes: Vec<String>,
    pub domains: Vec<String>,
    pub usb: Vec<UsbDevice>,
    pub locale: String,
    pub keyboards: Vec<String>,
    pub timezone: String,
}

#[derive(Debug, Clone)]
pub struct Worker {
    pub person: Person,
    pub documents: Vec<Document>,
    pub payout: PayoutMethod,
    pub pay_amount: f64,
    pub currency: String,
    /// Where the company laptop went (`None`: no laptop, e.g. a platform freelancer).
    pub ship_to: Option<Address>,
    pub asset_serial: String,
    pub device: DeviceSpec,
    /// Device id sent with logins (the company laptop unless shared).
    pub login_device: String,
    pub mfa_device: String,
    pub okta: String,
    pub github: Option<String>,
    /// Offset (minutes) of the place the work really happens, for working hours.
    pub work_offset_min: i32,
    pub work_start_hour: i64,
    pub work_hours: i64,
    /// Activity events per working day (besides the login).
    pub activity_per_day: u32,
    pub weekends: bool,
    pub ips: Vec<IpChoice>,
    pub trip: Option<Trip>,
    pub commit_offset_min: i32,
    pub commits_per_week: u32,
    pub interviews: Vec<Video>,
    pub face_consistent: Option<bool>,
    pub reference_verified: bool,
    pub reference_email: String,
}

impl Worker {
    pub fn id(&self) -> &str {
        &self.person.person_id
    }

    fn pick_ip(&self, day: i64, rng: &mut Rng) -> (Ipv4Addr, Option<&'static str>, i32) {
        if let Some(t) = &self.trip
            && (t.from..=t.to).contains(&day)
        {
            return (t.ip, None, t.offset_min);
        }
        let total: u32 = self.ips.iter().map(|c| c.weight).sum();
        let mut r = rng.below(u64::from(total.max(1))) as u32;
        for c in &self.ips {
            if r < c.weight {
                return (c.ip, c.vpn, self.work_offset_min);
            }
            r -= c.weight;
        }
        (Ipv4Addr::new(192, 0, 2, 1), None, self.work_offset_min)
    }

    /// Emits every record of the worker over `days` days.
    pub fn emit(&self, out: &mut Out, rng: &mut Rng, days: i64) {
        let pid = self.person.person_id.clone();
        out.untimed(Record::Person(Box::new(self.person.clone())));
        out.untimed(Record::Account(Account {
            account_id: self.okta.clone(),
            person_id: pid.clone(),
            system: Some("okta".into()),
            username: self.person.email.clone(),
            email: self.person.email.clone(),
            created_at: None,
        }));
        if let Some(gh) = &self.github {
            out.untimed(Record::Account(Account {
                account_id: gh.clone(),
                person_id: pid.clone(),
                system: Some("github".into()),
                username: Some(gh.trim_start_matches("gh-").to_string()),
                email: None,
                created_at: None,
            }));
        }
        for d in &self.documents {
            out.untimed(Record::Document(Box::new(d.clone())));
        }
        out.untimed(Record::PayoutMethod(Box::new(self.payout.clone())));

        // hiring, before the window
        if let Some(by) = &self.person.referred_by {
            out.timed(Record::Referral(Referral {
                ts: time(-40 * DAY + rng.range(0, 20_000), 0),
                person_id: pid.clone(),
                referred_by: by.clone(),
            }));
        }
        for (i, v) in self.interviews.iter().enumerate() {
            // interviews are scheduled in the claimed business day
            let claimed = self.person_offset();
            let local = (10 + rng.range(0, 6)) * 3600 - i64::from(claimed) * 60;
            out.timed(Record::Interview(Interview {
                ts: time(-35 * DAY + i as i64 * 2 * DAY + local, claimed),
                person_id: pid.clone(),
                video: Some(*v),
                camera_face_consistent: self.face_consistent,
                notes: None,
            }));
        }
        out.timed(Record::ReferenceCheck(ReferenceCheck {
            ts: time(-25 * DAY + 15 * 3600, 0),
            person_id: pid.clone(),
            verified: self.reference_verified,
            reference_name: Some("Former manager".into()),
            reference_email: Some(self.reference_email.clone()),
            reference_phone: None,
            method: Some(if self.reference_verified {
                RefMethod::Phone
            } else {
                RefMethod::Email
            }),
        }));
        if let Some(to) = &self.ship_to {
            out.timed(Record::Shipment(Box::new(Shipment {
                ts: time(-10 * DAY + 16 * 3600, 0),
                person_id: pid.clone(),
                address: to.clone(),
                asset_serial: Some(self.asset_serial.clone()),
                carrier: Some("UPS".into()),
                status: Some("delivered".into()),
            })));
        }
        for day in [1, 15] {
            out.timed(Record::DeviceReport(Box::new(DeviceReport {
                ts: time(day * DAY + 12 * 3600 + rng.range(0, 3600), 0),
                device_id: self.device.id.clone(),
                person_id: Some(pid.clone()),
                hostname: Some(format!("LT-{}", self.device.serial)),
                serial: Some(self.device.serial.clone()),
                os: Some(self.device.os.clone()),
                software: self.device.software.clone(),
                processes: self.device.processes.clone(),
                domains: self.device.domains.clone(),
                usb: self.device.usb.clone(),
                locale: Some(self.device.locale.clone()),
                keyboard_layouts: self.device.keyboards.clone(),
                timezone: Some(self.device.timezone.clone()),
            })));
        }

        let session_base = rng.hex(8);
        for day in 0..days {
            let weekday = day.rem_euclid(7);
            let weekend = weekday >= 5;
            if weekend && !(self.weekends && rng.chance(0.5)) {
                continue;
            }
            if !weekend && rng.chance(0.05) {
                continue; // a day off
            }
            let (ip, vpn, offset) = self.pick_ip(day, rng);
            let start_local = self.work_start_hour * 3600 + rng.range(-1800, 2400);
            let start = day * DAY + start_local - i64::from(offset) * 60;
            let session = format!("s-{session_base}-{day}");
            out.timed(Record::Login(Login {
                ts: time(start, 0),
                account_id: self.okta.clone(),
                ip: IpAddr::V4(ip),
                success: true,
                user_agent: Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64)".into()),
                device_id: Some(self.login_device.clone()),
                mfa_device_id: Some(self.mfa_device.clone()),
                vpn: vpn.map(str::to_string),
                session_id: Some(session.clone()),
            }));
            for _ in 0..self.activity_per_day {
                let at = start + rng.range(600, self.work_hours * 3600);
                out.timed(Record::Activity(Activity {
                    ts: time(at, 0),
                    account_id: self.okta.clone(),
                    action: Some(
                        (*rng.pick(&["view", "edit", "deploy", "review", "download"])).into(),
                    ),
                    resource: Some(format!("app-{}", rng.below(20))),
                    ip: Some(IpAddr::V4(ip)),
                    session_id: Some(session.clone()),
                }));
            }
        }
        if let Some(gh) = &self.github {
            let weeks = (days + 6) / 7;
            for w in 0..weeks {
                for _ in 0..self.commits_per_week {
                    let day = w * 7 + rng.range(0, 4);
                    let local = (self.work_start_hour + rng.range(1, self.work_hours.max(2) - 1))
                        * 3600
                        + rng.range(0, 3599);
                    let at = day * DAY + local - i64::from(self.commit_offset_min) * 60;
                    out.timed(Record::Commit(Commit {
                        ts: time(at, self.commit_offset_min),
                        account_id: gh.clone(),
                        repo: Some(format!("acme/service-{}", rng.below(8))),
                        author_email: Some(format!(
                            "{}@users.noreply.github.com",
                            gh.trim_start_matches("gh-")
                        )),
                        author_name: Some(self.person.full_name.clone()),
                    }));
                }
            }
        }
        for day in [13, 27] {
            if day >= days {
                continue;
            }
            out.timed(Record::Payout(Box::new(Payout {
                ts: time(day * DAY + 14 * 3600, 0),
                person_id: pid.clone(),
                amount: self.pay_amount,
                currency: self.currency.clone(),
                method: Some(self.payout.method),
                holder_name: self.payout.holder_name.clone(),
                bank_country: self.payout.bank_country.clone(),
                bank_bic: self.payout.bank_bic.clone(),
                account_hash: self.payout.account_hash.clone(),
                wallet: self.payout.wallet.clone(),
                provider_account: self.payout.provider_account.clone(),
            })));
        }
    }

    /// The claimed offset in minutes, from the claimed timezone.
    pub fn person_offset(&self) -> i32 {
        let tz = self.person.claimed_timezone.as_deref().unwrap_or("UTC");
        crate::world::COUNTRIES
            .iter()
            .flat_map(|c| c.cities.iter())
            .find(|c| c.tz == tz)
            .map(|c| c.offset_min)
            .unwrap_or(0)
    }
}
