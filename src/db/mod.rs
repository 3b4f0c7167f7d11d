//! The database: opening the SQLite file with the pragmas we rely on, migrations,
//! and the queries, one module per table family. Query functions take a
//! connection (`&mut SqliteConnection`), so a caller can run several in one
//! transaction.

pub mod groups;
pub mod links;
pub mod outbox;
pub mod participants;
pub mod registrations;
pub mod writer;

use std::{
    collections::HashMap,
    path::PathBuf,
    str::FromStr,
    sync::{Arc, LazyLock, Mutex},
    time::Duration,
};

use anyhow::Context;
use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::config::{DatabaseConfig, Synchronous};

/// Opens (and creates if missing) the database: WAL so readers never wait for the
/// writer, foreign keys on, and a busy timeout so concurrent writers queue instead
/// of failing.
pub async fn connect(config: &DatabaseConfig) -> anyhow::Result<SqlitePool> {
    let mut options = SqliteConnectOptions::from_str(&config.url)
        .with_context(|| format!("database.url invalide : {}", config.url))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match config.synchronous {
            Synchronous::Full => SqliteSynchronous::Full,
            Synchronous::Normal => SqliteSynchronous::Normal,
        })
        .foreign_keys(true)
        .busy_timeout(Duration::from_millis(config.busy_timeout_ms));
    if config.max_pages > 0 {
        options = options.pragma("max_page_count", config.max_pages.to_string());
    }
    if let Some(parent) = options.get_filename().parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("création du dossier {}", parent.display()))?;
    }
    SqlitePoolOptions::new()
        .max_connections(config.max_connections)
        .connect_with(options)
        .await
        .with_context(|| format!("ouverture de la base {}", config.url))
}

/// Applies the migrations of `migrations/` that the database has not seen yet.
pub async fn migrate(pool: &SqlitePool) -> anyhow::Result<()> {
    sqlx::migrate!()
        .run(pool)
        .await
        .context("application des migrations")
}

/// A write transaction, holding this process's turn to write to its database.
/// It derefs to the connection, so queries take `&mut tx`; dropping it without
/// `commit` rolls back.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// One queue of writers per database file. SQLite has one writer at a time; left
/// to itself, a writer that finds the lock taken sleeps and polls (1 ms, 2 ms, 5 ms…
/// up to 100 ms), which under load makes a few requests wait very long. Queuing in
/// the process instead hands the lock over in arrival order, at once.
fn write_queue(pool: &SqlitePool) -> Arc<tokio::sync::Mutex<()>> {
    static QUEUES: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    QUEUES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(file)
        .or_default()
        .clone()
}

/// Starts a write transaction: waits for this process's turn, then takes SQLite's
/// write lock at once (`BEGIN IMMEDIATE`). Deferred transactions would fail with
/// "database is locked" when two of them read and then both try to write; another
/// process (a backup, an import) still gets the busy timeout.
pub async fn begin_write(pool: &SqlitePool) -> Result<WriteTx, sqlx::Error> {
    // Waiting longer than the pool would for a connection means overload: the
    // caller answers 503 rather than queueing without end.
    let wait = pool.options().get_acquire_timeout();
    let turn = tokio::time::timeout(wait, write_queue(pool).lock_owned())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?;
    let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    Ok(WriteTx { tx, _turn: turn })
}
