//! The effective detection configuration: defaults merged with a TOML file.

use std::path::Path;

use molehunt_detect::DetectConfig;

use crate::error::EngineError;

/// Defaults, overridden by what the TOML file at `path` names (when given).
/// Unknown keys are errors naming the key.
pub fn load_config(path: Option<&Path>) -> Result<DetectConfig, EngineError> {
    let Some(path) = path else {
        return Ok(DetectConfig::default());
    };
    let text = std::fs::read_to_string(path).map_err(|e| EngineError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    DetectConfig::from_toml_str(&text).map_err(|e| EngineError::Config {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.toml");
        let defaults = DetectConfig::default().to_toml_string();
        std::fs::write(&good, &defaults).unwrap();
        let c = load_config(Some(&good)).unwrap();
        assert_eq!(c.to_toml_string(), defaults);
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[no_such_section]\nx = 1\n").unwrap();
        let e = load_config(Some(&bad)).unwrap_err();
        assert!(e.to_string().contains("bad.toml"), "{e}");
        assert!(load_config(Some(&dir.path().join("missing.toml"))).is_err());
    }
}
