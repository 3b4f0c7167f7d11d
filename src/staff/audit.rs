//! The audit log: every staff sign-in, export, decision, group change and staff
//! change, with who (staff id), when, what. Append-only: triggers in the schema
//! refuse updates and deletions, and no code path offers either.

use serde_json::Value;
use sqlx::{FromRow, SqliteConnection, SqlitePool};

pub async fn record(
    conn: &mut SqliteConnection,
    now: i64,
    staff_id: Option<i64>,
    action: &str,
    group_id: Option<i64>,
    registration_id: Option<i64>,
    details: Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, staff_id, action, group_id, registration_id, details) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(now)
    .bind(staff_id)
    .bind(action)
    .bind(group_id)
    .bind(registration_id)
    .bind(details.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    pub staff_id: Option<i64>,
    pub action: String,
    pub group_id: Option<i64>,
    pub registration_id: Option<i64>,
    pub details: String,
}

/// The latest entries, newest first, optionally of one action and one staff member.
pub async fn list(
    pool: &SqlitePool,
    action: Option<&str>,
    staff_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, at, staff_id, action, group_id, registration_id, details FROM audit_log
         WHERE (?1 IS NULL OR action = ?1) AND (?2 IS NULL OR staff_id = ?2)
         ORDER BY id DESC LIMIT ?3",
    )
    .bind(action)
    .bind(staff_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The actions the log knows, with their French label (for the filter).
pub const ACTIONS: &[(&str, &str)] = &[
    ("signin", "Connexion"),
    ("signout", "Déconnexion"),
    ("export", "Export"),
    ("decision", "Décision de modération"),
    ("group_created", "Groupe créé"),
    ("group_updated", "Groupe modifié"),
    ("staff_added", "Membre de l’équipe ajouté ou modifié"),
    ("staff_removed", "Membre de l’équipe retiré"),
    ("retention", "Effacement (conservation)"),
    ("person_export", "Données d’une personne exportées"),
    ("person_erased", "Données d’une personne effacées"),
];
