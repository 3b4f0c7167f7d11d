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
    ConnectOptions, SqliteConnection, SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::config::{DatabaseConfig, Synchronous};

/// Opens (and creates if missing) the database: WAL so readers never wait for the
/// writer, foreign keys on, and a busy timeout so concurrent writers queue instead
/// of failing. The WAL is copied back into the database file in the background
/// (see [`checkpoints`]).
pub async fn connect(config: &DatabaseConfig) -> anyhow::Result<SqlitePool> {
    let pool = open(config).await?;
    // The background task holds the write slot, so the writing connection stays
    // open as long as the pool.
    tokio::spawn(checkpoints(pool.clone(), write_slot(&pool)));
    Ok(pool)
}

/// The pool, without the background checkpoints.
async fn open(config: &DatabaseConfig) -> anyhow::Result<SqlitePool> {
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
    // SQLite's own checkpoints run in the connection that commits, in its commit:
    // the sign-up writer would stop every thousand pages to copy the WAL back
    // into the database file. [`checkpoints`] does it beside the writer instead.
    options = options.pragma("wal_autocheckpoint", "0");
    // A statement that writes many rows inside a transaction (the writer's
    // batches) keeps a journal of its own, to undo just itself; in memory, not in
    // a temporary file opened and deleted each time.
    options = options.pragma("temp_store", "memory");
    if let Some(parent) = options.get_filename().parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("création du dossier {}", parent.display()))?;
    }
    SqlitePoolOptions::new()
        .max_connections(config.max_connections)
        // A connection to a local file does not go stale: no ping (a round trip to
        // SQLite's thread) before each use.
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .with_context(|| format!("ouverture de la base {}", config.url))
}

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// WAL frames (pages) past which a checkpoint finishes the copy even if it must
/// wait for the writer's turn: 4 MiB of pages.
const WAL_FRAMES_TO_FINISH: i64 = 1024;

/// Copies the WAL back into the database file every [`CHECKPOINT_EVERY`], until
/// the pool is closed. A passive checkpoint waits for nobody and stops nobody:
/// readers and the writer go on while it copies what is committed. But SQLite
/// writes the WAL from its start again only when a write transaction begins with
/// everything in it copied, which a writer that never pauses does not give it:
/// so when the WAL has grown, a second pass copies the rest while holding this
/// process's turn to write (a short wait for the writer, as the first pass did
/// most of it). Readers are never waited for; an old one only delays the restart.
async fn checkpoints(pool: SqlitePool, _slot: Slot) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if pool.is_closed() {
            break;
        }
        if let Err(error) = checkpoint(&pool).await {
            if pool.is_closed() {
                break;
            }
            tracing::warn!(%error, "checkpoint du journal WAL impossible");
        }
    }
}

async fn checkpoint(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    // (busy, frames in the WAL, frames copied)
    let passive = "PRAGMA wal_checkpoint(PASSIVE)";
    let (_, frames, _): (i64, i64, i64) = sqlx::query_as(passive).fetch_one(pool).await?;
    // Even if this pass copied everything, the writer has most likely committed
    // since: the restart needs a moment when it is between transactions.
    if frames >= WAL_FRAMES_TO_FINISH {
        let mut slot = take_turn(pool).await?;
        let connection = slot.connection.as_mut().expect("opened by take_turn");
        sqlx::query(passive).execute(connection).await?;
    }
    Ok(())
}

/// Applies the migrations of `migrations/` that the database has not seen yet.
pub async fn migrate(pool: &SqlitePool) -> anyhow::Result<()> {
    sqlx::migrate!()
        .run(pool)
        .await
        .context("application des migrations")
}

/// A write transaction on this process's connection for writing, holding the turn
/// to use it. It derefs to the connection, so queries take `&mut tx`; dropping it
/// without `commit` rolls back (before the next transaction starts).
pub struct WriteTx {
    slot: tokio::sync::OwnedMutexGuard<WriteSlot>,
    finished: bool,
}

impl WriteTx {
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        sqlx::query("COMMIT").execute(self.connection()).await?;
        self.finished = true;
        Ok(())
    }

    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        sqlx::query("ROLLBACK").execute(self.connection()).await?;
        self.finished = true;
        Ok(())
    }

    fn connection(&mut self) -> &mut SqliteConnection {
        self.slot
            .connection
            .as_mut()
            .expect("a write transaction has its connection")
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        // No await in a destructor: the next transaction rolls this one back first.
        if !self.finished {
            self.slot.left_open = true;
        }
    }
}

impl std::ops::Deref for WriteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &Self::Target {
        self.slot
            .connection
            .as_ref()
            .expect("a write transaction has its connection")
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.connection()
    }
}

/// This process's one connection for writing to a database file, and the turn to
/// use it. SQLite has one writer at a time anyway; giving every write the same
/// connection keeps that connection's page cache warm (SQLite empties a
/// connection's cache whenever another connection has written since its last
/// transaction, which with the pool's rotating connections was every time).
///
/// The turn also queues this process's writers: left to itself, a writer that
/// finds SQLite's lock taken sleeps and polls (1 ms, 2 ms, 5 ms… up to 100 ms),
/// which under load makes a few requests wait very long. Queuing in the process
/// hands the lock over in arrival order, at once.
#[derive(Default)]
pub struct WriteSlot {
    /// Opened on first use.
    connection: Option<SqliteConnection>,
    /// A transaction was dropped without commit or rollback.
    left_open: bool,
}

/// Pages the writing connection keeps in memory: 8 MiB, four times SQLite's
/// default, for the index pages a sign-up touches (addresses, link hashes: spread
/// over the whole file). Not more: at the end of each transaction SQLite walks
/// the cache's whole hash table to drop pages past the end of the file, and with
/// 64 MiB that walk cost more than the reads it saved (storage ceiling 10,800
/// sign-ups/s against 11,900 with 8 MiB and 11,300 with the default 2 MiB).
const WRITER_CACHE_KIB: i64 = 8_192;

type Slot = Arc<tokio::sync::Mutex<WriteSlot>>;

/// The write slot of `pool`'s database file. The map holds them weakly: a slot
/// lives as long as someone holds it, [`connect`]'s background task for as long
/// as the pool is open.
fn write_slot(pool: &SqlitePool) -> Slot {
    static SLOTS: LazyLock<
        Mutex<HashMap<PathBuf, std::sync::Weak<tokio::sync::Mutex<WriteSlot>>>>,
    > = LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut slots = SLOTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    slots.retain(|_, slot| slot.strong_count() > 0);
    if let Some(slot) = slots.get(&file).and_then(std::sync::Weak::upgrade) {
        return slot;
    }
    let slot = Slot::default();
    slots.insert(file, Arc::downgrade(&slot));
    slot
}

/// Waits for the turn to write, then opens the writing connection if need be and
/// rolls back what a dropped transaction left.
async fn take_turn(
    pool: &SqlitePool,
) -> Result<tokio::sync::OwnedMutexGuard<WriteSlot>, sqlx::Error> {
    // Waiting longer than the pool would for a connection means overload: the
    // caller answers 503 rather than queueing without end.
    let wait = pool.options().get_acquire_timeout();
    let mut slot = tokio::time::timeout(wait, write_slot(pool).lock_owned())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?;
    if slot.connection.is_none() {
        let mut connection = pool.connect_options().connect().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA cache_size = -{WRITER_CACHE_KIB}"
        )))
        .execute(&mut connection)
        .await?;
        slot.connection = Some(connection);
    }
    if slot.left_open {
        let connection = slot.connection.as_mut().expect("opened above");
        // "No transaction is active" if it had failed to begin: nothing to undo.
        let _ = sqlx::query("ROLLBACK").execute(connection).await;
        slot.left_open = false;
    }
    Ok(slot)
}

/// Starts a write transaction: waits for this process's turn, then takes SQLite's
/// write lock at once (`BEGIN IMMEDIATE`). Deferred transactions would fail with
/// "database is locked" when two of them read and then both try to write; another
/// process (a backup, an import) still gets the busy timeout.
pub async fn begin_write(pool: &SqlitePool) -> Result<WriteTx, sqlx::Error> {
    let slot = take_turn(pool).await?;
    let mut tx = WriteTx {
        slot,
        finished: false,
    };
    if let Err(error) = sqlx::query("BEGIN IMMEDIATE")
        .execute(tx.connection())
        .await
    {
        tx.finished = true;
        return Err(error);
    }
    Ok(tx)
}

/// A small database for the unit tests of this module and its children.
#[cfg(test)]
pub(crate) fn test_config(file: &std::path::Path) -> DatabaseConfig {
    DatabaseConfig {
        url: format!("sqlite://{}", file.display()),
        max_connections: 4,
        busy_timeout_ms: 1000,
        synchronous: Synchronous::Normal,
        max_pages: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn insert(conn: &mut sqlx::SqliteConnection, bytes: i64) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO pages VALUES (zeroblob(?))")
            .bind(bytes)
            .execute(conn)
            .await
            .map(drop)
    }

    #[tokio::test]
    async fn a_checkpoint_lets_a_writer_that_never_pauses_restart_the_wal() {
        let dir = tempfile::tempdir().unwrap();
        // Without the background checkpoints: this test runs them itself.
        let pool = open(&test_config(&dir.path().join("wal.db")))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE pages (content BLOB)")
            .execute(&pool)
            .await
            .unwrap();
        let mut tx = begin_write(&pool).await.unwrap();
        for _ in 0..WAL_FRAMES_TO_FINISH + 100 {
            insert(&mut tx, 4000).await.unwrap();
        }
        tx.commit().await.unwrap();

        // The writer is in its next transaction when the checkpoint starts, and
        // commits after the checkpoint's first pass: that pass cannot have copied
        // everything.
        let mut tx = begin_write(&pool).await.unwrap();
        insert(&mut tx, 4000).await.unwrap();
        let checkpoint = tokio::spawn({
            let pool = pool.clone();
            async move { checkpoint(&pool).await }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        tx.commit().await.unwrap();
        checkpoint.await.unwrap().unwrap();

        let mut tx = begin_write(&pool).await.unwrap();
        insert(&mut tx, 1).await.unwrap();
        tx.commit().await.unwrap();
        let (_, frames, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(
            frames < 10,
            "the next commit wrote at the start of the WAL: {frames} frames"
        );
    }
}
