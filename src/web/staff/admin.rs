//! Admin actions: moderation, groups, staff, audit log.

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use maud::Markup;
use serde::Deserialize;

use super::Admin;
use crate::{
    db::{self, groups::Group},
    domain::Email,
    registration::{self, Decision},
    staff::{self, StaffRole, audit},
    state::AppState,
    views::{
        self,
        components::FormErrors,
        staff::admin::{GroupForm, StaffForm, Waiting},
    },
    web::{error::AppError, form::FormInput, security::CsrfToken},
};

/// The pairs of a urlencoded body; repeated keys (checkboxes) are kept.
fn pairs(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

async fn moderation_rows(
    state: &AppState,
    decided: bool,
    limit: i64,
) -> Result<Vec<Waiting>, AppError> {
    let groups = db::groups::list(&state.db).await?;
    let title = |group_id: i64| {
        groups
            .iter()
            .find(|g| g.id == group_id)
            .map(Group::full_title)
            .unwrap_or_default()
    };
    Ok(db::participants::moderation(&state.db, decided, limit)
        .await?
        .into_iter()
        .map(|row| Waiting {
            group_title: title(row.group_id),
            participant: row.participant,
        })
        .collect())
}

#[derive(Deserialize)]
pub struct Notice {
    fait: Option<usize>,
}

pub async fn moderation(
    State(state): State<AppState>,
    Admin(member): Admin,
    csrf: CsrfToken,
    Query(notice): Query<Notice>,
) -> Result<Markup, AppError> {
    let waiting = moderation_rows(&state, false, 500).await?;
    let decided = moderation_rows(&state, true, 50).await?;
    let notice = notice.fait.map(|n| {
        format!("{n} décision(s) enregistrée(s) ; les personnes sont prévenues par courriel.")
    });
    Ok(views::staff::admin::moderation(
        &member,
        &csrf.0,
        &waiting,
        &decided,
        notice.as_deref(),
    ))
}

pub async fn decide(
    State(state): State<AppState>,
    Admin(member): Admin,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = pairs(&body);
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let decision = match pairs
        .iter()
        .find(|(k, _)| k == "decision")
        .map(|(_, v)| v.as_str())
    {
        Some("approve") => Decision::Approve,
        Some("reject") => Decision::Reject,
        _ => return Ok(Redirect::to("/equipe/moderation").into_response()),
    };
    let reason = pairs
        .iter()
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.chars()
                .take(500)
                .filter(|c| !c.is_control())
                .collect::<String>()
        });
    let changed =
        registration::decide(&state, member.id, &ids, decision, reason.as_deref()).await?;
    Ok(Redirect::to(&format!("/equipe/moderation?fait={changed}")).into_response())
}

pub async fn groups(
    State(state): State<AppState>,
    Admin(member): Admin,
    csrf: CsrfToken,
) -> Result<Markup, AppError> {
    let groups = db::groups::list(&state.db).await?;
    Ok(views::staff::admin::groups(&member, &csrf.0, &groups))
}

pub async fn new_group(Admin(member): Admin, csrf: CsrfToken) -> Markup {
    let values = GroupForm {
        is_open: Some("oui".into()),
        ..GroupForm::default()
    };
    views::staff::admin::group_form(&member, &csrf.0, None, &values, &FormErrors::default())
}

async fn group_by_slug(state: &AppState, slug: &str) -> Result<Group, AppError> {
    let mut conn = state.db.acquire().await?;
    db::groups::by_slug(&mut conn, slug)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_group(
    State(state): State<AppState>,
    Admin(member): Admin,
    csrf: CsrfToken,
    Path(slug): Path<String>,
) -> Result<Markup, AppError> {
    let group = group_by_slug(&state, &slug).await?;
    let values = GroupForm {
        slug: group.slug.clone(),
        number: group.number.map(|n| n.to_string()).unwrap_or_default(),
        title: group.title.clone(),
        objective: group.objective.clone(),
        copilots: group.copilots.clone(),
        is_open: group.is_open.then(|| "oui".into()),
        closes_on: group
            .closes_at
            .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
            .map(|t| crate::clock::in_paris(t).date().to_string())
            .unwrap_or_default(),
        capacity: group.capacity.map(|c| c.to_string()).unwrap_or_default(),
        requires_approval: group.requires_approval.then(|| "oui".into()),
    };
    Ok(views::staff::admin::group_form(
        &member,
        &csrf.0,
        Some(&group),
        &values,
        &FormErrors::default(),
    ))
}

/// A group as checked from the form.
struct ValidGroup {
    number: Option<i64>,
    title: String,
    objective: String,
    copilots: String,
    is_open: bool,
    closes_at: Option<i64>,
    capacity: Option<i64>,
    requires_approval: bool,
}

fn check_group(form: &GroupForm, creating: bool) -> Result<ValidGroup, FormErrors> {
    let mut errors = FormErrors::default();
    let text =
        |value: &str, max: usize, what: &str, errors: &mut FormErrors, field: &'static str| {
            match crate::domain::FreeText::parse(value, max, what) {
                Ok(text) => text.as_str().to_owned(),
                Err(message) => {
                    errors.add(field, message);
                    String::new()
                }
            }
        };
    if creating {
        let slug = &form.slug;
        if slug.is_empty()
            || slug.len() > 60
            || slug == "nouveau"
            || !slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            errors.add("slug", "L’adresse ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets.");
        }
    }
    let number = match form.number.trim() {
        "" => None,
        n => match n.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errors.add("number", "Le numéro est un nombre entier positif.");
                None
            }
        },
    };
    let title = text(&form.title, 200, "le titre", &mut errors, "title");
    let objective = text(
        &form.objective,
        2000,
        "l’objectif",
        &mut errors,
        "objective",
    );
    let copilots = if form.copilots.trim().is_empty() {
        String::new()
    } else {
        text(
            &form.copilots,
            2000,
            "les copilotes",
            &mut errors,
            "copilots",
        )
    };
    let closes_at = match form.closes_on.trim() {
        "" => None,
        d => {
            match time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")) {
                // Closed from the end of that day, Paris time (23:59:59 at UTC+1 is safe enough).
                Ok(date) => Some(
                    date.with_hms(22, 59, 59)
                        .expect("valid")
                        .assume_utc()
                        .unix_timestamp(),
                ),
                Err(_) => {
                    errors.add("closes_on", "Saisissez une date au format AAAA-MM-JJ.");
                    None
                }
            }
        }
    };
    let capacity = match form.capacity.trim() {
        "" => None,
        c => match c.parse::<i64>() {
            Ok(c) if c > 0 => Some(c),
            _ => {
                errors.add(
                    "capacity",
                    "Le nombre de places est un nombre entier positif.",
                );
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidGroup {
        number,
        title,
        objective,
        copilots,
        is_open: form.is_open.is_some(),
        closes_at,
        capacity,
        requires_approval: form.requires_approval.is_some(),
    })
}

pub async fn create_group(
    State(state): State<AppState>,
    Admin(member): Admin,
    csrf: CsrfToken,
    FormInput(form): FormInput<GroupForm>,
) -> Result<Response, AppError> {
    let group = match check_group(&form, true) {
        Ok(group) => group,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                views::staff::admin::group_form(&member, &csrf.0, None, &form, &errors),
            )
                .into_response());
        }
    };
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO groups (slug, kind, number, title, objective, copilots, position, is_open, closes_at, capacity, requires_approval, created_at, updated_at)
         VALUES (?, 'project', ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM groups), ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&form.slug)
    .bind(group.number)
    .bind(&group.title)
    .bind(&group.objective)
    .bind(&group.copilots)
    .bind(group.is_open)
    .bind(group.closes_at)
    .bind(group.capacity)
    .bind(group.requires_approval)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let id = match inserted {
        Ok((id,)) => id,
        Err(sqlx::Error::Database(e)) if e.kind() == sqlx::error::ErrorKind::UniqueViolation => {
            let mut errors = FormErrors::default();
            errors.add("slug", "Un groupe a déjà cette adresse.");
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                views::staff::admin::group_form(&member, &csrf.0, None, &form, &errors),
            )
                .into_response());
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        now,
        Some(member.id),
        "group_created",
        Some(id),
        None,
        serde_json::json!({ "adresse": form.slug }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/equipe/admin/groupes").into_response())
}

pub async fn update_group(
    State(state): State<AppState>,
    Admin(member): Admin,
    csrf: CsrfToken,
    Path(slug): Path<String>,
    FormInput(form): FormInput<GroupForm>,
) -> Result<Response, AppError> {
    let existing = group_by_slug(&state, &slug).await?;
    let group = match check_group(&form, false) {
        Ok(group) => group,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                views::staff::admin::group_form(&member, &csrf.0, Some(&existing), &form, &errors),
            )
                .into_response());
        }
    };
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "UPDATE groups SET number = ?, title = ?, objective = ?, copilots = ?, is_open = ?, closes_at = ?, capacity = ?,
                requires_approval = ?, updated_at = ? WHERE id = ?",
    )
    .bind(if existing.is_space() { None } else { group.number })
    .bind(&group.title)
    .bind(&group.objective)
    .bind(&group.copilots)
    .bind(group.is_open)
    .bind(group.closes_at)
    .bind(group.capacity)
    .bind(group.requires_approval)
    .bind(now)
    .bind(existing.id)
    .execute(&mut *tx)
    .await?;
    let details = serde_json::json!({
        "ouvert": group.is_open, "places": group.capacity, "validation": group.requires_approval, "cloture": group.closes_at,
    });
    audit::record(
        &mut tx,
        now,
        Some(member.id),
        "group_updated",
        Some(existing.id),
        None,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/equipe/admin/groupes").into_response())
}

#[derive(Deserialize)]
pub struct Move {
    #[serde(default)]
    sens: String,
}

/// Swaps a group with its neighbour in the home page's order.
pub async fn move_group(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path(slug): Path<String>,
    FormInput(form): FormInput<Move>,
) -> Result<Response, AppError> {
    let groups = db::groups::list(&state.db).await?;
    let index = groups
        .iter()
        .position(|g| g.slug == slug)
        .ok_or(AppError::NotFound)?;
    let other = match form.sens.as_str() {
        "haut" if index > 0 => index - 1,
        "bas" if index + 1 < groups.len() => index + 1,
        _ => return Ok(Redirect::to("/equipe/admin/groupes").into_response()),
    };
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    // Positions are rewritten as 0..n so that equal positions cannot block a swap.
    let mut order: Vec<i64> = groups.iter().map(|g| g.id).collect();
    order.swap(index, other);
    for (position, id) in order.iter().enumerate() {
        sqlx::query("UPDATE groups SET position = ? WHERE id = ?")
            .bind(position as i64)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        now,
        Some(member.id),
        "group_updated",
        Some(groups[index].id),
        None,
        serde_json::json!({ "ordre": form.sens }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/equipe/admin/groupes").into_response())
}

pub async fn staff(
    State(state): State<AppState>,
    Admin(member): Admin,
    csrf: CsrfToken,
) -> Result<Markup, AppError> {
    let members = staff::list(&state.db).await?;
    let groups = db::groups::list(&state.db).await?;
    Ok(views::staff::admin::staff(
        &member,
        &csrf.0,
        &members,
        &groups,
        &FormErrors::default(),
        &StaffForm {
            role: "copilot".into(),
            ..StaffForm::default()
        },
    ))
}

fn staff_form(body: &Bytes) -> StaffForm {
    let pairs = pairs(body);
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    StaffForm {
        email: value("email"),
        role: value("role"),
        groups: pairs
            .iter()
            .filter(|(k, _)| k == "groups")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
    }
}

pub async fn add_staff(
    State(state): State<AppState>,
    Admin(member): Admin,
    csrf: CsrfToken,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = staff_form(&body);
    let (email, role) = match (Email::parse(&form.email), StaffRole::parse(&form.role)) {
        (Ok(email), Some(role)) => (email, role),
        (email, _) => {
            let mut errors = FormErrors::default();
            errors.add(
                "email",
                email.err().unwrap_or_else(|| "Choisissez un rôle.".into()),
            );
            let members = staff::list(&state.db).await?;
            let groups = db::groups::list(&state.db).await?;
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                views::staff::admin::staff(&member, &csrf.0, &members, &groups, &errors, &form),
            )
                .into_response());
        }
    };
    let mut tx = db::begin_write(&state.db).await?;
    save_staff(
        &state,
        &mut tx,
        member.id,
        email.as_str(),
        role,
        &form.groups,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/equipe/admin/equipe").into_response())
}

/// Adds or changes a member (role and groups) and logs it; the caller commits.
async fn save_staff(
    state: &AppState,
    tx: &mut db::WriteTx,
    by: i64,
    email: &str,
    role: StaffRole,
    groups: &[i64],
) -> Result<(), AppError> {
    let now = state.clock.unix();
    let id = staff::upsert(tx, email, role, now).await?;
    staff::set_groups(tx, id, groups).await?;
    let details = serde_json::json!({ "membre": id, "role": role.as_str(), "groupes": groups });
    audit::record(tx, now, Some(by), "staff_added", None, None, details).await?;
    Ok(())
}

pub async fn update_staff(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = staff_form(&body);
    let role = StaffRole::parse(&form.role).unwrap_or(StaffRole::Copilot);
    let mut tx = db::begin_write(&state.db).await?;
    let existing = staff::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    // The platform keeps at least one admin.
    if existing.is_admin() && role != StaffRole::Admin && staff::admin_count(&mut tx).await? <= 1 {
        return Ok(Redirect::to("/equipe/admin/equipe").into_response());
    }
    save_staff(
        &state,
        &mut tx,
        member.id,
        &existing.email,
        role,
        &form.groups,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/equipe/admin/equipe").into_response())
}

pub async fn remove_staff(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    let existing = staff::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if existing.is_admin() && staff::admin_count(&mut tx).await? <= 1 {
        return Ok(Redirect::to("/equipe/admin/equipe").into_response());
    }
    staff::remove(&mut tx, id).await?;
    audit::record(
        &mut tx,
        now,
        Some(member.id),
        "staff_removed",
        None,
        None,
        serde_json::json!({ "membre": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/equipe/admin/equipe").into_response())
}

#[derive(Deserialize)]
pub struct JournalQuery {
    #[serde(default)]
    action: String,
}

pub async fn journal(
    State(state): State<AppState>,
    Admin(member): Admin,
    csrf: CsrfToken,
    Query(query): Query<JournalQuery>,
) -> Result<Markup, AppError> {
    let action = audit::ACTIONS
        .iter()
        .find(|(a, _)| *a == query.action)
        .map(|(a, _)| *a);
    let entries = audit::list(&state.db, action, None, 500).await?;
    Ok(views::staff::admin::journal(
        &member,
        &csrf.0,
        &entries,
        action.unwrap_or(""),
    ))
}

#[derive(Deserialize)]
pub struct PersonQuery {
    #[serde(default)]
    email: String,
}

/// The registrant with this address, if any.
async fn registrant(state: &AppState, email: &str) -> Result<Option<(i64, String)>, AppError> {
    let Ok(email) = Email::parse(email) else {
        return Ok(None);
    };
    let mut conn = state.db.acquire().await?;
    Ok(
        db::registrations::registrant_by_email(&mut conn, email.as_str())
            .await?
            .map(|id| (id, email.as_str().to_owned())),
    )
}

/// Finds a person by address across groups, to answer a request about their data.
pub async fn person(
    State(state): State<AppState>,
    Admin(member): Admin,
    csrf: CsrfToken,
    Query(query): Query<PersonQuery>,
) -> Result<Markup, AppError> {
    let found = match registrant(&state, &query.email).await? {
        Some((id, email)) => Some((email, registration::registrations_of(&state.db, id).await?)),
        None => None,
    };
    Ok(views::staff::admin::person(
        &member,
        &csrf.0,
        &query.email,
        found.as_ref(),
    ))
}

/// Downloads a person's data (a POST, so the address stays out of URLs and logs).
pub async fn person_data(
    State(state): State<AppState>,
    Admin(member): Admin,
    FormInput(form): FormInput<PersonQuery>,
) -> Result<Response, AppError> {
    let (id, _) = registrant(&state, &form.email)
        .await?
        .ok_or(AppError::NotFound)?;
    let data = registration::personal_data(&state.db, id).await?;
    let mut tx = db::begin_write(&state.db).await?;
    audit::record(
        &mut tx,
        state.clock.unix(),
        Some(member.id),
        "person_export",
        None,
        None,
        serde_json::json!({ "personne": id }),
    )
    .await?;
    tx.commit().await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"donnees-personne.json\"",
            ),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::to_string_pretty(&data).map_err(|e| AppError::Internal(e.into()))?,
    )
        .into_response())
}

/// Erases a person's data at their request (made to the admin, not online).
pub async fn erase_person(
    State(state): State<AppState>,
    Admin(member): Admin,
    FormInput(form): FormInput<PersonQuery>,
) -> Result<Response, AppError> {
    let (id, _) = registrant(&state, &form.email)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    let count = db::registrations::erase_registrant(&mut tx, id, "admin_request", now).await?;
    audit::record(
        &mut tx,
        now,
        Some(member.id),
        "person_erased",
        None,
        None,
        serde_json::json!({ "personne": id, "inscriptions": count }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/equipe/admin/personnes?efface=1").into_response())
}
