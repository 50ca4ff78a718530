//! Property: any storable record survives export → import unchanged, and export →
//! import → export gives the same bytes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kusei_domain::calendar::{Date, FiscalYear, YearMonth};
use kusei_domain::content::{DirectoryEntry, LinkContent, NodeContent, PlanContent, PlanRecord};
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_domain::model::{
    Actual, Comparator, Evaluation, Family, IndicatorId, LinkKind, Milestone, Period, Phase,
    PlanStatus, Review, Section, Target, When,
};
use kusei_xlsx::{read_workbook, write_workbook};
use proptest::prelude::*;
use proptest::sample::select;

/// Characters that tend to break spreadsheets: formula starts, whitespace of all kinds,
/// line breaks, XML-hostile controls, escapes Excel itself uses, full-width and astral.
const CHARS: &[char] = &[
    'a', 'Z', '0', '9', '.', ' ', '\t', '\n', '\r', '=', '+', '-', '@', '_', 'x', '&', '<', '>',
    '"', '\'', '\u{1}', '\u{b}', '\u{c}', '\u{1f}', '\u{7f}', '\u{a0}', '\u{3000}', '区', '政',
    '～', '①', '☆', '（', '）', 'Ａ', '１', '％', '\u{fffe}', '\u{feff}', '😀', '、', ',',
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(select(CHARS), 0..12).prop_map(String::from_iter)
}

fn some_text() -> impl Strategy<Value = String> {
    text().prop_filter("non-empty", |s| !s.is_empty())
}

/// `Some("")` is normalised to `None` (documented); generate the other cases.
fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(some_text())
}

fn title() -> impl Strategy<Value = String> {
    text().prop_filter("a title", |s| !s.trim().is_empty())
}

fn list() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        some_text().prop_filter("one line", |s| !s.contains('\n')),
        0..3,
    )
}

fn fy() -> impl Strategy<Value = FiscalYear> {
    (1926..=2100i32).prop_map(|y| FiscalYear::new(y).unwrap())
}

fn period() -> impl Strategy<Value = Period> {
    (fy(), fy()).prop_map(|(start, end)| Period { start, end })
}

fn month() -> impl Strategy<Value = YearMonth> {
    (1926..=2101i32, 1..=12u8).prop_filter_map("in range", |(y, m)| YearMonth::new(y, m).ok())
}

fn date() -> impl Strategy<Value = Date> {
    (1926..=2101i32, 1..=12u8, 1..=31u8)
        .prop_filter_map("valid", |(y, m, d)| Date::new(y, m, d).ok())
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        (-1_000_000i64..1_000_000).prop_map(|i| i as f64 / 100.0),
        prop::num::f64::ANY.prop_filter("finite", |f| f.is_finite()),
    ]
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        month().prop_map(When::Month),
        fy().prop_map(When::FiscalYear)
    ]
}

fn node() -> impl Strategy<Value = NodeContent> {
    let head = (
        text(),
        opt_text(),
        title(),
        opt_text(),
        list(),
        opt_text(),
        prop::option::of(any::<u32>()),
    );
    let sections = prop::collection::vec(
        (
            select(&[Phase::Plan, Phase::Review, Phase::Evaluation][..]),
            text(),
            text(),
        )
            .prop_map(|(phase, heading, body)| Section {
                phase,
                heading,
                body,
            }),
        0..4,
    );
    let targets = prop::collection::vec(
        (
            prop::option::of(any::<i64>().prop_map(IndicatorId)),
            prop::option::of(period()),
            prop::option::of(number()),
            opt_text(),
            prop::option::of(select(
                &[
                    Comparator::AtLeast,
                    Comparator::MoreThan,
                    Comparator::AtMost,
                    Comparator::LessThan,
                    Comparator::Maintain,
                    Comparator::Equal,
                ][..],
            )),
            text(),
        )
            .prop_map(
                |(indicator_id, period, value, measure_unit, comparator, text)| Target {
                    indicator_id,
                    period,
                    value,
                    measure_unit,
                    comparator,
                    text,
                    indicator_name: None,
                    this_year: false,
                },
            ),
        0..3,
    );
    let actuals = prop::collection::vec(
        (
            prop::option::of(any::<i64>().prop_map(IndicatorId)),
            prop::option::of(fy()),
            prop::option::of(number()),
            opt_text(),
            prop::option::of(date()),
            text(),
        )
            .prop_map(
                |(indicator_id, fiscal_year, value, measure_unit, as_of, text)| Actual {
                    indicator_id,
                    fiscal_year,
                    value,
                    measure_unit,
                    as_of,
                    text,
                },
            ),
        0..3,
    );
    let reviews = prop::collection::vec(
        (
            fy(),
            prop::option::of(select(
                &[
                    ImplementationProspect::Expected,
                    ImplementationProspect::NotExpected,
                ][..],
            )),
            prop::option::of(select(
                &[AchievementProspect::OnTrack, AchievementProspect::OffTrack][..],
            )),
            opt_text(),
        )
            .prop_map(
                |(fiscal_year, implementation, achievement, remedy)| Review {
                    fiscal_year,
                    implementation,
                    achievement,
                    remedy,
                },
            ),
        0..2,
    );
    let evaluations = prop::collection::vec(
        (
            fy(),
            text(),
            select(
                &[
                    Judgment::Achieved,
                    Judgment::NotAchieved,
                    Judgment::Undetermined,
                    Judgment::Unknown,
                ][..],
            ),
            opt_text(),
            opt_text(),
        )
            .prop_map(
                |(fiscal_year, results, stated, remedy, explanation)| Evaluation {
                    fiscal_year,
                    results,
                    stated,
                    remedy,
                    explanation,
                },
            ),
        0..2,
    );
    let milestones = prop::collection::vec(
        (
            prop::option::of(when()),
            prop::option::of(when()),
            any::<bool>(),
            text(),
        )
            .prop_map(|(from, to, open_ended, text)| Milestone {
                from,
                to,
                open_ended,
                text,
            }),
        0..2,
    );
    (
        head,
        sections,
        targets,
        actuals,
        reviews,
        evaluations,
        milestones,
    )
        .prop_map(
            |(
                (level, number, title, subtitle, marks, owner, source_line),
                sections,
                targets,
                actuals,
                reviews,
                evaluations,
                milestones,
            )| NodeContent {
                level,
                number,
                title,
                subtitle,
                marks,
                owner,
                sections,
                targets,
                actuals,
                reviews,
                evaluations,
                milestones,
                source_line,
            },
        )
}

/// Acyclic links (parent before child), in any order, some 再掲.
fn links(n: usize) -> BoxedStrategy<Vec<LinkContent>> {
    if n < 2 {
        return Just(Vec::new()).boxed();
    }
    prop::collection::vec(
        (1..n, any::<prop::sample::Index>(), any::<bool>()),
        0..n * 2,
    )
    .prop_map(|raw| {
        raw.into_iter()
            .map(|(child, parent, repeat)| LinkContent {
                parent: parent.index(child),
                child,
                kind: if repeat {
                    LinkKind::Repeat
                } else {
                    LinkKind::Primary
                },
            })
            .collect::<Vec<_>>()
    })
    .prop_shuffle()
    .boxed()
}

fn record() -> impl Strategy<Value = PlanRecord> {
    let head = (
        text(),
        text(),
        select(
            &[
                PlanStatus::Draft,
                PlanStatus::Submitted,
                PlanStatus::Approved,
                PlanStatus::Published,
            ][..],
        ),
        any::<i64>(),
        select(&Family::ALL[..]),
        period(),
        text(),
        list(),
        any::<bool>(),
    );
    let directory = prop::collection::vec(
        (text(), opt_text(), opt_text(), opt_text(), opt_text()).prop_map(
            |(division, section, phone, fax, duties)| DirectoryEntry {
                division,
                section,
                phone,
                fax,
                duties,
            },
        ),
        0..3,
    );
    (head, prop::collection::vec(node(), 0..5), directory).prop_flat_map(
        |(head, nodes, directory)| {
            let n = nodes.len();
            links(n).prop_map(move |links| {
                let (
                    municipality,
                    unit,
                    status,
                    version,
                    family,
                    period,
                    title,
                    level_names,
                    is_sample,
                ) = head.clone();
                PlanRecord {
                    municipality,
                    unit,
                    status,
                    version,
                    content: PlanContent {
                        family,
                        period,
                        title,
                        level_names,
                        nodes: nodes.clone(),
                        links,
                        is_sample,
                    },
                    directory: directory.clone(),
                    indicators: Vec::new(),
                    item_pages: Vec::new(),
                }
            })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn export_import_is_lossless(records in prop::collection::vec(record(), 0..3)) {
        let bytes = write_workbook(&records).unwrap();
        let back = read_workbook(&bytes).unwrap();
        prop_assert_eq!(&back, &records);
        for (a, b) in back.iter().zip(&records) {
            for (x, y) in a.content.nodes.iter().zip(&b.content.nodes) {
                for (s, t) in x.targets.iter().zip(&y.targets) {
                    prop_assert_eq!(s.value.map(f64::to_bits), t.value.map(f64::to_bits));
                }
            }
        }
        let again = write_workbook(&back).unwrap();
        prop_assert!(again == bytes, "export → import → export changed the bytes");
    }
}
