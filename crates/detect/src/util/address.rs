//! Postal address normalisation for comparison (SHIP-ADDR-MISMATCH, SHIP-FARM,
//! and the `shipping_address` / `document_address` links).
//!
//! Two spellings of one place must give one string: case, punctuation and
//! whitespace are dropped, common abbreviations are expanded to one form
//! (`St`/`Street`, `Ave`/`Avenue`, `Rd`/`Road`, `N`/`North`, ...), unit
//! designators (`Apt`, `#`, `Unit`, `Suite`, `Ste`) become `unit`, US state
//! names become their two-letter codes, US ZIP+4 is cut to five digits and
//! country names to ISO alpha-2.

use molehunt_model::Address;

/// The canonical comparison key of an address, fields joined by `|`:
/// `line1 line2|city|region|postal_code|country`.
///
/// ```
/// use molehunt_detect::util::address::normalize;
/// use molehunt_model::Address;
/// let a = Address { line1: Some("12 N. Main St., Apt 4".into()), city: Some("Springfield".into()), ..Default::default() };
/// let b = Address { line1: Some("12 north main street".into()), line2: Some("#4".into()), city: Some("SPRINGFIELD".into()), ..Default::default() };
/// assert_eq!(normalize(&a), normalize(&b));
/// ```
pub fn normalize(a: &Address) -> String {
    let mut street = String::new();
    for line in [&a.line1, &a.line2].into_iter().flatten() {
        push_tokens(&mut street, line);
    }
    let city = a.city.as_deref().map(simple).unwrap_or_default();
    let region = a.region.as_deref().map(region_code).unwrap_or_default();
    let postal = a.postal_code.as_deref().map(postal).unwrap_or_default();
    let country = a.country.as_deref().map(country_code).unwrap_or_default();
    format!("{street}|{city}|{region}|{postal}|{country}")
}

/// The street part only (lines 1 and 2), normalised: useful when the other
/// fields are missing on one side.
pub fn normalize_street(a: &Address) -> String {
    let mut street = String::new();
    for line in [&a.line1, &a.line2].into_iter().flatten() {
        push_tokens(&mut street, line);
    }
    street
}

/// True when two addresses name the same place: equal streets and, where
/// both give them, equal postal codes, cities and countries.
pub fn same_place(a: &Address, b: &Address) -> bool {
    let (sa, sb) = (normalize_street(a), normalize_street(b));
    if sa.is_empty() || sa != sb {
        return false;
    }
    let agree = |x: Option<String>, y: Option<String>| match (x, y) {
        (Some(x), Some(y)) if !x.is_empty() && !y.is_empty() => x == y,
        _ => true,
    };
    agree(
        a.postal_code.as_deref().map(postal),
        b.postal_code.as_deref().map(postal),
    ) && agree(a.city.as_deref().map(simple), b.city.as_deref().map(simple))
        && agree(
            a.country.as_deref().map(country_code),
            b.country.as_deref().map(country_code),
        )
}

fn push_tokens(out: &mut String, line: &str) {
    let lower = line.to_lowercase();
    // `#12` and `no. 12` mark units; split `#` off its number first
    let spaced = lower.replace('#', " # ");
    for raw in spaced.split(|c: char| c.is_whitespace() || c == ',' || c == '.' || c == ';') {
        let tok: String = raw
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '#' || *c == '/')
            .collect();
        if tok.is_empty() {
            continue;
        }
        let canon = expand(&tok);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(canon);
    }
}

fn expand(tok: &str) -> &str {
    match tok {
        "st" | "str" | "street" => "street",
        "ave" | "av" | "avenue" | "avn" => "avenue",
        "rd" | "road" => "road",
        "blvd" | "boulevard" => "boulevard",
        "dr" | "drive" => "drive",
        "ln" | "lane" => "lane",
        "ct" | "court" => "court",
        "pl" | "place" => "place",
        "sq" | "square" => "square",
        "ter" | "terr" | "terrace" => "terrace",
        "pkwy" | "parkway" => "parkway",
        "hwy" | "highway" => "highway",
        "cir" | "circle" => "circle",
        "trl" | "trail" => "trail",
        "apt" | "apartment" | "#" | "unit" | "suite" | "ste" | "no" | "rm" | "room" | "flat" => {
            "unit"
        }
        "fl" | "floor" => "floor",
        "bldg" | "building" => "building",
        "n" | "north" => "north",
        "s" | "south" => "south",
        "e" | "east" => "east",
        "w" | "west" => "west",
        "ne" | "northeast" => "northeast",
        "nw" | "northwest" => "northwest",
        "se" | "southeast" => "southeast",
        "sw" | "southwest" => "southwest",
        "mt" | "mount" => "mount",
        "ft" | "fort" => "fort",
        "po" => "po",
        _ => tok,
    }
}

fn simple(s: &str) -> String {
    let mut out = String::new();
    for raw in s.to_lowercase().split(|c: char| !c.is_alphanumeric()) {
        if raw.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(match raw {
            "st" | "saint" => "saint",
            "ft" | "fort" => "fort",
            "mt" | "mount" => "mount",
            x => x,
        });
    }
    out
}

fn postal(s: &str) -> String {
    let p: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    // US ZIP+4: 9 digits collapse to the 5-digit ZIP
    if p.len() == 9 && p.bytes().all(|b| b.is_ascii_digit()) {
        return p[..5].to_string();
    }
    p
}

fn region_code(s: &str) -> String {
    let simple = simple(s);
    for (code, name) in US_STATES {
        if simple == *name {
            return (*code).to_string();
        }
    }
    simple.replace(' ', "")
}

/// Normalises a country given as ISO alpha-2, alpha-3 or a common English name.
pub fn country_code(s: &str) -> String {
    let t = simple(s);
    match t.as_str() {
        "us" | "usa" | "united states" | "united states of america" | "america" => "us".into(),
        "gb" | "uk" | "gbr" | "united kingdom" | "great britain" | "england" => "gb".into(),
        "ca" | "can" | "canada" => "ca".into(),
        "kr" | "kor" | "south korea" | "korea" | "republic of korea" => "kr".into(),
        "kp" | "prk" | "north korea" => "kp".into(),
        "cn" | "chn" | "china" => "cn".into(),
        "de" | "deu" | "germany" => "de".into(),
        "fr" | "fra" | "france" => "fr".into(),
        "jp" | "jpn" | "japan" => "jp".into(),
        "ru" | "rus" | "russia" => "ru".into(),
        "mx" | "mex" | "mexico" => "mx".into(),
        _ => t.replace(' ', ""),
    }
}

const US_STATES: &[(&str, &str)] = &[
    ("al", "alabama"),
    ("ak", "alaska"),
    ("az", "arizona"),
    ("ar", "arkansas"),
    ("ca", "california"),
    ("co", "colorado"),
    ("ct", "connecticut"),
    ("de", "delaware"),
    ("dc", "district of columbia"),
    ("fl", "florida"),
    ("ga", "georgia"),
    ("hi", "hawaii"),
    ("id", "idaho"),
    ("il", "illinois"),
    ("in", "indiana"),
    ("ia", "iowa"),
    ("ks", "kansas"),
    ("ky", "kentucky"),
    ("la", "louisiana"),
    ("me", "maine"),
    ("md", "maryland"),
    ("ma", "massachusetts"),
    ("mi", "michigan"),
    ("mn", "minnesota"),
    ("ms", "mississippi"),
    ("mo", "missouri"),
    ("mt", "montana"),
    ("ne", "nebraska"),
    ("nv", "nevada"),
    ("nh", "new hampshire"),
    ("nj", "new jersey"),
    ("nm", "new mexico"),
    ("ny", "new york"),
    ("nc", "north carolina"),
    ("nd", "north dakota"),
    ("oh", "ohio"),
    ("ok", "oklahoma"),
    ("or", "oregon"),
    ("pa", "pennsylvania"),
    ("ri", "rhode island"),
    ("sc", "south carolina"),
    ("sd", "south dakota"),
    ("tn", "tennessee"),
    ("tx", "texas"),
    ("ut", "utah"),
    ("vt", "vermont"),
    ("va", "virginia"),
    ("wa", "washington"),
    ("wv", "west virginia"),
    ("wi", "wisconsin"),
    ("wy", "wyoming"),
    ("pr", "puerto rico"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(l1: &str, l2: Option<&str>, city: &str, region: &str, zip: &str, c: &str) -> Address {
        Address {
            line1: Some(l1.into()),
            line2: l2.map(Into::into),
            city: Some(city.into()),
            region: Some(region.into()),
            postal_code: Some(zip.into()),
            country: Some(c.into()),
        }
    }

    #[test]
    fn abbreviations_case_punctuation_whitespace() {
        let a = addr(
            "1234  N. Oak St.",
            Some("Apt 5"),
            "Nashville",
            "TN",
            "37201",
            "US",
        );
        let b = addr(
            "1234 north oak street",
            Some("#5"),
            "NASHVILLE",
            "Tennessee",
            "37201-1234",
            "USA",
        );
        let c = addr(
            "1234 North Oak Street Unit 5",
            None,
            "Nashville",
            "tn",
            "37201",
            "United States",
        );
        assert_eq!(normalize(&a), normalize(&b));
        assert_eq!(normalize(&a), normalize(&c));
        assert_eq!(
            normalize(&a),
            "1234 north oak street unit 5|nashville|tn|37201|us"
        );
    }

    #[test]
    fn different_places_differ() {
        let a = addr("12 Main St", None, "Springfield", "IL", "62701", "US");
        let b = addr("12 Main Ave", None, "Springfield", "IL", "62701", "US");
        let c = addr(
            "12 Main St",
            Some("Apt 2"),
            "Springfield",
            "IL",
            "62701",
            "US",
        );
        assert_ne!(normalize(&a), normalize(&b));
        assert_ne!(normalize(&a), normalize(&c));
        assert!(!same_place(&a, &b));
    }

    #[test]
    fn same_place_tolerates_missing_fields() {
        let a = addr("500 Elm Rd, Suite 200", None, "Austin", "TX", "78701", "US");
        let b = Address {
            line1: Some("500 elm road ste 200".into()),
            ..Default::default()
        };
        assert!(same_place(&a, &b));
        let c = addr("500 Elm Rd, Suite 200", None, "Dallas", "TX", "75201", "US");
        assert!(!same_place(&a, &c));
    }

    #[test]
    fn empty_is_stable() {
        assert_eq!(normalize(&Address::default()), "||||");
    }
}
