//! The raw ceiling of the storage, for `make bench`: how many sign-ups per second
//! SQLite takes when nothing else runs. Each iteration writes the same rows as a
//! batch of sign-ups (registrant, registration, confirmation and page links,
//! outbox email) in one `BEGIN IMMEDIATE` transaction, through the application's
//! own queries, schema and pragmas, from one task: the web side's figure is then
//! read as a fraction of this one.
//!
//! Usage: `storage_ceiling DATABASE_FILE SECONDS [normal|full] [SIGN_UPS_PER_TRANSACTION]`
//! (the server's writer commits up to 64 waiting sign-ups together).

use std::time::{Duration, Instant};

use inscriptions::{
    config::{DatabaseConfig, Synchronous},
    db::{self, links, outbox, registrations},
    domain::{
        Authority, AuthorityCode, AuthorityKind, Email, FreeText, NewRegistration, PersonName, Role,
    },
    token,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let file = args.next().unwrap_or_else(|| "target/ceiling.db".into());
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let synchronous = match args.next().as_deref() {
        Some("full") => Synchronous::Full,
        _ => Synchronous::Normal,
    };
    let per_transaction: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
    let _ = std::fs::remove_file(&file);
    let pool = db::connect(&DatabaseConfig {
        url: format!("sqlite://{file}"),
        max_connections: 8,
        busy_timeout_ms: 5000,
        synchronous,
        max_pages: 0,
    })
    .await?;
    db::migrate(&pool).await?;
    db::groups::seed_if_empty(&pool, 0).await?;
    let (group_id,): (i64,) =
        sqlx::query_as("SELECT id FROM groups WHERE kind = 'project' LIMIT 1")
            .fetch_one(&pool)
            .await?;

    let template = |n: u64| -> anyhow::Result<NewRegistration> {
        Ok(NewRegistration {
            email: Email::parse(&format!("plafond{n}@mairie.fr")).map_err(anyhow::Error::msg)?,
            first_name: PersonName::parse("Élodie", "prénom").map_err(anyhow::Error::msg)?,
            last_name: PersonName::parse("N’Diaye", "nom").map_err(anyhow::Error::msg)?,
            role: Role::Elected,
            function: FreeText::parse("Maire", 100, "fonction").map_err(anyhow::Error::msg)?,
            authority: Authority {
                kind: AuthorityKind::Commune,
                name: FreeText::parse("Saint-Étienne", 150, "collectivité")
                    .map_err(anyhow::Error::msg)?,
                code: Some(
                    AuthorityCode::parse(AuthorityKind::Commune, "42218")
                        .map_err(anyhow::Error::msg)?,
                ),
                territory: Default::default(),
            },
            phone: None,
        })
    };
    let body = "x".repeat(1200); // about the size of a rendered confirmation email
    let group_ids = [group_id];
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(seconds) {
        // The same two calls as the writer makes for a batch of sign-ups
        // (registration::record_sign_ups): the registrations, then the emails
        // with their links, each call for the whole batch.
        let batch: Vec<NewRegistration> = (n..n + per_transaction)
            .map(template)
            .collect::<anyhow::Result<_>>()?;
        let now = n as i64;
        let rows: Vec<registrations::SignUpRow> = batch
            .iter()
            .map(|details| registrations::SignUpRow {
                group_ids: &group_ids,
                details,
                now,
            })
            .collect();
        let mut tx = db::begin_write(&pool).await?;
        let created = registrations::insert_new(&mut tx, &rows).await?;
        assert_eq!(created.len(), batch.len(), "new addresses only");
        let tokens: Vec<_> = created
            .iter()
            .map(|_| (token::generate_link(), token::generate_link()))
            .collect();
        let emails: Vec<outbox::OutgoingEmail> = batch
            .iter()
            .map(|details| outbox::OutgoingEmail {
                kind: "confirmation",
                recipient: details.email.as_str().to_owned(),
                subject: "Confirmez votre inscription".into(),
                body_text: body.clone(),
                body_html: body.clone(),
            })
            .collect();
        let queued: Vec<outbox::WithLinks> = created
            .iter()
            .zip(&tokens)
            .zip(&emails)
            .map(|((created, (confirm, manage)), email)| outbox::WithLinks {
                email,
                links: links::NewLinks {
                    registrant_id: created.registrant_id,
                    manage: (&manage.hash, now + 1),
                    confirm: Some(links::ConfirmLink {
                        token_hash: &confirm.hash,
                        expires_at: now + 1,
                        registrations: std::slice::from_ref(&created.id),
                    }),
                },
                now,
            })
            .collect();
        outbox::enqueue_with_links(&mut tx, &queued, "bench.invalid").await?;
        tx.commit().await?;
        n += per_transaction;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("{:.0}", n as f64 / elapsed);
    Ok(())
}
