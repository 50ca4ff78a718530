#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Exports through the real store: every seed (and fixture) imported, then exported as PDF
//! (pdftotext finds every title and target figure), as Excel and back (lossless, on the
//! same and on a fresh database), and a whole sample city year through Excel; the JSON API
//! and the dashboard on a sample city of 24 wards × 3 years.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use kusei_app::export::{Exporter, Format};
use kusei_app::import::Destination;
use kusei_app::{Caller, Clock};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::PlanRecord;
use kusei_domain::model::{MunicipalityId, Period, PlanId};
use kusei_store::{Copy, ImportOutcome, Store};
use kusei_web::{app, AppState};
use std::path::{Path, PathBuf};
use std::process::Command;
use tower::ServiceExt;

async fn temp_store(name: &str) -> (Store, PathBuf) {
    let dir = std::env::temp_dir().join(format!("kusei-exports-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}/k.db", dir.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (store, dir)
}

fn txt_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    v.sort();
    v
}

/// Fixtures always; the real seeds when `shared/seeds` exists.
fn documents() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = txt_files(&root.join("../kusei-import/tests/fixtures"));
    match root
        .ancestors()
        .map(|a| a.join("shared").join("seeds"))
        .find(|p| p.is_dir())
    {
        Some(seeds) => files.extend(txt_files(&seeds)),
        None => eprintln!("skipped: no shared/seeds directory (fixtures only)"),
    }
    files
}

/// Imports a document the way `kusei import` does; returns the plan.
async fn import(store: &Store, m: MunicipalityId, path: &Path) -> PlanId {
    // Each document is its own ward's, so two documents of one form never meet.
    let unit = format!("{}区", path.file_stem().unwrap().to_string_lossy());
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let bytes = std::fs::read(path).unwrap();
    let doc = kusei_import::parse_bytes(&name, &bytes).unwrap();
    let period = kusei_import::convert::document_period(&doc)
        .unwrap_or(Period::year(FiscalYear::new(2025).unwrap()));
    let (outcome, _) = kusei_app::import::store_document(
        store,
        &Caller::operator("test"),
        &doc,
        &bytes,
        m,
        Destination::Ward(&unit),
        period,
        Clock::System.today_jst(),
    )
    .await
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    match outcome {
        ImportOutcome::Created { plan_id, .. } => plan_id,
        other => panic!("{name}: {other:?}"),
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

fn must_contain(r: &PlanRecord) -> Vec<String> {
    let mut v = Vec::new();
    for n in &r.content.nodes {
        v.push(n.title.clone());
        v.extend(n.targets.iter().map(|t| t.text.clone()));
    }
    v.retain(|s| !squash(s).is_empty());
    v
}

fn pdf_tools_missing(exporter: &Exporter) -> Option<String> {
    let mut missing = Vec::new();
    if let Err(e) = exporter.pdf_status() {
        missing.push(e);
    }
    if Command::new("pdftotext").arg("-v").output().is_err() {
        missing.push("pdftotext (Debian package poppler-utils)".into());
    }
    if missing.is_empty() {
        return None;
    }
    let why = missing.join("; ");
    assert!(
        std::env::var("KUSEI_REQUIRE_PDF").as_deref() != Ok("1"),
        "KUSEI_REQUIRE_PDF=1 but: {why}"
    );
    eprintln!("skipped: {why}");
    Some(why)
}

fn pdftotext(pdf: &[u8], dir: &Path) -> String {
    let path = dir.join("out.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn every_document_imported_renders_to_a_pdf_with_every_title_and_target() {
    let exporter = Exporter::new(None);
    if pdf_tools_missing(&exporter).is_some() {
        return;
    }
    let (store, dir) = temp_store("pdf").await;
    let m = store
        .create_municipality("t", "271004", "大阪市", false)
        .await
        .unwrap();
    let files = documents();
    assert!(files.len() >= 4);
    for path in files {
        let plan = import(&store, m, &path).await;
        let record = store
            .plan_record(plan, Copy::Working)
            .await
            .unwrap()
            .unwrap();
        let pdf = exporter
            .export(Format::Pdf, "t", "大阪市", std::slice::from_ref(&record))
            .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = squash(&pdftotext(&pdf, &dir));
        let expected = must_contain(&record);
        assert!(!expected.is_empty());
        for want in expected {
            assert!(
                text.contains(&squash(&want)),
                "{}: the PDF lacks {want:?}",
                path.display()
            );
        }
    }
}

/// Export → import → export on the same database changes nothing (bytes equal, plan
/// versions unchanged); on a fresh database the plans come back with the same content.
/// A record as a workbook gives it back: everything but the indicators' series (written
/// on the 指標 sheet to read, not imported).
fn as_read(r: &kusei_domain::content::PlanRecord) -> kusei_domain::content::PlanRecord {
    let mut r = r.clone();
    for i in &mut r.indicators {
        i.series.clear();
    }
    r
}

#[tokio::test]
async fn every_document_round_trips_through_excel() {
    let (store, _dir) = temp_store("xlsx").await;
    let m = store
        .create_municipality("t", "271004", "大阪市", false)
        .await
        .unwrap();
    let (fresh, _dir2) = temp_store("xlsx-fresh").await;
    let exporter = Exporter::new(None);
    for path in documents() {
        let plan = import(&store, m, &path).await;
        let record = store
            .plan_record(plan, Copy::Working)
            .await
            .unwrap()
            .unwrap();
        let first = exporter
            .export(Format::Xlsx, "t", "大阪市", std::slice::from_ref(&record))
            .unwrap();
        let read = kusei_xlsx::read_workbook(&first).unwrap();
        assert_eq!(read, vec![as_read(&record)], "{}", path.display());
        // same database: unchanged, nothing moves
        let outcome = kusei_app::import::store_record(
            &store,
            &Caller::operator("t"),
            &read[0],
            "x.xlsx",
            m,
            Clock::System.today_jst(),
        )
        .await
        .unwrap();
        assert!(
            matches!(outcome, ImportOutcome::Unchanged { .. }),
            "{}: {outcome:?}",
            path.display()
        );
        let again = store
            .plan_record(plan, Copy::Working)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again, record);
        let second = exporter
            .export(Format::Xlsx, "t", "大阪市", std::slice::from_ref(&again))
            .unwrap();
        assert_eq!(
            first,
            second,
            "{}: export differs after import",
            path.display()
        );
        // fresh database: a new plan with the same content and 業務一覧
        let fm = match fresh.list_municipalities().await.unwrap().first() {
            Some(m) => m.id,
            None => fresh
                .create_municipality("t", "271004", "大阪市", false)
                .await
                .unwrap(),
        };
        let created = kusei_app::import::store_record(
            &fresh,
            &Caller::operator("t"),
            &read[0],
            "x.xlsx",
            fm,
            Clock::System.today_jst(),
        )
        .await
        .unwrap();
        let ImportOutcome::Created { plan_id, .. } = created else {
            panic!("{}: {created:?}", path.display())
        };
        let back = fresh
            .plan_record(plan_id, Copy::Working)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.content, record.content, "{}", path.display());
        assert_eq!(back.directory, record.directory, "{}", path.display());
        assert_eq!(back.unit, record.unit);
    }
}

fn years(list: &[i32]) -> Vec<FiscalYear> {
    list.iter().map(|y| FiscalYear::new(*y).unwrap()).collect()
}

#[tokio::test]
async fn a_whole_sample_city_year_round_trips_through_excel_and_a_bad_cell_stores_nothing() {
    let (store, _dir) = temp_store("city").await;
    let m = kusei_app::sample_city::load(&store, "c", "見本市", 24, &years(&[2025]), 40)
        .await
        .unwrap();
    let fy = FiscalYear::new(2025).unwrap();
    let records = store
        .plan_records(m, None, Some(fy), Copy::Working)
        .await
        .unwrap();
    assert_eq!(records.len(), 24);
    let exporter = Exporter::new(None);
    let first = exporter
        .export(Format::Xlsx, "見本市 令和7年度", "見本市", &records)
        .unwrap();
    let read = kusei_xlsx::read_workbook(&first).unwrap();
    assert_eq!(read, records.iter().map(as_read).collect::<Vec<_>>());
    for r in &read {
        let outcome = kusei_app::import::store_record(
            &store,
            &Caller::operator("t"),
            r,
            "city.xlsx",
            m,
            Clock::System.today_jst(),
        )
        .await
        .unwrap();
        assert!(
            matches!(outcome, ImportOutcome::Unchanged { .. }),
            "{outcome:?}"
        );
    }
    let after = store
        .plan_records(m, None, Some(fy), Copy::Working)
        .await
        .unwrap();
    assert_eq!(after, records);
    let second = exporter
        .export(Format::Xlsx, "見本市 令和7年度", "見本市", &after)
        .unwrap();
    assert_eq!(first, second);

    // An edited figure comes back as that figure (the flat sheet is authoritative) …
    let mut edited = read.clone();
    let k = edited[3]
        .content
        .nodes
        .iter()
        .position(|n| !n.actuals.is_empty())
        .unwrap();
    edited[3].content.nodes[k].actuals[0].value = Some(12.5);
    let workbook = kusei_xlsx::write_workbook(&edited).unwrap();
    let back = kusei_xlsx::read_workbook(&workbook).unwrap();
    let operator = Caller::operator("t");
    let import_edit = || {
        kusei_app::import::store_record(
            &store,
            &operator,
            &back[3],
            "city.xlsx",
            m,
            Clock::System.today_jst(),
        )
    };
    // An actual is the year-end evaluation's: refused until its window is open.
    let refused = import_edit().await.unwrap_err();
    assert!(
        matches!(
            refused,
            kusei_app::AppError::Refused(kusei_domain::workflow::Refusal::NoWindow { .. })
        ),
        "{refused:?}"
    );
    store
        .set_window(
            "t",
            m,
            &kusei_domain::workflow::Window {
                fiscal_year: fy,
                phase: kusei_domain::model::Phase::Evaluation,
                opens_on: kusei_domain::calendar::Date::MIN,
                closes_on: kusei_domain::calendar::Date::MAX,
            },
        )
        .await
        .unwrap();
    let outcome = import_edit().await.unwrap();
    assert!(
        matches!(outcome, ImportOutcome::Updated { changed: 1, .. }),
        "{outcome:?}"
    );
    let now = store
        .plan_records(m, None, Some(fy), Copy::Working)
        .await
        .unwrap();
    assert_eq!(now[3].content.nodes[k].actuals[0].value, Some(12.5));

    // … and a workbook with a bad cell is refused whole, naming sheet and cell.
    let bad = corrupt_first_value(&workbook);
    let err = kusei_xlsx::read_workbook(&bad).unwrap_err().to_string();
    assert!(err.contains("目標と実績") && err.contains("F2"), "{err}");
    assert_eq!(
        store
            .plan_records(m, None, Some(fy), Copy::Working)
            .await
            .unwrap(),
        now
    );
}

/// The same workbook with the first value of 目標と実績 (cell F2) replaced by text.
fn corrupt_first_value(workbook: &[u8]) -> Vec<u8> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(workbook)).unwrap();
    let sheet = book.worksheet_range("目標と実績").unwrap();
    assert!(
        matches!(sheet.get_value((1, 5)), Some(Data::Float(_))),
        "F2 is a number"
    );
    // Rewrite the workbook with rust_xlsxwriter: every sheet copied as values, F2 as text.
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let ws = out.add_worksheet();
        ws.set_name(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                if name == "目標と実績" && (r, c) == (1, 5) {
                    ws.write_string(r, c, "abc").unwrap();
                    continue;
                }
                match v {
                    Data::Empty => {}
                    Data::Float(f) => {
                        ws.write_number(r, c, *f).unwrap();
                    }
                    Data::Int(i) => {
                        ws.write_number(r, c, *i as f64).unwrap();
                    }
                    Data::Bool(b) => {
                        ws.write_boolean(r, c, *b).unwrap();
                    }
                    other => {
                        ws.write_string(r, c, other.to_string()).unwrap();
                    }
                }
            }
        }
    }
    out.save_to_buffer().unwrap()
}

async fn get(state: &AppState, path: &str) -> (StatusCode, String, String) {
    let res = app(state.clone())
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap();
    (status, ct, String::from_utf8_lossy(&body).to_string())
}

#[tokio::test]
async fn dashboard_api_open_data_and_openapi_on_a_sample_city_of_24_wards_and_3_years() {
    let (store, _dir) = temp_store("api").await;
    let m =
        kusei_app::sample_city::load(&store, "c", "見本市", 24, &years(&[2023, 2024, 2025]), 40)
            .await
            .unwrap();
    let state = AppState::new(store.clone());

    // Dashboard JSON: 24 wards, 5 indicators, three years of trend, counts adding up.
    let (status, ct, body) = get(&state, &format!("/api/v1/dashboard/{}?year=2024", m.0)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(ct.starts_with("application/json"));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let d = &v["dashboard"];
    assert_eq!(v["years"], serde_json::json!([2023, 2024, 2025]));
    assert_eq!(d["units"].as_array().unwrap().len(), 24);
    assert_eq!(d["indicators"].as_array().unwrap().len(), 5);
    for c in d["counts"].as_array().unwrap() {
        let sum = c["achieved"].as_u64().unwrap()
            + c["not_achieved"].as_u64().unwrap()
            + c["undetermined"].as_u64().unwrap();
        assert_eq!(sum, 40);
    }
    assert_eq!(d["trends"][0]["points"].as_array().unwrap().len(), 3);

    // The page shows the same figures: a chart per indicator and a table beside it.
    let (status, _, page) = get(&state, &format!("/dashboard/{}?year=2024", m.0)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("令和6年度"));
    assert_eq!(page.matches("role=\"img\"").count(), 1 + 5 * 2, "charts");
    assert_eq!(page.matches("<desc").count(), 11);
    let first = &d["indicators"][0]["wards"][0];
    let figure = kusei_report::chart::fmt(first["actual"].as_f64().unwrap());
    assert!(
        page.contains(&format!("<td class=\"num\">{figure}</td>")),
        "{figure}"
    );

    // Open data: CSV with BOM, JSON documents, for the city year and for one ward.
    let (status, ct, csv) = get(
        &state,
        &format!("/api/v1/open-data/{}?year=2024&format=csv", m.0),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/csv"));
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.matches("\r\n見本市,").count() > 24 * 40);
    let units: serde_json::Value = serde_json::from_str(
        &get(&state, &format!("/api/v1/municipalities/{}/units", m.0))
            .await
            .2,
    )
    .unwrap();
    let east = units["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "東区")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _, json) = get(&state, &format!("/api/v1/open-data/{}?unit={east}", m.0)).await;
    assert_eq!(status, StatusCode::OK);
    let od: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(od["format"], "kusei-open-data");
    assert_eq!(
        od["plans"].as_array().unwrap().len(),
        3,
        "three years of 東区"
    );
    let (status, ct, _) = get(
        &state,
        &format!(
            "/open-data/{}/export?year=2024&unit={east}&format=xlsx",
            m.0
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.contains("spreadsheetml"));

    // Plans list and one plan (published copy for a signed-out caller).
    let (_, _, list) = get(
        &state,
        &format!("/api/v1/plans?municipality={}&year=2024", m.0),
    )
    .await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let plans = list["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 24);
    assert!(plans
        .iter()
        .all(|p| p["status"].is_null() && p["published_version"] == 1));
    let id = plans[0]["id"].as_i64().unwrap();
    let (status, _, one) = get(&state, &format!("/api/v1/plans/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let one: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(one["copy"], "published");
    assert_eq!(one["plan"]["nodes"].as_array().unwrap().len(), 52);

    // Stable error codes.
    for (path, code, status) in [
        ("/api/v1/plans/999999", "not_found", StatusCode::NOT_FOUND),
        ("/api/v1/plans/abc", "not_found", StatusCode::NOT_FOUND),
        ("/api/v1/nosuch", "not_found", StatusCode::NOT_FOUND),
        (
            "/api/v1/dashboard/1?year=xyz",
            "bad_request",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/open-data/1?format=doc",
            "bad_request",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (s, ct, body) = get(&state, path).await;
        assert_eq!(s, status, "{path}: {body}");
        assert!(ct.starts_with("application/json"), "{path}");
        let e: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(e["error"]["code"], code, "{path}");
        assert!(!e["error"]["message"].as_str().unwrap().is_empty());
    }
    let node = one["plan"]["nodes"][5]["node"]["id"].as_i64().unwrap();
    let (s, _, body) = get(&state, &format!("/api/v1/nodes/{node}")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body.contains("\"unauthorized\""));

    // OpenAPI: every /api/v1 route of the router is described, and every described GET
    // path (with ids filled in) answers 200 here.
    let (status, _, spec) = get(&state, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let spec: serde_json::Value = serde_json::from_str(&spec).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().unwrap();
    let router = include_str!("../src/lib.rs");
    for line in router.lines().filter(|l| l.contains(".route(\"/api/v1/")) {
        let p = line.split('"').nth(1).unwrap();
        assert!(paths.contains_key(p), "{p} is not in openapi.json");
    }
    for (p, _) in paths {
        if p.contains("/nodes/") || p.contains("/indicators/") {
            continue; // staff only (401 above)
        }
        let concrete = p
            .replace("{municipality}", &m.0.to_string())
            .replace("{id}/units", &format!("{}/units", m.0))
            .replace("{id}", &id.to_string())
            .replace("{version}", "1")
            .replace("{format}", "csv");
        // The search's `q` is required: asked with a word of the sample's plans.
        let concrete = if concrete == "/api/v1/search" {
            format!("{concrete}?q=%E5%8C%BA%E6%B0%91")
        } else {
            concrete
        };
        let (s, _, body) = get(&state, &concrete).await;
        assert_eq!(s, StatusCode::OK, "{concrete}: {body}");
        if concrete.starts_with("/api/v1/search") {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert!(
                v["total"].as_u64().unwrap() > 0,
                "区民 is in the sample: {body}"
            );
        }
    }
    for code in [
        "not_found",
        "unauthorized",
        "forbidden",
        "bad_request",
        "conflict",
        "pdf_font_missing",
        "internal",
    ] {
        assert!(
            spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
                ["enum"]
                .as_array()
                .unwrap()
                .contains(&serde_json::Value::from(code))
        );
    }
}

#[tokio::test]
async fn a_missing_font_names_the_package_and_everything_else_keeps_working() {
    let (store, dir) = temp_store("nofont").await;
    let m = store
        .create_municipality("t", "271004", "大阪市", false)
        .await
        .unwrap();
    let plan = import(&store, m, &documents()[0]).await;
    for step in [
        kusei_store::Transition::Submit,
        kusei_store::Transition::Approve,
        kusei_store::Transition::Publish,
    ] {
        store.transition("t", plan, step, None).await.unwrap();
    }
    let state = AppState::new(store.clone()).with_pdf_font(Some(dir.join("no-such-font.ttf")));
    let (status, _, body) = get(&state, &format!("/plans/{}/export/pdf", plan.0)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("no-such-font.ttf"), "{body}");
    for f in ["xlsx", "csv", "json", "html"] {
        let (status, _, _) = get(&state, &format!("/plans/{}/export/{f}", plan.0)).await;
        assert_eq!(status, StatusCode::OK, "{f}");
    }
    let (status, _, print) = get(&state, &format!("/plans/{}/print", plan.0)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(print.contains("@page"));
    // the package is named when no font is found at all
    let msg = kusei_pdf::PdfError::NoJapaneseFont.to_string();
    assert!(msg.contains("fonts-ipaexfont"), "{msg}");
}

/// Published exports are made once: twelve requests at the same moment for a whole
/// city's workbook get one making and the same file; a later publication makes a new
/// file (a kept file is never stale).
#[tokio::test]
async fn published_exports_are_made_once_and_never_stale() {
    let (store, _dir) = temp_store("cache").await;
    let m = kusei_app::sample_city::load(&store, "c", "見本市", 3, &years(&[2025]), 5)
        .await
        .unwrap();
    let state = AppState::new(store.clone());
    let bytes = |path: String| {
        let state = state.clone();
        async move {
            let res = app(state)
                .oneshot(Request::get(&path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
                .await
                .unwrap()
                .to_vec()
        }
    };
    let xlsx = format!("/open-data/{}/export?format=xlsx", m.0);
    let tasks: Vec<_> = (0..12).map(|_| tokio::spawn(bytes(xlsx.clone()))).collect();
    let mut files = Vec::new();
    for t in tasks {
        files.push(t.await.unwrap());
    }
    assert!(files[0].len() > 1000);
    assert!(files.iter().all(|f| *f == files[0]), "one file for all");
    assert_eq!(state.export_cache.len(), 1, "made once");
    // The city's CSV, then a new version of one plan published: a new file.
    let csv = format!("/open-data/{}/export?format=csv", m.0);
    let before = String::from_utf8(bytes(csv.clone()).await).unwrap();
    assert_eq!(state.export_cache.len(), 2);
    let plan = store.list_plans(None, None).await.unwrap()[0].plan.id;
    let node = store.load_plan(plan).await.unwrap().nodes[0].node.clone();
    let edit = kusei_store::NodeEdit {
        title: "改訂して公表した取組".into(),
        ..kusei_store::NodeEdit::default()
    };
    store
        .update_node("t", node.id, node.version, &edit)
        .await
        .unwrap();
    let again = String::from_utf8(bytes(csv.clone()).await).unwrap();
    assert_eq!(again, before, "the working copy is not published");
    for step in [
        kusei_store::Transition::Submit,
        kusei_store::Transition::Approve,
        kusei_store::Transition::Publish,
    ] {
        store.transition("t", plan, step, None).await.unwrap();
    }
    let after = String::from_utf8(bytes(csv).await).unwrap();
    assert!(after.contains("改訂して公表した取組") && !before.contains("改訂して公表した取組"));
    assert_eq!(state.export_cache.len(), 3);
}
