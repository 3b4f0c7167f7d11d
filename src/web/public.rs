//! Public pages: the home page, each group's sign-up form, and the legal pages.

use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use maud::Markup;

use super::{error::AppError, form::FormInput, security::CsrfToken};
use crate::{
    db::{self, groups::Group},
    registration::{self, form::SignUpForm},
    state::AppState,
    views::{self, components::FormErrors},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route(
            "/groupes/{slug}/inscription",
            get(show_form).post(submit_form),
        )
        .route("/inscription/envoyee", get(sent))
        .route("/accessibilite", get(accessibility))
        .route("/mentions-legales", get(legal_notice))
        .route("/donnees-personnelles", get(personal_data))
}

async fn home(State(state): State<AppState>) -> Result<Markup, AppError> {
    let groups = db::groups::list(&state.db).await?;
    Ok(views::home::home(&groups))
}

/// The group and, unless the group is the space itself, the space to offer.
async fn load_group(state: &AppState, slug: &str) -> Result<(Group, Option<Group>), AppError> {
    let mut conn = state.db.acquire().await?;
    let group = db::groups::by_slug(&mut conn, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let space = if group.is_space() {
        None
    } else {
        db::groups::space(&mut conn)
            .await?
            .filter(|space| space.is_open)
    };
    Ok((group, space))
}

/// Why a group takes no sign-up now, if it does not.
async fn closed_reason(state: &AppState, group: &Group) -> Result<Option<&'static str>, AppError> {
    if !group.is_open || group.closes_at.is_some_and(|at| at <= state.clock.unix()) {
        return Ok(Some("Les inscriptions à ce groupe sont closes"));
    }
    if let Some(capacity) = group.capacity {
        let (taken,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM registrations WHERE group_id = ? AND state IN ('confirmed', 'approved')",
        )
        .bind(group.id)
        .fetch_one(&state.db)
        .await?;
        if taken >= capacity {
            return Ok(Some("Ce groupe est complet"));
        }
    }
    Ok(None)
}

async fn show_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    csrf: CsrfToken,
) -> Result<Markup, AppError> {
    let (group, space) = load_group(&state, &slug).await?;
    if let Some(reason) = closed_reason(&state, &group).await? {
        return Ok(views::sign_up::closed(&group, reason));
    }
    Ok(views::sign_up::form(
        &state.config,
        &group,
        space.as_ref(),
        &SignUpForm::default(),
        &FormErrors::default(),
        &csrf.0,
    ))
}

async fn submit_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    csrf: CsrfToken,
    FormInput(form): FormInput<SignUpForm>,
) -> Result<Response, AppError> {
    let (group, space) = load_group(&state, &slug).await?;
    if let Some(reason) = closed_reason(&state, &group).await? {
        return Ok((StatusCode::CONFLICT, views::sign_up::closed(&group, reason)).into_response());
    }
    match form.parse() {
        Ok(registration) => {
            let space = space.filter(|_| form.wants_space());
            registration::sign_up(&state, &group, space.as_ref(), &registration).await?;
            Ok(Redirect::to("/inscription/envoyee").into_response())
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            views::sign_up::form(
                &state.config,
                &group,
                space.as_ref(),
                &form,
                &errors,
                &csrf.0,
            ),
        )
            .into_response()),
    }
}

async fn sent(csrf: CsrfToken) -> Markup {
    views::sign_up::sent(&csrf.0)
}

async fn accessibility(State(state): State<AppState>) -> Markup {
    views::legal::accessibility(&state.config)
}

async fn legal_notice(State(state): State<AppState>) -> Markup {
    views::legal::legal_notice(&state.config)
}

async fn personal_data(State(state): State<AppState>) -> Markup {
    views::legal::personal_data(&state.config)
}
