//! The history of one initiative: who changed what and when, as a readable diff.
//!
//! Every node change is stored as two whole snapshots (before, after) of one JSON shape;
//! here they are flattened into labelled fields and compared field by field. Changed
//! text shows the common part once and marks what was removed and added.

use crate::auth::Who;
use crate::error::WebError;
use crate::i18n::{Lang, LangQuery};
use crate::layout::Page;
use crate::node::load;
use crate::policy::{allow, Action};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use maud::{html, Markup};
use serde_json::Value;

/// A snapshot as (label, text) pairs in form order.
pub fn flatten(lang: Lang, v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let s = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let get = |k: &str| v.get(k).map(s).unwrap_or_default();
    out.push((lang.t("名称", "Title").to_string(), get("title")));
    out.push((lang.t("副題", "Subtitle").to_string(), get("subtitle")));
    if let Some(Value::Array(secs)) = v.get("sections") {
        for sec in secs {
            let phase = sec.get("phase").map(s).unwrap_or_default();
            let phase = match phase.as_str() {
                "review" => lang.t("中間振り返り", "Review"),
                "evaluation" => lang.t("自己評価", "Evaluation"),
                _ => lang.t("計画", "Plan"),
            };
            let heading = sec.get("heading").map(s).unwrap_or_default();
            out.push((
                format!("{phase}: {heading}"),
                sec.get("body").map(s).unwrap_or_default(),
            ));
        }
    }
    for (key, ja, en) in [
        ("targets", "目標", "Target"),
        ("actuals", "実績値", "Actual"),
        ("milestones", "主な実績", "Result"),
    ] {
        if let Some(Value::Array(items)) = v.get(key) {
            for (i, t) in items.iter().enumerate() {
                out.push((
                    format!("{} {}", lang.t(ja, en), i + 1),
                    t.get("text").map(s).unwrap_or_default(),
                ));
            }
        }
    }
    if let Some(Value::Array(rs)) = v.get("reviews") {
        for r in rs {
            let fy = r.get("fiscal_year").and_then(Value::as_i64).unwrap_or(0);
            let p = format!("{} ({fy})", lang.t("中間振り返り", "Review"));
            out.push((
                format!("{p}: {}", lang.t("実施見込み", "activities")),
                prospect(r.get("implementation").map(s).unwrap_or_default()),
            ));
            out.push((
                format!("{p}: {}", lang.t("達成見込み", "target")),
                prospect(r.get("achievement").map(s).unwrap_or_default()),
            ));
            out.push((
                format!("{p}: {}", lang.t("課題と改善策", "remedies")),
                r.get("remedy").map(s).unwrap_or_default(),
            ));
        }
    }
    if let Some(Value::Array(es)) = v.get("evaluations") {
        for e in es {
            let fy = e.get("fiscal_year").and_then(Value::as_i64).unwrap_or(0);
            let p = format!("{} ({fy})", lang.t("自己評価", "Evaluation"));
            out.push((
                format!("{p}: {}", lang.t("取組実績", "results")),
                e.get("results").map(s).unwrap_or_default(),
            ));
            out.push((
                format!("{p}: {}", lang.t("評価", "judgment")),
                judgment(e.get("stated_judgment").map(s).unwrap_or_default()),
            ));
            out.push((
                format!("{p}: {}", lang.t("判定の理由", "explanation")),
                e.get("explanation").map(s).unwrap_or_default(),
            ));
            out.push((
                format!("{p}: {}", lang.t("課題と改善策", "remedies")),
                e.get("remedy").map(s).unwrap_or_default(),
            ));
        }
    }
    out.retain(|(_, v)| !v.is_empty());
    out
}

fn prospect(code: String) -> String {
    kusei_domain::judgment::ImplementationProspect::from_code(&code)
        .map(|p| p.label_ja().to_string())
        .or_else(|| {
            kusei_domain::judgment::AchievementProspect::from_code(&code)
                .map(|p| p.label_ja().to_string())
        })
        .unwrap_or(code)
}

fn judgment(code: String) -> String {
    kusei_domain::judgment::Judgment::from_code(&code)
        .map(|j| j.label_ja().to_string())
        .unwrap_or(code)
}

/// One field's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldChange {
    Added(String, String),
    Removed(String, String),
    Changed(String, String, String),
}

/// Field-by-field differences between two flattened snapshots.
pub fn diff(before: &[(String, String)], after: &[(String, String)]) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for (label, new) in after {
        match before.iter().find(|(l, _)| l == label) {
            None => out.push(FieldChange::Added(label.clone(), new.clone())),
            Some((_, old)) if old != new => out.push(FieldChange::Changed(
                label.clone(),
                old.clone(),
                new.clone(),
            )),
            _ => {}
        }
    }
    for (label, old) in before {
        if !after.iter().any(|(l, _)| l == label) {
            out.push(FieldChange::Removed(label.clone(), old.clone()));
        }
    }
    out
}

/// Splits two texts into common prefix, removed middle, added middle, common suffix.
pub fn split_change<'a>(old: &'a str, new: &'a str) -> (&'a str, &'a str, &'a str, &'a str) {
    let prefix = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map(|((i, _), _)| i)
        .unwrap_or(old.len().min(new.len()));
    let prefix = (0..=prefix)
        .rev()
        .find(|i| old.is_char_boundary(*i) && new.is_char_boundary(*i))
        .unwrap_or(0);
    let (o, n) = (&old[prefix..], &new[prefix..]);
    let suffix = o
        .chars()
        .rev()
        .zip(n.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum::<usize>();
    (
        &old[..prefix],
        &o[..o.len() - suffix],
        &n[..n.len() - suffix],
        &o[o.len() - suffix..],
    )
}

fn change_view(lang: Lang, c: &FieldChange) -> Markup {
    html! {
        @match c {
            FieldChange::Added(l, v) => { dt { (l) " " span.muted { (lang.t("（追加）", "(added)")) } } dd { ins { (v) } } }
            FieldChange::Removed(l, v) => { dt { (l) " " span.muted { (lang.t("（削除）", "(removed)")) } } dd { del { (v) } } }
            FieldChange::Changed(l, old, new) => {
                @let (pre, removed, added, post) = split_change(old, new);
                dt { (l) }
                dd.pre {
                    (pre)
                    @if !removed.is_empty() { del { span.visually-hidden { (lang.t("［削除：", "[removed: ")) } (removed) span.visually-hidden { (lang.t("］", "]")) } } }
                    @if !added.is_empty() { ins { span.visually-hidden { (lang.t("［追加：", "[added: ")) } (added) span.visually-hidden { (lang.t("］", "]")) } } }
                    (post)
                }
            }
        }
    }
}

pub(crate) async fn page(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let ctx = load(&state, &id).await?;
    let sn = ctx.node();
    let path = format!("/nodes/{}/history", sn.node.id);
    if allow(
        &who.grants(),
        &ctx.tree,
        Action::ReadDraft {
            plan_unit: ctx.sp.plan.unit_id,
        },
    )
    .is_err()
    {
        return Err(if who.viewer.is_none() {
            WebError::SignIn { next: path }
        } else {
            WebError::NotFound(path)
        });
    }
    let mut changes = state.store.history("node", sn.node.id.0).await?;
    changes.reverse();
    let body = html! {
        p.muted { a href=(page.href(&format!("/nodes/{}", sn.node.id))) { (sn.node.title) } }
        h1 { (lang.t("変更履歴", "History of changes")) }
        @if changes.is_empty() { p { (lang.t("記録はありません。", "Nothing recorded.")) } }
        ol.history reversed {
            @for c in &changes {
                @let before = c.before.as_ref().map(|b| flatten(lang, b)).unwrap_or_default();
                @let after = c.after.as_ref().map(|a| flatten(lang, a)).unwrap_or_default();
                @let d = diff(&before, &after);
                li {
                    h2.change-head {
                        time datetime=(c.at) { (crate::i18n::japan_time_of(lang, &c.at)) }
                        " · " (c.actor) " · "
                        (match c.action.as_str() { "create" => lang.t("作成", "created"), "delete" => lang.t("削除", "deleted"), _ => lang.t("変更", "changed") })
                    }
                    @if c.action == "create" {
                        p.muted { (lang.t("作成時の内容", "Content when created")) ": " (after.len()) (lang.t("項目", " fields")) }
                    } @else if d.is_empty() {
                        p.muted { (lang.t("内容の変更はありません（保存のみ）。", "No change in content (saved only).")) }
                    } @else {
                        dl.diff { @for ch in &d { (change_view(lang, ch)) } }
                    }
                }
            }
        }
    };
    Ok(Html(page.render(
        lang.t("変更履歴", "History"),
        &path,
        body,
    )))
}

/// GET /plans/{id}/history: the plan's own history — its workflow steps and structure
/// changes, and the items deleted from it, each with a way back (or where it went back
/// to) — and a link to each item's history.
pub(crate) async fn plan_page(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    let (sp, _, _) = crate::structure::load(&state, &who, &id, q.lang()).await?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let plan = sp.plan.id.0;
    let path = format!("/plans/{plan}/history");
    let deleted = state.store.deleted_items(sp.plan.id).await?;
    let mut changes = state.store.history("plan", plan).await?;
    changes.reverse();
    let node_label = |id: i64| -> String {
        let found = sp.nodes.iter().find(|n| n.node.id.0 == id).map(|n| {
            let mut t = n.node.level.clone();
            if let Some(num) = &n.node.number {
                t.push(' ');
                t.push_str(num);
            }
            format!("{t} {}", n.node.title)
        });
        found
            .or_else(|| {
                deleted
                    .iter()
                    .find(|d| d.node.0 == id)
                    .map(|d| d.title.clone())
            })
            .unwrap_or_default()
    };
    let step_label = |c: &kusei_store::Change| -> String {
        let after = c.after.as_ref();
        let status = after
            .and_then(|a| a["status"].as_str())
            .and_then(kusei_domain::model::PlanStatus::from_code);
        match (
            c.action.as_str(),
            after.and_then(|a| a["step"].as_str()),
            status,
        ) {
            ("create", _, _) => lang.t("計画を作成", "Plan created").to_string(),
            (_, Some(step), _) => {
                let (ja, en) = match step {
                    "submit" => ("承認を依頼", "Submitted for approval"),
                    "approve" => ("承認", "Approved"),
                    "return" => ("差し戻し", "Returned"),
                    "publish" => ("公表", "Published"),
                    _ => ("手続", "Workflow step"),
                };
                lang.t(ja, en).to_string()
            }
            (_, None, Some(kusei_domain::model::PlanStatus::Draft)) => lang
                .t(
                    "公表後の変更を開始（次の版）",
                    "Next version opened after publication",
                )
                .to_string(),
            _ if after.and_then(|a| a["change"].as_str()).is_some() => {
                let change = after.and_then(|a| a["change"].as_str()).unwrap_or_default();
                let item = after
                    .and_then(|a| a["detail"]["node"].as_i64())
                    .map(node_label)
                    .unwrap_or_default();
                let (ja, en) = match change {
                    "added" => ("項目を追加", "Item added"),
                    "deleted" => ("項目を削除", "Item deleted"),
                    "restored" => ("削除した項目を元に戻す", "Deleted item restored"),
                    "moved" => ("項目を並べ替え", "Item moved"),
                    "repeated" => ("再掲を追加", "Shown again under another item"),
                    "unrepeated" => ("再掲をやめる", "No longer shown again"),
                    "owners" => ("担当を設定", "Section set"),
                    _ => ("構成の変更", "Structure changed"),
                };
                if item.is_empty() {
                    lang.t(ja, en).to_string()
                } else {
                    format!("{}: {item}", lang.t(ja, en))
                }
            }
            _ => lang.t("構成・階層の変更", "Structure changed").to_string(),
        }
    };
    let label = |d: &kusei_store::DeletedItem| {
        let mut s = d.level.clone();
        if let Some(n) = &d.number {
            s.push(' ');
            s.push_str(n);
        }
        format!("{s} 「{}」", d.title)
    };
    let body = html! {
        p { a href=(page.href(&format!("/plans/{plan}"))) { (lang.t("← 計画のページへ", "← Back to the plan")) } }
        h1 { (sp.plan.title) " — " (lang.t("変更履歴", "History of changes")) }
        section aria-labelledby="deleted-h" {
            h2 #deleted-h { (lang.t("削除した項目", "Deleted items")) }
            @if deleted.is_empty() { p { (lang.t("削除した項目はありません。", "No item was deleted.")) } }
            @else {
                table {
                    caption.visually-hidden { (lang.t("削除した項目", "Deleted items")) }
                    thead { tr {
                        th scope="col" { (lang.t("項目", "Item")) }
                        th scope="col" { (lang.t("削除", "Deleted")) }
                        th scope="col" { (lang.t("元に戻す", "Restore")) }
                    } }
                    tbody { @for d in &deleted {
                        tr {
                            th scope="row" {
                                (label(d))
                                @if d.with > 0 { " " span.muted { (lang.t("（下の項目", "(with ")) (d.with) (lang.t("件とともに）", " items under it)")) } }
                            }
                            td { time datetime=(d.at) { (crate::i18n::japan_time_of(lang, &d.at)) } " · " (d.actor) }
                            td {
                                @if let Some(r) = d.restored_as {
                                    @if sp.nodes.iter().any(|n| n.node.id == r) {
                                        a href=(page.href(&format!("/nodes/{}", r.0))) { (lang.t("元に戻しました", "Restored")) }
                                    } @else { (lang.t("元に戻した後、再び削除", "Restored, then deleted again")) }
                                } @else {
                                    form method="post" action=(page.href(&format!("/plans/{plan}/structure"))) {
                                        (page.csrf_field())
                                        input type="hidden" name="action" value="restore";
                                        input type="hidden" name="deleted" value=(d.node.0);
                                        button type="submit" aria-label={ (lang.t("元に戻す", "Restore")) ": " (label(d)) } { (lang.t("元に戻す", "Restore")) }
                                    }
                                }
                            }
                        }
                    } }
                }
            }
        }
        section aria-labelledby="steps-h" {
            h2 #steps-h { (lang.t("計画の手続と構成の変更", "Workflow and structure")) }
            @if changes.is_empty() { p { (lang.t("記録はありません。", "Nothing recorded.")) } }
            @else {
                ol.history reversed {
                    @for c in &changes {
                        li {
                            time datetime=(c.at) { (crate::i18n::japan_time_of(lang, &c.at)) }
                            " · " (c.actor) " · " (step_label(c))
                            @if let Some(comment) = c.after.as_ref().and_then(|a| a["comment"].as_str()).filter(|s| !s.is_empty()) {
                                " — " q { (comment) }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="items-h" {
            h2 #items-h { (lang.t("項目ごとの変更履歴", "History of each item")) }
            @if sp.nodes.is_empty() { p { (lang.t("項目はありません。", "No item.")) } }
            @else {
                ul { @for row in sp.tree_rows().iter().filter(|r| r.kind == kusei_domain::model::LinkKind::Primary) {
                    @let n = &sp.nodes[row.node].node;
                    li { a href=(page.href(&format!("/nodes/{}/history", n.id.0))) {
                        (n.level) @if let Some(num) = &n.number { " " (num) } " " (n.title)
                    } }
                } }
            }
        }
    };
    Ok(Html(page.render(
        lang.t("変更履歴", "History"),
        &path,
        body,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diffs_are_by_field_and_mark_the_changed_middle() {
        let before = json!({"title": "防災力の向上", "sections": [{"phase": "plan", "heading": "取組内容", "body": "訓練を年2回実施"}],
            "reviews": []});
        let after = json!({"title": "防災力の強化", "sections": [{"phase": "plan", "heading": "取組内容", "body": "訓練を年2回実施"}],
            "reviews": [{"fiscal_year": 2025, "implementation": "expected", "achievement": "off_track", "remedy": "体制を見直す"}]});
        let d = diff(&flatten(Lang::Ja, &before), &flatten(Lang::Ja, &after));
        assert_eq!(
            d[0],
            FieldChange::Changed("名称".into(), "防災力の向上".into(), "防災力の強化".into())
        );
        assert!(d.contains(&FieldChange::Added(
            "中間振り返り (2025): 達成見込み".into(),
            "② 達成できない見込み".into()
        )));
        assert_eq!(d.len(), 4, "{d:?}");
        assert_eq!(
            split_change("防災力の向上", "防災力の強化"),
            ("防災力の", "向上", "強化", "")
        );
        assert_eq!(split_change("abc", "abc"), ("abc", "", "", ""));
        assert_eq!(split_change("", "新"), ("", "", "新", ""));
        assert_eq!(
            split_change("年2回実施", "年3回実施"),
            ("年", "2", "3", "回実施")
        );
    }
}
