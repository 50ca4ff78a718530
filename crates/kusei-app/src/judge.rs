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
        Ok(References::from_rows(&rows))
    }

    /// The figures of results already read (`Store::unit_results_before`).
    pub fn from_rows(rows: &[(FiscalYear, String)]) -> Self {
        References {
            by_year: rows
                .iter()
                .flat_map(|(fy, text)| {
                    kpi::reference_figures(text, *fy)
                        .into_iter()
                        .map(move |f| (*fy, f))
                })
                .collect(),
        }
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

/// The items of a plan that go through the year's forms, in document order with their
/// depth: the lowest items (具体的取組, 取組項目) and any upper item with its own targets
/// or 担当 (a 戦略's 成果目標). `false` marks an upper item that is only a heading.
pub fn tracked_items(sp: &kusei_store::StoredPlan) -> Vec<(usize, usize, bool)> {
    let primary: Vec<_> = sp
        .tree_rows()
        .into_iter()
        .filter(|r| r.kind == kusei_domain::model::LinkKind::Primary)
        .collect();
    primary
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let sn = &sp.nodes[r.node];
            let leaf = primary.get(i + 1).is_none_or(|next| next.depth <= r.depth);
            let tracked = leaf || !sn.targets.is_empty() || sn.node.owner_unit_id.is_some();
            (r.node, r.depth, tracked)
        })
        .collect()
}

/// One thing the submission check found in a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitCheck {
    pub node: kusei_domain::model::NodeId,
    pub phase: kusei_domain::model::Phase,
    pub fiscal_year: FiscalYear,
    /// Blocks the submission (else a warning the editor may acknowledge).
    pub blocking: bool,
    pub message_ja: String,
    pub message_en: String,
}

/// What a plan's submission must fix (blocking) or should look at (warnings), for the
/// years of its period up to `today`'s: a required remedy missing (review or evaluation),
/// a judgment that contradicts the figures without an explanation, an evaluation still
/// unknown after its window closed; and as warnings, forms still empty and other findings.
pub fn submission_checks(
    sp: &kusei_store::StoredPlan,
    references: &References,
    windows: &[kusei_domain::workflow::Window],
    today: kusei_domain::calendar::Date,
) -> Vec<SubmitCheck> {
    use kusei_domain::judgment::Judgment;
    use kusei_domain::model::Phase;
    let closed = |year: FiscalYear, phase: Phase| {
        windows
            .iter()
            .any(|w| w.fiscal_year == year && w.phase == phase && w.closes_on < today)
    };
    let open = |year: FiscalYear, phase: Phase| {
        windows
            .iter()
            .any(|w| w.fiscal_year == year && w.phase == phase && w.contains(today))
    };
    let this_year = today.fiscal_year();
    let mut out = Vec::new();
    for (index, _, tracked) in tracked_items(sp) {
        if !tracked {
            continue;
        }
        let sn = &sp.nodes[index];
        let node = sn.node.id;
        let mut push = |phase, fiscal_year, blocking, ja: String, en: String| {
            out.push(SubmitCheck {
                node,
                phase,
                fiscal_year,
                blocking,
                message_ja: ja,
                message_en: en,
            });
        };
        for y in sp.plan.period.start.year()..=sp.plan.period.end.year() {
            let Ok(year) = FiscalYear::new(y) else {
                continue;
            };
            if year > this_year {
                break;
            }
            let before = references.before(year);
            let [plan, review, evaluation] = progress(sn, year, &before);
            if plan == Progress::Empty && y == sp.plan.period.start.year() {
                push(
                    Phase::Plan,
                    year,
                    false,
                    "計画（取組内容・目標）が未入力です。".into(),
                    "The plan (activities, targets) is not entered.".into(),
                );
            }
            match review {
                Progress::NeedsRemedy => push(
                    Phase::Review,
                    year,
                    true,
                    "中間振り返りが「(ii)」または「②」ですが、課題と改善策がありません。".into(),
                    "The mid-year review answers (ii) or ② but gives no remedy.".into(),
                ),
                Progress::Empty if open(year, Phase::Review) || closed(year, Phase::Review) => {
                    push(
                        Phase::Review,
                        year,
                        false,
                        "中間振り返りが未入力です。".into(),
                        "The mid-year review is not entered.".into(),
                    )
                }
                _ => {}
            }
            let eval = sn.evaluations.iter().find(|e| e.fiscal_year == year);
            let unknown = eval.is_none_or(|e| e.stated == Judgment::Unknown);
            if unknown && closed(year, Phase::Evaluation) {
                push(
                    Phase::Evaluation,
                    year,
                    true,
                    "自己評価の受付期間が終わりましたが、評価（①・②・未確定）がありません。".into(),
                    "The evaluation window has closed but no judgment (①, ② or not yet determined) is given.".into(),
                );
            } else if evaluation == Progress::Empty && open(year, Phase::Evaluation) {
                push(
                    Phase::Evaluation,
                    year,
                    false,
                    "自己評価が未入力です。".into(),
                    "The year-end evaluation is not entered.".into(),
                );
            }
            if let Some(e) = eval {
                let judged = item(sn, year, Some(e), &before);
                let explained = e
                    .explanation
                    .as_deref()
                    .is_some_and(|x| !x.trim().is_empty());
                for f in &judged.findings {
                    let blocking = match f.code.as_str() {
                        "remedy_missing" => true,
                        "judgment_contradicts_figures" => !explained,
                        _ => false,
                    };
                    if f.code == "judgment_contradicts_figures" && explained {
                        continue;
                    }
                    if blocking || f.severity == kpi::Severity::Error {
                        push(
                            Phase::Evaluation,
                            year,
                            blocking,
                            f.message_ja.clone(),
                            f.message_en.clone(),
                        );
                    }
                }
            }
        }
    }
    out
}
