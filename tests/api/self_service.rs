//! The registrant's self-service: correct their details, download their data,
//! erase everything.

use crate::helpers::*;
use reqwest::StatusCode;

async fn signed_up_page(app: &TestApp, email: &str) -> (String, i64) {
    let mut fields = valid_fields(email);
    fields.push(("join_space", "oui".into()));
    app.sign_up(GROUP_1, &fields).await;
    let (confirm, manage) = app.last_links().await;
    app.get(&app.path_of(&confirm.unwrap())).await;
    let (id,): (i64,) = sqlx::query_as(
        "SELECT r.id FROM registrations r JOIN groups g ON g.id = r.group_id JOIN registrants p ON p.id = r.registrant_id
         WHERE g.slug = ? AND p.email = ?",
    )
    .bind(GROUP_1)
    .bind(email)
    .fetch_one(app.pool())
    .await
    .unwrap();
    (app.path_of(&manage), id)
}

#[tokio::test]
async fn a_registrant_corrects_their_details_but_not_their_address() {
    let app = spawn_app().await;
    let (page, id) = signed_up_page(&app, "marie@mairie.fr").await;
    let edit = format!("{page}/modifier/{id}");
    let (status, html) = app.get_html(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"Élodie\""), "prefilled");
    assert!(
        !html.contains("name=\"email\""),
        "the address is not editable"
    );

    let mut fields: Vec<(&str, String)> = valid_fields("pirate@ailleurs.fr")
        .into_iter()
        .map(|(k, v)| match k {
            "function" => (k, "Adjointe au numérique".to_string()),
            "phone" => (k, "01 23 45 67 89".to_string()),
            _ => (k, v),
        })
        .collect();
    let response = app.post_form_from(&edit, &edit, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (function, phone, state): (String, Option<String>, String) =
        sqlx::query_as("SELECT function, phone, state FROM registrations WHERE id = ?")
            .bind(id)
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(function, "Adjointe au numérique");
    assert_eq!(phone.as_deref(), Some("01 23 45 67 89"));
    assert_eq!(state, "confirmed", "the state is untouched");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registrants WHERE email = 'marie@mairie.fr'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registrants WHERE email = 'pirate@ailleurs.fr'")
            .await,
        0
    );

    fields.retain(|(k, _)| *k != "first_name");
    let response = app.post_form_from(&edit, &edit, &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Renseignez votre prénom.")
    );
}

#[tokio::test]
async fn a_registrant_downloads_all_their_data_as_json() {
    let app = spawn_app().await;
    let (page, _) = signed_up_page(&app, "marie@mairie.fr").await;
    let response = app.get(&format!("{page}/donnees.json")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let data: serde_json::Value = response.json().await.unwrap();
    assert_eq!(data["adresse_electronique"], "marie@mairie.fr");
    let registrations = data["inscriptions"].as_array().unwrap();
    assert_eq!(registrations.len(), 2);
    assert_eq!(registrations[0]["collectivite"]["code_officiel"], "42218");
    assert_eq!(registrations[0]["etat"], "Confirmée");
}

#[tokio::test]
async fn erasing_removes_every_trace_but_an_anonymous_count() {
    let app = spawn_app().await;
    let (page, _) = signed_up_page(&app, "marie@mairie.fr").await;
    signed_up_page(&app, "paul@mairie.fr").await;
    let (status, html) = app.get_html(&format!("{page}/effacer")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Effacer définitivement"),
        "a confirmation step first"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM registrants").await, 2);

    let erase = format!("{page}/effacer");
    let response = app.post_form_from(&erase, &erase, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = app
        .get_html(response.headers()["location"].to_str().unwrap())
        .await;
    assert!(html.contains("Vos données sont effacées"));

    // Nothing anywhere mentions Marie; Paul is untouched.
    let dump: Vec<(String,)> = sqlx::query_as(
        "SELECT email FROM registrants UNION ALL SELECT recipient FROM outbox
         UNION ALL SELECT first_name || last_name || function FROM registrations",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert!(dump.iter().all(|(v,)| !v.contains("marie")), "{dump:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registrations").await,
        2,
        "Paul's two registrations"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM links l JOIN registrants p ON p.id = l.registrant_id WHERE p.email = 'paul@mairie.fr'").await, app.count("SELECT COUNT(*) FROM links").await);
    let (erased,): (i64,) = sqlx::query_as("SELECT registrations FROM erasures")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(erased, 2, "the anonymous count of what was erased");
    // The link no longer opens anything.
    assert_eq!(app.get(&page).await.status(), StatusCode::NOT_FOUND);
}
