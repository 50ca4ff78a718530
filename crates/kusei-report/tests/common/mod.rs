//! Documents the report tests run on: the project's fixtures (always) and the real seed
//! documents in `shared/seeds` (when present), each as the record it becomes on import.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::PlanRecord;
use kusei_domain::model::Period;
use std::path::{Path, PathBuf};

pub fn seeds_dir() -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared").join("seeds"))
        .find(|p| p.is_dir())
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    v.sort();
    v
}

/// (name, record) of every fixture and seed that is a plan.
pub fn documents() -> Vec<(String, PlanRecord)> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kusei-import/tests/fixtures");
    let mut paths = files(&fixtures);
    match seeds_dir() {
        Some(d) => paths.extend(files(&d)),
        None => eprintln!("skipped: no shared/seeds directory, fixtures only"),
    }
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(&p).unwrap();
            let doc = kusei_import::parse_bytes(&name, &bytes).unwrap();
            let fy = FiscalYear::new(2025).unwrap();
            let record =
                kusei_report::record_from_document(&doc, "大阪市", "城東区", Period::year(fy))
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, record)
        })
        .collect()
}

/// Text with every whitespace removed (lines wrap differently in each rendering).
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

/// Every node title and every target sentence of a record: what a rendering must contain.
pub fn must_contain(r: &PlanRecord) -> Vec<String> {
    let mut v = Vec::new();
    for n in &r.content.nodes {
        v.push(n.title.clone());
        for t in &n.targets {
            v.push(t.text.clone());
        }
    }
    v.retain(|s| !squash(s).is_empty());
    v
}
