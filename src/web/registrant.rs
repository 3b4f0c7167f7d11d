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
    db::registrations::OwnRegistration,
    domain::{Email, RegistrationState},
    registration::{self, Access, Confirmation, form::SignUpForm},
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
        .route(
            "/mes-inscriptions/{token}/modifier/{registration_id}",
            get(edit_form).post(edit),
        )
        .route("/mes-inscriptions/{token}/donnees.json", get(download))
        .route(
            "/mes-inscriptions/{token}/effacer",
            get(confirm_erasure).post(erase),
        )
        .route("/mes-inscriptions/effacees", get(erased))
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
    modification: Option<String>,
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
    let notice = if query.retrait.is_some() {
        Some("Votre retrait est enregistré.")
    } else if query.modification.is_some() {
        Some("Vos informations sont modifiées.")
    } else {
        None
    };
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

/// One of the registrant's registrations, or 404.
async fn own_registration(
    state: &AppState,
    registrant_id: i64,
    registration_id: i64,
) -> Result<OwnRegistration, AppError> {
    registration::registrations_of(&state.db, registrant_id)
        .await?
        .into_iter()
        .find(|r| r.id == registration_id)
        .ok_or(AppError::NotFound)
}

async fn edit_form(
    State(state): State<AppState>,
    Path((token, registration_id)): Path<(String, i64)>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let registrant_id = match access(&state, &token, &csrf).await? {
        Ok(id) => id,
        Err(page) => return Ok(page),
    };
    let registration = own_registration(&state, registrant_id, registration_id).await?;
    let values = SignUpForm {
        first_name: registration.first_name.clone(),
        last_name: registration.last_name.clone(),
        role: registration.role.clone(),
        function: registration.function.clone(),
        authority_kind: registration.authority_kind.clone(),
        authority_name: registration.authority_name.clone(),
        authority_code: registration.authority_code.clone().unwrap_or_default(),
        phone: registration.phone.clone().unwrap_or_default(),
        ..SignUpForm::default()
    };
    Ok(views::registrant::edit(
        &csrf.0,
        &token,
        &registration,
        &values,
        &FormErrors::default(),
    )
    .into_response())
}

async fn edit(
    State(state): State<AppState>,
    Path((token, registration_id)): Path<(String, i64)>,
    csrf: CsrfToken,
    FormInput(mut form): FormInput<SignUpForm>,
) -> Result<Response, AppError> {
    let registrant_id = match access(&state, &token, &csrf).await? {
        Ok(id) => id,
        Err(page) => return Ok(page),
    };
    let registration = own_registration(&state, registrant_id, registration_id).await?;
    // The address is the registrant's identity: whatever was posted, it stays.
    let mut conn = state.db.acquire().await?;
    form.email = crate::db::registrations::registrant_email(&mut conn, registrant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    match form.parse(&state.referentiel) {
        Ok(details) => {
            registration::update_details(&state, registrant_id, registration_id, &details).await?;
            Ok(Redirect::to(&format!("/mes-inscriptions/{token}?modification=ok")).into_response())
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            views::registrant::edit(&csrf.0, &token, &registration, &form, &errors),
        )
            .into_response()),
    }
}

async fn download(
    State(state): State<AppState>,
    Path(token): Path<String>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let registrant_id = match access(&state, &token, &csrf).await? {
        Ok(id) => id,
        Err(page) => return Ok(page),
    };
    let data = registration::personal_data(&state.db, registrant_id).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"mes-donnees-inscriptions.json\"",
            ),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::to_string_pretty(&data).map_err(|e| AppError::Internal(e.into()))?,
    )
        .into_response())
}

async fn confirm_erasure(
    State(state): State<AppState>,
    Path(token): Path<String>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    match access(&state, &token, &csrf).await? {
        Ok(_) => Ok(views::registrant::confirm_erasure(&csrf.0, &token).into_response()),
        Err(page) => Ok(page),
    }
}

async fn erase(
    State(state): State<AppState>,
    Path(token): Path<String>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let registrant_id = match access(&state, &token, &csrf).await? {
        Ok(id) => id,
        Err(page) => return Ok(page),
    };
    registration::erase(&state, registrant_id).await?;
    Ok(Redirect::to("/mes-inscriptions/effacees").into_response())
}

async fn erased() -> Markup {
    views::registrant::erased()
}
