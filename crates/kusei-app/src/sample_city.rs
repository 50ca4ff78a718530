//! Loads the made-up sample city (`kusei_report::sample`) into a store: the municipality,
//! its common indicators, and every ward's plans, each published once. Used by
//! `kusei sample-city`, the dashboard tests and the export benchmark.

use crate::{AppError, Caller, Clock};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::{Direction, IndicatorId, MunicipalityId};
use kusei_report::sample::{city_records, INDICATORS};
use kusei_store::{NewIndicator, Store, Transition};

const ACTOR: &str = "kusei sample-city";

/// Creates the city `name` (code `code`) with `wards` wards × `years`, `items` 具体的取組
/// per plan, and publishes every plan. Returns the municipality.
pub async fn load(
    store: &Store,
    code: &str,
    name: &str,
    wards: usize,
    years: &[FiscalYear],
    items: usize,
) -> Result<MunicipalityId, AppError> {
    let m = store.create_municipality(ACTOR, code, name, true).await?;
    let mut ids: Vec<IndicatorId> = Vec::new();
    for ind in INDICATORS {
        ids.push(
            store
                .ensure_indicator(
                    ACTOR,
                    &NewIndicator {
                        municipality_id: m,
                        name: ind.name,
                        unit: ind.unit,
                        direction: if ind.higher_is_better {
                            Direction::HigherIsBetter
                        } else {
                            Direction::LowerIsBetter
                        },
                        definition: Some(ind.definition),
                        source: Some("見本データ"),
                        is_common: true,
                    },
                )
                .await?,
        );
    }
    let current = years.iter().copied().max().unwrap_or(FiscalYear::MIN);
    let caller = Caller::operator(ACTOR);
    let today = Clock::System.today_jst();
    for record in city_records(name, wards, years, items, &ids, current) {
        let outcome =
            crate::import::store_record(store, &caller, &record, "sample-city", m, today).await?;
        let plan = crate::import::plan_of(&outcome);
        for step in [Transition::Submit, Transition::Approve, Transition::Publish] {
            store.transition(ACTOR, plan, step, None).await?;
        }
    }
    Ok(m)
}
