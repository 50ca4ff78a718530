//! Reading pages: the plan list, a plan as its tree (working copy for staff who may read
//! it, the latest published version for everyone else) and earlier published versions.

use crate::auth::Who;
use crate::error::WebError;
use crate::i18n::{Lang, LangQuery};
use crate::layout::{period_label, Page};
use crate::policy::{allow, Action, Tree};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse};
use kusei_app::judge::References;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{LinkKind, Municipality, MunicipalityId, PlanId, PlanStatus, UnitId};
use kusei_store::{Store, StoredNode, StoredPlan, Transition};
use maud::{html, Markup};

pub(crate) async fn not_found(uri: Uri) -> impl IntoResponse {
    tracing::debug!(path = %uri.path(), "no route");
    WebError::NotFound(uri.path().to_string())
}

/// A known path asked with a method it does not answer (a page shown after a form was
/// sent, opened again from the history or a shared link): the API says so in JSON, a page
/// says what to do instead, in the page's language.
pub(crate) async fn method_not_allowed(uri: Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            axum::Json(serde_json::json!({"error": {"code": "method_not_allowed",
                "message": format!("{} does not answer this method", uri.path())}})),
        )
            .into_response();
    }
    let e = crate::i18n::ErrorPage {
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: None,
    };
    let mut res = (
        StatusCode::METHOD_NOT_ALLOWED,
        Html(crate::error::error_page(Lang::Ja, &e, None)),
    )
        .into_response();
    res.extensions_mut().insert(e);
    res
}

/// The unit tree of the municipality a unit belongs to.
pub(crate) async fn unit_tree(
    store: &Store,
    unit: UnitId,
) -> Result<(Tree, MunicipalityId), WebError> {
    let u = store.get_unit(unit).await?;
    let units = store.list_units(u.municipality_id).await?;
    Ok((Tree::new(u.municipality_id, &units), u.municipality_id))
}

pub(crate) fn parse_id(s: &str, what: &str) -> Result<i64, WebError> {
    s.parse()
        .map_err(|_| WebError::NotFound(format!("{what} {s:?}")))
}

pub(crate) fn judgment_badge(lang: Lang, j: Judgment) -> Markup {
    html! { span class={ "badge " (j.code()) } { (lang.t(j.label_ja(), j.label_en())) } }
}

pub(crate) fn status_badge(lang: Lang, s: PlanStatus) -> Markup {
    let en = match s {
        PlanStatus::Draft => "draft",
        PlanStatus::Submitted => "submitted",
        PlanStatus::Approved => "approved",
        PlanStatus::Published => "published",
    };
    html! { span class={ "badge status-" (s.code()) } { (lang.t(s.label_ja(), en)) } }
}

/// Home: municipalities → wards → years. Signed-out visitors see published plans only.
/// A city's page lists each ward's plans of its latest years ([`HOME_YEARS`]), a ward's
/// page (`?unit=`) all of its years; with several municipalities the home lists them a
/// page at a time ([`MUNICIPALITIES_PER_PAGE`]). No list reads the whole archive.
#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct HomeQuery {
    #[serde(default)]
    lang: Option<Lang>,
    /// A search typed where the home page was asked (`/?q=…`): answered by `/search`.
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    municipality: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

/// How many fiscal years of each ward a city's home page lists (the ward's own page has
/// them all).
pub(crate) const HOME_YEARS: i32 = 3;
/// Municipalities per page of the home page's list.
pub(crate) const MUNICIPALITIES_PER_PAGE: usize = 50;

pub(crate) async fn home(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<HomeQuery>,
) -> Result<axum::response::Response, WebError> {
    let lang = q.lang.unwrap_or_default();
    if let Some(words) = q.q.as_deref().filter(|w| !w.trim().is_empty()) {
        let to = format!(
            "/search?q={}&lang={}",
            kusei_app::search::path_segment(words),
            lang.code()
        );
        return Ok(axum::response::Redirect::to(&to).into_response());
    }
    let page = Page { lang, who: &who };
    let lang = page.lang;
    let store = &state.store;
    let grants = who.grants();
    let chosen_m = given(&q.municipality)
        .map(|m| parse_id(m, "municipality").map(MunicipalityId))
        .transpose()?;
    let chosen_u = given(&q.unit)
        .map(|u| parse_id(u, "unit").map(UnitId))
        .transpose()?;
    let page_no = page_number(&q.page);
    // The viewer's own work: read from the viewer's municipalities only.
    let staff = crate::inbox::viewer_sections(store, &grants).await?;
    let mine_units = crate::inbox::section_units(&grants, &staff);
    let mine = store.nodes_owned_by(&mine_units).await?;
    let ids: Vec<_> = staff.iter().map(|(m, _, _)| m.id).collect();
    let in_workflow = store.plans_in_workflow(&ids).await?;
    let inbox = crate::inbox::build(&state, &who, &in_workflow, &staff, &mine).await?;
    let can_write = staff.iter().any(|(_, units, tree)| {
        units
            .iter()
            .any(|u| allow(&grants, tree, Action::CreatePlan { unit: u.id }).is_ok())
    });
    // What is listed: the municipalities with a plan the viewer may see.
    let (drafts_of, drafts_everywhere) = crate::inbox::readable_drafts(store, &grants).await?;
    let with_plans = store
        .municipalities_with_plans(&drafts_of, drafts_everywhere)
        .await?;
    let all = store.list_municipalities().await?;
    let municipalities: Vec<&Municipality> =
        all.iter().filter(|m| with_plans.contains(&m.id)).collect();
    let chosen_m = match (chosen_m, chosen_u) {
        (Some(m), _) => Some(m),
        (None, Some(u)) => Some(store.get_unit(u).await?.municipality_id),
        (None, None) if municipalities.len() == 1 => municipalities.first().map(|m| m.id),
        _ => None,
    };
    let city = match chosen_m {
        Some(m) => {
            let m = all
                .iter()
                .find(|x| x.id == m)
                .ok_or_else(|| WebError::NotFound(format!("municipality {m}")))?;
            Some(city_listing(store, &grants, m, chosen_u, &drafts_of, drafts_everywhere).await?)
        }
        None => None,
    };
    let pages = municipalities
        .len()
        .div_ceil(MUNICIPALITIES_PER_PAGE)
        .max(1);
    let shown: Vec<&Municipality> = municipalities
        .iter()
        .skip((page_no - 1) * MUNICIPALITIES_PER_PAGE)
        .take(MUNICIPALITIES_PER_PAGE)
        .copied()
        .collect();
    let nothing_yet = all.is_empty();
    let body = html! {
        h1 { (lang.t("区政運営方針・計画", "Management plans")) }
        @if who.viewer.is_none() {
            p { (lang.t("公表された計画を掲載しています。職員の方はサインインすると作業中の計画を表示できます。",
                        "Published plans are listed. Staff can sign in to see plans in progress.")) }
        }
        @if nothing_yet {
            p { (lang.t("まだ自治体が登録されていません。", "No municipality has been set up yet.")) }
        } @else if municipalities.is_empty() {
            p { (lang.t("表示できる計画はまだありません。", "There is no plan to show yet.")) }
        }
        (crate::inbox::view(&page, &inbox))
        @if can_write {
            p { a href=(page.href("/plans/new")) { (lang.t("計画を作成する", "Write a new plan")) } }
        }
        @if !mine_units.is_empty() {
            section aria-labelledby="mine-h" {
                h2 #mine-h { (lang.t("あなたの担当の項目", "Your items")) }
                @if mine.is_empty() {
                    p { (lang.t("担当に設定された項目はまだありません（区の編集者が設定します）。", "No item has your section as its owner yet (the ward's editor sets it).")) }
                } @else {
                    table {
                        caption.visually-hidden { (lang.t("担当の項目", "Your items")) }
                        thead { tr {
                            th scope="col" { (lang.t("計画", "Plan")) }
                            th scope="col" { (lang.t("項目", "Item")) }
                            th scope="col" { (lang.t("入力", "Enter")) }
                        } }
                        tbody { @for o in &mine { tr {
                            td { a href=(page.href(&format!("/plans/{}/progress", o.plan_id.0))) { (o.plan_title) } }
                            td { a href=(page.href(&format!("/nodes/{}", o.node_id.0))) { (o.level) @if let Some(n) = &o.number { " " (n) } " " (o.title) } }
                            td {
                                a href=(page.href(&format!("/nodes/{}/plan", o.node_id.0))) { (lang.t("計画", "Plan")) } " · "
                                a href=(page.href(&format!("/nodes/{}/review", o.node_id.0))) { (lang.t("中間振り返り", "Review")) } " · "
                                a href=(page.href(&format!("/nodes/{}/evaluation", o.node_id.0))) { (lang.t("自己評価", "Evaluation")) }
                            }
                        } } }
                    }
                }
            }
        }
        @if let Some(c) = &city {
            @if municipalities.len() > 1 {
                p { a href=(page.href("/")) { (lang.t("← 自治体の一覧", "← All municipalities")) } }
            }
            (city_view(&page, c, &inbox))
        } @else if !municipalities.is_empty() {
            section aria-labelledby="municipalities-h" {
                h2 #municipalities-h { (lang.t("自治体", "Municipalities")) " "
                    span.muted { "(" (municipalities.len()) (lang.t("団体", "")) ")" } }
                ul.municipalities {
                    @for m in &shown {
                        li {
                            a href=(page.href(&format!("/?municipality={}", m.id))) { (m.name) }
                            @if m.is_sample { " " span.badge.sample { (lang.t("サンプル", "sample")) } }
                            " · " a href=(page.href(&format!("/dashboard/{}", m.id))) { (lang.t("区の比較", "ward comparison")) }
                        }
                    }
                }
                (municipality_pager(&page, "/", page_no, pages))
            }
        }
    };
    Ok(Html(page.render(lang.t("計画一覧", "Plans"), "/", body)).into_response())
}

/// A query value as given: trimmed, `None` when empty or absent.
pub(crate) fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The page number asked for (`page=`): 1 unless a number from 1 up is given.
pub(crate) fn page_number(v: &Option<String>) -> usize {
    given(v)
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1)
}

/// The links between pages of a list of municipalities at `path` (none for one page).
pub(crate) fn municipality_pager(
    page: &Page<'_>,
    path: &str,
    page_no: usize,
    pages: usize,
) -> Markup {
    let lang = page.lang;
    html! {
        @if pages > 1 {
            nav.pager aria-label=(lang.t("自治体の一覧のページ", "Pages of municipalities")) {
                @if page_no > 1 {
                    a rel="prev" href=(page.href(&format!("{path}?page={}", page_no - 1))) { (lang.t("← 前へ", "← Previous")) } " "
                }
                span { (lang.t(&format!("{page_no} / {pages} ページ"), &format!("Page {page_no} of {pages}"))) }
                @if page_no < pages {
                    " " a rel="next" href=(page.href(&format!("{path}?page={}", page_no + 1))) { (lang.t("次へ →", "Next →")) }
                }
            }
        }
    }
}

/// One municipality's part of the home page: its wards, each with the plans of its
/// latest years (or, for the chosen unit, all of them).
pub(crate) struct CityListing {
    municipality: Municipality,
    /// The units with listed plans, in the organisation's order, each with its plans
    /// newest first and whether the reader may read its drafts.
    units: Vec<(
        kusei_domain::model::Unit,
        bool,
        Vec<kusei_store::ListedPlan>,
    )>,
    /// The unit whose every year is shown.
    unit: Option<UnitId>,
    /// The first fiscal year listed when not every year is.
    from: Option<kusei_domain::calendar::FiscalYear>,
}

async fn city_listing(
    store: &Store,
    grants: &kusei_domain::policy::Grants,
    municipality: &Municipality,
    unit: Option<UnitId>,
    drafts_of: &[UnitId],
    drafts_everywhere: bool,
) -> Result<CityListing, WebError> {
    let m = municipality.id;
    let municipality = municipality.clone();
    let units = store.list_units(m).await?;
    if let Some(u) = unit {
        if !units.iter().any(|x| x.id == u) {
            return Err(WebError::NotFound(format!("unit {u}")));
        }
    }
    let tree = Tree::new(m, &units);
    let mut filter = kusei_store::PlanFilter {
        municipality: Some(m),
        unit,
        drafts_of: drafts_of.to_vec(),
        drafts_everywhere,
        limit: 1,
        ..Default::default()
    };
    let from = if unit.is_none() {
        // The newest year listed, then the years before it that the page shows.
        let (newest, _) = store.plans_page(&filter).await?;
        newest.first().and_then(|l| {
            kusei_domain::calendar::FiscalYear::new(
                l.summary.plan.period.end.year() - (HOME_YEARS - 1),
            )
            .ok()
        })
    } else {
        None
    };
    filter.min_end = from;
    let listed = store.plans_all(&filter).await?;
    let mut by_unit: std::collections::HashMap<UnitId, Vec<kusei_store::ListedPlan>> =
        std::collections::HashMap::new();
    for l in listed {
        by_unit.entry(l.summary.plan.unit_id).or_default().push(l);
    }
    let units = units
        .into_iter()
        .filter_map(|u| {
            let mut plans = by_unit.remove(&u.id)?;
            // Newest year first; within a year, the forms in their order.
            plans.sort_by_key(|l| {
                (
                    std::cmp::Reverse(l.summary.plan.period.end.year()),
                    l.summary.plan.family.code(),
                    l.summary.plan.id.0,
                )
            });
            let drafts = allow(grants, &tree, Action::ReadDraft { plan_unit: u.id }).is_ok();
            Some((u, drafts, plans))
        })
        .collect();
    Ok(CityListing {
        municipality,
        units,
        unit,
        from,
    })
}

fn city_view(page: &Page<'_>, c: &CityListing, inbox: &crate::inbox::Inbox) -> Markup {
    let lang = page.lang;
    let m = &c.municipality;
    html! {
        section aria-labelledby={ "m-" (m.id) } {
            h2 #{ "m-" (m.id) } {
                (m.name)
                @if m.is_sample { span.badge.sample { (lang.t("サンプル", "sample")) } }
            }
            p { a href=(page.href(&format!("/dashboard/{}", m.id))) { (lang.t("区の比較（ダッシュボード）", "Ward comparison (dashboard)")) }
                " · " a href=(page.href(&format!("/open-data?municipality={}", m.id))) { (lang.t("オープンデータ", "Open data")) } }
            @if let Some(from) = c.from {
                p.muted { (lang.t(
                    &format!("各区の{}以降の計画を表示しています。それより前の年度は区の名前の下の「すべての年度」から表示できます。", crate::layout::fy_label(lang, from)),
                    &format!("Each ward's plans from {} on; earlier years are under \"all years\" below each ward's name.", crate::layout::fy_label(lang, from)))) }
            }
            @if c.unit.is_some() {
                p { a href=(page.href(&format!("/?municipality={}", m.id))) { (lang.t("← すべての区の最近の計画", "← Recent plans of every ward")) } }
                @if c.units.is_empty() {
                    p { (lang.t("この組織の計画はまだありません。", "This unit has no plan yet.")) }
                }
            }
            @for (u, drafts, unit_plans) in &c.units {
                h3 { (u.name) " " span.muted { "(" (crate::admin::kind_label(lang, u.kind)) ")" } }
                p {
                    a href=(page.href(&format!("/council/{}", u.id.0))) { (u.name) " " (lang.t("区政会議の意見と対応状況", "ward council: opinions and answers")) }
                    @if c.unit.is_none() {
                        " · " a href=(page.href(&format!("/?municipality={}&unit={}", m.id, u.id.0))) { (u.name) " " (lang.t("すべての年度", "all years")) }
                    }
                }
                table {
                    caption.visually-hidden { (u.name) " — " (lang.t("計画", "plans")) }
                    thead { tr {
                        th scope="col" { (lang.t("年度", "Fiscal year")) }
                        th scope="col" { (lang.t("計画", "Plan")) }
                        th scope="col" { (lang.t("様式", "Form")) }
                        th scope="col" { (lang.t("状態", "Status")) }
                        th scope="col" { (lang.t("項目数", "Items")) }
                    } }
                    tbody {
                        @for l in unit_plans {
                            @let p = &l.summary;
                            tr {
                                td { (period_label(lang, &p.plan.period)) }
                                td {
                                    a href=(page.href(&format!("/plans/{}", p.plan.id))) { (p.plan.title) }
                                    @if p.plan.is_sample { " " span.badge.sample { (lang.t("サンプル", "sample")) } }
                                }
                                td { (crate::structure::family_label(lang, p.plan.family)) }
                                td {
                                    @if *drafts && l.working { (status_badge(lang, p.plan.status)) }
                                    @if *drafts && l.working && inbox.returned_of(p.plan.id).is_some() { " " strong.badge.returned { (lang.t("差戻し", "returned")) } }
                                    @else if let Some(v) = l.published_version {
                                        @if *drafts && l.working { " · " }
                                        (lang.t("公表版", "published version")) " " (lang.t("第", "v")) (v) (lang.t("版", ""))
                                    }
                                }
                                td { (p.node_count) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A plan: the working copy for staff who may read it, else its latest published version.
/// `/plans/{id}`: the language, and what an import just did (shown once as a notice).
#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct PlanQuery {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    imported: Option<String>,
    /// The workflow step just taken (said once).
    #[serde(default)]
    done: Option<String>,
}

pub(crate) async fn plan(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, WebError> {
    let page = Page {
        lang: q.lang.unwrap_or_default(),
        who: &who,
    };
    let lang = page.lang;
    // A signed-out reader sees the latest published version: made once, then kept.
    if who.viewer.is_none() {
        let id = PlanId(parse_id(&id, "plan")?);
        return crate::public_cache::plan_page(&state, &who, lang, id, None, &headers).await;
    }
    let notice = q.imported.as_deref().and_then(|i| match i {
        "created" => Some(lang.t("文書を取り込み、新しい計画として保存しました。", "The document was stored as a new plan.")),
        "updated" => Some(lang.t("文書を取り込み、計画を改訂しました（違いは各項目の変更履歴にあります）。", "The document was stored as a revision of the plan (each item's history shows the differences).")),
        "unchanged" => Some(lang.t("文書を取り込みましたが、計画と同じ内容のため何も変わりませんでした。", "The document was read; it says the same as the plan, so nothing changed.")),
        _ => None,
    }).or_else(|| q.done.as_deref().and_then(|d| match d {
        "submit" => Some(lang.t("承認を依頼しました。承認者の「あなたの作業」に表示されます。", "Submitted: the plan now waits in the approvers' work list.")),
        "approve" => Some(lang.t("承認しました。公表するまで市民には表示されません。", "Approved. Citizens see it once it is published.")),
        "return" => Some(lang.t("差し戻しました。理由は編集者の「あなたの作業」と計画のページに表示されます。", "Returned: the editors see the reason on their work list and on the plan's page.")),
        "publish" => Some(lang.t("公表しました。市民が読めるようになりました。", "Published: citizens can read it now.")),
        _ => None,
    }));
    let id = PlanId(parse_id(&id, "plan")?);
    let store = &state.store;
    let live = store.load_plan(id).await?;
    let (tree, _) = unit_tree(store, live.plan.unit_id).await?;
    let grants = who.grants();
    let path = format!("/plans/{}", id.0);
    if allow(
        &grants,
        &tree,
        Action::ReadDraft {
            plan_unit: live.plan.unit_id,
        },
    )
    .is_ok()
    {
        let panel = workflow_panel(&page, &state, &live, &tree).await?;
        let refs = References::load_all(store, live.plan.unit_id).await?;
        // A plan returned to its editors says why at the top, in full.
        let returned = if live.plan.status == PlanStatus::Draft {
            crate::inbox::returned(&state, id, &live.plan.title).await?
        } else {
            None
        };
        let body = html! {
            @if let Some(n) = notice { p.notice.success role="status" { (n) } }
            @if let Some(r) = &returned {
                div.notice.returned role="alert" {
                    p { strong { (lang.t("この計画は差し戻されました。", "This plan was returned.")) } " "
                        (lang.t("理由: ", "Reason: ")) q { (r.reason) } }
                    p.muted { (r.actor) " · " (crate::i18n::japan_time_of(lang, &r.at)) " — "
                        (lang.t("直してからもう一度承認を依頼してください。", "Correct it, then submit it for approval again.")) }
                }
            }
            (panel)
            (plan_body(&page, &live, true, &refs))
        };
        return Ok(Html(page.render(&live.plan.title, &path, body)).into_response());
    }
    let Some(published) = store.published_plan(id, None).await? else {
        return Err(WebError::NotFound(format!("plan {id}")));
    };
    let versions = store.published_versions(id).await?;
    let refs = References::load_all(store, published.plan.unit_id).await?;
    let body = html! {
        (versions_nav(&page, id, &versions, Some(published.plan.version)))
        (plan_body(&page, &published, false, &refs))
    };
    Ok(Html(page.render(&published.plan.title, &path, body)).into_response())
}

/// An earlier (or the latest) published version, for anyone.
pub(crate) async fn published_version(
    State(state): State<AppState>,
    who: Who,
    Path((id, version)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, WebError> {
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let id = PlanId(parse_id(&id, "plan")?);
    let version = parse_id(&version, "version")?;
    if who.viewer.is_none() {
        return crate::public_cache::plan_page(
            &state,
            &who,
            page.lang,
            id,
            Some(version),
            &headers,
        )
        .await;
    }
    let Some(sp) = state.store.published_plan(id, Some(version)).await? else {
        return Err(WebError::NotFound(format!("plan {id} version {version}")));
    };
    let versions = state.store.published_versions(id).await?;
    let path = format!("/plans/{}/versions/{version}", id.0);
    let refs = References::load_all(&state.store, sp.plan.unit_id).await?;
    let body = html! {
        (versions_nav(&page, id, &versions, Some(version)))
        (plan_body(&page, &sp, false, &refs))
    };
    Ok(Html(page.render(&sp.plan.title, &path, body)).into_response())
}

pub(crate) fn versions_nav(
    page: &Page<'_>,
    id: PlanId,
    versions: &[kusei_store::PublishedVersion],
    shown: Option<i64>,
) -> Markup {
    let lang = page.lang;
    html! {
        aside.versions aria-label=(lang.t("公表版", "Published versions")) {
            @if let Some(v) = shown {
                p.notice {
                    (lang.t("公表版", "Published version")) " " (v)
                    @if let Some(p) = versions.iter().find(|p| p.version == v) {
                        " — " (lang.t("公表日時", "published")) " " (crate::i18n::japan_time_of(lang, &p.published_at))
                    }
                }
            }
            @if versions.len() > 1 {
                details {
                    summary { (lang.t("これまでの公表版", "Earlier published versions")) }
                    ul {
                        @for p in versions {
                            li { a href=(page.href(&format!("/plans/{}/versions/{}", id.0, p.version))) {
                                (lang.t("第", "Version ")) (p.version) (lang.t("版", "")) " (" (p.published_at.get(..10).unwrap_or("")) ")"
                            } }
                        }
                    }
                }
            }
        }
    }
}

/// Status, workflow buttons the viewer may press, decisions, versions, council comments.
async fn workflow_panel(
    page: &Page<'_>,
    state: &AppState,
    sp: &StoredPlan,
    tree: &Tree,
) -> Result<Markup, WebError> {
    let lang = page.lang;
    let p = &sp.plan;
    let grants = page.who.grants();
    let store = &state.store;
    let decisions = store.decisions(p.id).await?;
    let versions = store.published_versions(p.id).await?;
    let opinions = store.opinions(p.id).await?;
    let unanswered = opinions.iter().filter(|o| !o.is_answered()).count();
    let steps: Vec<Transition> = [
        Transition::Submit,
        Transition::Approve,
        Transition::Return,
        Transition::Publish,
    ]
    .into_iter()
    .filter(|s| s.rule().0.contains(&p.status))
    .filter(|s| {
        allow(
            &grants,
            tree,
            Action::Step {
                plan_unit: p.unit_id,
                step: *s,
            },
        )
        .is_ok()
    })
    .collect();
    let can_copy = allow(
        &grants,
        tree,
        Action::CopyForward {
            plan_unit: p.unit_id,
        },
    )
    .is_ok();
    let can_comment = allow(
        &grants,
        tree,
        Action::Comment {
            plan_unit: p.unit_id,
        },
    )
    .is_ok();
    let can_structure = allow(
        &grants,
        tree,
        Action::EditStructure {
            plan_unit: p.unit_id,
        },
    )
    .is_ok();
    let action = format!("/plans/{}/workflow", p.id.0);
    Ok(html! {
        section.workflow aria-labelledby="wf-h" {
            h2 #wf-h { (lang.t("作業中の版と手続き", "Working copy and approval")) }
            p {
                (lang.t("状態", "Status")) ": " (status_badge(lang, p.status)) " · "
                (lang.t("版", "Version")) " " (p.version)
                @if !versions.is_empty() {
                    " · " a href=(page.href(&format!("/plans/{}/versions/{}", p.id.0, versions[0].version))) {
                        (lang.t("最新の公表版を見る", "See the latest published version"))
                    }
                }
            }
            @if let Err(why) = kusei_domain::workflow::editable(p.status) {
                p.notice { (lang.t(&why.ja(), &why.en())) }
            }
            p {
                a href=(page.href(&format!("/plans/{}/progress", p.id.0))) { (lang.t("入力の状況（項目×計画・中間振り返り・自己評価）", "Progress (items × plan, review, evaluation)")) }
                @if can_structure {
                    " · "
                    a href=(page.href(&format!("/plans/{}/structure", p.id.0))) { (lang.t("項目の追加・並べ替え・削除・担当の設定", "Add, order and delete items; set their sections")) }
                }
                " · "
                a href=(page.href(&format!("/plans/{}/history", p.id.0))) { (lang.t("変更履歴（削除した項目を元に戻す）", "History (restore deleted items)")) }
            }
            @for s in &steps {
                form.step method="post" action=(page.href(&action)) novalidate {
                    (page.csrf_field())
                    input type="hidden" name="step" value=(s.code());
                    @if *s == Transition::Return {
                        div.field {
                            label for="f-comment" { (lang.t("差戻しの理由（必須）", "Why it is returned (required)")) }
                            textarea #f-comment name="comment" rows="2" {}
                        }
                    }
                    button type="submit" { (step_button(lang, *s)) }
                }
            }
            @if can_copy {
                form.step method="post" action={ "/plans/" (p.id.0) "/copy-forward" } {
                    (page.csrf_field())
                    button type="submit" { (lang.t("次年度の計画を作成（この計画を引き継ぐ）", "Create next year's plan from this one")) }
                }
            }
            @if !decisions.is_empty() {
                details {
                    summary { (lang.t("手続きの記録", "Approval record")) " (" (decisions.len()) ")" }
                    ol.decisions {
                        @for d in &decisions {
                            li {
                                (crate::i18n::japan_time_of(lang, &d.at)) " · " (d.actor) " · "
                                strong { (lang.t(d.action.label_ja(), d.action.label_en())) }
                                " (" (lang.t("版", "v")) " " (d.version) ")"
                                @if let Some(c) = &d.comment { " — " q { (c) } }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="op-h" {
                h3 #op-h { (lang.t("区政会議の意見", "Ward council opinions")) }
                p {
                    a href=(page.href(&format!("/council/{}", p.unit_id.0))) { (lang.t("区政会議の意見と対応状況", "Ward council: opinions and answers")) }
                    " — " (lang.t("この計画への意見 ", "opinions on this plan: ")) (opinions.len()) (lang.t("件", ""))
                    @if unanswered > 0 { (lang.t("（未回答 ", " (not yet answered: ")) (unanswered) (lang.t("件）", ")")) }
                }
                @if can_comment {
                    p { a href=(page.href(&format!("/plans/{}/opinions/new", p.id.0))) { (lang.t("区政会議の委員として意見・評価を出す", "Give an opinion or evaluation as a council member")) } }
                }
            }
        }
    })
}

fn step_button(lang: Lang, s: Transition) -> &'static str {
    match s {
        Transition::Submit => lang.t("承認を依頼する（提出）", "Submit for approval"),
        Transition::Approve => lang.t("承認する", "Approve"),
        Transition::Return => lang.t("差し戻す", "Return"),
        Transition::Publish => lang.t("公表する", "Publish"),
    }
}

pub(crate) fn plan_body(
    page: &Page<'_>,
    sp: &StoredPlan,
    working: bool,
    refs: &References,
) -> Markup {
    let lang = page.lang;
    let rows = sp.tree_rows();
    let p = &sp.plan;
    html! {
        p.muted { (sp.unit_name) " · " (period_label(lang, &p.period)) " · " (crate::structure::family_label(lang, p.family)) }
        h1 {
            (p.title)
            @if p.is_sample { " " span.badge.sample { (lang.t("サンプル", "sample")) } }
        }
        @if p.is_sample {
            p.notice { (lang.t(
                "これは Kusei が作成した架空のサンプルです。実在の計画ではありません。",
                "This is a fictitious sample written by Kusei, not a real plan.")) }
        }
        @if rows.is_empty() {
            p { (lang.t("この計画にはまだ項目がありません。", "This plan has no items yet.")) }
        }
        (crate::reports::plan_downloads(lang, p.id))
        p {
            a href=(page.href(&format!("/council/{}", p.unit_id.0))) { (sp.unit_name) " " (lang.t("区政会議の意見と対応状況", "ward council: opinions and answers")) }
            " · "
            a href=(page.href(&format!("/units/{}/directory", p.unit_id.0))) { (sp.unit_name) " " (lang.t("業務一覧（担当と連絡先）", "directory of sections (who does what, telephone)")) }
        }
        nav.toc aria-label=(lang.t("目次", "Contents")) {
            h2 { (lang.t("目次", "Contents")) }
            ul {
                @for row in rows.iter().filter(|r| r.kind == LinkKind::Primary) {
                    @let n = &sp.nodes[row.node].node;
                    li class={ "depth-" (row.depth) } {
                        a href={ "#node-" (n.id) } {
                            @if let Some(num) = &n.number { (n.level) " " (num) " " }
                            (n.title)
                        }
                    }
                }
            }
        }
        h2 { (lang.t("計画の内容", "The plan")) }
        @for row in &rows {
            @let sn = &sp.nodes[row.node];
            @if row.kind == LinkKind::Repeat {
                p class={ "repeat depth-" (row.depth.min(6)) } {
                    (lang.t("（再掲）", "(listed again)")) " "
                    a href={ "#node-" (sn.node.id) } { (sn.node.title) }
                }
            } @else {
                @let url = (!working).then(|| sp.item_path(sn));
                (node_view(page, sn, row.depth, working, refs, url.as_deref()))
            }
        }
    }
}

fn heading_level(depth: usize) -> usize {
    (depth + 3).min(6)
}

pub(crate) use kusei_domain::workflow::phase_en;

fn node_view(
    page: &Page<'_>,
    sn: &StoredNode,
    depth: usize,
    working: bool,
    refs: &References,
    item_url: Option<&str>,
) -> Markup {
    let lang = page.lang;
    let n = &sn.node;
    let h = heading_level(depth);
    let heading = html! {
        span.level { (n.level) }
        @if let Some(num) = &n.number { " " span.number { (num) } }
        @for m in &n.marks { " " span.marks aria-label=(mark_label(lang, m)) { (m) } }
        " " (n.title)
    };
    html! {
        article class={ "node depth-" (depth.min(6)) } id={ "node-" (n.id) } aria-labelledby={ "node-" (n.id) "-h" } {
            @match h {
                3 => h3 id={ "node-" (n.id) "-h" } { (heading) },
                4 => h4 id={ "node-" (n.id) "-h" } { (heading) },
                5 => h5 id={ "node-" (n.id) "-h" } { (heading) },
                _ => h6 id={ "node-" (n.id) "-h" } { (heading) },
            }
            @if let Some(sub) = &n.subtitle { p.subtitle { (sub) } }
            @if working {
                p.node-links { a href=(page.href(&format!("/nodes/{}", n.id))) {
                    (lang.t("この項目の詳細・編集", "Open this item")) span.visually-hidden { ": " (n.title) }
                } }
            } @else if let Some(url) = item_url {
                p.node-links { a href=(page.href(url)) {
                    (lang.t("この項目のページ（年度ごとの推移・区政会議の意見）", "This item's page (over the years, council opinions)")) span.visually-hidden { ": " (n.title) }
                } }
            }
            (crate::node::phases_view(lang, sn, refs))
        }
    }
}

pub(crate) fn mark_label(lang: Lang, mark: &str) -> String {
    match mark {
        "☆" => lang
            .t("☆（重点実施予定）", "☆ (scheduled priority)")
            .to_string(),
        other => other.to_string(),
    }
}

/// Status code helper for handlers that answer a form with the same page.
pub(crate) fn unprocessable(html: String) -> (StatusCode, Html<String>) {
    (StatusCode::UNPROCESSABLE_ENTITY, Html(html))
}
