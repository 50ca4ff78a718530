#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Kusei's public pages as the archive grows, measured against a real `kusei serve`
//! (release build) in one run: a small database (one city, 24 wards × 3 years × 40
//! items: the baseline) and a large one (`SCALE_CITIES` cities × `SCALE_WARDS` wards ×
//! `SCALE_YEARS` years × `SCALE_ITEMS` items, made by `kusei sample-city`). For each page
//! it reports p50 / p95 / p99 at 16 concurrent clients (keep-alive connections), the
//! answers per second, the server's RSS after the run and its peak, and the ratio of the
//! large database's p95 to the small one's. Beside it, nginx (when installed) serves the
//! plan page's bytes as a static file to the same 16 clients: the ratio of throughputs.
//!
//! `cargo bench -p kusei --bench scale` (SCALE_CITIES=4 SCALE_WARDS=24 SCALE_YEARS=10
//! SCALE_ITEMS=40 unless set; SCALE_REQUESTS per client and page, 25 unless set;
//! SCALE_DB=postgres://… for the large database on PostgreSQL, SCALE_BUILD=0 to reuse it;
//! SCALE_KEEP=DIR keeps and reuses the SQLite files). Figures go to stdout; nothing is asserted (a benchmark).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KUSEI: &str = env!("CARGO_BIN_EXE_kusei");
const CLIENTS: usize = 16;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

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
        .args(["serve", "--db", db, "--addr", "127.0.0.1:0", "--no-sample"])
        .env("KUSEI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kusei serve");
    let out = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out);
    let addr = loop {
        let mut line = String::new();
        let n = lines.read_line(&mut line).expect("read stdout");
        assert!(n > 0, "kusei serve stopped before printing its address");
        if let Some(rest) = line.trim().strip_prefix("Kusei: http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || {
        let mut sink = String::new();
        while lines.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    Server { child, addr }
}

/// A keep-alive HTTP/1.1 client: GET and read one answer (Content-Length or chunked).
struct Client {
    addr: String,
    conn: Option<BufReader<TcpStream>>,
}

impl Client {
    fn new(addr: &str) -> Client {
        Client {
            addr: addr.to_string(),
            conn: None,
        }
    }

    fn get(&mut self, path: &str) -> (u16, Vec<u8>) {
        for attempt in 0..2 {
            if self.conn.is_none() {
                let s = TcpStream::connect(&self.addr).expect("connect");
                s.set_read_timeout(Some(Duration::from_secs(120))).ok();
                s.set_nodelay(true).ok();
                self.conn = Some(BufReader::new(s));
            }
            match self.try_get(path) {
                Some(answer) => return answer,
                None if attempt == 0 => self.conn = None,
                None => {}
            }
        }
        panic!("GET {path}: no answer from {}", self.addr);
    }

    fn try_get(&mut self, path: &str) -> Option<(u16, Vec<u8>)> {
        let conn = self.conn.as_mut()?;
        write!(
            conn.get_mut(),
            "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.addr
        )
        .ok()?;
        let mut status_line = String::new();
        if conn.read_line(&mut status_line).ok()? == 0 {
            return None;
        }
        let status: u16 = status_line.split_whitespace().nth(1)?.parse().ok()?;
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            let mut h = String::new();
            conn.read_line(&mut h).ok()?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':')?;
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            match k.as_str() {
                "content-length" => length = v.parse::<usize>().ok(),
                "transfer-encoding" => chunked = v.eq_ignore_ascii_case("chunked"),
                "connection" => close = v.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                let mut size = String::new();
                conn.read_line(&mut size).ok()?;
                let n = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
                let mut chunk = vec![0; n + 2];
                conn.read_exact(&mut chunk).ok()?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            conn.read_exact(&mut body).ok()?;
        } else {
            conn.read_to_end(&mut body).ok()?;
            close = true;
        }
        if close {
            self.conn = None;
        }
        Some((status, body))
    }
}

fn get(addr: &str, path: &str) -> (u16, Vec<u8>) {
    Client::new(addr).get(path)
}

fn json(addr: &str, path: &str) -> serde_json::Value {
    let (status, body) = get(addr, path);
    assert_eq!(status, 200, "{path}");
    serde_json::from_slice(&body).expect("json")
}

struct Measure {
    p50: f64,
    p95: f64,
    p99: f64,
    per_second: f64,
    bytes: usize,
}

/// `CLIENTS` clients each asking `n` times for `path`.
fn measure(addr: &str, path: &str, n: usize) -> Measure {
    // Warm up (caches, the page's first making).
    let mut warm = Client::new(addr);
    let (status, body) = warm.get(path);
    assert_eq!(status, 200, "{path}");
    for _ in 0..3 {
        warm.get(path);
    }
    let started = Instant::now();
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (addr, path) = (addr.to_string(), path.to_string());
            std::thread::spawn(move || {
                let mut c = Client::new(&addr);
                (0..n)
                    .map(|_| {
                        let t = Instant::now();
                        let (status, _) = c.get(&path);
                        assert_eq!(status, 200, "{path}");
                        t.elapsed().as_secs_f64() * 1000.0
                    })
                    .collect::<Vec<f64>>()
            })
        })
        .collect();
    let mut all: Vec<f64> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("client"))
        .collect();
    let took = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| all[(((all.len() - 1) as f64) * p).round() as usize];
    Measure {
        p50: pct(0.5),
        p95: pct(0.95),
        p99: pct(0.99),
        per_second: all.len() as f64 / took,
        bytes: body.len(),
    }
}

fn rss_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|k| k.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// `kusei sample-city` `cities` times into `db` (a city is named after its number).
fn build(db: &str, cities: usize, wards: usize, years: usize, items: usize) -> f64 {
    let t = Instant::now();
    let last = 2025;
    let first = last + 1 - years.max(1) as i32;
    for c in 0..cities {
        let ok = Command::new(KUSEI)
            .args([
                "sample-city",
                "--db",
                db,
                "--name",
                &format!("見本{}市", c + 1),
                "--wards",
                &wards.to_string(),
                "--years",
                &format!("{first}-{last}"),
                "--items",
                &items.to_string(),
            ])
            .stdout(Stdio::null())
            .status()
            .expect("kusei sample-city")
            .success();
        assert!(ok, "sample-city failed");
    }
    t.elapsed().as_secs_f64()
}

/// The pages measured, found through the API and the pages themselves.
fn pages(addr: &str) -> Vec<(&'static str, String)> {
    let plans = json(addr, "/api/v1/plans?limit=1");
    let plan = plans["plans"][0]["id"].as_i64().expect("a published plan");
    let m = plans["plans"][0]["municipality_id"].as_i64().expect("m");
    let (_, html) = get(addr, &format!("/plans/{plan}"));
    let html = String::from_utf8_lossy(&html);
    let item = html
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with(&format!("/plans/{plan}/items/")))
        .expect("an item page link")
        .replace("&amp;", "&");
    let year = plans["plans"][0]["period"]["end"].as_i64().unwrap();
    vec![
        ("home /", "/".to_string()),
        ("home of a city", format!("/?municipality={m}")),
        ("public plan page", format!("/plans/{plan}")),
        ("item page", item),
        ("ward dashboard", format!("/dashboard/{m}")),
        ("city roll-up", format!("/rollup/{m}?year={year}")),
        ("open data", format!("/open-data?municipality={m}")),
        ("/api/v1/plans", "/api/v1/plans".to_string()),
        ("search 区民", "/search?q=%E5%8C%BA%E6%B0%91".to_string()),
    ]
}

struct Run {
    label: String,
    items: usize,
    rows: Vec<(&'static str, String, Measure)>,
    rss: (f64, f64),
    plan_bytes: Vec<u8>,
}

fn run(label: &str, db: &str, items: usize, n: usize) -> Run {
    let server = start(db);
    let addr = server.addr.clone();
    // A search reads the change log into the index first: on a database the server has
    // not indexed yet, that is the whole archive. Done before anything is measured.
    let t = Instant::now();
    get(&addr, "/search?q=%E5%8C%BA%E6%B0%91");
    println!(
        "  {label}: search index ready after {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let mut rows = Vec::new();
    for (name, path) in pages(&addr) {
        let m = measure(&addr, &path, n);
        println!(
            "  {label}: {name:<18} p50 {:>7.1} ms  p95 {:>7.1} ms  p99 {:>7.1} ms  {:>6.0}/s  {:>8} B",
            m.p50, m.p95, m.p99, m.per_second, m.bytes
        );
        rows.push((name, path, m));
    }
    let plan_path = &rows.iter().find(|r| r.0 == "public plan page").unwrap().1;
    let (_, plan_bytes) = get(&addr, plan_path);
    let rss = rss_mib(server.child.id());
    Run {
        label: label.to_string(),
        items,
        rows,
        rss,
        plan_bytes,
    }
}

/// nginx serving `bytes` as a static file: its measure at the same 16 clients.
fn nginx(bytes: &[u8], dir: &std::path::Path, n: usize) -> Option<Measure> {
    let bin = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let root = dir.join("nginx");
    std::fs::create_dir_all(root.join("www")).ok()?;
    std::fs::write(root.join("www/plan.html"), bytes).ok()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let conf = format!(
        "worker_processes 2; daemon off; pid {root}/nginx.pid; error_log {root}/error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{ access_log off; keepalive_requests 100000;\n\
           client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;\n\
           uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;\n\
           server {{ listen 127.0.0.1:{port}; root {root}/www; default_type text/html; }} }}\n",
        root = root.display()
    );
    std::fs::write(root.join("nginx.conf"), conf).ok()?;
    let mut child = Command::new(bin)
        .args(["-c", &root.join("nginx.conf").display().to_string(), "-p"])
        .arg(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(&addr).is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let m = measure(&addr, "/plan.html", n);
    let _ = child.kill();
    let _ = child.wait();
    Some(m)
}

fn main() {
    let n = env_or("SCALE_REQUESTS", 25);
    let (cities, wards, years, items) = (
        env_or("SCALE_CITIES", 4),
        env_or("SCALE_WARDS", 24),
        env_or("SCALE_YEARS", 10),
        env_or("SCALE_ITEMS", 40),
    );
    let keep = std::env::var("SCALE_KEEP").ok();
    let dir = keep.clone().map_or_else(
        || std::env::temp_dir().join(format!("kusei-scale-{}", std::process::id())),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&dir).expect("dir");
    let small_db = format!("sqlite://{}/small.db", dir.display());
    let large_db = std::env::var("SCALE_DB").unwrap_or_else(|_| {
        format!(
            "sqlite://{}/large-{cities}x{wards}x{years}x{items}.db",
            dir.display()
        )
    });
    let exists = |db: &str| {
        db.strip_prefix("sqlite://")
            .is_some_and(|p| std::path::Path::new(p).exists())
    };
    if !exists(&small_db) {
        let took = build(&small_db, 1, 24, 3, 40);
        println!("small: 1 × 24 × 3 × 40 = 2,880 items, made in {took:.1} s");
    }
    let large_items = cities * wards * years * items;
    // SCALE_BUILD=0: the large PostgreSQL database is already there (a run before).
    let build_pg = std::env::var("SCALE_BUILD").map_or(true, |v| v != "0");
    if !exists(&large_db) && (build_pg || large_db.starts_with("sqlite:")) {
        let took = build(&large_db, cities, wards, years, items);
        println!(
            "large: {cities} × {wards} × {years} × {items} = {large_items} items, made in {took:.1} s ({:.0} items/s)",
            large_items as f64 / took
        );
    }
    if large_db.starts_with("postgres") {
        // A database loaded in bulk has no statistics until autovacuum comes by: the
        // planner's first guesses are not what a city's server runs on.
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&large_db)
                .await
                .expect("connect");
            sqlx::query("ANALYZE")
                .execute(&mut c)
                .await
                .expect("ANALYZE");
        });
        println!("large: ANALYZE done");
    }
    println!("\n{CLIENTS} clients × {n} requests per page\n");
    let small = run("small", &small_db, 2880, n);
    let large = run("large", &large_db, large_items, n);
    println!(
        "\n| page | {} items p50 / p95 / p99 | {} items p50 / p95 / p99 | p95 ratio | answers/s (large) |",
        small.items, large.items
    );
    println!("|---|---|---|---|---|");
    for ((name, _, s), (_, _, l)) in small.rows.iter().zip(&large.rows) {
        println!(
            "| {name} | {:.1} / {:.1} / {:.1} ms | {:.1} / {:.1} / {:.1} ms | ×{:.2} | {:.0} |",
            s.p50,
            s.p95,
            s.p99,
            l.p50,
            l.p95,
            l.p99,
            l.p95 / s.p95.max(0.01),
            l.per_second
        );
    }
    for r in [&small, &large] {
        println!(
            "\nserver RSS ({}): {:.0} MiB after the run, peak {:.0} MiB",
            r.label, r.rss.0, r.rss.1
        );
    }
    if let Some(ng) = nginx(&large.plan_bytes, &dir, n) {
        let kusei = &large
            .rows
            .iter()
            .find(|r| r.0 == "public plan page")
            .unwrap()
            .2;
        println!(
            "\nplan page ({} B), side by side at {CLIENTS} clients: Kusei {:.0}/s (p99 {:.1} ms), \
             nginx static {:.0}/s (p99 {:.1} ms): Kusei = {:.2} of nginx",
            large.plan_bytes.len(),
            kusei.per_second,
            kusei.p99,
            ng.per_second,
            ng.p99,
            kusei.per_second / ng.per_second
        );
    } else {
        println!("\nnginx is not installed: no static-file comparison");
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
