//! The sign-up form as posted, and the one place where it becomes a
//! [`NewRegistration`]: `validator` checks each field (with the rules of the
//! domain types), then the cross-field rule (the code's shape depends on the
//! authority's kind), and only then are the domain values built.

use serde::Deserialize;
use validator::{Validate, ValidationError};

use crate::{
    domain::{
        Authority, AuthorityCode, AuthorityKind, Email, FreeText, NewRegistration, PersonName,
        Phone, Role, Territory,
    },
    referentiel::{AuthorityHit, Referentiel},
    views::components::FormErrors,
};

pub const FUNCTION_MAX_CHARS: usize = 100;
pub const AUTHORITY_NAME_MAX_CHARS: usize = 150;

/// The fields in the order the page shows them (for the error summary).
pub const FIELD_ORDER: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "phone",
    "role",
    "function",
    "authority_kind",
    "authority_name",
    "authority_code",
];

#[derive(Debug, Default, Clone, Deserialize, Validate)]
#[serde(default)]
pub struct SignUpForm {
    #[validate(custom(function = "check_first_name"))]
    pub first_name: String,
    #[validate(custom(function = "check_last_name"))]
    pub last_name: String,
    #[validate(custom(function = "check_email"))]
    pub email: String,
    #[validate(custom(function = "check_role"))]
    pub role: String,
    #[validate(custom(function = "check_function"))]
    pub function: String,
    #[validate(custom(function = "check_authority_kind"))]
    pub authority_kind: String,
    #[validate(custom(function = "check_authority_name"))]
    pub authority_name: String,
    pub authority_code: String,
    #[validate(custom(function = "check_phone"))]
    pub phone: String,
    /// "oui" when the box "also join the collaborative space" is ticked.
    pub join_space: Option<String>,
    /// What the registrant typed to look their authority up in the official list.
    pub authority_query: String,
    /// The authority picked from the official list, as "kind:code"; when set, it
    /// supplies the kind, name and code.
    pub authority_choice: String,
    /// "rechercher" when the form was sent to search the official list (without
    /// JavaScript), not to sign up.
    pub action: String,
}

fn to_validation<T>(result: Result<T, String>) -> Result<(), ValidationError> {
    result
        .map(|_| ())
        .map_err(|message| ValidationError::new("invalid").with_message(message.into()))
}

fn check_first_name(value: &str) -> Result<(), ValidationError> {
    to_validation(PersonName::parse(value, "votre prénom"))
}
fn check_last_name(value: &str) -> Result<(), ValidationError> {
    to_validation(PersonName::parse(value, "votre nom"))
}
fn check_email(value: &str) -> Result<(), ValidationError> {
    to_validation(Email::parse(value))
}
fn check_role(value: &str) -> Result<(), ValidationError> {
    to_validation(
        Role::parse(value).ok_or_else(|| "Indiquez si vous êtes agent ou élu·e.".to_string()),
    )
}
fn check_function(value: &str) -> Result<(), ValidationError> {
    to_validation(FreeText::parse(value, FUNCTION_MAX_CHARS, "votre fonction"))
}
fn check_authority_kind(value: &str) -> Result<(), ValidationError> {
    to_validation(
        AuthorityKind::parse(value)
            .ok_or_else(|| "Indiquez le type de votre collectivité ou organisme.".to_string()),
    )
}
fn check_authority_name(value: &str) -> Result<(), ValidationError> {
    to_validation(FreeText::parse(
        value,
        AUTHORITY_NAME_MAX_CHARS,
        "le nom de votre collectivité ou organisme",
    ))
}
fn check_phone(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Ok(());
    }
    to_validation(Phone::parse(value))
}

impl SignUpForm {
    pub fn wants_space(&self) -> bool {
        self.join_space.as_deref() == Some("oui")
    }

    /// True when the visitor asked to search the official list of authorities.
    pub fn is_authority_search(&self) -> bool {
        self.action == "rechercher"
    }

    /// The authority picked from the official list, if the choice is a real one.
    pub fn chosen_authority(&self, referentiel: &Referentiel) -> Option<AuthorityHit> {
        let (kind, code) = self.authority_choice.split_once(':')?;
        referentiel.get(AuthorityKind::parse(kind)?, code)
    }

    /// Checks every field and builds the registration, or lists every error. An
    /// authority picked from the official list fills in kind, name and code; a
    /// code typed by hand must be one the official list knows (when it is loaded).
    pub fn parse(&self, referentiel: &Referentiel) -> Result<NewRegistration, FormErrors> {
        let chosen = self.chosen_authority(referentiel);
        match &chosen {
            Some(hit) => SignUpForm {
                authority_kind: hit.kind.as_str().into(),
                authority_name: hit.name.clone(),
                authority_code: hit.code.clone(),
                ..self.clone()
            }
            .parse_fields(referentiel, chosen.clone()),
            None => self.parse_fields(referentiel, None),
        }
    }

    fn parse_fields(
        &self,
        referentiel: &Referentiel,
        chosen: Option<AuthorityHit>,
    ) -> Result<NewRegistration, FormErrors> {
        let mut errors = FormErrors::default();
        if let Err(invalid) = self.validate() {
            for (field, field_errors) in invalid.field_errors() {
                let field = FIELD_ORDER
                    .iter()
                    .find(|f| **f == field.as_ref())
                    .copied()
                    .unwrap_or("email");
                for error in field_errors {
                    let message = error.message.as_deref().unwrap_or("Ce champ est invalide.");
                    errors.add(field, message);
                }
            }
        }
        // The code's shape depends on the kind, so it is checked once the kind is known.
        let kind = AuthorityKind::parse(&self.authority_kind);
        let code = match (kind, self.authority_code.trim()) {
            (_, "") | (None, _) => None,
            (Some(kind), code) => match AuthorityCode::parse(kind, code) {
                Ok(code) => Some(code),
                Err(message) => {
                    errors.add("authority_code", message);
                    None
                }
            },
        };
        let known = match (kind, &code) {
            (Some(kind), Some(code)) if kind != AuthorityKind::Other => {
                let known = chosen.or_else(|| referentiel.get(kind, code.as_str()));
                if known.is_none() && !referentiel.is_empty() {
                    errors.add(
                        "authority_code",
                        format!(
                            "Aucune collectivité de type « {} » n’a ce code dans la liste officielle : vérifiez-le, ou recherchez votre collectivité ci-dessus.",
                            kind.noun()
                        ),
                    );
                }
                known
            }
            _ => None,
        };
        let territory = known
            .map(|hit| Territory {
                departement_code: hit.departement_code,
                departement_name: hit.departement_name,
                region_code: hit.region_code,
                region_name: hit.region_name,
            })
            .unwrap_or_default();
        if !errors.is_empty() {
            errors.sort_by(FIELD_ORDER);
            return Err(errors);
        }
        // Every field has passed its check above: these parses cannot fail, but
        // their errors are still mapped rather than unwrapped.
        let built = (|| -> Result<NewRegistration, String> {
            Ok(NewRegistration {
                email: Email::parse(&self.email)?,
                first_name: PersonName::parse(&self.first_name, "votre prénom")?,
                last_name: PersonName::parse(&self.last_name, "votre nom")?,
                role: Role::parse(&self.role).ok_or("rôle")?,
                function: FreeText::parse(&self.function, FUNCTION_MAX_CHARS, "votre fonction")?,
                authority: Authority {
                    kind: kind.ok_or("type de collectivité")?,
                    name: FreeText::parse(
                        &self.authority_name,
                        AUTHORITY_NAME_MAX_CHARS,
                        "le nom de votre collectivité ou organisme",
                    )?,
                    code,
                    territory,
                },
                phone: match self.phone.trim() {
                    "" => None,
                    phone => Some(Phone::parse(phone)?),
                },
            })
        })();
        built.map_err(|message| {
            let mut errors = FormErrors::default();
            errors.add("email", message);
            errors
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> SignUpForm {
        SignUpForm {
            first_name: "Élodie".into(),
            last_name: "N’Diaye-Martin".into(),
            email: " Elodie.Ndiaye@Mairie-Exemple.fr ".into(),
            role: "elected".into(),
            function: "Maire".into(),
            authority_kind: "commune".into(),
            authority_name: "Saint-Étienne".into(),
            authority_code: "42218".into(),
            phone: "".into(),
            ..SignUpForm::default()
        }
    }

    #[test]
    fn a_valid_form_becomes_a_registration() {
        let registration = valid().parse(&Referentiel::default()).expect("valid");
        assert_eq!(
            registration.email.as_str(),
            "elodie.ndiaye@mairie-exemple.fr"
        );
        assert_eq!(registration.authority.code.unwrap().as_str(), "42218");
        assert!(registration.phone.is_none());
    }

    #[test]
    fn errors_come_in_page_order_one_per_field() {
        let form = SignUpForm {
            phone: "abc".into(),
            first_name: "".into(),
            authority_code: "12".into(),
            ..valid()
        };
        let errors = form.parse(&Referentiel::default()).unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["first_name", "phone", "authority_code"]);
    }
}
