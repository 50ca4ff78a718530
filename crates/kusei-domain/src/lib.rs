//! Kusei's domain model. Invariant: this crate does no IO (no files, network, database,
//! clock or randomness); everything here is a pure function of its inputs.
//!
//! - [`calendar`]: fiscal years, dates and Japanese eras.
//! - [`model`]: municipalities, units, plans, nodes, links (再掲), indicators, targets,
//!   actuals, reviews, evaluations, milestones.
//! - [`judgment`]: judgment meanings, scales as data, and the form rules.
//! - [`content`]: a whole plan as one value, its validation and its tree order.
//! - [`council`]: 区政会議 — opinions, answers, reflection, and their measures.
//! - [`policy`]: roles over the unit tree → allow / deny (who may do what).
//! - [`revision`]: two versions of a plan: node matching and the phases a change touches.
//! - [`workflow`]: status transitions, schedule windows, and why a write is refused.

pub mod calendar;
pub mod content;
pub mod council;
pub mod judgment;
pub mod model;
pub mod policy;
pub mod revision;
pub mod workflow;
