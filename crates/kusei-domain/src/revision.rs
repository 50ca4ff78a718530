//! Two versions of a plan's content side by side: which node of the old version each node
//! of the new one is, and which phases of the PDCA form the difference touches. The store
//! matches nodes this way when it records a revised import, and the write guard asks which
//! schedule windows a revision needs.

use crate::content::{NodeContent, PlanContent};
use crate::model::{Phase, Section};
use std::collections::{HashMap, VecDeque};

/// Nodes are matched across versions by level and number, or level and title when a node
/// has no number.
pub fn node_key(level: &str, number: Option<&str>, title: &str) -> (String, String) {
    match number {
        Some(n) if !n.trim().is_empty() => (level.to_string(), format!("#{}", n.trim())),
        _ => (level.to_string(), title.trim().to_string()),
    }
}

fn key_of(n: &NodeContent) -> (String, String) {
    node_key(&n.level, n.number.as_deref(), &n.title)
}

/// For each node of `new`, the index of the same node in `old` (repeated keys are matched
/// in document order), or `None` for a node that is new.
pub fn match_nodes(old: &[NodeContent], new: &[NodeContent]) -> Vec<Option<usize>> {
    let mut by_key: HashMap<(String, String), VecDeque<usize>> = HashMap::new();
    for (i, n) in old.iter().enumerate() {
        by_key.entry(key_of(n)).or_default().push_back(i);
    }
    new.iter()
        .map(|n| by_key.get_mut(&key_of(n)).and_then(VecDeque::pop_front))
        .collect()
}

fn sections_of(n: &NodeContent, phase: Phase) -> Vec<&Section> {
    n.sections.iter().filter(|s| s.phase == phase).collect()
}

/// The phases whose content differs between two versions of a node. An owner (担当) that
/// the new version does not name is not a difference: a document that names none keeps
/// the one set in Kusei.
fn node_phases(old: &NodeContent, new: &NodeContent, out: &mut Vec<Phase>) {
    let mut add = |p: Phase| {
        if !out.contains(&p) {
            out.push(p)
        }
    };
    if old.level != new.level
        || old.number != new.number
        || old.title != new.title
        || old.subtitle != new.subtitle
        || old.marks != new.marks
        || (new.owner.is_some() && old.owner != new.owner)
        || old.targets != new.targets
        || sections_of(old, Phase::Plan) != sections_of(new, Phase::Plan)
    {
        add(Phase::Plan);
    }
    if old.reviews != new.reviews
        || sections_of(old, Phase::Review) != sections_of(new, Phase::Review)
    {
        add(Phase::Review);
    }
    if old.evaluations != new.evaluations
        || old.actuals != new.actuals
        || old.milestones != new.milestones
        || sections_of(old, Phase::Evaluation) != sections_of(new, Phase::Evaluation)
    {
        add(Phase::Evaluation);
    }
}

/// The phases (計画 / 中間振り返り / 自己評価) a revision from `old` to `new` changes, in
/// form order. Added or removed nodes, links and level names are the plan's structure
/// (計画). Empty when nothing would change.
pub fn phases_changed(old: &PlanContent, new: &PlanContent) -> Vec<Phase> {
    let mut out = Vec::new();
    let matched = match_nodes(&old.nodes, &new.nodes);
    let mut seen = vec![false; old.nodes.len()];
    for (n, m) in new.nodes.iter().zip(&matched) {
        match m {
            Some(i) => {
                seen[*i] = true;
                node_phases(&old.nodes[*i], n, &mut out);
            }
            None => out.push(Phase::Plan),
        }
    }
    let links = |c: &PlanContent, map: &dyn Fn(usize) -> Option<usize>| {
        let mut l: Vec<_> = c
            .links
            .iter()
            .map(|l| (map(l.parent), map(l.child), l.kind))
            .collect();
        l.sort_by_key(|(p, c, k)| (*p, *c, k.code()));
        l
    };
    let old_links = links(old, &|i| Some(i));
    let new_links = links(new, &|i| matched.get(i).copied().flatten());
    if seen.iter().any(|s| !s) || old_links != new_links || old.level_names != new.level_names {
        out.push(Phase::Plan);
    }
    let mut phases = Vec::new();
    for p in [Phase::Plan, Phase::Review, Phase::Evaluation] {
        if out.contains(&p) {
            phases.push(p);
        }
    }
    phases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::FiscalYear;
    use crate::judgment::Judgment;
    use crate::model::{Evaluation, Family, Period};

    fn plan() -> PlanContent {
        let node = |n: &str, t: &str| NodeContent {
            level: "取組項目".into(),
            number: Some(n.into()),
            title: t.into(),
            ..NodeContent::default()
        };
        PlanContent {
            family: Family::from_code("reform_items").unwrap(),
            period: Period::year(FiscalYear::new(2025).unwrap()),
            title: "t".into(),
            level_names: vec!["取組項目".into()],
            nodes: vec![node("1", "a"), node("2", "b")],
            links: vec![],
            is_sample: false,
        }
    }

    #[test]
    fn the_same_content_changes_no_phase() {
        assert!(phases_changed(&plan(), &plan()).is_empty());
    }

    #[test]
    fn each_kind_of_difference_names_its_phase() {
        let mut p = plan();
        p.nodes[1].title = "b2".into();
        // Matched by number, so a new title is a plan-phase change of the same node.
        assert_eq!(phases_changed(&plan(), &p), vec![Phase::Plan]);
        let mut e = plan();
        e.nodes[0].evaluations.push(Evaluation {
            fiscal_year: FiscalYear::new(2025).unwrap(),
            results: "85%".into(),
            stated: Judgment::Achieved,
            remedy: None,
            explanation: None,
        });
        assert_eq!(phases_changed(&plan(), &e), vec![Phase::Evaluation]);
        let mut r = plan();
        r.nodes.pop();
        assert_eq!(phases_changed(&plan(), &r), vec![Phase::Plan]);
        let mut o = plan();
        o.nodes[0].owner = Some("総合企画".into());
        assert_eq!(phases_changed(&plan(), &o), vec![Phase::Plan]);
        // Naming no owner keeps the stored one: no change.
        assert!(phases_changed(&o, &plan()).is_empty());
    }
}

/// One difference a revision makes, as an import preview lists it: the item (its level,
/// number and title as the new version names it), the field, and the texts before and
/// after (empty for a field that is new or gone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub item: String,
    /// The field in the caller's [`Words`] (名称, 計画: 取組内容, 目標 1, 中間振り返り 令和7年度 … /
    /// Title, Plan: 取組内容, Target 1, Mid-year review FY2025 …).
    pub field: String,
    pub before: String,
    pub after: String,
}

fn figure_text(value: Option<f64>, unit: Option<&str>, text: &str) -> String {
    match value {
        Some(v) => format!("{text} [{v}{}]", unit.unwrap_or("")),
        None => text.to_string(),
    }
}

/// The language field names and enumerated values are written in (the domain knows no
/// page; the caller says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Words {
    Ja,
    En,
}

impl Words {
    fn t(self, ja: &'static str, en: &'static str) -> &'static str {
        match self {
            Words::Ja => ja,
            Words::En => en,
        }
    }
}

fn node_fields(n: &NodeContent, w: Words) -> Vec<(String, String)> {
    let mut out = vec![
        (w.t("名称", "Title").to_string(), n.title.clone()),
        (
            w.t("副題", "Subtitle").to_string(),
            n.subtitle.clone().unwrap_or_default(),
        ),
    ];
    for s in &n.sections {
        out.push((
            format!(
                "{}: {}",
                w.t(s.phase.label_ja(), s.phase.label_en()),
                s.heading
            ),
            s.body.clone(),
        ));
    }
    for (i, t) in n.targets.iter().enumerate() {
        out.push((
            format!("{} {}", w.t("目標", "Target"), i + 1),
            figure_text(t.value, t.measure_unit.as_deref(), &t.text),
        ));
    }
    for (i, a) in n.actuals.iter().enumerate() {
        out.push((
            format!("{} {}", w.t("実績値", "Actual"), i + 1),
            figure_text(a.value, a.measure_unit.as_deref(), &a.text),
        ));
    }
    for r in &n.reviews {
        let y = match w {
            Words::Ja => r.fiscal_year.label(),
            Words::En => format!("FY{}", r.fiscal_year.year()),
        };
        let review = w.t("中間振り返り", "Mid-year review");
        out.push((
            format!("{review} {y}: {}", w.t("実施見込み", "implementation")),
            r.implementation
                .map(|p| w.t(p.label_ja(), p.label_en()).to_string())
                .unwrap_or_default(),
        ));
        out.push((
            format!("{review} {y}: {}", w.t("達成見込み", "achievement")),
            r.achievement
                .map(|p| w.t(p.label_ja(), p.label_en()).to_string())
                .unwrap_or_default(),
        ));
        out.push((
            format!(
                "{review} {y}: {}",
                w.t("課題と改善策", "issues and remedies")
            ),
            r.remedy.clone().unwrap_or_default(),
        ));
    }
    for e in &n.evaluations {
        let y = match w {
            Words::Ja => e.fiscal_year.label(),
            Words::En => format!("FY{}", e.fiscal_year.year()),
        };
        let eval = w.t("自己評価", "Year-end evaluation");
        out.push((
            format!("{eval} {y}: {}", w.t("取組実績", "results")),
            e.results.clone(),
        ));
        out.push((
            format!("{eval} {y}: {}", w.t("評価", "judgment")),
            w.t(e.stated.label_ja(), e.stated.label_en()).to_string(),
        ));
        out.push((
            format!("{eval} {y}: {}", w.t("課題と改善策", "issues and remedies")),
            e.remedy.clone().unwrap_or_default(),
        ));
    }
    out
}

/// What changes, field by field, when `new` replaces `old` (`None`: a new plan, every
/// field is new). Items are matched as revisions match them ([`match_nodes`]); an item
/// only in `old` is listed as removed.
pub fn field_changes(old: Option<&PlanContent>, new: &PlanContent, w: Words) -> Vec<FieldChange> {
    let label = |n: &NodeContent| {
        let mut s = n.level.clone();
        if let Some(num) = &n.number {
            s.push(' ');
            s.push_str(num);
        }
        format!("{s} {}", n.title)
    };
    let mut out = Vec::new();
    let empty: Vec<NodeContent> = Vec::new();
    let old_nodes = old.map_or(&empty, |o| &o.nodes);
    if let Some(o) = old {
        if o.title != new.title {
            out.push(FieldChange {
                item: w.t("計画", "Plan").into(),
                field: w.t("計画の名称", "Plan title").into(),
                before: o.title.clone(),
                after: new.title.clone(),
            });
        }
    }
    let matched = match_nodes(old_nodes, &new.nodes);
    for (n, m) in new.nodes.iter().zip(&matched) {
        let after = node_fields(n, w);
        let before = m.map(|i| node_fields(&old_nodes[i], w)).unwrap_or_default();
        for (field, a) in &after {
            let b = before
                .iter()
                .find(|(f, _)| f == field)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            if &b != a {
                out.push(FieldChange {
                    item: label(n),
                    field: field.clone(),
                    before: b,
                    after: a.clone(),
                });
            }
        }
        for (field, b) in &before {
            if !b.is_empty() && !after.iter().any(|(f, _)| f == field) {
                out.push(FieldChange {
                    item: label(n),
                    field: field.clone(),
                    before: b.clone(),
                    after: String::new(),
                });
            }
        }
    }
    for (i, o) in old_nodes.iter().enumerate() {
        if !matched.contains(&Some(i)) {
            out.push(FieldChange {
                item: label(o),
                field: w.t("項目", "Item").into(),
                before: label(o),
                after: String::new(),
            });
        }
    }
    out
}
