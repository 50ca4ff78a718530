//! Reminders and notifications by mail (issue 18), end to end: two `kusei serve`
//! instances over one PostgreSQL database and a real SMTP server process on 127.0.0.1
//! (the standard library's `smtpd`, tests/fixtures/smtp_sink.py). Seven days before the
//! review window closes each 担当 with empty items is mailed once, a complete one not at
//! all, the ward's editor once; a submission, an approval and a publication are each
//! mailed once to the people concerned — although both instances run the jobs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{LinkContent, NodeContent, PlanContent};
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect};
use kusei_domain::model::{Family, LinkKind, Period, Phase, Review, UnitKind};
use kusei_domain::policy::Scope;
use kusei_store::{NewUnit, NewUser, Store};
use serde_json::Value;
use sqlx::Connection;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// A child process killed when dropped (also when the test fails).
struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The SMTP server and the mail it received (one JSON value per recipient).
fn smtp_sink() -> (Proc, u16, Arc<Mutex<Vec<Value>>>) {
    let port = free_port();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp_sink.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 runs the SMTP server");
    let out = child.stdout.take().unwrap();
    let mail = Arc::new(Mutex::new(Vec::new()));
    let (ready_tx, ready_rx) = mpsc::channel();
    {
        let mail = Arc::clone(&mail);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if line.starts_with("ready") {
                    let _ = ready_tx.send(());
                } else if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    mail.lock().unwrap().push(v);
                }
            }
        });
    }
    ready_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the SMTP server listens");
    (Proc(child), port, mail)
}

/// `kusei serve` on `db`, mailing through the SMTP server; returns it and its address.
fn serve(db: &str, smtp_port: u16) -> (Proc, String, Arc<Mutex<String>>) {
    let mut child = common::kusei()
        .args(["serve", "--db", db, "--addr", "127.0.0.1:0", "--no-sample"])
        .env("KUSEI_SMTP", format!("127.0.0.1:{smtp_port}"))
        .env("KUSEI_MAIL_FROM", "kusei@city.example.lg.jp")
        .env("KUSEI_PUBLIC_URL", "http://kusei.city.example.lg.jp")
        .env("KUSEI_JOBS_INTERVAL_SECS", "1")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = mpsc::channel();
    common::drain(child.stdout.take().unwrap(), Arc::clone(&log), Some(tx));
    common::drain(child.stderr.take().unwrap(), Arc::clone(&log), None);
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no address within 60 s: {}", log.lock().unwrap()));
        if let Some(rest) = line.trim().strip_prefix("Kusei: http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    (Proc(child), addr, log)
}

/// A form POST with a session cookie: the status.
fn post(addr: &str, path: &str, cookie: &str, form: &[(&str, &str)]) -> (u16, String) {
    let body: String = form
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn item(title: &str, owner: &str, review: Option<FiscalYear>) -> NodeContent {
    NodeContent {
        level: "具体的取組".into(),
        title: title.into(),
        owner: Some(owner.into()),
        reviews: review
            .map(|fy| Review {
                fiscal_year: fy,
                implementation: Some(ImplementationProspect::Expected),
                achievement: Some(AchievementProspect::OnTrack),
                remedy: None,
            })
            .into_iter()
            .collect(),
        ..Default::default()
    }
}

fn plan(title: &str, fy: FiscalYear, items: Vec<NodeContent>) -> PlanContent {
    let n = items.len();
    PlanContent {
        family: Family::ManagementSheet,
        title: title.into(),
        period: Period::year(fy),
        level_names: vec!["経営課題".into(), "具体的取組".into()],
        nodes: std::iter::once(NodeContent {
            level: "経営課題".into(),
            title: "区民参画".into(),
            ..Default::default()
        })
        .chain(items)
        .collect(),
        links: (1..=n)
            .map(|i| LinkContent {
                parent: 0,
                child: i,
                kind: LinkKind::Primary,
            })
            .collect(),
        is_sample: false,
    }
}

#[test]
fn reminders_and_workflow_mail_go_out_once_from_two_instances() {
    let Some(admin_url) = std::env::var("KUSEI_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        eprintln!("skipped: two instances need PostgreSQL (set KUSEI_TEST_PG=postgres://…)");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = format!("kusei_mail_{}", std::process::id());
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |x| x.0)
        .to_string();
    let db = format!("{base}/{name}");
    let today = kusei_app::Clock::System.today_jst();
    let fy = today.fiscal_year();
    let (_plan_one, plan_two) = rt.block_on(async {
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let store = Store::connect(&db).await.unwrap();
        store.migrate().await.unwrap();
        let m = store
            .create_municipality("t", "271004", "大阪市", false)
            .await
            .unwrap();
        let unit = |parent, kind, name| NewUnit {
            municipality_id: m,
            parent_id: parent,
            kind,
            name,
            phone: None,
            fax: None,
            duties: None,
        };
        let kita = store
            .create_unit("t", &unit(None, UnitKind::Ward, "北区"))
            .await
            .unwrap();
        let soumu = store
            .create_unit("t", &unit(Some(kita), UnitKind::Section, "総務課"))
            .await
            .unwrap();
        let kyodo = store
            .create_unit("t", &unit(Some(kita), UnitKind::Section, "協働課"))
            .await
            .unwrap();
        let minami = store
            .create_unit("t", &unit(None, UnitKind::Ward, "南区"))
            .await
            .unwrap();
        let _ = store
            .create_unit("t", &unit(Some(minami), UnitKind::Section, "南総務課"))
            .await
            .unwrap();
        // 北区: 総務課's item is empty in the review, 協働課's is entered.
        let one = store
            .save_plan(
                "t",
                kita,
                &plan(
                    "北区運営方針",
                    fy,
                    vec![
                        item("窓口の改善", "総務課", None),
                        item("区政会議の運営", "協働課", Some(fy)),
                    ],
                ),
            )
            .await
            .unwrap();
        // 南区: complete, so it can be submitted while the window is open.
        let two = store
            .save_plan(
                "t",
                minami,
                &plan("南区運営方針", fy, vec![item("防災", "南総務課", Some(fy))]),
            )
            .await
            .unwrap();
        let opens: kusei_domain::calendar::Date = format!("{}-04-01", fy.year()).parse().unwrap();
        let mut closes = today;
        for _ in 0..7 {
            closes = closes.next();
        }
        store
            .set_window(
                "t",
                m,
                &kusei_store::Window {
                    fiscal_year: fy,
                    phase: Phase::Review,
                    opens_on: opens,
                    closes_on: closes,
                },
            )
            .await
            .unwrap();
        for (login, role, scope, email) in [
            (
                "soumu",
                "section_editor",
                Scope::Unit(soumu),
                "soumu@city.example.lg.jp",
            ),
            (
                "kyodo",
                "section_editor",
                Scope::Unit(kyodo),
                "kyodo@city.example.lg.jp",
            ),
            (
                "kita",
                "ward_editor",
                Scope::Unit(kita),
                "kita@city.example.lg.jp",
            ),
            (
                "minami",
                "ward_editor",
                Scope::Unit(minami),
                "minami@city.example.lg.jp",
            ),
            (
                "kucho",
                "approver",
                Scope::Unit(minami),
                "kucho@city.example.lg.jp",
            ),
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
            store.set_user_email("t", uid, Some(email)).await.unwrap();
            store
                .create_session(
                    &kusei_web::auth::token_hash(&format!("token{login}")),
                    uid,
                    &format!("csrf{login}"),
                    "2099-01-01T00:00:00Z",
                )
                .await
                .unwrap();
        }
        store.close().await;
        (one, two)
    });
    let (_smtp, smtp_port, mail) = smtp_sink();
    let (_a, addr_a, log_a) = serve(&db, smtp_port);
    let (_b, addr_b, log_b) = serve(&db, smtp_port);
    let logs = || {
        format!(
            "A:\n{}\nB:\n{}",
            log_a.lock().unwrap(),
            log_b.lock().unwrap()
        )
    };
    let wait_for = |what: &str, done: &dyn Fn(&[Value]) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done(&mail.lock().unwrap()) {
            assert!(
                Instant::now() < deadline,
                "{what} not mailed within 60 s; got {:?}\n{}",
                mail.lock().unwrap(),
                logs()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let to = |v: &Value| v["to"].as_str().unwrap().to_string();
    wait_for("the reminders", &|m| {
        m.iter().any(|v| v["to"] == "soumu@city.example.lg.jp")
            && m.iter().any(|v| v["to"] == "kita@city.example.lg.jp")
    });

    // The workflow: submitted on one instance, approved on the other, published (by the
    // approver) on the first.
    let path = format!("/plans/{}/workflow", plan_two.0);
    let (s, body) = post(
        &addr_a,
        &path,
        "kusei_session=tokenminami",
        &[
            ("csrf", "csrfminami"),
            ("step", "submit"),
            ("acknowledge", "1"),
        ],
    );
    assert_eq!(s, 303, "submitted: {body}");
    let (s, body) = post(
        &addr_b,
        &path,
        "kusei_session=tokenkucho",
        &[("csrf", "csrfkucho"), ("step", "approve"), ("confirm", "1")],
    );
    assert_eq!(s, 303, "approved: {body}");
    let (s, body) = post(
        &addr_a,
        &path,
        "kusei_session=tokenkucho",
        &[("csrf", "csrfkucho"), ("step", "publish"), ("confirm", "1")],
    );
    assert_eq!(s, 303, "published: {body}");
    wait_for("the workflow mail", &|m| {
        m.iter().any(|v| {
            v["subject"]
                .as_str()
                .unwrap_or("")
                .contains("公表されました")
        })
    });
    // Both instances keep running their jobs: nothing more may arrive.
    std::thread::sleep(Duration::from_secs(5));
    let got = mail.lock().unwrap().clone();
    let mut pairs: Vec<(String, String)> = got
        .iter()
        .map(|v| (to(v), v["subject"].as_str().unwrap().to_string()))
        .collect();
    pairs.sort();
    let mut unique = pairs.clone();
    unique.dedup();
    assert_eq!(
        pairs, unique,
        "every mail once, however many instances run the jobs"
    );
    let reminders: Vec<&String> = pairs
        .iter()
        .filter(|(_, s)| s.contains("締切まで"))
        .map(|(t, _)| t)
        .collect();
    assert_eq!(
        reminders,
        vec!["kita@city.example.lg.jp", "soumu@city.example.lg.jp"],
        "the 担当 with empty items and the ward's editor; not 協働課 (complete), not 南区 (complete)"
    );
    let subject_to = |t: &str, needle: &str| {
        pairs
            .iter()
            .filter(|(to, s)| to == t && s.contains(needle))
            .count()
    };
    assert_eq!(
        subject_to("kucho@city.example.lg.jp", "承認の依頼"),
        1,
        "the approver is asked once: {pairs:?}"
    );
    assert_eq!(
        subject_to("minami@city.example.lg.jp", "公表されました"),
        1,
        "the ward's editor is told of the publication: {pairs:?}"
    );
    assert!(
        pairs.iter().any(|(_, s)| s.contains("承認されました")),
        "the approval is told: {pairs:?}"
    );
    let body_of = |needle: &str| {
        got.iter()
            .find(|v| v["subject"].as_str().unwrap().contains(needle))
            .unwrap()["body"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let reminder = body_of("締切まで");
    assert!(
        reminder.contains(&closes_label(today)),
        "the closing day: {reminder}"
    );
    assert!(
        reminder.contains("http://kusei.city.example.lg.jp/plans/"),
        "a link to act on it: {reminder}"
    );
    drop(_a);
    drop(_b);
    rt.block_on(async {
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
    });
}

fn closes_label(today: kusei_domain::calendar::Date) -> String {
    let mut d = today;
    for _ in 0..7 {
        d = d.next();
    }
    d.to_japanese()
}
