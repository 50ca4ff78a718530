//! The JSON emitted by `to_json` matches docs/schema/parsed-document.schema.json
//! exactly (required fields, types, enums, no undocumented fields), checked by a small
//! hand-written validator for the subset of JSON Schema the file uses.

// Test code: panicking on unexpected input is the point (clippy.toml allows it in #[test]
// functions; this extends it to the helpers of this test crate).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use serde_json::Value;

fn schema() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/schema/parsed-document.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("schema is JSON")
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "null" => v.is_null(),
        _ => false,
    }
}

/// Errors of `v` against `s` (`root` resolves `$ref`).
fn validate(root: &Value, s: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        let target = &root["$defs"][name];
        assert!(!target.is_null(), "unresolved $ref {r}");
        return validate(root, target, v, path, errs);
    }
    if let Some(alts) = s.get("oneOf").and_then(Value::as_array) {
        let ok = alts
            .iter()
            .filter(|a| {
                let mut e = Vec::new();
                validate(root, a, v, path, &mut e);
                e.is_empty()
            })
            .count();
        if ok != 1 {
            errs.push(format!("{path}: matches {ok} of oneOf"));
            // say why, from the non-null alternatives
            for a in alts
                .iter()
                .filter(|a| a.get("type") != Some(&Value::String("null".into())))
            {
                validate(root, a, v, path, errs);
            }
        }
        return;
    }
    match s.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => {
            errs.push(format!("{path}: expected {t}, got {v}"))
        }
        Some(Value::Array(ts)) if !ts.iter().filter_map(Value::as_str).any(|t| type_ok(t, v)) => {
            errs.push(format!("{path}: expected one of {ts:?}, got {v}"))
        }
        _ => {}
    }
    if let Some(c) = s.get("const") {
        if c != v {
            errs.push(format!("{path}: expected const {c}, got {v}"));
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errs.push(format!("{path}: {v} not in enum {e:?}"));
        }
    }
    if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_i64), v.as_i64()) {
        if n < min {
            errs.push(format!("{path}: {n} < minimum {min}"));
        }
    }
    if let (Some(max), Some(n)) = (s.get("maximum").and_then(Value::as_i64), v.as_i64()) {
        if n > max {
            errs.push(format!("{path}: {n} > maximum {max}"));
        }
    }
    if let (Some(p), Some(t)) = (s.get("pattern").and_then(Value::as_str), v.as_str()) {
        if !regex::Regex::new(p).unwrap().is_match(t) {
            errs.push(format!("{path}: {t:?} does not match {p}"));
        }
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for r in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap();
            if !obj.contains_key(r) {
                errs.push(format!("{path}: missing required field {r}"));
            }
        }
        for (k, val) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => validate(root, ps, val, &format!("{path}.{k}"), errs),
                None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errs.push(format!("{path}: field {k} is not in the schema"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            validate(root, items, x, &format!("{path}[{i}]"), errs);
        }
    }
}

fn errors(doc: &Value) -> Vec<String> {
    let root = schema();
    let mut errs = Vec::new();
    validate(&root, &root, doc, "$", &mut errs);
    errs
}

#[test]
fn schema_file_is_draft_2020_12_and_lists_every_field_as_required() {
    let root = schema();
    assert_eq!(
        root["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    // every object definition requires all of its properties (the JSON never omits keys)
    let mut objects = vec![&root];
    objects.extend(root["$defs"].as_object().unwrap().values());
    for o in objects {
        let props: Vec<&String> = o["properties"].as_object().unwrap().keys().collect();
        let req: Vec<&str> = o["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        for p in props {
            assert!(req.contains(&p.as_str()), "{p} not required");
        }
        assert_eq!(o["additionalProperties"], Value::Bool(false));
    }
}

#[test]
fn fixtures_match_the_schema() {
    for (name, text) in all_fixtures() {
        let json = kusei_import::parse_bytes(&name, text.as_bytes())
            .unwrap()
            .to_json();
        let errs = errors(&json);
        assert!(errs.is_empty(), "{name}: {errs:#?}");
    }
    // an unrecognised document (family unknown, error diagnostic, no encoding) too
    let json = kusei_import::parse_text("memo.txt", "買い物メモ\n牛乳\n").to_json();
    assert_eq!(json["family"], "unknown");
    assert!(errors(&json).is_empty());
}

#[test]
fn seeds_match_the_schema() {
    if skip_without_seeds() {
        return;
    }
    for (name, bytes) in all_seeds() {
        let json = kusei_import::parse_bytes(&name, &bytes).unwrap().to_json();
        let errs = errors(&json);
        assert!(errs.is_empty(), "{name}: {errs:#?}");
    }
}

#[test]
fn the_validator_rejects_deviations() {
    let text = fixture("reform_items.txt");
    let good = kusei_import::parse_text("r.txt", &text).to_json();
    assert!(errors(&good).is_empty());
    let mut missing = good.clone();
    missing["nodes"][0]
        .as_object_mut()
        .unwrap()
        .remove("parent_ids");
    assert!(errors(&missing)
        .iter()
        .any(|e| e.contains("missing required field parent_ids")));
    let mut extra = good.clone();
    extra["nodes"][0]["evaluation"]
        .as_object_mut()
        .unwrap()
        .insert("guess".into(), Value::Bool(true));
    assert!(
        errors(&extra)
            .iter()
            .any(|e| e.contains("field guess is not in the schema")),
        "{:?}",
        errors(&extra)
    );
    let mut extra_top = good.clone();
    extra_top
        .as_object_mut()
        .unwrap()
        .insert("version".into(), Value::from(2));
    assert!(errors(&extra_top)
        .iter()
        .any(|e| e.contains("field version")));
    let mut bad_enum = good.clone();
    bad_enum["nodes"][0]["evaluation"]["stated_judgment"] = Value::String("probably".into());
    assert!(!errors(&bad_enum).is_empty());
    let mut bad_type = good;
    bad_type["nodes"][0]["line"] = Value::String("3".into());
    assert!(!errors(&bad_type).is_empty());
}

#[test]
fn every_emitted_diagnostic_code_is_documented() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/import-format.md"),
    )
    .unwrap();
    let mut texts: Vec<(String, String)> = all_fixtures();
    for (name, bytes) in all_seeds() {
        texts.push((name, kusei_import::decode(&bytes).unwrap().0));
    }
    texts.push(("u.txt".into(), "メモ\n".into()));
    for (name, text) in texts {
        for d in kusei_import::parse_text(&name, &text).diagnostics {
            assert!(
                doc.contains(&format!("`{}`", d.code)),
                "{name}: code {} is not documented",
                d.code
            );
        }
    }
}
