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

pub async fn insert(
    conn: &mut SqliteConnection,
    purpose: Purpose,
    token_hash: &[u8],
    registrant_id: i64,
    registration_ids: &[i64],
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
    .fetch_one(&mut *conn)
    .await?;
    name_registrations(conn, id, registration_ids).await?;
    Ok(id)
}

/// A confirmation link and a page link for the same registrant, in one statement:
/// the sign-up's hot path writes them together (each statement is a round trip).
pub async fn insert_confirm_and_manage(
    conn: &mut SqliteConnection,
    registrant_id: i64,
    registration_ids: &[i64],
    confirm: (&[u8], i64),
    manage: (&[u8], i64),
    now: i64,
) -> Result<(), sqlx::Error> {
    // SQLite does not promise the order of RETURNING rows: find the confirm one by purpose.
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "INSERT INTO links (token_hash, purpose, registrant_id, created_at, expires_at)
         VALUES (?1, 'confirm', ?3, ?4, ?2), (?5, 'manage', ?3, ?4, ?6)
         RETURNING id, purpose",
    )
    .bind(confirm.0)
    .bind(confirm.1)
    .bind(registrant_id)
    .bind(now)
    .bind(manage.0)
    .bind(manage.1)
    .fetch_all(&mut *conn)
    .await?;
    let confirm_id = rows
        .iter()
        .find(|(_, purpose)| purpose == "confirm")
        .map(|(id, _)| *id)
        .ok_or(sqlx::Error::RowNotFound)?;
    name_registrations(conn, confirm_id, registration_ids).await
}

/// Records which registrations a confirmation link confirms, in one statement.
async fn name_registrations(
    conn: &mut SqliteConnection,
    link_id: i64,
    registration_ids: &[i64],
) -> Result<(), sqlx::Error> {
    if registration_ids.is_empty() {
        return Ok(());
    }
    let rows = vec!["(?, ?)"; registration_ids.len()].join(", ");
    let sql = format!("INSERT INTO link_registrations (link_id, registration_id) VALUES {rows}");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for registration_id in registration_ids {
        query = query.bind(link_id).bind(*registration_id);
    }
    query.execute(conn).await?;
    Ok(())
}

/// The link with this token hash and purpose, expired or not.
pub async fn find(
    conn: &mut SqliteConnection,
    purpose: Purpose,
    token_hash: &[u8],
) -> Result<Option<Link>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, registrant_id, expires_at, used_at FROM links WHERE token_hash = ? AND purpose = ?",
    )
    .bind(token_hash)
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
