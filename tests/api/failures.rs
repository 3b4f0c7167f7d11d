//! What the platform does when things go wrong: a flood from one address, a locked
//! or full database, an SMTP server that never answers.

use std::time::Duration;

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn a_flood_from_one_address_gets_429_while_other_addresses_are_served() {
    let app = spawn_app_with(Options {
        config:
            "[rate_limit]\nper_minute = 6\nburst = 5\n[server]\ntrusted_proxies = [\"127.0.0.1\"]\n"
                .into(),
        ..Default::default()
    })
    .await;
    assert_eq!(
        app.state.config.rate_limit.burst, 5,
        "{:?}",
        app.state.config.rate_limit
    );
    assert_eq!(app.state.config.server.trusted_proxies.len(), 1);
    let path = format!("/groupes/{GROUP_1}/inscription");
    let token = app.csrf_token(&path).await;
    let post = |from: &'static str, n: usize| {
        let mut body = valid_fields(&format!("flood{n}@mairie.fr"));
        body.push(("csrf_token", token.clone()));
        app.client
            .post(app.url(&path))
            .header("x-forwarded-for", from)
            .form(&body)
            .send()
    };
    let mut statuses = Vec::new();
    for n in 0..12 {
        statuses.push(post("203.0.113.7", n).await.unwrap().status());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count(),
        5,
        "the burst passes: {statuses:?}"
    );
    assert!(
        statuses[5..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let refused = post("203.0.113.7", 99).await.unwrap();
    assert_eq!(refused.headers()["retry-after"], "60");
    assert!(refused.text().await.unwrap().contains("Trop de demandes"));

    let other = post("198.51.100.23", 100).await.unwrap();
    assert_eq!(
        other.status(),
        StatusCode::SEE_OTHER,
        "another address is served"
    );
    // Pages are not limited.
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_locked_database_answers_503_and_writes_nothing() {
    let app = spawn_app_with(Options {
        config: "[database]\nbusy_timeout_ms = 200\n".into(),
        ..Default::default()
    })
    .await;
    let path = format!("/groupes/{GROUP_1}/inscription");
    let token = app.csrf_token(&path).await;

    // Another process holds the write lock (a backup, a migration, a stuck tool).
    let mut locker = app.pool().acquire().await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut *locker)
        .await
        .unwrap();
    let mut body = valid_fields("marie@mairie.fr");
    body.push(("csrf_token", token));
    let response = app
        .client
        .post(app.url(&path))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Service momentanément indisponible")
    );
    sqlx::query("ROLLBACK").execute(&mut *locker).await.unwrap();
    drop(locker);

    assert_eq!(app.count("SELECT COUNT(*) FROM registrations").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM registrants").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
    // And once the lock is gone, the same form goes through.
    let response = app
        .client
        .post(app.url(&path))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_full_database_answers_503_and_leaves_nothing_half_written() {
    // 60 pages of 4 KiB: the schema and a few dozen sign-ups, then « disk full ».
    let app = spawn_app_with(Options {
        config: "[database]\nmax_pages = 60\n".into(),
        ..Default::default()
    })
    .await;
    let path = format!("/groupes/{GROUP_1}/inscription");
    let token = app.csrf_token(&path).await;
    let mut full = None;
    for n in 0..2000 {
        let mut body = valid_fields(&format!("remplissage{n}@mairie.fr"));
        body.push(("csrf_token", token.clone()));
        let response = app
            .client
            .post(app.url(&path))
            .form(&body)
            .send()
            .await
            .unwrap();
        if response.status() != StatusCode::SEE_OTHER {
            full = Some((n, response.status(), response.text().await.unwrap()));
            break;
        }
    }
    let (n, status, html) = full.expect("the database fills up");
    assert!(
        n > 0,
        "some sign-ups fit; first answer {status}: {}",
        &html[..html.len().min(3000)]
    );
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(html.contains("Service momentanément indisponible"));
    // Every stored registration has its email; the failed one left no trace.
    let registrations = app.count("SELECT COUNT(*) FROM registrations").await;
    assert_eq!(registrations as usize, n);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox").await,
        registrations
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registrants").await,
        registrations
    );
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(check, "ok");
}

#[tokio::test]
async fn a_smtp_server_that_never_answers_times_out_and_sign_ups_are_unaffected() {
    // Accepts connections and then says nothing, forever.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            sockets.push(socket);
        }
    });
    let app = spawn_app_with(Options {
        config: format!(
            "[mail]\ntransport = \"smtp\"\n[mail.smtp]\nport = {port}\ntimeout_seconds = 1\n"
        ),
        worker: true,
    })
    .await;
    for n in 0..5 {
        let response = app
            .sign_up(GROUP_1, &valid_fields(&format!("lent{n}@mairie.fr")))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-ups do not wait for the mail server"
        );
    }
    let mut failed = 0;
    for _ in 0..100 {
        failed = app.count("SELECT COUNT(*) FROM outbox WHERE attempts >= 1 AND last_error IS NOT NULL AND sent_at IS NULL").await;
        if failed >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        failed >= 1,
        "the worker gave up waiting and recorded the error"
    );
    let (next, now): (i64, i64) = (
        sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM outbox WHERE attempts >= 1")
            .fetch_one(app.pool())
            .await
            .unwrap(),
        app.clock.unix(),
    );
    assert!(next > now, "a retry is scheduled later");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
            .await,
        0
    );
    held.abort();
}
