//! Finds the anchors of a normalised text: figures, relative expressions and milestone
//! phrases, each with what is attached right after it (comparator, parenthesis, 設定 …).
//! The text between two anchors is the "lead" of the second one (its indicator, years).

use crate::patterns::{
    rx, Lazy, CHANGE_FOLLOW, COMPARATOR, COMPARISON_FOLLOW, FIGURE, MILESTONE_DONE, REL_ABS_DELTA,
    REL_FROM_TO, REL_HALVE_PAREN, REL_HALVE_YEAR, REL_MAINTAIN, REL_PCT_BASE, REL_PCT_PAREN,
    REL_PREVIOUS,
};
use crate::types::Unit;
use kusei_domain::model::{Comparator, Direction};
use regex::Captures;

/// A number with its unit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Quantity {
    pub value: f64,
    pub value_text: String,
    pub unit: Unit,
    pub unit_text: String,
}

pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let t: String = s.chars().filter(|c| *c != ',').collect();
    let v: f64 = t.parse().ok()?;
    v.is_finite().then_some(v)
}

pub(crate) fn quantity(num: &str, unit: &str) -> Option<Quantity> {
    let (u, factor) = Unit::parse(unit)?;
    let v = parse_number(num)?;
    Some(Quantity {
        value: v * factor,
        value_text: num.to_string(),
        unit: u,
        unit_text: unit.to_string(),
    })
}

pub(crate) fn stars(s: &str) -> Option<Quantity> {
    let n = s.chars().filter(|c| *c == '☆' || *c == '★').count();
    (n > 0 && n == s.chars().count()).then(|| Quantity {
        value: n as f64,
        value_text: s.to_string(),
        unit: Unit::Stars,
        unit_text: "☆".to_string(),
    })
}

/// A number written in kanji (「三千」, 「二十」, 「千二百五十万」, 「二〇二五」): `None` unless
/// it has a digit (一…九, 〇) — 「十分」, 「万人」 and 「百」 alone are words, not figures.
pub(crate) fn kanji_number(s: &str) -> Option<f64> {
    let digit = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c);
    if !s.chars().any(|c| digit(c).is_some()) {
        return None;
    }
    let (mut total, mut section) = (0u64, 0u64);
    let mut pending: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = digit(c) {
            // 「二〇二五」: digits in a row are positional.
            pending = Some(pending.map_or(d as u64, |p| p * 10 + d as u64));
            continue;
        }
        let small = match c {
            '十' => Some(10),
            '百' => Some(100),
            '千' => Some(1000),
            _ => None,
        };
        if let Some(m) = small {
            section += pending.take().unwrap_or(1) * m;
            continue;
        }
        let big = match c {
            '万' => 10_000,
            '億' => 100_000_000,
            _ => return None,
        };
        let n = section + pending.take().unwrap_or(0);
        total += n.max(1) * big;
        section = 0;
    }
    #[allow(clippy::cast_precision_loss)]
    Some((total + section + pending.unwrap_or(0)) as f64)
}

/// 「3億2,000万円」 (3×10^8 + 2,000×10^4 yen), 「1億5千万円」, 「1.5万人」 (15,000 persons):
/// the value in the base unit, the number as written (「3億2,000万」) before the unit.
fn mixed_amount(c: &Captures<'_>) -> Option<Quantity> {
    let whole = c.get(0)?.as_str();
    if let Some(oku) = c.name("oku") {
        let mut v = parse_number(oku.as_str())? * 1e8;
        if let Some(man) = c.name("man") {
            let scale = if c.name("sen").is_some() { 1e7 } else { 1e4 };
            v += parse_number(man.as_str())? * scale;
        }
        return Some(Quantity {
            value: v,
            value_text: whole.trim_end_matches('円').to_string(),
            unit: Unit::Yen,
            unit_text: "円".to_string(),
        });
    }
    let man = c.name("manonly")?;
    let unit = c.name("munit")?.as_str();
    let (u, factor) = Unit::parse(unit)?;
    Some(Quantity {
        value: parse_number(man.as_str())? * 1e4 * factor,
        value_text: format!("{}万", man.as_str()),
        unit: u,
        unit_text: unit.to_string(),
    })
}

fn cap_quantity(c: &Captures<'_>, num: &str, unit: &str) -> Option<Quantity> {
    quantity(c.name(num)?.as_str(), c.name(unit)?.as_str())
}

fn cap_str(c: &Captures<'_>, name: &str) -> Option<String> {
    c.name(name)
        .map(|m| m.as_str().to_string())
        .filter(|s| !s.is_empty())
}

fn dir_of(s: &str) -> Direction {
    if s.contains('減') || s.contains("低下") {
        Direction::LowerIsBetter
    } else {
        Direction::HigherIsBetter
    }
}

/// What kind of relative expression was found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RelKind {
    /// x%減 / x%増 (or ポイント) from a base.
    Percent {
        pct: f64,
        points: bool,
    },
    Halve,
    AtLeastBase,
    AtMostBase,
    Maintain,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RelFound {
    pub kind: RelKind,
    /// The direction the expression implies; `None` for 維持.
    pub direction: Option<Direction>,
    /// Base year as written ("28年度", "前年度").
    pub by: Option<String>,
    /// What the base is ("件数", "実績値", "平成28年度全市平均収納率との乖離").
    pub bname: Option<String>,
    pub base: Option<Quantity>,
    pub stated: Option<Quantity>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AnchorKind {
    Figure(Quantity),
    Relative(RelFound),
    /// "3件から1件に減": a target value with its starting figure.
    FromTo {
        by: Option<String>,
        bname: Option<String>,
        base: Quantity,
        target: Quantity,
        direction: Direction,
    },
    /// "…を設置した" (actual mode).
    Done {
        verb: String,
    },
}

/// What follows a figure in a results text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Follow {
    None,
    /// "0.94ポイント増", "17%減".
    Change(Direction),
    /// "85.82%に比し".
    Comparison,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Anchor {
    pub start: usize,
    pub end: usize,
    pub kind: AnchorKind,
    /// Parenthesis depth where the anchor starts.
    pub depth: usize,
    pub comparator: Option<Comparator>,
    /// "35%設定": the figure is explicitly the target.
    pub set_marker: bool,
    /// Contents of parentheses directly after the anchor.
    pub attached: Vec<String>,
    pub follow: Follow,
    /// The anchor text itself (normalised).
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Target,
    Actual,
}

/// Paren depth at byte offsets asked in increasing order (depth before the char at that
/// offset), reading each character once: linear in the sentence, however many anchors.
#[derive(Default)]
struct Depth {
    pos: usize,
    depth: usize,
}

impl Depth {
    fn at(&mut self, s: &str, pos: usize) -> usize {
        if pos < self.pos {
            *self = Depth::default();
        }
        for c in s.get(self.pos..pos).unwrap_or_default().chars() {
            match c {
                '(' | '<' => self.depth += 1,
                ')' | '>' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        self.pos = pos.max(self.pos);
        self.depth
    }
}

/// Candidates kept so far, which never overlap one another: a new one is kept when it
/// overlaps none of them (found in log time, since disjoint spans sorted by start are
/// also sorted by end).
#[derive(Default)]
struct Chosen {
    all: Vec<Cand>,
    spans: std::collections::BTreeMap<usize, usize>,
}

impl Chosen {
    fn offer(&mut self, c: Cand) {
        if c.start < c.end {
            let overlaps = self
                .spans
                .range(..c.end)
                .next_back()
                .is_some_and(|(_, &end)| end > c.start);
            if overlaps {
                return;
            }
            self.spans.insert(c.start, c.end);
        }
        self.all.push(c);
    }
}

/// The byte offset just after the parenthesis group that starts at `open` (which must be
/// '(' ), or None when it is not closed.
fn close_of(s: &str, open: usize) -> Option<usize> {
    let rest = s.get(open..)?;
    let mut d = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => d += 1,
            ')' => {
                d = d.saturating_sub(1);
                if d == 0 {
                    return Some(open + i + c.len_utf8());
                }
            }
            _ => {}
        }
    }
    None
}

fn prev_char(s: &str, pos: usize) -> Option<char> {
    s.get(..pos).and_then(|p| p.chars().next_back())
}

fn next_char(s: &str, pos: usize) -> Option<char> {
    s.get(pos..).and_then(|p| p.chars().next())
}

struct Cand {
    start: usize,
    end: usize,
    kind: AnchorKind,
}

fn push_rel(
    out: &mut Vec<Cand>,
    re: &'static Lazy,
    s: &str,
    build: fn(&Captures<'_>) -> Option<AnchorKind>,
) {
    let Some(re) = rx(re) else { return };
    for c in re.captures_iter(s) {
        let Some(m) = c.get(0) else { continue };
        if let Some(kind) = build(&c) {
            out.push(Cand {
                start: m.start(),
                end: m.end(),
                kind,
            });
        }
    }
}

fn build_pct_paren(c: &Captures<'_>) -> Option<AnchorKind> {
    let pct = parse_number(c.name("pct")?.as_str())?;
    let dir = c.name("dir")?.as_str();
    Some(AnchorKind::Relative(RelFound {
        kind: RelKind::Percent {
            pct,
            points: c.name("pu").is_some_and(|m| m.as_str() == "ポイント"),
        },
        direction: Some(dir_of(dir)),
        by: cap_str(c, "by"),
        bname: cap_str(c, "bname"),
        base: cap_quantity(c, "bnum", "bunit"),
        stated: cap_quantity(c, "snum", "sunit"),
    }))
}

fn build_from_to(c: &Captures<'_>) -> Option<AnchorKind> {
    Some(AnchorKind::FromTo {
        by: cap_str(c, "by"),
        bname: cap_str(c, "bname"),
        base: cap_quantity(c, "bnum", "bunit")?,
        target: cap_quantity(c, "tnum", "tunit")?,
        direction: dir_of(c.name("dir")?.as_str()),
    })
}

/// 「120人から20人増」: the target is the base changed by the amount, in the base's unit.
fn build_abs_delta(c: &Captures<'_>) -> Option<AnchorKind> {
    let base = cap_quantity(c, "bnum", "bunit")?;
    let delta = cap_quantity(c, "dnum", "dunit")?;
    if base.unit != delta.unit {
        return None;
    }
    let direction = dir_of(c.name("dir")?.as_str());
    let value = match direction {
        Direction::HigherIsBetter => base.value + delta.value,
        Direction::LowerIsBetter => base.value - delta.value,
    };
    let written = value / crate::types::Unit::factor(&base.unit_text);
    let value_text = format!("{written}");
    Some(AnchorKind::FromTo {
        by: cap_str(c, "by"),
        bname: cap_str(c, "bname"),
        target: Quantity {
            value,
            value_text,
            unit: base.unit,
            unit_text: base.unit_text.clone(),
        },
        base,
        direction,
    })
}

fn build_halve_paren(c: &Captures<'_>) -> Option<AnchorKind> {
    Some(AnchorKind::Relative(RelFound {
        kind: RelKind::Halve,
        direction: Some(Direction::LowerIsBetter),
        by: None,
        bname: cap_str(c, "bname"),
        base: cap_quantity(c, "bnum", "bunit"),
        stated: cap_quantity(c, "snum", "sunit"),
    }))
}

fn build_halve_year(c: &Captures<'_>) -> Option<AnchorKind> {
    Some(AnchorKind::Relative(RelFound {
        kind: RelKind::Halve,
        direction: Some(Direction::LowerIsBetter),
        by: cap_str(c, "by"),
        bname: cap_str(c, "bname"),
        base: None,
        stated: None,
    }))
}

fn build_pct_base(c: &Captures<'_>) -> Option<AnchorKind> {
    let pct = parse_number(c.name("pct")?.as_str())?;
    Some(AnchorKind::Relative(RelFound {
        kind: RelKind::Percent {
            pct,
            points: c.name("pu").is_some_and(|m| m.as_str() == "ポイント"),
        },
        direction: Some(dir_of(c.name("dir")?.as_str())),
        by: cap_str(c, "by"),
        bname: cap_str(c, "bname"),
        base: None,
        stated: None,
    }))
}

fn build_previous(c: &Captures<'_>) -> Option<AnchorKind> {
    let cmp = c.name("cmp")?.as_str();
    let lower = cmp == "以下" || cmp == "を下回る";
    Some(AnchorKind::Relative(RelFound {
        kind: if lower {
            RelKind::AtMostBase
        } else {
            RelKind::AtLeastBase
        },
        direction: Some(if lower {
            Direction::LowerIsBetter
        } else {
            Direction::HigherIsBetter
        }),
        by: Some("前年度".to_string()),
        bname: None,
        base: None,
        stated: None,
    }))
}

fn build_maintain(c: &Captures<'_>) -> Option<AnchorKind> {
    Some(AnchorKind::Relative(RelFound {
        kind: RelKind::Maintain,
        direction: None,
        by: cap_str(c, "by"),
        bname: cap_str(c, "bname"),
        base: None,
        stated: None,
    }))
}

fn figure_candidates(s: &str, out: &mut Vec<Cand>) {
    let Some(re) = rx(&FIGURE) else { return };
    for c in re.captures_iter(s) {
        let Some(m) = c.get(0) else { continue };
        let q = if let Some(st) = c.name("stars") {
            stars(st.as_str())
        } else if let (Some(k), Some(u)) = (c.name("kanji"), c.name("kunit")) {
            kanji_number(k.as_str()).and_then(|v| {
                let unit = match u.as_str() {
                    "か所" | "箇所" => "件",
                    other => other,
                };
                let (unit, factor) = Unit::parse(unit)?;
                Some(Quantity {
                    value: v * factor,
                    value_text: k.as_str().to_string(),
                    unit,
                    unit_text: u.as_str().to_string(),
                })
            })
        } else if c.name("oku").is_some() || c.name("manonly").is_some() {
            mixed_amount(&c)
        } else {
            cap_quantity(&c, "num", "unit")
        };
        let Some(q) = q else { continue };
        // 「統一回」, 「唯一人」: a kanji numeral inside a word is no figure.
        if c.name("kanji").is_some()
            && prev_char(s, m.start()).is_some_and(|p| ('\u{4e00}'..='\u{9fff}').contains(&p))
        {
            continue;
        }
        if c.name("stars").is_none() {
            // "第1回", "T-1", "P68", "2.0" are not figures of a target.
            if let Some(p) = prev_char(s, m.start()) {
                if p == '第' || p.is_ascii_alphabetic() || p == '-' || p == '.' || p == '_' {
                    continue;
                }
            }
            // "件数", "回数", "人数", "人ひとり": the unit character starts a word;
            // "3分の1" is a fraction and "3日間" / "10日付" are not targets in days.
            if let Some(n) = next_char(s, m.end()) {
                if q.unit == Unit::Minutes && n == 'の' {
                    continue;
                }
                if matches!(q.unit, Unit::Count | Unit::Times | Unit::Persons)
                    && (n == '数' || n == 'ひ' || n == '目')
                {
                    continue;
                }
            }
        }
        out.push(Cand {
            start: m.start(),
            end: m.end(),
            kind: AnchorKind::Figure(q),
        });
    }
}

fn done_candidates(s: &str, out: &mut Vec<Cand>) {
    let Some(re) = rx(&MILESTONE_DONE) else {
        return;
    };
    for c in re.captures_iter(s) {
        let (Some(m), Some(v)) = (c.get(0), c.name("verb")) else {
            continue;
        };
        out.push(Cand {
            start: m.start(),
            end: m.end(),
            kind: AnchorKind::Done {
                verb: v.as_str().to_string(),
            },
        });
    }
}

/// The most figures read from one sentence (README, "Limits").
pub const MAX_ANCHORS: usize = 100;

/// Finds the anchors of `s` in text order, non-overlapping.
pub(crate) fn scan(s: &str, mode: Mode) -> Vec<Anchor> {
    let mut cands: Vec<Cand> = Vec::new();
    if mode == Mode::Target {
        push_rel(&mut cands, &REL_PCT_PAREN, s, build_pct_paren);
        push_rel(&mut cands, &REL_FROM_TO, s, build_from_to);
        push_rel(&mut cands, &REL_ABS_DELTA, s, build_abs_delta);
        push_rel(&mut cands, &REL_HALVE_PAREN, s, build_halve_paren);
        push_rel(&mut cands, &REL_HALVE_YEAR, s, build_halve_year);
        push_rel(&mut cands, &REL_PCT_BASE, s, build_pct_base);
        push_rel(&mut cands, &REL_PREVIOUS, s, build_previous);
        push_rel(&mut cands, &REL_MAINTAIN, s, build_maintain);
    } else {
        done_candidates(s, &mut cands);
    }
    // Earlier patterns win over later overlapping ones.
    let mut chosen = Chosen::default();
    for c in cands {
        chosen.offer(c);
    }
    let mut figs = Vec::new();
    figure_candidates(s, &mut figs);
    for c in figs {
        chosen.offer(c);
    }
    let mut chosen = chosen.all;
    chosen.sort_by_key(|c| c.start);
    // Every target and actual keeps its whole sentence; past this many figures in one
    // sentence (no form has more than a few dozen) the rest is text, so reading stays
    // linear in the length of the sentence.
    chosen.truncate(MAX_ANCHORS);

    let mut anchors: Vec<Anchor> = Vec::new();
    let mut cursor = 0usize;
    let mut depth = Depth::default();
    for c in chosen {
        if c.start < cursor {
            continue;
        }
        let depth = depth.at(s, c.start);
        let mut a = Anchor {
            start: c.start,
            end: c.end,
            kind: c.kind,
            depth,
            comparator: None,
            set_marker: false,
            attached: Vec::new(),
            follow: Follow::None,
            text: String::new(),
        };
        extend(s, &mut a, mode);
        // A quote opened right before the figure ("「2つ星」").
        if prev_char(s, a.start) == Some('「') {
            a.start = a.start.saturating_sub('「'.len_utf8());
        }
        a.text = s.get(a.start..a.end).unwrap_or_default().to_string();
        cursor = a.end;
        anchors.push(a);
    }
    anchors
}

/// Consumes what follows an anchor: closing quote, comparator, 設定, attached
/// parentheses, change or comparison words, and a closing parenthesis.
fn extend(s: &str, a: &mut Anchor, mode: Mode) {
    let is_figure = matches!(a.kind, AnchorKind::Figure(_));
    let is_rel = matches!(a.kind, AnchorKind::Relative(_) | AnchorKind::FromTo { .. });
    let mut rounds = 0;
    let mut closed = false;
    loop {
        rounds += 1;
        if rounds > 8 {
            break;
        }
        let Some(rest) = s.get(a.end..) else { break };
        if rest.is_empty() {
            break;
        }
        if let Some(r) = rest.strip_prefix('」') {
            a.end = s.len() - r.len();
            continue;
        }
        if is_figure || is_rel {
            if a.comparator.is_none() && !matches!(a.follow, Follow::Change(_)) {
                if let Some(c) = rx(&COMPARATOR).and_then(|re| re.captures(rest)) {
                    if let (Some(m), Some(w)) = (c.get(0), c.name("c")) {
                        a.comparator = Comparator::parse(w.as_str());
                        a.end += m.end();
                        continue;
                    }
                }
            }
            if mode == Mode::Target && !a.set_marker {
                if let Some(r) = rest.trim_start().strip_prefix("設定") {
                    a.set_marker = true;
                    a.end = s.len() - r.len();
                    continue;
                }
            }
        }
        if is_figure && mode == Mode::Actual && a.follow == Follow::None {
            if let Some(c) = rx(&CHANGE_FOLLOW).and_then(|re| re.captures(rest)) {
                if let (Some(m), Some(d)) = (c.get(0), c.name("d")) {
                    a.follow = Follow::Change(dir_of(d.as_str()));
                    a.end += m.end();
                    continue;
                }
            }
            if let Some(m) = rx(&COMPARISON_FOLLOW).and_then(|re| re.find(rest)) {
                a.follow = Follow::Comparison;
                a.end += m.end();
                continue;
            }
        }
        // Attached parenthesis, directly or after one space.
        let skip = if rest.starts_with('(') {
            Some(0)
        } else if rest.starts_with(" (") {
            Some(1)
        } else {
            None
        };
        if let Some(k) = skip {
            // A space-separated parenthesis is attached only after a figure, and not when
            // it opens a new target ("(29年度 35%設定").
            if let Some(close) = close_of(s, a.end + k) {
                let inner = s.get(a.end + k + 1..close - 1).unwrap_or_default();
                let opens_target = inner.contains("設定");
                if !(k == 1 && (opens_target || !(is_figure || is_rel))) {
                    a.attached.push(inner.to_string());
                    a.end = close;
                    continue;
                }
            }
        }
        // The figure closes the parenthesis it sits in ("(2回)", "(1件以上)").
        if a.depth > 0 && !closed && rest.starts_with(')') && (is_figure || is_rel) {
            a.end += 1;
            closed = true;
            continue;
        }
        break;
    }
}
