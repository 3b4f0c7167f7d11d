//! The public side: home page, forms, sign-up, validation, duplicates.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn the_home_page_lists_exactly_the_seed_groups_with_our_own_forms() {
    let app = spawn_app().await;
    let (status, html) = app.get_html("/").await;
    assert_eq!(status, StatusCode::OK);
    for title in [
        "Groupe projet 1 : Agenda de transformation numérique des collectivités",
        "Groupe projet 2 : Sensibilisation des élus et cadres dirigeants des collectivités",
        "Groupe projet 3 : Accompagnement à la dématérialisation des demandes d’urbanisme",
        "Donner aux collectivités une visibilité sur les chantiers à venir en termes de dématérialisation et améliorer la prise en compte de leurs conséquences.",
        "l’Agence nationale de la cohésion des territoires (ANCT), France urbaine, l’Assemblée des Communautés de France (AdCF) et Villes de France.",
        "la direction générale de l’aménagement, du logement et de la nature (DGALN), le ministère de la Transition écologique (MTE) et l’Association des Maires de France (AMF).",
        "Je souhaite m’inscrire à l’espace collaboratif TNT afin de suivre l’avancement des travaux et participer aux échanges",
    ] {
        assert!(html.contains(title), "home page lacks {title:?}");
    }
    assert_eq!(
        html.matches("S’inscrire pour participer à ce groupe projet</a>")
            .count(),
        3
    );
    assert_eq!(
        html.matches("Groupe projet ").count(),
        3 * 2,
        "three groups, each titled in heading and button title"
    );
    assert!(!html.to_lowercase().contains("airtable"));
    for slug in [
        GROUP_1,
        "sensibilisation-elus-cadres-dirigeants",
        "dematerialisation-urbanisme",
        SPACE,
    ] {
        assert!(
            html.contains(&format!("href=\"/groupes/{slug}/inscription\"")),
            "no form link for {slug}"
        );
    }
}

#[tokio::test]
async fn each_group_has_its_form_with_every_field() {
    let app = spawn_app().await;
    for slug in [
        GROUP_1,
        "sensibilisation-elus-cadres-dirigeants",
        "dematerialisation-urbanisme",
        SPACE,
    ] {
        let (status, html) = app.get_html(&format!("/groupes/{slug}/inscription")).await;
        assert_eq!(status, StatusCode::OK, "{slug}");
        for field in [
            "first_name",
            "last_name",
            "email",
            "role",
            "function",
            "authority_kind",
            "authority_name",
            "authority_code",
            "phone",
            "csrf_token",
        ] {
            assert!(
                html.contains(&format!("name=\"{field}\"")),
                "{slug} lacks {field}"
            );
        }
        assert_eq!(
            html.contains("name=\"join_space\""),
            slug != SPACE,
            "{slug}: the space box only on project groups"
        );
        assert!(
            !html.contains("name=\"join_space\" value=\"oui\" checked"),
            "the box starts unticked"
        );
        assert!(html.contains("Téléphone (optionnel)"));
        assert!(
            html.contains("Vos données personnelles"),
            "{slug}: the art. 13 notice"
        );
    }
}

#[tokio::test]
async fn an_unknown_group_is_a_404_page() {
    let app = spawn_app().await;
    let (status, html) = app.get_html("/groupes/nimporte-quoi/inscription").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page non trouvée"));
    let response = app
        .sign_up("nimporte-quoi", &valid_fields("a@mairie.fr"))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 0);
}

#[tokio::test]
async fn a_valid_sign_up_is_stored_pending_with_its_email_queued() {
    let app = spawn_app().await;
    let response = app
        .sign_up(GROUP_1, &valid_fields("  Elodie.NDiaye@Mairie-Exemple.fr "))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/inscription/envoyee");

    assert_eq!(
        app.registration_states().await,
        [(GROUP_1.to_string(), "pending_email".to_string())]
    );
    let (email,): (String,) = sqlx::query_as("SELECT email FROM registrants")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(email, "elodie.ndiaye@mairie-exemple.fr");
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 1);
    let (recipient, subject, body) = &outbox[0];
    assert_eq!(recipient, "elodie.ndiaye@mairie-exemple.fr");
    assert_eq!(
        subject,
        "Confirmez votre inscription aux groupes projets TNT"
    );
    assert!(
        body.contains("Groupe projet 1 : Agenda de transformation numérique des collectivités")
    );
    let (confirm, _manage) = app.last_links().await;
    assert!(confirm.is_some());

    let (status, html) = app.get_html("/inscription/envoyee").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("courriers indésirables"),
        "mentions the spam folder"
    );
    assert!(
        html.contains("Recevoir un nouveau lien"),
        "offers to re-send"
    );
}

#[tokio::test]
async fn ticking_the_box_also_registers_to_the_collaborative_space_with_one_email() {
    let app = spawn_app().await;
    let mut fields = valid_fields("marie@mairie.fr");
    fields.push(("join_space", "oui".into()));
    assert_eq!(
        app.sign_up(GROUP_1, &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    let mut states = app.registration_states().await;
    states.sort();
    assert_eq!(
        states,
        [
            (GROUP_1.to_string(), "pending_email".to_string()),
            (SPACE.to_string(), "pending_email".to_string())
        ]
    );
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert!(outbox[0].2.contains("Espace collaboratif TNT"));
}

#[tokio::test]
async fn invalid_input_is_refused_with_a_french_message_and_nothing_stored() {
    let app = spawn_app().await;
    let long = "a".repeat(101);
    let cases: Vec<(&str, &str, String, &str)> = vec![
        (
            "empty first name",
            "first_name",
            "".into(),
            "Renseignez votre prénom.",
        ),
        (
            "blank last name",
            "last_name",
            "   ".into(),
            "Renseignez votre nom.",
        ),
        (
            "empty email",
            "email",
            "".into(),
            "Renseignez votre adresse électronique.",
        ),
        (
            "email without @",
            "email",
            "marie.mairie.fr".into(),
            "Saisissez une adresse électronique valide",
        ),
        (
            "email without domain dot",
            "email",
            "marie@mairie".into(),
            "Saisissez une adresse électronique valide",
        ),
        (
            "email with spaces",
            "email",
            "marie curie@mairie.fr".into(),
            "Saisissez une adresse électronique valide",
        ),
        (
            "email with accents",
            "email",
            "élodie@mairie.fr".into(),
            "ni accent ni caractère spécial",
        ),
        (
            "email CRLF injection",
            "email",
            "a@b.fr\r\nBcc: x@y.fr".into(),
            "Saisissez une adresse électronique valide",
        ),
        (
            "over-long email",
            "email",
            format!("{}@mairie.fr", "a".repeat(250)),
            "ne doit pas dépasser 254 caractères",
        ),
        (
            "over-long first name",
            "first_name",
            long.clone(),
            "ne doit pas dépasser 100 caractères",
        ),
        (
            "digits in a name",
            "last_name",
            "Dupont2".into(),
            "que des lettres",
        ),
        (
            "CRLF in a name",
            "first_name",
            "Jean\r\nBcc: victim@example.org".into(),
            "caractère non autorisé",
        ),
        (
            "script in first name",
            "first_name",
            "<script>alert(1)</script>".into(),
            "caractère non autorisé",
        ),
        (
            "script in last name",
            "last_name",
            "<img src=x onerror=alert(1)>".into(),
            "caractère non autorisé",
        ),
        (
            "script in function",
            "function",
            "<script>alert(1)</script>".into(),
            "caractère non autorisé",
        ),
        (
            "script in authority",
            "authority_name",
            "<svg onload=alert(1)>".into(),
            "caractère non autorisé",
        ),
        (
            "script in phone",
            "phone",
            "<script>".into(),
            "Le numéro de téléphone",
        ),
        (
            "script in code",
            "authority_code",
            "<script>".into(),
            "code INSEE à 5 caractères",
        ),
        (
            "missing role",
            "role",
            "".into(),
            "Indiquez si vous êtes agent ou élu·e.",
        ),
        (
            "unknown role",
            "role",
            "roi".into(),
            "Indiquez si vous êtes agent ou élu·e.",
        ),
        (
            "missing authority kind",
            "authority_kind",
            "".into(),
            "Indiquez le type de votre collectivité",
        ),
        (
            "empty function",
            "function",
            "".into(),
            "Renseignez votre fonction.",
        ),
        (
            "over-long function",
            "function",
            "x".repeat(101),
            "ne doit pas dépasser 100 caractères",
        ),
        (
            "empty authority name",
            "authority_name",
            "".into(),
            "Renseignez le nom de votre collectivité",
        ),
        (
            "bad INSEE code",
            "authority_code",
            "4221".into(),
            "code INSEE à 5 caractères",
        ),
        (
            "formula in phone",
            "phone",
            "=1+2".into(),
            "Le numéro de téléphone",
        ),
        (
            "RTL override in a name",
            "last_name",
            "Dupont\u{202E}".into(),
            "caractère non autorisé",
        ),
        (
            "NUL in function",
            "function",
            "DGS\u{0}".into(),
            "caractère non autorisé",
        ),
    ];
    assert!(cases.len() >= 20);
    for (case, field, value, expected) in cases {
        let fields: Vec<(&str, String)> = valid_fields("marie@mairie.fr")
            .into_iter()
            .map(|(k, v)| {
                if k == field {
                    (k, value.clone())
                } else {
                    (k, v)
                }
            })
            .collect();
        let response = app.sign_up(GROUP_1, &fields).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "case {case}"
        );
        let html = response.text().await.unwrap();
        assert!(
            html.contains(expected),
            "case {case}: expected {expected:?} in the page"
        );
        assert!(
            html.contains("id=\"resume-erreurs\""),
            "case {case}: error summary"
        );
        assert!(
            html.contains(&format!("href=\"#{field}\"")),
            "case {case}: summary links to {field}"
        );
        assert!(
            html.contains("aria-invalid=\"true\""),
            "case {case}: field marked invalid"
        );
        assert!(
            !html.contains("<script>alert")
                && !html.contains("<img src=x")
                && !html.contains("<svg onload"),
            "case {case}: input echoed unescaped"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM registrations").await,
            0,
            "case {case}: stored"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox").await,
            0,
            "case {case}: queued"
        );
    }
}

#[tokio::test]
async fn the_form_comes_back_with_the_input_kept() {
    let app = spawn_app().await;
    let mut fields = valid_fields("pas-une-adresse");
    fields.push(("join_space", "oui".into()));
    let html = app.sign_up(GROUP_1, &fields).await.text().await.unwrap();
    assert!(html.contains("value=\"Élodie\""));
    assert!(html.contains("value=\"pas-une-adresse\""));
    assert!(html.contains("value=\"elected\" checked"));
    assert!(html.contains("value=\"commune\" selected"));
    assert!(html.contains("value=\"oui\" checked"));
    assert!(
        html.contains("<title>Erreur"),
        "the title says there are errors"
    );
}

#[tokio::test]
async fn signing_up_twice_makes_one_row_the_same_answer_and_a_fresh_link() {
    let app = spawn_app().await;
    let first = app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    let second = app.sign_up(GROUP_1, &valid_fields("MARIE@mairie.fr")).await;
    assert_eq!(first.status(), second.status());
    assert_eq!(first.headers()["location"], second.headers()["location"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 1);
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 2, "the owner gets a fresh link");
    assert!(
        outbox[1].1.starts_with("Confirmez"),
        "still waiting: a new confirmation link"
    );

    // Once confirmed, a new sign-up only tells the owner they are registered.
    let (confirm, _) = app.last_links().await;
    app.get(&app.path_of(&confirm.unwrap())).await;
    let third = app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    assert_eq!(third.headers()["location"], "/inscription/envoyee");
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 1);
    let (_, subject, _) = app.outbox().await.pop().unwrap();
    assert_eq!(subject, "Vous êtes déjà inscrit·e aux groupes projets TNT");
    assert_eq!(
        app.registration_states().await[0].1,
        "confirmed",
        "left as it was"
    );
}

#[tokio::test]
async fn concurrent_identical_sign_ups_make_one_row() {
    let app = spawn_app().await;
    let path = format!("/groupes/{GROUP_1}/inscription");
    let token = app.csrf_token(&path).await;
    let mut body = valid_fields("simultane@mairie.fr");
    body.push(("csrf_token", token));
    let requests = (0..8).map(|_| app.client.post(app.url(&path)).form(&body).send());
    for response in futures_util::future::join_all(requests).await {
        assert_eq!(response.unwrap().status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM registrants").await, 1);
}

#[tokio::test]
async fn a_closed_group_says_so_instead_of_taking_sign_ups() {
    let app = spawn_app().await;
    sqlx::query("UPDATE groups SET is_open = 0 WHERE slug = ?")
        .bind(GROUP_1)
        .execute(app.pool())
        .await
        .unwrap();
    let (status, html) = app
        .get_html(&format!("/groupes/{GROUP_1}/inscription"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Les inscriptions à ce groupe sont closes"));
    assert!(!html.contains("name=\"first_name\""));
    let response = app
        .post_form_from(
            "/",
            &format!("/groupes/{GROUP_1}/inscription"),
            &valid_fields("a@mairie.fr"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 0);
}
