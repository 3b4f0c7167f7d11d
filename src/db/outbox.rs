//! The outbox: emails queued in the same transaction as the change that causes
//! them, then delivered by the worker ([`crate::mail::worker`]).

use sqlx::{FromRow, SqliteConnection, SqlitePool};

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
    let message_id = format!("<{}@{}>", uuid::Uuid::new_v4(), message_id_domain);
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

/// Records a delivery. The bodies are blanked: they hold the link tokens, which
/// must not outlive the email in our database (only their hashes are kept).
pub async fn mark_sent(pool: &SqlitePool, id: i64, now: i64) -> Result<(), sqlx::Error> {
    // Through the write queue: under load, SQLite's own busy wait would starve the worker.
    let mut tx = crate::db::begin_write(pool).await?;
    sqlx::query(
        "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL,
                body_text = '', body_html = ''
         WHERE id = ?",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Records a failed attempt and when to try again.
pub async fn mark_failed(
    pool: &SqlitePool,
    id: i64,
    error: &str,
    next_attempt_at: i64,
) -> Result<(), sqlx::Error> {
    // Through the write queue: under load, SQLite's own busy wait would starve the worker.
    let mut tx = crate::db::begin_write(pool).await?;
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
    )
    .bind(error)
    .bind(next_attempt_at)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Records a refusal for good: the email is kept, with its error, but not retried.
pub async fn mark_given_up(
    pool: &SqlitePool,
    id: i64,
    error: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    // Through the write queue: under load, SQLite's own busy wait would starve the worker.
    let mut tx = crate::db::begin_write(pool).await?;
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, gave_up_at = ? WHERE id = ?",
    )
    .bind(error)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}
