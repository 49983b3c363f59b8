//! molehunt-model
