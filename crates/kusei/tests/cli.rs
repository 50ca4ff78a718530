//! End-to-end tests of the real `kusei` binary: help, migrate, bad configuration, and a
//! served instance on a free port (first start, pages, health, clean shutdown).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn kusei() -> Command {
    let mut c = common::kusei();
    c.env("RUST_BACKTRACE", "1");
    c
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kusei-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A failure must be exactly one line on stderr, naming the problem, without a panic.
fn assert_one_line_error(out: &Output, needle: &str) {
    assert!(!out.status.success(), "must exit non-zero");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(lines[0].starts_with("kusei: エラー / error: "), "{stderr}");
    assert!(lines[0].contains(needle), "{needle:?} not in {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"));
}

#[test]
fn help_is_in_japanese_and_english() {
    let out = kusei().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "サーバーを起動する",
        "run the web server",
        "KUSEI_DB",
        "migrate",
        "serve",
    ] {
        assert!(text.contains(needle), "{needle} missing from help:\n{text}");
    }
    let out = kusei().args(["serve", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("データベースURL") && text.contains("listen address"));
}

#[test]
fn migrate_creates_a_sqlite_database() {
    let dir = temp_dir("migrate");
    let db = dir.join("new.db");
    let url = format!("sqlite://{}", db.display());
    let out = kusei().args(["migrate", "--db", &url]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(db.exists());
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));
    // Idempotent.
    let out = kusei().args(["migrate", "--db", &url]).output().unwrap();
    assert!(out.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_configuration_is_one_line_and_non_zero() {
    let dir = temp_dir("badconf");
    // Unreachable database.
    let out = kusei()
        .args([
            "migrate",
            "--db",
            "postgres://kusei:secret@127.0.0.1:1/kusei",
        ])
        .output()
        .unwrap();
    assert_one_line_error(&out, "cannot connect to database");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("secret"),
        "password redacted"
    );
    // Unwritable path.
    let out = kusei()
        .args(["migrate", "--db", "sqlite:///proc/kusei-nope/k.db"])
        .output()
        .unwrap();
    assert_one_line_error(&out, "/proc/kusei-nope/k.db");
    // Unknown scheme.
    let out = kusei()
        .args(["migrate", "--db", "mysql://localhost/k"])
        .output()
        .unwrap();
    assert_one_line_error(&out, "unknown scheme");
    // Port in use.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let url = format!("sqlite://{}/k.db", dir.display());
    let out = kusei()
        .args(["serve", "--db", &url, "--addr", &addr])
        .output()
        .unwrap();
    assert_one_line_error(&out, &format!("cannot listen on {addr}"));
    // A broken configuration file, from the environment.
    let conf = dir.join("kusei.toml");
    std::fs::write(&conf, "addr = [1, 2]\n").unwrap();
    let out = kusei()
        .args(["migrate"])
        .env("KUSEI_CONFIG", &conf)
        .output()
        .unwrap();
    assert_one_line_error(&out, "kusei.toml");
    // A configuration file that names a database is used (file < env < flag).
    std::fs::write(&conf, "db = \"mysql://from-file\"\n").unwrap();
    let out = kusei()
        .args(["migrate"])
        .env("KUSEI_CONFIG", &conf)
        .output()
        .unwrap();
    assert_one_line_error(&out, "mysql://from-file");
    let out = kusei()
        .args(["migrate"])
        .env("KUSEI_CONFIG", &conf)
        .env("KUSEI_DB", "mysql://from-env")
        .output()
        .unwrap();
    assert_one_line_error(&out, "mysql://from-env");
    let _ = std::fs::remove_dir_all(&dir);
}

fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
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
    let body = text.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
    (status, body.to_string())
}

struct Served {
    child: std::process::Child,
    addr: String,
    stdout_before_ready: String,
}

fn start(url: &str) -> Served {
    let mut child = kusei()
        .args(["serve", "--db", url, "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout);
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || Instant::now() > deadline {
            let _ = child.kill();
            panic!("server did not start; stdout so far:\n{seen}");
        }
        if let Some(rest) = line.strip_prefix("Kusei: http://") {
            break rest.split('/').next().unwrap().to_string();
        }
        seen.push_str(&line);
    };
    Served {
        child,
        addr,
        stdout_before_ready: seen,
    }
}

fn stop(mut s: Served) -> String {
    let pid = s.child.id().to_string();
    let st = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(st.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            let mut err = String::new();
            s.child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            assert!(status.success(), "exit after SIGTERM: {status:?}\n{err}");
            return err;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn first_start_serves_the_sample_plan_and_stops_cleanly() {
    let dir = temp_dir("serve");
    let url = format!("sqlite://{}/kusei.db", dir.display());
    let s = start(&url);
    assert!(s
        .stdout_before_ready
        .contains("一時パスワード / one-time password:"));
    let password_line = s
        .stdout_before_ready
        .lines()
        .find(|l| l.contains("one-time password"))
        .unwrap();
    let password = password_line.rsplit(' ').next().unwrap().to_string();
    assert_eq!(password.len(), 16);

    let (status, body) = http_get(&s.addr, "/healthz");
    assert_eq!(status, 200);
    assert!(body.contains("\"ok\""));
    let (status, home) = http_get(&s.addr, "/");
    assert_eq!(status, 200);
    assert!(home.contains("サンプル市") && home.contains("サンプル区"));
    assert!(home.contains("サンプル"));
    let href = home
        .split("href=\"/plans/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let (status, plan) = http_get(&s.addr, &format!("/plans/{href}"));
    assert_eq!(status, 200);
    for needle in [
        "経営課題",
        "戦略",
        "具体的取組",
        "中間振り返り",
        "自己評価",
        "課題と改善策",
        "（再掲）",
        "目標未達成",
        "目標達成",
    ] {
        assert!(
            plan.contains(needle),
            "{needle} missing from the sample plan page"
        );
    }
    let stderr = stop(s);
    assert!(stderr.contains("stopped cleanly"), "{stderr}");
    assert!(!stderr.contains(&password), "the password is never logged");

    // Second start on the same database: no new sample, no password shown again.
    let s = start(&url);
    assert!(!s.stdout_before_ready.contains("one-time password"));
    let (_, home) = http_get(&s.addr, "/");
    assert_eq!(home.matches("サンプル区 区運営方針").count(), 1);
    stop(s);
    let _ = std::fs::remove_dir_all(&dir);
}
