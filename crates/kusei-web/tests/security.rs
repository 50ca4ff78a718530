#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Findings of the security probe (issue 14), each replayed as the request sequence that
//! showed it, against the real router; each must now get the safe answer.
//!
//! - (High) approval bypass by re-import: a revised document imported in the browser into
//!   an approved plan is refused with the reason; the approved text is what publishing
//!   publishes.
//! - (Medium) open redirect after sign-in: `next=/\t/evil.example/`.
//! - (Medium) CSV formula injection in a plan's CSV and the public open data.
//! - (Low) security headers: CSP, no framing, nosniff, referrer policy, `no-store`
//!   behind sign-in.
//! - (Low) an API call in a must-change-password session got an HTML redirect.
//! - (Low) a 40,000-character field broke the Excel download; control and bidi-override
//!   characters were accepted in names.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kusei_app::import::{store_document, Destination};
use kusei_app::{Caller, Clock as AppClock};
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::model::{MunicipalityId, Period, Phase, PlanId, UnitId, UnitKind};
use kusei_domain::policy::Scope;
use kusei_store::{NewUnit, NewUser, Store, Transition, Window};
use kusei_web::auth::token_hash;
use kusei_web::{app, AppState, Clock};
use tower::ServiceExt;

const FIXTURE: &str = include_str!("../../kusei-import/tests/fixtures/reform_items.txt");

/// 2025-10-01 12:00 JST.
const NOW: i64 = 1_759_287_600;

struct World {
    state: AppState,
    store: Store,
    m: MunicipalityId,
    ward: UnitId,
    _dir: std::path::PathBuf,
}

async fn world(name: &str) -> World {
    let dir = std::env::temp_dir().join(format!("kusei-security-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.join("k.db").display()))
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
                name: "東区",
                phone: None,
                fax: None,
                duties: None,
            },
        )
        .await
        .unwrap();
    for (login, role, scope, password) in [
        ("editor", "ward_editor", Scope::Unit(ward), None),
        ("boss", "approver", Scope::Unit(ward), None),
        (
            "signer",
            "ward_editor",
            Scope::Unit(ward),
            Some("correct horse battery staple"),
        ),
    ] {
        let hash = match password {
            Some(p) => kusei_app::accounts::hash_password(p).unwrap(),
            None => "$argon2id$unused".to_string(),
        };
        let uid = store
            .create_user(
                "t",
                &NewUser {
                    login,
                    display_name: login,
                    password_hash: &hash,
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
    World {
        state: AppState::new(store.clone()).with_clock(Clock::Fixed(NOW)),
        store,
        m,
        ward,
        _dir: dir,
    }
}

async fn send(w: &World, req: Request<Body>) -> (StatusCode, Option<String>, String) {
    let res = app(w.state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).to_string(),
    )
}

fn form(uri: &str, login: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let mut body: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    body.push(("csrf".into(), format!("csrf{login}")));
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("kusei_session=token{login}"))
        .body(Body::from(serde_urlencoded::to_string(&body).unwrap()))
        .unwrap()
}

/// The browser import: preview (multipart), then confirm into `ward` for 令和7年度.
async fn browser_import(w: &World, login: &str, text: &str) -> (StatusCode, String) {
    let boundary = "kuseiboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ncsrf{login}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"reform.txt\"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n"
    );
    let req = Request::post("/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, format!("kusei_session=token{login}"))
        .body(Body::from(body))
        .unwrap();
    let (status, _, page) = send(w, req).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let token = page
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let ward = w.ward.0.to_string();
    let (status, _, page) = send(
        w,
        form(
            "/import/confirm",
            login,
            &[("token", &token), ("unit", &ward), ("year", "2025")],
        ),
    )
    .await;
    (status, page)
}

#[tokio::test]
async fn a_re_import_cannot_change_an_approved_plan() {
    let w = world("bypass").await;
    w.store
        .set_window(
            "t",
            w.m,
            &Window {
                fiscal_year: FiscalYear::new(2025).unwrap(),
                phase: Phase::Plan,
                opens_on: Date::new(2025, 4, 1).unwrap(),
                closes_on: Date::new(2026, 3, 31).unwrap(),
            },
        )
        .await
        .unwrap();
    let (status, _) = browser_import(&w, "editor", FIXTURE).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let plan = PlanId(1);
    for step in [Transition::Submit, Transition::Approve] {
        w.store.transition("t", plan, step, None).await.unwrap();
    }
    let approved = serde_json::to_string(&w.store.load_plan(plan).await.unwrap()).unwrap();
    let revised = FIXTURE.replacen("(取組の内容)", "(取組の内容) 承認されていない文。", 1);
    assert_ne!(revised, FIXTURE);
    let (status, page) = browser_import(&w, "editor", &revised).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("承認済み"), "the reason is shown: {page}");
    assert_eq!(
        serde_json::to_string(&w.store.load_plan(plan).await.unwrap()).unwrap(),
        approved,
        "nothing changed"
    );
    // Publishing publishes exactly the approved text.
    w.store
        .transition("boss", plan, Transition::Publish, None)
        .await
        .unwrap();
    let published = w.store.published_plan(plan, None).await.unwrap().unwrap();
    let text = serde_json::to_string(&published).unwrap();
    assert!(!text.contains("承認されていない文"));
}

#[tokio::test]
async fn sign_in_never_redirects_to_another_site() {
    let w = world("redirect").await;
    for evil in [
        "/\t/evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\n/evil.example/",
        "https://evil.example/",
    ] {
        // The sign-in form does not carry the target on.
        let uri = format!("/login?next={}", kusei_web_url_encode(evil));
        let (status, _, page) = send(&w, Request::get(&uri).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("name=\"next\" value=\"/\""),
            "{evil:?}: the form's next is /"
        );
        assert!(!page.contains("evil.example"), "{evil:?}");
        // Signing in with it lands on this site.
        let body = serde_urlencoded::to_string([
            ("login", "signer"),
            ("password", "correct horse battery staple"),
            ("next", evil),
            ("csrf", "pre"),
        ])
        .unwrap();
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, "kusei_pre=pre")
            .body(Body::from(body))
            .unwrap();
        let (status, location, page) = send(&w, req).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{evil:?}: {page}");
        assert_eq!(location.as_deref(), Some("/"), "{evil:?}");
    }
}

fn kusei_web_url_encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn csv_cells_never_become_formulas() {
    let w = world("csv").await;
    let evil = "=HYPERLINK(\"http://evil.example\",\"見る\")";
    let text = FIXTURE.replacen("【", &format!("【{evil}"), 1);
    let doc = kusei_import::parse_text("evil.txt", &text);
    let (outcome, _) = store_document(
        &w.store,
        &Caller::operator("t"),
        &doc,
        text.as_bytes(),
        w.m,
        Destination::Unit(w.ward),
        Period::year(FiscalYear::new(2025).unwrap()),
        AppClock::Fixed(NOW).today_jst(),
    )
    .await
    .unwrap();
    let plan = kusei_app::import::plan_of(&outcome);
    for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
        w.store.transition("t", plan, step, None).await.unwrap();
    }
    let plan_csv = format!("/plans/{}/export/csv", plan.0);
    let open_data = format!("/api/v1/open-data/{}?format=csv", w.m.0);
    for uri in [plan_csv.as_str(), open_data.as_str()] {
        let (status, _, body) = send(&w, Request::get(uri).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        assert!(body.contains("HYPERLINK"), "{uri}: the title is there");
        for cell in body.split([',', '\n']) {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "{uri}: a cell would run as a formula: {cell}"
            );
        }
        assert!(body.contains("'=HYPERLINK"), "{uri}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let w = world("headers").await;
    for (uri, login) in [
        ("/", None),
        ("/login", None),
        ("/static/kusei.css", None),
        ("/api/v1/plans", None),
        ("/no-such-page", None),
        ("/admin", Some("editor")),
        ("/", Some("editor")),
    ] {
        let mut req = Request::get(uri);
        if let Some(l) = login {
            req = req.header(header::COOKIE, format!("kusei_session=token{l}"));
        }
        let res = app(w.state.clone())
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let h = res.headers();
        let csp = h
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap_or_else(|| panic!("{uri}: no CSP"))
            .to_str()
            .unwrap();
        assert!(csp.contains("default-src 'self'"), "{uri}: {csp}");
        assert!(csp.contains("script-src 'none'"), "{uri}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin", "{uri}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{uri}");
        if login.is_some() {
            assert_eq!(h[header::CACHE_CONTROL], "no-store", "{uri} signed in");
        }
    }
}

#[tokio::test]
async fn a_refused_import_says_why_in_the_page_language_and_keeps_the_way_back() {
    let w = world("refused-page").await;
    // No plan window is set: a new plan is stored (it needs none) …
    let (status, _) = browser_import(&w, "editor", FIXTURE).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // … but a revision of it is refused, on a page of the user's, in one language.
    let revised = FIXTURE.replacen("(取組の内容)", "(取組の内容) 改訂。", 1);
    let (status, page) = browser_import(&w, "editor", &revised).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("受付期間が設定されていません"), "{page}");
    assert!(page.contains("何も保存されていません"), "{page}");
    assert!(
        page.contains("href=\"/plans/1?lang=ja\""),
        "a way to the plan: {page}"
    );
    assert!(!page.contains("No period is set"), "Japanese only: {page}");
    assert!(
        page.contains("サインアウト"),
        "still shown as signed in: {page}"
    );
}

#[tokio::test]
async fn an_api_call_before_the_password_change_gets_the_api_error() {
    let w = world("otp").await;
    let uid = w
        .store
        .create_user(
            "t",
            &NewUser {
                login: "fresh",
                display_name: "fresh",
                password_hash: "$argon2id$unused",
                must_change_password: true,
                roles: vec![("ward_editor", Scope::Unit(w.ward))],
            },
        )
        .await
        .unwrap();
    w.store
        .create_session(
            &token_hash("tokenfresh"),
            uid,
            "csrffresh",
            "2099-01-01T00:00:00Z",
        )
        .await
        .unwrap();
    let get = |uri: &str| {
        Request::get(uri)
            .header(header::COOKIE, "kusei_session=tokenfresh")
            .body(Body::empty())
            .unwrap()
    };
    let (status, _, body) = send(&w, get("/api/v1/plans")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "password_change_required", "{body}");
    // A page sends the user to the password form.
    let (status, location, _) = send(&w, get("/")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/account/password"));
}

#[tokio::test]
async fn a_field_longer_than_a_spreadsheet_cell_is_refused_at_the_field() {
    let w = world("long").await;
    w.store
        .set_window(
            "t",
            w.m,
            &Window {
                fiscal_year: FiscalYear::new(2025).unwrap(),
                phase: Phase::Review,
                opens_on: Date::new(2025, 9, 1).unwrap(),
                closes_on: Date::new(2025, 10, 31).unwrap(),
            },
        )
        .await
        .unwrap();
    let (status, _) = browser_import(&w, "editor", FIXTURE).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let sp = w.store.load_plan(PlanId(1)).await.unwrap();
    let node = &sp.nodes[0].node;
    let before = serde_json::to_string(&sp).unwrap();
    let long = "あ".repeat(40_000);
    let uri = format!("/nodes/{}/review", node.id.0);
    let version = node.version.to_string();
    let (status, _, page) = send(
        &w,
        form(
            &uri,
            "editor",
            &[
                ("implementation", "not_expected"),
                ("achievement", "off_track"),
                ("remedy", &long),
                ("version", &version),
            ],
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        &page[..500.min(page.len())]
    );
    assert!(
        page.contains("32,767文字以内"),
        "the message is at the field"
    );
    assert!(page.contains(&long), "what was typed is kept");
    let after = w.store.load_plan(PlanId(1)).await.unwrap();
    assert_eq!(
        serde_json::to_string(&after).unwrap(),
        before,
        "nothing stored"
    );
    // A document with such a field is refused before anything is stored, naming the item.
    let huge = FIXTURE.replacen("(取組の内容)", &format!("(取組の内容) {long}"), 1);
    let doc = kusei_import::parse_text("huge.txt", &huge);
    let err = store_document(
        &w.store,
        &Caller::operator("t"),
        &doc,
        huge.as_bytes(),
        w.m,
        Destination::Ward("西区"),
        Period::year(FiscalYear::new(2025).unwrap()),
        AppClock::Fixed(NOW).today_jst(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("32767"), "{err}");
}

#[tokio::test]
async fn names_with_control_or_direction_characters_are_refused() {
    let w = world("names").await;
    let unit = |name: &'static str| NewUnit {
        municipality_id: w.m,
        parent_id: None,
        kind: UnitKind::Ward,
        name,
        phone: None,
        fax: None,
        duties: None,
    };
    for bad in ["東\u{202E}区", "西\0区", "北\n区"] {
        let e = w.store.create_unit("t", &unit(bad)).await.unwrap_err();
        assert!(
            matches!(&e, kusei_store::StoreError::Field { field, .. } if field == "name"),
            "{bad:?}: {e}"
        );
        let e = w
            .store
            .create_user(
                "t",
                &NewUser {
                    login: "someone",
                    display_name: bad,
                    password_hash: "$argon2id$unused",
                    must_change_password: true,
                    roles: vec![],
                },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("display_name"), "{bad:?}: {e}");
        let e = w
            .store
            .rename_municipality("t", w.m, bad)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("制御文字"), "{bad:?}: {e}");
    }
    // An ordinary Japanese name is fine.
    assert!(w.store.create_unit("t", &unit("港区")).await.is_ok());
}

/// A session ends after an hour without a request; a request within the hour moves the
/// deadline on. The session's absolute end (8 hours) still holds.
#[tokio::test]
async fn an_idle_session_ends_after_an_hour() {
    let w = world("idle").await;
    let body = serde_urlencoded::to_string([
        ("login", "signer"),
        ("password", "correct horse battery staple"),
        ("next", "/"),
        ("csrf", "pre"),
    ])
    .unwrap();
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, "kusei_pre=pre")
        .body(Body::from(body))
        .unwrap();
    let res = app(w.state.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let token = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("kusei_session="))
        .map(|c| c.split(';').next().unwrap_or("").to_string())
        .expect("a session cookie");
    // The account page as the same browser, `minutes` after signing in.
    let at = |minutes: i64| {
        let state = AppState::new(w.store.clone()).with_clock(Clock::Fixed(NOW + minutes * 60));
        let req = Request::get("/admin/indicators")
            .header(header::COOKIE, format!("kusei_session={token}"))
            .body(Body::empty())
            .unwrap();
        async move {
            let res = app(state).oneshot(req).await.unwrap();
            (
                res.status(),
                res.headers()
                    .get(header::LOCATION)
                    .map(|v| v.to_str().unwrap().to_string()),
            )
        }
    };
    // Signed in (a ward editor: refused the city's page, not sent to sign in).
    assert_eq!(at(50).await.0, StatusCode::FORBIDDEN);
    // 50 minutes later the deadline had moved on: still signed in at 100.
    assert_eq!(at(100).await.0, StatusCode::FORBIDDEN);
    // Then an hour and more without a request: sent to sign in again.
    let (status, location) = at(100 + 61).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location:?}");
    assert!(location.unwrap_or_default().starts_with("/login"));
}
