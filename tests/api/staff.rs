//! The staff area: who may see what (a matrix over every staff route), sign-in
//! links, sessions, moderation.

use crate::helpers::*;
use inscriptions::web::staff::{Access, table};
use reqwest::{Method, StatusCode};

const GROUP_2: &str = "sensibilisation-elus-cadres-dirigeants";

/// A plausible body for each staff POST, so an authorised request gets past validation.
fn body_for(path: &str) -> Vec<(&'static str, String)> {
    match path {
        "/equipe/moderation" => vec![("decision", "approve".into())],
        "/equipe/admin/groupes" => vec![
            ("slug", "nouveau-groupe".into()),
            ("title", "Nouveau".into()),
            ("objective", "Objectif".into()),
        ],
        "/equipe/admin/groupes/{slug}" => vec![
            ("title", "Agenda".into()),
            ("objective", "Objectif".into()),
            ("is_open", "oui".into()),
        ],
        "/equipe/admin/groupes/{slug}/deplacer" => vec![("sens", "bas".into())],
        "/equipe/admin/equipe" => vec![
            ("email", "nouveau@numerique.gouv.fr".into()),
            ("role", "copilot".into()),
        ],
        "/equipe/admin/equipe/{id}" => vec![("role", "copilot".into())],
        // Each role's turn erases it: later routes still find the other registrations.
        "/equipe/admin/personnes/donnees" | "/equipe/admin/personnes/effacer" => {
            vec![("email", "inscrite@mairie.fr".into())]
        }
        _ => vec![],
    }
}

#[tokio::test]
async fn every_staff_route_answers_each_role_as_it_should() {
    let app = spawn_app().await;
    let registration = app
        .confirmed_registration(GROUP_1, "inscrite@mairie.fr")
        .await;
    let other_registration = app.confirmed_registration(GROUP_2, "autre@mairie.fr").await;
    let (_, admin) = app
        .staff_client("admin@numerique.gouv.fr", "admin", &[])
        .await;
    let (_, copilot) = app
        .staff_client("copilote@numerique.gouv.fr", "copilot", &[GROUP_1])
        .await;
    let (_, outsider) = app
        .staff_client("ailleurs@numerique.gouv.fr", "copilot", &[GROUP_2])
        .await;

    let mut routes = table();
    assert!(routes.len() >= 20, "the table lists the staff routes");
    // Signing out ends the session: last.
    routes.sort_by_key(|r| r.path == "/equipe/deconnexion");
    for (who, client) in [
        ("anonymous", new_client()),
        ("outsider", outsider),
        ("copilot", copilot),
        ("admin", admin),
    ] {
        let token = app.token_of(&client).await;
        for route in &routes {
            if route.access == Access::Public {
                continue;
            }
            // Each removal gets its own victim, so the routes after it still have something to act on.
            let victim = app
                .staff_client(&format!("victime-{who}@numerique.gouv.fr"), "copilot", &[])
                .await
                .0;
            let path = route
                .path
                .replace("{slug}", GROUP_1)
                .replace(
                    "/inscriptions/{id}",
                    &format!("/inscriptions/{registration}"),
                )
                .replace("{id}", &victim.to_string());
            let response = if route.method == Method::GET {
                client.get(app.url(&path)).send().await.unwrap()
            } else {
                let mut body = body_for(route.path);
                body.push(("csrf_token", token.clone()));
                client
                    .post(app.url(&path))
                    .form(&body)
                    .send()
                    .await
                    .unwrap()
            };
            let status = response.status();
            let location = response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned());
            let case = format!("{who} {} {path}", route.method);
            match (who, route.access) {
                ("anonymous", _) => {
                    assert_eq!(status, StatusCode::SEE_OTHER, "{case}");
                    assert_eq!(location.as_deref(), Some("/connexion"), "{case}");
                }
                ("outsider", Access::GroupReader | Access::Admin) | ("copilot", Access::Admin) => {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{case}: 404, not 403")
                }
                _ => assert!(
                    [StatusCode::OK, StatusCode::SEE_OTHER].contains(&status),
                    "{case}: {status} (redirected to {location:?})"
                ),
            }
        }
    }

    // Guessing: group 2's registration through group 1's address is not found.
    let (_, copilot) = app
        .staff_client("copilote2@numerique.gouv.fr", "copilot", &[GROUP_1])
        .await;
    let guessed = format!("/equipe/groupes/{GROUP_1}/inscriptions/{other_registration}");
    assert_eq!(
        copilot
            .get(app.url(&guessed))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let guessed = format!("/equipe/groupes/{GROUP_2}/export.csv");
    assert_eq!(
        copilot
            .get(app.url(&guessed))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_sign_in_link_works_once_expires_and_reveals_nothing() {
    let app = spawn_app().await;
    let (_, _) = app
        .staff_client("admin@numerique.gouv.fr", "admin", &[])
        .await;
    let before = app.outbox().await.len();
    let known = app
        .post_form_from(
            "/connexion",
            "/connexion",
            &[("email", "Admin@Numerique.gouv.fr".into())],
        )
        .await;
    let unknown = app
        .post_form_from(
            "/connexion",
            "/connexion",
            &[("email", "inconnu@numerique.gouv.fr".into())],
        )
        .await;
    assert_eq!(
        (known.status(), unknown.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    assert_eq!(
        known.headers()["location"],
        unknown.headers()["location"],
        "the same answer"
    );
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), before + 1, "only staff get a link");
    let body = &outbox.last().unwrap().2;
    let start = body.find("/connexion/").unwrap() + "/connexion/".len();
    let token = body[start..start + 43].to_owned();

    // Following the link shows a button; the link is used only by the POST.
    // Session fixation: the browser already holds a session id chosen by an
    // attacker (planted before sign-in); it is sent with every request below.
    let planted = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    jar.add_cookie_str(
        &format!("session={planted}; Path=/"),
        &app.address.parse().unwrap(),
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar)
        .build()
        .unwrap();
    let page = client
        .get(app.url(&format!("/connexion/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = extract_csrf(&page.text().await.unwrap()).unwrap();
    // Tampered token.
    let mut tampered = token.clone();
    tampered.replace_range(0..1, if token.starts_with('A') { "B" } else { "A" });
    let response = client
        .post(app.url(&format!("/connexion/{tampered}")))
        .form(&[("csrf_token", csrf.clone())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // A forged anti-forgery cookie is refused, and leaves the link unused.
    let response = client
        .post(app.url(&format!("/connexion/{token}")))
        .header("cookie", format!("session={planted}; csrf=x"))
        .form(&[("csrf_token", csrf.clone())])
        .send()
        .await
        .unwrap();
    // The forged csrf cookie makes that attempt fail: the link is still unused.
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = client
        .post(app.url(&format!("/connexion/{token}")))
        .form(&[("csrf_token", csrf.clone())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let set_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        set_cookie.contains("session=")
            && set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains(planted), "a new session id");
    // The planted id is worth nothing: it opens no session.
    let attacker = new_client();
    let planted_only = attacker
        .get(app.url("/equipe"))
        .header("cookie", format!("session={planted}"))
        .send()
        .await
        .unwrap();
    assert_eq!(planted_only.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        client
            .get(app.url("/equipe"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    // Replay: the link worked once.
    let replay = new_client();
    let page = replay
        .get(app.url(&format!("/connexion/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);

    // Expiry: a fresh link is dead after 15 minutes.
    app.post_form_from(
        "/connexion",
        "/connexion",
        &[("email", "admin@numerique.gouv.fr".into())],
    )
    .await;
    let body = app.outbox().await.last().unwrap().2.clone();
    let start = body.find("/connexion/").unwrap() + "/connexion/".len();
    let token = body[start..start + 43].to_owned();
    app.clock.advance(time::Duration::minutes(16));
    assert_eq!(
        new_client()
            .get(app.url(&format!("/connexion/{token}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // Sign-out ends the session on the server.
    let (_, admin) = app
        .staff_client("admin@numerique.gouv.fr", "admin", &[])
        .await;
    let csrf = app.token_of(&admin).await;
    admin
        .post(app.url("/equipe/deconnexion"))
        .form(&[("csrf_token", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        admin.get(app.url("/equipe")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let signins = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'signin'")
        .await;
    assert!(signins >= 2);
}

#[tokio::test]
async fn sessions_expire_when_idle_and_die_when_the_member_is_removed() {
    let app = spawn_app().await;
    let (_, admin) = app
        .staff_client("admin@numerique.gouv.fr", "admin", &[])
        .await;
    let (copilot_id, copilot) = app
        .staff_client("copilote@numerique.gouv.fr", "copilot", &[GROUP_1])
        .await;
    assert_eq!(
        copilot
            .get(app.url("/equipe"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let csrf = app.token_of(&admin).await;
    let removed = admin
        .post(app.url(&format!("/equipe/admin/equipe/{copilot_id}/retirer")))
        .form(&[("csrf_token", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        copilot
            .get(app.url("/equipe"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER,
        "signed out at once"
    );

    app.clock.advance(time::Duration::minutes(121));
    assert_eq!(
        admin.get(app.url("/equipe")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "idle too long"
    );
}

#[tokio::test]
async fn staff_posts_need_the_anti_forgery_token_and_the_same_site() {
    let app = spawn_app().await;
    let (_, admin) = app
        .staff_client("admin@numerique.gouv.fr", "admin", &[])
        .await;
    let body = [
        ("email", "intrus@evil.example".to_string()),
        ("role", "admin".to_string()),
    ];
    let no_token = admin
        .post(app.url("/equipe/admin/equipe"))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let mut with_token = body.to_vec();
    with_token.push(("csrf_token", app.token_of(&admin).await));
    let cross_site = admin
        .post(app.url("/equipe/admin/equipe"))
        .header("origin", "https://evil.example")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM staff WHERE email = 'intrus@evil.example'")
            .await,
        0
    );
}

#[tokio::test]
async fn the_audit_log_cannot_be_changed() {
    let app = spawn_app().await;
    app.staff_client("admin@numerique.gouv.fr", "admin", &[])
        .await;
    assert!(
        sqlx::query("UPDATE audit_log SET action = 'x'")
            .execute(app.pool())
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_log")
            .execute(app.pool())
            .await
            .is_err()
    );
    assert!(app.count("SELECT COUNT(*) FROM audit_log").await >= 1);
}

#[tokio::test]
async fn moderation_end_to_end_with_the_decision_emailed() {
    let maildev = Maildev::start().await;
    let app = spawn_app_with(Options {
        config: maildev.config(),
        worker: true,
    })
    .await;
    sqlx::query("UPDATE groups SET requires_approval = 1 WHERE slug = ?")
        .bind(GROUP_1)
        .execute(app.pool())
        .await
        .unwrap();
    let id = app
        .confirmed_registration(GROUP_1, "candidate@mairie.fr")
        .await;
    let (admin_id, admin) = app
        .staff_client("admin@numerique.gouv.fr", "admin", &[])
        .await;
    let page = admin
        .get(app.url("/equipe/moderation"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("value=\"{id}\"")),
        "waiting in the queue"
    );

    let csrf = app.token_of(&admin).await;
    let response = admin
        .post(app.url("/equipe/moderation"))
        .form(&[
            ("ids", id.to_string()),
            ("decision", "approve".into()),
            ("csrf_token", csrf.clone()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.registration_states().await[0].1, "approved");
    let emails = maildev.wait_for(2).await; // confirmation, then decision
    let decision = emails
        .iter()
        .find(|e| e["subject"] == "Votre inscription est validée")
        .expect("decision email");
    assert_eq!(decision["to"][0]["address"], "candidate@mairie.fr");

    // Reversible, with a reason, emailed again.
    admin
        .post(app.url("/equipe/moderation"))
        .form(&[
            ("ids", id.to_string()),
            ("decision", "reject".into()),
            ("reason", "Groupe réservé aux communes".into()),
            ("csrf_token", csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(app.registration_states().await[0].1, "rejected");
    let emails = maildev.wait_for(3).await;
    let refusal = emails
        .iter()
        .find(|e| e["subject"] == "Votre inscription n’a pas été retenue")
        .expect("refusal email");
    assert!(
        refusal["text"]
            .as_str()
            .unwrap()
            .contains("Groupe réservé aux communes")
    );
    let decisions: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT staff_id, registration_id FROM audit_log WHERE action = 'decision'")
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(decisions, vec![(admin_id, Some(id)), (admin_id, Some(id))]);
}

#[tokio::test]
async fn a_full_group_says_complet() {
    let app = spawn_app().await;
    sqlx::query("UPDATE groups SET capacity = 1 WHERE slug = ?")
        .bind(GROUP_1)
        .execute(app.pool())
        .await
        .unwrap();
    app.confirmed_registration(GROUP_1, "premiere@mairie.fr")
        .await;
    let (_, html) = app
        .get_html(&format!("/groupes/{GROUP_1}/inscription"))
        .await;
    assert!(html.contains("Ce groupe est complet"));
}

#[tokio::test]
async fn a_copilot_who_asked_gets_a_daily_digest_of_new_confirmations() {
    let app = spawn_app().await;
    let (_, copilot) = app
        .staff_client("copilote@numerique.gouv.fr", "copilot", &[GROUP_1])
        .await;
    let csrf = app.token_of(&copilot).await;
    let response = copilot
        .post(app.url("/equipe/preferences"))
        .form(&[("digest", "oui"), ("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, other) = app
        .staff_client("autre@numerique.gouv.fr", "copilot", &[GROUP_2])
        .await;
    drop(other); // no digest asked

    app.clock.advance(time::Duration::minutes(1));
    app.confirmed_registration(GROUP_1, "a@mairie.fr").await;
    app.confirmed_registration(GROUP_1, "b@mairie.fr").await;
    app.confirmed_registration(GROUP_2, "c@mairie.fr").await;
    assert_eq!(
        inscriptions::staff::digest::send_due(&app.state)
            .await
            .unwrap(),
        1
    );
    let digests: Vec<(String, String)> =
        sqlx::query_as("SELECT recipient, body_text FROM outbox WHERE kind = 'digest'")
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(digests.len(), 1);
    assert_eq!(digests[0].0, "copilote@numerique.gouv.fr");
    assert!(
        digests[0].1.contains(
            "Groupe projet 1 : Agenda de transformation numérique des collectivités : 2 nouvelle(s)"
        ),
        "{}",
        digests[0].1
    );
    assert!(
        !digests[0].1.contains("Sensibilisation"),
        "only their groups"
    );
    // Once a day at most, and nothing when nothing is new.
    assert_eq!(
        inscriptions::staff::digest::send_due(&app.state)
            .await
            .unwrap(),
        0
    );
    app.clock.advance(time::Duration::days(1));
    assert_eq!(
        inscriptions::staff::digest::send_due(&app.state)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn an_admin_finds_exports_and_erases_a_person_on_request() {
    let app = spawn_app().await;
    app.confirmed_registration(GROUP_1, "demandeuse@mairie.fr")
        .await;
    app.confirmed_registration(GROUP_2, "demandeuse@mairie.fr")
        .await;
    let (admin_id, admin) = app
        .staff_client("admin@numerique.gouv.fr", "admin", &[])
        .await;
    let page = admin
        .get(app.url("/equipe/admin/personnes?email=Demandeuse@mairie.fr"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Groupe projet 1") && page.contains("Groupe projet 2"));
    let csrf = app.token_of(&admin).await;
    let data = admin
        .post(app.url("/equipe/admin/personnes/donnees"))
        .form(&[("email", "demandeuse@mairie.fr"), ("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    let data: serde_json::Value = data.json().await.unwrap();
    assert_eq!(data["inscriptions"].as_array().unwrap().len(), 2);
    let erased = admin
        .post(app.url("/equipe/admin/personnes/effacer"))
        .form(&[("email", "demandeuse@mairie.fr"), ("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registrants WHERE email = 'demandeuse@mairie.fr'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'demandeuse@mairie.fr'")
            .await,
        0
    );
    let logged: Vec<(i64, String)> = sqlx::query_as(
        "SELECT staff_id, action FROM audit_log WHERE action LIKE 'person_%' ORDER BY id",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(
        logged,
        vec![
            (admin_id, "person_export".to_string()),
            (admin_id, "person_erased".to_string())
        ]
    );
    let (details,): (String,) =
        sqlx::query_as("SELECT details FROM audit_log WHERE action = 'person_erased'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert!(
        !details.contains("demandeuse"),
        "the log names people by id"
    );
}

#[tokio::test]
async fn admins_create_edit_and_reorder_groups_and_the_public_side_follows() {
    let app = spawn_app().await;
    let (_, admin) = app
        .staff_client("admin@numerique.gouv.fr", "admin", &[])
        .await;
    let csrf = app.token_of(&admin).await;
    let created = admin
        .post(app.url("/equipe/admin/groupes"))
        .form(&[
            ("slug", "inclusion-numerique"),
            ("number", "4"),
            ("title", "Inclusion numérique"),
            ("objective", "Partager les pratiques."),
            ("is_open", "oui"),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let (_, home) = app.get_html("/").await;
    assert!(home.contains("Groupe projet 4 : Inclusion numérique"));
    let bad = admin
        .post(app.url("/equipe/admin/groupes"))
        .form(&[
            ("slug", "Pas Une Adresse"),
            ("title", ""),
            ("objective", "x"),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Closed from the admin page: the form says so.
    let closed = admin
        .post(app.url("/equipe/admin/groupes/inclusion-numerique"))
        .form(&[
            ("number", "4"),
            ("title", "Inclusion numérique"),
            ("objective", "Partager les pratiques."),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    let (_, form) = app
        .get_html("/groupes/inclusion-numerique/inscription")
        .await;
    assert!(form.contains("Les inscriptions à ce groupe sont closes"));

    // Moved up: it now comes before group 3 on the home page.
    admin
        .post(app.url("/equipe/admin/groupes/inclusion-numerique/deplacer"))
        .form(&[("sens", "haut"), ("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    let (_, home) = app.get_html("/").await;
    assert!(home.find("Groupe projet 4").unwrap() < home.find("Groupe projet 3").unwrap());
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('group_created', 'group_updated')"
        )
        .await,
        3
    );
}
