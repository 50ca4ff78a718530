//! Kusei's reader and judge of targets (目標) and actuals (実績).
//!
//! Ward staff write targets and actuals as Japanese sentences. This crate reads them into
//! structures ([`read_targets`], [`read_actuals`], [`split_targets`]), turns relative
//! targets into numbers ([`resolve`]), judges achievement ([`judge`], [`judge_node`]),
//! grades progress with a city's rules ([`GradingRules`]) and reports contradictions
//! that can be seen from one node's sentences ([`findings`]). Whatever is not understood
//! stays verbatim as free text; nothing is guessed.
//!
//! Pure: no IO, no clock, no randomness. Fiscal years and eras come from
//! `kusei_domain::calendar`.

mod findings;
mod grading;
mod item;
mod judge;
mod patterns;
mod read;
mod render;
mod scan;
mod separate;
mod split;
mod text;
mod types;
mod years;

pub use findings::{
    evaluate, findings, parse_stated, read_target_blocks, Finding, MidYearReview, NodeEvaluation,
    NodeFigures, Severity,
};
pub use grading::{Band, Grade, GradeOutcome, GradingError, GradingRules, Threshold};
pub use item::{evaluate_item, target_sentence, ItemFigures};
pub use judge::{
    judge, judge_node, match_actuals, progress_rate, reference_figures, resolve, roll_up,
    NodeJudgment, Resolution, ResolveError, TargetJudgment,
};
pub use read::{read_actuals, read_targets};
pub use render::render;
pub use separate::{separate_targets, TargetPiece};
pub use split::split_targets;
pub use text::{indicator_similarity, japanese_form, nfkc_japanese};
pub use types::{
    Actual, ActualKind, AsOf, Change, DirectionBasis, Figure, FiscalYears, Pending, Relative,
    RelativeOp, Target, TargetKind, TargetSentence, Unit,
};
