//! One initiative (node) in the layout of the official form — 計画 / 中間振り返り /
//! 自己評価 — and the three forms that edit it.
//!
//! Every save: CSRF → role (policy) → schedule window → form rules with the message at the
//! field → store (version check). A stale save is refused with the user's text shown back
//! beside what is stored now; nothing is lost.

mod forms;
mod handlers;
mod view;

pub(crate) use handlers::{
    evaluation_form, plan_form, review_form, save_evaluation, save_plan, save_review,
};
pub(crate) use view::{node_heading, page, phases_view};

use crate::auth::Who;
use crate::error::WebError;
use crate::pages::{parse_id, unit_tree};
use crate::policy::{allow, Action, Tree};
use crate::AppState;
use kusei_app::guard;
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::model::{MunicipalityId, NodeId, Phase};
use kusei_domain::workflow::Refusal;
use kusei_store::{StoredNode, StoredPlan};

/// A node with its plan and the unit tree, as every handler here needs them.
pub(crate) struct NodeCtx {
    pub sp: StoredPlan,
    pub idx: usize,
    pub tree: Tree,
    pub municipality: MunicipalityId,
    /// The city's form settings (phases of each family, the judgment labels).
    pub forms: kusei_app::forms::FormSettings,
}

impl NodeCtx {
    pub fn node(&self) -> &StoredNode {
        &self.sp.nodes[self.idx]
    }
    fn edit_action(&self) -> Action {
        Action::EditNode {
            plan_unit: self.sp.plan.unit_id,
            owner: self.node().node.owner_unit_id,
        }
    }
}

pub(crate) async fn load(state: &AppState, id: &str) -> Result<NodeCtx, WebError> {
    let node_id = NodeId(parse_id(id, "node")?);
    let plan_id = state.store.node_plan(node_id).await?;
    let sp = state.store.load_plan(plan_id).await?;
    let idx = sp
        .nodes
        .iter()
        .position(|n| n.node.id == node_id)
        .ok_or_else(|| WebError::NotFound(format!("node {node_id}")))?;
    let (tree, municipality) = unit_tree(&state.store, sp.plan.unit_id).await?;
    let forms = kusei_app::forms::settings(&state.store, municipality).await?;
    Ok(NodeCtx {
        sp,
        idx,
        tree,
        municipality,
        forms,
    })
}

/// Staff who may read the working copy; everyone else is sent to the published page.
pub(crate) fn require_read(who: &Who, ctx: &NodeCtx, path: &str) -> Result<(), WebError> {
    if allow(
        &who.grants(),
        &ctx.tree,
        Action::ReadDraft {
            plan_unit: ctx.sp.plan.unit_id,
        },
    )
    .is_ok()
    {
        return Ok(());
    }
    if who.viewer.is_none() {
        return Err(WebError::SignIn {
            next: path.to_string(),
        });
    }
    Err(WebError::NotFound(path.to_string()))
}

/// Why this viewer may not edit this phase now (role, plan status, schedule), or the
/// fiscal year whose window is open: the application layer's one write guard.
pub(crate) async fn edit_check(
    state: &AppState,
    who: &Who,
    ctx: &NodeCtx,
    phase: Phase,
) -> Result<FiscalYear, WebError> {
    let windows = state.store.windows(ctx.municipality).await?;
    phase_open(who, ctx, phase, &windows, state.clock.today_jst()).map_err(refuse)
}

/// [`edit_check`] on a schedule already read.
fn phase_open(
    who: &Who,
    ctx: &NodeCtx,
    phase: Phase,
    windows: &[kusei_store::Window],
    today: Date,
) -> Result<FiscalYear, Refusal> {
    if !ctx.forms.uses(ctx.sp.plan.family, phase) {
        return Err(Refusal::PhaseNotUsed {
            phase,
            family: ctx.sp.plan.family,
        });
    }
    let years = guard::check(
        &who.grants(),
        &ctx.tree,
        ctx.edit_action(),
        Some(guard::PlanState {
            status: ctx.sp.plan.status,
            period: ctx.sp.plan.period,
        }),
        &[phase],
        windows,
        today,
    )?;
    years.first().copied().ok_or(Refusal::NoWindow {
        phase,
        period: ctx.sp.plan.period,
    })
}

fn refuse(reason: Refusal) -> WebError {
    match reason {
        // Not a matter of permission: this form has no such phase.
        Refusal::PhaseNotUsed { .. } => WebError::NotHere(reason.to_string()),
        other => WebError::Forbidden(other.to_string()),
    }
}
