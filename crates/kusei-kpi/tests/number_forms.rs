//! Number forms beyond the seeds' shapes: amounts that mix 億 and 万 (the 億 part was lost:
//! 「3億2,000万円」 read as 2,000万円), counts in 万, and the characters PDF fonts emit
//! (Kangxi radicals, the CJK Radicals Supplement) read in their Japanese form.

mod common;

use common::fy;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::Comparator;
use kusei_kpi::*;

fn one(sentence: &str) -> Target {
    let t = read_targets(sentence, fy(2025));
    assert_eq!(t.len(), 1, "{sentence}: {t:?}");
    t.into_iter().next().unwrap_or_else(|| unreachable!())
}

#[test]
fn amounts_mixing_oku_and_man_keep_every_part() {
    for (s, value, cmp) in [
        ("事業費 3億2,000万円以下", 320_000_000.0, Comparator::AtMost),
        ("事業費 1億5千万円以内", 150_000_000.0, Comparator::AtMost),
        ("寄附金 1.2億350万円", 123_500_000.0, Comparator::Equal),
    ] {
        let t = one(s);
        assert_eq!(t.value, Some(value), "{s}");
        assert_eq!(t.unit, Some(Unit::Yen), "{s}");
        assert_eq!(t.unit_text.as_deref(), Some("円"), "{s}");
        assert_eq!(t.comparator, cmp, "{s}");
    }
    // 億円 and 万円 alone are units as before.
    let t = one("広告収入 2億円以上");
    assert_eq!(t.value, Some(200_000_000.0));
    assert_eq!(t.unit_text.as_deref(), Some("億円"));
    // 万円 alone is as before.
    let t = one("事業費 2,000万円以下");
    assert_eq!(t.value, Some(20_000_000.0));
    assert_eq!(t.unit_text.as_deref(), Some("万円"));
}

#[test]
fn a_mixed_amount_is_judged_on_its_whole_value() {
    let t = one("事業費 令和7年度 3億2,000万円以下");
    let a = read_actuals("事業費は3億1,500万円であった。", fy(2025));
    let j = judge(&t, &a, &[], Some(2025));
    assert_eq!(j.judgment, Judgment::Achieved, "{}", j.reason_ja);
    assert_eq!(j.reason_ja, "実績 3億1,500万円 ≦ 目標 3億2,000万円");
    let over = read_actuals("事業費は3億3,000万円であった。", fy(2025));
    let j = judge(&t, &over, &[], Some(2025));
    assert_eq!(j.judgment, Judgment::NotAchieved, "{}", j.reason_ja);
}

#[test]
fn counts_in_man() {
    let t = one("来場者数 1.5万人以上");
    assert_eq!(t.value, Some(15_000.0));
    assert_eq!(t.unit, Some(Unit::Persons));
    // 万 that is not a count stays out: 「万全」 is no figure.
    assert!(read_targets("万全の体制を整える", fy(2025))
        .iter()
        .all(|t| t.value.is_none()));
}

#[test]
fn radicals_and_old_forms_are_read_in_their_japanese_form() {
    for (font, japanese) in [
        ("⼾籍", "戸籍"),
        ("⾏政", "行政"),
        ("⻑期", "長期"),
        ("⻄区", "西区"),
        ("⻘少年", "青少年"),
        ("髙齢者", "高齢者"),
        ("⿓", "龍"),
    ] {
        let read: String = nfkc_japanese(font).collect();
        assert_eq!(read, japanese, "{font}");
    }
    // A target whose indicator was extracted with radicals names the same indicator.
    let a = one("⼾籍の届出件数 100件以上");
    let b = one("戸籍の届出件数 100件以上");
    assert_eq!(a.indicator, b.indicator);
    assert_eq!(a.indicator.as_deref(), Some("戸籍の届出件数"));
}

#[test]
fn a_calendar_year_deadline_keeps_its_year() {
    for (s, year) in [
        ("待機児童数 令和8年までに0人", 2026),
        ("待機児童数 令和8年末までに0人", 2026),
        ("待機児童数 2026年までに0人", 2026),
        ("待機児童数 R8年までに0人", 2026),
    ] {
        let t = one(s);
        let f = t
            .fiscal_year
            .as_ref()
            .unwrap_or_else(|| panic!("{s}: no year"));
        assert_eq!((f.start, f.end, f.by_end), (year, year, true), "{s}");
        assert_eq!(t.value, Some(0.0), "{s}");
    }
    // A duration is not a year: 「3年まで」 gives none.
    assert!(read_targets("支援期間 3年まで延長 10件", fy(2025))
        .iter()
        .all(|t| t.fiscal_year.as_ref().is_none_or(|f| f.start != 3)));
}

#[test]
fn numbers_in_kanji() {
    for (s, value, unit) in [
        ("講座の参加者数 二百五十人以上", 250.0, Unit::Persons),
        ("相談件数 三十件", 30.0, Unit::Count),
        ("協賛金 千二百五十万円以上", 12_500_000.0, Unit::Yen),
        ("開催回数 十二回", 12.0, Unit::Times),
        ("設置数 二十か所", 20.0, Unit::Count),
    ] {
        let t = one(s);
        assert_eq!((t.value, t.unit), (Some(value), Some(unit)), "{s}");
    }
    // Words, not figures: 十分 (enough), 万人 (everyone), 一人 alone, inside a word.
    for s in [
        "十分な説明を行う",
        "万人に開かれた施設とする",
        "一人ひとりに寄り添う",
        "統一回答を行う",
    ] {
        assert!(
            read_targets(s, fy(2025)).iter().all(|t| t.value.is_none()),
            "{s}"
        );
    }
}

/// A number in kanji as a person writes it (二万三千四百五十, 千二百): the test's own writer.
fn kanji(n: u64) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    fn under_10000(n: u64) -> String {
        let mut s = String::new();
        for (unit, mark) in [(1000, "千"), (100, "百"), (10, "十")] {
            let d = (n / unit) % 10;
            if d > 0 {
                if d > 1 {
                    s.push_str(D[d as usize]);
                }
                s.push_str(mark);
            }
        }
        s.push_str(D[(n % 10) as usize]);
        s
    }
    let (man, rest) = (n / 10_000, n % 10_000);
    let mut s = String::new();
    if man > 0 {
        s.push_str(&under_10000(man));
        s.push('万');
    }
    s.push_str(&under_10000(rest));
    s
}

proptest::proptest! {
    /// Written with 億 and 万 together, or in kanji, a figure reads back to its value.
    #[test]
    fn mixed_and_kanji_figures_read_back(oku in 1u64..100, man in 1u64..10_000, n in 11u64..100_000_000) {
        let written = format!("事業費 {oku}億{}万円以下", fmt_thousands(man));
        let t = one(&written);
        #[allow(clippy::cast_precision_loss)]
        let want = (oku * 100_000_000 + man * 10_000) as f64;
        proptest::prop_assert_eq!(t.value, Some(want), "{}", written);
        let k = kanji(n);
        // Only numerals with a digit (一…九) are figures: 「十」, 「百万」 alone are words.
        proptest::prop_assume!(k.chars().any(|c| "一二三四五六七八九".contains(c)) && k.chars().count() >= 2);
        let written = format!("相談件数 {k}件以上");
        let t = one(&written);
        #[allow(clippy::cast_precision_loss)]
        let n = n as f64;
        proptest::prop_assert_eq!(t.value, Some(n), "{}", written);
    }
}

fn fmt_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn counter_words_and_thousands_of_people_are_units() {
    for (s, value, unit, written) in [
        ("新たに登録した団体数 10団体以上", 10.0, Unit::Count, "団体"),
        ("見守りを受けた世帯 250世帯", 250.0, Unit::Count, "世帯"),
        ("参加した学校 12校", 12.0, Unit::Count, "校"),
        ("協賛企業 5社以上", 5.0, Unit::Count, "社"),
        ("避難所の設置 20か所", 20.0, Unit::Count, "か所"),
        ("来場者数 3千人以上", 3_000.0, Unit::Persons, "千人"),
    ] {
        let t = one(s);
        assert_eq!((t.value, t.unit), (Some(value), Some(unit)), "{s}");
        assert_eq!(t.unit_text.as_deref(), Some(written), "{s}");
    }
    // 千人 and 人 are one measure: a target in 千人 is judged against an actual in 人.
    assert_eq!(Unit::factor("千人"), 1_000.0);
    let t = one("来場者数 令和7年度 3千人以上");
    let j = judge(
        &t,
        &read_actuals("来場者数は3,250人であった。", fy(2025)),
        &[],
        Some(2025),
    );
    assert_eq!(j.judgment, Judgment::Achieved, "{}", j.reason_ja);
    // A counter character that starts a word is no unit (「5校数」).
    assert!(read_targets("学校数 5校数", fy(2025))
        .iter()
        .all(|t| t.value != Some(5.0)));
}

#[test]
fn a_base_and_the_amount_it_changes_by() {
    let t = one("講座の参加者数 28年度実績120人から20人増");
    assert_eq!(t.indicator.as_deref(), Some("講座の参加者数"));
    assert_eq!(t.value, Some(140.0));
    assert_eq!(t.unit, Some(Unit::Persons));
    assert_eq!(t.baselines.first().map(|b| b.value), Some(120.0));
    let t = one("放置自転車の台数 30件から10件減");
    assert_eq!(t.value, Some(20.0));
    // Base and change in different measures: not read as a change (no guess).
    assert!(read_targets("参加者 120人から20%増", fy(2025))
        .iter()
        .all(|t| t.value != Some(140.0)));
}

#[test]
fn the_end_of_a_year_is_not_part_of_the_indicator() {
    for s in [
        "令和6年度末の空き家率 10%以下",
        "令和6年度末時点の空き家率 10%以下",
        "空き家率 令和6年度末に10%以下",
    ] {
        let t = one(s);
        assert_eq!(t.indicator.as_deref(), Some("空き家率"), "{s}");
        let f = t.fiscal_year.as_ref().unwrap();
        assert_eq!((f.start, f.by_end), (2024, true), "{s}");
    }
}
