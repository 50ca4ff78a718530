//! Reminders and notifications: who is told what, when.
//!
//! - **Reminders**: before a phase's window closes (7 and 1 days before, Japan time),
//!   each section editor (担当) whose items of a plan in the workflow are still empty in
//!   that phase is reminded once per window and reminder day, and so is each of the
//!   ward's editors, with the sections still open. Complete sections get nothing.
//! - **Workflow events**: a submission tells those who may approve; a return, an approval
//!   and a publication tell the ward's editors (an approval also those who may publish, a
//!   publication also the plan's 担当); the
//!   publication of council answers tells each member whose opinion was answered.
//!
//! Every notification is a row (once per event and person, by its key) that the inbox
//! shows. Where an SMTP server is configured, [`run_jobs`] mails the rows: each instance
//! claims rows by a lease in the database, so two instances never mail a row twice, and
//! the reminder scan runs under a job lease. Without SMTP the rows are marked `unmailed`.

use crate::judge::{progress, tracked_items, Progress, References};
use crate::{AppError, Clock};
use kusei_domain::calendar::Date;
use kusei_domain::model::{Phase, PlanId, PlanStatus, UnitId, UserId};
use kusei_domain::policy::{allow, Action, Grants, Role, Scope, Tree};
use kusei_domain::workflow::Transition;
use kusei_store::{NewNotification, Store, StoredPlan, StoredUser};
use std::collections::BTreeMap;

/// Days before a window closes on which its reminders go out.
pub const REMINDER_DAYS: [i64; 2] = [7, 1];

/// Where mail goes: an SMTP relay (plain SMTP, as LGWAN offices run them) and the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// `host:port` of the SMTP server.
    pub smtp: String,
    /// The sender address (`From`).
    pub from: String,
    /// The address people reach Kusei at, for the links in mail (`https://kusei.city.lg.jp`).
    pub base_url: String,
}

/// What one run of the jobs did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobReport {
    pub reminders_recorded: usize,
    pub mailed: usize,
    pub unmailed: usize,
    pub failed: usize,
}

/// The reminder day a window is in on `today`: the smallest of [`REMINDER_DAYS`] not
/// below the days left, when the window is open and closes within the largest of them.
pub fn reminder_day(opens: Date, closes: Date, today: Date) -> Option<i64> {
    if today < opens || today > closes {
        return None;
    }
    let left = closes.days_since(today);
    REMINDER_DAYS.iter().copied().filter(|d| *d >= left).min()
}

fn phase_index(p: Phase) -> usize {
    match p {
        Phase::Plan => 0,
        Phase::Review => 1,
        Phase::Evaluation => 2,
    }
}

/// Users with `role` whose scope covers `unit`.
fn holders<'a>(
    users: &'a [StoredUser],
    tree: &'a Tree,
    role: Role,
    unit: UnitId,
) -> impl Iterator<Item = &'a StoredUser> + 'a {
    users.iter().filter(move |u| {
        u.disabled_at.is_none()
            && u.roles.iter().any(|(r, s)| {
                r == role.code() && !matches!(s, Scope::System) && tree.within(unit, *s)
            })
    })
}

/// The open items of each 担当 in one phase of a plan: owner unit → (count, of items).
fn open_by_owner(
    sp: &StoredPlan,
    phase: Phase,
    refs: &References,
) -> BTreeMap<UnitId, (usize, usize)> {
    let year = sp.plan.period.end;
    let before = refs.before(year);
    let mut out: BTreeMap<UnitId, (usize, usize)> = BTreeMap::new();
    for (i, _, tracked) in tracked_items(sp) {
        let sn = &sp.nodes[i];
        let Some(owner) = sn.node.owner_unit_id.filter(|_| tracked) else {
            continue;
        };
        let e = out.entry(owner).or_default();
        e.1 += 1;
        if progress(sn, year, &before)[phase_index(phase)] == Progress::Empty {
            e.0 += 1;
        }
    }
    out
}

/// Records today's reminders of every municipality (each once: the key names the window,
/// its closing day, the reminder day, the plan and the person). Returns how many were new.
pub async fn record_reminders(store: &Store, today: Date) -> Result<usize, AppError> {
    let users = store.list_users().await?;
    let mut items = Vec::new();
    for m in store.list_municipalities().await? {
        let windows: Vec<_> = store
            .windows(m.id)
            .await?
            .into_iter()
            .filter_map(|w| reminder_day(w.opens_on, w.closes_on, today).map(|d| (w, d)))
            .collect();
        if windows.is_empty() {
            continue;
        }
        let units = store.list_units(m.id).await?;
        let tree = Tree::new(m.id, &units);
        let forms = crate::forms::settings(store, m.id).await?;
        let name_of = |u: UnitId| {
            units
                .iter()
                .find(|x| x.id == u)
                .map_or_else(|| u.to_string(), |x| x.name.clone())
        };
        // The plans of the windows' years that their editors can write now: drafts, and
        // published plans (the review and the evaluation of a plan published in spring
        // open its next draft). A plan waiting for approval is the approver's.
        let mut plans = Vec::new();
        let mut years: Vec<_> = windows.iter().map(|(w, _)| w.fiscal_year).collect();
        years.dedup();
        for fy in years {
            for p in store.list_plans(None, Some(fy)).await? {
                if units.iter().any(|u| u.id == p.plan.unit_id)
                    && matches!(p.plan.status, PlanStatus::Draft | PlanStatus::Published)
                    && !plans
                        .iter()
                        .any(|q: &kusei_store::PlanSummary| q.plan.id == p.plan.id)
                {
                    plans.push(p);
                }
            }
        }
        for p in plans {
            for (w, day) in &windows {
                if !p.plan.period.contains(w.fiscal_year)
                    || p.plan.period.end != w.fiscal_year
                    || !forms.uses(p.plan.family, w.phase)
                {
                    continue;
                }
                let sp = store.load_plan(p.plan.id).await?;
                let refs = References::load(store, sp.plan.unit_id, w.fiscal_year).await?;
                let open = open_by_owner(&sp, w.phase, &refs);
                let key = |user: UserId| {
                    format!(
                        "reminder:{}:{}:{}:{}:{}:{}",
                        p.plan.id.0,
                        w.phase.code(),
                        w.fiscal_year.year(),
                        w.closes_on,
                        day,
                        user.0
                    )
                };
                let closes = w.closes_on;
                let left = closes.days_since(today);
                let title = format!("{} {}", p.unit_name, p.plan.title);
                let when_ja = if left == 0 {
                    "本日締切".to_string()
                } else {
                    format!("締切まであと{left}日")
                };
                let when_en = if left == 0 {
                    "closes today".to_string()
                } else {
                    format!("closes in {left} day(s)")
                };
                let link = Some(format!("/plans/{}/progress", p.plan.id.0));
                // Each 担当 with empty items.
                let mut open_sections = Vec::new();
                for (owner, (empty, of)) in &open {
                    if *empty == 0 {
                        continue;
                    }
                    open_sections.push(format!("{}：{empty}件（{of}件中）", name_of(*owner)));
                    for u in holders(&users, &tree, Role::SectionEditor, *owner) {
                        items.push(NewNotification {
                            event_key: key(u.id),
                            user_id: u.id,
                            municipality_id: Some(m.id),
                            kind: "reminder".into(),
                            subject: format!(
                                "【Kusei】{}の{}{when_ja}：未入力 {empty}件",
                                p.plan.title,
                                w.phase.label_ja()
                            ),
                            subject_en: format!(
                                "{}: {} {when_en}: {empty} item(s) not entered",
                                p.plan.title,
                                w.phase.label_en()
                            ),
                            body: format!(
                                "{} 様\n\n{title}（{}）の{}は {} に締め切られます。\n\
                                 {} の担当の取組のうち、{empty}件（{of}件中）がまだ入力されていません。\n",
                                u.display_name,
                                w.fiscal_year.label(),
                                w.phase.label_ja(),
                                closes.to_japanese(),
                                name_of(*owner),
                            ),
                            link: link.clone(),
                        });
                    }
                }
                if open_sections.is_empty() {
                    continue;
                }
                // The ward's editors, with every section still open.
                for u in holders(&users, &tree, Role::WardEditor, sp.plan.unit_id) {
                    items.push(NewNotification {
                        event_key: key(u.id),
                        user_id: u.id,
                        municipality_id: Some(m.id),
                        kind: "reminder".into(),
                        subject: format!(
                            "【Kusei】{}の{}{when_ja}：未入力の担当 {}",
                            p.plan.title,
                            w.phase.label_ja(),
                            open_sections.len()
                        ),
                        subject_en: format!(
                            "{}: {} {when_en}: {} section(s) not done",
                            p.plan.title,
                            w.phase.label_en(),
                            open_sections.len()
                        ),
                        body: format!(
                            "{} 様\n\n{title}（{}）の{}は {} に締め切られます。\n\
                             まだ入力されていない担当：\n{}\n",
                            u.display_name,
                            w.fiscal_year.label(),
                            w.phase.label_ja(),
                            closes.to_japanese(),
                            open_sections.join("\n"),
                        ),
                        link: link.clone(),
                    });
                }
            }
        }
    }
    Ok(store.notify(&items).await?)
}

/// Records who a workflow step concerns, after the step was taken (`decision` is the
/// number of decisions the plan has now: it makes each step's key unique).
pub async fn after_step(
    store: &Store,
    plan: PlanId,
    step: Transition,
    actor: &str,
) -> Result<usize, AppError> {
    let sp = store.load_plan(plan).await?;
    let unit = store.get_unit(sp.plan.unit_id).await?;
    let m = unit.municipality_id;
    let units = store.list_units(m).await?;
    let tree = Tree::new(m, &units);
    let users = store.list_users().await?;
    let decisions = store.decisions(plan).await?;
    let n = decisions.len();
    let comment = decisions
        .last()
        .and_then(|d| d.comment.clone())
        .unwrap_or_default();
    let title = format!(
        "{} {}（{}）",
        sp.unit_name,
        sp.plan.title,
        sp.plan.period.end.label()
    );
    let title_en = format!("{} {}", sp.unit_name, sp.plan.title);
    let by = store
        .find_user(actor)
        .await?
        .map_or_else(|| actor.to_string(), |u| u.display_name);
    let may = |u: &StoredUser, step: Transition| {
        allow(
            &Grants::from_stored(&u.roles),
            &tree,
            Action::Step {
                plan_unit: sp.plan.unit_id,
                step,
            },
        )
        .is_ok()
    };
    let no_system = |u: &&StoredUser| {
        u.login != actor
            && u.disabled_at.is_none()
            && !u.roles.iter().any(|(_, s)| matches!(s, Scope::System))
    };
    let editors: Vec<&StoredUser> = holders(&users, &tree, Role::WardEditor, sp.plan.unit_id)
        .filter(|u| u.login != actor)
        .collect();
    let (kind, recipients, subject, subject_en, body): (_, Vec<&StoredUser>, _, _, _) = match step
    {
        Transition::Submit => (
            "submitted",
            users
                .iter()
                .filter(no_system)
                .filter(|u| may(u, Transition::Approve))
                .collect(),
            format!("【Kusei】承認の依頼：{title}"),
            format!("Approval requested: {title_en}"),
            format!("{by} さんが {title} を提出しました。内容を確認し、承認するか差し戻してください。\n"),
        ),
        Transition::Return => (
            "returned",
            editors,
            format!("【Kusei】差し戻し：{title}"),
            format!("Returned: {title_en}"),
            format!("{by} さんが {title} を差し戻しました。\n理由：{comment}\n"),
        ),
        Transition::Approve => {
            // The ward's editors (whose plan it is) and whoever may publish it.
            let mut to = editors;
            for u in users.iter().filter(no_system).filter(|u| may(u, Transition::Publish)) {
                if !to.iter().any(|t| t.id == u.id) {
                    to.push(u);
                }
            }
            (
                "approved",
                to,
                format!("【Kusei】承認されました：{title}"),
                format!("Approved: {title_en}"),
                format!("{by} さんが {title} を承認しました。公表できます。\n"),
            )
        }
        Transition::Publish => {
            let mut to = editors;
            let owners: Vec<UnitId> = sp
                .nodes
                .iter()
                .filter_map(|n| n.node.owner_unit_id)
                .collect();
            for u in users.iter().filter(|u| u.login != actor) {
                if !to.iter().any(|t| t.id == u.id)
                    && owners
                        .iter()
                        .any(|o| holders(std::slice::from_ref(u), &tree, Role::SectionEditor, *o).next().is_some())
                {
                    to.push(u);
                }
            }
            (
                "published",
                to,
                format!("【Kusei】公表されました：{title}"),
                format!("Published: {title_en}"),
                format!("{by} さんが {title} を公表しました。\n"),
            )
        }
    };
    let items: Vec<NewNotification> = recipients
        .into_iter()
        .map(|u| NewNotification {
            event_key: format!("workflow:{}:{n}:{}", plan.0, u.id.0),
            user_id: u.id,
            municipality_id: Some(m),
            kind: kind.into(),
            subject: subject.clone(),
            subject_en: subject_en.clone(),
            body: format!("{} 様\n\n{body}", u.display_name),
            link: Some(format!("/plans/{}", plan.0)),
        })
        .collect();
    Ok(store.notify(&items).await?)
}

/// Tells each member whose own opinion (given in Kusei) has an answer just published
/// where to read it: once per publication of the answer.
pub async fn answers_published(store: &Store, opinions: &[i64]) -> Result<usize, AppError> {
    let mut items = Vec::new();
    for id in opinions {
        let o = store.opinion(*id).await?;
        let (None, Some(at)) = (&o.member_name, &o.published_at) else {
            continue;
        };
        let Some(u) = store.find_user(&o.author).await? else {
            continue;
        };
        let ward = store.get_unit(o.unit_id).await?;
        items.push(NewNotification {
            event_key: format!("answer:{id}:{at}:{}", u.id.0),
            user_id: u.id,
            municipality_id: Some(ward.municipality_id),
            kind: "answered".into(),
            subject: format!(
                "【Kusei】{}区政会議：ご意見への対応方針が公表されました",
                ward.name
            ),
            subject_en: format!(
                "{} council: the answer to your opinion is published",
                ward.name
            ),
            body: format!(
                "{} 様\n\nお寄せいただいたご意見への{}の対応方針が公表されました。\n",
                u.display_name, ward.name
            ),
            link: Some(format!("/opinions/{id}")),
        });
    }
    Ok(store.notify(&items).await?)
}

/// One run of the background jobs of an instance named `owner`: the reminder scan (under
/// a job lease, so one instance at a time), then the mail of the rows this instance
/// claims. Called every few seconds by every instance; safe to run on several.
pub async fn run_jobs(
    store: &Store,
    clock: Clock,
    owner: &str,
    mail: Option<&MailConfig>,
) -> Result<JobReport, AppError> {
    let mut report = JobReport::default();
    let now = clock.unix();
    let at = |secs: i64| kusei_store::format_unix(now + secs);
    if store
        .take_lease("reminders", owner, &at(0), &at(30))
        .await?
    {
        report.reminders_recorded = record_reminders(store, clock.today_jst()).await?;
    }
    let claimed = store.claim_mail(owner, &at(0), &at(120), 50).await?;
    if claimed.is_empty() {
        return Ok(report);
    }
    let transport = match mail {
        Some(c) => Some(transport(c)?),
        None => None,
    };
    for o in claimed {
        let id = o.notification.id;
        let (Some(c), Some(t), Some(to)) = (mail, transport.as_ref(), o.email.as_deref()) else {
            store.finish_mail(id, owner, "unmailed", None).await?;
            report.unmailed += 1;
            continue;
        };
        match send(t, c, &o, to).await {
            Ok(()) => {
                store.finish_mail(id, owner, "sent", None).await?;
                report.mailed += 1;
            }
            Err(e) => {
                tracing::warn!(notification = id, error = %e, "mail not sent");
                // Tried again after the lease, five times in all.
                let state = if o.attempts >= 5 { "failed" } else { "pending" };
                store.finish_mail(id, owner, state, Some(&e)).await?;
                if state == "failed" {
                    report.failed += 1;
                }
            }
        }
    }
    Ok(report)
}

type Transport = lettre::AsyncSmtpTransport<lettre::Tokio1Executor>;

fn transport(c: &MailConfig) -> Result<Transport, AppError> {
    let (host, port) = c
        .smtp
        .rsplit_once(':')
        .and_then(|(h, p)| p.parse::<u16>().ok().map(|p| (h.to_string(), p)))
        .unwrap_or_else(|| (c.smtp.clone(), 25));
    Ok(Transport::builder_dangerous(host).port(port).build())
}

async fn send(
    t: &Transport,
    c: &MailConfig,
    o: &kusei_store::Outgoing,
    to: &str,
) -> Result<(), String> {
    use lettre::message::{header::ContentType, Mailbox};
    use lettre::AsyncTransport;
    let from: Mailbox = c
        .from
        .parse()
        .map_err(|e| format!("from {:?}: {e}", c.from))?;
    let to: Mailbox = to.parse().map_err(|e| format!("to {to:?}: {e}"))?;
    let n = &o.notification;
    let mut body = n.body.clone();
    if let Some(link) = &n.link {
        body.push_str(&format!("\n{}{link}\n", c.base_url.trim_end_matches('/')));
    }
    body.push_str("\n-- \nKusei（区政）からの自動送信です。\n");
    let message = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(n.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .message_id(Some(format!("<kusei-{}@{}>", n.id, "kusei")))
        .body(body)
        .map_err(|e| e.to_string())?;
    t.send(message).await.map(|_| ()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn reminders_go_out_seven_and_one_days_before_the_close() {
        let (o, c) = (d("2026-07-01"), d("2026-08-31"));
        assert_eq!(reminder_day(o, c, d("2026-08-23")), None, "8 days before");
        assert_eq!(reminder_day(o, c, d("2026-08-24")), Some(7));
        assert_eq!(
            reminder_day(o, c, d("2026-08-29")),
            Some(7),
            "2 days before"
        );
        assert_eq!(reminder_day(o, c, d("2026-08-30")), Some(1));
        assert_eq!(reminder_day(o, c, d("2026-08-31")), Some(1), "the last day");
        assert_eq!(reminder_day(o, c, d("2026-09-01")), None, "closed");
        assert_eq!(
            reminder_day(d("2026-08-28"), c, d("2026-08-27")),
            None,
            "not open yet"
        );
    }
}
