use super::*;
use crate::config::Config;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jwt_compact::alg::{Hs256Key, SigningKey as _};
use keys::EdSigningKey;

const NOW_MS: u64 = 1_800_000_000_000;
const SEED: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const HOST_ED_SEED: [u8; 32] = [9; 32];
const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn config() -> Config {
    let host_ed = EdSigningKey::from_slice(&HOST_ED_SEED)
        .unwrap()
        .to_verifying_key();
    let host_ed_jwk = serde_json::to_value(jwt_compact::jwk::JsonWebKey::from(&host_ed)).unwrap();
    let issuers = serde_json::json!([
        {"iss": "https://app", "aud": "passkeys", "alg": "HS256", "secret": "APP_SECRET"},
        {"iss": "https://ed-app", "aud": "passkeys", "alg": "EdDSA", "jwk": host_ed_jwk},
    ]);
    Config::from_lookup(|name| {
        Some(match name {
            "RP_ID" => "example.com".into(),
            "RP_NAME" => "Example".into(),
            "ALLOWED_ORIGINS" => "https://example.com".into(),
            "BASE_PATH" => "/api/auth".into(),
            "SESSION_ISSUER" => "https://auth.example.com".into(),
            "SESSION_AUDIENCE" => "example".into(),
            "SESSION_TTL_SECS" => "3600".into(),
            "SESSION_SIGNING_KEY" => SEED.into(),
            "HOST_ISSUERS" => issuers.to_string(),
            "APP_SECRET" => SECRET.into(),
            _ => return None,
        })
    })
    .unwrap()
}

fn host_claims(iss: &str, exp_ms: u64) -> Claims<serde_json::Value> {
    let mut claims = Claims::new(serde_json::json!({
        "iss": iss, "aud": "passkeys", "sub": "user-1", "email": "ada@example.com", "name": "Ada"
    }));
    claims.expiration = Some(instant(exp_ms));
    claims
}

fn hs256_token(claims: &Claims<serde_json::Value>, secret: &[u8]) -> String {
    Hs256
        .token(&Header::empty(), claims, &Hs256Key::new(secret))
        .unwrap()
}

#[test]
fn an_issued_session_verifies_as_its_user() {
    let config = config();
    let issued = issue_session(&config.session, "user-1", "sid-1", NOW_MS).unwrap();
    assert_eq!(issued.expires_at_ms, NOW_MS + 3_600_000);
    let principal = verify_bearer(&issued.token, &config, NOW_MS + 1000).unwrap();
    assert_eq!(principal.user_id, "user-1");
}

#[test]
fn a_session_carries_kid_iss_aud_sub_sid_iat_and_exp() {
    let config = config();
    let issued = issue_session(&config.session, "user-1", "sid-1", NOW_MS).unwrap();
    let untrusted = UntrustedToken::new(&issued.token).unwrap();
    assert_eq!(untrusted.algorithm(), "EdDSA");
    assert_eq!(
        untrusted.header().key_id.as_deref(),
        Some(config.session.keys.kid.as_str())
    );
    let claims = untrusted
        .deserialize_claims_unchecked::<serde_json::Value>()
        .unwrap();
    assert_eq!(claims.custom["iss"], "https://auth.example.com");
    assert_eq!(claims.custom["aud"], "example");
    assert_eq!(claims.custom["sid"], "sid-1");
    assert_eq!(claims.issued_at, Some(instant(NOW_MS)));
    assert_eq!(claims.expiration, Some(instant(NOW_MS + 3_600_000)));
}

#[test]
fn an_expired_session_is_refused() {
    let config = config();
    let issued = issue_session(&config.session, "user-1", "sid-1", NOW_MS).unwrap();
    let later = NOW_MS + 3_600_000 + (LEEWAY_SECS as u64 + 1) * 1000;
    assert!(matches!(
        verify_bearer(&issued.token, &config, later),
        Err(ApiError::Unauthorized)
    ));
}

#[test]
fn a_tampered_session_is_refused() {
    let config = config();
    let issued = issue_session(&config.session, "user-1", "sid-1", NOW_MS).unwrap();
    let mut parts: Vec<String> = issued.token.split('.').map(str::to_owned).collect();
    let forged = serde_json::json!({
        "iss": "https://auth.example.com", "aud": "example", "sub": "user-2", "sid": "x",
        "exp": NOW_MS / 1000 + 60
    });
    parts[1] = URL_SAFE_NO_PAD.encode(forged.to_string());
    assert!(verify_bearer(&parts.join("."), &config, NOW_MS).is_err());
}

#[test]
fn alg_none_is_refused() {
    let config = config();
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"x"}"#);
    let body = URL_SAFE_NO_PAD.encode(
        serde_json::json!({"iss": "https://app", "aud": "passkeys", "sub": "u", "exp": 4e9})
            .to_string(),
    );
    assert!(verify_bearer(&format!("{header}.{body}."), &config, NOW_MS).is_err());
}

#[test]
fn an_hs256_token_keyed_with_the_public_session_key_is_refused() {
    let config = config();
    let public = config.session.keys.verifying[0].1.as_bytes().to_vec();
    let mut claims = host_claims("https://auth.example.com", NOW_MS + 60_000);
    claims.custom["aud"] = "example".into();
    claims.custom["sid"] = "sid".into();
    let header = Header::empty().with_key_id(config.session.keys.kid.clone());
    let token = Hs256
        .token(&header, &claims, &Hs256Key::new(public))
        .unwrap();
    assert!(verify_bearer(&token, &config, NOW_MS).is_err());
}

#[test]
fn a_host_hs256_token_yields_its_claims() {
    let config = config();
    let token = hs256_token(
        &host_claims("https://app", NOW_MS + 60_000),
        SECRET.as_bytes(),
    );
    let principal = verify_bearer(&token, &config, NOW_MS).unwrap();
    assert_eq!(principal.user_id, "user-1");
    assert_eq!(principal.email.as_deref(), Some("ada@example.com"));
    assert_eq!(principal.name.as_deref(), Some("Ada"));
}

#[test]
fn a_host_eddsa_token_verifies_with_the_configured_jwk() {
    let config = config();
    let key = EdSigningKey::from_slice(&HOST_ED_SEED).unwrap();
    let claims = host_claims("https://ed-app", NOW_MS + 60_000);
    let token = Ed25519.token(&Header::empty(), &claims, &key).unwrap();
    assert_eq!(
        verify_bearer(&token, &config, NOW_MS).unwrap().user_id,
        "user-1"
    );
}

#[test]
fn a_host_token_from_an_unknown_issuer_is_refused() {
    let config = config();
    let token = hs256_token(
        &host_claims("https://evil", NOW_MS + 60_000),
        SECRET.as_bytes(),
    );
    assert!(verify_bearer(&token, &config, NOW_MS).is_err());
}

#[test]
fn a_host_token_signed_with_another_secret_is_refused() {
    let config = config();
    let token = hs256_token(&host_claims("https://app", NOW_MS + 60_000), &[1; 64]);
    assert!(verify_bearer(&token, &config, NOW_MS).is_err());
}

#[test]
fn a_host_token_for_another_audience_is_refused() {
    let config = config();
    let mut claims = host_claims("https://app", NOW_MS + 60_000);
    claims.custom["aud"] = serde_json::json!(["other", "another"]);
    assert!(verify_bearer(&hs256_token(&claims, SECRET.as_bytes()), &config, NOW_MS).is_err());
    claims.custom["aud"] = serde_json::json!(["other", "passkeys"]);
    assert!(verify_bearer(&hs256_token(&claims, SECRET.as_bytes()), &config, NOW_MS).is_ok());
}

#[test]
fn a_host_token_without_exp_is_refused() {
    let config = config();
    let mut claims = host_claims("https://app", NOW_MS);
    claims.expiration = None;
    assert!(verify_bearer(&hs256_token(&claims, SECRET.as_bytes()), &config, NOW_MS).is_err());
}

#[test]
fn a_host_token_not_yet_valid_is_refused_beyond_the_leeway() {
    let config = config();
    let mut claims = host_claims("https://app", NOW_MS + 600_000);
    claims.not_before = Some(instant(NOW_MS + 120_000));
    assert!(verify_bearer(&hs256_token(&claims, SECRET.as_bytes()), &config, NOW_MS).is_err());
    claims.not_before = Some(instant(NOW_MS + 10_000));
    assert!(verify_bearer(&hs256_token(&claims, SECRET.as_bytes()), &config, NOW_MS).is_ok());
}

#[test]
fn garbage_is_refused() {
    let config = config();
    for token in ["", "a.b.c", "not a token", "e30.e30.e30"] {
        assert!(verify_bearer(token, &config, NOW_MS).is_err(), "{token}");
    }
}

#[test]
fn a_development_token_is_a_valid_host_token() {
    let config = config();
    let token = mint_development_token(&config, "dev-1", "dev@example.com", "Dev", NOW_MS)
        .unwrap()
        .unwrap();
    let principal = verify_bearer(&token, &config, NOW_MS).unwrap();
    assert_eq!(principal.user_id, "dev-1");
    assert_eq!(principal.email.as_deref(), Some("dev@example.com"));
}

#[test]
fn a_session_signed_by_a_retired_key_stays_valid_after_rotation() {
    let old = config();
    let issued = issue_session(&old.session, "user-1", "sid-1", NOW_MS).unwrap();
    let retired = serde_json::to_string(&old.session.keys.jwks()["keys"]).unwrap();
    let rotated = keys::SessionKeys::parse("HxoZGBcWFRQTEhEQDw4NDAsKCQgHBgUEAwIBAB8eHRw", &retired);
    let mut config = config();
    config.session.keys = std::sync::Arc::new(rotated.unwrap());
    assert_ne!(
        config.session.keys.kid, old.session.keys.kid,
        "a new key signs from now on"
    );
    assert_eq!(
        verify_bearer(&issued.token, &config, NOW_MS)
            .unwrap()
            .user_id,
        "user-1"
    );

    let unrelated = keys::SessionKeys::parse(SEED.replace('A', "B").as_str(), "[]").unwrap();
    config.session.keys = std::sync::Arc::new(unrelated);
    assert!(
        verify_bearer(&issued.token, &config, NOW_MS).is_err(),
        "dropped keys stop verifying"
    );
}
