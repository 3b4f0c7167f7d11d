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
