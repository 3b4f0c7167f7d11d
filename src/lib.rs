//! `inscriptions`: sign-ups to the project groups of the programme
//! « Transformation numérique des territoires ».
//!
//! Map of the crate, one folder per capability:
//! - [`cli`]: the operator's commands (`serve`, `migrate`, …);
//! - [`config`]: settings in layers (built-in defaults, a file, the environment);
//! - [`staff`]: admins and copilots, sign-in, sessions, audit log;
//! - [`startup`]: builds the [`startup::Application`] that serves the site and runs the email worker;
//! - [`domain`]: types that cannot hold invalid data (email, names, role, authority…);
//! - [`db`]: the queries, one module per table family;
//! - [`export`]: the participant CSV, in Excel and RFC 4180 flavours;
//! - [`import`]: registrations brought in from the Airtable forms;
//! - [`referentiel`]: the official list of authorities, imported and searched;
//! - [`registration`]: the registration lifecycle (sign up, confirm, withdraw);
//! - [`mail`]: email wording, outbox and the worker that delivers it;
//! - [`ops`]: health, readiness, metrics, backups, configuration check;
//! - [`web`]: HTTP routes per audience, security middleware, errors;
//! - [`views`]: the HTML pages, built with maud on the DSFR.

pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod export;
pub mod import;
pub mod mail;
pub mod ops;
pub mod referentiel;
pub mod registration;
pub mod staff;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod token;
pub mod views;
pub mod web;
