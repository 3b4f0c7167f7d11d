//! A form extractor that answers a malformed body (invalid UTF-8, broken
//! encoding, a field sent twice) with our French 400 page instead of axum's
//! plain-text rejection.

use axum::{
    Form,
    extract::{FromRequest, Request},
};
use serde::de::DeserializeOwned;

use super::error::AppError;

pub struct FormInput<T>(pub T);

impl<S, T> FromRequest<S> for FormInput<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Form::<T>::from_request(request, state).await {
            Ok(Form(value)) => Ok(Self(value)),
            Err(rejection) => {
                tracing::info!(reason = %rejection.body_text(), "formulaire illisible");
                Err(AppError::BadRequest)
            }
        }
    }
}
