//! molehunt-ledger
