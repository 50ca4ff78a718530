//! Finding fiscal-year, month and period expressions in text. All era arithmetic is
//! done by `kusei_domain::calendar`; this module only locates the expressions.

use crate::model::{FiscalYearRef, MilestoneDate, PeriodRef, YearMonthRef};
use kusei_domain::calendar::{parse_year_month, FiscalYear};
use regex::Regex;
use std::sync::LazyLock;

const DIGIT: &str = "[0-9０-９]";

/// A fiscal-year expression: 平成29年度, H29年度, 令和元年度, 29年度, 2017年度.
static FY_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:(?:平成|令和|昭和|[HRSＨＲＳ]\.?)\s*(?:{DIGIT}{{1,2}}|元)|{DIGIT}{{1,4}})\s*年度"
    ))
    .ok()
});

/// A fiscal-year expression with an explicit era or a Western year.
static FY_EXPLICIT_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:(?:平成|令和|昭和)\s*(?:{DIGIT}{{1,2}}|元)|{DIGIT}{{4}})\s*年度?"
    ))
    .ok()
});

/// A parenthesised date of a milestone: (18年4月～), （21年度～22年度）, (19年7月～9月), and
/// the dotted era forms (R4.11月), (H30.6月～9月), (R5.4～).
static DATE_PAREN_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let dotted = format!(r"[HRSＨＲＳ]\.?\s*{DIGIT}{{1,2}}\s*[.．]\s*{DIGIT}{{1,2}}\s*月?");
    Regex::new(&format!(
        r"[(（]\s*((?:平成|令和|昭和|[HRSＨＲＳ]\.?)?\s*(?:{DIGIT}{{1,4}}|元)\s*年(?:度|\s*{DIGIT}{{1,2}}\s*月)?\s*(?:[～〜~\-－―ー]\s*(?:(?:平成|令和|昭和)?\s*(?:{DIGIT}{{1,4}}|元)\s*年(?:度)?)?\s*(?:{DIGIT}{{1,2}}\s*月)?)?|{dotted}\s*(?:[～〜~\-－―ー]\s*(?:{dotted}|{DIGIT}{{1,2}}\s*月)?)?)\s*[)）]"
    ))
    .ok()
});

/// 「R4.11月」, 「H30.6」 (folded to ASCII): era letter, year, month.
static DOTTED_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([HRS])\.?\s*(\d{1,2})\s*\.\s*(\d{1,2})\s*月?$").ok());

/// A dotted era month written out (「R4.11月」 → 「令和4年11月」); anything else as it is.
fn undotted(s: &str) -> String {
    let Some(c) = DOTTED_RE.as_ref().and_then(|re| re.captures(s)) else {
        return s.to_string();
    };
    let era = match &c[1] {
        "H" => "平成",
        "R" => "令和",
        _ => "昭和",
    };
    format!("{era}{}年{}月", &c[2], &c[3])
}

/// A period: two fiscal years joined by から / ～ / ・ (平成19年度から平成22年度まで).
static PERIOD_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let y = format!(
        r"(?:(?:平成|令和|昭和|[HRSＨＲＳ]\.?)\s*(?:{DIGIT}{{1,2}}|元)|{DIGIT}{{1,4}})\s*年度?"
    );
    Regex::new(&format!(
        r"({y})\s*(?:から|より|～|〜|~|－|-|―)\s*({y})(?:\s*まで)?"
    ))
    .ok()
});

/// All fiscal-year expressions in `s`: (byte start, byte end, as written).
pub(crate) fn fiscal_year_exprs(s: &str) -> Vec<(usize, usize, &str)> {
    match FY_RE.as_ref() {
        Some(re) => re
            .find_iter(s)
            .map(|m| (m.start(), m.end(), m.as_str()))
            .collect(),
        None => Vec::new(),
    }
}

/// The first expression with an explicit era or Western year (for the era context).
pub(crate) fn first_explicit_year(s: &str) -> Option<(String, i32)> {
    let re = FY_EXPLICIT_RE.as_ref()?;
    for m in re.find_iter(s) {
        let t = m.as_str();
        let t_fy = if t.ends_with('度') {
            t.to_string()
        } else if t.ends_with('年') {
            format!("{t}度")
        } else {
            t.to_string()
        };
        if let Ok(fy) = FiscalYear::parse(&t_fy, None) {
            return Some((t.to_string(), fy.year()));
        }
    }
    None
}

/// Parse a fiscal-year expression.
pub(crate) fn fiscal_year(
    as_written: &str,
    ctx: Option<i32>,
    line: usize,
) -> Option<FiscalYearRef> {
    let fy = FiscalYear::parse(as_written.trim(), context(ctx)).ok()?;
    Some(FiscalYearRef {
        year: fy.year(),
        label: fy.label(),
        as_written: as_written.trim().to_string(),
        line,
    })
}

fn context(ctx: Option<i32>) -> Option<FiscalYear> {
    ctx.and_then(|y| FiscalYear::new(y).ok())
}

/// A period written in `s`, if any.
pub(crate) fn period(s: &str, ctx: Option<i32>, line: usize) -> Option<PeriodRef> {
    let re = PERIOD_RE.as_ref()?;
    for caps in re.captures_iter(s) {
        let (Some(all), Some(a), Some(b)) = (caps.get(0), caps.get(1), caps.get(2)) else {
            continue;
        };
        let fix = |t: &str| {
            if t.ends_with('度') {
                t.to_string()
            } else {
                format!("{t}度")
            }
        };
        let from = FiscalYear::parse(&fix(a.as_str()), context(ctx));
        // the second year may omit its era: read it near the first
        let to = match &from {
            Ok(f) => FiscalYear::parse(&fix(b.as_str()), Some(*f)),
            Err(_) => FiscalYear::parse(&fix(b.as_str()), context(ctx)),
        };
        if let (Ok(f), Ok(t)) = (from, to) {
            if t >= f && t.year() - f.year() <= 30 {
                return Some(PeriodRef {
                    from: f.year(),
                    to: t.year(),
                    from_label: f.label(),
                    to_label: t.label(),
                    as_written: all.as_str().to_string(),
                    line,
                });
            }
        }
    }
    None
}

/// The first parenthesised date in `s`: (its byte range, the date).
/// Returns `Err(as_written)` when a date-like parenthesis could not be resolved.
pub(crate) fn milestone_date(s: &str, ctx: Option<i32>) -> Option<Result<MilestoneDate, String>> {
    let re = DATE_PAREN_RE.as_ref()?;
    let caps = re.captures(s)?;
    let inner = caps.get(1)?.as_str().trim();
    Some(read_date(inner, ctx).ok_or_else(|| inner.to_string()))
}

/// Byte ranges of parenthesised dates (used to split milestone lists).
pub(crate) fn date_paren_ranges(s: &str) -> Vec<(usize, usize)> {
    match DATE_PAREN_RE.as_ref() {
        Some(re) => re.find_iter(s).map(|m| (m.start(), m.end())).collect(),
        None => Vec::new(),
    }
}

fn read_date(inner: &str, ctx: Option<i32>) -> Option<MilestoneDate> {
    let folded = crate::text::fold(inner);
    let sep = folded.find(['～', '〜', '~', '-', '－', '―', 'ー']);
    let (left, right) = match sep {
        Some(i) => {
            let c_len = folded[i..].chars().next().map(char::len_utf8).unwrap_or(1);
            (folded[..i].trim(), Some(folded[i + c_len..].trim()))
        }
        None => (folded.trim(), None),
    };
    let open_ended = matches!(right, Some(""));
    let (from, precision) = read_point(left, ctx, None)?;
    let to = match right {
        Some(r) if !r.is_empty() => {
            let base = if precision == "month" {
                Some(from.clone())
            } else {
                None
            };
            Some(read_point(r, ctx.or(Some(from.year)), base)?.0)
        }
        _ => None,
    };
    Some(MilestoneDate {
        as_written: inner.to_string(),
        precision: precision.to_string(),
        from,
        to,
        open_ended,
    })
}

/// One end of a date range: "18年4月", "21年度", "9月" (month only: same year as `base`,
/// or the next year when the month is earlier).
fn read_point(
    s: &str,
    ctx: Option<i32>,
    base: Option<YearMonthRef>,
) -> Option<(YearMonthRef, &'static str)> {
    let written = undotted(s.trim());
    let s = written.as_str();
    if s.contains('月') {
        if !s.contains('年') {
            let b = base?;
            let m: u32 = s.trim_end_matches('月').trim().parse().ok()?;
            if !(1..=12).contains(&m) {
                return None;
            }
            let year = if b.month.is_some_and(|bm| m < bm) {
                b.year + 1
            } else {
                b.year
            };
            return Some((
                YearMonthRef {
                    year,
                    month: Some(m),
                },
                "month",
            ));
        }
        let ym = parse_year_month(s, context(ctx)).ok()?;
        return Some((
            YearMonthRef {
                year: ym.year,
                month: Some(u32::from(ym.month)),
            },
            "month",
        ));
    }
    let t = if s.ends_with('度') {
        s.to_string()
    } else if s.ends_with('年') {
        format!("{s}度")
    } else {
        return None;
    };
    let fy = FiscalYear::parse(&t, context(ctx)).ok()?;
    Some((
        YearMonthRef {
            year: fy.year(),
            month: None,
        },
        "fiscal_year",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_compile() {
        assert!(FY_RE.is_some());
        assert!(FY_EXPLICIT_RE.is_some());
        assert!(DATE_PAREN_RE.is_some());
        assert!(PERIOD_RE.is_some());
    }

    #[test]
    fn dates() {
        let d = milestone_date("区長の庁内公募を実施（18年4月～） 18年度", Some(2010))
            .unwrap()
            .unwrap();
        assert_eq!(
            d.from,
            YearMonthRef {
                year: 2006,
                month: Some(4)
            }
        );
        assert!(d.open_ended && d.to.is_none());
        assert_eq!(d.precision, "month");
        let d = milestone_date("検討(21年度～22年度)", Some(2010))
            .unwrap()
            .unwrap();
        assert_eq!(
            (d.from.year, d.to.as_ref().map(|t| t.year)),
            (2009, Some(2010))
        );
        assert_eq!(d.precision, "fiscal_year");
        assert!(!d.open_ended);
        let d = milestone_date("実施(19年7月～9月)", Some(2010))
            .unwrap()
            .unwrap();
        assert_eq!(
            d.to,
            Some(YearMonthRef {
                year: 2007,
                month: Some(9)
            })
        );
        let d = milestone_date("開設(19年10月)", Some(2010))
            .unwrap()
            .unwrap();
        assert_eq!(
            d.from,
            YearMonthRef {
                year: 2007,
                month: Some(10)
            }
        );
        assert!(milestone_date("開設(19年10月)", None).unwrap().is_err());
        // Dotted era months: a date, a span, an open end; full-width letters and dots too.
        let month = |y, m| YearMonthRef {
            year: y,
            month: Some(m),
        };
        let d = milestone_date("説明会の開催(R4.11月)", None)
            .unwrap()
            .unwrap();
        assert_eq!((d.from.clone(), d.to.clone()), (month(2022, 11), None));
        let d = milestone_date("試行(H30.6月～9月)", None).unwrap().unwrap();
        assert_eq!(
            (d.from.clone(), d.to.clone()),
            (month(2018, 6), Some(month(2018, 9)))
        );
        let d = milestone_date("本格実施(R5.4～)", None).unwrap().unwrap();
        assert_eq!(d.from, month(2023, 4));
        assert!(d.open_ended);
        let d = milestone_date("開始（Ｒ５．４～Ｒ６．３）", None)
            .unwrap()
            .unwrap();
        assert_eq!(
            (d.from.clone(), d.to.clone()),
            (month(2023, 4), Some(month(2024, 3)))
        );
        // A month that does not exist is not guessed: unresolved, said so.
        assert!(milestone_date("開始(R5.13月)", None).unwrap().is_err());
        assert!(milestone_date("(公表ベース)", None).is_none());
    }

    #[test]
    fn periods() {
        let p = period("平成19年度から平成22年度まで", None, 3).unwrap();
        assert_eq!((p.from, p.to), (2007, 2010));
        let p = period("平成29年度～31年度", None, 3).unwrap();
        assert_eq!((p.from, p.to), (2017, 2019));
        assert!(period("平成29年度", None, 1).is_none());
        assert_eq!(
            first_explicit_year("今後、平成 27 年度までに").map(|x| x.1),
            Some(2015)
        );
    }
}
