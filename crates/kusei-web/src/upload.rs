//! Importing a legacy document from the browser: upload → parse report → confirm.
//! Nothing is stored until the user confirms; the upload waits in the database (30
//! minutes, at most three per user and 100 MiB in all), so any instance can confirm it.

use crate::auth::{check_csrf, random_token, token_hash, Who};
use crate::error::WebError;
use crate::forms::FormData;
use crate::i18n::{Lang, LangQuery};
use crate::layout::{period_label, Page};
use crate::pages::parse_id;
use crate::policy::{allow, Action, Role, Tree};
use crate::AppState;
use axum::extract::{Multipart, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_app::import::{plan_of, store_document, Destination};
use kusei_app::{AppError, Caller};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::{Period, UnitId, UnitKind};
use kusei_domain::workflow::Refusal;
use kusei_import::convert::document_period;
use kusei_store::{ImportOutcome, PendingImport};
use maud::html;
use std::sync::Arc;

const KEEP_SECS: i64 = 30 * 60;
/// Uploads waiting for confirmation per user (the oldest goes first).
const PENDING_PER_USER: i64 = 3;
/// Bytes of all uploads waiting for confirmation (the oldest go first).
const PENDING_BYTES: i64 = 100 * 1024 * 1024;
/// How long reading one document may take before the user is told.
const PARSE_BUDGET: std::time::Duration = std::time::Duration::from_secs(30);
const ACTOR_SUFFIX: &str = " (ブラウザ取込)";

fn require_importer(who: &Who) -> Result<(), WebError> {
    if who.viewer.is_none() {
        return Err(WebError::SignIn {
            next: "/import".into(),
        });
    }
    let g = who.grants();
    if [Role::SystemAdmin, Role::CityAdmin, Role::WardEditor]
        .into_iter()
        .any(|r| g.has(r))
    {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "文書の取込は市の管理者と区の編集者ができます。 Only city administrators and ward editors can import.".into(),
        ))
    }
}

/// Wards (and other top units) the viewer may import into.
async fn target_units(state: &AppState, who: &Who) -> Result<Vec<(UnitId, String)>, WebError> {
    let mut out = Vec::new();
    let grants = who.grants();
    for m in state.store.list_municipalities().await? {
        let units = state.store.list_units(m.id).await?;
        let tree = Tree::new(m.id, &units);
        for u in units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Ward | UnitKind::City | UnitKind::Bureau))
        {
            if allow(&grants, &tree, Action::Import { unit: Some(u.id) }).is_ok() {
                out.push((u.id, format!("{} {}", m.name, u.name)));
            }
        }
    }
    Ok(out)
}

pub(crate) async fn form(who: Who, Query(q): Query<LangQuery>) -> Result<Html<String>, WebError> {
    require_importer(&who)?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    Ok(Html(form_page(&page, None)))
}

/// The import form, with the file field's error when one is given.
fn form_page(page: &Page<'_>, error: Option<&str>) -> String {
    let lang = page.lang;
    let body = html! {
        h1 { (lang.t("文書の取込", "Import a document")) }
        p { (lang.t("これまでの区政運営方針・取組項目シート・実績表・取組一覧（テキスト、UTF-8 / Shift_JIS / EUC-JP）を読み込みます。保存する前に読み取り結果を確認できます。",
                    "Reads earlier plans, reform item sheets, results tables and plan trees (text in UTF-8, Shift_JIS or EUC-JP). You see what was read before anything is stored.")) }
        p { (lang.t("計画のページからダウンロードしたExcelブック（.xlsx）をExcelで直して、ここで取り込むこともできます。保存する前に、項目ごと・数値ごとの変更点を確認できます。",
                    "You can also upload an Excel workbook (.xlsx) downloaded from a plan's page and edited in Excel: you see every change, item by item and figure by figure, before anything is stored.")) }
        form method="post" action=(page.href("/import")) enctype="multipart/form-data" novalidate {
            (page.csrf_field())
            div class={ "field" @if error.is_some() { " has-error" } } {
                label for="f-file" { (lang.t("ファイル", "File")) }
                @if let Some(e) = error { p.error #f-file-err role="alert" { (e) } }
                input #f-file type="file" name="file" accept=".txt,.text,.csv,.md,.html,.xlsx,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "f-file-err")];
            }
            button type="submit" { (lang.t("読み取る（まだ保存しません）", "Read it (nothing is stored yet)")) }
        }
    };
    page.render(lang.t("文書の取込", "Import"), "/import", body)
}

/// A multipart form of a CSRF field and one file: (csrf, (file name, bytes)).
pub(crate) async fn read_file_form(
    multipart: &mut Multipart,
    default_name: &str,
) -> Result<(Option<String>, Option<(String, Vec<u8>)>), WebError> {
    let mut csrf = None;
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("upload: {e}")))?
    {
        match field.name() {
            Some("csrf") => {
                csrf = Some(
                    field
                        .text()
                        .await
                        .map_err(|e| WebError::BadRequest(format!("csrf: {e}")))?,
                )
            }
            Some("file") => {
                let name = field.file_name().unwrap_or(default_name).to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| WebError::BadRequest(format!("file: {e}")))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    Ok((csrf, file))
}

/// POST /import (multipart): parse and show the report.
pub(crate) async fn preview(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let (csrf, file) = read_file_form(&mut multipart, "upload.txt").await?;
    check_csrf(&who, csrf.as_deref())?;
    require_importer(&who)?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let e = lang.t("ファイルを選んでください。", "Choose a file.");
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(form_page(&page, Some(e))),
        )
            .into_response());
    };
    let bytes: Arc<[u8]> = bytes.into();
    if is_workbook(&name, &bytes) {
        return workbook_preview(&state, &who, &page, &name, &bytes).await;
    }
    let doc = match parse_off_workers(&name, &bytes).await? {
        Ok(d) => d,
        Err(e) => {
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render(
                lang.t("読み取れませんでした", "Could not read the document"),
                "/import",
                html! {
                    h1 { (lang.t("読み取れませんでした", "Could not read the document")) }
                    p.error role="alert" { (e.to_string()) }
                    p { a href=(page.href("/import")) { (lang.t("別のファイルを選ぶ", "Choose another file")) } }
                },
            ))).into_response());
        }
    };
    let token = keep_upload(&state, &who, &name, &bytes).await?;
    let period = document_period(&doc);
    // The year the text itself names (29年度 throughout an evaluated sheet), offered when
    // the title states none.
    let inferred = doc
        .era_context
        .as_ref()
        .and_then(|c| FiscalYear::new(c.year).ok().map(|fy| (fy, c.line)));
    let units = target_units(&state, &who).await?;
    // What would be stored, read as the import reads it (the year only shapes the
    // targets' years, so this year stands in when the document names none).
    let content = kusei_import::convert::plan_content(
        &doc,
        period.unwrap_or_else(|| Period::year(state.clock.today_jst().fiscal_year())),
    )
    .ok();
    let directory: Vec<kusei_domain::content::DirectoryEntry> =
        doc.directory.iter().map(|e| e.entry()).collect();
    let targets: usize = doc.nodes.iter().map(|n| n.targets.len()).sum();
    let body = html! {
        h1 { (lang.t("読み取り結果の確認", "Check what was read")) }
        dl {
            dt { (lang.t("ファイル", "File")) } dd { (name) }
            dt { (lang.t("様式", "Form")) } dd { (kusei_domain::model::Family::from_code(doc.family.as_str()).map_or(doc.family.as_str(), |f| crate::structure::family_label(lang, f))) }
            dt { (lang.t("文字コード", "Encoding")) } dd { (doc.encoding.as_deref().unwrap_or("UTF-8")) }
            dt { (lang.t("表題", "Title")) } dd { (doc.title.as_ref().map(|t| t.text.as_str()).unwrap_or("")) }
            dt { (lang.t("年度", "Fiscal year")) } dd {
                @match (period, inferred) {
                    (Some(p), _) => { (period_label(lang, &p)) }
                    (None, Some((fy, line))) => {
                        (lang.t("表題に年度はありませんが、本文", "The title gives no year; the text (line ")) (line)
                        (lang.t("行目などの年度から ", ") names ")) strong { (crate::layout::fy_label(lang, fy)) }
                        (lang.t(" と読み取りました。違う場合は下で直してください。", ": correct it below if that is wrong."))
                    }
                    (None, None) => { (lang.t("文書に書かれていません", "not stated")) }
                }
            }
            dt { (lang.t("項目数", "Items")) } dd { (doc.nodes.len()) }
            dt { (lang.t("目標の数", "Targets")) } dd { (targets) }
        }
        @if !doc.diagnostics.is_empty() {
            h2 { (lang.t("読み取りの注意", "Notes from the reader")) }
            ul.findings { @for d in &doc.diagnostics {
                li { @if let Some(l) = d.line { (lang.t("行", "line ")) (l) ": " } (d.message) }
            } }
        }
        h2 { (lang.t("項目と読み取った内容", "Items and what was read")) }
        (content_preview(lang, content.as_ref(), &doc))
        @if !directory.is_empty() {
            h2 { (lang.t("業務一覧", "Directory of sections")) " (" (directory.len()) ")" }
            p { (lang.t("保存すると、取り込む先の区の下に、まだない課・担当が作成され、電話・FAX・主な業務が記録されます。",
                "When stored, the divisions and sections not there yet are created under the chosen ward, with their phone, fax and duties.")) }
            table {
                caption.visually-hidden { (lang.t("業務一覧", "Directory of sections")) }
                thead { tr {
                    th scope="col" { (lang.t("課", "Division")) }
                    th scope="col" { (lang.t("担当", "Section")) }
                    th scope="col" { (lang.t("電話", "Phone")) }
                    th scope="col" { (lang.t("FAX", "Fax")) }
                    th scope="col" { (lang.t("主な業務", "Duties")) }
                } }
                tbody { @for e in directory.iter().take(300) {
                    tr {
                        td { (e.division) } td { (e.section.as_deref().unwrap_or("")) }
                        td { (e.phone.as_deref().unwrap_or("")) } td { (e.fax.as_deref().unwrap_or("")) }
                        td { (e.duties.as_deref().unwrap_or("")) }
                    }
                } }
            }
        }
        h2 { (lang.t("保存する", "Store it")) }
        form method="post" action=(page.href("/import/confirm")) {
            (page.csrf_field())
            input type="hidden" name="token" value=(token);
            div.field {
                label for="f-unit" { (lang.t("取り込む先の区・組織", "Ward or unit")) }
                select #f-unit name="unit" { @for (id, label) in &units { option value=(id.0) { (label) } } }
            }
            div.field {
                label for="f-year" { (lang.t("年度（例: 令和7、2025）", "Fiscal year (e.g. 2025)")) }
                input #f-year type="text" name="year" value=(period.map(|p| p.to_string()).or(inferred.map(|(fy, _)| fy.label())).unwrap_or_default());
            }
            button type="submit" { (lang.t("この内容で保存する", "Store it")) }
        }
    };
    Ok(Html(page.render(lang.t("読み取り結果", "Parse report"), "/import", body)).into_response())
}

/// Each item as it would be stored: its targets and actuals (figure and unit as read), its
/// mid-year answers and its evaluation (an answer lost in extraction shows as unknown).
fn content_preview(
    lang: Lang,
    content: Option<&kusei_domain::content::PlanContent>,
    doc: &kusei_import::ParsedDocument,
) -> maud::Markup {
    use kusei_domain::judgment::Judgment;
    let figure = |v: Option<f64>, u: Option<&str>| match v {
        Some(v) => format!("{}{}", kusei_report::chart::fmt(v), u.unwrap_or("")),
        None => lang.t("数値なし", "no figure").to_string(),
    };
    let Some(c) = content else {
        return html! {
            ol.preview { @for n in doc.nodes.iter().take(200) {
                li { (n.level) " " (n.number.as_deref().unwrap_or("")) " " (n.title) }
            } }
        };
    };
    html! {
        ol.preview { @for n in c.nodes.iter().take(200) {
            li {
                strong { (n.level) " " (n.number.as_deref().unwrap_or("")) " " (n.title) }
                @if let Some(o) = &n.owner { " " span.muted { (lang.t("担当: ", "section: ")) (o) } }
                @if !n.targets.is_empty() || !n.actuals.is_empty() || !n.reviews.is_empty() || !n.evaluations.is_empty() {
                    ul {
                        @for t in &n.targets {
                            li { (lang.t("目標", "Target")) ": " (t.text) " → " strong { (figure(t.value, t.measure_unit.as_deref())) } }
                        }
                        @for a in &n.actuals {
                            li { (lang.t("実績", "Actual")) ": " (a.text) " → " strong { (figure(a.value, a.measure_unit.as_deref())) } }
                        }
                        @for r in &n.reviews {
                            li { (lang.t("中間振り返り", "Mid-year review")) " (" (crate::layout::fy_label(lang, r.fiscal_year)) "): "
                                (r.implementation.map_or(lang.t("実施見込み不明", "activities unknown"), |p| lang.t(p.label_ja(), p.label_en()))) " / "
                                (r.achievement.map_or(lang.t("達成見込み不明", "target unknown"), |p| lang.t(p.label_ja(), p.label_en())))
                                @if r.remedy.as_deref().is_some_and(|x| !x.trim().is_empty()) { " · " (lang.t("改善策あり", "remedy given")) }
                            }
                        }
                        @for e in &n.evaluations {
                            li { (lang.t("自己評価", "Evaluation")) " (" (crate::layout::fy_label(lang, e.fiscal_year)) "): "
                                @if e.stated == Judgment::Unknown { strong { (lang.t("判定不明（文書から読み取れません）", "judgment unknown (not readable in the document)")) } }
                                @else { (lang.t(e.stated.label_ja(), e.stated.label_en())) }
                                @if e.remedy.as_deref().is_some_and(|x| !x.trim().is_empty()) { " · " (lang.t("改善策あり", "remedy given")) }
                            }
                        }
                    }
                }
            }
        } }
    }
}

/// POST /import/confirm: store the upload shown in the report.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    require_importer(&who)?;
    let lang: Lang = q.lang();
    let login = who.login().unwrap_or("?").to_string();
    let kept = token_hash(form.get("token").unwrap_or(""));
    let upload = state
        .store
        .pending_import(&kept)
        .await?
        .filter(|u| u.owner == login && u.created_at >= state.clock.unix() - KEEP_SECS)
        .ok_or_else(|| WebError::BadRequest("token: 取込の有効期限が切れました。もう一度ファイルを選んでください。 The upload expired; choose the file again.".into()))?;
    if is_workbook(&upload.file_name, &upload.bytes) {
        let bytes: Arc<[u8]> = upload.bytes.into();
        return workbook_confirm(&state, &who, lang, &login, &kept, &upload.file_name, &bytes)
            .await;
    }
    let unit = UnitId(parse_id(form.get("unit").unwrap_or(""), "unit")?);
    let units = target_units(&state, &who).await?;
    if !units.iter().any(|(id, _)| *id == unit) {
        return Err(WebError::Forbidden(
            "この組織には取り込めません。 You cannot import into this unit.".into(),
        ));
    }
    let bytes: Arc<[u8]> = upload.bytes.into();
    let u = state.store.get_unit(unit).await?;
    let doc = parse_off_workers(&upload.file_name, &bytes)
        .await?
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let year = form.text("year");
    let period = match year.as_deref() {
        Some(y) => Period::parse(y).map_err(|e| WebError::BadRequest(format!("year: {y}: {e}")))?,
        None => document_period(&doc).ok_or_else(|| {
            WebError::BadRequest("year: 文書に年度が書かれていません。年度を入力してください。 The document does not say its fiscal year; enter it.".into())
        })?,
    };
    let caller = Caller::new(format!("{login}{ACTOR_SUFFIX}"), who.grants());
    let stored = store_document(
        &state.store,
        &caller,
        &doc,
        &bytes,
        u.municipality_id,
        Destination::Unit(u.id),
        period,
        state.clock.today_jst(),
    )
    .await;
    let outcome = match stored {
        Ok((outcome, _)) => outcome,
        Err(AppError::Refused(why)) => {
            return refused(&state, &who, lang, &doc, u.id, period, &why).await;
        }
        Err(e) => return Err(e.into()),
    };
    state.store.drop_pending_import(&kept).await?;
    let plan = plan_of(&outcome);
    let what = match outcome {
        ImportOutcome::Created { .. } => "created",
        ImportOutcome::Updated { .. } => "updated",
        ImportOutcome::Unchanged { .. } => "unchanged",
    };
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("/plans/{}?lang={}&imported={what}", plan.0, lang.code()),
        )],
    )
        .into_response())
}

/// The write guard refused the import: said in the page's language, with what was not
/// stored and the ways on (the plan it would have changed, another file). The upload
/// stays for its 30 minutes, so the browser's Back button returns to the report.
async fn refused(
    state: &AppState,
    who: &Who,
    lang: Lang,
    doc: &kusei_import::ParsedDocument,
    unit: UnitId,
    period: Period,
    why: &Refusal,
) -> Result<Response, WebError> {
    let plan = match kusei_import::convert::plan_content(doc, period) {
        Ok(content) => state.store.find_plan_like(unit, &content).await?,
        Err(_) => None,
    };
    let page = Page { lang, who };
    let title = lang.t("保存できませんでした", "Not stored");
    let body = html! {
        h1 { (title) }
        p.error role="alert" { (lang.t(&why.ja(), &why.en())) }
        p { (lang.t(
            "この文書の内容は何も保存されていません。計画はそのままです。",
            "Nothing of this document was stored; the plan is as it was.")) }
        ul {
            @if let Some(sp) = &plan {
                li { a href=(page.href(&format!("/plans/{}", sp.plan.id.0))) {
                    (lang.t("計画を開く", "Open the plan")) ": " (sp.plan.title)
                } }
            }
            li { a href=(page.href("/import")) { (lang.t("別のファイルを取り込む", "Import another file")) } }
        }
    };
    Ok((
        StatusCode::FORBIDDEN,
        Html(page.render(title, "/import", body)),
    )
        .into_response())
}

/// Keeps an upload until it is confirmed (any instance can confirm it); returns the token
/// the confirmation form carries.
async fn keep_upload(
    state: &AppState,
    who: &Who,
    name: &str,
    bytes: &[u8],
) -> Result<String, WebError> {
    let token = random_token();
    let now = state.clock.unix();
    state
        .store
        .keep_pending_import(
            &token_hash(&token),
            &PendingImport {
                owner: who.login().unwrap_or("?").to_string(),
                file_name: name.to_string(),
                bytes: bytes.to_vec(),
                created_at: now,
            },
            now - KEEP_SECS,
            PENDING_PER_USER,
            PENDING_BYTES,
        )
        .await?;
    Ok(token)
}

/// An .xlsx (a zip file) rather than extracted text: a workbook Kusei exported.
fn is_workbook(name: &str, bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || name.to_ascii_lowercase().ends_with(".xlsx")
}

/// A bilingual "日本語 / English" message in the page's language.
fn said(lang: Lang, message: &str) -> String {
    match message.split_once(" / ") {
        Some((ja, en)) => lang.t(ja, en).to_string(),
        None => message.to_string(),
    }
}

/// Reads a workbook on the blocking pool.
async fn read_workbook_off_workers(
    bytes: &Arc<[u8]>,
) -> Result<Result<Vec<kusei_domain::content::PlanRecord>, kusei_xlsx::XlsxError>, WebError> {
    let b = Arc::clone(bytes);
    let task = tokio::task::spawn_blocking(move || kusei_xlsx::read_workbook(&b));
    match tokio::time::timeout(PARSE_BUDGET, task).await {
        Ok(joined) => joined.map_err(|e| WebError::Internal(e.to_string())),
        Err(_) => Err(WebError::BadRequest(format!(
            "読み取りに{}秒以上かかるため中止しました。 Reading took longer than {} seconds.",
            PARSE_BUDGET.as_secs(),
            PARSE_BUDGET.as_secs()
        ))),
    }
}

/// The municipality a workbook's record goes to: the one it names, if the viewer may
/// import there.
async fn record_municipality(
    state: &AppState,
    record: &kusei_domain::content::PlanRecord,
) -> Result<Option<kusei_domain::model::MunicipalityId>, WebError> {
    Ok(state
        .store
        .list_municipalities()
        .await?
        .into_iter()
        .find(|m| m.name == record.municipality)
        .map(|m| m.id))
}

/// The workbook's plans as they are stored now (if they are), field by field.
async fn workbook_changes(
    state: &AppState,
    lang: Lang,
    record: &kusei_domain::content::PlanRecord,
) -> Result<
    (
        Option<kusei_store::StoredPlan>,
        Vec<kusei_domain::revision::FieldChange>,
    ),
    WebError,
> {
    let Some(m) = record_municipality(state, record).await? else {
        return Ok((
            None,
            kusei_domain::revision::field_changes(None, &record.content, lang.words()),
        ));
    };
    let (restated, existing) = kusei_app::import::workbook_record(&state.store, m, record).await?;
    let old = existing.as_ref().map(kusei_app::import::stored_content);
    let changes =
        kusei_domain::revision::field_changes(old.as_ref(), &restated.content, lang.words());
    Ok((existing, changes))
}

/// POST /import with a workbook: every plan it holds, what would change in each (item by
/// item, figure by figure), then one confirmation. A bad cell is refused naming the sheet
/// and the cell, and nothing is kept.
async fn workbook_preview(
    state: &AppState,
    who: &Who,
    page: &Page<'_>,
    name: &str,
    bytes: &Arc<[u8]>,
) -> Result<Response, WebError> {
    let lang = page.lang;
    let records = match read_workbook_off_workers(bytes).await? {
        Ok(r) if !r.is_empty() => r,
        Ok(_) => {
            return Err(WebError::BadRequest(
                "ブックに計画がありません。 The workbook holds no plan.".into(),
            ))
        }
        Err(e) => {
            let title = lang.t("読み取れませんでした", "Could not read the workbook");
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(page.render(
                    title,
                    "/import",
                    html! {
                        h1 { (title) }
                        p.error role="alert" { (name) ": " (match &e {
                            // The zip library's own words mean nothing to a user.
                            kusei_xlsx::XlsxError::NotXlsx { .. } => lang.t("Excelブック（xlsx）として読めません。Kusei からダウンロードしたブックを選んでください。", "This is not an Excel workbook (xlsx) Kusei can read: choose a workbook downloaded from Kusei.").to_string(),
                            other => said(lang, &other.to_string()),
                        }) }
                        @if let (Some(sheet), Some(cell)) = (e.sheet(), e.cell()) {
                            p { (lang.t("直す場所: ", "Where to fix it: ")) (lang.t("シート", "sheet ")) "「" (sheet) "」 " (lang.t("セル ", "cell ")) (cell) }
                        }
                        p { (lang.t("何も保存していません。Excelで直してから、もう一度選んでください。", "Nothing was stored. Fix it in Excel, then choose the file again.")) }
                        p { a href=(page.href("/import")) { (lang.t("別のファイルを選ぶ", "Choose another file")) } }
                    },
                )),
            )
                .into_response());
        }
    };
    let token = keep_upload(state, who, name, bytes).await?;
    let mut plans = Vec::new();
    for r in &records {
        let (existing, changes) = workbook_changes(state, lang, r).await?;
        plans.push((r, existing, changes));
    }
    let total: usize = plans.iter().map(|p| p.2.len()).sum();
    // A plan waiting for approval (or approved) is not changed by an import: said here,
    // before the confirmation, not only when storing.
    let locked: Vec<&kusei_store::StoredPlan> = plans
        .iter()
        .filter_map(|p| p.1.as_ref())
        .filter(|sp| {
            p_changes(&plans, sp.plan.id) > 0
                && kusei_domain::workflow::editable(sp.plan.status).is_err()
        })
        .collect();
    let body = html! {
        h1 { (lang.t("Excelブックの確認", "Check the workbook")) }
        p { (name) " — " (records.len()) (lang.t("件の計画", " plan(s)")) " · "
            (lang.t("変更点 ", "changes: ")) (total) }
        @for (r, existing, changes) in &plans {
            section.workbook-plan {
                h2 { (r.municipality) " " (r.unit) " — " (r.content.title) }
                p {
                    (period_label(lang, &r.content.period)) " · "
                    @if let Some(sp) = existing {
                        (lang.t("保存済みの計画を更新します", "Updates the stored plan")) ": "
                        a href=(page.href(&format!("/plans/{}", sp.plan.id.0))) { (sp.plan.title) }
                    } @else { (lang.t("新しい計画として保存します", "Stored as a new plan")) }
                }
                // A file written from an older version than the plan has now would undo
                // what was changed since: said before anything is stored.
                @if let Some(sp) = existing.as_ref().filter(|sp| sp.plan.version > r.version) {
                    div.notice.warning role="alert" {
                        p { strong {
                            @if lang == Lang::Ja { "このブックは第" (r.version) "版から書き出したもので、計画は今は第" (sp.plan.version) "版です。" }
                            @else { "This workbook was written from version " (r.version) "; the plan is now at version " (sp.plan.version) "." }
                        } " "
                        (lang.t("下の変更には、そのあとに画面で行った変更を元に戻すものが含まれている可能性があります。よく確かめてから保存してください（最新のブックをダウンロードし直すのが確実です）。",
                            "The changes below may undo what was changed on screen since then. Check them before storing (downloading the workbook again is safest)."))
                        }
                    }
                }
                @if changes.is_empty() { p { (lang.t("変更はありません。", "Nothing changes.")) } }
                @else {
                    table.changes {
                        caption.visually-hidden { (lang.t("変更点", "Changes")) }
                        thead { tr {
                            th scope="col" { (lang.t("項目", "Item")) }
                            th scope="col" { (lang.t("欄", "Field")) }
                            th scope="col" { (lang.t("変更前", "Before")) }
                            th scope="col" { (lang.t("変更後", "After")) }
                        } }
                        tbody { @for c in changes.iter().take(500) {
                            tr { td { (c.item) } td { (c.field) } td { del { (c.before) } } td { ins { (c.after) } } }
                        } }
                    }
                }
            }
        }
        @if !locked.is_empty() {
            div.notice role="alert" {
                p { (lang.t("次の計画は承認待ちまたは承認済みのため、保存できません。差し戻されてから取り込んでください。",
                    "These plans are submitted or approved and cannot be changed: import once they are returned.")) }
                ul { @for sp in &locked { li { a href=(page.href(&format!("/plans/{}", sp.plan.id.0))) { (sp.plan.title) } } } }
            }
        } @else if total == 0 && plans.iter().all(|p| p.1.is_some()) {
            p role="status" { (lang.t("ブックの内容は保存されている計画と同じです。保存するものはありません。", "The workbook says what the stored plans say: there is nothing to store.")) }
            p { a href=(page.href("/import")) { (lang.t("別のファイルを選ぶ", "Choose another file")) } }
        } @else {
            form method="post" action=(page.href("/import/confirm")) {
                (page.csrf_field())
                input type="hidden" name="token" value=(token);
                button type="submit" { (lang.t("この内容で保存する", "Store it")) }
            }
        }
    };
    Ok(Html(page.render(
        lang.t("Excelブックの確認", "Check the workbook"),
        "/import",
        body,
    ))
    .into_response())
}

/// How many changes the preview found for the stored plan `id`.
fn p_changes(
    plans: &[(
        &kusei_domain::content::PlanRecord,
        Option<kusei_store::StoredPlan>,
        Vec<kusei_domain::revision::FieldChange>,
    )],
    id: kusei_domain::model::PlanId,
) -> usize {
    plans
        .iter()
        .filter(|p| p.1.as_ref().is_some_and(|sp| sp.plan.id == id))
        .map(|p| p.2.len())
        .sum()
}

/// POST /import/confirm of a workbook: every plan of it stored (each through the one
/// import function and its write guard), or nothing when the guard refuses one.
async fn workbook_confirm(
    state: &AppState,
    who: &Who,
    lang: Lang,
    login: &str,
    kept: &str,
    name: &str,
    bytes: &Arc<[u8]>,
) -> Result<Response, WebError> {
    let records = read_workbook_off_workers(bytes)
        .await?
        .map_err(|e| WebError::BadRequest(format!("{name}: {e}")))?;
    let caller = Caller::new(format!("{login}{ACTOR_SUFFIX}"), who.grants());
    let mut last = None;
    let mut changed = false;
    for r in &records {
        let Some(m) = record_municipality(state, r).await? else {
            return Err(WebError::BadRequest(format!(
                "自治体「{}」がありません。先に「管理」で作成してください。 There is no municipality {}; create it under Administration first.",
                r.municipality, r.municipality
            )));
        };
        match kusei_app::import::store_record(
            &state.store,
            &caller,
            r,
            name,
            m,
            state.clock.today_jst(),
        )
        .await
        {
            Ok(outcome) => {
                changed |= !matches!(outcome, ImportOutcome::Unchanged { .. })
                    && !matches!(
                        outcome,
                        ImportOutcome::Updated {
                            changed: 0,
                            added: 0,
                            removed: 0,
                            ..
                        }
                    );
                last = Some(plan_of(&outcome));
            }
            Err(AppError::Refused(why)) => {
                return Err(WebError::Forbidden(format!(
                    "{} {}: {}",
                    r.unit,
                    r.content.title,
                    lang.t(&why.ja(), &why.en())
                )))
            }
            Err(e) => return Err(e.into()),
        }
    }
    state.store.drop_pending_import(kept).await?;
    let location = match (records.len(), last) {
        (1, Some(plan)) => format!(
            "/plans/{}?lang={}&imported={}",
            plan.0,
            lang.code(),
            if changed { "updated" } else { "unchanged" }
        ),
        _ => format!("/?lang={}", lang.code()),
    };
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
}

/// Reads a document on the blocking pool (pages keep answering while a large one is read),
/// within [`PARSE_BUDGET`].
async fn parse_off_workers(
    name: &str,
    bytes: &Arc<[u8]>,
) -> Result<Result<kusei_import::ParsedDocument, kusei_import::ImportError>, WebError> {
    let (n, b) = (name.to_string(), Arc::clone(bytes));
    let task = tokio::task::spawn_blocking(move || kusei_import::parse_bytes(&n, &b));
    match tokio::time::timeout(PARSE_BUDGET, task).await {
        Ok(joined) => joined.map_err(|e| WebError::Internal(e.to_string())),
        Err(_) => Err(WebError::BadRequest(format!(
            "{name}: 読み取りに{}秒以上かかるため中止しました。ファイルを分けて取り込んでください。 Reading took longer than {} seconds; split the file.",
            PARSE_BUDGET.as_secs(),
            PARSE_BUDGET.as_secs()
        ))),
    }
}
