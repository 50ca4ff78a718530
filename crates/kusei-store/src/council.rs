//! 区政会議: a ward's council meetings, the opinions of its members (given in Kusei or
//! entered by ward staff from the minutes), the ward's answers and their reflection, and
//! when an answer was published. Every change is in the history (`change_log`).
//!
//! An opinion belongs to a ward and a fiscal year (the meeting's, else the year it was
//! given), so a ward's year is one indexed read (`opinion_by_unit_year`). Its item is kept
//! by id without a foreign key: deleting the item does not delete the opinion, and an
//! item restored under its own id finds its opinions again.

use crate::history::record;
use crate::units::fiscal_year;
use crate::{now_utc, Actor, Store, StoreError};
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::council::{Category, MeetingKind, Rating, Reflection};
use kusei_domain::model::{NodeId, PlanId, UnitId};
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A meeting of a ward's council: 本会 or 部会.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Meeting {
    pub id: i64,
    pub unit_id: UnitId,
    pub fiscal_year: FiscalYear,
    pub kind: MeetingKind,
    pub name: String,
    pub held_on: Date,
    pub agenda: String,
    pub attendance: Option<i64>,
    pub minutes: String,
    /// The plan discussed, if one.
    pub plan_id: Option<PlanId>,
    /// The 部会 a subcommittee meeting is of.
    pub group_id: Option<i64>,
    /// The file of the minutes, if one was attached (its name; the bytes are read apart).
    pub minutes_file_name: Option<String>,
    pub version: i64,
}

/// A 部会 of a ward's council and its members (logins).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CouncilGroup {
    pub id: i64,
    pub unit_id: UnitId,
    pub name: String,
    pub members: Vec<String>,
}

/// A meeting to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting<'a> {
    pub unit: UnitId,
    pub kind: MeetingKind,
    pub name: &'a str,
    pub held_on: Date,
    pub agenda: &'a str,
    pub attendance: Option<i64>,
    pub minutes: &'a str,
    pub plan: Option<PlanId>,
    pub group: Option<i64>,
}

/// An opinion with its answer, as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Opinion {
    pub id: i64,
    pub plan_id: PlanId,
    pub node_id: Option<NodeId>,
    pub unit_id: UnitId,
    pub fiscal_year: FiscalYear,
    /// The member's login (given in Kusei) or the staff member who entered it.
    pub author: String,
    /// The member's name as the minutes write it (or 委員); `None`: `author` wrote it.
    pub member_name: Option<String>,
    pub entered_by: Option<String>,
    /// The member agreed that the name is published.
    pub name_public: bool,
    pub category: Category,
    pub rating: Option<Rating>,
    pub body: String,
    pub created_at: String,
    pub meeting_id: Option<i64>,
    pub answer: Option<String>,
    pub reflection: Option<Reflection>,
    pub reason: Option<String>,
    /// Where it was reflected: an item (e.g. of next year's plan), and/or a note (the
    /// budget request).
    pub reflected_node_id: Option<NodeId>,
    pub reflected_note: Option<String>,
    /// The meeting where the answer was reported (「区政会議で説明」).
    pub reported_meeting_id: Option<i64>,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
    pub published_by: Option<String>,
    pub published_at: Option<String>,
    /// The answer as it was last published (what the public reads).
    pub published: Option<PublishedAnswer>,
    pub version: i64,
}

/// The answer fields as published.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublishedAnswer {
    pub answer: String,
    pub reflection: Reflection,
    pub reason: Option<String>,
    pub reflected_node_id: Option<NodeId>,
    pub reflected_note: Option<String>,
    pub reported_meeting_id: Option<i64>,
}

impl Opinion {
    pub fn is_answered(&self) -> bool {
        self.answer.is_some() && self.reflection.is_some()
    }
    /// Has a published answer (the public reads it, with the opinion).
    pub fn is_published(&self) -> bool {
        self.published.is_some()
    }
    /// The answer as it stands now, in its published shape.
    fn current_answer(&self) -> Option<PublishedAnswer> {
        Some(PublishedAnswer {
            answer: self.answer.clone()?,
            reflection: self.reflection?,
            reason: self.reason.clone(),
            reflected_node_id: self.reflected_node_id,
            reflected_note: self.reflected_note.clone(),
            reported_meeting_id: self.reported_meeting_id,
        })
    }
    /// Answered, and the answer is not (or not in this form) published yet.
    pub fn has_unpublished_answer(&self) -> bool {
        match self.current_answer() {
            Some(now) => self.published.as_ref() != Some(&now),
            None => false,
        }
    }
    /// The opinion as the public reads it: with its answer as last published; `None`
    /// when no answer was ever published.
    pub fn public_view(&self) -> Option<Opinion> {
        let p = self.published.clone()?;
        Some(Opinion {
            answer: Some(p.answer.clone()),
            reflection: Some(p.reflection),
            reason: p.reason.clone(),
            reflected_node_id: p.reflected_node_id,
            reflected_note: p.reflected_note.clone(),
            reported_meeting_id: p.reported_meeting_id,
            ..self.clone()
        })
    }
}

/// An opinion to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOpinion<'a> {
    pub plan: PlanId,
    pub node: Option<NodeId>,
    pub fiscal_year: FiscalYear,
    pub category: Category,
    pub rating: Option<Rating>,
    pub body: &'a str,
    pub meeting: Option<i64>,
    /// Entered from the minutes: the member's name as written (or 委員).
    pub member_name: Option<&'a str>,
    pub name_public: bool,
}

/// The ward's answer to an opinion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer<'a> {
    pub answer: &'a str,
    pub reflection: Reflection,
    pub reason: Option<&'a str>,
    pub reflected_node: Option<NodeId>,
    pub reflected_note: Option<&'a str>,
    pub reported_meeting: Option<i64>,
}

const MEETING_COLUMNS: &str = "id, unit_id, fiscal_year, kind, name, held_on, agenda, \
    attendance, minutes, plan_id, group_id, minutes_file_name, version";

const OPINION_COLUMNS: &str = "id, plan_id, node_id, unit_id, fiscal_year, author, \
    member_name, entered_by, name_public, category, rating, body, created_at, meeting_id, \
    response, reflection, reason, reflected_node_id, reflected_note, reported_meeting_id, \
    answered_by, answered_at, published_by, published_at, published_answer, version";

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {v:?}"))
}

fn meeting_from_row(r: &AnyRow) -> Result<Meeting, StoreError> {
    let kind: String = r.try_get("kind")?;
    let held_on: String = r.try_get("held_on")?;
    Ok(Meeting {
        id: r.try_get("id")?,
        unit_id: UnitId(r.try_get("unit_id")?),
        fiscal_year: fiscal_year(r.try_get("fiscal_year")?)?,
        kind: MeetingKind::from_code(&kind).ok_or_else(|| corrupt("meeting kind", &kind))?,
        name: r.try_get("name")?,
        held_on: held_on
            .parse()
            .map_err(|_| corrupt("meeting date", &held_on))?,
        agenda: r.try_get("agenda")?,
        attendance: r.try_get("attendance")?,
        minutes: r.try_get("minutes")?,
        plan_id: r.try_get::<Option<i64>, _>("plan_id")?.map(PlanId),
        group_id: r.try_get("group_id")?,
        minutes_file_name: r.try_get("minutes_file_name")?,
        version: r.try_get("version")?,
    })
}

fn opinion_from_row(r: &AnyRow) -> Result<Opinion, StoreError> {
    let category: String = r.try_get("category")?;
    let rating: Option<String> = r.try_get("rating")?;
    let reflection: Option<String> = r.try_get("reflection")?;
    let unit: Option<i64> = r.try_get("unit_id")?;
    let fy: Option<i64> = r.try_get("fiscal_year")?;
    Ok(Opinion {
        id: r.try_get("id")?,
        plan_id: PlanId(r.try_get("plan_id")?),
        node_id: r.try_get::<Option<i64>, _>("node_id")?.map(NodeId),
        unit_id: UnitId(unit.ok_or_else(|| corrupt("opinion unit", "NULL"))?),
        fiscal_year: fiscal_year(fy.ok_or_else(|| corrupt("opinion year", "NULL"))?)?,
        author: r.try_get("author")?,
        member_name: r.try_get("member_name")?,
        entered_by: r.try_get("entered_by")?,
        name_public: r.try_get::<i64, _>("name_public")? != 0,
        category: Category::from_code(&category)
            .ok_or_else(|| corrupt("opinion category", &category))?,
        rating: rating
            .map(|x| Rating::from_code(&x).ok_or_else(|| corrupt("rating", &x)))
            .transpose()?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
        meeting_id: r.try_get("meeting_id")?,
        answer: r.try_get("response")?,
        reflection: reflection
            .map(|x| Reflection::from_code(&x).ok_or_else(|| corrupt("reflection", &x)))
            .transpose()?,
        reason: r.try_get("reason")?,
        reflected_node_id: r
            .try_get::<Option<i64>, _>("reflected_node_id")?
            .map(NodeId),
        reflected_note: r.try_get("reflected_note")?,
        reported_meeting_id: r.try_get("reported_meeting_id")?,
        answered_by: r.try_get("answered_by")?,
        answered_at: r.try_get("answered_at")?,
        published_by: r.try_get("published_by")?,
        published_at: r.try_get("published_at")?,
        published: r
            .try_get::<Option<String>, _>("published_answer")?
            .map(|j| {
                serde_json::from_str(&j).map_err(|e| corrupt("published answer", &e.to_string()))
            })
            .transpose()?,
        version: r.try_get("version")?,
    })
}

fn meeting_json(m: &NewMeeting<'_>, fy: FiscalYear) -> Value {
    json!({
        "unit_id": m.unit.0, "fiscal_year": fy.year(), "kind": m.kind.code(), "name": m.name,
        "held_on": m.held_on.to_string(), "agenda": m.agenda, "attendance": m.attendance,
        "minutes": m.minutes, "plan_id": m.plan.map(|p| p.0), "group_id": m.group,
    })
}

fn opinion_json(o: &Opinion) -> Value {
    json!({
        "plan_id": o.plan_id.0, "node_id": o.node_id.map(|n| n.0), "category": o.category.code(),
        "rating": o.rating.map(Rating::code), "body": o.body, "member_name": o.member_name,
        "name_public": o.name_public, "meeting_id": o.meeting_id, "answer": o.answer,
        "reflection": o.reflection.map(Reflection::code), "reason": o.reason,
        "reflected_node_id": o.reflected_node_id.map(|n| n.0), "reflected_note": o.reflected_note,
        "reported_meeting_id": o.reported_meeting_id, "published_at": o.published_at,
    })
}

fn blank_to_none(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl Store {
    /// The opinions a condition selects (`{OPINION_COLUMNS}` put in front), each integer
    /// of `binds` bound in order.
    async fn opinions_where(
        &self,
        condition: &str,
        binds: &[i64],
    ) -> Result<Vec<Opinion>, StoreError> {
        let sql = format!("SELECT {OPINION_COLUMNS} FROM opinion WHERE {condition}");
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(opinion_from_row)
            .collect()
    }

    /// `$1, $2, …` for `n` values.
    fn marks(n: usize) -> String {
        (1..=n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Records a meeting of `m.unit`'s council; its fiscal year is the one of its date.
    pub async fn create_meeting(
        &self,
        actor: Actor<'_>,
        m: &NewMeeting<'_>,
    ) -> Result<i64, StoreError> {
        let at = now_utc();
        let fy = m.held_on.fiscal_year();
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO council_meeting (unit_id, fiscal_year, kind, name, held_on, agenda, \
             attendance, minutes, plan_id, group_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(m.unit.0)
        .bind(i64::from(fy.year()))
        .bind(m.kind.code())
        .bind(m.name.trim())
        .bind(m.held_on.to_string())
        .bind(m.agenda)
        .bind(m.attendance)
        .bind(m.minutes)
        .bind(m.plan.map(|p| p.0))
        .bind(m.group)
        .bind(actor)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        let after = meeting_json(m, fy);
        record(
            &mut tx,
            actor,
            &at,
            "council_meeting",
            id,
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Attaches the minutes of a meeting as a file (replacing an earlier one).
    pub async fn set_minutes_file(
        &self,
        actor: Actor<'_>,
        meeting: i64,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE council_meeting SET minutes_file_name = $1, minutes_file = $2, version = version + 1 \
             WHERE id = $3",
        )
        .bind(name)
        .bind(bytes.to_vec())
        .bind(meeting)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("meeting {meeting}")));
        }
        let after = json!({ "minutes_file_name": name, "minutes_file_bytes": bytes.len() });
        record(
            &mut tx,
            actor,
            &at,
            "council_meeting",
            meeting,
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The minutes file of a meeting: its name and bytes.
    pub async fn minutes_file(
        &self,
        meeting: i64,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT minutes_file_name, minutes_file FROM council_meeting WHERE id = $1",
        )
        .bind(meeting)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("meeting {meeting}")))?;
        let name: Option<String> = row.try_get("minutes_file_name")?;
        let bytes: Option<Vec<u8>> = row.try_get("minutes_file")?;
        Ok(name.zip(bytes))
    }

    /// A new 部会 of a ward's council.
    pub async fn create_group(
        &self,
        actor: Actor<'_>,
        unit: UnitId,
        name: &str,
    ) -> Result<i64, StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO council_group (unit_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(unit.0)
        .bind(name.trim())
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        let after = json!({ "unit_id": unit.0, "name": name.trim() });
        record(&mut tx, actor, &at, "council_group", id, None, Some(&after)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sets who belongs to a 部会.
    pub async fn set_group_members(
        &self,
        actor: Actor<'_>,
        group: i64,
        logins: &[String],
    ) -> Result<(), StoreError> {
        let at = now_utc();
        let before: Vec<String> = sqlx::query_scalar(
            "SELECT login FROM council_group_member WHERE group_id = $1 ORDER BY login",
        )
        .bind(group)
        .fetch_all(self.pool())
        .await?;
        let mut after: Vec<String> = logins.to_vec();
        after.sort();
        after.dedup();
        if before == after {
            return Ok(());
        }
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM council_group_member WHERE group_id = $1")
            .bind(group)
            .execute(&mut *tx)
            .await?;
        for l in &after {
            sqlx::query("INSERT INTO council_group_member (group_id, login) VALUES ($1, $2)")
                .bind(group)
                .bind(l)
                .execute(&mut *tx)
                .await?;
        }
        record(
            &mut tx,
            actor,
            &at,
            "council_group",
            group,
            Some(&json!({ "members": before })),
            Some(&json!({ "members": after })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The 部会 of a ward's council, by name, with their members.
    pub async fn groups(&self, unit: UnitId) -> Result<Vec<CouncilGroup>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name FROM council_group WHERE unit_id = $1 ORDER BY name, id")
                .bind(unit.0)
                .fetch_all(self.pool())
                .await?;
        let mut out = Vec::new();
        for r in rows {
            let id: i64 = r.try_get("id")?;
            let members: Vec<String> = sqlx::query_scalar(
                "SELECT login FROM council_group_member WHERE group_id = $1 ORDER BY login",
            )
            .bind(id)
            .fetch_all(self.pool())
            .await?;
            out.push(CouncilGroup {
                id,
                unit_id: unit,
                name: r.try_get("name")?,
                members,
            });
        }
        Ok(out)
    }

    pub async fn meeting(&self, id: i64) -> Result<Meeting, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {MEETING_COLUMNS} FROM council_meeting WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("meeting {id}")))?;
        meeting_from_row(&row)
    }

    /// The meetings of a ward's council in a fiscal year, by date.
    pub async fn meetings(&self, unit: UnitId, fy: FiscalYear) -> Result<Vec<Meeting>, StoreError> {
        sqlx::query(&format!(
            "SELECT {MEETING_COLUMNS} FROM council_meeting WHERE unit_id = $1 AND fiscal_year = $2 \
             ORDER BY held_on, id"
        ))
        .bind(unit.0)
        .bind(i64::from(fy.year()))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(meeting_from_row)
        .collect()
    }

    /// Records an opinion on a plan (or one of its items). `author` is the member who
    /// wrote it, or the staff member who entered it from the minutes (then
    /// `member_name` says whose it is).
    pub async fn add_opinion(
        &self,
        author: Actor<'_>,
        o: &NewOpinion<'_>,
    ) -> Result<i64, StoreError> {
        let body = o.body.trim();
        if body.is_empty() {
            return Err(StoreError::Field {
                field: "body".into(),
                message: "意見を入力してください。 Write the opinion.".into(),
            });
        }
        let at = now_utc();
        let mut tx = self.write().await?;
        let unit: i64 = sqlx::query_scalar("SELECT unit_id FROM plan WHERE id = $1")
            .bind(o.plan.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("plan {}", o.plan)))?;
        let member_name = blank_to_none(o.member_name);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO opinion (plan_id, node_id, unit_id, fiscal_year, author, member_name, \
             entered_by, name_public, category, rating, body, meeting_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(o.plan.0)
        .bind(o.node.map(|n| n.0))
        .bind(unit)
        .bind(i64::from(o.fiscal_year.year()))
        .bind(author)
        .bind(member_name)
        .bind(member_name.map(|_| author))
        .bind(i64::from(o.name_public))
        .bind(o.category.code())
        .bind(o.rating.map(Rating::code))
        .bind(body)
        .bind(o.meeting)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        let after = json!({
            "plan_id": o.plan.0, "node_id": o.node.map(|n| n.0), "category": o.category.code(),
            "rating": o.rating.map(Rating::code), "body": body, "member_name": member_name,
            "name_public": o.name_public, "meeting_id": o.meeting,
        });
        record(&mut tx, author, &at, "opinion", id, None, Some(&after)).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn opinion(&self, id: i64) -> Result<Opinion, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {OPINION_COLUMNS} FROM opinion WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("opinion {id}")))?;
        opinion_from_row(&row)
    }

    /// The opinions on a plan and its items, oldest first.
    pub async fn opinions(&self, plan_id: PlanId) -> Result<Vec<Opinion>, StoreError> {
        self.opinions_where("plan_id = $1 ORDER BY id", &[plan_id.0])
            .await
    }

    /// A ward's opinions of a fiscal year, oldest first.
    pub async fn council_opinions(
        &self,
        unit: UnitId,
        fy: FiscalYear,
    ) -> Result<Vec<Opinion>, StoreError> {
        self.opinions_where(
            "unit_id = $1 AND fiscal_year = $2 ORDER BY id",
            &[unit.0, i64::from(fy.year())],
        )
        .await
    }

    /// The fiscal years in which a ward's council has opinions or meetings, newest first.
    pub async fn council_years(&self, unit: UnitId) -> Result<Vec<FiscalYear>, StoreError> {
        let years: Vec<i64> = sqlx::query_scalar(
            "SELECT fiscal_year FROM opinion WHERE unit_id = $1 AND fiscal_year IS NOT NULL \
             UNION SELECT fiscal_year FROM council_meeting WHERE unit_id = $1 \
             ORDER BY 1 DESC",
        )
        .bind(unit.0)
        .fetch_all(self.pool())
        .await?;
        years.into_iter().map(fiscal_year).collect()
    }

    /// The opinions on the items `nodes` (their public pages show the published ones).
    pub async fn opinions_on_nodes(&self, nodes: &[NodeId]) -> Result<Vec<Opinion>, StoreError> {
        if nodes.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = nodes.iter().map(|n| n.0).collect();
        let condition = format!("node_id IN ({}) ORDER BY id", Self::marks(ids.len()));
        self.opinions_where(&condition, &ids).await
    }

    /// The opinions whose answers name `node` as where they were reflected.
    pub async fn opinions_reflected_in(&self, node: NodeId) -> Result<Vec<Opinion>, StoreError> {
        self.opinions_where("reflected_node_id = $1 ORDER BY id", &[node.0])
            .await
    }

    /// The opinions a member wrote whose answers are published, newest answer first.
    pub async fn answered_opinions_of(
        &self,
        author: &str,
        limit: i64,
    ) -> Result<Vec<Opinion>, StoreError> {
        sqlx::query(&format!(
            "SELECT {OPINION_COLUMNS} FROM opinion WHERE author = $1 AND member_name IS NULL \
             AND published_at IS NOT NULL ORDER BY published_at DESC, id DESC LIMIT $2"
        ))
        .bind(author)
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(opinion_from_row)
        .collect()
    }

    /// The opinions of these wards not yet published (waiting for an answer, or answered
    /// and waiting for publication): what the inbox counts. Few beside the archive.
    pub async fn open_opinions(&self, units: &[UnitId]) -> Result<Vec<Opinion>, StoreError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = units.iter().map(|u| u.0).collect();
        let condition = format!(
            "unit_id IN ({}) AND (published_at IS NULL OR answered_at >= published_at) ORDER BY id",
            Self::marks(ids.len())
        );
        let all = self.opinions_where(&condition, &ids).await?;
        Ok(all
            .into_iter()
            .filter(|o| !o.is_answered() || o.has_unpublished_answer())
            .collect())
    }

    /// Every opinion of a municipality's wards in a fiscal year (the city dashboard).
    pub async fn municipality_opinions(
        &self,
        m: kusei_domain::model::MunicipalityId,
        fy: FiscalYear,
    ) -> Result<Vec<Opinion>, StoreError> {
        self.opinions_where(
            "fiscal_year = $2 AND unit_id IN \
             (SELECT u.id FROM unit u WHERE u.municipality_id = $1) ORDER BY unit_id, id",
            &[m.0, i64::from(fy.year())],
        )
        .await
    }

    /// Every meeting of a municipality's wards in a fiscal year.
    pub async fn municipality_meetings(
        &self,
        m: kusei_domain::model::MunicipalityId,
        fy: FiscalYear,
    ) -> Result<Vec<Meeting>, StoreError> {
        sqlx::query(&format!(
            "SELECT {MEETING_COLUMNS} FROM council_meeting WHERE fiscal_year = $2 AND unit_id IN \
             (SELECT u.id FROM unit u WHERE u.municipality_id = $1) ORDER BY unit_id, held_on"
        ))
        .bind(m.0)
        .bind(i64::from(fy.year()))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(meeting_from_row)
        .collect()
    }

    /// Answers an opinion (or changes its answer) if it is still at `expected_version`.
    /// A published answer that changes stays public as it was published until the new
    /// one is published.
    pub async fn answer_opinion(
        &self,
        actor: Actor<'_>,
        id: i64,
        expected_version: i64,
        a: &Answer<'_>,
    ) -> Result<(), StoreError> {
        let at = now_utc();
        let before = self.opinion(id).await?;
        let mut tx = self.write().await?;
        let reason = blank_to_none(a.reason);
        let note = blank_to_none(a.reflected_note);
        let same = before.answer.as_deref() == Some(a.answer.trim())
            && before.reflection == Some(a.reflection)
            && before.reason.as_deref() == reason
            && before.reflected_node_id == a.reflected_node
            && before.reflected_note.as_deref() == note
            && before.reported_meeting_id == a.reported_meeting;
        if same {
            // Saving an unchanged answer changes nothing (not even its publication).
            return Ok(());
        }
        let n = sqlx::query(
            "UPDATE opinion SET response = $1, reflection = $2, reason = $3, reflected_node_id = $4, \
             reflected_note = $5, reported_meeting_id = $6, answered_by = $7, answered_at = $8, \
             status = 'answered', version = version + 1 WHERE id = $9 AND version = $10",
        )
        .bind(a.answer.trim())
        .bind(a.reflection.code())
        .bind(reason)
        .bind(a.reflected_node.map(|n| n.0))
        .bind(note)
        .bind(a.reported_meeting)
        .bind(actor)
        .bind(&at)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                what: format!("opinion {id}"),
                expected: expected_version,
                current: before.version,
            });
        }
        let mut after = before.clone();
        after.answer = Some(a.answer.trim().to_string());
        after.reflection = Some(a.reflection);
        after.reason = reason.map(str::to_string);
        after.reflected_node_id = a.reflected_node;
        after.reflected_note = note.map(str::to_string);
        after.reported_meeting_id = a.reported_meeting;
        record(
            &mut tx,
            actor,
            &at,
            "opinion",
            id,
            Some(&opinion_json(&before)),
            Some(&opinion_json(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes the answers of `ids` whose answer is not yet published as it stands
    /// (and with the first publication, their opinions). Returns how many.
    pub async fn publish_answers(
        &self,
        actor: Actor<'_>,
        ids: &[i64],
    ) -> Result<usize, StoreError> {
        let at = now_utc();
        let mut published = 0;
        let mut tx = self.write().await?;
        for id in ids {
            let row = sqlx::query(&format!(
                "SELECT {OPINION_COLUMNS} FROM opinion WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("opinion {id}")))?;
            let before = opinion_from_row(&row)?;
            let Some(now) = before
                .current_answer()
                .filter(|_| before.has_unpublished_answer())
            else {
                continue;
            };
            let snapshot =
                serde_json::to_string(&now).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "UPDATE opinion SET published_at = $1, published_by = $2, published_answer = $3, \
                 status = 'published', version = version + 1 WHERE id = $4",
            )
            .bind(&at)
            .bind(actor)
            .bind(&snapshot)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let mut after = before.clone();
            after.published_at = Some(at.clone());
            after.published = Some(now);
            record(
                &mut tx,
                actor,
                &at,
                "opinion",
                *id,
                Some(&opinion_json(&before)),
                Some(&opinion_json(&after)),
            )
            .await?;
            published += 1;
        }
        tx.commit().await?;
        Ok(published)
    }

    /// Whether a ward lets section editors answer the opinions on their own items.
    pub async fn section_answers(&self, unit: UnitId) -> Result<bool, StoreError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT section_answers FROM council_setting WHERE unit_id = $1")
                .bind(unit.0)
                .fetch_optional(self.pool())
                .await?;
        Ok(v.unwrap_or(0) != 0)
    }

    pub async fn set_section_answers(
        &self,
        actor: Actor<'_>,
        unit: UnitId,
        allowed: bool,
    ) -> Result<(), StoreError> {
        let before = self.section_answers(unit).await?;
        if before == allowed {
            return Ok(());
        }
        let at = now_utc();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM council_setting WHERE unit_id = $1")
            .bind(unit.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO council_setting (unit_id, section_answers) VALUES ($1, $2)")
            .bind(unit.0)
            .bind(i64::from(allowed))
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            &at,
            "council_setting",
            unit.0,
            Some(&json!({ "section_answers": before })),
            Some(&json!({ "section_answers": allowed })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
