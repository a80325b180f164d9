//! Configuration, read once per request from `[vars]` and Worker secrets into typed values.
//!
//! Nothing here has a silent default: a missing or malformed required setting is an error that
//! names it, answered as a logged 500. Optional settings document their default.

use std::sync::{Arc, Mutex};

use crate::token::keys::{HostKey, SessionKeys};

/// The name of each setting, declared once.
pub mod names {
    pub const RP_ID: &str = "RP_ID";
    pub const RP_NAME: &str = "RP_NAME";
    pub const ALLOWED_ORIGINS: &str = "ALLOWED_ORIGINS";
    pub const BASE_PATH: &str = "BASE_PATH";
    pub const SESSION_ISSUER: &str = "SESSION_ISSUER";
    pub const SESSION_AUDIENCE: &str = "SESSION_AUDIENCE";
    pub const SESSION_TTL_SECS: &str = "SESSION_TTL_SECS";
    pub const SESSION_SIGNING_KEY: &str = "SESSION_SIGNING_KEY";
    pub const SESSION_RETIRED_KEYS: &str = "SESSION_RETIRED_KEYS";
    pub const HOST_ISSUERS: &str = "HOST_ISSUERS";
    pub const DEV_TOOLS: &str = "DEV_TOOLS";
}

/// A configuration problem, naming the setting. Reported as a 500: the operator must fix it.
#[derive(Debug, PartialEq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "configuration: {}", self.0)
    }
}

/// The whole configuration of one request.
pub struct Config {
    /// The WebAuthn relying party id (a registrable domain, e.g. `example.com`).
    pub rp_id: String,
    /// The relying party name shown by authenticators.
    pub rp_name: String,
    /// Exact origins allowed in `clientDataJSON` and for CORS.
    pub allowed_origins: Vec<String>,
    /// Prefix of every route, e.g. `/api/auth`, without a trailing slash.
    pub base_path: String,
    /// How the service's own session tokens are issued and checked.
    pub session: SessionConfig,
    /// The host application's token issuers whose bearer tokens are accepted.
    pub host_issuers: Vec<HostIssuer>,
    /// The try-it page and its development-token route (local development only).
    pub dev_tools: bool,
}

/// Settings of the service's own session tokens.
pub struct SessionConfig {
    pub issuer: String,
    pub audience: String,
    pub ttl_secs: u64,
    pub keys: Arc<SessionKeys>,
}

/// One accepted issuer of host-application tokens, with the one algorithm and key it uses.
pub struct HostIssuer {
    pub issuer: String,
    pub audience: String,
    pub key: HostKey,
}

/// How a host issuer is written in `HOST_ISSUERS`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HostIssuerSetting {
    iss: String,
    aud: String,
    alg: String,
    /// For HS256: the name of the Worker secret holding the key.
    secret: Option<String>,
    /// For EdDSA and ES256: the public key as a JWK.
    jwk: Option<serde_json::Value>,
}

impl Config {
    /// Reads every setting through `lookup` (a var or secret by name; `None` when unset).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &str| {
            lookup(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
                .ok_or_else(|| ConfigError(format!("{name} is not set")))
        };

        let rp_id = required(names::RP_ID)?;
        if rp_id.contains(['/', ':']) || rp_id.starts_with('.') || rp_id.ends_with('.') {
            return Err(ConfigError(format!(
                "{} must be a bare domain",
                names::RP_ID
            )));
        }
        let allowed_origins = parse_origins(&required(names::ALLOWED_ORIGINS)?)?;
        let base_path = required(names::BASE_PATH)?.trim_end_matches('/').to_owned();
        if !base_path.starts_with('/') {
            return Err(ConfigError(format!(
                "{} must start with '/'",
                names::BASE_PATH
            )));
        }
        let ttl_secs = required(names::SESSION_TTL_SECS)?
            .parse::<u64>()
            .ok()
            .filter(|secs| (60..=31_536_000).contains(secs))
            .ok_or_else(|| {
                let name = names::SESSION_TTL_SECS;
                ConfigError(format!(
                    "{name} must be a whole number of seconds, 60 to 31536000"
                ))
            })?;
        let retired = lookup(names::SESSION_RETIRED_KEYS).unwrap_or_else(|| "[]".into());
        let keys = session_keys(&required(names::SESSION_SIGNING_KEY)?, &retired)?;

        let session = SessionConfig {
            issuer: required(names::SESSION_ISSUER)?,
            audience: required(names::SESSION_AUDIENCE)?,
            ttl_secs,
            keys,
        };
        let host_issuers = match lookup(names::HOST_ISSUERS) {
            Some(json) => parse_host_issuers(&json, &lookup)?,
            None => Vec::new(),
        };

        let dev_tools = match lookup(names::DEV_TOOLS).as_deref().map(str::trim) {
            None | Some("") | Some("disabled") => false,
            Some("enabled") => true,
            Some(_) => {
                let name = names::DEV_TOOLS;
                return Err(ConfigError(format!("{name} must be enabled or disabled")));
            }
        };

        Ok(Config {
            rp_id,
            rp_name: required(names::RP_NAME)?,
            allowed_origins,
            base_path,
            session,
            host_issuers,
            dev_tools,
        })
    }

    /// Whether `origin` is exactly one of the configured origins.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|allowed| allowed == origin)
    }
}

/// The parsed session keys, reused while their settings stay the same. Parsing derives the
/// public key and its thumbprint, about 0.2 ms of CPU in wasm; settings only change with a
/// deploy (new isolates), but the cache is keyed on their text so a change is never missed.
fn session_keys(seed: &str, retired: &str) -> Result<Arc<SessionKeys>, ConfigError> {
    type Cached = (String, String, Arc<SessionKeys>);
    static CACHE: Mutex<Option<Cached>> = Mutex::new(None);
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((cached_seed, cached_retired, keys)) = cache.as_ref() {
        if cached_seed == seed && cached_retired == retired {
            return Ok(Arc::clone(keys));
        }
    }
    let keys = Arc::new(SessionKeys::parse(seed, retired)?);
    *cache = Some((seed.to_owned(), retired.to_owned(), Arc::clone(&keys)));
    Ok(keys)
}

/// Parses the comma-separated origin list. Web origins are scheme, host and optional port with
/// no path; Android apps sign in from `android:apk-key-hash:<base64url>` origins.
fn parse_origins(list: &str) -> Result<Vec<String>, ConfigError> {
    let invalid = |origin: &str| {
        ConfigError(format!(
            "{}: '{origin}' is not an origin",
            names::ALLOWED_ORIGINS
        ))
    };
    list.split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            if let Some(hash) = origin.strip_prefix("android:apk-key-hash:") {
                let valid = !hash.is_empty()
                    && hash
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                return if valid {
                    Ok(origin.to_owned())
                } else {
                    Err(invalid(origin))
                };
            }
            let url = worker::Url::parse(origin).map_err(|_| invalid(origin))?;
            let web = matches!(url.scheme(), "https" | "http") && url.host_str().is_some();
            // Serialising the URL's origin must give back exactly what was written.
            if web && url.origin().ascii_serialization() == origin {
                Ok(origin.to_owned())
            } else {
                Err(invalid(origin))
            }
        })
        .collect()
}

fn parse_host_issuers(
    json: &str,
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Vec<HostIssuer>, ConfigError> {
    let name = names::HOST_ISSUERS;
    let settings: Vec<HostIssuerSetting> = serde_json::from_str(json)
        .map_err(|error| ConfigError(format!("{name} is not a valid JSON list: {error}")))?;
    settings
        .into_iter()
        .map(|setting| {
            let key = match (setting.alg.as_str(), &setting.secret, &setting.jwk) {
                ("HS256", Some(secret_name), None) => {
                    let secret = lookup(secret_name).ok_or_else(|| {
                        ConfigError(format!("{name}: secret {secret_name} is not set"))
                    })?;
                    HostKey::hs256(secret.as_bytes())
                        .map_err(|reason| ConfigError(format!("{secret_name}: {reason}")))?
                }
                ("EdDSA" | "ES256", None, Some(jwk)) => HostKey::from_jwk(&setting.alg, jwk)
                    .map_err(|reason| ConfigError(format!("{name} ({}): {reason}", setting.iss)))?,
                _ => {
                    return Err(ConfigError(format!(
                    "{name} ({}): alg must be HS256 with \"secret\", or EdDSA/ES256 with \"jwk\"",
                    setting.iss
                )))
                }
            };
            Ok(HostIssuer {
                issuer: setting.iss,
                audience: setting.aud,
                key,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SEED: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    fn settings() -> HashMap<&'static str, String> {
        HashMap::from([
            (names::RP_ID, "example.com".to_owned()),
            (names::RP_NAME, "Example".to_owned()),
            (
                names::ALLOWED_ORIGINS,
                "https://example.com, https://app.example.com:8443,android:apk-key-hash:abc_-1"
                    .to_owned(),
            ),
            (names::BASE_PATH, "/api/auth/".to_owned()),
            (names::SESSION_ISSUER, "https://auth.example.com".to_owned()),
            (names::SESSION_AUDIENCE, "example".to_owned()),
            (names::SESSION_TTL_SECS, "3600".to_owned()),
            (names::SESSION_SIGNING_KEY, SEED.to_owned()),
            (
                names::HOST_ISSUERS,
                r#"[{"iss":"https://app","aud":"passkeys","alg":"HS256","secret":"APP_SECRET"}]"#
                    .to_owned(),
            ),
            ("APP_SECRET", "k".repeat(64)),
        ])
    }

    fn load(map: &HashMap<&'static str, String>) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn a_complete_configuration_parses() {
        let config = load(&settings()).unwrap();
        assert_eq!(config.rp_id, "example.com");
        assert_eq!(config.base_path, "/api/auth");
        assert_eq!(config.allowed_origins.len(), 3);
        assert!(config.allows_origin("android:apk-key-hash:abc_-1"));
        assert!(config.allows_origin("https://app.example.com:8443"));
        assert!(!config.allows_origin("https://example.com/"));
        assert_eq!(config.session.ttl_secs, 3600);
        assert_eq!(config.host_issuers.len(), 1);
        assert!(
            !config.dev_tools,
            "development tools are off unless enabled"
        );
    }

    #[test]
    fn dev_tools_accept_only_enabled_or_disabled() {
        let mut map = settings();
        map.insert(names::DEV_TOOLS, "enabled".to_owned());
        assert!(load(&map).unwrap().dev_tools);
        map.insert(names::DEV_TOOLS, "yes".to_owned());
        assert!(load(&map).err().unwrap().0.contains("DEV_TOOLS"));
    }

    #[test]
    fn a_missing_setting_is_named() {
        let mut map = settings();
        map.remove(names::RP_ID);
        let error = load(&map).err().unwrap();
        assert!(error.0.contains("RP_ID"), "{error}");
    }

    #[test]
    fn an_origin_with_a_path_is_refused() {
        let mut map = settings();
        map.insert(
            names::ALLOWED_ORIGINS,
            "https://example.com/login".to_owned(),
        );
        assert!(load(&map).err().unwrap().0.contains("ALLOWED_ORIGINS"));
    }

    #[test]
    fn a_short_hs256_secret_is_refused() {
        let mut map = settings();
        map.insert("APP_SECRET", "k".repeat(63));
        assert!(load(&map).err().unwrap().0.contains("APP_SECRET"));
    }

    #[test]
    fn a_host_issuer_naming_a_missing_secret_is_refused() {
        let mut map = settings();
        map.remove("APP_SECRET");
        assert!(load(&map).err().unwrap().0.contains("APP_SECRET"));
    }

    #[test]
    fn a_host_issuer_with_a_mismatched_key_kind_is_refused() {
        let mut map = settings();
        map.insert(
            names::HOST_ISSUERS,
            r#"[{"iss":"a","aud":"b","alg":"EdDSA","secret":"APP_SECRET"}]"#.to_owned(),
        );
        assert!(load(&map).is_err());
    }

    #[test]
    fn an_invalid_session_ttl_is_refused() {
        let mut map = settings();
        map.insert(names::SESSION_TTL_SECS, "soon".to_owned());
        assert!(load(&map).err().unwrap().0.contains("SESSION_TTL_SECS"));
    }

    #[test]
    fn a_malformed_signing_key_is_refused() {
        let mut map = settings();
        map.insert(names::SESSION_SIGNING_KEY, "not-a-key".to_owned());
        assert!(load(&map).err().unwrap().0.contains("SESSION_SIGNING_KEY"));
    }
}
