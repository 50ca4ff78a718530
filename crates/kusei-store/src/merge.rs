//! Two people editing one item: a save made on an older version is merged field by field
//! with what was saved since, against the version the form was opened at (read back from
//! the history). A field only one of them changed takes that change; a field both changed
//! differently is a conflict, and nothing is stored.
//!
//! Fields: the title, the subtitle, each plan section (by heading, when both kept the same
//! headings; otherwise the plan sections as a whole) and the targets as a whole. Sections
//! of the other phases are not the plan form's: what is stored stays.

use crate::plans::content_snapshot;
use crate::{NodeEdit, StoreError, StoredNode};
use kusei_domain::model::{Phase, Section};
use serde_json::Value;
use sqlx::Row;

/// A merge of one save into what is stored now.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// What to store: the save's changes on top of what others stored since.
    pub edit: NodeEdit,
    /// Fields both changed differently (`title`, `subtitle`, `section:HEADING`,
    /// `sections`, `targets`); empty when the merge can be stored.
    pub conflicts: Vec<String>,
}

/// The snapshot of a node at `version`: the `version`-th history entry of the node (its
/// creation is version 1, and every stored change adds one entry and one version).
pub(crate) async fn snapshot_at(
    conn: &mut sqlx::AnyConnection,
    node_id: i64,
    version: i64,
) -> Result<Option<Value>, StoreError> {
    if version < 1 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT after FROM change_log WHERE entity = 'node' AND entity_id = $1 \
         ORDER BY id LIMIT 1 OFFSET $2",
    )
    .bind(node_id)
    .bind(version - 1)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let text: Option<String> = row.try_get("after")?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

fn plan_sections(v: &Value) -> Vec<(String, String)> {
    v.get("sections")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|s| s.get("phase").and_then(Value::as_str) == Some(Phase::Plan.code()))
                .map(|s| {
                    let text = |k: &str| {
                        s.get(k)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string()
                    };
                    (text("heading"), text("body"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Three-way choice for one field: `None` when both changed it differently.
fn pick<T: PartialEq + Clone>(base: &T, mine: &T, theirs: &T) -> Option<T> {
    if mine == base || mine == theirs {
        Some(theirs.clone())
    } else if theirs == base {
        Some(mine.clone())
    } else {
        None
    }
}

/// Merges `edit` (made on the version whose snapshot is `base`) into `now`.
pub(crate) fn merge(base: &Value, now: &StoredNode, edit: &NodeEdit) -> Merge {
    let theirs = content_snapshot(&now.to_content(), now.node.owner_unit_id.map(|u| u.0));
    let mut mine_content = now.to_content();
    mine_content.title = edit.title.clone();
    mine_content.subtitle = edit.subtitle.clone();
    mine_content.sections = edit.sections.clone();
    if let Some(t) = &edit.targets {
        mine_content.targets = t.clone();
    }
    let mine = content_snapshot(&mine_content, now.node.owner_unit_id.map(|u| u.0));
    let mut conflicts = Vec::new();
    let mut field = |name: &str, b: &Value, m: &Value, t: &Value| -> Value {
        pick(b, m, t).unwrap_or_else(|| {
            conflicts.push(name.to_string());
            m.clone()
        })
    };
    let title = field("title", &base["title"], &mine["title"], &theirs["title"]);
    let subtitle = field(
        "subtitle",
        &base["subtitle"],
        &mine["subtitle"],
        &theirs["subtitle"],
    );
    let targets = if edit.targets.is_some() {
        field(
            "targets",
            &base["targets"],
            &mine["targets"],
            &theirs["targets"],
        )
    } else {
        theirs["targets"].clone()
    };
    let targets_mine = targets == mine["targets"] && mine["targets"] != theirs["targets"];
    let (b, m, t) = (
        plan_sections(base),
        plan_sections(&mine),
        plan_sections(&theirs),
    );
    let headings = |s: &[(String, String)]| s.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    let sections: Vec<(String, String)> =
        if headings(&b) == headings(&m) && headings(&m) == headings(&t) {
            b.iter()
                .zip(&m)
                .zip(&t)
                .map(|(((h, bb), (_, mb)), (_, tb))| {
                    let body = pick(bb, mb, tb).unwrap_or_else(|| {
                        conflicts.push(format!("section:{h}"));
                        mb.clone()
                    });
                    (h.clone(), body)
                })
                .collect()
        } else {
            pick(&b, &m, &t).unwrap_or_else(|| {
                conflicts.push("sections".into());
                m.clone()
            })
        };
    let mut all_sections: Vec<Section> = sections
        .into_iter()
        .map(|(heading, body)| Section {
            phase: Phase::Plan,
            heading,
            body,
        })
        .collect();
    all_sections.extend(
        now.node
            .sections
            .iter()
            .filter(|s| s.phase != Phase::Plan)
            .cloned(),
    );
    Merge {
        edit: NodeEdit {
            title: title.as_str().unwrap_or_default().to_string(),
            subtitle: subtitle.as_str().map(str::to_string),
            sections: all_sections,
            // Kept as stored unless the save's own targets win.
            targets: if targets_mine {
                edit.targets.clone()
            } else {
                None
            },
        },
        conflicts,
    }
}

/// The targets of a snapshot, as they were stored at that version.
fn snapshot_targets(v: &Value) -> Vec<kusei_domain::model::Target> {
    use kusei_domain::calendar::FiscalYear;
    use kusei_domain::model::{Comparator, Period, Target};
    let year = |t: &Value, k: &str| {
        t.get(k)
            .and_then(Value::as_i64)
            .and_then(|y| i32::try_from(y).ok())
            .and_then(|y| FiscalYear::new(y).ok())
    };
    let text = |t: &Value, k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
    v.get("targets")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|t| Target {
                    indicator_id: None,
                    period: match (year(t, "fy_start"), year(t, "fy_end")) {
                        (Some(a), Some(b)) => Some(Period::span(a, b)),
                        _ => None,
                    },
                    value: t.get("value").and_then(Value::as_f64),
                    measure_unit: text(t, "unit"),
                    comparator: text(t, "comparator").and_then(|c| Comparator::from_code(&c)),
                    text: text(t, "text").unwrap_or_default(),
                    indicator_name: text(t, "indicator"),
                    this_year: t.get("this_year").and_then(Value::as_bool).unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl crate::Store {
    /// The targets of a node as they were at `version` (what a form opened then showed),
    /// or `None` when that version is not in the history.
    pub async fn targets_at(
        &self,
        node_id: kusei_domain::model::NodeId,
        version: i64,
    ) -> Result<Option<Vec<kusei_domain::model::Target>>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(snapshot_at(&mut conn, node_id.0, version)
            .await?
            .map(|v| snapshot_targets(&v)))
    }

    /// What a save made on `expected_version` would store if merged now, and the fields
    /// that conflict (for the 409 page: the other person's changes beside the user's
    /// own). `None` when the version the form was opened at cannot be found.
    pub async fn merge_preview(
        &self,
        node_id: kusei_domain::model::NodeId,
        expected_version: i64,
        edit: &NodeEdit,
    ) -> Result<Option<Merge>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let Some(base) = snapshot_at(&mut conn, node_id.0, expected_version).await? else {
            return Ok(None);
        };
        drop(conn);
        let plan = self.load_plan(self.node_plan(node_id).await?).await?;
        let Some(now) = plan.nodes.iter().find(|n| n.node.id == node_id) else {
            return Err(StoreError::NotFound(format!("node {node_id}")));
        };
        Ok(Some(merge(&base, now, edit)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_field_only_one_side_changed_takes_that_change() {
        assert_eq!(pick(&1, &1, &2), Some(2));
        assert_eq!(pick(&1, &3, &1), Some(3));
        assert_eq!(pick(&1, &3, &3), Some(3));
        assert_eq!(pick(&1, &3, &4), None);
        assert_eq!(
            pick(&json!("a"), &json!("a"), &json!("a")),
            Some(json!("a"))
        );
    }
}
