//! molehunt-server
