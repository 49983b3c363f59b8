#![allow(clippy::unwrap_used)]
//! docs/events.schema.json agrees with the parser, record type by record type:
//! the schema's required fields are exactly those `parse_line` requires.

use molehunt_model::{RECORD_TYPES, parse_line};
use serde_json::{Map, Value, json};

fn schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/events.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A value the schema allows for a property (derived from the schema itself).
fn sample(prop: &Value) -> Value {
    if let Some(r) = prop.get("$ref").and_then(Value::as_str) {
        return match r {
            "#/$defs/time" => json!("2026-03-01T14:05:00+09:00"),
            "#/$defs/partial_date" => json!("1990-04-02"),
            _ => json!({}),
        };
    }
    if let Some(c) = prop.get("const") {
        return c.clone();
    }
    if let Some(e) = prop.get("enum").and_then(Value::as_array) {
        return e[0].clone();
    }
    if prop.get("anyOf").is_some() {
        return json!("203.0.113.9"); // ipv4 | ipv6
    }
    match prop.get("type") {
        Some(Value::String(t)) => match t.as_str() {
            "number" | "integer" => json!(1),
            "boolean" => json!(true),
            "array" => json!([]),
            "object" => json!({}),
            _ => json!("x"),
        },
        _ => json!("x"),
    }
}

fn defs(s: &Value) -> &Map<String, Value> {
    s["$defs"].as_object().unwrap()
}

#[test]
fn one_of_lists_every_record_type() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let listed: Vec<String> = s["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["$ref"]
                .as_str()
                .unwrap()
                .trim_start_matches("#/$defs/")
                .to_string()
        })
        .collect();
    assert_eq!(listed, RECORD_TYPES);
}

#[test]
fn required_lists_match_the_parser() {
    let s = schema();
    for ty in RECORD_TYPES {
        let def = &defs(&s)[*ty];
        assert_eq!(def["properties"]["type"]["const"], *ty);
        let required: Vec<&str> = def["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let props = def["properties"].as_object().unwrap();
        // minimal record: only the required fields
        let mut minimal = Map::new();
        for r in &required {
            minimal.insert((*r).to_string(), sample(&props[*r]));
        }
        let line = Value::Object(minimal.clone()).to_string();
        parse_line(&line).unwrap_or_else(|e| panic!("{ty}: minimal record rejected: {e}: {line}"));
        // every required field is required by the parser too
        for r in required.iter().filter(|r| **r != "type") {
            let mut m = minimal.clone();
            m.remove(*r);
            let e = parse_line(&Value::Object(m).to_string())
                .expect_err(&format!("{ty}: parser accepts a record without `{r}`"));
            assert_eq!(e.field.as_deref(), Some(*r), "{ty}: {e}");
        }
        // and every other property is optional: the full record parses
        let mut full = minimal.clone();
        for (k, p) in props {
            full.entry(k.clone()).or_insert_with(|| sample(p));
        }
        full.remove("id");
        let line = Value::Object(full).to_string();
        parse_line(&line).unwrap_or_else(|e| panic!("{ty}: full record rejected: {e}: {line}"));
    }
}

#[test]
fn demo_records_carry_the_required_fields() {
    let s = schema();
    let demo = molehunt_demo::generate(&molehunt_demo::DemoOptions {
        honest: 100,
        ..Default::default()
    });
    assert!(!demo.lines.is_empty());
    for line in &demo.lines {
        parse_line(line).unwrap_or_else(|e| panic!("demo line rejected: {e}: {line}"));
        let v: Value = serde_json::from_str(line).unwrap();
        let ty = v["type"].as_str().unwrap();
        for r in defs(&s)[ty]["required"].as_array().unwrap() {
            assert!(
                v.get(r.as_str().unwrap()).is_some(),
                "{ty} lacks {r}: {line}"
            );
        }
    }
}
