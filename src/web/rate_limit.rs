//! Rate limiting of forms: a token bucket per client address for POST requests
//! (sign-up, link requests, sign-in), so one address flooding a form gets 429
//! while everyone else is served. Pages (GET) are not limited: they cost little
//! and write nothing.
//!
//! The client address is the TCP peer's, or, when the peer is a trusted reverse
//! proxy, the last address of `X-Forwarded-For` that is not a trusted proxy (the
//! earlier entries are whatever the client chose to send).

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::Mutex,
    time::Instant,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{config::RateLimitConfig, state::AppState, views};

pub struct RateLimiter {
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
    per_second: f64,
    burst: f64,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    pub fn new(config: &RateLimitConfig) -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
            per_second: f64::from(config.per_minute) / 60.0,
            burst: f64::from(config.burst),
        }
    }

    /// Takes a token for `client`; false when its bucket is empty.
    pub fn allow(&self, client: IpAddr) -> bool {
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > 100_000 {
            // Forget addresses whose bucket has refilled: they are back to a full burst anyway.
            let full_after = self.burst / self.per_second;
            buckets.retain(|_, b| now.duration_since(b.updated).as_secs_f64() < full_after);
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The address the request comes from, as far as we can trust it.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
        .rev()
        .find(|address| !trusted_proxies.contains(address))
        .unwrap_or(peer)
}

pub async fn limit_forms(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let client = client_address(
        peer,
        request.headers(),
        &state.config.server.trusted_proxies,
    );
    if state.rate_limiter.allow(client) {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), "trop de formulaires envoyés depuis une même adresse");
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        views::errors::too_many_requests(),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_the_burst_then_refuses() {
        let limiter = RateLimiter::new(&RateLimitConfig {
            per_minute: 1,
            burst: 3,
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!((0..3).all(|_| limiter.allow(a)));
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b), "another address is still served");
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.7, 203.0.113.9"),
        );
        assert_eq!(client_address(proxy, &headers, &[]), proxy);
        assert_eq!(
            client_address(proxy, &headers, &[proxy]),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        let spoofing: IpAddr = "192.0.2.50".parse().unwrap();
        assert_eq!(client_address(spoofing, &headers, &[proxy]), spoofing);
    }
}
