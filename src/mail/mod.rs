//! Email: the wording (`templates/`), the outbox, the transports and the worker
//! that delivers the outbox with retries.
//!
//! Nothing is sent inside a web request: a handler queues the email in the same
//! transaction as the change that causes it ([`crate::db::outbox::enqueue`]) and
//! wakes the worker. A sign-up therefore never fails, nor waits, because the mail
//! server is slow or down, and a queued email survives a restart.

pub mod templates;
pub mod transport;
pub mod worker;

pub use templates::{Templates, Var};

/// The domain part of our Message-IDs: the host of the site's address.
pub fn message_id_domain(base_url: &str) -> String {
    let host = base_url.split("://").nth(1).unwrap_or(base_url);
    host.split([':', '/'])
        .next()
        .unwrap_or("localhost")
        .to_owned()
}
