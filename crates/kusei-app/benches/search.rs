#![allow(clippy::expect_used, clippy::unwrap_used)]
//! Search at national scale: the project's sample generator (`varied_records`: each
//! 具体的取組 one of 40 themes) writes municipalities of 24 wards × 20 fiscal years of
//! 区運営方針 until ITEMS items (default 1,000,000) exist; each plan is published and its
//! working copy is the same (so one document per item, as the server indexes it through
//! the application's own `search::docs_of`), into an index on disk.
//! Then typical queries — as a citizen and as a ward's staff, with and without filters —
//! are timed (p50 / p95 / p99 of RUNS runs each, snippets included) beside a plain indexed
//! lookup of one document by its key in the same index, and the ratios are printed.
//!
//! Run: `cargo bench -p kusei-app --bench search --profile dev` (ITEMS=…, RUNS=…,
//! SEARCH_BENCH_DIR=… keeps the index between runs: built once, then only measured).

use kusei_app::search::{docs_of, found_of, Visibility};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::{Node, NodeId, Plan, PlanId, UnitId};
use kusei_search::{Filters, SearchIndex};
use kusei_store::{StoredNode, StoredPlan};
use std::time::{Duration, Instant};

const WARDS: usize = 24;
const YEARS: i32 = 20;
const ITEMS_PER_PLAN: usize = 40;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A plan of the generator as the store would read it back (ids given in order).
fn stored(
    content: &kusei_domain::content::PlanContent,
    plan: i64,
    unit: i64,
    unit_name: &str,
    next_node: &mut i64,
) -> StoredPlan {
    let nodes = content
        .nodes
        .iter()
        .map(|n| {
            *next_node += 1;
            StoredNode {
                node: Node {
                    id: NodeId(*next_node),
                    plan_id: PlanId(plan),
                    level: n.level.clone(),
                    number: n.number.clone(),
                    title: n.title.clone(),
                    subtitle: n.subtitle.clone(),
                    marks: n.marks.clone(),
                    owner_unit_id: None,
                    sections: n.sections.clone(),
                    version: 1,
                },
                targets: n.targets.clone(),
                actuals: n.actuals.clone(),
                reviews: n.reviews.clone(),
                evaluations: n.evaluations.clone(),
                milestones: n.milestones.clone(),
            }
        })
        .collect();
    StoredPlan {
        plan: Plan {
            id: PlanId(plan),
            unit_id: UnitId(unit),
            period: content.period,
            family: content.family,
            title: content.title.clone(),
            level_names: content.level_names.clone(),
            status: kusei_domain::model::PlanStatus::Published,
            version: 1,
            is_sample: false,
        },
        unit_name: unit_name.to_string(),
        nodes,
        links: Vec::new(),
    }
}

struct Built {
    items: usize,
    municipalities: usize,
}

fn build(index: &SearchIndex, target: usize) -> Built {
    let years: Vec<FiscalYear> = (2026 - YEARS + 1..=2026)
        .map(|y| FiscalYear::new(y).unwrap())
        .collect();
    let current = *years.last().unwrap();
    // The sample's five indicators (their names are in the targets' sentences).
    let indicators: Vec<kusei_domain::model::IndicatorId> =
        (1..=5).map(kusei_domain::model::IndicatorId).collect();
    let (mut items, mut m, mut plan, mut node) = (0usize, 0usize, 0i64, 0i64);
    let started = Instant::now();
    while items < target {
        m += 1;
        let records = kusei_report::sample::varied_records(
            &format!("市{m}"),
            WARDS,
            &years,
            ITEMS_PER_PLAN,
            &indicators,
            current,
        );
        for (k, r) in records.iter().enumerate() {
            plan += 1;
            let unit = (m * 100 + k / years.len()) as i64;
            let sp = stored(&r.content, plan, unit, &r.unit, &mut node);
            items += sp.nodes.len();
            let docs = docs_of(&sp, Some(&sp), &[], m as i64);
            index
                .replace(&format!("plan:{plan}"), &docs)
                .expect("index");
        }
        if m % 5 == 0 {
            index
                .commit(&kusei_search::Progress::default())
                .expect("commit");
            eprintln!(
                "  {m} municipalities, {items} items, {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    index
        .commit(&kusei_search::Progress {
            schema: kusei_search::index::SCHEMA_VERSION,
            watermark: items as i64,
            seen: Vec::new(),
        })
        .expect("commit");
    Built {
        items,
        municipalities: m,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let target = env("ITEMS", 1_000_000);
    let runs = env("RUNS", 40).max(1);
    let kept = std::env::var("SEARCH_BENCH_DIR").ok();
    let dir = kept.clone().map_or_else(
        || std::env::temp_dir().join(format!("kusei-search-bench-{}", std::process::id())),
        std::path::PathBuf::from,
    );
    let index = SearchIndex::open(Some(&dir)).expect("index");
    let built = if index.is_empty() {
        let t = Instant::now();
        let b = build(&index, target);
        // Measured once the background merges are done, as a server's index is.
        index.settle().expect("merges");
        println!(
            "built: {} items in {} municipalities × {WARDS} wards × {YEARS} years, {} documents, {:.0} s, {:.0} MB on disk",
            b.items,
            b.municipalities,
            index.len(),
            t.elapsed().as_secs_f64(),
            dir_size(&dir) as f64 / 1e6
        );
        b
    } else {
        println!(
            "reusing the index in {} ({} documents)",
            dir.display(),
            index.len()
        );
        Built {
            items: index.len() as usize,
            municipalities: 0,
        }
    };
    let staff = Visibility::Staff {
        units: (100..100 + WARDS as i64).collect(),
    };
    let one_m = Filters {
        municipality: Some(1),
        ..Filters::default()
    };
    let year = Filters {
        years: Some((2025, 2025)),
        ..Filters::default()
    };
    let span_ward = Filters {
        unit: Some(105),
        years: Some((2022, 2026)),
        ..Filters::default()
    };
    let mut cases: Vec<(&str, &str, Filters, Visibility)> = vec![
        (
            "2 characters",
            "防災",
            Filters::default(),
            Visibility::Public,
        ),
        ("a word", "子育て", Filters::default(), Visibility::Public),
        (
            "a katakana word",
            "ボランティア",
            Filters::default(),
            Visibility::Public,
        ),
        (
            "AND of two words",
            "窓口 待ち時間",
            Filters::default(),
            Visibility::Public,
        ),
        (
            "quoted phrase",
            "\"町会 自治会\"",
            Filters::default(),
            Visibility::Public,
        ),
        (
            "one municipality",
            "防災訓練",
            one_m.clone(),
            Visibility::Public,
        ),
        ("one fiscal year", "高齢者", year, Visibility::Public),
        (
            "a ward over 5 years",
            "空き家",
            span_ward,
            Visibility::Public,
        ),
        ("staff of a city", "子育て", one_m, staff.clone()),
        ("staff, everywhere", "多文化共生", Filters::default(), staff),
        (
            "a word no document has",
            "量子暗号",
            Filters::default(),
            Visibility::Public,
        ),
        (
            "an exclusion",
            "防災 -訓練",
            Filters::default(),
            Visibility::Public,
        ),
        (
            "one character",
            "森",
            Filters::default(),
            Visibility::Public,
        ),
        // In every plan's headings: the heaviest, a quarter to a half of the archive.
        (
            "in every plan (heavy)",
            "区民",
            Filters::default(),
            Visibility::Public,
        ),
        (
            "a phrase in every plan (heavy)",
            "コミュニティ",
            Filters::default(),
            Visibility::Public,
        ),
    ];
    if let Ok(only) = std::env::var("ONLY") {
        cases.retain(|c| c.1 == only);
    }
    // The baseline: one document by its key.
    let mut base = Vec::with_capacity(runs);
    for i in 0..runs {
        let key = format!("p:{}", 1 + (i * 7919) % built.items.max(1));
        let t = Instant::now();
        let d = index.by_key(&key).expect("lookup");
        base.push(t.elapsed());
        assert!(d.is_some() || built.municipalities == 0, "{key}");
    }
    base.sort();
    let b50 = percentile(&base, 0.5);
    println!(
        "\n{:<28} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "query", "found", "p50 ms", "p95 ms", "p99 ms", "p95/base"
    );
    println!(
        "{:<28} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "baseline: lookup by key",
        1,
        ms(b50),
        ms(percentile(&base, 0.95)),
        ms(percentile(&base, 0.99)),
        "1.0"
    );
    let (mut worst, mut worst_typical) = (Duration::ZERO, Duration::ZERO);
    for (name, q, filters, vis) in &cases {
        let query = kusei_search::parse(q).expect("query");
        let mut times = Vec::with_capacity(runs);
        let mut total = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let r = index.search(&query, filters, vis, 0, 20).expect("search");
            let found = found_of(r, &query, 1);
            times.push(t.elapsed());
            total = found.total;
        }
        times.sort();
        let p95 = percentile(&times, 0.95);
        worst = worst.max(p95);
        if !name.contains("(heavy)") {
            worst_typical = worst_typical.max(p95);
        }
        println!(
            "{:<28} {:>10} {:>9} {:>9} {:>9} {:>9.0}",
            format!("{name} ({q})"),
            total,
            ms(percentile(&times, 0.5)),
            ms(p95),
            ms(percentile(&times, 0.99)),
            p95.as_secs_f64() / percentile(&base, 0.95).as_secs_f64().max(1e-9)
        );
    }
    println!(
        "\nworst p95 of the typical queries: {} ms, of all: {} ms, over {} items ({} documents); goal < 50 ms",
        ms(worst_typical),
        ms(worst),
        built.items,
        index.len()
    );
    if kept.is_none() {
        drop(index);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
