//! What every request handler and background task shares.

use std::sync::Arc;

use sqlx::SqlitePool;
use tokio::sync::Notify;

use crate::{clock::Clock, config::Config, mail::Templates};

/// Cloned for every request (each extractor and middleware takes its own), so
/// it is one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub db: SqlitePool,
    /// The group-commit writer that sign-ups go through (the hot write path).
    pub sign_ups: crate::registration::SignUpWriter,
    pub config: Arc<Config>,
    pub templates: Arc<Templates>,
    pub clock: Clock,
    /// Wakes the email worker when an email is queued.
    pub outbox_wake: Arc<Notify>,
    /// Key of the anti-forgery tokens.
    pub csrf_key: Arc<[u8; 32]>,
    /// The official list of authorities, searched in memory.
    pub referentiel: crate::referentiel::Referentiel,
    /// Buckets of the form rate limiting, per client address.
    pub rate_limiter: Arc<crate::web::rate_limit::RateLimiter>,
    /// Request counters and latency histogram for /metrics.
    pub metrics: Arc<crate::ops::metrics::Metrics>,
}

impl Shared {
    /// Absolute URL of a path of ours, for the links we email.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.server.base_url, path)
    }

    /// The domain part of our Message-IDs.
    pub fn message_id_domain(&self) -> String {
        crate::mail::message_id_domain(&self.config.server.base_url)
    }
}
