//! The five real seed documents (../shared/seeds next to the repository root):
//! JSON snapshots (reviewed by hand against the seed text) plus explicit assertions.
//! Skipped, with a notice, when the seeds directory is absent.

// Test code: panicking on unexpected input is the point (clippy.toml allows it in #[test]
// functions; this extends it to the helpers of this test crate).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use kusei_domain::judgment::Judgment;
use kusei_import::{Family, Node, ParsedDocument, Severity, TargetKind};

fn load(prefix: &str) -> Option<ParsedDocument> {
    if skip_without_seeds() {
        return None;
    }
    let (name, bytes) = seed(prefix).unwrap_or_else(|| panic!("seed {prefix} missing"));
    Some(kusei_import::parse_bytes(&name, &bytes).unwrap())
}

fn by_number<'a>(doc: &'a ParsedDocument, level: &str, number: &str) -> &'a Node {
    doc.nodes
        .iter()
        .find(|n| n.level == level && n.number.as_deref() == Some(number))
        .unwrap_or_else(|| panic!("no {level} {number}"))
}

fn codes(doc: &ParsedDocument, code: &str) -> Vec<usize> {
    doc.diagnostics
        .iter()
        .filter(|d| d.code == code)
        .filter_map(|d| d.line)
        .collect()
}

fn snapshot(name: &str, doc: &ParsedDocument) {
    insta::assert_json_snapshot!(name, doc.to_json());
}

#[test]
fn seed_000_plan_stage_reform_items() {
    let Some(doc) = load("000_") else { return };
    snapshot("seed_000", &doc);
    assert_eq!(doc.family, Family::ReformItems);
    assert_eq!(doc.encoding.as_deref(), Some("UTF-8"));
    let items: Vec<&Node> = doc.nodes_of_level("取組項目").collect();
    assert_eq!(items.len(), 4);
    let numbers: Vec<&str> = items.iter().map(|n| n.number.as_deref().unwrap()).collect();
    assert_eq!(numbers, ["1", "2", "3", "4"]);
    assert_eq!(
        items[0].title,
        "国民健康保険料の未収額の圧縮に向けた取組の強化"
    );
    assert_eq!(items[3].title, "歳出の削減と歳入の確保に向けた取組の強化");
    assert!(items.iter().all(|n| n.subtitle.is_none()));
    // plan stage: review and evaluation blank, nothing guessed
    assert!(items
        .iter()
        .all(|n| n.review.is_none() && n.evaluation.is_none()));
    assert!(doc.diagnostics.iter().all(|d| d.severity == Severity::Info));
    // item 2: (戦略) instead of (趣旨・目的); two (目標) in two columns
    let h: Vec<_> = items[1]
        .sections
        .iter()
        .map(|s| (s.group.as_deref().unwrap(), s.heading.as_deref().unwrap()))
        .collect();
    assert_eq!(
        h,
        [
            ("取組の方針・目標内容", "戦略"),
            ("取組の方針・目標内容", "取組の概要"),
            ("取組の方針・目標内容", "目標"),
            ("当年度の取組内容", "取組の内容"),
            ("当年度の取組内容", "目標"),
        ]
    );
    let labels: Vec<_> = items[1]
        .targets
        .iter()
        .map(|t| t.label.as_deref().unwrap_or(""))
        .collect();
    // ③ and ④ each state a figure and a target set later: two targets under one label.
    assert_eq!(
        labels,
        [
            "①-1", "①-2", "②", "③", "③", "④", "④", "①-1", "①-2", "②", "③", "③", "④", "④"
        ]
    );
    let later = &items[1].targets[4];
    assert_eq!(
        later.text,
        "※30・31年度の目標は、29年度の結果を踏まえて設定"
    );
    assert_eq!(later.reading.as_ref().unwrap().kind, "pending");
    assert_eq!(
        later.indicator.as_deref(),
        Some("区役所が、様々な機会を通じて区民の意見やニーズを把握していると感じる区民の割合")
    );
    assert!(items[1].targets[0].text.ends_with("70%(29年度 64%)"));
    // entities decoded, markup never kept
    assert!(items[3].targets.iter().any(|t| t
        .text
        .contains("<平成25年度実績 過去10年間における最下限値>")));
    assert!(!doc.to_json().to_string().contains("<p"));
}

#[test]
fn seed_001_evaluated_reform_items() {
    let Some(doc) = load("001_") else { return };
    snapshot("seed_001", &doc);
    assert_eq!(doc.family, Family::ReformItems);
    let items: Vec<&Node> = doc.nodes_of_level("取組項目").collect();
    assert_eq!(items.len(), 23);
    for (i, n) in items.iter().enumerate() {
        assert_eq!(n.number.as_deref(), Some((i + 1).to_string().as_str()));
        assert!(!n.title.is_empty(), "item {} has a title", i + 1);
        assert!(!n.sections.is_empty(), "item {} has plan sections", i + 1);
    }
    let with_subtitle: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, n)| n.subtitle.is_some())
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(with_subtitle, [7, 8, 9, 11, 12, 13, 14, 16, 17]);
    // Two rates in one unlabelled (目標) paragraph: two targets, each with its value.
    let rates: Vec<(&str, Option<f64>)> = items[1]
        .targets
        .iter()
        .filter(|t| t.text.contains("分目標収納率"))
        .map(|t| (t.text.as_str(), t.value))
        .collect();
    assert_eq!(
        rates,
        [
            ("現年度分目標収納率 88.80%", Some(88.8)),
            ("滞納繰越分目標収納率 25.07%", Some(25.07))
        ]
    );
    assert_eq!(
        items[6].subtitle.as_deref(),
        Some("自治会・町内会単位の活動への支援")
    );
    assert_eq!(
        items[15].subtitle.as_deref(),
        Some("地域の実態に応じたきめ細やかな支援(まちづくりセンター等による支援)")
    );
    // a title over two lines
    assert_eq!(
        items[18].title,
        "「ニア・イズ・ベター」に基づく分権型教育行政の効果的な推進(区政編 改革の柱2 -イ)"
    );
    // judgments: the ① survives on item 18 only; item 1 is stated as not yet determined
    let judgments: Vec<Judgment> = items
        .iter()
        .map(|n| n.evaluation.as_ref().unwrap().stated_judgment)
        .collect();
    assert_eq!(judgments[17], Judgment::Achieved);
    assert_eq!(judgments[0], Judgment::Undetermined);
    assert_eq!(
        judgments
            .iter()
            .filter(|j| **j == Judgment::Unknown)
            .count(),
        21
    );
    assert!(!judgments.contains(&Judgment::NotAchieved));
    assert_eq!(codes(&doc, "judgment_not_visible").len(), 21);
    // evaluation headings as written
    assert_eq!(
        items[0].evaluation.as_ref().unwrap().heading.as_deref(),
        Some("年度評価")
    );
    assert_eq!(
        items[19].evaluation.as_ref().unwrap().heading.as_deref(),
        Some("直前評価")
    );
    assert_eq!(
        items[21].evaluation.as_ref().unwrap().heading.as_deref(),
        Some("評価")
    );
    assert_eq!(codes(&doc, "heading_variant"), [285]);
    // results and remedies
    let e1 = items[0].evaluation.as_ref().unwrap();
    assert!(e1
        .results
        .as_deref()
        .unwrap()
        .contains("平成30年2月末現在の収納率 97.19%"));
    assert!(e1
        .remedy
        .as_deref()
        .unwrap()
        .starts_with("平成29年度の収納率については平成30年5月末まで確定しない"));
    let e8 = items[7].evaluation.as_ref().unwrap();
    assert!(e8
        .results
        .as_deref()
        .unwrap()
        .contains("マッチング回数:15回"));
    assert!(e8
        .remedy
        .as_deref()
        .unwrap()
        .starts_with("出演者と地域等とのマッチングについては"));
    assert!(items[7]
        .targets
        .iter()
        .any(|t| t.text.contains("マッチング回数:35回")));
    assert!(items[19]
        .evaluation
        .as_ref()
        .unwrap()
        .results
        .as_deref()
        .unwrap()
        .contains("41.2%"));
    // mid-year reviews are all blank in this document
    assert!(items.iter().all(|n| n.review.is_none()));
    // item 12: rows out of order; the (目標) under (取組の概要) is the multi-year one
    let s12: Vec<_> = items[11]
        .sections
        .iter()
        .map(|s| (s.group.as_deref().unwrap(), s.heading.as_deref().unwrap()))
        .collect();
    assert!(s12.contains(&("取組の方針・目標内容", "取組の概要")));
    assert_eq!(s12.iter().filter(|s| s.1 == "目標").count(), 2);
    // yearly targets
    let t6: Vec<_> = items[5]
        .targets
        .iter()
        .filter_map(|t| t.fiscal_year.as_ref().map(|f| (f.year, t.text.as_str())))
        .collect();
    assert_eq!(
        t6[..3],
        [
            (2017, "30%"),
            (2018, "29年度実績値に比べて2.5%増"),
            (2019, "29年度実績値に比べて5%増")
        ]
    );
    // cross references inside the document are linked
    let r10 = &items[9].references[0];
    assert_eq!(
        (r10.target_level.as_deref(), r10.target_number.as_deref()),
        (Some("取組項目"), Some("8"))
    );
    assert_eq!(r10.target_id.as_deref(), Some(items[7].id.as_str()));
    assert!(items[13]
        .references
        .iter()
        .all(|r| r.target_id.as_deref() == Some(items[11].id.as_str())));
    assert!(items[22].references.iter().any(|r| r
        .target_document
        .as_deref()
        .is_some_and(|d| d.contains("P68"))));
}

#[test]
fn seed_002_results_table() {
    let Some(doc) = load("002_") else { return };
    snapshot("seed_002", &doc);
    assert_eq!(doc.family, Family::ResultsTable);
    let chapter = by_number(&doc, "章", "II");
    assert_eq!(chapter.title, "区政改革");
    let issues: Vec<&Node> = doc.nodes_of_level("課題").collect();
    assert_eq!(
        issues
            .iter()
            .map(|n| (n.number.as_deref().unwrap(), n.title.as_str()))
            .collect::<Vec<_>>(),
        [("1", "区の自律経営"), ("2", "地域に応じた業務の再構築")]
    );
    assert!(issues.iter().all(|n| n.parent_ids == [chapter.id.clone()]));
    let inits: Vec<&Node> = doc.nodes_of_level("具体的取組").collect();
    assert_eq!(inits.len(), 4);
    // issue carried down to the next row whose first cell is empty
    assert_eq!(inits[1].parent_ids, [issues[0].id.clone()]);
    assert_eq!(inits[1].title, "政策形成の強化、機能の拡大・充実");
    assert_eq!(inits[3].parent_ids, [issues[1].id.clone()]);
    // cells continued after the page break (repeated header) joined to the previous row
    let goal = inits[1].sections_headed("取組目標").next().unwrap();
    assert!(goal.text.contains(
        "幹部職員の説明会・出前講座での意見の活用、区のホームページを活用した意見の募集。"
    ));
    assert!(goal.text.contains("(3) 効率性・住民ニーズなど"));
    let result = inits[1].sections_headed("5年間の取組成果").next().unwrap();
    assert!(result.text.ends_with("業務の効率化を図ることができた。"));
    assert_eq!(
        inits[1]
            .targets
            .iter()
            .filter_map(|t| t.label.as_deref())
            .collect::<Vec<_>>(),
        ["(1)", "(2)", "(3)"]
    );
    // milestones with dates
    let m = &inits[0].milestones;
    assert_eq!(m.len(), 4);
    assert!(m[0].text.starts_with("区長の庁内公募を実施（18年4月～）"));
    let d0 = m[0].date.as_ref().unwrap();
    assert_eq!(
        (d0.from.year, d0.from.month, d0.open_ended, d0.to.is_none()),
        (2006, Some(4), true, true)
    );
    let d = inits[2]
        .milestones
        .iter()
        .find(|m| m.text.contains("21年度～22年度"))
        .unwrap()
        .date
        .as_ref()
        .unwrap();
    assert_eq!(
        (
            d.precision.as_str(),
            d.from.year,
            d.to.as_ref().map(|t| t.year)
        ),
        ("fiscal_year", 2009, Some(2010))
    );
    let d = inits[2]
        .milestones
        .iter()
        .find(|m| m.text.starts_with("市税事務所の開設"))
        .unwrap()
        .date
        .as_ref()
        .unwrap();
    assert_eq!(
        (d.from.year, d.from.month, d.open_ended),
        (2007, Some(10), false)
    );
    let d = inits[3]
        .milestones
        .iter()
        .find(|m| m.text.contains("19年7月～9月"))
        .unwrap()
        .date
        .as_ref()
        .unwrap();
    assert_eq!(
        d.to.as_ref().map(|t| (t.year, t.month)),
        Some((2007, Some(9)))
    );
    // the file is cut off mid-row: read what is there, say so
    assert_eq!(codes(&doc, "truncated_input"), [12]);
    assert_eq!(
        inits[3].milestones.last().unwrap().text,
        "地域活性化についての学習を希望するグ"
    );
    // a continuation with no row before it is kept in a diagnostic
    let orphan = doc
        .diagnostics
        .iter()
        .find(|d| d.code == "orphan_continuation")
        .unwrap();
    assert_eq!(orphan.line, Some(4));
    assert!(orphan
        .excerpt
        .as_deref()
        .unwrap()
        .contains("【委託料総額】 562 億円を 3 割削減し 393 億円"));
}

#[test]
fn seed_003_plan_tree() {
    let Some(doc) = load("003_") else { return };
    snapshot("seed_003", &doc);
    assert_eq!(doc.family, Family::PlanTree);
    assert_eq!(doc.title.as_ref().unwrap().text, "区役所改革基本計画の概要");
    let p = doc.period.as_ref().unwrap();
    assert_eq!((p.from, p.to, p.line), (2007, 2010, 26));
    let areas: Vec<&Node> = doc.nodes_of_level("重点分野").collect();
    assert_eq!(
        areas
            .iter()
            .map(|n| (n.number.as_deref().unwrap(), n.title.as_str()))
            .collect::<Vec<_>>(),
        [
            ("1", "市民サービスの向上"),
            ("2", "地域支援体制の強化"),
            ("3", "区役所の機能強化"),
            ("4", "職場風土の改革")
        ]
    );
    let alias: Vec<&str> = areas
        .iter()
        .map(|n| n.appearances[0].number.as_deref().unwrap())
        .collect();
    assert_eq!(alias, ["I", "II", "Ⅲ", "Ⅳ"]);
    // ■ groups under the areas, ○ under ■, items under ○
    let groups: Vec<&Node> = doc.nodes_of_level("■").collect();
    assert_eq!(groups.len(), 7);
    assert!(groups
        .iter()
        .all(|g| areas.iter().any(|a| g.parent_ids[0] == a.id)));
    let items: Vec<&Node> = doc.nodes_of_level("項目").collect();
    assert_eq!(items.len(), 53, "35 ☆ items + 18 ・ items, 再掲 not copied");
    assert_eq!(items.iter().filter(|n| n.marks == ["☆"]).count(), 35);
    assert!(items.iter().all(|n| n.marks.is_empty() || n.marks == ["☆"]));
    let star = |t: &str| items.iter().find(|n| n.title == t).unwrap().marks.clone();
    assert_eq!(star("窓口取り扱い時間の拡大"), ["☆"]);
    assert!(star("広報・情報提供の充実").is_empty());
    // every （再掲） item: one node with two parents
    for title in [
        "地域の意見を吸収する手法の充実",
        "高齢者・障害者支援に係る保健と福祉の連携の推進",
        "福祉業務を中心とした支所業務の拡充",
        "戸籍事務の電算化",
    ] {
        let same: Vec<&&Node> = items.iter().filter(|n| n.title == title).collect();
        assert_eq!(same.len(), 1, "{title} not duplicated");
        assert_eq!(same[0].parent_ids.len(), 2, "{title} has two parents");
        assert_eq!(same[0].appearances[0].kind, "repeat");
        assert!(!doc.nodes.iter().any(|n| n.title.contains("再掲")));
    }
    let kiseki = items
        .iter()
        .find(|n| n.title == "福祉業務を中心とした支所業務の拡充")
        .unwrap();
    let second_parent = doc.node(&kiseki.parent_ids[1]).unwrap();
    assert_eq!(second_parent.title, "支所で取り扱う業務の拡充");
    assert_eq!(kiseki.marks, ["☆"]);
    assert_eq!(codes(&doc, "repeat_marks_differ"), [130]);
    // two different items with the same title stay two nodes
    assert_eq!(items.iter().filter(|n| n.title == "研修の充実").count(), 2);
    // notes
    let notes: Vec<_> = doc
        .notes
        .iter()
        .map(|n| n.label.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(notes, ["注1", "注2"]);
    assert!(doc.notes[1]
        .text
        .starts_with("☆印の事項は、平成19年度又は平成20年度"));
    assert_eq!(codes(&doc, "empty_heading"), [176]);
}

#[test]
fn seed_004_management_sheet() {
    let Some(doc) = load("004_") else { return };
    snapshot("seed_004", &doc);
    assert_eq!(doc.family, Family::ManagementSheet);
    let issue = by_number(&doc, "経営課題", "4");
    assert_eq!(issue.title, "区民の皆さんに信頼される区役所づくり");
    let h: Vec<_> = issue
        .sections
        .iter()
        .map(|s| s.heading.as_deref().unwrap())
        .collect();
    assert_eq!(h, ["めざすべき将来像", "現状・データ", "分析", "課題"]);
    assert_eq!(
        issue.sections[0].qualifier.as_deref(),
        Some("概ね10～20年間を設定")
    );
    assert!(issue.sections[1].text.contains("26.4%"));
    let strategies: Vec<&Node> = doc.nodes_of_level("戦略").collect();
    assert_eq!(
        strategies
            .iter()
            .map(|n| (n.number.as_deref().unwrap(), n.title.as_str()))
            .collect::<Vec<_>>(),
        [
            ("4-1", "コンプライアンスの確保"),
            ("4-2", "窓口サービスの向上"),
            ("4-3", "区民の皆さんとすすめる区政運営")
        ]
    );
    assert!(strategies
        .iter()
        .all(|s| s.parent_ids == [issue.id.clone()]));
    let s2 = strategies[1];
    assert_eq!(
        s2.targets
            .iter()
            .filter(|t| t.kind == TargetKind::DesiredState)
            .count(),
        3
    );
    let outcomes: Vec<_> = s2
        .targets
        .iter()
        .filter(|t| t.kind == TargetKind::Outcome)
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes[0].text.contains("平成29年度末までに80%以上"));
    assert_eq!(s2.sections_headed("戦略").count(), 1);
    let inits: Vec<&Node> = doc.nodes_of_level("具体的取組").collect();
    assert_eq!(
        inits
            .iter()
            .map(|n| n.number.as_deref().unwrap())
            .collect::<Vec<_>>(),
        ["4-1-1", "4-2-1", "4-2-2", "4-3-1", "4-3-2"]
    );
    let parents: Vec<&str> = inits
        .iter()
        .map(|n| {
            doc.node(&n.parent_ids[0])
                .unwrap()
                .number
                .as_deref()
                .unwrap()
        })
        .collect();
    assert_eq!(parents, ["4-1", "4-2", "4-2", "4-3", "4-3"]);
    assert_eq!(inits[0].title, "職員のコンプライアンス意識の向上");
    assert_eq!(inits[1].sections[0].text.lines().count(), 8);
    // cross references to another document's items are kept
    let r = &inits[1].references[0];
    assert_eq!(
        (r.target_number.as_deref(), r.target_id.as_deref()),
        (Some("2-1-2"), None)
    );
    assert_eq!(
        inits[3].references[0].target_number.as_deref(),
        Some("1-1-2")
    );
    // directory: 16 table rows → 13 entries (3 rows only continue 住民情報's duties)
    assert_eq!(
        doc.directory_title.as_ref().unwrap().text,
        "城東区役所の業務一覧"
    );
    assert_eq!(doc.directory.len(), 13);
    let d = &doc.directory[4];
    assert_eq!(
        (d.unit.as_str(), d.subunit.as_deref(), d.line, d.end_line),
        ("窓口サービス課", Some("住民情報"), 142, 145)
    );
    assert_eq!(d.duties.lines().count(), 4);
    assert!(d
        .duties
        .ends_with("(お電話でのお問合せは京橋市税事務所管理担当まで)"));
    assert_eq!(doc.directory[5].unit, "窓口サービス課", "unit carried down");
    assert_eq!(
        doc.directory
            .iter()
            .filter(|e| e.unit == "保健福祉課 (保健福祉センター)")
            .count(),
        6
    );
    assert!(doc
        .directory
        .iter()
        .all(|e| e.phone.as_deref().is_some_and(|p| p.starts_with("06-")) && e.fax.is_some()));
    assert_eq!(doc.directory[0].phone.as_deref(), Some("06-6930-9625"));
    assert!(doc.diagnostics.iter().all(|d| d.severity == Severity::Info));
}

#[test]
fn seeds_render_as_text() {
    let Some(doc) = load("001_") else { return };
    let t = doc.render_text();
    assert!(t.contains("family: reform_items"));
    assert!(t.contains("取組項目 18 市民活動の持続的な実施に向けたCB/SB化、社会的ビジネス化の支援"));
    assert!(t.contains("judgment achieved"));
    assert!(t.contains("line 285: info [heading_variant]"));
}
