//! Submit / approve / return / publish, copy forward to the next fiscal year, and council
//! comments. Each handler: CSRF → policy → store.

use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::FormData;
use crate::i18n::LangQuery;
use crate::node::target_sentence;
use crate::pages::{parse_id, unit_tree};
use crate::policy::{allow, Action};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{LinkContent, NodeContent, PlanContent};
use kusei_domain::model::{Period, Phase, PlanId, Target, UnitId};
use kusei_kpi as kpi;
use kusei_store::{StoreError, StoredPlan, Transition};
use std::collections::HashMap;

fn back(id: PlanId, lang: crate::Lang) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("/plans/{}?lang={}", id.0, lang.code()),
        )],
    )
        .into_response()
}

fn denied(d: crate::policy::Denied) -> WebError {
    WebError::Forbidden(format!("{} {}", d.ja, d.en))
}

/// What every plan action does after the CSRF check: the plan, and the policy for
/// `action` on the plan's unit. Returns the plan and the acting login.
async fn guarded_plan(
    state: &AppState,
    who: &Who,
    id: &str,
    action: impl FnOnce(UnitId) -> Action,
) -> Result<(StoredPlan, String), WebError> {
    let id = PlanId(parse_id(id, "plan")?);
    let sp = state.store.load_plan(id).await?;
    let (tree, _) = unit_tree(&state.store, sp.plan.unit_id).await?;
    allow(&who.grants(), &tree, action(sp.plan.unit_id)).map_err(denied)?;
    Ok((sp, who.login().unwrap_or("?").to_string()))
}

/// POST /plans/{id}/workflow with `step` = submit | approve | return | publish.
pub(crate) async fn step(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let step = form
        .get("step")
        .and_then(Transition::from_code)
        .ok_or_else(|| WebError::BadRequest("step: submit / approve / return / publish".into()))?;
    let (sp, actor) = guarded_plan(&state, &who, &id, |plan_unit| Action::Step {
        plan_unit,
        step,
    })
    .await?;
    state
        .store
        .transition(&actor, sp.plan.id, step, form.text("comment").as_deref())
        .await?;
    Ok(back(sp.plan.id, q.lang()))
}

/// POST /plans/{id}/opinions: a council member's comment.
pub(crate) async fn comment(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let (sp, actor) =
        guarded_plan(&state, &who, &id, |plan_unit| Action::Comment { plan_unit }).await?;
    state
        .store
        .add_opinion(&actor, sp.plan.id, form.get("body").unwrap_or(""))
        .await?;
    Ok(back(sp.plan.id, q.lang()))
}

/// POST /plans/{id}/copy-forward: next year's plan from this one.
pub(crate) async fn copy_forward(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let (sp, actor) = guarded_plan(&state, &who, &id, |plan_unit| Action::CopyForward {
        plan_unit,
    })
    .await?;
    let content = next_year_plan(&sp).map_err(|e| WebError::BadRequest(format!("period: {e}")))?;
    let new_id = match state
        .store
        .save_plan(&actor, sp.plan.unit_id, &content)
        .await
    {
        Ok(id) => id,
        Err(StoreError::Invalid(m)) if m.starts_with("already exists") => {
            return Err(WebError::BadRequest(format!(
                "{}の計画はすでにあります。 The plan for {} already exists.",
                content.period, content.period
            )))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(back(new_id, q.lang()))
}

/// Next fiscal year's plan: structure, texts and plan-phase sections carried; reviews,
/// evaluations, actuals and results left behind. Targets:
/// - a multi-year target that still covers the new year is carried as written;
/// - a figure for this year becomes the same figure for the new year;
/// - a relative target (前年度以上, 前年度比10%増) is resolved from this year's results
///   and written as a figure for the new year, with its derivation;
/// - anything else is carried as written.
pub fn next_year_plan(sp: &StoredPlan) -> Result<PlanContent, String> {
    let this = sp.plan.period;
    let next = Period::span(
        this.start.checked_next().ok_or("no next fiscal year")?,
        this.end.checked_next().ok_or("no next fiscal year")?,
    );
    let title = if sp.plan.title.contains(&this.start.label()) {
        sp.plan
            .title
            .replace(&this.start.label(), &next.start.label())
    } else {
        sp.plan.title.clone()
    };
    let index: HashMap<_, _> = sp
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.node.id, i))
        .collect();
    let nodes = sp
        .nodes
        .iter()
        .map(|sn| {
            // This year's results are the references for relative targets.
            let mut refs = Vec::new();
            for e in sn
                .evaluations
                .iter()
                .filter(|e| this.start <= e.fiscal_year && e.fiscal_year <= this.end)
            {
                refs.extend(kpi::reference_figures(&e.results, e.fiscal_year));
            }
            for a in &sn.actuals {
                if let Some(fy) = a.fiscal_year {
                    refs.extend(kpi::reference_figures(&a.text, fy));
                }
            }
            NodeContent {
                level: sn.node.level.clone(),
                number: sn.node.number.clone(),
                title: sn.node.title.clone(),
                subtitle: sn.node.subtitle.clone(),
                marks: sn.node.marks.clone(),
                owner: None,
                sections: sn
                    .node
                    .sections
                    .iter()
                    .filter(|s| s.phase == Phase::Plan)
                    .cloned()
                    .collect(),
                targets: sn
                    .targets
                    .iter()
                    .map(|t| carry_target(t, this.end, next.end, &refs))
                    .collect(),
                ..NodeContent::default()
            }
        })
        .collect();
    let links = sp
        .links
        .iter()
        .filter_map(|l| {
            Some(LinkContent {
                parent: *index.get(&l.parent)?,
                child: *index.get(&l.child)?,
                kind: l.kind,
            })
        })
        .collect();
    Ok(PlanContent {
        family: sp.plan.family,
        title,
        period: next,
        level_names: sp.plan.level_names.clone(),
        nodes,
        links,
        is_sample: sp.plan.is_sample,
    })
}

fn carry_target(t: &Target, this: FiscalYear, next: FiscalYear, refs: &[kpi::Figure]) -> Target {
    if let Some(p) = t.period {
        if p.start <= next && next <= p.end && p.start != p.end {
            return t.clone();
        }
    }
    let read = kpi::read_targets(&t.text, Some(next));
    if let [k] = read.as_slice() {
        if k.kind == kpi::TargetKind::Relative {
            if let Ok(r) = kpi::resolve(k, refs) {
                let factor = r
                    .unit_text
                    .as_deref()
                    .and_then(kpi::Unit::parse)
                    .map_or(1.0, |(_, f)| f);
                let shown = (r.value / factor * 100.0).round() / 100.0;
                let unit = r.unit_text.clone().unwrap_or_default();
                let cmp = r.comparator;
                let base = format!(
                    "（{}実績 {}{}から）",
                    this.label(),
                    r.base.value_text,
                    r.base.unit_text
                );
                let indicator = k.indicator.clone().unwrap_or_default();
                return Target {
                    indicator_id: t.indicator_id,
                    period: Some(Period::year(next)),
                    value: Some(shown),
                    measure_unit: Some(unit.clone()).filter(|u| !u.is_empty()),
                    comparator: Some(cmp),
                    text: format!(
                        "{}{base}",
                        target_sentence(&indicator, Some(next), shown, &unit, cmp)
                    ),
                };
            }
        }
    }
    match (t.period, t.value, t.comparator) {
        (Some(p), Some(v), Some(c)) if p.start == this && p.end == this => {
            let indicator = read
                .first()
                .and_then(|k| k.indicator.clone())
                .unwrap_or_default();
            let unit = t.measure_unit.clone().unwrap_or_default();
            Target {
                period: Some(Period::year(next)),
                text: target_sentence(&indicator, Some(next), v, &unit, c),
                ..t.clone()
            }
        }
        _ => t.clone(),
    }
}
