//! The registrant's authority (collectivité): its kind, its name as given at
//! sign-up, and its official code when known (INSEE for communes, départements and
//! régions; SIREN for EPCI and other public bodies).

use super::text::FreeText;

/// The string forms (`as_str`, and serde's) are those stored in the database.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum AuthorityKind {
    Commune,
    Epci,
    Departement,
    Region,
    /// A State service, an association, an agency…: typed by the registrant, not in
    /// the reference data.
    #[serde(rename = "autre")]
    Other,
}

impl AuthorityKind {
    pub const ALL: [AuthorityKind; 5] = [
        Self::Commune,
        Self::Epci,
        Self::Departement,
        Self::Region,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Commune => "commune",
            Self::Epci => "epci",
            Self::Departement => "departement",
            Self::Region => "region",
            Self::Other => "autre",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// The word as it reads inside a sentence: "Saint-Étienne — commune, Loire (42)".
    pub fn noun(self) -> &'static str {
        match self {
            Self::Commune => "commune",
            Self::Epci => "EPCI",
            Self::Departement => "département",
            Self::Region => "région",
            Self::Other => "autre organisme public",
        }
    }

    /// The label of a choice in the form.
    pub fn label(self) -> &'static str {
        match self {
            Self::Commune => "Commune",
            Self::Epci => "EPCI (intercommunalité)",
            Self::Departement => "Département",
            Self::Region => "Région",
            Self::Other => "Autre organisme public",
        }
    }
}

/// An official code, checked against the shape its kind uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityCode(String);

impl AuthorityCode {
    pub fn parse(kind: AuthorityKind, input: &str) -> Result<Self, String> {
        let code: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let ok = match kind {
            // INSEE commune code: 5 characters, Corsica's start with 2A or 2B.
            AuthorityKind::Commune => {
                code.len() == 5
                    && (digits(&code, 5)
                        || ((code.starts_with("2A") || code.starts_with("2B"))
                            && digits(&code[2..], 3)))
            }
            AuthorityKind::Departement => {
                digits(&code, 2) || digits(&code, 3) || code == "2A" || code == "2B"
            }
            AuthorityKind::Region => digits(&code, 2),
            AuthorityKind::Epci => digits(&code, 9),
            // SIREN or SIRET.
            AuthorityKind::Other => digits(&code, 9) || digits(&code, 14),
        };
        if ok {
            Ok(Self(code))
        } else {
            Err(match kind {
                AuthorityKind::Commune => "Le code officiel d’une commune est son code INSEE à 5 caractères, par exemple 75056 ou 2A004.",
                AuthorityKind::Departement => "Le code officiel d’un département a 2 ou 3 caractères, par exemple 42, 2A ou 974.",
                AuthorityKind::Region => "Le code officiel d’une région a 2 chiffres, par exemple 84.",
                AuthorityKind::Epci => "Le code officiel d’un EPCI est son numéro SIREN à 9 chiffres.",
                AuthorityKind::Other => "Le code officiel d’un organisme est son numéro SIREN (9 chiffres) ou SIRET (14 chiffres).",
            }
            .into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    pub kind: AuthorityKind,
    pub name: FreeText,
    pub code: Option<AuthorityCode>,
    /// Where it lies, from the reference data; empty for other public bodies and
    /// for codes the reference data does not know.
    pub territory: Territory,
}

/// The département and région of an authority, codes and names as at sign-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Territory {
    pub departement_code: Option<String>,
    pub departement_name: Option<String>,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_their_kind() {
        assert!(AuthorityCode::parse(AuthorityKind::Commune, "42218").is_ok());
        assert!(AuthorityCode::parse(AuthorityKind::Commune, "2a004").is_ok());
        assert!(AuthorityCode::parse(AuthorityKind::Commune, "4221").is_err());
        assert!(AuthorityCode::parse(AuthorityKind::Epci, "244200770").is_ok());
        assert!(AuthorityCode::parse(AuthorityKind::Epci, "42218").is_err());
        assert!(AuthorityCode::parse(AuthorityKind::Departement, "974").is_ok());
        assert!(AuthorityCode::parse(AuthorityKind::Region, "=1+1").is_err());
    }
}
