//! The GET form handlers and the POST save handlers of the three forms.

use super::forms::{
    actual_rows, evaluation_form_page, fmt_number, form_rows, plan_form_page, plan_values,
    read_targets, review_form_page, stored_value, ActualRow, EvaluationValues, PlanFormValues,
    ReviewValues, TargetRow,
};
use super::view::conflict_banner;
use super::{edit_check, load, require_read, NodeCtx};
use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::{parse_number, FieldErrors, FormData};
use crate::i18n::{Lang, LangQuery};
use crate::layout::Page;
use crate::pages::unprocessable;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_app::judge::References;
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_domain::model::{Actual, Evaluation, Phase, Review, Section};
use kusei_store::{NodeEdit, StoreError};
use maud::Markup;

/// What every save handler does first: CSRF, the item, role + status + schedule (the
/// fiscal year whose window is open), and the version the form was read at.
async fn begin_save(
    state: &AppState,
    who: &Who,
    id: &str,
    form: &FormData,
    phase: Phase,
) -> Result<(NodeCtx, FiscalYear, i64), WebError> {
    check_csrf(who, form.csrf())?;
    let ctx = load(state, id).await?;
    let fy = edit_check(state, who, &ctx, phase).await?;
    let version = form_version(form)?;
    Ok((ctx, fy, version))
}

/// The one answer to every save of the three forms: saved → the item page; a stale
/// version → 409 with the user's input kept and what is stored now beside it; a field
/// error → 422 with the message at the field; a refusal by the plan's status (it changed
/// since the form was opened) → 403 with the input kept; anything else → the error page.
/// `render(ctx, version, errors, banner)` draws the form (with `version` instead of the
/// one read, when given).
async fn answer_save(
    state: &AppState,
    ctx: &NodeCtx,
    lang: Lang,
    phase: Phase,
    fallback_field: &str,
    saved: Result<i64, StoreError>,
    render: impl Fn(&NodeCtx, Option<i64>, &FieldErrors, Option<Markup>) -> String,
) -> Result<Response, WebError> {
    let node_id = ctx.node().node.id;
    match saved {
        Ok(_) => Ok(redirect(&format!(
            "/nodes/{node_id}?saved={}&lang={}",
            phase.code(),
            lang.code()
        ))),
        Err(StoreError::Conflict { current, .. }) => {
            let fresh = load(state, &node_id.0.to_string()).await?;
            let refs = References::load_all(&state.store, fresh.sp.plan.unit_id).await?;
            let banner = conflict_banner(lang, fresh.node(), phase, &refs);
            let html = render(&fresh, Some(current), &FieldErrors::default(), Some(banner));
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
        Err(StoreError::Field { field, message }) => {
            let mut errors = FieldErrors::default();
            errors.add(&field, message);
            Ok(unprocessable(render(ctx, None, &errors, None)).into_response())
        }
        Err(StoreError::Invalid(message)) => {
            let mut errors = FieldErrors::default();
            errors.add(fallback_field, message);
            Ok(unprocessable(render(ctx, None, &errors, None)).into_response())
        }
        Err(StoreError::Refused(why)) => {
            let mut errors = FieldErrors::default();
            errors.add(fallback_field, lang.t(&why.ja(), &why.en()).to_string());
            Ok((
                StatusCode::FORBIDDEN,
                Html(render(ctx, None, &errors, None)),
            )
                .into_response())
        }
        Err(e @ (StoreError::Busy | StoreError::Database(_))) => {
            // Nothing was stored (a write is acknowledged only after its commit): say so
            // at the form, with what the user typed still in it.
            tracing::error!(error = %e, node = %node_id, "save failed");
            let mut errors = FieldErrors::default();
            errors.add(
                fallback_field,
                lang.t(
                    "保存できませんでした（データベースに書き込めませんでした）。入力した内容はこの画面に残っています。しばらくしてからもう一度保存してください。",
                    "Not saved: the database could not take the write. What you typed is still here; save again shortly.",
                )
                .to_string(),
            );
            Ok((
                StatusCode::SERVICE_UNAVAILABLE,
                Html(render(ctx, None, &errors, None)),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// What every form page does first: the item, read access, and the fiscal year whose
/// window for `phase` is open (or why none is).
async fn open_form(
    state: &AppState,
    who: &Who,
    id: &str,
    phase: Phase,
) -> Result<(NodeCtx, FiscalYear), WebError> {
    let ctx = load(state, id).await?;
    require_read(who, &ctx, &format!("/nodes/{id}/{}", phase.code()))?;
    let fy = edit_check(state, who, &ctx, phase).await?;
    Ok((ctx, fy))
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

// ---------------------------------------------------------------- plan phase form

pub(crate) async fn plan_form(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let (ctx, fy) = open_form(&state, &who, &id, Phase::Plan).await?;
    let v = plan_values(ctx.node(), fy);
    Ok(Html(plan_form_page(
        &page,
        &ctx,
        fy,
        &v,
        &FieldErrors::default(),
        None,
    )))
}

fn form_version(form: &FormData) -> Result<i64, WebError> {
    form.get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            WebError::BadRequest(
                "version: フォームの版がありません。 The form has no version.".into(),
            )
        })
}

pub(crate) async fn save_plan(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    let (ctx, fy, version) = begin_save(&state, &who, &id, &form, Phase::Plan).await?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let sn = ctx.node();
    let mut errors = FieldErrors::default();
    let title = form.text("title").unwrap_or_default();
    if title.is_empty() {
        errors.add(
            "title",
            lang.t("名称を入力してください。", "Enter the title."),
        );
    }
    let mut sections_in = Vec::new();
    for i in 0..100 {
        let Some(heading) = form.text(&format!("s{i}_heading")) else {
            break;
        };
        sections_in.push((
            heading,
            form.text(&format!("s{i}_body")).unwrap_or_default(),
        ));
    }
    // The rows were rendered from the version the form was opened at: an unchanged row
    // is recognised against that version's targets (someone may have saved since).
    let opened_targets = if version < sn.node.version {
        state
            .store
            .targets_at(sn.node.id, version)
            .await?
            .unwrap_or_else(|| sn.targets.clone())
    } else {
        sn.targets.clone()
    };
    let targets = read_targets(&form, &opened_targets, fy, lang, &mut errors);
    let mut rows: Vec<TargetRow> = form_rows(&form).into_iter().map(|(_, r, _)| r).collect();
    if rows.iter().all(|r| !r.is_blank()) {
        rows.push(TargetRow {
            year: fy.label(),
            ..TargetRow::default()
        });
    }
    let values = PlanFormValues {
        title: title.clone(),
        subtitle: form.text("subtitle").unwrap_or_default(),
        sections: sections_in.clone(),
        targets: rows,
        version,
    };
    if !errors.is_empty() {
        return Ok(
            unprocessable(plan_form_page(&page, &ctx, fy, &values, &errors, None)).into_response(),
        );
    }
    // Sections of the other phases are kept as they are.
    // A section without text is dropped, unless it was stored so (a heading the document
    // left empty is kept as it was).
    let stored_empty = |h: &str| {
        sn.node
            .sections
            .iter()
            .any(|s| s.phase == Phase::Plan && s.heading == h && s.body.is_empty())
    };
    let mut sections: Vec<Section> = sections_in
        .iter()
        .filter(|(h, b)| !b.is_empty() || stored_empty(h))
        .map(|(h, b)| Section {
            phase: Phase::Plan,
            heading: h.clone(),
            body: b.clone(),
        })
        .collect();
    sections.extend(
        sn.node
            .sections
            .iter()
            .filter(|s| s.phase != Phase::Plan)
            .cloned(),
    );
    let mut targets = targets;
    kusei_app::indicators::link_entered(
        &state.store,
        &who.caller(),
        ctx.municipality,
        fy,
        &mut targets,
        &mut [],
        &opened_targets,
        &[],
    )
    .await?;
    let edit = NodeEdit {
        title,
        subtitle: Some(values.subtitle.clone()).filter(|s| !s.is_empty()),
        sections,
        targets: Some(targets),
    };
    let actor = who.login().unwrap_or("?").to_string();
    let saved = state
        .store
        .update_node(&actor, sn.node.id, version, &edit)
        .await;
    // A conflict (both changed one field): the form comes back with the user's own values
    // where they conflict and everything the other person saved elsewhere, so saving again
    // never reverts their change; the fields in conflict are marked.
    let mut conflicts = FieldErrors::default();
    let mut merged: Option<PlanFormValues> = None;
    let mut targets_as_stored = false;
    if matches!(saved, Err(StoreError::Conflict { .. })) {
        if let Some(m) = state
            .store
            .merge_preview(sn.node.id, version, &edit)
            .await?
        {
            targets_as_stored = m.edit.targets.is_none();
            merged = Some(PlanFormValues {
                title: m.edit.title.clone(),
                subtitle: m.edit.subtitle.clone().unwrap_or_default(),
                sections: m
                    .edit
                    .sections
                    .iter()
                    .filter(|s| s.phase == Phase::Plan)
                    .map(|s| (s.heading.clone(), s.body.clone()))
                    .collect(),
                ..values.clone()
            });
            for field in &m.conflicts {
                let (name, label) = match field.as_str() {
                    "title" => ("title".to_string(), lang.t("名称", "Title").to_string()),
                    "subtitle" => (
                        "subtitle".to_string(),
                        lang.t("副題", "Subtitle").to_string(),
                    ),
                    "targets" => (
                        "t0_indicator".to_string(),
                        lang.t("目標", "Targets").to_string(),
                    ),
                    other => {
                        let heading = other.strip_prefix("section:").unwrap_or_default();
                        let i = values
                            .sections
                            .iter()
                            .position(|(h, _)| h == heading)
                            .unwrap_or(0);
                        (format!("s{i}_body"), heading.to_string())
                    }
                };
                conflicts.add(
                    &name,
                    lang.t(
                        &format!("「{label}」は他の人も変更しました。上の「現在保存されている内容」と見比べて、残す内容にしてから保存してください。"),
                        &format!("{label} was changed by someone else too. Compare it with what is stored now (above), keep what should stay, and save again."),
                    )
                    .to_string(),
                );
            }
        }
    }
    answer_save(
        &state,
        &ctx,
        lang,
        Phase::Plan,
        "title",
        saved,
        |ctx, version, errors, banner| {
            let mut v = PlanFormValues {
                version: version.unwrap_or(values.version),
                ..merged.clone().unwrap_or_else(|| values.clone())
            };
            if merged.is_some() && targets_as_stored {
                v.targets = ctx
                    .node()
                    .targets
                    .iter()
                    .map(|t| TargetRow::from_target(t, Some(fy)))
                    .collect();
                v.targets.push(TargetRow {
                    year: fy.label(),
                    ..TargetRow::default()
                });
            }
            let errors = if errors.is_empty() {
                &conflicts
            } else {
                errors
            };
            plan_form_page(&page, ctx, fy, &v, errors, banner)
        },
    )
    .await
}

// ---------------------------------------------------------------- mid-year review form

pub(crate) async fn review_form(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let (ctx, fy) = open_form(&state, &who, &id, Phase::Review).await?;
    let sn = ctx.node();
    let r = sn.reviews.iter().find(|r| r.fiscal_year == fy);
    let v = ReviewValues {
        implementation: r
            .and_then(|r| r.implementation)
            .map(|i| i.code().to_string()),
        achievement: r.and_then(|r| r.achievement).map(|a| a.code().to_string()),
        remedy: r.and_then(|r| r.remedy.clone()).unwrap_or_default(),
        version: sn.node.version,
    };
    Ok(Html(review_form_page(
        &page,
        &ctx,
        fy,
        &v,
        &FieldErrors::default(),
        None,
    )))
}

pub(crate) async fn save_review(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    let (ctx, fy, version) = begin_save(&state, &who, &id, &form, Phase::Review).await?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let values = ReviewValues {
        implementation: form.text("implementation"),
        achievement: form.text("achievement"),
        remedy: form.text("remedy").unwrap_or_default(),
        version,
    };
    let mut errors = FieldErrors::default();
    let implementation = values
        .implementation
        .as_deref()
        .and_then(ImplementationProspect::from_code);
    let achievement = values
        .achievement
        .as_deref()
        .and_then(AchievementProspect::from_code);
    if implementation.is_none() {
        errors.add(
            "implementation",
            lang.t("実施見込みを選んでください。", "Choose an answer."),
        );
    }
    if achievement.is_none() {
        errors.add(
            "achievement",
            lang.t("達成見込みを選んでください。", "Choose an answer."),
        );
    }
    let review = Review {
        fiscal_year: fy,
        implementation,
        achievement,
        remedy: Some(values.remedy.clone()).filter(|r| !r.is_empty()),
    };
    for v in review.violations() {
        errors.add(v.field, lang.t(v.message_ja, v.message_en));
    }
    if !errors.is_empty() {
        return Ok(
            unprocessable(review_form_page(&page, &ctx, fy, &values, &errors, None))
                .into_response(),
        );
    }
    let actor = who.login().unwrap_or("?").to_string();
    let node_id = ctx.node().node.id;
    let saved = state
        .store
        .set_review(&actor, node_id, version, &review)
        .await;
    answer_save(
        &state,
        &ctx,
        lang,
        Phase::Review,
        "remedy",
        saved,
        |ctx, version, errors, banner| {
            let v = ReviewValues {
                version: version.unwrap_or(values.version),
                ..values.clone()
            };
            review_form_page(&page, ctx, fy, &v, errors, banner)
        },
    )
    .await
}

// ---------------------------------------------------------------- year-end evaluation form

/// `?council=received|answered_share|reflected_share`: one of the ward council's
/// figures of the year put in an empty actual row, for the officer to save as the item's
/// actual (the form saves it, as it saves any actual).
#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct EvaluationQuery {
    #[serde(default)]
    lang: Option<crate::i18n::Lang>,
    #[serde(default)]
    council: Option<String>,
}

pub(crate) async fn evaluation_form(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<EvaluationQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang.unwrap_or_default(),
        who: &who,
    };
    let (ctx, fy) = open_form(&state, &who, &id, Phase::Evaluation).await?;
    let sn = ctx.node();
    let e = sn.evaluations.iter().find(|e| e.fiscal_year == fy);
    let mut v = EvaluationValues {
        results: e.map(|e| e.results.clone()).unwrap_or_default(),
        stated: e.map(|e| e.stated.code().to_string()),
        remedy: e.and_then(|e| e.remedy.clone()).unwrap_or_default(),
        explanation: e.and_then(|e| e.explanation.clone()).unwrap_or_default(),
        actuals: actual_rows(sn, fy),
        version: sn.node.version,
    };
    let refs = References::load_all(&state.store, ctx.sp.plan.unit_id).await?;
    let c = e.map(|e| refs.judge(sn, e));
    let council = council_figures(&state, &page, &ctx, fy, q.council.as_deref(), &mut v).await?;
    Ok(Html(evaluation_form_page(
        &page,
        &ctx,
        fy,
        &v,
        &FieldErrors::default(),
        council,
        c.as_ref(),
    )))
}

/// An item about the ward council (区政会議 in its title, texts or targets) is offered the
/// council's figures of the year as its actuals: the count of opinions, the share
/// answered, the share reflected (one computation: [`kusei_app::council::ward_measures`]).
async fn council_figures(
    state: &AppState,
    page: &Page<'_>,
    ctx: &super::NodeCtx,
    fy: kusei_domain::calendar::FiscalYear,
    chosen: Option<&str>,
    v: &mut EvaluationValues,
) -> Result<Option<maud::Markup>, WebError> {
    let lang = page.lang;
    let sn = ctx.node();
    let about_council = sn.node.title.contains("区政会議")
        || sn.node.sections.iter().any(|s| s.body.contains("区政会議"))
        || sn.targets.iter().any(|t| t.text.contains("区政会議"));
    if !about_council {
        return Ok(None);
    }
    let m = kusei_app::council::ward_measures(&state.store, ctx.sp.plan.unit_id, fy, false).await?;
    if m.received == 0 {
        return Ok(None);
    }
    let figures = [
        (
            "received",
            lang.t("区政会議の意見の件数", "Council opinions received"),
            Some(m.received as f64),
            lang.t("件", ""),
        ),
        (
            "answered_share",
            lang.t(
                "区政会議の意見に回答した割合",
                "Share of council opinions answered",
            ),
            m.answered_share,
            "%",
        ),
        (
            "reflected_share",
            lang.t(
                "区政会議の意見を反映した割合",
                "Share of council opinions reflected",
            ),
            m.reflected_share,
            "%",
        ),
    ];
    if let Some((_, name, Some(value), unit)) = figures.iter().find(|f| Some(f.0) == chosen) {
        let row = super::forms::ActualRow {
            indicator: name.to_string(),
            value: kusei_report::plain_number((value * 10.0).round() / 10.0),
            unit: unit.to_string(),
            orig: String::new(),
            src: String::new(),
        };
        // Into the first empty row (there is always one at the end).
        match v
            .actuals
            .iter_mut()
            .find(|r| r.value.trim().is_empty() && r.orig.is_empty())
        {
            Some(empty) => *empty = row,
            None => v.actuals.push(row),
        }
    }
    let path = format!("/nodes/{}/evaluation", sn.node.id);
    Ok(Some(maud::html! {
        aside.notice aria-labelledby="council-fig-h" {
            h2 #council-fig-h { (lang.t("区政会議の数値", "The ward council's figures")) " — " (crate::layout::fy_label(lang, fy)) }
            p { (lang.t("この項目の実績として使えます。選ぶと実績の欄に入ります（保存するまで記録されません）。",
                "They can be this item's actuals: choosing one puts it in an actual row (nothing is stored until you save).")) }
            ul { @for (code, name, value, unit) in &figures {
                @if let Some(v) = value {
                    li { (name) ": " (kusei_report::plain_number((v * 10.0).round() / 10.0)) (unit) " "
                        a href=(page.href(&format!("{path}?council={code}"))) { (lang.t("実績の欄に入れる", "Put it in an actual row")) span.visually-hidden { ": " (name) } } }
                }
            } }
            p { a href=(page.href(&format!("/council/{}?year={}", ctx.sp.plan.unit_id.0, fy.year()))) { (lang.t("区政会議の意見と対応状況を見る", "See the council's opinions and answers")) } }
        }
    }))
}

pub(crate) async fn save_evaluation(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    let (ctx, fy, version) = begin_save(&state, &who, &id, &form, Phase::Evaluation).await?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let mut rows = Vec::new();
    for i in 0..100 {
        if form.get(&format!("a{i}_value")).is_none() {
            break;
        }
        let g = |f: &str| form.text(&format!("a{i}_{f}")).unwrap_or_default();
        rows.push(ActualRow {
            indicator: g("indicator"),
            value: g("value"),
            unit: g("unit"),
            orig: g("orig"),
            src: g("src"),
        });
    }
    let values = EvaluationValues {
        results: form.text("results").unwrap_or_default(),
        stated: form.text("stated"),
        remedy: form.text("remedy").unwrap_or_default(),
        explanation: form.text("explanation").unwrap_or_default(),
        actuals: rows.clone(),
        version,
    };
    let mut errors = FieldErrors::default();
    if values.results.is_empty() {
        errors.add(
            "results",
            lang.t(
                "取組実績を入力してください。",
                "Describe the results of the year.",
            ),
        );
    }
    let stated = values
        .stated
        .as_deref()
        .and_then(Judgment::from_code)
        .filter(|j| ctx.forms.choices().contains(j));
    if stated.is_none() {
        errors.add(
            "stated",
            if values.stated.as_deref() == Some(Judgment::Undetermined.code()) {
                lang.t(
                    "この市の様式では「未確定」は選べません。①か②を選んでください。",
                    "This city's forms have no \"not yet determined\": choose ① or ②.",
                )
            } else {
                lang.t("評価を選んでください。", "Choose the judgment.")
            },
        );
    }
    let mut actuals = Vec::new();
    // Stored actuals of the year, each kept as stored when its row comes back unchanged.
    let mut stored: Vec<Option<&Actual>> = ctx
        .node()
        .actuals
        .iter()
        .filter(|a| a.fiscal_year == Some(fy) && a.value.is_some())
        .map(Some)
        .collect();
    for (i, r) in rows.iter().enumerate() {
        if !r.orig.is_empty() {
            let same = stored.iter_mut().find(|s| {
                s.is_some_and(|a| {
                    a.text == r.orig && ActualRow::from_actual(a, fy).figures() == r.figures()
                })
            });
            if let Some(slot) = same {
                if let Some(a) = slot.take() {
                    actuals.push(a.clone());
                    continue;
                }
            }
        }
        if r.value.is_empty() {
            continue;
        }
        let Some(value) = parse_number(&r.value) else {
            errors.add(
                &format!("a{i}_value"),
                match lang {
                    Lang::Ja => format!("「{}」は数値として読めません。", r.value),
                    Lang::En => format!("“{}” is not a number.", r.value),
                },
            );
            continue;
        };
        // A suggested row still as read keeps the sentence it was read from.
        let text = if r.as_read(fy) {
            r.src.clone()
        } else {
            format!(
                "{} {}{}",
                r.indicator.trim(),
                fmt_number(value),
                r.unit.trim()
            )
            .trim()
            .to_string()
        };
        actuals.push(Actual {
            indicator_id: None,
            fiscal_year: Some(fy),
            value: Some(stored_value(value, r.unit.trim())),
            measure_unit: Some(r.unit.clone()).filter(|u| !u.is_empty()),
            as_of: None::<Date>,
            text,
        });
    }
    let evaluation = Evaluation {
        fiscal_year: fy,
        results: values.results.clone(),
        stated: stated.unwrap_or(Judgment::Undetermined),
        remedy: Some(values.remedy.clone()).filter(|r| !r.is_empty()),
        explanation: Some(values.explanation.clone()).filter(|r| !r.is_empty()),
    };
    if stated.is_some() {
        for v in evaluation.violations() {
            errors.add(v.field, lang.t(v.message_ja, v.message_en));
        }
    }
    let sn = ctx.node();
    // Judged as it will be stored: this year's actuals replaced by the form's.
    let mut next = sn.clone();
    next.actuals
        .retain(|a| a.fiscal_year.is_some_and(|f| f != fy));
    next.actuals.extend(actuals.iter().cloned());
    let refs = References::load_all(&state.store, ctx.sp.plan.unit_id).await?;
    let c = refs.judge(&next, &evaluation);
    if stated.is_some() && evaluation.explanation.is_none() {
        if let Some(f) = c
            .findings
            .iter()
            .find(|f| f.code == "judgment_contradicts_figures")
        {
            errors.add(
                "explanation",
                format!(
                    "{} {}",
                    lang.t(&f.message_ja, &f.message_en),
                    lang.t("判定の理由を記入してください。", "Explain the judgment.")
                ),
            );
        }
    }
    if !errors.is_empty() {
        return Ok(unprocessable(evaluation_form_page(
            &page,
            &ctx,
            fy,
            &values,
            &errors,
            None,
            Some(&c),
        ))
        .into_response());
    }
    let mut targets = sn.targets.clone();
    kusei_app::indicators::link_entered(
        &state.store,
        &who.caller(),
        ctx.municipality,
        fy,
        &mut targets,
        &mut actuals,
        &sn.targets,
        &sn.actuals,
    )
    .await?;
    let actor = who.login().unwrap_or("?").to_string();
    let node_id = sn.node.id;
    let saved = state
        .store
        .set_evaluation(&actor, node_id, version, &evaluation, Some(&actuals))
        .await;
    answer_save(
        &state,
        &ctx,
        lang,
        Phase::Evaluation,
        "results",
        saved,
        |ctx, version, errors, banner| {
            let v = EvaluationValues {
                version: version.unwrap_or(values.version),
                ..values.clone()
            };
            // Beside a stale save, what is stored now is shown instead of this judgment.
            let now = if banner.is_none() { Some(&c) } else { None };
            evaluation_form_page(&page, ctx, fy, &v, errors, banner, now)
        },
    )
    .await
}
