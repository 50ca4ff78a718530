//! The administrators' pages: municipalities (system administrator), and for one
//! municipality at a time its schedule, users and roles, units. A city administrator sees
//! and manages only its own municipality; every POST asks `policy::allow` again about
//! the municipality of the thing it changes, read from the store (a form field names a
//! municipality, it never grants one).

use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::{Lang, LangQuery};
use crate::layout::{text_field, Page};
use crate::pages::{parse_id, phase_en};
use crate::policy::{allow, Action, Denied, Role, Scope, Tree};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::model::{Municipality, MunicipalityId, Phase, Unit, UnitId, UnitKind};
use kusei_store::{NewUnit, StoreError, StoredUser, Window};
use maud::{html, Markup};
use serde::Deserialize;

fn forbidden(d: Denied) -> WebError {
    WebError::Forbidden(format!("{} {}", d.ja, d.en))
}

/// One municipality the viewer administers.
pub(crate) struct City {
    pub(crate) m: Municipality,
    pub(crate) units: Vec<Unit>,
    pub(crate) tree: Tree,
}

/// What the viewer administers: the municipalities, and whether it manages them (system
/// administrator). Refused when neither.
pub(crate) async fn require_admin(
    state: &AppState,
    who: &Who,
) -> Result<(Vec<City>, bool), WebError> {
    if who.viewer.is_none() {
        return Err(WebError::SignIn {
            next: "/admin".into(),
        });
    }
    let grants = who.grants();
    let system = allow(&grants, &Tree::default(), Action::ManageMunicipalities).is_ok();
    let mut cities = Vec::new();
    for m in state.store.list_municipalities().await? {
        let units = state.store.list_units(m.id).await?;
        let tree = Tree::new(m.id, &units);
        if allow(&grants, &tree, Action::Administer).is_ok() {
            cities.push(City { m, units, tree });
        }
    }
    if cities.is_empty() && !system {
        // Neither: the policy's own refusal.
        allow(&grants, &Tree::default(), Action::ManageMunicipalities).map_err(forbidden)?;
    }
    Ok((cities, system))
}

/// The municipality a settings page is of: the one asked for (`?municipality=`) among
/// those the viewer administers, else the first of them.
pub(crate) async fn chosen_city(
    state: &AppState,
    who: &Who,
    asked: Option<&str>,
) -> Result<City, WebError> {
    let (mut cities, _) = require_admin(state, who).await?;
    let asked = asked
        .filter(|s| !s.is_empty())
        .map(|s| parse_id(s, "municipality").map(MunicipalityId))
        .transpose()?;
    let i = cities
        .iter()
        .position(|c| Some(c.m.id) == asked)
        .unwrap_or(0);
    if cities.is_empty() {
        return Err(WebError::NotFound("no municipality".into()));
    }
    Ok(cities.swap_remove(i))
}

/// The changes of one key of a municipality's settings, oldest first (its versions).
pub(crate) async fn setting_versions(
    state: &AppState,
    m: MunicipalityId,
    key: &str,
) -> Result<Vec<kusei_store::Change>, WebError> {
    Ok(state
        .store
        .history("municipality_settings", m.0)
        .await?
        .into_iter()
        .filter(|c| {
            c.after.as_ref().and_then(|a| a.get(key)) != c.before.as_ref().and_then(|b| b.get(key))
        })
        .collect())
}

/// The policy for administering municipality `m`, with its tree read from the store:
/// not found when it does not exist, forbidden when the viewer does not administer it.
pub(crate) async fn require_administer(
    state: &AppState,
    who: &Who,
    m: MunicipalityId,
) -> Result<City, WebError> {
    let Some(found) = state
        .store
        .list_municipalities()
        .await?
        .into_iter()
        .find(|x| x.id == m)
    else {
        return Err(WebError::NotFound(format!("municipality {m}")));
    };
    let units = state.store.list_units(m).await?;
    let tree = Tree::new(m, &units);
    allow(&who.grants(), &tree, Action::Administer).map_err(forbidden)?;
    Ok(City {
        m: found,
        units,
        tree,
    })
}

/// Only a system administrator manages municipalities and grants system administration.
fn require_system(who: &Who) -> Result<(), WebError> {
    allow(
        &who.grants(),
        &Tree::default(),
        Action::ManageMunicipalities,
    )
    .map_err(forbidden)
}

/// How a grant's scope reads in the user list.
fn scope_label(lang: Lang, role: &str, scope: Scope, city: &City) -> String {
    match scope {
        Scope::System if role == Role::SystemAdmin.code() => {
            lang.t("システム全体", "whole system").to_string()
        }
        Scope::System => lang
            .t("自治体未設定・権限なし", "no municipality, no rights")
            .to_string(),
        Scope::Municipality(m) if m == city.m.id => city.m.name.clone(),
        Scope::Municipality(m) => format!("{} {m}", lang.t("自治体", "municipality")),
        Scope::Unit(u) => city.units.iter().find(|x| x.id == u).map_or_else(
            || format!("{} {u}", lang.t("組織", "unit")),
            |x| x.name.clone(),
        ),
    }
}

/// True when the viewer is a system administrator.
pub(crate) fn is_system(who: &Who) -> bool {
    require_system(who).is_ok()
}

/// A unit as its path reads: 「サンプル市 ＞ 城東区 ＞ 総務課 ＞ 総合企画」 (English pages:
/// `Sample City > Joto Ward > …`, the names as they are).
pub(crate) fn unit_path(lang: Lang, municipality: &str, units: &[Unit], id: UnitId) -> String {
    let mut names = Vec::new();
    let mut at = units.iter().find(|u| u.id == id);
    while let Some(u) = at {
        if names.len() > units.len() {
            break;
        }
        names.push(u.name.as_str());
        at = u.parent_id.and_then(|p| units.iter().find(|x| x.id == p));
    }
    if names.is_empty() {
        return format!("{id}");
    }
    // The city's own unit usually bears the municipality's name: said once.
    if names.last() != Some(&municipality) {
        names.push(municipality);
    }
    names.reverse();
    names.join(path_separator(lang))
}

/// What stands between the names of a unit path.
pub(crate) fn path_separator(lang: Lang) -> &'static str {
    lang.t(" ＞ ", " > ")
}

/// The options of a unit picker, each unit by its path and kind, in tree order.
pub(crate) fn unit_options(
    lang: Lang,
    name: &str,
    city: &City,
    described: Option<&str>,
    selected: Option<&str>,
) -> Markup {
    // Retired units are offered for nothing new.
    let mut rows: Vec<(String, &Unit)> = city
        .units
        .iter()
        .filter(|u| u.retired_at.is_none())
        .map(|u| (unit_path(lang, &city.m.name, &city.units, u.id), u))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    html! {
        select id={ "f-" (name) } name=(name) aria-describedby=[described] aria-invalid=[described.map(|_| "true")] {
            option value="" { (if name == "parent" { lang.t("（なし）", "(none)") } else { lang.t("自治体全体（市の管理者）", "whole municipality (city administrator)") }) }
            @for (path, u) in &rows { option value=(u.id.0) selected[selected == Some(u.id.0.to_string().as_str())] { (path) " (" (kind_label(lang, u.kind)) ")" } }
        }
    }
}

/// A unit kind in the page's language.
pub(crate) fn kind_label(lang: Lang, kind: UnitKind) -> &'static str {
    match lang {
        Lang::Ja => kind.label_ja(),
        Lang::En => kind.code(),
    }
}

/// True when one of the user's grants lies in `city` (or, for a system administrator's
/// view, is system-wide).
pub(crate) fn user_in(u: &StoredUser, city: &City, system_view: bool) -> bool {
    u.roles.iter().any(|(_, s)| match *s {
        Scope::System => system_view,
        Scope::Municipality(m) => m == city.m.id,
        Scope::Unit(unit) => city.tree.within(unit, Scope::Municipality(city.m.id)),
    })
}

async fn admin_page(
    state: &AppState,
    page: &Page<'_>,
    selected: Option<MunicipalityId>,
    errors: &FieldErrors,
    notice: Option<Markup>,
) -> Result<String, WebError> {
    let lang = page.lang;
    let store = &state.store;
    let (cities, system) = require_admin(state, page.who).await?;
    let city = cities
        .iter()
        .find(|c| Some(c.m.id) == selected)
        .or(cities.first());
    let mut windows = match city {
        Some(c) => store.windows(c.m.id).await?,
        None => Vec::new(),
    };
    // As the year runs: 計画, 中間振り返り, 自己評価 in each year, the latest year first.
    let order = |p: Phase| {
        [Phase::Plan, Phase::Review, Phase::Evaluation]
            .iter()
            .position(|x| *x == p)
    };
    windows.sort_by(|a, b| {
        b.fiscal_year
            .cmp(&a.fiscal_year)
            .then(order(a.phase).cmp(&order(b.phase)))
    });
    let users: Vec<StoredUser> = match city {
        Some(c) => store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| user_in(u, c, system))
            .collect(),
        None => Vec::new(),
    };
    let err = |f: &str| {
        errors
            .get(f)
            .map(|e| html! { p.error role="alert" id={ "f-" (f) "-err" } { (e) } })
    };
    let described = |f: &str| errors.get(f).map(|_| format!("f-{f}-err"));
    let hidden_city =
        |c: &City| html! { input type="hidden" name="municipality" value=(c.m.id.0); };
    let body = html! {
        h1 { (lang.t("管理", "Administration")) }
        @if let Some(n) = notice { (n) }
        @if let Some(e) = err("form") { (e) }
        @if let Some(c) = city {
            p.lead { (lang.t("対象の自治体: ", "Municipality: ")) strong { (c.m.name) } }
            @if cities.len() > 1 {
                form method="get" action="/admin" {
                    input type="hidden" name="lang" value=(lang.code());
                    div.field {
                        label for="f-pick" { (lang.t("管理する自治体", "Municipality to administer")) }
                        select #f-pick name="municipality" {
                            @for x in &cities { option value=(x.m.id.0) selected[x.m.id == c.m.id] { (x.m.name) } }
                        }
                    }
                    button type="submit" { (lang.t("表示", "Show")) }
                }
            }
        } @else {
            p { (lang.t("まだ自治体が登録されていません。", "No municipality has been set up yet.")) }
        }
        @if system {
            section aria-labelledby="mun-h" {
                h2 #mun-h { (lang.t("自治体", "Municipalities")) }
                @if !cities.is_empty() {
                    table {
                        caption.visually-hidden { (lang.t("自治体", "Municipalities")) }
                        thead { tr {
                            th scope="col" { (lang.t("団体コード", "Code")) }
                            th scope="col" { (lang.t("名称", "Name")) }
                        } }
                        tbody { @for x in &cities { tr { td { (x.m.code) } td { (x.m.name) @if x.m.is_sample { " " span.badge.sample { (lang.t("サンプル", "sample")) } } } } } }
                    }
                }
                h3 { (lang.t("自治体を追加", "Add a municipality")) }
                form method="post" action="/admin/municipalities" novalidate {
                    (page.csrf_field())
                    @for (name, ja, en) in [("m_code", "団体コード（6桁）", "Local government code (6 digits)"), ("m_name", "名称", "Name")] {
                        div class={ "field" @if errors.get(name).is_some() { " has-error" } } {
                            label for={ "f-" (name) } { (lang.t(ja, en)) }
                            @if let Some(e) = err(name) { (e) }
                            input id={ "f-" (name) } type="text" name=(name) value=[errors.typed(name)] aria-describedby=[described(name)];
                        }
                    }
                    div.field {
                        input #f-designated type="checkbox" name="designated" value="1" checked[errors.typed("designated").is_some()];
                        label for="f-designated" { (lang.t("政令指定都市（行政区がある市）", "Designated city (a city with wards)")) }
                    }
                    button type="submit" { (lang.t("自治体を追加", "Add the municipality")) }
                }
                @if let Some(c) = city {
                    h3 { (lang.t("自治体の名称を変更", "Rename a municipality")) }
                    form method="post" action="/admin/municipalities/rename" novalidate {
                        (page.csrf_field())
                        (hidden_city(c))
                        div class={ "field" @if errors.get("rename_name").is_some() { " has-error" } } {
                            label for="f-rename_name" { (lang.t("新しい名称", "New name")) " — " (c.m.name) }
                            @if let Some(e) = err("rename_name") { (e) }
                            input #f-rename_name type="text" name="name" value=(c.m.name) aria-describedby=[described("rename_name")];
                        }
                        button type="submit" { (lang.t("名称を変更", "Rename")) }
                    }
                    @if c.m.is_sample {
                        h3 { (lang.t("サンプルの自治体を削除", "Remove the sample municipality")) }
                        p { (lang.t("サンプルの自治体は、すべての一覧から消え、その計画は公開されなくなります（記録は残ります）。実在の自治体は削除できません。",
                            "The sample municipality leaves every list and its plans are no longer public (the records are kept). A real municipality cannot be removed.")) }
                        form method="post" action="/admin/municipalities/remove" novalidate {
                            (page.csrf_field())
                            (hidden_city(c))
                            div class={ "field" @if errors.get("remove").is_some() { " has-error" } } {
                                @if let Some(e) = err("remove") { (e) }
                                input #f-remove type="checkbox" name="confirm" value="1" aria-describedby=[described("remove")];
                                label for="f-remove" { (c.m.name) (lang.t(" を削除してよいことを確認しました", ": I confirm the removal")) }
                            }
                            button type="submit" { (lang.t("サンプルの自治体を削除", "Remove the sample municipality")) }
                        }
                    }
                }
            }
        }
        @if let Some(c) = city {
        section aria-labelledby="sch-h" {
            h2 #sch-h { (lang.t("年間スケジュール（受付期間）", "The year's schedule")) }
            p { (lang.t("計画・中間振り返り・自己評価を編集できる期間です。期間外の編集は理由を示して断られます。",
                        "When the plan, the mid-year review and the year-end evaluation can be edited. Outside these dates editing is refused with the reason.")) }
            @if !windows.is_empty() {
                table {
                    caption { (c.m.name) }
                    thead { tr {
                        th scope="col" { (lang.t("年度", "Fiscal year")) }
                        th scope="col" { (lang.t("段階", "Phase")) }
                        th scope="col" { (lang.t("開始", "Opens")) }
                        th scope="col" { (lang.t("終了", "Closes")) }
                    } }
                    tbody { @for w in &windows { tr {
                        td { (crate::layout::fy_label(lang, w.fiscal_year)) }
                        td { (lang.t(w.phase.label_ja(), phase_en(w.phase))) }
                        td { (crate::layout::date_label(lang, w.opens_on)) }
                        td { (crate::layout::date_label(lang, w.closes_on)) }
                    } } }
                }
            }
            form method="post" action="/admin/schedule" novalidate {
                (page.csrf_field())
                (hidden_city(c))
                div.field {
                    label for="f-fiscal_year" { (lang.t("年度（例: 令和7、2025）", "Fiscal year (e.g. 2025)")) }
                    @if let Some(e) = err("fiscal_year") { (e) }
                    input #f-fiscal_year type="text" name="fiscal_year" value=[errors.typed("fiscal_year")] aria-describedby=[errors.get("fiscal_year").map(|_| "f-fiscal_year-err")];
                }
                div.field {
                    label for="f-phase" { (lang.t("段階", "Phase")) }
                    select #f-phase name="phase" {
                        @for p in [Phase::Plan, Phase::Review, Phase::Evaluation] {
                            option value=(p.code()) { (lang.t(p.label_ja(), phase_en(p))) }
                        }
                    }
                }
                div.field {
                    label for="f-opens_on" { (lang.t("開始日", "Opens on")) }
                    @if let Some(e) = err("opens_on") { (e) }
                    input #f-opens_on type="date" name="opens_on" value=[errors.typed("opens_on")];
                }
                div.field {
                    label for="f-closes_on" { (lang.t("終了日", "Closes on")) }
                    @if let Some(e) = err("closes_on") { (e) }
                    input #f-closes_on type="date" name="closes_on" value=[errors.typed("closes_on")];
                }
                button type="submit" { (lang.t("受付期間を保存", "Save the period")) }
            }
        }
        section aria-labelledby="users-h" {
            h2 #users-h { (lang.t("利用者と権限", "Users and roles")) }
            table {
                caption.visually-hidden { (lang.t("利用者", "Users")) }
                thead { tr {
                    th scope="col" { (lang.t("ログインID", "Login")) }
                    th scope="col" { (lang.t("氏名", "Name")) }
                    th scope="col" { (lang.t("権限", "Roles")) }
                } }
                tbody { @for u in &users { tr {
                    td { a href={ "/admin/users/" (u.login) "?municipality=" (c.m.id.0) "&lang=" (lang.code()) } { (u.login) } }
                    td { (u.display_name) @if u.disabled_at.is_some() { " " strong.badge { (lang.t("利用停止中", "disabled")) } } }
                    td { @for (r, scope) in &u.roles {
                        @let label = Role::from_code(r).map_or(r.as_str(), |r| lang.t(r.label_ja(), r.label_en()));
                        span.role { (label) (lang.t("（", " (")) (scope_label(lang, r, *scope, c)) (lang.t("）", ")")) } " "
                    } }
                } } }
            }
            h3 { (lang.t("利用者を追加", "Add a user")) }
            form method="post" action="/admin/users" novalidate {
                (page.csrf_field())
                (hidden_city(c))
                @for (name, ja, en) in [("login", "ログインID", "Login"), ("display_name", "氏名", "Name")] {
                    div class={ "field" @if errors.get(name).is_some() { " has-error" } } {
                        label for={ "f-" (name) } { (lang.t(ja, en)) }
                        @if let Some(e) = err(name) { (e) }
                        input id={ "f-" (name) } type="text" name=(name) value=[errors.typed(name)] aria-describedby=[described(name)];
                    }
                }
                div.field {
                    label for="f-role" { (lang.t("権限", "Role")) }
                    select #f-role name="role" {
                        // The most common role first and chosen (never system administration
                        // by default); what was typed is kept on a refused form.
                        @let typed_role = errors.typed("role").unwrap_or(Role::WardEditor.code());
                        @for r in ROLE_ORDER.into_iter().filter(|r| system || !r.is_system_wide()) {
                            option value=(r.code()) selected[typed_role == r.code()] { (lang.t(r.label_ja(), r.label_en())) }
                        }
                    }
                }
                (unit_select(lang, "unit", c, errors))
                button type="submit" { (lang.t("追加して一時パスワードを発行", "Add and issue a one-time password")) }
            }
        }
        section aria-labelledby="sec-h" {
            h2 #sec-h { (lang.t("セキュリティ記録", "Security event log")) }
            p { a href={ "/admin/security?municipality=" (c.m.id.0) "&lang=" (lang.code()) } { (lang.t("サインイン・権限の変更・公表などの記録を見る", "Read the sign-ins, role changes, publications and other events")) } }
        }
        section aria-labelledby="ind-h" {
            h2 #ind-h { (lang.t("指標", "Indicators")) }
            p { a href={ "/admin/indicators?municipality=" (c.m.id.0) "&lang=" (lang.code()) } { (lang.t("指標の一覧・編集・統合", "List, edit and merge the indicators")) } }
        }
        section aria-labelledby="grading-h" {
            h2 #grading-h { (lang.t("評価基準・様式と市の集計", "Grading, forms and the city's roll-up")) }
            ul {
                li { a href={ "/admin/grading?municipality=" (c.m.id.0) "&lang=" (lang.code()) } { (lang.t("評価基準（評価区分と進捗率の基準）", "Grading rules (the scale and the thresholds)")) } }
                li { a href={ "/rollup/" (c.m.id.0) "?lang=" (lang.code()) } { (lang.t("区の取組の集計（中間振り返り・自己評価）", "Roll-up of the wards (mid-year and year end)")) } }
                li { a href={ "/admin/forms?municipality=" (c.m.id.0) "&lang=" (lang.code()) } { (lang.t("様式の設定（使う段階・判定の名前・未確定）", "Form settings (phases, judgment labels, not yet determined)")) } }
            }
        }
        section aria-labelledby="units-h" {
            h2 #units-h { (lang.t("組織", "Units")) }
            ul.units { @for u in &c.units {
                li { a href={ "/admin/units/" (u.id.0) "?lang=" (lang.code()) } { (unit_path(lang, &c.m.name, &c.units, u.id)) } " " span.muted { "(" (kind_label(lang, u.kind)) ")" }
                    @if u.retired_at.is_some() { " " strong.badge { (lang.t("廃止", "retired")) } }
                    @if let Some(p) = &u.phone { " " (lang.t("電話", "tel.")) " " (p) }
                    @if let Some(f) = &u.fax { " " (lang.t("FAX", "fax")) " " (f) }
                    @if let Some(d) = &u.duties { br; span.muted { (d) } } }
            } }
            h3 { (lang.t("組織を追加", "Add a unit")) }
            form method="post" action="/admin/units" novalidate {
                (page.csrf_field())
                (hidden_city(c))
                div class={ "field" @if errors.get("name").is_some() { " has-error" } } {
                    label for="f-name" { (lang.t("名称", "Name")) }
                    @if let Some(e) = err("name") { (e) }
                    input #f-name type="text" name="name" value=[errors.typed("name")] aria-describedby=[described("name")];
                }
                div.field {
                    label for="f-kind" { (lang.t("種類", "Kind")) }
                    select #f-kind name="kind" {
                        @for k in UnitKind::ALL { option value=(k.code()) selected[errors.typed("kind").map_or(k == UnitKind::Ward, |t| t == k.code())] { (kind_label(lang, k)) } }
                    }
                }
                (unit_select(lang, "parent", c, errors))
                @for (name, ja, en) in [("phone", "電話番号（省略可）", "Phone (optional)"), ("fax", "FAX番号（省略可）", "Fax (optional)")] {
                    div.field {
                        label for={ "f-" (name) } { (lang.t(ja, en)) }
                        input id={ "f-" (name) } type="tel" name=(name) value=[errors.typed(name)];
                    }
                }
                div.field {
                    label for="f-duties" { (lang.t("主な業務（業務一覧、省略可）", "Main duties (optional)")) }
                    textarea #f-duties name="duties" rows="2" { (errors.typed("duties").unwrap_or("")) }
                }
                button type="submit" { (lang.t("組織を追加", "Add the unit")) }
            }
        }
        }
    };
    Ok(page.render(lang.t("管理", "Administration"), "/admin", body))
}

fn unit_select(lang: Lang, name: &str, city: &City, errors: &FieldErrors) -> Markup {
    let err = errors.get(name);
    let err_id = format!("f-{name}-err");
    html! {
        div class={ "field" @if err.is_some() { " has-error" } } {
            label for={ "f-" (name) } { (if name == "parent" { lang.t("上位の組織", "Parent unit") } else { lang.t("対象の組織", "Unit") }) }
            @if let Some(e) = err { p.error role="alert" id=(err_id) { (e) } }
            (unit_options(lang, name, city, err.map(|_| err_id.as_str()), errors.typed(name)))
        }
    }
}

/// `?lang=` and the municipality to administer.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct AdminQuery {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    municipality: Option<String>,
    /// What was just saved (see [`Done`]).
    #[serde(default)]
    done: Option<String>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<AdminQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang.unwrap_or_default(),
        who: &who,
    };
    let selected = q
        .municipality
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| parse_id(s, "municipality").map(MunicipalityId))
        .transpose()?;
    let lang = page.lang;
    let notice = q
        .done
        .as_deref()
        .and_then(Done::parse)
        .map(|d| html! { p.notice.success role="status" { (d.message(lang)) } });
    Ok(Html(
        admin_page(&state, &page, selected, &FieldErrors::default(), notice).await?,
    ))
}

async fn answer(
    state: &AppState,
    who: &Who,
    lang: Lang,
    selected: Option<MunicipalityId>,
    errors: FieldErrors,
    notice: Option<Markup>,
    form: &FormData,
) -> Result<Response, WebError> {
    let page = Page { lang, who };
    let mut errors = errors;
    if !errors.is_empty() {
        errors.keep_typed(form, TYPED_FIELDS);
    }
    let html = admin_page(state, &page, selected, &errors, notice).await?;
    if errors.is_empty() {
        Ok(Html(html).into_response())
    } else {
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
    }
}

/// The fields of the administration forms whose typed text a refused form shows again.
/// The roles in the order the user forms offer them: the everyday ones first.
pub(crate) const ROLE_ORDER: [Role; 6] = [
    Role::WardEditor,
    Role::SectionEditor,
    Role::Approver,
    Role::CouncilMember,
    Role::CityAdmin,
    Role::SystemAdmin,
];

const TYPED_FIELDS: &[&str] = &[
    "role",
    "unit",
    "parent",
    "kind",
    "m_code",
    "m_name",
    "designated",
    "fiscal_year",
    "opens_on",
    "closes_on",
    "login",
    "display_name",
    "name",
    "phone",
    "fax",
    "duties",
];

/// Back to the page of municipality `m` after a change.
/// What was just saved, said on the page the change returns to.
#[derive(Debug, Clone, Copy)]
enum Done {
    Window,
    Unit,
    Municipality,
    Renamed,
    UnitSaved,
    UnitRetired,
    UnitReinstated,
    SampleRemoved,
}

impl Done {
    fn code(self) -> &'static str {
        match self {
            Done::Window => "window",
            Done::Unit => "unit",
            Done::Municipality => "municipality",
            Done::Renamed => "renamed",
            Done::UnitSaved => "unit_saved",
            Done::UnitRetired => "unit_retired",
            Done::UnitReinstated => "unit_reinstated",
            Done::SampleRemoved => "sample_removed",
        }
    }
    fn parse(s: &str) -> Option<Done> {
        [
            Done::Window,
            Done::Unit,
            Done::Municipality,
            Done::Renamed,
            Done::UnitSaved,
            Done::UnitRetired,
            Done::UnitReinstated,
            Done::SampleRemoved,
        ]
        .into_iter()
        .find(|d| d.code() == s)
    }
    fn message(self, lang: Lang) -> &'static str {
        match self {
            Done::Window => lang.t("受付期間を保存しました。", "The period was saved."),
            Done::Unit => lang.t("組織を追加しました。", "The unit was added."),
            Done::Municipality => lang.t("自治体を追加しました。", "The municipality was added."),
            Done::Renamed => lang.t(
                "自治体の名称を変更しました。",
                "The municipality was renamed.",
            ),
            Done::UnitSaved => lang.t("組織を保存しました。", "The unit was saved."),
            Done::UnitRetired => lang.t(
                "組織を廃止しました。新しい計画・権限・担当には表示されません。",
                "The unit was retired: it is no longer offered for new plans, roles or item owners.",
            ),
            Done::UnitReinstated => lang.t("組織を再開しました。", "The unit is in use again."),
            Done::SampleRemoved => lang.t(
                "サンプルの自治体を削除しました。その計画は公開されなくなりました。",
                "The sample municipality was removed; its plans are no longer public.",
            ),
        }
    }
}

/// Back to the page of municipality `m` after a change, which it confirms.
fn done(lang: Lang, m: MunicipalityId, what: Done) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!(
                "/admin?municipality={}&lang={}&done={}",
                m.0,
                lang.code(),
                what.code()
            ),
        )],
    )
        .into_response()
}

fn one_error(field: &str, message: impl Into<String>) -> FieldErrors {
    let mut e = FieldErrors::default();
    e.add(field, message);
    e
}

/// What a store refusal of an administration form says at its fields: a field error at
/// its field, another rule at `fallback`, a duplicate (when the form names one) at
/// `fallback` in the form's words; anything else is an error page.
fn form_errors(
    lang: Lang,
    e: StoreError,
    fallback: &str,
    duplicate: Option<&str>,
) -> Result<FieldErrors, WebError> {
    let said = |m: &str| crate::forms::one_language(lang, m);
    match (e, duplicate) {
        (StoreError::Field { field, message }, _) => Ok(one_error(&field, said(&message))),
        (StoreError::Invalid(message), _) => Ok(one_error(fallback, said(&message))),
        (StoreError::Duplicate(_), Some(message)) => Ok(one_error(fallback, message)),
        (e, _) => Err(e.into()),
    }
}

fn municipality(form: &FormData) -> Result<MunicipalityId, WebError> {
    Ok(MunicipalityId(parse_id(
        form.get("municipality").unwrap_or(""),
        "municipality",
    )?))
}

pub(crate) async fn save_window(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    require_admin(&state, &who).await?;
    let lang = q.lang();
    let m = municipality(&form)?;
    require_administer(&state, &who, m).await?;
    let mut errors = FieldErrors::default();
    let fy = form
        .text("fiscal_year")
        .and_then(|y| FiscalYear::parse(&y, None).ok());
    if fy.is_none() {
        errors.add(
            "fiscal_year",
            lang.t(
                "年度を入力してください（例: 令和7、2025）。",
                "Enter a fiscal year (e.g. 2025).",
            ),
        );
    }
    let phase = form.get("phase").and_then(Phase::from_code);
    let date = |f: &str| form.text(f).and_then(|d| d.parse::<Date>().ok());
    let (opens, closes) = (date("opens_on"), date("closes_on"));
    if opens.is_none() {
        errors.add(
            "opens_on",
            lang.t("開始日を入力してください。", "Enter the opening date."),
        );
    }
    if closes.is_none() {
        errors.add(
            "closes_on",
            lang.t("終了日を入力してください。", "Enter the closing date."),
        );
    }
    let (Some(fy), Some(phase), Some(opens_on), Some(closes_on)) = (fy, phase, opens, closes)
    else {
        if phase.is_none() {
            errors.add("phase", "phase: plan / review / evaluation");
        }
        return answer(&state, &who, lang, Some(m), errors, None, &form).await;
    };
    let actor = who.login().unwrap_or("?").to_string();
    let w = Window {
        fiscal_year: fy,
        phase,
        opens_on,
        closes_on,
    };
    match state.store.set_window(&actor, m, &w).await {
        Ok(()) => Ok(done(lang, m, Done::Window)),
        Err(e) => {
            let errors = form_errors(lang, e, "form", None)?;
            answer(&state, &who, lang, Some(m), errors, None, &form).await
        }
    }
}

/// The scope a new user's role gets, decided by the policy against the municipality the
/// scope lies in (a unit's own municipality, read from the store): a system administrator
/// only by a system administrator, a unit of a municipality the viewer administers, or
/// the whole municipality for a city administrator. `Ok(Err(..))` is a form error.
async fn new_user_scope(
    state: &AppState,
    who: &Who,
    lang: Lang,
    m: MunicipalityId,
    role: Role,
    unit: Option<UnitId>,
) -> Result<Result<Scope, FieldErrors>, WebError> {
    if role.is_system_wide() {
        require_system(who)?;
        return Ok(Ok(Scope::System));
    }
    let Some(unit) = unit else {
        if role == Role::CityAdmin {
            require_administer(state, who, m).await?;
            return Ok(Ok(Scope::Municipality(m)));
        }
        return Ok(Err(one_error(
            "unit",
            lang.t(
                "区・担当の権限には対象の組織を選んでください。",
                "Choose the unit this role is for.",
            ),
        )));
    };
    let home = state.store.get_unit(unit).await?.municipality_id;
    require_administer(state, who, home).await?;
    if home != m {
        return Ok(Err(one_error(
            "unit",
            lang.t(
                "この自治体の組織を選んでください。",
                "Choose a unit of this municipality.",
            ),
        )));
    }
    Ok(Ok(if role == Role::CityAdmin {
        // A city administrator administers a whole municipality, never one unit.
        Scope::Municipality(m)
    } else {
        Scope::Unit(unit)
    }))
}

pub(crate) async fn create_user(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    require_admin(&state, &who).await?;
    let lang = q.lang();
    let m = municipality(&form)?;
    require_administer(&state, &who, m).await?;
    let mut errors = FieldErrors::default();
    let login = form.text("login").unwrap_or_default();
    if login.is_empty()
        || !login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        errors.add(
            "login",
            lang.t(
                "ログインIDは半角英数字と . _ - で入力してください。",
                "Use letters, digits, . _ - for the login.",
            ),
        );
    }
    let name = form.text("display_name").unwrap_or_else(|| login.clone());
    let role = form.get("role").and_then(Role::from_code);
    if role.is_none() {
        errors.add("login", lang.t("権限を選んでください。", "Choose a role."));
    }
    let unit = form
        .text("unit")
        .map(|u| parse_id(&u, "unit").map(UnitId))
        .transpose()?;
    let Some(role) = role else {
        return answer(&state, &who, lang, Some(m), errors, None, &form).await;
    };
    let scope = match new_user_scope(&state, &who, lang, m, role, unit).await? {
        Ok(scope) => scope,
        Err(e) => {
            for (f, message) in e.0 {
                errors.add(&f, message);
            }
            return answer(&state, &who, lang, Some(m), errors, None, &form).await;
        }
    };
    if !errors.is_empty() {
        return answer(&state, &who, lang, Some(m), errors, None, &form).await;
    }
    match kusei_app::accounts::create_user(
        &state.store,
        &who.caller(),
        &login,
        &name,
        role,
        scope,
        state.clock.unix(),
    )
    .await
    {
        Ok((_, password)) => {
            let notice = html! {
                div.notice.success role="status" {
                    p { (lang.t("利用者を追加しました。一時パスワードは一度だけ表示されます（24時間有効）:", "User added. The one-time password is shown only once (valid for 24 hours):")) }
                    p { (lang.t("ログインID", "Login")) ": " code { (login) } " / " (lang.t("一時パスワード", "one-time password")) ": " code.otp { (password) } }
                }
            };
            answer(
                &state,
                &who,
                lang,
                Some(m),
                FieldErrors::default(),
                Some(notice),
                &form,
            )
            .await
        }
        Err(kusei_app::AppError::Store(e)) => {
            let taken = lang.t(
                "このログインIDはすでに使われています。",
                "This login is taken.",
            );
            let errors = form_errors(lang, e, "login", Some(taken))?;
            answer(&state, &who, lang, Some(m), errors, None, &form).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn create_unit(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    require_admin(&state, &who).await?;
    let lang = q.lang();
    let m = municipality(&form)?;
    let city = require_administer(&state, &who, m).await?;
    let Some(name) = form.text("name") else {
        let e = one_error(
            "name",
            lang.t("名称を入力してください。", "Enter the name."),
        );
        return answer(&state, &who, lang, Some(m), e, None, &form).await;
    };
    let kind = form
        .get("kind")
        .and_then(UnitKind::from_code)
        .unwrap_or(UnitKind::Ward);
    let parent = form
        .text("parent")
        .map(|u| parse_id(&u, "unit").map(UnitId))
        .transpose()?;
    if let Some(p) = parent {
        if !city.units.iter().any(|u| u.id == p) {
            // A parent of another municipality: asked about there, and never mixed.
            let home = state.store.get_unit(p).await?.municipality_id;
            require_administer(&state, &who, home).await?;
            let e = one_error(
                "parent",
                lang.t(
                    "上位の組織はこの自治体の組織から選んでください。",
                    "Choose a parent unit of this municipality.",
                ),
            );
            return answer(&state, &who, lang, Some(m), e, None, &form).await;
        }
    }
    let actor = who.login().unwrap_or("?").to_string();
    let (phone, fax, duties) = (form.text("phone"), form.text("fax"), form.text("duties"));
    let new = NewUnit {
        municipality_id: m,
        parent_id: parent,
        kind,
        name: &name,
        phone: phone.as_deref(),
        fax: fax.as_deref(),
        duties: duties.as_deref(),
    };
    match state.store.create_unit(&actor, &new).await {
        Ok(_) => Ok(done(lang, m, Done::Unit)),
        Err(e) => {
            let taken = lang.t(
                "同じ名前の組織がすでにあります。",
                "A unit with this name exists.",
            );
            let errors = form_errors(lang, e, "name", Some(taken))?;
            answer(&state, &who, lang, Some(m), errors, None, &form).await
        }
    }
}

/// POST /admin/municipalities: a new municipality (system administrator).
pub(crate) async fn create_municipality(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    require_admin(&state, &who).await?;
    require_system(&who)?;
    let lang = q.lang();
    let mut errors = FieldErrors::default();
    // Digits typed full-width (an IME left on) are the same code.
    let code: String = form
        .text("m_code")
        .unwrap_or_default()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            other => other,
        })
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if let Err(problem) = kusei_domain::model::check_local_government_code(&code) {
        let message = match lang {
            Lang::Ja => problem.ja(),
            Lang::En => problem.en(),
        };
        errors.add("m_code", message);
    }
    let name = form.text("m_name");
    if name.is_none() {
        errors.add(
            "m_name",
            lang.t("名称を入力してください。", "Enter the name."),
        );
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return answer(&state, &who, lang, None, errors, None, &form).await;
    };
    let actor = who.login().unwrap_or("?").to_string();
    match state
        .store
        .create_municipality(&actor, &code, &name, false)
        .await
    {
        Ok(id) => {
            // The kind: a designated city (政令指定都市) has administrative wards.
            state
                .store
                .set_municipality_setting(
                    &actor,
                    id,
                    "designated_city",
                    &serde_json::json!(form.get("designated") == Some("1")),
                )
                .await?;
            Ok(done(lang, id, Done::Municipality))
        }
        Err(StoreError::Duplicate(_)) => {
            let e = one_error(
                "m_code",
                lang.t(
                    "この団体コードはすでに登録されています。",
                    "This code is already registered.",
                ),
            );
            answer(&state, &who, lang, None, e, None, &form).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /admin/municipalities/rename (system administrator).
pub(crate) async fn rename_municipality(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    require_admin(&state, &who).await?;
    require_system(&who)?;
    let lang = q.lang();
    let m = municipality(&form)?;
    let Some(name) = form.text("name") else {
        let e = one_error(
            "rename_name",
            lang.t("名称を入力してください。", "Enter the name."),
        );
        return answer(&state, &who, lang, Some(m), e, None, &form).await;
    };
    let actor = who.login().unwrap_or("?").to_string();
    match state.store.rename_municipality(&actor, m, &name).await {
        Ok(()) => Ok(done(lang, m, Done::Renamed)),
        Err(StoreError::Field { message, .. }) => {
            answer(
                &state,
                &who,
                lang,
                Some(m),
                one_error("rename_name", message),
                None,
                &form,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /admin/municipalities/remove: the sample municipality leaves every list and its
/// plans leave the public (system administrator, after a confirmation).
pub(crate) async fn remove_sample(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    require_admin(&state, &who).await?;
    require_system(&who)?;
    let lang = q.lang();
    let m = municipality(&form)?;
    if form.get("confirm") != Some("1") {
        let e = one_error(
            "remove",
            lang.t(
                "削除してよいことを確認するチェックを入れてください。",
                "Tick the box to confirm the removal.",
            ),
        );
        return answer(&state, &who, lang, Some(m), e, None, &form).await;
    }
    let actor = who.login().unwrap_or("?").to_string();
    match state.store.remove_sample_municipality(&actor, m).await {
        Ok(_) => Ok((
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!(
                    "/admin?lang={}&done={}",
                    lang.code(),
                    Done::SampleRemoved.code()
                ),
            )],
        )
            .into_response()),
        Err(e) => {
            let errors = form_errors(lang, e, "remove", None)?;
            answer(&state, &who, lang, Some(m), errors, None, &form).await
        }
    }
}

fn unit_page(page: &Page<'_>, city: &City, unit: &Unit, errors: &FieldErrors) -> String {
    let lang = page.lang;
    let err = |f: &str| {
        errors
            .get(f)
            .map(|e| html! { p.error role="alert" id={ "f-" (f) "-err" } { (e) } })
    };
    let mut parents: Vec<(String, &Unit)> = city
        .units
        .iter()
        .filter(|u| u.id != unit.id && (u.retired_at.is_none() || unit.parent_id == Some(u.id)))
        // Only where its kind fits (no 課 under its own 担当, no ward under a section).
        .filter(|u| {
            unit.kind.fits_under(Some(u.kind)) && !city.tree.within(u.id, Scope::Unit(unit.id))
        })
        .map(|u| (unit_path(lang, &city.m.name, &city.units, u.id), u))
        .collect();
    parents.sort_by(|a, b| a.0.cmp(&b.0));
    let body = html! {
        p { a href={ "/admin?municipality=" (city.m.id.0) "&lang=" (lang.code()) } { (lang.t("← 管理へ戻る", "← Back to administration")) } }
        h1 { (unit_path(lang, &city.m.name, &city.units, unit.id)) " " span.muted { "(" (kind_label(lang, unit.kind)) ")" } }
        p { (lang.t("名称を変えても、移しても、この組織の計画・担当の項目・履歴はそのまま残ります。",
            "Renaming or moving the unit keeps its plans, the items it owns and its history.")) }
        @if let Some(e) = err("form") { (e) }
        form method="post" action={ "/admin/units/" (unit.id.0) "?lang=" (lang.code()) } novalidate {
            (page.csrf_field())
            (text_field("name", lang.t("名称", "Name"), Some(&unit.name), errors, None, None))
            div class={ "field" @if errors.get("parent").is_some() { " has-error" } } {
                label for="f-parent" { (lang.t("上位の組織", "Parent unit")) }
                @if let Some(e) = err("parent") { (e) }
                select #f-parent name="parent" aria-describedby=[errors.get("parent").map(|_| "f-parent-err")] {
                    option value="" selected[unit.parent_id.is_none()] { (lang.t("（なし）", "(none)")) }
                    @for (path, u) in &parents {
                        option value=(u.id.0) selected[unit.parent_id == Some(u.id)] { (path) " (" (kind_label(lang, u.kind)) ")" }
                    }
                }
            }
            (text_field("phone", lang.t("電話番号", "Phone"), unit.phone.as_deref(), errors, None, None))
            (text_field("fax", lang.t("FAX番号", "Fax"), unit.fax.as_deref(), errors, None, None))
            (text_field("duties", lang.t("主な業務（業務一覧）", "Main duties"), unit.duties.as_deref(), errors, Some(3), None))
            button type="submit" { (lang.t("保存する", "Save")) }
        }
        section aria-labelledby="retire-h" {
            h2 #retire-h { (lang.t("組織の廃止", "Retiring the unit")) }
            @if let Some(e) = err("retire") { (e) }
            @if let Some(at) = &unit.retired_at {
                p { strong.badge { (lang.t("廃止", "retired")) } " " (crate::i18n::japan_time_of(lang, at)) }
                form method="post" action={ "/admin/units/" (unit.id.0) "?lang=" (lang.code()) } {
                    (page.csrf_field())
                    input type="hidden" name="action" value="reinstate";
                    button type="submit" { (lang.t("再開する（再び使用する）", "Put it back in use")) }
                }
            } @else {
                p { (lang.t("廃止した組織は、新しい計画・権限・担当の選択肢に表示されなくなります。これまでの計画・担当の項目・履歴はそのまま残り、あとで再開できます。",
                    "A retired unit is no longer offered for new plans, roles or item owners. Its plans, the items it owned and its history stay, and it can be put back in use.")) }
                form method="post" action={ "/admin/units/" (unit.id.0) "?lang=" (lang.code()) } {
                    (page.csrf_field())
                    input type="hidden" name="action" value="retire";
                    button type="submit" { (lang.t("この組織を廃止する", "Retire this unit")) }
                }
            }
        }
    };
    page.render(&unit.name, &format!("/admin/units/{}", unit.id.0), body)
}

async fn the_unit(state: &AppState, who: &Who, id: &str) -> Result<(City, Unit), WebError> {
    let unit = state.store.get_unit(UnitId(parse_id(id, "unit")?)).await?;
    let city = require_administer(state, who, unit.municipality_id).await?;
    Ok((city, unit))
}

/// GET /admin/units/{id}
pub(crate) async fn unit_form(
    State(state): State<AppState>,
    who: Who,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    require_admin(&state, &who).await?;
    let (city, unit) = the_unit(&state, &who, &id).await?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    Ok(Html(unit_page(
        &page,
        &city,
        &unit,
        &FieldErrors::default(),
    )))
}

/// POST /admin/units/{id}: rename, move, contacts and duties.
pub(crate) async fn save_unit(
    State(state): State<AppState>,
    who: Who,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    require_admin(&state, &who).await?;
    let lang = q.lang();
    let (city, unit) = the_unit(&state, &who, &id).await?;
    if let Some(action @ ("retire" | "reinstate")) = form.get("action") {
        let retire = action == "retire";
        return match state
            .store
            .set_unit_retired(who.login().unwrap_or("?"), unit.id, retire)
            .await
        {
            Ok(()) => Ok(done(
                lang,
                unit.municipality_id,
                if retire {
                    Done::UnitRetired
                } else {
                    Done::UnitReinstated
                },
            )),
            Err(e) => {
                let errors = form_errors(lang, e, "retire", None)?;
                let page = Page { lang, who: &who };
                Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Html(unit_page(&page, &city, &unit, &errors)),
                )
                    .into_response())
            }
        };
    }
    let parent = form
        .text("parent")
        .map(|p| parse_id(&p, "unit").map(UnitId))
        .transpose()?;
    let name = form.text("name").unwrap_or_default();
    let (phone, fax, duties) = (form.text("phone"), form.text("fax"), form.text("duties"));
    let edit = NewUnit {
        municipality_id: unit.municipality_id,
        parent_id: parent,
        kind: unit.kind,
        name: &name,
        phone: phone.as_deref(),
        fax: fax.as_deref(),
        duties: duties.as_deref(),
    };
    let errors = if name.is_empty() {
        one_error(
            "name",
            lang.t("名称を入力してください。", "Enter the name."),
        )
    } else {
        match state
            .store
            .update_unit(who.login().unwrap_or("?"), unit.id, &edit)
            .await
        {
            Ok(()) => return Ok(done(lang, unit.municipality_id, Done::UnitSaved)),
            Err(e) => {
                let taken = lang.t(
                    "同じ上位の組織の下に同じ名称の組織があります。",
                    "A unit of this name is there already.",
                );
                form_errors(lang, e, "name", Some(taken))?
            }
        }
    };
    let page = Page { lang, who: &who };
    let typed = Unit {
        name: name.clone(),
        parent_id: parent,
        phone: phone.clone(),
        fax: fax.clone(),
        duties: duties.clone(),
        ..unit
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        Html(unit_page(&page, &city, &typed, &errors)),
    )
        .into_response())
}
