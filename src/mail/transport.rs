//! How emails leave: through an SMTP server (pooled connections, timeouts, TLS per
//! config), or, for local runs only, written as `.eml` files.

use std::time::Duration;

use anyhow::Context;
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    transport::smtp::{PoolConfig, authentication::Credentials},
};

use crate::config::{MailConfig, MailTransportKind, SmtpTls};

/// Why a delivery attempt failed.
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    /// The server refused this email for good (5xx): retrying cannot help.
    pub permanent: bool,
}

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

impl Transport {
    pub fn from_config(config: &MailConfig) -> anyhow::Result<Self> {
        match config.transport {
            MailTransportKind::File => {
                std::fs::create_dir_all(&config.file_dir).with_context(|| {
                    format!(
                        "création du dossier mail.file_dir {}",
                        config.file_dir.display()
                    )
                })?;
                Ok(Self::File(AsyncFileTransport::new(&config.file_dir)))
            }
            MailTransportKind::Smtp => {
                let smtp = &config.smtp;
                let mut builder = match smtp.tls {
                    SmtpTls::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                    }
                    SmtpTls::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                            .context("mail.smtp.host : relais STARTTLS invalide")?
                    }
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                        .context("mail.smtp.host : relais TLS invalide")?,
                };
                builder = builder
                    .port(smtp.port)
                    .timeout(Some(Duration::from_secs(smtp.timeout_seconds)))
                    .pool_config(PoolConfig::new().max_size(smtp.pool_size));
                if !smtp.username.is_empty() {
                    builder = builder.credentials(Credentials::new(
                        smtp.username.clone(),
                        smtp.password.expose().to_owned(),
                    ));
                }
                Ok(Self::Smtp(builder.build()))
            }
        }
    }

    pub fn is_file(&self) -> bool {
        matches!(self, Self::File(_))
    }

    /// Sends one email. For the file transport, returns the file's name.
    pub async fn send(&self, message: Message) -> Result<Option<String>, SendError> {
        match self {
            Self::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| None)
                .map_err(|e| SendError {
                    permanent: e.is_permanent(),
                    message: error_chain(&e),
                }),
            Self::File(file) => file
                .send(message)
                .await
                .map(|id| Some(format!("{id}.eml")))
                .map_err(|e| SendError {
                    permanent: false,
                    message: error_chain(&e),
                }),
        }
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
