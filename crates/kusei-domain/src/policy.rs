//! Who may do what: pure functions over a user's roles and the unit tree, so the rules
//! are tested without HTTP and every handler asks the same questions.
//!
//! | role            | may                                                            |
//! |-----------------|----------------------------------------------------------------|
//! | city_admin      | units, users, schedule, settings; read everything; publish     |
//! | ward_editor     | edit plans of its ward (and units under it); submit; copy forward; import |
//! | section_editor  | edit the initiatives its section owns                          |
//! | approver        | approve, return, publish plans of its unit (and units under it) |
//! | council_member  | read unpublished drafts of its ward, comment                   |
//! | anyone          | read published versions                                        |

use crate::model::{Unit, UnitId};
use crate::workflow::Transition;
use std::collections::HashMap;

/// The roles Kusei knows, by their stored code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    CityAdmin,
    WardEditor,
    SectionEditor,
    Approver,
    CouncilMember,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::CityAdmin,
        Role::WardEditor,
        Role::SectionEditor,
        Role::Approver,
        Role::CouncilMember,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Role::CityAdmin => "city_admin",
            Role::WardEditor => "ward_editor",
            Role::SectionEditor => "section_editor",
            Role::Approver => "approver",
            Role::CouncilMember => "council_member",
        }
    }
    pub fn from_code(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Role::CityAdmin => "市の管理者",
            Role::WardEditor => "区の編集者",
            Role::SectionEditor => "担当の編集者",
            Role::Approver => "承認者（区長・課長）",
            Role::CouncilMember => "区政会議委員",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Role::CityAdmin => "City administrator",
            Role::WardEditor => "Ward editor",
            Role::SectionEditor => "Section editor",
            Role::Approver => "Approver",
            Role::CouncilMember => "Ward council member",
        }
    }
}

/// A user's roles, each with the unit it is scoped to (`None`: the whole city).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants(pub Vec<(Role, Option<UnitId>)>);

impl Grants {
    pub fn from_stored(roles: &[(String, Option<UnitId>)]) -> Grants {
        Grants(
            roles
                .iter()
                .filter_map(|(r, u)| Role::from_code(r).map(|r| (r, *u)))
                .collect(),
        )
    }
    pub fn has(&self, role: Role) -> bool {
        self.0.iter().any(|(r, _)| *r == role)
    }
    fn scopes(&self, role: Role) -> impl Iterator<Item = Option<UnitId>> + '_ {
        self.0
            .iter()
            .filter(move |(r, _)| *r == role)
            .map(|(_, u)| *u)
    }
}

/// The unit tree of one municipality: parent of every unit.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    parent: HashMap<UnitId, Option<UnitId>>,
}

impl Tree {
    pub fn new(units: &[Unit]) -> Tree {
        Tree {
            parent: units.iter().map(|u| (u.id, u.parent_id)).collect(),
        }
    }
    /// True when `unit` is `scope` or lies under it. A city-wide scope covers every unit.
    pub fn within(&self, unit: UnitId, scope: Option<UnitId>) -> bool {
        let Some(scope) = scope else { return true };
        let mut cur = Some(unit);
        let mut steps = 0;
        while let Some(u) = cur {
            if u == scope {
                return true;
            }
            cur = self.parent.get(&u).copied().flatten();
            steps += 1;
            if steps > 64 {
                return false; // a cycle in stored data: refuse rather than loop
            }
        }
        false
    }
    /// The units on the way from `unit` up to the top, `unit` first.
    pub fn ancestors(&self, unit: UnitId) -> Vec<UnitId> {
        let mut out = Vec::new();
        let mut cur = Some(unit);
        while let Some(u) = cur {
            if out.contains(&u) || out.len() > 64 {
                break;
            }
            out.push(u);
            cur = self.parent.get(&u).copied().flatten();
        }
        out
    }
}

/// What a request wants to do with a plan, or with the city.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read the working (unpublished) copy of a plan of `plan_unit`.
    ReadDraft { plan_unit: UnitId },
    /// Edit an initiative of a plan of `plan_unit`, owned by `owner` (its 担当).
    EditNode {
        plan_unit: UnitId,
        owner: Option<UnitId>,
    },
    /// Move a plan of `plan_unit` through the workflow.
    Step { plan_unit: UnitId, step: Transition },
    /// Copy a plan of `plan_unit` to the next fiscal year.
    CopyForward { plan_unit: UnitId },
    /// Comment on a plan of `plan_unit` (区政会議).
    Comment { plan_unit: UnitId },
    /// Import a document as a plan of `unit`.
    Import { unit: Option<UnitId> },
    /// Units, users, schedule and settings of the city.
    Administer,
}

/// Why a request is refused (shown to the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub ja: &'static str,
    pub en: &'static str,
}

const NOT_YOURS: Denied = Denied {
    ja: "この操作を行う権限がありません（担当の区・担当以外のデータです）。",
    en: "You are not allowed to do this (it belongs to another ward or section).",
};

/// Decides one action. Every state-changing handler calls this before it writes.
pub fn allow(grants: &Grants, tree: &Tree, action: Action) -> Result<(), Denied> {
    let any = |role: Role, unit: UnitId| grants.scopes(role).any(|s| tree.within(unit, s));
    let ok = match action {
        Action::ReadDraft { plan_unit } => {
            grants.has(Role::CityAdmin)
                || [
                    Role::WardEditor,
                    Role::Approver,
                    Role::CouncilMember,
                ]
                .into_iter()
                .any(|r| any(r, plan_unit))
                // A section editor sees the plan its initiatives belong to.
                || grants
                    .scopes(Role::SectionEditor)
                    .flatten()
                    .any(|s| tree.ancestors(s).contains(&plan_unit) || tree.within(plan_unit, Some(s)))
        }
        Action::EditNode { plan_unit, owner } => {
            any(Role::WardEditor, plan_unit)
                || owner.is_some_and(|o| {
                    grants
                        .scopes(Role::SectionEditor)
                        .any(|s| s.is_some() && tree.within(o, s))
                        && tree.within(o, Some(plan_unit))
                })
        }
        Action::Step { plan_unit, step } => match step {
            Transition::Submit => any(Role::WardEditor, plan_unit),
            Transition::Approve | Transition::Return => any(Role::Approver, plan_unit),
            Transition::Publish => any(Role::Approver, plan_unit) || grants.has(Role::CityAdmin),
        },
        Action::CopyForward { plan_unit } => any(Role::WardEditor, plan_unit),
        Action::Comment { plan_unit } => any(Role::CouncilMember, plan_unit),
        Action::Import { unit } => {
            grants.has(Role::CityAdmin) || unit.is_some_and(|u| any(Role::WardEditor, u))
        }
        Action::Administer => grants.has(Role::CityAdmin),
    };
    if ok {
        Ok(())
    } else {
        Err(NOT_YOURS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MunicipalityId, UnitKind};

    fn unit(id: i64, parent: Option<i64>, kind: UnitKind) -> Unit {
        Unit {
            id: UnitId(id),
            municipality_id: MunicipalityId(1),
            parent_id: parent.map(UnitId),
            kind,
            name: format!("u{id}"),
            phone: None,
            fax: None,
            duties: None,
        }
    }

    // 1 city; 2 東区 ← 3 総務課 ← 4 総合企画; 5 西区 ← 6 企画担当
    fn tree() -> Tree {
        Tree::new(&[
            unit(1, None, UnitKind::City),
            unit(2, None, UnitKind::Ward),
            unit(3, Some(2), UnitKind::Division),
            unit(4, Some(3), UnitKind::Section),
            unit(5, None, UnitKind::Ward),
            unit(6, Some(5), UnitKind::Section),
        ])
    }

    fn g(role: Role, unit: Option<i64>) -> Grants {
        Grants(vec![(role, unit.map(UnitId))])
    }

    #[test]
    fn scopes_follow_the_unit_tree() {
        let t = tree();
        assert!(t.within(UnitId(4), Some(UnitId(2))));
        assert!(!t.within(UnitId(6), Some(UnitId(2))));
        assert!(t.within(UnitId(6), None));
        assert_eq!(
            t.ancestors(UnitId(4)),
            vec![UnitId(4), UnitId(3), UnitId(2)]
        );
    }

    #[test]
    fn every_role_against_every_action() {
        let t = tree();
        let east = UnitId(2);
        let west = UnitId(5);
        let edit_east_own = Action::EditNode {
            plan_unit: east,
            owner: Some(UnitId(4)),
        };
        let edit_east_other = Action::EditNode {
            plan_unit: east,
            owner: Some(UnitId(3)),
        };
        let edit_west = Action::EditNode {
            plan_unit: west,
            owner: Some(UnitId(6)),
        };
        let step = |plan_unit, step| Action::Step { plan_unit, step };
        // (grants, action, allowed)
        let cases: Vec<(Grants, Action, bool)> = vec![
            (g(Role::WardEditor, Some(2)), edit_east_own, true),
            (g(Role::WardEditor, Some(2)), edit_west, false),
            (
                g(Role::WardEditor, Some(2)),
                step(east, Transition::Submit),
                true,
            ),
            (
                g(Role::WardEditor, Some(2)),
                step(west, Transition::Submit),
                false,
            ),
            (
                g(Role::WardEditor, Some(2)),
                step(east, Transition::Approve),
                false,
            ),
            (
                g(Role::WardEditor, Some(2)),
                step(east, Transition::Publish),
                false,
            ),
            (
                g(Role::WardEditor, Some(2)),
                Action::CopyForward { plan_unit: east },
                true,
            ),
            (
                g(Role::WardEditor, Some(2)),
                Action::CopyForward { plan_unit: west },
                false,
            ),
            (g(Role::WardEditor, Some(2)), Action::Administer, false),
            (
                g(Role::WardEditor, Some(2)),
                Action::Import { unit: Some(east) },
                true,
            ),
            (
                g(Role::WardEditor, Some(2)),
                Action::Import { unit: Some(west) },
                false,
            ),
            (g(Role::SectionEditor, Some(4)), edit_east_own, true),
            (g(Role::SectionEditor, Some(4)), edit_east_other, false),
            (g(Role::SectionEditor, Some(4)), edit_west, false),
            (
                g(Role::SectionEditor, Some(4)),
                Action::ReadDraft { plan_unit: east },
                true,
            ),
            (
                g(Role::SectionEditor, Some(4)),
                Action::ReadDraft { plan_unit: west },
                false,
            ),
            (
                g(Role::SectionEditor, Some(4)),
                step(east, Transition::Submit),
                false,
            ),
            (
                g(Role::Approver, Some(2)),
                step(east, Transition::Approve),
                true,
            ),
            (
                g(Role::Approver, Some(2)),
                step(east, Transition::Return),
                true,
            ),
            (
                g(Role::Approver, Some(2)),
                step(east, Transition::Publish),
                true,
            ),
            (
                g(Role::Approver, Some(2)),
                step(west, Transition::Approve),
                false,
            ),
            (g(Role::Approver, Some(2)), edit_east_own, false),
            (
                g(Role::CouncilMember, Some(2)),
                Action::ReadDraft { plan_unit: east },
                true,
            ),
            (
                g(Role::CouncilMember, Some(2)),
                Action::ReadDraft { plan_unit: west },
                false,
            ),
            (
                g(Role::CouncilMember, Some(2)),
                Action::Comment { plan_unit: east },
                true,
            ),
            (
                g(Role::CouncilMember, Some(2)),
                Action::Comment { plan_unit: west },
                false,
            ),
            (g(Role::CouncilMember, Some(2)), edit_east_own, false),
            (g(Role::CityAdmin, None), Action::Administer, true),
            (
                g(Role::CityAdmin, None),
                Action::ReadDraft { plan_unit: west },
                true,
            ),
            (
                g(Role::CityAdmin, None),
                step(west, Transition::Publish),
                true,
            ),
            (
                g(Role::CityAdmin, None),
                step(west, Transition::Approve),
                false,
            ),
            (g(Role::CityAdmin, None), edit_west, false),
            (
                Grants::default(),
                Action::ReadDraft { plan_unit: east },
                false,
            ),
            (Grants::default(), edit_east_own, false),
        ];
        for (grants, action, allowed) in cases {
            assert_eq!(
                allow(&grants, &t, action).is_ok(),
                allowed,
                "{grants:?} {action:?}"
            );
        }
    }
}
