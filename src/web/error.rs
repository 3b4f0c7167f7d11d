//! The one error type of the HTTP layer. Each variant says which status and page
//! it becomes; database and internal errors are logged with their cause and
//! answered with a generic page.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::views::errors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 404: unknown page, group or registration, including one the visitor may not see.
    #[error("not found")]
    NotFound,
    /// 400: a body that cannot be read (invalid UTF-8, malformed form encoding).
    #[error("bad request")]
    BadRequest,
    /// 403: a POST without a valid anti-forgery token, or from another site.
    #[error("forbidden form")]
    ForbiddenForm,
    /// 413: a body over the configured size.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 503: the database is busy, locked or full; nothing was written.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: anything else; the cause is logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        if is_transient(&error) {
            Self::Unavailable(error.to_string())
        } else {
            Self::Internal(anyhow::Error::new(error))
        }
    }
}

/// Errors that mean "try again later" rather than "bug": the pool timed out, the
/// database stayed locked past the busy timeout, or the disk is full.
fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(db) => {
            // SQLITE_BUSY (5), SQLITE_LOCKED (6), SQLITE_FULL (13), SQLITE_IOERR (10)
            // and their extended codes, which keep the primary code in the low byte.
            let code = db.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(0) & 0xff;
            matches!(code, 5 | 6 | 10 | 13)
        }
        sqlx::Error::Io(_) => true,
        _ => false,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            Self::NotFound => (StatusCode::NOT_FOUND, errors::not_found()).into_response(),
            Self::BadRequest => (StatusCode::BAD_REQUEST, errors::bad_request()).into_response(),
            Self::ForbiddenForm => {
                (StatusCode::FORBIDDEN, errors::forbidden_form()).into_response()
            }
            Self::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, errors::payload_too_large()).into_response()
            }
            Self::Unavailable(cause) => {
                tracing::warn!(%cause, "service indisponible");
                let mut response =
                    (StatusCode::SERVICE_UNAVAILABLE, errors::unavailable()).into_response();
                response.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static("5"),
                );
                response
            }
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "erreur interne");
                (StatusCode::INTERNAL_SERVER_ERROR, errors::internal()).into_response()
            }
        }
    }
}
