//! molehunt-detect
