//! Fiscal years and as-of dates, through `kusei_domain::calendar` (all era conversion
//! lives there).

use crate::patterns::{rx, AS_OF, YEAR_CALENDAR_BY, YEAR_RANGE, YEAR_SINGLE};
use crate::types::{AsOf, FiscalYears};
use kusei_domain::calendar::{self, FiscalYear};

/// A fiscal year from a written expression ("平成29年度", "29年度" with a context year).
pub(crate) fn parse_fy(s: &str, context: Option<FiscalYear>) -> Option<FiscalYear> {
    FiscalYear::parse(s.trim(), context).ok()
}

/// The calendar's fiscal year for a western start year.
pub(crate) fn fy(year: i32) -> Option<FiscalYear> {
    FiscalYear::new(year).ok()
}

/// Display label of a western fiscal year ("平成29年度").
pub(crate) fn label(year: i32) -> String {
    match fy(year) {
        Some(f) => f.label(),
        None => format!("{year}年度"),
    }
}

/// A single fiscal year as `FiscalYears`.
pub(crate) fn single(year: i32, as_written: &str, by_end: bool) -> FiscalYears {
    FiscalYears {
        start: year,
        end: year,
        label: label(year),
        as_written: as_written.to_string(),
        by_end,
    }
}

/// A span of fiscal years.
pub(crate) fn span(start: i32, end: i32, as_written: &str, by_end: bool) -> FiscalYears {
    let (s, e) = if start <= end {
        (start, end)
    } else {
        (end, start)
    };
    let lab = if s == e {
        label(s)
    } else {
        format!("{}～{}", label(s), label(e))
    };
    FiscalYears {
        start: s,
        end: e,
        label: lab,
        as_written: as_written.to_string(),
        by_end,
    }
}

fn with_nendo(s: &str) -> String {
    let t = s.trim();
    if t.ends_with("年度") {
        t.to_string()
    } else {
        format!("{t}年度")
    }
}

/// A year expression found in a text, with its byte range.
#[derive(Debug, Clone)]
pub(crate) struct YearHit {
    pub start: usize,
    pub end: usize,
    pub years: Option<FiscalYears>,
}

/// All year expressions in `s` (ranges first, then single years), in text order.
pub(crate) fn find_years(s: &str, context: Option<FiscalYear>) -> Vec<YearHit> {
    let mut hits: Vec<YearHit> = Vec::new();
    if let Some(re) = rx(&YEAR_RANGE) {
        for c in re.captures_iter(s) {
            let (Some(m), Some(a), Some(b)) = (c.get(0), c.name("a"), c.name("b")) else {
                continue;
            };
            // "29年度 28年度" is not a range; the separator must be written.
            let by_end = c.name("suf").is_some();
            let first = parse_fy(&with_nendo(a.as_str()), context);
            let second = parse_fy(&with_nendo(b.as_str()), first.or(context));
            let years = match (first, second) {
                (Some(x), Some(y)) => Some(span(x.year(), y.year(), m.as_str(), by_end)),
                _ => None,
            };
            hits.push(YearHit {
                start: m.start(),
                end: m.end(),
                years,
            });
        }
    }
    if let Some(re) = rx(&YEAR_SINGLE) {
        for c in re.captures_iter(s) {
            let (Some(m), Some(a)) = (c.get(0), c.name("a")) else {
                continue;
            };
            if hits.iter().any(|h| m.start() < h.end && h.start < m.end()) {
                continue;
            }
            let by_end = c.name("suf").is_some();
            let years = parse_fy(&with_nendo(a.as_str()), context)
                .map(|f| single(f.year(), m.as_str(), by_end));
            hits.push(YearHit {
                start: m.start(),
                end: m.end(),
                years,
            });
        }
    }
    // 「令和8年までに」: by the end of calendar 2026, which falls in fiscal 2026.
    if let Some(re) = rx(&YEAR_CALENDAR_BY) {
        for c in re.captures_iter(s) {
            let (Some(m), Some(a)) = (c.get(0), c.name("a")) else {
                continue;
            };
            if hits.iter().any(|h| m.start() < h.end && h.start < m.end()) {
                continue;
            }
            let years = parse_fy(&with_nendo(a.as_str()), context)
                .map(|f| single(f.year(), m.as_str(), true));
            hits.push(YearHit {
                start: m.start(),
                end: m.end(),
                years,
            });
        }
    }
    hits.sort_by_key(|h| h.start);
    hits
}

/// Reads one year expression (the first found).
pub(crate) fn read_years(s: &str, context: Option<FiscalYear>) -> Option<FiscalYears> {
    find_years(s, context).into_iter().find_map(|h| h.years)
}

/// An as-of expression with its byte range.
#[derive(Debug, Clone)]
pub(crate) struct AsOfHit {
    pub start: usize,
    pub end: usize,
    pub as_of: Option<AsOf>,
}

/// All as-of expressions ("平成30年2月末現在") in `s`.
pub(crate) fn find_as_of(s: &str, context: Option<FiscalYear>) -> Vec<AsOfHit> {
    let Some(re) = rx(&AS_OF) else {
        return Vec::new();
    };
    re.captures_iter(s)
        .filter_map(|c| {
            let m = c.get(0)?;
            let d = c.name("d")?;
            let as_of = calendar::parse_date(m.as_str(), context)
                .ok()
                .or_else(|| calendar::parse_date(d.as_str(), context).ok())
                .map(|date| {
                    let (y, mo, day) =
                        (date.year(), u32::from(date.month()), u32::from(date.day()));
                    AsOf {
                        year: y,
                        month: mo,
                        day,
                        fiscal_year: date.fiscal_year().year(),
                        as_written: m.as_str().to_string(),
                    }
                });
            Some(AsOfHit {
                start: m.start(),
                end: m.end(),
                as_of,
            })
        })
        .collect()
}
