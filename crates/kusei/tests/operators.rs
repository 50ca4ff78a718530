#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What an operator meets at the edges of a running Kusei: connections that stall are
//! closed (header-read and idle timeouts), a fresh install without the sample, and
//! `kusei user …` recovering a locked-out or disabled sole administrator.

mod common;

use common::{http_get, kusei, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn addr(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Seconds until the server closes a connection that sends `first` and then nothing.
fn closed_after(addr: &str, first: &[u8]) -> f64 {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let start = Instant::now();
    s.write_all(first).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return start.elapsed().as_secs_f64(),
            Ok(_) => {}
            Err(e) => panic!("the connection was still open after 10 s: {e}"),
        }
    }
}

#[test]
fn stalled_and_idle_connections_are_closed() {
    let server = Server::start_with("timeouts", &[], &[("KUSEI_HEADER_TIMEOUT_SECS", "1")]);
    let a = addr(&server);
    // Nothing sent at all.
    let t = closed_after(&a, b"");
    assert!(t < 4.0, "silent connection closed after {t:.1} s");
    // Half a request's headers, then silence (slowloris).
    let t = closed_after(&a, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    assert!(t < 4.0, "half-sent headers closed after {t:.1} s");
    // A whole request on a keep-alive connection, then idle.
    let t = closed_after(&a, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(t < 4.0, "idle keep-alive connection closed after {t:.1} s");
    // Requests that arrive in time are answered.
    let (status, body) = http_get(&a, "/healthz").unwrap();
    assert_eq!(status, 200, "{body}");
}

#[test]
fn an_install_without_the_sample_and_a_recovered_administrator() {
    let server = Server::start_with("nosample", &["--no-sample"], &[]);
    let a = addr(&server);
    // No sample city: the public home page lists nothing, the API knows no municipality.
    let (status, body) = http_get(&a, "/api/v1/municipalities").unwrap();
    assert_eq!(status, 200);
    assert!(!body.contains("サンプル"), "{body}");
    let (_, home) = http_get(&a, "/").unwrap();
    assert!(!home.contains("サンプル市"), "{home}");
    // The operator disables the only administrator, then brings them back with a new
    // one-time password (no database editing).
    let run = |args: &[&str]| {
        let out = kusei()
            .arg("user")
            .args(args)
            .args(["--db", &server.db])
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, out, err) = run(&["disable", "admin"]);
    assert!(ok, "{out}{err}");
    let (_, list, _) = run(&["list"]);
    assert!(
        list.contains("admin") && list.contains("disabled"),
        "{list}"
    );
    let (ok, out, err) = run(&["enable", "admin"]);
    assert!(ok, "{out}{err}");
    let (ok, out, err) = run(&["reset-password", "admin"]);
    assert!(ok, "{out}{err}");
    let otp = out
        .lines()
        .find_map(|l| l.split_once("one-time password: "))
        .map(|(_, p)| p.trim().to_string())
        .unwrap();
    assert_eq!(otp.len(), 16, "{out}");
    assert_ne!(otp, server.admin_password);
    // A user added on the command line, with a role the policy accepts.
    let (ok, out, err) = run(&[
        "add",
        "ops2",
        "--role",
        "system_admin",
        "--name",
        "運用担当",
    ]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("one-time password: "), "{out}");
    // Errors say what is wrong, on one line, with exit code 1.
    let (ok, _, err) = run(&["add", "x1", "--role", "ward_editor"]);
    assert!(!ok);
    assert!(
        err.contains("--municipality") || err.contains("--unit"),
        "{err}"
    );
    let (ok, _, err) = run(&["disable", "nobody"]);
    assert!(!ok && err.contains("nobody"), "{err}");
}
