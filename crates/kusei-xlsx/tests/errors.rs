//! Bad workbooks: one cell changed in a written workbook; the error names the sheet, the
//! cell and the reason in Japanese and English, and no record is returned.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use calamine::Data;
use common::*;
use kusei_domain::model::Family;
use kusei_xlsx::{a1, read_workbook, write_workbook, Problem, XlsxError};

const PLAN: &str = "城東区 運営方針 R7";
const TARGETS: &str = "目標と実績";

fn grid() -> Grid {
    to_grid(&write_workbook(&[rich_record(), small_record("北区", Family::PlanTree)]).unwrap())
}

fn read_err(grid: &Grid) -> XlsxError {
    read_workbook(&from_grid(grid)).unwrap_err()
}

/// Sets one cell, reads, and checks that the error names that sheet and cell.
fn edit(sheet_name: &str, row: usize, col: usize, value: Data) -> XlsxError {
    let mut g = grid();
    set(sheet(&mut g, sheet_name), row, col, value);
    let e = read_err(&g);
    let cell = a1(u32::try_from(row).unwrap(), u16::try_from(col).unwrap());
    assert_eq!(e.sheet(), Some(sheet_name), "{e}");
    assert_eq!(e.cell(), Some(cell.as_str()), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(&format!("シート「{sheet_name}」セル {cell}: ")),
        "{text}"
    );
    assert!(
        text.contains(&format!(" / sheet {sheet_name} cell {cell}: ")),
        "{text}"
    );
    e
}

fn plan_col(header: &str) -> usize {
    let mut g = grid();
    col(sheet(&mut g, PLAN), PLAN_HEADER, header)
}

/// First data row of the plan sheet whose 区分 is `kind`.
fn plan_row(kind: &str) -> usize {
    let mut g = grid();
    let p = sheet(&mut g, PLAN);
    let k = col(p, PLAN_HEADER, "区分");
    row_where(p, PLAN_HEADER + 1, k, |d| d == &s(kind))
}

#[test]
fn a_value_that_is_not_a_number() {
    let e = edit(TARGETS, 11, 5, s("abc"));
    assert_eq!(
        e.to_string(),
        "シート「目標と実績」セル F12: 値「abc」は数値ではありません / sheet 目標と実績 cell F12: \"abc\" is not a number"
    );
}

#[test]
fn unknown_comparator_code() {
    let e = edit(TARGETS, 1, 7, s("greater"));
    assert!(
        matches!(
            e.problem(),
            Some(Problem::UnknownCode {
                what_en: "comparator code",
                ..
            })
        ),
        "{e}"
    );
    assert!(
        e.to_string().contains("at_least"),
        "lists the allowed codes: {e}"
    );
}

#[test]
fn comparator_on_an_actual_and_as_of_on_a_target() {
    let e = edit(TARGETS, 9, 7, s("at_least"));
    assert!(
        matches!(e.problem(), Some(Problem::NotAllowed { .. })),
        "{e}"
    );
    let e = edit(TARGETS, 1, 10, s("2025-04-01"));
    assert!(
        matches!(e.problem(), Some(Problem::NotAllowed { .. })),
        "{e}"
    );
}

#[test]
fn unknown_kind_of_target_row() {
    let e = edit(TARGETS, 1, 4, s("予定"));
    assert!(
        matches!(
            e.problem(),
            Some(Problem::UnknownCode {
                what_ja: "種別",
                ..
            })
        ),
        "{e}"
    );
}

#[test]
fn bad_fiscal_years() {
    let e = edit(TARGETS, 1, 9, s("令和0年度"));
    assert!(
        matches!(e.problem(), Some(Problem::BadFiscalYear { .. })),
        "{e}"
    );
    let e = edit(TARGETS, 1, 9, Data::Float(2200.0));
    assert!(
        matches!(e.problem(), Some(Problem::BadFiscalYear { .. })),
        "{e}"
    );
    // An actual has one fiscal year, not a span.
    let e = edit(TARGETS, 9, 9, s("令和7年度～令和9年度"));
    assert!(
        matches!(e.problem(), Some(Problem::BadFiscalYear { .. })),
        "{e}"
    );
    let e = edit(
        PLAN,
        plan_row("中間振り返り（見込み）"),
        plan_col("年度"),
        s("来年度"),
    );
    assert!(
        matches!(e.problem(), Some(Problem::BadFiscalYear { .. })),
        "{e}"
    );
    let e = edit(PLAN, 4, 1, s("令和7年度～"));
    assert!(
        matches!(e.problem(), Some(Problem::BadFiscalYear { .. })),
        "{e}"
    );
}

#[test]
fn a_review_or_evaluation_needs_its_year_and_judgment() {
    let e = edit(
        PLAN,
        plan_row("自己評価（判定）"),
        plan_col("年度"),
        Data::Empty,
    );
    assert!(matches!(e.problem(), Some(Problem::Required { .. })), "{e}");
    let e = edit(
        PLAN,
        plan_row("自己評価（判定）"),
        plan_col("判定"),
        Data::Empty,
    );
    assert!(matches!(e.problem(), Some(Problem::Required { .. })), "{e}");
}

#[test]
fn bad_dates_and_months() {
    let e = edit(TARGETS, 9, 10, s("2月30日"));
    assert!(matches!(e.problem(), Some(Problem::BadDate { .. })), "{e}");
    let e = edit(
        PLAN,
        plan_row("主な実績"),
        plan_col("開始"),
        s("平成31年5月"),
    );
    assert!(matches!(e.problem(), Some(Problem::BadWhen { .. })), "{e}");
}

#[test]
fn unknown_judgment_prospect_phase_family_and_status() {
    let e = edit(
        PLAN,
        plan_row("自己評価（判定）"),
        plan_col("判定"),
        s("ほぼ達成"),
    );
    assert!(
        matches!(
            e.problem(),
            Some(Problem::UnknownCode {
                what_en: "judgment",
                ..
            })
        ),
        "{e}"
    );
    assert!(e.to_string().contains("目標未達成"), "{e}");
    let e = edit(
        PLAN,
        plan_row("中間振り返り（見込み）"),
        plan_col("目標の達成見込み"),
        s("③"),
    );
    assert!(
        matches!(e.problem(), Some(Problem::UnknownCode { .. })),
        "{e}"
    );
    let e = edit(
        PLAN,
        plan_row("中間振り返り（見込み）"),
        plan_col("取組内容の実施見込み"),
        s("(iii)"),
    );
    assert!(
        matches!(e.problem(), Some(Problem::UnknownCode { .. })),
        "{e}"
    );
    let e = edit(PLAN, plan_row("計画"), plan_col("区分"), s("実行"));
    assert!(
        matches!(
            e.problem(),
            Some(Problem::UnknownCode {
                what_ja: "区分",
                ..
            })
        ),
        "{e}"
    );
    let e = edit(PLAN, 3, 1, s("区政方針"));
    assert!(
        matches!(
            e.problem(),
            Some(Problem::UnknownCode {
                what_ja: "様式",
                ..
            })
        ),
        "{e}"
    );
    assert_eq!(e.cell(), Some("B4"));
    let e = edit(PLAN, 5, 1, s("done"));
    assert!(
        matches!(
            e.problem(),
            Some(Problem::UnknownCode {
                what_ja: "状態",
                ..
            })
        ),
        "{e}"
    );
    let e = edit(PLAN, 6, 1, s("第3版"));
    assert!(
        matches!(e.problem(), Some(Problem::NotAnInteger { .. })),
        "{e}"
    );
    let e = edit(PLAN, 8, 1, s("たぶん"));
    assert!(
        matches!(e.problem(), Some(Problem::UnknownCode { .. })),
        "{e}"
    );
}

#[test]
fn references_to_nodes_and_plans_that_do_not_exist() {
    let e = edit(TARGETS, 1, 1, Data::Float(99.0));
    assert!(
        matches!(e.problem(), Some(Problem::UnknownNode { key, .. }) if key == "99"),
        "{e}"
    );
    let e = edit(TARGETS, 1, 0, s("城東区 運営方針 R8"));
    assert!(
        matches!(e.problem(), Some(Problem::UnknownPlan { .. })),
        "{e}"
    );
    let e = edit("業務一覧", 1, 0, s("どこか"));
    assert!(
        matches!(e.problem(), Some(Problem::UnknownPlan { .. })),
        "{e}"
    );
    let e = edit(
        PLAN,
        plan_row("主な実績"),
        plan_col("要素キー"),
        Data::Float(42.0),
    );
    assert!(
        matches!(e.problem(), Some(Problem::UnknownNode { .. })),
        "{e}"
    );
    let row = plan_row("要素") + 3; // the second node's row is below its sections
    let mut g = grid();
    let p = sheet(&mut g, PLAN);
    let parents = col(p, PLAN_HEADER, "親（再掲を含む）");
    let kind = col(p, PLAN_HEADER, "区分");
    let node2 = row_where(p, row, kind, |d| d == &s("要素"));
    let e = edit(PLAN, node2, parents, s("1\n8（再掲）"));
    assert!(
        matches!(e.problem(), Some(Problem::UnknownNode { key, .. }) if key == "8"),
        "{e}"
    );
}

#[test]
fn duplicate_keys_cycles_and_unused_columns() {
    let mut g = grid();
    let p = sheet(&mut g, PLAN);
    let kind = col(p, PLAN_HEADER, "区分");
    let key = col(p, PLAN_HEADER, "要素キー");
    let parents = col(p, PLAN_HEADER, "親（再掲を含む）");
    let first = row_where(p, PLAN_HEADER + 1, kind, |d| d == &s("要素"));
    let second = row_where(p, first + 1, kind, |d| d == &s("要素"));

    let e = edit(PLAN, second, key, Data::Float(1.0));
    assert!(
        matches!(e.problem(), Some(Problem::DuplicateKey { .. })),
        "{e}"
    );
    // Node 1 under node 2, which is under node 1.
    let e = edit(PLAN, first, parents, Data::Float(2.0));
    assert_eq!(e.problem(), Some(&Problem::Cycle), "{e}");
    let e = edit(PLAN, first, parents, Data::Float(1.0));
    assert_eq!(e.problem(), Some(&Problem::SelfLink), "{e}");
    // A section body typed on the node row.
    let e = edit(PLAN, first, plan_col("内容"), s("ここに書いた"));
    assert!(matches!(e.problem(), Some(Problem::NotUsed { .. })), "{e}");
    let e = edit(PLAN, first, plan_col("名称"), Data::Empty);
    assert_eq!(e.problem(), Some(&Problem::EmptyTitle), "{e}");
    let e = edit(PLAN, first, key, s("1、2"));
    assert!(matches!(e.problem(), Some(Problem::BadKey { .. })), "{e}");
}

#[test]
fn link_order_that_does_not_match_the_parents() {
    let mut g = grid();
    let p = sheet(&mut g, PLAN);
    let title = col(p, PLAN_HEADER, "名称");
    let order = col(p, PLAN_HEADER, "リンク順");
    let r = row_where(p, PLAN_HEADER, title, |d| d == &s("窓口の待ち時間短縮"));
    let e = edit(PLAN, r, order, s("3"));
    assert!(
        matches!(e.problem(), Some(Problem::LinkOrder { .. })),
        "{e}"
    );
    let e = edit(PLAN, r, order, s("1\n5"));
    assert!(
        matches!(e.problem(), Some(Problem::LinkOrder { .. })),
        "{e}"
    );
    let e = edit(PLAN, r, order, s("x\n5"));
    assert!(
        matches!(e.problem(), Some(Problem::LinkOrder { .. })),
        "{e}"
    );
}

#[test]
fn a_date_where_text_belongs() {
    let mut g = grid();
    let p = sheet(&mut g, PLAN);
    let number = col(p, PLAN_HEADER, "番号");
    // Excel turns "4-1" into a date when the cell is not formatted as text.
    let date = calamine::ExcelDateTime::new(45383.0, calamine::ExcelDateTimeType::DateTime, false);
    let e = edit(PLAN, PLAN_HEADER + 1, number, Data::DateTime(date));
    assert!(matches!(e.problem(), Some(Problem::NotText { .. })), "{e}");
}

#[test]
fn missing_sheets_columns_and_title_items() {
    for name in ["目標と実績", "業務一覧"] {
        let mut g = grid();
        g.retain(|(n, _)| n != name);
        let e = read_err(&g);
        assert_eq!(e, XlsxError::MissingSheet { sheet: name.into() });
        assert_eq!(
            e.to_string(),
            format!("シート「{name}」がありません / sheet {name} is missing")
        );
    }
    let mut g = grid();
    set(sheet(&mut g, TARGETS), 0, 5, s("数値"));
    let e = read_err(&g);
    assert!(
        matches!(&e, XlsxError::MissingColumn { sheet, column, row: 1 } if sheet == TARGETS && column == "値"),
        "{e}"
    );
    // A reference column may be deleted.
    let mut g = grid();
    set(sheet(&mut g, TARGETS), 0, 3, s("メモ"));
    assert!(read_workbook(&from_grid(&g)).is_ok());

    let mut g = grid();
    let judgment = col(sheet(&mut g, PLAN), PLAN_HEADER, "判定");
    set(sheet(&mut g, PLAN), PLAN_HEADER, judgment, s("評価"));
    let e = read_err(&g);
    assert!(
        matches!(&e, XlsxError::MissingColumn { column, row: 12, .. } if column == "判定"),
        "{e}"
    );

    let mut g = grid();
    set(sheet(&mut g, PLAN), 6, 0, s("バージョン"));
    let e = read_err(&g);
    assert!(
        matches!(&e, XlsxError::MissingItem { sheet, item } if sheet == PLAN && item == "版"),
        "{e}"
    );

    let mut g = grid();
    set(sheet(&mut g, TARGETS), 0, 12, s("値"));
    let e = read_err(&g);
    assert!(
        matches!(e.problem(), Some(Problem::DuplicateColumn { .. })),
        "{e}"
    );
    assert_eq!(e.cell(), Some("M1"));
}

#[test]
fn two_sheets_with_the_same_plan_key() {
    let mut g = grid();
    set(sheet(&mut g, "北区 計画体系 H29-R1"), 9, 1, s(PLAN));
    let e = read_err(&g);
    assert!(
        matches!(e.problem(), Some(Problem::DuplicateKey { .. })),
        "{e}"
    );
    assert_eq!(
        (e.sheet(), e.cell()),
        (Some("北区 計画体系 H29-R1"), Some("B10"))
    );
}

#[test]
fn not_an_xlsx_at_all() {
    for bytes in [
        &b""[..],
        b"hello",
        b"PK\x03\x04 truncated zip",
        "区政運営方針".as_bytes(),
    ] {
        let e = read_workbook(bytes).unwrap_err();
        assert!(matches!(e, XlsxError::NotXlsx { .. }), "{e}");
        assert!(e.to_string().contains("not an Excel workbook"), "{e}");
        assert!(
            e.to_string()
                .starts_with("Excelブック（xlsx）として読めません"),
            "{e}"
        );
    }
    // A zip that is not a workbook.
    let bytes = write_workbook(&[rich_record()]).unwrap();
    let e = read_workbook(&bytes[..bytes.len() / 2]).unwrap_err();
    assert!(matches!(e, XlsxError::NotXlsx { .. }), "{e}");
}

/// A legal but far cell (the last one Excel has) is refused at that cell, before the
/// sheet's area is allocated (it would be 17 billion cells), and nothing is read.
#[test]
fn a_value_at_the_last_cell_excel_has_is_refused_at_its_cell() {
    let g = grid();
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in &g {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
                match v {
                    Data::String(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    Data::Float(f) => {
                        ws.write_number(r, c, *f).unwrap();
                    }
                    _ => {}
                }
            }
        }
        if name == TARGETS {
            ws.write_string(1_048_575, 16_383, "迷子").unwrap();
        }
    }
    let e = read_workbook(&wb.save_to_buffer().unwrap()).unwrap_err();
    assert_eq!(e.sheet(), Some(TARGETS), "{e}");
    assert_eq!(e.cell(), Some("XFD1048576"), "{e}");
    let text = e.to_string();
    assert!(text.contains("読み込める範囲"), "{text}");
    assert!(text.contains("outside the area Kusei reads"), "{text}");
}
