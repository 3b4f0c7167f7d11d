//! The HTML pages, built with maud on the DSFR (the French State's design system).
//! Pages are functions returning `Markup`; shared pieces (layout, form fields,
//! alerts) live in [`layout`] and [`components`], so no page writes that markup
//! by hand. Everything interpolated is escaped by maud.

pub mod components;
pub mod errors;
pub mod home;
pub mod layout;
pub mod legal;
pub mod registrant;
pub mod sign_up;
pub mod staff;

/// The DSFR version we serve; part of the asset URLs, so a new version is a new URL
/// and the long cache never serves stale files.
pub const DSFR_VERSION: &str = "1.15.3";

/// Prefix of the DSFR files.
pub fn dsfr_path() -> String {
    format!("/static/dsfr-{DSFR_VERSION}")
}

/// Prefix of our own static files, versioned with the crate.
pub fn app_static_path() -> String {
    format!("/static/app-{}", env!("CARGO_PKG_VERSION"))
}
