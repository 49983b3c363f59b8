//! molehunt-intel
