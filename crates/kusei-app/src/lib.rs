//! Kusei's application layer: each use case is one function here, and every way in — the
//! browser forms, the JSON API, the text and workbook imports, the CLI — calls it.
//!
//! - [`guard`]: the one guard of every write of plan content: role policy over the unit
//!   tree, plan status, schedule window (the store checks the version).
//! - [`import`]: a parsed document or a workbook's plan records, previewed then stored.
//! - [`judge`]: the one builder of an item's figures and its computed judgment.
//! - [`copy_forward`]: next fiscal year's plan from this one.
//! - [`council`]: 区政会議 — opinions, meetings, answers, publication and measures.
//! - [`export`]: plan records in every format (PDF, Excel, CSV, JSON, print HTML).
//! - [`sample_city`]: the made-up city for demonstrations and benchmarks.
//! - [`accounts`]: password hashing.
//!
//! Invariant: this crate knows no HTTP and no SQL; it talks to the store through
//! `kusei_store::Store` and returns [`AppError`], which every way in maps once.

pub mod accounts;
pub mod copy_forward;
pub mod council;
pub mod export;
pub mod forms;
pub mod guard;
pub mod import;
pub mod indicators;
pub mod judge;
pub mod notify;
pub mod rollup;
pub mod sample_city;
pub mod search;
pub mod structure;

mod error;

use kusei_domain::calendar::Date;

/// Where handlers read the time: the system clock, or a fixed instant in tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    /// Seconds since the Unix epoch.
    Fixed(i64),
}

impl Clock {
    pub fn unix(self) -> i64 {
        match self {
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
            Clock::Fixed(t) => t,
        }
    }
    /// RFC 3339 UTC, as the store writes timestamps.
    pub fn now_utc(self) -> String {
        kusei_store::format_unix(self.unix())
    }
    /// Today in Japan (schedule windows are Japanese dates).
    pub fn today_jst(self) -> Date {
        let s = kusei_store::format_unix(self.unix() + 9 * 3600);
        s.get(..10)
            .and_then(|d| d.parse().ok())
            .unwrap_or(kusei_domain::calendar::FiscalYear::MIN.start())
    }
}

pub use error::AppError;
pub use guard::Caller;
