//! Reading time of documents with one very long target line, as a ratio to the same
//! document with a 2 KB line (same process, same run). The readers are meant to be linear:
//! 100× the text may take at most 150× the time (README, "Limits").
//!
//! `cargo bench -p kusei-import --bench long_lines` (plain std::time, no criterion).
//! Exits 1 when a ratio is over 150.

use std::hint::black_box;
use std::time::{Duration, Instant};

const FIXTURE: &str = include_str!("../tests/fixtures/reform_items.txt");
const TARGET: &str = "①-1 平均待ち時間 30分以内";

/// Text of about `bytes` bytes in one of the shapes a long target line takes.
fn filler(shape: &str, bytes: usize) -> String {
    let unit = match shape {
        // one sentence that never ends
        "words" => "窓口の待ち時間を短くし来庁者の負担を軽くする",
        // figures, one after another
        "figures" => "令和7年度(目標)97.60%、",
        // markup and labels
        "labels" => "①-1 平均待ち時間 30分以内 <br>",
        _ => "あ",
    };
    let mut s = String::with_capacity(bytes + unit.len());
    while s.len() < bytes {
        s.push_str(unit);
    }
    s
}

fn time_parse(doc: &str) -> Duration {
    let bytes = doc.as_bytes();
    // best of 3 (the small ones are fast enough to repeat)
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let parsed = kusei_import::parse_bytes("long.txt", black_box(bytes));
        let took = t.elapsed();
        assert!(parsed.is_ok(), "the document must parse");
        black_box(parsed.ok());
        best = best.min(took);
        if took > Duration::from_secs(5) {
            break;
        }
    }
    best
}

fn main() {
    let mut worst = 0.0f64;
    for shape in ["words", "figures", "labels"] {
        let base = time_parse(&FIXTURE.replace(TARGET, &filler(shape, 2 * 1024)));
        print!("{shape:>8}: 2 KB {:>9.3} ms", base.as_secs_f64() * 1e3);
        for kb in [20usize, 200] {
            let took = time_parse(&FIXTURE.replace(TARGET, &filler(shape, kb * 1024)));
            let ratio = took.as_secs_f64() / base.as_secs_f64().max(1e-9);
            worst = worst.max(if kb == 200 { ratio } else { 0.0 });
            print!(
                " | {kb} KB {:>9.3} ms (×{ratio:.1})",
                took.as_secs_f64() * 1e3
            );
        }
        println!();
    }
    println!("worst 200 KB / 2 KB ratio: {worst:.1} (limit 150)");
    if worst > 150.0 {
        std::process::exit(1);
    }
}
