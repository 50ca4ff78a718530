//! Indicators as the city keeps them: corrected and merged by a city administrator only
//! (a ward editor is refused), a merged name still finds its indicator on the next
//! import, and a workbook carries its indicators (指標 sheet) into another database by
//! name — never onto an unrelated indicator that happens to have the same id there.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kusei_app::import::{store_document, store_record, Destination};
use kusei_app::indicators::{
    edit_indicator, merge_indicators, IndicatorEdit, IndicatorError, IndicatorRule,
};
use kusei_app::{AppError, Caller};
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::model::{Direction, IndicatorId, MunicipalityId, Period, UnitId, UnitKind};
use kusei_domain::policy::{Grants, Role, Scope};
use kusei_store::{Copy, ImportOutcome, NewIndicator, NewUnit, Store};

const PLAN: &str = "## 令和5年度 「区政改革」に基づく取組\n\n取組項目1\n\n【独自収入の確保】\n\n計画\t取組の方針・目標内容\t当年度の取組内容\n\t<p>(趣旨・目的) 財源を確保する。</p> <p>(目標) 独自収入 令和5年度 15,500千円以上 講座の参加者数 令和5年度 120人以上</p>\t<p>(取組の内容) 広告を募集する。</p>\n";

struct Db {
    store: Store,
    m: MunicipalityId,
    east: UnitId,
    _dir: std::path::PathBuf,
}

async fn db(name: &str) -> Db {
    let dir = std::env::temp_dir().join(format!("kusei-ind-{name}-{}", std::process::id()));
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
    let east = store
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
    Db {
        store,
        m,
        east,
        _dir: dir,
    }
}

fn today() -> Date {
    Date::new(2023, 5, 1).unwrap()
}

fn operator() -> Caller {
    Caller::operator("city")
}

async fn import(d: &Db, text: &str) -> kusei_domain::model::PlanId {
    let doc = kusei_import::parse_text("plan.txt", text);
    let (outcome, _) = store_document(
        &d.store,
        &operator(),
        &doc,
        text.as_bytes(),
        d.m,
        Destination::Unit(d.east),
        Period::year(FiscalYear::new(2023).unwrap()),
        today(),
    )
    .await
    .unwrap();
    match outcome {
        ImportOutcome::Created { plan_id, .. } => plan_id,
        other => panic!("{other:?}"),
    }
}

async fn id_of(d: &Db, name: &str) -> IndicatorId {
    d.store
        .list_indicators(d.m)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no indicator {name}"))
        .id
}

#[tokio::test]
async fn the_city_corrects_and_merges_and_a_ward_cannot() {
    let d = db("merge").await;
    import(&d, PLAN).await;
    let income = id_of(&d, "独自収入").await;
    let edit = IndicatorEdit {
        name: "独自収入".into(),
        unit: "千円".into(),
        direction: Direction::HigherIsBetter,
        definition: Some("広告・協賛などの歳入".into()),
        source: Some("歳入決算".into()),
        is_common: true,
    };
    let ward_editor = Caller::new(
        "east",
        Grants(vec![(Role::WardEditor, Scope::Unit(d.east))]),
    );
    assert!(matches!(
        edit_indicator(&d.store, &ward_editor, income, &edit).await,
        Err(IndicatorError::App(AppError::Refused(_)))
    ));
    edit_indicator(&d.store, &operator(), income, &edit)
        .await
        .unwrap();
    let now = d.store.get_indicator(income).await.unwrap().unwrap();
    assert_eq!(now.source.as_deref(), Some("歳入決算"));
    assert!(now.is_common);
    // A unit of another measure is refused while figures are linked; 円 is the same measure.
    let to_percent = IndicatorEdit {
        unit: "%".into(),
        ..edit.clone()
    };
    match edit_indicator(&d.store, &operator(), income, &to_percent).await {
        Err(IndicatorError::Rule(r @ IndicatorRule::UnitInUse { .. })) => {
            assert_eq!(r.field(), "unit");
            assert!(r.ja().contains("千円") && !r.ja().contains("cannot"));
            assert!(r.en().contains("cannot") && !r.en().contains("単位"));
        }
        other => panic!("{other:?}"),
    }
    // Merging a name typed differently into the city's indicator.
    let typo = d
        .store
        .ensure_indicator(
            "t",
            &NewIndicator {
                municipality_id: d.m,
                name: "独自収入額",
                unit: "円",
                direction: Direction::HigherIsBetter,
                definition: None,
                source: None,
                is_common: false,
            },
        )
        .await
        .unwrap();
    let people = id_of(&d, "講座の参加者数").await;
    assert!(matches!(
        merge_indicators(&d.store, &operator(), people, income).await,
        Err(IndicatorError::Rule(IndicatorRule::DifferentUnits { .. }))
    ));
    assert!(matches!(
        merge_indicators(&d.store, &ward_editor, typo, income).await,
        Err(IndicatorError::App(AppError::Refused(_)))
    ));
    merge_indicators(&d.store, &operator(), typo, income)
        .await
        .unwrap();
    // Next year's document names the merged name: its target joins the city's indicator.
    let next = PLAN
        .replace("令和5年度", "令和6年度")
        .replace("独自収入 令和6年度", "独自収入額 令和6年度");
    let doc = kusei_import::parse_text("next.txt", &next);
    store_document(
        &d.store,
        &operator(),
        &doc,
        next.as_bytes(),
        d.m,
        Destination::Unit(d.east),
        Period::year(FiscalYear::new(2024).unwrap()),
        Date::new(2024, 5, 1).unwrap(),
    )
    .await
    .unwrap();
    let years: Vec<i32> = d
        .store
        .indicator_series(income)
        .await
        .unwrap()
        .iter()
        .map(|p| p.fiscal_year.year())
        .collect();
    assert_eq!(years, [2023, 2024], "one series across the two names");
    assert_eq!(d.store.list_indicators(d.m).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_workbook_carries_its_indicators_into_another_database_by_name() {
    let a = db("wb-a").await;
    let plan = import(&a, PLAN).await;
    let income = id_of(&a, "独自収入").await;
    edit_indicator(
        &a.store,
        &operator(),
        income,
        &IndicatorEdit {
            name: "独自収入".into(),
            unit: "千円".into(),
            direction: Direction::HigherIsBetter,
            definition: Some("広告・協賛などの歳入".into()),
            source: Some("歳入決算".into()),
            is_common: true,
        },
    )
    .await
    .unwrap();
    let record = a
        .store
        .plan_record(plan, Copy::Working)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.indicators.len(), 2, "{:?}", record.indicators);
    let bytes = kusei_xlsx::write_workbook(std::slice::from_ref(&record)).unwrap();
    let read = kusei_xlsx::read_workbook(&bytes).unwrap();

    // Database B already has other indicators under the ids A used.
    let b = db("wb-b").await;
    for name in ["無関係の指標一", "無関係の指標二", "無関係の指標三"] {
        b.store
            .ensure_indicator(
                "t",
                &NewIndicator {
                    municipality_id: b.m,
                    name,
                    unit: "%",
                    direction: Direction::HigherIsBetter,
                    definition: None,
                    source: None,
                    is_common: false,
                },
            )
            .await
            .unwrap();
    }
    store_record(&b.store, &operator(), &read[0], "plan.xlsx", b.m, today())
        .await
        .unwrap();
    let income_b = b
        .store
        .list_indicators(b.m)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.name == "独自収入")
        .expect("created from the 指標 sheet");
    assert_eq!(income_b.definition.as_deref(), Some("広告・協賛などの歳入"));
    assert_eq!(income_b.source.as_deref(), Some("歳入決算"));
    assert!(income_b.is_common);
    let plans = b.store.list_plans(None, None).await.unwrap();
    let sp = b.store.load_plan(plans[0].plan.id).await.unwrap();
    let linked: Vec<(String, Option<IndicatorId>)> = sp.nodes[0]
        .targets
        .iter()
        .map(|t| (t.text.clone(), t.indicator_id))
        .collect();
    let names: std::collections::HashMap<IndicatorId, String> = b
        .store
        .list_indicators(b.m)
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.id, i.name))
        .collect();
    for (text, id) in &linked {
        let name = id.and_then(|i| names.get(&i)).cloned().unwrap_or_default();
        assert!(
            !name.starts_with("無関係"),
            "{text} was linked to {name} by a colliding id"
        );
    }
    assert!(linked
        .iter()
        .any(|(t, id)| t.contains("15,500千円") && *id == Some(income_b.id)));
}
