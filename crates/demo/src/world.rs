//! The world the synthetic population lives in: countries with their
//! timezones, cities, phone codes, names and residential ISP ranges; and the
//! network ranges schemes hide behind.
//!
//! IP ranges are real allocations chosen so the bundled IP intelligence
//! (`crates/intel`, built from ../shared/data/ipintel: DB-IP/RouteViews ASN
//! data and the X4BNet VPN/datacenter lists) classifies them as intended:
//! residential ranges of large consumer ISPs (class `other`, the right
//! country), VPN exits listed in X4BNet `output/vpn/ipv4.txt` (class `vpn`),
//! and hosting ASNs listed in X4BNet `input/datacenter/ASN.txt` (class
//! `hosting`). The population is synthetic: no real person uses these addresses.

use std::net::Ipv4Addr;

use crate::rng::Rng;

/// An IPv4 range `base/len`.
#[derive(Debug, Clone, Copy)]
pub struct Range(pub [u8; 4], pub u8);

impl Range {
    /// A random host address in the range (never .0 or .255).
    pub fn pick(&self, rng: &mut Rng) -> Ipv4Addr {
        let base = u32::from(Ipv4Addr::from(self.0));
        let size = 1u64 << (32 - u32::from(self.1));
        loop {
            let ip = base.wrapping_add(rng.below(size) as u32);
            let last = ip & 0xff;
            if last != 0 && last != 255 {
                return Ipv4Addr::from(ip);
            }
        }
    }
}

pub struct City {
    pub name: &'static str,
    pub region: &'static str,
    pub postal: &'static str,
    /// IANA timezone and its standard offset in minutes (February: no DST).
    pub tz: &'static str,
    pub offset_min: i32,
}

pub struct Country {
    pub code: &'static str,
    pub alpha3: &'static str,
    pub phone: &'static str,
    pub cities: &'static [City],
    pub isp: &'static [Range],
    pub first: &'static [&'static str],
    pub last: &'static [&'static str],
    pub streets: &'static [&'static str],
    pub bank_bic: &'static str,
}

const fn city(
    name: &'static str,
    region: &'static str,
    postal: &'static str,
    tz: &'static str,
    offset_min: i32,
) -> City {
    City {
        name,
        region,
        postal,
        tz,
        offset_min,
    }
}

const ANGLO_FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Chris",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Steven",
    "Ashley",
    "Andrew",
    "Emily",
    "Joshua",
    "Megan",
    "Kevin",
    "Rachel",
    "Brian",
    "Laura",
    "Ryan",
    "Olivia",
    "Tyler",
    "Hannah",
    "Aaron",
    "Grace",
];
const ANGLO_LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Carter",
    "Phillips",
    "Evans",
    "Turner",
    "Parker",
    "Collins",
    "Edwards",
    "Stewart",
    "Morris",
    "Murphy",
    "Cook",
    "Rogers",
    "Morgan",
    "Cooper",
    "Reed",
];
const ANGLO_STREETS: &[&str] = &[
    "Oak Street",
    "Maple Avenue",
    "Cedar Lane",
    "Pine Street",
    "Elm Street",
    "Washington Avenue",
    "Lake Drive",
    "Hillside Road",
    "Park Avenue",
    "Sunset Boulevard",
    "Church Street",
    "Mill Road",
    "River Road",
    "Highland Drive",
    "Meadow Lane",
    "Forest Avenue",
    "Spring Street",
    "Chestnut Street",
    "Willow Way",
    "Franklin Street",
];

pub const COUNTRIES: &[Country] = &[
    Country {
        code: "US",
        alpha3: "USA",
        phone: "+1",
        cities: &[
            city("New York", "NY", "100", "America/New_York", -300),
            city("Boston", "MA", "021", "America/New_York", -300),
            city("Atlanta", "GA", "303", "America/New_York", -300),
            city("Chicago", "IL", "606", "America/Chicago", -360),
            city("Austin", "TX", "787", "America/Chicago", -360),
            city("Minneapolis", "MN", "554", "America/Chicago", -360),
            city("Denver", "CO", "802", "America/Denver", -420),
            city("Seattle", "WA", "981", "America/Los_Angeles", -480),
            city("San Francisco", "CA", "941", "America/Los_Angeles", -480),
            city("Portland", "OR", "972", "America/Los_Angeles", -480),
        ],
        // Comcast (AS7922)
        isp: &[Range([73, 0, 0, 0], 8), Range([68, 32, 0, 0], 11)],
        first: ANGLO_FIRST,
        last: ANGLO_LAST,
        streets: ANGLO_STREETS,
        bank_bic: "CHASUS33",
    },
    Country {
        code: "CA",
        alpha3: "CAN",
        phone: "+1",
        cities: &[
            city("Toronto", "ON", "M5V", "America/Toronto", -300),
            city("Ottawa", "ON", "K1P", "America/Toronto", -300),
        ],
        // Rogers (AS812)
        isp: &[Range([99, 224, 0, 0], 11)],
        first: ANGLO_FIRST,
        last: ANGLO_LAST,
        streets: ANGLO_STREETS,
        bank_bic: "ROYCCAT2",
    },
    Country {
        code: "GB",
        alpha3: "GBR",
        phone: "+44",
        cities: &[
            city("London", "England", "EC1", "Europe/London", 0),
            city("Manchester", "England", "M1", "Europe/London", 0),
            city("Leeds", "England", "LS1", "Europe/London", 0),
        ],
        // BT (AS2856)
        isp: &[Range([86, 128, 0, 0], 10)],
        first: ANGLO_FIRST,
        last: ANGLO_LAST,
        streets: &[
            "High Street",
            "Station Road",
            "Church Lane",
            "Victoria Road",
            "Green Lane",
            "Manor Road",
        ],
        bank_bic: "BARCGB22",
    },
    Country {
        code: "DE",
        alpha3: "D<<",
        phone: "+49",
        cities: &[
            city("Berlin", "BE", "101", "Europe/Berlin", 60),
            city("Munich", "BY", "803", "Europe/Berlin", 60),
            city("Hamburg", "HH", "204", "Europe/Berlin", 60),
        ],
        // Deutsche Telekom (AS3320)
        isp: &[Range([79, 192, 0, 0], 10)],
        first: &[
            "Lukas", "Anna", "Jonas", "Lea", "Felix", "Laura", "Paul", "Marie", "Leon", "Julia",
            "Max", "Sophie",
        ],
        last: &[
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Hoffmann",
            "Koch",
        ],
        streets: &[
            "Hauptstraße",
            "Bahnhofstraße",
            "Gartenweg",
            "Schulstraße",
            "Lindenallee",
        ],
        bank_bic: "DEUTDEFF",
    },
    Country {
        code: "FR",
        alpha3: "FRA",
        phone: "+33",
        cities: &[
            city("Paris", "IDF", "750", "Europe/Paris", 60),
            city("Lyon", "ARA", "690", "Europe/Paris", 60),
        ],
        // Orange (AS3215)
        isp: &[Range([90, 0, 0, 0], 10)],
        first: &[
            "Louis", "Camille", "Hugo", "Chloé", "Jules", "Manon", "Arthur", "Inès", "Lucas", "Léa",
        ],
        last: &[
            "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau",
        ],
        streets: &[
            "Rue de la Paix",
            "Avenue Victor Hugo",
            "Rue du Moulin",
            "Boulevard Voltaire",
        ],
        bank_bic: "BNPAFRPP",
    },
    Country {
        code: "PL",
        alpha3: "POL",
        phone: "+48",
        cities: &[
            city("Warsaw", "MZ", "00-", "Europe/Warsaw", 60),
            city("Krakow", "MA", "30-", "Europe/Warsaw", 60),
        ],
        // Orange Polska (AS5617)
        isp: &[Range([83, 0, 0, 0], 11)],
        first: &[
            "Jakub", "Zuzanna", "Kacper", "Julia", "Szymon", "Maja", "Filip", "Zofia", "Michał",
            "Hanna",
        ],
        last: &[
            "Nowak",
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kowalczyk",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
        ],
        streets: &["ul. Długa", "ul. Polna", "ul. Leśna", "ul. Słoneczna"],
        bank_bic: "PKOPPLPW",
    },
    Country {
        code: "IN",
        alpha3: "IND",
        phone: "+91",
        cities: &[
            city("Bengaluru", "KA", "560", "Asia/Kolkata", 330),
            city("Pune", "MH", "411", "Asia/Kolkata", 330),
            city("Hyderabad", "TG", "500", "Asia/Kolkata", 330),
        ],
        // Reliance Jio (AS55836)
        isp: &[Range([49, 32, 0, 0], 13)],
        first: &[
            "Aarav", "Priya", "Vivaan", "Ananya", "Aditya", "Diya", "Arjun", "Isha", "Rohan",
            "Kavya", "Rahul",
        ],
        last: &[
            "Sharma", "Patel", "Reddy", "Iyer", "Gupta", "Singh", "Kumar", "Nair", "Rao", "Mehta",
            "Joshi",
        ],
        streets: &[
            "MG Road",
            "Residency Road",
            "Station Road",
            "Lake View Road",
        ],
        bank_bic: "HDFCINBB",
    },
    Country {
        code: "PH",
        alpha3: "PHL",
        phone: "+63",
        cities: &[
            city("Manila", "NCR", "100", "Asia/Manila", 480),
            city("Cebu City", "CEB", "600", "Asia/Manila", 480),
        ],
        // Globe Telecom (AS4775)
        isp: &[Range([112, 198, 0, 0], 16)],
        first: &[
            "Jose",
            "Maria",
            "Juan",
            "Ana",
            "Mark",
            "Kristine",
            "John Paul",
            "Angelica",
            "Carlo",
            "Patricia",
        ],
        last: &[
            "Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres",
            "Aquino",
        ],
        streets: &["Rizal Avenue", "Mabini Street", "Bonifacio Street"],
        bank_bic: "BOPIPHMM",
    },
    Country {
        code: "KR",
        alpha3: "KOR",
        phone: "+82",
        cities: &[
            city("Seoul", "11", "04", "Asia/Seoul", 540),
            city("Busan", "26", "48", "Asia/Seoul", 540),
            city("Seongnam", "41", "13", "Asia/Seoul", 540),
        ],
        // Korea Telecom (AS4766)
        isp: &[Range([121, 128, 0, 0], 10), Range([14, 32, 0, 0], 11)],
        first: &[
            "Min-jun", "Seo-yeon", "Ji-hoon", "Ji-woo", "Hyun-woo", "Soo-ah", "Do-yun", "Ha-eun",
            "Joon-ho",
        ],
        last: &[
            "Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim",
        ],
        streets: &[
            "Teheran-ro",
            "Gangnam-daero",
            "Sejong-daero",
            "Hannam-daero",
        ],
        bank_bic: "KOEXKRSE",
    },
    Country {
        code: "CN",
        alpha3: "CHN",
        phone: "+86",
        cities: &[
            city("Shanghai", "SH", "200", "Asia/Shanghai", 480),
            city("Hangzhou", "ZJ", "310", "Asia/Shanghai", 480),
        ],
        // China Telecom Shanghai (AS4812)
        isp: &[Range([116, 224, 0, 0], 12)],
        first: &[
            "Wei", "Fang", "Jing", "Lei", "Yan", "Hao", "Xin", "Ming", "Li Na", "Jun",
        ],
        last: &[
            "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
        ],
        streets: &[
            "Nanjing Road",
            "Huaihai Road",
            "Wensan Road",
            "Century Avenue",
        ],
        bank_bic: "ICBKCNBJ",
    },
];

pub fn country(code: &str) -> &'static Country {
    COUNTRIES
        .iter()
        .find(|c| c.code == code)
        .unwrap_or(&COUNTRIES[0])
}

/// Where honest workers live (country code, weight).
pub const HONEST_MIX: &[(&str, u32)] = &[
    ("US", 50),
    ("CA", 6),
    ("GB", 8),
    ("DE", 6),
    ("FR", 4),
    ("PL", 6),
    ("IN", 10),
    ("PH", 4),
    ("KR", 3),
    ("CN", 3),
];

/// One corporate office's egress (AT&T business fiber, AS7018): hundreds of
/// employees log in through these few addresses.
pub const CORPORATE_EGRESS: [[u8; 4]; 3] = [[12, 34, 56, 10], [12, 34, 56, 11], [12, 34, 56, 12]];

/// VPN exits in the US (M247 ranges of the X4BNet VPN list): where a
/// scheme's "Astrill VPN" logins appear.
pub const VPN_US: &[Range] = &[
    Range([216, 132, 64, 0], 22),
    Range([68, 167, 78, 0], 23),
    Range([158, 140, 202, 0], 23),
];

/// Consumer VPN exits in Europe (M247 NL, Datacamp GB): honest privacy use.
pub const VPN_EU: &[Range] = &[Range([146, 70, 208, 0], 21), Range([185, 175, 142, 0], 23)];

/// Hosting (DigitalOcean AS14061, Vultr AS20473): VPS jump hosts.
pub const HOSTING: &[Range] = &[
    Range([104, 131, 0, 0], 16),
    Range([167, 99, 0, 0], 16),
    Range([45, 76, 0, 0], 16),
];

/// China Unicom in Liaoning (AS4837): the border region where DPRK IT
/// workers have been reported to live.
pub const CN_UNICOM: &[Range] = &[Range([175, 170, 0, 0], 15), Range([113, 224, 0, 0], 12)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_pick_inside() {
        let mut rng = Rng::new(1);
        let r = Range([12, 34, 56, 0], 24);
        for _ in 0..100 {
            let ip = r.pick(&mut rng).octets();
            assert_eq!(&ip[..3], &[12, 34, 56]);
            assert!(ip[3] != 0 && ip[3] != 255);
        }
        let total: u32 = HONEST_MIX.iter().map(|(_, w)| w).sum();
        assert_eq!(total, 100);
        assert!(HONEST_MIX.iter().all(|(c, _)| country(c).code == *c));
    }

    /// Every home ISP range must geolocate to its country in the bundled IP data, or honest
    /// workers would carry geo-mismatch noise that is the generator's fault.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn isp_ranges_geolocate_to_their_country() {
        let intel = molehunt_intel::IpIntel::bundled().unwrap();
        let mut rng = Rng::new(7);
        for c in COUNTRIES {
            for r in c.isp {
                let mut wrong = 0;
                for _ in 0..200 {
                    let ip = r.pick(&mut rng);
                    let got = intel.lookup(std::net::IpAddr::V4(ip)).country;
                    if got.as_deref() != Some(c.code) {
                        wrong += 1;
                    }
                }
                assert!(
                    wrong <= 2,
                    "{}: {wrong}/200 of {:?} not in {}",
                    c.code,
                    r,
                    c.code
                );
            }
        }
    }
}
