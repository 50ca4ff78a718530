//! Browser scenarios (e2e/*.mjs, Node + playwright-core + axe-core in Debian's chromium)
//! against a real `kusei serve` on a fresh SQLite database.
//!
//! Each scenario gets its own server: first start (sample plan and the `admin` user with
//! a one-time password), then `kusei import` of tests/fixtures/xss_reform_items.txt —
//! a 取組項目 document whose title and texts are markup (`<script>…`, `<img onerror>`) —
//! under a unit whose name is markup too. The import runs while the server is up, because
//! the sample and the administrator are only created on an empty database. The script
//! gets BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD and XSS_PLAN_PATH.
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

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
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
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(300);

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

/// [`run_scenario`], with `kusei` commands run against the server's database (while it
/// runs, after the XSS import) before the script starts: each is a subcommand and its
/// arguments, to which `--db URL` is added, e.g. `&["sample-city", "--wards", "24"]`.
fn run_scenario_with(script: &str, extra_env: &[(&str, &str)], prepare: &[&[&str]]) {
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
    let server = Server::start(script.trim_end_matches(".mjs"));
    let xss_plan = server.import(&fixture("xss_reform_items.txt"), XSS_UNIT);
    let xss_path = format!("/plans/{xss_plan}");
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
        server.log()
    );
}

/// A `kusei serve` on a fresh SQLite database in a temporary directory, on a port the
/// system chose. Dropping it stops the server (SIGTERM, then SIGKILL) and removes the
/// directory, also when the test panics.
struct Server {
    child: Child,
    dir: PathBuf,
    db: String,
    base: String,
    admin_password: String,
    /// Everything the server printed (stdout and stderr), for failure messages.
    output: Arc<Mutex<String>>,
}

impl Server {
    fn start(name: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("kusei-browser-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = format!("sqlite://{}/kusei.db", dir.display());
        let mut child = common::kusei()
            .args(["serve", "--db", &db, "--addr", "127.0.0.1:0"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let (lines_tx, lines_rx) = mpsc::channel::<String>();
        // Both pipes are drained for the server's whole life, so it never blocks on them.
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        drain(stdout, Arc::clone(&output), Some(lines_tx));
        drain(stderr, Arc::clone(&output), None);
        let mut server = Server {
            child,
            dir,
            db,
            base: String::new(),
            admin_password: String::new(),
            output,
        };

        // stdout: the first-start banner with the one-time password, then the address.
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines_rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some((_, pw)) = line.split_once("one-time password:") {
                        server.admin_password = pw.trim().to_string();
                    }
                    if let Some(rest) = line.trim().strip_prefix("Kusei: http://") {
                        break rest.split('/').next().unwrap().to_string();
                    }
                }
                Err(_) => panic!(
                    "kusei serve did not print its address within 60 s; its output:\n{}",
                    server.log()
                ),
            }
        };
        assert!(
            !server.admin_password.is_empty(),
            "no one-time password on first start; output:\n{}",
            server.log()
        );
        server.base = format!("http://{addr}");
        server.wait_healthy(&addr);
        server
    }

    fn wait_healthy(&self, addr: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match http_get(addr, "/healthz") {
                Ok((200, body)) if body.contains("\"ok\"") => return,
                other => assert!(
                    Instant::now() < deadline,
                    "/healthz not ready within 30 s (last: {other:?}); server output:\n{}",
                    self.log()
                ),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `kusei import FILE --unit UNIT` into this server's database; returns the plan id.
    fn import(&self, file: &Path, unit: &str) -> i64 {
        let out = common::kusei()
            .args(["import", "--db", &self.db, "--unit", unit])
            .arg(file)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "kusei import {} failed:\n{stdout}\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        // "FILE: 取込完了 / imported as plan 2: 4 items, …"
        stdout
            .split_once("imported as plan ")
            .and_then(|(_, rest)| rest.split(':').next())
            .and_then(|id| id.trim().parse().ok())
            .unwrap_or_else(|| panic!("no plan id in the import report: {stdout}"))
    }

    /// `kusei SUBCOMMAND --db URL ARGS…` against this server's database; returns its
    /// stdout, or fails the test with its output and the server's.
    fn run(&self, args: &[&str]) -> String {
        let (sub, rest) = args.split_first().expect("a kusei subcommand");
        let out = common::kusei()
            .arg(sub)
            .args(["--db", &self.db])
            .args(rest)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "kusei {} failed ({}):\n{stdout}\n{}\n--- server output ---\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        stdout
    }

    fn log(&self) -> String {
        self.output
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Copies a pipe into `sink` line by line (and to `lines`, if given) on its own thread.
/// The returned receiver is signalled (disconnected) when the pipe has closed.
fn drain(
    pipe: impl Read + Send + 'static,
    sink: Arc<Mutex<String>>,
    lines: Option<mpsc::Sender<String>>,
) -> mpsc::Receiver<()> {
    let (done_tx, done_rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        let _done = done_tx;
        let mut reader = BufReader::new(pipe);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf).to_string();
                    sink.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push_str(&line);
                    if let Some(tx) = &lines {
                        let _ = tx.send(line);
                    }
                }
            }
        }
    });
    done_rx
}

/// A minimal HTTP/1.1 GET: (status, body).
fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |x| x.1);
    Ok((status, body.to_string()))
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
