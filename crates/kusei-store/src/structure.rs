//! A plan's structure, changed item by item (the browser's plan editor): an item added
//! under a parent or at the top, deleted with what hangs under it, moved among its
//! siblings, shown again under another parent (再掲), and given its 担当. Every change
//! runs in one transaction that opens the plan for editing (refused while submitted or
//! approved; a published plan gets its next draft), bumps the plan's version, and goes
//! to the history; a deleted item's history entry holds everything needed to restore it.

use crate::edit::open_plan_for_edit;
use crate::history::record;
use crate::plans::{content_snapshot, insert_node, insert_node_as, insert_node_parts};
use crate::tx::WriteTx;
use crate::{now_utc, Actor, Store, StoreError};
use kusei_domain::content::NodeContent;
use kusei_domain::model::{LinkKind, NodeId, PlanId, UnitId};
use serde_json::json;
use sqlx::Row;
use std::collections::HashMap;

/// Which way an item moves among its siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
}

/// A new item: its level name (経営課題, 戦略, 具体的取組, 取組項目 …), number as written,
/// and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNode<'a> {
    pub level: &'a str,
    pub number: Option<&'a str>,
    pub title: &'a str,
}

/// What a delete takes with it: the items under the item (only there, not shown again
/// elsewhere) and the 再掲 links that end.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeleteScope {
    /// The item and every item only under it, top first.
    pub nodes: Vec<NodeId>,
    /// 再掲 links that end: (parent, child).
    pub repeats: Vec<(NodeId, NodeId)>,
}

/// An item deleted from a plan, as the plan's history lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletedItem {
    pub node: NodeId,
    pub level: String,
    pub number: Option<String>,
    pub title: String,
    /// How many items under it went with it.
    pub with: usize,
    pub at: String,
    pub actor: String,
    /// The item it was restored as, if it was (restored items have new ids).
    pub restored_as: Option<NodeId>,
}

async fn plan_of(tx: &mut WriteTx, node: NodeId) -> Result<PlanId, StoreError> {
    Ok(PlanId(
        sqlx::query_scalar("SELECT plan_id FROM node WHERE id = $1")
            .bind(node.0)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("node {node}")))?,
    ))
}

async fn bump_plan(tx: &mut WriteTx, plan: PlanId, at: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE plan SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(at)
        .bind(plan.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// (parent, child, position, kind) of every link of a plan.
async fn links(tx: &mut WriteTx, plan: PlanId) -> Result<Vec<(i64, i64, i64, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT parent_id, child_id, position, kind FROM node_link WHERE plan_id = $1 ORDER BY parent_id, position",
    )
    .bind(plan.0)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("parent_id")?,
                r.try_get("child_id")?,
                r.try_get("position")?,
                r.try_get("kind")?,
            ))
        })
        .collect()
}

/// Puts the plan's items back in document order: top-level items by their order, each
/// followed by its primary children in link order (depth first).
async fn renumber(tx: &mut WriteTx, plan: PlanId) -> Result<(), StoreError> {
    let nodes: Vec<(i64, i64)> =
        sqlx::query("SELECT id, position FROM node WHERE plan_id = $1 ORDER BY position, id")
            .bind(plan.0)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("position")?)))
            .collect::<Result<_, StoreError>>()?;
    let links = links(tx, plan).await?;
    let mut children: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    let mut has_parent = std::collections::HashSet::new();
    for (p, c, pos, kind) in &links {
        if kind == "primary" {
            children.entry(*p).or_default().push((*pos, *c));
            has_parent.insert(*c);
        }
    }
    for v in children.values_mut() {
        v.sort();
    }
    let mut order = Vec::with_capacity(nodes.len());
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<i64> = nodes
        .iter()
        .filter(|(id, _)| !has_parent.contains(id))
        .map(|(id, _)| *id)
        .rev()
        .collect();
    while let Some(n) = stack.pop() {
        if !seen.insert(n) {
            continue;
        }
        order.push(n);
        if let Some(kids) = children.get(&n) {
            for (_, c) in kids.iter().rev() {
                stack.push(*c);
            }
        }
    }
    // Items in a cycle or otherwise unreachable keep their relative order at the end.
    for (id, _) in &nodes {
        if !seen.contains(id) {
            order.push(*id);
        }
    }
    for (pos, id) in order.iter().enumerate() {
        sqlx::query("UPDATE node SET position = $1 WHERE id = $2")
            .bind(i64::try_from(pos).unwrap_or(i64::MAX))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Adds an item at the end of `parent`'s children (or of the top level).
    pub async fn add_node(
        &self,
        actor: Actor<'_>,
        plan: PlanId,
        parent: Option<NodeId>,
        new: &NewNode<'_>,
    ) -> Result<NodeId, StoreError> {
        if new.title.trim().is_empty() {
            return Err(StoreError::Field {
                field: "title".into(),
                message: "名称を入力してください。 The title must not be empty.".into(),
            });
        }
        crate::units::usable_name("title", new.title)?;
        let at = now_utc();
        let mut tx = self.write().await?;
        let unit = open_plan_for_edit(&mut tx, actor, &at, plan).await?;
        if let Some(p) = parent {
            if plan_of(&mut tx, p).await? != plan {
                return Err(StoreError::NotFound(format!("node {p} in plan {plan}")));
            }
        }
        let content = NodeContent {
            level: new.level.trim().to_string(),
            number: new
                .number
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            title: new.title.trim().to_string(),
            ..NodeContent::default()
        };
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(position) FROM node WHERE plan_id = $1")
                .bind(plan.0)
                .fetch_one(&mut *tx)
                .await?;
        let id = insert_node(
            &mut tx,
            plan.0,
            usize::try_from(last.unwrap_or(-1) + 1).unwrap_or(0),
            &content,
            None,
        )
        .await?;
        insert_node_parts(&mut tx, id, unit, &content).await?;
        if let Some(p) = parent {
            let pos: Option<i64> =
                sqlx::query_scalar("SELECT MAX(position) FROM node_link WHERE parent_id = $1")
                    .bind(p.0)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(
                "INSERT INTO node_link (plan_id, parent_id, child_id, position, kind) VALUES ($1, $2, $3, $4, 'primary')",
            )
            .bind(plan.0)
            .bind(p.0)
            .bind(id)
            .bind(pos.unwrap_or(-1) + 1)
            .execute(&mut *tx)
            .await?;
        }
        renumber(&mut tx, plan).await?;
        bump_plan(&mut tx, plan, &at).await?;
        note(&mut tx, actor, &at, plan, "added", json!({"node": id})).await?;
        let mut after = content_snapshot(&content, None);
        after["parent_id"] = json!(parent.map(|p| p.0));
        record(&mut tx, actor, &at, "node", id, None, Some(&after)).await?;
        tx.commit().await?;
        Ok(NodeId(id))
    }

    /// What deleting `node` would take with it (asked before the delete is confirmed).
    pub async fn delete_scope(&self, node: NodeId) -> Result<DeleteScope, StoreError> {
        let mut tx = self.write().await?;
        let scope = delete_scope_tx(&mut tx, node).await?;
        drop(tx);
        Ok(scope)
    }

    /// Deletes an item, every item only under it, and the 再掲 links to and from them.
    /// Each deleted item's history entry holds its whole content, its parent and its
    /// 担当, so it can be restored ([`Store::restore_node`]).
    pub async fn delete_node(
        &self,
        actor: Actor<'_>,
        node: NodeId,
        expected_plan_version: i64,
    ) -> Result<DeleteScope, StoreError> {
        let at = now_utc();
        // Read first; the version check in the transaction makes sure nothing changed.
        let plan = self.node_plan(node).await?;
        let sp = self.load_plan(plan).await?;
        let mut tx = self.write().await?;
        let version: i64 = sqlx::query_scalar("SELECT version FROM plan WHERE id = $1")
            .bind(plan.0)
            .fetch_one(&mut *tx)
            .await?;
        if version != expected_plan_version || version != sp.plan.version {
            return Err(StoreError::Conflict {
                what: format!("plan {plan}"),
                expected: expected_plan_version,
                current: version,
            });
        }
        open_plan_for_edit(&mut tx, actor, &at, plan).await?;
        let scope = delete_scope_tx(&mut tx, node).await?;
        let parents: HashMap<i64, i64> = links(&mut tx, plan)
            .await?
            .into_iter()
            .filter(|l| l.3 == "primary")
            .map(|(p, c, _, _)| (c, p))
            .collect();
        for id in &scope.nodes {
            let Some(sn) = sp.nodes.iter().find(|n| n.node.id == *id) else {
                continue;
            };
            let content = sn.to_content();
            let mut before = json!({
                "content": content,
                "owner_unit_id": sn.node.owner_unit_id.map(|u| u.0),
                "parent_id": parents.get(&id.0),
                "plan_id": plan.0,
            });
            if *id == node {
                before["index"] = json!(sibling_index(&mut tx, plan, node.0).await?);
                before["deleted_with"] =
                    json!(scope.nodes.iter().skip(1).map(|n| n.0).collect::<Vec<_>>());
                before["repeats"] = json!(scope
                    .repeats
                    .iter()
                    .map(|(p, c)| [p.0, c.0])
                    .collect::<Vec<_>>());
            }
            record(&mut tx, actor, &at, "node", id.0, Some(&before), None).await?;
        }
        // The plan's own history lists its deleted items (and offers them back).
        if let Some(sn) = sp.nodes.iter().find(|n| n.node.id == node) {
            let entry = json!({
                "node": node.0,
                "level": sn.node.level,
                "number": sn.node.number,
                "title": sn.node.title,
                "with": scope.nodes.len() - 1,
                "repeats": scope.repeats.len(),
            });
            record(
                &mut tx,
                actor,
                &at,
                PLAN_DELETIONS,
                plan.0,
                None,
                Some(&entry),
            )
            .await?;
        }
        for id in scope.nodes.iter().rev() {
            sqlx::query("DELETE FROM node WHERE id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        renumber(&mut tx, plan).await?;
        bump_plan(&mut tx, plan, &at).await?;
        note(
            &mut tx,
            actor,
            &at,
            plan,
            "deleted",
            json!({"node": node.0, "with": scope.nodes.len() - 1}),
        )
        .await?;
        tx.commit().await?;
        Ok(scope)
    }

    /// Restores a deleted item — and what its delete took with it: the items under it
    /// and the 再掲 links — from the history, under its parent when the parent is still
    /// there, else at the top. Returns the restored item (a new id).
    pub async fn restore_node(&self, actor: Actor<'_>, node: NodeId) -> Result<NodeId, StoreError> {
        let deleted_entry = |id: i64| async move {
            let changes = self.history("node", id).await?;
            changes
                .iter()
                .rev()
                .find(|c| c.after.is_none() && c.before.is_some())
                .and_then(|c| c.before.clone())
                .ok_or_else(|| StoreError::NotFound(format!("a deleted node {id}")))
        };
        let top = deleted_entry(node.0).await?;
        let plan = PlanId(
            top["plan_id"]
                .as_i64()
                .ok_or_else(|| StoreError::Corrupt(format!("deleted node {node}: no plan")))?,
        );
        let mut entries = vec![(node.0, top.clone())];
        for id in top["deleted_with"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_i64())
        {
            entries.push((id, deleted_entry(id).await?));
        }
        let at = now_utc();
        let mut tx = self.write().await?;
        let unit = open_plan_for_edit(&mut tx, actor, &at, plan).await?;
        let mut new_ids: HashMap<i64, i64> = HashMap::new();
        for (old, before) in &entries {
            // Restored once already (the undo pressed twice, or an item that went with
            // this one restored on its own): not again. The item itself is refused; one
            // that went with it stays where it was restored to.
            if let Some(done) = restored_as(&mut tx, *old).await? {
                if *old == node.0 {
                    return Err(StoreError::Field {
                        field: "form".into(),
                        message:
                            "この項目はすでに元に戻されています。 This item was restored already."
                                .into(),
                    });
                }
                let still: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM node WHERE id = $1 AND plan_id = $2")
                        .bind(done)
                        .bind(plan.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some(n) = still {
                    new_ids.insert(*old, n);
                }
                continue;
            }
            let content: NodeContent = serde_json::from_value(before["content"].clone())
                .map_err(|e| StoreError::Corrupt(format!("deleted node {old}: {e}")))?;
            let owner = before["owner_unit_id"].as_i64();
            let parent = match before["parent_id"].as_i64() {
                Some(p) => match new_ids.get(&p) {
                    Some(n) => Some(*n),
                    None => {
                        sqlx::query_scalar::<_, i64>(
                            "SELECT id FROM node WHERE id = $1 AND plan_id = $2",
                        )
                        .bind(p)
                        .bind(plan.0)
                        .fetch_optional(&mut *tx)
                        .await?
                    }
                },
                None => None,
            };
            let index = before["index"]
                .as_u64()
                .map(|i| usize::try_from(i).unwrap_or(usize::MAX));
            let top_position = match (parent, index) {
                (None, Some(i)) => Some(make_room_at_top(&mut tx, plan, i).await?),
                _ => None,
            };
            let id = insert_node_as(
                &mut tx,
                Some(*old),
                plan.0,
                top_position.unwrap_or(usize::MAX >> 1),
                &content,
                owner,
            )
            .await?;
            insert_node_parts(&mut tx, id, unit, &content).await?;
            if let Some(p) = parent {
                match index {
                    Some(i) => insert_link_at(&mut tx, plan, p, id, i).await?,
                    None => append_link(&mut tx, plan, p, id, LinkKind::Primary).await?,
                }
            }
            let mut after = content_snapshot(&content, owner);
            after["restored_from"] = json!(old);
            record(&mut tx, actor, &at, "node", id, None, Some(&after)).await?;
            let mark = json!({"restored_as": id, "plan_id": plan.0});
            record(&mut tx, actor, &at, RESTORED, *old, None, Some(&mark)).await?;
            new_ids.insert(*old, id);
        }
        for pair in top["repeats"].as_array().into_iter().flatten() {
            let (Some(p), Some(c)) = (pair[0].as_i64(), pair[1].as_i64()) else {
                continue;
            };
            let (np, nc) = (new_ids.get(&p).copied(), new_ids.get(&c).copied());
            let p = match np {
                Some(n) => Some(n),
                None => {
                    sqlx::query_scalar::<_, i64>(
                        "SELECT id FROM node WHERE id = $1 AND plan_id = $2",
                    )
                    .bind(p)
                    .bind(plan.0)
                    .fetch_optional(&mut *tx)
                    .await?
                }
            };
            let c = match nc {
                Some(n) => Some(n),
                None => {
                    sqlx::query_scalar::<_, i64>(
                        "SELECT id FROM node WHERE id = $1 AND plan_id = $2",
                    )
                    .bind(c)
                    .bind(plan.0)
                    .fetch_optional(&mut *tx)
                    .await?
                }
            };
            if let (Some(p), Some(c)) = (p, c) {
                append_link(&mut tx, plan, p, c, LinkKind::Repeat).await?;
            }
        }
        renumber(&mut tx, plan).await?;
        bump_plan(&mut tx, plan, &at).await?;
        note(
            &mut tx,
            actor,
            &at,
            plan,
            "restored",
            json!({"node": node.0}),
        )
        .await?;
        tx.commit().await?;
        new_ids
            .get(&node.0)
            .map(|n| NodeId(*n))
            .ok_or_else(|| StoreError::NotFound(format!("a deleted node {node}")))
    }

    /// The items deleted from `plan`, newest first, and whether each was restored.
    pub async fn deleted_items(&self, plan: PlanId) -> Result<Vec<DeletedItem>, StoreError> {
        let mut out = Vec::new();
        for c in self
            .history(PLAN_DELETIONS, plan.0)
            .await?
            .into_iter()
            .rev()
        {
            let Some(a) = c.after else { continue };
            let Some(node) = a["node"].as_i64() else {
                continue;
            };
            let restored_as = self
                .history(RESTORED, node)
                .await?
                .last()
                .and_then(|r| r.after.as_ref()?["restored_as"].as_i64())
                .map(NodeId);
            out.push(DeletedItem {
                node: NodeId(node),
                level: a["level"].as_str().unwrap_or_default().to_string(),
                number: a["number"].as_str().map(str::to_string),
                title: a["title"].as_str().unwrap_or_default().to_string(),
                with: usize::try_from(a["with"].as_u64().unwrap_or(0)).unwrap_or(0),
                at: c.at,
                actor: c.actor,
                restored_as,
            });
        }
        Ok(out)
    }

    /// Moves an item one place up or down among its siblings (under its parent, or at the
    /// top level). Returns false when it is first (or last) already.
    pub async fn move_node(
        &self,
        actor: Actor<'_>,
        node: NodeId,
        direction: Move,
    ) -> Result<bool, StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let plan = plan_of(&mut tx, node).await?;
        open_plan_for_edit(&mut tx, actor, &at, plan).await?;
        let all = links(&mut tx, plan).await?;
        let parent = all
            .iter()
            .find(|l| l.1 == node.0 && l.3 == "primary")
            .map(|l| l.0);
        let moved = match parent {
            Some(p) => {
                let mut sibs: Vec<(i64, i64)> = all
                    .iter()
                    .filter(|l| l.0 == p)
                    .map(|l| (l.2, l.1))
                    .collect();
                sibs.sort();
                let Some(i) = sibs.iter().position(|s| s.1 == node.0) else {
                    return Ok(false);
                };
                let j = match direction {
                    Move::Up if i > 0 => i - 1,
                    Move::Down if i + 1 < sibs.len() => i + 1,
                    _ => return Ok(false),
                };
                sibs.swap(i, j);
                for (pos, (_, c)) in sibs.iter().enumerate() {
                    sqlx::query(
                        "UPDATE node_link SET position = $1 WHERE parent_id = $2 AND child_id = $3",
                    )
                    .bind(i64::try_from(pos).unwrap_or(i64::MAX))
                    .bind(p)
                    .bind(c)
                    .execute(&mut *tx)
                    .await?;
                }
                true
            }
            None => {
                let children: std::collections::HashSet<i64> = all
                    .iter()
                    .filter(|l| l.3 == "primary")
                    .map(|l| l.1)
                    .collect();
                let tops: Vec<(i64, i64)> = sqlx::query(
                    "SELECT id, position FROM node WHERE plan_id = $1 ORDER BY position",
                )
                .bind(plan.0)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("position")?)))
                .collect::<Result<Vec<_>, StoreError>>()?
                .into_iter()
                .filter(|(id, _)| !children.contains(id))
                .collect();
                let Some(i) = tops.iter().position(|t| t.0 == node.0) else {
                    return Ok(false);
                };
                let j = match direction {
                    Move::Up if i > 0 => i - 1,
                    Move::Down if i + 1 < tops.len() => i + 1,
                    _ => return Ok(false),
                };
                // Swap the two top-level items' positions; renumbering carries their
                // subtrees along.
                let (a, b) = (tops[i], tops[j]);
                for (id, pos) in [(a.0, b.1), (b.0, a.1)] {
                    sqlx::query("UPDATE node SET position = $1 WHERE id = $2")
                        .bind(pos)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                true
            }
        };
        renumber(&mut tx, plan).await?;
        bump_plan(&mut tx, plan, &at).await?;
        note(&mut tx, actor, &at, plan, "moved", json!({"node": node.0})).await?;
        record(
            &mut tx,
            actor,
            &at,
            "node",
            node.0,
            Some(&json!({"moved": null})),
            Some(&json!({"moved": match direction { Move::Up => "up", Move::Down => "down" }})),
        )
        .await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Shows an item again under another parent of the same plan (再掲). An item is not
    /// shown under itself or under an item below it.
    pub async fn add_repeat(
        &self,
        actor: Actor<'_>,
        parent: NodeId,
        child: NodeId,
    ) -> Result<(), StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let plan = plan_of(&mut tx, child).await?;
        if plan_of(&mut tx, parent).await? != plan {
            return Err(StoreError::NotFound(format!(
                "node {parent} in plan {plan}"
            )));
        }
        open_plan_for_edit(&mut tx, actor, &at, plan).await?;
        let all = links(&mut tx, plan).await?;
        // No cycle: the parent must not lie under the child.
        let mut below = vec![child.0];
        let mut i = 0;
        while i < below.len() {
            let n = below[i];
            for l in all.iter().filter(|l| l.0 == n) {
                if !below.contains(&l.1) {
                    below.push(l.1);
                }
            }
            i += 1;
        }
        if below.contains(&parent.0) {
            return Err(StoreError::Field {
                field: "parent".into(),
                message: "項目を自分自身やその下の項目の下に再掲することはできません。 An item cannot be shown again under itself or an item below it.".into(),
            });
        }
        if all.iter().any(|l| l.0 == parent.0 && l.1 == child.0) {
            return Err(StoreError::Field {
                field: "parent".into(),
                message: "この項目はすでにその下にあります。 The item is there already.".into(),
            });
        }
        let pos = all.iter().filter(|l| l.0 == parent.0).map(|l| l.2).max();
        sqlx::query(
            "INSERT INTO node_link (plan_id, parent_id, child_id, position, kind) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(plan.0)
        .bind(parent.0)
        .bind(child.0)
        .bind(pos.unwrap_or(-1) + 1)
        .bind(LinkKind::Repeat.code())
        .execute(&mut *tx)
        .await?;
        record_repeat(&mut tx, actor, &at, plan, parent, child, true).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the 担当 of items (or clears it). The 担当 must be a unit under the plan's
    /// unit; ids travel, never names.
    /// Ends a 再掲: `child` is no longer shown again under `parent` (its own place stays).
    /// Returns false when it was not shown there.
    pub async fn remove_repeat(
        &self,
        actor: Actor<'_>,
        parent: NodeId,
        child: NodeId,
    ) -> Result<bool, StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let plan = plan_of(&mut tx, child).await?;
        let there: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM node_link WHERE parent_id = $1 AND child_id = $2 AND kind = 'repeat' AND plan_id = $3",
        )
        .bind(parent.0)
        .bind(child.0)
        .bind(plan.0)
        .fetch_one(&mut *tx)
        .await?;
        if there == 0 {
            return Ok(false);
        }
        open_plan_for_edit(&mut tx, actor, &at, plan).await?;
        sqlx::query(
            "DELETE FROM node_link WHERE parent_id = $1 AND child_id = $2 AND kind = 'repeat' AND plan_id = $3",
        )
        .bind(parent.0)
        .bind(child.0)
        .bind(plan.0)
        .execute(&mut *tx)
        .await?;
        record_repeat(&mut tx, actor, &at, plan, parent, child, false).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn set_owners(
        &self,
        actor: Actor<'_>,
        plan: PlanId,
        nodes: &[NodeId],
        owner: Option<UnitId>,
    ) -> Result<usize, StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let unit = open_plan_for_edit(&mut tx, actor, &at, plan).await?;
        if let Some(o) = owner {
            let mut at_unit = Some(o.0);
            let mut inside = false;
            for _ in 0..32 {
                let Some(u) = at_unit else { break };
                if u == unit.0 {
                    inside = true;
                    break;
                }
                at_unit = sqlx::query_scalar("SELECT parent_id FROM unit WHERE id = $1")
                    .bind(u)
                    .fetch_optional(&mut *tx)
                    .await?
                    .flatten();
            }
            if !inside || o == unit {
                return Err(StoreError::Field {
                    field: "owner".into(),
                    message: "担当はこの計画の組織の下の課・担当から選んでください。 Choose a division or section under this plan's unit.".into(),
                });
            }
        }
        let mut changed = 0;
        for n in nodes {
            let before: Option<Option<i64>> =
                sqlx::query_scalar("SELECT owner_unit_id FROM node WHERE id = $1 AND plan_id = $2")
                    .bind(n.0)
                    .bind(plan.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(before) = before else {
                return Err(StoreError::NotFound(format!("node {n} in plan {plan}")));
            };
            if before == owner.map(|o| o.0) {
                continue;
            }
            sqlx::query("UPDATE node SET owner_unit_id = $1, version = version + 1 WHERE id = $2")
                .bind(owner.map(|o| o.0))
                .bind(n.0)
                .execute(&mut *tx)
                .await?;
            record(
                &mut tx,
                actor,
                &at,
                "node",
                n.0,
                Some(&json!({"owner_unit_id": before})),
                Some(&json!({"owner_unit_id": owner.map(|o| o.0)})),
            )
            .await?;
            changed += 1;
        }
        if changed > 0 {
            bump_plan(&mut tx, plan, &at).await?;
            note(
                &mut tx,
                actor,
                &at,
                plan,
                "owners",
                json!({"changed": changed, "owner": owner.map(|o| o.0)}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }
}

/// Puts `child` last under `parent`.
async fn append_link(
    tx: &mut WriteTx,
    plan: PlanId,
    parent: i64,
    child: i64,
    kind: LinkKind,
) -> Result<(), StoreError> {
    let pos: Option<i64> =
        sqlx::query_scalar("SELECT MAX(position) FROM node_link WHERE parent_id = $1")
            .bind(parent)
            .fetch_one(&mut **tx)
            .await?;
    sqlx::query(
        "INSERT INTO node_link (plan_id, parent_id, child_id, position, kind) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(plan.0)
    .bind(parent)
    .bind(child)
    .bind(pos.unwrap_or(-1) + 1)
    .bind(kind.code())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn delete_scope_tx(tx: &mut WriteTx, node: NodeId) -> Result<DeleteScope, StoreError> {
    let plan = plan_of(tx, node).await?;
    let all = links(tx, plan).await?;
    let mut nodes = vec![node.0];
    let mut i = 0;
    while i < nodes.len() {
        let n = nodes[i];
        for l in all.iter().filter(|l| l.0 == n && l.3 == "primary") {
            if !nodes.contains(&l.1) {
                nodes.push(l.1);
            }
        }
        i += 1;
    }
    let repeats = all
        .iter()
        .filter(|l| l.3 == "repeat" && (nodes.contains(&l.0) || nodes.contains(&l.1)))
        .map(|l| (NodeId(l.0), NodeId(l.1)))
        .collect();
    Ok(DeleteScope {
        nodes: nodes.into_iter().map(NodeId).collect(),
        repeats,
    })
}

/// History entity of a plan's deleted items (entity id: the plan), one entry per delete.
pub const PLAN_DELETIONS: &str = "plan_item_deleted";
/// History entity marking a deleted item as restored (entity id: the deleted item's id;
/// `after.restored_as`: the new item).
pub const RESTORED: &str = "node_restored";

/// The item a deleted item was restored as, if it was restored since it was last deleted
/// (an item restored under its own id can be deleted and restored again).
async fn restored_as(tx: &mut WriteTx, old: i64) -> Result<Option<i64>, StoreError> {
    let mark: Option<(i64, Option<String>)> = sqlx::query(
        "SELECT id, after FROM change_log WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(RESTORED)
    .bind(old)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| Ok::<_, StoreError>((r.try_get("id")?, r.try_get("after")?)))
    .transpose()?;
    let Some((mark_id, after)) = mark else {
        return Ok(None);
    };
    let deleted: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(id) FROM change_log WHERE entity = 'node' AND entity_id = $1 AND action = 'delete'",
    )
    .bind(old)
    .fetch_one(&mut **tx)
    .await?;
    if deleted.is_some_and(|d| d > mark_id) {
        return Ok(None);
    }
    Ok(after
        .and_then(|a| serde_json::from_str::<serde_json::Value>(&a).ok())
        .and_then(|v| v["restored_as"].as_i64()))
}

/// Where an item stands among its siblings: its index under its parent (primary links by
/// position), or among the top-level items.
async fn sibling_index(tx: &mut WriteTx, plan: PlanId, node: i64) -> Result<usize, StoreError> {
    let all = links(tx, plan).await?;
    if let Some(parent) = all
        .iter()
        .find(|l| l.1 == node && l.3 == "primary")
        .map(|l| l.0)
    {
        let mut sibs: Vec<(i64, i64)> = all
            .iter()
            .filter(|l| l.0 == parent && l.3 == "primary")
            .map(|l| (l.2, l.1))
            .collect();
        sibs.sort();
        return Ok(sibs.iter().position(|s| s.1 == node).unwrap_or(sibs.len()));
    }
    let tops = top_level(tx, plan, &all).await?;
    Ok(tops.iter().position(|t| *t == node).unwrap_or(tops.len()))
}

/// The top-level items of a plan in order.
async fn top_level(
    tx: &mut WriteTx,
    plan: PlanId,
    all: &[(i64, i64, i64, String)],
) -> Result<Vec<i64>, StoreError> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM node WHERE plan_id = $1 ORDER BY position, id")
            .bind(plan.0)
            .fetch_all(&mut **tx)
            .await?;
    Ok(ids
        .into_iter()
        .filter(|id| !all.iter().any(|l| l.1 == *id && l.3 == "primary"))
        .collect())
}

/// The document position a restored top-level item takes to be the `index`th top-level
/// item again (the items from there on move one down; [`renumber`] closes the gaps).
async fn make_room_at_top(
    tx: &mut WriteTx,
    plan: PlanId,
    index: usize,
) -> Result<usize, StoreError> {
    let all = links(tx, plan).await?;
    let tops = top_level(tx, plan, &all).await?;
    let Some(at) = tops.get(index) else {
        return Ok(usize::MAX >> 1);
    };
    let pos: i64 = sqlx::query_scalar("SELECT position FROM node WHERE id = $1")
        .bind(*at)
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query("UPDATE node SET position = position + 1 WHERE plan_id = $1 AND position >= $2")
        .bind(plan.0)
        .bind(pos)
        .execute(&mut **tx)
        .await?;
    Ok(usize::try_from(pos).unwrap_or(0))
}

/// A primary link from `parent` to `child` as the parent's `index`th child (the later
/// ones move one down).
async fn insert_link_at(
    tx: &mut WriteTx,
    plan: PlanId,
    parent: i64,
    child: i64,
    index: usize,
) -> Result<(), StoreError> {
    let mut sibs: Vec<(i64, i64, String)> = sqlx::query(
        "SELECT child_id, position, kind FROM node_link WHERE parent_id = $1 ORDER BY position, child_id",
    )
    .bind(parent)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("child_id")?, r.try_get("position")?, r.try_get("kind")?)))
    .collect::<Result<_, StoreError>>()?;
    // The index counts primary children; 再掲 entries keep their place after them.
    let mut seen = 0;
    let at = sibs
        .iter()
        .position(|s| {
            let here = s.2 == "primary" && seen == index;
            if s.2 == "primary" {
                seen += 1;
            }
            here
        })
        .unwrap_or(sibs.len());
    sibs.insert(at, (child, -1, LinkKind::Primary.code().to_string()));
    for (i, (c, _, kind)) in sibs.iter().enumerate() {
        if *c == child && kind == LinkKind::Primary.code() {
            sqlx::query(
                "INSERT INTO node_link (plan_id, parent_id, child_id, position, kind) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(plan.0)
            .bind(parent)
            .bind(child)
            .bind(i as i64)
            .bind(kind)
            .execute(&mut **tx)
            .await?;
        } else {
            sqlx::query(
                "UPDATE node_link SET position = $3 WHERE parent_id = $1 AND child_id = $2 AND kind = $4",
            )
            .bind(parent)
            .bind(*c)
            .bind(i as i64)
            .bind(kind)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// A structure change in the plan's own history (entity `plan`): what changed, for the
/// plan's history page; the items' own histories hold the contents.
async fn note(
    tx: &mut WriteTx,
    actor: Actor<'_>,
    at: &str,
    plan: PlanId,
    change: &str,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    record(
        tx,
        actor,
        at,
        "plan",
        plan.0,
        Some(&json!({ "change": change })),
        Some(&json!({ "change": change, "detail": detail })),
    )
    .await
}

/// A 再掲 made (`added`) or ended: the plan's version and history, and the item's.
async fn record_repeat(
    tx: &mut WriteTx,
    actor: Actor<'_>,
    at: &str,
    plan: PlanId,
    parent: NodeId,
    child: NodeId,
    added: bool,
) -> Result<(), StoreError> {
    bump_plan(tx, plan, at).await?;
    let change = if added { "repeated" } else { "unrepeated" };
    note(
        tx,
        actor,
        at,
        plan,
        change,
        json!({"node": child.0, "under": parent.0}),
    )
    .await?;
    let (before, after) = if added {
        (
            json!({"repeat_under": null}),
            json!({"repeat_under": parent.0}),
        )
    } else {
        (
            json!({"repeat_under": parent.0}),
            json!({"repeat_under": null}),
        )
    };
    record(tx, actor, at, "node", child.0, Some(&before), Some(&after)).await
}
