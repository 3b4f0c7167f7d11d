//! Group commit for the hot write path. Sign-ups are handed to one writer task,
//! which writes all those waiting as one batch, in one transaction, and answers
//! each caller only after the commit.
//!
//! Two costs are shared this way. SQLite's commit writes each touched page to the
//! WAL once for the whole batch. And sqlx runs SQLite on a thread of its own, so
//! each statement is a hand-over to that thread and back, which costs more than
//! the rows themselves: the batch function is given the whole batch, to write it
//! with a few statements rather than a few per operation. Under no load a batch
//! is one operation and nothing waits.
//!
//! One operation failing must not fail the others of its batch. When the batch
//! function fails, the transaction is rolled back and each operation of the
//! batch is written again alone, so each caller gets its own outcome.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

/// Most operations committed together: enough for every connection of a busy
/// moment (the benchmark's 200) to be in the next batch.
const BATCH: usize = 256;

/// Writes a batch inside the writer's transaction, answering one value per
/// operation, in order. It may be called again with part of a batch whose
/// transaction was rolled back, so it must not keep anything between calls.
pub type WriteBatch<I, O> = Arc<
    dyn for<'c> Fn(&'c mut SqliteConnection, &'c [I]) -> BoxFuture<'c, Result<Vec<O>, sqlx::Error>>
        + Send
        + Sync,
>;

struct Job<I, O> {
    item: I,
    reply: oneshot::Sender<Result<O, sqlx::Error>>,
}

pub struct Writer<I, O> {
    jobs: mpsc::Sender<Job<I, O>>,
}

impl<I, O> Clone for Writer<I, O> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
        }
    }
}

impl<I: Send + Sync + 'static, O: Send + 'static> Writer<I, O> {
    /// Starts the writer task for `pool`; it stops when the last `Writer` is dropped.
    pub fn start(pool: SqlitePool, write: WriteBatch<I, O>) -> Self {
        let (jobs, receiver) = mpsc::channel(4 * BATCH);
        tokio::spawn(run(pool, write, receiver));
        Self { jobs }
    }

    /// Writes `item` with the others waiting; returns once it is committed.
    pub async fn submit(&self, item: I) -> Result<O, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { item, reply })
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

/// Why a batch did not commit.
enum Failure {
    /// The transaction could not be opened or committed (disk full, I/O): the
    /// same for every operation of the batch.
    Transaction(sqlx::Error),
    /// Writing the batch failed; the transaction was rolled back.
    Write(sqlx::Error),
}

/// An error for every caller of a batch whose transaction could not be opened or
/// committed: transient, answered 503.
fn batch_error(error: &sqlx::Error) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(format!(
        "écriture groupée impossible : {error}"
    )))
}

async fn run<I, O>(pool: SqlitePool, write: WriteBatch<I, O>, mut jobs: mpsc::Receiver<Job<I, O>>) {
    while let Some(first) = jobs.recv().await {
        let mut items = vec![first.item];
        let mut replies = vec![first.reply];
        while items.len() < BATCH {
            match jobs.try_recv() {
                Ok(job) => {
                    items.push(job.item);
                    replies.push(job.reply);
                }
                Err(_) => break,
            }
        }
        match commit(&pool, &write, &items).await {
            Ok(values) => {
                for (reply, value) in replies.into_iter().zip(values) {
                    let _ = reply.send(Ok(value));
                }
            }
            Err(Failure::Transaction(error)) => {
                tracing::error!(%error, operations = items.len(), "écriture groupée : échec de la transaction");
                for reply in replies {
                    let _ = reply.send(Err(batch_error(&error)));
                }
            }
            Err(Failure::Write(error)) if items.len() == 1 => {
                let _ = replies.pop().expect("one reply").send(Err(error));
            }
            Err(Failure::Write(error)) => {
                tracing::warn!(%error, operations = items.len(), "écriture groupée : échec, chaque opération est reprise seule");
                for (item, reply) in items.iter().zip(replies) {
                    let result = match commit(&pool, &write, std::slice::from_ref(item)).await {
                        Ok(mut values) => Ok(values.pop().expect("one value per operation")),
                        Err(Failure::Transaction(error)) => Err(batch_error(&error)),
                        Err(Failure::Write(error)) => Err(error),
                    };
                    let _ = reply.send(result);
                }
            }
        }
    }
}

/// Writes `items` in one transaction: each operation's value, or why nothing of
/// them was committed.
async fn commit<I, O>(
    pool: &SqlitePool,
    write: &WriteBatch<I, O>,
    items: &[I],
) -> Result<Vec<O>, Failure> {
    let mut tx = super::begin_write(pool)
        .await
        .map_err(Failure::Transaction)?;
    match write(&mut tx, items).await {
        Ok(values) => {
            assert_eq!(values.len(), items.len(), "one value per operation");
            tx.commit().await.map_err(Failure::Transaction)?;
            Ok(values)
        }
        Err(error) => {
            let _ = tx.rollback().await;
            Err(Failure::Write(error))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    async fn database(dir: &tempfile::TempDir) -> SqlitePool {
        let pool = crate::db::connect(&crate::db::test_config(&dir.path().join("writer.db")))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE items (value INTEGER PRIMARY KEY)")
            .execute(&pool)
            .await
            .unwrap();
        pool
    }

    /// Writes each item as a row and answers ten times it; refuses negative items
    /// (after writing those before it, which the rollback must undo). Records the
    /// batches it was given.
    fn writer(pool: SqlitePool, batches: Arc<Mutex<Vec<Vec<i64>>>>) -> Writer<i64, i64> {
        Writer::start(
            pool,
            Arc::new(move |conn, items: &[i64]| {
                batches.lock().unwrap().push(items.to_vec());
                Box::pin(async move {
                    let mut values = Vec::new();
                    for item in items {
                        if *item < 0 {
                            return Err(sqlx::Error::Protocol(format!("{item} refusé")));
                        }
                        sqlx::query("INSERT INTO items (value) VALUES (?)")
                            .bind(item)
                            .execute(&mut *conn)
                            .await?;
                        values.push(item * 10);
                    }
                    Ok(values)
                })
            }),
        )
    }

    #[tokio::test]
    async fn a_batch_is_committed_together_and_each_caller_gets_its_value() {
        let dir = tempfile::tempdir().unwrap();
        let pool = database(&dir).await;
        let batches = Arc::default();
        let writer = writer(pool.clone(), Arc::clone(&batches));
        // On this single-threaded runtime all four are queued before the writer runs.
        let results = futures_util::future::join_all((1..=4).map(|i| writer.submit(i))).await;
        let values: Vec<i64> = results.into_iter().map(Result::unwrap).collect();
        assert_eq!(values, [10, 20, 30, 40]);
        assert_eq!(*batches.lock().unwrap(), [vec![1, 2, 3, 4]], "one batch");
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM items")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(rows, 4);
    }

    #[tokio::test]
    async fn one_failing_operation_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let pool = database(&dir).await;
        let batches = Arc::default();
        let writer = writer(pool.clone(), Arc::clone(&batches));
        let results = futures_util::future::join_all([1, 2, -3, 4].map(|i| writer.submit(i))).await;
        let outcomes: Vec<Result<i64, String>> = results
            .into_iter()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect();
        assert_eq!(outcomes[0], Ok(10));
        assert_eq!(outcomes[1], Ok(20));
        assert!(outcomes[2].as_ref().unwrap_err().contains("-3 refusé"));
        assert_eq!(outcomes[3], Ok(40));
        assert_eq!(
            *batches.lock().unwrap(),
            [vec![1, 2, -3, 4], vec![1], vec![2], vec![-3], vec![4]],
            "the batch failed, then each was written alone"
        );
        let rows: Vec<i64> = sqlx::query_scalar("SELECT value FROM items ORDER BY value")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(
            rows,
            [1, 2, 4],
            "nothing of the failed batch twice, nothing of -3"
        );
    }
}
