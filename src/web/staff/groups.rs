//! What copilots (and admins) read: dashboard, participant lists, one
//! registration, the export, figures.

use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use futures_util::StreamExt;
use maud::Markup;

use super::Staff;
use crate::{
    db::{
        self,
        groups::Group,
        participants::{self, Filters},
    },
    domain::{AuthorityKind, RegistrationState, Role},
    export::{self, Flavour},
    staff::{StaffMember, audit},
    state::AppState,
    views::{self, staff::groups::GroupSummary},
    web::{error::AppError, security::CsrfToken},
};

/// The group named in the path, if this member may read it; 404 otherwise, the
/// same answer as for a group that does not exist.
pub(super) async fn readable_group(
    state: &AppState,
    member: &StaffMember,
    slug: &str,
) -> Result<Group, AppError> {
    let mut conn = state.db.acquire().await?;
    match db::groups::by_slug(&mut conn, slug).await? {
        Some(group) if member.may_read_group(group.id) => Ok(group),
        _ => Err(AppError::NotFound),
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    Staff(member): Staff,
    csrf: CsrfToken,
) -> Result<Markup, AppError> {
    let mut summaries = Vec::new();
    for group in db::groups::list(&state.db).await? {
        if !member.may_read_group(group.id) {
            continue;
        }
        let stored = participants::counts_by_state(&state.db, group.id).await?;
        let counts = RegistrationState::ALL
            .iter()
            .map(|s| {
                (
                    *s,
                    stored
                        .iter()
                        .find(|(k, _)| k == s.as_str())
                        .map_or(0, |(_, n)| *n),
                )
            })
            .collect();
        let (latest, _) = participants::page(&state.db, group.id, &Filters::default(), 5).await?;
        summaries.push(GroupSummary {
            group,
            counts,
            latest,
        });
    }
    let waiting: i64 = if member.is_admin() {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM registrations r JOIN groups g ON g.id = r.group_id WHERE g.requires_approval = 1 AND r.state = 'confirmed'",
        )
        .fetch_one(&state.db)
        .await?
    } else {
        0
    };
    Ok(views::staff::groups::dashboard(
        &member, &csrf.0, &summaries, waiting,
    ))
}

pub async fn participants(
    State(state): State<AppState>,
    Staff(member): Staff,
    csrf: CsrfToken,
    Path(slug): Path<String>,
    Query(filters): Query<Filters>,
) -> Result<Markup, AppError> {
    let group = readable_group(&state, &member, &slug).await?;
    let page_size = state.config.staff.page_size;
    let (rows, total) = participants::page(&state.db, group.id, &filters, page_size).await?;
    Ok(views::staff::groups::participants(
        &member, &csrf.0, &group, &filters, &rows, total, page_size,
    ))
}

pub async fn registration(
    State(state): State<AppState>,
    Staff(member): Staff,
    csrf: CsrfToken,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Markup, AppError> {
    let group = readable_group(&state, &member, &slug).await?;
    let participant = participants::one(&state.db, group.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(views::staff::groups::registration(
        &member,
        &csrf.0,
        &group,
        &participant,
    ))
}

/// The export's own parameter; the list's filters are read beside it (serde's
/// `flatten` cannot read numbers from a query string, hence two extractors).
#[derive(serde::Deserialize)]
pub struct ExportFormat {
    format: Option<String>,
}

/// The export, streamed: rows go from the database to the client as they come,
/// and the audit log records the export with its row count once it is complete.
pub async fn export(
    State(state): State<AppState>,
    Staff(member): Staff,
    Path(slug): Path<String>,
    Query(format): Query<ExportFormat>,
    Query(filters): Query<Filters>,
) -> Result<Response, AppError> {
    let group = readable_group(&state, &member, &slug).await?;
    let flavour = Flavour::from_query(format.format.as_deref());
    let date = crate::clock::in_paris(state.clock.now()).date();
    let filename = format!("inscrits-{}-{}.csv", group.slug, date);
    let rows = participants::stream(state.db.clone(), group.id, &filters);
    let header =
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(export::header(flavour)) });
    let audit_state = state.clone();
    let filters = filters.describe();
    let format = if flavour == Flavour::Excel {
        "excel"
    } else {
        "csv"
    };
    let (group_id, staff_id) = (group.id, member.id);
    // The rows, then a marker for the end, where the audit log gets the count.
    let body = rows.map(Some).chain(futures_util::stream::once(async { None })).scan(0u64, move |count, item| {
        let out = match item {
            Some(Ok(participant)) => {
                *count += 1;
                Ok(export::row(flavour, &participant))
            }
            Some(Err(error)) => Err(std::io::Error::other(error)),
            None => {
                let (state, filters, rows) = (audit_state.clone(), filters.clone(), *count);
                tokio::spawn(async move {
                    let result = async {
                        let mut tx = db::begin_write(&state.db).await?;
                        let details = serde_json::json!({ "format": format, "filtres": filters, "lignes": rows });
                        audit::record(&mut tx, state.clock.unix(), Some(staff_id), "export", Some(group_id), None, details).await?;
                        tx.commit().await
                    }
                    .await;
                    if let Err(error) = result {
                        tracing::error!(%error, "export : journal non écrit");
                    }
                });
                Ok(Vec::new())
            }
        };
        futures_util::future::ready(Some(out))
    });
    let stream = header.chain(body);
    let content_type = if flavour == Flavour::Excel {
        "text/csv; charset=utf-8"
    } else {
        "text/csv; charset=utf-8; header=present"
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

pub async fn figures(
    State(state): State<AppState>,
    Staff(member): Staff,
    csrf: CsrfToken,
    Path(slug): Path<String>,
) -> Result<Markup, AppError> {
    let group = readable_group(&state, &member, &slug).await?;
    let label_role = |rows: Vec<(String, String, i64)>| {
        rows.into_iter()
            .map(|(k, _, n)| {
                (
                    k.clone(),
                    Role::parse(&k).map(Role::label).unwrap_or("—").to_owned(),
                    n,
                )
            })
            .collect()
    };
    let label_kind = |rows: Vec<(String, String, i64)>| {
        rows.into_iter()
            .map(|(k, _, n)| {
                (
                    k.clone(),
                    AuthorityKind::parse(&k)
                        .map(AuthorityKind::label)
                        .unwrap_or("—")
                        .to_owned(),
                    n,
                )
            })
            .collect()
    };
    let with_code = |rows: Vec<(String, String, i64)>| {
        rows.into_iter()
            .map(|(k, l, n)| {
                let label = if k.is_empty() {
                    l
                } else {
                    format!("{l} ({k})")
                };
                (k, label, n)
            })
            .collect()
    };
    let figures = views::staff::groups::Figures {
        by_region: with_code(participants::figures(&state.db, group.id, "region").await?),
        by_departement: with_code(participants::figures(&state.db, group.id, "departement").await?),
        by_role: label_role(participants::figures(&state.db, group.id, "role").await?),
        by_kind: label_kind(participants::figures(&state.db, group.id, "kind").await?),
    };
    Ok(views::staff::groups::figures(
        &member, &csrf.0, &group, &figures,
    ))
}

#[derive(serde::Deserialize)]
pub struct Preferences {
    digest: Option<String>,
}

/// The member's own setting: the daily digest, on or off.
pub async fn preferences(
    State(state): State<AppState>,
    Staff(member): Staff,
    crate::web::form::FormInput(form): crate::web::form::FormInput<Preferences>,
) -> Result<Response, AppError> {
    let mut tx = db::begin_write(&state.db).await?;
    crate::staff::set_digest(&mut tx, member.id, form.digest.as_deref() == Some("oui")).await?;
    tx.commit().await?;
    Ok(axum::response::Redirect::to("/equipe").into_response())
}
