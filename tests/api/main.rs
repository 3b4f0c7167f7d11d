//! Integration tests: the real application on a free port, a fresh SQLite file
//! per test, and a real SMTP server (maildev) where email delivery is the point.
//! One binary for all, so they link once.

mod helpers;

mod airtable;
mod authorities;
mod bad_inputs;
mod batch;
mod cli;
mod confirmation;
mod export;
mod failures;
mod ops;
mod outbox;
mod process;
mod registrant;
mod retention;
mod security;
mod self_service;
mod sign_up;
mod staff;
