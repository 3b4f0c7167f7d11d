//! Registrants (a person, known by their address) and their registrations.

use sqlx::{FromRow, SqliteConnection};

use crate::domain::{NewRegistration, RegistrationState};

pub async fn registrant_by_email(
    conn: &mut SqliteConnection,
    email: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM registrants WHERE email = ?")
        .bind(email)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(id,)| id))
}

pub async fn registrant_email(
    conn: &mut SqliteConnection,
    registrant_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT email FROM registrants WHERE id = ?")
        .bind(registrant_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(email,)| email))
}

/// The id and state of a person's registration to a group, if any.
pub async fn find(
    conn: &mut SqliteConnection,
    registrant_id: i64,
    group_id: i64,
) -> Result<Option<(i64, RegistrationState)>, sqlx::Error> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, state FROM registrations WHERE registrant_id = ? AND group_id = ?",
    )
    .bind(registrant_id)
    .bind(group_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id, state)| (id, parse_state(&state))))
}

fn parse_state(state: &str) -> RegistrationState {
    // The CHECK constraint of the table admits only known states.
    RegistrationState::parse(state).unwrap_or(RegistrationState::PendingEmail)
}

/// The columns a sign-up fills, as assignments for an UPDATE, in the order
/// [`bind_details!`] binds them. (New registrations are written by
/// [`insert_new`], which names the same columns.)
const DETAIL_ASSIGNMENTS: &str = "first_name = ?, last_name = ?, role = ?, function = ?,
    authority_kind = ?, authority_name = ?, authority_code = ?, phone = ?,
    departement_code = ?, departement_name = ?, region_code = ?, region_name = ?";

/// Binds a sign-up's details in the order of [`DETAIL_ASSIGNMENTS`], so the
/// statements that update them cannot disagree.
macro_rules! bind_details {
    ($query:expr, $details:expr) => {{
        let details: &NewRegistration = $details;
        $query
            .bind(details.first_name.as_str())
            .bind(details.last_name.as_str())
            .bind(details.role.as_str())
            .bind(details.function.as_str())
            .bind(details.authority.kind.as_str())
            .bind(details.authority.name.as_str())
            .bind(
                details
                    .authority
                    .code
                    .as_ref()
                    .map(|c| c.as_str().to_owned()),
            )
            .bind(details.phone.as_ref().map(|p| p.as_str().to_owned()))
            .bind(details.authority.territory.departement_code.clone())
            .bind(details.authority.territory.departement_name.clone())
            .bind(details.authority.territory.region_code.clone())
            .bind(details.authority.territory.region_name.clone())
    }};
}

/// One person's sign-up to one or more groups, as [`insert_new`] takes it.
#[derive(Debug, Clone, Copy)]
pub struct SignUpRow<'a> {
    pub group_ids: &'a [i64],
    pub details: &'a NewRegistration,
    pub now: i64,
}

/// A registration [`insert_new`] created.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Created {
    pub email: String,
    pub group_id: i64,
    pub registrant_id: i64,
    pub id: i64,
}

/// Records each address as a registrant if it is new, and a registration in
/// state `pending_email` to each of its groups it is not yet registered to.
/// Returns the registrations created; a group missing from them already had one.
///
/// However many sign-ups are given, this is one call to SQLite: they go as one
/// JSON array, read by the statements with `json_each`. Each call is a hand-over
/// to SQLite's thread and back, which costs more than the rows themselves; the
/// group-commit writer hands over a whole batch of sign-ups this way.
pub async fn insert_new(
    conn: &mut SqliteConnection,
    sign_ups: &[SignUpRow<'_>],
) -> Result<Vec<Created>, sqlx::Error> {
    #[derive(serde::Serialize)]
    struct Row<'a> {
        email: &'a str,
        groups: &'a [i64],
        now: i64,
        first_name: &'a str,
        last_name: &'a str,
        role: &'a str,
        function: &'a str,
        authority_kind: &'a str,
        authority_name: &'a str,
        authority_code: Option<&'a str>,
        phone: Option<&'a str>,
        departement_code: Option<&'a str>,
        departement_name: Option<&'a str>,
        region_code: Option<&'a str>,
        region_name: Option<&'a str>,
    }
    let rows: Vec<Row> = sign_ups
        .iter()
        .map(|s| {
            let (d, territory) = (s.details, &s.details.authority.territory);
            Row {
                email: d.email.as_str(),
                groups: s.group_ids,
                now: s.now,
                first_name: d.first_name.as_str(),
                last_name: d.last_name.as_str(),
                role: d.role.as_str(),
                function: d.function.as_str(),
                authority_kind: d.authority.kind.as_str(),
                authority_name: d.authority.name.as_str(),
                authority_code: d.authority.code.as_ref().map(|c| c.as_str()),
                phone: d.phone.as_ref().map(|p| p.as_str()),
                departement_code: territory.departement_code.as_deref(),
                departement_name: territory.departement_name.as_deref(),
                region_code: territory.region_code.as_deref(),
                region_name: territory.region_name.as_deref(),
            }
        })
        .collect();
    let rows = serde_json::to_string(&rows).expect("sign-ups serialise");
    // `WHERE true` tells SQLite's parser that ON CONFLICT is the upsert clause,
    // not part of the SELECT's join.
    sqlx::query_as(
        "INSERT INTO registrants (email, created_at)
         SELECT s.value ->> 'email', s.value ->> 'now' FROM jsonb_each(?1) AS s WHERE true
         ON CONFLICT (email) DO NOTHING;
         INSERT INTO registrations (registrant_id, group_id, state, created_at, updated_at,
             first_name, last_name, role, function, authority_kind, authority_name,
             authority_code, phone, departement_code, departement_name, region_code, region_name)
         SELECT p.id, g.value, 'pending_email', s.value ->> 'now', s.value ->> 'now',
             s.value ->> 'first_name', s.value ->> 'last_name', s.value ->> 'role',
             s.value ->> 'function', s.value ->> 'authority_kind', s.value ->> 'authority_name',
             s.value ->> 'authority_code', s.value ->> 'phone',
             s.value ->> 'departement_code', s.value ->> 'departement_name',
             s.value ->> 'region_code', s.value ->> 'region_name'
         FROM jsonb_each(?1) AS s
         JOIN registrants AS p ON p.email = s.value ->> 'email'
         JOIN jsonb_each(s.value, '$.groups') AS g
         WHERE true
         ON CONFLICT (registrant_id, group_id) DO NOTHING
         RETURNING (SELECT email FROM registrants WHERE id = registrant_id) AS email,
                   group_id, registrant_id, id;",
    )
    .bind(rows)
    .fetch_all(conn)
    .await
}

/// Re-opens a withdrawn registration with the details of a new sign-up: it goes
/// back to `pending_email` and must be confirmed again.
pub async fn reopen(
    conn: &mut SqliteConnection,
    registration_id: i64,
    details: &NewRegistration,
    now: i64,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "UPDATE registrations
         SET {DETAIL_ASSIGNMENTS}, state = 'pending_email', created_at = ?, updated_at = ?,
             confirmed_at = NULL, decided_at = NULL, decision_reason = NULL, withdrawn_at = NULL
         WHERE id = ? AND state = 'withdrawn'"
    );
    bind_details!(sqlx::query(sqlx::AssertSqlSafe(sql)), details)
        .bind(now)
        .bind(now)
        .bind(registration_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks as confirmed those of `ids` still waiting for their address to be proven.
pub async fn confirm(
    conn: &mut SqliteConnection,
    ids: &[i64],
    now: i64,
) -> Result<u64, sqlx::Error> {
    let mut confirmed = 0;
    for id in ids {
        confirmed += sqlx::query(
            "UPDATE registrations SET state = 'confirmed', confirmed_at = ?, updated_at = ?
             WHERE id = ? AND state = 'pending_email'",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(confirmed)
}

/// Withdraws a registration of this registrant; false if there is none to withdraw.
pub async fn withdraw(
    conn: &mut SqliteConnection,
    registrant_id: i64,
    registration_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE registrations SET state = 'withdrawn', withdrawn_at = ?, updated_at = ?
         WHERE id = ? AND registrant_id = ? AND state != 'withdrawn'",
    )
    .bind(now)
    .bind(now)
    .bind(registration_id)
    .bind(registrant_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A registration as its registrant sees it on their page.
#[derive(Debug, Clone, FromRow)]
pub struct OwnRegistration {
    pub id: i64,
    pub group_slug: String,
    pub group_title: String,
    pub group_number: Option<i64>,
    pub group_kind: String,
    pub group_requires_approval: bool,
    pub state: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub function: String,
    pub authority_kind: String,
    pub authority_name: String,
    pub authority_code: Option<String>,
    pub phone: Option<String>,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub withdrawn_at: Option<i64>,
}

impl OwnRegistration {
    pub fn state(&self) -> RegistrationState {
        parse_state(&self.state)
    }

    pub fn group_full_title(&self) -> String {
        super::groups::full_title(&self.group_kind, self.group_number, &self.group_title)
    }
}

const OWN_COLUMNS: &str =
    "r.id, g.slug AS group_slug, g.title AS group_title, g.number AS group_number,
    g.kind AS group_kind, g.requires_approval AS group_requires_approval, r.state, r.first_name,
    r.last_name, r.role, r.function, r.authority_kind, r.authority_name, r.authority_code, r.phone,
    r.created_at, r.confirmed_at, r.withdrawn_at";

/// All registrations of a registrant, in the order of the groups on the home page.
pub async fn of_registrant(
    conn: &mut SqliteConnection,
    registrant_id: i64,
) -> Result<Vec<OwnRegistration>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {OWN_COLUMNS} FROM registrations r JOIN groups g ON g.id = r.group_id
         WHERE r.registrant_id = ? ORDER BY g.position, g.id"
    )))
    .bind(registrant_id)
    .fetch_all(conn)
    .await
}

/// Some registrations of a registrant, by id (those a link names).
pub async fn of_registrant_by_ids(
    conn: &mut SqliteConnection,
    registrant_id: i64,
    ids: &[i64],
) -> Result<Vec<OwnRegistration>, sqlx::Error> {
    let all = of_registrant(conn, registrant_id).await?;
    Ok(all.into_iter().filter(|r| ids.contains(&r.id)).collect())
}

/// Replaces the details of one of the registrant's registrations (not its state).
pub async fn update_details(
    conn: &mut SqliteConnection,
    registrant_id: i64,
    registration_id: i64,
    details: &NewRegistration,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE registrations SET {DETAIL_ASSIGNMENTS}, updated_at = ? WHERE id = ? AND registrant_id = ?"
    );
    let done = bind_details!(sqlx::query(sqlx::AssertSqlSafe(sql)), details)
        .bind(now)
        .bind(registration_id)
        .bind(registrant_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Erases a registrant and everything about them: registrations, links (by
/// cascade) and the emails addressed to them. Returns how many registrations went.
pub async fn erase_registrant(
    conn: &mut SqliteConnection,
    registrant_id: i64,
    reason: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let Some(email) = registrant_email(&mut *conn, registrant_id).await? else {
        return Ok(0);
    };
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM registrations WHERE registrant_id = ?")
            .bind(registrant_id)
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query("DELETE FROM outbox WHERE recipient = ?")
        .bind(&email)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM registrants WHERE id = ?")
        .bind(registrant_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO erasures (erased_at, registrations, reason) VALUES (?, ?, ?)")
        .bind(now)
        .bind(count)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    Ok(count)
}
