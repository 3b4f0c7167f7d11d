//! The daily digest: copilots who asked for it receive, at most once a day, the
//! number of new confirmed registrations in each of their groups, through the
//! outbox. Sent only when there is something new.

use crate::{db, mail::Var, state::AppState};

/// Sends the digests that are due; returns how many were queued.
pub async fn send_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let now = state.clock.unix();
    let day = 86_400;
    let mut tx = db::begin_write(&state.db).await?;
    let due: Vec<(i64, String, Option<i64>, i64)> = sqlx::query_as(
        "SELECT id, email, digest_sent_at, created_at FROM staff WHERE digest = 1 AND (digest_sent_at IS NULL OR digest_sent_at <= ?)",
    )
    .bind(now - day)
    .fetch_all(&mut *tx)
    .await?;
    let mut sent = 0;
    for (staff_id, email, sent_at, created_at) in due {
        let since = sent_at.unwrap_or(created_at.max(now - day));
        let groups: Vec<(String, Option<i64>, String, i64)> = sqlx::query_as(
            "SELECT g.kind, g.number, g.title, COUNT(*) FROM registrations r JOIN groups g ON g.id = r.group_id
             WHERE r.confirmed_at > ?1 AND r.confirmed_at <= ?2 AND r.state IN ('confirmed', 'approved')
               AND (EXISTS (SELECT 1 FROM staff s WHERE s.id = ?3 AND s.role = 'admin')
                    OR g.id IN (SELECT group_id FROM staff_groups WHERE staff_id = ?3))
             GROUP BY g.id ORDER BY g.position",
        )
        .bind(since)
        .bind(now)
        .bind(staff_id)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("UPDATE staff SET digest_sent_at = ? WHERE id = ?")
            .bind(now)
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        if groups.is_empty() {
            continue;
        }
        let lines = groups
            .into_iter()
            .map(|(kind, number, title, count)| {
                let title = db::groups::full_title(&kind, number, &title);
                format!("{title} : {count} nouvelle(s) inscription(s) confirmée(s)")
            })
            .collect();
        let rendered = state.templates.render(
            "digest",
            &[
                ("groups", Var::List(lines)),
                ("dashboard_url", Var::Text(state.url("/equipe"))),
            ],
        );
        let outgoing = db::outbox::OutgoingEmail {
            kind: "digest",
            recipient: email,
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
        };
        db::outbox::enqueue(&mut tx, &outgoing, &state.message_id_domain(), now).await?;
        sent += 1;
    }
    tx.commit().await?;
    if sent > 0 {
        state.outbox_wake.notify_one();
    }
    Ok(sent)
}
