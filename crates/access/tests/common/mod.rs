//! Helpers shared by the access crate's integration tests.

use cedar_policy::{Decision, Response};

/// Bare Cedar's answer as the tests compare it with the gate's: allowed, the deciding
/// policies and the errors (both sorted).
pub fn summary(answer: &Response) -> (bool, Vec<String>, Vec<String>) {
    let mut reasons: Vec<String> = answer
        .diagnostics()
        .reason()
        .map(|p| p.to_string())
        .collect();
    reasons.sort();
    let mut errors: Vec<String> = answer
        .diagnostics()
        .errors()
        .map(|e| e.to_string())
        .collect();
    errors.sort();
    (answer.decision() == Decision::Allow, reasons, errors)
}
