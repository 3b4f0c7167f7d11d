//! Operations: readiness, metrics, backups under load and their restoration.

use std::time::Duration;

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn readyz_turns_unready_when_the_outbox_is_stuck() {
    let app = spawn_app().await; // no worker: emails stay queued
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["ready"], true);
    assert_eq!(body["migrations_pending"], 0);

    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    app.clock.advance(time::Duration::minutes(10));
    assert_eq!(
        app.get("/readyz").await.status(),
        StatusCode::OK,
        "10 minutes is not stuck"
    );
    app.clock.advance(time::Duration::minutes(25));
    let stuck = app.get("/readyz").await;
    assert_eq!(stuck.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = stuck.json().await.unwrap();
    assert_eq!(body["oldest_unsent_email_seconds"], 35 * 60);
    assert!(
        body["problems"][0]
            .as_str()
            .unwrap()
            .contains("file d’envoi bloquée")
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_registrations_by_state() {
    let app = spawn_app().await;
    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    app.get("/nimporte-quoi").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status(), StatusCode::OK);
    let text = metrics.text().await.unwrap();
    assert!(text.contains(r#"inscriptions_http_requests_total{method="POST",route="/groupes/{slug}/inscription",status="303"} 1"#), "{text}");
    assert!(text.contains(r#"route="autre",status="404""#));
    assert!(text.contains(r#"inscriptions_registrations{state="pending_email"} 1"#));
    assert!(text.contains("inscriptions_outbox_waiting 1"));
    assert!(text.contains("inscriptions_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    assert!(!text.contains("marie"), "no personal data");
}

#[tokio::test]
async fn metrics_are_hidden_from_other_addresses() {
    let app = spawn_app_with(Options {
        config: "[ops]\nmetrics_allow = [\"192.0.2.1\"]\n".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_backup_taken_under_load_is_consistent_and_restores() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let path = format!("/groupes/{GROUP_1}/inscription");
    let token = app.csrf_token(&path).await;
    let load = {
        let (client, url, token) = (app.client.clone(), app.url(&path), token.clone());
        tokio::spawn(async move {
            for n in 0..150 {
                let mut body = valid_fields(&format!("sauvegarde{n}@mairie.fr"));
                body.push(("csrf_token", token.clone()));
                assert_eq!(
                    client.post(&url).form(&body).send().await.unwrap().status(),
                    StatusCode::SEE_OTHER
                );
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let during = dir.path().join("pendant.db");
    inscriptions::ops::backup::backup(app.pool(), &during)
        .await
        .unwrap();
    load.await.unwrap();

    // The copy taken during the load is one consistent snapshot.
    let copy = sqlx::SqlitePool::connect(&format!("sqlite://{}", during.display()))
        .await
        .unwrap();
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let copied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations")
        .fetch_one(&copy)
        .await
        .unwrap();
    let copied_emails: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert_eq!(
        copied, copied_emails,
        "no registration without its email in the copy"
    );
    assert!(copied <= 150);

    // Restore: a server started on a copy taken after the load has every row.
    let after = dir.path().join("apres.db");
    inscriptions::ops::backup::backup(app.pool(), &after)
        .await
        .unwrap();
    assert!(
        inscriptions::ops::backup::backup(app.pool(), &after)
            .await
            .is_err(),
        "never overwrites"
    );
    let restored = spawn_app_with(Options {
        config: format!("[database]\nurl = \"sqlite://{}\"\n", after.display()),
        ..Default::default()
    })
    .await;
    assert_eq!(
        restored.count("SELECT COUNT(*) FROM registrations").await,
        150
    );
    assert_eq!(restored.count("SELECT COUNT(*) FROM outbox").await, 150);
    assert_eq!(
        restored.count("SELECT COUNT(*) FROM groups").await,
        app.count("SELECT COUNT(*) FROM groups").await
    );
    assert_eq!(restored.get("/").await.status(), StatusCode::OK);
}
