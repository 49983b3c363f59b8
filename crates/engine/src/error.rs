//! Engine errors: the caller's bad input versus internal failures.

use std::fmt;
use std::path::PathBuf;

/// One rejected input line: file, line, field and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The file name (or `-` for standard input).
    pub source: String,
    /// 1-based line number (for CSV: the line where the row starts).
    pub line: u64,
    /// The offending field as a dotted path, when known.
    pub field: Option<String>,
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.source, self.line)?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        f.write_str(&self.reason)
    }
}

/// A file that was not committed because lines were invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput {
    pub source: String,
    /// The first bad lines (at most the listing cap).
    pub errors: Vec<LineError>,
    /// How many lines were bad in all.
    pub total: u64,
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}`: {} invalid line{}, nothing committed (use --skip-invalid to commit the valid ones)",
            self.source,
            self.total,
            if self.total == 1 { "" } else { "s" }
        )?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        let more = self.total.saturating_sub(self.errors.len() as u64);
        if more > 0 {
            write!(f, "\n  ... and {more} more")?;
        }
        Ok(())
    }
}

/// Errors of the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Bad lines in an input file (default mode: nothing of the file committed).
    #[error("{0}")]
    Invalid(Box<InvalidInput>),
    #[error("`{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{source_name}`: cannot read CSV: {message}")]
    Csv {
        source_name: String,
        message: String,
    },
    #[error("configuration `{path}`: {message}")]
    Config { path: PathBuf, message: String },
    #[error("no person `{0}` in the store")]
    UnknownPerson(String),
    #[error(transparent)]
    Store(#[from] molehunt_store::StoreError),
    #[error("intel data: {0}")]
    Intel(#[from] molehunt_intel::IntelError),
    #[error("sanctions lists: {0}")]
    Screen(String),
    #[error("audit ledger: {0}")]
    Ledger(#[from] molehunt_ledger::LedgerError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl EngineError {
    /// True when the error is the caller's input (not an internal failure).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            EngineError::Invalid(_)
                | EngineError::Csv { .. }
                | EngineError::Config { .. }
                | EngineError::UnknownPerson(_)
        )
    }
}
