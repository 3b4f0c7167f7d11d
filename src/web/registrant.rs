//! The registrant's pages, opened from the links we email: confirmation, their
//! own page and withdrawal, and "send me my link again".

use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use maud::Markup;
use serde::Deserialize;

use super::{error::AppError, form::FormInput, security::CsrfToken};
use crate::{
    domain::{Email, RegistrationState},
    registration::{self, Access, Confirmation},
    state::AppState,
    views::{self, components::FormErrors},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/confirmation/{token}", get(confirm))
        .route("/confirmation/nouveau-lien", post(renew_confirmation))
        .route("/mes-inscriptions", get(link_request).post(send_link))
        .route("/mes-inscriptions/lien-envoye", get(link_sent))
        .route("/mes-inscriptions/{token}", get(manage))
        .route(
            "/mes-inscriptions/{token}/retrait/{registration_id}",
            get(confirm_withdrawal).post(withdraw),
        )
}

async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    Ok(match registration::confirm(&state, &token).await? {
        Confirmation::Confirmed {
            registrations,
            manage_path,
        } => views::registrant::confirmed(&registrations, &manage_path).into_response(),
        Confirmation::Expired => (
            StatusCode::GONE,
            views::registrant::expired_confirmation(&csrf.0, &token),
        )
            .into_response(),
        Confirmation::Unknown => (
            StatusCode::NOT_FOUND,
            views::registrant::unknown_link(&csrf.0),
        )
            .into_response(),
    })
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    token: String,
}

async fn renew_confirmation(
    State(state): State<AppState>,
    FormInput(form): FormInput<TokenForm>,
) -> Result<Response, AppError> {
    if registration::renew_confirmation(&state, &form.token).await? {
        Ok(Redirect::to("/mes-inscriptions/lien-envoye").into_response())
    } else {
        Err(AppError::NotFound)
    }
}

async fn link_request(csrf: CsrfToken) -> Markup {
    views::registrant::link_request(&csrf.0, &FormErrors::default(), "")
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn send_link(
    State(state): State<AppState>,
    csrf: CsrfToken,
    FormInput(form): FormInput<EmailForm>,
) -> Result<Response, AppError> {
    match Email::parse(&form.email) {
        Ok(email) => {
            registration::resend_link(&state, email.as_str()).await?;
            Ok(Redirect::to("/mes-inscriptions/lien-envoye").into_response())
        }
        Err(message) => {
            let mut errors = FormErrors::default();
            errors.add("email", message);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                views::registrant::link_request(&csrf.0, &errors, &form.email),
            )
                .into_response())
        }
    }
}

async fn link_sent() -> Markup {
    views::registrant::link_sent()
}

/// The registrant behind a link, or the page to show instead.
async fn access(
    state: &AppState,
    token: &str,
    csrf: &CsrfToken,
) -> Result<Result<i64, Response>, AppError> {
    Ok(
        match registration::open_manage_link(&state.db, state.clock.unix(), token).await? {
            Access::Granted { registrant_id } => Ok(registrant_id),
            Access::Expired => Err((
                StatusCode::GONE,
                views::registrant::expired_manage_link(&csrf.0),
            )
                .into_response()),
            Access::Unknown => Err((
                StatusCode::NOT_FOUND,
                views::registrant::unknown_link(&csrf.0),
            )
                .into_response()),
        },
    )
}

#[derive(Deserialize)]
struct ManageQuery {
    retrait: Option<String>,
}

async fn manage(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<ManageQuery>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let registrant_id = match access(&state, &token, &csrf).await? {
        Ok(id) => id,
        Err(page) => return Ok(page),
    };
    let registrations = registration::registrations_of(&state.db, registrant_id).await?;
    let notice = query
        .retrait
        .is_some()
        .then_some("Votre retrait est enregistré.");
    Ok(views::registrant::manage(&token, &registrations, notice).into_response())
}

async fn confirm_withdrawal(
    State(state): State<AppState>,
    Path((token, registration_id)): Path<(String, i64)>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let registrant_id = match access(&state, &token, &csrf).await? {
        Ok(id) => id,
        Err(page) => return Ok(page),
    };
    let registrations = registration::registrations_of(&state.db, registrant_id).await?;
    let registration = registrations
        .iter()
        .find(|r| r.id == registration_id && r.state() != RegistrationState::Withdrawn)
        .ok_or(AppError::NotFound)?;
    Ok(views::registrant::confirm_withdrawal(&csrf.0, &token, registration).into_response())
}

async fn withdraw(
    State(state): State<AppState>,
    Path((token, registration_id)): Path<(String, i64)>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let registrant_id = match access(&state, &token, &csrf).await? {
        Ok(id) => id,
        Err(page) => return Ok(page),
    };
    if !registration::withdraw(&state, registrant_id, registration_id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/mes-inscriptions/{token}?retrait=ok")).into_response())
}
