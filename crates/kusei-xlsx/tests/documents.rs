//! Round trips of real documents: the seeds in `shared/seeds/` and the importer's fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::PlanRecord;
use kusei_domain::model::Period;
use kusei_xlsx::{read_workbook, write_workbook};
use std::path::{Path, PathBuf};

fn seeds_dir() -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/seeds"))
        .find(|p| p.is_dir())
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../kusei-import/tests/fixtures")
}

fn txt_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

fn record(path: &Path, unit: &str) -> PlanRecord {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let bytes = std::fs::read(path).unwrap();
    let doc = kusei_import::parse_bytes(&name, &bytes).unwrap();
    let fallback = Period::year(FiscalYear::new(2025).unwrap());
    kusei_report::record_from_document(&doc, "大阪市", unit, fallback).unwrap()
}

/// write → read equals; write → read → write gives the same bytes; → read equals again.
fn assert_round_trip(records: &[PlanRecord]) {
    let bytes = write_workbook(records).unwrap();
    let back = read_workbook(&bytes).unwrap();
    assert_eq!(back.len(), records.len());
    for (b, r) in back.iter().zip(records) {
        assert_eq!(b, r, "plan {} {}", r.unit, r.content.title);
    }
    let again = write_workbook(&back).unwrap();
    assert!(again == bytes, "export → import → export changed the bytes");
    assert_eq!(read_workbook(&again).unwrap(), records);
}

#[test]
fn every_seed_round_trips() {
    let Some(dir) = seeds_dir() else {
        println!("skipped: no seeds");
        return;
    };
    let files = txt_files(&dir);
    assert!(!files.is_empty());
    for f in &files {
        let r = record(f, "城東区");
        assert!(!r.content.nodes.is_empty(), "{}", f.display());
        assert_round_trip(std::slice::from_ref(&r));
    }
}

#[test]
fn every_fixture_round_trips() {
    let files = txt_files(&fixtures_dir());
    assert!(files.len() >= 4);
    for f in &files {
        assert_round_trip(&[record(f, "城東区")]);
    }
}

#[test]
fn a_city_workbook_of_many_plans_round_trips() {
    let mut files = txt_files(&fixtures_dir());
    if let Some(dir) = seeds_dir() {
        files.extend(txt_files(&dir));
    }
    let wards = ["城東区", "大正区", "北区", "中央区", "西区", "港区"];
    let mut records: Vec<PlanRecord> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let mut r = record(f, wards[i % wards.len()]);
        r.version = i64::try_from(i).unwrap() + 1;
        records.push(r);
    }
    // The same plan twice (another city's 北区): sheet names must still be unique.
    let mut twin = records[2].clone();
    twin.municipality = "名古屋市".into();
    records.push(twin);
    assert_round_trip(&records);

    let bytes = write_workbook(&records).unwrap();
    let back = read_workbook(&bytes).unwrap();
    assert_eq!(back, records);
}

#[test]
fn seeds_with_evaluations_keep_them() {
    let Some(dir) = seeds_dir() else {
        println!("skipped: no seeds");
        return;
    };
    // Seed 001 is an evaluated year: evaluations, actuals and remedies must survive.
    let Some(f) = txt_files(&dir)
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("001"))
    else {
        println!("skipped: no seed 001");
        return;
    };
    let r = record(&f, "大正区");
    let evaluations: usize = r.content.nodes.iter().map(|n| n.evaluations.len()).sum();
    let targets: usize = r.content.nodes.iter().map(|n| n.targets.len()).sum();
    assert!(evaluations > 0 && targets > 0);
    let back = read_workbook(&write_workbook(std::slice::from_ref(&r)).unwrap()).unwrap();
    assert_eq!(back, vec![r]);
}
