//! Invented fixtures in the four forms (not copies of the seeds), with the quirks of
//! real extractions, plus decoding and error cases. Runs in a fresh clone.

// Test code: panicking on unexpected input is the point (clippy.toml allows it in #[test]
// functions; this extends it to the helpers of this test crate).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use encoding_rs::{SHIFT_JIS, UTF_16BE, UTF_16LE};
use kusei_domain::judgment::Judgment;
use kusei_import::{Family, ImportError, Node, ParsedDocument, Prospect, Severity, TargetKind};

fn parse(name: &str) -> ParsedDocument {
    kusei_import::parse_bytes(name, fixture(name).as_bytes()).unwrap()
}

fn item<'a>(doc: &'a ParsedDocument, number: &str) -> &'a Node {
    doc.nodes
        .iter()
        .find(|n| n.level == "取組項目" && n.number.as_deref() == Some(number))
        .unwrap()
}

fn lines_of(doc: &ParsedDocument, code: &str) -> Vec<usize> {
    doc.diagnostics
        .iter()
        .filter(|d| d.code == code)
        .filter_map(|d| d.line)
        .collect()
}

#[test]
fn reform_items_fixture() {
    let doc = parse("reform_items.txt");
    assert_eq!(doc.family, Family::ReformItems);
    assert_eq!(
        doc.fiscal_year.as_ref().map(|f| (f.year, f.line)),
        Some((2021, 1))
    );
    let titles: Vec<&str> = doc.nodes.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "窓口の待ち時間の短縮",
            "地域活動への参加促進(区政編 改革の柱1)",
            "ごみ減量の推進&啓発",
            "区政情報の発信強化"
        ]
    );
    assert_eq!(
        doc.nodes[2].number.as_deref(),
        Some("３"),
        "full-width number kept as written"
    );
    let subs: Vec<Option<&str>> = doc.nodes.iter().map(|n| n.subtitle.as_deref()).collect();
    assert_eq!(
        subs,
        [
            None,
            Some("若い世代の参加を増やす"),
            Some("家庭ごみの分別徹底"),
            None
        ]
    );

    // 1: checked boxes are visible choices; entities decoded in display text
    let i1 = item(&doc, "1");
    assert!(i1.sections[1]
        .text
        .contains("番号発券機の導入と<臨時窓口>の開設"));
    let r1 = i1.review.as_ref().unwrap();
    assert_eq!(
        (r1.implementation, r1.achievement),
        (Prospect::Expected, Prospect::Unknown)
    );
    let e1 = i1.evaluation.as_ref().unwrap();
    assert_eq!(e1.stated_judgment, Judgment::NotAchieved);
    assert_eq!(
        e1.results.as_deref(),
        Some("平均待ち時間 24分（3月実績） 最長待ち時間 75分")
    );
    assert!(e1
        .remedy
        .as_deref()
        .unwrap()
        .starts_with("最長待ち時間が目標を超えた"));
    let labels: Vec<_> = i1.targets.iter().map(|t| t.label.as_deref()).collect();
    assert_eq!(labels, [Some("①-1"), Some("①-2"), None]);
    assert_eq!(
        i1.targets[2].normalized, "平均待ち時間 30分以内",
        "NFKC form"
    );

    // 2: blocks out of order, choice lost → unknown (never guessed), stray labels ignored
    let i2 = item(&doc, "2");
    let e2 = i2.evaluation.as_ref().unwrap();
    assert_eq!(e2.stated_judgment, Judgment::Unknown);
    assert_eq!(e2.judgment_text.as_deref(), Some(":目標達成 目標未達成"));
    assert!(e2.results.as_deref().unwrap().contains("18.5%"));
    assert_eq!(
        e2.remedy.as_deref(),
        Some("アンケートの回答数が少なかったため、次年度は配布方法を見直す。")
    );
    assert!(i2.review.is_none(), "blank review");
    let yearly: Vec<_> = i2
        .targets
        .iter()
        .filter_map(|t| {
            t.fiscal_year
                .as_ref()
                .map(|f| (f.year, t.text.as_str(), t.indicator.as_deref()))
        })
        .collect();
    assert_eq!(
        yearly,
        [
            (2021, "20%", Some("地域活動に参加している区民の割合")),
            (2022, "25%", Some("地域活動に参加している区民の割合"))
        ]
    );
    let groups: Vec<_> = i2
        .sections
        .iter()
        .map(|s| (s.group.as_deref().unwrap(), s.heading.as_deref().unwrap()))
        .collect();
    assert_eq!(
        groups,
        [
            ("取組の方針・目標内容", "趣旨・目的"),
            ("取組の方針・目標内容", "目標"),
            ("当年度の取組内容", "取組の内容"),
            ("当年度の取組内容", "目標")
        ]
    );
    assert_eq!(lines_of(&doc, "judgment_not_visible"), [26]);

    // 3: only ② remains → not achieved; remedy required but missing; reference linked
    let i3 = item(&doc, "３");
    assert_eq!(
        i3.evaluation.as_ref().unwrap().stated_judgment,
        Judgment::NotAchieved
    );
    assert_eq!(
        i3.evaluation.as_ref().unwrap().heading.as_deref(),
        Some("年度評価")
    );
    assert_eq!(lines_of(&doc, "remedy_missing"), [47]);
    assert_eq!(i3.references[0].target_id.as_deref(), Some(i1.id.as_str()));
    assert_eq!(i3.references[0].line, 41);

    // 4: ■ marks ②; text says not yet determined; unusual heading
    let i4 = item(&doc, "4");
    let r4 = i4.review.as_ref().unwrap();
    assert_eq!(
        (r4.implementation, r4.achievement),
        (Prospect::Unknown, Prospect::NotExpected)
    );
    assert_eq!(
        r4.remedy.as_deref(),
        Some("区民アンケートの実施が遅れているため、1月に実施する。")
    );
    let e4 = i4.evaluation.as_ref().unwrap();
    assert_eq!(e4.stated_judgment, Judgment::Undetermined);
    assert!(
        e4.results
            .as_deref()
            .unwrap()
            .starts_with("広報紙を12回発行した。目標達成が見込まれる"),
        "prose mention of 目標達成 is not an option"
    );
    assert_eq!(lines_of(&doc, "heading_variant"), [59]);
}

#[test]
fn results_table_fixture() {
    let doc = parse("results_table.txt");
    assert_eq!(doc.family, Family::ResultsTable);
    let levels: Vec<(&str, &str)> = doc
        .nodes
        .iter()
        .map(|n| (n.level.as_str(), n.number.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        levels,
        [
            ("章", "Ⅲ"),
            ("課題", "1"),
            ("具体的取組", "①"),
            ("具体的取組", "②"),
            ("課題", "2"),
            ("具体的取組", "①"),
            ("課題", "3"),
            ("具体的取組", "①")
        ]
    );
    // ② carried under issue 1 (empty first cell)
    assert_eq!(doc.nodes[3].parent_ids, [doc.nodes[1].id.clone()]);
    // cells continued after the repeated header joined to ①'s cells (mid-sentence: directly)
    let n = &doc.nodes[2];
    assert_eq!(
        n.sections_headed("取組成果").next().unwrap().text,
        "総合窓口を開設し、手続の平均時間を短縮することができた。"
    );
    assert_eq!(n.targets.len(), 3);
    assert_eq!(n.targets[2].text, "電子申請を広げる。");
    // milestones across eras: 元年 = 令和元年 = 2019, 30年 = 平成30年 = 2018
    let m: Vec<_> = n
        .milestones
        .iter()
        .map(|m| {
            m.date
                .as_ref()
                .map(|d| (d.from.year, d.from.month, d.open_ended))
        })
        .collect();
    assert_eq!(
        m,
        [
            Some((2019, Some(10), true)),
            Some((2020, Some(4), false)),
            Some((2020, None, false))
        ]
    );
    assert_eq!(
        n.milestones[2]
            .date
            .as_ref()
            .unwrap()
            .to
            .as_ref()
            .map(|t| t.year),
        Some(2021)
    );
    let m2: Vec<_> = doc.nodes[3]
        .milestones
        .iter()
        .map(|m| (m.text.as_str(), m.date.as_ref().map(|d| d.from.year)))
        .collect();
    assert_eq!(
        m2,
        [
            ("コンビニ交付を開始(30年2月)", Some(2018)),
            ("対象証明書を拡大(元年7月～9月)", Some(2019)),
            ("利用促進のちらしを配布(令和2年度)", Some(2020))
        ]
    );
    assert_eq!(doc.nodes[5].milestones[1].date, None);
    // cut off mid-row
    assert_eq!(lines_of(&doc, "truncated_input"), [9]);
    assert_eq!(doc.nodes[7].targets[0].text, "備蓄品を更新す");
}

#[test]
fn plan_tree_fixture() {
    let doc = parse("plan_tree.txt");
    assert_eq!(doc.family, Family::PlanTree);
    let p = doc.period.as_ref().unwrap();
    assert_eq!((p.from, p.to), (2020, 2023));
    let areas: Vec<&Node> = doc.nodes_of_level("重点分野").collect();
    assert_eq!(areas.len(), 3);
    assert_eq!(
        areas
            .iter()
            .map(|a| a.appearances[0].number.as_deref().unwrap())
            .collect::<Vec<_>>(),
        ["I", "Ⅱ", "Ⅲ"]
    );
    let items: Vec<&Node> = doc.nodes_of_level("項目").collect();
    assert_eq!(items.len(), 7);
    // a forward （再掲）: listed under 受付の工夫 before its original under 研修
    let training = items.iter().find(|n| n.title == "研修の実施").unwrap();
    assert_eq!(training.parent_ids.len(), 2);
    assert_eq!(doc.node(&training.parent_ids[0]).unwrap().title, "研修");
    assert_eq!(
        doc.node(&training.parent_ids[1]).unwrap().title,
        "受付の工夫"
    );
    // marks differ between listing and original: original's kept, info diagnostic
    let ticket = items.iter().find(|n| n.title == "番号札の導入").unwrap();
    assert_eq!(ticket.marks, ["☆"]);
    assert_eq!(ticket.appearances[0].marks, Vec::<String>::new());
    assert_eq!(lines_of(&doc, "repeat_marks_differ"), [54]);
    // （再掲） without original: kept once, with a warning
    let coin = items.iter().find(|n| n.title == "地域通貨の研究").unwrap();
    assert_eq!(coin.marks, ["★"]);
    assert_eq!(lines_of(&doc, "repeat_target_not_found"), [44]);
    assert_eq!(items.iter().filter(|n| n.marks.is_empty()).count(), 3);
    assert_eq!(doc.notes.len(), 2);
}

#[test]
fn management_sheet_fixture() {
    let doc = parse("management_sheet.txt");
    assert_eq!(doc.family, Family::ManagementSheet);
    let issue = &doc.nodes[0];
    assert_eq!(
        (issue.level.as_str(), issue.title.as_str()),
        ("経営課題", "安全で安心なまちづくり")
    );
    assert_eq!(
        issue.sections[1].text,
        "防災訓練の参加者は年々減っている。 （令和2年度 区民アンケート）\n自主防災組織の結成率 65%"
    );
    let strategies: Vec<&Node> = doc.nodes_of_level("戦略").collect();
    assert_eq!(
        strategies
            .iter()
            .map(|s| s.title.as_str())
            .collect::<Vec<_>>(),
        ["地域防災力の向上", "防犯対策の推進"]
    );
    let kinds: Vec<TargetKind> = strategies[0].targets.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [
            TargetKind::DesiredState,
            TargetKind::Outcome,
            TargetKind::Outcome
        ]
    );
    let inits: Vec<&Node> = doc.nodes_of_level("具体的取組").collect();
    assert_eq!(inits.len(), 2);
    // a reference to an item later in the same document is linked; another is kept external
    assert_eq!(
        inits[0].references[0].target_id.as_deref(),
        Some(inits[1].id.as_str())
    );
    assert_eq!(inits[0].references[0].line, 41);
    assert_eq!(inits[1].references[0].target_id, None);
    assert_eq!(lines_of(&doc, "reference_external"), [57]);
    // 中間振り返り / 自己評価 blocks of a sheet node
    let r = inits[1].review.as_ref().unwrap();
    assert_eq!(
        (r.implementation, r.achievement, r.remedy.as_deref()),
        (Prospect::Expected, Prospect::Unknown, None)
    );
    let e = inits[1].evaluation.as_ref().unwrap();
    assert_eq!(
        e.stated_judgment,
        Judgment::Unknown,
        "①② both still shown: no choice visible"
    );
    assert_eq!(
        e.results.as_deref(),
        Some("青色防犯パトロール 4団体を支援した。")
    );
    assert_eq!(
        e.remedy.as_deref(),
        Some("支援団体の高齢化が進んでいるため、若い世代の参加を呼びかける。")
    );
    assert_eq!(lines_of(&doc, "judgment_not_visible"), [63]);
    assert!(inits[0].review.is_none() && inits[0].evaluation.is_none());
    // directory: FAX header, unit carried, duties continued
    assert_eq!(
        doc.directory_title.as_ref().unwrap().text,
        "北区役所の担当一覧"
    );
    let d: Vec<_> = doc
        .directory
        .iter()
        .map(|e| {
            (
                e.unit.as_str(),
                e.subunit.as_deref().unwrap(),
                e.duties.lines().count(),
            )
        })
        .collect();
    assert_eq!(
        d,
        [
            ("総務課", "総務", 1),
            ("総務課", "企画", 2),
            ("地域課", "防災", 3),
            ("地域課", "市民活動", 1)
        ]
    );
    assert_eq!(doc.directory[2].end_line, 79);
    assert_eq!(doc.directory[1].fax.as_deref(), Some("06-1111-0002"));
}

#[test]
fn shift_jis_and_utf16_with_bom_decode() {
    let text = fixture("reform_items.txt");
    let utf8 = kusei_import::parse_bytes("r.txt", text.as_bytes()).unwrap();
    let (sjis, _, unmappable) = SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    let doc = kusei_import::parse_bytes("r.txt", &sjis).unwrap();
    assert_eq!(doc.encoding.as_deref(), Some("Shift_JIS"));
    assert_eq!(doc.nodes, utf8.nodes);
    for (enc, bom, name) in [
        (UTF_16LE, [0xFF, 0xFE], "UTF-16LE"),
        (UTF_16BE, [0xFE, 0xFF], "UTF-16BE"),
    ] {
        let mut bytes = bom.to_vec();
        // encoding_rs only encodes to UTF-8 for UTF-16 targets; build the code units by hand
        for u in text.encode_utf16() {
            let b = if enc == UTF_16LE {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            };
            bytes.extend_from_slice(&b);
        }
        let (decoded, _, had_errors) = enc.decode(&bytes);
        assert!(!had_errors);
        assert_eq!(decoded, text);
        let doc = kusei_import::parse_bytes("r.txt", &bytes).unwrap();
        assert_eq!(doc.encoding.as_deref(), Some(name));
        assert_eq!(doc.nodes, utf8.nodes);
    }
    let (t, enc) = kusei_import::decode(&sjis).unwrap();
    assert_eq!((t.as_str(), enc), (text.as_str(), "Shift_JIS"));
}

#[test]
fn unreadable_input_is_an_error_naming_file_and_reason() {
    let e = kusei_import::parse_bytes("input.txt", b"PK\x03\x04\x00\x00binary").unwrap_err();
    assert!(matches!(e, ImportError::Binary { offset: 4, .. }));
    assert_eq!(
        e.to_string(),
        "input.txt: binary data (NUL bytes at offset 4), not a text document"
    );
    let e = kusei_import::parse_bytes("empty.txt", b"").unwrap_err();
    assert_eq!(e.to_string(), "empty.txt: empty input, not a document");
    let e = kusei_import::parse_bytes("blank.txt", "\u{3000}\n \r\n".as_bytes()).unwrap_err();
    assert!(matches!(e, ImportError::Empty { .. }));
    let e =
        kusei_import::parse_bytes("bad.txt", &[0x8E, 0x41, 0x80, 0xFF, 0xFE, 0x30]).unwrap_err();
    assert!(matches!(e, ImportError::Undecodable { .. }), "{e}");
    assert!(e.to_string().starts_with("bad.txt: cannot decode"));
    let e = kusei_import::parse_bytes("odd.txt", &[0xFF, 0xFE, 0x41]).unwrap_err();
    assert!(
        e.to_string().starts_with("odd.txt: invalid UTF-16LE data"),
        "{e}"
    );
    let e =
        kusei_import::parse_bytes("memo.txt", "今日の買い物\n牛乳\n卵\n".as_bytes()).unwrap_err();
    assert!(matches!(e, ImportError::Unrecognised { .. }));
    assert!(e
        .to_string()
        .starts_with("memo.txt: not a recognised plan document"));
    // parse_text never fails, but says so
    let doc = kusei_import::parse_text("memo.txt", "今日の買い物\n牛乳\n");
    assert_eq!(doc.family, Family::Unknown);
    assert!(doc.nodes.is_empty());
    assert!(doc.has_errors());
    assert_eq!(doc.diagnostics[0].severity, Severity::Error);
    assert_eq!(doc.diagnostics[0].code, "family_unrecognised");
    // every error's Display is one line
    for e in [
        kusei_import::parse_bytes("x", b"").unwrap_err(),
        kusei_import::parse_bytes("x", b"a\0").unwrap_err(),
    ] {
        assert!(!e.to_string().contains('\n'));
    }
}

#[test]
fn parse_file_errors_name_the_file() {
    let dir = fixtures_dir();
    let e = kusei_import::parse_file(&dir).unwrap_err();
    assert!(matches!(e, ImportError::IsDirectory { .. }));
    assert!(e.to_string().contains("fixtures: is a directory"), "{e}");
    let missing = dir.join("no-such-file.txt");
    let e = kusei_import::parse_file(&missing).unwrap_err();
    assert!(matches!(e, ImportError::Io { .. }));
    assert!(
        e.to_string().contains("no-such-file.txt: cannot read"),
        "{e}"
    );
    let doc = kusei_import::parse_file(&dir.join("plan_tree.txt")).unwrap();
    assert!(doc.file_name.ends_with("plan_tree.txt"));
    assert_eq!(doc.encoding.as_deref(), Some("UTF-8"));
}

#[test]
fn html_and_markup_are_never_kept() {
    let text = "取組項目1\n【<b>窓口</b>改善】\n計画\t<p style=\"color:red\">(目標) a &lt;script&gt; &amp; b</p><script>alert(1)</script><ul><li>c</li></ul>\n";
    let doc = kusei_import::parse_text("h.txt", text);
    let json = doc.to_json().to_string();
    assert!(!json.contains("<p") && !json.contains("<li") && !json.contains("alert"));
    assert_eq!(doc.nodes[0].title, "窓口改善");
    assert_eq!(doc.nodes[0].sections[0].text, "a <script> & b\nc");
}

#[test]
fn render_text_report() {
    let doc = parse("reform_items.txt");
    let t = doc.render_text();
    assert!(t.contains("family: reform_items"));
    assert!(t.contains("取組項目 1 窓口の待ち時間の短縮"));
    assert!(t.contains("subtitle: 若い世代の参加を増やす"));
    assert!(t.contains("judgment not_achieved"));
    assert!(t.contains("line 47: warning [remedy_missing]"));
    let tree = parse("plan_tree.txt").render_text();
    assert!(tree.contains("項目 ☆ 番号札の導入"));
    assert!(tree.contains("↺ repeat at line 54"));
    let dir = parse("management_sheet.txt").render_text();
    assert!(dir.contains("地域課 / 防災  tel 06-1111-0010"));
}

/// The mid-year review with marks that survived as ●/○: the filled one is the answer;
/// two filled marks are unknown with a diagnostic, never a guess.
#[test]
fn surviving_filled_and_hollow_marks_in_the_review() {
    let text = fixture("reform_items.txt");
    let checked = r#"<input type="checkbox" checked/> 実施見込み <input type="checkbox"/> 実施できない見込み"#;
    assert!(text.contains(checked), "the fixture's review line changed");
    let read =
        |marks: &str| kusei_import::parse_text("marks.txt", &text.replacen(checked, marks, 1));
    let doc = read("○ 実施見込み ● 実施できない見込み");
    let review = item(&doc, "1").review.as_ref().unwrap();
    assert_eq!(review.implementation, Prospect::NotExpected);
    // The achievement options of this item lost their marks: said so, not guessed.
    let unseen: Vec<&str> = doc
        .diagnostics
        .iter()
        .filter(|d| d.code == "review_not_visible" && d.message.contains("取組項目1:"))
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(unseen.len(), 1, "{unseen:?}");
    assert!(unseen[0].contains("目標の達成見込み"), "{unseen:?}");
    assert_eq!(review.achievement, Prospect::Unknown);
    let doc = read("● 実施見込み ● 実施できない見込み");
    let r = item(&doc, "1").review.as_ref();
    assert!(r.is_none_or(|r| r.implementation == Prospect::Unknown));
    let diag = doc
        .diagnostics
        .iter()
        .find(|d| d.code == "review_not_visible")
        .expect("two marks are reported");
    assert_eq!(diag.severity, Severity::Warning);
    assert!(
        diag.message.contains("複数の選択肢に印がある"),
        "{}",
        diag.message
    );
}

/// What a document says, without line numbers and diagnostics: to compare two readings.
fn said(doc: &ParsedDocument) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.retain(|k, _| {
                    !matches!(
                        k.as_str(),
                        "line" | "lines" | "diagnostics" | "findings" | "line_count"
                    )
                });
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = doc.to_json();
    strip(&mut v["nodes"]);
    v["nodes"].take()
}

/// A page break in the middle of every fixture — a page number, a form feed and the
/// running header repeated — is read as nothing, and listed (info `page_furniture`).
#[test]
fn page_furniture_is_read_as_nothing_in_every_family() {
    for name in [
        "reform_items.txt",
        "management_sheet.txt",
        "results_table.txt",
        "plan_tree.txt",
    ] {
        let text = fixture(name);
        let lines: Vec<&str> = text.split('\n').collect();
        let header = lines.iter().find(|l| !l.trim().is_empty()).unwrap().trim();
        // Before a blank line past the middle (between two blocks, as a page ends), or in
        // the middle of a table's rows.
        let at = (lines.len() / 2..lines.len().saturating_sub(1))
            .find(|&i| lines[i].trim().is_empty())
            .unwrap_or(lines.len() / 2);
        for furniture in [
            format!("- 2 -\n{header}"),
            format!("2 / 5\n\u{c}{header}"),
            "\u{c}".to_string(),
        ] {
            let mut broken: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
            broken.insert(at, furniture.clone());
            let broken = broken.join("\n");
            let a = kusei_import::parse_text(name, &text);
            let b = kusei_import::parse_text(name, &broken);
            assert_eq!(said(&b), said(&a), "{name} with {furniture:?}");
            let skipped: Vec<&str> = b
                .diagnostics
                .iter()
                .filter(|d| d.code == "page_furniture")
                .map(|d| d.excerpt.as_deref().unwrap_or(""))
                .collect();
            // Each inserted line is listed (a header the document itself repeats right
            // after the break is furniture too).
            let inserted: Vec<String> = furniture.lines().map(|l| l.replace('\u{c}', "")).collect();
            assert!(
                skipped.len() >= inserted.len(),
                "{name} with {furniture:?}: {skipped:?}"
            );
            assert!(
                skipped
                    .iter()
                    .all(|s| inserted.iter().any(|i| i == s) || *s == header),
                "{name} with {furniture:?}: {skipped:?}"
            );
            assert!(b
                .diagnostics
                .iter()
                .filter(|d| d.code == "page_furniture")
                .all(|d| d.severity == Severity::Info));
        }
    }
}

/// An outline item wrapped onto an indented second line is one title; an unindented
/// line after it is still what it was (body text, or the next element).
#[test]
fn a_list_item_wrapped_onto_a_second_line_is_one_title() {
    let text = fixture("plan_tree.txt");
    assert!(text.contains("- ・予約制度の検討\n"), "the fixture changed");
    let wrapped = text.replacen(
        "- ・予約制度の検討\n",
        "- ・予約制度の導入に向けた\n  検討\n",
        1,
    );
    let doc = kusei_import::parse_text("wrapped.txt", &wrapped);
    let titles: Vec<&str> = doc.nodes.iter().map(|n| n.title.as_str()).collect();
    assert!(titles.contains(&"予約制度の導入に向けた検討"), "{titles:?}");
    assert!(!titles.contains(&"検討"));
    assert!(!doc.to_json().to_string().contains("\"検討\""));
    // The same number of nodes as without the wrap.
    assert_eq!(doc.nodes.len(), parse("plan_tree.txt").nodes.len());
}

/// 達成見込み has the names the rest of Kusei uses (schema version 2); a version-1
/// document (`expected` / `not_expected`) still reads.
#[test]
fn achievement_names_are_kuseis_and_version_one_still_reads() {
    let doc = parse("reform_items.txt");
    let json = doc.to_json();
    assert_eq!(json["schema_version"], 2);
    let four = doc
        .nodes
        .iter()
        .position(|n| n.level == "取組項目" && n.number.as_deref() == Some("4"))
        .unwrap();
    assert_eq!(json["nodes"][four]["review"]["achievement"], "off_track");
    let old = json.to_string().replace(
        "\"achievement\":\"off_track\"",
        "\"achievement\":\"not_expected\"",
    );
    let back: ParsedDocument = serde_json::from_str(&old).unwrap();
    assert_eq!(
        back.nodes[four].review.as_ref().unwrap().achievement,
        Prospect::NotExpected
    );
    assert!(serde_json::from_str::<ParsedDocument>(
        &json
            .to_string()
            .replace("\"achievement\":\"off_track\"", "\"achievement\":\"maybe\"")
    )
    .is_err());
}
