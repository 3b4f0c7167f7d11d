//! Retention: each rule erases at its date and not before, with time moved by the
//! test clock.

use crate::helpers::*;
use inscriptions::registration::retention;

async fn run(app: &TestApp) -> retention::Erased {
    retention::run_once(app.pool(), &app.clock, &app.state.config.retention)
        .await
        .unwrap()
}

#[tokio::test]
async fn unconfirmed_registrations_go_after_30_days() {
    let app = spawn_app().await;
    app.sign_up(GROUP_1, &valid_fields("lente@mairie.fr")).await;
    app.clock.advance(time::Duration::days(29));
    assert_eq!(run(&app).await, retention::Erased::default());
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 1);
    app.clock.advance(time::Duration::days(1));
    let erased = run(&app).await;
    assert_eq!((erased.unconfirmed, erased.registrants), (1, 1));
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM links").await,
        0,
        "their links went with them"
    );
}

#[tokio::test]
async fn withdrawn_registrations_go_30_days_after_the_withdrawal() {
    let app = spawn_app().await;
    app.sign_up(GROUP_1, &valid_fields("partie@mairie.fr"))
        .await;
    let (confirm, manage) = app.last_links().await;
    app.get(&app.path_of(&confirm.unwrap())).await;
    app.clock.advance(time::Duration::days(60));
    // Confirmed registrations of an open group stay, however old.
    assert_eq!(run(&app).await, retention::Erased::default());
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM registrations")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let step = format!("{}/retrait/{id}", app.path_of(&manage));
    app.post_form_from(&step, &step, &[]).await;
    assert_eq!(app.registration_states().await[0].1, "withdrawn");
    app.clock.advance(time::Duration::days(29));
    assert_eq!(run(&app).await.withdrawn, 0);
    app.clock.advance(time::Duration::days(1));
    assert_eq!(run(&app).await.withdrawn, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM registrants").await, 0);
}

#[tokio::test]
async fn a_closed_groups_registrations_go_12_months_after_it_closed() {
    let app = spawn_app().await;
    for (group, email) in [
        (GROUP_1, "membre@mairie.fr"),
        ("dematerialisation-urbanisme", "autre@mairie.fr"),
    ] {
        app.sign_up(group, &valid_fields(email)).await;
        let (confirm, _) = app.last_links().await;
        app.get(&app.path_of(&confirm.unwrap())).await;
    }
    sqlx::query("UPDATE groups SET closes_at = ? WHERE slug = ?")
        .bind(app.clock.unix())
        .bind(GROUP_1)
        .execute(app.pool())
        .await
        .unwrap();
    let (_, _) = app
        .staff_client("copilote@numerique.gouv.fr", "copilot", &[GROUP_1])
        .await;
    app.clock.advance(time::Duration::days(352));
    assert_eq!(
        retention::warn_copilots(&app.state).await.unwrap(),
        0,
        "not yet a week before"
    );
    app.clock.advance(time::Duration::days(1));
    assert_eq!(
        retention::warn_copilots(&app.state).await.unwrap(),
        1,
        "a week before: the copilot"
    );
    assert_eq!(
        retention::warn_copilots(&app.state).await.unwrap(),
        0,
        "once"
    );
    let (recipient, body): (String, String) =
        sqlx::query_as("SELECT recipient, body_text FROM outbox WHERE kind = 'erasure_warning'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(recipient, "copilote@numerique.gouv.fr");
    assert!(body.contains("/export.csv"), "offers a last export");
    app.clock.advance(time::Duration::days(6));
    assert_eq!(run(&app).await.closed_groups, 0);
    app.clock.advance(time::Duration::days(1));
    assert_eq!(run(&app).await.closed_groups, 1);
    assert_eq!(
        app.registration_states().await,
        [(
            "dematerialisation-urbanisme".to_string(),
            "confirmed".to_string()
        )]
    );
}
