//! Protections: anti-forgery tokens, cross-site posts, headers, body size, pages.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn a_post_without_a_valid_token_is_refused() {
    let app = spawn_app().await;
    let path = format!("/groupes/{GROUP_1}/inscription");
    app.get(&path).await; // gets the cookie
    let mut body = valid_fields("marie@mairie.fr");
    let no_token = app
        .client
        .post(app.url(&path))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    assert!(no_token.text().await.unwrap().contains("Formulaire expiré"));

    body.push(("csrf_token", "AAAA".into()));
    let wrong = app
        .client
        .post(app.url(&path))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);

    // A token taken by another visitor does not match this visitor's cookie.
    let other = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let token = extract_csrf(
        &other
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    body.pop();
    body.push(("csrf_token", token));
    let stolen = app
        .client
        .post(app.url(&path))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 0);
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_token() {
    let app = spawn_app().await;
    let path = format!("/groupes/{GROUP_1}/inscription");
    let mut body = valid_fields("marie@mairie.fr");
    body.push(("csrf_token", app.csrf_token(&path).await));
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("origin", "null"),
    ] {
        let response = app
            .client
            .post(app.url(&path))
            .header(header, value)
            .form(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{header}: {value}"
        );
    }
    let same_origin = app
        .client
        .post(app.url(&path))
        .header("origin", &app.address)
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 1);
}

#[tokio::test]
async fn the_anti_forgery_cookie_is_http_only_and_strict() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/")).await.unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("csrf="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/groupes/agenda-transformation-numerique/inscription",
        "/nimporte-quoi",
        "/mentions-legales",
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "same-origin");
        assert!(headers.contains_key("x-request-id"));
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_nothing_stored() {
    let app = spawn_app().await;
    let path = format!("/groupes/{GROUP_1}/inscription");
    let mut body = valid_fields("marie@mairie.fr");
    body.push(("csrf_token", app.csrf_token(&path).await));
    body.push(("function", "x".repeat(1_000_000)));
    let response = app
        .client
        .post(app.url(&path))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Envoi trop volumineux")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 0);
}

#[tokio::test]
async fn an_unreadable_body_gets_a_french_400_page() {
    let app = spawn_app().await;
    let path = format!("/groupes/{GROUP_1}/inscription");
    let token = app.csrf_token(&path).await;
    let mut raw = format!("csrf_token={token}&first_name=").into_bytes();
    raw.extend_from_slice(&[0xff, 0xfe]);
    raw.extend_from_slice(b"&first_name=twice");
    let response = app
        .client
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("Demande illisible"));
}

#[tokio::test]
async fn legal_pages_exist_and_assets_are_served_with_a_long_cache() {
    let app = spawn_app().await;
    for (path, title) in [
        ("/accessibilite", "Déclaration d’accessibilité"),
        ("/mentions-legales", "Mentions légales"),
        ("/donnees-personnelles", "Données personnelles"),
    ] {
        let (status, html) = app.get_html(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(title), "{path}");
    }
    let (_, html) = app.get_html("/donnees-personnelles").await;
    assert!(html.contains("30 jours"), "retention periods from config");
    let css = app.get("/static/dsfr-1.15.3/dsfr.min.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
    assert_eq!(
        app.get("/static/app-0.1.0/app.js").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn errors_from_the_framework_get_the_french_pages_too() {
    let app = spawn_app().await;
    let (_, admin) = app
        .staff_client("admin@numerique.gouv.fr", "admin", &[])
        .await;
    for (client, path, status) in [
        (
            &admin,
            "/equipe/groupes/agenda-transformation-numerique/inscriptions/pas-un-nombre",
            StatusCode::BAD_REQUEST,
        ),
        (
            &admin,
            "/equipe/groupes/agenda-transformation-numerique?page=-3",
            StatusCode::BAD_REQUEST,
        ),
        (
            &app.client,
            "/api/collectivites?limit=abc",
            StatusCode::BAD_REQUEST,
        ),
        (
            &app.client,
            "/static/app-0.1.0/absent.css",
            StatusCode::NOT_FOUND,
        ),
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert!(
            response.text().await.unwrap().contains("<html lang=\"fr\""),
            "{path}"
        );
    }
    let response = app.post_form_from("/", "/mentions-legales", &[]).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(response.text().await.unwrap().contains("Page non trouvée"));
    // JSON stays JSON.
    let ready = app.get("/readyz").await;
    assert!(
        ready.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}
