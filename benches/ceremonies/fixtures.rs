//! Fixed settings, keys and tokens for the benchmarks: the shipped configuration shape, plus
//! EdDSA and ES256 host issuers whose tokens the Worker must also verify.

use jwt_compact::alg::{Ed25519, Es256, SigningKey as _};
use jwt_compact::{AlgorithmExt, Claims, Header};
use serde_json::{json, Value};

use passkey_api::token::instant;

/// A fixed request clock.
pub const NOW_MS: u64 = 1_800_000_000_000;
pub const RP_ID: &str = "example.com";
pub const ORIGIN: &str = "https://example.com";
/// A 32-byte user handle, base64url, as the Worker mints them.
pub const USER_HANDLE: &str = "3q2-7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGho";
const SESSION_SEED: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const HOST_SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The settings lookup `Config::from_lookup` reads: the shape `wrangler.toml` ships (one HS256
/// host issuer) plus `extra_issuers`.
pub fn settings(extra_issuers: &[Value]) -> impl Fn(&str) -> Option<String> {
    let mut issuers = vec![json!({
        "iss": "https://app.example.com", "aud": "passkeys", "alg": "HS256", "secret": "APP_SECRET"
    })];
    issuers.extend_from_slice(extra_issuers);
    let issuers = Value::Array(issuers).to_string();
    move |name: &str| {
        Some(match name {
            "RP_ID" => RP_ID.into(),
            "RP_NAME" => "Example".into(),
            "ALLOWED_ORIGINS" => format!("{ORIGIN},http://localhost:3000"),
            "BASE_PATH" => "/api/auth".into(),
            "SESSION_ISSUER" => "https://auth.example.com".into(),
            "SESSION_AUDIENCE" => "example".into(),
            "SESSION_TTL_SECS" => "604800".into(),
            "SESSION_SIGNING_KEY" => SESSION_SEED.into(),
            "SESSION_RETIRED_KEYS" => "[]".into(),
            "HOST_ISSUERS" => issuers.clone(),
            "APP_SECRET" => HOST_SECRET.into(),
            _ => return None,
        })
    }
}

/// Host issuers with asymmetric keys: their `HOST_ISSUERS` entries and one token of each.
pub struct AsymmetricHosts {
    pub issuers: Vec<Value>,
    pub eddsa_token: String,
    pub es256_token: String,
}

impl AsymmetricHosts {
    pub fn new() -> Self {
        let header = Header::empty().with_token_type("JWT");
        let ed = <Ed25519 as jwt_compact::Algorithm>::SigningKey::from_slice(&[9; 32])
            .expect("an Ed25519 seed");
        let es = <Es256 as jwt_compact::Algorithm>::SigningKey::from_slice(&[5; 32])
            .expect("a P-256 scalar");
        let eddsa_token = Ed25519
            .token(&header, &host_claims("https://ed.example.com"), &ed)
            .expect("EdDSA signs");
        let es256_token = Es256
            .token(&header, &host_claims("https://es.example.com"), &es)
            .expect("ES256 signs");
        let (ed_jwk, es_jwk) = (
            public_jwk(&ed.to_verifying_key()),
            public_jwk(&es.to_verifying_key()),
        );
        let issuers = vec![
            issuer("https://ed.example.com", "EdDSA", ed_jwk),
            issuer("https://es.example.com", "ES256", es_jwk),
        ];
        AsymmetricHosts {
            issuers,
            eddsa_token,
            es256_token,
        }
    }
}

fn issuer(iss: &str, alg: &str, jwk: Value) -> Value {
    json!({ "iss": iss, "aud": "passkeys", "alg": alg, "jwk": jwk })
}

fn host_claims(iss: &str) -> Claims<Value> {
    let mut claims = Claims::new(json!({
        "iss": iss, "aud": "passkeys", "sub": "user-1", "email": "ada@example.com", "name": "Ada"
    }));
    claims.expiration = Some(instant(NOW_MS + 3_600_000));
    claims
}

/// A public key as the JWK value written in `HOST_ISSUERS`.
fn public_jwk<'a, K: 'a>(key: &'a K) -> Value
where
    jwt_compact::jwk::JsonWebKey<'a>: From<&'a K>,
{
    serde_json::to_value(jwt_compact::jwk::JsonWebKey::from(key)).expect("a JWK serialises")
}
