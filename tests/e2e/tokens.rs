//! Per-run keys and the host application's tokens. Tokens are assembled by hand (header, claims,
//! signature) so that the suite can also make the bad ones a real attacker would: expired, early,
//! wrong audience or issuer, signed by a stranger, `alg: none`, algorithm confusion.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use ed25519_dalek::Signer as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// The audience every configured host issuer (and the service's sessions) uses.
pub const AUDIENCE: &str = "passkey-api";
/// The issuer names configured for this run, one per supported algorithm.
pub const HS256_ISSUER: &str = "http://localhost:3000";
pub const EDDSA_ISSUER: &str = "https://ed25519.host.e2e.test";
pub const ES256_ISSUER: &str = "https://p256.host.e2e.test";
/// The service's own session issuer (the default `SESSION_ISSUER`).
pub const SESSION_ISSUER: &str = "http://localhost:8787";

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    os_random::getrandom(&mut bytes).expect("the OS gives random bytes");
    bytes
}

/// A random lowercase hex string of `2 * N` characters.
pub fn random_hex<const N: usize>() -> String {
    random_bytes::<N>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Seconds since the Unix epoch, by this machine's clock (the Worker's clock is the same one).
pub fn now_secs() -> i64 {
    let elapsed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    elapsed.expect("clock after 1970").as_secs() as i64
}

/// Which configured host issuer signs a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostAlg {
    Hs256,
    EdDsa,
    Es256,
}

/// The keys of one run: the service's session seed and the host issuers' private keys.
pub struct RunKeys {
    /// Ed25519 seed of the service's session key (`SESSION_SIGNING_KEY`).
    pub session_seed: [u8; 32],
    /// The HS256 secret (`HOST_HS256_SECRET`): 86 url-safe characters, 64 random bytes.
    pub hs256_secret: String,
    pub ed25519: ed25519_dalek::SigningKey,
    pub p256: p256::ecdsa::SigningKey,
}

impl RunKeys {
    pub fn generate() -> Self {
        let p256 = loop {
            if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&random_bytes::<32>()) {
                break key;
            }
        };
        RunKeys {
            session_seed: random_bytes(),
            hs256_secret: B64URL.encode(random_bytes::<64>()),
            ed25519: ed25519_dalek::SigningKey::from_bytes(&random_bytes()),
            p256,
        }
    }

    /// The `--var` overrides that configure the Worker with this run's keys.
    pub fn worker_vars(&self) -> Vec<(String, String)> {
        let point = self.p256.verifying_key().to_encoded_point(false);
        let (x, y) = (point.x().expect("x"), point.y().expect("y"));
        let issuers = json!([
            {"iss": HS256_ISSUER, "aud": AUDIENCE, "alg": "HS256", "secret": "HOST_HS256_SECRET"},
            {"iss": EDDSA_ISSUER, "aud": AUDIENCE, "alg": "EdDSA", "jwk": {
                "kty": "OKP", "crv": "Ed25519",
                "x": B64URL.encode(self.ed25519.verifying_key().as_bytes())}},
            {"iss": ES256_ISSUER, "aud": AUDIENCE, "alg": "ES256", "jwk": {
                "kty": "EC", "crv": "P-256", "x": B64URL.encode(x), "y": B64URL.encode(y)}},
        ]);
        vec![
            (
                "SESSION_SIGNING_KEY".into(),
                B64URL.encode(self.session_seed),
            ),
            ("HOST_HS256_SECRET".into(), self.hs256_secret.clone()),
            ("HOST_ISSUERS".into(), issuers.to_string()),
        ]
    }

    /// The Ed25519 public key the service's sessions must be signed with.
    pub fn session_public_key(&self) -> ed25519_dalek::VerifyingKey {
        ed25519_dalek::SigningKey::from_bytes(&self.session_seed).verifying_key()
    }

    /// A valid host token for `claims`, signed by the issuer configured for `alg`.
    pub fn host_token(&self, alg: HostAlg, claims: &Value) -> String {
        let mut claims = claims.clone();
        claims["iss"] = json!(match alg {
            HostAlg::Hs256 => HS256_ISSUER,
            HostAlg::EdDsa => EDDSA_ISSUER,
            HostAlg::Es256 => ES256_ISSUER,
        });
        self.sign_as(alg, &claims)
    }

    /// Signs `claims` exactly as given with the key configured for `alg`.
    pub fn sign_as(&self, alg: HostAlg, claims: &Value) -> String {
        match alg {
            HostAlg::Hs256 => sign_hs256(self.hs256_secret.as_bytes(), claims),
            HostAlg::EdDsa => sign_eddsa(&self.ed25519, claims),
            HostAlg::Es256 => {
                let signing_input = signing_input("ES256", claims);
                let signature: p256::ecdsa::Signature =
                    p256::ecdsa::signature::Signer::sign(&self.p256, signing_input.as_bytes());
                format!("{signing_input}.{}", B64URL.encode(signature.to_bytes()))
            }
        }
    }
}

/// Claims a host application would put in a token for `sub`, valid for ten minutes.
pub fn host_claims(sub: &str, email: &str, name: &str) -> Value {
    let now = now_secs();
    json!({"aud": AUDIENCE, "sub": sub, "email": email, "name": name,
           "iat": now, "nbf": now - 5, "exp": now + 600})
}

/// `base64url(header).base64url(claims)` for a JWS with the given `alg`.
pub fn signing_input(alg: &str, claims: &Value) -> String {
    let header = json!({"alg": alg, "typ": "JWT"});
    format!(
        "{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string())
    )
}

/// An HS256 token with an arbitrary key (also used for algorithm-confusion attempts).
pub fn sign_hs256(key: &[u8], claims: &Value) -> String {
    let signing_input = signing_input("HS256", claims);
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        B64URL.encode(mac.finalize().into_bytes())
    )
}

/// An EdDSA token signed with `key`.
pub fn sign_eddsa(key: &ed25519_dalek::SigningKey, claims: &Value) -> String {
    let signing_input = signing_input("EdDSA", claims);
    let signature = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", B64URL.encode(signature.to_bytes()))
}

/// An unsigned token (`alg: none`, empty signature).
pub fn unsigned_token(claims: &Value) -> String {
    format!("{}.", signing_input("none", claims))
}
