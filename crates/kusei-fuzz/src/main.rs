//! `cargo run --release -p kusei-fuzz -- [--target documents|sentences|workbooks|all]
//! [--for 2h | --inputs N] [--seed N] [--slow-ms 2000] [--out fuzz-findings]`
//!
//! Runs until the time or the number of inputs is spent, prints what it did every
//! minute, writes each finding to `--out` (the input, and a .txt saying what happened)
//! and exits 1 when there was any.

use kusei_fuzz::{run, Corpus, Target, Until};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn duration(s: &str) -> Option<Duration> {
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = n.parse().ok()?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

fn main() -> ExitCode {
    let mut targets = Target::ALL.to_vec();
    let mut until_for = Duration::from_secs(60);
    let mut inputs: Option<u64> = None;
    let mut seed: u64 = 1;
    let mut slow = Duration::from_millis(2_000);
    let mut out = PathBuf::from("fuzz-findings");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        let ok = match args[i].as_str() {
            "--target" if value == "all" => true,
            "--target" => Target::parse(&value).map(|t| targets = vec![t]).is_some(),
            "--for" => duration(&value).map(|d| until_for = d).is_some(),
            "--inputs" => value.parse().ok().map(|n| inputs = Some(n)).is_some(),
            "--seed" => value.parse().ok().map(|n| seed = n).is_some(),
            "--slow-ms" => value
                .parse()
                .ok()
                .map(|n| slow = Duration::from_millis(n))
                .is_some(),
            "--out" => {
                out = PathBuf::from(&value);
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!(
                "kusei-fuzz: cannot use {} {value:?} (see the head of src/main.rs)",
                args[i]
            );
            return ExitCode::from(2);
        }
        i += 2;
    }
    let (corpus, seeds) = Corpus::load();
    println!(
        "corpus: {} documents, {} sentences, {} workbooks{}",
        corpus.documents.len(),
        corpus.sentences.len(),
        corpus.workbooks.len(),
        if seeds {
            ""
        } else {
            " (no ../shared/seeds: fixtures only)"
        }
    );
    let mut found = 0usize;
    // Time is shared between the targets; each runs in one-minute rounds.
    let end = Instant::now() + until_for;
    let mut round = 0u64;
    loop {
        for &target in &targets {
            let until = match inputs {
                Some(n) => Until::Inputs(n),
                None => Until::Deadline((Instant::now() + Duration::from_secs(60)).min(end)),
            };
            let report = run(&corpus, target, seed.wrapping_add(round), until, slow);
            println!(
                "{:>9}: {} inputs, {} MB, slowest {} ms ({} bytes), {} finding(s)",
                target.name(),
                report.inputs,
                report.bytes / 1_000_000,
                report.slowest.as_millis(),
                report.slowest_len,
                report.findings.len()
            );
            for (k, f) in report.findings.iter().enumerate() {
                let _ = std::fs::create_dir_all(&out);
                let base = out.join(format!("{}-{}-{round}-{k}", f.target.name(), seed));
                let _ = std::fs::write(base.with_extension("input"), &f.input);
                let _ = std::fs::write(base.with_extension("txt"), &f.what);
                println!("  {}: {}", base.display(), f.what);
                found += 1;
            }
        }
        round += 1;
        if inputs.is_some() || Instant::now() >= end {
            break;
        }
    }
    if found > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
