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
        ("cityadmin", "city_admin", Scope::Municipality(m), None),
        ("root", "system_admin", Scope::System, None),
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

/// A pre-session token as the sign-in form hands it out.
async fn pre_token(w: &World) -> String {
    let res = app(w.state.clone())
        .oneshot(Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("kusei_pre="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string()
}

/// A sign-in post with the form's own pre-session token.
async fn sign_in_request(w: &World, login: &str, password: &str, next: &str) -> Request<Body> {
    let pre = pre_token(w).await;
    let body = serde_urlencoded::to_string([
        ("login", login),
        ("password", password),
        ("next", next),
        ("csrf", pre.as_str()),
    ])
    .unwrap();
    Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("kusei_pre={pre}"))
        .body(Body::from(body))
        .unwrap()
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
        let req = sign_in_request(&w, "signer", "correct horse battery staple", evil).await;
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
    let req = sign_in_request(&w, "signer", "correct horse battery staple", "/").await;
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

/// Login CSRF: a pre-session cookie the server did not make (planted by someone else)
/// is refused, even with a matching form field.
#[tokio::test]
async fn a_planted_pre_session_cookie_is_refused() {
    let w = world("planted").await;
    for planted in ["pre", &"a".repeat(128), &"0".repeat(64)] {
        let body = serde_urlencoded::to_string([
            ("login", "signer"),
            ("password", "correct horse battery staple"),
            ("next", "/"),
            ("csrf", planted),
        ])
        .unwrap();
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("kusei_pre={planted}"))
            .body(Body::from(body))
            .unwrap();
        let (status, _, _) = send(&w, req).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{planted:?}");
    }
    // The form's own token works.
    let req = sign_in_request(&w, "signer", "correct horse battery staple", "/").await;
    assert_eq!(send(&w, req).await.0, StatusCode::SEE_OTHER);
}

/// 40 wrong passwords at once: five are checked, the others wait (never eight); the
/// right password waits too, then works; an unknown login gets exactly the same answers.
#[tokio::test]
async fn sign_in_attempts_are_throttled_the_same_for_unknown_logins() {
    let w = world("throttle").await;
    let burst = |login: &'static str| {
        let w_state = w.state.clone();
        async move {
            let pre = {
                let res = app(w_state.clone())
                    .oneshot(Request::get("/login").body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                res.headers()
                    .get_all(header::SET_COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(|c| c.strip_prefix("kusei_pre="))
                    .and_then(|c| c.split(';').next())
                    .unwrap()
                    .to_string()
            };
            let tasks: Vec<_> = (0..40)
                .map(|i| {
                    let (state, pre) = (w_state.clone(), pre.clone());
                    tokio::spawn(async move {
                        let body = serde_urlencoded::to_string([
                            ("login", login),
                            ("password", &format!("wrong password {i}")),
                            ("csrf", &pre),
                        ])
                        .unwrap();
                        let req = Request::post("/login")
                            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                            .header(header::COOKIE, format!("kusei_pre={pre}"))
                            .body(Body::from(body))
                            .unwrap();
                        app(state).oneshot(req).await.unwrap().status()
                    })
                })
                .collect();
            let mut counts = std::collections::BTreeMap::new();
            for t in tasks {
                *counts.entry(t.await.unwrap().as_u16()).or_insert(0) += 1;
            }
            counts
        }
    };
    let known = burst("signer").await;
    assert_eq!(known.get(&401), Some(&5), "{known:?}");
    assert_eq!(known.get(&429), Some(&35), "{known:?}");
    let unknown = burst("nobody").await;
    assert_eq!(unknown, known, "an unknown login is answered the same way");
    // The right password waits too, and the page says until when (Japan time).
    let req = sign_in_request(&w, "signer", "correct horse battery staple", "/").await;
    let res = app(w.state.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get(header::RETRY_AFTER).is_some());
    let page = String::from_utf8(
        axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(
        // The 30 s wait ends at 12:00:30; shown to the minute, it is rounded up, so that
        // at the time shown the right password works.
        page.contains("しばらくお待ちください") && page.contains("令和7年10月1日 12:01"),
        "{page}"
    );
    // Thirty seconds later the real user signs in: waits grow, they never lock for good.
    let later = World {
        state: AppState::new(w.store.clone()).with_clock(Clock::Fixed(NOW + 31)),
        store: w.store.clone(),
        m: w.m,
        ward: w.ward,
        _dir: w._dir.clone(),
    };
    let req = sign_in_request(&later, "signer", "correct horse battery staple", "/").await;
    assert_eq!(send(&later, req).await.0, StatusCode::SEE_OTHER);
    // Each step is in the security log; never a password.
    let (events, _) = w
        .store
        .security_events(&kusei_store::EventFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count("sign_in_failed"), 10);
    assert_eq!(count("sign_in_throttled"), 71);
    assert_eq!(count("sign_in"), 1);
    assert!(events
        .iter()
        .all(|e| !e.detail.to_string().contains("wrong password")));
}

/// An administrator disables a user (sessions end at once, sign-in refused), re-enables
/// them, issues a one-time password that expires after 24 hours, and removes a role; a
/// ward editor can do none of it.
#[tokio::test]
async fn an_administrator_revokes_and_restores_a_user() {
    let w = world("revoke").await;
    let m = w.m.0.to_string();
    let user_url = format!("/admin/users/signer?municipality={m}");
    let signed_in = |w: &World| {
        let req = Request::get("/admin/indicators")
            .header(header::COOKIE, "kusei_session=tokensigner")
            .body(Body::empty())
            .unwrap();
        let state = w.state.clone();
        async move { app(state).oneshot(req).await.unwrap().status() != StatusCode::SEE_OTHER }
    };
    assert!(signed_in(&w).await);
    // A ward editor cannot.
    let (status, _, _) = send(&w, form(&user_url, "editor", &[("action", "disable")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The city administrator disables: the session ends, sign-in is refused.
    // Asked once more first, saying what it does; nothing happens yet.
    let (status, _, page) = send(&w, form(&user_url, "cityadmin", &[("action", "disable")])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("name=\"confirm\"") && page.contains("利用を停止します"),
        "{page}"
    );
    assert!(signed_in(&w).await, "not disabled before the confirmation");
    let (status, location, page) = send(
        &w,
        form(
            &user_url,
            "cityadmin",
            &[("action", "disable"), ("confirm", "1")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(location.unwrap().contains("done=disabled"));
    assert!(!signed_in(&w).await, "disabling ends the user's sessions");
    let req = sign_in_request(&w, "signer", "correct horse battery staple", "/").await;
    let (status, _, page) = send(&w, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("利用停止中"), "{page}");
    // The user's page says so, in one language.
    let (status, _, page) = send(
        &w,
        Request::get(format!("{user_url}&lang=en"))
            .header(header::COOKIE, "kusei_session=tokencityadmin")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Disabled") && page.contains("Japan time"),
        "{page}"
    );
    // Re-enabled, then a new one-time password, shown once.
    let (status, _, _) = send(&w, form(&user_url, "cityadmin", &[("action", "enable")])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) = send(&w, form(&user_url, "cityadmin", &[("action", "reset")])).await;
    assert_eq!(status, StatusCode::OK);
    let stamp = page
        .split("name=\"stamp\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the confirmation carries the stamp")
        .to_string();
    let confirmed = [
        ("action", "reset"),
        ("confirm", "1"),
        ("stamp", stamp.as_str()),
    ];
    let (status, _, page) = send(&w, form(&user_url, "cityadmin", &confirmed)).await;
    assert_eq!(status, StatusCode::OK);
    let otp = page
        .split("class=\"otp\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    assert_eq!(otp.len(), 16);
    // Reloading that page posts the same form again: no second password (the one just
    // handed out keeps working), and the page says why.
    let (status, _, page) = send(&w, form(&user_url, "cityadmin", &confirmed)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("すでに発行"), "{page}");
    assert!(!page.contains("class=\"otp\""), "no password shown again");
    // The old password no longer works; the new one does, and must be changed first.
    let req = sign_in_request(&w, "signer", "correct horse battery staple", "/").await;
    assert_eq!(send(&w, req).await.0, StatusCode::UNAUTHORIZED);
    let req = sign_in_request(&w, "signer", &otp, "/").await;
    let (status, location, _) = send(&w, req).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/account/password"))
    );
    // A day later it has expired.
    let tomorrow = World {
        state: AppState::new(w.store.clone()).with_clock(Clock::Fixed(NOW + 24 * 3600 + 1)),
        store: w.store.clone(),
        m: w.m,
        ward: w.ward,
        _dir: w._dir.clone(),
    };
    let req = sign_in_request(&tomorrow, "signer", &otp, "/").await;
    let (status, _, page) = send(&tomorrow, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("有効期限"), "{page}");
    // Removing the role takes the rights away at once.
    let (status, _, _) = send(
        &w,
        form(
            &user_url,
            "cityadmin",
            &[("action", "remove_role"), ("index", "0"), ("confirm", "1")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let u = w.store.find_user("signer").await.unwrap().unwrap();
    assert!(u.roles.is_empty());
    // Nobody disables themselves.
    let own = format!("/admin/users/cityadmin?municipality={m}");
    let (status, _, page) = send(&w, form(&own, "cityadmin", &[("action", "disable")])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    // Nor takes their own administration away.
    let (status, _, page) = send(
        &w,
        form(
            &own,
            "cityadmin",
            &[("action", "remove_role"), ("index", "0")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(!w
        .store
        .find_user("cityadmin")
        .await
        .unwrap()
        .unwrap()
        .roles
        .is_empty());
    // Every step is in the log, read by the city administrator, exported as CSV.
    let (status, _, page) = send(
        &w,
        Request::get(format!("/admin/security?municipality={m}"))
            .header(header::COOKIE, "kusei_session=tokencityadmin")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for kind in [
        "利用停止",
        "利用再開",
        "一時パスワード再発行",
        "権限の削除",
        "サインイン拒否",
    ] {
        assert!(page.contains(kind), "{kind}: {page}");
    }
    assert!(!page.contains(&otp), "a one-time password is never logged");
    let (status, _, _) = send(
        &w,
        Request::get(format!("/admin/security?municipality={m}"))
            .header(header::COOKIE, "kusei_session=tokeneditor")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a ward editor does not read the log"
    );
}

/// The log's CSV neutralises formulas (a login typed as a formula at the sign-in form).
#[tokio::test]
async fn the_security_log_exports_without_formulas() {
    let w = world("seclog").await;
    let req = sign_in_request(
        &w,
        "=HYPERLINK(\"http://evil.example\")",
        "whatever it is",
        "/",
    )
    .await;
    assert_eq!(send(&w, req).await.0, StatusCode::UNAUTHORIZED);
    let (status, _, csv) = send(
        &w,
        Request::get("/admin/security?format=csv")
            .header(header::COOKIE, "kusei_session=tokenroot")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
    // An unknown login's failure is system-wide: not in the city's log.
    let (_, _, page) = send(
        &w,
        Request::get(format!("/admin/security?municipality={}", w.m.0))
            .header(header::COOKIE, "kusei_session=tokencityadmin")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(!page.contains("HYPERLINK"));
}

/// An upload waits in the database: another server instance on the same database
/// confirms it.
#[tokio::test]
async fn another_instance_confirms_an_upload() {
    let w = world("instances").await;
    let boundary = "kuseiboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ncsrfeditor\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"reform.txt\"\r\nContent-Type: text/plain\r\n\r\n{FIXTURE}\r\n--{boundary}--\r\n"
    );
    let req = Request::post("/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, "kusei_session=tokeneditor")
        .body(Body::from(body))
        .unwrap();
    let (status, _, page) = send(&w, req).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let token = page
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let url = format!("sqlite://{}", w._dir.join("k.db").display());
    let other_store = Store::connect(&url).await.unwrap();
    let other = World {
        state: AppState::new(other_store.clone()).with_clock(Clock::Fixed(NOW)),
        store: other_store,
        m: w.m,
        ward: w.ward,
        _dir: w._dir.clone(),
    };
    let ward = w.ward.0.to_string();
    let confirm = form(
        "/import/confirm",
        "editor",
        &[("token", &token), ("unit", &ward), ("year", "2025")],
    );
    let (status, location, page) = send(&other, confirm).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(location.unwrap().contains("imported=created"));
    // Confirmed once: the token is gone.
    let again = form(
        "/import/confirm",
        "editor",
        &[("token", &token), ("unit", &ward), ("year", "2025")],
    );
    assert_eq!(send(&w, again).await.0, StatusCode::BAD_REQUEST);
}

/// The public lists (home page, `/api/v1/plans`, open data) show a published plan as it
/// was published: its title and item count, never the working copy's.
#[tokio::test]
async fn public_lists_show_the_published_version_not_the_working_copy() {
    let w = world("lists").await;
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
    for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
        w.store.transition("t", plan, step, None).await.unwrap();
    }
    let published = w.store.load_plan(plan).await.unwrap();
    let items = published.nodes.len();
    // The ward goes on working: one more item in the working copy.
    let revised = FIXTURE.to_string()
        + "\n取組項目 9\n\n【まだ公表していない取組】\n\n取組の方針・目標内容\t当年度の取組内容\n<p>(趣旨・目的) 未公表。</p>\t<p>(取組の内容) 未公表。</p>\n";
    let (status, page) = browser_import(&w, "editor", &revised).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let plans = w.store.list_plans(None, None).await.unwrap();
    assert_eq!(plans.len(), 1, "the same plan, revised");
    assert!(plans[0].node_count > items as i64, "{plans:?}");
    let anonymous = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let (_, _, home) = send(&w, anonymous("/")).await;
    assert!(home.contains(&format!("<td>{items}</td>")), "{home}");
    let (_, _, api) = send(&w, anonymous("/api/v1/plans")).await;
    let v: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(v["plans"][0]["node_count"], items);
    assert_eq!(v["plans"][0]["status"], serde_json::Value::Null);
    // Staff of the ward see their working copy.
    let (_, _, staff) = send(
        &w,
        Request::get("/")
            .header(header::COOKIE, "kusei_session=tokeneditor")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(
        staff.contains(&format!("<td>{}</td>", plans[0].node_count)),
        "{staff}"
    );
}
