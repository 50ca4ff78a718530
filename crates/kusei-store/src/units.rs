//! Municipalities, organisation units and indicators.

use crate::history::record;
use crate::{now_utc, Actor, Store, StoreError};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::{
    Direction, Indicator, IndicatorId, Municipality, MunicipalityId, Unit, UnitId, UnitKind,
};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::Row;

fn municipality_from_row(row: &AnyRow) -> Result<Municipality, StoreError> {
    Ok(Municipality {
        id: MunicipalityId(row.try_get("id")?),
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        is_sample: row.try_get::<i64, _>("is_sample")? != 0,
    })
}

fn unit_from_row(row: &AnyRow) -> Result<Unit, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(Unit {
        id: UnitId(row.try_get("id")?),
        municipality_id: MunicipalityId(row.try_get("municipality_id")?),
        parent_id: row.try_get::<Option<i64>, _>("parent_id")?.map(UnitId),
        kind: UnitKind::from_code(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unit kind {kind:?}")))?,
        name: row.try_get("name")?,
        phone: row.try_get("phone")?,
        fax: row.try_get("fax")?,
        duties: row.try_get("duties")?,
        retired_at: row.try_get("retired_at")?,
    })
}

fn indicator_from_row(row: &AnyRow) -> Result<Indicator, StoreError> {
    let direction: String = row.try_get("direction")?;
    Ok(Indicator {
        id: IndicatorId(row.try_get("id")?),
        municipality_id: MunicipalityId(row.try_get("municipality_id")?),
        name: row.try_get("name")?,
        unit: row.try_get("unit")?,
        direction: Direction::from_code(&direction)
            .ok_or_else(|| StoreError::Corrupt(format!("indicator direction {direction:?}")))?,
        definition: row.try_get("definition")?,
        source: row.try_get("source")?,
        is_common: row.try_get::<i64, _>("is_common")? != 0,
    })
}

/// How an indicator is recorded in the history.
fn indicator_json(i: &Indicator) -> serde_json::Value {
    new_indicator_json(&NewIndicator {
        municipality_id: i.municipality_id,
        name: &i.name,
        unit: &i.unit,
        direction: i.direction,
        definition: i.definition.as_deref(),
        source: i.source.as_deref(),
        is_common: i.is_common,
    })
}

fn new_indicator_json(i: &NewIndicator<'_>) -> serde_json::Value {
    json!({
        "name": i.name, "unit": i.unit, "direction": i.direction.code(),
        "definition": i.definition, "source": i.source, "is_common": i.is_common,
    })
}

const UNIT_COLUMNS: &str =
    "id, municipality_id, parent_id, kind, name, phone, fax, duties, retired_at";
const INDICATOR_COLUMNS: &str =
    "id, municipality_id, name, unit, direction, definition, source, is_common";

/// A unit to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUnit<'a> {
    pub municipality_id: MunicipalityId,
    pub parent_id: Option<UnitId>,
    pub kind: UnitKind,
    pub name: &'a str,
    pub phone: Option<&'a str>,
    pub fax: Option<&'a str>,
    pub duties: Option<&'a str>,
}

/// An indicator to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIndicator<'a> {
    pub municipality_id: MunicipalityId,
    pub name: &'a str,
    pub unit: &'a str,
    pub direction: Direction,
    pub definition: Option<&'a str>,
    pub source: Option<&'a str>,
    pub is_common: bool,
}

/// One point of an indicator's series: a unit's target and actual in a fiscal year.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub unit_id: UnitId,
    pub fiscal_year: FiscalYear,
    pub target: Option<f64>,
    pub actual: Option<f64>,
}

impl Store {
    /// Creates a municipality; the code must be unique.
    #[tracing::instrument(skip_all)]
    pub async fn create_municipality(
        &self,
        actor: Actor<'_>,
        code: &str,
        name: &str,
        is_sample: bool,
    ) -> Result<MunicipalityId, StoreError> {
        usable_name("name", name)?;
        let at = now_utc();
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO municipality (code, name, is_sample) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(code)
        .bind(name)
        .bind(i64::from(is_sample))
        .fetch_one(&mut *tx)
        .await?;
        let after = json!({"code": code, "name": name, "is_sample": is_sample});
        record(&mut tx, actor, &at, "municipality", id, None, Some(&after)).await?;
        tx.commit().await?;
        Ok(MunicipalityId(id))
    }

    /// Renames a municipality (recorded in the history); an empty name is refused.
    #[tracing::instrument(skip_all)]
    pub async fn rename_municipality(
        &self,
        actor: Actor<'_>,
        id: MunicipalityId,
        name: &str,
    ) -> Result<(), StoreError> {
        usable_name("name", name)?;
        let at = now_utc();
        let mut tx = self.write().await?;
        let before: String = sqlx::query_scalar("SELECT name FROM municipality WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("municipality {id}")))?;
        sqlx::query("UPDATE municipality SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            &at,
            "municipality",
            id.0,
            Some(&json!({"name": before})),
            Some(&json!({"name": name})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn list_municipalities(&self) -> Result<Vec<Municipality>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, code, name, is_sample FROM municipality WHERE removed_at IS NULL ORDER BY code",
        )
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(municipality_from_row).collect()
    }

    /// Removes the sample municipality (a city starting its own): it leaves every list,
    /// and its plans' published versions are withdrawn from the public (they are kept:
    /// a published version never changes). Only a sample can be removed; a real city's
    /// history stays. Returns how many plans were withdrawn.
    pub async fn remove_sample_municipality(
        &self,
        actor: Actor<'_>,
        m: MunicipalityId,
    ) -> Result<u64, StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT id, code, name, is_sample FROM municipality WHERE id = $1 AND removed_at IS NULL",
        )
        .bind(m.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("municipality {m}")))?;
        let before = municipality_from_row(&row)?;
        if !before.is_sample {
            return Err(StoreError::Field {
                field: "remove".into(),
                message: "削除できるのはサンプルの自治体だけです（実在の自治体の履歴は残します）。 Only the sample municipality can be removed (a real city's history is kept).".into(),
            });
        }
        let plans =
            "SELECT p.id FROM plan p JOIN unit u ON u.id = p.unit_id WHERE u.municipality_id = $1";
        sqlx::query(&format!(
            "DELETE FROM published_summary WHERE plan_id IN ({plans})"
        ))
        .bind(m.0)
        .execute(&mut *tx)
        .await?;
        let withdrawn = sqlx::query(&format!(
            "UPDATE plan SET withdrawn_at = $2 WHERE id IN ({plans}) AND withdrawn_at IS NULL"
        ))
        .bind(m.0)
        .bind(&at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("UPDATE municipality SET removed_at = $2 WHERE id = $1")
            .bind(m.0)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        let b = json!({"code": before.code, "name": before.name, "is_sample": true});
        let a = json!({"code": before.code, "name": before.name, "is_sample": true, "removed_at": at, "plans_withdrawn": withdrawn});
        record(&mut tx, actor, &at, "municipality", m.0, Some(&b), Some(&a)).await?;
        tx.commit().await?;
        Ok(withdrawn)
    }

    /// Retires a unit (廃止) or puts it back in use. A unit with sub-units in use is not
    /// retired (retire them first); its items keep it as their 担当, its history stays.
    pub async fn set_unit_retired(
        &self,
        actor: Actor<'_>,
        id: UnitId,
        retired: bool,
    ) -> Result<(), StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let row = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM unit WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("unit {id}")))?;
        let before = unit_from_row(&row)?;
        if before.retired_at.is_some() == retired {
            return Ok(());
        }
        if retired {
            let in_use: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM unit WHERE parent_id = $1 AND retired_at IS NULL",
            )
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
            if in_use > 0 {
                return Err(StoreError::Field {
                    field: "retire".into(),
                    message: format!("この組織の下に使用中の組織が{in_use}件あります。先にそれらを廃止するか、移動してください。 {in_use} units under it are still in use: retire or move them first."),
                });
            }
        } else if let Some(p) = before.parent_id {
            let parent_retired: Option<Option<String>> =
                sqlx::query_scalar("SELECT retired_at FROM unit WHERE id = $1")
                    .bind(p.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            if parent_retired.flatten().is_some() {
                return Err(StoreError::Field {
                    field: "retire".into(),
                    message: "上位の組織が廃止されています。先に上位の組織を再開してください。 The unit above it is retired: put that back in use first.".into(),
                });
            }
        }
        let value = retired.then(|| at.clone());
        sqlx::query("UPDATE unit SET retired_at = $2 WHERE id = $1")
            .bind(id.0)
            .bind(value.as_deref())
            .execute(&mut *tx)
            .await?;
        let b = json!({"name": before.name, "retired_at": before.retired_at});
        let a = json!({"name": before.name, "retired_at": value});
        record(&mut tx, actor, &at, "unit", id.0, Some(&b), Some(&a)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// True when no municipality and no user exist yet (a fresh database).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        // A server started with --no-sample has a user and no municipality yet: that is
        // not empty (a restart, or a second instance, must not make a second first start).
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM municipality) + (SELECT COUNT(*) FROM app_user)",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(n == 0)
    }

    /// Creates an organisation unit.
    #[tracing::instrument(skip_all)]
    pub async fn create_unit(
        &self,
        actor: Actor<'_>,
        unit: &NewUnit<'_>,
    ) -> Result<UnitId, StoreError> {
        usable_name("name", unit.name)?;
        usable_phone("phone", unit.phone)?;
        usable_phone("fax", unit.fax)?;
        let at = now_utc();
        let mut tx = self.write().await?;
        let mut parent_kind = None;
        if let Some(parent) = unit.parent_id {
            let row = sqlx::query("SELECT municipality_id, kind FROM unit WHERE id = $1")
                .bind(parent.0)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("unit {parent}")))?;
            let home: i64 = row.try_get("municipality_id")?;
            if home != unit.municipality_id.0 {
                return Err(StoreError::Field {
                    field: "parent".into(),
                    message: "上位の組織は別の自治体のものです。 The parent unit belongs to another municipality.".into(),
                });
            }
            let kind: String = row.try_get("kind")?;
            parent_kind = UnitKind::from_code(&kind);
        }
        if !unit.kind.fits_under(parent_kind) {
            return Err(StoreError::Field {
                field: "parent".into(),
                message: "この種類の組織はその下には置けません（例: 担当の下に区は置けません）。 A unit of this kind cannot sit there (no ward under a section, for instance).".into(),
            });
        }
        let position: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM unit WHERE municipality_id = $1 AND COALESCE(parent_id, 0) = $2",
        )
        .bind(unit.municipality_id.0)
        .bind(unit.parent_id.map_or(0, |p| p.0))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO unit (municipality_id, parent_id, kind, name, phone, fax, duties, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(unit.municipality_id.0)
        .bind(unit.parent_id.map(|p| p.0))
        .bind(unit.kind.code())
        .bind(unit.name)
        .bind(unit.phone)
        .bind(unit.fax)
        .bind(unit.duties)
        .bind(position)
        .fetch_one(&mut *tx)
        .await?;
        let after = json!({
            "municipality_id": unit.municipality_id.0, "parent_id": unit.parent_id.map(|p| p.0),
            "kind": unit.kind.code(), "name": unit.name, "phone": unit.phone, "fax": unit.fax,
            "duties": unit.duties,
        });
        record(&mut tx, actor, &at, "unit", id, None, Some(&after)).await?;
        tx.commit().await?;
        Ok(UnitId(id))
    }

    /// Renames a unit, moves it under another parent of its municipality (its kind must
    /// fit there, and never under itself or a unit below it) and sets its contacts and
    /// duties; recorded in the history. Plans and items keep pointing at it by id, so
    /// nothing of its history is lost.
    pub async fn update_unit(
        &self,
        actor: Actor<'_>,
        id: UnitId,
        edit: &NewUnit<'_>,
    ) -> Result<(), StoreError> {
        usable_name("name", edit.name)?;
        let before = self.get_unit(id).await?;
        // Checked when changed: a number an import kept as its document wrote it stays
        // savable as it is.
        if edit.phone != before.phone.as_deref() {
            usable_phone("phone", edit.phone)?;
        }
        if edit.fax != before.fax.as_deref() {
            usable_phone("fax", edit.fax)?;
        }
        let units = self.list_units(before.municipality_id).await?;
        let parent_kind = match edit.parent_id {
            Some(p) => {
                let Some(parent) = units.iter().find(|u| u.id == p) else {
                    return Err(StoreError::Field {
                        field: "parent".into(),
                        message: "上位の組織は別の自治体のものです。 The parent unit belongs to another municipality.".into(),
                    });
                };
                // Not under itself, nor under a unit below it.
                let mut at = Some(parent.id);
                for _ in 0..64 {
                    let Some(u) = at else { break };
                    if u == id {
                        return Err(StoreError::Field {
                            field: "parent".into(),
                            message: "組織を自分自身やその下の組織の下には移せません。 A unit cannot move under itself or a unit below it.".into(),
                        });
                    }
                    at = units.iter().find(|x| x.id == u).and_then(|x| x.parent_id);
                }
                Some(parent.kind)
            }
            None => None,
        };
        if !before.kind.fits_under(parent_kind) {
            return Err(StoreError::Field {
                field: "parent".into(),
                message: "この種類の組織はその下には置けません（例: 担当の下に区は置けません）。 A unit of this kind cannot sit there (no ward under a section, for instance).".into(),
            });
        }
        let at = now_utc();
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE unit SET name = $1, parent_id = $2, phone = $3, fax = $4, duties = $5 WHERE id = $6",
        )
        .bind(edit.name)
        .bind(edit.parent_id.map(|p| p.0))
        .bind(edit.phone)
        .bind(edit.fax)
        .bind(edit.duties)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let was = json!({
            "parent_id": before.parent_id.map(|p| p.0), "name": before.name,
            "phone": before.phone, "fax": before.fax, "duties": before.duties,
        });
        let now = json!({
            "parent_id": edit.parent_id.map(|p| p.0), "name": edit.name,
            "phone": edit.phone, "fax": edit.fax, "duties": edit.duties,
        });
        if was != now {
            record(&mut tx, actor, &at, "unit", id.0, Some(&was), Some(&now)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn get_unit(&self, id: UnitId) -> Result<Unit, StoreError> {
        let row = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM unit WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("unit {id}")))?;
        unit_from_row(&row)
    }

    /// Units of a municipality in tree order (parents before children, then position).
    #[tracing::instrument(skip_all)]
    pub async fn list_units(&self, municipality: MunicipalityId) -> Result<Vec<Unit>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {UNIT_COLUMNS} FROM unit WHERE municipality_id = $1 ORDER BY COALESCE(parent_id, 0), position, id"
        ))
        .bind(municipality.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(unit_from_row).collect()
    }

    /// Finds a unit by name within a municipality (the first one, if names repeat).
    pub async fn find_unit(
        &self,
        municipality: MunicipalityId,
        name: &str,
    ) -> Result<Option<Unit>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {UNIT_COLUMNS} FROM unit WHERE municipality_id = $1 AND name = $2 ORDER BY id LIMIT 1"
        ))
        .bind(municipality.0)
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(unit_from_row).transpose()
    }

    /// Creates an indicator, or returns the existing one of the same name (the one it was
    /// merged into, when that name was merged).
    #[tracing::instrument(skip_all)]
    pub async fn ensure_indicator(
        &self,
        actor: Actor<'_>,
        ind: &NewIndicator<'_>,
    ) -> Result<IndicatorId, StoreError> {
        if let Some(id) = sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(merged_into, id) FROM indicator WHERE municipality_id = $1 AND name = $2",
        )
        .bind(ind.municipality_id.0)
        .bind(ind.name)
        .fetch_optional(self.pool())
        .await?
        {
            return Ok(IndicatorId(id));
        }
        let at = now_utc();
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO indicator (municipality_id, name, unit, direction, definition, source, is_common) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(ind.municipality_id.0)
        .bind(ind.name)
        .bind(ind.unit)
        .bind(ind.direction.code())
        .bind(ind.definition)
        .bind(ind.source)
        .bind(i64::from(ind.is_common))
        .fetch_one(&mut *tx)
        .await?;
        let after = new_indicator_json(ind);
        record(&mut tx, actor, &at, "indicator", id, None, Some(&after)).await?;
        tx.commit().await?;
        Ok(IndicatorId(id))
    }

    /// The indicators of a municipality (not those merged into another).
    pub async fn list_indicators(
        &self,
        municipality: MunicipalityId,
    ) -> Result<Vec<Indicator>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {INDICATOR_COLUMNS} FROM indicator WHERE municipality_id = $1 AND merged_into IS NULL \
             ORDER BY is_common DESC, name"
        ))
        .bind(municipality.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(indicator_from_row).collect()
    }

    /// Names merged into another indicator, each with the indicator it now is.
    pub async fn indicator_aliases(
        &self,
        municipality: MunicipalityId,
    ) -> Result<Vec<(String, IndicatorId)>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, merged_into FROM indicator WHERE municipality_id = $1 AND merged_into IS NOT NULL ORDER BY name",
        )
        .bind(municipality.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, IndicatorId(r.try_get("merged_into")?))))
            .collect()
    }

    /// Indicators merged into another: (the merged id, the indicator it now is). Published
    /// snapshots keep the ids they were published with; readers of snapshots map them.
    pub async fn merged_indicators(
        &self,
        municipality: MunicipalityId,
    ) -> Result<Vec<(IndicatorId, IndicatorId)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, merged_into FROM indicator WHERE municipality_id = $1 AND merged_into IS NOT NULL",
        )
        .bind(municipality.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    IndicatorId(r.try_get("id")?),
                    IndicatorId(r.try_get("merged_into")?),
                ))
            })
            .collect()
    }

    /// One indicator, by id; for an id merged into another, the one it was merged into.
    pub async fn get_indicator(&self, id: IndicatorId) -> Result<Option<Indicator>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {INDICATOR_COLUMNS} FROM indicator \
             WHERE id = (SELECT COALESCE(merged_into, id) FROM indicator WHERE id = $1)"
        ))
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(indicator_from_row).transpose()
    }

    /// Changes what an indicator is called and how it is defined, recording before and
    /// after. Its targets and actuals stay linked to it.
    #[tracing::instrument(skip_all)]
    pub async fn update_indicator(
        &self,
        actor: Actor<'_>,
        id: IndicatorId,
        edit: &NewIndicator<'_>,
    ) -> Result<(), StoreError> {
        usable_name("name", edit.name)?;
        if edit.unit.trim().is_empty() {
            return Err(StoreError::Field {
                field: "unit".into(),
                message: "単位を入力してください。 Enter the unit.".into(),
            });
        }
        let at = now_utc();
        let mut tx = self.write().await?;
        let row = sqlx::query(&format!(
            "SELECT {INDICATOR_COLUMNS} FROM indicator WHERE id = $1 AND merged_into IS NULL"
        ))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("indicator {id}")))?;
        let old = indicator_from_row(&row)?;
        if old.municipality_id != edit.municipality_id {
            return Err(StoreError::NotFound(format!("indicator {id}")));
        }
        let taken: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM indicator WHERE municipality_id = $1 AND name = $2 AND id <> $3",
        )
        .bind(old.municipality_id.0)
        .bind(edit.name)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Err(StoreError::Duplicate(format!("indicator {}", edit.name)));
        }
        let before = indicator_json(&old);
        let after = new_indicator_json(edit);
        if before == after {
            return Ok(());
        }
        sqlx::query(
            "UPDATE indicator SET name = $1, unit = $2, direction = $3, definition = $4, source = $5, \
             is_common = $6 WHERE id = $7",
        )
        .bind(edit.name)
        .bind(edit.unit)
        .bind(edit.direction.code())
        .bind(edit.definition)
        .bind(edit.source)
        .bind(i64::from(edit.is_common))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            &at,
            "indicator",
            id.0,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Merges indicator `from` into `into` (same municipality): every target and actual
    /// of `from` becomes one of `into`, and `from` stays as a name of `into` (a later
    /// import under that name links to `into`). Recorded in the history of both.
    #[tracing::instrument(skip_all)]
    pub async fn merge_indicators(
        &self,
        actor: Actor<'_>,
        from: IndicatorId,
        into: IndicatorId,
    ) -> Result<(), StoreError> {
        if from == into {
            return Err(StoreError::Invalid(
                "同じ指標どうしは統合できません。 An indicator cannot be merged into itself."
                    .into(),
            ));
        }
        let at = now_utc();
        let mut tx = self.write().await?;
        let mut found = Vec::new();
        for id in [from, into] {
            let row = sqlx::query(&format!(
                "SELECT {INDICATOR_COLUMNS} FROM indicator WHERE id = $1 AND merged_into IS NULL"
            ))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("indicator {id}")))?;
            found.push(indicator_from_row(&row)?);
        }
        if found[0].municipality_id != found[1].municipality_id {
            return Err(StoreError::NotFound(format!("indicator {into}")));
        }
        let mut moved = 0u64;
        for table in ["target", "actual"] {
            moved += sqlx::query(&format!(
                "UPDATE {table} SET indicator_id = $1 WHERE indicator_id = $2"
            ))
            .bind(into.0)
            .bind(from.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        sqlx::query("UPDATE indicator SET merged_into = $1 WHERE id = $2 OR merged_into = $2")
            .bind(into.0)
            .bind(from.0)
            .execute(&mut *tx)
            .await?;
        let before = indicator_json(&found[0]);
        let after = json!({ "merged_into": into.0, "name": found[0].name });
        record(
            &mut tx,
            actor,
            &at,
            "indicator",
            from.0,
            Some(&before),
            Some(&after),
        )
        .await?;
        let kept = indicator_json(&found[1]);
        let mut with = kept.clone();
        if let Some(m) = with.as_object_mut() {
            m.insert(
                "merged".into(),
                json!({ "id": from.0, "name": found[0].name, "figures": moved }),
            );
        }
        record(
            &mut tx,
            actor,
            &at,
            "indicator",
            into.0,
            Some(&kept),
            Some(&with),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many targets and actuals each indicator of a municipality has.
    pub async fn indicator_usage(
        &self,
        municipality: MunicipalityId,
    ) -> Result<Vec<(IndicatorId, i64, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.id, \
               (SELECT COUNT(*) FROM target t WHERE t.indicator_id = i.id) AS targets, \
               (SELECT COUNT(*) FROM actual a WHERE a.indicator_id = i.id) AS actuals \
             FROM indicator i WHERE i.municipality_id = $1 AND i.merged_into IS NULL",
        )
        .bind(municipality.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    IndicatorId(r.try_get("id")?),
                    r.try_get("targets")?,
                    r.try_get("actuals")?,
                ))
            })
            .collect()
    }

    /// Targets and actuals of one indicator for every unit and fiscal year, so it can be
    /// compared across wards and followed over years. Ordered by year, then unit.
    #[tracing::instrument(skip_all)]
    pub async fn indicator_series(
        &self,
        indicator: IndicatorId,
    ) -> Result<Vec<SeriesPoint>, StoreError> {
        self.series(indicator, None).await
    }

    /// [`Store::indicator_series`] of one unit (read by the index on indicator, year, unit).
    pub async fn indicator_series_of_unit(
        &self,
        indicator: IndicatorId,
        unit: UnitId,
    ) -> Result<Vec<SeriesPoint>, StoreError> {
        self.series(indicator, Some(unit)).await
    }

    async fn series(
        &self,
        indicator: IndicatorId,
        unit: Option<UnitId>,
    ) -> Result<Vec<SeriesPoint>, StoreError> {
        let rows = sqlx::query(
            "SELECT unit_id, fy, MAX(t) AS target, MAX(a) AS actual FROM ( \
               SELECT unit_id, fy_end AS fy, value AS t, NULL AS a FROM target \
                 WHERE indicator_id = $1 AND fy_end IS NOT NULL AND value IS NOT NULL \
                   AND ($2 = 0 OR unit_id = $2) \
               UNION ALL \
               SELECT unit_id, fiscal_year AS fy, NULL AS t, value AS a FROM actual \
                 WHERE indicator_id = $1 AND fiscal_year IS NOT NULL AND value IS NOT NULL AND as_of IS NULL \
                   AND ($2 = 0 OR unit_id = $2) \
             ) s GROUP BY unit_id, fy ORDER BY fy, unit_id",
        )
        .bind(indicator.0)
        .bind(unit.map_or(0, |u| u.0))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let fy: i64 = row.try_get("fy")?;
                Ok(SeriesPoint {
                    unit_id: UnitId(row.try_get("unit_id")?),
                    fiscal_year: fiscal_year(fy)?,
                    target: row.try_get("target")?,
                    actual: row.try_get("actual")?,
                })
            })
            .collect()
    }
}

pub(crate) fn fiscal_year(fy: i64) -> Result<FiscalYear, StoreError> {
    i32::try_from(fy)
        .ok()
        .and_then(|y| FiscalYear::new(y).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("fiscal year {fy}")))
}

impl Store {
    /// A municipality's settings (JSON object: `grading`, form variants, …); `{}` when unset.
    pub async fn municipality_settings(
        &self,
        id: MunicipalityId,
    ) -> Result<serde_json::Value, StoreError> {
        let text: String = sqlx::query_scalar("SELECT settings FROM municipality WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("municipality {id}")))?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("settings: {e}")))
    }

    /// Replaces one key of a municipality's settings, recording before and after.
    #[tracing::instrument(skip_all)]
    pub async fn set_municipality_setting(
        &self,
        actor: Actor<'_>,
        id: MunicipalityId,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let text: String = sqlx::query_scalar("SELECT settings FROM municipality WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("municipality {id}")))?;
        let before: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("settings: {e}")))?;
        let mut after = before.clone();
        match after.as_object_mut() {
            Some(map) => {
                map.insert(key.to_string(), value.clone());
            }
            None => after = json!({ key: value }),
        }
        sqlx::query("UPDATE municipality SET settings = $1 WHERE id = $2")
            .bind(after.to_string())
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            &at,
            "municipality_settings",
            id.0,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Refuses a name that cannot be used (empty, control or text-direction characters).
/// A phone or fax number as people write it: digits (full-width too), hyphens, brackets,
/// spaces, a leading +, and 内線 (extension). Letters and other signs are refused.
pub(crate) fn usable_phone(field: &str, number: Option<&str>) -> Result<(), StoreError> {
    let Some(n) = number.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(());
    };
    let rest = n.replace("内線", "");
    let ok = rest.chars().all(|c| {
        c.is_ascii_digit() || ('０'..='９').contains(&c) || "-－ー‐―()（） 　+＋".contains(c)
    }) && n
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Field {
            field: field.into(),
            message: format!("「{n}」は電話番号として読めません。数字とハイフンで入力してください（例: 06-6930-9625、内線は「内線123」）。 \
                 Not a phone number: \u{201c}{n}\u{201d}; use digits and hyphens (e.g. 06-6930-9625)."),
        })
    }
}

pub(crate) fn usable_name(field: &str, name: &str) -> Result<(), StoreError> {
    match kusei_domain::content::name_problem(name) {
        None => Ok(()),
        Some((ja, en)) => Err(StoreError::Field {
            field: field.into(),
            message: format!("{ja} {en}"),
        }),
    }
}
