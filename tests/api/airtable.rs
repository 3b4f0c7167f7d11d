//! Import of Airtable exports with awkward rows.

use std::path::PathBuf;

use crate::helpers::*;
use inscriptions::import::airtable::{self, Field, Options};

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/airtable")
        .join(name)
}

fn options() -> Options {
    Options {
        group_slug: GROUP_1.into(),
        mappings: Vec::new(),
        confirmed: false,
        dry_run: false,
    }
}

#[tokio::test]
async fn an_awkward_export_imports_valid_rows_and_reports_the_others() {
    let app = spawn_app().await;
    // Already registered through our own form: a duplicate, not a second row.
    app.sign_up(GROUP_1, &valid_fields("deja@mairie.fr")).await;

    let report = airtable::import(&app.state, &sample("groupe-1.csv"), &options())
        .await
        .unwrap();
    assert_eq!(report.rows, 8, "the blank line is skipped: {report}");
    assert_eq!(report.imported, 3, "{report}");
    let duplicates: Vec<&str> = report.duplicates.iter().map(|(_, e)| e.as_str()).collect();
    assert_eq!(
        duplicates,
        ["elodie.ndiaye@mairie-exemple.fr", "deja@mairie.fr"]
    );
    let rejected_lines: Vec<u64> = report.rejected.iter().map(|(l, _)| *l).collect();
    assert_eq!(rejected_lines, [6, 7, 8], "{report}");
    assert!(
        report.rejected[0]
            .1
            .iter()
            .any(|r| r.contains("Renseignez votre adresse électronique"))
    );
    assert!(
        report.rejected[1]
            .1
            .iter()
            .any(|r| r.contains("adresse électronique valide"))
    );
    assert!(
        report.rejected[2]
            .1
            .iter()
            .any(|r| r.contains("caractère non autorisé"))
    );
    assert_eq!(report.unmapped_headers, ["Couleur préférée"]);
    let text = report.to_string();
    assert!(text.contains("ligne 7 : refusée"), "{text}");

    // The multi-line, quoted, comma-holding cells arrive whole.
    let (last_name, function, authority, kind, code, created): (String, String, String, String, Option<String>, i64) = sqlx::query_as(
        "SELECT r.last_name, r.function, r.authority_name, r.authority_kind, r.authority_code, r.created_at
         FROM registrations r JOIN registrants p ON p.id = r.registrant_id WHERE p.email = 'jb.delatour@cc-exemple.fr'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(last_name, "de La Tour d’Auvergne");
    assert_eq!(
        function, "Chargé de mission numérique, dit \"JB\"",
        "the line break is tidied to a space"
    );
    assert_eq!(authority, "CC des Monts, du Pilat");
    assert_eq!(kind, "epci");
    assert_eq!(code.as_deref(), Some("244200770"));
    assert_eq!(
        created,
        app.clock.unix(),
        "pending rows start their retention clock now"
    );

    // Each imported row waits for its owner's confirmation, by email.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registrations WHERE state = 'pending_email'")
            .await,
        4
    );
    let reconfirmations = app
        .count("SELECT COUNT(*) FROM outbox WHERE kind = 'reconfirmation'")
        .await;
    assert_eq!(reconfirmations, 3);
    let (_, subject, body) = app.outbox().await.pop().unwrap();
    assert!(subject.contains("nouvelle plateforme"));
    let (confirm, _) = links_of(&body, &app.address);
    assert_eq!(
        app.get(&app.path_of(&confirm.unwrap())).await.status(),
        reqwest::StatusCode::OK
    );

    // Importing the same file again adds nothing.
    let again = airtable::import(&app.state, &sample("groupe-1.csv"), &options())
        .await
        .unwrap();
    assert_eq!(again.imported, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 4);
}

#[tokio::test]
async fn a_dry_run_writes_nothing_and_confirmed_trusts_the_export() {
    let app = spawn_app().await;
    let dry = airtable::import(
        &app.state,
        &sample("groupe-1.csv"),
        &Options {
            dry_run: true,
            ..options()
        },
    )
    .await
    .unwrap();
    assert_eq!(dry.imported, 4);
    assert!(dry.to_string().starts_with("Essai à blanc"));
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);

    let trusted = airtable::import(
        &app.state,
        &sample("groupe-1.csv"),
        &Options {
            confirmed: true,
            ..options()
        },
    )
    .await
    .unwrap();
    assert_eq!(trusted.imported, 4);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registrations WHERE state = 'confirmed'")
            .await,
        4
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox").await,
        0,
        "no email when the export is trusted"
    );
    let (created,): (i64,) = sqlx::query_as(
        "SELECT r.created_at FROM registrations r JOIN registrants p ON p.id = r.registrant_id WHERE p.email = 'elodie.ndiaye@mairie-exemple.fr'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(created, 1_635_949_325, "Airtable's created time is kept");
}

#[tokio::test]
async fn other_headers_are_read_through_map() {
    let app = spawn_app().await;
    let without = airtable::import(&app.state, &sample("autres-colonnes.csv"), &options()).await;
    assert!(without.unwrap_err().to_string().contains("--map"));
    let mappings = vec![
        ("First name".to_string(), Field::FirstName),
        ("Last name".to_string(), Field::LastName),
        ("Contact".to_string(), Field::Email),
        ("Qui êtes-vous".to_string(), Field::Role),
        ("Job".to_string(), Field::Function),
        ("Kind".to_string(), Field::AuthorityKind),
        ("Org".to_string(), Field::AuthorityName),
    ];
    let report = airtable::import(
        &app.state,
        &sample("autres-colonnes.csv"),
        &Options {
            mappings,
            ..options()
        },
    )
    .await
    .unwrap();
    assert_eq!(report.imported, 1, "{report}");
    let (kind,): (String,) = sqlx::query_as("SELECT authority_kind FROM registrations")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(kind, "departement");
}
