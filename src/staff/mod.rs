//! The staff: admins (everything) and copilots (the groups they are assigned to),
//! their passwordless sign-in, their sessions, and the audit log of what they do.

pub mod audit;
pub mod auth;
pub mod digest;

use sqlx::{FromRow, SqliteConnection, SqlitePool};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRole {
    Admin,
    Copilot,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Copilot => "copilot",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "admin" => Some(Self::Admin),
            "copilot" => Some(Self::Copilot),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "Administrateur·rice",
            Self::Copilot => "Copilote",
        }
    }
}

/// A staff member as a request sees them: who, what role, which groups.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub id: i64,
    pub email: String,
    pub role: StaffRole,
    /// The groups a copilot may read (admins read all).
    pub group_ids: Vec<i64>,
    /// Wants the daily digest of new confirmed registrations.
    pub digest: bool,
}

impl StaffMember {
    pub fn is_admin(&self) -> bool {
        self.role == StaffRole::Admin
    }

    pub fn may_read_group(&self, group_id: i64) -> bool {
        self.is_admin() || self.group_ids.contains(&group_id)
    }
}

#[derive(FromRow)]
struct StaffRow {
    id: i64,
    email: String,
    role: String,
    digest: bool,
}

async fn member(conn: &mut SqliteConnection, row: StaffRow) -> Result<StaffMember, sqlx::Error> {
    let groups: Vec<(i64,)> =
        sqlx::query_as("SELECT group_id FROM staff_groups WHERE staff_id = ?")
            .bind(row.id)
            .fetch_all(conn)
            .await?;
    Ok(StaffMember {
        id: row.id,
        email: row.email,
        role: StaffRole::parse(&row.role).unwrap_or(StaffRole::Copilot),
        group_ids: groups.into_iter().map(|(id,)| id).collect(),
        digest: row.digest,
    })
}

pub async fn by_id(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<StaffMember>, sqlx::Error> {
    let row: Option<StaffRow> =
        sqlx::query_as("SELECT id, email, role, digest FROM staff WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        Some(row) => Ok(Some(member(conn, row).await?)),
        None => Ok(None),
    }
}

pub async fn by_email(
    conn: &mut SqliteConnection,
    email: &str,
) -> Result<Option<StaffMember>, sqlx::Error> {
    let row: Option<StaffRow> =
        sqlx::query_as("SELECT id, email, role, digest FROM staff WHERE email = ?")
            .bind(email)
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        Some(row) => Ok(Some(member(conn, row).await?)),
        None => Ok(None),
    }
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<StaffMember>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let rows: Vec<StaffRow> =
        sqlx::query_as("SELECT id, email, role, digest FROM staff ORDER BY role, email")
            .fetch_all(&mut *conn)
            .await?;
    let mut members = Vec::with_capacity(rows.len());
    for row in rows {
        members.push(member(&mut conn, row).await?);
    }
    Ok(members)
}

/// Adds a staff member, or changes the role of an existing one; returns the id.
pub async fn upsert(
    conn: &mut SqliteConnection,
    email: &str,
    role: StaffRole,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO staff (email, role, created_at) VALUES (?, ?, ?)
         ON CONFLICT (email) DO UPDATE SET role = excluded.role RETURNING id",
    )
    .bind(email)
    .bind(role.as_str())
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn set_groups(
    conn: &mut SqliteConnection,
    staff_id: i64,
    group_ids: &[i64],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM staff_groups WHERE staff_id = ?")
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    for group_id in group_ids {
        sqlx::query("INSERT OR IGNORE INTO staff_groups (staff_id, group_id) VALUES (?, ?)")
            .bind(staff_id)
            .bind(group_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Removes a staff member; their sessions and links go with them at once.
pub async fn remove(conn: &mut SqliteConnection, staff_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM staff WHERE id = ?")
        .bind(staff_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn admin_count(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM staff WHERE role = 'admin'")
        .fetch_one(conn)
        .await?;
    Ok(count)
}

pub async fn set_digest(
    conn: &mut SqliteConnection,
    staff_id: i64,
    digest: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff SET digest = ? WHERE id = ?")
        .bind(digest)
        .bind(staff_id)
        .execute(conn)
        .await?;
    Ok(())
}
