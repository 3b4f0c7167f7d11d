//! Groups: the project groups and the collaborative space.

use serde::Deserialize;
use sqlx::{FromRow, SqliteConnection, SqlitePool};

/// The seed: the groups of the source document, word for word.
const SEED: &str = include_str!("../../config/groups.toml");

#[derive(Debug, Clone, FromRow)]
pub struct Group {
    pub id: i64,
    pub slug: String,
    pub kind: String,
    pub number: Option<i64>,
    pub title: String,
    pub objective: String,
    pub copilots: String,
    pub position: i64,
    pub is_open: bool,
    pub closes_at: Option<i64>,
    pub capacity: Option<i64>,
    pub requires_approval: bool,
}

impl Group {
    pub fn is_space(&self) -> bool {
        self.kind == "space"
    }

    /// "Groupe projet 1 : Agenda…", or the space's title.
    pub fn full_title(&self) -> String {
        full_title(&self.kind, self.number, &self.title)
    }
}

/// How a group is named everywhere (pages, emails, exports): "Groupe projet 1 :
/// Agenda…" for a numbered project group, its title alone otherwise.
pub fn full_title(kind: &str, number: Option<i64>, title: &str) -> String {
    match number {
        Some(number) if kind != "space" => format!("Groupe projet {number} : {title}"),
        _ => title.to_owned(),
    }
}

const COLUMNS: &str = "id, slug, kind, number, title, objective, copilots, position, is_open, closes_at, capacity, requires_approval";

pub async fn list(pool: &SqlitePool) -> Result<Vec<Group>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM groups ORDER BY position, id"
    )))
    .fetch_all(pool)
    .await
}

pub async fn by_slug(
    conn: &mut SqliteConnection,
    slug: &str,
) -> Result<Option<Group>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM groups WHERE slug = ?"
    )))
    .bind(slug)
    .fetch_optional(conn)
    .await
}

/// The group with this slug and the collaborative space, which its sign-up form
/// offers to join as well, in one query (the form and its submission need both).
pub async fn with_space(
    conn: &mut SqliteConnection,
    slug: &str,
) -> Result<(Option<Group>, Option<Group>), sqlx::Error> {
    let rows: Vec<Group> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM groups
         WHERE slug = ?1
            OR id = (SELECT id FROM groups WHERE kind = 'space' ORDER BY position, id LIMIT 1)"
    )))
    .bind(slug)
    .fetch_all(conn)
    .await?;
    let group = rows.iter().find(|g| g.slug == slug).cloned();
    let space = rows.into_iter().find(|g| g.is_space());
    Ok((group, space))
}

#[derive(Deserialize)]
struct SeedFile {
    group: Vec<SeedGroup>,
}

#[derive(Deserialize)]
struct SeedGroup {
    slug: String,
    kind: String,
    number: Option<i64>,
    title: String,
    objective: String,
    copilots: String,
}

/// Writes the seed's groups if the database has none; returns how many it wrote.
/// Once admins have edited the groups, a restart leaves them alone.
pub async fn seed_if_empty(pool: &SqlitePool, now: i64) -> anyhow::Result<usize> {
    let seed: SeedFile = toml::from_str(SEED)?;
    let mut tx = crate::db::begin_write(pool).await?;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM groups")
        .fetch_one(&mut *tx)
        .await?;
    if count > 0 {
        return Ok(0);
    }
    for (position, group) in seed.group.iter().enumerate() {
        sqlx::query(
            "INSERT INTO groups (slug, kind, number, title, objective, copilots, position, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&group.slug)
        .bind(&group.kind)
        .bind(group.number)
        .bind(&group.title)
        .bind(&group.objective)
        .bind(&group.copilots)
        .bind(position as i64)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(seed.group.len())
}
