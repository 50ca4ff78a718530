//! Property tests: a rendered structured target reads back to the same structure, and no
//! input makes any function panic.

mod common;

use kusei_domain::calendar::FiscalYear;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::Comparator;
use kusei_kpi::*;
use proptest::prelude::*;
use proptest::sample::select;

fn fys(start: i32, end: i32, by_end: bool) -> FiscalYears {
    let label = |y: i32| FiscalYear::new(y).map(|f| f.label()).unwrap_or_default();
    FiscalYears {
        start,
        end,
        label: if start == end {
            label(start)
        } else {
            format!("{}～{}", label(start), label(end))
        },
        as_written: String::new(),
        by_end,
    }
}

fn blank(kind: TargetKind) -> Target {
    Target {
        text: String::new(),
        segment: String::new(),
        label: None,
        kind,
        indicator: None,
        heading: None,
        fiscal_year: None,
        value: None,
        value_text: None,
        unit: None,
        unit_text: None,
        comparator: Comparator::Equal,
        direction: None,
        direction_basis: DirectionBasis::None,
        cumulative: false,
        baselines: Vec::new(),
        relative: None,
        parts: Vec::new(),
        milestone: None,
        pending: None,
        notes: Vec::new(),
    }
}

/// Characters of generated indicator names (no digits, no era or comparator words).
const ALPHA: &[char] = &[
    '区', '民', '役', '所', '地', '域', '活', '動', '協', '議', '会', '委', '員', '意', '見', '交',
    '換', '相', '談', '窓', '口', '研', '修', '職', '参', '加', '者', '満', '足', '情', '報', '発',
    '信', '支', '援', '団', '体', '市', '広', '聴', 'I', 'C', 'T',
];
const SUFFIX: &[&str] = &["の割合", "率", "件数", "回数", "満足度"];

fn indicator() -> impl Strategy<Value = String> {
    (prop::collection::vec(select(ALPHA), 2..8), select(SUFFIX))
        .prop_map(|(cs, s)| cs.into_iter().collect::<String>() + s)
}

/// A figure: (value, value_text, unit, unit_text).
fn figure() -> impl Strategy<Value = (f64, String, Unit, String)> {
    let unit = select(vec![
        (Unit::Percent, "%"),
        (Unit::Count, "件"),
        (Unit::Times, "回"),
        (Unit::Persons, "人"),
        (Unit::Score, "点"),
        (Unit::Yen, "千円"),
        (Unit::Yen, "円"),
        (Unit::Yen, "億円"),
        (Unit::Stars, "☆"),
    ]);
    (unit, 0u32..200_000, 0u32..3).prop_map(|((u, ut), n, d)| {
        let factor = match ut {
            "千円" => 1_000.0,
            "億円" => 100_000_000.0,
            _ => 1.0,
        };
        match u {
            Unit::Stars => {
                let k = (n % 5 + 1) as usize;
                (k as f64, "☆".repeat(k), u, "☆".to_string())
            }
            Unit::Percent | Unit::Score => {
                let n = n % 10_000;
                let text = match d {
                    0 => format!("{}", n / 100),
                    1 => format!("{}.{}", n / 100, (n / 10) % 10),
                    _ => format!("{}.{:02}", n / 100, n % 100),
                };
                (text.parse::<f64>().unwrap_or(0.0), text, u, ut.to_string())
            }
            Unit::Yen if ut == "億円" => {
                let text = format!("{}.{}", n % 100, n % 10);
                (
                    text.parse::<f64>().unwrap_or(0.0) * factor,
                    text,
                    u,
                    ut.to_string(),
                )
            }
            Unit::Yen => {
                let digits = n.to_string();
                let mut grouped = String::new();
                for (i, ch) in digits.chars().enumerate() {
                    if i > 0 && (digits.len() - i) % 3 == 0 {
                        grouped.push(',');
                    }
                    grouped.push(ch);
                }
                (f64::from(n) * factor, grouped, u, ut.to_string())
            }
            _ => {
                let n = n % 1000;
                (f64::from(n), n.to_string(), u, ut.to_string())
            }
        }
    })
}

fn years() -> impl Strategy<Value = Option<FiscalYears>> {
    prop_oneof![
        Just(None),
        (2010i32..2030, any::<bool>()).prop_map(|(y, e)| Some(fys(y, y, e))),
        (2010i32..2028, 1i32..3).prop_map(|(y, n)| Some(fys(y, y + n, false))),
    ]
}

fn label() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        select(vec!["①", "②", "③", "①-1", "②-3"]).prop_map(|s| Some(s.to_string())),
    ]
}

fn comparator() -> impl Strategy<Value = Comparator> {
    select(vec![
        Comparator::Equal,
        Comparator::AtLeast,
        Comparator::AtMost,
        Comparator::MoreThan,
        Comparator::LessThan,
    ])
}

fn as_figure(
    f: &(f64, String, Unit, String),
    year: Option<FiscalYears>,
    source: Option<String>,
) -> Figure {
    Figure {
        label: None,
        source,
        fiscal_year: year,
        as_of: None,
        value: f.0,
        value_text: f.1.clone(),
        unit: f.2,
        unit_text: f.3.clone(),
    }
}

fn baseline_for(f: &(f64, String, Unit, String)) -> impl Strategy<Value = Vec<Figure>> {
    let f = f.clone();
    prop::collection::vec(
        (
            prop::option::of(2010i32..2030),
            prop::option::of(select(vec!["格付けアンケート", "区民モニターアンケート"])),
            0u32..1000,
        ),
        0..3,
    )
    .prop_map(move |v| {
        v.into_iter()
            .map(|(y, src, n)| {
                let (value, text) = match f.2 {
                    Unit::Stars => {
                        let k = (n % 5 + 1) as usize;
                        (k as f64, "☆".repeat(k))
                    }
                    Unit::Yen if f.3 == "千円" => (f64::from(n) * 1000.0, n.to_string()),
                    Unit::Yen if f.3 == "億円" => (f64::from(n) * 1e8, n.to_string()),
                    _ => (f64::from(n), n.to_string()),
                };
                as_figure(
                    &(value, text, f.2, f.3.clone()),
                    y.map(|y| fys(y, y, false)),
                    src.map(str::to_string),
                )
            })
            .collect()
    })
}

fn absolute() -> impl Strategy<Value = Target> {
    (
        label(),
        indicator(),
        years(),
        figure(),
        comparator(),
        any::<bool>(),
    )
        .prop_flat_map(|(l, ind, y, f, c, cum)| {
            baseline_for(&f).prop_map(move |bases| {
                let mut t = blank(TargetKind::Absolute);
                t.label = l.clone();
                t.indicator = Some(ind.clone());
                t.fiscal_year = y.clone();
                // Cumulative needs a span and no deadline.
                t.cumulative = cum && y.as_ref().is_some_and(|y| y.start != y.end);
                if t.cumulative {
                    if let Some(fy) = &mut t.fiscal_year {
                        fy.by_end = false;
                    }
                }
                t.value = Some(f.0);
                t.value_text = Some(f.1.clone());
                t.unit = Some(f.2);
                t.unit_text = Some(f.3.clone());
                t.comparator = c;
                t.baselines = bases;
                t
            })
        })
}

fn relative() -> impl Strategy<Value = Target> {
    let op = prop_oneof![
        (1u32..60).prop_map(|p| RelativeOp::DecreasePercent {
            percent: f64::from(p) / 2.0
        }),
        (1u32..60).prop_map(|p| RelativeOp::IncreasePercent {
            percent: f64::from(p) / 2.0
        }),
        (1u32..20).prop_map(|p| RelativeOp::IncreasePoints {
            points: f64::from(p)
        }),
        (1u32..20).prop_map(|p| RelativeOp::DecreasePoints {
            points: f64::from(p)
        }),
        Just(RelativeOp::Halve),
        Just(RelativeOp::AtLeastBase),
        Just(RelativeOp::AtMostBase),
        Just(RelativeOp::Maintain),
    ];
    (
        label(),
        indicator(),
        prop::option::of(2010i32..2030),
        op,
        prop::option::of(2010i32..2030),
        prop::option::of(figure()),
        any::<bool>(),
    )
        .prop_map(|(l, ind, year, op, by, base, stated)| {
            let mut t = blank(TargetKind::Relative);
            t.label = l;
            t.indicator = Some(ind);
            t.fiscal_year = year.map(|y| fys(y, y, false));
            // Only these forms write the base figure.
            let base = match op {
                RelativeOp::DecreasePercent { .. }
                | RelativeOp::IncreasePercent { .. }
                | RelativeOp::Halve => base.filter(|b| b.2 != Unit::Stars),
                _ => None,
            };
            let prev =
                matches!(op, RelativeOp::AtLeastBase | RelativeOp::AtMostBase) || by.is_none();
            let base_year = if prev {
                year.map(|y| fys(y - 1, y - 1, false))
            } else {
                by.map(|b| fys(b, b, false))
            };
            let stated = match (&base, stated) {
                (Some(b), true) => Some(as_figure(b, None, None)),
                _ => None,
            };
            if let Some(b) = &base {
                t.unit = Some(b.2);
                t.unit_text = Some(b.3.clone());
            }
            t.comparator = match op {
                RelativeOp::AtLeastBase => Comparator::AtLeast,
                RelativeOp::AtMostBase => Comparator::AtMost,
                RelativeOp::Maintain => Comparator::Maintain,
                _ => Comparator::Equal,
            };
            t.relative = Some(Relative {
                op,
                base: base.map(|b| as_figure(&b, base_year.clone(), None)),
                base_year,
                base_is_previous_year: prev,
                base_label: None,
                stated_result: stated,
                as_written: String::new(),
            });
            t
        })
}

fn milestone() -> impl Strategy<Value = Target> {
    (
        label(),
        prop::option::of(2010i32..2030),
        select(vec![
            "テーマ型団体への支援窓口を設置する",
            "地域活動協議会からの推薦を受けた区政会議の委員を選定する",
            "自治会・町内会単位の活動への支援策を策定する",
        ]),
    )
        .prop_map(|(l, y, m)| {
            let mut t = blank(TargetKind::Milestone);
            t.label = l;
            t.fiscal_year = y.map(|y| fys(y, y, false));
            t.milestone = Some(m.to_string());
            t
        })
}

fn pending() -> impl Strategy<Value = Target> {
    (label(), indicator(), 2010i32..2028, 0i32..2).prop_map(|(l, ind, y, n)| {
        let mut t = blank(TargetKind::Pending);
        t.label = l;
        t.indicator = Some(ind);
        let years = fys(y + 1, y + 1 + n, false);
        t.fiscal_year = Some(years.clone());
        t.pending = Some(Pending {
            years: Some(years),
            based_on: Some(fys(y, y, false)),
            as_written: String::new(),
        });
        t
    })
}

fn compound() -> impl Strategy<Value = Target> {
    let part = || {
        (
            select(vec!["受検率", "受験率", "理解度", "参加率", "満足度"]),
            figure(),
            comparator(),
        )
    };
    (label(), indicator(), 2010i32..2030, part(), part()).prop_map(|(l, head, y, a, b)| {
        let year = fys(y, y, false);
        let mk = |(ind, f, c): (&str, (f64, String, Unit, String), Comparator)| {
            let mut p = blank(TargetKind::Absolute);
            p.label = l.clone();
            p.indicator = Some(ind.to_string());
            p.heading = Some(head.clone());
            p.fiscal_year = Some(year.clone());
            p.value = Some(f.0);
            p.value_text = Some(f.1);
            p.unit = Some(f.2);
            p.unit_text = Some(f.3);
            p.comparator = c;
            p
        };
        let mut t = blank(TargetKind::Compound);
        t.label = l.clone();
        t.indicator = Some(head.clone());
        t.fiscal_year = Some(year.clone());
        t.parts = vec![mk(a), mk(b)];
        t
    })
}

fn any_target() -> impl Strategy<Value = Target> {
    prop_oneof![
        4 => absolute(),
        3 => relative(),
        1 => milestone(),
        1 => pending(),
        1 => compound(),
    ]
}

/// Op, base year, previous-year base, base value, stated result.
type RelCore = (String, Option<i32>, bool, Option<i64>, Option<i64>);
/// Pending years, year they are based on.
type PendingCore = (Option<(i32, i32)>, Option<i32>);

/// The structure that must survive a render → read round trip.
#[derive(Debug, PartialEq)]
struct Core {
    kind: TargetKind,
    label: Option<String>,
    indicator: Option<String>,
    heading: Option<String>,
    years: Option<(i32, i32, bool)>,
    value: Option<i64>,
    value_text: Option<String>,
    unit: Option<Unit>,
    unit_text: Option<String>,
    comparator: Comparator,
    cumulative: bool,
    baselines: Vec<(Option<i32>, i64, Unit, Option<String>)>,
    relative: Option<RelCore>,
    milestone: Option<String>,
    pending: Option<PendingCore>,
    parts: Vec<Core>,
}

fn milli(v: f64) -> i64 {
    (v * 1000.0).round() as i64
}

fn core(t: &Target) -> Core {
    Core {
        kind: t.kind,
        label: t.label.clone(),
        indicator: t.indicator.clone(),
        heading: t.heading.clone(),
        years: t.fiscal_year.as_ref().map(|y| (y.start, y.end, y.by_end)),
        value: t.value.map(milli),
        value_text: t.value_text.clone(),
        unit: t.unit,
        unit_text: t.unit_text.clone(),
        comparator: t.comparator,
        cumulative: t.cumulative,
        baselines: t
            .baselines
            .iter()
            .map(|b| {
                (
                    b.fiscal_year.as_ref().map(|y| y.start),
                    milli(b.value),
                    b.unit,
                    b.source.clone(),
                )
            })
            .collect(),
        relative: t.relative.as_ref().map(|r| {
            (
                common::op_name(&r.op),
                r.base_year.as_ref().map(|y| y.start),
                r.base_is_previous_year,
                r.base.as_ref().map(|b| milli(b.value)),
                r.stated_result.as_ref().map(|b| milli(b.value)),
            )
        }),
        milestone: t.milestone.clone(),
        pending: t.pending.as_ref().map(|p| {
            (
                p.years.as_ref().map(|y| (y.start, y.end)),
                p.based_on.as_ref().map(|y| y.start),
            )
        }),
        parts: t.parts.iter().map(core).collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn rendered_targets_read_back_to_the_same_structure(t in any_target()) {
        let sentence = render(&t);
        let read = read_targets(&sentence, FiscalYear::new(2017).ok());
        prop_assert_eq!(read.len(), 1, "{} → {:#?}", sentence, read);
        prop_assert_eq!(core(&read[0]), core(&t), "{}", sentence);
        prop_assert_eq!(&read[0].text, &sentence);
        // And rendering what was read gives the same sentence.
        prop_assert_eq!(render(&read[0]), sentence);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>(), y in prop::option::of(1900i32..2200)) {
        let ctx = y.and_then(|y| FiscalYear::new(y).ok());
        for t in read_targets(&s, ctx) {
            let _ = render(&t);
            let _ = resolve(&t, &[]);
        }
        let a = read_actuals(&s, ctx);
        let _ = split_targets(&s);
        let _ = parse_stated(&s);
        let t = read_targets(&s, ctx);
        let _ = judge_node(&t, &a, &[], y);
    }

    #[test]
    fn japanese_like_strings_never_panic(
        parts in prop::collection::vec(select(vec![
            "平成29年度", "29年度", "令和元年度", "H29", "～", "~", "・", "(", ")", "（", "）",
            "【平成30年度】", "【", "】", "%", "％", "件", "回", "点", "千円", "億円", "☆", "2つ星",
            "以上", "以下", "未満", "超", "維持", "半減", "前年度", "から", "に減", "10%減", "増",
            "かつ", "※", "30・31年度の目標は、29年度の結果を踏まえて設定", "運営方針で設定",
            "現在", "2月末", "年", "月", "末", "までに", "を設置する", "を選定した", "実績", "目標",
            "参考:", "(目標)", "<p>", "</p>", "&lt;", "①", "①-1", "-1 ", " ", "。", "、", "：",
            "割合", "区民", "収納率", "0", "1", "15,914", "3.08", ".", ",", "の", "は",
            "\u{0}", "\u{301c}", "\u{ff5e}", "𠮷",
        ]), 0..40),
        y in prop::option::of(1926i32..2100),
    ) {
        let s: String = parts.concat();
        let ctx = y.and_then(|y| FiscalYear::new(y).ok());
        let targets = read_targets(&s, ctx);
        for t in &targets {
            prop_assert!(!t.text.is_empty());
            let _ = render(t);
            let _ = resolve(t, &[]);
        }
        let actuals = read_actuals(&s, ctx);
        for a in &actuals {
            prop_assert!(!a.text.is_empty());
        }
        let node = NodeFigures {
            document_year: ctx,
            targets: vec![s.clone()],
            this_year_targets: vec![s.clone()],
            results: Some(s.clone()),
            stated: Judgment::Achieved,
            remedy: None,
            review: Some(MidYearReview { implementation_expected: Some(false), achievement_expected: None, remedy: None }),
            references: Vec::new(),
        };
        let e = evaluate(&node);
        for j in &e.judgment.targets {
            let _ = GradingRules::osaka().grade(j);
            let _ = GradingRules::nagoya_like().grade(j);
        }
        let _ = serde_json::to_string(&e);
    }

    #[test]
    fn non_blank_sentences_are_never_dropped(s in "[ぁ-んァ-ン一-龥0-9%、。 ]{1,60}") {
        let read = read_targets(&s, FiscalYear::new(2017).ok());
        if !s.trim().is_empty() && !s.chars().all(|c| "、。 ".contains(c)) {
            prop_assert!(!read.is_empty(), "{}", s);
        }
    }
}
