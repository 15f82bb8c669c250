//! The device identity this service presents to gateways: one Ed25519 key shared by every
//! replica (so the fleet pairs once, as one device), from configuration or kept in the
//! database. The device id is the hex SHA-256 of the raw public key.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use ring::signature::{Ed25519KeyPair, KeyPair};
use sha2::{Digest, Sha256};

/// A device key: a 32-byte Ed25519 seed.
pub struct DeviceIdentity {
    pair: Ed25519KeyPair,
    id: String,
    public_key: String,
}

impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key itself is never printed.
        f.debug_struct("DeviceIdentity")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why a configured device key is refused.
#[derive(Debug, thiserror::Error)]
#[error("a gateway device key must be 32 bytes (an Ed25519 seed) in base64 or hex")]
pub struct BadDeviceKey;

impl DeviceIdentity {
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self, BadDeviceKey> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| BadDeviceKey)?;
        let raw = pair.public_key().as_ref();
        let id = hex::encode(Sha256::digest(raw));
        let public_key = URL_SAFE_NO_PAD.encode(raw);
        Ok(Self { pair, id, public_key })
    }

    /// Reads a seed written as base64 (standard or URL-safe, padded or not) or 64 hex digits.
    pub fn from_text(text: &str) -> Result<Self, BadDeviceKey> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).ok()
        } else {
            [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
                .iter()
                .find_map(|engine| engine.decode(text).ok())
        };
        let seed: [u8; 32] = bytes.and_then(|b| b.try_into().ok()).ok_or(BadDeviceKey)?;
        Self::from_seed(&seed)
    }

    /// A new random seed, as the text [`Self::from_text`] reads.
    pub fn generate_text() -> String {
        let seed: [u8; 32] = rand::random();
        URL_SAFE_NO_PAD.encode(seed)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The raw public key, base64url without padding.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// Signs a text, answering base64url without padding.
    pub fn sign(&self, text: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.pair.sign(text.as_bytes()).as_ref())
    }
}

/// What a device signs when it connects (the "v2" form, which every release accepts once a
/// challenge nonce was sent): `v2|device|client|mode|role|scopes|signedAtMs|token|nonce`.
pub struct SignedConnect<'a> {
    pub device_id: &'a str,
    pub client_id: &'a str,
    pub client_mode: &'a str,
    pub role: &'a str,
    pub scopes: &'a [&'a str],
    pub signed_at_ms: i64,
    pub token: &'a str,
    pub nonce: &'a str,
}

impl SignedConnect<'_> {
    pub fn text(&self) -> String {
        format!(
            "v2|{}|{}|{}|{}|{}|{}|{}|{}",
            self.device_id,
            self.client_id,
            self.client_mode,
            self.role,
            self.scopes.join(","),
            self.signed_at_ms,
            self.token,
            self.nonce
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{ED25519, UnparsedPublicKey};

    #[test]
    fn the_id_is_the_hash_of_the_public_key_and_signatures_verify() {
        let d = DeviceIdentity::from_seed(&[7u8; 32]).unwrap();
        let raw = URL_SAFE_NO_PAD.decode(d.public_key()).unwrap();
        assert_eq!(raw.len(), 32);
        assert_eq!(d.id(), hex::encode(Sha256::digest(&raw)));
        let text = SignedConnect {
            device_id: d.id(),
            client_id: "gateway-client",
            client_mode: "backend",
            role: "operator",
            scopes: &["operator.read", "operator.admin"],
            signed_at_ms: 1_700_000_000_000,
            token: "t",
            nonce: "n",
        }
        .text();
        assert_eq!(
            text,
            format!(
                "v2|{}|gateway-client|backend|operator|operator.read,operator.admin|1700000000000|t|n",
                d.id()
            )
        );
        let sig = URL_SAFE_NO_PAD.decode(d.sign(&text)).unwrap();
        UnparsedPublicKey::new(&ED25519, &raw)
            .verify(text.as_bytes(), &sig)
            .unwrap();
    }

    #[test]
    fn keys_are_read_from_base64_or_hex_and_anything_else_is_refused() {
        let text = DeviceIdentity::generate_text();
        let a = DeviceIdentity::from_text(&text).unwrap();
        let b = DeviceIdentity::from_text(&format!(" {text}\n")).unwrap();
        assert_eq!(a.id(), b.id());
        let hex_seed = hex::encode([1u8; 32]);
        let padded = STANDARD.encode([1u8; 32]);
        assert_eq!(
            DeviceIdentity::from_text(&hex_seed).unwrap().id(),
            DeviceIdentity::from_text(&padded).unwrap().id()
        );
        for bad in ["", "abc", &STANDARD.encode([1u8; 31]), &STANDARD.encode([1u8; 64])] {
            assert!(DeviceIdentity::from_text(bad).is_err(), "{bad:?}");
        }
        assert!(!format!("{a:?}").contains(&text));
    }
}
