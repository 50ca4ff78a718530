//! The home page's inbox: what each role has to do now — plans to approve or publish
//! (approver), plans returned with the reason in full (ward editor), the section's items
//! still open with the window's closing date (section editor), working copies to comment
//! on (council member). Read from the plans the home page lists anyway, so the inbox adds
//! one query per plan it names, never one per plan of the city.

use crate::auth::Who;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::layout::Page;
use crate::policy::{allow, Action, Tree};
use crate::AppState;
use kusei_app::judge::{progress, Progress, References};
use kusei_domain::calendar::Date;
use kusei_domain::model::{Municipality, PlanId, PlanStatus, Unit, UnitId};
use kusei_domain::policy::{Grants, Role, Scope};
use kusei_store::{OwnedNode, PlanSummary, Transition};
use maud::{html, Markup};

/// A plan returned to its editors: the reason, who returned it and when.
pub(crate) struct Returned {
    pub plan: PlanId,
    pub title: String,
    pub reason: String,
    pub actor: String,
    pub at: String,
}

/// The inbox of the viewer, by role; empty for the public.
#[derive(Default)]
pub(crate) struct Inbox {
    to_approve: Vec<(PlanId, String)>,
    to_publish: Vec<(PlanId, String)>,
    returned: Vec<Returned>,
    to_comment: Vec<(PlanId, String)>,
    mine: Vec<MyItems>,
    /// Council opinions waiting for the viewer's answer, per ward: (ward, name, count).
    to_answer: Vec<(UnitId, String, usize, i32)>,
    /// Answers written and not yet published, per ward.
    answers_to_publish: Vec<(UnitId, String, usize, i32)>,
    /// The viewer's own opinions (as a council member) whose answers were published in
    /// the last 30 days: (opinion, what it was about).
    answered_for_me: Vec<(i64, String)>,
    /// The viewer's notifications of the last 30 days (reminders before a window closes,
    /// workflow events), newest first: what mail also says where SMTP is configured.
    notices: Vec<kusei_store::Notification>,
}

/// A plan with the viewer's items: how many cells are still open, of how many items, and
/// the phases open today with their closing dates.
struct MyItems {
    plan: PlanId,
    title: String,
    open: usize,
    items: usize,
    windows: Vec<(&'static str, Date)>,
}

impl Inbox {
    /// How many things wait for the viewer.
    pub(crate) fn count(&self) -> usize {
        self.to_approve.len()
            + self.to_publish.len()
            + self.returned.len()
            + self.to_comment.len()
            + self.mine.iter().filter(|m| m.open > 0).count()
            + self.to_answer.iter().map(|(_, _, n, _)| n).sum::<usize>()
            + self
                .answers_to_publish
                .iter()
                .map(|(_, _, n, _)| n)
                .sum::<usize>()
            + self.answered_for_me.len()
    }

    pub(crate) fn returned_of(&self, plan: PlanId) -> Option<&Returned> {
        self.returned.iter().find(|r| r.plan == plan)
    }
}

/// The units whose items are the viewer's as a section editor: its sections and the
/// units under them.
pub(crate) fn section_units(
    grants: &Grants,
    sections: &[(Municipality, Vec<Unit>, Tree)],
) -> Vec<UnitId> {
    sections
        .iter()
        .flat_map(|(_, units, tree)| {
            units.iter().filter(move |u| {
                grants
                    .unit_scopes(Role::SectionEditor)
                    .any(|s| tree.within(u.id, Scope::Unit(s)))
            })
        })
        .map(|u| u.id)
        .collect()
}

/// The viewer's inbox as every staff page counts it in the navigation: read from the
/// viewer's own municipalities and from the plans still in the workflow only (an indexed
/// read), then built exactly as the home page builds it, so both say the same number.
pub(crate) async fn for_viewer(state: &AppState, who: &Who) -> Result<Inbox, WebError> {
    let Some(viewer) = &who.viewer else {
        return Ok(Inbox::default());
    };
    let sections = viewer_sections(&state.store, &viewer.grants).await?;
    let ids: Vec<_> = sections.iter().map(|(m, _, _)| m.id).collect();
    let plans = state.store.plans_in_workflow(&ids).await?;
    let mine = state
        .store
        .nodes_owned_in(
            &section_units(&viewer.grants, &sections),
            Some(state.clock.today_jst().fiscal_year()),
        )
        .await?;
    build(state, who, &plans, &sections, &mine).await
}

/// The viewer's municipalities with their units and trees (none for the public): what
/// the viewer's own work (inbox, items, writing) is read from.
pub(crate) async fn viewer_sections(
    store: &kusei_store::Store,
    grants: &Grants,
) -> Result<Vec<(Municipality, Vec<Unit>, Tree)>, WebError> {
    if grants.0.is_empty() {
        return Ok(Vec::new());
    }
    let (all, wanted) = scoped_municipalities(store, grants).await;
    let mut sections = Vec::new();
    for m in store.list_municipalities().await? {
        if all || wanted.contains(&m.id) {
            let units = store.list_units(m.id).await?;
            let tree = Tree::new(m.id, &units);
            sections.push((m, units, tree));
        }
    }
    Ok(sections)
}

/// The municipalities a user's grants reach: every one (`true`: a system-wide grant), or
/// these.
async fn scoped_municipalities(
    store: &kusei_store::Store,
    grants: &Grants,
) -> (bool, Vec<kusei_domain::model::MunicipalityId>) {
    let mut all = false;
    let mut wanted = Vec::new();
    for (_, scope) in &grants.0 {
        match scope {
            Scope::System => all = true,
            Scope::Municipality(m) => wanted.push(*m),
            Scope::Unit(u) => {
                if let Ok(unit) = store.get_unit(*u).await {
                    wanted.push(unit.municipality_id);
                }
            }
        }
    }
    wanted.sort_unstable_by_key(|m| m.0);
    wanted.dedup();
    (all, wanted)
}

/// The units whose working copies these grants may read (`Action::ReadDraft`), read
/// from the grants' own municipalities only; `true` when every unit's may be read (a
/// system-wide grant that reads drafts).
pub(crate) async fn readable_drafts(
    store: &kusei_store::Store,
    grants: &Grants,
) -> Result<(Vec<UnitId>, bool), WebError> {
    if grants.0.is_empty() {
        return Ok((Vec::new(), false));
    }
    let (all, wanted) = scoped_municipalities(store, grants).await;
    if all && grants.has(Role::SystemAdmin) {
        return Ok((Vec::new(), true));
    }
    let mut out = Vec::new();
    for m in wanted {
        let units = store.list_units(m).await?;
        let tree = Tree::new(m, &units);
        out.extend(
            units
                .iter()
                .filter(|u| allow(grants, &tree, Action::ReadDraft { plan_unit: u.id }).is_ok())
                .map(|u| u.id),
        );
    }
    Ok((out, false))
}

/// The plan's last decision, if it was a return: why, by whom, when.
pub(crate) async fn returned(
    state: &AppState,
    plan: PlanId,
    title: &str,
) -> Result<Option<Returned>, WebError> {
    let decisions = state.store.decisions(plan).await?;
    let Some(d) = decisions.last().filter(|d| d.action == Transition::Return) else {
        return Ok(None);
    };
    // Who returned it, by the name people know them by.
    let actor = state
        .store
        .find_user(&d.actor)
        .await?
        .map_or_else(|| d.actor.clone(), |u| u.display_name);
    Ok(Some(Returned {
        plan,
        title: title.to_string(),
        reason: d.comment.clone().unwrap_or_default(),
        actor,
        at: d.at.clone(),
    }))
}

/// Builds the inbox from the plans and units the home page read.
pub(crate) async fn build(
    state: &AppState,
    who: &Who,
    plans: &[PlanSummary],
    sections: &[(Municipality, Vec<Unit>, Tree)],
    mine: &[OwnedNode],
) -> Result<Inbox, WebError> {
    let mut inbox = Inbox::default();
    if who.viewer.is_none() {
        return Ok(inbox);
    }
    let grants = who.grants();
    let tree_of = |p: &PlanSummary| {
        sections
            .iter()
            .find(|(_, units, _)| units.iter().any(|u| u.id == p.plan.unit_id))
    };
    for p in plans {
        let Some((_, _, tree)) = tree_of(p) else {
            continue;
        };
        let unit = p.plan.unit_id;
        let may = |step| {
            allow(
                &grants,
                tree,
                Action::Step {
                    plan_unit: unit,
                    step,
                },
            )
            .is_ok()
        };
        let item = (p.plan.id, format!("{} — {}", p.unit_name, p.plan.title));
        match p.plan.status {
            PlanStatus::Submitted if may(Transition::Approve) => inbox.to_approve.push(item),
            PlanStatus::Approved if may(Transition::Publish) => inbox.to_publish.push(item),
            PlanStatus::Draft if may(Transition::Submit) => {
                if let Some(r) = returned(state, p.plan.id, &item.1).await? {
                    inbox.returned.push(r);
                }
            }
            PlanStatus::Draft | PlanStatus::Submitted
                if allow(&grants, tree, Action::Comment { plan_unit: unit }).is_ok() =>
            {
                inbox.to_comment.push(item);
            }
            _ => {}
        }
    }
    council(state, who, sections, mine, &mut inbox).await?;
    if let Some(v) = &who.viewer {
        let since = kusei_store::format_unix(state.clock.unix() - 30 * 86_400);
        inbox.notices = state.store.notifications_for(v.user.id, &since, 10).await?;
    }
    // The section's items: what is still open in this fiscal year, and until when.
    let today = state.clock.today_jst();
    let year = today.fiscal_year();
    let mut plan_ids: Vec<PlanId> = mine
        .iter()
        .filter(|o| o.period.contains(year))
        .map(|o| o.plan_id)
        .collect();
    plan_ids.dedup();
    for id in plan_ids {
        let sp = state.store.load_plan(id).await?;
        if !sp.plan.period.contains(year) {
            continue;
        }
        let refs = References::load(&state.store, sp.plan.unit_id, year).await?;
        let before = refs.before(year);
        let ids: Vec<_> = mine
            .iter()
            .filter(|o| o.plan_id == id)
            .map(|o| o.node_id)
            .collect();
        let m = sections
            .iter()
            .find(|(_, units, _)| units.iter().any(|u| u.id == sp.plan.unit_id))
            .map(|(m, _, _)| m.id);
        let mut windows = Vec::new();
        if let Some(m) = m {
            // Only the phases the city's form of this family has.
            let forms = kusei_app::forms::settings(&state.store, m).await?;
            for w in state.store.windows(m).await? {
                if w.fiscal_year == year && w.contains(today) && forms.uses(sp.plan.family, w.phase)
                {
                    windows.push((w.phase.code(), w.closes_on));
                }
            }
        }
        // Only the cells of the phases open today are work now (an evaluation whose
        // window opens in March is not yet "open" in December).
        let phase_open = |i: usize| {
            let code = ["plan", "review", "evaluation"][i];
            windows.iter().any(|(c, _)| *c == code)
        };
        let open: usize = sp
            .nodes
            .iter()
            .filter(|n| ids.contains(&n.node.id))
            .map(|n| {
                progress(n, year, &before)
                    .iter()
                    .enumerate()
                    .filter(|(i, p)| phase_open(*i) && **p != Progress::Done)
                    .count()
            })
            .sum();
        inbox.mine.push(MyItems {
            plan: id,
            title: sp.plan.title.clone(),
            open,
            items: ids.len(),
            windows,
        });
    }
    Ok(inbox)
}

/// The council's part of the inbox: opinions to answer (the ward's editors; section
/// editors for their own items where the ward allows it), answers to publish, and the
/// member's own opinions whose answers were just published.
async fn council(
    state: &AppState,
    who: &Who,
    sections: &[(Municipality, Vec<Unit>, Tree)],
    mine: &[OwnedNode],
    inbox: &mut Inbox,
) -> Result<(), WebError> {
    let grants = who.grants();
    let mut wards: Vec<(UnitId, String, &Tree)> = Vec::new();
    for (_, units, tree) in sections {
        for u in units {
            let keeps = allow(&grants, tree, Action::PublishAnswers { ward: u.id }).is_ok()
                || allow(
                    &grants,
                    tree,
                    Action::AnswerOpinion {
                        ward: u.id,
                        owner: None,
                        sections: false,
                    },
                )
                .is_ok();
            let own_items = mine.iter().any(|o| {
                units
                    .iter()
                    .any(|x| x.id == u.id && tree.within(o.owner, Scope::Unit(u.id)))
                    && u.kind == kusei_domain::model::UnitKind::Ward
            });
            if keeps || own_items {
                wards.push((u.id, u.name.clone(), tree));
            }
        }
    }
    let ids: Vec<UnitId> = wards.iter().map(|(id, _, _)| *id).collect();
    let open = state.store.open_opinions(&ids).await?;
    for (ward, name, tree) in &wards {
        let of_ward: Vec<_> = open.iter().filter(|o| o.unit_id == *ward).collect();
        if of_ward.is_empty() {
            continue;
        }
        let sections_answer = state.store.section_answers(*ward).await?;
        let answer: Vec<_> = of_ward
            .iter()
            .filter(|o| !o.is_answered())
            .filter(|o| {
                let owner = o
                    .node_id
                    .and_then(|n| mine.iter().find(|m| m.node_id == n))
                    .map(|m| m.owner);
                allow(
                    &grants,
                    tree,
                    Action::AnswerOpinion {
                        ward: *ward,
                        owner,
                        sections: sections_answer,
                    },
                )
                .is_ok()
            })
            .collect();
        // The link opens the oldest year that has one.
        let first = |v: &[&&kusei_store::Opinion]| {
            v.iter()
                .map(|o| o.fiscal_year.year())
                .min()
                .unwrap_or_default()
        };
        if !answer.is_empty() {
            inbox
                .to_answer
                .push((*ward, name.clone(), answer.len(), first(&answer)));
        }
        if allow(&grants, tree, Action::PublishAnswers { ward: *ward }).is_ok() {
            let done: Vec<_> = of_ward.iter().filter(|o| o.is_answered()).collect();
            if !done.is_empty() {
                inbox
                    .answers_to_publish
                    .push((*ward, name.clone(), done.len(), first(&done)));
            }
        }
    }
    if grants.has(Role::CouncilMember) {
        if let Some(login) = who.login() {
            let since = kusei_store::format_unix(state.clock.unix() - 30 * 86_400);
            for o in state.store.answered_opinions_of(login, 20).await? {
                if o.published_at
                    .as_deref()
                    .is_some_and(|p| p >= since.as_str())
                {
                    let mut excerpt: String = o.body.chars().take(40).collect();
                    if o.body.chars().count() > 40 {
                        excerpt.push('…');
                    }
                    inbox.answered_for_me.push((o.id, excerpt));
                }
            }
        }
    }
    Ok(())
}

fn phase_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "review" => lang.t("中間振り返り", "mid-year review"),
        "evaluation" => lang.t("自己評価", "year-end evaluation"),
        _ => lang.t("計画", "plan"),
    }
}

/// The inbox as the home page shows it (nothing when nothing waits).
pub(crate) fn view(page: &Page<'_>, inbox: &Inbox) -> Markup {
    let lang = page.lang;
    let plan_link = |id: PlanId, title: &str| {
        html! { a href=(page.href(&format!("/plans/{}", id.0))) { (title) } }
    };
    let list = |items: &[(PlanId, String)]| {
        html! { ul { @for (id, t) in items { li { (plan_link(*id, t)) } } } }
    };
    html! {
        @if inbox.count() > 0 || !inbox.mine.is_empty() || !inbox.notices.is_empty() {
            section.inbox #inbox aria-labelledby="inbox-h" {
                h2 #inbox-h { (lang.t("あなたの作業", "Your work")) " (" (inbox.count()) ")" }
                @if !inbox.returned.is_empty() {
                    h3 { (lang.t("差し戻された計画", "Plans returned to you")) " (" (inbox.returned.len()) ")" }
                    ul { @for r in &inbox.returned {
                        li.returned {
                            strong.badge { (lang.t("差戻し", "returned")) } " " (plan_link(r.plan, &r.title))
                            p { (lang.t("理由: ", "Reason: ")) q { (r.reason) } }
                            p.muted { (r.actor) " · " (crate::i18n::japan_time_of(lang, &r.at)) }
                        }
                    } }
                }
                @if !inbox.to_approve.is_empty() {
                    h3 { (lang.t("承認待ちの計画", "Plans awaiting your approval")) " (" (inbox.to_approve.len()) ")" }
                    (list(&inbox.to_approve))
                }
                @if !inbox.to_publish.is_empty() {
                    h3 { (lang.t("承認済みで公表待ちの計画", "Approved plans to publish")) " (" (inbox.to_publish.len()) ")" }
                    (list(&inbox.to_publish))
                }
                @if !inbox.to_comment.is_empty() {
                    h3 { (lang.t("意見を出せる作成中の計画", "Working copies open for your comments")) " (" (inbox.to_comment.len()) ")" }
                    (list(&inbox.to_comment))
                }
                @if !inbox.to_answer.is_empty() {
                    h3 { (lang.t("回答を待っている区政会議の意見", "Council opinions waiting for your answer")) }
                    ul { @for (ward, name, n, fy) in &inbox.to_answer {
                        li { a href=(page.href(&format!("/council/{}?year={fy}&status=unanswered", ward.0))) { (name) } ": " (n) (lang.t("件", if *n == 1 { " opinion" } else { " opinions" })) }
                    } }
                }
                @if !inbox.answers_to_publish.is_empty() {
                    h3 { (lang.t("公表を待っている回答", "Answers waiting for publication")) }
                    ul { @for (ward, name, n, fy) in &inbox.answers_to_publish {
                        li { a href=(page.href(&format!("/council/{}?year={fy}&status=unpublished", ward.0))) { (name) } ": " (n) (lang.t("件", if *n == 1 { " answer" } else { " answers" })) }
                    } }
                }
                @if !inbox.answered_for_me.is_empty() {
                    h3 { (lang.t("回答が公表されたあなたの意見", "Your opinions whose answers were published")) " (" (inbox.answered_for_me.len()) ")" }
                    ul { @for (id, excerpt) in &inbox.answered_for_me {
                        li { a href=(page.href(&format!("/opinions/{id}"))) { (excerpt) } }
                    } }
                }
                @if !inbox.notices.is_empty() {
                    h3 { (lang.t("お知らせ", "Notifications")) " (" (inbox.notices.len()) ")" }
                    ul.notices { @for n in &inbox.notices {
                        li class={ "notice-" (n.kind) } {
                            @let subject = match lang { Lang::Ja => n.subject.trim_start_matches("【Kusei】"), Lang::En => n.subject_en.as_str() };
                            @match &n.link {
                                Some(l) => { a href=(page.href(l)) { (subject) } }
                                None => { (subject) }
                            }
                            " " span.muted { (crate::i18n::japan_time_of(lang, &n.created_at)) }
                        }
                    } }
                }
                @if !inbox.mine.is_empty() {
                    h3 { (lang.t("担当の項目の入力", "Your items to fill in")) }
                    ul { @for m in &inbox.mine {
                        li {
                            a href=(page.href(&format!("/plans/{}/progress", m.plan.0))) { (m.title) } ": "
                            @if m.windows.is_empty() { (lang.t("いま受付中の段階はありません", "no phase is open now")) }
                            @else if m.open == 0 { (lang.t("受付中の欄はすべて入力済み", "everything open is entered")) }
                            @else { (lang.t("未完了の欄 ", "cells still open: ")) (m.open) }
                            " (" (m.items) (lang.t("項目", if m.items == 1 { " item" } else { " items" })) ")"
                            @for (phase, closes) in &m.windows {
                                br;
                                span.muted {
                                    (phase_label(lang, phase)) (lang.t("の受付は ", " is open until "))
                                    @if lang == Lang::Ja { (closes.to_japanese()) " まで" } @else { (closes.to_string()) }
                                }
                            }
                        }
                    } }
                }
            }
        }
    }
}
