//! Builds the application from its configuration: database (migrated and seeded),
//! email templates and transport, the HTTP listener, and the background tasks
//! (email worker, retention). Binding port 0 gives a free port, so every test
//! starts the real application.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use sha2::{Digest, Sha256};
use tokio::{net::TcpListener, sync::watch};

use crate::{
    clock::Clock,
    config::Config,
    db,
    mail::{Templates, transport::Transport, worker::Worker},
    registration::retention,
    state::AppState,
    web,
};

pub struct Application {
    listener: TcpListener,
    state: AppState,
    transport: Arc<Transport>,
}

impl Application {
    /// Opens everything the application needs. With `server.bind` on port 0 a free
    /// port is chosen and `server.base_url` follows it (tests, benchmarks).
    pub async fn build(mut config: Config, clock: Clock) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.server.bind)
            .await
            .with_context(|| {
                format!(
                    "server.bind : impossible d’écouter sur {}",
                    config.server.bind
                )
            })?;
        if config.server.bind.port() == 0 {
            config.server.base_url = format!("http://{}", listener.local_addr()?);
        }
        let transport = Arc::new(Transport::from_config(&config.mail)?);
        let state = open_state(config, clock).await?;
        Ok(Self {
            listener,
            state,
            transport,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The email worker for this application's outbox.
    pub fn worker(&self) -> Worker {
        let config = &self.state.config;
        Worker {
            pool: self.state.db.clone(),
            transport: self.transport.clone(),
            from: config.mail.from.parse().expect("mail.from checked at load"),
            clock: self.state.clock.clone(),
            wake: self.state.outbox_wake.clone(),
            config: config.mail.worker.clone(),
            concurrency: config.mail.smtp.pool_size as usize,
            send_timeout: Duration::from_secs(config.mail.smtp.timeout_seconds * 3),
            attempts: crate::mail::worker::start_recorder(self.state.db.clone()),
        }
    }

    /// Serves until `shutdown` turns true, then finishes the requests in flight and
    /// the email attempts under way before returning.
    pub async fn run(self, shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
        let with_worker = self.state.config.mail.worker.enabled;
        self.run_with(shutdown, with_worker).await
    }

    /// As [`Self::run`]; without the email worker when `with_worker` is false
    /// (tests that inspect the outbox before anything is sent).
    pub async fn run_with(
        self,
        shutdown: watch::Receiver<bool>,
        with_worker: bool,
    ) -> anyhow::Result<()> {
        let worker = with_worker.then(|| tokio::spawn(self.worker().run(shutdown.clone())));
        let retention = tokio::spawn(retention_loop(self.state.clone(), shutdown.clone()));
        let app = web::app(self.state.clone());
        let mut stop = shutdown.clone();
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        })
        .await
        .context("serveur HTTP")?;
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        retention.abort();
        self.state.db.close().await;
        Ok(())
    }
}

/// The shared state without a listener: the database (migrated, seeded), the
/// templates and the keys. The server builds on it; so do commands that write
/// through the application's rules while a server may be running (imports).
pub async fn open_state(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    let pool = db::connect(&config.database).await?;
    db::migrate(&pool).await?;
    let seeded = db::groups::seed_if_empty(&pool, clock.unix()).await?;
    if seeded > 0 {
        tracing::info!(groups = seeded, "groupes du document source enregistrés");
    }
    let templates = Templates::load(&config.mail.templates_dir)?;
    let referentiel = load_referentiel(&pool, &config).await?;
    let csrf_key: [u8; 32] = if config.server.secret.is_empty() {
        rand::random()
    } else {
        Sha256::digest(config.server.secret.expose().as_bytes()).into()
    };
    let templates = Arc::new(templates);
    let message_id_domain = crate::mail::message_id_domain(&config.server.base_url);
    Ok(AppState::new(crate::state::Shared {
        sign_ups: crate::registration::start_writer(
            pool.clone(),
            templates.clone(),
            message_id_domain,
        ),
        db: pool,
        templates,
        clock,
        outbox_wake: Arc::new(tokio::sync::Notify::new()),
        csrf_key: Arc::new(csrf_key),
        rate_limiter: Arc::new(crate::web::rate_limit::RateLimiter::new(&config.rate_limit)),
        config: Arc::new(config),
        metrics: Arc::default(),
        referentiel,
    }))
}

/// Imports the official list of authorities on a first start (when configured and
/// the data is there), then loads it in memory for searching.
async fn load_referentiel(
    pool: &sqlx::SqlitePool,
    config: &Config,
) -> anyhow::Result<crate::referentiel::Referentiel> {
    let settings = &config.referentiel;
    if settings.import_at_start && crate::referentiel::current_vintage(pool).await?.is_none() {
        if settings.data_dir.exists() {
            let mut tx = db::begin_write(pool).await?;
            let report = crate::referentiel::import_into(&mut tx, &settings.data_dir).await?;
            tx.commit().await?;
            tracing::info!(vintage = %report.vintage, communes = report.communes, epci = report.epci, "liste officielle des collectivités importée");
        } else {
            tracing::warn!(dir = %settings.data_dir.display(), "liste officielle des collectivités introuvable : recherche de collectivité désactivée");
        }
    }
    crate::referentiel::Referentiel::load(pool).await
}

/// The hourly chores: retention, then the daily digests that are due.
async fn retention_loop(state: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        if let Err(error) =
            retention::run_once(&state.db, &state.clock, &state.config.retention).await
        {
            tracing::error!(%error, "conservation : passe échouée");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// A shutdown signal fed by SIGTERM and Ctrl-C.
pub fn shutdown_on_signals() -> watch::Receiver<bool> {
    let (sender, receiver) = watch::channel(false);
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {}
            _ = terminate => {}
        }
        tracing::info!("arrêt demandé : fin des requêtes en cours");
        let _ = sender.send(true);
    });
    receiver
}
