//! Hand-built records: every field, edge-case values, layout, normalisation, and what an
//! officer may change in Excel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use calamine::{Data, Reader, Xlsx};
use common::*;
use kusei_domain::calendar::Date;
use kusei_domain::content::PlanRecord;
use kusei_domain::model::{Comparator, Family, LinkKind, Phase};
use kusei_xlsx::{read_workbook, write_workbook, Problem, XlsxError, MAX_CELL_CHARS};
use std::io::Cursor;

fn round_trip(records: &[PlanRecord]) -> Vec<u8> {
    let bytes = write_workbook(records).unwrap();
    let back = read_workbook(&bytes).unwrap();
    assert_eq!(back, records);
    let again = write_workbook(&back).unwrap();
    assert!(again == bytes, "export → import → export changed the bytes");
    bytes
}

#[test]
fn rich_record_round_trips_exactly() {
    let r = rich_record();
    let bytes = round_trip(std::slice::from_ref(&r));
    // Floats come back bit for bit.
    let back = read_workbook(&bytes).unwrap();
    for (a, b) in back[0].content.nodes[1]
        .targets
        .iter()
        .zip(&r.content.nodes[1].targets)
    {
        assert_eq!(a.value.map(f64::to_bits), b.value.map(f64::to_bits));
    }
}

#[test]
fn several_plans_of_different_units_and_families_round_trip() {
    let mut two = rich_record();
    two.unit = "大正区".into();
    two.content.family = Family::ReformItems;
    let records = vec![
        rich_record(),
        small_record("城東区", Family::ReformItems),
        small_record("北区", Family::PlanTree),
        small_record("北区", Family::PlanTree),
        small_record("中央区", Family::ResultsTable),
        two,
    ];
    round_trip(&records);
    let names = Xlsx::new(Cursor::new(write_workbook(&records).unwrap()))
        .map(|wb: Xlsx<_>| wb.sheet_names())
        .unwrap();
    assert_eq!(
        names,
        [
            "城東区 運営方針 R7",
            "城東区 改革取組 H29-R1",
            "北区 計画体系 H29-R1",
            "北区 計画体系 H29-R1(2)",
            "中央区 取組成果 H29-R1",
            "大正区 改革取組 R7",
            "目標と実績",
            "業務一覧",
            "指標",
        ]
    );
}

#[test]
fn empty_workbook_and_plan_without_nodes_round_trip() {
    round_trip(&[]);
    let mut r = small_record("港区", Family::PlanTree);
    r.content.nodes.clear();
    r.content.links.clear();
    r.content.level_names.clear();
    r.municipality = String::new();
    r.content.title = String::new();
    round_trip(&[r]);
}

#[test]
fn extreme_integers_round_trip() {
    let mut r = small_record("港区", Family::PlanTree);
    r.version = i64::MAX;
    r.content.nodes[0].targets[0].indicator_id = Some(kusei_domain::model::IndicatorId(i64::MIN));
    r.content.nodes[1].source_line = Some(0);
    let mut s = r.clone();
    s.version = -(1 << 53);
    round_trip(&[r, s]);
}

#[test]
fn empty_optional_text_is_normalised_to_none() {
    let mut r = rich_record();
    r.content.nodes[2].subtitle = Some(String::new());
    r.content.nodes[2].owner = Some(String::new());
    r.content.nodes[1].targets[0].measure_unit = Some(String::new());
    r.content.nodes[1].reviews[0].remedy = Some(String::new());
    r.directory[0].fax = Some(String::new());
    let bytes = write_workbook(std::slice::from_ref(&r)).unwrap();
    let back = read_workbook(&bytes).unwrap();
    let mut expected = r.clone();
    expected.content.nodes[2].subtitle = None;
    expected.content.nodes[2].owner = None;
    expected.content.nodes[1].targets[0].measure_unit = None;
    expected.content.nodes[1].reviews[0].remedy = None;
    expected.directory[0].fax = None;
    assert_eq!(back, vec![expected.clone()]);
    // The normalised record writes the same workbook.
    assert!(write_workbook(&[expected]).unwrap() == bytes);
}

#[test]
fn longest_cell_round_trips_and_one_more_character_is_an_error() {
    let mut r = rich_record();
    let long: String = "区".repeat(MAX_CELL_CHARS);
    r.content.nodes[2].sections = vec![section(Phase::Plan, "長文", &long)];
    round_trip(std::slice::from_ref(&r));

    r.content.nodes[2].sections[0].body.push('。');
    let e = write_workbook(std::slice::from_ref(&r)).unwrap_err();
    assert_eq!(e.sheet(), Some("城東区 運営方針 R7"));
    assert!(e.cell().unwrap().starts_with('K'), "{e}"); // 内容
    assert!(matches!(e.problem(), Some(Problem::TooLong { len: 32768 })));
    assert!(e.to_string().contains("32767"), "{e}");

    // Characters outside the BMP count twice, as in Excel.
    let mut r = small_record("港区", Family::PlanTree);
    r.content.nodes[0].targets[0].text = "😀".repeat(MAX_CELL_CHARS / 2 + 1);
    let e = write_workbook(&[r]).unwrap_err();
    assert_eq!(e.sheet(), Some("目標と実績"));
    assert_eq!(e.cell(), Some("L2"), "{e}"); // 記載
}

#[test]
fn unwritable_records_are_refused_naming_the_cell() {
    let mut r = small_record("港区", Family::PlanTree);
    r.content.nodes[0].targets[0].value = Some(f64::NAN);
    let e = write_workbook(&[r]).unwrap_err();
    assert_eq!((e.sheet(), e.cell()), (Some("目標と実績"), Some("F2")));
    assert_eq!(e.problem(), Some(&Problem::NotFinite));

    let mut r = small_record("港区", Family::PlanTree);
    r.content.nodes[2].marks = vec!["☆\n☆".into()];
    let e = write_workbook(&[r]).unwrap_err();
    assert_eq!(e.cell(), Some("G15"), "{e}");

    let mut r = small_record("港区", Family::PlanTree);
    r.content.level_names = vec![String::new()];
    let e = write_workbook(&[r]).unwrap_err();
    assert_eq!(e.cell(), Some("B8"), "{e}");

    let mut r = small_record("港区", Family::PlanTree);
    r.content.links.push(link(0, 9, LinkKind::Primary));
    let e = write_workbook(&[r]).unwrap_err();
    assert!(matches!(e, XlsxError::InvalidRecord { .. }), "{e}");

    let mut r = small_record("港区", Family::PlanTree);
    r.content.links.push(link(2, 1, LinkKind::Primary));
    let e = write_workbook(&[r]).unwrap_err();
    assert_eq!(e.problem(), Some(&Problem::Cycle), "{e}");

    let mut r = small_record("港区", Family::PlanTree);
    r.content.nodes[1].title = "  ".into();
    let e = write_workbook(&[r]).unwrap_err();
    assert_eq!(e.cell(), Some("E14"), "{e}");
    assert_eq!(e.problem(), Some(&Problem::EmptyTitle));
}

#[test]
fn nothing_is_written_as_a_formula() {
    let bytes = write_workbook(&[rich_record()]).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    for name in wb.sheet_names() {
        let formulas = wb.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name}"
        );
    }
}

#[test]
fn the_sheets_read_like_the_form() {
    let mut grid = to_grid(&write_workbook(&[rich_record()]).unwrap());
    let plan = sheet(&mut grid, "城東区 運営方針 R7").clone();
    let labels: Vec<&Data> = plan.iter().take(10).map(|r| &r[0]).collect();
    assert_eq!(
        labels,
        [
            "自治体",
            "組織",
            "計画名",
            "様式",
            "期間",
            "状態",
            "版",
            "階層名",
            "見本",
            "計画キー"
        ]
        .map(s)
        .iter()
        .collect::<Vec<_>>()
    );
    assert_eq!(plan[3][1], s("区運営方針"));
    assert_eq!(plan[4][1], s("令和7年度"));
    assert_eq!(plan[5][1], s("公表済み"));
    assert_eq!(plan[6][1], Data::Float(3.0));
    assert_eq!(plan[7][1], s("経営課題\n戦略\n具体的取組"));
    assert_eq!(plan[9][1], s("城東区 運営方針 R7"));
    let headers: Vec<String> = plan[PLAN_HEADER].iter().map(|d| d.to_string()).collect();
    for h in [
        "要素キー",
        "区分",
        "階層",
        "番号",
        "名称",
        "副題",
        "印",
        "担当",
        "親（再掲を含む）",
        "見出し",
        "内容",
        "年度",
        "取組内容の実施見込み",
        "目標の達成見込み",
        "判定",
        "課題と改善策",
        "判定の理由",
        "開始",
        "終了",
    ] {
        assert!(headers.iter().any(|x| x == h), "missing header {h}");
    }
    // The first node row, then its sections in order.
    let kind = col(&plan, PLAN_HEADER, "区分");
    let kinds: Vec<String> = plan[PLAN_HEADER + 1..]
        .iter()
        .map(|r| r[kind].to_string())
        .collect();
    assert_eq!(&kinds[..4], ["要素", "計画", "計画", "要素"]);
    assert!(kinds.contains(&"中間振り返り（見込み）".to_string()));
    assert!(kinds.contains(&"自己評価（判定）".to_string()));
    assert!(kinds.contains(&"主な実績".to_string()));
    // Reviews come after the 中間振り返り section and before the first 自己評価 section.
    let review_at = kinds
        .iter()
        .position(|k| k == "中間振り返り（見込み）")
        .unwrap();
    let first_eval_section = kinds.iter().position(|k| k == "自己評価").unwrap();
    let review_section = kinds.iter().position(|k| k == "中間振り返り").unwrap();
    assert!(review_section < review_at && review_at < first_eval_section);
    // 再掲 and link order.
    let parents = col(&plan, PLAN_HEADER, "親（再掲を含む）");
    let order = col(&plan, PLAN_HEADER, "リンク順");
    let title = col(&plan, PLAN_HEADER, "名称");
    let r = row_where(&plan, PLAN_HEADER, title, |d| d == &s("窓口の待ち時間短縮"));
    assert_eq!(plan[r][parents], s("2\n5（再掲）"));
    assert_eq!(plan[r][order], s("3\n5"));
    let judgment = col(&plan, PLAN_HEADER, "判定");
    assert!(plan
        .iter()
        .any(|r| r.get(judgment) == Some(&s("目標未達成"))));

    let targets = sheet(&mut grid, "目標と実績").clone();
    assert_eq!(targets[0][5], s("値"));
    assert_eq!(targets[1][0], s("城東区 運営方針 R7"));
    assert_eq!(targets[1][1], Data::Float(2.0));
    assert_eq!(targets[1][4], s("目標"));
    assert_eq!(targets[1][5], Data::Float(85.8));
    assert_eq!(targets[1][7], s("at_least"));
    assert_eq!(targets[1][8], s("以上"));
    assert_eq!(targets[1][9], s("令和7年度～令和9年度"));
    let as_of = col(&targets, 0, "時点");
    assert!(
        matches!(targets[9][as_of], Data::DateTime(_)),
        "{:?}",
        targets[9]
    );
    let dir = sheet(&mut grid, "業務一覧").clone();
    assert_eq!(dir[1][3], s("06-6930-9625"));
}

#[test]
fn links_in_sheet_order_need_no_link_numbers() {
    let mut r = rich_record();
    r.content.links.sort_by_key(|l| l.child);
    let bytes = round_trip(std::slice::from_ref(&r));
    let mut grid = to_grid(&bytes);
    let plan = sheet(&mut grid, "城東区 運営方針 R7");
    let order = col(plan, PLAN_HEADER, "リンク順");
    assert!(plan
        .iter()
        .skip(PLAN_HEADER + 1)
        .all(|r| r.get(order).is_none_or(|d| d == &Data::Empty)));
}

#[test]
fn a_workbook_saved_by_another_program_reads_the_same() {
    let records = vec![rich_record(), small_record("北区", Family::PlanTree)];
    let grid = to_grid(&write_workbook(&records).unwrap());
    assert_eq!(read_workbook(&from_grid(&grid)).unwrap(), records);
}

#[test]
fn edits_an_officer_makes_are_read() {
    let records = vec![rich_record()];
    let mut grid = to_grid(&write_workbook(&records).unwrap());
    let plan_name = "城東区 運営方針 R7";
    {
        // 目標と実績 is authoritative: a new value, a comparator by label, a date typed as text.
        let t = sheet(&mut grid, "目標と実績");
        set(t, 1, 5, Data::Float(90.5));
        set(t, 2, 7, s("以上"));
        let as_of = col(t, 0, "時点");
        set(t, 9, as_of, s("平成30年2月末"));
        // A row added by hand, at the end, with the node key typed as text.
        let mut row = vec![Data::Empty; 13];
        row[0] = s(plan_name);
        row[1] = s("3");
        row[4] = s("実績");
        row[5] = Data::Float(-1.0);
        row[9] = Data::Float(2025.0);
        row[11] = s("手入力");
        t.push(row);
    }
    {
        let p = sheet(&mut grid, plan_name);
        // Codes instead of labels, a number typed in 番号, parents separated by 、.
        set(p, 3, 1, s("plan_tree"));
        set(p, 5, 1, s("draft"));
        let title = col(p, PLAN_HEADER, "名称");
        let number = col(p, PLAN_HEADER, "番号");
        let parents = col(p, PLAN_HEADER, "親（再掲を含む）");
        let order = col(p, PLAN_HEADER, "リンク順");
        let r = row_where(p, PLAN_HEADER, title, |d| d == &s("窓口の待ち時間短縮"));
        set(p, r, number, Data::Float(7.0));
        set(p, r, parents, s("2、5（再掲）"));
        set(p, r, order, s("3,5"));
        // A section row moved to the bottom still belongs to its node; a user's column
        // is ignored.
        let moved = p.remove(PLAN_HEADER + 2);
        p.push(moved);
        let extra = p[PLAN_HEADER].len();
        set(p, PLAN_HEADER, extra, s("メモ"));
        set(p, PLAN_HEADER + 1, extra, s("自由記入"));
    }
    // A sheet of notes is ignored.
    grid.insert(0, ("メモ".into(), vec![vec![s("自由に書けます")]]));
    let back = read_workbook(&from_grid(&grid)).unwrap();

    let mut expected = records[0].clone();
    expected.content.family = Family::PlanTree;
    expected.status = kusei_domain::model::PlanStatus::Draft;
    let strategy = &mut expected.content.nodes[1];
    strategy.targets[0].value = Some(90.5);
    strategy.targets[1].comparator = Some(Comparator::AtLeast);
    strategy.actuals[0].as_of = Some(Date::new(2018, 2, 28).unwrap());
    expected.content.nodes[2].number = Some("7".into());
    expected.content.nodes[2]
        .actuals
        .push(kusei_domain::model::Actual {
            indicator_id: None,
            fiscal_year: Some(fy(2025)),
            value: Some(-1.0),
            measure_unit: None,
            as_of: None,
            text: "手入力".into(),
        });
    let moved = expected.content.nodes[0].sections.remove(0);
    expected.content.nodes[0].sections.push(moved);
    assert_eq!(back, vec![expected]);
}

#[test]
fn the_indicator_sheet_says_what_each_id_is_and_shows_the_series_as_written() {
    use kusei_domain::content::SeriesRecord;
    let mut r = rich_record();
    r.indicators[0].unit = "千円".into();
    r.indicators[0].series = vec![
        SeriesRecord {
            fiscal_year: fy(2024),
            target: Some(15_500_000.0),
            actual: Some(15_914_000.0),
        },
        SeriesRecord {
            fiscal_year: fy(2025),
            target: Some(16_000_000.0),
            actual: None,
        },
    ];
    let bytes = write_workbook(std::slice::from_ref(&r)).unwrap();
    let mut grid = to_grid(&bytes);
    let rows = sheet(&mut grid, "指標").clone();
    let c = |h: &str| col(&rows, 0, h);
    assert_eq!(rows[1][c("指標ID")], Data::Float(7.0));
    assert_eq!(rows[1][c("指標名")], s("区政会議の委員の割合"));
    assert_eq!(rows[1][c("方向")], s("高いほどよい"));
    assert_eq!(rows[1][c("共通指標")], s("はい"));
    assert_eq!(
        rows[1][c("推移（参考）")],
        s("令和6年度 目標 15500千円 実績 15914千円、令和7年度 目標 16000千円")
    );
    // Read back: what the indicator is; the series is for reading only.
    let back = read_workbook(&bytes).unwrap();
    let mut expected = r.indicators.clone();
    expected[0].series.clear();
    assert_eq!(back[0].indicators, expected);
    // An older workbook without the sheet still reads (no indicators).
    let mut grid = to_grid(&bytes);
    grid.retain(|(name, _)| name != "指標");
    let old = read_workbook(&from_grid(&grid)).unwrap();
    assert!(old[0].indicators.is_empty());
    assert_eq!(old[0].content, r.content);
    // A direction that is not one of the choices names its cell.
    let mut grid = to_grid(&bytes);
    let rows = sheet(&mut grid, "指標");
    let d = col(rows, 0, "方向");
    set(rows, 1, d, s("多いほど"));
    let e = read_workbook(&from_grid(&grid)).unwrap_err().to_string();
    assert!(e.contains("指標") && e.contains("E2"), "{e}");
}
