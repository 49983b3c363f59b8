//! Normalisation of strong identifiers (so that `J.Doe@Example.com` and
//! `j.doe@example.com` are one value) and masking of sensitive values for output.

use molehunt_model::{Address, Wallet};

/// Lowercase, trimmed email; plus-addressing dropped; dots dropped for Gmail.
/// `None` when it does not look like an email.
pub fn email(raw: &str) -> Option<String> {
    let s = raw.trim().to_lowercase();
    let (local, domain) = s.rsplit_once('@')?;
    if local.is_empty() || !domain.contains('.') {
        return None;
    }
    let local = local.split('+').next().unwrap_or(local);
    let domain = if domain == "googlemail.com" {
        "gmail.com"
    } else {
        domain
    };
    let local = if domain == "gmail.com" {
        local.replace('.', "")
    } else {
        local.to_string()
    };
    if local.is_empty() {
        return None;
    }
    Some(format!("{local}@{domain}"))
}

/// E.164-style phone: `+` and digits only (`00` prefix read as `+`).
/// `None` with fewer than 7 digits.
pub fn phone(raw: &str) -> Option<String> {
    let t = raw.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let (plus, digits) = if t.starts_with('+') {
        (true, digits.as_str())
    } else if let Some(rest) = digits.strip_prefix("00") {
        (true, rest)
    } else {
        (false, digits.as_str())
    };
    if digits.len() < 7 {
        return None;
    }
    Some(if plus {
        format!("+{digits}")
    } else {
        digits.to_string()
    })
}

/// Lowercase hex-ish hash value (account hashes, photo hashes, document hashes).
pub fn hash(raw: &str) -> Option<String> {
    let s = raw.trim().to_lowercase();
    (!s.is_empty()).then_some(s)
}

/// A document number: uppercase letters and digits only.
pub fn doc_number(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (s.len() >= 4).then_some(s)
}

/// A crypto wallet as `CHAIN:address`. Hex (`0x...`) and bech32 addresses
/// are case-insensitive and lowercased; base58 addresses keep their case.
pub fn wallet(w: &Wallet) -> Option<String> {
    let addr = w.address.trim();
    if addr.len() < 8 {
        return None;
    }
    let lower = addr.to_ascii_lowercase();
    let case_insensitive = lower.starts_with("0x")
        || lower.starts_with("bc1")
        || lower.starts_with("ltc1")
        || lower.starts_with("tb1");
    let addr = if case_insensitive {
        lower
    } else {
        addr.to_string()
    };
    // The chain is not part of the identity: a USDT address on TRX and the
    // same address tagged TRX are the same wallet.
    Some(addr)
}

/// A payment provider account (PayPal email, Payoneer id, ...).
pub fn provider_account(raw: &str) -> Option<String> {
    if raw.contains('@') {
        return email(raw);
    }
    let s = raw.trim().to_lowercase();
    (s.len() >= 3).then_some(s)
}

/// Postal address normalised for comparison with the detectors' rules
/// (`util::address::normalize`: case, punctuation, St/Street, Apt/#/Unit,
/// state names, ZIP+4). `None` without a street line.
pub fn address(a: &Address) -> Option<String> {
    let key = crate::util::address::normalize(a);
    let street = key.split('|').next().unwrap_or("");
    (!street.trim().is_empty()).then_some(key)
}

/// `…` + the last `n` characters.
pub fn last(s: &str, n: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(n)..].iter().collect();
    format!("…{tail}")
}

/// The first `n` characters + `…`.
pub fn prefix(s: &str, n: usize) -> String {
    let head: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        format!("{head}…")
    } else {
        head
    }
}

/// `j***@example.com`.
pub fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => last(e, 4),
    }
}

/// An address key shown without its street: `*** | 62704 | us`.
pub fn mask_address(key: &str) -> String {
    let mut parts = key.splitn(2, '|');
    let street = parts.next().unwrap_or("");
    let rest = parts.next().unwrap_or("");
    let number = street
        .split(' ')
        .next()
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
        .map(|_| "#")
        .unwrap_or("");
    format!("{number}*** {}", rest.replace('|', " ").trim())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn addr(line1: &str, line2: Option<&str>, postal: &str) -> Address {
        Address {
            line1: Some(line1.into()),
            line2: line2.map(Into::into),
            city: Some("Springfield".into()),
            region: Some("IL".into()),
            postal_code: Some(postal.into()),
            country: Some("US".into()),
        }
    }

    #[test]
    fn addresses_normalise_abbreviations_case_and_space() {
        let a = address(&addr("12 North Oak Street", Some("Apartment 4"), "62704")).unwrap();
        let b = address(&addr(" 12  n. oak st.", Some("#4"), "62704")).unwrap();
        assert_eq!(a, b);
        let c = address(&addr("12 North Oak Street", Some("Apt 5"), "62704")).unwrap();
        assert_ne!(a, c);
        assert!(address(&Address::default()).is_none());
    }

    #[test]
    fn emails_and_phones() {
        assert_eq!(email(" J.Doe+jobs@GMail.com ").unwrap(), "jdoe@gmail.com");
        assert_eq!(email("a.b@corp.example").unwrap(), "a.b@corp.example");
        assert!(email("nope").is_none());
        assert_eq!(phone("+1 (555) 010-2030").unwrap(), "+15550102030");
        assert_eq!(phone("0044 20 7946 0000").unwrap(), "+442079460000");
        assert!(phone("12").is_none());
    }

    #[test]
    fn wallets_keep_base58_case_and_fold_hex() {
        let w = |a: &str| {
            wallet(&Wallet {
                chain: Some("ETH".into()),
                address: a.into(),
            })
        };
        assert_eq!(w("0xAbCdEf0123456789"), w("0xabcdef0123456789"));
        assert_ne!(w("TXyzAbc12345678"), w("txyzabc12345678"));
    }

    #[test]
    fn masks_hide_the_sensitive_part() {
        assert_eq!(last("123456789", 4), "…6789");
        assert_eq!(prefix("deadbeefcafe", 8), "deadbeef…");
        assert_eq!(mask_email("john@example.com"), "j***@example.com");
        let key = address(&addr("12 Oak Street", None, "62704")).unwrap();
        let masked = mask_address(&key);
        assert!(!masked.contains("oak"), "{masked}");
        assert!(masked.contains("62704"));
    }
}
