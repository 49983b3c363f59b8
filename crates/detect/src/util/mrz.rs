//! Machine-readable zone checks (ICAO Doc 9303): check digits of TD3
//! (passports, 2 x 44), TD2 (2 x 36) and TD1 (ID cards, 3 x 30).

/// The value of one MRZ character for check digits: digits, A-Z = 10-35, `<` = 0.
fn value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The ICAO 9303 check digit (weights 7, 3, 1) of a field.
pub fn check_digit(field: &[u8]) -> Option<u8> {
    const W: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, &c) in field.iter().enumerate() {
        sum += value(c)? * W[i % 3];
    }
    Some((sum % 10) as u8 + b'0')
}

/// One failed check: which field, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MrzProblem(pub String);

/// What an MRZ says (for comparisons with the document fields).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MrzData {
    pub format: &'static str,
    pub document_number: String,
    /// YYMMDD.
    pub birth: String,
    /// YYMMDD.
    pub expiry: String,
    pub nationality: String,
}

/// Validates an MRZ (lines joined by `\n`; `\r` and spaces are ignored).
/// Returns the parsed data and the list of problems (empty when valid).
pub fn validate(mrz: &str) -> (Option<MrzData>, Vec<MrzProblem>) {
    let lines: Vec<Vec<u8>> = mrz
        .lines()
        .map(|l| {
            l.bytes()
                .filter(|b| !b.is_ascii_whitespace())
                .map(|b| b.to_ascii_uppercase())
                .collect::<Vec<u8>>()
        })
        .filter(|l| !l.is_empty())
        .collect();
    let shape: Vec<usize> = lines.iter().map(Vec::len).collect();
    let mut problems = Vec::new();
    let mut check = |name: &str, field: &[u8], digit: u8| {
        match check_digit(field) {
            Some(d) if d == digit => {}
            // a filler `<` check digit is allowed for an all-filler optional field
            _ if digit == b'<' && field.iter().all(|&c| c == b'<') => {}
            Some(d) => problems.push(MrzProblem(format!(
                "{name} check digit is `{}`, expected `{}`",
                digit as char, d as char
            ))),
            None => problems.push(MrzProblem(format!(
                "{name} holds characters not allowed in an MRZ"
            ))),
        }
    };
    let s = |l: &Vec<u8>, a: usize, b: usize| {
        String::from_utf8_lossy(&l[a..b])
            .trim_end_matches('<')
            .to_string()
    };
    let data = match shape.as_slice() {
        [44, 44] => {
            let l2 = &lines[1];
            check("document number", &l2[0..9], l2[9]);
            check("date of birth", &l2[13..19], l2[19]);
            check("expiry date", &l2[21..27], l2[27]);
            check("personal number", &l2[28..42], l2[42]);
            let composite: Vec<u8> = [&l2[0..10], &l2[13..20], &l2[21..43]].concat();
            check("composite", &composite, l2[43]);
            Some(MrzData {
                format: "TD3",
                document_number: s(l2, 0, 9),
                birth: s(l2, 13, 19),
                expiry: s(l2, 21, 27),
                nationality: s(l2, 10, 13),
            })
        }
        [36, 36] => {
            let l2 = &lines[1];
            check("document number", &l2[0..9], l2[9]);
            check("date of birth", &l2[13..19], l2[19]);
            check("expiry date", &l2[21..27], l2[27]);
            let composite: Vec<u8> = [&l2[0..10], &l2[13..20], &l2[21..35]].concat();
            check("composite", &composite, l2[35]);
            Some(MrzData {
                format: "TD2",
                document_number: s(l2, 0, 9),
                birth: s(l2, 13, 19),
                expiry: s(l2, 21, 27),
                nationality: s(l2, 10, 13),
            })
        }
        [30, 30, 30] => {
            let (l1, l2) = (&lines[0], &lines[1]);
            check("document number", &l1[5..14], l1[14]);
            check("date of birth", &l2[0..6], l2[6]);
            check("expiry date", &l2[8..14], l2[14]);
            let composite: Vec<u8> = [&l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]].concat();
            check("composite", &composite, l2[29]);
            Some(MrzData {
                format: "TD1",
                document_number: s(l1, 5, 14),
                birth: s(l2, 0, 6),
                expiry: s(l2, 8, 14),
                nationality: s(l2, 15, 18),
            })
        }
        _ => {
            problems.push(MrzProblem(format!(
                "MRZ has lines of length {shape:?}; expected 2 x 44 (TD3), 2 x 36 (TD2) or 3 x 30 (TD1)"
            )));
            None
        }
    };
    (data, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    // ICAO Doc 9303 part 4 / part 5 specimens
    const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

    #[test]
    fn icao_specimens_are_valid() {
        let (d, p) = validate(TD3);
        assert!(p.is_empty(), "{p:?}");
        let d = d.unwrap_or_default();
        assert_eq!(d.document_number, "L898902C3");
        assert_eq!(d.birth, "740812");
        let (d, p) = validate(TD1);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(d.unwrap_or_default().document_number, "D23145890");
    }

    #[test]
    fn tampering_is_caught() {
        // birth date changed from 740812 to 750812, check digits left alone
        let forged = TD3.replace("7408122", "7508122");
        let (_, p) = validate(&forged);
        assert!(p.iter().any(|x| x.0.contains("date of birth")), "{p:?}");
        assert!(p.iter().any(|x| x.0.contains("composite")));
        let (_, p) = validate("P<UTO\nshort");
        assert_eq!(p.len(), 1);
        let (_, p) = validate(&TD1.replace("D23145890", "D23145891"));
        assert!(!p.is_empty());
    }

    #[test]
    fn check_digit_known_answers() {
        assert_eq!(check_digit(b"L898902C3"), Some(b'6'));
        assert_eq!(check_digit(b"740812"), Some(b'2'));
        assert_eq!(check_digit(b"120415"), Some(b'9'));
        assert_eq!(check_digit(b"a"), None);
    }
}
