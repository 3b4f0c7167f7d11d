//! Metrics in the Prometheus text format: requests by route and status, a latency
//! histogram, registrations by state, and the outbox's depth and failures. Request
//! figures are counted in memory by a middleware; database figures are read when
//! the metrics are scraped.

use std::{collections::BTreeMap, fmt::Write, sync::Mutex, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};
use sqlx::SqlitePool;

use crate::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// (method, route, status) → count.
    requests: BTreeMap<(String, String, u16), u64>,
    /// Cumulative bucket counts, then the sum and count of durations.
    latency_buckets: [u64; BUCKETS.len()],
    latency_sum: f64,
    latency_count: u64,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        *inner
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_insert(0) += 1;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                inner.latency_buckets[i] += 1;
            }
        }
        inner.latency_sum += seconds;
        inner.latency_count += 1;
    }

    /// The text exposition, with the database figures read now.
    pub async fn render(&self, pool: &SqlitePool) -> String {
        let mut out = String::new();
        {
            let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            out.push_str(
                "# HELP inscriptions_http_requests_total HTTP requests by route and status.\n",
            );
            out.push_str("# TYPE inscriptions_http_requests_total counter\n");
            for ((method, route, status), count) in &inner.requests {
                let _ = writeln!(
                    out,
                    "inscriptions_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                    route.replace('"', "")
                );
            }
            out.push_str(
                "# HELP inscriptions_http_request_duration_seconds Time to answer a request.\n",
            );
            out.push_str("# TYPE inscriptions_http_request_duration_seconds histogram\n");
            for (bound, count) in BUCKETS.iter().zip(inner.latency_buckets) {
                let _ = writeln!(
                    out,
                    "inscriptions_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "inscriptions_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}",
                inner.latency_count
            );
            let _ = writeln!(
                out,
                "inscriptions_http_request_duration_seconds_sum {}",
                inner.latency_sum
            );
            let _ = writeln!(
                out,
                "inscriptions_http_request_duration_seconds_count {}",
                inner.latency_count
            );
        }
        let states: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM registrations GROUP BY state")
                .fetch_all(pool)
                .await
                .unwrap_or_default();
        out.push_str("# HELP inscriptions_registrations Registrations by state.\n");
        out.push_str("# TYPE inscriptions_registrations gauge\n");
        for state in crate::domain::RegistrationState::ALL {
            let count = states
                .iter()
                .find(|(s, _)| s == state.as_str())
                .map_or(0, |(_, c)| *c);
            let _ = writeln!(
                out,
                "inscriptions_registrations{{state=\"{}\"}} {count}",
                state.as_str()
            );
        }
        let (waiting, failing, given_up): (i64, i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(sent_at IS NULL AND gave_up_at IS NULL), 0),
                    COALESCE(SUM(sent_at IS NULL AND gave_up_at IS NULL AND attempts > 0), 0),
                    COALESCE(SUM(gave_up_at IS NOT NULL), 0)
             FROM outbox",
        )
        .fetch_one(pool)
        .await
        .unwrap_or((0, 0, 0));
        out.push_str("# HELP inscriptions_outbox_waiting Emails waiting to be sent.\n# TYPE inscriptions_outbox_waiting gauge\n");
        let _ = writeln!(out, "inscriptions_outbox_waiting {waiting}");
        out.push_str("# HELP inscriptions_outbox_failing Waiting emails whose last attempt failed.\n# TYPE inscriptions_outbox_failing gauge\n");
        let _ = writeln!(out, "inscriptions_outbox_failing {failing}");
        out.push_str("# HELP inscriptions_outbox_given_up Emails refused for good by the server.\n# TYPE inscriptions_outbox_given_up gauge\n");
        let _ = writeln!(out, "inscriptions_outbox_given_up {given_up}");
        out
    }
}

/// Counts every request under its matched route (never the raw path: paths carry tokens).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "autre".into());
    let response = next.run(request).await;
    state.metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}
