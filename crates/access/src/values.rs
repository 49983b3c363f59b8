//! Cedar values built directly (Cedar's core types, the ones `cedar-policy` wraps) for the
//! decision path: the context as a record of values, with no JSON round-trip and no evaluation
//! of restricted expressions, and the type shape of such values for [`crate::shapes`].
//!
//! Plain JSON (strings, booleans, integers, arrays, objects without `__` keys) maps to the same
//! values Cedar's restricted-expression evaluation makes of [`crate::fastjson::expr`]; anything
//! else (`null`, fractions, `__entity`/`__extn` escapes) gives `None` and goes to Cedar's own
//! schema-directed JSON parser. The result is still checked against the schema by Cedar
//! (`Request::new`) unless Cedar accepted a request of the same shape before.

use std::collections::BTreeMap;

use cedar_policy_core::ast::{Literal, Value, ValueKind};
use serde_json::Map;
use smol_str::SmolStr;

use crate::fastjson::key;
use crate::risk::RiskInfo;

/// A Cedar record: what a context is made of.
pub(crate) type Record = BTreeMap<SmolStr, Value>;

/// An entity's attributes.
pub(crate) type Attrs = BTreeMap<SmolStr, cedar_policy_core::ast::PartialValue>;

/// `value` as a Cedar value, or `None` when it needs Cedar's own parser.
pub(crate) fn value(value: &serde_json::Value) -> Option<Value> {
    Some(match value {
        serde_json::Value::String(s) => Value::from(SmolStr::new(s)),
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => Value::from(n.as_i64()?),
        serde_json::Value::Array(items) => Value::set(
            items.iter().map(self::value).collect::<Option<Vec<_>>>()?,
            None,
        ),
        serde_json::Value::Object(map) => Value::record_arc(record(map)?.into(), None),
        serde_json::Value::Null => return None,
    })
}

/// Whether [`value`] makes a Cedar value of `value` (without making it).
pub(crate) fn plain(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(_) | serde_json::Value::Bool(_) => true,
        serde_json::Value::Number(n) => n.as_i64().is_some(),
        serde_json::Value::Array(items) => items.iter().all(plain),
        serde_json::Value::Object(map) => map.iter().all(|(k, v)| !k.starts_with("__") && plain(v)),
        serde_json::Value::Null => false,
    }
}

/// A JSON object as a Cedar record, or `None` when a member needs Cedar's own parser.
pub(crate) fn record(map: &Map<String, serde_json::Value>) -> Option<Record> {
    let mut out = Record::new();
    for (k, v) in map {
        if k.starts_with("__") {
            return None;
        }
        out.insert(SmolStr::new(k), value(v)?);
    }
    Some(out)
}

/// The `risk` record Molehunt puts in the context (the same as the JSON form in `pdp.rs`).
pub(crate) fn risk(risk: Option<&RiskInfo>) -> Value {
    let mut m = Record::new();
    match risk {
        Some(r) => {
            m.insert("known".into(), true.into());
            m.insert("score".into(), i64::from(r.score).into());
            m.insert("level".into(), SmolStr::new_static(r.level.as_str()).into());
            let flags = r.flags.iter().map(|f| Value::from(SmolStr::new(f)));
            m.insert("flags".into(), Value::set(flags, None));
            if let Some(n) = &r.network_id {
                m.insert("network_id".into(), SmolStr::new(n).into());
            }
        }
        None => {
            m.insert("known".into(), false.into());
            m.insert("score".into(), 0i64.into());
            m.insert("level".into(), SmolStr::new_static("unknown").into());
            m.insert("flags".into(), Value::empty_set(None));
        }
    }
    Value::record_arc(m.into(), None)
}

/// A set of strings.
pub(crate) fn strings<'a>(items: impl IntoIterator<Item = &'a String>) -> Value {
    Value::set(
        items.into_iter().map(|s| Value::from(SmolStr::new(s))),
        None,
    )
}

/// Append the type shape of `value` to `out`, written exactly as [`crate::fastjson::shape`]
/// writes the shape of the JSON it came from; `false` for values [`value`] never makes
/// (entities, extension values), which have no shape and are always checked.
pub(crate) fn shape(value: &Value, out: &mut Vec<u8>) -> bool {
    match value.value_kind() {
        ValueKind::Lit(Literal::String(_)) => out.push(b's'),
        ValueKind::Lit(Literal::Bool(_)) => out.push(b'b'),
        ValueKind::Lit(Literal::Long(_)) => out.push(b'l'),
        ValueKind::Lit(Literal::EntityUID(_)) | ValueKind::ExtensionValue(_) => return false,
        ValueKind::Set(set) => {
            out.push(b'[');
            let mut last: Option<usize> = None;
            for item in set.iter() {
                let start = out.len();
                if !shape(item, out) {
                    return false;
                }
                match last {
                    Some(prev) if out[prev..start] == out[start..] => out.truncate(start),
                    _ => last = Some(start),
                }
            }
            out.push(b']');
        }
        ValueKind::Record(map) => return record_shape(map, out),
    }
    true
}

/// [`shape`] of a record.
pub(crate) fn record_shape(map: &Record, out: &mut Vec<u8>) -> bool {
    out.push(b'{');
    for (k, v) in map {
        key(k, out);
        if !shape(v, out) {
            return false;
        }
    }
    out.push(b'}');
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What Cedar makes of the same JSON through restricted expressions.
    fn via_cedar(v: &serde_json::Value) -> Value {
        let ctx = crate::fastjson::context(json!({"x": v}).as_object().unwrap()).unwrap();
        let core: &cedar_policy_core::ast::Context = ctx.as_ref();
        match core {
            cedar_policy_core::ast::Context::Value(m) => m.get("x").unwrap().clone(),
            other => panic!("not a value: {other:?}"),
        }
    }

    #[test]
    fn plain_json_gives_the_values_cedar_gives() {
        for v in [
            json!("x"),
            json!(true),
            json!(-7),
            json!([]),
            json!(["b", "a", "b"]),
            json!([1, "x", [true]]),
            json!({}),
            json!({"a": {"b": [1, 2]}, "c": "d"}),
        ] {
            assert_eq!(value(&v).unwrap(), via_cedar(&v), "{v}");
            assert!(plain(&v), "{v}");
        }
        for bad in [
            json!(null),
            json!(1.5),
            json!({"__entity": {"type": "User", "id": "x"}}),
            json!([{"__extn": {"fn": "ip", "arg": "1.2.3.4"}}]),
        ] {
            assert!(value(&bad).is_none(), "{bad}");
            assert!(!plain(&bad), "{bad}");
            assert!(!plain(&json!({"x": [1, bad.clone()]})), "{bad}");
        }
    }

    #[test]
    fn shapes_match_the_json_shapes() {
        for v in [
            json!({"a": "x", "b": [1, 2, 3]}),
            json!({"s": ["a", "b"], "t": [1, 2]}),
            json!({"a": [{"b": 1}, {"c": 1}], "d": {}}),
            json!({"e": [], "f": true}),
        ] {
            let mut from_json = Vec::new();
            crate::fastjson::shape(&v, &mut from_json);
            let mut from_value = Vec::new();
            assert!(shape(&value(&v).unwrap(), &mut from_value));
            assert_eq!(from_json, from_value, "{v}");
        }
    }

    #[test]
    fn risk_record_matches_its_json_form() {
        let r = RiskInfo {
            person_id: "p".into(),
            score: 80,
            level: molehunt_model::RiskLevel::High,
            network_id: Some("n1".into()),
            flags: vec!["F-2".into(), "F-1".into()],
        };
        let as_json = json!({"known": true, "score": 80, "level": "high", "flags": ["F-2", "F-1"], "network_id": "n1"});
        assert_eq!(risk(Some(&r)), via_cedar(&as_json));
        let unknown = json!({"known": false, "score": 0, "level": "unknown", "flags": []});
        assert_eq!(risk(None), via_cedar(&unknown));
    }
}
