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
