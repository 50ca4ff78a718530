#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Kusei under abuse, measured against a real `kusei serve` (release build) on a sample
//! city of 24 wards × 3 years, each figure against a baseline taken in the same run:
//!
//! 1. `/healthz` and a public plan page, quiet (baseline), then while 32 clients post
//!    sign-ins with wrong passwords as fast as they can — once as 32 different addresses
//!    (each attempt costs a password hash: the worst case) and once from one address
//!    (throttling answers most of them before any hash).
//! 2. The server's peak memory (VmHWM) when 12 clients ask at once for the whole city's
//!    PDF (the same file) and for 12 different wards' PDFs.
//!
//! `cargo bench -p kusei --bench under_attack`. Figures go to stdout; nothing is asserted
//! (a benchmark, not a test).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KUSEI: &str = env!("CARGO_BIN_EXE_kusei");

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &str) -> Server {
    let mut child = Command::new(KUSEI)
        .args(["serve", "--db", db, "--addr", "127.0.0.1:0"])
        .env("KUSEI_TRUST_FORWARDED_FOR", "1")
        .env("KUSEI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kusei serve");
    let mut out = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    let addr = loop {
        let n = out.read(&mut buf).expect("read stdout");
        assert!(
            n > 0,
            "kusei serve stopped: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&seen);
        if let Some(rest) = text.split("Kusei: http://").nth(1) {
            if let Some(a) = rest.split('/').next().filter(|_| rest.contains('/')) {
                break a.to_string();
            }
        }
    };
    // Keep draining stdout so the server never blocks on it.
    std::thread::spawn(move || {
        let mut sink = [0u8; 4096];
        while out.read(&mut sink).is_ok_and(|n| n > 0) {}
    });
    Server { child, addr }
}

/// One HTTP/1.1 request on its own connection: (status, headers, body).
fn request(addr: &str, raw: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(600))).ok();
    s.write_all(raw.as_bytes()).expect("write");
    let mut all = Vec::new();
    s.read_to_end(&mut all).ok();
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(all.len());
    let head = String::from_utf8_lossy(&all[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = all.get(split + 4..).unwrap_or_default().to_vec();
    (status, head, body)
}

fn get(addr: &str, path: &str) -> (u16, Vec<u8>) {
    let (s, _, b) = request(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    (s, b)
}

/// Latencies (ms) of `n` sequential GETs of `path`.
fn timings(addr: &str, path: &str, n: usize) -> Vec<f64> {
    let mut v: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            let (status, _) = get(addr, path);
            assert_eq!(status, 200, "{path}");
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

fn pct(v: &[f64], p: f64) -> f64 {
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// 32 clients posting wrong sign-ins until `stop`; `spread`: each from its own address.
fn storm(
    addr: &str,
    stop: Arc<AtomicBool>,
    spread: bool,
    answers: Arc<AtomicUsize>,
) -> Vec<std::thread::JoinHandle<()>> {
    (0..32)
        .map(|i| {
            let (addr, stop, answers) = (addr.to_string(), stop.clone(), answers.clone());
            std::thread::spawn(move || {
                let (_, head, _) = request(
                    &addr,
                    &format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
                );
                let pre = head
                    .split("kusei_pre=")
                    .nth(1)
                    .and_then(|s| s.split(';').next())
                    .unwrap_or("")
                    .to_string();
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let body = format!("login=user{i}x{n}&password=wrong-password-{n}&csrf={pre}");
                    let from = if spread { format!("10.9.{i}.{}", n % 250) } else { "10.9.0.1".into() };
                    let (status, _, _) = request(
                        &addr,
                        &format!(
                            "POST /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: kusei_pre={pre}\r\nX-Forwarded-For: {from}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        ),
                    );
                    assert!(status == 401 || status == 429, "sign-in answered {status}");
                    answers.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect()
}

fn vm_hwm_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn main() {
    let dir = std::env::temp_dir().join(format!("kusei-under-attack-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = format!("sqlite://{}/k.db", dir.display());
    let t = Instant::now();
    let ok = Command::new(KUSEI)
        .args([
            "sample-city",
            "--db",
            &db,
            "--wards",
            "24",
            "--years",
            "2023-2025",
            "--items",
            "40",
        ])
        .stdout(Stdio::null())
        .status()
        .expect("kusei sample-city")
        .success();
    assert!(ok, "sample-city failed");
    println!(
        "sample city: 24 wards × 3 years × 40 items, made in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let server = start(&db);
    let addr = server.addr.clone();
    let (_, plans) = get(&addr, "/api/v1/plans");
    let plans: serde_json::Value = serde_json::from_slice(&plans).expect("plans json");
    let plan = plans["plans"][0]["id"].as_i64().expect("a published plan");
    let m = plans["plans"][0]["municipality_id"]
        .as_i64()
        .expect("municipality");
    let page = format!("/plans/{plan}");
    // Warm up.
    timings(&addr, "/healthz", 20);
    timings(&addr, &page, 20);

    println!("\n## 32 clients signing in with wrong passwords\n");
    println!("| load | /healthz p50 | /healthz p95 | plan page p50 | plan page p95 | sign-in answers/s |");
    println!("|---|---|---|---|---|---|");
    let row = |label: &str, h: &[f64], p: &[f64], rate: Option<f64>| {
        println!(
            "| {label} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {} |",
            pct(h, 0.5),
            pct(h, 0.95),
            pct(p, 0.5),
            pct(p, 0.95),
            rate.map_or("—".into(), |r| format!("{r:.0}"))
        );
    };
    let (h0, p0) = (timings(&addr, "/healthz", 200), timings(&addr, &page, 200));
    row("quiet (baseline)", &h0, &p0, None);
    for (label, spread) in [
        ("32 addresses (every attempt hashed)", true),
        ("one address (throttled)", false),
    ] {
        let stop = Arc::new(AtomicBool::new(false));
        let answers = Arc::new(AtomicUsize::new(0));
        let threads = storm(&addr, stop.clone(), spread, answers.clone());
        std::thread::sleep(Duration::from_secs(2));
        let start_count = answers.load(Ordering::Relaxed);
        let t = Instant::now();
        let h = timings(&addr, "/healthz", 200);
        let p = timings(&addr, &page, 200);
        let rate =
            (answers.load(Ordering::Relaxed) - start_count) as f64 / t.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        for th in threads {
            th.join().expect("storm thread");
        }
        row(label, &h, &p, Some(rate));
        println!(
            "|  ratio to baseline | ×{:.2} | ×{:.2} | ×{:.2} | ×{:.2} | |",
            pct(&h, 0.5) / pct(&h0, 0.5),
            pct(&h, 0.95) / pct(&h0, 0.95),
            pct(&p, 0.5) / pct(&p0, 0.5),
            pct(&p, 0.95) / pct(&p0, 0.95)
        );
    }

    println!("\n## 12 whole-city PDF requests at once\n");
    let pid = server.child.id();
    let before = vm_hwm_mib(pid);
    println!("server peak memory before: {before:.0} MiB");
    let (_, units) = get(&addr, &format!("/api/v1/municipalities/{m}/units"));
    let units: serde_json::Value = serde_json::from_slice(&units).expect("units json");
    let wards: Vec<i64> = units["units"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|u| u["kind"] == "ward")
                .filter_map(|u| u["id"].as_i64())
                .collect()
        })
        .unwrap_or_default();
    for (label, paths) in [
        (
            "the same file (the whole city, every year)",
            (0..12)
                .map(|_| format!("/open-data/{m}/export?format=pdf"))
                .collect::<Vec<_>>(),
        ),
        (
            "12 different files (one ward each, every year)",
            wards
                .iter()
                .take(12)
                .map(|w| format!("/open-data/{m}/export?format=pdf&unit={w}"))
                .collect(),
        ),
    ] {
        let t = Instant::now();
        let handles: Vec<_> = paths
            .into_iter()
            .map(|p| {
                let addr = addr.clone();
                std::thread::spawn(move || {
                    let t = Instant::now();
                    let (status, body) = get(&addr, &p);
                    (status, body.len(), t.elapsed().as_secs_f64())
                })
            })
            .collect();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("pdf thread"))
            .collect();
        let ok = results.iter().filter(|r| r.0 == 200).count();
        let slowest = results.iter().map(|r| r.2).fold(0.0, f64::max);
        let size = results.iter().map(|r| r.1).max().unwrap_or(0);
        println!(
            "{label}: {ok}/12 answered 200, largest {:.1} MB, slowest {slowest:.1} s, all in {:.1} s; server peak memory now {:.0} MiB",
            size as f64 / 1e6,
            t.elapsed().as_secs_f64(),
            vm_hwm_mib(pid)
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
