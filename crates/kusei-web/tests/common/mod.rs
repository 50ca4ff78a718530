//! A served world for the HTTP tests: a store with one ward (東区), a ward editor with a
//! session (`tokeneditor` / `csrfeditor`), the plan window of 令和7年度 open, a plan of
//! `items` 具体的取組, and the real router on a real TCP port.
#![allow(dead_code)]

use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::content::{LinkContent, NodeContent, PlanContent};
use kusei_domain::model::{Family, LinkKind, Period, Phase, PlanId, UnitKind};
use kusei_domain::policy::Scope;
use kusei_store::{NewUnit, NewUser, Store, Window};
use kusei_web::auth::token_hash;
use kusei_web::{app, AppState, Clock};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// 2025-10-01 12:00 JST.
pub const NOW: i64 = 1_759_287_600;

pub struct Served {
    pub addr: String,
    pub store: Store,
    pub plan: PlanId,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Sets up the world on the database `url` and serves it.
pub async fn serve(url: &str, items: usize) -> Served {
    let store = Store::connect(url).await.unwrap();
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
    let uid = store
        .create_user(
            "t",
            &NewUser {
                login: "editor",
                display_name: "editor",
                password_hash: "$argon2id$unused",
                must_change_password: false,
                roles: vec![("ward_editor", Scope::Unit(ward))],
            },
        )
        .await
        .unwrap();
    store
        .create_session(
            &token_hash("tokeneditor"),
            uid,
            "csrfeditor",
            "2099-01-01T00:00:00Z",
        )
        .await
        .unwrap();
    store
        .set_window(
            "t",
            m,
            &Window {
                fiscal_year: FiscalYear::new(2025).unwrap(),
                phase: Phase::Plan,
                opens_on: Date::new(2025, 4, 1).unwrap(),
                closes_on: Date::new(2026, 3, 31).unwrap(),
            },
        )
        .await
        .unwrap();
    let plan = store.save_plan("t", ward, &wide_plan(items)).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let state = AppState::new(store.clone()).with_clock(Clock::Fixed(NOW));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app(state)).await;
    });
    Served {
        addr,
        store,
        plan,
        server,
    }
}

/// One HTTP/1.1 request over a fresh connection; the status and the body.
pub async fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: kusei_session=tokeneditor\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

pub fn wide_plan(n: usize) -> PlanContent {
    let year = FiscalYear::new(2025).unwrap();
    let mut nodes = vec![NodeContent {
        level: "経営課題".into(),
        number: Some("1".into()),
        title: "安全なまち".into(),
        ..Default::default()
    }];
    let mut links = Vec::new();
    for i in 0..n {
        nodes.push(NodeContent {
            level: "具体的取組".into(),
            number: Some(format!("1-{}", i + 1)),
            title: format!("取組{}", i + 1),
            ..Default::default()
        });
        links.push(LinkContent {
            parent: 0,
            child: i + 1,
            kind: LinkKind::Primary,
        });
    }
    PlanContent {
        family: Family::ManagementSheet,
        period: Period::year(year),
        title: "東区 区運営方針".into(),
        level_names: Family::ManagementSheet.default_levels(),
        nodes,
        links,
        is_sample: false,
    }
}

/// Posts a save of `title` to the `i`-th item at its stored version.
pub async fn save(addr: &str, store: &Store, plan: PlanId, i: usize, title: &str) -> (u16, String) {
    let node = store.load_plan(plan).await.unwrap().nodes[i + 1]
        .node
        .clone();
    save_at(addr, node.id.0, node.version, title).await
}

/// Posts a save of `title` to a node at the version its form was opened at.
pub async fn save_at(addr: &str, node: i64, version: i64, title: &str) -> (u16, String) {
    let body = serde_urlencoded::to_string([
        ("title", title),
        ("version", &version.to_string()),
        ("csrf", "csrfeditor"),
    ])
    .unwrap();
    http(addr, "POST", &format!("/nodes/{node}/plan"), &body).await
}
