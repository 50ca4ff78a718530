//! Importing: a legacy document (extracted text, read by `kusei-import`) or the plan
//! records of a Kusei workbook, stored as plans. Every way in — `kusei import`, the
//! browser's preview → confirm, a workbook upload, the sample city — calls [`import_plan`]
//! through [`store_document`] or [`store_record`], behind the write guard:
//!
//! - a new plan needs only the role (`Action::Import` of its unit);
//! - a revision of a stored plan is refused while that plan is submitted or approved, and
//!   outside the schedule window of every phase it changes (計画 / 中間振り返り / 自己評価);
//!   a revision of a published plan opens its next draft version;
//! - a revision that changes nothing changes nothing (not even the version).

use crate::guard::{check_in_store, Caller, PlanState};
use crate::AppError;
use kusei_domain::calendar::Date;
use kusei_domain::content::{DirectoryEntry, IndicatorRecord, PlanContent, PlanRecord};
use kusei_domain::model::{MunicipalityId, Period, UnitId, UnitKind};
use kusei_domain::policy::{Action, Tree};
use kusei_domain::revision::phases_changed;
use kusei_import::convert::plan_content;
use kusei_store::{ImportOutcome, ImportTarget, ImportUnit, SourceDocument, Store};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Where an import goes: a unit chosen by id (the browser, a workbook resolved to its
/// unit), or a ward named on the command line (found among the municipality's top units,
/// else created).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination<'a> {
    Unit(UnitId),
    Ward(&'a str),
}

/// One plan to import, with its 業務一覧 and where it came from.
#[derive(Debug, Clone)]
pub struct ImportRequest<'a> {
    pub municipality: MunicipalityId,
    pub destination: Destination<'a>,
    pub content: &'a PlanContent,
    pub directory: &'a [DirectoryEntry],
    /// What the indicator ids of `content` are (a workbook's 指標 sheet); empty for a text
    /// document, whose figures carry no ids.
    pub indicators: &'a [IndicatorRecord],
    pub source: SourceDocument<'a>,
}

/// The top unit (ward, city, bureau) of that name in the municipality, if any.
/// The ward (or city, or bureau) a document or workbook names, wherever it sits in the
/// tree (a city set up in the browser often puts its wards under the city's own unit):
/// a top-level one first, then the first made; a retired unit is not one.
pub fn ward_named(units: &[kusei_domain::model::Unit], name: &str) -> Option<UnitId> {
    units
        .iter()
        .filter(|u| u.name == name && u.retired_at.is_none())
        .filter(|u| matches!(u.kind, UnitKind::Ward | UnitKind::City | UnitKind::Bureau))
        .min_by_key(|u| (u.parent_id.is_some(), u.id.0))
        .map(|u| u.id)
}

/// Stores one plan behind the write guard (see the module documentation).
pub async fn import_plan(
    store: &Store,
    caller: &Caller,
    request: ImportRequest<'_>,
    today: Date,
) -> Result<ImportOutcome, AppError> {
    let units = store.list_units(request.municipality).await?;
    let tree = Tree::new(request.municipality, &units);
    let unit = match request.destination {
        Destination::Unit(id) => {
            if !units.iter().any(|u| u.id == id) {
                return Err(AppError::Store(kusei_store::StoreError::NotFound(format!(
                    "unit {id}"
                ))));
            }
            Some(id)
        }
        Destination::Ward(name) => ward_named(&units, name),
    };
    let current = match unit {
        Some(u) => store.find_plan_like(u, request.content).await?,
        None => None,
    };
    let (plan, phases) = match &current {
        Some(sp) => {
            let names: HashMap<UnitId, String> =
                units.iter().map(|u| (u.id, u.name.clone())).collect();
            // Indicator links are derived, not written: a revision is compared without them.
            let phases = phases_changed(
                &crate::indicators::unlinked(&sp.to_plan_content(&names)),
                &crate::indicators::unlinked(request.content),
            );
            let state = PlanState {
                status: sp.plan.status,
                period: sp.plan.period,
            };
            (Some(state), phases)
        }
        None => (None, Vec::new()),
    };
    check_in_store(
        store,
        caller,
        &tree,
        request.municipality,
        Action::Import { unit },
        plan,
        &phases,
        today,
    )
    .await?;
    // Indicators: the municipality's are linked, missing ones created (after the guard),
    // then the actuals linked to the targets they answer.
    let mut content = request.content.clone();
    crate::indicators::resolve_ids(
        store,
        caller,
        request.municipality,
        request.indicators,
        &mut content,
    )
    .await?;
    crate::indicators::link_in_store(store, caller, request.municipality, &mut content).await?;
    let target = ImportTarget {
        municipality: request.municipality,
        unit: match (unit, request.destination) {
            (Some(id), _) => ImportUnit::Existing(id),
            (None, Destination::Ward(name)) => ImportUnit::NewWard(name),
            (None, Destination::Unit(id)) => ImportUnit::Existing(id),
        },
        directory: request.directory,
        expected_version: current.as_ref().map(|c| c.plan.version),
    };
    Ok(store
        .import_plan(&caller.name, &target, &content, &request.source)
        .await?)
}

/// Stores a parsed document as a plan for `period` (the CLI and the browser import both go
/// through here). Returns the outcome and the content that was stored.
#[allow(clippy::too_many_arguments)]
pub async fn store_document(
    store: &Store,
    caller: &Caller,
    doc: &kusei_import::ParsedDocument,
    bytes: &[u8],
    municipality: MunicipalityId,
    destination: Destination<'_>,
    period: Period,
    today: Date,
) -> Result<(ImportOutcome, PlanContent), AppError> {
    let content = plan_content(doc, period)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", doc.file_name)))?;
    let sha = format!("{:x}", Sha256::digest(bytes));
    let diagnostics = serde_json::to_string(&doc.to_json()["diagnostics"])
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let directory: Vec<DirectoryEntry> = doc.directory.iter().map(|e| e.entry()).collect();
    let request = ImportRequest {
        municipality,
        destination,
        content: &content,
        directory: &directory,
        indicators: &[],
        source: SourceDocument {
            sha256: &sha,
            file_name: &doc.file_name,
            family: doc.family.as_str(),
            encoding: doc.encoding.as_deref().unwrap_or("UTF-8"),
            schema_version: i64::from(kusei_import::SCHEMA_VERSION),
            diagnostics: &diagnostics,
        },
    };
    let outcome = import_plan(store, caller, request, today).await?;
    Ok((outcome, content))
}

/// Stores a plan record read from an exported workbook as a plan of its unit in
/// `municipality` (units of its 業務一覧 created as needed). The source is identified by
/// the record's content, so importing an unchanged plan again changes nothing, and a plan
/// edited in Excel updates the stored one (each difference recorded). Indicator ids must
/// be this municipality's.
pub async fn store_record(
    store: &Store,
    caller: &Caller,
    record: &PlanRecord,
    file_name: &str,
    municipality: MunicipalityId,
    today: Date,
) -> Result<ImportOutcome, AppError> {
    let canonical = serde_json::to_vec(&(&record.unit, &record.content, &record.directory))
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let sha = format!("{:x}", Sha256::digest(&canonical));
    let (restated, _) = workbook_record(store, municipality, record).await?;
    let request = ImportRequest {
        municipality,
        destination: Destination::Ward(&record.unit),
        content: &restated.content,
        directory: &record.directory,
        indicators: &record.indicators,
        source: SourceDocument {
            sha256: &sha,
            file_name,
            family: record.content.family.code(),
            encoding: "xlsx",
            schema_version: i64::from(kusei_import::SCHEMA_VERSION),
            diagnostics: "[]",
        },
    };
    import_plan(store, caller, request, today).await
}

/// A workbook's plan record as it will be stored, beside the plan it updates (if one is
/// stored): figures changed in their columns restate their sentences
/// ([`restate_changed_figures`]). The preview and the import read the same.
pub async fn workbook_record(
    store: &Store,
    municipality: MunicipalityId,
    record: &PlanRecord,
) -> Result<(PlanRecord, Option<kusei_store::StoredPlan>), AppError> {
    let units = store.list_units(municipality).await?;
    let existing = match ward_named(&units, &record.unit) {
        Some(u) => store.find_plan_like(u, &record.content).await?,
        None => None,
    };
    let mut out = record.clone();
    if let Some(sp) = &existing {
        restate_changed_figures(&stored_content(sp), &mut out.content);
    }
    Ok((out, existing))
}

/// A stored plan as plan content (what a record compares with).
pub fn stored_content(sp: &kusei_store::StoredPlan) -> PlanContent {
    PlanContent {
        family: sp.plan.family,
        period: sp.plan.period,
        title: sp.plan.title.clone(),
        level_names: sp.plan.level_names.clone(),
        nodes: sp.nodes.iter().map(|n| n.to_content()).collect(),
        links: Vec::new(),
        is_sample: sp.plan.is_sample,
    }
}

/// The plan id an import outcome names.
pub fn plan_of(outcome: &ImportOutcome) -> kusei_domain::model::PlanId {
    match outcome {
        ImportOutcome::Unchanged { plan_id }
        | ImportOutcome::Created { plan_id, .. }
        | ImportOutcome::Updated { plan_id, .. } => *plan_id,
    }
}

/// The figure as a person writes it in `unit` (a value stored in yen, written in 千円).
fn written_number(value: f64, unit: Option<&str>) -> String {
    kusei_report::plain_number(value / kusei_kpi::Unit::factor(unit.unwrap_or("")))
}

/// `written` with thousands separators (3500 → 3,500), as documents also write it.
fn with_commas(written: &str) -> String {
    let (int, frac) = written
        .split_once('.')
        .map_or((written, None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// The sentence with its old figure replaced by the new one, when the old figure is in
/// it exactly once (as written, or with thousands separators).
fn swap_figure(text: &str, old: &str, new: &str) -> Option<String> {
    for (o, n) in [
        (old.to_string(), new.to_string()),
        (with_commas(old), with_commas(new)),
    ] {
        if text.matches(o.as_str()).count() == 1 {
            return Some(text.replacen(o.as_str(), &n, 1));
        }
    }
    None
}

/// A workbook edited in Excel: where a target's or actual's figure changed in its own
/// column but its sentence is still the one stored, the sentence is restated with the new
/// figure (the person's wording kept, only the figure replaced; a target whose sentence
/// does not hold the old figure is written anew, as the browser form writes it), so the
/// sentence citizens read never contradicts the figure. A sentence the person rewrote is
/// kept as written.
pub fn restate_changed_figures(old: &PlanContent, new: &mut PlanContent) {
    let matched = kusei_domain::revision::match_nodes(&old.nodes, &new.nodes);
    for (n, m) in new.nodes.iter_mut().zip(matched) {
        let Some(o) = m.and_then(|i| old.nodes.get(i)) else {
            continue;
        };
        for (t, before) in n.targets.iter_mut().zip(&o.targets) {
            let figures = |x: &kusei_domain::model::Target| {
                (x.value, x.measure_unit.clone(), x.comparator, x.period)
            };
            if t.text != before.text || figures(t) == figures(before) {
                continue;
            }
            let Some(v) = t.value else { continue };
            let new_written = written_number(v, t.measure_unit.as_deref());
            let swapped = before.value.and_then(|b| {
                swap_figure(
                    &t.text,
                    &written_number(b, before.measure_unit.as_deref()),
                    &new_written,
                )
            });
            t.text = match swapped {
                Some(s) if t.comparator == before.comparator && t.period == before.period => s,
                _ => crate::copy_forward::target_sentence(
                    t.indicator_name.as_deref().unwrap_or(""),
                    t.period.filter(|p| p.start == p.end).map(|p| p.start),
                    v / kusei_kpi::Unit::factor(t.measure_unit.as_deref().unwrap_or("")),
                    t.measure_unit.as_deref().unwrap_or(""),
                    t.comparator
                        .unwrap_or(kusei_domain::model::Comparator::AtLeast),
                ),
            };
        }
        for (a, before) in n.actuals.iter_mut().zip(&o.actuals) {
            if a.text != before.text
                || (a.value, &a.measure_unit) == (before.value, &before.measure_unit)
            {
                continue;
            }
            let Some(v) = a.value else { continue };
            let new_written = written_number(v, a.measure_unit.as_deref());
            a.text = before
                .value
                .and_then(|b| {
                    swap_figure(
                        &a.text,
                        &written_number(b, before.measure_unit.as_deref()),
                        &new_written,
                    )
                })
                .unwrap_or_else(|| {
                    format!("{new_written}{}", a.measure_unit.as_deref().unwrap_or(""))
                });
        }
    }
}

#[cfg(test)]
mod restate_tests {
    use super::*;
    use kusei_domain::content::NodeContent;
    use kusei_domain::model::{Actual, Comparator, Period, Target};

    fn plan_with(target: Target, actual: Actual) -> PlanContent {
        PlanContent {
            family: kusei_domain::model::Family::ManagementSheet,
            period: Period::year(kusei_domain::calendar::FiscalYear::new(2026).unwrap()),
            title: "t".into(),
            level_names: vec![],
            nodes: vec![NodeContent {
                level: "具体的取組".into(),
                title: "防災メール".into(),
                targets: vec![target],
                actuals: vec![actual],
                ..Default::default()
            }],
            links: vec![],
            is_sample: false,
        }
    }

    #[test]
    fn a_figure_changed_in_its_column_restates_its_sentence() {
        let fy = kusei_domain::calendar::FiscalYear::new(2026).unwrap();
        let target = Target {
            indicator_id: None,
            period: Some(Period::year(fy)),
            value: Some(3000.0),
            measure_unit: Some("件".into()),
            comparator: Some(Comparator::AtLeast),
            text: "防災メール登録者数 令和8年度 3,000件以上".into(),
            indicator_name: None,
            this_year: false,
        };
        let actual = Actual {
            indicator_id: None,
            fiscal_year: Some(fy),
            value: Some(15_914_000.0),
            measure_unit: Some("千円".into()),
            as_of: None,
            text: "実績 15914千円".into(),
        };
        let old = plan_with(target.clone(), actual.clone());
        let mut new = old.clone();
        new.nodes[0].targets[0].value = Some(3500.0);
        new.nodes[0].actuals[0].value = Some(16_000_000.0);
        restate_changed_figures(&old, &mut new);
        assert_eq!(
            new.nodes[0].targets[0].text,
            "防災メール登録者数 令和8年度 3,500件以上"
        );
        assert_eq!(
            new.nodes[0].actuals[0].text, "実績 16000千円",
            "千円 stays 千円"
        );
        // A sentence the person rewrote stays as written; unchanged figures change nothing.
        let mut rewritten = old.clone();
        rewritten.nodes[0].targets[0].value = Some(3500.0);
        rewritten.nodes[0].targets[0].text = "登録者を3500件に".into();
        restate_changed_figures(&old, &mut rewritten);
        assert_eq!(rewritten.nodes[0].targets[0].text, "登録者を3500件に");
        let mut same = old.clone();
        restate_changed_figures(&old, &mut same);
        assert_eq!(same, old);
        // A sentence without the old figure is written anew from the columns.
        let mut odd = old.clone();
        odd.nodes[0].targets[0].text = "前年度以上".into();
        let odd_old = odd.clone();
        odd.nodes[0].targets[0].value = Some(3500.0);
        odd.nodes[0].targets[0].indicator_name = Some("防災メール登録者数".into());
        restate_changed_figures(&odd_old, &mut odd);
        assert_eq!(
            odd.nodes[0].targets[0].text,
            "防災メール登録者数 令和8年度 3500件以上"
        );
    }
}
