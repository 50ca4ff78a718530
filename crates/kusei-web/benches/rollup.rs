#![allow(clippy::expect_used)]
//! What the city's roll-up costs, and whether it stays flat as the archive of earlier
//! years grows: `/rollup/{m}?year=2025` for the reform office (plans as they stand) and
//! for the public (published versions), and `/api/v1/rollup/{m}`, on a sample city of
//! 24 wards × 40 items with 1 and then 4 fiscal years of plans. Figures are medians; the
//! ratios are against the light `/login` page of the same city in the same run, and the
//! growth column is the 4-year figure over the 1-year one.
//! Run: `cargo bench -p kusei-web --bench rollup` (RUNS=… to change the sample).

use axum::body::Body;
use axum::http::{header, Request};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::policy::Scope;
use kusei_store::{NewUser, Store};
use kusei_web::auth::token_hash;
use kusei_web::{app, AppState};
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn city(years: &[i32], dir: &std::path::Path) -> (AppState, i64) {
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
    let uid = store
        .create_user(
            "bench",
            &NewUser {
                login: "reform",
                display_name: "市政改革室",
                password_hash: "$argon2id$unused",
                must_change_password: false,
                roles: vec![("city_admin", Scope::Municipality(m))],
            },
        )
        .await
        .expect("user");
    store
        .create_session(
            &token_hash("tokenreform"),
            uid,
            "csrf",
            "2099-01-01T00:00:00Z",
        )
        .await
        .expect("session");
    (AppState::new(store), m.0)
}

async fn time(state: &AppState, path: &str, staff: bool, runs: usize) -> Duration {
    let mut times = Vec::new();
    for _ in 0..runs {
        let mut req = Request::get(path);
        if staff {
            req = req.header(header::COOKIE, "kusei_session=tokenreform");
        }
        let t = Instant::now();
        let res = app(state.clone())
            .oneshot(req.body(Body::empty()).expect("request"))
            .await
            .expect("response");
        assert!(res.status().is_success(), "{path}: {}", res.status());
        let _ = axum::body::to_bytes(res.into_body(), 1 << 26).await;
        times.push(t.elapsed());
    }
    median(times)
}

fn main() {
    let runs = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20usize);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut first: Vec<Duration> = Vec::new();
        for years in [vec![2025], vec![2022, 2023, 2024, 2025]] {
            let dir = std::env::temp_dir().join(format!(
                "kusei-bench-rollup-{}-{}",
                years.len(),
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("dir");
            let (state, m) = city(&years, &dir).await;
            let pages = [
                (
                    "reform office, page",
                    format!("/rollup/{m}?year=2025"),
                    true,
                ),
                (
                    "reform office, mid-year",
                    format!("/rollup/{m}?year=2025&phase=review"),
                    true,
                ),
                ("public, page", format!("/rollup/{m}?year=2025"), false),
                ("API", format!("/api/v1/rollup/{m}?year=2025"), true),
            ];
            time(&state, &pages[0].1, true, 2).await;
            let base = time(&state, "/login", false, runs).await;
            println!(
                "{} year(s) of 24 wards × 40 items: /login {:>7.2} ms (baseline)",
                years.len(),
                base.as_secs_f64() * 1e3
            );
            for (i, (what, path, staff)) in pages.iter().enumerate() {
                let t = time(&state, path, *staff, runs).await;
                let growth = first
                    .get(i)
                    .map(|f| format!("  growth ×{:.2}", t.as_secs_f64() / f.as_secs_f64()))
                    .unwrap_or_default();
                println!(
                    "  {what:<24} {:>8.2} ms  ×{:>6.1} of /login{growth}",
                    t.as_secs_f64() * 1e3,
                    t.as_secs_f64() / base.as_secs_f64()
                );
                if first.len() < pages.len() {
                    first.push(t);
                }
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    });
}
