//! Links sent by email: confirmation links and links to the registrant's page.
//! Only the hash of each token is stored (see [`crate::token`]).

use sqlx::{FromRow, SqliteConnection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Proves the address and confirms the registrations the link names.
    Confirm,
    /// Opens the registrant's own page.
    Manage,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Manage => "manage",
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct Link {
    pub id: i64,
    pub registrant_id: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

impl Link {
    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }
}

/// Stores a link that names no registration (a link to the registrant's page
/// given after a confirmation). Links sent by email are stored with their email,
/// by [`crate::db::outbox::enqueue_with_links`].
pub async fn insert(
    conn: &mut SqliteConnection,
    purpose: Purpose,
    token_hash: &[u8],
    registrant_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO links (token_hash, purpose, registrant_id, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .bind(registrant_id)
    .bind(now)
    .bind(expires_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The links an email carries, by the hashes of their tokens: always one to the
/// registrant's page, and a confirmation link naming the registrations it
/// confirms when some wait for it.
#[derive(Debug, Clone, Copy)]
pub struct NewLinks<'a> {
    pub registrant_id: i64,
    pub manage: (&'a [u8], i64),
    pub confirm: Option<ConfirmLink<'a>>,
}

#[derive(Debug, Clone, Copy)]
pub struct ConfirmLink<'a> {
    pub token_hash: &'a [u8],
    pub expires_at: i64,
    pub registrations: &'a [i64],
}

/// The link of this token and purpose, expired or not. Links drawn before keys
/// began with the time ([`crate::token::link_key`]) are found by their hash.
pub async fn find(
    conn: &mut SqliteConnection,
    purpose: Purpose,
    token_text: &str,
) -> Result<Option<Link>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, registrant_id, expires_at, used_at FROM links
         WHERE token_hash IN (?, ?) AND purpose = ?",
    )
    .bind(crate::token::link_key(token_text))
    .bind(crate::token::hash(token_text))
    .bind(purpose.as_str())
    .fetch_optional(conn)
    .await
}

pub async fn registrations_of(
    conn: &mut SqliteConnection,
    link_id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT registration_id FROM link_registrations WHERE link_id = ?")
            .bind(link_id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Records the first use of a link (later uses keep the first date).
pub async fn mark_used(
    conn: &mut SqliteConnection,
    link_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE links SET used_at = ? WHERE id = ? AND used_at IS NULL")
        .bind(now)
        .bind(link_id)
        .execute(conn)
        .await?;
    Ok(())
}
