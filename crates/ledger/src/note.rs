//! C2SP signed notes with Ed25519 and C2SP tlog-checkpoint bodies.
//!
//! - checkpoint body: `<origin>\n<tree size>\n<root hash, standard base64>\n` (then optional
//!   extension lines)
//! - note: body, an empty line, then one line per signature:
//!   `— <key name> <base64(4-byte key hash || 64-byte signature)>\n`, signed over the body
//! - key hash: the first 4 bytes of `SHA-256(key name || "\n" || 0x01 || public key)`
//! - verifier key: `<key name>+<key hash as 8 hex digits>+<base64(0x01 || public key)>`

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::tree::Hash;

const EM_DASH_PREFIX: &str = "\u{2014} ";
const ALG_ED25519: u8 = 0x01;

/// Why a note, key or checkpoint was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed verifier key: {0}")]
    BadVerifierKey(String),
    #[error("malformed signer key: {0}")]
    BadSignerKey(String),
    #[error("malformed note: {0}")]
    Malformed(String),
    #[error("malformed checkpoint: {0}")]
    BadCheckpoint(String),
    #[error("no valid signature by key `{0}`")]
    NoSignature(String),
}

fn key_hash(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ALG_ED25519]);
    h.update(public);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// Key names are non-empty and contain neither whitespace nor `+`.
pub fn valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// A public key that verifies note signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    hash: [u8; 4],
    key: VerifyingKey,
}

impl VerifierKey {
    /// Parses `<name>+<8 hex digits>+<base64(0x01 || key)>`.
    pub fn parse(s: &str) -> Result<VerifierKey, NoteError> {
        let bad = |m: &str| NoteError::BadVerifierKey(m.to_string());
        let mut parts = s.trim().splitn(3, '+');
        let (Some(name), Some(hash_hex), Some(key_b64)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected `name+hash+key`"));
        };
        if !valid_key_name(name) {
            return Err(bad("invalid key name"));
        }
        let hash: [u8; 4] = hex::decode(hash_hex)
            .ok()
            .and_then(|v| v.try_into().ok())
            .filter(|_| hash_hex.len() == 8)
            .ok_or_else(|| bad("key hash must be 8 hex digits"))?;
        let raw = B64.decode(key_b64).map_err(|_| bad("key is not base64"))?;
        let (Some(&ALG_ED25519), Ok(pk)) = (
            raw.first(),
            <[u8; 32]>::try_from(raw.get(1..).unwrap_or(&[])),
        ) else {
            return Err(bad("expected an Ed25519 key (0x01 followed by 32 bytes)"));
        };
        let key = VerifyingKey::from_bytes(&pk).map_err(|_| bad("invalid Ed25519 public key"))?;
        if key_hash(name, &pk) != hash {
            return Err(bad("key hash does not match name and key"));
        }
        Ok(VerifierKey {
            name: name.to_string(),
            hash,
            key,
        })
    }

    /// The key name (by convention the log origin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Verifies `note` and returns its body when a signature line by this key is valid.
    pub fn open<'a>(&self, note: &'a str) -> Result<&'a str, NoteError> {
        let (body, sigs) = split_note(note)?;
        for (name, sig) in sigs {
            if name != self.name || sig.len() != 68 || sig[..4] != self.hash {
                continue;
            }
            let Ok(sig) = Signature::from_slice(&sig[4..]) else {
                continue;
            };
            if self.key.verify(body.as_bytes(), &sig).is_ok() {
                return Ok(body);
            }
        }
        Err(NoteError::NoSignature(self.name.clone()))
    }
}

impl std::fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        write!(
            f,
            "{}+{}+{}",
            self.name,
            hex::encode(self.hash),
            B64.encode(raw)
        )
    }
}

/// A signature line: key name and decoded signature bytes.
type SigLine<'a> = (&'a str, Vec<u8>);

/// Splits a note into its body (with final newline) and its `(key name, signature bytes)`
/// lines. Rejects control characters other than newline and malformed signature lines.
fn split_note(note: &str) -> Result<(&str, Vec<SigLine<'_>>), NoteError> {
    let bad = |m: &str| NoteError::Malformed(m.to_string());
    if note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(bad("control character"));
    }
    let Some(split) = note.find("\n\n") else {
        return Err(bad("missing blank line before signatures"));
    };
    let (body, rest) = note.split_at(split + 1);
    let sig_text = &rest[1..];
    if sig_text.is_empty() || !sig_text.ends_with('\n') {
        return Err(bad(
            "signature block must be non-empty and end with a newline",
        ));
    }
    let mut sigs = Vec::new();
    for line in sig_text[..sig_text.len() - 1].split('\n') {
        let Some(line) = line.strip_prefix(EM_DASH_PREFIX) else {
            return Err(bad("signature line does not start with an em dash"));
        };
        let Some((name, b64)) = line.split_once(' ') else {
            return Err(bad("signature line has no signature"));
        };
        if !valid_key_name(name) {
            return Err(bad("invalid key name in signature line"));
        }
        let sig = B64
            .decode(b64)
            .map_err(|_| bad("signature is not base64"))?;
        if sig.len() < 5 {
            return Err(bad("signature too short"));
        }
        sigs.push((name, sig));
    }
    Ok((body, sigs))
}

/// An Ed25519 note signer.
pub struct NoteSigner {
    name: String,
    hash: [u8; 4],
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// A signer from a 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<NoteSigner, NoteError> {
        if !valid_key_name(name) {
            return Err(NoteError::BadSignerKey(format!(
                "invalid key name `{name}`"
            )));
        }
        let key = SigningKey::from_bytes(seed);
        let hash = key_hash(name, key.verifying_key().as_bytes());
        Ok(NoteSigner {
            name: name.to_string(),
            hash,
            key,
        })
    }

    /// Parses the private key format `PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>`
    /// (the same as Go's `golang.org/x/mod/sumdb/note`).
    pub fn parse(s: &str) -> Result<NoteSigner, NoteError> {
        let bad = |m: &str| NoteError::BadSignerKey(m.to_string());
        let rest = s
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| bad("missing prefix"))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(hash_hex), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected `PRIVATE+KEY+name+hash+key`"));
        };
        let raw = B64.decode(b64).map_err(|_| bad("key is not base64"))?;
        let (Some(&ALG_ED25519), Ok(seed)) = (
            raw.first(),
            <[u8; 32]>::try_from(raw.get(1..).unwrap_or(&[])),
        ) else {
            return Err(bad("expected an Ed25519 seed (0x01 followed by 32 bytes)"));
        };
        let signer = NoteSigner::from_seed(name, &seed)?;
        if hex::encode(signer.hash) != hash_hex.to_ascii_lowercase() {
            return Err(bad("key hash does not match"));
        }
        Ok(signer)
    }

    /// The private key string (for the key file only; never log it).
    pub fn to_private_string(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex::encode(self.hash),
            B64.encode(raw)
        )
    }

    /// The matching verifier key.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            hash: self.hash,
            key: self.key.verifying_key(),
        }
    }

    /// Signs `body` (which must end with a newline) and returns the whole note.
    pub fn sign(&self, body: &str) -> String {
        let sig = self.key.sign(body.as_bytes());
        let mut raw = Vec::with_capacity(68);
        raw.extend_from_slice(&self.hash);
        raw.extend_from_slice(&sig.to_bytes());
        format!(
            "{body}\n{EM_DASH_PREFIX}{} {}\n",
            self.name,
            B64.encode(raw)
        )
    }
}

/// A C2SP tlog checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line (its name).
    pub origin: String,
    /// Number of entries in the tree.
    pub size: u64,
    /// RFC 6962 root hash of the tree.
    pub root: Hash,
    /// Optional extension lines (without newlines).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The checkpoint body text (ends with a newline).
    pub fn body(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Parses a checkpoint body.
    pub fn parse_body(body: &str) -> Result<Checkpoint, NoteError> {
        let bad = |m: &str| NoteError::BadCheckpoint(m.to_string());
        let Some(text) = body.strip_suffix('\n') else {
            return Err(bad("body must end with a newline"));
        };
        let mut lines = text.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| bad("empty origin"))?;
        let size_s = lines.next().ok_or_else(|| bad("missing tree size"))?;
        if size_s.is_empty()
            || !size_s.bytes().all(|b| b.is_ascii_digit())
            || (size_s.len() > 1 && size_s.starts_with('0'))
        {
            return Err(bad(
                "tree size must be a decimal number without leading zeros",
            ));
        }
        let size: u64 = size_s.parse().map_err(|_| bad("tree size out of range"))?;
        let root_s = lines.next().ok_or_else(|| bad("missing root hash"))?;
        let root: Hash = B64
            .decode(root_s)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| bad("root hash must be 32 bytes of standard base64"))?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(bad("empty extension line"));
        }
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }
}

/// Verifies a signed checkpoint note with `key` and returns the checkpoint.
pub fn verify_checkpoint(note: &str, key: &VerifierKey) -> Result<Checkpoint, NoteError> {
    Checkpoint::parse_body(key.open(note)?)
}

/// Parses the checkpoint in a signed note **without** checking any signature (for a
/// tree-only check when no verifier key is at hand).
pub fn parse_checkpoint_unverified(note: &str) -> Result<Checkpoint, NoteError> {
    Checkpoint::parse_body(split_note(note)?.0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_round_trip() {
        let s = NoteSigner::from_seed("example.com/log", &[7u8; 32]).unwrap();
        let cp = Checkpoint {
            origin: "example.com/log".into(),
            size: 5,
            root: [9u8; 32],
            extensions: vec![],
        };
        let note = s.sign(&cp.body());
        let vk = VerifierKey::parse(&s.verifier().to_string()).unwrap();
        assert_eq!(verify_checkpoint(&note, &vk).unwrap(), cp);
        let again = NoteSigner::parse(&s.to_private_string()).unwrap();
        assert_eq!(again.verifier(), vk);
        // A changed body fails.
        let forged = note.replacen("\n5\n", "\n6\n", 1);
        assert!(verify_checkpoint(&forged, &vk).is_err());
    }

    /// The Go `golang.org/x/mod/sumdb/note` example key pair and signed note.
    #[test]
    fn go_sumdb_note_example_verifies() {
        let vk = VerifierKey::parse(
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        )
        .unwrap();
        let note = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
        let body = vk.open(note).unwrap();
        assert!(body.starts_with("If you think"));
        let signer = NoteSigner::parse(
            "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        )
        .unwrap();
        assert_eq!(signer.verifier(), vk);
    }
}
