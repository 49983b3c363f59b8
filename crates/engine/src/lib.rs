//! molehunt-engine
