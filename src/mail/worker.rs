//! The worker that delivers the outbox. It wakes when an email is queued (or on a
//! slow poll), sends what is due a few at a time, and on failure records the error
//! and schedules the next attempt with exponential backoff. An email leaves the
//! queue only once the server has accepted it, so a restart loses nothing; the
//! Message-ID fixed at queue time lets the receiving side spot the rare duplicate
//! (server accepted, then we crashed before recording it).

use std::{sync::Arc, time::Duration};

use futures_util::StreamExt;
use lettre::{
    Message,
    message::{Mailbox, MultiPart, header::MessageId},
};
use rand::RngExt;
use sqlx::SqlitePool;
use tokio::sync::{Notify, watch};

use super::transport::{SendError, Transport};
use crate::{
    clock::Clock,
    config::WorkerConfig,
    db::{
        outbox::{self, Attempt},
        writer::Writer,
    },
};

pub struct Worker {
    pub pool: SqlitePool,
    pub transport: Arc<Transport>,
    pub from: Mailbox,
    pub clock: Clock,
    pub wake: Arc<Notify>,
    pub config: WorkerConfig,
    /// How many emails are sent at once (the SMTP pool size).
    pub concurrency: usize,
    /// Longest wait for one delivery: lettre's socket timeouts apply to each
    /// read and write, this one to the whole exchange with the server.
    pub send_timeout: Duration,
    /// Where the outcomes of attempts are recorded (see [`start_recorder`]).
    pub attempts: AttemptRecorder,
}

/// Records the outcomes of attempts, many per commit.
pub type AttemptRecorder = Writer<Attempt, ()>;

/// Starts the recorder of attempts on `pool`.
pub fn start_recorder(pool: SqlitePool) -> AttemptRecorder {
    Writer::start(
        pool,
        Arc::new(|conn, attempts| {
            Box::pin(async move {
                outbox::record_attempts(conn, attempts).await?;
                Ok(vec![(); attempts.len()])
            })
        }),
    )
}

impl Worker {
    /// Runs until `shutdown` turns true; an attempt under way is finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let poll = Duration::from_millis(self.config.poll_interval_ms);
        loop {
            if *shutdown.borrow() {
                break;
            }
            let sent_some = match self.deliver_due().await {
                Ok(count) => count > 0,
                Err(error) => {
                    tracing::error!(error = %error, "outbox: lecture impossible");
                    false
                }
            };
            if sent_some {
                continue;
            }
            let wait = match outbox::next_due_at(&self.pool).await {
                Ok(Some(next)) => {
                    let seconds = (next - self.clock.unix()).max(0) as u64;
                    poll.min(Duration::from_secs(seconds))
                }
                _ => poll,
            };
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// One pass: sends every email due now; returns how many were attempted.
    pub async fn deliver_due(&self) -> Result<usize, sqlx::Error> {
        let due = outbox::due(&self.pool, self.clock.unix(), 100).await?;
        let count = due.len();
        futures_util::stream::iter(due)
            .for_each_concurrent(self.concurrency.max(1), |email| self.deliver(email))
            .await;
        Ok(count)
    }

    async fn deliver(&self, email: outbox::QueuedEmail) {
        let outcome = match self.build(&email) {
            Ok(message) => {
                match tokio::time::timeout(self.send_timeout, self.transport.send(message)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(SendError {
                        message: format!(
                            "pas de réponse du serveur en {} s",
                            self.send_timeout.as_secs()
                        ),
                        permanent: false,
                    }),
                }
            }
            Err(message) => Err(SendError {
                message,
                permanent: true,
            }),
        };
        let now = self.clock.unix();
        let attempt = match outcome {
            Ok(file) => {
                tracing::info!(outbox_id = email.id, kind = %email.kind, attempts = email.attempts + 1, "courriel envoyé");
                if self.transport.is_file() {
                    print_for_console(&email, file.as_deref());
                }
                Attempt::Sent {
                    id: email.id,
                    at: now,
                }
            }
            Err(error) if error.permanent => {
                tracing::error!(outbox_id = email.id, kind = %email.kind, error = %error.message, "courriel refusé définitivement");
                Attempt::GaveUp {
                    id: email.id,
                    error: error.message,
                    at: now,
                }
            }
            Err(error) => {
                let delay = self.backoff(email.attempts);
                tracing::warn!(outbox_id = email.id, kind = %email.kind, attempts = email.attempts + 1, retry_in_s = delay, error = %error.message, "échec d’envoi, nouvel essai prévu");
                Attempt::Failed {
                    id: email.id,
                    error: error.message,
                    next_attempt_at: now + delay as i64,
                }
            }
        };
        let recorded = self.attempts.submit(attempt).await;
        if let Err(error) = recorded {
            // The email stays due and is tried again: at worst it is sent twice,
            // with the same Message-ID.
            tracing::error!(outbox_id = email.id, error = %error, "outbox: résultat non enregistré");
        }
    }

    /// Seconds before the next attempt: base × 2^attempts, capped, with up to 20 %
    /// jitter so that emails queued together do not retry in lockstep.
    pub fn backoff(&self, previous_attempts: i64) -> u64 {
        let exponent = previous_attempts.clamp(0, 20) as u32;
        let delay = self
            .config
            .retry_base_seconds
            .saturating_mul(2u64.saturating_pow(exponent))
            .min(self.config.retry_max_seconds);
        let jitter = rand::rng().random_range(0..=delay / 5);
        delay + jitter
    }

    fn build(&self, email: &outbox::QueuedEmail) -> Result<Message, String> {
        let to: Mailbox = email
            .recipient
            .parse()
            .map_err(|e| format!("destinataire invalide : {e}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .header(MessageId::from(email.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                email.body_text.clone(),
                email.body_html.clone(),
            ))
            .map_err(|e| format!("message invalide : {e}"))
    }
}

/// Local runs: show where the email went and its links, so a newcomer can follow
/// them without a mail client.
fn print_for_console(email: &outbox::QueuedEmail, file: Option<&str>) {
    println!("✉  {} ({})", email.subject, file.unwrap_or("?"));
    let mut seen = Vec::new();
    for word in email.body_text.split_whitespace() {
        if (word.starts_with("http://") || word.starts_with("https://")) && !seen.contains(&word) {
            println!("   {word}");
            seen.push(word);
        }
    }
}
