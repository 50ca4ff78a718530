#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Router tests without a network: `app(state).oneshot(request)` on a temp SQLite store.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{LinkContent, NodeContent, PlanContent};
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{Evaluation, Family, LinkKind, Period, Phase, Section, UnitKind};
use kusei_store::{NewUnit, Store, Transition};
use kusei_web::{app, AppState};
use tower::ServiceExt;

struct Fixture {
    store: Store,
    plan_id: i64,
    dir: std::path::PathBuf,
}

async fn fixture(name: &str) -> Fixture {
    let dir = std::env::temp_dir().join(format!("kusei-web-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}/k.db", dir.display()))
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
                name: "北区",
                phone: None,
                fax: None,
                duties: None,
            },
        )
        .await
        .unwrap();
    let fy = FiscalYear::new(2025).unwrap();
    let node = |level: &str, number: &str, title: &str| NodeContent {
        level: level.into(),
        number: Some(number.into()),
        title: title.into(),
        ..Default::default()
    };
    let mut item = node("取組項目", "1", "<script>alert('x')</script>窓口の改善");
    item.sections = vec![Section {
        phase: Phase::Plan,
        heading: "趣旨・目的".into(),
        body: "<p>待ち時間 &lt;30分</p> を<b>めざす</b>".into(),
    }];
    item.evaluations = vec![Evaluation {
        fiscal_year: fy,
        results: "平成30年2月末現在の収納率 97.19%".into(),
        stated: Judgment::Undetermined,
        remedy: None,
        explanation: None,
    }];
    let content = PlanContent {
        family: Family::ReformItems,
        period: Period::year(fy),
        title: "北区 市政改革プランに基づく取組".into(),
        level_names: vec!["取組項目".into()],
        nodes: vec![
            node("取組項目", "0", "全体"),
            item,
            node("取組項目", "2", "広報の充実"),
        ],
        links: vec![
            LinkContent {
                parent: 0,
                child: 1,
                kind: LinkKind::Primary,
            },
            LinkContent {
                parent: 2,
                child: 1,
                kind: LinkKind::Repeat,
            },
        ],
        is_sample: false,
    };
    let plan_id = store.save_plan("t", ward, &content).await.unwrap();
    // The public pages show published versions only.
    for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
        store.transition("t", plan_id, step, None).await.unwrap();
    }
    let plan_id = plan_id.0;
    Fixture {
        store,
        plan_id,
        dir,
    }
}

async fn get(f: &Fixture, uri: &str) -> (StatusCode, String, String) {
    let res = app(AppState::new(f.store.clone()))
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let ctype = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(res.into_body(), 10 << 20)
        .await
        .unwrap();
    (status, ctype, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn home_lists_units_and_plans() {
    let f = fixture("home").await;
    let (status, ctype, body) = get(&f, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(body.contains("<html lang=\"ja\">"));
    assert!(body.contains("テスト市") && body.contains("北区"));
    assert!(body.contains("北区 市政改革プランに基づく取組"));
    assert!(
        body.contains("令和7年度 (2025年度)"),
        "fiscal year as users write it"
    );
    assert!(body.contains(&format!("/plans/{}?lang=ja", f.plan_id)));
    let (_, _, en) = get(&f, "/?lang=en").await;
    assert!(en.contains("<html lang=\"en\">"));
    // English pages speak English only: the fiscal year as FY2025.
    assert!(en.contains("FY2025") && !en.contains("令和7年度"));
    let _ = std::fs::remove_dir_all(&f.dir);
}

#[tokio::test]
async fn plan_page_shows_the_tree_and_escapes_imported_text() {
    let f = fixture("plan").await;
    let (status, _, body) = get(&f, &format!("/plans/{}", f.plan_id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !body.contains("<script>alert"),
        "imported markup must not be live"
    );
    assert!(body.contains("&lt;script&gt;alert('x')&lt;/script&gt;窓口の改善"));
    assert!(body.contains("&lt;p&gt;待ち時間 &amp;lt;30分&lt;/p&gt;"));
    assert!(!body.contains("<b>めざす</b>"));
    // The repeated item is listed again as a link, not copied.
    assert_eq!(body.matches("趣旨・目的").count(), 1);
    assert!(body.contains("（再掲）"));
    assert!(body.contains("未確定"), "evaluation judgment shown");
    assert!(body.contains("平成30年2月末現在の収納率 97.19%"));
    let _ = std::fs::remove_dir_all(&f.dir);
}

#[tokio::test]
async fn missing_pages_are_404_and_health_reports_the_database() {
    let f = fixture("errors").await;
    for uri in ["/plans/99999", "/plans/abc", "/nowhere"] {
        let (status, ctype, body) = get(&f, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(ctype.starts_with("text/html"));
        assert!(body.contains("ページが見つかりません"));
    }
    let (status, ctype, body) = get(&f, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("application/json"));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "ok");
    f.store.close().await;
    let (status, _, body) = get(&f, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("unreachable"));
    let _ = std::fs::remove_dir_all(&f.dir);
}

#[tokio::test]
async fn every_asset_is_served_locally() {
    let f = fixture("assets").await;
    let (status, ctype, css) = get(&f, "/static/kusei.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("text/css"));
    assert!(css.contains("font-family"));
    let (_, _, home) = get(&f, "/").await;
    let (_, _, plan) = get(&f, &format!("/plans/{}", f.plan_id)).await;
    for page in [&css, &home, &plan] {
        assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("//cdn"));
        assert!(!page.contains("@import") && !page.contains("url("));
    }
    let _ = std::fs::remove_dir_all(&f.dir);
}

/// A removed sample municipality leaves the public: its plan page, the home page's list,
/// the plans API and the open data no longer show it.
#[tokio::test]
async fn a_removed_sample_is_no_longer_public() {
    let f = fixture("removed-sample").await;
    let sample = f
        .store
        .create_municipality("t", "272001", "見本市", true)
        .await
        .unwrap();
    let ward = f
        .store
        .create_unit(
            "t",
            &NewUnit {
                municipality_id: sample,
                parent_id: None,
                kind: UnitKind::Ward,
                name: "見本区",
                phone: None,
                fax: None,
                duties: None,
            },
        )
        .await
        .unwrap();
    let content = PlanContent {
        family: Family::ReformItems,
        period: Period::year(FiscalYear::new(2025).unwrap()),
        title: "見本区の計画".into(),
        level_names: vec!["取組項目".into()],
        nodes: vec![],
        links: vec![],
        is_sample: true,
    };
    let plan = f.store.save_plan("t", ward, &content).await.unwrap();
    for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
        f.store.transition("t", plan, step, None).await.unwrap();
    }
    let page = format!("/plans/{}", plan.0);
    let (status, _, body) = get(&f, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("見本区の計画"));
    let (_, _, home) = get(&f, "/").await;
    assert!(home.contains("見本市"));
    f.store
        .remove_sample_municipality("admin", sample)
        .await
        .unwrap();
    let (status, _, body) = get(&f, &page).await;
    assert!(
        !body.contains("見本区の計画"),
        "{status}: the withdrawn plan is still shown"
    );
    assert_ne!(status, StatusCode::OK);
    let (_, _, home) = get(&f, "/").await;
    assert!(!home.contains("見本市") && home.contains("テスト市"));
    let (_, _, api) = get(&f, "/api/v1/plans").await;
    assert!(!api.contains("見本区の計画"), "{api}");
    let (status, _, _) = get(&f, &format!("/plans/{}/versions/1", plan.0)).await;
    assert_ne!(status, StatusCode::OK);
    let _ = std::fs::remove_dir_all(&f.dir);
}
