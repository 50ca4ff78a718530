//! `/admin/forms`: the city's form settings (which phases each family uses, the labels of
//! the judgment scale, whether 未確定 exists), through `kusei_app::forms` (validated,
//! every change in the settings' history).

use crate::admin::require_administer;
use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::Lang;
use crate::layout::Page;
use crate::pages::parse_id;
use crate::structure::family_label;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_app::forms::{self as app, FormSettings};
use kusei_domain::model::{Family, MunicipalityId, Phase};
use maud::html;
use serde::Deserialize;

const PHASES: [Phase; 3] = [Phase::Plan, Phase::Review, Phase::Evaluation];

/// `?municipality=&lang=&done=`
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct FormsQuery {
    #[serde(default)]
    municipality: Option<String>,
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    done: Option<String>,
}

async fn settings_page(
    state: &AppState,
    page: &Page<'_>,
    m: MunicipalityId,
    city: &str,
    s: &FormSettings,
    errors: &FieldErrors,
    done: bool,
) -> Result<String, WebError> {
    let lang = page.lang;
    let versions = crate::admin::setting_versions(state, m, "forms").await?;
    let err = |f: &str| {
        errors
            .get(f)
            .map(|e| html! { p.error id={ "f-" (f) "-err" } role="alert" { (e) } })
    };
    let described = |f: &str| errors.get(f).map(|_| format!("f-{f}-err"));
    let body = html! {
        h1 { (city) " " (lang.t("様式の設定", "Form settings")) }
        @if done { p.notice role="status" { (lang.t("様式の設定を保存しました。", "The form settings were saved.")) } }
        @if !errors.is_empty() {
            div.error-summary role="alert" {
                p { (lang.t("保存できませんでした。次の項目を確認してください。", "Nothing was saved. Check the following.")) }
                ul { @for (f, label) in [("phases", lang.t("様式ごとの段階", "Phases per form")), ("labels", lang.t("判定の名前", "Judgment labels"))] {
                    @if errors.get(f).is_some() { li { a href={ "#f-" (f) } { (label) } } }
                } }
            }
        }
        form method="post" action="/admin/forms" novalidate {
            (page.csrf_field())
            input type="hidden" name="municipality" value=(m.0);
            input type="hidden" name="lang" value=(lang.code());
            fieldset #f-phases aria-describedby=[described("phases")] {
                legend { (lang.t("様式ごとに使う段階", "The phases each form uses")) }
                @if let Some(e) = err("phases") { (e) }
                p.muted { (lang.t("使わない段階は、項目の画面・入力の状況・締切のお知らせに出ません。計画の段階はどの様式にもあります。",
                    "A phase a form does not use is not offered on the item pages, the progress table or the reminders. Every form has its plan phase.")) }
                table {
                    thead { tr {
                        th scope="col" { (lang.t("様式", "Form")) }
                        @for p in PHASES { th scope="col" { (lang.t(p.label_ja(), p.label_en())) } }
                    } }
                    tbody { @for f in Family::ALL { tr {
                        th scope="row" { (family_label(lang, f)) }
                        @for p in PHASES {
                            td {
                                @let id = format!("f-{}-{}", f.code(), p.code());
                                @if p == Phase::Plan {
                                    input id=(id) type="checkbox" checked disabled aria-label={ (family_label(lang, f)) " " (lang.t(p.label_ja(), p.label_en())) };
                                    input type="hidden" name={ "phase_" (f.code()) } value=(p.code());
                                } @else {
                                    input id=(id) type="checkbox" name={ "phase_" (f.code()) } value=(p.code()) checked[s.uses(f, p)]
                                        aria-label={ (family_label(lang, f)) " " (lang.t(p.label_ja(), p.label_en())) };
                                }
                            }
                        }
                    } } }
                }
            }
            fieldset #f-labels aria-describedby=[described("labels")] {
                legend { (lang.t("判定の名前（自己評価の様式に印刷される文言）", "Judgment labels (as the evaluation form prints them)")) }
                @if let Some(e) = err("labels") { (e) }
                div.field {
                    label for="f-achieved" { "① " (lang.t("達成", "Achieved")) }
                    input #f-achieved name="achieved" value=(s.achieved);
                }
                div.field {
                    label for="f-not_achieved" { "② " (lang.t("未達成", "Not achieved")) }
                    input #f-not_achieved name="not_achieved" value=(s.not_achieved);
                }
                div.field {
                    label for="f-undetermined" { (lang.t("未確定", "Not yet determined")) }
                    input #f-undetermined name="undetermined" value=(s.undetermined);
                }
                div.field {
                    input #f-allows type="checkbox" name="allows_undetermined" value="1" checked[s.allows_undetermined];
                    " "
                    label for="f-allows" { (lang.t("「未確定」を選べるようにする", "Let evaluations be stated as not yet determined")) }
                }
            }
            button type="submit" { (lang.t("保存する", "Save")) }
        }
        section aria-labelledby="versions-h" {
            h2 #versions-h { (lang.t("変更の履歴", "Earlier versions")) }
            @if versions.is_empty() {
                p { (lang.t("まだ変更されていません（既定: すべての様式が3段階、未確定あり）。", "Never changed (the default: every form has three phases, and not yet determined).")) }
            } @else {
                ol reversed { @for c in versions.iter().rev() {
                    li { (crate::i18n::japan_time_of(lang, &c.at)) " — " (c.actor) }
                } }
            }
        }
        p { a href={ "/admin?municipality=" (m.0) "&lang=" (lang.code()) } { (lang.t("管理に戻る", "Back to administration")) } }
    };
    Ok(page.render(lang.t("様式の設定", "Form settings"), "/admin/forms", body))
}

/// GET /admin/forms?municipality=
pub(crate) async fn form(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<FormsQuery>,
) -> Result<Html<String>, WebError> {
    let lang = q.lang.unwrap_or_default();
    let city = crate::admin::chosen_city(&state, &who, q.municipality.as_deref()).await?;
    let page = Page { lang, who: &who };
    let s = app::settings(&state.store, city.m.id).await?;
    Ok(Html(
        settings_page(
            &state,
            &page,
            city.m.id,
            &city.m.name,
            &s,
            &FieldErrors::default(),
            q.done.as_deref() == Some("saved"),
        )
        .await?,
    ))
}

/// POST /admin/forms
pub(crate) async fn save(
    State(state): State<AppState>,
    who: Who,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let lang = match form.get("lang") {
        Some("en") => Lang::En,
        _ => Lang::Ja,
    };
    let m = MunicipalityId(parse_id(
        form.get("municipality").unwrap_or(""),
        "municipality",
    )?);
    let city = require_administer(&state, &who, m).await?;
    let mut s = FormSettings {
        achieved: form.get("achieved").unwrap_or("").to_string(),
        not_achieved: form.get("not_achieved").unwrap_or("").to_string(),
        undetermined: form.get("undetermined").unwrap_or("").to_string(),
        allows_undetermined: form.get("allows_undetermined").is_some(),
        ..FormSettings::default()
    };
    for f in Family::ALL {
        let key = format!("phase_{}", f.code());
        let phases: Vec<String> = form
            .0
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .collect();
        s.phases.insert(f.code().to_string(), phases);
    }
    match app::set_settings(&state.store, &who.caller(), m, &s).await {
        Ok(()) => Ok((
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!(
                    "/admin/forms?municipality={}&lang={}&done=saved",
                    m.0,
                    lang.code()
                ),
            )],
        )
            .into_response()),
        Err(kusei_app::AppError::Fields(problems)) => {
            let mut errors = FieldErrors::default();
            for p in problems {
                errors.add(
                    p.field,
                    match lang {
                        Lang::Ja => p.ja,
                        Lang::En => p.en,
                    },
                );
            }
            let page = Page { lang, who: &who };
            let html = settings_page(&state, &page, m, &city.m.name, &s, &errors, false).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
