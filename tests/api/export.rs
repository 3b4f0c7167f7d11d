//! The participant export: both CSV flavours read back with the csv crate,
//! formula neutralisation, filters, the audit log, and a 100,000-row export.

use crate::helpers::*;
use reqwest::StatusCode;

async fn export(
    app: &TestApp,
    client: &reqwest::Client,
    query: &str,
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let response = client
        .get(app.url(&format!("/equipe/groupes/{GROUP_1}/export.csv?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    (headers, response.bytes().await.unwrap().to_vec())
}

fn read(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn both_flavours_read_back_with_accents_quotes_and_neutralised_formulas() {
    let app = spawn_app().await;
    // A registrant whose free-text fields hold separators, quotes and a formula.
    let mut fields = valid_fields("formule@mairie.fr");
    for (key, value) in fields.iter_mut() {
        match *key {
            "function" => *value = "=HYPERLINK(\"http://evil.example\";\"x\")".into(),
            "authority_name" => *value = "Communauté « Loire ; Forez », dite \"LF\"".into(),
            "phone" => *value = "+33 4 77 00 00 00".into(),
            _ => {}
        }
    }
    app.sign_up(GROUP_1, &fields).await;
    app.confirmed_registration(GROUP_1, "deuxieme@mairie.fr")
        .await;
    let (_, copilot) = app
        .staff_client("copilote@numerique.gouv.fr", "copilot", &[GROUP_1])
        .await;

    // The query string as the list page's link writes it (every filter, page=0).
    let (headers, excel) = export(
        &app,
        &copilot,
        "etat=&role=&type_collectivite=&region=&departement=&q=&page=0",
    )
    .await;
    let disposition = headers["content-disposition"].to_str().unwrap();
    let today = inscriptions::clock::in_paris(app.clock.now()).date();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"inscrits-{GROUP_1}-{today}.csv\"")
    );
    assert!(excel.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    assert!(excel.windows(2).any(|w| w == b"\r\n"), "CRLF");
    let rows = read(&excel[3..], b';');
    assert_eq!(rows[0][0], "état");
    assert_eq!(rows[0].len(), inscriptions::export::COLUMNS.len());
    assert_eq!(rows.len(), 3);
    let formula = rows.iter().find(|r| r[3] == "formule@mairie.fr").unwrap();
    assert_eq!(
        formula[5], "'=HYPERLINK(\"http://evil.example\";\"x\")",
        "neutralised, quotes kept"
    );
    assert_eq!(formula[7], "Communauté « Loire ; Forez », dite \"LF\"");
    assert_eq!(
        formula[11], "'+33 4 77 00 00 00",
        "a leading + is neutralised too"
    );
    assert_eq!(formula[0], "À confirmer");
    assert_eq!(formula[1], "Élodie");

    let (_, plain) = export(&app, &copilot, "format=csv").await;
    assert!(!plain.starts_with(b"\xEF\xBB\xBF"), "no BOM for scripts");
    let rows = read(&plain, b',');
    assert_eq!(rows.len(), 3);
    assert!(
        rows[1..].iter().all(|r| r[12].contains('T')),
        "RFC 3339 dates"
    );

    // The export follows the list's filters.
    let (_, filtered) = export(&app, &copilot, "etat=confirmed&format=csv").await;
    let rows = read(&filtered, b',');
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][3], "deuxieme@mairie.fr");
    let (_, searched) = export(&app, &copilot, "q=FORMULE&format=csv").await;
    assert_eq!(read(&searched, b',').len(), 2);

    // Each export is in the audit log, with its filters and row count.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let logged: Vec<(String,)> =
        sqlx::query_as("SELECT details FROM audit_log WHERE action = 'export' ORDER BY id")
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(logged.len(), 4);
    let third: serde_json::Value = serde_json::from_str(&logged[2].0).unwrap();
    assert_eq!(third["lignes"], 1);
    assert_eq!(third["filtres"]["etat"], "confirmed");
    assert_eq!(third["format"], "csv");
}

#[tokio::test]
async fn a_100_000_registration_export_streams_every_row() {
    let app = spawn_app().await;
    // One transaction: the retention pass at start must not see registrants
    // without their registrations.
    let mut tx = inscriptions::db::begin_write(app.pool()).await.unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
         INSERT INTO registrants (id, email, created_at) SELECT i, 'personne' || i || '@mairie.fr', 1764000000 FROM n",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO registrations (registrant_id, group_id, state, first_name, last_name, role, function, authority_kind,
            authority_name, created_at, updated_at, confirmed_at)
         SELECT id, (SELECT id FROM groups WHERE slug = ?), 'confirmed', 'Élodie', 'N’Diaye', 'elected', 'Maire', 'commune',
            'Saint-Étienne', 1764000000, 1764000000, 1764000100 FROM registrants",
    )
    .bind(GROUP_1)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (_, admin) = app
        .staff_client("admin@numerique.gouv.fr", "admin", &[])
        .await;
    let mut response = admin
        .get(app.url(&format!("/equipe/groupes/{GROUP_1}/export.csv?format=csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Read it chunk by chunk too, counting lines without keeping the file.
    let mut lines = 0usize;
    while let Some(chunk) = response.chunk().await.unwrap() {
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    assert_eq!(lines, 100_001, "a header and every registration");
}
