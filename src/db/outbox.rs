//! The outbox: emails queued in the same transaction as the change that causes
//! them, then delivered by the worker ([`crate::mail::worker`]).

use sqlx::{FromRow, SqliteConnection, SqlitePool};

use super::links::NewLinks;

/// An email ready to queue.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    /// What the email is about (`confirmation`, `access_link`…), for operators.
    pub kind: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct QueuedEmail {
    pub id: i64,
    pub message_id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i64,
}

/// Queues an email; its Message-ID is fixed now so every attempt carries the same.
pub async fn enqueue(
    conn: &mut SqliteConnection,
    email: &OutgoingEmail,
    message_id_domain: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let message_id = new_message_id(message_id_domain);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (message_id, kind, recipient, subject, body_text, body_html, created_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(message_id)
    .bind(email.kind)
    .bind(&email.recipient)
    .bind(&email.subject)
    .bind(&email.body_text)
    .bind(&email.body_html)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// An email to queue, with the links it carries and the time it is queued.
#[derive(Debug, Clone, Copy)]
pub struct WithLinks<'a> {
    pub email: &'a OutgoingEmail,
    pub links: NewLinks<'a>,
    pub now: i64,
}

/// Queues emails together with the links they carry, however many, in one call
/// to SQLite (as one JSON array read with `json_each`; see
/// [`super::registrations::insert_new`] for why the number of calls matters).
pub async fn enqueue_with_links(
    conn: &mut SqliteConnection,
    emails: &[WithLinks<'_>],
    message_id_domain: &str,
) -> Result<(), sqlx::Error> {
    #[derive(serde::Serialize)]
    struct Row<'a> {
        registrant_id: i64,
        now: i64,
        manage_hash: String,
        manage_expires_at: i64,
        confirm_hash: Option<String>,
        confirm_expires_at: Option<i64>,
        confirms: &'a [i64],
        message_id: String,
        kind: &'a str,
        recipient: &'a str,
        subject: &'a str,
        body_text: &'a str,
        body_html: &'a str,
    }
    let rows: Vec<Row> = emails
        .iter()
        .map(|queued| {
            let (links, email) = (&queued.links, queued.email);
            Row {
                registrant_id: links.registrant_id,
                now: queued.now,
                manage_hash: hex(links.manage.0),
                manage_expires_at: links.manage.1,
                confirm_hash: links.confirm.map(|c| hex(c.token_hash)),
                confirm_expires_at: links.confirm.map(|c| c.expires_at),
                confirms: links.confirm.map_or(&[], |c| c.registrations),
                message_id: new_message_id(message_id_domain),
                kind: email.kind,
                recipient: &email.recipient,
                subject: &email.subject,
                body_text: &email.body_text,
                body_html: &email.body_html,
            }
        })
        .collect();
    let rows = serde_json::to_string(&rows).expect("emails serialise");
    sqlx::query(
        "INSERT INTO links (token_hash, purpose, registrant_id, created_at, expires_at)
         SELECT unhex(e.value ->> 'manage_hash'), 'manage', e.value ->> 'registrant_id',
                e.value ->> 'now', e.value ->> 'manage_expires_at'
         FROM jsonb_each(?1) AS e
         UNION ALL
         SELECT unhex(e.value ->> 'confirm_hash'), 'confirm', e.value ->> 'registrant_id',
                e.value ->> 'now', e.value ->> 'confirm_expires_at'
         FROM jsonb_each(?1) AS e WHERE e.value ->> 'confirm_hash' IS NOT NULL;
         INSERT INTO link_registrations (link_id, registration_id)
         SELECT links.id, confirmed.value
         FROM jsonb_each(?1) AS e
         JOIN links ON links.token_hash = unhex(e.value ->> 'confirm_hash')
         JOIN jsonb_each(e.value, '$.confirms') AS confirmed;
         INSERT INTO outbox (message_id, kind, recipient, subject, body_text, body_html,
                             created_at, next_attempt_at)
         SELECT e.value ->> 'message_id', e.value ->> 'kind', e.value ->> 'recipient',
                e.value ->> 'subject', e.value ->> 'body_text', e.value ->> 'body_html',
                e.value ->> 'now', e.value ->> 'now'
         FROM jsonb_each(?1) AS e;",
    )
    .bind(rows)
    .execute(conn)
    .await?;
    Ok(())
}

/// A Message-ID for a new email, fixed at queue time so every attempt to send it
/// carries the same. Time-ordered (UUID v7): the unique index on it then grows at
/// its end, where a random one would touch a page anywhere in it per email.
fn new_message_id(domain: &str) -> String {
    format!("<{}@{}>", uuid::Uuid::now_v7(), domain)
}

/// Lower-case hexadecimal, for blobs carried in JSON (read back with `unhex`).
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// Emails due for an attempt, oldest first.
pub async fn due(pool: &SqlitePool, now: i64, limit: i64) -> Result<Vec<QueuedEmail>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, message_id, kind, recipient, subject, body_text, body_html, attempts
         FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?
         ORDER BY next_attempt_at, id LIMIT ?",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The earliest time an unsent email is due, to sleep until then.
pub async fn next_due_at(pool: &SqlitePool) -> Result<Option<i64>, sqlx::Error> {
    let (next,): (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(next_attempt_at) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL",
    )
    .fetch_one(pool)
    .await?;
    Ok(next)
}

/// The outcome of an attempt to send an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Delivered. The bodies are blanked: they hold the link tokens, which must
    /// not outlive the email in our database (only their hashes are kept).
    Sent { id: i64, at: i64 },
    /// Failed for now: tried again at `next_attempt_at`.
    Failed {
        id: i64,
        error: String,
        next_attempt_at: i64,
    },
    /// Refused for good: the email is kept, with its error, but not retried.
    GaveUp { id: i64, error: String, at: i64 },
}

/// Records attempts, inside the caller's transaction. The email worker sends
/// several emails at once and records their outcomes through a group-commit
/// writer ([`crate::db::writer`]): one commit for many emails, rather than one
/// each (each commit waits for the disk).
pub async fn record_attempts(
    conn: &mut SqliteConnection,
    attempts: &[Attempt],
) -> Result<(), sqlx::Error> {
    for attempt in attempts {
        let query = match attempt {
            Attempt::Sent { id, at } => sqlx::query(
                "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL,
                        body_text = '', body_html = ''
                 WHERE id = ?",
            )
            .bind(*at)
            .bind(*id),
            Attempt::Failed {
                id,
                error,
                next_attempt_at,
            } => sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
                 WHERE id = ?",
            )
            .bind(error.as_str())
            .bind(*next_attempt_at)
            .bind(*id),
            Attempt::GaveUp { id, error, at } => sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, gave_up_at = ?
                 WHERE id = ?",
            )
            .bind(error.as_str())
            .bind(*at)
            .bind(*id),
        };
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
