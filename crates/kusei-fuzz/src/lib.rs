//! Kusei's fuzz harness (stable Rust, no extra tools): inputs are the seeds and fixtures,
//! mutated the ways real files go wrong (bytes flipped, lines dropped or repeated, form
//! words and marks inserted, parts spliced from another document, cut short), and fed to
//!
//! - [`Target::Documents`]: the document readers (`kusei_import::parse_bytes`: decode,
//!   family detection, every family's reader, judgments);
//! - [`Target::Sentences`]: the target and actual reader (`split_targets`,
//!   `read_target_blocks`, `read_actuals`) on single lines;
//! - [`Target::Workbooks`]: the Excel reader (`read_workbook`), on workbooks whose cells
//!   were mutated and on mutated bytes of whole files.
//!
//! A finding is a panic, or an input that took longer than the time budget (a reader that
//! is not linear). The test suite runs a bounded number of inputs with a fixed seed;
//! `cargo run --release -p kusei-fuzz -- --for 2h` runs for hours and writes what it finds
//! to `fuzz-findings/`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod mutate;
mod workbooks;

pub use mutate::Rng;

/// What is fuzzed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Documents,
    Sentences,
    Workbooks,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::Documents, Target::Sentences, Target::Workbooks];

    pub fn name(self) -> &'static str {
        match self {
            Target::Documents => "documents",
            Target::Sentences => "sentences",
            Target::Workbooks => "workbooks",
        }
    }

    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == s)
    }
}

/// One input that broke a reader.
#[derive(Debug, Clone)]
pub struct Finding {
    pub target: Target,
    /// `panic: …` or `slow: … ms`.
    pub what: String,
    pub input: Vec<u8>,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    pub inputs: u64,
    pub bytes: u64,
    pub slowest: Duration,
    pub slowest_len: usize,
    pub findings: Vec<Finding>,
}

/// The starting inputs of each target, read from the reader's fixtures and, when present,
/// the real documents in `../shared/seeds`.
pub struct Corpus {
    pub documents: Vec<Vec<u8>>,
    pub sentences: Vec<String>,
    pub workbooks: Vec<Vec<u8>>,
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// `shared/seeds` above the workspace, if there.
pub fn seeds_dir() -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared").join("seeds"))
        .find(|p| p.is_dir())
}

impl Corpus {
    /// Fixtures always; seeds when found (`seeds` says whether they were).
    pub fn load() -> (Corpus, bool) {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kusei-import/tests/fixtures");
        let mut paths = files_in(&fixtures);
        let seeds = seeds_dir();
        if let Some(dir) = &seeds {
            paths.extend(files_in(dir));
        }
        let documents: Vec<Vec<u8>> = paths.iter().filter_map(|p| std::fs::read(p).ok()).collect();
        let mut sentences = Vec::new();
        let mut parsed = Vec::new();
        for (i, bytes) in documents.iter().enumerate() {
            if let Ok((text, _)) = kusei_import::decode(bytes) {
                sentences.extend(
                    text.lines()
                        .filter(|l| l.contains('目') || l.contains('実') || l.contains('%'))
                        .map(|l| l.chars().take(2_000).collect::<String>()),
                );
            }
            if let Ok(doc) = kusei_import::parse_bytes(&format!("seed{i}.txt"), bytes) {
                parsed.push(doc);
            }
        }
        sentences.sort();
        sentences.dedup();
        let workbooks = workbooks::seed_workbooks(&parsed);
        (
            Corpus {
                documents,
                sentences,
                workbooks,
            },
            seeds.is_some(),
        )
    }
}

/// Replays the inputs of `regressions/` (each named `TARGET-what.input`, an input the
/// harness once found): the message of each that still panics.
pub fn replay_regressions() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = Vec::new();
    for path in files_in(&dir) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let Some(target) = name.split('-').next().and_then(Target::parse) else {
            failed.push(format!("{name}: the name does not start with a target"));
            continue;
        };
        let input = std::fs::read(&path).unwrap_or_default();
        if let Err(message) = exercise(target, &input) {
            failed.push(format!("{name}: {message}"));
        }
    }
    std::panic::set_hook(hook);
    failed
}

/// Runs one input through a target's readers; `Err` with the panic's message.
fn exercise(target: Target, input: &[u8]) -> Result<(), String> {
    let run = AssertUnwindSafe(|| match target {
        Target::Documents => {
            if let Ok(doc) = kusei_import::parse_bytes("fuzz.txt", input) {
                let _ = doc.to_json();
                let _ = doc.render_text();
                if let Some(period) = kusei_import::convert::document_period(&doc) {
                    let _ = kusei_import::convert::plan_content(&doc, period);
                }
            }
        }
        Target::Sentences => {
            let s = String::from_utf8_lossy(input).to_string();
            let year = kusei_domain::calendar::FiscalYear::new(2025).ok();
            for t in kusei_kpi::split_targets(&s) {
                let _ = kusei_kpi::read_targets(&t.text, year);
            }
            let _ = kusei_kpi::read_target_blocks(std::slice::from_ref(&s), year);
            let _ = kusei_kpi::read_actuals(&s, year);
        }
        Target::Workbooks => {
            if let Ok(records) = kusei_xlsx::read_workbook(input) {
                // What was read must be writable again (the export of what was imported).
                let _ = kusei_xlsx::write_workbook(&records);
            }
        }
    });
    catch_unwind(run).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_else(|| "panic".into())
    })
}

/// How a run ends.
#[derive(Debug, Clone, Copy)]
pub enum Until {
    Inputs(u64),
    Deadline(Instant),
}

/// Fuzzes one target until `until`; an input slower than `slow` is a finding.
pub fn run(corpus: &Corpus, target: Target, seed: u64, until: Until, slow: Duration) -> Report {
    let mut rng = Rng::new(seed ^ (target as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut report = Report::default();
    // Panics are findings: keep their messages off the terminal while fuzzing.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    loop {
        let done = match until {
            Until::Inputs(n) => report.inputs >= n,
            Until::Deadline(t) => Instant::now() >= t,
        };
        if done {
            break;
        }
        let input = match target {
            Target::Documents => mutate::document(&mut rng, &corpus.documents),
            Target::Sentences => mutate::sentence(&mut rng, &corpus.sentences).into_bytes(),
            Target::Workbooks => workbooks::mutated(&mut rng, &corpus.workbooks),
        };
        let started = Instant::now();
        let outcome = exercise(target, &input);
        let took = started.elapsed();
        report.inputs += 1;
        report.bytes += input.len() as u64;
        if took > report.slowest {
            report.slowest = took;
            report.slowest_len = input.len();
        }
        let what = match outcome {
            Err(message) => Some(format!("panic: {message}")),
            Ok(()) if took > slow => Some(format!(
                "slow: {} ms for {} bytes",
                took.as_millis(),
                input.len()
            )),
            Ok(()) => None,
        };
        if let Some(what) = what {
            report.findings.push(Finding {
                target,
                what,
                input,
            });
        }
    }
    std::panic::set_hook(hook);
    report
}
