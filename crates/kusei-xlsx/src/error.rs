//! Errors of export and import, in Japanese and English, naming the sheet and the cell.

use std::fmt;

/// Why a workbook cannot be written or read. Every message is bilingual: Japanese first,
/// then ` / ` and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XlsxError {
    /// The bytes are not an xlsx workbook (not a zip, no workbook part, broken XML…).
    #[error(
        "Excelブック（xlsx）として読めません（{detail}） / not an Excel workbook (xlsx): {detail}"
    )]
    NotXlsx { detail: String },
    /// The workbook would expand beyond the limit once unpacked (a zip bomb, or not a
    /// workbook of plans): refused before anything is decompressed.
    #[error("{ja} / {en}")]
    TooBig { ja: String, en: String },
    /// A sheet the format requires is absent.
    #[error("シート「{sheet}」がありません / sheet {sheet} is missing")]
    MissingSheet { sheet: String },
    /// A column the format requires is absent from a sheet's header row.
    #[error("シート「{sheet}」: {row}行目の見出しに列「{column}」がありません / sheet {sheet}: column {column} is missing from the header row {row}")]
    MissingColumn {
        sheet: String,
        column: String,
        /// 1-based row of the header.
        row: u32,
    },
    /// An item of a plan sheet's title block (自治体, 計画キー, …) is absent.
    #[error("シート「{sheet}」: 表題欄に項目「{item}」がありません / sheet {sheet}: the title block has no item {item}")]
    MissingItem { sheet: String, item: String },
    /// A cell holds something the format does not allow, or (on export) a value cannot
    /// be written into the cell it belongs to.
    #[error("シート「{sheet}」セル {cell}: {} / sheet {sheet} cell {cell}: {}", problem.ja(), problem.en())]
    Cell {
        sheet: String,
        /// A1 notation (`F12`).
        cell: String,
        problem: Box<Problem>,
    },
    /// A record that cannot be written at all (its links point nowhere).
    #[error("計画「{plan}」は書き出せません: {} / plan {plan} cannot be written: {}", problem.ja(), problem.en())]
    InvalidRecord { plan: String, problem: Box<Problem> },
    /// The xlsx writer failed for a reason not tied to one cell.
    #[error("ブックを作成できません（{0}） / the workbook cannot be created: {0}")]
    Write(String),
}

impl XlsxError {
    /// The sheet the error is about, if any.
    pub fn sheet(&self) -> Option<&str> {
        match self {
            XlsxError::MissingSheet { sheet }
            | XlsxError::MissingColumn { sheet, .. }
            | XlsxError::MissingItem { sheet, .. }
            | XlsxError::Cell { sheet, .. } => Some(sheet),
            XlsxError::NotXlsx { .. }
            | XlsxError::TooBig { .. }
            | XlsxError::InvalidRecord { .. }
            | XlsxError::Write(_) => None,
        }
    }

    /// The cell (A1 notation) the error is about, if any.
    pub fn cell(&self) -> Option<&str> {
        match self {
            XlsxError::Cell { cell, .. } => Some(cell),
            _ => None,
        }
    }

    /// What is wrong with the cell or record, if the error is about one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            XlsxError::Cell { problem, .. } | XlsxError::InvalidRecord { problem, .. } => {
                Some(problem)
            }
            _ => None,
        }
    }
}

/// What is wrong with a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A number was expected.
    NotANumber { value: String },
    /// A whole number was expected (版, 指標ID, 元の行, リンク順, 要素キー of numbers).
    NotAnInteger { value: String },
    /// NaN or infinity cannot be written to Excel.
    NotFinite,
    /// Text was expected, the cell holds a date, a boolean or a number where text is required.
    NotText { value: String },
    /// The cell holds an Excel error value such as `#N/A`.
    ExcelError { value: String },
    /// The cell must not be empty.
    Required { column: String },
    /// A code or label that is not one of the allowed ones.
    UnknownCode {
        /// What was expected, in Japanese (比較, 判定, 区分, 様式, 状態 …).
        what_ja: &'static str,
        what_en: &'static str,
        value: String,
        allowed: String,
    },
    /// A fiscal year (or period of fiscal years) that cannot be read.
    BadFiscalYear { value: String, reason: String },
    /// A date that cannot be read.
    BadDate { value: String, reason: String },
    /// A year-month or fiscal year of a 主な実績 that cannot be read or written.
    BadWhen { value: String, reason: String },
    /// A reference to a plan key that no plan sheet has.
    UnknownPlan { key: String },
    /// A reference to a node key that the plan does not have.
    UnknownNode { key: String, plan: String },
    /// A key used twice.
    DuplicateKey { key: String },
    /// A header or title item written twice.
    DuplicateColumn { name: String },
    /// A key that cannot be used as one (contains a separator or a line break).
    BadKey { key: String },
    /// A column that this kind of row does not use holds a value.
    NotUsed { column: String, kind: String },
    /// The link order cell does not match the parent cell.
    LinkOrder {
        reason_ja: String,
        reason_en: String,
    },
    /// Text longer than Excel's limit (32767 UTF-16 units per cell).
    TooLong { len: usize },
    /// A list (印, 階層名) entry that is empty or contains a line break; it could not be
    /// told apart when read back.
    BadListEntry { value: String },
    /// The node is linked under itself.
    SelfLink,
    /// The parent links form a cycle through this node.
    Cycle,
    /// A node without a title.
    EmptyTitle,
    /// A link refers to a node index the plan does not have (export only).
    DanglingLink {
        index: usize,
        node: usize,
        len: usize,
    },
    /// A row of a kind that does not allow this value (a comparator on an actual …).
    NotAllowed { ja: String, en: String },
    /// A value outside the area Kusei reads (beyond [`crate::MAX_ROWS`] rows or
    /// [`crate::MAX_COLUMNS`] columns): refused before any memory is set aside for it.
    OutsideArea { max_rows: u32, max_columns: u16 },
}

/// The value as shown in a message: cut to 40 characters.
fn shown(value: &str) -> String {
    if value.chars().count() > 40 {
        value.chars().take(40).chain(std::iter::once('…')).collect()
    } else {
        value.to_string()
    }
}

impl Problem {
    /// The message in Japanese.
    pub fn ja(&self) -> String {
        match self {
            Problem::NotANumber { value } => format!("値「{}」は数値ではありません", shown(value)),
            Problem::NotAnInteger { value } => {
                format!("値「{}」は整数ではありません", shown(value))
            }
            Problem::NotFinite => "数値が有限ではありません（NaN・無限大）".to_string(),
            Problem::NotText { value } => format!(
                "値「{}」は文字列ではありません（書式を文字列にして入力してください）",
                shown(value)
            ),
            Problem::ExcelError { value } => format!("セルがエラー値「{value}」です"),
            Problem::Required { column } => format!("「{column}」は必須です"),
            Problem::UnknownCode {
                what_ja,
                value,
                allowed,
                ..
            } => format!(
                "{what_ja}「{}」は使えません（使える値: {allowed}）",
                shown(value)
            ),
            Problem::BadFiscalYear { value, reason } => {
                format!("年度「{}」が読めません（{reason}）", shown(value))
            }
            Problem::BadDate { value, reason } => {
                format!("日付「{}」が読めません（{reason}）", shown(value))
            }
            Problem::BadWhen { value, reason } => {
                format!("年月または年度「{}」が読めません（{reason}）", shown(value))
            }
            Problem::UnknownPlan { key } => {
                format!("計画キー「{}」の計画シートがありません", shown(key))
            }
            Problem::UnknownNode { key, plan } => format!(
                "計画「{}」に要素キー「{}」の要素がありません",
                shown(plan),
                shown(key)
            ),
            Problem::DuplicateKey { key } => format!("キー「{}」が重複しています", shown(key)),
            Problem::DuplicateColumn { name } => format!("「{name}」が2回あります"),
            Problem::BadKey { key } => format!(
                "キー「{}」は使えません（改行・「、」・「,」を含めず、「（再掲）」で終えないでください）",
                shown(key)
            ),
            Problem::NotUsed { column, kind } => {
                format!("区分「{kind}」の行では列「{column}」は使いません（空欄にしてください）")
            }
            Problem::LinkOrder { reason_ja, .. } => format!("リンク順が不正です: {reason_ja}"),
            Problem::TooLong { len } => format!(
                "文字数 {len} がExcelの上限 32767 を超えています（切り詰めずに中止しました）"
            ),
            Problem::BadListEntry { value } => format!(
                "一覧の項目「{}」は空か改行を含むため書き出せません",
                shown(value)
            ),
            Problem::SelfLink => "要素が自分自身の下に置かれています".to_string(),
            Problem::Cycle => "親子関係が循環しています".to_string(),
            Problem::EmptyTitle => "名称が空です".to_string(),
            Problem::DanglingLink { index, node, len } => format!(
                "リンク {index} が要素 {node} を指していますが、要素は {len} 個しかありません"
            ),
            Problem::NotAllowed { ja, .. } => ja.clone(),
            Problem::OutsideArea {
                max_rows,
                max_columns,
            } => format!(
                "読み込める範囲（{max_rows} 行・{} 列まで）の外に値があります。このセルを空にしてください",
                max_columns
            ),
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        match self {
            Problem::NotANumber { value } => format!("\"{}\" is not a number", shown(value)),
            Problem::NotAnInteger { value } => {
                format!("\"{}\" is not a whole number", shown(value))
            }
            Problem::NotFinite => "the number is not finite (NaN or infinity)".to_string(),
            Problem::NotText { value } => format!(
                "\"{}\" is not text (format the cell as text and enter it again)",
                shown(value)
            ),
            Problem::ExcelError { value } => format!("the cell holds the Excel error {value}"),
            Problem::Required { column } => format!("{column} is required"),
            Problem::UnknownCode {
                what_en,
                value,
                allowed,
                ..
            } => format!(
                "\"{}\" is not a known {what_en} (allowed: {allowed})",
                shown(value)
            ),
            Problem::BadFiscalYear { value, reason } => {
                format!("\"{}\" is not a fiscal year: {reason}", shown(value))
            }
            Problem::BadDate { value, reason } => {
                format!("\"{}\" is not a date: {reason}", shown(value))
            }
            Problem::BadWhen { value, reason } => format!(
                "\"{}\" is not a year-month or fiscal year: {reason}",
                shown(value)
            ),
            Problem::UnknownPlan { key } => {
                format!("no plan sheet has the plan key \"{}\"", shown(key))
            }
            Problem::UnknownNode { key, plan } => format!(
                "plan \"{}\" has no element with key \"{}\"",
                shown(plan),
                shown(key)
            ),
            Problem::DuplicateKey { key } => format!("the key \"{}\" is used twice", shown(key)),
            Problem::DuplicateColumn { name } => format!("{name} appears twice"),
            Problem::BadKey { key } => format!(
                "\"{}\" cannot be a key (no line breaks, 、 or , and not ending in （再掲）)",
                shown(key)
            ),
            Problem::NotUsed { column, kind } => {
                format!("rows of kind {kind} do not use column {column} (leave it empty)")
            }
            Problem::LinkOrder { reason_en, .. } => format!("bad link order: {reason_en}"),
            Problem::TooLong { len } => format!(
                "{len} characters exceed Excel's limit of 32767 per cell (nothing was truncated)"
            ),
            Problem::BadListEntry { value } => format!(
                "the list entry \"{}\" is empty or contains a line break and cannot be written",
                shown(value)
            ),
            Problem::SelfLink => "the element is linked under itself".to_string(),
            Problem::Cycle => "the parent links form a cycle".to_string(),
            Problem::EmptyTitle => "the title is empty".to_string(),
            Problem::DanglingLink { index, node, len } => {
                format!("link {index} refers to element {node}, but the plan has {len} elements")
            }
            Problem::NotAllowed { en, .. } => en.clone(),
            Problem::OutsideArea {
                max_rows,
                max_columns,
            } => format!(
                "a value lies outside the area Kusei reads (up to {max_rows} rows and {max_columns} columns); empty this cell"
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.ja(), self.en())
    }
}

/// `A1` notation of a 0-based row and column.
pub fn a1(row: u32, col: u16) -> String {
    let mut letters = Vec::new();
    let mut n = u32::from(col) + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_notation() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(11, 5), "F12");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(9, 701), "ZZ10");
        assert_eq!(a1(0, 702), "AAA1");
    }

    #[test]
    fn display_names_sheet_cell_and_reason_in_both_languages() {
        let e = XlsxError::Cell {
            sheet: "目標と実績".into(),
            cell: "F12".into(),
            problem: Box::new(Problem::NotANumber {
                value: "abc".into(),
            }),
        };
        assert_eq!(
            e.to_string(),
            "シート「目標と実績」セル F12: 値「abc」は数値ではありません / sheet 目標と実績 cell F12: \"abc\" is not a number"
        );
    }
}
