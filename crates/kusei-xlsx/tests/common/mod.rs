//! Shared test helpers: a hand-built record with every kind of field, and a way to edit
//! a written workbook cell by cell (read it into grids, change cells, write the grids).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use calamine::{Data, Reader, Xlsx};
use kusei_domain::calendar::{Date, FiscalYear, YearMonth};
use kusei_domain::content::{
    DirectoryEntry, IndicatorRecord, LinkContent, NodeContent, PlanContent, PlanRecord,
};
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_domain::model::{
    Actual, Comparator, Direction, Evaluation, Family, IndicatorId, LinkKind, Milestone, Period,
    Phase, PlanStatus, Review, Section, Target, When,
};
use std::io::Cursor;

pub fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

pub fn ym(y: i32, m: u8) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

pub fn section(phase: Phase, heading: &str, body: &str) -> Section {
    Section {
        phase,
        heading: heading.into(),
        body: body.into(),
    }
}

pub fn node(level: &str, number: &str, title: &str) -> NodeContent {
    NodeContent {
        level: level.into(),
        number: Some(number.into()),
        title: title.into(),
        ..NodeContent::default()
    }
}

pub fn target(text: &str, value: Option<f64>, c: Option<Comparator>) -> Target {
    Target {
        indicator_id: None,
        period: Some(Period::year(fy(2025))),
        value,
        measure_unit: Some("%".into()),
        comparator: c,
        text: text.into(),
        indicator_name: None,
        this_year: false,
    }
}

pub fn link(parent: usize, child: usize, kind: LinkKind) -> LinkContent {
    LinkContent {
        parent,
        child,
        kind,
    }
}

/// A 区運営方針 with every field filled somewhere, tricky texts and numbers, and links
/// that are not in sheet order (so リンク順 is written).
pub fn rich_record() -> PlanRecord {
    let mut issue = node("経営課題", "4", "区民の皆さんに信頼される区役所づくり");
    issue.sections = vec![
        section(
            Phase::Plan,
            "めざすべき将来像",
            "- 区民が利用しやすい便利で親切的な区役所\n- 区民がそれを実感している状態",
        ),
        section(
            Phase::Plan,
            "現状・データ",
            "区民の割合 26.4%\n（平成27年度格付けアンケート）",
        ),
    ];
    issue.source_line = Some(3);

    let mut strategy = node("戦略", "4-1", "  窓口サービスの向上  ");
    strategy.subtitle = Some("副題\n二行目 ".into());
    strategy.marks = vec!["☆".into(), "☆☆".into(), " 注2 ".into()];
    strategy.owner = Some("窓口サービス課（住民情報）".into());
    strategy.sections = vec![
        section(Phase::Plan, "(趣旨・目的)", "=SUM(A1:A3)"),
        section(Phase::Plan, "(目標)", "+81 6 1234 5678"),
        section(Phase::Review, "中間振り返り", "-3件\r\n（CRLF）"),
        section(
            Phase::Evaluation,
            "自己評価",
            "全角ＡＢＣ１２３　全角スペース\t",
        ),
        section(Phase::Plan, "", ""),
        section(Phase::Evaluation, "@見出し", "_x0041_ はエスケープではない"),
    ];
    strategy.targets = vec![
        Target {
            indicator_id: Some(IndicatorId(7)),
            period: Some(Period::span(fy(2025), fy(2027))),
            value: Some(85.8),
            measure_unit: Some("%".into()),
            comparator: Some(Comparator::AtLeast),
            text: "平成30年度収納率(現年度賦課分)85.80% 参考: 28年度実績85.54%".into(),
            indicator_name: None,
            this_year: false,
        },
        target(
            "28年度件数(6件)から10%減(5件)",
            Some(0.0),
            Some(Comparator::AtMost),
        ),
        target("-2.5ポイント", Some(-2.5), Some(Comparator::Equal)),
        Target {
            indicator_id: None,
            period: None,
            value: None,
            measure_unit: None,
            comparator: None,
            text: "前年度以上".into(),
            indicator_name: None,
            this_year: false,
        },
        target("0.1+0.2", Some(0.1 + 0.2), Some(Comparator::Maintain)),
        target("tiny", Some(1e-300), Some(Comparator::MoreThan)),
        target(
            "huge",
            Some(-1.797_693_134_862_315_7e308),
            Some(Comparator::LessThan),
        ),
        Target {
            // Reversed period as stored by a buggy source: kept as is.
            period: Some(Period {
                start: fy(2027),
                end: fy(2025),
            }),
            ..target("=1+1", Some(123_456_789.123_456_78), None)
        },
    ];
    strategy.actuals = vec![
        Actual {
            indicator_id: Some(IndicatorId(1 << 60)),
            fiscal_year: Some(fy(2017)),
            value: Some(97.19),
            measure_unit: Some("%".into()),
            as_of: Some(Date::new(2018, 2, 28).unwrap()),
            text: "平成30年2月末現在の収納率 97.19%".into(),
        },
        Actual {
            indicator_id: Some(IndicatorId(-5)),
            fiscal_year: None,
            value: None,
            measure_unit: None,
            as_of: None,
            text: "未確定".into(),
        },
        Actual {
            indicator_id: None,
            fiscal_year: Some(fy(2019)),
            value: Some(15_914.0),
            measure_unit: Some("千円".into()),
            as_of: Some(Date::new(2019, 5, 1).unwrap()),
            text: "15,914千円".into(),
        },
    ];
    strategy.reviews = vec![
        Review {
            fiscal_year: fy(2025),
            implementation: Some(ImplementationProspect::Expected),
            achievement: Some(AchievementProspect::OnTrack),
            remedy: None,
        },
        Review {
            fiscal_year: fy(2019),
            implementation: Some(ImplementationProspect::NotExpected),
            achievement: Some(AchievementProspect::OffTrack),
            remedy: Some("課題：待ち時間\n改善策：窓口の増設".into()),
        },
        Review {
            fiscal_year: fy(1989),
            implementation: None,
            achievement: None,
            remedy: None,
        },
    ];
    strategy.evaluations = vec![
        Evaluation {
            fiscal_year: fy(2025),
            results: "マッチング件数 15件（目標 35件）\n".into(),
            stated: Judgment::NotAchieved,
            remedy: Some("周知方法を見直す".into()),
            explanation: Some("数値は目標に届かなかった".into()),
        },
        Evaluation {
            fiscal_year: fy(2024),
            results: String::new(),
            stated: Judgment::Achieved,
            remedy: None,
            explanation: None,
        },
        Evaluation {
            fiscal_year: fy(2023),
            results: "収納率は5月に確定".into(),
            stated: Judgment::Undetermined,
            remedy: None,
            explanation: Some("  ".into()),
        },
        Evaluation {
            fiscal_year: fy(2017),
            results: ":目標達成 目標未達成".into(),
            stated: Judgment::Unknown,
            remedy: None,
            explanation: None,
        },
    ];
    strategy.milestones = vec![
        Milestone {
            from: Some(When::Month(ym(2006, 4))),
            to: None,
            open_ended: true,
            text: "区長の庁内公募を実施".into(),
        },
        Milestone {
            from: Some(When::FiscalYear(fy(2009))),
            to: Some(When::FiscalYear(fy(2010))),
            open_ended: false,
            text: "(21年度～22年度)".into(),
        },
        Milestone {
            from: None,
            to: Some(When::Month(ym(2019, 5))),
            open_ended: false,
            text: "令和元年5月まで".into(),
        },
        Milestone {
            from: Some(When::Month(ym(2019, 4))),
            to: Some(When::Month(ym(1989, 1))),
            open_ended: true,
            text: String::new(),
        },
    ];
    strategy.source_line = Some(u32::MAX);

    let mut first = node("具体的取組", "4-1-1", "窓口の待ち時間短縮");
    first.owner = Some("保険年金".into());
    first.source_line = Some(120);
    let second = node("具体的取組", "4-1-2", "区政会議の運営");
    let mut other = node("戦略", "4-2", "区民の意見の反映");
    other.number = None;
    other.level = String::new();

    PlanRecord {
        municipality: "大阪市".into(),
        unit: "城東区".into(),
        status: PlanStatus::Published,
        version: 3,
        content: PlanContent {
            family: Family::ManagementSheet,
            period: Period::year(fy(2025)),
            title: "令和7年度 城東区運営方針".into(),
            level_names: vec!["経営課題".into(), "戦略".into(), "具体的取組".into()],
            nodes: vec![issue, strategy, first, second, other],
            // Grouped by parent (as the store returns them), not by child.
            links: vec![
                link(0, 1, LinkKind::Primary),
                link(0, 4, LinkKind::Primary),
                link(1, 2, LinkKind::Primary),
                link(1, 3, LinkKind::Primary),
                link(4, 2, LinkKind::Repeat),
            ],
            is_sample: false,
        },
        directory: vec![
            DirectoryEntry {
                division: "総務課".into(),
                section: Some("総合企画".into()),
                phone: Some("06-6930-9625".into()),
                fax: Some("06-6932-0979".into()),
                duties: Some("区政会議\n広報".into()),
            },
            DirectoryEntry {
                division: "窓口サービス課".into(),
                section: None,
                phone: None,
                fax: None,
                duties: None,
            },
        ],
        indicators: vec![IndicatorRecord {
            id: 7,
            name: "区政会議の委員の割合".into(),
            unit: "%".into(),
            direction: Direction::HigherIsBetter,
            definition: Some(
                "区政会議の委員アンケートで「そう思う」と答えた割合\n（=SUM(A1) は式ではない）"
                    .into(),
            ),
            source: Some("区政会議委員アンケート".into()),
            is_common: true,
            // The series is written to read, not imported (see records.rs).
            series: vec![],
        }],
        item_pages: Vec::new(),
    }
}

/// A small plan of another family with links in sheet order.
pub fn small_record(unit: &str, family: Family) -> PlanRecord {
    let mut a = node("取組項目", "1", "区長マネジメントの強化");
    a.targets = vec![target(
        "70%(29年度 64%)",
        Some(70.0),
        Some(Comparator::AtLeast),
    )];
    a.actuals = vec![Actual {
        indicator_id: None,
        fiscal_year: Some(fy(2025)),
        value: Some(64.0),
        measure_unit: Some("%".into()),
        as_of: None,
        text: "64%".into(),
    }];
    let b = node("取組項目", "2", "区政会議の意見の反映");
    let mut c = node("取組項目", "2-1", "意見への回答");
    c.marks = vec!["☆".into()];
    PlanRecord {
        municipality: "大阪市".into(),
        unit: unit.into(),
        status: PlanStatus::Draft,
        version: 1,
        content: PlanContent {
            family,
            period: Period::span(fy(2017), fy(2019)),
            title: "市政改革プラン2.0に基づく取組等".into(),
            level_names: vec!["取組項目".into()],
            nodes: vec![a, b, c],
            links: vec![link(1, 2, LinkKind::Primary), link(0, 2, LinkKind::Repeat)],
            is_sample: true,
        },
        directory: vec![],
        indicators: vec![],
        item_pages: Vec::new(),
    }
}

/// A workbook as plain cell values: (sheet name, rows of cells).
pub type Grid = Vec<(String, Vec<Vec<Data>>)>;

pub fn to_grid(bytes: &[u8]) -> Grid {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let (rows, cols) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
            let grid = (0..rows)
                .map(|r| {
                    (0..cols)
                        .map(|c| range.get_value((r, c)).cloned().unwrap_or(Data::Empty))
                        .collect()
                })
                .collect();
            (name, grid)
        })
        .collect()
}

/// Writes plain values (no formatting), as another program saving the workbook would.
pub fn from_grid(grid: &Grid) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (name, rows) in grid {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            let r = u32::try_from(r).unwrap();
            for (c, v) in row.iter().enumerate() {
                let c = u16::try_from(c).unwrap();
                match v {
                    Data::Empty => {}
                    Data::String(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    Data::Float(f) => {
                        ws.write_number(r, c, *f).unwrap();
                    }
                    #[allow(clippy::cast_precision_loss)]
                    Data::Int(i) => {
                        ws.write_number(r, c, *i as f64).unwrap();
                    }
                    Data::Bool(b) => {
                        ws.write_boolean(r, c, *b).unwrap();
                    }
                    Data::DateTime(d) => {
                        ws.write_number_with_format(r, c, d.as_f64(), &date)
                            .unwrap();
                    }
                    other => panic!("cannot write {other:?}"),
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

pub fn sheet<'a>(grid: &'a mut Grid, name: &str) -> &'a mut Vec<Vec<Data>> {
    &mut grid.iter_mut().find(|(n, _)| n == name).unwrap().1
}

/// Column of `header` in row `header_row`.
pub fn col(rows: &[Vec<Data>], header_row: usize, header: &str) -> usize {
    rows[header_row]
        .iter()
        .position(|d| matches!(d, Data::String(s) if s == header))
        .unwrap_or_else(|| panic!("no column {header}"))
}

/// First row at or after `from` whose cell in `col` satisfies `pred`.
pub fn row_where(
    rows: &[Vec<Data>],
    from: usize,
    col: usize,
    pred: impl Fn(&Data) -> bool,
) -> usize {
    (from..rows.len())
        .find(|&r| rows[r].get(col).is_some_and(&pred))
        .unwrap_or_else(|| panic!("no matching row"))
}

pub fn set(rows: &mut [Vec<Data>], row: usize, col: usize, value: Data) {
    let r = &mut rows[row];
    if r.len() <= col {
        r.resize(col + 1, Data::Empty);
    }
    r[col] = value;
}

pub fn s(text: &str) -> Data {
    Data::String(text.into())
}

/// 0-based header row of plan sheets (row 12 in Excel).
pub const PLAN_HEADER: usize = 11;
