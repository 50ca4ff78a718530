//! `kusei check` on documents and on stored plans, and the figures in `parse --format json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Output;

/// Two items in the 取組項目 form, written by us: item 1 states ①目標達成 although its
/// figure (45分) misses the target (30分以内); item 2 states ②目標未達成 with no remedy.
/// Item 3 is consistent.
const CONTRADICTING: &str = "## 令和5年度 「区政改革」に基づく取組

取組項目1

【窓口の待ち時間の短縮】

計画\t取組の方針・目標内容\t当年度の取組内容
\t<p>(趣旨・目的) 待ち時間を短くする。</p> <p>(目標) 平均待ち時間 30分以内</p>\t<p>(取組の内容) 発券機を設置する。</p> <p>(目標) 令和5年度 平均待ち時間 30分以内</p>

自己評価\t当年度の取組実績及び目標の達成状況\t課題と改善策 ※左記が「②」の場合は必須
\t令和5年度 平均待ち時間 45分 <input type=\"checkbox\" checked/> 目標達成 <input type=\"checkbox\"/> 目標未達成\t

取組項目2

【広報紙の充実】

計画\t取組の方針・目標内容\t当年度の取組内容
\t<p>(趣旨・目的) 区政情報を届ける。</p> <p>(目標) 令和5年度 広報紙の発行 12回</p>\t<p>(取組の内容) 毎月発行する。</p> <p>(目標) 令和5年度 広報紙の発行 12回</p>

自己評価\t当年度の取組実績及び目標の達成状況\t課題と改善策 ※左記が「②」の場合は必須
\t令和5年度 広報紙の発行 10回 <input type=\"checkbox\"/> 目標達成 <input type=\"checkbox\" checked/> 目標未達成\t

取組項目3

【独自収入の確保】

計画\t取組の方針・目標内容\t当年度の取組内容
\t<p>(趣旨・目的) 財源を確保する。</p> <p>(目標) 独自収入 令和5年度 15,500千円</p>\t<p>(取組の内容) 広告を募集する。</p> <p>(目標) 独自収入 令和5年度 15,500千円</p>

自己評価\t当年度の取組実績及び目標の達成状況\t課題と改善策 ※左記が「②」の場合は必須
\t令和5年度 収入額 15,914千円 <input type=\"checkbox\" checked/> 目標達成 <input type=\"checkbox\"/> 目標未達成\t
";

use common::kusei;

fn temp_file(name: &str, text: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("kusei-check-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join(format!("{name}.txt"));
    std::fs::write(&f, text).unwrap();
    (dir, f)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn parse_json_shows_structured_targets_and_both_judgments() {
    let (dir, f) = temp_file("parse", CONTRADICTING);
    let o = kusei()
        .args(["parse", f.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let nodes = v["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    let money = nodes[2]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["text"].as_str().unwrap().contains("15,500"))
        .unwrap();
    assert_eq!(money["value"], 15_500_000.0);
    assert_eq!(money["unit"], "千円");
    assert_eq!(money["comparator"], "equal");
    assert_eq!(money["fiscal_year"]["year"], 2023);
    assert_eq!(money["indicator"], "独自収入");
    let e = &nodes[0]["evaluation"];
    assert_eq!(e["stated_judgment"], "achieved");
    assert_eq!(e["computed_judgment"], "not_achieved");
    assert!(e["computed_reason"].as_str().unwrap().contains("未達成"));
    assert_eq!(nodes[2]["evaluation"]["computed_judgment"], "achieved");
    assert_eq!(nodes[2]["evaluation"]["stated_judgment"], "achieved");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_reports_contradictions_and_missing_remedies_and_exits_1() {
    let (dir, f) = temp_file("check", CONTRADICTING);
    let o = kusei()
        .args(["check", f.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let codes: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["node"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        codes
            .iter()
            .any(|(c, n)| c == "judgment_contradicts_figures" && n.contains("待ち時間")),
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .any(|(c, n)| c == "remedy_missing" && n.contains("広報紙")),
        "{codes:?}"
    );
    assert!(
        !codes.iter().any(|(_, n)| n.contains("独自収入")),
        "{codes:?}"
    );
    assert!(v["errors"].as_u64().unwrap() >= 2);

    // Text format names the file and line.
    let o = kusei()
        .args(["check", f.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = out(&o);
    assert!(text.contains(&format!("{}:", f.display())), "{text}");
    assert!(
        text.contains("error[judgment_contradicts_figures]"),
        "{text}"
    );

    // A consistent document: exit 0.
    let ok_only = CONTRADICTING
        .split("取組項目3")
        .nth(1)
        .map(|rest| format!("## 令和5年度 「区政改革」に基づく取組\n\n取組項目3{rest}"))
        .unwrap();
    let (dir2, ok) = temp_file("check-ok", &ok_only);
    let o = kusei()
        .args(["check", ok.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(out(&o).contains("0 errors"));

    // Stored plans: import, then check the database.
    let db = format!("sqlite://{}/k.db", dir.display());
    let o = kusei()
        .args(["import", "--db", &db, "--unit", "北区", f.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = kusei()
        .args(["check", "--db", &db, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let stored: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        stored.contains(&"judgment_contradicts_figures"),
        "{stored:?}"
    );
    assert!(stored.contains(&"remedy_missing"), "{stored:?}");
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(dir2);
}

#[test]
fn seed_001_computed_judgments_in_parse_json() {
    let Some(seed) = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds"),
    )
    .ok()
    .and_then(|d| {
        d.filter_map(Result::ok).map(|e| e.path()).find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("001_"))
        })
    }) else {
        eprintln!("skipped: ../shared/seeds not found");
        return;
    };
    let o = kusei()
        .args(["parse", seed.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let item = |n: &str| {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["number"] == n)
            .unwrap()
            .clone()
    };
    // Item 1: an interim rate (平成30年2月末現在) → not yet determined.
    assert_eq!(item("1")["evaluation"]["computed_judgment"], "undetermined");
    // Item 3: 15,914千円 against 15,500千円 → achieved.
    assert_eq!(item("3")["evaluation"]["computed_judgment"], "achieved");
    let t3 = &item("3")["targets"][0];
    assert_eq!(t3["value"], 15_500_000.0);
    assert_eq!(t3["unit"], "千円");
    // Item 8: 15 matchings against 35 → not achieved.
    assert_eq!(item("8")["evaluation"]["computed_judgment"], "not_achieved");
    // Every item, against the judgments checked by hand in kusei-kpi's tests. Item 19
    // (three indicators share one target line in the extracted text) stays undetermined
    // here where the hand reading says achieved: never a wrong verdict, only a missing one.
    let want = [
        "undetermined",
        "undetermined",
        "achieved",
        "achieved",
        "achieved",
        "achieved",
        "undetermined",
        "not_achieved",
        "not_achieved",
        "achieved",
        "achieved",
        "not_achieved",
        "not_achieved",
        "not_achieved",
        "achieved",
        "achieved",
        "achieved",
        "achieved",
        "undetermined",
        "not_achieved",
        "achieved",
        "undetermined",
        "achieved",
    ];
    for (i, w) in want.iter().enumerate() {
        let n = (i + 1).to_string();
        assert_eq!(item(&n)["evaluation"]["computed_judgment"], *w, "item {n}");
    }
    // The stated judgment is never replaced: lost marks stay unknown.
    assert_eq!(item("3")["evaluation"]["stated_judgment"], "unknown");
}

fn year_doc(reiwa: u32, target: &str, actual: &str) -> String {
    format!(
        "## 令和{reiwa}年度 「区政改革」に基づく取組\n\n取組項目1\n\n【独自収入の確保】\n\n\
         計画\t取組の方針・目標内容\t当年度の取組内容\n\
         \t<p>(趣旨・目的) 財源を確保する。</p> <p>(目標) {target}</p>\t<p>(取組の内容) 広告を募集する。</p>\n\n\
         自己評価\t当年度の取組実績及び目標の達成状況\t課題と改善策\n\
         \t{actual} <input type=\"checkbox\" checked/> 目標達成 <input type=\"checkbox\"/> 目標未達成\t\n"
    )
}

#[test]
fn stored_results_resolve_relative_targets_and_grades_follow_the_citys_rules() {
    let (dir, y1) = temp_file(
        "grading-y1",
        &year_doc(
            4,
            "独自収入 令和4年度 15,000千円",
            "令和4年度 独自収入 15,200千円",
        ),
    );
    let y2 = dir.join("y2.txt");
    std::fs::write(
        &y2,
        year_doc(5, "独自収入 前年度以上", "令和5年度 独自収入 15,100千円"),
    )
    .unwrap();
    // From the file alone, "前年度以上" has no base: not decidable, so no error.
    let o = kusei()
        .args(["check", y2.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let db = format!("sqlite://{}/k.db", dir.display());
    let o = kusei()
        .args(["import", "--db", &db, "--unit", "北区"])
        .args([y1.to_str().unwrap(), y2.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Stored, the year-1 result (15,200千円) is the base: 15,100千円 misses it.
    let o = kusei()
        .args(["check", "--db", &db, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let contradiction = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "judgment_contradicts_figures")
        .expect("the stored base decides the relative target");
    assert!(contradiction["source"]
        .as_str()
        .unwrap()
        .contains("令和5年度"));
    assert!(contradiction["message_ja"]
        .as_str()
        .unwrap()
        .contains("15,200千円"));
    // Default rules (Osaka): 99.3 % of the target is ① 概ね順調.
    let codes: Vec<&str> = v["grades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["grade"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["①", "①"], "{}", v["grades"]);
    // The city switches to A–D: the same figures are graded B and A.
    let o = kusei()
        .args(["grading", "--db", &db, "--preset", "nagoya"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = kusei()
        .args(["check", "--db", &db, "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let mut codes: Vec<&str> = v["grades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["grade"].as_str().unwrap())
        .collect();
    codes.sort();
    assert_eq!(codes, vec!["A", "B"], "{}", v["grades"]);
    // Rules from a file are validated: a threshold naming a grade the scale lacks is refused.
    let o = kusei().args(["grading", "--db", &db]).output().unwrap();
    let mut rules: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(rules["name"], "A–D");
    rules["scale"].as_array_mut().unwrap().remove(0);
    let bad = dir.join("rules.json");
    std::fs::write(&bad, rules.to_string()).unwrap();
    let o = kusei()
        .args(["grading", "--db", &db, "--file", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("rules.json"), "{err}");
    let o = kusei().args(["grading", "--db", &db]).output().unwrap();
    let still: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(
        still["scale"].as_array().unwrap().len(),
        4,
        "nothing stored"
    );
    let _ = std::fs::remove_dir_all(dir);
}
