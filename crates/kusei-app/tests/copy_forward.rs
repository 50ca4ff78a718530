//! Copy forward keeps each target's own years (issue 13): a target already set for the
//! new year stays as it is, this year's target of the same indicator is not moved onto
//! it, and a figure in 千円 keeps its scale in the new sentence.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kusei_app::copy_forward::next_year_plan;
use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{NodeContent, PlanContent};
use kusei_domain::model::{Comparator, Family, Period, Target, UnitKind};
use kusei_store::{NewUnit, Store};

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn target(indicator: &str, year: i32, value: f64, unit: &str, text: &str) -> Target {
    Target {
        indicator_id: None,
        period: Some(Period::year(fy(year))),
        value: Some(value),
        measure_unit: Some(unit.into()),
        comparator: Some(Comparator::AtLeast),
        text: text.into(),
        indicator_name: Some(indicator.into()),
        this_year: false,
    }
}

async fn stored(
    content: &PlanContent,
    name: &str,
) -> (Store, kusei_store::StoredPlan, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("kusei-copy-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.join("t.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let m = store
        .create_municipality("t", "271004", "テスト市", false)
        .await
        .unwrap();
    let ward = store
        .create_unit(
            "t",
            &NewUnit {
                municipality_id: m,
                parent_id: None,
                kind: UnitKind::Ward,
                name: "東区",
                phone: None,
                fax: None,
                duties: None,
            },
        )
        .await
        .unwrap();
    let id = store.save_plan("t", ward, content).await.unwrap();
    let sp = store.load_plan(id).await.unwrap();
    (store, sp, dir)
}

#[tokio::test]
async fn each_target_keeps_its_own_years() {
    // A series as seed 001 item 12 writes it: 30 % for 平成29年度, 35 % for 平成30年度,
    // 40 % for 令和元年度; and this year's 15,500千円 with no target for next year.
    let node = NodeContent {
        level: "取組項目".into(),
        number: Some("12".into()),
        title: "地域活動協議会への支援".into(),
        targets: vec![
            target("認知度", 2017, 30.0, "%", "30%"),
            target("認知度", 2018, 35.0, "%", "35%"),
            target("認知度", 2019, 40.0, "%", "40%"),
            target(
                "独自収入",
                2017,
                15_500_000.0,
                "千円",
                "独自収入 平成29年度 15,500千円以上",
            ),
        ],
        ..NodeContent::default()
    };
    let content = PlanContent {
        family: Family::ReformItems,
        period: Period::year(fy(2017)),
        title: "平成29年度 取組".into(),
        level_names: vec!["取組項目".into()],
        nodes: vec![node],
        links: vec![],
        is_sample: false,
    };
    let (store, sp, dir) = stored(&content, "years").await;
    let next = next_year_plan(&sp).unwrap();
    assert_eq!(next.period, Period::year(fy(2018)));
    let targets = &next.nodes[0].targets;
    let of = |indicator: &str, year: i32| -> Vec<&Target> {
        targets
            .iter()
            .filter(|t| {
                t.indicator_name.as_deref() == Some(indicator)
                    && t.period == Some(Period::year(fy(year)))
            })
            .collect()
    };
    let fy2018 = of("認知度", 2018);
    assert_eq!(fy2018.len(), 1, "one target for 平成30年度: {targets:#?}");
    assert_eq!(fy2018[0].value, Some(35.0));
    assert_eq!(fy2018[0].text, "35%", "kept as written");
    assert_eq!(of("認知度", 2019).len(), 1);
    assert_eq!(
        of("認知度", 2017).len(),
        0,
        "this year's 30 % is not moved onto 35 %"
    );
    // This year's money target moves to the new year at its own scale.
    let money = of("独自収入", 2018);
    assert_eq!(money.len(), 1, "{targets:#?}");
    assert_eq!(money[0].value, Some(15_500_000.0));
    assert!(money[0].text.contains("15500千円以上"), "{}", money[0].text);
    assert!(!money[0].text.contains("15500000"), "{}", money[0].text);
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Seed 001 (平成29年度) copied forward: item 12's 平成30年度 target is exactly 35 %, and
/// no item gains a second target of one indicator for one year.
#[tokio::test]
async fn seed_001_copied_forward_keeps_its_series() {
    let Some(seeds) = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared").join("seeds"))
        .find(|p| p.is_dir())
    else {
        eprintln!("skipped: seed 001 (no ../shared/seeds)");
        return;
    };
    let path = std::fs::read_dir(&seeds)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("001_"))
        })
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let doc = kusei_import::parse_bytes("001.txt", &bytes).unwrap();
    let content = kusei_import::convert::plan_content(&doc, Period::year(fy(2017))).unwrap();
    let (store, sp, dir) = stored(&content, "seed001").await;
    let next = next_year_plan(&sp).unwrap();
    // One indicator: the name the target or its sentence gives.
    let key = |t: &Target| {
        (
            t.indicator_name
                .clone()
                .or_else(|| {
                    kusei_kpi::read_targets(&t.text, None)
                        .first()
                        .and_then(|k| k.indicator.clone())
                })
                .unwrap_or_default(),
            t.measure_unit.clone().unwrap_or_default(),
            t.this_year,
            t.period,
        )
    };
    for (before, after) in sp.nodes.iter().zip(&next.nodes) {
        let count = |ts: &[Target], k: &(String, String, bool, Option<Period>)| {
            ts.iter().filter(|t| &key(t) == k).count()
        };
        for t in after
            .targets
            .iter()
            .filter(|t| t.period == Some(Period::year(fy(2018))))
        {
            let k = key(t);
            assert!(
                count(&after.targets, &k) <= count(&before.targets, &k).max(1),
                "item {:?} gained a second 平成30年度 target of {k:?}\nbefore {:#?}\nafter {:#?}",
                before.node.number,
                before.targets,
                after.targets
            );
        }
    }
    let item12 = next
        .nodes
        .iter()
        .find(|n| n.number.as_deref() == Some("12"))
        .unwrap();
    let fy2018: Vec<_> = item12
        .targets
        .iter()
        .filter(|t| t.period == Some(Period::year(fy(2018))))
        .collect();
    assert!(!fy2018.is_empty(), "{:#?}", item12.targets);
    assert!(
        fy2018.iter().all(|t| t.value == Some(35.0)),
        "平成30年度 is 35 %: {fy2018:#?}"
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
