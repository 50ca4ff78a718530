//! From a parsed document to a plan the store can keep ([`PlanContent`]). Pure: the
//! caller decides the unit and, when the document does not say, the period.

use crate::model::{self, Family, ParsedDocument, Prospect};
use kusei_domain::calendar::Date;
use kusei_domain::calendar::{FiscalYear, YearMonth};
use kusei_domain::content::{LinkContent, NodeContent, PlanContent};
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_domain::model::{
    Actual, Comparator, Evaluation, LinkKind, Milestone, Period, Phase, Review, Section, Target,
    When,
};
use std::collections::HashMap;

/// Why a parsed document cannot become a plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("the document's form was not recognised, so there is no plan to store")]
    UnknownFamily,
    #[error("no plan items were read from the document")]
    NoNodes,
    #[error("fiscal year {0} is out of the supported range")]
    Year(i32),
}

fn fy(year: i32) -> Result<FiscalYear, ConvertError> {
    FiscalYear::new(year).map_err(|_| ConvertError::Year(year))
}

/// The period the document states (its span, else its fiscal year), if any.
pub fn document_period(doc: &ParsedDocument) -> Option<Period> {
    if let Some(p) = &doc.period {
        if let (Ok(a), Ok(b)) = (FiscalYear::new(p.from), FiscalYear::new(p.to)) {
            return Some(Period::span(a, b));
        }
    }
    doc.fiscal_year
        .as_ref()
        .and_then(|f| FiscalYear::new(f.year).ok())
        .map(Period::year)
}

fn domain_family(f: Family) -> Option<kusei_domain::model::Family> {
    kusei_domain::model::Family::from_code(f.as_str())
}

fn implementation(p: Prospect) -> Option<ImplementationProspect> {
    match p {
        Prospect::Expected => Some(ImplementationProspect::Expected),
        Prospect::NotExpected => Some(ImplementationProspect::NotExpected),
        Prospect::Unknown => None,
    }
}

fn achievement(p: Prospect) -> Option<AchievementProspect> {
    match p {
        Prospect::Expected => Some(AchievementProspect::OnTrack),
        Prospect::NotExpected => Some(AchievementProspect::OffTrack),
        Prospect::Unknown => None,
    }
}

fn when(r: &model::YearMonthRef) -> Result<When, ConvertError> {
    Ok(match r.month {
        Some(m) => When::Month(YearMonth {
            year: r.year,
            month: u8::try_from(m).unwrap_or(1),
        }),
        None => When::FiscalYear(fy(r.year)?),
    })
}

fn nonblank(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The heading a stored section gets: the column/group and the label, as written.
fn section_heading(s: &model::Section) -> String {
    match (&s.group, &s.heading) {
        (Some(g), Some(h)) if g != h => format!("{g} ／ {h}"),
        (_, Some(h)) => h.clone(),
        (Some(g), None) => g.clone(),
        (None, None) => "本文".to_string(),
    }
}

/// The column of the 取組項目 form that holds this year's targets.
const THIS_YEAR_GROUP: &str = "当年度";

/// Whether a target was written in the form's 当年度 column.
fn this_year(n: &model::Node, t: &model::Target) -> bool {
    t.section_index
        .and_then(|i| n.sections.get(i))
        .and_then(|s| s.group.as_deref())
        .is_some_and(|g| g.contains(THIS_YEAR_GROUP))
}

/// The figures of an evaluation's results text, as actuals of its year: each with its value
/// (in the base unit, as targets are), the unit as written, the as-of date of an interim
/// figure, and the part of the text it was read from. Text without a figure is no actual.
fn results_actuals(e: &Evaluation) -> Vec<Actual> {
    kusei_kpi::read_actuals(&e.results, Some(e.fiscal_year))
        .into_iter()
        .filter(|a| a.value.is_some())
        .map(|a| Actual {
            indicator_id: None,
            fiscal_year: a
                .fiscal_year
                .as_ref()
                .and_then(|y| FiscalYear::new(y.end).ok())
                .or(Some(e.fiscal_year)),
            value: a.value,
            measure_unit: a.unit_text.clone().filter(|u| !u.is_empty()),
            as_of: a.as_of.as_ref().and_then(|d| {
                Date::new(
                    d.year,
                    u8::try_from(d.month).ok()?,
                    u8::try_from(d.day).ok()?,
                )
                .ok()
            }),
            text: a.segment.clone(),
        })
        .collect()
}

/// The comparator a target means: as written (以上, 以下, 未満 …), else — a figure with
/// none written ("85.80%") — met at or above it when the indicator should rise, at or
/// below when it should fall. A figure whose direction was not read stays `equal`.
fn meant_comparator(t: &model::Target) -> Option<Comparator> {
    let written = t.comparator.as_deref().and_then(Comparator::from_code);
    if t.value.is_none() || !matches!(written, None | Some(Comparator::Equal)) {
        return written;
    }
    let absolute = t.reading.as_ref().is_some_and(|r| r.kind == "absolute");
    match t.reading.as_ref().map(|r| r.direction.as_str()) {
        Some("higher") if absolute => Some(Comparator::AtLeast),
        Some("lower") if absolute => Some(Comparator::AtMost),
        _ => written,
    }
}

pub(crate) fn node_content(n: &model::Node, period: Period) -> Result<NodeContent, ConvertError> {
    let year = period.end;
    let mut sections: Vec<Section> = n
        .sections
        .iter()
        .map(|s| Section {
            phase: Phase::Plan,
            heading: section_heading(s),
            body: s.text.clone(),
        })
        .collect();
    if !n.references.is_empty() {
        sections.push(Section {
            phase: Phase::Plan,
            heading: "参照（再掲）".into(),
            body: n
                .references
                .iter()
                .map(|r| r.text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }
    let mut reviews = Vec::new();
    if let Some(r) = &n.review {
        let review = Review {
            fiscal_year: year,
            implementation: implementation(r.implementation),
            achievement: achievement(r.achievement),
            remedy: nonblank(&r.remedy),
        };
        if review.implementation.is_some()
            || review.achievement.is_some()
            || review.remedy.is_some()
        {
            reviews.push(review);
        }
    }
    let mut evaluations = Vec::new();
    if let Some(e) = &n.evaluation {
        let results = nonblank(&e.results);
        let remedy = nonblank(&e.remedy);
        let stated = e.stated_judgment;
        // A blank form (plan-stage document) is not an evaluation.
        if results.is_some() || remedy.is_some() || stated != Judgment::Unknown {
            evaluations.push(Evaluation {
                fiscal_year: year,
                results: results.unwrap_or_default(),
                stated,
                remedy,
                explanation: None,
            });
        }
    }
    let targets = n
        .targets
        .iter()
        .map(|t| {
            Ok(Target {
                indicator_id: None,
                period: match (
                    t.reading.as_ref().and_then(|r| r.fiscal_year_start),
                    t.reading.as_ref().and_then(|r| r.fiscal_year_end),
                ) {
                    (Some(a), Some(b)) => Some(Period::span(fy(a)?, fy(b)?)),
                    _ => match t.fiscal_year.as_ref() {
                        Some(f) => Some(Period::year(fy(f.year)?)),
                        // 当年度の取組内容 (目標): this year's target, whose year the form
                        // does not write.
                        None if this_year(n, t) => Some(Period::year(year)),
                        None => None,
                    },
                },
                value: t.value,
                measure_unit: t.unit.clone(),
                comparator: meant_comparator(t),
                text: t.text.clone(),
                indicator_name: t.indicator.clone().filter(|i| !t.text.contains(i.as_str())),
                this_year: this_year(n, t),
            })
        })
        .collect::<Result<Vec<_>, ConvertError>>()?;
    let milestones = n
        .milestones
        .iter()
        .map(|m| {
            let (from, to, open_ended) = match &m.date {
                Some(d) => (
                    Some(when(&d.from)?),
                    d.to.as_ref().map(when).transpose()?,
                    d.open_ended,
                ),
                None => (None, None, false),
            };
            Ok(Milestone {
                from,
                to,
                open_ended,
                text: m.text.clone(),
            })
        })
        .collect::<Result<Vec<_>, ConvertError>>()?;
    Ok(NodeContent {
        level: n.level.clone(),
        number: n.number.clone(),
        title: if n.title.trim().is_empty() {
            format!("（{}）", n.level)
        } else {
            n.title.clone()
        },
        subtitle: n.subtitle.clone(),
        marks: n.marks.clone(),
        owner: None,
        sections,
        targets,
        actuals: evaluations.iter().flat_map(results_actuals).collect(),
        reviews,
        evaluations,
        milestones,
        source_line: u32::try_from(n.line).ok(),
    })
}

/// Builds the plan of a parsed document for `period`. `parent_ids[0]` is the primary
/// parent; every further parent is a 再掲 listing of the same node.
pub fn plan_content(doc: &ParsedDocument, period: Period) -> Result<PlanContent, ConvertError> {
    let family = domain_family(doc.family).ok_or(ConvertError::UnknownFamily)?;
    if doc.nodes.is_empty() {
        return Err(ConvertError::NoNodes);
    }
    let index: HashMap<&str, usize> = doc
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let nodes = doc
        .nodes
        .iter()
        .map(|n| node_content(n, period))
        .collect::<Result<Vec<_>, _>>()?;
    let mut links = Vec::new();
    for (child, n) in doc.nodes.iter().enumerate() {
        let mut seen = Vec::new();
        for pid in &n.parent_ids {
            let Some(&parent) = index.get(pid.as_str()) else {
                continue;
            };
            if parent == child || seen.contains(&parent) {
                continue;
            }
            links.push(LinkContent {
                parent,
                child,
                kind: if seen.is_empty() {
                    LinkKind::Primary
                } else {
                    LinkKind::Repeat
                },
            });
            seen.push(parent);
        }
    }
    let mut level_names: Vec<String> = Vec::new();
    for n in &doc.nodes {
        if !level_names.contains(&n.level) {
            level_names.push(n.level.clone());
        }
    }
    let title = doc
        .title
        .as_ref()
        .map(|t| t.text.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| family.label_ja().to_string());
    let content = PlanContent {
        family,
        period,
        title,
        level_names,
        nodes,
        links,
        is_sample: false,
    };
    // A parser bug must not reach the database as a cyclic tree.
    if content.validate().is_err() {
        let mut acyclic = content.clone();
        acyclic.links.retain(|l| l.parent < l.child);
        return Ok(acyclic);
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "## 令和5年度 「区政改革」に基づく取組\n\n取組項目1\n\n【独自収入の確保】\n\n計画\t取組の方針・目標内容\t当年度の取組内容\n\t<p>(趣旨・目的) 財源を確保する。</p> <p>(目標) 独自収入 令和5年度 15,500千円以上</p>\t<p>(取組の内容) 広告を募集する。</p>\n\n取組項目2\n\n【窓口】\n\n計画\t取組の方針・目標内容\t当年度の取組内容\n\t<p>(趣旨・目的) 改善する。</p> <p>(目標) 窓口の雰囲気をよくする</p>\t<p>(取組の内容) 掃除する。</p>\n";

    #[test]
    fn stored_targets_keep_what_the_reader_understood_and_nothing_more() {
        let doc = crate::parse_text("t.txt", DOC);
        let fy = FiscalYear::new(2023).unwrap();
        let plan = plan_content(&doc, Period::year(fy)).unwrap();
        assert_eq!(plan.nodes.len(), 2);
        let t = &plan.nodes[0].targets[0];
        assert_eq!(t.value, Some(15_500_000.0));
        assert_eq!(t.measure_unit.as_deref(), Some("千円"));
        assert_eq!(t.comparator, Some(Comparator::AtLeast));
        assert_eq!(t.period, Some(Period::year(fy)));
        assert!(t.text.contains("15,500千円以上"));
        // A sentence without a figure stays text only.
        let free = &plan.nodes[1].targets[0];
        assert_eq!(free.value, None);
        assert_eq!(free.measure_unit, None);
        assert_eq!(free.text, "窓口の雰囲気をよくする");
    }
}
