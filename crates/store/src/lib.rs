//! molehunt-store
