//! Time to export a whole city year (24 wards × 40 具体的取組, the sample city) in every
//! format, in one process. Figures are medians of several runs, and ratios against the CSV
//! export of the same records in the same run (the baseline), so they compare across
//! machines. Run: `cargo bench -p kusei-web --bench export` (release).
//!
//! Each PDF run gets records that differ in one text, so typst's memoisation cannot
//! answer from the previous run.

use kusei_app::export::{Exporter, Format};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::IndicatorId;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let fy = |y| FiscalYear::new(y).unwrap_or(FiscalYear::MIN);
    let ids: Vec<IndicatorId> = (1..=5).map(IndicatorId).collect();
    let records = kusei_report::sample::city_records("見本市", 24, &[fy(2025)], 40, &ids, fy(2025));
    let items: usize = records
        .iter()
        .map(|r| {
            r.content
                .nodes
                .iter()
                .filter(|n| n.level == "具体的取組")
                .count()
        })
        .sum();
    println!(
        "city year: {} plans, {items} 具体的取組, {} nodes",
        records.len(),
        records.iter().map(|r| r.content.nodes.len()).sum::<usize>()
    );
    let exporter = Exporter::new(std::env::var_os("KUSEI_PDF_FONT").map(Into::into));
    let runs = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5usize);
    let mut baseline = None;
    for format in [
        Format::Csv,
        Format::Json,
        Format::Html,
        Format::Xlsx,
        Format::Pdf,
    ] {
        if format == Format::Pdf {
            if let Err(why) = exporter.pdf_status() {
                println!("pdf: skipped ({why})");
                continue;
            }
        }
        let mut times = Vec::new();
        let mut size = 0;
        for run in 0..runs {
            let mut recs = records.clone();
            recs[0].content.title = format!("{} (run {run})", recs[0].content.title);
            let t = Instant::now();
            let bytes = exporter
                .export(format, "見本市 令和7年度", "見本市", &recs)
                .unwrap_or_else(|e| panic!("{format:?}: {e}"));
            times.push(t.elapsed());
            size = bytes.len();
            if format == Format::Xlsx && run == 0 {
                let t = Instant::now();
                let back = kusei_xlsx::read_workbook(&bytes).unwrap_or_default();
                println!(
                    "xlsx read back: {:>8.1} ms ({} plans)",
                    t.elapsed().as_secs_f64() * 1e3,
                    back.len()
                );
            }
        }
        let m = median(times);
        let base = *baseline.get_or_insert(m);
        println!(
            "{:<5} {:>8.1} ms  {:>7.1} × csv  {:>9} bytes",
            format.extension(),
            m.as_secs_f64() * 1e3,
            m.as_secs_f64() / base.as_secs_f64(),
            size
        );
    }
}
