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
        // Outside the timeout, so its bare 503 gets the page too.
        .layer(middleware::from_fn(errors_in_french))
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

/// Errors answered by the framework itself (a malformed query string or path, a
/// method not allowed, a timeout) come as plain text or with no body: they get our
/// French page instead, with their status kept. Our own pages and JSON pass.
async fn errors_in_french(
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let page = match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => views::errors::not_found(),
        StatusCode::PAYLOAD_TOO_LARGE => views::errors::payload_too_large(),
        StatusCode::TOO_MANY_REQUESTS => views::errors::too_many_requests(),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
            views::errors::unavailable()
        }
        status if status.is_server_error() => views::errors::internal(),
        _ => views::errors::bad_request(),
    };
    let mut replaced = (status, page).into_response();
    for (name, value) in response.headers() {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            replaced.headers_mut().insert(name.clone(), value.clone());
        }
    }
    replaced
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, views::errors::not_found())
}
