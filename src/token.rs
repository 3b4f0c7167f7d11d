//! Random tokens for the links we email. A token carries 256 random bits, is sent
//! once in an email, and only its SHA-256 is stored, so a copy of the database does
//! not open anyone's registrations.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngExt;
use sha2::{Digest, Sha256};

/// A freshly drawn token: the text for the link and the hash for the database.
pub struct NewToken {
    pub text: String,
    pub hash: Vec<u8>,
}

pub fn generate() -> NewToken {
    let bytes: [u8; 32] = rand::rng().random();
    let text = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&text);
    NewToken { text, hash }
}

/// The hash under which a token is stored. Anything that is not the shape of one
/// of our tokens hashes to a value that matches no row.
pub fn hash(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

/// True if `text` looks like a token we issued (43 URL-safe base64 characters):
/// lets handlers answer 404 to junk without a database query.
pub fn is_well_formed(text: &str) -> bool {
    text.len() == 43
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let a = generate();
        let b = generate();
        assert_ne!(a.text, b.text);
        assert!(is_well_formed(&a.text));
        assert_eq!(a.hash, hash(&a.text));
        assert_ne!(a.hash, a.text.as_bytes());
    }

    #[test]
    fn junk_is_not_a_token() {
        assert!(!is_well_formed(""));
        assert!(!is_well_formed("../../etc/passwd"));
        assert!(!is_well_formed(&"a".repeat(44)));
    }
}
