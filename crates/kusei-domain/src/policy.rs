//! Who may do what: pure functions over a user's roles and the unit tree, so the rules
//! are tested without HTTP and every handler asks the same questions.
//!
//! | role            | may                                                            |
//! |-----------------|----------------------------------------------------------------|
//! | system_admin    | municipalities (create, rename); everything a city_admin may, in every municipality |
//! | city_admin      | units, users, schedule, settings of its municipality; read its drafts; publish there; import |
//! | ward_editor     | edit plans of its ward (and units under it); submit; copy forward; import |
//! | section_editor  | edit the initiatives its section owns                          |
//! | approver        | approve, return, publish plans of its unit (and units under it) |
//! | council_member  | read unpublished drafts of its ward, comment                   |
//! | anyone          | read published versions                                        |
//!
//! A grant is a role with a [`Scope`]: the whole system (system_admin only), one
//! municipality, or one unit and the units under it. A [`Tree`] is the unit tree of one
//! municipality and knows which one, so "administer this municipality" is a question the
//! tree answers.

use crate::model::{MunicipalityId, Unit, UnitId, UnitKind};
use crate::workflow::Transition;
use std::collections::HashMap;

/// The roles Kusei knows, by their stored code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    SystemAdmin,
    CityAdmin,
    WardEditor,
    SectionEditor,
    Approver,
    CouncilMember,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::SystemAdmin,
        Role::CityAdmin,
        Role::WardEditor,
        Role::SectionEditor,
        Role::Approver,
        Role::CouncilMember,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
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
            Role::SystemAdmin => "システム管理者",
            Role::CityAdmin => "市の管理者",
            Role::WardEditor => "区の編集者",
            Role::SectionEditor => "担当の編集者",
            Role::Approver => "承認者（区長・課長）",
            Role::CouncilMember => "区政会議委員",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Role::SystemAdmin => "System administrator",
            Role::CityAdmin => "City administrator",
            Role::WardEditor => "Ward editor",
            Role::SectionEditor => "Section editor",
            Role::Approver => "Approver",
            Role::CouncilMember => "Ward council member",
        }
    }
    /// Whether this role may be given for a unit of `kind`: the ward's editor, approver
    /// and council for a unit that has plans (a ward, a bureau, the city), a section's
    /// editor for a 課 or 担当 (never a whole ward). Administrators have no unit.
    pub fn fits_unit(self, kind: crate::model::UnitKind) -> bool {
        use crate::model::UnitKind;
        match self {
            Role::WardEditor | Role::Approver | Role::CouncilMember => {
                matches!(kind, UnitKind::Ward | UnitKind::Bureau | UnitKind::City)
            }
            Role::SectionEditor => matches!(kind, UnitKind::Division | UnitKind::Section),
            Role::SystemAdmin | Role::CityAdmin => false,
        }
    }
    /// The one role whose scope is the whole system (and no other scope).
    pub fn is_system_wide(self) -> bool {
        self == Role::SystemAdmin
    }
}

/// What a grant covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every municipality (system_admin only).
    System,
    /// One municipality: every unit of it, and the municipality itself.
    Municipality(MunicipalityId),
    /// One unit and the units under it.
    Unit(UnitId),
}

/// A user's roles, each with its scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants(pub Vec<(Role, Scope)>);

impl Grants {
    /// Grants from stored rows. An unknown role is dropped, and so is a combination that
    /// means nothing: `system_admin` other than system-wide, or any other role system-wide
    /// (a city_admin left without a municipality by an old database, see ARCHITECTURE).
    pub fn from_stored(roles: &[(String, Scope)]) -> Grants {
        Grants(
            roles
                .iter()
                .filter_map(|(r, s)| Role::from_code(r).map(|r| (r, *s)))
                .filter(|(r, s)| r.is_system_wide() == (*s == Scope::System))
                .collect(),
        )
    }
    pub fn has(&self, role: Role) -> bool {
        self.0.iter().any(|(r, _)| *r == role)
    }
    fn scopes(&self, role: Role) -> impl Iterator<Item = Scope> + '_ {
        self.0
            .iter()
            .filter(move |(r, _)| *r == role)
            .map(|(_, s)| *s)
    }
    /// Unit scopes of a role (the section editor's 担当).
    pub fn unit_scopes(&self, role: Role) -> impl Iterator<Item = UnitId> + '_ {
        self.scopes(role).filter_map(|s| match s {
            Scope::Unit(u) => Some(u),
            _ => None,
        })
    }
}

/// The unit tree of one municipality: which municipality, and the parent of every unit.
/// `Tree::default()` belongs to no municipality (for system-wide actions): only a
/// system-wide scope covers anything in it.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    municipality: Option<MunicipalityId>,
    parent: HashMap<UnitId, Option<UnitId>>,
    kind: HashMap<UnitId, UnitKind>,
}

impl Tree {
    /// The tree of `municipality`; `units` are its units (others are ignored).
    pub fn new(municipality: MunicipalityId, units: &[Unit]) -> Tree {
        let own = || units.iter().filter(|u| u.municipality_id == municipality);
        Tree {
            municipality: Some(municipality),
            parent: own().map(|u| (u.id, u.parent_id)).collect(),
            kind: own().map(|u| (u.id, u.kind)).collect(),
        }
    }
    /// The organisation a unit works in: the unit and its ancestors up to the first ward,
    /// city or bureau (a section of 東区 works in 東区, not in the city above it).
    pub fn organisation(&self, unit: UnitId) -> Vec<UnitId> {
        let mut out = Vec::new();
        for u in self.ancestors(unit) {
            out.push(u);
            if matches!(
                self.kind.get(&u),
                Some(UnitKind::Ward | UnitKind::City | UnitKind::Bureau)
            ) {
                break;
            }
        }
        out
    }
    pub fn municipality(&self) -> Option<MunicipalityId> {
        self.municipality
    }
    /// True when the scope covers the whole municipality of this tree.
    pub fn covers(&self, scope: Scope) -> bool {
        match scope {
            Scope::System => true,
            Scope::Municipality(m) => self.municipality == Some(m),
            Scope::Unit(_) => false,
        }
    }
    /// True when `unit` (a unit of this tree) lies within `scope`: anywhere for a system
    /// scope, a unit of this municipality for a municipality scope, `scope` itself or under
    /// it for a unit scope.
    pub fn within(&self, unit: UnitId, scope: Scope) -> bool {
        let scope = match scope {
            Scope::System => return true,
            Scope::Municipality(_) => return self.covers(scope) && self.parent.contains_key(&unit),
            Scope::Unit(u) => u,
        };
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
    /// Change the structure of a plan of `plan_unit`: add, delete, move and 再掲 items,
    /// set their 担当.
    EditStructure { plan_unit: UnitId },
    /// Write a new plan for `unit` in the browser.
    CreatePlan { unit: UnitId },
    /// Give an opinion on a plan of `plan_unit` or one of its items, as a member of its
    /// council (区政会議).
    Comment { plan_unit: UnitId },
    /// Read the council of `ward` in full: every opinion, answer and meeting, published
    /// or not (the ward's staff and its council).
    ReadCouncil { ward: UnitId },
    /// Keep the council of `ward`: its meetings, and opinions entered from the minutes.
    KeepCouncil { ward: UnitId },
    /// Answer an opinion to `ward` on an item whose 担当 is `owner`; `sections`: the ward
    /// lets section editors answer the opinions on their own items.
    AnswerOpinion {
        ward: UnitId,
        owner: Option<UnitId>,
        sections: bool,
    },
    /// Publish the ward's answers (and with them the opinions they answer).
    PublishAnswers { ward: UnitId },
    /// Import a document as a plan of `unit` (`None`: a new ward of the tree's
    /// municipality).
    Import { unit: Option<UnitId> },
    /// Units, users, schedule and settings of the tree's municipality.
    Administer,
    /// Create and rename municipalities; grant system administration.
    ManageMunicipalities,
}

/// Why a request is refused (shown to the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub ja: &'static str,
    pub en: &'static str,
}

/// The refusal of an action the caller's roles do not cover.
pub const NOT_YOURS: Denied = Denied {
    ja: "この操作を行う権限がありません（あなたの役割ではできない操作か、担当の自治体・区・課の外のデータです）。",
    en: "You are not allowed to do this (your role does not include it, or it belongs to another municipality, ward or section).",
};

/// Decides one action. Every state-changing handler calls this before it writes.
pub fn allow(grants: &Grants, tree: &Tree, action: Action) -> Result<(), Denied> {
    let any = |role: Role, unit: UnitId| grants.scopes(role).any(|s| tree.within(unit, s));
    // A city admin of this municipality, or a system admin.
    let admin_of = |unit: UnitId| any(Role::SystemAdmin, unit) || any(Role::CityAdmin, unit);
    let administers = [Role::SystemAdmin, Role::CityAdmin]
        .into_iter()
        .any(|r| grants.scopes(r).any(|s| tree.covers(s)));
    let ok = match action {
        Action::ReadDraft { plan_unit } => {
            admin_of(plan_unit)
                || [
                    Role::WardEditor,
                    Role::Approver,
                    Role::CouncilMember,
                ]
                .into_iter()
                .any(|r| any(r, plan_unit))
                // A section editor sees the plan its initiatives belong to: its own ward's
                // (or bureau's), never the city's above it.
                || grants
                    .unit_scopes(Role::SectionEditor)
                    .any(|s| tree.organisation(s).contains(&plan_unit) || tree.within(plan_unit, Scope::Unit(s)))
        }
        Action::EditNode { plan_unit, owner } => {
            any(Role::WardEditor, plan_unit)
                || owner.is_some_and(|o| {
                    grants
                        .unit_scopes(Role::SectionEditor)
                        .any(|s| tree.within(o, Scope::Unit(s)))
                        && tree.within(o, Scope::Unit(plan_unit))
                })
        }
        Action::Step { plan_unit, step } => match step {
            Transition::Submit => any(Role::WardEditor, plan_unit),
            Transition::Approve | Transition::Return => any(Role::Approver, plan_unit),
            Transition::Publish => any(Role::Approver, plan_unit) || admin_of(plan_unit),
        },
        Action::CopyForward { plan_unit } => any(Role::WardEditor, plan_unit),
        Action::EditStructure { plan_unit } => any(Role::WardEditor, plan_unit),
        Action::CreatePlan { unit } => any(Role::WardEditor, unit) || admin_of(unit),
        Action::Comment { plan_unit } => any(Role::CouncilMember, plan_unit),
        Action::ReadCouncil { ward } => {
            return allow(grants, tree, Action::ReadDraft { plan_unit: ward });
        }
        Action::KeepCouncil { ward } => any(Role::WardEditor, ward),
        Action::AnswerOpinion {
            ward,
            owner,
            sections,
        } => {
            any(Role::WardEditor, ward)
                || (sections
                    && owner.is_some_and(|o| {
                        tree.within(o, Scope::Unit(ward))
                            && grants
                                .unit_scopes(Role::SectionEditor)
                                .any(|s| tree.within(o, Scope::Unit(s)))
                    }))
        }
        Action::PublishAnswers { ward } => {
            any(Role::WardEditor, ward) || any(Role::Approver, ward) || admin_of(ward)
        }
        Action::Import { unit } => match unit {
            Some(u) => admin_of(u) || any(Role::WardEditor, u),
            None => administers,
        },
        Action::Administer => administers,
        Action::ManageMunicipalities => {
            grants.scopes(Role::SystemAdmin).any(|s| s == Scope::System)
        }
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
    use crate::model::UnitKind;

    fn unit_in(m: i64, id: i64, parent: Option<i64>, kind: UnitKind) -> Unit {
        Unit {
            id: UnitId(id),
            municipality_id: MunicipalityId(m),
            parent_id: parent.map(UnitId),
            kind,
            name: format!("u{id}"),
            phone: None,
            fax: None,
            duties: None,
            retired_at: None,
        }
    }
    fn unit(id: i64, parent: Option<i64>, kind: UnitKind) -> Unit {
        unit_in(1, id, parent, kind)
    }

    // Municipality 1: 1 city; 2 東区 ← 3 総務課 ← 4 総合企画; 5 西区 ← 6 企画担当
    fn tree() -> Tree {
        Tree::new(
            MunicipalityId(1),
            &[
                unit(1, None, UnitKind::City),
                unit(2, None, UnitKind::Ward),
                unit(3, Some(2), UnitKind::Division),
                unit(4, Some(3), UnitKind::Section),
                unit(5, None, UnitKind::Ward),
                unit(6, Some(5), UnitKind::Section),
            ],
        )
    }

    #[test]
    fn a_section_editor_reads_its_wards_plan_never_the_citys_above_it() {
        // 1 city ← 2 東区 ← 3 総務課 ← 4 総合企画 (wards under the city, as set up).
        let t = Tree::new(
            MunicipalityId(1),
            &[
                unit(1, None, UnitKind::City),
                unit(2, Some(1), UnitKind::Ward),
                unit(3, Some(2), UnitKind::Division),
                unit(4, Some(3), UnitKind::Section),
            ],
        );
        let g = Grants(vec![(Role::SectionEditor, Scope::Unit(UnitId(4)))]);
        let read = |u| {
            allow(
                &g,
                &t,
                Action::ReadDraft {
                    plan_unit: UnitId(u),
                },
            )
            .is_ok()
        };
        assert!(read(2), "its ward's plan");
        assert!(!read(1), "the city's plan");
        assert_eq!(t.organisation(UnitId(4)), [UnitId(4), UnitId(3), UnitId(2)]);
    }

    // Municipality 2: 11 北区 ← 12 企画担当
    fn other_tree() -> Tree {
        Tree::new(
            MunicipalityId(2),
            &[
                unit_in(2, 11, None, UnitKind::Ward),
                unit_in(2, 12, Some(11), UnitKind::Section),
            ],
        )
    }

    fn g(role: Role, unit: Option<i64>) -> Grants {
        Grants(vec![(
            role,
            unit.map_or(Scope::System, |u| Scope::Unit(UnitId(u))),
        )])
    }
    fn city_admin(m: i64) -> Grants {
        Grants(vec![(
            Role::CityAdmin,
            Scope::Municipality(MunicipalityId(m)),
        )])
    }
    fn system_admin() -> Grants {
        Grants(vec![(Role::SystemAdmin, Scope::System)])
    }

    #[test]
    fn scopes_follow_the_unit_tree() {
        let t = tree();
        assert!(t.within(UnitId(4), Scope::Unit(UnitId(2))));
        assert!(!t.within(UnitId(6), Scope::Unit(UnitId(2))));
        assert!(t.within(UnitId(6), Scope::System));
        assert!(t.within(UnitId(6), Scope::Municipality(MunicipalityId(1))));
        assert!(!t.within(UnitId(6), Scope::Municipality(MunicipalityId(2))));
        // A unit of another municipality is not "in" this municipality.
        assert!(!t.within(UnitId(11), Scope::Municipality(MunicipalityId(1))));
        assert!(t.covers(Scope::Municipality(MunicipalityId(1))));
        assert!(!t.covers(Scope::Municipality(MunicipalityId(2))));
        assert!(!t.covers(Scope::Unit(UnitId(2))));
        assert!(!Tree::default().covers(Scope::Municipality(MunicipalityId(1))));
        assert_eq!(
            t.ancestors(UnitId(4)),
            vec![UnitId(4), UnitId(3), UnitId(2)]
        );
        // Units of another municipality passed by mistake stay out of the tree.
        let mixed = Tree::new(
            MunicipalityId(1),
            &[
                unit(2, None, UnitKind::Ward),
                unit_in(2, 11, None, UnitKind::Ward),
            ],
        );
        assert!(!mixed.within(UnitId(11), Scope::Municipality(MunicipalityId(1))));
    }

    #[test]
    fn stored_grants_keep_only_meaningful_scopes() {
        let m = Scope::Municipality(MunicipalityId(1));
        let stored = vec![
            ("system_admin".to_string(), Scope::System),
            ("system_admin".to_string(), m),
            // An old city admin without a municipality: no power until it is scoped.
            ("city_admin".to_string(), Scope::System),
            ("city_admin".to_string(), m),
            ("ward_editor".to_string(), Scope::Unit(UnitId(2))),
            ("no_such_role".to_string(), m),
        ];
        assert_eq!(
            Grants::from_stored(&stored).0,
            vec![
                (Role::SystemAdmin, Scope::System),
                (Role::CityAdmin, m),
                (Role::WardEditor, Scope::Unit(UnitId(2))),
            ]
        );
        assert_eq!(
            Grants::from_stored(&[("city_admin".to_string(), Scope::System)]),
            Grants::default()
        );
    }

    #[test]
    fn administration_stays_in_its_municipality() {
        let (a, b, none) = (tree(), other_tree(), Tree::default());
        let north = UnitId(11);
        let west = UnitId(5);
        let publish = |plan_unit| Action::Step {
            plan_unit,
            step: Transition::Publish,
        };
        // (grants, tree, action, allowed)
        let cases: Vec<(Grants, &Tree, Action, bool)> = vec![
            (city_admin(1), &a, Action::Administer, true),
            (city_admin(1), &b, Action::Administer, false),
            (city_admin(1), &none, Action::Administer, false),
            (city_admin(1), &a, Action::ManageMunicipalities, false),
            (
                city_admin(1),
                &a,
                Action::ReadDraft { plan_unit: west },
                true,
            ),
            (
                city_admin(1),
                &b,
                Action::ReadDraft { plan_unit: north },
                false,
            ),
            (city_admin(1), &a, publish(west), true),
            (city_admin(1), &b, publish(north), false),
            (city_admin(1), &a, Action::Import { unit: Some(west) }, true),
            (city_admin(1), &a, Action::Import { unit: None }, true),
            (
                city_admin(1),
                &b,
                Action::Import { unit: Some(north) },
                false,
            ),
            (city_admin(1), &b, Action::Import { unit: None }, false),
            // A unit id of B slipped into a request about A's tree is still not A's.
            (
                city_admin(1),
                &a,
                Action::ReadDraft { plan_unit: north },
                false,
            ),
            (city_admin(1), &a, publish(north), false),
            (city_admin(2), &b, Action::Administer, true),
            (city_admin(2), &a, Action::Administer, false),
            (system_admin(), &a, Action::Administer, true),
            (system_admin(), &b, Action::Administer, true),
            (system_admin(), &none, Action::ManageMunicipalities, true),
            (
                system_admin(),
                &b,
                Action::ReadDraft { plan_unit: north },
                true,
            ),
            (system_admin(), &b, publish(north), true),
            (system_admin(), &b, Action::Import { unit: None }, true),
            // Administration is not authorship: neither edits nor approves.
            (
                system_admin(),
                &b,
                Action::Step {
                    plan_unit: north,
                    step: Transition::Approve,
                },
                false,
            ),
            (
                system_admin(),
                &b,
                Action::EditNode {
                    plan_unit: north,
                    owner: Some(UnitId(12)),
                },
                false,
            ),
            // A ward-scoped role never administers, even in its own municipality.
            (g(Role::WardEditor, Some(2)), &a, Action::Administer, false),
            (
                g(Role::Approver, Some(2)),
                &a,
                Action::ManageMunicipalities,
                false,
            ),
            (
                Grants::default(),
                &none,
                Action::ManageMunicipalities,
                false,
            ),
        ];
        for (grants, tree, action, allowed) in cases {
            assert_eq!(
                allow(&grants, tree, action).is_ok(),
                allowed,
                "{grants:?} {:?} {action:?}",
                tree.municipality()
            );
        }
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
            (city_admin(1), Action::Administer, true),
            (city_admin(1), Action::ReadDraft { plan_unit: west }, true),
            (city_admin(1), step(west, Transition::Publish), true),
            (city_admin(1), step(west, Transition::Approve), false),
            (city_admin(1), edit_west, false),
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

    #[test]
    fn a_wards_council_is_read_kept_and_answered_by_its_own_people() {
        let t = tree();
        let ward = UnitId(2);
        let member = g(Role::CouncilMember, Some(2));
        let other_member = g(Role::CouncilMember, Some(5));
        let editor = g(Role::WardEditor, Some(2));
        let section = g(Role::SectionEditor, Some(4));
        let approver = g(Role::Approver, Some(2));
        let ok = |g: &Grants, a| allow(g, &t, a).is_ok();
        assert!(ok(&member, Action::ReadCouncil { ward }));
        assert!(!ok(&other_member, Action::ReadCouncil { ward }));
        assert!(ok(&section, Action::ReadCouncil { ward }));
        assert!(ok(&editor, Action::KeepCouncil { ward }));
        assert!(!ok(&member, Action::KeepCouncil { ward }));
        assert!(!ok(&approver, Action::KeepCouncil { ward }));
        let answer = |owner, sections| Action::AnswerOpinion {
            ward,
            owner,
            sections,
        };
        assert!(ok(&editor, answer(None, false)));
        assert!(
            !ok(&section, answer(Some(UnitId(4)), false)),
            "the ward did not allow it"
        );
        assert!(ok(&section, answer(Some(UnitId(4)), true)), "its own item");
        assert!(
            !ok(&section, answer(Some(UnitId(3)), true)),
            "the division's item"
        );
        assert!(
            !ok(&section, answer(None, true)),
            "an opinion on the whole plan"
        );
        assert!(!ok(&member, answer(None, true)));
        assert!(ok(&approver, Action::PublishAnswers { ward }));
        assert!(ok(&editor, Action::PublishAnswers { ward }));
        assert!(!ok(&section, Action::PublishAnswers { ward }));
        assert!(!ok(
            &g(Role::WardEditor, Some(5)),
            Action::PublishAnswers { ward }
        ));
    }
}
