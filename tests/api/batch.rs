//! Sign-ups written together by the group-commit writer: whatever else is in the
//! batch, each comes out as if it had been alone (new, already registered,
//! withdrawn, still waiting, the same address twice, the space half-registered).

use inscriptions::{
    db,
    registration::{self, form::SignUpForm},
};

use crate::helpers::*;

/// The titles as the emails name them.
const GROUP_1_TITLE: &str =
    "Groupe projet 1 : Agenda de transformation numérique des collectivités";
const SPACE_TITLE: &str = "Espace collaboratif TNT";

#[tokio::test]
async fn each_sign_up_of_a_batch_comes_out_as_if_alone() {
    let app = spawn_app().await;
    // Before the batch: B confirmed, C withdrawn, D waiting for confirmation,
    // E confirmed in the space only.
    app.confirmed_registration(GROUP_1, "b@mairie.fr").await;
    let withdrawn = app.confirmed_registration(GROUP_1, "c@mairie.fr").await;
    sqlx::query("UPDATE registrations SET state = 'withdrawn', withdrawn_at = 1 WHERE id = ?")
        .bind(withdrawn)
        .execute(app.pool())
        .await
        .unwrap();
    app.sign_up(GROUP_1, &valid_fields("d@mairie.fr")).await;
    app.confirmed_registration(SPACE, "e@mairie.fr").await;
    let before = app.count("SELECT COUNT(*) FROM outbox").await;

    let mut conn = app.pool().acquire().await.unwrap();
    let (group, space) = db::groups::with_space(&mut conn, GROUP_1).await.unwrap();
    drop(conn);
    let (group, space) = (group.unwrap(), space.unwrap());
    let details = |email: &str| {
        let body = serde_urlencoded::to_string(valid_fields(email)).unwrap();
        let form: SignUpForm = serde_urlencoded::from_str(&body).unwrap();
        form.parse(&app.state.referentiel).unwrap()
    };
    let batch = [
        ("a@mairie.fr", None),
        ("b@mairie.fr", None),
        ("c@mairie.fr", None),
        ("d@mairie.fr", None),
        ("a@mairie.fr", None),
        ("e@mairie.fr", Some(&space)),
        ("f@mairie.fr", Some(&space)),
    ]
    .map(|(email, space)| (details(email), space));
    // On the test's single thread, every sign-up reaches the writer's queue
    // before the writer runs: they are written as one batch.
    let sign_ups = batch
        .iter()
        .map(|(details, space)| registration::sign_up(&app.state, &group, *space, details));
    for result in futures_util::future::join_all(sign_ups).await {
        result.expect("each sign-up is recorded");
    }

    let mut states: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT p.email, g.slug, r.state FROM registrations r
         JOIN registrants p ON p.id = r.registrant_id JOIN groups g ON g.id = r.group_id
         ORDER BY p.email, g.slug",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    states.sort();
    let expected = [
        ("a@mairie.fr", GROUP_1, "pending_email"),
        ("b@mairie.fr", GROUP_1, "confirmed"),
        ("c@mairie.fr", GROUP_1, "pending_email"),
        ("d@mairie.fr", GROUP_1, "pending_email"),
        ("e@mairie.fr", GROUP_1, "pending_email"),
        ("e@mairie.fr", SPACE, "confirmed"),
        ("f@mairie.fr", GROUP_1, "pending_email"),
        ("f@mairie.fr", SPACE, "pending_email"),
    ]
    .map(|(e, g, s)| (e.to_string(), g.to_string(), s.to_string()));
    assert_eq!(states, expected);

    // One email per sign-up, in the batch's order, each telling its own story.
    let emails: Vec<(String, String, String)> =
        sqlx::query_as("SELECT recipient, kind, body_text FROM outbox WHERE id > ? ORDER BY id")
            .bind(before)
            .fetch_all(app.pool())
            .await
            .unwrap();
    let kinds: Vec<(&str, &str)> = emails
        .iter()
        .map(|(to, kind, _)| (to.as_str(), kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("a@mairie.fr", "confirmation"),
            ("b@mairie.fr", "already_registered"),
            ("c@mairie.fr", "confirmation"),
            ("d@mairie.fr", "confirmation"),
            ("a@mairie.fr", "confirmation"),
            ("e@mairie.fr", "confirmation"),
            ("f@mairie.fr", "confirmation"),
        ]
    );
    let body_of = |i: usize| emails[i].2.as_str();
    assert!(body_of(1).contains(GROUP_1_TITLE), "B is told which group");
    assert!(
        body_of(5).contains(GROUP_1_TITLE) && !body_of(5).contains(SPACE_TITLE),
        "E confirms the group only, already being in the space"
    );
    assert!(body_of(6).contains(GROUP_1_TITLE) && body_of(6).contains(SPACE_TITLE));

    // Every confirmation link of the batch confirms what its email names.
    for i in [0, 2, 3, 4, 5, 6] {
        let (confirm, _manage) = links_of(body_of(i), &app.address);
        let response = app
            .get(&app.path_of(&confirm.expect("a confirmation link")))
            .await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::OK,
            "link of email {i}"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registrations WHERE state = 'pending_email'")
            .await,
        0,
        "all confirmed"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM registrants").await, 6);
}
