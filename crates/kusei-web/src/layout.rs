//! The page frame: skip link, header with navigation and the signed-in user, footer.

use crate::auth::Who;
use crate::forms::FieldErrors;
use crate::i18n::Lang;
use crate::policy::Role;
use kusei_domain::model::Period;
use maud::{html, Markup, DOCTYPE};

/// What every page needs to draw its frame.
pub struct Page<'a> {
    pub lang: Lang,
    pub who: &'a Who,
}

impl Page<'_> {
    /// A link within Kusei keeping the language.
    pub fn href(&self, path: &str) -> String {
        // The language goes into the query, before a fragment (`#unit-6` still scrolls).
        let (path, fragment) = match path.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (path, None),
        };
        let sep = if path.contains('?') { '&' } else { '?' };
        match fragment {
            Some(f) => format!("{path}{sep}lang={}#{f}", self.lang.code()),
            None => format!("{path}{sep}lang={}", self.lang.code()),
        }
    }
    /// The hidden CSRF field every POST form carries.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.who.csrf().unwrap_or("")); }
    }
    pub fn render(&self, title: &str, path: &str, body: Markup) -> String {
        layout(self.lang, Some(self), title, path, body)
    }
}

fn layout(lang: Lang, page: Option<&Page<'_>>, title: &str, path: &str, body: Markup) -> String {
    let other = lang.other();
    let viewer = page.and_then(|p| p.who.viewer.as_ref());
    let sep = if path.contains('?') { '&' } else { '?' };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " | " (lang.t("区政 Kusei", "Kusei")) }
                link rel="stylesheet" href="/static/kusei.css";
                link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
            }
            body {
                a.skip-link href="#main" { (lang.t("本文へ移動", "Skip to content")) }
                header.site {
                    a.brand href={ "/?lang=" (lang.code()) } { (lang.t("区政 Kusei", "Kusei")) }
                    nav aria-label=(lang.t("サイト", "Site")) {
                        ul {
                            li { a href={ "/?lang=" (lang.code()) } { (lang.t("計画一覧", "Plans")) } }
                            li { a href={ "/open-data?lang=" (lang.code()) } { (lang.t("オープンデータ", "Open data")) } }
                            @if let Some(v) = viewer {
                                @if let Some(n) = page.and_then(|p| p.who.work) {
                                    li { a href={ "/?lang=" (lang.code()) "#inbox" } {
                                        (lang.t("あなたの作業", "Your work"))
                                        " " span.count { (n) span.visually-hidden { (lang.t("件", if n == 1 { " item" } else { " items" })) } }
                                    } }
                                }
                                @if v.grants.has(Role::SystemAdmin) || v.grants.has(Role::CityAdmin) || v.grants.has(Role::WardEditor) {
                                    li { a href={ "/import?lang=" (lang.code()) } { (lang.t("文書の取込", "Import")) } }
                                }
                                @if v.grants.has(Role::SystemAdmin) || v.grants.has(Role::CityAdmin) {
                                    li { a href={ "/admin?lang=" (lang.code()) } { (lang.t("管理", "Administration")) } }
                                }
                            }
                            li {
                                a href={ (path) (sep) "lang=" (other.code()) } lang=(other.code()) hreflang=(other.code()) {
                                    (other.t("日本語", "English"))
                                }
                            }
                        }
                    }
                    form.site-search role="search" method="get" action="/search" {
                        input type="hidden" name="lang" value=(lang.code());
                        label.visually-hidden for="site-q" { (lang.t("サイト内検索", "Search the site")) }
                        input #site-q type="search" name="q" placeholder=(lang.t("防災、子育て…", "Words to find")) maxlength="200";
                        button type="submit" { (lang.t("検索", "Search")) }
                    }
                    div.account {
                        @if let (Some(v), Some(p)) = (viewer, page) {
                            span.who { (v.user.display_name) }
                            " "
                            a href=(p.href("/account/password")) { (lang.t("パスワード変更", "Password")) }
                            form.inline method="post" action="/logout" {
                                (p.csrf_field())
                                button type="submit" { (lang.t("サインアウト", "Sign out")) }
                            }
                        } @else {
                            a href={ "/login?lang=" (lang.code()) } { (lang.t("職員サインイン", "Staff sign-in")) }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
                footer.site {
                    p { (lang.t("区政運営のPDCAを支えるシステム", "The system for ward management plans and their PDCA cycle")) }
                }
            }
        }
    }
    .into_string()
}

/// A page with only a heading and a sentence (errors, not found).
/// A page with a heading and a body of its own (error pages), without a viewer.
pub(crate) fn message_page_body(lang: Lang, heading: &str, body: Markup) -> String {
    layout(lang, None, heading, "/", body)
}

pub(crate) fn message_page(lang: Lang, heading: &str, text: &str) -> String {
    layout(
        lang,
        None,
        heading,
        "/",
        html! { h1 { (heading) } p { (text) } p { a href="/" { (lang.t("計画一覧へ", "Back to plans")) } } },
    )
}

/// A fiscal year as the page's readers write it: 令和7年度 (2025年度) / FY2025.
pub fn fy_label(lang: Lang, fy: kusei_domain::calendar::FiscalYear) -> String {
    match lang {
        Lang::Ja => fy.label_with_western(),
        Lang::En => format!("FY{}", fy.year()),
    }
}

/// A date as the page's readers write it: 令和7年4月1日 / 2025-04-01.
pub fn date_label(lang: Lang, d: kusei_domain::calendar::Date) -> String {
    match lang {
        Lang::Ja => d.to_japanese(),
        Lang::En => d.to_string(),
    }
}

/// 令和7年度 (2025年度) / FY2025; spans as 平成18年度～平成22年度 / FY2006–2010.
pub fn period_label(lang: Lang, p: &Period) -> String {
    match lang {
        Lang::Ja => {
            if p.start == p.end {
                p.start.label_with_western()
            } else {
                format!("{} ({}–{}年度)", p, p.start.year(), p.end.year())
            }
        }
        Lang::En => {
            if p.start == p.end {
                format!("FY{}", p.start.year())
            } else {
                format!("FY{}–{}", p.start.year(), p.end.year())
            }
        }
    }
}

/// A labelled text field with its error (if any) tied to it for screen readers.
pub fn text_field(
    name: &str,
    label: &str,
    value: Option<&str>,
    errors: &FieldErrors,
    rows: Option<usize>,
    hint: Option<&str>,
) -> Markup {
    let err = errors.get(name);
    let id = format!("f-{name}");
    let described = match (err.is_some(), hint.is_some()) {
        (true, true) => Some(format!("{id}-err {id}-hint")),
        (true, false) => Some(format!("{id}-err")),
        (false, true) => Some(format!("{id}-hint")),
        (false, false) => None,
    };
    html! {
        div class={ "field" @if err.is_some() { " has-error" } } {
            label for=(id) { (label) }
            @if let Some(h) = hint { p.hint id={ (id) "-hint" } { (h) } }
            @if let Some(e) = err { p.error id={ (id) "-err" } role="alert" { (e) } }
            @if let Some(r) = rows {
                textarea id=(id) name=(name) rows=(r) aria-invalid=[err.map(|_| "true")] aria-describedby=[described.as_deref()] { (value.unwrap_or("")) }
            } @else {
                input id=(id) type="text" name=(name) value=(value.unwrap_or("")) aria-invalid=[err.map(|_| "true")] aria-describedby=[described.as_deref()];
            }
        }
    }
}

/// A group of radio buttons with a legend and its error.
pub fn radio_group(
    name: &str,
    legend: &str,
    options: &[(&str, String)],
    selected: Option<&str>,
    errors: &FieldErrors,
) -> Markup {
    let err = errors.get(name);
    let id = format!("f-{name}");
    html! {
        fieldset class={ "field" @if err.is_some() { " has-error" } } id=(id) aria-describedby=[err.map(|_| format!("{id}-err"))] {
            legend { (legend) }
            @if let Some(e) = err { p.error id={ (id) "-err" } role="alert" { (e) } }
            @for (i, (value, label)) in options.iter().enumerate() {
                div.choice {
                    input type="radio" id={ (id) "-" (i) } name=(name) value=(value) checked[selected == Some(*value)];
                    label for={ (id) "-" (i) } { (label) }
                }
            }
        }
    }
}
