//! Static files: the DSFR (from `node_modules`, installed by npm) and our own
//! `static/`. Their URLs carry a version, so they are cached for a year.

use axum::{Router, http::HeaderValue};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};

use crate::{config::Config, state::AppState, views};

pub fn router(config: &Config) -> Router<AppState> {
    let cache = SetResponseHeaderLayer::overriding(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Router::new()
        .nest_service(&views::dsfr_path(), ServeDir::new(&config.server.dsfr_dir))
        .nest_service(
            &views::app_static_path(),
            ServeDir::new(&config.server.static_dir),
        )
        .layer(cache)
}
