//! molehunt-demo
