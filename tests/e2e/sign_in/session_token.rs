//! The service's session tokens, checked the way another service would: only the published JWKS
//! and an Ed25519 implementation of our own choosing, not the Worker's JWT library.

use anyhow::{bail, ensure, Context, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::tokens::{now_secs, random_bytes, RunKeys, AUDIENCE, SESSION_ISSUER};

/// Verifies `token` against the JWKS `set` and returns its claims. Also checks that the published
/// key is this run's `SESSION_SIGNING_KEY` and that its `kid` is its RFC 7638 thumbprint.
pub fn verify_with_jwks(token: &str, set: &Value, keys: &RunKeys) -> Result<Value> {
    let [header, claims, signature] = split(token)?;
    let header: Value = serde_json::from_slice(&B64URL.decode(header)?)?;
    ensure!(header["alg"] == "EdDSA", "session alg {header}");
    let kid = header["kid"]
        .as_str()
        .context("no kid in the session header")?;

    let jwks = set["keys"]
        .as_array()
        .context("no keys array in the JWKS")?;
    let jwk = jwks
        .iter()
        .find(|k| k["kid"] == kid)
        .with_context(|| format!("kid {kid} not published in {set}"))?;
    ensure!(jwk["kty"] == "OKP" && jwk["crv"] == "Ed25519", "jwk {jwk}");
    ensure!(jwk.get("d").is_none(), "the JWKS publishes a private key");
    let x = jwk["x"].as_str().context("no x")?;
    let thumbprint_input = json!({"crv": "Ed25519", "kty": "OKP", "x": x}).to_string();
    let thumbprint = B64URL.encode(Sha256::digest(thumbprint_input.as_bytes()));
    ensure!(
        kid == thumbprint,
        "kid {kid} is not the JWK thumbprint {thumbprint}"
    );

    let public: [u8; 32] = B64URL
        .decode(x)?
        .try_into()
        .ok()
        .context("x is not 32 bytes")?;
    ensure!(
        public == keys.session_public_key().to_bytes(),
        "not this run's session key"
    );
    let verifier = VerifyingKey::from_bytes(&public)?;
    let signature = Signature::from_slice(&B64URL.decode(signature)?)?;
    let signing_input = &token[..token.rfind('.').expect("three parts")];
    verifier
        .verify_strict(signing_input.as_bytes(), &signature)
        .context("the session token's signature does not verify with the JWKS key")?;

    let claims: Value = serde_json::from_slice(&B64URL.decode(claims)?)?;
    ensure!(claims["iss"] == SESSION_ISSUER, "iss {claims}");
    let aud_ok = claims["aud"] == AUDIENCE
        || claims["aud"]
            .as_array()
            .is_some_and(|a| a.contains(&json!(AUDIENCE)));
    ensure!(aud_ok, "aud {claims}");
    let (iat, exp) = (claims["iat"].as_i64(), claims["exp"].as_i64());
    let (Some(iat), Some(exp)) = (iat, exp) else {
        bail!("iat/exp not numbers: {claims}")
    };
    ensure!(
        (iat - now_secs()).abs() < 600 && exp > now_secs() && exp > iat,
        "times {claims}"
    );
    ensure!(
        claims["sub"].is_string() && claims["sid"].is_string(),
        "sub/sid {claims}"
    );
    Ok(claims)
}

/// Variants of a valid session token that must all be refused: a flipped signature, other claims
/// under the same signature, `alg: none`, and a signature by a key the service never had.
pub fn tamperings(token: &str) -> Result<Vec<String>> {
    let [header, claims, signature] = split(token)?;
    let mut signature_bytes = B64URL.decode(signature)?;
    signature_bytes[0] ^= 1;
    let flipped = format!("{header}.{claims}.{}", B64URL.encode(&signature_bytes));

    let mut claim_values: Value = serde_json::from_slice(&B64URL.decode(claims)?)?;
    claim_values["exp"] = json!(claim_values["exp"].as_i64().unwrap_or_default() + 86_400);
    let extended = format!(
        "{header}.{}.{signature}",
        B64URL.encode(claim_values.to_string())
    );

    let mut header_value: Value = serde_json::from_slice(&B64URL.decode(header)?)?;
    header_value["alg"] = json!("none");
    let unsigned = format!("{}.{claims}.", B64URL.encode(header_value.to_string()));

    let stranger = ed25519_dalek::SigningKey::from_bytes(&random_bytes());
    let signing_input = format!("{header}.{claims}");
    let resigned = ed25519_dalek::Signer::sign(&stranger, signing_input.as_bytes());
    let foreign = format!("{signing_input}.{}", B64URL.encode(resigned.to_bytes()));
    Ok(vec![flipped, extended, unsigned, foreign])
}

fn split(token: &str) -> Result<[&str; 3]> {
    let parts: Vec<&str> = token.split('.').collect();
    match parts.as_slice() {
        [h, c, s] => Ok([h, c, s]),
        _ => bail!("not a compact JWS: {token}"),
    }
}
