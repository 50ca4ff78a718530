//! 区政会議: every way in (browser forms, API, CLI) gives opinions, keeps meetings,
//! answers and publishes through these functions, behind the role policy of the ward's
//! unit tree. The rules of an opinion and an answer are the domain's
//! ([`kusei_domain::council`]); the store checks the version.

use crate::guard::{tree_of, Caller};
use crate::AppError;
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::council::{
    check_answer, check_opinion, measures, AnswerInput, Counted, FieldProblem, Measures,
    MeetingKind,
};
use kusei_domain::model::{NodeId, PlanId, UnitId};
use kusei_domain::policy::{allow, Action, Tree};
use kusei_store::{Answer, NewMeeting, NewOpinion, Opinion, Store};

fn refuse(field: &'static str, ja: &'static str, en: &'static str) -> AppError {
    AppError::Fields(vec![FieldProblem { field, ja, en }])
}

fn allowed(caller: &Caller, tree: &Tree, action: Action) -> Result<(), AppError> {
    allow(&caller.grants, tree, action)
        .map_err(|d| AppError::Refused(kusei_domain::workflow::Refusal::Role(d)))
}

/// An opinion as typed.
#[derive(Debug, Clone, Default)]
pub struct OpinionInput<'a> {
    pub plan: Option<PlanId>,
    pub node: Option<NodeId>,
    pub category: Option<&'a str>,
    pub rating: Option<&'a str>,
    pub body: &'a str,
    pub meeting: Option<i64>,
    /// Entered by ward staff from the minutes: the member's name as written (empty:
    /// 委員).
    pub from_minutes: bool,
    pub member_name: Option<&'a str>,
    pub name_public: bool,
}

/// The Japan date of a stored RFC 3339 UTC timestamp.
pub fn japan_date(at: &str) -> Option<Date> {
    let secs = kusei_store::parse_unix(at)?;
    kusei_store::format_unix(secs + 9 * 3600)
        .get(..10)
        .and_then(|d| d.parse().ok())
}

/// Gives an opinion on a plan or one of its items: a member of the ward's council in
/// Kusei, or ward staff from the minutes (with the member's name, or 委員). Its fiscal
/// year is the meeting's, else today's.
pub async fn give_opinion(
    store: &Store,
    caller: &Caller,
    input: &OpinionInput<'_>,
    today: Date,
) -> Result<i64, AppError> {
    let plan = match (input.plan, input.node) {
        (Some(p), _) => p,
        (None, Some(n)) => store.node_plan(n).await?,
        (None, None) => {
            return Err(refuse(
                "node",
                "どの計画・項目についての意見かを選んでください。",
                "Choose the plan or item the opinion is about.",
            ))
        }
    };
    let sp = store.load_plan(plan).await?;
    let ward = sp.plan.unit_id;
    let (tree, _) = tree_of(store, ward).await?;
    if input.from_minutes {
        allowed(caller, &tree, Action::KeepCouncil { ward })?;
    } else {
        allowed(caller, &tree, Action::Comment { plan_unit: ward })?;
    }
    if let Some(n) = input.node {
        if !sp.nodes.iter().any(|x| x.node.id == n) {
            return Err(refuse(
                "node",
                "その項目はこの計画にありません。",
                "That item is not in this plan.",
            ));
        }
    }
    let (category, rating) = check_opinion(
        input.body,
        input.category,
        input.rating,
        input.node.is_some(),
    )
    .map_err(AppError::Fields)?;
    let mut fiscal_year = today.fiscal_year();
    if let Some(m) = input.meeting {
        let meeting = store.meeting(m).await.ok().filter(|x| x.unit_id == ward);
        let Some(meeting) = meeting else {
            return Err(refuse(
                "meeting",
                "その会議はこの区の区政会議にありません。",
                "That meeting is not one of this ward's council.",
            ));
        };
        fiscal_year = meeting.fiscal_year;
    }
    let member_name = input.from_minutes.then(|| {
        input
            .member_name
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("委員")
    });
    Ok(store
        .add_opinion(
            &caller.name,
            &NewOpinion {
                plan,
                node: input.node,
                fiscal_year,
                category,
                rating,
                body: input.body,
                meeting: input.meeting,
                member_name,
                name_public: input.name_public,
            },
        )
        .await?)
}

/// An answer as typed.
#[derive(Debug, Clone, Default)]
pub struct AnswerForm<'a> {
    pub answer: &'a str,
    pub reflection: Option<&'a str>,
    pub reason: &'a str,
    pub reflected_node: Option<NodeId>,
    pub reflected_note: &'a str,
    pub reported_meeting: Option<i64>,
}

/// Whether the caller may answer this opinion: the ward's editors, and section editors
/// for their own items where the ward allows it.
pub async fn may_answer(store: &Store, caller: &Caller, o: &Opinion) -> Result<bool, AppError> {
    Ok(
        answerable(store, caller, o.unit_id, std::slice::from_ref(o))
            .await?
            .contains(&o.id),
    )
}

/// The opinions of `ward` (among `opinions`) the caller may answer: the ward's tree and
/// setting read once, each plan the opinions are on once (a page lists many).
pub async fn answerable(
    store: &Store,
    caller: &Caller,
    ward: UnitId,
    opinions: &[Opinion],
) -> Result<std::collections::HashSet<i64>, AppError> {
    let (tree, _) = tree_of(store, ward).await?;
    let sections = store.section_answers(ward).await?;
    let mut owners: std::collections::HashMap<PlanId, Vec<(NodeId, Option<UnitId>)>> =
        std::collections::HashMap::new();
    let mut out = std::collections::HashSet::new();
    for o in opinions.iter().filter(|o| o.unit_id == ward) {
        if !owners.contains_key(&o.plan_id) && o.node_id.is_some() {
            let nodes = match store.load_plan(o.plan_id).await {
                Ok(sp) => sp
                    .nodes
                    .iter()
                    .map(|n| (n.node.id, n.node.owner_unit_id))
                    .collect(),
                Err(_) => Vec::new(),
            };
            owners.insert(o.plan_id, nodes);
        }
        let owner = o.node_id.and_then(|n| {
            owners
                .get(&o.plan_id)
                .and_then(|v| v.iter().find(|(id, _)| *id == n))
                .and_then(|(_, owner)| *owner)
        });
        let action = Action::AnswerOpinion {
            ward,
            owner,
            sections,
        };
        if allow(&caller.grants, &tree, action).is_ok() {
            out.insert(o.id);
        }
    }
    Ok(out)
}

/// Answers an opinion (or changes the answer): the answer, the reflection status (a
/// reason for 今後検討 and 反映困難), where it was reflected (an item of the ward's plans,
/// a note such as the budget request) and the meeting where it was reported.
pub async fn answer(
    store: &Store,
    caller: &Caller,
    id: i64,
    expected_version: i64,
    form: &AnswerForm<'_>,
) -> Result<(), AppError> {
    let o = store.opinion(id).await?;
    if !may_answer(store, caller, &o).await? {
        return Err(AppError::Refused(kusei_domain::workflow::Refusal::Role(
            kusei_domain::policy::NOT_YOURS,
        )));
    }
    let reflection = check_answer(&AnswerInput {
        answer: form.answer,
        reflection: form.reflection,
        reason: form.reason,
    })
    .map_err(AppError::Fields)?;
    if let Some(n) = form.reflected_node {
        let same_ward = match store.node_plan(n).await {
            Ok(p) => store.load_plan(p).await?.plan.unit_id == o.unit_id,
            Err(_) => false,
        };
        if !same_ward {
            return Err(refuse(
                "reflected_node",
                "反映先の項目はこの区の計画から選んでください。",
                "Choose the item it was reflected in from this ward's plans.",
            ));
        }
    }
    if let Some(m) = form.reported_meeting {
        if store
            .meeting(m)
            .await
            .ok()
            .filter(|x| x.unit_id == o.unit_id)
            .is_none()
        {
            return Err(refuse(
                "reported_meeting",
                "報告した会議はこの区の区政会議から選んでください。",
                "Choose the meeting from this ward's council.",
            ));
        }
    }
    store
        .answer_opinion(
            &caller.name,
            id,
            expected_version,
            &Answer {
                answer: form.answer,
                reflection,
                reason: Some(form.reason),
                reflected_node: form.reflected_node,
                reflected_note: Some(form.reflected_note),
                reported_meeting: form.reported_meeting,
            },
        )
        .await?;
    Ok(())
}

/// Publishes the answers of `ids` (opinions of `ward`): each answered one not yet
/// published becomes public with its opinion. Returns how many.
pub async fn publish(
    store: &Store,
    caller: &Caller,
    ward: UnitId,
    ids: &[i64],
) -> Result<usize, AppError> {
    let (tree, _) = tree_of(store, ward).await?;
    allowed(caller, &tree, Action::PublishAnswers { ward })?;
    let mut mine = Vec::new();
    for id in ids {
        let o = store.opinion(*id).await?;
        if o.unit_id != ward {
            return Err(AppError::Invalid(format!(
                "意見 {id} はこの区のものではありません。 Opinion {id} is not this ward's."
            )));
        }
        mine.push(*id);
    }
    let n = store.publish_answers(&caller.name, &mine).await?;
    // The members are told (inbox, and mail where configured); the answers are public
    // whether or not that succeeds.
    if let Err(e) = crate::notify::answers_published(store, &mine).await {
        tracing::warn!(error = %e, "members not notified of published answers");
    }
    Ok(n)
}

/// A meeting as typed.
#[derive(Debug, Clone, Default)]
pub struct MeetingForm<'a> {
    /// The fiscal year the meeting is recorded in (its date must fall in it).
    pub fiscal_year: Option<FiscalYear>,
    pub kind: Option<&'a str>,
    pub name: &'a str,
    pub held_on: &'a str,
    pub agenda: &'a str,
    pub attendance: &'a str,
    pub minutes: &'a str,
    pub plan: Option<PlanId>,
    /// The 部会 (a subcommittee meeting).
    pub group: Option<i64>,
}

/// Records a meeting of the ward's council (本会 or 部会): a name, a date (西暦 or 和暦),
/// the agenda, the attendance, the minutes, and the plan discussed.
pub async fn add_meeting(
    store: &Store,
    caller: &Caller,
    ward: UnitId,
    form: &MeetingForm<'_>,
) -> Result<i64, AppError> {
    let (tree, _) = tree_of(store, ward).await?;
    allowed(caller, &tree, Action::KeepCouncil { ward })?;
    let mut problems = Vec::new();
    let kind = form.kind.and_then(MeetingKind::from_code);
    if kind.is_none() {
        problems.push(FieldProblem {
            field: "kind",
            ja: "本会か部会かを選んでください。",
            en: "Choose plenary meeting or subcommittee.",
        });
    }
    if form.name.trim().is_empty() {
        problems.push(FieldProblem {
            field: "name",
            ja: "会議の名前を入力してください（例：第1回区政会議）。",
            en: "Name the meeting (e.g. the 1st council meeting).",
        });
    }
    let held_on = kusei_domain::calendar::parse_date(form.held_on.trim(), None).ok();
    match (held_on, form.fiscal_year) {
        (None, _) => problems.push(FieldProblem {
            field: "held_on",
            ja: "開催日を 2025-06-12 または 令和7年6月12日 の形で入力してください。",
            en: "Enter the date as 2025-06-12 or 令和7年6月12日.",
        }),
        (Some(d), Some(fy)) if d.fiscal_year() != fy => problems.push(FieldProblem {
            field: "held_on",
            ja: "開催日がこの年度の日付ではありません（年度を切り替えてから登録してください）。",
            en: "The date is not in this fiscal year (switch to its year first).",
        }),
        _ => {}
    }
    let attendance = match form.attendance.trim() {
        "" => None,
        a => match a.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                problems.push(FieldProblem {
                    field: "attendance",
                    ja: "出席者数は0以上の整数で入力してください。",
                    en: "Enter the attendance as a whole number (0 or more).",
                });
                None
            }
        },
    };
    if let Some(p) = form.plan {
        if store.load_plan(p).await?.plan.unit_id != ward {
            problems.push(FieldProblem {
                field: "plan",
                ja: "この区の計画を選んでください。",
                en: "Choose one of this ward's plans.",
            });
        }
    }
    if let Some(g) = form.group {
        if !store.groups(ward).await?.iter().any(|x| x.id == g) {
            problems.push(FieldProblem {
                field: "group",
                ja: "この区の部会を選んでください。",
                en: "Choose one of this ward's subcommittees.",
            });
        }
    }
    let (Some(kind), Some(held_on), true) = (kind, held_on, problems.is_empty()) else {
        return Err(AppError::Fields(problems));
    };
    Ok(store
        .create_meeting(
            &caller.name,
            &NewMeeting {
                unit: ward,
                kind,
                name: form.name,
                held_on,
                agenda: form.agenda,
                attendance,
                minutes: form.minutes,
                plan: form.plan,
                group: form.group.filter(|_| kind == MeetingKind::Subcommittee),
            },
        )
        .await?)
}

/// The largest minutes file kept with a meeting.
pub const MAX_MINUTES_FILE: usize = 10 * 1024 * 1024;

/// Attaches the minutes of one of the ward's meetings as a file.
pub async fn attach_minutes(
    store: &Store,
    caller: &Caller,
    meeting: i64,
    name: &str,
    bytes: &[u8],
) -> Result<(), AppError> {
    let m = store.meeting(meeting).await?;
    let (tree, _) = tree_of(store, m.unit_id).await?;
    allowed(caller, &tree, Action::KeepCouncil { ward: m.unit_id })?;
    if bytes.is_empty() {
        return Err(refuse(
            "file",
            "ファイルを選んでください。",
            "Choose a file.",
        ));
    }
    if bytes.len() > MAX_MINUTES_FILE {
        return Err(refuse(
            "file",
            "議事録のファイルは10MBまでです。",
            "A minutes file may be at most 10 MB.",
        ));
    }
    let name: String = name
        .chars()
        .filter(|c| !c.is_control() && !"/\\".contains(*c))
        .collect();
    let name = if name.trim().is_empty() {
        "minutes".to_string()
    } else {
        name
    };
    Ok(store
        .set_minutes_file(&caller.name, meeting, name.trim(), bytes)
        .await?)
}

/// A new 部会 of the ward's council.
pub async fn add_group(
    store: &Store,
    caller: &Caller,
    ward: UnitId,
    name: &str,
) -> Result<i64, AppError> {
    let (tree, _) = tree_of(store, ward).await?;
    allowed(caller, &tree, Action::KeepCouncil { ward })?;
    if name.trim().is_empty() {
        return Err(refuse(
            "group_name",
            "部会の名前を入力してください（例：防災部会）。",
            "Name the subcommittee (e.g. the disaster subcommittee).",
        ));
    }
    if store
        .groups(ward)
        .await?
        .iter()
        .any(|g| g.name == name.trim())
    {
        return Err(refuse(
            "group_name",
            "その名前の部会はすでにあります。",
            "A subcommittee of that name exists already.",
        ));
    }
    Ok(store.create_group(&caller.name, ward, name).await?)
}

/// Sets the members of one of the ward's 部会: each must be a member of the ward's
/// council (the council_member role on the ward).
pub async fn set_group_members(
    store: &Store,
    caller: &Caller,
    ward: UnitId,
    group: i64,
    logins: &[String],
) -> Result<(), AppError> {
    let (tree, _) = tree_of(store, ward).await?;
    allowed(caller, &tree, Action::KeepCouncil { ward })?;
    if !store.groups(ward).await?.iter().any(|g| g.id == group) {
        return Err(AppError::Invalid(
            "その部会はこの区にありません。 That subcommittee is not this ward's.".into(),
        ));
    }
    let members = council_members(store, &tree, ward).await?;
    if let Some(l) = logins
        .iter()
        .find(|l| !members.iter().any(|m| &m.login == *l))
    {
        return Err(AppError::Invalid(format!(
            "{l} はこの区の区政会議の委員ではありません。 {l} is not a member of this ward's council."
        )));
    }
    Ok(store.set_group_members(&caller.name, group, logins).await?)
}

/// The members of a ward's council: users with the council_member role on the ward.
pub async fn council_members(
    store: &Store,
    tree: &Tree,
    ward: UnitId,
) -> Result<Vec<kusei_store::StoredUser>, AppError> {
    let grants_member = |u: &kusei_store::StoredUser| {
        let g = kusei_domain::policy::Grants::from_stored(&u.roles);
        let member = g
            .unit_scopes(kusei_domain::policy::Role::CouncilMember)
            .any(|s| tree.within(ward, kusei_domain::policy::Scope::Unit(s)));
        member
    };
    Ok(store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.disabled_at.is_none() && grants_member(u))
        .collect())
}

/// Lets (or stops letting) the ward's section editors answer the opinions on their own
/// items.
pub async fn set_section_answers(
    store: &Store,
    caller: &Caller,
    ward: UnitId,
    allowed_: bool,
) -> Result<(), AppError> {
    let (tree, _) = tree_of(store, ward).await?;
    allowed(caller, &tree, Action::KeepCouncil { ward })?;
    Ok(store
        .set_section_answers(&caller.name, ward, allowed_)
        .await?)
}

/// What the caller may read of a ward's year: everything for the ward's staff and its
/// council, the published answers (with their opinions) for everyone else.
pub async fn readable_opinions(
    store: &Store,
    caller: &Caller,
    ward: UnitId,
    fy: FiscalYear,
) -> Result<(Vec<Opinion>, bool), AppError> {
    let (tree, _) = tree_of(store, ward).await?;
    let full = allow(&caller.grants, &tree, Action::ReadCouncil { ward }).is_ok();
    let all = store.council_opinions(ward, fy).await?;
    Ok((public_or_all(all, full), full))
}

/// Every opinion as it stands (`full`: the ward's people), or only the published ones
/// with their answers as published (everyone else).
pub fn public_or_all(opinions: Vec<Opinion>, full: bool) -> Vec<Opinion> {
    if full {
        opinions
    } else {
        opinions.iter().filter_map(Opinion::public_view).collect()
    }
}

/// The day an opinion was received: its meeting's date, else the day it was written.
pub fn received_on(o: &Opinion, meetings: &[kusei_store::Meeting]) -> Option<Date> {
    o.meeting_id
        .and_then(|m| meetings.iter().find(|x| x.id == m))
        .map(|m| m.held_on)
        .or_else(|| japan_date(&o.created_at))
}

/// The measures of a ward's year: received, answered, published, reflected, the shares
/// and the days from opinion to answer (one computation for the page, the API and the
/// dashboard).
///
/// `public`: as the public may read them, from the published answers only (an answer
/// not yet published counts as not answered; a changed one as it was published).
pub async fn ward_measures(
    store: &Store,
    ward: UnitId,
    fy: FiscalYear,
    public: bool,
) -> Result<Measures, AppError> {
    let opinions = store.council_opinions(ward, fy).await?;
    let meetings = store.meetings(ward, fy).await?;
    Ok(measures_of(&counted_as(opinions, public), &meetings))
}

/// The opinions as the measures count them: every opinion of the year, answered as it
/// stands, or (`public`) answered only as published.
pub fn counted_as(opinions: Vec<Opinion>, public: bool) -> Vec<Opinion> {
    if !public {
        return opinions;
    }
    opinions
        .into_iter()
        .map(|o| match o.public_view() {
            Some(p) => p,
            None => Opinion {
                answer: None,
                reflection: None,
                answered_at: None,
                ..o
            },
        })
        .collect()
}

/// [`ward_measures`] of opinions already read.
pub fn measures_of(opinions: &[Opinion], meetings: &[kusei_store::Meeting]) -> Measures {
    let counted: Vec<Counted> = opinions
        .iter()
        .filter_map(|o| {
            Some(Counted {
                received_on: received_on(o, meetings)?,
                answered_on: o
                    .answered_at
                    .as_deref()
                    .and_then(japan_date)
                    .filter(|_| o.is_answered()),
                reflection: o.reflection.filter(|_| o.is_answered()),
                published: o.is_published(),
            })
        })
        .collect();
    measures(&counted)
}
