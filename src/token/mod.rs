//! Bearer tokens: verifying the host application's tokens and the service's own sessions, and
//! issuing sessions after a passkey sign-in.
//!
//! The trust boundary: a request is someone's only once a token verifies here. The issuer
//! chooses the key, the key fixes the algorithm, and every failure is the same `Unauthorized`.

pub mod keys;

use chrono::{DateTime, Duration, TimeZone, Utc};
use jwt_compact::{
    alg::{Ed25519, Es256, Hs256, StrongAlg},
    AlgorithmExt, Claims, Header, TimeOptions, Token, UntrustedToken,
};
use serde::{Deserialize, Serialize};

use crate::config::{Config, HostIssuer, SessionConfig};
use crate::error::ApiError;
use keys::HostKey;

/// Clock skew tolerated on `exp`, `nbf` and `iat`.
const LEEWAY_SECS: i64 = 30;

/// Who is calling, as established by a verified bearer token.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user_id: String,
    /// Present on host tokens that carry it; session tokens carry only the id.
    pub email: Option<String>,
    pub name: Option<String>,
}

/// `aud` may be one string or a list (RFC 7519 §4.1.3).
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, expected: &str) -> bool {
        match self {
            Audience::One(aud) => aud == expected,
            Audience::Many(auds) => auds.iter().any(|aud| aud == expected),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct HostClaims {
    iss: String,
    aud: Audience,
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SessionClaims {
    iss: String,
    aud: Audience,
    sub: String,
    sid: String,
}

/// Only `iss`, read before verification to choose the key; trusted only after.
#[derive(Deserialize)]
struct IssuerOnly {
    iss: Option<String>,
}

/// A freshly issued session token.
pub struct IssuedSession {
    pub token: String,
    pub expires_at_ms: u64,
}

/// Converts the request clock (milliseconds since the epoch) to chrono time.
pub fn instant(now_ms: u64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(now_ms as i64)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Verifies a bearer token against the session keys and the host issuers.
pub fn verify_bearer(token: &str, config: &Config, now_ms: u64) -> Result<Principal, ApiError> {
    let untrusted = UntrustedToken::new(token).map_err(|_| ApiError::Unauthorized)?;
    let issuer = untrusted
        .deserialize_claims_unchecked::<IssuerOnly>()
        .ok()
        .and_then(|claims| claims.custom.iss)
        .ok_or(ApiError::Unauthorized)?;
    let time = TimeOptions::new(Duration::seconds(LEEWAY_SECS), move || instant(now_ms));

    if issuer == config.session.issuer {
        return verify_session(&untrusted, &config.session, &time);
    }
    config
        .host_issuers
        .iter()
        .filter(|host| host.issuer == issuer)
        .find_map(|host| verify_host(&untrusted, host, &time).ok())
        .ok_or(ApiError::Unauthorized)
}

fn verify_session(
    untrusted: &UntrustedToken<'_>,
    session: &SessionConfig,
    time: &TimeOptions<impl Fn() -> DateTime<Utc>>,
) -> Result<Principal, ApiError> {
    let kid = untrusted
        .header()
        .key_id
        .as_deref()
        .ok_or(ApiError::Unauthorized)?;
    let key = session
        .keys
        .verifying_key(kid)
        .ok_or(ApiError::Unauthorized)?;
    let token: Token<SessionClaims> = Ed25519
        .validator(key)
        .validate(untrusted)
        .map_err(|_| ApiError::Unauthorized)?;
    let claims = token.claims();
    check_times(claims, time, false)?;
    if claims.custom.iss != session.issuer || !claims.custom.aud.contains(&session.audience) {
        return Err(ApiError::Unauthorized);
    }
    Ok(Principal {
        user_id: claims.custom.sub.clone(),
        email: None,
        name: None,
    })
}

fn verify_host(
    untrusted: &UntrustedToken<'_>,
    host: &HostIssuer,
    time: &TimeOptions<impl Fn() -> DateTime<Utc>>,
) -> Result<Principal, ApiError> {
    let token: Token<HostClaims> = match &host.key {
        HostKey::Hs256(key) => StrongAlg(Hs256).validator(key).validate(untrusted),
        HostKey::EdDsa(key) => Ed25519.validator(key).validate(untrusted),
        HostKey::Es256(key) => Es256.validator(key).validate(untrusted),
    }
    .map_err(|_| ApiError::Unauthorized)?;
    let claims = token.claims();
    check_times(claims, time, true)?;
    let custom = &claims.custom;
    if custom.iss != host.issuer || !custom.aud.contains(&host.audience) || custom.sub.is_empty() {
        return Err(ApiError::Unauthorized);
    }
    Ok(Principal {
        user_id: custom.sub.clone(),
        email: custom.email.clone().filter(|email| !email.is_empty()),
        name: custom.name.clone().filter(|name| !name.is_empty()),
    })
}

/// `exp` is required; `nbf` is checked when present (host tokens may carry it).
fn check_times<T>(
    claims: &Claims<T>,
    time: &TimeOptions<impl Fn() -> DateTime<Utc>>,
    allow_nbf: bool,
) -> Result<(), ApiError> {
    claims
        .validate_expiration(time)
        .map_err(|_| ApiError::Unauthorized)?;
    if claims.not_before.is_some() {
        if !allow_nbf {
            return Err(ApiError::Unauthorized);
        }
        claims
            .validate_maturity(time)
            .map_err(|_| ApiError::Unauthorized)?;
    }
    if let Some(issued_at) = claims.issued_at {
        if issued_at > (time.clock_fn)() + time.leeway {
            return Err(ApiError::Unauthorized);
        }
    }
    Ok(())
}

/// Signs a session token for `user_id` with the current session key.
pub fn issue_session(
    session: &SessionConfig,
    user_id: &str,
    session_id: &str,
    now_ms: u64,
) -> Result<IssuedSession, ApiError> {
    let time = TimeOptions::new(Duration::zero(), move || instant(now_ms));
    let ttl = Duration::seconds(session.ttl_secs as i64);
    let claims = Claims::new(SessionClaims {
        iss: session.issuer.clone(),
        aud: Audience::One(session.audience.clone()),
        sub: user_id.to_owned(),
        sid: session_id.to_owned(),
    })
    .set_duration_and_issuance(&time, ttl);
    let header = Header::empty()
        .with_key_id(session.keys.kid.clone())
        .with_token_type("JWT");
    let token = Ed25519
        .token(&header, &claims, &session.keys.signing)
        .map_err(|error| ApiError::internal("signing a session", error))?;
    Ok(IssuedSession {
        token,
        expires_at_ms: now_ms + session.ttl_secs * 1000,
    })
}

/// Mints a host-application token with the first HS256 host issuer's secret, for the local
/// try-it page. Only reachable when `DEV_TOOLS` is enabled.
pub fn mint_development_token(
    config: &Config,
    user_id: &str,
    email: &str,
    name: &str,
    now_ms: u64,
) -> Result<Option<String>, ApiError> {
    let Some((host, key)) = config.host_issuers.iter().find_map(|host| match &host.key {
        HostKey::Hs256(key) => Some((host, key)),
        _ => None,
    }) else {
        return Ok(None);
    };
    let time = TimeOptions::new(Duration::zero(), move || instant(now_ms));
    let claims = Claims::new(HostClaims {
        iss: host.issuer.clone(),
        aud: Audience::One(host.audience.clone()),
        sub: user_id.to_owned(),
        email: Some(email.to_owned()),
        name: Some(name.to_owned()),
    })
    .set_duration_and_issuance(&time, Duration::hours(1));
    let token = StrongAlg(Hs256)
        .token(&Header::empty().with_token_type("JWT"), &claims, key)
        .map_err(|error| ApiError::internal("minting a development token", error))?;
    Ok(Some(token))
}

#[cfg(test)]
mod tests;
