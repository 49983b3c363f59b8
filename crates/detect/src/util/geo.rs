//! Country geography: approximate centroids (degrees) of countries for
//! great-circle distances (NET-TRAVEL), and regions of the world.
//!
//! Centroids are rounded to whole degrees, from public geographic centre
//! tables (e.g. the CIA World Factbook "geographic coordinates" field). They
//! are coarse on purpose: travel checks add slack for country size.

/// `(alpha-2, latitude, longitude)` of country centres.
const CENTROIDS: &[(&str, f32, f32)] = &[
    ("AD", 42.5, 1.5),
    ("AE", 24.0, 54.0),
    ("AF", 33.0, 65.0),
    ("AL", 41.0, 20.0),
    ("AM", 40.0, 45.0),
    ("AO", -12.5, 18.5),
    ("AR", -34.0, -64.0),
    ("AT", 47.3, 13.3),
    ("AU", -27.0, 133.0),
    ("AZ", 40.5, 47.5),
    ("BA", 44.0, 18.0),
    ("BD", 24.0, 90.0),
    ("BE", 50.8, 4.0),
    ("BF", 13.0, -2.0),
    ("BG", 43.0, 25.0),
    ("BH", 26.0, 50.5),
    ("BJ", 9.5, 2.3),
    ("BN", 4.5, 114.7),
    ("BO", -17.0, -65.0),
    ("BR", -10.0, -55.0),
    ("BS", 24.3, -76.0),
    ("BT", 27.5, 90.5),
    ("BW", -22.0, 24.0),
    ("BY", 53.0, 28.0),
    ("BZ", 17.3, -88.8),
    ("CA", 60.0, -95.0),
    ("CD", 0.0, 25.0),
    ("CF", 7.0, 21.0),
    ("CG", -1.0, 15.0),
    ("CH", 47.0, 8.0),
    ("CI", 8.0, -5.0),
    ("CL", -30.0, -71.0),
    ("CM", 6.0, 12.0),
    ("CN", 35.0, 105.0),
    ("CO", 4.0, -72.0),
    ("CR", 10.0, -84.0),
    ("CU", 21.5, -80.0),
    ("CY", 35.0, 33.0),
    ("CZ", 49.8, 15.5),
    ("DE", 51.0, 9.0),
    ("DJ", 11.5, 43.0),
    ("DK", 56.0, 10.0),
    ("DO", 19.0, -70.7),
    ("DZ", 28.0, 3.0),
    ("EC", -2.0, -77.5),
    ("EE", 59.0, 26.0),
    ("EG", 27.0, 30.0),
    ("ER", 15.0, 39.0),
    ("ES", 40.0, -4.0),
    ("ET", 8.0, 38.0),
    ("FI", 64.0, 26.0),
    ("FJ", -18.0, 175.0),
    ("FR", 46.0, 2.0),
    ("GA", -1.0, 11.8),
    ("GB", 54.0, -2.0),
    ("GE", 42.0, 43.5),
    ("GH", 8.0, -2.0),
    ("GR", 39.0, 22.0),
    ("GT", 15.5, -90.3),
    ("GY", 5.0, -59.0),
    ("HK", 22.3, 114.2),
    ("HN", 15.0, -86.5),
    ("HR", 45.2, 15.5),
    ("HT", 19.0, -72.4),
    ("HU", 47.0, 20.0),
    ("ID", -5.0, 120.0),
    ("IE", 53.0, -8.0),
    ("IL", 31.5, 34.8),
    ("IN", 20.0, 77.0),
    ("IQ", 33.0, 44.0),
    ("IR", 32.0, 53.0),
    ("IS", 65.0, -18.0),
    ("IT", 42.8, 12.8),
    ("JM", 18.3, -77.3),
    ("JO", 31.0, 36.0),
    ("JP", 36.0, 138.0),
    ("KE", 1.0, 38.0),
    ("KG", 41.0, 75.0),
    ("KH", 13.0, 105.0),
    ("KP", 40.0, 127.0),
    ("KR", 37.0, 127.5),
    ("KW", 29.3, 47.7),
    ("KZ", 48.0, 68.0),
    ("LA", 18.0, 105.0),
    ("LB", 33.8, 35.8),
    ("LK", 7.0, 81.0),
    ("LR", 6.5, -9.5),
    ("LT", 56.0, 24.0),
    ("LU", 49.8, 6.2),
    ("LV", 57.0, 25.0),
    ("LY", 25.0, 17.0),
    ("MA", 32.0, -5.0),
    ("MD", 47.0, 29.0),
    ("ME", 42.5, 19.3),
    ("MG", -20.0, 47.0),
    ("MK", 41.8, 22.0),
    ("ML", 17.0, -4.0),
    ("MM", 22.0, 98.0),
    ("MN", 46.0, 105.0),
    ("MO", 22.2, 113.5),
    ("MT", 35.9, 14.4),
    ("MU", -20.3, 57.6),
    ("MV", 3.2, 73.0),
    ("MW", -13.5, 34.0),
    ("MX", 23.0, -102.0),
    ("MY", 2.5, 112.5),
    ("MZ", -18.3, 35.0),
    ("NA", -22.0, 17.0),
    ("NE", 16.0, 8.0),
    ("NG", 10.0, 8.0),
    ("NI", 13.0, -85.0),
    ("NL", 52.5, 5.8),
    ("NO", 62.0, 10.0),
    ("NP", 28.0, 84.0),
    ("NZ", -41.0, 174.0),
    ("OM", 21.0, 57.0),
    ("PA", 9.0, -80.0),
    ("PE", -10.0, -76.0),
    ("PG", -6.0, 147.0),
    ("PH", 13.0, 122.0),
    ("PK", 30.0, 70.0),
    ("PL", 52.0, 20.0),
    ("PR", 18.2, -66.5),
    ("PS", 32.0, 35.3),
    ("PT", 39.5, -8.0),
    ("PY", -23.0, -58.0),
    ("QA", 25.5, 51.3),
    ("RO", 46.0, 25.0),
    ("RS", 44.0, 21.0),
    ("RU", 60.0, 100.0),
    ("RW", -2.0, 30.0),
    ("SA", 25.0, 45.0),
    ("SD", 15.0, 30.0),
    ("SE", 62.0, 15.0),
    ("SG", 1.4, 103.8),
    ("SI", 46.1, 14.8),
    ("SK", 48.7, 19.5),
    ("SN", 14.0, -14.0),
    ("SO", 10.0, 49.0),
    ("SV", 13.8, -88.9),
    ("SY", 35.0, 38.0),
    ("TH", 15.0, 100.0),
    ("TJ", 39.0, 71.0),
    ("TM", 40.0, 60.0),
    ("TN", 34.0, 9.0),
    ("TR", 39.0, 35.0),
    ("TT", 11.0, -61.0),
    ("TW", 23.5, 121.0),
    ("TZ", -6.0, 35.0),
    ("UA", 49.0, 32.0),
    ("UG", 1.0, 32.0),
    ("US", 38.0, -97.0),
    ("UY", -33.0, -56.0),
    ("UZ", 41.0, 64.0),
    ("VE", 8.0, -66.0),
    ("VN", 16.0, 106.0),
    ("YE", 15.0, 48.0),
    ("ZA", -29.0, 24.0),
    ("ZM", -15.0, 30.0),
    ("ZW", -20.0, 30.0),
];

/// The centre of a country by ISO alpha-2 code (case-insensitive).
pub fn centroid(country: &str) -> Option<(f64, f64)> {
    let c = country.trim();
    CENTROIDS
        .iter()
        .find(|(code, _, _)| code.eq_ignore_ascii_case(c))
        .map(|&(_, lat, lon)| (f64::from(lat), f64::from(lon)))
}

/// Great-circle distance in km between two points (haversine).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    const R: f64 = 6371.0;
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().clamp(0.0, 1.0).asin()
}

/// Distance in km between two countries' centres, when both are known.
pub fn country_distance_km(a: &str, b: &str) -> Option<f64> {
    Some(distance_km(centroid(a)?, centroid(b)?))
}

/// Is this code one of the countries of the Americas (claims the US business day)?
pub fn is_americas(country: &str) -> bool {
    const AM: &[&str] = &[
        "US", "CA", "MX", "BR", "AR", "CL", "CO", "PE", "VE", "EC", "BO", "PY", "UY", "GY", "CR",
        "PA", "GT", "HN", "SV", "NI", "BZ", "CU", "DO", "HT", "JM", "TT", "BS", "PR",
    ];
    AM.iter().any(|c| c.eq_ignore_ascii_case(country.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distances() {
        // US centre to Korea: about 10,000 km
        let d = country_distance_km("US", "KR").unwrap_or_default();
        assert!((9_500.0..11_500.0).contains(&d), "{d}");
        let d = country_distance_km("fr", "DE").unwrap_or_default();
        assert!((400.0..1_000.0).contains(&d), "{d}");
        assert_eq!(country_distance_km("US", "US"), Some(0.0));
        assert_eq!(country_distance_km("US", "XX"), None);
    }

    #[test]
    fn table_is_unique_and_valid() {
        let mut codes: Vec<&str> = CENTROIDS.iter().map(|c| c.0).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n);
        for (_, lat, lon) in CENTROIDS {
            assert!((-90.0..=90.0).contains(lat) && (-180.0..=180.0).contains(lon));
        }
    }
}
