//! Shared by the end-to-end tests of the `kusei` binary.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The real binary, isolated from a developer's own configuration.
pub fn kusei() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kusei"));
    for k in [
        "KUSEI_DB",
        "KUSEI_ADDR",
        "KUSEI_LOG",
        "KUSEI_CONFIG",
        "KUSEI_LOG_FORMAT",
    ] {
        c.env_remove(k);
    }
    c
}

/// A `kusei serve` on a fresh SQLite database in a temporary directory, on a port the
/// system chose. Dropping it stops the server (SIGTERM, then SIGKILL) and removes the
/// directory, also when the test panics.
pub struct Server {
    child: Child,
    pub dir: PathBuf,
    pub db: String,
    pub base: String,
    pub admin_password: String,
    /// Everything the server printed (stdout and stderr), for failure messages.
    output: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(name: &str) -> Server {
        Server::start_with(name, &[], &[])
    }

    /// [`Server::start`] with more `serve` arguments and environment variables.
    pub fn start_with(name: &str, args: &[&str], envs: &[(&str, &str)]) -> Server {
        let dir = std::env::temp_dir().join(format!("kusei-server-{}-{name}", std::process::id()));
        let db = format!("sqlite://{}/kusei.db", dir.display());
        Server::start_on(name, &db, true, args, envs)
    }

    /// A `kusei serve` on the database `db` (a SQLite file or a PostgreSQL URL). With
    /// `first` the database is new and the first start's one-time password is expected;
    /// without it the server joins a database another instance set up (no password).
    pub fn start_on(
        name: &str,
        db: &str,
        first: bool,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> Server {
        let dir = std::env::temp_dir().join(format!("kusei-server-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = db.to_string();
        let mut child = kusei()
            .args(["serve", "--db", &db, "--addr", "127.0.0.1:0"])
            .args(args)
            .envs(envs.iter().copied())
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
            !first || !server.admin_password.is_empty(),
            "no one-time password on first start; output:\n{}",
            server.log()
        );
        server.base = format!("http://{addr}");
        server.wait_healthy(&addr);
        server
    }

    pub fn wait_healthy(&self, addr: &str) {
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
    pub fn import(&self, file: &Path, unit: &str) -> i64 {
        let out = kusei()
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
    pub fn run(&self, args: &[&str]) -> String {
        let (sub, rest) = args.split_first().expect("a kusei subcommand");
        let out = kusei()
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

    pub fn log(&self) -> String {
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
pub fn drain(
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
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
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
