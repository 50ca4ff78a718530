//! The city's indicators (指標): the list of one municipality's indicators with how many
//! targets and actuals each has, and per indicator a page to correct its name, unit,
//! direction, definition, source and 共通 mark, or to merge it into another indicator of
//! the same measure. City administrators only; every change goes through
//! `kusei_app::indicators` (the same guard and rules as any other caller).

use crate::admin::require_admin;
use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::{Lang, LangQuery};
use crate::layout::Page;
use crate::pages::parse_id;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_app::indicators::{self as app, IndicatorEdit, IndicatorError};
use kusei_domain::model::{Direction, Indicator, IndicatorId, MunicipalityId};
use maud::html;
use serde::Deserialize;

fn direction_label(lang: Lang, d: Direction) -> &'static str {
    match d {
        Direction::HigherIsBetter => lang.t("高いほどよい", "higher is better"),
        Direction::LowerIsBetter => lang.t("低いほどよい", "lower is better"),
    }
}

/// `?municipality=&lang=`
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    municipality: Option<String>,
    /// What was just done (saved, merged) to the indicator `id`.
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    id: Option<i64>,
}

/// GET /admin/indicators: the municipality's indicators.
pub(crate) async fn list(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    list_page(&state, &who, &q, &FieldErrors::default()).await
}

/// The list, with the new-indicator form refused at its fields (`errors`, what was typed
/// kept) when given.
async fn list_page(
    state: &AppState,
    who: &Who,
    q: &ListQuery,
    errors: &FieldErrors,
) -> Result<Html<String>, WebError> {
    let (state, who) = (state.clone(), who.clone());
    let lang = q.lang.unwrap_or_default();
    let (cities, _) = require_admin(&state, &who).await?;
    let selected = q
        .municipality
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| parse_id(s, "municipality").map(MunicipalityId))
        .transpose()?;
    let page = Page { lang, who: &who };
    let Some(city) = cities
        .iter()
        .find(|c| Some(c.m.id) == selected)
        .or(cities.first())
    else {
        let body = html! {
            h1 { (lang.t("指標", "Indicators")) }
            p { (lang.t("まだ自治体が登録されていません。", "No municipality has been set up yet.")) }
        };
        return Ok(Html(page.render(
            lang.t("指標", "Indicators"),
            "/admin/indicators",
            body,
        )));
    };
    let indicators = state.store.list_indicators(city.m.id).await?;
    let usage = state.store.indicator_usage(city.m.id).await?;
    let used = |id: IndicatorId| {
        usage
            .iter()
            .find(|u| u.0 == id)
            .map_or((0, 0), |u| (u.1, u.2))
    };
    let changed =
        q.id.and_then(|id| indicators.iter().find(|i| i.id.0 == id))
            .map(|i| i.name.clone());
    let notice = match (q.done.as_deref(), changed) {
        (Some("saved"), Some(n)) => Some(format!("{}{n}", lang.t("保存しました: ", "Saved: "))),
        (Some("merged"), Some(n)) => Some(format!(
            "{}{n}",
            lang.t("統合しました。統合先: ", "Merged into: ")
        )),
        _ => None,
    };
    let body = html! {
        h1 { (lang.t("指標", "Indicators")) }
        @if let Some(n) = notice { p.notice.success role="status" { (n) } }
        p.lead { (lang.t("対象の自治体: ", "Municipality: ")) strong { (city.m.name) } }
        p { (lang.t(
            "取込や入力で目標・実績に使われた指標です。名称・単位・定義・出典を直し、同じ指標が別の名称で二つある場合は統合できます（年度・区をまたいだ推移が一つにつながります）。",
            "The indicators the imported and entered targets and actuals use. Correct a name, unit, definition or source; where one figure has two names, merge them so its series across years and wards is one."
        )) }
        @if cities.len() > 1 {
            form method="get" action="/admin/indicators" {
                input type="hidden" name="lang" value=(lang.code());
                div.field {
                    label for="f-pick" { (lang.t("自治体", "Municipality")) }
                    select #f-pick name="municipality" {
                        @for x in &cities { option value=(x.m.id.0) selected[x.m.id == city.m.id] { (x.m.name) } }
                    }
                }
                button type="submit" { (lang.t("表示", "Show")) }
            }
        }
        @if indicators.is_empty() {
            p { (lang.t(
                "まだ指標がありません。計画を取り込むか、取組の目標を入力すると、目標が示す指標がここに加わります。",
                "No indicators yet. Import a plan or enter an item's targets: the indicators they name are added here."
            )) }
        } @else {
            table.indicators {
                caption { (city.m.name) " — " (lang.t("指標", "indicators")) " (" (indicators.len()) ")" }
                thead { tr {
                    th scope="col" { (lang.t("指標名", "Indicator")) }
                    th scope="col" { (lang.t("単位", "Unit")) }
                    th scope="col" { (lang.t("方向", "Direction")) }
                    th scope="col" { (lang.t("共通指標", "Common")) }
                    th scope="col" { (lang.t("出典", "Source")) }
                    th scope="col" class="num" { (lang.t("目標", "Targets")) }
                    th scope="col" class="num" { (lang.t("実績", "Actuals")) }
                } }
                tbody { @for i in &indicators {
                    @let (t, a) = used(i.id);
                    tr id={ "ind-" (i.id.0) } {
                        th scope="row" { a href={ "/admin/indicators/" (i.id.0) "?lang=" (lang.code()) } { (i.name) } }
                        td { (i.unit) }
                        td { (direction_label(lang, i.direction)) }
                        td { (if i.is_common { lang.t("共通", "common") } else { "" }) }
                        td { (i.source.as_deref().unwrap_or("")) }
                        td class="num" { (t) }
                        td class="num" { (a) }
                    }
                } }
            }
        }
        section aria-labelledby="new-h" {
            h2 #new-h { (lang.t("共通指標を追加", "Add a common indicator")) }
            p { (lang.t("市が全区に設定する指標です。追加したあと、その指標のページに、名称の似た区の指標（過去の取込を含む）が統合の候補として表示されます。",
                "An indicator the city sets for every ward. Once added, its page lists the wards' indicators with similar names (imported history included) as candidates to merge into it.")) }
            form method="post" action={ "/admin/indicators?municipality=" (city.m.id.0) "&lang=" (lang.code()) } novalidate {
                (page.csrf_field())
                div.field {
                    label for="f-new-name" { (lang.t("指標名", "Name")) }
                    @if let Some(e) = errors.get("name") { p.error #f-new-name-err role="alert" { (e) } }
                    input #f-new-name type="text" name="name" required value=(errors.typed("name").unwrap_or("")) aria-invalid=[errors.get("name").map(|_| "true")] aria-describedby=[errors.get("name").map(|_| "f-new-name-err")];
                }
                div.field {
                    label for="f-new-unit" { (lang.t("単位（例: %、件、千円）", "Unit (e.g. %, people, yen)")) }
                    @if let Some(e) = errors.get("unit") { p.error #f-new-unit-err role="alert" { (e) } }
                    input #f-new-unit type="text" name="unit" required value=(errors.typed("unit").unwrap_or("")) aria-invalid=[errors.get("unit").map(|_| "true")] aria-describedby=[errors.get("unit").map(|_| "f-new-unit-err")];
                }
                div.field {
                    label for="f-new-direction" { (lang.t("方向", "Direction")) }
                    select #f-new-direction name="direction" {
                        @for d in [Direction::HigherIsBetter, Direction::LowerIsBetter] { option value=(d.code()) { (direction_label(lang, d)) } }
                    }
                }
                div.field {
                    label for="f-new-definition" { (lang.t("定義（算出方法）", "Definition (how it is measured)")) }
                    textarea #f-new-definition name="definition" rows="2" { (errors.typed("definition").unwrap_or("")) }
                }
                div.field {
                    label for="f-new-source" { (lang.t("出典（例: 区民アンケート）", "Source (e.g. residents' survey)")) }
                    input #f-new-source type="text" name="source" value=(errors.typed("source").unwrap_or(""));
                }
                div.field {
                    label for="f-new-question" { (lang.t("調査の設問", "Survey question")) }
                    textarea #f-new-question name="question" rows="2" { (errors.typed("question").unwrap_or("")) }
                }
                button type="submit" { (lang.t("共通指標を追加", "Add the common indicator")) }
            }
        }
        p { a href={ "/admin?municipality=" (city.m.id.0) "&lang=" (lang.code()) } { (lang.t("管理に戻る", "Back to administration")) } }
    };
    Ok(Html(page.render(
        lang.t("指標", "Indicators"),
        "/admin/indicators",
        body,
    )))
}

/// What the edit form shows: the stored indicator, or what was typed when refused.
struct Shown {
    name: String,
    unit: String,
    direction: Direction,
    definition: String,
    source: String,
    is_common: bool,
    question: String,
}

impl Shown {
    fn of(i: &Indicator, question: Option<String>) -> Shown {
        Shown {
            name: i.name.clone(),
            unit: i.unit.clone(),
            direction: i.direction,
            definition: i.definition.clone().unwrap_or_default(),
            source: i.source.clone().unwrap_or_default(),
            is_common: i.is_common,
            question: question.unwrap_or_default(),
        }
    }
}

/// The indicator `id` of a municipality the viewer administers.
async fn administered(state: &AppState, who: &Who, id: &str) -> Result<Indicator, WebError> {
    // Signed out: to the sign-in page; signed in without any administration: refused.
    require_admin(state, who).await?;
    let id = IndicatorId(parse_id(id, "indicator")?);
    Ok(app::administered(&state.store, &who.caller(), id).await?)
}

async fn edit_page(
    state: &AppState,
    page: &Page<'_>,
    ind: &Indicator,
    shown: &Shown,
    errors: &FieldErrors,
    chosen: Option<IndicatorId>,
) -> Result<String, WebError> {
    let lang = page.lang;
    let others: Vec<Indicator> = state
        .store
        .list_indicators(ind.municipality_id)
        .await?
        .into_iter()
        .filter(|i| i.id != ind.id)
        .collect();
    let aliases: Vec<String> = state
        .store
        .indicator_aliases(ind.municipality_id)
        .await?
        .into_iter()
        .filter(|(_, id)| *id == ind.id)
        .map(|(n, _)| n)
        .collect();
    let suggested: Vec<(Indicator, f64)> = if ind.is_common {
        app::suggestions(ind, &others)
            .into_iter()
            .filter(|(c, _)| !c.is_common)
            .map(|(c, s)| (c.clone(), s))
            .collect()
    } else {
        Vec::new()
    };
    let (targets, actuals) = state
        .store
        .indicator_usage(ind.municipality_id)
        .await?
        .into_iter()
        .find(|u| u.0 == ind.id)
        .map_or((0, 0), |u| (u.1, u.2));
    let err = |f: &str| {
        errors
            .get(f)
            .map(|e| html! { p.error role="alert" id={ "f-" (f) "-err" } { (e) } })
    };
    let described = |f: &str| errors.get(f).map(|_| format!("f-{f}-err"));
    let invalid = |f: &str| errors.get(f).map(|_| "true");
    let has_error = |f: &str| errors.get(f).is_some();
    let merge_refused = has_error("into") || has_error("confirm");
    let q = format!("?lang={}", lang.code());
    let body = html! {
        h1 { (lang.t("指標の編集", "Edit indicator")) (lang.t("：", ": ")) (ind.name) }
        @if !errors.is_empty() {
            div.error-summary role="alert" {
                @if merge_refused {
                    p { (lang.t("統合できませんでした。何も変更していません。", "Nothing was merged; nothing changed.")) }
                } @else {
                    p { (lang.t("保存できませんでした。次の項目を確認してください。", "Nothing was saved. Check the following.")) }
                }
                ul { @for (f, label) in [("name", lang.t("指標名", "Name")), ("unit", lang.t("単位", "Unit")), ("into", lang.t("統合先の指標", "Merge into")), ("confirm", lang.t("統合の確認", "Confirmation"))] {
                    @if has_error(f) { li { a href={ "#f-" (f) } { (label) } } }
                } }
            }
        }
        p { (lang.t("結び付いている数: ", "Linked: ")) (lang.t("目標 ", "targets ")) (targets) "・" (lang.t("実績 ", "actuals ")) (actuals) }
        @if !aliases.is_empty() {
            p { (lang.t("統合された名称: ", "Merged names: ")) (aliases.join("、")) }
        }
        form method="post" action={ "/admin/indicators/" (ind.id.0) (q) } novalidate {
            (page.csrf_field())
            div class={ "field" @if has_error("name") { " has-error" } } {
                label for="f-name" { (lang.t("指標名", "Name")) }
                @if let Some(e) = err("name") { (e) }
                input #f-name type="text" name="name" value=(shown.name) aria-invalid=[invalid("name")] aria-describedby=[described("name")];
            }
            div class={ "field" @if has_error("unit") { " has-error" } } {
                label for="f-unit" { (lang.t("単位（例: %、件、千円）", "Unit (e.g. %, people, yen)")) }
                @if let Some(e) = err("unit") { (e) }
                input #f-unit type="text" name="unit" value=(shown.unit) aria-invalid=[invalid("unit")] aria-describedby=[described("unit")];
            }
            div.field {
                label for="f-direction" { (lang.t("方向", "Direction")) }
                select #f-direction name="direction" {
                    @for d in [Direction::HigherIsBetter, Direction::LowerIsBetter] {
                        option value=(d.code()) selected[d == shown.direction] { (direction_label(lang, d)) }
                    }
                }
            }
            div.field {
                label for="f-definition" { (lang.t("定義（算出方法）", "Definition (how it is measured)")) }
                textarea #f-definition name="definition" rows="3" { (shown.definition) }
            }
            div.field {
                label for="f-source" { (lang.t("出典（例: 区民アンケート、住民基本台帳）", "Source (e.g. residents' survey, resident register)")) }
                input #f-source type="text" name="source" value=(shown.source);
            }
            div.field {
                label for="f-question" { (lang.t("調査の設問（区民の割合などの指標）", "Survey question (for shares of residents)")) }
                textarea #f-question name="question" rows="2" { (shown.question) }
            }
            div.field {
                input #f-common type="checkbox" name="is_common" value="1" checked[shown.is_common];
                " "
                label for="f-common" { (lang.t("共通指標（市が全区に設定する指標）", "Common indicator (set by the city for every ward)")) }
            }
            button type="submit" { (lang.t("保存", "Save")) }
        }
        @if !suggested.is_empty() {
            section aria-labelledby="suggest-h" {
                h2 #suggest-h { (lang.t("統合の候補（名称の似た指標）", "Candidates to merge into this one (similar names)")) }
                p { (lang.t("区ごと・年度ごとに少しずつ違う名称で取り込まれた同じ指標です。統合すると、その目標・実績がこの指標の系列になります。",
                    "The same figure imported under slightly different names by ward or year. Merged, its targets and actuals join this indicator's series.")) }
                ul.suggestions { @for (c, score) in &suggested {
                    li {
                        form method="post" action={ "/admin/indicators/" (c.id.0) "/merge" (q) } {
                            (page.csrf_field())
                            input type="hidden" name="into" value=(ind.id.0);
                            a href={ "/admin/indicators/" (c.id.0) (q) } { (c.name) } "（" (c.unit) "） "
                            span.muted { (lang.t("類似度 ", "likeness ")) (format!("{:.0}%", score * 100.0)) } " "
                            input id={ "f-confirm-" (c.id.0) } type="checkbox" name="confirm" value="1";
                            label for={ "f-confirm-" (c.id.0) } { (lang.t("取り消せないことを確認", "I understand it cannot be undone")) }
                            " "
                            button type="submit" { (lang.t("この指標に統合", "Merge into this one")) }
                        }
                    }
                } }
            }
        }
        section aria-labelledby="merge-h" {
            h2 #merge-h { (lang.t("別の指標に統合", "Merge into another indicator")) }
            p { (lang.t(
                "同じ指標が別の名称で登録されている場合に使います。この指標の目標・実績はすべて統合先の指標に移り、この名称は統合先の別名として残ります（今後この名称で取り込んだ目標も統合先に結び付きます）。",
                "Use this when one figure was registered under two names. Every target and actual of this indicator moves to the one chosen, and this name stays as another name of it (later imports under this name link to it too)."
            )) }
            @if others.is_empty() {
                p { (lang.t("統合先にできる指標がありません。", "There is no other indicator to merge into.")) }
            } @else {
                form method="post" action={ "/admin/indicators/" (ind.id.0) "/merge" (q) } novalidate {
                    (page.csrf_field())
                    div class={ "field" @if has_error("into") { " has-error" } } {
                        label for="f-into" { (lang.t("統合先の指標", "Merge into")) }
                        @if let Some(e) = err("into") { (e) }
                        select #f-into name="into" aria-invalid=[invalid("into")] aria-describedby=[described("into")] {
                            option value="" { (lang.t("（選んでください）", "(choose one)")) }
                            @for o in &others { option value=(o.id.0) selected[Some(o.id) == chosen] { (o.name) "（" (o.unit) "）" } }
                        }
                    }
                    div class={ "field" @if has_error("confirm") { " has-error" } } {
                        @if let Some(e) = err("confirm") { (e) }
                        input #f-confirm type="checkbox" name="confirm" value="1" aria-invalid=[invalid("confirm")] aria-describedby=[described("confirm")];
                        " "
                        label for="f-confirm" { (lang.t("統合は取り消せないことを確認しました", "I understand that a merge cannot be undone")) }
                    }
                    button type="submit" { (lang.t("統合する", "Merge")) }
                }
            }
        }
        p { a href={ "/admin/indicators?municipality=" (ind.municipality_id.0) "&lang=" (lang.code()) } { (lang.t("指標の一覧に戻る", "Back to the indicators")) } }
    };
    Ok(page.render(
        lang.t("指標の編集", "Edit indicator"),
        "/admin/indicators",
        body,
    ))
}

/// GET /admin/indicators/{id}
pub(crate) async fn form(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    let ind = administered(&state, &who, &id).await?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let html = edit_page(
        &state,
        &page,
        &ind,
        &Shown::of(&ind, state.store.indicator_question(ind.id).await?),
        &FieldErrors::default(),
        None,
    )
    .await?;
    Ok(Html(html))
}

/// Back to the list after a change, which it confirms (`done`: saved, merged).
fn to_list(lang: Lang, m: MunicipalityId, id: IndicatorId, done: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!(
                "/admin/indicators?municipality={}&lang={}&done={done}&id={}#ind-{}",
                m.0,
                lang.code(),
                id.0,
                id.0
            ),
        )],
    )
        .into_response()
}

/// A refusal at its field (the form again, 422, what was typed kept), else the error.
async fn refused(
    state: &AppState,
    who: &Who,
    lang: Lang,
    ind: &Indicator,
    shown: &Shown,
    chosen: Option<IndicatorId>,
    e: IndicatorError,
) -> Result<Response, WebError> {
    match e {
        IndicatorError::Rule(rule) => {
            let mut errors = FieldErrors::default();
            let message = match lang {
                Lang::Ja => rule.ja(),
                Lang::En => rule.en(),
            };
            errors.add(rule.field(), message);
            form_again(state, who, lang, ind, shown, chosen, &errors).await
        }
        IndicatorError::App(e) => Err(e.into()),
    }
}

/// The edit page again with `errors` at their fields (422).
async fn form_again(
    state: &AppState,
    who: &Who,
    lang: Lang,
    ind: &Indicator,
    shown: &Shown,
    chosen: Option<IndicatorId>,
    errors: &FieldErrors,
) -> Result<Response, WebError> {
    let page = Page { lang, who };
    let html = edit_page(state, &page, ind, shown, errors, chosen).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// POST /admin/indicators/{id}: save the edit form.
pub(crate) async fn save(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let lang = q.lang();
    let ind = administered(&state, &who, &id).await?;
    let shown = Shown {
        name: form.get("name").unwrap_or("").to_string(),
        unit: form.get("unit").unwrap_or("").to_string(),
        direction: form
            .get("direction")
            .and_then(Direction::from_code)
            .unwrap_or(ind.direction),
        definition: form.get("definition").unwrap_or("").to_string(),
        source: form.get("source").unwrap_or("").to_string(),
        is_common: form.get("is_common").is_some(),
        question: form.get("question").unwrap_or("").to_string(),
    };
    let edit = IndicatorEdit {
        name: shown.name.clone(),
        unit: shown.unit.clone(),
        direction: shown.direction,
        definition: Some(shown.definition.clone()),
        source: Some(shown.source.clone()),
        is_common: shown.is_common,
    };
    match app::edit_indicator(&state.store, &who.caller(), ind.id, &edit).await {
        Ok(()) => {
            app::set_question(&state.store, &who.caller(), ind.id, Some(&shown.question)).await?;
            Ok(to_list(lang, ind.municipality_id, ind.id, "saved"))
        }
        Err(e) => refused(&state, &who, lang, &ind, &shown, None, e).await,
    }
}

/// POST /admin/indicators/{id}/merge: merge this indicator into `into`.
pub(crate) async fn merge(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let lang = q.lang();
    let ind = administered(&state, &who, &id).await?;
    let shown = Shown::of(&ind, state.store.indicator_question(ind.id).await?);
    let into = form
        .text("into")
        .map(|v| parse_id(&v, "indicator").map(IndicatorId))
        .transpose()?;
    let mut errors = FieldErrors::default();
    if into.is_none() {
        errors.add(
            "into",
            lang.t(
                "統合先の指標を選んでください。",
                "Choose the indicator to merge into.",
            ),
        );
    }
    if form.get("confirm").is_none() {
        errors.add(
            "confirm",
            lang.t(
                "統合は取り消せません。確認の欄にチェックを入れてください。",
                "A merge cannot be undone: tick the confirmation.",
            ),
        );
    }
    let Some(into) = into.filter(|_| errors.is_empty()) else {
        return form_again(&state, &who, lang, &ind, &shown, into, &errors).await;
    };
    match app::merge_indicators(&state.store, &who.caller(), ind.id, into).await {
        Ok(()) => Ok(to_list(lang, ind.municipality_id, into, "merged")),
        Err(e) => refused(&state, &who, lang, &ind, &shown, Some(into), e).await,
    }
}

/// POST /admin/indicators?municipality=: add an indicator (a 共通指標), then its page.
pub(crate) async fn create(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<ListQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let lang = q.lang.unwrap_or_default();
    let m = MunicipalityId(parse_id(
        q.municipality.as_deref().unwrap_or(""),
        "municipality",
    )?);
    crate::admin::require_administer(&state, &who, m).await?;
    let edit = IndicatorEdit {
        name: form.get("name").unwrap_or("").to_string(),
        unit: form.get("unit").unwrap_or("").to_string(),
        direction: form
            .get("direction")
            .and_then(Direction::from_code)
            .unwrap_or(Direction::HigherIsBetter),
        definition: form.text("definition"),
        source: form.text("source"),
        is_common: true,
    };
    match app::create_indicator(&state.store, &who.caller(), m, &edit).await {
        Ok(id) => {
            app::set_question(
                &state.store,
                &who.caller(),
                id,
                form.text("question").as_deref(),
            )
            .await?;
            Ok((
                StatusCode::SEE_OTHER,
                [(
                    header::LOCATION,
                    format!("/admin/indicators/{}?lang={}", id.0, lang.code()),
                )],
            )
                .into_response())
        }
        Err(IndicatorError::Rule(rule)) => {
            let mut errors = FieldErrors::default();
            errors.add(
                rule.field(),
                match lang {
                    Lang::Ja => rule.ja(),
                    Lang::En => rule.en(),
                },
            );
            errors.keep_typed(&form, &["name", "unit", "definition", "source", "question"]);
            let html = list_page(&state, &who, &q, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(IndicatorError::App(e)) => Err(e.into()),
    }
}
