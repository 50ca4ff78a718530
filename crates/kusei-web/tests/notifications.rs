#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Reminders and notifications without SMTP (issue 18): the jobs record the same
//! reminders the mail would carry, once each, and the inbox shows them in the page's
//! language; a workflow step tells the people concerned; nothing fails.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kusei_app::notify::run_jobs;
use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{LinkContent, NodeContent, PlanContent};
use kusei_domain::model::{Family, LinkKind, Period, Phase, UnitKind};
use kusei_domain::policy::Scope;
use kusei_store::{NewUnit, NewUser, Store};
use kusei_web::auth::token_hash;
use kusei_web::{app, AppState, Clock};
use tower::ServiceExt;

/// 2025-08-24 12:00 JST: the review window closes on 2025-08-31, seven days later.
const SEVEN_DAYS_BEFORE: i64 = 1_756_004_400;
/// 2025-08-30 12:00 JST: one day before.
const ONE_DAY_BEFORE: i64 = 1_756_522_800;

async fn page(state: &AppState, login: &str, uri: &str) -> String {
    let res = app(state.clone())
        .oneshot(
            Request::get(uri)
                .header(header::COOKIE, format!("kusei_session=token{login}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{uri}");
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    String::from_utf8_lossy(&bytes).to_string()
}

#[tokio::test]
async fn without_smtp_the_inbox_shows_the_reminders_once() {
    let dir = std::env::temp_dir().join(format!("kusei-notify-{}", std::process::id()));
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
    let done = store
        .create_unit("t", &unit(Some(kita), UnitKind::Section, "協働課"))
        .await
        .unwrap();
    let fy = FiscalYear::new(2025).unwrap();
    let item = |title: &str, owner: &str, reviewed: bool| NodeContent {
        level: "具体的取組".into(),
        title: title.into(),
        owner: Some(owner.into()),
        reviews: if reviewed {
            vec![kusei_domain::model::Review {
                fiscal_year: fy,
                implementation: Some(kusei_domain::judgment::ImplementationProspect::Expected),
                achievement: None,
                remedy: None,
            }]
        } else {
            Vec::new()
        },
        ..Default::default()
    };
    let plan = store
        .save_plan(
            "t",
            kita,
            &PlanContent {
                family: Family::ManagementSheet,
                title: "北区運営方針".into(),
                period: Period::year(fy),
                level_names: vec!["経営課題".into(), "具体的取組".into()],
                nodes: vec![
                    NodeContent {
                        level: "経営課題".into(),
                        title: "区民参画".into(),
                        ..Default::default()
                    },
                    item("窓口", "総務課", false),
                    item("広報", "総務課", false),
                    item("区政会議", "協働課", true),
                ],
                links: (1..=3)
                    .map(|i| LinkContent {
                        parent: 0,
                        child: i,
                        kind: LinkKind::Primary,
                    })
                    .collect(),
                is_sample: false,
            },
        )
        .await
        .unwrap();
    store
        .set_window(
            "t",
            m,
            &kusei_store::Window {
                fiscal_year: fy,
                phase: Phase::Review,
                opens_on: "2025-08-01".parse().unwrap(),
                closes_on: "2025-08-31".parse().unwrap(),
            },
        )
        .await
        .unwrap();
    for (login, role, scope) in [
        ("desk", "section_editor", Scope::Unit(desk)),
        ("done", "section_editor", Scope::Unit(done)),
        ("editor", "ward_editor", Scope::Unit(kita)),
        ("approver", "approver", Scope::Unit(kita)),
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
        // An address, but no SMTP server configured: the inbox only.
        store
            .set_user_email("t", uid, Some(&format!("{login}@example.jp")))
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

    // Eight days before: nothing. Seven days before: the 担当 with empty items and the
    // ward's editor; the complete 担当 gets nothing.
    let r = run_jobs(
        &store,
        Clock::Fixed(SEVEN_DAYS_BEFORE - 86_400),
        "one",
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.reminders_recorded, 0, "eight days before");
    let r = run_jobs(&store, Clock::Fixed(SEVEN_DAYS_BEFORE), "one", None)
        .await
        .unwrap();
    assert_eq!(r.reminders_recorded, 2, "{r:?}");
    assert_eq!(r.unmailed, 2, "recorded, not mailed: {r:?}");
    assert_eq!(r.mailed + r.failed, 0);
    // Run again, by this instance or another: no second reminder.
    let r = run_jobs(&store, Clock::Fixed(SEVEN_DAYS_BEFORE + 60), "two", None)
        .await
        .unwrap();
    assert_eq!(
        r.reminders_recorded, 0,
        "once per window and reminder day: {r:?}"
    );
    let all = store.notifications_with_prefix("reminder:").await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|n| n.mail_state == "unmailed"));

    let state = AppState::new(store.clone()).with_clock(Clock::Fixed(SEVEN_DAYS_BEFORE));
    let home = page(&state, "desk", "/").await;
    assert!(home.contains("お知らせ"), "the inbox lists notifications");
    assert!(
        home.contains("中間振り返り締切まであと7日：未入力 2件"),
        "{home}"
    );
    assert!(
        !home.contains("【Kusei】"),
        "the mail's subject tag is not shown on the page"
    );
    let english = page(&state, "desk", "/?lang=en").await;
    assert!(english.contains("Mid-year review closes in 7 day(s): 2 item(s) not entered"));
    assert!(!english.contains("締切"), "one language per page");
    let editor = page(&state, "editor", "/").await;
    assert!(
        editor.contains("未入力の担当 1"),
        "the ward's editor: one section open"
    );
    let complete = page(&state, "done", "/").await;
    assert!(
        !complete.contains("締切まで"),
        "the complete 担当 is not reminded"
    );

    // One day before: the last reminder, once.
    let r = run_jobs(&store, Clock::Fixed(ONE_DAY_BEFORE), "one", None)
        .await
        .unwrap();
    assert_eq!(r.reminders_recorded, 2, "{r:?}");
    let r = run_jobs(&store, Clock::Fixed(ONE_DAY_BEFORE + 5), "two", None)
        .await
        .unwrap();
    assert_eq!(r.reminders_recorded, 0);

    // A submission tells the approver, in the inbox.
    let res = app(state.clone())
        .oneshot(
            Request::post(format!("/plans/{}/workflow", plan.0))
                .header(header::COOKIE, "kusei_session=tokeneditor")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("csrf=csrfeditor&step=submit&acknowledge=1"))
                .unwrap(),
        )
        .await
        .unwrap();
    // (Warnings only: the review is not required to submit.)
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "submitted");
    let inbox = page(&state, "approver", "/").await;
    assert!(inbox.contains("承認の依頼"), "the approver is told");
    assert!(
        !page(&state, "desk", "/").await.contains("承認の依頼"),
        "a section editor is not"
    );
    // A published plan is reminded too: its evaluation is entered on its next draft.
    for step in [
        kusei_store::Transition::Approve,
        kusei_store::Transition::Publish,
    ] {
        store.transition("t", plan, step, None).await.unwrap();
    }
    store
        .set_window(
            "t",
            m,
            &kusei_store::Window {
                fiscal_year: fy,
                phase: Phase::Evaluation,
                opens_on: "2025-08-01".parse().unwrap(),
                closes_on: "2025-09-05".parse().unwrap(),
            },
        )
        .await
        .unwrap();
    let r = run_jobs(&store, Clock::Fixed(ONE_DAY_BEFORE), "one", None)
        .await
        .unwrap();
    assert_eq!(
        r.reminders_recorded, 3,
        "the published plan's empty evaluations: {r:?}"
    );
    let evaluation: Vec<_> = store
        .notifications_with_prefix("reminder:")
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.subject.contains("自己評価締切まであと6日"))
        .collect();
    assert_eq!(
        evaluation.len(),
        3,
        "desk, done and the editor: the days left as they are"
    );
    let _ = std::fs::remove_dir_all(dir);
}
