//! Protections every response and every form gets, as middleware so that no
//! route can forget them:
//! - security headers (a CSP without `unsafe-inline`, no framing, no sniffing);
//! - anti-forgery: each visitor gets a random cookie; every form carries
//!   `csrf_token` = HMAC(server key, cookie) (the signed double-submit pattern);
//!   a POST is refused unless its token matches its cookie, and a POST from
//!   another site (`Sec-Fetch-Site: cross-site`, or a foreign `Origin`) is refused
//!   before that.

use axum::{
    body::{Body, Bytes},
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, Method, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngExt;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::error::AppError;
use crate::state::AppState;

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(headers, "content-security-policy", CONTENT_SECURITY_POLICY);
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    // Our links carry tokens in their path: never hand them to another site.
    set(headers, "referrer-policy", "same-origin");
    set(
        headers,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    set(headers, "cross-origin-opener-policy", "same-origin");
    if state.config.is_https() {
        set(
            headers,
            "strict-transport-security",
            "max-age=63072000; includeSubDomains",
        );
    }
    response
}

/// The token a page puts in its forms, for the visitor's cookie.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<CsrfToken>().cloned().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("csrf middleware missing on this route"))
        })
    }
}

fn cookie_name(state: &AppState) -> &'static str {
    // The __Host- prefix pins the cookie to our exact host over https.
    if state.config.is_https() {
        "__Host-csrf"
    } else {
        "csrf"
    }
}

pub(crate) fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| {
            value.len() == 43
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

pub fn form_token(key: &[u8; 32], cookie: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(cookie.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// True if the request comes from a page of another site.
fn is_cross_site(headers: &HeaderMap) -> bool {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Browsers send Origin on every POST; tools that do not, have no cookie to abuse.
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    origin == "null" || origin_host != host
}

/// The value of `csrf_token` in a urlencoded body (read leniently: the rest of the
/// body is judged by the handler, which answers a bad encoding with a 400 page).
fn token_in_body(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(key, _)| key == "csrf_token")
        .map(|(_, value)| value.into_owned())
}

pub async fn csrf(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let name = cookie_name(&state);
    let (mut parts, body) = request.into_parts();
    let existing = read_cookie(&parts.headers, name).map(str::to_owned);
    let is_post = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);

    let body = if is_post {
        if is_cross_site(&parts.headers) {
            tracing::warn!(path = %parts.uri.path(), "POST d’un autre site refusé");
            return AppError::ForbiddenForm.into_response();
        }
        let limit = state.config.server.max_body_bytes;
        let bytes: Bytes = match axum::body::to_bytes(body, limit).await {
            Ok(bytes) => bytes,
            Err(_) => return AppError::PayloadTooLarge.into_response(),
        };
        let valid = match (&existing, token_in_body(&bytes)) {
            (Some(cookie), Some(sent)) => {
                let expected = form_token(&state.csrf_key, cookie);
                bool::from(expected.as_bytes().ct_eq(sent.as_bytes()))
            }
            _ => false,
        };
        if !valid {
            tracing::warn!(path = %parts.uri.path(), "POST sans jeton anti-falsification valide");
            return AppError::ForbiddenForm.into_response();
        }
        Body::from(bytes)
    } else {
        body
    };

    let (cookie, is_new) = match existing {
        Some(cookie) => (cookie, false),
        None => {
            let bytes: [u8; 32] = rand::rng().random();
            (URL_SAFE_NO_PAD.encode(bytes), true)
        }
    };
    parts
        .extensions
        .insert(CsrfToken(form_token(&state.csrf_key, &cookie)));
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if is_new {
        let secure = if state.config.is_https() {
            "; Secure"
        } else {
            ""
        };
        let value = format!("{name}={cookie}; Path=/; HttpOnly; SameSite=Strict{secure}");
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_site_detection() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(!is_cross_site(&headers));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(!is_cross_site(&headers));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(is_cross_site(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(is_cross_site(&headers));
        headers.remove(header::ORIGIN);
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(is_cross_site(&headers));
    }

    #[test]
    fn tokens_depend_on_key_and_cookie() {
        let key = [7u8; 32];
        assert_eq!(form_token(&key, "a"), form_token(&key, "a"));
        assert_ne!(form_token(&key, "a"), form_token(&key, "b"));
        assert_ne!(form_token(&key, "a"), form_token(&[8u8; 32], "a"));
    }
}
