//! The one guard of every write of plan content, whichever way it comes in (form, text
//! import, workbook import, CLI, API): in this order, the role policy over the unit tree,
//! the plan's status, and the schedule window of each phase the write touches. The store
//! then checks the version (and the status again, in the write's transaction).

use crate::AppError;
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::model::{MunicipalityId, Period, Phase, PlanStatus, UnitId};
use kusei_domain::policy::{allow, Action, Grants, Role, Scope, Tree};
use kusei_domain::workflow::{editable, open_window, Refusal, Window};
use kusei_store::Store;

/// Who asks: the name recorded in the history, and the roles the policy reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub grants: Grants,
}

impl Caller {
    pub fn new(name: impl Into<String>, grants: Grants) -> Caller {
        Caller {
            name: name.into(),
            grants,
        }
    }
    /// The operator of a command-line tool: whoever can run it can open the database, so
    /// the role policy grants system administration (every municipality). Plan status
    /// and schedule windows still apply.
    pub fn operator(name: impl Into<String>) -> Caller {
        Caller::new(name, Grants(vec![(Role::SystemAdmin, Scope::System)]))
    }
}

/// What a write of plan content needs to know about its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanState {
    pub status: PlanStatus,
    pub period: Period,
}

/// Decides a write: the role policy, then the plan's status (when the write changes an
/// existing plan), then the window of every phase it touches. Returns, per phase in
/// `phases`, the fiscal year whose window is open.
pub fn check(
    grants: &Grants,
    tree: &Tree,
    action: Action,
    plan: Option<PlanState>,
    phases: &[Phase],
    windows: &[Window],
    today: Date,
) -> Result<Vec<FiscalYear>, Refusal> {
    allow(grants, tree, action).map_err(Refusal::Role)?;
    let Some(plan) = plan else {
        return Ok(Vec::new());
    };
    if phases.is_empty() {
        return Ok(Vec::new());
    }
    editable(plan.status)?;
    phases
        .iter()
        .map(|p| open_window(windows, *p, plan.period, today))
        .collect()
}

/// The unit tree of the municipality a unit belongs to.
pub async fn tree_of(store: &Store, unit: UnitId) -> Result<(Tree, MunicipalityId), AppError> {
    let u = store.get_unit(unit).await?;
    let units = store.list_units(u.municipality_id).await?;
    Ok((Tree::new(u.municipality_id, &units), u.municipality_id))
}

/// The unit tree of a municipality.
pub async fn tree_of_municipality(store: &Store, m: MunicipalityId) -> Result<Tree, AppError> {
    let units = store.list_units(m).await?;
    Ok(Tree::new(m, &units))
}

/// [`check`] with the schedule read from the store.
#[allow(clippy::too_many_arguments)]
pub async fn check_in_store(
    store: &Store,
    caller: &Caller,
    tree: &Tree,
    municipality: MunicipalityId,
    action: Action,
    plan: Option<PlanState>,
    phases: &[Phase],
    today: Date,
) -> Result<Vec<FiscalYear>, AppError> {
    let windows = if plan.is_some() && !phases.is_empty() {
        store.windows(municipality).await?
    } else {
        Vec::new()
    };
    Ok(check(
        &caller.grants,
        tree,
        action,
        plan,
        phases,
        &windows,
        today,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kusei_domain::model::{Unit, UnitKind};

    fn tree() -> Tree {
        let unit = |id, parent: Option<i64>, kind| Unit {
            id: UnitId(id),
            municipality_id: MunicipalityId(1),
            parent_id: parent.map(UnitId),
            kind,
            name: format!("u{id}"),
            phone: None,
            fax: None,
            duties: None,
            retired_at: None,
        };
        Tree::new(
            MunicipalityId(1),
            &[unit(1, None, UnitKind::Ward), unit(2, None, UnitKind::Ward)],
        )
    }

    #[test]
    fn role_then_status_then_window() {
        let fy = FiscalYear::new(2025).unwrap();
        let today = Date::new(2025, 5, 1).unwrap();
        let editor = Grants(vec![(Role::WardEditor, Scope::Unit(UnitId(1)))]);
        let plan = |status| {
            Some(PlanState {
                status,
                period: Period::year(fy),
            })
        };
        let window = Window {
            fiscal_year: fy,
            phase: Phase::Plan,
            opens_on: Date::new(2025, 4, 1).unwrap(),
            closes_on: Date::new(2025, 5, 31).unwrap(),
        };
        let import = |u| Action::Import {
            unit: Some(UnitId(u)),
        };
        let t = tree();
        // Another ward: the role says no before anything else.
        assert!(matches!(
            check(
                &editor,
                &t,
                import(2),
                plan(PlanStatus::Approved),
                &[Phase::Plan],
                &[],
                today
            ),
            Err(Refusal::Role(_))
        ));
        assert_eq!(
            check(
                &editor,
                &t,
                import(1),
                plan(PlanStatus::Approved),
                &[Phase::Plan],
                &[window],
                today
            ),
            Err(Refusal::Locked(PlanStatus::Approved))
        );
        assert!(matches!(
            check(
                &editor,
                &t,
                import(1),
                plan(PlanStatus::Draft),
                &[Phase::Evaluation],
                &[window],
                today
            ),
            Err(Refusal::NoWindow { .. })
        ));
        assert_eq!(
            check(
                &editor,
                &t,
                import(1),
                plan(PlanStatus::Published),
                &[Phase::Plan],
                &[window],
                today
            ),
            Ok(vec![fy])
        );
        // A new plan, or a revision that changes nothing, needs no window.
        assert_eq!(
            check(&editor, &t, import(1), None, &[Phase::Plan], &[], today),
            Ok(vec![])
        );
        assert_eq!(
            check(
                &editor,
                &t,
                import(1),
                plan(PlanStatus::Approved),
                &[],
                &[],
                today
            ),
            Ok(vec![])
        );
    }
}
