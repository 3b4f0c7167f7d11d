//! An email address as registrants type it: trimmed, lower-cased (addresses are
//! compared case-insensitively, so "Marie@Mairie.fr" and "marie@mairie.fr" are one
//! person), syntactically valid, ASCII only.
//!
//! ASCII only: internationalised addresses need SMTPUTF8 end to end, which
//! administrations' mail servers rarely offer, and non-ASCII look-alike letters
//! (Cyrillic "а" for Latin "a") are a phishing tool. A registrant with such an
//! address is told to use another.

use validator::ValidateEmail;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim().to_lowercase();
        if text.is_empty() {
            return Err("Renseignez votre adresse électronique.".into());
        }
        if text.len() > Self::MAX_CHARS {
            return Err(format!(
                "L’adresse électronique ne doit pas dépasser {} caractères.",
                Self::MAX_CHARS
            ));
        }
        if !text.is_ascii() {
            return Err("L’adresse électronique ne doit contenir ni accent ni caractère spécial : utilisez une adresse en caractères latins simples.".into());
        }
        let domain_has_dot = text
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'));
        if !text.validate_email() || !domain_has_dot || text.chars().any(|c| c.is_ascii_control()) {
            return Err(
                "Saisissez une adresse électronique valide, par exemple prenom.nom@mairie.fr."
                    .into(),
            );
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Marie.Curie@Mairie.FR ").unwrap().as_str(),
            "marie.curie@mairie.fr"
        );
    }

    #[test]
    fn bad_addresses_are_refused() {
        for bad in [
            "",
            "marie",
            "marie@",
            "@mairie.fr",
            "marie@mairie",
            "marie@mairie.fr\r\nBcc: x@y.fr",
            "marie curie@mairie.fr",
            "mаrie@mairie.fr", // Cyrillic а
            "élu@mairie.fr",
            "<script>@x.fr",
        ] {
            assert!(Email::parse(bad).is_err(), "accepted {bad:?}");
        }
    }
}
