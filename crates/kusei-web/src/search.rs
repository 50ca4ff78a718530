//! Search (`GET /search`, `GET /api/v1/search`), the public page of an item
//! (`/plans/{id}/items/{key}`, stable across published versions) and a ward's 業務一覧
//! (`/units/{ward}/directory`). One reading of the parameters and one search
//! (`kusei_app::search`) for the page and the API; the page is a plain GET form and links,
//! so it works without JavaScript.

use crate::auth::Who;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::layout::{fy_label, Page};
use crate::pages::{judgment_badge, parse_id};
use crate::policy::{allow, Action};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use kusei_app::search::{Found, FoundHit, Snippet};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{Family, PlanId, UnitId};
use kusei_search::index::DocKind;
use kusei_search::{Filters, UserQuery};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;

/// The parameters of a search, as the form and the API send them.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct SearchParams {
    /// Read leniently: an unknown language is the default one, never an error.
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub municipality: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub fiscal_year: Option<String>,
    #[serde(default)]
    pub family: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub judgment: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
}

impl SearchParams {
    pub(crate) fn language(&self) -> Lang {
        match self.lang.as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Ja,
        }
    }
}

/// A parameter that cannot be read: which, and why in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub field: &'static str,
    pub ja: String,
    pub en: String,
}

/// A search read from its parameters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Request {
    pub query: UserQuery,
    pub filters: Filters,
    pub page: usize,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A fiscal year or a span: 2025, 令和7年度, 2023-2025, 令和5年度～令和7年度.
pub(crate) fn read_years(s: &str) -> Option<(i32, i32)> {
    let one = |p: &str| -> Option<i32> {
        let p = p.trim();
        if let Ok(y) = p.parse::<i32>() {
            return FiscalYear::new(y).ok().map(FiscalYear::year);
        }
        FiscalYear::parse(p, None).ok().map(FiscalYear::year)
    };
    let parts: Vec<&str> = s.split(['-', '～', '~', '〜']).collect();
    match parts.as_slice() {
        [a] => one(a).map(|y| (y, y)),
        [a, b] => {
            let (a, b) = (one(a)?, one(b)?);
            (a <= b && b - a <= 50).then_some((a, b))
        }
        _ => None,
    }
}

fn kind_of(code: &str) -> Option<DocKind> {
    match code {
        "item" => Some(DocKind::Item),
        "duty" => Some(DocKind::Duty),
        "opinion" => Some(DocKind::Opinion),
        _ => None,
    }
}

/// Reads the parameters; every problem at its parameter.
pub(crate) fn read(p: &SearchParams) -> Result<Request, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut id = |field: &'static str, ja: &str, en: &str, v: &Option<String>| -> Option<i64> {
        let s = given(v)?;
        match s.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                problems.push(Problem {
                    field,
                    ja: format!("{ja}の番号「{s}」を読めません。"),
                    en: format!("The {en} {s:?} is not an id."),
                });
                None
            }
        }
    };
    let municipality = id("municipality", "自治体", "municipality", &p.municipality);
    let unit = id("unit", "区", "ward", &p.unit);
    let owner = id("owner", "担当", "section", &p.owner);
    let years = given(&p.fiscal_year).and_then(|s| {
        let y = read_years(s);
        let reversed = s
            .split_once(['-', '～', '~', '〜'])
            .and_then(|(a, b)| Some((read_years(a)?.0, read_years(b)?.0)))
            .filter(|(a, b)| a > b);
        if let Some((a, b)) = reversed {
            problems.push(Problem {
                field: "fiscal_year",
                ja: format!("年度の期間「{s}」は始めが終わりより後です。{b}-{a} のように書いてください。"),
                en: format!("The span {s:?} starts after it ends; write {b}-{a}."),
            });
        } else if y.is_none() {
            problems.push(Problem {
                field: "fiscal_year",
                ja: format!(
                    "年度「{s}」を読めません。2025、令和7年度、2023-2025 のように書いてください。"
                ),
                en: format!(
                    "The fiscal year {s:?} cannot be read; write a year such as 2025, or a span such as 2023-2025."
                ),
            });
        }
        y
    });
    // A value of a fixed list: unknown values are refused naming the list.
    let mut choice = |field: &'static str,
                      ja: &str,
                      en: &str,
                      v: &Option<String>,
                      known: fn(&str) -> bool|
     -> Option<String> {
        let s = given(v)?;
        if known(s) {
            return Some(s.to_string());
        }
        problems.push(Problem {
            field,
            ja: format!("{ja}「{s}」はありません。"),
            en: format!("There is no {en} {s:?}."),
        });
        None
    };
    let family = choice("family", "様式", "form", &p.family, |s| {
        Family::from_code(s).is_some()
    });
    let judgment = choice("judgment", "評価", "judgment", &p.judgment, |s| {
        Judgment::from_code(s).is_some()
    });
    let kind =
        choice("kind", "種類", "kind", &p.kind, |s| kind_of(s).is_some()).and_then(|s| kind_of(&s));
    let page = match given(&p.page) {
        None => 1,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => {
                problems.push(Problem {
                    field: "page",
                    ja: format!("ページ「{s}」は1から1000の数で指定してください。"),
                    en: format!("The page {s:?} must be a number from 1 to 1000."),
                });
                1
            }
        },
    };
    let query = match kusei_search::parse(p.q.as_deref().unwrap_or("")) {
        Ok(q) => q,
        Err(e) => {
            problems.push(Problem {
                field: "q",
                ja: e.ja(),
                en: format!("{}.", capitalised(&e.to_string())),
            });
            UserQuery::default()
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Request {
        query,
        filters: Filters {
            municipality,
            unit,
            years,
            family,
            level: given(&p.level).map(str::to_string),
            judgment,
            owner,
            kind,
        },
        page,
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Runs a search as the viewer: the public sees published versions only, staff the
/// working copies of the units whose drafts they may read.
pub(crate) async fn run(state: &AppState, who: &Who, r: &Request) -> Result<Found, WebError> {
    let visibility = kusei_app::search::visibility(&state.store, &who.grants()).await?;
    Ok(state
        .search
        .search(
            &state.store,
            state.clock,
            &r.query,
            &r.filters,
            &visibility,
            r.page,
        )
        .await?)
}

/// Names of what the facets and results show (units, municipalities), read once.
pub(crate) struct Names {
    units: HashMap<i64, String>,
    municipalities: HashMap<i64, String>,
}

impl Names {
    pub(crate) async fn of(state: &AppState, found: &Found) -> Result<Names, WebError> {
        let mut units = HashMap::new();
        let mut wanted: Vec<i64> = found
            .facets
            .unit
            .iter()
            .chain(&found.facets.owner)
            .filter_map(|(v, _)| v.parse().ok())
            .chain(found.hits.iter().map(|h| h.doc.unit_id))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        for id in wanted {
            if let Ok(u) = state.store.get_unit(UnitId(id)).await {
                units.insert(id, u.name);
            }
        }
        let municipalities = state
            .store
            .list_municipalities()
            .await?
            .into_iter()
            .map(|m| (m.id.0, m.name))
            .collect();
        Ok(Names {
            units,
            municipalities,
        })
    }
    pub(crate) fn unit(&self, id: i64) -> String {
        self.units
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
    fn municipality(&self, id: i64) -> String {
        self.municipalities
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
    /// The label of a facet value in the page's language.
    pub(crate) fn label(&self, lang: Lang, facet: &str, value: &str) -> String {
        let id = || value.parse::<i64>().unwrap_or(0);
        match facet {
            "municipality" => self.municipality(id()),
            "unit" | "owner" => self.unit(id()),
            "fiscal_year" => value
                .parse::<i32>()
                .ok()
                .and_then(|y| FiscalYear::new(y).ok())
                .map_or_else(|| value.to_string(), |fy| fy_label(lang, fy)),
            "family" => Family::from_code(value).map_or_else(
                || value.to_string(),
                |f| crate::structure::family_label(lang, f).to_string(),
            ),
            "judgment" => Judgment::from_code(value).map_or_else(
                || value.to_string(),
                |j| lang.t(j.label_ja(), j.label_en()).to_string(),
            ),
            "kind" => kind_label(lang, value).to_string(),
            _ => value.to_string(),
        }
    }
}

/// What one result is.
fn hit_kind(lang: Lang, code: &str) -> &'static str {
    match code {
        "item" => lang.t("計画の項目", "Plan item"),
        "duty" => lang.t("業務一覧", "Directory entry"),
        "opinion" => lang.t("区政会議の意見", "Council opinion"),
        _ => lang.t("その他", "Other"),
    }
}

fn kind_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "item" => lang.t("計画の項目", "Plan items"),
        "duty" => lang.t("業務一覧", "Directory of sections"),
        "opinion" => lang.t("区政会議の意見", "Council opinions"),
        _ => lang.t("その他", "Other"),
    }
}

/// A facet: its parameter, its heading, its values with their counts.
type FacetGroup = (&'static str, &'static str, Vec<(String, u64)>);

/// The facets in the order the page shows them, with their headings.
fn facet_groups(lang: Lang, found: &Found) -> Vec<FacetGroup> {
    let f = &found.facets;
    let mut years = f.fiscal_year.clone();
    years.sort_by(|a, b| b.0.cmp(&a.0));
    let by_count = |v: &Vec<(String, u64)>| {
        let mut v = v.clone();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(30);
        v
    };
    vec![
        ("kind", lang.t("種類", "Kind"), by_count(&f.kind)),
        (
            "municipality",
            lang.t("自治体", "Municipality"),
            by_count(&f.municipality),
        ),
        ("unit", lang.t("区", "Ward"), by_count(&f.unit)),
        ("fiscal_year", lang.t("年度", "Fiscal year"), years),
        ("family", lang.t("様式", "Form"), by_count(&f.family)),
        ("level", lang.t("階層", "Level"), by_count(&f.level)),
        (
            "judgment",
            lang.t("評価（記載の判定）", "Judgment (as stated)"),
            by_count(&f.judgment),
        ),
        ("owner", lang.t("担当", "Section"), by_count(&f.owner)),
    ]
}

/// The query string of these parameters with one changed (`None` removes it) and the
/// page reset.
fn with(p: &SearchParams, lang: Lang, field: &str, value: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let fields: [(&str, &Option<String>); 9] = [
        ("q", &p.q),
        ("municipality", &p.municipality),
        ("unit", &p.unit),
        ("fiscal_year", &p.fiscal_year),
        ("family", &p.family),
        ("level", &p.level),
        ("judgment", &p.judgment),
        ("owner", &p.owner),
        ("kind", &p.kind),
    ];
    for (name, v) in fields {
        if name == field {
            if let Some(v) = value {
                pairs.push((name, v.to_string()));
            }
        } else if let Some(v) = given(v) {
            pairs.push((name, v.to_string()));
        }
    }
    if field == "page" {
        if let Some(v) = value {
            pairs.push(("page", v.to_string()));
        }
    }
    pairs.push(("lang", lang.code().to_string()));
    let qs: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={}", kusei_app::search::path_segment(&v)))
        .collect();
    format!("/search?{}", qs.join("&"))
}

fn marked(s: &Snippet) -> Markup {
    html! {
        @if s.cut_before { "…" }
        @for (text, mark) in s.pieces() {
            @if mark { mark { (text) } } @else { (text) }
        }
        @if s.cut_after { "…" }
    }
}

fn hit_view(page: &Page<'_>, names: &Names, h: &FoundHit) -> Markup {
    let lang = page.lang;
    let d = &h.doc;
    let years = match (d.years.first(), d.years.last()) {
        (Some(a), Some(b)) if a == b => FiscalYear::new(*a)
            .map(|fy| fy_label(lang, fy))
            .unwrap_or_default(),
        (Some(a), Some(b)) => match (FiscalYear::new(*a), FiscalYear::new(*b)) {
            (Ok(a), Ok(b)) => format!(
                "{}{}{}",
                fy_label(lang, a),
                lang.t("～", " to "),
                fy_label(lang, b)
            ),
            _ => String::new(),
        },
        _ => String::new(),
    };
    html! {
        li.hit {
            h3 { a href=(page.href(&d.url)) { (marked(&h.title_marks)) } }
            p.muted {
                (hit_kind(lang, d.kind.code()))
                @if !d.context.is_empty() { " · " (d.context) }
                @if !years.is_empty() { " · " (years) }
                @if let Some(l) = &d.level { " · " (l) @if let Some(n) = &d.number { " " (n) } }
                @if let Some(o) = d.owner_id.filter(|_| d.kind == DocKind::Item) { " · " (lang.t("担当", "Section")) " " (names.unit(o)) }
                @if d.audience == kusei_search::Audience::Working { " · " span.badge.status-draft { (lang.t("作業中の版", "working copy")) } }
            }
            @if let Some(j) = d.judgment.as_deref().and_then(Judgment::from_code) {
                p { (lang.t("評価", "Judgment")) ": " (judgment_badge(lang, j)) }
            }
            p.snippet { (marked(&h.snippet)) }
        }
    }
}

/// `GET /search?q=…`: the form, the results with their facets, and pages.
pub(crate) async fn page(
    State(state): State<AppState>,
    who: Who,
    Query(p): Query<SearchParams>,
) -> Result<Response, WebError> {
    let page = Page {
        lang: p.language(),
        who: &who,
    };
    let lang = page.lang;
    let typed = p.q.clone().unwrap_or_default();
    let (request, problems) = match read(&p) {
        Ok(r) => (Some(r), Vec::new()),
        Err(problems) => (None, problems),
    };
    let found = match &request {
        Some(r) if !r.query.is_empty() => Some(run(&state, &who, r).await?),
        _ => None,
    };
    let names = match &found {
        Some(f) => Some(Names::of(&state, f).await?),
        None => None,
    };
    let municipalities = state.store.list_municipalities().await?;
    // The wards and bureaus of the chosen municipality (or of the only one) to choose from.
    let chosen = request
        .as_ref()
        .and_then(|r| r.filters.municipality)
        .or_else(|| (municipalities.len() == 1).then(|| municipalities[0].id.0));
    let wards = match chosen {
        Some(m) => state
            .store
            .list_units(kusei_domain::model::MunicipalityId(m))
            .await?
            .into_iter()
            .filter(|u| {
                matches!(
                    u.kind,
                    kusei_domain::model::UnitKind::Ward | kusei_domain::model::UnitKind::Bureau
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let problem = |field: &str| problems.iter().find(|x| x.field == field);
    let field_error = |field: &str| -> Markup {
        html! {
            @if let Some(x) = problem(field) {
                p.error id={ "e-" (field) } { (lang.t(&x.ja, &x.en)) }
            }
        }
    };
    let described = |field: &str| problem(field).map(|_| format!("e-{field}"));
    let active: Vec<(&str, &str)> = [
        ("municipality", &p.municipality),
        ("unit", &p.unit),
        ("fiscal_year", &p.fiscal_year),
        ("family", &p.family),
        ("level", &p.level),
        ("judgment", &p.judgment),
        ("owner", &p.owner),
        ("kind", &p.kind),
    ]
    .into_iter()
    .filter_map(|(k, v)| given(v).map(|v| (k, v)))
    .collect();
    // The count is in the title: it is what a screen reader says when the page opens.
    let title = match (&found, typed.trim().is_empty()) {
        (_, true) => lang.t("検索", "Search").to_string(),
        (Some(f), false) => format!(
            "{} — {} {}{}",
            typed.trim(),
            lang.t("検索結果", "search:"),
            f.total,
            lang.t("件", if f.total == 1 { " result" } else { " results" })
        ),
        (None, false) => format!("{} — {}", typed.trim(), lang.t("検索", "Search")),
    };
    let body = html! {
        h1 { (lang.t("検索", "Search")) }
        p { (lang.t("すべての区・年度の計画、取組、評価、区政会議の意見と対応、業務一覧から探せます。2文字から検索でき、空白で区切った語はすべてを含むもの、\"…\" で囲んだ語句はそのままの並び、-で始まる語は含まないものを探します。",
                    "Search every ward's and year's plans, items, evaluations, council opinions and answers, and directories of sections. Two characters are enough; words separated by spaces must all appear, \"…\" keeps a phrase together, and a word starting with - is excluded.")) }
        @if !problems.is_empty() {
            div.notice.error role="alert" {
                p { (lang.t("検索条件を確認してください。", "Check the search.")) }
                ul { @for x in &problems { li { a href={ "#f-" (x.field) } { (lang.t(&x.ja, &x.en)) } } } }
            }
        }
        form.search-form method="get" action="/search" {
            input type="hidden" name="lang" value=(lang.code());
            div.field {
                label for="f-q" { (lang.t("検索語", "Search for")) }
                input #f-q type="search" name="q" value=(typed) maxlength="200" aria-describedby=[described("q")] aria-invalid=[problem("q").map(|_| "true")];
                (field_error("q"))
            }
            details open[!active.is_empty() || !problems.is_empty()] {
                summary { (lang.t("絞り込み条件", "Filters")) }
                div.field {
                    label for="f-municipality" { (lang.t("自治体", "Municipality")) }
                    select #f-municipality name="municipality" aria-describedby=[described("municipality")] {
                        option value="" { (lang.t("すべて", "Any")) }
                        @for m in &municipalities {
                            option value=(m.id.0) selected[given(&p.municipality) == Some(m.id.0.to_string().as_str())] { (m.name) }
                        }
                    }
                    (field_error("municipality"))
                }
                @if !wards.is_empty() {
                    div.field {
                        label for="f-unit" { (lang.t("区", "Ward")) }
                        select #f-unit name="unit" {
                            option value="" { (lang.t("すべて", "Any")) }
                            @for u in &wards {
                                option value=(u.id.0) selected[given(&p.unit) == Some(u.id.0.to_string().as_str())] { (u.name) }
                            }
                        }
                        (field_error("unit"))
                    }
                }
                div.field {
                    label for="f-fiscal_year" { (lang.t("年度（例: 令和7年度、2023-2025）", "Fiscal year (e.g. 2025, 2023-2025)")) }
                    input #f-fiscal_year type="text" name="fiscal_year" value=(p.fiscal_year.clone().unwrap_or_default()) aria-describedby=[described("fiscal_year")] aria-invalid=[problem("fiscal_year").map(|_| "true")];
                    (field_error("fiscal_year"))
                }
                div.field {
                    label for="f-family" { (lang.t("様式", "Form")) }
                    select #f-family name="family" {
                        option value="" { (lang.t("すべて", "Any")) }
                        @for f in Family::ALL {
                            option value=(f.code()) selected[given(&p.family) == Some(f.code())] { (crate::structure::family_label(lang, f)) }
                        }
                    }
                    (field_error("family"))
                }
                div.field {
                    label for="f-judgment" { (lang.t("評価（記載の判定）", "Judgment (as stated)")) }
                    select #f-judgment name="judgment" {
                        option value="" { (lang.t("すべて", "Any")) }
                        @for j in [Judgment::Achieved, Judgment::NotAchieved, Judgment::Undetermined, Judgment::Unknown] {
                            option value=(j.code()) selected[given(&p.judgment) == Some(j.code())] { (lang.t(j.label_ja(), j.label_en())) }
                        }
                    }
                    (field_error("judgment"))
                }
                div.field {
                    label for="f-kind" { (lang.t("種類", "Kind")) }
                    select #f-kind name="kind" {
                        option value="" { (lang.t("すべて", "Any")) }
                        @for k in ["item", "opinion", "duty"] {
                            option value=(k) selected[given(&p.kind) == Some(k)] { (kind_label(lang, k)) }
                        }
                    }
                    (field_error("kind"))
                }
                @for (k, v) in active.iter().filter(|(k, _)| matches!(*k, "level" | "owner") || (*k == "unit" && wards.is_empty())) {
                    input type="hidden" name=(k) value=(v);
                }
            }
            button type="submit" { (lang.t("検索する", "Search")) }
        }
        @if let (Some(found), Some(names)) = (&found, &names) {
            @if !active.is_empty() {
                section aria-labelledby="active-h" {
                    h2 #active-h.visually-hidden { (lang.t("指定中の条件", "Filters in use")) }
                    ul.active-filters {
                        @for (k, v) in &active {
                            li { a href=(with(&p, lang, k, None)) {
                                (names.label(lang, k, v)) " " span aria-hidden="true" { "×" }
                                span.visually-hidden { (lang.t("（この条件を外す）", " (remove this filter)")) }
                            } }
                        }
                    }
                }
            }
            p role="status" {
                @if found.total == 0 {
                    (lang.t("「", "Nothing was found for “")) (typed.trim()) (lang.t("」に一致するものは見つかりませんでした。語を短くする、条件を外すなどしてください。", "”. Try fewer or shorter words, or fewer filters."))
                } @else {
                    (lang.t("「", "")) (typed.trim()) (lang.t("」の検索結果: ", ": ")) (found.total) (lang.t("件", if found.total == 1 { " result" } else { " results" }))
                    @if found.pages > 1 { " (" (found.page.min(found.pages)) " / " (found.pages) (lang.t("ページ", " pages")) ")" }
                    " " a href="#results-h" { (lang.t("結果へ移動", "Go to the results")) }
                }
            }
            @if found.total > 0 {
                div.search-layout {
                    // Results first (keyboard and screen reader order; on a phone, first
                    // on the screen), the facets beside them on a wide screen.
                    section.results aria-labelledby="results-h" {
                        h2 #results-h { (lang.t("検索結果", "Results")) }
                        @if found.hits.is_empty() {
                            p { (lang.t("このページには結果がありません（全", "This page has no results (there are ")) (found.pages) (lang.t("ページ）。", " pages). "))
                                a href=(with(&p, lang, "page", None)) { (lang.t("最初のページへ", "Go to the first page")) } }
                        } @else {
                            ol.hits start=((found.page - 1) * kusei_app::search::PAGE_SIZE + 1) {
                                @for h in &found.hits { (hit_view(&page, names, h)) }
                            }
                        }
                        @if found.pages > 1 {
                            nav.pager aria-label=(lang.t("検索結果のページ", "Result pages")) {
                                @if found.page > 1 {
                                    a rel="prev" href=(with(&p, lang, "page", Some(&(found.page - 1).min(found.pages).to_string()))) { "← " (lang.t("前のページ", "Previous page")) }
                                } @else { span {} }
                                span { (found.page.min(found.pages)) " / " (found.pages) }
                                @if found.page < found.pages {
                                    a rel="next" href=(with(&p, lang, "page", Some(&(found.page + 1).to_string()))) { (lang.t("次のページ", "Next page")) " →" }
                                } @else { span {} }
                            }
                        }
                    }
                    nav.facets aria-labelledby="facets-h" {
                        h2 #facets-h { (lang.t("絞り込む", "Narrow down")) }
                        @for (key, heading, values) in facet_groups(lang, found) {
                            @if values.len() > 1 || (values.len() == 1 && !active.iter().any(|(k, _)| *k == key)) {
                                h3 { (heading) }
                                ul {
                                    @for (v, n) in &values {
                                        li { a href=(with(&p, lang, key, Some(v))) { (names.label(lang, key, v)) } " (" (n) ")" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let path = with(&p, lang, "page", p.page.as_deref());
    let path = path
        .trim_end_matches(&format!("&lang={}", lang.code()))
        .to_string();
    // A search that cannot be read is answered with the form and the problem at its
    // field (the API answers 400).
    Ok(Html(page.render(&title, &path, body)).into_response())
}

/// The JSON of a search (the API).
pub(crate) fn to_json(lang: Lang, found: &Found, names: &Names) -> serde_json::Value {
    use serde_json::json;
    let facets: serde_json::Map<String, serde_json::Value> = facet_groups(lang, found)
        .into_iter()
        .map(|(key, _, values)| {
            (
                key.to_string(),
                json!(values
                    .iter()
                    .map(
                        |(v, n)| json!({"value": v, "label": names.label(lang, key, v), "count": n})
                    )
                    .collect::<Vec<_>>()),
            )
        })
        .collect();
    json!({
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
        "results": found.hits.iter().map(|h| {
            let d = &h.doc;
            json!({
                "kind": d.kind.code(),
                "plan_id": d.plan_id,
                "node_id": d.node_id,
                "title": d.title,
                "snippet": h.snippet.text,
                "highlights": h.snippet.char_marks(),
                "unit_id": d.unit_id,
                "unit": names.unit(d.unit_id),
                "municipality_id": d.municipality_id,
                "fiscal_year": d.years.first(),
                "fiscal_years": d.years,
                "family": d.family,
                "level": d.level,
                "number": d.number,
                "judgment": d.judgment,
                "owner_id": d.owner_id,
                "working_copy": d.audience == kusei_search::Audience::Working,
                "url": d.url,
            })
        }).collect::<Vec<_>>(),
        "facets": facets,
    })
}

/// `/plans/{id}/items/{key}`: an item as its plan's latest published version has it, with
/// the same item in the ward's other published years and the council's published opinions
/// and answers. Linkable by anyone; stays the same address across published versions.
pub(crate) async fn item_page(
    State(state): State<AppState>,
    who: Who,
    Path((id, key)): Path<(String, String)>,
    Query(q): Query<crate::i18n::LangQuery>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let plan = PlanId(parse_id(&id, "plan")?);
    let path = format!(
        "/plans/{}/items/{}",
        plan.0,
        kusei_app::search::path_segment(&key)
    );
    if who.viewer.is_some() {
        return Ok(Html(item_html(&state, &page, plan, &key, &path).await?).into_response());
    }
    // A signed-out reader's page: made once per change of what is stored (the change
    // log's epoch: the item, the ward's other years, its results and the council's
    // answers all write there), then kept and revalidated by its ETag.
    let (top, recent) = state.store.change_epoch().await?;
    let cache_key = format!("page|item|{}|{path}|{}|{top}.{recent}", plan.0, lang.code());
    crate::public_cache::kept_page(&state, &headers, cache_key, || async {
        Ok(item_html(&state, &page, plan, &key, &path)
            .await?
            .into_bytes())
    })
    .await
}

/// The item page's HTML for this reader.
async fn item_html(
    state: &AppState,
    page: &Page<'_>,
    plan: PlanId,
    key: &str,
    path: &str,
) -> Result<String, WebError> {
    let lang = page.lang;
    let who = page.who;
    let path = path.to_string();
    let published = state
        .store
        .published_plan(plan, None)
        .await?
        .ok_or_else(|| WebError::NotFound(path.clone()))?;
    let sn = published
        .find_item(key)
        .ok_or_else(|| WebError::NotFound(path.clone()))?;
    let refs = kusei_app::judge::References::load_all(&state.store, published.plan.unit_id).await?;
    let (tree, _) = crate::pages::unit_tree(&state.store, published.plan.unit_id).await?;
    let staff = allow(
        &who.grants(),
        &tree,
        Action::ReadDraft {
            plan_unit: published.plan.unit_id,
        },
    )
    .is_ok();
    let years = item_years(state, &published, sn, key).await?;
    let body = html! {
        (crate::node::node_heading(lang, &published, sn))
        p.muted {
            (lang.t("公表版", "Published version")) " " (published.plan.version)
            " · " a href={ (page.href(&format!("/plans/{}", published.plan.id.0))) "#node-" (sn.node.id.0) } { (lang.t("計画の中で見る", "See it in its plan")) }
            @if staff { " · " a href=(page.href(&format!("/nodes/{}", sn.node.id.0))) { (lang.t("作業中の版を開く", "Open the working copy")) } }
        }
        (crate::node::phases_view(lang, sn, &refs))
        @if years.len() > 1 {
            section aria-labelledby="years-h" {
                h2 #years-h { (lang.t("年度ごとの推移", "Over the years")) }
                table {
                    caption.visually-hidden { (lang.t("この項目の各年度の計画と評価", "This item in each year's plan, with its judgment")) }
                    thead { tr {
                        th scope="col" { (lang.t("年度", "Fiscal year")) }
                        th scope="col" { (lang.t("計画", "Plan")) }
                        th scope="col" { (lang.t("項目", "Item")) }
                        th scope="col" { (lang.t("評価（記載の判定）", "Judgment (as stated)")) }
                    } }
                    tbody {
                        @for (period, plan_title, title, judgment, url, this) in &years {
                            tr {
                                th scope="row" { (crate::layout::period_label(lang, period)) }
                                td { (plan_title) }
                                td {
                                    @if *this { (title) " " span.muted { (lang.t("（このページ）", "(this page)")) } }
                                    @else { a href=(page.href(url)) { (title) } }
                                }
                                td { @match judgment { Some(j) => (judgment_badge(lang, *j)), None => span.muted { "—" } } }
                            }
                        }
                    }
                }
            }
        }
        (crate::council::item_section(state, page, sn.node.id, published.plan.unit_id, false, None).await?)
    };
    Ok(page.render(&sn.node.title, &path, body))
}

/// A row of an item's "年度ごとの推移": the plan's period and title, the item's title, its
/// stated judgment, its page, and whether it is this page's item.
type YearRow = (
    kusei_domain::model::Period,
    String,
    String,
    Option<kusei_domain::judgment::Judgment>,
    String,
    bool,
);

/// The same item in the ward's other published plans (matched as revisions match: level
/// and number, else the title). Reading it decodes every published plan of the ward, so
/// it is kept (in the export cache) by what it is made of: this version and the latest
/// version of each plan of the ward.
async fn item_years(
    state: &AppState,
    published: &kusei_store::StoredPlan,
    sn: &kusei_store::StoredNode,
    key: &str,
) -> Result<Vec<YearRow>, WebError> {
    let plan = published.plan.id;
    let unit = published.plan.unit_id;
    let mut cache_key = format!(
        "years|{}|{}|{}|{}",
        plan.0, published.plan.version, sn.node.id.0, key
    );
    for (p, v) in state.store.latest_versions_of_unit(unit).await? {
        cache_key.push_str(&format!("|{}v{v}", p.0));
    }
    let bytes = state
        .export_cache
        .get_or_make(cache_key, || async {
            let mut years: Vec<YearRow> = Vec::new();
            for other in state.store.plan_ids_of_unit(unit).await? {
                let Some(op) = (if other == plan {
                    Some(published.clone())
                } else {
                    state.store.published_plan(other, None).await?
                }) else {
                    continue;
                };
                if op.plan.family != published.plan.family {
                    continue;
                }
                let same = op
                    .nodes
                    .iter()
                    .find(|o| {
                        o.node.level == sn.node.level
                            && o.node.number.is_some()
                            && o.node.number == sn.node.number
                    })
                    .or_else(|| op.nodes.iter().find(|o| o.node.title == sn.node.title));
                if let Some(o) = same {
                    let url = op.item_path(o);
                    let judgment = o
                        .evaluations
                        .iter()
                        .max_by_key(|e| e.fiscal_year)
                        .map(|e| e.stated);
                    years.push((
                        op.plan.period,
                        op.plan.title.clone(),
                        o.node.title.clone(),
                        judgment,
                        url,
                        other == plan,
                    ));
                }
            }
            years.sort_by_key(|y| y.0.start);
            serde_json::to_vec(&years).map_err(|e| WebError::Internal(e.to_string()))
        })
        .await?;
    serde_json::from_slice(&bytes).map_err(|e| WebError::Internal(e.to_string()))
}

/// `/units/{ward}/directory`: a ward's 業務一覧 (divisions, sections, telephone, duties).
/// Public once the ward has a published plan; before that, for the ward's staff.
pub(crate) async fn directory_page(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<crate::i18n::LangQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let ward = UnitId(parse_id(&id, "unit")?);
    let path = format!("/units/{}/directory", ward.0);
    let unit = state
        .store
        .get_unit(ward)
        .await
        .map_err(|_| WebError::NotFound(path.clone()))?;
    let (tree, _) = crate::pages::unit_tree(&state.store, ward).await?;
    let public = state.store.unit_has_published(ward).await?;
    if !public && allow(&who.grants(), &tree, Action::ReadDraft { plan_unit: ward }).is_err() {
        return Err(WebError::NotFound(path));
    }
    let units = state.store.list_units(unit.municipality_id).await?;
    let rows = kusei_app::search::directory_rows(&units, &unit);
    let heading = format!(
        "{} {}",
        unit.name,
        lang.t("業務一覧", "— directory of sections")
    );
    let body = html! {
        h1 { (heading) }
        @if rows.is_empty() {
            p { (lang.t("この区の業務一覧はまだ登録されていません。", "This ward's directory has not been entered yet.")) }
        } @else {
            table {
                caption.visually-hidden { (heading) }
                thead { tr {
                    th scope="col" { (lang.t("課", "Division")) }
                    th scope="col" { (lang.t("担当", "Section")) }
                    th scope="col" { (lang.t("電話", "Telephone")) }
                    th scope="col" { (lang.t("主な業務", "Main duties")) }
                } }
                tbody {
                    @for r in &rows {
                        tr id=[kusei_app::search::directory_unit(&units, &unit, r).map(|i| format!("unit-{i}"))] {
                            th scope="row" { (r.division) }
                            td { (r.section.clone().unwrap_or_default()) }
                            td.nowrap { @if let Some(p) = &r.phone { a href={ "tel:" (p.replace(['-', ' '], "")) } { (p) } } }
                            td { (r.duties.clone().unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    };
    Ok(Html(page.render(&heading, &path, body)))
}
