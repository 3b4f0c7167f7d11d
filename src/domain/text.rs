//! Names, free text and phone numbers typed by registrants.
//!
//! The rules aim at what French officials really type (accents, hyphens, the
//! typographic apostrophe, « DGS », « Maire-adjointe aux finances ») while refusing
//! what only an attack or a mistake produces: markup, control characters (a CR/LF
//! would let a name break an email header), bidirectional overrides that disguise
//! text, and unbounded lengths.

use unicode_normalization::UnicodeNormalization;

/// Characters refused everywhere: markup delimiters, and Unicode's invisible
/// direction overrides and zero-width characters, which disguise what is shown.
fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '<' | '>')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Trims, folds runs of spaces into one, and puts the text in Unicode NFC form so
/// that "é" typed two ways compares equal.
fn tidy(input: &str) -> String {
    let composed: String = input.nfc().collect();
    composed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Common checks for text fields: present, bounded, no forbidden character.
fn checked(input: &str, max_chars: usize, what: &str) -> Result<String, String> {
    if input.chars().any(is_forbidden) {
        // Control characters are judged before tidying, which would hide a CR/LF.
        return Err(format!(
            "{what} contient un caractère non autorisé (balise, retour à la ligne ou caractère invisible)."
        ));
    }
    let text = tidy(input);
    if text.is_empty() {
        return Err(format!("Renseignez {what}."));
    }
    if text.chars().count() > max_chars {
        return Err(format!(
            "{what} ne doit pas dépasser {max_chars} caractères."
        ));
    }
    Ok(text)
}

/// First or last name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    /// `what` names the field in messages ("votre prénom", "votre nom").
    pub fn parse(input: &str, what: &str) -> Result<Self, String> {
        let text = checked(input, Self::MAX_CHARS, what)?;
        let allowed = |c: char| {
            c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.') || is_combining(c)
        };
        if !text.chars().all(allowed) {
            return Err(format!(
                "{} ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.",
                capitalise(what)
            ));
        }
        if !text.chars().any(char::is_alphabetic) {
            return Err(format!("Renseignez {what}."));
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

fn capitalise(what: &str) -> String {
    let mut chars = what.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A short free text: a function ("Maire", "DGS") or an authority's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeText(String);

impl FreeText {
    pub fn parse(input: &str, max_chars: usize, what: &str) -> Result<Self, String> {
        checked(input, max_chars, what).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number, kept as typed once tidied (the registrant's own format), but
/// holding 6 to 15 digits with an optional leading +.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = tidy(input);
        let message = "Le numéro de téléphone doit comporter de 6 à 15 chiffres, par exemple 01 23 45 67 89 ou +33 1 23 45 67 89.";
        if text.chars().count() > 25 {
            return Err(message.into());
        }
        let mut digits = 0;
        for (i, c) in text.chars().enumerate() {
            match c {
                '0'..='9' => digits += 1,
                '+' if i == 0 => {}
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return Err(message.into()),
            }
        }
        if !(6..=15).contains(&digits) {
            return Err(message.into());
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
    fn names_keep_accents_hyphens_and_apostrophes() {
        for name in [
            "Élodie",
            "Jean-Baptiste",
            "N’Diaye",
            "d'Artagnan",
            "Ève Marie",
            "Ngô",
        ] {
            assert_eq!(
                PersonName::parse(name, "votre prénom").unwrap().as_str(),
                name
            );
        }
    }

    #[test]
    fn names_are_tidied() {
        let name = PersonName::parse("  Anne   Sophie ", "votre prénom").unwrap();
        assert_eq!(name.as_str(), "Anne Sophie");
        // "e" + combining acute becomes "é".
        let name = PersonName::parse("Rene\u{301}", "votre prénom").unwrap();
        assert_eq!(name.as_str(), "René");
    }

    #[test]
    fn names_refuse_markup_controls_digits_and_overrides() {
        for bad in [
            "",
            "   ",
            "<script>",
            "Jean\r\nBcc: x@y.fr",
            "Jean\u{202E}",
            "R2D2",
            "---",
            &"a".repeat(101),
        ] {
            assert!(
                PersonName::parse(bad, "votre nom").is_err(),
                "accepted {bad:?}"
            );
        }
    }

    #[test]
    fn phones() {
        assert!(Phone::parse("01 23 45 67 89").is_ok());
        assert!(Phone::parse("+33 (0)1.23.45.67.89").is_ok());
        assert!(Phone::parse("12345").is_err());
        assert!(Phone::parse("=1+2").is_err());
        assert!(Phone::parse("0123+456789").is_err());
    }

    #[test]
    fn free_text_accepts_punctuation_but_not_markup() {
        assert!(
            FreeText::parse(
                "Maire-adjointe (finances) & numérique",
                100,
                "votre fonction"
            )
            .is_ok()
        );
        assert!(FreeText::parse("<b>DGS</b>", 100, "votre fonction").is_err());
        assert!(FreeText::parse("DGS\u{0}", 100, "votre fonction").is_err());
    }
}
