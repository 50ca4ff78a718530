//! Our own documents in three families with what real extractions leave (tests/quirks/):
//! page numbers, form feeds and running headers between pages, marks that survived as
//! ●/○ (and two marked: unknown), several targets in one (目標) paragraph with a target set
//! later, 億/万 amounts, counts in 万, dotted era months, a calendar-year deadline, items
//! wrapped onto a second line, and characters PDF fonts emit as radicals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use kusei_domain::judgment::Judgment;
use kusei_import::{Family, Node, ParsedDocument, Prospect, Severity};
use std::path::Path;

fn quirk(name: &str) -> (String, ParsedDocument) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("quirks")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let doc = kusei_import::parse_text(name, &text);
    (text, doc)
}

fn furniture(doc: &ParsedDocument) -> Vec<(usize, String)> {
    doc.diagnostics
        .iter()
        .filter(|d| d.code == "page_furniture")
        .map(|d| {
            assert_eq!(d.severity, Severity::Info);
            (d.line.unwrap(), d.excerpt.clone().unwrap_or_default())
        })
        .collect()
}

fn item<'a>(doc: &'a ParsedDocument, number: &str) -> &'a Node {
    doc.nodes
        .iter()
        .find(|n| n.number.as_deref() == Some(number))
        .unwrap()
}

#[test]
fn every_line_of_every_quirk_is_kept() {
    for name in [
        "reform_items.txt",
        "plan_tree.txt",
        "results_table.txt",
        "management_sheet.txt",
    ] {
        let (text, doc) = quirk(name);
        let missing = common::missing_fragments(&text, &doc);
        assert!(missing.is_empty(), "{name}: {missing:#?}");
    }
}

#[test]
fn reform_items_as_extracted() {
    let (_, doc) = quirk("reform_items.txt");
    assert_eq!(doc.family, Family::ReformItems);
    assert_eq!(doc.nodes.len(), 2, "no node from page furniture");
    assert_eq!(
        furniture(&doc),
        [
            (13, "- 1 -".to_string()),
            (14, "## 令和6年度 「区政改革」に基づく取組".to_string()),
            (26, "2 / 2".to_string()),
        ]
    );
    let one = item(&doc, "1");
    // Shown as written, read in the Japanese form.
    assert_eq!(one.title, "⾏政⼿続の案内の充実");
    assert_eq!(one.title_normalized, "行政手続の案内の充実");
    // Two targets in one paragraph, and an amount with its 億 part.
    let values: Vec<(String, Option<f64>)> = one
        .targets
        .iter()
        .map(|t| (t.text.clone(), t.value))
        .collect();
    assert_eq!(
        values,
        [
            ("案内サービスの満足度 80%以上".to_string(), Some(80.0)),
            ("窓口の平均待ち時間 20分以内".to_string(), Some(20.0)),
            ("事業費 3億2,000万円以下".to_string(), Some(320_000_000.0)),
        ]
    );
    // ●/○ marks: the filled one is the answer.
    let review = one.review.as_ref().unwrap();
    assert_eq!(review.implementation, Prospect::Expected);
    assert_eq!(review.achievement, Prospect::NotExpected);
    // The page break between the review and the evaluation left nothing behind.
    assert!(!review.remedy.as_deref().unwrap_or("").contains("- 1 -"));
    let e = one.evaluation.as_ref().unwrap();
    assert_eq!(e.stated_judgment, Judgment::NotAchieved);
    // This year's column (事業費, met at 3億1,500万円) is what the figures judge: the
    // stated ② contradicts them, which is a finding, not a change of what was written.
    assert_eq!(e.computed_judgment.as_deref(), Some("achieved"));
    assert!(
        one.findings
            .iter()
            .any(|f| f.code == "judgment_contradicts_figures"),
        "{:?}",
        one.findings
    );

    let two = item(&doc, "2");
    assert_eq!(two.title_normalized, "地域の青少年活動の支援");
    let kinds: Vec<(Option<f64>, String)> = two
        .targets
        .iter()
        .map(|t| (t.value, t.reading.as_ref().unwrap().kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (Some(15_000.0), "absolute".to_string()),
            (None, "pending".to_string())
        ]
    );
    // Two marks on the implementation: unknown, said so; never guessed.
    assert!(two
        .review
        .as_ref()
        .is_none_or(|r| r.implementation == Prospect::Unknown));
    let unseen: Vec<&str> = doc
        .diagnostics
        .iter()
        .filter(|d| d.code == "review_not_visible")
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        unseen
            .iter()
            .any(|m| m.contains("取組項目2") && m.contains("複数の選択肢に印がある")),
        "{unseen:?}"
    );
}

#[test]
fn an_outline_as_extracted() {
    let (_, doc) = quirk("plan_tree.txt");
    assert_eq!(doc.family, Family::PlanTree);
    let titles: Vec<&str> = doc.nodes.iter().map(|n| n.title.as_str()).collect();
    assert!(
        titles.contains(&"オンライン予約の導入と窓口混雑状況の発信"),
        "{titles:?}"
    );
    assert!(!titles.contains(&"状況の発信"));
    assert_eq!(
        furniture(&doc),
        [
            (15, "- 3 -".to_string()),
            (16, "# 区民サービス向上計画の概要".to_string()),
            (30, "P.4".to_string()),
        ]
    );
    // The repeated title did not become a node, and 案内の充実 stays under 窓口の改善.
    assert_eq!(doc.nodes.len(), 13);
    let guide = doc.nodes.iter().find(|n| n.title == "案内の充実").unwrap();
    let parent = doc
        .nodes
        .iter()
        .find(|n| guide.parent_ids.first() == Some(&n.id))
        .unwrap();
    assert_eq!(parent.title, "待ち時間の短縮");
}

#[test]
fn a_results_table_as_extracted() {
    let (_, doc) = quirk("results_table.txt");
    assert_eq!(doc.family, Family::ResultsTable);
    assert_eq!(furniture(&doc).len(), 2, "{:?}", furniture(&doc));
    // The repeated header and the page number did not become nodes or re-parent rows.
    assert_eq!(doc.nodes.len(), 6);
    let second = doc
        .nodes
        .iter()
        .find(|n| n.title.contains("証明書のコンビニ交付"))
        .unwrap();
    let parent = doc
        .nodes
        .iter()
        .find(|n| second.parent_ids.first() == Some(&n.id))
        .unwrap();
    assert_eq!(parent.title, "窓口の一元化");
    // Dotted era months are dates; a 1億5千万円 target keeps every part.
    let dates: Vec<(i32, Option<u32>, bool)> = doc
        .nodes
        .iter()
        .flat_map(|n| &n.milestones)
        .filter_map(|m| m.date.as_ref())
        .map(|d| (d.from.year, d.from.month, d.open_ended))
        .collect();
    assert_eq!(
        dates,
        [
            (2022, Some(11), false),
            (2023, Some(4), true),
            (2018, Some(2), false),
            (2020, Some(4), true),
        ]
    );
    assert!(second
        .targets
        .iter()
        .any(|t| t.value == Some(150_000_000.0)));
}

#[test]
fn a_management_sheet_as_extracted() {
    let (_, doc) = quirk("management_sheet.txt");
    assert_eq!(doc.family, Family::ManagementSheet);
    assert_eq!(
        furniture(&doc),
        [
            (13, "- 5 -".to_string()),
            (14, "経営課題3".to_string()),
            (37, "6 / 12".to_string()),
        ]
    );
    // The repeated 経営課題3 did not open a second issue; the strategy is under the first.
    let levels: Vec<&str> = doc.nodes.iter().map(|n| n.level.as_str()).collect();
    assert_eq!(levels, ["経営課題", "戦略", "具体的取組"]);
    assert_eq!(
        doc.nodes[0].title_normalized,
        "誰もが行き来しやすいまちづくり"
    );
    // Two targets in one bullet: a calendar-year deadline and a rate.
    let strategy = &doc.nodes[1];
    let read: Vec<(Option<f64>, Option<i32>)> = strategy
        .targets
        .iter()
        .map(|t| (t.value, t.fiscal_year.as_ref().map(|f| f.year)))
        .collect();
    assert_eq!(read, [(Some(100.0), Some(2026)), (Some(90.0), None)]);
    // ○/● in the review: the filled one.
    let review = doc.nodes[2].review.as_ref().unwrap();
    assert_eq!(review.implementation, Prospect::NotExpected);
}
