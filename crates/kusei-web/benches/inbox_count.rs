#![allow(clippy::expect_used)]
//! What the count in the navigation ("あなたの作業 N") costs a staff page, and whether it
//! stays flat as the archive of published plans grows. The same light page
//! (`/account/password`) is asked for by the public (no count: the baseline) and by
//! staff of one ward — an approver, a ward editor and a section editor — on a sample
//! city of 24 wards with 1 and then 4 fiscal years of published plans, each city with one
//! plan in the workflow and one council opinion waiting. Figures are medians; the
//! ratios are against the public request of the same city in the same run.
//! Run: `cargo bench -p kusei-web --bench inbox_count` (release).

use axum::body::Body;
use axum::http::{header, Request};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::policy::Scope;
use kusei_store::{NewUser, Store, Transition};
use kusei_web::auth::token_hash;
use kusei_web::{app, AppState};
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn city(years: &[i32], dir: &std::path::Path) -> (AppState, usize) {
    let store = Store::connect(&format!("sqlite://{}", dir.join("k.db").display()))
        .await
        .expect("store");
    store.migrate().await.expect("migrate");
    let fys: Vec<FiscalYear> = years
        .iter()
        .filter_map(|y| FiscalYear::new(*y).ok())
        .collect();
    let m = kusei_app::sample_city::load(&store, "c", "見本市", 24, &fys, 40)
        .await
        .expect("sample city");
    let units = store.list_units(m).await.expect("units");
    let ward = units
        .iter()
        .find(|u| u.kind == kusei_domain::model::UnitKind::Ward)
        .expect("a ward")
        .id;
    let section = units
        .iter()
        .find(|u| u.parent_id.is_some() && u.kind == kusei_domain::model::UnitKind::Section)
        .map(|u| u.id)
        .unwrap_or(ward);
    // Next year's plan of the ward in the workflow (submitted), and an opinion waiting.
    let plans = store.list_plans(Some(ward), None).await.expect("plans");
    let newest = plans[0].plan.id;
    let node = store.load_plan(newest).await.expect("plan").nodes[0]
        .node
        .id;
    let next = kusei_domain::content::PlanContent {
        family: kusei_domain::model::Family::ManagementSheet,
        title: "次年度".into(),
        period: kusei_domain::model::Period::year(fys[fys.len() - 1].next()),
        level_names: vec!["経営課題".into()],
        nodes: vec![kusei_domain::content::NodeContent {
            level: "経営課題".into(),
            title: "課題".into(),
            ..Default::default()
        }],
        links: vec![],
        is_sample: false,
    };
    let draft = store.save_plan("bench", ward, &next).await.expect("draft");
    store
        .transition("bench", draft, Transition::Submit, None)
        .await
        .expect("submit");
    store
        .add_opinion(
            "bench",
            &kusei_store::NewOpinion {
                plan: newest,
                node: Some(node),
                fiscal_year: fys[fys.len() - 1],
                category: kusei_domain::council::Category::Opinion,
                rating: None,
                body: "意見",
                meeting: None,
                member_name: None,
                name_public: false,
            },
        )
        .await
        .expect("opinion");
    for (login, role, unit) in [
        ("approver", "approver", ward),
        ("editor", "ward_editor", ward),
        ("section", "section_editor", section),
    ] {
        let uid = store
            .create_user(
                "bench",
                &NewUser {
                    login,
                    display_name: login,
                    password_hash: "$argon2id$unused",
                    must_change_password: false,
                    roles: vec![(role, Scope::Unit(unit))],
                },
            )
            .await
            .expect("user");
        store
            .create_session(
                &token_hash(&format!("token{login}")),
                uid,
                "csrf",
                "2099-01-01T00:00:00Z",
            )
            .await
            .expect("session");
    }
    let count = store.list_plans(None, None).await.expect("plans").len();
    (AppState::new(store), count)
}

async fn time(state: &AppState, login: Option<&str>, runs: usize) -> Duration {
    let mut times = Vec::new();
    for _ in 0..runs {
        let mut req = Request::get("/account/password");
        if let Some(l) = login {
            req = req.header(header::COOKIE, format!("kusei_session=token{l}"));
        }
        let t = Instant::now();
        let res = app(state.clone())
            .oneshot(req.body(Body::empty()).expect("request"))
            .await
            .expect("response");
        let _ = axum::body::to_bytes(res.into_body(), 1 << 24).await;
        times.push(t.elapsed());
    }
    median(times)
}

fn main() {
    let runs = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(40usize);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        for years in [vec![2025], vec![2022, 2023, 2024, 2025]] {
            let dir = std::env::temp_dir().join(format!(
                "kusei-bench-inbox-{}-{}",
                years.len(),
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("dir");
            let (state, plans) = city(&years, &dir).await;
            // Warm the caches of the database and the process.
            time(&state, Some("approver"), 3).await;
            let public = time(&state, None, runs).await;
            println!(
                "{} year(s), {plans} plans: public {:>7.2} ms (baseline)",
                years.len(),
                public.as_secs_f64() * 1e3
            );
            for login in ["approver", "editor", "section"] {
                let t = time(&state, Some(login), runs).await;
                println!(
                    "  {login:<9} {:>7.2} ms  ×{:.2} of the public page",
                    t.as_secs_f64() * 1e3,
                    t.as_secs_f64() / public.as_secs_f64()
                );
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    });
}
