//! Expectation builders shared by the integration tests.
#![allow(dead_code)]

pub mod seed001;

use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::{Comparator, Direction};
use kusei_kpi::*;

pub fn fy(y: i32) -> Option<FiscalYear> {
    FiscalYear::new(y).ok()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Relative op name, base year, base value, stated result.
pub type RelExp = (&'static str, Option<i32>, Option<f64>, Option<f64>);

/// Expected target. Every field is checked; defaults mean "absent".
#[derive(Debug, Clone)]
pub struct E {
    pub kind: TargetKind,
    pub label: Option<&'static str>,
    pub ind: Option<&'static str>,
    pub head: Option<&'static str>,
    pub fy: Option<(i32, i32)>,
    pub by_end: bool,
    pub value: Option<(f64, Unit)>,
    pub written: Option<(&'static str, &'static str)>,
    pub cmp: Comparator,
    pub dir: Option<Direction>,
    pub cum: bool,
    pub bases: Vec<(Option<i32>, f64)>,
    pub rel: Option<RelExp>,
    pub milestone: Option<&'static str>,
    pub pending: Option<Option<(i32, i32)>>,
    pub parts: Vec<E>,
    pub note: Option<&'static str>,
}

pub fn t(kind: TargetKind) -> E {
    E {
        kind,
        label: None,
        ind: None,
        head: None,
        fy: None,
        by_end: false,
        value: None,
        written: None,
        cmp: Comparator::Equal,
        dir: None,
        cum: false,
        bases: Vec::new(),
        rel: None,
        milestone: None,
        pending: None,
        parts: Vec::new(),
        note: None,
    }
}

pub fn abs(v: f64, u: Unit) -> E {
    let mut e = t(TargetKind::Absolute);
    e.value = Some((v, u));
    e
}

impl E {
    pub fn label(mut self, l: &'static str) -> E {
        self.label = Some(l);
        self
    }
    pub fn ind(mut self, i: &'static str) -> E {
        self.ind = Some(i);
        self
    }
    pub fn head(mut self, h: &'static str) -> E {
        self.head = Some(h);
        self
    }
    pub fn fy(mut self, y: i32) -> E {
        self.fy = Some((y, y));
        self
    }
    pub fn span(mut self, a: i32, b: i32) -> E {
        self.fy = Some((a, b));
        self
    }
    pub fn by_end(mut self) -> E {
        self.by_end = true;
        self
    }
    pub fn written(mut self, v: &'static str, u: &'static str) -> E {
        self.written = Some((v, u));
        self
    }
    pub fn cmp(mut self, c: Comparator) -> E {
        self.cmp = c;
        self
    }
    pub fn dir(mut self, d: Direction) -> E {
        self.dir = Some(d);
        self
    }
    pub fn cum(mut self) -> E {
        self.cum = true;
        self
    }
    pub fn base(mut self, y: Option<i32>, v: f64) -> E {
        self.bases.push((y, v));
        self
    }
    /// op name as `op_name` gives, base year, base value, stated result.
    pub fn rel(mut self, op: &'static str, by: Option<i32>, b: Option<f64>, s: Option<f64>) -> E {
        self.rel = Some((op, by, b, s));
        self
    }
    pub fn milestone(mut self, m: &'static str) -> E {
        self.milestone = Some(m);
        self
    }
    pub fn pending(mut self, p: Option<(i32, i32)>) -> E {
        self.pending = Some(p);
        self
    }
    pub fn part(mut self, p: E) -> E {
        self.parts.push(p);
        self
    }
    pub fn note(mut self, n: &'static str) -> E {
        self.note = Some(n);
        self
    }
}

pub fn op_name(op: &RelativeOp) -> String {
    match op {
        RelativeOp::IncreasePercent { percent } => format!("+{percent}%"),
        RelativeOp::DecreasePercent { percent } => format!("-{percent}%"),
        RelativeOp::IncreasePoints { points } => format!("+{points}pt"),
        RelativeOp::DecreasePoints { points } => format!("-{points}pt"),
        RelativeOp::Halve => "halve".to_string(),
        RelativeOp::AtLeastBase => ">=base".to_string(),
        RelativeOp::AtMostBase => "<=base".to_string(),
        RelativeOp::Maintain => "maintain".to_string(),
    }
}

pub fn check_target(ctx: &str, got: &Target, e: &E) {
    let w = |what: &str| format!("{ctx}: {what} of {:#?}", got);
    assert_eq!(got.kind, e.kind, "{}", w("kind"));
    assert_eq!(got.label.as_deref(), e.label, "{}", w("label"));
    assert_eq!(got.indicator.as_deref(), e.ind, "{}", w("indicator"));
    assert_eq!(got.heading.as_deref(), e.head, "{}", w("heading"));
    assert_eq!(
        got.fiscal_year.as_ref().map(|y| (y.start, y.end)),
        e.fy,
        "{}",
        w("fiscal_year")
    );
    assert_eq!(
        got.fiscal_year.as_ref().is_some_and(|y| y.by_end),
        e.by_end,
        "{}",
        w("by_end")
    );
    match (got.value, got.unit, e.value) {
        (None, _, None) => {}
        (Some(v), Some(u), Some((ev, eu))) => {
            assert!(close(v, ev), "{}", w("value"));
            assert_eq!(u, eu, "{}", w("unit"));
        }
        _ => panic!("{}", w("value/unit")),
    }
    if let Some((vt, ut)) = e.written {
        assert_eq!(got.value_text.as_deref(), Some(vt), "{}", w("value_text"));
        assert_eq!(got.unit_text.as_deref(), Some(ut), "{}", w("unit_text"));
    }
    assert_eq!(got.comparator, e.cmp, "{}", w("comparator"));
    if let Some(d) = e.dir {
        assert_eq!(got.direction, Some(d), "{}", w("direction"));
    }
    assert_eq!(got.cumulative, e.cum, "{}", w("cumulative"));
    let bases: Vec<(Option<i32>, f64)> = got
        .baselines
        .iter()
        .map(|b| (b.fiscal_year.as_ref().map(|y| y.start), b.value))
        .collect();
    assert_eq!(bases.len(), e.bases.len(), "{}", w("baselines"));
    for (g, x) in bases.iter().zip(&e.bases) {
        assert_eq!(g.0, x.0, "{}", w("baseline year"));
        assert!(close(g.1, x.1), "{}", w("baseline value"));
    }
    match (&got.relative, &e.rel) {
        (None, None) => {}
        (Some(r), Some((op, by, b, s))) => {
            assert_eq!(op_name(&r.op), *op, "{}", w("relative op"));
            assert_eq!(
                r.base_year.as_ref().map(|y| y.start),
                *by,
                "{}",
                w("base year")
            );
            assert_eq!(r.base.as_ref().map(|f| f.value), *b, "{}", w("base value"));
            assert_eq!(
                r.stated_result.as_ref().map(|f| f.value),
                *s,
                "{}",
                w("stated result")
            );
        }
        _ => panic!("{}", w("relative")),
    }
    assert_eq!(got.milestone.as_deref(), e.milestone, "{}", w("milestone"));
    match &e.pending {
        None => assert!(got.pending.is_none(), "{}", w("pending")),
        Some(p) => {
            let gp = got
                .pending
                .as_ref()
                .map(|p| p.years.as_ref().map(|y| (y.start, y.end)));
            assert_eq!(gp, Some(*p), "{}", w("pending years"));
        }
    }
    if let Some(n) = e.note {
        assert!(got.notes.iter().any(|x| x.contains(n)), "{}", w("notes"));
    }
    assert_eq!(got.parts.len(), e.parts.len(), "{}", w("parts"));
    for (i, (gp, ep)) in got.parts.iter().zip(&e.parts).enumerate() {
        check_target(&format!("{ctx} part {i}"), gp, ep);
    }
    // Never dropped: the verbatim sentence is kept.
    assert!(!got.text.is_empty(), "{}", w("text"));
}

/// Expected actual. Every field is checked; defaults mean "absent".
#[derive(Debug, Clone)]
pub struct A {
    pub kind: ActualKind,
    pub ind: Option<&'static str>,
    pub value: Option<(f64, Unit)>,
    pub fy: Option<i32>,
    pub as_of: Option<&'static str>,
    pub interim: bool,
    pub change: Option<(f64, Unit)>,
    pub comps: Vec<(Option<i32>, f64)>,
    pub done: Option<&'static str>,
    pub note: Option<&'static str>,
}

pub fn a(kind: ActualKind) -> A {
    A {
        kind,
        ind: None,
        value: None,
        fy: None,
        as_of: None,
        interim: false,
        change: None,
        comps: Vec::new(),
        done: None,
        note: None,
    }
}

pub fn val(v: f64, u: Unit, ind: &'static str) -> A {
    let mut x = a(ActualKind::Value);
    x.value = Some((v, u));
    x.ind = Some(ind);
    x
}

pub fn free() -> A {
    a(ActualKind::FreeText)
}

impl A {
    pub fn fy(mut self, y: i32) -> A {
        self.fy = Some(y);
        self
    }
    pub fn interim_as_of(mut self, d: &'static str) -> A {
        self.as_of = Some(d);
        self.interim = true;
        self
    }
    pub fn change(mut self, v: f64, u: Unit) -> A {
        self.change = Some((v, u));
        self
    }
    pub fn comp(mut self, y: Option<i32>, v: f64) -> A {
        self.comps.push((y, v));
        self
    }
    pub fn note(mut self, n: &'static str) -> A {
        self.note = Some(n);
        self
    }
}

pub fn done(obj: &'static str, done: &'static str) -> A {
    let mut x = a(ActualKind::Milestone);
    x.ind = Some(obj);
    x.done = Some(done);
    x
}

pub fn check_actual(ctx: &str, got: &Actual, e: &A) {
    let w = |what: &str| format!("{ctx}: {what} of {:#?}", got);
    assert_eq!(got.kind, e.kind, "{}", w("kind"));
    if e.kind != ActualKind::FreeText {
        assert_eq!(got.indicator.as_deref(), e.ind, "{}", w("indicator"));
    }
    match (got.value, got.unit, e.value) {
        (None, _, None) => {}
        (Some(v), Some(u), Some((ev, eu))) => {
            assert!(close(v, ev), "{}", w("value"));
            assert_eq!(u, eu, "{}", w("unit"));
        }
        _ => panic!("{}", w("value/unit")),
    }
    assert_eq!(
        got.fiscal_year.as_ref().map(|y| y.start),
        e.fy,
        "{}",
        w("fiscal_year")
    );
    assert_eq!(
        got.as_of.as_ref().map(|d| d.iso()).as_deref(),
        e.as_of,
        "{}",
        w("as_of")
    );
    assert_eq!(got.interim, e.interim, "{}", w("interim"));
    match (&got.change, e.change) {
        (None, None) => {}
        (Some(c), Some((v, u))) => {
            assert!(close(c.value, v), "{}", w("change value"));
            assert_eq!(c.unit, u, "{}", w("change unit"));
        }
        _ => panic!("{}", w("change")),
    }
    let comps: Vec<(Option<i32>, f64)> = got
        .comparisons
        .iter()
        .map(|b| (b.fiscal_year.as_ref().map(|y| y.start), b.value))
        .collect();
    assert_eq!(comps.len(), e.comps.len(), "{}", w("comparisons"));
    for (g, x) in comps.iter().zip(&e.comps) {
        assert_eq!(g.0, x.0, "{}", w("comparison year"));
        assert!(close(g.1, x.1), "{}", w("comparison value"));
    }
    assert_eq!(got.done.as_deref(), e.done, "{}", w("done"));
    if let Some(n) = e.note {
        assert!(got.notes.iter().any(|x| x.contains(n)), "{}", w("notes"));
    }
    assert!(!got.text.is_empty(), "{}", w("text"));
}
