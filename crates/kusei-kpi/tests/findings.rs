//! Consistency findings computed from one node's sentences.

mod common;

use common::fy;
use common::seed001::item;
use kusei_domain::judgment::Judgment;
use kusei_kpi::*;

fn node(no: u32) -> NodeFigures {
    let it = item(no);
    NodeFigures {
        document_year: fy(2017),
        targets: vec![it.multi.to_string()],
        this_year_targets: vec![it.this_year.to_string()],
        results: Some(it.results.to_string()),
        stated: Judgment::Unknown,
        remedy: it.remedy.map(str::to_string),
        review: None,
        references: Vec::new(),
    }
}

fn codes(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.code.as_str()).collect()
}

fn only<'a>(f: &'a [Finding], code: &str) -> Vec<&'a Finding> {
    f.iter().filter(|f| f.code == code).collect()
}

#[test]
fn stated_achieved_against_15_of_35_contradicts_the_figures() {
    let mut n = node(8);
    n.stated = Judgment::Achieved;
    let f = findings(&n);
    let c = only(&f, "judgment_contradicts_figures");
    assert_eq!(c.len(), 1, "{f:#?}");
    assert_eq!(c[0].severity, Severity::Error);
    assert!(
        c[0].message_ja.contains("実績 15回 < 目標 35回"),
        "{}",
        c[0].message_ja
    );
    assert!(c[0].message_en.contains("contradicts"));
    // What the ward actually wrote: not achieved, with a remedy. Nothing to report.
    n.stated = Judgment::NotAchieved;
    let f = findings(&n);
    assert!(
        only(&f, "judgment_contradicts_figures").is_empty(),
        "{f:#?}"
    );
    assert!(only(&f, "remedy_missing").is_empty(), "{f:#?}");
}

#[test]
fn stated_not_achieved_when_the_figures_are_met_contradicts_too() {
    let mut n = node(11); // 82.9% ≥ 80%
    n.stated = Judgment::NotAchieved;
    n.remedy = Some("来年度も継続".to_string());
    let f = findings(&n);
    assert_eq!(codes(&f), vec!["judgment_contradicts_figures"], "{f:#?}");
}

#[test]
fn not_achieved_without_remedy() {
    let mut n = node(12);
    n.stated = Judgment::NotAchieved;
    n.remedy = None;
    let f = findings(&n);
    let r = only(&f, "remedy_missing");
    assert_eq!(r.len(), 1, "{f:#?}");
    assert_eq!(r[0].severity, Severity::Error);
    // Whitespace is no remedy either.
    n.remedy = Some(" \t".to_string());
    assert_eq!(only(&findings(&n), "remedy_missing").len(), 1);
    // The form's choice lost in extraction, figures not achieved, no remedy: a warning.
    n.stated = Judgment::Unknown;
    let f = findings(&n);
    let r = only(&f, "remedy_missing");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].severity, Severity::Warning);
    // With a remedy, nothing.
    n.remedy = Some("区広報紙においても周知を行う。".to_string());
    assert!(only(&findings(&n), "remedy_missing").is_empty());
}

#[test]
fn mid_year_answer_ii_or_2_needs_a_remedy() {
    let mut n = node(15);
    n.review = Some(MidYearReview {
        implementation_expected: Some(true),
        achievement_expected: Some(false),
        remedy: None,
    });
    let f = findings(&n);
    let r = only(&f, "remedy_missing");
    assert_eq!(r.len(), 1, "{f:#?}");
    assert!(r[0].message_ja.contains("中間振り返り"));
    n.review = Some(MidYearReview {
        implementation_expected: Some(false),
        achievement_expected: Some(true),
        remedy: Some("人員を補充する".to_string()),
    });
    assert!(only(&findings(&n), "remedy_missing").is_empty());
}

#[test]
fn multi_year_target_without_a_year() {
    // Item 4: "…職員の割合100%" states no year.
    let f = findings(&node(4));
    let w = only(&f, "target_without_year");
    assert_eq!(w.len(), 1, "{f:#?}");
    assert_eq!(w[0].severity, Severity::Warning);
    assert!(w[0].message_ja.contains("職員の割合"));
    // Item 6 states its years.
    assert!(only(&findings(&node(6)), "target_without_year").is_empty());
}

#[test]
fn this_years_target_against_the_multi_year_target() {
    let multi = "地域活動協議会を知っている区民の割合 【平成29年度】 ・30% 【平成30年度】 ・35%";
    let mut n = NodeFigures {
        document_year: fy(2017),
        targets: vec![multi.to_string()],
        this_year_targets: vec![
            "地域活動協議会を知っている区民の割合 【平成29年度】 ・25%".to_string()
        ],
        ..NodeFigures::default()
    };
    let f = findings(&n);
    let m = only(&f, "target_mismatch_multi_year");
    assert_eq!(m.len(), 1, "{f:#?}");
    assert!(m[0].message_ja.contains("25%"), "{}", m[0].message_ja);
    assert!(m[0].message_ja.contains("30%"), "{}", m[0].message_ja);
    n.this_year_targets =
        vec!["地域活動協議会を知っている区民の割合 【平成29年度】 ・30%".to_string()];
    assert!(only(&findings(&n), "target_mismatch_multi_year").is_empty());
    // "以上" written on one side only is the same target for a rising indicator (item 1).
    assert!(only(&findings(&node(1)), "target_mismatch_multi_year").is_empty());
    // Item 2: 88.80% matches 現年度分, not 滞納繰越分 (25.07%).
    assert!(only(&findings(&node(2)), "target_mismatch_multi_year").is_empty());
}

#[test]
fn actual_in_another_unit_than_its_target() {
    // Item 13: 理解度 95点以上 against 理解度72%.
    let f = findings(&node(13));
    let u = only(&f, "unit_mismatch");
    assert_eq!(u.len(), 1, "{f:#?}");
    assert!(u[0].message_ja.contains("点"));
    assert!(u[0].message_ja.contains('%'));
    assert!(u[0].message_en.contains("cannot be compared"));
}

#[test]
fn judgment_stated_on_an_interim_figure() {
    let mut n = node(1);
    n.stated = Judgment::Achieved;
    let f = findings(&n);
    assert_eq!(only(&f, "judgment_on_interim_figure").len(), 1, "{f:#?}");
    assert!(only(&f, "judgment_contradicts_figures").is_empty());
}

#[test]
fn a_consistent_node_has_no_findings() {
    let mut n = node(16);
    n.stated = Judgment::Achieved;
    assert!(findings(&n).is_empty(), "{:#?}", findings(&n));
}

#[test]
fn findings_serialise_with_stable_codes() {
    let mut n = node(8);
    n.stated = Judgment::Achieved;
    let v = serde_json::to_value(findings(&n)).unwrap();
    assert_eq!(v[0]["severity"], "error");
    assert_eq!(v[0]["code"], "judgment_contradicts_figures");
    let e = evaluate(&n);
    assert_eq!(e.judgment.judgment, Judgment::NotAchieved);
    assert_eq!(e.actuals.len(), 4);
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["judgment"]["judgment"], "not_achieved");
}

#[test]
fn stated_judgments_are_read_without_guessing() {
    assert_eq!(parse_stated("①"), Some(Judgment::Achieved));
    assert_eq!(parse_stated("①:目標達成"), Some(Judgment::Achieved));
    assert_eq!(parse_stated("②：目標未達成"), Some(Judgment::NotAchieved));
    assert_eq!(parse_stated("目標未達成"), Some(Judgment::NotAchieved));
    assert_eq!(parse_stated("未確定"), Some(Judgment::Undetermined));
    // The mark that chose one of the two was lost.
    assert_eq!(parse_stated(":目標達成 目標未達成"), None);
    assert_eq!(parse_stated("①:目標達成 ②:目標未達成"), None);
    assert_eq!(parse_stated(""), None);
}
