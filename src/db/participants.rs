//! The registrations of a group as staff read them: counts, filtered and paginated
//! lists, the export's row stream, and figures by territory. The filters are one
//! struct, turned into one WHERE clause, so the list and the export always agree.

use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, SqlitePool};

/// The filters of a participant list (and of its export), from the query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct Filters {
    pub etat: String,
    pub role: String,
    pub type_collectivite: String,
    pub region: String,
    pub departement: String,
    /// Part of a name or an address.
    pub q: String,
    pub page: u32,
}

impl Filters {
    /// The WHERE clause (after `r.group_id = ?`) and its bound values, in order.
    /// Unknown values are ignored rather than matched, so a bad link shows all.
    fn clause(&self) -> (String, Vec<String>) {
        let mut sql = String::new();
        let mut binds = Vec::new();
        let mut add = |condition: &str, value: String| {
            sql.push_str(" AND ");
            sql.push_str(condition);
            binds.push(value);
        };
        if crate::domain::RegistrationState::parse(&self.etat).is_some() {
            add("r.state = ?", self.etat.clone());
        }
        if crate::domain::Role::parse(&self.role).is_some() {
            add("r.role = ?", self.role.clone());
        }
        if crate::domain::AuthorityKind::parse(&self.type_collectivite).is_some() {
            add("r.authority_kind = ?", self.type_collectivite.clone());
        }
        if !self.region.trim().is_empty() {
            add("r.region_code = ?", self.region.trim().to_owned());
        }
        if !self.departement.trim().is_empty() {
            add("r.departement_code = ?", self.departement.trim().to_owned());
        }
        let q = self.q.trim().to_lowercase();
        if !q.is_empty() {
            // instr() rather than LIKE: what people type is never a pattern.
            sql.push_str(" AND (instr(lower(r.first_name || ' ' || r.last_name), ?) > 0 OR instr(p.email, ?) > 0)");
            binds.push(q.clone());
            binds.push(q);
        }
        (sql, binds)
    }

    /// The filters as they are, for the audit log and the export link.
    pub fn describe(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("page");
            map.retain(|_, v| v.as_str().is_some_and(|s| !s.is_empty()));
        }
        value
    }
}

/// One participant, as the list and the export show them.
#[derive(Debug, Clone, FromRow)]
pub struct Participant {
    pub id: i64,
    pub state: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: String,
    pub function: String,
    pub authority_kind: String,
    pub authority_name: String,
    pub authority_code: Option<String>,
    pub departement_code: Option<String>,
    pub departement_name: Option<String>,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub phone: Option<String>,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub decision_reason: Option<String>,
}

const COLUMNS: &str = "r.id, r.state, r.first_name, r.last_name, p.email, r.role, r.function, r.authority_kind,
    r.authority_name, r.authority_code, r.departement_code, r.departement_name, r.region_code, r.region_name,
    r.phone, r.created_at, r.confirmed_at, r.decided_at, r.decision_reason";

/// The participants' SELECT for a group (its id is the first bound value).
fn query(filters: &Filters, tail: &str) -> (String, Vec<String>) {
    let (clause, binds) = filters.clause();
    (
        format!(
            "SELECT {COLUMNS} FROM registrations r JOIN registrants p ON p.id = r.registrant_id
             WHERE r.group_id = ?{clause} ORDER BY r.created_at DESC, r.id DESC{tail}"
        ),
        binds,
    )
}

/// A page of participants and the total matching the filters.
pub async fn page(
    pool: &SqlitePool,
    group_id: i64,
    filters: &Filters,
    page_size: u32,
) -> Result<(Vec<Participant>, i64), sqlx::Error> {
    let (clause, binds) = filters.clause();
    let count_sql = format!(
        "SELECT COUNT(*) FROM registrations r JOIN registrants p ON p.id = r.registrant_id WHERE r.group_id = ?{clause}"
    );
    let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql)).bind(group_id);
    for bind in &binds {
        count = count.bind(bind);
    }
    let total = count.fetch_one(pool).await?;
    let page = filters.page.max(1);
    let (sql, binds) = query(
        filters,
        &format!(" LIMIT {page_size} OFFSET {}", (page - 1) * page_size),
    );
    let mut rows = sqlx::query_as::<_, Participant>(sqlx::AssertSqlSafe(sql)).bind(group_id);
    for bind in &binds {
        rows = rows.bind(bind.clone());
    }
    Ok((rows.fetch_all(pool).await?, total))
}

/// Every participant matching the filters, one row at a time from the database:
/// an export never holds the whole list in memory.
pub fn stream(
    pool: SqlitePool,
    group_id: i64,
    filters: &Filters,
) -> BoxStream<'static, Result<Participant, sqlx::Error>> {
    let (sql, binds) = query(filters, "");
    Box::pin(async_stream_rows(pool, sql, group_id, binds))
}

fn async_stream_rows(
    pool: SqlitePool,
    sql: String,
    group_id: i64,
    binds: Vec<String>,
) -> impl futures_util::Stream<Item = Result<Participant, sqlx::Error>> + Send + 'static {
    // The query borrows its SQL and binds; a task owns them and forwards rows
    // through a small channel, which also gives back-pressure to the database.
    let (sender, receiver) = tokio::sync::mpsc::channel(256);
    tokio::spawn(async move {
        use futures_util::StreamExt;
        let mut query = sqlx::query_as::<_, Participant>(sqlx::AssertSqlSafe(sql)).bind(group_id);
        for bind in binds {
            query = query.bind(bind);
        }
        let mut rows = query.fetch(&pool);
        while let Some(row) = rows.next().await {
            if sender.send(row).await.is_err() {
                break; // the client went away
            }
        }
    });
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|row| (row, receiver))
    })
}

pub async fn one(
    pool: &SqlitePool,
    group_id: i64,
    registration_id: i64,
) -> Result<Option<Participant>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM registrations r JOIN registrants p ON p.id = r.registrant_id WHERE r.group_id = ? AND r.id = ?"
    )))
    .bind(group_id)
    .bind(registration_id)
    .fetch_optional(pool)
    .await
}

/// A registration of a group that requires approval, for the moderation queue.
#[derive(Debug, Clone, FromRow)]
pub struct Moderated {
    pub group_id: i64,
    #[sqlx(flatten)]
    pub participant: Participant,
}

/// The moderation queue in one query: confirmed registrations waiting for a
/// decision (`decided` false), or the latest decisions (`decided` true).
pub async fn moderation(
    pool: &SqlitePool,
    decided: bool,
    limit: i64,
) -> Result<Vec<Moderated>, sqlx::Error> {
    let states = if decided {
        "'approved', 'rejected'"
    } else {
        "'confirmed'"
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT r.group_id, {COLUMNS} FROM registrations r
         JOIN registrants p ON p.id = r.registrant_id JOIN groups g ON g.id = r.group_id
         WHERE g.requires_approval = 1 AND r.state IN ({states})
         ORDER BY COALESCE(r.decided_at, r.confirmed_at) DESC, r.id DESC LIMIT ?"
    )))
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Registrations of a group by state.
pub async fn counts_by_state(
    pool: &SqlitePool,
    group_id: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT state, COUNT(*) FROM registrations WHERE group_id = ? GROUP BY state")
        .bind(group_id)
        .fetch_all(pool)
        .await
}

/// Counts of the group's current registrations (not withdrawn nor refused) by a
/// dimension: `region`, `departement`, `role` or `kind`. Returns (key, label, count).
pub async fn figures(
    pool: &SqlitePool,
    group_id: i64,
    by: &str,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    let (key, label) = match by {
        "region" => (
            "COALESCE(region_code, '')",
            "COALESCE(region_name, 'Non renseignée')",
        ),
        "departement" => (
            "COALESCE(departement_code, '')",
            "COALESCE(departement_name, 'Non renseigné')",
        ),
        "role" => ("role", "role"),
        _ => ("authority_kind", "authority_kind"),
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {key} AS k, MIN({label}) AS l, COUNT(*) AS n FROM registrations
         WHERE group_id = ? AND state NOT IN ('withdrawn', 'rejected', 'pending_email')
         GROUP BY k ORDER BY n DESC, l"
    )))
    .bind(group_id)
    .fetch_all(pool)
    .await
}
