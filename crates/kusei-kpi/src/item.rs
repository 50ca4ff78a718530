//! The one builder of an item's figures: from the item as Kusei stores it (domain targets,
//! actuals, review, evaluation) and the known results of earlier years to the computed
//! judgment and the findings. `kusei parse`, the item page, the JSON API and
//! `kusei check --db` all judge through [`evaluate_item`], so they cannot disagree.

use crate::findings::{evaluate, MidYearReview, NodeEvaluation, NodeFigures};
use crate::types::Figure;
use kusei_domain::calendar::FiscalYear;
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect};
use kusei_domain::model::{Actual, Evaluation, Review, Target};

/// Everything the judgment of one item in one fiscal year reads.
#[derive(Debug, Clone, Copy)]
pub struct ItemFigures<'a> {
    /// The fiscal year judged (the evaluation's year).
    pub year: FiscalYear,
    pub targets: &'a [Target],
    pub actuals: &'a [Actual],
    pub evaluation: Option<&'a Evaluation>,
    pub review: Option<&'a Review>,
    /// Results of earlier years, for relative targets (前年度以上 …).
    pub references: &'a [Figure],
}

/// The sentence the reader reads for a stored target: as written, with the indicator the
/// document names beside it and the target's year put in front when the sentence itself
/// does not say them (a series split from a table: 「収納率 【平成29年度】 ・30%」 is
/// stored as 「30%」 of 収納率 for FY2017 and read as 「収納率 平成29年度 30%」).
pub fn target_sentence(t: &Target) -> String {
    let mut s = String::new();
    if let Some(name) = t.indicator_name.as_deref().filter(|n| !t.text.contains(n)) {
        s.push_str(name);
        s.push(' ');
    }
    if let Some(p) = t
        .period
        .filter(|p| p.start == p.end && !states_the_year(&t.text, p.start))
    {
        s.push_str(&p.start.label());
        s.push(' ');
    }
    s.push_str(&t.text);
    s
}

/// Whether the sentence, read alone, states `year` as its target's year (平成29年度 30%);
/// a mention of another year (a baseline: 29年度実績値に比べて, a span: 29～31年度の3年間で)
/// does not count.
fn states_the_year(text: &str, year: FiscalYear) -> bool {
    let y = year.year();
    crate::read::read_targets(text, None).iter().any(|t| {
        t.fiscal_year
            .as_ref()
            .is_some_and(|f| f.start == y && f.end == y)
    })
}

/// Judges one item for one fiscal year.
pub fn evaluate_item(item: &ItemFigures<'_>) -> NodeEvaluation {
    let results = item.evaluation.map(|e| {
        let mut results = e.results.clone();
        // An actual read from the results (stored on import) is in them already, as
        // written or normalised; one entered as a figure is added.
        let plain = |s: &str| -> String {
            crate::text::normalize(s)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect()
        };
        let written = plain(&e.results);
        for a in item
            .actuals
            .iter()
            .filter(|a| a.fiscal_year.is_none_or(|f| f == item.year))
        {
            if !results.contains(a.text.as_str()) && !written.contains(&plain(&a.text)) {
                results.push('\n');
                results.push_str(&a.text);
            }
        }
        results
    });
    // This year's targets (the form's 当年度 column) are the ones judged when there are
    // any; the others are the multi-year targets of the form.
    let (this_year, multi): (Vec<&Target>, Vec<&Target>) =
        item.targets.iter().partition(|t| t.this_year);
    evaluate(&NodeFigures {
        document_year: Some(item.year),
        targets: multi.into_iter().map(target_sentence).collect(),
        this_year_targets: this_year.into_iter().map(target_sentence).collect(),
        results,
        stated: item
            .evaluation
            .map_or(kusei_domain::judgment::Judgment::Unknown, |e| e.stated),
        remedy: item.evaluation.and_then(|e| e.remedy.clone()),
        review: item.review.map(|r| MidYearReview {
            implementation_expected: r
                .implementation
                .map(|i| i == ImplementationProspect::Expected),
            achievement_expected: r.achievement.map(|a| a == AchievementProspect::OnTrack),
            remedy: r.remedy.clone(),
        }),
        references: item.references.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kusei_domain::judgment::Judgment;
    use kusei_domain::judgment::Judgment as Stated;
    use kusei_domain::model::{Comparator, Period};

    fn judge(targets: &[Target], e: &Evaluation, actuals: &[Actual]) -> NodeEvaluation {
        evaluate_item(&ItemFigures {
            year: e.fiscal_year,
            targets,
            actuals,
            evaluation: Some(e),
            review: None,
            references: &[],
        })
    }

    #[test]
    fn a_series_target_is_read_with_its_year() {
        let t = Target {
            indicator_id: None,
            period: Some(Period::year(FiscalYear::new(2017).unwrap())),
            value: Some(30.0),
            measure_unit: Some("%".into()),
            comparator: None,
            text: "30%".into(),
            indicator_name: None,
            this_year: false,
        };
        assert_eq!(target_sentence(&t), "平成29年度 30%");
        let written = Target {
            text: "平成29年度 30%".into(),
            ..t
        };
        assert_eq!(target_sentence(&written), "平成29年度 30%");
        // A baseline year is not the target's year.
        let relative = Target {
            period: Some(Period::year(FiscalYear::new(2018).unwrap())),
            text: "29年度実績値に比べて2.5%増".into(),
            indicator_name: Some("区民の割合".into()),
            ..written
        };
        assert_eq!(
            target_sentence(&relative),
            "区民の割合 平成30年度 29年度実績値に比べて2.5%増"
        );
    }

    #[test]
    fn computed_judgment_contradiction_is_found() {
        let fy = FiscalYear::new(2025).unwrap();
        let t = Target {
            indicator_id: None,
            period: Some(Period::year(fy)),
            value: Some(90.0),
            measure_unit: Some("%".into()),
            comparator: Some(Comparator::AtLeast),
            text: "窓口サービスの満足度 令和7年度 90%以上".into(),
            indicator_name: None,
            this_year: false,
        };
        let a = Actual {
            indicator_id: None,
            fiscal_year: Some(fy),
            value: Some(80.0),
            measure_unit: Some("%".into()),
            as_of: None,
            text: "窓口サービスの満足度 80%".into(),
        };
        let e = Evaluation {
            fiscal_year: fy,
            results: "アンケートを実施した。".into(),
            stated: Stated::Achieved,
            remedy: None,
            explanation: None,
        };
        let c = judge(std::slice::from_ref(&t), &e, std::slice::from_ref(&a));
        assert_eq!(c.judgment.judgment, Judgment::NotAchieved);
        assert!(c
            .findings
            .iter()
            .any(|f| f.code == "judgment_contradicts_figures"));
        let ok = Evaluation {
            stated: Stated::NotAchieved,
            remedy: Some("改善する".into()),
            ..e
        };
        let c = judge(&[t], &ok, &[a]);
        assert!(!c
            .findings
            .iter()
            .any(|f| f.code == "judgment_contradicts_figures"));
    }
}
