#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The city's form settings in the browser (issue 18): a family without the mid-year
//! review, the city's judgment labels, no 未確定 — validated at the field, versioned, an
//! unchanged save changes nothing, and the forms, the saves and the reminders follow them.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{LinkContent, NodeContent, PlanContent};
use kusei_domain::model::{Family, Period, Phase, UnitKind};
use kusei_domain::policy::Scope;
use kusei_store::{NewUnit, NewUser, Store};
use kusei_web::auth::token_hash;
use kusei_web::{app, AppState, Clock};
use tower::ServiceExt;

/// 2025-08-24 12:00 JST: seven days before the windows close.
const NOW: i64 = 1_756_004_400;

async fn send(state: &AppState, login: &str, req: Request<Body>) -> (StatusCode, String) {
    let (parts, body) = req.into_parts();
    let mut req = Request::from_parts(parts, body);
    req.headers_mut().insert(
        header::COOKIE,
        format!("kusei_session=token{login}").parse().unwrap(),
    );
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).to_string())
}

async fn get(state: &AppState, login: &str, uri: &str) -> (StatusCode, String) {
    send(state, login, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn post(
    state: &AppState,
    login: &str,
    uri: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut all = vec![("csrf".to_string(), format!("csrf{login}"))];
    all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let body = serde_urlencoded::to_string(&all).unwrap();
    send(
        state,
        login,
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_citys_form_settings_shape_the_forms() {
    let dir = std::env::temp_dir().join(format!("kusei-forms-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.join("k.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let m = store
        .create_municipality("t", "271004", "Testcity", false)
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
    let kita = store
        .create_unit("t", &unit(None, UnitKind::Ward, "北区"))
        .await
        .unwrap();
    let desk = store
        .create_unit("t", &unit(Some(kita), UnitKind::Section, "総務課"))
        .await
        .unwrap();
    let fy = FiscalYear::new(2025).unwrap();
    let plan = store
        .save_plan(
            "t",
            kita,
            &PlanContent {
                family: Family::ReformItems,
                title: "北区 改革の取組".into(),
                period: Period::year(fy),
                level_names: vec!["取組項目".into()],
                nodes: vec![NodeContent {
                    level: "取組項目".into(),
                    title: "窓口の待ち時間".into(),
                    owner: Some("総務課".into()),
                    ..Default::default()
                }],
                links: Vec::<LinkContent>::new(),
                is_sample: false,
            },
        )
        .await
        .unwrap();
    let item = store.load_plan(plan).await.unwrap().nodes[0].node.id.0;
    for phase in [Phase::Review, Phase::Evaluation] {
        store
            .set_window(
                "t",
                m,
                &kusei_store::Window {
                    fiscal_year: fy,
                    phase,
                    opens_on: "2025-08-01".parse().unwrap(),
                    closes_on: "2025-08-31".parse().unwrap(),
                },
            )
            .await
            .unwrap();
    }
    for (login, role, scope) in [
        ("admin", "city_admin", Scope::Municipality(m)),
        ("desk", "section_editor", Scope::Unit(desk)),
    ] {
        let uid = store
            .create_user(
                "t",
                &NewUser {
                    login,
                    display_name: login,
                    password_hash: "$argon2id$unused",
                    must_change_password: false,
                    roles: vec![(role, scope)],
                },
            )
            .await
            .unwrap();
        store
            .create_session(
                &token_hash(&format!("token{login}")),
                uid,
                &format!("csrf{login}"),
                "2099-01-01T00:00:00Z",
            )
            .await
            .unwrap();
    }
    let state = AppState::new(store.clone()).with_clock(Clock::Fixed(NOW));
    let mid = m.0.to_string();
    // Before: every phase, 未確定 offered.
    let (s, form) = get(&state, "desk", &format!("/nodes/{item}/evaluation")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("value=\"undetermined\""), "未確定 by default");
    assert_eq!(
        get(&state, "desk", &format!("/nodes/{item}/review"))
            .await
            .0,
        StatusCode::OK
    );

    // A refused form says where, keeps what was typed and stores nothing.
    let (s, page) = get(&state, "admin", &format!("/admin/forms?municipality={mid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("様式の設定"));
    let (s, page) = post(
        &state,
        "admin",
        "/admin/forms",
        &[
            ("municipality", &mid),
            ("phase_reform_items", "plan"),
            ("phase_reform_items", "evaluation"),
            ("achieved", "達成"),
            ("not_achieved", "達成"),
            ("undetermined", "保留"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("判定の名前が重なっています") && page.contains("value=\"保留\""),
        "{page}"
    );
    assert!(
        store
            .municipality_settings(m)
            .await
            .unwrap()
            .get("forms")
            .is_none(),
        "nothing stored"
    );

    let settings: &[(&str, &str)] = &[
        ("municipality", &mid),
        ("phase_reform_items", "plan"),
        ("phase_reform_items", "evaluation"),
        ("phase_management_sheet", "plan"),
        ("phase_management_sheet", "review"),
        ("phase_management_sheet", "evaluation"),
        ("phase_results_table", "plan"),
        ("phase_results_table", "review"),
        ("phase_results_table", "evaluation"),
        ("phase_plan_tree", "plan"),
        ("phase_plan_tree", "review"),
        ("phase_plan_tree", "evaluation"),
        ("achieved", "達成"),
        ("not_achieved", "未達成"),
        ("undetermined", "保留"),
    ];
    let (s, _) = post(&state, "admin", "/admin/forms", settings).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let versions = |h: &[kusei_store::Change]| {
        h.iter()
            .filter(|c| c.after.as_ref().and_then(|a| a.get("forms")).is_some())
            .count()
    };
    let history = store.history("municipality_settings", m.0).await.unwrap();
    assert_eq!(versions(&history), 1, "versioned in the history");
    // Saving the unchanged form changes nothing.
    let (s, _) = post(&state, "admin", "/admin/forms", settings).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        versions(&store.history("municipality_settings", m.0).await.unwrap()),
        1,
        "an unchanged save"
    );
    let (_, page) = get(&state, "admin", &format!("/admin/forms?municipality={mid}")).await;
    assert!(!page.contains("id=\"f-reform_items-review\" type=\"checkbox\" name=\"phase_reform_items\" value=\"review\" checked"));

    // The evaluation form: the city's labels, no 未確定; a save of 未確定 refused.
    let (_, form) = get(&state, "desk", &format!("/nodes/{item}/evaluation")).await;
    assert!(
        form.contains("① 達成") && form.contains("② 未達成"),
        "the city's labels"
    );
    assert!(!form.contains("value=\"undetermined\""), "no 未確定");
    let node = store.load_plan(plan).await.unwrap().nodes[0]
        .node
        .version
        .to_string();
    let (s, page) = post(
        &state,
        "desk",
        &format!("/nodes/{item}/evaluation"),
        &[
            ("version", &node),
            ("results", "待ち時間は20分になった。"),
            ("stated", "undetermined"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("「未確定」は選べません") && page.contains("待ち時間は20分になった。"),
        "{page}"
    );
    // The review is not a phase of this form: not offered, refused.
    let (_, item_page) = get(&state, "desk", &format!("/nodes/{item}")).await;
    assert!(
        !item_page.contains(&format!("/nodes/{item}/review")),
        "no review link"
    );
    let (s, page) = get(&state, "desk", &format!("/nodes/{item}/review")).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "no such form, not a matter of permission"
    );
    assert!(!page.contains("権限"), "{page}");
    assert!(page.contains("中間振り返りの段階がありません"), "{page}");
    // The reminders follow: the empty evaluation is reminded, the review is not.
    kusei_app::notify::run_jobs(&store, Clock::Fixed(NOW), "one", None)
        .await
        .unwrap();
    let sent = store.notifications_with_prefix("reminder:").await.unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].subject.contains("自己評価"), "{}", sent[0].subject);
    let (_, progress) = get(&state, "desk", &format!("/plans/{}/progress", plan.0)).await;
    assert!(
        !progress.contains("中間振り返り</th>") && progress.contains("自己評価</th>"),
        "the progress table has the form's phases only"
    );
    let _ = std::fs::remove_dir_all(dir);
}
