//! The registrant's own page: their registrations, withdrawal, asking for a link.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn the_registrant_page_lists_their_registrations_and_withdraws_one_after_confirming() {
    let app = spawn_app().await;
    let mut fields = valid_fields("marie@mairie.fr");
    fields.push(("join_space", "oui".into()));
    app.sign_up(GROUP_1, &fields).await;
    let (_, manage) = app.last_links().await;
    let page = app.path_of(&manage);

    let (status, html) = app.get_html(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Groupe projet 1 : Agenda de transformation numérique des collectivités")
    );
    assert!(html.contains("Espace collaboratif TNT"));
    assert!(html.contains("À confirmer"));

    let (id,): (i64,) = sqlx::query_as(
        "SELECT r.id FROM registrations r JOIN groups g ON g.id = r.group_id WHERE g.slug = ?",
    )
    .bind(GROUP_1)
    .fetch_one(app.pool())
    .await
    .unwrap();
    let step = format!("{page}/retrait/{id}");
    let (status, html) = app.get_html(&step).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Confirmer le retrait"),
        "a confirmation step comes first"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registrations WHERE state = 'withdrawn'")
            .await,
        0
    );

    let response = app.post_form_from(&step, &step, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (state, withdrawn_at): (String, Option<i64>) =
        sqlx::query_as("SELECT state, withdrawn_at FROM registrations WHERE id = ?")
            .bind(id)
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(state, "withdrawn", "stored, not deleted");
    assert!(withdrawn_at.is_some());
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 2);

    let (_, html) = app
        .get_html(response.headers()["location"].to_str().unwrap())
        .await;
    assert!(html.contains("Votre retrait est enregistré."));
    assert!(html.contains("Retirée"));

    // Withdrawing twice, or someone else's registration, finds nothing.
    assert_eq!(
        app.post_form_from(&page, &step, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_registrant_cannot_reach_another_registrants_registration() {
    let app = spawn_app().await;
    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    app.sign_up(GROUP_1, &valid_fields("paul@mairie.fr")).await;
    let (_, paul_page) = app.last_links().await;
    let (marie_id,): (i64,) = sqlx::query_as("SELECT r.id FROM registrations r JOIN registrants p ON p.id = r.registrant_id WHERE p.email = 'marie@mairie.fr'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let step = format!("{}/retrait/{marie_id}", app.path_of(&paul_page));
    assert_eq!(app.get(&step).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.post_form_from("/", &step, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registrations WHERE state = 'withdrawn'")
            .await,
        0
    );
}

#[tokio::test]
async fn signing_up_again_after_withdrawing_asks_to_confirm_again() {
    let app = spawn_app().await;
    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    let (_, manage) = app.last_links().await;
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM registrations")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let step = format!("{}/retrait/{id}", app.path_of(&manage));
    app.post_form_from(&step, &step, &[]).await;
    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    assert_eq!(
        app.registration_states().await,
        [(GROUP_1.to_string(), "pending_email".to_string())]
    );
    assert!(
        app.outbox()
            .await
            .last()
            .unwrap()
            .1
            .starts_with("Confirmez")
    );
}

#[tokio::test]
async fn asking_for_the_link_again_never_tells_whether_an_address_is_registered() {
    let app = spawn_app().await;
    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    let known = app
        .post_form_from(
            "/mes-inscriptions",
            "/mes-inscriptions",
            &[("email", "Marie@Mairie.fr".into())],
        )
        .await;
    let unknown = app
        .post_form_from(
            "/mes-inscriptions",
            "/mes-inscriptions",
            &[("email", "personne@mairie.fr".into())],
        )
        .await;
    assert_eq!(known.status(), StatusCode::SEE_OTHER);
    assert_eq!(known.status(), unknown.status());
    assert_eq!(known.headers()["location"], unknown.headers()["location"]);
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 2, "only the registered address gets an email");
    assert_eq!(outbox[1].0, "marie@mairie.fr");
    assert!(
        outbox[1].1.starts_with("Confirmez"),
        "still pending: the email confirms"
    );

    let bad = app
        .post_form_from(
            "/mes-inscriptions",
            "/mes-inscriptions",
            &[("email", "nope".into())],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_expired_or_unknown_page_link_offers_a_new_one() {
    let app = spawn_app().await;
    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    let (_, manage) = app.last_links().await;
    app.clock.advance(time::Duration::days(91));
    let (status, html) = app.get_html(&app.path_of(&manage)).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("Recevoir un nouveau lien"));
    let (status, _) = app
        .get_html("/mes-inscriptions/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
