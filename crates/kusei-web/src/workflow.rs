//! Submit / approve / return / publish, copy forward to the next fiscal year, and council
//! comments. Each handler: CSRF → policy → store.

use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::FormData;
use crate::i18n::LangQuery;
use crate::pages::{parse_id, unit_tree};
use crate::policy::{allow, Action};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use kusei_domain::model::{PlanId, UnitId};
use kusei_store::{StoreError, StoredPlan, Transition};

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
    if step == Transition::Publish {
        let unit = state.store.get_unit(sp.plan.unit_id).await?;
        state
            .store
            .log_security(&kusei_store::NewSecurityEvent {
                kind: "plan_published",
                login: None,
                actor: Some(&actor),
                address: None,
                municipality: Some(unit.municipality_id),
                detail: serde_json::json!({"plan_id": sp.plan.id.0, "unit": unit.name}),
            })
            .await?;
    }
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
    let content = kusei_app::copy_forward::next_year_plan(&sp)
        .map_err(|e| WebError::BadRequest(format!("period: {e}")))?;
    let new_id = match state
        .store
        .save_plan(&actor, sp.plan.unit_id, &content)
        .await
    {
        Ok(id) => id,
        Err(StoreError::Duplicate(_)) => {
            return Err(WebError::BadRequest(format!(
                "{}の計画はすでにあります。 The plan for {} already exists.",
                content.period, content.period
            )))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(back(new_id, q.lang()))
}
