//! The official list of authorities in the sign-up: the JSON search behind the
//! autocomplete, and the server-side search that works without JavaScript.

use crate::helpers::*;
use reqwest::StatusCode;

async fn app_with_referentiel() -> TestApp {
    let root = env!("CARGO_MANIFEST_DIR");
    spawn_app_with(Options {
        config: format!(
            "[referentiel]\nimport_at_start = true\ndata_dir = \"{root}/node_modules/@etalab/decoupage-administratif/data\"\n"
        ),
        ..Default::default()
    })
    .await
}

fn without_authority(email: &str) -> Vec<(&'static str, String)> {
    valid_fields(email)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("authority_"))
        .collect()
}

#[tokio::test]
async fn the_json_search_ranks_and_describes_authorities() {
    let app = app_with_referentiel().await;
    let response = app.get("/api/collectivites?q=saint%20etienne").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    let first = &body["results"][0];
    assert_eq!(first["code"], "42218");
    assert_eq!(first["description"], "Saint-Étienne — commune, Loire (42)");
    let body: serde_json::Value = app.get("/api/collectivites?q=").await.json().await.unwrap();
    assert_eq!(body["results"].as_array().unwrap().len(), 0);
    let body: serde_json::Value = app
        .get("/api/collectivites?q=%25&limit=5000")
        .await
        .json()
        .await
        .unwrap();
    assert!(body["results"].as_array().unwrap().len() <= 100);
}

#[tokio::test]
async fn without_javascript_the_form_searches_keeps_the_input_and_signs_up_with_the_pick() {
    let app = app_with_referentiel().await;
    let path = format!("/groupes/{GROUP_1}/inscription");
    let mut fields = without_authority("marie@mairie.fr");
    fields.push(("authority_query", "l'hay".into()));
    fields.push(("action", "rechercher".into()));
    let response = app.post_form_from(&path, &path, &fields).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a search is not a sign-up"
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains("value=\"commune:94038\""),
        "L'Haÿ-les-Roses offered"
    );
    assert!(
        html.contains("L'Haÿ-les-Roses — commune, Val-de-Marne (94)"),
        "described with its type and département"
    );
    assert!(html.contains("value=\"Élodie\""), "the rest is kept");
    assert!(!html.contains("resume-erreurs"), "no error for a search");
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 0);

    let mut fields = without_authority("marie@mairie.fr");
    fields.push(("authority_choice", "commune:42218".into()));
    let response = app.post_form_from(&path, &path, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let row: (String, String, Option<String>, Option<String>, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT authority_kind, authority_name, authority_code, departement_code, departement_name, region_code FROM registrations",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "commune".into(),
            "Saint-Étienne".into(),
            Some("42218".into()),
            Some("42".into()),
            Some("Loire".into()),
            Some("84".into())
        )
    );
}

#[tokio::test]
async fn a_code_typed_by_hand_must_exist_and_brings_its_territory() {
    let app = app_with_referentiel().await;
    let path = format!("/groupes/{GROUP_1}/inscription");
    let mut fields = without_authority("paul@mairie.fr");
    fields.extend([
        ("authority_kind", "epci".into()),
        ("authority_name", "Saint-Étienne Métropole".into()),
        ("authority_code", "999999999".into()),
    ]);
    let response = app.post_form_from(&path, &path, &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("n’a ce code dans la liste officielle")
    );

    fields.pop();
    fields.push(("authority_code", "244200770".into()));
    assert_eq!(
        app.post_form_from(&path, &path, &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    let (departement, region): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT departement_code, region_code FROM registrations")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(
        (departement.as_deref(), region.as_deref()),
        (Some("42"), Some("84"))
    );

    // Another public body needs no code from the list.
    let mut fields = without_authority("agent@prefecture.gouv.fr");
    fields.extend([
        ("authority_kind", "autre".into()),
        ("authority_name", "Préfecture de la Loire".into()),
    ]);
    assert_eq!(
        app.post_form_from(&path, &path, &fields).await.status(),
        StatusCode::SEE_OTHER
    );
}
