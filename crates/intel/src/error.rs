//! Typed errors of the intel crate.

use std::path::PathBuf;

/// Everything that can go wrong while loading intelligence data.
#[derive(Debug, thiserror::Error)]
pub enum IntelError {
    /// A file could not be opened or read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A line of a text data file is malformed.
    #[error("{source_name}:{line}: field `{field}`: {reason}")]
    Parse {
        /// File name (or another label for in-memory input).
        source_name: String,
        /// 1-based line number.
        line: usize,
        field: String,
        reason: String,
    },
    /// A MaxMind DB file is malformed or has an unusable shape.
    #[error("maxmind db `{path}`: {reason}")]
    Mmdb { path: PathBuf, reason: String },
    /// The compact binary range table is truncated or corrupt.
    #[error("compact data `{name}`: {reason}")]
    Compact { name: String, reason: String },
    /// The remote-access tool catalog is malformed.
    #[error("rmm catalog `{name}`: {reason}")]
    Catalog { name: String, reason: String },
}

impl IntelError {
    pub(crate) fn parse(
        source_name: &str,
        line: usize,
        field: &str,
        reason: impl Into<String>,
    ) -> Self {
        IntelError::Parse {
            source_name: source_name.to_string(),
            line,
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn compact(name: &str, reason: impl Into<String>) -> Self {
        IntelError::Compact {
            name: name.to_string(),
            reason: reason.into(),
        }
    }
}
