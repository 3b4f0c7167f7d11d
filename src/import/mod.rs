//! Bringing registrations in from elsewhere: today, the Airtable forms this
//! platform replaces.

pub mod airtable;
