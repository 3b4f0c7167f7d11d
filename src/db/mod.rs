//! The database: opening the SQLite file with the pragmas we rely on, migrations,
//! and the queries, one module per table family. Query functions take a
//! connection (`&mut SqliteConnection`), so a caller can run several in one
//! transaction.

pub mod groups;
pub mod links;
pub mod outbox;
pub mod registrations;

use std::{str::FromStr, time::Duration};

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

/// Starts a write transaction that takes the write lock at once. SQLite's default
/// deferred transactions fail with "database is locked" when two of them read and
/// then both try to write; taking the lock up front makes writers queue instead.
pub async fn begin_write(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}
