//! Endpoints for operators and load balancers: `/healthz` (the process is up),
//! `/readyz` (it can serve: database, migrations, outbox), `/metrics` (Prometheus,
//! only for the addresses of `ops.metrics_allow`).

use std::net::SocketAddr;

use axum::{
    Json, Router,
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use super::{error::AppError, rate_limit::client_address};
use crate::{ops::health, state::AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let stuck_after = i64::from(state.config.ops.outbox_stuck_after_minutes) * 60;
    let readiness = health::readiness(&state.db, state.clock.unix(), stuck_after).await;
    let status = if readiness.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(readiness)).into_response()
}

async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let client = client_address(peer.ip(), &headers, &state.config.server.trusted_proxies);
    if !state.config.ops.metrics_allow.contains(&client) {
        return Err(AppError::NotFound);
    }
    let body = state.metrics.render(&state.db).await;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response())
}
