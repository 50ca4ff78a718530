//! Plans as Excel workbooks (xlsx): export for ward officers to read and edit, import of
//! the edited workbook. Pure: bytes in, bytes out; no files, clock or network.
//!
//! ```text
//! write_workbook(&[PlanRecord]) -> Result<Vec<u8>, XlsxError>
//! read_workbook(&[u8])          -> Result<Vec<PlanRecord>, XlsxError>
//! ```
//!
//! `read_workbook(&write_workbook(rs)?)? == rs` for every record the store can hold (see
//! *Normalisation* for the one exception), and export → import → export gives the same
//! bytes: the output is a pure function of the records (the file's creation date property
//! is fixed).
//!
//! # Workbook layout (the documented format)
//!
//! Sheets, in order: one **plan sheet** per record, then **`目標と実績`**, then
//! **`業務一覧`**. Other sheets a user adds are ignored on import. Columns are found by
//! their header text, so columns may be moved; columns marked （参考） are written for
//! reading and ignored on import. Codes and labels are both accepted where a cell holds
//! a choice (`achieved` or `目標達成`).
//!
//! ## Plan sheets (one per plan)
//!
//! Named `<unit> <family> <period>`, e.g. `城東区 運営方針 R7` or `大正区 改革取組 H29`
//! (family: 改革取組 / 取組成果 / 計画体系 / 運営方針; period `R7` or `H19-H22`), cut to
//! Excel's 31 characters, `[]:*?/\` replaced by `_`, and made unique with `(2)`, `(3)`….
//! The sheet name is only a label: the plan's identity is the **計画キー** cell.
//!
//! **Title block**, rows 1-10, label in column A and value in column B:
//!
//! | label | value |
//! |---|---|
//! | 自治体 | municipality (大阪市) |
//! | 組織 | unit (城東区) |
//! | 計画名 | plan title |
//! | 様式 | family label (区運営方針, 市政改革プランに基づく取組, 取組成果一覧, 改革計画体系) or code |
//! | 期間 | 令和7年度, or 令和7年度～令和9年度 (also read: 2025, R7, 2025～2027) |
//! | 状態 | 作成中 / 承認待ち / 承認済み / 公表済み (or draft, submitted, approved, published) |
//! | 版 | version number |
//! | 階層名 | level names, one per line |
//! | 見本 | はい / いいえ (sample data) |
//! | 計画キー | the key rows of `目標と実績` and `業務一覧` refer to (written: the sheet name) |
//!
//! **Node table**: header on row 12 (frozen, with a filter), then one or more rows per
//! node. Each row carries the node's **要素キー** (written 1, 2, 3… in document order)
//! and a **区分** saying what the row is; a row may only fill the columns of its kind
//! (others must stay empty, so nothing typed is silently ignored):
//!
//! | 区分 | columns used |
//! |---|---|
//! | 要素 (the node; shaded row) | 階層, 番号, 名称, 副題, 印 (one mark per line), 担当, 親（再掲を含む）, リンク順, 元の行 |
//! | 計画 / 中間振り返り / 自己評価 (a text section of that phase) | 見出し, 内容 |
//! | 中間振り返り（見込み） (a review) | 年度, 取組内容の実施見込み ((i) 実施見込み / (ii) 実施できない見込み), 目標の達成見込み (① 達成見込み / ② 達成できない見込み), 課題と改善策 |
//! | 自己評価（判定） (an evaluation) | 年度, 内容 (当年度の取組実績及び目標の達成状況), 判定 (目標達成 / 目標未達成 / 未確定 / 不明（原本で判読不能）), 課題と改善策, 判定の理由 |
//! | 主な実績 (a milestone) | 内容, 開始, 終了 (平成18年4月 or 平成21年度), 継続（～） (はい / いいえ) |
//!
//! Nodes are in the order of their 要素 rows. Sections, reviews, evaluations and
//! milestones belong to the node with their 要素キー, each kind in row order; rows need
//! not follow their node. The writer puts a node's sections in their order, its reviews
//! before its first 自己評価 section, then evaluations and milestones.
//!
//! **親（再掲を含む）** lists the node's parents by 要素キー, one per line (also `、` or
//! `,`), a 再掲 listing suffixed `（再掲）`: `3` or `3\n7（再掲）`. Siblings are in the
//! order of the links. When the plan's links are grouped by child in node order (as an
//! import makes them) **リンク順** is empty and the order follows the rows; otherwise it
//! holds each link's position (1, 2, …), one per line of 親. Links without a number come
//! after the numbered ones. 元の行 is the line of the source document.
//!
//! ## `目標と実績` (targets and actuals of all plans; authoritative on import)
//!
//! One row per target or actual, in plan, node, targets-then-actuals order:
//!
//! | column | holds |
//! |---|---|
//! | 計画キー | the plan sheet's 計画キー |
//! | 要素キー | the node's 要素キー on that sheet |
//! | 番号（参考）, 名称（参考） | the node's number and title, for reading |
//! | 種別 | 目標 or 実績 |
//! | 値 | the value as a number (exact f64) |
//! | 単位 | %, 件, 千円 … |
//! | 比較コード | at_least, more_than, at_most, less_than, maintain, equal (or 以上, 超, 以下, 未満, 維持); targets only |
//! | 比較（参考） | the comparator's Japanese label |
//! | 年度 | a target's fiscal year(s) (令和7年度 or 令和7年度～令和9年度); an actual's fiscal year |
//! | 時点 | an actual's as-of date (a date cell, yyyy-mm-dd; text like 平成30年2月末 is read too); actuals only |
//! | 記載 | the sentence as written |
//! | 指標ID | indicator id |
//!
//! ## `業務一覧` (the units' directories)
//!
//! 計画キー, 課, 担当, 電話番号, FAX番号, 主な業務内容: one row per entry, in order.
//!
//! # Values
//!
//! Text is always written as a string cell (a leading `=`, `+` or `-` is never a
//! formula); line breaks, spaces, full-width and control characters are kept. Text columns
//! are formatted as text (`@`) so typed entries stay text. Numbers are number cells; a
//! number typed in a text column is read as its digits. Integers beyond ±2^53 are written
//! as text. Text over Excel's 32767 characters per cell is an error naming the cell,
//! never truncated.
//!
//! # Normalisation
//!
//! Excel has no empty-string cell, so an `Option<String>` field that is `Some("")` is
//! written as an empty cell and read back as `None`; an empty cell is always `None` for
//! optional fields and `""` for required ones. After one import nothing changes any more.
//! Marks and level names that are empty or contain a line break cannot be told apart in a
//! one-per-line cell: writing them is an error, as is writing a record whose links point
//! outside its nodes or that [`PlanContent::validate`](kusei_domain::content::PlanContent::validate)
//! rejects (import checks the same).
//!
//! # Errors
//!
//! [`XlsxError`] names the sheet and the cell (A1 notation) with the reason in Japanese and
//! English: `シート「目標と実績」セル F12: 値「abc」は数値ではありません / sheet 目標と実績
//! cell F12: "abc" is not a number`. `read_workbook` returns all records or the first
//! error, never part of a workbook.

mod error;
mod layout;
mod read;
mod table;
mod write;
mod zipsize;

pub use error::{a1, Problem, XlsxError};
pub use layout::{DIRECTORY_SHEET, TARGETS_SHEET};
pub use read::read_workbook;
pub use table::{table_workbook, TableCell, TableSheet};
pub use zipsize::MAX_UNPACKED;

/// Rows a sheet may use when read (a whole city's years fit many times over); a value
/// further down is refused at its cell, before the sheet's area is allocated.
pub const MAX_ROWS: u32 = 100_000;
/// Columns a sheet may use when read (the widest sheet Kusei writes has 22).
pub const MAX_COLUMNS: u16 = 64;
pub use write::{write_workbook, MAX_CELL_CHARS};
