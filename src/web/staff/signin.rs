//! Sign-in by emailed link, and sign-out.

use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use maud::Markup;
use serde::Deserialize;

use super::{Staff, session_cookie_name};
use crate::{
    db::{self, outbox},
    domain::Email,
    mail::Var,
    staff::{self, audit, auth},
    state::AppState,
    views::{self, components::FormErrors},
    web::{
        error::AppError,
        form::FormInput,
        security::{CsrfToken, read_cookie},
    },
};

pub async fn form(csrf: CsrfToken) -> Markup {
    views::staff::signin::form(&csrf.0, &FormErrors::default(), "")
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// Sends a sign-in link if the address is staff's; the answer is the same either way.
pub async fn request_link(
    State(state): State<AppState>,
    csrf: CsrfToken,
    FormInput(form): FormInput<EmailForm>,
) -> Result<Response, AppError> {
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(message) => {
            let mut errors = FormErrors::default();
            errors.add("email", message);
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                views::staff::signin::form(&csrf.0, &errors, &form.email),
            )
                .into_response());
        }
    };
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    if let Some(member) = staff::by_email(&mut tx, email.as_str()).await? {
        let minutes = state.config.staff.signin_link_minutes;
        let token = auth::issue_link(&mut tx, member.id, now, i64::from(minutes) * 60).await?;
        let rendered = state.templates.render(
            "signin_link",
            &[
                (
                    "signin_url",
                    Var::Text(state.url(&format!("/connexion/{token}"))),
                ),
                ("expiry_minutes", Var::Text(minutes.to_string())),
            ],
        );
        let email = outbox::OutgoingEmail {
            kind: "signin_link",
            recipient: member.email.clone(),
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
        };
        outbox::enqueue(&mut tx, &email, &state.message_id_domain(), now).await?;
        tracing::info!(staff_id = member.id, "lien de connexion envoyé");
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Redirect::to("/connexion/envoyee").into_response())
}

pub async fn sent() -> Markup {
    views::staff::signin::sent()
}

/// The link opens a page with a button: mail scanners that open links do not use them up.
pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    Ok(
        match auth::check_link(&state.db, &token, state.clock.unix()).await? {
            auth::LinkState::Valid => {
                views::staff::signin::confirm(&csrf.0, &token).into_response()
            }
            auth::LinkState::Invalid => {
                (StatusCode::NOT_FOUND, views::staff::signin::invalid()).into_response()
            }
        },
    )
}

pub async fn sign_in(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    let Some((staff_id, session)) = auth::sign_in(&mut tx, &token, now).await? else {
        return Ok((StatusCode::NOT_FOUND, views::staff::signin::invalid()).into_response());
    };
    audit::record(
        &mut tx,
        now,
        Some(staff_id),
        "signin",
        None,
        None,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(staff_id, "connexion");
    let secure = if state.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={session}; Path=/; HttpOnly; SameSite=Lax{secure}",
        session_cookie_name(&state)
    );
    let mut response = Redirect::to("/equipe").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.into()))?,
    );
    Ok(response)
}

pub async fn sign_out(
    State(state): State<AppState>,
    Staff(member): Staff,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let now = state.clock.unix();
    let mut tx = db::begin_write(&state.db).await?;
    if let Some(session) = read_cookie(&headers, session_cookie_name(&state)) {
        auth::sign_out(&mut tx, session).await?;
    }
    audit::record(
        &mut tx,
        now,
        Some(member.id),
        "signout",
        None,
        None,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    let secure = if state.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        session_cookie_name(&state)
    );
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.into()))?,
    );
    Ok(response)
}
