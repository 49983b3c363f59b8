//! molehunt-screen
