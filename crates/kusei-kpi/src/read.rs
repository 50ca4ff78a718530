//! Reading target (目標) and actual (実績) sentences into structures.

use crate::patterns::{
    rx, ANGLE_NOTE, BOILERPLATE, CUMULATIVE, FILLER, HEADER, LABEL, MILESTONE_END, MILESTONE_SPLIT,
    PENDING_NOTE, REPOST, SECTION, SET_LATER, SOURCE, TRAILING_INDICATOR, VERB_TAIL,
};
use crate::scan::{scan, Anchor, AnchorKind, Follow, Mode, Quantity, RelFound, RelKind};
use crate::text::{indicator_similarity, is_blank, normalize, tidy_phrase};
use crate::types::{
    Actual, ActualKind, AsOf, Change, DirectionBasis, Figure, FiscalYears, Pending, Relative,
    RelativeOp, Target, TargetKind,
};
use crate::years::{find_as_of, find_years, read_years, span};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::{Comparator, Direction};

fn sub(s: &str, a: usize, b: usize) -> &str {
    s.get(a..b).unwrap_or_default()
}

fn from(s: &str, a: usize) -> &str {
    s.get(a..).unwrap_or_default()
}

/// Splits a label off the start of a normalised sentence.
pub(crate) fn take_label(n: &str) -> (Option<String>, String) {
    let Some(re) = rx(&LABEL) else {
        return (None, n.to_string());
    };
    match re.captures(n).and_then(|c| c.name("l")) {
        Some(m) => (
            Some(m.as_str().replace(' ', "")),
            from(n, m.end()).trim().to_string(),
        ),
        None => (None, n.to_string()),
    }
}

/// Text facts of a lead (the text before an anchor).
#[derive(Debug, Default, Clone)]
struct Lead {
    years: Option<FiscalYears>,
    cumulative: bool,
    as_of: Option<AsOf>,
    residue: String,
    jisseki: bool,
    mokuhyo: bool,
    source: Option<String>,
    conj: bool,
    notes: Vec<String>,
}

fn strip_particles(s: &str) -> String {
    let mut t = tidy_phrase(s);
    loop {
        let before = t.clone();
        for p in ["の", "と", "は", "、", "で"] {
            if let Some(r) = t.strip_prefix(p) {
                t = tidy_phrase(r);
            }
        }
        if t.starts_with('「') && t.ends_with('」') && t.matches('「').count() == 1 {
            let mut inner: String = t.chars().skip(1).collect();
            inner.pop();
            t = tidy_phrase(&inner);
        }
        for p in ["において", "における", "については", "について"] {
            if let Some(r) = t.strip_suffix(p) {
                if !r.is_empty() {
                    t = tidy_phrase(r);
                }
            }
        }
        for p in ["は", "が", "の", "で", "を", "、", "に"] {
            if t.chars().count() > 1 {
                if let Some(r) = t.strip_suffix(p) {
                    t = tidy_phrase(r);
                }
            }
        }
        if t == before {
            return t;
        }
    }
}

fn remove_ranges(s: &str, ranges: &mut [(usize, usize)]) -> String {
    ranges.sort_unstable();
    let mut out = String::with_capacity(s.len());
    let mut pos = 0usize;
    for &(a, b) in ranges.iter() {
        if a < pos {
            pos = pos.max(b);
            continue;
        }
        out.push_str(sub(s, pos, a));
        out.push(' ');
        pos = b;
    }
    out.push_str(from(s, pos));
    out
}

fn analyze_lead(lead: &str, context: Option<FiscalYear>) -> Lead {
    analyze_lead_in(lead, context, false)
}

/// `paren`: the lead sits inside a parenthesis, where "xxx:" names a source.
fn analyze_lead_in(lead: &str, context: Option<FiscalYear>, paren: bool) -> Lead {
    let mut li = Lead::default();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let hits = find_years(lead, context);
    if let Some(h) = hits.iter().rev().find(|h| h.years.is_some()) {
        li.years = h.years.clone();
        if let Some(c) = rx(&CUMULATIVE).and_then(|re| re.captures(from(lead, h.end))) {
            if let Some(m) = c.get(0) {
                li.cumulative = li.years.as_ref().is_some_and(|y| y.start != y.end);
                if li.cumulative {
                    ranges.push((h.end, h.end + m.end()));
                }
            }
        }
    }
    for h in hits.iter().filter(|h| h.years.is_none()) {
        li.notes.push(format!(
            "年度を解釈できない: {} (fiscal year not understood)",
            sub(lead, h.start, h.end)
        ));
    }
    ranges.extend(hits.iter().map(|h| (h.start, h.end)));
    for h in find_as_of(lead, context) {
        if li.as_of.is_none() || h.as_of.is_some() {
            li.as_of = h.as_of.clone().or(li.as_of.take());
        }
        ranges.push((h.start, h.end));
    }
    let mut r = remove_ranges(lead, &mut ranges);
    if r.contains("実績") {
        li.jisseki = true;
    }
    if r.contains("目標") {
        li.mokuhyo = true;
    }
    for w in ["(実績)", "(目標)", "(目標値)", "参考:", "参考"] {
        r = r.replace(w, " ");
    }
    for w in ["実績値", "最終実績", "実績", "目標値", "目標"] {
        r = r.replace(w, "");
    }
    if let Some(re) = rx(&REPOST) {
        r = re.replace_all(&r, " ").into_owned();
    }
    if let Some(c) = rx(&SOURCE).and_then(|re| re.captures(&r)) {
        if let (Some(m), Some(s)) = (c.get(0), c.name("src")) {
            let src = tidy_phrase(s.as_str());
            // A label followed by ':' directly before the figure ("マッチング回数:") is the
            // indicator, not a source; a source sits inside a parenthesis.
            if (paren || r[..m.start()].contains('(')) && !src.is_empty() {
                li.source = Some(src);
                r = format!("{}{}", &r[..m.start()], &r[m.end()..]);
            }
        }
    }
    let mut t = tidy_phrase(&r);
    if let Some(rest) = t.strip_prefix("かつ") {
        li.conj = true;
        t = tidy_phrase(rest);
    }
    if let Some(re) = rx(&FILLER) {
        loop {
            let next = re.replace(&t, "").into_owned();
            if next == t {
                break;
            }
            t = tidy_phrase(&next);
        }
    }
    let mut t = strip_particles(&crate::text::collapse_ws(&t));
    if let Some(rest) = t.strip_suffix("全員") {
        li.notes.push("全員".to_string());
        t = strip_particles(rest);
    }
    li.residue = t;
    li
}

/// Context of one sentence being read.
struct Ctx<'a> {
    text: &'a str,
    label: Option<String>,
    context: Option<FiscalYear>,
}

fn figure_of(q: &Quantity, label: Option<String>, years: Option<FiscalYears>) -> Figure {
    Figure {
        label,
        source: None,
        fiscal_year: years,
        as_of: None,
        value: q.value,
        value_text: q.value_text.clone(),
        unit: q.unit,
        unit_text: q.unit_text.clone(),
    }
}

fn blank_target(ctx: &Ctx<'_>, segment: &str, kind: TargetKind) -> Target {
    Target {
        text: ctx.text.to_string(),
        segment: segment.trim().to_string(),
        label: ctx.label.clone(),
        kind,
        indicator: None,
        heading: None,
        fiscal_year: None,
        value: None,
        value_text: None,
        unit: None,
        unit_text: None,
        comparator: Comparator::Equal,
        direction: None,
        direction_basis: DirectionBasis::None,
        cumulative: false,
        baselines: Vec::new(),
        relative: None,
        parts: Vec::new(),
        milestone: None,
        pending: None,
        notes: Vec::new(),
    }
}

fn set_later(s: &str, years: Option<FiscalYears>) -> Option<Pending> {
    let m = rx(&SET_LATER)?.find(s)?;
    Some(Pending {
        years,
        based_on: None,
        as_written: m.as_str().to_string(),
    })
}

/// Figures in a parenthesis or a 参考 note, as baselines.
fn figures_in(s: &str, context: Option<FiscalYear>) -> Vec<Figure> {
    let anchors = scan(s, Mode::Actual);
    let mut out = Vec::new();
    let mut prev = 0usize;
    let mut last_years: Option<FiscalYears> = None;
    for a in anchors {
        let lead = sub(s, prev, a.start);
        prev = a.end;
        let AnchorKind::Figure(q) = &a.kind else {
            continue;
        };
        if matches!(a.follow, Follow::Change(_)) {
            continue;
        }
        let li = analyze_lead_in(lead, context, true);
        if li.years.is_some() {
            last_years = li.years.clone();
        }
        let mut f = figure_of(
            q,
            (!li.residue.is_empty()).then(|| li.residue.clone()),
            li.years.clone().or_else(|| last_years.clone()),
        );
        f.source = li.source.clone();
        f.as_of = li.as_of.clone();
        out.push(f);
    }
    out
}

/// Generic base names that do not name an indicator.
fn generic_name(s: &str) -> bool {
    matches!(
        s,
        "" | "実績" | "実績値" | "件数" | "値" | "数値" | "の実績" | "結果" | "水準"
    )
}

/// What is written in parentheses attached to a target.
fn apply_attached(t: &mut Target, a: &Anchor, own_indicator: bool, context: Option<FiscalYear>) {
    for inner in &a.attached {
        if let Some(p) = set_later(inner, t.fiscal_year.clone()) {
            t.pending = Some(p);
            continue;
        }
        let figs = figures_in(inner, context);
        if !figs.is_empty() {
            t.baselines.extend(figs);
            continue;
        }
        let ys = find_years(inner, context);
        if let Some(y) = ys.iter().find_map(|h| h.years.clone()) {
            let mut rs: Vec<(usize, usize)> = ys.iter().map(|h| (h.start, h.end)).collect();
            if is_blank(&remove_ranges(inner, &mut rs)) {
                if t.fiscal_year.is_none() {
                    t.fiscal_year = Some(y);
                }
                continue;
            }
        }
        let short = inner.chars().count() <= 12;
        match (&mut t.indicator, short && own_indicator) {
            (Some(ind), true) => {
                ind.push('(');
                ind.push_str(inner);
                ind.push(')');
            }
            _ => t.notes.push(format!("({inner})")),
        }
    }
}

fn relative_of(
    r: &RelFound,
    context: Option<FiscalYear>,
    anchor_text: &str,
) -> (Relative, Option<String>) {
    let mut base_year = None;
    let mut prev = false;
    if let Some(by) = &r.by {
        if by == "前年度" {
            prev = true;
        } else {
            base_year = read_years(by, context);
        }
    }
    // "平成28年度全市平均収納率との乖離": the base year is written inside the name.
    let mut name = r.bname.clone().unwrap_or_default();
    let hits = find_years(&name, context);
    if let Some(y) = hits.iter().find_map(|h| h.years.clone()) {
        if base_year.is_none() && !prev {
            base_year = Some(y);
        }
        let mut rs: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
        name = remove_ranges(&name, &mut rs);
    }
    if base_year.is_none() && !prev && name.contains("前年度") {
        prev = true;
        name = name.replacen("前年度", "", 1);
    }
    let name = strip_particles(&name);
    let op = match r.kind {
        RelKind::Percent { pct, points } => match (r.direction, points) {
            (Some(Direction::LowerIsBetter), false) => RelativeOp::DecreasePercent { percent: pct },
            (Some(Direction::LowerIsBetter), true) => RelativeOp::DecreasePoints { points: pct },
            (_, false) => RelativeOp::IncreasePercent { percent: pct },
            (_, true) => RelativeOp::IncreasePoints { points: pct },
        },
        RelKind::Halve => RelativeOp::Halve,
        RelKind::AtLeastBase => RelativeOp::AtLeastBase,
        RelKind::AtMostBase => RelativeOp::AtMostBase,
        RelKind::Maintain => RelativeOp::Maintain,
    };
    let base = r
        .base
        .as_ref()
        .map(|q| figure_of(q, None, base_year.clone()));
    let stated = r.stated.as_ref().map(|q| figure_of(q, None, None));
    let specific = (!generic_name(&name)).then(|| name.clone());
    (
        Relative {
            op,
            base_year,
            base_is_previous_year: prev,
            base_label: (!name.is_empty()).then_some(name),
            base,
            stated_result: stated,
            as_written: anchor_text.to_string(),
        },
        specific,
    )
}

/// A clause with no figure: pending, milestone or free text.
fn clause_without_figure(
    ctx: &Ctx<'_>,
    clause: &str,
    heading: Option<&str>,
    years: Option<FiscalYears>,
    marker: &str,
) -> Option<Target> {
    let c = tidy_phrase(clause);
    if is_blank(&c) || rx(&VERB_TAIL).is_some_and(|re| re.is_match(&c)) {
        return None;
    }
    let segment = if marker.is_empty() {
        c.clone()
    } else {
        format!("{marker} {c}")
    };
    if let Some(p) = set_later(&c, years.clone()) {
        let mut t = blank_target(ctx, &segment, TargetKind::Pending);
        t.fiscal_year = years;
        t.indicator = heading.map(str::to_string);
        t.pending = Some(p);
        return Some(t);
    }
    let dangling = c.contains("以上を") || c.starts_with("以上") || c.contains(")以上");
    let own_years = read_years(&c, ctx.context);
    if !dangling && rx(&MILESTONE_END).is_some_and(|re| re.is_match(&c)) {
        let mut t = blank_target(ctx, &segment, TargetKind::Milestone);
        let action = c.trim_end_matches(['。', ' ']).to_string();
        t.milestone = Some(strip_years_front(&action, ctx.context));
        t.indicator = heading.map(str::to_string);
        t.fiscal_year = own_years.or(years);
        return Some(t);
    }
    let mut t = blank_target(ctx, &segment, TargetKind::FreeText);
    t.fiscal_year = own_years.or(years);
    t.indicator = heading.map(str::to_string);
    if dangling {
        t.notes.push(
            "比較の基準となる記号・数値が欠落している可能性があります (a mark or figure seems lost)"
                .to_string(),
        );
    }
    Some(t)
}

fn strip_years_front(s: &str, context: Option<FiscalYear>) -> String {
    let hits = find_years(s, context);
    match hits.first() {
        Some(h) if h.start == 0 => tidy_phrase(from(s, h.end)),
        _ => s.to_string(),
    }
}

/// Reads one section body (the text under one 【平成29年度】 marker, or a whole sentence).
fn read_section(
    ctx: &Ctx<'_>,
    heading: Option<&str>,
    sec_years: Option<FiscalYears>,
    marker: &str,
    body: &str,
    out: &mut Vec<Target>,
) {
    let anchors = scan(body, Mode::Target);
    let first = out.len();
    let mut prev_end = 0usize;
    let mut last_ind: Option<String> = None;
    let mut last_own = false;
    let mut pending_base: Vec<Figure> = Vec::new();
    let seg = |clause: &str| -> String {
        let c = clause.trim();
        if marker.is_empty() {
            c.to_string()
        } else {
            format!("{marker} {c}")
        }
    };
    for a in &anchors {
        let lead_full = sub(body, prev_end, a.start);
        prev_end = a.end;
        // Text up to a sentence end or a milestone clause belongs to earlier clauses.
        let mut cut = lead_full.rfind('。').map(|i| i + '。'.len_utf8());
        if let Some(re) = rx(&MILESTONE_SPLIT) {
            if let Some(m) = re.find_iter(lead_full).last() {
                if cut.is_none_or(|c| m.end() > c) {
                    cut = Some(m.end());
                }
            }
        }
        let (pre, lead) = match cut {
            Some(i) => (sub(lead_full, 0, i), from(lead_full, i)),
            None => ("", lead_full),
        };
        if let Some(t) = clause_without_figure(ctx, pre, heading, sec_years.clone(), marker) {
            out.push(t);
        }
        let li = analyze_lead(lead, ctx.context);
        let clause_text = format!("{}{}", lead, a.text);
        let own = !li.residue.is_empty();
        let inherited = last_ind.clone().or_else(|| heading.map(str::to_string));
        let (indicator, head) = if own {
            (Some(li.residue.clone()), heading.map(str::to_string))
        } else {
            (inherited, None)
        };
        match &a.kind {
            AnchorKind::Figure(q) => {
                let baseline = (li.jisseki && !li.mokuhyo)
                    || (a.depth > 0
                        && !a.set_marker
                        && a.comparator.is_none()
                        && (li.years.is_some() || li.source.is_some()));
                if baseline {
                    let mut f = figure_of(q, None, li.years.clone());
                    f.source = li.source.clone();
                    if own {
                        last_ind = Some(li.residue.clone());
                        last_own = true;
                    }
                    let attach_prev = !own && out.len() > first;
                    match out.last_mut() {
                        Some(t) if attach_prev => t.baselines.push(f),
                        _ => pending_base.push(f),
                    }
                    continue;
                }
                let mut t = blank_target(ctx, &seg(&clause_text), TargetKind::Absolute);
                t.indicator = indicator.clone();
                t.heading = head.clone();
                t.fiscal_year = li.years.clone().or_else(|| sec_years.clone());
                t.value = Some(q.value);
                t.value_text = Some(q.value_text.clone());
                t.unit = Some(q.unit);
                t.unit_text = Some(q.unit_text.clone());
                t.comparator = a.comparator.unwrap_or(Comparator::Equal);
                t.cumulative = li.cumulative;
                t.baselines.append(&mut pending_base);
                t.notes.extend(li.notes.iter().cloned());
                apply_attached(&mut t, a, own || last_own, ctx.context);
                if own {
                    last_ind = t.indicator.clone();
                    last_own = true;
                }
                push_or_merge(out, first, t, li.conj);
            }
            AnchorKind::Relative(r) => {
                let (rel, specific) = relative_of(r, ctx.context, &a.text);
                let mut t = blank_target(ctx, &seg(&clause_text), TargetKind::Relative);
                let (ind, head) = match (&specific, own, a.depth > 0) {
                    (Some(s), true, true) => {
                        t.notes.push(li.residue.clone());
                        (Some(s.clone()), None)
                    }
                    (_, true, _) => (indicator.clone(), head.clone()),
                    (Some(s), false, _) if heading.is_none() && last_ind.is_none() => {
                        (Some(s.clone()), None)
                    }
                    _ => (indicator.clone(), None),
                };
                t.indicator = ind;
                t.heading = head;
                t.fiscal_year = li.years.clone().or_else(|| sec_years.clone());
                t.comparator = match rel.op {
                    RelativeOp::AtLeastBase => Comparator::AtLeast,
                    RelativeOp::AtMostBase => Comparator::AtMost,
                    RelativeOp::Maintain => Comparator::Maintain,
                    _ => a.comparator.unwrap_or(Comparator::Equal),
                };
                let unit_src = rel.base.as_ref().or(rel.stated_result.as_ref());
                if let Some(f) = unit_src {
                    t.unit = Some(f.unit);
                    t.unit_text = Some(f.unit_text.clone());
                }
                t.relative = Some(rel);
                t.baselines.append(&mut pending_base);
                apply_attached(&mut t, a, own, ctx.context);
                if own {
                    last_ind = t.indicator.clone();
                    last_own = true;
                }
                push_or_merge(out, first, t, li.conj);
            }
            AnchorKind::FromTo {
                by,
                bname,
                base,
                target,
                direction,
            } => {
                let mut t = blank_target(ctx, &seg(&clause_text), TargetKind::Absolute);
                t.indicator = indicator.clone();
                t.heading = head.clone();
                t.fiscal_year = li.years.clone().or_else(|| sec_years.clone());
                t.value = Some(target.value);
                t.value_text = Some(target.value_text.clone());
                t.unit = Some(target.unit);
                t.unit_text = Some(target.unit_text.clone());
                t.direction = Some(*direction);
                t.direction_basis = DirectionBasis::Verb;
                let by_years = by.as_deref().and_then(|b| read_years(b, ctx.context));
                let label = bname
                    .as_deref()
                    .map(strip_particles)
                    .filter(|s| !s.is_empty());
                t.baselines.append(&mut pending_base);
                t.baselines.push(figure_of(base, label, by_years));
                apply_attached(&mut t, a, own, ctx.context);
                if own {
                    last_ind = t.indicator.clone();
                    last_own = true;
                }
                push_or_merge(out, first, t, li.conj);
            }
            AnchorKind::Done { .. } => {}
        }
    }
    // What follows the last anchor.
    let mut trailing = from(body, prev_end).to_string();
    if out.len() > first {
        if let Some(c) = rx(&TRAILING_INDICATOR).and_then(|re| re.captures(&trailing)) {
            if let (Some(m), Some(noun)) = (c.get(0), c.name("noun")) {
                let matched = sub(&trailing, 0, m.end()).to_string();
                let rest = from(&trailing, m.end()).to_string();
                if let Some(t) = out.get_mut(first..).and_then(|s| s.last_mut()) {
                    if !last_own {
                        t.indicator = Some(noun.as_str().to_string());
                    }
                    // Keep the verb ("の向上") for direction inference.
                    t.segment.push_str(&matched);
                }
                trailing = rest;
            }
        }
    }
    if !pending_base.is_empty() {
        if let Some(t) = out.get_mut(first..).and_then(|s| s.last_mut()) {
            t.baselines.append(&mut pending_base);
        }
    }
    if let Some(mut t) = clause_without_figure(ctx, &trailing, heading, sec_years.clone(), marker) {
        // An unlabelled clause after a labelled target ("…60% 地域活動協議会からの推薦を
        // 受けた区政会議の委員を選定する。", the ② lost) does not share its label.
        if marker.is_empty() && out.len() > first {
            t.label = None;
        }
        out.push(t);
    }
    // Leftover baselines without any target in the section.
    if !pending_base.is_empty() {
        let mut t = blank_target(ctx, body, TargetKind::FreeText);
        t.baselines = pending_base;
        t.indicator = last_ind;
        out.push(t);
    }
}

fn push_or_merge(out: &mut Vec<Target>, first: usize, t: Target, conj: bool) {
    if conj && out.len() > first {
        if let Some(prev) = out.pop() {
            let mut compound = if prev.kind == TargetKind::Compound {
                prev
            } else {
                let mut c = prev.clone();
                c.kind = TargetKind::Compound;
                c.indicator = prev.heading.clone().or_else(|| prev.indicator.clone());
                c.heading = None;
                c.value = None;
                c.value_text = None;
                c.unit = None;
                c.unit_text = None;
                c.comparator = Comparator::Equal;
                c.cumulative = false;
                c.baselines = Vec::new();
                c.relative = None;
                c.notes = Vec::new();
                c.parts = vec![prev];
                c
            };
            let tail = match t.segment.find("】 ") {
                Some(i) if t.segment.starts_with('【') => t
                    .segment
                    .get(i + "】 ".len()..)
                    .unwrap_or_default()
                    .to_string(),
                _ => t.segment.clone(),
            };
            compound.segment = format!("{} {}", compound.segment, tail);
            compound.parts.push(t);
            out.push(compound);
            return;
        }
    }
    out.push(t);
}

const LOWER_VERBS: [&str; 10] = [
    "削減",
    "半減",
    "減少",
    "抑制",
    "縮減",
    "圧縮",
    "低減",
    "に減",
    "減らす",
    "根絶",
];
const HIGHER_VERBS: [&str; 7] = ["向上", "増加", "増額", "拡大", "に増", "増やす", "アップ"];
const LOWER_WORDS: [&str; 15] = [
    "不祥事",
    "事故",
    "不適切",
    "違反",
    "苦情",
    "滞納",
    "未収",
    "待ち時間",
    "乖離",
    "漏えい",
    "ミス",
    "誤り",
    "事件",
    "犯罪",
    "待機",
];
/// Indicator words that settle the direction even next to a "lower" word
/// (滞納繰越分収納率 is a collection rate).
const STRONG_HIGHER_WORDS: [&str; 9] = [
    "収納率",
    "回答率",
    "受検率",
    "受験率",
    "出席率",
    "満足",
    "理解度",
    "認知度",
    "参加率",
];
const HIGHER_WORDS: [&str; 15] = [
    "割合",
    "率",
    "収入",
    "財源",
    "満足",
    "理解度",
    "件数",
    "回数",
    "人数",
    "格付",
    "登録",
    "参加",
    "収納",
    "評価",
    "活用",
];

/// Infers the direction of a target (and its parts).
pub(crate) fn infer_direction(t: &mut Target) {
    for p in &mut t.parts {
        infer_direction(p);
    }
    if t.direction.is_some() {
        return;
    }
    if let Some(d) = t.comparator.direction() {
        t.direction = Some(d);
        t.direction_basis = DirectionBasis::Comparator;
        return;
    }
    if let Some(r) = &t.relative {
        let d = match r.op {
            RelativeOp::DecreasePercent { .. }
            | RelativeOp::DecreasePoints { .. }
            | RelativeOp::Halve
            | RelativeOp::AtMostBase => Some(Direction::LowerIsBetter),
            RelativeOp::IncreasePercent { .. }
            | RelativeOp::IncreasePoints { .. }
            | RelativeOp::AtLeastBase => Some(Direction::HigherIsBetter),
            RelativeOp::Maintain => None,
        };
        if let Some(d) = d {
            t.direction = Some(d);
            t.direction_basis = DirectionBasis::Relative;
            return;
        }
    }
    let seg = &t.segment;
    if LOWER_VERBS.iter().any(|w| seg.contains(w)) {
        t.direction = Some(Direction::LowerIsBetter);
        t.direction_basis = DirectionBasis::Verb;
        return;
    }
    if HIGHER_VERBS.iter().any(|w| seg.contains(w)) {
        t.direction = Some(Direction::HigherIsBetter);
        t.direction_basis = DirectionBasis::Verb;
        return;
    }
    let ind = format!(
        "{}{}",
        t.indicator.as_deref().unwrap_or_default(),
        t.heading.as_deref().unwrap_or_default()
    );
    if STRONG_HIGHER_WORDS.iter().any(|w| ind.contains(w)) {
        t.direction = Some(Direction::HigherIsBetter);
        t.direction_basis = DirectionBasis::IndicatorWords;
        return;
    }
    if LOWER_WORDS.iter().any(|w| ind.contains(w)) {
        t.direction = Some(Direction::LowerIsBetter);
        t.direction_basis = DirectionBasis::IndicatorWords;
        return;
    }
    if HIGHER_WORDS.iter().any(|w| ind.contains(w)) {
        t.direction = Some(Direction::HigherIsBetter);
        t.direction_basis = DirectionBasis::IndicatorWords;
        return;
    }
    if let (Some(v), Some(u)) = (t.value, t.unit) {
        if let Some(b) = t.baselines.iter().find(|b| b.unit == u) {
            if v > b.value {
                t.direction = Some(Direction::HigherIsBetter);
                t.direction_basis = DirectionBasis::Baseline;
            } else if v < b.value {
                t.direction = Some(Direction::LowerIsBetter);
                t.direction_basis = DirectionBasis::Baseline;
            }
        }
    }
}

/// Reads one target sentence into its targets.
///
/// A sentence can hold several targets: one per fiscal year (【平成29年度】 ・30%
/// 【平成30年度】 …), one per figure ("現年度分目標収納率 88.80% 滞納繰越分目標収納率
/// 25.07%"), plus pending notes. Anything not understood becomes a `FreeText` target; the
/// result is never empty for a non-blank sentence. `context` is the document's fiscal
/// year, used for years written without an era ("29年度").
pub fn read_targets(sentence: &str, context: Option<FiscalYear>) -> Vec<Target> {
    let n = normalize(sentence);
    if is_blank(&n) {
        return Vec::new();
    }
    let (label, rest) = take_label(&n);
    let ctx = Ctx {
        text: sentence,
        label,
        context,
    };
    let mut body = rest;
    for h in ["(目標)", "目標:"] {
        if let Some(r) = body.trim_start().strip_prefix(h) {
            body = r.trim().to_string();
        }
    }
    let mut notes: Vec<String> = Vec::new();
    let mut pendings: Vec<Target> = Vec::new();
    // Pending notes.
    if let Some(re) = rx(&PENDING_NOTE) {
        let mut out = String::new();
        let mut pos = 0usize;
        for c in re.captures_iter(&body) {
            let Some(m) = c.get(0) else { continue };
            out.push_str(sub(&body, pos, m.start()));
            out.push('。');
            pos = m.end();
            let years = c.name("yrs").and_then(|y| {
                let hits = find_years(y.as_str(), context);
                let first = hits.first().and_then(|h| h.years.clone())?;
                let last = hits.last().and_then(|h| h.years.clone())?;
                Some(span(first.start, last.end, y.as_str(), false))
            });
            let based_on = c
                .name("basis")
                .and_then(|b| read_years(b.as_str(), context));
            let mut t = blank_target(&ctx, m.as_str(), TargetKind::Pending);
            t.fiscal_year = years.clone();
            t.pending = Some(Pending {
                years,
                based_on,
                as_written: m.as_str().trim_start_matches(['※', ' ']).to_string(),
            });
            pendings.push(t);
        }
        out.push_str(from(&body, pos));
        body = out;
    }
    // Annotations.
    if let Some(i) = body.find(" * ").or_else(|| body.find("* ")) {
        notes.push(from(&body, i).trim().to_string());
        body = sub(&body, 0, i).to_string();
    }
    if let Some(i) = body.find('※') {
        notes.push(from(&body, i).trim().to_string());
        body = sub(&body, 0, i).to_string();
    }
    let mut refs: Vec<Figure> = Vec::new();
    if let Some(i) = body.find("参考") {
        refs = figures_in(from(&body, i), context);
        if refs.is_empty() {
            notes.push(from(&body, i).trim().to_string());
        }
        body = sub(&body, 0, i).to_string();
    }
    for re in [rx(&REPOST), rx(&ANGLE_NOTE)].into_iter().flatten() {
        let found: Vec<String> = re
            .find_iter(&body)
            .map(|m| m.as_str().to_string())
            .collect();
        if !found.is_empty() {
            notes.extend(found);
            body = re.replace_all(&body, " ").into_owned();
        }
    }
    let body = crate::text::collapse_ws(&body);

    let mut out: Vec<Target> = Vec::new();
    let sections: Vec<(usize, usize, String)> = rx(&SECTION)
        .map(|re| {
            re.captures_iter(&body)
                .filter_map(|c| {
                    let m = c.get(0)?;
                    Some((m.start(), m.end(), c.name("y")?.as_str().to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    if sections.is_empty() {
        read_section(&ctx, None, None, "", &body, &mut out);
    } else {
        let head_text = sub(&body, 0, sections[0].0);
        let li = analyze_lead(head_text, context);
        let heading = (!li.residue.is_empty()).then(|| li.residue.clone());
        for (i, (s, e, y)) in sections.iter().enumerate() {
            let end = sections.get(i + 1).map_or(body.len(), |n| n.0);
            let years = read_years(y, context);
            let marker = sub(&body, *s, *e).to_string();
            read_section(
                &ctx,
                heading.as_deref(),
                years,
                &marker,
                sub(&body, *e, end),
                &mut out,
            );
        }
    }

    // "…の割合 ※30・31年度の目標は、29年度の結果を踏まえて設定" with no figure of its own:
    // the text is the indicator of the pending targets, not a target.
    if !pendings.is_empty() && out.len() == 1 && out[0].kind == TargetKind::FreeText {
        let ind = strip_particles(&out[0].segment);
        if !ind.is_empty() {
            out.clear();
            for p in &mut pendings {
                p.indicator = Some(ind.clone());
            }
        }
    }
    // Post-processing.
    let main_indicator = out
        .iter()
        .find(|t| t.kind != TargetKind::FreeText && t.indicator.is_some())
        .and_then(|t| t.heading.clone().or_else(|| t.indicator.clone()));
    for mut p in pendings {
        if p.indicator.is_none() {
            p.indicator = main_indicator.clone();
        }
        out.push(p);
    }
    let units: Vec<(Option<String>, Option<crate::types::Unit>, Option<String>)> = out
        .iter()
        .filter(|t| t.kind == TargetKind::Absolute)
        .map(|t| (t.indicator.clone(), t.unit, t.unit_text.clone()))
        .collect();
    for t in &mut out {
        if t.kind == TargetKind::Relative && t.unit.is_none() {
            let same = units
                .iter()
                .find(|(i, u, _)| *i == t.indicator && u.is_some());
            if let Some((_, u, ut)) = same {
                t.unit = *u;
                t.unit_text = ut.clone();
            }
        }
        if let (Some(r), Some(y)) = (&mut t.relative, &t.fiscal_year) {
            if r.base_is_previous_year && r.base_year.is_none() {
                r.base_year = Some(crate::years::single(
                    y.start.saturating_sub(1),
                    "前年度",
                    false,
                ));
                if let (Some(b), Some(by)) = (&mut r.base, &r.base_year) {
                    b.fiscal_year = Some(by.clone());
                }
            }
        }
        if matches!(t.kind, TargetKind::Absolute | TargetKind::Relative) {
            t.baselines.extend(refs.iter().cloned());
        }
        if t.kind != TargetKind::Pending {
            t.notes.extend(notes.iter().cloned());
        }
        infer_direction(t);
    }
    if out.is_empty() {
        let mut t = blank_target(&ctx, &body, TargetKind::FreeText);
        t.notes = notes;
        t.baselines = refs;
        infer_direction(&mut t);
        out.push(t);
    }
    out
}

/// Reads a results text (当年度の取組実績及び目標の達成状況) into its actuals.
///
/// Each figure becomes an actual with the indicator written before it; comparison
/// figures ("(28年度34件 27年度34件)", "…に比し") and change figures ("0.94ポイント増",
/// "(17%減)") attach to the actual they follow; "…を設置した" becomes a milestone actual;
/// text with no figure becomes `FreeText` actuals. Form boilerplate (":目標達成
/// 目標未達成") is ignored. `context` is the document's fiscal year.
pub fn read_actuals(text: &str, context: Option<FiscalYear>) -> Vec<Actual> {
    let mut n = normalize(text);
    if let Some(re) = rx(&BOILERPLATE) {
        n = re.replace_all(&n, " ").into_owned();
    }
    let n = crate::text::collapse_ws(&n);
    if is_blank(&n) {
        return Vec::new();
    }
    let mut out: Vec<Actual> = Vec::new();
    // Blocks under 【…】 headers.
    let mut blocks: Vec<(Option<String>, String)> = Vec::new();
    let mut pos = 0usize;
    let mut head: Option<String> = None;
    if let Some(re) = rx(&HEADER) {
        for c in re.captures_iter(&n) {
            let (Some(m), Some(h)) = (c.get(0), c.name("h")) else {
                continue;
            };
            blocks.push((head.take(), sub(&n, pos, m.start()).to_string()));
            head = Some(h.as_str().to_string());
            pos = m.end();
        }
    }
    blocks.push((head, from(&n, pos).to_string()));
    for (head, body) in blocks {
        read_actual_block(text, head.as_deref(), &body, context, &mut out);
    }
    if out.is_empty() {
        out.push(blank_actual(text, &n, ActualKind::FreeText));
    }
    out
}

fn blank_actual(text: &str, segment: &str, kind: ActualKind) -> Actual {
    Actual {
        text: text.to_string(),
        segment: segment.trim().to_string(),
        kind,
        indicator: None,
        heading: None,
        fiscal_year: None,
        as_of: None,
        interim: false,
        value: None,
        value_text: None,
        unit: None,
        unit_text: None,
        change: None,
        comparisons: Vec::new(),
        done: None,
        notes: Vec::new(),
    }
}

fn change_of(q: &Quantity, dir: Direction, written: &str) -> Change {
    let sign = if dir == Direction::LowerIsBetter {
        -1.0
    } else {
        1.0
    };
    Change {
        value: sign * q.value,
        value_text: q.value_text.clone(),
        unit: q.unit,
        unit_text: q.unit_text.clone(),
        as_written: written.to_string(),
    }
}

/// Splits a lead of a results text into (free text before, indicator part).
fn split_actual_lead(lead: &str) -> (Vec<String>, String) {
    // Hard boundaries: sentence ends and bullets (a '・' at the start or after a space;
    // "小・中学校" is not one).
    let mut bounds: Vec<(usize, usize)> = Vec::new();
    for (i, c) in lead.char_indices() {
        let boundary =
            c == '。' || (c == '・' && (i == 0 || lead.get(..i).is_some_and(|p| p.ends_with(' '))));
        if boundary {
            bounds.push((i, i + c.len_utf8()));
        }
    }
    let cut = bounds.last().map_or(0, |b| b.1);
    let mut free: Vec<String> = Vec::new();
    let mut pos = 0usize;
    for (a, b) in &bounds {
        let p = tidy_phrase(sub(lead, pos, *a));
        if !is_blank(&p) {
            free.push(p);
        }
        pos = *b;
    }
    let seg = from(lead, cut);
    // Whitespace chunks from the right: the indicator chunk, then chunks that are only
    // years or dates; whatever is left before is free text.
    let chunks: Vec<&str> = seg.split(' ').filter(|c| !c.trim().is_empty()).collect();
    let mut ind_idx: Option<usize> = None;
    for (i, c) in chunks.iter().enumerate().rev() {
        let li = analyze_lead(c, None);
        if !li.residue.is_empty() {
            ind_idx = Some(i);
            break;
        }
    }
    let Some(k) = ind_idx else {
        return (free, seg.to_string());
    };
    let mut keep_from = k;
    while keep_from > 0 {
        let c = chunks[keep_from - 1];
        let li = analyze_lead(c, None);
        if li.residue.is_empty() {
            keep_from -= 1;
        } else {
            break;
        }
    }
    let left = chunks[..keep_from].join(" ");
    let mut ind_part = chunks[keep_from..].join(" ");
    if !is_blank(&left) {
        free.push(left);
    }
    // "…に努めた結果、当月の…収納率は": the indicator starts after the clause.
    for m in ["結果、", "ところ、"] {
        if let Some(i) = ind_part.rfind(m) {
            let (a, b) = (
                sub(&ind_part, 0, i + m.len()).to_string(),
                from(&ind_part, i + m.len()).to_string(),
            );
            if !is_blank(&b) {
                free.push(tidy_phrase(&a));
                ind_part = b;
            }
        }
    }
    (free, ind_part)
}

fn read_actual_block(
    text: &str,
    head: Option<&str>,
    body: &str,
    context: Option<FiscalYear>,
    out: &mut Vec<Actual>,
) {
    let head_li = head.map(|h| analyze_lead(h, context));
    let head_years = head_li.as_ref().and_then(|l| l.years.clone());
    let head_final = head.is_some_and(|h| h.contains("最終") || h.contains("確定"));
    let heading = head_li
        .as_ref()
        .map(|l| l.residue.clone())
        .filter(|s| !s.is_empty());
    let anchors = scan(body, Mode::Actual);
    let first = out.len();
    let mut prev_end = 0usize;
    let mut last_ind: Option<String> = None;
    for a in &anchors {
        let lead_full = sub(body, prev_end, a.start);
        prev_end = a.end;
        let (free, lead) = split_actual_lead(lead_full);
        let continuation = |s: &str| {
            [
                "と",
                "で",
                "し",
                "に",
                "を",
                "が",
                "は",
                "、",
                "の",
                "ており",
            ]
            .iter()
            .any(|p| s.starts_with(p))
        };
        let mut heading_here = heading.clone();
        let li = analyze_lead(&lead, context);
        let residue = strip_frequency(&li.residue);
        let dangling_done = matches!(a.kind, AnchorKind::Done { .. }) && {
            let o = strip_particles(&residue);
            o.is_empty() || o.ends_with("以上") || o.ends_with("以下")
        };
        let mut free = free;
        // "「…格付け結果」において、 以上を獲得した": keep the context with the lost mark.
        let absorbed = if dangling_done { free.pop() } else { None };
        for f in free {
            if continuation(&f) {
                if let Some(prev) = out.get_mut(first..).and_then(|s| s.last_mut()) {
                    prev.notes.push(f);
                    continue;
                }
            }
            out.push(blank_actual(text, &f, ActualKind::FreeText));
        }
        let segment = format!("{}{}", lead.trim_start(), a.text);
        match &a.kind {
            AnchorKind::Done { verb } => {
                let obj = strip_particles(&residue);
                if dangling_done {
                    let seg = match &absorbed {
                        Some(p) => format!("{p} {segment}"),
                        None => segment.clone(),
                    };
                    let mut x = blank_actual(text, &seg, ActualKind::FreeText);
                    x.notes.push(
                        "達成水準を示す記号・数値が欠落している可能性があります (a mark or figure seems lost)"
                            .to_string(),
                    );
                    out.push(x);
                } else {
                    let mut x = blank_actual(text, &segment, ActualKind::Milestone);
                    x.done = Some(format!("{obj}を{verb}した"));
                    x.indicator = Some(obj);
                    x.fiscal_year = li.years.clone().or_else(|| head_years.clone());
                    out.push(x);
                }
            }
            AnchorKind::Figure(q) => {
                match a.follow {
                    Follow::Comparison => {
                        let mut f = figure_of(
                            q,
                            (!residue.is_empty()).then(|| residue.clone()),
                            li.years.clone(),
                        );
                        f.as_of = li.as_of.clone();
                        match out.get_mut(first..).and_then(|s| s.last_mut()) {
                            Some(prev) if prev.kind == ActualKind::Value => {
                                prev.comparisons.push(f)
                            }
                            _ => {
                                let mut x = value_actual(text, &segment, q, &li, &head_years);
                                x.indicator = f.label.clone();
                                out.push(x);
                            }
                        }
                        continue;
                    }
                    Follow::Change(d) => {
                        let ch = change_of(q, d, &a.text);
                        let attach = residue.is_empty() || continuation(lead.trim_start());
                        match out.get_mut(first..).and_then(|s| s.last_mut()) {
                            Some(prev)
                                if attach
                                    && prev.kind == ActualKind::Value
                                    && prev.change.is_none() =>
                            {
                                prev.change = Some(ch);
                            }
                            _ => {
                                let mut x = blank_actual(text, &segment, ActualKind::Change);
                                x.indicator = (!residue.is_empty())
                                    .then(|| residue.clone())
                                    .or(last_ind.clone());
                                x.fiscal_year = li.years.clone().or_else(|| head_years.clone());
                                x.change = Some(ch);
                                out.push(x);
                            }
                        }
                        continue;
                    }
                    Follow::None => {}
                }
                let mut x = value_actual(text, &segment, q, &li, &head_years);
                if residue.is_empty() {
                    x.indicator = last_ind.clone().or_else(|| heading_here.clone());
                } else {
                    x.indicator = Some(residue.clone());
                    last_ind = Some(residue.clone());
                    // A free chunk right before that names the indicator is its heading.
                    if let Some(prev) = out.get(first..).and_then(|s| s.last()) {
                        if prev.kind == ActualKind::FreeText
                            && indicator_similarity(&prev.segment, &residue) >= 0.6
                            && prev.segment.contains(residue.as_str())
                        {
                            heading_here = Some(prev.segment.clone());
                            out.pop();
                        }
                    }
                }
                x.heading = heading_here.clone();
                if head_final {
                    x.notes.push("最終実績".to_string());
                }
                for inner in &a.attached {
                    attach_actual_paren(&mut x, inner, context);
                }
                out.push(x);
            }
            _ => {}
        }
    }
    let trailing = tidy_phrase(from(body, prev_end));
    if !is_blank(&trailing) {
        let cont = ["と", "で", "し", "に", "を", "が", "は", "、", "の"]
            .iter()
            .any(|p| trailing.starts_with(p));
        match out.get_mut(first..).and_then(|s| s.last_mut()) {
            Some(prev) if cont && prev.kind != ActualKind::FreeText => prev.notes.push(trailing),
            _ => out.push(blank_actual(text, &trailing, ActualKind::FreeText)),
        }
    }
}

/// "年11回" → drop the trailing 年 of a frequency from the indicator.
fn strip_frequency(s: &str) -> String {
    for suf in ["年間", "毎月", "毎年", "年", "月"] {
        if let Some(r) = s.strip_suffix(suf) {
            if r.chars().count() >= 2 {
                return strip_particles(r);
            }
        }
    }
    s.to_string()
}

fn value_actual(
    text: &str,
    segment: &str,
    q: &Quantity,
    li: &Lead,
    head_years: &Option<FiscalYears>,
) -> Actual {
    let mut x = blank_actual(text, segment, ActualKind::Value);
    x.value = Some(q.value);
    x.value_text = Some(q.value_text.clone());
    x.unit = Some(q.unit);
    x.unit_text = Some(q.unit_text.clone());
    x.as_of = li.as_of.clone();
    x.interim = li.as_of.is_some();
    x.fiscal_year = li
        .years
        .clone()
        .or_else(|| {
            li.as_of
                .as_ref()
                .map(|d| crate::years::single(d.fiscal_year, &d.as_written, false))
        })
        .or_else(|| head_years.clone());
    x
}

fn attach_actual_paren(x: &mut Actual, inner: &str, context: Option<FiscalYear>) {
    let anchors = scan(inner, Mode::Actual);
    if anchors.is_empty() {
        // "(平成27年度格付けアンケート)": the year of the figure, and its source.
        if x.fiscal_year.is_none() {
            x.fiscal_year = read_years(inner, context);
        }
        x.notes.push(format!("({inner})"));
        return;
    }
    let mut prev = 0usize;
    let mut last_years: Option<FiscalYears> = None;
    for a in anchors {
        let lead = sub(inner, prev, a.start);
        prev = a.end;
        let AnchorKind::Figure(q) = &a.kind else {
            continue;
        };
        let li = analyze_lead_in(lead, context, true);
        if let Follow::Change(d) = a.follow {
            if x.change.is_none() {
                x.change = Some(change_of(q, d, &a.text));
            }
            continue;
        }
        if li.years.is_some() {
            last_years = li.years.clone();
        }
        let mut f = figure_of(
            q,
            (!li.residue.is_empty()).then(|| li.residue.clone()),
            li.years.clone().or_else(|| last_years.clone()),
        );
        f.as_of = li.as_of.clone();
        f.source = li.source.clone();
        if f.fiscal_year.is_none() {
            f.fiscal_year = f
                .as_of
                .as_ref()
                .map(|d| crate::years::single(d.fiscal_year, &d.as_written, false));
        }
        x.comparisons.push(f);
    }
}
