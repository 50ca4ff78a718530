//! Submit / approve / return / publish, copy forward to the next fiscal year, and council
//! comments. Each handler: CSRF → policy → store.

use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::FormData;
use crate::i18n::LangQuery;
use crate::layout::Page;
use crate::pages::{parse_id, unit_tree};
use crate::policy::{allow, Action};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_domain::model::{PlanId, UnitId};
use kusei_store::{StoreError, StoredPlan, Transition};
use maud::html;

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
    let lang = q.lang();
    if step == Transition::Submit {
        // A checked submission: what blocks it is listed with links to the items; warnings
        // are shown once and submitted when acknowledged.
        let unit = state.store.get_unit(sp.plan.unit_id).await?;
        let windows = state.store.windows(unit.municipality_id).await?;
        let refs = kusei_app::judge::References::load_all(&state.store, sp.plan.unit_id).await?;
        let checks =
            kusei_app::judge::submission_checks(&sp, &refs, &windows, state.clock.today_jst());
        let blocked = checks.iter().any(|c| c.blocking);
        let acknowledged = form.get("acknowledge") == Some("1");
        if blocked || (!checks.is_empty() && !acknowledged) {
            let page = Page { lang, who: &who };
            let status = if blocked {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            // Submitted from the check page without the tick: said at the box.
            let unticked = !blocked && form.get("checked") == Some("1");
            return Ok((status, Html(check_page(&page, &sp, &checks, unticked))).into_response());
        }
    }
    // Approve and publish show what will be published — the difference from the last
    // published version — and ask once.
    if matches!(step, Transition::Approve | Transition::Publish) && form.get("confirm") != Some("1")
    {
        let page = Page { lang, who: &who };
        let before = state.store.published_plan(sp.plan.id, None).await?;
        let names = std::collections::HashMap::new();
        let old = before.as_ref().map(|b| b.to_plan_content(&names));
        let changes = kusei_domain::revision::field_changes(
            old.as_ref(),
            &sp.to_plan_content(&names),
            lang.words(),
        );
        return Ok(
            Html(confirm_page(&page, &sp, step, before.is_some(), &changes)).into_response(),
        );
    }
    match state
        .store
        .transition(&actor, sp.plan.id, step, form.text("comment").as_deref())
        .await
    {
        Ok(_) => {}
        // A return without its reason: asked again, at the field.
        Err(StoreError::Field { field, .. }) if field == "comment" => {
            let page = Page { lang, who: &who };
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(return_page(&page, &sp)),
            )
                .into_response());
        }
        Err(e) => return Err(e.into()),
    }
    // Who the step concerns is told (inbox, and mail where configured); the step stands
    // whether or not that succeeds.
    if let Err(e) = kusei_app::notify::after_step(&state.store, sp.plan.id, step, &actor).await {
        tracing::warn!(error = %e, plan = sp.plan.id.0, "workflow step not notified");
    }
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
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!(
                "/plans/{}?lang={}&done={}",
                sp.plan.id.0,
                lang.code(),
                step.code()
            ),
        )],
    )
        .into_response())
}

/// The page a submission with findings answers with: what blocks it (to fix first) and
/// what to look at (to acknowledge), each linking the form that fixes it.
fn check_page(
    page: &Page<'_>,
    sp: &StoredPlan,
    checks: &[kusei_app::judge::SubmitCheck],
    unticked: bool,
) -> String {
    use kusei_domain::model::Phase;
    let lang = page.lang;
    let id = sp.plan.id.0;
    let label = |node| {
        sp.nodes
            .iter()
            .find(|n| n.node.id == node)
            .map(|n| {
                let mut s = n.node.level.clone();
                if let Some(num) = &n.node.number {
                    s.push(' ');
                    s.push_str(num);
                }
                format!("{s} {}", n.node.title)
            })
            .unwrap_or_default()
    };
    let blocking: Vec<_> = checks.iter().filter(|c| c.blocking).collect();
    let warnings: Vec<_> = checks.iter().filter(|c| !c.blocking).collect();
    let row = |c: &kusei_app::judge::SubmitCheck| {
        let (slug, ja, en) = match c.phase {
            Phase::Review => ("review", "中間振り返り", "Mid-year review"),
            Phase::Evaluation => ("evaluation", "自己評価", "Evaluation"),
            _ => ("plan", "計画", "Plan"),
        };
        html! {
            li {
                a href=(page.href(&format!("/nodes/{}/{slug}", c.node.0))) { (label(c.node)) }
                " — " (lang.t(ja, en)) " (" (crate::layout::fy_label(lang, c.fiscal_year)) "): "
                (lang.t(&c.message_ja, &c.message_en))
            }
        }
    };
    let body = html! {
        p { a href=(page.href(&format!("/plans/{id}"))) { (lang.t("← 計画のページへ", "← Back to the plan")) } }
        h1 { (sp.plan.title) " — " (lang.t("承認依頼の前の確認", "Check before submitting")) }
        @if !blocking.is_empty() {
            div.error-summary role="alert" {
                h2 { (lang.t("直してから承認を依頼してください", "Fix these before submitting")) " (" (blocking.len()) ")" }
                ul { @for c in &blocking { (row(c)) } }
            }
        }
        @if !warnings.is_empty() {
            section aria-labelledby="warn-h" {
                h2 #warn-h { (lang.t("確認してください", "Please look at these")) " (" (warnings.len()) ")" }
                ul { @for c in &warnings { (row(c)) } }
            }
        }
        @if blocking.is_empty() {
            form.step method="post" action=(page.href(&format!("/plans/{id}/workflow"))) {
                (page.csrf_field())
                input type="hidden" name="step" value="submit";
                input type="hidden" name="checked" value="1";
                div class={ "field check" @if unticked { " has-error" } } {
                    @if unticked { p.error #f-acknowledge-err role="alert" { (lang.t("確認したらチェックを入れてください。", "Tick the box once you have looked at these.")) } }
                    input #f-acknowledge type="checkbox" name="acknowledge" value="1" aria-describedby=[unticked.then_some("f-acknowledge-err")];
                    " "
                    label for="f-acknowledge" { (lang.t("上の点を確認しました。このまま承認を依頼します。", "I have looked at these; submit the plan as it is.")) }
                }
                button type="submit" { (lang.t("承認を依頼する", "Submit for approval")) }
            }
        }
    };
    page.render(
        lang.t("承認依頼の前の確認", "Check before submitting"),
        &format!("/plans/{id}/workflow"),
        body,
    )
}

/// What approving or publishing will publish: the changes since the last published
/// version (or that it is the first), and one button to go on.
fn confirm_page(
    page: &Page<'_>,
    sp: &StoredPlan,
    step: Transition,
    published_before: bool,
    changes: &[kusei_domain::revision::FieldChange],
) -> String {
    let lang = page.lang;
    let id = sp.plan.id.0;
    let (title, button) = if step == Transition::Publish {
        (
            lang.t("公表の確認", "Confirm the publication"),
            lang.t("公表する", "Publish"),
        )
    } else {
        (
            lang.t("承認の確認", "Confirm the approval"),
            lang.t("承認する", "Approve"),
        )
    };
    let body = html! {
        p { a href=(page.href(&format!("/plans/{id}"))) { (lang.t("← 計画のページへ（やめる）", "← Back to the plan (cancel)")) } }
        h1 { (sp.plan.title) " — " (title) }
        @if step == Transition::Approve {
            p.notice { (lang.t("承認すると公表できる状態になります。市民に表示されるのは公表したときです。",
                "Approving makes the plan ready to publish; citizens see it once it is published.")) }
        }
        @if !published_before {
            p { (lang.t("まだ公表されたことのない計画です。公表されるのは次の項目のすべての内容です（項目数 ", "This plan has never been published: every item below becomes public in full (items: "))
                (sp.nodes.len()) (lang.t("）。", ").")) }
            ul.contents { @for row in sp.tree_rows().iter().filter(|r| r.kind == kusei_domain::model::LinkKind::Primary).take(500) {
                @let n = &sp.nodes[row.node];
                li class={ "depth-" (row.depth.min(6)) } {
                    (n.node.level) @if let Some(num) = &n.node.number { " " (num) } " " (n.node.title)
                    @if !n.targets.is_empty() { span.muted { " — " (lang.t("目標 ", "targets: ")) (n.targets.len()) } }
                }
            } }
        } @else if changes.is_empty() {
            p { (lang.t("前回の公表版から内容の変更はありません。", "Nothing changed since the last published version.")) }
        } @else {
            p { (lang.t("前回の公表版からの変更点: ", "Changes since the last published version: ")) (changes.len()) }
            table.changes {
                caption.visually-hidden { (lang.t("前回の公表版からの変更点", "Changes since the last published version")) }
                thead { tr {
                    th scope="col" { (lang.t("項目", "Item")) }
                    th scope="col" { (lang.t("欄", "Field")) }
                    th scope="col" { (lang.t("公表版", "Published")) }
                    th scope="col" { (lang.t("この版", "This version")) }
                } }
                tbody { @for c in changes.iter().take(500) {
                    tr { td { (c.item) } td { (c.field) } td { del { (c.before) } } td { ins { (c.after) } } }
                } }
            }
        }
        form.step method="post" action=(page.href(&format!("/plans/{id}/workflow"))) {
            (page.csrf_field())
            input type="hidden" name="step" value=(step.code());
            input type="hidden" name="confirm" value="1";
            button type="submit" { (button) }
        }
    };
    page.render(title, &format!("/plans/{id}/workflow"), body)
}

/// The return form again, when it came without a reason.
fn return_page(page: &Page<'_>, sp: &StoredPlan) -> String {
    let lang = page.lang;
    let id = sp.plan.id.0;
    let body = html! {
        p { a href=(page.href(&format!("/plans/{id}"))) { (lang.t("← 計画のページへ", "← Back to the plan")) } }
        h1 { (sp.plan.title) " — " (lang.t("差し戻す", "Return the plan")) }
        form.step method="post" action=(page.href(&format!("/plans/{id}/workflow"))) novalidate {
            (page.csrf_field())
            input type="hidden" name="step" value="return";
            div.field.has-error {
                label for="f-comment" { (lang.t("差戻しの理由（必須）", "Why it is returned (required)")) }
                p.error #f-comment-err role="alert" { (lang.t("差戻しの理由を入力してください。", "Say why the plan is returned.")) }
                textarea #f-comment name="comment" rows="3" aria-invalid="true" aria-describedby="f-comment-err" {}
            }
            button type="submit" { (lang.t("差し戻す", "Return to the editors")) }
        }
    };
    page.render(
        lang.t("差し戻す", "Return the plan"),
        &format!("/plans/{id}/workflow"),
        body,
    )
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
