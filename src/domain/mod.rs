//! Types that cannot hold invalid data. Each is built only through `parse`, which
//! answers a French message fit to show beside the form field; the web layer turns
//! form input into these before anything reaches the database.

mod authority;
mod email;
mod registration;
mod text;

pub use authority::{Authority, AuthorityCode, AuthorityKind, Territory};
pub use email::Email;
pub use registration::{NewRegistration, RegistrationState, Role};
pub use text::{FreeText, PersonName, Phone};
