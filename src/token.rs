//! Random tokens for the links we email. A token is sent once in an email and
//! only its SHA-256 is stored, so a copy of the database does not open anyone's
//! registrations.
//!
//! Two kinds. Staff sign-in links and sessions carry 256 random bits, stored as
//! their SHA-256. Registrants' links (two per sign-up, the hot path) carry the
//! time they were drawn, then 192 random bits, and are stored under that time
//! followed by the SHA-256: the unique index on the stored key then grows at its
//! end. Keyed by the hash alone, each new link went to a random page of the index,
//! and those pages were most of what a batch of sign-ups wrote to disk (storage
//! ceiling +30 % with time-ordered keys, see the README).

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

/// A token for a registrant's link: 8 bytes of time (microseconds since 1970,
/// big-endian, so keys sort by time), then 24 random bytes; 43 characters like
/// the others.
pub fn generate_link() -> NewToken {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_micros() as u64);
    let random: [u8; 24] = rand::rng().random();
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&micros.to_be_bytes());
    bytes[8..].copy_from_slice(&random);
    let text = URL_SAFE_NO_PAD.encode(bytes);
    let hash = link_key(&text);
    NewToken { text, hash }
}

/// The key under which a registrant's link token is stored: its time, then the
/// SHA-256 of the whole token. Anything that is not the shape of one of our
/// tokens gets a key that matches no row.
pub fn link_key(text: &str) -> Vec<u8> {
    let mut key = match URL_SAFE_NO_PAD.decode(text) {
        Ok(bytes) if bytes.len() == 32 => bytes[..8].to_vec(),
        _ => Vec::new(),
    };
    key.extend_from_slice(&Sha256::digest(text.as_bytes()));
    key
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
    fn link_tokens_are_keyed_in_the_order_they_were_drawn() {
        let a = generate_link();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = generate_link();
        assert!(is_well_formed(&a.text) && is_well_formed(&b.text));
        assert_eq!(a.hash, link_key(&a.text));
        assert!(a.hash < b.hash, "later links sort after earlier ones");
        assert_eq!(&a.hash[8..], Sha256::digest(a.text.as_bytes()).as_slice());
        // The random part is what a guess must find: tokens drawn at once differ.
        let (c, d) = (generate_link(), generate_link());
        assert_ne!(c.text[11..], d.text[11..]);
        assert!(
            link_key("not a token").len() == 32,
            "junk gets a key of no row"
        );
    }

    #[test]
    fn junk_is_not_a_token() {
        assert!(!is_well_formed(""));
        assert!(!is_well_formed("../../etc/passwd"));
        assert!(!is_well_formed(&"a".repeat(44)));
    }
}
