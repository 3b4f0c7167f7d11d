//! The HTTP side: routes per audience, the middleware stack, and the error type.
//! Every module exposes `router()`; [`app`] merges them and wraps them in the
//! layers every request goes through.

pub mod assets;
pub mod error;
pub mod form;
pub mod ops;
pub mod public;
pub mod rate_limit;
pub mod registrant;
pub mod security;
pub mod staff;

use axum::{Router, http::StatusCode, middleware, response::IntoResponse};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{state::AppState, views};

/// The whole application, ready to serve.
pub fn app(state: AppState) -> Router {
    let pages = Router::new()
        .merge(public::router())
        .merge(registrant::router())
        .merge(staff::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::csrf,
        ))
        // Outside the anti-forgery check, so a flood is turned away cheaply.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit_forms,
        ));

    Router::new()
        .merge(pages)
        .merge(assets::router(&state.config))
        .merge(ops::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::ops::metrics::track,
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            state.config.request_timeout(),
        ))
        .layer(CatchPanicLayer::custom(|_| {
            (StatusCode::INTERNAL_SERVER_ERROR, views::errors::internal()).into_response()
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                // The matched route, not the URI: paths carry tokens.
                let route = request
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "autre".into());
                let request_id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                tracing::info_span!("requête", method = %request.method(), route, request_id)
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, views::errors::not_found())
}
