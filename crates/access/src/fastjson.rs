//! A fast path from JSON to Cedar values for the decision path.
//!
//! Cedar's JSON parser (`Context::from_json_value`, `Entity::from_json_value`) tries each object
//! as an `__entity`/`__extn` escape first and builds formatted errors on the way, which made it
//! most of a decision's cost. Plain JSON (strings, booleans, integers, arrays, objects without
//! `__` keys) maps to Cedar values directly; the caller still validates the result against the
//! schema (`Request::new`) and falls back to Cedar's parser, which knows the schema's implicit
//! entity and extension forms, when the fast form does not validate.

#[cfg(test)]
use cedar_policy::Context;
use cedar_policy::RestrictedExpression;
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

/// A context from plain JSON, unchecked (see the module note); the decision path builds Cedar
/// values directly (`crate::values`), which the tests compare with this.
#[cfg(test)]
pub(crate) fn context(map: &Map<String, Value>) -> Option<Context> {
    Context::from_pairs(fields(map)?).ok()
}

/// Append the type shape of plain JSON `value` to `out`: what Cedar's schema check of the value
/// [`expr`] makes of it depends on nothing else (strings, longs and booleans carry no other
/// checked property; a set is checked element by element, so runs of elements of one shape are
/// written once; a record by its keys and their values' shapes). Values [`expr`] refuses are
/// never checked that way and need no shape.
pub(crate) fn shape(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::String(_) => out.push(b's'),
        Value::Bool(_) => out.push(b'b'),
        Value::Number(_) => out.push(b'l'),
        Value::Null => out.push(b'n'),
        Value::Array(items) => {
            out.push(b'[');
            let mut last: Option<usize> = None;
            for item in items {
                let start = out.len();
                shape(item, out);
                match last {
                    Some(prev) if out[prev..start] == out[start..] => out.truncate(start),
                    _ => last = Some(start),
                }
            }
            out.push(b']');
        }
        Value::Object(map) => record_shape(map, out),
    }
}

/// [`shape`] of a record.
pub(crate) fn record_shape(map: &Map<String, Value>, out: &mut Vec<u8>) {
    out.push(b'{');
    for (k, v) in map {
        key(k, out);
        shape(v, out);
    }
    out.push(b'}');
}

/// A length-prefixed string, so that concatenated keys cannot run together.
pub(crate) fn key(s: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
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

    fn shaped(v: Value) -> Vec<u8> {
        let mut out = Vec::new();
        shape(&v, &mut out);
        out
    }

    #[test]
    fn shapes_tell_types_apart_and_ignore_values() {
        assert_eq!(
            shaped(json!({"a": "x", "b": [1, 2, 3]})),
            shaped(json!({"a": "y", "b": [7]}))
        );
        assert_eq!(
            shaped(json!({"s": ["a", "b"]})),
            shaped(json!({"s": ["c"]}))
        );
        let distinct = [
            json!({"a": "x"}),
            json!({"a": 1}),
            json!({"a": true}),
            json!({"a": []}),
            json!({"a": ["x"]}),
            json!({"a": ["x", 1]}),
            json!({"a": [1, "x"]}),
            json!({"a": {}}),
            json!({"a": {"b": "x"}}),
            json!({"ab": "x"}),
            json!({"a": "x", "b": "x"}),
            json!({"a": [{"b": 1}, {"c": 1}]}),
            json!({"a": [{"b": 1}]}),
        ];
        for (i, x) in distinct.iter().enumerate() {
            for y in &distinct[i + 1..] {
                assert_ne!(shaped(x.clone()), shaped(y.clone()), "{x} vs {y}");
            }
        }
    }
}
