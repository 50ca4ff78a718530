//! Property tests: nothing panics, whatever the input; the output stays consistent
//! (unique ids, parents that exist, JSON and text report producible).

// Test code: panicking on unexpected input is the point (clippy.toml allows it in #[test]
// functions; this extends it to the helpers of this test crate).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use proptest::prelude::*;
use std::collections::HashSet;

fn corpus() -> Vec<String> {
    let mut v: Vec<String> = all_fixtures().into_iter().map(|(_, t)| t).collect();
    for (_, bytes) in all_seeds() {
        if let Ok((t, _)) = kusei_import::decode(&bytes) {
            v.push(t);
        }
    }
    v
}

fn check_consistent(doc: &kusei_import::ParsedDocument) {
    let ids: HashSet<&str> = doc.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids.len(), doc.nodes.len(), "ids are unique");
    for n in &doc.nodes {
        for p in &n.parent_ids {
            assert!(ids.contains(p.as_str()), "parent {p} of {} exists", n.id);
            assert_ne!(p, &n.id);
        }
        for r in &n.references {
            if let Some(t) = &r.target_id {
                assert!(ids.contains(t.as_str()));
            }
        }
        for t in &n.targets {
            if let Some(i) = t.section_index {
                assert!(i < n.sections.len());
            }
        }
        assert!(n.line >= 1 && n.line <= doc.line_count.max(1));
    }
    for d in &doc.diagnostics {
        assert!(
            d.line.is_none_or(|l| l >= 1 && l <= doc.line_count.max(1)),
            "{d:?}"
        );
    }
    let _ = doc.to_json();
    let _ = doc.render_text();
}

/// Tokens of the forms, to build structure-like random documents.
const TOKENS: &[&str] = &[
    "取組項目",
    "1",
    "２",
    "【",
    "】",
    "計画",
    "中間振り返り",
    "自己評価",
    "直前評価",
    "\t",
    "\n",
    "\n\n",
    "(目標)",
    "(趣旨・目的)",
    "(取組の内容)",
    "取組の方針・目標内容",
    "当年度の取組内容",
    "当年度の取組実績及び目標の達成状況",
    "課題と改善策",
    "※左記が「②」の場合は必須",
    ":目標達成",
    "目標未達成",
    "①",
    "②",
    "☑",
    "☐",
    "■",
    "(i)実施見込み",
    "(ii)実施できない見込み",
    "達成見込み",
    "<p>",
    "</p>",
    "<p style=\"x\">",
    "<ul>",
    "<li>",
    "<input type=\"checkbox\" checked/>",
    "&lt;",
    "&amp;",
    "&#x",
    "&#99999999;",
    "<",
    ">",
    "# ",
    "## ",
    "#### ■",
    "##### ○",
    "- ☆",
    "- ・",
    "（再掲）",
    "| 1 a | 2 b |",
    "|---|",
    "注1 ",
    "第1章 ",
    "I ",
    "Ⅲ ",
    "経営課題",
    "【戦略1-1】",
    "【1-1-1 x】",
    "戦略1-1の具体的取組",
    "《成果目標》",
    "めざす成果（概ね3年）",
    "※再掲1-1-1",
    "(取組項目1の再掲)",
    "課 題\t具体的取組\t取組目標\t成果\t主な実績",
    "1 区\t①取組\t(1) a\tb\t・x(18年4月～) ・y(21年度～22年度)",
    "\t\t(3) c\tできた。\t",
    "担当名\t\t電話番号\tFAX\t業務",
    "課\t係\t06-1\t06-2\t業務。",
    "\t\t\t\t続き。",
    "平成29年度から平成31年度まで",
    "【平成29年度】",
    "・30%",
    "令和元年",
    "元年10月",
    "99年度",
    "0年度",
    "\r",
    "\r\n",
    "\u{feff}",
    "\u{3000}",
    "ｱ",
    "\u{0}",
    "\u{7}",
    "𠮷",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        if let Ok(doc) = kusei_import::parse_bytes("fuzz.bin", &bytes) {
            check_consistent(&doc);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,600}") {
        check_consistent(&kusei_import::parse_text("fuzz.txt", &s));
    }

    #[test]
    fn token_soup_never_panics(idx in proptest::collection::vec(0..TOKENS.len(), 0..250)) {
        let s: String = idx.iter().map(|i| TOKENS[*i]).collect();
        check_consistent(&kusei_import::parse_text("soup.txt", &s));
        let _ = kusei_import::parse_bytes("soup.txt", s.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, .. ProptestConfig::default() })]

    #[test]
    fn shuffled_truncated_and_dropped_documents_never_panic(
        which in 0usize..16,
        seed in any::<u64>(),
        cut in 0.0f64..1.0,
        drop_every in 2usize..9,
    ) {
        let corpus = corpus();
        let text = &corpus[which % corpus.len()];
        let lines: Vec<&str> = text.lines().collect();
        // shuffle (deterministic from the seed)
        let mut shuffled = lines.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        check_consistent(&kusei_import::parse_text("shuffled.txt", &shuffled.join("\n")));
        // truncated at an arbitrary char
        let chars: Vec<char> = text.chars().collect();
        let t: String = chars[..((chars.len() as f64) * cut) as usize].iter().collect();
        check_consistent(&kusei_import::parse_text("cut.txt", &t));
        // lines dropped
        let dropped: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| (i + seed as usize).rem_euclid(drop_every) != 0).map(|(_, l)| *l).collect();
        check_consistent(&kusei_import::parse_text("dropped.txt", &dropped.join("\n")));
        // tabs removed, CRLF line ends
        check_consistent(&kusei_import::parse_text("crlf.txt", &text.replace('\t', " ").replace('\n', "\r\n")));
    }
}

/// Inputs that would take hours if any step were quadratic in the size of a line,
/// a document or a repeated structure.
#[test]
fn pathological_inputs_stay_linear() {
    let started = std::time::Instant::now();
    let cases: Vec<String> = vec![
        format!(
            "取組項目1\n【a】\n自己評価\t{}\n",
            "(i) :目標達成 目標未達成 ".repeat(60_000)
        ),
        "取組項目1\n【同じ番号】\n計画\t(目標) x\n".repeat(10_000),
        format!("取組項目1\n【a】\n計画\t{}\n", "(".repeat(200_000)),
        format!(
            "# t\n#### ■g\n##### ○s\n{}",
            "- ☆同じ項目（再掲）\n- ☆同じ項目\n".repeat(10_000)
        ),
        format!(
            "課題\t具体的取組\t取組目標\t成果\t主な実績\n1 a\t①b\tc\td\te\n{}",
            "\t\tc\td(18年4月～)\te\n".repeat(15_000)
        ),
        format!(
            "経営課題1\n\nt\n\n{}",
            "【戦略1-1】x\n【1-1-1 y】\n- ・z（※再掲1-1-1）\n".repeat(6_000)
        ),
        "<p>".repeat(300_000),
        "&".repeat(300_000) + "取組項目1",
    ];
    for (i, c) in cases.iter().enumerate() {
        let t = std::time::Instant::now();
        let doc = kusei_import::parse_text("big.txt", c);
        check_consistent(&doc);
        println!("case {i}: {:?} ({} nodes)", t.elapsed(), doc.nodes.len());
        assert!(
            t.elapsed().as_secs() < 60,
            "case {i} took {:?}",
            t.elapsed()
        );
    }
    println!("pathological inputs: {:?}", started.elapsed());
}
