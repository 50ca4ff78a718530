#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The year's daily work (issue 16), against the real router.
//!
//! One language per page: every page (and error page) a city's staff and the public meet,
//! in `?lang=en` and in Japanese, on a city whose own data (names, titles, levels) is
//! ASCII, so any Japanese on an English page is the interface's, and any English word on
//! a Japanese page is the interface's too (beside a few names: Kusei, CSV, PDF, Excel…).
//! Also: a form error in English stays English, and the choice is kept by a cookie; a
//! submission is checked first (a missing required remedy blocks it, warnings are ticked).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{LinkContent, NodeContent, PlanContent};
use kusei_domain::model::{Family, LinkKind, Period, Phase, Section, UnitKind};
use kusei_domain::policy::Scope;
use kusei_store::{NewUnit, NewUser, Store, Transition, Window};
use kusei_web::auth::token_hash;
use kusei_web::{app, AppState, Clock};
use tower::ServiceExt;

/// 2025-10-01 12:00 JST.
const NOW: i64 = 1_759_287_600;

struct World {
    state: AppState,
    plan: i64,
    node: i64,
    unit: i64,
    m: i64,
    _dir: std::path::PathBuf,
}

async fn world(name: &str) -> World {
    let dir = std::env::temp_dir().join(format!("kusei-daily-{name}-{}", std::process::id()));
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
        phone: Some("06-1234-5678"),
        fax: None,
        duties: Some("Counter"),
    };
    let ward = store
        .create_unit("t", &unit(None, UnitKind::Ward, "North"))
        .await
        .unwrap();
    let desk = store
        .create_unit("t", &unit(Some(ward), UnitKind::Section, "Desk"))
        .await
        .unwrap();
    let fy = FiscalYear::new(2025).unwrap();
    for phase in [Phase::Plan, Phase::Review, Phase::Evaluation] {
        store
            .set_window(
                "t",
                m,
                &Window {
                    fiscal_year: fy,
                    phase,
                    opens_on: "2025-04-01".parse().unwrap(),
                    closes_on: "2026-03-31".parse().unwrap(),
                },
            )
            .await
            .unwrap();
    }
    let node = |level: &str, title: &str, owner: Option<&str>| NodeContent {
        level: level.into(),
        title: title.into(),
        owner: owner.map(str::to_string),
        sections: vec![Section {
            phase: Phase::Plan,
            heading: "Purpose".into(),
            body: "Safer streets".into(),
        }],
        ..Default::default()
    };
    let content = PlanContent {
        family: Family::ManagementSheet,
        title: "North plan".into(),
        period: Period::year(fy),
        level_names: vec!["Issue".into(), "Initiative".into()],
        nodes: vec![
            node("Issue", "Safety", None),
            node("Initiative", "Drills", Some("Desk")),
            node("Initiative", "Patrols", Some("Desk")),
        ],
        links: vec![
            LinkContent {
                parent: 0,
                child: 1,
                kind: LinkKind::Primary,
            },
            LinkContent {
                parent: 0,
                child: 2,
                kind: LinkKind::Primary,
            },
        ],
        is_sample: false,
    };
    let plan = store.save_plan("t", ward, &content).await.unwrap();
    for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
        store.transition("t", plan, step, None).await.unwrap();
    }
    for (login, role, scope) in [
        ("admin", "city_admin", Scope::Municipality(m)),
        ("editor", "ward_editor", Scope::Unit(ward)),
        ("desk", "section_editor", Scope::Unit(desk)),
        ("approver", "approver", Scope::Unit(ward)),
        ("member", "council_member", Scope::Unit(ward)),
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
    let sp = store.load_plan(plan).await.unwrap();
    // The council: a meeting and an opinion on an item (answered and published), and
    // one waiting for its answer.
    let meeting = store
        .create_meeting(
            "t",
            &kusei_store::NewMeeting {
                unit: ward,
                kind: kusei_domain::council::MeetingKind::Plenary,
                name: "Safety",
                held_on: "2025-06-12".parse().unwrap(),
                agenda: "Drills",
                attendance: Some(12),
                minutes: "Drills",
                plan: Some(plan),
                group: None,
            },
        )
        .await
        .unwrap();
    for (body, answered) in [("Safety Drills", true), ("Patrols", false)] {
        let id = store
            .add_opinion(
                "member",
                &kusei_store::NewOpinion {
                    plan,
                    node: Some(sp.nodes[1].node.id),
                    fiscal_year: fy,
                    category: kusei_domain::council::Category::Evaluation,
                    rating: Some(kusei_domain::council::Rating::Mostly),
                    body,
                    meeting: Some(meeting),
                    member_name: None,
                    name_public: false,
                },
            )
            .await
            .unwrap();
        if answered {
            store
                .answer_opinion(
                    "editor",
                    id,
                    1,
                    &kusei_store::Answer {
                        answer: "Drills",
                        reflection: kusei_domain::council::Reflection::NotPossible,
                        reason: Some("Safety"),
                        reflected_node: None,
                        reflected_note: None,
                        reported_meeting: Some(meeting),
                    },
                )
                .await
                .unwrap();
            store.publish_answers("editor", &[id]).await.unwrap();
        }
    }
    World {
        state: AppState::new(store.clone()).with_clock(Clock::Fixed(NOW)),
        plan: plan.0,
        node: sp.nodes[1].node.id.0,
        unit: desk.0,
        m: m.0,
        _dir: dir,
    }
}

async fn get(
    w: &World,
    login: Option<&str>,
    uri: &str,
    cookie: Option<&str>,
) -> (StatusCode, String) {
    let mut cookies = Vec::new();
    if let Some(l) = login {
        cookies.push(format!("kusei_session=token{l}"));
    }
    if let Some(c) = cookie {
        cookies.push(c.to_string());
    }
    let mut req = Request::get(uri);
    if !cookies.is_empty() {
        req = req.header(header::COOKIE, cookies.join("; "));
    }
    let res = app(w.state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).to_string())
}

/// What a person reads or hears of a page: its text and its labels (aria-label, alt,
/// title, placeholder), without elements marked as another language (the language
/// switch, `lang="en"`/`lang="ja"` spans).
fn readable(html: &str, lang: &str) -> String {
    let other = if lang == "en" { "ja" } else { "en" };
    let mut s = html.to_string();
    // Elements in the other language, by their own lang attribute (one level deep).
    while let Some(i) = s.find(&format!(" lang=\"{other}\"")) {
        let start = s[..i].rfind('<').unwrap_or(i);
        let tag: String = s[start + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let end = s[i..]
            .find(&format!("</{tag}>"))
            .map_or(s.len(), |e| i + e + tag.len() + 3);
        s.replace_range(start..end, " ");
    }
    let mut out = String::new();
    for attr in ["aria-label=\"", "alt=\"", "title=\"", "placeholder=\""] {
        for part in s.split(attr).skip(1) {
            out.push_str(part.split('"').next().unwrap_or(""));
            out.push(' ');
        }
    }
    // Text between tags; <title> and <option> included.
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
}

fn japanese_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if ('\u{3040}'..='\u{30ff}').contains(&c)
            || ('\u{4e00}'..='\u{9fff}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
            || "（）「」、。・～".contains(c)
        {
            cur.push(c);
        } else if !cur.is_empty() {
            found.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        found.push(cur);
    }
    found
}

/// Names a Japanese page may show in Latin letters.
const LATIN_OK: &[&str] = &[
    "Kusei",
    "CSV",
    "JSON",
    "PDF",
    "Excel",
    "HTML",
    "URL",
    "ID",
    "API",
    "UTF",
    "BOM",
    "FAX",
    "Shift_JIS",
    "EUC",
    "JP",
    "xlsx",
    "OpenAPI",
    "WCAG",
    "JIS",
    "Testcity",
    "North",
    "Desk",
    "Counter",
    "Safety",
    "Drills",
    "Patrols",
    "Issue",
    "Initiative",
    "Purpose",
    "Safer",
    "streets",
    "plan",
    "admin",
    "editor",
    "desk",
    "approver",
    "member",
    "docs",
    "import",
    "format",
    "md",
    "txt",
    "text",
    "utf",
    "Shift",
    "JIS",
    "EUC",
    "of",
    "the",
    "PDCA",
    "api",
    "json",
    "openapi",
];

fn english_in(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic() && c != '_')
        .filter(|w| w.len() >= 3 && !LATIN_OK.contains(w))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn every_page_speaks_one_language() {
    let w = world("pages").await;
    let (p, n, u, m) = (w.plan, w.node, w.unit, w.m);
    let ward = w
        .state
        .store
        .get_unit(kusei_domain::model::UnitId(u))
        .await
        .unwrap()
        .parent_id
        .unwrap()
        .0;
    let pages: Vec<(Option<&str>, String)> = vec![
        (None, "/".into()),
        (None, format!("/plans/{p}")),
        (None, format!("/plans/{p}/versions/1")),
        (None, "/open-data".into()),
        (None, format!("/dashboard/{m}")),
        (None, "/login".into()),
        (None, "/plans/999999".into()),
        (Some("editor"), "/".into()),
        (Some("editor"), format!("/plans/{p}")),
        (Some("editor"), format!("/plans/{p}/structure")),
        (Some("editor"), format!("/plans/{p}/progress")),
        (Some("editor"), format!("/plans/{p}/history")),
        (Some("editor"), format!("/nodes/{n}")),
        (Some("editor"), format!("/nodes/{n}/plan")),
        (Some("editor"), format!("/nodes/{n}/review")),
        (Some("editor"), format!("/nodes/{n}/evaluation")),
        (Some("editor"), format!("/nodes/{n}/history")),
        (Some("editor"), format!("/nodes/{n}/delete")),
        (Some("editor"), "/plans/new".into()),
        (Some("editor"), "/import".into()),
        (Some("editor"), "/account/password".into()),
        (Some("desk"), "/".into()),
        (Some("desk"), format!("/plans/{p}/structure")),
        (Some("admin"), format!("/admin?municipality={m}")),
        (Some("admin"), format!("/admin/units/{u}")),
        (
            Some("admin"),
            format!("/admin/users/editor?municipality={m}"),
        ),
        (Some("admin"), format!("/admin/security?municipality={m}")),
        (Some("admin"), format!("/admin/indicators?municipality={m}")),
        // The city's roll-up, grading rules and form settings (issue 18).
        (None, format!("/rollup/{m}")),
        (None, format!("/rollup/{m}?phase=review")),
        (Some("admin"), format!("/rollup/{m}")),
        (
            Some("admin"),
            format!("/rollup/{m}?phase=review&ward={ward}"),
        ),
        (Some("admin"), format!("/admin/grading?municipality={m}")),
        (Some("admin"), format!("/admin/forms?municipality={m}")),
        (Some("admin"), "/admin/indicators/1".into()),
        // The ward council: public, its member, the ward's editor; an opinion; the form.
        (None, format!("/council/{ward}")),
        (None, format!("/council/{ward}?status=not_possible")),
        (None, "/opinions/1".into()),
        (None, format!("/nodes/{n}")),
        (Some("member"), format!("/council/{ward}")),
        (Some("member"), format!("/plans/{p}/opinions/new?node={n}")),
        (Some("member"), "/".into()),
        (Some("editor"), format!("/council/{ward}")),
        (Some("editor"), "/opinions/2".into()),
        (Some("editor"), format!("/dashboard/{m}")),
        // Search, an item's public page and a ward's directory (issue 19).
        (None, "/search".into()),
        (None, "/search?q=Safety".into()),
        (None, "/search?q=Safety&kind=item&fiscal_year=2025".into()),
        (None, "/search?q=7777777".into()),
        (None, "/search?q=Safety&fiscal_year=2025-2010&page=0".into()),
        (Some("editor"), "/search?q=Drills".into()),
        (None, format!("/plans/{p}/items/id-{n}")),
        (None, format!("/units/{ward}/directory")),
        // A page a form post shows, opened directly (405), and one the viewer may not see.
        (Some("editor"), format!("/plans/{p}/workflow")),
    ];
    let mut wrong = Vec::new();
    for (login, path) in &pages {
        for lang in ["en", "ja"] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let (status, body) = get(&w, *login, &format!("{path}{sep}lang={lang}"), None).await;
            assert!(
                body.contains(&format!("<html lang=\"{lang}\">")),
                "{path} as {login:?} ({status}) is not a {lang} page"
            );
            // No time in UTC; every element id once (labels and errors point at them).
            if body.contains("UTC") {
                wrong.push(format!("{path} as {login:?} in {lang}: shows UTC"));
            }
            let mut ids: Vec<&str> = body
                .split(" id=\"")
                .skip(1)
                .filter_map(|p| p.split('"').next())
                .collect();
            ids.sort_unstable();
            let before = ids.len();
            ids.dedup();
            if ids.len() != before {
                wrong.push(format!(
                    "{path} as {login:?} in {lang}: an element id repeats"
                ));
            }
            let text = readable(&body, lang);
            let bad = if lang == "en" {
                japanese_in(&text)
            } else {
                english_in(&text)
            };
            if !bad.is_empty() {
                let mut bad = bad;
                bad.sort();
                bad.dedup();
                wrong.push(format!(
                    "{path} as {login:?} in {lang} ({status}): {}",
                    bad.join(" | ")
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} pages mix languages:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The language chosen once is kept by a cookie (pages and form posts without `?lang=`),
/// and a refused form in English answers in English.
#[tokio::test]
async fn the_choice_is_kept_and_form_errors_stay_in_it() {
    let w = world("choice").await;
    let res = app(w.state.clone())
        .oneshot(Request::get("/?lang=en").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    let (_, body) = get(&w, None, "/open-data", Some("lang=en")).await;
    assert!(body.contains("<html lang=\"en\">"), "the cookie's language");
    let (_, body) = get(&w, None, "/open-data?lang=ja", Some("lang=en")).await;
    assert!(
        body.contains("<html lang=\"ja\">"),
        "?lang= wins over the cookie"
    );
    // A form posted without ?lang= (the cookie says English), refused: English only.
    let form = "csrf=csrfeditor&unit=&family=reform_items&period=someday&title=";
    let res = app(w.state.clone())
        .oneshot(
            Request::post("/plans/new")
                .header(header::COOKIE, "kusei_session=tokeneditor; lang=en")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .unwrap();
    let page = String::from_utf8_lossy(&bytes).to_string();
    assert!(page.contains("Cannot read the fiscal year"), "{page}");
    let bad = japanese_in(&readable(&page, "en"));
    assert!(
        bad.is_empty(),
        "Japanese on the English form error: {bad:?}"
    );
    // The error pages too: a 404 in the cookie's language.
    let (status, body) = get(&w, None, "/plans/424242", Some("lang=en")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found") && !body.contains("ページが見つかりません"));
    // A signed-in user's error page keeps the signed-in header.
    let (status, body) = get(
        &w,
        Some("desk"),
        &format!("/plans/{}/structure", w.plan),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body.contains("サインアウト") && body.contains("区の編集者が行います"),
        "{body}"
    );
}

/// A checked submission: a required remedy missing blocks it (422, the item linked, the
/// plan still a draft); once given, the warnings left are acknowledged and it goes on.
#[tokio::test]
async fn a_submission_is_checked_first() {
    let w = world("submit").await;
    let store = w.state.store.clone();
    // A plan imported with a ② and no remedy (a document can say that; the forms cannot).
    let ward = store
        .get_unit(kusei_domain::model::UnitId(w.unit))
        .await
        .unwrap()
        .parent_id
        .unwrap();
    let content = PlanContent {
        family: Family::ReformItems,
        title: "North reform items".into(),
        period: Period::year(FiscalYear::new(2025).unwrap()),
        level_names: vec!["Item".into()],
        nodes: vec![NodeContent {
            level: "Item".into(),
            title: "Paperless".into(),
            reviews: vec![kusei_domain::model::Review {
                fiscal_year: FiscalYear::new(2025).unwrap(),
                implementation: Some(kusei_domain::judgment::ImplementationProspect::Expected),
                achievement: Some(kusei_domain::judgment::AchievementProspect::OffTrack),
                remedy: None,
            }],
            ..Default::default()
        }],
        links: vec![],
        is_sample: false,
    };
    let plan = store.save_plan("t", ward, &content).await.unwrap();
    let item = store.load_plan(plan).await.unwrap().nodes[0].node.id;
    let post = |body: &'static str| {
        let state = w.state.clone();
        async move {
            let res = app(state)
                .oneshot(
                    Request::post(format!("/plans/{}/workflow", plan.0))
                        .header(header::COOKIE, "kusei_session=tokeneditor")
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::from(body))
                        .unwrap(),
                )
                .await
                .unwrap();
            let status = res.status();
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 22)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&bytes).to_string())
        }
    };
    let (status, page) = post("csrf=csrfeditor&step=submit&acknowledge=1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("課題と改善策がありません"), "{page}");
    assert!(
        page.contains(&format!("/nodes/{}/review", item.0)),
        "links the item"
    );
    assert_eq!(
        store.load_plan(plan).await.unwrap().plan.status,
        kusei_domain::model::PlanStatus::Draft
    );
    // The remedy given: only warnings are left (the plan text is empty); unacknowledged,
    // the check is shown again; acknowledged, the plan is submitted.
    let version = store.load_plan(plan).await.unwrap().nodes[0].node.version;
    store
        .set_review(
            "t",
            item,
            version,
            &kusei_domain::model::Review {
                fiscal_year: FiscalYear::new(2025).unwrap(),
                implementation: Some(kusei_domain::judgment::ImplementationProspect::Expected),
                achievement: Some(kusei_domain::judgment::AchievementProspect::OffTrack),
                remedy: Some("Print less".into()),
            },
        )
        .await
        .unwrap();
    let (status, page) = post("csrf=csrfeditor&step=submit&checked=1").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("f-acknowledge-err"),
        "the tick asked for at the box"
    );
    let (status, _) = post("csrf=csrfeditor&step=submit&acknowledge=1").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        store.load_plan(plan).await.unwrap().plan.status,
        kusei_domain::model::PlanStatus::Submitted
    );
}

/// The count in the navigation of a page that is not the home page.
fn nav_count(page: &str) -> Option<usize> {
    let nav = &page[page.find("<nav")?..page.find("</nav>")?];
    let at = nav.find("class=\"count\">")? + "class=\"count\">".len();
    nav[at..].split('<').next()?.trim().parse().ok()
}

/// The count of the home page's inbox heading: あなたの作業 (N).
fn inbox_count(page: &str) -> Option<usize> {
    let at = page.find("id=\"inbox-h\"")?;
    let rest = &page[at..];
    let open = rest.find('(')? + 1;
    rest[open..].split(')').next()?.trim().parse().ok()
}

/// Counts in the navigation: every staff page says how much waits for its viewer, the
/// same number as the home page's inbox, and follows the workflow (submitted: the
/// approver; returned: the editor); the public sees none.
#[tokio::test]
async fn the_navigation_counts_the_work_waiting() {
    let w = world("nav").await;
    let store = w.state.store.clone();
    let ward = store
        .get_unit(kusei_domain::model::UnitId(w.unit))
        .await
        .unwrap()
        .parent_id
        .unwrap();
    let count = |login: &'static str| {
        let w = &w;
        async move {
            let (status, page) = get(w, Some(login), "/open-data?lang=en", None).await;
            assert_eq!(status, StatusCode::OK);
            let (_, home) = get(w, Some(login), "/?lang=en", None).await;
            let n = nav_count(&page);
            assert_eq!(n, nav_count(&home), "{login}: the same count on every page");
            assert_eq!(
                n.filter(|n| *n > 0),
                inbox_count(&home),
                "{login}: the navigation says what the inbox says"
            );
            n
        }
    };
    // The published plan of this year: the section's two items wait for their review
    // and evaluation (the windows are open); one council opinion waits for the editor's
    // answer; nothing waits for the approver.
    assert_eq!(count("desk").await, Some(1));
    assert_eq!(count("editor").await, Some(1));
    assert_eq!(count("approver").await, Some(0));
    let (_, public) = get(&w, None, "/open-data", None).await;
    assert_eq!(nav_count(&public), None, "no count for the public");
    assert!(!public.contains("あなたの作業"));

    let next = store
        .save_plan(
            "t",
            ward,
            &PlanContent {
                family: Family::ReformItems,
                title: "North reform items".into(),
                period: Period::year(FiscalYear::new(2025).unwrap()),
                level_names: vec!["Item".into()],
                nodes: vec![NodeContent {
                    level: "Item".into(),
                    title: "Paperless".into(),
                    ..Default::default()
                }],
                links: vec![],
                is_sample: false,
            },
        )
        .await
        .unwrap();
    store
        .transition("editor", next, Transition::Submit, None)
        .await
        .unwrap();
    assert_eq!(count("approver").await, Some(1), "one plan to approve");
    assert_eq!(count("editor").await, Some(1));
    store
        .transition(
            "approver",
            next,
            Transition::Return,
            Some("Add the targets"),
        )
        .await
        .unwrap();
    assert_eq!(count("approver").await, Some(0));
    assert_eq!(
        count("editor").await,
        Some(2),
        "one plan returned, one opinion"
    );
    let (_, home) = get(&w, Some("editor"), "/", None).await;
    assert!(home.contains("Add the targets"), "the reason in full");
    assert!(
        home.contains("あなたの作業"),
        "the Japanese navigation says it too"
    );
}

/// The import preview of an evaluated sheet whose title names no year (seed 001): the
/// year the text names is offered, and the items' figures and judgments are shown.
#[tokio::test]
async fn the_import_preview_offers_the_documents_own_year() {
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let Some(file) = std::fs::read_dir(&seed).ok().and_then(|d| {
        d.filter_map(Result::ok).map(|e| e.path()).find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("001_"))
        })
    }) else {
        eprintln!("skipped: no seed 001 in {}", seed.display());
        return;
    };
    let text = std::fs::read_to_string(&file).unwrap();
    let w = world("preview").await;
    let boundary = "kuseiboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ncsrfeditor\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"001.txt\"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n"
    );
    let res = app(w.state.clone())
        .oneshot(
            Request::post("/import")
                .header(header::COOKIE, "kusei_session=tokeneditor")
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    let page = String::from_utf8_lossy(&bytes).to_string();
    assert!(page.contains("value=\"平成29年度\""), "the year offered");
    assert!(
        page.contains("と読み取りました"),
        "said where it comes from"
    );
    assert!(
        page.contains("市政改革プランに基づく取組"),
        "the form by its name"
    );
    assert!(page.contains("自己評価"), "evaluations shown");
}

/// Open data lists a download per year and unit only where that unit published a plan
/// of that year: no link to an empty file.
#[tokio::test]
async fn open_data_links_only_plans_that_exist() {
    let w = world("opendata").await;
    let store = w.state.store.clone();
    let south = store
        .create_unit(
            "t",
            &NewUnit {
                municipality_id: kusei_domain::model::MunicipalityId(w.m),
                parent_id: None,
                kind: UnitKind::Ward,
                name: "South",
                phone: None,
                fax: None,
                duties: None,
            },
        )
        .await
        .unwrap();
    let plan = store
        .save_plan(
            "t",
            south,
            &PlanContent {
                family: Family::ManagementSheet,
                title: "South plan".into(),
                period: Period::year(FiscalYear::new(2024).unwrap()),
                level_names: vec!["Issue".into()],
                nodes: vec![NodeContent {
                    level: "Issue".into(),
                    title: "Parks".into(),
                    ..Default::default()
                }],
                links: vec![],
                is_sample: false,
            },
        )
        .await
        .unwrap();
    for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
        store.transition("t", plan, step, None).await.unwrap();
    }
    // The page shows one fiscal year at a time (the newest unless chosen), with the
    // years listed to choose from.
    let (status, page) = get(&w, None, "/open-data?lang=en", None).await;
    assert_eq!(status, StatusCode::OK);
    let text = readable(&page, "en");
    assert!(
        page.contains("year=2024&amp;lang=en"),
        "a link to FY2024: {page}"
    );
    let (status, earlier) = get(&w, None, "/open-data?year=2024&lang=en", None).await;
    assert_eq!(status, StatusCode::OK);
    let earlier = readable(&earlier, "en");
    for (row, listed, on) in [
        ("FY2025 North", true, &text),
        ("FY2025 South", false, &text),
        ("FY2024 South", true, &earlier),
        ("FY2024 North", false, &earlier),
    ] {
        assert_eq!(on.contains(row), listed, "{row}: {on}");
    }
    // A year without a published plan is not a page of its own.
    let (status, _) = get(&w, None, "/open-data?year=2019&lang=en", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A workbook edited in Excel and uploaded on an English page: the preview names every
/// field in English (Title, Plan: …), with no Japanese of the interface's own.
#[tokio::test]
async fn the_workbook_preview_speaks_the_pages_language() {
    let w = world("xlsx-en").await;
    let res = app(w.state.clone())
        .oneshot(
            Request::get(format!("/plans/{}/export/xlsx", w.plan))
                .header(header::COOKIE, "kusei_session=tokeneditor")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    let mut records = kusei_xlsx::read_workbook(&bytes).unwrap();
    records[0].content.nodes[1].title = "Drills twice".into();
    records[0].content.nodes[2].sections[0].body = "Safer roads".into();
    // Written from an older version than the plan has now: the preview says so.
    records[0].version -= 1;
    let edited = kusei_xlsx::write_workbook(&records).unwrap();
    let boundary = "kuseiboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ncsrfeditor\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"north.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&edited);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = app(w.state.clone())
        .oneshot(
            Request::post("/import?lang=en")
                .header(header::COOKIE, "kusei_session=tokeneditor")
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    let page = String::from_utf8_lossy(&bytes).to_string();
    let text = readable(&page, "en");
    assert!(text.contains("Drills twice"), "{text}");
    assert!(text.contains("Safer roads"), "{text}");
    assert!(text.contains("Title"), "the field in English: {text}");
    assert!(
        text.contains("Plan: Purpose"),
        "the section in English: {text}"
    );
    assert_eq!(japanese_in(&text), Vec::<String>::new(), "{text}");
    assert!(
        text.contains("This workbook was written from version"),
        "an older workbook is named as such: {text}"
    );
}
