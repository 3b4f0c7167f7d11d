//! Settings in layers: the defaults built into the binary (`config/default.toml`),
//! then an optional file given on the command line, then environment variables
//! `INSCRIPTIONS__SECTION__KEY`. A bad value stops the start with a message naming
//! its key.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use serde::Deserialize;

/// The documented defaults, embedded so the binary starts anywhere.
pub const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub mail: MailConfig,
    pub registration: RegistrationConfig,
    pub legal: LegalConfig,
    pub retention: RetentionConfig,
    pub rate_limit: RateLimitConfig,
    pub ops: OpsConfig,
    pub log: LogConfig,
    pub referentiel: ReferentielConfig,
    pub staff: StaffConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffConfig {
    pub first_admin_email: String,
    pub signin_link_minutes: u32,
    pub session_idle_minutes: u32,
    pub session_max_hours: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferentielConfig {
    pub data_dir: std::path::PathBuf,
    pub import_at_start: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    pub filter: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpsConfig {
    pub outbox_stuck_after_minutes: u32,
    pub metrics_allow: Vec<std::net::IpAddr>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    pub per_minute: u32,
    pub burst: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    pub unconfirmed_days: u32,
    pub withdrawn_days: u32,
    pub closed_group_months: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    pub base_url: String,
    pub secret: Secret,
    pub dsfr_dir: PathBuf,
    pub static_dir: PathBuf,
    pub request_timeout_seconds: u64,
    pub max_body_bytes: usize,
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
    pub busy_timeout_ms: u64,
    pub synchronous: Synchronous,
    pub max_pages: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    Full,
    Normal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    Smtp,
    File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub transport: MailTransportKind,
    pub from: String,
    pub file_dir: PathBuf,
    pub templates_dir: PathBuf,
    pub smtp: SmtpConfig,
    pub worker: WorkerConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: String,
    pub password: Secret,
    pub timeout_seconds: u64,
    pub pool_size: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    pub enabled: bool,
    pub poll_interval_ms: u64,
    pub retry_base_seconds: u64,
    pub retry_max_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationConfig {
    pub confirmation_link_hours: u32,
    pub manage_link_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalConfig {
    pub operator: String,
    pub operator_address: String,
    pub publication_director: String,
    pub contact_email: String,
    pub dpo_contact: String,
    pub host_name: String,
    pub host_address: String,
}

/// A value that must not end up in logs: `Debug` prints asterisks.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

/// A configuration error, worded for the operator, naming the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("configuration invalide : {0}")]
pub struct ConfigError(String);

impl Config {
    /// Reads the layers: built-in defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError(format!(
                    "le fichier {} n’existe pas",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment.merge(Env::prefixed("INSCRIPTIONS__").split("__"));
        Self::from_figment(figment)
    }

    /// The defaults alone, with `overrides` (TOML text) on top: for tests.
    pub fn from_toml_overrides(overrides: &str) -> Result<Self, ConfigError> {
        Self::from_figment(Figment::from(Toml::string(DEFAULTS)).merge(Toml::string(overrides)))
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Config = figment.extract().map_err(|errors| {
            ConfigError(
                errors
                    .into_iter()
                    .map(|e| {
                        let key = e.path.join(".");
                        let what = e.kind.to_string();
                        if key.is_empty() {
                            what
                        } else {
                            format!("clé `{key}` : {what}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ; "),
            )
        })?;
        config.check()?;
        Ok(config)
    }

    /// Rules serde cannot express.
    fn check(&self) -> Result<(), ConfigError> {
        let fail = |key: &str, why: &str| Err(ConfigError(format!("clé `{key}` : {why}")));
        let base = &self.server.base_url;
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.ends_with('/') {
            return fail(
                "server.base_url",
                "doit commencer par http:// ou https:// et ne pas finir par /",
            );
        }
        let secret = self.server.secret.expose();
        if !secret.is_empty() && secret.len() < 32 {
            return fail("server.secret", "doit compter au moins 32 caractères");
        }
        if !self.database.url.starts_with("sqlite:") {
            return fail("database.url", "doit commencer par sqlite:");
        }
        if self.database.max_connections == 0 {
            return fail("database.max_connections", "doit être au moins 1");
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return fail("mail.from", "n’est pas une adresse d’expéditeur valide");
        }
        if self.mail.transport == MailTransportKind::Smtp && self.mail.smtp.host.trim().is_empty() {
            return fail(
                "mail.smtp.host",
                "ne peut pas être vide avec mail.transport = \"smtp\"",
            );
        }
        if self.mail.smtp.username.is_empty() != self.mail.smtp.password.is_empty() {
            return fail(
                "mail.smtp.password",
                "mail.smtp.username et mail.smtp.password vont ensemble",
            );
        }
        if self.mail.smtp.pool_size == 0 {
            return fail("mail.smtp.pool_size", "doit être au moins 1");
        }
        if self.mail.worker.retry_base_seconds == 0
            || self.mail.worker.retry_max_seconds < self.mail.worker.retry_base_seconds
        {
            return fail(
                "mail.worker.retry_max_seconds",
                "doit être supérieur ou égal à retry_base_seconds, lui-même non nul",
            );
        }
        if self.rate_limit.per_minute == 0 || self.rate_limit.burst == 0 {
            return fail(
                "rate_limit",
                "per_minute et burst doivent être d’au moins 1",
            );
        }
        if self.staff.signin_link_minutes == 0
            || self.staff.session_idle_minutes == 0
            || self.staff.session_max_hours == 0
            || self.staff.page_size == 0
        {
            return fail(
                "staff",
                "les durées et la taille de page doivent être d’au moins 1",
            );
        }
        if !self.staff.first_admin_email.is_empty()
            && crate::domain::Email::parse(&self.staff.first_admin_email).is_err()
        {
            return fail(
                "staff.first_admin_email",
                "n’est pas une adresse électronique valide",
            );
        }
        if self.registration.confirmation_link_hours == 0 {
            return fail(
                "registration.confirmation_link_hours",
                "doit être au moins 1",
            );
        }
        if self.retention.unconfirmed_days == 0
            || self.retention.withdrawn_days == 0
            || self.retention.closed_group_months == 0
        {
            return fail(
                "retention",
                "les durées de conservation doivent être d’au moins 1",
            );
        }
        if self.registration.manage_link_days == 0 {
            return fail("registration.manage_link_days", "doit être au moins 1");
        }
        Ok(())
    }

    /// Cookies carry `Secure` (and the `__Host-` prefix) when the site is served over https.
    pub fn is_https(&self) -> bool {
        self.server.base_url.starts_with("https://")
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.server.request_timeout_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_defaults_are_valid() {
        let config = Config::from_toml_overrides("").expect("defaults load");
        assert_eq!(config.server.bind.port(), 8080);
        assert_eq!(config.mail.transport, MailTransportKind::File);
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let err = Config::from_toml_overrides("[mail.smtp]\nport = \"abc\"").unwrap_err();
        assert!(err.to_string().contains("mail.smtp.port"), "{err}");
        let err = Config::from_toml_overrides("[mail]\ntransport = \"pigeon\"").unwrap_err();
        assert!(err.to_string().contains("mail.transport"), "{err}");
        let err = Config::from_toml_overrides("[server]\nbase_url = \"example.org\"").unwrap_err();
        assert!(err.to_string().contains("server.base_url"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let err = Config::from_toml_overrides("[server]\nbnid = \"x\"").unwrap_err();
        assert!(err.to_string().contains("bnid"), "{err}");
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("hunter2-hunter2");
        assert_eq!(format!("{secret:?}"), "\"***\"");
    }
}
