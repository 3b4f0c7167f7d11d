//! Readiness: the database answers, every migration is applied, and the outbox is
//! not stuck (its oldest unsent email is younger than the configured limit).

use serde::Serialize;
use sqlx::SqlitePool;

#[derive(Debug, Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub database: bool,
    pub migrations_pending: usize,
    /// Age in seconds of the oldest email still waiting to be sent.
    pub oldest_unsent_email_seconds: Option<i64>,
    pub problems: Vec<String>,
}

pub async fn readiness(pool: &SqlitePool, now: i64, outbox_stuck_after_seconds: i64) -> Readiness {
    let mut readiness = Readiness {
        ready: false,
        database: false,
        migrations_pending: 0,
        oldest_unsent_email_seconds: None,
        problems: Vec::new(),
    };
    if let Err(error) = sqlx::query("SELECT 1").execute(pool).await {
        readiness
            .problems
            .push(format!("base de données injoignable : {error}"));
        return readiness;
    }
    readiness.database = true;
    let applied: Vec<(i64,)> =
        sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(pool)
            .await
            .unwrap_or_default();
    let applied: Vec<i64> = applied.into_iter().map(|(v,)| v).collect();
    readiness.migrations_pending = sqlx::migrate!()
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .count();
    if readiness.migrations_pending > 0 {
        readiness.problems.push(format!(
            "{} migration(s) non appliquée(s)",
            readiness.migrations_pending
        ));
    }
    let oldest: Result<(Option<i64>,), _> = sqlx::query_as(
        "SELECT MIN(created_at) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL",
    )
    .fetch_one(pool)
    .await;
    if let Ok((Some(created_at),)) = oldest {
        let age = (now - created_at).max(0);
        readiness.oldest_unsent_email_seconds = Some(age);
        if age > outbox_stuck_after_seconds {
            readiness.problems.push(format!(
                "file d’envoi bloquée : le plus ancien courriel attend depuis {age} s"
            ));
        }
    }
    readiness.ready = readiness.problems.is_empty();
    readiness
}
