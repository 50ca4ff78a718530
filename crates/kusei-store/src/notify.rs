//! Notifications (reminders and workflow events) and job leases.
//!
//! A notification is recorded once per `event_key` (unique): two server instances that
//! see the same event both try, and one row results. Mail is sent by whichever instance
//! claims a row's lease first (`claim_mail`); a claim expires, so a row an instance left
//! half-done is mailed by another later. The inbox reads the rows of its viewer.

use crate::history::record;
use crate::{now_utc, Actor, Store, StoreError};
use kusei_domain::model::{MunicipalityId, UserId};
use serde_json::json;
use sqlx::Row;

/// A notification to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// What makes the event unique: `reminder:…`, `workflow:…`, `answers:…`.
    pub event_key: String,
    pub user_id: UserId,
    pub municipality_id: Option<MunicipalityId>,
    /// `reminder`, `submitted`, `returned`, `approved`, `published`, `answered`.
    pub kind: String,
    /// Subject and body in Japanese (the mail), and the subject in English (the inbox of
    /// an English page).
    pub subject: String,
    pub subject_en: String,
    pub body: String,
    /// Where the person acts on it (a path of Kusei).
    pub link: Option<String>,
}

/// A recorded notification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notification {
    pub id: i64,
    pub event_key: String,
    pub user_id: UserId,
    pub kind: String,
    pub subject: String,
    pub subject_en: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: String,
    /// `pending`, `sent`, `failed` or `unmailed`.
    pub mail_state: String,
    pub sent_at: Option<String>,
}

/// A notification claimed for mailing, with the address to send it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub notification: Notification,
    pub email: Option<String>,
    pub display_name: String,
    pub attempts: i64,
}

const COLUMNS: &str =
    "n.id, n.event_key, n.user_id, n.kind, n.subject, n.subject_en, n.body, n.link, \
     n.created_at, n.mail_state, n.sent_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Notification, StoreError> {
    Ok(Notification {
        id: r.try_get("id")?,
        event_key: r.try_get("event_key")?,
        user_id: UserId(r.try_get("user_id")?),
        kind: r.try_get("kind")?,
        subject: r.try_get("subject")?,
        subject_en: r.try_get("subject_en")?,
        body: r.try_get("body")?,
        link: r.try_get("link")?,
        created_at: r.try_get("created_at")?,
        mail_state: r.try_get("mail_state")?,
        sent_at: r.try_get("sent_at")?,
    })
}

impl Store {
    /// Records the notifications whose event was not recorded before; returns how many
    /// were new. Safe to call from two instances at once.
    pub async fn notify(&self, items: &[NewNotification]) -> Result<usize, StoreError> {
        if items.is_empty() {
            return Ok(0);
        }
        let at = now_utc();
        let mut tx = self.write().await?;
        let mut new = 0;
        for n in items {
            let done = sqlx::query(
                "INSERT INTO notification (event_key, user_id, municipality_id, kind, subject, \
                 subject_en, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (event_key) DO NOTHING",
            )
            .bind(&n.event_key)
            .bind(n.user_id.0)
            .bind(n.municipality_id.map(|m| m.0))
            .bind(&n.kind)
            .bind(&n.subject)
            .bind(&n.subject_en)
            .bind(&n.body)
            .bind(&n.link)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            new += done.rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(new)
    }

    /// A person's notifications since `since` (RFC 3339 UTC), newest first.
    pub async fn notifications_for(
        &self,
        user: UserId,
        since: &str,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM notification n WHERE n.user_id = $1 AND n.created_at >= $2 \
             ORDER BY n.created_at DESC, n.id DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(user.0)
            .bind(since)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Every notification of one kind whose key starts with `prefix` (tests and the
    /// administrators' view of what was sent).
    pub async fn notifications_with_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<Notification>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM notification n WHERE substr(n.event_key, 1, $1) = $2 \
             ORDER BY n.id"
        );
        let rows = sqlx::query(&sql)
            .bind(prefix.chars().count() as i64)
            .bind(prefix)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Claims up to `limit` notifications still to be mailed for `owner` until
    /// `lease_until`: a row is claimed when nobody holds it or its lease ran out at `now`.
    /// Each row is claimed by one conditional update, so two instances never both hold it.
    pub async fn claim_mail(
        &self,
        owner: &str,
        now: &str,
        lease_until: &str,
        limit: i64,
    ) -> Result<Vec<Outgoing>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM notification WHERE mail_state = 'pending' \
             AND (lease_until IS NULL OR lease_until < $1) ORDER BY id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut claimed = Vec::new();
        for id in ids {
            let mut tx = self.write().await?;
            let done = sqlx::query(
                "UPDATE notification SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
                 WHERE id = $3 AND mail_state = 'pending' AND (lease_until IS NULL OR lease_until < $4)",
            )
            .bind(owner)
            .bind(lease_until)
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            if done.rows_affected() == 1 {
                claimed.push(id);
            }
        }
        let mut out = Vec::with_capacity(claimed.len());
        for id in claimed {
            let sql = format!(
                "SELECT {COLUMNS}, n.attempts, u.email, u.display_name FROM notification n \
                 JOIN app_user u ON u.id = n.user_id WHERE n.id = $1 AND n.lease_owner = $2"
            );
            if let Some(r) = sqlx::query(&sql)
                .bind(id)
                .bind(owner)
                .fetch_optional(self.pool())
                .await?
            {
                out.push(Outgoing {
                    notification: from_row(&r)?,
                    email: r.try_get("email")?,
                    display_name: r.try_get("display_name")?,
                    attempts: r.try_get("attempts")?,
                });
            }
        }
        Ok(out)
    }

    /// Records what became of a claimed notification: `sent`, `failed`, `unmailed`, or
    /// `pending` again (to be retried after its lease). Only the lease's owner may.
    pub async fn finish_mail(
        &self,
        id: i64,
        owner: &str,
        state: &str,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE notification SET mail_state = $1, last_error = $2, \
             sent_at = CASE WHEN $1 = 'sent' THEN $3 ELSE sent_at END \
             WHERE id = $4 AND lease_owner = $5 AND mail_state = 'pending'",
        )
        .bind(state)
        .bind(error)
        .bind(&at)
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes the lease of job `name` for `owner` until `until` when it is free (never
    /// taken, or ran out at `now`) or already `owner`'s; returns whether `owner` holds it.
    pub async fn take_lease(
        &self,
        name: &str,
        owner: &str,
        now: &str,
        until: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "INSERT INTO job_lease (name, owner, until) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until \
             WHERE job_lease.until < $4 OR job_lease.owner = excluded.owner",
        )
        .bind(name)
        .bind(owner)
        .bind(until)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets or clears a user's e-mail address (where notifications are mailed).
    pub async fn set_user_email(
        &self,
        actor: Actor<'_>,
        user: UserId,
        email: Option<&str>,
    ) -> Result<(), StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let before: Option<Option<String>> =
            sqlx::query_scalar("SELECT email FROM app_user WHERE id = $1")
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(before) = before else {
            return Err(StoreError::NotFound(format!("user {user}")));
        };
        if before.as_deref() == email {
            return Ok(());
        }
        sqlx::query("UPDATE app_user SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            &at,
            "user",
            user.0,
            Some(&json!({ "email": before })),
            Some(&json!({ "email": email })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A user's e-mail address, if one is set.
    pub async fn user_email(&self, user: UserId) -> Result<Option<String>, StoreError> {
        let v: Option<Option<String>> =
            sqlx::query_scalar("SELECT email FROM app_user WHERE id = $1")
                .bind(user.0)
                .fetch_optional(self.pool())
                .await?;
        Ok(v.flatten())
    }
}

impl Store {
    /// The survey question of an indicator (a share of residents), if one is recorded.
    pub async fn indicator_question(
        &self,
        id: kusei_domain::model::IndicatorId,
    ) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT question FROM indicator_question WHERE indicator_id = $1")
                .bind(id.0)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Records (or clears) an indicator's survey question, in the history.
    pub async fn set_indicator_question(
        &self,
        actor: Actor<'_>,
        id: kusei_domain::model::IndicatorId,
        question: Option<&str>,
    ) -> Result<(), StoreError> {
        let before = self.indicator_question(id).await?;
        if before.as_deref() == question {
            return Ok(());
        }
        let at = now_utc();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM indicator_question WHERE indicator_id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if let Some(q) = question {
            sqlx::query("INSERT INTO indicator_question (indicator_id, question) VALUES ($1, $2)")
                .bind(id.0)
                .bind(q)
                .execute(&mut *tx)
                .await?;
        }
        record(
            &mut tx,
            actor,
            &at,
            "indicator",
            id.0,
            Some(&json!({ "question": before })),
            Some(&json!({ "question": question })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
