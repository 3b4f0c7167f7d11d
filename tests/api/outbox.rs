//! Email delivery through a real SMTP server (maildev): the link read from the
//! received message works, and an outage only delays delivery.

use std::time::Duration;

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn the_confirmation_email_arrives_by_smtp_and_its_link_confirms() {
    let maildev = Maildev::start().await;
    let app = spawn_app_with(Options {
        config: maildev.config(),
        worker: true,
    })
    .await;
    app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;

    let emails = maildev.wait_for(1).await;
    let email = &emails[0];
    assert_eq!(email["to"][0]["address"], "marie@mairie.fr");
    assert_eq!(
        email["subject"],
        "Confirmez votre inscription aux groupes projets TNT"
    );
    let text = email["text"].as_str().expect("a plain-text part");
    let html = email["html"].as_str().expect("an HTML part");
    assert!(html.contains("Confirmer mon inscription"));
    let message_id = email["headers"]["message-id"]
        .as_str()
        .expect("a Message-ID header");
    let (queued_id,): (String,) = sqlx::query_as("SELECT message_id FROM outbox")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(message_id, queued_id, "the Message-ID fixed at queue time");

    let (confirm, manage) = links_of(text, &app.address);
    let (status, page) = app
        .get_html(&app.path_of(&confirm.expect("confirmation link")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Inscription confirmée"));
    assert_eq!(app.registration_states().await[0].1, "confirmed");
    assert_eq!(
        app.get(&app.path_of(&manage)).await.status(),
        StatusCode::OK
    );

    let (attempts, sent): (i64, Option<i64>) =
        sqlx::query_as("SELECT attempts, sent_at FROM outbox")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(attempts, 1);
    assert!(sent.is_some());
}

#[tokio::test]
async fn with_the_smtp_server_down_the_email_waits_with_its_error_then_arrives_once() {
    let mut maildev = Maildev::start().await;
    maildev.stop();
    let app = spawn_app_with(Options {
        config: maildev.config(),
        worker: true,
    })
    .await;
    let response = app.sign_up(GROUP_1, &valid_fields("marie@mairie.fr")).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the sign-up does not wait for SMTP"
    );

    // The worker tries, fails, records why, and schedules another attempt.
    let mut row: (i64, Option<String>, Option<i64>) = (0, None, None);
    for _ in 0..100 {
        row = sqlx::query_as("SELECT attempts, last_error, sent_at FROM outbox")
            .fetch_one(app.pool())
            .await
            .unwrap();
        if row.0 >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (attempts, last_error, sent_at) = row;
    assert!(attempts >= 1, "an attempt was made");
    assert!(
        last_error.is_some_and(|e| !e.is_empty()),
        "its error is recorded"
    );
    assert!(sent_at.is_none(), "still queued");

    maildev.spawn().await;
    // Retries are scheduled on the application's clock: move it past the backoff.
    let mut delivered = Vec::new();
    for _ in 0..100 {
        app.clock.advance(time::Duration::seconds(3));
        app.state.outbox_wake.notify_one();
        delivered = maildev.emails().await;
        if !delivered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(delivered.len(), 1, "delivered once the server is back");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(maildev.emails().await.len(), 1, "and only once");
    let (sent,): (Option<i64>,) = sqlx::query_as("SELECT sent_at FROM outbox")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(sent.is_some());
}
