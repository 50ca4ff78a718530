#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Golden test of the published-snapshot format: a published version is stored as the
//! JSON of a whole [`StoredPlan`] (`plan_version.snapshot`, written by
//! `Store::transition(.., Publish, ..)`, read back by `Store::published_plan`) and must
//! stay readable forever.
//!
//! `tests/fixtures/published_snapshot_v1.json` is such a snapshot exactly as the store
//! wrote it (pretty-printed only), made once by `write_published_snapshot_fixture` in
//! tests/store.rs from a plan that uses every part of the shape. **It is never
//! regenerated or edited.** When the shape changes, add fields with `#[serde(default)]`
//! and leave this file alone; a new shape gets a new fixture beside it
//! (`published_snapshot_v2.json`, tested the same way), and every old fixture must keep
//! reading. A failure here means a field or an enum code was renamed or removed: put it
//! back (or add `#[serde(alias)]`), do not touch the fixture.
//!
//! The store-level read (the fixture inserted as a `plan_version` row and read through
//! `Store::published_plan` on SQLite and PostgreSQL) is `published_snapshot_v1_reads_back`
//! in tests/store.rs.

use kusei_domain::calendar::{Date, FiscalYear, YearMonth};
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_domain::model::{
    Comparator, Family, IndicatorId, LinkKind, NodeId, Period, Phase, PlanId, PlanStatus, UnitId,
    When,
};
use kusei_store::StoredPlan;
use serde_json::Value;

const V1: &str = include_str!("fixtures/published_snapshot_v1.json");

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

/// (a) Today's reader gives the values the v1 writer put there.
#[test]
fn v1_reads_with_todays_code() {
    let sp: StoredPlan = serde_json::from_str(V1).expect("published snapshot v1 must read");

    let p = &sp.plan;
    assert_eq!(p.id, PlanId(1));
    assert_eq!(p.unit_id, UnitId(1));
    assert_eq!(p.title, "サンプル区 改革計画");
    assert_eq!(p.family, Family::PlanTree);
    assert_eq!(p.period, Period::span(fy(2017), fy(2019)));
    assert_eq!(p.level_names, ["章", "重点分野", "■", "○", "取組"]);
    assert_eq!(p.status, PlanStatus::Published);
    assert_eq!(p.version, 1);
    assert!(p.is_sample);
    assert_eq!(sp.unit_name, "東区");

    let titles: Vec<&str> = sp.nodes.iter().map(|n| n.node.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "市民サービスの向上",
            "窓口改革",
            "待ち時間の短縮",
            "窓口の混雑緩和",
            "窓口の待ち時間短縮",
            "オンライン申請",
            "手続きの簡素化",
            "働き方改革",
        ]
    );
    let field = &sp.nodes[1].node;
    assert_eq!(
        (field.level.as_str(), field.number.as_deref()),
        ("重点分野", Some("1-1"))
    );
    assert_eq!(field.subtitle.as_deref(), Some("便利な区役所"));
    assert_eq!(field.marks, ["☆"]);
    let phases: Vec<Phase> = field.sections.iter().map(|s| s.phase).collect();
    assert_eq!(phases, [Phase::Plan, Phase::Review, Phase::Evaluation]);
    assert_eq!(field.sections[1].heading, "中間振り返り");
    assert_eq!(sp.nodes[2].node.number, None);

    let item = &sp.nodes[4];
    assert_eq!(item.node.id, NodeId(5));
    assert_eq!(item.node.plan_id, PlanId(1));
    assert_eq!(item.node.marks, ["☆", "新規"]);
    assert_eq!(item.node.owner_unit_id, Some(UnitId(3)));
    assert_eq!(item.node.version, 1);
    assert_eq!(item.node.sections[2].body, "呼出表示も導入した。");

    // Targets: full, 千円, without period/indicator/comparator, free text only.
    let t = &item.targets;
    assert_eq!(t.len(), 4);
    assert_eq!(t[0].indicator_id, Some(IndicatorId(1)));
    assert_eq!(t[0].period, Some(Period::span(fy(2017), fy(2019))));
    assert_eq!(t[0].value, Some(15.0));
    assert_eq!(t[0].measure_unit.as_deref(), Some("分"));
    assert_eq!(t[0].comparator, Some(Comparator::AtMost));
    assert_eq!(t[1].indicator_id, Some(IndicatorId(2)));
    assert_eq!(t[1].period, Some(Period::year(fy(2018))));
    assert_eq!(t[1].value, Some(1_234_567.0));
    assert_eq!(t[1].measure_unit.as_deref(), Some("千円"));
    assert_eq!(t[1].comparator, Some(Comparator::AtLeast));
    assert_eq!(t[1].text, "経費削減額 1,234,567千円以上");
    assert_eq!(
        (t[2].indicator_id, t[2].period, t[2].value, t[2].comparator),
        (None, None, Some(80.5), None)
    );
    assert_eq!(
        (t[3].value, t[3].measure_unit.as_deref(), t[3].text.as_str()),
        (None, None, "窓口の満足度を高める")
    );

    // Actuals: interim (as_of), 千円 final, free text only.
    let a = &item.actuals;
    assert_eq!(a.len(), 3);
    assert_eq!(a[0].fiscal_year, Some(fy(2017)));
    assert_eq!(a[0].value, Some(17.25));
    assert_eq!(a[0].as_of, Some(Date::new(2018, 2, 28).unwrap()));
    assert_eq!(a[0].text, "平成30年2月末現在 17.25分");
    assert_eq!(
        (a[1].indicator_id, a[1].value, a[1].measure_unit.as_deref()),
        (Some(IndicatorId(2)), Some(1_300_000.0), Some("千円"))
    );
    assert_eq!(a[1].as_of, None);
    assert_eq!(
        (a[2].fiscal_year, a[2].value, a[2].text.as_str()),
        (None, None, "集計中")
    );

    // Reviews: every prospect, and none.
    let r = &item.reviews;
    assert_eq!(
        r.iter()
            .map(|r| (r.fiscal_year, r.implementation, r.achievement))
            .collect::<Vec<_>>(),
        [
            (
                fy(2017),
                Some(ImplementationProspect::Expected),
                Some(AchievementProspect::OnTrack)
            ),
            (
                fy(2018),
                Some(ImplementationProspect::NotExpected),
                Some(AchievementProspect::OffTrack)
            ),
            (fy(2019), None, None),
        ]
    );
    assert_eq!(r[1].remedy.as_deref(), Some("職員を増やす"));
    assert_eq!(r[0].remedy, None);

    // Evaluations: every judgment, with and without remedy and explanation.
    let e = &item.evaluations;
    assert_eq!(
        e.iter().map(|e| e.stated).collect::<Vec<_>>(),
        [
            Judgment::Achieved,
            Judgment::NotAchieved,
            Judgment::Undetermined
        ]
    );
    assert_eq!(e[1].results, "削減額 1,300,000千円");
    assert_eq!(e[1].remedy.as_deref(), Some("委託を見直す"));
    assert_eq!(e[1].explanation.as_deref(), Some("数値は速報値のため"));
    assert_eq!(
        (e[0].remedy.as_deref(), e[0].explanation.as_deref()),
        (None, None)
    );
    let unknown = &sp.nodes[5].evaluations[0];
    assert_eq!(unknown.stated, Judgment::Unknown);
    assert_eq!(unknown.fiscal_year, fy(2017));
    assert_eq!(
        unknown.explanation.as_deref(),
        Some("原本の判定欄がかすれている")
    );

    // Milestones: month → fiscal year, open-ended from a fiscal year, undated.
    let m = &item.milestones;
    assert_eq!(
        m[0].from,
        Some(When::Month(YearMonth {
            year: 2006,
            month: 4
        }))
    );
    assert_eq!(m[0].to, Some(When::FiscalYear(fy(2010))));
    assert!(!m[0].open_ended);
    assert_eq!(m[1].from, Some(When::FiscalYear(fy(2009))));
    assert_eq!(m[1].to, None);
    assert!(m[1].open_ended);
    assert_eq!(
        (m[2].from, m[2].to, m[2].text.as_str()),
        (None, None, "随時実施")
    );

    // Links: primary and 再掲, by node id, in order.
    let links: Vec<(i64, i64, i64, LinkKind)> = sp
        .links
        .iter()
        .map(|l| (l.parent.0, l.child.0, l.position, l.kind))
        .collect();
    assert_eq!(
        links,
        [
            (1, 2, 0, LinkKind::Primary),
            (2, 3, 0, LinkKind::Primary),
            (3, 4, 0, LinkKind::Primary),
            (3, 7, 1, LinkKind::Primary),
            (4, 5, 0, LinkKind::Primary),
            (4, 6, 1, LinkKind::Primary),
            (7, 6, 0, LinkKind::Repeat),
            (8, 5, 0, LinkKind::Repeat),
        ]
    );
    let rows: Vec<(usize, usize, LinkKind)> = sp
        .tree_rows()
        .iter()
        .map(|r| (r.node, r.depth, r.kind))
        .collect();
    assert_eq!(
        rows,
        [
            (0, 0, LinkKind::Primary),
            (1, 1, LinkKind::Primary),
            (2, 2, LinkKind::Primary),
            (3, 3, LinkKind::Primary),
            (4, 4, LinkKind::Primary),
            (5, 4, LinkKind::Primary),
            (6, 3, LinkKind::Primary),
            (5, 4, LinkKind::Repeat),
            (7, 0, LinkKind::Primary),
            (4, 1, LinkKind::Repeat),
        ]
    );
}

/// (b) Today's writer keeps every key and value of v1: re-serialising what was read
/// may add keys, never lose, rename or change one.
#[test]
fn v1_rewrites_without_losing_anything() {
    let old: Value = serde_json::from_str(V1).unwrap();
    let sp: StoredPlan = serde_json::from_str(V1).unwrap();
    let new = serde_json::to_value(&sp).unwrap();
    let mut lost = Vec::new();
    missing_from(&old, &new, "$", &mut lost);
    assert!(
        lost.is_empty(),
        "the snapshot shape lost or changed (never rename or remove a field):\n{}",
        lost.join("\n")
    );
    // And what today writes reads back to the same plan.
    let again: StoredPlan = serde_json::from_value(new).unwrap();
    assert_eq!(again, sp);
}

/// The paths where `new` does not contain `old`: objects may gain keys, arrays keep their
/// length and order, scalars are equal (numbers by value, so 15 and 15.0 are the same).
fn missing_from(old: &Value, new: &Value, path: &str, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            for (k, ov) in o {
                match n.get(k) {
                    Some(nv) => missing_from(ov, nv, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: missing (was {ov})")),
                }
            }
        }
        (Value::Array(o), Value::Array(n)) if o.len() == n.len() => {
            for (i, (ov, nv)) in o.iter().zip(n).enumerate() {
                missing_from(ov, nv, &format!("{path}[{i}]"), out);
            }
        }
        (Value::Number(o), Value::Number(n)) if o.as_f64() == n.as_f64() => {}
        (o, n) if o == n => {}
        (o, n) => out.push(format!("{path}: was {o}, now {n}")),
    }
}

/// The checker itself: a renamed key, a changed enum code and a dropped list entry are
/// each caught; an added key is not.
#[test]
fn the_checker_catches_renames_and_losses() {
    let old: Value = serde_json::from_str(V1).unwrap();
    let check = |edit: &dyn Fn(&mut Value)| {
        let mut new = old.clone();
        edit(&mut new);
        let mut lost = Vec::new();
        missing_from(&old, &new, "$", &mut lost);
        lost
    };
    assert!(check(&|_| {}).is_empty());
    assert!(check(&|v| {
        v["plan"]["added_later"] = Value::Bool(true);
    })
    .is_empty());
    let renamed = check(&|v| {
        let unit = v["nodes"][4]["targets"][1]
            .as_object_mut()
            .unwrap()
            .remove("measure_unit")
            .unwrap();
        v["nodes"][4]["targets"][1]["unit"] = unit;
    });
    assert_eq!(
        renamed,
        ["$.nodes[4].targets[1].measure_unit: missing (was \"千円\")"]
    );
    let recoded = check(&|v| {
        v["nodes"][5]["evaluations"][0]["stated"] = "not_known".into();
    });
    assert_eq!(
        recoded,
        ["$.nodes[5].evaluations[0].stated: was \"unknown\", now \"not_known\""]
    );
    let dropped = check(&|v| {
        v["links"].as_array_mut().unwrap().pop();
    });
    assert_eq!(dropped.len(), 1, "{dropped:?}");
}
