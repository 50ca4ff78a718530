//! Plans written in the browser: a new plan for a unit and a fiscal year (or span) in one
//! of the form families, and its structure changed item by item — add, delete (and
//! restore), move, show again under another parent (再掲), and the 担当 of items. Every
//! function passes the one write guard (the role policy, the plan's status, the 計画
//! window) before the store changes anything.

use crate::guard::{check_in_store, tree_of, Caller, PlanState};
use crate::AppError;
use kusei_domain::calendar::Date;
use kusei_domain::content::PlanContent;
use kusei_domain::model::{Family, NodeId, Period, Phase, PlanId, UnitId};
use kusei_domain::policy::Action;
use kusei_store::{DeleteScope, Move, NewNode, Store, StoreError, StoredPlan};

/// The guard of a structure change of `plan`: the ward's editor, the plan editable, the
/// 計画 window of its year open.
async fn guard(
    store: &Store,
    caller: &Caller,
    plan: PlanId,
    today: Date,
) -> Result<StoredPlan, AppError> {
    let sp = store.load_plan(plan).await?;
    let (tree, m) = tree_of(store, sp.plan.unit_id).await?;
    check_in_store(
        store,
        caller,
        &tree,
        m,
        Action::EditStructure {
            plan_unit: sp.plan.unit_id,
        },
        Some(PlanState {
            status: sp.plan.status,
            period: sp.plan.period,
        }),
        &[Phase::Plan],
        today,
    )
    .await?;
    Ok(sp)
}

/// Refuses an item of level `child` under `parent` (`None`: at the top) unless its level
/// is the one right after the parent's in the plan's levels (a 戦略 under a 経営課題, a
/// 具体的取組 under a 戦略), or the first level at the top; nothing goes under the lowest
/// level (a 取組項目 of a one-level plan). Levels the plan does not name (an imported
/// document's own headings) are not judged.
pub fn check_level(sp: &StoredPlan, parent: Option<NodeId>, child: &str) -> Result<(), AppError> {
    let levels = &sp.plan.level_names;
    let at = |l: &str| levels.iter().position(|x| x == l);
    let Some(ci) = at(child) else {
        return Ok(());
    };
    let refuse = |message: String| {
        Err(AppError::Store(StoreError::Field {
            field: "level".into(),
            message,
        }))
    };
    let Some(parent) = parent else {
        return match levels.first() {
            Some(first) if ci != 0 => refuse(format!(
                "最上位に置けるのは「{first}」です（「{child}」は上位の項目の下に追加してください）。 Only a {first} can be at the top level; add a {child} under the item above it."
            )),
            _ => Ok(()),
        };
    };
    let Some(p) = sp.nodes.iter().find(|n| n.node.id == parent) else {
        return Ok(());
    };
    let Some(pi) = at(&p.node.level) else {
        return Ok(());
    };
    match levels.get(pi + 1) {
        Some(next) if ci != pi + 1 => refuse(format!(
            "「{}」の下に置けるのは「{next}」です（「{child}」は置けません）。 Under a {} only a {next} can be placed, not a {child}.",
            p.node.level, p.node.level
        )),
        None => refuse(format!(
            "「{}」の下には項目を置けません（最も下の階層です）。 Nothing can be placed under a {} (the lowest level).",
            p.node.level, p.node.level
        )),
        _ => Ok(()),
    }
}

/// A new, empty plan for `unit`: the family's levels, the period, a title. Refused when
/// the unit has a plan of that family for that period already.
pub async fn create_plan(
    store: &Store,
    caller: &Caller,
    unit: UnitId,
    family: Family,
    period: Period,
    title: &str,
) -> Result<PlanId, AppError> {
    let (tree, m) = tree_of(store, unit).await?;
    check_in_store(
        store,
        caller,
        &tree,
        m,
        Action::CreatePlan { unit },
        None,
        &[],
        Date::MAX,
    )
    .await?;
    let content = PlanContent {
        family,
        period,
        title: title.trim().to_string(),
        level_names: family.default_levels(),
        nodes: Vec::new(),
        links: Vec::new(),
        is_sample: false,
    };
    Ok(store.save_plan(&caller.name, unit, &content).await?)
}

/// Adds an item under `parent` (or at the top level).
pub async fn add_item(
    store: &Store,
    caller: &Caller,
    plan: PlanId,
    parent: Option<NodeId>,
    new: &NewNode<'_>,
    today: Date,
) -> Result<NodeId, AppError> {
    let sp = guard(store, caller, plan, today).await?;
    check_level(&sp, parent, new.level)?;
    Ok(store.add_node(&caller.name, plan, parent, new).await?)
}

/// Deletes an item with what hangs only under it (see [`Store::delete_scope`]), if the
/// plan is still at `expected_version` (what the confirmation showed).
pub async fn delete_item(
    store: &Store,
    caller: &Caller,
    node: NodeId,
    expected_version: i64,
    today: Date,
) -> Result<DeleteScope, AppError> {
    let plan = store.node_plan(node).await?;
    guard(store, caller, plan, today).await?;
    Ok(store
        .delete_node(&caller.name, node, expected_version)
        .await?)
}

/// Restores a deleted item of `plan` from the history.
pub async fn restore_item(
    store: &Store,
    caller: &Caller,
    plan: PlanId,
    deleted: NodeId,
    today: Date,
) -> Result<NodeId, AppError> {
    guard(store, caller, plan, today).await?;
    let changes = store.history("node", deleted.0).await?;
    let of_plan = changes.iter().rev().find_map(|c| {
        c.before
            .as_ref()
            .filter(|_| c.after.is_none())
            .and_then(|b| b["plan_id"].as_i64())
    });
    if of_plan != Some(plan.0) {
        return Err(AppError::Store(kusei_store::StoreError::NotFound(format!(
            "a deleted item {deleted} of plan {plan}"
        ))));
    }
    Ok(store.restore_node(&caller.name, deleted).await?)
}

/// Moves an item one place among its siblings.
pub async fn move_item(
    store: &Store,
    caller: &Caller,
    node: NodeId,
    direction: Move,
    today: Date,
) -> Result<bool, AppError> {
    let plan = store.node_plan(node).await?;
    guard(store, caller, plan, today).await?;
    Ok(store.move_node(&caller.name, node, direction).await?)
}

/// Shows `child` again under `parent` (再掲).
pub async fn repeat_item(
    store: &Store,
    caller: &Caller,
    parent: NodeId,
    child: NodeId,
    today: Date,
) -> Result<(), AppError> {
    let plan = store.node_plan(child).await?;
    let sp = guard(store, caller, plan, today).await?;
    if let Some(c) = sp.nodes.iter().find(|n| n.node.id == child) {
        check_level(&sp, Some(parent), &c.node.level).map_err(|e| match e {
            AppError::Store(StoreError::Field { message, .. }) => {
                AppError::Store(StoreError::Field {
                    field: "parent".into(),
                    message,
                })
            }
            other => other,
        })?;
    }
    Ok(store.add_repeat(&caller.name, parent, child).await?)
}

/// Ends a 再掲 of `child` under `parent`; false when it was not shown there.
pub async fn remove_repeat(
    store: &Store,
    caller: &Caller,
    parent: NodeId,
    child: NodeId,
    today: Date,
) -> Result<bool, AppError> {
    let plan = store.node_plan(child).await?;
    guard(store, caller, plan, today).await?;
    Ok(store.remove_repeat(&caller.name, parent, child).await?)
}

/// Sets (or clears) the 担当 of items of `plan`. Returns how many changed.
pub async fn assign_owner(
    store: &Store,
    caller: &Caller,
    plan: PlanId,
    nodes: &[NodeId],
    owner: Option<UnitId>,
    today: Date,
) -> Result<usize, AppError> {
    guard(store, caller, plan, today).await?;
    Ok(store.set_owners(&caller.name, plan, nodes, owner).await?)
}
