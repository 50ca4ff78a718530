//! The city's roll-up (issue 18) on a 24-ward city with the real seeds imported as more
//! wards: the page, the API and `kusei check --db` give the numbers an independent count
//! gives (per ward, per phase, per grade), and switching the city to A–D in the browser
//! changes the preview, then (after saving) the page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kusei_app::judge::{item, References};
use kusei_app::{Caller, Clock};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::judgment::AchievementProspect;
use kusei_domain::model::{MunicipalityId, Period};
use kusei_domain::policy::Scope;
use kusei_store::{NewUser, Store};
use kusei_web::auth::token_hash;
use kusei_web::{app, AppState};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tower::ServiceExt;

fn seeds() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(dir) = root
        .ancestors()
        .map(|a| a.join("shared").join("seeds"))
        .find(|p| p.is_dir())
    else {
        eprintln!("skipped: no shared/seeds directory (the sample city only)");
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

async fn get(state: &AppState, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut req = Request::get(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = app(state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).to_string())
}

async fn post(state: &AppState, path: &str, form: &[(&str, String)]) -> (StatusCode, String) {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", kusei_web_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let res = app(state.clone())
        .oneshot(
            Request::post(path)
                .header(header::COOKIE, ADMIN)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).to_string())
}

fn kusei_web_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const ADMIN: &str = "kusei_session=tokenreform";

/// Per ward: (targets, measurable, grade code → count), counted here from the plans:
/// every target of every item, judged by the one judgment, graded by `grade` (the city's
/// thresholds written out again).
async fn independent(
    store: &Store,
    m: MunicipalityId,
    year: FiscalYear,
    grade: &dyn Fn(f64, u32) -> &'static str,
) -> BTreeMap<i64, (usize, usize, BTreeMap<String, usize>)> {
    let units = store.list_units(m).await.unwrap();
    let mut out = BTreeMap::new();
    for s in store.list_plans(None, Some(year)).await.unwrap() {
        if s.plan.period.end != year || !units.iter().any(|u| u.id == s.plan.unit_id) {
            continue;
        }
        let sp = store.load_plan(s.plan.id).await.unwrap();
        let refs = References::load(store, sp.plan.unit_id, year)
            .await
            .unwrap()
            .before(year);
        let e: &mut (usize, usize, BTreeMap<String, usize>) =
            out.entry(sp.plan.unit_id.0).or_default();
        for sn in sp.nodes.iter().filter(|n| !n.targets.is_empty()) {
            let ev = sn.evaluations.iter().find(|e| e.fiscal_year == year);
            let judged = item(sn, year, ev, &refs);
            for tj in &judged.judgment.targets {
                e.0 += 1;
                let p = if tj.parts.is_empty() {
                    tj.progress
                } else {
                    tj.parts
                        .iter()
                        .map(|p| p.progress)
                        .try_fold(f64::INFINITY, |m, p| p.map(|v| m.min(v)))
                };
                if let Some(p) = p.filter(|p| p.is_finite()) {
                    e.1 += 1;
                    *e.2.entry(grade(p, tj.period_years).to_string())
                        .or_default() += 1;
                }
            }
        }
    }
    out
}

fn osaka(p: f64, years: u32) -> &'static str {
    let threshold = if years >= 3 { 2.0 / 3.0 } else { 0.9 };
    if p + 1e-9 >= threshold {
        "①"
    } else {
        "②"
    }
}

fn nagoya(p: f64, _: u32) -> &'static str {
    match p {
        p if p + 1e-9 >= 1.0 => "A",
        p if p + 1e-9 >= 0.8 => "B",
        p if p + 1e-9 >= 0.5 => "C",
        _ => "D",
    }
}

/// The API's wards as the independent count's shape.
fn from_api(v: &Value) -> BTreeMap<i64, (usize, usize, BTreeMap<String, usize>)> {
    v["wards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let grades = w["grades"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, n)| n.as_u64().unwrap() > 0)
                .map(|(k, n)| (k.clone(), n.as_u64().unwrap() as usize))
                .collect();
            (
                w["unit_id"].as_i64().unwrap(),
                (
                    w["targets"].as_u64().unwrap() as usize,
                    w["measurable"].as_u64().unwrap() as usize,
                    grades,
                ),
            )
        })
        .filter(|(_, c)| c.0 > 0)
        .collect()
}

fn nonempty(
    m: BTreeMap<i64, (usize, usize, BTreeMap<String, usize>)>,
) -> BTreeMap<i64, (usize, usize, BTreeMap<String, usize>)> {
    m.into_iter().filter(|(_, c)| c.0 > 0).collect()
}

#[test]
fn the_rollup_equals_an_independent_count_and_follows_the_citys_rules() {
    let dir = std::env::temp_dir().join(format!("kusei-rollup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/k.db", dir.display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (state, m, years) = rt.block_on(async {
        let store = Store::connect(&db).await.unwrap();
        store.migrate().await.unwrap();
        let fy = |y| FiscalYear::new(y).unwrap();
        let m =
            kusei_app::sample_city::load(&store, "271004", "見本市", 24, &[fy(2024), fy(2025)], 6)
                .await
                .unwrap();
        // The seeds, each its own ward of the same city.
        let mut years = vec![2024, 2025];
        for path in seeds() {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(&path).unwrap();
            let doc = kusei_import::parse_bytes(&name, &bytes).unwrap();
            let period =
                kusei_import::convert::document_period(&doc).unwrap_or(Period::year(fy(2025)));
            let unit = format!("{}区", &name[..3]);
            kusei_app::import::store_document(
                &store,
                &Caller::operator("test"),
                &doc,
                &bytes,
                m,
                kusei_app::import::Destination::Ward(&unit),
                period,
                Clock::System.today_jst(),
            )
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            years.push(period.end.year());
        }
        years.sort_unstable();
        years.dedup();
        let uid = store
            .create_user(
                "t",
                &NewUser {
                    login: "reform",
                    display_name: "市政改革室",
                    password_hash: "$argon2id$unused",
                    must_change_password: false,
                    roles: vec![("city_admin", Scope::Municipality(m))],
                },
            )
            .await
            .unwrap();
        store
            .create_session(
                &token_hash("tokenreform"),
                uid,
                "csrfreform",
                "2099-01-01T00:00:00Z",
            )
            .await
            .unwrap();
        (AppState::new(store), m, years)
    });
    let store = state.store.clone();
    let wards_with_plans = rt.block_on(async {
        let mut n = 0;
        for u in store.list_units(m).await.unwrap() {
            if !store.list_plans(Some(u.id), None).await.unwrap().is_empty() {
                n += 1;
            }
        }
        n
    });
    assert!(wards_with_plans >= 24, "a 24-ward city: {wards_with_plans}");

    // kusei check --db: the same numbers, from the same computation.
    let out = common::kusei()
        .args(["check", "--db", &db, "--format", "json"])
        .output()
        .unwrap();
    let check: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut graded_somewhere = 0;
    for &y in &years {
        let year = FiscalYear::new(y).unwrap();
        let expected = rt.block_on(independent(&store, m, year, &osaka));
        let (status, body) = rt.block_on(get(
            &state,
            &format!("/api/v1/rollup/{}?year={y}&phase=evaluation", m.0),
            Some(ADMIN),
        ));
        assert_eq!(status, StatusCode::OK, "{body}");
        let api: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            api["published_only"], false,
            "the reform office reads the plans as they stand"
        );
        assert_eq!(
            from_api(&api),
            nonempty(expected.clone()),
            "{y}: API ≠ independent count"
        );
        graded_somewhere += expected.values().map(|c| c.1).sum::<usize>();
        eprintln!(
            "{y}: {} wards, total {}",
            api["wards"].as_array().unwrap().len(),
            api["total"]
        );
        // The city total is the sum of the wards.
        let sum: u64 = api["wards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["targets"].as_u64().unwrap())
            .sum();
        assert_eq!(api["total"]["targets"].as_u64().unwrap(), sum);
        let from_check = check["rollup"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["municipality_id"] == m.0 && r["fiscal_year"] == y && r["phase"] == "evaluation"
            })
            .unwrap_or_else(|| panic!("check --db has no roll-up of {y}"));
        assert_eq!(
            from_api(from_check),
            from_api(&api),
            "{y}: check --db ≠ the API"
        );

        // The page says the same: each ward's row carries its counts.
        let (status, page) = rt.block_on(get(
            &state,
            &format!("/rollup/{}?year={y}", m.0),
            Some(ADMIN),
        ));
        assert_eq!(status, StatusCode::OK);
        let total = &api["total"];
        let sentence = format!(
            "成果目標 {}件のうち、測定可能 {}件",
            total["targets"], total["measurable"]
        );
        assert!(
            page.contains(&sentence),
            "{y}: the page's sentence {sentence}"
        );
        // Each ward's row of the page: 成果目標, 測定可能 and each grade's count.
        let table = page
            .split("id=\"wards\"")
            .nth(1)
            .and_then(|t| t.split("</tbody>").next())
            .unwrap_or_else(|| panic!("{y}: no ward table"));
        let scale = api["grade_labels"].as_object().unwrap().len();
        for w in api["wards"].as_array().unwrap() {
            let unit = w["unit"].as_str().unwrap();
            let row = table
                .split("<tr>")
                .find(|r| r.contains(&format!(">{unit}</a></th>")))
                .unwrap_or_else(|| panic!("{y}: no row of {unit}"));
            let cells: Vec<usize> = row
                .split("<td class=\"num\">")
                .skip(1)
                .filter_map(|c| c.split('<').next().and_then(|n| n.parse().ok()))
                .collect();
            let id = w["unit_id"].as_i64().unwrap();
            let (targets, measurable, grades) = expected.get(&id).cloned().unwrap_or_default();
            assert_eq!(cells[2], targets, "{y} {unit}: 成果目標 on the page");
            assert_eq!(cells[3], measurable, "{y} {unit}: 測定可能 on the page");
            let codes: Vec<&String> = api["grade_labels"].as_object().unwrap().keys().collect();
            for (k, code) in codes.iter().enumerate().take(scale) {
                assert_eq!(
                    cells[4 + k],
                    grades.get(*code).copied().unwrap_or(0),
                    "{y} {unit}: {code} on the page"
                );
            }
        }

        // Mid-year: the answers as written, counted per ward.
        let (_, body) = rt.block_on(get(
            &state,
            &format!("/api/v1/rollup/{}?year={y}&phase=review", m.0),
            Some(ADMIN),
        ));
        let review: Value = serde_json::from_str(&body).unwrap();
        let on_track: BTreeMap<i64, usize> = rt.block_on(async {
            let mut out = BTreeMap::new();
            for s in store.list_plans(None, Some(year)).await.unwrap() {
                if s.plan.period.end != year {
                    continue;
                }
                let sp = store.load_plan(s.plan.id).await.unwrap();
                let n = sp
                    .nodes
                    .iter()
                    .filter(|n| !n.targets.is_empty())
                    .filter(|n| {
                        n.reviews.iter().any(|r| {
                            r.fiscal_year == year
                                && r.achievement == Some(AchievementProspect::OnTrack)
                        })
                    })
                    .count();
                *out.entry(sp.plan.unit_id.0).or_default() += n;
            }
            out
        });
        for w in review["wards"].as_array().unwrap() {
            let id = w["unit_id"].as_i64().unwrap();
            assert_eq!(
                w["grades"]["達成見込み"].as_u64().unwrap() as usize,
                on_track.get(&id).copied().unwrap_or(0),
                "{y}: mid-year 達成見込み of ward {id}"
            );
        }
    }
    assert!(
        graded_somewhere > 20,
        "the city has graded targets: {graded_somewhere}"
    );

    // The public reads the published versions only, through the same page.
    let (status, _) = rt.block_on(get(&state, &format!("/rollup/{}?year=2025", m.0), None));
    assert_eq!(status, StatusCode::OK);

    // Switching to A–D in the browser: the preset is a preview, nothing saved yet.
    let (status, preview) = rt.block_on(post(
        &state,
        "/admin/grading",
        &[
            ("csrf", "csrfreform".into()),
            ("municipality", m.0.to_string()),
            ("year", "2025".into()),
            ("preset", "nagoya".into()),
        ],
    ));
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert!(preview.contains("id=\"preview\""), "a preview");
    let nagoya_2025 = rt.block_on(independent(
        &store,
        m,
        FiscalYear::new(2025).unwrap(),
        &nagoya,
    ));
    let a_count: usize = nagoya_2025
        .values()
        .map(|c| c.2.get("A").copied().unwrap_or(0))
        .sum();
    assert!(
        preview.contains(&format!("A達成 {a_count}件")),
        "the preview counts A {a_count}"
    );
    let (_, still) = rt.block_on(get(
        &state,
        &format!("/api/v1/rollup/{}?year=2025", m.0),
        Some(ADMIN),
    ));
    let still: Value = serde_json::from_str(&still).unwrap();
    assert!(
        still["total"]["grades"].get("①").is_some(),
        "not saved by a preview"
    );

    // Saved from the form the preview showed (the A–D rules' fields).
    let rules = kusei_kpi::GradingRules::nagoya_like();
    let mut form: Vec<(&str, String)> = vec![
        ("csrf", "csrfreform".into()),
        ("municipality", m.0.to_string()),
        ("year", "2025".into()),
        ("action", "save".into()),
        ("name", rules.name.clone()),
    ];
    let mut names: Vec<String> = Vec::new();
    for (i, g) in rules.scale.iter().enumerate() {
        names.push(format!("g{i}_code"));
        form.push((leak(&names), g.code.clone()));
        names.push(format!("g{i}_label"));
        form.push((leak(&names), g.label.clone()));
        names.push(format!("g{i}_meaning"));
        form.push((
            leak(&names),
            if g.meaning == kusei_domain::judgment::Judgment::Achieved {
                "achieved"
            } else {
                "not_achieved"
            }
            .into(),
        ));
    }
    for (i, b) in rules.bands.iter().enumerate() {
        names.push(format!("b{i}_min"));
        form.push((leak(&names), b.min_years.to_string()));
        for (j, t) in b.thresholds.iter().enumerate() {
            names.push(format!("b{i}_t{j}_rate"));
            form.push((leak(&names), format!("{}", t.min_rate * 100.0)));
            names.push(format!("b{i}_t{j}_grade"));
            form.push((leak(&names), t.grade.clone()));
        }
        names.push(format!("b{i}_otherwise"));
        form.push((leak(&names), b.otherwise.clone()));
    }
    let (status, body) = rt.block_on(post(&state, "/admin/grading", &form));
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, after) = rt.block_on(get(
        &state,
        &format!("/api/v1/rollup/{}?year=2025", m.0),
        Some(ADMIN),
    ));
    let after: Value = serde_json::from_str(&after).unwrap();
    assert_eq!(
        from_api(&after),
        nonempty(nagoya_2025),
        "after saving, the roll-up grades A–D"
    );
    let (_, page) = rt.block_on(get(
        &state,
        &format!("/rollup/{}?year=2025", m.0),
        Some(ADMIN),
    ));
    let (_, grading) = rt.block_on(get(
        &state,
        &format!("/admin/grading?municipality={}", m.0),
        Some(ADMIN),
    ));
    assert!(
        grading.contains("<ol reversed><li>") && grading.contains("：A–D"),
        "the earlier versions list the change"
    );
    assert!(
        page.contains("A–D") && !page.contains("① 概ね順調"),
        "the page follows the saved rules"
    );
    // A refused form keeps what was typed and says where.
    let (status, body) = rt.block_on(post(
        &state,
        "/admin/grading",
        &[
            ("csrf", "csrfreform".into()),
            ("municipality", m.0.to_string()),
            ("action", "save".into()),
            ("name", "壊れた基準".into()),
            ("g0_code", "A".into()),
            ("g0_label", "達成".into()),
            ("g0_meaning", "achieved".into()),
            ("b0_min", "1".into()),
            ("b0_max", "2".into()),
            ("b0_t0_rate", "100".into()),
            ("b0_t0_grade", "A".into()),
            ("b0_otherwise", "A".into()),
        ],
    ));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("1年から5年まで") && body.contains("壊れた基準"),
        "{body}"
    );
    let (_, kept) = rt.block_on(get(
        &state,
        &format!("/api/v1/rollup/{}?year=2025", m.0),
        Some(ADMIN),
    ));
    assert!(kept.contains("\"A–D\""), "nothing stored by a refused form");
    drop(rt);
    let _ = std::fs::remove_dir_all(dir);
}

fn leak(names: &[String]) -> &'static str {
    Box::leak(names.last().unwrap().clone().into_boxed_str())
}

/// 共通指標 in the browser: the city adds a common indicator, its page suggests the
/// wards' imported indicators of a similar name, and merging seed 000 item 2's and seed
/// 001 item 20's council-feedback indicator into it shows both wards on the dashboard.
#[test]
fn a_common_indicator_gathers_the_wards_imported_figures() {
    let seeds: Vec<PathBuf> = seeds()
        .into_iter()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            n.starts_with("000_") || n.starts_with("001_")
        })
        .collect();
    if seeds.len() < 2 {
        eprintln!("skipped: seeds 000 and 001 are needed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("kusei-common-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/k.db", dir.display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fy = FiscalYear::new(2017).unwrap();
    let (state, m) = rt.block_on(async {
        let store = Store::connect(&db).await.unwrap();
        store.migrate().await.unwrap();
        let m = store
            .create_municipality("t", "271004", "大阪市", false)
            .await
            .unwrap();
        for (path, ward) in seeds.iter().zip(["甲区", "乙区"]) {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(path).unwrap();
            let doc = kusei_import::parse_bytes(&name, &bytes).unwrap();
            let (outcome, _) = kusei_app::import::store_document(
                &store,
                &Caller::operator("test"),
                &doc,
                &bytes,
                m,
                kusei_app::import::Destination::Ward(ward),
                Period::year(fy),
                Clock::System.today_jst(),
            )
            .await
            .unwrap();
            let kusei_store::ImportOutcome::Created { plan_id, .. } = outcome else {
                panic!("{name}: {outcome:?}")
            };
            for step in [
                kusei_store::Transition::Submit,
                kusei_store::Transition::Approve,
                kusei_store::Transition::Publish,
            ] {
                store.transition("t", plan_id, step, None).await.unwrap();
            }
        }
        let uid = store
            .create_user(
                "t",
                &NewUser {
                    login: "reform",
                    display_name: "市政改革室",
                    password_hash: "$argon2id$unused",
                    must_change_password: false,
                    roles: vec![("city_admin", Scope::Municipality(m))],
                },
            )
            .await
            .unwrap();
        store
            .create_session(
                &token_hash("tokenreform"),
                uid,
                "csrfreform",
                "2099-01-01T00:00:00Z",
            )
            .await
            .unwrap();
        (AppState::new(store), m)
    });
    let store = state.store.clone();
    let (status, _) = rt.block_on(post(
        &state,
        &format!("/admin/indicators?municipality={}", m.0),
        &[
            ("csrf", "csrfreform".into()),
            ("name", "区政会議でフィードバックが行われたと感じる委員の割合".into()),
            ("unit", "%".into()),
            ("direction", "higher_is_better".into()),
            ("source", "区政会議委員アンケート".into()),
            ("question", "区政会議で出された意見について、区役所から適切なフィードバックがあったと感じますか。".into()),
        ],
    ));
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A refused form says where and keeps what was typed.
    let (status, page) = rt.block_on(post(
        &state,
        &format!("/admin/indicators?municipality={}", m.0),
        &[
            ("csrf", "csrfreform".into()),
            ("name", "区民の満足度".into()),
            ("unit", "".into()),
            ("question", "満足していますか。".into()),
        ],
    ));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("単位を入力してください")
            && page.contains("value=\"区民の満足度\"")
            && page.contains("満足していますか。"),
        "{page}"
    );
    let indicators = rt.block_on(store.list_indicators(m)).unwrap();
    let common = indicators
        .iter()
        .find(|i| i.is_common)
        .expect("created as common");
    let imported = indicators
        .iter()
        .find(|i| {
            !i.is_common
                && i.name
                    .contains("適切なフィードバックが行われたと感じる区政会議の委員の割合")
        })
        .expect("the seeds' feedback indicator");
    let (_, page) = rt.block_on(get(
        &state,
        &format!("/admin/indicators/{}", common.id.0),
        Some(ADMIN),
    ));
    assert!(page.contains("統合の候補"), "suggestions shown");
    assert!(
        page.contains(&imported.name),
        "the imported indicator is suggested"
    );
    assert!(
        page.contains("区政会議の委員に対するアンケート")
            || page.contains("フィードバックがあったと感じますか"),
        "the survey question is kept"
    );
    // Before the merge the dashboard has the common indicator and no figure for it.
    let figures = |body: &str| -> Vec<(String, bool)> {
        let v: Value = serde_json::from_str(body).unwrap();
        v["dashboard"]["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["indicator"]["id"] == common.id.0)
            .expect("the common indicator is compared")["wards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["unit"].as_str().unwrap().to_string(),
                    !w["target"].is_null() || !w["actual"].is_null(),
                )
            })
            .collect()
    };
    let (_, before) = rt.block_on(get(
        &state,
        &format!("/api/v1/dashboard/{}?year=2017", m.0),
        None,
    ));
    assert!(figures(&before).iter().all(|(_, f)| !f), "{before}");
    let (status, _) = rt.block_on(post(
        &state,
        &format!("/admin/indicators/{}/merge", imported.id.0),
        &[
            ("csrf", "csrfreform".into()),
            ("into", common.id.0.to_string()),
            ("confirm", "1".into()),
        ],
    ));
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, after) = rt.block_on(get(
        &state,
        &format!("/api/v1/dashboard/{}?year=2017", m.0),
        None,
    ));
    let shown = figures(&after);
    assert_eq!(
        shown,
        vec![("甲区".to_string(), true), ("乙区".to_string(), true)],
        "both wards on the dashboard under the common indicator: {after}"
    );
    let (_, html) = rt.block_on(get(&state, &format!("/dashboard/{}?year=2017", m.0), None));
    assert!(html.contains("区政会議でフィードバックが行われたと感じる委員の割合"));
    drop(rt);
    let _ = std::fs::remove_dir_all(dir);
}
