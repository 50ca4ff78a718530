//! The official layouts, one per form family, built as a [`Report`]:
//!
//! - 取組項目 sheet (`reform_items`): one page per item — 計画 in the form's two columns
//!   (取組の方針・目標内容 / 当年度の取組内容), 中間振り返り, 自己評価 with the results.
//! - 区運営方針 (`management_sheet`): 経営課題 → 戦略 → 具体的取組 with their texts and
//!   targets, then the ward's 業務一覧.
//! - Multi-year results table (`results_table`): 課題 / 具体的取組 / 取組目標 / 成果 / 主な実績.
//! - Plan tree (`plan_tree`): the structure with ☆ and 再掲, then the texts of its items.
//!
//! Every node title and every target sentence of a plan appears in its report (the PDF
//! test checks it on the seeds). Layouts are driven by the tree and the section headings,
//! never by particular documents.

use crate::doc::{Block, Cell, Report, Table};
use kusei_domain::content::{tree_rows, NodeContent, PlanContent, PlanRecord};
use kusei_domain::model::{Family, LinkKind, Period, Phase, Section};

/// The report of one plan in its family's layout.
pub fn plan_report(record: &PlanRecord) -> Report {
    let mut blocks = header(record);
    let c = &record.content;
    match c.family {
        Family::ReformItems => reform_items(c, &mut blocks),
        Family::ManagementSheet => management_sheet(record, &mut blocks),
        Family::ResultsTable => results_table(c, &mut blocks),
        Family::PlanTree => plan_tree(c, &mut blocks),
    }
    Report {
        title: report_title(record),
        lang: "ja".to_string(),
        blocks,
    }
}

/// Several plans (a ward's or a city's year) as one report, each plan from a new page.
pub fn plans_report(title: &str, records: &[PlanRecord]) -> Report {
    let mut blocks = Vec::new();
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            blocks.push(Block::PageBreak);
        }
        blocks.extend(plan_report(r).blocks);
    }
    Report {
        title: title.to_string(),
        lang: "ja".to_string(),
        blocks,
    }
}

/// "城東区 令和7年度 区運営方針" style title of one plan's report.
pub fn report_title(r: &PlanRecord) -> String {
    format!(
        "{} {} {}",
        r.unit,
        period_text(&r.content.period),
        r.content.title
    )
}

/// 令和7年度 or 令和7年度～令和9年度.
pub fn period_text(p: &Period) -> String {
    if p.start == p.end {
        p.start.label()
    } else {
        format!("{}～{}", p.start.label(), p.end.label())
    }
}

fn header(r: &PlanRecord) -> Vec<Block> {
    vec![
        Block::Heading {
            level: 1,
            text: r.content.title.clone(),
        },
        Block::Fields {
            rows: vec![
                ("自治体".into(), r.municipality.clone()),
                ("組織".into(), r.unit.clone()),
                ("期間".into(), period_text(&r.content.period)),
                ("様式".into(), r.content.family.label_ja().to_string()),
                (
                    "状態".into(),
                    format!("{}（第{}版）", r.status.label_ja(), r.version),
                ),
            ],
        },
    ]
}

/// "経営課題1　区民の…" — level, number and title as the form writes them.
fn node_heading(n: &NodeContent) -> String {
    let mut s = String::new();
    if !n.level.is_empty() && !matches!(n.level.as_str(), "■" | "○" | "見出し" | "項目") {
        s.push_str(&n.level);
    }
    if let Some(num) = n.number.as_deref().filter(|x| !x.is_empty()) {
        s.push_str(num);
    }
    if !s.is_empty() {
        s.push('　');
    }
    for m in &n.marks {
        s.push_str(m);
    }
    s.push_str(&n.title);
    s
}

/// The column (group) and label of a stored heading ("取組の方針・目標内容 ／ 目標").
pub(crate) fn split_heading(h: &str) -> (Option<&str>, &str) {
    match h.split_once(" ／ ") {
        Some((g, l)) => (Some(g), l),
        None => (None, h),
    }
}

fn labelled(s: &Section) -> String {
    let (_, label) = split_heading(&s.heading);
    if label == "本文" || label.is_empty() {
        s.body.clone()
    } else {
        format!("【{label}】\n{}", s.body)
    }
}

fn sections_of(n: &NodeContent, phase: Phase) -> impl Iterator<Item = &Section> {
    n.sections.iter().filter(move |s| s.phase == phase)
}

/// Target sentences not already written in one of the node's texts.
fn extra_targets(n: &NodeContent) -> Vec<&str> {
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let bodies: Vec<String> = n.sections.iter().map(|s| squash(&s.body)).collect();
    n.targets
        .iter()
        .map(|t| t.text.as_str())
        .filter(|t| {
            let t2 = squash(t);
            !t2.is_empty() && !bodies.iter().any(|b| b.contains(&t2))
        })
        .collect()
}

/// A captioned table whose header row names its columns; `None` without rows.
fn list_table(
    caption: &str,
    widths: Vec<u16>,
    columns: [&str; 3],
    rows: Vec<Vec<Cell>>,
) -> Option<Block> {
    (!rows.is_empty()).then(|| {
        Block::Table(Table {
            caption: Some(caption.into()),
            widths,
            header: vec![columns.into_iter().map(Cell::new).collect()],
            rows,
        })
    })
}

fn targets_table(n: &NodeContent) -> Option<Block> {
    list_table(
        "目標",
        vec![6, 2, 1],
        ["目標", "年度", "比較"],
        n.targets
            .iter()
            .map(|t| {
                vec![
                    Cell::new(&t.text),
                    Cell::new(t.period.as_ref().map(period_text).unwrap_or_default()),
                    Cell::new(t.comparator.map(|c| c.label_ja()).unwrap_or_default()),
                ]
            })
            .collect(),
    )
}

fn actuals_table(n: &NodeContent) -> Option<Block> {
    list_table(
        "実績",
        vec![6, 2, 2],
        ["実績", "年度", "時点"],
        n.actuals
            .iter()
            .map(|a| {
                vec![
                    Cell::new(&a.text),
                    Cell::new(a.fiscal_year.map(|f| f.label()).unwrap_or_default()),
                    Cell::new(a.as_of.map(|d| d.to_string()).unwrap_or_default()),
                ]
            })
            .collect(),
    )
}

/// 中間振り返り and 自己評価 of a node as label/value rows (empty when neither is written).
fn review_rows(n: &NodeContent) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for s in sections_of(n, Phase::Review) {
        rows.push((split_heading(&s.heading).1.to_string(), s.body.clone()));
    }
    for r in &n.reviews {
        rows.push(("年度".into(), r.fiscal_year.label()));
        rows.push((
            "取組内容の実施見込み".into(),
            r.implementation
                .map_or("未記入", |i| i.label_ja())
                .to_string(),
        ));
        rows.push((
            "目標の達成見込み".into(),
            r.achievement.map_or("未記入", |a| a.label_ja()).to_string(),
        ));
        if let Some(rem) = &r.remedy {
            rows.push(("課題と改善策".into(), rem.clone()));
        }
    }
    rows
}

fn evaluation_rows(n: &NodeContent) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for s in sections_of(n, Phase::Evaluation) {
        rows.push((split_heading(&s.heading).1.to_string(), s.body.clone()));
    }
    for e in &n.evaluations {
        rows.push(("年度".into(), e.fiscal_year.label()));
        rows.push(("取組実績".into(), e.results.clone()));
        rows.push(("判定".into(), e.stated.label_ja().to_string()));
        if let Some(x) = &e.explanation {
            rows.push(("判定の理由".into(), x.clone()));
        }
        if let Some(rem) = &e.remedy {
            rows.push(("課題と改善策".into(), rem.clone()));
        }
    }
    rows
}

fn owner_rows(n: &NodeContent) -> Vec<(String, String)> {
    n.owner
        .iter()
        .map(|o| ("担当".to_string(), o.clone()))
        .collect()
}

/// 取組項目 sheets: one page per item.
fn reform_items(c: &PlanContent, out: &mut Vec<Block>) {
    for (i, row) in display_rows(c).into_iter().enumerate() {
        if row.kind == LinkKind::Repeat {
            continue;
        }
        let n = &c.nodes[row.node];
        if i > 0 {
            out.push(Block::PageBreak);
        }
        out.push(Block::Heading {
            level: 2,
            text: node_heading(n),
        });
        if let Some(sub) = &n.subtitle {
            out.push(Block::Paragraph { text: sub.clone() });
        }
        let owner = owner_rows(n);
        if !owner.is_empty() {
            out.push(Block::Fields { rows: owner });
        }
        // 計画: the form's columns side by side; texts without a column below them.
        let plan: Vec<&Section> = sections_of(n, Phase::Plan).collect();
        let mut columns: Vec<&str> = Vec::new();
        for s in &plan {
            if let (Some(g), _) = split_heading(&s.heading) {
                if !columns.contains(&g) {
                    columns.push(g);
                }
            }
        }
        out.push(Block::Heading {
            level: 3,
            text: "計画".into(),
        });
        if !columns.is_empty() {
            let cell_of = |g: &str| {
                plan.iter()
                    .filter(|s| split_heading(&s.heading).0 == Some(g))
                    .map(|s| labelled(s))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            out.push(Block::Table(Table {
                caption: None,
                widths: vec![1; columns.len()],
                header: vec![columns.iter().map(|g| Cell::new(*g)).collect()],
                rows: vec![columns.iter().map(|g| Cell::new(cell_of(g))).collect()],
            }));
        }
        let loose: Vec<(String, String)> = plan
            .iter()
            .filter(|s| split_heading(&s.heading).0.is_none())
            .map(|s| (s.heading.clone(), s.body.clone()))
            .collect();
        if !loose.is_empty() {
            out.push(Block::Fields { rows: loose });
        }
        if let Some(t) = targets_table(n) {
            out.push(t);
        }
        let review = review_rows(n);
        out.push(Block::Heading {
            level: 3,
            text: "中間振り返り".into(),
        });
        if review.is_empty() {
            out.push(Block::Note {
                text: "（未記入）".into(),
            });
        } else {
            out.push(Block::Fields { rows: review });
        }
        let evaluation = evaluation_rows(n);
        out.push(Block::Heading {
            level: 3,
            text: "自己評価".into(),
        });
        if evaluation.is_empty() {
            out.push(Block::Note {
                text: "（未記入）".into(),
            });
        } else {
            out.push(Block::Fields { rows: evaluation });
        }
        if let Some(a) = actuals_table(n) {
            out.push(a);
        }
    }
}

/// The tree in display order (depth first, 再掲 as repeat rows).
fn display_rows(c: &PlanContent) -> Vec<kusei_domain::content::TreeRow> {
    let links: Vec<(usize, usize, i64, LinkKind)> = c
        .links
        .iter()
        .enumerate()
        .map(|(i, l)| (l.parent, l.child, i as i64, l.kind))
        .collect();
    tree_rows(c.nodes.len(), &links)
}

/// 区運営方針: each 経営課題 with its texts, its 戦略 and their 具体的取組, then 業務一覧.
fn management_sheet(r: &PlanRecord, out: &mut Vec<Block>) {
    let c = &r.content;
    let rows = display_rows(c);
    let mut first = true;
    for (i, row) in rows.iter().enumerate() {
        let n = &c.nodes[row.node];
        if row.kind == LinkKind::Repeat {
            out.push(Block::Note {
                text: format!("（再掲）{}", node_heading(n)),
            });
            continue;
        }
        let leaf = rows.get(i + 1).is_none_or(|next| next.depth <= row.depth);
        if row.depth == 0 && !first {
            out.push(Block::PageBreak);
        }
        first = false;
        if leaf && row.depth >= 2 {
            // 具体的取組: one table per item, the texts in the form's order.
            let mut body: Vec<Vec<Cell>> = Vec::new();
            for (label, value) in owner_rows(n)
                .into_iter()
                .chain(
                    sections_of(n, Phase::Plan)
                        .map(|s| (split_heading(&s.heading).1.to_string(), s.body.clone())),
                )
                .chain(
                    extra_targets(n)
                        .into_iter()
                        .map(|t| ("目標".to_string(), t.to_string())),
                )
                .chain(
                    review_rows(n)
                        .into_iter()
                        .map(|(l, v)| (format!("中間振り返り：{l}"), v)),
                )
                .chain(
                    evaluation_rows(n)
                        .into_iter()
                        .map(|(l, v)| (format!("自己評価：{l}"), v)),
                )
                .chain(
                    n.actuals
                        .iter()
                        .map(|a| ("実績".to_string(), a.text.clone())),
                )
            {
                body.push(vec![Cell::new(label).row_header(), Cell::new(value)]);
            }
            out.push(Block::Table(Table {
                caption: None,
                widths: vec![1, 4],
                header: vec![vec![Cell::new(node_heading(n)).span(2)]],
                rows: body,
            }));
            continue;
        }
        out.push(Block::Heading {
            level: (row.depth as u8 + 2).min(4),
            text: node_heading(n),
        });
        if let Some(sub) = &n.subtitle {
            out.push(Block::Paragraph { text: sub.clone() });
        }
        let mut fields = owner_rows(n);
        fields.extend(
            sections_of(n, Phase::Plan)
                .map(|s| (split_heading(&s.heading).1.to_string(), s.body.clone())),
        );
        fields.extend(
            extra_targets(n)
                .into_iter()
                .map(|t| ("目標".to_string(), t.to_string())),
        );
        fields.extend(
            review_rows(n)
                .into_iter()
                .map(|(l, v)| (format!("中間振り返り：{l}"), v)),
        );
        fields.extend(
            evaluation_rows(n)
                .into_iter()
                .map(|(l, v)| (format!("自己評価：{l}"), v)),
        );
        fields.extend(
            n.actuals
                .iter()
                .map(|a| ("実績".to_string(), a.text.clone())),
        );
        if !fields.is_empty() {
            out.push(Block::Fields { rows: fields });
        }
    }
    if !r.directory.is_empty() {
        out.push(Block::PageBreak);
        out.push(Block::Heading {
            level: 2,
            text: format!("{}の業務一覧", r.unit),
        });
        out.push(Block::Table(directory_table(r)));
    }
}

/// 業務一覧: 課 / 担当 / 電話 / FAX / 主な業務.
pub fn directory_table(r: &PlanRecord) -> Table {
    Table {
        caption: Some("業務一覧".into()),
        widths: vec![2, 2, 2, 2, 6],
        header: vec![["課", "担当", "電話", "FAX", "主な業務"]
            .into_iter()
            .map(Cell::new)
            .collect()],
        rows: r
            .directory
            .iter()
            .map(|d| {
                vec![
                    Cell::new(&d.division).row_header(),
                    Cell::new(d.section.clone().unwrap_or_default()),
                    Cell::new(d.phone.clone().unwrap_or_default()),
                    Cell::new(d.fax.clone().unwrap_or_default()),
                    Cell::new(d.duties.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    }
}

/// Which column of the results table a section heading belongs to.
fn results_column(heading: &str) -> usize {
    let (_, label) = split_heading(heading);
    if label.contains("目標") {
        2
    } else if label.contains("実績") {
        4
    } else if label.contains("成果") {
        3
    } else {
        1
    }
}

/// Multi-year results table: one row per 具体的取組 with its 課題 in the first column;
/// levels above the 課題 (章) as full-width rows.
fn results_table(c: &PlanContent, out: &mut Vec<Block>) {
    let rows = display_rows(c);
    // For each display row: is it a leaf, and are all its children leaves (a 課題)?
    let leaves: Vec<bool> = (0..rows.len())
        .map(|i| {
            rows.get(i + 1)
                .is_none_or(|next| next.depth <= rows[i].depth)
        })
        .collect();
    // A 課題: a node whose children are all leaves.
    let groups: Vec<bool> = (0..rows.len())
        .map(|i| {
            !leaves[i]
                && rows[i + 1..]
                    .iter()
                    .enumerate()
                    .take_while(|(_, r)| r.depth > rows[i].depth)
                    .filter(|(_, r)| r.depth == rows[i].depth + 1)
                    .all(|(k, _)| leaves[i + 1 + k])
        })
        .collect();
    let mut body: Vec<Vec<Cell>> = Vec::new();
    let mut group: Option<String> = None;
    for (i, row) in rows.iter().enumerate() {
        let n = &c.nodes[row.node];
        if row.kind == LinkKind::Repeat {
            body.push(vec![
                Cell::new(group.take().unwrap_or_default()).row_header(),
                Cell::new(format!("（再掲）{}", node_heading(n))).span(4),
            ]);
            continue;
        }
        let (leaf, is_group) = (leaves[i], groups[i]);
        if !leaf && !is_group {
            body.push(vec![Cell::new(node_heading(n)).span(5).row_header()]);
            continue;
        }
        let mut cols: [Vec<String>; 5] = Default::default();
        if is_group {
            group = Some(node_heading(n));
            let has_own = !n.sections.is_empty() || !n.targets.is_empty() || !n.actuals.is_empty();
            if !has_own {
                continue;
            }
            cols[0].extend(group.take());
        } else {
            cols[0].extend(group.take());
            cols[1].push(node_heading(n));
        }
        for s in sections_of(n, Phase::Plan).chain(sections_of(n, Phase::Evaluation)) {
            cols[results_column(&s.heading)].push(labelled(s));
        }
        for t in extra_targets(n) {
            cols[2].push(t.to_string());
        }
        for e in &n.evaluations {
            cols[3].push(format!(
                "{}：{}",
                e.fiscal_year.label(),
                e.stated.label_ja()
            ));
            if !e.results.is_empty() {
                cols[4].push(e.results.clone());
            }
        }
        for a in &n.actuals {
            cols[4].push(a.text.clone());
        }
        body.push(
            cols.iter()
                .enumerate()
                .map(|(k, v)| {
                    let cell = Cell::new(v.join("\n"));
                    if k == 0 {
                        cell.row_header()
                    } else {
                        cell
                    }
                })
                .collect(),
        );
    }
    out.push(Block::Table(Table {
        caption: Some("取組成果一覧".into()),
        widths: vec![2, 3, 4, 4, 4],
        header: vec![["課題", "具体的取組", "取組目標", "成果", "主な実績"]
            .into_iter()
            .map(Cell::new)
            .collect()],
        rows: body,
    }));
}

/// Plan tree: the structure (☆, 再掲) as an indented table, then each item's texts.
fn plan_tree(c: &PlanContent, out: &mut Vec<Block>) {
    let rows = display_rows(c);
    out.push(Block::Table(Table {
        caption: Some("計画の体系".into()),
        widths: vec![7, 1, 2],
        header: vec![vec![Cell::new("項目"), Cell::new("印"), Cell::new("備考")]],
        rows: rows
            .iter()
            .map(|row| {
                let n = &c.nodes[row.node];
                let mut title = String::new();
                if let Some(num) = n.number.as_deref().filter(|x| !x.is_empty()) {
                    title.push_str(num);
                    title.push(' ');
                }
                title.push_str(&n.title);
                let note = if row.kind == LinkKind::Repeat {
                    "再掲".to_string()
                } else {
                    n.owner.clone().unwrap_or_default()
                };
                vec![
                    Cell::new(title).indent(row.depth.min(8) as u8),
                    Cell::new(n.marks.join("")),
                    Cell::new(note),
                ]
            })
            .collect(),
    }));
    let with_text: Vec<usize> = rows
        .iter()
        .filter(|r| r.kind != LinkKind::Repeat)
        .map(|r| r.node)
        .filter(|&i| {
            let n = &c.nodes[i];
            !n.sections.is_empty()
                || !n.targets.is_empty()
                || !n.evaluations.is_empty()
                || !n.reviews.is_empty()
                || !n.actuals.is_empty()
        })
        .collect();
    if with_text.is_empty() {
        return;
    }
    out.push(Block::Heading {
        level: 2,
        text: "項目の内容".into(),
    });
    for i in with_text {
        let n = &c.nodes[i];
        out.push(Block::Heading {
            level: 3,
            text: node_heading(n),
        });
        let mut fields: Vec<(String, String)> = n
            .sections
            .iter()
            .filter(|s| s.phase == Phase::Plan)
            .map(|s| (split_heading(&s.heading).1.to_string(), s.body.clone()))
            .collect();
        fields.extend(
            extra_targets(n)
                .into_iter()
                .map(|t| ("目標".to_string(), t.to_string())),
        );
        fields.extend(review_rows(n));
        fields.extend(evaluation_rows(n));
        fields.extend(
            n.actuals
                .iter()
                .map(|a| ("実績".to_string(), a.text.clone())),
        );
        if !fields.is_empty() {
            out.push(Block::Fields { rows: fields });
        }
    }
}
