//! Errors of the screening library.

use std::path::Path;

/// What can go wrong while importing lists or loading the index.
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` line {line}: {msg}")]
    Parse {
        path: String,
        line: u64,
        msg: String,
    },
    #[error(
        "`{path}`: unknown list format (expected OFAC advanced XML, OFAC sdn.csv, UN consolidated XML or FollowTheMoney JSON lines)"
    )]
    UnknownFormat { path: String },
    #[error("`{path}` holds no list entries")]
    Empty { path: String },
    #[error("database `{path}`: {source}")]
    Db {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("stored list `{list}` is unreadable: {msg}")]
    Corrupt { list: String, msg: String },
}

impl ScreenError {
    pub(crate) fn io(path: impl AsRef<Path>, source: std::io::Error) -> ScreenError {
        ScreenError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }

    pub(crate) fn db(path: &Path, source: rusqlite::Error) -> ScreenError {
        ScreenError::Db {
            path: path.display().to_string(),
            source,
        }
    }
}
