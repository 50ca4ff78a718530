#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The fuzz harness, bounded: a fixed number of mutated inputs per target with a fixed
//! seed, so every run of the suite meets the same inputs. No reader may panic, and none
//! may take longer than 10 s on one input (a debug build; the release harness run by hand
//! uses 2 s). Longer runs: `cargo run --release -p kusei-fuzz -- --for 2h`.

use kusei_fuzz::{run, Corpus, Target, Until};
use std::sync::OnceLock;
use std::time::Duration;

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let (corpus, seeds) = Corpus::load();
        if !seeds {
            eprintln!("skipped: the seeds (no ../shared/seeds); fuzzing from the fixtures only");
        }
        corpus
    })
}

fn fuzz(target: Target, inputs: u64) {
    let report = run(
        corpus(),
        target,
        20_261_202,
        Until::Inputs(inputs),
        Duration::from_secs(10),
    );
    eprintln!(
        "{}: {} inputs, {} bytes, slowest {:?} ({} bytes)",
        target.name(),
        report.inputs,
        report.bytes,
        report.slowest,
        report.slowest_len
    );
    assert_eq!(report.inputs, inputs);
    let shown: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} on {:?}",
                f.what,
                String::from_utf8_lossy(&f.input[..f.input.len().min(300)])
            )
        })
        .collect();
    assert!(shown.is_empty(), "{} finding(s): {shown:#?}", shown.len());
}

/// Inputs the harness once found (crates/kusei-fuzz/regressions) never panic again.
#[test]
fn earlier_findings_stay_fixed() {
    let failed = kusei_fuzz::replay_regressions();
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn the_corpus_has_every_kind_of_input() {
    let c = corpus();
    assert!(c.documents.len() >= 4, "the fixtures at least");
    assert!(c.sentences.len() >= 10);
    assert!(c.workbooks.len() >= 2, "workbooks of the fixtures");
}

#[test]
fn documents_never_panic() {
    fuzz(Target::Documents, 2_000);
}

#[test]
fn sentences_never_panic() {
    fuzz(Target::Sentences, 20_000);
}

#[test]
fn workbooks_never_panic() {
    fuzz(Target::Workbooks, 600);
}
