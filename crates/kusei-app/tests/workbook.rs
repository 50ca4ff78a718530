#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A workbook edited in Excel, for a city set up in the browser with its wards under the
//! city's own unit: the import finds the ward where the tree has it (no second ward, no
//! second section), updates its plan behind the ward editor's rights, and restates the
//! sentence of the figure that changed.

use kusei_app::guard::Caller;
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::content::{NodeContent, PlanContent};
use kusei_domain::model::{Comparator, Family, Period, Target, UnitKind};
use kusei_domain::policy::{Grants, Role, Scope};
use kusei_store::{ImportOutcome, NewUnit, Store};

#[tokio::test]
async fn a_ward_under_the_city_unit_is_found_and_its_plan_updated() {
    let dir = std::env::temp_dir().join(format!("kusei-app-workbook-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.join("k.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let m = store
        .create_municipality("t", "271004", "浪花市", false)
        .await
        .unwrap();
    let unit = |parent, kind, name| NewUnit {
        municipality_id: m,
        parent_id: parent,
        kind,
        name,
        phone: None,
        fax: None,
        duties: None,
    };
    let city = store
        .create_unit("t", &unit(None, UnitKind::City, "浪花市"))
        .await
        .unwrap();
    let ward = store
        .create_unit("t", &unit(Some(city), UnitKind::Ward, "北区"))
        .await
        .unwrap();
    let fy = FiscalYear::new(2026).unwrap();
    let content = PlanContent {
        family: Family::ManagementSheet,
        title: "北区運営方針".into(),
        period: Period::year(fy),
        level_names: vec!["経営課題".into()],
        nodes: vec![NodeContent {
            level: "経営課題".into(),
            title: "防災".into(),
            targets: vec![Target {
                indicator_id: None,
                period: Some(Period::year(fy)),
                value: Some(3000.0),
                measure_unit: Some("件".into()),
                comparator: Some(Comparator::AtLeast),
                text: "防災メール登録者数 令和8年度 3000件以上".into(),
                indicator_name: None,
                this_year: false,
            }],
            ..Default::default()
        }],
        links: vec![],
        is_sample: false,
    };
    let plan = store.save_plan("t", ward, &content).await.unwrap();
    store
        .set_window(
            "t",
            m,
            &kusei_store::Window {
                fiscal_year: fy,
                phase: kusei_domain::model::Phase::Plan,
                opens_on: "2026-04-01".parse().unwrap(),
                closes_on: "2027-03-31".parse().unwrap(),
            },
        )
        .await
        .unwrap();
    let units_before = store.list_units(m).await.unwrap().len();
    let mut record = store
        .plan_record(plan, kusei_store::Copy::Working)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.unit, "北区");
    record.content.nodes[0].targets[0].value = Some(3500.0);
    let editor = Caller::new(
        "editor",
        Grants(vec![(Role::WardEditor, Scope::Unit(ward))]),
    );
    let outcome = kusei_app::import::store_record(
        &store,
        &editor,
        &record,
        "北区.xlsx",
        m,
        Date::new(2026, 12, 3).unwrap(),
    )
    .await
    .unwrap();
    assert!(
        matches!(outcome, ImportOutcome::Updated { plan_id, .. } if plan_id == plan),
        "{outcome:?}"
    );
    assert_eq!(
        store.list_units(m).await.unwrap().len(),
        units_before,
        "no unit made twice"
    );
    let stored = store.load_plan(plan).await.unwrap();
    let t = &stored.nodes[0].targets[0];
    assert_eq!(t.value, Some(3500.0));
    assert_eq!(
        t.text, "防災メール登録者数 令和8年度 3500件以上",
        "the sentence says the figure"
    );
}
