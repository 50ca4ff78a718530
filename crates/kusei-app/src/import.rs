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
fn top_unit(units: &[kusei_domain::model::Unit], name: &str) -> Option<UnitId> {
    units
        .iter()
        .filter(|u| u.parent_id.is_none() && u.name == name)
        .filter(|u| matches!(u.kind, UnitKind::Ward | UnitKind::City | UnitKind::Bureau))
        .map(|u| u.id)
        .next()
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
        Destination::Ward(name) => top_unit(&units, name),
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
    let request = ImportRequest {
        municipality,
        destination: Destination::Ward(&record.unit),
        content: &record.content,
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

/// The plan id an import outcome names.
pub fn plan_of(outcome: &ImportOutcome) -> kusei_domain::model::PlanId {
    match outcome {
        ImportOutcome::Unchanged { plan_id }
        | ImportOutcome::Created { plan_id, .. }
        | ImportOutcome::Updated { plan_id, .. } => *plan_id,
    }
}
