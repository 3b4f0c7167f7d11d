//! Passwordless sign-in and sessions. A sign-in link carries a random token, works
//! once, for a few minutes; following it (and pressing the button: link scanners
//! of mail servers open links, they do not press buttons) opens a new session whose
//! random id goes in an HttpOnly cookie. Only hashes are stored. Sessions end after
//! an idle time and a maximum age, at sign-out, and when the member is removed.

use sqlx::{SqliteConnection, SqlitePool};

use super::StaffMember;
use crate::{config::StaffConfig, token};

/// A fresh single-use sign-in link for `staff_id`; returns the token.
pub async fn issue_link(
    conn: &mut SqliteConnection,
    staff_id: i64,
    now: i64,
    ttl_seconds: i64,
) -> Result<String, sqlx::Error> {
    let link = token::generate();
    sqlx::query("INSERT INTO staff_links (token_hash, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
        .bind(&link.hash)
        .bind(staff_id)
        .bind(now)
        .bind(now + ttl_seconds)
        .execute(conn)
        .await?;
    Ok(link.text)
}

/// What a sign-in link is worth now.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkState {
    Valid,
    /// Unknown, used, expired or of a removed member: one answer for all.
    Invalid,
}

pub async fn check_link(
    pool: &SqlitePool,
    token_text: &str,
    now: i64,
) -> Result<LinkState, sqlx::Error> {
    if !token::is_well_formed(token_text) {
        return Ok(LinkState::Invalid);
    }
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM staff_links WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
    )
    .bind(token::hash(token_text))
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(if found.is_some() {
        LinkState::Valid
    } else {
        LinkState::Invalid
    })
}

/// Uses a link (once) and opens a session; returns (staff id, session id).
pub async fn sign_in(
    conn: &mut SqliteConnection,
    token_text: &str,
    now: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    if !token::is_well_formed(token_text) {
        return Ok(None);
    }
    let used: Option<(i64,)> = sqlx::query_as(
        "UPDATE staff_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
         RETURNING staff_id",
    )
    .bind(now)
    .bind(token::hash(token_text))
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((staff_id,)) = used else {
        return Ok(None);
    };
    // Always a new session id: whatever session cookie the browser had is not reused.
    let session = token::generate();
    sqlx::query(
        "INSERT INTO sessions (id_hash, staff_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
    )
    .bind(&session.hash)
    .bind(staff_id)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(Some((staff_id, session.text)))
}

/// The member behind a session id, if the session is alive; refreshes its idle time.
pub async fn session_member(
    pool: &SqlitePool,
    session_text: &str,
    now: i64,
    config: &StaffConfig,
) -> Result<Option<StaffMember>, sqlx::Error> {
    if !token::is_well_formed(session_text) {
        return Ok(None);
    }
    let hash = token::hash(session_text);
    let idle = i64::from(config.session_idle_minutes) * 60;
    let max = i64::from(config.session_max_hours) * 3600;
    let mut conn = pool.acquire().await?;
    let found: Option<(i64, i64)> = sqlx::query_as(
        "SELECT staff_id, last_seen_at FROM sessions WHERE id_hash = ? AND last_seen_at > ? AND created_at > ?",
    )
    .bind(&hash)
    .bind(now - idle)
    .bind(now - max)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((staff_id, last_seen)) = found else {
        return Ok(None);
    };
    let member = super::by_id(&mut conn, staff_id).await?;
    drop(conn);
    // One write a minute at most per session, not one per request.
    if now - last_seen >= 60 {
        let mut tx = crate::db::begin_write(pool).await?;
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?")
            .bind(now)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(member)
}

pub async fn sign_out(conn: &mut SqliteConnection, session_text: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
        .bind(token::hash(session_text))
        .execute(conn)
        .await?;
    Ok(())
}
