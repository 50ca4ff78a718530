//! One judgment everywhere: for every item of every seed and fixture, the judgment Kusei
//! computes from the figures is the same in `kusei parse`, on the item page, in
//! `/api/v1/nodes/{id}` and in `kusei check --db`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::kusei;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::PlanId;
use kusei_store::{NewUser, Store};
use kusei_web::auth::token_hash;
use kusei_web::{app, AppState};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tower::ServiceExt;

fn documents() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kusei-import/tests/fixtures");
    let mut dirs = vec![fixtures];
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    loop {
        let seeds = dir.join("../shared/seeds");
        if seeds.is_dir() {
            dirs.push(seeds);
            break;
        }
        if !dir.pop() {
            eprintln!("skipped: the seeds (../shared/seeds are absent; fixtures only)");
            break;
        }
    }
    for d in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        out.extend(files);
    }
    out
}

fn json_of(args: &[&str]) -> Value {
    let out = kusei().args(args).output().unwrap();
    assert!(
        out.status.success() || args[0] == "check",
        "kusei {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "kusei {args:?}: {e}: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

async fn get(state: &AppState, uri: &str) -> String {
    let req = Request::get(uri)
        .header(header::COOKIE, "kusei_session=tokenstaff")
        .body(Body::empty())
        .unwrap();
    let res = app(state.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{uri}");
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The computed judgment the item page shows: the badge after 「数値からの判定」.
fn page_judgment(html: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for part in html.split("<span class=\"badge computed\">").skip(1) {
        let label = part.split('<').next().unwrap_or("");
        let j = [
            Judgment::Achieved,
            Judgment::NotAchieved,
            Judgment::Undetermined,
            Judgment::Unknown,
        ]
        .into_iter()
        .find(|j| j.label_ja() == label)
        .unwrap_or_else(|| panic!("unknown judgment label {label:?}"));
        out.push(j.code());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_item_is_judged_the_same_in_parse_page_api_and_check() {
    let mut compared = 0;
    let mut by_judgment = std::collections::BTreeMap::<String, usize>::new();
    let mut seed_001: Vec<(String, String)> = Vec::new();
    for (n, path) in documents().iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let file = path.to_str().unwrap();
        let dir = std::env::temp_dir().join(format!("kusei-judgments-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = format!("sqlite://{}/k.db", dir.display());

        // 1. kusei parse
        let parsed = json_of(&["parse", file, "--format", "json"]);
        // A document that states no year is imported for the year it mentions (what
        // `kusei import` suggests), which is the year `kusei parse` judged it for.
        let year = parsed["era_context"]["year"]
            .as_i64()
            .unwrap_or(2025)
            .to_string();
        let mut args = vec!["import", "--db", &db, "--unit", "判定区", file];
        if parsed["fiscal_year"].is_null() && parsed["period"].is_null() {
            args.splice(1..1, ["--year", year.as_str()]);
        }
        let out = kusei().args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // 2. kusei check --db
        let checked = json_of(&["check", "--db", &db, "--format", "json"]);
        let from_check: std::collections::HashMap<i64, String> = checked["judgments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| {
                (
                    j["node_id"].as_i64().unwrap(),
                    j["computed"].as_str().unwrap().to_string(),
                )
            })
            .collect();

        // 3. the item page and 4. the API, as a staff member who reads the working copy.
        let store = Store::connect(&db).await.unwrap();
        let uid = store
            .create_user(
                "t",
                &NewUser {
                    login: "staff",
                    display_name: "staff",
                    password_hash: "$argon2id$unused",
                    must_change_password: false,
                    roles: vec![("system_admin", kusei_domain::policy::Scope::System)],
                },
            )
            .await
            .unwrap();
        store
            .create_session(
                &token_hash("tokenstaff"),
                uid,
                "csrf",
                "2099-01-01T00:00:00Z",
            )
            .await
            .unwrap();
        let plan = store.load_plan(PlanId(1)).await.unwrap();
        let state = AppState::new(store.clone());
        let nodes = parsed["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), plan.nodes.len(), "{name}: node count");
        for (pn, sn) in nodes.iter().zip(&plan.nodes) {
            let Some(from_parse) = pn["evaluation"]["computed_judgment"].as_str() else {
                continue;
            };
            let id = sn.node.id.0;
            let api: Value =
                serde_json::from_str(&get(&state, &format!("/api/v1/nodes/{id}")).await).unwrap();
            let from_api = api["computed_judgments"][0]["computed"]["judgment"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} node {id}: {api}"))
                .to_string();
            let page = get(&state, &format!("/nodes/{id}")).await;
            let from_page = page_judgment(&page);
            let what = format!("{name} item {:?} {:?}", sn.node.number, sn.node.title);
            assert_eq!(from_page.len(), 1, "{what}: one evaluated year on the page");
            assert_eq!(from_page[0], from_parse, "{what}: page vs parse");
            assert_eq!(from_api, from_parse, "{what}: API vs parse");
            assert_eq!(
                from_check.get(&id).map(String::as_str),
                Some(from_parse),
                "{what}: check --db vs parse"
            );
            compared += 1;
            *by_judgment.entry(from_parse.to_string()).or_default() += 1;
            if name.starts_with("001_") {
                // The results' figures are actuals of FY2017 with their units, linked to
                // the indicator of the target they answer (issue 13).
                let expected = match sn.node.number.as_deref() {
                    Some("8") => Some((15.0, "回")),
                    Some("12") => Some((19.1, "%")),
                    Some("20") => Some((41.2, "%")),
                    _ => None,
                };
                if let Some((value, unit)) = expected {
                    let text = api.to_string();
                    let actuals = api["node"]["actuals"]
                        .as_array()
                        .or_else(|| api["actuals"].as_array())
                        .unwrap_or_else(|| panic!("{what}: no actuals in the API: {text}"));
                    assert!(
                        actuals.iter().any(|a| a["value"].as_f64() == Some(value)
                            && a["measure_unit"].as_str() == Some(unit)
                            && a["fiscal_year"].as_i64() == Some(2017)
                            && a["indicator_id"].as_i64().is_some()),
                        "{what}: {value}{unit} of FY2017 linked to an indicator in {actuals:?}"
                    );
                }
                seed_001.push((
                    sn.node.number.clone().unwrap_or_default(),
                    from_parse.to_string(),
                ));
            }
        }
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
    eprintln!("judgments compared: {compared} {by_judgment:?}");
    // Seed 001 (Taisho ward, FY2017), checked by hand: item 12 is 19.1 % against 30 %,
    // item 18 is 1件 against 1件, item 20 is 41.2 % against 60 %, item 8 has 15回 against
    // 35回, and item 1's 97.60 % has no actual for the year in its results (未確定).
    if !seed_001.is_empty() {
        for (number, expected) in [
            ("1", "undetermined"),
            ("8", "not_achieved"),
            ("12", "not_achieved"),
            ("18", "achieved"),
            ("20", "not_achieved"),
        ] {
            let got = seed_001
                .iter()
                .find(|(n, _)| n == number)
                .map(|(_, j)| j.as_str());
            assert_eq!(got, Some(expected), "seed 001 item {number}");
        }
    }
    // The fixtures alone have evaluated items of each kind; the seeds add dozens more.
    assert!(compared >= 3, "only {compared} judgments compared");
    assert!(by_judgment.contains_key("achieved"), "{by_judgment:?}");
    assert!(by_judgment.contains_key("not_achieved"), "{by_judgment:?}");
}
