//! Crypto address normalisation with each address family's case rule.
//!
//! EVM hex addresses (`0x` + 40 hex: ETH, ETC, USDT/USDC on Ethereum, BSC, ARB) are
//! case-insensitive (EIP-55 mixed case is only a checksum); bech32/bech32m addresses (`bc1`,
//! `ltc1`, `bnb1` ...) and Bitcoin Cash cashaddr are case-insensitive but must not mix case;
//! base58 addresses (legacy Bitcoin, Tron, Solana, XRP, Dash, Zcash t-addresses) and Monero
//! are case-sensitive and compared exactly.

/// Returns the comparison form of an address: trimmed, lower-cased where the family ignores
/// case, exact otherwise.
pub fn normalize_address(addr: &str) -> String {
    let a = addr.trim();
    let a = a.strip_prefix("bitcoincash:").unwrap_or(a);
    if let Some(hex) = a.strip_prefix("0x").or_else(|| a.strip_prefix("0X"))
        && !hex.is_empty()
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return format!("0x{}", hex.to_ascii_lowercase());
    }
    if is_bech32_like(a) {
        return a.to_ascii_lowercase();
    }
    a.to_string()
}

/// bech32: `hrp1data`, one case only, data from the bech32 alphabet; cashaddr: `q`/`p` + 41 chars.
fn is_bech32_like(a: &str) -> bool {
    let lower = a.to_ascii_lowercase();
    let one_case = a == lower || a == a.to_ascii_uppercase();
    if !one_case {
        return false;
    }
    const CHARSET: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if let Some(pos) = lower.rfind('1') {
        let (hrp, data) = (&lower[..pos], &lower[pos + 1..]);
        if (1..=10).contains(&hrp.len())
            && hrp.bytes().all(|b| b.is_ascii_lowercase())
            && data.len() >= 6
            && data.chars().all(|c| CHARSET.contains(c))
        {
            return true;
        }
    }
    (lower.starts_with('q') || lower.starts_with('p'))
        && lower.len() == 42
        && lower.chars().all(|c| CHARSET.contains(c))
}

/// Chains sharing the EVM address space: one address is the same wallet on each.
pub(crate) fn family(chain: &str) -> &str {
    match chain.to_ascii_uppercase().as_str() {
        "ETH" | "ETC" | "USDT" | "USDC" | "BSC" | "ARB" | "BNB" | "MATIC" | "POL" => "EVM",
        _ => chain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_rules() {
        assert_eq!(
            normalize_address("0x7F367cC41522cE07553e823bf3be79A889DEbe1B"),
            "0x7f367cc41522ce07553e823bf3be79a889debe1b"
        );
        assert_eq!(
            normalize_address("BC1QSXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
            normalize_address("bc1qsxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        );
        // base58 keeps case
        assert_ne!(
            normalize_address("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"),
            normalize_address("12qtd5bfwrsdnsazy76uve1xycgntojh9h")
        );
        assert_eq!(normalize_address("  TXyz  "), "TXyz");
        // mixed-case bech32 is invalid and not folded
        assert_eq!(normalize_address("bc1QsX"), "bc1QsX");
    }
}
