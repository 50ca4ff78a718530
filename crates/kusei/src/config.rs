//! Configuration: defaults < file (kusei.toml) < `KUSEI_*` environment < command-line flags.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const DEFAULT_DB: &str = "sqlite://kusei.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Database URL: `sqlite://FILE` (default) or `postgres://…`.
    pub db: String,
    /// Address the server listens on.
    pub addr: String,
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `kusei=debug`.
    pub log: String,
    /// `text` or `json`.
    pub log_format: String,
    /// Where the file layer came from, if any.
    pub file: Option<PathBuf>,
    /// Mark cookies `Secure` (set when Kusei is reached over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// Font file for PDFs (`pdf_font` / KUSEI_PDF_FONT); else the system's Japanese fonts.
    pub pdf_font: Option<PathBuf>,
    /// Read the client's address from `X-Forwarded-For` (behind a reverse proxy only).
    pub trust_forwarded_for: bool,
    /// Seconds a connection may take to send a request's headers, and may stay open
    /// idle between requests (`header_timeout_secs` / KUSEI_HEADER_TIMEOUT_SECS).
    pub header_timeout_secs: u64,
    /// On first start, create the sample city (`sample` / KUSEI_SAMPLE; `--no-sample`).
    pub sample: bool,
    /// The office's SMTP server, `host:port` (`smtp` / KUSEI_SMTP): where reminders and
    /// notifications are mailed. Without it they are shown in the inbox only.
    pub smtp: Option<String>,
    /// The sender of that mail (`mail_from` / KUSEI_MAIL_FROM).
    pub mail_from: String,
    /// The address people reach Kusei at, for links in mail (`public_url` /
    /// KUSEI_PUBLIC_URL); empty: `http://` and the address the server listens on.
    pub public_url: String,
    /// Seconds between two runs of the background jobs (reminders, mail):
    /// `jobs_interval_secs` / KUSEI_JOBS_INTERVAL_SECS.
    pub jobs_interval_secs: u64,
    /// The search index's directory (`search_index` / KUSEI_SEARCH_INDEX). Default: next
    /// to a SQLite file (`kusei.db.search`); in memory for PostgreSQL (each instance
    /// builds its own at start). One server instance per directory.
    pub search_index: Option<PathBuf>,
}

/// The database URL may hold a password: never print it.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("db", &kusei_store::redact_url(&self.db))
            .field("addr", &self.addr)
            .field("log", &self.log)
            .field("log_format", &self.log_format)
            .field("file", &self.file)
            .field("secure_cookies", &self.secure_cookies)
            .field("pdf_font", &self.pdf_font)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("header_timeout_secs", &self.header_timeout_secs)
            .field("sample", &self.sample)
            .field("smtp", &self.smtp)
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .field("jobs_interval_secs", &self.jobs_interval_secs)
            .field("search_index", &self.search_index)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: DEFAULT_DB.into(),
            addr: DEFAULT_ADDR.into(),
            log: "info".into(),
            log_format: "text".into(),
            file: None,
            secure_cookies: false,
            pdf_font: None,
            trust_forwarded_for: false,
            header_timeout_secs: 15,
            sample: true,
            smtp: None,
            mail_from: "kusei@localhost".into(),
            public_url: String::new(),
            jobs_interval_secs: 60,
            search_index: None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLayer {
    db: Option<String>,
    addr: Option<String>,
    log: Option<String>,
    log_format: Option<String>,
    secure_cookies: Option<bool>,
    pdf_font: Option<PathBuf>,
    trust_forwarded_for: Option<bool>,
    header_timeout_secs: Option<u64>,
    sample: Option<bool>,
    smtp: Option<String>,
    mail_from: Option<String>,
    public_url: Option<String>,
    jobs_interval_secs: Option<u64>,
    search_index: Option<PathBuf>,
}

impl Config {
    /// Where the search index is kept: the setting, else next to a SQLite file; `None`
    /// (in memory) for PostgreSQL and in-memory SQLite.
    pub fn search_dir(&self) -> Option<PathBuf> {
        if let Some(d) = &self.search_index {
            return Some(d.clone());
        }
        let file = kusei_store::sqlite_path(&self.db)?;
        let name = file.file_name()?.to_string_lossy().to_string();
        Some(file.with_file_name(format!("{name}.search")))
    }

    /// Builds the configuration from its layers. `explicit_file` (from `--config`) must
    /// exist; otherwise `KUSEI_CONFIG` or `./kusei.toml` is read when present.
    pub fn load(
        explicit_file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config> {
        let mut c = Config::default();
        let file = match explicit_file {
            Some(p) => Some(p.to_path_buf()),
            None => env("KUSEI_CONFIG")
                .map(PathBuf::from)
                .or_else(|| Some(PathBuf::from("kusei.toml")).filter(|p| p.is_file())),
        };
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read configuration file {}", path.display()))?;
            let layer: FileLayer = toml::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "configuration file {}: {}",
                    path.display(),
                    e.message().replace('\n', " ")
                )
            })?;
            c.db = layer.db.unwrap_or(c.db);
            c.addr = layer.addr.unwrap_or(c.addr);
            c.log = layer.log.unwrap_or(c.log);
            c.log_format = layer.log_format.unwrap_or(c.log_format);
            c.secure_cookies = layer.secure_cookies.unwrap_or(c.secure_cookies);
            c.pdf_font = layer.pdf_font.or(c.pdf_font);
            c.trust_forwarded_for = layer.trust_forwarded_for.unwrap_or(c.trust_forwarded_for);
            c.header_timeout_secs = layer.header_timeout_secs.unwrap_or(c.header_timeout_secs);
            c.sample = layer.sample.unwrap_or(c.sample);
            c.smtp = layer.smtp.or(c.smtp);
            c.mail_from = layer.mail_from.unwrap_or(c.mail_from);
            c.public_url = layer.public_url.unwrap_or(c.public_url);
            c.jobs_interval_secs = layer.jobs_interval_secs.unwrap_or(c.jobs_interval_secs);
            c.search_index = layer.search_index.or(c.search_index);
            c.file = Some(path);
        }
        if let Some(v) = env("KUSEI_DB") {
            c.db = v;
        }
        if let Some(v) = env("KUSEI_ADDR") {
            c.addr = v;
        }
        if let Some(v) = env("KUSEI_LOG") {
            c.log = v;
        }
        if let Some(v) = env("KUSEI_LOG_FORMAT") {
            c.log_format = v;
        }
        if let Some(v) = env("KUSEI_SECURE_COOKIES") {
            c.secure_cookies = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("KUSEI_PDF_FONT") {
            c.pdf_font = Some(PathBuf::from(v));
        }
        if let Some(v) = env("KUSEI_TRUST_FORWARDED_FOR") {
            c.trust_forwarded_for = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("KUSEI_SAMPLE") {
            c.sample = !matches!(v.as_str(), "0" | "false" | "no");
        }
        if let Some(v) = env("KUSEI_SMTP") {
            c.smtp = Some(v).filter(|v| !v.trim().is_empty());
        }
        if let Some(v) = env("KUSEI_MAIL_FROM") {
            c.mail_from = v;
        }
        if let Some(v) = env("KUSEI_PUBLIC_URL") {
            c.public_url = v;
        }
        if let Some(v) = env("KUSEI_SEARCH_INDEX") {
            c.search_index = Some(PathBuf::from(v));
        }
        if let Some(v) = env("KUSEI_JOBS_INTERVAL_SECS") {
            c.jobs_interval_secs = v.parse().with_context(|| {
                format!("KUSEI_JOBS_INTERVAL_SECS must be whole seconds, not {v:?}")
            })?;
        }
        if let Some(v) = env("KUSEI_HEADER_TIMEOUT_SECS") {
            c.header_timeout_secs = v.parse().with_context(|| {
                format!("KUSEI_HEADER_TIMEOUT_SECS must be whole seconds, not {v:?}")
            })?;
        }
        if c.jobs_interval_secs == 0 {
            bail!("jobs_interval_secs must be at least 1");
        }
        if c.header_timeout_secs == 0 {
            bail!("header_timeout_secs must be at least 1");
        }
        if c.log_format != "text" && c.log_format != "json" {
            bail!(
                "log_format must be \"text\" or \"json\", not {:?}",
                c.log_format
            );
        }
        Ok(c)
    }

    pub fn with_overrides(mut self, db: Option<String>, addr: Option<String>) -> Config {
        if let Some(db) = db {
            self.db = db;
        }
        if let Some(addr) = addr {
            self.addr = addr;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = std::env::temp_dir().join(format!("kusei-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("k.toml");
        std::fs::write(
            &file,
            "db = \"sqlite://file.db\"\naddr = \"127.0.0.1:9000\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&file), &env_of(&[])).unwrap();
        assert_eq!(c.db, "sqlite://file.db");
        assert_eq!(c.addr, "127.0.0.1:9000");
        assert_eq!(c.log, "info");
        let c = Config::load(Some(&file), &env_of(&[("KUSEI_ADDR", "0.0.0.0:1")])).unwrap();
        assert_eq!(c.addr, "0.0.0.0:1");
        assert_eq!(c.db, "sqlite://file.db");
        let c = c.with_overrides(Some("postgres://u:pw@h/d".into()), None);
        assert_eq!(c.db, "postgres://u:pw@h/d");
        assert!(!format!("{c:?}").contains("pw"), "Debug must redact");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_files_are_named_in_the_error() {
        let dir = std::env::temp_dir().join(format!("kusei-config-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.toml");
        std::fs::write(&file, "dbb = 1\n").unwrap();
        let e = Config::load(Some(&file), &env_of(&[])).unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("bad.toml") && msg.contains("dbb"), "{msg}");
        assert!(!msg.contains('\n'));
        let missing = dir.join("missing.toml");
        let e = Config::load(Some(&missing), &env_of(&[])).unwrap_err();
        assert!(format!("{e:#}").contains("missing.toml"));
        let e = Config::load(None, &env_of(&[("KUSEI_LOG_FORMAT", "xml")])).unwrap_err();
        assert!(format!("{e:#}").contains("xml"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
