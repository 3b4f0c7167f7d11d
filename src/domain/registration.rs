//! A registration's vocabulary: the registrant's role, the lifecycle states, and
//! the validated content of a new sign-up.

use super::{Authority, Email, FreeText, PersonName, Phone};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Agent,
    Elected,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Elected => "elected",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "agent" => Some(Self::Agent),
            "elected" => Some(Self::Elected),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Agent => "Agent",
            Self::Elected => "Élu·e",
        }
    }
}

/// `pending_email` → `confirmed` → (`approved` | `rejected`, where the group is
/// moderated) → `withdrawn` at any time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationState {
    PendingEmail,
    Confirmed,
    Approved,
    Rejected,
    Withdrawn,
}

impl RegistrationState {
    pub const ALL: [RegistrationState; 5] = [
        Self::PendingEmail,
        Self::Confirmed,
        Self::Approved,
        Self::Rejected,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingEmail => "pending_email",
            Self::Confirmed => "confirmed",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == value)
    }

    /// The state as the registrant reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::PendingEmail => "À confirmer",
            Self::Confirmed => "Confirmée",
            Self::Approved => "Validée",
            Self::Rejected => "Refusée",
            Self::Withdrawn => "Retirée",
        }
    }
}

/// A sign-up whose every field has been checked.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub email: Email,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub role: Role,
    pub function: FreeText,
    pub authority: Authority,
    pub phone: Option<Phone>,
}
