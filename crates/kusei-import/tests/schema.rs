//! The JSON emitted by `to_json` matches docs/schema/parsed-document.schema.json
//! exactly (required fields, types, enums, no undocumented fields), checked by a small
//! hand-written validator for the subset of JSON Schema the file uses.

// Test code: panicking on unexpected input is the point (clippy.toml allows it in #[test]
// functions; this extends it to the helpers of this test crate).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/schema_check.rs"]
mod schema_check;
use common::*;
use serde_json::Value;

use schema_check::{errors, schema};

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
