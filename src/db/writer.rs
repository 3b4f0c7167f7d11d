//! Group commit for the hot write path. Sign-ups are handed to one writer task,
//! which runs all those waiting in one transaction (each in its own savepoint, so
//! one failing does not undo the others) and answers each caller only after the
//! commit. SQLite's cost is mostly the pages a commit writes to the WAL; a batch
//! writes each touched page once for many sign-ups. Under no load a batch is one
//! sign-up and nothing waits.

use std::any::Any;

use futures_util::future::BoxFuture;
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

/// Most operations committed together.
const BATCH: usize = 64;

type Erased = Box<dyn Any + Send>;
type Run = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<Erased, sqlx::Error>>
        + Send,
>;
type Reply = Box<dyn FnOnce(Result<Erased, sqlx::Error>) + Send>;

struct Job {
    run: Run,
    reply: Reply,
}

#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer task for `pool`; it stops when the last `Writer` is dropped.
    pub fn start(pool: SqlitePool) -> Self {
        let (jobs, receiver) = mpsc::channel(4 * BATCH);
        tokio::spawn(run(pool, receiver));
        Self { jobs }
    }

    /// Runs `operation` in the writer's transaction; returns once it is committed.
    pub async fn run<T, F>(&self, operation: F) -> Result<T, sqlx::Error>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, sqlx::Error>>
            + Send
            + 'static,
    {
        let (sender, answer) = oneshot::channel::<Result<T, sqlx::Error>>();
        let job = Job {
            run: Box::new(move |conn| {
                Box::pin(
                    async move { operation(conn).await.map(|value| Box::new(value) as Erased) },
                )
            }),
            reply: Box::new(move |result| {
                let _ = sender
                    .send(result.map(|value| *value.downcast::<T>().expect("the job's own type")));
            }),
        };
        self.jobs
            .send(job)
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

/// An error for every caller of a batch whose transaction could not be opened or
/// committed (disk full, I/O): transient, answered 503.
fn batch_error(error: &sqlx::Error) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(format!(
        "écriture groupée impossible : {error}"
    )))
}

async fn run(pool: SqlitePool, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut tx = match super::begin_write(&pool).await {
            Ok(tx) => tx,
            Err(error) => {
                for job in batch {
                    (job.reply)(Err(batch_error(&error)));
                }
                continue;
            }
        };
        let mut done: Vec<(Reply, Erased)> = Vec::with_capacity(batch.len());
        for job in batch {
            if let Err(error) = sqlx::query("SAVEPOINT operation").execute(&mut *tx).await {
                (job.reply)(Err(error));
                continue;
            }
            match (job.run)(&mut tx).await {
                Ok(value) => {
                    let _ = sqlx::query("RELEASE operation").execute(&mut *tx).await;
                    done.push((job.reply, value));
                }
                Err(error) => {
                    // Undo this operation only; the others of the batch stand.
                    let _ = sqlx::query("ROLLBACK TO operation").execute(&mut *tx).await;
                    let _ = sqlx::query("RELEASE operation").execute(&mut *tx).await;
                    (job.reply)(Err(error));
                }
            }
        }
        match tx.commit().await {
            Ok(()) => {
                for (reply, value) in done {
                    reply(Ok(value));
                }
            }
            Err(error) => {
                tracing::error!(%error, operations = done.len(), "écriture groupée : échec du commit");
                for (reply, _) in done {
                    reply(Err(batch_error(&error)));
                }
            }
        }
    }
}
