//! Reading time of documents with one very long target line, as a ratio to the same
//! document with a 2 KB line (same process, same run). The readers are meant to be linear:
//! 100× the text may take at most 150× the time (README, "Limits").
//!
//! `cargo bench -p kusei-import --bench long_lines` (plain std::time, no criterion).
//! Exits 1 when a ratio is over 150.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Two families: a reform item's (目標) cell and a management sheet's 成果目標 line.
const DOCUMENTS: [(&str, &str, &str); 2] = [
    (
        "reform",
        include_str!("../tests/fixtures/reform_items.txt"),
        "①-1 平均待ち時間 30分以内",
    ),
    (
        "sheet",
        include_str!("../tests/fixtures/management_sheet.txt"),
        "防災訓練に参加した区民の割合 令和5年度までに30%以上",
    ),
];

const SHAPES: [&str; 7] = [
    "words", "figures", "labels", "years", "parens", "open", "digits",
];

/// Text of about `bytes` bytes in one of the shapes a long target line takes.
fn filler(shape: &str, bytes: usize) -> String {
    let unit = match shape {
        // one sentence that never ends
        "words" => "窓口の待ち時間を短くし来庁者の負担を軽くする",
        // figures, one after another
        "figures" => "令和7年度(目標)97.60%、",
        // markup and labels
        "labels" => "①-1 平均待ち時間 30分以内 <br>",
        // years and periods without figures
        "years" => "29年度から令和5年度まで",
        // parentheses that close
        "parens" => "(目標 12件)",
        // parentheses that never close
        "open" => "(達成率 ",
        // one endless number
        "digits" => "1234567890",
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
    // `-- sheet figures` runs only what the words name (for profiling one case).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let mut worst = 0.0f64;
    for (family, doc, target) in DOCUMENTS {
        for shape in SHAPES {
            if only.iter().any(|w| w != family && w != shape) {
                continue;
            }
            let base = time_parse(&doc.replace(target, &filler(shape, 2 * 1024)));
            print!(
                "{family:>6} {shape:>8}: 2 KB {:>9.3} ms",
                base.as_secs_f64() * 1e3
            );
            for kb in [20usize, 200] {
                let took = time_parse(&doc.replace(target, &filler(shape, kb * 1024)));
                let ratio = took.as_secs_f64() / base.as_secs_f64().max(1e-9);
                worst = worst.max(if kb == 200 { ratio } else { 0.0 });
                print!(
                    " | {kb} KB {:>9.3} ms (×{ratio:.1})",
                    took.as_secs_f64() * 1e3
                );
            }
            println!();
        }
    }
    println!("worst 200 KB / 2 KB ratio: {worst:.1} (limit 150)");
    if worst > 150.0 {
        std::process::exit(1);
    }
}
