//! Agent tokens: 32 random bytes, URL-safe base64, shown once. Only an HMAC-SHA256 of the
//! token under a server key is stored, in a unique index, so verifying a token is one indexed
//! lookup whatever the number of agents. Tokens are high-entropy, so a fast keyed hash is
//! enough; the key keeps a database dump alone from being useful for offline guessing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Generates a fresh token.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Generates a random key (or local token) of `len` URL-safe characters.
pub fn random_string(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::rng().fill_bytes(&mut bytes);
    let mut s = URL_SAFE_NO_PAD.encode(bytes);
    s.truncate(len);
    s
}

/// The stored form of a token: `hmac-sha256$<hex>`.
pub fn hash(key: &[u8], token: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(token.as_bytes());
    format!("hmac-sha256${}", hex::encode(mac.finalize().into_bytes()))
}

/// At most six characters of a presented token, for logs about failed attempts.
pub fn log_prefix(token: &str) -> &str {
    match token.char_indices().nth(6) {
        Some((i, _)) => &token[..i],
        None => token,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_deterministically_per_key() {
        let a = generate();
        assert_eq!(a.len(), 43);
        assert_ne!(a, generate());
        assert_eq!(hash(b"k1", &a), hash(b"k1", &a));
        assert_ne!(hash(b"k1", &a), hash(b"k2", &a));
        assert!(!hash(b"k1", &a).contains(&a));
    }

    #[test]
    fn log_prefix_keeps_at_most_six_characters() {
        assert_eq!(log_prefix("abcdefghij"), "abcdef");
        assert_eq!(log_prefix("abc"), "abc");
        assert_eq!(random_string(64).len(), 64);
    }
}
