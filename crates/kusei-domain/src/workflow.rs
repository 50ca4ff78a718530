//! A plan's life: the approval steps (submit → approve | return → publish), the year's
//! schedule (when each phase is open), and why a write of plan content is refused.
//!
//! [`Refusal`] is the one vocabulary of refusals: every way in (forms, text import, Excel
//! import, CLI, API) reports a refused write in these words.

use crate::calendar::{Date, FiscalYear};
use crate::model::{Period, Phase, PlanStatus};
use crate::policy::Denied;

/// A step of the approval workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Submit,
    Approve,
    Return,
    Publish,
}

impl Transition {
    pub fn code(self) -> &'static str {
        match self {
            Transition::Submit => "submit",
            Transition::Approve => "approve",
            Transition::Return => "return",
            Transition::Publish => "publish",
        }
    }
    pub fn from_code(s: &str) -> Option<Transition> {
        Some(match s {
            "submit" => Transition::Submit,
            "approve" => Transition::Approve,
            "return" => Transition::Return,
            "publish" => Transition::Publish,
            _ => return None,
        })
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Transition::Submit => "提出",
            Transition::Approve => "承認",
            Transition::Return => "差戻し",
            Transition::Publish => "公表",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Transition::Submit => "submitted",
            Transition::Approve => "approved",
            Transition::Return => "returned",
            Transition::Publish => "published",
        }
    }
    /// The states this step may start from, and the state it leads to.
    pub fn rule(self) -> (&'static [PlanStatus], PlanStatus) {
        match self {
            Transition::Submit => (&[PlanStatus::Draft], PlanStatus::Submitted),
            Transition::Approve => (&[PlanStatus::Submitted], PlanStatus::Approved),
            Transition::Return => (
                &[PlanStatus::Submitted, PlanStatus::Approved],
                PlanStatus::Draft,
            ),
            Transition::Publish => (&[PlanStatus::Approved], PlanStatus::Published),
        }
    }
}

/// When one phase of one fiscal year is open (dates inclusive, Japan time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Window {
    pub fiscal_year: FiscalYear,
    pub phase: Phase,
    pub opens_on: Date,
    pub closes_on: Date,
}

impl Window {
    pub fn contains(&self, day: Date) -> bool {
        self.opens_on <= day && day <= self.closes_on
    }
}

/// English name of a phase, as headings write it.
pub fn phase_en(p: Phase) -> &'static str {
    match p {
        Phase::Plan => "Plan",
        Phase::Review => "Mid-year review",
        Phase::Evaluation => "Year-end evaluation",
    }
}

/// Why a write of plan content is refused. The same words on every way in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The role policy says no (another ward or section, or a role that may not write).
    Role(Denied),
    /// The plan waits for approval (submitted) or is approved: nothing changes until it is
    /// returned or published.
    Locked(PlanStatus),
    /// A workflow step that does not start from the plan's status (approve a draft …).
    Step {
        status: PlanStatus,
        step: Transition,
    },
    /// No window of this phase is set for the plan's period.
    NoWindow { phase: Phase, period: Period },
    /// The city's forms of this family do not use the phase (its form settings).
    PhaseNotUsed {
        phase: Phase,
        family: crate::model::Family,
    },
    /// The phase's window is not open today.
    Closed {
        phase: Phase,
        window: Window,
        today: Date,
    },
}

impl Refusal {
    pub fn ja(&self) -> String {
        match self {
            Refusal::Role(d) => d.ja.to_string(),
            Refusal::PhaseNotUsed { phase, family } => format!(
                "この市の「{}」の様式には{}の段階がありません（市の様式の設定）。",
                family.label_ja(),
                phase.label_ja()
            ),
            Refusal::Locked(status) => format!(
                "この計画は「{}」のため編集できません。{}",
                status.label_ja(),
                if *status == PlanStatus::Approved {
                    "公表すると次の版として編集でき、差し戻すとこの版を編集できます。"
                } else {
                    "差し戻されると編集できます。"
                }
            ),
            Refusal::Step { status, step } => format!(
                "「{}」の計画は{}できません。",
                status.label_ja(),
                step.label_ja()
            ),
            Refusal::NoWindow { phase, period } => format!(
                "{}の{}の受付期間が設定されていません（市の管理者が設定します）。",
                period,
                phase.label_ja()
            ),
            Refusal::Closed {
                phase,
                window,
                today,
            } => format!(
                "{}の{}の受付期間外です（{}～{}、本日 {}）。",
                window.fiscal_year.label(),
                phase.label_ja(),
                window.opens_on.to_japanese(),
                window.closes_on.to_japanese(),
                today.to_japanese()
            ),
        }
    }
    pub fn en(&self) -> String {
        match self {
            Refusal::Role(d) => d.en.to_string(),
            Refusal::PhaseNotUsed { phase, family } => format!(
                "This city's {} form has no {} (the city's form settings).",
                family.label_en(),
                phase_en(*phase).to_lowercase()
            ),
            Refusal::Locked(status) => format!(
                "The plan is {} and cannot be edited {}.",
                status.code(),
                if *status == PlanStatus::Approved {
                    "until it is published (edits then open the next version) or returned"
                } else {
                    "until it is returned"
                }
            ),
            Refusal::Step { status, step } => format!(
                "A plan that is {} cannot be {}.",
                status.code(),
                step.label_en()
            ),
            Refusal::NoWindow { phase, period } => format!(
                "No period is set for the {} of {} (the city administrator sets it).",
                phase_en(*phase).to_lowercase(),
                period
            ),
            Refusal::Closed {
                phase,
                window,
                today,
            } if *today < window.opens_on => format!(
                "The {} of {} opens on {} (until {}); today is {}.",
                phase_en(*phase).to_lowercase(),
                window.fiscal_year.label_with_western(),
                window.opens_on,
                window.closes_on,
                today
            ),
            Refusal::Closed {
                phase,
                window,
                today,
            } => format!(
                "The {} of {} closed on {} (it was open from {}); today is {}.",
                phase_en(*phase).to_lowercase(),
                window.fiscal_year.label_with_western(),
                window.closes_on,
                window.opens_on,
                today
            ),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.ja(), self.en())
    }
}

impl std::error::Error for Refusal {}

/// Plan content may change in these states only: a draft, or a published plan (whose
/// change opens the next draft version; the published snapshot never changes).
pub fn editable(status: PlanStatus) -> Result<(), Refusal> {
    match status {
        PlanStatus::Draft | PlanStatus::Published => Ok(()),
        PlanStatus::Submitted | PlanStatus::Approved => Err(Refusal::Locked(status)),
    }
}

/// The fiscal year whose `phase` window is open today for a plan of `period`, or why none
/// is.
pub fn open_window(
    windows: &[Window],
    phase: Phase,
    period: Period,
    today: Date,
) -> Result<FiscalYear, Refusal> {
    let relevant: Vec<&Window> = windows
        .iter()
        .filter(|w| {
            w.phase == phase && period.start <= w.fiscal_year && w.fiscal_year <= period.end
        })
        .collect();
    if let Some(open) = relevant.iter().find(|w| w.contains(today)) {
        return Ok(open.fiscal_year);
    }
    match relevant.first() {
        None => Err(Refusal::NoWindow { phase, period }),
        Some(w) => Err(Refusal::Closed {
            phase,
            window: **w,
            today,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn only_drafts_and_published_plans_take_edits() {
        assert!(editable(PlanStatus::Draft).is_ok());
        assert!(editable(PlanStatus::Published).is_ok());
        for s in [PlanStatus::Submitted, PlanStatus::Approved] {
            let r = editable(s).unwrap_err();
            assert!(r.ja().contains(s.label_ja()), "{}", r.ja());
            assert!(r.en().contains(s.code()), "{}", r.en());
        }
    }

    #[test]
    fn a_window_opens_its_phase_for_its_year_only() {
        let fy = FiscalYear::new(2025).unwrap();
        let w = Window {
            fiscal_year: fy,
            phase: Phase::Review,
            opens_on: day(2025, 9, 1),
            closes_on: day(2025, 9, 30),
        };
        let period = Period::year(fy);
        assert_eq!(
            open_window(&[w], Phase::Review, period, day(2025, 9, 30)),
            Ok(fy)
        );
        let closed = open_window(&[w], Phase::Review, period, day(2025, 10, 1)).unwrap_err();
        assert!(matches!(closed, Refusal::Closed { .. }));
        assert!(
            closed.en().contains("closed on 2025-09-30"),
            "{}",
            closed.en()
        );
        assert!(
            closed.ja().contains("令和7年度の中間振り返りの受付期間外"),
            "{}",
            closed.ja()
        );
        let early = open_window(&[w], Phase::Review, period, day(2025, 8, 1)).unwrap_err();
        assert!(early.en().contains("opens on 2025-09-01"), "{}", early.en());
        assert!(matches!(
            open_window(&[w], Phase::Evaluation, period, day(2025, 9, 15)),
            Err(Refusal::NoWindow { .. })
        ));
        let other = Period::year(FiscalYear::new(2024).unwrap());
        assert!(matches!(
            open_window(&[w], Phase::Review, other, day(2025, 9, 15)),
            Err(Refusal::NoWindow { .. })
        ));
    }
}
