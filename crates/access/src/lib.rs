//! molehunt-access
