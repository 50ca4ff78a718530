//! A whole plan as one value: what an import, a sample or a copy-forward writes in one
//! transaction, and what a plan page reads back.
//!
//! Nodes are addressed by their index in [`PlanContent::nodes`]; links refer to indexes,
//! so the value is self-contained before any database id exists.

use crate::model::{
    Actual, Evaluation, Family, LinkKind, Milestone, Period, Review, Section, Target,
};

/// One node of a plan before it is stored.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct NodeContent {
    pub level: String,
    pub number: Option<String>,
    pub title: String,
    pub subtitle: Option<String>,
    pub marks: Vec<String>,
    /// Name of the 担当 that owns the node, resolved to a unit when stored.
    pub owner: Option<String>,
    pub sections: Vec<Section>,
    pub targets: Vec<Target>,
    pub actuals: Vec<Actual>,
    pub reviews: Vec<Review>,
    pub evaluations: Vec<Evaluation>,
    pub milestones: Vec<Milestone>,
    /// Line of the source document where the node starts, if imported.
    pub source_line: Option<u32>,
}

/// Parent → child by index into [`PlanContent::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkContent {
    pub parent: usize,
    pub child: usize,
    pub kind: LinkKind,
}

/// A plan with all its nodes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlanContent {
    pub family: Family,
    pub period: Period,
    pub title: String,
    pub level_names: Vec<String>,
    pub nodes: Vec<NodeContent>,
    pub links: Vec<LinkContent>,
    pub is_sample: bool,
}

/// Why a [`PlanContent`] cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error("link {index} refers to node {node}, but the plan has {len} nodes")]
    DanglingLink {
        index: usize,
        node: usize,
        len: usize,
    },
    #[error("node {0} is linked under itself")]
    SelfLink(usize),
    #[error("the links form a cycle through node {0}")]
    Cycle(usize),
    #[error("node {0} has an empty title")]
    EmptyTitle(usize),
    #[error(
        "node {node}: {field} has {chars} characters; at most {MAX_TEXT_CHARS} fit / 項目 {node} の {field} が{chars}文字あります（{MAX_TEXT_CHARS}文字まで）"
    )]
    TooLong {
        node: usize,
        field: &'static str,
        chars: usize,
    },
}

/// The longest text one field may hold, in UTF-16 units: a spreadsheet cell's limit, so
/// that every field fits the Excel download and the open data.
pub const MAX_TEXT_CHARS: usize = 32_767;

/// A text's length as a spreadsheet counts it (UTF-16 units).
pub fn text_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Why a name (of a municipality, unit or user; a login) cannot be used, in Japanese and
/// English: control characters (NUL, TAB, line breaks …) and the bidirectional-override
/// characters (U+202A–U+202E, U+2066–U+2069), which make a name display as something
/// else. `None` when it can.
pub fn name_problem(name: &str) -> Option<(&'static str, &'static str)> {
    if name.trim().is_empty() {
        return Some(("入力してください。", "must not be empty."));
    }
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if name.chars().any(|c| c.is_control() || bidi(c)) {
        return Some((
            "制御文字や文字の向きを変える記号は使えません。",
            "must not contain control or text-direction characters.",
        ));
    }
    if too_long(name) {
        return Some(("長すぎます。", "is too long."));
    }
    None
}

/// Whether a text is longer than a field may hold.
pub fn too_long(text: &str) -> bool {
    // Bytes first: a short text needs no count.
    text.len() > MAX_TEXT_CHARS && text_len(text) > MAX_TEXT_CHARS
}

#[cfg(test)]
mod name_tests {
    use super::name_problem;

    #[test]
    fn names_without_control_or_direction_characters() {
        assert_eq!(name_problem("城東区"), None);
        assert_eq!(name_problem("総務課 総合企画"), None);
        for bad in [
            "",
            "  ",
            "a\u{0}b",
            "東\u{202E}区",
            "x\ty",
            "a\nb",
            "\u{2066}x",
        ] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
    }
}

impl NodeContent {
    /// The first text of the node that is longer than a field may hold.
    pub fn overlong(&self) -> Option<(&'static str, usize)> {
        let texts = std::iter::once(("title", self.title.as_str()))
            .chain(self.subtitle.as_deref().map(|s| ("subtitle", s)))
            .chain(self.sections.iter().map(|s| ("sections", s.body.as_str())))
            .chain(self.targets.iter().map(|t| ("targets", t.text.as_str())))
            .chain(self.actuals.iter().map(|a| ("actuals", a.text.as_str())))
            .chain(
                self.reviews
                    .iter()
                    .filter_map(|r| r.remedy.as_deref().map(|t| ("remedy", t))),
            )
            .chain(self.evaluations.iter().flat_map(|e| {
                [
                    Some(("results", e.results.as_str())),
                    e.remedy.as_deref().map(|t| ("remedy", t)),
                    e.explanation.as_deref().map(|t| ("explanation", t)),
                ]
                .into_iter()
                .flatten()
            }))
            .chain(
                self.milestones
                    .iter()
                    .map(|m| ("milestones", m.text.as_str())),
            );
        texts
            .filter(|(_, t)| too_long(t))
            .map(|(f, t)| (f, text_len(t)))
            .next()
    }
}

impl PlanContent {
    /// Checks what the store relies on: links point at existing nodes and form no cycle,
    /// every node has a title.
    pub fn validate(&self) -> Result<(), ContentError> {
        let len = self.nodes.len();
        for (i, n) in self.nodes.iter().enumerate() {
            if n.title.trim().is_empty() {
                return Err(ContentError::EmptyTitle(i));
            }
            if let Some((field, chars)) = n.overlong() {
                return Err(ContentError::TooLong {
                    node: i,
                    field,
                    chars,
                });
            }
        }
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); len];
        for (index, l) in self.links.iter().enumerate() {
            for node in [l.parent, l.child] {
                if node >= len {
                    return Err(ContentError::DanglingLink { index, node, len });
                }
            }
            if l.parent == l.child {
                return Err(ContentError::SelfLink(l.parent));
            }
            children[l.parent].push(l.child);
        }
        // Iterative three-colour DFS so that deep trees cannot overflow the stack.
        let mut colour = vec![0u8; len];
        for start in 0..len {
            if colour[start] != 0 {
                continue;
            }
            let mut stack = vec![(start, 0usize)];
            colour[start] = 1;
            while let Some((node, next)) = stack.pop() {
                if let Some(&child) = children[node].get(next) {
                    stack.push((node, next + 1));
                    match colour[child] {
                        0 => {
                            colour[child] = 1;
                            stack.push((child, 0));
                        }
                        1 => return Err(ContentError::Cycle(child)),
                        _ => {}
                    }
                } else {
                    colour[node] = 2;
                }
            }
        }
        Ok(())
    }

    /// Indexes of nodes that are nobody's primary child, in document order.
    pub fn roots(&self) -> Vec<usize> {
        let mut has_parent = vec![false; self.nodes.len()];
        for l in &self.links {
            if l.kind == LinkKind::Primary {
                if let Some(slot) = has_parent.get_mut(l.child) {
                    *slot = true;
                }
            }
        }
        (0..self.nodes.len()).filter(|&i| !has_parent[i]).collect()
    }
}

/// A row of a tree view: which node, at what depth, and whether it is a 再掲 listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeRow {
    pub node: usize,
    pub depth: usize,
    pub kind: LinkKind,
}

/// Flattens nodes and links into display order (depth first, children in link order).
/// A node listed again (再掲) appears again as a row of kind `Repeat` but its subtree is
/// shown only under its primary parent. Cycles and dangling links are skipped, never looped.
pub fn tree_rows(node_count: usize, links: &[(usize, usize, i64, LinkKind)]) -> Vec<TreeRow> {
    let mut children: Vec<Vec<(i64, usize, LinkKind)>> = vec![Vec::new(); node_count];
    let mut has_primary_parent = vec![false; node_count];
    for &(parent, child, position, kind) in links {
        if parent < node_count && child < node_count && parent != child {
            children[parent].push((position, child, kind));
            if kind == LinkKind::Primary {
                has_primary_parent[child] = true;
            }
        }
    }
    for c in &mut children {
        c.sort_by_key(|&(pos, child, _)| (pos, child));
    }
    let mut rows = Vec::with_capacity(node_count);
    let mut expanded = vec![false; node_count];
    let roots: Vec<usize> = (0..node_count)
        .filter(|&i| !has_primary_parent[i])
        .collect();
    for root in roots {
        let mut stack = vec![(root, 0usize, LinkKind::Primary)];
        while let Some((node, depth, kind)) = stack.pop() {
            rows.push(TreeRow { node, depth, kind });
            if kind == LinkKind::Repeat || expanded[node] {
                continue;
            }
            expanded[node] = true;
            for &(_, child, k) in children[node].iter().rev() {
                if k == LinkKind::Repeat || !expanded[child] {
                    stack.push((child, depth + 1, k));
                }
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::FiscalYear;

    fn node(title: &str) -> NodeContent {
        NodeContent {
            level: "取組".into(),
            title: title.into(),
            ..NodeContent::default()
        }
    }

    fn plan(nodes: Vec<NodeContent>, links: Vec<LinkContent>) -> PlanContent {
        let fy = FiscalYear::new(2025).unwrap();
        PlanContent {
            family: Family::PlanTree,
            period: Period::year(fy),
            title: "t".into(),
            level_names: vec![],
            nodes,
            links,
            is_sample: false,
        }
    }

    fn link(parent: usize, child: usize, kind: LinkKind) -> LinkContent {
        LinkContent {
            parent,
            child,
            kind,
        }
    }

    #[test]
    fn validate_rejects_cycles_dangling_and_empty_titles() {
        let p = plan(
            vec![node("a"), node("b")],
            vec![link(0, 1, LinkKind::Primary), link(1, 0, LinkKind::Primary)],
        );
        assert_eq!(p.validate(), Err(ContentError::Cycle(0)));
        let p = plan(vec![node("a")], vec![link(0, 3, LinkKind::Primary)]);
        assert!(matches!(
            p.validate(),
            Err(ContentError::DanglingLink { node: 3, .. })
        ));
        let p = plan(vec![node(" ")], vec![]);
        assert_eq!(p.validate(), Err(ContentError::EmptyTitle(0)));
        let p = plan(
            vec![node("a"), node("b"), node("c")],
            vec![link(0, 2, LinkKind::Primary), link(1, 2, LinkKind::Repeat)],
        );
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.roots(), vec![0, 1]);
    }

    #[test]
    fn repeated_node_is_listed_twice_but_expanded_once() {
        // 0 ─ 2 ─ 3 ; 1 ─(再掲) 2
        let links = [
            (0, 2, 0, LinkKind::Primary),
            (2, 3, 0, LinkKind::Primary),
            (1, 2, 0, LinkKind::Repeat),
        ];
        let rows = tree_rows(4, &links);
        let seq: Vec<(usize, usize, LinkKind)> =
            rows.iter().map(|r| (r.node, r.depth, r.kind)).collect();
        assert_eq!(
            seq,
            vec![
                (0, 0, LinkKind::Primary),
                (2, 1, LinkKind::Primary),
                (3, 2, LinkKind::Primary),
                (1, 0, LinkKind::Primary),
                (2, 1, LinkKind::Repeat),
            ]
        );
    }

    #[test]
    fn tree_rows_survive_cycles() {
        let links = [(0, 1, 0, LinkKind::Primary), (1, 0, 0, LinkKind::Primary)];
        // Both have primary parents: no root, nothing listed, but no hang.
        assert!(tree_rows(2, &links).is_empty());
        let links = [
            (0, 1, 0, LinkKind::Primary),
            (1, 2, 0, LinkKind::Primary),
            (2, 1, 1, LinkKind::Repeat),
        ];
        let rows = tree_rows(3, &links);
        assert_eq!(rows.len(), 4);
    }
}

/// One row of a ward's 業務一覧: a 課 and, under it, a 担当 with its contact data.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct DirectoryEntry {
    pub division: String,
    pub section: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub duties: Option<String>,
}

/// A plan as it leaves Kusei (print, PDF, Excel, open data) and as an exported workbook
/// comes back in: the content plus the names of where it belongs. Names, not database
/// ids, so a record means the same in another database.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlanRecord {
    /// The municipality's name (大阪市).
    pub municipality: String,
    /// The unit the plan belongs to (城東区).
    pub unit: String,
    pub status: crate::model::PlanStatus,
    pub version: i64,
    pub content: PlanContent,
    /// The unit's 業務一覧 (課 and 担当 under it), in order.
    pub directory: Vec<DirectoryEntry>,
    /// The indicators the figures of `content` are linked to, under the ids the figures
    /// use (ids of the database the record was written from: another database finds or
    /// creates each by name).
    #[serde(default)]
    pub indicators: Vec<IndicatorRecord>,
    /// The public page of each node (`/plans/{id}/items/{key}`, by the index of
    /// `content.nodes`): set for a published record read from a database, empty otherwise
    /// (open data links every item to its page).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item_pages: Vec<String>,
}

/// An indicator as a record carries it: what it is, and (to read, not imported) the
/// unit's figures of it by year.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IndicatorRecord {
    /// The id the record's targets and actuals use for it.
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub direction: crate::model::Direction,
    pub definition: Option<String>,
    pub source: Option<String>,
    pub is_common: bool,
    /// The unit's target and actual of each fiscal year (base unit).
    #[serde(default)]
    pub series: Vec<SeriesRecord>,
}

/// One fiscal year of an indicator's series in a record.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SeriesRecord {
    pub fiscal_year: crate::calendar::FiscalYear,
    pub target: Option<f64>,
    pub actual: Option<f64>,
}
