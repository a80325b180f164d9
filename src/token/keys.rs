//! Key material for tokens: the service's Ed25519 session keys and the host issuers' keys.
//!
//! Each key is bound to exactly one algorithm when it is parsed, so a token's `alg` header can
//! never pick how it is verified.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jwt_compact::{
    alg::{Ed25519, Es256, Hs256Key, SigningKey as _, StrongKey},
    jwk::JsonWebKey,
    Algorithm,
};
use sha2::Sha256;

use crate::config::{names, ConfigError};

pub type EdSigningKey = <Ed25519 as Algorithm>::SigningKey;
pub type EdVerifyingKey = <Ed25519 as Algorithm>::VerifyingKey;
pub type EsVerifyingKey = <Es256 as Algorithm>::VerifyingKey;

/// The minimum HS256 key length accepted (jwt-compact's strong-key rule, RFC 7518 §3.2 and more).
const MIN_HS256_KEY_BYTES: usize = 64;

/// The service's own signing key and every public key a session token may be verified with.
pub struct SessionKeys {
    pub signing: EdSigningKey,
    /// The signing key's id: its RFC 7638 thumbprint.
    pub kid: String,
    /// The current public key first, then the retired ones, each with its id.
    pub verifying: Vec<(String, EdVerifyingKey)>,
}

impl SessionKeys {
    /// Parses the signing key (base64url of a 32-byte Ed25519 seed) and the retired public keys
    /// (a JSON list of Ed25519 JWKs).
    pub fn parse(seed_b64: &str, retired_json: &str) -> Result<Self, ConfigError> {
        let seed = URL_SAFE_NO_PAD
            .decode(seed_b64.trim_end_matches('='))
            .ok()
            .filter(|seed| seed.len() == 32)
            .ok_or_else(|| {
                let name = names::SESSION_SIGNING_KEY;
                ConfigError(format!(
                    "{name} must be base64url of a 32-byte Ed25519 seed"
                ))
            })?;
        let signing = EdSigningKey::from_slice(&seed)
            .map_err(|e| ConfigError(format!("{}: {e}", names::SESSION_SIGNING_KEY)))?;
        let public = signing.to_verifying_key();
        let kid = thumbprint(&JsonWebKey::from(&public));

        let retired_name = names::SESSION_RETIRED_KEYS;
        let retired: Vec<serde_json::Value> = serde_json::from_str(retired_json)
            .map_err(|e| ConfigError(format!("{retired_name} is not a JSON list: {e}")))?;
        let mut verifying = vec![(kid.clone(), public)];
        for jwk in retired {
            let key = ed25519_from_jwk(&jwk)
                .map_err(|reason| ConfigError(format!("{retired_name}: {reason}")))?;
            verifying.push((thumbprint(&JsonWebKey::from(&key)), key));
        }
        Ok(SessionKeys {
            signing,
            kid,
            verifying,
        })
    }

    /// The public keys as a JWKS document (`{"keys": [...]}`), current key first.
    pub fn jwks(&self) -> serde_json::Value {
        let keys = self
            .verifying
            .iter()
            .map(|(kid, key)| {
                let mut jwk = serde_json::to_value(JsonWebKey::from(key)).unwrap_or_default();
                if let Some(object) = jwk.as_object_mut() {
                    object.insert("kid".into(), kid.as_str().into());
                    object.insert("alg".into(), "EdDSA".into());
                    object.insert("use".into(), "sig".into());
                }
                jwk
            })
            .collect::<Vec<_>>();
        serde_json::json!({ "keys": keys })
    }

    /// The public key with this id, if it is current or retired.
    pub fn verifying_key(&self, kid: &str) -> Option<&EdVerifyingKey> {
        self.verifying
            .iter()
            .find(|(id, _)| id == kid)
            .map(|(_, key)| key)
    }
}

/// A host issuer's key, bound to its one algorithm.
pub enum HostKey {
    Hs256(StrongKey<Hs256Key>),
    EdDsa(EdVerifyingKey),
    Es256(EsVerifyingKey),
}

impl HostKey {
    /// An HS256 key from a secret's bytes; refused below 64 bytes.
    pub fn hs256(secret: &[u8]) -> Result<Self, String> {
        if secret.len() < MIN_HS256_KEY_BYTES {
            return Err(format!(
                "an HS256 secret needs at least {MIN_HS256_KEY_BYTES} bytes"
            ));
        }
        StrongKey::try_from(Hs256Key::new(secret))
            .map(HostKey::Hs256)
            .map_err(|_| "the HS256 secret is too weak".to_owned())
    }

    /// A public key for `alg` (`EdDSA` or `ES256`) from a JWK.
    pub fn from_jwk(alg: &str, jwk: &serde_json::Value) -> Result<Self, String> {
        match alg {
            "EdDSA" => ed25519_from_jwk(jwk).map(HostKey::EdDsa),
            "ES256" => {
                let jwk: JsonWebKey<'_> =
                    serde_json::from_value(jwk.clone()).map_err(|e| format!("bad JWK: {e}"))?;
                EsVerifyingKey::try_from(&jwk)
                    .map(HostKey::Es256)
                    .map_err(|e| format!("not a P-256 public key: {e}"))
            }
            other => Err(format!("unsupported algorithm {other}")),
        }
    }
}

fn ed25519_from_jwk(jwk: &serde_json::Value) -> Result<EdVerifyingKey, String> {
    let jwk: JsonWebKey<'_> =
        serde_json::from_value(jwk.clone()).map_err(|e| format!("bad JWK: {e}"))?;
    EdVerifyingKey::try_from(&jwk).map_err(|e| format!("not an Ed25519 public key: {e}"))
}

/// RFC 7638 thumbprint of a public JWK, base64url: a stable key id.
fn thumbprint(jwk: &JsonWebKey<'_>) -> String {
    URL_SAFE_NO_PAD.encode(jwk.thumbprint::<Sha256>())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    const OTHER_SEED: &str = "HxoZGBcWFRQTEhEQDw4NDAsKCQgHBgUEAwIBAB8eHRw";

    #[test]
    fn the_key_id_is_stable_and_published_in_the_jwks() {
        let keys = SessionKeys::parse(SEED, "[]").unwrap();
        assert_eq!(keys.kid, SessionKeys::parse(SEED, "[]").unwrap().kid);
        let jwks = keys.jwks();
        assert_eq!(jwks["keys"][0]["kid"], keys.kid.as_str());
        assert_eq!(jwks["keys"][0]["kty"], "OKP");
        assert_eq!(jwks["keys"][0]["crv"], "Ed25519");
        assert!(
            jwks["keys"][0].get("d").is_none(),
            "the private part must never be published"
        );
    }

    #[test]
    fn a_retired_key_stays_published_and_usable_under_its_own_id() {
        let old = SessionKeys::parse(OTHER_SEED, "[]").unwrap();
        let retired = serde_json::to_string(&old.jwks()["keys"]).unwrap();
        let keys = SessionKeys::parse(SEED, &retired).unwrap();
        assert_eq!(keys.jwks()["keys"].as_array().unwrap().len(), 2);
        assert!(keys.verifying_key(&old.kid).is_some());
        assert_ne!(keys.kid, old.kid);
    }

    #[test]
    fn an_hs256_secret_shorter_than_64_bytes_is_refused() {
        assert!(HostKey::hs256(&[7; 63]).is_err());
        assert!(HostKey::hs256(&[7; 64]).is_ok());
    }

    #[test]
    fn a_jwk_of_the_wrong_curve_is_refused() {
        let ed = SessionKeys::parse(SEED, "[]").unwrap().jwks()["keys"][0].clone();
        assert!(HostKey::from_jwk("ES256", &ed).is_err());
        assert!(HostKey::from_jwk("EdDSA", &ed).is_ok());
        assert!(HostKey::from_jwk("RS256", &ed).is_err());
    }
}
