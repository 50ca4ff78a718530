//! Search (issue 19) on the real seeds imported as three wards and published: the public
//! finds 区政会議 in seed 000 item 2, seed 001 item 20 and seed 004's 4-3-1, 防災 in the
//! 業務一覧 row of 市民協働, nothing for a word no document has; a word only in a working
//! copy is found by its ward's editor and by nobody else; old forms and full-width letters
//! find what their usual forms find; the index follows every write (a form's save, a
//! publication, copy forward, an import) and `kusei search-index --rebuild` gives the same
//! answers; SQLite and PostgreSQL give the same results.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kusei_app::{Caller, Clock};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::{MunicipalityId, Period, PlanId};
use kusei_domain::policy::Scope;
use kusei_store::{NewUser, Store, Transition};
use kusei_web::auth::token_hash;
use kusei_web::{app, AppState};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tower::ServiceExt;

fn seed(prefix: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root
        .ancestors()
        .map(|a| a.join("shared").join("seeds"))
        .find(|p| p.is_dir())?;
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
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

fn enc(s: &str) -> String {
    kusei_app::search::path_segment(s)
}

/// The API's results for a query, as (kind, unit, number, title, url).
async fn api(
    state: &AppState,
    q: &str,
    cookie: Option<&str>,
) -> Vec<(String, String, String, String, String)> {
    let (status, body) = get(state, &format!("/api/v1/search?q={}", enc(q)), cookie).await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let total = v["total"].as_u64().unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(
        total as usize,
        results
            .len()
            .max(if total > 20 { total as usize } else { 0 }),
        "one page of results holds them all here"
    );
    results
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
            (s("kind"), s("unit"), s("number"), s("title"), s("url"))
        })
        .collect()
}

const EDITOR_A: &str = "kusei_session=tokena";
const EDITOR_B: &str = "kusei_session=tokenb";

struct City {
    state: AppState,
    m: MunicipalityId,
    plans: Vec<(String, PlanId)>,
}

async fn user(store: &Store, login: &str, role: &str, scope: Scope, token: &str) {
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
            &token_hash(token),
            uid,
            &format!("csrf{login}"),
            "2099-01-01T00:00:00Z",
        )
        .await
        .unwrap();
}

/// An empty city, the three seeds imported as three wards, each published.
async fn city(db: &str, seeds: &[(PathBuf, &str)]) -> City {
    let store = Store::connect(db).await.unwrap();
    store.migrate().await.unwrap();
    let m = store
        .create_municipality("t", "271004", "検索市", false)
        .await
        .unwrap();
    let mut plans = Vec::new();
    for (path, ward) in seeds {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(path).unwrap();
        let doc = kusei_import::parse_bytes(&name, &bytes).unwrap();
        let period = kusei_import::convert::document_period(&doc)
            .unwrap_or(Period::year(FiscalYear::new(2025).unwrap()));
        let out = kusei_app::import::store_document(
            &store,
            &Caller::operator("test"),
            &doc,
            &bytes,
            m,
            kusei_app::import::Destination::Ward(ward),
            period,
            Clock::System.today_jst(),
        )
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let plan = match out.0 {
            kusei_store::ImportOutcome::Created { plan_id, .. }
            | kusei_store::ImportOutcome::Updated { plan_id, .. }
            | kusei_store::ImportOutcome::Unchanged { plan_id } => plan_id,
        };
        for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
            store.transition("test", plan, step, None).await.unwrap();
        }
        plans.push((ward.to_string(), plan));
    }
    let unit = |name: &str| {
        let store = store.clone();
        let name = name.to_string();
        async move {
            store
                .list_units(m)
                .await
                .unwrap()
                .into_iter()
                .find(|u| u.name == name)
                .unwrap()
                .id
        }
    };
    let a = unit(seeds[0].1).await;
    let b = unit(seeds[1].1).await;
    user(&store, "editor-a", "ward_editor", Scope::Unit(a), "tokena").await;
    user(&store, "editor-b", "ward_editor", Scope::Unit(b), "tokenb").await;
    City {
        state: AppState::new(store),
        m,
        plans,
    }
}

fn seeds() -> Option<Vec<(PathBuf, &'static str)>> {
    let found: Vec<(PathBuf, &str)> = [("000_", "甲区"), ("001_", "乙区"), ("004_", "丙区")]
        .into_iter()
        .filter_map(|(p, w)| seed(p).map(|s| (s, w)))
        .collect();
    if found.len() < 3 {
        eprintln!("skipped: seeds 000, 001 and 004 are needed in shared/seeds");
        return None;
    }
    Some(found)
}

fn has(results: &[(String, String, String, String, String)], unit: &str, number: &str) -> bool {
    results
        .iter()
        .any(|r| r.0 == "item" && r.1 == unit && r.2 == number)
}

#[test]
fn the_seeds_are_found_by_their_words_and_drafts_only_by_their_ward() {
    let Some(seeds) = seeds() else { return };
    let dir = std::env::temp_dir().join(format!("kusei-search-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/k.db", dir.display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = city(&db, &seeds).await;
        let s = &c.state;

        // 区政会議: the three items the issue names, each at its public page.
        let found = api(s, "区政会議", None).await;
        for r in &found {
            eprintln!("区政会議: {r:?}");
        }
        assert!(has(&found, "甲区", "2"), "seed 000 item 2: {found:?}");
        assert!(has(&found, "乙区", "20"), "seed 001 item 20: {found:?}");
        assert!(has(&found, "丙区", "4-3-1"), "seed 004 4-3-1: {found:?}");
        for r in found.iter().filter(|r| r.0 == "item") {
            assert!(
                r.4.starts_with("/plans/") && r.4.contains("/items/"),
                "a public item page: {r:?}"
            );
            let (status, page) = get(s, &r.4, None).await;
            assert_eq!(status, StatusCode::OK, "{}: {page}", r.4);
            assert!(
                page.contains(&maud::html! { (r.3) }.into_string()),
                "{} shows its title",
                r.4
            );
        }
        // Every hit really has the phrase (no bigrams matched apart).
        let (_, body) = get(s, &format!("/api/v1/search?q={}", enc("区政会議")), None).await;
        let v: Value = serde_json::from_str(&body).unwrap();
        for r in v["results"].as_array().unwrap() {
            let text = format!(
                "{} {}",
                r["title"].as_str().unwrap(),
                r["snippet"].as_str().unwrap()
            );
            assert!(kusei_search::text::fold(&text).contains("区政会議"), "{r}");
        }

        // 防災: the 業務一覧 row of 市民協働 (its duties say 防災).
        let found = api(s, "防災", None).await;
        let duty = found
            .iter()
            .find(|r| r.0 == "duty" && r.3.contains("市民協働"))
            .unwrap_or_else(|| panic!("the 市民協働 row: {found:?}"));
        let (status, page) = get(s, duty.4.split('#').next().unwrap(), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("市民協働") && page.contains("防災"),
            "the directory page"
        );

        // Nothing for a word no document has, and nothing across positions.
        assert!(api(s, "量子暗号通信", None).await.is_empty());
        assert!(api(s, "区政会議室予約", None).await.is_empty());

        // Old forms and full-width letters find what the usual forms find.
        assert_eq!(
            api(s, "區政會議", None).await,
            api(s, "区政会議", None).await
        );
        let ict = api(s, "ＩＣＴ", None).await;
        assert!(!ict.is_empty());
        assert_eq!(ict, api(s, "ict", None).await);

        // Two characters, AND, a phrase, an exclusion.
        let kumin = total(s, "区民").await;
        assert!(kumin > 3, "区民 is a common word: {kumin}");
        let both = total(s, "区民 防災").await;
        assert!(both > 0 && both < kumin);
        assert_eq!(
            total(s, "区民 -防災").await + both,
            kumin,
            "区民 = (区民 防災) + (区民 -防災)"
        );
        assert!(
            total(s, "\"区政 会議\"").await < total(s, "区政 会議").await,
            "a phrase is narrower than its words"
        );

        // A draft-only word: the ward's editor changes an item of a published plan.
        let (_, plan_a) = c.plans[0].clone();
        let sp = s.store.load_plan(plan_a).await.unwrap();
        let sn = sp
            .nodes
            .iter()
            .find(|n| n.node.number.as_deref() == Some("2"))
            .unwrap();
        let word = "試行中の新制度案";
        let mut sections = sn.node.sections.clone();
        sections[0].body.push_str(&format!("（{word}を検討）"));
        s.store
            .update_node(
                "editor-a",
                sn.node.id,
                sn.node.version,
                &kusei_store::NodeEdit {
                    title: sn.node.title.clone(),
                    subtitle: sn.node.subtitle.clone(),
                    sections,
                    targets: None,
                },
            )
            .await
            .unwrap();
        let by_a = api(s, word, Some(EDITOR_A)).await;
        assert_eq!(
            by_a.len(),
            1,
            "the ward's editor finds the working copy: {by_a:?}"
        );
        assert!(
            by_a[0].4.starts_with("/nodes/"),
            "staff open the working copy"
        );
        assert!(
            api(s, word, None).await.is_empty(),
            "a citizen never finds a draft"
        );
        assert!(
            api(s, word, Some(EDITOR_B)).await.is_empty(),
            "nor another ward"
        );
        let (_, html) = get(s, &format!("/search?q={}", enc(word)), None).await;
        assert!(
            html.contains("見つかりませんでした") && !html.contains("<mark>"),
            "no draft text on the public page"
        );
        // Once published, everyone finds it.
        for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
            s.store
                .transition("test", plan_a, step, None)
                .await
                .unwrap();
        }
        let public = api(s, word, None).await;
        assert_eq!(public.len(), 1, "published: {public:?}");
        assert!(public[0].4.contains("/items/2"), "{public:?}");

        // Copy forward: next year's plan is a working copy, found by its ward only.
        let sp = s.store.load_plan(plan_a).await.unwrap();
        let content = kusei_app::copy_forward::next_year_plan(&sp).unwrap();
        s.store
            .save_plan("editor-a", sp.plan.unit_id, &content)
            .await
            .unwrap();
        let a = api(s, word, Some(EDITOR_A)).await;
        assert_eq!(a.len(), 2, "this year's item and next year's draft: {a:?}");
        // This year's item is published as it stands (its published page); next year's is
        // a draft (its working copy).
        assert!(a.iter().any(|r| r.4.contains("/items/2")), "{a:?}");
        assert!(a.iter().any(|r| r.4.starts_with("/nodes/")), "{a:?}");
        assert_eq!(
            api(s, word, None).await.len(),
            1,
            "the public still sees one"
        );

        // The HTML page: results, facets, the marked word, filters.
        let (status, html) = get(s, &format!("/search?q={}", enc("区政会議")), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<mark>区政会議</mark>"), "the word is marked");
        assert!(html.contains("絞り込む"));
        let unit_c = s
            .store
            .list_units(c.m)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.name == "丙区")
            .unwrap()
            .id;
        let filtered = get(
            s,
            &format!("/api/v1/search?q={}&unit={}", enc("区政会議"), unit_c.0),
            None,
        )
        .await
        .1;
        let v: Value = serde_json::from_str(&filtered).unwrap();
        assert!(v["total"].as_u64().unwrap() >= 1);
        assert!(
            v["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["unit"] == "丙区"),
            "{filtered}"
        );
        let (status, bad) = get(s, "/search?q=x&fiscal_year=abc", None).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "the form again, with the problem at its field"
        );
        assert!(
            bad.contains("年度「abc」を読めません"),
            "the error says what: {bad}"
        );
        assert!(bad.contains("aria-invalid=\"true\""), "the field is marked");
        let (status, _) = get(s, "/api/v1/search?q=x&fiscal_year=abc", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "the API says 400");
        // Ward names and plan titles are searched with the words (北区 防災).
        let kou = total(s, "甲区 区政会議").await;
        assert!(
            kou >= 1 && kou < total(s, "区政会議").await,
            "甲区 区政会議: {kou}"
        );

        // A language the site does not have is read as Japanese, not refused.
        for l in ["fr", "JA", ""] {
            let (status, page) = get(s, &format!("/plans/{}?lang={l}", plan_a.0), None).await;
            assert_eq!(status, StatusCode::OK, "lang={l}");
            assert!(page.contains("<html lang=\"ja\">"), "lang={l}");
        }
        let (status, _) = get(
            s,
            &format!("/api/v1/search?q={}&lang=fr", enc("防災")),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);

        // Open data links every item to its public page, which answers.
        let (status, od) = get(
            s,
            &format!("/api/v1/plans/{}/open-data?format=json", plan_a.0),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{od}");
        let od: Value = serde_json::from_str(&od).unwrap();
        let pages = od["plans"][0]["item_pages"].as_object().unwrap().clone();
        assert!(!pages.is_empty(), "item pages in the open data");
        for url in pages.values().take(5) {
            let (status, _) = get(s, url.as_str().unwrap(), None).await;
            assert_eq!(status, StatusCode::OK, "{url}");
        }
        let (_, csv) = get(
            s,
            &format!("/api/v1/plans/{}/open-data?format=csv", plan_a.0),
            None,
        )
        .await;
        assert!(
            csv.lines().next().unwrap().ends_with("項目のページ"),
            "the CSV's last column"
        );
        assert!(
            csv.contains(&format!("/plans/{}/items/2", plan_a.0)),
            "item 2's page in the CSV"
        );

        // The plans API reads `q` as words of the plan's title.
        let title_a = s.store.load_plan(plan_a).await.unwrap().plan.title;
        let (_, body) = get(s, &format!("/api/v1/plans?q={}", enc(&title_a)), None).await;
        let v: Value = serde_json::from_str(&body).unwrap();
        let ids: Vec<i64> = v["plans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert!(
            ids.contains(&plan_a.0) && ids.len() < 3,
            "{title_a}: {ids:?}"
        );
        let (_, body) = get(s, "/api/v1/plans?q=%E9%87%8F%E5%AD%90", None).await;
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["plans"],
            serde_json::json!([])
        );

        // Rebuilt from the database: the same answers (the order of results whose scores
        // are close may move: scores count the documents replaced since the last merge).
        let before: Vec<_> = answers(s, &["区政会議", "防災", "区政", word]).await;
        s.search.rebuild(&s.store, Clock::System).await.unwrap();
        let after: Vec<_> = answers(s, &["区政会議", "防災", "区政", word]).await;
        assert_eq!(before, after);
    });
    // `kusei search-index`: built on disk from the database, then caught up (nothing new).
    let index = dir.join("index");
    let run = |args: &[&str]| {
        let out = common::kusei()
            .args([
                "search-index",
                "--db",
                &db,
                "--index",
                index.to_str().unwrap(),
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let count = |text: &str| -> u64 {
        text.split("index ")
            .nth(1)
            .and_then(|t| t.split(": ").nth(1))
            .and_then(|t| t.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count in {text:?}"))
    };
    let built = count(&run(&["--rebuild"]));
    assert!(
        built > 50,
        "the three seeds' items, opinions and directory rows: {built}"
    );
    assert_eq!(count(&run(&[])), built, "caught up: nothing new");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The results of each query, for the public and for ward A's editor, as sets.
async fn answers(
    s: &AppState,
    qs: &[&str],
) -> Vec<std::collections::BTreeSet<(String, String, String, String, String)>> {
    let mut out = Vec::new();
    for q in qs {
        out.push(api(s, q, None).await.into_iter().collect());
        out.push(api(s, q, Some(EDITOR_A)).await.into_iter().collect());
    }
    out
}

async fn total(s: &AppState, q: &str) -> u64 {
    let (status, body) = get(s, &format!("/api/v1/search?q={}", enc(q)), None).await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    serde_json::from_str::<Value>(&body).unwrap()["total"]
        .as_u64()
        .unwrap()
}

#[test]
fn sqlite_and_postgresql_give_the_same_results() {
    let Some(seeds) = seeds() else { return };
    let Ok(pg) = std::env::var("KUSEI_TEST_PG") else {
        eprintln!("skipped: KUSEI_TEST_PG is not set");
        return;
    };
    let dir = std::env::temp_dir().join(format!("kusei-search-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let name = format!("kusei_search_{}", std::process::id());
        let base = pg.rsplit_once('/').map_or(pg.as_str(), |x| x.0).to_string();
        {
            use sqlx::Connection;
            let mut admin = sqlx::PgConnection::connect(&pg).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .unwrap();
        }
        let fresh = format!("{base}/{name}");
        let lite = city(&format!("sqlite://{}/k.db", dir.display()), &seeds).await;
        let post = city(&fresh, &seeds).await;
        for q in ["区政会議", "防災", "区民", "子育て 支援", "\"地域 活動\"", "ict", "区民 -防災", "市"] {
            let a = api(&lite.state, q, None).await;
            let b = api(&post.state, q, None).await;
            // Ids differ between databases; the results are the same things in the same order.
            let strip = |v: Vec<(String, String, String, String, String)>| -> Vec<(String, String, String, String)> {
                v.into_iter().map(|r| (r.0, r.1, r.2, r.3)).collect()
            };
            assert_eq!(strip(a), strip(b), "{q}");
        }
        post.state.store.close().await;
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&pg).await.unwrap();
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}
