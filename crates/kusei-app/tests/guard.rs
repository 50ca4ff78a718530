//! The one write guard on every import: a revised document (text or workbook) is refused
//! while its plan is submitted or approved, outside the schedule window of each phase it
//! changes, and for another ward's editor — each with its reason, nothing changed. A
//! revision of a published plan opens the next draft; the published version stays.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kusei_app::import::{store_document, store_record, Destination};
use kusei_app::{AppError, Caller};
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::model::{MunicipalityId, Period, Phase, PlanId, PlanStatus, UnitId, UnitKind};
use kusei_domain::policy::{Grants, Role, Scope};
use kusei_domain::workflow::{Refusal, Transition, Window};
use kusei_store::{Copy, ImportOutcome, NewUnit, Store};

const V1: &str = "## 令和5年度 「区政改革」に基づく取組\n\n取組項目1\n\n【独自収入の確保】\n\n計画\t取組の方針・目標内容\t当年度の取組内容\n\t<p>(趣旨・目的) 財源を確保する。</p> <p>(目標) 独自収入 令和5年度 15,500千円以上</p>\t<p>(取組の内容) 広告を募集する。</p>\n\n取組項目2\n\n【窓口】\n\n計画\t取組の方針・目標内容\t当年度の取組内容\n\t<p>(趣旨・目的) 改善する。</p> <p>(目標) 窓口の雰囲気をよくする</p>\t<p>(取組の内容) 掃除する。</p>\n";

fn v2() -> String {
    V1.replace("広告を募集する。", "広告を募集し、協賛を募る。")
}

fn day(y: i32, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

struct World {
    store: Store,
    m: MunicipalityId,
    east: UnitId,
    west: UnitId,
    _dir: std::path::PathBuf,
}

async fn world(name: &str) -> World {
    let dir = std::env::temp_dir().join(format!("kusei-app-{name}-{}", std::process::id()));
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
    let ward = |name: &'static str| NewUnit {
        municipality_id: m,
        parent_id: None,
        kind: UnitKind::Ward,
        name,
        phone: None,
        fax: None,
        duties: None,
    };
    let east = store.create_unit("t", &ward("東区")).await.unwrap();
    let west = store.create_unit("t", &ward("西区")).await.unwrap();
    // The plan window of 令和5年度 is open in May; no evaluation window is set.
    store
        .set_window(
            "t",
            m,
            &Window {
                fiscal_year: FiscalYear::new(2023).unwrap(),
                phase: Phase::Plan,
                opens_on: day(2023, 4, 1),
                closes_on: day(2023, 5, 31),
            },
        )
        .await
        .unwrap();
    World {
        store,
        m,
        east,
        west,
        _dir: dir,
    }
}

fn editor(unit: UnitId) -> Caller {
    Caller::new(
        "editor",
        Grants(vec![(Role::WardEditor, Scope::Unit(unit))]),
    )
}

impl World {
    async fn import_text(
        &self,
        who: &Caller,
        text: &str,
        today: Date,
    ) -> Result<ImportOutcome, AppError> {
        let doc = kusei_import::parse_text("plan.txt", text);
        store_document(
            &self.store,
            who,
            &doc,
            text.as_bytes(),
            self.m,
            Destination::Unit(self.east),
            Period::year(FiscalYear::new(2023).unwrap()),
            today,
        )
        .await
        .map(|(o, _)| o)
    }

    /// Everything a refused import must leave as it was.
    async fn state(&self, plan: PlanId) -> (String, i64, usize) {
        let sp = self.store.load_plan(plan).await.unwrap();
        let history = self.store.history("plan", plan.0).await.unwrap().len()
            + self
                .store
                .history("node", sp.nodes[0].node.id.0)
                .await
                .unwrap()
                .len();
        (
            serde_json::to_string(&sp).unwrap(),
            sp.plan.version,
            history,
        )
    }
}

fn refused(r: Result<ImportOutcome, AppError>) -> Refusal {
    match r {
        Err(AppError::Refused(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_revised_text_document_is_refused_while_submitted_approved_or_outside_the_window() {
    let w = world("text").await;
    let may = day(2023, 5, 1);
    let who = editor(w.east);
    let ImportOutcome::Created { plan_id, .. } = w.import_text(&who, V1, may).await.unwrap() else {
        panic!("not created")
    };
    // Another ward's editor may not touch it.
    let why = refused(w.import_text(&editor(w.west), &v2(), may).await);
    assert!(matches!(why, Refusal::Role(_)), "{why:?}");

    for (step, status) in [
        (Transition::Submit, PlanStatus::Submitted),
        (Transition::Approve, PlanStatus::Approved),
    ] {
        w.store.transition("t", plan_id, step, None).await.unwrap();
        let before = w.state(plan_id).await;
        let why = refused(w.import_text(&who, &v2(), may).await);
        assert_eq!(why, Refusal::Locked(status));
        assert!(why.ja().contains(status.label_ja()), "{}", why.ja());
        assert_eq!(w.state(plan_id).await, before, "nothing changed");
        // The same document again changes nothing, so it is not refused.
        assert!(matches!(
            w.import_text(&who, V1, may).await,
            Ok(ImportOutcome::Unchanged { .. })
        ));
    }
    // Published: the revision opens the next draft; the published version stays.
    w.store
        .transition("t", plan_id, Transition::Publish, None)
        .await
        .unwrap();
    let published = w
        .store
        .published_plan(plan_id, None)
        .await
        .unwrap()
        .unwrap();
    // Outside the plan window (July) the revision is refused, nothing changes.
    let before = w.state(plan_id).await;
    let why = refused(w.import_text(&who, &v2(), day(2023, 7, 1)).await);
    assert!(
        matches!(
            why,
            Refusal::Closed {
                phase: Phase::Plan,
                ..
            }
        ),
        "{why:?}"
    );
    assert!(why.en().contains("2023-05-31"), "{}", why.en());
    assert_eq!(w.state(plan_id).await, before);
    // Inside it, the revision is stored as the next draft.
    let updated = w.import_text(&who, &v2(), may).await.unwrap();
    assert!(
        matches!(updated, ImportOutcome::Updated { changed: 1, .. }),
        "{updated:?}"
    );
    let sp = w.store.load_plan(plan_id).await.unwrap();
    assert_eq!(sp.plan.status, PlanStatus::Draft);
    assert!(sp.plan.version > published.plan.version);
    let still = w
        .store
        .published_plan(plan_id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        serde_json::to_string(&still).unwrap(),
        serde_json::to_string(&published).unwrap(),
        "the published version never changes"
    );
    // A revision of the year-end evaluation needs the evaluation window, which is not set.
    let mut record = w
        .store
        .plan_record(plan_id, Copy::Working)
        .await
        .unwrap()
        .unwrap();
    record.content.nodes[0]
        .evaluations
        .push(kusei_domain::model::Evaluation {
            fiscal_year: FiscalYear::new(2023).unwrap(),
            results: "独自収入 16,000千円".into(),
            stated: kusei_domain::judgment::Judgment::Achieved,
            remedy: None,
            explanation: None,
        });
    let why = refused(store_record(&w.store, &who, &record, "x.xlsx", w.m, may).await);
    assert!(
        matches!(
            why,
            Refusal::NoWindow {
                phase: Phase::Evaluation,
                ..
            }
        ),
        "{why:?}"
    );
}

#[tokio::test]
async fn a_workbook_edited_in_excel_is_refused_the_same_way() {
    let w = world("xlsx").await;
    let may = day(2023, 5, 1);
    let who = editor(w.east);
    let ImportOutcome::Created { plan_id, .. } = w.import_text(&who, V1, may).await.unwrap() else {
        panic!("not created")
    };
    let record = w
        .store
        .plan_record(plan_id, Copy::Working)
        .await
        .unwrap()
        .unwrap();
    let mut edited = record.clone();
    edited.content.nodes[1].title = "窓口の改善".into();
    let bytes = kusei_xlsx::write_workbook(&[edited]).unwrap();
    let read = kusei_xlsx::read_workbook(&bytes).unwrap();
    let import = |today| store_record(&w.store, &who, &read[0], "plan.xlsx", w.m, today);
    for (step, status) in [
        (Transition::Submit, PlanStatus::Submitted),
        (Transition::Approve, PlanStatus::Approved),
    ] {
        w.store.transition("t", plan_id, step, None).await.unwrap();
        let before = w.state(plan_id).await;
        assert_eq!(refused(import(may).await), Refusal::Locked(status));
        assert_eq!(w.state(plan_id).await, before);
    }
    w.store
        .transition("t", plan_id, Transition::Publish, None)
        .await
        .unwrap();
    let before = w.state(plan_id).await;
    assert!(matches!(
        refused(import(day(2023, 6, 1)).await),
        Refusal::Closed { .. }
    ));
    assert_eq!(w.state(plan_id).await, before);
    // Another ward's editor cannot import it either.
    let other = store_record(&w.store, &editor(w.west), &read[0], "plan.xlsx", w.m, may).await;
    assert!(matches!(refused(other), Refusal::Role(_)));
    // In the window the edit lands as the next draft.
    let ok = import(may).await.unwrap();
    assert!(
        matches!(ok, ImportOutcome::Updated { changed: 1, .. }),
        "{ok:?}"
    );
    let sp = w.store.load_plan(plan_id).await.unwrap();
    assert_eq!(sp.plan.status, PlanStatus::Draft);
    assert_eq!(sp.nodes[1].node.title, "窓口の改善");
}
