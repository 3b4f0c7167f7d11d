//! The confirmation link: confirms, is harmless twice, expires, cannot be forged.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn the_confirmation_link_confirms_and_a_second_click_is_harmless() {
    let app = spawn_app().await;
    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    let (confirm, _) = app.last_links().await;
    let path = app.path_of(&confirm.unwrap());

    let (status, html) = app.get_html(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Inscription confirmée"));
    assert!(
        html.contains("Groupe projet 1 : Agenda de transformation numérique des collectivités")
    );
    assert_eq!(app.registration_states().await[0].1, "confirmed");
    let (confirmed_at,): (i64,) = sqlx::query_as("SELECT confirmed_at FROM registrations")
        .fetch_one(app.pool())
        .await
        .unwrap();

    app.clock.advance(time::Duration::minutes(5));
    let (status, html) = app.get_html(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Inscription confirmée"));
    let (again,): (i64,) = sqlx::query_as("SELECT confirmed_at FROM registrations")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(confirmed_at, again, "the second click changes nothing");
}

#[tokio::test]
async fn an_expired_link_offers_a_new_one_sent_to_the_owner() {
    let app = spawn_app().await;
    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    let (confirm, _) = app.last_links().await;
    let path = app.path_of(&confirm.unwrap());
    app.clock.advance(time::Duration::hours(73));

    let (status, html) = app.get_html(&path).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("a expiré"));
    assert_eq!(app.registration_states().await[0].1, "pending_email");

    let token = path.rsplit('/').next().unwrap().to_owned();
    let response = app
        .post_form_from(&path, "/confirmation/nouveau-lien", &[("token", token)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[1].0, "marie@mairie.fr");
    let (fresh, _) = app.last_links().await;
    let (status, _) = app.get_html(&app.path_of(&fresh.unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.registration_states().await[0].1, "confirmed");
}

#[tokio::test]
async fn forged_and_tampered_tokens_confirm_nothing() {
    let app = spawn_app().await;
    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    let (confirm, manage) = app.last_links().await;
    let confirm = app.path_of(&confirm.unwrap());
    let token = confirm.rsplit('/').next().unwrap();
    let mut tampered = token.to_owned();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let manage_token = manage.rsplit('/').next().unwrap();

    for forged in [
        "/confirmation/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_string(),
        format!("/confirmation/{tampered}"),
        "/confirmation/..%2F..%2Fetc%2Fpasswd".to_string(),
        "/confirmation/%27%20OR%201%3D1--".to_string(),
        // A registrant-page token is not a confirmation token.
        format!("/confirmation/{manage_token}"),
    ] {
        let (status, html) = app.get_html(&forged).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{forged}");
        assert!(html.contains("Lien non valide"), "{forged}");
    }
    assert_eq!(app.registration_states().await[0].1, "pending_email");
}

#[tokio::test]
async fn only_the_hash_of_a_token_is_stored_and_sent_bodies_are_blanked() {
    let app = spawn_app_with(Options {
        worker: true,
        ..Default::default()
    })
    .await;
    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    // The file transport writes the email; once sent, the outbox forgets the body.
    for _ in 0..100 {
        if app
            .count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
            .await
            == 1
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND body_text = ''")
            .await,
        1
    );
    let eml = std::fs::read_dir(&app.mail_dir)
        .unwrap()
        .next()
        .expect("an .eml file")
        .unwrap()
        .path();
    let message = std::fs::read_to_string(eml)
        .unwrap()
        .replace("=\r\n", "")
        .replace("=3D", "=");
    let start = message.find("/confirmation/").expect("link in the email") + "/confirmation/".len();
    let token = &message[start..start + 43];
    let hits: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM links WHERE token_hash = ? OR CAST(token_hash AS TEXT) = ?",
    )
    .bind(token.as_bytes())
    .bind(token)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(hits, 0, "the token itself is not in the database");
    let path = format!("/confirmation/{token}");
    assert_eq!(app.get(&path).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_link_sent_before_time_ordered_keys_still_opens() {
    // Links were once stored under the SHA-256 of their token alone.
    use sha2::Digest;
    let app = spawn_app().await;
    app.confirmed_registration(GROUP_1, "ancienne@mairie.fr")
        .await;
    let token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    sqlx::query(
        "INSERT INTO links (token_hash, purpose, registrant_id, created_at, expires_at)
         SELECT ?, 'manage', id, 0, ? FROM registrants WHERE email = 'ancienne@mairie.fr'",
    )
    .bind(sha2::Sha256::digest(token.as_bytes()).to_vec())
    .bind(app.clock.unix() + 3600)
    .execute(app.pool())
    .await
    .unwrap();
    let (status, html) = app.get_html(&format!("/mes-inscriptions/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Groupe projet 1"), "the registrant's page");
}
