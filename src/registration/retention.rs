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

/// A week before a closed group's registrations go, its copilots are emailed a
/// link to a last export (once per group). Returns how many emails were queued.
pub async fn warn_copilots(state: &crate::state::AppState) -> Result<usize, sqlx::Error> {
    let now = state.clock.unix();
    let keep = i64::from(state.config.retention.closed_group_months) * 30 * 86_400;
    let week = 7 * 86_400;
    let mut tx = db::begin_write(&state.db).await?;
    let groups: Vec<(i64, String, Option<i64>, String, String, i64)> = sqlx::query_as(
        "SELECT id, slug, number, kind, title, closes_at FROM groups
         WHERE closes_at IS NOT NULL AND erasure_warned_at IS NULL AND closes_at + ? - ? <= ? AND closes_at + ? > ?
           AND EXISTS (SELECT 1 FROM registrations r WHERE r.group_id = groups.id)",
    )
    .bind(keep)
    .bind(week)
    .bind(now)
    .bind(keep)
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    let mut sent = 0;
    for (group_id, slug, number, kind, title, closes_at) in groups {
        let title = crate::db::groups::full_title(&kind, number, &title);
        let copilots: Vec<(String,)> = sqlx::query_as(
            "SELECT s.email FROM staff s JOIN staff_groups sg ON sg.staff_id = s.id WHERE sg.group_id = ?",
        )
        .bind(group_id)
        .fetch_all(&mut *tx)
        .await?;
        for (email,) in copilots {
            let rendered = state.templates.render(
                "erasure_warning",
                &[
                    ("group", crate::mail::Var::Text(title.clone())),
                    (
                        "erasure_date",
                        crate::mail::Var::Text(crate::clock::format_paris(closes_at + keep)),
                    ),
                    (
                        "export_url",
                        crate::mail::Var::Text(
                            state.url(&format!("/equipe/groupes/{slug}/export.csv")),
                        ),
                    ),
                ],
            );
            let outgoing = crate::db::outbox::OutgoingEmail {
                kind: "erasure_warning",
                recipient: email,
                subject: rendered.subject,
                body_text: rendered.text,
                body_html: rendered.html,
            };
            crate::db::outbox::enqueue(&mut tx, &outgoing, &state.message_id_domain(), now).await?;
            sent += 1;
        }
        sqlx::query("UPDATE groups SET erasure_warned_at = ? WHERE id = ?")
            .bind(now)
            .bind(group_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if sent > 0 {
        state.outbox_wake.notify_one();
    }
    Ok(sent)
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
    // Sent emails keep no body (see outbox::Attempt::Sent); their rows go with time too.
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
