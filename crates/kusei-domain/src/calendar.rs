//! Fiscal years (年度), dates, year-months and Japanese eras (和暦).
//!
//! Supported range: dates `1926-04-01 ..= 2101-03-31`, which is exactly fiscal years
//! `1926..=2100`, so every [`Date`] has a valid [`FiscalYear`] and every fiscal year has
//! valid start and end dates. Every date in that range has an era (大正15年 is the earliest).
//!
//! Parsers ([`FiscalYear::parse`], [`parse_year_month`], [`parse_date`]) fold full-width
//! ASCII (`０-９`, `Ａ-Ｚ`, `．`, `～`…) and the era ligatures (㍻ ㋿ ㍼ ㍽), ignore
//! whitespace between parts, tolerate a trailing 現在 / 時点 / ～ / 〜 / ~ / 頃 / ごろ / まで,
//! reject input over 64 characters, and never panic. An era-less year ("29年度") needs a
//! context fiscal year; see [`FiscalYear::parse`].

use std::fmt;
use std::str::FromStr;

/// A Japanese era. 明治 and earlier are not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Era {
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

impl Era {
    /// Oldest first.
    pub const ALL: [Era; 4] = [Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    /// "大正", "昭和", "平成", "令和".
    pub fn name(self) -> &'static str {
        match self {
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// 'T', 'S', 'H', 'R' (as in "H29").
    pub fn letter(self) -> char {
        match self {
            Era::Taisho => 'T',
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// First day (元年). Note: 大正's start (1912-07-30) is the one `Date` value before
    /// [`Date::MIN`]; use it for comparisons only.
    pub fn start(self) -> Date {
        match self {
            Era::Taisho => Date::raw(1912, 7, 30),
            Era::Showa => Date::raw(1926, 12, 25),
            Era::Heisei => Date::raw(1989, 1, 8),
            Era::Reiwa => Date::raw(2019, 5, 1),
        }
    }

    /// Last day, or `None` for the current era.
    pub fn end(self) -> Option<Date> {
        match self {
            Era::Taisho => Some(Date::raw(1926, 12, 24)),
            Era::Showa => Some(Date::raw(1989, 1, 7)),
            Era::Heisei => Some(Date::raw(2019, 4, 30)),
            Era::Reiwa => None,
        }
    }

    /// The era that followed this one.
    pub fn next(self) -> Option<Era> {
        match self {
            Era::Taisho => Some(Era::Showa),
            Era::Showa => Some(Era::Heisei),
            Era::Heisei => Some(Era::Reiwa),
            Era::Reiwa => None,
        }
    }

    /// The era in force on `date`, if any.
    pub fn at(date: Date) -> Option<Era> {
        Era::ALL.into_iter().rev().find(|e| e.start() <= date)
    }

    /// 'T'/'S'/'H'/'R', either case.
    pub fn from_letter(c: char) -> Option<Era> {
        Era::ALL
            .into_iter()
            .find(|e| e.letter() == c.to_ascii_uppercase())
    }

    /// "大正" / "昭和" / "平成" / "令和".
    pub fn from_name(s: &str) -> Option<Era> {
        Era::ALL.into_iter().find(|e| e.name() == s)
    }

    /// Number of the era's last year (昭和 → 64, 平成 → 31); `None` for the current era.
    pub fn last_year_number(self) -> Option<u32> {
        let end = self.end()?;
        u32::try_from(end.year - self.start().year + 1).ok()
    }

    /// Western year of `year_in_era` (平成29 → 2017), without checking the era's end.
    fn western(self, year_in_era: u32) -> i64 {
        i64::from(self.start().year) + i64::from(year_in_era) - 1
    }
}

impl fmt::Display for Era {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A year in an era. Display: "令和元年", "平成29年".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EraYear {
    pub era: Era,
    pub year: u32,
}

impl EraYear {
    /// The Western calendar year (平成29 → 2017).
    pub fn western_year(self) -> i64 {
        self.era.western(self.year)
    }
}

impl fmt::Display for EraYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.year == 1 {
            write!(f, "{}元年", self.era.name())
        } else {
            write!(f, "{}{}年", self.era.name(), self.year)
        }
    }
}

/// A Gregorian date in `Date::MIN ..= Date::MAX`. Display and `FromStr`: ISO "2025-04-01".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// First supported date: the start of FY1926.
    pub const MIN: Date = Date::raw(1926, 4, 1);
    /// Last supported date: the end of FY2100.
    pub const MAX: Date = Date::raw(2101, 3, 31);

    const fn raw(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    /// A validated Gregorian date within `Date::MIN ..= Date::MAX`.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, CalendarError> {
        Date::checked(i64::from(year), month, day)
    }

    fn checked(year: i64, month: u8, day: u8) -> Result<Date, CalendarError> {
        let y32 = i32::try_from(year).ok();
        let valid = (1..=12).contains(&month)
            && day >= 1
            && y32.is_some_and(|y| day <= Date::days_in_month(y, month));
        if !valid {
            return Err(CalendarError::InvalidDate { year, month, day });
        }
        let d = Date::raw(y32.unwrap_or(0), month, day);
        if d < Date::MIN || d > Date::MAX {
            return Err(CalendarError::DateOutOfRange { year, month, day });
        }
        Ok(d)
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Gregorian leap year.
    pub fn is_leap_year(year: i32) -> bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Days in the month; 0 if `month` is not 1–12.
    pub fn days_in_month(year: i32, month: u8) -> u8 {
        match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if Date::is_leap_year(year) => 29,
            2 => 28,
            _ => 0,
        }
    }

    /// The era year in force on this date: 2019-04-30 → 平成31年, 2019-05-01 → 令和元年.
    pub fn era_year(self) -> Result<EraYear, CalendarError> {
        let era = Era::at(self).ok_or(CalendarError::NoEra { date: self })?;
        let year = u32::try_from(self.year - era.start().year + 1)
            .map_err(|_| CalendarError::NoEra { date: self })?;
        Ok(EraYear { era, year })
    }

    /// 平成29年10月1日 → 2017-10-01. Fails if the date is not inside that era
    /// (平成31年5月1日, 令和元年4月30日), for 平成0年, or outside the supported range.
    pub fn from_era(era: Era, year_in_era: u32, month: u8, day: u8) -> Result<Date, CalendarError> {
        if year_in_era == 0 {
            return Err(CalendarError::InvalidEraYear { era, year: 0 });
        }
        let date = Date::checked(era.western(year_in_era), month, day)?;
        if Era::at(date) != Some(era) {
            return Err(CalendarError::NotInEra {
                era,
                year: year_in_era,
                month,
                day: Some(day),
            });
        }
        Ok(date)
    }

    /// The fiscal year containing this date (April 1 starts a fiscal year).
    pub fn fiscal_year(self) -> FiscalYear {
        FiscalYear(if self.month >= 4 {
            self.year
        } else {
            self.year - 1
        })
    }

    pub fn year_month(self) -> YearMonth {
        YearMonth {
            year: self.year,
            month: self.month,
        }
    }

    /// "令和7年4月1日", "令和元年5月1日" (Western "1912年4月1日" if there is no era).
    pub fn to_japanese(self) -> String {
        match self.era_year() {
            Ok(ey) => format!("{ey}{}月{}日", self.month, self.day),
            Err(_) => format!("{}年{}月{}日", self.year, self.month, self.day),
        }
    }

    /// Days since 1970-01-01 (negative before it), by the civil-from-days inverse.
    pub fn day_number(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Days from `earlier` to this date (negative when `earlier` is later).
    pub fn days_since(self, earlier: Date) -> i64 {
        self.day_number() - earlier.day_number()
    }

    /// The next day, or `None` after `Date::MAX`.
    pub fn checked_next(self) -> Option<Date> {
        if self >= Date::MAX {
            None
        } else if self.day < Date::days_in_month(self.year, self.month) {
            Some(Date::raw(self.year, self.month, self.day + 1))
        } else if self.month < 12 {
            Some(Date::raw(self.year, self.month + 1, 1))
        } else {
            Some(Date::raw(self.year + 1, 1, 1))
        }
    }

    /// The previous day, or `None` at `Date::MIN`.
    pub fn checked_prev(self) -> Option<Date> {
        if self <= Date::MIN {
            None
        } else if self.day > 1 {
            Some(Date::raw(self.year, self.month, self.day - 1))
        } else if self.month > 1 {
            let m = self.month - 1;
            Some(Date::raw(self.year, m, Date::days_in_month(self.year, m)))
        } else {
            Some(Date::raw(self.year - 1, 12, 31))
        }
    }

    /// The next day; saturates at `Date::MAX` (use `checked_next` in loops).
    pub fn next(self) -> Date {
        self.checked_next().unwrap_or(self)
    }

    /// The previous day; saturates at `Date::MIN`.
    pub fn prev(self) -> Date {
        self.checked_prev().unwrap_or(self)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = CalendarError;

    /// Strict ISO `YYYY-MM-DD`. Use [`parse_date`] for Japanese forms.
    fn from_str(s: &str) -> Result<Date, CalendarError> {
        let bad = || CalendarError::Unparsable {
            what: "ISO date (YYYY-MM-DD)",
            input: shown(s),
            reason: "expected YYYY-MM-DD".to_string(),
        };
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |acc, c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
            return Err(bad());
        };
        Date::checked(i64::from(y), to_u8(m), to_u8(d))
    }
}

/// A calendar month. Fields are public, so a value may be invalid; methods that need a
/// valid month return `Result`. Display: "2006-04".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct YearMonth {
    pub year: i32,
    pub month: u8,
}

impl YearMonth {
    /// A validated month within the supported range (1926-04 ..= 2101-03).
    pub fn new(year: i32, month: u8) -> Result<YearMonth, CalendarError> {
        YearMonth::checked(i64::from(year), month)
    }

    fn checked(year: i64, month: u8) -> Result<YearMonth, CalendarError> {
        if !(1..=12).contains(&month) {
            return Err(CalendarError::InvalidMonth { year, month });
        }
        let ym = i32::try_from(year)
            .ok()
            .map(|year| YearMonth { year, month })
            .filter(|ym| *ym >= Date::MIN.year_month() && *ym <= Date::MAX.year_month());
        ym.ok_or(CalendarError::MonthOutOfRange { year, month })
    }

    /// The fiscal year containing this month (April–March).
    pub fn fiscal_year(self) -> Result<FiscalYear, CalendarError> {
        Ok(self.first_day()?.fiscal_year())
    }

    pub fn first_day(self) -> Result<Date, CalendarError> {
        YearMonth::new(self.year, self.month)?;
        Ok(Date::raw(self.year, self.month, 1))
    }

    pub fn last_day(self) -> Result<Date, CalendarError> {
        YearMonth::new(self.year, self.month)?;
        let d = Date::days_in_month(self.year, self.month);
        Ok(Date::raw(self.year, self.month, d))
    }

    /// "平成18年4月", named by the era in force on the month's last day (2019-04 →
    /// 平成31年4月, 1989-01 → 平成元年1月); Western "2006年4月" if invalid.
    pub fn to_japanese(self) -> String {
        match self.last_day().and_then(Date::era_year) {
            Ok(ey) => format!("{ey}{}月", self.month),
            Err(_) => format!("{}年{}月", self.year, self.month),
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = CalendarError;

    /// Same as [`parse_year_month`] without context ("2006-04", "平成18年4月").
    fn from_str(s: &str) -> Result<YearMonth, CalendarError> {
        parse_year_month(s, None)
    }
}

/// A fiscal year (年度), April 1 – March 31, identified by the Western year it starts in.
/// Display: [`FiscalYear::label`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "i32", into = "i32")]
pub struct FiscalYear(i32);

impl FiscalYear {
    pub const MIN: FiscalYear = FiscalYear(1926);
    pub const MAX: FiscalYear = FiscalYear(2100);

    /// `year` must be in 1926..=2100.
    pub fn new(year: i32) -> Result<FiscalYear, CalendarError> {
        FiscalYear::checked(i64::from(year))
    }

    fn checked(year: i64) -> Result<FiscalYear, CalendarError> {
        i32::try_from(year)
            .ok()
            .filter(|y| (FiscalYear::MIN.0..=FiscalYear::MAX.0).contains(y))
            .map(FiscalYear)
            .ok_or(CalendarError::FiscalYearOutOfRange { year })
    }

    /// The Western year it starts in.
    pub fn year(self) -> i32 {
        self.0
    }

    /// April 1.
    pub fn start(self) -> Date {
        Date::raw(self.0, 4, 1)
    }

    /// March 31 of the next year.
    pub fn end(self) -> Date {
        Date::raw(self.0 + 1, 3, 31)
    }

    pub fn contains(self, date: Date) -> bool {
        self.start() <= date && date <= self.end()
    }

    pub fn checked_next(self) -> Option<FiscalYear> {
        (self < FiscalYear::MAX).then(|| FiscalYear(self.0 + 1))
    }

    pub fn checked_prev(self) -> Option<FiscalYear> {
        (self > FiscalYear::MIN).then(|| FiscalYear(self.0 - 1))
    }

    /// Saturates at `FiscalYear::MAX`.
    pub fn next(self) -> FiscalYear {
        self.checked_next().unwrap_or(self)
    }

    /// Saturates at `FiscalYear::MIN`.
    pub fn prev(self) -> FiscalYear {
        self.checked_prev().unwrap_or(self)
    }

    /// April to March.
    pub fn months(self) -> [YearMonth; 12] {
        [4u8, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3].map(|month| YearMonth {
            year: if month >= 4 { self.0 } else { self.0 + 1 },
            month,
        })
    }

    /// The name users write: the newest era begun by March 31 if that gives year ≥ 1
    /// (counting from the fiscal year's start year), else the era in force on April 1.
    /// FY1988 → 昭和63, FY1989 → 平成元, FY2019 → 令和元.
    pub fn era_year(self) -> EraYear {
        let end = self.end();
        Era::ALL
            .into_iter()
            .rev()
            .filter(|e| e.start() <= end)
            .find_map(|era| {
                let n = u32::try_from(self.0 - era.start().year + 1).ok()?;
                (n >= 1).then_some(EraYear { era, year: n })
            })
            // Unreachable for years >= 1912; keeps the function total.
            .unwrap_or(EraYear {
                era: Era::Taisho,
                year: 1,
            })
    }

    /// "令和7年度", "令和元年度".
    pub fn label(self) -> String {
        format!("{}度", self.era_year())
    }

    /// "令和7年度 (2025年度)".
    pub fn label_with_western(self) -> String {
        format!("{} ({}年度)", self.label(), self.0)
    }

    /// Every era year the fiscal year is written as, the [`era_year`](Self::era_year)
    /// first: one per era in force during the calendar year it starts in.
    pub fn era_years(self) -> Vec<EraYear> {
        let primary = self.era_year();
        let mut out = vec![primary];
        for era in Era::ALL.into_iter().rev() {
            let in_force = era.start().year <= self.0 && era.end().is_none_or(|e| e.year >= self.0);
            if era != primary.era && in_force {
                if let Ok(year) = u32::try_from(self.0 - era.start().year + 1) {
                    out.push(EraYear { era, year });
                }
            }
        }
        out
    }

    /// Labels of [`era_years`](Self::era_years): FY2019 → ["令和元年度", "平成31年度"],
    /// FY1989 → ["平成元年度", "昭和64年度"].
    pub fn era_labels(self) -> Vec<String> {
        self.era_years()
            .into_iter()
            .map(|ey| format!("{ey}度"))
            .collect()
    }

    /// Reads a fiscal year: "2017", "2017年度", "FY2017", "平成29年度", "平成29", "H29",
    /// "H.29", "Ｈ２９", "令和元年度", "R元", "S60", or era-less "29年度" / "29".
    ///
    /// - A 4-digit year is Western; 1–2 digits need an era or a `context`.
    /// - An explicit era may run past its end ("平成32年度" = FY2020, as plans written
    ///   before 2019 say); "平成0年度" is an error.
    /// - Era-less: of 昭和 (1–64), 平成 (1–31) and 令和 (1–99), the reading closest to
    ///   `context` wins (ties: the older era). An era in force during the context year may
    ///   also run past its end, so a FY2017 document's "32年度" is FY2020. 大正 is never
    ///   guessed.
    /// - "平成29年" (no 度) is rejected: it names a calendar year.
    pub fn parse(s: &str, context: Option<FiscalYear>) -> Result<FiscalYear, CalendarError> {
        let what = "fiscal year";
        let p = parse_parts(s).map_err(|r| unparsable(what, s, r))?;
        if p.unit == Unit::Nen && p.month.is_none() {
            return Err(unparsable(
                what,
                s,
                "年 without 度 names a calendar year; write 年度",
            ));
        }
        if p.month.is_some() {
            return Err(unparsable(
                what,
                s,
                "a fiscal year has no month; use parse_year_month",
            ));
        }
        let year = match p.year {
            YearSpec::Western(y) => i64::from(y),
            YearSpec::Era(era, 0) => return Err(CalendarError::InvalidEraYear { era, year: 0 }),
            YearSpec::Era(era, n) => era.western(n),
            YearSpec::EraLess(n) => resolve_eraless(n, context, what, s)?,
        };
        FiscalYear::checked(year)
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

impl FromStr for FiscalYear {
    type Err = CalendarError;

    /// Same as [`FiscalYear::parse`] without context.
    fn from_str(s: &str) -> Result<FiscalYear, CalendarError> {
        FiscalYear::parse(s, None)
    }
}

/// Reads a month: "平成18年4月", "18年4月" (era-less, needs `context`), "H29.7月",
/// "H29. 7月", "H30.3", "2006年4月", "2006-04", "平成30年2月末". With an era the month must
/// overlap it ("平成31年5月" is rejected). Era-less years must use 年 ("29.7" could be a
/// number). Context resolution as in [`FiscalYear::parse`].
pub fn parse_year_month(s: &str, context: Option<FiscalYear>) -> Result<YearMonth, CalendarError> {
    let what = "year-month";
    let p = parse_parts(s).map_err(|r| unparsable(what, s, r))?;
    let Some(month) = p.month else {
        return Err(unparsable(what, s, "no month"));
    };
    if let Some(DaySpec::Day(_)) = p.day {
        return Err(unparsable(
            what,
            s,
            "a year-month has no day; use parse_date",
        ));
    }
    if p.unit == Unit::Sep && matches!(p.year, YearSpec::EraLess(_)) {
        return Err(unparsable(
            what,
            s,
            "an era-less year must be written with 年 (29年7月), not a separator",
        ));
    }
    match p.year {
        YearSpec::Western(y) => YearMonth::checked(i64::from(y), month),
        YearSpec::EraLess(n) => YearMonth::checked(resolve_eraless(n, context, what, s)?, month),
        YearSpec::Era(era, 0) => Err(CalendarError::InvalidEraYear { era, year: 0 }),
        YearSpec::Era(era, n) => {
            let ym = YearMonth::checked(era.western(n), month)?;
            let first = Date::raw(ym.year, month, 1);
            let last = Date::raw(ym.year, month, Date::days_in_month(ym.year, month));
            if last < era.start() || era.end().is_some_and(|end| first > end) {
                return Err(CalendarError::NotInEra {
                    era,
                    year: n,
                    month,
                    day: None,
                });
            }
            Ok(ym)
        }
    }
}

/// Reads a date: "平成29年10月1日", "令和元年5月1日", "平成30年2月末" / "平成30年2月末日"
/// (末 = last day of the month), "平成30年2月末現在", "H30.2.28", "2018-02-28", "2018/2/28",
/// "29年2月末" or "29.2.28" (era-less, need `context`). With an era the date must lie inside
/// it (see [`Date::from_era`]).
pub fn parse_date(s: &str, context: Option<FiscalYear>) -> Result<Date, CalendarError> {
    let what = "date";
    let p = parse_parts(s).map_err(|r| unparsable(what, s, r))?;
    let (Some(month), Some(day)) = (p.month, p.day) else {
        return Err(unparsable(what, s, "no day (write 1日 or 末)"));
    };
    let day_in = |year: i64| match day {
        DaySpec::Day(d) => d,
        DaySpec::MonthEnd => i32::try_from(year)
            .map(|y| Date::days_in_month(y, month))
            .unwrap_or(0),
    };
    match p.year {
        YearSpec::Western(y) => Date::checked(i64::from(y), month, day_in(i64::from(y))),
        YearSpec::EraLess(n) => {
            let y = resolve_eraless(n, context, what, s)?;
            Date::checked(y, month, day_in(y))
        }
        YearSpec::Era(era, n) => Date::from_era(era, n, month, day_in(era.western(n))),
    }
}

/// Why a calendar value was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{year}-{month:02}-{day:02} is not a valid date: {}", invalid_date_reason(*.year, *.month, *.day))]
    InvalidDate { year: i64, month: u8, day: u8 },
    #[error(
        "{year}-{month:02}-{day:02} is outside the supported range {} to {}",
        Date::MIN,
        Date::MAX
    )]
    DateOutOfRange { year: i64, month: u8, day: u8 },
    #[error("{year}年{month}月 is not a valid month: there is no month {month}")]
    InvalidMonth { year: i64, month: u8 },
    #[error("{year}-{month:02} is outside the supported range {} to {}", Date::MIN.year_month(), Date::MAX.year_month())]
    MonthOutOfRange { year: i64, month: u8 },
    #[error("fiscal year {year} is outside the supported range {} to {}", FiscalYear::MIN.0, FiscalYear::MAX.0)]
    FiscalYearOutOfRange { year: i64 },
    #[error("{era}{year}年 is not a valid era year: era years start at 1 (元年)")]
    InvalidEraYear { era: Era, year: u32 },
    #[error("{} is not in the {era} era ({})", era_text(*.era, *.year, *.month, *.day), era_span(*.era))]
    NotInEra {
        era: Era,
        year: u32,
        month: u8,
        day: Option<u8>,
    },
    #[error("{date} has no supported era (大正 starts on {})", Era::Taisho.start())]
    NoEra { date: Date },
    #[error("{input} has no era: a context year is needed")]
    NeedsContext { input: String },
    #[error("cannot read \"{input}\" as a {what}: {reason}")]
    Unparsable {
        what: &'static str,
        input: String,
        reason: String,
    },
}

fn invalid_date_reason(year: i64, month: u8, day: u8) -> String {
    match i32::try_from(year) {
        _ if !(1..=12).contains(&month) => format!("there is no month {month}"),
        Ok(y) => {
            format!("{year}-{month:02} has no day {day}")
                + if month == 2 && day == 29 && !Date::is_leap_year(y) {
                    " (not a leap year)"
                } else {
                    ""
                }
        }
        Err(_) => "the year is out of range".to_string(),
    }
}

fn era_text(era: Era, year: u32, month: u8, day: Option<u8>) -> String {
    let ey = EraYear { era, year };
    match day {
        Some(d) => format!("{ey}{month}月{d}日"),
        None => format!("{ey}{month}月"),
    }
}

fn era_span(era: Era) -> String {
    match era.end() {
        Some(end) => format!("{} to {}", era.start(), end),
        None => format!("from {}", era.start()),
    }
}

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

const MAX_INPUT_CHARS: usize = 64;
const TRAILING: [&str; 6] = ["現在", "時点", "~", "頃", "ごろ", "まで"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum YearSpec {
    Western(i32),
    Era(Era, u32),
    EraLess(u32),
}

/// What follows the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Bare,
    Nendo,
    Nen,
    Sep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DaySpec {
    Day(u8),
    MonthEnd,
}

#[derive(Debug)]
struct Parts {
    year: YearSpec,
    unit: Unit,
    month: Option<u8>,
    day: Option<DaySpec>,
}

fn to_u8(v: u32) -> u8 {
    u8::try_from(v).unwrap_or(u8::MAX)
}

/// The input as shown in error messages: trimmed and cut to 40 characters.
fn shown(s: &str) -> String {
    let t = s.trim();
    if t.chars().count() > 40 {
        t.chars().take(40).chain(std::iter::once('…')).collect()
    } else {
        t.to_string()
    }
}

fn unparsable(what: &'static str, s: &str, reason: impl Into<String>) -> CalendarError {
    CalendarError::Unparsable {
        what,
        input: shown(s),
        reason: reason.into(),
    }
}

/// NFKC-like folding of full-width ASCII, ideographic space, wave dashes and hyphens;
/// ASCII letters upper-cased.
fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        '\u{301C}' | '\u{2053}' => '~',
        '\u{2010}'..='\u{2014}' | '\u{2212}' => '-',
        _ => c,
    };
    c.to_ascii_uppercase()
}

fn normalize(s: &str) -> Result<Vec<char>, String> {
    let t = s.trim();
    if t.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(format!("longer than {MAX_INPUT_CHARS} characters"));
    }
    let mut out: Vec<char> = Vec::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '㍻' => out.extend(['平', '成']),
            '㋿' => out.extend(['令', '和']),
            '㍼' => out.extend(['昭', '和']),
            '㍽' => out.extend(['大', '正']),
            '㍾' => out.extend(['明', '治']),
            _ => out.push(fold(c)),
        }
    }
    loop {
        while out.last().is_some_and(|c| c.is_whitespace()) {
            out.pop();
        }
        let Some(suffix) = TRAILING.iter().find(|t| ends_with(&out, t)) else {
            break;
        };
        out.truncate(out.len() - suffix.chars().count());
    }
    Ok(out)
}

fn ends_with(s: &[char], t: &str) -> bool {
    let n = t.chars().count();
    s.len() >= n && s[s.len() - n..].iter().copied().eq(t.chars())
}

struct Scanner {
    s: Vec<char>,
    i: usize,
}

impl Scanner {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn eat_str(&mut self, t: &str) -> bool {
        let n = t.chars().count();
        let hit = self
            .s
            .get(self.i..self.i + n)
            .is_some_and(|w| w.iter().copied().eq(t.chars()));
        if hit {
            self.i += n;
        }
        hit
    }

    fn eat_sep(&mut self) -> Option<char> {
        let c = self.peek().filter(|c| matches!(c, '.' | '/' | '-'))?;
        self.i += 1;
        Some(c)
    }

    /// ASCII digits: (saturated value, digit count).
    fn digits(&mut self) -> Option<(u32, usize)> {
        let start = self.i;
        let mut v: u32 = 0;
        while let Some(d) = self
            .peek()
            .and_then(|c| c.is_ascii_digit().then(|| c.to_digit(10)).flatten())
        {
            v = v.saturating_mul(10).saturating_add(d);
            self.i += 1;
        }
        (self.i > start).then_some((v, self.i - start))
    }

    /// A 1–2 digit month or day.
    fn small(&mut self, what: &str) -> Result<Option<u8>, String> {
        match self.digits() {
            None => Ok(None),
            Some((v, n)) if n <= 2 => Ok(Some(to_u8(v))),
            Some(_) => Err(format!("a {what} has 1 or 2 digits")),
        }
    }

    fn rest(&self) -> String {
        self.s.get(self.i..).unwrap_or_default().iter().collect()
    }

    fn year(&mut self) -> Result<YearSpec, String> {
        const NAMES: [(&str, Option<Era>); 5] = [
            ("大正", Some(Era::Taisho)),
            ("昭和", Some(Era::Showa)),
            ("平成", Some(Era::Heisei)),
            ("令和", Some(Era::Reiwa)),
            ("明治", None),
        ];
        const MEIJI: &str = "明治 (M) is not supported; the earliest era is 大正";
        if self.eat_str("FY") {
            self.ws();
            return match self.digits() {
                Some((v, 4)) => Ok(YearSpec::Western(i32::try_from(v).unwrap_or(0))),
                _ => Err("FY must be followed by a 4-digit year".to_string()),
            };
        }
        let mut era = None;
        if let Some((_, e)) = NAMES.iter().find(|(name, _)| self.eat_str(name)) {
            era = Some(e.ok_or_else(|| MEIJI.to_string())?);
        } else if let Some(c) = self.peek().filter(char::is_ascii_uppercase) {
            if c == 'M' {
                return Err(MEIJI.to_string());
            }
            let e = Era::from_letter(c)
                .ok_or_else(|| format!("{c:?} is not an era letter (T, S, H, R)"))?;
            self.i += 1;
            self.ws();
            self.eat('.');
            era = Some(e);
        }
        self.ws();
        if self.eat('元') {
            return Ok(match era {
                Some(e) => YearSpec::Era(e, 1),
                None => YearSpec::EraLess(1),
            });
        }
        let Some((v, n)) = self.digits() else {
            return Err(match self.peek() {
                Some(c) => format!("expected a year number, found {c:?}"),
                None => "expected a year number".to_string(),
            });
        };
        match (era, n) {
            (Some(e), 1..=3) => Ok(YearSpec::Era(e, v)),
            (Some(e), _) => Err(format!("an era year has 1–3 digits ({}29)", e.name())),
            (None, 4) => Ok(YearSpec::Western(i32::try_from(v).unwrap_or(0))),
            (None, 1..=2) => Ok(YearSpec::EraLess(v)),
            (None, _) => Err(
                "a year has 4 digits (2017) or 1–2 digits, with an era (平成29, H29) or without"
                    .to_string(),
            ),
        }
    }
}

/// Splits the input into year, unit, month and day; validates only the shape.
fn parse_parts(s: &str) -> Result<Parts, String> {
    let chars = normalize(s)?;
    if chars.is_empty() {
        return Err("empty".to_string());
    }
    let mut sc = Scanner { s: chars, i: 0 };
    let year = sc.year()?;
    sc.ws();
    let mut sep = None;
    let unit = if sc.at_end() {
        Unit::Bare
    } else if sc.eat_str("年度") {
        Unit::Nendo
    } else if sc.eat('年') {
        Unit::Nen
    } else if let Some(c) = sc.eat_sep() {
        sep = Some(c);
        Unit::Sep
    } else {
        return Err(format!("unexpected \"{}\" after the year", sc.rest()));
    };
    let mut month = None;
    let mut day = None;
    sc.ws();
    if matches!(unit, Unit::Nen | Unit::Sep) && !sc.at_end() {
        month = Some(
            sc.small("month")?
                .ok_or_else(|| format!("expected a month, found \"{}\"", sc.rest()))?,
        );
        sc.ws();
        let after_month = if sc.eat('月') {
            true
        } else if unit == Unit::Nen {
            return Err("expected 月 after the month".to_string());
        } else {
            false
        };
        sc.ws();
        if sc.eat('末') {
            sc.eat('日');
            day = Some(DaySpec::MonthEnd);
        } else if after_month || sep.is_some_and(|c| sc.eat(c)) {
            sc.ws();
            if let Some(d) = sc.small("day")? {
                day = Some(DaySpec::Day(d));
                sc.ws();
                sc.eat('日');
            } else if !after_month {
                return Err("expected a day after the separator".to_string());
            }
        }
    } else if unit == Unit::Sep {
        return Err("expected a month after the separator".to_string());
    }
    sc.ws();
    if !sc.at_end() {
        return Err(format!("unexpected \"{}\"", sc.rest()));
    }
    Ok(Parts {
        year,
        unit,
        month,
        day,
    })
}

/// The Western year of an era-less year number `n`, read near `context`.
fn resolve_eraless(
    n: u32,
    context: Option<FiscalYear>,
    what: &'static str,
    s: &str,
) -> Result<i64, CalendarError> {
    let ctx = context.ok_or_else(|| CalendarError::NeedsContext { input: shown(s) })?;
    if n == 0 {
        return Err(unparsable(what, s, "no era has a year 0"));
    }
    let ctx_eras: Vec<Era> = ctx.era_years().into_iter().map(|ey| ey.era).collect();
    let mut best: Option<(i64, i64)> = None;
    for era in [Era::Showa, Era::Heisei, Era::Reiwa] {
        let max = match era.last_year_number() {
            Some(last) if !ctx_eras.contains(&era) => last,
            _ => 99,
        };
        if n > max {
            continue;
        }
        let y = era.western(n);
        let dist = (y - i64::from(ctx.0)).abs();
        if best.is_none_or(|(d, _)| dist < d) {
            best = Some((dist, y));
        }
    }
    best.map(|(_, y)| y)
        .ok_or_else(|| unparsable(what, s, format!("no era has a year {n}")))
}

impl TryFrom<String> for Date {
    type Error = CalendarError;
    fn try_from(s: String) -> Result<Date, CalendarError> {
        s.parse()
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

impl TryFrom<i32> for FiscalYear {
    type Error = CalendarError;
    fn try_from(y: i32) -> Result<FiscalYear, CalendarError> {
        FiscalYear::new(y)
    }
}

impl From<FiscalYear> for i32 {
    fn from(f: FiscalYear) -> i32 {
        f.year()
    }
}
