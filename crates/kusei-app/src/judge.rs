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
