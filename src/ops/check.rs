//! `inscriptions check`: validates what the server needs before it starts — the
//! configuration (already loaded by then), the email templates, the database
//! (reachable, migrations applied, integrity) and the SMTP server (reachable,
//! answering) — and prints every problem, not just the first.

use crate::{
    config::{Config, MailTransportKind},
    db,
    mail::{Templates, transport::Transport},
};

/// Runs every check; returns the list of problems (empty: all good).
pub async fn run(config: &Config) -> Vec<String> {
    let mut problems = Vec::new();
    let ok = |what: &str| println!("ok   {what}");
    ok("configuration");
    match Templates::load(&config.mail.templates_dir) {
        Ok(_) => ok("modèles de courriel"),
        Err(error) => problems.push(format!("modèles de courriel : {error:#}")),
    }
    if !config.server.dsfr_dir.join("dsfr.min.css").exists() {
        problems.push(format!(
            "server.dsfr_dir : {} ne contient pas dsfr.min.css (lancez `npm ci`)",
            config.server.dsfr_dir.display()
        ));
    } else {
        ok("fichiers du DSFR");
    }
    match db::connect(&config.database).await {
        Ok(pool) => {
            let readiness = crate::ops::health::readiness(&pool, 0, i64::MAX).await;
            if readiness.migrations_pending > 0 {
                problems.push(format!(
                    "base de données : {} migration(s) à appliquer (`inscriptions migrate`)",
                    readiness.migrations_pending
                ));
            }
            match sqlx::query_scalar::<_, String>("PRAGMA quick_check")
                .fetch_one(&pool)
                .await
            {
                Ok(result) if result == "ok" => ok("base de données"),
                Ok(result) => problems.push(format!("base de données abîmée : {result}")),
                Err(error) => problems.push(format!("base de données : {error}")),
            }
        }
        Err(error) => problems.push(format!("base de données : {error:#}")),
    }
    match (config.mail.transport, Transport::from_config(&config.mail)) {
        (_, Err(error)) => problems.push(format!("courriel : {error:#}")),
        (MailTransportKind::File, Ok(_)) => ok("courriel (fichiers, usage local)"),
        (MailTransportKind::Smtp, Ok(Transport::Smtp(smtp))) => {
            match smtp.test_connection().await {
                Ok(true) => ok("serveur SMTP"),
                Ok(false) => problems.push(format!(
                    "serveur SMTP {}:{} : la connexion ne répond pas comme prévu",
                    config.mail.smtp.host, config.mail.smtp.port
                )),
                Err(error) => problems.push(format!(
                    "serveur SMTP {}:{} injoignable : {error}",
                    config.mail.smtp.host, config.mail.smtp.port
                )),
            }
        }
        (MailTransportKind::Smtp, Ok(_)) => {}
    }
    problems
}
