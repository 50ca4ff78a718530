//! The city administrator's pages: the year's schedule, users and roles, units.

use crate::auth::{check_csrf, hash_password, random_token, Who};
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::{Lang, LangQuery};
use crate::layout::Page;
use crate::pages::{parse_id, phase_en};
use crate::policy::{allow, Action, Role, Tree};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::model::{MunicipalityId, Phase, UnitId, UnitKind};
use kusei_store::{NewUnit, NewUser, StoreError, Window};
use maud::{html, Markup};

fn require_admin(who: &Who) -> Result<(), WebError> {
    if who.viewer.is_none() {
        return Err(WebError::SignIn {
            next: "/admin".into(),
        });
    }
    allow(&who.grants(), &Tree::default(), Action::Administer)
        .map_err(|d| WebError::Forbidden(format!("{} {}", d.ja, d.en)))
}

async fn admin_page(
    state: &AppState,
    page: &Page<'_>,
    errors: &FieldErrors,
    notice: Option<Markup>,
) -> Result<String, WebError> {
    let lang = page.lang;
    let store = &state.store;
    let mut cities = Vec::new();
    for m in store.list_municipalities().await? {
        let units = store.list_units(m.id).await?;
        let windows = store.windows(m.id).await?;
        cities.push((m, units, windows));
    }
    let users = store.list_users().await?;
    let all_units: Vec<_> = cities.iter().flat_map(|(_, u, _)| u.iter()).collect();
    let unit_name = |id: Option<UnitId>| -> String {
        id.and_then(|id| {
            all_units
                .iter()
                .find(|u| u.id == id)
                .map(|u| u.name.clone())
        })
        .unwrap_or_else(|| lang.t("市全体", "whole city").to_string())
    };
    let err = |f: &str| {
        errors
            .get(f)
            .map(|e| html! { p.error role="alert" id={ "f-" (f) "-err" } { (e) } })
    };
    let body = html! {
        h1 { (lang.t("管理", "Administration")) }
        @if let Some(n) = notice { (n) }
        @if let Some(e) = err("form") { (e) }
        section aria-labelledby="sch-h" {
            h2 #sch-h { (lang.t("年間スケジュール（受付期間）", "The year's schedule")) }
            p { (lang.t("計画・中間振り返り・自己評価を編集できる期間です。期間外の編集は理由を示して断られます。",
                        "When the plan, the mid-year review and the year-end evaluation can be edited. Outside these dates editing is refused with the reason.")) }
            @for (m, _, windows) in &cities {
                @if !windows.is_empty() {
                    table {
                        caption { (m.name) }
                        thead { tr {
                            th scope="col" { (lang.t("年度", "Fiscal year")) }
                            th scope="col" { (lang.t("段階", "Phase")) }
                            th scope="col" { (lang.t("開始", "Opens")) }
                            th scope="col" { (lang.t("終了", "Closes")) }
                        } }
                        tbody { @for w in windows { tr {
                            td { (w.fiscal_year.label_with_western()) }
                            td { (lang.t(w.phase.label_ja(), phase_en(w.phase))) }
                            td { (w.opens_on.to_japanese()) }
                            td { (w.closes_on.to_japanese()) }
                        } } }
                    }
                }
            }
            form method="post" action="/admin/schedule" novalidate {
                (page.csrf_field())
                (city_select(lang, &cities.iter().map(|(m, _, _)| (m.id, m.name.clone())).collect::<Vec<_>>()))
                div.field {
                    label for="f-fiscal_year" { (lang.t("年度（例: 令和7、2025）", "Fiscal year (e.g. 2025)")) }
                    @if let Some(e) = err("fiscal_year") { (e) }
                    input #f-fiscal_year type="text" name="fiscal_year" aria-describedby=[errors.get("fiscal_year").map(|_| "f-fiscal_year-err")];
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
                    input #f-opens_on type="date" name="opens_on";
                }
                div.field {
                    label for="f-closes_on" { (lang.t("終了日", "Closes on")) }
                    @if let Some(e) = err("closes_on") { (e) }
                    input #f-closes_on type="date" name="closes_on";
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
                    td { (u.login) }
                    td { (u.display_name) }
                    td { @for (r, unit) in &u.roles {
                        @let label = Role::from_code(r).map_or(r.as_str(), |r| lang.t(r.label_ja(), r.label_en()));
                        span.role { (label) "（" (unit_name(*unit)) "）" } " "
                    } }
                } } }
            }
            h3 { (lang.t("利用者を追加", "Add a user")) }
            form method="post" action="/admin/users" novalidate {
                (page.csrf_field())
                @for (name, ja, en) in [("login", "ログインID", "Login"), ("display_name", "氏名", "Name")] {
                    div class={ "field" @if errors.get(name).is_some() { " has-error" } } {
                        label for={ "f-" (name) } { (lang.t(ja, en)) }
                        @if let Some(e) = err(name) { (e) }
                        input id={ "f-" (name) } type="text" name=(name) aria-describedby=[errors.get(name).map(|_| format!("f-{name}-err"))];
                    }
                }
                div.field {
                    label for="f-role" { (lang.t("権限", "Role")) }
                    select #f-role name="role" {
                        @for r in Role::ALL { option value=(r.code()) { (lang.t(r.label_ja(), r.label_en())) } }
                    }
                }
                (unit_select(lang, "unit", &all_units, true))
                button type="submit" { (lang.t("追加して一時パスワードを発行", "Add and issue a one-time password")) }
            }
        }
        section aria-labelledby="units-h" {
            h2 #units-h { (lang.t("組織", "Units")) }
            @for (m, units, _) in &cities {
                h3 { (m.name) }
                ul.units { @for u in units {
                    li { (u.name) " " span.muted { "(" (u.kind.label_ja()) ")" }
                        @if let Some(p) = u.parent_id { " — " (unit_name(Some(p))) } }
                } }
            }
            h3 { (lang.t("組織を追加", "Add a unit")) }
            form method="post" action="/admin/units" novalidate {
                (page.csrf_field())
                (city_select(lang, &cities.iter().map(|(m, _, _)| (m.id, m.name.clone())).collect::<Vec<_>>()))
                div class={ "field" @if errors.get("name").is_some() { " has-error" } } {
                    label for="f-name" { (lang.t("名称", "Name")) }
                    @if let Some(e) = err("name") { (e) }
                    input #f-name type="text" name="name" aria-describedby=[errors.get("name").map(|_| "f-name-err")];
                }
                div.field {
                    label for="f-kind" { (lang.t("種類", "Kind")) }
                    select #f-kind name="kind" {
                        @for k in UnitKind::ALL { option value=(k.code()) selected[k == UnitKind::Ward] { (k.label_ja()) } }
                    }
                }
                (unit_select(lang, "parent", &all_units, true))
                button type="submit" { (lang.t("組織を追加", "Add the unit")) }
            }
        }
    };
    Ok(page.render(lang.t("管理", "Administration"), "/admin", body))
}

fn city_select(lang: Lang, cities: &[(MunicipalityId, String)]) -> Markup {
    let id = format!("f-municipality-{}", cities.len());
    html! {
        div.field {
            label for=(id) { (lang.t("自治体", "Municipality")) }
            select id=(id) name="municipality" {
                @for (id, name) in cities { option value=(id.0) { (name) } }
            }
        }
    }
}

fn unit_select(
    lang: Lang,
    name: &str,
    units: &[&kusei_domain::model::Unit],
    with_none: bool,
) -> Markup {
    html! {
        div.field {
            label for={ "f-" (name) } { (if name == "parent" { lang.t("上位の組織", "Parent unit") } else { lang.t("対象の組織", "Unit") }) }
            select id={ "f-" (name) } name=(name) {
                @if with_none { option value="" { (if name == "parent" { lang.t("（なし）", "(none)") } else { lang.t("市全体", "whole city") }) } }
                @for u in units { option value=(u.id.0) { (u.name) " (" (u.kind.label_ja()) ")" } }
            }
        }
    }
}

pub(crate) async fn page(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    require_admin(&who)?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    Ok(Html(
        admin_page(&state, &page, &FieldErrors::default(), None).await?,
    ))
}

async fn answer(
    state: &AppState,
    who: &Who,
    lang: Lang,
    errors: FieldErrors,
    notice: Option<Markup>,
) -> Result<Response, WebError> {
    let page = Page { lang, who };
    let html = admin_page(state, &page, &errors, notice).await?;
    if errors.is_empty() {
        Ok(Html(html).into_response())
    } else {
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
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
    require_admin(&who)?;
    let lang = q.lang();
    let m = municipality(&form)?;
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
        return answer(&state, &who, lang, errors, None).await;
    };
    let actor = who.login().unwrap_or("?").to_string();
    let w = Window {
        fiscal_year: fy,
        phase,
        opens_on,
        closes_on,
    };
    match state.store.set_window(&actor, m, &w).await {
        Ok(()) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/admin?lang={}", lang.code()))],
        )
            .into_response()),
        Err(StoreError::Field { field, message }) => {
            let mut e = FieldErrors::default();
            e.add(&field, message);
            answer(&state, &who, lang, e, None).await
        }
        Err(StoreError::Invalid(message)) => {
            let mut e = FieldErrors::default();
            e.add("form", message);
            answer(&state, &who, lang, e, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn create_user(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    require_admin(&who)?;
    let lang = q.lang();
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
    let unit = form
        .text("unit")
        .map(|u| parse_id(&u, "unit").map(UnitId))
        .transpose()?;
    if role.is_some_and(|r| r != Role::CityAdmin) && unit.is_none() {
        errors.add(
            "login",
            lang.t(
                "区・担当の権限には対象の組織を選んでください。",
                "Choose the unit this role is for.",
            ),
        );
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return answer(&state, &who, lang, errors, None).await;
    };
    let password = random_token()[..16].to_string();
    let hash = hash_password(&password).map_err(WebError::Internal)?;
    let actor = who.login().unwrap_or("?").to_string();
    let new = NewUser {
        login: &login,
        display_name: &name,
        password_hash: &hash,
        must_change_password: true,
        roles: vec![(
            role.code(),
            if role == Role::CityAdmin { None } else { unit },
        )],
    };
    match state.store.create_user(&actor, &new).await {
        Ok(_) => {
            let notice = html! {
                div.notice.success role="status" {
                    p { (lang.t("利用者を追加しました。一時パスワードは一度だけ表示されます:", "User added. The one-time password is shown only once:")) }
                    p { (lang.t("ログインID", "Login")) ": " code { (login) } " / " (lang.t("一時パスワード", "one-time password")) ": " code.otp { (password) } }
                }
            };
            answer(&state, &who, lang, FieldErrors::default(), Some(notice)).await
        }
        Err(StoreError::Duplicate(_)) => {
            let mut e = FieldErrors::default();
            e.add(
                "login",
                lang.t(
                    "このログインIDはすでに使われています。",
                    "This login is taken.",
                )
                .to_string(),
            );
            answer(&state, &who, lang, e, None).await
        }
        Err(StoreError::Field { field, message }) => {
            let mut e = FieldErrors::default();
            e.add(&field, message);
            answer(&state, &who, lang, e, None).await
        }
        Err(StoreError::Invalid(m)) => {
            let mut e = FieldErrors::default();
            e.add("login", m);
            answer(&state, &who, lang, e, None).await
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
    require_admin(&who)?;
    let lang = q.lang();
    let m = municipality(&form)?;
    let Some(name) = form.text("name") else {
        let mut e = FieldErrors::default();
        e.add(
            "name",
            lang.t("名称を入力してください。", "Enter the name."),
        );
        return answer(&state, &who, lang, e, None).await;
    };
    let kind = form
        .get("kind")
        .and_then(UnitKind::from_code)
        .unwrap_or(UnitKind::Ward);
    let parent = form
        .text("parent")
        .map(|u| parse_id(&u, "unit").map(UnitId))
        .transpose()?;
    let actor = who.login().unwrap_or("?").to_string();
    let new = NewUnit {
        municipality_id: m,
        parent_id: parent,
        kind,
        name: &name,
        phone: None,
        fax: None,
        duties: None,
    };
    match state.store.create_unit(&actor, &new).await {
        Ok(_) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/admin?lang={}", lang.code()))],
        )
            .into_response()),
        Err(StoreError::Duplicate(_)) => {
            let mut e = FieldErrors::default();
            e.add(
                "name",
                lang.t(
                    "同じ名前の組織がすでにあります。",
                    "A unit with this name exists.",
                )
                .to_string(),
            );
            answer(&state, &who, lang, e, None).await
        }
        Err(StoreError::Field { field, message }) => {
            let mut e = FieldErrors::default();
            e.add(&field, message);
            answer(&state, &who, lang, e, None).await
        }
        Err(StoreError::Invalid(m)) => {
            let mut e = FieldErrors::default();
            e.add("name", m);
            answer(&state, &who, lang, e, None).await
        }
        Err(e) => Err(e.into()),
    }
}
