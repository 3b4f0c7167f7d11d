//! Retention: personal data is erased when it is no longer needed, with the
//! periods of the `[retention]` settings (stated on the « Données personnelles »
//! page from the same values). Runs at start and then every hour; each run is
//! idempotent.

use sqlx::SqlitePool;

use crate::{clock::Clock, config::RetentionConfig, db};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Erased {
    pub unconfirmed: u64,
    pub withdrawn: u64,
    pub closed_groups: u64,
    pub registrants: u64,
}

pub async fn run_once(
    pool: &SqlitePool,
    clock: &Clock,
    config: &RetentionConfig,
) -> Result<Erased, sqlx::Error> {
    let now = clock.unix();
    let day = 86_400;
    let mut tx = db::begin_write(pool).await?;
    let unconfirmed =
        sqlx::query("DELETE FROM registrations WHERE state = 'pending_email' AND created_at <= ?")
            .bind(now - i64::from(config.unconfirmed_days) * day)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    let withdrawn =
        sqlx::query("DELETE FROM registrations WHERE state = 'withdrawn' AND withdrawn_at <= ?")
            .bind(now - i64::from(config.withdrawn_days) * day)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    // A month is counted as 30 days, as the notice says « mois » to the registrant.
    let closed_groups = sqlx::query(
        "DELETE FROM registrations WHERE group_id IN (SELECT id FROM groups WHERE closes_at IS NOT NULL AND closes_at <= ?)",
    )
    .bind(now - i64::from(config.closed_group_months) * 30 * day)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // A person with no registration left is forgotten, links included (cascade).
    let registrants = sqlx::query(
        "DELETE FROM registrants WHERE NOT EXISTS (SELECT 1 FROM registrations r WHERE r.registrant_id = registrants.id)",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // Sent emails keep no body (see outbox::mark_sent); their rows go with time too.
    sqlx::query("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at <= ?")
        .bind(now - i64::from(config.unconfirmed_days) * day)
        .execute(&mut *tx)
        .await?;
    let erased = Erased {
        unconfirmed,
        withdrawn,
        closed_groups,
        registrants,
    };
    if erased != Erased::default() {
        let details = serde_json::json!({
            "non_confirmees": unconfirmed, "retirees": withdrawn, "groupes_clos": closed_groups, "personnes": registrants,
        });
        crate::staff::audit::record(&mut tx, now, None, "retention", None, None, details).await?;
    }
    tx.commit().await?;
    if erased != Erased::default() {
        tracing::info!(?erased, "conservation : données effacées");
    }
    Ok(erased)
}
