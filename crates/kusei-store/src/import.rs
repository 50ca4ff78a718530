//! Storing imported documents: all or nothing per file; the same file twice changes
//! nothing; a revised version of a document updates its plan and records the differences.

use crate::edit::open_plan_for_edit;
use crate::history::record;
use crate::plans::{
    content_snapshot, delete_node_parts, insert_links, insert_node, insert_node_parts, insert_plan,
    OwnerCache,
};
use crate::tx::WriteTx;
use crate::{now_utc, Actor, Store, StoreError};
use kusei_domain::content::{DirectoryEntry, PlanContent};
use kusei_domain::model::{MunicipalityId, PlanId, UnitId};
use kusei_domain::revision::node_key;
use serde_json::json;

use std::collections::{HashMap, VecDeque};

/// Where an import came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDocument<'a> {
    /// Hex SHA-256 of the file's bytes.
    pub sha256: &'a str,
    pub file_name: &'a str,
    pub family: &'a str,
    pub encoding: &'a str,
    pub schema_version: i64,
    /// The parser's diagnostics as JSON.
    pub diagnostics: &'a str,
}

/// The unit an imported plan belongs to: one that exists (by id: names are never looked
/// up across the city), or a new ward of that name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportUnit<'a> {
    Existing(UnitId),
    NewWard(&'a str),
}

/// Where an imported plan goes: its unit, with the document's directory (業務一覧: 課 and
/// 担当 with contact data) as units under it (created in the same transaction as the
/// plan), and the version of the plan it revises as the caller read it (`None`: the
/// caller saw no such plan). A plan that changed since is a [`StoreError::Conflict`]; a
/// plan that is submitted or approved is [`StoreError::Refused`]; a published one opens
/// its next draft version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTarget<'a> {
    pub municipality: MunicipalityId,
    pub unit: ImportUnit<'a>,
    pub directory: &'a [DirectoryEntry],
    pub expected_version: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
async fn create_unit_tx(
    tx: &mut WriteTx,
    actor: Actor<'_>,
    at: &str,
    municipality: i64,
    parent: Option<i64>,
    kind: &str,
    name: &str,
    contact: &DirectoryEntry,
) -> Result<UnitId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO unit (municipality_id, parent_id, kind, name, phone, fax, duties, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, \
         (SELECT COUNT(*) FROM unit WHERE municipality_id = $1 AND COALESCE(parent_id, 0) = COALESCE($2, 0))) \
         RETURNING id",
    )
    .bind(municipality)
    .bind(parent)
    .bind(kind)
    .bind(name)
    .bind(contact.phone.as_deref())
    .bind(contact.fax.as_deref())
    .bind(contact.duties.as_deref())
    .fetch_one(&mut **tx)
    .await?;
    let after = json!({
        "municipality_id": municipality, "parent_id": parent, "kind": kind, "name": name,
        "phone": contact.phone, "fax": contact.fax, "duties": contact.duties,
    });
    record(tx, actor, at, "unit", id, None, Some(&after)).await?;
    Ok(UnitId(id))
}

#[allow(clippy::too_many_arguments)]
async fn find_or_create_tx(
    tx: &mut WriteTx,
    actor: Actor<'_>,
    at: &str,
    municipality: i64,
    parent: i64,
    kind: &str,
    name: &str,
    contact: &DirectoryEntry,
) -> Result<i64, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM unit WHERE municipality_id = $1 AND parent_id = $2 AND name = $3",
    )
    .bind(municipality)
    .bind(parent)
    .bind(name)
    .fetch_optional(&mut **tx)
    .await?;
    match found {
        Some(id) => Ok(id),
        None => Ok(create_unit_tx(
            tx,
            actor,
            at,
            municipality,
            Some(parent),
            kind,
            name,
            contact,
        )
        .await?
        .0),
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The same bytes were imported before: nothing changed.
    Unchanged { plan_id: PlanId },
    /// A new plan was stored.
    Created { plan_id: PlanId, nodes: usize },
    /// A plan of the same unit, family, period and title existed: it was brought up to
    /// date node by node, each difference recorded in the history.
    Updated {
        plan_id: PlanId,
        changed: usize,
        added: usize,
        removed: usize,
    },
}

impl Store {
    /// The stored plan an imported `content` revises: same unit, family, period and title.
    pub async fn find_plan_like(
        &self,
        unit: UnitId,
        content: &PlanContent,
    ) -> Result<Option<crate::StoredPlan>, StoreError> {
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM plan WHERE unit_id = $1 AND family = $2 AND fy_start = $3 \
             AND fy_end = $4 AND title = $5",
        )
        .bind(unit.0)
        .bind(content.family.code())
        .bind(i64::from(content.period.start.year()))
        .bind(i64::from(content.period.end.year()))
        .bind(&content.title)
        .fetch_optional(self.pool())
        .await?;
        match existing {
            Some(id) => Ok(Some(self.load_plan(PlanId(id)).await?)),
            None => Ok(None),
        }
    }

    /// Imports one document's plan for a unit in one transaction.
    #[tracing::instrument(skip_all, fields(file = source.file_name))]
    pub async fn import_plan(
        &self,
        actor: Actor<'_>,
        target: &ImportTarget<'_>,
        content: &PlanContent,
        source: &SourceDocument<'_>,
    ) -> Result<ImportOutcome, StoreError> {
        content
            .validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let at = now_utc();
        // Reads first (outside the write transaction), then one transaction that writes
        // everything or nothing, guarded by the plan's version.
        // The same bytes again for the same unit: nothing to do. (Another unit's plan of
        // the same file is that unit's; a new ward has no plan yet.)
        if let ImportUnit::Existing(unit) = target.unit {
            if let Some(plan_id) = sqlx::query_scalar::<_, i64>(
                "SELECT p.id FROM source_document d JOIN plan p ON p.source_document_id = d.id \
                 WHERE d.sha256 = $1 AND p.unit_id = $2 ORDER BY p.id LIMIT 1",
            )
            .bind(source.sha256)
            .bind(unit.0)
            .fetch_optional(self.pool())
            .await?
            {
                return Ok(ImportOutcome::Unchanged {
                    plan_id: PlanId(plan_id),
                });
            }
        }
        let found_unit = match target.unit {
            ImportUnit::Existing(id) => {
                let m: Option<i64> =
                    sqlx::query_scalar("SELECT municipality_id FROM unit WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(self.pool())
                        .await?;
                if m != Some(target.municipality.0) {
                    return Err(StoreError::NotFound(format!(
                        "unit {} in municipality {}",
                        id.0, target.municipality.0
                    )));
                }
                Some(id)
            }
            ImportUnit::NewWard(_) => None,
        };
        let current = match found_unit {
            Some(unit) => self.find_plan_like(unit, content).await?,
            None => None,
        };
        match (&current, target.expected_version) {
            (None, None) => {}
            (Some(c), Some(v)) if c.plan.version == v => {}
            (c, expected) => {
                return Err(StoreError::Conflict {
                    what: "plan".into(),
                    expected: expected.unwrap_or(0),
                    current: c.as_ref().map_or(0, |c| c.plan.version),
                })
            }
        }
        let mut tx = self.write().await?;
        let unit_id = match (found_unit, target.unit) {
            (Some(id), _) => id,
            (None, ImportUnit::Existing(id)) => id,
            (None, ImportUnit::NewWard(name)) => {
                create_unit_tx(
                    &mut tx,
                    actor,
                    &at,
                    target.municipality.0,
                    None,
                    "ward",
                    name,
                    &DirectoryEntry::default(),
                )
                .await?
            }
        };
        let no_contact = DirectoryEntry::default();
        for row in target.directory {
            let division = find_or_create_tx(
                &mut tx,
                actor,
                &at,
                target.municipality.0,
                unit_id.0,
                "division",
                &row.division,
                // A row without a 担当 is the division's own contact.
                if row.section.is_none() {
                    row
                } else {
                    &no_contact
                },
            )
            .await?;
            if let Some(section) = &row.section {
                find_or_create_tx(
                    &mut tx,
                    actor,
                    &at,
                    target.municipality.0,
                    division,
                    "section",
                    section,
                    row,
                )
                .await?;
            }
        }
        let doc_id: i64 = sqlx::query_scalar(
            "INSERT INTO source_document (sha256, file_name, family, encoding, schema_version, \
             imported_at, diagnostics) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (sha256) DO UPDATE SET imported_at = excluded.imported_at RETURNING id",
        )
        .bind(source.sha256)
        .bind(source.file_name)
        .bind(source.family)
        .bind(source.encoding)
        .bind(source.schema_version)
        .bind(&at)
        .bind(source.diagnostics)
        .fetch_one(&mut *tx)
        .await?;
        let Some(current) = current else {
            let plan_id = insert_plan(&mut tx, actor, &at, unit_id, content, Some(doc_id)).await?;
            tx.commit().await?;
            return Ok(ImportOutcome::Created {
                plan_id,
                nodes: content.nodes.len(),
            });
        };
        let plan_id = current.plan.id.0;
        let bumped = sqlx::query(
            "UPDATE plan SET version = version + 1, source_document_id = $1, updated_at = $2, \
             level_names = $3 WHERE id = $4 AND version = $5",
        )
        .bind(doc_id)
        .bind(&at)
        .bind(
            serde_json::to_string(&content.level_names)
                .map_err(|e| StoreError::Invalid(e.to_string()))?,
        )
        .bind(plan_id)
        .bind(current.plan.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if bumped != 1 {
            return Err(StoreError::Conflict {
                what: format!("plan {plan_id}"),
                expected: current.plan.version,
                current: current.plan.version + 1,
            });
        }
        let owners = OwnerCache::new(&mut tx, unit_id).await?;
        let mut old_by_key: HashMap<(String, String), VecDeque<usize>> = HashMap::new();
        for (i, sn) in current.nodes.iter().enumerate() {
            let n = &sn.node;
            old_by_key
                .entry(node_key(&n.level, n.number.as_deref(), &n.title))
                .or_default()
                .push_back(i);
        }
        let (mut changed, mut added) = (0, 0);
        let mut matched = vec![false; current.nodes.len()];
        let mut ids = Vec::with_capacity(content.nodes.len());
        for (pos, n) in content.nodes.iter().enumerate() {
            let key = node_key(&n.level, n.number.as_deref(), &n.title);
            let old = old_by_key.get_mut(&key).and_then(VecDeque::pop_front);
            // A document that names no 担当 keeps the one set in Kusei.
            let owner = match (n.owner.as_deref(), old) {
                (None, Some(i)) => current.nodes[i].node.owner_unit_id.map(|u| u.0),
                (name, _) => owners.resolve(name),
            };
            let after = content_snapshot(n, owner);
            match old {
                Some(i) => {
                    matched[i] = true;
                    let sn = &current.nodes[i];
                    let node_id = sn.node.id.0;
                    let before =
                        content_snapshot(&sn.to_content(), sn.node.owner_unit_id.map(|u| u.0));
                    sqlx::query("UPDATE node SET position = $1, source_line = $2 WHERE id = $3")
                        .bind(pos as i64)
                        .bind(n.source_line.map(i64::from))
                        .bind(node_id)
                        .execute(&mut *tx)
                        .await?;
                    if before != after {
                        let marks = serde_json::to_string(&n.marks)
                            .map_err(|e| StoreError::Invalid(e.to_string()))?;
                        sqlx::query(
                            "UPDATE node SET level = $1, number = $2, title = $3, subtitle = $4, \
                             marks = $5, owner_unit_id = $6, version = version + 1 WHERE id = $7",
                        )
                        .bind(&n.level)
                        .bind(n.number.as_deref())
                        .bind(&n.title)
                        .bind(n.subtitle.as_deref())
                        .bind(&marks)
                        .bind(owner)
                        .bind(node_id)
                        .execute(&mut *tx)
                        .await?;
                        delete_node_parts(&mut tx, node_id).await?;
                        insert_node_parts(&mut tx, node_id, unit_id, n).await?;
                        record(
                            &mut tx,
                            actor,
                            &at,
                            "node",
                            node_id,
                            Some(&before),
                            Some(&after),
                        )
                        .await?;
                        changed += 1;
                    }
                    ids.push(node_id);
                }
                None => {
                    let node_id = insert_node(&mut tx, plan_id, pos, n, owner).await?;
                    insert_node_parts(&mut tx, node_id, unit_id, n).await?;
                    record(&mut tx, actor, &at, "node", node_id, None, Some(&after)).await?;
                    added += 1;
                    ids.push(node_id);
                }
            }
        }
        let mut removed = 0;
        for (i, sn) in current.nodes.iter().enumerate() {
            if !matched[i] {
                let before = content_snapshot(&sn.to_content(), sn.node.owner_unit_id.map(|u| u.0));
                sqlx::query("DELETE FROM node WHERE id = $1")
                    .bind(sn.node.id.0)
                    .execute(&mut *tx)
                    .await?;
                record(
                    &mut tx,
                    actor,
                    &at,
                    "node",
                    sn.node.id.0,
                    Some(&before),
                    None,
                )
                .await?;
                removed += 1;
            }
        }
        // Links are structure: rebuilt, and recorded on the plan when they differ.
        let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let old_links: Vec<_> = current
            .links
            .iter()
            .filter_map(|l| {
                Some((
                    *index.get(&l.parent.0)?,
                    *index.get(&l.child.0)?,
                    l.kind.code(),
                ))
            })
            .collect();
        let new_links: Vec<_> = content
            .links
            .iter()
            .map(|l| (l.parent, l.child, l.kind.code()))
            .collect();
        sqlx::query("DELETE FROM node_link WHERE plan_id = $1")
            .bind(plan_id)
            .execute(&mut *tx)
            .await?;
        insert_links(&mut tx, plan_id, content, &ids).await?;
        let links_json = |links: &[(usize, usize, &str)]| {
            json!(links
                .iter()
                .map(|(p, c, k)| json!({"parent": ids[*p], "child": ids[*c], "kind": k}))
                .collect::<Vec<_>>())
        };
        let same_links = {
            let (mut a, mut b) = (old_links.clone(), new_links.clone());
            a.sort_unstable();
            b.sort_unstable();
            a == b
        };
        if changed + added + removed == 0
            && same_links
            && current.plan.level_names == content.level_names
        {
            // The same plan again (e.g. a workbook exported and imported unchanged): the
            // transaction is dropped, so not even the plan's version moves.
            drop(tx);
            return Ok(ImportOutcome::Unchanged {
                plan_id: PlanId(plan_id),
            });
        }
        // Something changes. Submitted or approved: refused (nothing is stored);
        // published: the next draft version opens.
        open_plan_for_edit(&mut tx, actor, &at, PlanId(plan_id)).await?;
        if old_links != new_links || current.plan.level_names != content.level_names {
            record(
                &mut tx,
                actor,
                &at,
                "plan",
                plan_id,
                Some(&json!({"links": links_json(&old_links), "level_names": current.plan.level_names})),
                Some(&json!({"links": links_json(&new_links), "level_names": content.level_names})),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ImportOutcome::Updated {
            plan_id: PlanId(plan_id),
            changed,
            added,
            removed,
        })
    }
}
