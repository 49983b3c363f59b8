//! Name normalisation: scripts to Latin (any_ascii, with Hangul and Han names split into
//! surname and joined given name), case folding, diacritics, punctuation, honorifics, legal
//! forms, romanisation variants.

use crate::model::EntityType;
use crate::phonetic::{canonical, key};

/// A normalised name: canonical tokens and their phonetic keys, in name order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NormName {
    pub tokens: Vec<String>,
    pub keys: Vec<String>,
}

const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "sir",
    "sheikh",
    "shaykh",
    "shaikh",
    "haji",
    "hajji",
    "al-haj",
    "alhaj",
    "general",
    "gen",
    "colonel",
    "col",
    "major",
    "maj",
    "captain",
    "capt",
    "lt",
    "lieutenant",
    "brigadier",
    "admiral",
    "mullah",
    "mullah",
    "maulana",
    "maulvi",
    "mawlawi",
    "imam",
    "sayyid",
    "sayed",
    "engineer",
    "eng",
    "jr",
    "sr",
    "ii",
    "iii",
];

const LEGAL_FORMS: &[&str] = &[
    "llc",
    "ltd",
    "limited",
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "ooo",
    "zao",
    "oao",
    "pao",
    "ao",
    "tov",
    "gmbh",
    "ag",
    "sa",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "plc",
    "llp",
    "lp",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "pte",
    "pvt",
    "pty",
    "kg",
    "ab",
    "oy",
    "kft",
    "sdn",
    "bhd",
    "tic",
    "as",
    "sas",
    "cv",
    "sl",
    "gie",
    "dmcc",
];

fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Romanises one word of Hangul or Han characters: the first syllable is the surname, the
/// others form one given name ("김정은" -> "gim jeongeun").
fn syllabic_word(word: &str, out: &mut String) {
    let sylls: Vec<String> = word
        .chars()
        .map(|c| any_ascii::any_ascii_char(c).to_lowercase())
        .collect();
    match sylls.split_first() {
        Some((first, rest)) if sylls.len() >= 3 => {
            out.push_str(first);
            out.push(' ');
            out.push_str(&rest.concat());
        }
        _ => out.push_str(&sylls.join(" ")),
    }
    out.push(' ');
}

/// Converts any script to lower-case ASCII words separated by single spaces. Apostrophes
/// vanish (`Ch'o'l` -> `chol`); hyphens join (`Chol-nam` -> `cholnam`) since given names are
/// written both ways and the matcher re-splits when needed.
pub fn to_ascii_words(raw: &str) -> String {
    let mut latin = String::with_capacity(raw.len() + 8);
    let mut run = String::new();
    for c in raw.chars() {
        if is_hangul(c) || is_han(c) {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            syllabic_word(&run, &mut latin);
            run.clear();
        }
        latin.push(c);
    }
    if !run.is_empty() {
        syllabic_word(&run, &mut latin);
    }
    let ascii = any_ascii::any_ascii(&latin);
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            '\'' | '`' | '"' | '.' => {}
            '-' => {}
            _ => {
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
            }
        }
    }
    out.trim_end().to_string()
}

/// Normalises a name into canonical tokens and phonetic keys.
pub fn normalize_name(raw: &str, entity_type: Option<EntityType>) -> NormName {
    // Initials written "J.Smith" keep their boundary.
    let spaced = raw.replace('.', ". ");
    let words = to_ascii_words(&spaced);
    let mut toks: Vec<&str> = words.split(' ').filter(|t| !t.is_empty()).collect();
    let drop_if = |toks: &mut Vec<&str>, list: &[&str]| {
        if toks.len() > 1 {
            let kept: Vec<&str> = toks.iter().copied().filter(|t| !list.contains(t)).collect();
            if !kept.is_empty() {
                *toks = kept;
            }
        }
    };
    if entity_type != Some(EntityType::Organization) {
        drop_if(&mut toks, TITLES);
    }
    if matches!(entity_type, None | Some(EntityType::Organization)) {
        drop_if(&mut toks, LEGAL_FORMS);
    }
    let tokens: Vec<String> = toks.iter().map(|t| canonical(t).to_string()).collect();
    let keys = tokens.iter().map(|t| key(t)).collect();
    NormName { tokens, keys }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        normalize_name(s, None).tokens
    }

    #[test]
    fn scripts_and_punctuation() {
        assert_eq!(toks("PAK, Chol Nam"), ["pak", "chol", "nam"]);
        assert_eq!(toks("Ch'o'l-nam PAK"), ["cholnam", "pak"]);
        assert_eq!(toks("김정은"), ["kim", "jeongeun"]);
        assert_eq!(toks("Пак Чол Нам"), ["pak", "chol", "nam"]);
        assert_eq!(toks("José Müller"), ["jose", "muller"]);
        assert_eq!(toks("习近平"), ["xi", "jinping"]);
        assert_eq!(toks("Dr. Ali Hassan"), ["ali", "hasan"]);
        assert_eq!(
            toks("KOREA MINING DEVELOPMENT TRADING CORPORATION"),
            ["korea", "mining", "development", "trading"]
        );
        assert_eq!(toks("OOO \"Inter Tobacco\""), ["inter", "tobacco"]);
        assert!(toks("").is_empty());
        assert!(toks("!!! ---").is_empty());
    }

    #[test]
    fn keeps_lone_title_or_form() {
        assert_eq!(toks("Co"), ["co"]);
    }
}
