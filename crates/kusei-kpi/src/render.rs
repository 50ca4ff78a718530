//! Rendering a structured target as a canonical Japanese sentence that reads back to
//! the same structure.

use crate::judge::fmt_num;
use crate::types::{Figure, FiscalYears, RelativeOp, Target, TargetKind, Unit};

fn years(y: &FiscalYears) -> String {
    let l = crate::years::label;
    let mut s = if y.start == y.end {
        l(y.start)
    } else {
        format!("{}~{}", l(y.start), l(y.end))
    };
    if y.by_end {
        s.push_str("末までに");
    }
    s
}

fn value(
    v: Option<f64>,
    value_text: Option<&str>,
    unit: Option<Unit>,
    unit_text: Option<&str>,
) -> String {
    match unit {
        Some(Unit::Stars) => crate::judge::fmt_value(v.unwrap_or(0.0), unit, None),
        Some(u) => {
            let ut = unit_text.unwrap_or(u.symbol());
            let num = match value_text {
                Some(t) => t.to_string(),
                None => {
                    let f = Unit::parse(ut).map_or(1.0, |(_, f)| f);
                    fmt_num(v.unwrap_or(0.0) / f)
                }
            };
            format!("{num}{ut}")
        }
        None => value_text.map_or_else(|| fmt_num(v.unwrap_or(0.0)), str::to_string),
    }
}

fn figure(f: &Figure) -> String {
    value(
        Some(f.value),
        Some(f.value_text.as_str()),
        Some(f.unit),
        Some(f.unit_text.as_str()),
    )
}

fn baseline(f: &Figure) -> String {
    let mut s = String::from("(");
    if let Some(src) = &f.source {
        s.push_str(src);
        s.push(':');
    }
    if let Some(y) = &f.fiscal_year {
        s.push_str(&years(y));
        s.push_str("実績 ");
    } else {
        s.push_str("実績 ");
    }
    s.push_str(&figure(f));
    s.push(')');
    s
}

fn body(t: &Target, with_indicator: bool) -> String {
    let mut s = String::new();
    let ind = t.indicator.as_deref().unwrap_or_default();
    match t.kind {
        TargetKind::FreeText => return t.text.clone(),
        TargetKind::Milestone => {
            if let Some(y) = &t.fiscal_year {
                s.push_str(&years(y));
                s.push(' ');
            }
            s.push_str(t.milestone.as_deref().unwrap_or_default());
            return s;
        }
        TargetKind::Pending => {
            if with_indicator && !ind.is_empty() {
                s.push_str(ind);
                s.push(' ');
            }
            let p = t.pending.as_ref();
            let ys = p.and_then(|p| p.years.as_ref()).or(t.fiscal_year.as_ref());
            let basis = p.and_then(|p| p.based_on.as_ref());
            match (ys, basis) {
                (Some(y), Some(b)) => s.push_str(&format!(
                    "※{}の目標は、{}の結果を踏まえて設定",
                    years(y),
                    years(b)
                )),
                (Some(y), None) => {
                    s.push_str(&format!("【{}】 {}運営方針で設定", years(y), years(y)))
                }
                _ => s.push_str(p.map_or("", |p| p.as_written.as_str())),
            }
            return s;
        }
        TargetKind::Compound => {
            if with_indicator && !ind.is_empty() {
                s.push_str(ind);
                s.push(' ');
            }
            if let Some(y) = &t.fiscal_year {
                s.push_str(&format!("【{}】 ", years(y)));
            }
            let parts: Vec<String> = t
                .parts
                .iter()
                .map(|p| {
                    let mut q = p.clone();
                    q.fiscal_year = None;
                    body(&q, true)
                })
                .collect();
            s.push_str(&parts.join(" かつ "));
            return s;
        }
        TargetKind::Absolute | TargetKind::Relative => {}
    }
    if with_indicator && !ind.is_empty() {
        s.push_str(ind);
        s.push(' ');
    }
    if let Some(y) = &t.fiscal_year {
        s.push_str(&years(y));
        if t.cumulative {
            s.push_str(&format!("の{}年間で", y.len()));
        }
        s.push(' ');
    }
    if t.kind == TargetKind::Relative {
        if let Some(r) = &t.relative {
            let by = match (&r.base_year, r.base_is_previous_year) {
                (_, true) => "前年度".to_string(),
                (Some(y), false) => years(y),
                (None, false) => "前年度".to_string(),
            };
            let base = r.base.as_ref().map(figure);
            let stated = r
                .stated_result
                .as_ref()
                .map(|f| format!("({})", figure(f)))
                .unwrap_or_default();
            let rel = match (r.op, base) {
                (RelativeOp::DecreasePercent { percent }, Some(b)) => {
                    format!("{by}件数({b})から{}%減{stated}", fmt_num(percent))
                }
                (RelativeOp::IncreasePercent { percent }, Some(b)) => {
                    format!("{by}件数({b})から{}%増{stated}", fmt_num(percent))
                }
                (RelativeOp::DecreasePercent { percent }, None) => {
                    format!("{by}実績値に比べて{}%減", fmt_num(percent))
                }
                (RelativeOp::IncreasePercent { percent }, None) => {
                    format!("{by}実績値に比べて{}%増", fmt_num(percent))
                }
                (RelativeOp::DecreasePoints { points }, _) => {
                    format!("{by}実績値に比べて{}ポイント減", fmt_num(points))
                }
                (RelativeOp::IncreasePoints { points }, _) => {
                    format!("{by}実績値に比べて{}ポイント増", fmt_num(points))
                }
                (RelativeOp::Halve, Some(b)) => format!("{by}の実績({b})の半減{stated}"),
                (RelativeOp::Halve, None) => format!("{by}より半減"),
                (RelativeOp::AtLeastBase, _) => "前年度以上".to_string(),
                (RelativeOp::AtMostBase, _) => "前年度以下".to_string(),
                (RelativeOp::Maintain, _) => format!("{by}実績を維持"),
            };
            s.push_str(&rel);
        }
    } else {
        s.push_str(&value(
            t.value,
            t.value_text.as_deref(),
            t.unit,
            t.unit_text.as_deref(),
        ));
        s.push_str(t.comparator.label_ja());
    }
    for b in &t.baselines {
        s.push_str(&baseline(b));
    }
    s
}

/// Renders a target as a canonical Japanese sentence:
/// "①区民の割合 平成29年度 70%以上(平成28年度実績 64%)",
/// "不適切な事務処理事案の件数 平成29年度 平成28年度件数(6件)から10%減(5件)",
/// "CB/SB起業件数 平成29年度~平成31年度の3年間で6件",
/// "地域を担当する職員の受検率及び理解度 【平成29年度】 受検率 100% かつ 理解度 95点以上".
/// Free text renders as written. `read_targets` reads the sentence back to the same
/// structure (see the property tests).
pub fn render(target: &Target) -> String {
    let mut s = String::new();
    if let Some(l) = &target.label {
        s.push_str(l);
        if l.starts_with('-') || l.starts_with('(') {
            s.push(' ');
        }
    }
    s.push_str(&body(target, true));
    s
}
