//! The city's roll-up (市政改革室): per ward and fiscal year, the mid-year check (activities
//! 実施見込み / 実施できない見込み, targets 達成見込み / 達成できない見込み) and the year-end
//! grading of outcome targets by the city's rules (total, measurable, not measurable and
//! why, the count of each grade of the city's scale), drilled down ward → 経営課題 → 戦略
//! → item, with the city total, the year before, and the items graded below the top
//! grade with their remedies.
//!
//! One computation: the roll-up page, its exports, the API and `kusei check --db` all
//! read [`compute`]. Staff of the city read the plans as they stand; everyone else reads
//! the published versions only.

use crate::guard::{tree_of_municipality, Caller};
use crate::judge::{item, tracked_items, References};
use crate::AppError;
use kusei_domain::calendar::FiscalYear;
use kusei_domain::council::FieldProblem;
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_domain::model::{MunicipalityId, NodeId, PlanId, Unit, UnitId};
use kusei_domain::policy::{allow, Action};
use kusei_domain::workflow::Refusal;
use kusei_kpi as kpi;
use kusei_store::{Store, StoredPlan};
use serde::Serialize;
use serde_json::Value;

/// Which check: the mid-year review (end of August) or the year-end evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RollupPhase {
    Review,
    Evaluation,
}

impl RollupPhase {
    pub fn code(self) -> &'static str {
        match self {
            RollupPhase::Review => "review",
            RollupPhase::Evaluation => "evaluation",
        }
    }
    pub fn from_code(s: &str) -> Option<RollupPhase> {
        match s {
            "review" => Some(RollupPhase::Review),
            "evaluation" => Some(RollupPhase::Evaluation),
            _ => None,
        }
    }
}

/// The labels of the mid-year answers, the scale of the review roll-up.
pub const REVIEW_TARGET_LABELS: [&str; 2] = ["達成見込み", "達成できない見込み"];
pub const REVIEW_ACTIVITY_LABELS: [&str; 2] = ["実施見込み", "実施できない見込み"];

/// One grade's count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeCount {
    pub code: String,
    pub label: String,
    pub count: usize,
}

/// Counts of one ward, one node's subtree, or the city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Counts {
    /// Year end: outcome targets. Mid-year: items with targets (one answer each).
    pub targets: usize,
    /// Graded (year end) or answered (mid-year).
    pub measurable: usize,
    pub not_measurable: usize,
    /// In the order of the scale.
    pub grades: Vec<GradeCount>,
    /// Why targets were not measurable: (reason, count), most frequent first.
    pub reasons: Vec<(String, usize)>,
    /// Items of the year's forms, and those whose phase (the review, or the evaluation)
    /// nobody has entered yet: a section that entered nothing shows here.
    pub items: usize,
    pub items_not_entered: usize,
    /// Mid-year: items (activities) and their answers.
    pub activities: usize,
    pub activities_expected: usize,
    pub activities_not_expected: usize,
}

impl Counts {
    fn with_scale(scale: &[(String, String)]) -> Counts {
        Counts {
            grades: scale
                .iter()
                .map(|(c, l)| GradeCount {
                    code: c.clone(),
                    label: l.clone(),
                    count: 0,
                })
                .collect(),
            ..Counts::default()
        }
    }
    fn add(&mut self, o: &Counts) {
        self.targets += o.targets;
        self.items += o.items;
        self.items_not_entered += o.items_not_entered;
        self.measurable += o.measurable;
        self.not_measurable += o.not_measurable;
        self.activities += o.activities;
        self.activities_expected += o.activities_expected;
        self.activities_not_expected += o.activities_not_expected;
        for g in &o.grades {
            match self.grades.iter_mut().find(|x| x.code == g.code) {
                Some(x) => x.count += g.count,
                None => self.grades.push(g.clone()),
            }
        }
        for (r, n) in &o.reasons {
            self.reason(r, *n);
        }
        self.reasons
            .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    fn grade(&mut self, code: &str) {
        if let Some(g) = self.grades.iter_mut().find(|g| g.code == code) {
            g.count += 1;
        }
    }
    fn reason(&mut self, r: &str, n: usize) {
        match self.reasons.iter_mut().find(|(x, _)| x == r) {
            Some((_, m)) => *m += n,
            None => self.reasons.push((r.to_string(), n)),
        }
    }
    /// The count of the grade with this code.
    pub fn of(&self, code: &str) -> usize {
        self.grades
            .iter()
            .find(|g| g.code == code)
            .map_or(0, |g| g.count)
    }
}

/// How one target was graded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetGrade {
    pub text: String,
    /// The grade's code, or None when not measurable (excluded).
    pub grade: Option<String>,
    pub progress: Option<f64>,
    pub reason: String,
}

/// One row of a ward's drill-down: a node of its plans with the counts of its subtree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeRow {
    pub plan_id: PlanId,
    pub node_id: NodeId,
    pub level: String,
    pub number: Option<String>,
    pub title: String,
    pub depth: usize,
    /// An item of the year's forms (else a heading: 経営課題, 戦略).
    pub item: bool,
    pub counts: Counts,
    /// Items only: each target's grade (year end).
    pub targets: Vec<TargetGrade>,
    /// Items only: the mid-year answers.
    pub implementation: Option<ImplementationProspect>,
    pub achievement: Option<AchievementProspect>,
    /// Items only: 課題と改善策 of the phase.
    pub remedy: Option<String>,
    /// Items only: below the top grade (year end), or an answer of (ii)/② (mid-year).
    pub flagged: bool,
}

/// One ward's roll-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WardRollup {
    pub unit_id: UnitId,
    pub unit: String,
    pub plans: Vec<PlanId>,
    /// Each plan's title (a ward may have plans of several forms in a year).
    pub plan_titles: Vec<(PlanId, String)>,
    pub counts: Counts,
    /// The year before, where the ward had plans then.
    pub previous: Option<Counts>,
    pub rows: Vec<NodeRow>,
}

/// The roll-up of a municipality's wards for one year and phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rollup {
    pub municipality_id: MunicipalityId,
    pub municipality: String,
    pub fiscal_year: i32,
    pub year_label: String,
    pub phase: RollupPhase,
    /// The rules' name and scale (year end) or the mid-year labels.
    pub rules: String,
    pub scale: Vec<(String, String)>,
    /// The codes of the grades that count as on track (順調).
    pub on_track: Vec<String>,
    /// Published versions only (the public's roll-up).
    pub published_only: bool,
    pub wards: Vec<WardRollup>,
    pub total: Counts,
    pub previous_total: Option<Counts>,
}

impl Rollup {
    /// The flagged items of every ward, in ward and document order.
    pub fn flagged(&self) -> impl Iterator<Item = (&WardRollup, &NodeRow)> {
        self.wards
            .iter()
            .flat_map(|w| w.rows.iter().filter(|r| r.flagged).map(move |r| (w, r)))
    }
}

/// The grading rules of a municipality: its `grading` setting, else Osaka's ①②.
pub fn rules_of(settings: &Value) -> Result<kpi::GradingRules, AppError> {
    match settings.get("grading") {
        None | Some(Value::Null) => Ok(kpi::GradingRules::osaka()),
        Some(v) => {
            let rules: kpi::GradingRules = serde_json::from_value(v.clone())
                .map_err(|e| AppError::Invalid(format!("stored grading rules are invalid: {e}")))?;
            rules
                .validate()
                .map_err(|e| AppError::Invalid(format!("stored grading rules are invalid: {e}")))?;
            Ok(rules)
        }
    }
}

/// A municipality's grading rules as stored.
pub async fn rules(store: &Store, m: MunicipalityId) -> Result<kpi::GradingRules, AppError> {
    rules_of(&store.municipality_settings(m).await?)
}

/// What is wrong with grading rules, at the field of the rules form.
pub fn rule_problems(r: &kpi::GradingRules) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    if r.name.trim().is_empty() {
        out.push(FieldProblem {
            field: "name",
            ja: "基準の名前を入力してください。",
            en: "Enter a name for the rules.",
        });
    }
    let mut codes: Vec<&str> = Vec::new();
    for g in &r.scale {
        if g.code.trim().is_empty() || g.label.trim().is_empty() {
            out.push(FieldProblem {
                field: "scale",
                ja: "評価区分には記号と名前の両方が必要です。",
                en: "Each grade needs a code and a label.",
            });
        }
        if codes.contains(&g.code.as_str()) {
            out.push(FieldProblem {
                field: "scale",
                ja: "同じ記号の評価区分が二つあります。",
                en: "Two grades have the same code.",
            });
        }
        codes.push(&g.code);
    }
    if !r.scale.iter().any(|g| g.meaning == Judgment::Achieved) {
        out.push(FieldProblem {
            field: "scale",
            ja: "順調（達成）を意味する評価区分が一つもありません。",
            en: "No grade means on track (achieved).",
        });
    }
    for b in &r.bands {
        if b.max_years.is_some_and(|m| m < b.min_years) {
            out.push(FieldProblem {
                field: "bands",
                ja: "目標期間の「まで」が「から」より前です。",
                en: "A period band ends before it starts.",
            });
        }
        if b.thresholds
            .iter()
            .any(|t| !(0.0..=10.0).contains(&t.min_rate))
        {
            out.push(FieldProblem {
                field: "bands",
                ja: "進捗率の基準は 0％ から 1000％ の間で入力してください。",
                en: "Enter progress thresholds between 0% and 1000%.",
            });
        }
    }
    let rank = |code: &str| r.scale.iter().position(|g| g.code == code);
    for b in &r.bands {
        let mut ts: Vec<(usize, f64)> = b
            .thresholds
            .iter()
            .filter_map(|t| rank(&t.grade).map(|k| (k, t.min_rate)))
            .collect();
        ts.sort_by_key(|(k, _)| *k);
        if ts.windows(2).any(|w| w[0].1 <= w[1].1) {
            out.push(FieldProblem {
                field: "bands",
                ja: "上の評価区分ほど高い進捗率にしてください（例: A 100％、B 80％）。",
                en: "A higher grade needs a higher threshold (for example A 100%, B 80%).",
            });
            break;
        }
    }
    if out.is_empty() {
        if let Err(e) = r.validate() {
            let (field, ja, en) = match e {
                kpi::GradingError::EmptyScale => (
                    "scale",
                    "評価区分を一つ以上入力してください。",
                    "Enter at least one grade.",
                ),
                kpi::GradingError::Uncovered(_) => (
                    "bands",
                    "1年から5年までの目標期間のどれかに適用する基準がありません。",
                    "A target period between one and five years has no band.",
                ),
                kpi::GradingError::UnknownGrade(_) => (
                    "bands",
                    "基準に、評価区分にない記号があります。",
                    "A band uses a code that is not in the scale.",
                ),
                kpi::GradingError::UnknownMeaning(_) => (
                    "scale",
                    "評価区分の意味は「順調」か「順調でない」です。",
                    "A grade means on track or not on track.",
                ),
            };
            out.push(FieldProblem { field, ja, en });
        }
    }
    out
}

/// Saves a municipality's grading rules (its administrators), after checking them; the
/// settings' history keeps every earlier version. The browser form and `kusei grading`
/// call this.
pub async fn set_rules(
    store: &Store,
    caller: &Caller,
    m: MunicipalityId,
    rules: &kpi::GradingRules,
) -> Result<(), AppError> {
    let tree = tree_of_municipality(store, m).await?;
    allow(&caller.grants, &tree, Action::Administer).map_err(Refusal::Role)?;
    let problems = rule_problems(rules);
    if !problems.is_empty() {
        return Err(AppError::Fields(problems));
    }
    let value = serde_json::to_value(rules).map_err(|e| AppError::Invalid(e.to_string()))?;
    if store.municipality_settings(m).await?.get("grading") == Some(&value) {
        return Ok(());
    }
    store
        .set_municipality_setting(&caller.name, m, "grading", &value)
        .await?;
    Ok(())
}

/// Whether the caller reads the city's roll-up from the plans as they stand (the city's
/// administrators: the reform office); everyone else reads the published versions.
pub async fn reads_working_copies(
    store: &Store,
    caller: Option<&Caller>,
    m: MunicipalityId,
) -> Result<bool, AppError> {
    let Some(c) = caller else { return Ok(false) };
    let tree = tree_of_municipality(store, m).await?;
    Ok(allow(&c.grants, &tree, Action::Administer).is_ok())
}

/// The plans of each ward of `m` evaluated in `year` (the period ends then), as the
/// reader may see them: (ward, its plans).
async fn ward_plans(
    store: &Store,
    units: &[Unit],
    year: FiscalYear,
    published_only: bool,
) -> Result<Vec<(Unit, Vec<StoredPlan>)>, AppError> {
    let mut out = Vec::new();
    for u in units {
        let mut plans = Vec::new();
        for s in store.list_plans(Some(u.id), Some(year)).await? {
            if s.plan.unit_id != u.id || s.plan.period.end != year {
                continue;
            }
            let sp = if published_only {
                store.published_plan(s.plan.id, None).await?
            } else {
                Some(store.load_plan(s.plan.id).await?)
            };
            plans.extend(sp);
        }
        if !plans.is_empty() {
            out.push((u.clone(), plans));
        }
    }
    Ok(out)
}

/// A ward's earlier results, read as text and turned into figures only when an item's
/// relative target (前年度以上, 29年度実績に比べて…) needs them: the other targets are
/// judged without, so the roll-up does not parse every earlier year of every ward.
struct LazyReferences {
    rows: Vec<(FiscalYear, String)>,
    parsed: std::cell::OnceCell<References>,
}

impl LazyReferences {
    fn new(rows: Vec<(FiscalYear, String)>) -> Self {
        LazyReferences {
            rows,
            parsed: std::cell::OnceCell::new(),
        }
    }
    fn before(&self, year: FiscalYear) -> Vec<kpi::Figure> {
        self.parsed
            .get_or_init(|| References::from_rows(&self.rows))
            .before(year)
    }
}

/// Whether a judged target (or a condition of it) resolves against earlier results.
fn relative(t: &kpi::Target) -> bool {
    t.kind == kpi::TargetKind::Relative || t.parts.iter().any(relative)
}

/// The counts and rows of one plan.
fn plan_rows(
    sp: &StoredPlan,
    year: FiscalYear,
    phase: RollupPhase,
    rules: &kpi::GradingRules,
    scale: &[(String, String)],
    references: &LazyReferences,
) -> Vec<NodeRow> {
    let mut rows: Vec<NodeRow> = Vec::new();
    for (i, depth, tracked) in tracked_items(sp) {
        let sn = &sp.nodes[i];
        let mut row = NodeRow {
            plan_id: sp.plan.id,
            node_id: sn.node.id,
            level: sn.node.level.clone(),
            number: sn.node.number.clone(),
            title: sn.node.title.clone(),
            depth,
            item: tracked,
            counts: Counts::with_scale(scale),
            targets: Vec::new(),
            implementation: None,
            achievement: None,
            remedy: None,
            flagged: false,
        };
        if tracked {
            let c = &mut row.counts;
            c.items = 1;
            match phase {
                RollupPhase::Review => {
                    let r = sn.reviews.iter().find(|r| r.fiscal_year == year);
                    row.implementation = r.and_then(|r| r.implementation);
                    row.achievement = r.and_then(|r| r.achievement);
                    row.remedy = r
                        .and_then(|r| r.remedy.clone())
                        .filter(|s| !s.trim().is_empty());
                    c.activities = 1;
                    if row.implementation.is_none() && row.achievement.is_none() {
                        c.items_not_entered = 1;
                    }
                    match row.implementation {
                        Some(ImplementationProspect::Expected) => c.activities_expected = 1,
                        Some(ImplementationProspect::NotExpected) => c.activities_not_expected = 1,
                        None => {}
                    }
                    if !sn.targets.is_empty() {
                        c.targets = 1;
                        match row.achievement {
                            Some(a) => {
                                c.measurable = 1;
                                c.grade(match a {
                                    AchievementProspect::OnTrack => REVIEW_TARGET_LABELS[0],
                                    AchievementProspect::OffTrack => REVIEW_TARGET_LABELS[1],
                                });
                            }
                            None => {
                                c.not_measurable = 1;
                                c.reason("中間振り返りが未入力", 1);
                            }
                        }
                    }
                    row.flagged = row.implementation == Some(ImplementationProspect::NotExpected)
                        || row.achievement == Some(AchievementProspect::OffTrack);
                }
                RollupPhase::Evaluation => {
                    let e = sn.evaluations.iter().find(|e| e.fiscal_year == year);
                    if e.is_none_or(|e| {
                        e.results.trim().is_empty() && e.stated == Judgment::Unknown
                    }) {
                        c.items_not_entered = 1;
                    }
                    row.remedy = e
                        .and_then(|e| e.remedy.clone())
                        .filter(|s| !s.trim().is_empty());
                    let mut judged = item(sn, year, e, &[]);
                    if judged.judged.iter().any(relative) {
                        judged = item(sn, year, e, &references.before(year));
                    }
                    for (tj, t) in judged.judgment.targets.iter().zip(&judged.judged) {
                        let g = rules.grade(tj);
                        c.targets += 1;
                        match &g.grade {
                            Some(grade) => {
                                c.measurable += 1;
                                c.grade(&grade.code);
                                if grade.meaning != Judgment::Achieved {
                                    row.flagged = true;
                                }
                            }
                            None => {
                                c.not_measurable += 1;
                                c.reason(&unmeasurable_reason(tj), 1);
                            }
                        }
                        row.targets.push(TargetGrade {
                            text: t.text.clone(),
                            grade: g.grade.map(|g| g.code),
                            progress: g.progress,
                            reason: g.reason_ja,
                        });
                    }
                }
            }
        }
        rows.push(row);
    }
    // Each heading counts its subtree (rows are depth first).
    for i in (0..rows.len()).rev() {
        let depth = rows[i].depth;
        let mut sum = rows[i].counts.clone();
        for r in rows[i + 1..].iter().take_while(|r| r.depth > depth) {
            if r.depth == depth + 1 {
                sum.add(&r.counts);
            }
        }
        rows[i].counts = sum;
    }
    rows
}

/// Why a target could not be graded, in the city's words.
fn unmeasurable_reason(tj: &kpi::TargetJudgment) -> String {
    if tj.unit_mismatch {
        "実績の単位が目標と異なる".into()
    } else if tj.target_value.is_none() {
        "数値の目標ではない".into()
    } else if tj.actual_value.is_none() {
        "実績が未入力".into()
    } else {
        "進捗率を計算できない".into()
    }
}

/// The roll-up of `m`'s wards for `year` and `phase` under `rules`, read from the
/// published versions when `published_only`.
pub async fn compute(
    store: &Store,
    m: MunicipalityId,
    year: FiscalYear,
    phase: RollupPhase,
    rules: &kpi::GradingRules,
    published_only: bool,
) -> Result<Rollup, AppError> {
    let municipality = store
        .list_municipalities()
        .await?
        .into_iter()
        .find(|x| x.id == m)
        .ok_or_else(|| kusei_store::StoreError::NotFound(format!("municipality {m}")))?;
    let units = store.list_units(m).await?;
    let scale: Vec<(String, String)> = match phase {
        RollupPhase::Evaluation => rules
            .scale
            .iter()
            .map(|g| (g.code.clone(), g.label.clone()))
            .collect(),
        RollupPhase::Review => REVIEW_TARGET_LABELS
            .iter()
            .map(|l| (l.to_string(), l.to_string()))
            .collect(),
    };
    let mut total = Counts::with_scale(&scale);
    let mut wards = Vec::new();
    // Each ward's earlier results, read once for this year and the year before (and
    // parsed only if a relative target needs them); the mid-year judges nothing.
    let results = |unit: UnitId, before: FiscalYear| async move {
        if phase == RollupPhase::Evaluation {
            store.unit_results_before(unit, before).await
        } else {
            Ok(Vec::new())
        }
    };
    let mut known: std::collections::HashMap<UnitId, LazyReferences> =
        std::collections::HashMap::new();
    for (unit, plans) in ward_plans(store, &units, year, published_only).await? {
        let refs = LazyReferences::new(results(unit.id, year).await?);
        let mut counts = Counts::with_scale(&scale);
        let mut rows = Vec::new();
        for sp in &plans {
            let r = plan_rows(sp, year, phase, rules, &scale, &refs);
            for top in r.iter().filter(|r| r.depth == 0) {
                counts.add(&top.counts);
            }
            rows.extend(r);
        }
        total.add(&counts);
        wards.push(WardRollup {
            unit_id: unit.id,
            unit: unit.name.clone(),
            plans: plans.iter().map(|p| p.plan.id).collect(),
            plan_titles: plans
                .iter()
                .map(|p| (p.plan.id, p.plan.title.clone()))
                .collect(),
            counts,
            previous: None,
            rows,
        });
        known.insert(unit.id, refs);
    }
    let mut previous_total = None;
    if let Ok(prev) = FiscalYear::new(year.year() - 1) {
        let mut t = Counts::with_scale(&scale);
        let mut any = false;
        for (unit, plans) in ward_plans(store, &units, prev, published_only).await? {
            let refs = match known.entry(unit.id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(LazyReferences::new(results(unit.id, prev).await?))
                }
            };
            let mut counts = Counts::with_scale(&scale);
            for sp in &plans {
                for top in plan_rows(sp, prev, phase, rules, &scale, &*refs)
                    .iter()
                    .filter(|r| r.depth == 0)
                {
                    counts.add(&top.counts);
                }
            }
            t.add(&counts);
            any = true;
            if let Some(w) = wards.iter_mut().find(|w| w.unit_id == unit.id) {
                w.previous = Some(counts);
            }
        }
        previous_total = any.then_some(t);
    }
    Ok(Rollup {
        municipality_id: m,
        municipality: municipality.name,
        fiscal_year: year.year(),
        year_label: year.label(),
        phase,
        rules: match phase {
            RollupPhase::Evaluation => rules.name.clone(),
            RollupPhase::Review => "中間振り返り".into(),
        },
        on_track: match phase {
            RollupPhase::Evaluation => rules
                .scale
                .iter()
                .filter(|g| g.meaning == Judgment::Achieved)
                .map(|g| g.code.clone())
                .collect(),
            RollupPhase::Review => vec![REVIEW_TARGET_LABELS[0].to_string()],
        },
        scale,
        published_only,
        wards,
        total,
        previous_total,
    })
}

fn counts_json(c: &Counts, phase: RollupPhase) -> Value {
    let grades: serde_json::Map<String, Value> = c
        .grades
        .iter()
        .map(|g| (g.code.clone(), Value::from(g.count)))
        .collect();
    let mut v = serde_json::json!({
        "targets": c.targets,
        "measurable": c.measurable,
        "not_measurable": c.not_measurable,
        "items": c.items,
        "items_not_entered": c.items_not_entered,
        "grades": grades,
        "not_measurable_reasons": c.reasons.iter().map(|(r, n)| serde_json::json!({"reason": r, "count": n})).collect::<Vec<_>>(),
    });
    if phase == RollupPhase::Review {
        v["activities"] = serde_json::json!({
            "total": c.activities,
            REVIEW_ACTIVITY_LABELS[0]: c.activities_expected,
            REVIEW_ACTIVITY_LABELS[1]: c.activities_not_expected,
        });
    }
    v
}

/// The roll-up as the API, exports and `kusei check --db` give it.
pub fn to_json(r: &Rollup) -> Value {
    serde_json::json!({
        "municipality_id": r.municipality_id.0,
        "municipality": r.municipality,
        "fiscal_year": r.fiscal_year,
        "fiscal_year_label": r.year_label,
        "phase": r.phase.code(),
        "rules": r.rules,
        "grade_labels": r.scale.iter().map(|(c, l)| (c.clone(), Value::from(l.clone()))).collect::<serde_json::Map<_, _>>(),
        "published_only": r.published_only,
        "wards": r.wards.iter().map(|w| {
            let mut v = counts_json(&w.counts, r.phase);
            v["unit_id"] = Value::from(w.unit_id.0);
            v["unit"] = Value::from(w.unit.clone());
            v["previous"] = w.previous.as_ref().map_or(Value::Null, |p| counts_json(p, r.phase));
            v
        }).collect::<Vec<_>>(),
        "total": counts_json(&r.total, r.phase),
        "previous_total": r.previous_total.as_ref().map_or(Value::Null, |p| counts_json(p, r.phase)),
        "flagged": r.flagged().map(|(w, row)| serde_json::json!({
            "unit_id": w.unit_id.0, "unit": w.unit, "plan_id": row.plan_id.0, "node_id": row.node_id.0,
            "number": row.number, "title": row.title,
            "grades": row.targets.iter().filter_map(|t| t.grade.clone()).collect::<Vec<_>>(),
            "remedy": row.remedy,
        })).collect::<Vec<_>>(),
    })
}
