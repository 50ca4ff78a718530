//! Browser scenarios (e2e/*.mjs, Node + playwright-core + axe-core in Debian's chromium)
//! against a real `kusei serve` on a fresh SQLite database.
//!
//! Each scenario gets its own server: first start (sample plan and the `admin` user with
//! a one-time password), then `kusei import` of tests/fixtures/xss_reform_items.txt —
//! a 取組項目 document whose title and texts are markup (`<script>…`, `<img onerror>`) —
//! under a unit whose name is markup too. The import runs while the server is up, because
//! the sample and the administrator are only created on an empty database. The script
//! gets BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD and XSS_PLAN_PATH. A scenario of a city
//! started from nothing (`Start::Empty`) gets a `--no-sample` server with only the
//! administrator, and no import.
//!
//! Without /usr/bin/chromium or e2e/node_modules the tests say they were skipped, unless
//! KUSEI_REQUIRE_BROWSER=1 (CI), where that is a failure.
//!
//! A new scenario is one more file in e2e/ and one more #[test] calling `run_scenario`,
//! or `run_scenario_with` when it needs more data first (`kusei sample-city` for the
//! dashboard).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{drain, Server};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const SKIPPED: &str =
    "skipped: browser tests need /usr/bin/chromium and e2e/node_modules (npm ci in e2e/)";
/// The unit the XSS fixture is imported under: its name is shown on / and the plan page.
const XSS_UNIT: &str = "検証区<script>window.__xss=5</script>";
/// The name `kusei sample-city` gives the city the dashboard scenario looks at.
const SAMPLE_CITY: &str = "見本市";
/// How long one scenario may run before it is killed.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(480);

/// One browser scenario at a time: the machine has two cores and chromium is heavy.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn public_pages() {
    run_scenario("public.mjs", &[]);
}

#[test]
fn pdca_year_in_the_browser() {
    run_scenario("pdca.mjs", &[]);
}

/// A new city's figures in the browser: typed targets, suggested actuals, the series, and
/// the city's indicators corrected and merged.
#[test]
fn figures_from_nothing_in_the_browser() {
    run_scenario("figures.mjs", &[]);
}

/// A city started from an EMPTY database (`--no-sample`, no import, no command line):
/// its set-up, users, two plans written by hand (structure, 再掲, 担当, a delete undone),
/// section editors entering their own items' three phases, the progress table emptying,
/// submit → approve → publish, and a citizen reading the result.
#[test]
fn a_city_from_nothing_in_the_browser() {
    run(Scenario {
        script: "write.mjs",
        env: &[],
        prepare: &[],
        start: Start::Empty,
    });
}

/// Two servers over one PostgreSQL database behind one address (a proxy in the
/// scenario): a person's session, forms, uploads, sign-in failures and search move
/// between the instances. Needs KUSEI_TEST_PG (set by `.ci/run`); without it the test
/// says it was skipped.
#[test]
fn two_instances_on_one_postgresql_in_the_browser() {
    let Ok(pg) = std::env::var("KUSEI_TEST_PG") else {
        eprintln!("skipped: KUSEI_TEST_PG is not set (two instances need PostgreSQL)");
        return;
    };
    run(Scenario {
        script: "instances.mjs",
        env: &[],
        prepare: &[],
        start: Start::TwoOnPostgres(pg),
    });
}

/// A fresh PostgreSQL database beside `pg`'s (dropped first if a run left it): its URL.
fn fresh_postgres(pg: &str, name: &str) -> String {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(pg).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
    });
    let base = pg.rsplit_once('/').map_or(pg, |x| x.0);
    format!("{base}/{name}")
}

/// The ward comparison dashboard and the open-data page on the made-up sample city.
#[test]
fn ward_comparison_in_the_browser() {
    run_scenario_with(
        "dashboard.mjs",
        &[("SAMPLE_CITY", SAMPLE_CITY)],
        &[&[
            "sample-city",
            "--name",
            SAMPLE_CITY,
            "--wards",
            "24",
            "--years",
            "2023-2025",
            "--items",
            "40",
        ]],
    );
}

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// What is missing for browser tests, if anything.
fn missing_prerequisites() -> Vec<String> {
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).exists() {
        missing.push(format!(
            "{CHROMIUM} (apt-get install chromium fonts-ipaexfont)"
        ));
    }
    if !e2e_dir().join("node_modules").is_dir() {
        missing.push("e2e/node_modules (cd e2e && npm ci)".to_string());
    }
    if !Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        missing.push("node (Node.js 20 or later)".to_string());
    }
    missing
}

/// Starts a fresh server, runs `node e2e/SCRIPT` against it with `extra_env`, and fails
/// the test (printing the script's output and the server's log) unless it exits 0.
fn run_scenario(script: &str, extra_env: &[(&str, &str)]) {
    run_scenario_with(script, extra_env, &[]);
}

/// How a scenario's server starts.
#[derive(Clone, PartialEq, Eq)]
enum Start {
    /// First start with the sample, then the XSS fixture imported (XSS_PLAN_PATH).
    SampleAndXss,
    /// `--no-sample` and nothing imported: only the administrator exists.
    Empty,
    /// Two `--no-sample` servers on one new PostgreSQL database beside this URL's
    /// (BASE_URL_A and BASE_URL_B; the second joins after the first set it up).
    TwoOnPostgres(String),
}

struct Scenario<'a> {
    script: &'a str,
    env: &'a [(&'a str, &'a str)],
    prepare: &'a [&'a [&'a str]],
    start: Start,
}

/// [`run_scenario`], with `kusei` commands run against the server's database (while it
/// runs, after the XSS import) before the script starts: each is a subcommand and its
/// arguments, to which `--db URL` is added, e.g. `&["sample-city", "--wards", "24"]`.
fn run_scenario_with(script: &str, extra_env: &[(&str, &str)], prepare: &[&[&str]]) {
    run(Scenario {
        script,
        env: extra_env,
        prepare,
        start: Start::SampleAndXss,
    });
}

fn run(r: Scenario<'_>) {
    let Scenario {
        script,
        env: extra_env,
        prepare,
        start,
    } = r;
    let missing = missing_prerequisites();
    if !missing.is_empty() {
        if std::env::var("KUSEI_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!(
                "KUSEI_REQUIRE_BROWSER=1 but browser tests cannot run; missing: {}",
                missing.join(", ")
            );
        }
        eprintln!("{SKIPPED}");
        eprintln!("  missing: {}", missing.join(", "));
        return;
    }
    let script_path = e2e_dir().join(script);
    assert!(
        script_path.is_file(),
        "no scenario {}",
        script_path.display()
    );
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);

    let started = Instant::now();
    let name = script.trim_end_matches(".mjs");
    let mut second = None;
    let (server, xss_path) = match start {
        Start::SampleAndXss => {
            let server = Server::start(name);
            let xss_plan = server.import(&fixture("xss_reform_items.txt"), XSS_UNIT);
            (server, format!("/plans/{xss_plan}"))
        }
        Start::Empty => (
            Server::start_with(name, &["--no-sample"], &[]),
            String::new(),
        ),
        Start::TwoOnPostgres(pg) => {
            let db = fresh_postgres(&pg, &format!("kusei_instances_{}", std::process::id()));
            let a = Server::start_on(&format!("{name}-a"), &db, true, &["--no-sample"], &[]);
            second = Some(Server::start_on(
                &format!("{name}-b"),
                &db,
                false,
                &["--no-sample"],
                &[],
            ));
            (a, String::new())
        }
    };
    let (base_a, base_b) = (
        server.base.clone(),
        second.as_ref().map(|b| b.base.clone()).unwrap_or_default(),
    );
    for args in prepare {
        let took = Instant::now();
        let out = server.run(args);
        println!(
            "kusei {} ({:.1} s): {}",
            args.join(" "),
            took.elapsed().as_secs_f64(),
            out.trim()
        );
    }
    let ready = started.elapsed();

    let mut cmd = Command::new("node");
    cmd.arg(&script_path)
        .current_dir(e2e_dir())
        .env("BASE_URL", &server.base)
        .env("ADMIN_LOGIN", "admin")
        .env("ADMIN_PASSWORD", &server.admin_password)
        .env("XSS_PLAN_PATH", &xss_path)
        .env("BASE_URL_A", &base_a)
        .env("BASE_URL_B", &base_b)
        .envs(extra_env.iter().copied());
    let run = run_with_timeout(cmd, SCENARIO_TIMEOUT);
    let took = started.elapsed();
    print!("{}", run.stdout);
    eprint!("{}", run.stderr);
    let status = run
        .status
        .map_or_else(|| "killed".to_string(), |s| s.to_string());
    println!(
        "e2e/{script}: {status} after {:.1} s (server and import ready after {:.1} s)",
        took.as_secs_f64(),
        ready.as_secs_f64()
    );
    // The script's stdout is printed above (shown by the test harness on failure); the
    // panic message repeats all but its passed checks and adds its stderr and the server's
    // output.
    let failed: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| !l.starts_with("ok - "))
        .collect();
    assert!(
        !run.timed_out && run.status.is_some_and(|s| s.success()),
        "e2e/{script} failed ({status}{}) against {}\n{}\n--- stderr of node ---\n{}\n--- server output ---\n{}",
        if run.timed_out {
            format!(", killed after {SCENARIO_TIMEOUT:?}")
        } else {
            String::new()
        },
        server.base,
        failed.join("\n"),
        run.stderr,
        server.log() + &second.as_ref().map(|b| format!("\n--- second server ---\n{}", b.log())).unwrap_or_default()
    );
}

struct Run {
    status: Option<ExitStatus>,
    timed_out: bool,
    stdout: String,
    stderr: String,
}

/// Runs a command to its end, or kills it and everything it started (its process group:
/// node and chromium) after `timeout`; collects its output.
fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Run {
    use std::os::unix::process::CommandExt;
    let mut child = cmd
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = Arc::new(Mutex::new(String::new()));
    let stderr = Arc::new(Mutex::new(String::new()));
    let done = [
        drain(child.stdout.take().unwrap(), Arc::clone(&stdout), None),
        drain(child.stderr.take().unwrap(), Arc::clone(&stderr), None),
    ];
    let deadline = Instant::now() + timeout;
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break (Some(status), false);
        }
        if Instant::now() > deadline {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // Read what is left in the pipes (bounded: a leftover grandchild may hold them open).
    for d in &done {
        let _ = d.recv_timeout(Duration::from_secs(5));
    }
    let take = |s: &Arc<Mutex<String>>| {
        s.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    };
    Run {
        status,
        timed_out,
        stdout: take(&stdout),
        stderr: take(&stderr),
    }
}
