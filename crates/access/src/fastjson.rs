//! A fast path from JSON to Cedar values for the decision path.
//!
//! Cedar's JSON parser (`Context::from_json_value`, `Entity::from_json_value`) tries each object
//! as an `__entity`/`__extn` escape first and builds formatted errors on the way, which made it
//! most of a decision's cost. Plain JSON (strings, booleans, integers, arrays, objects without
//! `__` keys) maps to Cedar values directly; the caller still validates the result against the
//! schema (`Request::new`) and falls back to Cedar's parser, which knows the schema's implicit
//! entity and extension forms, when the fast form does not validate.

use cedar_policy::{Context, RestrictedExpression};
use serde_json::{Map, Value};

/// `value` as a Cedar expression, or `None` when it needs Cedar's own parser (escapes, null,
/// fractional numbers, duplicate-free records are guaranteed by JSON maps).
pub(crate) fn expr(value: &Value) -> Option<RestrictedExpression> {
    Some(match value {
        Value::String(s) => RestrictedExpression::new_string(s.clone()),
        Value::Bool(b) => RestrictedExpression::new_bool(*b),
        Value::Number(n) => RestrictedExpression::new_long(n.as_i64()?),
        Value::Array(items) => {
            RestrictedExpression::new_set(items.iter().map(expr).collect::<Option<Vec<_>>>()?)
        }
        Value::Object(map) => RestrictedExpression::new_record(fields(map)?).ok()?,
        Value::Null => return None,
    })
}

fn fields(map: &Map<String, Value>) -> Option<Vec<(String, RestrictedExpression)>> {
    map.iter()
        .map(|(k, v)| {
            if k.starts_with("__") {
                None
            } else {
                Some((k.clone(), expr(v)?))
            }
        })
        .collect()
}

/// A context from plain JSON, unchecked (see the module note).
pub(crate) fn context(map: &Map<String, Value>) -> Option<Context> {
    Context::from_pairs(fields(map)?).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_json_converts_and_escapes_do_not() {
        let ok = json!({"a": "x", "b": [1, 2], "c": {"d": true}});
        assert!(context(ok.as_object().unwrap()).is_some());
        for bad in [
            json!({"a": null}),
            json!({"a": 1.5}),
            json!({"a": {"__entity": {"type": "User", "id": "x"}}}),
            json!({"a": [{"__extn": {"fn": "ip", "arg": "1.2.3.4"}}]}),
        ] {
            assert!(context(bad.as_object().unwrap()).is_none(), "{bad}");
        }
    }
}
