//! The signing key file beside the database: created on first use with owner-only
//! permissions, never logged.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::LedgerError;
use crate::note::{NoteSigner, VerifierKey};

/// The default key file of a database: `<db>.ledger.key`.
pub fn default_key_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".ledger.key");
    PathBuf::from(s)
}

fn io_err(path: &Path, source: std::io::Error) -> LedgerError {
    LedgerError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Loads the signer at `path`, creating a new random key named `name` when the file is
/// missing. Creation is atomic (write a private temporary file, then hard-link it into
/// place), so concurrent openers agree on one key.
pub fn load_or_create(path: &Path, name: &str) -> Result<NoteSigner, LedgerError> {
    match std::fs::read_to_string(path) {
        Ok(text) => return parse(path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(path, e)),
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| LedgerError::Key(format!("no randomness: {e}")))?;
    let signer = NoteSigner::from_seed(name, &seed).map_err(|e| LedgerError::Key(e.to_string()))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp).map_err(|e| io_err(&tmp, e))?;
        f.write_all(format!("{}\n", signer.to_private_string()).as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| io_err(&tmp, e))?;
    }
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "created ledger signing key");
            Ok(signer)
        }
        // Another process won the race: use its key.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
            parse(path, &text)
        }
        Err(e) => Err(io_err(path, e)),
    }
}

/// The verifier key of the signing key file at `path`, or `None` when the file does not
/// exist. Never creates anything.
pub fn load_verifier_key(path: &Path) -> Result<Option<VerifierKey>, LedgerError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(parse(path, &text)?.verifier())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path, e)),
    }
}

fn parse(path: &Path, text: &str) -> Result<NoteSigner, LedgerError> {
    NoteSigner::parse(text)
        .map_err(|e| LedgerError::Key(format!("key file `{}`: {e}", path.display())))
}
