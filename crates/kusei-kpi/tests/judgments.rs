//! Computed judgments: the seed-001 cases, relative / compound / cumulative / pending /
//! milestone / interim / unit-mismatch / lower-is-better rules, and grading.

mod common;

use common::fy;
use common::seed001::{item, ITEMS};
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{Comparator, Direction};
use kusei_kpi::*;

const FY17: i32 = 2017;

fn targets(block: &str) -> Vec<Target> {
    read_target_blocks(&[block.to_string()], fy(FY17))
}

fn actuals(text: &str) -> Vec<Actual> {
    read_actuals(text, fy(FY17))
}

fn node(no: u32) -> NodeFigures {
    let it = item(no);
    NodeFigures {
        document_year: fy(FY17),
        targets: vec![it.multi.to_string()],
        this_year_targets: vec![it.this_year.to_string()],
        results: Some(it.results.to_string()),
        stated: Judgment::Unknown,
        remedy: it.remedy.map(str::to_string),
        review: None,
        references: Vec::new(),
    }
}

// ------------------------------------------------------------ the seed-001 key cases

#[test]
fn item3_own_revenue_15914_against_15500_is_achieved() {
    let t = targets(item(3).multi);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].indicator.as_deref(), Some("独自収入"));
    let a = actuals(item(3).results);
    let j = judge(&t[0], &a, &[], Some(FY17));
    assert_eq!(j.judgment, Judgment::Achieved, "{j:#?}");
    assert_eq!(j.target_value, Some(15_500_000.0));
    assert_eq!(j.actual_value, Some(15_914_000.0));
    assert_eq!(j.reason_ja, "実績 15,914千円 ≧ 目標 15,500千円");
    let p = j.progress.unwrap();
    assert!((p - 15_914.0 / 15_500.0).abs() < 1e-12);
}

#[test]
fn item3_this_year_previous_year_or_more_resolves_from_the_multi_year_baseline() {
    let e = evaluate(&node(3));
    let j = &e.judgment.targets[0];
    assert_eq!(j.judgment, Judgment::Achieved, "{j:#?}");
    let r = j.resolution.as_ref().unwrap();
    assert_eq!(r.value, 13_936_000.0);
    assert_eq!(r.comparator, Comparator::AtLeast);
    assert_eq!(r.derivation, "平成28年度: 13,936千円以上");
}

#[test]
fn item8_15_matchings_against_35_is_not_achieved() {
    let t = targets(item(8).this_year);
    let a = actuals(item(8).results);
    let n = judge_node(&t, &a, &[], Some(FY17));
    assert_eq!(n.judgment, Judgment::NotAchieved);
    let matching = n
        .targets
        .iter()
        .find(|j| {
            j.indicator
                .as_deref()
                .is_some_and(|i| i.ends_with("マッチング回数"))
        })
        .unwrap();
    assert_eq!(matching.judgment, Judgment::NotAchieved);
    assert_eq!(matching.target_value, Some(35.0));
    assert_eq!(matching.actual_value, Some(15.0));
    assert_eq!(matching.reason_ja, "実績 15回 < 目標 35回");
    // The other three targets of the item are met.
    let achieved = n
        .targets
        .iter()
        .filter(|j| j.judgment == Judgment::Achieved)
        .count();
    assert_eq!(achieved, 3, "{n:#?}");
}

#[test]
fn item1_interim_collection_rate_is_undetermined() {
    let t = targets(item(1).this_year);
    let a = actuals(item(1).results);
    let j = judge(&t[0], &a, &[], Some(FY17));
    assert_eq!(j.judgment, Judgment::Undetermined, "{j:#?}");
    assert!(j.interim);
    assert_eq!(j.actual_value, Some(97.19));
    assert!(j.reason_ja.contains("平成30年2月末"), "{}", j.reason_ja);
    assert!(j.reason_ja.contains("未確定"), "{}", j.reason_ja);
    // The interim figure still has a progress rate (for the mid-year check).
    assert!((j.progress.unwrap() - 97.19 / 97.60).abs() < 1e-12);
    assert_eq!(
        judge_node(&t, &a, &[], Some(FY17)).judgment,
        Judgment::Undetermined
    );
}

#[test]
fn item12_19_1_against_30_is_not_achieved() {
    let t = targets(item(12).this_year);
    let a = actuals(item(12).results);
    let n = judge_node(&t, &a, &[], Some(FY17));
    assert_eq!(n.judgment, Judgment::NotAchieved);
    assert_eq!(n.targets[0].judgment, Judgment::NotAchieved);
    assert_eq!(n.targets[0].reason_ja, "実績 19.1% < 目標 30%");
    // The FY2018 and FY2019 targets of the same sentence are not judged against FY2017.
    assert_eq!(n.targets[1].judgment, Judgment::Undetermined);
    assert_eq!(n.targets[1].actual_index, None);
}

#[test]
fn item20_41_2_against_60_is_not_achieved_and_the_milestone_is_done() {
    let t = targets(item(20).this_year);
    let a = actuals(item(20).results);
    let n = judge_node(&t, &a, &[], Some(FY17));
    assert_eq!(n.judgment, Judgment::NotAchieved);
    let js: Vec<Judgment> = n.targets.iter().map(|j| j.judgment).collect();
    assert_eq!(
        js,
        vec![
            Judgment::NotAchieved,
            Judgment::NotAchieved,
            Judgment::Achieved
        ]
    );
    assert_eq!(n.targets[0].actual_value, Some(41.2));
    assert_eq!(n.targets[0].target_value, Some(60.0));
    // Each rate is matched to its own sentence.
    let i0 = n.targets[0].actual_index.unwrap();
    let i1 = n.targets[1].actual_index.unwrap();
    assert!(a[i0].indicator.as_deref().unwrap().starts_with("意見交換"));
    assert!(a[i1]
        .indicator
        .as_deref()
        .unwrap()
        .contains("フィードバック"));
}

#[test]
fn every_seed_001_item_has_the_expected_computed_judgment() {
    use Judgment::*;
    let want = [
        Undetermined, // 1 interim collection rate
        Undetermined, // 2 interim collection rates
        Achieved,     // 3 15,914千円 ≥ last year's 13,936千円
        Achieved,     // 4 85.1% ≥ 85%
        Achieved,     // 5 66.5% ≥ 60%, 2件 ≥ 1件
        Achieved,     // 6 46.7% ≥ 30%
        Undetermined, // 7 milestone, the result does not say it was done
        NotAchieved,  // 8 15回 < 35回
        NotAchieved,  // 9 0件 < 1件
        Achieved,     // 10 窓口を設置した, 1件
        Achieved,     // 11 82.9% ≥ 80%
        NotAchieved,  // 12 19.1% < 30%
        NotAchieved,  // 13 58.5% < 80%
        NotAchieved,  // 14 19.1% < 30%
        Achieved,     // 15 5件
        Achieved,     // 16 80.3%
        Achieved,     // 17 1件
        Achieved,     // 18 1件
        Achieved,     // 19 100%, 100%
        NotAchieved,  // 20 41.2% < 60%
        Achieved,     // 21 39.2% ≥ 35%
        Undetermined, // 22 the ☆☆ target lost its mark
        Achieved,     // 23 5件 ≤ 5.4件, 86.1% ≥ 83%
    ];
    for (it, w) in ITEMS.iter().zip(want) {
        let e = evaluate(&node(it.no));
        assert_eq!(e.judgment.judgment, w, "item {}: {:#?}", it.no, e.judgment);
    }
}

// ------------------------------------------------------------ rules

#[test]
fn relative_decrease_resolves_with_integer_rounding() {
    let t = targets(item(23).this_year);
    let r = resolve(&t[0], &[]).unwrap();
    assert_eq!(r.value, 5.0);
    assert_eq!(r.comparator, Comparator::AtMost);
    assert_eq!(r.derivation, "平成28年度: 6件 × (1 − 10%) = 5.4 → 5件以下");
    let ok = judge(
        &t[0],
        &actuals("不適切な事務処理事案の件数(公表ベース) 5件(17%減)"),
        &[],
        Some(FY17),
    );
    assert_eq!(ok.judgment, Judgment::Achieved, "{ok:#?}");
    let bad = judge(
        &t[0],
        &actuals("不適切な事務処理事案の件数(公表ベース) 6件"),
        &[],
        Some(FY17),
    );
    assert_eq!(bad.judgment, Judgment::NotAchieved);
    assert_eq!(bad.reason_ja, "実績 6件 > 目標 5件");
}

#[test]
fn relative_halving_of_a_gap() {
    let t = read_targets(
        "平成28年度全市平均収納率との乖離(3.08%)の半減(1.54%)をめざす。 参考: 28年度全市平均実績88.62% 区実績85.54%",
        fy(2018),
    );
    let r = resolve(&t[0], &[]).unwrap();
    assert!((r.value - 1.54).abs() < 1e-12);
    assert!(
        r.derivation.contains("3.08% の半減 = 1.54%"),
        "{}",
        r.derivation
    );
    assert!(!r.derivation.contains("不一致"));
    assert_eq!(r.comparator, Comparator::AtMost);
}

#[test]
fn stated_result_that_disagrees_with_the_computation_is_reported_in_the_derivation() {
    let t = read_targets("件数 29年度 28年度件数(6件)から10%減(4件)", fy(FY17));
    let r = resolve(&t[0], &[]).unwrap();
    assert_eq!(r.value, 5.0);
    assert!(
        r.derivation.contains("記載値 4件 と不一致"),
        "{}",
        r.derivation
    );
}

#[test]
fn relative_increase_needs_the_referenced_actual() {
    let t = targets(item(6).multi);
    let fy18 = &t[1];
    assert_eq!(fy18.fiscal_year.as_ref().unwrap().start, 2018);
    // Not known yet: undetermined, saying what is missing.
    let j = judge(fy18, &[], &[], Some(2018));
    assert_eq!(j.judgment, Judgment::Undetermined);
    assert!(j.reason_ja.contains("平成29年度実績"), "{}", j.reason_ja);
    assert!(matches!(
        resolve(fy18, &[]),
        Err(ResolveError::MissingBase { .. })
    ));
    // Given FY2017's actual (46.7%), FY2018's target is 46.7% × 1.025.
    let fy17_actual = &actuals(item(6).results)[1];
    let reference = Figure {
        label: fy17_actual.indicator.clone(),
        source: None,
        fiscal_year: read_targets("29年度 1%", fy(FY17))[0].fiscal_year.clone(),
        as_of: None,
        value: 46.7,
        value_text: "46.7".to_string(),
        unit: Unit::Percent,
        unit_text: "%".to_string(),
    };
    let r = resolve(fy18, std::slice::from_ref(&reference)).unwrap();
    assert!((r.value - 46.7 * 1.025).abs() < 1e-9);
    assert_eq!(r.derivation, "平成29年度: 46.7% × (1 + 2.5%) = 47.87%以上");
    let a = read_actuals(
        "身近な地域でのつながりに関して肯定的に感じている区民の割合 47.5%",
        fy(2018),
    );
    let j = judge(fy18, &a, std::slice::from_ref(&reference), Some(2018));
    assert_eq!(j.judgment, Judgment::NotAchieved, "{j:#?}");
    let a = read_actuals(
        "身近な地域でのつながりに関して肯定的に感じている区民の割合 48%",
        fy(2018),
    );
    let j = judge(fy18, &a, std::slice::from_ref(&reference), Some(2018));
    assert_eq!(j.judgment, Judgment::Achieved);
    // A reference of another year is not used.
    let mut other = reference.clone();
    other.fiscal_year = read_targets("28年度 1%", fy(FY17))[0].fiscal_year.clone();
    assert!(resolve(fy18, &[other]).is_err());
}

#[test]
fn compound_needs_every_condition() {
    // Item 13: 受検率100% met, 理解度 given in % against a target in 点.
    let t = targets(item(13).this_year);
    let a = actuals(item(13).results);
    let n = judge_node(&t, &a, &[], Some(FY17));
    let c = &n.targets[0];
    assert_eq!(t[0].kind, TargetKind::Compound);
    assert_eq!(c.parts.len(), 2);
    assert_eq!(c.parts[0].judgment, Judgment::Achieved);
    assert_eq!(c.parts[1].judgment, Judgment::Undetermined);
    assert!(c.parts[1].unit_mismatch);
    assert!(c.unit_mismatch);
    assert_eq!(c.judgment, Judgment::Undetermined);
    assert_eq!(n.targets[1].judgment, Judgment::NotAchieved); // 58.5% < 80%
    assert_eq!(n.judgment, Judgment::NotAchieved);

    let t = read_targets(
        "職員のeラーニング受検率及び理解度 【平成29年度】 ・受検率100% かつ 理解度全員95点以上",
        fy(FY17),
    );
    let both = read_actuals("受検率100% 理解度96点", fy(FY17));
    assert_eq!(
        judge(&t[0], &both, &[], Some(FY17)).judgment,
        Judgment::Achieved
    );
    let one = read_actuals("受検率100% 理解度90点", fy(FY17));
    let j = judge(&t[0], &one, &[], Some(FY17));
    assert_eq!(j.judgment, Judgment::NotAchieved);
    assert_eq!(j.parts[1].reason_ja, "実績 90点 < 目標 95点");
}

#[test]
fn cumulative_target_is_under_way_until_its_span_is_covered() {
    let t = targets(item(18).multi);
    let cum = t.iter().find(|t| t.cumulative).unwrap();
    assert_eq!(cum.fiscal_year.as_ref().unwrap().len(), 3);
    let first_year = actuals(item(18).results);
    let j = judge(cum, &first_year, &[], Some(FY17));
    assert_eq!(j.judgment, Judgment::Undetermined, "{j:#?}");
    assert!(j.reason_ja.contains("累計"), "{}", j.reason_ja);
    assert_eq!(j.period_years, 3);
    let whole = read_actuals(
        "平成29年度～平成31年度 区が関与したCB/SB起業件数及び、社会的ビジネス化事業創出件数 5件",
        fy(2019),
    );
    assert_eq!(whole[0].fiscal_year.as_ref().unwrap().end, 2019);
    assert_eq!(
        judge(cum, &whole, &[], Some(2019)).judgment,
        Judgment::NotAchieved
    );
    let enough = read_actuals(
        "平成29年度～平成31年度 区が関与したCB/SB起業件数及び、社会的ビジネス化事業創出件数 6件",
        fy(2019),
    );
    assert_eq!(
        judge(cum, &enough, &[], Some(2019)).judgment,
        Judgment::Achieved
    );
}

#[test]
fn pending_and_free_text_targets_are_undetermined() {
    let t = targets(item(7).multi);
    assert_eq!(t[1].kind, TargetKind::Pending);
    let j = judge(&t[1], &actuals("80%"), &[], Some(2018));
    assert_eq!(j.judgment, Judgment::Undetermined);
    assert!(j.reason_ja.contains("後日設定"), "{}", j.reason_ja);
    let f = read_targets(
        "②区庁舎等を活用した行政財産目的外使用料収入の増額",
        fy(FY17),
    );
    assert_eq!(f[0].kind, TargetKind::FreeText);
    assert_eq!(
        judge(&f[0], &actuals("100万円"), &[], Some(FY17)).judgment,
        Judgment::Undetermined
    );
}

#[test]
fn milestones_are_done_or_not_known() {
    let t = targets(item(10).this_year);
    assert_eq!(t[0].kind, TargetKind::Milestone);
    let a = actuals(item(10).results);
    let n = judge_node(&t, &a, &[], Some(FY17));
    assert_eq!(n.targets[0].judgment, Judgment::Achieved);
    assert!(n.targets[0].reason_ja.contains("支援窓口を設置した"));
    assert_eq!(n.judgment, Judgment::Achieved);
    // Item 7: the results text does not say the measures were drawn up.
    let t = targets(item(7).this_year);
    let j = judge(&t[0], &actuals(item(7).results), &[], Some(FY17));
    assert_eq!(j.judgment, Judgment::Undetermined);
}

#[test]
fn unit_mismatch_is_never_converted() {
    let t = read_targets("理解度 95点以上", fy(FY17));
    let j = judge(&t[0], &actuals("理解度 96%"), &[], Some(FY17));
    assert_eq!(j.judgment, Judgment::Undetermined);
    assert!(j.unit_mismatch);
    assert_eq!(j.progress, None);
    assert!(j.reason_ja.contains("単位が異なる"), "{}", j.reason_ja);
    // Money in different written units is the same unit.
    let t = read_targets("独自収入 29年度 1.5億円", fy(FY17));
    let j = judge(&t[0], &actuals("独自収入 15,914万円"), &[], Some(FY17));
    assert!(!j.unit_mismatch);
    assert_eq!(j.judgment, Judgment::Achieved);
    assert_eq!(j.reason_ja, "実績 15,914万円 ≧ 目標 1.5億円");
}

#[test]
fn lower_is_better_targets() {
    // "3件から1件に減": at most 1.
    let t = read_targets(
        "③不適切な事務処理事案の件数(公表ベース) 29年度 28年度件数 3件から1件に減",
        fy(FY17),
    );
    assert_eq!(t[0].direction, Some(Direction::LowerIsBetter));
    let j = judge(
        &t[0],
        &actuals("不適切な事務処理事案の件数 2件"),
        &[],
        Some(FY17),
    );
    assert_eq!(j.judgment, Judgment::NotAchieved);
    assert_eq!(j.reason_ja, "実績 2件 > 目標 1件");
    assert_eq!(j.progress, Some(0.5)); // inverse rate: target ÷ actual
    let j = judge(
        &t[0],
        &actuals("不適切な事務処理事案の件数 1件"),
        &[],
        Some(FY17),
    );
    assert_eq!(j.judgment, Judgment::Achieved);
    let j = judge(
        &t[0],
        &actuals("不適切な事務処理事案の件数 0件"),
        &[],
        Some(FY17),
    );
    assert_eq!(j.judgment, Judgment::Achieved);
    assert_eq!(j.progress, Some(1.0));
    // Incident words alone make a count fall.
    let t = read_targets("職員不祥事の発生件数 29年度 2件", fy(FY17));
    assert_eq!(t[0].direction, Some(Direction::LowerIsBetter));
    assert_eq!(t[0].direction_basis, DirectionBasis::IndicatorWords);
    let j = judge(&t[0], &actuals("職員不祥事の発生件数 3件"), &[], Some(FY17));
    assert_eq!(j.judgment, Judgment::NotAchieved);
    // Halving last year's incidents (seed 004, 戦略4-1) with last year's figure known.
    let t = read_targets(
        "個人情報の漏えい事故、及び職員不祥事の発生件数を前年度より半減させる（平成29年度）",
        fy(FY17),
    );
    let last = Figure {
        label: Some("個人情報の漏えい事故、及び職員不祥事の発生件数".to_string()),
        source: None,
        fiscal_year: read_targets("28年度 1件", fy(FY17))[0].fiscal_year.clone(),
        as_of: None,
        value: 5.0,
        value_text: "5".to_string(),
        unit: Unit::Count,
        unit_text: "件".to_string(),
    };
    let r = resolve(&t[0], std::slice::from_ref(&last)).unwrap();
    assert_eq!(r.value, 2.0);
    assert_eq!(r.derivation, "平成28年度: 5件 の半減 = 2.5 → 2件以下");
}

#[test]
fn direction_unknown_is_not_guessed() {
    let t = read_targets("ごみの量 29年度 500件", fy(FY17));
    assert_eq!(t[0].direction, None);
    let j = judge(&t[0], &actuals("ごみの量 400件"), &[], Some(FY17));
    assert_eq!(j.judgment, Judgment::Undetermined);
    assert!(j.reason_ja.contains("向き"), "{}", j.reason_ja);
}

#[test]
fn no_actual_is_undetermined() {
    let t = targets(item(11).this_year);
    let j = judge(&t[0], &[], &[], Some(FY17));
    assert_eq!(j.judgment, Judgment::Undetermined);
    assert_eq!(j.reason_ja, "実績の記載なし");
}

#[test]
fn roll_up_rules() {
    use Judgment::*;
    assert_eq!(roll_up([Achieved, Achieved]), Achieved);
    assert_eq!(roll_up([Achieved, Undetermined]), Undetermined);
    assert_eq!(roll_up([Undetermined, NotAchieved, Achieved]), NotAchieved);
    assert_eq!(roll_up([]), Undetermined);
}

// ------------------------------------------------------------ grading

fn judged(target: &str, actual: &str, year: i32) -> TargetJudgment {
    let t = read_targets(target, fy(year));
    judge(&t[0], &read_actuals(actual, fy(year)), &[], Some(year))
}

#[test]
fn osaka_thresholds_90_percent_for_one_year_targets() {
    let rules = GradingRules::osaka();
    rules.validate().unwrap();
    let at = judged("区民の割合 29年度 35%", "区民の割合 31.5%", FY17);
    assert_eq!(at.period_years, 1);
    let g = rules.grade(&at);
    assert_eq!(g.grade.as_ref().unwrap().code, "①");
    assert_eq!(g.grade.as_ref().unwrap().label, "概ね順調");
    assert_eq!(g.threshold, Some(0.9));
    let below = judged("区民の割合 29年度 35%", "区民の割合 31.4%", FY17);
    let g = rules.grade(&below);
    assert_eq!(g.grade.unwrap().code, "②");
    assert!(g.reason_ja.contains("< 90%"), "{}", g.reason_ja);
}

#[test]
fn osaka_thresholds_two_thirds_for_three_year_targets() {
    let rules = GradingRules::osaka();
    let target = "CB/SB起業件数 平成29年度～平成31年度の3年間で6件";
    let on = judged(target, "平成29年度～平成30年度 CB/SB起業件数 4件", 2018);
    assert_eq!(on.period_years, 3);
    assert_eq!(on.judgment, Judgment::Undetermined); // still under way
    let g = rules.grade(&on);
    assert_eq!(g.grade.unwrap().code, "①");
    assert!(g.reason_ja.contains("≧ 66.67%"), "{}", g.reason_ja);
    let off = judged(target, "平成29年度～平成30年度 CB/SB起業件数 3件", 2018);
    assert_eq!(rules.grade(&off).grade.unwrap().code, "②");
    // The same 4 of 6 over a single year is below 90%.
    let one_year = judged("CB/SB起業件数 平成30年度 6件", "CB/SB起業件数 4件", 2018);
    assert_eq!(rules.grade(&one_year).grade.unwrap().code, "②");
}

#[test]
fn lower_is_better_uses_the_inverse_rate_for_grading() {
    let rules = GradingRules::osaka();
    let t = "不祥事の件数 29年度 5件以下";
    let j = judged(t, "不祥事の件数 5.5件", FY17);
    assert!((j.progress.unwrap() - 5.0 / 5.5).abs() < 1e-12);
    assert_eq!(rules.grade(&j).grade.unwrap().code, "①");
    let j = judged(t, "不祥事の件数 6件", FY17);
    assert_eq!(rules.grade(&j).grade.unwrap().code, "②");
}

#[test]
fn nagoya_like_a_to_d() {
    let rules = GradingRules::nagoya_like();
    rules.validate().unwrap();
    let code = |p: f64| rules.grade_rate(p, 1).grade.unwrap().code;
    assert_eq!(code(1.2), "A");
    assert_eq!(code(1.0), "A");
    assert_eq!(code(0.85), "B");
    assert_eq!(code(0.6), "C");
    assert_eq!(code(0.3), "D");
    assert_eq!(
        rules.grade_by_code("A").unwrap().meaning,
        Judgment::Achieved
    );
    assert_eq!(
        rules.grade_by_code("B").unwrap().meaning,
        Judgment::NotAchieved
    );
    let three = GradingRules::three_grades();
    three.validate().unwrap();
    assert_eq!(three.grade_rate(0.95, 1).grade.unwrap().code, "②");
}

#[test]
fn unmeasurable_targets_are_excluded_or_get_the_configured_grade() {
    let j = judged("理解度 95点以上", "理解度 96%", FY17);
    let g = GradingRules::osaka().grade(&j);
    assert!(g.grade.is_none());
    assert!(g.reason_ja.contains("集計対象外"));
    let mut rules = GradingRules::nagoya_like();
    rules.unmeasurable = Some("D".to_string());
    assert_eq!(rules.grade(&j).grade.unwrap().code, "D");
}

#[test]
fn broken_rules_are_rejected() {
    let mut r = GradingRules::osaka();
    r.bands[0].otherwise = "③".to_string();
    assert_eq!(
        r.validate(),
        Err(GradingError::UnknownGrade("③".to_string()))
    );
    let mut r = GradingRules::osaka();
    r.bands.pop();
    assert_eq!(r.validate(), Err(GradingError::Uncovered(3)));
    // A grade is computed: it cannot mean "not legible in the source".
    let mut r = GradingRules::osaka();
    r.scale[0].meaning = Judgment::Unknown;
    let code = r.scale[0].code.clone();
    assert_eq!(r.validate(), Err(GradingError::UnknownMeaning(code)));
    let rules_json = serde_json::to_string(&GradingRules::osaka()).unwrap();
    let back: GradingRules = serde_json::from_str(&rules_json).unwrap();
    assert_eq!(back, GradingRules::osaka());
}

#[test]
fn a_lone_actual_of_another_year_is_not_taken() {
    let t = read_targets("現年度分目標収納率 88.80%", fy(FY17));
    let a = read_actuals("【平成28年度最終実績収納率】 現年度分90.08%", fy(FY17));
    assert_eq!(a[0].fiscal_year.as_ref().unwrap().start, 2016);
    let j = judge(&t[0], &a, &[], Some(FY17));
    assert_eq!(j.actual_index, None);
    assert_eq!(j.judgment, Judgment::Undetermined);
}

#[test]
fn era_less_year_without_context_is_noted_not_guessed() {
    let t = read_targets("区民の割合 29年度 35%", None);
    assert_eq!(t[0].fiscal_year, None);
    assert!(
        t[0].notes.iter().any(|n| n.contains("29年度")),
        "{:?}",
        t[0].notes
    );
    assert_eq!(t[0].indicator.as_deref(), Some("区民の割合"));
}

#[test]
fn minutes_hours_and_within_are_read_and_fractions_are_not_minutes() {
    let t = read_targets("平均待ち時間 30分以内", fy(2023));
    assert_eq!(t[0].value, Some(30.0));
    assert_eq!(t[0].unit, Some(Unit::Minutes));
    assert_eq!(t[0].comparator, Comparator::AtMost);
    let t = read_targets("申請から交付まで 1.5時間以内", fy(2023));
    assert_eq!(t[0].value, Some(90.0), "hours are stored in minutes");
    assert_eq!(t[0].unit, Some(Unit::Minutes));
    let t = read_targets("経費を3分の1削減する", fy(2023));
    assert!(
        t.iter().all(|t| t.unit != Some(Unit::Minutes)),
        "3分の1 is a fraction: {t:#?}"
    );
    let a = read_actuals("令和5年度 平均待ち時間 45分", fy(2023));
    let j = judge(
        &read_targets("令和5年度 平均待ち時間 30分以内", fy(2023))[0],
        &a,
        &[],
        Some(2023),
    );
    assert_eq!(j.judgment, Judgment::NotAchieved, "{j:#?}");
}
