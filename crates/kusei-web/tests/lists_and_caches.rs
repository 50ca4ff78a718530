#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Lists a page at a time and public pages kept by their published version, through the
//! router on a SQLite store: `/api/v1/plans` walked by its cursor gives every plan the
//! reader may see once, in order, and no draft to the public; a public plan page carries
//! an `ETag` that a revalidation answers with `304`, that stays while nothing it shows
//! changes, and that moves when the unit's results or a new publication change it.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{Evaluation, UnitKind};
use kusei_domain::policy::Scope;
use kusei_store::{NewUnit, NewUser, Store, Transition};
use kusei_web::auth::token_hash;
use kusei_web::{app, AppState};
use std::collections::HashSet;
use tower::ServiceExt;

struct City {
    state: AppState,
    dir: std::path::PathBuf,
    draft: i64,
    ward: kusei_domain::model::UnitId,
}

async fn city(name: &str) -> City {
    let dir = std::env::temp_dir().join(format!("kusei-lists-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}/k.db", dir.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let years: Vec<FiscalYear> = (2023..=2025).map(|y| FiscalYear::new(y).unwrap()).collect();
    let m = kusei_app::sample_city::load(&store, "sample-1", "見本市", 5, &years, 2)
        .await
        .unwrap();
    // A ward with a draft only: its editor sees it, the public does not.
    let ward = store
        .create_unit(
            "t",
            &NewUnit {
                municipality_id: m,
                parent_id: None,
                kind: UnitKind::Ward,
                name: "下書区",
                phone: None,
                fax: None,
                duties: None,
            },
        )
        .await
        .unwrap();
    let published = store.list_plans(None, None).await.unwrap()[0].plan.id;
    let content = store
        .load_plan(published)
        .await
        .unwrap()
        .to_plan_content(&std::collections::HashMap::new());
    let draft = store.save_plan("t", ward, &content).await.unwrap();
    let uid = store
        .create_user(
            "t",
            &NewUser {
                login: "drafter",
                display_name: "drafter",
                password_hash: "$argon2id$unused",
                must_change_password: false,
                roles: vec![("ward_editor", Scope::Unit(ward))],
            },
        )
        .await
        .unwrap();
    store
        .create_session(
            &token_hash("tokendrafter"),
            uid,
            "csrfdrafter",
            "2099-01-01T00:00:00Z",
        )
        .await
        .unwrap();
    City {
        state: AppState::new(store),
        dir,
        draft: draft.0,
        ward,
    }
}

/// A plan of 2025 of a ward with published plans (not the draft-only ward).
async fn plan_of_2025(c: &City) -> kusei_domain::model::Plan {
    c.state
        .store
        .list_plans(None, Some(FiscalYear::new(2025).unwrap()))
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.plan.unit_id != c.ward)
        .unwrap()
        .plan
}

/// Adds `mark` to the plan's second item's title and publishes the plan again.
async fn republish_renamed(store: &Store, plan: kusei_domain::model::PlanId, mark: &str) {
    let sp = store.load_plan(plan).await.unwrap();
    let n = &sp.nodes[1].node;
    let edit = kusei_store::NodeEdit {
        title: format!("{}{mark}", n.title),
        subtitle: n.subtitle.clone(),
        sections: n.sections.clone(),
        targets: None,
    };
    store
        .update_node("t", n.id, n.version, &edit)
        .await
        .unwrap();
    for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
        store.transition("t", plan, step, None).await.unwrap();
    }
}

async fn send(
    c: &City,
    uri: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    let res = app(c.state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let h = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 64 << 20)
        .await
        .unwrap();
    (status, h, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn json(c: &City, uri: &str, cookie: Option<&str>) -> (StatusCode, serde_json::Value) {
    let h: Vec<(header::HeaderName, &str)> =
        cookie.map(|v| (header::COOKIE, v)).into_iter().collect();
    let (status, _, body) = send(c, uri, &h).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
    )
}

/// Every plan of `/api/v1/plans?{query}`, following `links.next` from a page of `limit`.
async fn walk(
    c: &City,
    query: &str,
    limit: usize,
    cookie: Option<&str>,
) -> (Vec<(i64, i64)>, usize) {
    let mut uri = format!("/api/v1/plans?limit={limit}{query}");
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let (status, v) = json(c, &uri, cookie).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {v}");
        pages += 1;
        let plans = v["plans"].as_array().unwrap();
        assert!(plans.len() <= limit, "{uri}: {} plans", plans.len());
        for p in plans {
            seen.push((
                p["period"]["end"].as_i64().unwrap(),
                p["id"].as_i64().unwrap(),
            ));
        }
        match v["links"]["next"].as_str() {
            Some(next) => {
                assert_eq!(plans.len(), limit, "a page before the last is full: {uri}");
                assert_eq!(
                    v["next"]
                        .as_str()
                        .map(|n| next.contains(&format!("after={n}"))),
                    Some(true)
                );
                uri = next.to_string();
            }
            None => {
                assert!(v["next"].is_null());
                return (seen, pages);
            }
        }
        assert!(pages < 100, "the cursor does not end");
    }
}

#[tokio::test]
async fn the_plans_api_is_walked_page_by_page_by_its_cursor() {
    let c = city("api").await;
    let all = c.state.store.list_plans(None, None).await.unwrap();
    assert_eq!(all.len(), 5 * 3 + 1);
    let (one_page, pages) = walk(&c, "", 500, None).await;
    assert_eq!(pages, 1);
    // The public: every published plan once, newest year first then newest id, no draft.
    assert_eq!(one_page.len(), 15);
    assert!(!one_page.iter().any(|(_, id)| *id == c.draft));
    let mut sorted = one_page.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(one_page, sorted, "newest fiscal year first, then newest id");
    for limit in [1, 4, 7, 15] {
        let (walked, pages) = walk(&c, "", limit, None).await;
        assert_eq!(walked, one_page, "limit {limit}");
        assert_eq!(pages, 15_usize.div_ceil(limit), "limit {limit}");
        let distinct: HashSet<_> = walked.iter().collect();
        assert_eq!(distinct.len(), walked.len());
    }
    // Filters go with the cursor: one year, one unit, words of the title.
    let (y2024, _) = walk(&c, "&year=2024", 2, None).await;
    assert_eq!(y2024.len(), 5);
    assert!(y2024.iter().all(|(end, _)| *end == 2024));
    let (_, first) = json(&c, "/api/v1/plans?limit=1", None).await;
    let unit = first["plans"][0]["unit_id"].as_i64().unwrap();
    let (of_unit, _) = walk(&c, &format!("&unit={unit}"), 2, None).await;
    assert_eq!(of_unit.len(), 3);
    let name = first["plans"][0]["unit_name"].as_str().unwrap().to_string();
    let (named, _) = walk(
        &c,
        &format!("&q={}", kusei_app::search::path_segment(&name)),
        1,
        None,
    )
    .await;
    assert_eq!(named.len(), 3, "{name}");
    // The ward's editor also sees its draft, as the working copy.
    let cookie = "kusei_session=tokendrafter";
    let (staff, _) = walk(&c, "", 4, Some(cookie)).await;
    assert_eq!(staff.len(), 16);
    assert!(staff.iter().any(|(_, id)| *id == c.draft));
    let (_, v) = json(
        &c,
        &format!("/api/v1/plans?unit={}", c.ward.0),
        Some(cookie),
    )
    .await;
    assert_eq!(v["plans"][0]["status"], "draft");
    assert!(v["plans"][0]["node_count"].as_i64().unwrap() > 0);
    // What cannot be read is refused with a reason naming the parameter.
    for (bad, word) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=x", "limit"),
        ("after=2025", "after"),
        ("after=2025.x", "after"),
    ] {
        let (status, v) = json(&c, &format!("/api/v1/plans?{bad}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(word),
            "{bad}: {v}"
        );
    }
    let _ = std::fs::remove_dir_all(&c.dir);
}

#[tokio::test]
async fn a_public_plan_page_is_kept_by_what_it_shows_and_revalidated() {
    let c = city("etag").await;
    let store = &c.state.store;
    let plans = store.list_plans(None, None).await.unwrap();
    // The newest plan of a ward that has earlier years (its relative targets read them).
    let latest = plans
        .iter()
        .find(|p| p.plan.period.end.year() == 2025 && p.plan.unit_id != c.ward)
        .unwrap()
        .plan
        .clone();
    let earlier = plans
        .iter()
        .find(|p| p.plan.unit_id == latest.unit_id && p.plan.period.end.year() == 2024)
        .unwrap()
        .plan
        .id;
    let uri = format!("/plans/{}", latest.id.0);
    let (status, h, body) = send(&c, &uri, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let etag = h[header::ETAG].to_str().unwrap().to_string();
    assert_eq!(h[header::CACHE_CONTROL], "public, no-cache");
    assert!(body.contains(&latest.title) && body.contains("<html lang=\"ja\">"));
    // The kept page is the page: a second answer has the same bytes and validator.
    let (_, h2, again) = send(&c, &uri, &[]).await;
    assert_eq!(again, body);
    assert_eq!(h2[header::ETAG].to_str().unwrap(), etag);
    // A revalidation costs no body.
    let (status, h3, empty) = send(&c, &uri, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(empty.is_empty());
    assert_eq!(h3[header::ETAG].to_str().unwrap(), etag);
    // The English page is another page.
    let (_, en, en_body) = send(&c, &format!("{uri}?lang=en"), &[]).await;
    assert_ne!(en[header::ETAG].to_str().unwrap(), etag);
    assert!(en_body.contains("<html lang=\"en\">"));
    // A signed-in reader's page is not kept (it has the viewer's name and token).
    let (_, staff, _) = send(&c, &uri, &[(header::COOKIE, "kusei_session=tokendrafter")]).await;
    assert!(staff.get(header::ETAG).is_none());
    assert_eq!(staff[header::CACHE_CONTROL], "no-store");

    // A result written for the ward's earlier year may move a computed judgment: the
    // validator moves with it.
    let earlier_plan = store.load_plan(earlier).await.unwrap();
    let sn = earlier_plan
        .nodes
        .iter()
        .find(|n| !n.evaluations.is_empty())
        .unwrap();
    let mut e: Evaluation = sn.evaluations[0].clone();
    e.results = format!("{}（追記: 実績 999件）", e.results);
    e.stated = Judgment::Undetermined;
    store
        .set_evaluation("t", sn.node.id, sn.node.version, &e, None)
        .await
        .unwrap();
    let (status, h4, _) = send(&c, &uri, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(status, StatusCode::OK, "a changed result is a new page");
    let moved = h4[header::ETAG].to_str().unwrap().to_string();
    assert_ne!(moved, etag);

    // A new publication: the plan's page is the new version; the old one keeps its
    // address and its own validator.
    let v1 = format!("/plans/{}/versions/1", latest.id.0);
    let (status, hv1, _) = send(&c, &v1, &[]).await;
    assert_eq!(status, StatusCode::OK);
    republish_renamed(store, latest.id, "（改訂）").await;
    let (status, h5, body5) = send(&c, &uri, &[(header::IF_NONE_MATCH, &moved)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(h5[header::ETAG].to_str().unwrap(), moved);
    assert!(body5.contains("（改訂）"));
    let (status, _, old) = send(&c, &v1, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!old.contains("（改訂）"));
    assert_ne!(hv1[header::ETAG], h5[header::ETAG]);
    // A version that does not exist is a 404, not a kept page.
    let (status, _, _) = send(&c, &format!("/plans/{}/versions/9", latest.id.0), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let _ = std::fs::remove_dir_all(&c.dir);
}

#[tokio::test]
async fn the_home_page_goes_from_municipalities_to_wards_to_years() {
    let c = city("home").await;
    let store = &c.state.store;
    let years: Vec<FiscalYear> = (2019..=2025).map(|y| FiscalYear::new(y).unwrap()).collect();
    let other = kusei_app::sample_city::load(store, "sample-2", "遠見町", 1, &years, 1)
        .await
        .unwrap();
    // Two municipalities: the home lists them, it does not list their plans.
    let (status, _, home) = send(&c, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("見本市") && home.contains("遠見町"));
    assert!(home.contains(&format!("/?municipality={}&amp;lang=ja", other.0)));
    assert!(
        !home.contains("/plans/"),
        "no plan is listed on the list of municipalities"
    );
    // A municipality: each ward with its latest three years; older ones on the ward's page.
    let (status, _, town) = send(&c, &format!("/?municipality={}", other.0), &[]).await;
    assert_eq!(status, StatusCode::OK);
    for (label, listed) in [
        ("令和7年度", true),
        ("令和5年度", true),
        ("令和4年度", false),
        ("令和元年度", false),
    ] {
        assert_eq!(town.contains(label), listed, "{label} on the town's page");
    }
    let ward_link = town
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("&amp;unit="))
        .expect("a link to the ward's years")
        .replace("&amp;", "&");
    let (status, _, ward) = send(&c, &ward_link, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        ward.matches("href=\"/plans/").count(),
        7,
        "every year of the ward"
    );
    assert!(ward.contains("令和元年度") && ward.contains("令和7年度"));
    // The public never sees the draft-only ward; its editor does, on its city's page.
    let (_, _, city_page) = send(&c, "/?municipality=1", &[]).await;
    assert!(!city_page.contains("下書区"));
    let (_, _, as_editor) = send(
        &c,
        "/?municipality=1",
        &[(header::COOKIE, "kusei_session=tokendrafter")],
    )
    .await;
    assert!(as_editor.contains("下書区"));
    assert!(as_editor.contains(&format!("/plans/{}?lang=ja", c.draft)));
    // Unknown places are 404s, not empty pages.
    for uri in ["/?municipality=999", "/?unit=99999", "/?municipality=x"] {
        let (status, _, _) = send(&c, uri, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
    let _ = std::fs::remove_dir_all(&c.dir);
}

#[tokio::test]
async fn the_ward_comparison_is_made_once_per_publication() {
    let c = city("dashboard").await;
    let store = &c.state.store;
    let uri = "/api/v1/dashboard/1?year=2025";
    let (status, first) = json(&c, uri, None).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(c.state.dashboard_cache.len(), 1);
    let (_, again) = json(&c, uri, None).await;
    assert_eq!(again, first, "the kept comparison is the comparison");
    assert_eq!(
        c.state.dashboard_cache.len(),
        1,
        "asked again: nothing new made"
    );
    // The page reads the same kept comparison.
    let (status, _, _) = send(&c, "/dashboard/1?year=2025", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(c.state.dashboard_cache.len(), 1);
    // A draft changes nothing the public compares.
    let plan = plan_of_2025(&c).await;
    let sp = store.load_plan(plan.id).await.unwrap();
    let sn = sp.nodes.iter().find(|n| !n.evaluations.is_empty()).unwrap();
    let mut e = sn.evaluations[0].clone();
    let before = e.stated;
    e.stated = if before == Judgment::Achieved {
        Judgment::Undetermined
    } else {
        Judgment::Achieved
    };
    e.remedy = e.remedy.or(Some("改善策".into()));
    store
        .set_evaluation("t", sn.node.id, sn.node.version, &e, None)
        .await
        .unwrap();
    let (_, after_draft) = json(&c, uri, None).await;
    assert_eq!(after_draft, first);
    // Its publication does: the comparison is made again, with the new judgment.
    for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
        store.transition("t", plan.id, step, None).await.unwrap();
    }
    let (_, published) = json(&c, uri, None).await;
    assert_ne!(
        published["dashboard"]["counts"],
        first["dashboard"]["counts"]
    );
    assert_eq!(c.state.dashboard_cache.len(), 2);
    let _ = std::fs::remove_dir_all(&c.dir);
}

#[tokio::test]
async fn the_publics_roll_up_is_made_once_per_change() {
    let c = city("rollup").await;
    let store = &c.state.store;
    let uri = "/api/v1/rollup/1?year=2025";
    let (status, first) = json(&c, uri, None).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(c.state.rollup_cache.len(), 1);
    let (_, again) = json(&c, uri, None).await;
    assert_eq!(again, first);
    assert_eq!(
        c.state.rollup_cache.len(),
        1,
        "asked again: nothing new made"
    );
    // A published change of a judgment is in the next answer.
    let plan = plan_of_2025(&c).await;
    let sp = store.load_plan(plan.id).await.unwrap();
    for sn in sp.nodes.iter().filter(|n| !n.evaluations.is_empty()) {
        let mut e = sn.evaluations[0].clone();
        e.stated = Judgment::NotAchieved;
        e.remedy = Some("改善策".into());
        store
            .set_evaluation("t", sn.node.id, sn.node.version, &e, None)
            .await
            .unwrap();
    }
    for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
        store.transition("t", plan.id, step, None).await.unwrap();
    }
    let (_, after) = json(&c, uri, None).await;
    assert_ne!(
        after, first,
        "the roll-up after a publication is made again"
    );
    // Staff read the working copies: never from the public's kept roll-up.
    let kept = c.state.rollup_cache.len();
    let (status, _) = json(&c, uri, Some("kusei_session=tokendrafter")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(c.state.rollup_cache.len(), kept);
    let _ = std::fs::remove_dir_all(&c.dir);
}

#[tokio::test]
async fn a_public_item_page_is_kept_until_something_is_written() {
    let c = city("item").await;
    let store = &c.state.store;
    let plan = plan_of_2025(&c).await;
    let (_, _, page) = send(&c, &format!("/plans/{}", plan.id.0), &[]).await;
    let uri = page
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with(&format!("/plans/{}/items/", plan.id.0)))
        .expect("an item page link")
        .replace("&amp;", "&");
    let (status, h, body) = send(&c, &uri, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let etag = h[header::ETAG].to_str().unwrap().to_string();
    let (_, _, again) = send(&c, &uri, &[]).await;
    assert_eq!(again, body);
    let (status, _, empty) = send(&c, &uri, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(empty.is_empty());
    // Any write moves the change log, and the page is made again.
    let sp = store.load_plan(plan.id).await.unwrap();
    let sn = sp.nodes.iter().find(|n| !n.evaluations.is_empty()).unwrap();
    let mut e = sn.evaluations[0].clone();
    e.results = format!("{}（追記）", e.results);
    store
        .set_evaluation("t", sn.node.id, sn.node.version, &e, None)
        .await
        .unwrap();
    let (status, h2, _) = send(&c, &uri, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(h2[header::ETAG].to_str().unwrap(), etag);
    // A signed-in reader's item page is not kept.
    let (_, staff, _) = send(&c, &uri, &[(header::COOKIE, "kusei_session=tokendrafter")]).await;
    assert!(staff.get(header::ETAG).is_none());
    let _ = std::fs::remove_dir_all(&c.dir);
}

#[tokio::test]
async fn published_exports_are_revalidated_by_their_versions() {
    let c = city("exports").await;
    let store = &c.state.store;
    let plan = plan_of_2025(&c).await;
    for uri in [
        "/open-data/1/export?year=2025&format=csv".to_string(),
        format!("/plans/{}/export/json", plan.id.0),
    ] {
        let (status, h, body) = send(&c, &uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(!body.is_empty());
        let etag = h[header::ETAG].to_str().unwrap().to_string();
        let (status, _, empty) = send(&c, &uri, &[(header::IF_NONE_MATCH, &etag)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(empty.is_empty());
        // A new publication is a new file.
        republish_renamed(store, plan.id, "（改）").await;
        let (status, h2, _) = send(&c, &uri, &[(header::IF_NONE_MATCH, &etag)]).await;
        assert_eq!(status, StatusCode::OK, "{uri} after a publication");
        assert_ne!(h2[header::ETAG].to_str().unwrap(), etag);
    }
    let _ = std::fs::remove_dir_all(&c.dir);
}
