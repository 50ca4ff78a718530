//! The form layouts, print HTML and open data on every fixture and seed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../../kusei-import/tests/common/schema_check.rs"]
mod schema_check;

use common::*;
use kusei_report::doc::Block;
use kusei_report::{html, layout, open_data};

#[test]
fn every_title_and_target_is_in_the_report_of_each_document() {
    let docs = documents();
    assert!(docs.len() >= 4, "fixtures missing");
    for (name, r) in &docs {
        let report = layout::plan_report(r);
        let all = squash(&report.texts().join("\n"));
        for text in must_contain(r) {
            assert!(
                all.contains(&squash(&text)),
                "{name}: report lacks {text:?}"
            );
        }
        // and the print HTML carries them too (escaped)
        let page = html::render(&report, None);
        let page_text = squash(
            &page
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\""),
        );
        for text in must_contain(r) {
            assert!(
                page_text.contains(&squash(&text)),
                "{name}: HTML lacks {text:?}"
            );
        }
    }
}

#[test]
fn each_family_has_its_official_layout() {
    for (name, r) in documents() {
        let report = layout::plan_report(&r);
        let tables: Vec<_> = report
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect();
        let headings: Vec<&str> = report
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        match r.content.family {
            kusei_domain::model::Family::ResultsTable => {
                let head: Vec<&str> = tables[0].header[0]
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect();
                assert_eq!(
                    head,
                    ["課題", "具体的取組", "取組目標", "成果", "主な実績"],
                    "{name}"
                );
            }
            kusei_domain::model::Family::ReformItems => {
                for phase in ["計画", "中間振り返り", "自己評価"] {
                    assert!(headings.contains(&phase), "{name}: no {phase}");
                }
                assert!(
                    report.blocks.iter().any(|b| matches!(b, Block::PageBreak))
                        || r.content.nodes.len() == 1
                );
            }
            kusei_domain::model::Family::PlanTree => {
                let tree = tables
                    .iter()
                    .find(|t| t.caption.as_deref() == Some("計画の体系"))
                    .expect("tree table");
                assert_eq!(
                    tree.rows.len(),
                    r.content.nodes.len()
                        + r.content
                            .links
                            .iter()
                            .filter(|l| l.kind == kusei_domain::model::LinkKind::Repeat)
                            .count(),
                    "{name}"
                );
                let marked = r
                    .content
                    .nodes
                    .iter()
                    .filter(|n| n.marks.iter().any(|m| m == "☆"))
                    .count();
                let shown = tree
                    .rows
                    .iter()
                    .filter(|row| row[1].text.contains('☆'))
                    .count();
                assert!(shown >= marked, "{name}: ☆ lost");
                let repeats = r
                    .content
                    .links
                    .iter()
                    .filter(|l| l.kind == kusei_domain::model::LinkKind::Repeat)
                    .count();
                assert_eq!(
                    tree.rows.iter().filter(|row| row[2].text == "再掲").count(),
                    repeats,
                    "{name}"
                );
            }
            kusei_domain::model::Family::ManagementSheet => {
                assert!(
                    headings
                        .iter()
                        .any(|h| h.starts_with("経営課題") || !h.is_empty()),
                    "{name}"
                );
                if !r.directory.is_empty() {
                    let dir = tables
                        .iter()
                        .find(|t| t.caption.as_deref() == Some("業務一覧"))
                        .expect("業務一覧");
                    assert_eq!(dir.rows.len(), r.directory.len(), "{name}");
                }
            }
        }
    }
}

#[test]
fn print_html_escapes_imported_text_and_loads_nothing_from_outside() {
    let (_, mut r) = documents().into_iter().next().unwrap();
    r.content.nodes[0].title = "<script>alert(1)</script>".into();
    let page = html::render(&layout::plan_report(&r), Some(("/plans/1", "戻る")));
    assert!(!page.contains("<script>"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "external reference"
    );
    assert!(page.contains("@page"));
}

#[test]
fn open_data_json_documents_follow_the_import_schema() {
    for (name, r) in documents() {
        let json = open_data::to_json("大阪市", std::slice::from_ref(&r));
        assert_eq!(json["format"], open_data::FORMAT);
        let doc = &json["plans"][0]["document"];
        let errs = schema_check::errors(doc);
        assert!(errs.is_empty(), "{name}: {errs:#?}");
        // the document says the same as the record
        let nodes = doc["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), r.content.nodes.len());
        for (n, c) in nodes.iter().zip(&r.content.nodes) {
            assert_eq!(n["title"], c.title.as_str());
            assert_eq!(n["targets"].as_array().unwrap().len(), c.targets.len());
        }
        let targets: usize = r.content.nodes.iter().map(|n| n.targets.len()).sum();
        let figures = nodes
            .iter()
            .flat_map(|n| n["targets"].as_array().unwrap())
            .filter(|t| !t["value"].is_null())
            .count();
        let stored = r
            .content
            .nodes
            .iter()
            .flat_map(|n| &n.targets)
            .filter(|t| t.value.is_some())
            .count();
        assert_eq!(figures, stored, "{name}: {targets} targets");
    }
}

#[test]
fn open_data_csv_has_a_bom_a_header_and_one_row_per_item_target_and_result() {
    for (name, r) in documents() {
        let csv = open_data::to_csv(std::slice::from_ref(&r));
        assert!(csv.starts_with('\u{feff}'), "{name}");
        let header = csv
            .trim_start_matches('\u{feff}')
            .split("\r\n")
            .next()
            .unwrap();
        assert_eq!(header, open_data::CSV_COLUMNS.join(","));
        // count records, not lines (quoted fields hold newlines)
        let mut records = 0;
        let mut quoted = false;
        let mut chars = csv.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' => quoted = !quoted,
                '\r' if !quoted && chars.peek() == Some(&'\n') => records += 1,
                _ => {}
            }
        }
        let n = &r.content.nodes;
        let expected = 1
            + n.len()
            + n.iter()
                .map(|x| x.targets.len() + x.actuals.len() + x.reviews.len() + x.evaluations.len())
                .sum::<usize>();
        assert_eq!(records, expected, "{name}");
        for t in n.iter().flat_map(|x| &x.targets) {
            let field = if t.text.contains([',', '"', '\n']) {
                format!("\"{}\"", t.text.replace('"', "\"\""))
            } else {
                t.text.clone()
            };
            assert!(csv.contains(&field), "{name}: {}", t.text);
        }
    }
}
