//! Judging an item: its figures (targets, actuals, review, evaluation) and the results of
//! its unit's earlier years, through the one builder `kusei_kpi::evaluate_item`. The item
//! page, the plan page, the JSON API and `kusei check --db` read judgments from here;
//! `kusei parse` uses the same builder on the document's content (kusei-import).

use crate::AppError;
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::{Evaluation, UnitId};
use kusei_kpi as kpi;
use kusei_store::{Store, StoredNode};

/// The known results of one unit by fiscal year (evaluation texts and final actuals of
/// every plan of the unit), read once: what relative targets of later years resolve
/// against (前年度以上, 29年度実績値に比べて…).
#[derive(Debug, Clone, Default)]
pub struct References {
    by_year: Vec<(FiscalYear, kpi::Figure)>,
}

impl References {
    /// Every result of `unit` before `until` (exclusive).
    pub async fn load(store: &Store, unit: UnitId, until: FiscalYear) -> Result<Self, AppError> {
        let rows = store.unit_results_before(unit, until).await?;
        Ok(References {
            by_year: rows
                .iter()
                .flat_map(|(fy, text)| {
                    kpi::reference_figures(text, *fy)
                        .into_iter()
                        .map(move |f| (*fy, f))
                })
                .collect(),
        })
    }

    /// Every result of `unit` (for pages that judge several years).
    pub async fn load_all(store: &Store, unit: UnitId) -> Result<Self, AppError> {
        References::load(store, unit, FiscalYear::MAX).await
    }

    /// The figures known before `year`.
    pub fn before(&self, year: FiscalYear) -> Vec<kpi::Figure> {
        self.by_year
            .iter()
            .filter(|(fy, _)| *fy < year)
            .map(|(_, f)| f.clone())
            .collect()
    }

    /// The computed judgment and findings of one item for the year of `evaluation`.
    pub fn judge(&self, sn: &StoredNode, evaluation: &Evaluation) -> kpi::NodeEvaluation {
        item(
            sn,
            evaluation.fiscal_year,
            Some(evaluation),
            &self.before(evaluation.fiscal_year),
        )
    }
}

/// The computed judgment and findings of one item for `year` (its evaluation of that year,
/// if any), given the earlier years' figures.
pub fn item(
    sn: &StoredNode,
    year: FiscalYear,
    evaluation: Option<&Evaluation>,
    references: &[kpi::Figure],
) -> kpi::NodeEvaluation {
    kpi::evaluate_item(&kpi::ItemFigures {
        year,
        targets: &sn.targets,
        actuals: &sn.actuals,
        evaluation,
        review: sn.reviews.iter().find(|r| r.fiscal_year == year),
        references,
    })
}

/// Where an item stands in one phase (the progress table of a plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// 未入力: nothing entered yet.
    Empty,
    /// 入力済み.
    Done,
    /// 改善策が必要: the answer calls for 課題と改善策 and there is none.
    NeedsRemedy,
    /// 確認事項あり: the figures contradict what was entered (or another error finding).
    ToCheck,
}

impl Progress {
    pub fn code(self) -> &'static str {
        match self {
            Progress::Empty => "empty",
            Progress::Done => "done",
            Progress::NeedsRemedy => "needs_remedy",
            Progress::ToCheck => "to_check",
        }
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Progress::Empty => "未入力",
            Progress::Done => "入力済み",
            Progress::NeedsRemedy => "改善策が必要",
            Progress::ToCheck => "確認事項あり",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Progress::Empty => "not entered",
            Progress::Done => "entered",
            Progress::NeedsRemedy => "remedy needed",
            Progress::ToCheck => "to check",
        }
    }
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

/// The progress of one item in `year`: (計画, 中間振り返り, 自己評価).
pub fn progress(sn: &StoredNode, year: FiscalYear, references: &[kpi::Figure]) -> [Progress; 3] {
    use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
    use kusei_domain::model::Phase;
    let plan = if !sn.targets.is_empty()
        || sn
            .node
            .sections
            .iter()
            .any(|s| s.phase == Phase::Plan && !s.body.trim().is_empty())
    {
        Progress::Done
    } else {
        Progress::Empty
    };
    let review = match sn.reviews.iter().find(|r| r.fiscal_year == year) {
        Some(r) if r.implementation.is_some() || r.achievement.is_some() => {
            let calls = r.implementation == Some(ImplementationProspect::NotExpected)
                || r.achievement == Some(AchievementProspect::OffTrack);
            if calls && blank(r.remedy.as_deref()) {
                Progress::NeedsRemedy
            } else {
                Progress::Done
            }
        }
        _ => Progress::Empty,
    };
    let evaluation = match sn.evaluations.iter().find(|e| e.fiscal_year == year) {
        Some(e) if !e.results.trim().is_empty() || e.stated != Judgment::Unknown => {
            let judged = item(sn, year, Some(e), references);
            if judged.findings.iter().any(|f| f.code == "remedy_missing") {
                Progress::NeedsRemedy
            } else if judged
                .findings
                .iter()
                .any(|f| f.severity == kpi::Severity::Error)
            {
                Progress::ToCheck
            } else {
                Progress::Done
            }
        }
        _ => Progress::Empty,
    };
    [plan, review, evaluation]
}
