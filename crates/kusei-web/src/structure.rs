//! Plans written in the browser: a new plan (`/plans/new`), and a plan's structure page
//! (`/plans/{id}/structure`) where the ward's editor adds items at every level, moves
//! them, shows one again under another parent (再掲), deletes one (after a confirmation
//! that says what goes with it, and with a way back), and sets the 担当 of one item or
//! many. Every change is a `kusei_app::structure` function behind the one write guard.

use crate::admin::unit_path;
use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::{Lang, LangQuery};
use crate::layout::{text_field, Page};
use crate::pages::parse_id;
use crate::policy::{allow, Action, Tree};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_app::structure as app;
use kusei_app::AppError;
use kusei_domain::model::{Family, LinkKind, NodeId, Period, PlanId, Unit, UnitId, UnitKind};
use kusei_store::{Move, NewNode, StoreError, StoredPlan};
use maud::{html, Markup};
use serde::Deserialize;

/// A family's levels as an English reader reads them (the levels themselves are the
/// plan's data, named in Japanese).
fn levels_en(f: Family) -> String {
    match f {
        Family::ReformItems => "reform item",
        Family::ResultsTable => "chapter → issue → initiative",
        Family::PlanTree => "chapter → focus area → group → subgroup → item",
        Family::ManagementSheet => "management issue → strategy → initiative",
    }
    .to_string()
}

pub(crate) fn family_label(lang: Lang, f: Family) -> &'static str {
    match lang {
        Lang::Ja => f.label_ja(),
        Lang::En => f.label_en(),
    }
}

fn back(location: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// Units the viewer may write a new plan for (wards and other top units, and the units
/// of its own roles), by path.
async fn plan_units(
    state: &AppState,
    who: &Who,
    lang: Lang,
) -> Result<Vec<(UnitId, String)>, WebError> {
    let grants = who.grants();
    let mut out = Vec::new();
    for m in state.store.list_municipalities().await? {
        let units = state.store.list_units(m.id).await?;
        let tree = Tree::new(m.id, &units);
        for u in &units {
            if matches!(u.kind, UnitKind::Division | UnitKind::Section) || u.retired_at.is_some() {
                continue;
            }
            if allow(&grants, &tree, Action::CreatePlan { unit: u.id }).is_ok() {
                out.push((u.id, unit_path(lang, &m.name, &units, u.id)));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

#[derive(Debug, Default)]
struct NewPlanForm {
    unit: String,
    family: String,
    period: String,
    title: String,
}

fn new_plan_page(
    page: &Page<'_>,
    units: &[(UnitId, String)],
    typed: &NewPlanForm,
    errors: &FieldErrors,
) -> String {
    let lang = page.lang;
    let err = |f: &str| {
        errors
            .get(f)
            .map(|e| html! { p.error role="alert" id={ "f-" (f) "-err" } { (e) } })
    };
    let body = html! {
        h1 { (lang.t("計画を作成", "Write a new plan")) }
        p { (lang.t("様式を選ぶと、その様式の階層（例: 経営課題 → 戦略 → 具体的取組）で項目を追加できます。取込は不要です。",
            "The form you choose gives the plan its levels (e.g. management issue → strategy → initiative); you then add the items. No import is needed.")) }
        @if let Some(e) = err("form") { (e) }
        form method="post" action=(page.href("/plans/new")) novalidate {
            (page.csrf_field())
            div class={ "field" @if errors.get("unit").is_some() { " has-error" } } {
                label for="f-unit" { (lang.t("組織（区など）", "Unit (ward, …)")) }
                @if let Some(e) = err("unit") { (e) }
                select #f-unit name="unit" aria-describedby=[errors.get("unit").map(|_| "f-unit-err")] {
                    @for (id, path) in units { option value=(id.0) selected[typed.unit == id.0.to_string()] { (path) } }
                }
            }
            div class={ "field" @if errors.get("family").is_some() { " has-error" } } {
                label for="f-family" { (lang.t("様式", "Form")) }
                @if let Some(e) = err("family") { (e) }
                select #f-family name="family" {
                    @for f in Family::ALL {
                        option value=(f.code()) selected[typed.family == f.code()] {
                            (family_label(lang, f)) " — " (match lang { Lang::Ja => f.default_levels().join(" → "), Lang::En => levels_en(f) })
                        }
                    }
                }
            }
            (text_field("period", lang.t("年度（例: 令和7年度、令和2～4年度）", "Fiscal year (e.g. 2025, or 2020-2022 for a span)"), Some(&typed.period), errors, None, None))
            (text_field("title", lang.t("計画の名称", "Title of the plan"), Some(&typed.title), errors, None, None))
            button type="submit" { (lang.t("作成する", "Create the plan")) }
        }
    };
    page.render(lang.t("計画を作成", "Write a new plan"), "/plans/new", body)
}

/// GET /plans/new
pub(crate) async fn new_form(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    if who.viewer.is_none() {
        return Err(WebError::SignIn {
            next: "/plans/new".into(),
        });
    }
    let units = plan_units(&state, &who, q.lang()).await?;
    if units.is_empty() {
        return Err(WebError::Forbidden(
            "計画を作成できるのは区の編集者と管理者です。 Only ward editors and administrators write plans."
                .into(),
        ));
    }
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let typed = NewPlanForm {
        period: state.clock.today_jst().fiscal_year().label(),
        ..NewPlanForm::default()
    };
    Ok(Html(new_plan_page(
        &page,
        &units,
        &typed,
        &FieldErrors::default(),
    )))
}

/// POST /plans/new
pub(crate) async fn create(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let lang = q.lang();
    let units = plan_units(&state, &who, lang).await?;
    let typed = NewPlanForm {
        unit: form.text("unit").unwrap_or_default(),
        family: form.text("family").unwrap_or_default(),
        period: form.text("period").unwrap_or_default(),
        title: form.text("title").unwrap_or_default(),
    };
    let mut errors = FieldErrors::default();
    let unit = typed.unit.parse::<i64>().ok().map(UnitId);
    match unit {
        None => errors.add("unit", lang.t("組織を選んでください。", "Choose a unit.")),
        // A unit the viewer may not write for (another ward, another municipality).
        Some(u) if !units.iter().any(|(id, _)| *id == u) => {
            return Err(WebError::Forbidden(
                lang.t(
                    "この組織の計画は作成できません。",
                    "You may not write a plan for this unit.",
                )
                .into(),
            ))
        }
        Some(_) => {}
    }
    let family = Family::from_code(&typed.family);
    if family.is_none() {
        errors.add("family", lang.t("様式を選んでください。", "Choose a form."));
    }
    let period = match Period::parse(&typed.period) {
        Ok(p) => Some(p),
        Err(_) => {
            errors.add(
                "period",
                lang.t(
                    "年度を読めません。例: 令和7年度、2025、令和2～4年度",
                    "Cannot read the fiscal year. E.g. 2025, or 2020-2022 for a span",
                ),
            );
            None
        }
    };
    if typed.title.is_empty() {
        errors.add(
            "title",
            lang.t("計画の名称を入力してください。", "Enter the title."),
        );
    }
    let page = Page { lang, who: &who };
    let (Some(unit), Some(family), Some(period), true) = (unit, family, period, errors.is_empty())
    else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(new_plan_page(&page, &units, &typed, &errors)),
        )
            .into_response());
    };
    match app::create_plan(
        &state.store,
        &who.caller(),
        unit,
        family,
        period,
        &typed.title,
    )
    .await
    {
        Ok(id) => Ok(back(format!(
            "/plans/{}/structure?lang={}&done=created",
            id.0,
            lang.code()
        ))),
        Err(AppError::Store(StoreError::Duplicate(_))) => {
            errors.add(
                "period",
                lang.t(
                    "この組織・様式・年度の計画はすでにあります。",
                    "This unit has a plan of this form for this year already.",
                ),
            );
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(new_plan_page(&page, &units, &typed, &errors)),
            )
                .into_response())
        }
        Err(AppError::Store(StoreError::Field { field, message })) => {
            errors.add(&field, message);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(new_plan_page(&page, &units, &typed, &errors)),
            )
                .into_response())
        }
        Err(AppError::Refused(r)) => Err(WebError::Forbidden(lang.t(&r.ja(), &r.en()).to_string())),
        Err(e) => Err(e.into()),
    }
}

/// The plan, its unit's sub-units (the 担当 it may give), and whether the viewer may
/// change its structure.
pub(crate) async fn load(
    state: &AppState,
    who: &Who,
    id: &str,
    lang: Lang,
) -> Result<(StoredPlan, Vec<(Unit, String)>, String), WebError> {
    let id = PlanId(parse_id(id, "plan")?);
    let sp = state.store.load_plan(id).await?;
    let unit = state.store.get_unit(sp.plan.unit_id).await?;
    let m = state
        .store
        .list_municipalities()
        .await?
        .into_iter()
        .find(|m| m.id == unit.municipality_id)
        .map(|m| m.name)
        .unwrap_or_default();
    let units = state.store.list_units(unit.municipality_id).await?;
    let tree = Tree::new(unit.municipality_id, &units);
    if allow(
        &who.grants(),
        &tree,
        Action::ReadDraft {
            plan_unit: sp.plan.unit_id,
        },
    )
    .is_err()
    {
        if who.viewer.is_none() {
            return Err(WebError::SignIn {
                next: format!("/plans/{}/structure", id.0),
            });
        }
        return Err(WebError::Forbidden(
            "この計画を編集する権限がありません。 You may not change this plan.".into(),
        ));
    }
    let prefix = format!("{m}{}", crate::admin::path_separator(lang));
    let mut below: Vec<(Unit, String)> = units
        .iter()
        .filter(|u| {
            u.id != unit.id && tree.within(u.id, kusei_domain::policy::Scope::Unit(unit.id))
        })
        .map(|u| {
            let path = unit_path(lang, &m, &units, u.id);
            (
                u.clone(),
                path.strip_prefix(&prefix).unwrap_or(&path).to_string(),
            )
        })
        .collect();
    below.sort_by(|a, b| a.1.cmp(&b.1));
    Ok((sp, below, m))
}

/// Refuses the structure pages to whoever may read the plan but not change its
/// structure (a section editor, a council member, an approver): they get the plan page.
async fn require_structure(state: &AppState, who: &Who, sp: &StoredPlan) -> Result<(), WebError> {
    let (tree, _) = crate::pages::unit_tree(&state.store, sp.plan.unit_id).await?;
    allow(
        &who.grants(),
        &tree,
        Action::EditStructure {
            plan_unit: sp.plan.unit_id,
        },
    )
    .map_err(|_| {
        WebError::Forbidden(
            "項目の追加・削除・並べ替え・担当の設定は区の編集者が行います。計画のページから自分の担当の項目を開いてください。 Only the ward's editors add, delete, order items and set their sections; open your own items from the plan's page."
                .into(),
        )
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct StructureQuery {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    done: Option<String>,
    /// The item just deleted (for the way back).
    #[serde(default)]
    deleted: Option<String>,
    /// Add the next item under this one (the add form's place and level preset).
    #[serde(default)]
    under: Option<String>,
}

/// What the add form shows: the place, level, number and title (typed, or preset).
#[derive(Debug, Clone, Default)]
struct AddTyped {
    parent: Option<i64>,
    level: Option<String>,
    number: String,
    title: String,
}

impl AddTyped {
    /// The form preset for a new item under `parent`: the level after the parent's.
    fn under(sp: &StoredPlan, parent: Option<NodeId>) -> AddTyped {
        let levels = &sp.plan.level_names;
        let level = match parent.and_then(|p| sp.nodes.iter().find(|n| n.node.id == p)) {
            Some(p) => levels
                .iter()
                .position(|l| *l == p.node.level)
                .and_then(|i| levels.get(i + 1))
                .cloned(),
            None => levels.first().cloned(),
        };
        AddTyped {
            parent: parent.map(|p| p.0),
            level,
            ..AddTyped::default()
        }
    }
}

fn item_label(sp: &StoredPlan, id: NodeId) -> String {
    sp.nodes
        .iter()
        .find(|n| n.node.id == id)
        .map(|n| {
            let mut s = n.node.level.clone();
            if let Some(num) = &n.node.number {
                s.push(' ');
                s.push_str(num);
            }
            s.push(' ');
            s.push_str(&n.node.title);
            s
        })
        .unwrap_or_default()
}

fn structure_page(
    page: &Page<'_>,
    sp: &StoredPlan,
    below: &[(Unit, String)],
    errors: &FieldErrors,
    notice: Option<Markup>,
    typed: &AddTyped,
) -> String {
    let lang = page.lang;
    let id = sp.plan.id.0;
    let action = format!("/plans/{id}/structure?lang={}", lang.code());
    let rows = sp.tree_rows();
    let err = |f: &str| {
        errors
            .get(f)
            .map(|e| html! { p.error role="alert" id={ "f-" (f) "-err" } { (e) } })
    };
    let owner_name = |u: Option<UnitId>| {
        u.and_then(|u| below.iter().find(|x| x.0.id == u))
            .map(|x| x.1.clone())
    };
    let owners = html! {
        option value="" { (lang.t("（担当なし）", "(no section)")) }
        @for (u, path) in below.iter().filter(|(u, _)| u.retired_at.is_none()) { option value=(u.id.0) { (path) } }
    };
    let levels = &sp.plan.level_names;
    let body = html! {
        p { a href={ "/plans/" (id) "?lang=" (lang.code()) } { (lang.t("← 計画のページへ", "← Back to the plan")) } }
        h1 { (sp.plan.title) " — " (lang.t("構成の編集", "Items and structure")) }
        @if let Some(n) = notice { (n) }
        @if let Some(e) = err("form") { (e) }
        section aria-labelledby="add-h" {
            h2 #add-h { (lang.t("項目を追加", "Add an item")) }
            form method="post" action=(action) novalidate {
                (page.csrf_field())
                input type="hidden" name="action" value="add";
                div class={ "field" @if errors.get("parent").is_some() { " has-error" } } {
                    label for="f-parent" { (lang.t("追加する場所（上位の項目）", "Where (the item above it)")) }
                    @if let Some(e) = err("parent") { (e) }
                    select #f-parent name="parent" aria-invalid=[errors.get("parent").map(|_| "true")] aria-describedby=[errors.get("parent").map(|_| "f-parent-err")] {
                        option value="" { (lang.t("最上位", "top level")) }
                        @for row in rows.iter().filter(|r| r.kind == LinkKind::Primary) {
                            @let n = &sp.nodes[row.node].node;
                            option value=(n.id.0) selected[typed.parent == Some(n.id.0)] { ("　".repeat(row.depth)) (item_label(sp, n.id)) }
                        }
                    }
                }
                div class={ "field" @if errors.get("level").is_some() { " has-error" } } {
                    label for="f-level" { (lang.t("階層", "Level")) }
                    @if let Some(e) = err("level") { (e) }
                    select #f-level name="level" aria-invalid=[errors.get("level").map(|_| "true")] aria-describedby=[errors.get("level").map(|_| "f-level-err")] {
                        @for l in levels { option value=(l) selected[typed.level.as_deref() == Some(l.as_str())] { (l) } }
                    }
                }
                (text_field("number", lang.t("番号（例: 1、1-1、①。省略可）", "Number (e.g. 1, 1-1, ①; optional)"), Some(&typed.number), errors, None, None))
                (text_field("title", lang.t("名称", "Title"), Some(&typed.title), errors, None, None))
                button type="submit" { (lang.t("追加する", "Add")) }
            }
        }
        section aria-labelledby="items-h" {
            h2 #items-h { (lang.t("項目と担当", "Items and their sections")) }
            @if rows.is_empty() { p { (lang.t("まだ項目がありません。上のフォームで追加してください。", "No item yet: add one with the form above.")) } }
            @else {
                form #owners method="post" action=(action) {
                    (page.csrf_field())
                    input type="hidden" name="action" value="owner";
                    div class={ "field" @if errors.get("owner").is_some() { " has-error" } } {
                        label for="f-owner" { (lang.t("選んだ項目の担当", "Section of the chosen items")) }
                        @if let Some(e) = err("owner") { (e) }
                        select #f-owner name="owner" { (owners) }
                    }
                    button type="submit" { (lang.t("選んだ項目の担当を設定", "Set the section of the chosen items")) }
                }
                div.table-scroll { table.structure {
                    caption.visually-hidden { (lang.t("項目の一覧", "The items")) }
                    thead { tr {
                        th scope="col" { (lang.t("選択", "Choose")) }
                        th scope="col" { (lang.t("項目", "Item")) }
                        th scope="col" { (lang.t("担当", "Section")) }
                        th scope="col" { (lang.t("並べ替え・削除", "Order, delete")) }
                        th scope="col" { (lang.t("再掲", "Show again")) }
                    } }
                    tbody {
                        @for (i, row) in rows.iter().enumerate() {
                            @let sn = &sp.nodes[row.node];
                            @let n = &sn.node;
                            @if row.kind == LinkKind::Repeat {
                                @let parent = rows[..i].iter().rev().find(|r| r.depth + 1 == row.depth).map(|r| sp.nodes[r.node].node.id);
                                tr.repeat {
                                    td {}
                                    td class={ "depth-" (row.depth.min(6)) } { (lang.t("（再掲）", "(listed again)")) " " (item_label(sp, n.id)) }
                                    td {}
                                    td {
                                        @if let Some(p) = parent {
                                            form.inline method="post" action=(action) {
                                                (page.csrf_field())
                                                input type="hidden" name="action" value="unrepeat";
                                                input type="hidden" name="node" value=(n.id.0);
                                                input type="hidden" name="parent" value=(p.0);
                                                button type="submit" aria-label={ (lang.t("再掲をやめる", "Stop listing it here")) ": " (item_label(sp, n.id)) " ← " (item_label(sp, p)) } { (lang.t("再掲をやめる", "Stop listing here")) }
                                            }
                                        }
                                    }
                                    td {}
                                }
                            } @else {
                                tr #{ "item-" (n.id.0) } {
                                    td {
                                        input type="checkbox" form="owners" name="node" value=(n.id.0) id={ "pick-" (n.id.0) };
                                        label.visually-hidden for={ "pick-" (n.id.0) } { (item_label(sp, n.id)) }
                                    }
                                    td class={ "depth-" (row.depth.min(6)) } {
                                        a href={ "/nodes/" (n.id.0) "?lang=" (lang.code()) } { (item_label(sp, n.id)) }
                                    }
                                    td { (owner_name(n.owner_unit_id).unwrap_or_else(|| lang.t("未設定", "not set").to_string())) }
                                    td {
                                        @for (dir, ja, en) in [("up", "上へ", "Up"), ("down", "下へ", "Down")] {
                                            form.inline method="post" action=(action) {
                                                (page.csrf_field())
                                                input type="hidden" name="action" value=(dir);
                                                input type="hidden" name="node" value=(n.id.0);
                                                button type="submit" aria-label={ (lang.t(ja, en)) ": " (item_label(sp, n.id)) } { (lang.t(ja, en)) }
                                            }
                                        }
                                        a href={ "/nodes/" (n.id.0) "/delete?lang=" (lang.code()) } aria-label={ (lang.t("削除", "Delete")) ": " (item_label(sp, n.id)) } { (lang.t("削除…", "Delete…")) }
                                        @if levels.iter().position(|l| *l == n.level).is_some_and(|i| i + 1 < levels.len()) {
                                            " "
                                            a href={ "/plans/" (id) "/structure?lang=" (lang.code()) "&under=" (n.id.0) "#add-h" } aria-label={ (lang.t("この下に追加", "Add under it")) ": " (item_label(sp, n.id)) } { (lang.t("下に追加", "Add under")) }
                                        }
                                    }
                                    @let places = repeat_places(sp, &rows, row.node);
                                    td {
                                        @if places.is_empty() { span.muted { "—" } } @else {
                                        form.inline method="post" action=(action) {
                                            (page.csrf_field())
                                            input type="hidden" name="action" value="repeat";
                                            input type="hidden" name="node" value=(n.id.0);
                                            label.visually-hidden for={ "rep-" (n.id.0) } { (lang.t("再掲する上位の項目: ", "Show again under: ")) (item_label(sp, n.id)) }
                                            select id={ "rep-" (n.id.0) } name="parent" {
                                                @for o in &places {
                                                    option value=(o.0) { (item_label(sp, *o)) }
                                                }
                                            }
                                            button type="submit" { (lang.t("の下に再掲", "Show under it")) }
                                        }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    };
    page.render(
        &format!("{} {}", sp.plan.title, lang.t("構成の編集", "structure")),
        &format!("/plans/{id}/structure"),
        body,
    )
}

/// Where an item can be shown again (再掲): items of the level right above its own, other
/// than its own parent and where it is shown already (any item, for levels the plan does
/// not name).
fn repeat_places(
    sp: &StoredPlan,
    rows: &[kusei_domain::content::TreeRow],
    node: usize,
) -> Vec<NodeId> {
    let levels = &sp.plan.level_names;
    let at = |l: &str| levels.iter().position(|x| x == l);
    let me = &sp.nodes[node].node;
    let mine = at(&me.level);
    // The parents it has now: the rows just above each of its rows.
    let mut under = Vec::new();
    for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.node == node) {
        if let Some(p) = rows[..i].iter().rev().find(|p| p.depth + 1 == r.depth) {
            under.push(p.node);
        }
    }
    rows.iter()
        .filter(|r| r.kind == LinkKind::Primary && r.node != node && !under.contains(&r.node))
        .filter(|r| match (mine, at(&sp.nodes[r.node].node.level)) {
            (Some(c), Some(p)) => p + 1 == c,
            _ => true,
        })
        .map(|r| sp.nodes[r.node].node.id)
        .collect()
}

fn done_notice(page: &Page<'_>, sp: &StoredPlan, q: &StructureQuery) -> Option<Markup> {
    let lang = page.lang;
    let text = match q.done.as_deref()? {
        "created" => lang.t(
            "計画を作成しました。項目を追加してください。",
            "The plan was created. Add its items.",
        ),
        "added" => lang.t("項目を追加しました。", "The item was added."),
        "moved" => lang.t("並べ替えました。", "The item was moved."),
        "repeated" => lang.t("再掲しました。", "The item is shown again there."),
        "unrepeated" => lang.t("再掲をやめました。", "The item is no longer listed there."),
        "owners" => lang.t("担当を設定しました。", "The section was set."),
        "restored" => lang.t(
            "削除した項目を元に戻しました。",
            "The deleted item was restored.",
        ),
        "deleted" => lang.t("項目を削除しました。", "The item was deleted."),
        _ => return None,
    };
    let deleted = q.deleted.as_deref().and_then(|d| d.parse::<i64>().ok());
    Some(html! {
        div.notice.success role="status" {
            p { (text) }
            @if let Some(d) = deleted.filter(|_| q.done.as_deref() == Some("deleted")) {
                form method="post" action={ "/plans/" (sp.plan.id.0) "/structure?lang=" (lang.code()) } {
                    (page.csrf_field())
                    input type="hidden" name="action" value="restore";
                    input type="hidden" name="deleted" value=(d);
                    button type="submit" { (lang.t("元に戻す", "Undo")) }
                }
            }
        }
    })
}

/// GET /plans/{id}/structure
pub(crate) async fn page(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<StructureQuery>,
) -> Result<Html<String>, WebError> {
    let (sp, below, _) = load(&state, &who, &id, q.lang.unwrap_or_default()).await?;
    require_structure(&state, &who, &sp).await?;
    let page = Page {
        lang: q.lang.unwrap_or_default(),
        who: &who,
    };
    let notice = done_notice(&page, &sp, &q);
    let under = q
        .under
        .as_deref()
        .and_then(|u| u.parse::<i64>().ok())
        .map(NodeId);
    let typed = AddTyped::under(&sp, under);
    Ok(Html(structure_page(
        &page,
        &sp,
        &below,
        &FieldErrors::default(),
        notice,
        &typed,
    )))
}

/// POST /plans/{id}/structure with `action` = add | up | down | repeat | owner | restore.
pub(crate) async fn change(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let lang = q.lang();
    let (sp, below, _) = load(&state, &who, &id, lang).await?;
    let plan = sp.plan.id;
    let caller = who.caller();
    let today = state.clock.today_jst();
    let store = &state.store;
    let node = |name: &str| -> Result<Option<NodeId>, WebError> {
        form.text(name)
            .map(|v| parse_id(&v, "node").map(NodeId))
            .transpose()
    };
    let done = |what: &str| {
        back(format!(
            "/plans/{}/structure?lang={}&done={what}",
            plan.0,
            lang.code()
        ))
    };
    let result: Result<Response, AppError> = match form.get("action").unwrap_or("") {
        "add" => {
            let title = form.text("title").unwrap_or_default();
            let level = form
                .text("level")
                .filter(|l| sp.plan.level_names.contains(l));
            let number = form.text("number");
            match (title.is_empty(), level) {
                (true, _) => Err(AppError::Store(StoreError::Field {
                    field: "title".into(),
                    message: lang
                        .t("名称を入力してください。", "Enter the title.")
                        .into(),
                })),
                (_, None) => Err(AppError::Store(StoreError::Field {
                    field: "level".into(),
                    message: lang.t("階層を選んでください。", "Choose a level.").into(),
                })),
                (false, Some(level)) => app::add_item(
                    store,
                    &caller,
                    plan,
                    node("parent")?,
                    &NewNode {
                        level: &level,
                        number: number.as_deref(),
                        title: &title,
                    },
                    today,
                )
                .await
                .map(|n| {
                    back(format!(
                        "/plans/{}/structure?lang={}&done=added#item-{}",
                        plan.0,
                        lang.code(),
                        n.0
                    ))
                }),
            }
        }
        dir @ ("up" | "down") => {
            let Some(n) = node("node")? else {
                return Err(WebError::BadRequest("node".into()));
            };
            let direction = if dir == "up" { Move::Up } else { Move::Down };
            // Back at the moved item, so the keyboard and the eye keep their place.
            app::move_item(store, &caller, n, direction, today)
                .await
                .map(|_| {
                    back(format!(
                        "/plans/{}/structure?lang={}&done=moved#item-{}",
                        plan.0,
                        lang.code(),
                        n.0
                    ))
                })
        }
        "repeat" => {
            let (Some(child), Some(parent)) = (node("node")?, node("parent")?) else {
                return Err(WebError::BadRequest("node, parent".into()));
            };
            app::repeat_item(store, &caller, parent, child, today)
                .await
                .map(|()| done("repeated"))
        }
        "unrepeat" => {
            let (Some(child), Some(parent)) = (node("node")?, node("parent")?) else {
                return Err(WebError::BadRequest("node, parent".into()));
            };
            app::remove_repeat(store, &caller, parent, child, today)
                .await
                .map(|_| done("unrepeated"))
        }
        "owner" => {
            let nodes: Vec<NodeId> = form
                .0
                .iter()
                .filter(|(k, _)| k == "node")
                .map(|(_, v)| parse_id(v, "node").map(NodeId))
                .collect::<Result<_, _>>()?;
            let owner = form
                .text("owner")
                .map(|v| parse_id(&v, "unit").map(UnitId))
                .transpose()?;
            if nodes.is_empty() {
                Err(AppError::Store(StoreError::Field {
                    field: "owner".into(),
                    message: lang
                        .t(
                            "担当を設定する項目を選んでください。",
                            "Choose the items first.",
                        )
                        .into(),
                }))
            } else {
                app::assign_owner(store, &caller, plan, &nodes, owner, today)
                    .await
                    .map(|_| done("owners"))
            }
        }
        "restore" => {
            let Some(deleted) = node("deleted")? else {
                return Err(WebError::BadRequest("deleted".into()));
            };
            app::restore_item(store, &caller, plan, deleted, today)
                .await
                .map(|n| {
                    back(format!(
                        "/plans/{}/structure?lang={}&done=restored#item-{}",
                        plan.0,
                        lang.code(),
                        n.0
                    ))
                })
        }
        _ => Err(AppError::Invalid("action".into())),
    };
    let page = Page { lang, who: &who };
    let mut errors = FieldErrors::default();
    let action = form.get("action").unwrap_or("");
    // The add form shows again what was typed; other actions' forms are one button.
    let typed = if action == "add" {
        AddTyped {
            parent: form.text("parent").and_then(|p| p.parse().ok()),
            level: form.text("level"),
            number: form.text("number").unwrap_or_default(),
            title: form.text("title").unwrap_or_default(),
        }
    } else {
        AddTyped::under(&sp, None)
    };
    let status = match result {
        Ok(r) => return Ok(r),
        Err(AppError::Store(StoreError::Field { field, message })) => {
            // Store messages come in both languages ("日本語。 English."): keep the page's.
            // A field the page has no place for (a 再掲's parent, a moved item) is said
            // at the top.
            let shown = match (action, field.as_str()) {
                ("add", "parent" | "level" | "number" | "title") => field.as_str(),
                ("owner", "owner") => "owner",
                _ => "form",
            };
            errors.add(shown, crate::forms::one_language(lang, &message));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::Refused(r)) => {
            errors.add("form", lang.t(&r.ja(), &r.en()));
            StatusCode::FORBIDDEN
        }
        Err(AppError::Store(e @ StoreError::Conflict { .. })) => {
            let _ = e;
            errors.add(
                "form",
                lang.t(
                    "ほかの人が先にこの計画を変更しました。最新の内容を表示しています。",
                    "Someone changed this plan first; it is shown as it is now.",
                ),
            );
            StatusCode::CONFLICT
        }
        Err(e) => return Err(e.into()),
    };
    let (sp, _, _) = load(&state, &who, &id, lang).await?;
    Ok((
        status,
        Html(structure_page(&page, &sp, &below, &errors, None, &typed)),
    )
        .into_response())
}

/// GET /nodes/{id}/delete: what deleting the item takes with it, and the confirmation.
pub(crate) async fn delete_form(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    let node = NodeId(parse_id(&id, "node")?);
    let plan = state.store.node_plan(node).await?;
    let (sp, _, _) = load(&state, &who, &plan.0.to_string(), q.lang()).await?;
    require_structure(&state, &who, &sp).await?;
    let scope = state.store.delete_scope(node).await?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let body = html! {
        h1 { (lang.t("項目の削除", "Delete an item")) }
        p { (lang.t("次の項目を削除します:", "This deletes:")) }
        ul {
            @for n in &scope.nodes { li { (item_label(&sp, *n)) @if *n != node { " " span.muted { (lang.t("（この項目の下）", "(under it)")) } } } }
        }
        @if !scope.repeats.is_empty() {
            p { (lang.t("次の再掲もなくなります:", "These listings under other items end too:")) }
            ul { @for (p, c) in &scope.repeats { li { (item_label(&sp, *c)) " ← " (item_label(&sp, *p)) } } }
        }
        p {
            (lang.t("目標・実績・中間振り返り・自己評価も一緒に削除されます。削除した後でも、",
                "Their targets, actuals, reviews and evaluations go with them. You can restore them afterwards from "))
            a href={ "/plans/" (plan.0) "/history?lang=" (lang.code()) } { (lang.t("計画の変更履歴", "the plan's history")) }
            (lang.t("から元に戻せます。", "."))
        }
        form method="post" action={ "/nodes/" (node.0) "/delete?lang=" (lang.code()) } {
            (page.csrf_field())
            input type="hidden" name="plan_version" value=(sp.plan.version);
            button type="submit" { (lang.t("削除する", "Delete")) }
            " "
            a href={ "/plans/" (plan.0) "/structure?lang=" (lang.code()) } { (lang.t("やめる", "Cancel")) }
        }
    };
    Ok(Html(page.render(
        lang.t("項目の削除", "Delete an item"),
        &format!("/nodes/{}/delete", node.0),
        body,
    )))
}

/// POST /nodes/{id}/delete
pub(crate) async fn delete(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let lang = q.lang();
    let node = NodeId(parse_id(&id, "node")?);
    let plan = state.store.node_plan(node).await?;
    load(&state, &who, &plan.0.to_string(), lang).await?;
    let version = form
        .get("plan_version")
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| WebError::BadRequest("plan_version".into()))?;
    match app::delete_item(
        &state.store,
        &who.caller(),
        node,
        version,
        state.clock.today_jst(),
    )
    .await
    {
        Ok(_) => Ok(back(format!(
            "/plans/{}/structure?lang={}&done=deleted&deleted={}",
            plan.0,
            lang.code(),
            node.0
        ))),
        Err(AppError::Refused(r)) => Err(WebError::Forbidden(lang.t(&r.ja(), &r.en()).to_string())),
        Err(AppError::Store(StoreError::Conflict { .. })) => Ok(back(format!(
            "/nodes/{}/delete?lang={}",
            node.0,
            lang.code()
        ))),
        Err(e) => Err(e.into()),
    }
}
