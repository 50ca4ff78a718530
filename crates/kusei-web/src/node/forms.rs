//! The three forms' values, target and actual rows, and the form pages they render.

use super::view::{judgment_label, node_heading};
use super::NodeCtx;
use crate::forms::{parse_number, FieldErrors, FormData};
use crate::i18n::Lang;
use crate::layout::{radio_group, text_field, Page};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_domain::model::{Comparator, Period, Phase, Target};
use kusei_kpi as kpi;
use kusei_store::StoredNode;
use maud::{html, Markup};

// ---------------------------------------------------------------- plan phase form

const CMP_OPTIONS: [(&str, &str, &str); 6] = [
    ("at_least", "以上", "at least"),
    ("more_than", "超", "more than"),
    ("at_most", "以下", "at most"),
    ("less_than", "未満", "less than"),
    ("maintain", "維持", "maintain"),
    ("equal", "（なし）", "(none)"),
];

/// One row of the targets table as the form shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct TargetRow {
    pub(super) indicator: String,
    pub(super) year: String,
    pub(super) comparator: String,
    pub(super) value: String,
    pub(super) unit: String,
    pub(super) text: String,
}

impl TargetRow {
    pub(super) fn from_target(t: &Target, ctx: Option<FiscalYear>) -> TargetRow {
        // The indicator the document names beside the sentence (a series row's), else the
        // one the sentence names.
        let indicator = t.indicator_name.clone().unwrap_or_else(|| {
            kpi::read_targets(&t.text, ctx)
                .first()
                .and_then(|r| r.indicator.clone())
                .unwrap_or_default()
        });
        TargetRow {
            indicator,
            year: t
                .period
                .map(|p| {
                    if p.start == p.end {
                        p.start.label()
                    } else {
                        p.to_string()
                    }
                })
                .unwrap_or_default(),
            comparator: t
                .comparator
                .map(|c| c.code().to_string())
                .unwrap_or_default(),
            value: t
                .value
                .map(|v| written_value(v, t.measure_unit.as_deref().unwrap_or_default()))
                .unwrap_or_default(),
            unit: t.measure_unit.clone().unwrap_or_default(),
            text: t.text.clone(),
        }
    }
    fn structured(&self) -> (String, String, String, String, String) {
        (
            self.indicator.clone(),
            self.year.clone(),
            self.comparator.clone(),
            self.value.clone(),
            self.unit.clone(),
        )
    }
    pub(super) fn is_blank(&self) -> bool {
        self.indicator.is_empty() && self.value.is_empty() && self.text.is_empty()
    }
}

pub(crate) fn fmt_number(v: f64) -> String {
    kusei_report::plain_number(v)
}

/// A stored value as a person writes it in `unit` (15,914,000 in 千円 → "15914").
pub(crate) fn written_value(value: f64, unit: &str) -> String {
    fmt_number(value / kpi::Unit::factor(unit))
}

/// A value written in `unit` as stored (15914 千円 → 15,914,000).
pub(crate) fn stored_value(written: f64, unit: &str) -> f64 {
    written * kpi::Unit::factor(unit)
}

pub(crate) use kusei_app::copy_forward::target_sentence;

pub(super) fn form_rows(form: &FormData) -> Vec<(usize, TargetRow, Option<String>)> {
    let mut out = Vec::new();
    for i in 0..100 {
        if form.get(&format!("t{i}_indicator")).is_none()
            && form.get(&format!("t{i}_text")).is_none()
        {
            break;
        }
        let g = |f: &str| form.text(&format!("t{i}_{f}")).unwrap_or_default();
        out.push((
            i,
            TargetRow {
                indicator: g("indicator"),
                year: g("year"),
                comparator: g("cmp"),
                value: g("value"),
                unit: g("unit"),
                text: g("text"),
            },
            form.text(&format!("t{i}_orig")),
        ));
    }
    out
}

/// Reads the target rows; errors are keyed `t{i}_{field}`.
pub(super) fn read_targets(
    form: &FormData,
    stored: &[Target],
    default_year: FiscalYear,
    lang: Lang,
    errors: &mut FieldErrors,
) -> Vec<Target> {
    let mut out = Vec::new();
    // Where the form has a 当年度 column (this year's targets are the ones judged), a
    // target entered for this year belongs to it; a changed row keeps its column.
    let has_this_year = stored.iter().any(|t| t.this_year);
    // Each stored target can be kept once (one sentence may hold several targets).
    let mut unused: Vec<Option<&Target>> = stored.iter().map(Some).collect();
    for (i, row, orig) in form_rows(form) {
        if row.is_blank() {
            continue;
        }
        // Unchanged structured fields keep the target exactly as it was stored.
        if let Some(orig) = &orig {
            let same = unused.iter_mut().find(|slot| {
                slot.is_some_and(|t| {
                    let before = TargetRow::from_target(t, Some(default_year));
                    &t.text == orig
                        && before.structured() == row.structured()
                        && (row.text.is_empty() || row.text == before.text)
                })
            });
            if let Some(t) = same.and_then(Option::take) {
                out.push(t.clone());
                continue;
            }
        }
        let was_this_year = orig
            .as_ref()
            .and_then(|o| stored.iter().find(|t| &t.text == o))
            .map(|t| t.this_year);
        if row.value.is_empty() {
            if row.text.is_empty() {
                errors.add(
                    &format!("t{i}_value"),
                    lang.t(
                        "目標値か目標の文章を入力してください。",
                        "Give a value or the target's sentence.",
                    ),
                );
                continue;
            }
            out.push(Target {
                indicator_id: None,
                period: None,
                value: None,
                measure_unit: None,
                comparator: None,
                text: row.text.clone(),
                indicator_name: None,
                this_year: was_this_year.unwrap_or(false),
            });
            continue;
        }
        let Some(value) = parse_number(&row.value) else {
            errors.add(
                &format!("t{i}_value"),
                match lang {
                    Lang::Ja => format!("「{}」は数値として読めません。", row.value),
                    Lang::En => format!("“{}” is not a number.", row.value),
                },
            );
            continue;
        };
        let year = if row.year.is_empty() {
            Some(default_year)
        } else {
            match FiscalYear::parse(&row.year, Some(default_year)) {
                Ok(y) => Some(y),
                Err(_) => {
                    errors.add(
                        &format!("t{i}_year"),
                        match lang {
                            Lang::Ja => format!(
                                "「{}」は年度として読めません（例: 令和7年度、2025）。",
                                row.year
                            ),
                            Lang::En => {
                                format!("“{}” is not a fiscal year (e.g. 2025).", row.year)
                            }
                        },
                    );
                    continue;
                }
            }
        };
        let cmp = Comparator::from_code(&row.comparator).unwrap_or(Comparator::AtLeast);
        if row.indicator.is_empty() {
            errors.add(
                &format!("t{i}_indicator"),
                lang.t("指標名を入力してください。", "Name the indicator."),
            );
            continue;
        }
        let this_year =
            was_this_year.unwrap_or(has_this_year && year.is_some_and(|y| y == default_year));
        out.push(Target {
            indicator_id: None,
            period: year.map(Period::year),
            value: Some(stored_value(value, &row.unit)),
            measure_unit: Some(row.unit.clone()).filter(|u| !u.is_empty()),
            comparator: Some(cmp),
            text: target_sentence(&row.indicator, year, value, &row.unit, cmp),
            indicator_name: None,
            this_year,
        });
    }
    out
}

fn targets_table(lang: Lang, rows: &[TargetRow], errors: &FieldErrors) -> Markup {
    html! {
        fieldset.targets {
            legend { (lang.t("目標（数値目標は値と単位で入力すると文章が作られます）", "Targets (enter value and unit; the sentence is written for you)")) }
            @for (i, r) in rows.iter().enumerate() {
                @let f = |name: &str| format!("t{i}_{name}");
                @let err = |name: &str| errors.get(&f(name)).map(str::to_string);
                // Element ids carry the forms' f- prefix (the error summary links to them).
                @let id = |name: &str| format!("f-t{i}_{name}");
                div.target-row role="group" aria-label={ (lang.t("目標", "Target")) " " (i + 1) } {
                    @if !r.text.is_empty() {
                        p.sentence { (lang.t("現在の文章", "Sentence")) ": " q { (r.text) } }
                        input type="hidden" name=(f("orig")) value=(r.text);
                    }
                    @for (name, label, value, width) in [
                        ("indicator", lang.t("指標", "Indicator"), &r.indicator, "wide"),
                        ("year", lang.t("年度", "Fiscal year"), &r.year, "narrow"),
                        ("value", lang.t("目標値", "Value"), &r.value, "narrow"),
                        ("unit", lang.t("単位", "Unit"), &r.unit, "narrow"),
                    ] {
                        div class={ "field " (width) @if err(name).is_some() { " has-error" } } {
                            label for=(id(name)) { (label) }
                            @if let Some(e) = err(name) { p.error id={ (id(name)) "-err" } role="alert" { (e) } }
                            input type="text" id=(id(name)) name=(f(name)) value=(value)
                                aria-invalid=[err(name).map(|_| "true")]
                                aria-describedby=[err(name).map(|_| format!("{}-err", id(name)))];
                        }
                    }
                    div.field.narrow {
                        label for=(id("cmp")) { (lang.t("条件", "Comparison")) }
                        select id=(id("cmp")) name=(f("cmp")) {
                            @for (code, ja, en) in CMP_OPTIONS {
                                option value=(code) selected[r.comparator == code || (r.comparator.is_empty() && code == "at_least")] { (lang.t(ja, en)) }
                            }
                        }
                    }
                    div.field.wide {
                        label for=(id("text")) { (lang.t("文章で書く目標（数値にできない場合）", "Target as text (when it has no figure)")) }
                        textarea id=(id("text")) name=(f("text")) rows="2" { @if r.value.is_empty() { (r.text) } }
                    }
                }
            }
        }
    }
}

#[derive(Clone)]
pub(super) struct PlanFormValues {
    pub(super) title: String,
    pub(super) subtitle: String,
    pub(super) sections: Vec<(String, String)>,
    pub(super) targets: Vec<TargetRow>,
    pub(super) version: i64,
}

pub(super) fn plan_form_page(
    page: &Page<'_>,
    ctx: &NodeCtx,
    fy: FiscalYear,
    v: &PlanFormValues,
    errors: &FieldErrors,
    banner: Option<Markup>,
) -> String {
    let lang = page.lang;
    let sn = ctx.node();
    let path = format!("/nodes/{}/plan", sn.node.id);
    let body = html! {
        (node_heading(lang, &ctx.sp, sn))
        h2 { (lang.t("計画を編集", "Edit the plan")) " (" (crate::layout::fy_label(lang, fy)) ")" }
        @if let Some(b) = banner { (b) }
        @if !errors.is_empty() { (error_summary(lang, errors)) }
        form method="post" action=(page.href(&path)) novalidate {
            (page.csrf_field())
            input type="hidden" name="version" value=(v.version);
            (text_field("title", lang.t("名称", "Title"), Some(&v.title), errors, None, None))
            (text_field("subtitle", lang.t("副題", "Subtitle"), Some(&v.subtitle), errors, None, None))
            @for (i, (heading, body)) in v.sections.iter().enumerate() {
                input type="hidden" name={ "s" (i) "_heading" } value=(heading);
                (text_field(&format!("s{i}_body"), heading, Some(body), errors, Some(5), None))
            }
            (targets_table(lang, &v.targets, errors))
            button type="submit" { (lang.t("保存する", "Save")) }
            " " a href=(page.href(&format!("/nodes/{}", sn.node.id))) { (lang.t("キャンセル", "Cancel")) }
        }
    };
    page.render(lang.t("計画を編集", "Edit the plan"), &path, body)
}

fn error_summary(lang: Lang, errors: &FieldErrors) -> Markup {
    html! {
        div.error-summary role="alert" aria-labelledby="err-h" tabindex="-1" autofocus {
            h2 #err-h { (lang.t("入力内容を確認してください", "Please check the form")) }
            ul { @for (field, msg) in errors.0.iter().filter(|(f, _)| !f.starts_with('=')) { li { a href={ "#f-" (field) } { (msg) } } } }
        }
    }
}

pub(super) fn plan_values(sn: &StoredNode, fy: FiscalYear) -> PlanFormValues {
    let mut sections: Vec<(String, String)> = sn
        .node
        .sections
        .iter()
        .filter(|s| s.phase == Phase::Plan)
        .map(|s| (s.heading.clone(), s.body.clone()))
        .collect();
    if sections.is_empty() {
        sections.push(("取組内容".into(), String::new()));
    }
    let mut targets: Vec<TargetRow> = sn
        .targets
        .iter()
        .map(|t| TargetRow::from_target(t, Some(fy)))
        .collect();
    targets.push(TargetRow {
        year: fy.label(),
        ..TargetRow::default()
    });
    targets.push(TargetRow {
        year: fy.label(),
        ..TargetRow::default()
    });
    PlanFormValues {
        title: sn.node.title.clone(),
        subtitle: sn.node.subtitle.clone().unwrap_or_default(),
        sections,
        targets,
        version: sn.node.version,
    }
}

// ---------------------------------------------------------------- mid-year review form

#[derive(Clone)]
pub(super) struct ReviewValues {
    pub(super) implementation: Option<String>,
    pub(super) achievement: Option<String>,
    pub(super) remedy: String,
    pub(super) version: i64,
}

pub(super) fn review_form_page(
    page: &Page<'_>,
    ctx: &NodeCtx,
    fy: FiscalYear,
    v: &ReviewValues,
    errors: &FieldErrors,
    banner: Option<Markup>,
) -> String {
    let lang = page.lang;
    let sn = ctx.node();
    let path = format!("/nodes/{}/review", sn.node.id);
    let imp = [
        (
            ImplementationProspect::Expected.code(),
            lang.t(
                ImplementationProspect::Expected.label_ja(),
                ImplementationProspect::Expected.label_en(),
            )
            .to_string(),
        ),
        (
            ImplementationProspect::NotExpected.code(),
            lang.t(
                ImplementationProspect::NotExpected.label_ja(),
                ImplementationProspect::NotExpected.label_en(),
            )
            .to_string(),
        ),
    ];
    let ach = [
        (
            AchievementProspect::OnTrack.code(),
            lang.t(
                AchievementProspect::OnTrack.label_ja(),
                AchievementProspect::OnTrack.label_en(),
            )
            .to_string(),
        ),
        (
            AchievementProspect::OffTrack.code(),
            lang.t(
                AchievementProspect::OffTrack.label_ja(),
                AchievementProspect::OffTrack.label_en(),
            )
            .to_string(),
        ),
    ];
    let body = html! {
        (node_heading(lang, &ctx.sp, sn))
        h2 { (lang.t("中間振り返りを編集", "Edit the mid-year review")) " (" (crate::layout::fy_label(lang, fy)) ")" }
        @if let Some(b) = banner { (b) }
        @if !errors.is_empty() { (error_summary(lang, errors)) }
        @if !sn.targets.is_empty() {
            section.context aria-label=(lang.t("目標", "Targets")) {
                p { strong { (lang.t("目標", "Targets")) } }
                ul { @for t in &sn.targets { li { (t.text) } } }
            }
        }
        form method="post" action=(page.href(&path)) novalidate {
            (page.csrf_field())
            input type="hidden" name="version" value=(v.version);
            (radio_group("implementation", lang.t("取組内容の実施見込み", "Will the activities be carried out?"), &imp, v.implementation.as_deref(), errors))
            (radio_group("achievement", lang.t("目標の達成見込み", "Will the target be reached?"), &ach, v.achievement.as_deref(), errors))
            (text_field("remedy", lang.t("課題と改善策", "Issues and remedies"), Some(&v.remedy), errors, Some(5),
                Some(lang.t("「(ii)」または「②」の場合は必須です。", "Required when the answer is (ii) or ②."))))
            button type="submit" { (lang.t("保存する", "Save")) }
            " " a href=(page.href(&format!("/nodes/{}", sn.node.id))) { (lang.t("キャンセル", "Cancel")) }
        }
    };
    page.render(
        lang.t("中間振り返りを編集", "Edit the mid-year review"),
        &path,
        body,
    )
}

// ---------------------------------------------------------------- year-end evaluation form

#[derive(Debug, Clone, Default)]
pub(super) struct ActualRow {
    pub(super) indicator: String,
    pub(super) value: String,
    pub(super) unit: String,
    /// The stored actual's text the row was opened with (hidden): an unchanged row keeps
    /// that actual exactly as stored.
    pub(super) orig: String,
    /// The part of the results text a suggested row was read from (hidden): saved as the
    /// actual's sentence while the row still says what it says.
    pub(super) src: String,
}

impl ActualRow {
    /// The row a stored actual is shown as: the value in its unit as written, the indicator
    /// the sentence names.
    pub(super) fn from_actual(a: &kusei_domain::model::Actual, fy: FiscalYear) -> ActualRow {
        let unit = a.measure_unit.clone().unwrap_or_default();
        let indicator = match a.text.rsplit_once(' ') {
            Some((i, _)) => i.to_string(),
            None => kpi::read_actuals(&a.text, Some(fy))
                .into_iter()
                .find_map(|r| r.indicator)
                .unwrap_or_default(),
        };
        ActualRow {
            indicator,
            value: a.value.map(|v| written_value(v, &unit)).unwrap_or_default(),
            unit,
            orig: a.text.clone(),
            src: String::new(),
        }
    }

    /// A row suggested from the results text: a figure the text states that no stored
    /// actual of the year has, for the officer to confirm.
    pub(super) fn suggested(a: &kpi::Actual) -> Option<ActualRow> {
        let value = a.value?;
        let unit = a.unit_text.clone().unwrap_or_default();
        Some(ActualRow {
            indicator: a.indicator.clone().unwrap_or_default(),
            value: written_value(value, &unit),
            unit,
            orig: String::new(),
            src: a.segment.trim().to_string(),
        })
    }

    /// Whether the row still says what its source sentence says (value and unit).
    pub(super) fn as_read(&self, fy: FiscalYear) -> bool {
        !self.src.is_empty()
            && kpi::read_actuals(&self.src, Some(fy))
                .iter()
                .filter_map(ActualRow::suggested)
                .any(|r| r.value == self.value.trim() && r.unit == self.unit.trim())
    }

    /// What a person can change in the row.
    pub(super) fn figures(&self) -> (&str, &str, &str) {
        (self.indicator.trim(), self.value.trim(), self.unit.trim())
    }
}

#[derive(Clone)]
pub(super) struct EvaluationValues {
    pub(super) results: String,
    pub(super) stated: Option<String>,
    pub(super) remedy: String,
    pub(super) explanation: String,
    pub(super) actuals: Vec<ActualRow>,
    pub(super) version: i64,
}

pub(super) fn evaluation_form_page(
    page: &Page<'_>,
    ctx: &NodeCtx,
    fy: FiscalYear,
    v: &EvaluationValues,
    errors: &FieldErrors,
    banner: Option<Markup>,
    computed_now: Option<&kpi::NodeEvaluation>,
) -> String {
    let lang = page.lang;
    let sn = ctx.node();
    let path = format!("/nodes/{}/evaluation", sn.node.id);
    // The judgments the city's forms offer, with the city's labels (未確定 only where
    // it exists).
    let stated: Vec<(&str, String)> = ctx
        .forms
        .choices()
        .into_iter()
        .map(|j| {
            let label = match lang {
                Lang::Ja => ctx.forms.label(j).to_string(),
                Lang::En => j.label_en().to_string(),
            };
            let mark = match j {
                Judgment::Achieved => "① ",
                Judgment::NotAchieved => "② ",
                _ => "",
            };
            (j.code(), format!("{mark}{label}"))
        })
        .collect();
    let body = html! {
        (node_heading(lang, &ctx.sp, sn))
        h2 { (lang.t("自己評価を編集", "Edit the year-end evaluation")) " (" (crate::layout::fy_label(lang, fy)) ")" }
        @if let Some(b) = banner { (b) }
        @if !errors.is_empty() { (error_summary(lang, errors)) }
        @if !sn.targets.is_empty() {
            section.context aria-label=(lang.t("目標", "Targets")) {
                p { strong { (lang.t("目標", "Targets")) } }
                ul { @for t in &sn.targets { li { (t.text) } } }
            }
        }
        @if let Some(c) = computed_now {
            p.notice role="status" {
                (lang.t("数値からの判定", "From the figures")) ": " strong { (judgment_label(lang, c.judgment.judgment)) }
                @if lang == Lang::Ja && !c.judgment.reason_ja.is_empty() { "（" (c.judgment.reason_ja) "）" }
            }
        }
        form method="post" action=(page.href(&path)) novalidate {
            (page.csrf_field())
            input type="hidden" name="version" value=(v.version);
            (text_field("results", lang.t("当年度の取組実績及び目標の達成状況", "Results of the year"), Some(&v.results), errors, Some(5), None))
            fieldset.targets {
                legend { (lang.t("実績値（目標と同じ指標・単位で）", "Actual figures (same indicator and unit as the target)")) }
                @for (i, a) in v.actuals.iter().enumerate() {
                    div.target-row role="group" aria-label={ (lang.t("実績", "Actual")) " " (i + 1) } {
                        @if !a.orig.is_empty() {
                            input type="hidden" name={ "a" (i) "_orig" } value=(a.orig);
                        }
                        @if !a.src.is_empty() {
                            input type="hidden" name={ "a" (i) "_src" } value=(a.src);
                            p.hint id={ "f-a" (i) "-src" } {
                                (lang.t("取組実績の記載から読み取りました。確認のうえ保存してください（不要なら実績値を空にしてください）: ", "Read from the results text; check it before saving (empty the value to leave it out): "))
                                "「" (a.src) "」"
                            }
                        }
                        @for (name, label, value, width) in [
                            ("indicator", lang.t("指標", "Indicator"), &a.indicator, "wide"),
                            ("value", lang.t("実績値", "Value"), &a.value, "narrow"),
                            ("unit", lang.t("単位", "Unit"), &a.unit, "narrow"),
                        ] {
                            @let f = format!("a{i}_{name}");
                            @let err = errors.get(&f);
                            div class={ "field " (width) @if err.is_some() { " has-error" } } {
                                label for={ "f-" (f) } { (label) }
                                @if let Some(e) = err { p.error id={ "f-" (f) "-err" } role="alert" { (e) } }
                                input type="text" id={ "f-" (f) } name=(f) value=(value)
                                    aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| format!("f-{f}-err"))];
                            }
                        }
                    }
                }
            }
            (radio_group("stated", lang.t("評価", "Judgment"), &stated, v.stated.as_deref(), errors))
            (text_field("explanation", lang.t("判定の理由（数値からの判定と異なる場合は必須）", "Why the judgment differs from the figures (required when it does)"), Some(&v.explanation), errors, Some(3), None))
            (text_field("remedy", lang.t("課題と改善策", "Issues and remedies"), Some(&v.remedy), errors, Some(5),
                Some(lang.t("「②目標未達成」の場合は必須です。", "Required when the target was not achieved (②)."))))
            button type="submit" { (lang.t("保存する", "Save")) }
            " " a href=(page.href(&format!("/nodes/{}", sn.node.id))) { (lang.t("キャンセル", "Cancel")) }
        }
    };
    page.render(
        lang.t("自己評価を編集", "Edit the year-end evaluation"),
        &path,
        body,
    )
}

pub(super) fn actual_rows(sn: &StoredNode, fy: FiscalYear) -> Vec<ActualRow> {
    let mut rows: Vec<ActualRow> = sn
        .actuals
        .iter()
        .filter(|a| a.fiscal_year == Some(fy) && a.value.is_some())
        .map(|a| ActualRow::from_actual(a, fy))
        .collect();
    // The figures the year's results text states that no stored actual has: suggested,
    // for the officer to confirm (an import stored them already; a text typed here not).
    if let Some(e) = sn.evaluations.iter().find(|e| e.fiscal_year == fy) {
        let stored: Vec<(Option<f64>, Option<&str>)> = sn
            .actuals
            .iter()
            .map(|a| (a.value, a.measure_unit.as_deref()))
            .collect();
        // Figures of this year only (not an interim figure, not another year's).
        for a in kpi::read_actuals(&e.results, Some(fy)).iter().filter(|a| {
            a.as_of.is_none() && a.fiscal_year.as_ref().is_none_or(|y| y.end == fy.year())
        }) {
            let Some(row) = ActualRow::suggested(a) else {
                continue;
            };
            let unit = a.unit_text.as_deref().filter(|u| !u.is_empty());
            let known = stored.contains(&(a.value, unit))
                || rows.iter().any(|r| r.figures() == row.figures());
            if !known {
                rows.push(row);
            }
        }
    }
    // One empty row per target without an actual, prefilled with its indicator and unit.
    for t in &sn.targets {
        if rows.len() >= sn.targets.len().max(1) {
            break;
        }
        let row = TargetRow::from_target(t, Some(fy));
        if !rows.iter().any(|r| r.indicator == row.indicator) {
            rows.push(ActualRow {
                indicator: row.indicator,
                value: String::new(),
                unit: row.unit,
                orig: String::new(),
                src: String::new(),
            });
        }
    }
    rows.push(ActualRow::default());
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_targets_read_back_as_the_same_figures() {
        let fy = FiscalYear::new(2025).unwrap();
        for (ind, v, unit, cmp) in [
            ("窓口サービスの満足度", 90.0, "%", Comparator::AtLeast),
            ("待ち時間", 30.0, "分", Comparator::AtMost),
            ("講座の参加者数", 1200.0, "人", Comparator::AtLeast),
        ] {
            let s = target_sentence(ind, Some(fy), v, unit, cmp);
            let read = kpi::read_targets(&s, Some(fy));
            assert_eq!(read.len(), 1, "{s}");
            let t = &read[0];
            assert_eq!(t.indicator.as_deref(), Some(ind), "{s}");
            assert_eq!(t.value, Some(v), "{s}");
            assert!(
                t.fiscal_year.as_ref().is_some_and(|y| y.contains(2025)),
                "{s}"
            );
        }
        assert_eq!(
            target_sentence("満足度", Some(fy), 90.0, "%", Comparator::AtLeast),
            "満足度 令和7年度 90%以上"
        );
    }

    /// The fields a browser posts back for the rows of `targets`, as rendered.
    fn posted(targets: &[Target], fy: FiscalYear) -> FormData {
        let mut fields = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            let r = TargetRow::from_target(t, Some(fy));
            for (k, v) in [
                ("indicator", r.indicator),
                ("year", r.year),
                ("cmp", r.comparator),
                ("value", r.value),
                ("unit", r.unit),
                ("text", r.text),
                ("orig", t.text.clone()),
            ] {
                fields.push((format!("t{i}_{k}"), v));
            }
        }
        FormData(fields)
    }

    const UNITS: [&str; 7] = ["円", "千円", "億円", "%", "件", "ポイント", "☆"];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// A target in any unit, saved unchanged through the form, stays as stored; typed
        /// anew, its figure is stored in the base unit and shown again as written.
        #[test]
        fn figures_survive_the_form_in_every_unit(
            whole in 0u32..2_000_000,
            cents in 0u32..100,
            decimals in proptest::bool::ANY,
            unit in 0usize..UNITS.len(),
            cmp in 0usize..CMP_OPTIONS.len(),
            year in 2015i32..2035,
        ) {
            let fy = FiscalYear::new(year).unwrap();
            let unit = UNITS[unit];
            let written = if decimals { f64::from(whole) + f64::from(cents) / 100.0 } else { f64::from(whole) };
            let comparator = Comparator::from_code(CMP_OPTIONS[cmp].0).unwrap();
            let stored = Target {
                indicator_id: None,
                period: Some(Period::year(fy)),
                value: Some(stored_value(written, unit)),
                measure_unit: Some(unit.to_string()),
                comparator: Some(comparator),
                text: target_sentence("区民の満足度", Some(fy), written, unit, comparator),
                indicator_name: None,
                this_year: false,
            };
            // Shown as written.
            let row = TargetRow::from_target(&stored, Some(fy));
            proptest::prop_assert_eq!(&row.value, &fmt_number(written));
            // Saved unchanged: exactly as stored.
            let mut errors = FieldErrors::default();
            let back = read_targets(&posted(std::slice::from_ref(&stored), fy), std::slice::from_ref(&stored), fy, Lang::Ja, &mut errors);
            proptest::prop_assert!(errors.is_empty());
            proptest::prop_assert_eq!(&back, &vec![stored.clone()]);
            // Typed as a new row (no stored target to keep): the same figure is stored.
            let mut errors = FieldErrors::default();
            let typed = read_targets(&posted(std::slice::from_ref(&stored), fy), &[], fy, Lang::Ja, &mut errors);
            proptest::prop_assert!(errors.is_empty(), "{:?}", errors);
            proptest::prop_assert_eq!(typed.len(), 1);
            let v = typed[0].value.unwrap();
            let expected = stored.value.unwrap();
            proptest::prop_assert!((v - expected).abs() <= expected.abs() * 1e-12, "{} vs {}", v, expected);
            proptest::prop_assert_eq!(typed[0].measure_unit.as_deref(), Some(unit));
            proptest::prop_assert_eq!(TargetRow::from_target(&typed[0], Some(fy)).value, fmt_number(written));
        }
    }
}
