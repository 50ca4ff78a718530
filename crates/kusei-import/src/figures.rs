//! Reading the figures of a parsed document: each target sentence through the target
//! reader (`kusei-kpi`), and for each node the computed judgment and the findings.
//! Runs after the structure is read; adds to the document, never removes.

use crate::model::{Finding, FiscalYearRef, ParsedDocument, Prospect, Target, TargetReading};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::inferred_direction;
use kusei_domain::model::Period;
use kusei_kpi as kpi;

/// The column that holds this year's targets in the 取組項目 form.
const THIS_YEAR_GROUP: &str = "当年度";

fn code<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn reading(t: &kpi::Target) -> TargetReading {
    TargetReading {
        kind: code(&t.kind),
        value_text: t.value_text.clone(),
        direction: inferred_direction::code(t.direction).to_string(),
        fiscal_year_start: t.fiscal_year.as_ref().map(|f| f.start),
        fiscal_year_end: t.fiscal_year.as_ref().map(|f| f.end),
        cumulative: t.cumulative,
    }
}

fn prospect(p: Prospect) -> Option<bool> {
    match p {
        Prospect::Expected => Some(true),
        Prospect::NotExpected => Some(false),
        Prospect::Unknown => None,
    }
}

/// The fiscal year the document's figures are about: its stated year or period end,
/// else the year it mentions (era context).
pub fn document_year(doc: &ParsedDocument) -> Option<FiscalYear> {
    doc.fiscal_year
        .as_ref()
        .map(|f| f.year)
        .or_else(|| doc.period.as_ref().map(|p| p.to))
        .or_else(|| doc.era_context.as_ref().map(|c| c.year))
        .and_then(|y| FiscalYear::new(y).ok())
}

/// A target sentence that states several targets of its own, as one target per piece
/// (each piece verbatim); any other target as it is. One year of a series is one target.
fn separated(t: Target, year: Option<FiscalYear>) -> Vec<Target> {
    if t.indicator.is_some() || t.fiscal_year.is_some() {
        return vec![t];
    }
    let pieces = kpi::separate_targets(&t.text, year);
    if pieces.len() < 2 {
        return vec![t];
    }
    pieces
        .into_iter()
        .map(|p| Target {
            text: p.text.to_string(),
            normalized: crate::text::normalize(p.text),
            indicator: p.indicator,
            ..t.clone()
        })
        .collect()
}

/// Fills `reading` of every target, and `findings` of every node plus `computed_judgment`
/// of every evaluation.
pub fn enrich(doc: &mut ParsedDocument) {
    let year = document_year(doc);
    let period = crate::convert::document_period(doc).or(year.map(Period::year));
    for node in &mut doc.nodes {
        node.targets = std::mem::take(&mut node.targets)
            .into_iter()
            .flat_map(|t| separated(t, year))
            .collect();
        let mut multi = Vec::new();
        let mut this_year = Vec::new();
        for t in &mut node.targets {
            let context = t
                .fiscal_year
                .as_ref()
                .and_then(|f| FiscalYear::new(f.year).ok())
                .or(year);
            // A series ("指標 【平成29年度】 ・30%") was split into one target per year: the
            // reader needs the indicator and the year back in the sentence.
            let sentence = match (&t.indicator, &t.fiscal_year) {
                (Some(ind), Some(fy)) if !t.text.contains(ind.as_str()) => {
                    format!("{ind} {} {}", fy.as_written, t.text)
                }
                (Some(ind), None) if !t.text.contains(ind.as_str()) => format!("{ind} {}", t.text),
                _ => t.text.clone(),
            };
            let read = kpi::read_targets(&sentence, context);
            if let Some(k) = read.first() {
                t.reading = Some(reading(k));
                t.value = k.value;
                t.unit = k.unit_text.clone().or_else(|| k.unit.map(|u| code(&u)));
                t.comparator = Some(code(&k.comparator));
                if t.indicator.is_none() {
                    t.indicator = k.indicator.clone();
                }
                if t.fiscal_year.is_none() {
                    t.fiscal_year = k.fiscal_year.as_ref().and_then(|f| {
                        let fy = FiscalYear::new(f.end).ok()?;
                        Some(FiscalYearRef {
                            year: f.end,
                            label: fy.label(),
                            as_written: f.as_written.clone(),
                            line: t.line,
                        })
                    });
                }
            }
            let group = t
                .section_index
                .and_then(|i| node.sections.get(i))
                .and_then(|s| s.group.as_deref())
                .unwrap_or("");
            if group.contains(THIS_YEAR_GROUP) {
                this_year.push(sentence);
            } else {
                multi.push(sentence);
            }
        }
        let evaluation = node.evaluation.as_ref();
        let figures = kpi::NodeFigures {
            document_year: year,
            targets: multi,
            this_year_targets: this_year,
            results: evaluation.and_then(|e| e.results.clone()),
            stated: evaluation.map_or(Judgment::Unknown, |e| e.stated_judgment),
            remedy: evaluation.and_then(|e| e.remedy.clone()),
            review: node.review.as_ref().map(|r| kpi::MidYearReview {
                implementation_expected: prospect(r.implementation),
                achievement_expected: prospect(r.achievement),
                remedy: r.remedy.clone(),
            }),
            references: Vec::new(),
        };
        // The judgment is made by the one builder the item page, the API and
        // `kusei check --db` use, on the node as it will be stored; a document that
        // states no year at all is read with its sentences alone.
        let stored =
            period.and_then(|p| crate::convert::node_content(node, p).ok().map(|c| (p, c)));
        let evaluated = match &stored {
            Some((p, c)) => kpi::evaluate_item(&kpi::ItemFigures {
                year: p.end,
                targets: &c.targets,
                actuals: &c.actuals,
                evaluation: c.evaluations.first(),
                review: c.reviews.first(),
                references: &[],
            }),
            None => kpi::evaluate(&figures),
        };
        node.findings = evaluated
            .findings
            .iter()
            .map(|f| Finding {
                severity: code(&f.severity),
                code: f.code.clone(),
                message_ja: f.message_ja.clone(),
                message_en: f.message_en.clone(),
                target: f.target.clone(),
            })
            .collect();
        if let Some(e) = node.evaluation.as_mut() {
            // A blank evaluation form (plan stage) has nothing to compute.
            if e.results.as_deref().is_some_and(|r| !r.trim().is_empty()) {
                e.computed_judgment = Some(code(&evaluated.judgment.judgment));
                e.computed_reason = Some(evaluated.judgment.reason_ja.clone());
            }
            e.findings = node.findings.clone();
        }
    }
}
